//! Event-driven rules: run inside the transaction of the write that fired them.

use std::sync::Arc;

use super::actions::{Subject, fire};
use super::{Automations, Trigger, clients};
use crate::domain::{DealStatus, Direction, ReplyType};
use crate::store::deals::{self, Deal};
use crate::store::{Change, ChangeHook, Db, Result, meetings, outreach, tasks};

pub struct AutomationHook {
    autos: Arc<Automations>,
}

impl AutomationHook {
    pub fn new(autos: Arc<Automations>) -> Self {
        Self { autos }
    }

    fn won(&self, db: &Db<'_>, deal: Deal, report: &mut Vec<super::Done>) -> Result<()> {
        clients::check_handoff(db, &self.autos, &deal)?;
        fire(db, &self.autos, Trigger::DealWon, &Subject::deal(deal), report)
    }
}

/// What a change settles among the tasks already there, rules aside: a reply or a touch closes the bumps it
/// answers, a meeting booked closes the bumps and reschedules before it, one taken away makes what it
/// closed owed again. Imported history settles them too: a reply that came in elsewhere was still a reply.
fn settle(db: &Db<'_>, a: &Automations, change: &Change) -> Result<()> {
    match change {
        Change::OutreachLogged { outreach: id, .. } => {
            // Taken back later in the same write (an import's chunk): nothing to settle.
            let Some(o) = still_there(outreach::get(db, id))? else { return Ok(()) };
            if o.direction == Direction::Inbound || o.reply_type != ReplyType::None {
                // The lead answered: the bumps waiting for an answer are done.
                tasks::close_chasers(db, &o.lead_id, tasks::Answered::Reply(o.occurred_at, o.id.clone()))?;
            } else {
                // The rep reached out again: that was the bump owed for what came before.
                tasks::close_chasers(db, &o.lead_id, tasks::Answered::FollowedUp(o.occurred_at, o.id.clone()))?;
            }
        }
        Change::OutreachEdited { outreach: id, .. } => {
            let Some(o) = still_there(outreach::get(db, id))? else { return Ok(()) };
            if o.direction == Direction::Inbound || o.reply_type != ReplyType::None {
                tasks::close_chasers(db, &o.lead_id, tasks::Answered::Reply(o.occurred_at, o.id.clone()))?;
            }
        }
        Change::MeetingScheduled { meeting, lead, .. } => {
            // A meeting a calendar booked and then dropped in the same write answered nothing.
            let Some(m) = still_there(meetings::get(db, meeting))? else { return Ok(()) };
            tasks::close_chasers(db, lead, tasks::Answered::Meeting(m.scheduled_at, Some(m.id)))?;
        }
        Change::MeetingRemoved { lead, meeting } => {
            tasks::reopen_done_by_meeting(db, meeting)?;
            // Windows the rules passed while the meeting stood are looked at again by the next run.
            if a.rules_for(Trigger::NoReply).next().is_some() {
                super::run::recheck(db, lead)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// A row a change names, unless it is gone since (taken back later in the same write).
fn still_there<T>(found: Result<T>) -> Result<Option<T>> {
    match found {
        Ok(row) => Ok(Some(row)),
        Err(crate::store::StoreError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

impl ChangeHook for AutomationHook {
    fn on_change(&self, db: &Db<'_>, change: &Change) -> Result<()> {
        let a = &*self.autos;
        settle(db, a, change)?;
        // Imported history happened elsewhere, before: rules act on what happens from now on. A meeting
        // still to come that an invitation books now is not history (a calendar imported); one copied with
        // another database's history is.
        if db.is_history() {
            return match change {
                Change::MeetingScheduled { meeting, booked_now: true, .. } => {
                    let ahead = still_there(meetings::get(db, meeting))?
                        .filter(|m| m.scheduled_at > db.now && m.attended.is_none());
                    if let Some(m) = ahead {
                        fire(db, a, Trigger::MeetingScheduled, &Subject::meeting(m), &mut Vec::new())?;
                    }
                    Ok(())
                }
                _ => Ok(()),
            };
        }
        let mut report = Vec::new();
        match change {
            Change::OutreachLogged { outreach: id, .. } | Change::OutreachEdited { outreach: id, .. } => {
                let o = outreach::get(db, id)?;
                if matches!(change, Change::OutreachEdited { .. }) && a.rules_for(Trigger::NoReply).next().is_some() {
                    super::run::recheck(db, &o.lead_id)?;
                }
                if o.direction == Direction::Inbound || o.reply_type != ReplyType::None {
                    fire(db, a, Trigger::Reply, &Subject::outreach(o), &mut report)?;
                }
            }
            Change::LeadsMerged { kept, .. } => {
                super::actions::one_enrolment_each(db, a, kept)?;
            }
            Change::OutreachRemoved { lead, outreach } => {
                // What the touch marked done is owed again, and the deals it moved on go back.
                tasks::reopen_done_by(db, outreach)?;
                super::actions::undo_advances(db, a, outreach)?;
                super::actions::enroll_instead(db, a, lead, outreach)?;
                super::actions::withdraw_notes(db, outreach)?;
                crate::store::events::withdraw_made_by_touch(db, lead, outreach, &a.rules_on_touch_origin())?;
                if a.rules_for(Trigger::NoReply).next().is_some() {
                    super::run::recheck(db, lead)?;
                }
            }
            Change::MeetingScheduled { meeting, .. } => {
                let m = meetings::get(db, meeting)?;
                fire(db, a, Trigger::MeetingScheduled, &Subject::meeting(m), &mut report)?;
            }
            Change::MeetingMarked { meeting, attended, was, .. } => {
                let m = meetings::get(db, meeting)?;
                if *attended {
                    // It took place after all (a no-show corrected): the tasks chasing it, and what came
                    // before it, are done.
                    let just_after = crate::domain::Timestamp(m.scheduled_at.0 + 1);
                    tasks::close_chasers(db, &m.lead_id, tasks::Answered::Meeting(just_after, None))?;
                } else if *was == Some(true) {
                    // Marked attended by mistake, then a no-show again: its reschedule is owed again.
                    tasks::reopen_reschedules(db, &m.lead_id, &m)?;
                }
                let trigger = if *attended { Trigger::MeetingAttended } else { Trigger::MeetingNoShow };
                let (lead, held_at) = (m.lead_id.clone(), m.scheduled_at);
                // `{reason}` in a no-show rule's texts is the one the rep gave.
                let reason = m.no_show_reason.clone();
                fire(db, a, trigger, &Subject { reason, ..Subject::meeting(m) }, &mut report)?;
                // A no-show whose next meeting is already booked needs no rescheduling: that meeting
                // answers what the no-show made, as booking it afterwards would have.
                if !*attended && let Some(next) = meetings::next_after(db, &lead, held_at)? {
                    tasks::close_chasers(db, &lead, tasks::Answered::Meeting(next, None))?;
                }
            }
            Change::DealCreated { deal, stage_chosen, .. } => {
                let d = deals::get(db, deal)?;
                let subject = Subject { keep_stage: *stage_chosen, ..Subject::deal(d.clone()) };
                fire(db, a, Trigger::DealCreated, &subject, &mut report)?;
                if d.status == DealStatus::Won {
                    self.won(db, d, &mut report)?;
                }
            }
            Change::DealMoved { deal, from, .. } => {
                let d = deals::get(db, deal)?;
                // Out of the won column: what winning did is taken back.
                if db.ctx.stages.status_for(from) == DealStatus::Won && d.status != DealStatus::Won {
                    clients::unconvert(db, &d)?;
                }
                match d.status {
                    DealStatus::Won => self.won(db, d, &mut report)?,
                    DealStatus::Lost => {
                        // `{reason}` in the rule's texts is why it was lost.
                        let reason = d.lost_reason.clone();
                        fire(db, a, Trigger::DealLost, &Subject { reason, ..Subject::deal(d) }, &mut report)?
                    }
                    DealStatus::Open => {}
                }
            }
            // Tagging accepts the pilot for the deals open then; a deal opened later, or an edit of a lead
            // that keeps the tag, is not a new acceptance.
            // Each open deal's pilot, as `deal pilot` accepts one (`{deal}` names it); a lead with no open deal
            // has no pilot to accept.
            Change::TagsAdded { lead, tags } if tags.contains(&a.pilot_tag) => {
                let filter = deals::DealFilter {
                    lead: Some(lead.clone()),
                    status: Some(DealStatus::Open),
                    ..Default::default()
                };
                for d in deals::list(db, &filter, 1000)? {
                    fire(db, a, Trigger::PilotAccepted, &Subject::deal(d), &mut report)?;
                }
            }
            // A churn is an event (`lead churn` records when), once: a lead merely marked churned (imported)
            // has none, and an edit of a churned lead is not a new churn.
            Change::CustomerChurned(lead) => {
                if let Some(p) = clients::profile(db, lead)?
                    && let Some(at) = p.churned_at
                {
                    let mut s = Subject::lead(lead, format!("{lead}@{}", at.0));
                    s.reason = p.churn_reason;
                    fire(db, a, Trigger::CustomerChurned, &s, &mut report)?;
                }
            }
            _ => {}
        }
        for d in &report {
            tracing::info!(rule = %d.rule, action = %d.action, lead = %d.lead_id, "automation: {}", d.detail);
        }
        Ok(())
    }
}
