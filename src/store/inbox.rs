//! The inbox: inbound messages and system notices that need a rep's attention.
//! Connectors file messages here too, with `connector` + `external_id` so none arrives twice.

use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use super::leads::{Lead, lead_name_sql};
use super::{Db, Result, StoreError};
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
    /// The name of the member it is assigned to.
    pub assignee: Option<String>,
    /// Whether the lead must not be contacted (opted out or forgotten), so a reply can say so first.
    pub lead_do_not_contact: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const INBOX_COLUMNS: &str = concat!(
    "i.id, i.kind, i.lead_id, ",
    lead_name_sql!("l"),
    ", i.channel, i.outreach_id, i.connector, i.title, i.body, i.received_at, i.read_at, i.handled_at,
    i.assigned_to, ifnull(l.do_not_contact, 0), i.created_at, i.updated_at,
    (SELECT u.name FROM users u WHERE u.id = i.assigned_to)"
);

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
        lead_do_not_contact: r.get(13)?,
        created_at: Timestamp(r.get(14)?),
        updated_at: Timestamp(r.get(15)?),
        assignee: r.get(16)?,
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

/// Every inbox item of the team that is not removed, nor about a removed lead or reply, oldest first (an export);
/// with `since`, those received or changed since then.
pub fn all(db: &Db<'_>, since: Option<Timestamp>) -> Result<Vec<InboxItem>> {
    let mut stmt = db.conn.prepare_cached(&format!(
        "SELECT {INBOX_COLUMNS} FROM inbox_items i LEFT JOIN leads l ON l.id = i.lead_id
         WHERE i.team_id = ?1 AND i.deleted_at IS NULL AND (i.lead_id IS NULL OR l.deleted_at IS NULL)
           AND (i.outreach_id IS NULL
                OR EXISTS (SELECT 1 FROM outreach o WHERE o.id = i.outreach_id AND o.deleted_at IS NULL))
           AND (?2 IS NULL OR i.updated_at >= ?2 OR i.received_at >= ?2)
         ORDER BY i.received_at, i.id"
    ))?;
    let rows = stmt.query_map(params![db.ctx.team_id.as_str(), since.map(|s| s.0)], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
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

/// Ties a notice to the touch it was made for: taking the touch back takes the notice too.
pub fn tie_to_touch(db: &Db<'_>, notice: &InboxId, touch: &OutreachId) -> Result<()> {
    db.conn
        .prepare_cached("UPDATE inbox_items SET outreach_id = ?2 WHERE id = ?1")?
        .execute(params![notice.as_str(), touch.as_str()])?;
    Ok(())
}

/// Answers an inbox message: logs outbound outreach on the item's channel — to the address the
/// message came from unless `value` names another — and marks the item handled, with the person's other
/// messages from that same address (platform, account) that came before the answer: one answer is to the
/// whole conversation, not to what they wrote elsewhere. Sending through a
/// connector comes later; this records that the rep replied.
pub fn reply(
    db: &Db<'_>,
    id: &InboxId,
    value: Option<String>,
    note: Option<String>,
    at: Option<Timestamp>,
) -> Result<OutreachId> {
    let item = get(db, id)?;
    let (Some(lead), Some(kind)) = (item.lead_id.clone(), item.channel) else {
        return Err(StoreError::Refused(format!("'{}' is a notice with no channel to reply on", item.title)));
    };
    let answered = item.outreach_id.as_ref().and_then(|o| super::outreach::get(db, &OutreachId(o.clone())).ok());
    let from = answered.map(|o| o.value);
    let value = super::non_empty(value).or_else(|| from.clone());
    let mut new = super::outreach::NewOutreach::new(LeadId(lead.clone()), kind);
    new.value = value;
    new.description = note;
    new.occurred_at = at;
    let out = super::outreach::log(db, new)?;
    set_handled(db, id, true)?;
    let Some(from) = from else { return Ok(out) };
    let answered_until = at.unwrap_or(db.now).max(item.received_at);
    db.conn
        .prepare_cached(
            "UPDATE inbox_items SET handled_at = ?4, read_at = ifnull(read_at, ?4), updated_at = ?4
             WHERE team_id = ?1 AND lead_id = ?2 AND channel = ?3 AND kind = 'message' AND received_at <= ?5
             AND handled_at IS NULL AND deleted_at IS NULL
             AND outreach_id IN (SELECT id FROM outreach WHERE lead_id = ?2 AND kind = ?3 AND value = ?6)",
        )?
        .execute(params![db.ctx.team_id.as_str(), lead, kind.code(), db.now.0, answered_until.0, from])?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::domain::{Clock, Direction};
    use crate::store::leads::{self, NewLead};
    use crate::store::outreach::{self, NewOutreach};
    use crate::store::{Store, timeline};

    #[test]
    fn reply_goes_out_on_the_same_channel_and_address() {
        let dir = tempfile::tempdir().unwrap();
        let now = Timestamp(1_790_000_000_000);
        let mut store = Store::open(&dir.path().join("t.db"), &Config::defaults(), Clock::Fixed(now)).unwrap();
        let (lead, item) = store
            .write(|db| {
                let lead = leads::create(db, NewLead { first_name: "Ana".into(), ..Default::default() })?;
                let mut inbound = NewOutreach::new(lead.clone(), OutreachKind::Platform);
                inbound.value = Some("Upwork".into());
                inbound.direction = Direction::Inbound;
                inbound.description = Some("Are you available?".into());
                outreach::log(db, inbound)?;
                Ok((lead, list(db, false, 10)?.remove(0).id))
            })
            .unwrap();
        store.write(|db| reply(db, &item, None, Some("Yes, tomorrow".into()), None)).unwrap();
        let db = store.db();
        assert!(get(&db, &item).unwrap().handled_at.is_some());
        let entries = timeline::for_lead(&db, &lead).unwrap();
        let sent = entries
            .iter()
            .find_map(|e| match e {
                timeline::Entry::Outreach(o) if o.direction == Direction::Outbound => Some(o.clone()),
                _ => None,
            })
            .unwrap();
        assert_eq!((sent.kind, sent.value.as_str()), (OutreachKind::Platform, "Upwork"));
        drop(db);
        let notice = store.write(|db| add_notice(db, Some(&lead), None, "Lead acquired", "")).unwrap();
        let err = store.write(|db| reply(db, &notice, None, None, None)).unwrap_err();
        assert!(err.to_string().contains("no channel"), "{err}");
    }

    /// Two messages by e-mail, one on Upwork, one on Fiverr, one from another address: answering either
    /// e-mail from the first address answers both, and only them.
    #[test]
    fn an_answer_is_to_the_whole_conversation_on_its_channel() {
        let dir = tempfile::tempdir().unwrap();
        let now = Timestamp(1_790_000_000_000);
        let mut store = Store::open(&dir.path().join("t.db"), &Config::defaults(), Clock::Fixed(now)).unwrap();
        let items = store
            .write(|db| {
                let lead = leads::create(
                    db,
                    NewLead { first_name: "Ana".into(), email: Some("ana@x.io".into()), ..Default::default() },
                )?;
                for (kind, value, hours) in [
                    (OutreachKind::Email, "ana@x.io", -5),
                    (OutreachKind::Platform, "Upwork", -4),
                    (OutreachKind::Platform, "Fiverr", -3),
                    (OutreachKind::Email, "ana@home.es", -2),
                    (OutreachKind::Email, "ana@x.io", -1),
                ] {
                    let mut inbound = NewOutreach::new(lead.clone(), kind);
                    inbound.value = Some(value.into());
                    inbound.direction = Direction::Inbound;
                    inbound.occurred_at = Some(now.plus_hours(hours));
                    outreach::log(db, inbound)?;
                }
                list(db, false, 10)
            })
            .unwrap();
        let oldest_email = items.last().unwrap().id.clone();
        let upwork = items[3].id.clone();
        store.write(|db| reply(db, &oldest_email, None, Some("Yes".into()), None)).unwrap();
        store.write(|db| reply(db, &upwork, None, Some("Yes".into()), None)).unwrap();
        let db = store.db();
        // Newest first: ana@x.io, ana@home.es, Fiverr, Upwork, ana@x.io.
        let handled: Vec<bool> = items.iter().map(|i| get(&db, &i.id).unwrap().handled_at.is_some()).collect();
        assert_eq!(handled, [true, false, false, true, true]);
    }
}
