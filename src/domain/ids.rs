//! Typed ids: UUID v7 text, sortable by creation time and unique across machines.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// A fresh id, ordered by creation time to the millisecond. Within one millisecond the rest is
            /// random, not counted up: ids made together (an automation's tasks) then differ early, so the
            /// short ids tables show stay short.
            pub fn generate() -> Self {
                Self(uuid::Uuid::new_v7(uuid::Timestamp::now(uuid::NoContext)).to_string())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }
    )*};
}

id_type!(TeamId, UserId, AccountId, LeadId, OutreachId, MeetingId, DealId, TaskId, NoteId, InboxId, EventId);

/// True when `s` looks like one of our ids (a UUID), so a reference can be tried as an id first.
pub fn looks_like_id(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok()
}

/// An id as leadline stores it (lower-case, hyphenated), from any way of writing a UUID ("{...}",
/// "urn:uuid:...", no hyphens, upper case). Stored ids are compared as text, so every one is written alike.
pub fn canonical_id(s: &str) -> Option<String> {
    uuid::Uuid::parse_str(s.trim()).ok().map(|u| u.hyphenated().to_string())
}
