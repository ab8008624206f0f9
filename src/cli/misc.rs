//! Smaller commands: demo, note, search, inbox, config, completions, backup.

use std::path::PathBuf;

use clap::{Args, CommandFactory, Subcommand};

use super::lead::print_lead_table;
use super::output::{Table, opt, print_json};
use super::{Cli, CliResult, Env};
use crate::config::{DEFAULT_CONFIG, Paths};
use crate::domain::time::ago;
use crate::store::{backup as db_backup, inbox, leads, notes, search as fts};

/// What a database says of a config: a time zone other than the team's, deals at stages it dropped.
fn database_notes(path: &std::path::Path, config: &crate::config::Config) -> Vec<String> {
    use rusqlite::OptionalExtension;
    let read = || -> Result<Vec<String>, crate::store::StoreError> {
        let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let team: Option<(String, String)> = conn
            .query_row(
                "SELECT id, timezone FROM teams WHERE deleted_at IS NULL ORDER BY created_at, id LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((team, zone)) = team else { return Ok(Vec::new()) };
        let stages = config.stages()?;
        let off = crate::store::deals::off_pipeline(&conn, &team, &stages)?;
        let zone = crate::domain::time::parse_tz(&zone).ok().and_then(|tz| crate::engine::zone_note(tz, config));
        Ok([zone, crate::store::deals::off_pipeline_note(&off)].into_iter().flatten().collect())
    };
    read().unwrap_or_else(|e| vec![format!("{} could not be read to compare with the config: {e}", path.display())])
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many leads to generate.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=5_000_000))]
    leads: u64,
    /// Random seed: the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Add demo leads to a database that already has leads (otherwise refused: they would be mixed in).
    #[arg(long)]
    add: bool,
    #[arg(long)]
    json: bool,
}

pub fn demo(env: &mut Env, a: DemoArgs) -> CliResult {
    let leads = a.leads as usize;
    crate::demo::check_count(leads)?;
    // A real database named by LEADLINE_DB is one forgotten variable away: made-up people are not mixed
    // into its leads unasked.
    let there: i64 = env
        .store
        .conn()
        .query_row("SELECT count(*) FROM leads WHERE deleted_at IS NULL", [], |r| r.get(0))
        .map_err(crate::store::StoreError::from)?;
    if there > 0 && !a.add {
        return Err(crate::store::StoreError::Refused(format!(
            "{} already has {there} {}: demo data would be mixed in; give another --db, or pass --add \
             to add demo leads all the same",
            env.store.path().display(),
            super::output::plural(there as usize, "lead")
        ))
        .into());
    }
    let started = std::time::Instant::now();
    // Ctrl-C ends a long load cleanly: its transaction rolls back and its scratch goes.
    let stop = super::io::stop_on_interrupt()?;
    let summary = crate::engine::demo(&mut env.store, &env.config, leads, a.seed, Some(&stop))?;
    // The follow-ups the automations owe on this history are filed now, as live data would have them,
    // and not by the first timer run of whoever opens the database next.
    let owed = crate::engine::tick(&mut env.store, &env.config)?;
    if a.json {
        let mut out = serde_json::to_value(&summary).unwrap_or_default();
        out["followups_filed"] = owed.actions.len().into();
        return print_json(&out);
    }
    println!(
        "added {} leads, {} accounts, {} outreach, {} meetings, {} deals, {} tasks, {} notes to {} in {:.1}s",
        summary.leads,
        summary.accounts,
        summary.outreach,
        summary.meetings,
        summary.deals,
        summary.tasks,
        summary.notes,
        env.store.path().display(),
        started.elapsed().as_secs_f64()
    );
    if !owed.actions.is_empty() {
        println!("the automations filed {} follow-ups this history owed", owed.actions.len());
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct NoteArgs {
    /// The lead (id, e-mail or name).
    lead: String,
    /// The note text (it may start with "-", e.g. "-10% agreed").
    #[arg(allow_hyphen_values = true)]
    text: String,
}

pub fn note(env: &mut Env, a: NoteArgs) -> CliResult {
    let id = env.store.write(|db| {
        let lead = leads::resolve(db, &a.lead)?;
        notes::add(db, Some(&lead), None, &a.text)
    })?;
    println!("{id}");
    Ok(())
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    query: String,
    #[arg(long, default_value_t = 50, value_parser = super::at_least_one)]
    limit: usize,
    #[arg(long)]
    json: bool,
}

pub fn search(env: &mut Env, a: SearchArgs) -> CliResult {
    env.fresh_scores()?;
    let found = super::cut_to_limit(fts::search(&env.store.db(), &a.query, a.limit.saturating_add(1))?, a.limit);
    if a.json {
        return print_json(&found);
    }
    print_lead_table(&env.store.db(), &found)
}

#[derive(Debug, Args)]
pub struct InboxArgs {
    /// Include handled items.
    #[arg(long)]
    all: bool,
    #[arg(long, default_value_t = 100, value_parser = super::at_least_one)]
    limit: usize,
    #[arg(long)]
    json: bool,
}

pub fn inbox(env: &mut Env, a: InboxArgs) -> CliResult {
    let db = env.store.db();
    let items = super::cut_to_limit(inbox::list(&db, a.all, a.limit.saturating_add(1))?, a.limit);
    if a.json {
        return print_json(&items);
    }
    let mut t = Table::new(&["ID", "WHEN", "STATE", "LEAD", "ASSIGNED", "CHANNEL", "TITLE", "BODY"]);
    let ids = crate::store::short_ids(&db, "inbox_items", &items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>())?;
    for (i, id) in items.iter().zip(ids) {
        let state = if i.handled_at.is_some() {
            "handled"
        } else if i.read_at.is_some() {
            "read"
        } else {
            "unread"
        };
        t.row(vec![
            id,
            ago(i.received_at, db.now),
            state.into(),
            opt(&i.lead_name),
            opt(&i.assignee),
            i.channel.map(|c| c.as_str().to_string()).unwrap_or_else(|| i.kind.clone()),
            i.title.clone(),
            i.body.clone(),
        ]);
    }
    if t.is_empty() {
        println!("inbox zero");
    } else {
        t.print();
    }
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// Print the built-in default configuration.
    PrintDefault,
    /// Print where leadline looks for its files.
    Paths {
        /// Print `{"config", "database", "state"}` (null where there is none).
        #[arg(long)]
        json: bool,
    },
    /// Load the config (defaults, file, environment) and report problems.
    Check {
        /// Print `{"ok": true, "warnings": [...]}` (a config that does not load exits 1 with the reason).
        #[arg(long)]
        json: bool,
    },
}

pub fn config(cli: &Cli, c: ConfigCmd) -> CliResult {
    match c {
        ConfigCmd::PrintDefault => print!("{DEFAULT_CONFIG}"),
        ConfigCmd::Paths { json } => {
            let p = Paths::platform();
            let config = cli.config.clone().or_else(|| p.as_ref().map(|p| p.config_file.clone()));
            let database = cli.db.clone().or_else(|| p.as_ref().map(|p| p.database.clone()));
            let state = p.as_ref().map(|p| p.state_dir.clone());
            if json {
                return print_json(&serde_json::json!({ "config": config, "database": database, "state": state }));
            }
            let show = |x: Option<PathBuf>| x.map(|p| p.display().to_string()).unwrap_or_else(|| "-".into());
            println!("config    {}", show(config));
            println!("database  {}", show(database));
            println!("state     {}", show(state));
        }
        ConfigCmd::Check { json } => {
            let config = super::load_config(cli)?;
            crate::tui::check_config(&config).map_err(|e| super::in_config_file(cli, e))?;
            // The clock every command reads, when a script fixes it.
            super::clock_from_env()?;
            // What the database holds that this config leaves out, when there is a database to ask (read
            // only: a check changes nothing, and a database it cannot read is no reason to fail it).
            let mut warnings = Vec::new();
            if let Ok(path) = super::database_path(cli)
                && path.exists()
            {
                warnings = database_notes(&path, &config);
            }
            if json {
                return print_json(&serde_json::json!({ "ok": true, "warnings": warnings }));
            }
            for note in &warnings {
                eprintln!("warning: {note}");
            }
            println!("config ok");
        }
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    shell: clap_complete::Shell,
}

pub fn completions(a: CompletionsArgs) -> CliResult {
    let mut cmd = Cli::command();
    // Made in memory and written here, so an output that cannot be written is an error, not a panic.
    let mut script = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "leadline", &mut script);
    std::io::Write::write_all(&mut std::io::stdout().lock(), &script)
        .map_err(|e| super::CliError::Io(format!("cannot write the output: {e}")))
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Where to write the copy (must not exist yet).
    path: PathBuf,
}

pub fn backup(env: &mut Env, a: BackupArgs) -> CliResult {
    let stop = super::RemoveOnInterrupt::new()?;
    let scratch = stop.watching(
        || db_backup::scratch_for(&a.path),
        |scratch| {
            let mut journal = scratch.path().as_os_str().to_owned();
            journal.push("-journal");
            vec![scratch.path().to_path_buf(), journal.into()]
        },
    )?;
    db_backup::copy_into(env.store.conn(), scratch, &a.path)?;
    let full = a.path.canonicalize().unwrap_or(a.path.clone());
    // The copy's path is what it wrote, for a script; what it copied is said beside.
    println!("{}", full.display());
    eprintln!("backed up {} to {}", env.store.path().display(), full.display());
    Ok(())
}
