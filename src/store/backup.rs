//! A consistent copy of a live database through SQLite's online backup. It is made beside its destination
//! (`scratch_for`) and moved there once whole (`copy_into`): a backup stopped half-way leaves nothing at the
//! destination that would open as an empty database.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use super::{Result, StoreError};

/// Where a backup to `dest` is made before it is moved there (a new file beside it, the owner's only).
pub fn scratch_for(dest: &Path) -> Result<tempfile::NamedTempFile> {
    if dest.exists() {
        return Err(StoreError::Refused(format!("{} already exists; choose a new file name", dest.display())));
    }
    let dir = dest.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(StoreError::Refused(format!("folder {} does not exist", dir.display())));
    }
    crate::io::paths::scratch_beside(dir, "backup")
        .map_err(|e| StoreError::Open { path: dest.display().to_string(), message: e.to_string() })
}

/// Copies the open database into `scratch` while others may keep writing, then moves it to `dest` (which
/// must still be free).
pub fn copy_into(conn: &Connection, scratch: tempfile::NamedTempFile, dest: &Path) -> Result<()> {
    let cannot =
        |e: &dyn std::fmt::Display| StoreError::Open { path: dest.display().to_string(), message: e.to_string() };
    {
        let mut target = Connection::open(scratch.path()).map_err(|e| cannot(&e))?;
        // A full disk, or one that fails, is the copy's: said with its path, not as the database's.
        let at_copy = |e: rusqlite::Error| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => cannot(&"no space left on its disk"),
            Some(rusqlite::ErrorCode::SystemIoFailure | rusqlite::ErrorCode::ReadOnly) => cannot(&e),
            _ => e.into(),
        };
        let backup = rusqlite::backup::Backup::new(conn, &mut target).map_err(at_copy)?;
        backup.run_to_completion(1000, Duration::from_millis(5), None).map_err(at_copy)?;
        drop(backup);
        // A copy of a damaged database is damaged too: not made, rather than one a rep would restore later.
        let check: String = target.query_row("PRAGMA quick_check(1)", [], |r| r.get(0)).map_err(at_copy)?;
        if check != "ok" {
            return Err(StoreError::Damaged(format!("{check}; no backup was written")));
        }
        // A backup in rollback-journal mode: one file, whole once the connection closes.
        target.close().map_err(|(_, e)| cannot(&e))?;
    }
    scratch.as_file().sync_all().map_err(|e| cannot(&e))?;
    scratch.persist_noclobber(dest).map_err(|e| cannot(&e.error))?;
    Ok(())
}
