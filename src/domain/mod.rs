//! Plain types and rules of the CRM, with no I/O: no SQLite, terminals or HTTP here.

pub mod deal;
pub mod error;
pub mod ids;
pub mod lead;
pub mod meeting;
pub mod money;
pub mod outreach;
pub mod phone;
pub mod phone_keys;
pub mod task;
pub mod text;
pub mod time;
pub mod user;
pub mod words;

pub use deal::{DealStatus, Stages};
pub use error::ValidationError;
pub use ids::*;
pub use lead::{Lifecycle, Source, normalize_email};
pub use meeting::Attendance;
pub use money::Money;
pub use outreach::{Direction, OutreachKind, ReplyType};
pub use task::TaskKind;
pub use time::{Clock, Timestamp};
pub use user::Role;
