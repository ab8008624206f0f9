//! Carrying out a rule for one subject: check its conditions against the lead's facts, then perform
//! its actions, each keyed by rule + subject so that doing it again writes nothing.

use rusqlite::OptionalExtension;
use serde_json::json;

use super::run::Done;
use super::{Action, Automations, ChannelSpec, Rule, Trigger, clients};
use crate::domain::{DealStatus, Direction, LeadId, OutreachId, OutreachKind, ReplyType, TaskKind, Timestamp};
use crate::scoring::rules::SubjectFacts;
use crate::scoring::{load_facts, load_lead_facts};
use crate::store::deals::{self, Deal, DealFilter};
use crate::store::meetings::Meeting;
use crate::store::outreach::{self, Outreach};
use crate::store::tasks::{self, NewTask};
use crate::store::{Db, Result, events, inbox, leads, notes};

/// The start of the keys under which a touch's deal moves are kept, so that taking the touch back takes
/// them back too (`undo_advances`); what follows is the deal, the stage it left, the one it reached and the
/// rule: `from`'s entry time then, to give it back. The value is when it moved: the deal's `stage_entered_at`
/// for as long as it stays there.
fn advance_prefix(outreach: &str) -> String {
    format!("advanced\u{1f}{outreach}\u{1f}")
}

/// The start of the keys under which the notes rules wrote for a touch are kept; what follows is the note.
fn noted_prefix(outreach: &str) -> String {
    format!("noted\u{1f}{outreach}\u{1f}")
}

/// A touch taken back (`unlog`): the notes rules wrote for it go too, as its inbox notices do.
pub fn withdraw_notes(db: &Db<'_>, outreach: &OutreachId) -> Result<usize> {
    let prefix = noted_prefix(outreach.as_str());
    let team = db.ctx.team_id.as_str();
    // Every key under the prefix sorts before the prefix with its last separator made a space.
    let end = format!("{}\u{20}", &prefix[..prefix.len() - 1]);
    let keys: Vec<String> = db
        .conn
        .prepare_cached("SELECT key FROM automation_state WHERE team_id = ?1 AND key > ?2 AND key < ?3")?
        .query_map(rusqlite::params![team, prefix, end], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut withdrawn = 0;
    for key in keys {
        withdrawn += db
            .conn
            .prepare_cached("UPDATE notes SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1 AND deleted_at IS NULL")?
            .execute(rusqlite::params![&key[prefix.len()..], db.now.0])?;
        db.conn
            .prepare_cached("DELETE FROM automation_state WHERE team_id = ?1 AND key = ?2")?
            .execute(rusqlite::params![team, key])?;
    }
    Ok(withdrawn)
}

fn remember_advance(db: &Db<'_>, o: &Outreach, before: &Deal, moved: &Deal, rule: &str) -> Result<()> {
    let from_entered_at = Some(before.stage_entered_at.0);
    let step = Advance {
        deal: before.id.0.clone(),
        from: before.stage.clone(),
        to: moved.stage.clone(),
        rule: rule.to_string(),
        moved_at: moved.stage_entered_at.0,
        from_entered_at,
    };
    step.keep_under(db, o.id.as_str(), &before.stage, from_entered_at)
}

/// A touch taken back (`unlog`): each deal rules moved on because of it goes back to the stage it was at
/// before the touch (won or lost too: what winning did is taken back with it), unless it has moved since
/// (even away and back: a rep's move, or another touch's, is not undone). A move another live answer of the
/// lead still earns stays, and is kept under that answer, to be taken back with it in turn.
pub fn undo_advances(db: &Db<'_>, autos: &Automations, outreach: &crate::domain::OutreachId) -> Result<()> {
    let prefix = advance_prefix(outreach.as_str());
    // Every key under the prefix sorts before the prefix with its last separator made a space.
    let end = format!("{}\u{20}", &prefix[..prefix.len() - 1]);
    let team = db.ctx.team_id.as_str();
    let rows: Vec<(String, i64)> = db
        .conn
        .prepare_cached(
            "SELECT key, value FROM automation_state WHERE team_id = ?1 AND key > ?2 AND key < ?3 ORDER BY key",
        )?
        .query_map(rusqlite::params![team, prefix, end], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut forget = db.conn.prepare_cached("DELETE FROM automation_state WHERE team_id = ?1 AND key = ?2")?;
    let mut moves: Vec<Advance> = Vec::new();
    for (key, moved_at) in &rows {
        moves.extend(Advance::parse(&key[prefix.len()..], *moved_at));
        forget.execute(rusqlite::params![team, key])?;
    }
    let mut deals_moved: Vec<String> = moves.iter().map(|m| m.deal.clone()).collect();
    deals_moved.dedup();
    for deal in deals_moved {
        let chain: Vec<&Advance> = moves.iter().filter(|m| m.deal == deal).collect();
        let now = match deals::get(db, &crate::domain::DealId(deal.clone())) {
            Ok(d) => d,
            Err(crate::store::StoreError::NotFound { .. }) => continue,
            Err(e) => return Err(e),
        };
        // The touch's moves of one deal are one path (New → Discovery → Proposal), made at one time.
        if let Some(last) = chain.iter().find(|m| m.to == now.stage && m.moved_at == now.stage_entered_at.0) {
            // Walked back from where the deal stands, as far as no other answer still earns a step.
            let (stage, entered_at) = walk_back(db, autos, &now.lead_id, &chain, last)?;
            if stage != now.stage && db.ctx.stages.index(&stage).is_some() {
                deals::move_to(db, &now.id, &stage, None)?;
                // Back as it was before the touch, since when too: another answer's move into this stage
                // (kept for its own take-back) still finds the deal as it left it. (Moves recorded before
                // that time was kept leave the move's.)
                if let Some(at) = entered_at {
                    deals::set_stage_entered_at(db, &now.id, Timestamp(at))?;
                }
            }
        } else {
            // Moved on since by another answer: had this touch never been logged, that one would have moved
            // the deal from where this one found it.
            splice_into_later(db, autos, &now.lead_id, &chain)?;
        }
    }
    Ok(())
}

/// Walks a touch's path of moves back from `last`, step by step, to the stage (and its entry time) it
/// started from, or to the first step another live answer of the lead still earns: that answer keeps that
/// step and the ones before it, to be looked at again when it is taken back in turn.
fn walk_back(
    db: &Db<'_>,
    autos: &Automations,
    lead: &LeadId,
    chain: &[&Advance],
    last: &Advance,
) -> Result<(String, Option<i64>)> {
    let (mut stage, mut entered_at) = (last.to.clone(), Some(last.moved_at));
    // Rules only move deals forward, so the path has no loop; bounded all the same.
    // The step that put the deal where it stands: into this stage, at the time it entered it (one kept
    // before entry times were kept: into this stage).
    let into = |stage: &str, at: Option<i64>| {
        chain.iter().find(|m| m.to == stage && at.is_none_or(|at| m.moved_at == at)).copied()
    };
    for _ in 0..chain.len() {
        let Some(step) = into(&stage, entered_at) else { break };
        if let Some(other) = still_earned(db, autos, &step.rule, lead)? {
            let mut kept = Some(step);
            for _ in 0..chain.len() {
                let Some(s) = kept else { break };
                s.keep_under(db, &other, &s.from, s.from_entered_at)?;
                kept = into(&s.from, s.from_entered_at);
            }
            break;
        }
        (stage, entered_at) = (step.from.clone(), step.from_entered_at);
    }
    Ok((stage, entered_at))
}

/// Other touches' recorded moves of the deal onwards from where this touch's path left it (found there as
/// the path left it, not after a rep's move away and back) now start where the walk back of the path ends.
fn splice_into_later(db: &Db<'_>, autos: &Automations, lead: &LeadId, chain: &[&Advance]) -> Result<()> {
    let Some(deal) = chain.first().map(|m| m.deal.clone()) else { return Ok(()) };
    let team = db.ctx.team_id.as_str();
    // Every recorded move sorts between these two (a separator, then a space after "advanced").
    let later: Vec<(String, i64)> = db
        .conn
        .prepare_cached(
            "SELECT key, value FROM automation_state WHERE team_id = ?1 AND key > ?2 AND key < ?3 AND instr(key, ?4) > 0",
        )?
        .query_map(
            rusqlite::params![team, "advanced\u{1f}", "advanced\u{20}", format!("\u{1f}{deal}\u{1f}")],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
        .collect::<rusqlite::Result<_>>()?;
    for (key, moved_at) in later {
        let Some((outreach, rest)) = key["advanced\u{1f}".len()..].split_once('\u{1f}') else { continue };
        let Some(next) = Advance::parse(rest, moved_at) else { continue };
        // Found the deal where a step of this path left it: as that step left it, or (a move kept before
        // entry times were) after it.
        let found = chain.iter().find(|step| {
            next.deal == step.deal
                && next.from == step.to
                && match next.from_entered_at {
                    Some(at) => at == step.moved_at,
                    None => next.moved_at >= step.moved_at,
                }
        });
        let Some(step) = found else { continue };
        let (from, entered_at) = walk_back(db, autos, lead, chain, step)?;
        db.conn
            .prepare_cached("DELETE FROM automation_state WHERE team_id = ?1 AND key = ?2")?
            .execute(rusqlite::params![team, key])?;
        next.keep_under(db, outreach, &from, entered_at)?;
    }
    Ok(())
}

/// One deal move a rule made because of a touch (`remember_advance`).
struct Advance {
    deal: String,
    from: String,
    to: String,
    rule: String,
    moved_at: i64,
    /// When the deal had entered `from`, before this move (not kept by the first builds that kept moves).
    from_entered_at: Option<i64>,
}

impl Advance {
    /// From a key's part after its touch: deal, from, to, from's entry time, rule (or, as first kept,
    /// deal, from, to, rule).
    fn parse(rest: &str, moved_at: i64) -> Option<Advance> {
        let parts: Vec<&str> = rest.splitn(5, '\u{1f}').collect();
        let (deal, from, to, from_entered_at, rule) = match parts[..] {
            [deal, from, to, entered, rule] if entered.is_empty() || entered.parse::<i64>().is_ok() => {
                (deal, from, to, entered.parse().ok(), rule.to_string())
            }
            [deal, from, to, ..] => (deal, from, to, None, parts[3..].join("\u{1f}")),
            _ => return None,
        };
        Some(Advance { deal: deal.into(), from: from.into(), to: to.into(), rule, moved_at, from_entered_at })
    }

    /// Keeps this move under another touch (which earns it, or now makes it from `from`), to be taken back
    /// with that one.
    fn keep_under(&self, db: &Db<'_>, outreach: &str, from: &str, from_entered_at: Option<i64>) -> Result<()> {
        let entered = from_entered_at.map(|t| t.to_string()).unwrap_or_default();
        let key = format!(
            "{}{}\u{1f}{from}\u{1f}{}\u{1f}{entered}\u{1f}{}",
            advance_prefix(outreach),
            self.deal,
            self.to,
            self.rule
        );
        db.conn
            .prepare_cached("INSERT OR REPLACE INTO automation_state (team_id, key, value) VALUES (?1, ?2, ?3)")?
            .execute(rusqlite::params![db.ctx.team_id.as_str(), key, self.moved_at])?;
        Ok(())
    }
}

/// Another live touch of the lead that answered and meets the reply rule `rule`, if any: had the touch
/// taken back never been logged, that one would have moved the deal.
fn still_earned(db: &Db<'_>, autos: &Automations, rule: &str, lead: &LeadId) -> Result<Option<String>> {
    let Some(rule) = autos.rules.iter().find(|r| r.name == rule && r.triggers.contains(&Trigger::Reply)) else {
        return Ok(None);
    };
    let Some(facts) = load_facts(db, &autos.facts_sql, lead)? else { return Ok(None) };
    let answered = crate::store::outreach::for_lead(db, lead)?
        .into_iter()
        .filter(|o| o.direction == crate::domain::Direction::Inbound || o.reply_type != crate::domain::ReplyType::None);
    for o in answered {
        let id = o.id.0.clone();
        let sf = Subject::outreach(o).facts();
        if rule.conditions.iter().all(|c| c.holds(&facts, &sf, &autos.profile, db.now)) {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// What fired a rule: the lead, and the outreach, meeting or deal it is about.
#[derive(Debug, Clone)]
pub struct Subject {
    pub lead: LeadId,
    /// The id that, with the rule name, keys every action (outreach, meeting or deal id, ...).
    pub key: String,
    pub outreach: Option<Outreach>,
    pub meeting: Option<Meeting>,
    pub deal: Option<Deal>,
    pub reason: Option<String>,
    /// A deal made at a stage someone chose: the rules leave it there.
    pub keep_stage: bool,
}

impl Subject {
    pub fn lead(lead: &LeadId, key: impl Into<String>) -> Self {
        Self {
            lead: lead.clone(),
            key: key.into(),
            outreach: None,
            meeting: None,
            deal: None,
            reason: None,
            keep_stage: false,
        }
    }
    pub fn outreach(o: Outreach) -> Self {
        Self { key: o.id.0.clone(), outreach: Some(o.clone()), ..Self::lead(&o.lead_id, "") }
    }
    pub fn meeting(m: Meeting) -> Self {
        Self { key: m.id.0.clone(), meeting: Some(m.clone()), ..Self::lead(&m.lead_id, "") }
    }
    pub fn deal(d: Deal) -> Self {
        Self { key: d.id.0.clone(), deal: Some(d.clone()), ..Self::lead(&d.lead_id, "") }
    }

    fn facts(&self) -> SubjectFacts {
        SubjectFacts {
            reply: self.outreach.as_ref().map(|o| o.reply_type),
            channel: self.outreach.as_ref().map(|o| o.kind),
            deal_from_outreach: self.deal.as_ref().map(|d| d.origin_outreach_id.is_some()),
        }
    }
}

/// The key an action writes with: rule + subject (+ the action's place when a rule has several).
pub fn dedupe_key(rule: &str, index: usize, subject: &str) -> String {
    if index == 0 { format!("{rule}:{subject}") } else { format!("{rule}:{subject}:{index}") }
}

/// Runs every enabled rule with this trigger for the subject.
pub fn fire(
    db: &Db<'_>,
    autos: &Automations,
    trigger: Trigger,
    subject: &Subject,
    report: &mut Vec<Done>,
) -> Result<()> {
    for rule in autos.rules_for(trigger) {
        apply(db, autos, rule, subject, report)?;
    }
    Ok(())
}

/// Applies one rule if its conditions hold; returns whether they held.
pub fn apply(db: &Db<'_>, autos: &Automations, rule: &Rule, subject: &Subject, report: &mut Vec<Done>) -> Result<bool> {
    apply_actions(db, autos, rule, subject, report, None)
}

/// A sequence step a taken-back answer was enrolled in, while another answer of the lead's asking for
/// more is left: that answer is enrolled instead (it found the step taken when it came). Of the lead's
/// touches that fire reply rules, the latest for which the rule holds.
pub fn enroll_instead(db: &Db<'_>, autos: &Automations, lead: &LeadId, removed: &OutreachId) -> Result<()> {
    for rule in autos.rules_for(Trigger::Reply) {
        for (i, action) in rule.actions.iter().enumerate() {
            if !matches!(action, Action::EnrollSequence { .. })
                || !cancelled_now(db, &dedupe_key(&rule.name, i, removed.as_str()))?
                || open_task_of(db, &rule.name, i, lead)?
            {
                continue;
            }
            let answers = outreach::for_lead(db, lead)?
                .into_iter()
                .filter(|o| o.direction == Direction::Inbound || o.reply_type != ReplyType::None);
            for o in answers {
                let key = dedupe_key(&rule.name, i, o.id.as_str());
                let mut made = Vec::new();
                if !apply_actions(db, autos, rule, &Subject::outreach(o), &mut made, Some(i))? {
                    continue;
                }
                // The step as the rep left it (put off, or given to a colleague), when this answer's is new:
                // one made before (and done, maybe) is history.
                if !made.is_empty() {
                    db.conn
                        .prepare_cached(
                            "UPDATE tasks SET (due_at, snoozed_until, owner_id) =
                                 (SELECT due_at, snoozed_until, owner_id FROM tasks WHERE dedupe_key = ?2)
                             WHERE dedupe_key = ?1",
                        )?
                        .execute(rusqlite::params![key, dedupe_key(&rule.name, i, removed.as_str())])?;
                    let task: Option<String> = db
                        .conn
                        .prepare_cached("SELECT id FROM tasks WHERE dedupe_key = ?1")?
                        .query_row([&key], |r| r.get(0))
                        .optional()?;
                    if let Some(task) = task {
                        db.emit(crate::store::Change::TaskChanged { lead: Some(lead.clone()), task: task.into() });
                    }
                }
                break;
            }
        }
    }
    Ok(())
}

/// Whether the task of this key was taken off the lists by the write under way.
fn cancelled_now(db: &Db<'_>, key: &str) -> Result<bool> {
    Ok(db
        .conn
        .prepare_cached("SELECT 1 FROM tasks WHERE dedupe_key = ?1 AND deleted_at = ?2 AND done_at IS NULL")?
        .query_row(rusqlite::params![key, db.now.0], |_| Ok(()))
        .optional()?
        .is_some())
}

/// `apply`, of the rule's action number `only` alone when given.
fn apply_actions(
    db: &Db<'_>,
    autos: &Automations,
    rule: &Rule,
    subject: &Subject,
    report: &mut Vec<Done>,
    only: Option<usize>,
) -> Result<bool> {
    // Conditions on the lead's own fields (the default bump rule's) need no counts: one row read.
    let facts = if rule.conditions.iter().all(|c| c.fact.is_lead_column()) {
        load_lead_facts(db, &subject.lead)?
    } else {
        load_facts(db, &autos.facts_sql, &subject.lead)?
    };
    let Some(facts) = facts else { return Ok(false) };
    let sf = subject.facts();
    if !rule.conditions.iter().all(|c| c.holds(&facts, &sf, &autos.profile, db.now)) {
        return Ok(false);
    }
    let lead = leads::get(db, &subject.lead)?;
    // Nothing new is written about a forgotten person (`leads::get_to_add`), whatever their deals do.
    if lead.forgotten_at.is_some() {
        return Ok(false);
    }
    // A title is one line, whatever the names and reasons filled in hold (older data, a typed reason).
    // `{channel}` is the task's own channel where it has one, else that of the touch that fired the rule.
    let fill_on = |text: &str, channel: Option<OutreachKind>| {
        let channel = channel.or(subject.outreach.as_ref().map(|o| o.kind));
        let filled = text
            .replace("{lead}", &lead.name())
            .replace("{channel}", channel.map_or("", OutreachKind::as_str))
            .replace("{reason}", subject.reason.as_deref().unwrap_or("not given"))
            .replace("{deal}", subject.deal.as_ref().map_or("", |d| d.title.as_str()));
        crate::domain::text::one_line(&filled).into_owned()
    };
    let fill = |text: &str| fill_on(text, None);
    let mut done = |action: &Action, detail: String| {
        report.push(Done {
            rule: rule.name.clone(),
            action: action.describe(),
            lead_id: lead.id.0.clone(),
            lead: lead.name(),
            subject: subject.key.clone(),
            detail,
        })
    };
    for (i, action) in rule.actions.iter().enumerate() {
        if only.is_some_and(|o| o != i) {
            continue;
        }
        let key = dedupe_key(&rule.name, i, &subject.key);
        match action {
            Action::Task { title, kind, due_hours, channel } => {
                let channel = match channel {
                    Some(ChannelSpec::Same) => subject.outreach.as_ref().map(|o| o.kind),
                    Some(ChannelSpec::Kind(k)) => Some(*k),
                    None => None,
                };
                // A task to get in touch with someone who opted out is never made.
                if lead.do_not_contact && (channel.is_some() || kind.reaches_out()) {
                    continue;
                }
                if add_task(db, rule, subject, fill_on(title, channel), *kind, *due_hours, channel, key)? {
                    done(action, fill_on(title, channel));
                }
            }
            Action::EnrollSequence { title, .. } => {
                // Enrolled already, the step not yet done: a second answer asking for more is the same step.
                if lead.do_not_contact || open_task_of(db, &rule.name, i, &lead.id)? {
                    continue;
                }
                let email = Some(OutreachKind::Email);
                if add_task(db, rule, subject, fill_on(title, email), TaskKind::FollowUp, 0, email, key)? {
                    done(action, fill_on(title, email));
                }
            }
            Action::AdvanceDeal { .. } if subject.keep_stage => {}
            Action::AdvanceDeal { stage, index } => {
                let open: Vec<Deal> = match &subject.deal {
                    Some(d) => vec![deals::get(db, &d.id)?],
                    None => deals::list(
                        db,
                        &DealFilter {
                            lead: Some(subject.lead.clone()),
                            status: Some(DealStatus::Open),
                            ..Default::default()
                        },
                        1000,
                    )?,
                };
                for d in open {
                    let ahead = autos.stages.index(&d.stage).is_some_and(|at| at < *index);
                    // A rule does not win a deal the rep may not win yet: it stays, and the run (or the rep's
                    // write that fired the rule) goes on.
                    if d.status != DealStatus::Open || !ahead {
                        continue;
                    }
                    if db.ctx.stages.status_for(stage) == DealStatus::Won {
                        match clients::check_handoff(db, autos, &d) {
                            Ok(()) => {}
                            // Not done, so not reported as done: the rep hears of it in the inbox.
                            Err(crate::store::StoreError::Refused(_)) => {
                                let title = format!(
                                    "{} stays at {}: rule '{}' would win it, but its handoff checklist is not done",
                                    d.title, d.stage, rule.name
                                );
                                inbox::add_notice(db, Some(&lead.id), None, &title, "")?;
                                continue;
                            }
                            Err(e) => return Err(e),
                        }
                    }
                    let moved = deals::move_to(db, &d.id, stage, None)?;
                    if let Some(o) = &subject.outreach {
                        remember_advance(db, o, &d, &moved, &rule.name)?;
                    }
                    done(action, format!("{}: {} → {stage}", d.title, d.stage));
                }
            }
            // A connector may deliver an event as a message to the lead: none for one who opted out, unless
            // the rule says its event writes them nothing.
            Action::Event { even_opted_out: false, .. } if lead.do_not_contact => {}
            Action::Event { kind, notice, even_opted_out } => {
                let payload = event_payload(db, kind, &lead, subject)?;
                let subject_id = subject.deal.as_ref().map_or(subject.key.as_str(), |d| d.id.as_str());
                let (event, new) = events::record(db, kind, Some(subject_id), &payload, Some(&key), !even_opted_out)?;
                if new {
                    if let Some(n) = notice {
                        inbox::add_notice(db, Some(&lead.id), Some(&event), &fill(n), &payload_summary(&payload))?;
                    }
                    done(action, event.0);
                }
            }
            Action::Notify { title } => {
                let notice = inbox::add_notice(db, Some(&lead.id), None, &fill(title), "")?;
                // Made for a touch, it goes with it if the touch is taken back (as the touch's message does).
                if let Some(o) = &subject.outreach {
                    inbox::tie_to_touch(db, &notice, &o.id)?;
                }
                done(action, fill(title));
            }
            Action::ConvertCustomer => {
                if let Some(d) = &subject.deal {
                    clients::convert(db, d)?;
                    done(action, d.title.clone());
                }
            }
            Action::HandoffChecklist => {
                if let Some(d) = &subject.deal {
                    for item in clients::prepare_handoff(db, autos, d)? {
                        done(action, item);
                    }
                }
            }
            Action::Reactivate { tag, note } => {
                clients::reactivate(db, &lead.id, tag, &fill(note))?;
                done(action, fill(note));
            }
            Action::Note { body } => {
                let note = notes::add(db, Some(&lead.id), subject.deal.as_ref().map(|d| &d.id), &fill(body))?;
                // Written for a touch, it goes with it if the touch is taken back (`withdraw_notes`).
                if let Some(o) = &subject.outreach {
                    db.conn
                        .prepare_cached(
                            "INSERT OR REPLACE INTO automation_state (team_id, key, value) VALUES (?1, ?2, ?3)",
                        )?
                        .execute(rusqlite::params![
                            db.ctx.team_id.as_str(),
                            format!("{}{}", noted_prefix(o.id.as_str()), note.as_str()),
                            db.now.0
                        ])?;
                }
                done(action, fill(body));
            }
        }
    }
    Ok(true)
}

/// Whether the lead has an open task that action `index` of `rule` made (for any subject).
fn open_task_of(db: &Db<'_>, rule: &str, index: usize, lead: &LeadId) -> Result<bool> {
    Ok(!open_tasks_of(db, rule, index, lead)?.is_empty())
}

/// The lead's open tasks that action `index` of `rule` made (for any subject), oldest first.
fn open_tasks_of(db: &Db<'_>, rule: &str, index: usize, lead: &LeadId) -> Result<Vec<crate::domain::TaskId>> {
    let keyed: Vec<(String, String)> = db
        .conn
        .prepare_cached(
            "SELECT id, dedupe_key FROM tasks WHERE lead_id = ?1 AND origin = ?2 AND dedupe_key IS NOT NULL
             AND done_at IS NULL AND deleted_at IS NULL ORDER BY created_at, id",
        )?
        .query_map(rusqlite::params![lead.as_str(), rule], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    // Keys are `rule:subject` for the first action, `rule:subject:index` for the others (see `dedupe_key`).
    let of_action = |k: &str| {
        k.strip_prefix(rule)
            .and_then(|rest| rest.strip_prefix(':'))
            .is_some_and(|rest| rest.split_once(':').map_or(0, |(_, i)| i.parse().unwrap_or(usize::MAX)) == index)
    };
    Ok(keyed.into_iter().filter(|(_, k)| of_action(k)).map(|(id, _)| crate::domain::TaskId(id)).collect())
}

/// Two leads merged (`dedupe`) that a rule had each enrolled in a sequence step: the person is enrolled
/// once, as one lead with two such answers is (the earliest task stays). Returns how many went.
pub fn one_enrolment_each(db: &Db<'_>, autos: &Automations, lead: &LeadId) -> Result<usize> {
    let mut cancelled = 0;
    for rule in &autos.rules {
        for (index, _) in rule.actions.iter().enumerate().filter(|(_, a)| matches!(a, Action::EnrollSequence { .. })) {
            for id in open_tasks_of(db, &rule.name, index, lead)?.iter().skip(1) {
                tasks::cancel(db, id)?;
                // Its answer may enroll the person again (`enroll_instead`), as one lead's second answer may.
                db.conn.prepare_cached("UPDATE tasks SET dedupe_key = NULL WHERE id = ?1")?.execute([id.as_str()])?;
                cancelled += 1;
            }
        }
    }
    Ok(cancelled)
}

/// Adds a task unless its key was used; returns whether it is new.
#[allow(clippy::too_many_arguments)]
fn add_task(
    db: &Db<'_>,
    rule: &Rule,
    subject: &Subject,
    title: String,
    kind: TaskKind,
    due_hours: i64,
    channel: Option<OutreachKind>,
    key: String,
) -> Result<bool> {
    let exists: Option<i64> = db
        .conn
        .prepare_cached("SELECT 1 FROM tasks WHERE dedupe_key = ?1")?
        .query_row([&key], |r| r.get(0))
        .optional()?;
    if exists.is_some() {
        return Ok(false);
    }
    tasks::add(
        db,
        NewTask {
            title,
            due_at: db.now.plus_hours(due_hours),
            kind,
            lead: Some(subject.lead.clone()),
            deal: subject
                .deal
                .as_ref()
                .map(|d| d.id.clone())
                .or_else(|| subject.meeting.as_ref().and_then(|m| m.deal_id.clone().map(Into::into))),
            origin: rule.name.clone(),
            dedupe_key: Some(key),
            channel,
            owner: tasks::Assignee::LeadOwner,
        },
    )?;
    Ok(true)
}

/// What connectors deliver: the deal, the outreach it came from, the lead, the team and the user.
fn event_payload(db: &Db<'_>, kind: &str, lead: &leads::Lead, subject: &Subject) -> Result<serde_json::Value> {
    // The deal as it stands: a rule of this same write may have moved it on since it fired.
    let deal = match &subject.deal {
        Some(d) => match deals::get(db, &d.id) {
            Ok(now) => Some(now),
            Err(crate::store::StoreError::NotFound { .. }) => Some(d.clone()),
            Err(e) => return Err(e),
        },
        None => None,
    };
    // A touch taken back (`unlog`) is no longer a deal's origin; one missing all the same is left out.
    let origin = match subject.deal.as_ref().and_then(|d| d.origin_outreach_id.clone()) {
        Some(o) => match crate::store::outreach::get(db, &o.into()) {
            Ok(touch) => Some(touch),
            Err(crate::store::StoreError::NotFound { .. }) => None,
            Err(e) => return Err(e),
        },
        None => subject.outreach.clone(),
    };
    Ok(json!({
        "kind": kind,
        "deal": deal.as_ref().map(|d| json!({
            "id": d.id, "title": d.title, "amount": d.amount, "amount_minor": d.amount_minor, "currency": d.currency,
            "stage": d.stage, "product": d.product, "owner_id": d.owner_id, "created_at": d.created_at,
        })),
        "outreach": origin.map(|o| json!({
            "id": o.id, "kind": o.kind.as_str(), "value": o.value, "direction": o.direction.as_str(),
            "occurred_at": o.occurred_at, "variant": o.variant, "user_id": o.user_id,
        })),
        // A connector that writes to the lead (a CRM, a mailing list) must know they opted out.
        "lead": {
            "id": lead.id, "name": lead.name(), "email": lead.email, "company": lead.company, "source": lead.source,
            "do_not_contact": lead.do_not_contact,
        },
        "team": { "id": db.ctx.team_id, "name": db.ctx.team_name },
        "user": { "id": db.ctx.user_id, "name": db.ctx.user_name },
        "at": db.now,
    }))
}

fn payload_summary(p: &serde_json::Value) -> String {
    let deal = p["deal"]["title"].as_str().unwrap_or("");
    let amount = p["deal"]["amount"].as_str().unwrap_or("");
    let currency = p["deal"]["currency"].as_str().unwrap_or("");
    let channel = p["outreach"]["kind"].as_str().unwrap_or("");
    format!("{deal} {amount} {currency} from {channel} outreach").trim().to_string()
}
