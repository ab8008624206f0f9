//! `leadline team ...`: who is in the team (and what they own), adding, renaming and removing a colleague,
//! roles, the team's time zone.

use clap::Subcommand;

use super::output::{Table, plural, print_json};
use super::{CliResult, Env};
use crate::domain::Role;
use crate::store::teams;

#[derive(Debug, Subcommand)]
pub enum TeamCmd {
    /// The team: its name, time zone and members with the leads each owns.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Add a colleague (an admin's command): leads can be assigned to them, imports name them as owner.
    Add {
        /// Their name, as imports and `--owner` may name them.
        name: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "rep", value_parser = super::Choices(&Role::NAMES))]
        role: String,
    },
    /// Remove a member (an admin's command), handing their leads, open deals, open tasks and unhandled
    /// inbox items to another; what they did stays theirs in the history.
    Remove {
        /// Name, e-mail or id.
        member: String,
        /// Who takes over their work (needed when they own leads).
        #[arg(long, value_name = "MEMBER")]
        to: Option<String>,
    },
    /// Rename a member (an admin's command; anyone renames themselves). Leads, deals and history follow.
    Rename {
        /// Name, e-mail or id.
        member: String,
        /// The new name.
        name: String,
    },
    /// Make a member an admin or a rep (an admin's command).
    Role {
        member: String,
        #[arg(value_parser = super::Choices(&Role::NAMES))]
        role: String,
    },
    /// Set the time zone the team works in (an admin's command): times show and are typed in it.
    Zone {
        /// An IANA time zone, e.g. Europe/Madrid or America/New_York.
        timezone: String,
    },
}

pub fn run(env: &mut Env, cmd: TeamCmd) -> CliResult {
    match cmd {
        TeamCmd::Show { json } => {
            let members = teams::members(&env.store.db())?;
            let ctx = env.store.ctx();
            if json {
                return print_json(&serde_json::json!({
                    "id": ctx.team_id, "name": ctx.team_name, "timezone": ctx.tz.name(), "members": members,
                }));
            }
            println!("{} · {}", ctx.team_name, ctx.tz.name());
            let mut t = Table::new(&["NAME", "E-MAIL", "ROLE", "LEADS", ""]);
            for m in members {
                let you = if m.user.id == ctx.user_id { "you" } else { "" };
                t.row(vec![m.user.name, m.user.email, m.user.role, m.leads.to_string(), you.into()]);
            }
            t.print();
        }
        TeamCmd::Add { name, email, role } => {
            let role: Role = super::flag(&role, "--role")?;
            let id = env.store.write(|db| teams::add_member(db, &name, &email, role))?;
            println!("{id}");
        }
        // Each write prints the id it wrote on stdout, for scripts, and says what it did on stderr.
        TeamCmd::Remove { member, to } => {
            let (gone, heir, h) = env.store.write(|db| teams::remove_member(db, &member, to.as_deref()))?;
            println!("{}", gone.id);
            match heir {
                Some(heir) => {
                    let n = |count: usize, what: &str| format!("{count} {}", plural(count, what));
                    eprintln!(
                        "{} left the team; {} took over {}, {}, {} and {}",
                        gone.name,
                        heir.name,
                        n(h.leads, "lead"),
                        n(h.deals, "open deal"),
                        n(h.tasks, "open task"),
                        n(h.inbox, "inbox item")
                    )
                }
                None => eprintln!("{} left the team", gone.name),
            }
        }
        TeamCmd::Rename { member, name } => {
            let (before, after) = env.store.write(|db| teams::rename_member(db, &member, &name))?;
            println!("{}", after.id);
            eprintln!("{} → {}", before.name, after.name);
        }
        TeamCmd::Role { member, role } => {
            let role: Role = super::flag(&role, "role")?;
            let user = env.store.write(|db| teams::set_role(db, &member, role))?;
            println!("{}", user.id);
            eprintln!("{} is {}", user.name, user.role);
        }
        TeamCmd::Zone { timezone } => {
            let old = env.store.write(|db| teams::set_timezone(db, &timezone))?;
            let new = crate::domain::time::parse_tz(timezone.trim())?;
            println!("{}", env.store.ctx().team_id);
            eprintln!("{old} → {}", new.name());
        }
    }
    Ok(())
}
