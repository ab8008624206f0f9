//! The inbox: inbound messages and system notices that need a rep's attention.
//! Connectors file messages here too, with `connector` + `external_id` so none arrives twice.

use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use super::{Db, Result, StoreError, leads::Lead};
use crate::domain::{EventId, InboxId, LeadId, OutreachId, OutreachKind, Timestamp, UserId};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InboxItem {
    pub id: InboxId,
    pub kind: String,
    pub lead_id: Option<String>,
    pub lead_name: Option<String>,
    pub channel: Option<OutreachKind>,
    pub outreach_id: Option<String>,
    pub connector: Option<String>,
    pub title: String,
    pub body: String,
    pub received_at: Timestamp,
    pub read_at: Option<Timestamp>,
    pub handled_at: Option<Timestamp>,
    pub assigned_to: Option<String>,
}

const INBOX_COLUMNS: &str = "i.id, i.kind, i.lead_id, trim(l.first_name || ' ' || l.last_name), i.channel,
    i.outreach_id, i.connector, i.title, i.body, i.received_at, i.read_at, i.handled_at, i.assigned_to";

fn from_row(r: &Row<'_>) -> rusqlite::Result<InboxItem> {
    Ok(InboxItem {
        id: InboxId(r.get(0)?),
        kind: r.get(1)?,
        lead_id: r.get(2)?,
        lead_name: r.get(3)?,
        channel: r.get::<_, Option<i64>>(4)?.and_then(OutreachKind::from_code),
        outreach_id: r.get(5)?,
        connector: r.get(6)?,
        title: r.get(7)?,
        body: r.get(8)?,
        received_at: Timestamp(r.get(9)?),
        read_at: r.get::<_, Option<i64>>(10)?.map(Timestamp),
        handled_at: r.get::<_, Option<i64>>(11)?.map(Timestamp),
        assigned_to: r.get(12)?,
    })
}

/// Files an inbound outreach (a reply) as a message needing attention.
pub fn file_inbound(
    db: &Db<'_>,
    lead: &Lead,
    outreach: &OutreachId,
    kind: OutreachKind,
    body: &str,
    at: Timestamp,
) -> Result<InboxId> {
    let id = InboxId::generate();
    db.conn
        .prepare_cached(
            "INSERT INTO inbox_items (id, team_id, lead_id, kind, channel, outreach_id, title, body, received_at,
             created_at, updated_at) VALUES (?1, ?2, ?3, 'message', ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        )?
        .execute(params![
            id.as_str(),
            db.ctx.team_id.as_str(),
            lead.id.as_str(),
            kind.code(),
            outreach.as_str(),
            format!("{} replied by {}", lead.name(), kind.as_str()),
            body,
            at.0,
            db.now.0,
        ])?;
    Ok(id)
}

/// Files a system notice (e.g. a lead acquired), optionally tied to an event and a lead.
pub fn add_notice(
    db: &Db<'_>,
    lead: Option<&LeadId>,
    event: Option<&EventId>,
    title: &str,
    body: &str,
) -> Result<InboxId> {
    let id = InboxId::generate();
    db.conn.execute(
        "INSERT INTO inbox_items (id, team_id, lead_id, kind, event_id, title, body, received_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'notice', ?4, ?5, ?6, ?7, ?7, ?7)",
        params![
            id.as_str(),
            db.ctx.team_id.as_str(),
            lead.map(LeadId::as_str),
            event.map(EventId::as_str),
            title,
            body,
            db.now.0
        ],
    )?;
    Ok(id)
}

/// Inbox items, newest first; unhandled only unless `include_handled`.
pub fn list(db: &Db<'_>, include_handled: bool, limit: usize) -> Result<Vec<InboxItem>> {
    let sql = format!(
        "SELECT {INBOX_COLUMNS} FROM inbox_items i LEFT JOIN leads l ON l.id = i.lead_id
         WHERE i.team_id = ?1 AND i.deleted_at IS NULL AND (?2 OR i.handled_at IS NULL)
         ORDER BY i.received_at DESC, i.id DESC LIMIT ?3"
    );
    let mut stmt = db.conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![db.ctx.team_id.as_str(), include_handled, limit as i64], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(db: &Db<'_>, id: &InboxId) -> Result<InboxItem> {
    let sql = format!(
        "SELECT {INBOX_COLUMNS} FROM inbox_items i LEFT JOIN leads l ON l.id = i.lead_id
         WHERE i.id = ?1 AND i.team_id = ?2 AND i.deleted_at IS NULL"
    );
    db.conn
        .prepare_cached(&sql)?
        .query_row(params![id.as_str(), db.ctx.team_id.as_str()], from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "inbox item", reference: id.to_string() })
}

pub fn mark_read(db: &Db<'_>, id: &InboxId) -> Result<()> {
    get(db, id)?;
    db.conn.execute(
        "UPDATE inbox_items SET read_at = ifnull(read_at, ?2), updated_at = ?2 WHERE id = ?1",
        params![id.as_str(), db.now.0],
    )?;
    Ok(())
}

/// Marks an item handled (and read); `false` puts it back in the queue.
pub fn set_handled(db: &Db<'_>, id: &InboxId, handled: bool) -> Result<()> {
    get(db, id)?;
    db.conn.execute(
        "UPDATE inbox_items SET handled_at = ?2, read_at = ifnull(read_at, ?3), updated_at = ?3 WHERE id = ?1",
        params![id.as_str(), handled.then_some(db.now.0), db.now.0],
    )?;
    Ok(())
}

pub fn assign(db: &Db<'_>, id: &InboxId, user: &UserId) -> Result<()> {
    get(db, id)?;
    db.conn.execute(
        "UPDATE inbox_items SET assigned_to = ?2, updated_at = ?3 WHERE id = ?1",
        params![id.as_str(), user.as_str(), db.now.0],
    )?;
    Ok(())
}

/// (unread, unhandled) counts for status lines.
pub fn counts(db: &Db<'_>) -> Result<(i64, i64)> {
    Ok(db
        .conn
        .prepare_cached(
            "SELECT count(*) FILTER (WHERE read_at IS NULL), count(*) FROM inbox_items
         WHERE team_id = ?1 AND deleted_at IS NULL AND handled_at IS NULL",
        )?
        .query_row([db.ctx.team_id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?)
}
