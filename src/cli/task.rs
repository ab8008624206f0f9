//! `leadline task ...`: add, list, done, snooze.

use clap::{Args, Subcommand};

use super::output::{Limited, Table, opt, print_json_pages, print_table_pages};
use super::{CliResult, Env};
use crate::domain::TaskKind;
use crate::domain::time::ago;
use crate::store::tasks::{self, DueWindow, NewTask};
use crate::store::{deals, leads, teams};

#[derive(Debug, Subcommand)]
pub enum TaskCmd {
    /// Add a follow-up task, optionally for a lead.
    Add(AddArgs),
    /// Open tasks by due window.
    List {
        /// Which open tasks, by when they are due.
        #[arg(long, default_value = "week", value_parser = super::Choices(&DueWindow::NAMES))]
        due: String,
        /// Only this member's tasks (name, e-mail, or "me"); by default the whole team's.
        #[arg(long)]
        owner: Option<String>,
        #[arg(long, default_value_t = 200, value_parser = super::at_least_one)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Mark a task done.
    Done { task: String },
    /// Open a task marked done again.
    Reopen { task: String },
    /// Push a task to later.
    Snooze {
        task: String,
        #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
        until: String,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The lead it is about (id, e-mail or name).
    lead: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    title: String,
    /// When it is due (e.g. "+48h", "tomorrow 9:00", "mon 10:00").
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    due: String,
    /// What kind of task.
    #[arg(long, default_value = "follow_up", value_parser = super::Choices(&TaskKind::NAMES))]
    kind: String,
    /// The deal it is about (id or title).
    #[arg(long)]
    deal: Option<String>,
    /// The member who is to do it (name, e-mail, or "me", the default).
    #[arg(long)]
    owner: Option<String>,
}

pub fn run(env: &mut Env, cmd: TaskCmd) -> CliResult {
    match cmd {
        TaskCmd::Add(a) => {
            let due = env.due_time(&a.due, "--due")?;
            let kind = super::flag(&a.kind, "--kind")?;
            let mut warning = None;
            let id = env.store.write(|db| {
                let lead = a.lead.as_deref().map(|l| leads::resolve(db, l)).transpose()?;
                let deal = a.deal.as_deref().map(|d| deals::resolve_for(db, d, lead.as_ref())).transpose()?;
                // A task to message someone who must not be contacted is kept (the rep may mean to check
                // first), but the rep hears about it.
                if matches!(kind, crate::domain::TaskKind::Bump | crate::domain::TaskKind::FollowUp)
                    && let Some(l) = &lead
                {
                    warning = crate::io::privacy::contact_warning(db, l)?;
                }
                let owner = match a.owner.as_deref() {
                    Some(o) => tasks::Assignee::Member(teams::resolve(db, o)?),
                    None => tasks::Assignee::Adder,
                };
                tasks::add(db, NewTask { kind, lead, deal, owner, ..NewTask::manual(a.title, due) })
            })?;
            if let Some(why) = warning {
                eprintln!("warning: {why}");
            }
            println!("{id}");
        }
        TaskCmd::List { due, owner, limit, json } => {
            let window: DueWindow = super::flag(&due, "--due")?;
            // Read and printed a page at a time (every task of a large team holds a page), in one snapshot.
            let _snapshot = env.store.conn().unchecked_transaction().map_err(crate::store::StoreError::from)?;
            let db = env.store.db();
            let owner = owner.as_deref().map(|o| teams::resolve(&db, o)).transpose()?;
            let mut last: Option<tasks::Task> = None;
            let mut pages = Limited::new(limit, |n| {
                let page = tasks::list_due_page(&db, window, owner.as_ref(), last.as_ref(), n)?;
                last = page.last().cloned();
                Ok((!page.is_empty()).then_some(page))
            });
            if json {
                print_json_pages(&mut pages)?;
            } else {
                // Who is to do each task, where that is not plain: in a team, listing everyone's.
                let show_owner = owner.is_none() && teams::list(&db)?.len() > 1;
                let ids = crate::store::PagedShortIds::default();
                print_table_pages(&mut pages, "nothing due", |rows| Ok(task_table(&db, rows, &ids, show_owner)?))?;
            }
            if pages.cut {
                eprintln!("note: the first {limit} shown; pass --limit N for more");
            }
        }
        TaskCmd::Done { task } => {
            let (id, already) = env.store.write(|db| {
                let id = tasks::resolve(db, &task)?;
                let already = tasks::get(db, &id)?.done_at.is_some();
                tasks::done(db, &id).map(|t| (t.id, already))
            })?;
            // Done twice is done (scripts may repeat it), but the rep hears it.
            if already {
                eprintln!("note: the task was already done");
            }
            println!("{id}");
        }
        TaskCmd::Reopen { task } => {
            let (id, was_open) = env.store.write(|db| {
                let id = tasks::resolve(db, &task)?;
                let was_open = tasks::get(db, &id)?.done_at.is_none();
                tasks::reopen(db, &id).map(|t| (t.id, was_open))
            })?;
            if was_open {
                eprintln!("note: the task was not done");
            }
            println!("{id}");
        }
        TaskCmd::Snooze { task, until } => {
            let until = env.due_time(&until, "--until")?;
            let id = env.store.write(|db| {
                let id = tasks::resolve(db, &task)?;
                tasks::snooze(db, &id, until).map(|t| t.id)
            })?;
            println!("{id}");
        }
    }
    Ok(())
}

fn task_table(
    db: &crate::store::Db<'_>,
    list: &[tasks::Task],
    short: &crate::store::PagedShortIds,
    show_owner: bool,
) -> crate::store::Result<Table> {
    let mut headers = vec!["ID", "DUE", "", "TITLE", "LEAD", "KIND"];
    if show_owner {
        headers.push("OWNER");
    }
    let mut t = Table::new(&headers);
    let ids = short.of(db, "tasks", &list.iter().map(|t| t.id.as_str()).collect::<Vec<_>>())?;
    for (task, id) in list.iter().zip(ids) {
        let due = task.effective_due();
        let mut row = vec![
            id,
            due.local(db.ctx.tz),
            // A task a rule files when its time has come (a bump) is due now, not late "just now".
            if crate::domain::task::is_overdue(due, db.now) && db.now.0 - due.0 < 60_000 {
                "due now".into()
            } else if crate::domain::task::is_overdue(due, db.now) {
                format!("overdue {}", ago(due, db.now))
            } else {
                ago(due, db.now)
            },
            task.title.clone(),
            // Marked ⊘, as the TUI marks a lead who asked not to be contacted.
            match (&task.lead_name, task.lead_do_not_contact) {
                (Some(name), true) => format!("⊘ {name}"),
                _ => opt(&task.lead_name),
            },
            task.kind.as_str().into(),
        ];
        if show_owner {
            row.push(opt(&task.owner));
        }
        t.row(row);
    }
    Ok(t)
}
