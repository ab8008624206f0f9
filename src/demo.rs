//! Realistic demo data: accounts, leads, outreach of all five kinds, meetings, deals in every stage,
//! tasks and notes. Deterministic for a given seed and clock, and fast enough for a million leads
//! (one transaction, prepared statements, the FTS index filled in one pass at the end).

use rusqlite::{Connection, Statement, params};

use crate::domain::time::{DAY_MS, HOUR_MS};
use crate::domain::{OutreachKind, Role, Timestamp};
use crate::scoring::Scorer;
use crate::scoring::rules::LeadFacts;
use crate::store::{Result, Store, StoreError, bulk, teams};

const FIRST: &str = include_str!("../assets/demo/first_names.txt");
const LAST: &str = include_str!("../assets/demo/last_names.txt");
const COMPANIES: &str = include_str!("../assets/demo/companies.txt");
const TITLES: &str = include_str!("../assets/demo/titles.txt");
const INDUSTRIES: &str = include_str!("../assets/demo/industries.txt");
const TAGS: &str = include_str!("../assets/demo/tags.txt");
const PRODUCTS: &str = include_str!("../assets/demo/products.txt");
const NOTES: &str = include_str!("../assets/demo/notes.txt");

const SOURCES: [&str; 7] = ["linkedin", "email", "referral", "platform", "web", "import", "linkedin"];
const COMPANY_SUFFIXES: [&str; 12] = [
    "",
    " Group",
    " Labs",
    " & Co",
    " Partners",
    " Digital",
    " Holdings",
    " Studio",
    " Global",
    " Works",
    " Iberia",
    " Nordic",
];
const SIZES: [&str; 5] = ["1-10", "11-50", "51-200", "201-1000", "1000+"];
const PLATFORMS: [&str; 4] = ["Upwork", "Guru", "PeoplePerHour", "Fiverr"];
const MESSENGERS: [&str; 3] = ["whatsapp", "telegram", "signal"];
const VARIANTS: [&str; 3] = ["A", "B", "C"];
const LOST_REASONS: [&str; 4] = ["budget", "chose a competitor", "no decision", "timing"];
const DEMO_USERS: [(&str, &str); 3] =
    [("Marta Ruiz", "marta@demo.leadline"), ("Tom Baker", "tom@demo.leadline"), ("Aiko Mori", "aiko@demo.leadline")];

/// What `generate` wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct DemoSummary {
    pub leads: usize,
    pub accounts: usize,
    pub outreach: usize,
    pub meetings: usize,
    pub deals: usize,
    pub tasks: usize,
    pub notes: usize,
}

struct Words {
    first: Vec<&'static str>,
    last: Vec<&'static str>,
    companies: Vec<&'static str>,
    titles: Vec<&'static str>,
    industries: Vec<&'static str>,
    tags: Vec<&'static str>,
    products: Vec<&'static str>,
    notes: Vec<&'static str>,
}

fn lines(s: &'static str) -> Vec<&'static str> {
    s.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
}

impl Words {
    fn load() -> Self {
        Self {
            first: lines(FIRST),
            last: lines(LAST),
            companies: lines(COMPANIES),
            titles: lines(TITLES),
            industries: lines(INDUSTRIES),
            tags: lines(TAGS),
            products: lines(PRODUCTS),
            notes: lines(NOTES),
        }
    }
}

/// A seeded generator; ids are UUID v7 built from the row's own time and seeded bytes, so the same
/// seed and clock give the same database.
struct Gen {
    rng: fastrand::Rng,
}

impl Gen {
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.rng.usize(..items.len())]
    }
    fn chance(&mut self, percent: u32) -> bool {
        self.rng.u32(..100) < percent
    }
    fn id(&mut self, at: i64) -> String {
        let mut bytes = [0u8; 10];
        self.rng.fill(&mut bytes);
        uuid::Builder::from_unix_timestamp_millis(at.max(0) as u64, &bytes).into_uuid().to_string()
    }
}

fn slug(s: &str) -> String {
    let folded: String = s
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'Á' => 'a',
            'é' | 'É' => 'e',
            'í' | 'Í' => 'i',
            'ó' | 'Ó' => 'o',
            'ú' | 'ü' | 'Ú' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            'č' | 'Č' => 'c',
            'ř' => 'r',
            'š' => 's',
            c => c,
        })
        .collect();
    folded.to_lowercase().chars().filter(char::is_ascii_alphanumeric).collect()
}

struct Statements<'c> {
    account: Statement<'c>,
    lead: Statement<'c>,
    tag: Statement<'c>,
    outreach: Statement<'c>,
    meeting: Statement<'c>,
    deal: Statement<'c>,
    task: Statement<'c>,
    note: Statement<'c>,
    inbox: Statement<'c>,
    scores: Statement<'c>,
}

impl<'c> Statements<'c> {
    fn prepare(conn: &'c Connection) -> rusqlite::Result<Self> {
        Ok(Self {
            account: conn.prepare(
                "INSERT INTO accounts (id, team_id, name, domain, industry, company_size, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            )?,
            lead: conn.prepare(
                "INSERT INTO leads (id, team_id, first_name, last_name, email, email_key, phone, title, account_id,
                 source, product_interest, industry, company_size, tags, owner_id, lifecycle, last_contacted_at,
                 created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17)",
            )?,
            tag: conn.prepare("INSERT OR IGNORE INTO lead_tags (tag, lead_id) VALUES (?1, ?2)")?,
            outreach: conn.prepare(
                "INSERT INTO outreach (id, team_id, user_id, lead_id, kind, value, description, occurred_at, direction,
                 variant, personalization_level, reply_type, cited_metric, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?8, ?8)",
            )?,
            meeting: conn.prepare(
                "INSERT INTO meetings (id, team_id, user_id, lead_id, deal_id, title, scheduled_at, attended,
                 no_show_reason, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6, ?7, ?8, ?9, ?9)",
            )?,
            deal: conn.prepare(
                "INSERT INTO deals (id, team_id, lead_id, account_id, owner_id, title, product, use_case, amount_minor,
                 currency, stage, position, status, lost_reason, closed_at, stage_entered_at, origin_outreach_id,
                 created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?16)",
            )?,
            task: conn.prepare(
                "INSERT INTO tasks (id, team_id, owner_id, lead_id, title, kind, channel, due_at, done_at, origin,
                 created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'manual', ?10, ?10)",
            )?,
            note: conn.prepare(
                "INSERT INTO notes (id, team_id, user_id, lead_id, body, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            )?,
            inbox: conn.prepare(
                "INSERT INTO inbox_items (id, team_id, lead_id, kind, channel, outreach_id, title, body, received_at,
                 read_at, created_at, updated_at) VALUES (?1, ?2, ?3, 'message', ?4, ?5, ?6, ?7, ?8, ?9, ?8, ?8)",
            )?,
            // The score row is the generator's to write: the insert trigger is lifted for the load.
            scores: conn.prepare("INSERT INTO lead_scores (seq, score, health, priority) VALUES (?1, ?2, ?3, ?4)")?,
        })
    }
}

/// Adds `count` demo leads (with their history) to the store's team, unscored (scores 0).
pub fn generate(store: &mut Store, count: usize, seed: u64) -> Result<DemoSummary> {
    generate_scored(store, count, seed, None)
}

/// Adds `count` demo leads, each scored by `scorer` as it is written: the generator holds every fact the
/// rules read (its outreach, meetings, deals, tasks) in memory, so no recompute pass over the database
/// is needed afterwards. A recompute right after finds nothing to change (tested).
pub fn generate_scored(store: &mut Store, count: usize, seed: u64, scorer: Option<&Scorer>) -> Result<DemoSummary> {
    let now = store.now().0;
    let ctx = store.ctx().clone();
    let words = Words::load();
    let mut g = Gen { rng: fastrand::Rng::with_seed(seed) };
    let mut summary = DemoSummary { leads: count, ..Default::default() };

    // Team members to own leads: the current user plus three colleagues (added once).
    let mut owners = vec![ctx.user_id.0.clone()];
    store.write(|db| {
        let existing = teams::list(db)?;
        for (name, email) in DEMO_USERS {
            match existing.iter().find(|u| u.email == email) {
                Some(u) => owners.push(u.id.0.clone()),
                None => owners.push(teams::add_user(db, name, email, Role::Rep)?.0),
            }
        }
        Ok(())
    })?;

    let conn = store.conn();
    // For the load, a rollback journal (pages added past the end of the file are not journaled, so the data is
    // written once instead of twice through the WAL) and a large page cache; both are put back afterwards.
    // If another process holds the database open, the journal mode simply stays WAL.
    let _ = conn.pragma_update(None, "journal_mode", "DELETE");
    conn.pragma_update(None, "cache_size", -512_000)?;
    // Every reference the demo writes points at a row it has just written (or the team's own users): checking
    // each against its parent would be millions of index seeks for nothing. Back on after the load.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    conn.pragma_update(None, "threads", 2)?;
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let t0 = std::time::Instant::now();
    let result = (|| -> Result<()> {
        let first_seq: i64 = conn.query_row("SELECT ifnull(max(seq), 0) FROM leads", [], |r| r.get(0))?;
        let lift = bulk::Lift::begin(conn, bulk::Indexes::Lift(bulk::DEMO_TABLES))?;
        {
            let mut st = Statements::prepare(conn)?;
            let team = ctx.team_id.as_str();
            let stages = ctx.stages.names().to_vec();
            let mut positions = vec![0i64; stages.len()];

            // Accounts: one per five leads, named from the company list with a numeric suffix past its end.
            let n_accounts = (count / 5).clamp(1, 200_000);
            let mut accounts: Vec<(String, String, String)> = Vec::with_capacity(n_accounts);
            let taken: i64 =
                conn.query_row("SELECT count(*) FROM accounts WHERE team_id = ?1", [team], |r| r.get(0))?;
            for i in 0..n_accounts {
                // Stems with suffixes make hundreds of plausible names; only past those does a number tell them apart.
                let stem = words.companies[i % words.companies.len()];
                let round = (i / words.companies.len()) as i64 + taken;
                let suffix = COMPANY_SUFFIXES[round as usize % COMPANY_SUFFIXES.len()];
                let name = match round as usize / COMPANY_SUFFIXES.len() {
                    0 => format!("{stem}{suffix}"),
                    n => format!("{stem}{suffix} {}", n + 1),
                };
                let domain = format!("{}.example", slug(&name));
                let created = now - g.rng.i64(30..730) * DAY_MS;
                let id = g.id(created);
                let industry = g.pick(&words.industries);
                let size = g.pick(&SIZES);
                st.account.execute(params![id, team, name, domain, industry, size, created])?;
                accounts.push((id, domain, industry.to_string()));
            }
            summary.accounts = n_accounts;

            // Leads arrive in time order over the last year, as they would in real use: their v7 ids then
            // ascend too, so every id index is appended to rather than written at random places.
            let span = 365 * DAY_MS;
            let step = (span / count as i64).max(1);
            for i in 0..count {
                let created = (now - span + i as i64 * step + g.rng.i64(0..step)).min(now - HOUR_MS);
                let lead_id = g.id(created);
                let first = g.pick(&words.first);
                let last = g.pick(&words.last);
                let (account_id, domain, industry) = &accounts[g.rng.usize(..accounts.len())];
                let serial = first_seq as usize + i + 1;
                let email = format!("{}.{}.{serial}@{domain}", slug(first), slug(last));
                let phone = format!("+34 6{:02} {:03} {:03}", g.rng.u32(..100), g.rng.u32(..1000), g.rng.u32(..1000));
                let n_tags = g.rng.usize(..4);
                let mut tags: Vec<&str> = Vec::new();
                for _ in 0..n_tags {
                    let t = g.pick(&words.tags);
                    if !tags.contains(&t) {
                        tags.push(t);
                    }
                }
                let owner = &owners[g.rng.usize(..owners.len())];
                let lifecycle = match g.rng.u32(..100) {
                    0..=84 => "lead",
                    85..=95 => "customer",
                    _ => "churned",
                };

                // Outreach first in memory, so the lead row carries its last contact.
                let n_out = g.rng.usize(..7);
                let mut times: Vec<i64> = (0..n_out).map(|_| g.rng.i64(created..=now)).collect();
                times.sort_unstable();
                let mut last_contact = times.last().copied();
                let phone_ref = phone.clone();
                let title = g.pick(&words.titles);
                let source = g.pick(&SOURCES);
                let product = g.pick(&words.products);
                let size = g.pick(&SIZES);
                // Meetings come before the lead insert only as plans; attended ones count as contact.
                let meeting = g.chance(12).then(|| {
                    let at = g.rng.i64((now - 30 * DAY_MS)..(now + 14 * DAY_MS));
                    let attended = if at > now { None } else { Some(g.chance(75)) };
                    (at, attended)
                });
                if let Some((at, Some(true))) = meeting {
                    last_contact = Some(last_contact.map_or(at, |l| l.max(at)));
                }
                st.lead.execute(params![
                    lead_id,
                    team,
                    first,
                    last,
                    email.to_lowercase(),
                    phone,
                    title,
                    account_id,
                    source,
                    product,
                    industry,
                    size,
                    tags.join(" "),
                    owner,
                    lifecycle,
                    last_contact,
                    created
                ])?;
                let seq = conn.last_insert_rowid();
                for t in &tags {
                    st.tag.execute(params![t, lead_id])?;
                }
                let mut facts = scorer.map(|_| LeadFacts {
                    source: Some(source.to_string()),
                    industry: Some(industry.clone()),
                    company_size: Some(size.to_string()),
                    title: Some(title.to_string()),
                    product_interest: Some(product.to_string()),
                    lifecycle: lifecycle.to_string(),
                    tags: tags.iter().map(|t| t.to_string()).collect(),
                    last_contacted_at: last_contact.map(Timestamp),
                    created_at: created,
                    ..Default::default()
                });

                let mut first_outreach: Option<String> = None;
                for (k, at) in times.iter().enumerate() {
                    let kind = OutreachKind::ALL[g.rng.usize(..5)];
                    let value = match kind {
                        OutreachKind::Platform => g.pick(&PLATFORMS).to_string(),
                        OutreachKind::Email => email.to_lowercase(),
                        OutreachKind::Call => phone_ref.clone(),
                        OutreachKind::Social => {
                            format!("https://linkedin.com/in/{}-{}-{serial}", slug(first), slug(last))
                        }
                        OutreachKind::Messenger => format!("{}:{}", g.pick(&MESSENGERS), phone_ref),
                    };
                    let inbound = k > 0 && g.chance(25);
                    let reply =
                        if inbound { ["positive", "negative", "info", "positive"][g.rng.usize(..4)] } else { "none" };
                    let description = if inbound {
                        match reply {
                            "positive" => "Sounds interesting — can we talk next week?",
                            "negative" => "Not a priority for us right now, thanks.",
                            _ => "Could you send more information and pricing?",
                        }
                    } else {
                        [
                            "First touch, short intro.",
                            "Bump with a case study.",
                            "Shared the pricing page.",
                            "Follow-up after the demo.",
                        ][g.rng.usize(..4)]
                    };
                    let oid = g.id(created + k as i64);
                    let user = &owners[g.rng.usize(..owners.len())];
                    // Drawn in the order the columns are written, so a seed keeps giving the same data.
                    let variant = (!inbound).then(|| g.pick(&VARIANTS));
                    let personalization = (!inbound).then(|| g.rng.i64(0..=5));
                    let cited = !inbound && g.chance(20);
                    if let Some(f) = facts.as_mut() {
                        f.outreach[kind.code() as usize - 1][usize::from(inbound)] += 1;
                        f.cited_metric += i64::from(cited);
                        match reply {
                            "positive" => f.replies[0] += 1,
                            "negative" => f.replies[1] += 1,
                            "info" => f.replies[2] += 1,
                            _ => {}
                        }
                    }
                    st.outreach.execute(params![
                        oid,
                        team,
                        user,
                        lead_id,
                        kind.code(),
                        value,
                        description,
                        at,
                        if inbound { "inbound" } else { "outbound" },
                        variant,
                        personalization,
                        reply,
                        cited,
                    ])?;
                    if inbound && now - at < 21 * DAY_MS {
                        let read = g.chance(50).then_some(*at + HOUR_MS);
                        st.inbox.execute(params![
                            g.id(created + 10 + k as i64),
                            team,
                            lead_id,
                            kind.code(),
                            oid,
                            format!("{first} {last} replied by {}", kind.as_str()),
                            description,
                            at,
                            read
                        ])?;
                    }
                    if first_outreach.is_none() {
                        first_outreach = Some(oid);
                    }
                    summary.outreach += 1;
                }

                if let Some((at, attended)) = meeting {
                    if let Some(f) = facts.as_mut() {
                        match attended {
                            Some(true) => f.meetings_attended += 1,
                            Some(false) => f.meetings_no_show += 1,
                            None => f.meetings_scheduled += 1,
                        }
                    }
                    let reason = (attended == Some(false)).then_some("did not join the call");
                    st.meeting.execute(params![
                        g.id(at),
                        team,
                        owner,
                        lead_id,
                        "Demo call",
                        at,
                        attended,
                        reason,
                        created
                    ])?;
                    summary.meetings += 1;
                }

                if lifecycle != "churned" && g.chance(if lifecycle == "customer" { 60 } else { 15 }) {
                    // The first deals visit every stage once, so even a small demo shows the whole pipeline.
                    let s = if summary.deals < stages.len() {
                        summary.deals
                    } else if lifecycle == "customer" {
                        stages.iter().position(|n| *n == ctx.stages.won_stage).unwrap_or(0)
                    } else {
                        g.rng.usize(..stages.len())
                    };
                    let stage = &stages[s];
                    let status = ctx.stages.status_for(stage);
                    positions[s] += 1;
                    let entered = g.rng.i64(created..=now);
                    let amount = g.rng.i64(5..400) * 10_000;
                    if let Some(f) = facts.as_mut() {
                        match status {
                            crate::domain::DealStatus::Open => {
                                f.deals_open += 1;
                                f.open_stage = f.open_stage.max(Some(s));
                            }
                            crate::domain::DealStatus::Won => f.deals_won += 1,
                            crate::domain::DealStatus::Lost => f.deals_lost += 1,
                        }
                    }
                    st.deal.execute(params![
                        g.id(created),
                        team,
                        lead_id,
                        account_id,
                        owner,
                        format!("{} — {product}", words.companies[i % words.companies.len()]),
                        product,
                        ["monetization", "roas", "docs"][g.rng.usize(..3)],
                        amount,
                        ctx.currency,
                        stage,
                        positions[s],
                        status.as_str(),
                        (status == crate::domain::DealStatus::Lost).then(|| g.pick(&LOST_REASONS)),
                        (status != crate::domain::DealStatus::Open).then_some(entered),
                        entered,
                        first_outreach.clone(),
                        created
                    ])?;
                    summary.deals += 1;
                }

                if g.chance(12) {
                    let due = now + g.rng.i64(-5 * DAY_MS..10 * DAY_MS);
                    let (title, kind, channel) = match g.rng.u32(..3) {
                        0 => (format!("Follow up with {first}"), "follow_up", None),
                        1 => (format!("Bump {first} on LinkedIn"), "bump", Some(OutreachKind::Social.code())),
                        _ => (format!("Send {first} the proposal"), "other", None),
                    };
                    let done = (due < now && g.chance(30)).then_some(due + HOUR_MS);
                    if let Some(f) = facts.as_mut().filter(|_| done.is_none()) {
                        f.tasks_open += 1;
                        f.tasks_overdue += i64::from(due < now);
                    }
                    st.task.execute(params![
                        g.id(created),
                        team,
                        owner,
                        lead_id,
                        title,
                        kind,
                        channel,
                        due,
                        done,
                        created
                    ])?;
                    summary.tasks += 1;
                }

                if g.chance(8) {
                    let at = g.rng.i64(created..=now);
                    st.note.execute(params![g.id(created + 30), team, owner, lead_id, g.pick(&words.notes), at])?;
                    summary.notes += 1;
                }

                let (score, health, priority) = match (scorer, facts.as_ref()) {
                    (Some(scorer), Some(f)) => scorer.evaluate(f, Timestamp(now)),
                    _ => (0, None, 0),
                };
                st.scores.execute(params![seq, score, health, priority])?;
            }
        }
        if scorer.is_some() && first_seq == 0 {
            // Every lead of the team was scored just now: the first timer run need not rescore them all.
            crate::scoring::facts::mark_refreshed(conn, ctx.team_id.as_str(), now)?;
        }
        tracing::debug!(elapsed = ?t0.elapsed(), "demo: rows");
        lift.restore(conn)?;
        tracing::debug!(elapsed = ?t0.elapsed(), "demo: indexes");
        Ok(())
    })();
    let outcome = match result {
        Ok(()) => {
            conn.execute_batch("COMMIT")?;
            tracing::debug!(elapsed = ?t0.elapsed(), "demo: commit");
            // Planner statistics from a sample: enough for the planner, seconds cheaper than a full scan.
            conn.execute_batch("PRAGMA analysis_limit = 1000; ANALYZE;")?;
            tracing::debug!(elapsed = ?t0.elapsed(), "demo: analyze");
            Ok(summary)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    };
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "cache_size", -64_000)?;
    outcome
}

/// Refuses absurd sizes before any work starts.
pub fn check_count(count: usize) -> Result<()> {
    if count == 0 || count > 5_000_000 {
        return Err(StoreError::Invalid(crate::domain::ValidationError::new(
            "leads",
            count.to_string(),
            "must be between 1 and 5000000",
        )));
    }
    Ok(())
}
