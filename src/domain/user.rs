//! Users and their roles within a team.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use super::ValidationError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Rep,
}

impl Role {
    pub const ALL: [Role; 2] = [Role::Admin, Role::Rep];
    pub const NAMES: [&'static str; Role::ALL.len()] = super::words::words!(Role);

    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Rep => "rep",
        }
    }
}

/// A team member's name: a label (`lead::check_label`) that cannot be taken for another way of naming a
/// member, an e-mail address (members are found by theirs) or `me` (whoever runs the command).
pub fn member_name(field: &str, name: &str) -> Result<String, ValidationError> {
    let name = super::lead::require_text(field, name)?;
    super::lead::check_label(field, &name)?;
    if name.contains('@') {
        return Err(ValidationError::new(
            field,
            &name,
            "is a name, not an e-mail address (members are found by theirs)",
        ));
    }
    if name.eq_ignore_ascii_case("me") {
        return Err(ValidationError::new(field, &name, "cannot be 'me', which names whoever runs a command"));
    }
    Ok(name)
}

impl FromStr for Role {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let word = s.trim().to_lowercase();
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == word)
            .ok_or_else(|| ValidationError::new("role", s, super::words::must_be(&Self::NAMES)))
    }
}
