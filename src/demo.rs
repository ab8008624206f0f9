//! Realistic demo data: accounts, leads, outreach of all five kinds, meetings, deals in every stage,
//! tasks and notes. Deterministic for a given seed and clock, and fast enough for a million leads
//! (one transaction, prepared statements, the FTS index filled in one pass at the end).

use rusqlite::{Connection, Statement, params};

use crate::domain::time::{DAY_MS, HOUR_MS};
use crate::domain::{DealStatus, OutreachKind, Role, Stages, Timestamp};
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
            let accounts = insert_accounts(conn, &mut st, &mut g, &words, team, count, now)?;
            summary.accounts = accounts.len();
            let mut maker = LeadMaker {
                g,
                words: &words,
                accounts: &accounts,
                owners: owners.len(),
                stages: &ctx.stages,
                positions: vec![0; ctx.stages.names().len()],
                deals: 0,
                scorer,
                now,
                first_seq,
                step: (YEAR_MS / count as i64).max(1),
            };
            let writer = Writer {
                team,
                accounts: &accounts,
                owners: &owners,
                stages: ctx.stages.names(),
                currency: &ctx.currency,
            };
            // Two cores: one thread makes the rows (names, ids, histories, scores), this one writes them.
            std::thread::scope(|scope| -> Result<()> {
                let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<LeadRows>>(8);
                scope.spawn(move || {
                    for start in (0..count).step_by(BATCH) {
                        let batch: Vec<LeadRows> = (start..count.min(start + BATCH)).map(|i| maker.make(i)).collect();
                        if tx.send(batch).is_err() {
                            return; // the writer stopped on an error
                        }
                    }
                });
                for batch in rx {
                    for rows in &batch {
                        writer.write(conn, &mut st, rows, &mut summary)?;
                    }
                }
                Ok(())
            })?;
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

/// Leads handed from the making thread to the writing one at a time.
const BATCH: usize = 256;
const YEAR_MS: i64 = 365 * DAY_MS;

/// A demo account: id, web domain, industry.
struct Account {
    id: String,
    domain: String,
    industry: &'static str,
}

/// Accounts: one per five leads, named from the company list with a numeric suffix past its end.
fn insert_accounts(
    conn: &Connection,
    st: &mut Statements<'_>,
    g: &mut Gen,
    words: &Words,
    team: &str,
    count: usize,
    now: i64,
) -> Result<Vec<Account>> {
    let n_accounts = (count / 5).clamp(1, 200_000);
    let mut accounts = Vec::with_capacity(n_accounts);
    let taken: i64 = conn.query_row("SELECT count(*) FROM accounts WHERE team_id = ?1", [team], |r| r.get(0))?;
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
        accounts.push(Account { id, domain, industry });
    }
    Ok(accounts)
}

/// One lead and everything that happened with it, as rows to insert.
struct LeadRows {
    id: String,
    first: &'static str,
    last: &'static str,
    email: String,
    phone: String,
    title: &'static str,
    account: usize,
    source: &'static str,
    product: &'static str,
    size: &'static str,
    tags: Vec<&'static str>,
    owner: usize,
    lifecycle: &'static str,
    last_contact: Option<i64>,
    created: i64,
    outreach: Vec<OutreachRow>,
    meeting: Option<MeetingRow>,
    deal: Option<DealRow>,
    task: Option<TaskRow>,
    note: Option<NoteRow>,
    scores: (i64, Option<i64>, i64),
}

struct OutreachRow {
    id: String,
    user: usize,
    kind: OutreachKind,
    value: String,
    description: &'static str,
    at: i64,
    inbound: bool,
    variant: Option<&'static str>,
    personalization: Option<i64>,
    reply: &'static str,
    cited: bool,
    /// A recent reply also lands in the inbox: (item id, read at).
    inbox: Option<(String, Option<i64>)>,
}

struct MeetingRow {
    id: String,
    at: i64,
    attended: Option<bool>,
}

struct DealRow {
    id: String,
    title: String,
    use_case: &'static str,
    amount: i64,
    stage: usize,
    position: i64,
    status: DealStatus,
    lost_reason: Option<&'static str>,
    entered: i64,
}

struct TaskRow {
    id: String,
    title: String,
    kind: &'static str,
    channel: Option<i64>,
    due: i64,
    done: Option<i64>,
}

struct NoteRow {
    id: String,
    body: &'static str,
    at: i64,
}

/// Makes the demo leads one after another from the seeded generator (the same seed and clock give the
/// same leads), scoring each from the facts it made.
struct LeadMaker<'a> {
    g: Gen,
    words: &'a Words,
    accounts: &'a [Account],
    owners: usize,
    stages: &'a Stages,
    positions: Vec<i64>,
    deals: usize,
    scorer: Option<&'a Scorer>,
    now: i64,
    first_seq: i64,
    step: i64,
}

impl LeadMaker<'_> {
    fn make(&mut self, i: usize) -> LeadRows {
        let (g, words, now) = (&mut self.g, self.words, self.now);
        // Leads arrive in time order over the last year, as they would in real use: their v7 ids then
        // ascend too, so every id index is appended to rather than written at random places.
        let created = (now - YEAR_MS + i as i64 * self.step + g.rng.i64(0..self.step)).min(now - HOUR_MS);
        let id = g.id(created);
        let first = g.pick(&words.first);
        let last = g.pick(&words.last);
        let account = g.rng.usize(..self.accounts.len());
        let serial = self.first_seq as usize + i + 1;
        let email = format!("{}.{}.{serial}@{}", slug(first), slug(last), self.accounts[account].domain).to_lowercase();
        let phone = format!("+34 6{:02} {:03} {:03}", g.rng.u32(..100), g.rng.u32(..1000), g.rng.u32(..1000));
        let n_tags = g.rng.usize(..4);
        let mut tags: Vec<&'static str> = Vec::new();
        for _ in 0..n_tags {
            let t = g.pick(&words.tags);
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        let owner = g.rng.usize(..self.owners);
        let lifecycle = match g.rng.u32(..100) {
            0..=84 => "lead",
            85..=95 => "customer",
            _ => "churned",
        };
        let n_out = g.rng.usize(..7);
        let mut times: Vec<i64> = (0..n_out).map(|_| g.rng.i64(created..=now)).collect();
        times.sort_unstable();
        let mut last_contact = times.last().copied();
        let title = g.pick(&words.titles);
        let source = g.pick(&SOURCES);
        let product = g.pick(&words.products);
        let size = g.pick(&SIZES);
        let meeting = g.chance(12).then(|| {
            let at = g.rng.i64((now - 30 * DAY_MS)..(now + 14 * DAY_MS));
            let attended = if at > now { None } else { Some(g.chance(75)) };
            (at, attended)
        });
        // An attended meeting counts as contact.
        if let Some((at, Some(true))) = meeting {
            last_contact = Some(last_contact.map_or(at, |l| l.max(at)));
        }

        let mut outreach = Vec::with_capacity(times.len());
        for (k, &at) in times.iter().enumerate() {
            let kind = OutreachKind::ALL[g.rng.usize(..5)];
            let value = match kind {
                OutreachKind::Platform => g.pick(&PLATFORMS).to_string(),
                OutreachKind::Email => email.clone(),
                OutreachKind::Call => phone.clone(),
                OutreachKind::Social => format!("https://linkedin.com/in/{}-{}-{serial}", slug(first), slug(last)),
                OutreachKind::Messenger => format!("{}:{}", g.pick(&MESSENGERS), phone),
            };
            let inbound = k > 0 && g.chance(25);
            let reply = if inbound { ["positive", "negative", "info", "positive"][g.rng.usize(..4)] } else { "none" };
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
            let user = g.rng.usize(..self.owners);
            // Drawn in the order the columns are written, so a seed keeps giving the same data.
            let variant = (!inbound).then(|| g.pick(&VARIANTS));
            let personalization = (!inbound).then(|| g.rng.i64(0..=5));
            let cited = !inbound && g.chance(20);
            let inbox = (inbound && now - at < 21 * DAY_MS).then(|| {
                let read = g.chance(50).then_some(at + HOUR_MS);
                (g.id(created + 10 + k as i64), read)
            });
            outreach.push(OutreachRow {
                id: oid,
                user,
                kind,
                value,
                description,
                at,
                inbound,
                variant,
                personalization,
                reply,
                cited,
                inbox,
            });
        }

        let meeting = meeting.map(|(at, attended)| MeetingRow { id: g.id(at), at, attended });

        let deal = (lifecycle != "churned" && g.chance(if lifecycle == "customer" { 60 } else { 15 })).then(|| {
            // The first deals visit every stage once, so even a small demo shows the whole pipeline.
            let names = self.stages.names();
            let s = if self.deals < names.len() {
                self.deals
            } else if lifecycle == "customer" {
                names.iter().position(|n| *n == self.stages.won_stage).unwrap_or(0)
            } else {
                g.rng.usize(..names.len())
            };
            self.deals += 1;
            self.positions[s] += 1;
            let status = self.stages.status_for(&names[s]);
            let entered = g.rng.i64(created..=now);
            let amount = g.rng.i64(5..400) * 10_000;
            let id = g.id(created);
            let use_case = ["monetization", "roas", "docs"][g.rng.usize(..3)];
            let lost_reason = (status == DealStatus::Lost).then(|| g.pick(&LOST_REASONS));
            DealRow {
                id,
                title: format!("{} — {product}", words.companies[i % words.companies.len()]),
                use_case,
                amount,
                stage: s,
                position: self.positions[s],
                status,
                lost_reason,
                entered,
            }
        });

        let task = g.chance(12).then(|| {
            let due = now + g.rng.i64(-5 * DAY_MS..10 * DAY_MS);
            let (title, kind, channel) = match g.rng.u32(..3) {
                0 => (format!("Follow up with {first}"), "follow_up", None),
                1 => (format!("Bump {first} on LinkedIn"), "bump", Some(OutreachKind::Social.code())),
                _ => (format!("Send {first} the proposal"), "other", None),
            };
            let done = (due < now && g.chance(30)).then_some(due + HOUR_MS);
            TaskRow { id: g.id(created), title, kind, channel, due, done }
        });

        let note = g.chance(8).then(|| {
            let at = g.rng.i64(created..=now);
            let id = g.id(created + 30);
            NoteRow { id, body: g.pick(&words.notes), at }
        });

        let mut rows = LeadRows {
            id,
            first,
            last,
            email,
            phone,
            title,
            account,
            source,
            product,
            size,
            tags,
            owner,
            lifecycle,
            last_contact,
            created,
            outreach,
            meeting,
            deal,
            task,
            note,
            scores: (0, None, 0),
        };
        if let Some(scorer) = self.scorer {
            rows.scores = scorer.evaluate(&self.facts(&rows), Timestamp(now));
        }
        rows
    }

    /// What the scoring rules would read for this lead once it is in the database.
    fn facts(&self, rows: &LeadRows) -> LeadFacts {
        let mut f = LeadFacts {
            source: Some(rows.source.to_string()),
            industry: Some(self.accounts[rows.account].industry.to_string()),
            company_size: Some(rows.size.to_string()),
            title: Some(rows.title.to_string()),
            product_interest: Some(rows.product.to_string()),
            lifecycle: rows.lifecycle.to_string(),
            tags: rows.tags.iter().map(|t| t.to_string()).collect(),
            last_contacted_at: rows.last_contact.map(Timestamp),
            created_at: rows.created,
            ..Default::default()
        };
        for o in &rows.outreach {
            f.outreach[o.kind.code() as usize - 1][usize::from(o.inbound)] += 1;
            f.cited_metric += i64::from(o.cited);
            match o.reply {
                "positive" => f.replies[0] += 1,
                "negative" => f.replies[1] += 1,
                "info" => f.replies[2] += 1,
                _ => {}
            }
        }
        if let Some(m) = &rows.meeting {
            match m.attended {
                Some(true) => f.meetings_attended += 1,
                Some(false) => f.meetings_no_show += 1,
                None => f.meetings_scheduled += 1,
            }
        }
        if let Some(d) = &rows.deal {
            match d.status {
                DealStatus::Open => {
                    f.deals_open += 1;
                    f.open_stage = Some(d.stage);
                }
                DealStatus::Won => f.deals_won += 1,
                DealStatus::Lost => f.deals_lost += 1,
            }
        }
        if let Some(t) = rows.task.as_ref().filter(|t| t.done.is_none()) {
            f.tasks_open += 1;
            f.tasks_overdue += i64::from(t.due < self.now);
        }
        f
    }
}

/// Writes made leads through the prepared statements.
struct Writer<'a> {
    team: &'a str,
    accounts: &'a [Account],
    owners: &'a [String],
    stages: &'a [String],
    currency: &'a str,
}

impl Writer<'_> {
    fn write(&self, conn: &Connection, st: &mut Statements<'_>, r: &LeadRows, summary: &mut DemoSummary) -> Result<()> {
        let (team, account) = (self.team, &self.accounts[r.account]);
        let owner = &self.owners[r.owner];
        st.lead.execute(params![
            r.id,
            team,
            r.first,
            r.last,
            r.email,
            r.phone,
            r.title,
            account.id,
            r.source,
            r.product,
            account.industry,
            r.size,
            r.tags.join(" "),
            owner,
            r.lifecycle,
            r.last_contact,
            r.created
        ])?;
        let seq = conn.last_insert_rowid();
        st.scores.execute(params![seq, r.scores.0, r.scores.1, r.scores.2])?;
        for t in &r.tags {
            st.tag.execute(params![t, r.id])?;
        }
        for o in &r.outreach {
            st.outreach.execute(params![
                o.id,
                team,
                self.owners[o.user],
                r.id,
                o.kind.code(),
                o.value,
                o.description,
                o.at,
                if o.inbound { "inbound" } else { "outbound" },
                o.variant,
                o.personalization,
                o.reply,
                o.cited,
            ])?;
            if let Some((inbox_id, read)) = &o.inbox {
                st.inbox.execute(params![
                    inbox_id,
                    team,
                    r.id,
                    o.kind.code(),
                    o.id,
                    format!("{} {} replied by {}", r.first, r.last, o.kind.as_str()),
                    o.description,
                    o.at,
                    read
                ])?;
            }
        }
        summary.outreach += r.outreach.len();
        if let Some(m) = &r.meeting {
            let reason = (m.attended == Some(false)).then_some("did not join the call");
            st.meeting.execute(params![m.id, team, owner, r.id, "Demo call", m.at, m.attended, reason, r.created])?;
            summary.meetings += 1;
        }
        if let Some(d) = &r.deal {
            let closed = (d.status != DealStatus::Open).then_some(d.entered);
            st.deal.execute(params![
                d.id,
                team,
                r.id,
                account.id,
                owner,
                d.title,
                r.product,
                d.use_case,
                d.amount,
                self.currency,
                self.stages[d.stage],
                d.position,
                d.status.as_str(),
                d.lost_reason,
                closed,
                d.entered,
                r.outreach.first().map(|o| o.id.as_str()),
                r.created
            ])?;
            summary.deals += 1;
        }
        if let Some(t) = &r.task {
            st.task.execute(params![t.id, team, owner, r.id, t.title, t.kind, t.channel, t.due, t.done, r.created])?;
            summary.tasks += 1;
        }
        if let Some(n) = &r.note {
            st.note.execute(params![n.id, team, owner, r.id, n.body, n.at])?;
            summary.notes += 1;
        }
        Ok(())
    }
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
