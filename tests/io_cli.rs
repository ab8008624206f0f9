//! `leadline import / export / dedupe / link / forget / privacy` through the real binary.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import").join(name)
}

fn leadline(db: &Path) -> Command {
    let mut c = Command::cargo_bin("leadline").unwrap();
    c.env("LEADLINE_DB", db)
        .env("LEADLINE_CONFIG", db.with_extension("toml"))
        .env("LEADLINE_NOW", "2025-11-25T12:00:00.000Z")
        .env_remove("LEADLINE_IMPORT__DEFAULT_COUNTRY")
        .env_remove("LEADLINE_PRIVACY__ANONYMIZE_AFTER_MONTHS");
    c
}

fn run(db: &Path, args: &[&str]) -> String {
    let out = leadline(db).args(args).output().unwrap();
    // How it ended, the signal that ended it too: a command that dies of one says nothing itself.
    use std::os::unix::process::ExitStatusExt;
    let ended = match (out.status.code(), out.status.signal()) {
        (Some(code), _) => format!("exit {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        (None, None) => "ended unknown".to_string(),
    };
    assert!(out.status.success(), "{args:?}: {ended}; stderr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn fail(db: &Path, args: &[&str]) -> (i32, String) {
    let out = leadline(db).args(args).assert().failure().get_output().clone();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stderr).unwrap())
}

/// Writes a file of the test's own into `dir`.
fn file(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    std::fs::write(db.with_extension("toml"), "[privacy]\nanonymize_after_months = 18\n").unwrap();
    (dir, db)
}

#[test]
fn import_prints_a_summary_per_object_and_writes_rejects() {
    let (dir, db) = setup();
    let f = fixture("pipedrive_deals.csv");
    let out = run(&db, &["import", f.to_str().unwrap()]);
    assert!(out.contains("pipedrive preset"), "{out}");
    assert!(out.lines().any(|l| l.starts_with("leads") && l.split_whitespace().nth(1) == Some("2")), "{out}");
    assert!(out.lines().any(|l| l.starts_with("deals") && l.split_whitespace().nth(1) == Some("2")), "{out}");
    let rejects = dir.path().join("rejects.csv");
    let bad = fixture("bad_rows.csv");
    let out = run(&db, &["import", bad.to_str().unwrap(), "--rejects", rejects.to_str().unwrap()]);
    assert!(out.contains("5 rows rejected:"), "{out}");
    assert!(out.contains("line 3: 'email' is not an e-mail address ('not-an-email')"), "{out}");
    assert_eq!(std::fs::read_to_string(&rejects).unwrap().lines().count(), 6);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&rejects).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "the rejected rows are people's data: owner-only, {mode:o}");
    // Fixed, the rejects file imports back; its own columns (line, column, reason) are not the rep's to map.
    let fixed = std::fs::read_to_string(&rejects).unwrap().replace("not-an-email", "bad@example.com");
    let fixed_path = file(dir.path(), "fixed.csv", fixed);
    let out = run(&db, &["import", fixed_path.to_str().unwrap()]);
    assert!(!out.contains("columns not imported"), "{out}");
    assert!(out.lines().any(|l| l.starts_with("leads") && l.split_whitespace().nth(1) == Some("1")), "{out}");
    let json = run(&db, &["import", bad.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["already_imported"], true);
}

#[test]
fn deal_amounts_that_read_two_ways_are_listed_as_they_were_read() {
    let (dir, db) = setup();
    let file = dir.path().join("deals.csv");
    let mut csv = String::from("name;email;deal;amount\n");
    for i in 0..7 {
        csv.push_str(&format!("P{i};p{i}@x.io;Pilot;{i}.500\n"));
    }
    csv.push_str("Q;q@x.io;Pilot;1.500,00\n");
    std::fs::write(&file, csv).unwrap();
    let out = run(&db, &["import", file.to_str().unwrap()]);
    assert!(out.contains("6 deal amounts that read two ways (and 1 more): line 3: 1.500 is read as"), "{out}");
    assert!(out.contains("a point or comma before three digits groups thousands"), "{out}");
    assert!(!out.contains("1.500,00"), "an amount that reads one way is no example: {out}");
    // Reported again, the import still counts them.
    let again = run(&db, &["import", file.to_str().unwrap()]);
    assert!(again.contains("6 deal amounts that read two ways"), "{again}");
    let json: serde_json::Value = serde_json::from_str(&run(&db, &["deal", "list", "--json"])).unwrap();
    let amounts: Vec<&str> = json.as_array().unwrap().iter().filter_map(|d| d["amount"].as_str()).collect();
    assert!(amounts.contains(&"1500.00") && amounts.contains(&"6500.00"), "{amounts:?}");
}

#[test]
fn dedupe_lists_a_name_a_file_wrote_the_other_way_round() {
    let (_dir, db) = setup();
    let add = |first: &str, last: &str, company: &str, email: &str| {
        let args = ["--first-name", first, "--last-name", last, "--company", company, "--email", email];
        run(&db, &[&["lead", "add"][..], &args].concat());
    };
    add("Müller", "Hans", "Delta GmbH", "hm1@delta.de");
    add("Hans", "Müller", "Delta", "hm2@delta.de");
    add("Hans", "Müller", "Gamma", "hm3@gamma.de");
    let pairs: serde_json::Value = serde_json::from_str(&run(&db, &["dedupe", "--json"])).unwrap();
    let pairs = pairs.as_array().unwrap();
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert!(pairs[0]["reason"].as_str().unwrap().contains("other way round"), "{pairs:?}");
    // Listed for the rep to decide, under the floor `--apply` merges from.
    assert!(pairs[0]["confidence"].as_i64().unwrap() < 50, "{pairs:?}");
    run(&db, &["dedupe", "--apply"]);
    let leads: Vec<serde_json::Value> = serde_json::from_str(&run(&db, &["lead", "list", "--json"])).unwrap();
    assert_eq!(leads.len(), 3);
}

#[test]
fn tags_come_back_whole_from_a_csv_export() {
    let (dir, db) = setup();
    let tags = ["r&d;emea", "x|y", "*vip", "q3:::b"];
    let mut add = vec!["lead", "add", "--first-name", "T", "--email", "t@x.io"];
    for t in &tags {
        add.extend(["--tag", t]);
    }
    run(&db, &add);
    let out = dir.path().join("t.csv");
    run(&db, &["export", "leads", "--out", out.to_str().unwrap()]);
    let other = dir.path().join("other.db");
    std::fs::write(other.with_extension("toml"), "").unwrap();
    run(&other, &["import", out.to_str().unwrap()]);
    let t: serde_json::Value = serde_json::from_str(&run(&other, &["lead", "show", "t@x.io", "--json"])).unwrap();
    let mut back: Vec<&str> = t["lead"]["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    back.sort();
    let mut sent = tags.to_vec();
    sent.sort();
    assert_eq!(back, sent);
}

/// A European Excel opens a comma-separated file in one column and garbles its accents: `[export]` (or the
/// flags) writes semicolons after a byte-order mark, and the import reads that file back whole.
#[test]
fn a_csv_export_for_a_european_spreadsheet_imports_back_whole() {
    let (dir, db) = setup();
    std::fs::write(db.with_extension("toml"), "[export]\ncsv_delimiter = \";\"\ncsv_bom = true\n").unwrap();
    let add = ["--first-name", "Zoë", "--last-name", "Müller; Sohn", "--email", "z@x.de", "--company", "Bäcker; GmbH"];
    run(&db, &[&["lead", "add"][..], &add, &["--tag", "r&d;emea", "--tag", "vip"]].concat());
    let out = dir.path().join("t.csv");
    run(&db, &["export", "leads", "--out", out.to_str().unwrap()]);
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with("\u{feff}id;first_name;last_name;".as_bytes()), "{}", String::from_utf8_lossy(&bytes));
    let other = dir.path().join("other.db");
    std::fs::write(other.with_extension("toml"), "").unwrap();
    run(&other, &["import", out.to_str().unwrap()]);
    let back: serde_json::Value = serde_json::from_str(&run(&other, &["lead", "show", "z@x.de", "--json"])).unwrap();
    assert_eq!(back["lead"]["first_name"], "Zoë");
    assert_eq!(back["lead"]["last_name"], "Müller; Sohn");
    assert_eq!(back["lead"]["company"], "Bäcker; GmbH");
    let mut tags: Vec<&str> = back["lead"]["tags"].as_array().unwrap().iter().filter_map(|t| t.as_str()).collect();
    tags.sort();
    assert_eq!(tags, ["r&d;emea", "vip"]);
    // Amounts beside semicolons have a decimal comma, as that spreadsheet reads numbers; with commas, a point.
    run(&db, &["deal", "add", "z@x.de", "--title", "Ofen", "--amount", "31300.5", "--currency", "EUR"]);
    let deals = run(&db, &["export", "deals"]);
    assert!(deals.contains(";31300,50;EUR;"), "{deals}");
    let deals = run(&db, &["export", "deals", "--delimiter", ","]);
    assert!(deals.contains(",31300.50,EUR,"), "{deals}");

    // A flag wins over the config, for one export.
    let tabbed = run(&db, &["export", "leads", "--delimiter", "tab", "--no-bom"]);
    assert!(tabbed.starts_with("id\tfirst_name\t"), "{tabbed}");
    let (code, err) = fail(&db, &["export", "leads", "--format", "json", "--delimiter", ";"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--delimiter applies to CSV exports only"), "{err}");
    let (code, err) = fail(&db, &["export", "leads", "--delimiter", "|"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--delimiter '|' must be"), "{err}");
    std::fs::write(db.with_extension("toml"), "[export]\ncsv_delimiter = \"|\"\n").unwrap();
    let (_, err) = fail(&db, &["export", "leads"]);
    assert!(err.contains("export.csv_delimiter") && err.contains("line 2"), "{err}");
}

#[test]
fn a_file_refused_at_sight_makes_no_database() {
    let (dir, db) = setup();
    let file = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_string()
    };
    let cards = file("cards.vcf", b"BEGIN:VCARD\nVERSION:3.0\nFN:Ana\nEND:VCARD\n");
    for (args, said) in [
        (vec![file("bin.vcf", b"\x7fELF\x02\x01\x01\0\0\0\0")], "binary"),
        (vec![file("empty.csv", b"")], "empty"),
        (vec![file("cal.ics", b"BEGIN:VCALENDAR\nEND:VCALENDAR\n"), "--format".into(), "vcard".into()], "no contacts"),
        (vec![cards, "--format".into(), "ics".into()], "not an iCalendar file"),
    ] {
        let mut line = vec!["import".to_string()];
        line.extend(args);
        let line: Vec<&str> = line.iter().map(String::as_str).collect();
        let (code, err) = fail(&db, &line);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains(said), "{err}");
        assert!(!db.exists(), "{line:?}");
    }
    // What the import itself reads as a calendar is not refused at sight.
    let spaced = file(
        "spaced.ics",
        b"BEGIN: VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20251201T090000Z\nEND:VEVENT\nEND:VCALENDAR\n",
    );
    assert!(run(&db, &["import", &spaced]).contains("(ics, UTF-8)"));
}

#[test]
fn dry_run_lists_every_action_and_changes_nothing() {
    let (_dir, db) = setup();
    let f = fixture("hubspot_contacts.csv");
    let out = run(&db, &["import", f.to_str().unwrap(), "--dry-run"]);
    assert!(out.contains("line 2: create leads Ana López <ana.lopez@acme.es>"), "{out}");
    assert!(out.contains("line 6: skip leads Ana Lopez <ANA.LOPEZ@ACME.ES> (same e-mail as"), "{out}");
    assert!(out.contains("dry run"), "{out}");
    // Into a database not there yet, it runs on a throwaway one: nothing is made.
    assert!(!db.exists(), "a dry run makes no database");
    // A pair staged with a row of the same file names that row's person, not an id nothing keeps.
    let pair = db.with_extension("pair.csv");
    std::fs::write(&pair, "First Name,Last Name,Company\nCarl,Jones,Gamma\nCarl,Jones,Gamma Inc.\n").unwrap();
    let out = run(&db, &["import", pair.to_str().unwrap(), "--dry-run"]);
    assert!(out.contains("line 3: stage leads Carl Jones (same name and company as Carl Jones at Gamma)"), "{out}");
}

#[test]
fn values_a_merge_keeps_are_counted_with_the_way_to_take_them() {
    let (dir, db) = setup();
    let file = |name: &str, company: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, format!("first_name,email,company\nAna,ana@acme.es,{company}\nBob,bob@x.es,\n")).unwrap();
        path
    };
    run(&db, &["import", file("a.csv", "Acme").to_str().unwrap()]);
    let out = run(&db, &["import", file("b.csv", "Globex").to_str().unwrap()]);
    assert!(
        out.contains(
            "1 matched lead differs from the file in company; the lead's values were kept \
                      (`--on-duplicate update` takes the file's)"
        ),
        "{out}"
    );
    // A customer in the CRM the file comes from: said, not taken by a merge (a customer here is one by a deal).
    let crm = dir.path().join("crm.csv");
    std::fs::write(&crm, "First Name,Email,Lifecycle Stage\nAna,ana@acme.es,Customer\n").unwrap();
    let out = run(&db, &["import", crm.to_str().unwrap()]);
    assert!(out.contains("1 matched lead differs from the file in lifecycle"), "{out}");
    let shown: serde_json::Value = serde_json::from_str(&run(&db, &["lead", "show", "ana@acme.es", "--json"])).unwrap();
    assert_eq!(shown["lead"]["lifecycle"], "lead");
    run(&db, &["import", crm.to_str().unwrap(), "--on-duplicate", "update", "--again"]);
    let shown: serde_json::Value = serde_json::from_str(&run(&db, &["lead", "show", "ana@acme.es", "--json"])).unwrap();
    assert_eq!(shown["lead"]["lifecycle"], "customer");
}

#[test]
fn a_name_written_with_either_apostrophe_in_one_file_is_staged_as_the_same_name() {
    let (dir, db) = setup();
    run(
        &db,
        &[
            "lead",
            "add",
            "--first-name",
            "Anna",
            "--last-name",
            "Damico",
            "--email",
            "x@acme.example",
            "--company",
            "Acme",
        ],
    );
    let csv = file(
        dir.path(),
        "ap.csv",
        "First Name,Last Name,Email,Company\nAnna,D\u{2019}Amico,x@acme.example,Acme\nAnna,D'Amico,other@gmail.example,Acme\n",
    );
    let said = run(&db, &["import", csv.to_str().unwrap(), "--on-duplicate", "update"]);
    assert!(said.contains("1 possible duplicates staged"), "{said}");
}

#[test]
fn a_quote_that_does_not_close_where_its_cell_ends_rejects_the_rows_it_ran_into() {
    let (dir, db) = setup();
    let csv = file(
        dir.path(),
        "q.csv",
        "First Name,Last Name,Email,Company\n\"Ana,López,ana@x.example,Acme\nBob,Stone,bob@x.example,Stone\n\"Carl\",Berg,carl@x.example,Berg\n\
         Dan,Ek,dan@x.example,Ek\n",
    );
    let said = run(&db, &["import", csv.to_str().unwrap()]);
    assert!(said.contains("line 2: 'First Name' runs over several lines holding separators"), "{said}");
    let leads = run(&db, &["export", "leads", "--format", "jsonl"]);
    assert_eq!(leads.lines().count(), 1, "Dan alone: {leads}");
}

#[test]
fn a_broken_file_is_a_one_line_error_and_writes_nothing() {
    let (_dir, db) = setup();
    for name in ["bad/binary.csv", "bad/empty.csv", "bad/header_only.csv", "bad/unterminated.csv"] {
        let f = fixture(name);
        let (code, err) = fail(&db, &["import", f.to_str().unwrap()]);
        assert_eq!(code, 1, "{name}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("nothing was imported"), "{err}");
    }
    let (code, err) = fail(&db, &["import", fixture("bad_rows.csv").to_str().unwrap(), "--map", "nope=email"]);
    assert_eq!(code, 2);
    assert!(err.contains("'nope'") && err.contains("is not a column"), "{err}");
    let (code, err) = fail(&db, &["import", fixture("bad_rows.csv").to_str().unwrap(), "--on-duplicate", "x"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--on-duplicate"), "{err}");
    assert_eq!(run(&db, &["lead", "list"]).lines().count(), 1);
}

#[test]
fn stopped_import_resumes_with_the_same_command() {
    let (dir, db) = setup();
    let path = dir.path().join("people.csv");
    let mut csv = String::from("Full Name;E-mail;Importe\n");
    for i in 0..25 {
        csv.push_str(&format!("Persona {i};p{i}@ejemplo.es;\"1.{i:03},50\"\n"));
    }
    std::fs::write(&path, csv).unwrap();
    let p = path.to_str().unwrap();
    let (code, err) = fail(&db, &["import", p, "--chunk-rows", "10", "--stop-after", "15"]);
    assert_eq!(code, 1);
    assert!(err.contains("run the same command again"), "{err}");
    let out = run(&db, &["import", p, "--chunk-rows", "10"]);
    assert!(out.contains("resuming after row 10"), "{out}");
    let leads: Vec<serde_json::Value> =
        serde_json::from_str(&run(&db, &["lead", "list", "--limit", "100", "--json"])).unwrap();
    assert_eq!(leads.len(), 25);
    let deals = run(&db, &["export", "deals"]);
    assert_eq!(deals.lines().count(), 26);
    assert!(deals.contains(",1024.50,EUR,"), "{deals}");
}

#[test]
fn a_vcard_files_rejects_are_vcards_that_import_once_fixed() {
    let (dir, db) = setup();
    let cards = dir.path().join("bad.vcf");
    std::fs::write(
        &cards,
        "BEGIN:VCARD\nVERSION:3.0\nFN:Eva Green\nN:Green;Eva;;;\nEMAIL:not-an-email\nTEL:+34 600 111 222\nEND:VCARD\n\
         BEGIN:VCARD\nVERSION:3.0\nFN:Ok\nEMAIL:ok@p.io\nEND:VCARD\n",
    )
    .unwrap();
    let rejects = dir.path().join("rejects.vcf");
    run(&db, &["import", cards.to_str().unwrap(), "--rejects", rejects.to_str().unwrap()]);
    let written = std::fs::read_to_string(&rejects).unwrap();
    assert!(written.contains("X-LEADLINE-ERROR:line 5\\, EMAIL: is not an e-mail address"), "{written}");
    std::fs::write(&rejects, written.replace("not-an-email", "eva@green.io")).unwrap();
    let out = run(&db, &["import", rejects.to_str().unwrap()]);
    assert!(out.lines().any(|l| l.starts_with("leads") && l.split_whitespace().nth(1) == Some("1")), "{out}");
    let eva: serde_json::Value = serde_json::from_str(&run(&db, &["lead", "show", "eva@green.io", "--json"])).unwrap();
    assert_eq!(eva["lead"]["phone"], "+34 600 111 222", "{eva}");
    // Cards a file cut short (by the next card, or by its end) come back whole, ended, to import again.
    let cut = dir.path().join("cut.vcf");
    std::fs::write(
        &cut,
        "BEGIN:VCARD\nVERSION:3.0\nFN:Cut Short\nEMAIL:cut@short.io\n\
         BEGIN:VCARD\nVERSION:3.0\nFN:Whole\nEMAIL:whole@p.io\nEND:VCARD\n\
         BEGIN:VCARD\nVERSION:3.0\nFN:Trunc Ated\nEMAIL:trunc@ated.io\n",
    )
    .unwrap();
    let rejects = dir.path().join("cut-rejects.vcf");
    run(&db, &["import", cut.to_str().unwrap(), "--rejects", rejects.to_str().unwrap()]);
    let written = std::fs::read_to_string(&rejects).unwrap();
    assert!(written.contains("EMAIL:cut@short.io") && written.contains("EMAIL:trunc@ated.io"), "{written}");
    let out = run(&db, &["import", rejects.to_str().unwrap()]);
    assert!(out.lines().any(|l| l.starts_with("leads") && l.split_whitespace().nth(1) == Some("2")), "{out}");
    // A vCard 2.1 value in quoted-printable keeps its encoding through the rejects file.
    let qp = dir.path().join("qp.vcf");
    std::fs::write(
        &qp,
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Qp;Bad\r\nEMAIL;INTERNET:bad email\r\n\
         NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:=C3=A9t=C3=A9\r\nEND:VCARD\r\n",
    )
    .unwrap();
    let rejects = dir.path().join("qp-rejects.vcf");
    leadline(&db).args(["import", qp.to_str().unwrap(), "--rejects", rejects.to_str().unwrap()]).assert().code(1);
    let fixed = std::fs::read_to_string(&rejects).unwrap().replace("INTERNET:bad email", "INTERNET:qp@v.io");
    std::fs::write(&rejects, fixed).unwrap();
    run(&db, &["import", rejects.to_str().unwrap()]);
    let qp: serde_json::Value = serde_json::from_str(&run(&db, &["lead", "show", "qp@v.io", "--json"])).unwrap();
    assert_eq!(qp["lead"]["notes"], "été", "{qp}");
}

#[test]
fn an_import_flag_for_another_kind_of_file_or_a_rejects_file_that_fails_is_said() {
    let (_dir, db) = setup();
    let csv = fixture("hubspot_contacts.csv");
    let out = leadline(&db).args(["import", csv.to_str().unwrap(), "--from", "tomorrow"]).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("apply to calendar files only; this one is csv"), "{err}");
    // The rows are in when the rejects file cannot be written: the summary shows, and the error says so.
    let bad = fixture("bad_rows.csv");
    let out = leadline(&db).args(["import", bad.to_str().unwrap(), "--rejects", "/dev/full"]).assert().code(1);
    let (said, err) = (
        String::from_utf8_lossy(&out.get_output().stdout).to_string(),
        String::from_utf8_lossy(&out.get_output().stderr).to_string(),
    );
    assert!(said.contains("rows rejected"), "{said}");
    assert!(err.contains("the import is saved") && err.contains("the rejects file was not written"), "{err}");
    let listed: serde_json::Value = serde_json::from_str(&run(&db, &["lead", "list", "--json"])).unwrap();
    assert!(!listed.as_array().unwrap().is_empty());
    // A mistyped database is not made anew, empty, by a command that does not bring data in.
    let typo = db.with_file_name("typo.db");
    std::fs::write(typo.with_extension("toml"), "").unwrap();
    for args in [
        &["export", "leads"][..],
        &["search", "ana"],
        &["dedupe"],
        &["link", "ana@x.io", "--url", "a.example"],
        &["lead", "list"],
        &["lead", "show", "ana@x.io"],
        &["deal", "list"],
        &["task", "list"],
        &["meeting", "list", "ana@x.io"],
        &["inbox", "--json"],
        &["privacy", "log"],
        &["privacy", "check", "ana@x.io"],
        &["score"],
        &["log", "email", "ana@x.io"],
        &["deal", "move", "X", "Proposal"],
        &["automate", "run"],
        &["forget", "ana@x.io"],
    ] {
        let (code, err) = fail(&typo, args);
        assert!(code == 1 && err.contains("no database there"), "{args:?}: {err}");
        assert!(!typo.exists(), "{args:?}");
    }
    // The rules in force are the config's: listed with no database at all.
    assert!(run(&typo, &["automate", "rules"]).contains("bump-after-48h"));
    assert!(!typo.exists());
}

#[test]
fn an_opt_out_keeps_when_and_why_it_was_first_said_and_an_opt_in_its_reason() {
    let (_dir, db) = setup();
    let at = |when: &str, args: &[&str]| {
        leadline(&db).env("LEADLINE_NOW", when).args(args).assert().success();
    };
    at("2026-01-01T10:00:00.000Z", &["lead", "add", "--first-name", "Owen", "--email", "owen@t.test"]);
    at("2026-01-02T10:00:00.000Z", &["privacy", "opt-out", "owen@t.test", "--reason", "asked by phone"]);
    at("2026-03-02T10:00:00.000Z", &["privacy", "opt-out", "owen@t.test", "--reason", "asked again by email"]);
    // Said again in the same words, it is not logged again.
    at("2026-03-03T10:00:00.000Z", &["privacy", "opt-out", "owen@t.test", "--reason", "asked again by email"]);
    let (_, err) = fail(&db, &["privacy", "check", "owen@t.test"]);
    assert!(err.contains("opted out on 2026-01-02") && err.contains("(asked by phone)"), "{err}");
    at("2026-03-05T10:00:00.000Z", &["privacy", "opt-in", "owen@t.test", "--reason", "came back via webinar"]);
    let log: Vec<serde_json::Value> = serde_json::from_str(&run(&db, &["privacy", "log", "--json"])).unwrap();
    let said: Vec<(String, String)> = log
        .iter()
        .map(|e| (e["action"].as_str().unwrap().to_string(), e["reason"].as_str().unwrap_or("").to_string()))
        .collect();
    assert_eq!(
        said,
        [
            ("opt_in".to_string(), "came back via webinar".to_string()),
            ("opt_out".to_string(), "asked again by email".to_string()),
            ("opt_out".to_string(), "asked by phone".to_string())
        ]
    );
}

#[test]
fn one_gmail_mailbox_written_four_ways_is_listed_and_merged_as_one_person() {
    let (dir, db) = setup();
    let csv = dir.path().join("em.csv");
    std::fs::write(
        &csv,
        "First Name,Last Name,Email\nTom,Hale,tom.hale@gmail.com\nTom,Hale,tomhale@gmail.com\n\
         Tom,Hale,tom.hale+crm@gmail.com\nTom,Hale,Tom.Hale@GoogleMail.com\nAna,Ruiz,ana+news@acme.io\n\
         Ana,Ruiz,ana@acme.io\nBea,Lo,b.lo@acme.io\nBea,Lo,blo@acme.io\n",
    )
    .unwrap();
    run(&db, &["import", csv.to_str().unwrap()]);
    let listed = run(&db, &["dedupe"]);
    assert!(listed.contains("same mailbox (dots and +tags aside)"), "{listed}");
    assert!(!listed.contains("Bea Lo"), "dots count outside Gmail: {listed}");
    run(&db, &["dedupe", "--apply"]);
    let leads: Vec<serde_json::Value> = serde_json::from_str(&run(&db, &["lead", "list", "--json"])).unwrap();
    let names: Vec<&str> = leads.iter().map(|l| l["first_name"].as_str().unwrap()).collect();
    assert_eq!(names.iter().filter(|n| **n == "Tom").count(), 1, "{names:?}");
    assert_eq!(names.iter().filter(|n| **n == "Ana").count(), 1, "{names:?}");
    assert_eq!(names.iter().filter(|n| **n == "Bea").count(), 2, "{names:?}");
}

#[test]
fn a_reply_a_merge_brings_in_closes_the_bump_it_answers() {
    let (_dir, db) = setup();
    let at = |when: &str, args: &[&str]| {
        let out = leadline(&db).env("LEADLINE_NOW", when).args(args).assert().success().get_output().stdout.clone();
        String::from_utf8(out).unwrap()
    };
    at(
        "2026-03-02T10:00:00.000Z",
        &["lead", "add", "--first-name", "Mia", "--last-name", "Ro", "--email", "mia@a.io", "--phone", "+34600000001"],
    );
    at("2026-03-02T10:00:00.000Z", &["log", "email", "mia@a.io"]);
    at("2026-03-05T10:00:00.000Z", &["automate", "run"]);
    let open = |when: &str| -> Vec<serde_json::Value> {
        serde_json::from_str(&at(when, &["task", "list", "--due", "all", "--json"])).unwrap()
    };
    assert_eq!(open("2026-03-05T10:00:00.000Z").len(), 1, "the bump");
    at(
        "2026-03-05T11:00:00.000Z",
        &["lead", "add", "--first-name", "Mia", "--last-name", "Ro", "--email", "mia@b.io", "--phone", "+34600000001"],
    );
    at("2026-03-05T11:00:00.000Z", &["log", "email", "mia@b.io", "--inbound", "--reply", "positive"]);
    at("2026-03-05T12:00:00.000Z", &["dedupe", "--apply"]);
    let left = open("2026-03-05T12:00:00.000Z");
    assert!(left.iter().all(|t| !t["title"].as_str().unwrap_or("").starts_with("Bump")), "{left:?}");
}

#[test]
fn dedupe_apply_follows_a_chain_of_pairs_to_the_lead_they_went_into() {
    let (_dir, db) = setup();
    for (email, phone, company) in [
        ("ana@acme.test", "+34 600 00 00 01", "Acme"),
        ("ana@globex.test", "+34 600 00 00 01", "Globex"),
        ("adiaz@globex.test", "+34 699 99 99 99", "Globex"),
    ] {
        let args = ["lead", "add", "--first-name", "Ana", "--last-name", "Diaz", "--email", email, "--phone", phone];
        run(&db, &[&args[..], &["--company", company]].concat());
    }
    let listed = run(&db, &["dedupe"]);
    assert!(listed.contains("same phone") && listed.contains("same name and company"), "{listed}");
    let out = leadline(&db).args(["dedupe", "--apply"]).assert().success().get_output().clone();
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(said.contains("2 merges"), "{said}");
    let leads: serde_json::Value = serde_json::from_str(&run(&db, &["lead", "list", "--json"])).unwrap();
    assert_eq!(leads.as_array().unwrap().len(), 1, "{leads}");
    let explained = run(&db, &["dedupe", "--explain", "ana@acme.test"]);
    assert!(explained.contains("merged into this lead in the same run"), "{explained}");
    // An old id says where its lead went, rather than that there is none.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (merged, kept): (String, String) =
        conn.query_row("SELECT merged_id, kept_id FROM merge_log LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    let (_, err) = fail(&db, &["note", &merged, "hi"]);
    assert!(err.contains(&format!("lead {merged} was merged into ")), "{err}");
    assert!(err.contains(&format!("(lead {kept}); use that lead")), "{err}");
    // So does the short id a table showed of it.
    let (_, err) = fail(&db, &["lead", "show", &merged[..13]]);
    assert!(err.contains(&format!("lead {merged} was merged into ")) && err.contains(&kept), "{err}");
    // The lead they all went into, removed since, is said to be.
    run(&db, &["lead", "rm", "ana@acme.test"]);
    let (_, err) = fail(&db, &["note", &merged, "hi"]);
    assert!(err.contains(&format!("lead {merged} was merged into lead ")) && err.contains("removed since"), "{err}");
}

#[test]
fn export_since_holds_leads_whose_last_contact_or_history_moved() {
    let (_dir, db) = setup();
    for (name, email) in [("Ana", "ana@s.io"), ("Bea", "bea@s.io"), ("Cid", "cid@s.io")] {
        run(&db, &["lead", "add", "--first-name", name, "--email", email]);
    }
    let later = |args: &[&str]| {
        leadline(&db).env("LEADLINE_NOW", "2025-11-27T12:00:00.000Z").args(args).assert().success();
    };
    later(&["log", "email", "ana@s.io", "--inbound", "--reply", "positive"]);
    later(&["deal", "add", "bea@s.io", "--title", "Pilot", "--amount", "100", "--currency", "EUR"]);
    let out = leadline(&db)
        .env("LEADLINE_NOW", "2025-11-28T12:00:00.000Z")
        .args(["export", "leads", "--format", "jsonl", "--since", "2025-11-26"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    let names: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["first_name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["Ana", "Bea"], "{out}");
    // A day named without a time is that day from its start (Ana's reply came at noon, Bea's deal too), and
    // `-` is standard output.
    let since = |day: &str| {
        let out = leadline(&db)
            .env("LEADLINE_NOW", "2025-11-27T12:30:00.000Z")
            .args(["export", "leads", "--format", "jsonl", "--since", day, "--out", "-"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).unwrap().lines().count()
    };
    assert_eq!(since("today"), 2);
    assert_eq!(since("yesterday"), 2);
    assert!(!db.parent().unwrap().join("-").exists(), "no file named -");
    // A time still to come lists nothing, so it is a typo, said.
    let (code, err) = fail(&db, &["export", "leads", "--since", "+7d"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--since") && err.contains("still to come"), "{err}");
}

#[test]
fn export_writes_stable_csv_json_and_jsonl_and_filters() {
    let (dir, db) = setup();
    run(&db, &["import", fixture("hubspot_contacts.csv").to_str().unwrap()]);
    let csv = run(&db, &["export", "leads"]);
    assert!(csv.starts_with("id,first_name,last_name,email,phone,company,title,source,"), "{csv}");
    assert_eq!(csv::Reader::from_reader(csv.as_bytes()).records().count(), 3, "{csv}");
    let jsonl =
        run(&db, &["export", "leads", "--format", "jsonl", "--where", "source=Referrals", "--since", "2025-01-01"]);
    assert_eq!(jsonl.lines().count(), 1);
    assert!(jsonl.contains("\"first_name\":\"Bob\""), "{jsonl}");
    let out = dir.path().join("leads.json");
    leadline(&db).args(["export", "leads", "--format", "json", "--out", out.to_str().unwrap()]).assert().success();
    let v: Vec<serde_json::Value> = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v.len(), 3);
    // A filter that is not one is a usage error, as is one key given twice.
    let (code, err) = fail(&db, &["export", "leads", "--where", "colour=blue"]);
    assert_eq!(code, 2);
    assert!(err.contains("colour"), "{err}");
    let (code, err) = fail(&db, &["export", "leads", "--where", "tag=vip,tag=partner"]);
    assert_eq!(code, 2);
    assert!(err.contains("'tag' twice"), "{err}");
    // A quoted value keeps its "and" and its comma; AND joins like and; a condition without a value is refused.
    run(
        &db,
        &[
            "lead",
            "add",
            "--first-name",
            "Fam",
            "--email",
            "fam@f.io",
            "--tag",
            "sales and marketing",
            "--company",
            "Black and White, Ltd",
        ],
    );
    // An apostrophe in a name is a letter, whatever follows it.
    let sean = ["--last-name", "O'Brien", "--email", "sean@ob.io", "--source", "linkedin"];
    run(&db, &[&["lead", "add", "--first-name", "Sean"][..], &sean].concat());
    for (filter, who) in [
        ("tag=\"sales and marketing\"", "fam@f.io"),
        ("text='Black and White, Ltd' AND tag=\"sales and marketing\"", "fam@f.io"),
        ("text=O'Brien,source=linkedin", "sean@ob.io"),
        ("source=linkedin,text=O'Brien", "sean@ob.io"),
    ] {
        let out = run(&db, &["export", "leads", "--format", "jsonl", "--where", filter]);
        assert_eq!(out.lines().count(), 1, "{filter}: {out}");
        assert!(out.contains(who), "{filter}: {out}");
    }
    // A tag that starts with `=` (one a spreadsheet would take for a formula) is filtered in quotes.
    run(&db, &["lead", "add", "--first-name", "Eq", "--email", "eq@e.io", "--tag", "=evil"]);
    let eq = run(&db, &["export", "leads", "--format", "jsonl", "--where", "tag=\"=evil\""]);
    assert!(eq.lines().count() == 1 && eq.contains("eq@e.io"), "{eq}");
    for (filter, said) in [
        ("tag==vip", "no value"),
        ("tag=", "no value"),
        ("tag=\"\"", "no value"),
        ("tag=\"vip", "does not close"),
        ("tag=\"vip\"and lifecycle=lead", "does not close"),
        ("tag=vip\"", "does not close"),
        ("tag=hot;source=linkedin", "a value holding '='; join conditions with ','"),
        ("text=Acme, Inc.", "a value holding a comma or 'and' is written in quotes: text=\"…\""),
        ("text=Black and White", "a value holding a comma or 'and' is written in quotes"),
    ] {
        let (code, err) = fail(&db, &["export", "leads", "--where", filter]);
        assert!(code == 2 && err.contains(said), "{filter}: {err}");
    }
    let (code, err) = fail(&db, &["export", "deals", "--where", "status=closed"]);
    assert!(code == 2 && err.contains("status must be open, won or lost"), "{err}");
    for loose in ["x", "s", "opted out"] {
        let (code, err) = fail(&db, &["export", "tasks", "--where", &format!("open={loose}")]);
        assert!(code == 2 && err.contains("open must be true or false"), "{loose}: {err}");
    }
    run(&db, &["export", "tasks", "--where", "open=yes"]);
    // A campaign's list leaves out those who opted out.
    run(&db, &["privacy", "opt-out", "ana.lopez@acme.es", "--reason", "asked"]);
    let count = |w: &str| run(&db, &["export", "leads", "--format", "jsonl", "--where", w]).lines().count();
    let (may, may_not) = (count("contactable=true"), count("contactable=no"));
    // The file's own opt-out, and Ana.
    assert_eq!((may + may_not, may_not), (run(&db, &["export", "leads", "--format", "jsonl"]).lines().count(), 2));
    assert!(!run(&db, &["export", "leads", "--where", "contactable=true"]).contains("ana.lopez@acme.es"));
    // Whose each row is: a filter, and a column a team lead splits the week by.
    let leads: Vec<serde_json::Value> =
        serde_json::from_str(&run(&db, &["export", "leads", "--format", "json"])).unwrap();
    run(&db, &["deal", "add", leads[0]["id"].as_str().unwrap(), "--title", "Pilot"]);
    let all: Vec<serde_json::Value> =
        serde_json::from_str(&run(&db, &["export", "deals", "--format", "json"])).unwrap();
    let mine: Vec<serde_json::Value> =
        serde_json::from_str(&run(&db, &["export", "deals", "--format", "json", "--where", "owner=me"])).unwrap();
    assert!(!all.is_empty() && mine.len() == all.len());
    let (code, err) = fail(&db, &["export", "deals", "--where", "owner=nobody@x.io"]);
    assert!(code != 0 && err.contains("nobody@x.io"), "{err}");
    // A member who left is named by leads' filters too, as by deals': their leads went to another.
    run(&db, &["team", "add", "Aiko Mori", "--email", "aiko@x.io"]);
    run(&db, &["lead", "edit", "eq@e.io", "--owner", "aiko@x.io"]);
    assert_eq!(count("owner=Aiko Mori"), 1);
    run(&db, &["team", "remove", "aiko@x.io", "--to", "me"]);
    assert_eq!(count("owner=Aiko Mori"), 0);
    assert_eq!(run(&db, &["lead", "list", "--owner", "aiko@x.io", "--json"]).trim(), "[]");
    let (code, err) = fail(&db, &["export", "tasks", "--where", "colour=blue"]);
    assert!(code == 2 && err.contains("its filters are lead, open, owner"), "{err}");
    let deals = run(&db, &["export", "deals"]);
    assert!(deals.lines().next().unwrap().ends_with(",owner,source_ref"), "{deals}");
    assert!(!deals.lines().nth(1).unwrap().ends_with(",,"), "the owner is named: {deals}");
    let (code, err) = fail(&db, &["import", fixture("hubspot_contacts.csv").to_str().unwrap(), "--map", "Email=emial"]);
    assert_eq!(code, 2);
    assert!(err.contains("emial"), "{err}");
    // A refused export leaves the file it would have written as it was, and prints nothing.
    let (code, _) = fail(&db, &["export", "deals", "--where", "colour=blue", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert_eq!(
        serde_json::from_str::<Vec<serde_json::Value>>(&std::fs::read_to_string(&out).unwrap()).unwrap().len(),
        3
    );
    let printed = leadline(&db).args(["export", "deals", "--format", "json", "--where", "x=1"]).assert().failure();
    assert!(printed.get_output().stdout.is_empty());
    // A value the filter cannot take is found before the header is written, and said of the flag.
    for (object, filter) in [
        ("leads", "stage=Nope"),
        ("leads", "text=-,stage=Nope"),
        ("leads", "owner=nobody@x.io"),
        ("deals", "stage=Nope"),
        ("tasks", "owner=nobody@x.io"),
        ("outreach", "lead=nobody@nowhere.io"),
    ] {
        let printed = leadline(&db).args(["export", object, "--format", "json", "--where", filter]).assert().code(2);
        assert!(printed.get_output().stdout.is_empty(), "{filter}");
        let said = String::from_utf8_lossy(&printed.get_output().stderr).to_string();
        assert!(said.starts_with("leadline: --where: "), "{object} {filter}: {said}");
    }
    let printed = leadline(&db).args(["export", "leads", "--where", "lifecycle=bogus"]).assert().code(2);
    assert!(printed.get_output().stdout.is_empty());
    // A window that ends before it starts is said to be one, naming what set each end.
    let cal = fixture("calendar.ics");
    let reversed = leadline(&db)
        .args(["import", cal.to_str().unwrap(), "--from", "2026-01-01", "--to", "2025-01-01"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&reversed.get_output().stderr).to_string();
    assert!(err.contains("--from (2026-01-01 00:00) is after --to (2025-01-01 23:59)"), "{err}");
    // Today's weekday named alone is today, whole, at any hour of it (it is Tuesday, 12:00).
    let today =
        leadline(&db).args(["import", cal.to_str().unwrap(), "--from", "2025-11-26", "--to", "tue"]).assert().code(2);
    let err = String::from_utf8_lossy(&today.get_output().stderr).to_string();
    assert!(err.contains("is after --to (2025-11-25 23:59)"), "{err}");
    let far = leadline(&db).args(["import", cal.to_str().unwrap(), "--from", "2027-01-01"]).assert().code(2);
    let err = String::from_utf8_lossy(&far.get_output().stderr).to_string();
    assert!(err.contains("is after the window's end (six months ahead unless --to)"), "{err}");
    run(&db, &["import", fixture("calendar.ics").to_str().unwrap(), "--from", "2025-10-01", "--to", "2025-12-31"]);
    let weekly = dir.path().join("weekly");
    let out = run(&db, &["export", "weekly", "--out", weekly.to_str().unwrap()]);
    assert_eq!(out.lines().count(), 4, "{out}");
    let meetings = std::fs::read_to_string(weekly.join("meetings_week.csv")).unwrap();
    assert!(meetings.starts_with("id,lead_id,lead_name,deal_id,title,scheduled_at,status"), "{meetings}");
    assert_eq!(meetings.lines().count(), 3, "the sync on the 24th and the demo on the 20th: {meetings}");
    // Each meeting names its lead, as deals and tasks do: the team lead reads the file without the ids.
    let mut rows = csv::Reader::from_reader(meetings.as_bytes());
    let names: Vec<String> = rows.records().map(|r| r.unwrap()[2].to_string()).collect();
    assert!(names.iter().all(|n| !n.is_empty()), "{meetings}");
    // In JSON lines on asking; a filter or a time the weekly files do not take is refused, writing nothing.
    let jsonl = dir.path().join("weekly-jsonl");
    // A file where the folder should be is named, with what to give instead.
    std::fs::write(&jsonl, "").unwrap();
    let (_, err) = fail(&db, &["export", "weekly", "--format", "jsonl", "--out", jsonl.to_str().unwrap()]);
    assert!(err.contains("weekly-jsonl") && err.contains("name a folder"), "{err}");
    std::fs::remove_file(&jsonl).unwrap();
    run(&db, &["export", "weekly", "--format", "jsonl", "--out", jsonl.to_str().unwrap()]);
    let meetings = std::fs::read_to_string(jsonl.join("meetings_week.jsonl")).unwrap();
    assert_eq!(meetings.lines().count(), 2, "{meetings}");
    assert!(meetings.lines().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()), "{meetings}");
    let named: Vec<String> = meetings
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["lead_name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(named, names, "{meetings}");
    for (flag, value) in [("--where", "owner=nobody@x.io"), ("--since", "-1d")] {
        let refused = dir.path().join("refused");
        let out =
            leadline(&db).args(["export", "weekly", flag, value, "--out", refused.to_str().unwrap()]).assert().code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(err.contains(&format!("{flag} does not apply to the weekly export")), "{err}");
        assert!(!refused.exists());
    }
}

#[test]
fn dedupe_lists_then_merges() {
    let (dir, db) = setup();
    run(
        &db,
        &[
            "lead",
            "add",
            "--first-name",
            "Ana",
            "--last-name",
            "López",
            "--company",
            "Acme Ibérica",
            "--phone",
            "+34 600 11 22 33",
        ],
    );
    let path = file(
        dir.path(),
        "a.csv",
        "First Name,Last Name,Email,Company,Phone\nAna,López,ana@acme.es,Acme Ibérica,+34 699 99 99 99\n",
    );
    let out = run(&db, &["import", path.to_str().unwrap()]);
    assert!(out.contains("1 possible duplicates"), "{out}");
    let out = run(&db, &["dedupe"]);
    assert!(out.contains("same name and company"), "{out}");
    // Without accents or capitals it is still the same name at the same company.
    let plain =
        file(dir.path(), "plain.csv", "First Name,Last Name,Email,Company\nana,LOPEZ,ana.l@gmail.com,acme  iberica\n");
    let out = run(&db, &["import", plain.to_str().unwrap()]);
    assert!(out.contains("1 possible duplicates"), "{out}");
    let out = run(&db, &["dedupe", "--apply"]);
    assert!(out.contains("2 merges"), "{out}");
    assert_eq!(run(&db, &["dedupe"]).trim(), "no likely duplicates");
    assert_eq!(fail(&db, &["dedupe", "--min-confidence", "150"]).0, 2, "a confidence is 0 to 100");
    let leads: Vec<serde_json::Value> = serde_json::from_str(&run(&db, &["lead", "list", "--json"])).unwrap();
    assert_eq!(leads.len(), 1);
    assert_eq!(leads[0]["email"], "ana@acme.es");
    // The kept lead had a phone of its own; the other one's stays in the notes.
    assert_eq!(leads[0]["phone"], "+34 600 11 22 33");
    assert!(leads[0]["notes"].as_str().unwrap_or_default().contains("phone: +34 699 99 99 99"), "{}", leads[0]);
    // Every merge is explained later, found by any address the person had.
    let merges: serde_json::Value =
        serde_json::from_str(&run(&db, &["dedupe", "--explain", "ana.l@gmail.com", "--json"])).unwrap();
    let merges = merges.as_array().unwrap();
    assert_eq!(merges.len(), 2, "{merges:?}");
    assert!(merges.iter().all(|m| m["reason"] == "same name and company" && m["by"] == "Sales Rep"), "{merges:?}");
    assert!(merges.iter().any(|m| m["merged_email"] == "ana.l@gmail.com"), "{merges:?}");
    let out = run(&db, &["dedupe", "--explain", "ana@acme.es"]);
    assert!(out.contains("2 merges") && out.contains("same name and company (75% sure)"), "{out}");
    assert!(run(&db, &["lead", "show", "ana@acme.es"]).contains("merged from       2 leads"));
}

#[test]
fn link_keeps_the_url_and_refuses_opted_out_leads() {
    let (_dir, db) = setup();
    run(&db, &["import", fixture("hubspot_contacts.csv").to_str().unwrap()]);
    let out = run(
        &db,
        &[
            "link",
            "ana.lopez@acme.es",
            "--url",
            "https://acme.example/pricing?plan=pro#faq",
            "--channel",
            "linkedin",
            "--campaign",
            "dm_outreach_v2",
            "--variant",
            "A",
        ],
    );
    let url = out.trim();
    assert!(url.starts_with("https://acme.example/pricing?plan=pro&utm_source=linkedin&utm_campaign=dm_outreach_v2&utm_content=variant_A&lead_id="), "{url}");
    assert!(url.ends_with("#faq"), "{url}");
    // A lead whose source is a messenger is tagged with it however it was written; scripts read JSON.
    run(&db, &["lead", "add", "--first-name", "Wa", "--email", "wa@l.io", "--source", "WhatsApp"]);
    let out: serde_json::Value =
        serde_json::from_str(&run(&db, &["link", "wa@l.io", "--url", "https://a.example/", "--json"])).unwrap();
    assert!(out["url"].as_str().unwrap().contains("utm_source=whatsapp&lead_id="), "{out}");
    // A channel leadline knows is spelt one way however it is typed; another is kept as typed.
    let typed = run(&db, &["link", "wa@l.io", "--url", "https://a.example/", "--channel", "LinkedIn"]);
    assert!(typed.contains("utm_source=linkedin&"), "{typed}");
    let typed = run(&db, &["link", "wa@l.io", "--url", "https://a.example/", "--channel", "Newsletter"]);
    assert!(typed.contains("utm_source=Newsletter&"), "{typed}");
    assert!(out["lead"].is_string(), "{out}");
    let (code, err) = fail(&db, &["link", "carla@ventas.mx", "--url", "https://acme.example"]);
    assert_eq!(code, 1);
    assert!(err.contains("must not be contacted"), "{err}");
    run(&db, &["privacy", "opt-out", "bob@stonecorp.com", "--reason", "asked by phone"]);
    let (_, err) = fail(&db, &["privacy", "check", "bob@stonecorp.com"]);
    assert!(err.contains("asked by phone"), "{err}");
    // Scripts read the same verdict as JSON; a refusal still exits with 1.
    let out = leadline(&db).args(["privacy", "check", "bob@stonecorp.com", "--json"]).assert().code(1);
    let verdict: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(verdict["may_contact"], false);
    assert!(verdict["reason"].as_str().unwrap().contains("asked by phone"), "{verdict}");
    let verdict: serde_json::Value =
        serde_json::from_str(&run(&db, &["privacy", "check", "ana.lopez@acme.es", "--json"])).unwrap();
    assert_eq!((verdict["may_contact"].clone(), verdict["reason"].clone()), (true.into(), serde_json::Value::Null));
}

#[test]
fn a_merge_keeps_the_customer_its_deals_company_and_what_the_other_record_said() {
    let (_dir, db) = setup();
    run(
        &db,
        &[
            "lead",
            "add",
            "--first-name",
            "Pat",
            "--last-name",
            "Lee",
            "--company",
            "Bar",
            "--phone",
            "+34 600 11 22 33",
        ],
    );
    leadline(&db)
        .env("LEADLINE_NOW", "2025-11-25T13:00:00.000Z")
        .args([
            "lead",
            "add",
            "--first-name",
            "Patricia",
            "--last-name",
            "Lee",
            "--company",
            "Baz",
            "--phone",
            "600112233",
        ])
        .assert()
        .success();
    run(&db, &["deal", "add", "Patricia Lee", "--title", "Pilot"]);
    run(&db, &["deal", "won", "Pilot"]);
    let out = run(&db, &["dedupe", "--apply"]);
    assert!(out.contains("1 merge"), "{out}");
    let kept = serde_json::from_str::<serde_json::Value>(&run(&db, &["lead", "show", "Pat Lee", "--json"])).unwrap();
    // The customer she became stays one, with her deal filed under the kept lead's company.
    let kept = &kept["lead"];
    assert_eq!(kept["lifecycle"], "customer", "{kept}");
    let deals = serde_json::from_str::<serde_json::Value>(&run(&db, &["deal", "list", "--json"])).unwrap();
    assert_eq!((deals[0]["lead_name"].as_str(), deals[0]["company"].as_str()), (Some("Pat Lee"), Some("Bar")));
    // The other record's name and company are kept in the notes.
    let notes = kept["notes"].as_str().unwrap_or_default();
    assert!(notes.contains("name: Patricia Lee") && notes.contains("company: Baz"), "{kept}");
    // Not the phone: written another way, it is the number they were matched by.
    assert!(!notes.contains("phone:"), "{kept}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let profiles: i64 = conn
        .query_row(
            "SELECT count(*) FROM client_profiles WHERE lead_id = ?1 AND deleted_at IS NULL",
            [kept["id"].as_str().unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(profiles, 1, "her customer record follows her");
}

#[test]
fn forget_and_retention() {
    let (_dir, db) = setup();
    run(&db, &["import", fixture("salesforce_report.csv").to_str().unwrap()]);
    let id =
        serde_json::from_str::<serde_json::Value>(&run(&db, &["lead", "show", "d.ivanov@northwind.com", "--json"]))
            .unwrap()["lead"]["id"]
            .as_str()
            .unwrap()
            .to_string();
    run(&db, &["log", "email", "d.ivanov@northwind.com", "--inbound", "--reply", "positive"]);
    let out = run(&db, &["forget", "d.ivanov@northwind.com", "--reason", "GDPR request"]);
    assert!(out.contains("personal data erased"), "{out}");
    // The same request again is done already, and said so, not as an address never known.
    let (_, again) = fail(&db, &["forget", "d.ivanov@northwind.com", "--reason", "GDPR request"]);
    assert!(again.contains("was already forgotten"), "{again}");
    // Nothing of theirs is left to answer, and nothing more is logged for them.
    assert_eq!(run(&db, &["inbox", "--json"]).trim(), "[]");
    let (_, err) = fail(&db, &["log", "email", &id]);
    assert!(err.contains("forgotten") || err.contains("not found"), "{err}");
    let (_, err) = fail(&db, &["lead", "show", "d.ivanov@northwind.com"]);
    assert!(err.contains("not found"), "{err}");
    assert!(run(&db, &["search", "Ivanov"]).lines().count() <= 1);
    let out = leadline(&db)
        .env("LEADLINE_NOW", "2026-09-01T00:00:00.000Z")
        .args(["privacy", "run", "--dry-run"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("Emma Schulz") && out.contains("1 lead would be anonymised"), "{out}");
    let out = leadline(&db)
        .env("LEADLINE_NOW", "2026-09-01T00:00:00.000Z")
        .args(["privacy", "run"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(out).unwrap().contains("1 lead anonymised"));
    // Emma had opted out: the same old list imported again does not bring her back as someone to contact.
    let again = db.with_extension("again.csv");
    let file = fixture("salesforce_report.csv");
    std::fs::write(&again, format!("{}\n", std::fs::read_to_string(&file).unwrap())).unwrap();
    let out = leadline(&db).args(["import", again.to_str().unwrap(), "--json"]).assert().code(1).get_output().clone();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rejects = report["rejects"].as_array().unwrap();
    assert_eq!(rejects.len(), 2, "{report}");
    assert!(
        rejects.iter().all(|r| r["reason"].as_str().unwrap().contains("opted out when their record was anonymised"))
    );
    let (_, err) = fail(&db, &["lead", "add", "--first-name", "Emma", "--email", "emma.schulz@mueller.de"]);
    assert!(err.contains("opted out when their record was anonymised"), "{err}");
    let (code, err) = fail(&db, &["privacy", "run", "--months", "0"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn a_name_too_many_leads_at_one_company_have_to_pair_is_said() {
    let (_dir, db) = setup();
    for i in 1..=6 {
        let email = format!("z{i}@globex{i}.example");
        run(
            &db,
            &[
                "lead",
                "add",
                "--first-name",
                "Zoë",
                "--last-name",
                "Müller",
                "--company",
                "Globex GmbH",
                "--email",
                &email,
            ],
        );
    }
    let out = leadline(&db).args(["dedupe"]).output().unwrap();
    let (said, note) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("no likely duplicates"), "{said}");
    assert!(note.contains("1 name is held by more than 5 leads at one company, too many to pair"), "{note}");
    assert!(note.contains("Zoë Müller <z1@globex1.example> at Globex GmbH (6 leads)"), "{note}");
    // Three of one name and three of it the other way round are three records each, paired.
    for (i, (first, last)) in [("Lee", "Wang"), ("Wang", "Lee")].iter().cycle().take(6).enumerate() {
        let email = format!("lw{i}@initech.example");
        run(
            &db,
            &["lead", "add", "--first-name", first, "--last-name", last, "--company", "Initech", "--email", &email],
        );
    }
    let out = leadline(&db).args(["dedupe", "--json"]).output().unwrap();
    let pairs: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(pairs.len(), 15, "{pairs:?}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("Initech"));
    // Six of one name, and two of it the other way round: the six are a crowd, the two a pair.
    for (i, (first, last)) in std::iter::repeat_n(("Wang", "Li"), 6).chain([("Li", "Wang"); 2]).enumerate() {
        let email = format!("wl{i}@hooli.example");
        run(&db, &["lead", "add", "--first-name", first, "--last-name", last, "--company", "Hooli", "--email", &email]);
    }
    let out = leadline(&db).args(["dedupe", "--json"]).output().unwrap();
    let pairs: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let hooli: Vec<_> = pairs.iter().filter(|p| p["a_label"].as_str().unwrap().contains("Hooli")).collect();
    assert_eq!(hooli.len(), 1, "{hooli:?}");
    assert!(hooli[0]["a_label"].as_str().unwrap().starts_with("Li Wang"), "{hooli:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("Wang Li <wl0@hooli.example> at Hooli (6 leads)"));
    // A whole name in the first name alone is that name given in its two parts.
    run(
        &db,
        &["lead", "add", "--first-name", "Ann", "--last-name", "Lee", "--email", "a1@x.example", "--company", "X"],
    );
    run(&db, &["lead", "add", "--first-name", "Ann Lee", "--email", "a2@x.example", "--company", "X"]);
    let out = leadline(&db).args(["dedupe", "--json"]).output().unwrap();
    let pairs: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        pairs.iter().any(|p| p["a_label"].as_str().unwrap().contains("a1@x.example")
            || p["b_label"].as_str().unwrap().contains("a1@x.example")),
        "{pairs:?}"
    );
}

#[test]
fn a_forget_reason_naming_the_person_is_kept_without_them() {
    let (_dir, db) = setup();
    run(&db, &["lead", "add", "--first-name", "Rita", "--last-name", "Reasonable", "--email", "rita.r@mail.example"]);
    run(&db, &["lead", "edit", "rita.r@mail.example", "--phone", "+34 644 555 666"]);
    let reason = "erasure request e-mailed by rita.r@mail.example (Rita Reasonable, +34 644 555 666) on 2026-11-27";
    let out = leadline(&db).args(["forget", "rita.r@mail.example", "--reason", reason]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("the reason named the person"));
    let log = run(&db, &["privacy", "log", "--json"]);
    assert!(log.contains("erasure request e-mailed by (erased) ((erased), (erased)) on 2026-11-27"), "{log}");
    let file = std::fs::read(&db).unwrap();
    for gone in ["rita.r@mail", "Reasonable", "644 555"] {
        assert!(!file.windows(gone.len()).any(|w| w == gone.as_bytes()), "{gone} is still in the file");
    }
}

#[test]
fn a_forget_reason_loses_every_word_of_the_persons_name() {
    let (_dir, db) = setup();
    let ana = ["--first-name", "Ana María", "--last-name", "García López", "--phone", "+34 600 11 22 33"];
    run(&db, &[&["lead", "add"][..], &ana].concat());
    let reason = "Ana's request: GARCIA LOPEZ called from 600 11 22 33, 2 times; del Río asked too";
    run(&db, &["forget", "García López", "--reason", reason]);
    let log = run(&db, &["privacy", "log", "--json"]);
    assert!(log.contains("(erased)'s request: (erased) called from (erased), 2 times; del Río asked too"), "{log}");
}

#[test]
fn a_forget_reason_loses_every_address_number_and_profile_the_person_had() {
    let (_dir, db) = setup();
    let kim = ["--first-name", "Kim", "--last-name", "O'Neil", "--email", "JM.Garcia@acme.example"];
    run(&db, &[&["lead", "add", "--phone", "+44 20 7946 0001"][..], &kim].concat());
    run(&db, &["lead", "edit", "Kim", "--email", "new.mailbox@firm.example", "--phone", "+44 20 7946 0002"]);
    run(&db, &["lead", "edit", "Kim", "--profile-url", "https://www.linkedin.com/in/newprofile"]);
    run(&db, &["log", "email", "Kim", "--inbound", "--email", "private.box@gmail.com"]);
    run(&db, &["log", "social", "Kim", "--url", "https://www.linkedin.com/in/thirdprofile"]);
    run(&db, &["log", "messenger", "Kim", "--value", "whatsapp:+44 7700 900123"]);
    let reason = "asked via <JM.Garcia@acme.example>, private.box@gmail.com, linkedin.com/in/newprofile/, \
                  https://www.linkedin.com/in/thirdprofile; called from +44 20 7946 0001 and +44 7700 900123; \
                  Kim O’Neil’s own words";
    run(&db, &["forget", "Kim", "--reason", reason]);
    let log = run(&db, &["privacy", "log", "--json"]);
    let said = "asked via <(erased)>, (erased), (erased), (erased); called from (erased) and (erased); (erased)’s own \
                words";
    assert!(log.contains(said), "{log}");
}

#[test]
fn retention_keeps_customers_and_says_which_open_deals_it_closes() {
    let (_dir, db) = setup();
    let at = |now: &str, args: &[&str]| {
        let out = leadline(&db).env("LEADLINE_NOW", now).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let then = "2024-01-10T10:00:00.000Z";
    at(then, &["lead", "add", "--first-name", "Cora", "--last-name", "Customer", "--email", "cora@client.example"]);
    at(then, &["deal", "add", "cora@client.example", "--title", "Annual plan", "--amount", "24000"]);
    at("2024-01-20T10:00:00.000Z", &["deal", "won", "Annual plan"]);
    at(then, &["lead", "add", "--first-name", "Pete", "--last-name", "Prospect", "--email", "pete@p.example"]);
    at(
        then,
        &["deal", "add", "pete@p.example", "--title", "Big open deal", "--amount", "50000", "--stage", "Proposal"],
    );
    let later = "2026-01-10T10:00:00.000Z";
    let dry = at(later, &["privacy", "run", "--dry-run"]);
    assert!(dry.contains("Pete Prospect") && !dry.contains("Cora"), "{dry}");
    assert!(dry.contains("1 lead would be anonymised") && dry.contains("1 open deal would be closed as lost"), "{dry}");
    let ran = at(later, &["privacy", "run"]);
    assert!(ran.contains("1 lead anonymised") && ran.contains("1 open deal closed as lost"), "{ran}");
    let cora = at(later, &["lead", "show", "cora@client.example", "--json"]);
    assert!(cora.contains("\"lifecycle\": \"customer\""), "a customer's record is kept: {cora}");
}

#[test]
fn forgetting_one_record_of_a_staged_pair_names_the_other_and_drops_the_pair() {
    let (dir, db) = setup();
    let csv = file(
        dir.path(),
        "st.csv",
        "First Name,Last Name,Email,Phone,Company\nQuentin,Staged,q@staged.test,,Acme\nQuentin,Staged,,+34 633 444 555,Acme Inc.\n",
    );
    run(&db, &["import", csv.to_str().unwrap()]);
    let leads: serde_json::Value = serde_json::from_str(&run(&db, &["lead", "list", "--json"])).unwrap();
    let other =
        leads.as_array().unwrap().iter().find(|l| l["email"].is_null()).unwrap()["id"].as_str().unwrap().to_string();
    let out = leadline(&db).args(["forget", "q@staged.test"]).assert().success().get_output().clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains(&format!("lead {other} was staged as a possible duplicate")), "{err}");
    // Not even a dismissed pair is left to tie the kept counts to the other record.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let pairs: i64 = conn.query_row("SELECT count(*) FROM merge_candidates", [], |r| r.get(0)).unwrap();
    assert_eq!(pairs, 0);
}

#[test]
fn a_forgotten_gmail_mailbox_is_refused_however_it_is_written() {
    let (_dir, db) = setup();
    run(&db, &["lead", "add", "--first-name", "John", "--email", "john.smith@gmail.com"]);
    run(&db, &["forget", "john.smith@gmail.com"]);
    for again in
        ["John.Smith@Gmail.com", "johnsmith@gmail.com", "john.smith+news@gmail.com", "j.ohn.smith@googlemail.com"]
    {
        let (_, err) = fail(&db, &["lead", "add", "--first-name", "John", "--email", again]);
        assert!(err.contains("asked to be forgotten"), "{again}: {err}");
    }
    // Another mailbox is another person.
    run(&db, &["lead", "add", "--first-name", "John", "--email", "john.smith@example.com"]);
    run(&db, &["privacy", "allow", "john.smith@gmail.com"]);
    run(&db, &["lead", "add", "--first-name", "John", "--email", "johnsmith@gmail.com"]);
}

#[test]
fn what_a_forgotten_person_had_before_or_was_reached_at_is_refused_too() {
    let (dir, db) = setup();
    let csv = file(
        dir.path(),
        "anna.csv",
        "First Name,Last Name,Email,Phone\nAnna,Berg,anna@oldco.example,+46 70 123 45 67\n",
    );
    run(&db, &["import", csv.to_str().unwrap()]);
    run(&db, &["lead", "edit", "anna@oldco.example", "--email", "anna@newco.example", "--phone", "+46 70 765 43 21"]);
    run(&db, &["lead", "edit", "anna@newco.example", "--profile-url", "https://www.linkedin.com/in/anna-berg"]);
    run(&db, &["lead", "edit", "anna@newco.example", "--profile-url", "https://www.linkedin.com/in/anna-berg-se"]);
    run(&db, &["log", "email", "anna@newco.example", "--email", "anna.private@home.example", "--inbound"]);
    run(&db, &["log", "messenger", "anna@newco.example", "--value", "whatsapp:+46 73 111 22 33"]);
    run(&db, &["log", "call", "anna@newco.example", "--phone", "+46 8 555 666 77"]);
    // A colleague's line she was once reached on is the colleague's still.
    run(&db, &["lead", "add", "--first-name", "Olle", "--phone", "+46 8 555 666 77"]);
    run(&db, &["forget", "anna@newco.example"]);
    let again = leadline(&db).args(["import", csv.to_str().unwrap(), "--again"]).output().unwrap();
    let said = String::from_utf8_lossy(&again.stdout).to_string();
    assert!(said.contains("asked to be forgotten") && !said.contains("created 1"), "{said}");
    for (flag, value) in [
        ("--email", "anna@oldco.example"),
        ("--email", "anna.private@home.example"),
        ("--phone", "+46701234567"),
        ("--phone", "+46 73 111 22 33"),
        ("--profile-url", "https://www.linkedin.com/in/anna-berg/"),
    ] {
        let (_, err) = fail(&db, &["lead", "add", "--first-name", "Anna", flag, value]);
        assert!(err.contains("asked to be forgotten"), "{value}: {err}");
    }
    run(&db, &["lead", "add", "--first-name", "Per", "--phone", "+46 8 555 666 77"]);
    // Nothing of what she had is left in the file but its hashes.
    let kept: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT count(*) FROM former_contacts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 0);
}

#[test]
fn what_a_forgotten_person_had_or_was_reached_at_that_someone_else_has_stays_theirs() {
    let (_dir, db) = setup();
    let ana = run(&db, &["lead", "add", "--first-name", "Ana", "--email", "bob@acme.io", "--phone", "+34 910 000 000"]);
    let ana = ana.trim();
    // A typo put Bob's address on Ana, and the office's line: both put right since.
    run(&db, &["lead", "edit", ana, "--email", "ana@acme.io", "--phone", "+34 600 11 22 33"]);
    run(&db, &["lead", "add", "--first-name", "Bob", "--email", "bob@acme.io", "--phone", "+34 910 000 000"]);
    // Carl has no number of his own on file, but is called on the office's line and written at its inbox,
    // as Ana was.
    run(&db, &["lead", "add", "--first-name", "Carl", "--email", "carl@acme.io"]);
    for who in [ana, "carl@acme.io"] {
        run(&db, &["log", "call", who, "--phone", "+34 910 555 000"]);
        run(&db, &["log", "email", who, "--email", "info@acme.io"]);
    }
    run(&db, &["forget", ana]);
    run(&db, &["log", "email", "bob@acme.io"]);
    run(&db, &["log", "call", "bob@acme.io"]);
    run(&db, &["log", "call", "carl@acme.io", "--phone", "+34910555000"]);
    run(&db, &["log", "email", "carl@acme.io", "--email", "info@acme.io"]);
    // What was hers alone stays refused.
    let (_, err) = fail(&db, &["lead", "add", "--first-name", "Ana", "--phone", "+34 600 11 22 33"]);
    assert!(err.contains("asked to be forgotten"), "{err}");
}

#[test]
fn a_forgotten_persons_own_phone_is_refused_but_not_a_switchboard() {
    let (dir, db) = setup();
    run(&db, &["lead", "add", "--first-name", "Pia", "--last-name", "Phone", "--phone", "+34 644 555 666"]);
    run(&db, &["lead", "add", "--first-name", "Ana", "--phone", "+34 910 000 000", "--email", "ana@office.test"]);
    run(&db, &["lead", "add", "--first-name", "Leo", "--phone", "+34 910 000 000", "--email", "leo@office.test"]);
    run(&db, &["forget", "Pia Phone"]);
    run(&db, &["forget", "ana@office.test"]);
    // Pia's number, however it is written, by a command, a touch or a file: refused.
    let (_, err) = fail(&db, &["lead", "add", "--first-name", "Pia", "--phone", "0034 644 555 666"]);
    assert!(err.contains("the phone number belongs to someone who asked to be forgotten"), "{err}");
    let (_, err) = fail(&db, &["log", "call", "leo@office.test", "--phone", "+34644555666"]);
    assert!(err.contains("asked to be forgotten"), "{err}");
    let csv = file(dir.path(), "pp.csv", "First Name,Last Name,Phone\nPia,Phone,644 555 666\n");
    let out = leadline(&db).args(["import", csv.to_str().unwrap(), "--country", "ES"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(said.contains("'phone' the phone number belongs to someone who asked to be forgotten"), "{said}");
    // The office line Ana shared with Leo was not hers alone: a colleague is still taken on it.
    run(&db, &["lead", "add", "--first-name", "Eva", "--phone", "+34 910 000 000"]);
    // Another country's number with the same national digits is another person's.
    run(&db, &["lead", "add", "--first-name", "Paul", "--phone", "+33 644 555 666"]);
    // Let in again (with its calling code, as it was remembered), the number is taken.
    let (_, err) = fail(&db, &["privacy", "allow", "644 555 666"]);
    assert!(err.contains("with its calling code"), "{err}");
    run(&db, &["privacy", "allow", "0034 644 555 666"]);
    run(&db, &["lead", "add", "--first-name", "Pia", "--phone", "+34 644 555 666"]);
    // A number kept without its calling code names no country: not remembered (another country's may
    // have its digits); one a live colleague has written with its code is theirs too.
    run(&db, &["lead", "add", "--first-name", "Nat", "--phone", "612 345 678"]);
    run(&db, &["lead", "add", "--first-name", "Bea", "--phone", "+34 612 345 678", "--email", "bea@x.io"]);
    run(&db, &["forget", "Nat"]);
    run(&db, &["lead", "add", "--first-name", "Eve", "--phone", "+34 612 345 678"]);
    // A +tag on a company's domain may be a shared inbox: forgetting it leaves the inbox to the others.
    run(&db, &["lead", "add", "--first-name", "Ana", "--email", "sales+ana@acme.test"]);
    run(&db, &["lead", "add", "--first-name", "Bob", "--email", "sales@acme.test"]);
    run(&db, &["forget", "sales+ana@acme.test"]);
    run(&db, &["lead", "edit", "Bob", "--email", "sales@acme.test"]);
}

#[test]
fn a_forgotten_persons_phone_typed_nationally_is_refused_where_the_config_places_it() {
    let (_dir, db) = setup();
    std::fs::write(db.with_extension("toml"), "[import]\ndefault_country = \"ES\"\n").unwrap();
    run(&db, &["lead", "add", "--first-name", "Ines", "--last-name", "Borrada", "--phone", "+34 612 345 678"]);
    run(&db, &["lead", "add", "--first-name", "Leo", "--email", "leo@office.test"]);
    run(&db, &["forget", "Ines Borrada"]);
    // As an import of it with that country is refused, so is the number typed without +34 by a command.
    let (_, err) = fail(&db, &["lead", "add", "--first-name", "Ines", "--phone", "612345678"]);
    assert!(err.contains("the phone number belongs to someone who asked to be forgotten"), "{err}");
    let (_, err) = fail(&db, &["lead", "edit", "Leo", "--phone", "612 345 678"]);
    assert!(err.contains("asked to be forgotten"), "{err}");
    let (_, err) = fail(&db, &["log", "call", "Leo", "--phone", "612 345 678"]);
    assert!(err.contains("asked to be forgotten"), "{err}");
    assert!(!run(&db, &["lead", "list"]).contains("Ines"));
    // Let in again as it was refused, without its calling code.
    run(&db, &["privacy", "allow", "612 345 678"]);
    run(&db, &["lead", "edit", "Leo", "--phone", "612 345 678"]);
    // A number kept without its calling code is remembered where the config places it, when forgotten.
    run(&db, &["forget", "Leo"]);
    let (_, err) = fail(&db, &["lead", "add", "--first-name", "Leo", "--phone", "+34 612 345 678"]);
    assert!(err.contains("asked to be forgotten"), "{err}");
    run(&db, &["privacy", "allow", "+34 612 345 678"]);
    // Unless a colleague has it, written with its calling code: a shared line is not the person's alone.
    run(&db, &["lead", "add", "--first-name", "Mia", "--phone", "612 345 678", "--email", "mia@x.io"]);
    run(&db, &["lead", "add", "--first-name", "Ivo", "--phone", "+34 612 345 678", "--email", "ivo@x.io"]);
    run(&db, &["forget", "Mia"]);
    run(&db, &["log", "call", "Ivo", "--phone", "+34 612 345 678"]);
    // Where the config places no country, the national digits name nobody in particular.
    std::fs::write(db.with_extension("toml"), "").unwrap();
    run(&db, &["lead", "add", "--first-name", "Nat", "--phone", "612345678"]);
}

#[test]
fn forget_blanks_the_name_of_a_file_named_after_the_person() {
    let (dir, db) = setup();
    let card = file(
        dir.path(),
        "Tobias_Grimsworth.vcf",
        "BEGIN:VCARD\nVERSION:3.0\nFN:Tobias Grimsworth\nN:Grimsworth;Tobias;;;\nEMAIL:tobias@grimsworth.test\nEND:VCARD\n",
    );
    let other =
        file(dir.path(), "contacts.vcf", "BEGIN:VCARD\nVERSION:3.0\nFN:Ann Lee\nEMAIL:ann@lee.test\nEND:VCARD\n");
    run(&db, &["import", card.to_str().unwrap()]);
    run(&db, &["import", other.to_str().unwrap()]);
    run(&db, &["forget", "tobias@grimsworth.test"]);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let names: Vec<String> = conn
        .prepare("SELECT file_name FROM import_runs ORDER BY started_at, id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(names.iter().all(|n| !n.to_lowercase().contains("grimsworth")), "{names:?}");
    let paths: i64 = conn
        .query_row("SELECT count(*) FROM import_runs WHERE file_path LIKE '%rimsworth%'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(paths, 0);
    assert!(names.iter().any(|n| n.ends_with("contacts.vcf")), "{names:?}");
}

#[test]
fn a_forgotten_persons_address_is_refused_until_they_come_back() {
    let (_dir, db) = setup();
    let file = fixture("salesforce_report.csv");
    run(&db, &["import", file.to_str().unwrap()]);
    run(&db, &["forget", "D.Ivanov@northwind.com", "--reason", "GDPR request"]);
    // The next export of that CRM (the same rows, a day later) leaves them out, saying why, and keeps
    // nothing of the row.
    let again = db.with_extension("again.csv");
    std::fs::write(&again, format!("{}\n", std::fs::read_to_string(&file).unwrap())).unwrap();
    let out = run(&db, &["import", again.to_str().unwrap(), "--json"]);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rejects = report["rejects"].as_array().unwrap();
    assert_eq!(rejects.len(), 1, "{report}");
    assert!(rejects[0]["reason"].as_str().unwrap().contains("belongs to someone who asked to be forgotten"));
    let (_, err) = fail(&db, &["lead", "show", "d.ivanov@northwind.com"]);
    assert!(err.contains("not found"), "{err}");
    let holds = |needle: &str| {
        let bytes = std::fs::read(&db).unwrap();
        let wal = std::fs::read(db.with_extension("db-wal")).unwrap_or_default();
        [bytes, wal].iter().any(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
    };
    assert!(!holds("d.ivanov@northwind.com"));
    // Nor does a command add the address, to a new lead or as another one of a lead.
    let add = ["lead", "add", "--first-name", "Dmitri", "--email", "d.ivanov@northwind.com"];
    let (_, err) = fail(&db, &add);
    assert!(err.contains("the e-mail address belongs to someone who asked to be forgotten"), "{err}");
    assert!(err.contains("leadline privacy allow ADDRESS") && !err.contains("ivanov"), "{err}");
    run(&db, &["lead", "add", "--first-name", "Ann", "--email", "ann@x.io"]);
    let (_, err) = fail(&db, &["lead", "edit", "ann@x.io", "--add-email", "D.IVANOV@northwind.com"]);
    assert!(err.contains("asked to be forgotten"), "{err}");
    // However it is wrapped, nor as a touch of another lead's.
    for pasted in ["<d.ivanov@northwind.com>", "mailto:d.ivanov@northwind.com", "d.ivanov@northwind.com;"] {
        let (_, err) = fail(&db, &["lead", "add", "--first-name", "Dmitri", "--email", pasted]);
        assert!(err.contains("asked to be forgotten"), "{pasted}: {err}");
    }
    let (_, err) = fail(&db, &["log", "email", "ann@x.io", "--email", "d.ivanov@northwind.com"]);
    assert!(err.contains("asked to be forgotten"), "{err}");
    // A row refused for another reason keeps nothing of them either, in the database or the rejects file.
    let bad = db.with_extension("bad.csv");
    std::fs::write(
        &bad,
        "first_name,email,notes,created_at\nDmitri,[d.ivanov@northwind.com],\"write to d.ivanov@northwind.com.\",not a date\n",
    )
    .unwrap();
    let rejects = db.with_extension("rejects.csv");
    fail(&db, &["import", bad.to_str().unwrap(), "--rejects", rejects.to_str().unwrap()]);
    let written = std::fs::read_to_string(&rejects).unwrap();
    assert!(written.contains("asked to be forgotten") && !written.contains("ivanov"), "{written}");
    // A file that says the person was forgotten brings nothing of them, whatever else it holds.
    let json = db.with_extension("hostile.jsonl");
    std::fs::write(
        &json,
        r#"{"first_name":"Olga","last_name":"Petrova","email":"olga@petrova.example","phone":"+34 600 000 001","forgotten_at":"2025-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    run(&db, &["import", json.to_str().unwrap()]);
    // Another CRM's lead refused as theirs: the file's notes about that lead are refused too, keeping nothing.
    let (leads, notes) = (db.with_extension("their-leads.jsonl"), db.with_extension("their-notes.jsonl"));
    let theirs = "0193a2df-d32c-7fe5-b0db-d5a3a75d33d8";
    std::fs::write(&leads, format!(r#"{{"id":"{theirs}","first_name":"Dmitri","email":"d.ivanov@northwind.com"}}"#))
        .unwrap();
    std::fs::write(
        &notes,
        format!(r#"{{"id":"0193a2df-d32c-7fe5-b0db-d5a3a75d33d9","lead_id":"{theirs}","body":"divorce pending"}}"#),
    )
    .unwrap();
    fail(&db, &["import", leads.to_str().unwrap()]);
    fail(&db, &["import", notes.to_str().unwrap()]);
    assert!(!holds("d.ivanov@northwind.com") && !holds("olga@petrova.example") && !holds("Petrova"));
    assert!(!holds("divorce pending") && !holds(theirs));
    // A moved database refuses their address too.
    let moved = db.with_extension("moved.jsonl");
    run(&db, &["export", "leads", "--format", "jsonl", "--out", moved.to_str().unwrap()]);
    let other = db.with_file_name("other.db");
    std::fs::write(other.with_extension("toml"), "").unwrap();
    run(&other, &["import", moved.to_str().unwrap()]);
    let (_, err) = fail(&other, &add);
    assert!(err.contains("asked to be forgotten"), "{err}");
    // Back of their own accord: let in again.
    assert!(run(&db, &["privacy", "allow", "d.ivanov@northwind.com"]).contains("may be added again"));
    // The privacy log tells it, naming neither the address nor the forgotten lead (either would tie the
    // person who came back to what was kept of them).
    let log: serde_json::Value = serde_json::from_str(&run(&db, &["privacy", "log", "--json"])).unwrap();
    let entries = log.as_array().unwrap();
    let allowed = entries.iter().find(|e| e["action"] == "allow").unwrap();
    assert!(allowed["lead_id"].is_null() && allowed["by"] == "Sales Rep", "{log}");
    let forgotten = entries.iter().find(|e| e["action"] == "forget" && e["reason"] == "GDPR request").unwrap();
    let of_lead = run(&db, &["privacy", "log", forgotten["lead_id"].as_str().unwrap()]);
    assert!(of_lead.contains("forget") && !of_lead.contains("allow"), "{of_lead}");
    let all = run(&db, &["privacy", "log"]);
    assert!(all.contains("allow") && !all.contains("ivanov"), "{all}");
    run(&db, &add);
    assert!(run(&db, &["privacy", "allow", "d.ivanov@northwind.com"]).contains("was not refused"));
    // An opt-out recorded without a reason says none was given, rather than nothing.
    run(&db, &["lead", "add", "--first-name", "Opt", "--email", "opt@o.io"]);
    run(&db, &["lead", "edit", "opt@o.io", "--do-not-contact", "true"]);
    let log = run(&db, &["privacy", "log"]);
    assert!(log.lines().any(|l| l.contains("opt_out") && l.contains("Opt") && l.ends_with("(none given)")), "{log}");
    // One given, then erased with the person, is said to be erased, not never given.
    run(&db, &["lead", "add", "--first-name", "Era", "--email", "era@o.io"]);
    run(&db, &["lead", "edit", "era@o.io", "--do-not-contact", "true", "--reason", "asked by phone"]);
    run(&db, &["forget", "era@o.io"]);
    let log = run(&db, &["privacy", "log"]);
    assert!(log.lines().any(|l| l.contains("opt_out") && l.ends_with("(erased)")), "{log}");
    assert!(log.lines().any(|l| l.contains("forget") && l.ends_with("(none given)")), "{log}");
    let log: serde_json::Value = serde_json::from_str(&run(&db, &["privacy", "log", "--json"])).unwrap();
    let erased = log.as_array().unwrap().iter().filter(|e| e["reason_erased"] == true).count();
    assert_eq!(erased, 1, "{log}");
}

#[test]
fn merging_a_churned_customer_with_an_active_one_keeps_the_active_record() {
    let (_dir, db) = setup();
    leadline(&db)
        .env("LEADLINE_NOW", "2025-11-25T10:00:00.000Z")
        .args(["lead", "add", "--first-name", "Rosa", "--company", "Vidal SL", "--phone", "+34 611 222 333"])
        .args(["--notes", "met at the fair"])
        .assert()
        .success();
    run(&db, &["deal", "add", "Rosa", "--title", "Old plan"]);
    run(&db, &["deal", "won", "Old plan"]);
    run(&db, &["lead", "churn", "Rosa", "--reason", "budget"]);
    leadline(&db)
        .env("LEADLINE_NOW", "2025-11-25T11:00:00.000Z")
        .args(["lead", "add", "--first-name", "Rosa María", "--company", "Vidal SL", "--phone", "611222333"])
        .args(["--notes", "met at the fair"])
        .assert()
        .success();
    run(&db, &["deal", "add", "Rosa María", "--title", "New plan"]);
    run(&db, &["deal", "won", "New plan"]);
    run(&db, &["dedupe", "--apply"]);
    let kept = serde_json::from_str::<serde_json::Value>(&run(&db, &["lead", "show", "Rosa", "--json"])).unwrap();
    let kept = &kept["lead"];
    // She is a customer again: the active record is hers, the churned one kept on file, removed.
    assert_eq!(kept["lifecycle"], "customer", "{kept}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let live: Vec<(String, String)> = conn
        .prepare("SELECT lead_id, status FROM client_profiles WHERE deleted_at IS NULL")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(live, [(kept["id"].as_str().unwrap().to_string(), "active".to_string())]);
    // Notes both records held appear once.
    let notes = kept["notes"].as_str().unwrap_or_default();
    assert_eq!(notes.matches("met at the fair").count(), 1, "{notes}");
}

#[test]
fn forget_takes_the_person_out_of_the_title_another_attendee_keeps() {
    let (dir, db) = setup();
    let ics = file(
        dir.path(),
        "shared.ics",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nBEGIN:VEVENT\r\n\
         DTSTART:20251110T100000Z\r\nDTEND:20251110T110000Z\r\nUID:abc123@google.com\r\n\
         SUMMARY:Intro call with Hannah Vogelsang (Vogelsang GmbH)\r\n\
         ATTENDEE;CN=Hannah Vogelsang:mailto:hannah@vogelsang.example\r\n\
         ATTENDEE;CN=Ben Partner:mailto:ben@partner.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    run(
        &db,
        &["lead", "add", "--first-name", "Hannah", "--last-name", "Vogelsang", "--email", "hannah@vogelsang.example"],
    );
    run(&db, &["lead", "add", "--first-name", "Ben", "--last-name", "Partner", "--email", "ben@partner.example"]);
    run(&db, &["import", ics.to_str().unwrap()]);
    run(&db, &["forget", "hannah@vogelsang.example"]);
    let meetings = run(&db, &["export", "meetings", "--format", "csv"]);
    assert!(!meetings.contains("Vogelsang"), "{meetings}");
    assert!(meetings.contains("Intro call with (erased) ((erased) GmbH)"), "{meetings}");
}

#[test]
fn forget_takes_the_person_out_of_what_other_leads_records_say_of_them() {
    let (_dir, db) = setup();
    let add = |first: &str, last: &str, email: &str, more: &[&str]| {
        let mut args = vec!["lead", "add", "--first-name", first, "--last-name", last, "--email", email];
        args.extend(more);
        run(&db, &args).trim().to_string()
    };
    let kim = add(
        "Kim",
        "Berg",
        "old@berg.example",
        &["--phone", "+49 30 12345678", "--profile-url", "https://www.linkedin.com/in/kimberg"],
    );
    run(&db, &["lead", "edit", &kim, "--email", "kim@berg.example"]);
    add("Ben", "Partner", "ben@partner.example", &["--title", "EA to Kim Berg"]);
    add("Kim", "Svensson", "kim@svensson.example", &[]);
    // A namesake, another person: their own notes name them; so do people whose name holds hers.
    add("Kim", "Berg", "kim@other.example", &[]);
    add(
        "Joakim",
        "Lund",
        "joakim@berg.example",
        &["--notes", "Joakim: joakim@berg.example, linkedin.com/in/kimberg-lund"],
    );
    add("Kim", "Berg-Lund", "kbl@x.example", &["--notes", "Kim Berg-Lund prefers calls"]);
    run(&db, &["note", "ben@partner.example", "Reports to KIM BERG (cc Kim@Berg.example); Kim Bergman is IT"]);
    run(&db, &["lead", "edit", "ben@partner.example", "--notes", "Assistant:\nKim  Berg, was old@berg.example"]);
    let note = "Berg, Kim joined; her line 030 1234 5678, mine +49 30 9990001";
    run(&db, &["log", "call", "ben@partner.example", "--phone", "+49 30 9990001", "--note", note]);
    run(&db, &["log", "email", "ben@partner.example", "--email", "kim@berg.example", "--note", "sent to his boss"]);
    run(&db, &["task", "add", "ben@partner.example", "--title", "Send Kim Berg the deck", "--due", "+2d"]);
    run(&db, &["note", "kim@svensson.example", "Kim likes tea"]);
    run(&db, &["note", "kim@other.example", "Kim Berg prefers mornings"]);
    let ben_before = run(&db, &["export", "leads", "--format", "jsonl", "--where", "text=Partner"]);
    let out = leadline(&db).args(["forget", &kim]).output().unwrap();
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("5 records of other leads named the person"), "{said}");
    let everything = [
        run(&db, &["export", "notes", "--format", "csv"]),
        run(&db, &["export", "leads", "--format", "jsonl"]),
        run(&db, &["export", "outreach", "--format", "csv"]),
        run(&db, &["export", "tasks", "--format", "csv"]),
    ]
    .concat();
    for kept in [
        "Reports to (erased) (cc (erased)); Kim Bergman is IT",
        "Assistant:\\n(erased), was (erased)",
        "(erased) joined; her line (erased), mine +49 30 9990001",
        ",email,(erased),sent to his boss,",
        "Send (erased) the deck",
        "\"title\":\"EA to (erased)\"",
        "Kim likes tea",
        "Kim Berg prefers mornings",
        "Joakim: joakim@berg.example, linkedin.com/in/kimberg-lund",
        "Kim Berg-Lund prefers calls",
    ] {
        assert!(everything.contains(kept), "{kept}: {everything}");
    }
    let hers = everything.matches("kim@berg.example").count() - everything.matches("joakim@berg.example").count();
    assert!(hers == 0 && !everything.contains("1234 5678"), "{everything}");
    // An erasure is nobody's activity: the colleague's record keeps its time (retention goes by it).
    let ben_after = run(&db, &["export", "leads", "--format", "jsonl", "--where", "text=Partner"]);
    let updated = |l: &str| serde_json::from_str::<serde_json::Value>(l.trim()).unwrap()["updated_at"].clone();
    assert_eq!(updated(&ben_before), updated(&ben_after));
    assert!(run(&db, &["search", "Kim Berg"]).lines().all(|l| !l.contains("Partner")));
}

#[test]
fn an_old_file_brings_back_no_address_or_number_of_someone_forgotten_in_a_colleagues_notes() {
    let (dir, db) = setup();
    run(
        &db,
        &[
            "lead",
            "add",
            "--first-name",
            "Kim",
            "--last-name",
            "Berg",
            "--email",
            "kim@berg.io",
            "--phone",
            "+46 70 123 45 67",
        ],
    );
    run(&db, &["forget", "kim@berg.io"]);
    let old = file(
        dir.path(),
        "old.csv",
        "First Name,Last Name,Email,Notes\nAnna,Svensson,anna@acme.se,\"Reports to Kim (kim@berg.io, +46 70 123 45 67)\"\n\
         Lars,Nyman,lars@acme.se,\"New hire, cc mailto:KIM@berg.io; joakim@berg.io stays\"\n",
    );
    let said = run(&db, &["import", old.to_str().unwrap()]);
    assert!(said.contains("2 texts named someone forgotten here"), "{said}");
    let leads = run(&db, &["export", "leads", "--format", "jsonl"]);
    assert!(leads.contains("Reports to Kim ((erased), (erased))"), "{leads}");
    assert!(leads.contains("New hire, cc (erased); joakim@berg.io stays"), "{leads}");
}

#[test]
fn retention_takes_the_anonymised_out_of_other_leads_records() {
    let (_dir, db) = setup();
    let at = |when: &str, args: &[&str]| {
        let out = leadline(&db).env("LEADLINE_NOW", when).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    at(
        "2024-01-10T10:00:00Z",
        &["lead", "add", "--first-name", "Old", "--last-name", "Quiet", "--email", "quiet@old.io"],
    );
    let knows = ["--notes", "knows Old Quiet (quiet@old.io)"];
    at("2024-01-10T10:00:00Z", &[&["lead", "add", "--first-name", "Col", "--email", "col@x.io"][..], &knows].concat());
    at("2025-06-01T10:00:00Z", &["lead", "touch", "col@x.io"]);
    at("2025-08-01T10:00:00Z", &["privacy", "run"]);
    let leads = run(&db, &["export", "leads", "--format", "jsonl"]);
    assert!(leads.contains("\"notes\":\"knows (erased) ((erased))\""), "{leads}");
    assert!(!leads.contains("Quiet") && !leads.contains("quiet@"), "{leads}");
}

#[test]
fn forget_erases_the_person_from_events_and_customer_records() {
    let (_dir, db) = setup();
    // A churn event too: its subject is the lead at the time it churned.
    let rule = "[[automation.rule]]\nname = \"won\"\ntrigger = \"deal_won\"\nactions = [{ do = \"convert_customer\" }]\n\
                [[automation.rule]]\nname = \"churn-event\"\ntrigger = \"customer_churned\"\n\
                actions = [{ do = \"event\", kind = \"CustomerChurned\" }]\n";
    std::fs::write(db.with_extension("toml"), rule).unwrap();
    let add = ["lead", "add", "--first-name", "Greta", "--last-name", "Nordin", "--email", "greta@nordin.se"];
    run(&db, &[&add[..], &["--company", "Nordin Konsult", "--tag", "gretas-circle"]].concat());
    run(&db, &["privacy", "opt-out", "greta@nordin.se", "--reason", "Greta asked, from her Oslo office"]);
    run(&db, &["privacy", "opt-in", "greta@nordin.se"]);
    let touch =
        run(&db, &["log", "platform", "greta@nordin.se", "--value", "upwork", "--url", "https://upwork.com/j/1"]);
    let deal = ["deal", "add", "greta@nordin.se", "--title", "Greta Nordin pilot", "--use-case", "Greta's Oslo shop"];
    let deal = [&deal[..], &["--product", "Greta's Bergen kit"]].concat();
    run(&db, &[&deal[..], &["--from-outreach", touch.trim()]].concat());
    run(&db, &["deal", "won", "Greta Nordin pilot"]);
    run(&db, &["lead", "churn", "greta@nordin.se", "--reason", "Greta relocated to Oslo"]);
    let holds = |needle: &str| {
        let bytes = std::fs::read(&db).unwrap();
        let wal = std::fs::read(db.with_extension("db-wal")).unwrap_or_default();
        [bytes, wal].iter().any(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
    };
    // The events outbox and the customer record held her before.
    assert!(holds("greta@nordin.se") && holds("relocated to Oslo"));
    run(&db, &["forget", "greta@nordin.se"]);
    // Nor in her tags, her one-person company, the deal's use case and product or the reasons of earlier
    // opt-outs.
    for needle in ["greta@nordin.se", "Nordin", "Oslo", "gretas-circle", "Bergen"] {
        assert!(!holds(needle), "{needle} is still in the database");
    }
}

#[test]
fn a_bulk_import_leaves_every_lead_scored() {
    let (dir, db) = setup();
    let csv = file(
        dir.path(),
        "bulk.csv",
        "First Name,Last Name,Email,Company,Industry\nAna,López,ana@acme.io,Acme,saas\nBo,Berg,bo@mill.io,Mill,mining\n",
    );
    run(&db, &["import", csv.to_str().unwrap(), "--bulk"]);
    let leads: serde_json::Value =
        serde_json::from_str(&run(&db, &["lead", "list", "--sort", "name", "--json"])).unwrap();
    // The ideal-customer profile (saas) earns points at once, as a lead typed by hand would.
    assert_eq!(leads[0]["email"], "ana@acme.io");
    assert!(leads[0]["score"].as_i64().unwrap() > 0, "{leads}");
    assert_eq!(leads[1]["score"], 0);
}

#[test]
fn another_systems_ids_are_left_out_and_a_file_that_imports_nothing_fails() {
    let (dir, db) = setup();
    let ids = file(dir.path(), "ids.csv", "ID,Lead ID,Name,Email,Company\n1001,L-77,Ana Ruiz,ana.ruiz@x.io,Ruiz SL\n");
    let out = run(&db, &["import", ids.to_str().unwrap()]);
    assert!(out.lines().any(|l| l.starts_with("leads") && l.split_whitespace().nth(1) == Some("1")), "{out}");
    assert!(out.contains("columns not imported: ID, Lead ID"), "{out}");
    let bad = file(dir.path(), "bad.csv", "Name,Email\nBob,not-an-email\n");
    let (code, err) = fail(&db, &["import", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("every row was rejected; nothing was imported"), "{err}");
    // An update never blanks what the file leaves empty.
    let update = file(dir.path(), "update.csv", "email,first_name,last_name,title\nana.ruiz@x.io,Ana,,CEO\n");
    run(&db, &["import", update.to_str().unwrap(), "--on-duplicate", "update"]);
    let ana: serde_json::Value = serde_json::from_str(&run(&db, &["lead", "show", "ana.ruiz@x.io", "--json"])).unwrap();
    let ana = &ana["lead"];
    assert_eq!((ana["last_name"].as_str(), ana["title"].as_str()), (Some("Ruiz"), Some("CEO")), "{ana}");
    // Merging a row with another phone keeps that phone in the notes.
    let other = file(dir.path(), "other.csv", "email,phone\nana.ruiz@x.io,+34 611 22 33 44\n");
    run(&db, &["import", other.to_str().unwrap(), "--on-duplicate", "merge"]);
    let phone = file(dir.path(), "phone.csv", "email,phone\nana.ruiz@x.io,+34 699 88 77 66\n");
    run(&db, &["import", phone.to_str().unwrap()]);
    let ana: serde_json::Value = serde_json::from_str(&run(&db, &["lead", "show", "ana.ruiz@x.io", "--json"])).unwrap();
    assert_eq!(ana["lead"]["phone"], "+34 611 22 33 44", "the empty phone was filled");
    assert!(ana["lead"]["notes"].as_str().unwrap_or_default().contains("phone: +34 699 88 77 66"), "{ana}");
}

#[test]
fn a_crm_records_profile_is_the_leads_and_its_last_activity_its_last_contact() {
    let (dir, db) = setup();
    let f = dir.path().join("hubspot.csv");
    std::fs::write(
        &f,
        "Record ID,First Name,Last Name,Email,Last Activity Date,LinkedIn URL\n\
         202,Yan,Prof,yan@x.io,2025-11-02 09:00,https://linkedin.com/in/yan\n",
    )
    .unwrap();
    run(&db, &["import", f.to_str().unwrap()]);
    let yan: serde_json::Value = serde_json::from_str(&run(&db, &["lead", "show", "yan@x.io", "--json"])).unwrap();
    assert_eq!(yan["lead"]["last_contacted_at"], "2025-11-02T09:00:00.000Z", "{yan}");
    // Kept in the one form a member page has, however it was copied; no touch is made of it (a record's
    // profile is no contact), so no bump is owed for it either.
    assert_eq!(yan["lead"]["profile_url"], "https://www.linkedin.com/in/yan", "{yan}");
    assert!(yan["timeline"].as_array().unwrap().iter().all(|e| e["type"] == "contact"), "{yan}");
}

#[test]
fn no_automation_asks_to_message_someone_who_opted_out() {
    let (_dir, db) = setup();
    run(&db, &["lead", "add", "--first-name", "Opt", "--last-name", "Out", "--email", "opt@x.io"]);
    run(&db, &["privacy", "opt-out", "opt@x.io"]);
    // An inbound reply asking for information would start the e-mail sequence for anyone else.
    run(&db, &["log", "email", "opt@x.io", "--inbound", "--reply", "info"]);
    assert_eq!(run(&db, &["task", "list", "--json"]).trim(), "[]");
    run(&db, &["lead", "add", "--first-name", "Still", "--last-name", "In", "--email", "in@x.io"]);
    run(&db, &["log", "email", "in@x.io", "--inbound", "--reply", "info"]);
    let tasks: Vec<serde_json::Value> = serde_json::from_str(&run(&db, &["task", "list", "--json"])).unwrap();
    assert!(!tasks.is_empty() && tasks.iter().all(|t| t["lead_email"] == "in@x.io"), "{tasks:?}");
    let out = leadline(&db).args(["log", "email", "opt@x.io"]).assert().success().get_output().stderr.clone();
    let err = String::from_utf8(out).unwrap();
    assert!(err.contains("must not be contacted") && err.contains("recorded anyway"), "{err}");
}

#[test]
fn importing_history_fires_no_automation() {
    let (dir, a) = setup();
    run(&a, &["demo", "--leads", "80"]);
    run(&a, &["lead", "add", "--first-name", "Cus", "--email", "cus@x.io"]);
    run(&a, &["deal", "add", "cus@x.io", "--title", "Cus deal", "--product", "Growth plan"]);
    run(&a, &["deal", "won", "Cus deal"]);
    // A renewal won later: the record is of the latest win, here and there.
    run(&a, &["deal", "add", "cus@x.io", "--title", "Cus renewal", "--product", "Scale plan"]);
    run(&a, &["deal", "won", "Cus renewal"]);
    let b = dir.path().join("b.db");
    std::fs::write(b.with_extension("toml"), "").unwrap();
    for what in ["leads", "outreach", "meetings", "deals", "tasks"] {
        let file = dir.path().join(format!("{what}.jsonl"));
        run(&a, &["export", what, "--format", "jsonl", "--out", file.to_str().unwrap()]);
        run(&b, &["import", file.to_str().unwrap()]);
    }
    let count = |db: &Path, what: &str| -> usize {
        let out = run(db, &["export", what, "--format", "jsonl"]);
        out.lines().count()
    };
    for what in ["leads", "outreach", "meetings", "deals", "tasks"] {
        assert_eq!(count(&a, what), count(&b, what), "{what}: the same rows, no task made by a rule on the way");
    }
    // A won deal keeps the stage it was won from, where reopening it puts it back.
    let closed_from = |db: &Path| -> serde_json::Value {
        let v: Vec<serde_json::Value> =
            serde_json::from_str(&run(db, &["export", "deals", "--format", "json"])).unwrap();
        v.into_iter().find(|d| d["title"] == "Cus deal").unwrap()["closed_from"].clone()
    };
    assert!(closed_from(&a).is_string(), "{}", closed_from(&a));
    assert_eq!(closed_from(&a), closed_from(&b));
    let lifecycles = |db: &Path| -> Vec<String> {
        let v: Vec<serde_json::Value> =
            serde_json::from_str(&run(db, &["export", "leads", "--format", "json"])).unwrap();
        let mut l: Vec<String> = v.iter().map(|l| format!("{} {}", l["id"], l["lifecycle"])).collect();
        l.sort();
        l
    };
    assert_eq!(lifecycles(&a), lifecycles(&b), "no lead turned customer on the way");
    let inbox = run(&b, &["inbox", "--json"]);
    assert_eq!(inbox.trim(), "[]", "old replies are history, not new mail: {inbox}");
    // The customers keep their records, and what the rules made there they do not make again here.
    let profiles = |db: &Path| -> Vec<(String, String, String)> {
        let conn = rusqlite::Connection::open(db).unwrap();
        let mut stmt = conn.prepare("SELECT lead_id, deal_id, status FROM client_profiles ORDER BY lead_id").unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
    };
    assert!(!profiles(&a).is_empty(), "the demo has customers");
    assert_eq!(profiles(&a), profiles(&b));
    run(&a, &["automate", "run"]);
    run(&b, &["automate", "run"]);
    run(&b, &["deal", "handoff", "Cus deal"]);
    assert_eq!(count(&a, "tasks"), count(&b, "tasks"), "no bump or handoff task made twice");
}

#[test]
fn a_number_written_nationally_then_internationally_is_one_person() {
    let (dir, db) = setup();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    std::fs::write(&a, "first_name,last_name,phone\nRobert,Stone,(415) 555-0100\n").unwrap();
    std::fs::write(&b, "first_name,last_name,phone\nRobert,Stone,+1 415 555 0100\n").unwrap();
    let (code, err) = fail(&db, &["import", a.to_str().unwrap(), "--country", "Narnia"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("Narnia"), "{err}");
    run(&db, &["import", a.to_str().unwrap(), "--country", "US"]);
    let out = run(&db, &["import", b.to_str().unwrap()]);
    assert!(out.lines().any(|l| l.starts_with("leads") && l.split_whitespace().nth(1) == Some("0")), "{out}");
    let leads: Vec<serde_json::Value> = serde_json::from_str(&run(&db, &["lead", "list", "--json"])).unwrap();
    assert_eq!(leads.len(), 1, "{leads:?}");
    // A number first written with its trunk in brackets, as business cards have it, then without.
    let c = dir.path().join("c.vcf");
    let d = dir.path().join("d.vcf");
    std::fs::write(&c, "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Weber;Anna;;;\r\nTEL:+49 (0)30 1234567\r\nEND:VCARD\r\n")
        .unwrap();
    std::fs::write(&d, "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Weber;Anna;;;\r\nTEL:+49 30 1234567\r\nEND:VCARD\r\n").unwrap();
    run(&db, &["import", c.to_str().unwrap()]);
    let out = run(&db, &["import", d.to_str().unwrap()]);
    assert!(out.lines().any(|l| l.starts_with("leads") && l.split_whitespace().nth(1) == Some("0")), "{out}");
}

#[test]
fn a_phone_number_is_found_however_it_is_typed() {
    let (dir, db) = setup();
    run(&db, &["lead", "add", "--first-name", "Ana", "--last-name", "Ruiz", "--phone", "+34 682 074 071"]);
    run(&db, &["lead", "add", "--first-name", "Léa", "--last-name", "Dubois", "--phone", "+33 6 12 34 56 78"]);
    for typed in ["+34 682 074 071", "+34682074071", "682074071", "682 074"] {
        let out = run(&db, &["search", typed]);
        assert!(out.contains("Ana Ruiz") && !out.contains("Léa"), "{typed}: {out}");
    }
    // A national number with its trunk prefix, as a French rep would dial it.
    let out = run(&db, &["search", "06 12 34 56 78"]);
    assert!(out.contains("Léa Dubois"), "{out}");
    let out = run(&db, &["search", "0612345678"]);
    assert!(out.contains("Léa Dubois"), "{out}");
    // Stored with the international prefix, or as a national number: found by the number with its code.
    run(&db, &["lead", "add", "--first-name", "Olga", "--last-name", "Prefix", "--phone", "0034 600 99 88 77"]);
    run(&db, &["lead", "add", "--first-name", "Nuno", "--last-name", "National", "--phone", "655 44 33 22"]);
    let out = run(&db, &["search", "+34 600 99 88 77"]);
    assert!(out.contains("Olga Prefix"), "{out}");
    let out = run(&db, &["search", "+34655443322"]);
    assert!(out.contains("Nuno National"), "{out}");
    // The trunk written in brackets after the calling code ("+44 (0)20 ..."), as British numbers often are.
    run(&db, &["lead", "add", "--first-name", "Una", "--last-name", "Bracket", "--phone", "+44 (0)20 7946 0958"]);
    let out = run(&db, &["search", "+44 20 7946 0958"]);
    assert!(out.contains("Una Bracket"), "{out}");
    run(&db, &["lead", "add", "--first-name", "Una", "--last-name", "Plain", "--phone", "+44 20 7946 0958"]);
    let pairs = run(&db, &["dedupe", "--json"]);
    assert!(pairs.contains("Una Bracket") && pairs.contains("Una Plain"), "{pairs}");
    // An import that merges into the lead indexes it again the same way.
    let f = file(dir.path(), "title.csv", "first_name,last_name,phone,title\nAna,Ruiz,+34 682 074 071,CEO\n");
    run(&db, &["import", f.to_str().unwrap()]);
    let out = run(&db, &["search", "682074071"]);
    assert!(out.contains("Ana Ruiz"), "{out}");
}

#[test]
fn a_newer_linkedin_export_adds_only_the_new_connections() {
    let (dir, db) = setup();
    let first = fixture("linkedin_connections.csv");
    run(&db, &["import", first.to_str().unwrap()]);
    let before: Vec<serde_json::Value> = serde_json::from_str(&run(&db, &["lead", "list", "--json"])).unwrap();
    // The same connections a week later (most without an e-mail), plus one new.
    let mut text = std::fs::read_to_string(&first).unwrap();
    text.push_str("New,Conn,https://www.linkedin.com/in/newconn/,,NewCo,CEO,20 Nov 2025\n");
    let newer = file(dir.path(), "Connections.csv", text);
    run(&db, &["import", newer.to_str().unwrap()]);
    let after: Vec<serde_json::Value> = serde_json::from_str(&run(&db, &["lead", "list", "--json"])).unwrap();
    assert_eq!(after.len(), before.len() + 1, "{after:?}");
}

#[test]
fn tables_show_ids_that_tell_leads_imported_together_apart() {
    let (dir, db) = setup();
    let csv = dir.path().join("many.csv");
    let rows: String = (0..60).map(|i| format!("Lead{i},Test,lead{i}@x.es\n")).collect();
    std::fs::write(&csv, format!("First Name,Last Name,Email\n{rows}")).unwrap();
    run(&db, &["import", csv.to_str().unwrap()]);
    let out = run(&db, &["lead", "list", "--limit", "100"]);
    let ids: Vec<&str> = out.lines().skip(1).filter_map(|l| l.split_whitespace().next()).collect();
    assert_eq!(ids.len(), 60, "{out}");
    let mut distinct = ids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 60, "{out}");
    // Each names its lead on the command line, in a short list too: unique in the database, not only
    // among the rows shown.
    let few = run(&db, &["lead", "list", "--limit", "3"]);
    for listing in [&out, &few] {
        for line in listing.lines().skip(1).step_by(7) {
            let (id, name) = {
                let mut cells = line.split_whitespace();
                (cells.next().unwrap(), cells.next().unwrap())
            };
            let shown = run(&db, &["lead", "show", id]);
            assert!(shown.contains(name), "{id}: {shown}");
        }
    }
    // A prefix that names several leads says so, with the candidates.
    let json: serde_json::Value =
        serde_json::from_str(&run(&db, &["lead", "list", "--limit", "100", "--json"])).unwrap();
    let mut full: Vec<String> =
        json.as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap().to_string()).collect();
    full.sort();
    if let Some(pair) = full.windows(2).find(|w| w[0][..13] == w[1][..13]) {
        let (code, err) = fail(&db, &["lead", "show", &pair[0][..13]]);
        assert!(code == 1 && err.contains("is ambiguous") && err.contains(&pair[1]), "{err}");
    }
}

#[test]
fn no_output_path_can_overwrite_the_database_or_the_file_being_imported() {
    let (dir, db) = setup();
    let input = dir.path().join("in.csv");
    let original = "First Name,Email\nAna,ana@x.io\nBad,bad@@x\n";
    std::fs::write(&input, original).unwrap();
    run(&db, &["import", input.to_str().unwrap()]);
    let spelled = dir.path().join(".").join("t.db");
    let (code, err) = fail(&db, &["export", "leads", "--out", spelled.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is the database leadline is working in"), "{err}");
    let (code, err) = fail(&db, &["import", input.to_str().unwrap(), "--rejects", db.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    let (code, err) = fail(&db, &["import", input.to_str().unwrap(), "--rejects", input.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is the file being read"), "{err}");
    assert_eq!(std::fs::read_to_string(&input).unwrap(), original);
    assert!(run(&db, &["lead", "list"]).contains("Ana"), "the database is whole");
}

#[test]
fn a_rejects_path_that_cannot_be_written_stops_the_import_before_it_starts() {
    let (dir, db) = setup();
    let input = file(dir.path(), "in.csv", "First Name,Email\nAna,ana@x.io\nBad,bad@@x\n");
    let nowhere = dir.path().join("missing/rejects.csv");
    let (code, err) = fail(&db, &["import", input.to_str().unwrap(), "--rejects", nowhere.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("does not exist"), "{err}");
    assert!(!run(&db, &["lead", "list"]).contains("Ana"), "nothing was imported");
}

#[test]
fn a_csv_export_of_deals_says_to_move_them_as_json() {
    let (dir, db) = setup();
    let f = fixture("pipedrive_deals.csv");
    run(&db, &["import", f.to_str().unwrap()]);
    let out = dir.path().join("deals.csv");
    run(&db, &["export", "deals", "--out", out.to_str().unwrap()]);
    let other = dir.path().join("other.db");
    std::fs::write(other.with_extension("toml"), "").unwrap();
    let (_, err) = fail(&other, &["import", out.to_str().unwrap()]);
    assert!(err.contains("CSV export of deals") && err.contains("--format jsonl"), "{err}");
    // A team export, as this version writes it and as earlier ones did (without the team's zone).
    let team = dir.path().join("team.csv");
    run(&db, &["export", "team", "--out", team.to_str().unwrap()]);
    let (_, err) = fail(&other, &["import", team.to_str().unwrap()]);
    assert!(err.contains("CSV export of team"), "{err}");
    let old = file(
        dir.path(),
        "old-team.csv",
        "id,name,email,role,created_at\nu1,Rita Rep,rita@example.com,admin,2025-11-01T00:00:00.000Z\n",
    );
    let (_, err) = fail(&other, &["import", old.to_str().unwrap()]);
    assert!(err.contains("CSV export of team"), "{err}");
    // Touches as this version writes them (with the lead's name) and as earlier ones did (without it, and
    // before that without who logged them).
    for header in [
        "id,lead_id,lead_name,kind,value,description,occurred_at,direction,variant,personalization_level,reply_type,cited_metric,created_at,logged_by",
        "id,lead_id,kind,value,description,occurred_at,direction,variant,personalization_level,reply_type,cited_metric,created_at,logged_by",
        "id,lead_id,kind,value,description,occurred_at,direction,variant,personalization_level,reply_type,cited_metric,created_at",
        "id,lead_id,deal_id,title,scheduled_at,status,no_show_reason,created_at",
    ] {
        let touches = file(dir.path(), "touches.csv", format!("{header}\n"));
        let (_, err) = fail(&other, &["import", touches.to_str().unwrap()]);
        assert!(err.contains("CSV export of outreach") || err.contains("CSV export of meetings"), "{header}: {err}");
    }
    let touches = dir.path().join("outreach.csv");
    run(&db, &["export", "outreach", "--out", touches.to_str().unwrap()]);
    let (_, err) = fail(&other, &["import", touches.to_str().unwrap()]);
    assert!(err.contains("CSV export of outreach"), "{err}");
}

#[test]
fn an_import_reads_standard_input() {
    let (_dir, db) = setup();
    let out = leadline(&db)
        .args(["import", "-"])
        .write_stdin("First Name,Email\nAna,ana@piped.io\n")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("imported standard input"), "{}", String::from_utf8_lossy(&out));
    assert!(run(&db, &["lead", "list"]).contains("Ana"));
    let leftovers = std::fs::read_dir(db.parent().unwrap())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with(".leadline-import-"))
        .count();
    assert_eq!(leftovers, 0, "the copy of the input goes when the import is done");
    // A pipe given by its path, and a named pipe, are read as standard input is.
    leadline(&db).args(["import", "/dev/stdin"]).write_stdin("First Name,Email\nBea,bea@piped.io\n").assert().success();
    assert!(run(&db, &["lead", "list"]).contains("Bea"));
    let fifo = db.with_file_name("leads.fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, "First Name,Email\nCy,cy@piped.io\n").unwrap())
    };
    leadline(&db)
        .args(["import", fifo.to_str().unwrap()])
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .success();
    writer.join().unwrap();
    assert!(run(&db, &["lead", "list"]).contains("Cy"));
    // A device is looked at, not copied without end.
    let out = leadline(&db).args(["import", "/dev/zero"]).timeout(std::time::Duration::from_secs(20)).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/dev/zero"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn ctrl_c_stops_an_import_waiting_on_its_input() {
    let (_dir, db) = setup();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("leadline"))
        .env("LEADLINE_DB", &db)
        .env("LEADLINE_CONFIG", db.with_extension("toml"))
        .args(["import", "-"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A writer that has said little and stays open (a slow download, a generator).
    use std::io::Write;
    let mut input = child.stdin.take().unwrap();
    input.write_all(b"First Name,Email\n").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > std::time::Duration::from_secs(20) {
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let _ = child.kill();
    drop(input);
    // One Ctrl-C ends it while its input is still open (said, with the shell's code for it, once the
    // import listens: a signal before that ends it too).
    let status = status.expect("one Ctrl-C ends it while its input is still open");
    assert!(status.code().is_none_or(|c| c == 130), "{status:?}");
}

#[test]
fn a_moved_database_keeps_customer_records_offline_contacts_and_the_privacy_log() {
    let (dir, a) = setup();
    let at = |when: &str, args: &[&str]| {
        leadline(&a).env("LEADLINE_NOW", when).args(args).assert().success();
    };
    at("2025-10-01T09:00:00.000Z", &["lead", "add", "--first-name", "Olga", "--email", "olga@x.example"]);
    at("2025-10-01T09:00:00.000Z", &["deal", "add", "olga@x.example", "--title", "Annual", "--amount", "100"]);
    at("2025-10-02T09:00:00.000Z", &["deal", "won", "Annual"]);
    // The churn rules bring her back as a lead: her customer record still says churned, when and why.
    at("2025-11-01T09:00:00.000Z", &["lead", "churn", "olga@x.example", "--reason", "price"]);
    at("2025-10-01T09:00:00.000Z", &["lead", "add", "--first-name", "Max", "--email", "max@x.example"]);
    at("2025-11-20T10:00:00.000Z", &["log", "email", "max@x.example"]);
    at("2025-10-01T09:00:00.000Z", &["lead", "add", "--first-name", "Tess", "--email", "tess@x.example"]);
    at("2025-11-21T10:00:00.000Z", &["lead", "touch", "tess@x.example"]);
    at("2025-11-22T10:00:00.000Z", &["privacy", "opt-out", "tess@x.example", "--reason", "asked by phone"]);
    at("2025-10-01T09:00:00.000Z", &["lead", "add", "--first-name", "Fay", "--email", "fay@x.example"]);
    at("2025-11-23T10:00:00.000Z", &["forget", "fay@x.example", "--reason", "erasure request"]);
    let b = dir.path().join("b.db");
    std::fs::write(b.with_extension("toml"), "").unwrap();
    for object in ["leads", "outreach", "deals", "notes"] {
        let file = dir.path().join(format!("{object}.jsonl"));
        run(&a, &["export", object, "--format", "jsonl", "--out", file.to_str().unwrap()]);
        run(&b, &["import", file.to_str().unwrap()]);
    }
    let rows = |db: &Path, sql: &str| -> Vec<String> {
        let conn = rusqlite::Connection::open(db).unwrap();
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
    };
    let record =
        "SELECT l.email || ' ' || p.status || ' ' || ifnull(p.plan, '-') || ' ' || ifnull(p.won_at / 1000, '-')
        || ' ' || ifnull(p.churned_at / 1000, '-') || ' ' || ifnull(p.churn_reason, '-')
        FROM client_profiles p JOIN leads l ON l.id = p.lead_id WHERE p.deleted_at IS NULL";
    assert_eq!(rows(&a, record).len(), 1);
    assert_eq!(rows(&a, record), rows(&b, record));
    let show = run(&b, &["lead", "show", "olga@x.example"]);
    assert!(show.contains("price"), "{show}");
    // Max was contacted by a touch, which came along: nothing was recorded by hand.
    let offline = "SELECT email || ' ' || ifnull(manual_contact_at, '-') || ' ' || ifnull(last_contacted_at, '-')
        FROM leads WHERE email IS NOT NULL ORDER BY email";
    assert_eq!(rows(&a, offline), rows(&b, offline));
    // The privacy log says when and why she opted out, as it was.
    let log = "SELECT l.email || ' ' || g.action || ' ' || g.created_at || ' ' || g.reason
        FROM privacy_log g JOIN leads l ON l.id = g.lead_id WHERE l.email IS NOT NULL";
    let moved = rows(&b, log);
    assert_eq!(moved.len(), 1, "{moved:?}");
    let before = rows(&a, log);
    assert!(moved[0].starts_with(before[0].split(" asked").next().unwrap()), "{before:?} {moved:?}");
    assert!(moved[0].contains("asked by phone"), "{moved:?}");
    // An erasure is one entry there as here, not an opt-out besides.
    let actions = "SELECT action FROM privacy_log ORDER BY action";
    assert_eq!(rows(&a, actions), rows(&b, actions));
}

#[test]
fn a_removed_lead_is_forgotten_too_and_nothing_new_is_added_about_a_forgotten_one() {
    let (_dir, db) = setup();
    run(
        &db,
        &[
            "lead",
            "add",
            "--first-name",
            "Rhea",
            "--email",
            "rhea@r.example",
            "--source",
            "referral by rheasrc",
            "--industry",
            "rheaind",
            "--company-size",
            "11-50",
            "--product-interest",
            "rheaprod",
            "--notes",
            "rheanote",
        ],
    );
    run(&db, &["lead", "rm", "rhea@r.example"]);
    run(&db, &["forget", "rhea@r.example", "--reason", "erasure request"]);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let left: i64 = conn
        .query_row(
            "SELECT count(*) FROM leads WHERE first_name = 'Rhea' OR email IS NOT NULL OR notes IS NOT NULL
             OR source IS NOT NULL OR industry IS NOT NULL OR company_size IS NOT NULL OR product_interest IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0, "nothing of her is left");
    drop(conn);
    // Once: a second erasure is refused, and the first's record keeps its reason.
    let (_, err) = fail(&db, &["forget", "rhea@r.example"]);
    assert!(err.contains("was already forgotten"), "{err}");
    let log = run(&db, &["privacy", "log", "--json"]);
    assert!(log.contains("erasure request"), "{log}");
    // A forgotten lead (not removed) gets no new note, task, meeting or deal.
    let id = run(&db, &["lead", "add", "--first-name", "Ana", "--email", "ana@a.example"]).trim().to_string();
    run(&db, &["forget", &id]);
    let (_, err) = fail(&db, &["forget", &id]);
    assert!(err.contains("was already forgotten"), "{err}");
    for args in [
        vec!["note", id.as_str(), "Ana called from her private number"],
        vec!["task", "add", id.as_str(), "--title", "Call Ana back", "--due", "+1d"],
        vec!["meeting", "add", id.as_str(), "--at", "+2d"],
        vec!["deal", "add", id.as_str(), "--title", "x"],
    ] {
        let (_, err) = fail(&db, &args);
        assert!(err.contains("was forgotten (their personal data is erased)"), "{args:?}: {err}");
    }
    // Another process reading the database holds old pages back: the erasure says so.
    run(&db, &["lead", "add", "--first-name", "Wendy", "--email", "wendy@w.example"]);
    let reader = rusqlite::Connection::open(&db).unwrap();
    reader.execute_batch("BEGIN").unwrap();
    let _: i64 = reader.query_row("SELECT count(*) FROM leads", [], |r| r.get(0)).unwrap();
    let out = leadline(&db).args(["forget", "wendy@w.example"]).assert().success();
    let said = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(said.contains("another process is using the database"), "{said}");
    // Once its read is done (the process still there, as a TUI would be), the next command finishes the
    // flush: the log is empty again.
    reader.execute_batch("COMMIT").unwrap();
    let holds_her = |path: PathBuf| std::fs::read(path).unwrap_or_default().windows(5).any(|w| w == b"Wendy");
    assert!(holds_her(db.clone()), "held back: her old copies are still in the database file");
    run(&db, &["lead", "list"]);
    assert!(!holds_her(db.with_extension("db-wal")) && !holds_her(db.clone()), "nothing of her is left on disk");
    drop(reader);
    // Retention reaches removed leads too.
    run(&db, &["lead", "add", "--first-name", "Olaf", "--email", "olaf@o.example"]);
    run(&db, &["lead", "rm", "olaf@o.example"]);
    let later =
        leadline(&db).env("LEADLINE_NOW", "2027-12-01T12:00:00.000Z").args(["privacy", "run"]).output().unwrap();
    assert!(later.status.success(), "{later:?}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let olaf: i64 = conn.query_row("SELECT count(*) FROM leads WHERE first_name = 'Olaf'", [], |r| r.get(0)).unwrap();
    assert_eq!(olaf, 0, "{}", String::from_utf8_lossy(&later.stdout));
}

#[test]
fn a_contact_cards_profile_is_the_leads_not_a_touch_and_travels_with_the_lead() {
    let (dir, db) = setup();
    let card = file(
        dir.path(),
        "li.vcf",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Roe;Rita;;;\r\nFN:Rita Roe\r\nEMAIL:rita@roe.io\r\nURL:https://www.linkedin.com/in/RitaRoe/\r\nEND:VCARD\r\n",
    );
    run(&db, &["import", card.to_str().unwrap()]);
    let rita: serde_json::Value = serde_json::from_str(&run(&db, &["lead", "show", "rita@roe.io", "--json"])).unwrap();
    assert_eq!(rita["lead"]["profile_url"], "https://www.linkedin.com/in/ritaroe", "{rita}");
    assert_eq!(rita["lead"]["last_contacted_at"], serde_json::Value::Null, "never contacted: {rita}");
    assert!(rita["timeline"].as_array().unwrap().is_empty(), "{rita}");
    // No bump is owed for a contact never made.
    let later =
        leadline(&db).env("LEADLINE_NOW", "2025-11-28T12:00:00.000Z").args(["automate", "run", "--json"]).output();
    let report: serde_json::Value = serde_json::from_slice(&later.unwrap().stdout).unwrap();
    assert!(report["actions"].as_array().unwrap().is_empty(), "{report}");
    // Typed and cleared from the CLI; shown by lead show.
    run(&db, &["lead", "add", "--first-name", "Sam", "--email", "sam@x.io", "--profile-url", "linkedin.com/in/Sam-X"]);
    assert!(run(&db, &["lead", "show", "sam@x.io"]).contains("profile           https://www.linkedin.com/in/sam-x"));
    run(&db, &["lead", "edit", "sam@x.io", "--profile-url", ""]);
    assert!(!run(&db, &["lead", "show", "sam@x.io"]).contains("profile "));
    let (_, err) = fail(&db, &["lead", "edit", "sam@x.io", "--profile-url", "not a url"]);
    assert!(err.contains("profile_url") && err.contains("is not a web address"), "{err}");
    // Two leads with one profile are paired by dedupe.
    let added = leadline(&db)
        .args([
            "lead",
            "add",
            "--first-name",
            "R.",
            "--last-name",
            "Roe",
            "--profile-url",
            "https://linkedin.com/in/ritaroe/",
        ])
        .assert()
        .success();
    let said = String::from_utf8_lossy(&added.get_output().stderr).to_string();
    assert!(said.contains("Rita Roe has the same profile"), "{said}");
    let pairs = run(&db, &["dedupe", "--json"]);
    assert!(pairs.contains("same social profile") && pairs.contains("Rita Roe") && pairs.contains("R. Roe"), "{pairs}");
    run(&db, &["lead", "rm", "R. Roe"]);
    // Moved in JSON and in CSV, the profile comes along and no touch is made of it.
    for format in ["jsonl", "csv"] {
        let file = dir.path().join(format!("leads.{format}"));
        run(&db, &["export", "leads", "--format", format, "--out", file.to_str().unwrap()]);
        let other = dir.path().join(format!("other-{format}.db"));
        std::fs::write(other.with_extension("toml"), "").unwrap();
        run(&other, &["import", file.to_str().unwrap()]);
        let moved: serde_json::Value =
            serde_json::from_str(&run(&other, &["lead", "show", "rita@roe.io", "--json"])).unwrap();
        assert_eq!(moved["lead"]["profile_url"], "https://www.linkedin.com/in/ritaroe", "{format}: {moved}");
        assert!(moved["timeline"].as_array().unwrap().is_empty(), "{format}: {moved}");
    }
    // Merged, a lead keeps the other's different profile among its notes: it still recognises them.
    run(
        &db,
        &["lead", "add", "--first-name", "Tom", "--phone", "+34 611 000 111", "--profile-url", "linkedin.com/in/tom-a"],
    );
    run(
        &db,
        &[
            "lead",
            "add",
            "--first-name",
            "Tommy",
            "--phone",
            "+34 611 000 111",
            "--profile-url",
            "linkedin.com/in/tom-b",
        ],
    );
    run(&db, &["dedupe", "--apply"]);
    let tom: serde_json::Value = serde_json::from_str(&run(&db, &["lead", "list", "--json"])).unwrap();
    let notes: Vec<String> =
        tom.as_array().unwrap().iter().filter_map(|l| l["notes"].as_str().map(str::to_string)).collect();
    assert!(notes.iter().any(|n| n.contains("profile: https://www.linkedin.com/in/tom-")), "{notes:?}");
    // Forgotten, the profile goes with the rest.
    run(&db, &["forget", "rita@roe.io"]);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let left: i64 = conn
        .query_row("SELECT count(*) FROM leads WHERE profile_url LIKE '%ritaroe%' AND deleted_at IS NULL", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(left, 0);
    // Nor does a file that gives only her profile (a LinkedIn export seldom has e-mails) bring her back,
    // until she is let in again.
    let again =
        file(dir.path(), "again.csv", "First Name,Last Name,LinkedIn URL\nRita,Roe,HTTPS://linkedin.com/IN/RitaRoe\n");
    let refused = leadline(&db).args(["import", again.to_str().unwrap()]).output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&refused.stdout), String::from_utf8_lossy(&refused.stderr));
    assert!(said.contains("forgotten") && said.contains("nothing was imported"), "{said}");
    assert!(said.contains("'profile_url' the profile belongs to someone who asked to be forgotten"), "{said}");
    // Nor does a command: a new lead, another lead's edit, or a touch logged on another lead.
    let (_, err) = fail(&db, &["lead", "add", "--first-name", "Rita", "--profile-url", "linkedin.com/in/RitaRoe/"]);
    assert!(err.contains("the profile belongs to someone who asked to be forgotten"), "{err}");
    let (_, err) = fail(&db, &["lead", "edit", "Tom", "--profile-url", "https://www.linkedin.com/in/ritaroe"]);
    assert!(err.contains("asked to be forgotten"), "{err}");
    let (_, err) = fail(&db, &["log", "social", "Tom", "--url", "https://linkedin.com/in/ritaroe"]);
    assert!(err.contains("asked to be forgotten"), "{err}");
    run(&db, &["privacy", "allow", "https://www.linkedin.com/in/ritaroe"]);
    let out = run(&db, &["import", again.to_str().unwrap(), "--again"]);
    assert!(out.lines().any(|l| l.starts_with("leads") && l.split_whitespace().nth(1) == Some("1")), "{out}");
    // A company page (or a website) several people's records give names none of them: no merge.
    let co = dir.path().join("co.csv");
    std::fs::write(
        &co,
        "First Name,Last Name,Email,LinkedIn\nAmy,One,amy@acme.com,https://www.linkedin.com/company/acme\n\
         Ben,Two,ben@acme.com,https://www.linkedin.com/company/acme\n",
    )
    .unwrap();
    let out = run(&db, &["import", co.to_str().unwrap()]);
    assert!(out.lines().any(|l| l.starts_with("leads") && l.split_whitespace().nth(1) == Some("2")), "{out}");
}

#[test]
fn the_same_name_on_a_leads_phone_with_another_email_is_staged_not_added_unseen() {
    let (dir, db) = setup();
    run(&db, &["lead", "add", "--first-name", "Ann", "--last-name", "Lee", "--email", "ann@lee.io"]);
    run(&db, &["lead", "edit", "ann@lee.io", "--phone", "+1 212 555 0101"]);
    let csv =
        file(dir.path(), "ap.csv", "First Name,Last Name,Email,Phone\nAnn,Lee,ann.lee@gmail.com,+1 212 555 0101\n");
    let dry = run(&db, &["import", csv.to_str().unwrap(), "--dry-run"]);
    assert!(dry.contains("same phone as Ann Lee") && dry.contains("the same name, another e-mail"), "{dry}");
    let out = run(&db, &["import", csv.to_str().unwrap()]);
    assert!(out.contains("1 possible duplicate"), "{out}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let staged: (String, i64) =
        conn.query_row("SELECT reason, confidence FROM merge_candidates", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!(staged, ("same phone and name, another e-mail".to_string(), 85));
    drop(conn);
    run(&db, &["dedupe", "--apply"]);
    let shown: serde_json::Value = serde_json::from_str(&run(&db, &["lead", "show", "ann@lee.io", "--json"])).unwrap();
    assert_eq!(shown["lead"]["other_emails"], serde_json::json!(["ann.lee@gmail.com"]), "{shown}");
    // A lead named after its address has no name of its own to be the same as.
    let only = file(dir.path(), "only.csv", "Email,Phone\na.lopez@acme.io,+1 212 555 0199\n");
    run(&db, &["import", only.to_str().unwrap()]);
    let carl =
        file(dir.path(), "carl.csv", "First Name,Last Name,Email,Phone\nCarl,Tres,carl@tres.io,+1 212 555 0199\n");
    let dry = run(&db, &["import", carl.to_str().unwrap(), "--dry-run"]);
    assert!(!dry.contains("the same name") && !dry.contains("stage"), "{dry}");
    // On a switchboard's number (one many leads share) too.
    for (i, name) in ["Uno", "Dos", "Tres", "Cuatro", "Cinco", "Seis"].iter().enumerate() {
        let email = format!("p{i}@office.io");
        run(&db, &["lead", "add", "--first-name", name, "--email", &email, "--phone", "+1 212 555 0300"]);
    }
    let seis = file(dir.path(), "seis.csv", "First Name,Email,Phone\nSeis,seis@home.io,+1 212 555 0300\n");
    let dry = run(&db, &["import", seis.to_str().unwrap(), "--dry-run"]);
    assert!(dry.contains("same phone as Seis") && dry.contains("the same name, another e-mail"), "{dry}");
    let siete = file(dir.path(), "siete.csv", "First Name,Email,Phone\nSiete,siete@home.io,+1 212 555 0300\n");
    let dry = run(&db, &["import", siete.to_str().unwrap(), "--dry-run"]);
    assert!(!dry.contains("stage"), "a colleague on the switchboard is nobody's duplicate: {dry}");
    // A name given in part is the same name.
    run(&db, &["lead", "add", "--first-name", "Ana", "--last-name", "López", "--email", "ana@acme.io"]);
    run(&db, &["lead", "edit", "ana@acme.io", "--phone", "+34 600 11 22 33"]);
    let ana = file(dir.path(), "ana.csv", "First Name,Last Name,Email,Phone\nAna,,ana.home@gmail.com,+34600112233\n");
    let dry = run(&db, &["import", ana.to_str().unwrap(), "--dry-run"]);
    assert!(dry.contains("same phone as Ana López") && dry.contains("the same name, another e-mail"), "{dry}");
}

#[test]
fn a_shared_phone_under_another_name_is_staged_never_merged_by_itself() {
    let (dir, db) = setup();
    let add = ["lead", "add", "--first-name", "Ana", "--last-name", "Uno", "--company", "Acme"];
    run(&db, &[&add[..], &["--phone", "+34 910 000 000", "--email", "ana@acme.io"]].concat());
    let path = dir.path().join("switchboard.csv");
    std::fs::write(
        &path,
        "First Name,Last Name,Email,Phone,Company\n\
         Bob,Dos,bob@acme.io,+34 910 000 000,Acme\n\
         Carl,Tres,,+34 910 000 000,Acme\n\
         Carl,Tres,,+34 910 000 000,Acme\n\
         Dina,Cuatro,,+34 910 000 000 ext. 55,Acme\n\
         Ana,Uno,,+34 910 000 000,Acme\n",
    )
    .unwrap();
    let out = run(&db, &["import", path.to_str().unwrap(), "--on-duplicate", "update"]);
    assert!(out.contains("2 possible duplicates"), "{out}");
    let leads: Vec<serde_json::Value> = serde_json::from_str(&run(&db, &["lead", "list", "--json"])).unwrap();
    let mut names: Vec<String> = leads
        .iter()
        .map(|l| format!("{} {}", l["first_name"].as_str().unwrap(), l["last_name"].as_str().unwrap()))
        .collect();
    names.sort();
    // Carl twice is one Carl; Ana's own row is Ana, and her name was not overwritten by anyone's.
    assert_eq!(names, ["Ana Uno", "Bob Dos", "Carl Tres", "Dina Cuatro"]);
    let pairs: Vec<serde_json::Value> = serde_json::from_str(&run(&db, &["dedupe", "--json"])).unwrap();
    // Four people on one number: six pairs, each theirs to decide.
    assert_eq!(pairs.len(), 6, "{pairs:?}");
    assert!(pairs.iter().all(|p| p["confidence"] == 40), "{pairs:?}");
    assert!(pairs.iter().all(|p| p["reason"].as_str().unwrap().contains("another name")), "{pairs:?}");
    // --apply leaves them to the rep, and says so; asked for, it merges them.
    let listed = run(&db, &["dedupe"]);
    assert!(listed.contains("merges those from 50% (6 under it"), "{listed}");
    let out = leadline(&db).args(["dedupe", "--apply"]).assert().success().get_output().clone();
    let (stdout, stderr) = (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap());
    assert!(stdout.contains("0 merges"), "{stdout}");
    assert!(stderr.contains("6 pairs under 50% left as they are"), "{stderr}");
    assert!(run(&db, &["dedupe", "--apply", "--min-confidence", "0"]).contains("3 merges"));
    // One family name, two first names: two people, whoever has an address.
    let smiths = file(
        dir.path(),
        "smiths.csv",
        "First Name,Last Name,Email,Phone,Company
         John,Smith,,+1 415 555 0304,Globex
         Mark,Smith,mark@globex.com,+1 415 555 0304,Globex
         J.,Smith,,+1 415 555 0304,Globex
",
    );
    let out = run(&db, &["import", smiths.to_str().unwrap()]);
    assert!(out.contains("1 possible duplicates"), "{out}");
    let john: serde_json::Value = serde_json::from_str(&run(&db, &["lead", "show", "John Smith", "--json"])).unwrap();
    assert_eq!(john["lead"]["email"], serde_json::Value::Null, "{john}");
    let mark: serde_json::Value =
        serde_json::from_str(&run(&db, &["lead", "show", "mark@globex.com", "--json"])).unwrap();
    assert_eq!(mark["lead"]["first_name"], "Mark");
}

#[test]
fn the_privacy_log_moves_whole_who_when_and_why() {
    let (dir, a) = setup();
    let at = |when: &str, args: &[&str]| {
        leadline(&a).env("LEADLINE_NOW", when).args(args).assert().success();
    };
    at("2025-10-01T09:00:00.000Z", &["team", "add", "Tom Baker", "--email", "tom@acme.io"]);
    at("2025-10-01T09:00:00.000Z", &["lead", "add", "--first-name", "Olga", "--email", "olga@x.io"]);
    at("2025-10-01T09:00:00.000Z", &["lead", "add", "--first-name", "Pia", "--email", "pia@x.io"]);
    at("2025-10-01T09:00:00.000Z", &["lead", "add", "--first-name", "Fred", "--email", "fred@x.io"]);
    leadline(&a)
        .env("LEADLINE_NOW", "2025-10-02T09:00:00.000Z")
        .env("LEADLINE_USER__NAME", "Tom Baker")
        .env("LEADLINE_USER__EMAIL", "tom@acme.io")
        .args(["privacy", "opt-out", "pia@x.io", "--reason", "unsubscribed"])
        .assert()
        .success();
    at("2025-10-03T09:00:00.000Z", &["privacy", "opt-out", "olga@x.io", "--reason", "asked by phone"]);
    at("2025-10-04T09:00:00.000Z", &["privacy", "opt-in", "olga@x.io"]);
    at("2025-10-05T09:00:00.000Z", &["forget", "fred@x.io", "--reason", "GDPR art.17 ticket 42"]);
    at("2025-10-06T09:00:00.000Z", &["privacy", "allow", "fred@x.io"]);
    // A lead removed after opting out: the opt-out is kept, naming no lead in the moved copy.
    at("2025-10-07T09:00:00.000Z", &["lead", "add", "--first-name", "Rem", "--email", "rem@x.io"]);
    at("2025-10-07T10:00:00.000Z", &["privacy", "opt-out", "rem@x.io", "--reason", "stop"]);
    at("2025-10-07T11:00:00.000Z", &["lead", "rm", "rem@x.io"]);
    let b = dir.path().join("b.db");
    std::fs::write(b.with_extension("toml"), "").unwrap();
    for object in ["team", "leads", "privacy"] {
        let file = dir.path().join(format!("{object}.jsonl"));
        run(&a, &["export", object, "--format", "jsonl", "--out", file.to_str().unwrap()]);
        run(&b, &["import", file.to_str().unwrap()]);
    }
    let log = |db: &Path| -> Vec<serde_json::Value> {
        let all: Vec<serde_json::Value> = serde_json::from_str(&run(db, &["privacy", "log", "--json"])).unwrap();
        all.into_iter().map(|e| serde_json::json!([e["at"], e["action"], e["lead"], e["by"], e["reason"]])).collect()
    };
    let (mut before, after) = (log(&a), log(&b));
    assert_eq!(before.len(), 6, "{before:?}");
    let rem = before.iter().position(|e| e[2] == "Rem").unwrap();
    before[rem][2] = serde_json::Value::Null;
    assert_eq!(before, after);
    // A second import of the same file adds nothing.
    let again = run(&b, &["import", dir.path().join("privacy.jsonl").to_str().unwrap(), "--again"]);
    assert!(again.contains("privacy"), "{again}");
    assert_eq!(log(&b).len(), 6);
    // Two entries of one kind, at one time, about one lead (two opted-out records merged): both travel.
    let c = dir.path().join("c.db");
    let d = dir.path().join("d.db");
    std::fs::write(c.with_extension("toml"), "").unwrap();
    std::fs::write(d.with_extension("toml"), "").unwrap();
    let twins = file(
        dir.path(),
        "twins.csv",
        "First Name,Last Name,Email,Company,Do Not Contact\nIda,Vega,ida@v.io,Vega,yes\nIda,Vega,ida2@v.io,Vega,yes\n",
    );
    run(&c, &["import", twins.to_str().unwrap()]);
    run(&c, &["dedupe", "--apply"]);
    for object in ["team", "leads", "privacy"] {
        let file = dir.path().join(format!("c-{object}.jsonl"));
        run(&c, &["export", object, "--format", "jsonl", "--out", file.to_str().unwrap()]);
        run(&d, &["import", file.to_str().unwrap()]);
    }
    let opt_outs = |db: &Path| log(db).iter().filter(|e| e[1] == "opt_out").count();
    assert!(opt_outs(&c) >= 2);
    assert_eq!(opt_outs(&c), opt_outs(&d));
    // The CSV export is for reading; it says how to move the log instead.
    let csv = dir.path().join("privacy.csv");
    run(&a, &["export", "privacy", "--out", csv.to_str().unwrap()]);
    let (_, err) = fail(&b, &["import", csv.to_str().unwrap()]);
    assert!(err.contains("the privacy log") && err.contains("jsonl"), "{err}");
}

#[test]
fn a_merge_keeps_what_the_other_record_says_differently_and_explains_it() {
    let (_dir, db) = setup();
    run(&db, &["team", "add", "Marta Ruiz", "--email", "marta@acme.io"]);
    let ivo = ["lead", "add", "--first-name", "Ivo", "--last-name", "Ka", "--company", "Q"];
    run(
        &db,
        &[&ivo[..], &["--email", "ivo@q.io", "--title", "CTO", "--source", "linkedin", "--industry", "Retail"]]
            .concat(),
    );
    run(
        &db,
        &[
            &ivo[..],
            &["--email", "ivo2@q.io", "--title", "CEO", "--source", "referral", "--industry", "Fintech"],
            &["--owner", "marta@acme.io"],
        ]
        .concat(),
    );
    run(&db, &["dedupe", "--apply"]);
    let shown: serde_json::Value = serde_json::from_str(&run(&db, &["lead", "show", "ivo@q.io", "--json"])).unwrap();
    let lead = &shown["lead"];
    assert_eq!(lead["title"], "CTO");
    let notes = lead["notes"].as_str().unwrap();
    for line in ["title: CEO", "source: referral", "industry: Fintech", "owner: Marta Ruiz"] {
        assert!(notes.contains(line), "{line}: {notes}");
    }
    let out = run(&db, &["dedupe", "--explain", "ivo@q.io"]);
    assert!(out.contains("theirs, kept in the notes: title, source, industry, owner"), "{out}");
    // The merge's record names fields, not the values: nothing of them outlives an erasure.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let record: String = conn.query_row("SELECT details || reason FROM merge_log", [], |r| r.get(0)).unwrap();
    assert!(!record.contains("CEO") && !record.contains("Marta") && !record.contains("Fintech"), "{record}");
    drop(conn);
    // The merged record's phone still finds the person, as its e-mail does.
    run(&db, &["lead", "add", "--first-name", "Una", "--company", "Zeta", "--phone", "+351 912 345 678"]);
    run(
        &db,
        &[
            "lead",
            "add",
            "--first-name",
            "Una",
            "--company",
            "Zeta",
            "--phone",
            "+351 913 000 000",
            "--email",
            "una@q.io",
        ],
    );
    run(&db, &["dedupe", "--apply"]);
    let path = db.with_extension("csv");
    std::fs::write(&path, "First Name,Phone\nUna,+351913000000\n").unwrap();
    let out = run(&db, &["import", path.to_str().unwrap()]);
    assert!(out.contains("same phone as a lead merged into it") || out.contains("merged"), "{out}");
    let leads: Vec<serde_json::Value> = serde_json::from_str(&run(&db, &["lead", "list", "--json"])).unwrap();
    assert_eq!(leads.iter().filter(|l| l["first_name"] == "Una").count(), 1, "{out}");
}

#[test]
fn a_merge_keeps_the_name_as_the_rep_wrote_it_over_a_files_capitals() {
    let (dir, db) = setup();
    run(&db, &["lead", "add", "--first-name", "Carla", "--last-name", "Núñez", "--email", "carla@delta.io"]);
    run(&db, &["lead", "edit", "carla@delta.io", "--company", "Delta"]);
    // An older record from a CRM export: kept, as the earlier one, but its shouted name is not.
    let csv = file(
        dir.path(),
        "hs.csv",
        "Record ID,First Name,Last Name,Email,Company Name,Create Date\n\
         101,CARLA,NUNEZ,carla.nunez@delta-mail.com,Delta S.L.,2024-01-15 09:00\n",
    );
    run(&db, &["import", csv.to_str().unwrap()]);
    run(&db, &["dedupe", "--apply"]);
    let shown: serde_json::Value =
        serde_json::from_str(&run(&db, &["lead", "show", "carla@delta.io", "--json"])).unwrap();
    let lead = &shown["lead"];
    assert_eq!((lead["first_name"].as_str(), lead["last_name"].as_str()), (Some("Carla"), Some("Núñez")), "{lead}");
    assert_eq!(lead["email"], "carla.nunez@delta-mail.com", "the older record is the one kept");
    let explained = run(&db, &["dedupe", "--explain", "carla@delta.io"]);
    assert!(explained.lines().any(|l| l.trim().starts_with("filled:") && l.contains("name")), "{explained}");
}

#[test]
fn a_merge_keeps_writing_to_the_address_the_rep_last_wrote_to() {
    let (dir, db) = setup();
    run(&db, &["lead", "add", "--first-name", "Nora", "--last-name", "Vale", "--email", "nora@lambda.io"]);
    run(&db, &["log", "email", "nora@lambda.io", "--note", "intro"]);
    // An older record of hers from a CRM export, with the address she had then.
    let csv = file(
        dir.path(),
        "hs.csv",
        "First Name,Last Name,Email,Company Name,Create Date
Nora,Vale,n.vale@lambda-old.io,Lambda,2020-03-01 10:00
",
    );
    run(&db, &["import", csv.to_str().unwrap()]);
    run(&db, &["lead", "edit", "n.vale@lambda-old.io", "--company", "Lambda"]);
    run(&db, &["lead", "edit", "nora@lambda.io", "--company", "Lambda"]);
    run(&db, &["dedupe", "--apply"]);
    let shown: serde_json::Value =
        serde_json::from_str(&run(&db, &["lead", "show", "nora@lambda.io", "--json"])).unwrap();
    let lead = &shown["lead"];
    assert_eq!(lead["email"], "nora@lambda.io", "{lead}");
    assert_eq!(lead["other_emails"], serde_json::json!(["n.vale@lambda-old.io"]), "{lead}");
    assert!(lead["created_at"].as_str().unwrap().starts_with("2020-03-01"), "the older record's history: {lead}");
    // The address last written to may be another of the other record's own.
    run(
        &db,
        &["lead", "add", "--first-name", "Ana", "--last-name", "Lopez", "--email", "ana@acme.io", "--company", "Acme"],
    );
    let newer = ["--first-name", "Ana", "--last-name", "López", "--email", "ana.lopez@acme.io", "--company", "Acme"];
    leadline(&db)
        .env("LEADLINE_NOW", "2025-11-26T12:00:00.000Z")
        .args([&["lead", "add"][..], &newer].concat())
        .assert()
        .success();
    run(&db, &["lead", "edit", "ana.lopez@acme.io", "--add-email", "ana.l@gmail.com"]);
    run(&db, &["log", "email", "ana@acme.io", "--at", "2025-11-20 10:00"]);
    run(&db, &["log", "email", "ana.lopez@acme.io", "--email", "ana.l@gmail.com"]);
    run(&db, &["dedupe", "--apply"]);
    let shown: serde_json::Value = serde_json::from_str(&run(&db, &["lead", "show", "ana@acme.io", "--json"])).unwrap();
    assert_eq!(shown["lead"]["email"], "ana.l@gmail.com", "{shown}");
}

/// Sends `sig` to the child unless it has ended and been waited for: its number may be another process's by
/// then (a child not yet waited for keeps its number, even once it has ended).
fn signal(child: &mut std::process::Child, sig: i32) {
    if child.try_wait().unwrap().is_none() {
        // SAFETY: kill(2) with the number of a child of ours not yet waited for.
        unsafe { libc::kill(child.id() as i32, sig) };
    }
}

fn partial_in(dir: &Path) -> bool {
    std::fs::read_dir(dir).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().ends_with(".partial"))
}

#[test]
fn an_export_or_backup_stopped_half_way_leaves_no_copy_behind() {
    let (dir, db) = setup();
    run(&db, &["demo", "--leads", "3000", "--seed", "2"]);
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    // What a killed command left long ago is cleared by the next one writing there.
    let stale = out.join(".leadline-export-old123old123.partial");
    // A file of the rep's own, named alike, is theirs.
    let own = out.join(".leadline-export-2025.jsonl");
    let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for f in [&stale, &own] {
        std::fs::write(f, "some export").unwrap();
        std::fs::File::options().write(true).open(f).unwrap().set_modified(long_ago).unwrap();
    }
    let scratch = |prefix: &str| -> Vec<String> {
        std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(prefix) && n.ends_with(".partial") && !n.contains("old123"))
            .collect()
    };
    let mut stopped = 0;
    for (args, prefix, target) in [
        (vec!["export", "outreach", "--format", "jsonl", "--out"], ".leadline-export-", "outreach.jsonl"),
        (vec!["backup"], ".leadline-backup-", "nightly.db"),
    ] {
        let dest = out.join(target);
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("leadline"))
            .env("LEADLINE_DB", &db)
            .env("LEADLINE_CONFIG", db.with_extension("toml"))
            .args(&args)
            .arg(&dest)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Stopped as soon as its copy is being written.
        let started = std::time::Instant::now();
        while scratch(prefix).is_empty() && child.try_wait().unwrap().is_none() && started.elapsed().as_secs() < 20 {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        signal(&mut child, libc::SIGINT);
        let status = child.wait().unwrap();
        // Stopped, unless it was done before the signal came (a copy is written in well under a second).
        if status.code() == Some(130) {
            stopped += 1;
            assert!(!dest.exists(), "{target}");
        }
        assert!(scratch(prefix).is_empty(), "{:?}", scratch(prefix));
        // The same command then does the whole job.
        run(&db, &[&args[..], &[dest.to_str().unwrap()]].concat());
        assert!(dest.exists() && scratch(prefix).is_empty(), "{target}");
    }
    assert!(stopped > 0, "neither command was stopped half-way");
    assert!(!stale.exists());
    assert!(own.exists());
    // The weekly files, the terminal closed while they are written: last week's stay whole (the data is the
    // same, so whichever set is there reads the same), and no scratch is left.
    let weekly = out.join("weekly");
    run(&db, &["export", "weekly", "--format", "jsonl", "--out", weekly.to_str().unwrap()]);
    let read_all = || -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = std::fs::read_dir(&weekly)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
            .collect();
        files.sort();
        files
    };
    let before = read_all();
    assert_eq!(before.len(), 4, "{before:?}");
    use std::os::unix::fs::PermissionsExt;
    for (name, _) in &before {
        let mode = std::fs::metadata(weekly.join(name)).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{name} is readable by others: {mode:o}");
    }
    // The same clock as the first run's (a run the signal does not stop writes the same files), and a
    // hang-up the test's own parent may ignore (nohup) handed down as it is.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("leadline"))
        .env("LEADLINE_DB", &db)
        .env("LEADLINE_CONFIG", db.with_extension("toml"))
        .env("LEADLINE_NOW", "2025-11-25T12:00:00.000Z")
        .args(["export", "weekly", "--format", "jsonl", "--out"])
        .arg(&weekly)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let partial =
        || std::fs::read_dir(&weekly).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().ends_with(".partial"));
    let started = std::time::Instant::now();
    while !partial() && child.try_wait().unwrap().is_none() && started.elapsed().as_secs() < 20 {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    signal(&mut child, libc::SIGHUP);
    child.wait().unwrap();
    assert!(!partial());
    assert_eq!(read_all(), before);
    // Started under nohup, a closed terminal is ignored as asked: the export goes on to the end.
    let nohup_out = out.join("nohup.jsonl");
    let mut child = std::process::Command::new("nohup")
        .arg(assert_cmd::cargo::cargo_bin("leadline"))
        .env("LEADLINE_DB", &db)
        .env("LEADLINE_CONFIG", db.with_extension("toml"))
        .args(["export", "outreach", "--format", "jsonl", "--out"])
        .arg(&nohup_out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while !partial_in(&out) && child.try_wait().unwrap().is_none() && started.elapsed().as_secs() < 20 {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    signal(&mut child, libc::SIGHUP);
    assert!(child.wait().unwrap().success());
    assert!(nohup_out.exists() && !partial_in(&out));
    let leads = rusqlite::Connection::open(out.join("nightly.db"))
        .unwrap()
        .query_row("SELECT count(*) FROM leads", [], |r| r.get::<_, i64>(0))
        .unwrap();
    assert_eq!(leads, 3000);
}

#[test]
fn a_deal_whose_readable_amount_was_edited_apart_from_its_minor_units_is_refused() {
    let (dir, db) = setup();
    run(&db, &["lead", "add", "--first-name", "Ana", "--email", "ana@x.io"]);
    run(&db, &["deal", "add", "ana@x.io", "--title", "Pilot", "--amount", "1100", "--currency", "EUR"]);
    let file = dir.path().join("deals.jsonl");
    run(&db, &["export", "deals", "--format", "jsonl", "--out", file.to_str().unwrap()]);
    let mut deal: serde_json::Value = serde_json::from_str(std::fs::read_to_string(&file).unwrap().trim()).unwrap();
    let b = dir.path().join("b.db");
    std::fs::write(b.with_extension("toml"), "").unwrap();
    let leads = dir.path().join("leads.jsonl");
    run(&db, &["export", "leads", "--format", "jsonl", "--out", leads.to_str().unwrap()]);
    run(&b, &["import", leads.to_str().unwrap()]);
    for (amount, said) in [("2500.00", "says another amount than amount_minor (110000)"), ("abc", "'amount' ")] {
        deal["amount"] = serde_json::json!(amount);
        let edited = dir.path().join(format!("deal-{amount}.jsonl"));
        std::fs::write(&edited, format!("{deal}\n")).unwrap();
        let out = leadline(&b).args(["import", edited.to_str().unwrap()]).output().unwrap();
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(all.contains("line 1: 'amount' ") && all.contains(said), "{all}");
        let deals_row = all.lines().find(|l| l.starts_with("deals")).unwrap_or_default().to_string();
        assert_eq!(deals_row.split_whitespace().last(), Some("1"), "one deal rejected: {all}");
    }
    assert_eq!(run(&b, &["deal", "list", "--json"]).trim(), "[]");
}

#[test]
fn a_moved_database_keeps_calendar_events_origins_board_order_inbox_times_and_account_managers() {
    let (dir, a) = setup();
    let calendar = |name: &str, start: &str| {
        file(
            dir.path(),
            name,
            format!(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:evt-1@google.com\r\nDTSTART:{start}\r\n\
                 SUMMARY:Demo\r\nATTENDEE:mailto:ana@x.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            ),
        )
    };
    let booked = calendar("cal.ics", "20251128T100000Z");
    let moved = calendar("moved.ics", "20251128T150000Z");
    run(&a, &["team", "add", "Marta Ruiz", "--email", "marta@x.example"]);
    run(&a, &["lead", "add", "--first-name", "Ana", "--email", "ana@x.example"]);
    let touch = run(&a, &["log", "email", "ana@x.example", "--note", "pitch"]);
    run(&a, &["deal", "add", "ana@x.example", "--title", "First", "--from-outreach", touch.trim()]);
    run(&a, &["deal", "add", "ana@x.example", "--title", "Second"]);
    run(&a, &["deal", "add", "ana@x.example", "--title", "Third"]);
    run(&a, &["import", booked.to_str().unwrap()]);
    leadline(&a)
        .env("LEADLINE_NOW", "2025-11-20T08:00:00.000Z")
        .args(["log", "email", "ana@x.example", "--inbound", "--reply", "positive"])
        .assert()
        .success();
    // Bo's account went to the rep when Marta, who won it, left.
    run(&a, &["lead", "add", "--first-name", "Bo", "--email", "bo@x.example", "--owner", "marta@x.example"]);
    run(&a, &["deal", "add", "bo@x.example", "--title", "Big", "--amount", "100"]);
    run(&a, &["deal", "won", "Big"]);
    let rep = run(&a, &["team", "show", "--json"]);
    let rep: serde_json::Value = serde_json::from_str(&rep).unwrap();
    let rep = rep["members"].as_array().unwrap().iter().find(|m| m["email"] != "marta@x.example").unwrap()["email"]
        .as_str()
        .unwrap()
        .to_string();
    run(&a, &["team", "remove", "marta@x.example", "--to", &rep]);

    // Moved in the README's order, but the deals before their touches: one comes back through its rejects.
    let b = dir.path().join("b.db");
    std::fs::write(b.with_extension("toml"), "").unwrap();
    let export = |object: &str| {
        let file = dir.path().join(format!("{object}.jsonl"));
        run(&a, &["export", object, "--format", "jsonl", "--out", file.to_str().unwrap()]);
        file
    };
    for object in ["team", "leads"] {
        run(&b, &["import", export(object).to_str().unwrap()]);
    }
    let rejects = dir.path().join("deals-rejects.jsonl");
    leadline(&b)
        .args(["import", export("deals").to_str().unwrap(), "--rejects", rejects.to_str().unwrap()])
        .assert()
        .success();
    for object in ["outreach", "meetings", "inbox"] {
        run(&b, &["import", export(object).to_str().unwrap()]);
    }
    run(&b, &["import", rejects.to_str().unwrap()]);

    let rows = |db: &Path, sql: &str| -> Vec<String> {
        let conn = rusqlite::Connection::open(db).unwrap();
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
    };
    let same = |sql: &str| {
        let (here, there) = (rows(&a, sql), rows(&b, sql));
        assert!(!here.is_empty(), "{sql}");
        assert_eq!(here, there, "{sql}");
    };
    same("SELECT email || ' ' || ifnull(origin_outreach_id, '-') FROM leads ORDER BY email");
    same("SELECT title || ' ' || stage || ' ' || position FROM deals ORDER BY title");
    same("SELECT title || ' ' || created_at || ' ' || updated_at FROM inbox_items ORDER BY id");
    same(
        "SELECT l.email || ' ' || u.email FROM client_profiles p JOIN leads l ON l.id = p.lead_id
         JOIN users u ON u.id = p.owner_id WHERE p.deleted_at IS NULL",
    );
    // The calendar imported again moves the meeting there as here, not books it twice.
    for db in [&a, &b] {
        run(db, &["import", moved.to_str().unwrap()]);
    }
    same("SELECT scheduled_at || ' ' || calendar_key FROM meetings WHERE deleted_at IS NULL");
    assert_eq!(rows(&b, "SELECT id FROM meetings WHERE deleted_at IS NULL").len(), 1);
}

#[test]
fn an_address_with_a_comma_or_semicolon_is_refused_so_every_export_reads_back() {
    let (_dir, db) = setup();
    for odd in ["ana,lopez@acme.example", "a;b@x.example"] {
        let (code, err) = fail(&db, &["lead", "add", "--first-name", "Ana", "--email", odd]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("is not an e-mail address"), "{err}");
    }
}

#[test]
fn a_card_merged_into_a_lead_keeps_its_note_and_every_number() {
    let (dir, db) = setup();
    run(&db, &["lead", "add", "--first-name", "Ana", "--last-name", "Lopez", "--email", "ana@acme.io"]);
    run(&db, &["lead", "edit", "ana@acme.io", "--phone", "+34 611 000 000", "--notes", "Met at SaaStr"]);
    // As a phone writes numbers: a no-break space, direction marks, a dial-in code after two pauses.
    let card = file(
        dir.path(),
        "ana.vcf",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lopez;Ana;;;\r\nFN:Ana Lopez\r\nEMAIL;TYPE=WORK:ana@acme.io\r\n\
         TEL;TYPE=CELL:\u{202A}+34\u{a0}600 11 22 33\u{202C}\r\nTEL;TYPE=WORK:+34 91 555 12 34\r\n\
         TEL;TYPE=HOME:+1 800 555 0103,,1234#\r\nNOTE:Prefers calls after 16:00\r\nEND:VCARD\r\n",
    );
    for _ in 0..2 {
        let out = run(&db, &["import", card.to_str().unwrap()]);
        assert!(!out.contains("rejected 1"), "{out}");
    }
    let show: serde_json::Value = serde_json::from_str(&run(&db, &["lead", "show", "ana@acme.io", "--json"])).unwrap();
    let notes = show["lead"]["notes"].as_str().unwrap();
    assert_eq!(
        notes,
        "Met at SaaStr\n\nPrefers calls after 16:00\nphone: +34 600 11 22 33\nphone: +34 91 555 12 34\n\
         phone: +1 800 555 0103 ext. 1234",
        "{notes}"
    );
    // In a CSV cell too, the code stays with its number.
    let csv = file(dir.path(), "bo.csv", "Name,Email,Phone\nBo Berg,bo@x.io,\"+1 800 555 0104,,5678#\"\n");
    run(&db, &["import", csv.to_str().unwrap()]);
    let show: serde_json::Value = serde_json::from_str(&run(&db, &["lead", "show", "bo@x.io", "--json"])).unwrap();
    assert_eq!(show["lead"]["phone"], "+1 800 555 0104", "{show}");
    assert_eq!(show["lead"]["notes"], "phone: +1 800 555 0104 ext. 5678", "{show}");
}

#[test]
fn a_calendar_imported_again_drops_a_declined_lead_and_follows_an_event_past_the_window() {
    let (dir, db) = setup();
    run(&db, &["team", "zone", "Europe/Berlin"]);
    for (name, email) in [("Ana", "ana@acme.io"), ("Bo", "bo@acme.io")] {
        run(&db, &["lead", "add", "--first-name", name, "--email", email]);
    }
    let calendar = |name: &str, start: &str, bo: &str| {
        file(
            dir.path(),
            name,
            format!(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:kickoff-7@google.com\r\nDTSTART:{start}\r\n\
                 SUMMARY:Kickoff\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:ana@acme.io\r\n\
                 ATTENDEE;PARTSTAT={bo}:mailto:bo@acme.io\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            ),
        )
    };
    let meetings = |lead: &str| -> Vec<String> {
        let list: serde_json::Value = serde_json::from_str(&run(&db, &["meeting", "list", lead, "--json"])).unwrap();
        list.as_array().unwrap().iter().map(|m| m["scheduled_at"].as_str().unwrap().to_string()).collect()
    };
    let booked = calendar("booked.ics", "20251210T090000Z", "NEEDS-ACTION");
    run(&db, &["import", booked.to_str().unwrap()]);
    assert_eq!(meetings("bo@acme.io"), ["2025-12-10T09:00:00.000Z"]);
    // Bo declines: his meeting goes, Ana's stays.
    let declined = calendar("declined.ics", "20251210T090000Z", "DECLINED");
    let out = run(&db, &["import", declined.to_str().unwrap()]);
    assert!(out.contains("1 of the meetings updated was dropped"), "{out}");
    assert!(meetings("bo@acme.io").is_empty());
    assert_eq!(meetings("ana@acme.io"), ["2025-12-10T09:00:00.000Z"]);
    // Rescheduled past the import window: Ana's meeting moves there rather than stay at a date it lost.
    let later = calendar("later.ics", "20260901T090000Z", "DECLINED");
    let out = run(&db, &["import", later.to_str().unwrap()]);
    assert!(!out.contains("left out"), "the event was followed: {out}");
    assert_eq!(meetings("ana@acme.io"), ["2026-09-01T09:00:00.000Z"]);
    // A window's last day is whole, and said as the team's day.
    let new_year = file(
        dir.path(),
        "nye.ics",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:nye\r\nDTSTART;TZID=Europe/Berlin:20251231T100000\r\n\
         ATTENDEE:mailto:bo@acme.io\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:ny\r\n\
         DTSTART;TZID=Europe/Berlin:20260101T100000\r\nATTENDEE:mailto:bo@acme.io\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    let out = run(&db, &["import", new_year.to_str().unwrap(), "--from", "2025-12-10", "--to", "2025-12-31"]);
    assert!(out.contains("1 event outside 2025-12-10 to 2025-12-31 left out"), "{out}");
    assert_eq!(meetings("bo@acme.io"), ["2025-12-31T09:00:00.000Z"]);
}

#[test]
fn crm_exports_as_reps_have_them_keep_owners_dates_currencies_and_accents() {
    let (dir, db) = setup();
    run(&db, &["team", "add", "Marta Ruiz", "--email", "marta@acme.io"]);
    run(&db, &["team", "add", "Tom Baker", "--email", "tom@acme.io"]);
    let show =
        |who: &str| -> serde_json::Value { serde_json::from_str(&run(&db, &["lead", "show", who, "--json"])).unwrap() };
    let deals = || -> serde_json::Value { serde_json::from_str(&run(&db, &["deal", "list", "--json"])).unwrap() };
    // Pipedrive writes the deal's columns first: its owner is the deal's, the person's their own.
    let pipedrive = file(
        dir.path(),
        "pd.csv",
        "Deal - Title,Deal - Owner,Deal - Value,Deal - Currency,Deal - Status,Deal - Deal created,Deal - Won time,\
         Person - Name,Person - Email,Person - Owner\n\
         Old win,Marta Ruiz,\"USD 1,234.56\",,Won,2024-01-10 09:00:00,2024-02-01 10:00:00,Jo Doe,jo@doe.io,Tom Baker\n",
    );
    run(&db, &["import", pipedrive.to_str().unwrap()]);
    assert_eq!(show("jo@doe.io")["lead"]["owner"], "Tom Baker");
    let deal = &deals()[0];
    assert_eq!(deal["owner"], "Marta Ruiz", "{deal}");
    assert_eq!(deal["created_at"], "2024-01-10T09:00:00.000Z", "{deal}");
    assert_eq!((deal["amount"].as_str(), deal["currency"].as_str()), (Some("1234.56"), Some("USD")), "{deal}");
    // A HubSpot export resaved by a German Excel: dates with times, a euro sign for the currency; a last
    // activity a few hours ahead (written in the portal's zone) is today's, not a reason to drop the person.
    let hubspot = file(
        dir.path(),
        "hs.csv",
        "Record ID;First Name;Last Name;Email;Create Date;Last Activity Date;Deal;Amount;Currency\n\
         1001;Jörg;Müller;joerg@m.de;15.03.2024 10:22;02.11.2025 09:15;Pilot;100;€\n\
         1002;Hot;Lead;hot@lead.io;2025-11-20 08:00;2025-11-25 20:00 UTC;;;\n",
    );
    let out = run(&db, &["import", hubspot.to_str().unwrap()]);
    assert!(out.contains("leads  2 "), "{out}");
    let joerg = show("joerg@m.de");
    assert_eq!(joerg["lead"]["created_at"], "2024-03-15T10:22:00.000Z", "{joerg}");
    assert_eq!(joerg["lead"]["last_contacted_at"], "2025-11-02T09:15:00.000Z", "{joerg}");
    assert_eq!(show("hot@lead.io")["lead"]["last_contacted_at"], "2025-11-25T00:00:00.000Z");
    assert!(deals().as_array().unwrap().iter().any(|d| d["title"] == "Pilot" && d["currency"] == "EUR"));
    // LinkedIn's older layout has no URL column: still LinkedIn, the connection still a contact.
    let linkedin = file(
        dir.path(),
        "conn.csv",
        "First Name,Last Name,Email Address,Company,Position,Connected On\r\nOlder,Person,,OldCo,CEO,07 Dec 2019\r\n",
    );
    run(&db, &["import", linkedin.to_str().unwrap()]);
    let older = show("Older Person");
    assert_eq!(older["lead"]["source"], "linkedin", "{older}");
    assert_eq!(older["lead"]["last_contacted_at"], "2019-12-07T00:00:00.000Z", "{older}");
    // Mac Excel's "CSV (Macintosh)": Mac Roman with lone CRs, one in a note; a column mapped in capitals.
    let mac = file(
        dir.path(),
        "mac.csv",
        b"Nombre;Apellidos;Correo;Soci\x8et\x8e;Notas\rJos\x8e;N\x9c\x96ez;jose@nunez.es;Caf\x8e \x84and\x9c;\"uno\rdos\"\r",
    );
    run(&db, &["import", mac.to_str().unwrap(), "--map", "SOCIÉTÉ=company", "--map", "Notas=notes"]);
    let jose = show("jose@nunez.es");
    assert_eq!(jose["lead"]["last_name"], "Núñez", "{jose}");
    assert_eq!(jose["lead"]["company"], "Café Ñandú", "{jose}");
    assert_eq!(jose["lead"]["notes"], "uno\ndos", "{jose}");
}

#[test]
fn a_files_dates_are_of_what_has_happened_and_read_the_way_its_own_dates_say() {
    let (dir, db) = setup();
    let created = |who: &str| -> String {
        let v: serde_json::Value = serde_json::from_str(&run(&db, &["lead", "show", who, "--json"])).unwrap();
        v["lead"]["created_at"].as_str().unwrap().to_string()
    };
    // "date, time" cells count when the file's dates say which way they read: month first here.
    let us = file(
        dir.path(),
        "us.csv",
        "First Name,Last Name,Email,Create Date\nA,1,a1@x.io,\"03/16/2024, 09:00\"\nA,3,a3@x.io,\"03/04/2024, 10:22\"\n",
    );
    run(&db, &["import", us.to_str().unwrap()]);
    assert_eq!(created("a3@x.io"), "2024-03-04T10:22:00.000Z");
    // A record made, or a deal made, in the future is refused as a last contact is.
    let future = file(
        dir.path(),
        "future.csv",
        "Deal - Title,Deal - Value,Deal - Currency,Deal - Deal created,Person - Name,Person - Email\n\
         W1,100,EUR,2029-01-01,Wo One,wo1@x.io\n",
    );
    let refused = leadline(&db).args(["import", future.to_str().unwrap()]).assert().failure();
    let said = String::from_utf8_lossy(&refused.get_output().stdout).to_string();
    assert!(said.contains("'Deal - Deal created' is in the future"), "{said}");
    // A last activity a few hours ahead is today's: imported again later today, it stays where it was put.
    let ahead =
        file(dir.path(), "ahead.csv", "Name,Email,Last Activity\nHot Lead,hot@lead.io,2025-11-25 20:00 +1000\n");
    let last_contact = || -> String {
        let v: serde_json::Value = serde_json::from_str(&run(&db, &["lead", "show", "hot@lead.io", "--json"])).unwrap();
        v["lead"]["last_contacted_at"].as_str().unwrap().to_string()
    };
    leadline(&db)
        .env("LEADLINE_NOW", "2025-11-25T08:00:00.000Z")
        .args(["import", ahead.to_str().unwrap()])
        .assert()
        .success();
    let first = last_contact();
    let again = |now: &str| {
        leadline(&db).env("LEADLINE_NOW", now).args(["import", ahead.to_str().unwrap(), "--again"]).assert().success();
    };
    again("2025-11-25T09:00:00.000Z");
    assert_eq!(last_contact(), first);
    // Once the time has come, it is taken as written.
    again("2025-11-25T11:00:00.000Z");
    assert_eq!(last_contact(), "2025-11-25T10:00:00.000Z");
    // A record the other CRM deleted is skipped, whatever else is wrong with it.
    let deleted = file(
        dir.path(),
        "sf.csv",
        "Id,IsDeleted,FirstName,LastName,Email,Company,Phone\n00Q1,false,Sam,One,sam1@x.io,Acme,\n\
         00Q2,true,Sam,Two,\"bad, x@\",Acme,\n00Q4,true,,,,,\n",
    );
    let out = run(&db, &["import", deleted.to_str().unwrap(), "--json"]);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["counts"]["leads"]["skipped"], 2, "{report}");
    assert_eq!(report["counts"]["leads"]["rejected"], 0, "{report}");
}

#[test]
fn numbers_with_extensions_and_lists_of_numbers_read_alike_everywhere() {
    let (dir, db) = setup();
    std::fs::write(db.with_extension("toml"), "[pipeline]\ncurrency = \"CAD\"\n").unwrap();
    let show =
        |who: &str| -> serde_json::Value { serde_json::from_str(&run(&db, &["lead", "show", who, "--json"])).unwrap() };
    // A no-break space before the extension, a list of two numbers in a vCard's TEL, a Canadian team's `$`.
    let csv = file(
        dir.path(),
        "p.csv",
        "Name,Email,Phone,Deal,Amount,Currency\nAl Ext,al@x.io,+1 212 555 0100\u{a0}ext.\u{a0}204,D1,2500,$\n\
         Di Nordic,di@x.io,+45 22 33 44 55;;98765432,,,\n",
    );
    run(&db, &["import", csv.to_str().unwrap()]);
    assert_eq!(show("al@x.io")["lead"]["phone"], "+1 212 555 0100");
    assert_eq!(show("al@x.io")["lead"]["notes"], "phone: +1 212 555 0100 ext. 204");
    assert_eq!(show("di@x.io")["lead"]["notes"], "phone: 98765432", "two numbers stay two");
    let deals: serde_json::Value = serde_json::from_str(&run(&db, &["deal", "list", "--json"])).unwrap();
    assert_eq!(deals[0]["currency"], "CAD", "{deals}");
    let card = file(
        dir.path(),
        "two.vcf",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:W1;V;;;\r\nFN:V W1\r\nEMAIL:w1@x.io\r\n\
         TEL:+1 800 555 0501\\, +1 800 555 0502\r\nEND:VCARD\r\n",
    );
    run(&db, &["import", card.to_str().unwrap()]);
    assert_eq!(show("w1@x.io")["lead"]["phone"], "+1 800 555 0501");
    assert_eq!(show("w1@x.io")["lead"]["notes"], "phone: +1 800 555 0502");
    // Where a field holds one number, an extension is said to be one.
    let (_, err) = fail(&db, &["lead", "add", "--first-name", "P", "--phone", "+1 (800) 555-0114 x12"]);
    assert!(err.contains("has an extension"), "{err}");
}

#[test]
fn a_retention_run_anonymises_in_batches_and_finishes_what_a_stopped_run_left() {
    let (dir, db) = setup();
    let rows: String = (0..1_200).map(|i| format!("Rita{i},Roe,rita{i}@roe.example\n")).collect();
    let csv = file(dir.path(), "many.csv", format!("First Name,Last Name,Email\n{rows}"));
    run(&db, &["import", csv.to_str().unwrap()]);
    let later = |args: &[&str]| {
        let out = leadline(&db).env("LEADLINE_NOW", "2030-01-01T12:00:00.000Z").args(args).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    // More leads than one batch holds: every one of them is anonymised, and none is left in the search index.
    assert!(later(&["privacy", "run"]).contains("1200 leads anonymised"));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let left: i64 = conn.query_row("SELECT count(*) FROM leads WHERE forgotten_at IS NULL", [], |r| r.get(0)).unwrap();
    assert_eq!(left, 0);
    assert_eq!(later(&["search", "rita1199"]).trim(), "no leads match");
    let owed = |conn: &rusqlite::Connection| -> i64 {
        conn.query_row("SELECT count(*) FROM automation_state WHERE key LIKE 'erasure%'", [], |r| r.get(0)).unwrap()
    };
    assert_eq!(owed(&conn), 0, "the index was purged and the log flushed");
    // A run stopped between its batches leaves the purge owed: whatever command opens the database next
    // does it.
    conn.execute("INSERT INTO automation_state SELECT id, 'erasure_index_purge_owed', 1 FROM teams", []).unwrap();
    later(&["lead", "list"]);
    assert_eq!(owed(&conn), 0);
}

#[test]
fn weekly_files_are_weeks_of_the_teams_calendar_that_neither_overlap_nor_leave_a_gap() {
    let (dir, db) = setup();
    let at = |now: &str, args: &[&str]| {
        let out = leadline(&db).env("LEADLINE_NOW", now).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    at("2026-10-12T07:00:00Z", &["team", "zone", "Europe/Madrid"]);
    at("2026-10-12T07:00:00Z", &["lead", "add", "--first-name", "Gil", "--email", "gil@g.io"]);
    // Monday 09:30 and 10:30, the week before the clocks go back on 25 October.
    at("2026-10-19T06:00:00Z", &["meeting", "add", "gil@g.io", "--at", "2026-10-19 09:30", "--title", "early"]);
    at("2026-10-19T06:00:00Z", &["meeting", "add", "gil@g.io", "--at", "2026-10-19 10:30", "--title", "late"]);
    // One booked for the very instant of a run belongs to one week, not two.
    at("2026-10-19T06:00:00Z", &["meeting", "add", "gil@g.io", "--at", "2026-11-02 09:00", "--title", "edge"]);
    let titles = |now: &str, name: &str| {
        let out = dir.path().join(name);
        at(now, &["export", "weekly", "--format", "jsonl", "--out", out.to_str().unwrap()]);
        let text = std::fs::read_to_string(out.join("meetings_week.jsonl")).unwrap();
        text.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["title"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    // Mondays at 09:00 in Madrid: CEST (+2) before the change, CET (+1) after.
    assert_eq!(titles("2026-10-26T08:00:00Z", "wk1"), ["early", "late"], "the week after the change starts at 09:00");
    assert!(titles("2026-11-02T08:00:00Z", "wk2").is_empty());
    assert_eq!(titles("2026-11-09T08:00:00Z", "wk3"), ["edge"]);
}

#[test]
fn a_row_of_another_name_on_a_leads_address_is_said_to_differ_in_name() {
    let (dir, db) = setup();
    run(&db, &["lead", "add", "--first-name", "Carlos", "--last-name", "Martin", "--email", "carlos@umbrella.com"]);
    let csv = file(dir.path(), "same.csv", "First Name,Last Name,Email\nMaria,Garcia,carlos@umbrella.com\n");
    let out = run(&db, &["import", csv.to_str().unwrap()]);
    assert!(out.contains("differs from the file in name"), "{out}");
    let shown: serde_json::Value =
        serde_json::from_str(&run(&db, &["lead", "show", "carlos@umbrella.com", "--json"])).unwrap();
    assert_eq!(shown["lead"]["first_name"], "Carlos", "the lead's name stands");
}

#[test]
fn a_deal_stage_with_no_deal_to_make_of_it_is_said_unused() {
    let (dir, db) = setup();
    let csv = file(
        dir.path(),
        "ds.csv",
        "First Name,Last Name,Email,Company Name,Deal Stage\nAnn,Lee,ann@x1.com,X1,Contract Sent\n",
    );
    let out = run(&db, &["import", csv.to_str().unwrap()]);
    assert!(out.contains("deal columns not used: Deal Stage (no deal name or amount column"), "{out}");
}

#[test]
fn a_leads_origin_comes_back_from_its_own_file_though_its_source_changed_since() {
    let (dir, db) = setup();
    run(&db, &["lead", "add", "--first-name", "Orig", "--email", "orig@x.com"]);
    let touch = run(&db, &["log", "email", "orig@x.com"]).trim().to_string();
    run(&db, &["deal", "add", "orig@x.com", "--title", "D1", "--from-outreach", &touch]);
    run(&db, &["lead", "edit", "orig@x.com", "--source", "referral"]);
    // A lead whose origin was taken back, with a deal still made from another touch: no origin, here as there.
    run(&db, &["lead", "add", "--first-name", "Nul", "--email", "nul@x.com", "--source", "email"]);
    let first = run(&db, &["log", "email", "nul@x.com"]).trim().to_string();
    let second = run(&db, &["log", "email", "nul@x.com"]).trim().to_string();
    run(&db, &["deal", "add", "nul@x.com", "--title", "D1", "--from-outreach", &first]);
    run(&db, &["deal", "add", "nul@x.com", "--title", "D2", "--from-outreach", &second]);
    run(&db, &["unlog", &first]);
    let objects = ["team", "leads", "outreach", "deals"];
    for o in objects {
        run(&db, &["export", o, "--format", "jsonl", "--out", dir.path().join(format!("{o}.jsonl")).to_str().unwrap()]);
    }
    let other = dir.path().join("other.db");
    std::fs::write(other.with_extension("toml"), "").unwrap();
    for o in objects {
        run(&other, &["import", dir.path().join(format!("{o}.jsonl")).to_str().unwrap()]);
    }
    let leads = |db: &Path| -> Vec<(serde_json::Value, serde_json::Value)> {
        run(db, &["export", "leads", "--format", "jsonl"])
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .map(|l| (l["origin_outreach_id"].clone(), l["source"].clone()))
            .collect()
    };
    let (before, after) = (leads(&db), leads(&other));
    assert!(before.contains(&(serde_json::Value::String(touch), "referral".into())), "{before:?}");
    assert!(before.contains(&(serde_json::Value::Null, "email".into())), "{before:?}");
    assert_eq!(after, before);
    // A file naming no touch by a touch's id is refused at that field.
    let bad = file(dir.path(), "bad.jsonl", r#"{"first_name":"Bad","email":"bad@x.com","origin_outreach_id":"nope"}"#);
    let out = leadline(&other).args(["import", bad.to_str().unwrap()]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("origin_outreach_id") && said.contains("must be the id of a touch"), "{said}");
}

#[test]
fn an_import_of_a_file_not_there_says_so_without_waiting_for_another_import() {
    use std::os::fd::AsRawFd;
    let (dir, db) = setup();
    run(&db, &["lead", "add", "--first-name", "Ana"]);
    // Another import into the database holds its lock for as long as this test does.
    let lock = std::fs::File::create(dir.path().join(".t.db.import-lock")).unwrap();
    // SAFETY: flock on a descriptor the test owns.
    assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) }, 0);
    let missing = dir.path().join("nosuch.csv");
    let out = leadline(&db)
        .args(["import", missing.to_str().unwrap()])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("nosuch.csv: No such file"), "{err}");
    drop(lock);
}

/// Forgetting a person takes their name from what the imports kept, however a file spelt it: "Soren" for
/// "Søren" in a rejected row and in a file's name.
#[test]
fn forget_takes_a_name_spelt_with_plain_letters_from_rejects_and_file_names() {
    let (dir, db) = setup();
    let crm = file(
        dir.path(),
        "crm.csv",
        "First Name,Last Name,Email,Company Name,Create Date\nSøren,Kierkegaard,sk@kk.dk,Øresund ApS,2025-01-01\n\
         Soren,Kierkegaard,soren.k@privat.dk,Oresund,2099-01-01\n",
    );
    run(&db, &["import", crm.to_str().unwrap()]);
    let named = file(dir.path(), "soren_kierkegaard.csv", "First Name,Last Name,Email\nSøren,Kierkegaard,sk@kk.dk\n");
    run(&db, &["import", named.to_str().unwrap()]);
    run(&db, &["forget", "sk@kk.dk"]);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let kept: Vec<String> = conn
        .prepare("SELECT record FROM import_rejects UNION ALL SELECT file_name || ' ' || ifnull(file_path, '') FROM import_runs")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(kept.iter().all(|k| !k.to_lowercase().contains("kierkegaard")), "{kept:?}");
}

/// A lead nobody owns is nobody's in the database its export moves to, by JSONL as by leadline's CSV; a
/// lead with an owner keeps theirs.
#[test]
fn a_lead_nobody_owns_stays_nobodys_through_an_export() {
    let (dir, db) = setup();
    run(&db, &["team", "add", "Marta Ruiz", "--email", "marta@acme.io"]);
    run(&db, &["lead", "add", "--first-name", "Ana", "--email", "ana@acme.io"]);
    run(&db, &["lead", "add", "--first-name", "Bea", "--email", "bea@acme.io", "--owner", "marta@acme.io"]);
    run(&db, &["lead", "edit", "ana@acme.io", "--owner", ""]);
    let team = dir.path().join("team.jsonl");
    run(&db, &["export", "team", "--format", "jsonl", "--out", team.to_str().unwrap()]);
    for format in ["jsonl", "csv"] {
        let leads = dir.path().join(format!("leads.{format}"));
        run(&db, &["export", "leads", "--format", format, "--out", leads.to_str().unwrap()]);
        let copy = dir.path().join(format!("copy-{format}.db"));
        std::fs::write(copy.with_extension("toml"), "").unwrap();
        run(&copy, &["import", team.to_str().unwrap()]);
        run(&copy, &["import", leads.to_str().unwrap()]);
        let listed: serde_json::Value = serde_json::from_str(&run(&copy, &["lead", "list", "--json"])).unwrap();
        let owner = |email: &str| {
            let lead = listed.as_array().unwrap().iter().find(|l| l["email"] == email).unwrap();
            lead["owner"].as_str().map(str::to_string)
        };
        assert_eq!(owner("ana@acme.io"), None, "{format}: {listed}");
        assert_eq!(owner("bea@acme.io").as_deref(), Some("Marta Ruiz"), "{format}");
    }
}

/// Invisible characters pasted into a name or a title (a zero-width space, a right-to-left override) are
/// left out as an import leaves them out: the lead is found by what it shows, and a round trip keeps it.
#[test]
fn a_name_typed_with_invisible_characters_is_kept_as_it_shows() {
    let (_dir, db) = setup();
    let id = run(
        &db,
        &["lead", "add", "--first-name", "Zo\u{200b}ë", "--last-name", "Ng", "--title", "CEO \u{202e}evil\u{202c}"],
    );
    run(&db, &["lead", "edit", id.trim(), "--last-name", "N\u{feff}g"]);
    let shown: serde_json::Value = serde_json::from_str(&run(&db, &["lead", "show", id.trim(), "--json"])).unwrap();
    let lead = &shown["lead"];
    assert_eq!((lead["first_name"].as_str(), lead["last_name"].as_str()), (Some("Zoë"), Some("Ng")), "{shown}");
    assert_eq!(lead["title"].as_str(), Some("CEO evil"));
    assert!(run(&db, &["search", "Zoë"]).contains("Zoë Ng"));
}

/// A JSON file's deals and tasks come in once: imported again with `--on-duplicate update` (a `--since`
/// export of what changed), those already here are left as they are, and the summary says so.
#[test]
fn an_update_of_records_other_than_leads_says_they_are_left_as_they_are() {
    let (dir, db) = setup();
    run(&db, &["lead", "add", "--first-name", "Ana", "--email", "ana@acme.io"]);
    run(&db, &["deal", "add", "ana@acme.io", "--title", "Pilot", "--amount", "100"]);
    let copy = dir.path().join("copy.db");
    std::fs::write(copy.with_extension("toml"), "").unwrap();
    for object in ["team", "leads", "deals"] {
        let out = dir.path().join(format!("{object}.jsonl"));
        run(&db, &["export", object, "--format", "jsonl", "--out", out.to_str().unwrap()]);
        run(&copy, &["import", out.to_str().unwrap()]);
    }
    let deals = dir.path().join("deals.jsonl");
    let again = leadline(&copy).args(["import", deals.to_str().unwrap(), "--on-duplicate", "update"]).output().unwrap();
    assert!(again.status.success());
    let note = String::from_utf8_lossy(&again.stderr);
    assert!(note.contains("1 record other than leads was here already and is left as it is"), "{note}");
    let quiet = leadline(&copy).args(["import", deals.to_str().unwrap()]).output().unwrap();
    assert!(String::from_utf8_lossy(&quiet.stderr).is_empty(), "a file imported again is said no more than before");
}

/// A database moved by its JSON files does not act again on what its rules acted on: a bump an opt-out
/// cancelled (so no task says it was filed) is not filed again in the copy.
#[test]
fn a_moved_database_does_not_file_a_bump_again_that_an_opt_out_cancelled() {
    let (dir, db) = setup();
    let at = |db: &Path, now: &str, args: &[&str]| {
        let out = leadline(db).env("LEADLINE_NOW", now).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    at(&db, "2026-11-02T09:00:00Z", &["lead", "add", "--first-name", "Ana", "--email", "ana@acme.io"]);
    at(&db, "2026-11-02T09:00:00Z", &["log", "email", "ana@acme.io", "--note", "Intro"]);
    assert!(at(&db, "2026-11-04T10:00:00Z", &["automate", "run"]).contains("Bump"));
    at(&db, "2026-11-04T10:05:00Z", &["privacy", "opt-out", "ana@acme.io", "--reason", "asked"]);
    at(&db, "2026-11-04T10:10:00Z", &["privacy", "opt-in", "ana@acme.io", "--reason", "came back"]);
    let copy = dir.path().join("copy.db");
    std::fs::write(copy.with_extension("toml"), "").unwrap();
    for object in ["team", "leads", "privacy", "outreach"] {
        let file = dir.path().join(format!("{object}.jsonl"));
        at(&db, "2026-11-04T11:00:00Z", &["export", object, "--format", "jsonl", "--out", file.to_str().unwrap()]);
        at(&copy, "2026-11-04T11:00:00Z", &["import", file.to_str().unwrap()]);
    }
    let here = at(&db, "2026-11-04T11:00:00Z", &["automate", "run", "--dry-run", "--json"]);
    let there = at(&copy, "2026-11-04T11:00:00Z", &["automate", "run", "--dry-run", "--json"]);
    assert!(!here.contains("Bump"), "{here}");
    assert!(!there.contains("Bump"), "the copy acts as the original: {there}");
}
