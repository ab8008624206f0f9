//! A consistent copy of a live database through SQLite's online backup.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use super::{Result, StoreError};

/// Copies the open database to `dest` (created readable by the owner only) while others may keep writing.
pub fn to_file(conn: &Connection, dest: &Path) -> Result<()> {
    if dest.exists() {
        return Err(StoreError::Refused(format!("{} already exists; choose a new file name", dest.display())));
    }
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty() && !d.is_dir()) {
        return Err(StoreError::Refused(format!("folder {} does not exist", dir.display())));
    }
    let mut target = Connection::open(dest)
        .map_err(|e| StoreError::Open { path: dest.display().to_string(), message: e.to_string() })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dest, std::fs::Permissions::from_mode(0o600));
    }
    let backup = rusqlite::backup::Backup::new(conn, &mut target)?;
    backup.run_to_completion(1000, Duration::from_millis(5), None)?;
    Ok(())
}
