//! A lead's single timeline: outreach, meetings, deals, tasks, notes and the contact recorded by hand,
//! newest first.

use rusqlite::OptionalExtension;
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
    /// A contact recorded without a touch (`lead touch`: met at an event, talked offline; an imported file's
    /// last activity). The lead keeps the latest one.
    Contact(ManualContact),
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ManualContact {
    pub at: Timestamp,
}

impl Entry {
    /// Which row the entry is (its table and id), to find it again in a timeline read later.
    pub fn key(&self) -> (&'static str, &str) {
        match self {
            Entry::Outreach(o) => ("outreach", o.id.as_str()),
            Entry::Meeting(m) => ("meeting", m.id.as_str()),
            Entry::Deal(d) => ("deal", d.id.as_str()),
            Entry::Task(t) => ("task", t.id.as_str()),
            Entry::Note(n) => ("note", n.id.as_str()),
            Entry::Contact(_) => ("contact", ""),
        }
    }

    /// The instant the entry sits at on the timeline.
    pub fn at(&self) -> Timestamp {
        match self {
            Entry::Outreach(o) => o.occurred_at,
            Entry::Meeting(m) => m.scheduled_at,
            Entry::Deal(d) => d.created_at,
            // A snoozed task is due again when its snooze ends.
            Entry::Task(t) => t.done_at.or(t.snoozed_until.filter(|s| *s > t.due_at)).unwrap_or(t.due_at),
            Entry::Note(n) => n.created_at,
            Entry::Contact(c) => c.at,
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
    let by_hand: Option<i64> = db
        .conn
        .prepare_cached("SELECT manual_contact_at FROM leads WHERE id = ?1")?
        .query_row([lead.as_str()], |r| r.get(0))
        .optional()?
        .flatten();
    all.extend(by_hand.map(|at| Entry::Contact(ManualContact { at: Timestamp(at) })));
    // Stable: entries at the same instant keep the order above.
    all.sort_by_key(|e| std::cmp::Reverse(e.at()));
    Ok(all)
}

/// One line describing an entry, the same in the CLI and the TUI, e.g.
/// `☎ call +34 600 11 22 33 · outbound · reply positive — Called about pricing`.
pub fn describe(e: &Entry, tz: chrono_tz::Tz) -> String {
    match e {
        Entry::Outreach(o) => {
            let mut s = format!("{} {} · {}", o.kind.label(), o.value, o.direction.as_str());
            if o.reply_type != crate::domain::ReplyType::None {
                s.push_str(&format!(" · reply {}", o.reply_type.as_str()));
            }
            if let Some(v) = &o.variant {
                s.push_str(&format!(" · variant {v}"));
            }
            if o.cited_metric {
                s.push_str(" · cited metric");
            }
            if let Some(d) = &o.description {
                s.push_str(&format!(" — {d}"));
            }
            s
        }
        Entry::Meeting(m) => {
            let title =
                m.title.as_deref().filter(|t| !t.trim().is_empty()).map(|t| format!(" {t}")).unwrap_or_default();
            let mut s = format!("▣ meeting{title} · {}", m.status.as_str());
            if let Some(r) = &m.no_show_reason {
                s.push_str(&format!(" ({r})"));
            }
            s
        }
        Entry::Deal(d) => {
            let mut s = format!("$ deal {} · {} · {} · {}", d.title, d.money(), d.stage, d.status.as_str());
            if let Some(r) = &d.lost_reason {
                s.push_str(&format!(" ({r})"));
            }
            s
        }
        Entry::Task(t) => {
            let state = match (t.done_at, t.snoozed_until) {
                (Some(done), _) => format!("done {}", done.local(tz)),
                (None, Some(until)) => format!("snoozed until {}", until.local(tz)),
                (None, None) => format!("due {}", t.due_at.local(tz)),
            };
            // Done or not, the first thing a rep reads of it.
            let mark = if t.done_at.is_some() { "☑" } else { "☐" };
            format!("{mark} task {} · {} · {}", t.title, t.kind.as_str(), state)
        }
        Entry::Note(n) => format!("✎ note {}", n.body),
        Entry::Contact(_) => "● contacted (recorded without a touch)".into(),
    }
}
