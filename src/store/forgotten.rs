//! The addresses of people who asked to be forgotten, kept only as hashes: a file or a command that names
//! one of them again is refused, so an erased person is not quietly brought back by the next import of
//! another CRM's export. `leadline privacy allow` lifts it for someone who came back of their own accord.

use std::collections::HashSet;

use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::{Db, Result, StoreError};
use crate::domain::lead::normalize_email;
use crate::domain::{LeadId, Timestamp};

/// The one-way hash an address is remembered by (its normalised form, so `Ana@X.es` is `ana@x.es`).
pub fn address_hash(email: &str) -> String {
    let digest = Sha256::digest(format!("leadline forgotten address\n{}", normalize_email(email)).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Remembers the addresses of a person being forgotten (`lead`, the row that stays for the counts).
pub fn remember(db: &Db<'_>, lead: &LeadId, emails: &[String]) -> Result<()> {
    let hashes: Vec<String> = emails.iter().filter(|e| !e.trim().is_empty()).map(|e| address_hash(e)).collect();
    remember_hashes(db, lead, &hashes, db.now)
}

/// Remembers hashes as they are (a forgotten lead's, coming with it from a moved database).
pub fn remember_hashes(db: &Db<'_>, lead: &LeadId, hashes: &[String], at: Timestamp) -> Result<()> {
    let mut insert = db.conn.prepare_cached(
        "INSERT INTO forgotten_addresses (team_id, address_hash, lead_id, forgotten_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (team_id, address_hash) DO UPDATE SET lead_id = excluded.lead_id,
           forgotten_at = excluded.forgotten_at",
    )?;
    for h in hashes {
        insert.execute(params![db.ctx.team_id.as_str(), h, lead.as_str(), at.0])?;
    }
    Ok(())
}

/// Whether a text is a hash as `address_hash` writes it (a file's claim is checked before it is kept).
pub fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The hashes remembered for a forgotten lead (what its JSON export carries).
pub fn hashes_of(db: &Db<'_>, lead: &LeadId) -> Result<Vec<String>> {
    let mut stmt = db.conn.prepare_cached(
        "SELECT address_hash FROM forgotten_addresses WHERE team_id = ?1 AND lead_id = ?2 ORDER BY address_hash",
    )?;
    let rows = stmt.query_map(params![db.ctx.team_id.as_str(), lead.as_str()], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The first address in some texts (the cells of a rejected row) that is a forgotten person's.
pub fn named_forgotten(hashes: &HashSet<String>, texts: &[String]) -> Option<String> {
    if hashes.is_empty() {
        return None;
    }
    let separator = |c: char| c.is_whitespace() || matches!(c, ',' | ';' | '<' | '>' | '"' | '\'' | '(' | ')' | ':');
    texts
        .iter()
        .flat_map(|t| t.split(separator))
        .find(|t| t.contains('@') && hashes.contains(&address_hash(t)))
        .map(str::to_string)
}

/// When the person with this address was forgotten, if they were.
pub fn forgotten_at(db: &Db<'_>, email: &str) -> Result<Option<Timestamp>> {
    Ok(db
        .conn
        .prepare_cached("SELECT forgotten_at FROM forgotten_addresses WHERE team_id = ?1 AND address_hash = ?2")?
        .query_row(params![db.ctx.team_id.as_str(), address_hash(email)], |r| r.get(0))
        .optional()?
        .map(Timestamp))
}

/// Every remembered hash of the team (an import checks its rows against them; most teams have none).
pub fn hashes(db: &Db<'_>) -> Result<HashSet<String>> {
    let mut stmt = db.conn.prepare_cached("SELECT address_hash FROM forgotten_addresses WHERE team_id = ?1")?;
    let rows = stmt.query_map([db.ctx.team_id.as_str()], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Why an address is not taken: its person asked to be forgotten. `address`: the address, when saying it
/// keeps nothing of the person (a command's answer; an import's reasons are stored, so they do not name it).
pub fn refusal(address: Option<&str>, at: Timestamp, db: &Db<'_>) -> String {
    let (subject, allow) = match address {
        Some(a) => (a.trim().to_string(), a.trim().to_string()),
        None => ("the e-mail".to_string(), "ADDRESS".to_string()),
    };
    format!(
        "{subject} belongs to someone who asked to be forgotten ({}); if they came back of their own accord, \
         `leadline privacy allow {allow}` lets the address in again",
        at.local(db.ctx.tz)
    )
}

/// Refuses an address of a forgotten person.
pub fn refuse(db: &Db<'_>, email: &str) -> Result<()> {
    match forgotten_at(db, email)? {
        Some(at) => Err(StoreError::Refused(refusal(Some(email), at, db))),
        None => Ok(()),
    }
}

/// Lets a forgotten person's address in again; whether it was remembered.
pub fn allow(db: &Db<'_>, email: &str) -> Result<bool> {
    let email = crate::domain::lead::validate_email("email", email)?;
    Ok(db
        .conn
        .prepare_cached("DELETE FROM forgotten_addresses WHERE team_id = ?1 AND address_hash = ?2")?
        .execute(params![db.ctx.team_id.as_str(), address_hash(&email)])?
        > 0)
}
