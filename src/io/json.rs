//! leadline's own JSON / JSONL (the shape `leadline export` writes): leads, outreach, meetings, deals,
//! tasks and notes come back with their ids and times, so export then import into a new database gives the same data.

use std::cell::Cell;
use std::io::{BufRead, Read};
use std::path::Path;
use std::rc::Rc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use rusqlite::{OptionalExtension, params};
use serde::Deserialize;
use serde::de::{Deserializer as _, IgnoredAny, SeqAccess, Visitor};
use serde_json::Value;

use super::record::{LeadRow, Reject, RowRules, finish};
use super::text::{Sniff, open_json};
use super::{IoError, bad_file, file_err};
use crate::domain::lead::normalize_tag;
use crate::domain::outreach::validate_personalization;
use crate::domain::{
    DealId, Direction, LeadId, Lifecycle, OutreachKind, ReplyType, TaskKind, Timestamp, ValidationError,
};
use crate::store::{Change, Db, Result, StoreError, contact, leads};

#[derive(Debug, Deserialize)]
pub struct OutreachRec {
    pub id: String,
    pub lead_id: String,
    pub kind: String,
    pub value: String,
    pub description: Option<String>,
    pub occurred_at: Timestamp,
    pub direction: Option<String>,
    pub variant: Option<String>,
    pub personalization_level: Option<i64>,
    pub reply_type: Option<String>,
    #[serde(default)]
    pub cited_metric: bool,
    /// Who logged it: kept when they are a member here (the team imported first).
    pub user_id: Option<String>,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
    /// The time-based rules that acted on it where it comes from (`automation::run::rules_fired`).
    #[serde(default)]
    pub rules_fired: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct MeetingRec {
    pub id: String,
    pub lead_id: String,
    pub deal_id: Option<String>,
    pub title: Option<String>,
    pub scheduled_at: Timestamp,
    pub attended: Option<bool>,
    pub no_show_reason: Option<String>,
    pub created_at: Option<Timestamp>,
    /// Who booked it: kept when they are a member here.
    pub user_id: Option<String>,
    pub updated_at: Option<Timestamp>,
    /// The calendar event it came from (absent from older exports).
    #[serde(default)]
    pub calendar_key: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct DealRec {
    pub id: String,
    pub lead_id: String,
    pub title: String,
    pub product: Option<String>,
    pub use_case: Option<String>,
    pub amount_minor: i64,
    /// The amount as a person reads it ("1100.00"), which an export writes beside `amount_minor`.
    #[serde(default)]
    pub amount: Option<String>,
    pub currency: String,
    pub stage: String,
    pub status: Option<String>,
    pub lost_reason: Option<String>,
    pub closed_at: Option<Timestamp>,
    /// The open stage a closed deal was closed from (files of earlier versions do not say).
    #[serde(default)]
    pub closed_from: Option<String>,
    /// Its id in the CRM a file first brought it from (files of earlier versions do not say).
    #[serde(default)]
    pub source_ref: Option<String>,
    pub stage_entered_at: Option<Timestamp>,
    pub origin_outreach_id: Option<String>,
    pub owner_id: Option<String>,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
    /// Its place in its stage's column on the board.
    #[serde(default)]
    pub position: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub struct TaskRec {
    pub id: String,
    pub title: String,
    pub kind: Option<String>,
    pub due_at: Timestamp,
    pub snoozed_until: Option<Timestamp>,
    pub done_at: Option<Timestamp>,
    pub lead_id: Option<String>,
    pub deal_id: Option<String>,
    pub origin: Option<String>,
    pub channel: Option<String>,
    pub owner_id: Option<String>,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
    pub automation_key: Option<String>,
}

/// A record of one of the other objects, with the line it starts on.
pub enum Object {
    Outreach(u64, OutreachRec),
    Meeting(u64, MeetingRec),
    Deal(u64, DealRec),
    Task(u64, TaskRec),
    Note(u64, NoteRec),
    Member(u64, MemberRec),
    Inbox(u64, InboxRec),
    Privacy(u64, PrivacyRec),
}

/// An entry of the privacy log as its export writes it: an opt-out, opt-in, erasure, anonymisation, or an
/// address let in again (which names no lead).
#[derive(Debug, Deserialize)]
pub struct PrivacyRec {
    pub id: String,
    pub action: String,
    pub lead_id: Option<String>,
    /// About a lead removed before the export: the entry names no lead.
    #[serde(default)]
    pub about_removed_lead: bool,
    /// Who did it: kept when they are (or were) a member here.
    pub user_id: Option<String>,
    pub reason: Option<String>,
    pub created_at: Timestamp,
}

/// An inbox item as an inbox export writes it.
#[derive(Debug, Deserialize)]
pub struct InboxRec {
    pub id: String,
    pub kind: String,
    pub lead_id: Option<String>,
    pub channel: Option<String>,
    pub outreach_id: Option<String>,
    pub title: String,
    #[serde(default)]
    pub body: String,
    pub received_at: Timestamp,
    pub read_at: Option<Timestamp>,
    pub handled_at: Option<Timestamp>,
    pub assigned_to: Option<String>,
    /// When it was filed and last changed (absent from older exports).
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
}

/// A team member as a team export writes them.
#[derive(Debug, Deserialize)]
pub struct MemberRec {
    pub id: Option<String>,
    pub name: String,
    pub email: String,
    pub role: Option<String>,
    pub created_at: Option<Timestamp>,
    /// When they left the team (absent from older exports, which list only those still in it).
    #[serde(default)]
    pub removed_at: Option<Timestamp>,
    /// The team's name and time zone where the export was made (absent from older exports).
    #[serde(default)]
    pub team_name: Option<String>,
    #[serde(default)]
    pub team_timezone: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NoteRec {
    pub id: String,
    pub lead_id: Option<String>,
    pub deal_id: Option<String>,
    pub body: String,
    pub created_at: Option<Timestamp>,
    /// Who wrote it: kept when they are a member here.
    pub user_id: Option<String>,
    pub updated_at: Option<Timestamp>,
}

impl Object {
    /// The record's dates of what has happened, by field: none may lie ahead (a meeting or a task may be
    /// due ahead, but not held, missed or done there).
    fn happened(&self) -> Vec<(&'static str, Option<Timestamp>)> {
        match self {
            Object::Outreach(_, o) => {
                vec![("occurred_at", Some(o.occurred_at)), ("created_at", o.created_at), ("updated_at", o.updated_at)]
            }
            Object::Meeting(_, m) => vec![
                ("scheduled_at", m.attended.map(|_| m.scheduled_at)),
                ("created_at", m.created_at),
                ("updated_at", m.updated_at),
            ],
            Object::Deal(_, d) => vec![
                ("closed_at", d.closed_at),
                ("stage_entered_at", d.stage_entered_at),
                ("created_at", d.created_at),
                ("updated_at", d.updated_at),
            ],
            Object::Task(_, t) => {
                vec![("done_at", t.done_at), ("created_at", t.created_at), ("updated_at", t.updated_at)]
            }
            Object::Note(_, n) => vec![("created_at", n.created_at), ("updated_at", n.updated_at)],
            Object::Member(_, m) => vec![("created_at", m.created_at), ("removed_at", m.removed_at)],
            Object::Inbox(_, i) => vec![
                ("received_at", Some(i.received_at)),
                ("read_at", i.read_at),
                ("handled_at", i.handled_at),
                ("created_at", i.created_at),
                ("updated_at", i.updated_at),
            ],
            Object::Privacy(_, p) => vec![("created_at", Some(p.created_at))],
        }
    }

    pub fn line(&self) -> u64 {
        match self {
            Object::Outreach(l, _)
            | Object::Meeting(l, _)
            | Object::Deal(l, _)
            | Object::Task(l, _)
            | Object::Note(l, _)
            | Object::Member(l, _)
            | Object::Inbox(l, _)
            | Object::Privacy(l, _) => *l,
        }
    }
    pub fn kind(&self) -> &'static str {
        match self {
            Object::Outreach(..) => "outreach",
            Object::Meeting(..) => "meetings",
            Object::Deal(..) => "deals",
            Object::Task(..) => "tasks",
            Object::Note(..) => "notes",
            Object::Member(..) => "team",
            Object::Inbox(..) => "inbox",
            Object::Privacy(..) => "privacy",
        }
    }
}

type Parsed = std::result::Result<Option<super::import::Item>, Reject>;

/// The records of a JSON array or JSON-lines file, read one at a time: memory holds one record whatever
/// the file's size. Opening reads the file through once, so a file that is not JSON is refused before
/// anything is written.
pub struct Stream {
    records: Records,
    rules: RowRules,
    /// How many records the file holds (for the progress bar).
    pub total: u64,
}

enum Records {
    /// One record per line, numbered by its line.
    Lines { text: std::io::BufReader<Box<dyn Read>>, line: u64, buf: String },
    /// A JSON array, parsed on a thread of its own that hands the elements over one by one, then `None`.
    Array(Receiver<Element>),
}

/// An element of an array (its position, the line it starts on, the element), the end of the array, or
/// why reading stopped.
type Element = std::result::Result<Option<(u64, u64, Value)>, String>;

/// Elements parsed ahead of the import.
const ARRAY_AHEAD: usize = 256;

impl Stream {
    pub fn open(path: &Path, sniff: &Sniff, rules: RowRules) -> std::result::Result<Self, IoError> {
        // Bytes that are not UTF-8 read as U+FFFD, as when the whole file was decoded at once.
        let open = || open_json(path, sniff.encoding, sniff.bom_len).map_err(|e| file_err(path, e));
        let is_array = sniff.sample.trim_start_matches('\u{feff}').trim_start().starts_with('[');
        if is_array {
            // Every element is parsed in full (and dropped): what passes here imports without a surprise.
            let (text, starts) = ElementLines::new(past_marks(open()?).map_err(|e| file_err(path, e))?);
            let mut de = serde_json::Deserializer::from_reader(text);
            let (total, own_lines) = de
                .deserialize_seq(CountElements(starts))
                .and_then(|n| de.end().map(|()| n))
                .map_err(|e| bad_file(path, format!("is not valid JSON: {e}")))?;
            if total == 0 {
                return Err(bad_file(path, "has no records"));
            }
            let (tx, rx) = sync_channel(ARRAY_AHEAD);
            let (file, encoding, bom_len) = (path.to_path_buf(), sniff.encoding, sniff.bom_len);
            std::thread::Builder::new()
                .name("json-reader".into())
                .spawn(move || {
                    let sent = match open_json(&file, encoding, bom_len) {
                        Ok(r) => match past_marks(r) {
                            Ok(r) => {
                                let (r, starts) = ElementLines::new(r);
                                // Records that share a line are told by their position in the array.
                                let told = own_lines.then_some(starts);
                                serde_json::Deserializer::from_reader(r).deserialize_seq(SendElements(&tx, told))
                            }
                            Err(e) => Err(<serde_json::Error as serde::de::Error>::custom(e)),
                        },
                        Err(e) => Err(<serde_json::Error as serde::de::Error>::custom(e)),
                    };
                    // Nobody listens once the import has stopped.
                    let _ = tx.send(sent.map(|()| None).map_err(|e| e.to_string()));
                })
                .map_err(|e| file_err(path, format!("cannot start reading: {e}")))?;
            return Ok(Self { records: Records::Array(rx), rules, total });
        }
        // JSON lines: refused only when no line at all is JSON; a bad line is a reject.
        let (mut total, mut first_error, mut any_json) = (0u64, None, false);
        for (i, line) in std::io::BufReader::new(open()?).lines().enumerate() {
            let line = line.map_err(|e| file_err(path, e))?;
            let line = json_line(&line);
            if line.is_empty() {
                continue;
            }
            total += 1;
            match serde_json::from_str::<IgnoredAny>(line) {
                Ok(_) => any_json = true,
                Err(e) if first_error.is_none() => first_error = Some(format!("line {}: is not JSON: {e}", i + 1)),
                Err(_) => {}
            }
        }
        if total == 0 {
            return Err(bad_file(path, "has no records"));
        }
        if let (false, Some(e)) = (any_json, first_error) {
            return Err(bad_file(path, e));
        }
        let text = std::io::BufReader::new(open()?);
        Ok(Self { records: Records::Lines { text, line: 0, buf: String::new() }, rules, total })
    }

    /// The next record with its place in the file (its line in JSON lines, its position in an array: what
    /// a resumed import counts on); `None` at the end. An error here comes after rows were written (the file
    /// changed while it was read, or could not be read on).
    pub fn next_record(&mut self, path: &Path) -> std::result::Result<Option<(u64, Parsed)>, IoError> {
        match &mut self.records {
            Records::Lines { text, line, buf } => loop {
                buf.clear();
                if text.read_line(buf).map_err(|e| file_err(path, e))? == 0 {
                    return Ok(None);
                }
                *line += 1;
                let l = json_line(buf);
                if l.is_empty() {
                    continue;
                }
                let parsed = match serde_json::from_str(l) {
                    Ok(value) => record(*line, Ok(value), &self.rules),
                    // The line as it was, for the rejects file: there the rep mends it.
                    Err(e) => Err(Reject {
                        line: *line,
                        column: None,
                        reason: format!("is not JSON: {e}"),
                        record: vec![l.to_string()],
                    }),
                };
                return Ok(Some((*line, parsed)));
            },
            Records::Array(rx) => match rx.recv() {
                Ok(Ok(Some((position, line, value)))) => Ok(Some((position, record(line, Ok(value), &self.rules)))),
                Ok(Ok(None)) => Ok(None),
                Ok(Err(e)) => Err(file_err(path, format!("reading stopped: {e}"))),
                Err(_) => Err(file_err(path, "reading stopped before the end of the array")),
            },
        }
    }
}

/// A text past the byte-order marks it starts with (files joined together may carry more than one).
fn past_marks(text: Box<dyn Read>) -> std::io::Result<std::io::BufReader<Box<dyn Read>>> {
    let mut text = std::io::BufReader::new(text);
    while text.fill_buf()?.starts_with("\u{feff}".as_bytes()) {
        text.consume(3);
    }
    Ok(text)
}

/// A line of JSON lines without surrounding space or a stray byte-order mark.
fn json_line(line: &str) -> &str {
    line.trim().trim_start_matches('\u{feff}').trim_start()
}

/// Counts the elements of an array, parsing each in full without keeping it, and tells whether each
/// starts on a line of its own.
struct CountElements(Rc<Cell<u64>>);

impl<'de> Visitor<'de> for CountElements {
    type Value = (u64, bool);
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(u64, bool), A::Error> {
        let (mut n, mut own_lines, mut last_start) = (0, true, 0);
        while seq.next_element::<Value>()?.is_some() {
            n += 1;
            own_lines &= self.0.get() > last_start;
            last_start = self.0.get();
        }
        Ok((n, own_lines))
    }
}

/// Hands each element of an array over as it is parsed, numbered from 1, with the line it starts on (or
/// its number, when records share lines); stops when nobody listens.
struct SendElements<'a>(&'a SyncSender<Element>, Option<Rc<Cell<u64>>>);

impl<'de> Visitor<'de> for SendElements<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let mut n = 0;
        while let Some(v) = seq.next_element::<Value>()? {
            n += 1;
            let line = self.1.as_ref().map_or(n, |starts| starts.get());
            if self.0.send(Ok(Some((n, line, v)))).is_err() {
                return Ok(());
            }
        }
        Ok(())
    }
}

/// The text of a JSON array as the parser reads it, noting the line each element of the array starts on
/// (a rejected record is told by its line, as in every other format). It follows just enough of JSON for
/// that: strings (where brackets and commas are text) and nesting.
struct ElementLines<R> {
    inner: R,
    line: u64,
    depth: u32,
    in_string: bool,
    escaped: bool,
    /// Past the array's `[` or a `,` between its elements: the next byte that is not space starts one.
    at_element: bool,
    /// The line the latest element started on.
    start: Rc<Cell<u64>>,
}

impl<R: Read> ElementLines<R> {
    fn new(inner: R) -> (Self, Rc<Cell<u64>>) {
        let start = Rc::new(Cell::new(1));
        let lines = Self {
            inner,
            line: 1,
            depth: 0,
            in_string: false,
            escaped: false,
            at_element: false,
            start: start.clone(),
        };
        (lines, start)
    }

    fn follow(&mut self, b: u8) {
        if b == b'\n' {
            self.line += 1;
        }
        if self.in_string {
            match b {
                _ if self.escaped => self.escaped = false,
                b'\\' => self.escaped = true,
                b'"' => self.in_string = false,
                _ => {}
            }
            return;
        }
        if b.is_ascii_whitespace() {
            return;
        }
        if self.at_element && self.depth == 1 && b != b']' {
            self.at_element = false;
            self.start.set(self.line);
        }
        match b {
            b'"' => self.in_string = true,
            b'[' | b'{' => {
                self.depth += 1;
                self.at_element |= self.depth == 1;
            }
            b']' | b'}' => self.depth = self.depth.saturating_sub(1),
            b',' => self.at_element = self.depth == 1,
            _ => {}
        }
    }
}

impl<R: Read> Read for ElementLines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        buf[..n].iter().for_each(|&b| self.follow(b));
        Ok(n)
    }
}

fn record(line: u64, v: std::result::Result<Value, String>, rules: &RowRules) -> Parsed {
    let reject = |reason: String| Reject { line, column: None, reason, record: Vec::new() };
    let mut v = v.map_err(reject)?;
    let raw = vec![v.to_string()];
    // Ids however the file writes them ("{...}", upper case, no hyphens) are stored one way.
    if let Some(obj) = v.as_object_mut() {
        for (key, value) in obj.iter_mut() {
            if ["id", "lead_id", "deal_id", "origin_outreach_id", "outreach_id", "assigned_to", "user_id", "owner_id"]
                .contains(&key.as_str())
                && let Some(id) = value.as_str().and_then(crate::domain::canonical_id)
            {
                *value = Value::String(id);
            }
        }
    }
    let reject = |reason: String| Reject { line, column: None, reason, record: raw.clone() };
    let Some(obj) = v.as_object() else { return Err(reject("is not a JSON object".into())) };
    let has = |k: &str| obj.contains_key(k);
    // A line an earlier import could not read, as its rejects file kept it, still to be mended.
    if has(super::import::RAW_REJECT) && obj.keys().all(|k| k.starts_with("leadline_")) {
        return Err(reject(format!(
            "is a line an import could not read, kept as {}: write the record it was in its place",
            super::import::RAW_REJECT
        )));
    }
    // The field a value does not fit, named: "'title' must be text, not null".
    let de = |e: serde_path_to_error::Error<serde_json::Error>| {
        let field = e.path().to_string();
        let reason = e.inner().to_string();
        let reason = reason.split(" at line ").next().unwrap_or(&reason).to_string();
        let reason = match reason.strip_prefix("invalid type: ").and_then(|r| r.split_once(", expected ")) {
            Some((got, want)) => format!("must be {want}, not {got}"),
            None => reason,
        };
        match field.as_str() {
            "." | "" => reject(format!("does not have the fields of a leadline record: {reason}")),
            // The field is the reject's column, which the summary names before the reason.
            _ => Reject { column: Some(field.clone()), ..reject(reason) },
        }
    };

    use super::import::Item;
    if has("first_name") {
        return lead(line, obj, rules)
            .map_err(|e| Reject { record: raw.clone(), ..e })
            .map(|o| o.map(|l| Item::Lead(Box::new(l))));
    }
    let (kind, object) = if has("kind_code") || (has("kind") && has("value") && has("occurred_at")) {
        ("outreach", typed(&v).map(|r| Object::Outreach(line, r)))
    } else if has("scheduled_at") {
        ("meetings", typed(&v).map(|r| Object::Meeting(line, r)))
    } else if has("amount_minor") {
        ("deals", typed(&v).map(|r| Object::Deal(line, r)))
    } else if has("due_at") {
        ("tasks", typed(&v).map(|r| Object::Task(line, r)))
    } else if has("received_at") {
        ("inbox", typed(&v).map(|r| Object::Inbox(line, r)))
    } else if has("body") {
        ("notes", typed(&v).map(|r| Object::Note(line, r)))
    } else if has("action") && has("id") {
        ("privacy", typed(&v).map(|r| Object::Privacy(line, r)))
    } else if has("role") && has("email") && has("name") {
        ("team", typed(&v).map(|r| Object::Member(line, r)))
    } else {
        return Err(reject(
            "is not a lead, outreach, meeting, deal, task, note, team member, inbox item or privacy log entry".into(),
        ));
    };
    // A record recognised but not readable is counted as what it is (a task, a deal); so is one dated
    // ahead where what it dates has happened (a touch, a meeting held, a deal closed).
    Ok(Some(match object {
        Ok(o) => {
            match o.happened().into_iter().find_map(|(field, at)| rules.contacted(at?).err().map(|why| (field, why))) {
                Some((field, why)) => Item::Refused(vec![kind], Reject { column: Some(field.into()), ..reject(why) }),
                None => Item::Object(Box::new(o), raw),
            }
        }
        Err(e) => Item::Refused(vec![kind], de(e)),
    }))
}

/// A record of one kind read from its JSON, or the field that does not fit.
fn typed<T: serde::de::DeserializeOwned>(
    v: &Value,
) -> std::result::Result<T, serde_path_to_error::Error<serde_json::Error>> {
    serde_path_to_error::deserialize(v.clone())
}

/// The most merges a lead's record may list: far more than any person is made of, few enough to check.
const MERGES_MAX: usize = 10_000;

fn lead(
    line: u64,
    o: &serde_json::Map<String, Value>,
    rules: &RowRules,
) -> std::result::Result<Option<LeadRow>, Reject> {
    let reject = |field: &str, reason: String| Reject { line, column: Some(field.into()), reason, record: Vec::new() };
    // A field of the wrong type is a reject naming it, never a value quietly dropped (an opt-out least of all).
    let text = |k: &str, trim: bool| -> std::result::Result<Option<String>, Reject> {
        match o.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(v)) => {
                let v = if trim { v.trim() } else { v.as_str() };
                // A NUL is never part of a name or a note: binary data, which the row is rejected for, as in
                // a CSV (never dropped unsaid).
                if v.contains('\0') {
                    return Err(reject(k, "has control characters (an escape, a NUL: binary data?)".into()));
                }
                Ok((!v.trim().is_empty()).then(|| v.to_string()))
            }
            Some(other) => Err(reject(k, format!("must be text, not {}", json_type(other)))),
        }
    };
    let s = |k: &str| text(k, true);
    let flag = |k: &str| -> std::result::Result<Option<bool>, Reject> {
        match o.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::Number(n)) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => Ok(Some(n.as_i64() == Some(1))),
            Some(Value::String(v)) => match super::record::parse_bool(v) {
                Some(b) => Ok(Some(b)),
                None => Err(reject(k, format!("is not yes or no: '{v}'"))),
            },
            Some(other) => Err(reject(k, format!("must be true or false, not {}", json_type(other)))),
        }
    };
    let whole = |k: &str| -> std::result::Result<Option<i64>, Reject> {
        match o.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) if n.as_i64().is_some() => Ok(n.as_i64()),
            Some(other) => Err(reject(k, format!("must be a whole number, not {other}"))),
        }
    };
    // Every date of a lead is of something that has happened (`RowRules::contacted`), as in a CSV.
    let time = |k: &str| -> std::result::Result<Option<Timestamp>, Reject> {
        match o.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => serde_json::from_value::<Timestamp>(v.clone())
                .map_err(|e| reject(k, e.to_string()))
                .and_then(|t| rules.contacted(t).map(Some).map_err(|why| reject(k, why))),
        }
    };
    // Every problem of the record is told at once, as for a CSV row.
    let problems = std::cell::RefCell::new(Vec::new());
    let p = &problems;
    let mut row = LeadRow {
        line,
        id: kept(p, s("id")).map(|i| LeadId(i.to_lowercase())),
        first_name: kept(p, s("first_name")).unwrap_or_default(),
        last_name: kept(p, s("last_name")).unwrap_or_default(),
        company: kept(p, s("company")),
        title: kept(p, s("title")),
        source: kept(p, s("source")),
        industry: kept(p, s("industry")),
        company_size: kept(p, s("company_size")),
        product_interest: kept(p, s("product_interest")),
        owner: kept(p, s("owner")),
        owner_email: kept(p, s("owner_email")),
        // leadline's own export names every lead's owner, and `null` for one that is nobody's.
        nobodys: ["owner_id", "owner", "owner_email"]
            .iter()
            .all(|k| o.get(*k).is_some_and(|v| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()))),
        notes: kept(p, text("notes", false)),
        do_not_contact: kept(p, flag("do_not_contact")),
        do_not_contact_reason: kept(p, s("do_not_contact_reason")),
        do_not_contact_at: kept(p, time("do_not_contact_at")),
        // Leadline's own export says which contacts were recorded without a touch; the others come with
        // its outreach.
        last_activity: {
            let field = if o.contains_key("manual_contact_at") { "manual_contact_at" } else { "last_contacted_at" };
            kept(p, time(field))
                .and_then(|t| rules.contacted(t).map_err(|why| p.borrow_mut().push(reject(field, why))).ok())
        },
        created_at: kept(p, time("created_at")),
        updated_at: kept(p, time("updated_at")),
        score: kept(p, whole("score")),
        forgotten_at: kept(p, time("forgotten_at")),
        churn: {
            let status = kept(
                p,
                s("customer_status").and_then(|v| {
                    v.map(|v| super::record::customer_status(&v).map_err(|why| reject("customer_status", why)))
                        .transpose()
                }),
            );
            let reason = kept(p, s("churn_reason"));
            kept(p, time("churned_at")).map(|at| super::record::Churn {
                status: status.unwrap_or("churned"),
                at,
                reason,
            })
        },
        country: rules.default_country.clone(),
        ..Default::default()
    };
    row.opt_out_by_reason();
    if let Some(id) = &row.id
        && !crate::domain::looks_like_id(id.as_str())
    {
        p.borrow_mut().push(reject("id", format!("is not a leadline id: '{id}'")));
    }
    if let Some(e) = kept(p, s("email")) {
        match crate::domain::lead::validate_email("email", &e) {
            Ok(e) => row.emails.push(e),
            Err(x) => p.borrow_mut().push(reject("email", x.to_string())),
        }
    }
    // Other e-mails are a list; one string is read as a CSV cell would be.
    let others = kept(p, text_list(line, o, "other_emails", &[';', ','])).unwrap_or_default();
    // A lead written to none of them has other e-mails only.
    row.no_own_email = row.emails.is_empty() && !others.is_empty();
    for e in others {
        match crate::domain::lead::validate_email("other_emails", e) {
            // After the lead's own e-mail, which is read first.
            Ok(e) => row.emails.push(e),
            Err(x) => p.borrow_mut().push(reject("other_emails", x.to_string())),
        }
    }
    if let Some(origin) = kept(p, s("origin_outreach_id")) {
        match crate::domain::canonical_id(&origin) {
            Some(id) => row.origin_outreach_id = Some(id),
            None => p.borrow_mut().push(reject("origin_outreach_id", "must be the id of a touch".into())),
        }
    }
    if let Some(u) = kept(p, s("profile_url")) {
        match crate::domain::lead::validate_url("profile_url", &u) {
            Ok(u) => row.lead_profile = Some(u),
            Err(x) => p.borrow_mut().push(reject("profile_url", x.to_string())),
        }
    }
    if let Some(ph) = kept(p, s("phone")) {
        match crate::domain::lead::validate_phone("phone", &ph) {
            Ok(ph) => row.phones.push(ph),
            Err(x) => p.borrow_mut().push(reject("phone", x.to_string())),
        }
    }
    if let Some(l) = kept(p, s("lifecycle")) {
        match l.parse::<Lifecycle>() {
            Ok(l) => row.lifecycle = Some(l),
            Err(x) => p.borrow_mut().push(reject("lifecycle", x.to_string())),
        }
    }
    for h in kept(p, text_list(line, o, "forgotten_addresses", &[';', ','])).unwrap_or_default() {
        match crate::store::forgotten::is_hash(h) {
            true => row.forgotten_addresses.push(h.to_string()),
            false => p
                .borrow_mut()
                .push(reject("forgotten_addresses", "must hold address hashes as leadline writes them".into())),
        }
    }
    // The merges the lead is made of: a list of objects as leadline writes them.
    match o.get("merges") {
        None | Some(Value::Null) => {}
        Some(Value::Array(merges)) if merges.len() > MERGES_MAX => p
            .borrow_mut()
            .push(reject("merges", format!("lists {} merges; a lead is made of at most {MERGES_MAX}", merges.len()))),
        Some(v) => match serde_json::from_value::<Vec<super::record::MergeRow>>(v.clone()) {
            Ok(merges) => {
                // Each lead is merged once, and never the row's own lead.
                let mut seen = std::collections::HashSet::new();
                let repeated = merges.iter().find(|m| {
                    !seen.insert(m.merged_id.as_str()) || row.id.as_ref().is_some_and(|i| i.as_str() == m.merged_id)
                });
                match merges.iter().find_map(|m| m.problem()) {
                    Some(why) => p.borrow_mut().push(reject("merges", why)),
                    None if repeated.is_some() => {
                        p.borrow_mut().push(reject("merges", "name a lead merged twice, or the lead itself".into()))
                    }
                    None => row.merges = merges,
                }
            }
            Err(e) => p.borrow_mut().push(reject("merges", format!("must be merges as leadline writes them: {e}"))),
        },
    }
    let two_people = kept(p, text_list(line, o, "two_people", &[';', ','])).unwrap_or_default();
    if two_people.len() > MERGES_MAX {
        p.borrow_mut().push(reject("two_people", format!("lists {} leads; at most {MERGES_MAX}", two_people.len())));
    }
    for other in two_people.into_iter().take(MERGES_MAX) {
        match crate::domain::canonical_id(other) {
            Some(id) if row.id.as_ref().is_none_or(|own| own.as_str() != id) => row.two_people.push(LeadId(id)),
            Some(_) => p.borrow_mut().push(reject("two_people", "names the lead itself".into())),
            None => p.borrow_mut().push(reject("two_people", format!("must hold leadline ids, not '{other}'"))),
        }
    }
    // Tags are a list; one string is read as a CSV cell would be (comma-separated).
    let tags = kept(p, text_list(line, o, "tags", &[','])).unwrap_or_default();
    for t in tags {
        match normalize_tag(t) {
            Ok(t) => row.tags.push(t),
            Err(x) => p.borrow_mut().push(reject("tags", x.to_string())),
        }
    }
    let mut problems = problems.into_inner();
    super::record::one_line_labels(&mut row);
    problems.extend(super::record::label_problems(&row, &[]));
    if let Some(first) = super::record::combined(problems) {
        return Err(first);
    }
    finish(row, &[])
}

/// A field holding a list of text: a JSON list, or one string split at `separators` as a CSV cell is.
fn text_list<'a>(
    line: u64,
    o: &'a serde_json::Map<String, Value>,
    key: &str,
    separators: &[char],
) -> std::result::Result<Option<Vec<&'a str>>, Reject> {
    let reject = |reason: String| Reject { line, column: Some(key.into()), reason, record: Vec::new() };
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(t)) => Ok(Some(t.split(separators).map(str::trim).filter(|t| !t.is_empty()).collect())),
        Some(Value::Array(items)) => match items.iter().find(|t| !t.is_string()) {
            Some(t) => Err(reject(format!("must be a list of text, not holding {t}"))),
            None => Ok(Some(items.iter().filter_map(Value::as_str).collect())),
        },
        Some(other) => Err(reject(format!("must be a list of text, not {}", json_type(other)))),
    }
}

/// A field's value, or None with its problem noted (so the record's other problems are found too).
fn kept<T>(problems: &std::cell::RefCell<Vec<Reject>>, found: std::result::Result<Option<T>, Reject>) -> Option<T> {
    found.unwrap_or_else(|problem| {
        problems.borrow_mut().push(problem);
        None
    })
}

/// A JSON value's type, as a reject names it.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The member a record names (who logged a touch, who owns a deal or a task) when they are in this team,
/// else the importing user.
fn member_or_me(db: &Db<'_>, user: Option<&str>) -> Result<String> {
    Ok(member(db, user)?.unwrap_or_else(|| db.ctx.user_id.0.clone()))
}

/// Who did what a record keeps (logged a touch, wrote a note, closed a deal or a task): the member it names,
/// also one who has left the team since (`teams::author_by_id`), else the importing user.
fn author_or_me(db: &Db<'_>, user: Option<&str>) -> Result<String> {
    Ok(match user {
        Some(u) => crate::store::teams::author_by_id(db, u)?.map(|u| u.0),
        None => None,
    }
    .unwrap_or_else(|| db.ctx.user_id.0.clone()))
}

/// The member of this team a record names, if any (`teams::member_by_id`).
fn member(db: &Db<'_>, user: Option<&str>) -> Result<Option<String>> {
    Ok(match user {
        Some(u) => crate::store::teams::member_by_id(db, u)?.map(|u| u.0),
        None => None,
    })
}

/// Whether a row of the team is there and not removed (what an inbox item may link to).
fn live(db: &Db<'_>, table: &str, id: &str) -> Result<bool> {
    let sql = format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1 AND team_id = ?2 AND deleted_at IS NULL)");
    Ok(db.conn.prepare_cached(&sql)?.query_row(params![id, db.ctx.team_id.as_str()], |r| r.get(0))?)
}

fn exists(db: &Db<'_>, table: &str, id: &str) -> Result<bool> {
    let sql = format!("SELECT 1 FROM {table} WHERE id = ?1");
    Ok(db.conn.prepare_cached(&sql)?.query_row([id], |r| r.get::<_, i64>(0)).optional()?.is_some())
}

/// The lead a record belongs to, which must be there already, and not removed (`linked`): the lead of
/// that id, or the one it was merged into since (by `dedupe`, or by an import that found the file's lead
/// here under another id).
fn lead_of(db: &Db<'_>, id: &str) -> Result<LeadId> {
    let lead = LeadId(id.to_string());
    if leads::is_live(db, &lead)? {
        return Ok(lead);
    }
    match leads::survivor(db, &lead)? {
        Some(survivor) => Ok(survivor),
        // Not there: refused as `lead_itself` says it.
        None => lead_itself(db, id),
    }
}

/// The lead of that very id, which must be there and not removed: what a privacy log entry is about, which
/// is said of one record and never moves to another (an opt-in said of a record merged here would read as
/// the word of a lead that opted out here).
fn lead_itself(db: &Db<'_>, id: &str) -> Result<LeadId> {
    let id = LeadId(id.to_string());
    match leads::get(db, &id) {
        Ok(_) => Ok(id),
        Err(StoreError::NotFound { .. }) => Err(invalid("lead_id", id.as_str(), &not_here("leads"))),
        Err(e) => Err(e),
    }
}

/// What a record naming a row that is not there is told.
fn not_here(table: &str) -> String {
    format!(
        "is not in this database: import the {table} first, then this file's rejected rows (`--rejects PATH` writes \
         them to a file of their own)"
    )
}

/// The deal a meeting or task is about, which must be there already (`linked`).
fn deal_of(db: &Db<'_>, id: Option<&str>) -> Result<Option<String>> {
    linked(db, "deals", "deal_id", id)
}

/// A row another row links to, which must be there already: a link dropped quietly could not be made again
/// (importing the same file twice adds nothing), while a rejected row imports once the rows it names do.
/// Files in the order leads, outreach, deals, meetings, tasks never meet this.
fn linked(db: &Db<'_>, table: &str, field: &str, id: Option<&str>) -> Result<Option<String>> {
    match id {
        Some(x) if !exists(db, table, x)? => Err(invalid(field, x, &not_here(table))),
        other => Ok(other.map(str::to_string)),
    }
}

fn invalid(field: &str, value: &str, why: &str) -> StoreError {
    ValidationError::new(field, value, why).into()
}

/// Writes one record unless a record with its id is already there. Returns whether it was written.
pub fn apply(db: &Db<'_>, object: Object) -> Result<bool> {
    let team = db.ctx.team_id.as_str();
    match object {
        Object::Outreach(_, o) => {
            if exists(db, "outreach", &o.id)? {
                return Ok(false);
            }
            let lead = lead_of(db, &o.lead_id)?;
            let kind: OutreachKind = o.kind.parse()?;
            // A forgotten person's touches hold no address any more, only that they happened.
            let value = if o.value == crate::io::privacy::ERASED && leads::get(db, &lead)?.forgotten_at.is_some() {
                o.value.clone()
            } else {
                kind.validate_value(&o.value)?
            };
            if kind == OutreachKind::Email {
                // A forgotten person's address is not written again, as another lead's touch either.
                crate::store::forgotten::refuse(db, &value)?;
            }
            let direction: Direction = o.direction.as_deref().unwrap_or("outbound").parse()?;
            let reply: ReplyType = o.reply_type.as_deref().unwrap_or("none").parse()?;
            let level = o.personalization_level.map(validate_personalization).transpose()?;
            db.conn.prepare_cached(
                "INSERT INTO outreach (id, team_id, user_id, lead_id, kind, value, description, occurred_at, direction,
                 variant, personalization_level, reply_type, cited_metric, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?.execute(params![
                o.id, team, author_or_me(db, o.user_id.as_deref())?, lead.as_str(), kind.code(), value, o.description,
                o.occurred_at.0, direction.as_str(), o.variant, level, reply.as_str(), o.cited_metric,
                o.created_at.unwrap_or(db.now).0, o.updated_at.or(o.created_at).unwrap_or(db.now).0
            ])?;
            contact::refresh(db, &lead)?;
            crate::automation::run::mark_fired(db, &o.id, &o.rules_fired)?;
            db.emit(Change::OutreachLogged { lead, outreach: crate::domain::OutreachId(o.id) });
        }
        Object::Meeting(_, m) => {
            if exists(db, "meetings", &m.id)? {
                return Ok(false);
            }
            let lead = lead_of(db, &m.lead_id)?;
            let deal = deal_of(db, m.deal_id.as_deref())?;
            db.conn
                .prepare_cached(
                    "INSERT INTO meetings (id, team_id, user_id, lead_id, deal_id, title, scheduled_at, attended,
                 no_show_reason, created_at, updated_at, calendar_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )?
                .execute(params![
                    m.id,
                    team,
                    author_or_me(db, m.user_id.as_deref())?,
                    lead.as_str(),
                    deal,
                    m.title,
                    m.scheduled_at.0,
                    m.attended,
                    m.no_show_reason,
                    m.created_at.unwrap_or(db.now).0,
                    m.updated_at.or(m.created_at).unwrap_or(db.now).0,
                    m.calendar_key.as_deref().filter(|k| !k.is_empty())
                ])?;
            contact::refresh(db, &lead)?;
            // Its stages and tasks came with the rest of that database's history: no rule acts on it.
            let meeting = crate::domain::MeetingId(m.id);
            db.emit(Change::MeetingScheduled { lead, meeting, booked_now: false });
        }
        Object::Deal(_, d) => {
            if exists(db, "deals", &d.id)? {
                return Ok(false);
            }
            let lead = lead_of(db, &d.lead_id)?;
            let stage = db.ctx.stages.resolve(&d.stage)?;
            if !(0..=crate::domain::money::MAX_MINOR).contains(&d.amount_minor) {
                return Err(invalid(
                    "amount_minor",
                    &d.amount_minor.to_string(),
                    "must be between 0 and 1000000000000000 (ten trillion in a currency with cents)",
                ));
            }
            // Written by leadline: a currency an earlier version took stays the deal's.
            let currency = crate::domain::money::well_formed_currency(&d.currency)?;
            // The readable amount, edited by hand, must not be dropped in favour of the other unsaid.
            if let Some(amount) = d.amount.as_deref().filter(|a| !a.trim().is_empty()) {
                let read = crate::domain::money::Money::parse(amount, &currency).map(|m| m.minor);
                if read.as_ref().ok() != Some(&d.amount_minor) {
                    let why = match read {
                        Ok(_) => format!("says another amount than amount_minor ({}); make them agree", d.amount_minor),
                        Err(e) => e.reason,
                    };
                    return Err(invalid("amount", amount, &why));
                }
            }
            let status = match d.status.as_deref() {
                Some(s) => s.parse().map_err(|_| invalid("status", s, "must be open, won or lost"))?,
                None => db.ctx.stages.status_for(&stage),
            };
            let origin = linked(db, "outreach", "origin_outreach_id", d.origin_outreach_id.as_deref())?;
            // Where reopening it would put it: an open stage of this pipeline, or unknown (its last open one).
            let closed_from = d
                .closed_from
                .as_deref()
                .filter(|_| status != crate::domain::DealStatus::Open)
                .and_then(|s| db.ctx.stages.resolve(s).ok())
                .filter(|s| db.ctx.stages.status_for(s) == crate::domain::DealStatus::Open);
            let account: Option<String> = db
                .conn
                .prepare_cached("SELECT account_id FROM leads WHERE id = ?1")?
                .query_row([lead.as_str()], |r| r.get(0))?;
            // Its place in the column, as the file has it, unless a deal here holds it: then after the others.
            let position: i64 = db
                .conn
                .prepare_cached(
                    "SELECT CASE WHEN ?3 > 0 AND NOT EXISTS (SELECT 1 FROM deals WHERE team_id = ?1 AND stage = ?2
                       AND position = ?3 AND deleted_at IS NULL) THEN ?3
                     ELSE (SELECT ifnull(max(position), 0) + 1 FROM deals WHERE team_id = ?1 AND stage = ?2
                       AND deleted_at IS NULL) END",
                )?
                .query_row(params![team, stage, d.position.unwrap_or(0)], |r| r.get(0))?;
            let created = d.created_at.unwrap_or(db.now);
            // A closed deal is history: its owner may have left since. An open one is someone's work now.
            let owner = match status {
                crate::domain::DealStatus::Open => member_or_me(db, d.owner_id.as_deref())?,
                _ => author_or_me(db, d.owner_id.as_deref())?,
            };
            db.conn.prepare_cached(
                "INSERT INTO deals (id, team_id, lead_id, account_id, owner_id, title, product, use_case, amount_minor,
                 currency, stage, position, status, lost_reason, closed_at, stage_entered_at, origin_outreach_id,
                 created_at, updated_at, closed_from, source_ref)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                 ?21)",
            )?.execute(params![
                d.id, team, lead.as_str(), account, owner, d.title, d.product, d.use_case,
                d.amount_minor, currency, stage, position, status_str(status), d.lost_reason,
                d.closed_at.map(|t| t.0), d.stage_entered_at.unwrap_or(created).0, origin, created.0,
                d.updated_at.unwrap_or(created).0, closed_from, d.source_ref
            ])?;
            // The lead's own origin and source are as its file gave them (`origin_outreach_id` of the leads'
            // file): a deal's origin says nothing more of its lead.
            if status == crate::domain::DealStatus::Won {
                let won = crate::store::deals::get(db, &DealId(d.id.clone()))?;
                crate::automation::clients::record_imported_win(db, &won)?;
                // A customer with a won deal is one by that win, as far as anyone can tell once moved: losing
                // or reopening it takes the status back, as in the database it came from.
                if crate::store::leads::get(db, &won.lead_id)?.lifecycle == crate::domain::Lifecycle::Customer.as_str()
                {
                    crate::automation::clients::remember_made_customer(db, &won.id)?;
                }
            }
            db.emit(Change::DealCreated { lead, deal: DealId(d.id), stage_chosen: true });
        }
        Object::Task(_, t) => {
            // The task, or one an automation here already made under the same key.
            let same_key: Option<i64> = match &t.automation_key {
                Some(key) => db
                    .conn
                    .prepare_cached("SELECT 1 FROM tasks WHERE dedupe_key = ?1")?
                    .query_row([key], |r| r.get(0))
                    .optional()?,
                None => None,
            };
            if exists(db, "tasks", &t.id)? || same_key.is_some() {
                return Ok(false);
            }
            if t.title.trim().is_empty() {
                return Err(invalid("title", &t.title, "must not be empty"));
            }
            let lead = match &t.lead_id {
                Some(l) => Some(lead_of(db, l)?),
                None => None,
            };
            let deal = deal_of(db, t.deal_id.as_deref())?;
            let kind: TaskKind = t.kind.as_deref().unwrap_or("follow_up").parse()?;
            let channel = t.channel.as_deref().map(str::parse::<OutreachKind>).transpose()?;
            // A task done is history, whoever did it; an open one is someone's work now.
            let owner = match t.done_at {
                Some(_) => author_or_me(db, t.owner_id.as_deref())?,
                None => member_or_me(db, t.owner_id.as_deref())?,
            };
            db.conn
                .prepare_cached(
                    "INSERT INTO tasks (id, team_id, owner_id, lead_id, deal_id, title, kind, channel, due_at, done_at,
                 snoozed_until, origin, dedupe_key, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?14, ?13, ?15)",
                )?
                .execute(params![
                    t.id,
                    team,
                    owner,
                    lead.as_ref().map(LeadId::as_str),
                    deal,
                    t.title,
                    kind.as_str(),
                    channel.map(OutreachKind::code),
                    t.due_at.0,
                    t.done_at.map(|x| x.0),
                    t.snoozed_until.map(|x| x.0),
                    t.origin.as_deref().unwrap_or("import"),
                    t.created_at.unwrap_or(db.now).0,
                    t.automation_key.as_deref().filter(|k| !k.is_empty()),
                    t.updated_at.or(t.created_at).unwrap_or(db.now).0,
                ])?;
            db.emit(Change::TaskChanged { lead, task: crate::domain::TaskId(t.id) });
        }
        Object::Note(_, n) => {
            if exists(db, "notes", &n.id)? {
                return Ok(false);
            }
            let lead = n.lead_id.as_deref().map(|l| lead_of(db, l)).transpose()?;
            let deal = deal_of(db, n.deal_id.as_deref())?;
            if lead.is_none() && deal.is_none() {
                return Err(invalid("lead_id", "", "a note belongs to a lead or a deal: give lead_id or deal_id"));
            }
            if n.body.trim().is_empty() {
                return Err(invalid("body", &n.body, "must not be empty"));
            }
            let deal = deal.map(DealId);
            let id = crate::domain::NoteId(n.id);
            let author = crate::domain::UserId(author_or_me(db, n.user_id.as_deref())?);
            let at = n.created_at.unwrap_or(db.now);
            let written = crate::store::notes::Written { author: &author, at, updated_at: n.updated_at.unwrap_or(at) };
            crate::store::notes::write(db, &id, lead.as_ref(), deal.as_ref(), &n.body, written)?;
        }
        Object::Inbox(_, i) => {
            // The reply an outreach import brought is filed once, whichever way it came.
            let filed = |col: &str, v: &str| -> Result<bool> {
                let sql = format!("SELECT EXISTS (SELECT 1 FROM inbox_items WHERE {col} = ?1)");
                Ok(db.conn.prepare_cached(&sql)?.query_row([v], |r| r.get(0))?)
            };
            if filed("id", &i.id)?
                || i.outreach_id.as_deref().map(|o| filed("outreach_id", o)).transpose()? == Some(true)
            {
                return Ok(false);
            }
            if !["message", "notice"].contains(&i.kind.as_str()) {
                return Err(invalid("kind", &i.kind, "must be message or notice"));
            }
            let lead = i.lead_id.as_deref().map(|l| lead_of(db, l)).transpose()?;
            if let Some(o) = i.outreach_id.as_deref()
                && !live(db, "outreach", o)?
            {
                return Err(invalid("outreach_id", o, &not_here("outreach")));
            }
            let channel = i.channel.as_deref().filter(|c| !c.is_empty()).map(str::parse::<OutreachKind>).transpose()?;
            if i.title.trim().is_empty() {
                return Err(invalid("title", &i.title, "must not be empty"));
            }
            // Assigned to a member this team has; to nobody otherwise.
            let assigned = member(db, i.assigned_to.as_deref())?;
            // Its own times, so an export `--since` here holds what it held there; an older export's item
            // changed last when it was read or handled.
            let created = i.created_at.unwrap_or(i.received_at);
            let last_seen = [Some(created), i.read_at, i.handled_at].into_iter().flatten().max().unwrap_or(created);
            let updated = i.updated_at.unwrap_or(last_seen);
            db.conn
                .prepare_cached(
                    "INSERT INTO inbox_items (id, team_id, lead_id, kind, channel, outreach_id, title, body, received_at,
                     read_at, handled_at, assigned_to, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                )?
                .execute(params![
                    i.id,
                    team,
                    lead.as_ref().map(LeadId::as_str),
                    i.kind,
                    channel.map(OutreachKind::code),
                    i.outreach_id,
                    i.title,
                    i.body,
                    i.received_at.0,
                    i.read_at.map(|t| t.0),
                    i.handled_at.map(|t| t.0),
                    assigned,
                    created.0,
                    updated.0,
                ])?;
        }
        Object::Privacy(_, p) => {
            if exists(db, "privacy_log", &p.id)? {
                return Ok(false);
            }
            const ACTIONS: [&str; 5] = ["opt_out", "opt_in", "forget", "anonymize", "allow"];
            if !ACTIONS.contains(&p.action.as_str()) {
                return Err(invalid("action", &p.action, &crate::domain::words::must_be(&ACTIONS)));
            }
            let lead = p.lead_id.as_deref().map(|l| lead_itself(db, l)).transpose()?;
            if lead.is_none() && p.action != "allow" && !p.about_removed_lead {
                return Err(invalid("lead_id", "", "an opt-out, opt-in, erasure or anonymisation is about a lead"));
            }
            let by = author_or_me(db, p.user_id.as_deref())?;
            if let Some(lead) = &lead {
                // The entry the lead's own import inferred for this one from the lead's fields (the nearest
                // in time, one for one): this one says it whole.
                db.conn
                    .prepare_cached(
                        "DELETE FROM privacy_log WHERE rowid = (SELECT rowid FROM privacy_log
                         WHERE lead_id = ?1 AND action = ?2 AND inferred = 1 ORDER BY abs(created_at - ?3) LIMIT 1)",
                    )?
                    .execute(params![lead.as_str(), p.action, p.created_at.0])?;
            }
            db.conn
                .prepare_cached(
                    "INSERT INTO privacy_log (id, team_id, user_id, lead_id, action, reason, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![
                    p.id,
                    team,
                    by,
                    lead.as_ref().map(LeadId::as_str),
                    p.action,
                    p.reason,
                    p.created_at.0
                ])?;
        }
        Object::Member(_, m) => {
            let role = match m.role.as_deref() {
                Some(r) => r.parse::<crate::domain::Role>()?,
                None => crate::domain::Role::Rep,
            };
            let id = m.id.as_deref().and_then(crate::domain::canonical_id);
            return crate::store::teams::import_member(
                db,
                id.as_deref(),
                &m.name,
                &m.email,
                role,
                m.created_at,
                m.removed_at,
            );
        }
    }
    Ok(true)
}

fn status_str(s: crate::domain::DealStatus) -> &'static str {
    s.as_str()
}
