//! Leads: create, read, edit, remove, resolve a reference, and the one list query with filters and keyset pages.

mod list;
mod privacy_log;
mod resolve;

pub use list::*;
pub use privacy_log::*;
pub use resolve::*;

use rusqlite::{OptionalExtension, Row, ToSql, params, params_from_iter};
use serde::Serialize;

use super::{Change, Db, Result, StoreError, accounts, contact, non_empty, search, teams};
use crate::domain::lead::{check_label, normalize_email, normalize_tag, require_text, validate_email, validate_phone};
use crate::domain::text::{drop_invisible, fold, name_key};
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
pub fn create(db: &Db<'_>, mut new: NewLead) -> Result<LeadId> {
    drop_invisible(&mut new.first_name);
    drop_invisible(&mut new.last_name);
    for label in [&mut new.company, &mut new.title, &mut new.industry, &mut new.company_size, &mut new.product_interest]
    {
        label.iter_mut().for_each(drop_invisible);
    }
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

/// Whether the team has a lead of that id, not removed: `find` without reading the lead.
pub fn is_live(db: &Db<'_>, id: &LeadId) -> Result<bool> {
    Ok(db
        .conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM leads WHERE id = ?1 AND team_id = ?2 AND deleted_at IS NULL)")?
        .query_row(params![id.as_str(), db.ctx.team_id.as_str()], |r| r.get(0))?)
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
pub fn update(db: &Db<'_>, id: &LeadId, mut patch: LeadPatch) -> Result<Lead> {
    for label in [
        &mut patch.first_name,
        &mut patch.last_name,
        &mut patch.company,
        &mut patch.title,
        &mut patch.industry,
        &mut patch.company_size,
        &mut patch.product_interest,
    ] {
        label.iter_mut().for_each(drop_invisible);
    }
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
    let (phone_before, profile_before) = (lead.phone.clone(), lead.profile_url.clone());
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
    let lost_email = email_before.filter(|old| {
        email_given && lead.email.as_deref().is_none_or(|new| normalize_email(new) != normalize_email(old))
    });
    // The same number written otherwise is not one lost.
    let key = |p: &str| crate::domain::phone_keys::phone_key(p, db.ctx.country.as_deref());
    let lost_phone = phone_before.filter(|old| lead.phone.as_deref().is_none_or(|new| key(new) != key(old)));
    let lost_profile = profile_before.filter(|old| lead.profile_url.as_ref() != Some(old));
    let lost_emails: Vec<&String> = lost_email.iter().chain(&patch.remove_emails).collect();
    keep_lost_contacts(db, id, &lost_emails, lost_phone.as_deref(), lost_profile.as_deref())?;
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

/// What an edit took from a lead (an e-mail replaced or cleared, another one taken off, a number or a
/// profile changed), kept for `forget` (`forgotten::keep_former`); not a profile that is no member's own page.
fn keep_lost_contacts(
    db: &Db<'_>,
    id: &LeadId,
    emails: &[&String],
    phone: Option<&str>,
    profile: Option<&str>,
) -> Result<()> {
    use super::forgotten::{Former, keep_former};
    for e in emails {
        keep_former(db, id, Former::Email, e)?;
    }
    if let Some(p) = phone {
        keep_former(db, id, Former::Phone, p)?;
    }
    if let Some(p) = profile.filter(|p| crate::domain::lead::is_member_page(p)) {
        keep_former(db, id, Former::Profile, p)?;
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
