//! Meetings: whether the lead showed up.

use serde::{Deserialize, Serialize};

/// Attendance of a meeting: unknown until the rep marks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attendance {
    Scheduled,
    Attended,
    NoShow,
}

impl Attendance {
    pub fn from_db(attended: Option<bool>) -> Self {
        match attended {
            None => Attendance::Scheduled,
            Some(true) => Attendance::Attended,
            Some(false) => Attendance::NoShow,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Attendance::Scheduled => "scheduled",
            Attendance::Attended => "attended",
            Attendance::NoShow => "no-show",
        }
    }
}
