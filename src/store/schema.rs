//! Schema migrations, numbered and append-only: never edit one that has shipped, add the next.

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use super::Result;

const FTS_TRIGGERS: &str = include_str!("migrations/fts_triggers.sql");
const CORE: &str = include_str!("migrations/001_core.sql");
const AUTOMATION: &str = include_str!("migrations/003_automation.sql");
const IO: &str = include_str!("migrations/004_io.sql");
const SCORES: &str = include_str!("migrations/005_scores.sql");
const PHONE_INDEX: &str = include_str!("migrations/006_phone_index.sql");
const PHONE_SEARCH: &str = include_str!("migrations/007_phone_search.sql");
const PROFILE_INDEX: &str = include_str!("migrations/008_profile_index.sql");
const PROFILE_FORMS: &str = include_str!("migrations/009_profile_forms.sql");
const CALENDAR_KEYS: &str = include_str!("migrations/010_calendar_keys.sql");
const NAME_KEY: &str = include_str!("migrations/011_name_key.sql");
const EVENTS_BY_SUBJECT: &str = include_str!("migrations/012_events_by_subject.sql");
const ROWS_OF_A_LEAD: &str = include_str!("migrations/013_rows_of_a_lead.sql");
const FORGOTTEN_UNSEARCHABLE: &str = include_str!("migrations/014_forgotten_unsearchable.sql");
const ACCOUNT_KEYS: &str = include_str!("migrations/015_account_keys.sql");
const LEAD_EMAILS: &str = include_str!("migrations/016_lead_emails.sql");
const SEARCH_OTHER_EMAILS: &str = include_str!("migrations/017_search_other_emails.sql");
const INBOX_OPEN: &str = include_str!("migrations/018_inbox_open.sql");
const MEMBER_ALIASES: &str = include_str!("migrations/019_member_aliases.sql");
const MERGED_ADDRESSES: &str = include_str!("migrations/020_merged_addresses.sql");
const PRIORITY_ORDER: &str = include_str!("migrations/021_priority_order.sql");
const FORGOTTEN_ADDRESSES: &str = include_str!("migrations/022_forgotten_addresses.sql");
const PRIVACY_ALLOW: &str = include_str!("migrations/023_privacy_allow.sql");
const TASKS_BY_OWNER: &str = include_str!("migrations/024_tasks_by_owner.sql");
const MERGED_LEADS: &str = include_str!("migrations/025_merged_leads.sql");
const UNUSED_ACCOUNTS: &str = include_str!("migrations/026_unused_accounts.sql");
const BUMPS_DONE_BY_TOUCH: &str = include_str!("migrations/027_bumps_done_by_touch.sql");
const LEAD_PROFILE: &str = include_str!("migrations/028_lead_profile.sql");
const PRIVACY_INFERRED: &str = include_str!("migrations/029_privacy_inferred.sql");
const ERASE_LOOKUPS: &str = include_str!("migrations/030_erase_lookups.sql");
const IMPORT_PATHS: &str = include_str!("migrations/031_import_paths.sql");
const MEETINGS_BY_EVENT: &str = include_str!("migrations/032_meetings_by_event.sql");
const TASKS_DONE_BY_MEETING: &str = include_str!("migrations/033_tasks_done_by_meeting.sql");
const DEAL_CLOSED_FROM: &str = include_str!("migrations/034_deal_closed_from.sql");
const CALENDAR_VERSIONS: &str = include_str!("migrations/035_calendar_versions.sql");
const EVENTS_WITHDRAWN: &str = include_str!("migrations/036_events_withdrawn.sql");
const DEAL_SOURCE_REF: &str = include_str!("migrations/037_deal_source_ref.sql");
const DEAL_IMPORT_RUN: &str = include_str!("migrations/038_deal_import_run.sql");
const DEALS_BY_SOURCE_REF: &str = include_str!("migrations/039_deals_by_source_ref.sql");
const SEARCH_PLAIN_SPELLINGS: &str = include_str!("migrations/040_search_plain_spellings.sql");
const PLAIN_LETTER_KEYS: &str = include_str!("migrations/041_plain_letter_keys.sql");
const EVENTS_BY_LEAD: &str = include_str!("migrations/042_events_by_lead.sql");
const PROFILES_WRITTEN_OUT: &str = include_str!("migrations/043_profiles_written_out.sql");
const DEALS_SUMMARY: &str = include_str!("migrations/044_deals_summary.sql");
const FORMER_CONTACTS: &str = include_str!("migrations/045_former_contacts.sql");
const EMAIL_KEYS_COMPOSED: &str = include_str!("migrations/046_email_keys_composed.sql");
const TASKS_BY_DUE_AND_ID: &str = include_str!("migrations/047_tasks_by_due_and_id.sql");
const FORMER_CONTACTS_AS_WRITTEN: &str = include_str!("migrations/048_former_contacts_as_written.sql");

/// Every migration in order; the database's `user_version` counts how many have run.
fn all() -> Vec<M<'static>> {
    vec![
        M::up(CORE),
        M::up(FTS_TRIGGERS),
        M::up(AUTOMATION),
        M::up(IO),
        M::up(SCORES),
        M::up(PHONE_INDEX),
        M::up(PHONE_SEARCH),
        M::up(PROFILE_INDEX),
        M::up_with_hook(PROFILE_FORMS, canonical_profiles),
        M::up(CALENDAR_KEYS),
        M::up_with_hook(NAME_KEY, name_keys),
        M::up(EVENTS_BY_SUBJECT),
        M::up(ROWS_OF_A_LEAD),
        M::up(FORGOTTEN_UNSEARCHABLE),
        M::up_with_hook(ACCOUNT_KEYS, account_keys),
        M::up_with_hook(LEAD_EMAILS, emails_from_notes),
        M::up(SEARCH_OTHER_EMAILS),
        M::up(INBOX_OPEN),
        M::up(MEMBER_ALIASES),
        M::up(MERGED_ADDRESSES),
        M::up(PRIORITY_ORDER),
        M::up(FORGOTTEN_ADDRESSES),
        M::up(PRIVACY_ALLOW),
        M::up(TASKS_BY_OWNER),
        M::up(MERGED_LEADS),
        M::up(UNUSED_ACCOUNTS),
        M::up(BUMPS_DONE_BY_TOUCH),
        M::up(LEAD_PROFILE),
        M::up(PRIVACY_INFERRED),
        M::up(ERASE_LOOKUPS),
        M::up(IMPORT_PATHS),
        M::up(MEETINGS_BY_EVENT),
        M::up(TASKS_DONE_BY_MEETING),
        M::up(DEAL_CLOSED_FROM),
        M::up(CALENDAR_VERSIONS),
        M::up(EVENTS_WITHDRAWN),
        M::up(DEAL_SOURCE_REF),
        M::up(DEAL_IMPORT_RUN),
        M::up(DEALS_BY_SOURCE_REF),
        M::up(SEARCH_PLAIN_SPELLINGS),
        M::up_with_hook(PLAIN_LETTER_KEYS, plain_letter_keys),
        M::up(EVENTS_BY_LEAD),
        M::up_with_hook(PROFILES_WRITTEN_OUT, profiles_written_out),
        M::up(DEALS_SUMMARY),
        M::up(FORMER_CONTACTS),
        M::up_with_hook(EMAIL_KEYS_COMPOSED, email_keys_composed),
        M::up(TASKS_BY_DUE_AND_ID),
        M::up_with_hook(FORMER_CONTACTS_AS_WRITTEN, former_contacts_as_written),
    ]
}

pub fn migrations() -> Migrations<'static> {
    Migrations::new(all())
}

/// Rewrites every social touch's profile address in its one form (`domain::lead::canonical_profile`).
fn canonical_profiles(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    in_one_form(tx, "SELECT seq, value FROM outreach WHERE kind = 4", "UPDATE outreach SET value = ?2 WHERE seq = ?1")
}

/// The profiles of leads and social touches kept percent-encoded, in the one form that writes a LinkedIn
/// member's name out (`domain::lead::canonical_profile`).
fn profiles_written_out(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    in_one_form(
        tx,
        "SELECT seq, profile_url FROM leads WHERE instr(profile_url, '%') > 0",
        "UPDATE leads SET profile_url = ?2 WHERE seq = ?1",
    )?;
    in_one_form(
        tx,
        "SELECT seq, value FROM outreach WHERE kind = 4 AND instr(value, '%') > 0",
        "UPDATE outreach SET value = ?2 WHERE seq = ?1",
    )
}

/// Writes the profiles `select` gives (row number, profile) in their one form through `update` (?1 the row
/// number, ?2 the profile), where that changes them.
fn in_one_form(tx: &rusqlite::Transaction, select: &str, update: &str) -> rusqlite_migration::HookResult {
    let mut rows = tx.prepare(select)?;
    let mut write = tx.prepare(update)?;
    let mut found = rows.query([])?;
    while let Some(row) = found.next()? {
        let (seq, value): (i64, String) = (row.get(0)?, row.get(1)?);
        let canonical = crate::domain::lead::canonical_profile(&value);
        if canonical != value {
            write.execute(rusqlite::params![seq, canonical])?;
        }
    }
    Ok(())
}

/// The keys the store writes, as SQL functions for the migrations that write them in bulk:
/// `leadline_name_key(first, last)` (`domain::text::name_key`) and `leadline_fold(text)` (`domain::text::fold`).
fn key_functions(tx: &rusqlite::Transaction) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    tx.create_scalar_function("leadline_name_key", 2, FunctionFlags::SQLITE_DETERMINISTIC, |ctx| {
        Ok(crate::domain::text::name_key(&ctx.get::<String>(0)?, &ctx.get::<String>(1)?))
    })?;
    tx.create_scalar_function("leadline_fold", 1, FunctionFlags::SQLITE_DETERMINISTIC, |ctx| {
        Ok(crate::domain::text::fold(&ctx.get::<String>(0)?))
    })
}

/// Writes every lead's folded name key (`domain::text::name_key`) in one pass, then indexes it. A
/// forgotten lead has none (its name is erased, the key would only say "forgotten").
fn name_keys(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    key_functions(tx)?;
    tx.execute_batch(
        "UPDATE leads SET name_key = leadline_name_key(first_name, last_name) WHERE forgotten_at IS NULL;
         CREATE INDEX leads_by_name ON leads(name_key, seq) WHERE deleted_at IS NULL;",
    )?;
    Ok(())
}

/// Writes every live company's folded name key (`domain::text::fold`), then indexes it.
fn account_keys(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    key_functions(tx)?;
    tx.execute_batch(
        "UPDATE accounts SET name_key = leadline_fold(name) WHERE deleted_at IS NULL;
         CREATE INDEX accounts_by_key ON accounts(team_id, name_key, created_at) WHERE deleted_at IS NULL;",
    )?;
    Ok(())
}

/// The name keys of leads and companies whose names have a letter of `domain::text::PLAIN_LETTERS`, written
/// again now that `fold` writes those letters plain (only they change).
fn plain_letter_keys(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    key_functions(tx)?;
    let letters: String = crate::domain::text::PLAIN_LETTERS.iter().map(|(l, _)| *l).collect();
    tx.execute(
        "UPDATE leads SET name_key = leadline_name_key(first_name, last_name)
         WHERE forgotten_at IS NULL AND (first_name || ' ' || last_name) GLOB ?1",
        [format!("*[{letters}]*")],
    )?;
    tx.execute(
        "UPDATE accounts SET name_key = leadline_fold(name) WHERE deleted_at IS NULL AND name GLOB ?1",
        [format!("*[{letters}]*")],
    )?;
    Ok(())
}

/// Makes `former_contacts` again as migration 045 now makes it, where it was made with a `hash` column.
fn former_contacts_as_written(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    let hashed: bool =
        tx.query_row("SELECT count(*) > 0 FROM pragma_table_info('former_contacts') WHERE name = 'hash'", [], |r| {
            r.get(0)
        })?;
    if hashed {
        tx.execute_batch(&format!("DROP TABLE former_contacts; {FORMER_CONTACTS}"))?;
    }
    Ok(())
}

/// Writes again the keys of addresses outside ASCII (`domain::lead::normalize_email` composes accents now).
/// An other e-mail whose key another lead holds in the other spelling keeps its key: one lead each, as before.
fn email_keys_composed(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    use rusqlite::functions::FunctionFlags;
    tx.create_scalar_function("leadline_email_key", 1, FunctionFlags::SQLITE_DETERMINISTIC, |ctx| {
        Ok(crate::domain::lead::normalize_email(&ctx.get::<String>(0)?))
    })?;
    tx.execute(
        "UPDATE leads SET email_key = leadline_email_key(email) WHERE email GLOB '*[^ -~]*' AND email_key IS NOT NULL",
        [],
    )?;
    tx.execute(
        "UPDATE OR IGNORE lead_emails SET email_key = leadline_email_key(email) WHERE email GLOB '*[^ -~]*'",
        [],
    )?;
    Ok(())
}

/// The other e-mails imports wrote into notes ("e-mail: ana@home.es" lines), as the lead's own, where no
/// other live lead has the address. The notes stay as they are.
fn emails_from_notes(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    let mut leads = tx.prepare(
        "SELECT id, team_id, notes, created_at FROM leads
         WHERE notes LIKE '%e-mail: %' AND deleted_at IS NULL AND forgotten_at IS NULL",
    )?;
    let mut add = tx.prepare(
        "INSERT OR IGNORE INTO lead_emails (team_id, email_key, lead_id, email, created_at)
         SELECT ?1, ?2, ?3, ?4, ?5
         WHERE NOT EXISTS (SELECT 1 FROM leads WHERE team_id = ?1 AND email_key = ?2 AND deleted_at IS NULL)",
    )?;
    let mut rows = leads.query([])?;
    while let Some(r) = rows.next()? {
        let (id, team, notes, created): (String, String, String, i64) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        for line in notes.lines() {
            let Some(email) = line.strip_prefix("e-mail: ") else { continue };
            if let Ok(email) = crate::domain::lead::validate_email("email", email) {
                let key = crate::domain::lead::normalize_email(&email);
                add.execute(rusqlite::params![team, key, id, email, created])?;
            }
        }
    }
    Ok(())
}

/// Number of migrations this build knows; a database at a higher version was written by a newer leadline.
pub fn latest_version() -> usize {
    all().len()
}

/// The schema version a database is at (how many migrations have run).
pub fn version(conn: &Connection) -> Result<usize> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))? as usize)
}

pub fn migrate(conn: &mut Connection) -> Result<()> {
    let current = version(conn)?;
    if current > latest_version() {
        return Err(super::StoreError::Migration(format!(
            "the database is at schema version {current}, newer than this leadline ({}); upgrade leadline",
            latest_version()
        )));
    }
    migrations().to_latest(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
    }

    #[test]
    fn profiles_logged_before_they_had_one_form_are_rewritten_in_it() {
        let mut conn = Connection::open_in_memory().unwrap();
        let mut before = all();
        before.truncate(8);
        Migrations::new(before).to_latest(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO teams VALUES ('t', 'T', 'UTC', 0, 0, NULL);
             INSERT INTO leads (id, team_id, first_name, created_at, updated_at) VALUES ('l', 't', 'Ana', 0, 0);
             INSERT INTO outreach (id, team_id, lead_id, kind, value, occurred_at, direction, created_at, updated_at)
             VALUES ('a', 't', 'l', 4, 'http://es.linkedin.com/in/Ana-Lopez/?trk=x', 0, 'outbound', 0, 0),
                    ('b', 't', 'l', 4, 'https://x.com/ana', 0, 'outbound', 0, 0),
                    ('c', 't', 'l', 2, 'http://es.linkedin.com/in/Ana-Lopez/', 0, 'outbound', 0, 0);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let values: Vec<String> = conn
            .prepare("SELECT value FROM outreach ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        // Only social touches hold profiles; an e-mail touch's value is left alone whatever it reads.
        assert_eq!(
            values,
            ["https://www.linkedin.com/in/ana-lopez", "https://x.com/ana", "http://es.linkedin.com/in/Ana-Lopez/"]
        );
    }

    #[test]
    fn name_keys_written_before_they_were_folded_are_folded_and_indexed() {
        let mut conn = Connection::open_in_memory().unwrap();
        let mut before = all();
        before.truncate(10);
        Migrations::new(before).to_latest(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO teams VALUES ('t', 'T', 'UTC', 0, 0, NULL);
             INSERT INTO leads (id, team_id, first_name, last_name, created_at, updated_at)
             VALUES ('a', 't', 'Zoe', 'Adams', 0, 0), ('b', 't', 'Álvaro', 'Núñez', 0, 0),
                    ('c', 't', 'Forgotten', '', 0, 0);
             UPDATE leads SET forgotten_at = 1 WHERE id = 'c';",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let by_name: Vec<String> = conn
            .prepare("SELECT ifnull(name_key, '-') FROM leads WHERE deleted_at IS NULL ORDER BY name_key, seq")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(by_name, ["-", "alvaro nunez", "zoe adams"]);
        let plan: String = conn
            .query_row(
                "EXPLAIN QUERY PLAN SELECT seq FROM leads WHERE deleted_at IS NULL ORDER BY name_key, seq",
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(plan.contains("leads_by_name"), "{plan}");
    }

    #[test]
    fn open_rule_tasks_go_to_whoever_owns_the_lead_or_the_deal() {
        let mut conn = Connection::open_in_memory().unwrap();
        let mut before = all();
        before.truncate(23);
        Migrations::new(before).to_latest(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO teams VALUES ('t', 'T', 'UTC', 0, 0, NULL);
             INSERT INTO users (id, team_id, name, email, role, created_at, updated_at, deleted_at)
             VALUES ('runner', 't', 'Runner', 'r@x', 'admin', 0, 0, NULL), ('marta', 't', 'Marta', 'm@x', 'rep', 0, 0, NULL),
                    ('tom', 't', 'Tom', 't@x', 'rep', 0, 0, NULL), ('gone', 't', 'Gone', 'g@x', 'rep', 0, 0, 5);
             INSERT INTO leads (id, team_id, first_name, owner_id, created_at, updated_at)
             VALUES ('a', 't', 'Ana', 'marta', 0, 0), ('b', 't', 'Bo', 'gone', 0, 0);
             INSERT INTO deals (id, team_id, lead_id, owner_id, title, currency, stage, position, stage_entered_at,
                                created_at, updated_at)
             VALUES ('d', 't', 'a', 'tom', 'Pilot', 'EUR', 'Won', 0, 0, 0, 0);
             INSERT INTO tasks (id, team_id, owner_id, lead_id, deal_id, title, due_at, origin, dedupe_key, done_at,
                                created_at, updated_at)
             VALUES ('bump', 't', 'runner', 'a', NULL, 'Bump', 0, 'bump-after-48h', 'k1', NULL, 0, 0),
                    ('handoff', 't', 'runner', 'a', 'd', 'Kickoff', 0, 'handoff', 'k2', NULL, 0, 0),
                    ('left', 't', 'runner', 'b', NULL, 'Bump', 0, 'bump-after-48h', 'k3', NULL, 0, 0),
                    ('done', 't', 'runner', 'a', NULL, 'Bump', 0, 'bump-after-48h', 'k4', 1, 0, 0),
                    ('mine', 't', 'runner', 'a', NULL, 'Call', 0, 'manual', NULL, NULL, 0, 0);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let owners: Vec<(String, String)> = conn
            .prepare("SELECT id, owner_id FROM tasks ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let owner = |task: &str| owners.iter().find(|(id, _)| id == task).unwrap().1.clone();
        assert_eq!(owner("bump"), "marta");
        assert_eq!(owner("handoff"), "tom", "the deal's owner");
        // A lead whose owner left, a done task and a rep's own task stay as they were.
        assert_eq!((owner("left"), owner("done"), owner("mine")), ("runner".into(), "runner".into(), "runner".into()));
    }

    #[test]
    fn companies_written_before_keys_are_keyed_and_found() {
        let mut conn = Connection::open_in_memory().unwrap();
        let mut before = all();
        before.truncate(14);
        Migrations::new(before).to_latest(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO teams VALUES ('t', 'T', 'UTC', 0, 0, NULL);
             INSERT INTO accounts (id, team_id, name, created_at, updated_at) VALUES ('a', 't', 'Óptica Ruiz', 0, 0);
             INSERT INTO leads (id, team_id, first_name, last_name, account_id, created_at, updated_at)
                 VALUES ('l', 't', 'Ana', '', 'a', 0, 0);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let key: String = conn.query_row("SELECT name_key FROM accounts", [], |r| r.get(0)).unwrap();
        assert_eq!(key, "optica ruiz");
    }
}
