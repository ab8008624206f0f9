//! SQLite storage: opening and migrating the database, and one repository module per aggregate.
//!
//! Reads go through `Store::db()`; every write goes through `Store::write`, which runs it in one
//! transaction together with the change hooks (scoring, automations) it triggers.

pub mod accounts;
pub mod backup;
pub mod bulk;
pub mod contact;
pub mod deals;
mod error;
pub mod events;
pub mod followups;
pub mod forgotten;
pub mod import_lock;
pub mod inbox;
mod index_build;
pub mod lead_emails;
pub mod leads;
pub mod meetings;
pub mod notes;
pub mod outreach;
pub mod schema;
pub mod search;
pub mod tasks;
pub mod teams;
pub mod timeline;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono_tz::Tz;
use rusqlite::{Connection, OpenFlags};

use crate::config::Config;
use crate::domain::{Clock, DealId, LeadId, MeetingId, OutreachId, Stages, TaskId, TeamId, Timestamp, UserId};

pub use error::{Result, StoreError, damaged};

/// Who is working and under which team rules: every query is scoped by `team_id`.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub team_id: TeamId,
    pub team_name: String,
    pub user_id: UserId,
    pub user_name: String,
    pub tz: Tz,
    pub stages: Stages,
    pub currency: String,
    /// The country a phone number written without its calling code is in (`[import] default_country`), so
    /// that a command refuses a forgotten person's number typed nationally, as an import of it does.
    pub country: Option<String>,
}

/// Something a write changed; hooks react to it inside the same transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    LeadCreated(LeadId),
    LeadEdited(LeadId),
    /// Tags the lead did not have before (beside the `LeadEdited` of the same write).
    TagsAdded {
        lead: LeadId,
        tags: Vec<String>,
    },
    LeadRemoved(LeadId),
    /// A lead folded into another (`dedupe`), beside the removal of the one and the edit of the other: what
    /// the two were owed is the one person's now.
    LeadsMerged {
        kept: LeadId,
        gone: LeadId,
    },
    /// A customer churned (`lead churn`, or an edit marking them churned): once per churn, where an edit of a
    /// lead that stays churned is only a `LeadEdited`.
    CustomerChurned(LeadId),
    OutreachLogged {
        lead: LeadId,
        outreach: OutreachId,
    },
    OutreachEdited {
        lead: LeadId,
        outreach: OutreachId,
    },
    OutreachRemoved {
        lead: LeadId,
        outreach: OutreachId,
    },
    MeetingScheduled {
        lead: LeadId,
        meeting: MeetingId,
        /// Booked now (by the rep, or by an invitation a calendar brings), not copied from another
        /// database with the history it already had there.
        booked_now: bool,
    },
    /// Taken away (a calendar imported again: the event was cancelled, the lead declined it).
    MeetingRemoved {
        lead: LeadId,
        meeting: MeetingId,
    },
    MeetingMarked {
        lead: LeadId,
        meeting: MeetingId,
        attended: bool,
        /// How it was marked before (None: not yet).
        was: Option<bool>,
    },
    DealCreated {
        lead: LeadId,
        deal: DealId,
        /// The stage was chosen by whoever made the deal (rules do not move it on at once).
        stage_chosen: bool,
    },
    DealMoved {
        lead: LeadId,
        deal: DealId,
        from: String,
        to: String,
    },
    TaskChanged {
        lead: Option<LeadId>,
        task: TaskId,
    },
    NoteAdded {
        lead: Option<LeadId>,
    },
}

impl Change {
    /// The lead whose derived fields (score, last contact) may need refreshing.
    pub fn lead(&self) -> Option<&LeadId> {
        match self {
            Change::LeadCreated(l) | Change::LeadEdited(l) | Change::LeadRemoved(l) | Change::CustomerChurned(l) => {
                Some(l)
            }
            Change::OutreachLogged { lead, .. }
            | Change::OutreachEdited { lead, .. }
            | Change::OutreachRemoved { lead, .. }
            | Change::MeetingScheduled { lead, .. }
            | Change::MeetingRemoved { lead, .. }
            | Change::MeetingMarked { lead, .. }
            | Change::DealCreated { lead, .. }
            | Change::DealMoved { lead, .. }
            | Change::TagsAdded { lead, .. } => Some(lead),
            Change::LeadsMerged { kept, .. } => Some(kept),
            Change::TaskChanged { lead, .. } | Change::NoteAdded { lead } => lead.as_ref(),
        }
    }
}

/// Reacts to changes inside the writing transaction (rescoring, automations).
pub trait ChangeHook: Send + Sync {
    fn on_change(&self, db: &Db<'_>, change: &Change) -> Result<()>;
}

/// A connection (or open transaction) plus the team context and the current instant.
pub struct Db<'a> {
    pub conn: &'a Connection,
    pub ctx: &'a Ctx,
    pub now: Timestamp,
    changes: RefCell<Vec<Change>>,
    history: std::cell::Cell<bool>,
    /// The hooks of the write this is (none for a read view).
    hooks: &'a [Arc<dyn ChangeHook>],
}

impl<'a> Db<'a> {
    pub fn new(conn: &'a Connection, ctx: &'a Ctx, now: Timestamp) -> Self {
        Self { conn, ctx, now, changes: RefCell::new(Vec::new()), history: std::cell::Cell::new(false), hooks: &[] }
    }

    /// Runs the hooks for every change recorded so far (and those they record in turn), as a write does at
    /// its end. A long write (a million-row import) calls it now and then, between rows, so the changes it
    /// records are not all held until it ends.
    pub fn settle(&self) -> Result<()> {
        // Hooks may emit further changes (an automation moving a deal); bounded so a rule loop cannot hang.
        for _round in 0..8 {
            let changes = self.take_changes();
            if changes.is_empty() {
                break;
            }
            for change in &changes {
                for hook in self.hooks {
                    hook.on_change(self, change)?;
                }
            }
        }
        Ok(())
    }

    /// How many changes wait for the hooks.
    pub fn pending_changes(&self) -> usize {
        self.changes.borrow().len()
    }

    /// Marks this write as bringing in history (an import): what it records already happened elsewhere, so
    /// automations do not act on it and inbound touches file nothing in the inbox. Scores still follow.
    pub fn mark_history(&self) {
        self.history.set(true);
    }

    pub fn is_history(&self) -> bool {
        self.history.get()
    }

    /// Records a change for the hooks to see before the transaction commits.
    pub fn emit(&self, change: Change) {
        self.changes.borrow_mut().push(change);
    }

    /// How many changes are recorded: a savepoint rolled back takes its own back (`forget_changes_since`).
    pub fn changes_mark(&self) -> usize {
        self.changes.borrow().len()
    }

    pub fn forget_changes_since(&self, mark: usize) {
        self.changes.borrow_mut().truncate(mark);
    }

    fn take_changes(&self) -> Vec<Change> {
        std::mem::take(&mut *self.changes.borrow_mut())
    }
}

pub struct Store {
    conn: Connection,
    ctx: Ctx,
    clock: Clock,
    path: PathBuf,
    hooks: Vec<Arc<dyn ChangeHook>>,
}

impl Store {
    /// Opens (creating if needed, readable by the owner only) and migrates the database at `path`,
    /// then makes sure the configured team and user exist.
    pub fn open(path: &Path, config: &Config, clock: Clock) -> Result<Self> {
        let open_err = |message: String| StoreError::Open { path: path.display().to_string(), message };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| open_err(format!("cannot create its folder: {e}")))?;
        }
        create_private(path).map_err(|e| open_err(e.to_string()))?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| open_err(e.to_string()))?;
        // Switching a new file to WAL needs it to itself for a moment: another process creating it at the
        // same time makes that busy (without waiting), so it is tried again, for about as long as a busy
        // wait lasts (an import holding the database would keep it busy for minutes).
        let mut tries = 0;
        let started = std::time::Instant::now();
        let configured = loop {
            match configure(&conn) {
                Err(e)
                    if tries < 20
                        && started.elapsed() < BUSY_TIMEOUT
                        && e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) =>
                {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50 * tries));
                }
                other => break other,
            }
        };
        configured.map_err(|e| match in_words(path, StoreError::from(e)) {
            StoreError::Sqlite(e) => open_err(open_failure(&e)),
            StoreError::Damaged(e) => open_err(error::damaged(&e)),
            StoreError::ReadOnly(cause) => open_err(cause),
            other => other,
        })?;
        // Two processes opening a new (or older) database at once: one migrates it, the other's attempt
        // fails on what the first made (or waits on it), and finds the schema up to date once the first has
        // committed. Any other failure is reported after that one look.
        let mut tries = 0;
        while let Err(e) = schema::migrate(&mut conn) {
            // A database newer than this leadline is not a race.
            if tries >= 5 || schema::version(&conn)? > schema::latest_version() {
                return Err(e);
            }
            tries += 1;
            // Waits (up to the busy timeout) for whoever holds the database to finish, then looks again.
            let _ = conn.execute_batch("BEGIN IMMEDIATE; ROLLBACK;");
            if schema::version(&conn)? == schema::latest_version() {
                break;
            }
            if !matches!(e, StoreError::Locked) {
                return Err(e);
            }
        }
        // The team and the user are made once, whoever comes first: read without holding the database; a
        // writer that raced this one makes the write fail, and a second look under the write lock finds
        // what it made.
        let deferred = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)?;
        let ctx = match teams::bootstrap(&deferred, config, clock.now()) {
            Ok(ctx) => {
                deferred.commit()?;
                ctx
            }
            Err(StoreError::Locked) => {
                drop(deferred);
                let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let ctx = teams::bootstrap(&tx, config, clock.now())?;
                tx.commit()?;
                ctx
            }
            Err(e) => return Err(e),
        };
        let mut store = Self { conn, ctx, clock, path: path.to_path_buf(), hooks: Vec::new() };
        // An erasure's old copies another process held back leave the disk now, if nothing holds them still.
        if let Err(e) = store.finish_flush() {
            tracing::warn!(error = %e, "the log an erasure left is flushed later");
        }
        Ok(store)
    }

    /// After an erasure: copies the write-ahead log into the main file and truncates it, so the erased
    /// values' old copies leave the disk too. Another process in the middle of a read or a write holds the log
    /// back (it is waited for half a second, not the whole busy timeout): then this returns false and is
    /// tried again by `finish_flush` (every open, and the TUI's timer) until it is done.
    pub fn flush_log(&mut self) -> Result<bool> {
        let conn = &self.conn;
        let team = self.ctx.team_id.as_str();
        // The mark goes first, so that the log truncated holds nothing after it; put back if held back.
        conn.execute(
            "DELETE FROM automation_state WHERE team_id = ?1 AND key = ?2",
            rusqlite::params![team, FLUSH_OWED],
        )?;
        conn.busy_timeout(std::time::Duration::from_millis(500))?;
        let busy = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get::<_, i64>(0));
        wait_for_writers(conn)?;
        let done = busy? == 0;
        if !done {
            conn.execute(
                "INSERT OR REPLACE INTO automation_state (team_id, key, value) VALUES (?1, ?2, 1)",
                rusqlite::params![team, FLUSH_OWED],
            )?;
        }
        Ok(done)
    }

    /// What an earlier erasure still owes: the search index purged (`owe_erasure_cleanup`), then the log
    /// flushed, when an earlier flush was held back.
    pub fn finish_flush(&mut self) -> Result<()> {
        let owed = |store: &Self, key: &str| -> Result<bool> {
            Ok(store.conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM automation_state WHERE team_id = ?1 AND key = ?2)",
                rusqlite::params![store.ctx.team_id.as_str(), key],
                |r| r.get(0),
            )?)
        };
        if owed(self, PURGE_OWED)? {
            self.write(|db| {
                purge_index(db)?;
                let team = db.ctx.team_id.as_str();
                db.conn.execute(
                    "DELETE FROM automation_state WHERE team_id = ?1 AND key = ?2",
                    rusqlite::params![team, PURGE_OWED],
                )?;
                Ok(())
            })?;
        }
        if owed(self, FLUSH_OWED)? {
            self.flush_log()?;
        }
        Ok(())
    }

    /// Reads the team's name and time zone again: an admin may have changed them (`team zone`) while this
    /// leadline was open, and a time typed here must mean what it means everywhere else.
    pub fn reload_team(&mut self) -> Result<()> {
        let (name, zone) = teams::settings(&self.db())?;
        // A zone this build does not know (a newer leadline set it) leaves the one in use, as opening does.
        if let Ok(tz) = crate::domain::time::parse_tz(&zone) {
            self.ctx.tz = tz;
        }
        self.ctx.team_name = name;
        Ok(())
    }

    pub fn add_hook(&mut self, hook: Arc<dyn ChangeHook>) {
        self.hooks.push(hook);
    }

    pub fn ctx(&self) -> &Ctx {
        &self.ctx
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// A read view of the database.
    pub fn db(&self) -> Db<'_> {
        Db::new(&self.conn, &self.ctx, self.clock.now())
    }

    /// Runs `f` in one transaction, then the hooks for every change it (and they) emitted;
    /// commits only if all of it succeeded.
    pub fn write<T>(&mut self, f: impl FnOnce(&Db<'_>) -> Result<T>) -> Result<T> {
        self.transact(f, true)
    }

    /// Runs `f` and its hooks exactly as `write` does, then rolls everything back: a dry run.
    pub fn rehearse<T>(&mut self, f: impl FnOnce(&Db<'_>) -> Result<T>) -> Result<T> {
        self.transact(f, false)
    }

    fn transact<T>(&mut self, f: impl FnOnce(&Db<'_>) -> Result<T>, commit: bool) -> Result<T> {
        let path = self.path.clone();
        self.transact_here(f, commit).map_err(|e| in_words(&path, e))
    }

    fn transact_here<T>(&mut self, f: impl FnOnce(&Db<'_>) -> Result<T>, commit: bool) -> Result<T> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        teams::still_member(&tx, &self.ctx)?;
        let db = Db { hooks: &self.hooks, ..Db::new(&tx, &self.ctx, self.clock.now()) };
        let out = f(&db)?;
        db.settle()?;
        drop(db);
        if commit {
            tx.commit()?;
        } else {
            tx.rollback()?;
        }
        Ok(out)
    }
}

/// An erasure's log flush was held back (`Store::flush_log`).
const FLUSH_OWED: &str = "erasure_flush_owed";

/// Erased text the search index's old segments may still hold (`purge_index` is owed).
const PURGE_OWED: &str = "erasure_index_purge_owed";

/// Merges the search index into one segment, so the text of leads erased meanwhile leaves its old ones.
pub fn purge_index(db: &Db<'_>) -> Result<()> {
    db.conn.execute("INSERT INTO lead_fts(lead_fts) VALUES ('optimize')", [])?;
    Ok(())
}

/// Marks what an erasure committed in parts owes until it is done (a retention run stopped between its
/// batches): the search index purged and the log flushed, by `finish_flush` at the next open if not sooner.
pub fn owe_erasure_cleanup(db: &Db<'_>) -> Result<()> {
    let mut mark =
        db.conn.prepare_cached("INSERT OR IGNORE INTO automation_state (team_id, key, value) VALUES (?1, ?2, 1)")?;
    for key in [PURGE_OWED, FLUSH_OWED] {
        mark.execute(rusqlite::params![db.ctx.team_id.as_str(), key])?;
    }
    Ok(())
}

/// How long a write waits for another process's write to finish before saying the database is locked.
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Whether a wait for another process's write is said on stderr: a command's, not the terminal UI's (it
/// would land on its screen).
static SAY_WHEN_WAITING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Commands at a terminal say so when they wait for another leadline's write (a large import holds the
/// database for its whole load), rather than hang in silence; a script's stderr keeps to its one line.
/// The terminal UI says so while it opens the database, and no more once its screen is up (`false`).
pub fn say_when_waiting(at_a_terminal: bool) {
    use std::io::IsTerminal;
    let say = at_a_terminal && std::io::stderr().is_terminal();
    SAY_WHEN_WAITING.store(say, std::sync::atomic::Ordering::Relaxed);
}

/// Makes `conn` wait up to `BUSY_TIMEOUT` for another process's write, as a busy timeout does, saying so
/// once a second has gone by (`say_when_waiting`).
pub fn wait_for_writers(conn: &Connection) -> rusqlite::Result<()> {
    const STEP: std::time::Duration = std::time::Duration::from_millis(10);
    static TOLD: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    fn wait(tries: i32) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        let waited = STEP * tries.max(0) as u32;
        if waited >= BUSY_TIMEOUT {
            return false;
        }
        if waited >= std::time::Duration::from_secs(1) && SAY_WHEN_WAITING.load(Relaxed) && !TOLD.swap(true, Relaxed) {
            eprintln!("leadline: waiting for another leadline writing to this database (an import?) to finish");
        }
        std::thread::sleep(STEP);
        true
    }
    conn.busy_handler(Some(wait))
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    wait_for_writers(conn)?;
    // New files get 16 KB pages: fewer, fuller B-tree pages for tables of a million leads (bulk loads and
    // full scans ~15% faster). An existing database keeps the page size it was made with.
    conn.pragma_update(None, "page_size", 16_384)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // A large write (an import of touches) grows the log; once copied into the database it is cut back to
    // this, not kept at its largest for as long as someone has the database open.
    conn.pragma_update(None, "journal_size_limit", 32 << 20)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", -64_000)?;
    // Whatever a write replaces or deletes is overwritten, not left in the file's free space: a forgotten
    // person's old values must not survive in earlier copies of their rows (an edit, a score update).
    conn.pragma_update(None, "secure_delete", "ON")?;
    // A lead's write (an erasure, a merge, a logged touch with its automations) runs a few dozen statements
    // in turn: the default cache of 16 would prepare every one of them again for each lead.
    conn.set_prepared_statement_cache_capacity(128);
    Ok(())
}

/// An error met on the database at `path`, said in terms of what is in the way: a write refused by the
/// file system names the file or folder to fix; a lock an import holds says so.
pub fn in_words(path: &Path, e: StoreError) -> StoreError {
    match e {
        StoreError::ReadOnly(_) => StoreError::ReadOnly(read_only_cause(path)),
        StoreError::Locked if import_lock::held_elsewhere(path) => StoreError::Importing,
        other => other,
    }
}

/// Why a database could not be opened, in the words of what the rep can do about it.
fn open_failure(e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => "no space left on the disk that holds it".into(),
        Some(ErrorCode::DatabaseCorrupt) => error::damaged(&e.to_string()),
        Some(ErrorCode::SystemIoFailure) => format!("cannot read or write it ({e}): is its disk full or failing?"),
        Some(ErrorCode::CannotOpen) => format!("cannot open it ({e})"),
        _ => format!("not a leadline database ({e})"),
    }
}

/// Which file or folder keeps the database from being written: the database itself, its write-ahead log
/// (`-wal`, `-shm`, which a read-only copy may have left read-only), or the folder those are made in.
pub fn read_only_cause(path: &Path) -> String {
    let writable = |p: &Path| {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let Ok(c) = std::ffi::CString::new(p.as_os_str().as_bytes()) else { return true };
            // SAFETY: a NUL-terminated path that lives through the call.
            unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
        }
        #[cfg(not(unix))]
        {
            let _ = p;
            true
        }
    };
    // Every one of them, so that fixing what is said is enough.
    let mut blocking = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let file = PathBuf::from(file);
        if file.exists() && !writable(&file) {
            blocking.push(format!("{} is read-only", file.display()));
        }
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !writable(dir) {
        blocking.push(format!(
            "its folder {} is read-only, and leadline writes its log (-wal, -shm) beside the database",
            dir.display()
        ));
    }
    if blocking.is_empty() {
        return format!("{} cannot be written (is its disk mounted read-only?)", path.display());
    }
    format!(
        "{}; make {} writable (or move the database)",
        blocking.join("; "),
        if blocking.len() > 1 { "them" } else { "it" }
    )
}

/// A scratch folder only this user can enter (mode 0700), in `beside` or the system's temporary folder: what a
/// load or an import spools there is the database's data (names, addresses), as private as the database.
pub fn private_temp_dir(prefix: &str, beside: Option<&Path>) -> std::io::Result<tempfile::TempDir> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    match beside {
        Some(dir) => builder.tempdir_in(dir),
        None => builder.tempdir(),
    }
}

/// Creates the file with mode 0600 before SQLite does, so no other user can ever read it.
/// An existing file is left alone: closing a file this process opened drops every lock the process holds
/// on it, SQLite's too, and another connection to it in this process (the terminal UI's second one) would
/// then write to a log another program may delete.
fn create_private(path: &Path) -> std::io::Result<()> {
    if path.exists() {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.create_new(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        // Made meanwhile by another process, which is as good.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Every row of the lead `?1`, removed ones too, as a condition on a table with a `lead_id`: written as two
/// halves so each seeks its own index (live rows, removed rows: migration 013) instead of reading the table.
pub const OF_LEAD: &str = "((lead_id = ?1 AND deleted_at IS NULL) OR (lead_id = ?1 AND deleted_at IS NOT NULL))";

/// An optional text without the spaces around it; None when nothing is left.
pub(crate) fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// Resolves an id or a unique id prefix (at least 6 characters) in `table`, scoped to the team.
/// The ids a table shows: for each, the shortest prefix (13 characters or more) that no other live row
/// of `table` in the team shares, so that `resolve_id` finds it again (ids made in the same millisecond,
/// as a bulk import makes them, share their first 13). All are cut to the longest such length, for a
/// straight column.
pub fn short_ids(db: &Db<'_>, table: &str, ids: &[&str]) -> Result<Vec<String>> {
    short_ids_at_least(db, table, ids, 0)
}

/// Short ids for a listing printed a page at a time: each page's as long as the longest before it at
/// least, so the column stays aligned (a page needs longer ones only where ids were made at one instant).
#[derive(Debug, Default)]
pub struct PagedShortIds(std::cell::Cell<usize>);

impl PagedShortIds {
    pub fn of(&self, db: &Db<'_>, table: &str, ids: &[&str]) -> Result<Vec<String>> {
        let short = short_ids_at_least(db, table, ids, self.0.get())?;
        self.0.set(self.0.get().max(short.iter().map(String::len).max().unwrap_or(0)));
        Ok(short)
    }
}

/// `short_ids`, none shorter than `at_least` characters.
fn short_ids_at_least(db: &Db<'_>, table: &str, ids: &[&str], at_least: usize) -> Result<Vec<String>> {
    // `+team_id`: the id's own index, walked from `?2`, and not an index that starts with the team (every
    // row of a one-team database), which a table of deals or inbox items has.
    let neighbour = |cmp: &str, pick: &str| {
        format!("SELECT {pick}(id) FROM {table} WHERE +team_id = ?1 AND id {cmp} ?2 AND deleted_at IS NULL")
    };
    let (below, above) = (neighbour("<", "max"), neighbour(">", "min"));
    let shared = |a: &str, b: &str| a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let mut len = at_least.max(13);
    for id in ids {
        for sql in [&below, &above] {
            let other: Option<String> =
                db.conn.prepare_cached(sql)?.query_row(rusqlite::params![db.ctx.team_id.as_str(), id], |r| r.get(0))?;
            if let Some(o) = other {
                len = len.max(shared(id, &o) + 1);
            }
        }
    }
    // Never ending on a dash.
    if ids.iter().any(|i| i.as_bytes().get(len - 1) == Some(&b'-')) {
        len += 1;
    }
    Ok(ids.iter().map(|i| i[..len.min(i.len())].to_string()).collect())
}

pub fn resolve_id(db: &Db<'_>, table: &str, what: &'static str, reference: &str) -> Result<String> {
    let r = reference.trim().to_lowercase();
    let not_found = || StoreError::NotFound { what, reference: reference.to_string() };
    if !r.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(not_found());
    }
    if r.len() < 6 {
        return Err(crate::domain::ValidationError::new(
            what,
            reference,
            "is too short to name one: give at least 6 characters of its id (tables show enough)",
        )
        .into());
    }
    // One more than are listed, to say that there are more.
    let sql = format!(
        "SELECT id FROM {table} WHERE +team_id = ?1 AND id >= ?2 AND id < ?2 || 'g' AND deleted_at IS NULL LIMIT 7"
    );
    let ids: Vec<String> = db
        .conn
        .prepare_cached(&sql)?
        .query_map(rusqlite::params![db.ctx.team_id.as_str(), r], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    match ids.len() {
        0 => Err(not_found()),
        1 => Ok(ids.into_iter().next().unwrap_or_default()),
        n => {
            let mut candidates = ids;
            if n > 6 {
                candidates.truncate(6);
                candidates.push("and more".into());
            }
            Err(StoreError::Ambiguous { what, reference: reference.to_string(), candidates })
        }
    }
}

/// The query plan SQLite chooses for `sql` on a new empty database, one line per step: what tests of
/// the indexes a query is meant to read check.
#[cfg(test)]
pub(crate) fn query_plan(sql: &str, params: impl rusqlite::Params) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let clock = crate::domain::Clock::Fixed(crate::domain::Timestamp(0));
    let store = Store::open(&dir.path().join("t.db"), &crate::config::Config::defaults(), clock).unwrap();
    let mut stmt = store.conn().prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    stmt.query_map(params, |r| r.get(3)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
}

#[cfg(all(test, unix))]
mod private_dir_tests {
    #[test]
    fn a_scratch_folder_is_the_users_alone() {
        use std::os::unix::fs::PermissionsExt;
        let beside = tempfile::tempdir().unwrap();
        for dir in [super::private_temp_dir(".x-", Some(beside.path())), super::private_temp_dir(".x-", None)] {
            let mode = std::fs::metadata(dir.unwrap().path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }
}
