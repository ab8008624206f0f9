//! A lead's other e-mail addresses: besides the one it is written to (`leads.email`), the ones the person
//! is also known by (a personal address, a previous job's). Each names one lead of the team, as a lead's
//! own e-mail does, so the person is found by any of them. A lead reads its own with its other columns
//! (`leads::Lead::other_emails`).

use rusqlite::{OptionalExtension, params};

use super::{Db, Result, StoreError};
use crate::domain::LeadId;
use crate::domain::lead::{normalize_email, validate_email};

/// The live lead of the team an address is the other e-mail of.
pub fn owner(db: &Db<'_>, email: &str) -> Result<Option<LeadId>> {
    Ok(db
        .conn
        .prepare_cached(
            "SELECT e.lead_id FROM lead_emails e JOIN leads l ON l.id = e.lead_id
             WHERE e.team_id = ?1 AND e.email_key = ?2 AND l.deleted_at IS NULL",
        )?
        .query_row(params![db.ctx.team_id.as_str(), normalize_email(email)], |r| r.get(0))
        .optional()?
        .map(LeadId))
}

/// The live lead of the team that has this address as its own e-mail or as another one.
pub fn lead_with(db: &Db<'_>, email: &str) -> Result<Option<LeadId>> {
    let own: Option<String> = db
        .conn
        .prepare_cached("SELECT id FROM leads WHERE team_id = ?1 AND email_key = ?2 AND deleted_at IS NULL")?
        .query_row(params![db.ctx.team_id.as_str(), normalize_email(email)], |r| r.get(0))
        .optional()?;
    match own {
        Some(id) => Ok(Some(LeadId(id))),
        None => owner(db, email),
    }
}

/// What adding an address did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    Added,
    /// The lead already has it (as its own e-mail or another one).
    AlreadyTheirs,
    /// Another lead has it: nothing was written.
    Taken,
}

/// Adds an address to a lead's other e-mails, unless the lead has it already or another lead has it.
/// The address is checked as any e-mail a lead is given.
pub fn add(db: &Db<'_>, lead: &LeadId, email: &str) -> Result<Added> {
    let email = validate_email("other_emails", email)?;
    match lead_with(db, &email)? {
        Some(id) if id == *lead => return Ok(Added::AlreadyTheirs),
        Some(_) => return Ok(Added::Taken),
        None => {}
    }
    // A removed lead's old row gives way (its addresses left with it).
    db.conn
        .prepare_cached(
            "INSERT OR REPLACE INTO lead_emails (team_id, email_key, lead_id, email, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![db.ctx.team_id.as_str(), normalize_email(&email), lead.as_str(), email, db.now.0])?;
    Ok(Added::Added)
}

/// Adds an address the caller knows no other lead has (an import looks it up in its own keys): a removed
/// lead's old row gives way, a live one's stays.
pub fn add_unchecked(db: &Db<'_>, lead: &LeadId, email: &str) -> Result<()> {
    db.conn
        .prepare_cached(
            "INSERT INTO lead_emails (team_id, email_key, lead_id, email, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (team_id, email_key) DO UPDATE SET lead_id = excluded.lead_id, email = excluded.email,
               created_at = excluded.created_at
             WHERE NOT EXISTS (SELECT 1 FROM leads l WHERE l.id = lead_emails.lead_id AND l.deleted_at IS NULL)",
        )?
        .execute(params![db.ctx.team_id.as_str(), normalize_email(email), lead.as_str(), email.trim(), db.now.0])?;
    Ok(())
}

/// `add`, where another lead holding the address is an error that names it.
pub fn add_checked(db: &Db<'_>, lead: &LeadId, email: &str) -> Result<Added> {
    super::forgotten::refuse(db, email)?;
    let added = add(db, lead, email)?;
    if added == Added::Taken
        && let Some(other) = lead_with(db, email)?
    {
        let other = super::leads::get(db, &other)?;
        return Err(StoreError::DuplicateEmail {
            email: email.trim().to_string(),
            existing: format!("{} ({})", other.name(), other.id),
        });
    }
    Ok(added)
}

/// Takes an address off a lead's other e-mails; whether it was one of them.
pub fn remove(db: &Db<'_>, lead: &LeadId, email: &str) -> Result<bool> {
    let gone = db
        .conn
        .prepare_cached("DELETE FROM lead_emails WHERE team_id = ?1 AND email_key = ?2 AND lead_id = ?3")?
        .execute(params![db.ctx.team_id.as_str(), normalize_email(email), lead.as_str()])?;
    Ok(gone > 0)
}

/// A merge: the other e-mails of `from` become `to`'s.
pub fn move_all(db: &Db<'_>, from: &LeadId, to: &LeadId) -> Result<()> {
    db.conn
        .prepare_cached("UPDATE lead_emails SET lead_id = ?2 WHERE lead_id = ?1")?
        .execute(params![from.as_str(), to.as_str()])?;
    Ok(())
}

/// The lead is removed or its personal data erased: its other e-mails go.
pub fn drop_all(db: &Db<'_>, lead: &LeadId) -> Result<()> {
    db.conn.prepare_cached("DELETE FROM lead_emails WHERE lead_id = ?1")?.execute([lead.as_str()])?;
    Ok(())
}
