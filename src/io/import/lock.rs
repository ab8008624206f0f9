//! One import at a time into a database, and no second run of a file beside an unfinished one.

use std::path::Path;

use rusqlite::{OptionalExtension, params};

use crate::domain::Timestamp;
use crate::io::{IoError, Result};
use crate::store::Store;

/// An import that stopped half-way and was not run again to the end.
pub(super) struct Unfinished {
    pub(super) id: String,
    file_hash: String,
    options_key: String,
    rows_done: i64,
    updated_at: Timestamp,
}

impl Unfinished {
    /// Why a new import of the file is not started beside it, and what to run instead.
    pub(super) fn refusal(&self, hash: &str, tz: chrono_tz::Tz) -> String {
        let what = if self.file_hash == hash {
            format!("an import of this file with other options ({}) stopped", describe_options(&self.options_key))
        } else {
            "an import of an earlier version of this file (read from the same place, other contents) stopped"
                .to_string()
        };
        format!(
            "{what} after row {} on {}; run that command again to finish it, or pass --again to import with these \
             options instead (it is then closed with what it did; rows matching its leads by e-mail or phone are \
             merged, a row with a name alone is added again)",
            self.rows_done,
            self.updated_at.local(tz)
        )
    }
}

/// The team's unfinished import of the same file under other options, or of the file read from the same
/// path before it was changed.
pub(super) fn unfinished_elsewhere(
    store: &Store,
    team: &crate::domain::TeamId,
    hash: &str,
    file_path: Option<&str>,
) -> crate::store::Result<Option<Unfinished>> {
    Ok(store
        .conn()
        .query_row(
            "SELECT id, file_hash, options_key, rows_done, updated_at FROM import_runs
             WHERE team_id = ?1 AND status = 'running' AND (file_hash = ?2 OR file_path = ?3)
             ORDER BY file_hash = ?2 DESC, updated_at DESC LIMIT 1",
            params![team.as_str(), hash, file_path],
            |r| {
                Ok(Unfinished {
                    id: r.get(0)?,
                    file_hash: r.get(1)?,
                    options_key: r.get(2)?,
                    rows_done: r.get(3)?,
                    updated_at: Timestamp(r.get(4)?),
                })
            },
        )
        .optional()?)
}

/// The flags an import run's options key stands for, as the rep would type them.
fn describe_options(key: &str) -> String {
    let mut parts = key.splitn(4, '|');
    let (format, preset, on_duplicate, maps) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or("-"),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let mut flags = vec![format!("--format {format}")];
    if preset != "-" {
        flags.push(format!("--preset {preset}"));
    }
    flags.push(format!("--on-duplicate {on_duplicate}"));
    flags.extend(maps.split(',').filter(|m| !m.is_empty()).map(|m| format!("--map {m}")));
    flags.join(" ")
}

/// Held while an import runs: one import at a time into a database. A second one waits for the first to
/// finish, then resumes or finds its file already imported, instead of both working on one run at once
/// (and counting each other's rows). The lock is on a file of its own beside the database: opening and
/// closing the database file itself would drop SQLite's own locks on it. The kernel's lock goes with the
/// process however it ends.
pub(super) struct ImportLock(#[allow(dead_code)] std::fs::File);

impl Drop for ImportLock {
    fn drop(&mut self) {
        crate::store::import_lock::mark_held_here(false);
    }
}

pub(super) fn lock_imports(
    db: &Path,
    announce: bool,
    cancel: Option<&std::sync::atomic::AtomicBool>,
) -> Result<Option<ImportLock>> {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        let path = crate::store::import_lock::path(db);
        let Ok(file) = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path) else {
            tracing::warn!(path = %path.display(), "no import lock file; imports are not kept one at a time");
            return Ok(None);
        };
        let mut announced = false;
        loop {
            // SAFETY: flock on a descriptor this function owns.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
                crate::store::import_lock::mark_held_here(true);
                return Ok(Some(ImportLock(file)));
            }
            if std::io::Error::last_os_error().raw_os_error() != Some(libc::EWOULDBLOCK) {
                tracing::warn!(error = %std::io::Error::last_os_error(), "cannot lock imports (a network file system?)");
                return Ok(None);
            }
            if announce && !announced {
                eprintln!("{}", crate::store::import_lock::WAITING);
                announced = true;
            }
            if cancel.is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed)) {
                return Err(IoError::Interrupted { rows: 0, saved_whole: false });
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (db, announce, cancel);
        Ok(None)
    }
}
