//! `leadline deal ...`: add, move, won, lost, list.

use clap::{Args, Subcommand};

use super::output::{Limited, Table, opt, print_json, print_json_pages, print_table_pages};
use super::{CliResult, Env};
use crate::domain::{DealStatus, Money, OutreachId};
use crate::store::deals::{self, DealFilter, NewDeal};
use crate::store::{StoreError, leads, resolve_id};

#[derive(Debug, Subcommand)]
pub enum DealCmd {
    /// Open a deal for a lead.
    Add(AddArgs),
    /// Move a deal to another stage.
    Move { deal: String, stage: String },
    /// Mark a deal won.
    Won { deal: String },
    /// Mark a deal lost.
    Lost {
        deal: String,
        #[arg(long, allow_hyphen_values = true)]
        reason: Option<String>,
    },
    /// Record that the lead accepted a pilot (the pilot rules move the deal forward).
    Pilot { deal: String },
    /// Create the deal's handoff checklist tasks (if missing) and show where they stand.
    Handoff {
        deal: String,
        #[arg(long)]
        json: bool,
    },
    /// List deals in pipeline order.
    List {
        #[arg(long)]
        stage: Option<String>,
        /// Only deals in this state.
        #[arg(long, value_parser = super::Choices(&DealStatus::NAMES))]
        status: Option<String>,
        #[arg(long, default_value_t = 200, value_parser = super::at_least_one)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    lead: String,
    #[arg(long, allow_hyphen_values = true)]
    title: String,
    /// Amount, e.g. 1200.50 (decimal comma and thousands separators are understood).
    #[arg(long, allow_hyphen_values = true)]
    amount: Option<String>,
    /// ISO currency code (default: pipeline.currency).
    #[arg(long)]
    currency: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    product: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    use_case: Option<String>,
    /// Starting stage, where it stays (default: where the rules put it: the first stage, or further on when
    /// the lead has already answered and met).
    #[arg(long)]
    stage: Option<String>,
    /// The outreach (id) that produced this deal: records the lead's source.
    #[arg(long, value_name = "OUTREACH")]
    from_outreach: Option<String>,
    #[arg(skip)]
    currency_given: bool,
}

pub fn run(env: &mut Env, cmd: DealCmd) -> CliResult {
    match cmd {
        DealCmd::Add(a) => {
            let currency_given = a.currency.is_some();
            let currency = a.currency.clone().unwrap_or_else(|| env.store.ctx().currency.clone());
            let a = AddArgs { currency_given, ..a };
            // A currency given without an amount is still checked, and kept for the deal.
            let amount = match (&a.amount, a.currency_given) {
                (None, false) => None,
                (amount, _) => {
                    let typed = amount.as_deref().unwrap_or("0");
                    // A flag's value that is not an amount or a currency is a usage error, named by its flag.
                    let (money, either_way) = Money::parse_read(typed, &currency).map_err(|e| {
                        let flag = if e.field == "currency" { "--currency" } else { "--amount" };
                        super::CliError::Usage(crate::domain::ValidationError { field: flag.into(), ..e }.to_string())
                    })?;
                    if money.minor < 0 {
                        return Err(super::CliError::Usage(format!(
                            "--amount: must not be negative ('{typed}'): a refund or a discount is not a deal"
                        )));
                    }
                    if either_way {
                        eprintln!("note: {}", money.reading(typed));
                    }
                    Some(money)
                }
            };
            let id = env.store.write(|db| {
                let lead = leads::resolve(db, &a.lead)?;
                let origin = a
                    .from_outreach
                    .as_deref()
                    .map(|o| resolve_id(db, "outreach", "outreach", o).map(OutreachId))
                    .transpose()?;
                deals::create(
                    db,
                    NewDeal {
                        lead,
                        title: a.title,
                        amount,
                        product: a.product,
                        use_case: a.use_case,
                        stage: a.stage.clone(),
                        origin_outreach: origin,
                    },
                )
            })?;
            // Placed by the rules past the first stage: said, since nobody asked for it.
            let made = deals::get(&env.store.db(), &id)?;
            if a.stage.is_none() && env.store.ctx().stages.open_stages().next() != Some(&made.stage) {
                eprintln!("note: the deal starts at {} (the rules put it there; --stage chooses)", made.stage);
            }
            println!("{id}");
        }
        DealCmd::Move { deal, stage } => {
            let (id, was, now) = env.store.write(|db| {
                let id = deals::resolve(db, &deal)?;
                let was = deals::get(db, &id)?.status;
                deals::move_to(db, &id, &stage, None).map(|d| (d.id, was, d.status))
            })?;
            closing_note(was, now);
            println!("{id}");
        }
        DealCmd::Won { deal } => {
            let (id, was) = env.store.write(|db| {
                let id = deals::resolve(db, &deal)?;
                let was = deals::get(db, &id)?.status;
                deals::win(db, &id).map(|d| (d.id, was))
            })?;
            closing_note(was, DealStatus::Won);
            println!("{id}");
        }
        DealCmd::Lost { deal, reason } => {
            let (id, was) = env.store.write(|db| {
                let id = deals::resolve(db, &deal)?;
                let was = deals::get(db, &id)?.status;
                deals::lose(db, &id, reason).map(|d| (d.id, was))
            })?;
            closing_note(was, DealStatus::Lost);
            println!("{id}");
        }
        DealCmd::Pilot { deal } => {
            let (_, autos) = crate::engine::rules(&env.config)?;
            let (id, before, after) = env.store.write(|db| {
                let id = deals::resolve(db, &deal)?;
                let before = deals::get(db, &id)?;
                crate::automation::clients::accept_pilot(db, &autos, &id)?;
                Ok((id.clone(), before, deals::get(db, &id)?))
            })?;
            // The rules move an open deal forward only: say why this one stayed where it was.
            if before.stage == after.stage {
                eprintln!(
                    "note: the deal stays at {}: the pilot rules move open deals forward, never back",
                    before.stage
                );
            }
            println!("{id}");
        }
        DealCmd::Handoff { deal, json } => {
            let (_, autos) = crate::engine::rules(&env.config)?;
            let items = env.store.write(|db| {
                let d = deals::get(db, &deals::resolve(db, &deal)?)?;
                if d.status == DealStatus::Lost {
                    return Err(StoreError::Refused(format!(
                        "deal '{}' was lost: there is nothing to hand over (`leadline deal move` reopens it)",
                        d.title
                    )));
                }
                crate::automation::clients::prepare_handoff(db, &autos, &d)?;
                crate::automation::clients::handoff_status(db, &autos, &d.id)
            })?;
            if json {
                return print_json(&items);
            }
            let mut t = Table::new(&["ITEM", "DONE", "TASK"]);
            for i in &items {
                t.row(vec![i.item.clone(), if i.done { "yes" } else { "no" }.into(), opt(&i.task_id)]);
            }
            if t.is_empty() {
                println!("no handoff checklist configured");
            } else {
                t.print();
            }
        }
        DealCmd::List { stage, status, limit, json } => {
            let filter = DealFilter {
                stage,
                status: status.as_deref().map(|s| super::flag::<DealStatus>(s, "--status")).transpose()?,
                lead: None,
            };
            // Read and printed a page at a time (every deal of a large team holds a page), in one snapshot: a
            // deal moved meanwhile is listed once.
            let _snapshot = env.store.conn().unchecked_transaction().map_err(StoreError::from)?;
            let db = env.store.db();
            let mut source = deals::DealPages::new(&db, &filter)?;
            let mut pages = Limited::new(limit, |n| source.next(&db, n));
            if json {
                print_json_pages(&mut pages)?;
            } else {
                let ids = crate::store::PagedShortIds::default();
                print_table_pages(&mut pages, "no deals match", |rows| Ok(deal_table(&db, rows, &ids)?))?;
            }
            if pages.cut {
                eprintln!("note: the first {limit} shown; pass --limit N for more");
            }
        }
    }
    Ok(())
}

fn deal_table(
    db: &crate::store::Db<'_>,
    deals: &[deals::Deal],
    short: &crate::store::PagedShortIds,
) -> crate::store::Result<Table> {
    let mut t = Table::new(&["ID", "TITLE", "LEAD", "COMPANY", "AMOUNT", "STAGE", "STATUS", "IN STAGE"]);
    let ids = short.of(db, "deals", &deals.iter().map(|d| d.id.as_str()).collect::<Vec<_>>())?;
    for (d, id) in deals.iter().zip(ids) {
        t.row(vec![
            id,
            d.title.clone(),
            d.lead_name.clone(),
            opt(&d.company),
            d.money().to_string(),
            d.stage.clone(),
            d.status.as_str().into(),
            format!("{}d", (db.now.0 - d.stage_entered_at.0).max(0) / crate::domain::time::DAY_MS),
        ]);
    }
    Ok(t)
}

/// Closing a deal that was already closed is said on stderr (the command still succeeds: scripts repeat it).
/// A closed deal moved or closed again is said, and what taking back a win undid: a script or a rep
/// who meant another deal hears of it.
fn closing_note(was: DealStatus, now: DealStatus) {
    let undone = match (was, now) {
        (DealStatus::Won, DealStatus::Open | DealStatus::Lost) => {
            ", and what winning it did is taken back: its open handoff tasks, and the lead's customer status \
             and client profile unless another deal they won keeps them"
        }
        _ => "",
    };
    match was {
        DealStatus::Open => {}
        same if same == now => eprintln!("note: the deal was already {}", now.as_str()),
        other => eprintln!("note: the deal was {}; it is {} now{undone}", other.as_str(), now.as_str()),
    }
}
