//! The one error a domain rule raises: which field, which value, and why it was refused.

use std::fmt;

/// A value a rep or a file supplied that breaks a rule. The message names the field and the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub field: String,
    pub value: String,
    pub reason: String,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, value: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { field: field.into(), value: value.into(), reason: reason.into() }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // No value: nothing to show (an empty quote says nothing).
        if self.value.is_empty() {
            return write!(f, "{}: {}", self.field, self.reason);
        }
        // Long or multi-line values are shortened so the message stays one readable line.
        let mut shown: String = self.value.chars().take(60).collect();
        if self.value.chars().count() > 60 {
            shown.push('…');
        }
        write!(f, "{}: {} ('{}')", self.field, self.reason, one_printable_line(&shown))
    }
}

impl std::error::Error for ValidationError {}

/// A value as a message may show it: on one line (a line break as ⏎), with control characters written out (`\u{1b}`), so an
/// escape sequence in bad input never reaches the terminal.
pub fn one_printable_line(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            // A line break shows where it is (a space would hide the reason a value was refused).
            '\n' => out.push('⏎'),
            '\r' => {}
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}
