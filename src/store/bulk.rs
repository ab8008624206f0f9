//! Bulk loading (demo data, large imports). Inserting into indexed tables row by row costs a random
//! B-tree write per index per row; lifting the secondary indexes and the lead triggers (search index,
//! score rows), inserting, then rebuilding each index in one sorted pass and filling the search index and
//! the score table with one INSERT ... SELECT each is several times cheaper (a trigger alone costs more
//! than the row it fires for). The definitions are read back from the schema itself, so nothing here
//! repeats them.

use rusqlite::Connection;

use super::Result;

/// What a `Lift` put aside, to be restored in the same transaction.
pub struct Lift {
    sql: Vec<String>,
    from_seq: i64,
}

/// Which indexes to lift besides the FTS triggers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indexes {
    /// Keep every index (an import that looks rows up while it loads).
    Keep,
    /// Lift every secondary index of these tables (loading into a table nobody reads meanwhile).
    Lift(&'static [&'static str]),
    /// Lift just these indexes (those that only serve lists), keeping the ones a load looks rows up by.
    Named(&'static [&'static str]),
}

/// The tables demo data fills.
pub const DEMO_TABLES: &[&str] = &[
    "leads",
    "lead_scores",
    "lead_tags",
    "outreach",
    "meetings",
    "deals",
    "tasks",
    "notes",
    "inbox_items",
    "accounts",
];

impl Lift {
    /// Drops the lead triggers (and the chosen indexes); call inside a transaction and pair with `restore`.
    pub fn begin(conn: &Connection, indexes: Indexes) -> Result<Self> {
        let from_seq: i64 = conn.query_row("SELECT ifnull(max(seq), 0) FROM leads", [], |r| r.get(0))?;
        let sql = drop_where(conn, |kind, name, table| match (kind, indexes) {
            ("trigger", _) => name.contains("fts") || name.starts_with("leads_scores"),
            ("index", Indexes::Lift(tables)) => tables.contains(&table),
            ("index", Indexes::Named(names)) => names.contains(&name),
            _ => false,
        })?;
        Ok(Self { sql, from_seq })
    }

    /// Rebuilds the lifted indexes, indexes every lead added since `begin` for search, gives each a score
    /// row unless the load wrote one itself, and restores the triggers.
    pub fn restore(self, conn: &Connection) -> Result<()> {
        conn.execute("INSERT OR IGNORE INTO lead_scores (seq) SELECT seq FROM leads WHERE seq > ?1", [self.from_seq])?;
        let started = std::time::Instant::now();
        conn.execute(
            "INSERT INTO lead_fts(rowid, name, email, phone, company, title, tags)
             SELECT l.seq, l.first_name || ' ' || l.last_name, l.email, l.phone, a.name, l.title, l.tags
             FROM leads l LEFT JOIN accounts a ON a.id = l.account_id
             WHERE l.seq > ?1 AND l.deleted_at IS NULL",
            [self.from_seq],
        )?;
        tracing::debug!(elapsed = ?started.elapsed(), "restored the search index");
        rebuild(conn, &self.sql)
    }
}

/// Indexes put aside on their own (the triggers stay): a load that answers look-ups by them from memory
/// meanwhile, and builds them back (at its end, or part-way when it must look rows up in the database).
pub struct IndexLift {
    sql: Vec<String>,
}

impl IndexLift {
    /// Drops these indexes; call inside a transaction and pair with `restore`.
    pub fn begin(conn: &Connection, names: &[&str]) -> Result<Self> {
        Ok(Self { sql: drop_where(conn, |kind, name, _| kind == "index" && names.contains(&name))? })
    }

    /// Builds the indexes again, each in one sorted pass.
    pub fn restore(self, conn: &Connection) -> Result<()> {
        rebuild(conn, &self.sql)
    }
}

/// Page cache while indexes are rebuilt, in KiB. With temporary storage in files (which a bulk load sets
/// before its transaction: it cannot change inside one) SQLite sorts in runs as
/// large as the page cache: runs that fit the CPU caches, sorted on a helper thread while the table is
/// read and then merged, build a million-row index two to three times quicker than one sort in memory
/// (and hold a few MB instead of the whole key set).
const SORT_RUN_KIB: i64 = 4096;

/// Runs the lifted definitions again (indexes sorted in small runs), then puts the settings back.
fn rebuild(conn: &Connection, sql: &[String]) -> Result<()> {
    let cache: i64 = conn.pragma_query_value(None, "cache_size", |r| r.get(0))?;
    let threads: i64 = conn.pragma_query_value(None, "threads", |r| r.get(0))?;
    conn.pragma_update(None, "cache_size", -SORT_RUN_KIB)?;
    conn.pragma_update(None, "threads", 2)?;
    let built = sql.iter().try_for_each(|sql| {
        let started = std::time::Instant::now();
        conn.execute_batch(sql)?;
        tracing::debug!(elapsed = ?started.elapsed(), sql = %sql.lines().next().unwrap_or_default(), "restored");
        Ok(())
    });
    conn.pragma_update(None, "cache_size", cache)?;
    conn.pragma_update(None, "threads", threads)?;
    built
}

/// Drops the triggers and indexes `take(kind, name, table)` picks; returns their definitions.
fn drop_where(conn: &Connection, take: impl Fn(&str, &str, &str) -> bool) -> Result<Vec<String>> {
    let mut lifted: Vec<(String, String, String)> = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT type, name, sql, tbl_name FROM sqlite_master
         WHERE sql IS NOT NULL AND type IN ('trigger', 'index')",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?)))?;
    for row in rows {
        let (kind, name, sql, table): (String, String, String, String) = row?;
        if take(&kind, &name, &table) {
            lifted.push((kind, name, sql));
        }
    }
    drop(stmt);
    for (kind, name, _) in &lifted {
        conn.execute_batch(&format!("DROP {} IF EXISTS \"{}\";", kind.to_uppercase(), name.replace('"', "\"\"")))?;
    }
    Ok(lifted.into_iter().map(|(_, _, sql)| sql).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(conn: &Connection) -> Vec<String> {
        let mut stmt = conn.prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
    }

    #[test]
    fn lifting_and_restoring_leaves_the_schema_as_it_was() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::schema::migrate(&mut conn).unwrap();
        let before = schema(&conn);
        let lift = Lift::begin(&conn, Indexes::Lift(DEMO_TABLES)).unwrap();
        assert!(schema(&conn).len() < before.len());
        lift.restore(&conn).unwrap();
        let mut after = schema(&conn);
        let mut expected = before.clone();
        after.sort();
        expected.sort();
        assert_eq!(after, expected);
        let only = IndexLift::begin(&conn, &["leads_by_email", "leads_by_phone"]).unwrap();
        assert_eq!(schema(&conn).len(), before.len() - 2);
        only.restore(&conn).unwrap();
        let mut again = schema(&conn);
        again.sort();
        assert_eq!(again, expected);
    }
}
