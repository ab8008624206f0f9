//! `[automation]`: the rules (trigger → conditions → actions) that create follow-ups, move deals and
//! record events, and the settings of the built-in flows (handoff checklist, pilot tag, reactivation).

use serde::Deserialize;

/// One `[[automation.rule]]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AutomationRuleConfig {
    /// Unique; part of every dedupe key the rule writes, so renaming a rule lets it act again.
    pub name: String,
    /// One trigger or a list: no_reply, reply, meeting_scheduled, meeting_attended, meeting_no_show,
    /// deal_created, deal_won, deal_lost, pilot_accepted, customer_churned.
    pub trigger: OneOrMany,
    /// For `no_reply`: hours without an inbound reply after an outbound touch.
    #[serde(default)]
    pub hours: Option<i64>,
    /// Conditions (the scoring language), all of which must hold.
    #[serde(default)]
    pub conditions: Vec<String>,
    pub actions: Vec<ActionConfig>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn items(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// What a rule does. `{lead}`, `{channel}`, `{reason}` and `{deal}` in texts are filled in.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(tag = "do", rename_all = "snake_case", deny_unknown_fields)]
pub enum ActionConfig {
    /// A follow-up task; `channel = "same"` uses the channel of the outreach that fired the rule.
    Task {
        title: String,
        #[serde(default)]
        kind: Option<String>,
        #[serde(default)]
        due_hours: i64,
        #[serde(default)]
        channel: Option<String>,
    },
    /// Enrol the lead in a message sequence at a step (a task until sequences exist).
    EnrollSequence { sequence: String, step: u32, title: String },
    /// Move the lead's open deals forward to `stage` (never backwards).
    AdvanceDeal { stage: String },
    /// Write an event to the outbox for connectors, optionally with an inbox notice. Not for a lead who
    /// opted out, as a connector may message them, unless `even_opted_out` says the event writes them nothing
    /// (a deal for the books).
    Event {
        kind: String,
        #[serde(default)]
        notice: Option<String>,
        #[serde(default)]
        even_opted_out: bool,
    },
    /// An inbox notice.
    Notify { title: String },
    /// Lifecycle becomes customer and the client profile is filled from the deal.
    ConvertCustomer {},
    /// The `[automation.handoff]` checklist becomes tasks on the deal.
    HandoffChecklist {},
    /// Back into the pipeline: lifecycle lead, the tag added, a note with the churn reason.
    Reactivate { tag: String, note: String },
    /// A note on the lead.
    Note { body: String },
}

impl ActionConfig {
    /// The action as a config writes it: its `do`.
    pub fn name(&self) -> &'static str {
        match self {
            ActionConfig::Task { .. } => "task",
            ActionConfig::EnrollSequence { .. } => "enroll_sequence",
            ActionConfig::AdvanceDeal { .. } => "advance_deal",
            ActionConfig::Event { .. } => "event",
            ActionConfig::Notify { .. } => "notify",
            ActionConfig::ConvertCustomer {} => "convert_customer",
            ActionConfig::HandoffChecklist {} => "handoff_checklist",
            ActionConfig::Reactivate { .. } => "reactivate",
            ActionConfig::Note { .. } => "note",
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HandoffConfig {
    /// When true, `deal won` is refused until every checklist task of the deal is done.
    pub require_handoff: bool,
    /// The checklist: each item becomes a task.
    pub checklist: Vec<String>,
    /// Hours after which checklist tasks are due.
    pub due_hours: i64,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AutomationConfig {
    pub enabled: bool,
    /// Time-based rules look back this many days at most (older silences are left alone).
    pub lookback_days: i64,
    /// A lead tagged with this has accepted a pilot (the `pilot_accepted` trigger).
    pub pilot_tag: String,
    pub handoff: HandoffConfig,
    #[serde(default)]
    pub rule: Vec<AutomationRuleConfig>,
}
