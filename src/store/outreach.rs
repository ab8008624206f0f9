//! Outreach: logging a touch of one of the five kinds (and editing or removing one).
//! Writing here refreshes the lead's last contact and, for inbound messages, files an inbox item.

use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use super::{Change, Db, Result, StoreError, contact, inbox, leads, non_empty};
use crate::domain::outreach::validate_personalization;
use crate::domain::{Direction, LeadId, OutreachId, OutreachKind, ReplyType, Timestamp, ValidationError};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Outreach {
    pub id: OutreachId,
    pub lead_id: LeadId,
    pub kind: OutreachKind,
    pub kind_code: i64,
    /// The kind-specific value: platform name or URL, e-mail address, phone number, profile URL, app + handle.
    pub value: String,
    pub description: Option<String>,
    pub occurred_at: Timestamp,
    pub direction: Direction,
    pub variant: Option<String>,
    pub personalization_level: Option<i64>,
    pub reply_type: ReplyType,
    pub cited_metric: bool,
    pub user_id: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

pub(crate) const OUTREACH_COLUMNS: &str = "id, lead_id, kind, value, description, occurred_at, direction, variant,
    personalization_level, reply_type, cited_metric, user_id, created_at, updated_at";

pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<Outreach> {
    let code: i64 = r.get(2)?;
    let kind = OutreachKind::from_code(code).unwrap_or(OutreachKind::Platform);
    let direction: String = r.get(6)?;
    let reply: String = r.get(9)?;
    Ok(Outreach {
        id: OutreachId(r.get(0)?),
        lead_id: LeadId(r.get(1)?),
        kind,
        kind_code: code,
        value: r.get(3)?,
        description: r.get(4)?,
        occurred_at: Timestamp(r.get(5)?),
        direction: direction.parse().unwrap_or(Direction::Outbound),
        variant: r.get(7)?,
        personalization_level: r.get(8)?,
        reply_type: reply.parse().unwrap_or(ReplyType::None),
        cited_metric: r.get(10)?,
        user_id: r.get(11)?,
        created_at: Timestamp(r.get(12)?),
        updated_at: Timestamp(r.get(13)?),
    })
}

/// A touch to log. `value` is the kind-specific field; when absent the lead's own e-mail or phone is used
/// for e-mail, call and messenger outreach.
#[derive(Debug, Clone)]
pub struct NewOutreach {
    pub lead: LeadId,
    pub kind: OutreachKind,
    pub value: Option<String>,
    pub description: Option<String>,
    pub occurred_at: Option<Timestamp>,
    pub direction: Direction,
    pub variant: Option<String>,
    pub personalization_level: Option<i64>,
    pub reply_type: ReplyType,
    pub cited_metric: bool,
}

impl NewOutreach {
    pub fn new(lead: LeadId, kind: OutreachKind) -> Self {
        Self {
            lead,
            kind,
            value: None,
            description: None,
            occurred_at: None,
            direction: Direction::Outbound,
            variant: None,
            personalization_level: None,
            reply_type: ReplyType::None,
            cited_metric: false,
        }
    }
}

/// Fills a missing kind-specific value from the lead, else from the lead's last touch of that kind (the
/// number called last, the platform written on: what a bump "on call" follows up), then validates it.
fn channel_value(db: &Db<'_>, kind: OutreachKind, given: Option<String>, lead: &leads::Lead) -> Result<String> {
    let on_file = match kind {
        OutreachKind::Email => lead.email.clone(),
        OutreachKind::Call | OutreachKind::Messenger => lead.phone.clone(),
        OutreachKind::Social => lead.profile_url.clone(),
        OutreachKind::Platform => None,
    };
    let value = match non_empty(given).or(on_file) {
        Some(v) => Some(v),
        None => db
            .conn
            .prepare_cached(
                "SELECT value FROM outreach WHERE lead_id = ?1 AND kind = ?2 AND deleted_at IS NULL AND value <> ''
                 ORDER BY occurred_at DESC, seq DESC LIMIT 1",
            )?
            .query_row(params![lead.id.as_str(), kind.code()], |r| r.get(0))
            .optional()?,
    };
    match value {
        Some(v) => Ok(kind.validate_value(&v)?),
        None => {
            // Worded for any front end: the CLI's flags and the TUI's fields are named after the value.
            let hint = match kind {
                OutreachKind::Email => "the lead has no e-mail on file",
                OutreachKind::Call => "the lead has no phone on file",
                OutreachKind::Messenger => "as APP:HANDLE, e.g. whatsapp:+34600111222",
                OutreachKind::Social => "the profile's address",
                OutreachKind::Platform => "e.g. Upwork",
            };
            let field = format!("{} value", kind.as_str());
            Err(ValidationError::new(field, "", format!("needs the {} ({hint})", kind.value_name())).into())
        }
    }
}

/// How far ahead of the clock a touch may be dated (clocks of two machines disagree a little).
pub(crate) const CLOCK_SLACK_MS: i64 = 5 * 60 * 1000;

/// A touch is logged once it has happened: one dated ahead would show a contact that was never made (and
/// sort its lead as the most recently contacted). What is planned is a task or a meeting.
pub(crate) fn happened(db: &Db<'_>, at: Timestamp) -> Result<Timestamp> {
    if at.0 > db.now.0 + CLOCK_SLACK_MS {
        return Err(ValidationError::new(
            "occurred_at",
            at.zoned(db.ctx.tz),
            "is in the future; log a touch once it has happened (plan it as a task)",
        )
        .into());
    }
    Ok(at)
}

pub fn log(db: &Db<'_>, new: NewOutreach) -> Result<OutreachId> {
    let lead = leads::get(db, &new.lead)?;
    // A touch holds an address or a number: nothing of a forgotten person is written again.
    if lead.forgotten_at.is_some() {
        return Err(StoreError::Refused(
            "this lead was forgotten (their personal data is erased): nothing more is logged for them".into(),
        ));
    }
    let value = channel_value(db, new.kind, new.value, &lead)?;
    // Nor is a forgotten person's address or profile, logged as another lead's.
    match new.kind {
        OutreachKind::Email => super::forgotten::refuse(db, &value)?,
        OutreachKind::Social => super::forgotten::refuse_profile(db, &value)?,
        OutreachKind::Call => super::forgotten::refuse_phone(db, &value, db.ctx.country.as_deref())?,
        // "whatsapp:+34…": the number after the app.
        OutreachKind::Messenger => {
            let number = value.split_once(':').map_or(value.as_str(), |(_, n)| n);
            super::forgotten::refuse_phone(db, number, db.ctx.country.as_deref())?;
        }
        OutreachKind::Platform => {}
    }
    let level = new.personalization_level.map(validate_personalization).transpose()?;
    // A variant is a label the reports group by ("A", "dm_v2"): one short line, as other labels.
    if let Some(v) = new.variant.as_deref() {
        crate::domain::lead::check_label("variant", v)?;
    }
    let at = happened(db, new.occurred_at.unwrap_or(db.now))?;
    let description = non_empty(new.description);
    let id = OutreachId::generate();
    db.conn
        .prepare_cached(
            "INSERT INTO outreach (id, team_id, user_id, lead_id, kind, value, description, occurred_at, direction,
             variant, personalization_level, reply_type, cited_metric, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)",
        )?
        .execute(params![
            id.as_str(),
            db.ctx.team_id.as_str(),
            db.ctx.user_id.as_str(),
            new.lead.as_str(),
            new.kind.code(),
            value,
            description,
            at.0,
            new.direction.as_str(),
            non_empty(new.variant),
            level,
            new.reply_type.as_str(),
            new.cited_metric,
            db.now.0,
        ])?;
    contact::refresh(db, &new.lead)?;
    if new.direction == Direction::Inbound && !db.is_history() {
        inbox::file_inbound(db, &lead, &id, new.kind, description.as_deref().unwrap_or(""), at)?;
    }
    db.emit(Change::OutreachLogged { lead: new.lead, outreach: id.clone() });
    Ok(id)
}

pub fn get(db: &Db<'_>, id: &OutreachId) -> Result<Outreach> {
    let sql = format!("SELECT {OUTREACH_COLUMNS} FROM outreach WHERE id = ?1 AND team_id = ?2 AND deleted_at IS NULL");
    db.conn
        .prepare_cached(&sql)?
        .query_row(params![id.as_str(), db.ctx.team_id.as_str()], from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "outreach", reference: id.to_string() })
}

/// All outreach of a lead, newest first.
pub fn for_lead(db: &Db<'_>, lead: &LeadId) -> Result<Vec<Outreach>> {
    let sql = format!(
        "SELECT {OUTREACH_COLUMNS} FROM outreach WHERE lead_id = ?1 AND deleted_at IS NULL ORDER BY occurred_at DESC, seq DESC"
    );
    let mut stmt = db.conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([lead.as_str()], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Changes when a touch happened, how it was answered, or its note.
#[derive(Debug, Clone, Default)]
pub struct OutreachPatch {
    pub occurred_at: Option<Timestamp>,
    pub reply_type: Option<ReplyType>,
    pub description: Option<String>,
    pub value: Option<String>,
}

pub fn edit(db: &Db<'_>, id: &OutreachId, patch: OutreachPatch) -> Result<()> {
    let mut o = get(db, id)?;
    if let Some(v) = patch.value {
        o.value = o.kind.validate_value(&v)?;
    }
    if let Some(at) = patch.occurred_at {
        o.occurred_at = happened(db, at)?;
    }
    if let Some(r) = patch.reply_type {
        o.reply_type = r;
    }
    if let Some(d) = patch.description {
        o.description = non_empty(Some(d));
    }
    db.conn.execute(
        "UPDATE outreach SET value = ?2, occurred_at = ?3, reply_type = ?4, description = ?5, updated_at = ?6 WHERE id = ?1",
        params![id.as_str(), o.value, o.occurred_at.0, o.reply_type.as_str(), o.description, db.now.0],
    )?;
    contact::refresh(db, &o.lead_id)?;
    db.emit(Change::OutreachEdited { lead: o.lead_id, outreach: id.clone() });
    Ok(())
}

/// Takes back a touch logged by mistake, and what it made: the message it filed in the inbox, the tasks
/// rules filed for it; deals and the lead no longer name it as where they came from. (The automations take
/// back the rest: the events it made, the steps it took a deal.) What it closed is
/// opened again by the hooks (`tasks::reopen_done_by`).
pub fn remove(db: &Db<'_>, id: &OutreachId) -> Result<()> {
    let o = get(db, id)?;
    if leads::get(db, &o.lead_id)?.forgotten_at.is_some() {
        return Err(StoreError::Refused(format!("touch {id} is of a forgotten person; it stays as it is")));
    }
    let now = db.now.0;
    db.conn.execute("UPDATE outreach SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1", params![id.as_str(), now])?;
    db.conn.execute(
        "UPDATE inbox_items SET deleted_at = ?3, updated_at = ?3 WHERE lead_id = ?1 AND outreach_id = ?2
         AND deleted_at IS NULL",
        params![o.lead_id.as_str(), id.as_str(), now],
    )?;
    db.conn.execute(
        "UPDATE deals SET origin_outreach_id = NULL, updated_at = ?3 WHERE lead_id = ?1 AND origin_outreach_id = ?2",
        params![o.lead_id.as_str(), id.as_str(), now],
    )?;
    db.conn.execute(
        "UPDATE leads SET origin_outreach_id = NULL, updated_at = ?3 WHERE id = ?1 AND origin_outreach_id = ?2",
        params![o.lead_id.as_str(), id.as_str(), now],
    )?;
    super::tasks::cancel_filed_for(db, &o.lead_id, id)?;
    contact::refresh(db, &o.lead_id)?;
    db.emit(Change::OutreachRemoved { lead: o.lead_id, outreach: id.clone() });
    Ok(())
}
