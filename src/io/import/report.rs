//! What an import did: counts by kind of object, the actions of a dry run, and the report the command shows.

use serde::Serialize;

use super::Format;
use super::rejects::RejectRecord;
use crate::io::record::Reject;
use crate::io::spill::Spill;

/// created / merged / updated / skipped / rejected for one kind of object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Tally {
    pub created: u64,
    pub merged: u64,
    pub updated: u64,
    pub skipped: u64,
    pub rejected: u64,
}

impl Tally {
    pub fn is_empty(&self) -> bool {
        *self == Tally::default()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Counts {
    pub leads: Tally,
    pub outreach: Tally,
    pub meetings: Tally,
    pub deals: Tally,
    pub tasks: Tally,
    /// Absent from the counts of runs recorded before notes were imported.
    #[serde(default)]
    pub notes: Tally,
    /// Team members read from a team export.
    #[serde(default)]
    pub team: Tally,
    /// Inbox items read from an inbox export.
    #[serde(default)]
    pub inbox: Tally,
    /// Privacy log entries read from its export.
    #[serde(default)]
    pub privacy: Tally,
    /// Weaker matches (same name and company), and leads a file says were merged that are leads of their own
    /// here, imported and staged for `leadline dedupe`.
    pub merge_candidates: u64,
    /// Rows matched to a lead whose company, title... differ from the lead's, which a merge keeps.
    #[serde(default)]
    pub kept_values: u64,
    /// Deal amounts that read two ways ("1.500"): read as `Money::parse_read` does, and said so.
    #[serde(default)]
    pub amounts_two_ways: u64,
    /// Rows with fewer values than the header has columns (`LeadRow::short`).
    #[serde(default)]
    pub short_rows: u64,
    /// Meetings a calendar imported again took away (counted as updated too): the event was cancelled, or
    /// the lead declined it or was taken off it.
    #[serde(default)]
    pub meetings_dropped: u64,
    /// Free texts (a colleague's notes, a touch's note) that held an address, number or profile of someone
    /// forgotten here: taken in without it.
    #[serde(default)]
    pub forgotten_left_out: u64,
}

impl Counts {
    /// Rows were rejected and none was taken in any way: the file as a whole did not import.
    pub fn all_rejected(&self) -> bool {
        let tallies = [
            &self.leads,
            &self.outreach,
            &self.meetings,
            &self.deals,
            &self.tasks,
            &self.notes,
            &self.team,
            &self.inbox,
            &self.privacy,
        ];
        tallies.iter().any(|t| t.rejected > 0)
            && tallies.iter().all(|t| t.created + t.merged + t.updated + t.skipped == 0)
    }
}

/// How a CSV file is written: its delimiter and its line ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvLayout {
    pub delimiter: u8,
    pub crlf: bool,
}

/// One thing the import did (or, in a dry run, would do).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Action {
    pub line: u64,
    pub object: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

#[derive(Debug, Serialize)]
pub struct ImportReport {
    pub run_id: Option<String>,
    pub file: String,
    pub format: Format,
    pub preset: Option<String>,
    pub encoding: String,
    pub counts: Counts,
    /// The first rejected rows (`REJECTS_SHOWN`); all of them are in the database, or, after a dry run, in
    /// `dry_rejects`.
    pub rejects: Vec<Reject>,
    pub rejects_total: u64,
    /// Every action, in a dry run (kept in a file past the first thousands); empty otherwise.
    pub actions: Spill<Action>,
    #[serde(skip)]
    pub dry_rejects: Spill<RejectRecord>,
    /// The interrupted run a dry run goes on from: its rejects come before the dry run's own.
    #[serde(skip)]
    pub resumed_run: Option<String>,
    /// The file's header row (CSV), for the rejects file.
    #[serde(skip)]
    pub headers: Vec<String>,
    /// How the CSV file was written, for a rejects file the rep opens as they opened the file.
    #[serde(skip)]
    pub layout: Option<CsvLayout>,
    pub ignored_columns: Vec<String>,
    /// Columns read for one thing only and not kept otherwise (`CsvSource::partly_read_columns`).
    pub partly_read_columns: Vec<String>,
    /// The preset the file's header is, when `--preset` chose another.
    pub header_is: Option<String>,
    /// A deal's stage or dates, read but unused: the file has no deal name or amount to make a deal of.
    pub unused_deal_columns: Vec<String>,
    /// Owners named in the file who are not team members (their leads went to the importing user).
    pub unknown_owners: Vec<String>,
    /// The fields of `Counts::kept_values`: the file says otherwise, the lead's value stood.
    pub kept_fields: Vec<String>,
    /// Deal stages of the file that the pipeline does not have, and the stage each deal was put in.
    pub stages_placed: Vec<String>,
    /// Deal amounts that read two ways ("1.500"), as they were read: the first few of this run, by line
    /// (`Counts::amounts_two_ways` counts them all).
    pub amounts_read: Vec<String>,
    /// The lines of the first short rows of this run (`Counts::short_rows` counts them all).
    pub short_lines: Vec<u64>,
    /// The team's name and time zone a team export gave: taken by a database being moved into, or what the
    /// file had beside what stayed.
    pub team_settings: Vec<String>,
    /// Calendar attendees that matched no lead.
    pub unmatched: Vec<String>,
    /// Calendar events left out because they fall outside the import window, as the rep is told of them.
    pub outside_window: Option<String>,
    /// Rows done by an earlier, interrupted run of the same import.
    pub resumed_from: u64,
    /// The same file was already imported with the same options: nothing was done.
    pub already_imported: bool,
    pub dry_run: bool,
    /// Loaded in bulk: no per-row change events, so the leads still need scoring.
    pub bulk: bool,
}
