//! Bulk loading (demo data, large imports). Inserting into indexed tables row by row costs a random
//! B-tree write per index per row; lifting the secondary indexes and the lead triggers (search index,
//! score rows), inserting, then rebuilding each index in one sorted pass and filling the search index and
//! the score table with one INSERT ... SELECT each is several times cheaper (a trigger alone costs more
//! than the row it fires for). The definitions are read back from the schema itself, so nothing here
//! repeats them.

use std::collections::HashMap;

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;

use super::Result;
pub use super::index_build::{IndexBuild, IndexedLead};
use super::search::{plain_spelt, plain_spelt_terms};

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
        self.restore_with(conn, None)
    }

    /// `restore`, taking the search index and the new leads' tag rows from a build that ran beside the load
    /// when there is one.
    pub fn restore_with(self, conn: &Connection, built: Option<IndexBuild>) -> Result<()> {
        conn.execute("INSERT OR IGNORE INTO lead_scores (seq) SELECT seq FROM leads WHERE seq > ?1", [self.from_seq])?;
        let started = std::time::Instant::now();
        // A build that failed or missed a lead costs time, not the load: the index and the tag rows are
        // then made the usual way.
        let complete = match built.map(|b| b.copy_into(conn, self.from_seq)) {
            None => false,
            Some(Ok(())) => true,
            Some(Err(e)) => {
                tracing::warn!(error = %e, "the indexes built beside the load cannot be used; building them again");
                conn.execute("INSERT INTO lead_fts(lead_fts) VALUES ('delete-all')", [])?;
                tag_rows_from_leads(conn, self.from_seq)?;
                false
            }
        };
        configure_for_fill(conn)?;
        let filled = if complete { Ok(()) } else { fill_search_index(conn, self.from_seq, COMPANIES_IN_MEMORY) };
        fts_config(conn, "automerge", FTS_AUTOMERGE)?;
        filled?;
        tracing::debug!(elapsed = ?started.elapsed(), copied = complete, "restored the search index");
        rebuild(conn, &self.sql)
    }
}

/// The tags a lead's `tags` column holds: joined by spaces, a space inside a tag written as U+001F.
pub(super) fn tags_in_column(tags: &str) -> impl Iterator<Item = String> + '_ {
    tags.split(' ').filter(|t| !t.is_empty()).map(|t| t.replace('\u{1f}', " "))
}

/// Writes the tag rows of the leads past `from_seq` from their `tags` column.
fn tag_rows_from_leads(conn: &Connection, from_seq: i64) -> Result<()> {
    let mut leads = conn.prepare("SELECT id, tags FROM leads WHERE seq > ?1 AND tags <> ''")?;
    let mut insert = conn.prepare("INSERT OR IGNORE INTO lead_tags (tag, lead_id) VALUES (?1, ?2)")?;
    let mut rows = leads.query([from_seq])?;
    while let Some(r) = rows.next()? {
        let (id, tags): (String, String) = (r.get(0)?, r.get(1)?);
        for tag in tags_in_column(&tags) {
            insert.execute(rusqlite::params![tag, id])?;
        }
    }
    Ok(())
}

/// Larger index pages, and segments merged in wider steps while a fill runs: a third less work for a
/// million leads. Every later write merges at the usual step again.
pub(super) fn configure_for_fill(conn: &Connection) -> Result<()> {
    fts_config(conn, "pgsz", FTS_PAGE_BYTES)?;
    fts_config(conn, "automerge", FTS_BULK_AUTOMERGE)
}

/// The phone as the search index holds it: as written and as one run of digits (the same expression as
/// the insert trigger of migration 007, checked by a test). `phone` is a column or a parameter.
pub(super) fn phone_terms(phone: &str) -> String {
    format!(
        "{phone} || ' ' || replace(replace(replace(replace(replace(replace({phone}, ' ', ''), '-', ''), \
         '(', ''), ')', ''), '.', ''), '/', '')"
    )
}

/// The e-mails as the search index holds them: the lead's own, then its other ones (the same expression
/// as the triggers of migration 017). `email` and `id` are columns.
fn email_terms(email: &str, id: &str) -> String {
    let others = format!("(SELECT group_concat(e.email, ' ') FROM lead_emails e WHERE e.lead_id = {id})");
    format!("coalesce({email} || ifnull(' ' || {others}, ''), {others})")
}

/// The company of a lead as the search index holds it, through the accounts join.
fn joined_company_terms() -> String {
    plain_spelt_terms("a.name")
}

/// The statement that indexes the live leads `filter` picks, `company` being the terms of each one's
/// company (through the accounts join, or otherwise).
fn index_leads_sql(company: &str, filter: &str) -> String {
    let join = if company.contains("a.name") { "LEFT JOIN accounts a ON a.id = l.account_id" } else { "" };
    format!(
        "INSERT INTO lead_fts(rowid, name, email, phone, company, title, tags)
         SELECT l.seq, {}, {}, {}, {company}, l.title, l.tags
         FROM leads l {join} WHERE {filter} AND l.deleted_at IS NULL AND l.forgotten_at IS NULL",
        plain_spelt_terms("(l.first_name || ' ' || l.last_name)"),
        email_terms("l.email", "l.id"),
        phone_terms("l.phone")
    )
}

/// Indexes one lead for search again (edited while the triggers were lifted), as the triggers would.
pub fn reindex_lead(conn: &Connection, seq: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM lead_fts WHERE rowid = ?1")?.execute([seq])?;
    conn.prepare_cached(&index_leads_sql(&joined_company_terms(), "l.seq = ?1"))?.execute([seq])?;
    Ok(())
}

/// Search-index leaf pages, in bytes (SQLite's default is 1,000).
const FTS_PAGE_BYTES: i64 = 4000;
/// Segments of one level merged together: SQLite's default, and the wider step of a bulk fill.
const FTS_AUTOMERGE: i64 = 4;
const FTS_BULK_AUTOMERGE: i64 = 16;

fn fts_config(conn: &Connection, key: &str, value: i64) -> Result<()> {
    conn.execute("INSERT INTO lead_fts(lead_fts, rank) VALUES (?1, ?2)", rusqlite::params![key, value])?;
    Ok(())
}

/// Accounts up to which the search-index fill looks company names up in memory (about 150 bytes each).
const COMPANIES_IN_MEMORY: i64 = 250_000;

/// Indexes the leads past `from_seq` for search. Looking each lead's company up through the accounts
/// index is a third of the fill on a million leads; a hash map of the names does it in a tenth of that.
fn fill_search_index(conn: &Connection, from_seq: i64, companies_in_memory: i64) -> Result<()> {
    let insert = |company: &str| index_leads_sql(company, "l.seq > ?1");
    let accounts: i64 = conn.query_row("SELECT count(*) FROM accounts", [], |r| r.get(0))?;
    if accounts > companies_in_memory {
        conn.execute(&insert(&joined_company_terms()), [from_seq])?;
        return Ok(());
    }
    // Each company as the index holds it.
    let mut names: HashMap<String, String> = HashMap::with_capacity(accounts as usize);
    let mut stmt = conn.prepare("SELECT id, name FROM accounts")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let name: String = row.get(1)?;
        let terms = match plain_spelt(&name) {
            Some(plain) => format!("{name} {plain}"),
            None => name,
        };
        names.insert(row.get(0)?, terms);
    }
    conn.create_scalar_function(
        COMPANY_FN,
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        move |ctx| {
            Ok(ctx
                .get_raw(0)
                .as_str_or_null()
                .map_err(|e| rusqlite::Error::UserFunctionError(e.into()))?
                .and_then(|id| names.get(id).cloned()))
        },
    )?;
    let filled = conn.execute(&insert(&format!("{COMPANY_FN}(l.account_id)")), [from_seq]);
    conn.remove_function(COMPANY_FN, 1)?;
    filled?;
    Ok(())
}

/// The company-name look-up the search-index fill registers for its one statement.
const COMPANY_FN: &str = "leadline_bulk_company";

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

    #[test]
    fn the_search_index_fill_finds_companies_with_or_without_the_names_in_memory() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::schema::migrate(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO teams (id, name, timezone, created_at, updated_at) VALUES ('t', 'T', 'UTC', 0, 0);
             INSERT INTO accounts (id, team_id, name, created_at, updated_at) VALUES
                 ('a1', 't', 'Northwind Traders', 0, 0), ('a2', 't', 'Acme Ibérica', 0, 0);",
        )
        .unwrap();
        let lift = Lift::begin(&conn, Indexes::Keep).unwrap();
        // Loads run without reference checks; a lead pointing at no account gets no company.
        conn.pragma_update(None, "foreign_keys", "OFF").unwrap();
        conn.execute_batch(
            "INSERT INTO leads (id, team_id, first_name, last_name, account_id, created_at, updated_at) VALUES
                 ('l1', 't', 'Ana', 'López', 'a1', 0, 0), ('l2', 't', 'Bob', 'Stone', 'a2', 0, 0),
                 ('l3', 't', 'Carla', 'Méndez', NULL, 0, 0), ('l4', 't', 'Dmitri', 'Ivanov', 'gone', 0, 0);",
        )
        .unwrap();
        let matches = |conn: &Connection, q: &str| -> Vec<i64> {
            let mut stmt = conn.prepare("SELECT rowid FROM lead_fts WHERE lead_fts MATCH ?1 ORDER BY rowid").unwrap();
            stmt.query_map([q], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
        };
        let mut found = Vec::new();
        for in_memory in [COMPANIES_IN_MEMORY, 0] {
            conn.execute("DELETE FROM lead_fts", []).unwrap();
            fill_search_index(&conn, 0, in_memory).unwrap();
            found.push(["northwind", "iberica", "carla", "dmitri", "acme traders"].map(|q| matches(&conn, q)));
        }
        assert_eq!(found[0], [vec![1], vec![2], vec![3], vec![4], vec![]]);
        assert_eq!(found[0], found[1]);
        conn.execute("DELETE FROM lead_fts", []).unwrap();
        conn.execute("UPDATE leads SET phone = '+34 682 074 071' WHERE id = 'l1'", []).unwrap();
        lift.restore(&conn).unwrap();
        assert_eq!(matches(&conn, "northwind"), [1]);
        // The phone as one run of digits: filled in bulk, and by the trigger for a lead added afterwards.
        conn.execute_batch(
            "INSERT INTO leads (id, team_id, first_name, last_name, phone, created_at, updated_at)
             VALUES ('l5', 't', 'Emma', 'Berg', '(415) 555-0100', 0, 0);",
        )
        .unwrap();
        assert_eq!(matches(&conn, "34682074071"), [1]);
        assert_eq!(matches(&conn, "4155550100"), [5]);
        assert_eq!(matches(&conn, "682"), [1]);
    }

    /// "soren" finds "Søren", "strauss" "Strauß", "lodz" "Łódź": a name or company with a letter that is no
    /// accented form of another is indexed spelt with plain letters too, the same way by the triggers, by a
    /// fill and by a build beside a load.
    #[test]
    fn names_and_companies_are_found_spelt_with_plain_letters_whichever_way_they_were_indexed() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::schema::migrate(&mut conn).unwrap();
        let triggers: String = conn
            .query_row("SELECT group_concat(sql, ';') FROM sqlite_master WHERE name LIKE 'leads_fts_%'", [], |r| {
                r.get(0)
            })
            .unwrap();
        for terms in [plain_spelt_terms("(new.first_name || ' ' || new.last_name)"), plain_spelt_terms("name")] {
            assert_eq!(triggers.matches(&terms).count(), 2, "{terms}");
        }
        conn.execute_batch(
            "INSERT INTO teams (id, name, timezone, created_at, updated_at) VALUES ('t', 'T', 'UTC', 0, 0);
             INSERT INTO accounts (id, team_id, name, created_at, updated_at) VALUES
                 ('a1', 't', 'Ørsted A/S', 0, 0), ('a2', 't', 'Łódź Logistics', 0, 0);
             INSERT INTO leads (id, team_id, first_name, last_name, account_id, created_at, updated_at) VALUES
                 ('l1', 't', 'Søren', 'Søndergaard', 'a1', 0, 0), ('l2', 't', 'Jürgen', 'Strauß', 'a2', 0, 0),
                 ('l3', 't', 'Ana', 'López', NULL, 0, 0), ('l4', 't', 'ÆSA', 'ŁUKASZ', NULL, 0, 0);",
        )
        .unwrap();
        let terms = |conn: &Connection| -> Vec<(String, i64)> {
            conn.execute("INSERT INTO lead_fts(lead_fts) VALUES ('integrity-check')", []).unwrap();
            conn.execute_batch("CREATE VIRTUAL TABLE IF NOT EXISTS temp.terms USING fts5vocab(main, lead_fts, 'row')")
                .unwrap();
            let mut stmt = conn.prepare("SELECT term, doc FROM temp.terms ORDER BY term").unwrap();
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<rusqlite::Result<_>>().unwrap()
        };
        let matches = |conn: &Connection, q: &str| -> Vec<i64> {
            let mut stmt = conn.prepare("SELECT rowid FROM lead_fts WHERE lead_fts MATCH ?1 ORDER BY rowid").unwrap();
            stmt.query_map([q], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
        };
        let by_triggers = terms(&conn);
        let found = ["soren", "søren", "sondergaard", "orsted", "strauss", "strauß", "lodz", "lopez", "aesa", "lukasz"]
            .map(|q| matches(&conn, q));
        assert_eq!(found, [[1], [1], [1], [1], [2], [2], [2], [3], [4], [4]].map(|s| s.to_vec()));
        assert!(by_triggers.iter().all(|(t, _)| t != "ana lopez"), "an ASCII-only spelling is not doubled");
        for in_memory in [COMPANIES_IN_MEMORY, 0] {
            conn.execute("INSERT INTO lead_fts(lead_fts) VALUES ('delete-all')", []).unwrap();
            fill_search_index(&conn, 0, in_memory).unwrap();
            assert_eq!(terms(&conn), by_triggers, "filled with {in_memory} companies in memory");
        }
        conn.execute("INSERT INTO lead_fts(lead_fts) VALUES ('delete-all')", []).unwrap();
        reindex_lead(&conn, 1).unwrap();
        assert_eq!(matches(&conn, "soren AND orsted"), [1]);
        // Leads indexed by an earlier version's triggers are indexed again by the migration.
        conn.execute_batch(include_str!("migrations/014_forgotten_unsearchable.sql")).unwrap();
        conn.execute_batch("UPDATE leads SET first_name = first_name").unwrap();
        assert!(matches(&conn, "soren").is_empty());
        conn.execute_batch(include_str!("migrations/040_search_plain_spellings.sql")).unwrap();
        assert_eq!(terms(&conn), by_triggers);

        // Beside a load: the leads as a bulk import hands them over.
        let tmp = tempfile::tempdir().unwrap();
        let mut beside = Connection::open(tmp.path().join("b.db")).unwrap();
        crate::store::schema::migrate(&mut beside).unwrap();
        beside.pragma_update(None, "foreign_keys", "OFF").unwrap();
        beside.execute_batch("BEGIN").unwrap();
        let lift = Lift::begin(&beside, Indexes::Keep).unwrap();
        beside
            .execute_batch(
                "INSERT INTO leads (id, team_id, first_name, last_name, created_at, updated_at) VALUES
                     ('l1', 't', '', '', 0, 0), ('l2', 't', '', '', 0, 0), ('l3', 't', '', '', 0, 0),
                     ('l4', 't', '', '', 0, 0);",
            )
            .unwrap();
        let mut build = IndexBuild::start(&beside).unwrap().expect("an empty index");
        let leads = [
            ("l1", "Søren", "Søndergaard", Some("Ørsted A/S")),
            ("l2", "Jürgen", "Strauß", Some("Łódź Logistics")),
            ("l3", "Ana", "López", None),
            ("l4", "ÆSA", "ŁUKASZ", None),
        ];
        for (seq, (id, first_name, last_name, company)) in (1..).zip(leads) {
            let lead =
                IndexedLead { id, first_name, last_name, email: None, phone: None, company, title: None, tags: "" };
            build.push(seq, &lead);
        }
        lift.restore_with(&beside, Some(build)).unwrap();
        assert_eq!(terms(&beside), by_triggers);
        beside.execute_batch("COMMIT").unwrap();
        IndexBuild::detach(&beside);
    }

    #[test]
    fn the_demo_builds_its_search_index_and_tag_rows_beside_the_load_as_the_usual_fill_would() {
        let dir = tempfile::tempdir().unwrap();
        let at = crate::domain::Timestamp(1_790_000_000_000);
        let mut store = crate::store::Store::open(
            &dir.path().join("t.db"),
            &crate::config::Config::defaults(),
            crate::domain::Clock::Fixed(at),
        )
        .unwrap();
        crate::demo::generate(&mut store, 300, 7).unwrap();
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".leadline-index"))
            .collect();
        assert!(left.is_empty(), "the scratch database is removed: {left:?}");
        let conn = store.conn();
        // The search terms with how many leads have each, and the tag rows (after an integrity check).
        type Indexed = (Vec<(String, i64)>, Vec<(String, String)>);
        let state = |conn: &Connection| -> Indexed {
            conn.execute("INSERT INTO lead_fts(lead_fts) VALUES ('integrity-check')", []).unwrap();
            conn.execute_batch("CREATE VIRTUAL TABLE IF NOT EXISTS temp.terms USING fts5vocab(main, lead_fts, 'row')")
                .unwrap();
            let terms = conn
                .prepare("SELECT term, doc FROM temp.terms ORDER BY term")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            let tags = conn
                .prepare("SELECT tag, lead_id FROM lead_tags ORDER BY 1, 2")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            (terms, tags)
        };
        let beside = state(conn);
        assert!(beside.0.len() > 100 && beside.1.len() > 50, "{} terms, {} tag rows", beside.0.len(), beside.1.len());
        let usual = store
            .write(|db| {
                db.conn.execute("INSERT INTO lead_fts(lead_fts) VALUES ('delete-all')", [])?;
                db.conn.execute("DELETE FROM lead_tags", [])?;
                fill_search_index(db.conn, 0, COMPANIES_IN_MEMORY)?;
                tag_rows_from_leads(db.conn, 0)?;
                Ok(state(db.conn))
            })
            .unwrap();
        assert_eq!(beside, usual);
    }
}
