//! The import engine: whatever the format, rows become leads (and their touches, deals and meetings)
//! with duplicates matched, bad rows rejected whole, progress committed in chunks so a crash or Ctrl-C
//! followed by the same command finishes one clean import, and a dry run that shows exactly what would happen.

mod apply;
mod calendar;
mod deal_rows;
mod keys;
mod lead_rows;
mod lock;
mod matching;
mod merge;
mod options;
mod rejects;
mod report;
mod writer;

use std::path::Path;

use rusqlite::{OptionalExtension, params};

use self::calendar::{CalendarScope, calendar_outside_window, no_longer_in_the_calendar, series_in_file, series_keys};
use self::lock::{lock_imports, unfinished_elsewhere};
use self::rejects::{REJECTS_SHOWN, from_record, load_rejects};
use self::writer::Writer;
use super::csv_import::{self, CsvSource};
use super::record::{LeadRow, Reject, RowRules};
use super::spill::Spill;
use super::text::{SAMPLE_BYTES, Sniff, ascii_compatible, sniff};
use super::{IoError, Result, bad_file, file_err, ics, json, vcard};
use crate::domain::ValidationError;
use crate::store::{Store, StoreError, bulk};

pub use self::matching::{SAME_PHONE_OTHER_NAME, stage_candidate};
pub use self::options::{Format, ImportOptions, OnDuplicate};
pub use self::rejects::{RAW_REJECT, REJECT_COLUMNS, write_rejects};
pub use self::report::{Action, Counts, CsvLayout, ImportReport, Tally};

/// One item a source hands out.
pub enum Item {
    Lead(Box<LeadRow>),
    /// A record of leadline's own JSON, and the record as a rejects file gives it back.
    Object(Box<json::Object>, Vec<String>),
    Event(Box<ics::Occurrence>),
    /// A record that is recognised but cannot be read: of leadline's own JSON (an outreach, a task...), or a
    /// CSV row; with what it holds, each of which the summary counts as rejected (listed under the first).
    Refused(Vec<&'static str>, Reject),
}

/// An item read: its position in the file, and the item, nothing (blank), or a reject.
type Numbered = (u64, std::result::Result<Option<Item>, Reject>);

/// Where items come from: a streamed CSV, JSON or vCard file, or a parsed iCalendar file.
enum Source {
    Csv(Box<CsvSource>),
    Parsed { items: std::vec::IntoIter<Numbered>, index: u64, total: u64 },
    Streamed { records: Box<dyn Records>, path: std::path::PathBuf, index: u64, total: u64 },
}

/// A file read one record at a time (JSON, vCard).
trait Records {
    /// The next record (a lead, another object, nothing or a reject); `None` at the end of the file.
    fn next_item(&mut self, path: &Path) -> Result<Option<std::result::Result<Option<Item>, Reject>>>;
    /// How many records the file holds (for the progress bar).
    fn total(&self) -> u64;
}

impl Records for json::Stream {
    fn next_item(&mut self, path: &Path) -> Result<Option<std::result::Result<Option<Item>, Reject>>> {
        Ok(self.next_record(path)?.map(|(_, r)| r))
    }
    fn total(&self) -> u64 {
        self.total
    }
}

impl Records for vcard::CardStream {
    fn next_item(&mut self, path: &Path) -> Result<Option<std::result::Result<Option<Item>, Reject>>> {
        Ok(self.next_card(path)?.map(|r| r.map(|l| Some(Item::Lead(Box::new(l))))))
    }
    fn total(&self) -> u64 {
        self.total
    }
}

impl Source {
    fn next(&mut self) -> Result<Option<Numbered>> {
        match self {
            Source::Csv(c) => Ok(c.next_row()?.map(|(i, r)| {
                let item = match r {
                    Ok(row) => Ok(row.map(|l| Item::Lead(Box::new(l)))),
                    Err(reject) => Ok(Some(Item::Refused(c.objects_of_row(), reject))),
                };
                (i, item)
            })),
            Source::Parsed { items, index, .. } => Ok(items.next().map(|(_, r)| {
                *index += 1;
                (*index, r)
            })),
            Source::Streamed { records, path, index, .. } => Ok(records.next_item(path)?.map(|r| {
                *index += 1;
                (*index, r)
            })),
        }
    }

    fn position(&self) -> u64 {
        match self {
            Source::Csv(c) => c.byte_position(),
            Source::Parsed { index, .. } | Source::Streamed { index, .. } => *index,
        }
    }

    fn length(&self, size: u64) -> u64 {
        match self {
            Source::Csv(_) => size,
            Source::Parsed { total, .. } | Source::Streamed { total, .. } => *total,
        }
    }
}

/// The encoding and sample of a file's first bytes, and whether they are the whole file.
fn sniff_head(path: &Path) -> Result<(Sniff, bool)> {
    use std::io::Read;
    let mut head = Vec::with_capacity(SAMPLE_BYTES);
    let f = std::fs::File::open(path).map_err(|e| file_err(path, e))?;
    f.take(SAMPLE_BYTES as u64).read_to_end(&mut head).map_err(|e| file_err(path, e))?;
    let sniffed = sniff(&head).map_err(|m| bad_file(path, m))?;
    Ok((sniffed, head.len() < SAMPLE_BYTES))
}

/// What a file's first bytes already show it cannot be (empty, binary, not the format it is said to be
/// when they are the whole file): said before a database is opened, or made, for it. The import finds the
/// rest as it reads, the same way.
pub fn refused_at_sight(path: &Path, format: Option<Format>) -> Result<()> {
    let (sniffed, whole) = sniff_head(path)?;
    match format.unwrap_or_else(|| Format::detect(path, &sniffed.sample)) {
        Format::Vcard if whole && !sniffed.sample.to_uppercase().contains("BEGIN:VCARD") => {
            Err(bad_file(path, super::vcard::NO_CONTACTS))
        }
        Format::Ics if whole && !super::ics::is_calendar(&sniffed.sample) => {
            Err(bad_file(path, super::ics::NOT_A_CALENDAR))
        }
        _ => Ok(()),
    }
}

/// Imports a file into the store's team.
pub fn import_file(store: &mut Store, path: &Path, opts: &ImportOptions) -> Result<ImportReport> {
    let _one_at_a_time =
        if opts.dry_run { None } else { lock_imports(store.path(), opts.progress, opts.cancel.as_deref())? };
    let (mut sniffed, _) = sniff_head(path)?;
    let format = opts.format.unwrap_or_else(|| Format::detect(path, &sniffed.sample));
    // A window is a calendar's: given for another file, it would be taken as read and do nothing.
    if opts.window.is_some() && format != Format::Ics {
        return Err(ValidationError::new(
            "--from/--to",
            path.display().to_string(),
            format!("apply to calendar files only; this one is {}", format.as_str()),
        )
        .into());
    }
    // JSON is UTF-8 (unless a byte-order mark says UTF-16): a stray byte in one name is that name's
    // problem, not a reason to read every other name in a legacy encoding.
    if format == Format::Json && sniffed.bom_len == 0 {
        sniffed.encoding = encoding_rs::UTF_8;
    }
    let ctx = store.ctx().clone();
    let rules = RowRules {
        tz: ctx.tz,
        currency: ctx.currency.clone(),
        month_first: false,
        dates_from_file: false,
        default_source: Some("import".into()),
        default_country: opts.default_country.clone().filter(|c| !c.trim().is_empty()),
        now: store.now(),
        own_export: false,
    };
    let delimiter = (format == Format::Csv && ascii_compatible(sniffed.encoding)).then(|| {
        let line = csv_import::header_line(&sniffed.sample);
        csv_import::delimiter(&sniffed.sample, line)
    });
    let scanned = std::time::Instant::now();
    let scan = csv_import::scan(path, delimiter)?;
    tracing::debug!(elapsed = ?scanned.elapsed(), bytes = scan.size, "import: file scanned");
    if let Some(line) = scan.open_quote_line {
        return Err(bad_file(path, format!("line {line}: a quote opens here and never closes")));
    }
    let now = store.now();
    let window = opts.window.unwrap_or((now.plus_days(-365), now.plus_days(180)));
    let mut outside_window = None;
    // The items a resumed run may skip: all of them, but for a calendar's dropped meetings (below).
    let mut resumable_items = u64::MAX;
    let mut calendar_scope = None;
    let mut unused_deal_columns = Vec::new();
    let mut header_is = None;
    let mut partly_read = Vec::new();
    let mut layout = None;
    let (mut source, preset, headers, ignored) = match format {
        Format::Csv => {
            let csv = CsvSource::open(path, &sniffed, opts.preset, &opts.maps, rules.clone())?;
            let preset = Some(csv.preset.as_str().to_string());
            let headers = csv.headers.clone();
            let ignored = csv.ignored_columns();
            header_is = csv.looks_like.map(|p| p.as_str().to_string());
            partly_read = csv.partly_read_columns();
            layout = Some(CsvLayout { delimiter: csv.delimiter, crlf: sniffed.sample.contains("\r\n") });
            unused_deal_columns = csv.unused_deal_columns();
            (Source::Csv(Box::new(csv)), preset, headers, ignored)
        }
        Format::Json | Format::Vcard => {
            let records: Box<dyn Records> = if format == Format::Json {
                Box::new(json::Stream::open(path, &sniffed, rules.clone())?)
            } else {
                Box::new(vcard::CardStream::open(path, &sniffed, rules.clone())?)
            };
            let total = records.total();
            (Source::Streamed { records, path: path.to_path_buf(), index: 0, total }, None, Vec::new(), Vec::new())
        }
        // A calendar is read whole: its time zones and the changed occurrences of a recurring event may
        // stand anywhere in the file.
        Format::Ics => {
            let text = read_text(path, &sniffed)?;
            let calendar = ics::parse(&text, ctx.tz, window).map_err(|m| bad_file(path, m))?;
            let (mut events, mut outside) = (Vec::new(), calendar.outside_window);
            // An event the window leaves out is followed only where an earlier import booked it: it moves
            // that meeting, and is not among those left out.
            let mut booked = store.conn().prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM meetings WHERE calendar_key = ?1 AND team_id = ?2
                 AND deleted_at IS NULL AND attended IS NULL)",
            )?;
            for e in calendar.occurrences {
                if let Ok(o) = &e
                    && o.beyond_window
                {
                    if !booked.query_row(params![o.key, ctx.team_id.as_str()], |r| r.get::<_, bool>(0))? {
                        continue;
                    }
                    if !o.cancelled {
                        outside = outside.saturating_sub(1);
                    }
                }
                events.push(e);
            }
            drop(booked);
            outside_window = Some((outside, calendar.series_past_window, window));
            // The meetings the calendar no longer has come last, and are looked up again on a resumed run:
            // those an interrupted run dropped are not among them then, so what it did of them is no
            // index to skip to. The rest are dropped again from the first.
            resumable_items = events.len() as u64;
            let scope = CalendarScope { keys: series_keys(&events), series: series_in_file(&events), window };
            events.extend(no_longer_in_the_calendar(store, &events, &scope)?.into_iter().map(Ok));
            calendar_scope = Some(scope);
            let items: Vec<Numbered> =
                events.into_iter().map(|r| (0, r.map(|e| Some(Item::Event(Box::new(e)))))).collect();
            if items.is_empty() {
                let outside = match calendar_outside_window(outside_window, ctx.tz) {
                    Some(outside) => format!(": {outside}"),
                    None => String::new(),
                };
                return Err(bad_file(path, format!("has no events in the import window{outside}")));
            }
            let total = items.len() as u64;
            (Source::Parsed { items: items.into_iter(), index: 0, total }, None, Vec::new(), Vec::new())
        }
    };

    let options_key = format!(
        "{}|{}|{}|{}",
        format.as_str(),
        preset.as_deref().unwrap_or("-"),
        opts.on_duplicate.as_str(),
        opts.maps.iter().map(|(c, f)| format!("{c}={f}")).collect::<Vec<_>>().join(",")
    );
    let mut report = ImportReport {
        run_id: None,
        file: path.display().to_string(),
        format,
        preset: preset.clone(),
        encoding: sniffed.label(),
        counts: Counts::default(),
        rejects: Vec::new(),
        rejects_total: 0,
        actions: Spill::default(),
        dry_rejects: Spill::default(),
        resumed_run: None,
        headers: headers.clone(),
        layout,
        ignored_columns: ignored,
        partly_read_columns: partly_read,
        header_is,
        unused_deal_columns,
        unknown_owners: Vec::new(),
        kept_fields: Vec::new(),
        stages_placed: Vec::new(),
        amounts_read: Vec::new(),
        short_lines: Vec::new(),
        team_settings: Vec::new(),
        unmatched: Vec::new(),
        outside_window: calendar_outside_window(outside_window, ctx.tz),
        resumed_from: 0,
        already_imported: false,
        dry_run: opts.dry_run,
        bulk: false,
    };

    // An earlier run of the same file with the same options: finished (nothing to do) or interrupted (resume).
    let mut earlier: Option<(String, i64, String, String)> = store
        .conn()
        .query_row(
            "SELECT id, rows_done, counts, status FROM import_runs WHERE team_id = ?1 AND file_hash = ?2 AND options_key = ?3",
            params![ctx.team_id.as_str(), scan.hash, options_key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    // A finished run that took nothing (every row rejected: records whose leads or deals were not there
    // yet, say) is no reason to refuse the file now: it starts over. Nor is a calendar's: its attendees
    // may have become leads since, and its events are found again by their keys, never booked twice. Nor,
    // on asking (`again`), is any other.
    if let Some((id, _, counts, status)) = &earlier
        && status == "done"
        && (opts.again
            || format == Format::Ics
            || serde_json::from_str::<Counts>(counts).is_ok_and(|c| c.all_rejected()))
    {
        if !opts.dry_run {
            store.conn().execute("DELETE FROM import_rejects WHERE run_id = ?1", [id])?;
            store.conn().execute("DELETE FROM import_runs WHERE id = ?1", [id])?;
        }
        earlier = None;
    }
    // An unfinished run of this file under other options, or of an earlier version of it (same name), is
    // not silently left for a second import to run beside it: each would add the rows the other has.
    let file_path = std::fs::canonicalize(path).ok().map(|p| p.display().to_string());
    if earlier.is_none()
        && let Some(stopped) = unfinished_elsewhere(store, &ctx.team_id, &scan.hash, file_path.as_deref())?
    {
        if !opts.again {
            return Err(bad_file(path, stopped.refusal(&scan.hash, ctx.tz)));
        }
        // On asking, this import goes on in its place: the other is closed with what it did, so its own
        // command no longer resumes it beside this one.
        if !opts.dry_run {
            store.conn().execute(
                "UPDATE import_runs SET status = 'done', finished_at = ?2, updated_at = ?2 WHERE id = ?1",
                params![stopped.id, now.0],
            )?;
        }
    }
    // A dry run says what the same command would do: nothing for a file already imported, the rest of one
    // interrupted.
    let mut skip_until = 0u64;
    let run_id = match &earlier {
        Some((id, _, counts, status)) if status == "done" => {
            report.run_id = Some(id.clone());
            report.counts = serde_json::from_str(counts).unwrap_or_default();
            report.already_imported = true;
            load_rejects(store, id, &mut report)?;
            return Ok(report);
        }
        Some((id, done, counts, _)) => {
            skip_until = (*done as u64).min(resumable_items);
            report.resumed_from = skip_until;
            report.counts = serde_json::from_str(counts).unwrap_or_default();
            report.resumed_run = Some(id.clone());
            if opts.dry_run { String::from("dry-run") } else { id.clone() }
        }
        None if opts.dry_run => String::from("dry-run"),
        None => {
            let id = uuid::Uuid::now_v7().to_string();
            store.conn().execute(
                "INSERT INTO import_runs (id, team_id, user_id, file_name, file_hash, options_key, format, preset, headers,
                 status, started_at, updated_at, file_path)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'running', ?10, ?10, ?11)",
                params![
                    id,
                    ctx.team_id.as_str(),
                    ctx.user_id.as_str(),
                    path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default(),
                    scan.hash,
                    options_key,
                    format.as_str(),
                    preset,
                    serde_json::to_string(&headers).unwrap_or_default(),
                    now.0,
                    file_path,
                ],
            )
            .map_err(|e| match e.sqlite_error().map(|x| x.extended_code) {
                // The run was recorded in the moment since it was looked up: another leadline is at it.
                Some(rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE) => bad_file(
                    path,
                    "is being imported by another leadline right now; run the same command again once it has \
                     finished (it will say what was imported)",
                ),
                _ => match StoreError::from(e) {
                    StoreError::Locked => IoError::Locked { rows: 0 },
                    other => other.into(),
                },
            })?;
            id
        }
    };
    if !opts.dry_run {
        report.run_id = Some(run_id.clone());
    }

    let bar = opts.progress.then(|| progress_bar(source.length(scan.size)));
    let existing: i64 = store.conn().query_row(
        "SELECT count(*) FROM leads WHERE team_id = ?1 AND deleted_at IS NULL",
        [ctx.team_id.as_str()],
        |r| r.get(0),
    )?;
    // A large load into a small table is one transaction with the list indexes built once at the end: three
    // times cheaper than keeping them up to date row by row. Interrupted, it leaves nothing, so the same
    // command starts it again; smaller imports commit in chunks and resume after the last one.
    let bulk = opts.bulk.unwrap_or(format == Format::Csv && scan.size > 8 << 20 && (existing as u64) < scan.size / 200);
    // A bulk CSV load also lifts the look-up indexes and finds duplicates through keys held in memory.
    let rows = match &source {
        Source::Csv(_) if scan.lines > 0 => scan.lines + 1,
        Source::Csv(_) => scan.size / 40,
        Source::Parsed { total, .. } | Source::Streamed { total, .. } => *total,
    };
    let mut writer =
        Writer::new(store, opts, &run_id, rows, existing, bulk && format == Format::Csv && scan.lines > 0)?;
    writer.counts = report.counts.clone();
    writer.resumed_run = report.resumed_run.clone();
    writer.source_scope = report.preset.clone().unwrap_or_else(|| format.as_str().to_string());
    let mut this_run_rows = 0u64;
    // Rows of this run in committed chunks: what an interrupted run keeps.
    let mut committed_rows = 0u64;
    let started = std::time::Instant::now();
    let chunk_rows = if opts.dry_run || bulk { usize::MAX } else { opts.chunk_rows.max(1) };
    writer.bulk = bulk;
    writer.rows_are = if format == Format::Ics { "meetings" } else { "leads" };
    writer.calendar = calendar_scope;
    if bulk {
        bulk_settings(store.conn(), true, format)?;
    }
    loop {
        let mut stash: Option<IoError> = None;
        let mut finished = false;
        let mut interrupted = false;
        let result = store.write(|db| {
            db.mark_history();
            let lift = bulk::Lift::begin(
                db.conn,
                if bulk { bulk::Indexes::Named(&LIST_INDEXES) } else { bulk::Indexes::Keep },
            )?;
            writer.catch_up(db)?;
            writer.lift_lookups(db)?;
            if bulk {
                writer.indexes = bulk::IndexBuild::start(db.conn)?;
            }
            let mut n = 0usize;
            let mut last_index = 0u64;
            while n < chunk_rows {
                let next = match source.next() {
                    Ok(v) => v,
                    Err(e) => {
                        stash = Some(e);
                        return Err(StoreError::Refused("read error".into()));
                    }
                };
                let Some((index, item)) = next else {
                    finished = true;
                    break;
                };
                last_index = index;
                let cancelled = opts.cancel.as_ref().is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed));
                if cancelled {
                    interrupted = true;
                    return Err(StoreError::Refused("stopped".into()));
                }
                if index <= skip_until {
                    continue;
                }
                if opts.stop_after.is_some_and(|limit| this_run_rows >= limit) {
                    interrupted = true;
                    return Err(StoreError::Refused("stopped".into()));
                }
                this_run_rows += 1;
                n += 1;
                writer.apply(db, item)?;
                // A load that commits once at its end would hold every change it records (a deal each row)
                // until then: the hooks see them a batch at a time.
                if db.pending_changes() >= SETTLE_AT {
                    db.settle()?;
                }
                if let Some(bar) = &bar
                    && this_run_rows.is_multiple_of(2000)
                {
                    bar.set_position(source.position());
                    let rate = this_run_rows as f64 / started.elapsed().as_secs_f64().max(0.001);
                    bar.set_message(format!("{this_run_rows} rows, {rate:.0} rows/s"));
                }
            }
            tracing::debug!(elapsed = ?started.elapsed(), rows = n, "import: rows written");
            // Only after the last row: a chunk's end is no reason to stop counting.
            if let Some(bar) = bar.as_ref().filter(|_| finished) {
                finishing(bar, this_run_rows);
            }
            writer.restore_lookups(db)?;
            lift.restore_with(db.conn, writer.indexes.take())?;
            writer.reindex(db)?;
            // Ctrl-C while the indexes of a large load were built (seconds) stops it too, before it is saved.
            if opts.cancel.as_ref().is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed)) {
                interrupted = true;
                return Err(StoreError::Refused("stopped".into()));
            }
            if opts.dry_run {
                return Err(StoreError::Refused("dry run".into()));
            }
            let done = if finished { source_done_index(last_index, skip_until) } else { last_index };
            db.conn.execute(
                "UPDATE import_runs SET rows_done = max(rows_done, ?2), counts = ?3, updated_at = ?4,
                 status = CASE WHEN ?5 THEN 'done' ELSE status END, finished_at = CASE WHEN ?5 THEN ?4 END
                 WHERE id = ?1",
                params![
                    run_id,
                    done as i64,
                    serde_json::to_string(&writer.counts).unwrap_or_default(),
                    db.now.0,
                    finished
                ],
            )?;
            Ok(())
        });
        bulk::IndexBuild::detach(store.conn());
        match result {
            Ok(()) => {}
            Err(_) if opts.dry_run && stash.is_none() && !interrupted => {
                finished = true;
            }
            Err(e) => {
                writer.rollback_chunk();
                if bulk {
                    // The import's own error is the one to report.
                    let _ = bulk_settings(store.conn(), false, format);
                }
                // Stopped, the bar goes (the message says where); failed, it stays to show how far it got.
                if let Some(bar) = &bar {
                    if interrupted { bar.finish_and_clear() } else { bar.abandon() }
                }
                if let Some(io) = stash {
                    return Err(io);
                }
                if interrupted {
                    return Err(IoError::Interrupted { rows: committed_rows, saved_whole: bulk });
                }
                if matches!(e, StoreError::Locked) && !opts.dry_run {
                    return Err(IoError::Locked { rows: committed_rows });
                }
                return Err(e.into());
            }
        }
        committed_rows = this_run_rows;
        writer.commit_chunk();
        if finished {
            break;
        }
    }
    if bulk {
        bulk_settings(store.conn(), false, format)?;
    }
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    report.bulk = bulk && !opts.dry_run;
    report.counts = writer.counts.clone();
    report.unknown_owners = writer.unknown_owners.clone();
    report.kept_fields = writer.kept_fields.iter().map(|f| f.to_string()).collect();
    report.stages_placed = writer.stages_placed.clone();
    report.amounts_read = writer.amounts_read.clone();
    report.short_lines = writer.short_lines.clone();
    report.team_settings = writer.team_settings.clone().unwrap_or_default();
    report.unmatched = writer.unmatched.clone();
    if opts.dry_run {
        let kept = |e: std::io::Error| IoError::File { path: "a temporary file".into(), message: e.to_string() };
        writer.actions.seal().map_err(kept)?;
        writer.dry_rejects.seal().map_err(kept)?;
        // The rest of an interrupted import: with the rows its first part refused, as the real run reports.
        if let Some((id, ..)) = earlier.as_ref().filter(|_| report.resumed_from > 0) {
            load_rejects(store, id, &mut report)?;
        }
        report.rejects_total += writer.dry_rejects.len();
        let room = (REJECTS_SHOWN as usize).saturating_sub(report.rejects.len());
        report.rejects.extend(writer.dry_rejects.first(room).map_err(kept)?.into_iter().map(from_record));
        report.actions = std::mem::take(&mut writer.actions);
        report.dry_rejects = std::mem::take(&mut writer.dry_rejects);
    } else {
        load_rejects(store, &run_id, &mut report)?;
    }
    Ok(report)
}

/// Changes an import lets wait for the hooks (rescoring) before it runs them, between rows.
const SETTLE_AT: usize = 20_000;

/// Connection settings for a bulk load (`on`) and back to the store's usual ones. Index builds sort on disk
/// rather than in memory, and a smaller page cache leaves room for them, so a bulk load stays small whatever the
/// file's size. A rollback journal instead of the WAL writes the data once: pages added past the end of the file
/// are not journaled, where the WAL would take every page and then copy it into the database at the checkpoint.
/// If another connection holds the database open, the journal mode simply stays WAL.
fn bulk_settings(conn: &rusqlite::Connection, on: bool, format: Format) -> rusqlite::Result<()> {
    let (temp, cache, journal) = if on { ("FILE", -24_000, "DELETE") } else { ("MEMORY", -64_000, "WAL") };
    let _ = conn.pragma_update(None, "journal_mode", journal);
    // Every reference a CSV row writes is one the load has just made or looked up (the team, the owner, the
    // lead it inserted, the account it found or created), so checking each against its parent is three to five
    // index seeks a row for nothing; other formats carry references of their own and keep the checks.
    if format == Format::Csv {
        conn.pragma_update(None, "foreign_keys", !on)?;
    }
    conn.pragma_update(None, "temp_store", temp)?;
    conn.pragma_update(None, "cache_size", cache)
}

/// Indexes that only serve lists and filters; a bulk load drops them and builds them again at its end.
const LIST_INDEXES: [&str; 5] =
    ["leads_by_contact", "leads_by_name", "leads_by_created", "leads_by_owner", "lead_tags_by_lead"];

/// The resume position once a file is read to the end.
fn source_done_index(last: u64, skip_until: u64) -> u64 {
    last.max(skip_until)
}

fn read_text(path: &Path, sniffed: &Sniff) -> Result<String> {
    let mut bytes = std::fs::read(path).map_err(|e| file_err(path, e))?;
    // Lines ended by CR alone (a classic Mac file) are lines all the same.
    if sniffed.encoding.is_ascii_compatible() && super::text::cr_only(&sniffed.sample) {
        bytes.iter_mut().filter(|b| **b == b'\r').for_each(|b| *b = b'\n');
    }
    if sniffed.encoding == encoding_rs::UTF_8 {
        super::text::mend_split_folds(&mut bytes);
        // A byte that is not UTF-8 is a legacy one (a file joined from two), as in every other format.
        return Ok(super::text::utf8_with_legacy_bytes(&bytes[sniffed.bom_len..]));
    }
    let (text, _) = sniffed.encoding.decode_without_bom_handling(&bytes[sniffed.bom_len..]);
    Ok(text.into_owned())
}

/// The bar fills what the terminal's width leaves beside the figures, so it keeps to one line.
fn progress_bar(len: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    let style = indicatif::ProgressStyle::with_template("{wide_bar} {percent:>3}% {msg} (eta {eta})")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// After the last row the bar says what the import is still doing (the indexes of a big load take seconds),
/// with a spinner, so a finished bar with nothing happening does not look like a hang.
fn finishing(bar: &indicatif::ProgressBar, rows: u64) {
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        bar.set_style(style);
    }
    bar.set_message(format!("{rows} rows read; building the indexes and scores"));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
}
