//! The search index and tag rows of a bulk load, built on a helper thread while the load writes its
//! leads. A load runs on one core, and indexing a million leads for search and writing their tag rows is
//! a third of it: the helper does both as the leads are written, into a scratch database of its own, and
//! the result is copied into the store in one pass each. Only for a load into an empty search index,
//! which the copy replaces.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use rusqlite::{Connection, params};

use super::bulk::{self, phone_terms};
use super::search::plain_spelt;
use super::{Result, StoreError};

/// Leads handed to the helper at a time, and batches it may fall behind by.
const BATCH_ROWS: usize = 4096;
const BATCHES_AHEAD: usize = 4;

/// The name the scratch database is attached under while it is copied.
const SCRATCH: &str = "leadline_index_build";
const SCRATCH_FILE: &str = "index.db";

/// What the search index and the tag rows hold of one lead (the columns the insert trigger reads).
pub struct IndexedLead<'a> {
    pub id: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub company: Option<&'a str>,
    pub title: Option<&'a str>,
    /// The tags as the lead's `tags` column holds them (its tag rows are made from it).
    pub tags: &'a str,
}

/// Leads for the helper: their texts end to end in one string (two allocations a batch, not a dozen a
/// lead: memory freed on another thread than the one that took it is slow to give back).
#[derive(Default)]
struct Batch {
    text: String,
    rows: Vec<Row>,
}

/// The texts of one lead in its batch: the seven search columns (the last its tags), then its id.
struct Row {
    seq: i64,
    ends: [u32; 8],
    /// Which search columns are NULL, one bit each.
    nulls: u8,
}

const TAGS: usize = 6;

const ID: usize = 7;

impl Batch {
    fn push(&mut self, seq: i64, l: &IndexedLead<'_>) {
        let texts = [Some(l.first_name), Some(l.last_name), l.email, l.phone, l.company, l.title, Some(l.tags)];
        let mut row = Row { seq, ends: [0; 8], nulls: 0 };
        for (i, t) in texts.into_iter().enumerate() {
            match t {
                Some(t) => self.text.push_str(t),
                None => row.nulls |= 1 << i,
            }
            row.ends[i] = self.text.len() as u32;
        }
        self.text.push_str(l.id);
        row.ends[ID] = self.text.len() as u32;
        self.rows.push(row);
    }

    /// Takes back the last lead.
    fn pop(&mut self) -> bool {
        if self.rows.pop().is_none() {
            return false;
        }
        self.text.truncate(self.start_of(self.rows.len()));
        true
    }

    /// Where row `at`'s first text starts.
    fn start_of(&self, at: usize) -> usize {
        at.checked_sub(1).map_or(0, |i| self.rows[i].ends[ID] as usize)
    }
}

/// The search index and tag rows under construction beside a bulk load.
pub struct IndexBuild {
    to_helper: Option<SyncSender<Batch>>,
    helper: Option<JoinHandle<Result<()>>>,
    batch: Batch,
    /// Leads handed over so far.
    pushed: u64,
    /// Holds the scratch database; removed when the build is dropped, or once attached by `detach`.
    dir: Option<tempfile::TempDir>,
}

impl IndexBuild {
    /// Starts the helper, unless the store's search index already holds leads (a copy would replace them).
    /// Call inside the load's transaction, with the search triggers lifted.
    pub fn start(conn: &Connection) -> Result<Option<Self>> {
        let empty: bool = conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM lead_fts_docsize)", [], |r| r.get(0))?;
        if !empty {
            return Ok(None);
        }
        let definitions: Vec<String> = conn
            .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name IN ('lead_fts', 'lead_tags')")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        // Beside the database, which has room for the index anyway (the system's temporary directory may
        // be small, or memory); without a helper the load builds the index itself. Scratch left by a load
        // of this database that was killed goes first: this transaction holds the database, so no other
        // load of it can be running.
        let dir = match conn.path().filter(|p| !p.is_empty()).map(std::path::Path::new) {
            Some(db) => {
                let prefix = scratch_prefix(db);
                let beside = db.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
                for stale in std::fs::read_dir(beside).into_iter().flatten().flatten() {
                    if stale.file_name().to_string_lossy().starts_with(&prefix) {
                        let _ = std::fs::remove_dir_all(stale.path());
                    }
                }
                super::private_temp_dir(&prefix, Some(beside))
            }
            None => super::private_temp_dir(".leadline-index-", None),
        };
        let dir = match dir {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "no scratch space for the index helper; the load builds its indexes itself");
                return Ok(None);
            }
        };
        let path = dir.path().join(SCRATCH_FILE);
        let (to_helper, batches) = sync_channel::<Batch>(BATCHES_AHEAD);
        let helper =
            std::thread::Builder::new().name("index-build".into()).spawn(move || build(&path, &definitions, batches));
        match helper {
            Ok(h) => Ok(Some(Self {
                to_helper: Some(to_helper),
                helper: Some(h),
                batch: Batch::default(),
                pushed: 0,
                dir: Some(dir),
            })),
            Err(e) => {
                tracing::warn!(error = %e, "cannot start the index helper; the load builds its indexes itself");
                Ok(None)
            }
        }
    }

    /// Hands over a lead just written as row `seq`. A batch leaves only when the next lead arrives, so the
    /// last lead can still be taken back (`rollback_to`).
    pub fn push(&mut self, seq: i64, lead: &IndexedLead<'_>) {
        if self.batch.rows.len() >= BATCH_ROWS {
            self.send();
        }
        self.batch.push(seq, lead);
        self.pushed += 1;
    }

    /// How many leads were handed over: a mark to come back to.
    pub fn mark(&self) -> u64 {
        self.pushed
    }

    /// Takes back the leads handed over since `mark` (their row was rolled back), at most the last one.
    pub fn rollback_to(&mut self, mark: u64) {
        while self.pushed > mark && self.batch.pop() {
            self.pushed -= 1;
        }
    }

    fn send(&mut self) {
        let batch = std::mem::take(&mut self.batch);
        // A helper that stopped says why when it is joined.
        if let Some(tx) = &self.to_helper {
            let _ = tx.send(batch);
        }
    }

    /// Waits for the helper, puts its search index in place of the store's (empty) one and, when it holds
    /// every live lead past `from_seq`, adds its tag rows. Call in the load's transaction before anything
    /// else touches the search index; `detach` once the transaction has ended. An error leaves the tag rows
    /// untouched and the search index to be emptied and filled again.
    pub fn copy_into(mut self, conn: &Connection, from_seq: i64) -> Result<()> {
        self.send();
        self.to_helper = None;
        let helper = self.helper.take().expect("joined once");
        helper.join().map_err(|_| StoreError::Refused("the index helper stopped".into()))??;
        // 'delete-all' also makes the search index part of this transaction and drops what this connection
        // remembers of it; the savepoint below relies on both.
        conn.execute("INSERT INTO lead_fts(lead_fts) VALUES ('delete-all')", [])?;
        let dir = self.dir.take().expect("attached once");
        conn.execute(&format!("ATTACH ?1 AS {SCRATCH}"), [dir.path().join(SCRATCH_FILE).to_string_lossy()])?;
        // Attached, the scratch database must outlive this build: `detach` removes it (a file removed while
        // attached turns the next statement that touches every database, ANALYZE say, into an error).
        let _ = dir.keep();
        conn.execute_batch(&format!(
            "DELETE FROM main.lead_fts_data;
             INSERT INTO main.lead_fts_data SELECT * FROM {SCRATCH}.lead_fts_data;
             INSERT INTO main.lead_fts_idx SELECT * FROM {SCRATCH}.lead_fts_idx;
             INSERT INTO main.lead_fts_docsize SELECT * FROM {SCRATCH}.lead_fts_docsize;"
        ))?;
        // The search index may still remember the empty index it had (SQLite only notices changes other
        // connections make). Rolling back to a savepoint makes it read its state again.
        conn.execute_batch(
            "SAVEPOINT leadline_index_reload; ROLLBACK TO leadline_index_reload; RELEASE leadline_index_reload;",
        )?;
        let indexed: i64 = conn.query_row("SELECT count(*) FROM lead_fts_docsize", [], |r| r.get(0))?;
        let live: i64 = conn.query_row(
            "SELECT count(*) FROM leads WHERE seq > ?1 AND deleted_at IS NULL AND forgotten_at IS NULL",
            [from_seq],
            |r| r.get(0),
        )?;
        if indexed != live {
            return Err(StoreError::Refused(format!("the helper indexed {indexed} leads of {live}")));
        }
        // Tag rows the load wrote itself (tags a duplicate added) stay; the helper's are the leads' own.
        conn.execute(&format!("INSERT OR IGNORE INTO main.lead_tags SELECT * FROM {SCRATCH}.lead_tags"), [])?;
        Ok(())
    }

    /// Detaches the scratch database once the load's transaction has ended (SQLite keeps it until then).
    pub fn detach(conn: &Connection) {
        let file: Option<String> =
            conn.query_row("SELECT file FROM pragma_database_list WHERE name = ?1", [SCRATCH], |r| r.get(0)).ok();
        if let Some(file) = file
            && conn.execute_batch(&format!("DETACH {SCRATCH}")).is_ok()
            && let Some(dir) = std::path::Path::new(&file).parent()
        {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

impl Drop for IndexBuild {
    /// A load that ends early stops its helper before the scratch database goes.
    fn drop(&mut self) {
        self.to_helper = None;
        if let Some(helper) = self.helper.take() {
            let _ = helper.join();
        }
    }
}

/// How the scratch directories of loads into the database at `db` are named.
fn scratch_prefix(db: &std::path::Path) -> String {
    format!(".{}.leadline-index-", db.file_name().map(|n| n.to_string_lossy()).unwrap_or_default())
}

/// The helper: indexes each lead for search and writes its tag rows, in the scratch database at `path`
/// made with the store's own `definitions` of the two tables.
fn build(path: &std::path::Path, definitions: &[String], batches: Receiver<Batch>) -> Result<()> {
    let conn = Connection::open(path)?;
    // The tag rows refer to leads that live in the store, not here.
    conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF;")?;
    for sql in definitions {
        conn.execute_batch(sql)?;
    }
    bulk::configure_for_fill(&conn)?;
    let tx = conn.unchecked_transaction()?;
    let mut index = conn.prepare(&format!(
        "INSERT INTO lead_fts(rowid, name, email, phone, company, title, tags)
         VALUES (?1, ?2 || ' ' || ?3 || ifnull(' ' || ?9, ''), ?4, {}, ?6 || ifnull(' ' || ?10, ''), ?7, ?8)",
        phone_terms("?5")
    ))?;
    let mut tag = conn.prepare("INSERT OR IGNORE INTO lead_tags (tag, lead_id) VALUES (?1, ?2)")?;
    for batch in batches {
        for (at, row) in batch.rows.iter().enumerate() {
            let start = batch.start_of(at);
            let text = |i: usize| {
                let from = if i == 0 { start } else { row.ends[i - 1] as usize };
                &batch.text[from..row.ends[i] as usize]
            };
            let column = |i: usize| (row.nulls & (1 << i) == 0).then(|| text(i));
            // The name and company spelt with plain letters too, as `plain_spelt_terms` indexes them.
            let plain_name = match (text(0), text(1)) {
                (first, last) if first.is_ascii() && last.is_ascii() => None,
                (first, last) => plain_spelt(&format!("{first} {last}")),
            };
            let plain_company = column(4).and_then(plain_spelt);
            index.execute(params![
                row.seq,
                column(0),
                column(1),
                column(2),
                column(3),
                column(4),
                column(5),
                column(6),
                plain_name,
                plain_company
            ])?;
            for t in bulk::tags_in_column(text(TAGS)) {
                tag.execute(params![t, text(ID)])?;
            }
        }
    }
    drop((index, tag));
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead<'a>(id: &'a str, first: &'a str, email: Option<&'a str>, phone: Option<&'a str>) -> IndexedLead<'a> {
        IndexedLead { id, first_name: first, last_name: "Ruiz", email, phone, company: None, title: None, tags: "" }
    }

    #[test]
    fn builds_beside_the_load_takes_back_a_rolled_back_lead_and_copies_in() {
        let tmp = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(tmp.path().join("m.db")).unwrap();
        crate::store::schema::migrate(&mut conn).unwrap();
        // As in a load: without reference checks, in a transaction, after this connection has read the
        // (empty) index.
        conn.pragma_update(None, "foreign_keys", "OFF").unwrap();
        conn.execute_batch("BEGIN").unwrap();
        conn.query_row("SELECT count(*) FROM lead_fts WHERE lead_fts MATCH 'ruiz'", [], |r| r.get::<_, i64>(0))
            .unwrap();
        // The leads themselves, written with the search triggers lifted.
        conn.execute_batch(
            "DROP TRIGGER leads_fts_insert;
             INSERT INTO leads (seq, id, team_id, first_name, last_name, created_at, updated_at) VALUES
                 (1, 'id-1', 't', 'Ana', 'Ruiz', 0, 0), (2, 'id-2', 't', 'Bo', 'Ruiz', 0, 0),
                 (3, 'id-3', 't', 'Carla', 'Ruiz', 0, 0);",
        )
        .unwrap();
        let mut build = IndexBuild::start(&conn).unwrap().expect("an empty index");
        build.push(1, &lead("id-1", "Ana", Some("ana@x.es"), None));
        let tagged = IndexedLead {
            company: Some("Northwind"),
            tags: "vip big\u{1f}fish",
            ..lead("id-2", "Bo", None, Some("(415) 555-0100"))
        };
        build.push(2, &tagged);
        let mark = build.mark();
        build.push(3, &IndexedLead { tags: "gone", ..lead("id-3", "Gone", None, None) });
        build.rollback_to(mark);
        build.push(3, &lead("id-3", "Carla", None, None));
        build.copy_into(&conn, 0).unwrap();
        conn.execute("INSERT INTO lead_fts(lead_fts) VALUES ('integrity-check')", []).unwrap();
        let find = |q: &str| -> Vec<i64> {
            let mut stmt = conn.prepare("SELECT rowid FROM lead_fts WHERE lead_fts MATCH ?1 ORDER BY rowid").unwrap();
            stmt.query_map([q], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
        };
        assert_eq!(find("ruiz"), [1, 2, 3]);
        assert_eq!(find("ana"), [1]);
        assert_eq!(find("northwind AND vip AND fish AND 4155550100"), [2]);
        assert_eq!(find("carla"), [3]);
        assert!(find("gone").is_empty());
        let tags: Vec<(String, String)> = conn
            .prepare("SELECT tag, lead_id FROM lead_tags ORDER BY lead_id, tag")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(tags, [("big fish".into(), "id-2".into()), ("vip".into(), "id-2".into())]);
        // The store's index takes writes as usual.
        conn.execute("INSERT INTO lead_fts(rowid, name) VALUES (4, 'Dmitri')", []).unwrap();
        assert_eq!(find("dmitri OR ana"), [1, 4]);
        conn.execute_batch("COMMIT").unwrap();
        IndexBuild::detach(&conn);
        let attached: i64 = conn
            .query_row("SELECT count(*) FROM pragma_database_list WHERE name = ?1", [SCRATCH], |r| r.get(0))
            .unwrap();
        assert_eq!(attached, 0);
        // A second load into a filled index fills it the usual way.
        assert!(IndexBuild::start(&conn).unwrap().is_none());
    }

    #[test]
    fn a_build_that_missed_a_lead_gives_way_to_the_usual_fill() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::schema::migrate(&mut conn).unwrap();
        conn.pragma_update(None, "foreign_keys", "OFF").unwrap();
        conn.execute_batch("BEGIN").unwrap();
        let lift = crate::store::bulk::Lift::begin(&conn, crate::store::bulk::Indexes::Keep).unwrap();
        let mut build = IndexBuild::start(&conn).unwrap().expect("an empty index");
        conn.execute_batch(
            "INSERT INTO leads (seq, id, team_id, first_name, last_name, tags, created_at, updated_at) VALUES
                 (1, 'id-1', 't', 'Ana', 'Ruiz', 'vip', 0, 0), (2, 'id-2', 't', 'Bo', 'Li', 'big\u{1f}fish q1', 0, 0);",
        )
        .unwrap();
        build.push(1, &IndexedLead { tags: "vip", ..lead("id-1", "Ana", None, None) });
        // Lead 2 never reached the helper.
        lift.restore_with(&conn, Some(build)).unwrap();
        let found: i64 = conn
            .query_row("SELECT count(*) FROM lead_fts WHERE lead_fts MATCH 'ruiz OR li'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(found, 2);
        let tags: Vec<String> = conn
            .prepare("SELECT tag || '|' || lead_id FROM lead_tags ORDER BY 1")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(tags, ["big fish|id-2", "q1|id-2", "vip|id-1"]);
        conn.execute("INSERT INTO lead_fts(lead_fts) VALUES ('integrity-check')", []).unwrap();
        // The scratch database attached before the build was found short goes too.
        conn.execute_batch("COMMIT").unwrap();
        let file: String =
            conn.query_row("SELECT file FROM pragma_database_list WHERE name = ?1", [SCRATCH], |r| r.get(0)).unwrap();
        IndexBuild::detach(&conn);
        assert!(!std::path::Path::new(&file).exists(), "{file}");
    }
}
