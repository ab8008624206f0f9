//! Prints the ten highest-scoring leads of a leadline database, through the library API.
//!
//! cargo run --example top_leads -- path/to/leads.db

use leadline::config::Config;
use leadline::domain::{Clock, time::ago};
use leadline::store::Store;
use leadline::store::leads::{self, LeadQuery, LeadSort};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: top_leads DATABASE")?;
    let store = Store::open(path.as_ref(), &Config::load(None, false)?, Clock::System)?;
    let db = store.db();
    for lead in leads::list(&db, &LeadQuery { sort: LeadSort::Score, limit: 10, ..Default::default() })? {
        let contact = lead.last_contacted_at.map(|t| ago(t, db.now)).unwrap_or_else(|| "never".into());
        println!(
            "{:>4}  {:<30} {:<25} last contact {contact}",
            lead.score,
            lead.name(),
            lead.company.unwrap_or_default()
        );
    }
    Ok(())
}
