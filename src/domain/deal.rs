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
    pub const ALL: [DealStatus; 3] = [DealStatus::Open, DealStatus::Won, DealStatus::Lost];
    pub const NAMES: [&'static str; DealStatus::ALL.len()] = super::words::words!(DealStatus);

    pub const fn as_str(self) -> &'static str {
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
        let word = s.trim().to_lowercase();
        Self::ALL
            .into_iter()
            .find(|d| d.as_str() == word)
            .ok_or_else(|| ValidationError::new("status", s, super::words::must_be(&Self::NAMES)))
    }
}

/// A deal is worth something or nothing yet; a negative value would quietly shrink the pipeline's totals.
pub fn check_amount(amount: &super::money::Money) -> Result<(), ValidationError> {
    if amount.minor < 0 {
        return Err(ValidationError::new("amount", amount.decimal(), "must not be negative"));
    }
    Ok(())
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
        // A deal lost would be counted won.
        if won_stage == lost_stage {
            return Err(ValidationError::new("pipeline.lost_stage", lost, "must be another stage than won_stage"));
        }
        // Open deals need a stage to be in.
        if names.iter().all(|n| *n == won_stage || *n == lost_stage) {
            return Err(ValidationError::new(
                "pipeline.stages",
                names.join(", "),
                "must have an open stage besides won and lost",
            ));
        }
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

    /// The stage another CRM's stage name most likely means: the same name, or a stage named by one of its
    /// words ("Proposal Made" is Proposal, "Negotiations Started" Negotiation, "Closed Won" Won).
    pub fn closest(&self, foreign: &str) -> Option<&str> {
        let foreign = internal_stage_label(foreign).unwrap_or(foreign);
        if let Ok(exact) = self.resolve(foreign) {
            return self.names.iter().find(|n| **n == exact).map(String::as_str);
        }
        let words: Vec<String> =
            foreign.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
        let same = |word: &str, name: &str| {
            word == name || (word.len() >= 5 && name.len() >= 5 && word.get(..5) == name.get(..5))
        };
        self.names.iter().map(String::as_str).find(|n| words.iter().any(|w| same(w, &n.to_lowercase())))
    }

    /// Where a stage as stored stands in the pipeline. Stored stages are the config's names as written
    /// (`resolve` makes them so): one in another case is a stage the pipeline no longer has, as the board,
    /// the scores and `off_pipeline` all read it.
    pub fn index(&self, stage: &str) -> Option<usize> {
        self.names.iter().position(|n| n == stage)
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

/// HubSpot's default pipeline writes its stages' internal ids in some exports ("closedwon"): their labels.
fn internal_stage_label(id: &str) -> Option<&'static str> {
    Some(match id.trim().to_ascii_lowercase().as_str() {
        "appointmentscheduled" => "Appointment Scheduled",
        "qualifiedtobuy" => "Qualified To Buy",
        "presentationscheduled" => "Presentation Scheduled",
        "decisionmakerboughtin" => "Decision Maker Bought-In",
        "contractsent" => "Contract Sent",
        "closedwon" => "Closed Won",
        "closedlost" => "Closed Lost",
        _ => return None,
    })
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
        let e = Stages::new(vec!["New".into(), "Won".into(), "Lost".into()], "Won", "won").unwrap_err();
        assert!(e.to_string().contains("another stage than won_stage"), "{e}");
        assert!(Stages::new(vec!["Won".into(), "Lost".into()], "Won", "Lost").is_err(), "no open stage");
    }

    #[test]
    fn another_crms_stage_names_find_the_stage_they_mean() {
        let names = ["New", "Contacted", "Discovery", "Proposal", "Pilot", "Negotiation", "Won", "Lost"];
        let s = Stages::new(names.iter().map(|n| n.to_string()).collect(), "Won", "Lost").unwrap();
        assert_eq!(s.closest("proposal"), Some("Proposal"));
        assert_eq!(s.closest("Proposal Made"), Some("Proposal"));
        assert_eq!(s.closest("Negotiations Started"), Some("Negotiation"));
        assert_eq!(s.closest("Contact Made"), Some("Contacted"));
        assert_eq!(s.closest("Closed Won"), Some("Won"));
        assert_eq!(s.closest("Closed Lost"), Some("Lost"));
        // HubSpot's internal ids, as some of its exports write them.
        assert_eq!(s.closest("closedwon"), Some("Won"));
        assert_eq!(s.closest("closedlost"), Some("Lost"));
        assert_eq!(s.closest("appointmentscheduled"), None);
        assert_eq!(s.closest("Qualified"), None);
        assert_eq!(s.closest("Lead In"), None);
    }
}
