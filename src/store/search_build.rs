//! The search index of a bulk load, built on a helper thread while the load writes its rows. A load runs
//! on one core, and indexing a million leads for search is a fifth of it: the helper tokenises each lead
//! as it is written, into a scratch database of its own, and the finished index is copied into the
//! store's in one pass. Only for a load into an empty search index, which the copy replaces.

use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

use rusqlite::{Connection, params};

use super::bulk::{self, phone_terms};
use super::{Result, StoreError};

/// Leads handed to the helper at a time, and batches it may fall behind by.
const BATCH_ROWS: usize = 4096;
const BATCHES_AHEAD: usize = 4;

/// The name the scratch database is attached under while its index is copied.
const SCRATCH: &str = "leadline_search_build";

/// What the search index holds of one lead (the columns the insert trigger reads).
pub struct SearchFields<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub company: Option<&'a str>,
    pub title: Option<&'a str>,
    pub tags: &'a str,
}

/// Leads for the helper: their texts end to end in one string (two allocations a batch, not seven a lead:
/// memory freed on another thread than the one that took it is slow to give back).
#[derive(Default)]
struct Batch {
    text: String,
    rows: Vec<Row>,
}

struct Row {
    seq: i64,
    /// Where each of the seven texts ends in `text`.
    ends: [u32; 7],
    /// Which of them are NULL, one bit each.
    nulls: u8,
}

impl Batch {
    fn push(&mut self, seq: i64, f: &SearchFields<'_>) {
        let texts = [Some(f.first_name), Some(f.last_name), f.email, f.phone, f.company, f.title, Some(f.tags)];
        let mut row = Row { seq, ends: [0; 7], nulls: 0 };
        for (i, t) in texts.into_iter().enumerate() {
            match t {
                Some(t) => self.text.push_str(t),
                None => row.nulls |= 1 << i,
            }
            row.ends[i] = self.text.len() as u32;
        }
        self.rows.push(row);
    }
}

/// A search index under construction beside a bulk load.
pub struct SearchIndexBuild {
    to_helper: Option<SyncSender<Batch>>,
    helper: Option<JoinHandle<Result<()>>>,
    batch: Batch,
    /// Leads handed over so far.
    pushed: u64,
    /// Holds the scratch database; removed when the build is dropped.
    dir: tempfile::TempDir,
}

impl SearchIndexBuild {
    /// Starts the helper, unless the store's search index already holds leads (a copy would replace them).
    /// Call inside the load's transaction, with the search triggers lifted.
    pub fn start(conn: &Connection) -> Result<Option<Self>> {
        let empty: bool = conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM lead_fts_docsize)", [], |r| r.get(0))?;
        if !empty {
            return Ok(None);
        }
        let definition: String =
            conn.query_row("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'lead_fts'", [], |r| {
                r.get(0)
            })?;
        let dir = tempfile::tempdir().map_err(|e| StoreError::Refused(format!("no scratch space: {e}")))?;
        let path = dir.path().join("search.db");
        let (to_helper, batches) = sync_channel::<Batch>(BATCHES_AHEAD);
        let helper = std::thread::Builder::new()
            .name("search-index".into())
            .spawn(move || -> Result<()> {
                let conn = Connection::open(&path)?;
                conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")?;
                conn.execute_batch(&definition)?;
                bulk::configure_for_fill(&conn)?;
                let tx = conn.unchecked_transaction()?;
                let mut insert = conn.prepare(&format!(
                    "INSERT INTO lead_fts(rowid, name, email, phone, company, title, tags)
                     VALUES (?1, ?2 || ' ' || ?3, ?4, {}, ?6, ?7, ?8)",
                    phone_terms("?5")
                ))?;
                for batch in batches {
                    let mut start = 0usize;
                    for row in &batch.rows {
                        let field = |i: usize| {
                            let from = if i == 0 { start } else { row.ends[i - 1] as usize };
                            (row.nulls & (1 << i) == 0).then(|| &batch.text[from..row.ends[i] as usize])
                        };
                        insert.execute(params![
                            row.seq,
                            field(0),
                            field(1),
                            field(2),
                            field(3),
                            field(4),
                            field(5),
                            field(6)
                        ])?;
                        start = row.ends[6] as usize;
                    }
                }
                drop(insert);
                tx.commit()?;
                Ok(())
            })
            .map_err(|e| StoreError::Refused(format!("cannot start the search-index helper: {e}")))?;
        Ok(Some(Self { to_helper: Some(to_helper), helper: Some(helper), batch: Batch::default(), pushed: 0, dir }))
    }

    /// Hands over a lead just written as row `seq`. A batch leaves only when the next lead arrives, so the
    /// last lead can still be taken back (`rollback_to`).
    pub fn push(&mut self, seq: i64, fields: &SearchFields<'_>) {
        if self.batch.rows.len() >= BATCH_ROWS {
            self.send();
        }
        self.batch.push(seq, fields);
        self.pushed += 1;
    }

    /// How many leads were handed over: a mark to come back to.
    pub fn mark(&self) -> u64 {
        self.pushed
    }

    /// Takes back the leads handed over since `mark` (their row was rolled back), at most the last one.
    pub fn rollback_to(&mut self, mark: u64) {
        while self.pushed > mark && self.batch.rows.pop().is_some() {
            self.pushed -= 1;
            let end = self.batch.rows.last().map_or(0, |r| r.ends[6] as usize);
            self.batch.text.truncate(end);
        }
    }

    fn send(&mut self) {
        let batch = std::mem::take(&mut self.batch);
        // A helper that stopped says why when it is joined.
        if let Some(tx) = &self.to_helper {
            let _ = tx.send(batch);
        }
    }

    /// Waits for the helper and puts its index in place of the store's (empty) one. Call in the load's
    /// transaction before anything else touches the search index; `detach` once it has ended.
    pub fn copy_into(mut self, conn: &Connection) -> Result<()> {
        self.send();
        self.to_helper = None;
        let helper = self.helper.take().expect("joined once");
        helper.join().map_err(|_| StoreError::Refused("the search-index helper failed".into()))??;
        // 'delete-all' also drops what this connection remembers of the index, so it reads the copy afresh.
        conn.execute("INSERT INTO lead_fts(lead_fts) VALUES ('delete-all')", [])?;
        conn.execute("ATTACH ?1 AS leadline_search_build", [self.dir.path().join("search.db").to_string_lossy()])?;
        conn.execute_batch(&format!(
            "DELETE FROM main.lead_fts_data;
             INSERT INTO main.lead_fts_data SELECT * FROM {SCRATCH}.lead_fts_data;
             INSERT INTO main.lead_fts_idx SELECT * FROM {SCRATCH}.lead_fts_idx;
             INSERT INTO main.lead_fts_docsize SELECT * FROM {SCRATCH}.lead_fts_docsize;"
        ))?;
        // This connection's search index still remembers the empty index (SQLite only notices changes other
        // connections make). Rolling back to a savepoint makes it read its state again.
        conn.execute_batch(
            "SAVEPOINT leadline_search_reload; ROLLBACK TO leadline_search_reload; RELEASE leadline_search_reload;",
        )?;
        Ok(())
    }

    /// Detaches the scratch database once the load's transaction has ended (SQLite keeps it until then).
    pub fn detach(conn: &Connection) {
        let attached: bool = conn
            .query_row("SELECT count(*) FROM pragma_database_list WHERE name = ?1", [SCRATCH], |r| r.get(0))
            .unwrap_or(false);
        if attached {
            let _ = conn.execute_batch(&format!("DETACH {SCRATCH}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead<'a>(first: &'a str, email: Option<&'a str>, phone: Option<&'a str>) -> SearchFields<'a> {
        SearchFields { first_name: first, last_name: "Ruiz", email, phone, company: None, title: None, tags: "" }
    }

    #[test]
    fn builds_beside_the_load_takes_back_a_rolled_back_lead_and_copies_in() {
        let tmp = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(tmp.path().join("m.db")).unwrap();
        crate::store::schema::migrate(&mut conn).unwrap();
        // As in a load: in a transaction, after this connection has read the (empty) index.
        conn.execute_batch("BEGIN").unwrap();
        conn.query_row("SELECT count(*) FROM lead_fts WHERE lead_fts MATCH 'ruiz'", [], |r| r.get::<_, i64>(0))
            .unwrap();
        let mut build = SearchIndexBuild::start(&conn).unwrap().expect("an empty index");
        build.push(1, &lead("Ana", Some("ana@x.es"), None));
        let company =
            SearchFields { company: Some("Northwind"), tags: "vip q1", ..lead("Bo", None, Some("(415) 555-0100")) };
        build.push(2, &company);
        let mark = build.mark();
        build.push(3, &lead("Gone", None, None));
        build.rollback_to(mark);
        build.push(3, &lead("Carla", None, None));
        build.copy_into(&conn).unwrap();
        SearchIndexBuild::detach(&conn);
        conn.execute("INSERT INTO lead_fts(lead_fts) VALUES ('integrity-check')", []).unwrap();
        let find = |q: &str| -> Vec<i64> {
            let mut stmt = conn.prepare("SELECT rowid FROM lead_fts WHERE lead_fts MATCH ?1 ORDER BY rowid").unwrap();
            stmt.query_map([q], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
        };
        assert_eq!(find("ruiz"), [1, 2, 3]);
        assert_eq!(find("ana"), [1]);
        assert_eq!(find("northwind AND vip AND 4155550100"), [2]);
        assert_eq!(find("carla"), [3]);
        assert!(find("gone").is_empty());
        // The store's index now takes writes as usual.
        conn.execute("INSERT INTO lead_fts(rowid, name) VALUES (4, 'Dmitri')", []).unwrap();
        assert_eq!(find("dmitri OR ana"), [1, 4]);
        // A second load into a filled index fills it the usual way.
        assert!(SearchIndexBuild::start(&conn).unwrap().is_none());
    }
}
