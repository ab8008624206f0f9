//! The CLI contract, through the real binary: every command, its JSON, and bad input that changes nothing.

mod common;

use common::Sandbox;
use serde_json::Value;

#[test]
fn lead_add_list_show_edit_rm() {
    let s = Sandbox::new();
    let id = s.ana();
    assert_eq!(id.len(), 36, "prints the new id: {id}");
    let list = s.json(&["lead", "list"]);
    let lead = &list[0];
    assert_eq!(lead["id"], id.as_str());
    assert_eq!(lead["first_name"], "Ana");
    assert_eq!(lead["last_name"], "López");
    assert_eq!(lead["email"], "ana@acme.io");
    assert_eq!(lead["company"], "Acme");
    assert_eq!(lead["source"], "linkedin");
    assert_eq!(lead["tags"], serde_json::json!(["hot"]));
    assert_eq!(lead["score"], 0);
    assert_eq!(lead["lifecycle"], "lead");
    assert_eq!(lead["do_not_contact"], false);
    assert_eq!(lead["last_contacted_at"], Value::Null);
    assert_eq!(lead["owner"], "Rita Rep");

    let table = s.ok(&["lead", "list"]);
    assert!(table.contains("Ana López") && table.contains("never"), "{table}");

    s.ok(&[
        "lead",
        "edit",
        "ana@acme.io",
        "--title",
        "CEO",
        "--tag",
        "vip",
        "--untag",
        "hot",
        "--lifecycle",
        "customer",
    ]);
    let shown = s.json(&["lead", "show", "Ana López"]);
    assert_eq!(shown["lead"]["title"], "CEO");
    assert_eq!(shown["lead"]["tags"], serde_json::json!(["vip"]));
    assert_eq!(shown["lead"]["lifecycle"], "customer");
    // A tag taken off that the lead does not have is said (a typo, most likely), and nothing else changes.
    let (_, said) = s.ok_said(&["lead", "edit", "ana@acme.io", "--untag", "VIPP", "--untag", "vip"]);
    assert!(said.contains("Ana López had no tag 'vipp'"), "{said}");
    assert_eq!(s.json(&["lead", "show", "Ana López"])["lead"]["tags"], serde_json::json!([]));

    // A reason alone would be dropped unsaid: it goes with --do-not-contact.
    let err = s.fails(&["lead", "edit", &id, "--title", "CTO", "--reason", "asked by phone"], 2);
    assert!(err.contains("--do-not-contact"), "{err}");
    assert_eq!(s.json(&["lead", "show", &id])["lead"]["title"], "CEO");
    // "none" leaves a lead nobody's, as the owner filter says it.
    s.ok(&["lead", "edit", &id, "--owner", "none"]);
    assert_eq!(s.json(&["lead", "show", &id])["lead"]["owner"], serde_json::Value::Null);
    s.ok(&["lead", "edit", &id, "--do-not-contact", "true", "--reason", "asked by phone"]);
    let shown = s.json(&["lead", "show", &id]);
    assert_eq!(shown["lead"]["do_not_contact"], true);
    assert_eq!(shown["lead"]["do_not_contact_reason"], "asked by phone");
    assert_eq!(shown["lead"]["do_not_contact_at"], common::NOW);

    // The short id the table shows works as a reference too; fewer than 8 digits are said to be too few.
    s.ok(&["lead", "show", &id[..13]]);
    let err = s.fails(&["lead", "show", &id[..6]], 1);
    assert!(err.contains("give at least 8 characters"), "{err}");
    s.ok(&["lead", "rm", "ana@acme.io"]);
    assert_eq!(s.json(&["lead", "list"]), serde_json::json!([]));
    s.fails(&["lead", "show", &id], 1);
}

#[test]
fn one_lead_per_email_whatever_the_case_or_spaces() {
    let s = Sandbox::new();
    let id = s.ana();
    let before = s.dump();
    let err = s.fails(&["lead", "add", "--first-name", "Other", "--email", "  ANA@Acme.IO "], 1);
    assert!(err.contains("already exists") && err.contains("Ana López") && err.contains(&id), "{err}");
    assert_eq!(s.dump(), before);
    // Editing another lead onto the same e-mail is refused too.
    s.ok(&["lead", "add", "--first-name", "Bo", "--email", "bo@acme.io"]);
    let err = s.fails(&["lead", "edit", "bo@acme.io", "--email", "Ana@acme.io"], 1);
    assert!(err.contains("Ana López"), "{err}");
}

#[test]
fn hostile_strings_are_stored_and_shown_back_exactly() {
    let s = Sandbox::new();
    let long = "x".repeat(10_000);
    let hostile = [
        "Robert'); DROP TABLE leads;--",
        "\"quoted\" and 'single'",
        "emoji 🚀🔥 and ZWJ 👩‍💻",
        "مرحبا بالعالم RTL",
        "bell\u{7} escape\u{1b}[31m newline\nend",
        long.as_str(),
    ];
    for (i, h) in hostile.iter().enumerate() {
        let email = format!("h{i}@example.com");
        // A name of more than 200 characters, or with control characters, is refused, and nothing is written.
        let name = if h.len() > 200 || h.contains(char::is_control) {
            let err = s.fails(&["lead", "add", "--first-name", h, "--email", &email], 1);
            assert!(err.contains("first_name") && err.lines().count() == 1, "{err}");
            assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "the refusal shows no control character raw");
            format!("Hostile{i}")
        } else {
            h.to_string()
        };
        let id = s.ok(&["lead", "add", "--first-name", &name, "--last-name", &name, "--email", &email, "--notes", h]);
        let shown = s.json(&["lead", "show", &id]);
        assert_eq!(shown["lead"]["first_name"], *name);
        assert_eq!(shown["lead"]["notes"], *h);
        s.ok(&["log", "platform", &id, "--value", "Upwork", "--note", h]);
        let shown = s.json(&["lead", "show", &id]);
        assert_eq!(shown["timeline"][0]["description"], *h);
    }
    // The human table never lets an escape sequence reach the terminal, nor does an error quoting it.
    let table = s.ok(&["lead", "list", "--limit", "100"]);
    assert!(!table.contains('\u{1b}'), "escape leaked");
    for (args, code) in [
        (vec!["lead", "show", "no\u{1b}[2Jbody"], 1),
        (vec!["lead", "list", "--sort", "\u{1b}]0;title\u{7}"], 2),
        (vec!["task", "list", "--owner", "\u{1b}[31mnobody"], 1),
    ] {
        let err = s.fails(&args, code);
        assert!(!err.contains('\u{1b}') && !err.contains('\u{7}') && err.contains("\\u{1b}"), "{err}");
    }
    assert_eq!(s.json(&["lead", "list", "--limit", "100"]).as_array().unwrap().len(), hostile.len());
}

#[test]
fn five_kinds_of_outreach_with_their_fields() {
    let s = Sandbox::new();
    let id = s.ana();
    s.ok(&["log", "platform", "ana@acme.io", "--value", "Upwork", "--note", "proposal sent", "--at", "-5d"]);
    s.ok(&["log", "email", "ana@acme.io", "--variant", "B", "--personalization", "4", "--at", "-4d"]);
    s.ok(&["log", "call", "ana@acme.io", "--at", "-3d"]);
    s.ok(&["log", "social", "ana@acme.io", "--url", "https://linkedin.com/in/ana", "--cited-metric", "--at", "-2d"]);
    s.ok(&[
        "log",
        "messenger",
        "ana@acme.io",
        "--value",
        "whatsapp",
        "--phone",
        "+34600112233",
        "--inbound",
        "--reply",
        "positive",
        "--at",
        "-1d",
    ]);
    let shown = s.json(&["lead", "show", &id]);
    let timeline = shown["timeline"].as_array().unwrap();
    let kinds: Vec<(&str, i64, &str)> = timeline
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["kind_code"].as_i64().unwrap(), e["value"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("messenger", 5, "whatsapp:+34600112233"),
            ("social", 4, "https://www.linkedin.com/in/ana"),
            ("call", 3, "+34 600 11 22 33"),
            ("email", 2, "ana@acme.io"),
            ("platform", 1, "Upwork"),
        ]
    );
    assert_eq!(timeline[0]["direction"], "inbound");
    assert_eq!(timeline[0]["reply_type"], "positive");
    assert_eq!(timeline[1]["cited_metric"], true);
    assert_eq!(timeline[3]["variant"], "B");
    assert_eq!(timeline[3]["personalization_level"], 4);
    assert_eq!(timeline[0]["type"], "outreach");
    assert_eq!(shown["lead"]["last_contacted_at"], "2026-11-24T12:00:00.000Z");
    // The inbound reply is waiting in the inbox.
    let inbox = s.json(&["inbox"]);
    assert_eq!(inbox[0]["lead_name"], "Ana López");
    assert_eq!(inbox[0]["channel"], "messenger");
    // As a table: each column named, the state in the terminal UI's words.
    let table = s.ok(&["inbox"]);
    let (head, row) = table.split_once('\n').unwrap();
    assert!(head.split_whitespace().take(3).eq(["ID", "WHEN", "STATE"]), "{table}");
    assert!(row.contains(" unread ") && row.contains("Ana López"), "{table}");
}

#[test]
fn outreach_fields_are_validated_by_kind() {
    let s = Sandbox::new();
    s.ok(&["lead", "add", "--first-name", "Nomail"]);
    let before = s.dump();
    let err = s.fails(&["log", "email", "Nomail"], 1);
    assert!(err.contains("email value") && err.contains("--email"), "{err}");
    let err = s.fails(&["log", "call", "Nomail"], 1);
    assert!(err.contains("--phone"), "{err}");
    let err = s.fails(&["log", "email", "Nomail", "--email", "not-an-address"], 1);
    assert!(err.contains("not-an-address"), "{err}");
    let err = s.fails(&["log", "social", "Nomail", "--url", "not a url"], 1);
    assert!(err.contains("not a url"), "{err}");
    let err = s.fails(&["log", "call", "Nomail", "--email", "a@b.co"], 2);
    assert!(err.contains("--email applies to email"), "{err}");
    let err = s.fails(&["log", "platform", "Nomail", "--value", "Upwork", "--variant", "A\u{1b}[31m"], 1);
    assert!(err.contains("variant"), "{err}");
    let err =
        s.fails(&["log", "social", "Nomail", "--url", "https://linkedin.com/in/x", "--value", "https://x.io/y"], 2);
    assert!(err.contains("--url and --value give two values"), "{err}");
    let err = s.fails(&["log", "email", "Nomail", "--value", "a@x.io", "--email", "b@x.io"], 2);
    assert!(err.contains("--email and --value give two values"), "{err}");
    let err = s.fails(&["log", "platform", "Nomail", "--value", "Upwork", "--personalization", "9"], 2);
    assert!(err.contains("personalization"), "{err}");
    let err = s.fails(&["log", "fax", "Nomail"], 2);
    assert!(err.contains("'fax'") && err.contains("messenger") && err.contains("(see leadline log --help)"), "{err}");
    let err = s.fails(&["lead", "add", "--first-name", "Ana", "--bogus"], 2);
    assert!(err.starts_with("leadline: unexpected argument '--bogus'"), "{err}");
    assert!(err.trim_end().ends_with("(see leadline lead add --help)"), "{err}");
    let err = s.fails(&["lead", "lst"], 2);
    assert!(err.contains("'list'") && err.contains("(see leadline lead --help)"), "{err}");
    let err = s.fails(&["log", "platform", "Nomail", "--value", "Guru", "--at", "31 Feb 2025"], 2);
    assert!(err.contains("--at:") && err.contains("31 Feb 2025"), "{err}");
    assert_eq!(s.dump(), before);
    // With no number on file, the one called last is called again (what a bump "on call" asks for); the
    // platform written on last is written on again.
    s.ok(&["log", "call", "Nomail", "--phone", "+34 600 99 88 77", "--at", "-1d"]);
    s.ok(&["log", "platform", "Nomail", "--value", "Upwork", "--at", "-1d"]);
    s.ok(&["log", "call", "Nomail"]);
    s.ok(&["log", "platform", "Nomail"]);
    let shown = s.ok(&["lead", "show", "Nomail"]);
    assert_eq!(shown.matches("call +34 600 99 88 77").count(), 2, "{shown}");
    assert_eq!(shown.matches("platform Upwork").count(), 2, "{shown}");
    // Two spellings of one name: the one written as typed is named by it.
    s.ok(&["lead", "add", "--first-name", "Ana", "--last-name", "Lopez", "--email", "ana.lopez@plain.io"]);
    s.ok(&["lead", "add", "--first-name", "Ana", "--last-name", "López", "--email", "ana.lopez@accent.io"]);
    assert!(s.ok(&["lead", "show", "Ana Lopez"]).contains("ana.lopez@plain.io"));
    assert!(s.ok(&["lead", "show", "Ana López"]).contains("ana.lopez@accent.io"));
}

#[test]
fn last_contact_is_the_latest_touch_whatever_the_logging_order() {
    let s = Sandbox::new();
    let id = s.ana();
    let last = |s: &Sandbox| s.json(&["lead", "show", &id])["lead"]["last_contacted_at"].clone();
    s.ok(&["log", "call", &id, "--at", "-1d"]);
    assert_eq!(last(&s), "2026-11-24T12:00:00.000Z");
    s.ok(&["log", "email", &id, "--at", "-3d"]);
    assert_eq!(last(&s), "2026-11-24T12:00:00.000Z", "an older touch logged later does not move it back");
    // A scheduled meeting is not a contact until attended.
    let m = s.ok(&["meeting", "add", &id, "--at", "2026-11-25 10:00"]);
    assert_eq!(last(&s), "2026-11-24T12:00:00.000Z");
    s.ok(&["meeting", "attended", &m]);
    assert_eq!(last(&s), "2026-11-25T09:00:00.000Z");
    // Offline contact by hand.
    s.ok(&["lead", "touch", &id, "--at", "2026-11-25 12:30"]);
    assert_eq!(last(&s), "2026-11-25T11:30:00.000Z");
    s.ok(&["lead", "touch", &id]);
    assert_eq!(last(&s), common::NOW);
    // It shows in the history, where the last contact comes from.
    let timeline = s.json(&["lead", "show", &id])["timeline"].clone();
    assert_eq!((timeline[0]["type"].as_str(), timeline[0]["at"].as_str()), (Some("contact"), Some(common::NOW)));
    assert!(s.ok(&["lead", "show", &id]).contains("contacted (recorded without a touch)"));
}

#[test]
fn meetings_attended_and_no_show() {
    let s = Sandbox::new();
    let id = s.ana();
    let m = s.ok(&["meeting", "add", &id, "--at", "tomorrow 10:00", "--title", "Demo"]);
    // Whether someone came is known once the meeting has begun.
    let err = s.fails(&["meeting", "no-show", &m[..8], "--reason", "forgot"], 1);
    assert!(err.contains("has not happened yet"), "{err}");
    let past = s.ok(&["meeting", "add", &id, "--at", "-2h", "--title", "Kick-off"]);
    s.ok(&["meeting", "no-show", &past, "--reason", "forgot"]);
    let meetings = s.json(&["meeting", "list", &id]);
    assert_eq!(meetings[0]["scheduled_at"], "2026-11-26T09:00:00.000Z");
    assert_eq!(meetings[0]["status"], "scheduled");
    assert_eq!(meetings[1]["attended"], false);
    assert_eq!(meetings[1]["status"], "no_show");
    assert_eq!(meetings[1]["no_show_reason"], "forgot");
    // Nor is a touch logged before it happens.
    let err = s.fails(&["log", "call", &id, "--phone", "+34 600 11 22 33", "--at", "+2d"], 1);
    assert!(err.contains("--at: is in the future"), "{err}");
    // The time is said as the rep reads times: in the team's zone.
    assert!(err.contains("2026-11-27 13:00 Europe/Madrid"), "{err}");
    s.fails(&["meeting", "attended", "nope"], 1);
    s.fails(&["meeting", "add", &id], 2);
    // An outcome changed, or given again, is said.
    let said = |args: &[&str]| {
        let out = s.cmd().args(args).output().unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    assert!(said(&["meeting", "attended", &past]).contains("was marked a no-show; it is now attended"));
    assert!(said(&["meeting", "attended", &past]).contains("already marked so"));
}

#[test]
fn deals_through_the_pipeline() {
    let s = Sandbox::new();
    let id = s.ana();
    let err = s.fails(&["deal", "add", &id, "--title", "Refund", "--amount=-500"], 2);
    assert!(err.contains("must not be negative"), "{err}");
    let o = s.ok(&["log", "email", &id]);
    let d = s.ok(&[
        "deal",
        "add",
        &id,
        "--title",
        "Acme pilot",
        "--amount",
        "1.200,50",
        "--product",
        "course",
        "--from-outreach",
        &o,
    ]);
    let deals = s.json(&["deal", "list"]);
    assert_eq!(deals[0]["id"], d.as_str());
    assert_eq!(deals[0]["amount"], "1200.50");
    assert_eq!(deals[0]["amount_minor"], 120050);
    assert_eq!(deals[0]["currency"], "EUR");
    assert_eq!(deals[0]["stage"], "New");
    assert_eq!(deals[0]["origin_outreach_id"], o.as_str());
    // A lead that says it came from elsewhere (LinkedIn) is left as it is: the e-mail made the deal, not her.
    let ana = s.json(&["lead", "show", &id]);
    assert_eq!((ana["lead"]["origin_outreach_id"].as_str(), ana["lead"]["source"].as_str()), (None, Some("linkedin")));
    // A lead with no source takes the touch's.
    let bo = s.ok(&["lead", "add", "--first-name", "Bo", "--email", "bo@x.io"]);
    let call = s.ok(&["log", "call", &bo, "--phone", "+34 600 99 88 77"]);
    s.ok(&["deal", "add", &bo, "--title", "Bo pilot", "--from-outreach", &call]);
    let bo = s.json(&["lead", "show", &bo]);
    assert_eq!(
        (bo["lead"]["origin_outreach_id"].as_str(), bo["lead"]["source"].as_str()),
        (Some(call.as_str()), Some("call"))
    );
    s.ok(&["deal", "move", "Acme pilot", "proposal"]);
    assert_eq!(s.json(&["deal", "list", "--stage", "Proposal"])[0]["stage"], "Proposal");
    assert_eq!(s.json(&["lead", "list", "--stage", "Proposal"])[0]["stage"], "Proposal");
    let err = s.fails(&["deal", "move", &d, "Closing"], 1);
    assert!(err.contains("Closing") && err.contains("Negotiation"), "{err}");
    s.ok(&["deal", "won", &d]);
    let won = &s.json(&["deal", "list", "--status", "won"])[0];
    assert_eq!(won["stage"], "Won");
    assert_eq!(won["closed_at"], common::NOW);
    let d2 = s.ok(&["deal", "add", "ana@acme.io", "--title", "Upsell", "--amount", "300", "--currency", "usd"]);
    // A lone point before three digits groups thousands, and says so; in dinars it is the decimal point.
    let out = s.cmd().args(["deal", "add", &id, "--title", "Grouped", "--amount", "1.505"]).output().unwrap();
    assert!(out.status.success());
    let note = String::from_utf8_lossy(&out.stderr);
    assert!(note.contains("1.505 is read as 1,505.00 EUR"), "{note}");
    s.ok(&["deal", "add", &id, "--title", "Dinars", "--amount", "1.250", "--currency", "BHD"]);
    let dinars = s.json(&["deal", "list"]);
    let dinars = dinars.as_array().unwrap().iter().find(|d| d["title"] == "Dinars").unwrap();
    assert_eq!(dinars["amount"], "1.250");
    s.ok(&["deal", "lost", &d2, "--reason", "budget"]);
    let lost = &s.json(&["deal", "list", "--status", "lost"])[0];
    assert_eq!(lost["lost_reason"], "budget");
    assert_eq!(lost["currency"], "USD");
    // The first digits of two deals' ids (both made this second) name neither: said so, not "not found".
    let d1 = s.json(&["deal", "list", "--status", "won"])[0]["id"].as_str().unwrap().to_string();
    let shared = d1.chars().zip(d2.chars()).take_while(|(a, b)| a == b).count().min(8);
    let err = s.fails(&["deal", "move", &d1[..shared], "Proposal"], 1);
    assert!(err.contains("is ambiguous"), "{err}");
    let before = s.dump();
    // A flag's value that is no amount or currency is a usage error, named by its flag.
    let err = s.fails(&["deal", "add", &id, "--title", "X", "--amount", "12abc"], 2);
    assert!(err.contains("--amount:") && err.contains("12abc"), "{err}");
    let err = s.fails(&["deal", "add", &id, "--title", "X", "--currency", "EURO"], 2);
    assert!(err.contains("--currency:"), "{err}");
    s.fails(&["deal", "add", &id, "--title", "X", "--stage", "Nope"], 1);
    assert_eq!(s.dump(), before);
}

#[test]
fn tasks_due_done_and_snoozed() {
    let s = Sandbox::new();
    let id = s.ana();
    let overdue = s.ok(&["task", "add", &id, "--title", "Call back", "--due", "-2h"]);
    let today = s.ok(&["task", "add", "--title", "Prepare deck", "--due", "today 18:00"]);
    let later = s.ok(&["task", "add", &id, "--title", "Bump", "--due", "+3d", "--kind", "bump"]);
    s.ok(&["task", "add", "--title", "Quarterly review", "--due", "+30d"]);
    let ids = |due: &str| -> Vec<String> {
        s.json(&["task", "list", "--due", due])
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("overdue"), vec![overdue.clone()]);
    assert_eq!(ids("today"), vec![overdue.clone(), today.clone()]);
    assert_eq!(ids("week"), vec![overdue.clone(), today.clone(), later.clone()]);
    assert_eq!(ids("all").len(), 4);
    let task = &s.json(&["task", "list", "--due", "overdue"])[0];
    assert_eq!(task["lead_id"], id.as_str());
    assert_eq!(task["lead_name"], "Ana López");
    assert_eq!(task["lead_email"], "ana@acme.io");
    s.ok(&["task", "done", &overdue]);
    let again = s.cmd().args(["task", "done", &overdue]).output().unwrap();
    assert!(again.status.success() && String::from_utf8_lossy(&again.stderr).contains("already done"));
    s.ok(&["task", "snooze", &today, "--until", "+10d"]);
    assert_eq!(ids("week"), vec![later]);
    let err = s.fails(&["task", "snooze", &overdue, "--until", "+1d"], 1);
    assert!(err.contains("already done"), "{err}");
    s.fails(&["task", "list", "--due", "someday"], 2);
    let err = s.fails(&["task", "add", "--title", "x", "--due", "whenever"], 2);
    assert!(err.contains("--due: is not a time") && err.contains("whenever"), "{err}");
    // A snoozed task sits in the lead's history where it is due again.
    let deck = s.ok(&["task", "add", &id, "--title", "Send deck", "--due", "+1d"]);
    s.ok(&["task", "snooze", &deck, "--until", "+20d"]);
    let timeline = s.json(&["lead", "show", &id])["timeline"].clone();
    let titles: Vec<&str> = timeline.as_array().unwrap().iter().filter_map(|e| e["title"].as_str()).collect();
    assert_eq!(titles.first(), Some(&"Send deck"), "{titles:?}");
}

#[test]
fn references_resolve_or_explain() {
    let s = Sandbox::new();
    s.ana();
    s.ok(&["lead", "add", "--first-name", "Ana", "--last-name", "Kelly", "--email", "ana.k@x.io"]);
    let err = s.fails(&["lead", "show", "Ana"], 1);
    assert!(err.contains("ambiguous") && err.contains("Ana López") && err.contains("Ana Kelly"), "{err}");
    s.ok(&["lead", "show", "ana kelly"]);
    s.ok(&["lead", "show", "López"]);
    // Names are found however the accents and capitals are typed.
    s.ok(&["lead", "add", "--first-name", "Álvaro", "--last-name", "Núñez"]);
    for typed in ["Álvaro Núñez", "álvaro  núñez", "ALVARO NUNEZ", "Álvaro", "nunez"] {
        assert!(s.ok(&["lead", "show", typed]).contains("Álvaro Núñez"), "{typed}");
    }
    // One company however its name is written.
    let companies: Vec<String> = [("Uno", "Óptica Ruiz"), ("Dos", "ÓPTICA  RUIZ"), ("Tres", "optica ruiz")]
        .iter()
        .map(|(first, company)| {
            let id = s.ok(&["lead", "add", "--first-name", first, "--company", company]).trim().to_string();
            s.json(&["lead", "show", &id])["lead"]["account_id"].as_str().unwrap().to_string()
        })
        .collect();
    assert!(companies.iter().all(|c| *c == companies[0]), "{companies:?}");
    for name in ["Multi\nLine", "Multi\u{2028}Line"] {
        let err = s.fails(&["lead", "add", "--first-name", name], 1);
        assert!(err.contains("first_name") && err.contains("one line"), "{err}");
    }
    let err = s.fails(&["lead", "show", "Nobody"], 1);
    assert!(err.contains("lead not found: 'Nobody'"), "{err}");
}

#[test]
fn search_narrows_by_prefix() {
    let s = Sandbox::new();
    s.ana();
    s.ok(&["lead", "add", "--first-name", "Bruno", "--last-name", "Díaz", "--company", "Globex", "--tag", "partner"]);
    let names = |q: &str| -> Vec<String> {
        s.json(&["search", q])
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["first_name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names("an"), vec!["Ana"]);
    assert_eq!(names("glob"), vec!["Bruno"]);
    assert_eq!(names("diaz"), vec!["Bruno"], "accents are folded");
    assert_eq!(names("partner"), vec!["Bruno"]);
    assert_eq!(names("acme cto"), vec!["Ana"]);
    assert!(names("\" OR 1=1 --").is_empty());
}

#[test]
fn list_filters_and_sorts() {
    let s = Sandbox::new();
    s.ana();
    s.ok(&["lead", "add", "--first-name", "Bruno", "--source", "referral", "--tag", "vip"]);
    s.ok(&["lead", "add", "--first-name", "Carla", "--source", "Trade fair"]);
    s.ok(&["log", "platform", "Bruno", "--value", "Guru", "--at", "-1h"]);
    s.ok(&["log", "platform", "Carla", "--value", "Guru", "--at", "-2d"]);
    // A list cut at its limit says so, on stderr only.
    let cut = s.cmd().args(["lead", "list", "--limit", "2", "--json"]).output().unwrap();
    assert!(String::from_utf8_lossy(&cut.stderr).contains("the first 2 shown"));
    assert_eq!(serde_json::from_slice::<Value>(&cut.stdout).unwrap().as_array().unwrap().len(), 2);
    let whole = s.cmd().args(["lead", "list", "--limit", "3"]).output().unwrap();
    assert!(whole.stderr.is_empty(), "three leads fit a limit of three");
    let firsts = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["lead", "list"];
        a.extend_from_slice(args);
        s.json(&a).as_array().unwrap().iter().map(|l| l["first_name"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(firsts(&["--sort", "name"]), vec!["Ana", "Bruno", "Carla"]);
    assert_eq!(firsts(&["--sort", "last-contact"]), vec!["Bruno", "Carla", "Ana"]);
    assert_eq!(firsts(&["--sort", "created"]), vec!["Carla", "Bruno", "Ana"]);
    assert_eq!(firsts(&["--tag", "vip"]), vec!["Bruno"]);
    assert_eq!(firsts(&["--source", "trade fair"]), vec!["Carla"]);
    assert_eq!(firsts(&["--owner", "me", "--sort", "name", "--limit", "2"]), vec!["Ana", "Bruno"]);
    assert!(firsts(&["--lifecycle", "churned"]).is_empty());
    // Who asked not to be contacted is marked in the lists and the ranking, and can be left out of them.
    s.ok(&["privacy", "opt-out", "Bruno", "--reason", "asked"]);
    assert_eq!(firsts(&["--contactable", "--sort", "name"]), vec!["Ana", "Carla"]);
    assert_eq!(firsts(&["--opted-out"]), vec!["Bruno"]);
    assert!(s.ok(&["lead", "list", "--sort", "name"]).contains("⊘ Bruno"));
    assert!(s.ok(&["score"]).contains("⊘ Bruno"));
    let ranking = s.json(&["score"]);
    let bruno = ranking.as_array().unwrap().iter().find(|l| l["name"] == "Bruno").unwrap();
    assert_eq!(bruno["do_not_contact"], true);
    let contactable = s.json(&["score", "--contactable"]);
    assert!(contactable.as_array().unwrap().iter().all(|l| l["name"] != "Bruno"), "{contactable}");
    s.fails(&["lead", "list", "--contactable", "--opted-out"], 2);
    s.fails(&["lead", "list", "--sort", "height"], 2);
    s.fails(&["lead", "list", "--lifecycle", "prospect"], 2);
    s.fails(&["lead", "list", "--stage", "Nope"], 1);
    s.fails(&["lead", "list", "--owner", "ghost"], 1);
    // A filter naming nothing leaves standard output empty, in JSON too: no half an array for a script.
    for bad in [&["--owner", "ghost"][..], &["--stage", "Nope"], &["--tag", ""]] {
        let out = s.cmd().args([&["lead", "list", "--json"][..], bad].concat()).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{bad:?}");
        assert!(out.stdout.is_empty(), "{bad:?}: {}", String::from_utf8_lossy(&out.stdout));
    }
}

#[test]
fn notes_appear_on_the_timeline() {
    let s = Sandbox::new();
    let id = s.ana();
    s.ok(&["note", &id, "Prefers WhatsApp"]);
    let shown = s.json(&["lead", "show", &id]);
    assert_eq!(shown["timeline"][0]["type"], "note");
    assert_eq!(shown["timeline"][0]["body"], "Prefers WhatsApp");
    s.fails(&["note", &id, "   "], 1);
    let text = s.ok(&["lead", "show", &id]);
    assert!(text.contains("✎ note Prefers WhatsApp"), "{text}");
    // The lead's own notes of several lines read as lines, under one another.
    s.ok(&["lead", "edit", &id, "--notes", "Met in Berlin\nBudget in Q3"]);
    let text = s.ok(&["lead", "show", &id]);
    assert!(text.contains("notes             Met in Berlin\n                  Budget in Q3\n"), "{text}");
}

#[test]
fn bad_config_is_a_clear_error() {
    let s = Sandbox::with_config("[team\nname = 1");
    let err = s.fails(&["lead", "list"], 1);
    assert!(err.contains("config file") && err.contains("config.toml"), "{err}");
    // A key given twice is named.
    let s = Sandbox::with_config("[ui]\ntheme = \"dark\"\ntheme = \"light\"\n");
    let err = s.fails(&["lead", "list"], 1);
    assert!(err.contains("duplicate key ('theme')"), "{err}");
    // A file saved in Latin-1 says where it stops being UTF-8.
    let s = Sandbox::new();
    std::fs::write(&s.config, b"[team]\nname = \"Caf\xe9\"\n").unwrap();
    let err = s.fails(&["lead", "list"], 1);
    assert!(err.contains("line 2: is not UTF-8 text"), "{err}");
    let s = Sandbox::with_config("[pipeline]\nwon_stage = \"Done\"\n");
    let err = s.fails(&["lead", "list"], 1);
    assert!(err.contains("Done"), "{err}");
    // A UI value the TUI refuses names its line too (the sandbox writes eight lines before it).
    let s = Sandbox::with_config("[ui]\ntheme = \"dark\"\n\n[ui.colors]\naccent = \"mauvish\"\n");
    let err = s.fails(&["config", "check"], 1);
    assert!(err.contains("config.toml: line 13: ui.colors.accent"), "{err}");
    let s = Sandbox::new();
    let err = s.cmd().env("LEADLINE_CONFIG", s.dir.path().join("missing.toml")).args(["lead", "list"]).assert().code(1);
    let out = String::from_utf8_lossy(&err.get_output().stderr).to_string();
    assert!(out.contains("missing.toml"), "{out}");
    let err = s.cmd().env("LEADLINE_NOW", "yesterday").args(["lead", "list"]).assert().code(1);
    assert!(String::from_utf8_lossy(&err.get_output().stderr).contains("LEADLINE_NOW"));
    s.ok(&["config", "check"]);
    // For scripts: the check and the paths as JSON.
    assert_eq!(s.json(&["config", "check"]), serde_json::json!({ "ok": true, "warnings": [] }));
    let paths = s.json(&["config", "paths"]);
    assert_eq!(paths["database"].as_str(), s.db.to_str());
    assert_eq!(paths["config"].as_str(), s.config.to_str());
    // A command's trace on stderr, asked with the flag as with LEADLINE_LOG.
    s.ana();
    let out = s.cmd().args(["--log-level", "debug", "lead", "list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("DEBUG"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(s.cmd().args(["lead", "list"]).output().unwrap().stderr.is_empty(), "quiet unless asked");
}

#[test]
fn the_example_config_is_valid_and_env_overrides_it() {
    let s = Sandbox::new();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml");
    let out = s.cmd().env("LEADLINE_CONFIG", example).args(["config", "check"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = s.cmd().env("LEADLINE_TEAM__TIMEZONE", "Nowhere/City").args(["config", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Nowhere/City"));
    // A value for the terminal UI set by a variable is said of that variable.
    let out = s.cmd().env("LEADLINE_UI__THEME", "blue").args(["config", "check"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("environment variable LEADLINE_UI__THEME: ui.theme"));
    // The clock a script fixes is checked with the rest.
    let out = s.cmd().env("LEADLINE_NOW", "garbage").args(["config", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("LEADLINE_NOW"));
    let default = s.ok(&["config", "print-default"]);
    assert!(default.contains("[pipeline]") && default.contains("stages"));
    let bash = s.ok(&["completions", "bash"]);
    assert!(bash.contains("leadline"));
    // Flags with a fixed set of values complete them, not file names; other spellings still read.
    assert!(bash.contains(r#"compgen -W "score priority last-contact name created""#), "--sort");
    assert!(bash.contains(r#"compgen -W "overdue today week all""#), "--due");
    s.ana();
    s.ok(&["lead", "list", "--sort", "last_contact"]);
}

#[test]
fn database_files_are_private_and_backups_consistent() {
    use std::os::unix::fs::PermissionsExt;
    let s = Sandbox::new();
    s.ana();
    let mode = std::fs::metadata(&s.db).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let copy = s.dir.path().join("copy.db");
    let (out, said) = s.ok_said(&["backup", copy.to_str().unwrap()]);
    assert_eq!(std::path::Path::new(&out), copy.canonicalize().unwrap(), "prints the copy it wrote");
    assert!(said.starts_with("backed up "), "{said}");
    assert_eq!(std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777, 0o600);
    let restored = s.cmd().env("LEADLINE_DB", &copy).args(["lead", "list", "--json"]).output().unwrap();
    let leads: Value = serde_json::from_slice(&restored.stdout).unwrap();
    assert_eq!(leads[0]["email"], "ana@acme.io");
    let err = s.fails(&["backup", copy.to_str().unwrap()], 1);
    assert!(err.contains("already exists"), "{err}");
    // A mistyped database is no empty one to copy.
    let typo = s.dir.path().join("leeds.db");
    let other = s.dir.path().join("other.db");
    let out = s.cmd().env("LEADLINE_DB", &typo).args(["backup", other.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database there"));
    assert!(!typo.exists() && !other.exists());
    // The default database, named by nobody, is made on first use by any command: a list of nothing yet.
    let first = s.cmd().env_remove("LEADLINE_DB").args(["lead", "list"]).output().unwrap();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert_eq!(String::from_utf8_lossy(&first.stdout).trim(), "no leads match");
}

#[test]
fn unreadable_or_garbage_databases_are_reported() {
    let s = Sandbox::new();
    std::fs::write(&s.db, b"this is not a database at all, just some text ................................").unwrap();
    let err = s.fails(&["lead", "list"], 1);
    assert!(err.contains("leads.db") && err.contains("not a leadline database"), "{err}");
    // A leadline database cut short (a copy interrupted) is damaged, not someone else's file.
    let s = Sandbox::new();
    s.ana();
    let whole = std::fs::read(&s.db).unwrap();
    let cut = s.dir.path().join("cut.db");
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    let out = s.cmd().env("LEADLINE_DB", &cut).args(["lead", "list"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cut.db: the file is damaged") && err.contains("restore a copy"), "{err}");
    // Damage further in is found by the command that reads there: said the same way, with the file.
    let mut hurt = whole.clone();
    hurt[16_384..32_768].fill(0);
    let hurt_db = s.dir.path().join("hurt.db");
    std::fs::write(&hurt_db, &hurt).unwrap();
    let out = s.cmd().env("LEADLINE_DB", &hurt_db).args(["lead", "list"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("hurt.db: the file is damaged"), "{err}");
    // Nor is a database damaged where opening it does not read backed up: a damaged copy would be restored
    // one day in place of a good one.
    let (page, root): (i64, i64) = {
        let conn = rusqlite::Connection::open(&s.db).unwrap();
        let page = conn.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
        (page, conn.query_row("SELECT rootpage FROM sqlite_master WHERE name = 'notes'", [], |r| r.get(0)).unwrap())
    };
    let (page, root) = (page as usize, root as usize);
    let mut hurt = whole.clone();
    hurt[(root - 1) * page..root * page].fill(0xA5);
    std::fs::write(&hurt_db, &hurt).unwrap();
    let copy = s.dir.path().join("hurt-copy.db");
    let out = s.cmd().env("LEADLINE_DB", &hurt_db).args(["backup", copy.to_str().unwrap()]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("no backup was written"), "{err}");
    assert!(!copy.exists());
    let s = Sandbox::new();
    std::fs::write(s.dir.path().join("file"), "").unwrap();
    let out = s.cmd().env("LEADLINE_DB", s.dir.path().join("file/leads.db")).args(["lead", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("file/leads.db"));
}

#[test]
fn a_database_locked_by_another_process_is_reported_and_left_intact() {
    let s = Sandbox::new();
    s.ana();
    let before = s.dump();
    let holder = rusqlite::Connection::open(&s.db).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let err = s.fails(&["lead", "add", "--first-name", "Blocked"], 1);
    assert!(err.contains("locked"), "{err}");
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);
    assert_eq!(s.dump(), before);
}

#[test]
fn demo_data_is_realistic_and_reproducible() {
    let a = Sandbox::new();
    let b = Sandbox::new();
    let sa = a.json(&["demo", "--leads", "120", "--seed", "7"]);
    b.ok(&["demo", "--leads", "120", "--seed", "7"]);
    assert_eq!(sa["leads"], 120);
    let tasks: i64 =
        rusqlite::Connection::open(&a.db).unwrap().query_row("SELECT count(*) FROM tasks", [], |r| r.get(0)).unwrap();
    assert_eq!(sa["tasks"].as_i64().unwrap() + sa["followups_filed"].as_i64().unwrap(), tasks, "{sa}");
    assert!(sa["outreach"].as_u64().unwrap() > 120);
    assert!(sa["deals"].as_u64().unwrap() > 5);
    let la = a.json(&["lead", "list", "--sort", "last-contact", "--limit", "20"]);
    let lb = b.json(&["lead", "list", "--sort", "last-contact", "--limit", "20"]);
    let strip = |v: &Value| -> Vec<(Value, Value, Value)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|l| (l["id"].clone(), l["email"].clone(), l["last_contacted_at"].clone()))
            .collect()
    };
    assert_eq!(strip(&la), strip(&lb), "same seed and clock, same data");
    // Demo data is not mixed into a database's leads unasked; asked, the same demo again adds other leads
    // (the same ids would clash).
    let err = b.fails(&["demo", "--leads", "50", "--seed", "7"], 1);
    assert!(err.contains("already has 120 leads") && err.contains("--add"), "{err}");
    let again = b.json(&["demo", "--leads", "50", "--seed", "7", "--add"]);
    assert_eq!(again["leads"], 50);
    assert_eq!(b.json(&["lead", "list", "--limit", "1000"]).as_array().unwrap().len(), 170);
    // Every outreach kind and every stage is represented.
    let conn = rusqlite::Connection::open(&a.db).unwrap();
    let kinds: i64 = conn.query_row("SELECT count(DISTINCT kind) FROM outreach", [], |r| r.get(0)).unwrap();
    assert_eq!(kinds, 5);
    let stages: i64 = conn.query_row("SELECT count(DISTINCT stage) FROM deals", [], |r| r.get(0)).unwrap();
    assert_eq!(stages, 8);
    // Lifecycles agree with deals and customer records: every customer, churned or not, won a deal and has
    // the record it made (a churned one says when and why); no lead holds a won deal.
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let won = "EXISTS (SELECT 1 FROM deals d WHERE d.lead_id = l.id AND d.status = 'won')";
    let record = "(SELECT status FROM client_profiles p WHERE p.lead_id = l.id AND p.deleted_at IS NULL)";
    assert!(count("SELECT count(*) FROM leads WHERE lifecycle = 'churned'") > 0);
    assert_eq!(count(&format!("SELECT count(*) FROM leads l WHERE lifecycle = 'lead' AND {won}")), 0);
    assert_eq!(
        count(&format!(
            "SELECT count(*) FROM leads l WHERE lifecycle != 'lead' AND (NOT {won}
             OR {record} IS NOT (CASE lifecycle WHEN 'customer' THEN 'active' ELSE 'churned' END))"
        )),
        0
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM client_profiles WHERE status = 'churned'
             AND (churned_at IS NULL OR churned_at <= won_at OR churn_reason IS NULL)"
        ),
        0
    );
    // last_contacted_at agrees with the history the generator wrote.
    let wrong: i64 = conn
        .query_row(
            "SELECT count(*) FROM leads l WHERE l.last_contacted_at IS NOT (SELECT max(t) FROM (
                SELECT max(occurred_at) t FROM outreach WHERE lead_id = l.id
                UNION ALL SELECT max(scheduled_at) FROM meetings WHERE lead_id = l.id AND attended = 1))",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(wrong, 0);
    // Search works on demo data (the FTS index was filled in bulk).
    let any = la[0]["last_name"].as_str().unwrap().to_string();
    assert!(!a.json(&["search", &any]).as_array().unwrap().is_empty());
    // A size out of range is a usage error, as --limit 0 is.
    let err = a.fails(&["demo", "--leads", "0"], 2);
    assert!(err.contains("0 is not in 1..=5000000"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    let s = Sandbox::new();
    s.fails(&["lead", "add"], 2);
    s.fails(&["lead", "frobnicate"], 2);
    s.fails(&["--no-such-flag"], 2);
    s.ana();
    s.fails(&["lead", "edit", "x"], 2);
    // `--demo` is for the UI: with a command it is refused, not ignored (the command would hit this database).
    let err = s.fails(&["--demo", "lead", "rm", "ana@acme.io"], 2);
    assert!(err.contains("--demo opens the terminal UI on a demo database and takes no command"), "{err}");
    assert_eq!(s.json(&["lead", "list"]).as_array().unwrap().len(), 1);
    let err = s.fails(&["privacy", "run", "--months", "0"], 2);
    assert!(err.contains("0 is not in 1.."), "{err}");
    // An id too short to name anything asks for more of it.
    let err = s.fails(&["task", "done", "01a2"], 1);
    assert!(
        err.contains("task: is too short to name one: give at least 6 characters") && err.contains("('01a2')"),
        "{err}"
    );
}

#[test]
fn guards_hold_whichever_command_is_used() {
    let s = Sandbox::new();
    s.ok(&["lead", "add", "--first-name", "Fay", "--email", "fay@x.io"]);
    // Only a customer churns, through `lead churn` or an edit of the lifecycle alike.
    let err = s.fails(&["lead", "edit", "fay@x.io", "--lifecycle", "churned"], 1);
    assert!(err.contains("not a customer"), "{err}");
    // An offline contact in the future is refused as a logged one is.
    let err = s.fails(&["lead", "touch", "fay@x.io", "--at", "+48h"], 1);
    assert!(err.contains("--at: is in the future"), "{err}");
    let err = s.fails(&["task", "add", "fay@x.io", "--title", "t", "--due", "+15250284452w"], 2);
    assert!(err.contains("out of range"), "{err}");
    // A reason given for a deal already lost is kept.
    s.ok(&["deal", "add", "fay@x.io", "--title", "Zero"]);
    s.ok(&["deal", "lost", "Zero"]);
    s.ok(&["deal", "lost", "Zero", "--reason", "budget"]);
    let deals = s.json(&["deal", "list", "--status", "lost"]);
    assert_eq!(deals[0]["lost_reason"], "budget");
    let err = s.fails(&["deal", "add", "fay@x.io", "--title", "Typo", "--amount", "1..5"], 2);
    assert!(err.contains("separators"), "{err}");
}

#[test]
fn removing_a_lead_takes_its_work_ahead_and_tasks_name_deals_of_their_own_lead() {
    let s = Sandbox::new();
    s.ok(&["lead", "add", "--first-name", "Fay", "--email", "fay@x.io"]);
    s.ok(&["lead", "add", "--first-name", "Zed", "--email", "zed@x.io"]);
    let deal = s.ok(&["deal", "add", "fay@x.io", "--title", "Pilot"]).trim().to_string();
    let err = s.fails(&["task", "add", "zed@x.io", "--title", "t", "--due", "+1d", "--deal", &deal], 1);
    assert!(err.contains("belongs to another lead"), "{err}");
    // A task about a deal, with no lead named, is about the deal's lead.
    s.ok(&["task", "add", "--title", "Send the pilot plan", "--due", "+1d", "--deal", &deal]);
    let tasks = s.json(&["task", "list", "--due", "all"]);
    let plan = tasks.as_array().unwrap().iter().find(|t| t["title"] == "Send the pilot plan").unwrap().clone();
    assert_eq!(plan["lead_name"], "Fay");
    s.ok(&["task", "add", "fay@x.io", "--title", "Call Fay", "--due", "+1d"]);
    s.ok(&["log", "email", "fay@x.io", "--inbound", "--reply", "positive", "--at", "-3h"]);
    let met = s.ok(&["meeting", "add", "fay@x.io", "--at", "-2h"]);
    assert_eq!(s.json(&["inbox"]).as_array().unwrap().len(), 1);
    s.ok(&["lead", "rm", "fay@x.io"]);
    assert!(!s.ok(&["task", "list", "--due", "all"]).contains("Call Fay"));
    assert!(!s.ok(&["deal", "list"]).contains("Pilot"));
    // Her reply is no longer one to answer, and her meeting is no longer one to mark.
    assert_eq!(s.json(&["inbox"]), serde_json::json!([]));
    let err = s.fails(&["meeting", "attended", &met], 1);
    assert!(err.contains("is with a lead who was removed"), "{err}");
    // A task to message an opted-out lead is kept, with a warning.
    s.ok(&["privacy", "opt-out", "zed@x.io", "--reason", "asked"]);
    let out = s.cmd().args(["task", "add", "zed@x.io", "--title", "Bump Zed", "--due", "+1d"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("must not be contacted"));
    // So is a meeting booked with them, or a contact recorded.
    for args in [&["meeting", "add", "zed@x.io", "--at", "+2d"][..], &["lead", "touch", "zed@x.io"]] {
        let out = s.cmd().args(args).output().unwrap();
        assert!(out.status.success() && String::from_utf8_lossy(&out.stderr).contains("must not be contacted"));
    }
    // A contact refused (in the future) is not said to be recorded anyway.
    let err = s.fails(&["lead", "touch", "zed@x.io", "--at", "+1d"], 1);
    assert!(!err.contains("recorded anyway") && err.contains("is in the future"), "{err}");
    // A mistyped folder for the database is an error, not a new empty CRM.
    let err = s.fails(&["--db", "/nonexistent-folder/x.db", "lead", "list"], 1);
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn deals_are_named_by_title_whatever_the_accents_or_by_their_lead() {
    let s = Sandbox::new();
    s.ok(&["lead", "add", "--first-name", "María", "--email", "maria@x.io"]);
    s.ok(&["lead", "add", "--first-name", "Rocket", "--email", "rocket@x.io"]);
    let marias = s.ok(&["deal", "add", "maria@x.io", "--title", "Óptica pilot"]).trim().to_string();
    let rockets = s.ok(&["deal", "add", "rocket@x.io", "--title", "Óptica pilot"]).trim().to_string();
    // Two leads' deals share the title: alone it names neither, and says how to name one.
    let err = s.fails(&["deal", "move", "optica PILOT", "Proposal"], 1);
    assert!(err.contains("is ambiguous") && err.contains("María") && err.contains("by its lead"), "{err}");
    // With the lead given, the title names that lead's deal.
    let meeting = s.ok(&["meeting", "add", "maria@x.io", "--at", "+1d", "--deal", "óptica pilot"]);
    assert!(!meeting.trim().is_empty());
    assert_eq!(s.json(&["meeting", "list", "maria@x.io"])[0]["deal_id"], marias.as_str());
    s.ok(&["task", "add", "rocket@x.io", "--title", "Send plan", "--due", "+1d", "--deal", "Óptica Pilot"]);
    let task = s.json(&["task", "list", "--due", "all"])[0].clone();
    assert_eq!(task["deal_id"], rockets.as_str());
    // A lead with one open deal names it.
    s.ok(&["deal", "move", "rocket@x.io", "Proposal"]);
    let stage_of = |id: &str| {
        let deals = s.json(&["deal", "list"]);
        deals.as_array().unwrap().iter().find(|d| d["id"] == id).unwrap()["stage"].clone()
    };
    assert_eq!(stage_of(&rockets), "Proposal");
    assert_eq!(stage_of(&marias), "New");
    s.ok(&["deal", "add", "rocket@x.io", "--title", "Upsell"]);
    let err = s.fails(&["deal", "move", "rocket@x.io", "Proposal"], 1);
    assert!(err.contains("is ambiguous") && err.contains("Upsell"), "{err}");
    // A lead's name never reopens a closed deal.
    s.ok(&["lead", "add", "--first-name", "Wes", "--email", "wes@x.io"]);
    s.ok(&["deal", "add", "wes@x.io", "--title", "W1"]);
    s.ok(&["deal", "won", "W1"]);
    // Won again: said, and still a success (scripts repeat it).
    let again = s.cmd().args(["deal", "won", "W1"]).output().unwrap();
    assert!(again.status.success() && String::from_utf8_lossy(&again.stderr).contains("already won"));
    let err = s.fails(&["deal", "move", "wes@x.io", "Proposal"], 1);
    assert!(err.contains("no open deal"), "{err}");
    // Reopened by its title: said, with what taking the win back undid.
    let (_, said) = s.ok_said(&["deal", "move", "W1", "Proposal"]);
    assert!(said.contains("the deal was won; it is open now") && said.contains("customer status"), "{said}");
    s.ok(&["deal", "won", "W1"]);
    // A company given later files the lead's deals that had none under it.
    s.ok(&["lead", "edit", "wes@x.io", "--company", "Wesco"]);
    let deals = s.json(&["deal", "list", "--status", "won"]);
    assert_eq!(deals[0]["company"], "Wesco", "{deals}");
    // A title that is also a lead's name names both deals: neither is picked without a word.
    s.ok(&["lead", "add", "--first-name", "Carla", "--last-name", "Díaz", "--email", "carla@x.io"]);
    s.ok(&["deal", "add", "carla@x.io", "--title", "Carla's own"]);
    s.ok(&["deal", "add", "maria@x.io", "--title", "Carla Díaz"]);
    let err = s.fails(&["deal", "move", "Carla Díaz", "Contacted"], 1);
    assert!(err.contains("is ambiguous") && err.contains("Carla's own"), "{err}");
    // However many leads have a deal of that title, the given lead's is found.
    for i in 0..12 {
        let email = format!("p{i}@x.io");
        s.ok(&["lead", "add", "--first-name", &format!("P{i}"), "--email", &email]);
        s.ok(&["deal", "add", &email, "--title", "Standard pilot"]);
    }
    s.ok(&["task", "add", "p11@x.io", "--title", "Kick-off", "--due", "+1d", "--deal", "standard pilot"]);
}

#[test]
fn config_check_finds_what_would_stop_the_terminal_ui_and_stage_typos() {
    let s = Sandbox::with_config("[ui]\ntheme = \"pink\"\n");
    let err = s.fails(&["config", "check"], 1);
    assert!(err.contains("config.toml") && err.contains("pink"), "{err}");
    let s = Sandbox::with_config("[followup.cadence_by_stage]\nNotAStage = 3\n");
    let err = s.fails(&["config", "check"], 1);
    assert!(err.contains("line 10: followup.cadence_by_stage.NotAStage"), "{err}");
}

#[cfg(target_os = "linux")]
#[test]
fn output_that_cannot_be_written_is_a_one_line_failure() {
    let s = Sandbox::new();
    s.ana();
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("leadline"))
        .env("LEADLINE_DB", &s.db)
        .env("LEADLINE_CONFIG", &s.config)
        .args(["lead", "list"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("leadline: cannot write the output") && !err.contains("panicked"), "{err}");
    // A write whose id cannot be printed is in all the same, and the message says so.
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("leadline"))
        .env("LEADLINE_DB", &s.db)
        .env("LEADLINE_CONFIG", &s.config)
        .args(["lead", "add", "--first-name", "Pat"])
        .stdout(full)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("whatever the command changed in the database is saved"), "{err}");
    // Help that cannot be written is a failure too, not a silent success.
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("leadline"))
        .args(["lead", "--help"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write the help"));
    // An empty LEADLINE_DB is named as what it is, not as a missing value of a flag nobody typed.
    let out = s.cmd().env("LEADLINE_DB", "").args(["lead", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("LEADLINE_DB is set but empty"));
}

#[test]
fn reading_does_not_wait_for_a_writer_at_work() {
    let s = Sandbox::new();
    s.ana();
    // Another process in the middle of a long write (an import).
    let holder = rusqlite::Connection::open(&s.db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    // Opening the database takes no write lock, and the score catch-up gives way: the list is shown.
    let out = s.ok(&["lead", "list"]);
    assert!(out.contains("Ana"), "{out}");
    holder.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn a_command_meeting_a_database_an_import_holds_says_so_soon() {
    use std::os::fd::AsRawFd;
    let s = Sandbox::new();
    s.ok(&["team", "show"]);
    // Another process's large import: its lock file taken, the database held whole in a rollback journal.
    let name = s.db.file_name().unwrap().to_string_lossy().to_string();
    let lock = std::fs::File::create(s.db.with_file_name(format!(".{name}.import-lock"))).unwrap();
    // SAFETY: flock on a descriptor the test owns.
    assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) }, 0);
    let holder = rusqlite::Connection::open(&s.db).unwrap();
    holder.execute_batch("PRAGMA journal_mode = DELETE; BEGIN EXCLUSIVE").unwrap();
    // Said after a busy wait or two, not the minutes an import may take.
    let err = s.fails(&["lead", "list"], 1);
    assert!(err.contains("an import into this database is running") && err.contains("once it has finished"), "{err}");
    holder.execute_batch("ROLLBACK; PRAGMA journal_mode = WAL").unwrap();
    drop(lock);
    s.ok(&["lead", "list"]);
}

#[test]
fn an_import_the_database_stays_locked_for_says_the_same_command_goes_on() {
    let s = Sandbox::new();
    let file = s.dir.path().join("leads.csv");
    std::fs::write(&file, "First Name,Email\nAna,ana@x.es\nBo,bo@x.es\n").unwrap();
    s.ok(&["team", "show"]);
    let holder = rusqlite::Connection::open(&s.db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let err = s.fails(&["import", file.to_str().unwrap()], 1);
    assert!(
        err.contains("kept the database locked, and nothing of this run was saved; run the same command again"),
        "{err}"
    );
    holder.execute_batch("ROLLBACK").unwrap();
    s.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(s.json(&["lead", "list"]).as_array().unwrap().len(), 2);
}

#[test]
fn texts_may_start_with_a_dash() {
    let s = Sandbox::new();
    let id = s.ok(&["lead", "add", "--first-name", "-Ann", "--last-name", "-", "--title", "-CEO-"]);
    s.ok(&["deal", "add", &id, "--title", "-50% deal", "--amount", "-0"]);
    s.ok(&["task", "add", &id, "--title", "-urgent", "--due", "+1d"]);
    let lead = s.json(&["lead", "show", &id]);
    assert_eq!(lead["lead"]["first_name"], "-Ann");
    assert_eq!(s.json(&["deal", "list"])[0]["title"], "-50% deal");
    assert_eq!(s.json(&["task", "list", "--due", "all"])[0]["title"], "-urgent");
}

#[test]
fn a_time_zone_named_after_the_database_was_made_is_said_to_be_ignored() {
    let s = Sandbox::new();
    s.ana();
    let out = s.cmd().env("LEADLINE_TEAM__TIMEZONE", "Asia/Tokyo").args(["lead", "list"]).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("[team] timezone is Asia/Tokyo") && err.contains("`leadline team zone Asia/Tokyo` changes"),
        "{err}"
    );
    // Naming the zone the team has is no news.
    let team = s.cmd().env("LEADLINE_TEAM__TIMEZONE", "Europe/Madrid").args(["lead", "list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&team.stderr).is_empty());
}

#[test]
fn deals_left_at_stages_the_pipeline_dropped_are_pointed_out() {
    let s = Sandbox::new();
    let id = s.ana();
    s.ok(&["deal", "add", &id, "--title", "Stranded", "--stage", "Proposal"]);
    let base = std::fs::read_to_string(&s.config).unwrap();
    std::fs::write(
        &s.config,
        format!(
            "{base}\n[pipeline]\nstages = [\"New\", \"Won\", \"Lost\"]\n\n[[automation.rule]]\nname = \"reschedule\"\n\
             trigger = \"meeting_no_show\"\nactions = [{{ do = \"task\", title = \"Reschedule {{lead}}\" }}]\n"
        ),
    )
    .unwrap();
    let out = s.cmd().args(["config", "check"]).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 open deal is at stages the pipeline no longer has: Proposal (1)"), "{err}");
    s.ok(&["deal", "move", "Stranded", "New"]);
    let out = s.cmd().args(["config", "check"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).is_empty());
    // A check only reads: a database it cannot read is a warning, and the database is left as it was.
    std::fs::write(&s.db, b"not a database").unwrap();
    let out = s.cmd().args(["config", "check"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not be read to compare"), "{out:?}");
    assert_eq!(std::fs::read(&s.db).unwrap(), b"not a database");
}

#[test]
fn a_task_of_a_lead_who_opted_out_is_marked() {
    let s = Sandbox::new();
    let id = s.ana();
    s.ok(&["task", "add", &id, "--title", "Call back", "--due", "+1d"]);
    s.ok(&["privacy", "opt-out", &id, "--reason", "asked"]);
    let list = s.ok(&["task", "list", "--due", "all"]);
    assert!(list.contains("⊘ Ana"), "{list}");
    assert_eq!(s.json(&["task", "list", "--due", "all"])[0]["lead_do_not_contact"], true);
}

#[test]
fn an_admin_adds_colleagues_and_sets_the_teams_time_zone() {
    let s = Sandbox::new();
    let marta = s.ok(&["team", "add", "Marta Ruiz", "--email", "marta@acme.es"]);
    s.ok(&["lead", "add", "--first-name", "Ana", "--email", "ana@x.es", "--owner", "Marta Ruiz"]);
    let team = s.json(&["team", "show"]);
    assert_eq!((team["name"].as_str(), team["timezone"].as_str()), (Some("Test team"), Some("Europe/Madrid")));
    let m = team["members"].as_array().unwrap().iter().find(|m| m["id"] == marta.as_str()).unwrap().clone();
    assert_eq!((m["role"].as_str(), m["leads"].as_i64()), (Some("rep"), Some(1)));
    let err = s.fails(&["team", "add", "M. Ruiz", "--email", "MARTA@acme.es"], 1);
    assert!(err.contains("Marta Ruiz <marta@acme.es> is already a team member"), "{err}");
    let err = s.fails(&["team", "add", "Nobody", "--email", "not-an-address"], 1);
    assert!(err.contains("not-an-address"), "{err}");
    // The zone, whatever its case; a wrong one says what a zone is.
    let (id, said) = s.ok_said(&["team", "zone", "america/new_york"]);
    assert_eq!(said, "Europe/Madrid → America/New_York");
    assert_eq!(id, s.json(&["team", "show"])["id"].as_str().unwrap(), "a write prints the id it wrote");
    assert_eq!(s.json(&["team", "show"])["timezone"], "America/New_York");
    let err = s.fails(&["team", "zone", "Mars/Base"], 1);
    assert!(err.contains("is not an IANA time zone"), "{err}");
    // The config still names Madrid: said, with the way to change the team's.
    let out = s.cmd().args(["team", "show"]).output().unwrap();
    let warning = String::from_utf8(out.stderr).unwrap();
    assert!(warning.contains("`leadline team zone Europe/Madrid`"), "{warning}");
    // A rep does not administer the team.
    std::fs::write(&s.config, "[user]\nname = \"Marta Ruiz\"\nemail = \"marta@acme.es\"\n").unwrap();
    let err = s.fails(&["team", "zone", "UTC"], 1);
    assert!(err.contains("only a team admin changes the team's time zone; you are rep"), "{err}");
    let err = s.fails(&["team", "add", "Jo", "--email", "jo@acme.es"], 1);
    assert!(err.contains("only a team admin adds team members"), "{err}");
}

#[test]
fn a_moved_database_keeps_its_leads_owners_when_the_team_moves_first() {
    let a = Sandbox::new();
    let marta = a.ok(&["team", "add", "Marta Ruiz", "--email", "marta@acme.es"]);
    a.ok(&["lead", "add", "--first-name", "Ana", "--email", "ana@x.es", "--owner", "marta@acme.es"]);
    a.ok(&["log", "call", "ana@x.es", "--phone", "+34 600 111 222"]);
    a.ok(&["deal", "add", "ana@x.es", "--title", "Pilot"]);
    a.ok(&["task", "add", "ana@x.es", "--title", "Call back", "--due", "+2d"]);
    // Marta logged the call and owns the deal and the task.
    let conn = rusqlite::Connection::open(&a.db).unwrap();
    for sql in ["UPDATE outreach SET user_id = ?1", "UPDATE deals SET owner_id = ?1", "UPDATE tasks SET owner_id = ?1"]
    {
        conn.execute(sql, [&marta]).unwrap();
    }
    drop(conn);
    a.ok(&["team", "zone", "America/Bogota"]);
    let dir = a.dir.path();
    let objects = ["team", "leads", "outreach", "deals", "tasks"];
    for o in objects {
        let out = dir.join(format!("{o}.jsonl"));
        a.ok(&["export", o, "--format", "jsonl", "--out", out.to_str().unwrap()]);
    }
    let b = Sandbox::new();
    let out = b.ok(&["import", dir.join("team.jsonl").to_str().unwrap()]);
    // Rita (the user of both) is there already; Marta comes with the id she had.
    assert!(
        out.lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == ["team", "1", "0", "0", "1", "0"]),
        "{out}"
    );
    // The team's time zone came along: the database was new.
    assert!(out.contains("team: time zone America/Bogota (was Europe/Madrid)"), "{out}");
    assert_eq!(b.json(&["team", "show"])["timezone"], "America/Bogota");
    for o in &objects[1..] {
        b.ok(&["import", dir.join(format!("{o}.jsonl")).to_str().unwrap()]);
    }
    // A team in use keeps its own zone, and is told what the file had.
    b.ok(&["team", "zone", "Europe/Lisbon"]);
    a.ok(&["team", "zone", "America/Lima"]);
    let again = dir.join("team-again.jsonl");
    a.ok(&["export", "team", "--format", "jsonl", "--out", again.to_str().unwrap()]);
    let out = b.ok(&["import", again.to_str().unwrap()]);
    assert!(out.contains("the file's time zone is America/Lima; Europe/Lisbon stays, as this team has leads"), "{out}");
    assert_eq!(b.json(&["team", "show"])["timezone"], "Europe/Lisbon");
    let ana = b.json(&["lead", "show", "ana@x.es"]);
    assert_eq!(
        (ana["lead"]["owner"].as_str(), ana["lead"]["owner_id"].as_str()),
        (Some("Marta Ruiz"), Some(marta.as_str()))
    );
    // The touch she logged, her deal and her task are hers there too.
    let conn = rusqlite::Connection::open(&b.db).unwrap();
    let whose = |sql: &str| -> String { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(whose("SELECT user_id FROM outreach"), marta);
    assert_eq!(whose("SELECT owner_id FROM deals"), marta);
    assert_eq!(whose("SELECT owner_id FROM tasks"), marta);
    drop(conn);
    // Only an admin brings members in: a rep's import rejects them, saying why.
    let c = Sandbox::with_config("");
    c.ok(&["team", "show"]);
    std::fs::write(&c.config, "[user]\nname = \"Jo Rep\"\nemail = \"jo@acme.es\"\n").unwrap();
    let out = c.cmd().args(["import", dir.join("team.jsonl").to_str().unwrap()]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("only a team admin adds team members"), "{text}");
}

#[test]
fn imported_leads_find_their_owner_by_e_mail_where_the_team_names_them_otherwise() {
    let a = Sandbox::new();
    a.ok(&["team", "add", "Marta Ruiz", "--email", "marta@acme.es"]);
    a.ok(&["lead", "add", "--first-name", "Ana", "--email", "ana@x.es", "--owner", "Marta Ruiz"]);
    let b = Sandbox::new();
    // There, Marta goes by another name, and another colleague has hers.
    b.ok(&["team", "add", "Marta R. Gil", "--email", "MARTA@acme.es"]);
    b.ok(&["team", "add", "Marta Ruiz", "--email", "marta.ruiz@other.es"]);
    for format in ["csv", "json"] {
        let out = a.dir.path().join(format!("leads.{format}"));
        a.ok(&["export", "leads", "--format", format, "--out", out.to_str().unwrap()]);
        let header = std::fs::read_to_string(&out).unwrap();
        assert!(header.contains("owner_email"), "{header}");
        if format == "json" {
            // Given to someone else since: the file's owner comes back in an update.
            b.ok(&["lead", "edit", "ana@x.es", "--owner", "me"]);
        }
        let report = b.ok(&["import", out.to_str().unwrap(), "--on-duplicate", "update"]);
        assert!(!report.contains("unknown"), "{report}");
        let ana = b.json(&["lead", "show", "ana@x.es"]);
        assert_eq!(ana["lead"]["owner"], "Marta R. Gil", "{format}");
        assert_eq!(ana["lead"]["owner_email"], "MARTA@acme.es", "{format}");
    }
}

#[test]
fn a_move_into_a_team_that_had_the_member_already_keeps_what_is_theirs_and_when_it_changed() {
    let a = Sandbox::new();
    let marta = a.ok(&["team", "add", "Marta Ruiz", "--email", "marta@acme.es"]);
    a.ok(&["lead", "add", "--first-name", "Ana", "--email", "ana@x.es", "--owner", "Marta Ruiz"]);
    a.ok(&["log", "email", "ana@x.es", "--inbound", "--reply", "positive", "--note", "Yes, let's talk"]);
    a.ok(&["deal", "add", "ana@x.es", "--title", "Pilot"]);
    a.ok(&["task", "add", "ana@x.es", "--title", "Call back", "--due", "+2d"]);
    a.ok(&["meeting", "add", "ana@x.es", "--at", "+3d"]);
    a.ok(&["note", "ana@x.es", "Prefers calls"]);
    // Marta did all of it, and each record last changed at its own time.
    let conn = rusqlite::Connection::open(&a.db).unwrap();
    for (n, sql) in [
        "UPDATE outreach SET user_id = ?1, updated_at = 1795000000001",
        "UPDATE deals SET owner_id = ?1, updated_at = 1795000000002",
        "UPDATE tasks SET owner_id = ?1, updated_at = 1795000000003",
        "UPDATE meetings SET user_id = ?1, updated_at = 1795000000004",
        "UPDATE notes SET user_id = ?1, updated_at = 1795000000005",
        "UPDATE inbox_items SET assigned_to = ?1",
    ]
    .iter()
    .enumerate()
    {
        assert_eq!(conn.execute(sql, [&marta]).unwrap(), 1, "{n}: {sql}");
    }
    drop(conn);
    let dir = a.dir.path();
    let objects = ["team", "leads", "outreach", "deals", "tasks", "meetings", "notes", "inbox"];
    for o in objects {
        let out = dir.join(format!("{o}.jsonl"));
        a.ok(&["export", o, "--format", "jsonl", "--out", out.to_str().unwrap()]);
    }
    // The other team added Marta by hand before the move: another id.
    let b = Sandbox::new();
    let there = b.ok(&["team", "add", "Marta R.", "--email", "MARTA@acme.es"]);
    assert_ne!(there, marta);
    for o in objects {
        b.ok(&["import", dir.join(format!("{o}.jsonl")).to_str().unwrap()]);
    }
    let conn = rusqlite::Connection::open(&b.db).unwrap();
    let row = |sql: &str| -> (String, i64) { conn.query_row(sql, [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap() };
    assert_eq!(row("SELECT user_id, updated_at FROM outreach"), (there.clone(), 1_795_000_000_001));
    assert_eq!(row("SELECT owner_id, updated_at FROM deals"), (there.clone(), 1_795_000_000_002));
    assert_eq!(row("SELECT owner_id, updated_at FROM tasks"), (there.clone(), 1_795_000_000_003));
    assert_eq!(row("SELECT user_id, updated_at FROM meetings"), (there.clone(), 1_795_000_000_004));
    assert_eq!(row("SELECT user_id, updated_at FROM notes"), (there.clone(), 1_795_000_000_005));
    let assigned: String = conn.query_row("SELECT assigned_to FROM inbox_items", [], |r| r.get(0)).unwrap();
    assert_eq!(assigned, there);
}

#[test]
fn a_moved_database_keeps_its_inbox_as_it_was_worked() {
    let a = Sandbox::new();
    a.ok(&["lead", "add", "--first-name", "Ana", "--email", "ana@x.es"]);
    a.ok(&["log", "email", "ana@x.es", "--inbound", "--reply", "positive", "--note", "Yes, let's talk"]);
    let conn = rusqlite::Connection::open(&a.db).unwrap();
    conn.execute("UPDATE inbox_items SET read_at = 1795000000000, handled_at = 1795000000000", []).unwrap();
    drop(conn);
    let dir = a.dir.path();
    for o in ["leads", "outreach", "inbox"] {
        let out = dir.join(format!("{o}.jsonl"));
        a.ok(&["export", o, "--format", "jsonl", "--out", out.to_str().unwrap()]);
    }
    let b = Sandbox::new();
    for o in ["leads", "outreach", "inbox"] {
        b.ok(&["import", dir.join(format!("{o}.jsonl")).to_str().unwrap()]);
    }
    let before = a.json(&["inbox", "--all"]);
    let after = b.json(&["inbox", "--all"]);
    assert_eq!(after.as_array().unwrap().len(), 1, "{after}");
    for k in ["id", "title", "body", "received_at", "read_at", "handled_at", "lead_id", "channel"] {
        assert_eq!(before[0][k], after[0][k], "{k}");
    }
    // An inbox file before its outreach says what to import first.
    let c = Sandbox::new();
    c.ok(&["import", dir.join("leads.jsonl").to_str().unwrap()]);
    let out = c.cmd().args(["import", dir.join("inbox.jsonl").to_str().unwrap()]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("import the outreach first"), "{text}");
}

#[test]
fn exported_times_keep_their_milliseconds() {
    let a = Sandbox::new();
    let id = a.ok(&["lead", "add", "--first-name", "Ana", "--email", "ana@x.es"]);
    let conn = rusqlite::Connection::open(&a.db).unwrap();
    conn.execute("UPDATE leads SET created_at = 1795000000123", []).unwrap();
    drop(conn);
    let out = a.dir.path().join("leads.jsonl");
    a.ok(&["export", "leads", "--format", "jsonl", "--out", out.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&out).unwrap().contains("\"created_at\":\"2026-11-18T11:06:40.123Z\""));
    let b = Sandbox::new();
    b.ok(&["import", out.to_str().unwrap()]);
    let conn = rusqlite::Connection::open(&b.db).unwrap();
    let created: i64 = conn.query_row("SELECT created_at FROM leads WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
    assert_eq!(created, 1_795_000_000_123);
}

#[test]
fn the_score_ranking_and_a_list_by_priority_rank_alike_customers_by_their_joint_priority() {
    let s = Sandbox::new();
    s.ok(&["demo", "--leads", "150", "--seed", "5"]);
    let ranking = s.json(&["score", "--limit", "40"]);
    let listed = s.json(&["lead", "list", "--sort", "priority", "--limit", "40"]);
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v.as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(ids(&ranking), ids(&listed));
    let priorities: Vec<i64> = ranking.as_array().unwrap().iter().map(|l| l["priority"].as_i64().unwrap()).collect();
    assert!(priorities.windows(2).all(|p| p[0] >= p[1]), "{priorities:?}");
    // The list says the priority it ranks by; a customer's is not their score.
    let all = s.json(&["lead", "list", "--sort", "priority", "--limit", "150"]);
    assert!(all.as_array().unwrap().iter().any(|l| l["lifecycle"] == "customer" && l["priority"] != l["score"]));
    // The follow-ups the demo's automations filed, due as they ran, were scored as overdue then: the stored
    // priorities are what the rules give now (what the scoring view explains beside them).
    assert_eq!(s.json(&["score", "--recompute"])["changed"], 0);
    let err = s.fails(&["lead", "list", "--sort", "rank"], 2);
    assert!(err.contains("must be score, priority, last-contact, name or created"), "{err}");
    let help = s.ok(&["lead", "list", "--help"]).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(help.contains("[possible values: score, priority, last-contact, name, created]"), "{help}");
}

#[test]
fn a_removed_member_is_refused_until_an_admin_adds_them_back() {
    let s = Sandbox::new();
    let id = s.ok(&["team", "add", "Marta Ruiz", "--email", "marta@acme.es"]);
    s.ok(&["team", "remove", "Marta Ruiz"]);
    let marta = s.dir.path().join("marta.toml");
    std::fs::write(&marta, "[user]\nname = \"Marta\"\nemail = \"MARTA@acme.es\"\n").unwrap();
    let as_marta = |args: &[&str]| s.cmd().env("LEADLINE_CONFIG", &marta).args(args).output().unwrap();
    let out = as_marta(&["lead", "list"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Marta Ruiz <MARTA@acme.es> was removed from the team Test team on 2026-11-25"), "{err}");
    assert!(err.contains("leadline team add \"Marta Ruiz\" --email MARTA@acme.es"), "{err}");
    // Opening did not add her back, nor does her address written otherwise.
    for written in [" Marta@ACME.es ", "mailto:marta@acme.es"] {
        std::fs::write(&marta, format!("[user]\nname = \"Marta\"\nemail = \"{written}\"\n")).unwrap();
        let err = String::from_utf8_lossy(&as_marta(&["lead", "list"]).stderr).to_string();
        assert!(err.contains("was removed from the team"), "{written}: {err}");
    }
    assert_eq!(s.json(&["team", "show"])["members"].as_array().unwrap().len(), 1);
    // A member's name is not another way of naming a member: a newcomer's is checked as it makes them one.
    for name in ["", "me", "newbie@acme.es"] {
        std::fs::write(&marta, format!("[user]\nname = \"{name}\"\nemail = \"newbie@acme.es\"\n")).unwrap();
        assert!(String::from_utf8_lossy(&as_marta(&["lead", "list"]).stderr).contains("user.name"), "{name}");
    }
    assert_eq!(s.json(&["team", "show"])["members"].as_array().unwrap().len(), 1);
    std::fs::write(&marta, "[user]\nname = \"Marta\"\nemail = \"MARTA@acme.es\"\n").unwrap();
    for name in ["rita@example.com", "Me"] {
        let err = s.fails(&["team", "rename", "me", name], 1);
        assert!(err.contains("name"), "{name}: {err}");
    }
    // Added back, she is the member her history names.
    assert_eq!(s.ok(&["team", "add", "Marta R.", "--email", "marta@acme.es"]), id);
    assert!(as_marta(&["lead", "list"]).status.success());
    let me = s.cmd().env("LEADLINE_CONFIG", &marta).args(["team", "show", "--json"]).output().unwrap();
    let team: serde_json::Value = serde_json::from_slice(&me.stdout).unwrap();
    assert_eq!(team["members"].as_array().unwrap().len(), 2, "{team}");
}

#[test]
fn a_lead_given_to_another_member_takes_its_owners_open_work_along() {
    let s = Sandbox::new();
    s.ok(&["team", "add", "Tom Baker", "--email", "tom@acme.es"]);
    s.ok(&["team", "add", "Marta Ruiz", "--email", "marta@acme.es"]);
    s.ok(&["lead", "add", "--first-name", "Kim", "--email", "kim@k.io", "--owner", "Tom Baker"]);
    s.ok(&["deal", "add", "kim@k.io", "--title", "Kim deal"]);
    s.ok(&["task", "add", "kim@k.io", "--title", "Call Kim", "--due", "+1d", "--owner", "Tom Baker"]);
    s.ok(&["task", "add", "kim@k.io", "--title", "Kim's contract", "--due", "+1d", "--owner", "Marta Ruiz"]);
    s.ok(&["lead", "edit", "kim@k.io", "--owner", "me"]);
    assert_eq!(s.json(&["deal", "list"])[0]["owner"], "Rita Rep");
    let tasks = s.json(&["task", "list", "--due", "all"]);
    let owner = |title: &str| tasks.as_array().unwrap().iter().find(|t| t["title"] == title).unwrap()["owner"].clone();
    assert_eq!(owner("Call Kim"), "Rita Rep", "{tasks}");
    assert_eq!(owner("Kim's contract"), "Marta Ruiz", "what a colleague was given stays theirs");
}

#[test]
fn a_task_reopened_after_its_owner_left_goes_to_whoever_took_over_the_lead() {
    let s = Sandbox::new();
    s.ok(&["team", "add", "Tom Baker", "--email", "tom@acme.es"]);
    s.ok(&["team", "add", "Marta Ruiz", "--email", "marta@acme.es"]);
    s.ok(&["lead", "add", "--first-name", "Carla", "--email", "carla@x.es", "--owner", "Tom Baker"]);
    let task = s.ok(&["task", "add", "carla@x.es", "--title", "Send the deck", "--due", "+1d", "--owner", "Tom Baker"]);
    s.ok(&["task", "done", &task]);
    s.ok(&["team", "remove", "Tom Baker", "--to", "Marta Ruiz"]);
    s.ok(&["task", "reopen", &task]);
    let tasks = s.json(&["task", "list", "--due", "all"]);
    assert_eq!(tasks[0]["owner"], "Marta Ruiz", "{tasks}");
    // A task of no lead goes to whoever reopens it.
    s.ok(&["team", "add", "Tom Baker", "--email", "tom@acme.es"]);
    let own = s.ok(&["task", "add", "--title", "Expenses", "--due", "+1d", "--owner", "Tom Baker"]);
    s.ok(&["task", "done", &own]);
    s.ok(&["team", "remove", "Tom Baker", "--to", "Marta Ruiz"]);
    s.ok(&["task", "reopen", &own]);
    let mine = s.json(&["task", "list", "--due", "all", "--owner", "me"]);
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
    assert_eq!(mine[0]["title"], "Expenses");
}

#[test]
fn a_moved_database_keeps_the_history_of_members_who_had_left() {
    let a = Sandbox::new();
    let marta = a.ok(&["team", "add", "Marta Ruiz", "--email", "marta@acme.es"]);
    a.ok(&["lead", "add", "--first-name", "Carla", "--email", "carla@x.es", "--owner", "Marta Ruiz"]);
    let conf = a.dir.path().join("marta.toml");
    std::fs::write(&conf, "[user]\nname = \"Marta Ruiz\"\nemail = \"marta@acme.es\"\n").unwrap();
    let as_marta = |args: &[&str]| assert!(a.cmd().env("LEADLINE_CONFIG", &conf).args(args).ok().is_ok());
    as_marta(&["log", "email", "carla@x.es", "--note", "Marta wrote"]);
    as_marta(&["note", "carla@x.es", "Marta's note"]);
    let done =
        a.ok(&["task", "add", "carla@x.es", "--title", "Done by Marta", "--due", "+1d", "--owner", "Marta Ruiz"]);
    a.ok(&["task", "done", &done]);
    a.ok(&["task", "add", "carla@x.es", "--title", "Still open", "--due", "+2d", "--owner", "Marta Ruiz"]);
    a.ok(&["team", "remove", "Marta Ruiz", "--to", "Rita Rep"]);
    let dir = a.dir.path();
    let objects = ["team", "leads", "outreach", "tasks", "notes"];
    for o in objects {
        a.ok(&["export", o, "--format", "jsonl", "--out", dir.join(format!("{o}.jsonl")).to_str().unwrap()]);
    }
    let b = Sandbox::new();
    for o in objects {
        b.ok(&["import", dir.join(format!("{o}.jsonl")).to_str().unwrap()]);
    }
    // She is there for her history only: not a member, and what she did is still hers.
    let members = b.json(&["team", "show"])["members"].clone();
    assert_eq!(members.as_array().unwrap().len(), 1, "{members}");
    let conn = rusqlite::Connection::open(&b.db).unwrap();
    let one = |sql: &str| -> String { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(one("SELECT user_id FROM outreach"), marta);
    assert_eq!(one("SELECT user_id FROM notes WHERE body = 'Marta''s note'"), marta);
    assert_eq!(one("SELECT owner_id FROM tasks WHERE title = 'Done by Marta'"), marta);
    assert_ne!(one("SELECT owner_id FROM tasks WHERE title = 'Still open'"), marta, "open work is someone's here");
    assert_eq!(
        one("SELECT count(*) || ' ' || (deleted_at IS NOT NULL) FROM users WHERE id = (SELECT user_id FROM outreach)"),
        "1 1"
    );
    drop(conn);
    // Added back, she is the member her history names, as in the first database.
    assert_eq!(b.ok(&["team", "add", "Marta Ruiz", "--email", "marta@acme.es"]), marta);
    // Importing the team file once more changes nothing: she stays the member she is again.
    let again = b.json(&["import", dir.join("team.jsonl").to_str().unwrap(), "--again"]);
    assert_eq!(again["counts"]["team"]["created"], 0, "{again}");
    let members = b.json(&["team", "show"])["members"].clone();
    assert_eq!(members.as_array().unwrap().len(), 2, "{members}");
}

#[test]
fn a_member_back_from_a_team_file_keeps_their_work_and_a_namesake_is_told_apart() {
    let a = Sandbox::new();
    let bob_a = a.ok(&["team", "add", "Bob Rep", "--email", "bob@acme.es"]);
    a.ok(&["lead", "add", "--first-name", "Ana", "--email", "ana@x.es", "--owner", "Bob Rep"]);
    a.ok(&["deal", "add", "ana@x.es", "--title", "Pilot"]);
    let conn = rusqlite::Connection::open(&a.db).unwrap();
    conn.execute("UPDATE deals SET owner_id = ?1", [&bob_a]).unwrap();
    drop(conn);
    let dir = a.dir.path();
    for o in ["team", "leads", "deals"] {
        a.ok(&["export", o, "--format", "jsonl", "--out", dir.join(format!("{o}.jsonl")).to_str().unwrap()]);
    }
    // Bob was in the other team once, under another id, and left it.
    let b = Sandbox::new();
    let bob_b = b.ok(&["team", "add", "Bob Rep", "--email", "bob@acme.es"]);
    b.ok(&["team", "remove", "Bob Rep"]);
    for o in ["team", "leads", "deals"] {
        b.ok(&["import", dir.join(format!("{o}.jsonl")).to_str().unwrap()]);
    }
    let conn = rusqlite::Connection::open(&b.db).unwrap();
    let owner: String = conn.query_row("SELECT owner_id FROM deals", [], |r| r.get(0)).unwrap();
    assert_eq!(owner, bob_b, "the deal is Bob's, back under his id here");
    drop(conn);
    // A team file's member with a name another member has is refused, saying why.
    let c = Sandbox::new();
    c.ok(&["team", "add", "Bob Rep", "--email", "bob2@acme.es"]);
    let out = c.cmd().args(["import", dir.join("team.jsonl").to_str().unwrap()]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("is already named so"));
    // Someone whose config gives a colleague's name is told apart by their e-mail.
    let twin = c.dir.path().join("twin.toml");
    std::fs::write(&twin, "[user]\nname = \"Bob Rep\"\nemail = \"bob3@acme.es\"\n").unwrap();
    assert!(c.cmd().env("LEADLINE_CONFIG", &twin).args(["team", "show"]).output().unwrap().status.success());
    let names: Vec<String> = c.json(&["team", "show"])["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_string())
        .collect();
    assert!(names.contains(&"Bob Rep (bob3@acme.es)".to_string()), "{names:?}");
    // A lead's owner named by an e-mail nobody here has is unknown, whoever has the name.
    let d = Sandbox::new();
    d.ok(&["team", "add", "Bob Rep", "--email", "bob2@acme.es"]);
    let out = d.ok(&["import", dir.join("leads.jsonl").to_str().unwrap()]);
    assert!(out.contains("Bob Rep <bob@acme.es>"), "{out}");
    assert_eq!(d.json(&["lead", "show", "ana@x.es"])["lead"]["owner"], "Rita Rep");
}

#[test]
fn a_task_due_now_is_overdue() {
    let s = Sandbox::new();
    s.ana();
    s.ok(&["task", "add", "ana@acme.io", "--title", "Call now", "--due", "2026-11-25 13:00"]);
    let overdue = s.json(&["task", "list", "--due", "overdue"]);
    assert_eq!(overdue.as_array().unwrap().len(), 1, "{overdue}");
    // Listed with the late ones, said to be due now: it is not late yet.
    assert!(s.ok(&["task", "list", "--due", "overdue"]).contains("due now"));
}

#[test]
fn members_are_renamed_by_an_admin_or_themselves() {
    let s = Sandbox::new();
    let marta_id = s.ok(&["team", "add", "Marta Ruiz", "--email", "marta@acme.es"]);
    s.ok(&["lead", "add", "--first-name", "Ana", "--email", "ana@x.es", "--owner", "Marta Ruiz"]);
    let (id, said) = s.ok_said(&["team", "rename", "marta@acme.es", "Marta Ruiz Gil"]);
    assert_eq!(said, "Marta Ruiz → Marta Ruiz Gil");
    assert_eq!(id, marta_id);
    assert_eq!(s.json(&["lead", "show", "ana@x.es"])["lead"]["owner"], "Marta Ruiz Gil");
    // One name per member, in a rename and in an add, so that owners stay unambiguous.
    let err = s.fails(&["team", "rename", "me", "marta ruiz gil"], 1);
    assert!(err.contains("Marta Ruiz Gil <marta@acme.es> is already named so"), "{err}");
    let err = s.fails(&["team", "add", "Marta Ruiz Gil", "--email", "other@acme.es"], 1);
    assert!(err.contains("is already named so"), "{err}");
    // A rep renames themselves, nobody else.
    let marta = s.dir.path().join("marta.toml");
    std::fs::write(&marta, "[user]\nname = \"Marta\"\nemail = \"marta@acme.es\"\n").unwrap();
    let as_marta = |args: &[&str]| s.cmd().env("LEADLINE_CONFIG", &marta).args(args).output().unwrap();
    let out = as_marta(&["team", "rename", "Rita Rep", "Rita"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("only a team admin renames other members"));
    assert!(as_marta(&["team", "rename", "me", "Marta G."]).status.success());
    assert_eq!(s.json(&["lead", "show", "ana@x.es"])["lead"]["owner"], "Marta G.");
}

#[test]
fn a_member_who_leaves_hands_their_work_to_another() {
    let s = Sandbox::new();
    s.ok(&["team", "add", "Marta Ruiz", "--email", "marta@acme.es"]);
    s.ok(&["team", "add", "Tom Baker", "--email", "tom@acme.es"]);
    s.ok(&["lead", "add", "--first-name", "Ana", "--email", "ana@x.es", "--owner", "Marta Ruiz"]);
    s.ok(&["deal", "add", "ana@x.es", "--title", "Pilot"]);
    // Her lead given to someone else, an open deal still hers (given to her again): she needs a successor.
    s.ok(&["lead", "edit", "ana@x.es", "--owner", "me"]);
    let conn = rusqlite::Connection::open(&s.db).unwrap();
    conn.execute("UPDATE deals SET owner_id = (SELECT id FROM users WHERE name = 'Marta Ruiz')", []).unwrap();
    drop(conn);
    let err = s.fails(&["team", "remove", "marta@acme.es"], 1);
    assert!(err.contains("Marta Ruiz still has leads, open deals, tasks, inbox items or customers"), "{err}");
    s.ok(&["lead", "edit", "ana@x.es", "--owner", "Marta Ruiz"]);
    // A person she looked after and who was forgotten is no one's work: not counted, not handed over.
    s.ok(&["lead", "add", "--first-name", "Fay", "--email", "fay@x.es", "--owner", "Marta Ruiz"]);
    let fay_deal = s.ok(&["deal", "add", "fay@x.es", "--title", "Fay's pilot"]);
    let said = s.ok(&["forget", "fay@x.es"]);
    assert!(said.contains("1 open deal closed as lost"), "{said}");
    // Her open deal goes nowhere now: closed as lost (counted still), without a loss's rules.
    let deal = s.json(&["deal", "list"]).as_array().unwrap().iter().find(|d| d["id"] == fay_deal.as_str()).cloned();
    assert_eq!(deal.map(|d| d["status"].clone()), Some(serde_json::json!("lost")));
    let marta =
        s.json(&["team", "show"])["members"].as_array().unwrap().iter().find(|m| m["name"] == "Marta Ruiz").cloned();
    assert_eq!(marta.unwrap()["leads"], 1);
    let (id, out) = s.ok_said(&["team", "remove", "marta@acme.es", "--to", "Tom Baker"]);
    assert!(out.starts_with("Marta Ruiz left the team; Tom Baker took over 1 lead, 1 open deal"), "{out}");
    assert_eq!(id.len(), 36, "the id of the member who left: {id}");
    assert_eq!(s.json(&["lead", "show", "ana@x.es"])["lead"]["owner"], "Tom Baker");
    let names: Vec<String> = s.json(&["team", "show"])["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["Rita Rep", "Tom Baker"]);
    // Tom without leads leaves without a successor; nobody removes themselves or the last admin.
    let (tom, said) = s.ok_said(&["team", "role", "Tom Baker", "admin"]);
    assert_eq!(said, "Tom Baker is admin");
    s.ok(&["lead", "edit", "ana@x.es", "--owner", "me"]);
    let conn = rusqlite::Connection::open(&s.db).unwrap();
    conn.execute("UPDATE deals SET owner_id = NULL", []).unwrap();
    drop(conn);
    assert_eq!(s.ok_said(&["team", "remove", "Tom Baker"]), (tom, "Tom Baker left the team".to_string()));
    assert!(s.fails(&["team", "remove", "me"], 1).contains("cannot remove yourself"));
    let err = s.fails(&["team", "role", "me", "rep"], 1);
    assert!(err.contains("Rita Rep is the team's only admin"), "{err}");
}

/// The first lead's score as `lead list` gives it under `config`, and what the command said on stderr.
fn first_score_under(s: &Sandbox, config: &std::path::Path) -> (i64, String) {
    let out = s.cmd().env("LEADLINE_CONFIG", config).args(["lead", "list", "--json"]).output().unwrap();
    assert!(out.status.success());
    let leads: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (leads[0]["score"].as_i64().unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn colleagues_scoring_by_different_rules_read_the_rules_changed_last() {
    let s = Sandbox::new();
    s.ok(&["team", "add", "Ana Admin", "--email", "ana@acme.es"]);
    s.ok(&["lead", "add", "--first-name", "Bo", "--email", "bo@x.es"]);
    let ana = s.dir.path().join("ana.toml");
    let anyone =
        |weight: i64| format!("[[scoring.rule]]\nname = \"anyone\"\nwhen = \"outreach = 0\"\nweight = {weight}\n");
    std::fs::write(&ana, format!("[user]\nname = \"Ana Admin\"\nemail = \"ana@acme.es\"\n\n{}", anyone(3))).unwrap();
    let run = |config: &std::path::Path| first_score_under(&s, config);
    assert_eq!(run(&s.config).0, 0);
    // Ana's rules are newer to the database: they stand, whoever reads, and nobody scores everyone back and
    // forth.
    let (score, said) = run(&ana);
    assert_eq!(score, 3);
    assert!(said.contains("every lead was scored again"), "{said}");
    for _ in 0..2 {
        let (score, said) = run(&s.config);
        assert_eq!(score, 3);
        assert!(said.contains("the scores follow other scoring rules"), "{said}");
        assert_eq!(run(&ana), (3, String::new()));
    }
    // A change to Rita's config that leaves her rules as they were changes nothing.
    let base = std::fs::read_to_string(&s.config).unwrap();
    std::fs::write(&s.config, format!("{base}\n[ui]\ntheme = \"light\"\n")).unwrap();
    assert_eq!(run(&s.config).0, 3);
    // Rita changes her rules: hers stand from then on.
    std::fs::write(&s.config, format!("{base}\n{}", anyone(5))).unwrap();
    let (score, said) = run(&s.config);
    assert_eq!(score, 5);
    assert!(said.contains("every lead was scored again"), "{said}");
    assert!(run(&ana).1.contains("the scores follow other scoring rules"));
    assert_eq!(run(&ana).0, 5);
}

/// A colleague's rules, changed before this rep's leadline ever showed a score, stand: the rep's, never
/// recorded, are older, not new.
#[test]
fn a_colleagues_rules_stand_over_rules_never_shown_by_a_score() {
    let s = Sandbox::new();
    s.ok(&["team", "add", "Marta Ruiz", "--email", "marta@acme.es"]);
    s.ok(&["lead", "add", "--first-name", "Bo", "--email", "bo@x.es"]);
    let marta = s.dir.path().join("marta.toml");
    std::fs::write(
        &marta,
        "[user]\nname = \"Marta Ruiz\"\nemail = \"marta@acme.es\"\n\n\
         [[scoring.rule]]\nname = \"flat\"\nwhen = \"outreach >= 0\"\nweight = 42\n",
    )
    .unwrap();
    let run = |config: &std::path::Path| first_score_under(&s, config);
    assert_eq!(run(&marta).0, 42);
    let (score, said) = run(&s.config);
    assert_eq!(score, 42, "{said}");
    assert!(said.contains("the scores follow other scoring rules"), "{said}");
    assert_eq!(run(&marta), (42, String::new()));
}

#[test]
fn titles_and_names_are_kept_without_the_spaces_around_them() {
    let s = Sandbox::new();
    s.ok(&[
        "lead",
        "add",
        "--first-name",
        "  Ana  ",
        "--last-name",
        "  Lopez ",
        "--title",
        " CTO ",
        "--email",
        "ana@x.es",
    ]);
    s.ok(&["deal", "add", "ana@x.es", "--title", "  Trim me pilot   "]);
    s.ok(&["task", "add", "ana@x.es", "--title", " Call back ", "--due", "+1d"]);
    let deal = s.json(&["deal", "list"])[0].clone();
    assert_eq!(deal["title"], "Trim me pilot");
    // Named by its owner's name too, as leads and tasks are.
    assert_eq!(deal["owner"], "Rita Rep");
    let ana = s.json(&["lead", "list"])[0].clone();
    assert_eq!((&ana["first_name"], &ana["last_name"], &ana["title"]), (&"Ana".into(), &"Lopez".into(), &"CTO".into()));
    s.ok(&["lead", "edit", "ana@x.es", "--last-name", " López  "]);
    assert_eq!(s.json(&["lead", "list"])[0]["last_name"], "López");
    assert_eq!(s.json(&["task", "list", "--due", "all"])[0]["title"], "Call back");
    // Found by its title as it reads.
    s.ok(&["deal", "won", "Trim me pilot"]);
}

#[test]
fn a_colleague_is_named_by_a_first_name_only_they_have_and_a_shared_phone_is_said() {
    let s = Sandbox::new();
    s.ok(&["team", "add", "Marta Ruiz", "--email", "marta@acme.es"]);
    s.ok(&[
        "lead",
        "add",
        "--first-name",
        "Ana",
        "--email",
        "ana@x.es",
        "--owner",
        "marta",
        "--phone",
        "+34 600 11 22 33",
    ]);
    assert_eq!(s.json(&["lead", "list"])[0]["owner"], "Marta Ruiz");
    s.ok(&["team", "add", "Marta Gil", "--email", "mgil@acme.es"]);
    let err = s.fails(&["lead", "add", "--first-name", "Bo", "--owner", "marta"], 1);
    assert!(err.contains("ambiguous") && err.contains("Marta Gil") && err.contains("Marta Ruiz"), "{err}");
    // A lead added with a number another lead has: added, with a word.
    let out = s.cmd().args(["lead", "add", "--first-name", "Carl", "--phone", "+34600112233"]).output().unwrap();
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("Ana has the same phone"), "{said}");
}

#[test]
fn demo_data_joins_a_team_and_a_pipeline_already_there() {
    let s = Sandbox::new();
    s.ok(&["team", "add", "Tom Baker", "--email", "tom@acme.io"]);
    let ana = s.ana();
    s.ok(&["deal", "add", &ana, "--title", "My deal", "--stage", "New"]);
    s.ok(&["demo", "--leads", "40", "--seed", "3", "--add"]);
    // The colleague already named so is the demo's Tom: one member of that name, owning demo leads.
    let team = s.ok(&["team", "show"]);
    assert_eq!(team.matches("Tom Baker").count(), 1, "{team}");
    // The team's own card stays first in its column; the demo's follow it, each in a place of its own.
    let conn = rusqlite::Connection::open(&s.db).unwrap();
    let mut stmt = conn.prepare("SELECT title, position FROM deals WHERE stage = 'New' ORDER BY position").unwrap();
    let cards: Vec<(String, i64)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<rusqlite::Result<_>>().unwrap();
    assert!(cards.len() > 1, "{cards:?}");
    assert_eq!(cards[0].0, "My deal");
    let mut positions: Vec<i64> = cards.iter().map(|c| c.1).collect();
    positions.dedup();
    assert_eq!(positions.len(), cards.len(), "{cards:?}");
}

#[test]
fn a_command_runs_on_a_config_the_terminal_ui_refuses_and_says_so() {
    let s = Sandbox::with_config("[keymap.leads]\n\"x\" = \"frob\"\n");
    let out = s.cmd().args(["team", "show"]).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("warning: config file") && err.contains("'frob', which is not a command"), "{err}");
    assert!(err.contains("the terminal UI will not start with it"), "{err}");
    // A whole config says nothing.
    let quiet = Sandbox::new().cmd().args(["team", "show"]).output().unwrap();
    assert!(quiet.stderr.is_empty(), "{}", String::from_utf8_lossy(&quiet.stderr));
}

#[test]
fn exports_name_and_filter_by_a_member_who_has_left() {
    let s = Sandbox::new();
    s.ok(&["team", "add", "Marta Ruiz", "--email", "marta@acme.es"]);
    s.ok(&["lead", "add", "--first-name", "Ana", "--email", "ana@x.es"]);
    let marta = s.dir.path().join("marta.toml");
    std::fs::write(&marta, "[user]\nname = \"Marta Ruiz\"\nemail = \"marta@acme.es\"\n").unwrap();
    let out = s.cmd().env("LEADLINE_CONFIG", &marta).args(["log", "email", "ana@x.es"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    s.ok(&["team", "remove", "marta@acme.es", "--to", "me"]);
    for by in ["Marta Ruiz", "marta@acme.es"] {
        let csv = s.ok(&["export", "outreach", "--where", &format!("by={by}")]);
        let rows: Vec<&str> = csv.lines().skip(1).collect();
        assert!(rows.len() == 1 && rows[0].ends_with(",Marta Ruiz"), "{by}: {csv}");
        // The touch names its lead too, beside the lead's id.
        assert!(csv.starts_with("id,lead_id,lead_name,kind,") && rows[0].split(',').nth(2) == Some("Ana"), "{csv}");
    }
    // Another Marta Ruiz who came and left: the name alone is ambiguous, said with both addresses.
    s.ok(&["team", "add", "Marta Ruiz", "--email", "marta2@acme.es"]);
    s.ok(&["team", "remove", "marta2@acme.es"]);
    let err = s.fails(&["export", "outreach", "--where", "by=Marta Ruiz"], 2);
    assert!(err.contains("marta@acme.es") && err.contains("marta2@acme.es"), "{err}");
}

#[test]
fn a_member_an_earlier_leadline_stored_as_typed_is_still_found_by_their_address() {
    let s = Sandbox::new();
    s.ok(&["lead", "add", "--first-name", "Ana", "--email", "ana@x.es"]);
    let conn = rusqlite::Connection::open(&s.db).unwrap();
    conn.execute("UPDATE users SET email = 'mailto:Rita@Example.com'", []).unwrap();
    drop(conn);
    s.ok(&["lead", "add", "--first-name", "Bo", "--email", "bo@x.es"]);
    let team = s.json(&["team", "show"]);
    assert_eq!(team["members"].as_array().unwrap().len(), 1, "no second Rita: {team}");
    assert_eq!(team["members"][0]["role"], "admin");
    // Named by that address, she is found.
    assert_eq!(s.json(&["lead", "list", "--owner", "rita@example.com"]).as_array().unwrap().len(), 2);
}

#[test]
fn leads_nobody_owns_are_listed_by_owner_none() {
    let s = Sandbox::new();
    s.ok(&["lead", "add", "--first-name", "Ana", "--email", "ana@x.es"]);
    s.ok(&["lead", "add", "--first-name", "Bo", "--email", "bo@x.es"]);
    s.ok(&["lead", "edit", "bo@x.es", "--owner", ""]);
    let none = s.json(&["lead", "list", "--owner", "none"]);
    let names: Vec<&str> = none.as_array().unwrap().iter().map(|l| l["first_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Bo"]);
}

#[test]
fn a_long_lead_list_is_printed_page_by_page_as_one_list() {
    let s = Sandbox::new();
    s.ok(&["demo", "--leads", "2300", "--seed", "3"]);
    // More than a page of the list (2,000), across the page's edge, in each order and in both shapes.
    for sort in ["score", "name", "created"] {
        let all = s.json(&["lead", "list", "--sort", sort, "--limit", "2300"]);
        let all = all.as_array().unwrap();
        let ids: std::collections::HashSet<&str> = all.iter().map(|l| l["id"].as_str().unwrap()).collect();
        assert_eq!((all.len(), ids.len()), (2300, 2300), "{sort}: every lead once");
        if sort == "score" {
            let scores: Vec<i64> = all.iter().map(|l| l["score"].as_i64().unwrap()).collect();
            assert!(scores.windows(2).all(|w| w[0] >= w[1]), "in score order across pages");
        }
        let (cut, said) = s.ok_said(&["lead", "list", "--sort", sort, "--limit", "2100", "--json"]);
        let cut: Vec<serde_json::Value> = serde_json::from_str(&cut).unwrap();
        assert_eq!(cut[..], all[..2100], "{sort}: the first 2,100 of the same list");
        assert!(said.contains("the first 2100 shown"), "{said}");
        let (table, said) = s.ok_said(&["lead", "list", "--sort", sort, "--limit", "2300"]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 2301, "one header, then every lead");
        assert!(lines[0].starts_with("ID ") && !lines[1..].iter().any(|l| l.starts_with("ID ")));
        assert!(said.is_empty(), "nothing was cut: {said}");
    }
}

/// The ranking of more leads than a page holds is one list, in the leads' priority order, read a page at a
/// time: as JSON and as a table with one header.
#[test]
fn a_ranking_longer_than_a_page_is_one_list() {
    let s = Sandbox::new();
    s.ok(&["demo", "--leads", "2100", "--seed", "3"]);
    let ranked = s.json(&["score", "--limit", "2050"]);
    let listed = s.json(&["lead", "list", "--sort", "priority", "--limit", "2050"]);
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v.as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(ids(&ranked).len(), 2050);
    assert_eq!(ids(&ranked), ids(&listed));
    let table = s.ok(&["score", "--limit", "2050"]);
    assert_eq!(table.lines().filter(|l| l.starts_with("ID ")).count(), 1, "one header");
    assert_eq!(table.lines().count(), 2051);
}

/// `deal list` is in the pipeline's order, and a limit keeps its first deals: those of the first stages,
/// not of the stages first in the alphabet.
#[test]
fn a_limited_deal_list_keeps_the_pipelines_first_deals() {
    let s = Sandbox::new();
    s.ok(&["demo", "--leads", "300", "--seed", "5"]);
    let order = ["New", "Contacted", "Discovery", "Proposal", "Pilot", "Negotiation", "Won", "Lost"];
    let stages = |v: &serde_json::Value| -> Vec<usize> {
        v.as_array().unwrap().iter().map(|d| order.iter().position(|s| d["stage"] == *s).unwrap()).collect()
    };
    let all = s.json(&["deal", "list", "--limit", "10000"]);
    let all_stages = stages(&all);
    assert!(all_stages.windows(2).all(|w| w[0] <= w[1]), "{all_stages:?}");
    let first = s.json(&["deal", "list", "--limit", "5"]);
    assert_eq!(first.as_array().unwrap()[..], all.as_array().unwrap()[..5]);
    assert_eq!(stages(&first)[0], all_stages[0]);
    // A status is looked for in the stages that hold it.
    for status in ["won", "lost", "open"] {
        let some = s.json(&["deal", "list", "--status", status, "--limit", "3"]);
        let some = some.as_array().unwrap();
        assert_eq!(some.len(), 3, "{status}");
        assert!(some.iter().all(|d| d["status"] == status), "{some:?}");
        let expected: Vec<&serde_json::Value> =
            all.as_array().unwrap().iter().filter(|d| d["status"] == status).take(3).collect();
        assert_eq!(some.iter().collect::<Vec<_>>(), expected, "{status}");
    }
}
