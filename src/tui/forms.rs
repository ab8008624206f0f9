//! The forms of the UI: how each is laid out, and how its values become a store write.
//! Parsing uses the same domain functions as the CLI; the store validates the rest.

use std::str::FromStr;

use super::context::UiCtx;
use super::widgets::form::{Field, Form};
use super::worker::Write;
use crate::domain::time::parse_time;
use crate::domain::{
    DealId, Direction, InboxId, LeadId, Lifecycle, MeetingId, Money, OutreachId, OutreachKind, ReplyType, TaskId,
    TaskKind, Timestamp,
};
use crate::store::deals::Deal;
use crate::store::deals::NewDeal;
use crate::store::leads::{Lead, LeadFilter, LeadPatch, NewLead};
use crate::store::outreach::NewOutreach;
use crate::store::tasks::NewTask;

/// Which lead-list filter a filter form sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterField {
    Tag,
    Stage,
    Source,
    Owner,
    Lifecycle,
}

/// What a form does when submitted.
#[derive(Debug, Clone, PartialEq)]
pub enum Purpose {
    /// The lead's e-mail and phone fill the value when the kind asks for one of them.
    LogOutreach {
        lead: LeadId,
        email: Option<String>,
        phone: Option<String>,
    },
    Reply {
        item: InboxId,
        lead: LeadId,
        kind: OutreachKind,
    },
    AddTask {
        lead: LeadId,
    },
    AddNote {
        lead: LeadId,
    },
    Schedule {
        lead: LeadId,
    },
    NoShow {
        meeting: MeetingId,
    },
    CreateDeal {
        lead: LeadId,
    },
    AddLead,
    EditLead {
        lead: Box<Lead>,
    },
    DoNotContact {
        lead: LeadId,
    },
    /// An opt-out lifted: asked first, as setting one is.
    AllowContact {
        lead: LeadId,
    },
    /// `from`: the stage the deal was shown in (a move made elsewhere meanwhile is not undone unseen).
    /// `back`: a move undone, where (and since when) the deal stood in the won or lost stage before.
    Win {
        deal: DealId,
        from: String,
        back: Option<crate::tui::worker::Place>,
    },
    Lose {
        deal: DealId,
        from: String,
        back: Option<crate::tui::worker::Place>,
    },
    /// A won or lost deal moved back into an open stage.
    /// `back`: a move undone, where the deal stood in `stage` before.
    Reopen {
        deal: DealId,
        stage: String,
        from: String,
        back: Option<crate::tui::worker::Place>,
    },
    Snooze {
        task: TaskId,
    },
    /// A touch logged by mistake taken back: asked first.
    Unlog {
        touch: OutreachId,
    },
    /// Sets a filter of the leads table; handled by the app, not the store.
    Filter(FilterField),
}

fn names<T: Copy>(all: &[T], name: impl Fn(T) -> &'static str) -> Vec<String> {
    all.iter().map(|k| name(*k).to_string()).collect()
}

pub fn log_outreach(lead: &Lead) -> Form {
    let mut f = Form::new(
        about("Log outreach", &lead.name(), lead.do_not_contact),
        Purpose::LogOutreach { lead: lead.id.clone(), email: lead.email.clone(), phone: lead.phone.clone() },
        vec![
            Field::choice("Kind", names(&OutreachKind::ALL, OutreachKind::as_str), "email"),
            Field::text("Value", "", ""),
            Field::choice("Direction", vec!["outbound".into(), "inbound".into()], "outbound"),
            Field::choice("Reply", names(&ReplyType::ALL, ReplyType::as_str), "none"),
            Field::text("Note", "", "What was said or sent"),
            Field::with_default("When", "now", "now, -2h, yesterday 16:00, 2026-11-20 18:00"),
            // What the scoring rules read of a message (an A/B variant, how personal it was, a cited metric).
            Field::text("Variant", "", "A/B test variant, e.g. B"),
            Field::choice("Personal", ["-", "0", "1", "2", "3", "4", "5"].map(String::from).to_vec(), "-"),
            Field::choice("Metric", vec!["no".into(), "yes".into()], "no"),
        ],
    );
    kind_changed(&mut f);
    f
}

/// Keeps the kind-specific field's hint (and default from the lead) in step with the chosen kind.
pub fn kind_changed(form: &mut Form) {
    let Ok(kind) = OutreachKind::from_str(form.value("Kind")) else { return };
    let Purpose::LogOutreach { email, phone, .. } = &form.purpose else { return };
    // An error about the value of the kind that was chosen before says nothing about this one.
    form.error = None;
    let default = match kind {
        OutreachKind::Email => email.clone(),
        OutreachKind::Call => phone.clone(),
        _ => None,
    };
    if let Some(field) = form.fields.iter_mut().find(|f| f.label == "Value") {
        field.hint = format!("{} ({})", kind.value_name(), kind.label());
        // Only a value the form put there gives way: what the rep typed stays.
        let prefilled =
            field.value.is_empty() || [email, phone].iter().any(|v| v.as_deref() == Some(field.value.as_str()));
        if prefilled {
            field.value = default.unwrap_or_default();
            field.cursor = field.value.chars().count();
        }
    }
}

/// What a form's title adds for a lead who must not be contacted.
const OPTED_OUT: &str = " · ⊘ opted out";

/// A form's title about a lead: a long name is cut so that what the form does, and an opt-out, stay in
/// sight in the form's border.
fn about(action: &str, name: &str, opted_out: bool) -> String {
    const ROOM: usize = 60;
    let marker = if opted_out { OPTED_OUT } else { "" };
    let used = unicode_width::UnicodeWidthStr::width(format!("{action} · {marker}").as_str());
    format!("{action} · {}{marker}", super::widgets::fit(name, ROOM.saturating_sub(used).max(8)))
}

pub fn reply(item: InboxId, lead: LeadId, lead_name: &str, kind: OutreachKind, opted_out: bool) -> Form {
    Form::new(
        about(&format!("Reply by {}", kind.as_str()), lead_name, opted_out),
        Purpose::Reply { item, lead, kind },
        vec![
            Field::text("Value", "", &format!("{} — empty: where the message came from", kind.value_name())),
            Field::text("Note", "", "What you answered"),
            Field::with_default("When", "now", "now, -1h, ..."),
        ],
    )
}

pub fn add_task(lead: &Lead) -> Form {
    Form::new(
        about("Add task", &lead.name(), false),
        Purpose::AddTask { lead: lead.id.clone() },
        vec![
            Field::text("Title", format!("Follow up with {}", lead.first_name), ""),
            Field::text("Due", "+1d", "+48h, tomorrow 9:00, mon 10:00, 2026-12-01"),
            Field::choice("Kind", names(&TaskKind::ALL, TaskKind::as_str), "follow_up"),
        ],
    )
}

pub fn add_note(lead: &Lead) -> Form {
    Form::new(
        about("Add note", &lead.name(), false),
        Purpose::AddNote { lead: lead.id.clone() },
        vec![Field::text("Note", "", "")],
    )
}

pub fn schedule(lead: &Lead) -> Form {
    Form::new(
        about("Schedule meeting", &lead.name(), lead.do_not_contact),
        Purpose::Schedule { lead: lead.id.clone() },
        vec![
            Field::text("When", "tomorrow 10:00", "tomorrow 10:00, mon 15:30, 2026-12-01 09:00"),
            Field::text("Title", "Intro call", ""),
        ],
    )
}

pub fn no_show(meeting: MeetingId) -> Form {
    Form::new("Meeting: no-show", Purpose::NoShow { meeting }, vec![Field::text("Reason", "", "optional")])
}

/// The deal form's first stage choice: none, the rules place the deal (the first stage, or further on when
/// the lead has already answered and met).
const STAGE_BY_RULES: &str = "by the rules";

pub fn create_deal(lead: &Lead, ctx: &UiCtx) -> Form {
    let stages: Vec<String> =
        std::iter::once(STAGE_BY_RULES.to_string()).chain(ctx.stages.open_stages().cloned()).collect();
    let first = STAGE_BY_RULES.to_string();
    Form::new(
        about("Create deal", &lead.name(), false),
        Purpose::CreateDeal { lead: lead.id.clone() },
        vec![
            Field::text("Title", format!("{} deal", lead.company.clone().unwrap_or_else(|| lead.name())), ""),
            Field::text("Amount", "", "e.g. 1200.50 (empty: 0)"),
            Field::text("Currency", ctx.currency.clone(), "ISO 4217"),
            Field::choice("Stage", stages, &first),
        ],
    )
}

/// A new lead: who they are and where they came from; the rest is on the edit form of their page, which
/// opens once they are added.
pub fn add_lead() -> Form {
    Form::new(
        "Add lead",
        Purpose::AddLead,
        vec![
            Field::text("First name", "", "required (or a company-only contact's name)"),
            Field::text("Last name", "", ""),
            Field::text("E-mail", "", ""),
            Field::text("Phone", "", "e.g. +34 600 11 22 33"),
            Field::text("Company", "", ""),
            Field::text("Title", "", "e.g. Head of Sales"),
            Field::text("Industry", "", "e.g. saas, ecommerce"),
            Field::text("Size", "", "employees, e.g. 11-50"),
            Field::text("Interest", "", "what they would buy"),
            Field::text("Profile", "", "e.g. https://linkedin.com/in/name"),
            Field::text("Source", "", "linkedin, email, referral, platform, web, import"),
            Field::text("Tags", "", "comma-separated"),
            Field::text("Owner", "", "name, e-mail or me (empty: me)"),
            Field::text("Notes", "", ""),
        ],
    )
}

pub fn edit_lead(lead: &Lead) -> Form {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    Form::new(
        about("Edit", &lead.name(), false),
        Purpose::EditLead { lead: Box::new(lead.clone()) },
        vec![
            Field::text("First name", lead.first_name.clone(), ""),
            Field::text("Last name", lead.last_name.clone(), ""),
            Field::text("E-mail", o(&lead.email), ""),
            Field::text("Other e-mails", lead.other_emails.join(", "), "comma-separated, known by these too"),
            Field::text("Phone", o(&lead.phone), ""),
            Field::text("Company", o(&lead.company), ""),
            Field::text("Title", o(&lead.title), ""),
            // What the profile-match score reads ([scoring.profile] in the config).
            Field::text("Industry", o(&lead.industry), "e.g. saas, ecommerce"),
            Field::text("Size", o(&lead.company_size), "employees, e.g. 11-50"),
            Field::text("Interest", o(&lead.product_interest), "what they would buy"),
            Field::text("Profile", o(&lead.profile_url), "e.g. https://linkedin.com/in/name"),
            Field::text("Source", o(&lead.source), "linkedin, email, referral, platform, web, import"),
            Field::text("Tags", lead.tags.join(", "), "comma-separated"),
            Field::choice("Lifecycle", names(&Lifecycle::ALL, Lifecycle::as_str), &lead.lifecycle),
            Field::text("Owner", o(&lead.owner), "name, e-mail or me"),
            Field::text("Notes", o(&lead.notes), ""),
        ],
    )
}

pub fn do_not_contact(lead: &Lead) -> Form {
    Form::new(
        about("Opt out", &lead.name(), false),
        Purpose::DoNotContact { lead: lead.id.clone() },
        vec![Field::text("Reason", "", "optional, e.g. asked to be removed")],
    )
}

pub fn allow_contact(lead: &Lead) -> Form {
    let why = lead.do_not_contact_reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
    // Why is recorded as for an opt-out: their consent is what lets them be written to again.
    let reason = Field::text("Reason", "", "optional, e.g. asked to hear from us again");
    Form::new(about("Opt back in", &lead.name(), false), Purpose::AllowContact { lead: lead.id.clone() }, vec![reason])
        .with_message(format!("{} opted out{why}. Contact them again?", lead.name()))
}

/// A deal as a question names it: its title, its lead (two leads' deals may share a title) and, when it is
/// closed, how.
fn deal_named(d: &Deal) -> String {
    match d.status {
        crate::domain::DealStatus::Open => format!("'{}' ({})", d.title, d.lead_name),
        closed => format!("'{}' ({}, {} now)", d.title, d.lead_name, closed.as_str()),
    }
}

/// `back`: undoing a reopen, where the deal stood when it was won.
pub fn win(d: &Deal, back: Option<crate::tui::worker::Place>) -> Form {
    Form::new("Mark won", Purpose::Win { deal: d.id.clone(), from: d.stage.clone(), back }, Vec::new())
        .with_message(format!("Mark {} won?", deal_named(d)))
}

/// `back`: undoing a reopen, where the deal stood when it was lost, and why (the reason offered again).
pub fn lose(d: &Deal, back: Option<crate::tui::worker::Place>) -> Form {
    let reason = back.as_ref().and_then(|b| b.lost_reason.clone()).unwrap_or_default();
    let purpose = Purpose::Lose { deal: d.id.clone(), from: d.stage.clone(), back };
    Form::new("Mark lost", purpose, vec![Field::text("Reason", &reason, "why it was lost")])
        .with_message(format!("Mark {} lost?", deal_named(d)))
}

pub fn reopen(d: &Deal, stage: &str, back: Option<crate::tui::worker::Place>) -> Form {
    let (title, lead, from) = (&d.title, &d.lead_name, &d.stage);
    let purpose = Purpose::Reopen { deal: d.id.clone(), stage: stage.to_string(), from: from.clone(), back };
    Form::new("Reopen deal", purpose, Vec::new())
        .with_message(format!("Move '{title}' ({lead}) from {from} back to {stage}, open again?"))
}

/// Asks before a touch is taken back, saying which one and what goes with it.
/// Two touches of one minute are told apart by their direction, reply, note and when they were logged.
pub fn unlog(o: &crate::store::outreach::Outreach, tz: chrono_tz::Tz) -> Form {
    use crate::domain::ReplyType;
    let when = o.occurred_at.local(tz);
    let mut about = vec![o.value.clone()];
    if o.reply_type != ReplyType::None {
        about.push(format!("{} reply", o.reply_type.as_str()));
    }
    if let Some(note) = o.description.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        let line = crate::domain::text::one_line(note);
        let short: String = line.chars().take(40).collect();
        about.push(if short.len() < line.len() { format!("“{short}…”") } else { format!("“{short}”") });
    }
    about.push(format!("logged {}", o.created_at.local(tz)));
    Form::new("Take back touch", Purpose::Unlog { touch: o.id.clone() }, Vec::new()).with_message(format!(
        "Take back the {} {} of {when} ({})? What it did goes with it: the lead's last contact and score, \
         its follow-ups, its inbox message, a deal a rule moved on.",
        o.direction.as_str(),
        o.kind.as_str(),
        about.join(" · ")
    ))
}

/// `until` is what the form offers: see `snooze_until`.
pub fn snooze(task: TaskId, title: &str, until: String) -> Form {
    Form::new(
        format!("Snooze · {title}"),
        Purpose::Snooze { task },
        vec![Field::text("Until", until, "+3h, +1d, tomorrow 9:00, mon 10:00")],
    )
}

/// What a snooze offers: a day from now, or, for a task due (or snoozed) later than that, a day after then
/// (a snooze to before it would not put the task off).
pub fn snooze_until(due: crate::domain::Timestamp, now: crate::domain::Timestamp, tz: chrono_tz::Tz) -> String {
    if due >= now.plus_days(1) { due.plus_days(1).local(tz) } else { "+1d".to_string() }
}

pub fn filter(which: FilterField, current: &LeadFilter, ctx: &UiCtx) -> Form {
    let (title, field) = match which {
        FilterField::Tag => {
            ("Filter by tag", Field::text("Tag", current.tag.clone().unwrap_or_default(), "empty: any"))
        }
        FilterField::Stage => {
            let mut opts = vec!["any".to_string()];
            opts.extend(ctx.stages.names().iter().cloned());
            ("Filter by stage", Field::choice("Stage", opts, current.stage.as_deref().unwrap_or("any")))
        }
        FilterField::Source => {
            ("Filter by source", Field::text("Source", current.source.clone().unwrap_or_default(), "empty: any"))
        }
        FilterField::Owner => {
            // A choice among the team, so a filter can never name someone who is not in it.
            let mut opts = vec!["any".to_string(), "me".to_string()];
            opts.extend(ctx.members.iter().cloned());
            // The leads nobody owns.
            opts.push("none".to_string());
            let cur = current.owner.as_deref().unwrap_or("any");
            if !opts.iter().any(|o| o == cur) {
                opts.push(cur.to_string());
            }
            ("Filter by owner", Field::choice("Owner", opts, cur))
        }
        FilterField::Lifecycle => {
            let mut opts = vec!["any".to_string()];
            opts.extend(names(&Lifecycle::ALL, Lifecycle::as_str));
            let cur = current.lifecycle.map(|l| l.as_str()).unwrap_or("any");
            ("Filter by lifecycle", Field::choice("Lifecycle", opts, cur))
        }
    };
    Form::new(title, Purpose::Filter(which), vec![field])
}

/// Applies a submitted filter form to a filter.
pub fn apply_filter(which: FilterField, form: &Form, filter: &mut LeadFilter) {
    let v = form.fields.first().map(|f| f.value.trim().to_string()).unwrap_or_default();
    let opt = (!v.is_empty() && v != "any").then_some(v);
    match which {
        FilterField::Tag => filter.tag = opt,
        FilterField::Stage => filter.stage = opt,
        FilterField::Source => filter.source = opt,
        FilterField::Owner => filter.owner = opt,
        FilterField::Lifecycle => filter.lifecycle = opt.and_then(|v| Lifecycle::from_str(&v).ok()),
    }
}

fn time(form: &Form, label: &str, ctx: &UiCtx) -> Result<Timestamp, String> {
    parse_time(form.value(label), ctx.now(), ctx.tz)
        .map_err(|e| crate::domain::ValidationError { field: label.to_string(), ..e }.to_string())
}

/// `time` for when a task is due: a date alone is due at the working day's start.
fn due_time(form: &Form, label: &str, ctx: &UiCtx) -> Result<Timestamp, String> {
    crate::domain::time::parse_due(form.value(label), ctx.now(), ctx.tz)
        .map_err(|e| crate::domain::ValidationError { field: label.to_string(), ..e }.to_string())
}

/// `time` for a field naming when something happened: a weekday is the last one.
fn past_time(form: &Form, label: &str, ctx: &UiCtx) -> Result<Timestamp, String> {
    crate::domain::time::parse_past_time(form.value(label), ctx.now(), ctx.tz)
        .map_err(|e| crate::domain::ValidationError { field: label.to_string(), ..e }.to_string())
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Turns a submitted form into the write it asks for; a value that does not parse is an error naming the field.
pub fn to_write(form: &Form, ctx: &UiCtx) -> Result<Write, String> {
    let parse_err = |e: crate::domain::ValidationError| e.to_string();
    Ok(match &form.purpose {
        Purpose::LogOutreach { lead, .. } => {
            let kind = OutreachKind::from_str(form.value("Kind")).map_err(parse_err)?;
            let mut new = NewOutreach::new(lead.clone(), kind);
            new.value = opt(form.value("Value"));
            new.direction = Direction::from_str(form.value("Direction")).map_err(parse_err)?;
            new.reply_type = ReplyType::from_str(form.value("Reply")).map_err(parse_err)?;
            new.description = opt(form.value("Note"));
            new.occurred_at = Some(past_time(form, "When", ctx)?);
            new.variant = opt(form.value("Variant"));
            new.personalization_level = form.value("Personal").parse().ok();
            new.cited_metric = form.value("Metric") == "yes";
            Write::LogOutreach(new)
        }
        Purpose::Reply { item, .. } => Write::Reply {
            item: item.clone(),
            value: opt(form.value("Value")),
            note: opt(form.value("Note")),
            at: Some(past_time(form, "When", ctx)?),
        },
        Purpose::AddTask { lead } => {
            let mut t = NewTask::manual(form.value("Title").trim(), due_time(form, "Due", ctx)?);
            t.kind = TaskKind::from_str(form.value("Kind")).map_err(parse_err)?;
            t.lead = Some(lead.clone());
            Write::AddTask(t)
        }
        Purpose::AddNote { lead } => Write::AddNote { lead: lead.clone(), body: form.value("Note").to_string() },
        Purpose::Schedule { lead } => {
            Write::Schedule { lead: lead.clone(), at: time(form, "When", ctx)?, title: opt(form.value("Title")) }
        }
        Purpose::NoShow { meeting } => {
            Write::MarkMeeting { meeting: meeting.clone(), attended: false, reason: opt(form.value("Reason")) }
        }
        Purpose::CreateDeal { lead } => {
            // A currency is checked even with no amount: a typo there is still a typo.
            let currency = crate::domain::money::parse_currency(form.value("Currency")).map_err(parse_err)?;
            let (amount, note) = match opt(form.value("Amount")) {
                Some(a) => {
                    let (money, either_way) = Money::parse_read(&a, &currency).map_err(parse_err)?;
                    let note = either_way.then(|| money.reading(&a));
                    (Some(money), note)
                }
                None => (None, None),
            };
            let deal = NewDeal {
                lead: lead.clone(),
                title: form.value("Title").to_string(),
                amount,
                product: None,
                use_case: None,
                stage: opt(form.value("Stage")).filter(|s| s != STAGE_BY_RULES),
                origin_outreach: None,
            };
            Write::CreateDeal { deal, note }
        }
        Purpose::AddLead => Write::AddLead(Box::new(NewLead {
            first_name: form.value("First name").to_string(),
            last_name: form.value("Last name").to_string(),
            email: opt(form.value("E-mail")),
            phone: opt(form.value("Phone")),
            company: opt(form.value("Company")),
            title: opt(form.value("Title")),
            industry: opt(form.value("Industry")),
            company_size: opt(form.value("Size")),
            product_interest: opt(form.value("Interest")),
            profile_url: opt(form.value("Profile")),
            source: opt(form.value("Source")),
            tags: form.value("Tags").split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect(),
            owner: opt(form.value("Owner")),
            notes: opt(form.value("Notes")),
            ..Default::default()
        })),
        Purpose::EditLead { lead } => Write::EditLead {
            lead: lead.id.clone(),
            patch: Box::new(edit_patch(lead, form)?),
            seen: Some(lead.clone()),
        },
        Purpose::DoNotContact { lead } => Write::EditLead {
            lead: lead.clone(),
            patch: Box::new(LeadPatch {
                do_not_contact: Some(true),
                do_not_contact_reason: opt(form.value("Reason")),
                ..Default::default()
            }),
            seen: None,
        },
        Purpose::AllowContact { lead } => Write::EditLead {
            lead: lead.clone(),
            patch: Box::new(LeadPatch {
                do_not_contact: Some(false),
                do_not_contact_reason: opt(form.value("Reason")),
                ..Default::default()
            }),
            seen: None,
        },
        Purpose::Win { deal, from, back } => Write::MoveDeal {
            deal: deal.clone(),
            stage: ctx.stages.won_stage.clone(),
            reason: None,
            from: from.clone(),
            back: back.clone(),
        },
        Purpose::Lose { deal, from, back } => Write::MoveDeal {
            deal: deal.clone(),
            stage: ctx.stages.lost_stage.clone(),
            reason: opt(form.value("Reason")),
            from: from.clone(),
            back: back.clone(),
        },
        Purpose::Reopen { deal, stage, from, back } => Write::MoveDeal {
            deal: deal.clone(),
            stage: stage.clone(),
            reason: None,
            from: from.clone(),
            back: back.clone(),
        },
        Purpose::Unlog { touch } => Write::Unlog(touch.clone()),
        Purpose::Snooze { task } => Write::Snooze { task: task.clone(), until: due_time(form, "Until", ctx)? },
        Purpose::Filter(_) => return Err("a filter is not a write".into()),
    })
}

/// Only the fields the rep changed go into the patch.
fn edit_patch(lead: &Lead, form: &Form) -> Result<LeadPatch, String> {
    let changed = |label: &str, old: &str| {
        let v = form.value(label).trim().to_string();
        (v != old).then_some(v)
    };
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let tags: Vec<String> =
        form.value("Tags").split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
    // The other e-mails as listed now against before, compared as addresses are (case aside).
    let key = |e: &str| crate::domain::lead::normalize_email(e);
    let emails: Vec<String> = form
        .value("Other e-mails")
        .split([',', ';', ' '])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_string)
        .collect();
    let add_emails: Vec<String> =
        emails.iter().filter(|e| !lead.other_emails.iter().any(|o| key(o) == key(e))).cloned().collect();
    let remove_emails: Vec<String> =
        lead.other_emails.iter().filter(|o| !emails.iter().any(|e| key(e) == key(o))).cloned().collect();
    Ok(LeadPatch {
        first_name: changed("First name", &lead.first_name),
        last_name: changed("Last name", &lead.last_name),
        email: changed("E-mail", &o(&lead.email)),
        phone: changed("Phone", &o(&lead.phone)),
        company: changed("Company", &o(&lead.company)),
        title: changed("Title", &o(&lead.title)),
        source: changed("Source", &o(&lead.source)),
        industry: changed("Industry", &o(&lead.industry)),
        company_size: changed("Size", &o(&lead.company_size)),
        product_interest: changed("Interest", &o(&lead.product_interest)),
        profile_url: changed("Profile", &o(&lead.profile_url)),
        owner: changed("Owner", &o(&lead.owner)),
        notes: changed("Notes", &o(&lead.notes)),
        lifecycle: match changed("Lifecycle", &lead.lifecycle) {
            Some(l) => Some(Lifecycle::from_str(&l).map_err(|e| e.to_string())?),
            None => None,
        },
        // What the rep added and took off, not the whole list: a tag a colleague added meanwhile stays.
        add_tags: tags.iter().filter(|t| !lead.tags.iter().any(|o| o.eq_ignore_ascii_case(t))).cloned().collect(),
        remove_tags: lead.tags.iter().filter(|o| !tags.iter().any(|t| t.eq_ignore_ascii_case(o))).cloned().collect(),
        add_emails,
        remove_emails,
        ..Default::default()
    })
}

/// A save's error as the form's reader sees it: the field named by the form's own label (the store names
/// it as the data does), and a time in the team's zone rather than as stored.
pub fn error_for(form: &Form, error: &str, tz: chrono_tz::Tz) -> String {
    // The store's name of a field, and the label a form gives it.
    const LABELS: [(&str, &str); 24] = [
        ("occurred_at", "When"),
        ("scheduled_at", "When"),
        ("until", "Until"),
        ("due", "Due"),
        ("amount", "Amount"),
        ("currency", "Currency"),
        ("first_name", "First name"),
        ("last_name", "Last name"),
        ("email", "E-mail"),
        ("other_emails", "Other e-mails"),
        ("phone", "Phone"),
        ("company", "Company"),
        ("title", "Title"),
        ("source", "Source"),
        ("industry", "Industry"),
        ("company_size", "Size"),
        ("product_interest", "Interest"),
        ("profile_url", "Profile"),
        ("owner", "Owner"),
        ("notes", "Notes"),
        ("note", "Note"),
        ("body", "Note"),
        ("tag", "Tags"),
        ("variant", "Variant"),
    ];
    let mut out = error.to_string();
    // An address another lead has: said of the field it was typed in (`StoreError::DuplicateEmail`).
    if let Some(rest) = out.strip_prefix("a lead with e-mail ")
        && let Some((email, _)) = rest.split_once(" already exists")
    {
        // Compared as addresses are: what the store made of what was typed (`<ana@x.es>`, `mailto:...`).
        let same = |typed: &str| {
            crate::domain::lead::validate_email("", typed.trim())
                .is_ok_and(|e| crate::domain::lead::normalize_email(&e) == crate::domain::lead::normalize_email(email))
        };
        let typed_in =
            |label: &str| form.fields.iter().any(|f| f.label == label && f.value.split([',', ';', ' ']).any(same));
        if let Some(label) = ["E-mail", "Other e-mails", "Value"].into_iter().find(|l| typed_in(l)) {
            out = format!("{label}: {out}");
        }
    }
    for (field, label) in LABELS {
        if let Some(rest) = out.strip_prefix(&format!("{field}:"))
            && form.fields.iter().any(|f| f.label == label)
        {
            out = format!("{label}:{rest}");
            break;
        }
    }
    // A member the store could not find, or found several of (the one reference a lead's forms resolve):
    // said of the Owner field.
    let about_a_member = out.starts_with("team member not found") || out.contains("' is ambiguous, it matches");
    if about_a_member && form.fields.iter().any(|f| f.label == "Owner") {
        out = format!("Owner: {out}");
    }
    // A touch's value is named by its kind ("email value"): the log and reply forms call it Value.
    if let Some((field, rest)) = out.split_once(':')
        && field.ends_with(" value")
        && OutreachKind::ALL.iter().any(|k| field == format!("{} value", k.as_str()))
        && form.fields.iter().any(|f| f.label == "Value")
    {
        out = format!("Value:{rest}");
    }
    // The value a validation error quotes last, when it is a stored time.
    if let Some(open) = out.rfind("('")
        && let Some(quoted) = out[open + 2..].strip_suffix("')")
        && let Ok(t) = chrono::DateTime::parse_from_rfc3339(quoted)
    {
        let local = crate::domain::Timestamp(t.timestamp_millis()).local(tz);
        out = format!("{}('{local}')", &out[..open]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_form_field_and_show_local_time() {
        let form = snooze(TaskId("t".into()), "Call Ana", "+1d".into());
        let tz = crate::domain::time::parse_tz("Europe/Madrid").unwrap();
        let e = error_for(&form, "until: must be in the future ('2026-11-24T09:00:00Z')", tz);
        assert_eq!(e, "Until: must be in the future ('2026-11-24 10:00')");
        assert_eq!(error_for(&form, "title: must not be empty", tz), "title: must not be empty");
        let fields = vec![Field::text("First name", "", ""), Field::text("E-mail", "", "")];
        let edit = Form::new("Edit", Purpose::AddNote { lead: LeadId("l".into()) }, fields);
        assert_eq!(error_for(&edit, "first_name: must not be empty", tz), "First name: must not be empty");
        assert_eq!(
            error_for(&edit, "email: is not an e-mail address ('ana@')", tz),
            "E-mail: is not an e-mail address ('ana@')"
        );
        let added = add_lead();
        assert_eq!(error_for(&added, "team member not found: 'bob'", tz), "Owner: team member not found: 'bob'");
        let log = Form::new("Log", Purpose::AddNote { lead: LeadId("l".into()) }, vec![Field::text("Value", "", "")]);
        assert_eq!(
            error_for(&log, "email value: is not an e-mail address ('x')", tz),
            "Value: is not an e-mail address ('x')"
        );
    }
}
