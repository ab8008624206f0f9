//! `[scoring]`: the lead score rules, the customer health rules, the ideal-customer profile and the joint priority.

use serde::Deserialize;

/// One `[[scoring.rule]]` or `[[scoring.health_rule]]`: when the conditions hold, add `weight`
/// (times the value of `per`, if given), limited to `cap` points either way.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScoreRuleConfig {
    pub name: String,
    /// Conditions joined by `and`, e.g. `replies.positive > 0 and tags has hot`; empty: always.
    #[serde(default)]
    pub when: String,
    pub weight: i64,
    /// A numeric fact to multiply the weight by, e.g. `meetings.attended`.
    #[serde(default)]
    pub per: Option<String>,
    /// The most points (in absolute value) this rule can give.
    #[serde(default)]
    pub cap: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    #[serde(default)]
    pub industries: Vec<String>,
    #[serde(default)]
    pub company_sizes: Vec<String>,
    /// `any` (industry or size matches) or `all` (both must).
    #[serde(default = "any")]
    pub r#match: String,
}

fn any() -> String {
    "any".into()
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct JointConfig {
    pub lead_weight: f64,
    pub health_weight: f64,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScoringConfig {
    pub profile: ProfileConfig,
    pub joint: JointConfig,
    #[serde(default)]
    pub rule: Vec<ScoreRuleConfig>,
    #[serde(default)]
    pub health_rule: Vec<ScoreRuleConfig>,
}
