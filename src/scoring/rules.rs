//! The small condition language shared by scoring rules and automation conditions, and the facts it reads.
//!
//! A condition is `FACT [OP VALUE]`, several joined by `and`: `replies.positive > 0`,
//! `lead.industry = saas`, `tags has hot`, `deal.stage >= Proposal`, `days_since_contact < 7`.
//! A bare fact is true when it is non-zero (or, for text, set). Everything here is pure.

use serde::Serialize;

use crate::domain::{Direction, OutreachKind, ReplyType, Stages, Timestamp, time::DAY_MS};

/// Everything the rules can know about one lead, loaded by one query (see `facts`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LeadFacts {
    pub seq: i64,
    pub id: String,
    pub source: Option<String>,
    pub industry: Option<String>,
    pub company_size: Option<String>,
    pub title: Option<String>,
    pub product_interest: Option<String>,
    pub lifecycle: String,
    pub tags: Vec<String>,
    pub do_not_contact: bool,
    pub last_contacted_at: Option<Timestamp>,
    /// Creation instant (UTC ms).
    pub created_at: i64,
    /// Outreach counts by kind (code - 1) and direction (0 outbound, 1 inbound).
    pub outreach: [[i64; 2]; 5],
    pub cited_metric: i64,
    /// Outreach answered positive, negative, info.
    pub replies: [i64; 3],
    pub meetings_attended: i64,
    pub meetings_no_show: i64,
    pub meetings_scheduled: i64,
    pub deals_open: i64,
    pub deals_won: i64,
    pub deals_lost: i64,
    /// Pipeline index of the most advanced open deal.
    pub open_stage: Option<usize>,
    pub tasks_open: i64,
    pub tasks_overdue: i64,
    /// The score, health and priority stored now (to skip writes that change nothing).
    pub stored: (i64, Option<i64>, i64),
}

/// What an automation condition may also ask about the thing that fired it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubjectFacts {
    pub reply: Option<ReplyType>,
    pub channel: Option<OutreachKind>,
    pub deal_from_outreach: Option<bool>,
}

/// The ideal-customer profile used by `profile.*` facts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    pub industries: Vec<String>,
    pub company_sizes: Vec<String>,
    /// true: industry AND size must match; false: either.
    pub require_all: bool,
}

impl Profile {
    fn industry(&self, f: &LeadFacts) -> bool {
        f.industry.as_deref().is_some_and(|i| self.industries.iter().any(|x| x.eq_ignore_ascii_case(i.trim())))
    }
    fn size(&self, f: &LeadFacts) -> bool {
        f.company_size.as_deref().is_some_and(|s| self.company_sizes.iter().any(|x| x.eq_ignore_ascii_case(s.trim())))
    }
    pub fn matches(&self, f: &LeadFacts) -> bool {
        let industry = (!self.industries.is_empty()).then(|| self.industry(f));
        let size = (!self.company_sizes.is_empty()).then(|| self.size(f));
        match (industry, size) {
            (None, None) => false,
            (Some(a), None) | (None, Some(a)) => a,
            (Some(a), Some(b)) => {
                if self.require_all {
                    a && b
                } else {
                    a || b
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    Source,
    Industry,
    CompanySize,
    Title,
    ProductInterest,
    Lifecycle,
}

/// A fact a condition can name; resolved when the config is loaded so typos fail early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    Text(TextField),
    Tags,
    Outreach { kind: Option<OutreachKind>, direction: Option<Direction> },
    CitedMetric,
    Replies(ReplyType),
    MeetingsAttended,
    MeetingsNoShow,
    MeetingsScheduled,
    DealStage,
    DealsOpen,
    DealsWon,
    DealsLost,
    DaysSinceContact,
    DaysSinceCreated,
    TasksOpen,
    TasksOverdue,
    ProfileMatch,
    ProfileIndustry,
    ProfileSize,
    DoNotContact,
    SubjectReply,
    SubjectChannel,
    SubjectFromOutreach,
}

/// The names users write, for error messages and docs.
pub const FACT_NAMES: &str = "lead.source, lead.industry, lead.company_size, lead.title, lead.product_interest, \
lead.lifecycle, lead.do_not_contact, tags, outreach[.KIND][.DIRECTION], outreach.cited_metric, \
replies.positive|negative|info, meetings.attended|no_show|scheduled, deal.stage, deals.open|won|lost, \
days_since_contact, days_since_created, tasks.open, tasks.overdue, profile.match|industry|size";

impl Fact {
    pub fn parse(name: &str) -> Option<Fact> {
        let n = name.trim().to_lowercase();
        let text = |f| Some(Fact::Text(f));
        match n.as_str() {
            "lead.source" | "source" => return text(TextField::Source),
            "lead.industry" | "industry" => return text(TextField::Industry),
            "lead.company_size" | "company_size" => return text(TextField::CompanySize),
            "lead.title" | "title" => return text(TextField::Title),
            "lead.product_interest" | "product_interest" => return text(TextField::ProductInterest),
            "lead.lifecycle" | "lifecycle" => return text(TextField::Lifecycle),
            "lead.do_not_contact" | "do_not_contact" => return Some(Fact::DoNotContact),
            "tags" | "lead.tags" => return Some(Fact::Tags),
            "outreach.cited_metric" | "cited_metric" => return Some(Fact::CitedMetric),
            "replies.positive" => return Some(Fact::Replies(ReplyType::Positive)),
            "replies.negative" => return Some(Fact::Replies(ReplyType::Negative)),
            "replies.info" => return Some(Fact::Replies(ReplyType::Info)),
            "meetings.attended" => return Some(Fact::MeetingsAttended),
            "meetings.no_show" => return Some(Fact::MeetingsNoShow),
            "meetings.scheduled" => return Some(Fact::MeetingsScheduled),
            "deal.stage" => return Some(Fact::DealStage),
            "deals.open" => return Some(Fact::DealsOpen),
            "deals.won" => return Some(Fact::DealsWon),
            "deals.lost" => return Some(Fact::DealsLost),
            "days_since_contact" => return Some(Fact::DaysSinceContact),
            "days_since_created" => return Some(Fact::DaysSinceCreated),
            "tasks.open" => return Some(Fact::TasksOpen),
            "tasks.overdue" => return Some(Fact::TasksOverdue),
            "profile.match" => return Some(Fact::ProfileMatch),
            "profile.industry" => return Some(Fact::ProfileIndustry),
            "profile.size" | "profile.company_size" => return Some(Fact::ProfileSize),
            "reply" => return Some(Fact::SubjectReply),
            "channel" => return Some(Fact::SubjectChannel),
            "deal.from_outreach" => return Some(Fact::SubjectFromOutreach),
            _ => {}
        }
        let mut parts = n.split('.');
        if parts.next() != Some("outreach") {
            return None;
        }
        let (mut kind, mut direction) = (None, None);
        for p in parts {
            if let Ok(d) = p.parse::<Direction>() {
                if direction.replace(d).is_some() {
                    return None;
                }
            } else if let Some(k) = OutreachKind::ALL.into_iter().find(|k| k.as_str() == p) {
                if kind.replace(k).is_some() {
                    return None;
                }
            } else {
                return None;
            }
        }
        Some(Fact::Outreach { kind, direction })
    }

    /// Facts about the subject of an automation (not of a lead).
    pub fn is_subject(self) -> bool {
        matches!(self, Fact::SubjectReply | Fact::SubjectChannel | Fact::SubjectFromOutreach)
    }

    /// Facts whose value changes as time passes, without any write.
    pub fn is_time_based(self) -> bool {
        matches!(self, Fact::DaysSinceContact | Fact::DaysSinceCreated | Fact::TasksOverdue)
    }

    /// Facts read off the lead's own row (no counts over outreach, meetings, deals or tasks).
    pub fn is_lead_column(self) -> bool {
        matches!(
            self,
            Fact::Text(_)
                | Fact::Tags
                | Fact::DoNotContact
                | Fact::DaysSinceContact
                | Fact::DaysSinceCreated
                | Fact::ProfileMatch
                | Fact::ProfileIndustry
                | Fact::ProfileSize
                | Fact::SubjectReply
                | Fact::SubjectChannel
                | Fact::SubjectFromOutreach
        )
    }

    pub fn is_numeric(self) -> bool {
        !matches!(self, Fact::Text(_) | Fact::Tags | Fact::DealStage | Fact::SubjectReply | Fact::SubjectChannel)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Has,
}

impl Op {
    fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "=" | "==" => Op::Eq,
            "!=" | "<>" => Op::Ne,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            "<" => Op::Lt,
            "<=" => Op::Le,
            "has" => Op::Has,
            _ => return None,
        })
    }
    fn cmp(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Op::Eq => ord == Equal,
            Op::Ne => ord != Equal,
            Op::Gt => ord == Greater,
            Op::Ge => ord != Less,
            Op::Lt => ord == Less,
            Op::Le => ord != Greater,
            Op::Has => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Num(i64),
    Text(String),
    Stage(usize),
}

/// One `FACT [OP VALUE]` test.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub fact: Fact,
    pub test: Option<(Op, Operand)>,
    pub source: String,
}

/// The value of a numeric fact, or None when it has none (never contacted).
pub fn number(fact: Fact, f: &LeadFacts, s: &SubjectFacts, profile: &Profile, now: Timestamp) -> Option<i64> {
    let days = |t: Timestamp| (now.0 - t.0).max(0) / DAY_MS;
    Some(match fact {
        Fact::Outreach { kind, direction } => {
            let dirs = match direction {
                None => 0..2,
                Some(Direction::Outbound) => 0..1,
                Some(Direction::Inbound) => 1..2,
            };
            let kinds = match kind {
                None => 0..5,
                Some(k) => (k.code() - 1) as usize..k.code() as usize,
            };
            kinds.map(|k| dirs.clone().map(|d| f.outreach[k][d]).sum::<i64>()).sum()
        }
        Fact::CitedMetric => f.cited_metric,
        Fact::Replies(ReplyType::Positive) => f.replies[0],
        Fact::Replies(ReplyType::Negative) => f.replies[1],
        Fact::Replies(ReplyType::Info) => f.replies[2],
        Fact::Replies(ReplyType::None) => return None,
        Fact::MeetingsAttended => f.meetings_attended,
        Fact::MeetingsNoShow => f.meetings_no_show,
        Fact::MeetingsScheduled => f.meetings_scheduled,
        Fact::DealsOpen => f.deals_open,
        Fact::DealsWon => f.deals_won,
        Fact::DealsLost => f.deals_lost,
        Fact::DaysSinceContact => days(f.last_contacted_at?),
        Fact::DaysSinceCreated => days(Timestamp(f.created_at)),
        Fact::TasksOpen => f.tasks_open,
        Fact::TasksOverdue => f.tasks_overdue,
        Fact::ProfileMatch => profile.matches(f) as i64,
        Fact::ProfileIndustry => profile.industry(f) as i64,
        Fact::ProfileSize => profile.size(f) as i64,
        Fact::DoNotContact => f.do_not_contact as i64,
        Fact::SubjectFromOutreach => s.deal_from_outreach? as i64,
        Fact::Text(_) | Fact::Tags | Fact::DealStage | Fact::SubjectReply | Fact::SubjectChannel => return None,
    })
}

fn text(fact: Fact, f: &LeadFacts, s: &SubjectFacts) -> Option<String> {
    match fact {
        Fact::Text(field) => match field {
            TextField::Source => f.source.clone(),
            TextField::Industry => f.industry.clone(),
            TextField::CompanySize => f.company_size.clone(),
            TextField::Title => f.title.clone(),
            TextField::ProductInterest => f.product_interest.clone(),
            TextField::Lifecycle => Some(f.lifecycle.clone()),
        },
        Fact::SubjectReply => s.reply.map(|r| r.as_str().to_string()),
        Fact::SubjectChannel => s.channel.map(|c| c.as_str().to_string()),
        _ => None,
    }
}

impl Condition {
    /// Parses one condition; `stages` gives `deal.stage` its order.
    pub fn parse(input: &str, stages: &Stages) -> Result<Condition, String> {
        let src = input.trim();
        let (name, rest) = match src.find(|c: char| c.is_whitespace() || "=!<>".contains(c)) {
            Some(i) => (&src[..i], src[i..].trim_start()),
            None => (src, ""),
        };
        let fact = Fact::parse(name).ok_or_else(|| format!("unknown fact '{name}' (facts: {FACT_NAMES})"))?;
        if rest.is_empty() {
            return Ok(Condition { fact, test: None, source: src.to_string() });
        }
        let op_len = rest.find(|c: char| !"=!<>".contains(c)).unwrap_or(rest.len());
        let (op_text, value) = if op_len > 0 {
            (&rest[..op_len], rest[op_len..].trim())
        } else {
            match rest.split_once(char::is_whitespace) {
                Some((o, v)) => (o, v.trim()),
                None => (rest, ""),
            }
        };
        let op =
            Op::parse(&op_text.to_lowercase()).ok_or_else(|| format!("unknown operator '{op_text}' in '{src}'"))?;
        let value = value.trim_matches('"').trim_matches('\'');
        if value.is_empty() {
            return Err(format!("'{src}' has no value after '{op_text}'"));
        }
        let operand = match fact {
            Fact::Tags => {
                if op != Op::Has {
                    return Err(format!("'{src}': tags are tested with 'has', e.g. 'tags has hot'"));
                }
                Operand::Text(value.to_lowercase())
            }
            _ if op == Op::Has => return Err(format!("'{src}': 'has' only applies to tags")),
            Fact::DealStage => Operand::Stage(
                stages
                    .resolve(value)
                    .ok()
                    .and_then(|typed| stages.index(&typed))
                    .ok_or_else(|| format!("'{value}' is not a stage; stages are {}", stages.names().join(", ")))?,
            ),
            Fact::SubjectReply => {
                let r: ReplyType = value
                    .parse()
                    .map_err(|_| format!("'{value}' is not a reply type (positive, negative, info, none)"))?;
                Operand::Text(r.as_str().to_string())
            }
            Fact::SubjectChannel => {
                let k = OutreachKind::ALL
                    .into_iter()
                    .find(|k| k.as_str().eq_ignore_ascii_case(value))
                    .ok_or_else(|| format!("'{value}' is not an outreach kind"))?;
                Operand::Text(k.as_str().to_string())
            }
            Fact::Text(TextField::Lifecycle) => {
                if !matches!(op, Op::Eq | Op::Ne) {
                    return Err(format!("'{src}': text is compared with = or !="));
                }
                use crate::domain::Lifecycle;
                let l: Lifecycle = value.parse().map_err(|_| {
                    let names: Vec<&str> = Lifecycle::ALL.iter().map(|l| l.as_str()).collect();
                    format!("'{value}' is not a lifecycle ({})", names.join(", "))
                })?;
                Operand::Text(l.as_str().to_string())
            }
            f if f.is_numeric() => {
                Operand::Num(value.parse().map_err(|_| format!("'{src}': '{value}' is not a whole number"))?)
            }
            _ => {
                if !matches!(op, Op::Eq | Op::Ne) {
                    return Err(format!("'{src}': text is compared with = or !="));
                }
                Operand::Text(value.to_string())
            }
        };
        Ok(Condition { fact, test: Some((op, operand)), source: src.to_string() })
    }

    /// Parses `a and b and c` (an empty text is no condition at all).
    pub fn parse_all(input: &str, stages: &Stages) -> Result<Vec<Condition>, String> {
        if input.trim().is_empty() {
            return Ok(Vec::new());
        }
        // Clauses joined by "and", in any case (found at character boundaries only).
        let mut parts = Vec::new();
        let mut start = 0;
        for (i, _) in input.char_indices() {
            if i >= start && input.get(i..i + 5).is_some_and(|w| w.eq_ignore_ascii_case(" and ")) {
                parts.push(&input[start..i]);
                start = i + 5;
            }
        }
        parts.push(&input[start..]);
        let dangling = |p: &str| {
            let p = p.trim().to_lowercase();
            p.is_empty() || p == "and" || p.starts_with("and ") || p.ends_with(" and")
        };
        if parts.iter().any(|p| dangling(p)) {
            return Err("has an 'and' with no condition on one side".into());
        }
        parts.into_iter().map(|p| Condition::parse(p, stages)).collect()
    }

    pub fn holds(&self, f: &LeadFacts, s: &SubjectFacts, profile: &Profile, now: Timestamp) -> bool {
        match (&self.fact, &self.test) {
            (Fact::Tags, None) => !f.tags.is_empty(),
            (Fact::Tags, Some((_, Operand::Text(t)))) => f.tags.iter().any(|x| x == t),
            (Fact::DealStage, None) => f.open_stage.is_some(),
            (Fact::DealStage, Some((op, Operand::Stage(i)))) => f.open_stage.is_some_and(|s| op.cmp(s.cmp(i))),
            (fact, None) if fact.is_numeric() => number(*fact, f, s, profile, now).is_some_and(|n| n != 0),
            (fact, None) => text(*fact, f, s).is_some_and(|t| !t.is_empty()),
            // Never contacted is no recent contact, and silence since the lead was added: "contact in the
            // last 30 days" does not hold, "silent for 60 days" holds once it is 60 days old.
            (Fact::DaysSinceContact, Some((op, Operand::Num(v)))) if f.last_contacted_at.is_none() => {
                let silent = (now.0 - f.created_at).max(0) / DAY_MS;
                matches!(op, Op::Gt | Op::Ge | Op::Ne) && op.cmp(silent.cmp(v))
            }
            (fact, Some((op, Operand::Num(v)))) => number(*fact, f, s, profile, now).is_some_and(|n| op.cmp(n.cmp(v))),
            (fact, Some((op, Operand::Text(v)))) => {
                let have = text(*fact, f, s).unwrap_or_default();
                op.cmp(if have.trim().eq_ignore_ascii_case(v) {
                    std::cmp::Ordering::Equal
                } else {
                    std::cmp::Ordering::Less
                })
            }
            (_, Some((_, Operand::Stage(_)))) => false,
        }
    }

    /// The number of whole days after a lead's last contact at which this condition can flip, if it tests recency.
    pub fn contact_thresholds(&self) -> Vec<i64> {
        match (&self.fact, &self.test) {
            (Fact::DaysSinceContact, Some((_, Operand::Num(n)))) => vec![*n, *n + 1],
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> LeadFacts {
        LeadFacts {
            industry: Some("SaaS".into()),
            tags: vec!["hot".into()],
            last_contacted_at: Some(Timestamp(0)),
            replies: [1, 0, 0],
            open_stage: Some(3),
            ..Default::default()
        }
    }

    #[test]
    fn conditions_parse_and_hold() {
        let st = Stages::default();
        let f = facts();
        let s = SubjectFacts::default();
        let p = Profile { industries: vec!["saas".into()], ..Default::default() };
        let now = Timestamp(6 * DAY_MS + 5);
        let holds = |c: &str| Condition::parse_all(c, &st).unwrap().iter().all(|c| c.holds(&f, &s, &p, now));
        assert!(holds("replies.positive > 0"));
        assert!(holds("replies.positive>=1 and tags has hot"));
        assert!(holds("replies.positive>=1 AND tags has hot"));
        // A clause left half written is an error, not a tag named "hot and".
        for broken in ["tags has hot and", "and tags has hot", "tags has hot and  and replies.positive > 0"] {
            assert!(Condition::parse_all(broken, &st).is_err(), "{broken}");
        }
        // Text past ASCII is read whole.
        assert!(!holds("lead.industry = café and replies.positive > 0"));
        assert!(!holds("replies.negative > 0"));
        assert!(holds("lead.industry = saas"));
        assert!(holds("lead.industry = \"SaaS\""));
        // A lifecycle is one of three: a misspelt one is an error, not a rule that never holds.
        let err = Condition::parse_all("lead.lifecycle = prospect", &st).unwrap_err();
        assert!(err.contains("'prospect' is not a lifecycle (lead, customer, churned)"), "{err}");
        assert!(Condition::parse_all("lifecycle = Customer", &st).is_ok());
        assert!(holds("deal.stage >= Proposal"));
        assert!(!holds("deal.stage > Proposal"));
        assert!(holds("days_since_contact < 7"));
        assert!(holds("profile.match"));
        assert!(holds("outreach = 0"));
        assert!(!holds("days_since_contact < 6"));
    }

    #[test]
    fn a_lead_never_contacted_is_silent_since_it_was_added_and_never_recently_contacted() {
        let st = Stages::default();
        let (s, p) = (SubjectFacts::default(), Profile::default());
        // Added at time 0, never contacted, looked at `days` later.
        let lead = LeadFacts { created_at: 0, last_contacted_at: None, ..Default::default() };
        let holds = |c: &str, days: i64| {
            let now = Timestamp(days * DAY_MS + 5);
            Condition::parse_all(c, &st).unwrap().iter().all(|c| c.holds(&lead, &s, &p, now))
        };
        assert!(holds("days_since_contact >= 60", 90));
        assert!(holds("days_since_contact > 59", 60));
        assert!(!holds("days_since_contact >= 60", 59), "not silent for longer than it has been here");
        assert!(!holds("days_since_contact < 30", 1), "never contacted is no recent contact");
        assert!(!holds("days_since_contact <= 400", 90));
        assert_eq!(Condition::parse_all("days_since_contact >= 60", &st).unwrap()[0].contact_thresholds(), [60, 61]);
    }

    #[test]
    fn bad_conditions_say_why() {
        let st = Stages::default();
        assert!(Condition::parse("replys.positive > 0", &st).unwrap_err().contains("unknown fact 'replys.positive'"));
        assert!(Condition::parse("deal.stage = Closing", &st).unwrap_err().contains("not a stage"));
        assert!(Condition::parse("tags = hot", &st).unwrap_err().contains("has"));
        assert!(Condition::parse("replies.positive > many", &st).unwrap_err().contains("whole number"));
        assert!(Condition::parse("replies.positive ~ 1", &st).is_err());
        assert!(Condition::parse("outreach.email.inbound > 1", &st).is_ok());
        assert!(Condition::parse("outreach.fax > 1", &st).is_err());
    }
}
