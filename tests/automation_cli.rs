//! Scoring and every default automation rule, through the real binary on a real SQLite file.
//! Time is a parameter: each command runs at a chosen instant (`LEADLINE_NOW`, `--at`).

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

struct Crm {
    _dir: tempfile::TempDir,
    db: PathBuf,
    config: PathBuf,
}

/// 2026-11-02 (a Monday) 09:00 UTC plus `hours`.
fn at(hours: i64) -> String {
    let base = chrono::DateTime::parse_from_rfc3339("2026-11-02T09:00:00.000Z").unwrap();
    (base + chrono::Duration::hours(hours)).to_rfc3339()
}

impl Crm {
    fn new(config: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("crm.db");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, config).unwrap();
        Self { _dir: dir, db, config: path }
    }

    fn cmd(&self, hour: i64, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("leadline").unwrap();
        for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("LEADLINE_")) {
            c.env_remove(k);
        }
        c.env("LEADLINE_DB", &self.db).env("LEADLINE_CONFIG", &self.config).env("LEADLINE_NOW", at(hour));
        c.args(args);
        c
    }

    /// Runs a command that must succeed; returns its stdout, trimmed.
    fn ok(&self, hour: i64, args: &[&str]) -> String {
        let out = self.cmd(hour, args).output().unwrap();
        assert!(out.status.success(), "{args:?} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    fn json(&self, hour: i64, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(hour, args)).unwrap()
    }

    /// Runs a command that must fail; returns its stderr.
    fn fails(&self, hour: i64, args: &[&str]) -> String {
        let out = self.cmd(hour, args).output().unwrap();
        assert!(!out.status.success(), "{args:?} should have failed");
        String::from_utf8(out.stderr).unwrap()
    }

    fn sql(&self, query: &str) -> Vec<Vec<String>> {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        let mut stmt = conn.prepare(query).unwrap();
        let n = stmt.column_count();
        stmt.query_map([], |r| {
            (0..n)
                .map(|i| {
                    Ok(match r.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => String::new(),
                        rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                        rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                        other => format!("{other:?}"),
                    })
                })
                .collect()
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    fn tasks(&self, hour: i64) -> Vec<Value> {
        self.json(hour, &["task", "list", "--due", "all", "--json"]).as_array().unwrap().clone()
    }

    /// Ana again, as another record of hers (another address, the company's legal form): a pair for `dedupe`.
    fn ana_elsewhere(&self) {
        let args = ["lead", "add", "--first-name", "Ana", "--last-name", "Lopez", "--email", "ana.lopez@gmail.com"];
        self.ok(0, &[&args[..], &["--company", "Acme, Inc."]].concat());
    }

    /// A calendar file beside the database: one event `uid` at `start` (iCalendar UTC form) to which each of
    /// `who` answered `partstat`.
    fn invitation(&self, file: &str, uid: &str, start: &str, who: &[&str], partstat: &str) -> PathBuf {
        let attendees: String = who.iter().map(|w| format!("ATTENDEE;PARTSTAT={partstat}:mailto:{w}\r\n")).collect();
        let path = self.db.with_file_name(file);
        std::fs::write(
            &path,
            format!(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:{start}\r\nSUMMARY:Call\r\n\
                 {attendees}END:VEVENT\r\nEND:VCALENDAR\r\n"
            ),
        )
        .unwrap();
        path
    }

    fn ana(&self) -> String {
        self.ok(
            0,
            &[
                "lead",
                "add",
                "--first-name",
                "Ana",
                "--last-name",
                "López",
                "--email",
                "ana@acme.io",
                "--company",
                "Acme",
                "--industry",
                "saas",
            ],
        )
    }
}

fn score_of(crm: &Crm, hour: i64) -> i64 {
    crm.json(hour, &["lead", "show", "ana@acme.io", "--json"])["lead"]["score"].as_i64().unwrap()
}

#[test]
fn playbook_scores_are_kept_current_and_explained() {
    let crm = Crm::new("");
    crm.ana();
    // Profile match (saas) alone.
    assert_eq!(score_of(&crm, 0), 2);
    crm.ok(0, &["log", "email", "ana@acme.io", "--note", "intro with their growth numbers", "--cited-metric"]);
    assert_eq!(score_of(&crm, 0), 2 + 2 + 1);
    crm.ok(5, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
    assert_eq!(score_of(&crm, 5), 8);
    let e = crm.json(5, &["score", "ana@acme.io", "--explain", "--json"]);
    assert_eq!(e["score"], 8);
    let rules = e["rules"].as_array().unwrap();
    let points = |name: &str| rules.iter().find(|r| r["rule"] == name).unwrap()["points"].as_i64().unwrap();
    assert_eq!(points("positive reply"), 3);
    assert_eq!(points("cited a public metric"), 2);
    assert_eq!(points("profile match"), 2);
    assert_eq!(points("active in the last 7 days"), 1);
    assert_eq!(points("negative reply"), 0);
    let text = crm.ok(5, &["score", "ana@acme.io"]);
    assert!(text.contains("score 8") && text.contains("+3") && text.contains("positive reply"), "{text}");

    // 7 days later (minus a minute) the recency point holds; a day later it is gone once time is refreshed.
    crm.ok(5 + 7 * 24 - 1, &["automate", "run"]);
    assert_eq!(score_of(&crm, 5 + 7 * 24 - 1), 8);
    let later = 5 + 8 * 24;
    assert_eq!(crm.json(later, &["score", "ana@acme.io", "--json"])["score"], 7, "live evaluation sees time pass");
    crm.ok(later, &["automate", "run"]);
    assert_eq!(score_of(&crm, later), 7, "automate run stores the refreshed score");

    // A negative reply costs 2 at once (and is recent again: +1).
    crm.ok(later, &["log", "call", "ana@acme.io", "--phone", "+34 600 111 222", "--inbound", "--reply", "negative"]);
    assert_eq!(score_of(&crm, later), 6);

    // The ranking and a recompute agree with the stored scores.
    crm.ok(later, &["lead", "add", "--first-name", "Bo", "--email", "bo@x.io"]);
    let ranking = crm.json(later, &["score", "--json"]);
    assert_eq!(ranking[0]["name"], "Ana López");
    assert_eq!(ranking[1]["score"], 0);
    let r = crm.json(later, &["score", "--recompute", "--json"]);
    assert_eq!((r["leads"].as_i64(), r["changed"].as_i64()), (Some(2), Some(0)));

    // The rules change in the config: the next read scores every lead under them, and says so.
    std::fs::write(&crm.config, "[[scoring.rule]]\nname = \"anyone\"\nwhen = \"outreach = 0\"\nweight = 3\n").unwrap();
    let out = crm.cmd(later, &["lead", "list", "--json"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("the scoring rules changed"), "{out:?}");
    let bo = crm.json(later, &["lead", "show", "bo@x.io", "--json"]);
    assert_eq!(bo["lead"]["score"], 3, "scored under the new rules");
    // Under the same rules again, nothing is scored again and nothing is said.
    let out = crm.cmd(later + 2, &["lead", "list", "--json"]).output().unwrap();
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn user_rules_and_malformed_rules() {
    let crm = Crm::new(
        "[[scoring.rule]]\nname = \"emails\"\nper = \"outreach.email.outbound\"\nweight = 2\ncap = 5\n\n\
         [[scoring.rule]]\nname = \"hot tag\"\nwhen = \"tags has hot and deal.stage >= Proposal\"\nweight = 4\n",
    );
    crm.ana();
    for h in 0..4 {
        crm.ok(h, &["log", "email", "ana@acme.io"]);
    }
    assert_eq!(score_of(&crm, 4), 5, "capped at 5");
    crm.ok(4, &["lead", "edit", "ana@acme.io", "--tag", "hot"]);
    crm.ok(4, &["deal", "add", "ana@acme.io", "--title", "Acme", "--stage", "Proposal"]);
    assert_eq!(score_of(&crm, 4), 9);

    let bad = Crm::new("[[scoring.rule]]\nname = \"vip\"\nwhen = \"tags = vip\"\nweight = 2\n");
    let err = bad.fails(0, &["score"]);
    assert!(err.contains("scoring.rule 'vip'") && err.contains("has"), "{err}");
    let bad = Crm::new(
        "[[automation.rule]]\nname = \"nag\"\ntrigger = \"no_reply\"\nactions = [{ do = \"task\", title = \"x\" }]\n",
    );
    let err = bad.fails(0, &["automate", "run"]);
    assert!(err.contains("automation.rule 'nag'") && err.contains("hours"), "{err}");
    // A word the rule's trigger never fills in would always read "not given".
    let bad = Crm::new(
        "[[automation.rule]]\nname = \"thanks\"\ntrigger = \"reply\"\n\
         actions = [{ do = \"task\", title = \"Thank {lead} ({reason})\" }]\n",
    );
    let err = bad.fails(0, &["config", "check"]);
    assert!(err.contains("automation.rule 'thanks'") && err.contains("{reason} is filled in only for"), "{err}");
}

/// A pipeline renamed in another case leaves deals at stages it no longer has (the board and `config check`
/// say so): a full rescore reads them so too, as each write's rescore and `--explain` do. A stage typed in a
/// rule is read in any case.
#[test]
fn a_deal_at_a_stage_in_another_case_scores_the_same_every_way() {
    let crm = Crm::new("");
    crm.ana();
    crm.ok(0, &["deal", "add", "ana@acme.io", "--title", "Acme", "--stage", "Proposal"]);
    std::fs::write(
        &crm.config,
        "[pipeline]\nstages = [\"new\", \"proposal\", \"won\", \"lost\"]\nwon_stage = \"won\"\nlost_stage = \"lost\"\n\
         [[automation.rule]]\nname = \"none\"\ntrigger = \"reply\"\nactions = [{ do = \"notify\", title = \"x\" }]\n\
         [[scoring.rule]]\nname = \"late stage\"\nwhen = \"deal.stage >= PROPOSAL\"\nweight = 5\n",
    )
    .unwrap();
    crm.ok(1, &["score", "--recompute"]);
    let explained = crm.json(1, &["score", "ana@acme.io", "--explain", "--json"]);
    assert_eq!(score_of(&crm, 1), 0, "{explained}");
    // The rule holds once the deal is at the pipeline's stage.
    crm.ok(2, &["deal", "add", "ana@acme.io", "--title", "Acme 2", "--stage", "proposal"]);
    assert_eq!(score_of(&crm, 2), 5);
    crm.ok(3, &["score", "--recompute"]);
    assert_eq!(score_of(&crm, 3), 5);
}

#[test]
fn a_lost_deal_or_a_no_show_rule_says_the_reason_given() {
    let crm = Crm::new(
        "[[automation.rule]]\nname = \"post-mortem\"\ntrigger = \"deal_lost\"\n\
         actions = [{ do = \"task\", kind = \"other\", title = \"Lost {deal} ({reason})\" }]\n\
         [[automation.rule]]\nname = \"why-missed\"\ntrigger = \"meeting_no_show\"\n\
         actions = [{ do = \"task\", kind = \"other\", title = \"{lead} missed it ({reason})\" }]\n",
    );
    crm.ana();
    crm.ok(0, &["deal", "add", "ana@acme.io", "--title", "Acme"]);
    crm.ok(1, &["deal", "lost", "Acme", "--reason", "went with a competitor"]);
    let meeting = crm.ok(1, &["meeting", "add", "ana@acme.io", "--at", &at(2)]);
    crm.ok(3, &["meeting", "no-show", &meeting, "--reason", "sick"]);
    let titles: Vec<String> = crm.tasks(3).iter().map(|t| t["title"].as_str().unwrap().to_string()).collect();
    assert!(titles.contains(&"Lost Acme (went with a competitor)".to_string()), "{titles:?}");
    assert!(titles.contains(&"Ana López missed it (sick)".to_string()), "{titles:?}");
}

#[test]
fn an_event_that_may_message_the_lead_is_not_written_for_one_who_opted_out() {
    let crm = Crm::new(
        "[[automation.rule]]\nname = \"email-them\"\ntrigger = \"no_reply\"\nhours = 48\n\
         actions = [{ do = \"event\", kind = \"SendFollowupEmail\", notice = \"Send follow-up to {lead}\" }]\n\
         [[automation.rule]]\nname = \"books\"\ntrigger = \"reply\"\n\
         actions = [{ do = \"event\", kind = \"ReplyLogged\", even_opted_out = true },\
                    { do = \"event\", kind = \"SendEmail\" }]\n",
    );
    crm.ana();
    crm.ok(0, &["lead", "add", "--first-name", "Dina", "--email", "dina@nc.io"]);
    crm.ok(0, &["log", "email", "ana@acme.io"]);
    crm.ok(0, &["log", "email", "dina@nc.io"]);
    crm.ok(1, &["privacy", "opt-out", "dina@nc.io", "--reason", "no thanks"]);
    let ran = crm.ok(50, &["automate", "run"]);
    assert!(ran.contains("Ana López") && !ran.contains("Dina"), "{ran}");
    crm.ok(51, &["log", "email", "dina@nc.io", "--inbound", "--reply", "info", "--note", "remove me"]);
    crm.ok(51, &["log", "email", "ana@acme.io", "--inbound", "--reply", "info"]);
    let events = crm.sql("SELECT e.kind, json_extract(e.payload, '$.lead.name') FROM events e ORDER BY e.kind, 2");
    let events: Vec<String> = events.iter().map(|e| format!("{} {}", e[0], e[1])).collect();
    assert_eq!(
        events,
        ["ReplyLogged Ana López", "ReplyLogged Dina", "SendEmail Ana López", "SendFollowupEmail Ana López"],
        "only the event that writes the lead nothing is kept for one who opted out"
    );
    let notices = crm.sql("SELECT title FROM inbox_items WHERE title LIKE 'Send follow-up%'");
    assert_eq!(notices, [["Send follow-up to Ana López"]]);
    // Ana opts out before her events go out: those that may write to her are withdrawn, and say she opted out.
    crm.ok(52, &["privacy", "opt-out", "ana@acme.io", "--reason", "later"]);
    let waiting = crm.sql(
        "SELECT kind, withdrawn_at IS NOT NULL, json_extract(payload, '$.lead.do_not_contact') FROM events
         WHERE json_extract(payload, '$.lead.name') = 'Ana López' ORDER BY kind",
    );
    assert_eq!(
        waiting,
        [["ReplyLogged", "0", "0"], ["SendEmail", "1", "1"], ["SendFollowupEmail", "1", "1"]],
        "{waiting:?}"
    );
    // Forgotten, she is nobody an event still to go out can be about: the one that writes her nothing goes
    // too. Dina's stays.
    crm.ok(53, &["forget", "ana@acme.io"]);
    let waiting = crm.sql("SELECT kind, last_error FROM events WHERE withdrawn_at IS NULL ORDER BY kind");
    assert_eq!(waiting, [["ReplyLogged", ""]], "{waiting:?}");
    let why = crm.sql("SELECT count(*) FROM events WHERE last_error = 'withdrawn: the person was forgotten'");
    assert_eq!(why, [["1"]]);
}

#[test]
fn a_missed_run_made_up_for_files_no_bump_for_a_lead_who_answered_since() {
    let crm = Crm::new("");
    crm.ana();
    crm.ok(0, &["lead", "add", "--first-name", "Bo", "--email", "bo@x.io"]);
    crm.ok(0, &["log", "email", "ana@acme.io"]);
    crm.ok(0, &["log", "email", "bo@x.io"]);
    // Bo answers after the 48 h wait, Ana not at all; the run due at 49 h is made up for at 60 h.
    crm.ok(52, &["log", "email", "bo@x.io", "--inbound", "--reply", "positive"]);
    let dry = crm.json(60, &["automate", "run", "--at", &at(49), "--dry-run", "--json"]);
    let leads: Vec<&str> = dry["actions"].as_array().unwrap().iter().map(|a| a["lead"].as_str().unwrap()).collect();
    assert_eq!(leads, ["Ana López"], "{dry}");
    let out = crm.ok(60, &["automate", "run", "--at", &at(49)]);
    assert!(out.contains("Ana López") && !out.contains("Bo"), "{out}");
    let open: Vec<String> = crm.tasks(60).iter().map(|t| t["title"].as_str().unwrap().to_string()).collect();
    assert_eq!(open.len(), 1, "{open:?}");
    assert!(open[0].contains("Ana"), "{open:?}");
}

#[test]
fn no_reply_within_48h_makes_one_bump_task_on_the_same_channel() {
    let crm = Crm::new("");
    crm.ana();
    crm.ok(0, &["lead", "add", "--first-name", "Bo", "--email", "bo@x.io"]);
    crm.ok(0, &["log", "social", "ana@acme.io", "--url", "https://linkedin.com/in/ana"]);
    crm.ok(0, &["log", "email", "bo@x.io"]);
    // Bo answers after a day: no bump for him.
    crm.ok(24, &["log", "email", "bo@x.io", "--inbound", "--reply", "negative"]);

    assert!(crm.ok(47, &["automate", "run"]).contains("nothing to do"));
    assert!(crm.tasks(47).is_empty());

    let dry = crm.json(49, &["automate", "run", "--dry-run", "--json"]);
    assert_eq!(dry["actions"].as_array().unwrap().len(), 1);
    // A time before now is written as every other command takes it, with its minus sign.
    let before = crm.json(49, &["automate", "run", "--at", "-2h", "--dry-run", "--json"]);
    assert!(before["actions"].as_array().unwrap().is_empty(), "{before}");
    assert!(crm.tasks(49).is_empty(), "a dry run writes nothing");

    // A time ahead is a rehearsal only: written, it would file a bump whose wait has not passed.
    let err = crm.cmd(0, &["automate", "run", "--at", &at(49)]).assert().code(2).get_output().stderr.clone();
    assert!(String::from_utf8_lossy(&err).contains("is ahead of now"));
    assert!(crm.tasks(49).is_empty());
    // A run missed at 49 h, made up for later, files it as of then.
    let out = crm.ok(55, &["automate", "run", "--at", &at(49)]);
    assert!(out.contains("bump-after-48h"), "{out}");
    let tasks = crm.tasks(49);
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0]["kind"], "bump");
    assert_eq!(tasks[0]["channel"], "social");
    assert_eq!(tasks[0]["lead_name"], "Ana López");

    // Again, later, and after another run: still one task.
    crm.ok(49, &["automate", "run"]);
    crm.ok(60, &["automate", "run"]);
    assert_eq!(crm.tasks(60).len(), 1);
    let keys = crm.sql("SELECT dedupe_key FROM tasks");
    assert!(keys[0][0].starts_with("bump-after-48h:"), "{keys:?}");

    // A touch logged late, with a time already past its 48 hours, is still caught by the next run.
    crm.ok(61, &["lead", "add", "--first-name", "Cy", "--email", "cy@x.io"]);
    crm.ok(61, &["log", "email", "cy@x.io", "--at", &at(5)]);
    crm.ok(62, &["automate", "run"]);
    let tasks = crm.tasks(62);
    assert_eq!(tasks.len(), 2, "{tasks:?}");
    assert!(tasks.iter().any(|t| t["lead_name"] == "Cy" && t["channel"] == "email"));

    // Two touches in the same minute are one silence: one bump, on the touch logged last.
    crm.ok(63, &["lead", "add", "--first-name", "Di", "--email", "di@x.io"]);
    crm.ok(63, &["log", "email", "di@x.io", "--at", &at(63)]);
    crm.ok(63, &["log", "social", "di@x.io", "--url", "https://linkedin.com/in/di", "--at", &at(63)]);
    crm.ok(112, &["automate", "run"]);
    let di: Vec<Value> = crm.tasks(112).into_iter().filter(|t| t["lead_name"] == "Di").collect();
    assert_eq!(di.len(), 1, "{di:?}");
    assert_eq!(di[0]["channel"], "social");

    // The bump sent (another touch) is the bump done: 48 hours of silence later there is one, not two.
    // The touch removed (logged on the wrong lead), the bump is owed again; logged again, done again.
    let wrong = crm.ok(113, &["log", "email", "di@x.io", "--note", "bumped"]);
    assert!(crm.tasks(113).iter().all(|t| t["lead_name"] != "Di"), "{:?}", crm.tasks(113));
    crm.ok(113, &["unlog", &wrong]);
    assert_eq!(crm.tasks(113).iter().filter(|t| t["lead_name"] == "Di").count(), 1);
    crm.ok(113, &["log", "email", "di@x.io", "--note", "bumped"]);
    assert!(crm.tasks(113).iter().all(|t| t["lead_name"] != "Di"), "{:?}", crm.tasks(113));
    // A reminder of the rep's own for later is not done by an unrelated touch.
    crm.ok(113, &["task", "add", "di@x.io", "--title", "Bump re pricing", "--kind", "bump", "--due", "+7d"]);
    crm.ok(114, &["log", "call", "di@x.io", "--phone", "+34 600 00 00 01"]);
    assert!(crm.tasks(114).iter().any(|t| t["title"] == "Bump re pricing"), "{:?}", crm.tasks(114));
    crm.ok(164, &["automate", "run"]);
    let di: Vec<Value> =
        crm.tasks(164).into_iter().filter(|t| t["lead_name"] == "Di" && t["title"] != "Bump re pricing").collect();
    assert_eq!(di.len(), 1, "{di:?}");
    assert_eq!(di[0]["channel"], "call");
}

#[test]
fn a_touch_taken_back_takes_back_what_it_did() {
    let crm = Crm::new("");
    crm.ana();
    crm.ok(0, &["log", "email", "ana@acme.io"]);
    crm.ok(49, &["automate", "run"]);
    assert_eq!(crm.tasks(49).len(), 1, "the bump");
    // A reply logged on her by mistake closes the bump and lands in the inbox; taken back, neither stays.
    let reply = crm.ok(50, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
    assert!(crm.tasks(50).is_empty());
    crm.ok(50, &["unlog", &reply]);
    assert_eq!(crm.tasks(50).len(), 1, "the bump is owed again");
    let inbox = crm.json(50, &["inbox", "--json"]);
    assert!(inbox.as_array().unwrap().is_empty(), "{inbox}");
    // A touch that rules filed a task for, taken back, takes that task with it; the bump it had done (the
    // first touch's) is owed again.
    let first_bump = crm.tasks(50)[0]["id"].clone();
    let touch = crm.ok(51, &["log", "email", "ana@acme.io"]);
    crm.ok(100, &["automate", "run"]);
    let tasks = crm.tasks(100);
    assert_eq!(tasks.len(), 1, "the new bump, for the new touch");
    assert_ne!(tasks[0]["id"], first_bump);
    crm.ok(100, &["unlog", &touch]);
    let tasks = crm.tasks(100);
    assert_eq!(tasks.iter().map(|t| t["id"].clone()).collect::<Vec<_>>(), [first_bump], "{tasks:?}");
    // A touch a deal came from, taken back, is no longer its origin; winning it still works.
    let origin = crm.ok(101, &["log", "call", "ana@acme.io", "--phone", "+34 600 11 22 33"]);
    crm.ok(101, &["deal", "add", "ana@acme.io", "--title", "Pilot", "--from-outreach", &origin]);
    let acquired = |crm: &Crm| -> (i64, usize) {
        let conn = rusqlite::Connection::open(&crm.db).unwrap();
        let pending = conn
            .query_row(
                "SELECT count(*) FROM events WHERE kind = 'LeadAcquired' AND delivered_at IS NULL AND withdrawn_at IS NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let notices = crm.json(101, &["inbox", "--json"]).as_array().unwrap().len();
        (pending, notices)
    };
    assert_eq!(acquired(&crm), (1, 1), "the lead acquired through the touch, told and waiting to go out");
    crm.ok(101, &["unlog", &origin]);
    let deals = crm.json(101, &["deal", "list", "--json"]);
    assert_eq!(deals[0]["origin_outreach_id"], Value::Null);
    assert_eq!(acquired(&crm), (0, 0), "what tells of the touch taken back does not go out");
    crm.ok(102, &["deal", "won", "Pilot"]);
    // A forgotten person's touches stay as they are.
    let last = crm.ok(103, &["log", "email", "ana@acme.io"]);
    crm.ok(103, &["forget", "ana@acme.io"]);
    assert!(crm.fails(103, &["unlog", &last]).contains("forgotten"));
}

/// A touch a deal came from, taken back: the lead acquired through it is not told, the deal's win is.
#[test]
fn a_touch_taken_back_withdraws_what_it_made_not_what_the_deal_did_since() {
    let crm = Crm::new(
        "[[automation.rule]]\nname = \"won-event\"\ntrigger = \"deal_won\"\n\
         actions = [{ do = \"event\", kind = \"DealWon\", notice = \"Won: {lead} ({deal})\" }]\n\
         [[automation.rule]]\nname = \"lead-acquired\"\ntrigger = \"deal_created\"\nconditions = [\"deal.from_outreach\"]\n\
         actions = [{ do = \"event\", kind = \"LeadAcquired\", notice = \"Lead acquired: {lead} ({deal})\" }]\n",
    );
    crm.ana();
    let origin = crm.ok(1, &["log", "call", "ana@acme.io", "--phone", "+34 600 11 22 33"]);
    crm.ok(1, &["deal", "add", "ana@acme.io", "--title", "Pilot", "--from-outreach", &origin]);
    crm.ok(2, &["deal", "won", "Pilot"]);
    let pending = |crm: &Crm| {
        crm.sql("SELECT kind FROM events WHERE delivered_at IS NULL AND withdrawn_at IS NULL ORDER BY kind")
            .into_iter()
            .map(|r| r[0].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(pending(&crm), ["DealWon", "LeadAcquired"]);
    crm.ok(3, &["unlog", &origin]);
    assert_eq!(pending(&crm), ["DealWon"]);
    let inbox = crm.json(3, &["inbox", "--json"]);
    let titles: Vec<&str> = inbox.as_array().unwrap().iter().filter_map(|i| i["title"].as_str()).collect();
    assert!(
        titles.iter().any(|t| t.starts_with("Won:")) && !titles.iter().any(|t| t.starts_with("Lead acquired")),
        "{titles:?}"
    );
}

/// A notice a reply's rule filed goes with the reply when it is taken back: nobody is asked to answer a
/// reply that never came.
#[test]
fn a_notice_made_for_a_reply_goes_with_it() {
    let crm = Crm::new(
        "[[automation.rule]]\nname = \"notify-reply\"\ntrigger = \"reply\"\n\
         actions = [{ do = \"notify\", title = \"Answer {lead}\" }]\n",
    );
    crm.ana();
    let reply = crm.ok(1, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive", "--note", "yes"]);
    let titles = |crm: &Crm| -> Vec<String> {
        let inbox = crm.json(1, &["inbox", "--json"]);
        inbox.as_array().unwrap().iter().filter_map(|i| i["title"].as_str().map(str::to_string)).collect()
    };
    assert!(titles(&crm).iter().any(|t| t == "Answer Ana López"), "{:?}", titles(&crm));
    crm.ok(2, &["unlog", &reply]);
    assert!(titles(&crm).is_empty(), "{:?}", titles(&crm));
}

/// A note a reply's rule wrote goes with the reply when it is taken back; the rep's own note, and a note
/// the rule wrote for another reply, stay.
#[test]
fn a_note_written_for_a_reply_goes_with_it() {
    let crm = Crm::new(
        "[[automation.rule]]\nname = \"note-reply\"\ntrigger = \"reply\"\n\
         actions = [{ do = \"note\", body = \"{lead} answered on {channel}\" }]\n",
    );
    crm.ana();
    let first = crm.ok(1, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
    crm.ok(2, &["note", "ana@acme.io", "Prefers calls"]);
    crm.ok(3, &["log", "call", "ana@acme.io", "--phone", "+34 600 111 222", "--inbound", "--reply", "info"]);
    let notes = |crm: &Crm| -> Vec<String> {
        let shown = crm.json(4, &["lead", "show", "ana@acme.io", "--json"]);
        let timeline = shown["timeline"].as_array().unwrap().clone();
        timeline.iter().filter(|e| e["type"] == "note").filter_map(|n| n["body"].as_str().map(str::to_string)).collect()
    };
    assert_eq!(notes(&crm).len(), 3, "{:?}", notes(&crm));
    crm.ok(4, &["unlog", &first]);
    let mut left = notes(&crm);
    left.sort();
    assert_eq!(left, ["Ana López answered on call", "Prefers calls"]);
}

/// An answer asking for more logged twice by mistake: taking back the first keeps the sequence step, now the
/// second answer's; taking back an answer when the step is done brings none back.
#[test]
fn a_sequence_step_stays_owed_while_an_answer_asking_for_it_is_left() {
    let crm = Crm::new("");
    crm.ana();
    let step = |crm: &Crm, hour: i64| -> Vec<String> {
        crm.tasks(hour).iter().map(|t| t["title"].as_str().unwrap_or_default().to_string()).collect()
    };
    let first = crm.ok(1, &["log", "email", "ana@acme.io", "--inbound", "--reply", "info"]);
    let second = crm.ok(1, &["log", "email", "ana@acme.io", "--inbound", "--reply", "info"]);
    assert_eq!(step(&crm, 1), ["Send e-mail sequence step 2 to Ana López"]);
    // Put off by the rep, it stays put off.
    let put_off = crm.tasks(1)[0]["id"].as_str().unwrap().to_string();
    crm.ok(1, &["task", "snooze", &put_off, "--until", &at(100)]);
    let snoozed = crm.tasks(1)[0]["snoozed_until"].clone();
    assert!(snoozed.is_string(), "{:?}", crm.tasks(1));
    crm.ok(2, &["unlog", &first]);
    assert_eq!(step(&crm, 2), ["Send e-mail sequence step 2 to Ana López"], "the second answer's step");
    assert_eq!(crm.tasks(2)[0]["snoozed_until"], snoozed);
    crm.ok(3, &["unlog", &second]);
    assert!(step(&crm, 3).is_empty(), "{:?}", step(&crm, 3));
    // The step done, an answer taken back owes nothing again.
    let third = crm.ok(4, &["log", "email", "ana@acme.io", "--inbound", "--reply", "info"]);
    let fourth = crm.ok(4, &["log", "email", "ana@acme.io", "--inbound", "--reply", "info"]);
    let task = crm.tasks(4)[0]["id"].as_str().unwrap().to_string();
    crm.ok(5, &["task", "done", &task]);
    crm.ok(6, &["unlog", &third]);
    crm.ok(6, &["unlog", &fourth]);
    assert!(step(&crm, 6).is_empty(), "{:?}", step(&crm, 6));
    // A step done is history: a later answer's step, put off and then taken back, leaves it as it was.
    crm.ok(20, &["log", "email", "ana@acme.io", "--inbound", "--reply", "info"]);
    let task = crm.tasks(20)[0]["id"].as_str().unwrap().to_string();
    crm.ok(21, &["task", "done", &task]);
    let done_before = crm.sql(&format!("SELECT due_at, ifnull(snoozed_until, '') FROM tasks WHERE id = '{task}'"));
    let later = crm.ok(30, &["log", "email", "ana@acme.io", "--inbound", "--reply", "info"]);
    let later_step = crm.tasks(30)[0]["id"].as_str().unwrap().to_string();
    crm.ok(30, &["task", "snooze", &later_step, "--until", &at(200)]);
    crm.ok(31, &["unlog", &later]);
    let done_after = crm.sql(&format!("SELECT due_at, ifnull(snoozed_until, '') FROM tasks WHERE id = '{task}'"));
    assert_eq!(done_after, done_before);
}

#[test]
fn a_task_on_its_own_channel_names_that_channel() {
    let crm = Crm::new(
        "[[automation.rule]]\nname = \"call-them\"\ntrigger = \"no_reply\"\nhours = 24\n\
         actions = [{ do = \"task\", kind = \"bump\", title = \"Bump {lead} on {channel}\", channel = \"call\" }]\n",
    );
    crm.ana();
    crm.ok(0, &["log", "email", "ana@acme.io"]);
    crm.ok(30, &["automate", "run"]);
    let titles: Vec<String> = crm.tasks(30).iter().map(|t| format!("{} {}", t["title"], t["channel"])).collect();
    assert!(titles.contains(&"\"Bump Ana López on call\" \"call\"".to_string()), "{titles:?}");
}

#[test]
fn no_show_makes_a_reschedule_task_due_in_24h() {
    let crm = Crm::new("");
    crm.ana();
    let meeting = crm.ok(0, &["meeting", "add", "ana@acme.io", "--at", &at(2)]);
    crm.ok(3, &["meeting", "no-show", &meeting, "--reason", "did not join"]);
    let tasks = crm.tasks(3);
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0]["kind"], "reschedule");
    assert_eq!(
        tasks[0]["due_at"],
        chrono::DateTime::parse_from_rfc3339(&at(27))
            .unwrap()
            .to_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    );
    // Marking it again does not add a second task.
    crm.ok(4, &["meeting", "no-show", &meeting]);
    assert_eq!(crm.tasks(4).len(), 1);
    // Corrected to attended, the reschedule is done; back to a no-show, it is owed again, once.
    crm.ok(5, &["meeting", "attended", &meeting]);
    assert!(crm.tasks(5).is_empty());
    crm.ok(6, &["meeting", "no-show", &meeting]);
    let tasks = crm.tasks(6);
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(tasks[0]["kind"], "reschedule");
    // A no-show whose next meeting is already booked owes no reschedule.
    crm.ok(6, &["lead", "add", "--first-name", "Noa", "--email", "noa@x.io"]);
    let missed = crm.ok(6, &["meeting", "add", "noa@x.io", "--at", &at(-20)]);
    crm.ok(6, &["meeting", "add", "noa@x.io", "--at", &at(40)]);
    crm.ok(6, &["meeting", "no-show", &missed]);
    assert!(crm.tasks(6).iter().all(|t| t["lead_name"] != "Noa"), "{:?}", crm.tasks(6));
    // Done by the rep, it stays done when the no-show is marked again (with a reason, say).
    crm.ok(7, &["task", "done", tasks[0]["id"].as_str().unwrap()]);
    crm.ok(8, &["meeting", "no-show", &meeting, "--reason", "sick"]);
    assert!(crm.tasks(8).is_empty(), "{:?}", crm.tasks(8));
    // Corrected once more after she opted out: nothing chases her.
    crm.ok(9, &["meeting", "attended", &meeting]);
    crm.ok(9, &["privacy", "opt-out", "ana@acme.io"]);
    crm.ok(10, &["meeting", "no-show", &meeting]);
    assert!(crm.tasks(10).is_empty(), "{:?}", crm.tasks(10));
}

#[test]
fn info_reply_enrols_in_email_sequence_step_2() {
    let crm = Crm::new("");
    crm.ana();
    crm.ok(0, &["log", "email", "ana@acme.io"]);
    crm.ok(2, &["log", "email", "ana@acme.io", "--inbound", "--reply", "info", "--note", "send pricing"]);
    let tasks = crm.tasks(2);
    assert_eq!(tasks.len(), 1);
    assert!(tasks[0]["title"].as_str().unwrap().starts_with("Send e-mail sequence step 2"), "{tasks:?}");
    assert_eq!(tasks[0]["origin"], "info-reply-sequence");
    assert_eq!(tasks[0]["channel"], "email");

    // Asking again before the step is done is the same step (whatever the lead is called by then); once it
    // is done, a new question enrols again.
    crm.ok(3, &["lead", "edit", "ana@acme.io", "--first-name", "Anabel"]);
    crm.ok(3, &["log", "email", "ana@acme.io", "--inbound", "--reply", "info", "--note", "and the contract?"]);
    assert_eq!(crm.tasks(3).len(), 1);
    let id = tasks[0]["id"].as_str().unwrap();
    crm.ok(4, &["task", "done", id]);
    // The lead's history tells a done task from an open one at a glance.
    let show = crm.ok(4, &["lead", "show", "ana@acme.io"]);
    assert!(show.lines().any(|l| l.contains("☑ task Send e-mail sequence step 2")), "{show}");
    crm.ok(5, &["log", "email", "ana@acme.io", "--inbound", "--reply", "info"]);
    assert_eq!(crm.tasks(5).len(), 1, "one open step after the new question");
    // A done step opens again, unless she has opted out since (it would write to her), or was forgotten.
    crm.ok(5, &["task", "reopen", id]);
    assert_eq!(crm.tasks(5).len(), 2);
    crm.ok(5, &["task", "done", id]);
    crm.ok(6, &["privacy", "opt-out", "ana@acme.io"]);
    let err = crm.fails(6, &["task", "reopen", id]);
    assert!(err.contains("opted out: task 'Send e-mail sequence step 2"), "{err}");
    assert_eq!(crm.tasks(6).len(), 0);
    // A task of the rep's own that reaches nobody opens again, whatever else the lead has open.
    crm.ok(6, &["task", "add", "ana@acme.io", "--title", "Chase her anyway", "--kind", "bump", "--due", "+1d"]);
    let own =
        crm.ok(6, &["task", "add", "ana@acme.io", "--title", "File the contract", "--kind", "other", "--due", "+1d"]);
    crm.ok(6, &["task", "done", &own]);
    crm.ok(6, &["task", "reopen", &own]);
    assert_eq!(crm.tasks(6).len(), 2);
    crm.ok(7, &["forget", "ana@acme.io"]);
    let err = crm.fails(7, &["task", "reopen", id]);
    assert!(err.contains("is about a lead who is gone"), "{err}");
}

#[test]
fn a_touch_taken_back_takes_back_the_deal_move_it_made_unless_the_deal_moved_since() {
    let crm = Crm::new("");
    crm.ana();
    let deal = crm.ok(0, &["deal", "add", "ana@acme.io", "--title", "Acme pilot"]);
    crm.ok(0, &["meeting", "add", "ana@acme.io", "--at", &at(30)]);
    // The meeting alone moves nothing here: the positive reply that comes with it does.
    crm.sql("UPDATE deals SET stage = 'New'");
    let reply = crm.ok(1, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
    assert_eq!(stage(&crm, &deal), "Discovery");
    let out = crm.cmd(2, &["unlog", &reply]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("deal 'Acme pilot' back from Discovery to New"), "{out:?}");
    assert_eq!(stage(&crm, &deal), "New", "the reply was logged on her by mistake");
    // Moved on by the rep after the touch, the deal stays where the rep put it.
    let reply = crm.ok(3, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
    assert_eq!(stage(&crm, &deal), "Discovery");
    crm.ok(4, &["deal", "move", "Acme pilot", "Proposal"]);
    crm.ok(5, &["unlog", &reply]);
    assert_eq!(stage(&crm, &deal), "Proposal");
    // Moved back by the rep and on again by another reply: that reply's move stays.
    crm.ok(6, &["deal", "move", "Acme pilot", "New"]);
    let first = crm.ok(7, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
    crm.ok(8, &["deal", "move", "Acme pilot", "New"]);
    crm.ok(9, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
    assert_eq!(stage(&crm, &deal), "Discovery");
    crm.ok(10, &["unlog", &first]);
    assert_eq!(stage(&crm, &deal), "Discovery");
    // Two replies, the second moving nothing (the deal was there): taking back the first leaves the
    // deal where the second would have put it.
    crm.ok(11, &["deal", "move", "Acme pilot", "New"]);
    let first = crm.ok(12, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
    crm.ok(13, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
    crm.ok(14, &["unlog", &first]);
    assert_eq!(stage(&crm, &deal), "Discovery");
}

#[test]
fn answers_taken_back_in_any_order_take_back_the_moves_they_earned() {
    let crm = Crm::new("");
    crm.ana();
    let deal = crm.ok(0, &["deal", "add", "ana@acme.io", "--title", "Acme"]);
    crm.ok(0, &["meeting", "add", "ana@acme.io", "--at", &at(30)]);
    crm.sql("UPDATE deals SET stage = 'New'");
    // The first answer moves the deal, the second moves nothing (it is there): the first taken back, the
    // second still earns the move; the second taken back too, nothing does.
    let first = crm.ok(1, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
    let second = crm.ok(2, &["log", "call", "ana@acme.io", "--phone", "+34 600 11 22 33", "--reply", "positive"]);
    crm.ok(3, &["unlog", &first]);
    assert_eq!(stage(&crm, &deal), "Discovery");
    crm.ok(4, &["unlog", &second]);
    assert_eq!(stage(&crm, &deal), "New");
    // One answer that moved a deal two stages (two rules) is taken back whole.
    let held = crm.ok(5, &["meeting", "add", "ana@acme.io", "--at", &at(4)]);
    crm.ok(6, &["meeting", "attended", &held]);
    crm.sql("UPDATE deals SET stage = 'New'");
    let reply = crm.ok(7, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
    assert_eq!(stage(&crm, &deal), "Proposal");
    crm.ok(8, &["unlog", &reply]);
    assert_eq!(stage(&crm, &deal), "New");
}

#[test]
fn a_touch_taken_back_takes_back_the_win_a_rule_made_of_it() {
    let crm = Crm::new(
        "[[automation.rule]]\nname = \"win-on-yes\"\ntrigger = \"reply\"\nconditions = [\"reply = positive\"]\n\
         actions = [{ do = \"advance_deal\", stage = \"Won\" }]\n\
         [[automation.rule]]\nname = \"won\"\ntrigger = \"deal_won\"\n\
         actions = [{ do = \"convert_customer\" }, { do = \"handoff_checklist\" }]\n",
    );
    crm.ana();
    let deal = crm.ok(0, &["deal", "add", "ana@acme.io", "--title", "Acme"]);
    let reply = crm.ok(1, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
    assert_eq!(stage(&crm, &deal), "Won");
    assert_eq!(crm.json(1, &["lead", "show", "ana@acme.io", "--json"])["lead"]["lifecycle"], "customer");
    crm.ok(2, &["unlog", &reply]);
    assert_eq!(stage(&crm, &deal), "New");
    assert_eq!(crm.json(2, &["lead", "show", "ana@acme.io", "--json"])["lead"]["lifecycle"], "lead");
}

fn stage(crm: &Crm, deal: &str) -> String {
    let deals = crm.json(100, &["deal", "list", "--json"]);
    deals.as_array().unwrap().iter().find(|d| d["id"] == deal).unwrap()["stage"].as_str().unwrap().to_string()
}

#[test]
fn deals_move_forward_by_themselves_never_backwards() {
    let crm = Crm::new("");
    crm.ana();
    let deal = crm.ok(0, &["deal", "add", "ana@acme.io", "--title", "Acme pilot"]);
    crm.ok(1, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
    assert_eq!(stage(&crm, &deal), "New", "a positive reply alone is not enough");
    let meeting = crm.ok(2, &["meeting", "add", "ana@acme.io", "--at", &at(26)]);
    assert_eq!(stage(&crm, &deal), "Discovery");
    crm.ok(27, &["meeting", "attended", &meeting]);
    assert_eq!(stage(&crm, &deal), "Proposal");
    crm.ok(30, &["deal", "pilot", "Acme pilot"]);
    assert_eq!(stage(&crm, &deal), "Pilot");

    // A deal further on stays where it is.
    crm.ok(30, &["lead", "add", "--first-name", "Bo", "--email", "bo@x.io"]);
    let late = crm.ok(30, &["deal", "add", "bo@x.io", "--title", "Bo deal", "--stage", "Negotiation"]);
    crm.ok(31, &["meeting", "add", "bo@x.io", "--at", &at(40)]);
    crm.ok(31, &["log", "email", "bo@x.io", "--inbound", "--reply", "positive"]);
    crm.ok(31, &["deal", "pilot", "Bo deal"]);
    assert_eq!(stage(&crm, &late), "Negotiation");

    // The pilot tag works as well as the command.
    crm.ok(32, &["lead", "add", "--first-name", "Cy", "--email", "cy@x.io"]);
    let tagged = crm.ok(32, &["deal", "add", "cy@x.io", "--title", "Cy deal", "--stage", "Contacted"]);
    crm.ok(33, &["lead", "edit", "cy@x.io", "--tag", "pilot"]);
    assert_eq!(stage(&crm, &tagged), "Pilot");

    // The tag accepted that pilot: a deal opened later, or moved back by hand, stays where it is when the
    // lead is edited again.
    let upsell = crm.ok(34, &["deal", "add", "cy@x.io", "--title", "Cy upsell"]);
    crm.ok(35, &["lead", "edit", "cy@x.io", "--phone", "+34 600 000 001"]);
    crm.ok(35, &["lead", "touch", "cy@x.io", "--at", &at(35)]);
    assert_eq!(stage(&crm, &upsell), "New");
}

#[test]
fn a_negative_answer_moves_no_deal_and_a_deal_opened_later_starts_where_the_lead_is() {
    let crm = Crm::new("");
    crm.ana();
    crm.ok(0, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
    let meeting = crm.ok(1, &["meeting", "add", "ana@acme.io", "--at", &at(3)]);
    crm.ok(4, &["meeting", "attended", &meeting]);
    // Interest shown and the demo held before the deal was opened: it opens at Proposal.
    let out = crm.cmd(5, &["deal", "add", "ana@acme.io", "--title", "First"]).output().unwrap();
    let first = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(stage(&crm, &first), "Proposal");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("the deal starts at Proposal (the rules put it there; --stage chooses)"), "{said}");

    crm.ok(6, &["lead", "add", "--first-name", "Bo", "--email", "bo@x.io"]);
    crm.ok(6, &["log", "email", "bo@x.io", "--inbound", "--reply", "positive"]);
    let held = crm.ok(7, &["meeting", "add", "bo@x.io", "--at", &at(8)]);
    crm.ok(9, &["meeting", "attended", &held]);
    // A stage given when the deal is made is where it stays.
    let deal = crm.ok(10, &["deal", "add", "bo@x.io", "--title", "Bo deal", "--stage", "New"]);
    assert_eq!(stage(&crm, &deal), "New");
    crm.ok(11, &["log", "email", "bo@x.io", "--inbound", "--reply", "negative", "--note", "not interested anymore"]);
    assert_eq!(stage(&crm, &deal), "New", "a no is no reason to move the deal on");
}

/// A deal the rules move on as it is made is told to connectors at the stage it reached.
#[test]
fn a_lead_acquired_says_the_stage_the_rules_moved_the_deal_to() {
    let crm = Crm::new("");
    crm.ana();
    let touch = crm.ok(0, &["log", "email", "ana@acme.io"]);
    crm.ok(1, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
    crm.ok(1, &["meeting", "add", "ana@acme.io", "--at", &at(30)]);
    let deal = crm.ok(2, &["deal", "add", "ana@acme.io", "--title", "Acme", "--from-outreach", &touch]);
    assert_eq!(stage(&crm, &deal), "Discovery");
    let told = crm.sql("SELECT json_extract(payload, '$.deal.stage') FROM events WHERE kind = 'LeadAcquired'");
    assert_eq!(told, [["Discovery"]]);
}

#[test]
fn deal_from_outreach_records_lead_acquired_once() {
    let crm = Crm::new("");
    crm.ana();
    let touch = crm.ok(0, &["log", "social", "ana@acme.io", "--url", "https://linkedin.com/in/ana"]);
    let deal =
        crm.ok(1, &["deal", "add", "ana@acme.io", "--title", "Acme", "--amount", "1200", "--from-outreach", &touch]);
    crm.ok(1, &["deal", "add", "ana@acme.io", "--title", "No origin"]);
    let events = crm.sql("SELECT kind, subject_id, payload, dedupe_key FROM events");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0][0], "LeadAcquired");
    assert_eq!(events[0][1], deal);
    assert_eq!(events[0][3], format!("lead-acquired:{deal}"));
    let payload: Value = serde_json::from_str(&events[0][2]).unwrap();
    assert_eq!(payload["deal"]["id"], deal.as_str());
    assert_eq!(payload["deal"]["amount"], "1200.00");
    assert_eq!(payload["outreach"]["id"], touch.as_str());
    assert_eq!(payload["outreach"]["kind"], "social");
    assert_eq!(payload["team"]["name"], "My Team");
    assert_eq!(payload["lead"]["do_not_contact"], false, "a connector learns whether the lead opted out");
    let inbox = crm.json(1, &["inbox", "--json"]);
    let notices: Vec<&Value> = inbox.as_array().unwrap().iter().filter(|i| i["kind"] == "notice").collect();
    assert_eq!(notices.len(), 1);
    assert!(notices[0]["title"].as_str().unwrap().contains("Lead acquired: Ana López"));
}

#[test]
fn a_customer_nobody_contacts_grows_silent_as_one_contacted_long_ago_does() {
    let crm = Crm::new("");
    for (name, touched) in [("Quiet", false), ("Called", true)] {
        let email = format!("{}@x.io", name.to_lowercase());
        crm.ok(0, &["lead", "add", "--first-name", name, "--email", &email]);
        if touched {
            crm.ok(0, &["log", "email", &email]);
        }
        crm.ok(0, &["deal", "add", &email, "--title", name]);
        crm.ok(0, &["deal", "won", name]);
    }
    for t in crm.tasks(1) {
        crm.ok(1, &["task", "done", t["id"].as_str().unwrap()]);
    }
    // As stored (what lists rank by), not as worked out afresh.
    let health = |hour: i64, name: &str| {
        crm.json(hour, &["lead", "show", &format!("{}@x.io", name.to_lowercase()), "--json"])["health"].clone()
    };
    crm.ok(1, &["automate", "run"]);
    assert_eq!((health(1, "Quiet"), health(1, "Called")), (0.into(), 3.into()));
    // Sixty-one days on, by the timer's refresh (not a full rescore): both are silent.
    crm.ok(61 * 24, &["automate", "run"]);
    assert_eq!((health(61 * 24, "Quiet"), health(61 * 24, "Called")), ((-3).into(), (-3).into()));
}

#[test]
fn won_deal_makes_a_customer_with_a_profile_and_handoff_tasks() {
    let crm = Crm::new("");
    crm.ana();
    crm.ok(0, &["lead", "edit", "ana@acme.io", "--source", "linkedin"]);
    crm.ok(0, &["deal", "add", "ana@acme.io", "--title", "Acme", "--product", "Growth plan"]);
    crm.ok(5, &["deal", "won", "Acme"]);
    let lead = crm.json(5, &["lead", "show", "ana@acme.io", "--json"]);
    assert_eq!(lead["lead"]["lifecycle"], "customer");
    let profile = crm.sql("SELECT plan, product, origin_source, status, owner_id IS NOT NULL FROM client_profiles");
    assert_eq!(profile, vec![vec!["Growth plan", "Growth plan", "linkedin", "active", "1"]]);
    let handoff: Vec<Value> = crm.tasks(5).into_iter().filter(|t| t["kind"] == "handoff").collect();
    assert_eq!(handoff.len(), 3);
    // Customers have a health score and a joint priority.
    let s = crm.json(5, &["score", "ana@acme.io", "--json"]);
    assert!(s["health"].is_i64(), "{s}");
    // And `lead show` shows them, with the client profile customer success reads.
    assert_eq!(lead["client_profile"]["plan"], "Growth plan");
    assert_eq!(lead["client_profile"]["origin_source"], "linkedin");
    assert_eq!(lead["health"], s["health"]);
    assert_eq!(lead["priority"], s["priority"]);
    let text = crm.ok(5, &["lead", "show", "ana@acme.io"]);
    for line in
        ["health ", "priority ", "customer since    ", "plan              Growth plan", "came from         linkedin"]
    {
        assert!(text.contains(line), "{line}: {text}");
    }
}

#[test]
fn required_handoff_refuses_won_until_the_checklist_is_done() {
    let crm =
        Crm::new("[automation.handoff]\nrequire_handoff = true\nchecklist = [\"Docs\", \"Goals\"]\ndue_hours = 24\n");
    crm.ana();
    crm.ok(0, &["deal", "add", "ana@acme.io", "--title", "Acme"]);
    let err = crm.fails(1, &["deal", "won", "Acme"]);
    assert!(err.contains("missing: Docs, Goals"), "{err}");
    assert_eq!(crm.json(1, &["lead", "show", "ana@acme.io", "--json"])["lead"]["lifecycle"], "lead");
    let items = crm.json(1, &["deal", "handoff", "Acme", "--json"]);
    assert_eq!(items.as_array().unwrap().len(), 2);
    crm.ok(1, &["task", "done", items[0]["task_id"].as_str().unwrap()]);
    let err = crm.fails(2, &["deal", "won", "Acme"]);
    assert!(err.contains("missing: Goals") && !err.contains("Docs"), "{err}");
    crm.ok(2, &["task", "done", items[1]["task_id"].as_str().unwrap()]);
    crm.ok(3, &["deal", "won", "Acme"]);
    assert_eq!(crm.json(3, &["lead", "show", "ana@acme.io", "--json"])["lead"]["lifecycle"], "customer");
    assert_eq!(crm.sql("SELECT count(*) FROM tasks WHERE kind = 'handoff'")[0][0], "2");
}

#[test]
fn a_rule_that_would_win_a_deal_before_its_handoff_leaves_it_and_blocks_nothing_else() {
    let crm = Crm::new(
        "[automation.handoff]\nrequire_handoff = true\n\
         [[automation.rule]]\nname = \"win-on-yes\"\ntrigger = \"reply\"\nconditions = [\"reply = positive\"]\n\
         actions = [{ do = \"advance_deal\", stage = \"Won\" }, { do = \"task\", kind = \"other\", title = \"Thank {lead}\" }]\n",
    );
    crm.ana();
    crm.ok(0, &["deal", "add", "ana@acme.io", "--title", "Acme"]);
    // The rep's reply is logged, the rule's other action done; the deal waits for its checklist.
    let out = crm.cmd(1, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let deals = crm.json(1, &["deal", "list", "--json"]);
    assert_eq!(deals[0]["stage"], "New", "{deals}");
    assert!(crm.tasks(1).iter().any(|t| t["title"] == "Thank Ana López"), "{:?}", crm.tasks(1));
    let inbox = crm.json(1, &["inbox", "--json"]);
    let said = inbox.as_array().unwrap().iter().any(|i| {
        i["title"].as_str().is_some_and(|t| t.starts_with("Acme stays at New: rule 'win-on-yes' would win it"))
    });
    assert!(said, "{inbox}");
}

#[test]
fn churned_customer_comes_back_as_a_hot_lead() {
    let crm = Crm::new("");
    crm.ana();
    let err = crm.fails(0, &["lead", "churn", "ana@acme.io", "--reason", "x"]);
    assert!(err.contains("not a customer"), "{err}");
    crm.ok(0, &["deal", "add", "ana@acme.io", "--title", "Acme"]);
    crm.ok(1, &["deal", "won", "Acme"]);
    // A reason of two lines makes a task title of one.
    crm.ok(100, &["lead", "churn", "ana@acme.io", "--reason", "budget\ncut"]);
    let lead = crm.json(100, &["lead", "show", "ana@acme.io", "--json"]);
    assert_eq!(lead["lead"]["lifecycle"], "lead");
    assert!(lead["lead"]["tags"].as_array().unwrap().iter().any(|t| t == "hot"));
    let notes = crm.sql("SELECT body FROM notes");
    assert!(notes.iter().any(|n| n[0].contains("budget cut")), "{notes:?}");
    let reach: Vec<Value> = crm.tasks(100).into_iter().filter(|t| t["origin"] == "churn-reactivate").collect();
    assert_eq!(reach.len(), 1);
    assert!(reach[0]["title"].as_str().unwrap().contains("budget cut"));
    assert_eq!(crm.sql("SELECT status, churn_reason FROM client_profiles"), vec![vec!["churned", "budget\ncut"]]);
}

#[test]
fn automate_rules_lists_the_defaults() {
    let crm = Crm::new("");
    crm.ana();
    let rules = crm.json(0, &["automate", "rules", "--json"]);
    let names: Vec<&str> = rules.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 9);
    assert!(names.contains(&"bump-after-48h") && names.contains(&"churn-reactivate"));
}

#[test]
fn a_reply_or_a_meeting_answers_a_touch_and_closes_its_bump_and_an_opt_out_closes_it_too() {
    let crm = Crm::new("");
    for (name, email) in [("Jo", "jo@x.io"), ("Mo", "mo@x.io"), ("Hal", "hal@x.io"), ("Eve", "eve@x.io")] {
        crm.ok(0, &["lead", "add", "--first-name", name, "--email", email]);
    }
    // Jo answered on the call itself; Mo booked a meeting after the e-mail.
    crm.ok(0, &["log", "call", "jo@x.io", "--phone", "+34600111222", "--reply", "positive"]);
    crm.ok(0, &["log", "email", "mo@x.io"]);
    crm.ok(10, &["meeting", "add", "mo@x.io", "--at", &at(30)]);
    crm.ok(0, &["log", "email", "hal@x.io"]);
    crm.ok(0, &["log", "email", "eve@x.io"]);
    crm.ok(49, &["automate", "run"]);
    let names = |crm: &Crm, hour: i64| -> Vec<String> {
        let mut n: Vec<String> = crm.tasks(hour).iter().map(|t| t["lead_name"].as_str().unwrap().to_string()).collect();
        n.sort();
        n
    };
    assert_eq!(names(&crm, 49), ["Eve", "Hal"], "no bump for a touch answered by its reply or by a meeting");
    let eves = crm.tasks(49).into_iter().find(|t| t["lead_name"] == "Eve").unwrap()["id"].as_str().unwrap().to_string();
    // Hal replies at last, Eve opts out: nothing is left to chase.
    crm.ok(50, &["log", "email", "hal@x.io", "--inbound", "--reply", "positive"]);
    crm.ok(50, &["lead", "edit", "eve@x.io", "--do-not-contact", "true", "--reason", "unsubscribed"]);
    assert!(names(&crm, 50).is_empty(), "{:?}", crm.tasks(50));
    // Eve's bump, named again, is said to be cancelled by her opt-out, not unknown.
    let said = crm.fails(51, &["task", "done", &eves]);
    assert!(said.contains("was cancelled on") && said.contains("Eve opted out"), "{said}");
}

#[test]
fn nothing_chases_an_opted_out_lead_and_a_new_meeting_closes_the_reschedule() {
    let crm = Crm::new("");
    for (name, email) in
        [("Cid", "cid@x.io"), ("Bea", "bea@x.io"), ("Pia", "pia@x.io"), ("Al", "al@x.io"), ("Dee", "dee@x.io")]
    {
        crm.ok(0, &["lead", "add", "--first-name", name, "--email", email]);
    }
    let open = |hour: i64, lead: &str| -> Vec<String> {
        crm.tasks(hour)
            .iter()
            .filter(|t| t["lead_name"] == lead)
            .map(|t| t["kind"].as_str().unwrap().to_string())
            .collect()
    };
    // Cid opted out before missing a meeting: no reschedule task.
    crm.ok(0, &["privacy", "opt-out", "cid@x.io", "--reason", "asked"]);
    let m = crm.ok(0, &["meeting", "add", "cid@x.io", "--at", &at(24)]);
    crm.ok(30, &["meeting", "no-show", &m]);
    assert!(open(30, "Cid").is_empty(), "{:?}", crm.tasks(30));
    // Bea's e-mail sequence task is cancelled when she opts out; the rep's own task about her stays.
    crm.ok(0, &["log", "email", "bea@x.io", "--inbound", "--reply", "info"]);
    assert_eq!(open(1, "Bea"), ["follow_up"]);
    crm.ok(1, &["task", "add", "bea@x.io", "--title", "Send the signed DPA to legal", "--due", "+2d"]);
    crm.ok(2, &["privacy", "opt-out", "bea@x.io", "--reason", "unsubscribe"]);
    let left: Vec<String> =
        crm.tasks(2).iter().filter(|t| t["lead_name"] == "Bea").map(|t| t["title"].to_string()).collect();
    assert_eq!(left, ["\"Send the signed DPA to legal\""]);
    assert!(crm.sql("SELECT 1 FROM tasks WHERE done_at IS NOT NULL AND lead_id IN (SELECT id FROM leads WHERE first_name = 'Bea')").is_empty(), "cancelled, not done");
    // Pia's reschedule task closes when a new meeting is booked.
    let m = crm.ok(0, &["meeting", "add", "pia@x.io", "--at", &at(24)]);
    crm.ok(30, &["meeting", "no-show", &m]);
    assert_eq!(open(30, "Pia"), ["reschedule"]);
    crm.ok(31, &["meeting", "add", "pia@x.io", "--at", &at(72)]);
    assert!(open(31, "Pia").is_empty());
    // A no-show corrected to attended needs no rescheduling either.
    let m = crm.ok(0, &["meeting", "add", "dee@x.io", "--at", &at(1)]);
    crm.ok(2, &["meeting", "no-show", &m]);
    assert_eq!(open(2, "Dee"), ["reschedule"]);
    crm.ok(3, &["meeting", "attended", &m]);
    assert!(open(3, "Dee").is_empty());
    // A meeting logged late, dated before Al's e-mail, answers nothing: the e-mail is still chased.
    crm.ok(0, &["log", "email", "al@x.io"]);
    crm.ok(20, &["meeting", "add", "al@x.io", "--at", &at(-200)]);
    crm.ok(49, &["automate", "run"]);
    assert_eq!(open(49, "Al"), ["bump"]);
    // One dated after the e-mail, logged after its bump was made, answers it.
    crm.ok(50, &["meeting", "add", "al@x.io", "--at", &at(24)]);
    assert!(open(50, "Al").is_empty(), "{:?}", crm.tasks(50));
}

#[test]
fn a_churn_is_an_event_once_and_never_brings_back_an_opted_out_customer() {
    let crm = Crm::new("");
    for (name, email) in [("Cas", "cas@x.io"), ("Dee", "dee@x.io")] {
        crm.ok(0, &["lead", "add", "--first-name", name, "--email", email]);
        crm.ok(0, &["lead", "edit", email, "--lifecycle", "customer"]);
    }
    // Marking a customer churned by an edit is a churn as `lead churn` records it.
    crm.ok(1, &["lead", "edit", "cas@x.io", "--lifecycle", "churned"]);
    let cas = crm.json(1, &["lead", "show", "cas@x.io", "--json"])["lead"].clone();
    assert_eq!(cas["lifecycle"], "lead", "back in the pipeline");
    assert!(cas["tags"].as_array().unwrap().iter().any(|t| t == "hot"));
    // An opted-out customer who churns stays out of reach.
    crm.ok(1, &["privacy", "opt-out", "dee@x.io", "--reason", "asked"]);
    crm.ok(2, &["lead", "churn", "dee@x.io"]);
    assert_eq!(crm.json(2, &["lead", "show", "dee@x.io", "--json"])["lead"]["lifecycle"], "churned");
    // A lead that came in already churned (an import) is not a churn happening now, edited or not.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("old.csv");
    std::fs::write(&file, "First Name,Email,Lifecycle\nOmar,omar@x.io,churned\n").unwrap();
    crm.ok(3, &["import", file.to_str().unwrap()]);
    crm.ok(4, &["lead", "edit", "omar@x.io", "--title", "Head"]);
    crm.ok(5, &["lead", "edit", "dee@x.io", "--title", "Head"]);
    let reach_out: Vec<String> = crm.tasks(5).iter().map(|t| t["lead_name"].as_str().unwrap().to_string()).collect();
    assert_eq!(reach_out, ["Cas"], "one task, for the one churn that brings a lead back");
}

#[test]
fn editing_a_churned_customer_is_not_another_churn() {
    let crm = Crm::new(
        "[[automation.rule]]\nname = \"churn-note\"\ntrigger = \"customer_churned\"\n\
         actions = [{ do = \"note\", body = \"Churned: {reason}\" }, { do = \"notify\", title = \"{lead} churned\" }]\n",
    );
    crm.ok(0, &["lead", "add", "--first-name", "Dee", "--email", "dee@x.io"]);
    crm.ok(0, &["lead", "edit", "dee@x.io", "--lifecycle", "customer"]);
    // Opted out, a churned customer stays churned (no rule brings them back) and is edited afterwards.
    crm.ok(0, &["privacy", "opt-out", "dee@x.io"]);
    crm.ok(1, &["lead", "churn", "dee@x.io", "--reason", "budget"]);
    for (hour, title) in [(2, "CTO"), (3, "CEO")] {
        crm.ok(hour, &["lead", "edit", "dee@x.io", "--title", title]);
    }
    crm.ok(4, &["lead", "edit", "dee@x.io", "--tag", "vip"]);
    let shown = crm.json(4, &["lead", "show", "dee@x.io", "--json"]);
    let timeline = shown["timeline"].as_array().unwrap();
    let notes: Vec<&str> = timeline.iter().filter(|e| e["type"] == "note").filter_map(|n| n["body"].as_str()).collect();
    assert_eq!(notes, ["Churned: budget"], "{shown}");
    let inbox = crm.json(4, &["inbox", "--json"]);
    let churned = inbox.as_array().unwrap().iter().filter(|i| i["title"] == "Dee churned").count();
    assert_eq!(churned, 1, "{inbox}");
}

#[test]
fn every_command_shows_the_score_as_of_now() {
    let crm = Crm::new("");
    crm.ok(0, &["lead", "add", "--first-name", "Hal", "--email", "hal@x.io"]);
    crm.ok(0, &["log", "email", "hal@x.io"]);
    let shown = |hour: i64| crm.json(hour, &["lead", "show", "hal@x.io", "--json"])["lead"]["score"].clone();
    let active = shown(1);
    // Nine days later "active in the last 7 days" no longer holds, whatever command shows the score.
    let later = 9 * 24;
    // The timer's report counts the leads whose score moved, not those it looked at.
    assert!(crm.ok(later, &["automate", "run"]).contains("time passing moved the score of 1 lead"));
    assert!(crm.ok(later + 1, &["automate", "run"]).contains("time passing moved the score of 0 leads"));
    let listed = crm.json(later, &["lead", "list", "--json"])[0]["score"].clone();
    let explained = crm.json(later, &["score", "hal@x.io", "--json"])["score"].clone();
    assert_eq!(listed, explained);
    assert_eq!(shown(later), explained);
    assert_ne!(active, explained, "the score moved with the clock");
}

#[test]
fn a_rule_counting_days_keeps_every_command_on_the_same_score_day_after_day() {
    let crm = Crm::new(
        "[[scoring.rule]]\nname = \"positive reply\"\nwhen = \"replies.positive > 0\"\nweight = 3\n\
         [[scoring.rule]]\nname = \"silence\"\nper = \"days_since_contact\"\nweight = -1\ncap = 5\n",
    );
    crm.ok(0, &["lead", "add", "--first-name", "Alma", "--email", "alma@x.io"]);
    crm.ok(0, &["lead", "add", "--first-name", "Berto", "--email", "berto@x.io"]);
    crm.ok(0, &["log", "email", "alma@x.io"]);
    crm.ok(0, &["log", "email", "berto@x.io", "--inbound", "--reply", "positive", "--at", &at(-24 * 10)]);
    let ranked = |hour: i64| -> Vec<(String, i64)> {
        let list = crm.json(hour, &["score", "--json"]);
        list.as_array()
            .unwrap()
            .iter()
            .map(|l| (l["name"].as_str().unwrap().to_string(), l["score"].as_i64().unwrap()))
            .collect()
    };
    let listed = |hour: i64| -> Vec<(String, i64)> {
        let list = crm.json(hour, &["lead", "list", "--sort", "score", "--json"]);
        list.as_array()
            .unwrap()
            .iter()
            .map(|l| (l["first_name"].as_str().unwrap().to_string(), l["score"].as_i64().unwrap()))
            .collect()
    };
    assert_eq!(ranked(1), [("Alma".to_string(), 0), ("Berto".to_string(), -2)]);
    // Three days on, refreshed less than a day apart each time, Alma's silence costs her 3; Berto's is capped.
    for hour in [30, 50, 72] {
        crm.ok(hour, &["lead", "list"]);
    }
    assert_eq!(ranked(72), [("Berto".to_string(), -2), ("Alma".to_string(), -3)]);
    assert_eq!(listed(72), ranked(72));
    assert_eq!(ranked(24 * 10), [("Berto".to_string(), -2), ("Alma".to_string(), -5)]);
    assert_eq!(listed(24 * 10), ranked(24 * 10));
}

#[test]
fn reopening_a_won_deal_takes_back_what_winning_did_and_winning_again_brings_it_back() {
    let crm = Crm::new("");
    crm.ok(0, &["lead", "add", "--first-name", "Cam", "--email", "cam@x.io"]);
    crm.ok(0, &["deal", "add", "cam@x.io", "--title", "Pilot"]);
    let lifecycle = |h: i64| crm.json(h, &["lead", "show", "cam@x.io", "--json"])["lead"]["lifecycle"].clone();
    let handoffs = |h: i64| crm.tasks(h).iter().filter(|t| t["kind"] == "handoff").count();
    crm.ok(1, &["deal", "won", "Pilot"]);
    assert_eq!((lifecycle(1), handoffs(1)), (Value::from("customer"), 3));
    crm.ok(2, &["deal", "move", "Pilot", "Negotiation"]);
    assert_eq!((lifecycle(2), handoffs(2)), (Value::from("lead"), 0), "reopened: no customer, no handoff");
    crm.ok(3, &["deal", "won", "Pilot"]);
    assert_eq!((lifecycle(3), handoffs(3)), (Value::from("customer"), 3), "won again: all of it again");
}

#[test]
fn a_deal_reopened_after_its_owner_left_goes_to_whoever_took_over_the_lead() {
    let crm = Crm::new("");
    crm.ok(0, &["team", "add", "Marta Ruiz", "--email", "marta@x.io"]);
    crm.ok(0, &["team", "add", "Tom Baker", "--email", "tom@x.io"]);
    crm.ok(0, &["lead", "add", "--first-name", "Cam", "--email", "cam@x.io", "--owner", "Marta Ruiz"]);
    crm.ok(0, &["deal", "add", "cam@x.io", "--title", "Pilot"]);
    crm.ok(0, &["deal", "add", "cam@x.io", "--title", "Renewal"]);
    crm.ok(0, &["deal", "add", "cam@x.io", "--title", "Extension"]);
    crm.ok(1, &["deal", "won", "Pilot"]);
    crm.ok(1, &["deal", "won", "Renewal"]);
    crm.ok(1, &["deal", "lost", "Extension"]);
    conn_exec(
        &crm,
        "UPDATE deals SET owner_id = (SELECT id FROM users WHERE name = 'Marta Ruiz');
         UPDATE tasks SET owner_id = (SELECT id FROM users WHERE name = 'Marta Ruiz');",
    );
    // Renewal reopened while she is there takes its checklist back; Pilot's checklist is done.
    crm.ok(2, &["deal", "move", "Renewal", "Negotiation"]);
    conn_exec(&crm, "UPDATE tasks SET done_at = 1 WHERE deleted_at IS NULL");
    // Her won deal stays hers when she leaves; her lead and open deal go to Tom.
    crm.ok(3, &["team", "remove", "Marta Ruiz", "--to", "Tom Baker"]);
    let owner = |deal: &str| {
        crm.sql(&format!("SELECT u.name FROM deals d JOIN users u ON u.id = d.owner_id WHERE d.title = '{deal}'"))[0][0]
            .clone()
    };
    assert_eq!((owner("Pilot"), owner("Renewal")), ("Marta Ruiz".into(), "Tom Baker".into()));
    crm.ok(4, &["deal", "move", "Pilot", "Negotiation"]);
    assert_eq!(owner("Pilot"), "Tom Baker", "reopened: the deal goes to the lead's owner");
    crm.ok(5, &["deal", "won", "Renewal"]);
    let checklist = |deal: &str| {
        crm.sql(&format!(
            "SELECT DISTINCT u.name FROM tasks t JOIN users u ON u.id = t.owner_id JOIN deals d ON d.id = t.deal_id
             WHERE t.kind = 'handoff' AND d.title = '{deal}' AND t.deleted_at IS NULL"
        ))
    };
    assert_eq!(checklist("Renewal"), vec![vec!["Tom Baker"]], "the checklist comes back to the deal's owner");
    // Her lost deal stays hers; won after all, it is Tom's, and its checklist is not hers.
    assert_eq!(owner("Extension"), "Marta Ruiz");
    crm.ok(6, &["deal", "won", "Extension"]);
    assert_eq!(owner("Extension"), "Tom Baker");
    assert!(!checklist("Extension").is_empty() && !checklist("Extension").concat().contains(&"Marta Ruiz".to_string()));
    // A reschedule she was owed, closed while she was here, opens again as Tom's.
    let meeting = crm.ok(6, &["meeting", "add", "cam@x.io", "--at", &at(6)]);
    crm.ok(7, &["meeting", "no-show", &meeting]);
    crm.ok(7, &["meeting", "attended", &meeting]);
    conn_exec(
        &crm,
        "UPDATE tasks SET owner_id = (SELECT id FROM users WHERE name = 'Marta Ruiz') WHERE kind = 'reschedule'",
    );
    crm.ok(8, &["meeting", "no-show", &meeting]);
    let reschedule =
        crm.sql("SELECT u.name FROM tasks t JOIN users u ON u.id = t.owner_id WHERE t.kind = 'reschedule'");
    assert_eq!(reschedule, vec![vec!["Tom Baker"]]);
}

#[test]
fn a_teams_tasks_go_to_whoever_owns_the_lead_or_the_deal_and_each_rep_lists_their_own() {
    let crm = Crm::new("");
    crm.ok(0, &["team", "add", "Marta Ruiz", "--email", "marta@x.io"]);
    crm.ok(0, &["team", "add", "Tom Baker", "--email", "tom@x.io"]);
    crm.ok(0, &["lead", "add", "--first-name", "Cam", "--email", "cam@x.io", "--owner", "Marta Ruiz"]);
    crm.ok(0, &["log", "email", "cam@x.io"]);
    // The bump for Marta's lead is hers, whoever's leadline ran the rule.
    crm.ok(49, &["automate", "run"]);
    let owners = |kind: &str| {
        crm.sql(&format!(
            "SELECT DISTINCT u.name FROM tasks t JOIN users u ON u.id = t.owner_id WHERE t.kind = '{kind}'"
        ))
        .concat()
    };
    assert_eq!(owners("bump"), ["Marta Ruiz"]);
    // Tom's deal on her lead: its handoff checklist is his to do.
    crm.ok(50, &["deal", "add", "cam@x.io", "--title", "Pilot"]);
    conn_exec(&crm, "UPDATE deals SET owner_id = (SELECT id FROM users WHERE name = 'Tom Baker')");
    crm.ok(51, &["deal", "won", "Pilot"]);
    assert_eq!(owners("handoff"), ["Tom Baker"]);
    // A rep's own task is theirs unless they give it to someone.
    crm.ok(52, &["task", "add", "cam@x.io", "--title", "Send the contract", "--due", "+1d", "--owner", "tom@x.io"]);
    crm.ok(52, &["task", "add", "cam@x.io", "--title", "Call about billing", "--due", "+1d", "--kind", "other"]);
    assert_eq!(owners("other"), ["Sales Rep"]);
    let titles = |who: &str| -> Vec<String> {
        let list = crm.json(52, &["task", "list", "--due", "all", "--owner", who, "--json"]);
        list.as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(titles("Marta Ruiz").len(), 1, "her bump");
    assert!(titles("Tom Baker").contains(&"Send the contract".to_string()));
    assert_eq!(titles("me"), ["Call about billing"]);
    // Everyone's list says whose each task is.
    let all = crm.ok(52, &["task", "list", "--due", "all"]);
    assert!(all.lines().next().unwrap().ends_with("OWNER") && all.contains("Marta Ruiz"), "{all}");
    assert!(crm.fails(52, &["task", "list", "--owner", "Nobody"]).contains("team member"));
}

/// A bump a run files is due as it is filed: the list says so, and only later that it is late.
#[test]
fn a_bump_filed_now_is_due_now_not_late() {
    let crm = Crm::new("");
    crm.ana();
    crm.ok(0, &["log", "email", "ana@acme.io"]);
    crm.ok(50, &["automate", "run"]);
    let now = crm.ok(50, &["task", "list", "--due", "all"]);
    assert!(now.contains("due now") && !now.contains("overdue"), "{now}");
    let later = crm.ok(52, &["task", "list", "--due", "all"]);
    assert!(later.contains("overdue 2h ago"), "{later}");
}

fn conn_exec(crm: &Crm, sql: &str) {
    rusqlite::Connection::open(&crm.db).unwrap().execute_batch(sql).unwrap();
}

#[test]
fn reopening_one_of_two_won_deals_keeps_the_customer_and_a_customer_from_before_stays_one() {
    let crm = Crm::new("");
    crm.ok(0, &["lead", "add", "--first-name", "Dos", "--email", "dos@x.io"]);
    crm.ok(0, &["deal", "add", "dos@x.io", "--title", "One"]);
    crm.ok(0, &["deal", "add", "dos@x.io", "--title", "Two"]);
    let lifecycle = |h: i64, who: &str| crm.json(h, &["lead", "show", who, "--json"])["lead"]["lifecycle"].clone();
    let profiles = |who: &str| {
        crm.sql(&format!(
            "SELECT count(*) FROM client_profiles p JOIN leads l ON l.id = p.lead_id
             WHERE l.email = '{who}' AND p.deleted_at IS NULL AND p.status = 'active'"
        ))[0][0]
            .clone()
    };
    crm.ok(1, &["deal", "won", "One"]);
    crm.ok(2, &["deal", "won", "Two"]);
    crm.ok(3, &["deal", "move", "Two", "Negotiation"]);
    assert_eq!((lifecycle(3, "dos@x.io"), profiles("dos@x.io")), (Value::from("customer"), "1".to_string()));
    crm.ok(4, &["deal", "move", "One", "Negotiation"]);
    assert_eq!((lifecycle(4, "dos@x.io"), profiles("dos@x.io")), (Value::from("lead"), "0".to_string()));
    // A customer before the deal (set by hand, imported) stays one when the deal is reopened.
    crm.ok(5, &["lead", "add", "--first-name", "Old", "--email", "old@x.io"]);
    crm.ok(5, &["lead", "edit", "old@x.io", "--lifecycle", "customer"]);
    crm.ok(5, &["deal", "add", "old@x.io", "--title", "Upsell"]);
    crm.ok(6, &["deal", "won", "Upsell"]);
    crm.ok(7, &["deal", "move", "Upsell", "Negotiation"]);
    assert_eq!(lifecycle(7, "old@x.io"), Value::from("customer"));
}

#[test]
fn explanations_are_shown_whole_and_a_pilot_that_moves_nothing_says_why() {
    let crm = Crm::new(
        "[[scoring.rule]]\nname = \"executive referral\"\nwhen = \"lead.title = CFO and lead.source = referral and lead.industry = saas\"\nweight = 2\n",
    );
    crm.ana();
    let text = crm.ok(1, &["score", "ana@acme.io", "--explain"]);
    assert!(text.contains("not met: lead.title = CFO, lead.source = referral"), "{text}");

    let lost = crm.ok(1, &["deal", "add", "ana@acme.io", "--title", "Gone"]);
    crm.ok(1, &["deal", "lost", &lost, "--reason", "budget"]);
    // A lost deal accepts no pilot and has nothing to hand over: refused, and no rule runs nor task is made.
    let err = crm.fails(2, &["deal", "pilot", &lost]);
    assert!(err.contains("deal 'Gone' is lost: a pilot is accepted on an open deal"), "{err}");
    let err = crm.fails(2, &["deal", "handoff", &lost]);
    assert!(err.contains("deal 'Gone' was lost: there is nothing to hand over"), "{err}");
    assert!(crm.tasks(2).is_empty(), "{:?}", crm.tasks(2));
    let late = crm.ok(2, &["deal", "add", "ana@acme.io", "--title", "Late", "--stage", "Negotiation"]);
    let out = crm.cmd(2, &["deal", "pilot", &late]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("stays at Negotiation"));
    assert_eq!(stage(&crm, &late), "Negotiation");
}

#[test]
fn reopening_the_latest_win_brings_back_the_record_of_the_win_before() {
    let crm = Crm::new("");
    crm.ok(0, &["lead", "add", "--first-name", "Rui", "--email", "r@x.io"]);
    crm.ok(0, &["deal", "add", "r@x.io", "--title", "A", "--stage", "Negotiation", "--product", "Basic"]);
    crm.ok(1, &["deal", "won", "A"]);
    crm.ok(2, &["deal", "add", "r@x.io", "--title", "B", "--stage", "Negotiation", "--product", "Upsell"]);
    crm.ok(3, &["deal", "won", "B"]);
    let record = |hour: i64| crm.json(hour, &["lead", "show", "r@x.io", "--json"])["client_profile"].clone();
    assert_eq!(record(3)["plan"], "Upsell");
    crm.ok(4, &["deal", "move", "B", "Proposal"]);
    let r = record(4);
    assert_eq!(r["plan"], "Basic", "{r}");
    assert_eq!(r["won_at"], crm.json(4, &["deal", "list", "--status", "won", "--json"])[0]["closed_at"], "{r}");

    // Won, churned, won again and that win undone: churned, with the record of the win before the churn.
    crm.ok(5, &["lead", "churn", "r@x.io", "--reason", "budget"]);
    crm.ok(6, &["deal", "add", "r@x.io", "--title", "Back", "--stage", "Negotiation", "--product", "Pro"]);
    crm.ok(7, &["deal", "won", "Back"]);
    assert_eq!(record(7)["plan"], "Pro");
    crm.ok(8, &["deal", "move", "Back", "Proposal"]);
    let r = record(8);
    assert_eq!((r["status"].as_str(), r["plan"].as_str()), (Some("churned"), Some("Basic")), "{r}");
    assert_eq!(r["churn_reason"], "budget");
}

#[test]
fn automations_turned_off_say_so_in_text_and_json() {
    let crm = Crm::new("[automation]\nenabled = false\n");
    crm.ok(0, &["lead", "add", "--first-name", "Al", "--email", "al@x.io"]);
    crm.ok(0, &["log", "email", "al@x.io"]);
    let text = crm.ok(49, &["automate", "run"]);
    assert!(text.contains("automations are off ([automation] enabled = false): no rule runs"), "{text}");
    let report = crm.json(49, &["automate", "run", "--json"]);
    assert_eq!(report["automations_enabled"], false, "{report}");
    assert_eq!(report["actions"].as_array().unwrap().len(), 0, "{report}");
    let rules = crm.json(49, &["automate", "rules", "--json"]);
    assert!(rules.as_array().unwrap().iter().all(|r| r["in_force"] == false), "{rules}");
    assert!(crm.ok(49, &["automate", "rules"]).contains("none of these rules runs"));
    // Turned on (the default), the same report says so.
    let on = Crm::new("");
    on.ana();
    assert_eq!(on.json(0, &["automate", "run", "--json"])["automations_enabled"], true);
    assert!(on.json(0, &["automate", "rules", "--json"])[0]["in_force"] == true);
}

#[test]
fn a_calendar_imported_settles_and_reopens_the_follow_ups_its_meetings_answer() {
    let crm = Crm::new("");
    crm.ana();
    crm.ok(0, &["log", "email", "ana@acme.io", "--note", "intro"]);
    crm.ok(0, &["deal", "add", "ana@acme.io", "--title", "Acme pilot"]);
    crm.ok(1, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
    crm.ok(2, &["log", "email", "ana@acme.io", "--note", "proposal times"]);
    crm.ok(60, &["automate", "run"]);
    let bumps = |hour: i64| -> usize { crm.tasks(hour).iter().filter(|t| t["kind"] == "bump").count() };
    assert_eq!(bumps(60), 1, "the proposal went unanswered two days");
    let calendar =
        |file: &str, partstat: &str| crm.invitation(file, "acme-intro", "20261110T100000Z", &["ana@acme.io"], partstat);
    // The invitation books the meeting: the bump is answered, and the deal moves on as a booking moves it.
    let booked = calendar("booked.ics", "ACCEPTED");
    crm.ok(61, &["import", booked.to_str().unwrap()]);
    assert_eq!(bumps(61), 0);
    let deals = crm.json(61, &["deal", "list", "--json"]);
    assert_eq!(deals[0]["stage"], "Discovery", "{deals}");
    // She declines: the meeting goes, and the bump it answered is owed again.
    let declined = calendar("declined.ics", "DECLINED");
    crm.ok(62, &["import", declined.to_str().unwrap()]);
    assert_eq!(bumps(62), 1);
    crm.ok(63, &["import", declined.to_str().unwrap(), "--again"]);
    assert_eq!(bumps(63), 1, "imported again, nothing more");
}

/// Two replies taken back, the first first: the bump the first closed is owed again once the second goes
/// too (the second answered it meanwhile).
#[test]
fn a_bump_two_replies_answered_is_owed_again_when_both_are_taken_back_in_any_order() {
    for first_first in [true, false] {
        let crm = Crm::new("");
        crm.ana();
        crm.ok(0, &["log", "email", "ana@acme.io"]);
        crm.ok(48, &["automate", "run"]);
        assert_eq!(crm.tasks(48).len(), 1, "the bump");
        let a = crm.ok(49, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
        let b = crm.ok(49, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
        assert!(crm.tasks(49).is_empty(), "answered");
        let order = if first_first { [&a, &b] } else { [&b, &a] };
        crm.ok(50, &["unlog", order[0]]);
        assert!(crm.tasks(50).is_empty(), "the other reply still answers it");
        crm.ok(50, &["unlog", order[1]]);
        let owed: Vec<Value> = crm.tasks(50).into_iter().filter(|t| t["kind"] == "bump").collect();
        assert_eq!(owed.len(), 1, "first first: {first_first}");
    }
}

/// Two records of one person, each enrolled in the sequence step by an answer asking for more: merged, the
/// person is enrolled once.
#[test]
fn a_merge_leaves_one_sequence_step_for_the_person() {
    let crm = Crm::new("");
    crm.ana();
    crm.ana_elsewhere();
    let first = crm.ok(1, &["log", "email", "ana@acme.io", "--inbound", "--reply", "info"]);
    crm.ok(2, &["log", "email", "ana.lopez@gmail.com", "--inbound", "--reply", "info"]);
    let steps = |crm: &Crm, hour: i64| {
        crm.tasks(hour).into_iter().filter(|t| t["title"].as_str().is_some_and(|s| s.contains("step 2"))).count()
    };
    assert_eq!(steps(&crm, 2), 2, "one each");
    crm.ok(3, &["dedupe", "--apply", "--min-confidence", "50"]);
    assert_eq!(steps(&crm, 3), 1);
    // The answer whose step stayed taken back, the other record's answer enrolls the person.
    crm.ok(4, &["unlog", &first]);
    assert_eq!(steps(&crm, 4), 1);
    crm.ok(5, &["log", "email", "ana@acme.io", "--inbound", "--reply", "info"]);
    assert_eq!(steps(&crm, 5), 1);
}

/// A missed meeting's reschedule is answered by a meeting only: a touch since does not keep it done once
/// the meeting that answered it is declined.
#[test]
fn a_reschedule_is_owed_again_when_the_meeting_that_answered_it_goes_whatever_touches_came_since() {
    let crm = Crm::new("");
    crm.ana();
    let missed = crm.ok(0, &["meeting", "add", "ana@acme.io", "--at", &at(1)]);
    crm.ok(2, &["meeting", "no-show", &missed]);
    let reschedules = |hour: i64| crm.tasks(hour).iter().filter(|t| t["kind"] == "reschedule").count();
    assert_eq!(reschedules(2), 1);
    crm.ok(3, &["log", "email", "ana@acme.io"]);
    assert_eq!(reschedules(3), 1, "a touch is no meeting");
    let calendar =
        |file: &str, partstat: &str| crm.invitation(file, "acme-again", "20261110T100000Z", &["ana@acme.io"], partstat);
    crm.ok(4, &["import", calendar("booked.ics", "ACCEPTED").to_str().unwrap()]);
    assert_eq!(reschedules(4), 0, "booked again");
    crm.ok(5, &["import", calendar("declined.ics", "DECLINED").to_str().unwrap()]);
    assert_eq!(reschedules(5), 1, "declined: owed again");
}

/// A reply taken back leaves the bump owed again; merged before the next run, the person still gets it.
#[test]
fn a_bump_owed_again_by_a_touch_taken_back_survives_a_merge() {
    let crm = Crm::new("");
    crm.ana();
    crm.ana_elsewhere();
    crm.ok(1, &["log", "email", "ana.lopez@gmail.com"]);
    let reply = crm.ok(2, &["log", "email", "ana.lopez@gmail.com", "--inbound"]);
    crm.ok(51, &["automate", "run"]);
    assert!(crm.tasks(51).is_empty(), "answered");
    crm.ok(52, &["unlog", &reply]);
    crm.ok(52, &["dedupe", "--apply", "--min-confidence", "50"]);
    crm.ok(53, &["automate", "run"]);
    let bumps: Vec<Value> = crm.tasks(53).into_iter().filter(|t| t["kind"] == "bump").collect();
    assert_eq!(bumps.len(), 1, "{bumps:?}");
}

#[test]
fn a_merge_folds_the_bookings_of_one_event_and_settles_a_reschedule_the_other_record_answers() {
    let crm = Crm::new("");
    crm.ana();
    crm.ana_elsewhere();
    let missed = crm.ok(1, &["meeting", "add", "ana@acme.io", "--at", &at(2)]);
    crm.ok(3, &["meeting", "no-show", &missed]);
    assert_eq!(crm.tasks(3).iter().filter(|t| t["kind"] == "reschedule").count(), 1);
    crm.ok(3, &["meeting", "add", "ana.lopez@gmail.com", "--at", &at(100)]);
    let both = ["ana@acme.io", "ana.lopez@gmail.com"];
    let invite = crm.invitation("both.ics", "acme-demo", "20261112T100000Z", &both, "NEEDS-ACTION");
    crm.ok(4, &["import", invite.to_str().unwrap()]);
    crm.ok(5, &["dedupe", "--apply", "--min-confidence", "50"]);
    assert_eq!(crm.tasks(5).iter().filter(|t| t["kind"] == "reschedule").count(), 0, "a later meeting answers it");
    let demos = crm.sql("SELECT count(*) FROM meetings WHERE calendar_key = 'acme-demo' AND deleted_at IS NULL");
    assert_eq!(demos, [["1"]]);
}

#[test]
fn a_database_moved_keeps_the_stage_a_rep_held_a_deal_at_despite_a_meeting_to_come() {
    let crm = Crm::new("");
    crm.ana();
    crm.ok(0, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
    crm.ok(0, &["deal", "add", "ana@acme.io", "--title", "Big"]);
    crm.ok(1, &["meeting", "add", "ana@acme.io", "--at", &at(200)]);
    crm.ok(2, &["deal", "move", "Big", "Contacted"]);
    let moved = Crm::new("");
    let dir = crm.db.parent().unwrap().to_path_buf();
    for object in ["team", "leads", "outreach", "deals", "meetings"] {
        let file = dir.join(format!("{object}.jsonl"));
        crm.ok(3, &["export", object, "--format", "jsonl", "--out", file.to_str().unwrap()]);
        moved.ok(3, &["import", file.to_str().unwrap()]);
    }
    assert_eq!(moved.json(3, &["deal", "list", "--json"])[0]["stage"], "Contacted");
}

#[test]
fn a_follow_up_a_meeting_answered_is_owed_again_when_it_is_declined_unless_the_rep_closed_it() {
    let crm = Crm::new("");
    crm.ana();
    crm.ana_elsewhere();
    crm.ok(0, &["log", "email", "ana@acme.io", "--note", "intro"]);
    crm.ok(60, &["automate", "run"]);
    let open_bumps = |hour: i64| crm.tasks(hour).iter().filter(|t| t["kind"] == "bump").count();
    assert_eq!(open_bumps(60), 1);
    let invite = |uid: &str, who: &str, partstat: &str| {
        crm.invitation(&format!("{uid}.ics"), uid, "20261115T100000Z", &[who], partstat)
    };
    // Booked on the other record; the merge closes the bump on the strength of that meeting.
    crm.ok(61, &["import", invite("other", "ana.lopez@gmail.com", "ACCEPTED").to_str().unwrap()]);
    assert_eq!(open_bumps(61), 1, "the other record's meeting answers nothing of this one's yet");
    crm.ok(62, &["dedupe", "--apply", "--min-confidence", "50"]);
    assert_eq!(open_bumps(62), 0);
    crm.ok(63, &["import", invite("other", "ana.lopez@gmail.com", "DECLINED").to_str().unwrap()]);
    assert_eq!(open_bumps(63), 1, "declined: the bump is owed again");
    // Closed by the rep after a booking closed it and was undone: a later decline leaves it closed.
    crm.ok(64, &["import", invite("again", "ana@acme.io", "ACCEPTED").to_str().unwrap()]);
    assert_eq!(open_bumps(64), 0);
    let bump = crm.sql("SELECT id FROM tasks WHERE kind = 'bump'")[0][0].clone();
    crm.ok(65, &["task", "reopen", &bump]);
    crm.ok(65, &["task", "done", &bump]);
    crm.ok(66, &["import", invite("again", "ana@acme.io", "DECLINED").to_str().unwrap()]);
    assert_eq!(open_bumps(66), 0);
}

#[test]
fn a_pilot_accepted_by_the_tag_names_its_deal_as_the_command_does() {
    let crm = Crm::new(
        "[[automation.rule]]\nname = \"pilot-note\"\ntrigger = \"pilot_accepted\"\n\
         actions = [{ do = \"notify\", title = \"Pilot for {deal} with {lead}\" }]\n",
    );
    crm.ana();
    crm.ok(0, &["deal", "add", "ana@acme.io", "--title", "Acme"]);
    crm.ok(1, &["lead", "edit", "ana@acme.io", "--tag", "pilot"]);
    let inbox = crm.json(1, &["inbox", "--json"]);
    let titles: Vec<&str> = inbox.as_array().unwrap().iter().filter_map(|i| i["title"].as_str()).collect();
    assert!(titles.contains(&"Pilot for Acme with Ana López"), "{titles:?}");
    // A lead with no open deal has no pilot to accept: nothing says "Pilot for  with".
    crm.ok(2, &["lead", "add", "--first-name", "Cy", "--email", "cy@c.io"]);
    crm.ok(2, &["lead", "edit", "cy@c.io", "--tag", "pilot"]);
    let inbox = crm.json(2, &["inbox", "--json"]);
    assert!(!inbox.to_string().contains("with Cy"), "{inbox}");
}

#[test]
fn answers_that_each_moved_a_deal_a_stage_taken_back_bring_it_back_to_the_start() {
    let config = "[[automation.rule]]\nname = \"info\"\ntrigger = \"reply\"\nconditions = [\"reply = info\"]\n\
                  actions = [{ do = \"advance_deal\", stage = \"Discovery\" }]\n\
                  [[automation.rule]]\nname = \"yes\"\ntrigger = \"reply\"\nconditions = [\"reply = positive\"]\n\
                  actions = [{ do = \"advance_deal\", stage = \"Proposal\" }]\n";
    for later_first in [true, false] {
        let crm = Crm::new(config);
        crm.ana();
        let deal = crm.ok(0, &["deal", "add", "ana@acme.io", "--title", "Acme"]);
        let info = crm.ok(1, &["log", "email", "ana@acme.io", "--inbound", "--reply", "info"]);
        assert_eq!(stage(&crm, &deal), "Discovery");
        let yes = crm.ok(2, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
        assert_eq!(stage(&crm, &deal), "Proposal");
        let order = if later_first { [&yes, &info] } else { [&info, &yes] };
        crm.ok(3, &["unlog", order[0]]);
        crm.ok(4, &["unlog", order[1]]);
        assert_eq!(stage(&crm, &deal), "New", "taken back later first: {later_first}");
    }
}

#[test]
fn a_contact_recorded_off_the_record_is_the_follow_up_a_bump_asks_for() {
    let crm = Crm::new("");
    crm.ana();
    crm.ok(0, &["log", "email", "ana@acme.io"]);
    // A call from the car the day after: no bump is owed for the e-mail before it.
    crm.ok(27, &["lead", "touch", "ana@acme.io", "--at", &at(26)]);
    crm.ok(49, &["automate", "run"]);
    assert!(crm.tasks(49).is_empty(), "{:?}", crm.tasks(49));
    // A bump already owed is done by the contact made after it.
    crm.ok(50, &["log", "email", "ana@acme.io"]);
    crm.ok(99, &["automate", "run"]);
    assert_eq!(crm.tasks(99).len(), 1, "the bump for the second e-mail");
    crm.ok(100, &["lead", "touch", "ana@acme.io"]);
    assert!(crm.tasks(100).is_empty(), "{:?}", crm.tasks(100));
}

#[test]
fn a_rep_s_move_between_two_answers_is_not_taken_back_with_them() {
    let crm = Crm::new(
        "[[automation.rule]]\nname = \"yes\"\ntrigger = \"reply\"\nconditions = [\"reply = positive\"]\n\
         actions = [{ do = \"advance_deal\", stage = \"Discovery\" }]\n\
         [[automation.rule]]\nname = \"info\"\ntrigger = \"reply\"\nconditions = [\"reply = info\"]\n\
         actions = [{ do = \"advance_deal\", stage = \"Proposal\" }]\n",
    );
    crm.ana();
    let deal = crm.ok(0, &["deal", "add", "ana@acme.io", "--title", "Acme"]);
    let yes = crm.ok(1, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
    // The rep moves the deal away and back: Discovery is now the rep's.
    crm.ok(2, &["deal", "move", "Acme", "Contacted"]);
    crm.ok(3, &["deal", "move", "Acme", "Discovery"]);
    let info = crm.ok(4, &["log", "email", "ana@acme.io", "--inbound", "--reply", "info"]);
    assert_eq!(stage(&crm, &deal), "Proposal");
    crm.ok(5, &["unlog", &yes]);
    assert_eq!(stage(&crm, &deal), "Proposal");
    crm.ok(6, &["unlog", &info]);
    assert_eq!(stage(&crm, &deal), "Discovery", "where the rep put it");
}

#[test]
fn an_answer_that_moved_a_deal_two_stages_hands_both_to_the_answer_that_still_earns_them() {
    let crm = Crm::new("");
    crm.ana();
    let deal = crm.ok(0, &["deal", "add", "ana@acme.io", "--title", "Acme"]);
    let held = crm.ok(0, &["meeting", "add", "ana@acme.io", "--at", &at(-1)]);
    crm.ok(0, &["meeting", "attended", &held]);
    crm.ok(0, &["meeting", "add", "ana@acme.io", "--at", &at(100)]);
    crm.sql("UPDATE deals SET stage = 'New'");
    let first = crm.ok(1, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
    assert_eq!(stage(&crm, &deal), "Proposal");
    let second = crm.ok(2, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
    crm.ok(3, &["unlog", &first]);
    assert_eq!(stage(&crm, &deal), "Proposal", "the second answer earns both steps");
    crm.ok(4, &["unlog", &second]);
    assert_eq!(stage(&crm, &deal), "New");
}

#[test]
fn answers_taken_back_leave_the_deal_where_the_answers_still_logged_would_have_put_it() {
    let rules = |with_proposal: bool| {
        let mut c = String::from(
            "[[automation.rule]]\nname = \"r1\"\ntrigger = \"reply\"\nconditions = [\"reply = positive\"]\n\
             actions = [{ do = \"advance_deal\", stage = \"Discovery\" }]\n\
             [[automation.rule]]\nname = \"r3\"\ntrigger = \"reply\"\nconditions = [\"reply = info\"]\n\
             actions = [{ do = \"advance_deal\", stage = \"Negotiation\" }]\n",
        );
        if with_proposal {
            c.push_str(
                "[[automation.rule]]\nname = \"r2\"\ntrigger = \"reply\"\nconditions = [\"reply = positive\"]\n\
                 actions = [{ do = \"advance_deal\", stage = \"Proposal\" }]\n",
            );
        }
        c
    };
    let reply =
        |crm: &Crm, hour: i64, kind: &str| crm.ok(hour, &["log", "email", "ana@acme.io", "--inbound", "--reply", kind]);
    // One answer's two steps, then another's onwards: both taken back, the deal is where the rep had it.
    let crm = Crm::new(&rules(true));
    crm.ana();
    let deal = crm.ok(0, &["deal", "add", "ana@acme.io", "--title", "Acme"]);
    crm.ok(0, &["deal", "move", "Acme", "Contacted"]);
    let a = reply(&crm, 1, "positive");
    assert_eq!(stage(&crm, &deal), "Proposal");
    let b = reply(&crm, 2, "info");
    assert_eq!(stage(&crm, &deal), "Negotiation");
    crm.ok(3, &["unlog", &a]);
    crm.ok(4, &["unlog", &b]);
    assert_eq!(stage(&crm, &deal), "Contacted");
    // A third answer still earning the first step keeps it, whichever order the others are taken back in.
    for a_first in [true, false] {
        let crm = Crm::new(&rules(false));
        crm.ana();
        let deal = crm.ok(0, &["deal", "add", "ana@acme.io", "--title", "Acme"]);
        crm.ok(0, &["deal", "move", "Acme", "Contacted"]);
        let a = reply(&crm, 1, "positive");
        let b = reply(&crm, 2, "info");
        reply(&crm, 3, "positive");
        let order = if a_first { [&a, &b] } else { [&b, &a] };
        crm.ok(4, &["unlog", order[0]]);
        crm.ok(5, &["unlog", order[1]]);
        assert_eq!(stage(&crm, &deal), "Discovery", "A taken back first: {a_first}");
    }
}

#[test]
fn every_answer_taken_back_leaves_the_deal_where_the_rep_last_put_it() {
    let crm = Crm::new(
        "[[automation.rule]]\nname = \"yes\"\ntrigger = \"reply\"\nconditions = [\"reply = positive\"]\n\
         actions = [{ do = \"advance_deal\", stage = \"Proposal\" }]\n",
    );
    crm.ana();
    let deal = crm.ok(0, &["deal", "add", "ana@acme.io", "--title", "Acme"]);
    crm.ok(1, &["deal", "move", "Acme", "Contacted"]);
    let a = crm.ok(2, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
    crm.ok(3, &["deal", "move", "Acme", "New"]);
    let b = crm.ok(4, &["log", "email", "ana@acme.io", "--inbound", "--reply", "positive"]);
    crm.ok(5, &["unlog", &b]);
    crm.ok(6, &["unlog", &a]);
    assert_eq!(stage(&crm, &deal), "New");
}
