//! Files a command writes must never be the database it works in or a file it reads: an export written
//! over the database, or a rejects file over the file being imported, would destroy what it came from.

use std::path::{Path, PathBuf};

/// Why `out` cannot be written, when it is the database (or one of its journal files) or one of
/// `inputs`, however the path is spelled (`./`, `..`, a symbolic or a hard link).
pub fn clobbers(out: &Path, database: Option<&Path>, inputs: &[&Path]) -> Option<String> {
    if let Some(db) = database.filter(|db| !db.as_os_str().is_empty()) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut companion = db.as_os_str().to_owned();
            companion.push(suffix);
            if same_file(out, Path::new(&companion)) {
                return Some(format!(
                    "{} is the database leadline is working in ({}); choose another file",
                    out.display(),
                    db.display()
                ));
            }
        }
    }
    if let Some(input) = inputs.iter().find(|input| same_file(out, input)) {
        return Some(format!("{} is the file being read ({}); choose another file", out.display(), input.display()));
    }
    not_to_replace(out)
}

/// Why a file already at `out` is not one to replace: a database (another rep's, a backup: one typo
/// away from an export's name), or a file made read-only, which a shell's `>` would not write either.
fn not_to_replace(out: &Path) -> Option<String> {
    use std::io::Read;
    let meta = std::fs::metadata(out).ok().filter(std::fs::Metadata::is_file)?;
    if meta.permissions().readonly() {
        return Some(format!("{} is read-only; leadline does not replace it: choose another file", out.display()));
    }
    let mut head = [0u8; 16];
    let read = std::fs::File::open(out).and_then(|mut f| f.read_exact(&mut head));
    (read.is_ok() && &head == b"SQLite format 3\0")
        .then(|| format!("{} is a database; leadline does not write over one: choose another file", out.display()))
}

/// Whether a file can be created or replaced at `out`: its folder exists and takes a new file. Checked
/// before work whose result is written there at the end, so the work is not done for nothing.
pub fn writable(out: &Path) -> Result<(), String> {
    // "reports/": a folder named where a file should be, there or not.
    if out.as_os_str().as_encoded_bytes().ends_with(b"/") {
        return Err(match out.is_dir() {
            true => format!("{} is a folder; give a file name", out.display()),
            false => format!("{}: that folder does not exist, and a file name is needed", out.display()),
        });
    }
    let dir = out.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.is_dir() {
        // The nearest part of the path that is there says why: a file where a folder should be, or nothing.
        let blocking = dir.ancestors().find(|a| !a.as_os_str().is_empty() && a.exists() && !a.is_dir());
        return Err(match blocking {
            Some(file) => format!("{}: {} is a file, not a folder", out.display(), file.display()),
            None => format!("{}: folder {} does not exist", out.display(), dir.display()),
        });
    }
    if out.is_dir() {
        return Err(format!("{} is a folder; give a file name", out.display()));
    }
    tempfile::NamedTempFile::new_in(dir).map(drop).map_err(|e| format!("{}: cannot write there: {e}", out.display()))
}

/// Opens a file to write a person's data into, emptied: a new one is the owner's only, like the database it
/// comes from; one that was there keeps its permissions.
pub fn create_owner_only(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)
}

/// A file to write a result into, beside where it goes (`dir`), to be moved there once whole: a command
/// stopped half-way leaves no partial copy at the destination. It is named `.leadline-<kind>-<random>.partial`,
/// so one a killed command left behind (personal data, maybe) is known and cleared by the next command
/// writing there, and no file of the rep's is taken for one.
pub fn scratch_beside(dir: &Path, kind: &str) -> std::io::Result<tempfile::NamedTempFile> {
    let prefix = format!(".leadline-{kind}-");
    clear_stale_scratch(dir, &prefix);
    tempfile::Builder::new().prefix(&prefix).suffix(SCRATCH_SUFFIX).rand_bytes(SCRATCH_RANDOM).tempfile_in(dir)
}

const SCRATCH_SUFFIX: &str = ".partial";
const SCRATCH_RANDOM: usize = 12;

/// Removes scratch files of this kind untouched for ten minutes: what a killed command left (one still
/// writing touches its file all the time). Only names of the exact shape `scratch_beside` gives are taken.
fn clear_stale_scratch(dir: &Path, prefix: &str) {
    const STALE: std::time::Duration = std::time::Duration::from_secs(600);
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE);
        let name = entry.file_name().to_string_lossy().into_owned();
        // A backup's copy may leave its rollback journal beside it.
        let scratch = name
            .strip_suffix("-journal")
            .unwrap_or(&name)
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(SCRATCH_SUFFIX))
            .is_some_and(|random| random.len() == SCRATCH_RANDOM && random.chars().all(|c| c.is_ascii_alphanumeric()));
        if stale && scratch {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    if let (Some(x), Some(y)) = (resolved(a), resolved(b))
        && x == y
    {
        return true;
    }
    same_inode(a, b)
}

/// The absolute path without links, for a file that may not exist yet (through its folder).
fn resolved(p: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(p).ok().or_else(|| {
        let dir = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        Some(std::fs::canonicalize(dir).ok()?.join(p.file_name()?))
    })
}

#[cfg(unix)]
fn same_inode(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_inode(_: &Path, _: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_and_the_input_are_found_however_they_are_spelled() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("crm.db");
        let input = dir.path().join("in.csv");
        std::fs::write(&db, "x").unwrap();
        std::fs::write(&input, "x").unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let dotted = sub.join("../crm.db");
        assert!(clobbers(&dotted, Some(&db), &[]).unwrap().contains("is the database"));
        assert!(clobbers(&dir.path().join("crm.db-wal"), Some(&db), &[]).is_some(), "a journal file, not there yet");
        assert!(clobbers(&dir.path().join("./in.csv"), Some(&db), &[&input]).unwrap().contains("being read"));
        #[cfg(unix)]
        {
            let hard = dir.path().join("hard.db");
            std::fs::hard_link(&db, &hard).unwrap();
            assert!(clobbers(&hard, Some(&db), &[]).is_some());
            let soft = dir.path().join("soft.csv");
            std::os::unix::fs::symlink(&input, &soft).unwrap();
            assert!(clobbers(&soft, None, &[&input]).is_some());
        }
        assert!(clobbers(&dir.path().join("out.csv"), Some(&db), &[&input]).is_none());
        assert!(writable(&dir.path().join("out.csv")).is_ok());
        assert!(writable(&dir.path().join("nowhere/out.csv")).unwrap_err().contains("does not exist"));
        std::fs::write(dir.path().join("c1.csv"), "x").unwrap();
        let err = writable(&dir.path().join("c1.csv/sub/x.csv")).unwrap_err();
        assert!(err.ends_with("c1.csv is a file, not a folder"), "{err}");
        assert!(writable(&sub).unwrap_err().contains("is a folder"));
        assert!(writable(&dir.path().join("newdir/")).unwrap_err().contains("does not exist"));
    }

    #[test]
    fn another_database_or_a_read_only_file_is_not_replaced() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("other.db");
        rusqlite::Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        let err = clobbers(&other, None, &[]).unwrap();
        assert!(err.contains("is a database"), "{err}");
        let kept = dir.path().join("report.csv");
        std::fs::write(&kept, "keep").unwrap();
        assert!(clobbers(&kept, None, &[]).is_none(), "a file of the rep's own is replaced, as asked");
        std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o444)).unwrap();
        assert!(clobbers(&kept, None, &[]).unwrap().contains("is read-only"));
        assert!(clobbers(&dir.path().join("new.csv"), None, &[]).is_none());
    }
}
