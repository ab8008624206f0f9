//! The one place that keeps `leads.last_contacted_at` right: the latest of the lead's outreach,
//! attended meetings and hand-recorded (offline) contact, whatever order they were written in.

use rusqlite::params;

use super::{Db, Result};
use crate::domain::LeadId;

pub fn refresh(db: &Db<'_>, lead: &LeadId) -> Result<()> {
    db.conn
        .prepare_cached(
            "UPDATE leads SET last_contacted_at = (
                SELECT max(t) FROM (
                    SELECT max(occurred_at) AS t FROM outreach WHERE lead_id = ?1 AND deleted_at IS NULL
                    UNION ALL
                    SELECT max(scheduled_at) FROM meetings WHERE lead_id = ?1 AND attended = 1 AND deleted_at IS NULL
                    UNION ALL
                    SELECT manual_contact_at FROM leads WHERE id = ?1
                )
             )
             WHERE id = ?1",
        )?
        .execute(params![lead.as_str()])?;
    Ok(())
}
