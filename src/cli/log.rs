//! `leadline log KIND LEAD ...`: log a touch of one of the five kinds.

use clap::{Args, ValueEnum};

use super::{CliError, CliResult, Env};
use crate::domain::OutreachId;
use crate::domain::{Direction, OutreachKind, ReplyType};
use crate::store::outreach::{self, NewOutreach};
use crate::store::{leads, resolve_id};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    Platform,
    Email,
    Call,
    Social,
    Messenger,
}

impl From<KindArg> for OutreachKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Platform => OutreachKind::Platform,
            KindArg::Email => OutreachKind::Email,
            KindArg::Call => OutreachKind::Call,
            KindArg::Social => OutreachKind::Social,
            KindArg::Messenger => OutreachKind::Messenger,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReplyArg {
    Positive,
    Negative,
    Info,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// The kind of touch.
    kind: KindArg,
    /// Id, e-mail or unambiguous name of the lead.
    lead: String,
    /// The kind-specific value: platform name or URL, address, number, profile URL, or APP:HANDLE for messengers
    /// (default: the lead's, else the one their last touch of this kind used).
    #[arg(long)]
    value: Option<String>,
    /// E-mail address (email outreach; default: the lead's, else the last one written to).
    #[arg(long)]
    email: Option<String>,
    /// Phone number (call or messenger outreach; default: the lead's, else the last one called).
    #[arg(long)]
    phone: Option<String>,
    /// Profile or platform URL (social or platform outreach).
    #[arg(long)]
    url: Option<String>,
    /// What was said or done.
    #[arg(long, allow_hyphen_values = true)]
    note: Option<String>,
    /// When it happened (default: now).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    at: Option<String>,
    /// The lead reached out (a reply); it lands in the inbox.
    #[arg(long)]
    inbound: bool,
    /// How the lead answered: on this touch itself (a call they picked up), or with --inbound in their own
    /// message, which lands in the inbox. Either way it counts as their reply.
    #[arg(long)]
    reply: Option<ReplyArg>,
    /// Message variant (A/B test).
    #[arg(long)]
    variant: Option<String>,
    /// Personalization level, 0 (template) to 5 (hand-written).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(0..=5))]
    personalization: Option<i64>,
    /// The message cited one of the lead's public metrics.
    #[arg(long)]
    cited_metric: bool,
}

/// Picks the kind-specific value from the flags; a flag that does not belong to the kind is a usage error.
fn channel_value(kind: OutreachKind, a: &LogArgs) -> CliResult<Option<String>> {
    let misplaced = |flag: &str, kinds: &str| {
        Err(CliError::Usage(format!("--{flag} applies to {kinds} outreach, not {}", kind.as_str())))
    };
    if a.email.is_some() && kind != OutreachKind::Email {
        return misplaced("email", "email");
    }
    if a.phone.is_some() && !matches!(kind, OutreachKind::Call | OutreachKind::Messenger) {
        return misplaced("phone", "call or messenger");
    }
    if a.url.is_some() && !matches!(kind, OutreachKind::Social | OutreachKind::Platform) {
        return misplaced("url", "social or platform");
    }
    // The kind's own flag and --value both naming the value: which one was meant is not for leadline to pick
    // (a messenger's app in --value and its number in --phone go together).
    // A platform's --value names the platform and --url the job: two things (the URL is the touch's value).
    let specific = match kind {
        OutreachKind::Email => a.email.as_ref().map(|v| ("email", v)),
        OutreachKind::Call => a.phone.as_ref().map(|v| ("phone", v)),
        OutreachKind::Social => a.url.as_ref().map(|v| ("url", v)),
        OutreachKind::Platform => None,
        OutreachKind::Messenger => {
            a.phone.as_ref().map(|v| ("phone", v)).filter(|_| a.value.as_deref().is_some_and(|v| v.contains(':')))
        }
    };
    // The same value written two ways (case, spaces, a messenger's number after its app) is one value.
    let same = |given: &str, value: &str| {
        let plain = |s: &str| {
            s.chars().filter(|c| c.is_alphanumeric() || "@+.".contains(*c)).collect::<String>().to_lowercase()
        };
        let value =
            if kind == OutreachKind::Messenger { value.split_once(':').map_or(value, |(_, n)| n) } else { value };
        plain(given) == plain(value)
    };
    if let (Some((flag, given)), Some(value)) = (specific, &a.value)
        && !same(given, value)
    {
        return Err(CliError::Usage(format!(
            "--{flag} and --value give two values ('{given}', '{value}'); give one (--value APP with --phone NUMBER for a \
             messenger)"
        )));
    }
    Ok(match kind {
        OutreachKind::Email => a.email.clone().or(a.value.clone()),
        OutreachKind::Call => a.phone.clone().or(a.value.clone()),
        OutreachKind::Social | OutreachKind::Platform => a.url.clone().or(a.value.clone()),
        OutreachKind::Messenger => match (&a.value, &a.phone) {
            (Some(app), Some(phone)) if !app.contains(':') => Some(format!("{app}:{phone}")),
            (Some(v), _) => Some(v.clone()),
            (None, p) => p.clone(),
        },
    })
}

pub fn run(env: &mut Env, a: LogArgs) -> CliResult {
    let kind = OutreachKind::from(a.kind);
    let value = channel_value(kind, &a)?;
    let at = a.at.as_deref().map(|t| env.past_time(t, "--at")).transpose()?;
    let reply = match a.reply {
        None => ReplyType::None,
        Some(ReplyArg::Positive) => ReplyType::Positive,
        Some(ReplyArg::Negative) => ReplyType::Negative,
        Some(ReplyArg::Info) => ReplyType::Info,
    };
    // Said once the touch is written (a refused one was not recorded anyway).
    let mut warning = None;
    let id = env.store.write(|db| {
        let lead = leads::resolve(db, &a.lead)?;
        // A touch that already happened is recorded anyway, but the rep hears about the opt-out.
        if !a.inbound {
            warning = crate::io::privacy::contact_warning(db, &lead)?;
        }
        outreach::log(
            db,
            NewOutreach {
                value,
                description: a.note,
                occurred_at: at,
                direction: if a.inbound { Direction::Inbound } else { Direction::Outbound },
                variant: a.variant,
                personalization_level: a.personalization,
                reply_type: reply,
                cited_metric: a.cited_metric,
                ..NewOutreach::new(lead, kind)
            },
        )
    });
    if id.is_ok()
        && let Some(why) = warning
    {
        eprintln!("warning: {why}; recorded anyway, since the touch has already happened");
    }
    // A missing value is named by the flag that gives it.
    let id = id.map_err(|e| match e {
        crate::store::StoreError::Invalid(v) if v.value.is_empty() && v.field.ends_with(" value") => {
            let flag = match kind {
                OutreachKind::Email => "--email",
                OutreachKind::Call => "--phone",
                OutreachKind::Messenger => "--value APP:HANDLE",
                OutreachKind::Social | OutreachKind::Platform => "--url",
            };
            CliError::Invalid(crate::domain::ValidationError { reason: format!("{}; pass {flag}", v.reason), ..v })
        }
        other => super::of_flag(other, "occurred_at", "--at"),
    })?;
    println!("{id}");
    Ok(())
}

#[derive(Debug, Args)]
pub struct UnlogArgs {
    /// The touch: the id `log` printed (or its first characters).
    touch: String,
}

pub fn unlog(env: &mut Env, a: UnlogArgs) -> CliResult {
    use crate::store::deals;
    let (id, lead, before) = env.store.write(|db| {
        let id = OutreachId(resolve_id(db, "outreach", "touch", &a.touch)?);
        let lead = outreach::get(db, &id)?.lead_id;
        let before = deals::of_lead(db, &lead)?;
        outreach::remove(db, &id)?;
        Ok((id, lead, before))
    })?;
    println!("{id}");
    // A deal a rule had moved on because of the touch went back: said, as the rep did not move it.
    for said in deals::moved_since(&env.store.db(), &lead, &before)? {
        eprintln!("{said}");
    }
    Ok(())
}
