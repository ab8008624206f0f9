//! Making demo leads: names, ids, histories and scores from the seeded generator, as rows to write.

use crate::domain::time::{DAY_MS, HOUR_MS};
use crate::domain::{DealStatus, OutreachKind, Stages, Timestamp};
use crate::scoring::Scorer;
use crate::scoring::rules::LeadFacts;

use super::{Account, Gen, LOST_REASONS, MESSENGERS, PLATFORMS, SIZES, SOURCES, VARIANTS, Words, slug};

pub(super) const YEAR_MS: i64 = 365 * DAY_MS;

/// One lead and everything that happened with it, as rows to insert.
pub(super) struct LeadRows {
    pub(super) id: String,
    pub(super) first: &'static str,
    pub(super) last: &'static str,
    pub(super) email: String,
    pub(super) phone: String,
    pub(super) title: &'static str,
    pub(super) account: usize,
    pub(super) source: &'static str,
    pub(super) product: &'static str,
    pub(super) size: &'static str,
    pub(super) tags: Vec<&'static str>,
    pub(super) owner: usize,
    pub(super) lifecycle: &'static str,
    pub(super) last_contact: Option<i64>,
    pub(super) created: i64,
    pub(super) outreach: Vec<OutreachRow>,
    pub(super) meeting: Option<MeetingRow>,
    pub(super) deal: Option<DealRow>,
    pub(super) task: Option<TaskRow>,
    pub(super) note: Option<NoteRow>,
    pub(super) scores: (i64, Option<i64>, i64),
}

pub(super) struct OutreachRow {
    pub(super) id: String,
    pub(super) user: usize,
    pub(super) kind: OutreachKind,
    pub(super) value: String,
    pub(super) description: &'static str,
    pub(super) at: i64,
    pub(super) inbound: bool,
    pub(super) variant: Option<&'static str>,
    pub(super) personalization: Option<i64>,
    pub(super) reply: &'static str,
    pub(super) cited: bool,
    /// A recent reply also lands in the inbox: (item id, read at).
    pub(super) inbox: Option<(String, Option<i64>)>,
}

pub(super) struct MeetingRow {
    pub(super) id: String,
    pub(super) at: i64,
    pub(super) attended: Option<bool>,
}

pub(super) struct DealRow {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) use_case: &'static str,
    pub(super) amount: i64,
    pub(super) stage: usize,
    pub(super) position: i64,
    pub(super) status: DealStatus,
    pub(super) lost_reason: Option<&'static str>,
    pub(super) entered: i64,
}

pub(super) struct TaskRow {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) kind: &'static str,
    pub(super) channel: Option<i64>,
    pub(super) due: i64,
    pub(super) done: Option<i64>,
}

pub(super) struct NoteRow {
    pub(super) id: String,
    pub(super) body: &'static str,
    pub(super) at: i64,
}

/// Makes the demo leads one after another from the seeded generator (the same seed and clock give the
/// same leads), scoring each from the facts it made.
pub(super) struct LeadMaker<'a> {
    pub(super) g: Gen,
    pub(super) words: &'a Words,
    pub(super) accounts: &'a [Account],
    pub(super) owners: usize,
    pub(super) stages: &'a Stages,
    pub(super) positions: Vec<i64>,
    /// Deals made for leads (not customers) so far.
    pub(super) lead_deals: usize,
    pub(super) scorer: Option<&'a Scorer>,
    pub(super) now: i64,
    pub(super) first_seq: i64,
    pub(super) step: i64,
}

impl LeadMaker<'_> {
    pub(super) fn make(&mut self, i: usize) -> LeadRows {
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
                OutreachKind::Social => format!("https://www.linkedin.com/in/{}-{}-{serial}", slug(first), slug(last)),
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
                let read = g.chance(50).then_some((at + HOUR_MS).min(now));
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

        // A customer (churned since or not) became one by winning a deal; a lead's deal is anywhere but won.
        // The first leads' deals visit every other stage once, so even a small demo shows the pipeline.
        let deal = (lifecycle != "lead" || g.chance(15)).then(|| {
            let names = self.stages.names();
            let won = names.iter().position(|n| *n == self.stages.won_stage).unwrap_or(0);
            let others = names.len().saturating_sub(1).max(1);
            let s = if lifecycle != "lead" {
                won
            } else {
                let k = if self.lead_deals < others { self.lead_deals } else { g.rng.usize(..others) };
                self.lead_deals += 1;
                if k >= won && names.len() > 1 { k + 1 } else { k }
            };
            self.positions[s] += 1;
            let status = self.stages.status_for(&names[s]);
            let entered = g.rng.i64(created..=now);
            let amount = g.rng.i64(5..400) * 10_000;
            let id = g.id(created);
            let use_case = ["monetization", "roas", "docs"][g.rng.usize(..3)];
            let lost_reason = (status == DealStatus::Lost).then(|| g.pick(&LOST_REASONS));
            DealRow {
                id,
                // Named after the lead's own company, as a rep names a deal.
                title: format!("{} — {product}", self.accounts[account].name),
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
            f.tasks_overdue += i64::from(crate::domain::task::is_overdue(Timestamp(t.due), Timestamp(self.now)));
        }
        f
    }
}
