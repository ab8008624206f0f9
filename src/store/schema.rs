//! Schema migrations, numbered and append-only: never edit one that has shipped, add the next.

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use super::Result;

/// The FTS triggers, also re-created by bulk loads after they fill the index in one pass.
pub const FTS_TRIGGERS: &str = include_str!("migrations/fts_triggers.sql");
pub const FTS_TRIGGER_NAMES: [&str; 4] =
    ["leads_fts_insert", "leads_fts_update", "leads_fts_delete", "accounts_fts_rename"];

const CORE: &str = include_str!("migrations/001_core.sql");
const AUTOMATION: &str = include_str!("migrations/003_automation.sql");

pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![M::up(CORE), M::up(FTS_TRIGGERS), M::up(AUTOMATION)])
}

/// Number of migrations this build knows; a database at a higher version was written by a newer leadline.
pub fn latest_version() -> usize {
    3
}

pub fn migrate(conn: &mut Connection) -> Result<()> {
    let current: usize = conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))? as usize;
    if current > latest_version() {
        return Err(super::StoreError::Migration(format!(
            "the database is at schema version {current}, newer than this leadline ({}); upgrade leadline",
            latest_version()
        )));
    }
    migrations().to_latest(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
    }
}
