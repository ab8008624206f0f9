//! The writer's state for a run, and its bookkeeping: the duplicate keys, chunks, and what others wrote meanwhile.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;

use rusqlite::OptionalExtension;
use rusqlite::functions::FunctionFlags;

use super::calendar::CalendarScope;
use super::keys::{Bloom, KNOWN_LEADS, KeyTable, MergedPhones, known_keys, merged_emails, merged_phones, other_emails};
use super::matching::{NAME_COMPANY_FN, NAMES_DIFFER_FN};
use super::rejects::RejectRecord;
use super::{Action, Counts, ImportOptions};
use crate::domain::{AccountId, LeadId, Timestamp, UserId};
use crate::io::Result;
use crate::io::dedupe::name_company_key;
use crate::io::spill::Spill;
use crate::store::{Db, Store, bulk};

/// The indexes a load looks leads up by, lifted while the key table answers instead.
const LOOKUP_INDEXES: [&str; 3] = ["leads_by_email", "leads_by_phone", "leads_by_account"];

/// Reading every lead's duplicate keys first (one scan of the leads) pays off from a file of this fraction
/// of the team's leads: a row with a name and company is looked up through the search index, which costs
/// as much as ten to fifty leads read where many leads share the name's and company's words.
const READ_KEYS_PAST: i64 = 100;

/// Applies items inside the chunk's transaction, keeping the caches and counts of the run.
pub(super) struct Writer {
    pub(super) opts: ImportOptions,
    pub(super) run_id: String,
    hasher: std::collections::hash_map::RandomState,
    pub(super) bloom: Bloom,
    /// Every key is looked up in the database (`bloom` answers "maybe" to all): the leads' keys are not
    /// read first, nor learned as others write them.
    look_up_only: bool,
    /// During a bulk load: the duplicate keys in memory, while the look-up indexes are lifted.
    pub(super) keys: Option<KeyTable>,
    /// The lifted look-up indexes, built again at the chunk's end or when the key table cannot answer.
    lifted: Option<bulk::IndexLift>,
    /// Candidates of a look-up, reused.
    found: Vec<i64>,
    pub(super) accounts: HashMap<String, AccountId>,
    /// Members by the name or e-mail a row gave, with how an owner who is nobody here is listed (a row
    /// refused takes its listing back, not the look-up).
    pub(super) owners: HashMap<String, (Option<UserId>, Option<String>)>,
    pub counts: Counts,
    committed: Counts,
    pub(super) unknown_owners: Vec<String>,
    pub(super) kept_fields: Vec<&'static str>,
    pub(super) stages_placed: Vec<String>,
    pub(super) amounts_read: Vec<String>,
    pub(super) short_lines: Vec<u64>,
    /// What became of the team's name and time zone of a team export (None until its first member is read).
    pub(super) team_settings: Option<Vec<String>>,
    pub(super) unmatched: Vec<String>,
    pub(super) actions: Spill<Action>,
    /// The actions of a row running in a savepoint, until it is kept.
    pub(super) row_actions: Option<Vec<Action>>,
    pub(super) dry_rejects: Spill<RejectRecord>,
    /// Existing leads edited while the FTS triggers were lifted: their index rows are refreshed at chunk end.
    pub(super) touched_seqs: Vec<i64>,
    /// During a bulk load into an empty search index: that index and the new leads' tag rows, built
    /// beside the load.
    pub(super) indexes: Option<bulk::IndexBuild>,
    /// The highest lead row number the duplicate keys know of: rows past it were written by someone else
    /// (another import, a `lead add`) between this import's transactions.
    seen_seq: i64,
    /// SQLite's count of commits by other connections, and when the keys were last brought up to date:
    /// when it moves, leads others edited since then are learned too (a new e-mail on an old lead).
    data_version: i64,
    caught_up_at: i64,
    /// The name + company keys of the leads this chunk created (not yet in the search index), while the
    /// key table is not there to answer: up to `CHUNK_NAMES`.
    pub(super) chunk_names: HashMap<String, Vec<LeadId>>,
    /// The lead a name and company matched earlier in the run (`weak_match`): up to `WEAK_KNOWN`.
    pub(super) weak_known: HashMap<String, (LeadId, i64)>,
    rng: fastrand::Rng,
    /// A bulk load: one transaction whose changes are not announced row by row (like demo data, a million
    /// change notices would not fit the memory budget).
    pub bulk: bool,
    /// What a row the reader rejects was meant to be: a lead, or a meeting of a calendar.
    pub(super) rows_are: &'static str,
    /// The e-mails of leads merged into others (kept as removed rows), and the lead each went into.
    pub(super) merged_emails: HashMap<u64, (String, LeadId)>,
    /// The phones of leads merged into others, the lead each went into, and the merged lead's name key.
    pub(super) merged_phones: MergedPhones,
    /// The leads on each switchboard's number met so far (by its first key): by name key, the earliest one's
    /// creation time, id, and whether it has an e-mail.
    pub(super) switchboards: HashMap<String, HashMap<String, (i64, String, bool)>>,
    /// The current row's phone is a lead's that its e-mail or name says is someone else, or may be: staged,
    /// not merged. With whether the name is the same (another address of the person's, most likely).
    pub(super) phone_namesake: Option<(LeadId, bool)>,
    /// Rows of this run staged against each lead of the same name and company: a name that many leads have
    /// is a placeholder's ("Accounts Payable"), which `dedupe` pairs nobody by, so it stages nothing.
    pub(super) staged_against: HashMap<LeadId, usize>,
    /// The hashed addresses of people who asked to be forgotten: a row with one is rejected.
    pub(super) forgotten: std::collections::HashSet<String>,
    /// A calendar import's view of the whole file.
    pub(super) calendar: Option<CalendarScope>,
    /// Meetings of a moved series that took a new occurrence's key, by lead and the key they had: the file
    /// no longer has that key, and its drop is already done.
    pub(super) moved_occurrences: HashSet<(LeadId, String)>,
    /// Whether the lead had meetings of a series (by its UID) when this run first met the two.
    pub(super) series_before: HashMap<(LeadId, String), bool>,
    /// The interrupted run this one goes on from (a dry run of it has an id of its own): the deals its rows
    /// made or found are taken.
    pub(super) resumed_run: Option<String>,
    /// Where the file's deal ids come from: its preset ("pipedrive"), or its format.
    pub(super) source_scope: String,
    /// The current row's deal had values the file says otherwise, which a merge kept.
    pub(super) deal_values_kept: bool,
}

impl Writer {
    /// `rows` is how many rows the file may hold; `in_memory` asks for the key table (a bulk CSV load).
    pub(super) fn new(
        store: &Store,
        opts: &ImportOptions,
        run_id: &str,
        rows: u64,
        existing: i64,
        in_memory: bool,
    ) -> Result<Self> {
        // The weak key in SQL, for confirming candidates (SQLite's lower() knows no accents). Nothing in the
        // schema refers to it; it lives on this connection only.
        store.conn().create_scalar_function(
            NAME_COMPANY_FN,
            3,
            FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
            |ctx| {
                let part = |i| ctx.get::<Option<String>>(i).map(Option::unwrap_or_default);
                Ok(name_company_key(&part(0)?, &part(1)?, &part(2)?))
            },
        )?;
        let expected = existing as usize * 3 + rows as usize * 3;
        let hasher = std::collections::hash_map::RandomState::new();
        // A few rows into a large team: each row's keys are looked up in the indexes, cheaper than reading
        // every lead's keys first (a card imported into a million leads waited 5-8 s for that).
        let look_up_only = !in_memory && (rows as i64).saturating_mul(READ_KEYS_PAST) < existing;
        let mut bloom = if look_up_only { Bloom::saturated() } else { Bloom::new(expected) };
        let mut keys = in_memory.then(|| KeyTable::new(expected));
        let mut seen_seq = 0;
        if look_up_only {
            seen_seq = store.conn().query_row("SELECT ifnull(max(seq), 0) FROM leads", [], |r| r.get(0))?;
        } else if existing > 0 {
            let mut stmt =
                store.conn().prepare(&format!("{KNOWN_LEADS} WHERE l.team_id = ?1 AND l.deleted_at IS NULL"))?;
            let mut rows = stmt.query([store.ctx().team_id.as_str()])?;
            while let Some(r) = rows.next()? {
                let seq: i64 = r.get(0)?;
                seen_seq = seen_seq.max(seq);
                for h in known_keys(&hasher, r)? {
                    bloom.insert(h);
                    if keys.as_mut().is_some_and(|t| !t.insert(h, seq)) {
                        keys = None;
                    }
                }
            }
        }
        let merged_emails = merged_emails(store.conn(), store.ctx().team_id.as_str(), &hasher)?;
        let merged_phones = merged_phones(store.conn(), store.ctx().team_id.as_str(), &hasher)?;
        store.conn().create_scalar_function(
            NAMES_DIFFER_FN,
            5,
            rusqlite::functions::FunctionFlags::SQLITE_UTF8 | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC,
            |ctx| {
                use crate::domain::text::{given_name, names_differ};
                let text =
                    |i: usize| -> rusqlite::Result<String> { Ok(ctx.get::<Option<String>>(i)?.unwrap_or_default()) };
                let (first, last, email) = (text(0)?, text(1)?, ctx.get::<Option<String>>(2)?);
                Ok(names_differ(given_name(&first, &last, email.as_deref()), (&text(3)?, &text(4)?)))
            },
        )?;
        // Other e-mails go in the Bloom filter under a kind of their own: a row's address is looked up in
        // `lead_emails` only when it may be one.
        if !look_up_only {
            for h in other_emails(store.conn(), store.ctx().team_id.as_str(), &hasher)? {
                bloom.insert(h);
            }
        }
        Ok(Self {
            opts: opts.clone(),
            run_id: run_id.to_string(),
            hasher,
            bloom,
            look_up_only,
            keys,
            lifted: None,
            found: Vec::new(),
            accounts: HashMap::new(),
            owners: HashMap::new(),
            counts: Counts::default(),
            committed: Counts::default(),
            unknown_owners: Vec::new(),
            kept_fields: Vec::new(),
            stages_placed: Vec::new(),
            amounts_read: Vec::new(),
            short_lines: Vec::new(),
            team_settings: None,
            unmatched: Vec::new(),
            actions: Spill::default(),
            row_actions: None,
            dry_rejects: Spill::default(),
            touched_seqs: Vec::new(),
            indexes: None,
            chunk_names: HashMap::new(),
            weak_known: HashMap::new(),
            seen_seq,
            data_version: store.conn().pragma_query_value(None, "data_version", |r| r.get(0))?,
            caught_up_at: store.now().0,
            bulk: false,
            rows_are: "leads",
            merged_emails,
            merged_phones,
            phone_namesake: None,
            switchboards: HashMap::new(),
            staged_against: HashMap::new(),
            forgotten: crate::store::forgotten::hashes(&store.db())?,
            calendar: None,
            moved_occurrences: HashSet::new(),
            series_before: HashMap::new(),
            deal_values_kept: false,
            resumed_run: None,
            source_scope: String::new(),
            // The low 64 bits of a v7 id are random: a seed from the system once.
            rng: fastrand::Rng::with_seed(uuid::Uuid::now_v7().as_u128() as u64),
        })
    }

    pub(super) fn hash(&self, kind: &str, key: &str) -> u64 {
        self.hasher.hash_one((kind, key))
    }

    /// Learns the keys of leads written by others since the keys were last brought up to date. Called at
    /// the start of each transaction, which holds the database: nobody else writes until it ends.
    pub(super) fn catch_up(&mut self, db: &Db<'_>) -> crate::store::Result<()> {
        // New rows by their row numbers (through the primary key); rows edited since the last look by
        // their time too, a scan made only when another connection has written.
        let version: i64 = db.conn.pragma_query_value(None, "data_version", |r| r.get(0))?;
        let team = db.ctx.team_id.as_str();
        if self.look_up_only {
            if version != self.data_version {
                self.merged_emails = merged_emails(db.conn, team, &self.hasher)?;
                self.merged_phones = merged_phones(db.conn, team, &self.hasher)?;
                self.data_version = version;
            }
            return Ok(());
        }
        let mut learned: Vec<(u64, i64)> = Vec::new();
        let mut last = self.seen_seq;
        let mut learn = |sql: &str, args: &[&dyn rusqlite::ToSql]| -> crate::store::Result<()> {
            let mut stmt = db.conn.prepare_cached(sql)?;
            let mut rows = stmt.query(args)?;
            while let Some(r) = rows.next()? {
                let seq: i64 = r.get(0)?;
                last = last.max(seq);
                learned.extend(known_keys(&self.hasher, r)?.into_iter().map(|h| (h, seq)));
            }
            Ok(())
        };
        learn(
            &format!("{KNOWN_LEADS} WHERE l.seq > ?1 AND l.team_id = ?2 AND l.deleted_at IS NULL"),
            &[&self.seen_seq, &team],
        )?;
        if version != self.data_version {
            learn(
                &format!(
                    "{KNOWN_LEADS} WHERE l.updated_at >= ?1 AND l.seq <= ?3 AND l.team_id = ?2 AND l.deleted_at IS NULL"
                ),
                &[&self.caught_up_at, &team, &self.seen_seq],
            )?;
        }
        for (h, seq) in learned {
            self.remember(db, h, seq)?;
        }
        if version != self.data_version {
            // Leads merged by someone else meanwhile, and addresses given to leads.
            self.merged_emails = merged_emails(db.conn, team, &self.hasher)?;
            self.merged_phones = merged_phones(db.conn, team, &self.hasher)?;
            for h in other_emails(db.conn, team, &self.hasher)? {
                self.bloom.insert(h);
            }
        }
        self.seen_seq = last;
        self.data_version = version;
        self.caught_up_at = db.now.0;
        Ok(())
    }

    /// Lifts the look-up indexes when the key table is there to answer instead (start of a chunk).
    pub(super) fn lift_lookups(&mut self, db: &Db<'_>) -> crate::store::Result<()> {
        if self.keys.is_some() && self.lifted.is_none() {
            self.lifted = Some(bulk::IndexLift::begin(db.conn, &LOOKUP_INDEXES)?);
        }
        Ok(())
    }

    /// Builds the lifted look-up indexes and leaves the key table: from here on, rows are looked up in the
    /// database (at a chunk's end, when the table is full, or for a look-up it cannot answer).
    pub(super) fn restore_lookups(&mut self, db: &Db<'_>) -> crate::store::Result<()> {
        self.keys = None;
        match self.lifted.take() {
            Some(l) => l.restore(db.conn),
            None => Ok(()),
        }
    }

    /// Records a key of lead `seq`: in the Bloom filter, and in the key table while there is one.
    pub(super) fn remember(&mut self, db: &Db<'_>, h: u64, seq: i64) -> crate::store::Result<()> {
        self.seen_seq = self.seen_seq.max(seq);
        self.bloom.insert(h);
        if let Some(t) = self.keys.as_mut()
            && !t.insert(h, seq)
        {
            self.restore_lookups(db)?;
        }
        Ok(())
    }

    /// Of the leads the key table names for these hashes, the earliest created that `sql` confirms;
    /// `sql` takes the row number as ?1 and `rest` after it, and returns the id and created_at.
    pub(super) fn confirm(
        &mut self,
        db: &Db<'_>,
        hashes: &[u64],
        sql: &str,
        rest: &[&dyn rusqlite::ToSql],
    ) -> crate::store::Result<Option<String>> {
        let mut found = std::mem::take(&mut self.found);
        found.clear();
        if let Some(t) = &self.keys {
            for h in hashes {
                t.candidates(*h, &mut found);
            }
        }
        let mut best: Option<(i64, String)> = None;
        let mut stmt = db.conn.prepare_cached(sql)?;
        for seq in &found {
            let mut p: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(rest.len() + 1);
            p.push(seq);
            p.extend_from_slice(rest);
            let hit: Option<(String, i64)> = stmt.query_row(&*p, |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
            if let Some((id, created)) = hit
                && best.as_ref().is_none_or(|(c, _)| created < *c)
            {
                best = Some((created, id));
            }
        }
        self.found = found;
        Ok(best.map(|(_, id)| id))
    }

    /// Puts the current keys of an existing lead the import changed into the Bloom filter (and the key
    /// table while there is one): a later row with its new e-mail is the same person.
    pub(super) fn remember_lead(&mut self, db: &Db<'_>, id: &LeadId) -> crate::store::Result<()> {
        type Keys = (i64, Option<String>, Option<String>, Option<String>);
        let (seq, e, p, n): Keys = db
            .conn
            .prepare_cached(
                "SELECT l.seq, l.email_key, l.phone_key, l.first_name, l.last_name, a.name
                 FROM leads l LEFT JOIN accounts a ON a.id = l.account_id WHERE l.id = ?1",
            )?
            .query_row([id.as_str()], |r| {
                let company: Option<String> = r.get(5)?;
                let (f, l): (String, String) = (r.get(3)?, r.get(4)?);
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, company.map(|c| name_company_key(&f, &l, &c))))
            })?;
        for (kind, key) in [("e", e), ("p", p), ("n", n)] {
            if let Some(k) = key {
                let h = self.hash(kind, &k);
                self.remember(db, h, seq)?;
            }
        }
        Ok(())
    }

    /// A UUID v7 for a new lead: the time part from the clock, the rest from a generator seeded once
    /// (a system random call per row is a measurable share of a million-row import).
    pub(super) fn new_id(&mut self, now: Timestamp) -> LeadId {
        let mut bytes = [0u8; 10];
        self.rng.fill(&mut bytes);
        LeadId(uuid::Builder::from_unix_timestamp_millis(now.0.max(0) as u64, &bytes).into_uuid().to_string())
    }

    pub(super) fn commit_chunk(&mut self) {
        self.committed = self.counts.clone();
        self.chunk_names.clear();
    }

    pub(super) fn rollback_chunk(&mut self) {
        self.counts = self.committed.clone();
        // Cached account ids may point at rows that were rolled back, and so may the key table.
        self.accounts.clear();
        self.switchboards.clear();
        self.keys = None;
        self.lifted = None;
        self.touched_seqs.clear();
        self.indexes = None;
        self.chunk_names.clear();
    }

    /// Refreshes the index rows of existing leads edited while the triggers were lifted.
    pub(super) fn reindex(&mut self, db: &Db<'_>) -> crate::store::Result<()> {
        for seq in std::mem::take(&mut self.touched_seqs) {
            bulk::reindex_lead(db.conn, seq)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::import::Item;
    use crate::io::record::LeadRow;

    /// Another connection gives an old lead an e-mail between two chunks of an import: a later row with
    /// that e-mail is the same person, though the import learned the leads' keys before the edit.
    #[test]
    fn a_lead_edited_by_someone_else_between_chunks_is_matched_by_its_new_email() {
        use crate::domain::Clock;
        use crate::store::leads::{self, LeadPatch, NewLead};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let config = crate::config::Config::defaults();
        let at = |ms: i64| Clock::Fixed(Timestamp(1_764_072_000_000 + ms));
        let mut store = Store::open(&path, &config, at(0)).unwrap();
        let ana = store
            .write(|db| {
                leads::create(db, NewLead { first_name: "Ana".into(), last_name: "Ruiz".into(), ..Default::default() })
            })
            .unwrap();
        let mut writer = Writer::new(&store, &ImportOptions::default(), "run", 10, 1, false).unwrap();
        let mut other = Store::open(&path, &config, at(60_000)).unwrap();
        other
            .write(|db| leads::update(db, &ana, LeadPatch { email: Some("ana@acme.es".into()), ..Default::default() }))
            .unwrap();
        let row =
            LeadRow { line: 2, first_name: "Ana".into(), emails: vec!["ANA@acme.es".into()], ..Default::default() };
        store
            .write(|db| {
                writer.catch_up(db)?;
                writer.apply(db, Ok(Some(Item::Lead(Box::new(row)))))
            })
            .unwrap();
        assert_eq!(writer.counts.leads.created, 0, "{:?}", writer.counts.leads);
        let leads: i64 = store.conn().query_row("SELECT count(*) FROM leads", [], |r| r.get(0)).unwrap();
        assert_eq!(leads, 1);
    }
}
