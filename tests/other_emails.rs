//! A lead's other e-mails: kept from every file that gives them, found by any command, import or calendar
//! invitation, one lead per address, carried by merges, exports and erased by `forget`.

use std::path::Path;

use leadline::config::Config;
use leadline::domain::{Clock, LeadId, Timestamp};
use leadline::io::export::{self, ExportFormat, Object, Sink, Where};
use leadline::io::import::{ImportOptions, ImportReport, OnDuplicate, import_file};
use leadline::io::{dedupe, privacy};
use leadline::store::leads::{self, Lead, LeadPatch, NewLead};
use leadline::store::{Store, StoreError, lead_emails};

const NOW: &str = "2025-11-25T12:00:00.000Z";

fn ts(s: &str) -> Timestamp {
    Timestamp(chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis())
}

fn open(dir: &Path, name: &str) -> Store {
    Store::open(&dir.join(name), &Config::defaults(), Clock::Fixed(ts(NOW))).unwrap()
}

fn import_text(s: &mut Store, dir: &Path, name: &str, text: &str, opts: &ImportOptions) -> ImportReport {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    import_file(s, &path, opts).unwrap()
}

fn lead(s: &Store, reference: &str) -> Lead {
    let db = s.db();
    leads::get(&db, &leads::resolve(&db, reference).unwrap()).unwrap()
}

fn found(s: &Store, text: &str) -> Vec<LeadId> {
    leadline::store::search::search(&s.db(), text, 10).unwrap().into_iter().map(|l| l.id).collect()
}

fn add_lead(s: &mut Store, first: &str, email: &str) -> LeadId {
    s.write(|db| {
        leads::create(db, NewLead { first_name: first.into(), email: Some(email.into()), ..Default::default() })
    })
    .unwrap()
}

#[test]
fn a_person_is_one_lead_whichever_of_their_addresses_a_file_gives() {
    for bulk in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let mut s = open(dir.path(), "t.db");
        let opts = ImportOptions { bulk: Some(bulk), ..Default::default() };
        // Row 3 is Ana by her personal address only: the same person as row 2, in the same file.
        let r = import_text(
            &mut s,
            dir.path(),
            "a.csv",
            "first_name,email,other_email,phone\nAna,ana@acme.es,ana.home@gmail.com,\nAna,ANA.HOME@gmail.com,,+34 600 111 222\n",
            &opts,
        );
        assert_eq!((r.counts.leads.created, r.counts.leads.merged), (1, 1), "bulk {bulk}: {:?}", r.counts);
        let ana = lead(&s, "ana@acme.es");
        assert_eq!(ana.other_emails, ["ana.home@gmail.com"], "bulk {bulk}");
        assert_eq!(ana.phone.as_deref(), Some("+34 600 111 222"));
        assert!(ana.notes.is_none(), "the address is no line of the notes: {:?}", ana.notes);
        assert_eq!(found(&s, "ana.home"), vec![ana.id.clone()], "bulk {bulk}: searched as her own address is");
        // A later file that knows her by the other address only matches her too.
        let r = import_text(&mut s, dir.path(), "b.csv", "first_name,email,title\nAna,ana.home@gmail.com,CTO\n", &opts);
        assert_eq!((r.counts.leads.created, r.counts.leads.merged), (0, 1), "bulk {bulk}: {:?}", r.counts);
        assert_eq!(lead(&s, "ana.home@gmail.com").title.as_deref(), Some("CTO"));
    }
}

#[test]
fn a_matched_row_gives_its_other_address_and_never_one_another_lead_has() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(dir.path(), "t.db");
    let bob = add_lead(&mut s, "Bob", "bob@stone.com");
    s.write(|db| leads::update(db, &bob, LeadPatch { phone: Some("+34 600 222 333".into()), ..Default::default() }))
        .unwrap();
    add_lead(&mut s, "Cy", "cy@lee.com");
    // Bob with a new address, then with Cy's too: the new one is his, Cy's stays Cy's.
    let r = import_text(
        &mut s,
        dir.path(),
        "a.csv",
        "first_name,email,other_email\nBob,bob@stone.com,bob@home.es\nBob,bob@stone.com,cy@lee.com\n",
        &ImportOptions::default(),
    );
    assert_eq!((r.counts.leads.merged, r.counts.leads.skipped), (1, 1), "{:?}", r.counts);
    let b = lead(&s, "bob@stone.com");
    assert_eq!(b.other_emails, ["bob@home.es"]);
    assert_eq!(lead(&s, "cy@lee.com").first_name, "Cy");
    assert!(lead(&s, "cy@lee.com").other_emails.is_empty());
    // Found by his other address, an update takes the file's first as the one he is written to; the old
    // one stays his.
    let update = ImportOptions { on_duplicate: OnDuplicate::Update, ..Default::default() };
    let r =
        import_text(&mut s, dir.path(), "b.csv", "first_name,email,other_email\nBob,bob@new.io,bob@home.es\n", &update);
    assert_eq!(r.counts.leads.updated, 1, "{:?}", r.counts);
    let b = lead(&s, "bob@stone.com");
    assert_eq!(b.email.as_deref(), Some("bob@new.io"));
    assert_eq!(b.other_emails, ["bob@home.es", "bob@stone.com"]);
    // In the same file, a row after the update finds him by the address he now has.
    let r = import_text(
        &mut s,
        dir.path(),
        "c.csv",
        "first_name,email,other_email,title\nBob,bob@newer.io,bob@new.io,\nBob,bob@newer.io,,CEO\n",
        &update,
    );
    assert_eq!((r.counts.leads.created, r.counts.leads.updated), (0, 2), "{:?}", r.counts);
}

#[test]
fn commands_keep_one_lead_per_address() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(dir.path(), "t.db");
    let ana = add_lead(&mut s, "Ana", "ana@acme.es");
    add_lead(&mut s, "Bob", "bob@stone.com");
    let add = |s: &mut Store, id: &LeadId, e: &str| {
        s.write(|db| leads::update(db, id, LeadPatch { add_emails: vec![e.into()], ..Default::default() }))
    };
    add(&mut s, &ana, "Ana@Home.es").unwrap();
    assert_eq!(lead(&s, "ana@home.es").id, ana);
    assert_eq!(found(&s, "ana@home"), vec![ana.clone()]);
    // Another lead's address, as its own or another one, is refused, naming who has it.
    let err = add(&mut s, &ana, "bob@stone.com").unwrap_err();
    assert!(matches!(err, StoreError::DuplicateEmail { .. }) && err.to_string().contains("Bob"), "{err}");
    let err = s
        .write(|db| {
            leads::create(
                db,
                NewLead { first_name: "Imp".into(), email: Some("ana@home.es".into()), ..Default::default() },
            )
        })
        .unwrap_err();
    assert!(err.to_string().contains("Ana"), "{err}");
    let err = add(&mut s, &ana, "not an address").unwrap_err();
    assert!(err.to_string().contains("not an address"), "{err}");
    // Made her own e-mail, it is no longer another one; taken off, it no longer finds her.
    s.write(|db| leads::update(db, &ana, LeadPatch { email: Some("ana@home.es".into()), ..Default::default() }))
        .unwrap();
    assert!(lead(&s, "ana@home.es").other_emails.is_empty());
    add(&mut s, &ana, "ana@acme.es").unwrap();
    s.write(|db| {
        leads::update(db, &ana, LeadPatch { remove_emails: vec!["ANA@acme.es".into()], ..Default::default() })
    })
    .unwrap();
    assert!(leads::resolve(&s.db(), "ana@acme.es").is_err());
    assert!(found(&s, "acme").is_empty());
    let err = s
        .write(|db| leads::update(db, &ana, LeadPatch { remove_emails: vec!["x@y.z".into()], ..Default::default() }))
        .unwrap_err();
    assert!(err.to_string().contains("x@y.z is not one of Ana's other e-mails"), "{err}");
    // Her main address is no other one to take off: refused, not said done with nothing done.
    let err = s
        .write(|db| {
            leads::update(db, &ana, LeadPatch { remove_emails: vec!["Ana@Home.es".into()], ..Default::default() })
        })
        .unwrap_err();
    assert!(err.to_string().contains("Ana@Home.es is Ana's main e-mail"), "{err}");
    assert_eq!(lead(&s, "ana@home.es").email.as_deref(), Some("ana@home.es"));
    // Cleared by the same edit, it is gone already: nothing to refuse.
    let ana_id = lead(&s, "ana@home.es").id;
    s.write(|db| {
        let patch =
            LeadPatch { email: Some(String::new()), remove_emails: vec!["ana@home.es".into()], ..Default::default() };
        leads::update(db, &ana_id, patch)
    })
    .unwrap();
}

#[test]
fn a_calendar_invitation_to_another_address_is_the_leads_meeting() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(dir.path(), "t.db");
    let ana = add_lead(&mut s, "Ana", "ana@acme.es");
    s.write(|db| lead_emails::add(db, &ana, "ana.home@gmail.com")).unwrap();
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1@x\r\nDTSTART:20251120T100000Z\r\n\
               DTEND:20251120T103000Z\r\nSUMMARY:Coffee\r\nATTENDEE:mailto:Ana.Home@gmail.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let r = import_text(&mut s, dir.path(), "c.ics", ics, &ImportOptions::default());
    assert_eq!(r.counts.meetings.created, 1, "{:?} {:?}", r.counts, r.unmatched);
    let n: i64 =
        s.conn().query_row("SELECT count(*) FROM meetings WHERE lead_id = ?1", [ana.as_str()], |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
}

#[test]
fn a_merge_keeps_every_address_and_forget_erases_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(dir.path(), "t.db");
    let ana = add_lead(&mut s, "Ana", "ana@acme.es");
    let twin = add_lead(&mut s, "Ana", "ana@old-job.com");
    s.write(|db| lead_emails::add(db, &twin, "ana.home@gmail.com")).unwrap();
    let out = s.write(|db| dedupe::merge(db, &ana, &twin, "same person", 90)).unwrap();
    assert!(out.filled.iter().any(|f| f == "other_emails"), "{:?}", out.filled);
    let kept = lead(&s, "ana@acme.es");
    assert_eq!(kept.other_emails, ["ana.home@gmail.com", "ana@old-job.com"]);
    assert!(kept.notes.is_none(), "{:?}", kept.notes);
    assert_eq!(lead(&s, "ana.home@gmail.com").id, ana);
    assert_eq!(found(&s, "old-job"), vec![ana.clone()]);
    s.write(|db| privacy::forget(db, &ana, None)).unwrap();
    assert!(found(&s, "gmail").is_empty());
    let left: i64 = s.conn().query_row("SELECT count(*) FROM lead_emails", [], |r| r.get(0)).unwrap();
    assert_eq!(left, 0);
    assert!(leads::resolve(&s.db(), "ana.home@gmail.com").is_err());
}

#[test]
fn leads_merged_before_other_e_mails_are_found_by_the_merged_address_after_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(dir.path(), "t.db");
    let ana = add_lead(&mut s, "Ana", "ana@acme.es");
    let old_job = add_lead(&mut s, "Ana", "ana@old-job.com");
    let older_job = add_lead(&mut s, "Ana", "ana@older-job.com");
    let bob = add_lead(&mut s, "Bob", "bob@stone.com");
    let bobs_twin = add_lead(&mut s, "Bob", "bob@twin.com");
    // A merge of a merge: older-job into old-job, then old-job into Ana. Bob's twin was merged into Bob,
    // and its address is a live lead's since.
    s.write(|db| dedupe::merge(db, &old_job, &older_job, "same person", 90)).unwrap();
    s.write(|db| dedupe::merge(db, &ana, &old_job, "same person", 90)).unwrap();
    s.write(|db| dedupe::merge(db, &bob, &bobs_twin, "same person", 90)).unwrap();
    // As an earlier leadline left them: merges kept no address, and Bob's twin's is Cy's since.
    s.write(|db| Ok(db.conn.execute_batch("DELETE FROM lead_emails")?)).unwrap();
    let cy = add_lead(&mut s, "Cy", "bob@twin.com");
    s.write(|db| {
        db.conn.execute_batch(
            "DROP INDEX events_pending_by_lead; DROP INDEX deals_by_source_ref; ALTER TABLE deals DROP COLUMN import_run; ALTER TABLE deals DROP COLUMN source_ref; ALTER TABLE events DROP COLUMN withdrawn_at; ALTER TABLE events DROP COLUMN reaches_lead; DROP TABLE calendar_versions; ALTER TABLE deals DROP COLUMN closed_from; DROP INDEX tasks_done_by_meeting; ALTER TABLE tasks DROP COLUMN done_by_meeting_id; DROP INDEX meetings_by_event; ALTER TABLE import_runs DROP COLUMN file_path; DROP INDEX client_profiles_removed_by_lead; DROP INDEX merge_candidates_by_b; ALTER TABLE privacy_log DROP COLUMN inferred; DROP INDEX leads_by_profile; ALTER TABLE leads DROP COLUMN profile_url; DROP INDEX tasks_done_by_touch; ALTER TABLE tasks DROP COLUMN done_by_outreach_id;
             DROP TABLE member_aliases; DROP TABLE forgotten_addresses; DROP INDEX tasks_open_by_owner_due; DROP INDEX merge_log_by_merged;",
        )?;
        db.conn.pragma_update(None, "user_version", 18)?;
        Ok(())
    })
    .unwrap();
    drop(s);
    let s = open(dir.path(), "t.db");
    assert_eq!(lead(&s, "ana@old-job.com").id, ana);
    assert_eq!(lead(&s, "ana@older-job.com").id, ana);
    assert_eq!(found(&s, "older-job"), vec![ana.clone()]);
    assert_eq!(lead(&s, "bob@twin.com").id, cy);
    assert!(lead(&s, "bob@stone.com").other_emails.is_empty());
}

#[test]
fn other_emails_travel_in_csv_and_json_exports() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = open(dir.path(), "a.db");
    let ana = add_lead(&mut a, "Ana", "ana@acme.es");
    a.write(|db| {
        lead_emails::add(db, &ana, "ana.home@gmail.com")?;
        lead_emails::add(db, &ana, "ana@acme-group.com")
    })
    .unwrap();
    for (format, name) in [(ExportFormat::Csv, "leads.csv"), (ExportFormat::Jsonl, "leads.jsonl")] {
        let mut buf: Vec<u8> = Vec::new();
        let mut sink = Sink::new(&mut buf, format, export::header(Object::Leads)).unwrap();
        export::rows(&a.db(), &mut sink, Object::Leads, &Where::default(), None, None).unwrap();
        sink.finish().unwrap();
        let text = String::from_utf8(buf).unwrap();
        let mut b = open(dir.path(), &format!("b-{name}.db"));
        let r = import_text(&mut b, dir.path(), name, &text, &ImportOptions::default());
        assert_eq!(r.counts.leads.created, 1, "{name}: {:?} {:?}", r.counts, r.rejects);
        assert_eq!(lead(&b, "ana@acme.es").other_emails, ["ana.home@gmail.com", "ana@acme-group.com"], "{name}");
    }
}

#[test]
fn addresses_earlier_imports_wrote_into_notes_are_found_after_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(dir.path(), "t.db");
    let ana = add_lead(&mut s, "Ana", "ana@acme.es");
    let bob = add_lead(&mut s, "Bob", "bob@stone.com");
    // As an earlier leadline left them: the addresses as lines of the notes, no table for them.
    s.write(|db| {
        db.conn.execute(
            "UPDATE leads SET notes = 'Met at a fair\ne-mail: ana.home@gmail.com\ne-mail: bob@stone.com\nphone: 911'
             WHERE id = ?1",
            [ana.as_str()],
        )?;
        db.conn.execute_batch(
            "DROP INDEX events_pending_by_lead; DROP INDEX deals_by_source_ref; ALTER TABLE deals DROP COLUMN import_run; ALTER TABLE deals DROP COLUMN source_ref; ALTER TABLE events DROP COLUMN withdrawn_at; ALTER TABLE events DROP COLUMN reaches_lead; DROP TABLE calendar_versions; ALTER TABLE deals DROP COLUMN closed_from; DROP INDEX tasks_done_by_meeting; ALTER TABLE tasks DROP COLUMN done_by_meeting_id; DROP INDEX meetings_by_event; ALTER TABLE import_runs DROP COLUMN file_path; DROP INDEX client_profiles_removed_by_lead; DROP INDEX merge_candidates_by_b; ALTER TABLE privacy_log DROP COLUMN inferred; DROP INDEX leads_by_profile; ALTER TABLE leads DROP COLUMN profile_url; DROP INDEX tasks_done_by_touch; ALTER TABLE tasks DROP COLUMN done_by_outreach_id;
             DROP TABLE lead_emails; DROP INDEX inbox_open; DROP TABLE member_aliases; DROP TABLE forgotten_addresses; DROP INDEX tasks_open_by_owner_due; DROP INDEX merge_log_by_merged;",
        )?;
        db.conn.pragma_update(None, "user_version", 15)?;
        Ok(())
    })
    .unwrap();
    drop(s);
    let s = open(dir.path(), "t.db");
    let a = lead(&s, "ana.home@gmail.com");
    assert_eq!(a.id, ana);
    assert_eq!(found(&s, "ana.home"), vec![ana.clone()]);
    // Bob's own address stays his alone; the notes are left as they were.
    assert_eq!(a.other_emails, ["ana.home@gmail.com"]);
    assert_eq!(lead(&s, "bob@stone.com").id, bob);
    assert!(a.notes.unwrap().contains("e-mail: bob@stone.com"));
}

#[test]
fn an_address_another_lead_holds_never_moves_in_and_never_stops_an_import() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(dir.path(), "t.db");
    let ann = s.write(|db| leads::create(db, NewLead { first_name: "Ann".into(), ..Default::default() })).unwrap();
    let bob = add_lead(&mut s, "Bob", "bob@stone.com");
    s.write(|db| lead_emails::add(db, &bob, "shared@x.com")).unwrap();
    // Ann by her id, with Bob's other address: she stays without one, in a merge and in an update.
    for mode in [OnDuplicate::Merge, OnDuplicate::Update] {
        let opts = ImportOptions { on_duplicate: mode, ..Default::default() };
        let text = format!("id,first_name,email,title\n{ann},Ann,shared@x.com,CFO {mode:?}\n");
        let r = import_text(&mut s, dir.path(), &format!("{mode:?}.csv"), &text, &opts);
        assert_eq!(r.counts.leads.rejected, 0, "{mode:?}: {:?}", r.rejects);
        let a = leads::get(&s.db(), &ann).unwrap();
        assert_eq!((a.email, a.other_emails.len()), (None, 0), "{mode:?}");
        assert_eq!(lead(&s, "shared@x.com").id, bob);
    }
}

#[test]
fn an_edit_may_swap_a_leads_own_and_other_address() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(dir.path(), "t.db");
    let ana = add_lead(&mut s, "Ana", "ana@acme.es");
    s.write(|db| lead_emails::add(db, &ana, "ana@home.es")).unwrap();
    // As the edit form sends it: the other address made her own, the own one listed among the others.
    let patch = LeadPatch {
        email: Some("ana@home.es".into()),
        add_emails: vec!["ana@acme.es".into()],
        remove_emails: vec!["ana@home.es".into()],
        ..Default::default()
    };
    s.write(|db| leads::update(db, &ana, patch)).unwrap();
    let a = lead(&s, "ana@acme.es");
    assert_eq!(
        (a.email.as_deref(), a.other_emails.as_slice()),
        (Some("ana@home.es"), &["ana@acme.es".to_string()][..])
    );
}

#[test]
fn a_lead_known_by_other_addresses_only_comes_back_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = open(dir.path(), "a.db");
    let ann = a.write(|db| leads::create(db, NewLead { first_name: "Ann".into(), ..Default::default() })).unwrap();
    a.write(|db| lead_emails::add(db, &ann, "ann@home.com")).unwrap();
    for (format, name) in [(ExportFormat::Csv, "ann.csv"), (ExportFormat::Jsonl, "ann.jsonl")] {
        let mut buf: Vec<u8> = Vec::new();
        let mut sink = Sink::new(&mut buf, format, export::header(Object::Leads)).unwrap();
        export::rows(&a.db(), &mut sink, Object::Leads, &Where::default(), None, None).unwrap();
        sink.finish().unwrap();
        let mut b = open(dir.path(), &format!("b-{name}.db"));
        let r = import_text(&mut b, dir.path(), name, &String::from_utf8(buf).unwrap(), &ImportOptions::default());
        assert_eq!(r.counts.leads.created, 1, "{name}: {:?}", r.rejects);
        let back = lead(&b, "ann@home.com");
        assert_eq!((back.email, back.other_emails), (None, vec!["ann@home.com".to_string()]), "{name}");
    }
}

#[test]
fn another_crms_empty_email_beside_other_addresses_gives_the_first_to_write_to_and_replaces_none() {
    for bulk in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let mut s = open(dir.path(), "t.db");
        add_lead(&mut s, "Cam", "cam@work.es");
        s.write(|db| {
            leads::create(
                db,
                NewLead { first_name: "Dee".into(), phone: Some("+34 600 000 002".into()), ..Default::default() },
            )
        })
        .unwrap();
        let file = "first_name,email,other_email,phone\nBea,,bea@home.es;bea@old.es,\n\
                    Cam,,cam@home.es;cam@work.es,\nDee,,dee@home.es,+34 600 000 002\n";
        for (name, mode) in [("merge.csv", OnDuplicate::Merge), ("update.csv", OnDuplicate::Update)] {
            let opts = ImportOptions { bulk: Some(bulk), on_duplicate: mode, ..Default::default() };
            import_text(&mut s, dir.path(), name, file, &opts);
            let (bea, cam, dee) = (lead(&s, "bea@old.es"), lead(&s, "cam@home.es"), lead(&s, "dee@home.es"));
            // A new lead is written to the first address the file has for them; an empty e-mail is filled.
            assert_eq!((bea.email.as_deref(), bea.other_emails), (Some("bea@home.es"), vec!["bea@old.es".into()]));
            assert_eq!(dee.email.as_deref(), Some("dee@home.es"), "{name}");
            // An e-mail the rep has stays, even in an update: the file gave no e-mail to replace it with.
            assert_eq!((cam.email.as_deref(), cam.other_emails), (Some("cam@work.es"), vec!["cam@home.es".into()]));
        }
    }
}

#[test]
fn one_invitation_to_two_of_a_leads_addresses_is_one_meeting() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(dir.path(), "t.db");
    let ana = add_lead(&mut s, "Ana", "ana@acme.es");
    s.write(|db| lead_emails::add(db, &ana, "ana@home.es")).unwrap();
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:2@x\r\nDTSTART:20251120T100000Z\r\n\
               DTEND:20251120T103000Z\r\nSUMMARY:Coffee\r\nATTENDEE:mailto:ana@acme.es\r\nATTENDEE:mailto:ana@home.es\r\n\
               END:VEVENT\r\nEND:VCALENDAR\r\n";
    let r = import_text(&mut s, dir.path(), "c.ics", ics, &ImportOptions::default());
    assert_eq!((r.counts.meetings.created, r.counts.meetings.skipped), (1, 0), "{:?}", r.counts);
}

#[test]
fn a_later_row_finds_a_lead_by_the_phone_an_earlier_row_gave_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(dir.path(), "t.db");
    add_lead(&mut s, "Bob", "bob@stone.com");
    let opts = ImportOptions { bulk: Some(false), ..Default::default() };
    let r = import_text(
        &mut s,
        dir.path(),
        "p.csv",
        "first_name,email,phone,title\nBob,bob@stone.com,+34 600 222 333,\nBob,,+34 600 222 333,CEO\n",
        &opts,
    );
    assert_eq!((r.counts.leads.created, r.counts.leads.merged), (0, 2), "{:?}", r.counts);
    assert_eq!(lead(&s, "bob@stone.com").title.as_deref(), Some("CEO"));
}

#[test]
fn a_record_that_gives_the_addresses_of_two_leads_stages_them_for_dedupe() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(dir.path(), "t.db");
    let one = add_lead(&mut s, "Al", "al@one.io");
    let two = add_lead(&mut s, "Al", "al@two.io");
    let card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Al Smith\r\nEMAIL:al@one.io\r\nEMAIL:al@two.io\r\nEMAIL:al@three.io\r\nEND:VCARD\r\n";
    let r = import_text(&mut s, dir.path(), "al.vcf", card, &ImportOptions::default());
    // Merged into the lead of its first address; the third is that lead's too; the second stays the other
    // lead's, and the file's word that they are one person is staged, not lost.
    assert_eq!(r.counts.merge_candidates, 1, "{:?}", r.counts);
    assert_eq!(lead(&s, "al@three.io").id, one);
    assert_eq!(lead(&s, "al@two.io").id, two);
    let staged = dedupe::find(&s.db(), None).unwrap();
    assert!(staged.iter().any(|c| [&c.a, &c.b].contains(&&one) && [&c.a, &c.b].contains(&&two)), "{staged:?}");
}

#[test]
fn a_record_of_another_name_with_a_leads_address_besides_its_own_is_a_lead_of_its_own_staged() {
    for bulk in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let mut s = open(dir.path(), "t.db");
        let opts = ImportOptions { bulk: Some(bulk), ..Default::default() };
        let john =
            import_text(&mut s, dir.path(), "a.csv", "first_name,last_name,email\nJohn,Doe,john@doe.io\n", &opts);
        assert_eq!(john.counts.leads.created, 1);
        // Jane's card gives the shared address too; Ann Doe's, under the same family name, is John's other.
        let cards = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Roe;Jane;;;\r\nEMAIL:jane@roe.io\r\nEMAIL:john@doe.io\r\nEND:VCARD\r\n\
                     BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;John;;;\r\nEMAIL:jd@home.io\r\nEMAIL:john@doe.io\r\nEND:VCARD\r\n";
        let r = import_text(&mut s, dir.path(), "b.vcf", cards, &opts);
        assert_eq!((r.counts.leads.created, r.counts.leads.merged), (1, 1), "bulk {bulk}: {:?}", r.counts);
        let jane = lead(&s, "jane@roe.io");
        assert_eq!((jane.first_name.as_str(), jane.last_name.as_str()), ("Jane", "Roe"));
        let john = lead(&s, "john@doe.io");
        assert_eq!(lead(&s, "jd@home.io").id, john.id, "the same name: his other address");
        let staged = dedupe::find(&s.db(), None).unwrap();
        assert!(
            staged.iter().any(|c| [&c.a, &c.b].contains(&&jane.id) && [&c.a, &c.b].contains(&&john.id)),
            "{staged:?}"
        );
    }
}

#[test]
fn a_merge_onto_an_opted_out_lead_closes_the_tasks_that_would_reach_the_person() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(dir.path(), "t.db");
    let kept = add_lead(&mut s, "Bea", "bea.b@gmail.com");
    let other = add_lead(&mut s, "Bea", "beab+news@gmail.com");
    let bump = s
        .write(|db| {
            let mut bump = leadline::store::tasks::NewTask::manual("Write to Bea", ts("2025-12-01T09:00:00.000Z"));
            bump.lead = Some(other.clone());
            bump.kind = leadline::domain::TaskKind::Bump;
            leadline::store::tasks::add(db, bump)
        })
        .unwrap();
    let opt_out =
        LeadPatch { do_not_contact: Some(true), do_not_contact_reason: Some("x".into()), ..Default::default() };
    s.write(|db| leads::update(db, &kept, opt_out)).unwrap();
    s.write(|db| dedupe::merge(db, &kept, &other, "same mailbox", 85)).unwrap();
    assert!(leadline::store::tasks::get(&s.db(), &bump).is_err(), "cancelled, as an opt-out cancels it");
    // An event written for a merged record, still to go out, is withdrawn by the kept lead's later opt-out.
    let (x, y) = (add_lead(&mut s, "Cy", "cy@one.io"), add_lead(&mut s, "Cy", "cy.one@gmail.com"));
    let payload = serde_json::json!({ "lead": { "id": y.as_str(), "do_not_contact": false } });
    s.write(|db| leadline::store::events::record(db, "SendEmail", Some(y.as_str()), &payload, None, true)).unwrap();
    s.write(|db| dedupe::merge(db, &x, &y, "same name", 75)).unwrap();
    let opt_out = LeadPatch { do_not_contact: Some(true), ..Default::default() };
    s.write(|db| leads::update(db, &x, opt_out)).unwrap();
    assert!(leadline::store::events::pending(&s.db(), 10).unwrap().is_empty(), "withdrawn");
    // The other way round, the opt-out carried over is logged as such, not as the person's again.
    let (a, b) = (add_lead(&mut s, "Kim", "kim.lee@gmail.com"), add_lead(&mut s, "Kim", "kimlee+x@gmail.com"));
    let opt_out = LeadPatch {
        do_not_contact: Some(true),
        do_not_contact_reason: Some("unsubscribe link".into()),
        ..Default::default()
    };
    s.write(|db| leads::update(db, &b, opt_out)).unwrap();
    s.write(|db| dedupe::merge(db, &a, &b, "same mailbox", 85)).unwrap();
    let logged: Vec<String> = s
        .conn()
        .prepare("SELECT ifnull(reason, '') FROM privacy_log WHERE lead_id = ?1 AND action = 'opt_out'")
        .unwrap()
        .query_map([a.as_str()], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(logged, [format!("carried over from lead {}, merged into this one", b.as_str())]);
    assert_eq!(lead(&s, "kim.lee@gmail.com").do_not_contact_reason.as_deref(), Some("unsubscribe link"));
}

#[test]
fn a_merge_that_only_adds_another_address_marks_the_lead_changed() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(dir.path(), "t.db");
    add_lead(&mut s, "Ana", "ana@acme.io");
    let later = ts("2025-11-26T09:00:00.000Z");
    s.set_clock(Clock::Fixed(later));
    import_text(
        &mut s,
        dir.path(),
        "more.vcf",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana\r\nEMAIL:ana@acme.io\r\nEMAIL:ana.l@gmail.com\r\nEND:VCARD\r\n",
        &ImportOptions::default(),
    );
    let ana = lead(&s, "ana@acme.io");
    assert_eq!(ana.other_emails, ["ana.l@gmail.com"]);
    assert_eq!(ana.updated_at, later, "an export --since finds it");
}
