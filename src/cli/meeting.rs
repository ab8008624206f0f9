//! `leadline meeting ...`: schedule, attended, no-show.

use clap::Subcommand;

use super::output::{Table, print_json};
use super::{CliResult, Env};
use crate::domain::MeetingId;
use crate::store::{deals, leads, meetings, resolve_id};

#[derive(Debug, Subcommand)]
pub enum MeetingCmd {
    /// Schedule a meeting with a lead.
    Add {
        lead: String,
        /// When (e.g. "tomorrow 10:00", "2026-12-01 15:30", "+3d").
        #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
        at: String,
        /// The deal it is about (id or title).
        #[arg(long)]
        deal: Option<String>,
        #[arg(long, allow_hyphen_values = true)]
        title: Option<String>,
    },
    /// Mark a meeting attended (counts as a contact).
    Attended { meeting: String },
    /// Mark a meeting as a no-show.
    NoShow {
        meeting: String,
        #[arg(long, allow_hyphen_values = true)]
        reason: Option<String>,
    },
    /// List a lead's meetings.
    List {
        lead: String,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(env: &mut Env, cmd: MeetingCmd) -> CliResult {
    match cmd {
        MeetingCmd::Add { lead, at, deal, title } => {
            let at = env.time(&at, "--at")?;
            let mut warning = None;
            let id = env.store.write(|db| {
                let lead = leads::resolve(db, &lead)?;
                let deal = deal.as_deref().map(|d| deals::resolve_for(db, d, Some(&lead))).transpose()?;
                // A meeting is a contact: booked anyway (the lead may have asked for it), but the rep hears.
                warning = crate::io::privacy::contact_warning(db, &lead)?;
                meetings::schedule(db, &lead, at, deal.as_ref(), title)
            })?;
            if let Some(why) = warning {
                eprintln!("warning: {why}; booked anyway");
            }
            println!("{id}");
        }
        MeetingCmd::Attended { meeting } => mark(env, &meeting, true, None)?,
        MeetingCmd::NoShow { meeting, reason } => mark(env, &meeting, false, reason)?,
        MeetingCmd::List { lead, json } => {
            let db = env.store.db();
            let lead = leads::resolve(&db, &lead)?;
            let list = meetings::for_lead(&db, &lead)?;
            if json {
                return print_json(&list);
            }
            let mut t = Table::new(&["ID", "WHEN", "TITLE", "STATUS"]);
            for m in &list {
                t.row(vec![
                    m.id.to_string(),
                    m.scheduled_at.local(db.ctx.tz),
                    m.title.clone().unwrap_or_default(),
                    m.status.as_str().into(),
                ]);
            }
            t.print();
        }
    }
    Ok(())
}

fn mark(env: &mut Env, reference: &str, attended: bool, reason: Option<String>) -> CliResult {
    let (id, was) = env.store.write(|db| {
        let id = MeetingId(resolve_id(db, "meetings", "meeting", reference)?);
        let was = meetings::get(db, &id)?.attended;
        meetings::mark(db, &id, attended, reason)?;
        Ok((id, was))
    })?;
    // An outcome changed, rather than given, is said: it moves the lead's score and last contact.
    match was {
        Some(before) if before == attended => eprintln!("note: the meeting was already marked so"),
        Some(before) => eprintln!(
            "note: the meeting was marked {}; it is now {}",
            if before { "attended" } else { "a no-show" },
            if attended { "attended" } else { "a no-show" }
        ),
        None => {}
    }
    println!("{id}");
    Ok(())
}
