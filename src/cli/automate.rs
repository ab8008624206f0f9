//! `leadline automate run [--at TIME] [--dry-run] [--json]` and `leadline automate rules`.

use clap::Subcommand;

use super::output::{Table, print_json};
use super::{CliError, CliResult, Env};
use crate::domain::Clock;

#[derive(Debug, Subcommand)]
pub enum AutomateCmd {
    /// Run the time-based rules and refresh time-based score terms (cron-friendly; safe to repeat).
    Run {
        /// Evaluate as if it were this time: now or before (a missed run; what was logged since still
        /// answers a touch), or ahead with --dry-run.
        #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
        at: Option<String>,
        /// Print what would happen without writing anything.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// List the automation rules in force.
    Rules {
        #[arg(long)]
        json: bool,
    },
}

pub fn run(env: &mut Env, cmd: AutomateCmd) -> CliResult {
    let (scorer, autos) = crate::engine::rules(&env.config)?;
    match cmd {
        AutomateCmd::Run { at, dry_run, json } => {
            let wall = env.store.now();
            if let Some(at) = at {
                let t = env.time(&at, "--at")?;
                // Ahead of now it is a rehearsal only: written, it would file bumps for touches whose wait
                // has not passed, dated in the future.
                if t > env.store.now() && !dry_run {
                    return Err(CliError::Usage(format!(
                        "--at {at} is ahead of now: what the rules would do then is seen with --dry-run; \
                         without it, a time now or before"
                    )));
                }
                env.store.set_clock(Clock::Fixed(t));
            }
            let report = crate::automation::run_missed(&mut env.store, &autos, &scorer, dry_run, wall)?;
            if json {
                return print_json(&report);
            }
            let verb = if dry_run { "would" } else { "did" };
            for d in &report.actions {
                println!("{verb}: {} — {} for {}: {}", d.rule, d.action, d.lead, d.detail);
            }
            if !autos.enabled {
                println!("automations are off ([automation] enabled = false): no rule runs");
            } else if report.actions.is_empty() {
                println!("nothing to do at {}", report.at.local(env.store.ctx().tz));
            }
            println!(
                "time passing moved the score of {} lead{}{}",
                report.rescored,
                if report.rescored == 1 { "" } else { "s" },
                if dry_run { " (dry run: nothing written)" } else { "" }
            );
        }
        AutomateCmd::Rules { json } => rules(&env.config, json)?,
    }
    Ok(())
}

/// `automate rules`: the rules in force, read from the config alone (no database needed).
pub fn rules(config: &crate::config::Config, json: bool) -> CliResult {
    let (_, autos) = crate::engine::rules(config)?;
    let rows: Vec<serde_json::Value> = autos
        .rules
        .iter()
        .map(|r| {
            serde_json::json!({
                "name": r.name,
                "in_force": autos.enabled,
                "triggers": r.triggers.iter().map(|t| t.name()).collect::<Vec<_>>(),
                "hours": (r.hours > 0).then_some(r.hours),
                "conditions": r.conditions.iter().map(|c| c.source.clone()).collect::<Vec<_>>(),
                "actions": r.actions.iter().map(|a| a.describe()).collect::<Vec<_>>(),
            })
        })
        .collect();
    if json {
        return print_json(&rows);
    }
    let mut t = Table::new(&["RULE", "TRIGGER", "CONDITIONS", "ACTIONS"]);
    for r in &autos.rules {
        let mut trig: Vec<String> = r.triggers.iter().map(|t| t.name().to_string()).collect();
        if r.hours > 0 {
            trig = trig.into_iter().map(|t| format!("{t} {}h", r.hours)).collect();
        }
        t.row(vec![
            r.name.clone(),
            trig.join(", "),
            r.conditions.iter().map(|c| c.source.clone()).collect::<Vec<_>>().join(" and "),
            r.actions.iter().map(|a| a.describe()).collect::<Vec<_>>().join(", "),
        ]);
    }
    if t.is_empty() {
        println!("no automation rules");
    } else {
        t.print();
    }
    if !autos.enabled {
        println!("automations are off ([automation] enabled = false): none of these rules runs");
    }
    Ok(())
}
