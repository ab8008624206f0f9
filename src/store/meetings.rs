//! Meetings: scheduling, and marking attended (a contact) or no-show (with a reason).

use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use super::{Change, Db, Result, StoreError, contact, deals, leads, non_empty};
use crate::domain::{Attendance, DealId, LeadId, MeetingId, Timestamp, ValidationError};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Meeting {
    pub id: MeetingId,
    pub lead_id: LeadId,
    pub deal_id: Option<String>,
    pub title: Option<String>,
    pub scheduled_at: Timestamp,
    pub attended: Option<bool>,
    pub status: Attendance,
    pub no_show_reason: Option<String>,
    pub created_at: Timestamp,
    /// Who booked it.
    pub user_id: Option<String>,
    pub updated_at: Timestamp,
    /// The calendar event it came from (its UID, and the instance of a recurring one), so importing the
    /// calendar again moves or cancels it, here or in a database it was moved to.
    pub calendar_key: Option<String>,
}

pub(crate) const MEETING_COLUMNS: &str = "id, lead_id, deal_id, title, scheduled_at, attended, no_show_reason, created_at, user_id, updated_at, calendar_key";

pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<Meeting> {
    let attended: Option<bool> = r.get(5)?;
    Ok(Meeting {
        id: MeetingId(r.get(0)?),
        lead_id: LeadId(r.get(1)?),
        deal_id: r.get(2)?,
        title: r.get(3)?,
        scheduled_at: Timestamp(r.get(4)?),
        attended,
        status: Attendance::from_db(attended),
        no_show_reason: r.get(6)?,
        created_at: Timestamp(r.get(7)?),
        user_id: r.get(8)?,
        updated_at: Timestamp(r.get(9)?),
        calendar_key: r.get(10)?,
    })
}

pub fn schedule(
    db: &Db<'_>,
    lead: &LeadId,
    at: Timestamp,
    deal: Option<&DealId>,
    title: Option<String>,
) -> Result<MeetingId> {
    leads::get_to_add(db, lead, "meeting")?;
    if let Some(t) = &title {
        crate::domain::lead::check_one_line("title", t)?;
    }
    if let Some(d) = deal {
        let deal = deals::get(db, d)?;
        if deal.lead_id != *lead {
            return Err(StoreError::Refused(format!("deal {} belongs to another lead", deal.id)));
        }
    }
    let id = MeetingId::generate();
    db.conn.execute(
        "INSERT INTO meetings (id, team_id, user_id, lead_id, deal_id, title, scheduled_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![
            id.as_str(),
            db.ctx.team_id.as_str(),
            db.ctx.user_id.as_str(),
            lead.as_str(),
            deal.map(DealId::as_str),
            non_empty(title),
            at.0,
            db.now.0
        ],
    )?;
    db.emit(Change::MeetingScheduled { lead: lead.clone(), meeting: id.clone(), booked_now: true });
    Ok(id)
}

pub fn get(db: &Db<'_>, id: &MeetingId) -> Result<Meeting> {
    let sql = format!("SELECT {MEETING_COLUMNS} FROM meetings WHERE id = ?1 AND team_id = ?2 AND deleted_at IS NULL");
    db.conn
        .prepare_cached(&sql)?
        .query_row(params![id.as_str(), db.ctx.team_id.as_str()], from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "meeting", reference: id.to_string() })
}

/// Whether a meeting at `at` has begun, seen at `now` (two machines' clocks disagree a little).
pub fn has_begun(at: Timestamp, now: Timestamp) -> bool {
    at.0 <= now.0 + super::outreach::CLOCK_SLACK_MS
}

/// Marks whether the lead showed up. An attended meeting counts as a contact.
pub fn mark(db: &Db<'_>, id: &MeetingId, attended: bool, reason: Option<String>) -> Result<Meeting> {
    let m = get(db, id)?;
    // As the lead's deals and tasks, its meetings are done with once it is removed.
    if super::leads::find(db, &m.lead_id)?.is_none() {
        return Err(StoreError::Refused(format!("meeting {id} is with a lead who was removed; nothing is marked")));
    }
    // Whether someone came is known once the meeting has begun.
    if !has_begun(m.scheduled_at, db.now) {
        return Err(ValidationError::new(
            "meeting",
            m.scheduled_at.zoned(db.ctx.tz),
            "has not happened yet; mark it attended or a no-show once it has",
        )
        .into());
    }
    db.conn.execute(
        "UPDATE meetings SET attended = ?2, no_show_reason = ?3, updated_at = ?4 WHERE id = ?1",
        params![id.as_str(), attended, if attended { None } else { non_empty(reason) }, db.now.0],
    )?;
    contact::refresh(db, &m.lead_id)?;
    db.emit(Change::MeetingMarked { lead: m.lead_id.clone(), meeting: id.clone(), attended, was: m.attended });
    get(db, id)
}

/// When the lead's first meeting after `at` is (one booked, not removed), if any.
pub fn next_after(db: &Db<'_>, lead: &LeadId, at: Timestamp) -> Result<Option<Timestamp>> {
    Ok(db
        .conn
        .prepare_cached(
            "SELECT min(scheduled_at) FROM meetings WHERE lead_id = ?1 AND scheduled_at > ?2 AND deleted_at IS NULL",
        )?
        .query_row(params![lead.as_str(), at.0], |r| r.get::<_, Option<i64>>(0))?
        .map(Timestamp))
}

pub fn for_lead(db: &Db<'_>, lead: &LeadId) -> Result<Vec<Meeting>> {
    let sql = format!(
        "SELECT {MEETING_COLUMNS} FROM meetings WHERE lead_id = ?1 AND deleted_at IS NULL ORDER BY scheduled_at DESC"
    );
    let mut stmt = db.conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([lead.as_str()], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The live meeting of this lead that came from the calendar event `key` (see migration 010): the one still to
/// be marked, else the latest (a no-show rescheduled in the calendar is booked again under the same key).
pub fn by_calendar_key(db: &Db<'_>, lead: &LeadId, key: &str) -> Result<Option<Meeting>> {
    let sql = format!(
        "SELECT {MEETING_COLUMNS} FROM meetings
         WHERE lead_id = ?1 AND calendar_key = ?2 AND team_id = ?3 AND deleted_at IS NULL
         ORDER BY attended IS NOT NULL, scheduled_at DESC LIMIT 1"
    );
    Ok(db
        .conn
        .prepare_cached(&sql)?
        .query_row(params![lead.as_str(), key, db.ctx.team_id.as_str()], from_row)
        .optional()?)
}

/// Ties a meeting to the calendar event it came from.
pub fn set_calendar_key(db: &Db<'_>, id: &MeetingId, key: &str) -> Result<()> {
    db.conn.execute("UPDATE meetings SET calendar_key = ?2 WHERE id = ?1", params![id.as_str(), key])?;
    Ok(())
}

/// Moves a meeting that has not taken place yet (and retitles it). One that was marked stays as it is.
pub fn reschedule(db: &Db<'_>, id: &MeetingId, at: Timestamp, title: Option<String>) -> Result<Meeting> {
    let m = get(db, id)?;
    if m.attended.is_some() {
        return Err(StoreError::Refused(format!("meeting {id} was already marked; it is not moved")));
    }
    db.conn.execute(
        "UPDATE meetings SET scheduled_at = ?2, title = ?3, updated_at = ?4 WHERE id = ?1",
        params![id.as_str(), at.0, non_empty(title), db.now.0],
    )?;
    contact::refresh(db, &m.lead_id)?;
    db.emit(Change::LeadEdited(m.lead_id));
    get(db, id)
}

pub fn remove(db: &Db<'_>, id: &MeetingId) -> Result<()> {
    let m = get(db, id)?;
    db.conn.execute(
        "UPDATE meetings SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
        params![id.as_str(), db.now.0],
    )?;
    contact::refresh(db, &m.lead_id)?;
    db.emit(Change::MeetingRemoved { lead: m.lead_id, meeting: id.clone() });
    Ok(())
}
