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
    /// As a person reads it ("no-show", the command's word).
    pub fn as_str(self) -> &'static str {
        match self {
            Attendance::Scheduled => "scheduled",
            Attendance::Attended => "attended",
            Attendance::NoShow => "no-show",
        }
    }

    /// As the data model writes it, in JSON and in CSV alike ("no_show").
    pub fn code(self) -> &'static str {
        match self {
            Attendance::NoShow => "no_show",
            other => other.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_json_write_one_word() {
        for a in [Attendance::Scheduled, Attendance::Attended, Attendance::NoShow] {
            assert_eq!(serde_json::to_value(a).unwrap(), a.code());
        }
    }
}
