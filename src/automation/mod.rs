//! Automations: rules from `[[automation.rule]]` (a trigger, conditions, actions) that keep follow-ups
//! from slipping. Event-driven rules run in the writing transaction (through `AutomationHook`);
//! time-based rules run in `run` (`leadline automate run`, the TUI timer). Every action carries a key
//! derived from rule + subject, so running twice, or again after a crash, never duplicates anything.

pub mod actions;
pub mod clients;
pub mod hook;
pub mod run;

use std::collections::BTreeSet;

use crate::config::automation::{ActionConfig, AutomationConfig, HandoffConfig};
use crate::domain::{OutreachKind, Stages, TaskKind, ValidationError};
use crate::scoring::FactsSql;
use crate::scoring::rules::{Condition, Profile};

pub use hook::AutomationHook;
pub use run::{Done, RunReport, run, run_missed};

/// What makes a rule look at something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Time-based: an outbound touch with no reply from the lead for `hours`.
    NoReply,
    /// An inbound touch or a touch with a reply type was logged or edited.
    Reply,
    MeetingScheduled,
    MeetingAttended,
    MeetingNoShow,
    DealCreated,
    DealWon,
    DealLost,
    /// `leadline deal pilot DEAL`, or the lead tagged with `automation.pilot_tag`.
    PilotAccepted,
    /// A customer's lifecycle became churned (`leadline lead churn`).
    CustomerChurned,
}

impl Trigger {
    const ALL: [(&'static str, Trigger); 10] = [
        ("no_reply", Trigger::NoReply),
        ("reply", Trigger::Reply),
        ("meeting_scheduled", Trigger::MeetingScheduled),
        ("meeting_attended", Trigger::MeetingAttended),
        ("meeting_no_show", Trigger::MeetingNoShow),
        ("deal_created", Trigger::DealCreated),
        ("deal_won", Trigger::DealWon),
        ("deal_lost", Trigger::DealLost),
        ("pilot_accepted", Trigger::PilotAccepted),
        ("customer_churned", Trigger::CustomerChurned),
    ];

    pub fn parse(s: &str) -> Option<Trigger> {
        let t = s.trim().to_lowercase().replace('-', "_");
        Self::ALL.iter().find(|(n, _)| *n == t).map(|(_, tr)| *tr)
    }

    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(_, t)| *t == self).map(|(n, _)| *n).unwrap_or("?")
    }
}

/// Which channel a task is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelSpec {
    /// The channel of the outreach that fired the rule.
    Same,
    Kind(OutreachKind),
}

/// A compiled action; texts may hold `{lead}`, `{channel}`, `{reason}`, `{deal}`.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Task {
        title: String,
        kind: TaskKind,
        due_hours: i64,
        channel: Option<ChannelSpec>,
    },
    /// Named so the campaigns feature can turn it into a real enrolment; until then it is a task.
    EnrollSequence {
        sequence: String,
        step: u32,
        title: String,
    },
    AdvanceDeal {
        stage: String,
        index: usize,
    },
    Event {
        kind: String,
        notice: Option<String>,
        even_opted_out: bool,
    },
    Notify {
        title: String,
    },
    ConvertCustomer,
    HandoffChecklist,
    Reactivate {
        tag: String,
        note: String,
    },
    Note {
        body: String,
    },
}

/// The longest wait a rule may name: a year.
const MAX_HOURS: i64 = 24 * 366;

/// `hours` for the setting `name`, if between `min` and a year.
fn hours_within(name: &str, hours: i64, min: i64) -> Result<i64, String> {
    if (min..=MAX_HOURS).contains(&hours) {
        Ok(hours)
    } else {
        Err(format!("{name} must be between {min} and {MAX_HOURS} (a year)"))
    }
}

impl Action {
    /// Actions that cannot be keyed are refused in time-based rules: a rerun would repeat them.
    fn keyed(&self) -> bool {
        matches!(
            self,
            Action::Task { .. } | Action::EnrollSequence { .. } | Action::Event { .. } | Action::AdvanceDeal { .. }
        )
    }

    fn compile(a: &ActionConfig, stages: &Stages) -> Result<Action, String> {
        Ok(match a {
            ActionConfig::Task { title, kind, due_hours, channel } => Action::Task {
                title: template("title", title)?,
                kind: match kind {
                    Some(k) => k.parse::<TaskKind>().map_err(|e| e.to_string())?,
                    None => TaskKind::FollowUp,
                },
                due_hours: hours_within("due_hours", *due_hours, 0)?,
                channel: match channel.as_deref().map(|c| c.trim().to_lowercase()) {
                    None => None,
                    Some(c) if c == "same" => Some(ChannelSpec::Same),
                    Some(c) => {
                        Some(ChannelSpec::Kind(OutreachKind::ALL.into_iter().find(|k| k.as_str() == c).ok_or_else(
                            || format!("channel '{c}' must be same, platform, email, call, social or messenger"),
                        )?))
                    }
                },
            },
            ActionConfig::EnrollSequence { sequence, step, title } => Action::EnrollSequence {
                sequence: non_empty("sequence", sequence)?,
                step: *step,
                title: template("title", title)?,
            },
            ActionConfig::AdvanceDeal { stage } => {
                // The built-in rules move deals through the built-in stages: a pipeline of one's own needs
                // rules of one's own.
                let s = stages.resolve(stage).map_err(|_| {
                    format!(
                        "moves deals to '{stage}', which is not a stage ({}); with your own [pipeline] stages, \
                         write your own [[automation.rule]] list, which replaces the built-in rules",
                        stages.names().join(", ")
                    )
                })?;
                Action::AdvanceDeal { index: stages.index(&s).unwrap_or(0), stage: s }
            }
            ActionConfig::Event { kind, notice, even_opted_out } => Action::Event {
                kind: non_empty("kind", kind)?,
                notice: notice.as_deref().map(|n| template("notice", n)).transpose()?,
                even_opted_out: *even_opted_out,
            },
            ActionConfig::Notify { title } => Action::Notify { title: template("title", title)? },
            ActionConfig::ConvertCustomer {} => Action::ConvertCustomer,
            ActionConfig::HandoffChecklist {} => Action::HandoffChecklist,
            ActionConfig::Reactivate { tag, note } => Action::Reactivate {
                tag: crate::domain::lead::normalize_tag(tag).map_err(|e| e.to_string())?,
                note: template("note", note)?,
            },
            ActionConfig::Note { body } => Action::Note { body: template("body", body)? },
        })
    }

    /// The texts filled in when the action runs.
    fn texts(&self) -> Vec<&str> {
        match self {
            Action::Task { title, .. } | Action::EnrollSequence { title, .. } | Action::Notify { title } => vec![title],
            Action::Event { notice, .. } => notice.as_deref().into_iter().collect(),
            Action::Reactivate { note, .. } => vec![note],
            Action::Note { body } => vec![body],
            Action::AdvanceDeal { .. } | Action::ConvertCustomer | Action::HandoffChecklist => Vec::new(),
        }
    }

    /// What is wrong with a text naming a word none of the rule's triggers has to fill in (a `{reason}` in
    /// a reply rule would always say "not given").
    fn unfilled_in(&self, triggers: &[Trigger]) -> Option<String> {
        const FILLED: [(&str, &[Trigger]); 2] = [
            ("{reason}", &[Trigger::DealLost, Trigger::MeetingNoShow, Trigger::CustomerChurned]),
            ("{deal}", &[Trigger::DealCreated, Trigger::DealWon, Trigger::DealLost, Trigger::PilotAccepted]),
        ];
        let texts = self.texts();
        FILLED.iter().find_map(|(word, by)| {
            let used = texts.iter().any(|t| t.contains(word));
            (used && !triggers.iter().any(|t| by.contains(t))).then(|| {
                let names: Vec<&str> = by.iter().map(|t| t.name()).collect();
                format!("{word} is filled in only for {} rules", names.join(", "))
            })
        })
    }

    /// A short description for reports and `--dry-run`.
    pub fn describe(&self) -> String {
        match self {
            Action::Task { kind, .. } => format!("{} task", kind.as_str()),
            Action::EnrollSequence { sequence, step, .. } => format!("enrol in {sequence} sequence step {step}"),
            Action::AdvanceDeal { stage, .. } => format!("move deal to {stage}"),
            Action::Event { kind, .. } => format!("{kind} event"),
            Action::Notify { .. } => "inbox notice".into(),
            Action::ConvertCustomer => "convert to customer".into(),
            Action::HandoffChecklist => "handoff checklist".into(),
            Action::Reactivate { .. } => "back into the pipeline".into(),
            Action::Note { .. } => "note".into(),
        }
    }
}

fn non_empty(field: &str, v: &str) -> Result<String, String> {
    if v.trim().is_empty() { Err(format!("{field} must not be empty")) } else { Ok(v.to_string()) }
}

/// The words an action's text may have filled in (`actions::run` fills them).
const PLACEHOLDERS: [&str; 4] = ["{lead}", "{channel}", "{reason}", "{deal}"];

/// A text that is filled in when the action runs: not empty, and every `{word}` in it one that is filled.
fn template(field: &str, v: &str) -> Result<String, String> {
    let v = non_empty(field, v)?;
    let mut rest = v.as_str();
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        let word = &rest[open..open + close + 1];
        if !PLACEHOLDERS.contains(&word) {
            return Err(format!("{field} has {word}, which is not filled in; use {}", PLACEHOLDERS.join(", ")));
        }
        rest = &rest[open + close + 1..];
    }
    Ok(v)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub name: String,
    pub triggers: Vec<Trigger>,
    pub hours: i64,
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
}

/// The automation rules of a config, compiled once.
#[derive(Debug, Clone, PartialEq)]
pub struct Automations {
    pub enabled: bool,
    pub lookback_days: i64,
    pub pilot_tag: String,
    pub handoff: HandoffConfig,
    pub rules: Vec<Rule>,
    pub stages: Stages,
    pub profile: Profile,
    pub facts_sql: FactsSql,
}

impl Automations {
    /// Compiles `[automation]`; a malformed rule is an error naming the rule.
    pub fn from_config(c: &AutomationConfig, stages: &Stages) -> Result<Self, ValidationError> {
        let mut seen = BTreeSet::new();
        let mut rules = Vec::new();
        for r in &c.rule {
            let field = format!("automation.rule '{}'", r.name);
            let err = |value: &str, reason: String| ValidationError::new(field.clone(), value, reason);
            if r.name.trim().is_empty() || r.name.contains(':') {
                return Err(ValidationError::new("automation.rule", &r.name, "every rule needs a name without ':'"));
            }
            if !seen.insert(r.name.trim().to_lowercase()) {
                return Err(err(&r.name, "is defined twice".into()));
            }
            if !r.enabled {
                continue;
            }
            let mut triggers = Vec::new();
            for t in r.trigger.items() {
                triggers.push(Trigger::parse(&t).ok_or_else(|| {
                    let names: Vec<&str> = Trigger::ALL.iter().map(|(n, _)| *n).collect();
                    err(&t, format!("unknown trigger; triggers are {}", names.join(", ")))
                })?);
            }
            if triggers.is_empty() {
                return Err(err("", "needs a trigger".into()));
            }
            let timed = triggers.contains(&Trigger::NoReply);
            if timed && triggers.len() > 1 {
                return Err(err("no_reply", "a time-based trigger cannot be mixed with event triggers".into()));
            }
            let hours = match (timed, r.hours) {
                (true, Some(h)) => hours_within("hours", h, 1).map_err(|e| err(&h.to_string(), e))?,
                (true, None) => return Err(err("hours", "no_reply needs hours = N (more than 0)".into())),
                (false, Some(_)) => return Err(err("hours", "hours only applies to no_reply".into())),
                (false, None) => 0,
            };
            let mut conditions = Vec::new();
            for text in &r.conditions {
                conditions.extend(Condition::parse_all(text, stages).map_err(|e| err(text, e))?);
            }
            if r.actions.is_empty() {
                return Err(err("", "needs at least one action".into()));
            }
            let mut actions = Vec::new();
            for a in &r.actions {
                let action = Action::compile(a, stages).map_err(|e| err(&format!("do = {}", a.name()), e))?;
                if let Some(word) = action.unfilled_in(&triggers) {
                    return Err(err(&format!("do = {}", a.name()), word));
                }
                if timed && !action.keyed() {
                    return Err(err(
                        &action.describe(),
                        "time-based rules can only add tasks, events or move deals".into(),
                    ));
                }
                actions.push(action);
            }
            rules.push(Rule { name: r.name.trim().to_string(), triggers, hours, conditions, actions });
        }
        if !(1..=MAX_HOURS / 24).contains(&c.lookback_days) {
            return Err(ValidationError::new(
                "automation.lookback_days",
                c.lookback_days.to_string(),
                format!("must be between 1 and {}", MAX_HOURS / 24),
            ));
        }
        hours_within("due_hours", c.handoff.due_hours, 0)
            .map_err(|e| ValidationError::new("automation.handoff.due_hours", c.handoff.due_hours.to_string(), e))?;
        let pilot_tag = crate::domain::lead::normalize_tag(&c.pilot_tag)
            .map_err(|e| ValidationError { field: "automation.pilot_tag".into(), ..e })?;
        let mut items = BTreeSet::new();
        for item in &c.handoff.checklist {
            if item.trim().is_empty() || !items.insert(item.trim().to_lowercase()) {
                return Err(ValidationError::new(
                    "automation.handoff.checklist",
                    item,
                    "items must be non-empty and unique",
                ));
            }
        }
        Ok(Self {
            enabled: c.enabled,
            lookback_days: c.lookback_days,
            pilot_tag,
            handoff: c.handoff.clone(),
            rules,
            stages: stages.clone(),
            profile: Profile::default(),
            facts_sql: FactsSql::new(stages),
        })
    }

    /// Lets `profile.*` conditions use the scoring profile.
    pub fn with_profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }

    pub fn rules_for(&self, trigger: Trigger) -> impl Iterator<Item = &Rule> {
        self.rules.iter().filter(move |r| self.enabled && r.triggers.contains(&trigger))
    }

    /// The rules that hold only for a deal that came from a touch (`deal.from_outreach`): what they did is
    /// no longer so once the touch is taken back.
    pub fn rules_on_touch_origin(&self) -> Vec<&str> {
        let on_origin =
            |r: &&Rule| r.conditions.iter().any(|c| c.fact == crate::scoring::rules::Fact::SubjectFromOutreach);
        self.rules.iter().filter(on_origin).map(|r| r.name.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    #[test]
    fn defaults_compile_and_bad_rules_are_named() {
        let c = Config::defaults();
        let a = super::Automations::from_config(&c.automation, &c.stages().unwrap()).unwrap();
        assert_eq!(a.rules.len(), 9);
        let bad = "[[automation.rule]]\nname = \"nudge\"\ntrigger = \"no_reply\"\nactions = [{ do = \"task\", title = \"x\" }]\n";
        let e = Config::from_layers(Some(("c.toml", bad)), &[]).unwrap_err().to_string();
        assert!(e.contains("automation.rule 'nudge'") && e.contains("hours"), "{e}");
        let bad = "[[automation.rule]]\nname = \"nudge\"\ntrigger = \"on_tuesday\"\nactions = [{ do = \"task\", title = \"x\" }]\n";
        let e = Config::from_layers(Some(("c.toml", bad)), &[]).unwrap_err().to_string();
        assert!(e.contains("automation.rule 'nudge'") && e.contains("on_tuesday"), "{e}");
        let bad = "[[automation.rule]]\nname = \"mover\"\ntrigger = \"reply\"\nactions = [{ do = \"advance_deal\", stage = \"Closing\" }]\n";
        let e = Config::from_layers(Some(("c.toml", bad)), &[]).unwrap_err().to_string();
        assert!(e.contains("automation.rule 'mover'") && e.contains("Closing"), "{e}");
        let bad = "[[automation.rule]]\nname = \"x\"\ntrigger = \"reply\"\nconditions = [\"replies.happy > 1\"]\nactions = [{ do = \"note\", body = \"x\" }]\n";
        let e = Config::from_layers(Some(("c.toml", bad)), &[]).unwrap_err().to_string();
        assert!(e.contains("automation.rule 'x'") && e.contains("replies.happy"), "{e}");
        let bad = "[[automation.rule]]\nname = \"n\"\ntrigger = \"reply\"\nactions = [{ do = \"note\", body = \"hi {leed}\" }]\n";
        let e = Config::from_layers(Some(("c.toml", bad)), &[]).unwrap_err().to_string();
        assert!(e.contains("automation.rule 'n'") && e.contains("{leed}") && e.contains("{lead}"), "{e}");
        // Waits are between nothing (or an hour) and a year: a task born overdue, or a wait that overflows, is a typo.
        for (bad, what) in [
            (
                "[[automation.rule]]\nname = \"w\"\ntrigger = \"no_reply\"\nhours = 9999999999999\nactions = [{ do = \"task\", title = \"x\" }]\n",
                "hours",
            ),
            (
                "[[automation.rule]]\nname = \"w\"\ntrigger = \"reply\"\nactions = [{ do = \"task\", title = \"x\", due_hours = -1 }]\n",
                "due_hours",
            ),
            (
                "[automation.handoff]\nrequire_handoff = false\nchecklist = []\ndue_hours = -48\n",
                "automation.handoff.due_hours",
            ),
            ("[automation]\nlookback_days = 100000\n", "lookback_days"),
        ] {
            let e = Config::from_layers(Some(("c.toml", bad)), &[]).unwrap_err().to_string();
            assert!(e.contains(what) && e.contains("between"), "{e}");
        }
        // A pipeline of one's own, with the built-in rules that move deals through the built-in stages.
        let own = "[pipeline]\nstages = [\"New\", \"Won\", \"Lost\"]\n";
        let e = Config::from_layers(Some(("c.toml", own)), &[]).unwrap_err().to_string();
        assert!(e.contains("write your own [[automation.rule]] list") && e.contains("do = advance_deal"), "{e}");
        assert!(!e.contains("AdvanceDeal {"), "{e}");
    }
}
