//! Bulk loading (demo data, large imports): the FTS triggers are lifted while rows go in,
//! then the index is filled in one pass and the triggers come back.

use rusqlite::Connection;

use super::Result;
use super::schema::{FTS_TRIGGER_NAMES, FTS_TRIGGERS};

/// Drops the FTS triggers; pair with `end` in the same transaction.
pub fn begin(conn: &Connection) -> Result<()> {
    for name in FTS_TRIGGER_NAMES {
        conn.execute_batch(&format!("DROP TRIGGER IF EXISTS {name};"))?;
    }
    Ok(())
}

/// Indexes every live lead whose row number is above `from_seq` and restores the triggers.
pub fn end(conn: &Connection, from_seq: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO lead_fts(rowid, name, email, phone, company, title, tags)
         SELECT l.seq, l.first_name || ' ' || l.last_name, l.email, l.phone, a.name, l.title, l.tags
         FROM leads l LEFT JOIN accounts a ON a.id = l.account_id
         WHERE l.seq > ?1 AND l.deleted_at IS NULL",
        [from_seq],
    )?;
    conn.execute_batch(FTS_TRIGGERS)?;
    Ok(())
}
