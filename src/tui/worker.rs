//! The database worker: a thread that owns its own `Store` and answers requests with responses,
//! so the render loop never waits on SQLite. `execute` is the one place a request touches the store;
//! tests and benches call it inline, the running app through the thread.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender};

use crate::automation::RunReport;
use crate::config::{Config, FollowupConfig};
use crate::domain::{DealId, Direction, InboxId, LeadId, MeetingId, OutreachId, TaskId, Timestamp};
use crate::io::privacy;
use crate::scoring::{Evaluation, FactsSql, Scorer, load_facts};
use crate::store::deals::{self, Deal, NewDeal, StageSummary};
use crate::store::followups::{self, LosingTouch};
use crate::store::inbox::{self, InboxItem};
use crate::store::leads::{self, Cursor, Lead, LeadFilter, LeadPatch, LeadQuery, NewLead};
use crate::store::outreach::{self, NewOutreach};
use crate::store::tasks::{self, NewTask, Task};
use crate::store::timeline::{self, Entry};
use crate::store::{Store, meetings, notes};
use crate::tui::window::cursor_before;

/// Which virtual lead list a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    Leads,
    Scoring,
}

/// Where a page goes in a virtual list.
#[derive(Debug, Clone, PartialEq)]
pub enum PageDir {
    /// The first page (a reset).
    First,
    /// The last page (jump to the end).
    Last,
    After(Cursor),
    Before(Cursor),
    /// Re-read from this cursor on, replacing the held rows (after a write).
    Refresh(Cursor),
    /// Re-read from this lead on, wherever it now sorts (a write moved it out of the held rows).
    Around(LeadId),
}

#[derive(Debug, Clone)]
pub enum Query {
    LeadsPage {
        slot: Slot,
        generation: u64,
        query: LeadQuery,
        dir: PageDir,
    },
    LeadCount {
        slot: Slot,
        generation: u64,
        filter: LeadFilter,
    },
    /// The place of a lead a page was read around (`PageDir::Around`).
    LeadRank {
        slot: Slot,
        generation: u64,
        query: LeadQuery,
        lead: LeadId,
    },
    Detail {
        lead: LeadId,
    },
    Pipeline,
    Column {
        stage: usize,
        generation: u64,
        after: Option<i64>,
        limit: usize,
    },
    Inbox {
        include_handled: bool,
    },
    Followups {
        config: FollowupConfig,
        /// Only the rep's own: their tasks and the leads they own.
        mine: bool,
    },
    Status,
    /// One lead's score, health and priority with every rule's part (the scoring view's panel).
    Explain {
        lead: LeadId,
        scorer: Arc<Scorer>,
    },
    /// The tags in use, for the tag filter to offer.
    Tags,
}

// Each write is built once and moved to the worker; boxing its variants buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Write {
    LogOutreach(NewOutreach),
    AddTask(NewTask),
    AddNote {
        lead: LeadId,
        body: String,
    },
    Schedule {
        lead: LeadId,
        at: Timestamp,
        title: Option<String>,
    },
    MarkMeeting {
        meeting: MeetingId,
        attended: bool,
        reason: Option<String>,
    },
    /// With what the rep should know of how the amount was read.
    CreateDeal {
        deal: NewDeal,
        note: Option<String>,
    },
    /// Added, the lead's page opens.
    AddLead(Box<NewLead>),
    /// `seen`: the lead as the edit form showed it; a field changed meanwhile elsewhere is not overwritten
    /// unseen.
    EditLead {
        lead: LeadId,
        patch: Box<LeadPatch>,
        seen: Option<Box<Lead>>,
    },
    /// `from`: the stage the deal was shown in; moved elsewhere since, it is not moved on unseen.
    /// `back`: a move undone, where the deal stood in `stage` before, given back.
    MoveDeal {
        deal: DealId,
        stage: String,
        reason: Option<String>,
        from: String,
        back: Option<Place>,
    },
    Reorder {
        deal: DealId,
        delta: i32,
    },
    InboxHandled {
        item: InboxId,
        handled: bool,
    },
    InboxAssign {
        item: InboxId,
    },
    InboxRead {
        item: InboxId,
    },
    /// Logs the reply as outbound outreach on the item's channel and marks it handled.
    Reply {
        item: InboxId,
        value: Option<String>,
        note: Option<String>,
        at: Option<Timestamp>,
    },
    TaskDone(TaskId),
    /// `done_at`: when this rep's mark made it done, if known; done again since by someone else, it stays.
    TaskReopen {
        task: TaskId,
        done_at: Option<Timestamp>,
    },
    /// A touch logged by mistake, taken back.
    Unlog(OutreachId),
    Snooze {
        task: TaskId,
        until: Timestamp,
    },
}

#[derive(Debug, Clone)]
pub enum Request {
    Query(Query),
    /// `token` lets the app match the outcome to the form that asked (so a failed edit keeps its input).
    Write {
        token: u64,
        op: Write,
    },
    /// The minute timer: time-based automations and score terms (`engine::tick`).
    Tick {
        config: Arc<Config>,
    },
}

pub type Res<T> = Result<T, String>;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FollowupData {
    /// Overdue, today and the rest of the week, one after the other (each section capped).
    pub tasks: Vec<Task>,
    /// How many tasks each section holds in all.
    pub task_counts: [i64; 3],
    pub losing: Vec<LosingTouch>,
    /// More leads are losing touch than are listed.
    pub losing_more: bool,
}

/// Tasks read per follow-up section, and leads read for "losing touch".
const SECTION_ROWS: usize = 300;
const LOSING_ROWS: usize = 300;

/// What a lead's page shows: the lead, its history and, for a customer, the client profile.
#[derive(Debug, Clone)]
pub struct LeadPage {
    pub lead: Lead,
    pub timeline: Vec<Entry>,
    pub client: Option<crate::automation::clients::ClientProfile>,
    pub scores: Option<crate::scoring::facts::Scores>,
    /// Leads an import staged as possibly the same person (`leadline dedupe` decides).
    pub duplicates: Vec<String>,
}

/// A write refused or failed, in words; `again`: it may go through if asked again in a moment (the
/// database was busy), as a refusal would not.
#[derive(Debug, Clone)]
pub struct WriteFailed {
    pub said: String,
    pub again: bool,
}

#[derive(Debug, Clone)]
pub enum Response {
    LeadsPage {
        slot: Slot,
        generation: u64,
        dir: PageDir,
        rows: Res<Vec<Lead>>,
    },
    LeadCount {
        slot: Slot,
        generation: u64,
        count: Res<i64>,
    },
    LeadRank {
        slot: Slot,
        generation: u64,
        lead: LeadId,
        rank: Res<i64>,
    },
    Detail {
        lead: LeadId,
        result: Res<Box<LeadPage>>,
    },
    Pipeline(Res<Vec<StageSummary>>),
    Column {
        stage: usize,
        generation: u64,
        after: Option<i64>,
        rows: Res<Vec<Deal>>,
    },
    Inbox(Res<Vec<InboxItem>>),
    Followups(Res<FollowupData>),
    /// The inbox's counts (unread, all), and the team's name and time zone as they are now.
    Status(Res<((i64, i64), String, chrono_tz::Tz)>),
    /// What a write said, and the lead it added (whose page opens).
    Written {
        token: u64,
        result: Result<Wrote, WriteFailed>,
    },
    Explained {
        lead: LeadId,
        result: Res<Box<Evaluation>>,
    },
    Ticked(Res<RunReport>),
    /// The tags in use (alphabetical), and whether there are more than those.
    Tags(Res<(Vec<String>, bool)>),
}

/// Tags the tag filter offers at most.
const TAGS_OFFERED: usize = 1_000;

type ListFn = fn(&crate::store::Db<'_>, &LeadQuery) -> crate::store::Result<Vec<Lead>>;
type BackFn = fn(&crate::store::Db<'_>, &LeadQuery, Option<&Cursor>) -> crate::store::Result<Vec<Lead>>;

/// Runs one request against the store.
pub fn execute(store: &mut Store, req: Request) -> Response {
    let path = store.path().to_path_buf();
    let err = |e: crate::store::StoreError| crate::store::in_words(&path, e).to_string();
    match req {
        Request::Query(q) => {
            // The status line's reading is also when the team's settings are read again (a reload, a write,
            // the timer): an admin may have changed its zone.
            let team = if matches!(q, Query::Status) { store.reload_team() } else { Ok(()) };
            let db = store.db();
            match q {
                Query::LeadsPage { slot, generation, query, dir } => {
                    // While searching, matches come newest first in the index's own order (cheap for
                    // any prefix); otherwise in the chosen sort.
                    let (fwd, back): (ListFn, BackFn) = if query.filter.text.is_some() {
                        (leads::list_matches, leads::list_matches_back)
                    } else {
                        (leads::list, leads::list_back)
                    };
                    let rows = match &dir {
                        PageDir::First => fwd(&db, &LeadQuery { after: None, ..query }),
                        PageDir::After(c) | PageDir::Refresh(c) => {
                            fwd(&db, &LeadQuery { after: Some(c.clone()), ..query })
                        }
                        PageDir::Last => back(&db, &query, None),
                        PageDir::Before(c) => back(&db, &query, Some(c)),
                        PageDir::Around(id) => leads::find(&db, id).and_then(|lead| {
                            // A lead removed meanwhile: from the top.
                            let c = lead.map(|l| cursor_before(query.sort, query.filter.text.is_some(), &l));
                            fwd(&db, &LeadQuery { after: c, ..query })
                        }),
                    };
                    Response::LeadsPage { slot, generation, dir, rows: rows.map_err(err) }
                }
                Query::LeadCount { slot, generation, filter } => {
                    let count = leads::count_capped(&db, &filter).map_err(err);
                    Response::LeadCount { slot, generation, count }
                }
                Query::LeadRank { slot, generation, query, lead } => {
                    let rank = leads::get(&db, &lead).and_then(|l| leads::rank(&db, &query, &l)).map_err(err);
                    Response::LeadRank { slot, generation, lead, rank }
                }
                Query::Detail { lead } => {
                    let page = || -> crate::store::Result<LeadPage> {
                        Ok(LeadPage {
                            lead: leads::get(&db, &lead)?,
                            timeline: timeline::for_lead(&db, &lead)?,
                            client: crate::automation::clients::profile(&db, &lead)?,
                            scores: crate::scoring::facts::stored_scores(&db, &lead)?,
                            duplicates: crate::io::dedupe::staged_with(&db, &lead)?,
                        })
                    };
                    let result = page().map(Box::new).map_err(err);
                    Response::Detail { lead, result }
                }
                Query::Pipeline => Response::Pipeline(deals::summary(&db).map_err(err)),
                Query::Column { stage, generation, after, limit } => {
                    let rows = match db.ctx.stages.names().get(stage) {
                        Some(name) => deals::column(&db, name, after, limit).map_err(err),
                        None => Err(format!("no stage number {stage}")),
                    };
                    Response::Column { stage, generation, after, rows }
                }
                Query::Inbox { include_handled } => {
                    Response::Inbox(inbox::list(&db, include_handled, 500).map_err(err))
                }
                Query::Followups { config, mine } => Response::Followups({
                    let owner = mine.then(|| db.ctx.user_id.clone());
                    tasks::due_sections(&db, owner.as_ref(), SECTION_ROWS)
                        .and_then(|due| {
                            followups::losing_touch(&db, &config, owner.as_ref(), LOSING_ROWS + 1).map(|mut losing| {
                                let losing_more = losing.len() > LOSING_ROWS;
                                losing.truncate(LOSING_ROWS);
                                FollowupData {
                                    tasks: due.sections.concat(),
                                    task_counts: due.counts,
                                    losing,
                                    losing_more,
                                }
                            })
                        })
                        .map_err(err)
                }),
                Query::Status => Response::Status(
                    team.and_then(|_| inbox::counts(&db))
                        .map(|counts| (counts, db.ctx.team_name.clone(), db.ctx.tz))
                        .map_err(err),
                ),
                Query::Explain { lead, scorer } => {
                    let result = load_facts(&db, &FactsSql::new(&scorer.stages), &lead).map_err(err).and_then(|f| {
                        f.map(|f| Box::new(scorer.explain(&f, db.now)))
                            .ok_or_else(|| "this lead was removed".to_string())
                    });
                    Response::Explained { lead, result }
                }
                // One more than offered tells that the list was cut.
                Query::Tags => {
                    Response::Tags(leads::tags_in_use(&db, TAGS_OFFERED + 1).map_err(err).map(|mut tags| {
                        let cut = tags.len() > TAGS_OFFERED;
                        tags.truncate(TAGS_OFFERED);
                        (tags, cut)
                    }))
                }
            }
        }
        Request::Write { token, op } => {
            let result = write(store, op).map_err(|e| WriteFailed { again: e.passes(), said: err(e) });
            Response::Written { token, result }
        }
        Request::Tick { config } => Response::Ticked(crate::engine::tick(store, &config).map_err(err)),
    }
}

/// Refuses an edit of a field someone else changed since the form was opened: saved, it would overwrite
/// their change without anyone seeing it. Fields the form leaves alone are not compared (theirs stay).
fn changed_meanwhile(now: &Lead, seen: &Lead, patch: &LeadPatch) -> Result<(), crate::domain::ValidationError> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let fields = [
        ("first_name", patch.first_name.is_some(), now.first_name.clone(), seen.first_name.clone()),
        ("last_name", patch.last_name.is_some(), now.last_name.clone(), seen.last_name.clone()),
        ("email", patch.email.is_some(), text(&now.email), text(&seen.email)),
        ("phone", patch.phone.is_some(), text(&now.phone), text(&seen.phone)),
        ("company", patch.company.is_some(), text(&now.company), text(&seen.company)),
        ("title", patch.title.is_some(), text(&now.title), text(&seen.title)),
        ("source", patch.source.is_some(), text(&now.source), text(&seen.source)),
        ("industry", patch.industry.is_some(), text(&now.industry), text(&seen.industry)),
        ("company_size", patch.company_size.is_some(), text(&now.company_size), text(&seen.company_size)),
        (
            "product_interest",
            patch.product_interest.is_some(),
            text(&now.product_interest),
            text(&seen.product_interest),
        ),
        ("profile_url", patch.profile_url.is_some(), text(&now.profile_url), text(&seen.profile_url)),
        ("owner", patch.owner.is_some(), text(&now.owner), text(&seen.owner)),
        ("notes", patch.notes.is_some(), text(&now.notes), text(&seen.notes)),
        ("lifecycle", patch.lifecycle.is_some(), now.lifecycle.clone(), seen.lifecycle.clone()),
    ];
    match fields.into_iter().find(|(_, edited, now, seen)| *edited && now != seen) {
        Some((field, _, now, _)) => Err(crate::domain::ValidationError::new(
            field,
            now,
            "was changed meanwhile, elsewhere, to this (Esc, then edit the lead again to replace it)",
        )),
        None => Ok(()),
    }
}

/// The mark a write's message starts with when it carries a warning: the app shows it as one.
pub const WARNING: &str = "⚠ ";

/// A done write's message, with the warning the rep must hear when there is one.
/// A write's message, with the opt-out it went past and why it was kept (`kept`: "recorded anyway: it has
/// happened" for a touch, "booked anyway" for a meeting).
fn warned(done: String, warning: Option<String>, kept: &str) -> String {
    match warning {
        Some(why) => format!("{WARNING}{done}, but {why} ({kept})"),
        None => done,
    }
}

const HAPPENED: &str = "recorded anyway: it has happened";

/// Where a deal stood in its stage: since when, its place in the column, and why it was lost there (what
/// undoing a move gives back: a win or a loss taken back and made again keeps its time and reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub entered_at: Timestamp,
    pub position: i64,
    pub lost_reason: Option<String>,
}

/// What a write did: what it says, a lead it added (whose page opens) and the timeline entry it wrote
/// (which the lead's page selects, so that `X` takes back the touch just logged).
#[derive(Debug, Clone, PartialEq)]
pub struct Wrote {
    pub said: String,
    pub added: Option<LeadId>,
    pub entry: Option<(&'static str, String)>,
    /// When a task marked done was marked so (what its undo must find still, or leave alone).
    pub task_done_at: Option<Timestamp>,
}

fn write(store: &mut Store, op: Write) -> crate::store::Result<Wrote> {
    // A deal made: where it stands once the rules have run (they may move it on), said after the write.
    let mut created: Option<(crate::domain::DealId, Option<String>)> = None;
    let mut added: Option<LeadId> = None;
    let mut entry: Option<(&'static str, String)> = None;
    let mut task_done_at = None;
    // A touch taken back: its lead's deals before, to say which a rule's move took back with it.
    let mut deals_before: Option<(LeadId, Vec<crate::store::deals::Deal>)> = None;
    let said = store.write(|db| match op {
        Write::LogOutreach(new) => {
            let label = new.kind.label();
            let warning = match new.direction {
                Direction::Outbound => privacy::contact_warning(db, &new.lead)?,
                Direction::Inbound => None,
            };
            entry = Some(("outreach", outreach::log(db, new)?.0));
            Ok(warned(format!("Logged {label}"), warning, HAPPENED))
        }
        Write::AddTask(new) => {
            entry = Some(("task", tasks::add(db, new)?.0));
            Ok("Task added".into())
        }
        Write::AddNote { lead, body } => {
            entry = Some(("note", notes::add(db, Some(&lead), None, &body)?.0));
            Ok("Note added".into())
        }
        Write::Schedule { lead, at, title } => {
            let warning = privacy::contact_warning(db, &lead)?;
            entry = Some(("meeting", meetings::schedule(db, &lead, at, None, title)?.0));
            Ok(warned(format!("Meeting scheduled for {}", at.local(db.ctx.tz)), warning, "booked anyway"))
        }
        Write::MarkMeeting { meeting, attended, reason } => {
            meetings::mark(db, &meeting, attended, reason)?;
            Ok(if attended { "Meeting marked attended" } else { "Meeting marked no-show" }.into())
        }
        Write::CreateDeal { deal, note } => {
            created = Some((deals::create(db, deal)?, note));
            Ok(String::new())
        }
        Write::AddLead(new) => {
            let id = leads::create(db, *new)?;
            let name = leads::get(db, &id)?.name();
            let shared = leads::sharing_contact(db, &id)?
                .map(|said| format!("{said} (`leadline dedupe` tells if they are one person)"));
            added = Some(id);
            Ok(warned(format!("Added {name}"), shared, "added anyway"))
        }
        Write::EditLead { lead, patch, seen } => {
            if let Some(seen) = seen {
                let now = leads::get(db, &lead)?;
                // Forgotten meanwhile: said as such (its fields were erased, not changed), before any field.
                if now.forgotten_at.is_some() && seen.forgotten_at.is_none() {
                    return Err(crate::store::StoreError::Refused(format!(
                        "{} was forgotten meanwhile, elsewhere: their data is erased and is not written again \
                         (Esc)",
                        seen.name()
                    )));
                }
                changed_meanwhile(&now, &seen, &patch)?;
            }
            let l = crate::automation::clients::edit(db, &lead, *patch)?;
            Ok(format!("Saved {}", l.name()))
        }
        Write::MoveDeal { deal, stage, reason, from, back } => {
            // Won, lost or moved by someone else since the board was read: undone here without a word, it
            // would reopen a won deal and take its handoff back.
            let now = match deals::get(db, &deal) {
                Err(crate::store::StoreError::NotFound { .. }) => {
                    return Err(crate::store::StoreError::Refused(
                        "that deal was removed meanwhile, elsewhere (or its lead was): the board is read again".into(),
                    ));
                }
                other => other?,
            };
            if now.stage != from {
                return Err(crate::store::StoreError::Refused(format!(
                    "'{}' was moved to {} meanwhile, elsewhere: the board is read again, look before moving it",
                    now.title, now.stage
                )));
            }
            let d = deals::move_to(db, &deal, &stage, reason.clone())?;
            if let Some(place) = back {
                deals::set_stage_entered_at(db, &deal, place.entered_at)?;
                deals::set_position(db, &deal, place.position)?;
                // Closed again: as of when it was closed before, not now.
                deals::record_closing(db, &deal, Some(place.entered_at), reason)?;
            }
            Ok(format!("'{}' ({}) moved to {}", d.title, d.lead_name, d.stage))
        }
        Write::Reorder { deal, delta } => {
            deals::reorder(db, &deal, delta)?;
            Ok(String::new())
        }
        Write::InboxHandled { item, handled } => {
            inbox::set_handled(db, &item, handled)?;
            Ok(if handled { "Marked handled" } else { "Back in the queue" }.into())
        }
        Write::InboxAssign { item } => {
            // Taken from a colleague: said, so it is not done unseen.
            let was = inbox::get(db, &item)?;
            inbox::assign(db, &item, &db.ctx.user_id)?;
            Ok(match was.assignee.filter(|_| was.assigned_to.as_deref() != Some(db.ctx.user_id.as_str())) {
                Some(colleague) => format!("Assigned to {}, was {colleague}'s", db.ctx.user_name),
                None => format!("Assigned to {}", db.ctx.user_name),
            })
        }
        Write::InboxRead { item } => {
            inbox::mark_read(db, &item)?;
            Ok(String::new())
        }
        Write::Reply { item, value, note, at } => {
            let lead = inbox::get(db, &item)?.lead_id.map(LeadId);
            let warning = match &lead {
                Some(l) => privacy::contact_warning(db, l)?,
                None => None,
            };
            let id = inbox::reply(db, &item, value, note, at)?;
            Ok(warned(format!("Reply logged as {}", outreach::get(db, &id)?.kind.label()), warning, HAPPENED))
        }
        Write::TaskDone(task) => {
            // Done meanwhile (a colleague, another terminal): said, and not this rep's to undo.
            let before = tasks::get(db, &task)?;
            if let Some(at) = before.done_at {
                return Err(crate::store::StoreError::Refused(format!(
                    "'{}' was already done, {}",
                    before.title,
                    at.local(db.ctx.tz)
                )));
            }
            let t = tasks::done(db, &task)?;
            task_done_at = t.done_at;
            Ok(format!("Done: {}", t.title))
        }
        Write::Unlog(touch) => {
            let o = match outreach::get(db, &touch) {
                Err(crate::store::StoreError::NotFound { .. }) => {
                    return Err(crate::store::StoreError::Refused(
                        "that touch was taken back meanwhile, elsewhere: nothing more to take back".into(),
                    ));
                }
                other => other?,
            };
            deals_before = Some((o.lead_id.clone(), deals::of_lead(db, &o.lead_id)?));
            outreach::remove(db, &touch)?;
            Ok(format!("Taken back: the {} of {}", o.kind.as_str(), o.occurred_at.local(db.ctx.tz)))
        }
        Write::TaskReopen { task, done_at } => {
            let now = tasks::get(db, &task)?;
            if let (Some(mine), Some(theirs)) = (done_at, now.done_at)
                && mine != theirs
            {
                return Err(crate::store::StoreError::Refused(format!(
                    "'{}' was done again meanwhile, elsewhere ({}); it stays done",
                    now.title,
                    theirs.local(db.ctx.tz)
                )));
            }
            let was_done = now.done_at.is_some();
            let t = tasks::reopen(db, &task)?;
            Ok(if was_done { format!("Open again: {}", t.title) } else { format!("'{}' was not done", t.title) })
        }
        Write::Snooze { task, until } => {
            let t = tasks::snooze(db, &task, until)?;
            Ok(format!("Snoozed '{}' until {}", t.title, until.local(db.ctx.tz)))
        }
    })?;
    match created {
        Some((deal, note)) => {
            let said = format!("Deal created at {}", deals::get(&store.db(), &deal)?.stage);
            let said = note.map_or_else(|| said.clone(), |n| format!("{said} · {n}"));
            Ok(Wrote { said, added: None, entry: Some(("deal", deal.0)), task_done_at: None })
        }
        None => {
            let mut said = said;
            if let Some((lead, before)) = deals_before {
                for moved in deals::moved_since(&store.db(), &lead, &before)? {
                    said.push_str(&format!(" · {moved}"));
                }
            }
            Ok(Wrote { said, added, entry, task_done_at })
        }
    }
}

/// Lets the runtime stop a leads-table query that a newer one (the next search keystroke) made stale.
pub struct Interrupter {
    handle: rusqlite::InterruptHandle,
    running: Arc<AtomicU64>,
}

impl Interrupter {
    /// Called as a request is sent: a newer page interrupts an older running page, a newer count an
    /// older count (the interrupted query's answer is stale and dropped by the app).
    pub fn supersede(&self, req: &Request) {
        let (generation, is_count) = match req {
            Request::Query(Query::LeadsPage { slot: Slot::Leads, generation, .. }) => (*generation, 0),
            Request::Query(Query::LeadCount { slot: Slot::Leads, generation, .. }) => (*generation, 1),
            _ => return,
        };
        let running = self.running.load(Ordering::SeqCst);
        if running != 0 && running & 1 == is_count && running >> 1 < generation {
            self.handle.interrupt();
        }
    }
}

/// Runs the worker loop on its own thread until the request channel closes. Bursts are coalesced:
/// of several lead pages (or counts) queued for the same list, only those of the newest generation run.
/// With a store of their own, the automations' timer runs on a thread beside it: the first run of a day
/// rescores every lead (seconds on a million), and the pages and counts the rep asks for meanwhile are
/// read from the database as it was, not held until it ends.
pub fn spawn(
    mut store: Store,
    automations: Option<Store>,
    requests: Receiver<Request>,
    respond: impl Fn(Response) + Send + Sync + 'static,
) -> std::io::Result<Interrupter> {
    let respond = Arc::new(respond);
    // The rep's writes take turns with the timer's run: one waits for the other here, however long the
    // run, rather than on SQLite's lock, which gives up after a few seconds.
    let writing = Arc::new(std::sync::Mutex::new(()));
    let ticks = match automations {
        Some(beside) => Some(spawn_automations(beside, respond.clone(), writing.clone())?),
        None => None,
    };
    ui_sized(&store)?;
    let running = Arc::new(AtomicU64::new(0));
    let interrupter = Interrupter { handle: store.conn().get_interrupt_handle(), running: running.clone() };
    std::thread::Builder::new().name("leadline-db".into()).spawn(move || {
        while let Ok(first) = requests.recv() {
            let mut batch = vec![first];
            batch.extend(requests.try_iter());
            // (slot, is a count) → newest generation in the batch.
            let key = |r: &Request| match r {
                Request::Query(Query::LeadsPage { slot, generation, .. }) => Some(((*slot, false), *generation)),
                Request::Query(Query::LeadCount { slot, generation, .. }) => Some(((*slot, true), *generation)),
                _ => None,
            };
            let mut newest = std::collections::HashMap::new();
            for (k, g) in batch.iter().filter_map(key) {
                let e = newest.entry(k).or_insert(g);
                *e = (*e).max(g);
            }
            // Only the last explanation asked for matters (the selection moved on past the others).
            let is_explain = |r: &Request| matches!(r, Request::Query(Query::Explain { .. }));
            let last_explain = batch.iter().rposition(is_explain);
            for (i, req) in batch.into_iter().enumerate() {
                if is_explain(&req) && Some(i) != last_explain {
                    continue;
                }
                let req = match (&ticks, req) {
                    (Some(ticks), tick @ Request::Tick { .. }) => match ticks.send(tick) {
                        Ok(()) => {
                            // The team's zone as an admin may have changed it, for the pages read next.
                            if let Err(e) = store.reload_team() {
                                tracing::warn!(error = %e, "the team's settings are read again later");
                            }
                            continue;
                        }
                        // The automations' thread is gone: the timer runs here.
                        Err(std::sync::mpsc::SendError(tick)) => tick,
                    },
                    (_, req) => req,
                };
                if let Some((k, g)) = key(&req) {
                    if newest.get(&k).is_some_and(|n| g < *n) {
                        continue;
                    }
                    running.store(if k.0 == Slot::Leads { (g << 1) | u64::from(k.1) } else { 0 }, Ordering::SeqCst);
                }
                let started = std::time::Instant::now();
                let what = tracing::enabled!(tracing::Level::DEBUG).then(|| label(&req));
                let turn = matches!(req, Request::Write { .. })
                    .then(|| writing.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
                let response = execute(&mut store, req);
                drop(turn);
                running.store(0, Ordering::SeqCst);
                if let Some(what) = what {
                    tracing::debug!(request = %what, elapsed_us = started.elapsed().as_micros() as u64, "request done");
                }
                respond(response);
            }
        }
    })?;
    Ok(interrupter)
}

/// The UI reads pages, not whole tables: a 16 MB page cache keeps the process well under its memory
/// budget on a million leads (the store's default suits bulk CLI work).
fn ui_sized(store: &Store) -> std::io::Result<()> {
    store.conn().pragma_update(None, "cache_size", -16_000).map_err(std::io::Error::other)
}

pub const AUTOMATIONS_THREAD: &str = "leadline-automations";

/// The automations' thread: runs each timer request it is sent, in turn with the rep's writes. A run
/// that panics is answered as a failed one (the app then asks again next minute).
fn spawn_automations(
    mut beside: Store,
    respond: Arc<dyn Fn(Response) + Send + Sync>,
    writing: Arc<std::sync::Mutex<()>>,
) -> std::io::Result<std::sync::mpsc::Sender<Request>> {
    ui_sized(&beside)?;
    let (tx, rx) = std::sync::mpsc::channel::<Request>();
    std::thread::Builder::new().name(AUTOMATIONS_THREAD.into()).spawn(move || {
        while let Ok(req) = rx.recv() {
            let started = std::time::Instant::now();
            let turn = writing.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| execute(&mut beside, req)));
            drop(turn);
            tracing::debug!(request = "Tick", elapsed_us = started.elapsed().as_micros() as u64, "request done");
            respond(run.unwrap_or_else(|_| Response::Ticked(Err("the automations' run failed (see the log)".into()))));
        }
    })?;
    Ok(tx)
}

/// A request's kind for the log ("Query(LeadsPage", "Write(LogOutreach"), without its contents.
fn label(req: &Request) -> String {
    let said = match req {
        Request::Query(q) => format!("Query({q:?}"),
        Request::Write { op, .. } => format!("Write({op:?}"),
        Request::Tick { .. } => return "Tick".into(),
    };
    said.split([' ', '{']).next().unwrap_or_default().to_string()
}

/// The sender half the app's runtime uses.
pub type Requests = Sender<Request>;
