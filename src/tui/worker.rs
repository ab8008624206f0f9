//! The database worker: a thread that owns its own `Store` and answers requests with responses,
//! so the render loop never waits on SQLite. `execute` is the one place a request touches the store;
//! tests and benches call it inline, the running app through the thread.

use std::sync::mpsc::{Receiver, Sender};

use crate::config::FollowupConfig;
use crate::domain::{DealId, InboxId, LeadId, MeetingId, TaskId, Timestamp};
use crate::store::deals::{self, Deal, NewDeal, StageSummary};
use crate::store::followups::{self, LosingTouch};
use crate::store::inbox::{self, InboxItem};
use crate::store::leads::{self, Cursor, Lead, LeadFilter, LeadPatch, LeadQuery};
use crate::store::outreach::{self, NewOutreach};
use crate::store::tasks::{self, DueWindow, NewTask, Task};
use crate::store::timeline::{self, Entry};
use crate::store::{Store, meetings, notes};

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
}

#[derive(Debug, Clone)]
pub enum Query {
    LeadsPage { slot: Slot, generation: u64, query: LeadQuery, dir: PageDir },
    LeadCount { slot: Slot, generation: u64, filter: LeadFilter },
    Detail { lead: LeadId },
    Pipeline,
    Column { stage: usize, generation: u64, after: Option<i64>, limit: usize },
    Inbox { include_handled: bool },
    Followups { config: FollowupConfig },
    Status,
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
    CreateDeal(NewDeal),
    EditLead {
        lead: LeadId,
        patch: LeadPatch,
    },
    MoveDeal {
        deal: DealId,
        stage: String,
        reason: Option<String>,
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
    /// Logs the reply as outbound outreach and marks the item handled, in one transaction.
    Reply {
        item: InboxId,
        outreach: NewOutreach,
    },
    TaskDone(TaskId),
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
}

pub type Res<T> = Result<T, String>;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FollowupData {
    pub tasks: Vec<Task>,
    pub losing: Vec<LosingTouch>,
}

#[derive(Debug, Clone)]
pub enum Response {
    LeadsPage { slot: Slot, generation: u64, dir: PageDir, rows: Res<Vec<Lead>> },
    LeadCount { slot: Slot, generation: u64, count: Res<i64> },
    Detail { lead: LeadId, result: Res<Box<(Lead, Vec<Entry>)>> },
    Pipeline(Res<Vec<StageSummary>>),
    Column { stage: usize, generation: u64, after: Option<i64>, rows: Res<Vec<Deal>> },
    Inbox(Res<Vec<InboxItem>>),
    Followups(Res<FollowupData>),
    Status(Res<(i64, i64)>),
    Written { token: u64, result: Res<String> },
}

/// Runs one request against the store.
pub fn execute(store: &mut Store, req: Request) -> Response {
    let err = |e: crate::store::StoreError| e.to_string();
    match req {
        Request::Query(q) => {
            let db = store.db();
            match q {
                Query::LeadsPage { slot, generation, query, dir } => {
                    let rows = match &dir {
                        PageDir::First => leads::list(&db, &LeadQuery { after: None, ..query }),
                        PageDir::After(c) | PageDir::Refresh(c) => {
                            leads::list(&db, &LeadQuery { after: Some(c.clone()), ..query })
                        }
                        PageDir::Last => leads::list_back(&db, &query, None),
                        PageDir::Before(c) => leads::list_back(&db, &query, Some(c)),
                    };
                    Response::LeadsPage { slot, generation, dir, rows: rows.map_err(err) }
                }
                Query::LeadCount { slot, generation, filter } => {
                    Response::LeadCount { slot, generation, count: leads::count(&db, &filter).map_err(err) }
                }
                Query::Detail { lead } => {
                    let result = leads::get(&db, &lead)
                        .and_then(|l| timeline::for_lead(&db, &lead).map(|t| Box::new((l, t))))
                        .map_err(err);
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
                Query::Followups { config } => Response::Followups(
                    tasks::list_due(&db, DueWindow::Week, 500)
                        .and_then(|tasks| {
                            followups::losing_touch(&db, &config, 300).map(|losing| FollowupData { tasks, losing })
                        })
                        .map_err(err),
                ),
                Query::Status => Response::Status(inbox::counts(&db).map_err(err)),
            }
        }
        Request::Write { token, op } => Response::Written { token, result: write(store, op).map_err(err) },
    }
}

fn write(store: &mut Store, op: Write) -> crate::store::Result<String> {
    store.write(|db| match op {
        Write::LogOutreach(new) => {
            let label = new.kind.label();
            outreach::log(db, new)?;
            Ok(format!("Logged {label}"))
        }
        Write::AddTask(new) => {
            tasks::add(db, new)?;
            Ok("Task added".into())
        }
        Write::AddNote { lead, body } => {
            notes::add(db, Some(&lead), None, &body)?;
            Ok("Note added".into())
        }
        Write::Schedule { lead, at, title } => {
            meetings::schedule(db, &lead, at, None, title)?;
            Ok(format!("Meeting scheduled for {}", at.local(db.ctx.tz)))
        }
        Write::MarkMeeting { meeting, attended, reason } => {
            meetings::mark(db, &meeting, attended, reason)?;
            Ok(if attended { "Meeting marked attended" } else { "Meeting marked no-show" }.into())
        }
        Write::CreateDeal(new) => {
            deals::create(db, new)?;
            Ok("Deal created".into())
        }
        Write::EditLead { lead, patch } => {
            let l = leads::update(db, &lead, patch)?;
            Ok(format!("Saved {}", l.name()))
        }
        Write::MoveDeal { deal, stage, reason } => {
            let d = deals::move_to(db, &deal, &stage, reason)?;
            Ok(format!("'{}' moved to {}", d.title, d.stage))
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
            inbox::assign(db, &item, &db.ctx.user_id)?;
            Ok(format!("Assigned to {}", db.ctx.user_name))
        }
        Write::InboxRead { item } => {
            inbox::mark_read(db, &item)?;
            Ok(String::new())
        }
        Write::Reply { item, outreach: new } => {
            let label = new.kind.label();
            outreach::log(db, new)?;
            inbox::set_handled(db, &item, true)?;
            Ok(format!("Reply logged as {label}"))
        }
        Write::TaskDone(task) => {
            let t = tasks::done(db, &task)?;
            Ok(format!("Done: {}", t.title))
        }
        Write::Snooze { task, until } => {
            let t = tasks::snooze(db, &task, until)?;
            Ok(format!("Snoozed '{}' until {}", t.title, until.local(db.ctx.tz)))
        }
    })
}

/// Runs the worker loop on its own thread until the request channel closes. Bursts are coalesced:
/// of several lead pages or counts queued for the same list, only those of the newest generation run.
pub fn spawn(
    mut store: Store,
    requests: Receiver<Request>,
    respond: impl Fn(Response) + Send + 'static,
) -> std::io::Result<()> {
    std::thread::Builder::new().name("leadline-db".into()).spawn(move || {
        while let Ok(first) = requests.recv() {
            let mut batch = vec![first];
            batch.extend(requests.try_iter());
            let newest = |slot: Slot| {
                batch
                    .iter()
                    .filter_map(|r| match r {
                        Request::Query(Query::LeadsPage { slot: s, generation, .. })
                        | Request::Query(Query::LeadCount { slot: s, generation, .. })
                            if *s == slot =>
                        {
                            Some(*generation)
                        }
                        _ => None,
                    })
                    .max()
            };
            let (leads_gen, scoring_gen) = (newest(Slot::Leads), newest(Slot::Scoring));
            for req in batch {
                let stale = match &req {
                    Request::Query(Query::LeadsPage { slot, generation, .. })
                    | Request::Query(Query::LeadCount { slot, generation, .. }) => {
                        let newest = if *slot == Slot::Leads { leads_gen } else { scoring_gen };
                        newest.is_some_and(|n| *generation < n)
                    }
                    _ => false,
                };
                if stale {
                    continue;
                }
                let started = std::time::Instant::now();
                let response = execute(&mut store, req);
                tracing::debug!(elapsed_us = started.elapsed().as_micros() as u64, "request done");
                respond(response);
            }
        }
    })?;
    Ok(())
}

/// The sender half the app's runtime uses.
pub type Requests = Sender<Request>;
