//! `leadline lead ...`: add, list, show, edit, rm, touch.

use clap::{Args, Subcommand};

use super::output::{Table, opt, print_field, print_json, safe};
use super::{CliResult, Env};
use crate::automation::clients::ClientProfile;
use crate::domain::time::ago;
use crate::domain::{Lifecycle, Timestamp};
use crate::store::Db;
use crate::store::leads::{self, Lead, LeadFilter, LeadPatch, LeadQuery, LeadSort, NewLead};
use crate::store::timeline::{self, Entry};

/// What `--lifecycle` takes.
#[derive(Debug, Subcommand)]
pub enum LeadCmd {
    /// Add a lead (a person).
    Add(AddArgs),
    /// List leads, sorted and filtered.
    List(ListArgs),
    /// Show a lead's fields and timeline.
    Show {
        /// Id, e-mail or unambiguous name.
        lead: String,
        #[arg(long)]
        json: bool,
    },
    /// Change fields of a lead.
    Edit(Box<EditArgs>),
    /// Remove a lead: it leaves lists, searches and exports, with the work still ahead with them (open
    /// tasks and deals, meetings to come, replies to answer). `forget` erases a person's data instead.
    Rm { lead: String },
    /// Mark a customer churned: the churn rules bring it back into the pipeline.
    Churn {
        lead: String,
        /// Why the customer left (kept in the client profile and the note).
        #[arg(long, allow_hyphen_values = true)]
        reason: Option<String>,
    },
    /// Record an offline contact (sets the last-contact time by hand).
    Touch {
        lead: String,
        /// When the contact happened (default: now).
        #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
        at: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[arg(long, allow_hyphen_values = true)]
    first_name: String,
    #[arg(long, default_value = "", allow_hyphen_values = true)]
    last_name: String,
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    company: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    title: Option<String>,
    /// linkedin, email, referral, platform, web, import, other or free text.
    #[arg(long, allow_hyphen_values = true)]
    source: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    industry: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    company_size: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    product_interest: Option<String>,
    /// Their social profile, e.g. https://linkedin.com/in/name (empty to clear, in `lead edit`).
    #[arg(long, value_name = "URL")]
    profile_url: Option<String>,
    /// A tag; repeat for several.
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Owner: id, e-mail, name or `me` (default: you).
    #[arg(long)]
    owner: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    notes: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long)]
    tag: Option<String>,
    /// Leads with a deal in this stage (Won, Lost: a deal closed that way).
    #[arg(long)]
    stage: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    source: Option<String>,
    /// A member (id, e-mail, name or `me`), or `none`: the leads nobody owns.
    #[arg(long)]
    owner: Option<String>,
    #[arg(long, value_parser = super::Choices(&Lifecycle::NAMES))]
    lifecycle: Option<String>,
    /// Only the leads who may be contacted (not opted out).
    #[arg(long, conflicts_with = "opted_out")]
    contactable: bool,
    /// Only the leads who asked not to be contacted.
    #[arg(long)]
    opted_out: bool,
    /// The order of the list.
    #[arg(long, default_value = "score", value_parser = super::Choices(&LeadSort::NAMES))]
    sort: String,
    #[arg(long, default_value_t = 50, value_parser = super::at_least_one)]
    limit: usize,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    lead: String,
    #[arg(long, allow_hyphen_values = true)]
    first_name: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    last_name: Option<String>,
    /// New e-mail ("" clears it).
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    company: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    title: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    source: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    industry: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    company_size: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    product_interest: Option<String>,
    /// Their social profile, e.g. https://linkedin.com/in/name (empty to clear, in `lead edit`).
    #[arg(long, value_name = "URL")]
    profile_url: Option<String>,
    /// A team member's name or e-mail; none (or "") leaves the lead nobody's.
    #[arg(long)]
    owner: Option<String>,
    /// Where the lead is: still a lead, a customer, or a customer who left.
    #[arg(long, value_parser = super::Choices(&Lifecycle::NAMES))]
    lifecycle: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    notes: Option<String>,
    /// Add a tag; repeat for several.
    #[arg(long = "tag", value_name = "TAG")]
    add_tags: Vec<String>,
    /// Remove a tag; repeat for several.
    #[arg(long = "untag", value_name = "TAG")]
    remove_tags: Vec<String>,
    /// Add another e-mail the person is known by (found by it in imports, invitations, commands); repeat
    /// for several.
    #[arg(long = "add-email", value_name = "EMAIL")]
    add_emails: Vec<String>,
    /// Take an address off the lead's other e-mails; repeat for several.
    #[arg(long = "remove-email", value_name = "EMAIL")]
    remove_emails: Vec<String>,
    /// true to opt the lead out of all messages, false to opt back in.
    #[arg(long, value_name = "BOOL")]
    do_not_contact: Option<bool>,
    /// Why the lead opted out (or back in), with --do-not-contact.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true, requires = "do_not_contact")]
    reason: Option<String>,
}

pub fn run(env: &mut Env, cmd: LeadCmd) -> CliResult {
    match cmd {
        LeadCmd::Add(a) => {
            let new = NewLead {
                first_name: a.first_name,
                last_name: a.last_name,
                email: a.email,
                phone: a.phone,
                company: a.company,
                title: a.title,
                source: a.source,
                industry: a.industry,
                company_size: a.company_size,
                product_interest: a.product_interest,
                profile_url: a.profile_url,
                tags: a.tags,
                owner: a.owner,
                notes: a.notes,
                ..Default::default()
            };
            let (id, shared) = env.store.write(|db| {
                let id = leads::create(db, new)?;
                Ok((id.clone(), leads::sharing_contact(db, &id)?))
            })?;
            if let Some(said) = shared {
                eprintln!("note: {said}; `leadline dedupe` tells if they are one person");
            }
            println!("{id}");
        }
        LeadCmd::List(a) => {
            let query = LeadQuery {
                filter: LeadFilter {
                    tag: a.tag,
                    stage: a.stage,
                    source: a.source,
                    owner: a.owner,
                    lifecycle: a
                        .lifecycle
                        .as_deref()
                        .map(|l| super::flag::<Lifecycle>(l, "--lifecycle"))
                        .transpose()?,
                    text: None,
                    created_within: None,
                    contactable: contactable_flag(a.contactable, a.opted_out),
                },
                sort: super::flag::<LeadSort>(&a.sort, "--sort")?,
                after: None,
                limit: a.limit.saturating_add(1),
            };
            env.fresh_scores()?;
            // One snapshot for every page: a write meanwhile neither repeats nor skips a lead.
            let _snapshot = env.store.conn().unchecked_transaction().map_err(crate::store::StoreError::from)?;
            let db = env.store.db();
            let mut pages = Pages::start(&db, query, a.limit)?;
            if a.json {
                super::output::print_json_pages(&mut pages)?;
            } else {
                print_pages(&db, &mut pages)?;
            }
            if pages.cut {
                eprintln!("note: the first {} shown; pass --limit N for more", a.limit);
            }
        }
        LeadCmd::Show { lead, json } => {
            env.fresh_scores()?;
            let db = env.store.db();
            let id = leads::resolve(&db, &lead)?;
            let lead = leads::get(&db, &id)?;
            let timeline = timeline::for_lead(&db, &id)?;
            let (_, health, priority) = crate::scoring::facts::stored_scores(&db, &id)?.unwrap_or((0, None, 0));
            let client = crate::automation::clients::profile(&db, &id)?;
            if json {
                return print_json(&serde_json::json!({
                    "lead": lead, "health": health, "priority": priority, "client_profile": client, "timeline": timeline,
                }));
            }
            print_lead(&lead, env);
            let merges = crate::io::dedupe::history(&db, &id)?.len();
            if merges > 0 {
                let how =
                    format!("{merges} {} (`leadline dedupe --explain {id}`)", super::output::plural(merges, "lead"));
                println!("{:<18}{how}", "merged from");
            }
            print_customer(&lead, health, priority, client.as_ref(), env);
            print_timeline(&timeline, env);
        }
        LeadCmd::Edit(a) => {
            let a = *a;
            let patch = LeadPatch {
                first_name: a.first_name,
                last_name: a.last_name,
                email: a.email,
                phone: a.phone,
                company: a.company,
                title: a.title,
                source: a.source,
                industry: a.industry,
                company_size: a.company_size,
                product_interest: a.product_interest,
                profile_url: a.profile_url,
                owner: a.owner,
                lifecycle: a.lifecycle.as_deref().map(|l| super::flag::<Lifecycle>(l, "--lifecycle")).transpose()?,
                notes: a.notes,
                tags: None,
                add_tags: a.add_tags,
                remove_tags: a.remove_tags,
                add_emails: a.add_emails,
                remove_emails: a.remove_emails,
                do_not_contact: a.do_not_contact,
                do_not_contact_reason: a.reason,
                do_not_contact_at: None,
                opt_out_logged_as: None,
            };
            if patch.is_empty() {
                return Err(super::CliError::Usage(
                    "lead edit: give at least one field to change, e.g. --title".into(),
                ));
            }
            let untag = patch.remove_tags.clone();
            let (id, name, had) = env.store.write(|db| {
                let id = leads::resolve(db, &a.lead)?;
                let before = leads::get(db, &id)?;
                crate::automation::clients::edit(db, &id, patch)?;
                Ok((id, before.name(), before.tags))
            })?;
            // A tag taken off that the lead never had is most likely mistyped: said, not an error.
            let absent: Vec<String> = untag
                .iter()
                .filter_map(|t| crate::domain::lead::normalize_tag(t).ok())
                .filter(|t| !had.contains(t))
                .map(|t| format!("'{t}'"))
                .collect();
            if !absent.is_empty() {
                eprintln!("note: {} had no tag {}: nothing to take off", super::output::safe(&name), absent.join(", "));
            }
            println!("{id}");
        }
        LeadCmd::Rm { lead } => {
            let id = env.store.write(|db| {
                let id = leads::resolve(db, &lead)?;
                leads::remove(db, &id)?;
                Ok(id)
            })?;
            println!("{id}");
        }
        LeadCmd::Churn { lead, reason } => {
            let id = env.store.write(|db| {
                let id = leads::resolve(db, &lead)?;
                crate::automation::clients::churn(db, &id, reason.as_deref())?;
                Ok(id)
            })?;
            println!("{id}");
        }
        LeadCmd::Touch { lead, at } => {
            let at = match at {
                Some(t) => env.past_time(&t, "--at")?,
                None => env.now(),
            };
            // Said once the contact is recorded (a refused one was not).
            let mut said = Vec::new();
            let id = env
                .store
                .write(|db| {
                    let id = leads::resolve(db, &lead)?;
                    if let Some(why) = crate::io::privacy::contact_warning(db, &id)? {
                        said.push(format!("warning: {why}; recorded anyway, since the contact has already happened"));
                    }
                    // The lead keeps its latest contact: an earlier one changes nothing, and the rep hears so.
                    if let Some(last) = leads::get(db, &id)?.last_contacted_at.filter(|last| *last > at) {
                        said.push(format!(
                            "note: last contacted later, {}; the lead keeps that",
                            last.zoned(db.ctx.tz)
                        ));
                    }
                    leads::touch(db, &id, at)?;
                    Ok(id)
                })
                .map_err(|e| super::of_flag(e, "occurred_at", "--at"))?;
            said.iter().for_each(|s| eprintln!("{s}"));
            println!("{id}");
        }
    }
    Ok(())
}

pub fn last_contact(lead: &Lead, now: Timestamp) -> String {
    lead.last_contacted_at.map(|t| ago(t, now)).unwrap_or_else(|| "never".into())
}

pub fn print_lead_table(db: &Db<'_>, rows: &[Lead]) -> CliResult {
    let t = lead_table(db, rows, &crate::store::PagedShortIds::default())?;
    if t.is_empty() {
        println!("no leads match");
    } else {
        t.print();
    }
    Ok(())
}

/// A lead's name as a list shows it: marked ⊘ when they asked not to be contacted, as the TUI marks them.
pub(super) fn marked_name(name: &str, do_not_contact: bool) -> String {
    match do_not_contact {
        true => format!("⊘ {name}"),
        false => name.to_string(),
    }
}

/// `--contactable` / `--opted-out` as a list's filter.
pub(super) fn contactable_flag(contactable: bool, opted_out: bool) -> Option<bool> {
    match (contactable, opted_out) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    }
}

fn lead_table(db: &Db<'_>, rows: &[Lead], short: &crate::store::PagedShortIds) -> CliResult<Table> {
    let now = db.now;
    let mut t = Table::new(&["ID", "NAME", "COMPANY", "SCORE", "STAGE", "LAST CONTACT", "OWNER", "TAGS"]);
    let ids = short.of(db, "leads", &rows.iter().map(|l| l.id.as_str()).collect::<Vec<_>>())?;
    for (l, id) in rows.iter().zip(ids) {
        t.row(vec![
            id,
            marked_name(&l.name(), l.do_not_contact),
            opt(&l.company),
            l.score.to_string(),
            opt(&l.stage),
            last_contact(l, now),
            opt(&l.owner),
            l.tags.join(","),
        ]);
    }
    Ok(t)
}

/// Leads a list prints at a time: `lead list --limit 1000000` holds a page in memory, not the million.
const LIST_PAGE: usize = 2_000;

/// The leads of a list query up to its limit, read page by page.
pub(super) struct Pages<'a> {
    db: &'a Db<'a>,
    query: LeadQuery,
    left: usize,
    /// More leads match than the limit lets through.
    pub(super) cut: bool,
    done: bool,
    /// The first page, read before anything is printed: a filter naming nothing (an unknown owner or
    /// stage) is an error with nothing on standard output, not half a JSON array.
    first: Option<Vec<Lead>>,
}

impl<'a> Pages<'a> {
    pub(super) fn start(db: &'a Db<'a>, query: LeadQuery, limit: usize) -> crate::store::Result<Self> {
        use super::output::PageSource;
        let mut pages = Self { db, query, left: limit, cut: false, done: false, first: None };
        pages.first = pages.next_page()?;
        Ok(pages)
    }
}

impl super::output::PageSource for Pages<'_> {
    type Item = Lead;

    fn next_page(&mut self) -> crate::store::Result<Option<Vec<Lead>>> {
        if let Some(first) = self.first.take() {
            return Ok(Some(first));
        }
        if self.done || self.left == 0 {
            return Ok(None);
        }
        // One lead past the page says whether more follow.
        let want = self.left.min(LIST_PAGE);
        let mut rows = leads::list(self.db, &LeadQuery { limit: want + 1, ..self.query.clone() })?;
        let more = rows.len() > want;
        rows.truncate(want);
        self.left -= rows.len();
        self.done = !more;
        self.cut = more && self.left == 0;
        self.query.after = rows.last().map(|l| self.query.sort.cursor_of(l));
        Ok((!rows.is_empty()).then_some(rows))
    }
}

/// Prints the pages as one table, aligned as its first page is (a wider cell further down only pushes
/// its own row).
fn print_pages(db: &Db<'_>, pages: &mut Pages<'_>) -> CliResult {
    let short = crate::store::PagedShortIds::default();
    super::output::print_table_pages(pages, "no leads match", |rows| lead_table(db, rows, &short))
}

fn print_lead(l: &Lead, env: &Env) {
    let tz = env.store.ctx().tz;
    let now = env.now();
    let field = |name: &str, value: &str| {
        if !value.is_empty() {
            print_field(name, value);
        }
    };
    field("name", &l.name());
    field("id", l.id.as_str());
    field("email", &opt(&l.email));
    field("other e-mails", &l.other_emails.join(", "));
    field("phone", &opt(&l.phone));
    field("company", &opt(&l.company));
    field("title", &opt(&l.title));
    field("source", &opt(&l.source));
    field("industry", &opt(&l.industry));
    field("company size", &opt(&l.company_size));
    field("product interest", &opt(&l.product_interest));
    field("profile", &opt(&l.profile_url));
    field("tags", &l.tags.join(", "));
    field("owner", &opt(&l.owner));
    field("lifecycle", &l.lifecycle);
    field("score", &l.score.to_string());
    field("stage", &opt(&l.stage));
    let contact = match l.last_contacted_at {
        Some(t) => format!("{} ({})", t.local(tz), ago(t, now)),
        None => "never".into(),
    };
    field("last contact", &contact);
    if l.do_not_contact {
        let when = l.do_not_contact_at.map(|t| t.local(tz)).unwrap_or_default();
        field("do not contact", &format!("yes, since {when} {}", opt(&l.do_not_contact_reason)));
    }
    field("notes", &opt(&l.notes));
    field("created", &l.created_at.local(tz));
}

/// What customer success reads of a customer (or a churned one): health, priority, and the client profile
/// the won deal filled.
fn print_customer(l: &Lead, health: Option<i64>, priority: i64, client: Option<&ClientProfile>, env: &Env) {
    let tz = env.store.ctx().tz;
    let field = |name: &str, value: &str| {
        if !value.is_empty() {
            print_field(name, value);
        }
    };
    if let Some(h) = health {
        field("health", &h.to_string());
    }
    if l.lifecycle != "lead" || health.is_some() {
        field("priority", &priority.to_string());
    }
    let Some(c) = client else { return };
    if let Some(won) = c.won_at {
        field("customer since", &won.local(tz));
    }
    field("plan", &opt(&c.plan));
    field("product", &opt(&c.product));
    field("came from", &opt(&c.origin_source));
    if let Some(at) = c.churned_at.filter(|_| c.status == "churned") {
        field("churned", format!("{} {}", at.local(tz), opt(&c.churn_reason)).trim_end());
    }
}

fn print_timeline(timeline: &[Entry], env: &Env) {
    let tz = env.store.ctx().tz;
    println!();
    if timeline.is_empty() {
        println!("no history yet");
        return;
    }
    println!("timeline (newest first)");
    for e in timeline {
        println!("  {}  {}", e.at().local(tz), safe(&describe(e, env)));
    }
}

/// One line of a timeline entry, as the CLI and the TUI show it.
pub fn describe(e: &Entry, env: &Env) -> String {
    crate::store::timeline::describe(e, env.store.ctx().tz)
}
