//! Import and export: CSV (with presets for the CRMs reps come from), vCard, iCalendar and leadline's own
//! JSON; duplicates (matching, merging, explaining); tracking links; privacy (opt-out, forget, retention).

pub mod csv_import;
pub mod dedupe;
pub mod export;
pub mod ics;
pub mod import;
pub mod json;
pub mod links;
pub mod paths;
// Phone keys are the domain's (the store refuses a forgotten number by them); here under their old name.
pub use crate::domain::phone_keys as phone;
pub mod presets;
pub mod privacy;
pub mod record;
pub mod spill;
pub mod text;
pub mod vcard;

use crate::domain::ValidationError;
use crate::store::StoreError;

/// Why a file could not be imported or exported. Row-level problems are not errors: they are rejects.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The file is not what it claims to be (binary, empty, header only, broken quoting): nothing was written.
    #[error("{path}: {message}; nothing was imported")]
    BadFile { path: String, message: String },
    #[error("{path}: {message}")]
    File { path: String, message: String },
    /// The import was stopped (Ctrl-C, or a row limit for tests); what was committed stays and resumes.
    #[error("{}", stopped(*rows, *saved_whole))]
    Interrupted {
        rows: u64,
        /// The run was a bulk load, saved whole at its end.
        saved_whole: bool,
    },
    /// Another process held the database past the wait in the middle of the import: what was committed
    /// stays and resumes.
    #[error("{}", locked(*rows))]
    Locked { rows: u64 },
}

/// What an import stopped by another process's lock says: how much of it is saved, and what to do.
fn locked(rows: u64) -> String {
    let held = "import stopped: another leadline or sqlite process kept the database locked";
    match rows {
        0 => format!("{held}, and nothing of this run was saved; run the same command again once it is done"),
        n => format!(
            "{held}, with {n} rows of this run saved; run the same command again once it is done to go on from there"
        ),
    }
}

/// What an interrupted import says: how far it got, and that the same command finishes it. A large file
/// loaded into a near-empty database is saved whole at its end (`saved_whole`), so nothing of it is saved yet.
fn stopped(rows: u64, saved_whole: bool) -> String {
    let why =
        if saved_whole { " (a large file loaded into a near-empty database is saved whole at its end)" } else { "" };
    match rows {
        0 => format!(
            "import stopped before any row of this run was saved{why}; nothing changed: run the same command again \
             to import the file"
        ),
        n => format!(
            "import stopped with {n} rows of this run saved; run the same command again to finish it (it goes on \
             from there)"
        ),
    }
}

impl From<rusqlite::Error> for IoError {
    fn from(e: rusqlite::Error) -> Self {
        IoError::Store(e.into())
    }
}

pub type Result<T, E = IoError> = std::result::Result<T, E>;

pub(crate) fn file_err(path: &std::path::Path, e: impl std::fmt::Display) -> IoError {
    IoError::File { path: path.display().to_string(), message: e.to_string() }
}

pub(crate) fn bad_file(path: &std::path::Path, message: impl Into<String>) -> IoError {
    IoError::BadFile { path: path.display().to_string(), message: message.into() }
}
