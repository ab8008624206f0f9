//! Exports: leads, outreach, meetings, deals, tasks and notes as CSV (stable header) or JSON / JSONL (the data
//! model's field names), streamed row by row; and the playbook's weekly export.

use std::io::Write;
use std::path::Path;
use std::str::FromStr;

use rusqlite::{OptionalExtension, ToSql, params_from_iter};
use serde::Serialize;

use super::text::spreadsheet_safe;
use super::{IoError, Result, file_err};
use crate::automation::clients::CustomerState;
use crate::domain::time::DAY_MS;
use crate::domain::words::{must_be, words};
use crate::domain::{Lifecycle, Timestamp, ValidationError};
use crate::store::leads::{self, Lead, LeadFilter, lead_name_sql};
use crate::store::{Db, deals, meetings, notes, outreach, tasks};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
    Jsonl,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 3] = [ExportFormat::Csv, ExportFormat::Json, ExportFormat::Jsonl];
    pub const NAMES: [&'static str; ExportFormat::ALL.len()] = words!(ExportFormat);

    pub const fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
            ExportFormat::Jsonl => "jsonl",
        }
    }
}

impl FromStr for ExportFormat {
    type Err = ValidationError;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "ndjson" => Ok(ExportFormat::Jsonl),
            word => Self::ALL
                .into_iter()
                .find(|f| f.as_str() == word)
                .ok_or_else(|| ValidationError::new("--format", s, must_be(&Self::NAMES))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Object {
    Leads,
    Outreach,
    Meetings,
    Deals,
    Tasks,
    Notes,
    /// The team's members, so that a moved database's leads keep their owners.
    Team,
    /// The inbox: replies and notices, read, handled and assigned as they are.
    Inbox,
    /// The privacy log: every opt-out, opt-in, erasure and address let in again, when, by whom and why.
    Privacy,
}

impl Object {
    pub const ALL: [Object; 9] = [
        Object::Leads,
        Object::Outreach,
        Object::Meetings,
        Object::Deals,
        Object::Tasks,
        Object::Notes,
        Object::Team,
        Object::Inbox,
        Object::Privacy,
    ];
    pub const NAMES: [&'static str; Object::ALL.len()] = words!(Object);
    /// What `leadline export` takes: an object, or the weekly report (several files).
    pub const EXPORT_WORDS: [&'static str; Object::ALL.len() + 1] = {
        let mut words = ["weekly"; Object::ALL.len() + 1];
        let mut i = 0;
        while i < Object::ALL.len() {
            words[i] = Object::NAMES[i];
            i += 1;
        }
        words
    };

    pub const fn as_str(self) -> &'static str {
        match self {
            Object::Leads => "leads",
            Object::Outreach => "outreach",
            Object::Meetings => "meetings",
            Object::Deals => "deals",
            Object::Tasks => "tasks",
            Object::Notes => "notes",
            Object::Team => "team",
            Object::Inbox => "inbox",
            Object::Privacy => "privacy",
        }
    }
}

impl FromStr for Object {
    type Err = ValidationError;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        // The singular too, as reps type it.
        let word = match s.trim().to_lowercase().as_str() {
            "lead" | "meeting" | "deal" | "task" | "note" => format!("{}s", s.trim().to_lowercase()),
            "members" => "team".to_string(),
            w => w.to_string(),
        };
        Self::ALL
            .into_iter()
            .find(|o| o.as_str() == word)
            .ok_or_else(|| ValidationError::new("export", s, must_be(&Self::EXPORT_WORDS)))
    }
}

/// `--where` as typed: `key=value` conditions joined by `,` or ` and `.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Where {
    pub pairs: Vec<(String, String)>,
}

impl FromStr for Where {
    type Err = ValidationError;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let mut pairs = Vec::new();
        for part in where_conditions(s) {
            let p = part.trim();
            if p.is_empty() {
                continue;
            }
            let (k, v) = p.split_once('=').ok_or_else(|| match pairs.last() {
                // "text=Acme, Inc.": the comma was the value's.
                Some((k, _)) => ValidationError::new(
                    "--where",
                    p,
                    format!(
                        "is no key=value condition; a value holding a comma or 'and' is written in quotes: {k}=\"…\""
                    ),
                ),
                None => {
                    ValidationError::new("--where", s, "must be key=value conditions, e.g. tag=vip,source=linkedin")
                }
            })?;
            let k = k.trim().to_lowercase();
            // Each key filters once: two tags or two kinds would read as "both", which nothing is.
            if pairs.iter().any(|(seen, _)| *seen == k) {
                return Err(ValidationError::new("--where", s, format!("gives '{k}' twice; one condition per key")));
            }
            let v = v.trim();
            let quoted = v.len() >= 2 && matches!(v.chars().next(), Some('"' | '\'')) && v.ends_with(&v[..1]);
            let v = match (v.chars().next(), v.chars().last()) {
                (Some(q @ ('"' | '\'')), Some(end)) if v.len() >= 2 && end == q => &v[1..v.len() - 1],
                (Some('"' | '\''), _) | (_, Some('"')) => {
                    return Err(ValidationError::new(
                        "--where",
                        p,
                        "has a quote that does not close where the value ends; write key=\"a value\"",
                    ));
                }
                _ => v,
            };
            // "tag=hot;source=linkedin": two conditions joined by something else than `,` or `and`.
            if !quoted && !v.starts_with('=') && v.contains('=') {
                return Err(ValidationError::new(
                    "--where",
                    p,
                    format!(
                        "gives '{k}' a value holding '='; join conditions with ',' (tag=vip,source=linkedin), \
                             or write a value holding '=' in quotes: {k}=\"…\""
                    ),
                ));
            }
            // `tag==vip` is a comparison typed as in code; a value that starts with `=` is written in quotes.
            if v.trim().is_empty() || (v.starts_with('=') && !quoted) {
                return Err(ValidationError::new(
                    "--where",
                    p,
                    format!("gives '{k}' no value; write {k}=VALUE (one starting with = in quotes: {k}=\"=…\")"),
                ));
            }
            pairs.push((k, v.to_string()));
        }
        Ok(Where { pairs })
    }
}

/// The conditions of a `--where`, split at commas and at the word "and" (any case) outside quotes, so a
/// quoted value ("Black and White, Ltd") stays whole.
fn where_conditions(s: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut quote: Option<char> = None;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let current = parts.last_mut().expect("one part at least");
        match (quote, c) {
            (Some(q), _) if c == q => {
                quote = None;
                current.push(c);
            }
            (Some(_), _) => current.push(c),
            // A quote opens only where a value starts: an apostrophe inside one (O'Brien) is a letter.
            (None, '"' | '\'') if current.trim_end().ends_with('=') => {
                quote = Some(c);
                current.push(c);
            }
            (None, ',') => parts.push(String::new()),
            (None, c) if c.is_whitespace() => {
                // " and " between two conditions.
                let rest: Vec<char> = chars.clone().take(4).collect();
                if rest.len() == 4
                    && rest[..3].iter().collect::<String>().eq_ignore_ascii_case("and")
                    && rest[3].is_whitespace()
                {
                    chars.nth(3);
                    parts.push(String::new());
                } else {
                    current.push(c);
                }
            }
            (None, _) => current.push(c),
        }
    }
    parts
}

impl Where {
    /// The lead filter (the one builder shared with lists and the TUI).
    pub fn lead_filter(&self) -> std::result::Result<LeadFilter, ValidationError> {
        let mut f = LeadFilter::default();
        for (k, v) in &self.pairs {
            match k.as_str() {
                "tag" => f.tag = Some(v.clone()),
                "stage" => f.stage = Some(v.clone()),
                "source" => f.source = Some(v.clone()),
                "owner" => f.owner = Some(v.clone()),
                "lifecycle" => f.lifecycle = Some(v.parse::<Lifecycle>().map_err(as_where)?),
                "text" | "search" => f.text = Some(v.clone()),
                "contactable" => f.contactable = Some(filter_bool(k, v)?),
                _ => {
                    return Err(ValidationError::new(
                        "--where",
                        k,
                        "is not a lead filter; use tag, stage, source, owner, lifecycle, contactable or text",
                    ));
                }
            }
        }
        Ok(f)
    }
}

/// One CSV record of values that came from people: none of them can run as a spreadsheet formula, and
/// none holds a NUL (it would make the file look binary to every reader, leadline's import included).
pub(crate) fn write_cells<W: Write>(w: &mut csv::Writer<W>, cells: &[String]) -> csv::Result<()> {
    for cell in cells {
        let cell = if cell.contains('\0') { cell.replace('\0', "").into() } else { std::borrow::Cow::from(cell) };
        w.write_field(spreadsheet_safe(&cell).as_bytes())?;
    }
    w.write_record(None::<&[u8]>)
}

/// The separator of a CSV export's cells: a comma, or what the spreadsheet of the rep's locale expects
/// (Excel in most of Europe opens a comma-separated file in one column, and wants semicolons).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Delimiter {
    #[default]
    Comma,
    Semicolon,
    Tab,
}

impl Delimiter {
    const fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
            Delimiter::Tab => b'\t',
        }
    }
}

impl FromStr for Delimiter {
    type Err = ValidationError;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.to_lowercase().as_str() {
            "," | "comma" => Ok(Delimiter::Comma),
            ";" | "semicolon" => Ok(Delimiter::Semicolon),
            "\t" | "tab" => Ok(Delimiter::Tab),
            _ => Err(ValidationError::new("delimiter", s, "must be \",\", \";\" or \"tab\"")),
        }
    }
}

/// How a CSV export is written for the spreadsheet that opens it: its separator, and whether it starts with
/// a UTF-8 byte-order mark (without one, Excel reads the file in the machine's legacy code page and garbles
/// accents). leadline's import reads every style back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CsvStyle {
    pub delimiter: Delimiter,
    pub bom: bool,
}

/// Writes rows as CSV, a JSON array or JSON lines, one at a time.
pub struct Sink<'w> {
    format: ExportFormat,
    csv: Option<csv::Writer<&'w mut dyn Write>>,
    raw: Option<&'w mut dyn Write>,
    rows: u64,
    /// The columns of decimal amounts written with a decimal comma (`DECIMAL_COLUMNS`).
    decimal_comma: Vec<usize>,
}

/// Columns of decimal amounts: written with a decimal comma beside semicolons, as the spreadsheet that
/// wants semicolons reads numbers (in a decimal-comma locale, Excel takes "31300.00" for text).
const DECIMAL_COLUMNS: [&str; 1] = ["amount"];

impl<'w> Sink<'w> {
    pub fn new(out: &'w mut dyn Write, format: ExportFormat, header: &[&str]) -> std::io::Result<Self> {
        Self::styled(out, format, header, CsvStyle::default())
    }

    /// A sink whose CSV is written in `style` (JSON has one form).
    pub fn styled(
        out: &'w mut dyn Write,
        format: ExportFormat,
        header: &[&str],
        style: CsvStyle,
    ) -> std::io::Result<Self> {
        let decimal_comma = match style.delimiter {
            Delimiter::Semicolon => (0..header.len()).filter(|&i| DECIMAL_COLUMNS.contains(&header[i])).collect(),
            _ => Vec::new(),
        };
        let mut sink = Sink { format, csv: None, raw: None, rows: 0, decimal_comma };
        match format {
            ExportFormat::Csv => {
                if style.bom {
                    out.write_all("\u{feff}".as_bytes())?;
                }
                let mut w = csv::WriterBuilder::new().delimiter(style.delimiter.byte()).from_writer(out);
                w.write_record(header)?;
                sink.csv = Some(w);
            }
            ExportFormat::Json => {
                out.write_all(b"[")?;
                sink.raw = Some(out);
            }
            ExportFormat::Jsonl => sink.raw = Some(out),
        }
        Ok(sink)
    }

    /// Whether rows are written as JSON (what only JSON carries is not worked out for a CSV).
    pub fn is_json(&self) -> bool {
        self.csv.is_none()
    }

    pub fn row<T: Serialize>(&mut self, value: &T, cells: impl FnOnce() -> Vec<String>) -> std::io::Result<()> {
        match (&mut self.csv, &mut self.raw) {
            (Some(w), _) => {
                let mut cells = cells();
                for &i in &self.decimal_comma {
                    if let Some(cell) = cells.get_mut(i) {
                        *cell = cell.replace('.', ",");
                    }
                }
                write_cells(w, &cells)?
            }
            (None, Some(out)) => {
                if self.format == ExportFormat::Json {
                    out.write_all(if self.rows == 0 { b"\n" } else { b",\n" })?;
                }
                serde_json::to_writer(&mut *out, value)?;
                if self.format == ExportFormat::Jsonl {
                    out.write_all(b"\n")?;
                }
            }
            _ => {}
        }
        self.rows += 1;
        Ok(())
    }

    pub fn finish(mut self) -> std::io::Result<u64> {
        if let Some(w) = self.csv.as_mut() {
            w.flush()?;
        }
        if let Some(out) = self.raw.as_mut() {
            if self.format == ExportFormat::Json {
                out.write_all(if self.rows == 0 { b"]\n" } else { b"\n]\n" })?;
            }
            out.flush()?;
        }
        Ok(self.rows)
    }
}

fn t(ts: Option<Timestamp>) -> String {
    ts.map(Timestamp::to_rfc3339).unwrap_or_default()
}

fn o(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

pub const LEAD_HEADER: [&str; 30] = [
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "title",
    "source",
    "product_interest",
    "industry",
    "company_size",
    "tags",
    "owner",
    "lifecycle",
    "do_not_contact",
    "do_not_contact_at",
    "do_not_contact_reason",
    "notes",
    "score",
    "stage",
    "last_contacted_at",
    "created_at",
    "updated_at",
    "manual_contact_at",
    "customer_status",
    "churned_at",
    "churn_reason",
    "other_emails",
    "owner_email",
    "profile_url",
];

/// A lead as an export writes it: its fields and its customer record's state (which no other exported
/// object carries). Every key is on every lead, empty where the lead has nothing of it, so that a strict
/// reader sees one shape.
#[derive(Serialize)]
struct ExportedLead<'a> {
    #[serde(flatten)]
    lead: &'a Lead,
    #[serde(flatten)]
    customer: &'a CustomerState,
    /// A forgotten person's hashed addresses, so that a moved database refuses them too.
    forgotten_addresses: Vec<String>,
    /// The merges the lead is made of (`dedupe --explain`), so that a moved database can still explain them.
    merges: Vec<crate::io::dedupe::MergeRecord>,
    /// The leads the rep said are another person (`dedupe`'s "n"), so that a moved database does not ask again.
    two_people: &'a [String],
}

fn lead_cells(l: &Lead, c: &CustomerState) -> Vec<String> {
    vec![
        l.id.0.clone(),
        l.first_name.clone(),
        l.last_name.clone(),
        o(&l.email),
        o(&l.phone),
        o(&l.company),
        o(&l.title),
        o(&l.source),
        o(&l.product_interest),
        o(&l.industry),
        o(&l.company_size),
        l.tags.join(","),
        o(&l.owner),
        l.lifecycle.clone(),
        l.do_not_contact.to_string(),
        t(l.do_not_contact_at),
        o(&l.do_not_contact_reason),
        o(&l.notes),
        l.score.to_string(),
        o(&l.stage),
        t(l.last_contacted_at),
        t(l.created_at.into()),
        t(l.updated_at.into()),
        t(l.manual_contact_at),
        o(&c.customer_status),
        t(c.churned_at),
        o(&c.churn_reason),
        l.other_emails.join("; "),
        o(&l.owner_email),
        o(&l.profile_url),
    ]
}

/// A team member as an export writes them.
#[derive(Serialize)]
struct ExportedMember {
    id: String,
    name: String,
    email: String,
    role: String,
    created_at: Timestamp,
    /// When they left the team: they are exported for the history that names them.
    removed_at: Option<Timestamp>,
    /// The team's own name and time zone, so that a moved database keeps them (`import` takes them there).
    team_name: String,
    team_timezone: String,
}

/// Writes the team's members, the first one first.
fn team(db: &Db<'_>, sink: &mut Sink<'_>) -> Result<()> {
    let (team_name, team_timezone) = crate::store::teams::settings(db)?;
    let mut stmt = db.conn.prepare(
        "SELECT id, name, email, role, created_at, deleted_at FROM users WHERE team_id = ?1
         ORDER BY created_at, id",
    )?;
    let mut rows = stmt.query([db.ctx.team_id.as_str()])?;
    while let Some(r) = rows.next()? {
        let m = ExportedMember {
            id: r.get(0)?,
            name: r.get(1)?,
            email: r.get(2)?,
            role: r.get(3)?,
            created_at: Timestamp(r.get(4)?),
            removed_at: r.get::<_, Option<i64>>(5)?.map(Timestamp),
            team_name: team_name.clone(),
            team_timezone: team_timezone.clone(),
        };
        sink.row(&m, || {
            vec![
                m.id.clone(),
                m.name.clone(),
                m.email.clone(),
                m.role.clone(),
                m.created_at.to_rfc3339(),
                m.removed_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                m.team_name.clone(),
                m.team_timezone.clone(),
            ]
        })
        .map_err(|e| file_err(Path::new("export"), e))?;
    }
    Ok(())
}

/// A privacy log entry as an export writes it.
#[derive(Serialize)]
struct ExportedPrivacyEntry {
    id: String,
    action: String,
    lead_id: Option<String>,
    /// About a lead removed since (which no export holds): kept without it, as the record of what was done.
    about_removed_lead: bool,
    user_id: Option<String>,
    reason: Option<String>,
    created_at: Timestamp,
}

/// Writes the privacy log, oldest first. An entry about a lead merged into another since is about the
/// lead it is part of (the one a moved database has); one about a lead removed since names no lead.
fn privacy_log(db: &Db<'_>, sink: &mut Sink<'_>, since: Option<Timestamp>) -> Result<()> {
    let io = |e: std::io::Error| file_err(Path::new("export"), e);
    let mut stmt = db.conn.prepare(
        "SELECT p.id, p.action, p.lead_id, l.deleted_at IS NOT NULL, p.user_id, p.reason, p.created_at
         FROM privacy_log p LEFT JOIN leads l ON l.id = p.lead_id
         WHERE p.team_id = ?1 AND p.created_at >= ?2 ORDER BY p.created_at, p.id",
    )?;
    let mut rows = stmt.query(rusqlite::params![db.ctx.team_id.as_str(), since.map_or(i64::MIN, |s| s.0)])?;
    while let Some(r) = rows.next()? {
        let mut lead_id: Option<String> = r.get(2)?;
        let mut about_removed_lead = false;
        if r.get::<_, Option<bool>>(3)? == Some(true) {
            match leads::survivor(db, &crate::domain::LeadId(lead_id.clone().unwrap_or_default()))? {
                Some(kept) => lead_id = Some(kept.0),
                None => (lead_id, about_removed_lead) = (None, true),
            }
        }
        let x = ExportedPrivacyEntry {
            id: r.get(0)?,
            action: r.get(1)?,
            lead_id,
            about_removed_lead,
            user_id: r.get(4)?,
            reason: r.get(5)?,
            created_at: Timestamp(r.get(6)?),
        };
        sink.row(&x, || {
            vec![
                x.id.clone(),
                x.action.clone(),
                o(&x.lead_id),
                x.about_removed_lead.to_string(),
                o(&x.user_id),
                o(&x.reason),
                x.created_at.to_rfc3339(),
            ]
        })
        .map_err(io)?;
    }
    Ok(())
}

/// Writes the inbox, oldest first: every item of a live lead (or of none), handled ones too.
fn inbox(db: &Db<'_>, sink: &mut Sink<'_>, since: Option<Timestamp>) -> Result<()> {
    let io = |e: std::io::Error| file_err(Path::new("export"), e);
    for x in crate::store::inbox::all(db, since)? {
        sink.row(&x, || {
            vec![
                x.id.0.clone(),
                x.kind.clone(),
                o(&x.lead_id),
                o(&x.lead_name),
                x.channel.map(|c| c.as_str().to_string()).unwrap_or_default(),
                o(&x.outreach_id),
                x.title.clone(),
                x.body.clone(),
                x.received_at.to_rfc3339(),
                t(x.read_at),
                t(x.handled_at),
                o(&x.assigned_to),
            ]
        })
        .map_err(io)?;
    }
    Ok(())
}

/// Streams the leads matching `filter` that `keep` accepts, in creation order.
pub fn leads(db: &Db<'_>, sink: &mut Sink<'_>, filter: &LeadFilter, keep: &dyn Fn(&Lead) -> bool) -> Result<()> {
    leads_changed(db, sink, filter, None, keep)
}

/// `leads`, of those changed since a time only (`ChangedSince`).
fn leads_changed(
    db: &Db<'_>,
    sink: &mut Sink<'_>,
    filter: &LeadFilter,
    changed: Option<leads::ChangedSince>,
    keep: &dyn Fn(&Lead) -> bool,
) -> Result<()> {
    let mut failed: Option<std::io::Error> = None;
    // A forgotten person's row travels in JSON, which says so (`forgotten_at`); a CSV would bring back
    // a lead named "Forgotten" as someone to work with.
    let csv = sink.format == ExportFormat::Csv;
    let customers = crate::automation::clients::customer_states(db)?;
    let none = CustomerState::default();
    // The few leads others were merged into, read up front: the other leads need no look-up.
    let kept: std::collections::HashSet<String> = if csv {
        Default::default()
    } else {
        db.conn
            .prepare("SELECT DISTINCT kept_id FROM merge_log WHERE team_id = ?1")?
            .query_map([db.ctx.team_id.as_str()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    let two_people = match csv {
        true => Default::default(),
        false => crate::io::dedupe::two_people_by_lead(db)?,
    };
    leads::for_each(db, filter, changed, |l| {
        if !keep(l) || (csv && l.forgotten_at.is_some()) {
            return Ok(());
        }
        let customer = customers.get(l.id.as_str()).unwrap_or(&none);
        let forgotten_addresses = match l.forgotten_at {
            Some(_) => crate::store::forgotten::hashes_of(db, &l.id)?,
            None => Vec::new(),
        };
        let merges = match kept.contains(l.id.as_str()) {
            true => crate::io::dedupe::history(db, &l.id)?,
            false => Vec::new(),
        };
        let two_people = two_people.get(l.id.as_str()).map_or(&[][..], Vec::as_slice);
        let exported = ExportedLead { lead: l, customer, forgotten_addresses, merges, two_people };
        if let Err(e) = sink.row(&exported, || lead_cells(l, customer)) {
            failed = Some(e);
            return Err(crate::store::StoreError::Refused("write failed".into()));
        }
        Ok(())
    })
    .map_err(|e| match failed.take() {
        Some(io) => file_err(Path::new("export"), io),
        None => e.into(),
    })
}

/// A filter's yes or no, said as one: not a file's loose one ("x", "s", an empty cell).
fn filter_bool(key: &str, v: &str) -> std::result::Result<bool, ValidationError> {
    match v.trim().to_lowercase().as_str() {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err(ValidationError::new("--where", v, format!("{key} must be true or false"))),
    }
}

/// Builds `AND ...` conditions for the other objects from `--where` (lead=REF plus per-object keys).
fn conditions(
    db: &Db<'_>,
    object: Object,
    w: &Where,
    alias: &str,
    sql: &mut String,
    args: &mut Vec<Box<dyn ToSql>>,
) -> Result<()> {
    for (k, v) in &w.pairs {
        match (object, k.as_str()) {
            (_, "lead") => {
                let id = leads::resolve(db, v)?;
                sql.push_str(&format!(" AND {alias}.lead_id = ?"));
                args.push(Box::new(id.0));
            }
            (Object::Outreach, "kind") => {
                let kind: crate::domain::OutreachKind = v.parse().map_err(as_where)?;
                sql.push_str(&format!(" AND {alias}.kind = ?"));
                args.push(Box::new(kind.code()));
            }
            (Object::Deals, "stage") => {
                sql.push_str(&format!(" AND {alias}.stage = ?"));
                args.push(Box::new(db.ctx.stages.resolve(v)?));
            }
            (Object::Deals, "status") => {
                let status = v.to_lowercase();
                if !["open", "won", "lost"].contains(&status.as_str()) {
                    return Err(ValidationError::new("--where", v, "status must be open, won or lost").into());
                }
                sql.push_str(&format!(" AND {alias}.status = ?"));
                args.push(Box::new(status));
            }
            (Object::Deals | Object::Tasks, "owner") | (Object::Outreach | Object::Meetings, "by") => {
                let member = crate::store::teams::resolve_in_history(db, v)?;
                let column = if k == "owner" { "owner_id" } else { "user_id" };
                sql.push_str(&format!(" AND {alias}.{column} = ?"));
                args.push(Box::new(member.0));
            }
            (Object::Tasks, "open") => {
                let open = filter_bool(k, v)?;
                sql.push_str(if open { " AND t.done_at IS NULL" } else { " AND t.done_at IS NOT NULL" });
            }
            _ => {
                let keys = match object {
                    Object::Outreach => "lead, kind, by",
                    Object::Meetings => "lead, by",
                    Object::Deals => "lead, stage, status, owner",
                    Object::Tasks => "lead, open, owner",
                    _ => "lead",
                };
                let reason = format!("names no filter of this export; its filters are {keys}");
                return Err(ValidationError::new("--where", k, reason).into());
            }
        }
    }
    Ok(())
}

pub const OUTREACH_HEADER: [&str; 14] = [
    "id",
    "lead_id",
    "lead_name",
    "kind",
    "value",
    "description",
    "occurred_at",
    "direction",
    "variant",
    "personalization_level",
    "reply_type",
    "cited_metric",
    "created_at",
    "logged_by",
];
pub const MEETING_HEADER: [&str; 10] = [
    "id",
    "lead_id",
    "lead_name",
    "deal_id",
    "title",
    "scheduled_at",
    "status",
    "no_show_reason",
    "created_at",
    "booked_by",
];
pub const DEAL_HEADER: [&str; 18] = [
    "id",
    "lead_id",
    "lead_name",
    "company",
    "title",
    "product",
    "use_case",
    "amount",
    "currency",
    "stage",
    "status",
    "lost_reason",
    "closed_at",
    "stage_entered_at",
    "created_at",
    "updated_at",
    "owner",
    "source_ref",
];
pub const TASK_HEADER: [&str; 13] = [
    "id",
    "title",
    "kind",
    "due_at",
    "snoozed_until",
    "done_at",
    "lead_id",
    "lead_name",
    "deal_id",
    "origin",
    "channel",
    "created_at",
    "owner",
];

const NOTE_HEADER: [&str; 5] = ["id", "lead_id", "deal_id", "body", "created_at"];

const TEAM_HEADER: [&str; 8] =
    ["id", "name", "email", "role", "created_at", "removed_at", "team_name", "team_timezone"];
/// Team exports of earlier versions: before they carried the members who had left, and before the team's
/// name and time zone.
const EARLIER_TEAM_HEADERS: [&[&str]; 2] = [
    &["id", "name", "email", "role", "created_at", "team_name", "team_timezone"],
    &["id", "name", "email", "role", "created_at"],
];

const PRIVACY_HEADER: [&str; 7] = ["id", "action", "lead_id", "about_removed_lead", "user_id", "reason", "created_at"];

const INBOX_HEADER: [&str; 12] = [
    "id",
    "kind",
    "lead_id",
    "lead_name",
    "channel",
    "outreach_id",
    "title",
    "body",
    "received_at",
    "read_at",
    "handled_at",
    "assigned_to",
];

pub fn header(object: Object) -> &'static [&'static str] {
    match object {
        Object::Leads => &LEAD_HEADER,
        Object::Outreach => &OUTREACH_HEADER,
        Object::Meetings => &MEETING_HEADER,
        Object::Deals => &DEAL_HEADER,
        Object::Tasks => &TASK_HEADER,
        Object::Notes => &NOTE_HEADER,
        Object::Team => &TEAM_HEADER,
        Object::Inbox => &INBOX_HEADER,
        Object::Privacy => &PRIVACY_HEADER,
    }
}

/// Which object a CSV header row is leadline's own export of, when it is not leads (only leads come back
/// from CSV; the other objects travel as JSON).
pub fn other_object_export(headers: &[String]) -> Option<&'static str> {
    [
        (Object::Outreach, "outreach"),
        (Object::Meetings, "meetings"),
        (Object::Deals, "deals"),
        (Object::Tasks, "tasks"),
        (Object::Notes, "notes"),
        (Object::Team, "team"),
        (Object::Inbox, "inbox"),
        (Object::Privacy, "the privacy log"),
    ]
    .into_iter()
    .find(|(o, _)| {
        let h = header(*o);
        // Deals came without their CRM id (the last column) before; before they said whose each row is
        // (the column before it, or the last), these four were one column shorter; before that, touches and
        // meetings did not carry their lead's name either.
        let h = if *o == Object::Deals && !is_exactly(h, headers) { &h[..h.len() - 1] } else { h };
        let whose = matches!(o, Object::Outreach | Object::Meetings | Object::Deals | Object::Tasks);
        let named = matches!(o, Object::Outreach | Object::Meetings);
        let unnamed: Vec<&str> = h.iter().copied().filter(|c| !named || *c != "lead_name").collect();
        let is = |cols: &[&str]| is_exactly(cols, headers);
        is(h) || (whose && is(&h[..h.len() - 1])) || (named && (is(&unnamed) || is(&unnamed[..unnamed.len() - 1])))
    })
    .map(|(_, name)| name)
    .or_else(|| EARLIER_TEAM_HEADERS.iter().any(|h| h.iter().eq(headers.iter())).then_some("team"))
}

/// Whether a header row is these columns, in this order.
fn is_exactly(columns: &[&str], headers: &[String]) -> bool {
    columns.iter().eq(headers.iter())
}

/// Streams one object's rows, with an extra SQL condition (used by the weekly export) besides `--where`.
/// A `--where` value that is not one of its key's choices, said of the flag.
fn as_where(e: ValidationError) -> ValidationError {
    ValidationError { field: "--where".into(), reason: format!("{} {}", e.field, e.reason), ..e }
}

/// Checks a filter against the object before anything is written (a half-written export is worse than none).
/// A name it gives that the database does not have (a stage, a member, a lead) is said of the flag.
pub fn check(db: &Db<'_>, object: Object, w: &Where) -> Result<()> {
    check_names(db, object, w).map_err(|e| match e {
        IoError::Store(crate::store::StoreError::Invalid(v)) | IoError::Invalid(v) if !v.field.starts_with("--") => {
            IoError::Invalid(as_where(v))
        }
        IoError::Store(crate::store::StoreError::NotFound { what, reference }) => {
            IoError::Invalid(ValidationError::new("--where", reference, format!("names no {what} of this database")))
        }
        IoError::Store(e @ crate::store::StoreError::Ambiguous { .. }) => {
            IoError::Invalid(ValidationError::new("--where", "", e.to_string()))
        }
        other => other,
    })
}

fn check_names(db: &Db<'_>, object: Object, w: &Where) -> Result<()> {
    if matches!(object, Object::Team | Object::Inbox | Object::Privacy) {
        return match w.pairs.first() {
            Some((k, _)) => Err(ValidationError::new(
                "--where",
                k,
                "does not apply to the team, the inbox or the privacy log: they are exported whole (--since \
                 picks inbox items and privacy log entries)",
            )
            .into()),
            None => Ok(()),
        };
    }
    if object == Object::Leads {
        leads::check_filter(db, &w.lead_filter()?)?;
        return Ok(());
    }
    let alias = match object {
        Object::Outreach => "o",
        Object::Meetings => "m",
        Object::Deals => "d",
        Object::Notes => "n",
        _ => "t",
    };
    conditions(db, object, w, alias, &mut String::new(), &mut Vec::new())
}

/// The leads whose outreach, deals, meetings, tasks or notes were written at or after `since`, as hashes of
/// their ids: 16 bytes a lead, where the ids themselves (and SQL's UNION of them) took 450 MB at a million.
/// Two ids of one hash would add a lead to the export, never leave one out.
fn leads_with_history_since(db: &Db<'_>, since: Timestamp) -> Result<std::collections::HashSet<u64>> {
    let mut touched = std::collections::HashSet::new();
    for table in ["outreach", "deals", "meetings", "tasks", "notes"] {
        let mut stmt = db.conn.prepare(&format!(
            "SELECT lead_id FROM {table} WHERE team_id = ?1 AND updated_at >= ?2 AND lead_id IS NOT NULL"
        ))?;
        let mut rows = stmt.query(rusqlite::params![db.ctx.team_id.as_str(), since.0])?;
        while let Some(r) = rows.next()? {
            touched.insert(id_hash(r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?));
        }
    }
    Ok(touched)
}

fn id_hash(id: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(id)
}

pub fn rows(
    db: &Db<'_>,
    sink: &mut Sink<'_>,
    object: Object,
    w: &Where,
    since: Option<Timestamp>,
    extra: Option<(&str, Vec<i64>)>,
) -> Result<()> {
    if object == Object::Leads {
        // Changed since: created or edited after the time, or its last contact or score moved with its
        // history (a touch, a deal, a meeting, a task or a note of theirs written since).
        let changed = match since {
            Some(at) => {
                let touched = leads_with_history_since(db, at)?;
                let touched = Box::new(move |id: &str| touched.contains(&id_hash(id)));
                Some(leads::ChangedSince { at, touched })
            }
            None => None,
        };
        return leads_changed(db, sink, &w.lead_filter()?, changed, &|_| true);
    }
    if object == Object::Team {
        return team(db, sink);
    }
    if object == Object::Inbox {
        return inbox(db, sink, since);
    }
    if object == Object::Privacy {
        return privacy_log(db, sink, since);
    }
    let (cols, from, alias, order) = match object {
        // Sorted once, not read through the index of the order (`+`): walking it visits the rows in random
        // order, a page read each; 890,000 touches of a million leads took 21 s that way, 2 s scanned and sorted.
        // A touch and a meeting carry their lead's name, as deals and tasks do (a LEFT JOIN keeps the scan
        // on their own table).
        Object::Outreach => (
            outreach::OUTREACH_COLUMNS.to_string(),
            "FROM outreach o LEFT JOIN leads ln ON ln.id = o.lead_id",
            "o",
            "+o.occurred_at, o.seq",
        ),
        Object::Meetings => (
            meetings::MEETING_COLUMNS.to_string(),
            "FROM meetings m LEFT JOIN leads ln ON ln.id = m.lead_id",
            "m",
            "+m.scheduled_at, m.id",
        ),
        Object::Deals => (deals::DEAL_COLUMNS.to_string(), deals::DEAL_FROM, "d", "+d.created_at, d.id"),
        Object::Notes => (notes::NOTE_COLUMNS.to_string(), "FROM notes n", "n", "+n.created_at, n.id"),
        _ => (tasks::TASK_COLUMNS.to_string(), tasks::TASK_FROM, "t", "+t.created_at, t.id"),
    };
    let cols = match object {
        Object::Outreach | Object::Meetings | Object::Notes => {
            let mut cols = cols.split(',').map(|c| format!("{alias}.{}", c.trim())).collect::<Vec<_>>();
            if object != Object::Notes {
                cols.push(LEAD_NAME.into());
            }
            cols.join(", ")
        }
        _ => cols,
    };
    // A removed lead is not exported, nor is its history: rows naming a lead the file does not hold would
    // not import back.
    let mut sql = format!(
        "SELECT {cols} {from} WHERE {alias}.team_id = ? AND {alias}.deleted_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM leads x WHERE x.id = {alias}.lead_id AND x.deleted_at IS NOT NULL)"
    );
    let mut args: Vec<Box<dyn ToSql>> = vec![Box::new(db.ctx.team_id.0.clone())];
    conditions(db, object, w, alias, &mut sql, &mut args)?;
    if let Some(s) = since {
        sql.push_str(&format!(" AND {alias}.updated_at >= ?"));
        args.push(Box::new(s.0));
    }
    if let Some((cond, values)) = extra {
        sql.push_str(&format!(" AND ({cond})"));
        for v in values {
            args.push(Box::new(v));
        }
    }
    sql.push_str(&format!(" ORDER BY {order}"));
    // The rows are sorted by time: the sort spills to disk past a small cache (the sorter takes as much as
    // the page cache), so a million of them take little memory. The connection's own settings come back after.
    let settings: (i64, i64) = (
        db.conn.pragma_query_value(None, "cache_size", |r| r.get(0))?,
        db.conn.pragma_query_value(None, "temp_store", |r| r.get(0))?,
    );
    db.conn.pragma_update(None, "cache_size", -16_000)?;
    db.conn.pragma_update(None, "temp_store", "FILE")?;
    let written = write_rows(db, sink, object, &sql, &args);
    db.conn.pragma_update(None, "cache_size", settings.0)?;
    db.conn.pragma_update(None, "temp_store", settings.1)?;
    written
}

/// Writes the rows `sql` selects, of `object`, to `sink`.
fn write_rows(db: &Db<'_>, sink: &mut Sink<'_>, object: Object, sql: &str, args: &[Box<dyn ToSql>]) -> Result<()> {
    let mut stmt = db.conn.prepare(sql)?;
    let mut q = stmt.query(params_from_iter(args.iter().map(|b| b.as_ref())))?;
    let io = |e: std::io::Error| file_err(Path::new("export"), e);
    // Whose each touch and booking is, by name (members who left too): a team lead splits the week by rep.
    let members = crate::store::teams::names_by_id(db)?;
    let member = |id: &Option<String>| id.as_ref().and_then(|id| members.get(id)).cloned().unwrap_or_default();
    // The rules that acted on each touch, which a JSON file carries with it (`automation::run::rules_fired`).
    let fired = match object {
        Object::Outreach if sink.is_json() => crate::automation::run::rules_fired(db)?,
        _ => Default::default(),
    };
    while let Some(r) = q.next()? {
        match object {
            Object::Outreach => {
                let x = outreach::from_row(r)?;
                let lead_name = lead_name_last(r)?;
                let rules_fired = &fired.of(x.id.as_str());
                let row = WithLeadName { row: &x, lead_name: &lead_name };
                sink.row(&TouchOut { row, rules_fired }, || {
                    vec![
                        x.id.0.clone(),
                        x.lead_id.0.clone(),
                        lead_name.clone(),
                        x.kind.as_str().into(),
                        x.value.clone(),
                        o(&x.description),
                        x.occurred_at.to_rfc3339(),
                        x.direction.as_str().into(),
                        o(&x.variant),
                        x.personalization_level.map(|p| p.to_string()).unwrap_or_default(),
                        x.reply_type.as_str().into(),
                        x.cited_metric.to_string(),
                        x.created_at.to_rfc3339(),
                        member(&x.user_id),
                    ]
                })
                .map_err(io)?;
            }
            Object::Meetings => {
                let mut x = meetings::from_row(r)?;
                x.deal_id = exported(db, "deals", x.deal_id)?;
                let lead_name = lead_name_last(r)?;
                sink.row(&WithLeadName { row: &x, lead_name: &lead_name }, || {
                    vec![
                        x.id.0.clone(),
                        x.lead_id.0.clone(),
                        lead_name.clone(),
                        o(&x.deal_id),
                        o(&x.title),
                        x.scheduled_at.to_rfc3339(),
                        x.status.code().into(),
                        o(&x.no_show_reason),
                        x.created_at.to_rfc3339(),
                        member(&x.user_id),
                    ]
                })
                .map_err(io)?;
            }
            Object::Deals => {
                let mut x = deals::from_row(r)?;
                x.origin_outreach_id = exported(db, "outreach", x.origin_outreach_id)?;
                sink.row(&x, || {
                    vec![
                        x.id.0.clone(),
                        x.lead_id.0.clone(),
                        x.lead_name.clone(),
                        o(&x.company),
                        x.title.clone(),
                        o(&x.product),
                        o(&x.use_case),
                        x.amount.clone(),
                        x.currency.clone(),
                        x.stage.clone(),
                        x.status.as_str().into(),
                        o(&x.lost_reason),
                        t(x.closed_at),
                        x.stage_entered_at.to_rfc3339(),
                        x.created_at.to_rfc3339(),
                        x.updated_at.to_rfc3339(),
                        o(&x.owner),
                        o(&x.source_ref),
                    ]
                })
                .map_err(io)?;
            }
            Object::Notes => {
                let mut x = notes::from_row(r)?;
                x.deal_id = exported(db, "deals", x.deal_id)?;
                if x.lead_id.is_none() && x.deal_id.is_none() {
                    continue;
                }
                sink.row(&x, || {
                    vec![x.id.0.clone(), o(&x.lead_id), o(&x.deal_id), x.body.clone(), x.created_at.to_rfc3339()]
                })
                .map_err(io)?;
            }
            _ => {
                let mut x = tasks::from_row(r)?;
                x.deal_id = exported(db, "deals", x.deal_id)?;
                sink.row(&x, || {
                    vec![
                        x.id.0.clone(),
                        x.title.clone(),
                        x.kind.as_str().into(),
                        x.due_at.to_rfc3339(),
                        t(x.snoozed_until),
                        t(x.done_at),
                        o(&x.lead_id),
                        o(&x.lead_name),
                        o(&x.deal_id),
                        x.origin.clone(),
                        x.channel.map(|c| c.as_str().to_string()).unwrap_or_default(),
                        x.created_at.to_rfc3339(),
                        o(&x.owner),
                    ]
                })
                .map_err(io)?;
            }
        }
    }
    Ok(())
}

/// The lead's name as the exports of touches and meetings select it, after their own columns.
const LEAD_NAME: &str = lead_name_sql!("ln");

/// The lead's name a row selected last (`LEAD_NAME`).
fn lead_name_last(r: &rusqlite::Row<'_>) -> rusqlite::Result<String> {
    Ok(r.get::<_, Option<String>>(r.as_ref().column_count() - 1)?.unwrap_or_default())
}

/// A touch or a meeting as JSON, with its lead's name (a team lead reads the weekly files without looking
/// ids up).
#[derive(Serialize)]
struct WithLeadName<'a, T: Serialize> {
    #[serde(flatten)]
    row: &'a T,
    lead_name: &'a str,
}

/// A touch as JSON, with the time-based rules that acted on it (a moved database does not act again).
#[derive(Serialize)]
struct TouchOut<'a> {
    #[serde(flatten)]
    row: WithLeadName<'a, crate::store::outreach::Outreach>,
    rules_fired: &'a Vec<String>,
}

/// A link to a deal or outreach, kept when an export writes that row too (not removed, nor its lead): a
/// link to a row the files do not hold could never be imported.
fn exported(db: &Db<'_>, table: &str, id: Option<String>) -> Result<Option<String>> {
    let Some(id) = id else { return Ok(None) };
    let sql = format!(
        "SELECT 1 FROM {table} x JOIN leads l ON l.id = x.lead_id
         WHERE x.id = ?1 AND x.deleted_at IS NULL AND l.deleted_at IS NULL"
    );
    let there = db.conn.prepare_cached(&sql)?.query_row([&id], |_| Ok(())).optional()?.is_some();
    Ok(there.then_some(id))
}

/// What the weekly export wrote.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WeeklyFile {
    pub file: String,
    pub rows: u64,
}

/// The playbook's weekly export into `dir`: new leads with score ≥ 6 (created in the last 7 days), outreach of
/// the last 30 days, meetings of the last 7 days with their outcome, deals created, won or lost in the last 7 days.
/// Each file is written beside its place (`scratch_in` makes it, so that it can be removed if the command is
/// stopped) and the four are moved into place once all are whole: last week's files are never left cut short.
pub fn weekly(
    db: &Db<'_>,
    dir: &Path,
    format: ExportFormat,
    style: CsvStyle,
    scratch_in: &dyn Fn(&Path) -> std::io::Result<tempfile::NamedTempFile>,
) -> Result<Vec<WeeklyFile>> {
    if dir.exists() && !dir.is_dir() {
        return Err(file_err(dir, "is a file, and the weekly export writes a folder of files: name a folder"));
    }
    std::fs::create_dir_all(dir).map_err(|e| file_err(dir, e))?;
    let now = db.now.0;
    // Days of the team's calendar, back to this time of day (a week across a change of clocks is 167 or 169
    // hours), and half open: what happens at this very instant is next week's, never both weeks'.
    let back =
        |days: i64| crate::domain::time::plus_local_days(db.now, db.ctx.tz, -days).map_or(now - days * DAY_MS, |t| t.0);
    let (week, month) = (back(7), back(30));
    let mut written = Vec::new();
    let none = Where::default();
    let mut write = |name: &str, object: Object, f: &mut dyn FnMut(&mut Sink<'_>) -> Result<()>| -> Result<()> {
        let path = dir.join(format!("{name}.{}", format.as_str()));
        if let Some(why) = super::paths::clobbers(&path, db.conn.path().map(Path::new), &[]) {
            return Err(file_err(&path, why));
        }
        let scratch = scratch_in(dir).map_err(|e| file_err(dir, e))?;
        // A file replaced keeps its permissions; a new one is the owner's only, like the database.
        if let Some(m) = std::fs::metadata(&path).ok().filter(std::fs::Metadata::is_file) {
            scratch.as_file().set_permissions(m.permissions()).map_err(|e| file_err(&path, e))?;
        }
        let mut buf = std::io::BufWriter::new(scratch);
        let mut sink = Sink::styled(&mut buf, format, header(object), style).map_err(|e| file_err(&path, e))?;
        f(&mut sink)?;
        let rows = sink.finish().map_err(|e| file_err(&path, e))?;
        let scratch = buf.into_inner().map_err(|e| file_err(&path, e.error()))?;
        written.push((scratch, path, rows));
        Ok(())
    };
    write("leads_new_score6", Object::Leads, &mut |s| {
        let new = LeadFilter { created_within: Some((Timestamp(week), db.now)), ..Default::default() };
        leads(db, s, &new, &|l: &Lead| l.score >= 6)?;
        Ok(())
    })?;
    write("outreach_30d", Object::Outreach, &mut |s| {
        rows(
            db,
            s,
            Object::Outreach,
            &none,
            None,
            // A month of a team's touches is a good part of them: one scan beats a look-up each (`+`).
            Some(("+o.occurred_at >= ? AND +o.occurred_at < ?", vec![month, now])),
        )
    })?;
    write("meetings_week", Object::Meetings, &mut |s| {
        rows(
            db,
            s,
            Object::Meetings,
            &none,
            None,
            Some(("m.scheduled_at >= ? AND m.scheduled_at < ?", vec![week, now])),
        )
    })?;
    write("deals_week", Object::Deals, &mut |s| {
        rows(
            db,
            s,
            Object::Deals,
            &none,
            None,
            Some((
                "(d.created_at >= ? AND d.created_at < ?) OR (d.status IN ('won', 'lost') AND d.closed_at >= ? AND d.closed_at < ?)",
                vec![week, now, week, now],
            )),
        )
    })?;
    let mut out = Vec::new();
    for (scratch, path, rows) in written {
        scratch.persist(&path).map_err(|e| file_err(&path, e.error))?;
        out.push(WeeklyFile { file: path.display().to_string(), rows });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deals_export_of_any_version_is_known_for_what_it_is() {
        let cols = |n: usize| -> Vec<String> { DEAL_HEADER[..n].iter().map(|c| c.to_string()).collect() };
        for n in [DEAL_HEADER.len(), DEAL_HEADER.len() - 1, DEAL_HEADER.len() - 2] {
            assert_eq!(other_object_export(&cols(n)), Some("deals"), "{n} columns");
        }
        let tasks: Vec<String> = TASK_HEADER.iter().map(|c| c.to_string()).collect();
        assert_eq!(other_object_export(&tasks[..tasks.len() - 1]), Some("tasks"));
        assert_eq!(other_object_export(&tasks[..tasks.len() - 2]), None);
    }
}
