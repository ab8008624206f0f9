//! The import engine: whatever the format, rows become leads (and their touches, deals and meetings)
//! with duplicates matched, bad rows rejected whole, progress committed in chunks so a crash or Ctrl-C
//! followed by the same command finishes one clean import, and a dry run that shows exactly what would happen.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::path::Path;
use std::str::FromStr;

use rusqlite::functions::FunctionFlags;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::csv_import::{self, CsvSource};
use super::dedupe::name_company_key;
use super::phone::{match_keys, stored_key};
use super::presets::{Field, Preset};
use super::record::{LeadRow, Reject, RowRules};
use super::spill::Spill;
use super::text::{SAMPLE_BYTES, Sniff, ascii_compatible, sniff};
use super::{IoError, Result, bad_file, file_err, ics, json, vcard};
use crate::domain::lead::canonical_profile;
use crate::domain::lead::normalize_email;
use crate::domain::{AccountId, DealStatus, LeadId, Lifecycle, OutreachKind, Timestamp, UserId, ValidationError};
use crate::store::leads::{self, LeadPatch};
use crate::store::outreach::{self, NewOutreach};
use crate::store::{Change, Db, Store, StoreError, accounts, bulk, contact, deals, teams};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Vcard,
    Ics,
    Json,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Csv, Format::Vcard, Format::Ics, Format::Json];
    pub const NAMES: [&'static str; Format::ALL.len()] = crate::domain::words::words!(Format);
    /// `--format`'s words: `auto` detects the format from the file.
    pub const FLAG_WORDS: [&'static str; Format::ALL.len() + 1] =
        crate::domain::words::with_first("auto", Format::NAMES);

    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Vcard => "vcard",
            Format::Ics => "ics",
            Format::Json => "json",
        }
    }

    /// The format a file is in: its content first (a vCard saved as .txt is still a vCard), then its name.
    pub fn detect(path: &Path, sample: &str) -> Format {
        let head = sample.trim_start_matches('\u{feff}').trim_start();
        let upper: String = head.chars().take(40).collect::<String>().to_uppercase();
        if upper.starts_with("BEGIN:VCARD") {
            return Format::Vcard;
        }
        if upper.starts_with("BEGIN:VCALENDAR") {
            return Format::Ics;
        }
        if head.starts_with('[') || head.starts_with('{') {
            return Format::Json;
        }
        match path.extension().and_then(|e| e.to_str()).map(str::to_lowercase).as_deref() {
            Some("vcf" | "vcard") => Format::Vcard,
            Some("ics" | "ical") => Format::Ics,
            Some("json" | "jsonl" | "ndjson") => Format::Json,
            _ => Format::Csv,
        }
    }
}

impl FromStr for Format {
    type Err = ValidationError;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "vcard" | "vcf" => Ok(Format::Vcard),
            "ics" | "ical" | "icalendar" => Ok(Format::Ics),
            "json" | "jsonl" => Ok(Format::Json),
            _ => Err(ValidationError::new("--format", s, crate::domain::words::must_be(&Self::FLAG_WORDS))),
        }
    }
}

/// What to do with a row that is exactly an existing lead (same e-mail or phone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OnDuplicate {
    /// Leave the existing lead as it is.
    Skip,
    /// Fill the existing lead's empty fields; never overwrite what is there.
    #[default]
    Merge,
    /// Overwrite the existing lead's fields with the file's non-empty values.
    Update,
}

impl OnDuplicate {
    pub const ALL: [OnDuplicate; 3] = [OnDuplicate::Skip, OnDuplicate::Merge, OnDuplicate::Update];
    pub const NAMES: [&'static str; OnDuplicate::ALL.len()] = crate::domain::words::words!(OnDuplicate);

    pub const fn as_str(self) -> &'static str {
        match self {
            OnDuplicate::Skip => "skip",
            OnDuplicate::Merge => "merge",
            OnDuplicate::Update => "update",
        }
    }
}

impl FromStr for OnDuplicate {
    type Err = ValidationError;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let word = s.trim().to_lowercase();
        Self::ALL
            .into_iter()
            .find(|d| d.as_str() == word)
            .ok_or_else(|| ValidationError::new("--on-duplicate", s, crate::domain::words::must_be(&Self::NAMES)))
    }
}

/// The columns a rejects file puts before the row's own: why it was refused, which an import of the fixed file
/// does not read.
pub const REJECT_COLUMNS: [&str; 3] = ["leadline_line", "leadline_column", "leadline_error"];

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// None: detect from the content and the file name.
    pub format: Option<Format>,
    /// None: detect from the header row.
    pub preset: Option<Preset>,
    /// `--map COLUMN=FIELD` overrides.
    pub maps: Vec<(String, Field)>,
    pub on_duplicate: OnDuplicate,
    pub dry_run: bool,
    /// Import a file already imported with the same options once more, as a new run (rows matching leads
    /// here by e-mail or phone are merged as always; a row with a name alone is added again).
    pub again: bool,
    /// Rows per committed chunk (the resume granularity).
    pub chunk_rows: usize,
    /// Stop (as a crash would) after this many rows of this run: for tests of resuming.
    pub stop_after: Option<u64>,
    /// Set from outside (Ctrl-C) to stop at the next row, keeping what was committed, as `stop_after` does.
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// Country for national phone numbers when a row does not say (ISO code or name).
    pub default_country: Option<String>,
    /// Calendar events: recurring ones are expanded within this window.
    pub window: Option<(Timestamp, Timestamp)>,
    /// Bulk load: one transaction, list indexes built once at the end. None: when the file is large and
    /// would at least double the team's leads.
    pub bulk: Option<bool>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            format: None,
            preset: None,
            maps: Vec::new(),
            on_duplicate: OnDuplicate::Merge,
            dry_run: false,
            again: false,
            chunk_rows: 20_000,
            stop_after: None,
            cancel: None,
            progress: false,
            default_country: None,
            window: None,
            bulk: None,
        }
    }
}

/// created / merged / updated / skipped / rejected for one kind of object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Tally {
    pub created: u64,
    pub merged: u64,
    pub updated: u64,
    pub skipped: u64,
    pub rejected: u64,
}

impl Tally {
    pub fn is_empty(&self) -> bool {
        *self == Tally::default()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Counts {
    pub leads: Tally,
    pub outreach: Tally,
    pub meetings: Tally,
    pub deals: Tally,
    pub tasks: Tally,
    /// Absent from the counts of runs recorded before notes were imported.
    #[serde(default)]
    pub notes: Tally,
    /// Team members read from a team export.
    #[serde(default)]
    pub team: Tally,
    /// Inbox items read from an inbox export.
    #[serde(default)]
    pub inbox: Tally,
    /// Privacy log entries read from its export.
    #[serde(default)]
    pub privacy: Tally,
    /// Weaker matches (same name and company), and leads a file says were merged that are leads of their own
    /// here, imported and staged for `leadline dedupe`.
    pub merge_candidates: u64,
    /// Rows matched to a lead whose company, title... differ from the lead's, which a merge keeps.
    #[serde(default)]
    pub kept_values: u64,
    /// Deal amounts that read two ways ("1.500"): read as `Money::parse_read` does, and said so.
    #[serde(default)]
    pub amounts_two_ways: u64,
    /// Meetings a calendar imported again took away (counted as updated too): the event was cancelled, or
    /// the lead declined it or was taken off it.
    #[serde(default)]
    pub meetings_dropped: u64,
}

impl Counts {
    /// Rows were rejected and none was taken in any way: the file as a whole did not import.
    pub fn all_rejected(&self) -> bool {
        let tallies = [
            &self.leads,
            &self.outreach,
            &self.meetings,
            &self.deals,
            &self.tasks,
            &self.notes,
            &self.team,
            &self.inbox,
            &self.privacy,
        ];
        tallies.iter().any(|t| t.rejected > 0)
            && tallies.iter().all(|t| t.created + t.merged + t.updated + t.skipped == 0)
    }
}

/// One thing the import did (or, in a dry run, would do).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Action {
    pub line: u64,
    pub object: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

/// A rejected row as a dry run keeps it for the rejects file: line, column, reason and the row's values.
type RejectRecord = (u64, Option<String>, String, Vec<String>);

fn reject_record(r: Reject) -> RejectRecord {
    (r.line, r.column, r.reason, r.record)
}

fn from_record((line, column, reason, record): RejectRecord) -> Reject {
    Reject { line, column, reason, record }
}

#[derive(Debug, Serialize)]
pub struct ImportReport {
    pub run_id: Option<String>,
    pub file: String,
    pub format: Format,
    pub preset: Option<String>,
    pub encoding: String,
    pub counts: Counts,
    /// The first rejected rows (`REJECTS_SHOWN`); all of them are in the database, or, after a dry run, in
    /// `dry_rejects`.
    pub rejects: Vec<Reject>,
    pub rejects_total: u64,
    /// Every action, in a dry run (kept in a file past the first thousands); empty otherwise.
    pub actions: Spill<Action>,
    #[serde(skip)]
    pub dry_rejects: Spill<RejectRecord>,
    /// The interrupted run a dry run goes on from: its rejects come before the dry run's own.
    #[serde(skip)]
    pub resumed_run: Option<String>,
    /// The file's header row (CSV), for the rejects file.
    #[serde(skip)]
    pub headers: Vec<String>,
    pub ignored_columns: Vec<String>,
    /// A deal's stage or dates, read but unused: the file has no deal name or amount to make a deal of.
    pub unused_deal_columns: Vec<String>,
    /// Owners named in the file who are not team members (their leads went to the importing user).
    pub unknown_owners: Vec<String>,
    /// The fields of `Counts::kept_values`: the file says otherwise, the lead's value stood.
    pub kept_fields: Vec<String>,
    /// Deal stages of the file that the pipeline does not have, and the stage each deal was put in.
    pub stages_placed: Vec<String>,
    /// Deal amounts that read two ways ("1.500"), as they were read: the first few of this run, by line
    /// (`Counts::amounts_two_ways` counts them all).
    pub amounts_read: Vec<String>,
    /// The team's name and time zone a team export gave: taken by a database being moved into, or what the
    /// file had beside what stayed.
    pub team_settings: Vec<String>,
    /// Calendar attendees that matched no lead.
    pub unmatched: Vec<String>,
    /// Calendar events left out because they fall outside the import window, as the rep is told of them.
    pub outside_window: Option<String>,
    /// Rows done by an earlier, interrupted run of the same import.
    pub resumed_from: u64,
    /// The same file was already imported with the same options: nothing was done.
    pub already_imported: bool,
    pub dry_run: bool,
    /// Loaded in bulk: no per-row change events, so the leads still need scoring.
    pub bulk: bool,
}

/// One item a source hands out.
pub enum Item {
    Lead(Box<LeadRow>),
    /// A record of leadline's own JSON, and the record as a rejects file gives it back.
    Object(Box<json::Object>, Vec<String>),
    Event(Box<ics::Occurrence>),
    /// A record of leadline's own JSON that is recognised (an outreach, a task...) but cannot be read.
    Refused(&'static str, Reject),
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
            Source::Csv(c) => Ok(c.next_row()?.map(|(i, r)| (i, r.map(|o| o.map(|l| Item::Lead(Box::new(l))))))),
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

/// Imports a file into the store's team.
pub fn import_file(store: &mut Store, path: &Path, opts: &ImportOptions) -> Result<ImportReport> {
    let _one_at_a_time =
        if opts.dry_run { None } else { lock_imports(store.path(), opts.progress, opts.cancel.as_deref())? };
    let mut head = Vec::with_capacity(SAMPLE_BYTES);
    {
        use std::io::Read;
        let f = std::fs::File::open(path).map_err(|e| file_err(path, e))?;
        f.take(SAMPLE_BYTES as u64).read_to_end(&mut head).map_err(|e| file_err(path, e))?;
    }
    let mut sniffed: Sniff = sniff(&head).map_err(|m| bad_file(path, m))?;
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
    let (mut source, preset, headers, ignored) = match format {
        Format::Csv => {
            let csv = CsvSource::open(path, &sniffed, opts.preset, &opts.maps, rules.clone())?;
            let preset = Some(csv.preset.as_str().to_string());
            let headers = csv.headers.clone();
            let ignored = csv.ignored_columns();
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
            let scope = CalendarScope { keys: series_keys(&events), window };
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
        encoding: sniffed.encoding.name().to_string(),
        counts: Counts::default(),
        rejects: Vec::new(),
        rejects_total: 0,
        actions: Spill::default(),
        dry_rejects: Spill::default(),
        resumed_run: None,
        headers: headers.clone(),
        ignored_columns: ignored,
        unused_deal_columns,
        unknown_owners: Vec::new(),
        kept_fields: Vec::new(),
        stages_placed: Vec::new(),
        amounts_read: Vec::new(),
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
                _ => e.into(),
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
                    return Err(IoError::Interrupted { rows: committed_rows });
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

/// Held while an import runs: one import at a time into a database. A second one waits for the first to
/// finish, then resumes or finds its file already imported, instead of both working on one run at once
/// An import that stopped half-way and was not run again to the end.
struct Unfinished {
    id: String,
    file_hash: String,
    options_key: String,
    rows_done: i64,
    updated_at: Timestamp,
}

impl Unfinished {
    /// Why a new import of the file is not started beside it, and what to run instead.
    fn refusal(&self, hash: &str, tz: chrono_tz::Tz) -> String {
        let what = if self.file_hash == hash {
            format!("an import of this file with other options ({}) stopped", describe_options(&self.options_key))
        } else {
            "an import of an earlier version of this file (read from the same place, other contents) stopped"
                .to_string()
        };
        format!(
            "{what} after row {} on {}; run that command again to finish it, or pass --again to import with these \
             options instead (it is then closed with what it did; rows matching its leads by e-mail or phone are \
             merged, a row with a name alone is added again)",
            self.rows_done,
            self.updated_at.local(tz)
        )
    }
}

/// The team's unfinished import of the same file under other options, or of the file read from the same
/// path before it was changed.
fn unfinished_elsewhere(
    store: &Store,
    team: &crate::domain::TeamId,
    hash: &str,
    file_path: Option<&str>,
) -> crate::store::Result<Option<Unfinished>> {
    Ok(store
        .conn()
        .query_row(
            "SELECT id, file_hash, options_key, rows_done, updated_at FROM import_runs
             WHERE team_id = ?1 AND status = 'running' AND (file_hash = ?2 OR file_path = ?3)
             ORDER BY file_hash = ?2 DESC, updated_at DESC LIMIT 1",
            params![team.as_str(), hash, file_path],
            |r| {
                Ok(Unfinished {
                    id: r.get(0)?,
                    file_hash: r.get(1)?,
                    options_key: r.get(2)?,
                    rows_done: r.get(3)?,
                    updated_at: Timestamp(r.get(4)?),
                })
            },
        )
        .optional()?)
}

/// The flags an import run's options key stands for, as the rep would type them.
fn describe_options(key: &str) -> String {
    let mut parts = key.splitn(4, '|');
    let (format, preset, on_duplicate, maps) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or("-"),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let mut flags = vec![format!("--format {format}")];
    if preset != "-" {
        flags.push(format!("--preset {preset}"));
    }
    flags.push(format!("--on-duplicate {on_duplicate}"));
    flags.extend(maps.split(',').filter(|m| !m.is_empty()).map(|m| format!("--map {m}")));
    flags.join(" ")
}

/// (and counting each other's rows). The lock is on a file of its own beside the database: opening and
/// closing the database file itself would drop SQLite's own locks on it. The kernel's lock goes with the
/// process however it ends.
struct ImportLock(#[allow(dead_code)] std::fs::File);

fn lock_imports(
    db: &Path,
    announce: bool,
    cancel: Option<&std::sync::atomic::AtomicBool>,
) -> Result<Option<ImportLock>> {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        // Beside the file itself, not the name it was reached by: two imports through a symlink and its
        // target are two imports into one database.
        let db = std::fs::canonicalize(db).unwrap_or_else(|_| db.to_path_buf());
        let name = format!(".{}.import-lock", db.file_name().map(|n| n.to_string_lossy()).unwrap_or_default());
        let path = db.with_file_name(name);
        let Ok(file) = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path) else {
            tracing::warn!(path = %path.display(), "no import lock file; imports are not kept one at a time");
            return Ok(None);
        };
        let mut announced = false;
        loop {
            // SAFETY: flock on a descriptor this function owns.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
                return Ok(Some(ImportLock(file)));
            }
            if std::io::Error::last_os_error().raw_os_error() != Some(libc::EWOULDBLOCK) {
                tracing::warn!(error = %std::io::Error::last_os_error(), "cannot lock imports (a network file system?)");
                return Ok(None);
            }
            if announce && !announced {
                eprintln!("leadline: another import into this database is running; waiting for it to finish…");
                announced = true;
            }
            if cancel.is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed)) {
                return Err(IoError::Interrupted { rows: 0 });
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (db, announce, cancel);
        Ok(None)
    }
}

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

/// What a calendar's window left out: how many events fall outside it and how many recurring ones go on
/// past its end, with the window (as the team's days); `None` for nothing.
fn calendar_outside_window(outside: Option<(u64, u64, (Timestamp, Timestamp))>, tz: chrono_tz::Tz) -> Option<String> {
    let (count, series, (from, to)) = outside.filter(|(count, series, _)| *count + *series > 0)?;
    let day = |t: Timestamp| t.to_utc().with_timezone(&tz).format("%Y-%m-%d").to_string();
    let window = format!("{} to {}", day(from), day(to));
    let said = match (count, series) {
        (0, s) => format!("{s} recurring {} on past {window}", if s == 1 { "event goes" } else { "events go" }),
        (c, 0) => format!("{c} {} outside {window} left out", if c == 1 { "event" } else { "events" }),
        (c, s) => format!(
            "{c} {} outside {window} left out, and {s} recurring {} on past it",
            if c == 1 { "event" } else { "events" },
            if s == 1 { "event goes" } else { "events go" }
        ),
    };
    Some(format!("{said} (--from and --to choose the window)"))
}

fn read_text(path: &Path, sniffed: &Sniff) -> Result<String> {
    let mut bytes = std::fs::read(path).map_err(|e| file_err(path, e))?;
    if sniffed.encoding == encoding_rs::UTF_8 {
        super::text::mend_split_folds(&mut bytes);
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

const REJECTS_SHOWN: i64 = 1000;

fn load_rejects(store: &Store, run_id: &str, report: &mut ImportReport) -> Result<()> {
    let conn = store.conn();
    report.rejects_total = conn
        .query_row("SELECT count(*) FROM import_rejects WHERE run_id = ?1", [run_id], |r| r.get::<_, i64>(0))?
        as u64;
    let mut stmt = conn.prepare(
        "SELECT line, column_name, reason, record FROM import_rejects WHERE run_id = ?1 ORDER BY line LIMIT ?2",
    )?;
    report.rejects = stmt
        .query_map(params![run_id, REJECTS_SHOWN], |r| {
            let record: String = r.get(3)?;
            Ok(Reject {
                line: r.get::<_, i64>(0)? as u64,
                column: r.get(1)?,
                reason: r.get(2)?,
                record: serde_json::from_str(&record).unwrap_or_default(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(())
}

/// The meetings earlier imports booked for events of this calendar that it no longer has, inside its
/// window: an occurrence of a series whose time or rule changed, or that was cut short ("this and
/// following events" moved to a new series). Each comes as a cancelled occurrence, which drops the
/// meeting unless it was already marked attended or not.
fn no_longer_in_the_calendar(
    store: &Store,
    events: &[std::result::Result<ics::Occurrence, Reject>],
    scope: &CalendarScope,
) -> Result<Vec<ics::Occurrence>> {
    let window = scope.window;
    let mut keys: HashMap<&str, (u64, &HashSet<String>)> = HashMap::new();
    for e in events.iter().flatten().filter(|e| !e.uid.is_empty()) {
        if let Some(produced) = scope.keys.get(&e.uid) {
            keys.entry(e.uid.as_str()).or_insert((e.line, produced));
        }
    }
    let mut stmt = store.conn().prepare_cached(
        "SELECT m.calendar_key, m.scheduled_at, m.title, l.email FROM meetings m JOIN leads l ON l.id = m.lead_id
         WHERE (m.calendar_key = ?1 OR substr(m.calendar_key, 1, length(?1) + 1) = ?1 || '@')
         AND m.scheduled_at BETWEEN ?2 AND ?3 AND m.attended IS NULL AND m.deleted_at IS NULL
         AND l.email IS NOT NULL",
    )?;
    let mut gone = Vec::new();
    for (uid, (line, produced)) in &keys {
        let rows = stmt.query_map(params![uid, window.0.0, window.1.0], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, Option<String>>(2)?, r.get::<_, String>(3)?))
        })?;
        for row in rows {
            let (key, at, title, email) = row?;
            if produced.contains(key.as_str()) {
                continue;
            }
            gone.push(ics::Occurrence {
                line: *line,
                uid: uid.to_string(),
                key,
                title: title.unwrap_or_else(|| "Meeting".into()),
                start: Timestamp(at),
                attendees: vec![email],
                cancelled: true,
                attended: None,
                beyond_window: false,
            });
        }
    }
    gone.sort_by(|a, b| (a.start, &a.key).cmp(&(b.start, &b.key)));
    Ok(gone)
}

/// What a calendar import knows of the whole file while it writes event by event.
struct CalendarScope {
    /// The keys of the occurrences the file has, by event uid (cancelled ones too).
    keys: HashMap<String, HashSet<String>>,
    window: (Timestamp, Timestamp),
}

fn series_keys(events: &[std::result::Result<ics::Occurrence, Reject>]) -> HashMap<String, HashSet<String>> {
    let mut keys: HashMap<String, HashSet<String>> = HashMap::new();
    for e in events.iter().flatten().filter(|e| !e.uid.is_empty()) {
        keys.entry(e.uid.clone()).or_default().insert(e.key.clone());
    }
    keys
}

/// Writes the rejected rows of a run as a CSV with the file's own columns plus where and why, so the rep
/// can fix them and import that file.
pub fn write_rejects(store: &Store, report: &ImportReport, out: &Path) -> Result<u64> {
    if report.format == Format::Json {
        return write_json_rejects(store, report, out);
    }
    if report.format == Format::Vcard {
        return write_vcard_rejects(store, report, out);
    }
    // The row keeps every value it had (a row with too many values stays that way, to be fixed), after
    // three columns saying where and why; an import of this file ignores those three.
    let file = super::paths::create_owner_only(out).map_err(|e| file_err(out, e))?;
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(file);
    let headers: Vec<String> = match &report.run_id {
        _ if !report.headers.is_empty() => report.headers.clone(),
        Some(id) => {
            let h: String =
                store.conn().query_row("SELECT headers FROM import_runs WHERE id = ?1", [id], |r| r.get(0))?;
            serde_json::from_str(&h).unwrap_or_default()
        }
        None => Vec::new(),
    };
    let mut header_row: Vec<String> = REJECT_COLUMNS.map(String::from).to_vec();
    if headers.is_empty() && report.format != Format::Csv {
        header_row.push("record".into());
    } else if headers.is_empty() {
        let width = report.rejects.iter().map(|r| r.record.len()).max().unwrap_or(0);
        header_row.extend((1..=width).map(|i| format!("column {i}")));
    } else {
        header_row.extend(headers);
    }
    // The file's own column names came from whoever wrote it: guarded like the values.
    super::export::write_cells(&mut w, &header_row).map_err(|e| file_err(out, e))?;
    let mut n = 0u64;
    for_each_reject(store, report, out, &mut |r: &Reject| {
        let mut cells = vec![r.line.to_string(), r.column.clone().unwrap_or_default(), r.reason.clone()];
        cells.extend(r.record.iter().cloned());
        n += 1;
        super::export::write_cells(&mut w, &cells).map_err(|e| file_err(out, e))
    })?;
    w.flush().map_err(|e| file_err(out, e))?;
    Ok(n)
}

/// Every reject of the import in line order: those it recorded (a run already done, or the part of an
/// interrupted one a dry run goes on from), then a dry run's own.
fn for_each_reject(
    store: &Store,
    report: &ImportReport,
    out: &Path,
    write: &mut dyn FnMut(&Reject) -> Result<()>,
) -> Result<()> {
    if let Some(id) = report.run_id.as_ref().or(report.resumed_run.as_ref()) {
        {
            let mut stmt = store.conn().prepare(
                "SELECT line, column_name, reason, record FROM import_rejects WHERE run_id = ?1 ORDER BY line",
            )?;
            let mut rows = stmt.query([id])?;
            while let Some(row) = rows.next()? {
                let record: String = row.get(3)?;
                write(&Reject {
                    line: row.get::<_, i64>(0)? as u64,
                    column: row.get(1)?,
                    reason: row.get(2)?,
                    record: serde_json::from_str(&record).unwrap_or_default(),
                })?;
            }
        }
    }
    if report.dry_run {
        for r in report.dry_rejects.iter().map_err(|e| file_err(out, e))? {
            write(&from_record(r.map_err(|e| file_err(out, e))?))?;
        }
    }
    Ok(())
}

/// A JSON import's rejects as JSON lines: each record as the file had it, with `leadline_line`,
/// `leadline_column` and `leadline_error` added (an import of this file ignores them), so the file imports
/// again once fixed, or once what the records name is there.
fn write_json_rejects(store: &Store, report: &ImportReport, out: &Path) -> Result<u64> {
    use std::io::Write as _;
    let file = super::paths::create_owner_only(out).map_err(|e| file_err(out, e))?;
    let mut w = std::io::BufWriter::new(file);
    let mut n = 0u64;
    for_each_reject(store, report, out, &mut |r: &Reject| {
        let mut record = match r.record.first().map(|t| serde_json::from_str::<serde_json::Value>(t)) {
            Some(Ok(serde_json::Value::Object(o))) => o,
            _ => serde_json::Map::new(),
        };
        record.insert("leadline_line".into(), r.line.into());
        record.insert("leadline_column".into(), r.column.clone().into());
        record.insert("leadline_error".into(), r.reason.clone().into());
        writeln!(w, "{}", serde_json::Value::Object(record)).map_err(|e| file_err(out, e))?;
        n += 1;
        Ok(())
    })?;
    w.flush().map_err(|e| file_err(out, e))?;
    Ok(n)
}

/// A vCard file's rejected cards as vCards again, each saying where and why in an `X-LEADLINE-ERROR`
/// property (which an import ignores): fixed in an editor, the file imports as it is.
fn write_vcard_rejects(store: &Store, report: &ImportReport, out: &Path) -> Result<u64> {
    use std::io::Write as _;
    let file = super::paths::create_owner_only(out).map_err(|e| file_err(out, e))?;
    let mut w = std::io::BufWriter::new(file);
    let mut n = 0u64;
    for_each_reject(store, report, out, &mut |r: &Reject| {
        let card = r.record.first().map(String::as_str).unwrap_or("");
        let mut lines: Vec<&str> = card.lines().filter(|l| !l.trim().is_empty()).collect();
        if lines.last().is_some_and(|l| l.trim().eq_ignore_ascii_case("END:VCARD")) {
            lines.pop();
        }
        if !lines.first().is_some_and(|l| l.trim().eq_ignore_ascii_case("BEGIN:VCARD")) {
            lines.insert(0, "BEGIN:VCARD");
        }
        let column = r.column.as_deref().map(|c| format!("{c}: ")).unwrap_or_default();
        // A vCard value escapes its commas, semicolons and line breaks.
        let said = format!("line {}, {column}{}", r.line, r.reason)
            .replace('\\', "\\\\")
            .replace(',', "\\,")
            .replace(';', "\\;")
            .replace('\n', "\\n");
        let text = format!("{}\r\nX-LEADLINE-ERROR:{said}\r\nEND:VCARD\r\n", lines.join("\r\n"));
        w.write_all(text.as_bytes()).map_err(|e| file_err(out, e))?;
        n += 1;
        Ok(())
    })?;
    w.flush().map_err(|e| file_err(out, e))?;
    Ok(n)
}

/// A tiny Bloom filter over duplicate keys: most rows match nothing, and this answers "surely not" without
/// a query; a "maybe" is confirmed in the database. About 2 bytes per key. Blocked: a key's four bits lie in
/// one 64-bit word, so a look-up costs one memory access rather than four scattered ones (a million-row
/// import asks seven times a row); the few more false "maybe"s each cost one indexed query.
struct Bloom {
    words: Vec<u64>,
}

impl Bloom {
    /// 16 MB at most, whatever the file's size: past about eight million keys "maybe" just comes more often.
    const MAX_WORDS: usize = 1 << 21;

    fn new(keys: usize) -> Self {
        let words = (keys.max(64_000) * 16).div_ceil(64).next_power_of_two().min(Self::MAX_WORDS);
        Self { words: vec![0; words] }
    }

    /// The key's word and its four bits there, from the key's hash (`Writer::hash`).
    fn position(&self, h: u64) -> (usize, u64) {
        let word = (h >> 32) as usize & (self.words.len() - 1);
        let bits = (1u64 << (h & 63)) | (1 << ((h >> 6) & 63)) | (1 << ((h >> 12) & 63)) | (1 << ((h >> 18) & 63));
        (word, bits)
    }

    fn insert(&mut self, h: u64) {
        let (w, bits) = self.position(h);
        self.words[w] |= bits;
    }

    fn maybe(&self, h: u64) -> bool {
        let (w, bits) = self.position(h);
        self.words[w] & bits == bits
    }
}

/// Which leads have which duplicate key, in memory: what a bulk load asks instead of the e-mail, phone and
/// account indexes, which it lifts (a random B-tree write per index per row, the largest cost of a load
/// into a small database) and builds once at its end. Each slot is a key's 32-bit fingerprint and the lead's
/// row number, 8 bytes; every candidate is confirmed in the database by row number, so a shared fingerprint
/// only costs a look-up. Sized once from the file's line count, at most `KeyTable::MAX_SLOTS`: past that
/// the load builds the indexes and looks rows up there (memory stays bounded whatever the file's size).
struct KeyTable {
    slots: Vec<u64>,
    len: usize,
    shift: u32,
}

impl KeyTable {
    /// 32 MB: room for the keys of about a million rows (three keys a row).
    const MAX_SLOTS: usize = 1 << 22;

    /// A table for `keys` keys (at most three quarters full), capped at `MAX_SLOTS`.
    fn new(keys: usize) -> Self {
        let slots = (keys.max(1 << 12) * 4 / 3 + 1).next_power_of_two().min(Self::MAX_SLOTS);
        Self { slots: vec![0; slots], len: 0, shift: 64 - slots.trailing_zeros() }
    }

    fn entry(h: u64, seq: i64) -> u64 {
        (h << 32) | seq as u64
    }

    /// Records that lead `seq` has the key hashed `h`. False when the table is full or the row number does
    /// not fit: the caller goes back to the indexes.
    fn insert(&mut self, h: u64, seq: i64) -> bool {
        if seq <= 0 || seq > u32::MAX as i64 || (self.len + 1) * 4 > self.slots.len() * 3 {
            return false;
        }
        let entry = Self::entry(h, seq);
        let mask = self.slots.len() - 1;
        let mut i = (h >> self.shift) as usize;
        loop {
            match self.slots[i] {
                0 => {
                    self.slots[i] = entry;
                    self.len += 1;
                    return true;
                }
                e if e == entry => return true,
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// How many leads may have the key hashed `h`, counting no further than `most`.
    fn count_up_to(&self, h: u64, most: usize) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = (h >> self.shift) as usize;
        let mut n = 0;
        loop {
            match self.slots[i] {
                0 => return n,
                e if e >> 32 == h & 0xffff_ffff => {
                    n += 1;
                    if n >= most {
                        return n;
                    }
                }
                _ => {}
            }
            i = (i + 1) & mask;
        }
    }

    /// The row numbers of the leads that may have the key hashed `h`.
    fn candidates(&self, h: u64, out: &mut Vec<i64>) {
        let mask = self.slots.len() - 1;
        let mut i = (h >> self.shift) as usize;
        loop {
            match self.slots[i] {
                0 => return,
                e if e >> 32 == h & 0xffff_ffff => {
                    let seq = (e & 0xffff_ffff) as i64;
                    if !out.contains(&seq) {
                        out.push(seq);
                    }
                }
                _ => {}
            }
            i = (i + 1) & mask;
        }
    }
}

/// The indexes a load looks leads up by, lifted while the key table answers instead.
/// When the lead of this id was removed, if it was.
fn removed_at(db: &Db<'_>, id: &LeadId) -> crate::store::Result<Option<Timestamp>> {
    let at: Option<Option<i64>> = db
        .conn
        .prepare_cached("SELECT deleted_at FROM leads WHERE id = ?1")?
        .query_row([id.as_str()], |r| r.get(0))
        .optional()?;
    Ok(at.flatten().map(Timestamp))
}

/// Why a lead a file says was merged into the row's lead, but which is a lead of its own here, is staged,
/// and how sure that is: the file's own confidence is not taken, so a file cannot rank a pair above what
/// `dedupe --apply --min-confidence` merges unseen.
const MERGED_THERE: &str = "merged into it where the file comes from";
const MERGED_THERE_CONFIDENCE: i64 = 70;

/// How many deal amounts that read two ways the summary lists (it counts them all).
const AMOUNTS_READ_LISTED: usize = 5;

const LOOKUP_INDEXES: [&str; 3] = ["leads_by_email", "leads_by_phone", "leads_by_account"];

/// Name + company keys of a chunk's new leads kept in memory (a chunk is a few thousand rows; a bulk load
/// that lost its key table looks further ones up in the database).
const CHUNK_NAMES: usize = 50_000;

/// `name_company_key` as an SQL function on the importing connection.
const NAME_COMPANY_FN: &str = "leadline_name_company_key";

/// Applies items inside the chunk's transaction, keeping the caches and counts of the run.
struct Writer {
    opts: ImportOptions,
    run_id: String,
    hasher: std::collections::hash_map::RandomState,
    bloom: Bloom,
    /// During a bulk load: the duplicate keys in memory, while the look-up indexes are lifted.
    keys: Option<KeyTable>,
    /// The lifted look-up indexes, built again at the chunk's end or when the key table cannot answer.
    lifted: Option<bulk::IndexLift>,
    /// Candidates of a look-up, reused.
    found: Vec<i64>,
    accounts: HashMap<String, AccountId>,
    owners: HashMap<String, UserId>,
    pub counts: Counts,
    committed: Counts,
    unknown_owners: Vec<String>,
    kept_fields: Vec<&'static str>,
    stages_placed: Vec<String>,
    amounts_read: Vec<String>,
    /// What became of the team's name and time zone of a team export (None until its first member is read).
    team_settings: Option<Vec<String>>,
    unmatched: Vec<String>,
    actions: Spill<Action>,
    /// The actions of a row running in a savepoint, until it is kept.
    row_actions: Option<Vec<Action>>,
    dry_rejects: Spill<RejectRecord>,
    /// Existing leads edited while the FTS triggers were lifted: their index rows are refreshed at chunk end.
    touched_seqs: Vec<i64>,
    /// During a bulk load into an empty search index: that index and the new leads' tag rows, built
    /// beside the load.
    indexes: Option<bulk::IndexBuild>,
    /// The highest lead row number the duplicate keys know of: rows past it were written by someone else
    /// (another import, a `lead add`) between this import's transactions.
    seen_seq: i64,
    /// SQLite's count of commits by other connections, and when the keys were last brought up to date:
    /// when it moves, leads others edited since then are learned too (a new e-mail on an old lead).
    data_version: i64,
    caught_up_at: i64,
    /// The name + company keys of the leads this chunk created (not yet in the search index), while the
    /// key table is not there to answer: up to `CHUNK_NAMES`.
    chunk_names: HashMap<String, Vec<LeadId>>,
    rng: fastrand::Rng,
    /// A bulk load: one transaction whose changes are not announced row by row (like demo data, a million
    /// change notices would not fit the memory budget).
    pub bulk: bool,
    /// What a row the reader rejects was meant to be: a lead, or a meeting of a calendar.
    rows_are: &'static str,
    /// The e-mails of leads merged into others (kept as removed rows), and the lead each went into.
    merged_emails: HashMap<u64, (String, LeadId)>,
    /// The phones of leads merged into others, the lead each went into, and the merged lead's name key.
    merged_phones: MergedPhones,
    /// The leads on each switchboard's number met so far (by its first key): by name key, the earliest one's
    /// creation time, id, and whether it has an e-mail.
    switchboards: HashMap<String, HashMap<String, (i64, String, bool)>>,
    /// The current row's phone is a lead's of another name (a switchboard): staged, not merged.
    phone_namesake: Option<LeadId>,
    /// Rows of this run staged against each lead of the same name and company: a name that many leads have
    /// is a placeholder's ("Accounts Payable"), which `dedupe` pairs nobody by, so it stages nothing.
    staged_against: HashMap<LeadId, usize>,
    /// The hashed addresses of people who asked to be forgotten: a row with one is rejected.
    forgotten: std::collections::HashSet<String>,
    /// A calendar import's view of the whole file.
    calendar: Option<CalendarScope>,
    /// Meetings of a moved series that took a new occurrence's key, by lead and the key they had: the file
    /// no longer has that key, and its drop is already done.
    moved_occurrences: HashSet<(LeadId, String)>,
    /// Whether the lead had meetings of a series (by its UID) when this run first met the two.
    series_before: HashMap<(LeadId, String), bool>,
}

/// See `Writer::row_mark`.
struct RowMark {
    counts: Counts,
    stages_placed: usize,
    amounts_read: usize,
    unknown_owners: usize,
    kept_fields: usize,
    changes: usize,
    index: Option<u64>,
}

impl Writer {
    /// `rows` is how many rows the file may hold; `in_memory` asks for the key table (a bulk CSV load).
    fn new(
        store: &Store,
        opts: &ImportOptions,
        run_id: &str,
        rows: u64,
        existing: i64,
        in_memory: bool,
    ) -> Result<Self> {
        // The weak key in SQL, for confirming candidates (SQLite's lower() knows no accents). Nothing in the
        // schema refers to it; it lives on this connection only.
        store.conn().create_scalar_function(
            NAME_COMPANY_FN,
            3,
            FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
            |ctx| {
                let part = |i| ctx.get::<Option<String>>(i).map(Option::unwrap_or_default);
                Ok(name_company_key(&part(0)?, &part(1)?, &part(2)?))
            },
        )?;
        let expected = existing as usize * 3 + rows as usize * 3;
        let hasher = std::collections::hash_map::RandomState::new();
        let mut bloom = Bloom::new(expected);
        let mut keys = in_memory.then(|| KeyTable::new(expected));
        let mut seen_seq = 0;
        if existing > 0 {
            let mut stmt =
                store.conn().prepare(&format!("{KNOWN_LEADS} WHERE l.team_id = ?1 AND l.deleted_at IS NULL"))?;
            let mut rows = stmt.query([store.ctx().team_id.as_str()])?;
            while let Some(r) = rows.next()? {
                let seq: i64 = r.get(0)?;
                seen_seq = seen_seq.max(seq);
                for h in known_keys(&hasher, r)? {
                    bloom.insert(h);
                    if keys.as_mut().is_some_and(|t| !t.insert(h, seq)) {
                        keys = None;
                    }
                }
            }
        }
        let merged_emails = merged_emails(store.conn(), store.ctx().team_id.as_str(), &hasher)?;
        let merged_phones = merged_phones(store.conn(), store.ctx().team_id.as_str(), &hasher)?;
        store.conn().create_scalar_function(
            NAMES_DIFFER_FN,
            5,
            rusqlite::functions::FunctionFlags::SQLITE_UTF8 | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC,
            |ctx| {
                use crate::domain::text::{given_name, names_differ};
                let text =
                    |i: usize| -> rusqlite::Result<String> { Ok(ctx.get::<Option<String>>(i)?.unwrap_or_default()) };
                let (first, last, email) = (text(0)?, text(1)?, ctx.get::<Option<String>>(2)?);
                Ok(names_differ(given_name(&first, &last, email.as_deref()), (&text(3)?, &text(4)?)))
            },
        )?;
        // Other e-mails go in the Bloom filter under a kind of their own: a row's address is looked up in
        // `lead_emails` only when it may be one.
        for h in other_emails(store.conn(), store.ctx().team_id.as_str(), &hasher)? {
            bloom.insert(h);
        }
        Ok(Self {
            opts: opts.clone(),
            run_id: run_id.to_string(),
            hasher,
            bloom,
            keys,
            lifted: None,
            found: Vec::new(),
            accounts: HashMap::new(),
            owners: HashMap::new(),
            counts: Counts::default(),
            committed: Counts::default(),
            unknown_owners: Vec::new(),
            kept_fields: Vec::new(),
            stages_placed: Vec::new(),
            amounts_read: Vec::new(),
            team_settings: None,
            unmatched: Vec::new(),
            actions: Spill::default(),
            row_actions: None,
            dry_rejects: Spill::default(),
            touched_seqs: Vec::new(),
            indexes: None,
            chunk_names: HashMap::new(),
            seen_seq,
            data_version: store.conn().pragma_query_value(None, "data_version", |r| r.get(0))?,
            caught_up_at: store.now().0,
            bulk: false,
            rows_are: "leads",
            merged_emails,
            merged_phones,
            phone_namesake: None,
            switchboards: HashMap::new(),
            staged_against: HashMap::new(),
            forgotten: crate::store::forgotten::hashes(&store.db())?,
            calendar: None,
            moved_occurrences: HashSet::new(),
            series_before: HashMap::new(),
            // The low 64 bits of a v7 id are random: a seed from the system once.
            rng: fastrand::Rng::with_seed(uuid::Uuid::now_v7().as_u128() as u64),
        })
    }

    fn hash(&self, kind: &str, key: &str) -> u64 {
        self.hasher.hash_one((kind, key))
    }

    /// Learns the keys of leads written by others since the keys were last brought up to date. Called at
    /// the start of each transaction, which holds the database: nobody else writes until it ends.
    fn catch_up(&mut self, db: &Db<'_>) -> crate::store::Result<()> {
        // New rows by their row numbers (through the primary key); rows edited since the last look by
        // their time too, a scan made only when another connection has written.
        let version: i64 = db.conn.pragma_query_value(None, "data_version", |r| r.get(0))?;
        let team = db.ctx.team_id.as_str();
        let mut learned: Vec<(u64, i64)> = Vec::new();
        let mut last = self.seen_seq;
        let mut learn = |sql: &str, args: &[&dyn rusqlite::ToSql]| -> crate::store::Result<()> {
            let mut stmt = db.conn.prepare_cached(sql)?;
            let mut rows = stmt.query(args)?;
            while let Some(r) = rows.next()? {
                let seq: i64 = r.get(0)?;
                last = last.max(seq);
                learned.extend(known_keys(&self.hasher, r)?.into_iter().map(|h| (h, seq)));
            }
            Ok(())
        };
        learn(
            &format!("{KNOWN_LEADS} WHERE l.seq > ?1 AND l.team_id = ?2 AND l.deleted_at IS NULL"),
            &[&self.seen_seq, &team],
        )?;
        if version != self.data_version {
            learn(
                &format!(
                    "{KNOWN_LEADS} WHERE l.updated_at >= ?1 AND l.seq <= ?3 AND l.team_id = ?2 AND l.deleted_at IS NULL"
                ),
                &[&self.caught_up_at, &team, &self.seen_seq],
            )?;
        }
        for (h, seq) in learned {
            self.remember(db, h, seq)?;
        }
        if version != self.data_version {
            // Leads merged by someone else meanwhile, and addresses given to leads.
            self.merged_emails = merged_emails(db.conn, team, &self.hasher)?;
            self.merged_phones = merged_phones(db.conn, team, &self.hasher)?;
            for h in other_emails(db.conn, team, &self.hasher)? {
                self.bloom.insert(h);
            }
        }
        self.seen_seq = last;
        self.data_version = version;
        self.caught_up_at = db.now.0;
        Ok(())
    }

    /// Lifts the look-up indexes when the key table is there to answer instead (start of a chunk).
    fn lift_lookups(&mut self, db: &Db<'_>) -> crate::store::Result<()> {
        if self.keys.is_some() && self.lifted.is_none() {
            self.lifted = Some(bulk::IndexLift::begin(db.conn, &LOOKUP_INDEXES)?);
        }
        Ok(())
    }

    /// Builds the lifted look-up indexes and leaves the key table: from here on, rows are looked up in the
    /// database (at a chunk's end, when the table is full, or for a look-up it cannot answer).
    fn restore_lookups(&mut self, db: &Db<'_>) -> crate::store::Result<()> {
        self.keys = None;
        match self.lifted.take() {
            Some(l) => l.restore(db.conn),
            None => Ok(()),
        }
    }

    /// Records a key of lead `seq`: in the Bloom filter, and in the key table while there is one.
    fn remember(&mut self, db: &Db<'_>, h: u64, seq: i64) -> crate::store::Result<()> {
        self.seen_seq = self.seen_seq.max(seq);
        self.bloom.insert(h);
        if let Some(t) = self.keys.as_mut()
            && !t.insert(h, seq)
        {
            self.restore_lookups(db)?;
        }
        Ok(())
    }

    /// Of the leads the key table names for these hashes, the earliest created that `sql` confirms;
    /// `sql` takes the row number as ?1 and `rest` after it, and returns the id and created_at.
    fn confirm(
        &mut self,
        db: &Db<'_>,
        hashes: &[u64],
        sql: &str,
        rest: &[&dyn rusqlite::ToSql],
    ) -> crate::store::Result<Option<String>> {
        let mut found = std::mem::take(&mut self.found);
        found.clear();
        if let Some(t) = &self.keys {
            for h in hashes {
                t.candidates(*h, &mut found);
            }
        }
        let mut best: Option<(i64, String)> = None;
        let mut stmt = db.conn.prepare_cached(sql)?;
        for seq in &found {
            let mut p: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(rest.len() + 1);
            p.push(seq);
            p.extend_from_slice(rest);
            let hit: Option<(String, i64)> = stmt.query_row(&*p, |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
            if let Some((id, created)) = hit
                && best.as_ref().is_none_or(|(c, _)| created < *c)
            {
                best = Some((created, id));
            }
        }
        self.found = found;
        Ok(best.map(|(_, id)| id))
    }

    /// Puts the current keys of an existing lead the import changed into the Bloom filter (and the key
    /// table while there is one): a later row with its new e-mail is the same person.
    fn remember_lead(&mut self, db: &Db<'_>, id: &LeadId) -> crate::store::Result<()> {
        type Keys = (i64, Option<String>, Option<String>, Option<String>);
        let (seq, e, p, n): Keys = db
            .conn
            .prepare_cached(
                "SELECT l.seq, l.email_key, l.phone_key, l.first_name, l.last_name, a.name
                 FROM leads l LEFT JOIN accounts a ON a.id = l.account_id WHERE l.id = ?1",
            )?
            .query_row([id.as_str()], |r| {
                let company: Option<String> = r.get(5)?;
                let (f, l): (String, String) = (r.get(3)?, r.get(4)?);
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, company.map(|c| name_company_key(&f, &l, &c))))
            })?;
        for (kind, key) in [("e", e), ("p", p), ("n", n)] {
            if let Some(k) = key {
                let h = self.hash(kind, &k);
                self.remember(db, h, seq)?;
            }
        }
        Ok(())
    }

    /// A UUID v7 for a new lead: the time part from the clock, the rest from a generator seeded once
    /// (a system random call per row is a measurable share of a million-row import).
    fn new_id(&mut self, now: Timestamp) -> LeadId {
        let mut bytes = [0u8; 10];
        self.rng.fill(&mut bytes);
        LeadId(uuid::Builder::from_unix_timestamp_millis(now.0.max(0) as u64, &bytes).into_uuid().to_string())
    }

    fn commit_chunk(&mut self) {
        self.committed = self.counts.clone();
        self.chunk_names.clear();
    }

    fn rollback_chunk(&mut self) {
        self.counts = self.committed.clone();
        // Cached account ids may point at rows that were rolled back, and so may the key table.
        self.accounts.clear();
        self.keys = None;
        self.lifted = None;
        self.touched_seqs.clear();
        self.indexes = None;
        self.chunk_names.clear();
    }

    /// A lead as a dry run's list names it: by name, e-mail and company (its id would name nothing the rep
    /// can look up when it is one of the file's own rows, which the dry run does not keep).
    fn who(&self, db: &Db<'_>, id: &LeadId) -> String {
        if !self.opts.dry_run {
            return id.to_string();
        }
        match leads::get(db, id) {
            Ok(l) => {
                let mut who = l.name();
                if let Some(email) = &l.email {
                    who.push_str(&format!(" <{email}>"));
                }
                if let Some(company) = &l.company {
                    who.push_str(&format!(" at {company}"));
                }
                who
            }
            Err(_) => id.to_string(),
        }
    }

    fn act(&mut self, line: u64, object: &str, action: &str, subject: String, detail: String) {
        if self.opts.dry_run {
            let action = Action { line, object: object.into(), action: action.into(), subject, detail };
            match self.row_actions.as_mut() {
                Some(pending) => pending.push(action),
                None => self.actions.push(action),
            }
        }
    }

    /// A team export carries the team's name and time zone: a database being moved into (no leads yet)
    /// takes them; one already in use keeps its own, and the summary says what the file had. Only an admin's
    /// import reads them (the members are an admin's to add too).
    fn take_team_settings(&mut self, db: &Db<'_>, m: &json::MemberRec) -> crate::store::Result<()> {
        let mut said = Vec::new();
        if !teams::is_admin(db)? {
            self.team_settings = Some(said);
            return Ok(());
        }
        let (name_here, zone_here) = teams::settings(db)?;
        let in_use: bool = db.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM leads WHERE team_id = ?1)",
            [db.ctx.team_id.as_str()],
            |r| r.get(0),
        )?;
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        if let Some(zone) = given(&m.team_timezone).filter(|z| *z != zone_here) {
            let shown = crate::domain::error::one_printable_line(&zone);
            said.push(match crate::domain::time::parse_tz(&zone) {
                Err(_) => format!("the file's time zone '{shown}' is not one; {zone_here} stays"),
                Ok(_) if !in_use => {
                    teams::set_timezone(db, &zone)?;
                    format!("time zone {zone} (was {zone_here})")
                }
                Ok(_) => format!(
                    "the file's time zone is {zone}; {zone_here} stays, as this team has leads \
                     (`leadline team zone {zone}` takes it)"
                ),
            });
        }
        if let Some(name) = given(&m.team_name).filter(|n| *n != name_here) {
            let shown = crate::domain::error::one_printable_line(&name);
            said.push(match crate::domain::lead::check_label("team name", &name) {
                Err(e) => format!("the file's team name '{shown}' {}; {name_here} stays", e.reason),
                Ok(()) if !in_use => {
                    teams::set_team_name(db, &name)?;
                    format!("name {name} (was {name_here})")
                }
                Ok(()) => format!("the file's team is named {name}; {name_here} stays, as this team has leads"),
            });
        }
        self.team_settings = Some(said);
        Ok(())
    }

    /// Where the summary stands before a row that runs in a savepoint: what it adds is held back until it
    /// is kept, or taken back with it (`take_back_row`).
    fn row_mark(&mut self, db: &Db<'_>) -> RowMark {
        self.row_actions = Some(Vec::new());
        RowMark {
            counts: self.counts.clone(),
            stages_placed: self.stages_placed.len(),
            amounts_read: self.amounts_read.len(),
            unknown_owners: self.unknown_owners.len(),
            kept_fields: self.kept_fields.len(),
            changes: db.changes_mark(),
            index: self.indexes.as_ref().map(bulk::IndexBuild::mark),
        }
    }

    fn keep_row(&mut self) {
        for action in self.row_actions.take().unwrap_or_default() {
            self.actions.push(action);
        }
    }

    /// A row refused late leaves nothing in the summary: its counts, actions, notes and changes go with it.
    fn take_back_row(&mut self, db: &Db<'_>, mark: RowMark) {
        self.row_actions = None;
        self.counts = mark.counts;
        self.stages_placed.truncate(mark.stages_placed);
        self.amounts_read.truncate(mark.amounts_read);
        self.unknown_owners.truncate(mark.unknown_owners);
        self.kept_fields.truncate(mark.kept_fields);
        // A company the row made is gone with it, and so may be one it moved its lead from.
        self.accounts.clear();
        db.forget_changes_since(mark.changes);
        if let (Some(build), Some(index)) = (self.indexes.as_mut(), mark.index) {
            build.rollback_to(index);
        }
    }

    fn apply(&mut self, db: &Db<'_>, item: std::result::Result<Option<Item>, Reject>) -> crate::store::Result<()> {
        match item {
            Ok(None) => Ok(()),
            Err(reject) => self.reject(db, self.rows_are, reject),
            Ok(Some(Item::Lead(mut row))) => {
                let line = row.line;
                if row.forgotten_at.is_some() {
                    // Whatever else the file holds of a person it says was forgotten is not kept.
                    crate::io::privacy::erase_row(&mut row);
                }
                if let Some((column, reason)) = self.forgotten_refusal(db, &row)? {
                    // The file's other records about this lead (its notes, deals) are refused in turn; unless the
                    // id is a live lead's here (a hostile file's row would make another person unimportable).
                    if let Some(id) = &row.id
                        && leads::find(db, id)?.is_none()
                    {
                        let hash = crate::store::forgotten::id_hash(id.as_str());
                        crate::store::forgotten::remember_hashes(db, None, std::slice::from_ref(&hash), db.now)?;
                        self.forgotten.insert(hash);
                    }
                    // Nothing of the row is kept, not even for the rejects file: it is the person's data.
                    return self.reject(
                        db,
                        "leads",
                        Reject { line, column: Some(column.into()), reason, record: Vec::new() },
                    );
                }
                // Everything a plain row writes was validated before; a row that also brings a deal or a
                // touch runs in a savepoint so a late refusal takes back all of it.
                if row.deal.is_none() && row.profile_url.is_none() {
                    return match self.apply_lead(db, *row) {
                        Err(StoreError::Invalid(v)) => Err(StoreError::Refused(format!("line {line}: {v}"))),
                        other => other,
                    };
                }
                db.conn.prepare_cached("SAVEPOINT import_row")?.execute([])?;
                let mark = self.row_mark(db);
                match self.apply_lead(db, *row) {
                    Ok(()) => {
                        db.conn.prepare_cached("RELEASE import_row")?.execute([])?;
                        self.keep_row();
                        Ok(())
                    }
                    Err(StoreError::Invalid(v)) => {
                        db.conn.prepare_cached("ROLLBACK TO import_row")?.execute([])?;
                        db.conn.prepare_cached("RELEASE import_row")?.execute([])?;
                        self.take_back_row(db, mark);
                        let reject = Reject::invalid(line, &v, Vec::new());
                        self.reject(db, "leads", reject)
                    }
                    Err(e) => Err(e),
                }
            }
            Ok(Some(Item::Object(obj, raw))) => {
                let line = obj.line();
                let what = obj.kind();
                if let json::Object::Member(_, m) = obj.as_ref()
                    && self.team_settings.is_none()
                {
                    self.take_team_settings(db, m)?;
                }
                match json::apply(db, *obj) {
                    Ok(true) => {
                        self.tally(what).created += 1;
                        self.act(line, what, "create", String::new(), String::new());
                        Ok(())
                    }
                    Ok(false) => {
                        self.tally(what).skipped += 1;
                        self.act(line, what, "skip", String::new(), "already there".into());
                        Ok(())
                    }
                    Err(StoreError::Invalid(v)) => {
                        let reject = Reject::invalid(line, &v, raw);
                        self.reject(db, what, reject)
                    }
                    Err(StoreError::NotFound { what: w, reference }) => {
                        let reason = format!("{w} not found: {reference}");
                        self.reject(db, what, Reject { line, column: None, reason, record: raw })
                    }
                    Err(StoreError::Refused(reason)) => {
                        self.reject(db, what, Reject { line, column: None, reason, record: raw })
                    }
                    Err(e) => Err(e),
                }
            }
            Ok(Some(Item::Event(ev))) => self.apply_event(db, *ev),
            Ok(Some(Item::Refused(what, reject))) => self.reject(db, what, reject),
        }
    }

    /// Which field names a forgotten person, and why the row is not taken (None: it is taken): one of its
    /// addresses (those of the leads it says were merged into it are theirs too) or its profile.
    fn forgotten_refusal(&self, db: &Db<'_>, row: &LeadRow) -> crate::store::Result<Option<(&'static str, String)>> {
        if self.forgotten.is_empty() || row.forgotten_at.is_some() {
            return Ok(None);
        }
        let addresses = row.emails.iter().chain(row.merges.iter().filter_map(|m| m.merged_email.as_ref()));
        let addresses = addresses.flat_map(|e| crate::store::forgotten::address_hashes(e)).map(|h| ("email", h));
        let profile = row
            .profile()
            .filter(|p| crate::domain::lead::is_member_page(p))
            .map(|p| ("profile_url", crate::store::forgotten::profile_hash(&p)));
        let phones = row
            .phones
            .iter()
            .filter_map(|p| crate::store::forgotten::phone_lookup_hash(p, row.country.as_deref()))
            .map(|h| ("phone", h));
        for (field, hash) in addresses.chain(profile).chain(phones) {
            if self.forgotten.contains(&hash)
                && let Some(at) = crate::store::forgotten::forgotten_at_hash(db, &hash)?
            {
                let reason = crate::store::forgotten::refusal(at, db);
                let reason = match field {
                    "email" => reason,
                    "phone" => reason.replacen("the e-mail address", "the phone number", 1),
                    _ => reason.replacen("the e-mail address", "the profile", 1),
                };
                return Ok(Some((field, reason)));
            }
        }
        Ok(None)
    }

    fn tally(&mut self, object: &str) -> &mut Tally {
        match object {
            "outreach" => &mut self.counts.outreach,
            "meetings" => &mut self.counts.meetings,
            "deals" => &mut self.counts.deals,
            "tasks" => &mut self.counts.tasks,
            "notes" => &mut self.counts.notes,
            "team" => &mut self.counts.team,
            "inbox" => &mut self.counts.inbox,
            "privacy" => &mut self.counts.privacy,
            _ => &mut self.counts.leads,
        }
    }

    fn reject(&mut self, db: &Db<'_>, object: &'static str, mut reject: Reject) -> crate::store::Result<()> {
        // A row refused for any reason that names a forgotten person keeps nothing of them: not its values,
        // nor a reason that may quote one.
        if let Some(hash) = crate::store::forgotten::named_forgotten(&self.forgotten, &reject.record)
            .or_else(|| crate::store::forgotten::named_forgotten(&self.forgotten, std::slice::from_ref(&reject.reason)))
            && let Some(at) = crate::store::forgotten::forgotten_at_hash(db, &hash)?
        {
            reject.record.clear();
            reject.reason = crate::store::forgotten::row_refusal(at, db);
        }
        self.tally(object).rejected += 1;
        self.act(reject.line, object, "reject", reject.column.clone().unwrap_or_default(), reject.reason.clone());
        if self.opts.dry_run {
            self.dry_rejects.push(reject_record(reject));
        } else {
            db.conn
                .prepare_cached(
                    "INSERT OR REPLACE INTO import_rejects (run_id, line, column_name, reason, record)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![
                    self.run_id,
                    reject.line as i64,
                    reject.column,
                    reject.reason,
                    serde_json::to_string(&reject.record).unwrap_or_default()
                ])?;
        }
        Ok(())
    }

    /// The live lead whose own e-mail, or one of whose other e-mails, has this key.
    fn email_owner(&mut self, db: &Db<'_>, key: &str) -> crate::store::Result<Option<LeadId>> {
        let team = db.ctx.team_id.as_str();
        let h = self.hash("e", key);
        if self.bloom.maybe(h) {
            let found: Option<String> = if self.keys.is_some() {
                self.confirm(
                    db,
                    &[h],
                    "SELECT id, created_at FROM leads WHERE seq = ?1 AND team_id = ?2 AND email_key = ?3
                     AND deleted_at IS NULL",
                    &[&team, &key],
                )?
            } else {
                db.conn
                    .prepare_cached(
                        "SELECT id FROM leads WHERE team_id = ?1 AND email_key = ?2 AND deleted_at IS NULL",
                    )?
                    .query_row(params![team, key], |r| r.get(0))
                    .optional()?
            };
            if let Some(id) = found {
                return Ok(Some(LeadId(id)));
            }
        }
        if self.bloom.maybe(self.hash("o", key)) {
            return crate::store::lead_emails::owner(db, key);
        }
        Ok(None)
    }

    /// Gives a lead an address the row brings as another of its e-mails, unless a lead already has it.
    fn give_email(&mut self, db: &Db<'_>, lead: &LeadId, email: &str) -> crate::store::Result<bool> {
        let key = normalize_email(email);
        if let Some(owner) = self.email_owner(db, &key)? {
            // Another lead's address in this lead's record: the file says they are one person, which is not
            // merged blindly but staged for `leadline dedupe`.
            let origin = format!("import:{}", self.run_id);
            if owner != *lead && stage_candidate(db, lead, &owner, ONE_RECORD_BOTH_EMAILS, 80, &origin)? {
                self.counts.merge_candidates += 1;
            }
            return Ok(false);
        }
        crate::store::lead_emails::add_unchecked(db, lead, email)?;
        let h = self.hash("o", &key);
        self.bloom.insert(h);
        Ok(true)
    }

    /// The lead this row is exactly (same e-mail, then same phone), if any.
    fn exact_match(&mut self, db: &Db<'_>, row: &LeadRow) -> crate::store::Result<Option<(LeadId, &'static str)>> {
        let team = db.ctx.team_id.as_str();
        for e in &row.emails {
            if let Some(id) = self.email_owner(db, &normalize_email(e))? {
                return Ok(Some((id, "same e-mail")));
            }
        }
        // The e-mail of a lead merged into another one is still that person's (an opt-out it had went
        // with it).
        if !self.merged_emails.is_empty() {
            for e in &row.emails {
                let key = normalize_email(e);
                if let Some((merged, kept)) = self.merged_emails.get(&self.hash("e", &key))
                    && *merged == key
                    && let Some(id) = leads::survivor(db, kept)?
                {
                    return Ok(Some((id, "same e-mail as a lead merged into it")));
                }
            }
        }
        // A phone is one person only when the e-mails do not say otherwise: two people with addresses of
        // their own may share a number (a switchboard, a family line), and an e-mail that matched was
        // found above. Nor when the names do: "Carl Tres" on Ana Uno's number is a colleague of hers.
        let no_email = row.emails.is_empty();
        let (first, last) = if row.derived_name { ("", "") } else { (row.first_name.as_str(), row.last_name.as_str()) };
        self.phone_namesake = None;
        for p in &row.phones {
            let mut keys = match_keys(p, row.country.as_deref());
            // The phone of a lead merged into another is still that person's, as their e-mail is, for a row
            // with no address of its own (one with an address that matched nobody is someone else).
            for k in keys.iter().filter(|_| no_email && !self.merged_phones.is_empty()) {
                if let Some((stored, kept, (merged_first, merged_last))) = self.merged_phones.get(&self.hash("p", k))
                    && stored == k
                    && !crate::domain::text::names_differ((merged_first, merged_last), (first, last))
                    && let Some(id) = leads::survivor(db, kept)?
                {
                    return Ok(Some((id, "same phone as a lead merged into it")));
                }
            }
            let hashes: Vec<u64> = keys.iter().map(|k| self.hash("p", k)).filter(|h| self.bloom.maybe(*h)).collect();
            if hashes.is_empty() {
                continue;
            }
            // Five parameters whatever the number of forms (repeating the last one changes nothing).
            while keys.len() < 5 {
                keys.push(keys[keys.len() - 1].clone());
            }
            // A switchboard's number is many people's: only the same name on it is the same person.
            if self.switchboard(db, &hashes, &keys)? {
                if let Some(id) = self.on_switchboard(db, &hashes, &keys, (first, last), no_email)? {
                    return Ok(Some((id, "same phone and name")));
                }
                continue;
            }
            if let Some(id) = self.earliest_on_phone(db, &hashes, &keys, no_email, (first, last))? {
                return Ok(Some((id, "same phone")));
            }
            // The lead of another name on this number, to stage beside the row's own (no name differs from
            // none).
            if self.phone_namesake.is_none() {
                self.phone_namesake = self.earliest_on_phone(db, &hashes, &keys, no_email, ("", ""))?;
            }
        }
        // A profile URL is one person too (LinkedIn connections mostly come without an e-mail): the lead's
        // own, or one a touch of theirs was logged with.
        // Only a person's own page names one person (a company page several records give does not).
        if let Some(url) = row.profile().filter(|p| crate::domain::lead::is_member_page(p)) {
            if let Some(id) = self.profile_holder(db, &url)? {
                return Ok(Some((id, "same profile")));
            }
            let [a, b] = profile_forms(&url);
            let found: Option<String> = db
                .conn
                .prepare_cached(&format!(
                    "SELECT o.lead_id FROM outreach o JOIN leads l ON l.id = o.lead_id
                     WHERE o.kind = {} AND o.value IN (?1, ?2) AND o.deleted_at IS NULL
                       AND l.team_id = ?3 AND l.deleted_at IS NULL
                     ORDER BY l.created_at LIMIT 1",
                    OutreachKind::Social.code()
                ))?
                .query_row(params![a, b, team], |r| r.get(0))
                .optional()?;
            if let Some(id) = found {
                return Ok(Some((LeadId(id), "same profile")));
            }
        }
        Ok(None)
    }

    /// The earliest live lead on this number (any of its five forms) whose name does not differ from
    /// `name` and whose e-mail does not say otherwise (a row with an address of its own is not a lead with
    /// another): through the key table in a bulk load, which has lifted the index on phones.
    fn earliest_on_phone(
        &mut self,
        db: &Db<'_>,
        hashes: &[u64],
        keys: &[String],
        no_email: bool,
        (first, last): (&str, &str),
    ) -> crate::store::Result<Option<LeadId>> {
        let team = db.ctx.team_id.as_str();
        let found: Option<String> = if self.keys.is_some() {
            self.confirm(
                db,
                hashes,
                &format!(
                    "SELECT id, created_at FROM leads WHERE seq = ?1 AND team_id = ?2
                     AND phone_key IN (?3, ?4, ?5, ?6, ?10) AND deleted_at IS NULL AND (email_key IS NULL OR ?7)
                     AND NOT {NAMES_DIFFER_FN}(first_name, last_name, email, ?8, ?9)"
                ),
                &[&team, &keys[0], &keys[1], &keys[2], &keys[3], &no_email, &first, &last, &keys[4]],
            )?
        } else {
            db.conn
                .prepare_cached(&format!(
                    "SELECT id FROM leads WHERE team_id = ?1 AND phone_key IN (?2, ?3, ?4, ?5, ?9) AND deleted_at IS NULL
                     AND (email_key IS NULL OR ?6) AND NOT {NAMES_DIFFER_FN}(first_name, last_name, email, ?7, ?8)
                     ORDER BY created_at LIMIT 1"
                ))?
                .query_row(params![team, keys[0], keys[1], keys[2], keys[3], no_email, first, last, keys[4]], |r| r.get(0))
                .optional()?
        };
        Ok(found.map(LeadId))
    }

    /// The lead of this name on a switchboard's number (the earliest), from the leads on it, read once per
    /// number and kept up to date as the import adds others (`note_on_switchboard`).
    fn on_switchboard(
        &mut self,
        db: &Db<'_>,
        hashes: &[u64],
        keys: &[String],
        (first, last): (&str, &str),
        no_email: bool,
    ) -> crate::store::Result<Option<LeadId>> {
        let name = crate::domain::text::name_key(first, last);
        if name.is_empty() {
            return Ok(None);
        }
        if !self.switchboards.contains_key(&keys[0]) {
            let mut on_it: HashMap<String, (i64, String, bool)> = HashMap::new();
            let mut take = |id: String, created: i64, name: Option<String>, has_email: bool| {
                let Some(name) = name else { return };
                let entry = on_it.entry(name).or_insert((created, id.clone(), has_email));
                if created < entry.0 {
                    *entry = (created, id, has_email);
                }
            };
            let cols = "id, created_at, name_key, email_key IS NOT NULL";
            match &self.keys {
                // A bulk load has lifted the phone index: the key table names the leads on the number.
                Some(t) => {
                    let mut seqs = Vec::new();
                    for h in hashes {
                        t.candidates(*h, &mut seqs);
                    }
                    let mut stmt = db.conn.prepare_cached(&format!(
                        "SELECT {cols} FROM leads WHERE seq = ?1 AND deleted_at IS NULL AND phone_key IN (?2, ?3, ?4, ?5, ?6)"
                    ))?;
                    for seq in seqs {
                        if let Some((id, created, name, has_email)) = stmt
                            .query_row(params![seq, keys[0], keys[1], keys[2], keys[3], keys[4]], |r| {
                                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                            })
                            .optional()?
                        {
                            take(id, created, name, has_email);
                        }
                    }
                }
                None => {
                    let mut stmt = db.conn.prepare_cached(&format!(
                        "SELECT {cols} FROM leads WHERE team_id = ?1 AND phone_key IN (?2, ?3, ?4, ?5, ?6)
                         AND deleted_at IS NULL"
                    ))?;
                    let mut rows =
                        stmt.query(params![db.ctx.team_id.as_str(), keys[0], keys[1], keys[2], keys[3], keys[4]])?;
                    while let Some(r) = rows.next()? {
                        take(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
                    }
                }
            }
            self.switchboards.insert(keys[0].clone(), on_it);
        }
        Ok(self.switchboards[&keys[0]]
            .get(&name)
            .filter(|(_, _, has_email)| no_email || !has_email)
            .map(|(_, id, _)| LeadId(id.clone())))
    }

    /// A lead the import added on a switchboard's number, for the rows after it (`on_switchboard`).
    fn note_on_switchboard(&mut self, row: &LeadRow, id: &LeadId) {
        let Some(phone) = row.phones.first().filter(|_| !self.switchboards.is_empty()) else { return };
        let Some(key) = match_keys(phone, row.country.as_deref()).into_iter().next() else { return };
        if let Some(on_it) = self.switchboards.get_mut(&key) {
            let name = crate::domain::text::name_key(&row.first_name, &row.last_name);
            on_it.entry(name).or_insert((i64::MAX, id.0.clone(), row.own_email().is_some()));
        }
    }

    /// Whether more leads than one person has records share this number (`dedupe::SWITCHBOARD`).
    fn switchboard(&self, db: &Db<'_>, hashes: &[u64], keys: &[String]) -> crate::store::Result<bool> {
        let limit = super::dedupe::SWITCHBOARD;
        if let Some(t) = &self.keys {
            // Leads are held under the one form their number was written in: the forms' counts add up.
            let mut left = limit;
            for h in hashes {
                let here = t.count_up_to(*h, left + 1);
                if here > left {
                    return Ok(true);
                }
                left -= here;
            }
            return Ok(false);
        }
        let sharing: i64 = db
            .conn
            .prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM leads WHERE team_id = ?1 AND phone_key IN (?2, ?3, ?4, ?5, ?7)
                 AND deleted_at IS NULL LIMIT ?6)",
            )?
            .query_row(
                params![db.ctx.team_id.as_str(), keys[0], keys[1], keys[2], keys[3], limit as i64 + 1, keys[4]],
                |r| r.get(0),
            )?;
        Ok(sharing as usize > limit)
    }

    /// The live lead that holds this profile as its own, if any.
    fn profile_holder(&self, db: &Db<'_>, profile: &str) -> crate::store::Result<Option<LeadId>> {
        let [a, b] = profile_forms(profile);
        Ok(db
            .conn
            .prepare_cached(
                "SELECT id FROM leads WHERE team_id = ?3 AND profile_url IN (?1, ?2) AND deleted_at IS NULL
                 ORDER BY created_at, id LIMIT 1",
            )?
            .query_row(params![a, b, db.ctx.team_id.as_str()], |r| r.get(0))
            .optional()?
            .map(LeadId))
    }

    /// A lead with the same name at the same company: maybe the same person, never merged blindly.
    /// `key` is the row's `name_company_key`.
    fn weak_match(&mut self, db: &Db<'_>, row: &LeadRow, key: Option<&str>) -> crate::store::Result<Option<LeadId>> {
        let (Some(company), Some(key)) = (row.company.as_deref(), key) else { return Ok(None) };
        let h = self.hash("n", key);
        if row.derived_name || !self.bloom.maybe(h) {
            return Ok(None);
        }
        let team = db.ctx.team_id.as_str();
        if self.keys.is_some() {
            return Ok(self
                .confirm(
                    db,
                    &[h],
                    &format!(
                        "SELECT l.id, l.created_at FROM leads l JOIN accounts a ON a.id = l.account_id
                         WHERE l.seq = ?1 AND a.team_id = ?2 AND a.deleted_at IS NULL AND l.deleted_at IS NULL
                           AND {NAME_COMPANY_FN}(l.first_name, l.last_name, a.name) = ?3"
                    ),
                    &[&team, &key],
                )?
                .map(LeadId));
        }
        // Candidates through the search index, which folds accents and case as the key does: every word of
        // the name and the company (few leads have them all), then the key itself.
        let core = crate::domain::text::company_core(company);
        let words: Vec<String> = format!("{} {} {core}", row.first_name, row.last_name)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| format!("\"{w}\""))
            .collect();
        // Of every lead found, the earliest created, the first written among equals (as the key table's
        // confirmation picks in a bulk load).
        let mut found: Vec<(i64, i64, String)> = Vec::new();
        if !words.is_empty() {
            found.extend(
                db.conn
                    .prepare_cached(&format!(
                        "SELECT l.created_at, l.seq, l.id FROM lead_fts f CROSS JOIN leads l ON l.seq = f.rowid
                         JOIN accounts a ON a.id = l.account_id
                         WHERE lead_fts MATCH ?1 AND l.team_id = ?2 AND l.deleted_at IS NULL AND a.deleted_at IS NULL
                           AND {NAME_COMPANY_FN}(l.first_name, l.last_name, a.name) = ?3
                         ORDER BY l.created_at LIMIT 1"
                    ))?
                    .query_row(params![words.join(" AND "), team, key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()?,
            );
        }
        // Leads of this chunk are not in the search index until it ends: those it created by their key in
        // memory (each confirmed as it is now: a later row may have renamed it), others through the
        // company's own name (few leads each), then the key.
        for id in self.chunk_names.get(key).into_iter().flatten() {
            found.extend(
                db.conn
                    .prepare_cached(&format!(
                        "SELECT l.created_at, l.seq, l.id FROM leads l JOIN accounts a ON a.id = l.account_id
                         WHERE l.id = ?1 AND l.deleted_at IS NULL AND a.deleted_at IS NULL
                           AND {NAME_COMPANY_FN}(l.first_name, l.last_name, a.name) = ?2"
                    ))?
                    .query_row(params![id.as_str(), key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()?,
            );
        }
        found.extend(
            db.conn
                .prepare_cached(&format!(
                    "SELECT l.created_at, l.seq, l.id FROM accounts a JOIN leads l INDEXED BY leads_by_account ON l.account_id = a.id
                     WHERE a.team_id = ?1 AND a.name_key = ?2 AND a.deleted_at IS NULL AND l.deleted_at IS NULL
                       AND {NAME_COMPANY_FN}(l.first_name, l.last_name, a.name) = ?3
                     ORDER BY l.created_at LIMIT 1"
                ))?
                .query_row(params![team, crate::domain::text::fold(company), key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?,
        );
        Ok(found.into_iter().min().map(|(_, _, id)| LeadId(id)))
    }

    /// Records the keys of a row in the Bloom filter (and, for a lead just created as row `seq`, in the key
    /// table). `email_key` is the row's first e-mail normalised and `name_key` its `name_company_key`, when
    /// the caller has them already.
    fn remember_keys(
        &mut self,
        db: &Db<'_>,
        row: &LeadRow,
        seq: Option<i64>,
        phone_saved: Option<&str>,
        email_key: Option<&str>,
        name_key: Option<&str>,
    ) -> crate::store::Result<()> {
        let e = match email_key {
            Some(e) => Some(self.hash("e", e)),
            None => row.own_email().map(|e| self.hash("e", &normalize_email(e))),
        };
        let p = phone_saved.and_then(stored_key).map(|p| self.hash("p", &p));
        let n = match name_key {
            Some(k) => Some(self.hash("n", k)),
            None => row.company.as_ref().map(|c| self.hash("n", &name_company_key(&row.first_name, &row.last_name, c))),
        };
        for h in [e, p, n].into_iter().flatten() {
            match seq {
                Some(seq) => self.remember(db, h, seq)?,
                None => self.bloom.insert(h),
            }
        }
        Ok(())
    }

    /// The member a row names as owner: by the owner's e-mail when the file gives it (a name may be another
    /// member's, or spelt otherwise, in this team, so it is not tried then), else by name; the importing
    /// user when that is nobody here, and the owner is listed as unknown.
    fn owner(&mut self, db: &Db<'_>, row: &LeadRow) -> crate::store::Result<UserId> {
        let given = |r: &Option<String>| r.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
        let (reference, shown) = match (given(&row.owner_email), given(&row.owner)) {
            (Some(email), Some(name)) => (email.clone(), format!("{name} <{email}>")),
            (Some(only), None) | (None, Some(only)) => (only.clone(), only),
            (None, None) => return Ok(db.ctx.user_id.clone()),
        };
        self.member_named(db, reference, shown)
    }

    /// The member `reference` (a name or an e-mail) names; the importing user when that is nobody here, and
    /// `shown` is listed as an unknown owner.
    fn member_named(&mut self, db: &Db<'_>, reference: String, shown: String) -> crate::store::Result<UserId> {
        if let Some(u) = self.owners.get(&reference) {
            return Ok(u.clone());
        }
        let user = match teams::resolve_exact(db, &reference) {
            Ok(u) => u,
            Err(StoreError::NotFound { .. } | StoreError::Ambiguous { .. }) => {
                if !self.unknown_owners.contains(&shown) {
                    self.unknown_owners.push(shown);
                }
                db.ctx.user_id.clone()
            }
            Err(e) => return Err(e),
        };
        self.owners.insert(reference, user.clone());
        Ok(user)
    }

    fn account(&mut self, db: &Db<'_>, name: &str, row: &LeadRow) -> crate::store::Result<AccountId> {
        let key = crate::domain::text::fold(name);
        if let Some(a) = self.accounts.get(&key) {
            return Ok(a.clone());
        }
        let id = accounts::find_or_create(db, name, row.industry.as_deref(), row.company_size.as_deref())?;
        if self.accounts.len() > 100_000 {
            self.accounts.clear();
        }
        self.accounts.insert(key, id.clone());
        Ok(id)
    }

    fn apply_lead(&mut self, db: &Db<'_>, mut row: LeadRow) -> crate::store::Result<()> {
        if row.deleted_at_source {
            self.counts.leads.skipped += 1;
            let email = row.emails.first().cloned().unwrap_or_default();
            self.act(row.line, "leads", "skip", email, "deleted where the file comes from".into());
            return Ok(());
        }
        // Another CRM's deal stage becomes the pipeline stage it most likely means, or the first one; the
        // summary lists each stage placed so.
        if let Some(deal) = row.deal.as_mut()
            && let Some(closed) = match deal.status {
                Some(DealStatus::Won) => Some(&db.ctx.stages.won_stage),
                Some(DealStatus::Lost) => Some(&db.ctx.stages.lost_stage),
                _ => None,
            }
        {
            // A deal the file says is won or lost is closed, whatever stage it was last in before.
            deal.stage = Some(closed.clone());
        } else if let Some(deal) = row.deal.as_mut()
            && let Some(stage) = deal.stage.take()
        {
            let placed = db.ctx.stages.closest(&stage).unwrap_or(db.ctx.stages.first()).to_string();
            if !placed.eq_ignore_ascii_case(stage.trim()) {
                let note = format!("{} → {placed}", stage.trim());
                if !self.stages_placed.contains(&note) {
                    self.stages_placed.push(note);
                }
            }
            deal.stage = Some(placed);
        }
        // Who the row is, for the dry run's list of actions (the only place that shows it).
        let subject = match row.emails.first() {
            _ if !self.opts.dry_run => String::new(),
            Some(e) => format!("{} {} <{e}>", row.first_name, row.last_name).replace("  ", " "),
            None => format!("{} {}", row.first_name, row.last_name).trim().to_string(),
        };
        // A row carrying its own leadline id (an export coming back) is that lead, if it exists, or the lead it
        // was merged into since. One removed here stays removed: the row is refused, saying so.
        let by_id = match &row.id {
            Some(id) => match leads::find(db, id)? {
                Some(l) => Some((l.id, "same id")),
                // Most ids are new here: the merges are only looked through for one this database removed.
                None => match removed_at(db, id)? {
                    None => None,
                    Some(at) => match leads::survivor(db, id)? {
                        Some(s) => Some((s, "same id as a lead merged into it")),
                        None => {
                            let reason = format!(
                                "is lead {id}, removed here on {}; it is not brought back",
                                at.local(db.ctx.tz)
                            );
                            let line = row.line;
                            return self.reject(
                                db,
                                "leads",
                                Reject { line, column: Some("id".into()), reason, record: Vec::new() },
                            );
                        }
                    },
                },
            },
            None => None,
        };
        let matched = match by_id {
            Some(m) => Some(m),
            None => self.exact_match(db, &row)?,
        };
        if let Some((existing, why)) = matched {
            return self.apply_duplicate(db, &existing, row, why, subject);
        }
        let name_key = row.company.as_deref().map(|c| name_company_key(&row.first_name, &row.last_name, c));
        let weak = self.weak_match(db, &row, name_key.as_deref())?;
        let id = self.create_lead(db, &row, name_key.as_deref())?;
        if !row.derived_name {
            self.note_on_switchboard(&row, &id);
        }
        if let Some(key) = name_key
            && self.keys.is_none()
            && self.chunk_names.len() < CHUNK_NAMES
        {
            self.chunk_names.entry(key).or_default().push(id.clone());
        }
        self.counts.leads.created += 1;
        self.act(row.line, "leads", "create", subject.clone(), String::new());
        if let Some(other) = weak {
            let staged = self.staged_against.entry(other.clone()).or_default();
            *staged += 1;
            let staged = *staged;
            let origin = format!("import:{}", self.run_id);
            if staged < super::dedupe::SWITCHBOARD {
                if stage_candidate(db, &other, &id, super::dedupe::SAME_NAME_AND_COMPANY, 75, &origin)? {
                    self.counts.merge_candidates += 1;
                }
                let who = self.who(db, &other);
                self.act(row.line, "leads", "stage", subject.clone(), format!("same name and company as {who}"));
            } else if staged == super::dedupe::SWITCHBOARD {
                // One lead more than one person has records: the pairs staged for the name go again.
                let dropped = db
                    .conn
                    .prepare_cached(
                        "DELETE FROM merge_candidates WHERE origin = ?1 AND reason = ?2 AND (lead_a = ?3 OR lead_b = ?3)",
                    )?
                    .execute(params![origin, super::dedupe::SAME_NAME_AND_COMPANY, other.as_str()])?;
                self.counts.merge_candidates = self.counts.merge_candidates.saturating_sub(dropped as u64);
            }
        }
        if let Some(other) = self.phone_namesake.take() {
            if stage_candidate(db, &other, &id, SAME_PHONE_OTHER_NAME, 40, &format!("import:{}", self.run_id))? {
                self.counts.merge_candidates += 1;
            }
            let who = self.who(db, &other);
            self.act(row.line, "leads", "stage", subject.clone(), format!("same phone as {who}, another name"));
        }
        self.extras(db, &id, &row, &subject)?;
        if !self.bulk {
            db.emit(Change::LeadCreated(id));
        }
        Ok(())
    }

    fn create_lead(&mut self, db: &Db<'_>, row: &LeadRow, name_key: Option<&str>) -> crate::store::Result<LeadId> {
        let owner = self.owner(db, row)?;
        let account = match &row.company {
            Some(c) => Some(self.account(db, c, row)?),
            None => None,
        };
        let id = row.id.clone().unwrap_or_else(|| self.new_id(Timestamp::now()));
        let email = row.own_email().map(String::as_str);
        let email_key = email.map(normalize_email);
        let phone = row.phones.first().map(String::as_str);
        let tags = join_tags(&row.tags);
        let dnc = row.do_not_contact.unwrap_or(false);
        let created = row.created_at.unwrap_or(db.now);
        let notes = extra_contact_notes(row, None);
        db.conn
            .prepare_cached(
                "INSERT INTO leads (id, team_id, first_name, last_name, email, email_key, phone, title, account_id,
                 source, product_interest, industry, company_size, tags, owner_id, lifecycle, do_not_contact,
                 do_not_contact_at, do_not_contact_reason, notes, manual_contact_at, created_at, updated_at, name_key,
                 forgotten_at, profile_url)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                 ?21, ?22, ?23, ?24, ?25, ?26)",
            )?
            .execute(params![
                id.as_str(),
                db.ctx.team_id.as_str(),
                row.first_name.trim(),
                row.last_name.trim(),
                email,
                email_key,
                phone,
                row.title,
                account.as_ref().map(AccountId::as_str),
                row.source,
                row.product_interest,
                row.industry,
                row.company_size,
                tags,
                owner.as_str(),
                row.lifecycle.unwrap_or(Lifecycle::Lead).as_str(),
                dnc,
                // A file's opt-out date, never later than now (as an update takes it).
                dnc.then_some(row.do_not_contact_at.map_or(db.now, |at| at.min(db.now)).0),
                if dnc {
                    Some(row.do_not_contact_reason.clone().unwrap_or_else(|| "opted out (imported)".into()))
                } else {
                    None
                },
                notes,
                row.last_activity.map(|t| t.0),
                created.0,
                row.updated_at.unwrap_or(created).0,
                // A forgotten person has no name to sort or look up by.
                row.forgotten_at.is_none().then(|| crate::domain::text::name_key(&row.first_name, &row.last_name)),
                row.forgotten_at.map(|t| t.0),
                row.forgotten_at.is_none().then(|| row.profile()).flatten(),
            ])?;
        let seq = db.conn.last_insert_rowid();
        if let Some(at) = row.forgotten_at {
            crate::store::forgotten::remember_hashes(db, Some(&id), &row.forgotten_addresses, at)?;
            self.forgotten.extend(row.forgotten_addresses.iter().cloned());
        }
        // The row's further addresses are the lead's other e-mails (those no other lead has), searched as
        // its own is.
        let mut searched = email.map(std::borrow::Cow::Borrowed);
        for e in row.other_emails().iter().filter(|_| row.forgotten_at.is_none()) {
            if Some(normalize_email(e)) != email_key && self.give_email(db, &id, e)? {
                searched = Some(std::borrow::Cow::Owned(match searched {
                    Some(s) => format!("{s} {}", e.trim()),
                    None => e.trim().to_string(),
                }));
            }
        }
        if row.forgotten_at.is_some() {
            // Kept for the counts only: out of the search index (its trigger, when not lifted, put it there).
            db.conn.prepare_cached("DELETE FROM lead_fts WHERE rowid = ?1")?.execute([seq])?;
        } else if let Some(build) = self.indexes.as_mut() {
            build.push(
                seq,
                &bulk::IndexedLead {
                    id: id.as_str(),
                    first_name: row.first_name.trim(),
                    last_name: row.last_name.trim(),
                    email: searched.as_deref(),
                    phone,
                    company: row.company.as_deref().map(str::trim),
                    title: row.title.as_deref(),
                    tags: &tags,
                },
            );
        } else if !row.tags.is_empty() {
            let mut ins = db.conn.prepare_cached("INSERT OR IGNORE INTO lead_tags (tag, lead_id) VALUES (?1, ?2)")?;
            for t in &row.tags {
                ins.execute(params![t, id.as_str()])?;
            }
        }
        if let Some(score) = row.score.filter(|s| *s != 0) {
            // A score carried by the file (leadline's own export) until the rules recompute it.
            db.conn
                .prepare_cached(
                    "INSERT INTO lead_scores (seq, score, priority) VALUES (?1, ?2, ?2)
                     ON CONFLICT (seq) DO UPDATE SET score = excluded.score, priority = excluded.priority",
                )?
                .execute(params![seq, score])?;
        }
        if row.last_activity.is_some() {
            contact::refresh(db, &id)?;
        }
        // The privacy log tells what the file tells: when and why the person opted out, or was forgotten (an
        // erasure's opt-out is the erasure, logged once, below).
        let erasure_opt_out = row.forgotten_at.is_some()
            && row.do_not_contact_reason.as_deref().is_some_and(|r| r.starts_with(super::privacy::ERASED_REASON));
        if dnc && !erasure_opt_out {
            let why = match row.do_not_contact_reason.as_deref() {
                Some(r) => format!("{r}{AS_THE_FILE_SAYS}"),
                None => OPTED_OUT_IN_THE_FILE.to_string(),
            };
            let at = row.do_not_contact_at.map_or(db.now, |at| at.min(db.now));
            leads::log_inferred_privacy(db, &id, "opt_out", Some(&why), at)?;
        }
        if let Some(at) = row.forgotten_at {
            leads::log_inferred_privacy(db, &id, "forget", Some(FORGOTTEN_WHERE_THE_FILE_COMES_FROM), at)?;
        }
        if let Some(churn) = &row.churn {
            crate::automation::clients::record_imported_churn(
                db,
                &id,
                churn.status,
                churn.at,
                churn.reason.as_deref(),
            )?;
        }
        self.remember_keys(db, row, Some(seq), phone, email_key.as_deref(), name_key)?;
        Ok(id)
    }

    fn apply_duplicate(
        &mut self,
        db: &Db<'_>,
        existing: &LeadId,
        row: LeadRow,
        why: &str,
        subject: String,
    ) -> crate::store::Result<()> {
        let mode = self.opts.on_duplicate;
        if mode == OnDuplicate::Skip {
            self.counts.leads.skipped += 1;
            let who = self.who(db, existing);
            self.act(row.line, "leads", "skip", subject, format!("{why} as {who}"));
            return Ok(());
        }
        let lead = leads::get(db, existing)?;
        // The file says this person was forgotten where it comes from: nothing of the row is taken, and
        // erasing them here too is the rep's call.
        if row.forgotten_at.is_some() && lead.forgotten_at.is_none() {
            self.counts.leads.skipped += 1;
            let detail = format!("forgotten where the file comes from; `leadline forget {existing}` erases them here");
            self.act(row.line, "leads", "skip", subject, detail);
            return Ok(());
        }
        // A person who was forgotten is never filled in again from an older file: their erasure stands.
        if lead.forgotten_at.is_some() {
            self.counts.leads.skipped += 1;
            self.act(row.line, "leads", "skip", subject, format!("{existing} was forgotten; not imported again"));
            return Ok(());
        }
        let mut patch = LeadPatch::default();
        let mut filled: Vec<&str> = Vec::new();
        // What the file says otherwise and a merge leaves as the lead has it (a new phone or note is kept
        // in the notes instead).
        let mut kept: Vec<&'static str> = Vec::new();
        let update = mode == OnDuplicate::Update;
        let mut set = |name: &'static str, current: &Option<String>, new: &Option<String>| -> Option<String> {
            let current = current.as_deref().filter(|c| !c.is_empty());
            match new.as_ref().map(|v| v.trim()).filter(|v| !v.is_empty()) {
                Some(v) if current.is_none() || (update && current != Some(v)) => {
                    filled.push(name);
                    Some(v.to_string())
                }
                Some(v) if current != Some(v) && !matches!(name, "notes" | "phone") => {
                    kept.push(name);
                    None
                }
                _ => None,
            }
        };
        patch.title = set("title", &lead.title, &row.title);
        patch.company = set("company", &lead.company, &row.company);
        patch.source = if lead.source.is_none() { set("source", &lead.source, &row.source) } else { None };
        patch.industry = set("industry", &lead.industry, &row.industry);
        patch.company_size = set("company_size", &lead.company_size, &row.company_size);
        patch.product_interest = set("product_interest", &lead.product_interest, &row.product_interest);
        patch.notes = set("notes", &lead.notes, &row.notes);
        patch.phone = set("phone", &lead.phone, &row.phones.first().cloned());
        // A profile another lead holds stays theirs: the file's word that both are one person is staged.
        let profile = row.profile();
        let held_by = match &profile {
            Some(p) if crate::domain::lead::is_member_page(p) => {
                self.profile_holder(db, p)?.filter(|holder| holder != existing)
            }
            _ => None,
        };
        match held_by {
            Some(holder) => {
                let origin = format!("import:{}", self.run_id);
                if stage_candidate(db, existing, &holder, ONE_RECORD_SAME_PROFILE, 80, &origin)? {
                    self.counts.merge_candidates += 1;
                }
            }
            None => patch.profile_url = set("profile_url", &lead.profile_url, &profile),
        }
        // Only an e-mail no other lead has (as its own or another one) can move in.
        if let Some(e) = row.own_email()
            && (lead.email.is_none() || (update && !row.email_from_others && lead.email.as_deref() != Some(e.as_str())))
            && self.email_owner(db, &normalize_email(e))?.is_none_or(|owner| owner == *existing)
        {
            patch.email = Some(e.clone());
            filled.push("email");
        }
        // The file's note beside the lead's own (a merge keeps what the rep typed and adds what it lacks),
        // once: the same file again adds nothing.
        if patch.notes.is_none()
            && let (Some(mine), Some(theirs)) = (
                lead.notes.as_deref().filter(|n| !n.trim().is_empty()),
                row.notes.as_deref().map(str::trim).filter(|n| !n.is_empty()),
            )
            && !mine.contains(theirs)
        {
            patch.notes = Some(format!("{mine}\n\n{theirs}"));
            filled.push("notes");
        }
        // A phone or e-mail in the file that differs from the lead's own is kept as a line of its notes (as
        // extra addresses of a new row are), never dropped.
        let mut extra: Vec<String> = Vec::new();
        let mine = lead.phone.as_deref().map(|p| match_keys(p, row.country.as_deref())).unwrap_or_default();
        let new_number = |theirs: &str| !match_keys(theirs, row.country.as_deref()).iter().any(|k| mine.contains(k));
        let extensions = &row.phone_extensions;
        if let Some(theirs) = row.phones.first()
            && lead.phone.is_some()
            && patch.phone.is_none()
            && new_number(theirs)
            && !extensions.iter().any(|(n, _)| n == theirs)
        {
            extra.push(format!("phone: {theirs}"));
        }
        // The file's further numbers, as a new lead keeps them (`extra_contact_notes`).
        for p in row.phones.iter().skip(1).filter(|p| new_number(p) && !extensions.iter().any(|(n, _)| n == *p)) {
            extra.push(format!("phone: {p}"));
        }
        for (p, x) in extensions {
            extra.push(format!("phone: {p} ext. {x}"));
        }
        let base = patch.notes.clone().or_else(|| lead.notes.clone()).unwrap_or_default();
        extra.retain(|line| !base.lines().any(|l| l == line));
        if !extra.is_empty() {
            patch.notes =
                Some(if base.is_empty() { extra.join("\n") } else { format!("{base}\n{}", extra.join("\n")) });
            if !filled.contains(&"notes") {
                filled.push("notes");
            }
        }
        // An empty name in the file (or no name column at all) is no value: it never blanks the lead's.
        if update && !row.derived_name {
            if !row.first_name.trim().is_empty() && lead.first_name != row.first_name.trim() {
                patch.first_name = Some(row.first_name.trim().to_string());
                filled.push("first_name");
            }
            if !row.last_name.trim().is_empty() && lead.last_name != row.last_name.trim() {
                patch.last_name = Some(row.last_name.trim().to_string());
                filled.push("last_name");
            }
        }
        // Another person's name on the address (a successor in the role, a shared inbox): the lead's name
        // stands, and the summary says the file differs in it.
        if !update && !row.derived_name && {
            use crate::domain::text::{given_name, names_differ};
            let theirs = given_name(&lead.first_name, &lead.last_name, lead.email.as_deref());
            names_differ(theirs, (row.first_name.trim(), row.last_name.trim()))
        } {
            kept.push("name");
        }
        if update
            && let Some(l) = row.lifecycle
            && l.as_str() != lead.lifecycle
        {
            patch.lifecycle = Some(l);
            filled.push("lifecycle");
        }
        if update && (row.owner.is_some() || row.owner_email.is_some()) {
            let owner = self.owner(db, &row)?;
            if lead.owner_id.as_deref() != Some(owner.as_str()) {
                patch.owner = Some(owner.0);
                filled.push("owner");
            }
        }
        let new_tags: Vec<String> = row.tags.iter().filter(|t| !lead.tags.contains(t)).cloned().collect();
        if !new_tags.is_empty() {
            patch.add_tags = new_tags;
            filled.push("tags");
        }
        // An opt-out in the file is always honoured; an opt-in never undoes the rep's opt-out.
        if row.do_not_contact == Some(true) && !lead.do_not_contact {
            patch.do_not_contact = Some(true);
            patch.do_not_contact_reason =
                Some(row.do_not_contact_reason.clone().unwrap_or_else(|| "opted out (imported)".into()));
            patch.do_not_contact_at = row.do_not_contact_at;
            filled.push("do_not_contact");
        }
        let changed = !patch.is_empty();
        // The lead's e-mail from here on: the file's, when the patch gives it one.
        let own = patch.email.clone().or_else(|| lead.email.clone()).map(|e| normalize_email(&e));
        if changed {
            if patch.email.is_some() {
                // The store refuses a second lead with the same e-mail by looking it up in the index.
                self.restore_lookups(db)?;
            }
            // A later row finds the lead by what it now has (an e-mail, a phone, a company).
            let new_keys = patch.email.is_some()
                || patch.phone.is_some()
                || patch.company.is_some()
                || patch.first_name.is_some()
                || patch.last_name.is_some();
            let left_company = patch.company.is_some().then(|| lead.account_id.clone()).flatten();
            leads::update(db, existing, patch)?;
            // The company it left may be gone with it (`accounts::drop_if_unused`): never handed out again.
            if let Some(left) = left_company {
                self.accounts.retain(|_, id| id.0 != left);
            }
            if new_keys || self.keys.is_some() {
                self.remember_lead(db, existing)?;
            }
            self.touched_seqs.push(lead.seq);
        }
        // The row's addresses the lead is not written to are its other e-mails (an address it was written
        // to before an update is one too). Those it has already need no look-up.
        let known = |e: &str| {
            let key = normalize_email(e);
            own.as_deref() == Some(key.as_str()) || lead.other_emails.iter().any(|o| normalize_email(o) == key)
        };
        let mut gave_email = false;
        for e in row.emails.iter().chain(lead.email.as_ref()).filter(|e| !known(e)) {
            gave_email |= self.give_email(db, existing, e)?;
        }
        if gave_email {
            db.conn
                .prepare_cached("UPDATE leads SET updated_at = ?2 WHERE id = ?1")?
                .execute(params![existing.as_str(), db.now.0])?;
            self.touched_seqs.push(lead.seq);
            if !filled.contains(&"other_emails") {
                filled.push("other_emails");
            }
        }
        let changed = changed || gave_email;
        let extra = self.extras(db, existing, &row, &subject)?;
        if let Some(t) = row.last_activity
            && lead.last_contacted_at.is_none_or(|l| l < t)
        {
            leads::touch(db, existing, t)?;
        }
        if let Some(p) = row.phones.first() {
            self.remember_keys(db, &row, None, Some(p), None, None)?;
        }
        let mut detail = format!(
            "{why} as {}; {}",
            lead.label(),
            if filled.is_empty() { "nothing new".into() } else { filled.join(", ") }
        );
        if !kept.is_empty() {
            detail.push_str(&format!("; the lead's {} kept", kept.join(", ")));
            self.counts.kept_values += 1;
            for field in kept {
                if !self.kept_fields.contains(&field) {
                    self.kept_fields.push(field);
                }
            }
        }
        if changed || extra {
            if update {
                self.counts.leads.updated += 1;
                self.act(row.line, "leads", "update", subject, detail);
            } else {
                self.counts.leads.merged += 1;
                self.act(row.line, "leads", "merge", subject, detail);
            }
        } else {
            self.counts.leads.skipped += 1;
            self.act(row.line, "leads", "skip", subject, detail);
        }
        Ok(())
    }

    /// The merges a lead was made of where the file comes from, recorded here too (`dedupe --explain`): each
    /// merged lead as a removed row named as it was, then the merge. Only what is new here is written, and
    /// only under this lead: a merge must hang from the row's lead or from a lead merged into it earlier in
    /// the list, and name a lead this database does not have. So a file can neither attach a merge to
    /// another lead nor take over one this database has. A merged lead that is a live lead here (an earlier
    /// copy brought it before the merge) is not merged blindly: it is staged with this lead for `leadline
    /// dedupe`. Returns how many merges were recorded.
    fn restore_merges(
        &mut self,
        db: &Db<'_>,
        lead: &LeadId,
        row: &LeadRow,
        subject: &str,
    ) -> crate::store::Result<usize> {
        let Some(file_id) = &row.id else { return Ok(0) };
        // Each lead's merges, by the lead they went into, walked from the row's lead down.
        let mut into: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, m) in row.merges.iter().enumerate() {
            into.entry(m.kept_id.as_str()).or_default().push(i);
        }
        let mut taken = vec![false; row.merges.len()];
        // A lead reached is one of this row's (`true`: recorded here, so merges may hang from it) or a live
        // lead here that was staged (`false`: what was merged into it is only looked for among live leads).
        let mut queue: std::collections::VecDeque<(&str, bool)> = [(file_id.as_str(), true)].into();
        while let Some((kept, ours)) = queue.pop_front() {
            for &i in into.remove(kept).iter().flatten() {
                let m = &row.merges[i];
                let here: Option<(bool, bool, bool)> = db
                    .conn
                    .prepare_cached(
                        "SELECT team_id = ?2, deleted_at IS NULL, forgotten_at IS NOT NULL FROM leads WHERE id = ?1",
                    )?
                    .query_row(params![m.merged_id, db.ctx.team_id.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()?;
                match here {
                    None if ours => {}
                    // Live here, and not this lead: the same person, perhaps; the rep decides.
                    Some((true, true, false)) if m.merged_id != lead.as_str() => {
                        let merged = LeadId(m.merged_id.clone());
                        let origin = format!("import:{}", self.run_id);
                        if stage_candidate(db, lead, &merged, MERGED_THERE, MERGED_THERE_CONFIDENCE, &origin)? {
                            self.counts.merge_candidates += 1;
                        }
                        self.act(row.line, "leads", "stage", subject.to_string(), format!("{MERGED_THERE}: {merged}"));
                        queue.push_back((m.merged_id.as_str(), false));
                        continue;
                    }
                    _ => continue,
                }
                db.conn
                    .prepare_cached(
                        "INSERT INTO leads (id, team_id, first_name, last_name, email, email_key, created_at,
                         updated_at, deleted_at) VALUES (?1, ?2, ?3, '', ?4, ?5, ?6, ?6, ?6)",
                    )?
                    .execute(params![
                        m.merged_id,
                        db.ctx.team_id.as_str(),
                        m.merged_name,
                        m.merged_email,
                        m.merged_email.as_deref().map(normalize_email),
                        m.created_at.0
                    ])?;
                taken[i] = true;
                queue.push_back((m.merged_id.as_str(), true));
            }
        }
        // The merges of the leads taken, in the file's order. What is left hangs from no lead of this row's,
        // and is not attached anywhere.
        for (m, _) in row.merges.iter().zip(&taken).filter(|(_, taken)| **taken) {
            let kept = if m.kept_id == file_id.as_str() { lead.clone() } else { LeadId(m.kept_id.clone()) };
            let by = m.by_id.as_deref().map(|u| crate::store::teams::author_by_id(db, u)).transpose()?.flatten();
            db.conn
                .prepare_cached(
                    "INSERT INTO merge_log (id, team_id, user_id, kept_id, merged_id, reason, confidence, details,
                     created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )?
                .execute(params![
                    uuid::Uuid::now_v7().to_string(),
                    db.ctx.team_id.as_str(),
                    by.as_ref().map(UserId::as_str),
                    kept.as_str(),
                    m.merged_id,
                    m.reason,
                    m.confidence,
                    m.details_json(),
                    m.created_at.0
                ])?;
        }
        Ok(taken.iter().filter(|t| **t).count())
    }

    /// The touches and deals a row implies: the profile URL as social outreach, a deal. Idempotent: a second
    /// import of the same data adds nothing. Returns whether anything was added.
    fn extras(&mut self, db: &Db<'_>, lead: &LeadId, row: &LeadRow, subject: &str) -> crate::store::Result<bool> {
        let mut added = false;
        if !row.merges.is_empty() {
            added |= self.restore_merges(db, lead, row, subject)? > 0;
        }
        // A profile the file says the rep connected on (a LinkedIn connection) is a touch, dated then; any
        // other is only the lead's (`profile_url`): a contact card's or a CRM record's address is no contact
        // made, whenever the record was (its last activity is a contact of its own, `manual_contact_at`).
        if let (Some(url), Some(at)) = (&row.profile_url, row.connected_on) {
            let [a, b] = profile_forms(url);
            let exists: Option<i64> = db
                .conn
                .prepare_cached(
                    "SELECT 1 FROM outreach WHERE lead_id = ?1 AND kind = ?2 AND value IN (?3, ?4)
                     AND deleted_at IS NULL",
                )?
                .query_row(params![lead.as_str(), OutreachKind::Social.code(), a, b], |r| r.get(0))
                .optional()?;
            if exists.is_none() {
                let mut o = NewOutreach::new(lead.clone(), OutreachKind::Social);
                o.value = Some(url.clone());
                o.occurred_at = Some(at);
                o.description = Some("Connected on LinkedIn (imported)".into());
                outreach::log(db, o)?;
                self.counts.outreach.created += 1;
                self.act(row.line, "outreach", "create", subject.to_string(), format!("social {url}"));
                added = true;
            } else {
                self.counts.outreach.skipped += 1;
            }
        }
        if let Some(d) = &row.deal {
            // The same deal whatever the case and accents of its title (a lead has few deals to compare).
            let key = crate::domain::text::fold(&d.title);
            let titles: Vec<String> = db
                .conn
                .prepare_cached("SELECT title FROM deals WHERE lead_id = ?1 AND deleted_at IS NULL")?
                .query_map([lead.as_str()], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            if !titles.iter().any(|t| crate::domain::text::fold(t) == key) {
                let id = deals::create(
                    db,
                    deals::NewDeal {
                        lead: lead.clone(),
                        title: d.title.clone(),
                        amount: d.amount.clone(),
                        product: row.product_interest.clone(),
                        use_case: None,
                        stage: d.stage.clone(),
                        origin_outreach: None,
                    },
                )?;
                // Whose deal it is and since when, as the file says (the lead's owner and now otherwise).
                if let Some(owner) = d.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
                    let user = self.member_named(db, owner.to_string(), owner.to_string())?;
                    db.conn
                        .prepare_cached("UPDATE deals SET owner_id = ?2 WHERE id = ?1")?
                        .execute(params![id.as_str(), user.as_str()])?;
                }
                if let Some(made) = d.created_at.filter(|t| t.0 < db.now.0) {
                    db.conn
                        .prepare_cached("UPDATE deals SET created_at = ?2 WHERE id = ?1")?
                        .execute(params![id.as_str(), made.0])?;
                }
                if d.status.is_some_and(|s| s != DealStatus::Open) {
                    deals::record_closing(db, &id, d.closed_at, d.lost_reason.clone())?;
                }
                if let Some(reading) = &d.amount_read {
                    self.counts.amounts_two_ways += 1;
                    if self.amounts_read.len() < AMOUNTS_READ_LISTED {
                        self.amounts_read.push(format!("line {}: {reading}", row.line));
                    }
                }
                // A won deal is what made its person a customer (another CRM's export says so only this
                // way); a lifecycle the file gives, or a churn, stands. The customer record says since when.
                if d.status == Some(DealStatus::Won) {
                    if row.lifecycle.is_none() && leads::get(db, lead)?.lifecycle == Lifecycle::Lead.as_str() {
                        let patch = LeadPatch { lifecycle: Some(Lifecycle::Customer), ..Default::default() };
                        leads::update(db, lead, patch)?;
                    }
                    crate::automation::clients::record_imported_win(db, &deals::get(db, &id)?)?;
                }
                self.counts.deals.created += 1;
                let amount = d.amount.as_ref().map(|m| m.to_string()).unwrap_or_default();
                let status = match d.status {
                    Some(s @ (DealStatus::Won | DealStatus::Lost)) => format!(" ({})", s.as_str()),
                    _ => String::new(),
                };
                self.act(row.line, "deals", "create", subject.to_string(), format!("{} {amount}{status}", d.title));
                added = true;
            } else {
                self.counts.deals.skipped += 1;
                self.act(
                    row.line,
                    "deals",
                    "skip",
                    subject.to_string(),
                    format!("{}: the lead has it already", d.title),
                );
            }
        }
        if let Some(title) = &row.deleted_deal {
            self.counts.deals.skipped += 1;
            let detail = format!("{title}: deleted where the file comes from");
            self.act(row.line, "deals", "skip", subject.to_string(), detail);
        }
        Ok(added)
    }

    fn apply_event(&mut self, db: &Db<'_>, ev: ics::Occurrence) -> crate::store::Result<()> {
        if ev.beyond_window {
            for (lead, email) in self.booked_for(db, &ev.key)? {
                self.apply_meeting(db, &ev, &lead, &email)?;
            }
            return Ok(());
        }
        let mut matched = false;
        // A lead invited at two of their addresses has one meeting.
        let mut met: Vec<LeadId> = Vec::new();
        for email in &ev.attendees {
            // The rep and their colleagues are on every invitation; they are not leads.
            if crate::store::teams::is_member_address(db, email)? {
                continue;
            }
            let Some(lead) = crate::store::lead_emails::lead_with(db, email)? else {
                // A cancelled event with no lead in it is nothing to report.
                if !ev.cancelled && !self.unmatched.contains(email) {
                    self.unmatched.push(email.clone());
                }
                continue;
            };
            if met.contains(&lead) {
                continue;
            }
            met.push(lead.clone());
            matched = true;
            self.apply_meeting(db, &ev, &lead, email)?;
        }
        // A lead taken off the invitation, or who declined it, is not coming: an earlier import's meeting
        // with them goes, as a cancelled event's does.
        if !ev.cancelled && !ev.key.is_empty() {
            for (lead, email) in self.booked_for(db, &ev.key)?.into_iter().filter(|(lead, _)| !met.contains(lead)) {
                let booked = crate::store::meetings::by_calendar_key(db, &lead, &ev.key)?;
                let Some(m) = booked.filter(|m| m.attended.is_none()) else { continue };
                crate::store::meetings::remove(db, &m.id)?;
                self.counts.meetings.updated += 1;
                self.counts.meetings_dropped += 1;
                let why = format!("{email}: no longer invited, or declined");
                self.act(ev.line, "meetings", "cancel", ev.title.clone(), why);
                matched = true;
            }
        }
        if !matched {
            self.counts.meetings.skipped += 1;
            let why = if ev.cancelled { "cancelled" } else { "no attendee is a lead" };
            self.act(ev.line, "meetings", "skip", ev.title.clone(), why.into());
        }
        Ok(())
    }

    /// The leads (with an e-mail to name them by) whose meetings an earlier import booked for the event
    /// occurrence `key`, not yet marked held or missed.
    fn booked_for(&self, db: &Db<'_>, key: &str) -> crate::store::Result<Vec<(LeadId, String)>> {
        let mut stmt = db.conn.prepare_cached(
            "SELECT m.lead_id, ifnull(l.email, l.first_name) FROM meetings m JOIN leads l ON l.id = m.lead_id
             WHERE m.calendar_key = ?1 AND m.team_id = ?2 AND m.deleted_at IS NULL AND m.attended IS NULL
             ORDER BY m.id",
        )?;
        let rows = stmt.query_map(params![key, db.ctx.team_id.as_str()], |r| Ok((LeadId(r.get(0)?), r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One calendar event for one lead: booked, moved (the event was rescheduled), dropped (cancelled) or
    /// left as it is. The meeting is found by the event's key, else by its time among meetings that came
    /// from no event (booked by hand, or by an import from before keys were kept), which then take the key.
    /// A cancelled event is only ever matched by its key: at the same time there may well be the meeting
    /// of the invitation that replaced it.
    fn apply_meeting(
        &mut self,
        db: &Db<'_>,
        ev: &ics::Occurrence,
        lead: &LeadId,
        email: &str,
    ) -> crate::store::Result<()> {
        use crate::store::meetings;
        let by_key = match ev.key.is_empty() {
            true => None,
            false => meetings::by_calendar_key(db, lead, &ev.key)?,
        };
        // A no-show whose event moved later was rescheduled: it stays as history, and the new date is booked
        // beside it (or one the rep booked by hand at that time takes the event); the key finds the new one
        // from then on. A meeting that took place is history whatever becomes of its event.
        let by_key = by_key.filter(|m| ev.cancelled || m.attended != Some(false) || ev.start <= m.scheduled_at);
        let mut adopted = false;
        // The drop of a moved occurrence whose meeting a new occurrence took over (`moved_occurrence`).
        if ev.cancelled && by_key.is_none() && self.moved_occurrences.contains(&(lead.clone(), ev.key.clone())) {
            return Ok(());
        }
        let existing = match by_key {
            Some(m) => Some(m),
            None if ev.cancelled && !ev.key.is_empty() => None,
            None => {
                let at_time: Option<String> = db
                    .conn
                    .prepare_cached(
                        "SELECT id FROM meetings WHERE lead_id = ?1 AND scheduled_at = ?2 AND deleted_at IS NULL
                         AND calendar_key IS NULL",
                    )?
                    .query_row(params![lead.as_str(), ev.start.0], |r| r.get(0))
                    .optional()?;
                adopted = at_time.is_some();
                match at_time {
                    Some(id) => Some(meetings::get(db, &crate::domain::MeetingId(id))).transpose()?,
                    None => self.moved_occurrence(db, ev, lead)?,
                }
            }
        };
        // A meeting found by its time becomes this event's, unless the event drops it.
        if let Some(m) = existing.as_ref().filter(|_| adopted && !ev.key.is_empty() && !ev.cancelled) {
            meetings::set_calendar_key(db, &m.id, &ev.key)?;
        }
        let title = Some(ev.title.clone());
        match existing {
            // A meeting that took place (or did not) is history: a later change to the event leaves it.
            Some(m) if m.attended.is_some() => {
                self.counts.meetings.skipped += 1;
                self.act(ev.line, "meetings", "skip", ev.title.clone(), format!("{email}: already marked"));
            }
            Some(m) if ev.cancelled => {
                meetings::remove(db, &m.id)?;
                self.counts.meetings.updated += 1;
                self.counts.meetings_dropped += 1;
                self.act(ev.line, "meetings", "cancel", ev.title.clone(), format!("{email}: the event was cancelled"));
            }
            Some(m) if m.scheduled_at != ev.start || m.title != title => {
                meetings::reschedule(db, &m.id, ev.start, title)?;
                self.counts.meetings.updated += 1;
                self.act(
                    ev.line,
                    "meetings",
                    "update",
                    ev.title.clone(),
                    format!("{email}: now at {}", ev.start.zoned(db.ctx.tz)),
                );
            }
            Some(_) => {
                self.counts.meetings.skipped += 1;
                self.act(ev.line, "meetings", "skip", ev.title.clone(), format!("{email}: already there"));
            }
            None if ev.cancelled => {
                self.counts.meetings.skipped += 1;
                self.act(ev.line, "meetings", "skip", ev.title.clone(), "cancelled".into());
            }
            None => {
                let id = meetings::schedule(db, lead, ev.start, None, title)?;
                if !ev.key.is_empty() {
                    meetings::set_calendar_key(db, &id, &ev.key)?;
                }
                if let Some(attended) = ev.attended {
                    meetings::mark(db, &id, attended, None)?;
                }
                self.counts.meetings.created += 1;
                self.act(
                    ev.line,
                    "meetings",
                    "create",
                    ev.title.clone(),
                    format!("{email} at {}", ev.start.zoned(db.ctx.tz)),
                );
            }
        }
        Ok(())
    }

    /// A new occurrence of a series whose times moved (the whole series an hour later, or to another day)
    /// takes over the meeting of that series the file no longer has whose occurrence was nearest (by the
    /// time the key records): it keeps its id (and whatever a script knows it by) and is moved, rather than
    /// dropped and booked again. One already held stays as it was (history), but is still that occurrence,
    /// so nothing is booked beside it; so is a no-show, unless the occurrence moved later (a reschedule).
    fn moved_occurrence(
        &mut self,
        db: &Db<'_>,
        ev: &ics::Occurrence,
        lead: &LeadId,
    ) -> crate::store::Result<Option<crate::store::meetings::Meeting>> {
        let Some(scope) = self.calendar.as_ref().filter(|_| !ev.cancelled) else { return Ok(None) };
        let Some(produced) = scope.keys.get(&ev.uid).filter(|_| ev.key != ev.uid) else { return Ok(None) };
        // A series the lead had no meeting of when this run first met it has none to take over (the
        // meetings this run books are the file's own): asked once, not at every occurrence.
        let seen = (lead.clone(), ev.uid.clone());
        let had = match self.series_before.get(&seen) {
            Some(had) => *had,
            None => {
                let had: bool = db
                    .conn
                    .prepare_cached(
                        "SELECT EXISTS (SELECT 1 FROM meetings WHERE lead_id = ?1 AND deleted_at IS NULL
                         AND substr(calendar_key, 1, length(?2) + 1) = ?2 || '@')",
                    )?
                    .query_row(params![lead.as_str(), ev.uid], |r| r.get(0))?;
                self.series_before.insert(seen, had);
                had
            }
        };
        if !had {
            return Ok(None);
        }
        // A series occurrence's key is `uid@` and the instant it recurs at (`ics::parse`).
        let recurs_at = |key: &str| key.rsplit_once('@').and_then(|(_, t)| t.parse::<i64>().ok());
        let Some(new_at) = recurs_at(&ev.key) else { return Ok(None) };
        let candidates: Vec<(String, String)> = db
            .conn
            .prepare_cached(
                "SELECT id, calendar_key FROM meetings WHERE lead_id = ?1
                 AND substr(calendar_key, 1, length(?2) + 1) = ?2 || '@' AND deleted_at IS NULL
                 AND (attended IS NULL OR attended = 1 OR scheduled_at >= ?5)
                 AND scheduled_at BETWEEN ?3 AND ?4 ORDER BY scheduled_at, id",
            )?
            .query_map(params![lead.as_str(), ev.uid, scope.window.0.0, scope.window.1.0, ev.start.0], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let nearest = candidates
            .into_iter()
            .filter(|(_, key)| !produced.contains(key))
            .filter_map(|(id, key)| recurs_at(&key).map(|at| ((at - new_at).abs(), id, key)))
            .min_by_key(|(distance, _, _)| *distance);
        let Some((_, id, old_key)) = nearest else { return Ok(None) };
        let id = crate::domain::MeetingId(id);
        crate::store::meetings::set_calendar_key(db, &id, &ev.key)?;
        self.moved_occurrences.insert((lead.clone(), old_key));
        Ok(Some(crate::store::meetings::get(db, &id)?))
    }

    /// Refreshes the index rows of existing leads edited while the triggers were lifted.
    fn reindex(&mut self, db: &Db<'_>) -> crate::store::Result<()> {
        for seq in std::mem::take(&mut self.touched_seqs) {
            bulk::reindex_lead(db.conn, seq)?;
        }
        Ok(())
    }
}

/// The leads whose duplicate keys an import holds: row number, e-mail key, phone key, name, company.
const KNOWN_LEADS: &str = "SELECT l.seq, l.email_key, l.phone_key, l.first_name, l.last_name, a.name FROM leads l
     LEFT JOIN accounts a ON a.id = l.account_id";

/// The e-mails of the team's leads merged into others (kept as removed rows), by their hash as a duplicate
/// key, with the lead each went into.
fn merged_emails(
    conn: &rusqlite::Connection,
    team: &str,
    hasher: &std::collections::hash_map::RandomState,
) -> rusqlite::Result<HashMap<u64, (String, LeadId)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.email_key, m.kept_id FROM merge_log m JOIN leads l ON l.id = m.merged_id
         WHERE m.team_id = ?1 AND l.email_key IS NOT NULL AND l.deleted_at IS NOT NULL",
    )?;
    let rows = stmt.query_map([team], |r| Ok((r.get::<_, String>(0)?, LeadId(r.get(1)?))))?;
    rows.map(|r| r.map(|(key, kept)| (hasher.hash_one(("e", key.as_str())), (key, kept)))).collect()
}

/// By hashed phone key (kind "p"): the key, the lead the merged lead went into, and the merged lead's first
/// and last names.
type MergedPhones = HashMap<u64, (String, LeadId, (String, String))>;

/// The phone keys of leads merged into others (kind "p"), with the lead each went into and its name key.
fn merged_phones(
    conn: &rusqlite::Connection,
    team: &str,
    hasher: &std::collections::hash_map::RandomState,
) -> rusqlite::Result<MergedPhones> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.phone_key, m.kept_id, l.first_name, l.last_name FROM merge_log m JOIN leads l ON l.id = m.merged_id
         WHERE m.team_id = ?1 AND l.phone_key IS NOT NULL AND l.deleted_at IS NOT NULL",
    )?;
    let rows = stmt.query_map([team], |r| {
        Ok((r.get::<_, String>(0)?, LeadId(r.get(1)?), (r.get::<_, String>(2)?, r.get::<_, String>(3)?)))
    })?;
    rows.map(|r| r.map(|(key, kept, name)| (hasher.hash_one(("p", key.as_str())), (key, kept, name)))).collect()
}

/// The hashed keys (kind "o") of the team's other e-mails (`lead_emails`) of live leads.
fn other_emails(
    conn: &rusqlite::Connection,
    team: &str,
    hasher: &std::collections::hash_map::RandomState,
) -> rusqlite::Result<Vec<u64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.email_key FROM lead_emails e JOIN leads l ON l.id = e.lead_id
         WHERE e.team_id = ?1 AND l.deleted_at IS NULL",
    )?;
    let rows = stmt.query_map([team], |r| r.get::<_, String>(0))?;
    rows.map(|r| r.map(|key| hasher.hash_one(("o", key.as_str())))).collect()
}

/// The hashed duplicate keys of one `KNOWN_LEADS` row.
fn known_keys(hasher: &std::collections::hash_map::RandomState, r: &rusqlite::Row<'_>) -> rusqlite::Result<Vec<u64>> {
    let mut keys = Vec::with_capacity(3);
    if let Some(e) = r.get::<_, Option<String>>(1)? {
        keys.push(hasher.hash_one(("e", e.as_str())));
    }
    if let Some(p) = r.get::<_, Option<String>>(2)? {
        keys.push(hasher.hash_one(("p", p.as_str())));
    }
    if let Some(c) = r.get::<_, Option<String>>(5)? {
        let (f, l): (String, String) = (r.get(3)?, r.get(4)?);
        keys.push(hasher.hash_one(("n", name_company_key(&f, &l, &c).as_str())));
    }
    Ok(keys)
}

/// The values a profile may be stored under: its one form (every stored profile is in it, migration 009
/// rewrote the older ones), with and without a trailing slash.
fn profile_forms(url: &str) -> [String; 2] {
    let canonical = canonical_profile(url);
    let bare = canonical.trim_end_matches('/');
    [format!("{bare}/"), bare.to_string()]
}

/// Further e-mails and phones of a row that the lead's single fields cannot hold, kept in its notes.
fn extra_contact_notes(row: &LeadRow, existing: Option<&str>) -> Option<String> {
    let mut extra = Vec::new();
    // A number with an extension is one line, with it.
    for p in row.phones.iter().skip(1).filter(|p| !row.phone_extensions.iter().any(|(n, _)| n == *p)) {
        extra.push(format!("phone: {p}"));
    }
    for (p, x) in &row.phone_extensions {
        extra.push(format!("phone: {p} ext. {x}"));
    }
    let base = row.notes.clone().or_else(|| existing.map(str::to_string));
    match (base, extra.is_empty()) {
        (b, true) => b,
        (Some(b), false) => Some(format!("{b}\n{}", extra.join("\n"))),
        (None, false) => Some(extra.join("\n")),
    }
}

/// Tags as the leads table stores them (space-delimited, a space inside a tag kept as a unit separator).
pub(crate) fn join_tags(tags: &[String]) -> String {
    tags.iter().map(|t| t.replace(' ', "\u{1f}")).collect::<Vec<_>>().join(" ")
}

/// Why the privacy log entries a lead's import infers from its fields say what they say.
const AS_THE_FILE_SAYS: &str = " (as the imported file says)";
const OPTED_OUT_IN_THE_FILE: &str = "opted out in the imported file";
const FORGOTTEN_WHERE_THE_FILE_COMES_FROM: &str = "forgotten where the imported file comes from";

/// The import's SQL function: whether two names say two people (`domain::text::names_differ`).
const NAMES_DIFFER_FN: &str = "leadline_names_differ";
/// Why two leads are staged when a row has a lead's phone and another name.
pub const SAME_PHONE_OTHER_NAME: &str = "same phone, another name";

/// Why two leads are staged when one record of a file gives the e-mails of both.
const ONE_RECORD_BOTH_EMAILS: &str = "one record of an imported file gives the e-mails of both";
/// Why two leads are staged when a record matched to one gives the profile the other has.
const ONE_RECORD_SAME_PROFILE: &str =
    "one record of an imported file gives the e-mail of one and the profile of the other";

/// Records that two leads may be the same person, for `leadline dedupe` (once per pair); whether the pair is
/// new.
pub fn stage_candidate(
    db: &Db<'_>,
    a: &LeadId,
    b: &LeadId,
    reason: &str,
    confidence: i64,
    origin: &str,
) -> crate::store::Result<bool> {
    let (a, b) = if a.0 <= b.0 { (a, b) } else { (b, a) };
    let staged = db
        .conn
        .prepare_cached(
            "INSERT OR IGNORE INTO merge_candidates (id, team_id, lead_a, lead_b, reason, confidence, origin, created_at,
             updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        )?
        .execute(params![
            uuid::Uuid::now_v7().to_string(),
            db.ctx.team_id.as_str(),
            a.as_str(),
            b.as_str(),
            reason,
            confidence,
            origin,
            db.now.0
        ])?;
    Ok(staged > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Another connection gives an old lead an e-mail between two chunks of an import: a later row with
    /// that e-mail is the same person, though the import learned the leads' keys before the edit.
    #[test]
    fn a_lead_edited_by_someone_else_between_chunks_is_matched_by_its_new_email() {
        use crate::domain::Clock;
        use crate::store::leads::{self, LeadPatch, NewLead};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let config = crate::config::Config::defaults();
        let at = |ms: i64| Clock::Fixed(Timestamp(1_764_072_000_000 + ms));
        let mut store = Store::open(&path, &config, at(0)).unwrap();
        let ana = store
            .write(|db| {
                leads::create(db, NewLead { first_name: "Ana".into(), last_name: "Ruiz".into(), ..Default::default() })
            })
            .unwrap();
        let mut writer = Writer::new(&store, &ImportOptions::default(), "run", 10, 1, false).unwrap();
        let mut other = Store::open(&path, &config, at(60_000)).unwrap();
        other
            .write(|db| leads::update(db, &ana, LeadPatch { email: Some("ana@acme.es".into()), ..Default::default() }))
            .unwrap();
        let row =
            LeadRow { line: 2, first_name: "Ana".into(), emails: vec!["ANA@acme.es".into()], ..Default::default() };
        store
            .write(|db| {
                writer.catch_up(db)?;
                writer.apply(db, Ok(Some(Item::Lead(Box::new(row)))))
            })
            .unwrap();
        assert_eq!(writer.counts.leads.created, 0, "{:?}", writer.counts.leads);
        let leads: i64 = store.conn().query_row("SELECT count(*) FROM leads", [], |r| r.get(0)).unwrap();
        assert_eq!(leads, 1);
    }

    #[test]
    fn the_key_table_names_every_lead_with_a_key_and_says_when_it_is_full() {
        let mut t = KeyTable::new(10);
        let slots = t.slots.len();
        // Two leads share a key; a third key shares the first one's fingerprint and home slot.
        let (a, b) = (0x1234_5678_9abc_def0_u64, 0x0fed_cba9_8765_4321_u64);
        let same_fingerprint = (a & 0xffff_ffff_0000_0000) ^ (1 << 40) | (a & 0xffff_ffff);
        assert!(t.insert(a, 1) && t.insert(a, 2) && t.insert(a, 2) && t.insert(b, 3));
        assert!(t.insert(same_fingerprint, 4));
        let mut found = Vec::new();
        t.candidates(a, &mut found);
        assert!(found.contains(&1) && found.contains(&2) && !found.contains(&3), "{found:?}");
        found.clear();
        t.candidates(b, &mut found);
        assert_eq!(found, vec![3]);
        found.clear();
        t.candidates(0x5555_5555_5555_5555, &mut found);
        assert!(found.is_empty());
        // Row numbers beyond 32 bits and a table three quarters full are refused: the load goes to the indexes.
        assert!(!t.insert(b, 1 << 33));
        let mut n = 5;
        while t.insert((n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15), n) {
            n += 1;
        }
        assert_eq!(t.len, slots * 3 / 4);
    }
}
