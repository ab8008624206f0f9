//! The scriptable command line: clap definitions and one module per command group.
//! Read commands print a table, or JSON with `--json`; write commands print the id they wrote.

mod automate;
mod deal;
mod io;
mod lead;
mod log;
mod meeting;
mod misc;
pub mod output;
mod score;
mod task;
mod team;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{Config, ConfigError, Paths};
use crate::domain::{Clock, Timestamp, ValidationError, time::parse_time};
use crate::store::{Store, StoreError};

#[derive(Debug, Parser)]
#[command(name = "leadline", version, about = "A local-first CRM for sales reps that lives in the terminal")]
pub struct Cli {
    /// The database file (default: the platform's data directory).
    #[arg(long, global = true, env = "LEADLINE_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The config file (default: the platform's config directory).
    #[arg(long, global = true, env = "LEADLINE_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Open the terminal UI on a fresh demo database in a temporary directory.
    #[arg(long)]
    pub demo: bool,
    /// Log level: of the terminal UI's log file in the state directory (default info), or of a command's
    /// trace on stderr (none unless given, or LEADLINE_LOG set).
    #[arg(long, global = true, value_name = "LEVEL", value_parser = ["error", "warn", "info", "debug", "trace"])]
    pub log_level: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fill the database with realistic demo data.
    Demo(misc::DemoArgs),
    /// Add, list, show, edit, remove leads; record offline contact.
    #[command(subcommand)]
    Lead(lead::LeadCmd),
    /// Log a touch: platform, email, call, social or messenger.
    Log(log::LogArgs),
    /// Remove a touch logged by mistake (on the wrong lead, say): the lead's last contact, score and
    /// follow-ups are as if it had not been logged.
    Unlog(log::UnlogArgs),
    /// Schedule meetings and mark them attended or no-show.
    #[command(subcommand)]
    Meeting(meeting::MeetingCmd),
    /// Create deals and move them through the pipeline.
    #[command(subcommand)]
    Deal(deal::DealCmd),
    /// Follow-up tasks: add, list, done, reopen, snooze.
    #[command(subcommand)]
    Task(task::TaskCmd),
    /// Add a note to a lead.
    Note(misc::NoteArgs),
    /// Full-text search over leads (names, e-mail, phone, company, title, tags).
    Search(misc::SearchArgs),
    /// Show the inbox of replies and notices.
    Inbox(misc::InboxArgs),
    /// Configuration.
    #[command(subcommand)]
    Config(misc::ConfigCmd),
    /// Print shell completions.
    Completions(misc::CompletionsArgs),
    /// Make a consistent copy of the database.
    Backup(misc::BackupArgs),
    /// Import leads (CSV from any CRM, vCard), meetings (iCalendar), or what a leadline export wrote (JSON,
    /// JSONL).
    Import(io::ImportArgs),
    /// Export leads, outreach, meetings, deals, tasks, notes, the inbox, the team or the privacy log (CSV,
    /// JSON, JSONL), or the weekly files.
    Export(io::ExportArgs),
    /// List likely duplicate leads, and merge them with --apply.
    Dedupe(io::DedupeArgs),
    /// Print a tracking link (UTM parameters and lead id) for a lead.
    Link(io::LinkArgs),
    /// Erase a lead's personal data (right to be forgotten), keeping counts for reports.
    Forget(io::ForgetArgs),
    /// Opt-outs and retention.
    #[command(subcommand)]
    Privacy(io::PrivacyCmd),
    /// Lead scores: the ranking, one lead's score explained, or a full recompute.
    Score(score::ScoreArgs),
    /// Automations: run the time-based rules (cron-friendly), list the rules.
    #[command(subcommand)]
    Automate(automate::AutomateCmd),
    /// The team: members and what they own, adding a colleague, the time zone.
    #[command(subcommand)]
    Team(team::TeamCmd),
}

/// An error on its way to stderr, with the exit code it earns.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// A flag combination that makes no sense: exit code 2, like clap's own usage errors.
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Io(String),
    /// Stopped by Ctrl-C: exit code 130, as a shell gives a command ended by SIGINT.
    #[error("{0}")]
    Interrupted(String),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            CliError::Interrupted(_) => 130,
            _ => 1,
        }
    }
}

pub type CliResult<T = ()> = Result<T, CliError>;

/// What every command needs: the loaded config and the open store.
pub struct Env {
    pub config: Config,
    /// Where the config came from (a file no output may overwrite).
    pub config_file: Option<PathBuf>,
    pub store: Store,
    /// A dry run into a database not there yet runs on a throwaway one made in here (`Missing::Rehearse`).
    _rehearsal: Option<tempfile::TempDir>,
}

/// What opening does about a database that is not there yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Make,
    /// A mistyped path, most likely: said, nothing made (`makes_a_database`).
    Refuse,
    /// A dry run: it writes nothing, so it makes nothing either, and runs on a throwaway database.
    Rehearse,
}

impl Env {
    pub fn now(&self) -> Timestamp {
        self.store.now()
    }

    /// Scores as of now before a command shows them: the time-based terms ("active in the last 7 days",
    /// overdue tasks) move with the clock, so the few leads whose terms changed since the last refresh are
    /// rescored first, as `automate run` and the TUI's timer do. At most once a minute; a database that
    /// cannot be written (a read-only copy) shows its scores as stored.
    pub fn fresh_scores(&mut self) -> CliResult {
        const AT_MOST_EVERY_MS: i64 = 60_000;
        let now = self.now();
        let (scorer, _) = crate::engine::rules(&self.config)?;
        let last = crate::scoring::facts::refreshed_at(&self.store.db())?;
        let under = crate::scoring::facts::scored_under(&self.store.db(), &scorer)?;
        let these = under == crate::scoring::facts::ScoredUnder::These;
        if these && last.is_some_and(|t| (0..AT_MOST_EVERY_MS).contains(&(now.0 - t.0))) {
            return Ok(());
        }
        // A writer at work (an import) is not waited for: the scores are shown as stored this once.
        let _ = self.store.conn().busy_timeout(std::time::Duration::ZERO);
        let refreshed = self.store.write(|db| crate::scoring::refresh_time_based(db, &scorer));
        let _ = crate::store::wait_for_writers(self.store.conn());
        match refreshed {
            Err(e) => tracing::warn!(error = %e, "scores shown as stored"),
            Ok(_) if last.is_some() && under == crate::scoring::facts::ScoredUnder::Older => {
                eprintln!(
                    "note: the scoring rules changed since the scores were computed; every lead was scored again"
                );
            }
            Ok(r) if r.rules_elsewhere => eprintln!("note: {}", crate::scoring::facts::RULES_ELSEWHERE),
            Ok(_) => {}
        }
        Ok(())
    }

    /// Parses a time as typed, in the team's zone. A flag's value that is not a time is a usage error
    /// (exit 2), as clap's own are.
    pub fn time(&self, input: &str, flag: &str) -> CliResult<Timestamp> {
        parse_time(input, self.now(), self.store.ctx().tz)
            .map_err(|e| CliError::Usage(ValidationError { field: flag.to_string(), ..e }.to_string()))
    }

    /// `time` for when a task is due (`--due`, `--until`): a date alone is due at the working day's start.
    pub fn due_time(&self, input: &str, flag: &str) -> CliResult<Timestamp> {
        crate::domain::time::parse_due(input, self.now(), self.store.ctx().tz)
            .map_err(|e| CliError::Usage(ValidationError { field: flag.to_string(), ..e }.to_string()))
    }

    /// `time` for a flag that names a time gone by (`log --at`): a weekday is the last one.
    pub fn past_time(&self, input: &str, flag: &str) -> CliResult<Timestamp> {
        crate::domain::time::parse_past_time(input, self.now(), self.store.ctx().tz)
            .map_err(|e| CliError::Usage(ValidationError { field: flag.to_string(), ..e }.to_string()))
    }

    /// `time` for where a listing starts (`--since`): a named day from its first instant, never ahead.
    pub fn since_time(&self, input: &str, flag: &str) -> CliResult<Timestamp> {
        crate::domain::time::parse_since(input, self.now(), self.store.ctx().tz)
            .map_err(|e| CliError::Usage(ValidationError { field: flag.to_string(), ..e }.to_string()))
    }
}

/// Loads the config layers: an explicit `--config` must exist; the default location may not.
pub fn load_config(cli: &Cli) -> CliResult<Config> {
    match config_path(cli) {
        Some(path) => Ok(Config::load(Some(&path), cli.config.is_some())?),
        None => Ok(Config::load(None, false)?),
    }
}

/// A flag whose value is one of these words: shells complete them and `--help` lists them. The value is
/// checked where it is read (`flag`), which also takes the spellings reps type (`last_contact`, `NDJSON`).
#[derive(Debug, Clone, Copy)]
pub struct Choices(pub &'static [&'static str]);

impl clap::builder::TypedValueParser for Choices {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(self.0.iter().map(|v| clap::builder::PossibleValue::new(*v))))
    }
}

/// A flag's value read as what it names: a value that is not one of its choices is a usage error (exit
/// 2), as clap's own are.
pub fn flag<T: std::str::FromStr<Err = crate::domain::ValidationError>>(value: &str, name: &str) -> CliResult<T> {
    value
        .parse()
        .map_err(|e: crate::domain::ValidationError| CliError::Usage(format!("{name} '{}' {}", e.value, e.reason)))
}

/// The store's refusal of a value a flag gave, said of the flag (`--at`, not `occurred_at`).
pub fn of_flag(e: StoreError, field: &str, flag: &str) -> CliError {
    match e {
        StoreError::Invalid(v) if v.field == field => CliError::Invalid(ValidationError { field: flag.into(), ..v }),
        other => other.into(),
    }
}

/// A list read one row past its `--limit`: cut back to the limit, saying so on stderr when there was more
/// (stdout, JSON included, stays the list).
pub fn cut_to_limit<T>(mut rows: Vec<T>, limit: usize) -> Vec<T> {
    if rows.len() > limit {
        rows.truncate(limit);
        eprintln!("note: the first {limit} shown; pass --limit N for more");
    }
    rows
}

/// A count such as `--limit`: a whole number of at least one (a list of none is a typo).
pub fn at_least_one(value: &str) -> Result<usize, String> {
    match value.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("must be a whole number of at least 1".into()),
    }
}

/// A problem found in the config as a whole, said to be in the file it came from (when there is one).
pub fn in_config_file(cli: &Cli, e: crate::config::ConfigError) -> CliError {
    // Values for the UI set by variables may be the ones at fault: the one the message is about is named,
    // and the file is not.
    let ui_vars: Vec<String> = std::env::vars()
        .map(|(k, _)| k)
        .filter(|k| k.starts_with("LEADLINE_UI__") || k.starts_with("LEADLINE_KEYMAP__"))
        .collect();
    if let crate::config::ConfigError::Invalid(message) = &e
        && let Some(var) = ui_vars.iter().find(|v| {
            let path = v["LEADLINE_".len()..].to_lowercase().replace("__", ".");
            message.starts_with(&format!("{path}:")) || path.starts_with(message.split(':').next().unwrap_or("-"))
        })
    {
        return crate::config::ConfigError::Env { var: var.clone(), message: message.clone() }.into();
    }
    let from_env = !ui_vars.is_empty();
    match (e, config_path(cli).filter(|p| p.is_file() && !from_env)) {
        (crate::config::ConfigError::Invalid(message), Some(path)) => {
            let message = match std::fs::read_to_string(&path) {
                Ok(text) => crate::config::with_line(&text, &message),
                Err(_) => message,
            };
            crate::config::ConfigError::File { path: path.display().to_string(), message }.into()
        }
        (e, _) => e.into(),
    }
}

/// The config file in use: the one named, else the platform's.
pub fn config_path(cli: &Cli) -> Option<PathBuf> {
    cli.config.clone().or_else(|| Paths::platform().map(|p| p.config_file))
}

/// The clock: the system's, unless `LEADLINE_NOW` fixes it (for scripts and reproducible tests).
pub fn clock_from_env() -> CliResult<Clock> {
    match std::env::var("LEADLINE_NOW") {
        Ok(v) if !v.trim().is_empty() => {
            let t = chrono::DateTime::parse_from_rfc3339(v.trim())
                .map_err(|_| CliError::Invalid(ValidationError::new("LEADLINE_NOW", &v, "is not an RFC 3339 time")))?;
            Ok(Clock::Fixed(Timestamp(t.timestamp_millis())))
        }
        _ => Ok(Clock::System),
    }
}

pub fn database_path(cli: &Cli) -> CliResult<PathBuf> {
    match &cli.db {
        // A database named on purpose lives in a folder that exists: a mistyped folder is an error, not a
        // new empty CRM (the default folder is made on first use).
        Some(p) => match p.parent().filter(|d| !d.as_os_str().is_empty()) {
            Some(dir) if !dir.is_dir() => Err(CliError::Io(format!(
                "--db {}: folder {} does not exist (create it first, or check the path)",
                p.display(),
                dir.display()
            ))),
            _ => Ok(p.clone()),
        },
        None => Paths::platform()
            .map(|p| p.database)
            .ok_or_else(|| CliError::Usage("no home directory found; pass --db PATH".into())),
    }
}

/// While it lives, Ctrl-C, SIGTERM or a closed terminal (SIGHUP) removes the files it watches (a result half written) and ends the
/// command with the shell's code for that signal: nothing half-written, personal data maybe, is left behind.
/// Made before the files are, so no signal falls between.
pub(crate) struct RemoveOnInterrupt {
    handle: Option<signal_hook::iterator::Handle>,
    thread: Option<std::thread::JoinHandle<()>>,
    paths: std::sync::Arc<std::sync::Mutex<Vec<PathBuf>>>,
}

impl RemoveOnInterrupt {
    pub(crate) fn new() -> CliResult<Self> {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        // Started under `nohup`, a closed terminal is to be ignored, as the rep asked: not watched.
        let watched: &[i32] = if hangup_ignored() { &[SIGINT, SIGTERM] } else { &[SIGINT, SIGTERM, SIGHUP] };
        let mut signals = signal_hook::iterator::Signals::new(watched).map_err(|e| CliError::Io(e.to_string()))?;
        let handle = signals.handle();
        let paths = std::sync::Arc::new(std::sync::Mutex::new(Vec::<PathBuf>::new()));
        let watched = paths.clone();
        let thread = std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                for p in watched.lock().map(|p| p.clone()).unwrap_or_default() {
                    let _ = std::fs::remove_file(p);
                }
                // Said, as every other way a command ends is. After a hang-up the terminal is gone and the
                // write fails: ignored (`eprintln!` would panic here, and the exit below never come).
                let name = signal_hook::low_level::signal_name(signal).unwrap_or("a signal");
                let _ = std::io::Write::write_fmt(
                    &mut std::io::stderr(),
                    format_args!("leadline: interrupted ({name}): the file it was writing is removed\n"),
                );
                std::process::exit(128 + signal);
            }
        });
        Ok(Self { handle: Some(handle), thread: Some(thread), paths })
    }

    /// Makes a file with `make` and watches the paths `paths_of` gives of it, the signal held off meanwhile:
    /// a Ctrl-C right after the file is made but before it is watched would leave it behind.
    pub(crate) fn watching<T, E>(
        &self,
        make: impl FnOnce() -> Result<T, E>,
        paths_of: impl FnOnce(&T) -> Vec<PathBuf>,
    ) -> Result<T, E> {
        let mut paths = self.paths.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let made = make()?;
        paths.extend(paths_of(&made));
        Ok(made)
    }
}

/// Whether the process was started with SIGHUP ignored (`nohup`).
fn hangup_ignored() -> bool {
    // SAFETY: sigaction with no new action only reads the current one into `old`, which it owns.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(libc::SIGHUP, std::ptr::null(), &mut old) == 0 && old.sa_sigaction == libc::SIG_IGN
    }
}

impl Drop for RemoveOnInterrupt {
    fn drop(&mut self) {
        // The watch closes its end of the signals' self-pipe a moment before its handlers go: a signal in
        // that moment would be written to a closed socket, and the process killed by SIGPIPE unsaid. The
        // command is done by then; such a signal is let go.
        // SAFETY: swapping the disposition of SIGPIPE for the ignored one and back; no handler involved.
        let before = unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
        if let Some(h) = &self.handle {
            h.close();
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        // The last owner of the watch: its handlers go with it.
        drop(self.handle.take());
        // SAFETY: as above.
        unsafe { libc::signal(libc::SIGPIPE, before) };
    }
}

/// The config, then the database, made if it is not there yet as `missing` says.
pub fn open_env(cli: &Cli, zone_warning: bool, missing: Missing) -> CliResult<Env> {
    let config = load_config(cli)?;
    // The keys and colours are the terminal UI's: a command runs without them, but a config the UI refuses
    // is said, so a script does not go on for months on a file its owner believes is whole.
    if let Err(e) = crate::tui::check_config(&config) {
        eprintln!(
            "warning: {} (the terminal UI will not start with it; `leadline config check`)",
            in_config_file(cli, e)
        );
    }
    let path = database_path(cli)?;
    let clock = clock_from_env()?;
    if missing == Missing::Refuse && !path.is_file() {
        return Err(CliError::Io(format!(
            "{}: no database there (a mistyped --db or LEADLINE_DB? `leadline lead add`, `leadline import` or \
             `leadline team add` makes one)",
            path.display()
        )));
    }
    let (path, rehearsal) = match missing {
        Missing::Rehearse if !path.exists() => {
            let dir = crate::store::private_temp_dir(".leadline-dry-run-", None)
                .map_err(|e| CliError::Io(format!("a scratch folder for the dry run: {e}")))?;
            (dir.path().join("dry-run.db"), Some(dir))
        }
        _ => (path, None),
    };
    crate::store::say_when_waiting(true);
    let store = crate::engine::open(&path, &config, clock)?;
    if let Some(note) = crate::engine::zone_note(store.ctx().tz, &config).filter(|_| zone_warning) {
        eprintln!("warning: {note}");
    }
    Ok(Env { config, config_file: config_path(cli), store, _rehearsal: rehearsal })
}

/// Runs a subcommand and turns its outcome into an exit code, with a one-line reason on stderr.
pub fn run(cli: Cli, command: Command) -> ExitCode {
    match dispatch(&cli, command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Made safe: a message may quote what was typed or read, escape sequences and all.
            eprintln!("leadline: {}", output::safe(&output::one_line(&e.to_string())));
            ExitCode::from(e.exit_code())
        }
    }
}

fn dispatch(cli: &Cli, command: Command) -> CliResult {
    // Commands that need no database.
    match command {
        Command::Config(c) => return misc::config(cli, c),
        Command::Completions(c) => return misc::completions(c),
        Command::Automate(automate::AutomateCmd::Rules { json }) => return automate::rules(&load_config(cli)?, json),
        Command::Backup(_) => {
            // A backup of a database that is not there would make an empty one and copy that.
            let db = database_path(cli)?;
            if !db.is_file() {
                return Err(CliError::Io(format!("{}: no database there to back up", db.display())));
            }
        }
        _ => {}
    }
    // Setting the team's zone is the answer to the warning that the config names another one.
    let zone_warning = !matches!(command, Command::Team(team::TeamCmd::Zone { .. }));
    // What went wrong with the file is said with its name, whichever step or command met it.
    let path = database_path(cli)?;
    let of_the_file = |e: CliError| match e {
        CliError::Store(e @ (StoreError::ReadOnly(_) | StoreError::Locked)) => {
            CliError::Store(crate::store::in_words(&path, e))
        }
        CliError::Store(StoreError::Damaged(why)) => {
            CliError::Store(StoreError::Open { path: path.display().to_string(), message: crate::store::damaged(&why) })
        }
        other => other,
    };
    if let Command::Import(a) = &command {
        use std::io::IsTerminal;
        io::file_is_there(a)?;
        crate::store::import_lock::wait_until_free(&path, std::io::stderr().is_terminal());
    }
    // The default database is made on first use whatever the command: only a named one can be mistyped.
    let missing = if cli.db.is_some() && !makes_a_database(&command) {
        Missing::Refuse
    } else if matches!(&command, Command::Import(a) if a.dry_run()) {
        Missing::Rehearse
    } else {
        Missing::Make
    };
    let mut env = open_env(cli, zone_warning, missing).map_err(of_the_file)?;
    run_command(&mut env, command).map_err(of_the_file)
}

/// The commands a database named by --db or LEADLINE_DB may start with, which make it when it is not there
/// yet: bringing leads in (one by one, from a file, or demo ones) and setting up the team. Any other at a
/// path with no database is at a mistyped one: it would act on an empty CRM it made (a list of nothing, a
/// lead not found, an automation run on nobody) and leave it there.
fn makes_a_database(command: &Command) -> bool {
    use team::TeamCmd::{Add, Rename, Role, Show, Zone};
    matches!(
        command,
        Command::Demo(_)
            | Command::Import(_)
            | Command::Lead(lead::LeadCmd::Add(_))
            | Command::Team(Add { .. } | Rename { .. } | Role { .. } | Show { .. } | Zone { .. })
    )
}

fn run_command(env: &mut Env, command: Command) -> CliResult {
    match command {
        Command::Demo(a) => misc::demo(env, a),
        Command::Lead(c) => lead::run(env, c),
        Command::Log(a) => log::run(env, a),
        Command::Unlog(a) => log::unlog(env, a),
        Command::Meeting(c) => meeting::run(env, c),
        Command::Deal(c) => deal::run(env, c),
        Command::Task(c) => task::run(env, c),
        Command::Note(a) => misc::note(env, a),
        Command::Search(a) => misc::search(env, a),
        Command::Inbox(a) => misc::inbox(env, a),
        Command::Backup(a) => misc::backup(env, a),
        Command::Import(a) => io::import(env, a),
        Command::Export(a) => io::export(env, a),
        Command::Dedupe(a) => io::dedupe_cmd(env, a),
        Command::Link(a) => io::link(env, a),
        Command::Forget(a) => io::forget(env, a),
        Command::Privacy(c) => io::privacy_cmd(env, c),
        Command::Score(a) => score::run(env, a),
        Command::Automate(c) => automate::run(env, c),
        Command::Team(c) => team::run(env, c),
        Command::Config(_) | Command::Completions(_) => Ok(()),
    }
}
