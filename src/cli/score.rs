//! `leadline score [LEAD] [--explain] [--json]` and `leadline score --recompute`.

use clap::Args;
use serde::Serialize;

use super::output::{PageSource, Table, print_json};
use super::{CliResult, Env};
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
    /// Only the leads who may be contacted (not opted out).
    #[arg(long, conflicts_with_all = ["lead", "opted_out"])]
    contactable: bool,
    /// Only the leads who asked not to be contacted.
    #[arg(long, conflicts_with = "lead")]
    opted_out: bool,
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
    /// They asked not to be contacted: ranked all the same, marked ⊘ in the text.
    do_not_contact: bool,
    #[serde(flatten)]
    evaluation: Evaluation,
}

fn evaluate(db: &Db<'_>, scorer: &Scorer, sql: &FactsSql, lead: &leads::Lead) -> crate::store::Result<Scored> {
    let id = &lead.id;
    let facts =
        load_facts(db, sql, id)?.ok_or_else(|| StoreError::NotFound { what: "lead", reference: id.to_string() })?;
    Ok(Scored {
        id: lead.id.0.clone(),
        name: lead.name(),
        lifecycle: lead.lifecycle.clone(),
        do_not_contact: lead.do_not_contact,
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
        let scored = evaluate(&db, &scorer, &sql, &leads::get(&db, &id)?)?;
        if a.json {
            return print_json(&scored);
        }
        print_one(&scored, a.explain);
        return Ok(());
    }
    // The ranking: highest priority first, in the order the scoring view shows; read, scored and printed a
    // page at a time (a ranking of a million leads holds a page), in one snapshot of the database.
    drop(db);
    let _snapshot = env.store.conn().unchecked_transaction().map_err(StoreError::from)?;
    let db = env.store.db();
    let mut q = LeadQuery { sort: LeadSort::Priority, limit: a.limit.saturating_add(1), ..Default::default() };
    q.filter.contactable = super::lead::contactable_flag(a.contactable, a.opted_out);
    let mut ranking =
        Ranking { pages: super::lead::Pages::start(&db, q, a.limit)?, db: &db, scorer: &scorer, sql: &sql };
    if a.json {
        super::output::print_json_pages(&mut ranking)?;
    } else {
        print_ranking(&db, &mut ranking, a.explain)?;
    }
    if ranking.pages.cut {
        eprintln!("note: the first {} shown; pass --limit N for more", a.limit);
    }
    Ok(())
}

/// The ranking's leads a page at a time, scored.
struct Ranking<'a> {
    pages: super::lead::Pages<'a>,
    db: &'a Db<'a>,
    scorer: &'a Scorer,
    sql: &'a FactsSql,
}

impl PageSource for Ranking<'_> {
    type Item = Scored;

    fn next_page(&mut self) -> crate::store::Result<Option<Vec<Scored>>> {
        let Some(rows) = self.pages.next_page()? else { return Ok(None) };
        Ok(Some(rows.iter().map(|l| evaluate(self.db, self.scorer, self.sql, l)).collect::<Result<_, _>>()?))
    }
}

/// The ranking as text: a table aligned as its first page is, or each lead's rules (`--explain`).
fn print_ranking(db: &Db<'_>, ranking: &mut Ranking<'_>, explain: bool) -> CliResult {
    let short = crate::store::PagedShortIds::default();
    let mut widths: Option<Vec<usize>> = None;
    let mut first = true;
    while let Some(page) = ranking.next_page()? {
        if explain {
            for s in &page {
                if !first {
                    println!();
                }
                first = false;
                print_one(s, true);
            }
            continue;
        }
        first = false;
        let mut t = Table::new(&["ID", "NAME", "LIFECYCLE", "SCORE", "HEALTH", "PRIORITY", "WHY"]);
        let ids = short.of(db, "leads", &page.iter().map(|s| s.id.as_str()).collect::<Vec<_>>())?;
        for (s, id) in page.iter().zip(ids) {
            let e = &s.evaluation;
            let why: Vec<String> =
                e.rules.iter().filter(|c| c.applies).map(|c| format!("{:+} {}", c.points, c.rule)).collect();
            t.row(vec![
                id,
                super::lead::marked_name(&s.name, s.do_not_contact),
                s.lifecycle.clone(),
                e.score.to_string(),
                e.health.map(|h| h.to_string()).unwrap_or_default(),
                e.priority.to_string(),
                why.join(", "),
            ]);
        }
        let header = widths.is_none();
        let w = widths.get_or_insert_with(|| t.widths());
        print!("{}", t.render_with(w, header));
    }
    if first {
        println!("no leads yet");
    }
    Ok(())
}

fn print_one(s: &Scored, all: bool) {
    let e = &s.evaluation;
    let health = e.health.map(|h| format!(", health {h}")).unwrap_or_default();
    let name = super::lead::marked_name(&super::output::safe(&s.name), s.do_not_contact);
    println!("{name} ({}): score {}{health}, priority {}", s.lifecycle, e.score, e.priority);
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
