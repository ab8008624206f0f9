//! Outreach: the five kinds of touch, each with the one channel field it needs, plus direction and reply type.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::ValidationError;
use super::lead::{validate_email, validate_phone, validate_url};

/// The kind of touch. The numeric codes are stable and stored: platform=1, email=2, call=3, social=4, messenger=5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutreachKind {
    Platform = 1,
    Email = 2,
    Call = 3,
    Social = 4,
    Messenger = 5,
}

impl OutreachKind {
    pub const ALL: [OutreachKind; 5] = [
        OutreachKind::Platform,
        OutreachKind::Email,
        OutreachKind::Call,
        OutreachKind::Social,
        OutreachKind::Messenger,
    ];

    pub fn code(self) -> i64 {
        self as i64
    }

    pub fn from_code(code: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OutreachKind::Platform => "platform",
            OutreachKind::Email => "email",
            OutreachKind::Call => "call",
            OutreachKind::Social => "social",
            OutreachKind::Messenger => "messenger",
        }
    }

    /// The lead source a touch of this kind stands for, when it is where the lead came from: a social
    /// touch on LinkedIn is `linkedin`; the others are named by their kind.
    pub fn source(self, value: &str) -> &'static str {
        match self {
            OutreachKind::Social if value.to_ascii_lowercase().contains("linkedin.") => "linkedin",
            kind => kind.as_str(),
        }
    }

    /// A short label with a glyph, for timelines (the word is there too: meaning never rests on the glyph).
    pub fn label(self) -> &'static str {
        match self {
            OutreachKind::Platform => "◆ platform",
            OutreachKind::Email => "✉ email",
            OutreachKind::Call => "☎ call",
            OutreachKind::Social => "◎ social",
            OutreachKind::Messenger => "✎ messenger",
        }
    }

    /// What the kind-specific value holds, for forms and messages.
    pub fn value_name(self) -> &'static str {
        match self {
            OutreachKind::Platform => "platform name or URL",
            OutreachKind::Email => "e-mail address",
            OutreachKind::Call => "phone number",
            OutreachKind::Social => "profile URL",
            OutreachKind::Messenger => "app and handle or number",
        }
    }

    /// Checks the kind-specific value and returns it cleaned.
    pub fn validate_value(self, value: &str) -> Result<String, ValidationError> {
        let field = format!("{} value", self.as_str());
        match self {
            OutreachKind::Email => validate_email(&field, value),
            OutreachKind::Call => validate_phone(&field, value),
            // One person's profile is one value however it was copied.
            OutreachKind::Social => validate_url(&field, value).map(|u| super::lead::canonical_profile(&u)),
            OutreachKind::Platform | OutreachKind::Messenger => {
                let v = value.trim();
                if v.is_empty() {
                    Err(ValidationError::new(field, value, format!("needs the {}", self.value_name())))
                } else if v.chars().any(char::is_control) || v.chars().count() > 500 {
                    Err(ValidationError::new(field, value, "must be one line of at most 500 characters"))
                } else if self == OutreachKind::Messenger {
                    validate_messenger(&field, v)
                } else {
                    Ok(v.to_string())
                }
            }
        }
    }
}

/// A messenger contact: `APP:HANDLE` (whatsapp:+34600111222, telegram:@ana), or a phone number.
fn validate_messenger(field: &str, v: &str) -> Result<String, ValidationError> {
    let bad = || ValidationError::new(field, v, "must be APP:HANDLE (e.g. whatsapp:+34600111222) or a phone number");
    match v.split_once(':') {
        Some((app, handle)) => {
            let (app, handle) = (app.trim(), handle.trim());
            if app.is_empty() || handle.is_empty() || app.contains(char::is_whitespace) {
                return Err(bad());
            }
            Ok(format!("{app}:{handle}"))
        }
        None => super::lead::validate_phone(field, v).map_err(|_| bad()),
    }
}

impl FromStr for OutreachKind {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_lowercase();
        if let Some(k) = t.parse::<i64>().ok().and_then(Self::from_code) {
            return Ok(k);
        }
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == t)
            .ok_or_else(|| ValidationError::new("kind", s, "must be platform, email, call, social or messenger"))
    }
}

impl fmt::Display for OutreachKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Outbound,
    Inbound,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Outbound => "outbound",
            Direction::Inbound => "inbound",
        }
    }
}

impl FromStr for Direction {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "outbound" | "out" => Ok(Direction::Outbound),
            "inbound" | "in" => Ok(Direction::Inbound),
            _ => Err(ValidationError::new("direction", s, "must be outbound or inbound")),
        }
    }
}

/// How the lead answered, if at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyType {
    None,
    Positive,
    Negative,
    Info,
}

impl ReplyType {
    pub const ALL: [ReplyType; 4] = [ReplyType::None, ReplyType::Positive, ReplyType::Negative, ReplyType::Info];
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyType::None => "none",
            ReplyType::Positive => "positive",
            ReplyType::Negative => "negative",
            ReplyType::Info => "info",
        }
    }
}

impl FromStr for ReplyType {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim().to_lowercase())
            .ok_or_else(|| ValidationError::new("reply", s, "must be none, positive, negative or info"))
    }
}

/// Personalization level of a message, 0 (template) to 5 (fully hand-written).
pub fn validate_personalization(level: i64) -> Result<i64, ValidationError> {
    if (0..=5).contains(&level) {
        Ok(level)
    } else {
        Err(ValidationError::new("personalization", level.to_string(), "must be between 0 and 5"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        let codes: Vec<i64> = OutreachKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes, vec![1, 2, 3, 4, 5]);
        assert_eq!("3".parse::<OutreachKind>().unwrap(), OutreachKind::Call);
        assert_eq!("Messenger".parse::<OutreachKind>().unwrap(), OutreachKind::Messenger);
        assert!("fax".parse::<OutreachKind>().is_err());
    }

    #[test]
    fn each_kind_validates_its_field() {
        assert!(OutreachKind::Email.validate_value("a@b.co").is_ok());
        assert!(OutreachKind::Email.validate_value("nope").is_err());
        assert!(OutreachKind::Call.validate_value("+1 555 0100").is_ok());
        assert!(OutreachKind::Call.validate_value("x").is_err());
        assert!(OutreachKind::Social.validate_value("https://linkedin.com/in/a").is_ok());
        assert!(OutreachKind::Platform.validate_value("Upwork").is_ok());
        assert!(OutreachKind::Platform.validate_value("  ").is_err());
        let e = OutreachKind::Messenger.validate_value("").unwrap_err();
        assert!(e.to_string().contains("messenger value"));
        assert_eq!(
            OutreachKind::Messenger.validate_value(" whatsapp : +34600111222 ").unwrap(),
            "whatsapp:+34600111222"
        );
        assert!(OutreachKind::Messenger.validate_value("+34 600 11 22 33").is_ok());
        for bad in [":", "whatsapp:", ":+34600", "hello world", "my app:ana"] {
            let e = OutreachKind::Messenger.validate_value(bad).unwrap_err();
            assert!(e.to_string().contains("APP:HANDLE"), "{bad}: {e}");
        }
    }
}
