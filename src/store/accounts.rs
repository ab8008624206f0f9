//! Accounts (companies): leads are grouped under them by name.

use rusqlite::{OptionalExtension, params};

use super::{Db, Result};
use crate::domain::AccountId;
use crate::domain::text::fold;

/// The account with this name (case, accents and spacing aside: `domain::text::fold`) in the team, the
/// oldest if there are several, created if it does not exist yet. A new account gets the industry and size in
/// its insert; an existing one has them filled where empty.
pub fn find_or_create(db: &Db<'_>, name: &str, industry: Option<&str>, size: Option<&str>) -> Result<AccountId> {
    let name = name.trim();
    let key = fold(name);
    let existing: Option<String> = db
        .conn
        .prepare_cached(
            "SELECT id FROM accounts WHERE team_id = ?1 AND name_key = ?2 AND deleted_at IS NULL
             ORDER BY created_at LIMIT 1",
        )?
        .query_row(params![db.ctx.team_id.as_str(), key], |r| r.get(0))
        .optional()?;
    if let Some(id) = existing {
        let id = AccountId(id);
        if industry.is_some() || size.is_some() {
            fill_profile(db, &id, industry, size)?;
        }
        return Ok(id);
    }
    let id = AccountId::generate();
    db.conn
        .prepare_cached(
            "INSERT INTO accounts (id, team_id, name, industry, company_size, created_at, updated_at, name_key)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
        )?
        .execute(params![id.as_str(), db.ctx.team_id.as_str(), name, industry, size, db.now.0, key])?;
    Ok(id)
}

/// Fills the account's industry and size where they are still empty (never overwrites).
pub fn fill_profile(db: &Db<'_>, id: &AccountId, industry: Option<&str>, size: Option<&str>) -> Result<()> {
    db.conn
        .prepare_cached(
            "UPDATE accounts SET industry = coalesce(industry, ?2), company_size = coalesce(company_size, ?3),
             updated_at = ?4 WHERE id = ?1",
        )?
        .execute(params![id.as_str(), industry, size, db.now.0])?;
    Ok(())
}

/// Removes a company no lead (live or removed) and no deal is at any more, name and all: nothing shows it, and
/// its name may have been a person's own (a freelancer's) that a later erasure could no longer find.
pub fn drop_if_unused(db: &Db<'_>, id: &str) -> Result<()> {
    db.conn
        .prepare_cached(
            "UPDATE accounts SET name = ?3 || id, name_key = NULL, domain = NULL, industry = NULL, company_size = NULL,
             deleted_at = ?2, updated_at = ?2
             WHERE id = ?1 AND deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM leads WHERE account_id = ?1)
             AND NOT EXISTS (SELECT 1 FROM deals WHERE account_id = ?1)",
        )?
        .execute(params![id, db.now.0, format!("{} ", crate::domain::lead::ERASED)])?;
    Ok(())
}
