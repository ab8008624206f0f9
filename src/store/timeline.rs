//! A lead's single timeline: outreach, meetings, deals, tasks and notes, newest first.

use serde::Serialize;

use super::{Db, Result, deals, meetings, notes, outreach, tasks};
use crate::domain::{LeadId, Timestamp};

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Entry {
    Outreach(outreach::Outreach),
    Meeting(meetings::Meeting),
    Deal(deals::Deal),
    Task(tasks::Task),
    Note(notes::Note),
}

impl Entry {
    /// The instant the entry sits at on the timeline.
    pub fn at(&self) -> Timestamp {
        match self {
            Entry::Outreach(o) => o.occurred_at,
            Entry::Meeting(m) => m.scheduled_at,
            Entry::Deal(d) => d.created_at,
            Entry::Task(t) => t.done_at.unwrap_or(t.due_at),
            Entry::Note(n) => n.created_at,
        }
    }
}

pub fn for_lead(db: &Db<'_>, lead: &LeadId) -> Result<Vec<Entry>> {
    let mut all: Vec<Entry> = Vec::new();
    all.extend(outreach::for_lead(db, lead)?.into_iter().map(Entry::Outreach));
    all.extend(meetings::for_lead(db, lead)?.into_iter().map(Entry::Meeting));
    all.extend(
        deals::list(db, &deals::DealFilter { lead: Some(lead.clone()), ..Default::default() }, 1000)?
            .into_iter()
            .map(Entry::Deal),
    );
    all.extend(tasks::for_lead(db, lead)?.into_iter().map(Entry::Task));
    all.extend(notes::for_lead(db, lead)?.into_iter().map(Entry::Note));
    // Stable: entries at the same instant keep the order above.
    all.sort_by_key(|e| std::cmp::Reverse(e.at()));
    Ok(all)
}
