//! `leadline import`, `export`, `dedupe`, `link`, `forget` and `privacy`: bringing data in and out,
//! duplicates, tracking links and the person's rights.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::output::{Table, plural, print_json, safe};
use super::{CliError, CliResult, Env};
use crate::domain::LeadId;
use crate::io::dedupe;
use crate::io::export::{self, CsvStyle, ExportFormat, Object, Sink, Where};
use crate::io::import::{self, Format, ImportOptions, ImportReport, OnDuplicate, Tally};
use crate::io::links::{self, LinkTags};
use crate::io::paths;
use crate::io::presets::{Field, Preset};
use crate::io::{IoError, privacy};
use crate::store::leads;

fn io_err(e: IoError) -> CliError {
    match e {
        IoError::Store(s) => CliError::Store(s),
        // A flag's value that is not one of its choices (`--map`, `--where`) is a usage error, as clap's are.
        IoError::Invalid(v) if v.field.starts_with("--") => CliError::Usage(v.to_string()),
        IoError::Invalid(v) => CliError::Invalid(v),
        other => CliError::Io(other.to_string()),
    }
}

impl ImportArgs {
    pub(super) fn dry_run(&self) -> bool {
        self.dry_run
    }
}

/// An import's file that is not there, or whose first bytes show it is no file to import (empty, binary, not
/// the format named), is said before anything else: before waiting for another import into the same
/// database, and before opening it (or making it: a file refused whole leaves no empty database behind).
pub(super) fn file_is_there(a: &ImportArgs) -> CliResult {
    if a.file == std::path::Path::new("-") {
        return Ok(());
    }
    let meta = std::fs::metadata(&a.file).map_err(|e| CliError::Io(format!("{}: {e}", a.file.display())))?;
    // A pipe given by its path (`/dev/stdin`, `<(...)`, a named pipe) is read once: it is copied first and
    // looked at in its copy (`spool_if_streamed`), as `-` is. A device (`/dev/zero`) is looked at here,
    // and refused, rather than copied without end.
    if std::os::unix::fs::FileTypeExt::is_fifo(&meta.file_type()) {
        return Ok(());
    }
    let format = (a.format != "auto").then(|| super::flag::<Format>(&a.format, "--format")).transpose()?;
    import::refused_at_sight(&a.file, format).map_err(io_err)
}

/// What `--preset` takes: auto, or one of the presets.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file: CSV (any CRM export), vCard (.vcf), iCalendar (.ics) or leadline JSON / JSONL; `-` (or a
    /// pipe) reads standard input.
    file: PathBuf,
    /// The file's format (auto: told by its name and contents).
    #[arg(long, default_value = "auto", value_parser = super::Choices(&Format::FLAG_WORDS))]
    format: String,
    /// Whose export the CSV is (auto: told by its headers).
    #[arg(long, default_value = "auto", value_parser = super::Choices(&Preset::FLAG_WORDS))]
    preset: String,
    /// Map a column to a field, e.g. --map "Correo=email"; repeat for several.
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    maps: Vec<String>,
    /// For a row that is an existing lead (same e-mail or phone): skip, merge (fill empty fields) or update.
    #[arg(long, default_value = "merge", value_parser = super::Choices(&OnDuplicate::NAMES))]
    on_duplicate: String,
    /// Show exactly what would be created, merged, updated and rejected, and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Import a file already imported with these options once more, as a new import (rows with the e-mail or
    /// phone of a lead here merge as always; a row with a name alone is added again).
    #[arg(long)]
    again: bool,
    /// Write the rejected rows here to fix and import again: as a CSV (a JSON file's as JSON lines, a vCard
    /// file's as vCards, each saying where and why).
    #[arg(long, value_name = "PATH")]
    rejects: Option<PathBuf>,
    /// Country for national phone numbers (default: [import] default_country).
    #[arg(long)]
    country: Option<String>,
    /// Calendar files: only events from this time (default: a year ago).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    from: Option<String>,
    /// Calendar files: only events until this time (default: in 180 days).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    to: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Rows per committed chunk.
    #[arg(long, default_value_t = 20_000, hide = true)]
    chunk_rows: usize,
    /// Stop after this many rows as a crash would (for testing resume).
    #[arg(long, hide = true)]
    stop_after: Option<u64>,
    /// Load in bulk (one transaction, list indexes built at the end) whatever the file's size.
    #[arg(long, hide = true)]
    bulk: bool,
}

pub fn import(env: &mut Env, a: ImportArgs) -> CliResult {
    if let Some(out) = &a.rejects {
        let config = env.config_file.clone().unwrap_or_default();
        if let Some(why) = paths::clobbers(out, Some(env.store.path()), &[&a.file, &config]) {
            return Err(CliError::Usage(format!("--rejects: {why}")));
        }
        // Known before the import, not after it has committed.
        paths::writable(out).map_err(|why| CliError::Usage(format!("--rejects: {why}")))?;
    }
    let maps = a
        .maps
        .iter()
        .map(|m| {
            let usage = || CliError::Usage(format!("--map '{m}' must be COLUMN=FIELD, e.g. --map \"Correo=email\""));
            let (col, field) = m.rsplit_once('=').ok_or_else(usage)?;
            if col.trim().is_empty() {
                return Err(usage());
            }
            Ok((col.trim().to_string(), super::flag::<Field>(field, "--map")?))
        })
        .collect::<CliResult<Vec<_>>>()?;
    let window = match (&a.from, &a.to) {
        (None, None) => None,
        (f, t) => {
            let now = env.now();
            let from = f.as_deref().map(|x| env.time(x, "--from")).transpose()?.unwrap_or(now.plus_days(-365));
            let to = match t.as_deref() {
                // A day named alone is the window's last day, whole: today's weekday is today, at any hour.
                Some(x) if names_a_day(x) => {
                    let day = crate::domain::time::parse_day(x, env.now(), env.store.ctx().tz).map_err(|e| {
                        CliError::Usage(crate::domain::ValidationError { field: "--to".into(), ..e }.to_string())
                    })?;
                    crate::domain::Timestamp(crate::domain::time::start_of_day_after(day, env.store.ctx().tz, 1).0 - 1)
                }
                Some(x) => env.time(x, "--to")?,
                None => now.plus_days(180),
            };
            if from > to {
                let tz = env.store.ctx().tz;
                let from_is = if f.is_some() { "--from" } else { "the window's start (a year back unless --from)" };
                let to_is = if t.is_some() { "--to" } else { "the window's end (six months ahead unless --to)" };
                return Err(CliError::Usage(format!(
                    "{from_is} ({}) is after {to_is} ({}): the window would hold no event",
                    from.local(tz),
                    to.local(tz)
                )));
            }
            Some((from, to))
        }
    };
    let interrupted = stop_on_interrupt()?;
    let opts = ImportOptions {
        format: (a.format != "auto").then(|| super::flag::<Format>(&a.format, "--format")).transpose()?,
        preset: (a.preset != "auto").then(|| super::flag::<Preset>(&a.preset, "--preset")).transpose()?,
        maps,
        on_duplicate: super::flag(&a.on_duplicate, "--on-duplicate")?,
        dry_run: a.dry_run,
        again: a.again,
        chunk_rows: a.chunk_rows,
        stop_after: a.stop_after,
        cancel: Some(interrupted.clone()),
        progress: std::io::stderr().is_terminal() && !a.json,
        default_country: match &a.country {
            Some(c) if !crate::io::phone::known_country(c) => {
                return Err(CliError::Usage(format!(
                    "--country '{c}' is not a country leadline knows the calling code of (use an ISO code like ES, US, GB)"
                )));
            }
            Some(c) => Some(c.clone()),
            None => Some(env.config.import.default_country.clone()),
        },
        window,
        bulk: a.bulk.then_some(true),
    };
    // An import reads its file twice (a first pass counts and checks it), so a stream is kept first.
    let spooled = spool_if_streamed(&a.file, env.store.path(), &interrupted)?;
    let file = spooled.as_ref().map_or(a.file.clone(), |(_, p)| p.clone());
    // A stream is named as the rep gave it, not by its private copy (gone once this returns).
    let shown =
        if a.file == std::path::Path::new("-") { "standard input".into() } else { a.file.display().to_string() };
    let mut report = match (import::import_file(&mut env.store, &file, &opts), &spooled) {
        (Ok(r), _) => {
            // A Ctrl-C in the instant the import was being saved came too late to stop it: said, not ignored.
            if interrupted.load(std::sync::atomic::Ordering::Relaxed) && !r.dry_run {
                eprintln!("note: the import was saved before Ctrl-C could stop it (the summary says what it did)");
            }
            r
        }
        // Stopped by Ctrl-C (or a TERM): said so, with the shell's code for an interrupted command.
        (Err(e @ IoError::Interrupted { .. }), _) if interrupted.load(std::sync::atomic::Ordering::Relaxed) => {
            if a.dry_run {
                return Err(CliError::Interrupted("dry run stopped; it writes nothing, stopped or not".into()));
            }
            return Err(CliError::Interrupted(e.to_string()));
        }
        (Err(e), Some((_, copy))) => {
            return Err(CliError::Io(io_err(e).to_string().replace(&copy.display().to_string(), &shown)));
        }
        (Err(e), None) => return Err(io_err(e)),
    };
    if spooled.is_some() {
        report.file = shown;
    }
    // The copy (personal data) goes before anything is printed: a closed pipe or a full disk ends the
    // process there.
    drop(spooled);
    // A bulk load skips the per-row hooks; score everything once so imported leads rank at once.
    if report.bulk {
        let (scorer, _) = crate::engine::rules(&env.config)?;
        env.store.write(|db| crate::scoring::recompute(db, &scorer))?;
    }
    // The import is in by now: a rejects file that cannot be written is said after the summary, as what
    // alone failed.
    let mut rejects_failed = None;
    if let Some(path) = &a.rejects {
        match import::write_rejects(&env.store, &report, path) {
            Ok(n) if !a.json => eprintln!("{n} {} written to {}", plural(n as usize, "rejected row"), path.display()),
            Ok(_) => {}
            Err(e) => rejects_failed = Some(io_err(e)),
        }
    }
    if a.json {
        print_json(&report)?;
    } else {
        print_report(&report, a.rejects.is_some() && rejects_failed.is_none())?;
    }
    let c = &report.counts;
    let kept_as_they_are =
        [&c.outreach, &c.meetings, &c.deals, &c.tasks, &c.notes, &c.inbox].iter().map(|t| t.skipped).sum::<u64>();
    if opts.on_duplicate == OnDuplicate::Update && report.format == Format::Json && kept_as_they_are > 0 {
        eprintln!(
            "note: {kept_as_they_are} {} other than leads {} here already and {} left as {}: `--on-duplicate update` \
             takes a file's values for leads; touches, meetings, deals, tasks, notes and inbox items come in once \
             (change them here with their own commands)",
            plural(kept_as_they_are as usize, "record"),
            if kept_as_they_are == 1 { "was" } else { "were" },
            if kept_as_they_are == 1 { "is" } else { "are" },
            if kept_as_they_are == 1 { "it is" } else { "they are" },
        );
    }
    if let Some(e) = rejects_failed {
        let saved = if report.dry_run { "the dry run is done" } else { "the import is saved (the summary says what)" };
        return Err(CliError::Io(format!(
            "{saved}, but the rejects file was not written: {e}; the same command with another --rejects writes it"
        )));
    }
    // Scripts must not take a file that imported nothing for a success.
    if report.counts.all_rejected() && !report.already_imported {
        return Err(CliError::Io(format!("{}: every row was rejected; nothing was imported", report.file)));
    }
    Ok(())
}

/// The name of the folders holding a copy of a streamed import.
const SPOOL_PREFIX: &str = ".leadline-import-";

/// Standard input (`-`) or a pipe (`<(...)`, `/dev/stdin` from a pipe) copied into a private file beside the
/// database (the system's temporary directory may be small, or memory), named after its source; None for
/// a plain file. The folder goes when the import is done.
/// Whether a time as typed names a day and no time in it ("2026-12-31", "tomorrow", "fri"): one word, not a
/// time of day ("tomorrow 9" has an hour), an RFC 3339 time or a span from now.
fn names_a_day(input: &str) -> bool {
    let t = input.trim();
    t.split_whitespace().count() == 1
        && !t.contains(':')
        && !t.starts_with(['+', '-'])
        && !t.eq_ignore_ascii_case("now")
}

fn spool_if_streamed(
    file: &std::path::Path,
    db: &std::path::Path,
    interrupted: &std::sync::atomic::AtomicBool,
) -> CliResult<Option<(tempfile::TempDir, PathBuf)>> {
    let stdin = file == std::path::Path::new("-");
    if !stdin && std::fs::metadata(file).map_or(true, |m| m.is_file()) {
        return Ok(None);
    }
    let cannot = |e: std::io::Error| CliError::Io(format!("{}: cannot read it: {e}", file.display()));
    let beside = db.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    // Copies a killed import left behind (a day old: a running import's copy is never that old).
    for stale in std::fs::read_dir(beside).into_iter().flatten().flatten() {
        let old = stale.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
        if stale.file_name().to_string_lossy().starts_with(SPOOL_PREFIX)
            && old.is_some_and(|age| age > std::time::Duration::from_secs(24 * 3600))
        {
            let _ = std::fs::remove_dir_all(stale.path());
        }
    }
    let dir = crate::store::private_temp_dir(SPOOL_PREFIX, Some(beside)).map_err(cannot)?;
    let name = if stdin { "standard-input".into() } else { file.file_name().unwrap_or_default().to_os_string() };
    let path = dir.path().join(name);
    let mut out = std::fs::File::create(&path).map_err(cannot)?;
    // Copied beside, so that Ctrl-C stops a copy waiting on a slow (or silent) writer at once: a read from
    // a pipe is not ended by the signal.
    let source = file.to_path_buf();
    let (done, copied) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let result = match stdin {
            true => std::io::copy(&mut std::io::stdin().lock(), &mut out),
            false => std::fs::File::open(&source).and_then(|mut f| std::io::copy(&mut f, &mut out)),
        };
        let _ = done.send(result);
    });
    loop {
        match copied.recv_timeout(std::time::Duration::from_millis(100)) {
            Ok(result) => {
                result.map_err(cannot)?;
                return Ok(Some((dir, path)));
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout)
                if interrupted.load(std::sync::atomic::Ordering::Relaxed) =>
            {
                return Err(CliError::Interrupted(
                    "import stopped while reading its input; nothing changed: run the same command again".into(),
                ));
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(CliError::Io(format!("{}: cannot read it", file.display())));
            }
        }
    }
}

/// Ctrl-C (or SIGTERM) during an import (or a demo load) stops it at the next row with a message saying
/// how to resume, instead of killing it mid-row (which loses nothing either, but says nothing).
pub(super) fn stop_on_interrupt() -> Result<std::sync::Arc<std::sync::atomic::AtomicBool>, CliError> {
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // A second signal while the import is still winding down ends the process at once, with the
        // shell's code for death by that signal.
        signal_hook::flag::register_conditional_shutdown(signal, 128 + signal, flag.clone())
            .and_then(|_| signal_hook::flag::register(signal, flag.clone()))
            .map_err(|e| CliError::Io(e.to_string()))?;
    }
    Ok(flag)
}

/// For a command saved in one transaction at its end: Ctrl-C ends it at once, as it would, saying what that
/// left (`what`) rather than nothing. (A hang-up is left as it is: under `nohup` it must stay ignored.)
pub(super) fn say_on_interrupt(what: &'static str) -> CliResult {
    say_on_interrupt_with(move || what.to_string())
}

/// `say_on_interrupt` with what is said made at that moment (how far a batch job got).
fn say_on_interrupt_with(what: impl Fn() -> String + Send + 'static) -> CliResult {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])
        .map_err(|e| CliError::Io(format!("cannot watch for Ctrl-C: {e}")))?;
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            // A failed write (the terminal gone) must not keep the process from ending.
            let _ = writeln!(std::io::stderr(), "leadline: interrupted: {}", what());
            std::process::exit(128 + signal);
        }
    });
    Ok(())
}

fn print_report(r: &ImportReport, rejects_written: bool) -> Result<(), CliError> {
    if r.dry_run {
        let read = |e: std::io::Error| CliError::Io(format!("reading the dry run's list back: {e}"));
        for act in r.actions.iter().map_err(read)? {
            let act = act.map_err(read)?;
            let subject = if act.subject.is_empty() { String::new() } else { format!(" {}", safe(&act.subject)) };
            let detail = if act.detail.is_empty() { String::new() } else { format!(" ({})", safe(&act.detail)) };
            println!("line {}: {} {}{subject}{detail}", act.line, act.action, act.object);
        }
    }
    let how = match &r.preset {
        Some(p) => format!("{}, {} preset, {}", r.format.as_str(), p, r.encoding),
        None => format!("{}, {}", r.format.as_str(), r.encoding),
    };
    if r.already_imported {
        println!(
            "{} was already imported with these options; nothing to do ({how}; --again imports it once more). \
             The counts below are that import's.",
            safe(&r.file)
        );
        if r.rejects_total > 0 {
            // The rows it took are in; the ones it refused come back through a file of their own.
            println!("its rejected rows import from a rejects file (--rejects PATH writes it), once fixed");
        }
    } else if r.dry_run && r.resumed_from > 0 {
        println!(
            "dry run of {} ({how}), resuming after row {}: nothing was written to the database; the counts \
             below are the whole import's, with the rows the stopped run saved, and the lines above what is \
             still to do",
            safe(&r.file),
            r.resumed_from
        );
    } else if r.dry_run {
        println!("dry run of {} ({how}): nothing was written to the database", safe(&r.file));
    } else if r.resumed_from > 0 {
        println!(
            "imported {} ({how}), resuming after row {}; the counts below are the whole import's",
            safe(&r.file),
            r.resumed_from
        );
    } else {
        println!("imported {} ({how})", safe(&r.file));
    }
    if let (Some(is), Some(chosen)) = (&r.header_is, &r.preset) {
        println!(
            "note: the file's header is {is}'s, read as {chosen}'s as --preset says (--preset {is} reads it as such)"
        );
    }
    let mut t = Table::new(&["", "created", "merged", "updated", "skipped", "rejected"]);
    // The leads row shows even at zero, unless the file held other objects (a file of deals says so alone).
    let c = &r.counts;
    let others =
        [&c.outreach, &c.meetings, &c.deals, &c.tasks, &c.notes, &c.team, &c.inbox].iter().any(|t| !t.is_empty());
    let mut row = |name: &str, x: &Tally| {
        if !x.is_empty() || (name == "leads" && !others) {
            t.row(vec![
                name.into(),
                x.created.to_string(),
                x.merged.to_string(),
                x.updated.to_string(),
                x.skipped.to_string(),
                x.rejected.to_string(),
            ]);
        }
    };
    row("leads", &r.counts.leads);
    row("outreach", &r.counts.outreach);
    row("meetings", &r.counts.meetings);
    row("deals", &r.counts.deals);
    row("tasks", &r.counts.tasks);
    row("notes", &r.counts.notes);
    row("team", &r.counts.team);
    row("inbox", &r.counts.inbox);
    row("privacy", &r.counts.privacy);
    t.print();
    if r.counts.forgotten_left_out > 0 {
        println!(
            "{} {} named someone forgotten here (an address, number or profile): taken in without it",
            r.counts.forgotten_left_out,
            if r.counts.forgotten_left_out == 1 { "text" } else { "texts" }
        );
    }
    if r.counts.meetings_dropped > 0 {
        println!(
            "{} of the meetings updated {} dropped: the event was cancelled, or the lead declined it or was taken off it",
            r.counts.meetings_dropped,
            if r.counts.meetings_dropped == 1 { "was" } else { "were" }
        );
    }
    if r.counts.merge_candidates > 0 {
        println!(
            "{} possible duplicates staged (the same name at the same company, a lead's phone under another \
             name or with another e-mail, one record with the e-mails of two leads, or a merge the file records \
             of a lead that is one of its own here): review with `leadline dedupe`",
            r.counts.merge_candidates
        );
    }
    if r.counts.kept_values > 0 {
        let fields = if r.kept_fields.is_empty() { String::new() } else { format!(" in {}", r.kept_fields.join(", ")) };
        let (leads, differ, theirs) = match r.counts.kept_values {
            1 => ("lead", "differs", "the lead's"),
            _ => ("leads", "differ", "the leads'"),
        };
        println!(
            "{} matched {leads} {differ} from the file{fields}; {theirs} values were kept \
             (`--on-duplicate update` takes the file's)",
            r.counts.kept_values
        );
    }
    if r.rejects_total > 0 && !r.dry_run {
        println!("{} {} rejected:", r.rejects_total, plural(r.rejects_total as usize, "row"));
        for rej in r.rejects.iter().take(20) {
            println!("  {}", safe(&rej.to_string()));
        }
        match (r.rejects_total > 20, rejects_written) {
            (true, true) => println!("  ... and {} more (all are in the rejects file)", r.rejects_total - 20),
            (true, false) => println!("  ... and {} more (use --rejects PATH to get them all)", r.rejects_total - 20),
            _ => {}
        }
    }
    if !r.unknown_owners.is_empty() {
        println!(
            "owners who are not team members (their new leads are yours; leads here keep their owner): {} (`leadline team add NAME --email E` adds \
             a colleague before the import)",
            safe(&r.unknown_owners.join(", "))
        );
    }
    if !r.stages_placed.is_empty() {
        println!("deal stages not in your pipeline, placed as: {}", safe(&r.stages_placed.join(", ")));
    }
    let two_ways = r.counts.amounts_two_ways;
    if two_ways > 0 {
        // The examples are this run's: a finished import reported again, or resumed, lists fewer or none.
        let listed = r.amounts_read.len() as u64;
        let examples = match (listed, two_ways - listed) {
            (0, _) => String::new(),
            (_, 0) => format!(": {}", r.amounts_read.join("; ")),
            (_, more) => format!(" (and {more} more): {}", r.amounts_read.join("; ")),
        };
        println!("{two_ways} {} that read two ways{examples}", plural(two_ways as usize, "deal amount"));
    }
    let short = r.counts.short_rows;
    if short > 0 {
        let lines: Vec<String> = r.short_lines.iter().map(u64::to_string).collect();
        let listed = match (lines.len() as u64, short) {
            (0, _) => String::new(),
            (n, all) if n == all => format!(" (line {})", lines.join(", ")),
            (_, _) => format!(" (line {}, …)", lines.join(", ")),
        };
        println!(
            "{short} {} fewer values than the header{listed}: read with {} last columns empty; \
             where a value in the middle is missing, the rest went one column early: check {}",
            if short == 1 { "row has" } else { "rows have" },
            if short == 1 { "its" } else { "their" },
            if short == 1 { "it" } else { "them" },
        );
    }
    if !r.team_settings.is_empty() {
        println!("team: {}", safe(&r.team_settings.join("; ")));
    }
    if !r.unmatched.is_empty() {
        println!("attendees that match no lead: {}", safe(&r.unmatched.join(", ")));
    }
    if let Some(outside) = &r.outside_window {
        println!("{outside}");
    }
    if !r.ignored_columns.is_empty() {
        println!("columns not imported: {} (map them with --map COLUMN=FIELD)", safe(&r.ignored_columns.join(", ")));
    }
    if !r.partly_read_columns.is_empty() && !r.already_imported {
        println!(
            "columns read only to place phone numbers (a country) or find LinkedIn profiles (web pages), not kept \
             otherwise: {}",
            safe(&r.partly_read_columns.join(", "))
        );
    }
    if !r.unused_deal_columns.is_empty() {
        println!(
            "deal columns not used: {} (no deal name or amount column to make a deal of: --map one to deal_title \
             or deal_amount)",
            safe(&r.unused_deal_columns.join(", "))
        );
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to export (weekly: the playbook's weekly files, the week being the last 7 days up to now; privacy:
    /// the privacy log).
    #[arg(value_parser = super::Choices(&Object::EXPORT_WORDS))]
    what: String,
    /// csv (for spreadsheets; leads also import back), json or jsonl (every object imports back into
    /// leadline: use these to move data between databases).
    #[arg(long, default_value = "csv", value_parser = super::Choices(&ExportFormat::NAMES))]
    format: String,
    /// Write here (a directory for weekly); default, or `-`: standard output (weekly: ./weekly-YYYY-MM-DD).
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// Conditions, e.g. "tag=vip,source=linkedin,contactable=true" for leads (contactable: not opted out),
    /// "lead=ana@x.com,kind=email" for outreach; "owner=NAME" for deals and tasks, "by=NAME" (who logged or
    /// booked it) for outreach and meetings.
    #[arg(long = "where", value_name = "FILTER")]
    filter: Option<String>,
    /// Only rows created or changed since this time (e.g. "2026-01-01", "-7d", or "mon" from its start).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    since: Option<String>,
    /// The CSV separator: "," , ";" (what Excel expects in most of Europe) or "tab" (default: [export]
    /// csv_delimiter, a comma).
    #[arg(long, value_name = "SEP")]
    delimiter: Option<String>,
    /// Start the CSV with a UTF-8 byte-order mark, by which Excel knows its accents (default: [export] csv_bom).
    #[arg(long, overrides_with = "no_bom")]
    bom: bool,
    /// No byte-order mark, whatever [export] csv_bom says.
    #[arg(long, overrides_with = "bom")]
    no_bom: bool,
}

/// How this export's CSV is written: the flags, else the config. They say nothing of JSON, so they are
/// refused there rather than ignored.
fn csv_style(env: &Env, a: &ExportArgs, format: ExportFormat) -> CliResult<CsvStyle> {
    let given = [("--delimiter", a.delimiter.is_some()), ("--bom", a.bom), ("--no-bom", a.no_bom)];
    if format != ExportFormat::Csv
        && let Some((flag, _)) = given.iter().find(|(_, on)| *on)
    {
        return Err(CliError::Usage(format!("{flag} applies to CSV exports only, not --format {}", format.as_str())));
    }
    let mut style = env.config.csv_style()?;
    if let Some(d) = &a.delimiter {
        style.delimiter = super::flag(d, "--delimiter")?;
    }
    if a.bom || a.no_bom {
        style.bom = a.bom;
    }
    Ok(style)
}

pub fn export(env: &mut Env, a: ExportArgs) -> CliResult {
    let weekly = a.what.eq_ignore_ascii_case("weekly");
    // The weekly files are cut by fixed windows, for the whole team.
    if weekly && (a.filter.is_some() || a.since.is_some()) {
        let flag = if a.filter.is_some() { "--where" } else { "--since" };
        return Err(CliError::Usage(format!(
            "{flag} does not apply to the weekly export: its files cover the team over fixed windows (leads \
             new this week with a score of 6 or more, outreach of the last 30 days, this week's meetings and deals)"
        )));
    }
    if weekly && a.out.as_ref().is_some_and(|p| p.as_os_str() == "-") {
        return Err(CliError::Usage(
            "--out -: the weekly export is four files, written into a folder; name the folder".into(),
        ));
    }
    // Scores as `lead list` shows them (the weekly export picks leads by score).
    env.fresh_scores()?;
    let db = env.store.db();
    if weekly {
        let dir = a.out.clone().unwrap_or_else(|| {
            PathBuf::from(format!("weekly-{}", env.now().to_utc().with_timezone(&db.ctx.tz).format("%Y-%m-%d")))
        });
        let format: ExportFormat = super::flag(&a.format, "--format")?;
        let style = csv_style(env, &a, format)?;
        let stop = super::RemoveOnInterrupt::new()?;
        let scratch_in = |dir: &std::path::Path| {
            stop.watching(|| crate::io::paths::scratch_beside(dir, "export"), |f| vec![f.path().to_path_buf()])
        };
        let files = export::weekly(&db, &dir, format, style, &scratch_in).map_err(io_err)?;
        for f in files {
            println!("{}  {} rows", safe(&f.file), f.rows);
        }
        return Ok(());
    }
    let object: Object = super::flag(&a.what, "export")?;
    let format: ExportFormat = super::flag(&a.format, "--format")?;
    let style = csv_style(env, &a, format)?;
    let filter: Where = a.filter.as_deref().map(|w| super::flag(w, "--where")).transpose()?.unwrap_or_default();
    let since = a.since.as_deref().map(|s| env.since_time(s, "--since")).transpose()?;
    if since.is_some() && object == Object::Team {
        return Err(CliError::Usage("--since does not apply to the team: it is exported whole".into()));
    }
    export::check(&db, object, &filter).map_err(io_err)?;
    let write = |out: &mut dyn Write| -> CliResult<u64> {
        let io = |e: std::io::Error| CliError::Io(format!("cannot write the export: {e}"));
        let mut sink = Sink::styled(out, format, export::header(object), style).map_err(io)?;
        export::rows(&db, &mut sink, object, &filter, since, None).map_err(io_err)?;
        sink.finish().map_err(io)
    };
    // `-` is standard output, as `import -` reads standard input.
    match a.out.as_ref().filter(|p| p.as_os_str() != "-") {
        Some(path) => {
            let config = env.config_file.clone().unwrap_or_default();
            if let Some(why) = paths::clobbers(path, Some(env.store.path()), &[&config]) {
                return Err(CliError::Usage(format!("--out: {why}")));
            }
            // A device or a pipe is written as it is; a file's folder must be there.
            if !std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
                paths::writable(path).map_err(|why| CliError::Usage(format!("--out: {why}")))?;
            }
            let cannot = |e: &dyn std::fmt::Display| CliError::Io(format!("cannot write {}: {e}", path.display()));
            // Through a link, the file it points at; a device or a pipe (/dev/stdout, >(gzip)) is written as is.
            let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
            let existing = std::fs::metadata(&target).ok();
            let n = if existing.as_ref().is_some_and(|m| !m.is_file()) {
                let file = std::fs::OpenOptions::new().write(true).open(&target).map_err(|e| cannot(&e))?;
                write(&mut std::io::BufWriter::with_capacity(1 << 20, file))?
            } else {
                // Written beside the target and moved over it once whole: a failure leaves the old file as
                // it was. A file replaced keeps its permissions; a new one is the owner's only, like the
                // database it comes from.
                let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
                if !dir.is_dir() {
                    return Err(CliError::Io(format!("{}: folder {} does not exist", path.display(), dir.display())));
                }
                let stop = super::RemoveOnInterrupt::new()?;
                let file = stop.watching(
                    || crate::io::paths::scratch_beside(dir, "export").map_err(|e| cannot(&e)),
                    |file| vec![file.path().to_path_buf()],
                )?;
                if let Some(m) = &existing {
                    file.as_file().set_permissions(m.permissions()).map_err(|e| cannot(&e))?;
                }
                let mut buf = std::io::BufWriter::with_capacity(1 << 20, file);
                let n = write(&mut buf)?;
                let file = buf.into_inner().map_err(|e| cannot(&e.error().to_string()))?;
                file.persist(&target).map_err(|e| cannot(&e.error))?;
                n
            };
            eprintln!("{n} {} written to {}", a.what, path.display());
        }
        None => {
            let stdout = std::io::stdout();
            let mut buf = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
            write(&mut buf)?;
        }
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct DedupeArgs {
    /// Merge every pair listed without asking (the lead created first is kept; everything of both is kept).
    /// Without it, at a terminal, dedupe asks: all, each in turn, or none.
    #[arg(long)]
    apply: bool,
    /// Only pairs at least this sure (0-100). Listing shows every pair; --apply merges pairs from 50 on
    /// (two leads of different names, 40, are the rep's to decide).
    #[arg(long, value_parser = clap::value_parser!(i64).range(0..=100))]
    min_confidence: Option<i64>,
    /// Print the pairs (or the merges) as JSON.
    #[arg(long)]
    json: bool,
    /// Explain how this lead came to be one: the merges that folded other leads into it, when, by whom, why
    /// and what moved (a merged lead's old address finds it too).
    #[arg(long, value_name = "LEAD", conflicts_with_all = ["apply", "min_confidence"])]
    explain: Option<String>,
    /// List the pairs you said are two people (answering "n" at a terminal).
    #[arg(long, conflicts_with_all = ["apply", "min_confidence", "explain"])]
    two_people: bool,
    /// Take back that two leads are two people: the pair is listed again where it is a likely duplicate.
    #[arg(long, num_args = 2, value_names = ["LEAD", "LEAD"], conflicts_with_all = ["apply", "min_confidence", "explain", "two_people"])]
    reconsider: Option<Vec<String>>,
}

pub fn dedupe_cmd(env: &mut Env, a: DedupeArgs) -> CliResult {
    if let Some(lead) = &a.explain {
        return explain_merges(env, lead, a.json);
    }
    if a.two_people || a.reconsider.is_some() {
        return two_people_answers(env, &a);
    }
    let (found, crowds) = dedupe::find_with_crowds(
        &env.store.db(),
        Some(env.config.import.default_country.as_str()).filter(|c| !c.trim().is_empty()),
    )?;
    let mut found: Vec<dedupe::Candidate> =
        found.into_iter().filter(|c| c.confidence >= a.min_confidence.unwrap_or(0)).collect();
    say_crowds(&crowds);
    // The pairs the rep says, at the terminal, are two people.
    let mut two_people: Vec<dedupe::Candidate> = Vec::new();
    if a.apply && a.min_confidence.is_none() {
        let unsure = found.iter().filter(|c| c.confidence < dedupe::APPLY_FLOOR).count();
        if unsure > 0 {
            eprintln!(
                "{unsure} {} under {}% left as they are (`leadline dedupe` lists them; --min-confidence 0 merges \
                 them too)",
                plural(unsure, "pair"),
                dedupe::APPLY_FLOOR
            );
            found.retain(|c| c.confidence >= dedupe::APPLY_FLOOR);
        }
    }
    if !a.apply {
        if a.json {
            return print_json(&found);
        }
        if found.is_empty() {
            println!("no likely duplicates");
            return Ok(());
        }
        let mut t = Table::new(&["confidence", "reason", "lead", "same as"]);
        for c in &found {
            t.row(vec![format!("{}%", c.confidence), c.reason.clone(), c.a_label.clone(), c.b_label.clone()]);
        }
        t.print();
        // At a terminal the rep can merge right away, all at once or pair by pair; scripts use --apply.
        if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
            let unsure = found.iter().filter(|c| c.confidence < dedupe::APPLY_FLOOR).count();
            match unsure {
                0 => println!("{} {}; `leadline dedupe --apply` merges them", found.len(), plural(found.len(), "pair")),
                _ => println!(
                    "{} {}; `leadline dedupe --apply` merges those from {}% ({unsure} under it: --min-confidence 0 \
                     merges them too)",
                    found.len(),
                    plural(found.len(), "pair"),
                    dedupe::APPLY_FLOOR
                ),
            }
            return Ok(());
        }
        // "All" is what --apply merges: two leads of different names are the rep's to decide, one by one.
        let sure = found.iter().filter(|c| c.confidence >= dedupe::APPLY_FLOOR).count();
        let question = match sure {
            0 => format!("{} {}. Merge them? [e]ach in turn, [N]o: ", found.len(), plural(found.len(), "pair")),
            n if n == found.len() => {
                format!("{} {}. Merge them? [a]ll, [e]ach in turn, [N]o: ", found.len(), plural(found.len(), "pair"))
            }
            n => format!(
                "{} {}. Merge them? [a]ll {n} from {}% (the rest stay listed), [e]ach in turn, [N]o: ",
                found.len(),
                plural(found.len(), "pair"),
                dedupe::APPLY_FLOOR
            ),
        };
        (found, two_people) = match ask(&question)?.as_deref() {
            Some("a" | "all") if sure > 0 => {
                (found.into_iter().filter(|c| c.confidence >= dedupe::APPLY_FLOOR).collect(), Vec::new())
            }
            Some("e" | "each") => confirm_each(found)?,
            _ => {
                println!("nothing merged");
                return Ok(());
            }
        };
    }
    say_on_interrupt("nothing was merged (the merges are saved together at the end); run it again")?;
    let dedupe::MergedList { merges: outcomes, gone, held } = env.store.write(|db| {
        for c in &two_people {
            dedupe::dismiss(db, c)?;
        }
        dedupe::merge_listed(db, &found)
    })?;
    if !two_people.is_empty() {
        eprintln!("{} {} said to be two people: not listed again", two_people.len(), plural(two_people.len(), "pair"));
    }
    for (a, b) in &held {
        eprintln!(
            "not merged: {a} and {b}, which earlier pairs of this run would have made one, were said to be two \
             people (`leadline dedupe --reconsider {a} {b}` takes that back)"
        );
    }
    if gone > 0 {
        eprintln!(
            "{gone} {} no longer stood as listed: one of its leads was removed or forgotten since the list was made \
             (`leadline dedupe` lists what is left)",
            plural(gone, "pair")
        );
    }
    if a.json {
        return print_json(&outcomes);
    }
    for m in &outcomes {
        println!("merged {} into {}", m.merged, m.kept);
    }
    println!("{} merge{}", outcomes.len(), if outcomes.len() == 1 { "" } else { "s" });
    Ok(())
}

/// `dedupe --two-people` (the pairs the rep said are two people) and `--reconsider LEAD LEAD` (take one back).
fn two_people_answers(env: &mut Env, a: &DedupeArgs) -> CliResult {
    if let Some(pair) = &a.reconsider {
        let taken_back = env.store.write(|db| {
            let (x, y) = (leads::resolve(db, &pair[0])?, leads::resolve(db, &pair[1])?);
            dedupe::reconsider(db, &x, &y)
        })?;
        match taken_back {
            true => println!("taken back: the pair is listed again where it is a likely duplicate"),
            false => {
                return Err(CliError::Usage(
                    "these two leads are not a pair said to be two people (`leadline dedupe --two-people` lists them)"
                        .into(),
                ));
            }
        }
        return Ok(());
    }
    let pairs = dedupe::two_people(&env.store.db())?;
    if a.json {
        return print_json(&pairs);
    }
    if pairs.is_empty() {
        println!("no pair said to be two people");
        return Ok(());
    }
    let mut t = Table::new(&["reason", "lead", "and", "ids"]);
    for c in &pairs {
        t.row(vec![c.reason.clone(), c.a_label.clone(), c.b_label.clone(), format!("{} {}", c.a, c.b)]);
    }
    t.print();
    println!("`leadline dedupe --reconsider LEAD LEAD` takes one back");
    Ok(())
}

/// Names too many leads at one company have to be paired, said rather than left out unseen: a placeholder
/// ("Accounts Payable"), or one person brought in many times, whom the rep merges by hand.
fn say_crowds(crowds: &[dedupe::Crowd]) {
    const SHOWN: usize = 5;
    if crowds.is_empty() {
        return;
    }
    let n = crowds.len();
    let mut names: Vec<String> =
        crowds.iter().take(SHOWN).map(|c| format!("{} ({} leads)", safe(&c.example), c.leads)).collect();
    if n > SHOWN {
        names.push(format!("and {} more", n - SHOWN));
    }
    eprintln!(
        "note: {n} {} held by more than {} leads at one company, too many to pair (a placeholder such as \
         \"Accounts Payable\", or one person brought in many times: `leadline search NAME` finds them): {}",
        if n == 1 { "name is" } else { "names are each" },
        dedupe::SWITCHBOARD,
        names.join("; ")
    );
}

/// `dedupe --explain`: the merges a lead is made of, oldest first.
fn explain_merges(env: &mut Env, lead: &str, json: bool) -> CliResult {
    let db = env.store.db();
    let id = leads::resolve_or_survivor(&db, lead)?;
    let merges = dedupe::history(&db, &id)?;
    if json {
        return print_json(&merges);
    }
    let name = leads::get(&db, &id)?.label();
    if merges.is_empty() {
        println!("{}: no lead was merged into this one", safe(&name));
        return Ok(());
    }
    println!("{}: {} {}", safe(&name), merges.len(), plural(merges.len(), "merge"));
    let tz = env.store.ctx().tz;
    for m in &merges {
        let who = match &m.merged_email {
            Some(e) => format!("{} <{e}>", m.merged_name),
            None => m.merged_name.clone(),
        };
        let into =
            if m.kept_id == id.as_str() { String::new() } else { format!(" (into {}, merged here later)", m.kept_id) };
        let by = m.by.as_deref().map(|b| format!(" by {b}")).unwrap_or_default();
        println!(
            "{}{by}: {} merged{into}: {} ({}% sure)",
            m.created_at.local(tz),
            safe(&who),
            safe(&m.reason),
            m.confidence
        );
        let filled: Vec<&str> =
            m.details["filled"].as_array().into_iter().flatten().filter_map(|f| f.as_str()).collect();
        if !filled.is_empty() {
            println!("  filled: {}", safe(&filled.join(", ")));
        }
        let aside: Vec<&str> =
            m.details["kept_in_notes"].as_array().into_iter().flatten().filter_map(|f| f.as_str()).collect();
        if !aside.is_empty() {
            println!("  theirs, kept in the notes: {}", safe(&aside.join(", ")));
        }
        let moved: Vec<String> = m.details["moved"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| v.as_u64().filter(|n| *n > 0).map(|n| format!("{n} {k}")))
            .collect();
        if !moved.is_empty() {
            println!("  moved: {}", safe(&moved.join(", ")));
        }
    }
    Ok(())
}

/// The pairs the rep says yes to, and those they say are two people, asked one at a time: [y]es, [n]o (two
/// people: not listed again), Enter (ask again next time), [q]uit (stop asking, merge the yeses).
fn confirm_each(found: Vec<dedupe::Candidate>) -> Result<(Vec<dedupe::Candidate>, Vec<dedupe::Candidate>), CliError> {
    let (mut yes, mut no) = (Vec::new(), Vec::new());
    for c in found {
        let question = format!(
            "{} ({}%): {}  =  {}? [y]es, [n]o (two people), Enter: skip, [q]uit ",
            c.reason, c.confidence, c.a_label, c.b_label
        );
        match ask(&question)?.as_deref() {
            Some("y" | "yes") => yes.push(c),
            Some("n" | "no") => no.push(c),
            // The end of input (Ctrl-D) stops asking, as q does: what is typed next is not an answer.
            Some("q" | "quit") | None => break,
            Some(_) => {}
        }
    }
    Ok((yes, no))
}

/// One answer from the terminal, trimmed and lower-cased (None at the end of input).
fn ask(prompt: &str) -> Result<Option<String>, CliError> {
    print!("{prompt}");
    std::io::stdout().flush().map_err(|e| CliError::Io(e.to_string()))?;
    let mut line = String::new();
    if std::io::stdin().read_line(&mut line).map_err(|e| CliError::Io(e.to_string()))? == 0 {
        println!();
        return Ok(None);
    }
    Ok(Some(line.trim().to_lowercase()))
}

#[derive(Debug, Args)]
pub struct LinkArgs {
    /// The lead the link is for (id, e-mail or name).
    lead: String,
    #[arg(long)]
    url: String,
    /// utm_source: linkedin, email, whatsapp, ... (default: the lead's source when it is a channel a message
    /// goes out on, such as linkedin, whatsapp or telegram; else email).
    #[arg(long)]
    channel: Option<String>,
    /// utm_campaign, e.g. dm_outreach_v2.
    #[arg(long)]
    campaign: Option<String>,
    /// utm_content: the message variant (A becomes variant_A).
    #[arg(long)]
    variant: Option<String>,
    /// Print `{"lead", "url"}`.
    #[arg(long)]
    json: bool,
}

/// Lead sources that are channels a message goes out on: a link for such a lead is tagged with it.
const MESSAGE_CHANNELS: [&str; 9] =
    ["linkedin", "email", "whatsapp", "telegram", "slack", "sms", "instagram", "facebook", "twitter"];

pub fn link(env: &mut Env, a: LinkArgs) -> CliResult {
    let db = env.store.db();
    let id = leads::resolve(&db, &a.lead)?;
    privacy::can_contact(&db, &id)?;
    let lead = leads::get(&db, &id)?;
    // A channel leadline knows is spelt one way, as the default from the lead's source is: "LinkedIn" and
    // "linkedin" would count as two sources. Any other is kept as typed.
    let known = |c: String| {
        let lower = c.trim().to_lowercase();
        if MESSAGE_CHANNELS.contains(&lower.as_str()) { lower } else { c }
    };
    let channel = a
        .channel
        .clone()
        .map(known)
        .or_else(|| lead.source.map(|s| s.to_lowercase()).filter(|s| MESSAGE_CHANNELS.contains(&s.as_str())))
        .unwrap_or_else(|| "email".into());
    let tags = LinkTags { channel, campaign: a.campaign, variant: a.variant, lead_id: id.0.clone() };
    let url = links::tracking_link(&a.url, &tags)?;
    if a.json {
        return print_json(&serde_json::json!({ "lead": id, "url": url }));
    }
    println!("{url}");
    Ok(())
}

#[derive(Debug, Args)]
pub struct ForgetArgs {
    /// The lead whose personal data is erased (id, e-mail or name).
    lead: String,
    /// Why (e.g. "erasure request 2026-03-02"); recorded in the privacy log.
    #[arg(long, allow_hyphen_values = true)]
    reason: Option<String>,
    #[arg(long)]
    json: bool,
}

pub fn forget(env: &mut Env, a: ForgetArgs) -> CliResult {
    // The erasure is one short transaction: Ctrl-C in the middle of it would leave the rep not knowing
    // whether it was done. It is finished and said, and the Ctrl-C with it (a second one ends the process).
    let interrupted = stop_on_interrupt()?;
    let erased = env.store.write(|db| {
        // A lead removed from the lists is still in the file: it can be forgotten too.
        let id = match leads::resolve(db, &a.lead) {
            Err(crate::store::StoreError::NotFound { .. }) => leads::resolve_removed(db, &a.lead),
            other => other,
        };
        // An address of someone forgotten already is refused as such, as their id is: not as one never
        // known (run twice, or stopped just after it was saved, the request is done).
        let id = match id {
            Err(e @ crate::store::StoreError::NotFound { .. }) => {
                match crate::store::forgotten::forgotten_at(db, &a.lead)? {
                    Some(at) => {
                        return Err(crate::store::StoreError::Refused(format!(
                            "the person with this address was already forgotten ({}): nothing of them is left to \
                             erase",
                            at.local(db.ctx.tz)
                        )));
                    }
                    None => return Err(e),
                }
            }
            other => other?,
        };
        privacy::forget(db, &id, a.reason.as_deref())
    })?;
    if interrupted.load(std::sync::atomic::Ordering::Relaxed) {
        eprintln!("note: Ctrl-C came while the erasure was being saved: it is saved whole, as said below");
    }
    if !env.store.flush_log()? {
        eprintln!("{}", privacy::FLUSH_HELD_BACK);
    }
    if a.json {
        return print_json(&erased);
    }
    let closed = match erased.deals_closed {
        0 => String::new(),
        n => format!(", {n} open {} closed as lost", plural(n, "deal")),
    };
    println!(
        "{}: personal data erased ({} outreach, {} notes, {} meetings, {} deals, {} tasks, {} inbox items kept as counts{closed}); \
         their addresses are refused from now on (`leadline privacy allow` if they come back)",
        erased.lead, erased.outreach, erased.notes, erased.meetings, erased.deals, erased.tasks, erased.inbox
    );
    if erased.reason_edited {
        eprintln!("note: the reason named the person: the privacy log keeps it without their name, address and number");
    }
    if erased.named_elsewhere > 0 {
        eprintln!(
            "note: {} {} of other leads named the person (a note, a touch, a task): written without their name, \
             address and number",
            erased.named_elsewhere,
            plural(erased.named_elsewhere, "record")
        );
    }
    for other in &erased.staged_with {
        eprintln!(
            "note: lead {other} was staged as a possible duplicate of this person and still holds its own data; \
             `leadline forget {other}` if it is them"
        );
    }
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum PrivacyCmd {
    /// Anonymise leads inactive for [privacy] anonymize_after_months; customers are kept until churned.
    Run {
        /// List who would be anonymised (and their open deals closed as lost), change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Override the configured number of months (1 or more).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        months: Option<u32>,
        #[arg(long)]
        json: bool,
    },
    /// Opt a lead out of all messages (recorded with when and why).
    OptOut {
        lead: String,
        #[arg(long, allow_hyphen_values = true)]
        reason: Option<String>,
    },
    /// Opt a lead back in (recorded with when and why).
    OptIn {
        lead: String,
        #[arg(long, allow_hyphen_values = true)]
        reason: Option<String>,
    },
    /// Can a message go out to this lead? Exit code 1 with the reason if not.
    Check {
        lead: String,
        /// Print `{"lead", "may_contact", "reason"}` (the exit code stays 1 when it may not).
        #[arg(long)]
        json: bool,
    },
    /// Let in again the address (an e-mail, a LinkedIn profile or a phone number) of someone who was
    /// forgotten and came back of their own accord (imports and commands refuse it until then).
    Allow { email: String },
    /// The privacy log, newest first: every opt-out, opt-in, erasure, anonymisation and address let in
    /// again, with when, who and why.
    Log {
        /// Only this lead's entries (and those of the leads merged into it).
        lead: Option<String>,
        #[arg(long, default_value_t = 100, value_parser = super::at_least_one)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
}

pub fn privacy_cmd(env: &mut Env, c: PrivacyCmd) -> CliResult {
    match c {
        PrivacyCmd::Run { dry_run, months, json } => {
            let months = months.unwrap_or(env.config.privacy.anonymize_after_months);
            if months == 0 {
                return Err(CliError::Usage(
                    "retention is off: set [privacy] anonymize_after_months in the config, or pass --months".into(),
                ));
            }
            let list = if dry_run {
                privacy::inactive(&env.store.db(), months)?
            } else {
                // Ctrl-C stops the run between batches, so what is said to be done is what was saved.
                let interrupted = stop_on_interrupt()?;
                let mut done = Vec::new();
                let batch_done = |batch: Vec<privacy::Inactive>| {
                    done.extend(batch);
                    !interrupted.load(std::sync::atomic::Ordering::Relaxed)
                };
                let ran = privacy::anonymize_inactive(&mut env.store, months, batch_done);
                if matches!(ran, Ok(false)) {
                    let n = done.len();
                    return Err(CliError::Interrupted(format!(
                        "interrupted: {n} {} anonymised so far stay so; run it again to do the rest",
                        plural(n, "lead")
                    )));
                }
                if let Err(e) = ran {
                    if !done.is_empty() {
                        eprintln!(
                            "leadline: {} {} anonymised before the run stopped; run it again to do the rest",
                            done.len(),
                            plural(done.len(), "lead")
                        );
                    }
                    return Err(e.into());
                }
                if interrupted.load(std::sync::atomic::Ordering::Relaxed) {
                    eprintln!("note: Ctrl-C came as the last batch was saved: the run is done whole");
                }
                if !env.store.flush_log()? {
                    eprintln!("{}", privacy::FLUSH_HELD_BACK);
                }
                done
            };
            if json {
                return print_json(&list);
            }
            let tz = env.store.ctx().tz;
            let closed = if dry_run { "would be closed as lost" } else { "closed as lost" };
            let deals = |n: i64| format!("; {n} open {} {closed}", plural(n as usize, "deal"));
            for l in &list {
                let open = if l.open_deals > 0 { deals(l.open_deals) } else { String::new() };
                println!("{}  {}  last activity {}{open}", l.id, safe(&l.name), l.last_activity.local(tz));
            }
            let verb = if dry_run { "would be anonymised" } else { "anonymised" };
            let open: i64 = list.iter().map(|l| l.open_deals).sum();
            println!(
                "{} {} {verb} (no activity for {months} {}){}",
                list.len(),
                plural(list.len(), "lead"),
                plural(months as usize, "month"),
                if open > 0 { deals(open) } else { String::new() }
            );
            Ok(())
        }
        PrivacyCmd::OptOut { lead, reason } => {
            let id = env.store.write(|db| {
                let id = leads::resolve(db, &lead)?;
                privacy::set_opt_out(db, &id, true, reason)?;
                Ok(id)
            })?;
            println!("{id}");
            Ok(())
        }
        PrivacyCmd::OptIn { lead, reason } => {
            let id = env.store.write(|db| {
                let id = leads::resolve(db, &lead)?;
                privacy::set_opt_out(db, &id, false, reason)?;
                Ok(id)
            })?;
            println!("{id}");
            Ok(())
        }
        PrivacyCmd::Check { lead, json } => {
            let db = env.store.db();
            let id = leads::resolve(&db, &lead)?;
            let refusal = match privacy::can_contact(&db, &id) {
                Ok(()) => None,
                Err(crate::store::StoreError::Refused(reason)) => Some(reason),
                Err(e) => return Err(e.into()),
            };
            if json {
                let verdict = serde_json::json!({ "lead": id, "may_contact": refusal.is_none(), "reason": refusal });
                print_json(&verdict)?;
            } else if refusal.is_none() {
                println!("ok: {id} may be contacted");
            }
            match refusal {
                Some(reason) => Err(crate::store::StoreError::Refused(reason).into()),
                None => Ok(()),
            }
        }
        PrivacyCmd::Allow { email } => {
            if env.store.write(|db| crate::store::forgotten::allow(db, &email))? {
                println!("{} may be added again", email.trim());
            } else {
                println!("{} was not refused: no forgotten person had it", email.trim());
            }
            Ok(())
        }
        PrivacyCmd::Log { lead, limit, json } => {
            let db = env.store.db();
            let lead = lead.map(|l| leads::resolve_or_survivor(&db, &l)).transpose()?;
            let entries =
                super::cut_to_limit(privacy::log_entries(&db, lead.as_ref(), limit.saturating_add(1))?, limit);
            if json {
                return print_json(&entries);
            }
            let tz = env.store.ctx().tz;
            if entries.is_empty() {
                println!("no privacy actions recorded");
                return Ok(());
            }
            let mut t = Table::new(&["WHEN", "ACTION", "LEAD", "NAME", "BY", "REASON"]).last_whole();
            let with_lead: Vec<&str> = entries.iter().filter_map(|e| e.live_lead().map(LeadId::as_str)).collect();
            let mut short = crate::store::short_ids(&db, "leads", &with_lead)?.into_iter();
            for e in &entries {
                let lead_id = if e.live_lead().is_some() { short.next() } else { None };
                t.row(vec![
                    e.at.local(tz).to_string(),
                    e.action.clone(),
                    lead_id.unwrap_or_else(|| "-".into()),
                    e.lead.clone().unwrap_or_default(),
                    e.by.clone().unwrap_or_default(),
                    match e.reason.clone() {
                        // An opt-out or an erasure is recorded with why: one without is said to have been
                        // given none, unless it went with the rest of a forgotten person's data.
                        None if e.reason_erased => "(erased)".into(),
                        None if matches!(e.action.as_str(), "opt_out" | "forget") => "(none given)".into(),
                        reason => reason.unwrap_or_default(),
                    },
                ]);
            }
            t.print();
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_window_ends_with_a_whole_day_only_when_no_time_is_given() {
        for day in ["2026-12-31", "tomorrow", "fri"] {
            assert!(super::names_a_day(day), "{day}");
        }
        for time in ["2026-12-31 17", "2026-12-31 17:00", "tomorrow 9", "+3d", "now", "2026-12-31T17:00:00Z"] {
            assert!(!super::names_a_day(time), "{time}");
        }
    }
}
