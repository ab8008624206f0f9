//! The least an import of a CSV can cost in leadline's schema: the bench's file written into a new
//! database with the import's own bulk path (journal, cache, indexes built after the load, search index
//! and tag rows built beside it on a helper thread), but none of its work per row: no validation, no
//! normalising beyond lower case, no duplicate matching, no resume position, no report. What an import
//! takes beyond this figure is its own work; this figure against the `sqlite3` shell's `.import` is what
//! the schema costs (its ids, indexes and search index).
//!
//! cargo run --release --example import_floor -- NEW.db leads.csv   (the file `scripts/bench-import.sh` makes)

use std::collections::HashMap;
use std::time::Instant;

use leadline::config::Config;
use leadline::domain::Clock;
use leadline::domain::ids::{AccountId, LeadId};
use leadline::store::Store;
use leadline::store::bulk::{self, IndexBuild, IndexedLead};
use rusqlite::params;

/// The columns of the bench's file, in its order.
const HEADER: [&str; 8] = ["First Name", "Last Name", "Email", "Phone", "Company", "Job Title", "Industry", "Tags"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(db), Some(csv)) = (args.next(), args.next()) else {
        return Err("usage: import_floor NEW.db leads.csv".into());
    };
    if std::path::Path::new(&db).exists() {
        return Err(format!("{db} exists: the floor is measured into a new database").into());
    }
    let started = Instant::now();
    let store = Store::open(db.as_ref(), &Config::load(None, false)?, Clock::System)?;
    let (team, owner) = {
        let ctx = &store.db().ctx;
        (ctx.team_id.to_string(), ctx.user_id.to_string())
    };
    let now = store.now().0;
    let conn = store.conn();
    // The import's bulk settings for a CSV (see `bulk_settings` in the import).
    conn.pragma_update(None, "journal_mode", "DELETE")?;
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    conn.pragma_update(None, "temp_store", "FILE")?;
    conn.pragma_update(None, "cache_size", -24_000)?;
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let lift = bulk::Lift::begin(conn, bulk::Indexes::Lift(&["leads", "lead_tags", "accounts"]))?;
    let mut indexes = IndexBuild::start(conn)?;
    let mut reader = csv::Reader::from_path(&csv)?;
    if reader.headers()?.iter().ne(HEADER) {
        return Err(format!("{csv}: not the bench's file (its header is not {HEADER:?})").into());
    }
    let mut insert_account = conn.prepare(
        "INSERT INTO accounts (id, team_id, name, name_key, industry, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?;
    let mut insert_lead = conn.prepare(
        "INSERT INTO leads (id, team_id, first_name, last_name, email, email_key, phone, title, account_id,
                            source, industry, tags, owner_id, created_at, updated_at, name_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'import', ?10, ?11, ?12, ?13, ?13, ?14)",
    )?;
    let mut accounts: HashMap<String, String> = HashMap::new();
    let mut rows = 0u64;
    for record in reader.records() {
        let r = record?;
        let [first, last, email, phone, company, title, industry, tags] = std::array::from_fn(|i| &r[i]);
        let account = match accounts.get(company) {
            Some(id) => id.clone(),
            None => {
                let id = AccountId::generate().0;
                insert_account.execute(params![id, team, company, company.to_lowercase(), industry, now])?;
                accounts.insert(company.to_string(), id.clone());
                id
            }
        };
        let id = LeadId::generate().0;
        let tags = tags.replace(',', " ");
        let name_key = format!("{first} {last}").to_lowercase();
        insert_lead.execute(params![
            id,
            team,
            first,
            last,
            email,
            email.to_lowercase(),
            phone,
            title,
            account,
            industry,
            tags,
            owner,
            now,
            name_key
        ])?;
        if let Some(build) = indexes.as_mut() {
            let lead = IndexedLead {
                id: &id,
                first_name: first,
                last_name: last,
                email: Some(email),
                phone: Some(phone),
                company: Some(company),
                title: Some(title),
                tags: &tags,
            };
            build.push(conn.last_insert_rowid(), &lead);
        }
        rows += 1;
    }
    let written = started.elapsed();
    drop((insert_account, insert_lead));
    lift.restore_with(conn, indexes)?;
    conn.execute_batch("COMMIT")?;
    IndexBuild::detach(conn);
    println!(
        "{rows} rows: written in {:.2} s, indexes and search index in {:.2} s more, {:.2} s in all",
        written.as_secs_f64(),
        (started.elapsed() - written).as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
