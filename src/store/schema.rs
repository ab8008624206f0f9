//! Schema migrations, numbered and append-only: never edit one that has shipped, add the next.

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use super::Result;

const FTS_TRIGGERS: &str = include_str!("migrations/fts_triggers.sql");
const CORE: &str = include_str!("migrations/001_core.sql");
const AUTOMATION: &str = include_str!("migrations/003_automation.sql");
const IO: &str = include_str!("migrations/004_io.sql");
const SCORES: &str = include_str!("migrations/005_scores.sql");
const PHONE_INDEX: &str = include_str!("migrations/006_phone_index.sql");
const PHONE_SEARCH: &str = include_str!("migrations/007_phone_search.sql");
const PROFILE_INDEX: &str = include_str!("migrations/008_profile_index.sql");

/// Every migration in order; the database's `user_version` counts how many have run.
const ALL: [&str; 8] = [CORE, FTS_TRIGGERS, AUTOMATION, IO, SCORES, PHONE_INDEX, PHONE_SEARCH, PROFILE_INDEX];

pub fn migrations() -> Migrations<'static> {
    Migrations::new(ALL.iter().map(|sql| M::up(sql)).collect())
}

/// Number of migrations this build knows; a database at a higher version was written by a newer leadline.
pub fn latest_version() -> usize {
    ALL.len()
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
