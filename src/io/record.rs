//! One imported person, whatever the file: the typed fields of a lead (plus the deal and touches the row
//! implies), built from a mapped CSV row or a vCard and validated as a whole: a row is taken or rejected entire.

use std::borrow::Cow;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;

use super::presets::Field;
use crate::domain::lead::{check_label, normalize_tag, split_extension, validate_email, validate_phone, validate_url};
use crate::domain::text::one_line;
use crate::domain::time::written_local_to_utc;
use crate::domain::{DealStatus, LeadId, Lifecycle, Money, Source, Timestamp, canonical_id};

/// A row that was refused: where, which column, why. Never half-imported.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Reject {
    pub line: u64,
    pub column: Option<String>,
    pub reason: String,
    /// The row's values as read, so the rejects file can be fixed and imported again.
    #[serde(skip)]
    pub record: Vec<String>,
}

impl Reject {
    /// A value a rule refused: named by its field, which the reason then does not repeat.
    pub fn invalid(line: u64, v: &crate::domain::ValidationError, record: Vec<String>) -> Reject {
        let said = v.to_string();
        let reason = said.strip_prefix(&format!("{}: ", v.field)).unwrap_or(&said).to_string();
        Reject { line, column: Some(v.field.clone()), reason, record }
    }
}

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}: '{}' {}", self.line, c, self.reason),
            None => write!(f, "line {}: {}", self.line, self.reason),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DealRow {
    pub title: String,
    pub amount: Option<Money>,
    pub stage: Option<String>,
    /// Won or lost, as the file says (or its stage, when no column does): the deal goes to the pipeline's
    /// won or lost stage whatever its stage.
    pub status: Option<DealStatus>,
    /// When a won or lost deal closed, and why a lost one was lost (`settle` keeps what its status uses).
    pub closed_at: Option<Timestamp>,
    pub lost_reason: Option<String>,
    /// When the file says it was won, or lost (Pipedrive has both beside its close date).
    pub won_at: Option<Timestamp>,
    pub lost_at: Option<Timestamp>,
    /// The open stage a deal the file says is closed was in there (`deals.closed_from`).
    pub closed_from: Option<String>,
    /// Its owner as the file names them, and when it was made there.
    pub owner: Option<String>,
    pub created_at: Option<Timestamp>,
    /// Its id in the CRM the file comes from, when the file gives it, and the column that gives it.
    pub source_ref: Option<String>,
    pub id_column: Option<String>,
    /// How an amount with a lone point or comma before three digits ("1.500") was read, for the summary.
    pub amount_read: Option<String>,
    /// The amount as written when the file names no currency for it (no column, no sign): read in the
    /// team's currency for a new deal, in its own for a deal found again.
    pub amount_without_currency: Option<String>,
}

impl DealRow {
    /// Once its status is known: a won deal closed when it was won, a lost one when it was lost and why;
    /// an open one has neither.
    pub fn settle(&mut self) {
        match self.status {
            Some(DealStatus::Won) => {
                self.closed_at = self.won_at.or(self.closed_at);
                self.lost_reason = None;
            }
            Some(DealStatus::Lost) => self.closed_at = self.lost_at.or(self.closed_at),
            _ => (self.closed_at, self.lost_reason) = (None, None),
        }
    }
}

/// A deal status cell; `None` for a deal the other CRM deleted.
fn deal_status(v: &str) -> Result<Option<DealStatus>, String> {
    match v.trim().to_lowercase().as_str() {
        "open" => Ok(Some(DealStatus::Open)),
        "won" => Ok(Some(DealStatus::Won)),
        "lost" => Ok(Some(DealStatus::Lost)),
        "deleted" => Ok(None),
        _ => Err(format!("is not a deal status (open, won, lost or deleted): '{}'", short(v))),
    }
}

/// A person as read from a file, validated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeadRow {
    pub line: u64,
    pub id: Option<LeadId>,
    pub first_name: String,
    pub last_name: String,
    /// The first is the lead's e-mail (unless `no_own_email`); all are used to find duplicates.
    pub emails: Vec<String>,
    /// The file gives the person other e-mails only: its own e-mail is empty.
    pub no_own_email: bool,
    /// The lead's e-mail is the first of the other addresses another CRM's file gave (its e-mail column
    /// was empty): it fills an empty e-mail, and never replaces one, even in an update.
    pub email_from_others: bool,
    pub phones: Vec<String>,
    /// Extensions written after a number (kept in the notes beside it): (number, extension).
    pub phone_extensions: Vec<(String, String)>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub source: Option<String>,
    pub industry: Option<String>,
    pub company_size: Option<String>,
    pub product_interest: Option<String>,
    pub tags: Vec<String>,
    pub owner: Option<String>,
    pub owner_email: Option<String>,
    /// leadline's own export says the lead is nobody's (its owner cells empty): it stays so, rather than
    /// becoming the importing member's as a row of another CRM's file naming no owner does.
    pub nobodys: bool,
    pub lifecycle: Option<Lifecycle>,
    pub notes: Option<String>,
    pub do_not_contact: Option<bool>,
    pub do_not_contact_reason: Option<String>,
    /// When the opt-out happened, when the file says (leadline's own export).
    pub do_not_contact_at: Option<Timestamp>,
    pub country: Option<String>,
    /// A social profile the file gives: the lead's, and a touch when the file dates it (a LinkedIn
    /// connection, a last activity, the record's creation).
    pub profile_url: Option<String>,
    /// The lead's profile as leadline's own export writes it: the lead's only (its touches travel apart).
    pub lead_profile: Option<String>,
    /// The touch the lead came from, as leadline's own export names it: kept as the file says, though the
    /// touch itself comes with the touches' file, after the leads.
    pub origin_outreach_id: Option<String>,
    pub connected_on: Option<Timestamp>,
    pub last_activity: Option<Timestamp>,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
    pub score: Option<i64>,
    /// The person was forgotten where the file comes from (leadline's own export): the lead is kept for
    /// the counts, never listed, searched or matched.
    pub forgotten_at: Option<Timestamp>,
    /// The hashed addresses of that forgotten person, refused here too once the row is imported.
    pub forgotten_addresses: Vec<String>,
    /// The customer record the lead had where the file comes from (leadline's own export), when the
    /// customer churned there: kept with the lead, since no other exported object carries it.
    pub churn: Option<Churn>,
    pub deal: Option<DealRow>,
    /// The title of a deal the file says its CRM deleted: not brought over, but counted as skipped.
    pub deleted_deal: Option<DealRow>,
    /// Why the record is skipped, there being nothing to fix: the other CRM deleted it (Salesforce's
    /// IsDeleted), or it is a contact group rather than a person.
    pub skip: Option<&'static str>,
    /// The first name was made up from the e-mail or phone (the file had no name): never overwrites a real one.
    pub derived_name: bool,
    /// The CSV row has fewer values than its header has columns: read with its last ones empty, which is
    /// what a tool that leaves trailing empty cells out means, and wrong where a value in the middle is
    /// missing (said in the summary).
    pub short: bool,
    /// The owner is the deal's (the file names no owner of the person): one for a new lead, or one who has
    /// none, not a reason to hand over a lead who has one (its other deals would follow).
    pub owner_from_deal: bool,
    /// The row as the file had it, kept for a row that brings a deal or a touch (refused only once its
    /// lead is written, it goes to the rejects file whole).
    pub raw: Vec<String>,
    /// The merges the lead was made of where the file comes from (leadline's own JSON export).
    pub merges: Vec<MergeRow>,
    /// The leads the rep said there are another person than this one (`dedupe`'s "n"), by their ids where
    /// the file comes from: a moved database does not list those pairs again.
    pub two_people: Vec<LeadId>,
}

/// A merge as leadline's own export tells it (`dedupe::MergeRecord`): the merged lead is brought along as a
/// removed row, so the merge can be explained here too.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct MergeRow {
    pub kept_id: String,
    pub merged_id: String,
    #[serde(default)]
    pub merged_name: String,
    pub merged_email: Option<String>,
    pub reason: String,
    pub confidence: i64,
    /// None in merges recorded with no details.
    #[serde(default)]
    pub details: Option<MergeDetails>,
    pub by_id: Option<String>,
    pub created_at: Timestamp,
}

/// What a merge filled and moved, as `dedupe::merge` records it: field names, and counts by record kind.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, serde::Serialize)]
pub struct MergeDetails {
    #[serde(default)]
    pub filled: Vec<String>,
    #[serde(default)]
    pub moved: std::collections::BTreeMap<String, u64>,
    /// The fields whose other values went into the kept lead's notes.
    #[serde(default)]
    pub kept_in_notes: Vec<String>,
}

/// The records a merge moves, as its details count them.
const MOVED_KINDS: [&str; 6] = ["outreach", "meetings", "deals", "tasks", "notes", "inbox"];

impl MergeRow {
    /// What is wrong with a merge a file gives, if anything: ids that are not leadline's, a lead merged into
    /// itself, a confidence that is no percentage, or text that is not what leadline writes there.
    pub fn problem(&self) -> Option<String> {
        for (what, id) in [("kept_id", &self.kept_id), ("merged_id", &self.merged_id)] {
            if canonical_id(id).as_deref() != Some(id.as_str()) {
                return Some(format!("a merge's {what} is not a leadline id: '{}'", one_line(id)));
            }
        }
        if self.kept_id == self.merged_id {
            return Some(format!("a merge folds lead {} into itself", self.kept_id));
        }
        if !(0..=100).contains(&self.confidence) {
            return Some(format!("a merge's confidence is {}; it is 0 to 100", self.confidence));
        }
        let field_name =
            |f: &str| !f.is_empty() && f.len() <= 40 && f.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        let details = self.details.clone().unwrap_or_default();
        if let Some(f) = details.filled.iter().find(|f| !field_name(f)) {
            return Some(format!("a merge's filled fields hold '{}', which is no field name", one_line(f)));
        }
        if let Some(k) = details.moved.keys().find(|k| !MOVED_KINDS.contains(&k.as_str())) {
            return Some(format!("a merge's moved records name '{}', which is no kind of record", one_line(k)));
        }
        // A name is two labels (first and last), so it may be twice as long as one.
        if self.merged_name.chars().count() > 2 * crate::domain::lead::LABEL_MAX_CHARS + 1 {
            return Some("a merged lead's name is longer than a first and a last name can be".into());
        }
        let name = crate::domain::lead::check_one_line("merges", &self.merged_name);
        let email = self.merged_email.as_deref().map(|e| validate_email("merges", e).map(|_| ()));
        [name, check_label("merges", &self.reason)].into_iter().chain(email).find_map(|r| r.err()).map(|e| e.reason)
    }

    /// The details as the merge log stores them.
    pub fn details_json(&self) -> String {
        let mut details = self.details.clone().unwrap_or_default();
        // What a merge kept in the notes is named by field, never by value (personal data an erasure could
        // not find there), whatever the file says.
        for entry in details.kept_in_notes.iter_mut() {
            *entry = entry.split(':').next().unwrap_or("").trim().to_string();
        }
        serde_json::to_string(&details).unwrap_or_else(|_| "{}".into())
    }
}

impl LeadRow {
    /// A reason to leave someone alone is an opt-out, unless the row says they may be contacted (leadline's
    /// own export keeps an old reason beside an opt-in).
    pub(crate) fn opt_out_by_reason(&mut self) {
        if self.do_not_contact.is_none() && self.do_not_contact_reason.as_deref().is_some_and(|r| !r.trim().is_empty())
        {
            self.do_not_contact = Some(true);
        }
    }

    /// The profile the lead keeps, in its one form.
    pub fn profile(&self) -> Option<String> {
        self.lead_profile.as_deref().or(self.profile_url.as_deref()).map(crate::domain::lead::canonical_profile)
    }

    /// The e-mail the lead is written to.
    pub fn own_email(&self) -> Option<&String> {
        if self.no_own_email { None } else { self.emails.first() }
    }

    /// The other addresses the person is known by.
    pub fn other_emails(&self) -> &[String] {
        if self.no_own_email { &self.emails } else { self.emails.get(1..).unwrap_or_default() }
    }
}

/// A churn as a file tells it: the record's state then (active again after a later win, or churned),
/// when and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Churn {
    pub status: &'static str,
    pub at: Timestamp,
    pub reason: Option<String>,
}

/// A customer record's state as a file writes it.
pub fn customer_status(v: &str) -> Result<&'static str, String> {
    match v.trim().to_lowercase().as_str() {
        "active" => Ok("active"),
        "churned" => Ok("churned"),
        _ => Err(format!("must be active or churned, not '{}'", short(v))),
    }
}

/// A row read: a lead, nothing (a blank row), or a reject.
pub type RowResult = Result<Option<LeadRow>, Reject>;

/// What reading a row needs to know: the team's zone and currency, how the file writes dates.
#[derive(Debug, Clone)]
pub struct RowRules {
    pub tz: Tz,
    pub currency: String,
    pub month_first: bool,
    /// The order of slash dates was read from the file's own dates (not a preset's habit): a date written
    /// the other way is the file contradicting itself.
    pub dates_from_file: bool,
    pub default_source: Option<String>,
    pub default_country: Option<String>,
    /// The import's clock: a last contact after it never happened.
    pub now: Timestamp,
    /// The file is leadline's own export, which writes a lead's fields as they are: an empty e-mail beside
    /// other addresses is a lead known by those only.
    pub own_export: bool,
}

impl RowRules {
    /// A last contact as the file dates it, unless that is still to come (a typo, or a planned touch). A
    /// time ahead by less than the widest gap between two zones was written where the file was made (a
    /// CRM's portal in another zone than the team): a contact today, dated at the day's start, so the same
    /// file imported again later today dates it the same.
    /// Every date a file gives (a last contact, when a record or deal was made or closed) is of something
    /// that has happened: the same holds for them all.
    pub fn contacted(&self, at: Timestamp) -> Result<Timestamp, String> {
        const ZONES_APART_MS: i64 = 26 * 3_600_000;
        match at.0 - self.now.0 {
            ahead if ahead <= crate::store::outreach::CLOCK_SLACK_MS => Ok(at),
            ahead if ahead <= ZONES_APART_MS => Ok(crate::domain::time::start_of_day(self.now, self.tz)),
            _ => Err(format!("is in the future ({}), and what it dates has happened", at.local(self.tz))),
        }
    }
}

/// Builds a lead from one mapped row. Ok(None) for a row with nothing in it (skipped silently).
pub fn from_fields(
    line: u64,
    headers: &[String],
    fields: &[Field],
    values: &[String],
    rules: &RowRules,
) -> Result<Option<LeadRow>, Reject> {
    if values.iter().all(|v| v.trim().is_empty()) {
        return Ok(None);
    }
    if values.len() > headers.len() && values[headers.len()..].iter().any(|v| !v.trim().is_empty()) {
        return Err(Reject {
            line,
            column: None,
            reason: format!(
                "has {} values but the header has {} columns (an unquoted delimiter inside a value?)",
                values.len(),
                headers.len()
            ),
            record: values.to_vec(),
        });
    }
    let mut row = LeadRow { line, short: values.len() < headers.len(), ..Default::default() };
    let mut full_name = None;
    // Every web address the row gives (Google lists several, and several in one cell "a ::: b").
    let mut websites: Vec<String> = Vec::new();
    let mut deal_title = None;
    let mut deal_amount: Option<(String, String)> = None;
    let mut deal_currency = None;
    let mut deal_stage = None;
    let (mut deal_status_read, mut deal_closed_at, mut deal_lost_reason) = (None, None, None);
    let (mut deal_won_at, mut deal_lost_at) = (None, None);
    let (mut deal_owner, mut deal_created_at, mut deal_ref) = (None, None, None);
    let mut last_contacted = None;
    let mut do_not_call = false;
    let (mut customer, mut churned_at, mut churn_reason) = (None, None, None);
    // Primary e-mails and phones taken so far (they lead their lists).
    let mut primary = (0, 0);
    let mut problems: Vec<Reject> = Vec::new();
    for (i, field) in fields.iter().enumerate() {
        let raw = values.get(i).map(String::as_str).unwrap_or("");
        // A label's lines (a quoted cell) are made one; other fields keep theirs (notes).
        let v = if field.is_label() { one_line(raw.trim()) } else { Cow::Borrowed(raw.trim()) };
        let v = v.as_ref();
        // A cell of nothing but invisible characters (a zero-width space left behind) is an empty one.
        let blank = |c: char| c.is_whitespace() || c == '\u{AD}' || crate::domain::text::steers_layout(c);
        if v.is_empty() || *field == Field::Ignore || v.chars().all(blank) {
            continue;
        }
        let col = &headers[i];
        let reject = |reason: String| Reject { line, column: Some(col.clone()), reason, record: values.to_vec() };
        let date = |v: &str| {
            // A file is read one way: a date only the other way reads is the file contradicting itself.
            if let Some(order) = slash_date_order(v).filter(|o| rules.dates_from_file && *o != rules.month_first) {
                let way = |month: bool| if month { "month" } else { "day" };
                return Err(reject(format!(
                    "reads only {} first ('{}'), where this file's dates read {} first: write the column one way",
                    way(order),
                    short(v),
                    way(rules.month_first)
                )));
            }
            let at = parse_date(v, rules.tz, rules.month_first)
                .ok_or_else(|| reject(format!("is not a date: '{}'", short(v))))?;
            rules.contacted(at).map_err(reject)
        };
        // Every problem of the row is told at once, so one fix-and-import round mends it.
        let mut take = || -> Result<(), Reject> {
            // A NUL is binary data in any field (a label says so below, with its other checks).
            if !field.is_label() && v.contains('\0') {
                return Err(reject("has control characters (an escape, a NUL: binary data?)".into()));
            }
            if field.is_label() {
                // A name or company over several lines with separators in it is rows a quote ran into: one
                // opened in this cell that does not close where the cell ends.
                if raw.contains('\n') && raw.contains([',', ';', '\t']) {
                    return Err(reject(format!(
                        "runs over several lines holding separators: a quote opened in this cell does not close \
                         where it ends, and the rows after it ran into it ('{}')",
                        short(v)
                    )));
                }
                check_label(col, v).map_err(|x| reject(format!("{} ('{}')", x.reason, short(v))))?;
            }
            match field {
                Field::Id => match canonical_id(v) {
                    Some(id) => row.id = Some(LeadId(id)),
                    None => return Err(reject(format!("is not a leadline id: '{}'", short(v)))),
                },
                Field::FirstName => row.first_name = v.to_string(),
                Field::LastName => row.last_name = v.to_string(),
                Field::FullName => full_name = Some(v.to_string()),
                Field::Email | Field::OtherEmail => {
                    let cell = without_exchange_addresses(v);
                    let cell = bare_addresses(&cell);
                    let parts: Vec<&str> = split_multi(&cell).collect();
                    for e in parts.iter().copied() {
                        // The part that is wrong, and the whole cell when it held more (a stray space splits one
                        // address in two: "carol danvers@x.com") or something taken off ("piotr(at)nowak.pl").
                        let said = |x: crate::domain::ValidationError| match parts.len() == 1 && e == v.trim() {
                            true => reject(format!("{} ('{}')", x.reason, short(e))),
                            false => reject(format!("{} ('{}', in '{}')", x.reason, short(e), short(v))),
                        };
                        let e = validate_email(col, e).map_err(said)?;
                        // Primary values go before the others, in the order the cell lists them.
                        if *field == Field::Email {
                            row.emails.insert(primary.0, e);
                            primary.0 += 1;
                        } else {
                            row.emails.push(e);
                        }
                    }
                }
                Field::Phone | Field::OtherPhone => {
                    // A whole cell ("3,46001E+11", a decimal comma) or one number of several.
                    if std::iter::once(v).chain(split_phones(v)).any(in_scientific_notation) {
                        return Err(reject(format!(
                            "is a number a spreadsheet rounded, so its last digits are lost ('{}'): format the \
                             column as text where the file came from and export it again",
                            short(v)
                        )));
                    }
                    let v = &crate::domain::lead::plain_phone(v);
                    for p in split_phones(v) {
                        let (number, extension) = split_extension(p);
                        let p = validate_phone(col, number)
                            .map_err(|x| reject(format!("{} ('{}')", x.reason, short(p))))?;
                        if let Some(x) = extension {
                            row.phone_extensions.push((p.clone(), x.to_string()));
                        }
                        if *field == Field::Phone {
                            row.phones.insert(primary.1, p);
                            primary.1 += 1;
                        } else {
                            row.phones.push(p);
                        }
                    }
                }
                // Of two company columns (HubSpot's "Associated Company" and "Company Name"), the first filled.
                Field::Company if row.company.is_none() => row.company = Some(v.to_string()),
                Field::Company => {}
                Field::Title => row.title = Some(v.to_string()),
                Field::Source => {
                    let s = Source::parse(v).map_err(|x| reject(x.reason))?;
                    row.source = Some(s.as_str().to_string());
                }
                Field::Industry => row.industry = Some(v.to_string()),
                Field::CompanySize => row.company_size = Some(v.to_string()),
                Field::ProductInterest => row.product_interest = Some(v.to_string()),
                Field::Tags => {
                    // leadline's own export joins tags with commas, which no tag holds; other CRMs' files
                    // use other separators too, and Google marks its system groups.
                    let tags: Box<dyn Iterator<Item = &str>> = if rules.own_export {
                        Box::new(v.split(','))
                    } else {
                        Box::new(v.split([',', ';', '|']).flat_map(|t| t.split(":::")))
                    };
                    for t in tags {
                        let t = t.trim();
                        // Google's system groups ("* myContacts", "* starred") are not the rep's tags.
                        if t.is_empty() || (t.starts_with('*') && !rules.own_export) {
                            continue;
                        }
                        let t = normalize_tag(t).map_err(|x| reject(format!("has a bad tag: {}", x.reason)))?;
                        if !row.tags.contains(&t) {
                            row.tags.push(t);
                        }
                    }
                }
                // Of two owner columns, the first filled.
                Field::Owner if row.owner.is_none() => row.owner = Some(v.to_string()),
                Field::Owner => {}
                Field::OwnerEmail => row.owner_email = Some(v.to_string()),
                Field::Lifecycle => row.lifecycle = Some(lifecycle(v)),
                // A line break a classic Mac wrote (a lone CR) is a line break.
                Field::Notes => row.notes = Some(raw.trim_end().replace("\r\n", "\n").replace('\r', "\n")),
                Field::DoNotContact => {
                    row.do_not_contact =
                        Some(opted_out(v).ok_or_else(|| reject(format!("is not yes/no: '{}'", short(v))))?);
                }
                Field::DoNotCall => {
                    if parse_bool(v).ok_or_else(|| reject(format!("is not yes/no: '{}'", short(v))))? {
                        do_not_call = true;
                    }
                }
                Field::Deleted => {
                    if parse_bool(v).ok_or_else(|| reject(format!("is not yes/no: '{}'", short(v))))? {
                        row.skip = Some("deleted where the file comes from");
                    }
                }
                Field::DoNotContactReason => row.do_not_contact_reason = Some(v.to_string()),
                Field::DoNotContactAt => row.do_not_contact_at = Some(date(v)?),
                Field::Country => row.country = Some(v.to_string()),
                // Leadline's own export gives the lead's profile; its touches travel apart.
                Field::ProfileUrl if rules.own_export => {
                    row.lead_profile = Some(validate_url(col, v).map_err(|x| reject(x.reason))?);
                }
                Field::ProfileUrl => {
                    row.profile_url = Some(validate_url(col, v).map_err(|x| reject(x.reason))?);
                }
                Field::Website => websites.extend(split_multi(v).map(str::to_string)),
                Field::ConnectedOn => row.connected_on = Some(date(v)?),
                Field::LastActivity => row.last_activity = Some(date(v)?),
                Field::CreatedAt => row.created_at = Some(date(v)?),
                Field::UpdatedAt => row.updated_at = Some(date(v)?),
                Field::LastContactedAt => last_contacted = Some(date(v)?),
                // Touches do not travel in CSV: the last contact, touches and all, is kept as recorded.
                Field::ManualContactAt => {}
                Field::CustomerStatus => customer = Some(customer_status(v).map_err(reject)?),
                Field::ChurnedAt => churned_at = Some(date(v)?),
                Field::ChurnReason => churn_reason = Some(v.to_string()),
                Field::Score => {
                    row.score =
                        Some(v.parse::<i64>().map_err(|_| reject(format!("is not a whole number: '{}'", short(v))))?);
                }
                Field::DealTitle => deal_title = Some(v.to_string()),
                Field::DealAmount => deal_amount = Some((col.clone(), v.to_string())),
                Field::DealCurrency => deal_currency = Some((col.clone(), v.to_string())),
                Field::DealStage => deal_stage = Some(v.to_string()),
                Field::DealStatus => deal_status_read = Some(deal_status(v).map_err(reject)?),
                Field::DealClosedAt => deal_closed_at = Some(date(v)?),
                Field::DealWonAt => deal_won_at = Some(date(v)?),
                Field::DealLostAt => deal_lost_at = Some(date(v)?),
                Field::DealLostReason => deal_lost_reason = Some(v.to_string()),
                Field::DealOwner => deal_owner = Some(v.to_string()),
                Field::DealCreatedAt => deal_created_at = Some(date(v)?),
                Field::DealId => deal_ref = Some((col.clone(), v.to_string())),
                Field::Ignore => {}
            }
            Ok(())
        };
        if let Err(problem) = take() {
            problems.push(problem);
        }
    }
    // A record the other CRM deleted is skipped whatever else is wrong with it: there is nothing to fix.
    if row.skip.is_some() {
        row.first_name = "(deleted)".into();
        return Ok(Some(row));
    }
    if let Some(first) = combined(problems) {
        return Err(first);
    }
    if row.last_activity.is_none() {
        row.last_activity = last_contacted;
    }
    // A connection with no profile to log it against (older LinkedIn exports) is still a contact made then.
    if row.last_activity.is_none() && row.profile_url.is_none() {
        row.last_activity = row.connected_on.and_then(|at| rules.contacted(at).ok());
    }
    if do_not_call && row.do_not_contact != Some(true) {
        row.do_not_contact = Some(true);
        row.do_not_contact_reason.get_or_insert_with(|| "asked not to be called (imported)".into());
    }
    row.opt_out_by_reason();
    row.churn = churned_at.map(|at| Churn { status: customer.unwrap_or("churned"), at, reason: churn_reason });
    // A LinkedIn page among them is the person's profile.
    if row.profile_url.is_none()
        && let Some(u) = websites
            .iter()
            .filter(|w| w.to_lowercase().contains("linkedin.com/"))
            .find_map(|w| validate_url("website", w).ok())
    {
        row.profile_url = Some(u);
    }
    // A lone family-name column holding whole names (a French file's "Nom" alone): split as a full name.
    if row.first_name.is_empty()
        && row.last_name.trim().contains(char::is_whitespace)
        && !fields.iter().any(|f| matches!(f, Field::FirstName | Field::FullName))
    {
        (row.first_name, row.last_name) = split_name(&row.last_name);
    }
    if let Some(full) = full_name
        && row.first_name.is_empty()
        && row.last_name.is_empty()
    {
        let (first, last) = split_name(&full);
        row.first_name = first;
        row.last_name = last;
    }
    if let Some((col, amount)) = deal_amount {
        // A currency the file names is checked in its own column, so the rep fixes the right cell.
        let currency = match &deal_currency {
            Some((currency_col, written)) => crate::domain::money::currency_as_written(written, &rules.currency)
                .map_err(|x| Reject {
                    line,
                    column: Some(currency_col.clone()),
                    reason: format!("{} ('{}')", x.reason, short(written)),
                    record: values.to_vec(),
                })?,
            None => crate::domain::money::currency_of(&amount, &rules.currency),
        };
        let (money, either_way) = Money::parse_read(&amount, &currency)
            .and_then(|(m, two_ways)| crate::domain::deal::check_amount(&m).map(|()| (m, two_ways)))
            .map_err(|x| Reject {
                line,
                column: Some(col.clone()),
                reason: format!("{} ('{}')", x.reason, short(&amount)),
                record: values.to_vec(),
            })?;
        let amount_read = either_way.then(|| money.reading(amount.trim()));
        let unsaid = deal_currency.is_none() && crate::domain::money::sign_currency(&amount).is_none();
        let amount_without_currency = unsaid.then(|| amount.clone());
        row.deal = Some(DealRow { amount: Some(money), amount_read, amount_without_currency, ..Default::default() });
    }
    if let Some(t) = deal_title {
        row.deal.get_or_insert_with(DealRow::default).title = t;
    }
    // A deal's owner owns its person too, unless the file names the person's own.
    if row.owner.is_none() && deal_owner.is_some() {
        row.owner.clone_from(&deal_owner);
        row.owner_from_deal = true;
    }
    if let Some(d) = row.deal.as_mut() {
        d.owner = deal_owner;
        d.created_at = deal_created_at;
        (d.id_column, d.source_ref) = deal_ref.unzip();
        d.stage = deal_stage;
        d.status = deal_status_read.flatten();
        (d.closed_at, d.won_at, d.lost_at, d.lost_reason) =
            (deal_closed_at, deal_won_at, deal_lost_at, deal_lost_reason);
    }
    // A deal the other CRM deleted is not brought over; the person is.
    if deal_status_read == Some(None) {
        row.deleted_deal = row.deal.take();
    }
    if row.source.is_none() {
        row.source = rules.default_source.clone();
    }
    // A number written without its calling code beside the country the row names keeps that country: it is
    // written with it ("030 1234567" in Germany is "+49 30 1234567"), so it is never taken for the same digits
    // dialled in another country.
    if let Some(country) = row.country.as_deref() {
        for p in row.phones.iter_mut().chain(row.phone_extensions.iter_mut().map(|(p, _)| p)) {
            if let Some(international) = crate::domain::phone_keys::international(p, country) {
                *p = international;
            }
        }
    }
    if row.country.is_none() {
        row.country = rules.default_country.clone();
    }
    // An e-mail column left empty beside other addresses: another CRM's file gives the person the first of
    // them to be written to (it merely filed the address elsewhere); leadline's own export says the lead
    // has those only.
    let only_others = primary.0 == 0 && !row.emails.is_empty() && fields.contains(&Field::Email);
    row.no_own_email = only_others && rules.own_export;
    row.email_from_others = only_others && !rules.own_export;
    row.nobodys = rules.own_export
        && fields.iter().any(|f| matches!(f, Field::Owner | Field::OwnerEmail))
        && row.owner.is_none()
        && row.owner_email.is_none();
    finish(row, values)
}

/// Makes the labels of a row read from JSON or a vCard one line each (a CSV row's are made so cell by cell).
pub fn one_line_labels(row: &mut LeadRow) {
    for label in [&mut row.first_name, &mut row.last_name]
        .into_iter()
        .chain(
            [&mut row.company, &mut row.title, &mut row.industry, &mut row.company_size, &mut row.product_interest]
                .into_iter()
                .flatten(),
        )
        .chain(row.deal.as_mut().map(|d| &mut d.title))
    {
        if let Cow::Owned(one) = one_line(label) {
            *label = one;
        }
    }
}

/// The labels of a row read from JSON or a vCard that a lead cannot hold (too long, binary), one reject
/// each, named by field (a CSV row's are found cell by cell, named by column).
pub fn label_problems(row: &LeadRow, values: &[String]) -> Vec<Reject> {
    let labels = [
        ("first_name", Some(&row.first_name)),
        ("last_name", Some(&row.last_name)),
        ("company", row.company.as_ref()),
        ("title", row.title.as_ref()),
        ("industry", row.industry.as_ref()),
        ("company_size", row.company_size.as_ref()),
        ("product_interest", row.product_interest.as_ref()),
        ("deal_title", row.deal.as_ref().map(|d| &d.title)),
    ];
    labels
        .iter()
        .filter_map(|&(field, v)| {
            let v = v?;
            let e = check_label(field, v).err()?;
            let reason = format!("{} ('{}')", e.reason, short(v));
            Some(Reject { line: row.line, column: Some(field.to_string()), reason, record: values.to_vec() })
        })
        .collect()
}

/// Fills the first name when only other identifying data is there, and refuses a row that names nobody.
pub fn finish(mut row: LeadRow, values: &[String]) -> Result<Option<LeadRow>, Reject> {
    if row.first_name.trim().is_empty() {
        row.derived_name = row.last_name.trim().is_empty();
        if !row.last_name.trim().is_empty() {
            row.first_name = std::mem::take(&mut row.last_name);
        } else if let Some(e) = row.emails.first() {
            row.first_name = e.split('@').next().unwrap_or(e).to_string();
        } else if let Some(p) = row.phones.first() {
            // A company's own number is the company's: named by it, not by the number.
            let company = row.company.as_deref().map(str::trim).filter(|c| !c.is_empty());
            row.first_name = company.unwrap_or(p).to_string();
        } else if let Some(slug) = row.profile_url.as_deref().and_then(profile_slug) {
            // A LinkedIn member who hides their name still has a profile: that is who it is.
            row.first_name = slug;
        } else {
            return Err(Reject {
                line: row.line,
                column: None,
                reason: "has no name, e-mail or phone: nothing says who this is".into(),
                record: values.to_vec(),
            });
        }
    }
    if let Some(d) = row.deal.as_mut()
        && d.title.is_empty()
    {
        d.title = match &row.company {
            Some(c) => format!("{c} deal"),
            None => format!("{} {} deal", row.first_name, row.last_name).replace("  ", " "),
        };
    }
    // A row refused once its lead is written (its deal's, its touch's turn) goes to the rejects file whole.
    if row.deal.is_some() || row.profile_url.is_some() {
        row.raw = values.to_vec();
    }
    Ok(Some(row))
}

/// The last path segment of a profile URL: `linkedin.com/in/ana-lopez-42/` → `ana-lopez-42`.
fn profile_slug(url: &str) -> Option<String> {
    url.split(['?', '#'])
        .next()?
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty() && !s.contains('.'))
        .map(String::from)
}

/// A cell of e-mails without an Exchange account's internal addresses (`/o=ExchangeLabs/ou=.../cn=...`,
/// type EX in an Outlook export): they reach nobody outside that organisation. Such an address holds
/// spaces but no `;`, `,` or `:::`, which separate it from the cell's other values.
fn without_exchange_addresses(v: &str) -> std::borrow::Cow<'_, str> {
    let internal = |p: &str| p.trim_start().get(..3).is_some_and(|x| x.eq_ignore_ascii_case("/o="));
    if !v.as_bytes().windows(3).any(|w| w.eq_ignore_ascii_case(b"/o=")) {
        return v.into();
    }
    v.split([';', ',']).flat_map(|p| p.split(":::")).filter(|p| !internal(p)).collect::<Vec<_>>().join(";").into()
}

/// Several values in one cell: "a@x.com; b@y.com", Google's "a ::: b", one a line, "a / b", "a | b".
fn split_multi(v: &str) -> impl Iterator<Item = &str> {
    v.split([';', ',', ' ', '\n', '\r', '\t', '|'])
        .flat_map(|p| p.split(":::"))
        .map(str::trim)
        .filter(|p| !p.is_empty() && !matches!(*p, ":::" | "/"))
}

/// The addresses of an e-mail cell as mail programs write them: "Ana Uno <ana@x.io>, Bo <bo@y.io>" gives
/// the addresses in brackets, and "ana@x.io (work)" the address without its comment.
fn bare_addresses(v: &str) -> Cow<'_, str> {
    if v.contains('<') && v.contains('>') {
        // Each bracketed address, and each address written bare between them ("<a@x.io>; b@y.io"); a
        // display name ("Lee, Kim") is none.
        let mut found: Vec<String> = Vec::new();
        let mut rest = v;
        while let Some(open) = rest.find('<') {
            let Some(close) = rest[open..].find('>').map(|c| open + c) else { break };
            found.extend(bare_parts(&rest[..open]));
            let inside = rest[open + 1..close].trim();
            if inside.contains('@') {
                found.push(inside.to_string());
            }
            rest = &rest[close + 1..];
        }
        found.extend(bare_parts(rest));
        if !found.is_empty() {
            return Cow::Owned(found.join(";"));
        }
    }
    without_comments(v)
}

/// The addresses written bare in text between bracketed ones: its parts that hold an `@`.
fn bare_parts(text: &str) -> Vec<String> {
    let text = without_comments(text);
    split_multi(&text).filter(|p| p.contains('@')).map(str::to_string).collect()
}

/// A cell without its (comments).
fn without_comments(v: &str) -> Cow<'_, str> {
    if v.contains('(') {
        let mut out = String::with_capacity(v.len());
        let mut depth = 0usize;
        for c in v.chars() {
            match c {
                '(' => depth += 1,
                ')' if depth > 0 => depth -= 1,
                c if depth == 0 => out.push(c),
                _ => {}
            }
        }
        return Cow::Owned(out);
    }
    Cow::Borrowed(v)
}

/// `3,46001E+11`: how a spreadsheet shows, and saves, a long number it took for a quantity.
fn in_scientific_notation(v: &str) -> bool {
    let Some((mantissa, exponent)) = v.trim().split_once(['E', 'e']) else { return false };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let (whole, fraction) = mantissa.split_once(['.', ',']).unwrap_or((mantissa, "0"));
    digits(whole.trim_start_matches('+')) && digits(fraction) && digits(exponent.trim_start_matches('+'))
}

pub(super) fn split_phones(v: &str) -> Vec<&str> {
    let offset = |s: &str| s.as_ptr() as usize - v.as_ptr() as usize;
    let mut phones: Vec<&str> = Vec::new();
    for part in v.split(":::") {
        // The separators since the last number: `,,` is the pause a phone dials, `;` a list's separator.
        let (mut commas, mut listed) = (0, false);
        for piece in part.split_inclusive([';', ',']) {
            let sep = piece.chars().last().filter(|c| matches!(c, ';' | ','));
            let piece = piece.strip_suffix([';', ',']).unwrap_or(piece).trim();
            if !piece.is_empty() {
                // A dial-in code after the pauses ("+1 800 555 0103,,1234#") belongs to the number before it
                // (`split_extension`): too short for a number, after two pauses, or ended by `#`.
                let code = piece.trim_end_matches('#');
                let dial_in = !code.is_empty()
                    && code.len() <= 8
                    && code.bytes().all(|b| b.is_ascii_digit())
                    && (code.len() < 5 || (commas >= 2 && !listed) || code.len() < piece.len());
                match phones.last_mut() {
                    Some(last) if dial_in && (commas > 0 || listed) => {
                        *last = &v[offset(last)..offset(piece) + piece.len()]
                    }
                    _ => phones.push(piece),
                }
                (commas, listed) = (0, false);
            }
            match sep {
                Some(',') => commas += 1,
                Some(_) => listed = true,
                None => {}
            }
        }
    }
    phones
}

/// A full name as (first, last): "López, Ana"; else the last word is the last name ("Ana María López": people
/// write first names with spaces more often than compound last names), but for a family name written first
/// in capitals, one that starts at a particle ("van der Berg") and a suffix ("Jr."); a title before the name
/// goes.
pub fn split_name(full: &str) -> (String, String) {
    let t = full.trim();
    if let Some((last, first)) = t.split_once(',') {
        // "López, Ana"
        return (first.trim().to_string(), last.trim().to_string());
    }
    let mut words: Vec<&str> = t.split_whitespace().collect();
    // A title before the name is no part of it ("Dr.", "Herr", "Mme").
    while words.len() > 2 && is_honorific(words[0]) {
        words.remove(0);
    }
    if words.len() < 2 {
        return (t.to_string(), String::new());
    }
    // "DUPONT Jean-Pierre", "LE GALL Hélène": the family name first, in capitals, as French lists write it
    // (not initials: "JJ Abrams", "J.R. Smith").
    let capitals = |w: &str| w.chars().any(char::is_alphabetic) && !w.chars().any(char::is_lowercase);
    let family_first = words.iter().take_while(|w| capitals(w) && !w.contains('.')).count();
    let letters: usize = words[..family_first].iter().map(|w| w.chars().filter(|c| c.is_alphabetic()).count()).sum();
    if family_first > 0 && family_first < words.len() && letters >= 3 {
        return (words[family_first..].join(" "), words[..family_first].join(" "));
    }
    // "Jan van der Berg", "Hans von der Heide": the family name starts at its particle. ("de" and "del" are
    // left out: "María del Carmen" is a first name.) A suffix goes with it ("Jean Dupont Jr.").
    const PARTICLES: [&str; 11] = ["von", "van", "vom", "zu", "zum", "zur", "ten", "ter", "di", "du", "le"];
    const SUFFIXES: [&str; 6] = ["jr", "sr", "ii", "iii", "iv", "jun"];
    let suffix = words[words.len() - 1].trim_end_matches('.').to_lowercase();
    let last = words.len() - 1 - usize::from(words.len() > 2 && SUFFIXES.contains(&suffix.as_str()));
    let family = (1..last).find(|&i| PARTICLES.contains(&words[i].to_lowercase().as_str())).unwrap_or(last);
    (words[..family].join(" "), words[family..].join(" "))
}

/// A title written before a name: "Dr.", "Prof.", "Mr", "Herr", "Frau", "M.", "Mme", "Sra.", "Dott.", "Dhr.".
fn is_honorific(word: &str) -> bool {
    const TITLES: [&str; 30] = [
        "dr",
        "prof",
        "mr",
        "mrs",
        "ms",
        "mx",
        "herr",
        "frau",
        "hr",
        "fr",
        "mme",
        "mlle",
        "monsieur",
        "madame",
        "mademoiselle",
        "sr",
        "sra",
        "srta",
        "dott",
        "dott.ssa",
        "sig",
        "sig.ra",
        "ing",
        "dipl.-ing",
        "mag",
        "dhr",
        "mevr",
        "mevrouw",
        "pan",
        "pani",
    ];
    word == "M." || TITLES.contains(&word.trim_end_matches('.').to_lowercase().as_str())
}

/// HubSpot and Salesforce lifecycle words → leadline's three.
fn lifecycle(v: &str) -> Lifecycle {
    let t = v.trim().to_lowercase();
    if let Ok(l) = t.parse() {
        return l;
    }
    match t.as_str() {
        "evangelist" | "customer" | "cliente" | "closed won" => Lifecycle::Customer,
        "churned" | "former customer" | "ex-customer" | "perdido" => Lifecycle::Churned,
        _ => Lifecycle::Lead,
    }
}

pub fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_lowercase().as_str() {
        "1" | "true" | "yes" | "y" | "x" | "si" | "sí" | "s" | "verdadero" | "opted out" => Some(true),
        "0" | "false" | "no" | "n" | "falso" | "" => Some(false),
        _ => None,
    }
}

/// An opt-out cell: yes/no, or a marketing status as CRMs export it (Pipedrive's "Unsubscribed" is an
/// opt-out; "Subscribed", "No consent" and "Archived" are not).
fn opted_out(v: &str) -> Option<bool> {
    match v.trim().to_lowercase().replace('_', " ").as_str() {
        "unsubscribed" | "do not contact" => Some(true),
        "subscribed" | "no consent" | "archived" | "opted in" => Some(false),
        _ => parse_bool(v),
    }
}

/// The date of a cell that may have a time after it ("03/04/2025 10:22", "03/04/2025, 10:22").
fn date_word(v: &str) -> &str {
    v.trim().split(' ').next().unwrap_or("").trim_end_matches(',')
}

/// Whether a cell is a date written with slashes, day and month first in some order ("03/04/2025").
pub fn is_slash_date(v: &str) -> bool {
    let date = date_word(v);
    let parts: Vec<&str> = date.split('/').collect();
    parts.len() == 3
        && parts[0].len() <= 2
        && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// Which order a slash date must be read in: `Some(true)` month first (3/15/2025), `Some(false)` day first
/// (15/03/2025), `None` when both readings are dates (or it is no slash date).
pub fn slash_date_order(v: &str) -> Option<bool> {
    let date = date_word(v);
    let mut parts = date.split('/').map(|p| p.parse::<u32>().ok());
    let (Some(Some(first)), Some(Some(second)), Some(Some(_)), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    match (first, second) {
        (13..=31, 1..=12) => Some(false),
        (1..=12, 13..=31) => Some(true),
        _ => None,
    }
}

/// Dates as exports write them: RFC 3339 or RFC 2822, `2025-03-15`, `07 Dec 2025`, `Dec 7, 2025`,
/// `15 March 2025`, `2025/03/15`, `15/03/2025` or `3/15/2025` (month first for US tools, else day first,
/// unless only one reading is a date), `15.03.2025`; each with a time after it or not (`10:22`,
/// `10:22:00`, `10:22 PM`, ISO's `T10:22`), and a zone after that or not (`UTC`, `+0100`, `CET`). Times
/// without a zone are in the team's.
pub fn parse_date(v: &str, tz: Tz, month_first: bool) -> Option<Timestamp> {
    let t = v.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t).or_else(|_| DateTime::parse_from_rfc2822(t)) {
        return Some(Timestamp(dt.timestamp_millis()));
    }
    // ISO 8601 with an offset written without its colon, as Salesforce's API writes it (`...000+0000`).
    for f in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%z"] {
        if let Ok(dt) = DateTime::parse_from_str(t, f) {
            return Some(Timestamp(dt.timestamp_millis()));
        }
    }
    let plain = spoken_date(t);
    let (rest, offset) = written_zone(&plain);
    let (day, time) = day_and_time(rest)?;
    let local = read_day(day, month_first)?.and_time(time);
    match offset {
        Some(o) => o.from_local_datetime(&local).single().map(|dt| Timestamp(dt.timestamp_millis())),
        None => written_local_to_utc(local, tz),
    }
}

/// A date as people spell it out, in the words `parse_date` reads: no weekday before it ("Friday, March 15"),
/// no ordinal after its day ("March 15th").
fn spoken_date(t: &str) -> std::borrow::Cow<'_, str> {
    const WEEKDAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    let first = t.split([' ', ',']).next().unwrap_or("").to_ascii_lowercase();
    let weekday = first.len() >= 3 && WEEKDAYS.iter().any(|d| d.starts_with(first.trim_end_matches('.')));
    let ordinal = |w: &str| {
        let w = w.trim_end_matches(',');
        let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        !digits.is_empty()
            && digits.len() <= 2
            && digits.bytes().all(|b| b.is_ascii_digit())
            && ["st", "nd", "rd", "th"].iter().any(|s| w[digits.len()..].eq_ignore_ascii_case(s))
    };
    if !weekday && !t.split(' ').any(ordinal) {
        return t.into();
    }
    let rest = if weekday { t[first.len()..].trim_start_matches([',', '.', ' ']) } else { t };
    rest.split(' ')
        .map(|w| match ordinal(w) {
            true => {
                let digits = w.trim_end_matches(',').trim_end_matches(|c: char| c.is_ascii_alphabetic());
                if w.ends_with(',') { format!("{digits},") } else { digits.to_string() }
            }
            false => w.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
        .into()
}

/// A UTC offset as written after a time: `+0100`, `-05:00`, `+01`, `GMT+1`, `(UTC+05:30)`.
fn offset_written(s: &str) -> Option<chrono::FixedOffset> {
    let s = s.trim_matches(['(', ')']);
    let s = ["GMT", "UTC"]
        .iter()
        .find_map(|p| s.get(..3).filter(|h| h.eq_ignore_ascii_case(p)).map(|_| &s[3..]))
        .unwrap_or(s);
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None if rest.len() == 4 => rest.split_at(2),
        None => (rest, "0"),
    };
    let all_digits = |x: &str| !x.is_empty() && x.len() <= 2 && x.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(h) || !all_digits(m) {
        return None;
    }
    let minutes = h.parse::<i32>().ok()? * 60 + m.parse::<i32>().ok()?;
    chrono::FixedOffset::east_opt(sign * minutes * 60)
}

/// A zone written after a time: a UTC offset (`+0100`, `-05:00`) or a common name for one, after a space
/// or, as ISO 8601 writes them, `Z` or an offset right after the time (`10:22Z`, `10:22+01:00`).
fn written_zone(t: &str) -> (&str, Option<chrono::FixedOffset>) {
    let attached = match t.rfind(['Z', 'z', '+', '-']) {
        // After a time's digits (`10:22Z`), not in a date (`2025-03-15`) or a word.
        Some(i)
            if i > 0
                && t.as_bytes()[i - 1].is_ascii_digit()
                && t[..i].rsplit(['T', ' ']).next().is_some_and(|clock| clock.contains(':')) =>
        {
            Some(i)
        }
        _ => None,
    };
    let (rest, last) = match (attached, t.rsplit_once(' ')) {
        (Some(i), _) => (&t[..i], &t[i..]),
        (None, Some(split)) => split,
        (None, None) => return (t, None),
    };
    let hours = |h: i32| chrono::FixedOffset::east_opt(h * 3600);
    let offset = match last.to_ascii_uppercase().as_str() {
        "UTC" | "GMT" | "Z" | "(UTC)" | "(GMT)" => hours(0),
        "CET" | "BST" | "WAT" => hours(1),
        "CEST" | "EET" | "SAST" => hours(2),
        "EEST" | "MSK" => hours(3),
        "EDT" => hours(-4),
        "EST" | "CDT" => hours(-5),
        "CST" => hours(-6),
        "MST" => hours(-7),
        "MDT" => hours(-6),
        "PST" => hours(-8),
        "PDT" => hours(-7),
        other => offset_written(other),
    };
    match offset {
        Some(o) => (rest.trim_end(), Some(o)),
        None => (t, None),
    }
}

/// A date and the time written after it (midnight when none): from the first word with a `:`, or ISO's `T`.
fn day_and_time(t: &str) -> Option<(&str, NaiveTime)> {
    let iso_t =
        t.len() > 10 && t.as_bytes()[10] == b'T' && t.as_bytes()[..10].iter().all(|b| b.is_ascii_digit() || *b == b'-');
    let split = if iso_t {
        Some(10)
    } else {
        t.split(' ')
            .scan(0, |at, word| {
                let start = *at;
                *at += word.len() + 1;
                Some((start, word))
            })
            .find(|(_, word)| word.contains(':'))
            .map(|(start, _)| start)
    };
    let Some(at) = split.filter(|at| *at > 0) else { return Some((t, NaiveTime::MIN)) };
    let (day, time) = (t[..at].trim_end().trim_end_matches(','), t[at..].trim_start_matches('T').trim());
    let time = time.to_uppercase();
    let read = ["%H:%M", "%H:%M:%S", "%H:%M:%S%.f", "%I:%M %p", "%I:%M:%S %p", "%I:%M%p", "%I:%M:%S%p"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(&time, f).ok())?;
    Some((day, read))
}

/// A day written in one of the forms `parse_date` reads.
fn read_day(t: &str, month_first: bool) -> Option<NaiveDate> {
    // `%Y` reads "26" as the year 26: a year not written with four digits is a spreadsheet's two-digit
    // one (2026) at the end, and no year at the start.
    let date = |text: &str, formats: &[&str]| {
        formats.iter().find_map(|f| {
            NaiveDate::parse_from_str(text, f)
                .ok()
                .filter(|d| d.year() >= 1000 || text.contains(&format!("{:04}", d.year())))
                .or_else(|| {
                    let day_month = f.strip_suffix("%Y")?;
                    NaiveDate::parse_from_str(text, &format!("{day_month}%y")).ok()
                })
        })
    };
    let named = [
        "%Y-%m-%d",
        "%d %b %Y",
        "%d %B %Y",
        "%d-%b-%Y",
        "%b %d, %Y",
        "%B %d, %Y",
        "%b %d %Y",
        "%B %d %Y",
        "%d.%m.%Y",
        "%Y/%m/%d",
        "%Y.%m.%d",
        "%d-%m-%Y",
    ];
    // Eight digits in a date column are a date written without separators (20240315).
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(t, "%Y%m%d").ok();
    }
    if let Some(d) = date(t, &named) {
        return Some(d);
    }
    match (date(t, &["%d/%m/%Y"]), date(t, &["%m/%d/%Y"])) {
        (Some(day_first), Some(month_first_d)) => Some(if month_first { month_first_d } else { day_first }),
        (one, other) => one.or(other),
    }
}

/// The row's problems as one reject: the first names the column, the others follow in its reason.
pub(super) fn combined(problems: Vec<Reject>) -> Option<Reject> {
    let mut it = problems.into_iter();
    let mut first = it.next()?;
    for other in it {
        let column = other.column.map(|c| format!("'{c}' ")).unwrap_or_default();
        first.reason.push_str(&format!("; and {column}{}", other.reason));
    }
    Some(first)
}

fn short(v: &str) -> String {
    let mut s: String = v.chars().take(60).collect();
    if v.chars().count() > 60 {
        s.push('…');
    }
    crate::domain::error::one_printable_line(&s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> RowRules {
        RowRules {
            tz: chrono_tz::UTC,
            currency: "EUR".into(),
            month_first: false,
            dates_from_file: false,
            default_source: Some("import".into()),
            default_country: None,
            now: crate::domain::Timestamp(1_795_608_000_000),
            own_export: false,
        }
    }

    fn row(headers: &[&str], values: &[&str]) -> Result<Option<LeadRow>, Reject> {
        let h: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        let fields = super::super::presets::Preset::Generic.map_columns(&h, &[]).unwrap();
        let v: Vec<String> = values.iter().map(|s| s.to_string()).collect();
        from_fields(7, &h, &fields, &v, &rules())
    }

    #[test]
    fn a_full_name_is_split_where_the_family_name_starts() {
        let split = |s: &str| {
            let (f, l) = split_name(s);
            format!("{f}|{l}")
        };
        assert_eq!(split("Ana López"), "Ana|López");
        assert_eq!(split("López, Ana"), "Ana|López");
        assert_eq!(split("Ana María López"), "Ana María|López");
        assert_eq!(split("Dr. Hans-Peter von der Heide"), "Hans-Peter|von der Heide");
        assert_eq!(split("Jan van der Berg"), "Jan|van der Berg");
        assert_eq!(split("DUPONT Jean-Pierre"), "Jean-Pierre|DUPONT");
        assert_eq!(split("LE GALL Hélène"), "Hélène|LE GALL");
        assert_eq!(split("VAN DER BERG Jan"), "Jan|VAN DER BERG");
        assert_eq!(split("JOHN SMITH"), "JOHN|SMITH");
        assert_eq!(split("JJ Abrams"), "JJ|Abrams");
        assert_eq!(split("J.R. Smith"), "J.R.|Smith");
        assert_eq!(split("AB de Villiers"), "AB de|Villiers");
        assert_eq!(split("M. Charles Dupont"), "Charles|Dupont");
        assert_eq!(split("Jean Dupont Jr."), "Jean|Dupont Jr.");
        assert_eq!(split("Karl Maier III"), "Karl|Maier III");
        assert_eq!(split("Dhr. Jan de Vries"), "Jan de|Vries");
        assert_eq!(split("Madonna"), "Madonna|");
        assert_eq!(split("María del Carmen Ruiz"), "María del Carmen|Ruiz");
    }

    #[test]
    fn a_linkedin_page_among_a_rows_web_addresses_is_its_profile() {
        let r = row(&["Name", "Website"], &["Ivy Gold", "https://gold.es ::: https://www.linkedin.com/in/ivygold"]);
        assert_eq!(r.unwrap().unwrap().profile_url.as_deref(), Some("https://www.linkedin.com/in/ivygold"));
        let r =
            row(&["Name", "Website", "Web"], &["Hugo Red", "https://red.es", "https://www.linkedin.com/in/hugored"]);
        assert_eq!(r.unwrap().unwrap().profile_url.as_deref(), Some("https://www.linkedin.com/in/hugored"));
        let long = format!("https://www.linkedin.com/in/{}", "x".repeat(3000));
        assert!(row(&["Name", "LinkedIn URL"], &["Al", &long]).is_err(), "a garbage cell is no address");
    }

    #[test]
    fn a_rejected_row_tells_every_problem_at_once() {
        let r = row(&["First Name", "Email", "Score", "Created"], &["A", "bad@@x", "abc", "2025-01-02"]).unwrap_err();
        assert_eq!(r.column.as_deref(), Some("Email"));
        assert!(
            r.reason.contains("'bad@@x'") && r.reason.contains("; and 'Score' is not a whole number"),
            "{}",
            r.reason
        );
    }

    #[test]
    fn an_exchange_address_goes_and_the_other_addresses_of_its_cell_stay() {
        let dn = "/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=4f1c-jm";
        for cell in
            [format!("jm@contoso.com, {dn}"), format!("{dn};jm@contoso.com"), format!("{dn} ::: jm@contoso.com")]
        {
            let r = row(&["First Name", "Email"], &["Jorge", &cell]).unwrap().unwrap();
            assert_eq!(r.emails, ["jm@contoso.com"], "{cell}");
        }
    }

    #[test]
    fn builds_a_whole_lead_or_rejects_it() {
        let r = row(&["Name", "Email", "Amount"], &["Ana López", "ana@x.com", "1.200,50"]).unwrap().unwrap();
        assert_eq!((r.first_name.as_str(), r.last_name.as_str()), ("Ana", "López"));
        assert_eq!(r.deal.unwrap().amount.unwrap().minor, 120050);
        let spaced = row(&["Name", "Email"], &["Carol", "carol danvers@marvel.com"]).unwrap_err();
        assert!(spaced.reason.contains("('carol', in 'carol danvers@marvel.com')"), "{}", spaced.reason);
        let e = row(&["Name", "Email"], &["Ana", "ana-at-x"]).unwrap_err();
        assert_eq!(e.line, 7);
        assert_eq!(e.column.as_deref(), Some("Email"));
        assert!(e.to_string().contains("not an e-mail"), "{e}");
        assert!(row(&["Name", "Email"], &["", ""]).unwrap().is_none());
        assert!(row(&["Name", "Company"], &["", "Acme"]).unwrap_err().reason.contains("no name"));
        let r = row(&["Name", "Email"], &["", "bob@x.com"]).unwrap().unwrap();
        assert_eq!(r.first_name, "bob");
    }

    #[test]
    fn reads_export_dates() {
        let utc = chrono_tz::UTC;
        let d = |s: &str, m: bool| parse_date(s, utc, m).map(|t| t.to_rfc3339());
        assert_eq!(d("07 Dec 2025", false).unwrap(), "2025-12-07T00:00:00.000Z");
        assert_eq!(d("3/15/2025", false).unwrap(), "2025-03-15T00:00:00.000Z");
        assert_eq!(d("04/05/2025", false).unwrap(), "2025-05-04T00:00:00.000Z");
        assert_eq!(d("04/05/2025", true).unwrap(), "2025-04-05T00:00:00.000Z");
        assert_eq!(d("2025-03-15 10:22", false).unwrap(), "2025-03-15T10:22:00.000Z");
        assert_eq!(d("2025-03-15T10:22:00.000Z", false).unwrap(), "2025-03-15T10:22:00.000Z");
        assert_eq!(d("2024-05-06T10:11:12.000+0000", false).unwrap(), "2024-05-06T10:11:12.000Z");
        assert_eq!(d("2024-05-06T12:11:12+0200", false).unwrap(), "2024-05-06T10:11:12.000Z");
        assert_eq!(d("3/15/2025 4:05 pm", true).unwrap(), "2025-03-15T16:05:00.000Z");
        assert!(d("31 Feb 2025", false).is_none());
        // As a spreadsheet writes them back: two-digit years, month names with dashes.
        assert_eq!(d("15-Nov-26", false).unwrap(), "2026-11-15T00:00:00.000Z");
        assert_eq!(d("15-Nov-2026", false).unwrap(), "2026-11-15T00:00:00.000Z");
        assert_eq!(d("15/11/26", false).unwrap(), "2026-11-15T00:00:00.000Z");
        assert_eq!(d("11/15/26 9:30", false).unwrap(), "2026-11-15T09:30:00.000Z");
        assert_eq!(d("15.11.26", false).unwrap(), "2026-11-15T00:00:00.000Z");
        assert_eq!(d("2026-11-15", false).unwrap(), "2026-11-15T00:00:00.000Z");
        // A four-digit year is read as written, however early (a "no date" placeholder of some tools).
        assert_eq!(d("0001-01-01", false).unwrap(), "0001-01-01T00:00:00.000Z");
        assert_eq!(d("1/1/0001", false).unwrap(), "0001-01-01T00:00:00.000Z");
        // A date that reads without its time reads with one, and a zone written after it is honoured.
        for (written, read) in [
            ("15.03.2024 10:22", "2024-03-15T10:22:00.000Z"),
            ("2025/03/15 10:22", "2025-03-15T10:22:00.000Z"),
            ("2025-03-15 10:22:00 UTC", "2025-03-15T10:22:00.000Z"),
            ("2025-03-15 10:22:00 +0100", "2025-03-15T09:22:00.000Z"),
            ("2025-03-15 10:22 CET", "2025-03-15T09:22:00.000Z"),
            ("2025-03-15 10:22 -05:00", "2025-03-15T15:22:00.000Z"),
            ("Mar 15, 2025 10:22 AM", "2025-03-15T10:22:00.000Z"),
            ("Mar 15, 2025, 10:22 PM", "2025-03-15T22:22:00.000Z"),
            ("15 March 2025 10:22", "2025-03-15T10:22:00.000Z"),
            ("2025-03-15T10:22", "2025-03-15T10:22:00.000Z"),
            ("Sat, 15 Mar 2025 10:22:00 +0000", "2025-03-15T10:22:00.000Z"),
            ("2025-03-15 10:22:00.123", "2025-03-15T10:22:00.123Z"),
            ("2025-03-15T10:22Z", "2025-03-15T10:22:00.000Z"),
            ("2025-03-15 10:22Z", "2025-03-15T10:22:00.000Z"),
            ("2025-03-15T10:22+01:00", "2025-03-15T09:22:00.000Z"),
            ("2025-03-15T10:22-0500", "2025-03-15T15:22:00.000Z"),
            ("Friday, March 15, 2024 10:22 AM", "2024-03-15T10:22:00.000Z"),
            ("March 15th, 2024", "2024-03-15T00:00:00.000Z"),
            ("Mar 15 2024", "2024-03-15T00:00:00.000Z"),
            ("15-03-2024 10:22", "2024-03-15T10:22:00.000Z"),
            ("2024.03.15", "2024-03-15T00:00:00.000Z"),
            ("20240315", "2024-03-15T00:00:00.000Z"),
            ("2024-03-15 10:22 +01", "2024-03-15T09:22:00.000Z"),
            ("2024-03-15 10:22 GMT+1", "2024-03-15T09:22:00.000Z"),
            ("2024-03-15 10:22 (GMT+01:00)", "2024-03-15T09:22:00.000Z"),
        ] {
            assert_eq!(d(written, false).as_deref(), Some(read), "{written}");
        }
        assert!(d("2025-03-15 25:00", false).is_none());
        assert!(d("2025-03-15 10:22 Mars", false).is_none());
    }
}
