//! The file beside a database that keeps imports into it one at a time (`io::import` holds its lock for a
//! whole import), and what other commands learn from it: the database is being loaded, which a large
//! import does in one go, holding it until the end.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// This process holds the lock (its own import): a wait it meets is not another import's.
static HELD_HERE: AtomicBool = AtomicBool::new(false);

/// The lock file of the database at `db`: beside the file itself, not the name it was reached by (two
/// imports through a symlink and its target are two imports into one database).
pub fn path(db: &Path) -> PathBuf {
    let db = std::fs::canonicalize(db).unwrap_or_else(|_| db.to_path_buf());
    let name = format!(".{}.import-lock", db.file_name().map(|n| n.to_string_lossy()).unwrap_or_default());
    db.with_file_name(name)
}

/// Said by the import holding the lock, when it takes it and when it lets it go.
pub fn mark_held_here(held: bool) {
    HELD_HERE.store(held, Ordering::SeqCst);
}

/// What an import waiting for another one says, once.
pub const WAITING: &str = "leadline: another import into this database is running; waiting for it to finish…";

/// Waits while another process imports into the database at `db`, saying so once (`announce`): an import
/// meets the other's lock before it opens a database the other may hold whole, which it could not open.
pub fn wait_until_free(db: &Path, announce: bool) {
    let mut said = false;
    while held_elsewhere(db) {
        if announce && !std::mem::replace(&mut said, true) {
            eprintln!("{WAITING}");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Whether another process is importing into the database at `db` right now.
pub fn held_elsewhere(db: &Path) -> bool {
    if HELD_HERE.load(Ordering::SeqCst) {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        let Ok(file) = std::fs::File::open(path(db)) else { return false };
        // SAFETY: flock on a descriptor this function owns; a shared lock it gets goes with the descriptor.
        let refused = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_SH | libc::LOCK_NB) } != 0;
        refused && std::io::Error::last_os_error().raw_os_error() == Some(libc::EWOULDBLOCK)
    }
    #[cfg(not(unix))]
    {
        let _ = db;
        false
    }
}
