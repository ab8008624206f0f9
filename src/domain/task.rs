//! Follow-up tasks: their kinds.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use super::{Timestamp, ValidationError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    FollowUp,
    Bump,
    Reschedule,
    Handoff,
    Other,
}

impl TaskKind {
    pub const ALL: [TaskKind; 5] =
        [TaskKind::FollowUp, TaskKind::Bump, TaskKind::Reschedule, TaskKind::Handoff, TaskKind::Other];

    /// A task of this kind is done by getting in touch with the lead (never for one who opted out).
    pub fn reaches_out(self) -> bool {
        matches!(self, TaskKind::FollowUp | TaskKind::Bump | TaskKind::Reschedule)
    }

    pub const NAMES: [&'static str; TaskKind::ALL.len()] = super::words::words!(TaskKind);

    pub const fn as_str(self) -> &'static str {
        match self {
            TaskKind::FollowUp => "follow_up",
            TaskKind::Bump => "bump",
            TaskKind::Reschedule => "reschedule",
            TaskKind::Handoff => "handoff",
            TaskKind::Other => "other",
        }
    }
}

/// A task due now is overdue already: one an automation files as due at the instant it runs is late from
/// then on, in the lists and in the scores (`tasks.overdue`), not a moment later.
pub fn is_overdue(due: Timestamp, now: Timestamp) -> bool {
    due.0 <= now.0
}

impl FromStr for TaskKind {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_lowercase().replace('-', "_");
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == t)
            .ok_or_else(|| ValidationError::new("kind", s, super::words::must_be(&Self::NAMES)))
    }
}
