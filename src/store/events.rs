//! The events outbox: domain events (LeadAcquired, ...) written in the same transaction as the change
//! that caused them, for connectors to deliver later. A dedupe key makes writing one twice a no-op.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Db, Result};
use crate::domain::{EventId, Timestamp};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Event {
    pub id: EventId,
    pub kind: String,
    pub subject_id: Option<String>,
    pub payload: serde_json::Value,
    pub created_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// Writes an event unless one with the same dedupe key exists; returns its id and whether it is new.
/// `reaches_lead`: a connector may deliver it as a message to the lead (`withdraw_for` takes it back when
/// they opt out before it goes).
pub fn record(
    db: &Db<'_>,
    kind: &str,
    subject: Option<&str>,
    payload: &serde_json::Value,
    dedupe_key: Option<&str>,
    reaches_lead: bool,
) -> Result<(EventId, bool)> {
    if let Some(key) = dedupe_key {
        let existing: Option<String> = db
            .conn
            .prepare_cached("SELECT id FROM events WHERE dedupe_key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?;
        if let Some(id) = existing {
            return Ok((EventId(id), false));
        }
    }
    let id = EventId::generate();
    db.conn.execute(
        "INSERT INTO events (id, team_id, kind, subject_id, payload, dedupe_key, created_at, reaches_lead)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id.as_str(),
            db.ctx.team_id.as_str(),
            kind,
            subject,
            payload.to_string(),
            dedupe_key,
            db.now.0,
            reaches_lead
        ],
    )?;
    Ok((id, true))
}

/// Withdraws the events still waiting to go out that may reach the lead as a message: they opted out since
/// they were written. Their payload says so too. Returns how many.
pub fn withdraw_for(db: &Db<'_>, lead: &crate::domain::LeadId) -> Result<usize> {
    Ok(db.conn.execute(
        &format!(
            "UPDATE events SET withdrawn_at = ?3, last_error = 'withdrawn: the lead opted out',
             payload = json_set(payload, '$.lead.do_not_contact', json('true'))
             WHERE {PENDING_OF_LEAD} AND reaches_lead"
        ),
        params![db.ctx.team_id.as_str(), lead.as_str(), db.now.0],
    )?)
}

/// The events of team `?1` still to go out whose payload names lead `?2`: written with the very expression
/// and conditions of the index of pending events by lead (migration 042), so that it reads that index.
pub(crate) const PENDING_OF_LEAD: &str = "team_id = ?1 AND delivered_at IS NULL AND withdrawn_at IS NULL
    AND (CASE WHEN json_valid(payload) THEN json_extract(payload, '$.lead.id') END) = ?2";

/// Withdraws the events still waiting to go out that a touch now taken back made: those about the touch
/// itself (a reply), and those of `rules` (the rules that hold only for a deal that came from a touch, such
/// as a lead acquired) about a deal that came from it; with the inbox notices that announced them. Other
/// events of such a deal (won, lost) stand. Returns how many.
pub fn withdraw_made_by_touch(
    db: &Db<'_>,
    lead: &crate::domain::LeadId,
    touch: &crate::domain::OutreachId,
    rules: &[&str],
) -> Result<usize> {
    let pending = "team_id = ?1 AND delivered_at IS NULL AND withdrawn_at IS NULL";
    let mut made: Vec<String> = db
        .conn
        .prepare_cached(&format!("SELECT id FROM events WHERE {pending} AND subject_id = ?2"))?
        .query_map(params![db.ctx.team_id.as_str(), touch.as_str()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    // A rule's events are keyed `rule:subject[:action]` (`automation::actions::dedupe_key`); those of the
    // touch's lead are read, not every rule's event still to go out.
    let mut of_rule = db.conn.prepare_cached(&format!(
        "SELECT id FROM events WHERE {PENDING_OF_LEAD} AND dedupe_key > ?4 || ':' AND dedupe_key < ?4 || ';'
         AND json_extract(payload, '$.outreach.id') = ?3"
    ))?;
    for rule in rules {
        let found =
            of_rule.query_map(params![db.ctx.team_id.as_str(), lead.as_str(), touch.as_str(), rule], |r| r.get(0))?;
        made.extend(found.collect::<rusqlite::Result<Vec<String>>>()?);
    }
    for id in &made {
        db.conn
            .prepare_cached(
                "UPDATE inbox_items SET deleted_at = ?2, updated_at = ?2 WHERE event_id = ?1 AND deleted_at IS NULL",
            )?
            .execute(params![id, db.now.0])?;
        db.conn
            .prepare_cached(
                "UPDATE events SET withdrawn_at = ?2, last_error = 'withdrawn: the touch that made it was taken back'
                 WHERE id = ?1",
            )?
            .execute(params![id, db.now.0])?;
    }
    Ok(made.len())
}

/// Events not delivered yet, oldest first.
pub fn pending(db: &Db<'_>, limit: usize) -> Result<Vec<Event>> {
    let mut stmt = db.conn.prepare_cached(
        "SELECT id, kind, subject_id, payload, created_at, delivered_at, attempts, last_error FROM events
         WHERE team_id = ?1 AND delivered_at IS NULL AND withdrawn_at IS NULL ORDER BY created_at, id LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![db.ctx.team_id.as_str(), limit as i64], |r| {
        let payload: String = r.get(3)?;
        Ok(Event {
            id: EventId(r.get(0)?),
            kind: r.get(1)?,
            subject_id: r.get(2)?,
            payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
            created_at: Timestamp(r.get(4)?),
            delivered_at: r.get::<_, Option<i64>>(5)?.map(Timestamp),
            attempts: r.get(6)?,
            last_error: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An opt-out, a merge and a touch taken back look a lead's pending events up by index, whatever else is
    /// pending (a team's events wait for years when nothing delivers them).
    #[test]
    fn a_leads_pending_events_are_found_by_index() {
        let plan =
            crate::store::query_plan(&format!("SELECT id FROM events WHERE {PENDING_OF_LEAD}"), ["team", "lead"]);
        assert!(plan.iter().any(|p| p.contains("USING INDEX events_pending_by_lead")), "{plan:?}");
    }
}
