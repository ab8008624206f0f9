//! `leadline score [LEAD] [--explain] [--json]` and `leadline score --recompute`.

use clap::Args;
use serde::Serialize;

use super::output::{Table, print_json};
use super::{CliResult, Env};
use crate::domain::LeadId;
use crate::scoring::{Evaluation, FactsSql, Scorer, load_facts, recompute};
use crate::store::leads::{LeadQuery, LeadSort};
use crate::store::{Db, StoreError, leads};

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// The lead (id, e-mail or name); without it, the ranking.
    lead: Option<String>,
    /// Show every rule's contribution, also the rules that gave nothing.
    #[arg(long)]
    explain: bool,
    /// Rescore every lead (after changing the rules).
    #[arg(long, conflicts_with = "lead")]
    recompute: bool,
    /// How many leads the ranking shows.
    #[arg(long, default_value_t = 20, value_parser = super::at_least_one)]
    limit: usize,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct Scored {
    id: String,
    name: String,
    lifecycle: String,
    #[serde(flatten)]
    evaluation: Evaluation,
}

fn evaluate(db: &Db<'_>, scorer: &Scorer, sql: &FactsSql, id: &LeadId) -> CliResult<Scored> {
    let lead = leads::get(db, id)?;
    let facts =
        load_facts(db, sql, id)?.ok_or_else(|| StoreError::NotFound { what: "lead", reference: id.to_string() })?;
    Ok(Scored {
        id: lead.id.0.clone(),
        name: lead.name(),
        lifecycle: lead.lifecycle.clone(),
        evaluation: scorer.explain(&facts, db.now),
    })
}

pub fn run(env: &mut Env, a: ScoreArgs) -> CliResult {
    let (scorer, _) = crate::engine::rules(&env.config)?;
    if a.recompute {
        let started = std::time::Instant::now();
        let done = env.store.write(|db| recompute(db, &scorer))?;
        if a.json {
            return print_json(&done);
        }
        println!("rescored {} leads ({} changed) in {:.2}s", done.leads, done.changed, started.elapsed().as_secs_f64());
        return Ok(());
    }
    env.fresh_scores()?;
    let db = env.store.db();
    let sql = FactsSql::new(&scorer.stages);
    if let Some(reference) = &a.lead {
        let id = leads::resolve(&db, reference)?;
        let scored = evaluate(&db, &scorer, &sql, &id)?;
        if a.json {
            return print_json(&scored);
        }
        print_one(&scored, a.explain);
        return Ok(());
    }
    // The ranking: highest priority first, in the order the scoring view shows.
    let q = LeadQuery { sort: LeadSort::Priority, limit: a.limit.saturating_add(1), ..Default::default() };
    let ids: Vec<String> = leads::list(&db, &q)?.into_iter().map(|l| l.id.0).collect();
    let ids = super::cut_to_limit(ids, a.limit);
    let mut ranking = Vec::new();
    for id in ids {
        ranking.push(evaluate(&db, &scorer, &sql, &LeadId(id))?);
    }
    if a.json {
        return print_json(&ranking);
    }
    if ranking.is_empty() {
        println!("no leads yet");
        return Ok(());
    }
    if a.explain {
        for (i, s) in ranking.iter().enumerate() {
            if i > 0 {
                println!();
            }
            print_one(s, true);
        }
        return Ok(());
    }
    let mut t = Table::new(&["ID", "NAME", "LIFECYCLE", "SCORE", "HEALTH", "PRIORITY", "WHY"]);
    let ids = crate::store::short_ids(&db, "leads", &ranking.iter().map(|s| s.id.as_str()).collect::<Vec<_>>())?;
    for (s, id) in ranking.iter().zip(ids) {
        let e = &s.evaluation;
        let why: Vec<String> =
            e.rules.iter().filter(|c| c.applies).map(|c| format!("{:+} {}", c.points, c.rule)).collect();
        t.row(vec![
            id,
            s.name.clone(),
            s.lifecycle.clone(),
            e.score.to_string(),
            e.health.map(|h| h.to_string()).unwrap_or_default(),
            e.priority.to_string(),
            why.join(", "),
        ]);
    }
    t.print();
    Ok(())
}

fn print_one(s: &Scored, all: bool) {
    let e = &s.evaluation;
    let health = e.health.map(|h| format!(", health {h}")).unwrap_or_default();
    println!("{} ({}): score {}{health}, priority {}", super::output::safe(&s.name), s.lifecycle, e.score, e.priority);
    let section = |title: &str, list: &[crate::scoring::Contribution]| {
        let mut t = Table::new(&["POINTS", title, "BECAUSE"]).last_whole();
        for c in list.iter().filter(|c| all || c.applies) {
            t.row(vec![format!("{:+}", c.points), c.rule.clone(), c.detail.clone()]);
        }
        if !t.is_empty() {
            print!("{}", indent(&t.render()));
        }
    };
    section("SCORE RULE", &e.rules);
    if e.health.is_some() {
        section("HEALTH RULE", &e.health_rules);
    }
    if !all && !e.rules.iter().any(|c| c.applies) {
        println!("  no rule applies (--explain lists them all)");
    }
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("  {l}\n")).collect()
}
