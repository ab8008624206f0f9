//! Leads: create, read, edit, remove, resolve a reference, and the one list query with filters and keyset pages.

use rusqlite::{OptionalExtension, Row, ToSql, params, params_from_iter};
use serde::Serialize;

use super::{Change, Db, Result, StoreError, accounts, contact, non_empty, search, teams};
use crate::domain::lead::{check_label, normalize_email, normalize_tag, require_text, validate_email, validate_phone};
use crate::domain::text::{fold, name_key};
use crate::domain::{AccountId, LeadId, Lifecycle, Source, Timestamp, UserId, ValidationError};

/// A lead as shown and exported: its own fields plus its company name, owner name and deal stage.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Lead {
    pub id: LeadId,
    /// Internal row number; the keyset tie-breaker for pages.
    #[serde(skip)]
    pub seq: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    /// The other addresses the person is known by (`lead_emails`), in the order they were added.
    pub other_emails: Vec<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub account_id: Option<String>,
    pub title: Option<String>,
    pub source: Option<String>,
    pub product_interest: Option<String>,
    pub industry: Option<String>,
    pub company_size: Option<String>,
    /// Their social profile (a LinkedIn member page), in its one form (`domain::lead::canonical_profile`).
    pub profile_url: Option<String>,
    pub tags: Vec<String>,
    pub owner_id: Option<String>,
    pub owner: Option<String>,
    /// The owner's e-mail: what names them in another copy of the database, where names may differ.
    pub owner_email: Option<String>,
    pub lifecycle: String,
    pub do_not_contact: bool,
    pub do_not_contact_at: Option<Timestamp>,
    pub do_not_contact_reason: Option<String>,
    pub notes: Option<String>,
    pub origin_outreach_id: Option<String>,
    pub score: i64,
    /// What ranks the lead among the others: its score, mixed with its health for a customer.
    pub priority: i64,
    pub last_contacted_at: Option<Timestamp>,
    /// The latest contact recorded without a touch (`lead touch`, or a file's last activity): part of
    /// `last_contacted_at`, kept apart so a moved database does not take every last contact for one.
    pub manual_contact_at: Option<Timestamp>,
    /// When the person's data was erased (`forget`, retention): the lead stays for the counts only.
    pub forgotten_at: Option<Timestamp>,
    /// Stage of the lead's most recently updated open deal; with none open, where its last deal closed (Won,
    /// Lost), so a customer reads as won.
    pub stage: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A lead's name in SQL, spelt as `Lead::name` spells it, for every query that shows one beside its own
/// rows: `lead_name_sql!("l")` for the leads table under the alias `l`, `lead_name_sql!()` for it unaliased.
/// A string literal, so that it goes into `concat!` and into `format!` as a named argument.
macro_rules! lead_name_sql {
    () => {
        "trim(first_name || ' ' || last_name)"
    };
    ($alias:literal) => {
        concat!("trim(", $alias, ".first_name || ' ' || ", $alias, ".last_name)")
    };
}
pub(crate) use lead_name_sql;

impl Lead {
    pub fn name(&self) -> String {
        if self.last_name.is_empty() {
            self.first_name.clone()
        } else {
            format!("{} {}", self.first_name, self.last_name)
        }
    }

    /// "Ana López <ana@example.com>" — how a lead is named in messages.
    pub fn label(&self) -> String {
        match &self.email {
            Some(e) => format!("{} <{}>", self.name(), e),
            None => format!("{} ({})", self.name(), self.id),
        }
    }
}

/// The columns every lead query selects, in the order `from_row` reads them.
const LEAD_COLUMNS: &str = "l.id, l.seq, l.first_name, l.last_name, l.email, l.phone, a.name, l.account_id, l.title,
    l.source, l.product_interest, l.industry, l.company_size, l.tags, l.owner_id, u.name, l.lifecycle,
    l.do_not_contact, l.do_not_contact_at, l.do_not_contact_reason, l.notes, l.origin_outreach_id, ifnull(s.score, 0),
    l.last_contacted_at,
    (SELECT d.stage FROM deals d WHERE d.lead_id = l.id AND d.deleted_at IS NULL
     ORDER BY d.status = 'open' DESC, d.updated_at DESC LIMIT 1),
    l.created_at, l.updated_at, l.forgotten_at, l.manual_contact_at, ifnull(s.priority, 0),
    (SELECT group_concat(email, char(10)) FROM
       (SELECT e.email FROM lead_emails e WHERE e.lead_id = l.id ORDER BY e.created_at, e.email)), u.email,
    l.profile_url";
const LEAD_FROM: &str = "FROM leads l LEFT JOIN lead_scores s ON s.seq = l.seq
    LEFT JOIN accounts a ON a.id = l.account_id LEFT JOIN users u ON u.id = l.owner_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Lead> {
    let tags: String = r.get(13)?;
    let other_emails: Option<String> = r.get(30)?;
    Ok(Lead {
        id: LeadId(r.get(0)?),
        seq: r.get(1)?,
        first_name: r.get(2)?,
        last_name: r.get(3)?,
        email: r.get(4)?,
        other_emails: other_emails.map(|e| e.lines().map(str::to_string).collect()).unwrap_or_default(),
        priority: r.get(29)?,
        phone: r.get(5)?,
        company: r.get(6)?,
        account_id: r.get(7)?,
        title: r.get(8)?,
        source: r.get(9)?,
        product_interest: r.get(10)?,
        industry: r.get(11)?,
        company_size: r.get(12)?,
        tags: split_tags(&tags),
        owner_id: r.get(14)?,
        owner: r.get(15)?,
        owner_email: r.get(31)?,
        lifecycle: r.get(16)?,
        do_not_contact: r.get(17)?,
        do_not_contact_at: r.get::<_, Option<i64>>(18)?.map(Timestamp),
        do_not_contact_reason: r.get(19)?,
        notes: r.get(20)?,
        origin_outreach_id: r.get(21)?,
        score: r.get(22)?,
        last_contacted_at: r.get::<_, Option<i64>>(23)?.map(Timestamp),
        stage: r.get(24)?,
        created_at: Timestamp(r.get(25)?),
        updated_at: Timestamp(r.get(26)?),
        forgotten_at: r.get::<_, Option<i64>>(27)?.map(Timestamp),
        manual_contact_at: r.get::<_, Option<i64>>(28)?.map(Timestamp),
        profile_url: r.get(32)?,
    })
}

/// Tags are stored on the lead as ` a b c ` (space-delimited, for display and FTS) and in `lead_tags` (for filters).
fn split_tags(s: &str) -> Vec<String> {
    s.split(' ').filter(|t| !t.is_empty()).map(|t| t.replace('\u{1f}', " ")).collect()
}

pub(crate) fn join_tags(tags: &[String]) -> String {
    // A space inside a tag is kept as a unit separator so the list still splits cleanly.
    tags.iter().map(|t| t.replace(' ', "\u{1f}")).collect::<Vec<_>>().join(" ")
}

/// The fields of a new lead, as typed or imported.
#[derive(Debug, Clone, Default)]
pub struct NewLead {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub source: Option<String>,
    pub industry: Option<String>,
    pub company_size: Option<String>,
    pub product_interest: Option<String>,
    pub profile_url: Option<String>,
    pub tags: Vec<String>,
    /// Owner reference (id, e-mail, name or `me`); the current user when absent.
    pub owner: Option<String>,
    pub lifecycle: Option<Lifecycle>,
    pub notes: Option<String>,
    pub origin_outreach_id: Option<String>,
}

/// Creates a lead. Refuses a second lead with the same e-mail in the team, naming the existing one.
pub fn create(db: &Db<'_>, new: NewLead) -> Result<LeadId> {
    let first_name = require_text("first_name", &new.first_name)?;
    check_labels(&[
        ("first_name", Some(&new.first_name)),
        ("last_name", Some(&new.last_name)),
        ("company", new.company.as_ref()),
        ("title", new.title.as_ref()),
        ("industry", new.industry.as_ref()),
        ("company_size", new.company_size.as_ref()),
        ("product_interest", new.product_interest.as_ref()),
    ])?;
    let email = non_empty(new.email).map(|e| validate_email("email", &e)).transpose()?;
    let phone = non_empty(new.phone).map(|p| phone_of_someone_here(db, &p)).transpose()?;
    let source = non_empty(new.source).map(|s| Source::parse(&s).map(|s| s.as_str().to_string())).transpose()?;
    let profile = non_empty(new.profile_url).map(|u| profile_url(db, &u)).transpose()?;
    let tags = normalize_tags(&new.tags)?;
    let owner = match non_empty(new.owner) {
        Some(o) => teams::resolve(db, &o)?,
        None => db.ctx.user_id.clone(),
    };
    let email_key = email.as_deref().map(normalize_email);
    if let Some(key) = &email_key {
        refuse_duplicate_email(db, key, email.as_deref().unwrap_or_default(), None)?;
    }
    let account = non_empty(new.company)
        .map(|c| accounts::find_or_create(db, &c, new.industry.as_deref(), new.company_size.as_deref()))
        .transpose()?;
    let id = LeadId::generate();
    db.conn
        .prepare_cached(
            "INSERT INTO leads (id, team_id, first_name, last_name, email, email_key, phone, title, account_id,
             source, product_interest, industry, company_size, tags, owner_id, lifecycle, notes,
             origin_outreach_id, created_at, updated_at, name_key, profile_url)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?19, ?20, ?21)",
        )?
        .execute(params![
            id.as_str(),
            db.ctx.team_id.as_str(),
            first_name,
            new.last_name.trim(),
            email,
            email_key,
            phone,
            non_empty(new.title),
            account.as_ref().map(AccountId::as_str),
            source,
            non_empty(new.product_interest),
            non_empty(new.industry),
            non_empty(new.company_size),
            join_tags(&tags),
            owner.as_str(),
            new.lifecycle.unwrap_or(Lifecycle::Lead).as_str(),
            non_empty(new.notes),
            new.origin_outreach_id,
            db.now.0,
            name_key(&first_name, new.last_name.trim()),
            profile,
        ])?;
    write_tag_rows(db, &id, &tags)?;
    db.emit(Change::LeadCreated(id.clone()));
    Ok(id)
}

/// The labels given, each one a lead may hold (`check_label`).
fn check_labels(labels: &[(&str, Option<&String>)]) -> Result<(), ValidationError> {
    labels.iter().filter_map(|(field, v)| v.map(|v| check_label(field, v))).collect()
}

fn normalize_tags(tags: &[String]) -> Result<Vec<String>, ValidationError> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let n = normalize_tag(t)?;
        if !out.contains(&n) {
            out.push(n);
        }
    }
    Ok(out)
}

/// One lead per address: another live lead with it as its own e-mail, or as one of its other ones, is
/// named in the refusal. The address of someone who asked to be forgotten is refused too.
fn refuse_duplicate_email(db: &Db<'_>, key: &str, typed: &str, except: Option<&LeadId>) -> Result<()> {
    super::forgotten::refuse(db, typed)?;
    let existing: Option<String> = db
        .conn
        .prepare_cached(
            "SELECT id FROM leads WHERE team_id = ?1 AND email_key = ?2 AND deleted_at IS NULL AND id IS NOT ?3",
        )?
        .query_row(params![db.ctx.team_id.as_str(), key, except.map(LeadId::as_str)], |r| r.get(0))
        .optional()?;
    let existing = match existing {
        Some(id) => Some(id),
        None => super::lead_emails::owner(db, key)?.filter(|o| Some(o) != except).map(|o| o.0),
    };
    match existing {
        Some(id) => {
            let lead = get(db, &LeadId(id))?;
            Err(StoreError::DuplicateEmail {
                email: typed.to_string(),
                existing: format!("{} ({})", lead.name(), lead.id),
            })
        }
        None => Ok(()),
    }
}

fn write_tag_rows(db: &Db<'_>, id: &LeadId, tags: &[String]) -> Result<()> {
    db.conn.prepare_cached("DELETE FROM lead_tags WHERE lead_id = ?1")?.execute([id.as_str()])?;
    let mut ins = db.conn.prepare_cached("INSERT OR IGNORE INTO lead_tags (tag, lead_id) VALUES (?1, ?2)")?;
    for t in tags {
        ins.execute(params![t, id.as_str()])?;
    }
    Ok(())
}

pub fn get(db: &Db<'_>, id: &LeadId) -> Result<Lead> {
    match find(db, id)? {
        Some(lead) => Ok(lead),
        None => Err(missing(db, id)?),
    }
}

/// Why there is no live lead of this id: merged into another since a screen or a script had it (said
/// where it went), or none at all.
pub fn missing(db: &Db<'_>, id: &LeadId) -> Result<StoreError> {
    Ok(merged_away(db, id.as_str())?
        .unwrap_or_else(|| StoreError::NotFound { what: "lead", reference: id.to_string() }))
}

/// A lead merged into another, said as a refusal naming the lead that stands for it now (or that the lead
/// it went into was removed since); `None` for any other lead. A forgotten person is not named.
fn merged_away(db: &Db<'_>, id: &str) -> Result<Option<StoreError>> {
    let Some(kept) = survivor(db, &LeadId(id.to_string()))?.filter(|k| k.0 != id) else {
        let last: Option<String> = db
            .conn
            .prepare_cached(&format!(
                "{MERGE_CHAIN} SELECT l.id, l.deleted_at IS NOT NULL AND l.forgotten_at IS NULL FROM chain c
                 JOIN leads l ON l.id = c.id
                 WHERE c.depth > 0 AND l.team_id = ?2 ORDER BY c.depth DESC LIMIT 1"
            ))?
            .query_row(params![id, db.ctx.team_id.as_str()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?)))
            .optional()?
            .and_then(|(last, removed)| removed.then_some(last));
        return Ok(last.map(|last| {
            StoreError::Refused(format!("lead {id} was merged into lead {last}, which was removed since"))
        }));
    };
    let name = find(db, &kept)?.map(|l| l.name()).unwrap_or_default();
    Ok(Some(StoreError::Refused(format!(
        "lead {id} was merged into {name} (lead {kept}); use that lead (`leadline dedupe --explain {kept}` tells how)"
    ))))
}

/// The lead, to add something about them (`what`: a note, a meeting...): a forgotten person gets nothing
/// new, as their own fields get nothing written again.
pub fn get_to_add(db: &Db<'_>, id: &LeadId, what: &str) -> Result<Lead> {
    let lead = get(db, id)?;
    if lead.forgotten_at.is_some() {
        return Err(StoreError::Refused(format!(
            "lead {id} was forgotten (their personal data is erased): no {what} is added for them"
        )));
    }
    Ok(lead)
}

/// Another live lead with the same phone number as written (a family line, a switchboard, or the same
/// person twice: `dedupe` tells) or the same social profile, for a word when a lead is added: "Ana López has
/// the same phone".
pub fn sharing_contact(db: &Db<'_>, id: &LeadId) -> Result<Option<String>> {
    let mut found = None;
    // A profile names one person only when it is their own LinkedIn page (`domain::lead::is_member_page`).
    let own_page = "AND l.profile_url LIKE 'https://www.linkedin.com/in/%'";
    for (column, what, only) in [("phone_key", "phone", ""), ("profile_url", "profile", own_page)] {
        let sql = format!(
            "SELECT {name} FROM leads l
             JOIN leads o ON o.team_id = l.team_id AND o.{column} = l.{column} AND o.deleted_at IS NULL
             WHERE l.id = ?1 AND l.{column} IS NOT NULL AND o.id != l.id {only} LIMIT 1",
            name = lead_name_sql!("o")
        );
        let name: Option<String> = db.conn.prepare_cached(&sql)?.query_row([id.as_str()], |r| r.get(0)).optional()?;
        if let Some(name) = name {
            found = Some(format!("{name} has the same {what}"));
            break;
        }
    }
    Ok(found)
}

/// A lead, removed ones too (a removed lead's data is still in the file, for `forget` to erase).
pub fn find_including_removed(db: &Db<'_>, id: &LeadId) -> Result<Option<Lead>> {
    let sql = format!("SELECT {LEAD_COLUMNS} {LEAD_FROM} WHERE l.id = ?1 AND l.team_id = ?2");
    Ok(db.conn.prepare_cached(&sql)?.query_row(params![id.as_str(), db.ctx.team_id.as_str()], from_row).optional()?)
}

/// A removed lead a rep names by its id or e-mail (the latest removed with it), not one merged into
/// another (that person is the lead it went into).
pub fn resolve_removed(db: &Db<'_>, reference: &str) -> Result<LeadId> {
    let r = reference.trim();
    let key = match crate::domain::canonical_id(r) {
        Some(id) => id,
        None => crate::domain::lead::normalize_email(r),
    };
    let found: Option<String> = db
        .conn
        .prepare_cached(
            "SELECT id FROM leads l WHERE team_id = ?1 AND deleted_at IS NOT NULL AND (id = ?2 OR email_key = ?2)
             AND NOT EXISTS (SELECT 1 FROM merge_log m WHERE m.merged_id = l.id)
             ORDER BY deleted_at DESC LIMIT 1",
        )?
        .query_row(params![db.ctx.team_id.as_str(), key], |r| r.get(0))
        .optional()?;
    found.map(LeadId).ok_or_else(|| StoreError::NotFound { what: "lead", reference: reference.to_string() })
}

pub fn find(db: &Db<'_>, id: &LeadId) -> Result<Option<Lead>> {
    let sql = format!("SELECT {LEAD_COLUMNS} {LEAD_FROM} WHERE l.id = ?1 AND l.team_id = ?2 AND l.deleted_at IS NULL");
    Ok(db.conn.prepare_cached(&sql)?.query_row(params![id.as_str(), db.ctx.team_id.as_str()], from_row).optional()?)
}

/// Records a privacy action: an opt-out, an opt-in, an erasure (no personal data in the log itself).
pub fn log_privacy(db: &Db<'_>, lead: &LeadId, action: &str, reason: Option<&str>) -> Result<()> {
    log_privacy_at(db, lead, action, reason, db.now)
}

/// `log_privacy` for an action taken at another time (one a moved database's file tells of).
pub fn log_privacy_at(db: &Db<'_>, lead: &LeadId, action: &str, reason: Option<&str>, at: Timestamp) -> Result<()> {
    log_privacy_entry(db, Some(lead), action, reason, at)
}

/// A privacy log entry, about a lead or (an address let in again that no lead was remembered for) none.
pub fn log_privacy_entry(
    db: &Db<'_>,
    lead: Option<&LeadId>,
    action: &str,
    reason: Option<&str>,
    at: Timestamp,
) -> Result<()> {
    insert_privacy_entry(db, lead, action, reason, at, false)
}

/// The entry an imported lead's own fields imply (opted out, forgotten, when and why): marked, so the privacy
/// log's export, imported after, replaces it with the entry it was inferred from.
pub fn log_inferred_privacy(
    db: &Db<'_>,
    lead: &LeadId,
    action: &str,
    reason: Option<&str>,
    at: Timestamp,
) -> Result<()> {
    insert_privacy_entry(db, Some(lead), action, reason, at, true)
}

fn insert_privacy_entry(
    db: &Db<'_>,
    lead: Option<&LeadId>,
    action: &str,
    reason: Option<&str>,
    at: Timestamp,
    inferred: bool,
) -> Result<()> {
    db.conn
        .prepare_cached(
            "INSERT INTO privacy_log (id, team_id, user_id, lead_id, action, reason, created_at, inferred)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            uuid::Uuid::now_v7().to_string(),
            db.ctx.team_id.as_str(),
            db.ctx.user_id.as_str(),
            lead.map(LeadId::as_str),
            action,
            reason,
            at.0,
            inferred
        ])?;
    Ok(())
}

/// A lead whether or not it was removed (a lead merged into another stays as a removed row).
pub fn find_any(db: &Db<'_>, id: &LeadId) -> Result<Option<Lead>> {
    let sql = format!("SELECT {LEAD_COLUMNS} {LEAD_FROM} WHERE l.id = ?1 AND l.team_id = ?2");
    Ok(db.conn.prepare_cached(&sql)?.query_row(params![id.as_str(), db.ctx.team_id.as_str()], from_row).optional()?)
}

/// Leads by internal row numbers (as the FTS index returns them), in the given order.
/// Row numbers looked up in one query.
const SEQS_PER_QUERY: usize = 1000;

pub fn by_seqs(db: &Db<'_>, seqs: &[i64]) -> Result<Vec<Lead>> {
    if seqs.is_empty() {
        return Ok(Vec::new());
    }
    let team = db.ctx.team_id.as_str();
    let mut rows: Vec<Lead> = Vec::with_capacity(seqs.len());
    // In slices, so a long list (`lead list --limit 40000`) stays under SQLite's limit on parameters.
    for slice in seqs.chunks(SEQS_PER_QUERY) {
        let marks = vec!["?"; slice.len()].join(",");
        // `+l.team_id`: the row numbers are the way in; with statistics saying most leads are one team's, the
        // planner would otherwise walk that team's whole index (70 ms on a million leads instead of 1 ms).
        let sql = format!(
            "SELECT {LEAD_COLUMNS} {LEAD_FROM} WHERE l.seq IN ({marks}) AND +l.team_id = ? AND l.deleted_at IS NULL"
        );
        let mut args: Vec<&dyn ToSql> = slice.iter().map(|s| s as &dyn ToSql).collect();
        args.push(&team);
        let mut stmt = db.conn.prepare_cached(&sql)?;
        for row in stmt.query_map(params_from_iter(args), from_row)? {
            rows.push(row?);
        }
    }
    let order: std::collections::HashMap<i64, usize> = seqs.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    rows.sort_by_key(|l| order.get(&l.seq).copied());
    Ok(rows)
}

/// Finds the one lead a rep means: an id, an e-mail, or an unambiguous name (full, first or last).
pub fn resolve(db: &Db<'_>, reference: &str) -> Result<LeadId> {
    match resolve_live(db, reference) {
        // The id of a lead merged since, or the short id a table showed of it, is not taken for another lead
        // unseen; it is said where it went.
        Err(StoreError::NotFound { .. })
            if let Some(id) = merged_id(db, reference)?
                && let Some(merged) = merged_away(db, &id)? =>
        {
            Err(merged)
        }
        other => other,
    }
}

/// The merged-away lead an id, or the start of one (8 characters at least), names.
fn merged_id(db: &Db<'_>, reference: &str) -> Result<Option<String>> {
    if let Some(id) = crate::domain::canonical_id(reference.trim()) {
        return Ok(Some(id));
    }
    let r = reference.trim().to_lowercase();
    if r.len() < 8 || !r.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Ok(None);
    }
    let ids: Vec<String> = db
        .conn
        .prepare_cached(
            "SELECT DISTINCT merged_id FROM merge_log WHERE team_id = ?1 AND merged_id >= ?2 AND merged_id < ?2 || 'g'
             LIMIT 2",
        )?
        .query_map(params![db.ctx.team_id.as_str(), r], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(if ids.len() == 1 { ids.into_iter().next() } else { None })
}

/// `resolve` among the live leads only.
fn resolve_live(db: &Db<'_>, reference: &str) -> Result<LeadId> {
    let r = reference.trim();
    let not_found = || StoreError::NotFound { what: "lead", reference: reference.to_string() };
    if r.is_empty() {
        return Err(not_found());
    }
    let team = db.ctx.team_id.as_str();
    if let Some(id) = crate::domain::canonical_id(r) {
        // An id stored as an older import wrote it ("{...}") is found too.
        for id in [LeadId(id), LeadId(r.to_lowercase())] {
            if let Some(l) = find(db, &id)? {
                return Ok(l.id);
            }
        }
        return Err(not_found());
    }
    // The short id prefix that tables show (one that names several leads says which).
    if r.len() >= 8 && r.contains('-') {
        match super::resolve_id(db, "leads", "lead", r) {
            Ok(id) => return Ok(LeadId(id)),
            Err(e @ StoreError::Ambiguous { .. }) => return Err(e),
            Err(_) => {}
        }
    }
    let mut ids: Vec<String> = if r.contains('@') {
        db.conn
            .prepare_cached("SELECT id FROM leads WHERE team_id = ?1 AND email_key = ?2 AND deleted_at IS NULL")?
            .query_map(params![team, normalize_email(r)], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?
    } else {
        Vec::new()
    };
    if ids.is_empty() && r.contains('@') {
        ids.extend(super::lead_emails::owner(db, r)?.map(|id| id.0));
    }
    if ids.is_empty() && r.contains('@') {
        // The address of a lead merged into another names the lead it went into.
        let kept: Option<String> = db
            .conn
            .prepare_cached(
                "SELECT m.kept_id FROM merge_log m JOIN leads l ON l.id = m.merged_id
                 WHERE m.team_id = ?1 AND l.email_key = ?2 ORDER BY m.created_at DESC LIMIT 1",
            )?
            .query_row(params![team, normalize_email(r)], |row| row.get(0))
            .optional()?;
        if let Some(kept) = kept {
            ids.extend(survivor(db, &LeadId(kept))?.map(|l| l.0));
        }
    }
    // Names are compared folded (`name_key`): "alvaro nunez" names Álvaro Núñez.
    let key = fold(r);
    if ids.is_empty() {
        ids = db
            .conn
            .prepare_cached(
                "SELECT id FROM leads WHERE team_id = ?1 AND name_key = ?2 AND deleted_at IS NULL
                 AND forgotten_at IS NULL LIMIT ?3",
            )?
            .query_map(params![team, key, NAMESAKES_LOOKED_AT as i64 + 1], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
    }
    if ids.is_empty() {
        // A single first or last name: look it up through the FTS index, then keep exact matches.
        let hits = search::search(db, r, 50)?;
        ids = hits
            .into_iter()
            .filter(|l| fold(&l.first_name) == key || fold(&l.last_name) == key)
            .map(|l| l.id.0)
            .collect();
    }
    // An id's first digits without its dash ("01a21525"), when they name no one by name. 8 at least: the
    // first 6 of an id are the hours it was made in, which every lead imported or added then shares.
    if ids.is_empty() && r.len() >= 8 && r.chars().all(|c| c.is_ascii_hexdigit()) {
        return super::resolve_id(db, "leads", "lead", r).map(LeadId);
    }
    // Fewer digits, as other records take: said, rather than "not found".
    if ids.is_empty() && r.len() >= 6 && r.starts_with("01") && r.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(crate::domain::ValidationError::new(
            "lead",
            reference,
            "is too short to name a lead: give at least 8 characters of its id (tables show enough)",
        )
        .into());
    }
    // "Ana Lopez" typed, with "Ana López" and "Ana Lopez" both here: the one written as typed.
    if ids.len() > 1 && ids.len() <= NAMESAKES_LOOKED_AT {
        let mut exact = Vec::new();
        for id in &ids {
            if get(db, &LeadId(id.clone()))?.name().trim() == r {
                exact.push(id.clone());
            }
        }
        if exact.len() == 1 {
            ids = exact;
        }
    }
    match ids.len() {
        0 => Err(not_found()),
        1 => Ok(LeadId(ids.remove(0))),
        _ => {
            let mut candidates = Vec::new();
            for id in ids.iter().take(10) {
                candidates.push(get(db, &LeadId(id.clone()))?.label());
            }
            match ids.len() {
                n if n > NAMESAKES_LOOKED_AT => candidates.push(format!("and over {} more", NAMESAKES_LOOKED_AT - 10)),
                n if n > 10 => candidates.push(format!("and {} more", n - 10)),
                _ => {}
            }
            Err(StoreError::Ambiguous { what: "lead", reference: reference.to_string(), candidates })
        }
    }
}

/// The leads of one name a reference is looked for among (the one written exactly as typed, and how many
/// others an ambiguous name lists): a hundred "Mia Gupta"s on a million leads are all counted.
const NAMESAKES_LOOKED_AT: usize = 1_000;

/// The lead `?1` and every lead it went into, merge after merge (`depth` from it), as a `chain` table.
const MERGE_CHAIN: &str = "WITH RECURSIVE chain(id, depth) AS (
    SELECT ?1, 0
    UNION SELECT m.kept_id, c.depth + 1 FROM merge_log m JOIN chain c ON m.merged_id = c.id WHERE c.depth < 100)";

/// `kept` if it is live, else the live lead it was merged into (following later merges); none when the
/// person is gone.
pub fn survivor(db: &Db<'_>, kept: &LeadId) -> Result<Option<LeadId>> {
    let found: Option<String> = db
        .conn
        .prepare_cached(&format!(
            "{MERGE_CHAIN} SELECT l.id FROM chain c JOIN leads l ON l.id = c.id
             WHERE l.team_id = ?2 AND l.deleted_at IS NULL AND l.forgotten_at IS NULL ORDER BY c.depth LIMIT 1"
        ))?
        .query_row(params![kept.as_str(), db.ctx.team_id.as_str()], |r| r.get(0))
        .optional()?;
    Ok(found.map(LeadId))
}

/// `resolve`, or for the id of a lead merged since, the lead it went into: for commands that only read
/// (`dedupe --explain`, `privacy log`). Those that change or remove a lead take its own id only, so that an
/// old id never acts on another lead unseen.
pub fn resolve_or_survivor(db: &Db<'_>, reference: &str) -> Result<LeadId> {
    match resolve_live(db, reference) {
        Err(StoreError::NotFound { .. }) if let Some(id) = crate::domain::canonical_id(reference) => {
            survivor(db, &LeadId(id))?
                .ok_or_else(|| StoreError::NotFound { what: "lead", reference: reference.to_string() })
        }
        other => other,
    }
}

/// A change to some fields of a lead. `Some("")` clears an optional field.
#[derive(Debug, Clone, Default)]
pub struct LeadPatch {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub source: Option<String>,
    pub industry: Option<String>,
    pub company_size: Option<String>,
    pub product_interest: Option<String>,
    pub profile_url: Option<String>,
    pub owner: Option<String>,
    pub lifecycle: Option<Lifecycle>,
    pub notes: Option<String>,
    pub tags: Option<Vec<String>>,
    pub add_tags: Vec<String>,
    pub remove_tags: Vec<String>,
    /// Addresses to add to the lead's other e-mails, or to take off them.
    pub add_emails: Vec<String>,
    pub remove_emails: Vec<String>,
    pub do_not_contact: Option<bool>,
    pub do_not_contact_reason: Option<String>,
    /// When an opt-out being recorded happened, when it is known to be earlier than now (a merged lead's,
    /// an imported file's).
    pub do_not_contact_at: Option<Timestamp>,
    /// What the privacy log says of an opt-out the person did not give again (a merge carrying over the
    /// other record's, which its own entry tells): the lead keeps the first reason all the same.
    pub opt_out_logged_as: Option<String>,
}

impl LeadPatch {
    pub fn is_empty(&self) -> bool {
        self.first_name.is_none()
            && self.last_name.is_none()
            && self.email.is_none()
            && self.phone.is_none()
            && self.company.is_none()
            && self.title.is_none()
            && self.source.is_none()
            && self.industry.is_none()
            && self.company_size.is_none()
            && self.product_interest.is_none()
            && self.profile_url.is_none()
            && self.owner.is_none()
            && self.lifecycle.is_none()
            && self.notes.is_none()
            && self.tags.is_none()
            && self.add_tags.is_empty()
            && self.add_emails.is_empty()
            && self.remove_emails.is_empty()
            && self.remove_tags.is_empty()
            && self.do_not_contact.is_none()
    }
}

/// Applies a patch; validation failures leave the lead as it was (the caller's transaction rolls back).
pub fn update(db: &Db<'_>, id: &LeadId, patch: LeadPatch) -> Result<Lead> {
    check_labels(&[
        ("first_name", patch.first_name.as_ref()),
        ("last_name", patch.last_name.as_ref()),
        ("company", patch.company.as_ref()),
        ("title", patch.title.as_ref()),
        ("industry", patch.industry.as_ref()),
        ("company_size", patch.company_size.as_ref()),
        ("product_interest", patch.product_interest.as_ref()),
    ])?;
    let mut lead = get(db, id)?;
    // A forgotten person's data is never written again; the row stays for the counts (its lifecycle and
    // opt-out may still change with its deals).
    let personal = [&patch.first_name, &patch.last_name, &patch.email, &patch.phone, &patch.company, &patch.title]
        .into_iter()
        .chain([&patch.notes, &patch.industry, &patch.company_size, &patch.product_interest, &patch.profile_url])
        .any(Option::is_some)
        || patch.tags.is_some()
        || !patch.add_tags.is_empty()
        || !patch.add_emails.is_empty()
        // The erasure left them opted out; an opt-in, or a reason, would be about the person again.
        || patch.do_not_contact.is_some()
        || patch.do_not_contact_reason.is_some();
    if lead.forgotten_at.is_some() && personal {
        return Err(StoreError::Refused(format!("lead {id} was forgotten; nothing about the person is written again")));
    }
    let account_before = lead.account_id.clone();
    let owner_before = lead.owner_id.clone();
    let email_given = patch.email.is_some();
    let email_before = lead.email.clone();
    if let Some(v) = patch.first_name {
        lead.first_name = require_text("first_name", &v)?;
    }
    if let Some(v) = patch.last_name {
        lead.last_name = v.trim().to_string();
    }
    if let Some(v) = patch.email {
        lead.email = non_empty(Some(v)).map(|e| validate_email("email", &e)).transpose()?;
        if let Some(e) = &lead.email {
            refuse_duplicate_email(db, &normalize_email(e), e, Some(id))?;
            // One of its other addresses made its own is no longer another one.
            super::lead_emails::remove(db, id, e)?;
        }
    }
    if let Some(v) = patch.phone {
        lead.phone = non_empty(Some(v)).map(|p| phone_of_someone_here(db, &p)).transpose()?;
    }
    let left_account = lead.account_id.clone();
    if let Some(v) = patch.company {
        lead.account_id =
            non_empty(Some(v)).map(|c| accounts::find_or_create(db, &c, None, None)).transpose()?.map(|a| a.0);
    }
    set_opt(&mut lead.title, patch.title);
    if let Some(v) = patch.source {
        lead.source = non_empty(Some(v)).map(|s| Source::parse(&s).map(|s| s.as_str().to_string())).transpose()?;
    }
    set_opt(&mut lead.industry, patch.industry);
    set_opt(&mut lead.company_size, patch.company_size);
    set_opt(&mut lead.product_interest, patch.product_interest);
    set_opt(&mut lead.notes, patch.notes);
    if let Some(u) = patch.profile_url {
        lead.profile_url = non_empty(Some(u)).map(|u| profile_url(db, &u)).transpose()?;
    }
    if let Some(o) = patch.owner {
        // "none", as the owner filter says it, or nothing: the lead is nobody's.
        lead.owner_id =
            non_empty(Some(o)).filter(|o| !nobody(o)).map(|o| teams::resolve(db, &o)).transpose()?.map(|u: UserId| u.0);
    }
    if let Some(l) = patch.lifecycle {
        lead.lifecycle = l.as_str().to_string();
    }
    let mut tags = match patch.tags {
        Some(t) => normalize_tags(&t)?,
        None => lead.tags.clone(),
    };
    for t in &patch.add_tags {
        let n = normalize_tag(t)?;
        if !tags.contains(&n) {
            tags.push(n);
        }
    }
    for t in &patch.remove_tags {
        let n = normalize_tag(t)?;
        tags.retain(|x| *x != n);
    }
    if let Some(dnc) = patch.do_not_contact {
        if dnc && !lead.do_not_contact {
            super::tasks::close_chasers(db, id, super::tasks::Answered::OptOut)?;
            super::events::withdraw_for(db, id)?;
        }
        let reason = non_empty(patch.do_not_contact_reason);
        // New: neither the lead's nor the last one logged for it (an import run again says it each time).
        let new_reason =
            dnc && reason.is_some() && reason != lead.do_not_contact_reason && reason != last_opt_out_reason(db, id)?;
        // Every change of an opt-out is recorded, whoever makes it (a command, the TUI, a merge, an import),
        // with the reason given (an opt-in's too), and so is an opt-out said again with a new reason. The
        // lead keeps when and why it first opted out, a pair: the log holds what was said since.
        if dnc != lead.do_not_contact {
            lead.do_not_contact_at = dnc.then(|| patch.do_not_contact_at.map_or(db.now, |at| at.min(db.now)));
            lead.do_not_contact_reason = if dnc { reason.clone() } else { None };
            let logged = patch.opt_out_logged_as.as_deref().filter(|_| dnc).or(reason.as_deref());
            log_privacy(db, id, if dnc { "opt_out" } else { "opt_in" }, logged)?;
        } else if new_reason {
            // Opted out already without a reason on file: this one is the reason.
            if lead.do_not_contact_reason.is_none() {
                lead.do_not_contact_reason = reason.clone();
            }
            log_privacy(db, id, "opt_out", reason.as_deref())?;
        }
        lead.do_not_contact = dnc;
    }
    db.conn
        .prepare_cached(
            "UPDATE leads SET first_name = ?2, last_name = ?3, email = ?4, email_key = ?5, phone = ?6, title = ?7,
             account_id = ?8, source = ?9, product_interest = ?10, industry = ?11, company_size = ?12, tags = ?13,
             owner_id = ?14, lifecycle = ?15, do_not_contact = ?16, do_not_contact_at = ?17,
             do_not_contact_reason = ?18, notes = ?19, updated_at = ?20,
             name_key = CASE WHEN forgotten_at IS NULL THEN ?21 END, profile_url = ?22
             WHERE id = ?1",
        )?
        .execute(params![
            id.as_str(),
            lead.first_name,
            lead.last_name,
            lead.email,
            lead.email.as_deref().map(normalize_email),
            lead.phone,
            lead.title,
            lead.account_id,
            lead.source,
            lead.product_interest,
            lead.industry,
            lead.company_size,
            join_tags(&tags),
            lead.owner_id,
            lead.lifecycle,
            lead.do_not_contact,
            lead.do_not_contact_at.map(|t| t.0),
            lead.do_not_contact_reason,
            lead.notes,
            db.now.0,
            name_key(&lead.first_name, &lead.last_name),
            lead.profile_url,
        ])?;
    if let Some(left) = left_account.filter(|a| lead.account_id.as_ref() != Some(a)) {
        accounts::drop_if_unused(db, &left)?;
    }
    if let Some(owner) = lead.owner_id.as_ref().filter(|o| owner_before.as_ref() != Some(*o)) {
        hand_over_work(db, id, owner_before.as_deref(), owner)?;
    }
    for e in &patch.remove_emails {
        // Made the lead's own e-mail by this same edit, it is no longer another one anyway.
        let now_own = lead.email.as_deref().is_some_and(|own| normalize_email(own) == normalize_email(e));
        if now_own && !email_given {
            return Err(StoreError::Refused(format!(
                "{} is {}'s main e-mail, not one of the other ones: change the main e-mail instead",
                e.trim(),
                lead.name()
            )));
        }
        // The main e-mail this same edit changed or cleared is gone from the lead already.
        let was_own = email_before.as_deref().is_some_and(|own| normalize_email(own) == normalize_email(e));
        let gone_already = now_own || (was_own && email_given);
        if !super::lead_emails::remove(db, id, e)? && !gone_already {
            return Err(StoreError::Refused(format!("{} is not one of {}'s other e-mails", e.trim(), lead.name())));
        }
    }
    for e in &patch.add_emails {
        super::lead_emails::add_checked(db, id, e)?;
    }
    let added: Vec<String> = tags.iter().filter(|t| !lead.tags.contains(t)).cloned().collect();
    if tags != lead.tags {
        write_tag_rows(db, id, &tags)?;
    }
    // Deals filed under no company (the lead had none yet) go under the one it now has; a deal filed
    // under another company stays there, as the history of where the person was.
    if let Some(account) = lead.account_id.as_ref().filter(|_| lead.account_id != account_before) {
        db.conn
            .prepare_cached(
                "UPDATE deals SET account_id = ?2 WHERE lead_id = ?1 AND account_id IS NULL AND deleted_at IS NULL",
            )?
            .execute(params![id.as_str(), account])?;
    }
    db.emit(Change::LeadEdited(id.clone()));
    if !added.is_empty() {
        db.emit(Change::TagsAdded { lead: id.clone(), tags: added });
    }
    get(db, id)
}

/// A lead given to another member: the work ahead with them that was its owner's (open deals and tasks, a
/// customer's profile) goes with it, as `team remove --to` hands it over; what a colleague was given, or
/// nobody was, stays as it is.
fn hand_over_work(db: &Db<'_>, id: &LeadId, from: Option<&str>, to: &str) -> Result<()> {
    for sql in [
        "UPDATE deals SET owner_id = ?3, updated_at = ?4
         WHERE lead_id = ?1 AND owner_id IS ?2 AND status = 'open' AND deleted_at IS NULL",
        "UPDATE tasks SET owner_id = ?3, updated_at = ?4
         WHERE lead_id = ?1 AND owner_id IS ?2 AND done_at IS NULL AND deleted_at IS NULL",
        "UPDATE client_profiles SET owner_id = ?3, updated_at = ?4
         WHERE lead_id = ?1 AND owner_id IS ?2 AND deleted_at IS NULL",
    ] {
        db.conn.prepare_cached(sql)?.execute(params![id.as_str(), from, to, db.now.0])?;
    }
    Ok(())
}

/// The reason the latest opt-out logged for the lead gave.
fn last_opt_out_reason(db: &Db<'_>, id: &LeadId) -> Result<Option<String>> {
    Ok(db
        .conn
        .prepare_cached(
            "SELECT reason FROM privacy_log WHERE lead_id = ?1 AND action = 'opt_out' ORDER BY created_at DESC, id DESC
             LIMIT 1",
        )?
        .query_row([id.as_str()], |r| r.get(0))
        .optional()?
        .flatten())
}

/// A phone number as a lead keeps it, not a forgotten person's.
fn phone_of_someone_here(db: &Db<'_>, phone: &str) -> Result<String> {
    let phone = validate_phone("phone", phone)?;
    super::forgotten::refuse_phone(db, &phone, db.ctx.country.as_deref())?;
    Ok(phone)
}

/// A profile address as a lead keeps it: a web address, in its one form; not a forgotten person's.
fn profile_url(db: &Db<'_>, url: &str) -> Result<String> {
    let url = crate::domain::lead::validate_url("profile_url", url)?;
    crate::domain::lead::check_one_line("profile_url", &url)?;
    let url = crate::domain::lead::canonical_profile(&url);
    super::forgotten::refuse_profile(db, &url)?;
    Ok(url)
}

fn set_opt(field: &mut Option<String>, value: Option<String>) {
    if let Some(v) = value {
        *field = non_empty(Some(v));
    }
}

/// Soft-deletes a lead; its history stays for reports and sync.
pub fn remove(db: &Db<'_>, id: &LeadId) -> Result<()> {
    get(db, id)?;
    db.conn
        .execute("UPDATE leads SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1", params![id.as_str(), db.now.0])?;
    db.conn.execute("DELETE FROM lead_tags WHERE lead_id = ?1", [id.as_str()])?;
    super::lead_emails::drop_all(db, id)?;
    // Work still ahead with the lead goes with it (open tasks, open deals, meetings to come); what
    // happened stays for the reports.
    let now = db.now.0;
    db.conn.execute(
        "UPDATE tasks SET deleted_at = ?2, updated_at = ?2 WHERE lead_id = ?1 AND done_at IS NULL AND deleted_at IS NULL",
        params![id.as_str(), now],
    )?;
    db.conn.execute(
        "UPDATE deals SET deleted_at = ?2, updated_at = ?2 WHERE lead_id = ?1 AND status = 'open' AND deleted_at IS NULL",
        params![id.as_str(), now],
    )?;
    db.conn.execute(
        "UPDATE meetings SET deleted_at = ?2, updated_at = ?2
         WHERE lead_id = ?1 AND attended IS NULL AND scheduled_at > ?2 AND deleted_at IS NULL",
        params![id.as_str(), now],
    )?;
    // A reply still to answer is work ahead too: nobody answers a lead that is gone.
    db.conn.execute(
        "UPDATE inbox_items SET deleted_at = ?2, updated_at = ?2
         WHERE lead_id = ?1 AND handled_at IS NULL AND deleted_at IS NULL",
        params![id.as_str(), now],
    )?;
    db.emit(Change::LeadRemoved(id.clone()));
    Ok(())
}

/// Records an offline contact at `at` (a call from the car, a coffee): last contact moves if it is newer.
pub fn touch(db: &Db<'_>, id: &LeadId, at: Timestamp) -> Result<()> {
    get(db, id)?;
    // As for any touch: one dated ahead would be a contact never made, and last contact only moves forward.
    let at = super::outreach::happened(db, at)?;
    db.conn.execute(
        "UPDATE leads SET manual_contact_at = max(ifnull(manual_contact_at, 0), ?2), updated_at = ?3 WHERE id = ?1",
        params![id.as_str(), at.0, db.now.0],
    )?;
    contact::refresh(db, id)?;
    // The contact made is the follow-up the bumps before it asked for.
    super::tasks::close_chasers(db, id, super::tasks::Answered::Contacted(at))?;
    db.emit(Change::LeadEdited(id.clone()));
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LeadSort {
    /// Highest score first (newest first among equals).
    #[default]
    Score,
    /// Highest priority first: the score, mixed with health for customers (newest first among equals).
    Priority,
    /// Most recently contacted first; never-contacted last.
    LastContact,
    /// Alphabetical by full name.
    Name,
    /// Newest first.
    Created,
}

impl std::str::FromStr for LeadSort {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().replace('_', "-").as_str() {
            "score" => Ok(LeadSort::Score),
            "priority" => Ok(LeadSort::Priority),
            "last-contact" | "last-contacted" | "contact" => Ok(LeadSort::LastContact),
            "name" => Ok(LeadSort::Name),
            "created" | "new" => Ok(LeadSort::Created),
            _ => Err(ValidationError::new("sort", s, crate::domain::words::must_be(&Self::NAMES))),
        }
    }
}

impl LeadSort {
    pub const ALL: [LeadSort; 5] =
        [LeadSort::Score, LeadSort::Priority, LeadSort::LastContact, LeadSort::Name, LeadSort::Created];

    pub const NAMES: [&'static str; LeadSort::ALL.len()] = crate::domain::words::words!(LeadSort);

    pub const fn as_str(self) -> &'static str {
        match self {
            LeadSort::Score => "score",
            LeadSort::Priority => "priority",
            LeadSort::LastContact => "last-contact",
            LeadSort::Name => "name",
            LeadSort::Created => "created",
        }
    }

    /// (sort expression, descending?) — the expressions match the indexes in the schema.
    fn key(self) -> (&'static str, bool) {
        match self {
            LeadSort::Score => ("s.score", true),
            LeadSort::Priority => ("s.priority", true),
            LeadSort::LastContact => ("ifnull(l.last_contacted_at, 0)", true),
            LeadSort::Name => ("l.name_key", false),
            LeadSort::Created => ("l.created_at", true),
        }
    }

    /// Where a page's rows come from, and the row-number column that breaks ties: scores live in their
    /// own table, whose index is the way in for the score order.
    fn source(self) -> (&'static str, &'static str) {
        match self {
            LeadSort::Score | LeadSort::Priority => ("lead_scores s JOIN leads l ON l.seq = s.seq", "s.seq"),
            _ => ("leads l", "l.seq"),
        }
    }

    /// The cursor just before `lead` in list order, so a page read after it starts with `lead`.
    /// Ties run newest first in the descending sorts and oldest first by name.
    pub fn cursor_before(self, lead: &Lead) -> Cursor {
        let mut c = self.cursor_of(lead);
        c.seq += if self.key().1 { 1 } else { -1 };
        c
    }

    /// Where the keyset cursor of a page ends, read off its last lead.
    pub fn cursor_of(self, lead: &Lead) -> Cursor {
        let key = match self {
            LeadSort::Score => CursorKey::Int(lead.score),
            LeadSort::Priority => CursorKey::Int(lead.priority),
            LeadSort::LastContact => CursorKey::Int(lead.last_contacted_at.map_or(0, |t| t.0)),
            LeadSort::Name => CursorKey::Text(name_key(&lead.first_name, &lead.last_name)),
            LeadSort::Created => CursorKey::Int(lead.created_at.0),
        };
        Cursor { key, seq: lead.seq }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum CursorKey {
    Int(i64),
    Text(String),
}

/// A position in a sorted lead list: the next page starts strictly after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub key: CursorKey,
    pub seq: i64,
}

impl Cursor {
    /// The sort key as an SQL argument.
    fn key_arg(&self) -> Box<dyn ToSql> {
        match &self.key {
            CursorKey::Int(i) => Box::new(*i),
            CursorKey::Text(t) => Box::new(t.clone()),
        }
    }
}

/// The one builder for lead list filters, shared by the CLI, the TUI and exports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeadFilter {
    pub tag: Option<String>,
    /// A stage one of the lead's deals is in (the won and lost stages hold closed deals).
    pub stage: Option<String>,
    pub source: Option<String>,
    /// Owner reference (id, e-mail, name or `me`).
    pub owner: Option<String>,
    pub lifecycle: Option<Lifecycle>,
    /// Full-text prefix search over names, e-mail, phone, company, title and tags.
    pub text: Option<String>,
    /// Created at or after the first time and before the second (the weekly export's new leads).
    pub created_within: Option<(Timestamp, Timestamp)>,
    /// Only leads that may be contacted (true: not opted out; a campaign's list) or only those who may not.
    pub contactable: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct LeadQuery {
    pub filter: LeadFilter,
    pub sort: LeadSort,
    pub after: Option<Cursor>,
    pub limit: usize,
}

/// One page of leads: filtered, sorted, starting after the cursor (keyset: no OFFSET, any depth is cheap).
pub fn list(db: &Db<'_>, q: &LeadQuery) -> Result<Vec<Lead>> {
    page(db, q, q.after.as_ref(), true)
}

/// The page that ends just before `before` (or the last page when `None`), in list order: keyset paging
/// backwards, so a virtual table can scroll up from anywhere and jump to the end without OFFSET.
pub fn list_back(db: &Db<'_>, q: &LeadQuery, before: Option<&Cursor>) -> Result<Vec<Lead>> {
    let mut rows = page(db, q, before, false)?;
    rows.reverse();
    Ok(rows)
}

/// Reads a page in `forward` (list) order or backwards from the cursor.
///
/// The page's rows are chosen first and only then described, so the per-lead columns (company, owner,
/// open deal stage) are computed for the page, not for every match being sorted. After a cursor the rows
/// come from two index seeks: the rest of the cursor's sort-key group (`key = k AND seq beyond s`), then
/// the keys beyond `k`. A single row-value comparison would read the same rows, but SQLite seeks only on
/// its first column, so deep pages over equal keys (a million leads scored 0) would scan.
fn page(db: &Db<'_>, q: &LeadQuery, cursor: Option<&Cursor>, forward: bool) -> Result<Vec<Lead>> {
    let sorted = Sorted::new(db, q)?;
    let Sorted { base, filter_args, expr, seq, desc } = &sorted;
    let descending = *desc == forward;
    let (cmp, dir) = if descending { ("<", "DESC") } else { (">", "ASC") };
    let seqs = |sql: &str, extra: Vec<Box<dyn ToSql>>| -> Result<Vec<i64>> {
        let mut stmt = db.conn.prepare_cached(sql)?;
        let args = filter_args.iter().chain(extra.iter()).map(|b| b.as_ref());
        let rows = stmt.query_map(params_from_iter(args), |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let chosen = match cursor {
        None => seqs(&format!("{base} ORDER BY {expr} {dir}, {seq} {dir} LIMIT ?"), vec![Box::new(q.limit as i64)])?,
        Some(c) => {
            let mut chosen = seqs(
                &format!("{base} AND {expr} = ? AND {seq} {cmp} ? ORDER BY {seq} {dir} LIMIT ?"),
                vec![c.key_arg(), Box::new(c.seq), Box::new(q.limit as i64)],
            )?;
            if chosen.len() < q.limit {
                let rest = q.limit - chosen.len();
                chosen.extend(seqs(
                    &format!("{base} AND {expr} {cmp} ? ORDER BY {expr} {dir}, {seq} {dir} LIMIT ?"),
                    vec![c.key_arg(), Box::new(rest as i64)],
                )?);
            }
            chosen
        }
    };
    by_seqs(db, &chosen)
}

/// How many leads come before `lead` in the list `q` sorts and filters (its place, from 0): what the
/// TUI's header says when a write moved the selected lead far from the rows it held. Counted along the
/// same two index seeks as a page before it, without reading the leads.
pub fn rank(db: &Db<'_>, q: &LeadQuery, lead: &Lead) -> Result<i64> {
    let Sorted { base, filter_args, expr, seq, desc } = Sorted::new(db, q)?;
    let cmp = if desc { ">" } else { "<" };
    let c = q.sort.cursor_of(lead);
    let count = |sql: String, extra: Vec<Box<dyn ToSql>>| -> Result<i64> {
        let mut stmt = db.conn.prepare_cached(&format!("SELECT count(*) FROM ({sql})"))?;
        let args = filter_args.iter().chain(extra.iter()).map(|b| b.as_ref());
        Ok(stmt.query_row(params_from_iter(args), |r| r.get(0))?)
    };
    Ok(count(format!("{base} AND {expr} = ? AND {seq} {cmp} ?"), vec![c.key_arg(), Box::new(c.seq)])?
        + count(format!("{base} AND {expr} {cmp} ?"), vec![c.key_arg()])?)
}

/// A sorted, filtered list of leads as SQL: `base` selects their row numbers (with `filter_args`), in the
/// order of `expr` then `seq` (`desc` or not).
struct Sorted {
    base: String,
    filter_args: Vec<Box<dyn ToSql>>,
    expr: &'static str,
    seq: &'static str,
    desc: bool,
}

impl Sorted {
    fn new(db: &Db<'_>, q: &LeadQuery) -> Result<Sorted> {
        let (expr, desc) = q.sort.key();
        let (mut from, seq) = q.sort.source();
        // A filter many leads pass (a tag or an owner of tens of thousands, a lifecycle, a source) is checked
        // lead by lead along the sort index, which stays the outer loop: a page is found after a few hundred
        // checks. A rare tag or owner, or a stage, hands its few leads over to be sorted instead. Either way
        // round the other case reads most of a million leads.
        let mut filter = q.filter.clone();
        // `+`: not through the owner index, which would hand a quarter of a million leads over to be sorted.
        let common_owner = match filter.owner.as_deref().filter(|o| !nobody(o)) {
            Some(owner) => {
                let id = teams::resolve(db, owner)?;
                owner_is_common(db, &id)?.then(|| {
                    filter.owner = None;
                    id
                })
            }
            None => None,
        };
        // A stage many deals are in is checked lead by lead too (its deals through the lead's).
        let common_stage = match filter.stage.as_deref() {
            Some(stage) => stage_is_common(db, &db.ctx.stages.resolve(stage)?)?,
            None => false,
        };
        let walkable = |f: &LeadFilter, tag: Option<String>| {
            let stage = f.stage.clone().filter(|_| common_stage);
            LeadFilter { tag, stage, lifecycle: f.lifecycle, source: f.source.clone(), ..Default::default() } == *f
        };
        let common_tag = match filter.tag.as_deref().map(normalize_tag).transpose()? {
            Some(tag) if walkable(&filter, filter.tag.clone()) && tag_is_common(db, &tag)? => {
                filter.tag = None;
                Some(tag)
            }
            _ => None,
        };
        if walkable(&filter, None) && matches!(q.sort, LeadSort::Score | LeadSort::Priority) {
            from = "lead_scores s CROSS JOIN leads l ON l.seq = s.seq";
        }
        // `+l.team_id`: the sort index is the way in (the team index would mean sorting every lead of the team).
        // Forgotten leads are kept for the counts of reports and exports, not listed as people to work with.
        let mut base = format!(
            "SELECT {seq} FROM {from} WHERE +l.team_id = ? AND l.deleted_at IS NULL AND l.forgotten_at IS NULL"
        );
        let mut filter_args: Vec<Box<dyn ToSql>> = vec![Box::new(db.ctx.team_id.0.clone())];
        filter_sql(db, &filter, &mut base, &mut filter_args)?;
        if let Some(tag) = common_tag {
            base.push_str(" AND EXISTS (SELECT 1 FROM lead_tags g WHERE g.tag = ? AND g.lead_id = l.id)");
            filter_args.push(Box::new(tag));
        }
        if let Some(owner) = common_owner {
            base.push_str(" AND +l.owner_id = ?");
            filter_args.push(Box::new(owner.0));
        }
        Ok(Sorted { base, filter_args, expr, seq, desc })
    }
}

/// Search counts stop here: past it a rep sees "10,000+" (an exact count of a two-letter prefix over a
/// million leads would cost more than the keystroke's whole budget).
pub const MATCH_COUNT_CAP: i64 = 10_000;

/// Search matches a page at a time, newest lead first (highest row number, as the FTS index yields them),
/// starting after the cursor's row. Rows are streamed from the index in its own order and the other filters
/// are checked per candidate, so a page costs about the same for "ma" as for "marta" on a million leads
/// (sorting every match by score, as `list` does, grows with the number of matches). Without search text
/// this is `list`.
pub fn list_matches(db: &Db<'_>, q: &LeadQuery) -> Result<Vec<Lead>> {
    match_page(db, q, q.after.as_ref().map(|c| c.seq), true)
}

/// The page of matches just before `before` (or the oldest matches when `None`), in list order.
pub fn list_matches_back(db: &Db<'_>, q: &LeadQuery, before: Option<&Cursor>) -> Result<Vec<Lead>> {
    if match_text(&q.filter).is_none() {
        return list_back(db, q, before);
    }
    let mut rows = match_page(db, q, before.map(|c| c.seq), false)?;
    rows.reverse();
    Ok(rows)
}

/// The FTS query of a filter's search text: None without text, Some(None) when nothing searchable is left.
fn match_text(f: &LeadFilter) -> Option<Option<String>> {
    f.text.as_deref().filter(|t| !t.trim().is_empty()).map(search::fts_query)
}

/// `SELECT <what> FROM` the FTS matches joined to their leads, with the other filters: (sql, args).
fn match_sql(db: &Db<'_>, f: &LeadFilter, q: String, what: &str) -> Result<(String, Vec<Box<dyn ToSql>>)> {
    let rest = LeadFilter { text: None, ..f.clone() };
    // A whole address typed is its lead's (`search::address_typed`).
    let address = match f.text.as_deref() {
        Some(t) => search::address_typed(db, t)?,
        None => None,
    };
    if rest == LeadFilter::default() && single_team(db)? {
        // The search index holds live leads only (the triggers drop a lead when it is removed): with one
        // team and no other filter, every match counts, and a look-up per match in the wide leads table
        // (most of a capped count's time) is not needed.
        let mut sql = format!("SELECT {what} FROM lead_fts f WHERE lead_fts MATCH ?");
        let mut args: Vec<Box<dyn ToSql>> = vec![Box::new(q)];
        if let Some(seq) = address {
            sql.push_str(" AND f.rowid = ?");
            args.push(Box::new(seq));
        }
        return Ok((sql, args));
    }
    // CROSS JOIN keeps the index as the outer loop, so its row order serves ORDER BY and LIMIT stops early.
    let mut sql = format!(
        "SELECT {what} FROM lead_fts f CROSS JOIN leads l ON l.seq = f.rowid
         WHERE lead_fts MATCH ? AND l.team_id = ? AND l.deleted_at IS NULL"
    );
    let mut args: Vec<Box<dyn ToSql>> = vec![Box::new(q), Box::new(db.ctx.team_id.0.clone())];
    if let Some(seq) = address {
        sql.push_str(" AND f.rowid = ?");
        args.push(Box::new(seq));
    }
    filter_sql(db, &rest, &mut sql, &mut args)?;
    Ok((sql, args))
}

/// Whether the database holds one team only (a rep's usual database), so team filters change nothing.
fn single_team(db: &Db<'_>) -> Result<bool> {
    Ok(db.conn.prepare_cached("SELECT count(*) <= 1 FROM teams")?.query_row([], |r| r.get(0))?)
}

fn match_page(db: &Db<'_>, q: &LeadQuery, cursor: Option<i64>, forward: bool) -> Result<Vec<Lead>> {
    let text = match match_text(&q.filter) {
        None => return list(db, q),
        Some(None) => return Ok(Vec::new()),
        Some(Some(t)) => t,
    };
    let (mut sql, mut args) = match_sql(db, &q.filter, text, "f.rowid")?;
    let (cmp, dir) = if forward { ("<", "DESC") } else { (">", "ASC") };
    if let Some(seq) = cursor {
        sql.push_str(&format!(" AND f.rowid {cmp} ?"));
        args.push(Box::new(seq));
    }
    sql.push_str(&format!(" ORDER BY f.rowid {dir} LIMIT ?"));
    args.push(Box::new(q.limit as i64));
    let mut stmt = db.conn.prepare_cached(&sql)?;
    let seqs: Vec<i64> = stmt
        .query_map(params_from_iter(args.iter().map(|b| b.as_ref())), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    by_seqs(db, &seqs)
}

/// How many leads match a filter, counting search matches only up to `MATCH_COUNT_CAP + 1` (a result
/// above the cap means "more than the cap"). Without search text the count is exact.
pub fn count_capped(db: &Db<'_>, filter: &LeadFilter) -> Result<i64> {
    let text = match match_text(filter) {
        None => return count(db, filter),
        Some(None) => return Ok(0),
        Some(Some(t)) => t,
    };
    let (inner, mut args) = match_sql(db, filter, text, "1")?;
    args.push(Box::new(MATCH_COUNT_CAP + 1));
    let sql = format!("SELECT count(*) FROM ({inner} LIMIT ?)");
    let mut stmt = db.conn.prepare_cached(&sql)?;
    Ok(stmt.query_row(params_from_iter(args.iter().map(|b| b.as_ref())), |r| r.get(0))?)
}

/// Every lead matching a filter, oldest row first, handed to `f` one at a time as the query steps
/// (exports of a million leads never hold them all, and never re-scan like deep keyset pages on equal keys).
pub fn for_each(db: &Db<'_>, filter: &LeadFilter, mut f: impl FnMut(&Lead) -> Result<()>) -> Result<()> {
    // A plain scan in row order: through an index, the rows would have to be sorted (in memory) first.
    let from = LEAD_FROM.replacen("FROM leads l", "FROM leads l NOT INDEXED", 1);
    let mut sql = format!("SELECT {LEAD_COLUMNS} {from} WHERE l.team_id = ? AND l.deleted_at IS NULL");
    let mut args: Vec<Box<dyn ToSql>> = vec![Box::new(db.ctx.team_id.0.clone())];
    filter_sql(db, filter, &mut sql, &mut args)?;
    sql.push_str(" ORDER BY l.seq");
    let mut stmt = db.conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(args.iter().map(|b| b.as_ref())))?;
    while let Some(row) = rows.next()? {
        f(&from_row(row)?)?;
    }
    Ok(())
}

/// How many leads match a filter (for status lines).
pub fn count(db: &Db<'_>, filter: &LeadFilter) -> Result<i64> {
    let mut sql =
        "SELECT count(*) FROM leads l WHERE l.team_id = ? AND l.deleted_at IS NULL AND l.forgotten_at IS NULL"
            .to_string();
    let mut args: Vec<Box<dyn ToSql>> = vec![Box::new(db.ctx.team_id.0.clone())];
    filter_sql(db, filter, &mut sql, &mut args)?;
    let mut stmt = db.conn.prepare_cached(&sql)?;
    Ok(stmt.query_row(params_from_iter(args.iter().map(|b| b.as_ref())), |r| r.get(0))?)
}

/// Refuses a filter naming what is not there (a stage, an owner, a source), without reading any lead.
pub fn check_filter(db: &Db<'_>, filter: &LeadFilter) -> Result<()> {
    filter_sql(db, filter, &mut String::new(), &mut Vec::new())
}

/// Leads carrying a tag from which walking a sort index and checking each lead is the quicker way to a
/// page (about one lead in fifty of a million).
const COMMON_TAG: i64 = 20_000;

/// Whether at least `COMMON_TAG` deals of the team are in `stage` (counted no further, along its index).
fn stage_is_common(db: &Db<'_>, stage: &str) -> Result<bool> {
    let n: i64 = db
        .conn
        .prepare_cached(
            "SELECT count(*) FROM (SELECT 1 FROM deals WHERE team_id = ?1 AND stage = ?2 AND deleted_at IS NULL LIMIT ?3)",
        )?
        .query_row(params![db.ctx.team_id.as_str(), stage, COMMON_TAG], |r| r.get(0))?;
    Ok(n >= COMMON_TAG)
}

/// Whether at least `COMMON_TAG` leads belong to `owner` (counted no further, along the owner index).
fn owner_is_common(db: &Db<'_>, owner: &UserId) -> Result<bool> {
    let n: i64 = db
        .conn
        .prepare_cached("SELECT count(*) FROM (SELECT 1 FROM leads WHERE owner_id = ?1 LIMIT ?2)")?
        .query_row(params![owner.as_str(), COMMON_TAG], |r| r.get(0))?;
    Ok(n >= COMMON_TAG)
}

/// The tags the team's live leads carry, in order, the first `limit` of them (what a tag filter offers).
/// Each distinct tag is one index seek, so this is instant whatever the number of tagged leads.
pub fn tags_in_use(db: &Db<'_>, limit: usize) -> Result<Vec<String>> {
    let mut stmt = db.conn.prepare_cached(
        "WITH RECURSIVE distinct_tags(tag) AS (
             SELECT min(tag) FROM lead_tags
             UNION ALL
             SELECT (SELECT min(tag) FROM lead_tags WHERE tag > d.tag) FROM distinct_tags d WHERE d.tag IS NOT NULL)
         SELECT tag FROM distinct_tags d WHERE tag IS NOT NULL
           AND EXISTS (SELECT 1 FROM lead_tags g JOIN leads l ON l.id = g.lead_id
                       WHERE g.tag = d.tag AND l.team_id = ?1 AND l.deleted_at IS NULL)
         LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![db.ctx.team_id.as_str(), limit as i64], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An owner filter of `none`: the leads nobody owns (a member named "None" is still found by e-mail).
fn nobody(owner: &str) -> bool {
    owner.trim().eq_ignore_ascii_case("none")
}

/// Whether at least `COMMON_TAG` leads carry `tag` (counted no further).
fn tag_is_common(db: &Db<'_>, tag: &str) -> Result<bool> {
    let n: i64 = db
        .conn
        .prepare_cached("SELECT count(*) FROM (SELECT 1 FROM lead_tags WHERE tag = ?1 LIMIT ?2)")?
        .query_row(params![tag, COMMON_TAG], |r| r.get(0))?;
    Ok(n >= COMMON_TAG)
}

fn filter_sql(db: &Db<'_>, f: &LeadFilter, sql: &mut String, args: &mut Vec<Box<dyn ToSql>>) -> Result<()> {
    if let Some((from, to)) = f.created_within {
        sql.push_str(" AND l.created_at >= ? AND l.created_at < ?");
        args.push(Box::new(from.0));
        args.push(Box::new(to.0));
    }
    if let Some(tag) = &f.tag {
        sql.push_str(" AND l.id IN (SELECT lead_id FROM lead_tags WHERE tag = ?)");
        args.push(Box::new(normalize_tag(tag)?));
    }
    if let Some(stage) = &f.stage {
        let stage = db.ctx.stages.resolve(stage)?;
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM deals d WHERE d.lead_id = l.id AND d.stage = ? AND d.deleted_at IS NULL)",
        );
        args.push(Box::new(stage));
    }
    if let Some(source) = &f.source {
        sql.push_str(" AND lower(l.source) = lower(?)");
        args.push(Box::new(Source::parse(source)?.as_str().to_string()));
    }
    if let Some(owner) = &f.owner {
        if nobody(owner) {
            sql.push_str(" AND l.owner_id IS NULL");
        } else {
            sql.push_str(" AND l.owner_id = ?");
            args.push(Box::new(teams::resolve(db, owner)?.0));
        }
    }
    if let Some(lc) = f.lifecycle {
        sql.push_str(" AND l.lifecycle = ?");
        args.push(Box::new(lc.as_str()));
    }
    if let Some(contactable) = f.contactable {
        sql.push_str(" AND l.do_not_contact = ?");
        args.push(Box::new(!contactable));
    }
    if let Some(text) = f.text.as_deref().filter(|t| !t.trim().is_empty()) {
        match search::fts_query(text) {
            Some(q) => {
                sql.push_str(" AND l.seq IN (SELECT rowid FROM lead_fts WHERE lead_fts MATCH ?)");
                args.push(Box::new(q));
            }
            None => sql.push_str(" AND 0"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::domain::Clock;
    use crate::store::Store;

    /// A store in `dir` on a fixed clock.
    fn open_store(dir: &std::path::Path) -> Store {
        Store::open(&dir.join("t.db"), &Config::defaults(), Clock::Fixed(Timestamp(1_790_000_000_000))).unwrap()
    }

    #[test]
    fn backward_pages_mirror_forward_pages() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = open_store(dir.path());
        store
            .write(|db| {
                for i in 0..25 {
                    let id = create(db, NewLead { first_name: format!("Lead{i:02}"), ..Default::default() })?;
                    // Ties on purpose (the scoring rules own scores; this sets them directly).
                    db.conn.execute(
                        "UPDATE lead_scores SET score = ?2 WHERE seq = (SELECT seq FROM leads WHERE id = ?1)",
                        params![id.as_str(), i64::from(i % 7)],
                    )?;
                }
                Ok(())
            })
            .unwrap();
        let db = store.db();
        for sort in LeadSort::ALL {
            let all = list(&db, &LeadQuery { sort, limit: 100, ..Default::default() }).unwrap();
            let q = LeadQuery { sort, limit: 10, ..Default::default() };
            let last = list_back(&db, &q, None).unwrap();
            assert_eq!(last, all[15..].to_vec(), "{sort:?}");
            let before = list_back(&db, &q, Some(&sort.cursor_of(&last[0]))).unwrap();
            assert_eq!(before, all[5..15].to_vec(), "{sort:?}");
            let first = list_back(&db, &q, Some(&sort.cursor_of(&before[0]))).unwrap();
            assert_eq!(first, all[..5].to_vec(), "{sort:?}");
        }
    }

    #[test]
    fn a_search_ranks_every_namesake_and_an_ambiguous_name_counts_them_all() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = open_store(dir.path());
        let newest = store
            .write(|db| {
                let mut last = None;
                for _ in 0..60 {
                    let new = NewLead { first_name: "Mia".into(), last_name: "Gupta".into(), ..Default::default() };
                    last = Some(create(db, new)?);
                }
                let seq: i64 = db.conn.query_row("SELECT max(seq) FROM leads", [], |r| r.get(0))?;
                db.conn.execute("UPDATE lead_scores SET score = 8 WHERE seq = ?1", [seq])?;
                Ok(last.unwrap())
            })
            .unwrap();
        let db = store.db();
        let found = search::search(&db, "mia gupta", 50).unwrap();
        assert_eq!(found.len(), 50);
        assert_eq!(found[0].id, newest, "the best score first, though the newest of sixty");
        let err = resolve(&db, "Mia Gupta").unwrap_err().to_string();
        assert!(err.contains("and 50 more"), "{err}");
    }

    #[test]
    fn a_whole_address_typed_finds_its_lead_alone() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = open_store(dir.path());
        store
            .write(|db| {
                let lead = |first: &str, email: &str, company: Option<&str>| NewLead {
                    first_name: first.into(),
                    email: Some(email.into()),
                    company: company.map(str::to_string),
                    ..Default::default()
                };
                create(db, lead("Ana", "ana@initech.de", None))?;
                create(db, lead("Bea", "ana.b@initech.de", None))?;
                create(db, lead("Cid", "cid@initech.de", Some("Ana")))?;
                Ok(())
            })
            .unwrap();
        let db = store.db();
        for typed in ["ana@initech.de", " ANA@initech.de "] {
            let filter = LeadFilter { text: Some(typed.into()), ..Default::default() };
            let rows =
                list_matches(&db, &LeadQuery { filter: filter.clone(), limit: 10, ..Default::default() }).unwrap();
            assert_eq!(rows.iter().map(|l| l.first_name.as_str()).collect::<Vec<_>>(), ["Ana"], "{typed}");
            assert_eq!(count_capped(&db, &filter).unwrap(), 1);
            let found = search::search(&db, typed, 10).unwrap();
            assert_eq!(found.iter().map(|l| l.first_name.as_str()).collect::<Vec<_>>(), ["Ana"]);
        }
        // Part of an address still finds every lead it starts.
        let part = LeadFilter { text: Some("ana@initech".into()), ..Default::default() };
        assert_eq!(count_capped(&db, &part).unwrap(), 3);
    }

    #[test]
    fn search_matches_page_newest_first_with_filters_and_a_capped_count() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = open_store(dir.path());
        store
            .write(|db| {
                for i in 0..30 {
                    let first_name = if i % 3 == 0 { format!("Marta{i:02}") } else { format!("Ana{i:02}") };
                    let tags = if i % 2 == 0 { vec!["hot".to_string()] } else { Vec::new() };
                    create(db, NewLead { first_name, tags, ..Default::default() })?;
                }
                Ok(())
            })
            .unwrap();
        let db = store.db();
        let filter = LeadFilter { text: Some("mar".into()), ..Default::default() };
        let q = LeadQuery { filter: filter.clone(), limit: 4, ..Default::default() };
        let first = list_matches(&db, &q).unwrap();
        let names: Vec<_> = first.iter().map(|l| l.first_name.clone()).collect();
        assert_eq!(names, ["Marta27", "Marta24", "Marta21", "Marta18"]);
        let after = LeadQuery { after: Some(LeadSort::Score.cursor_of(&first[3])), ..q.clone() };
        let next: Vec<_> = list_matches(&db, &after).unwrap().iter().map(|l| l.first_name.clone()).collect();
        assert_eq!(next, ["Marta15", "Marta12", "Marta09", "Marta06"]);
        let last: Vec<_> = list_matches_back(&db, &q, None).unwrap().iter().map(|l| l.first_name.clone()).collect();
        assert_eq!(last, ["Marta09", "Marta06", "Marta03", "Marta00"]);
        assert_eq!(count_capped(&db, &filter).unwrap(), 10);
        assert_eq!(count_capped(&db, &filter).unwrap(), count(&db, &filter).unwrap());
        // Other filters narrow the candidates.
        let hot = LeadFilter { tag: Some("hot".into()), ..filter.clone() };
        let rows = list_matches(&db, &LeadQuery { filter: hot.clone(), limit: 100, ..Default::default() }).unwrap();
        assert_eq!(
            rows.iter().map(|l| l.first_name.as_str()).collect::<Vec<_>>(),
            ["Marta24", "Marta18", "Marta12", "Marta06", "Marta00"]
        );
        assert_eq!(count_capped(&db, &hot).unwrap(), 5);
        // Without text it is the ordinary sorted list; punctuation alone matches nothing.
        let plain = LeadQuery { limit: 100, ..Default::default() };
        assert_eq!(list_matches(&db, &plain).unwrap(), list(&db, &plain).unwrap());
        let punct = LeadFilter { text: Some("--".into()), ..Default::default() };
        assert!(
            list_matches(&db, &LeadQuery { filter: punct.clone(), limit: 10, ..Default::default() })
                .unwrap()
                .is_empty()
        );
        assert_eq!(count_capped(&db, &punct).unwrap(), 0);
    }
}
