//! Lead scoring you can read: rules from `[scoring]`, evaluated as pure functions over one lead's facts,
//! with each rule's contribution kept so "why is this lead a 7?" always has an answer.
//! Customers also get a health score, and everyone a joint priority (score and health mixed).

pub mod facts;
pub mod hook;
pub mod rules;

use std::collections::BTreeSet;

use serde::Serialize;

use crate::config::scoring::{ScoreRuleConfig, ScoringConfig};
use crate::domain::{Stages, Timestamp, ValidationError};
use rules::{Condition, Fact, LeadFacts, Profile, SubjectFacts};

pub use facts::{FactsSql, Recomputed, load_facts, load_lead_facts, recompute, refresh_time_based, rescore_lead};
pub use hook::ScoringHook;

/// The largest weight a rule may give, either way (-10,000 sinks opted-out leads; past a million is a
/// typo).
const MAX_WEIGHT: i64 = 1_000_000;

/// A compiled rule: its conditions, weight, optional multiplier fact and cap.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRule {
    pub name: String,
    pub conditions: Vec<Condition>,
    pub weight: i64,
    pub per: Option<(Fact, String)>,
    pub cap: Option<i64>,
}

impl ScoreRule {
    fn compile(section: &str, c: &ScoreRuleConfig, stages: &Stages) -> Result<Self, ValidationError> {
        let field = format!("{section} '{}'", c.name);
        let err = |value: &str, reason: String| ValidationError::new(field.clone(), value, reason);
        if c.name.trim().is_empty() {
            return Err(ValidationError::new(section, "", "every rule needs a name"));
        }
        // Scores are numbers a rep reads.
        if !(-MAX_WEIGHT..=MAX_WEIGHT).contains(&c.weight) {
            return Err(err(&c.weight.to_string(), format!("weight must be between -{MAX_WEIGHT} and {MAX_WEIGHT}")));
        }
        let conditions = Condition::parse_all(&c.when, stages).map_err(|e| err(&c.when, e))?;
        if let Some(cond) = conditions.iter().find(|c| c.fact.is_subject()) {
            return Err(err(&cond.source, "this fact only exists in automation conditions".into()));
        }
        let per = match &c.per {
            Some(p) => {
                let cond = Condition::parse(p, stages).map_err(|e| err(p, e))?;
                if cond.test.is_some() || cond.fact.is_subject() || !cond.fact.is_numeric() {
                    return Err(err(p, "per must name one numeric fact, e.g. meetings.attended".into()));
                }
                Some((cond.fact, p.trim().to_string()))
            }
            None => None,
        };
        if let Some(cap) = c.cap
            && cap < 0
        {
            return Err(err(&cap.to_string(), "cap must be zero or more (it limits points either way)".into()));
        }
        Ok(Self { name: c.name.trim().to_string(), conditions, weight: c.weight, per, cap: c.cap })
    }

    /// The points this rule gives (0 when a condition fails).
    fn points(&self, f: &LeadFacts, profile: &Profile, now: Timestamp) -> i64 {
        let none = SubjectFacts::default();
        if !self.conditions.iter().all(|c| c.holds(f, &none, profile, now)) {
            return 0;
        }
        let raw = match &self.per {
            Some((fact, _)) => self.weight.saturating_mul(rules::number(*fact, f, &none, profile, now).unwrap_or(0)),
            None => self.weight,
        };
        match self.cap {
            Some(cap) => raw.clamp(-cap, cap),
            None => raw,
        }
    }

    pub fn uses(&self, fact: Fact) -> bool {
        self.conditions.iter().any(|c| c.fact == fact) || self.per.as_ref().is_some_and(|p| p.0 == fact)
    }

    fn explain(&self, f: &LeadFacts, profile: &Profile, now: Timestamp) -> Contribution {
        let none = SubjectFacts::default();
        let failed: Vec<&str> =
            self.conditions.iter().filter(|c| !c.holds(f, &none, profile, now)).map(|c| c.source.as_str()).collect();
        let points = self.points(f, profile, now);
        let mut detail = if self.conditions.is_empty() {
            "always".to_string()
        } else {
            self.conditions.iter().map(|c| c.source.as_str()).collect::<Vec<_>>().join(" and ")
        };
        if !failed.is_empty() {
            detail = format!("not met: {}", failed.join(", "));
        } else if let Some((fact, name)) = &self.per {
            // A fact with no value (days since a contact never made) counts nothing, and says so.
            let n = match rules::number(*fact, f, &none, profile, now) {
                Some(n) => n.to_string(),
                None if *fact == rules::Fact::DaysSinceContact => "none (never contacted)".into(),
                None => "none".into(),
            };
            let mut per = format!("{name} = {n} × {}", self.weight);
            if let Some(cap) = self.cap {
                per.push_str(&format!(" (cap {cap})"));
            }
            detail = if self.conditions.is_empty() { per } else { format!("{detail}; {per}") };
        }
        Contribution { rule: self.name.clone(), points, applies: failed.is_empty() && points != 0, detail }
    }
}

/// One rule's part in a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    pub rule: String,
    pub points: i64,
    pub applies: bool,
    pub detail: String,
}

/// A lead's score, health (customers only) and priority, with every rule's part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub score: i64,
    pub health: Option<i64>,
    pub priority: i64,
    pub rules: Vec<Contribution>,
    pub health_rules: Vec<Contribution>,
}

/// The scoring rules of a config, compiled once (`from_config`) and shared by the hook, the CLI and the TUI;
/// their fields are read, never changed.
#[derive(Clone, PartialEq)]
pub struct Scorer {
    pub rules: Vec<ScoreRule>,
    pub health_rules: Vec<ScoreRule>,
    pub profile: Profile,
    pub lead_weight: f64,
    pub health_weight: f64,
    pub stages: Stages,
    /// `fingerprint`, computed once: every write's rescore asks for it.
    fingerprint: i64,
}

/// The fields the fingerprint is made of, as `#[derive(Debug)]` writes them (the cached fingerprint is not one).
impl std::fmt::Debug for Scorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scorer")
            .field("rules", &self.rules)
            .field("health_rules", &self.health_rules)
            .field("profile", &self.profile)
            .field("lead_weight", &self.lead_weight)
            .field("health_weight", &self.health_weight)
            .field("stages", &self.stages)
            .finish()
    }
}

impl Scorer {
    /// A number that changes when anything scores are computed from changes (rules, weights, the profile,
    /// the stages): scores stored under other rules are computed again (`refresh_time_based`).
    pub fn fingerprint(&self) -> i64 {
        self.fingerprint
    }

    fn compute_fingerprint(&self) -> i64 {
        use sha2::Digest;
        // How rules are read counts too: a change to it (as to what a never-contacted lead matches) is
        // marked by this number, so scores stored before it are computed again.
        const READING: u32 = 1;
        let digest = sha2::Sha256::digest(format!("{READING} {self:?}").as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        i64::from_le_bytes(first)
    }

    /// Compiles `[scoring]`; a malformed rule is an error naming the rule.
    pub fn from_config(c: &ScoringConfig, stages: &Stages) -> Result<Self, ValidationError> {
        let compile = |section: &str, list: &[ScoreRuleConfig]| -> Result<Vec<ScoreRule>, ValidationError> {
            let mut seen = BTreeSet::new();
            let mut out = Vec::new();
            for r in list {
                if !seen.insert(r.name.trim().to_lowercase()) {
                    return Err(ValidationError::new(format!("{section} '{}'", r.name), &r.name, "is defined twice"));
                }
                out.push(ScoreRule::compile(section, r, stages)?);
            }
            Ok(out)
        };
        let require_all = match c.profile.r#match.trim().to_lowercase().as_str() {
            "any" => false,
            "all" => true,
            _ => return Err(ValidationError::new("scoring.profile.match", &c.profile.r#match, "must be any or all")),
        };
        for (field, w) in
            [("scoring.joint.lead_weight", c.joint.lead_weight), ("scoring.joint.health_weight", c.joint.health_weight)]
        {
            if !w.is_finite() {
                return Err(ValidationError::new(field, w.to_string(), "must be a number"));
            }
            // As far as rule weights go: past that, a priority is one number for every customer.
            if w.abs() > 1_000_000.0 {
                return Err(ValidationError::new(field, w.to_string(), "must be between -1000000 and 1000000"));
            }
        }
        let mut scorer = Self {
            rules: compile("scoring.rule", &c.rule)?,
            health_rules: compile("scoring.health_rule", &c.health_rule)?,
            profile: Profile {
                industries: c.profile.industries.iter().map(|s| s.trim().to_lowercase()).collect(),
                company_sizes: c.profile.company_sizes.iter().map(|s| s.trim().to_lowercase()).collect(),
                require_all,
            },
            lead_weight: c.joint.lead_weight,
            health_weight: c.joint.health_weight,
            stages: stages.clone(),
            fingerprint: 0,
        };
        scorer.fingerprint = scorer.compute_fingerprint();
        Ok(scorer)
    }

    /// (score, health, priority): the fast path used for every write and every recompute.
    pub fn evaluate(&self, f: &LeadFacts, now: Timestamp) -> (i64, Option<i64>, i64) {
        // A rule multiplied by a large count (`per`) may be huge: sums stop at the ends of the range.
        let total =
            |rules: &[ScoreRule]| rules.iter().fold(0i64, |t, r| t.saturating_add(r.points(f, &self.profile, now)));
        let score = total(&self.rules);
        let health = (f.lifecycle == "customer").then(|| total(&self.health_rules));
        (score, health, self.priority(score, health))
    }

    /// Score and health mixed by `[scoring.joint]` for customers; a lead's priority is its score.
    pub fn priority(&self, score: i64, health: Option<i64>) -> i64 {
        match health {
            Some(h) => (self.lead_weight * score as f64 + self.health_weight * h as f64).round() as i64,
            None => score,
        }
    }

    /// The same numbers with each rule's contribution.
    pub fn explain(&self, f: &LeadFacts, now: Timestamp) -> Evaluation {
        let (score, health, priority) = self.evaluate(f, now);
        Evaluation {
            score,
            health,
            priority,
            rules: self.rules.iter().map(|r| r.explain(f, &self.profile, now)).collect(),
            health_rules: if health.is_some() {
                self.health_rules.iter().map(|r| r.explain(f, &self.profile, now)).collect()
            } else {
                Vec::new()
            },
        }
    }

    fn all_rules(&self) -> impl Iterator<Item = &ScoreRule> {
        self.rules.iter().chain(self.health_rules.iter())
    }

    /// Day counts after last contact at which some rule can change its mind.
    pub fn contact_thresholds(&self) -> BTreeSet<i64> {
        self.all_rules().flat_map(|r| r.conditions.iter().flat_map(Condition::contact_thresholds)).collect()
    }

    pub fn uses(&self, fact: Fact) -> bool {
        self.all_rules().any(|r| r.uses(fact))
    }

    /// For rules that multiply a weight by `fact` (days since contact or creation): the day count after
    /// which none of them changes its points any more (the cap stops it), or `Some(None)` when one has no
    /// cap; `None` when no rule does.
    pub fn per_day_horizon(&self, fact: Fact) -> Option<Option<i64>> {
        let mut found = false;
        let mut horizon = 0;
        for r in self.all_rules().filter(|r| r.per.as_ref().is_some_and(|p| p.0 == fact)) {
            found = true;
            match (r.cap, r.weight.unsigned_abs()) {
                (_, 0) => {}
                (Some(cap), w) => horizon = horizon.max(cap.unsigned_abs().div_ceil(w)),
                (None, _) => return Some(None),
            }
        }
        found.then_some(Some(horizon as i64))
    }

    /// True when a time-based fact multiplies a weight: every lead can change every day.
    pub fn per_time_based(&self) -> bool {
        self.all_rules()
            .any(|r| r.per.as_ref().is_some_and(|p| matches!(p.0, Fact::DaysSinceContact | Fact::DaysSinceCreated)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::domain::time::DAY_MS;

    fn scorer() -> Scorer {
        let c = Config::defaults();
        Scorer::from_config(&c.scoring, &c.stages().unwrap()).unwrap()
    }

    #[test]
    fn the_default_rules_keep_their_fingerprint() {
        // A new number makes every database score every lead again once, after the upgrade: on purpose
        // (the defaults or how rules are read changed), then update it here.
        assert_eq!(scorer().fingerprint(), 451_524_623_819_129_312);
    }

    #[test]
    fn playbook_defaults_add_up() {
        let s = scorer();
        let now = Timestamp(100 * DAY_MS);
        let mut f = LeadFacts { lifecycle: "lead".into(), ..Default::default() };
        assert_eq!(s.evaluate(&f, now), (0, None, 0));
        f.replies = [1, 0, 0];
        f.cited_metric = 1;
        f.industry = Some("SaaS".into());
        f.last_contacted_at = Some(Timestamp(now.0 - 6 * DAY_MS));
        assert_eq!(s.evaluate(&f, now).0, 3 + 2 + 2 + 1);
        f.last_contacted_at = Some(Timestamp(now.0 - 7 * DAY_MS));
        assert_eq!(s.evaluate(&f, now).0, 7);
        f.replies = [1, 1, 0];
        assert_eq!(s.evaluate(&f, now).0, 5);
        let e = s.explain(&f, now);
        assert_eq!(e.rules.iter().map(|c| c.points).sum::<i64>(), 5);
        assert!(e.rules.iter().any(|c| c.rule == "negative reply" && c.points == -2));
        assert!(e.rules.iter().any(|c| c.rule == "active in the last 7 days" && !c.applies));
    }

    #[test]
    fn customers_get_health_and_priority() {
        let s = scorer();
        let now = Timestamp(100 * DAY_MS);
        let f = LeadFacts {
            lifecycle: "customer".into(),
            meetings_attended: 5,
            tasks_overdue: 1,
            last_contacted_at: Some(Timestamp(now.0 - DAY_MS)),
            ..Default::default()
        };
        let (score, health, priority) = s.evaluate(&f, now);
        assert_eq!(score, 1);
        assert_eq!(health, Some(3 + 3 - 1));
        assert_eq!(priority, 6);
    }

    #[test]
    fn malformed_rules_are_named() {
        let file = "[[scoring.rule]]\nname = \"hot leads\"\nwhen = \"tags = hot\"\nweight = 2\n";
        let e = Config::from_layers(Some(("c.toml", file)), &[]).unwrap_err().to_string();
        assert!(e.contains("scoring.rule 'hot leads'"), "{e}");
        let file =
            "[[scoring.rule]]\nname = \"x\"\nwhen = \"replies.positive > 0\"\nweight = 1\nper = \"lead.industry\"\n";
        let e = Config::from_layers(Some(("c.toml", file)), &[]).unwrap_err().to_string();
        assert!(e.contains("scoring.rule 'x'") && e.contains("per"), "{e}");
        let file = "[[scoring.rule]]\nname = \"x\"\nweight = 1\ncap = -1\n";
        assert!(Config::from_layers(Some(("c.toml", file)), &[]).is_err());
        let file = "[[scoring.rule]]\nname = \"huge\"\nweight = 4611686018427387904\n";
        let e = Config::from_layers(Some(("c.toml", file)), &[]).unwrap_err().to_string();
        assert!(e.contains("scoring.rule 'huge'") && e.contains("between -1000000 and 1000000"), "{e}");
        let file = "[scoring.joint]\nlead_weight = 1e300\nhealth_weight = 1.0\n";
        let e = Config::from_layers(Some(("c.toml", file)), &[]).unwrap_err().to_string();
        assert!(e.contains("scoring.joint.lead_weight") && e.contains("between -1000000 and 1000000"), "{e}");
    }

    #[test]
    fn per_and_cap_limit_points() {
        let c = ScoringConfig {
            rule: vec![ScoreRuleConfig {
                name: "emails".into(),
                when: String::new(),
                weight: 2,
                per: Some("outreach.email.outbound".into()),
                cap: Some(5),
            }],
            ..Config::defaults().scoring
        };
        let s = Scorer::from_config(&c, &Stages::default()).unwrap();
        let mut f = LeadFacts::default();
        f.outreach[1][0] = 2;
        assert_eq!(s.evaluate(&f, Timestamp(0)).0, 4);
        f.outreach[1][0] = 9;
        assert_eq!(s.evaluate(&f, Timestamp(0)).0, 5);
        assert!(s.explain(&f, Timestamp(0)).rules[0].detail.contains("outreach.email.outbound = 9 × 2 (cap 5)"));
        // Days since a contact never made: nothing, said as such (not "= 0").
        let c = ScoringConfig {
            rule: vec![ScoreRuleConfig {
                name: "stale".into(),
                when: String::new(),
                weight: -1,
                per: Some("days_since_contact".into()),
                cap: None,
            }],
            ..Config::defaults().scoring
        };
        let s = Scorer::from_config(&c, &Stages::default()).unwrap();
        let detail = s.explain(&LeadFacts::default(), Timestamp(90 * DAY_MS)).rules[0].detail.clone();
        assert!(detail.contains("days_since_contact = none (never contacted) × -1"), "{detail}");
    }
}
