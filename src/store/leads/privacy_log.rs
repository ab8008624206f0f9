//! The privacy log: opt-outs, opt-ins and erasures, when and why (no personal data in the log itself).

use super::*;

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
