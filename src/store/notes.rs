//! Notes: free text on a lead or a deal.

use rusqlite::params;
use serde::Serialize;

use super::{Change, Db, Result, StoreError, leads};
use crate::domain::{DealId, LeadId, NoteId, Timestamp, UserId};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Note {
    pub id: NoteId,
    pub lead_id: Option<String>,
    pub deal_id: Option<String>,
    pub body: String,
    pub created_at: Timestamp,
    /// Who wrote it.
    pub user_id: Option<String>,
    pub updated_at: Timestamp,
}

pub fn add(db: &Db<'_>, lead: Option<&LeadId>, deal: Option<&DealId>, body: &str) -> Result<NoteId> {
    if body.trim().is_empty() {
        return Err(crate::domain::ValidationError::new("note", body, "must not be empty").into());
    }
    if lead.is_none() && deal.is_none() {
        return Err(StoreError::Refused("a note belongs to a lead or a deal".into()));
    }
    if let Some(l) = lead {
        leads::get_to_add(db, l, "note")?;
    }
    let id = NoteId::generate();
    let written = Written { author: &db.ctx.user_id, at: db.now, updated_at: db.now };
    write(db, &id, lead, deal, body, written)?;
    Ok(id)
}

/// Who wrote a note and when: the rep now, or what an imported note says.
pub(crate) struct Written<'a> {
    pub author: &'a UserId,
    pub at: Timestamp,
    pub updated_at: Timestamp,
}

/// Writes a note checked by its caller (`add`; an import, which keeps the note's id, author and times).
pub(crate) fn write(
    db: &Db<'_>,
    id: &NoteId,
    lead: Option<&LeadId>,
    deal: Option<&DealId>,
    body: &str,
    written: Written<'_>,
) -> Result<()> {
    db.conn
        .prepare_cached(
            "INSERT INTO notes (id, team_id, user_id, lead_id, deal_id, body, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            id.as_str(),
            db.ctx.team_id.as_str(),
            written.author.as_str(),
            lead.map(LeadId::as_str),
            deal.map(DealId::as_str),
            body,
            written.at.0,
            written.updated_at.0
        ])?;
    db.emit(Change::NoteAdded { lead: lead.cloned() });
    Ok(())
}

/// The columns `from_row` reads, in its order.
pub(crate) const NOTE_COLUMNS: &str = "id, lead_id, deal_id, body, created_at, user_id, updated_at";

pub(crate) fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Note> {
    Ok(Note {
        id: NoteId(r.get(0)?),
        lead_id: r.get(1)?,
        deal_id: r.get(2)?,
        body: r.get(3)?,
        created_at: Timestamp(r.get(4)?),
        user_id: r.get(5)?,
        updated_at: Timestamp(r.get(6)?),
    })
}

pub fn for_lead(db: &Db<'_>, lead: &LeadId) -> Result<Vec<Note>> {
    let mut stmt = db.conn.prepare_cached(&format!(
        "SELECT {NOTE_COLUMNS} FROM notes
         WHERE (lead_id = ?1 OR deal_id IN (SELECT id FROM deals WHERE lead_id = ?1)) AND deleted_at IS NULL
         ORDER BY created_at DESC"
    ))?;
    let rows = stmt.query_map([lead.as_str()], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
