//! Follow-up tasks: adding (idempotently for automations), completing, snoozing, and the due lists.

use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use super::leads::lead_name_sql;
use super::{Change, Db, Result, StoreError, leads, non_empty};
use crate::domain::time::start_of_day_after;
use crate::domain::{
    DealId, LeadId, MeetingId, OutreachId, OutreachKind, TaskId, TaskKind, Timestamp, UserId, ValidationError,
};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Task {
    pub id: TaskId,
    pub title: String,
    pub kind: TaskKind,
    pub due_at: Timestamp,
    pub snoozed_until: Option<Timestamp>,
    pub done_at: Option<Timestamp>,
    pub lead_id: Option<String>,
    pub lead_name: Option<String>,
    pub lead_email: Option<String>,
    pub deal_id: Option<String>,
    pub owner_id: Option<String>,
    /// The owner's name.
    pub owner: Option<String>,
    pub origin: String,
    pub channel: Option<OutreachKind>,
    pub created_at: Timestamp,
    /// The key an automation made the task under (so it never makes it twice); carried by exports so a
    /// moved database does not make it again. None for a task of the rep's own.
    pub automation_key: Option<String>,
    /// The lead asked not to be contacted (lists mark such tasks, as they mark the lead).
    pub lead_do_not_contact: bool,
    pub updated_at: Timestamp,
}

impl Task {
    /// When the task is next due: the snooze if any, else the due time.
    pub fn effective_due(&self) -> Timestamp {
        self.snoozed_until.unwrap_or(self.due_at)
    }

    /// Whether doing the task reaches out to its lead: it chases them (a bump, a reschedule), an automation
    /// made it to get in touch, or it names a channel. An opt-out closes such tasks, and they stay closed.
    pub fn reaches_the_lead(&self) -> bool {
        matches!(self.kind, TaskKind::Bump | TaskKind::Reschedule)
            || (self.kind.reaches_out() && self.origin != "manual")
            || self.channel.is_some()
    }
}

pub(crate) const TASK_COLUMNS: &str = concat!(
    "t.id, t.title, t.kind, t.due_at, t.snoozed_until, t.done_at, t.lead_id, ",
    lead_name_sql!("l"),
    ", l.email, t.deal_id, t.owner_id, t.origin, t.channel, t.created_at,
    t.dedupe_key, ifnull(l.do_not_contact, 0), t.updated_at, tu.name"
);
pub(crate) const TASK_FROM: &str =
    "FROM tasks t LEFT JOIN leads l ON l.id = t.lead_id LEFT JOIN users tu ON tu.id = t.owner_id";

pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<Task> {
    let kind: String = r.get(2)?;
    Ok(Task {
        id: TaskId(r.get(0)?),
        title: r.get(1)?,
        kind: kind.parse().unwrap_or(TaskKind::Other),
        due_at: Timestamp(r.get(3)?),
        snoozed_until: r.get::<_, Option<i64>>(4)?.map(Timestamp),
        done_at: r.get::<_, Option<i64>>(5)?.map(Timestamp),
        lead_id: r.get(6)?,
        lead_name: r.get(7)?,
        lead_email: r.get(8)?,
        deal_id: r.get(9)?,
        owner_id: r.get(10)?,
        owner: r.get(17)?,
        origin: r.get(11)?,
        channel: r.get::<_, Option<i64>>(12)?.and_then(OutreachKind::from_code),
        created_at: Timestamp(r.get(13)?),
        automation_key: r.get(14)?,
        lead_do_not_contact: r.get(15)?,
        updated_at: Timestamp(r.get(16)?),
    })
}

#[derive(Debug, Clone)]
pub struct NewTask {
    pub title: String,
    pub due_at: Timestamp,
    pub kind: TaskKind,
    pub lead: Option<LeadId>,
    pub deal: Option<DealId>,
    /// `manual`, or the name of the rule that made it.
    pub origin: String,
    /// rule + subject: a second task with the same key is never created.
    pub dedupe_key: Option<String>,
    pub channel: Option<OutreachKind>,
    pub owner: Assignee,
}

/// Who is to do a task.
#[derive(Debug, Clone, PartialEq)]
pub enum Assignee {
    /// The rep adding it.
    Adder,
    /// A member it is given to.
    Member(UserId),
    /// Whoever owns its lead, else the rep adding it: a rule's task is for the rep whose lead it is,
    /// whichever rep's leadline ran the rule.
    LeadOwner,
}

impl NewTask {
    pub fn manual(title: impl Into<String>, due_at: Timestamp) -> Self {
        Self {
            title: title.into(),
            due_at,
            kind: TaskKind::FollowUp,
            lead: None,
            deal: None,
            origin: "manual".into(),
            dedupe_key: None,
            channel: None,
            owner: Assignee::Adder,
        }
    }
}

/// Adds a task; with a dedupe key already used, returns the existing task's id and writes nothing.
pub fn add(db: &Db<'_>, mut new: NewTask) -> Result<TaskId> {
    let title = crate::domain::lead::require_text("title", &new.title)?;
    crate::domain::lead::check_one_line("title", &title)?;
    // A rep's own task names the person; what the pipeline makes of a forgotten lead's deal does not.
    match &new.lead {
        Some(l) if new.origin == "manual" => drop(leads::get_to_add(db, l, "task")?),
        Some(l) => drop(leads::get(db, l)?),
        None => {}
    }
    if let Some(d) = &new.deal {
        let deal = super::deals::get(db, d)?;
        if new.lead.as_ref().is_some_and(|l| *l != deal.lead_id) {
            return Err(StoreError::Refused(format!("deal '{}' belongs to another lead", deal.title)));
        }
        // A task about a deal is about its lead too (it shows in the lead's timeline and follow-ups).
        new.lead.get_or_insert(deal.lead_id);
    }
    if let Some(key) = &new.dedupe_key {
        let existing: Option<String> = db
            .conn
            .prepare_cached("SELECT id FROM tasks WHERE dedupe_key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?;
        if let Some(id) = existing {
            return Ok(TaskId(id));
        }
    }
    let owner = match std::mem::replace(&mut new.owner, Assignee::Adder) {
        Assignee::Member(member) => member,
        Assignee::LeadOwner => {
            let owner = super::teams::live_owner_of_lead("?1", "?2");
            UserId(
                db.conn
                    .prepare_cached(&format!("SELECT {owner}"))?
                    .query_row(params![new.lead.as_ref().map(LeadId::as_str), db.ctx.user_id.as_str()], |r| r.get(0))?,
            )
        }
        Assignee::Adder => db.ctx.user_id.clone(),
    };
    let id = TaskId::generate();
    db.conn
        .prepare_cached(
            "INSERT INTO tasks (id, team_id, owner_id, lead_id, deal_id, title, kind, channel, due_at, origin,
             dedupe_key, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
        )?
        .execute(params![
            id.as_str(),
            db.ctx.team_id.as_str(),
            owner.as_str(),
            new.lead.as_ref().map(LeadId::as_str),
            new.deal.as_ref().map(DealId::as_str),
            title,
            new.kind.as_str(),
            new.channel.map(OutreachKind::code),
            new.due_at.0,
            new.origin,
            non_empty(new.dedupe_key),
            db.now.0,
        ])?;
    db.emit(Change::TaskChanged { lead: new.lead, task: id.clone() });
    Ok(id)
}

pub fn get(db: &Db<'_>, id: &TaskId) -> Result<Task> {
    let sql = format!("SELECT {TASK_COLUMNS} {TASK_FROM} WHERE t.id = ?1 AND t.team_id = ?2 AND t.deleted_at IS NULL");
    db.conn
        .prepare_cached(&sql)?
        .query_row(params![id.as_str(), db.ctx.team_id.as_str()], from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "task", reference: id.to_string() })
}

pub fn done(db: &Db<'_>, id: &TaskId) -> Result<Task> {
    let t = get(db, id)?;
    db.conn.execute(
        "UPDATE tasks SET done_at = ?2, updated_at = ?2 WHERE id = ?1 AND done_at IS NULL",
        params![id.as_str(), db.now.0],
    )?;
    db.emit(Change::TaskChanged { lead: t.lead_id.map(LeadId), task: id.clone() });
    get(db, id)
}

/// Opens a task marked done again (a done pressed by mistake): due when it was. An open task stays as it is.
/// A forgotten person's tasks stay closed, and so does one that would reach out to a lead who opted out.
pub fn reopen(db: &Db<'_>, id: &TaskId) -> Result<Task> {
    let t = get(db, id)?;
    if t.done_at.is_none() {
        return Ok(t);
    }
    let lead = match t.lead_id.clone().map(LeadId) {
        Some(l) => super::leads::find(db, &l)?,
        None => None,
    };
    if t.lead_id.is_some() && lead.as_ref().is_none_or(|l| l.forgotten_at.is_some()) {
        return Err(StoreError::Refused(format!("task '{}' is about a lead who is gone; it stays closed", t.title)));
    }
    if let Some(l) = lead.filter(|l| l.do_not_contact && t.reaches_the_lead()) {
        return Err(StoreError::Refused(format!(
            "{} opted out: task '{}' reaches out to them, so it stays closed",
            l.name(),
            t.title
        )));
    }
    // To whoever took over the lead (else to whoever reopens it) if the task's owner has left since.
    let owner = super::teams::unless_removed("owner_id", &super::teams::live_owner_of_lead("tasks.lead_id", "?3"));
    db.conn.execute(
        &format!(
            "UPDATE tasks SET done_at = NULL, done_by_outreach_id = NULL, done_by_meeting_id = NULL, updated_at = ?2, owner_id = {owner}
             WHERE id = ?1"
        ),
        params![id.as_str(), db.now.0, db.ctx.user_id.as_str()],
    )?;
    db.emit(Change::TaskChanged { lead: t.lead_id.map(LeadId), task: id.clone() });
    get(db, id)
}

/// A touch removed (logged on the wrong lead, say): the bumps it marked done are open again, where
/// `reopen` allows, unless something else answered what they chase since (another touch either way, a
/// meeting). Returns how many.
pub fn reopen_done_by(db: &Db<'_>, touch: &OutreachId) -> Result<usize> {
    reopen_done_by_column(db, "done_by_outreach_id", touch.as_str())
}

/// `reopen_done_by` for a meeting taken away (the lead declined, the event was cancelled): the bumps and
/// reschedules its booking answered are owed again, unless something since answers them.
pub fn reopen_done_by_meeting(db: &Db<'_>, meeting: &MeetingId) -> Result<usize> {
    reopen_done_by_column(db, "done_by_meeting_id", meeting.as_str())
}

fn reopen_done_by_column(db: &Db<'_>, column: &str, by: &str) -> Result<usize> {
    let chased = chased_at();
    let ids: Vec<String> = db
        .conn
        .prepare_cached(&format!(
            "SELECT t.id FROM tasks t WHERE t.{column} = ?1 AND t.done_at IS NOT NULL
             AND t.deleted_at IS NULL
             AND (t.kind = '{reschedule}' OR NOT EXISTS (SELECT 1 FROM outreach o2 WHERE o2.lead_id = t.lead_id
                 AND o2.deleted_at IS NULL AND o2.occurred_at > {chased} AND o2.id IS NOT {CHASED_TOUCH}))
             AND NOT EXISTS (SELECT 1 FROM meetings m2 WHERE m2.lead_id = t.lead_id AND m2.deleted_at IS NULL
                 AND m2.scheduled_at > {chased} AND m2.id IS NOT {CHASED_TOUCH})",
            // A reschedule is answered by a meeting only (`settle_answered`): a touch since does not keep it done.
            reschedule = TaskKind::Reschedule.as_str(),
        ))?
        .query_map([by], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut opened = 0;
    for id in ids {
        match reopen(db, &TaskId(id)) {
            Ok(_) => opened += 1,
            // A bump for a lead who opted out or is gone since stays closed.
            Err(StoreError::Refused(_)) => {}
            Err(e) => return Err(e),
        }
    }
    // Those something else answers stay done, by that now: taking it back in turn reopens them.
    let answered_instead: Vec<(String, String, Option<String>, Option<String>)> = db
        .conn
        .prepare_cached(&format!(
            "SELECT t.id, t.kind, {first_touch}, {first_meeting} FROM tasks t
             WHERE t.{column} = ?1 AND t.done_at IS NOT NULL AND t.deleted_at IS NULL",
            first_touch = first_answer("outreach", "occurred_at"),
            first_meeting = first_answer("meetings", "scheduled_at"),
        ))?
        .query_map([by], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, kind, by_touch, by_meeting) in answered_instead {
        // A reschedule is answered by a meeting only; a bump by a touch first.
        let by_touch = by_touch.filter(|_| kind == TaskKind::Bump.as_str());
        let by_meeting = by_meeting.filter(|_| by_touch.is_none());
        db.conn
            .prepare_cached("UPDATE tasks SET done_by_outreach_id = ?2, done_by_meeting_id = ?3 WHERE id = ?1")?
            .execute(params![id, by_touch, by_meeting])?;
    }
    Ok(opened)
}

/// The first live row of `table` (touches or meetings) of a task's lead after what the task chases, by
/// `at`, other than that itself: what answers the task.
fn first_answer(table: &str, at: &str) -> String {
    let chased = chased_at();
    format!(
        "(SELECT a.id FROM {table} a WHERE a.lead_id = t.lead_id AND a.deleted_at IS NULL AND a.{at} > {chased}
          AND a.id IS NOT {CHASED_TOUCH} ORDER BY a.{at} LIMIT 1)"
    )
}

/// The lead's open bumps chasing a touch of the rep's that something in its history answers: a touch either
/// way or a meeting after it (not a bump a rule filed for later, such as a lost deal's re-engagement); and
/// its reschedules of a missed meeting a later one answers. Two leads merged bring their histories together,
/// and a reply on one answers the other's bump, as it would have logged on the one lead. Marked done (by
/// that touch); returns how many.
pub fn settle_answered(db: &Db<'_>, lead: &LeadId) -> Result<usize> {
    let chased = chased_at();
    // What answers each: the first touch after what it chases, else the first meeting after it (which
    // the task then names, so that dropping the meeting makes it owed again).
    let meeting_after = format!(
        "(SELECT m2.id FROM meetings m2 WHERE m2.lead_id = t.lead_id AND m2.deleted_at IS NULL
          AND m2.scheduled_at > {chased} AND m2.id IS NOT {CHASED_TOUCH} ORDER BY m2.scheduled_at LIMIT 1)"
    );
    let answered: Vec<(String, Option<String>, Option<String>)> = db
        .conn
        .prepare_cached(&format!(
            "SELECT id, by_touch, by_meeting FROM (
               SELECT t.id, (SELECT o2.id FROM outreach o2 WHERE o2.lead_id = t.lead_id AND o2.deleted_at IS NULL
                             AND o2.occurred_at > {chased} AND o2.id IS NOT {CHASED_TOUCH}
                             ORDER BY o2.occurred_at LIMIT 1) AS by_touch, {meeting_after} AS by_meeting
               FROM tasks t WHERE t.lead_id = ?1 AND t.done_at IS NULL AND t.deleted_at IS NULL
                 AND ((t.kind = '{bump}' AND EXISTS (SELECT 1 FROM outreach o WHERE o.id = {CHASED_TOUCH}
                                                     AND o.direction = 'outbound'))
                      OR t.kind = '{reschedule}'))
             WHERE by_touch IS NOT NULL OR by_meeting IS NOT NULL",
            bump = TaskKind::Bump.as_str(),
            reschedule = TaskKind::Reschedule.as_str(),
        ))?
        .query_map([lead.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut settled = 0;
    for (id, by_touch, by_meeting) in &answered {
        let id = TaskId(id.clone());
        let task = get(db, &id)?;
        // A reschedule is answered by a meeting only.
        if task.kind == TaskKind::Reschedule && by_meeting.is_none() {
            continue;
        }
        done(db, &id)?;
        settled += 1;
        match (by_touch, by_meeting) {
            (Some(touch), _) if task.kind == TaskKind::Bump => {
                db.conn
                    .execute("UPDATE tasks SET done_by_outreach_id = ?2 WHERE id = ?1", params![id.as_str(), touch])?;
            }
            (_, Some(meeting)) => {
                db.conn
                    .execute("UPDATE tasks SET done_by_meeting_id = ?2 WHERE id = ?1", params![id.as_str(), meeting])?;
            }
            _ => {}
        }
    }
    Ok(settled)
}

/// A meeting marked attended, then a no-show after all: the reschedule tasks its first no-show made, which
/// marking it attended closed, are open again (due from now at the earliest), unless a later meeting with
/// the lead is booked, which answers them. Returns how many.
pub fn reopen_reschedules(db: &Db<'_>, lead: &LeadId, meeting: &super::meetings::Meeting) -> Result<usize> {
    if super::meetings::next_after(db, lead, meeting.scheduled_at)?.is_some() {
        return Ok(0);
    }
    // A reschedule reaches out: not to a lead who opted out since, nor to one forgotten.
    if super::leads::find(db, lead)?.is_none_or(|l| l.do_not_contact || l.forgotten_at.is_some()) {
        return Ok(0);
    }
    let ids: Vec<String> = db
        .conn
        .prepare_cached(
            "SELECT id FROM tasks WHERE lead_id = ?1 AND kind = ?2 AND done_at IS NOT NULL AND deleted_at IS NULL
             AND instr(dedupe_key, ?3) > 0",
        )?
        .query_map(params![lead.as_str(), TaskKind::Reschedule.as_str(), meeting.id.as_str()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    // To whoever took over the lead if the task's owner has left since.
    let owner = super::teams::unless_removed("owner_id", &super::teams::live_owner_of_lead("tasks.lead_id", "?3"));
    for id in &ids {
        db.conn.execute(
            &format!(
                "UPDATE tasks SET done_at = NULL, done_by_outreach_id = NULL, done_by_meeting_id = NULL,
                 due_at = max(due_at, ?2), updated_at = ?2, owner_id = {owner} WHERE id = ?1"
            ),
            params![id, db.now.0, db.ctx.user_id.as_str()],
        )?;
        db.emit(Change::TaskChanged { lead: Some(lead.clone()), task: TaskId(id.clone()) });
    }
    Ok(ids.len())
}

/// What makes a lead's open chasing tasks pointless.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answered {
    /// The lead replied (this touch, at this time): the bumps waiting for an answer to what came before are
    /// done, and say which touch did it.
    Reply(Timestamp, OutreachId),
    /// The rep reached out again (this touch, at this time): the bumps chasing what came before it are done
    /// (the touch is the bump, sent), and say which touch did it (`reopen_followed_up`).
    FollowedUp(Timestamp, OutreachId),
    /// A contact made off the record (a call from the car, `lead touch`), at this time: as a touch logged then.
    Contacted(Timestamp),
    /// A meeting at this time was booked: the bumps and reschedule tasks chasing what came before it (a
    /// touch, a missed meeting) are done, and say which meeting did it when it is that one
    /// (`reopen_done_by_meeting`). A past meeting logged late answers nothing that came after it.
    Meeting(Timestamp, Option<MeetingId>),
    /// The lead opted out: the tasks that chase them (bumps, reschedules), that an automation made to get
    /// in touch, or that have a channel, are cancelled; the rep's own other tasks stay.
    OptOut,
    /// The lead was forgotten: every open task of theirs is cancelled.
    Forgotten,
}

/// The id of what a task made by an automation chases: the touch or meeting its rule fired for, named in
/// its dedupe key (`rule:subject[:n]`).
const CHASED_TOUCH: &str = "substr(t.dedupe_key, instr(t.dedupe_key, ':') + 1, 36)";

/// When what a task chases happened (`CHASED_TOUCH`); a task of the rep's own is dated by its making.
fn chased_at() -> String {
    format!(
        "coalesce((SELECT o.occurred_at FROM outreach o WHERE o.id = {CHASED_TOUCH}),
                  (SELECT m.scheduled_at FROM meetings m WHERE m.id = {CHASED_TOUCH}), t.created_at)"
    )
}

/// Closes the lead's open tasks that `why` makes pointless; returns how many.
/// The task a rep names by its id (or the start of it, as tables show it). One that is gone is said as
/// such: cancelled when its lead opted out or was forgotten, or removed (its touch taken back, its lead
/// removed or merged), rather than not found.
pub fn resolve(db: &Db<'_>, reference: &str) -> Result<TaskId> {
    let err = match super::resolve_id(db, "tasks", "task", reference) {
        Ok(id) => return Ok(TaskId(id)),
        Err(e @ StoreError::NotFound { .. }) => e,
        Err(e) => return Err(e),
    };
    let r = reference.trim().to_lowercase();
    let gone: Vec<(i64, Option<i64>, Option<i64>, String)> = db
        .conn
        .prepare_cached(&format!(
            "SELECT t.deleted_at, CASE WHEN l.do_not_contact THEN l.do_not_contact_at END, l.forgotten_at,
                    ifnull({name}, '')
             FROM tasks t LEFT JOIN leads l ON l.id = t.lead_id
             WHERE t.team_id = ?1 AND t.id >= ?2 AND t.id < ?2 || 'g' AND t.deleted_at IS NOT NULL LIMIT 2",
            name = crate::store::leads::lead_name_sql!("l")
        ))?
        .query_map(params![db.ctx.team_id.as_str(), r], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let [(at, opted_out, forgotten, name)] = gone.as_slice() else { return Err(err) };
    let when = Timestamp(*at).local(db.ctx.tz);
    let why = match (forgotten, opted_out) {
        (Some(_), _) => "its lead was forgotten".to_string(),
        (None, Some(out)) if out <= at => format!("{name} opted out"),
        _ => "it was removed (its touch taken back, or its lead removed or merged)".to_string(),
    };
    Err(StoreError::Refused(format!("task {} was cancelled on {when}: {why}; nothing to do", reference.trim())))
}

pub fn close_chasers(db: &Db<'_>, lead: &LeadId, why: Answered) -> Result<usize> {
    let kinds = |kinds: &[TaskKind]| kinds.iter().map(|k| format!("'{}'", k.as_str())).collect::<Vec<_>>().join(", ");
    let chasing = kinds(&[TaskKind::Bump, TaskKind::Reschedule]);
    // An opt-out's are picked by `Task::reaches_the_lead` among the lead's open tasks (a lead has few).
    let (which, before) = match why {
        // A reply logged at the very time of the touch chased answers it too.
        Answered::Reply(at, _) => (format!("t.kind = '{}'", TaskKind::Bump.as_str()), at.0 + 1),
        // A bump chasing an earlier touch of the rep's (what the no-reply rule files), or one of the rep's own
        // already due; not one a rule filed for later (a lost deal's re-engagement) nor a reminder not due yet.
        // Due by the touch's time: before ?2, bound rather than written in, so that one statement, prepared
        // once, serves every touch.
        Answered::FollowedUp(at, _) | Answered::Contacted(at) => (
            format!(
                "t.kind = '{}' AND (EXISTS (SELECT 1 FROM outreach o WHERE o.id = {CHASED_TOUCH}
                 AND o.direction = 'outbound') OR (t.dedupe_key IS NULL AND ifnull(t.snoozed_until, t.due_at) < ?2))",
                TaskKind::Bump.as_str(),
            ),
            // A touch logged at the very time of the one chased follows it up too.
            at.0 + 1,
        ),
        Answered::Meeting(at, _) => (format!("t.kind IN ({chasing})"), at.0),
        Answered::OptOut | Answered::Forgotten => ("1".to_string(), i64::MAX),
    };
    let mut ids: Vec<String> = db
        .conn
        .prepare_cached(&format!(
            "SELECT t.id FROM tasks t WHERE t.lead_id = ?1 AND {which} AND {} < ?2
             AND t.done_at IS NULL AND t.deleted_at IS NULL",
            chased_at()
        ))?
        .query_map(params![lead.as_str(), before], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if matches!(why, Answered::OptOut) {
        let mut reaching = Vec::new();
        for id in ids {
            if get(db, &TaskId(id.clone()))?.reaches_the_lead() {
                reaching.push(id);
            }
        }
        ids = reaching;
    }
    for id in &ids {
        let id = TaskId(id.clone());
        match why {
            // Not done, and not to be done: gone from the lists, kept for the record.
            Answered::OptOut | Answered::Forgotten => cancel(db, &id)?,
            Answered::FollowedUp(_, ref by) | Answered::Reply(_, ref by) => {
                done(db, &id)?;
                db.conn.execute(
                    "UPDATE tasks SET done_by_outreach_id = ?2 WHERE id = ?1",
                    params![id.as_str(), by.as_str()],
                )?;
            }
            Answered::Contacted(_) => {
                done(db, &id)?;
            }
            Answered::Meeting(_, ref by) => {
                done(db, &id)?;
                db.conn.execute(
                    "UPDATE tasks SET done_by_meeting_id = ?2 WHERE id = ?1",
                    params![id.as_str(), by.as_ref().map(MeetingId::as_str)],
                )?;
            }
        }
    }
    Ok(ids.len())
}

/// The open tasks rules filed for a touch now removed are taken off the lists: what they chase is gone.
pub fn cancel_filed_for(db: &Db<'_>, lead: &LeadId, touch: &OutreachId) -> Result<()> {
    let ids: Vec<String> = db
        .conn
        .prepare_cached(&format!(
            "SELECT t.id FROM tasks t WHERE t.lead_id = ?1 AND {CHASED_TOUCH} = ?2
             AND t.done_at IS NULL AND t.deleted_at IS NULL"
        ))?
        .query_map(params![lead.as_str(), touch.as_str()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in ids {
        cancel(db, &TaskId(id))?;
    }
    Ok(())
}

/// Takes an open task off the lists without doing it.
pub(crate) fn cancel(db: &Db<'_>, id: &TaskId) -> Result<()> {
    let t = get(db, id)?;
    db.conn
        .execute("UPDATE tasks SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1", params![id.as_str(), db.now.0])?;
    db.emit(Change::TaskChanged { lead: t.lead_id.map(LeadId), task: id.clone() });
    Ok(())
}

pub fn snooze(db: &Db<'_>, id: &TaskId, until: Timestamp) -> Result<Task> {
    let t = get(db, id)?;
    if t.done_at.is_some() {
        return Err(StoreError::Refused(format!("task '{}' is already done", t.title)));
    }
    if until <= db.now {
        return Err(ValidationError::new("until", until.zoned(db.ctx.tz), "must be in the future").into());
    }
    // Snoozing puts a task off; one due later than that is already put off further.
    if until <= t.due_at {
        return Err(ValidationError::new(
            "until",
            until.zoned(db.ctx.tz),
            format!("is before the task is due ({}); a snooze puts a task off", t.due_at.zoned(db.ctx.tz)),
        )
        .into());
    }
    db.conn.execute(
        "UPDATE tasks SET snoozed_until = ?2, updated_at = ?3 WHERE id = ?1",
        params![id.as_str(), until.0, db.now.0],
    )?;
    db.emit(Change::TaskChanged { lead: t.lead_id.map(LeadId), task: id.clone() });
    get(db, id)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DueWindow {
    /// Due now or before.
    Overdue,
    /// Due before the end of today (team time zone), overdue included.
    Today,
    /// Due within the next 7 days, overdue included.
    #[default]
    Week,
    /// Every open task.
    All,
}

impl DueWindow {
    pub const ALL: [DueWindow; 4] = [DueWindow::Overdue, DueWindow::Today, DueWindow::Week, DueWindow::All];
    pub const NAMES: [&'static str; DueWindow::ALL.len()] = crate::domain::words::words!(DueWindow);

    pub const fn as_str(self) -> &'static str {
        match self {
            DueWindow::Overdue => "overdue",
            DueWindow::Today => "today",
            DueWindow::Week => "week",
            DueWindow::All => "all",
        }
    }
}

impl std::str::FromStr for DueWindow {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let word = s.trim().to_lowercase();
        Self::ALL
            .into_iter()
            .find(|d| d.as_str() == word)
            .ok_or_else(|| ValidationError::new("due", s, crate::domain::words::must_be(&Self::NAMES)))
    }
}

/// The end (exclusive) of each window: just after now (a task due now is overdue, `is_overdue`), the end of
/// today and the end of the seventh day (team zone).
fn window_end(db: &Db<'_>, window: DueWindow) -> i64 {
    match window {
        DueWindow::Overdue => db.now.0 + 1,
        DueWindow::Today => start_of_day_after(db.now, db.ctx.tz, 1).0,
        DueWindow::Week => start_of_day_after(db.now, db.ctx.tz, 7).0,
        DueWindow::All => i64::MAX,
    }
}

/// Open tasks due within the window, soonest first (snoozes honoured): the whole team's, or one member's.
pub fn list_due(db: &Db<'_>, window: DueWindow, owner: Option<&UserId>, limit: usize) -> Result<Vec<Task>> {
    list_due_page(db, window, owner, None, limit)
}

/// `list_due` a page at a time: the tasks after `after` (the last one of the page before).
pub fn list_due_page(
    db: &Db<'_>,
    window: DueWindow,
    owner: Option<&UserId>,
    after: Option<&Task>,
    limit: usize,
) -> Result<Vec<Task>> {
    let after = after.map(|t| (t.effective_due().0, t.id.as_str()));
    list_due_between(db, i64::MIN, window_end(db, window), owner, after, limit)
}

/// Open tasks whose effective due time is in `[from, until)`, soonest first (after the task at `after`,
/// its effective due time and id).
fn list_due_between(
    db: &Db<'_>,
    from: i64,
    until: i64,
    owner: Option<&UserId>,
    after: Option<(i64, &str)>,
    limit: usize,
) -> Result<Vec<Task>> {
    let sql = format!(
        "SELECT {TASK_COLUMNS} {TASK_FROM} WHERE t.team_id = ?1 AND t.done_at IS NULL AND t.deleted_at IS NULL
         AND ifnull(t.snoozed_until, t.due_at) >= ?2 AND ifnull(t.snoozed_until, t.due_at) < ?3{}
         AND (ifnull(t.snoozed_until, t.due_at), t.id) > (?6, ?7)
         ORDER BY ifnull(t.snoozed_until, t.due_at), t.id LIMIT ?4",
        of_owner(owner, 5)
    );
    let mut stmt = db.conn.prepare_cached(&sql)?;
    let owner = owner.map(UserId::as_str);
    let (after_due, after_id) = after.unwrap_or((i64::MIN, ""));
    // The page starts at the last one's due time along the due index (the pair then skips the tasks of that
    // time already read): each page is a seek, not a read of every task before it.
    let from = from.max(after_due);
    let rows = stmt
        .query_map(params![db.ctx.team_id.as_str(), from, until, limit as i64, owner, after_due, after_id], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// SQL: the condition that keeps one member's tasks (parameter `n`), when one is given. Written out only
/// then, so that a member's list is read from their own index (`tasks_open_by_owner_due`).
fn of_owner(owner: Option<&UserId>, n: usize) -> String {
    match owner {
        Some(_) => format!(" AND t.owner_id = ?{n}"),
        None => format!(" AND ?{n} IS NULL"),
    }
}

/// The week's open tasks in their three sections, each exactly counted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DueSections {
    /// Overdue, today and the rest of the week, each soonest first and at most `limit` long.
    pub sections: [Vec<Task>; 3],
    /// How many each section holds in all.
    pub counts: [i64; 3],
}

/// Overdue / today / the rest of the week, each read on its own so a long overdue list never hides
/// what is due today: the whole team's, or one member's.
pub fn due_sections(db: &Db<'_>, owner: Option<&UserId>, limit: usize) -> Result<DueSections> {
    let ends = [DueWindow::Overdue, DueWindow::Today, DueWindow::Week].map(|w| window_end(db, w));
    let starts = [i64::MIN, ends[0], ends[1]];
    let mut out = DueSections::default();
    for i in 0..3 {
        out.sections[i] = list_due_between(db, starts[i], ends[i], owner, None, limit)?;
        out.counts[i] = db
            .conn
            .prepare_cached(&format!(
                "SELECT count(*) FROM tasks t WHERE t.team_id = ?1 AND t.done_at IS NULL AND t.deleted_at IS NULL
                 AND ifnull(t.snoozed_until, t.due_at) >= ?2 AND ifnull(t.snoozed_until, t.due_at) < ?3{}",
                of_owner(owner, 4)
            ))?
            .query_row(params![db.ctx.team_id.as_str(), starts[i], ends[i], owner.map(UserId::as_str)], |r| r.get(0))?;
    }
    Ok(out)
}

/// Every task of a lead (open and done), newest due first.
pub fn for_lead(db: &Db<'_>, lead: &LeadId) -> Result<Vec<Task>> {
    let sql = format!(
        "SELECT {TASK_COLUMNS} {TASK_FROM} WHERE t.lead_id = ?1 AND t.deleted_at IS NULL ORDER BY t.due_at DESC"
    );
    let mut stmt = db.conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([lead.as_str()], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
