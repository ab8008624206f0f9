//! What an import is asked to do: the file's format, what becomes of duplicates, and the run's options.

use std::path::Path;
use std::str::FromStr;

use serde::Serialize;

use crate::domain::{Timestamp, ValidationError};
use crate::io::presets::{Field, Preset};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Vcard,
    Ics,
    Json,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Csv, Format::Vcard, Format::Ics, Format::Json];
    pub const NAMES: [&'static str; Format::ALL.len()] = crate::domain::words::words!(Format);
    /// `--format`'s words: `auto` detects the format from the file.
    pub const FLAG_WORDS: [&'static str; Format::ALL.len() + 1] =
        crate::domain::words::with_first("auto", Format::NAMES);

    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Vcard => "vcard",
            Format::Ics => "ics",
            Format::Json => "json",
        }
    }

    /// The format a file is in: its content first (a vCard saved as .txt is still a vCard), then its name.
    pub fn detect(path: &Path, sample: &str) -> Format {
        let head = sample.trim_start_matches('\u{feff}').trim_start();
        let upper: String = head.chars().take(40).collect::<String>().to_uppercase();
        if upper.starts_with("BEGIN:VCARD") {
            return Format::Vcard;
        }
        if upper.starts_with("BEGIN:VCALENDAR") {
            return Format::Ics;
        }
        if head.starts_with('[') || head.starts_with('{') {
            return Format::Json;
        }
        match path.extension().and_then(|e| e.to_str()).map(str::to_lowercase).as_deref() {
            Some("vcf" | "vcard") => Format::Vcard,
            Some("ics" | "ical") => Format::Ics,
            Some("json" | "jsonl" | "ndjson") => Format::Json,
            _ => Format::Csv,
        }
    }
}

impl FromStr for Format {
    type Err = ValidationError;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "vcard" | "vcf" => Ok(Format::Vcard),
            "ics" | "ical" | "icalendar" => Ok(Format::Ics),
            "json" | "jsonl" => Ok(Format::Json),
            _ => Err(ValidationError::new("--format", s, crate::domain::words::must_be(&Self::FLAG_WORDS))),
        }
    }
}

/// What to do with a row that is exactly an existing lead (same e-mail or phone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OnDuplicate {
    /// Leave the existing lead as it is.
    Skip,
    /// Fill the existing lead's empty fields; never overwrite what is there.
    #[default]
    Merge,
    /// Overwrite the existing lead's fields with the file's non-empty values.
    Update,
}

impl OnDuplicate {
    pub const ALL: [OnDuplicate; 3] = [OnDuplicate::Skip, OnDuplicate::Merge, OnDuplicate::Update];
    pub const NAMES: [&'static str; OnDuplicate::ALL.len()] = crate::domain::words::words!(OnDuplicate);

    pub const fn as_str(self) -> &'static str {
        match self {
            OnDuplicate::Skip => "skip",
            OnDuplicate::Merge => "merge",
            OnDuplicate::Update => "update",
        }
    }
}

impl FromStr for OnDuplicate {
    type Err = ValidationError;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let word = s.trim().to_lowercase();
        Self::ALL
            .into_iter()
            .find(|d| d.as_str() == word)
            .ok_or_else(|| ValidationError::new("--on-duplicate", s, crate::domain::words::must_be(&Self::NAMES)))
    }
}

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// None: detect from the content and the file name.
    pub format: Option<Format>,
    /// None: detect from the header row.
    pub preset: Option<Preset>,
    /// `--map COLUMN=FIELD` overrides.
    pub maps: Vec<(String, Field)>,
    pub on_duplicate: OnDuplicate,
    pub dry_run: bool,
    /// Import a file already imported with the same options once more, as a new run (rows matching leads
    /// here by e-mail or phone are merged as always; a row with a name alone is added again).
    pub again: bool,
    /// Rows per committed chunk (the resume granularity).
    pub chunk_rows: usize,
    /// Stop (as a crash would) after this many rows of this run: for tests of resuming.
    pub stop_after: Option<u64>,
    /// Set from outside (Ctrl-C) to stop at the next row, keeping what was committed, as `stop_after` does.
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// Country for national phone numbers when a row does not say (ISO code or name).
    pub default_country: Option<String>,
    /// Calendar events: recurring ones are expanded within this window.
    pub window: Option<(Timestamp, Timestamp)>,
    /// Bulk load: one transaction, list indexes built once at the end. None: when the file is large and
    /// would at least double the team's leads.
    pub bulk: Option<bool>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            format: None,
            preset: None,
            maps: Vec::new(),
            on_duplicate: OnDuplicate::Merge,
            dry_run: false,
            again: false,
            chunk_rows: 20_000,
            stop_after: None,
            cancel: None,
            progress: false,
            default_country: None,
            window: None,
            bulk: None,
        }
    }
}
