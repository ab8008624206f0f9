//! Store errors: each says what a rep can do about it.

use crate::domain::ValidationError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("{what} not found: '{reference}'")]
    NotFound { what: &'static str, reference: String },
    #[error("'{reference}' is ambiguous, it matches: {}; {}", candidates.join("; "), how_to_name_one(what))]
    Ambiguous { what: &'static str, reference: String, candidates: Vec<String> },
    #[error("a lead with e-mail {email} already exists: {existing}")]
    DuplicateEmail { email: String, existing: String },
    #[error("refused: {0}")]
    Refused(String),
    #[error("database {path}: {message}")]
    Open { path: String, message: String },
    #[error("the database is locked by another leadline or sqlite process; try again in a moment")]
    Locked,
    /// Locked by an import into it, which may hold it for minutes (`store::import_lock`).
    #[error(
        "an import into this database is running, and a large one holds the database until it ends (it is saved \
         in one go); try again once it has finished"
    )]
    Importing,
    #[error("cannot write the database: {0}")]
    ReadOnly(String),
    #[error("{}", damaged(.0))]
    Damaged(String),
    #[error("database schema: {0}")]
    Migration(String),
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

impl StoreError {
    /// Whether the same write may go through if asked again in a moment: the database was busy (another
    /// process, an import), not the write refused.
    pub fn passes(&self) -> bool {
        matches!(self, StoreError::Locked | StoreError::Importing)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked,
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly(e.to_string()),
            Some(ErrorCode::DatabaseCorrupt) => StoreError::Damaged(e.to_string()),
            _ => StoreError::Sqlite(e),
        }
    }
}

impl From<rusqlite_migration::Error> for StoreError {
    fn from(e: rusqlite_migration::Error) -> Self {
        match e {
            rusqlite_migration::Error::RusqliteError { err, .. } => err.into(),
            other => StoreError::Migration(other.to_string()),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What is said of a damaged database file, with what SQLite found (`why`).
pub fn damaged(why: &str) -> String {
    format!("the file is damaged ({why}); restore a copy `leadline backup` made, or the last good one")
}

/// What an ambiguous reference's message advises, by what it names.
fn how_to_name_one(what: &str) -> &'static str {
    match what {
        "lead" | "team member" => "name one exactly (by id or e-mail)",
        "deal" => "name one by id, or by its lead when that lead has one open deal",
        _ => "give more of its id",
    }
}
