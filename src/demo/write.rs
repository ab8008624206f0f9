//! Writing demo rows through prepared statements, inside the load's one transaction.

use rusqlite::{Connection, Statement, params};

use crate::domain::DealStatus;
use crate::domain::text::name_key;
use crate::domain::time::DAY_MS;
use crate::store::{Result, bulk};

use super::make::LeadRows;
use super::{Account, COMPANY_SUFFIXES, DemoSummary, Gen, SIZES, Words, slug};

pub(super) struct Statements<'c> {
    pub(super) account: Statement<'c>,
    pub(super) lead: Statement<'c>,
    pub(super) tag: Statement<'c>,
    pub(super) outreach: Statement<'c>,
    pub(super) meeting: Statement<'c>,
    pub(super) deal: Statement<'c>,
    pub(super) task: Statement<'c>,
    pub(super) note: Statement<'c>,
    pub(super) inbox: Statement<'c>,
    pub(super) scores: Statement<'c>,
}

impl<'c> Statements<'c> {
    pub(super) fn prepare(conn: &'c Connection) -> rusqlite::Result<Self> {
        Ok(Self {
            account: conn.prepare(
                "INSERT INTO accounts (id, team_id, name, domain, industry, company_size, created_at, updated_at, name_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
            )?,
            lead: conn.prepare(
                "INSERT INTO leads (id, team_id, first_name, last_name, email, email_key, phone, title, account_id,
                 source, product_interest, industry, company_size, tags, owner_id, lifecycle, last_contacted_at,
                 created_at, updated_at, name_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17, ?18)",
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

/// Accounts: one per five leads, named from the company list with a numeric suffix past its end.
pub(super) fn insert_accounts(
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
        st.account.execute(params![
            id,
            team,
            name,
            domain,
            industry,
            size,
            created,
            crate::domain::text::fold(&name)
        ])?;
        accounts.push(Account { id, name, domain, industry });
    }
    Ok(accounts)
}

/// Writes made leads through the prepared statements.
pub(super) struct Writer<'a> {
    pub(super) team: &'a str,
    pub(super) accounts: &'a [Account],
    pub(super) owners: &'a [String],
    pub(super) stages: &'a [String],
    pub(super) currency: &'a str,
}

impl Writer<'_> {
    pub(super) fn write(
        &self,
        conn: &Connection,
        st: &mut Statements<'_>,
        r: &LeadRows,
        summary: &mut DemoSummary,
        indexes: Option<&mut bulk::IndexBuild>,
    ) -> Result<()> {
        let (team, account) = (self.team, &self.accounts[r.account]);
        let owner = &self.owners[r.owner];
        let tags = r.tags.join(" ");
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
            tags,
            owner,
            r.lifecycle,
            r.last_contact,
            r.created,
            name_key(r.first, r.last)
        ])?;
        let seq = conn.last_insert_rowid();
        st.scores.execute(params![seq, r.scores.0, r.scores.1, r.scores.2])?;
        match indexes {
            Some(build) => build.push(
                seq,
                &bulk::IndexedLead {
                    id: &r.id,
                    first_name: r.first,
                    last_name: r.last,
                    email: Some(&r.email),
                    phone: Some(&r.phone),
                    company: Some(&account.name),
                    title: Some(r.title),
                    tags: &tags,
                },
            ),
            None => {
                for t in &r.tags {
                    st.tag.execute(params![t, r.id])?;
                }
            }
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
