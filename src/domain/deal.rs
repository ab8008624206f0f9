//! Deals: status, and the configured pipeline stages they move through.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use super::ValidationError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DealStatus {
    Open,
    Won,
    Lost,
}

impl DealStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DealStatus::Open => "open",
            DealStatus::Won => "won",
            DealStatus::Lost => "lost",
        }
    }
}

impl FromStr for DealStatus {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "open" => Ok(DealStatus::Open),
            "won" => Ok(DealStatus::Won),
            "lost" => Ok(DealStatus::Lost),
            _ => Err(ValidationError::new("status", s, "must be open, won or lost")),
        }
    }
}

/// The pipeline's stages in order, from config. The stages named `won_stage`/`lost_stage` close a deal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stages {
    names: Vec<String>,
    pub won_stage: String,
    pub lost_stage: String,
}

impl Stages {
    pub fn new(names: Vec<String>, won: &str, lost: &str) -> Result<Self, ValidationError> {
        if names.is_empty() {
            return Err(ValidationError::new("pipeline.stages", "", "must list at least one stage"));
        }
        for (i, n) in names.iter().enumerate() {
            if n.trim().is_empty() || names[..i].iter().any(|m| m.eq_ignore_ascii_case(n)) {
                return Err(ValidationError::new("pipeline.stages", n, "must be non-empty and unique"));
            }
        }
        let find = |field: &str, s: &str| {
            names
                .iter()
                .find(|n| n.eq_ignore_ascii_case(s))
                .cloned()
                .ok_or_else(|| ValidationError::new(field, s, "is not one of pipeline.stages"))
        };
        let won_stage = find("pipeline.won_stage", won)?;
        let lost_stage = find("pipeline.lost_stage", lost)?;
        Ok(Self { names, won_stage, lost_stage })
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The configured spelling of a stage typed in any case.
    pub fn resolve(&self, typed: &str) -> Result<String, ValidationError> {
        let t = typed.trim();
        self.names.iter().find(|n| n.eq_ignore_ascii_case(t)).cloned().ok_or_else(|| {
            ValidationError::new("stage", typed, format!("is not a stage; stages are {}", self.names.join(", ")))
        })
    }

    pub fn index(&self, stage: &str) -> Option<usize> {
        self.names.iter().position(|n| n.eq_ignore_ascii_case(stage))
    }

    pub fn first(&self) -> &str {
        &self.names[0]
    }

    /// The stages an open deal can sit in (all but won and lost), in order.
    pub fn open_stages(&self) -> impl Iterator<Item = &String> {
        self.names.iter().filter(|n| **n != self.won_stage && **n != self.lost_stage)
    }

    /// The status a deal has once it is in `stage`.
    pub fn status_for(&self, stage: &str) -> DealStatus {
        if stage.eq_ignore_ascii_case(&self.won_stage) {
            DealStatus::Won
        } else if stage.eq_ignore_ascii_case(&self.lost_stage) {
            DealStatus::Lost
        } else {
            DealStatus::Open
        }
    }
}

impl Default for Stages {
    fn default() -> Self {
        let names = ["New", "Contacted", "Discovery", "Proposal", "Pilot", "Negotiation", "Won", "Lost"];
        Self { names: names.map(String::from).to_vec(), won_stage: "Won".into(), lost_stage: "Lost".into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_resolve_case_insensitively() {
        let s = Stages::default();
        assert_eq!(s.resolve("proposal").unwrap(), "Proposal");
        assert!(s.resolve("Closing").unwrap_err().to_string().contains("stages are New"));
        assert_eq!(s.status_for("won"), DealStatus::Won);
        assert_eq!(s.open_stages().count(), 6);
        assert!(Stages::new(vec!["A".into(), "a".into()], "A", "A").is_err());
        assert!(Stages::new(vec!["A".into()], "B", "A").is_err());
    }
}
