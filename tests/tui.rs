//! The terminal UI on a test terminal: snapshots of every view at 80x24 and 160x48 on deterministic
//! demo data (fixed seed, fixed clock), and key sequences through the real update/view code with the
//! database requests executed inline.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use leadline::config::Config;
use leadline::domain::{Clock, Timestamp};
use leadline::tui::Setup;
use leadline::tui::action::Action;
use leadline::tui::app::ViewId;
use leadline::tui::command::Command;
use leadline::tui::driver::Driver;
use leadline::tui::widgets::status::Toast;

/// 2026-11-25 12:00 UTC.
const NOW: Timestamp = Timestamp(1_795_089_600_000);

fn driver_with(leads: usize, w: u16, h: u16, config: Config) -> (tempfile::TempDir, Driver) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::Fixed(NOW);
    let mut store = leadline::engine::open(&dir.path().join("t.db"), &config, clock).unwrap();
    leadline::demo::generate(&mut store, leads, 7).unwrap();
    let setup = Setup::new(&config, store, clock).unwrap();
    (dir, Driver::new(setup, w, h))
}

fn driver(w: u16, h: u16) -> (tempfile::TempDir, Driver) {
    driver_with(300, w, h, Config::defaults())
}

fn snap(name: &str, view_keys: &str) {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let (_d, mut t) = driver(w, h);
        t.keys(view_keys);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), t.screen());
    }
}

#[test]
fn snapshot_leads() {
    snap("leads", "j j");
}

#[test]
fn snapshot_detail() {
    snap("detail", "enter");
}

#[test]
fn snapshot_pipeline() {
    snap("pipeline", "2 l j");
}

#[test]
fn a_lead_an_import_staged_as_a_possible_duplicate_says_so() {
    let (d, mut t) = driver(80, 24);
    let lead = t.app.leads.window.rows.iter().find(|l| l.company.is_some()).unwrap().clone();
    let file = d.path().join("again.csv");
    let company = format!("{} Inc.", lead.company.clone().unwrap());
    std::fs::write(&file, format!("First Name,Last Name,Company\n{},{},{company}\n", lead.first_name, lead.last_name))
        .unwrap();
    let report = leadline::io::import::import_file(&mut t.store, &file, &Default::default()).unwrap();
    assert_eq!(report.counts.merge_candidates, 1);
    t.keys("ctrl-r /");
    t.type_text(lead.email.as_deref().unwrap());
    t.keys("enter enter");
    let s = t.screen();
    assert!(s.contains("Same as? same name and") && s.contains("company, 75%: "), "{s}");
}

#[test]
fn a_reply_logged_elsewhere_shows_in_the_inbox_within_the_minute() {
    let (_d, mut t) = driver(80, 24);
    t.keys("3");
    // What the automations owe is done first: the next tick has nothing of its own to write.
    t.update(Action::RunAutomations);
    let lead = t.app.leads.window.rows[0].id.clone();
    t.store
        .write(|db| {
            let mut o =
                leadline::store::outreach::NewOutreach::new(lead.clone(), leadline::domain::OutreachKind::Email);
            o.direction = leadline::domain::Direction::Inbound;
            o.description = Some("EXTERNAL REPLY from a script".into());
            leadline::store::outreach::log(db, o).map(|_| ())
        })
        .unwrap();
    assert!(!t.screen().contains("EXTERNAL REPLY"));
    // The minute's tick reads the view in front again.
    t.update(Action::RunAutomations);
    let s = t.screen();
    assert!(s.contains("EXTERNAL REPLY"), "{s}");
}

#[test]
fn a_card_won_elsewhere_since_the_board_was_read_is_not_moved_back_unseen() {
    let (_d, mut t) = driver(80, 24);
    t.keys("2");
    let deal = t.app.kanban.columns[0].deals[0].clone();
    let won = t.app.ctx.stages.won_stage.clone();
    t.store.write(|db| leadline::store::deals::move_to(db, &deal.id, &won, None).map(|_| ())).unwrap();
    // The board still shows it in its first stage: the next stage from there would reopen it.
    t.keys("L");
    let toast = t.app.toast.as_ref().map(|(k, _)| k.text.clone()).unwrap_or_default();
    assert!(toast.contains(&format!("was moved to {won} meanwhile")), "{toast}");
    let now = t.store.write(|db| leadline::store::deals::get(db, &deal.id)).unwrap();
    assert_eq!(now.stage, won);
}

#[test]
fn a_deal_card_says_its_lead_opted_out() {
    let (_d, mut t) = driver(80, 24);
    t.keys("2");
    let deal = t.app.kanban.columns[0].deals.iter().find(|d| !d.lead_do_not_contact).unwrap().clone();
    let line_of = |s: &str| s.lines().find(|l| l.contains(&deal.lead_name)).map(str::to_string);
    assert!(line_of(&t.screen()).is_some_and(|l| !l.contains('⊘')), "{}", t.screen());
    t.store.write(|db| leadline::io::privacy::set_opt_out(db, &deal.lead_id, true, Some("asked".into()))).unwrap();
    t.keys("ctrl-r");
    let s = t.screen();
    assert!(line_of(&s).is_some_and(|l| l.contains(&format!("⊘ {}", deal.lead_name))), "{s}");
}

#[test]
fn snapshot_inbox() {
    snap("inbox", "3");
}

#[test]
fn snapshot_scoring() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let (_d, mut t) = driver(w, h);
        // Demo data is written without scores; the first timer run scores every lead.
        t.update(leadline::tui::action::Action::RunAutomations);
        t.app.toast = None;
        t.keys("4 j");
        insta::assert_snapshot!(format!("scoring_{w}x{h}"), t.screen());
    }
}

#[test]
fn snapshot_scoring_customer() {
    let (_d, mut t) = driver(160, 48);
    t.update(leadline::tui::action::Action::RunAutomations);
    t.app.toast = None;
    t.keys("4");
    let i = t.app.scoring.window.rows.iter().position(|l| l.lifecycle == "customer").unwrap();
    for _ in 0..i {
        t.keys("j");
    }
    insta::assert_snapshot!("scoring_customer_160x48", t.screen());
}

#[test]
fn snapshot_followups() {
    snap("followups", "5");
    // The whole team's, one key away.
    let (_d, mut t) = driver(80, 24);
    t.keys("5 m");
    insta::assert_snapshot!("followups_team_80x24", t.screen());
}

#[test]
fn a_long_task_title_is_cut_before_the_name_of_whom_it_is_for() {
    let (_d, mut t) = driver(80, 24);
    t.keys("enter");
    let lead = t.app.detail.lead.clone().unwrap();
    t.keys("t");
    t.type_text("Send the Q4 proposal with pricing tiers and the ROI calculator they asked for");
    t.keys("enter");
    assert!(t.app.popup.is_none(), "{}", t.screen());
    t.keys("5");
    let screen = t.screen();
    let row = screen.lines().find(|l| l.contains("Send the Q4")).unwrap_or_else(|| panic!("{screen}"));
    assert!(row.contains(&format!("… · {}", lead.name())), "{row}");
}

#[test]
fn a_key_sequence_no_binding_has_is_dropped_whole() {
    let (_d, mut t) = driver(80, 24);
    t.keys("5");
    assert!(t.screen().contains("3 overdue"), "{}", t.screen());
    // `c` alone marks the task done; after `g` it is a sequence nothing binds, and does nothing.
    t.keys("g c");
    let screen = t.screen();
    assert!(screen.contains("3 overdue") && screen.contains("g c is no key here"), "{screen}");
    t.keys("g esc");
    assert!(t.screen().contains("3 overdue"));
    t.keys("c");
    assert!(t.screen().contains("2 overdue"), "{}", t.screen());
}

#[test]
fn snapshot_popups() {
    let (_d, mut t) = driver(80, 24);
    t.keys("?");
    insta::assert_snapshot!("help_80x24", t.screen());
    t.keys("esc :");
    t.type_text("pipe");
    insta::assert_snapshot!("palette_80x24", t.screen());
    t.keys("esc enter l");
    insta::assert_snapshot!("log_form_80x24", t.screen());
}

#[test]
fn too_small_says_so() {
    let (_d, mut t) = driver(80, 24);
    t.resize(79, 24);
    let s = t.screen();
    assert!(s.contains("Terminal too small"), "{s}");
    // Nothing acts blind, and typing into a form shown no more is not taken either: said so.
    assert!(s.contains("other keys are not taken"), "{s}");
    t.resize(100, 30);
    assert!(t.screen().contains("LEADS"));
}

#[test]
fn keys_wait_while_the_terminal_is_too_small_except_the_way_out() {
    let (_d, mut t) = driver(80, 24);
    let first = t.app.leads.window.rows[0].id.clone();
    t.resize(60, 15);
    let s = t.screen();
    assert!(s.contains("press Q to quit"), "{s}");
    // Blind, these would open a lead and log a touch to it.
    t.keys("j j enter l enter");
    t.type_text("x");
    assert_eq!(t.app.view, ViewId::Leads);
    assert!(t.app.popup.is_none());
    t.resize(80, 24);
    assert_eq!(t.app.leads.window.rows[t.app.leads.window.selected].id, first, "the selection did not move");
    t.resize(60, 15);
    t.keys("Q");
    assert!(t.app.quit);
}

#[test]
fn logging_a_call_from_detail_updates_timeline_and_last_contact() {
    let (_d, mut t) = driver(160, 48);
    t.keys("j j j enter");
    assert_eq!(t.app.view, ViewId::Detail);
    let before = t.app.detail.lead.clone().unwrap();
    let entries_before = t.app.detail.timeline.len();
    assert_ne!(before.last_contacted_at, Some(NOW));
    // Kind: email → call, then the phone, a reply type and a note.
    t.keys("l right tab");
    t.clear_field();
    t.type_text("+34 600 11 22 33");
    t.keys("tab tab right tab");
    t.type_text("Called about pricing");
    t.keys("enter");
    assert!(t.app.popup.is_none(), "the form closes after a good save");
    let after = t.app.detail.lead.clone().unwrap();
    assert_eq!(after.last_contacted_at, Some(NOW));
    assert_eq!(t.app.detail.timeline.len(), entries_before + 1);
    let s = t.screen();
    assert!(s.contains("☎ call +34 600 11 22 33 · outbound · reply positive — Called about pricing"), "{s}");
    assert!(s.contains("just now"), "{s}");
    assert!(s.contains("Logged ☎ call"), "{s}");
    // The positive reply and the fresh activity raised the score, so back in the table (sorted by score)
    // the lead now ranks first, with its new contact.
    assert!(after.score > before.score, "rescored: {} -> {}", before.score, after.score);
    t.keys("q g g");
    assert_eq!(t.app.view, ViewId::Leads);
    let row = &t.app.leads.window.rows[0];
    assert_eq!(row.id, after.id);
    assert_eq!(row.last_contacted_at, Some(NOW));
}

#[test]
fn logging_a_touch_to_an_opted_out_lead_says_so() {
    let (_d, mut t) = driver(160, 48);
    t.keys("enter D");
    t.type_text("asked by email");
    t.keys("enter");
    assert!(t.app.detail.lead.as_ref().unwrap().do_not_contact);
    t.keys("l");
    let s = t.screen();
    assert!(s.contains("⊘ opted out"), "the form says so before the save: {s}");
    t.keys("enter");
    let s = t.screen();
    assert!(s.contains("must not be contacted: opted out"), "{s}");
    assert!(s.contains("recorded anyway"), "{s}");
}

#[test]
fn a_lead_with_long_values_still_shows_its_notes_at_80x24() {
    let (_d, mut t) = driver(80, 24);
    let id = t.app.leads.window.rows[0].id.clone();
    t.store
        .write(|db| {
            let patch = leadline::store::leads::LeadPatch {
                email: Some("alvaro.chen.4922@juniperhealth-international.example".into()),
                company: Some("Juniper Health International Holdings".into()),
                title: Some("Vice President of Regional Operations".into()),
                notes: Some("Prefers calls after 5pm".into()),
                ..Default::default()
            };
            leadline::store::leads::update(db, &id, patch)
        })
        .unwrap();
    t.keys("ctrl-r enter");
    let s = t.screen();
    assert!(s.contains("Notes Prefers calls after") && s.contains("│           5pm"), "{s}");
    assert!(s.contains("↓ more · }/{"), "what does not fit is said to be there, and how to see it: {s}");
    assert!(!s.contains("Created"), "{s}");
    // Scrolled to the end: the last field shows, and the way back up is said.
    t.keys("} } } }");
    let s = t.screen();
    assert!(s.contains("Created") && s.contains("↑ more · }/{"), "{s}");
    t.keys("{ { { {");
    assert!(t.screen().contains("Notes Prefers calls after"), "{}", t.screen());
}

#[test]
fn a_note_longer_than_the_pane_reads_whole_by_scrolling() {
    let (_d, mut t) = driver(80, 24);
    let id = t.app.leads.window.rows[0].id.clone();
    let note: String = (1..=30).map(|i| format!("Sentence {i}: met at the fair, wants pricing. ")).collect();
    t.store
        .write(|db| {
            let name = "\u{202e}Nora\u{2066} Notes".to_string();
            let patch = leadline::store::leads::LeadPatch {
                notes: Some(note.trim().into()),
                first_name: Some(name),
                ..Default::default()
            };
            leadline::store::leads::update(db, &id, patch)
        })
        .unwrap();
    t.keys("ctrl-r enter");
    let s = t.screen();
    assert!(s.contains("↓ more"), "{s}");
    // Nothing that would turn the line around reaches the terminal, in a title either.
    assert!(!s.contains('\u{202e}') && !s.contains('\u{2066}') && s.contains("Nora Notes"), "{s}");
    // The note goes below the other fields, which stay in sight at 80x24.
    assert!(s.contains("Tags ") && s.contains("Owner ") && !s.contains("Sentence 1:"), "{s}");
    let mut seen = false;
    for _ in 0..30 {
        t.keys("}");
        if t.screen().contains("30: met at the fair") {
            seen = true;
            break;
        }
    }
    assert!(seen, "the end of the note is never shown: {}", t.screen());
}

#[test]
fn a_tall_window_shows_a_long_note_whole_line_by_line() {
    let (_d, mut t) = driver(160, 48);
    let id = t.app.leads.window.rows[0].id.clone();
    let note = "Met at the Berlin SaaS conference; interested in the enterprise plan for all of their regional offices.\nCall after 5pm.\nBudget approved in Q3.";
    t.store
        .write(|db| {
            let patch = leadline::store::leads::LeadPatch { notes: Some(note.into()), ..Default::default() };
            leadline::store::leads::update(db, &id, patch)
        })
        .unwrap();
    t.keys("ctrl-r enter");
    let s = t.screen();
    for part in ["Met at the Berlin", "regional offices.", "Call after 5pm.", "Budget approved in Q3."] {
        assert!(s.contains(part), "{part}: {s}");
    }
}

#[test]
fn a_long_reply_reads_whole_under_the_timeline_at_80x24() {
    let (_d, mut t) = driver(80, 24);
    let id = t.app.leads.window.rows[0].id.clone();
    let reply = "¡Hola! Me interesa mucho la propuesta para las oficinas de Bilbao y Sevilla, ¿podemos hablar el martes \
                 por la tarde? Gracias, Álvaro";
    t.store
        .write(|db| {
            let mut o = leadline::store::outreach::NewOutreach::new(id.clone(), leadline::domain::OutreachKind::Email);
            o.direction = leadline::domain::Direction::Inbound;
            o.description = Some(reply.into());
            leadline::store::outreach::log(db, o)
        })
        .unwrap();
    t.keys("ctrl-r enter");
    // The newest entry is selected; the box under the timeline takes the lines it needs.
    let s = t.screen();
    for part in ["¡Hola! Me interesa", "Gracias, Álvaro"] {
        assert!(s.contains(part), "{part}: {s}");
    }
}

#[test]
fn a_meeting_to_come_is_not_asked_about_yet() {
    let (_d, mut t) = driver(80, 24);
    let id = t.app.leads.window.rows[0].id.clone();
    let at = leadline::domain::Timestamp(t.app.ctx.now().0 + 3 * 86_400_000);
    t.store.write(|db| leadline::store::meetings::schedule(db, &id, at, None, Some("Demo".into()))).unwrap();
    t.keys("ctrl-r enter");
    // The meeting to come is the newest entry, selected first.
    assert!(matches!(t.app.detail.timeline.first(), Some(leadline::store::timeline::Entry::Meeting(_))));
    t.keys("x");
    let s = t.screen();
    assert!(s.contains("has not happened yet") && !s.contains("no-show"), "{s}");
}

#[test]
fn the_palette_offers_what_acts_in_the_view_in_front() {
    let (_d, mut t) = driver(80, 24);
    let offered = |t: &Driver| -> Vec<Command> {
        match &t.app.popup {
            Some(leadline::tui::app::Popup::Palette(p)) => p.matches.clone(),
            other => panic!("no palette: {other:?}"),
        }
    };
    t.keys(":");
    let in_leads = offered(&t);
    assert!(in_leads.contains(&Command::SortNext) && !in_leads.contains(&Command::StageNext));
    t.keys("esc 2 :");
    let in_pipeline = offered(&t);
    assert!(in_pipeline.contains(&Command::StageNext) && !in_pipeline.contains(&Command::SortNext));
    // Moving between views and quitting are offered everywhere.
    assert!(in_pipeline.contains(&Command::ViewInbox) && in_pipeline.contains(&Command::Quit));
}

#[test]
fn what_a_keymap_may_bind_in_a_view_is_what_the_view_answers() {
    use leadline::tui::keymap::Scope;
    let (_d, mut t) = driver(80, 24);
    // Each view with something selected: what the palette offers there is what `config check` allows.
    for (keys, scope) in [
        ("1", Scope::Leads),
        ("1 enter", Scope::Detail),
        ("2", Scope::Pipeline),
        ("3", Scope::Inbox),
        ("4", Scope::Scoring),
        ("5", Scope::Followups),
    ] {
        t.keys(keys);
        assert_eq!(t.app.view.scope(), scope);
        let allowed: Vec<Command> = Command::ALL.iter().copied().filter(|c| scope.runs(*c)).collect();
        assert_eq!(t.app.commands_here(), allowed, "{}", scope.name());
    }
}

#[test]
fn the_timeline_selection_stays_on_its_entry_when_one_is_added_above() {
    let (_d, mut t) = driver(160, 48);
    // A lead with a history of a few entries.
    for _ in 0..30 {
        t.keys("enter");
        if t.app.detail.timeline.len() >= 3 {
            break;
        }
        t.keys("q j");
    }
    t.keys("j");
    let id = t.app.detail.lead.clone().unwrap().id;
    let key = |t: &Driver| {
        let (table, id) = t.app.detail.timeline[t.app.detail.selected].key();
        (table, id.to_string())
    };
    let before = key(&t);
    t.store.write(|db| leadline::store::notes::add(db, Some(&id), None, "a newer note")).unwrap();
    t.keys("ctrl-r");
    assert_eq!(t.app.detail.timeline[0].key().0, "note", "the new note is on top");
    assert_eq!(key(&t), before, "the selection did not move to another entry");
    // A touch the rep logs here is what they act on next (take it back, say): it is selected.
    t.keys("l enter");
    assert!(t.app.popup.is_none(), "{}", t.screen());
    let logged = leadline::store::outreach::for_lead(&t.store.db(), &id).unwrap();
    let newest = logged.iter().max_by_key(|o| o.created_at).unwrap();
    assert_eq!(key(&t), ("outreach", newest.id.to_string()));
    // Asked to take it back, the rep reads which touch it is, down to when it was logged, at 80x24 too.
    t.resize(80, 24);
    t.keys("X");
    let s = t.screen();
    let logged_at = format!("logged {}", NOW.local(t.app.ctx.tz));
    assert!(s.contains("Take back the outbound") && s.contains(&logged_at), "{s}");
}

#[test]
fn the_log_form_takes_what_the_scoring_rules_read_of_a_message() {
    let (_d, mut t) = driver(160, 48);
    t.keys("enter l");
    // Kind, Value, Direction, Reply, Note, When, then Variant.
    t.keys("tab tab tab tab tab tab");
    t.type_text("B");
    t.keys("tab right right right right right tab right enter");
    assert!(t.app.popup.is_none(), "{}", t.screen());
    let lead = t.app.detail.lead.clone().unwrap().id;
    let logged = leadline::store::outreach::for_lead(&t.store.db(), &lead).unwrap();
    let o = logged.first().expect("the touch is logged");
    assert_eq!((o.variant.as_deref(), o.personalization_level, o.cited_metric), (Some("B"), Some(4), true));
    // "now" in When is a default: what is typed replaces it; moved into, it is text to edit.
    t.keys("l");
    t.keys("tab tab tab tab tab");
    t.type_text("-1d");
    t.keys("enter");
    assert!(t.app.popup.is_none(), "{}", t.screen());
    let logged = leadline::store::outreach::for_lead(&t.store.db(), &lead).unwrap();
    assert!(logged.iter().any(|o| o.occurred_at == NOW.plus_days(-1)), "{logged:?}");
    t.keys("l");
    t.keys("tab tab tab tab tab home");
    t.type_text("x");
    assert!(t.screen().contains("When: x▏now"), "{}", t.screen());
}

#[test]
fn help_rows_too_long_for_the_screen_end_in_an_ellipsis() {
    let config =
        Config::from_layers(Some(("c.toml", "[keymap.inbox]\n\"R\" = \"reply\"\n")), &[]).expect("a keymap config");
    let (_d, mut t) = driver_with(50, 80, 24, config);
    t.keys("3 ?");
    let s = t.screen();
    let row = s.lines().find(|l| l.contains(" R  Reply")).unwrap_or_else(|| panic!("{s}"));
    // The whole description, or one cut with "…"; the command's name only when it fits too.
    assert!(row.contains("(logged; answers the conversation)") || row.contains('…'), "{row}");
    assert!(!row.contains("(reply") || row.contains("(reply)"), "{row}");
}

#[test]
fn help_scrolls_to_its_end_and_straight_back() {
    let (_d, mut t) = driver(80, 24);
    t.keys("? G");
    let end = match t.app.popup {
        Some(leadline::tui::app::Popup::Help { scroll }) => scroll,
        _ => panic!("help is open"),
    };
    assert!(end > 0, "the help is longer than the screen");
    t.keys("k");
    assert!(matches!(t.app.popup, Some(leadline::tui::app::Popup::Help { scroll }) if scroll == end - 1));
    t.keys("g g");
    assert!(matches!(t.app.popup, Some(leadline::tui::app::Popup::Help { scroll: 0 })));
}

#[test]
fn the_selection_stays_on_the_lead_a_write_moves() {
    // More leads than the window holds: from the end, the lead's new place is outside the held rows.
    let (_d, mut t) = driver_with(1_500, 160, 48, Config::defaults());
    // The lowest-ranked lead with an address; a positive reply lifts it far up the score ranking.
    t.keys("G");
    while t.app.leads.window.selected_lead().unwrap().email.is_none() {
        t.keys("k");
    }
    let lead = t.app.leads.window.selected_lead().unwrap().clone();
    let at = t.app.leads.window.selected_abs();
    t.keys("l tab tab tab right");
    t.keys("enter");
    assert!(t.app.popup.is_none(), "saved");
    let now = t.app.leads.window.selected_lead().unwrap().clone();
    assert_eq!(now.id, lead.id, "still on {} {}", lead.first_name, lead.last_name);
    assert!(now.score > lead.score, "rescored: {} -> {}", lead.score, now.score);
    assert_ne!(t.app.leads.window.selected_abs(), at, "it moved up the ranking, and the selection with it");
    assert_eq!(t.app.leads.window.selected_abs(), Some(0), "to the very top, with the rows above it known");
    let s = t.screen();
    assert!(s.contains(&format!("▶{}", now.first_name)) || s.contains(&now.first_name), "{s}");
}

#[test]
fn a_failed_save_keeps_the_input_and_names_the_field() {
    let (_d, mut t) = driver(80, 24);
    t.keys("enter l tab");
    t.clear_field();
    t.type_text("not-an-address");
    t.keys("enter");
    let Some(leadline::tui::app::Popup::Form(f)) = &t.app.popup else { panic!("the form stays open") };
    assert_eq!(f.value("Value"), "not-an-address");
    let err = f.error.clone().unwrap();
    assert!(err.contains("not-an-address"), "{err}");
    let entries = t.app.detail.timeline.len();
    t.keys("esc");
    assert_eq!(t.app.detail.timeline.len(), entries, "nothing was written");
}

#[test]
fn moving_a_card_across_the_kanban() {
    let (_d, mut t) = driver(160, 48);
    t.keys("2");
    assert_eq!(t.app.view, ViewId::Pipeline);
    let count = |t: &Driver, stage: &str| t.app.kanban.summary.iter().find(|s| s.stage == stage).unwrap().count;
    let (new0, contacted0) = (count(&t, "New"), count(&t, "Contacted"));
    let deal = t.app.kanban.selected_deal().unwrap().clone();
    assert_eq!(deal.stage, "New");
    t.keys("L");
    assert_eq!(count(&t, "New"), new0 - 1);
    assert_eq!(count(&t, "Contacted"), contacted0 + 1);
    // Focus and selection follow the card to its new column.
    assert_eq!(t.app.kanban.focus, 1);
    assert_eq!(t.app.kanban.selected_deal().map(|d| &d.id), Some(&deal.id));
    // Named with its lead: two leads' deals may share a title.
    assert!(t.screen().contains(&format!("'{}' ({}) moved to Contacted", deal.title, deal.lead_name)));
    // Won asks first.
    let before = t.app.kanban.selected_deal().unwrap().clone();
    t.keys("w");
    let s = t.screen();
    assert!(s.contains(&format!("({}) won?", before.lead_name)), "{s}");
    assert!(s.contains(" y/enter yes · n/esc no "), "{s}");
    t.keys("n");
    assert!(!t.screen().contains("won?"), "n answers no");
    assert_eq!(t.app.kanban.columns[1].deals[0].id, t.app.kanban.columns[1].deals[0].id);
    // y answers yes, as enter does.
    t.keys("w y");
    let won = count(&t, "Won");
    assert!(t.screen().contains(&format!("'{}' ({}) moved to Won", before.title, before.lead_name)));
    assert!(won >= 1);
    // A won deal marked won again: said so, nothing asked.
    t.keys("G l l l l l l l l");
    for _ in 0..8 {
        if t.app.kanban.selected_deal().is_some_and(|d| d.status == leadline::domain::DealStatus::Won) {
            break;
        }
        t.keys("h");
    }
    t.keys("w");
    assert!(t.screen().contains("is already won"), "{}", t.screen());
}

#[test]
fn a_card_move_is_undone_back_to_where_it_was_a_loss_after_asking() {
    let (_d, mut t) = driver(160, 48);
    t.keys("2");
    let stage_of = |t: &Driver, id: &leadline::domain::DealId| {
        t.app.kanban.columns.iter().flat_map(|c| &c.deals).find(|d| &d.id == id).map(|d| d.stage.clone())
    };
    t.keys("u");
    assert!(t.screen().contains("No card was moved here to undo"), "{}", t.screen());
    let deal = t.app.kanban.selected_deal().unwrap().clone();
    assert_eq!(deal.stage, "New");
    t.keys("L L");
    assert_eq!(stage_of(&t, &deal.id).as_deref(), Some("Discovery"));
    t.keys("u");
    assert_eq!(stage_of(&t, &deal.id).as_deref(), Some("Contacted"), "one move back at a time");
    // Lost by a mis-press from Contacted: undone, asked first, back to Contacted (not the last open stage).
    t.keys("x");
    t.type_text("oops");
    t.keys("enter");
    assert_eq!(stage_of(&t, &deal.id).as_deref(), Some("Lost"));
    t.keys("u");
    let s = t.screen();
    assert!(s.contains("from Lost back to") && s.contains("Contacted, open again?"), "{s}");
    t.keys("y");
    assert_eq!(stage_of(&t, &deal.id).as_deref(), Some("Contacted"));
    t.keys("u");
    assert_eq!(stage_of(&t, &deal.id).as_deref(), Some("New"), "the undo's own move is not undone in turn");
    t.keys("u");
    assert!(t.screen().contains("No card was moved here to undo"), "{}", t.screen());
    // Back in New, it has its time there again, not a fresh start, and its place in the column.
    let card = t.app.kanban.columns.iter().flat_map(|c| &c.deals).find(|d| d.id == deal.id).unwrap().clone();
    assert_eq!((card.stage_entered_at, card.position), (deal.stage_entered_at, deal.position));
    assert_eq!(t.app.kanban.columns[0].deals[0].id, deal.id, "first in New, as it was");
    // Two moves pressed before the first is written are two moves to undo.
    t.keys_at_once("L L");
    assert_eq!(stage_of(&t, &deal.id).as_deref(), Some("Discovery"));
    t.keys("u u");
    assert_eq!(stage_of(&t, &deal.id).as_deref(), Some("New"));
    // And two undos pressed before the first is written undo two moves.
    t.keys("L L");
    t.keys_at_once("u u");
    assert_eq!(stage_of(&t, &deal.id).as_deref(), Some("New"), "{}", t.screen());
    t.keys("u");
    assert!(t.screen().contains("No card was moved here to undo"), "{}", t.screen());
    // A win undone is asked; answered no, it stays to undo.
    t.keys("w y");
    assert_eq!(stage_of(&t, &deal.id).as_deref(), Some("Won"));
    t.keys("u esc u");
    assert!(t.screen().contains("from Won back to"), "{}", t.screen());
    t.keys("y");
    assert_eq!(stage_of(&t, &deal.id).as_deref(), Some("New"));
    // A deal removed elsewhere meanwhile is said in words.
    t.keys("L");
    let lead = deal.lead_id.clone();
    t.store.write(|db| leadline::store::leads::remove(db, &lead)).unwrap();
    t.keys("u");
    assert!(t.screen().contains("removed meanwhile"), "{}", t.screen());
}

/// A column of thousands of won deals: read to its end, it stays read so after a refresh; a deal won then
/// lands at its end, is followed there, shown won at once, and its win is undone asking first.
#[test]
fn a_long_column_stays_whole_and_a_win_at_its_end_can_be_undone() {
    let (_d, mut t) = driver(160, 48);
    t.store
        .conn()
        .execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5200)
             INSERT INTO deals (id, team_id, lead_id, title, amount_minor, currency, stage, position, status,
                                closed_at, stage_entered_at, created_at, updated_at)
             SELECT 'bulk-' || i, d.team_id, d.lead_id, 'Bulk ' || i, 100, 'EUR', 'Won', 100000 + i, 'won', 0, 0, 0, 0
             FROM n, (SELECT team_id, lead_id FROM deals LIMIT 1) d;",
        )
        .unwrap();
    t.keys("2");
    let won = t.app.kanban.summary.iter().position(|s| s.stage == "Won").unwrap();
    let in_won = |t: &Driver| t.app.kanban.summary[won].count as usize;
    for _ in 0..won {
        t.keys("l");
    }
    t.keys("G");
    assert_eq!(t.app.kanban.columns[won].deals.len(), in_won(&t));
    t.keys("ctrl-r");
    assert_eq!(t.app.kanban.columns[won].deals.len(), in_won(&t), "read as far again");
    // A deal of New won: followed to the end of Won, won on screen at once.
    t.keys("g g");
    for _ in 0..won {
        t.keys("h");
    }
    let deal = t.app.kanban.selected_deal().unwrap().clone();
    t.keys("w y");
    let shown = t.app.kanban.selected_deal().unwrap().clone();
    assert_eq!((shown.id.clone(), shown.status), (deal.id.clone(), leadline::domain::DealStatus::Won));
    t.keys("ctrl-r u");
    assert!(t.screen().contains("from Won back to"), "{}", t.screen());
    t.keys("y");
    let back = t.app.kanban.columns.iter().flat_map(|c| &c.deals).find(|d| d.id == deal.id).unwrap().clone();
    assert_eq!(back.stage, "New");
}

#[test]
fn back_from_a_lost_deal_reopens_it_and_never_marks_it_won() {
    let (_d, mut t) = driver(160, 48);
    t.keys("2");
    for _ in 0..12 {
        t.keys("l");
    }
    let lost = t.app.kanban.selected_deal().expect("a lost deal in the demo").clone();
    assert_eq!(lost.stage, "Lost");
    t.keys("H");
    let s = t.screen();
    assert!(!s.contains(") won?"), "{s}");
    assert!(s.contains("Reopen"), "{s}");
}

#[test]
fn a_reopen_undone_closes_the_deal_again_as_of_when_and_why_it_was_lost() {
    let (_d, mut t) = driver(160, 48);
    t.keys("2");
    for _ in 0..12 {
        t.keys("l");
    }
    let lost = t.app.kanban.selected_deal().expect("a lost deal in the demo").clone();
    assert!(lost.lost_reason.is_some() && lost.closed_at.is_some(), "{lost:?}");
    t.keys("H y");
    let get = |t: &Driver| leadline::store::deals::get(&t.store.db(), &lost.id).unwrap();
    assert_eq!(get(&t).status, leadline::domain::DealStatus::Open);
    // Undone: asked, with the reason it had offered again; lost as of when it was, not now.
    t.keys("u");
    let reason = lost.lost_reason.clone().unwrap();
    assert!(t.screen().contains(&reason), "{}", t.screen());
    t.keys("enter");
    let again = get(&t);
    assert_eq!(again.status, leadline::domain::DealStatus::Lost);
    assert_eq!((again.closed_at, again.stage_entered_at), (lost.closed_at, lost.stage_entered_at));
    assert_eq!(again.lost_reason, lost.lost_reason);
}

#[test]
fn a_refresh_reads_everything_again_after_changes_made_elsewhere() {
    let (_d, mut t) = driver(160, 48);
    t.keys("enter");
    let id = t.app.detail.lead.clone().unwrap().id;
    let unread = t.app.inbox_counts.0;
    // Another terminal removes the lead and logs a reply from someone else.
    t.store
        .write(|db| {
            leadline::store::leads::remove(db, &id)?;
            let other = leadline::domain::LeadId(db.conn.query_row(
                "SELECT id FROM leads WHERE id != ?1 AND deleted_at IS NULL ORDER BY seq LIMIT 1",
                [id.as_str()],
                |r| r.get(0),
            )?);
            let mut reply = leadline::store::outreach::NewOutreach::new(other, leadline::domain::OutreachKind::Email);
            reply.direction = leadline::domain::Direction::Inbound;
            leadline::store::outreach::log(db, reply)
        })
        .unwrap();
    t.keys("ctrl-r");
    assert!(t.app.detail.lead.is_none(), "the removed lead is no longer shown");
    assert!(t.screen().contains("not found"));
    assert_eq!(t.app.inbox_counts.0, unread + 1, "the status line's counts are read again");
}

#[test]
fn reordering_cards_within_a_column() {
    let (_d, mut t) = driver(160, 48);
    t.keys("2");
    let first = t.app.kanban.columns[0].deals[0].id.clone();
    t.keys("J");
    assert_eq!(t.app.kanban.columns[0].deals[1].id, first);
    assert_eq!(t.app.kanban.columns[0].selected, 1);
    t.keys("K");
    assert_eq!(t.app.kanban.columns[0].deals[0].id, first);
    // Held down: each press moves the same card on, even before the column is read back.
    let order: Vec<_> = t.app.kanban.columns[0].deals.iter().map(|d| d.id.clone()).collect();
    t.keys_at_once("J J J");
    let now: Vec<_> = t.app.kanban.columns[0].deals.iter().map(|d| d.id.clone()).collect();
    assert_eq!(now[3], first);
    assert_eq!(now[..3], order[1..4], "the cards it passed keep their order");
    assert_eq!(t.app.kanban.columns[0].selected, 3);
    // `u` moves it back a place at a time, as far as it came (J then K, above, was no move to undo).
    t.keys("u");
    assert_eq!(t.app.kanban.columns[0].deals[2].id, first);
    t.keys("u u");
    let back: Vec<_> = t.app.kanban.columns[0].deals.iter().map(|d| d.id.clone()).collect();
    assert_eq!(back[..4], order[..4]);
    t.keys("u");
    assert!(t.screen().contains("No card was moved here to undo"), "{}", t.screen());
    // Two alike moves, undone by two presses before the first undo is written: both are undone.
    t.keys("g g J J");
    t.keys_at_once("u u");
    assert_eq!(t.app.kanban.columns[0].deals[0].id, first);
}

#[test]
fn the_selection_stays_on_its_card_when_the_column_changes_elsewhere() {
    let (_d, mut t) = driver(160, 48);
    t.keys("2 l l");
    let column = t.app.kanban.focus;
    assert!(t.app.kanban.columns[column].deals.len() > 3);
    t.keys("j j");
    let mine = t.app.kanban.selected_deal().unwrap().id.clone();
    // Another terminal moves the column's first card on: the rows below it go up one.
    let first = t.app.kanban.columns[column].deals[0].id.clone();
    t.store.write(|db| leadline::store::deals::move_to(db, &first, "Negotiation", None).map(|_| ())).unwrap();
    t.keys("ctrl-r");
    assert_eq!(t.app.kanban.selected_deal().map(|d| d.id.clone()), Some(mine));
}

#[test]
fn a_card_move_refused_leaves_the_selection_in_its_column() {
    let (_d, mut t) = driver(160, 48);
    t.keys("2 j");
    // Its lead is removed from another terminal, and its open deal with it.
    let card = t.app.kanban.columns[0].deals[1].clone();
    let gone = card.id.clone();
    t.store.write(|db| leadline::store::leads::remove(db, &card.lead_id)).unwrap();
    t.keys("L");
    let screen = t.screen();
    assert_eq!(t.app.kanban.focus, 0, "{screen}");
    assert!(t.app.kanban.columns[0].deals.iter().all(|d| d.id != gone));
    assert!(screen.contains("removed meanwhile"), "the refusal is said: {screen}");
}

#[test]
fn a_card_moved_twice_quickly_goes_two_stages_on() {
    let (_d, mut t) = driver(160, 48);
    t.keys("2");
    let card = t.app.kanban.columns[0].deals[0].id.clone();
    let stages = t.app.ctx.stages.names().to_vec();
    t.keys_at_once("L L");
    let deal = leadline::store::deals::get(&t.store.db(), &card).unwrap();
    assert_eq!(deal.stage, stages[2]);
    assert_eq!(t.app.kanban.focus, 2, "the focus went with the card");
    assert_eq!(t.app.kanban.selected_deal().map(|d| d.id.clone()), Some(card));
}

#[test]
fn search_narrows_the_table_as_you_type() {
    let (_d, mut t) = driver(160, 48);
    assert_eq!(t.app.leads.window.total, Some(300));
    let name = t.app.leads.window.rows[3].first_name.clone();
    t.keys("/");
    t.type_text(&name[..3]);
    let partial = t.app.leads.window.total.unwrap();
    t.type_text(&name[3..]);
    let full = t.app.leads.window.total.unwrap();
    assert!(full < 300 && full <= partial && full >= 1, "{partial} {full}");
    assert!(t.app.leads.window.rows.iter().all(|l| {
        let hay = format!("{} {} {:?} {:?} {:?}", l.first_name, l.last_name, l.email, l.company, l.tags).to_lowercase();
        hay.contains(&name.to_lowercase())
    }));
    let s = t.screen();
    assert!(s.contains(&format!("search:\"{name}\"")), "{s}");
    // While searching, matches come newest first (the index's order), and the header says so.
    assert!(s.contains("newest matches first"), "{s}");
    let seqs: Vec<i64> = t.app.leads.window.rows.iter().map(|l| l.seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] > w[1]), "{seqs:?}");
    t.keys("esc");
    assert_eq!(t.app.leads.window.total, Some(300));
    assert!(t.screen().contains("sort score"));
    // A search kept with Enter is cleared by Esc; Esc never quits, nor does Enter on the bare palette.
    t.keys("/");
    t.type_text(&name);
    t.keys("enter esc");
    assert!(!t.app.quit);
    assert_eq!(t.app.leads.window.total, Some(300));
    t.keys("esc f esc : enter");
    assert!(!t.app.quit);
    t.keys("q");
    assert!(t.app.quit, "q still quits from the leads table");
    // Whatever views were visited before coming back to the table.
    let (_d, mut t) = driver(80, 24);
    t.keys("2 3 1 q");
    assert!(t.app.quit, "q quits from the leads table after other views");
    // Back from another view goes where the rep came from.
    let (_d, mut t) = driver(80, 24);
    t.keys("2 3 q");
    assert_eq!(t.app.view, ViewId::Pipeline);
}

/// `/` on a kept search: what is typed starts a new search; a key that moves or deletes edits the kept one.
#[test]
fn a_kept_search_is_replaced_by_typing_and_edited_by_the_arrows() {
    let (_d, mut t) = driver(120, 30);
    let (first, second) =
        (t.app.leads.window.rows[0].first_name.clone(), t.app.leads.window.rows[1].first_name.clone());
    t.keys("/");
    t.type_text(&first);
    t.keys("enter /");
    t.type_text(&second);
    assert_eq!(t.app.leads.window.filter.text.as_deref(), Some(second.as_str()));
    t.keys("enter / end");
    t.type_text("zz");
    assert_eq!(t.app.leads.window.filter.text, Some(format!("{second}zz")));
    t.keys("enter / backspace backspace");
    assert_eq!(t.app.leads.window.filter.text.as_deref(), Some(second.as_str()));
}

#[test]
fn search_counts_stop_at_the_cap() {
    use leadline::store::leads::{LeadFilter, MATCH_COUNT_CAP};
    use leadline::tui::window::LeadWindow;
    use leadline::tui::worker::Slot;
    let mut w = LeadWindow::new(Slot::Leads, Default::default());
    w.total = Some(MATCH_COUNT_CAP + 1);
    assert_eq!(w.total_label().unwrap(), "10,001", "without search the count is exact");
    w.filter = LeadFilter { text: Some("ma".into()), ..Default::default() };
    assert_eq!(w.total_label().unwrap(), "10,000+");
    assert_eq!(w.exact_total(), None);
    w.total = Some(42);
    assert_eq!(w.total_label().unwrap(), "42");
}

#[test]
fn filters_sort_and_jumps_on_the_virtual_table() {
    let (_d, mut t) = driver_with(700, 120, 40, Config::defaults());
    t.keys("G");
    let s = t.screen();
    assert!(s.contains("700 of 700"), "{s}");
    // The last lead sits on the table's bottom line, with the leads before it above.
    let lines: Vec<&str> = s.lines().collect();
    let at = lines.iter().position(|l| l.contains('▶')).unwrap();
    assert!(lines[at + 1].contains('╰') && at > 10, "{s}");
    assert!(t.app.leads.window.rows.len() <= leadline::tui::window::MAX_ROWS);
    t.keys("k k ctrl-b");
    assert!(t.screen().contains(&format!("{} of 700", 700 - 2 - t.app.page())));
    t.keys("g g");
    assert!(t.screen().contains("1 of 700"));
    // Scroll far down through several pages: the window keeps a bounded number of rows.
    for _ in 0..20 {
        t.keys("ctrl-f");
    }
    assert!(t.app.leads.window.rows.len() <= leadline::tui::window::MAX_ROWS);
    t.keys("s");
    assert!(t.screen().contains("sort priority"));
    t.keys("s");
    assert!(t.screen().contains("sort last-contact"));
    // The tag filter lists the tags in use, those holding what is typed; → takes the one it starts.
    t.keys("f t");
    let s = t.screen();
    assert!(s.contains("in use: ") && s.contains("hot"), "{s}");
    t.type_text("zzz");
    assert!(t.screen().contains("no tag in use holds this"));
    t.clear_field();
    t.type_text("ho");
    t.keys("right");
    let Some(leadline::tui::app::Popup::Form(f)) = &t.app.popup else { panic!("the filter stays open") };
    assert_eq!(f.fields[0].value, "hot");
    t.keys("enter");
    let hot = t.app.leads.window.total.unwrap();
    assert!(hot > 0 && hot < 700);
    assert!(t.app.leads.window.rows.iter().all(|l| l.tags.iter().any(|x| x == "hot")));
    t.keys("f c");
    assert_eq!(t.app.leads.window.total, Some(700));
}

#[test]
fn a_long_stage_name_gives_way_to_its_count_and_a_view_key_does_not_close_the_keys_overlay() {
    let mut config = Config::defaults();
    config.pipeline.stages[0] = "Initial outreach and qualification of the account".into();
    config.keymap.0.insert("scoring".into(), [("j".to_string(), "pane_down".to_string())].into());
    let (_d, mut t) = driver_with(100, 80, 24, config);
    t.keys("2");
    let s = t.screen();
    let title = s.lines().find(|l| l.contains("Initial outreach")).unwrap_or_default().to_string();
    assert!(title.contains("Initial outreach") && title.contains('…') && title.contains(") ›"), "{s}");
    // Over the keys overlay the global keys act: the scoring view's own `j` scrolls it, not closes it.
    t.keys("4 ?");
    t.keys("j");
    assert!(matches!(t.app.popup, Some(leadline::tui::app::Popup::Help { scroll: 1 })), "{}", t.screen());
}

#[test]
fn palette_runs_commands_and_help_lists_user_bindings() {
    let mut config = Config::defaults();
    config.keymap.0.insert("global".into(), [("ctrl-p".to_string(), "view_pipeline".to_string())].into());
    let (_d, mut t) = driver_with(100, 100, 30, config);
    t.keys(":");
    t.type_text("inbox");
    t.keys("enter");
    assert_eq!(t.app.view, ViewId::Inbox);
    t.keys("ctrl-p");
    assert_eq!(t.app.view, ViewId::Pipeline);
    t.keys("?");
    t.keys("pagedown");
    let s = t.screen();
    assert!(s.contains("ctrl-p") || s.contains("Keys · pipeline"), "{s}");
    t.keys("esc q");
    assert_eq!(t.app.view, ViewId::Inbox, "q goes back");
}

#[test]
fn inbox_handles_and_replies() {
    let (_d, mut t) = driver(160, 48);
    t.keys("3");
    let unhandled = t.app.inbox.items.len();
    assert!(unhandled > 0);
    let item = t.app.inbox.selected_item().unwrap().clone();
    t.keys("a");
    let s = t.screen();
    assert!(s.contains("Assigned to Sales Rep"), "{s}");
    // The list says whose it is.
    assert!(s.lines().any(|l| l.contains('▶') && l.contains("→ Sales Rep · ")), "{s}");
    t.keys("space");
    assert_eq!(t.app.inbox.items.len(), unhandled - 1);
    assert!(t.app.inbox.items.iter().all(|i| i.id != item.id));
    // Reply on the same channel: logged as outbound outreach, the item handled.
    let next = t.app.inbox.selected_item().unwrap().clone();
    if let Some(kind) = next.channel {
        let _ = kind;
        t.keys("r tab");
        t.type_text("Thanks, sending details");
        t.keys("enter");
        let s = t.screen();
        assert!(s.contains("Reply logged as"), "{s}");
        assert_eq!(t.app.inbox.items.len(), unhandled - 2);
    }
}

#[test]
fn followups_done_and_snooze() {
    let (_d, mut t) = driver(160, 48);
    t.keys("5");
    let n = t.app.followups.data.tasks.len();
    assert!(n > 0, "demo data has tasks due");
    let first = t.app.followups.data.tasks[0].clone();
    t.keys("space");
    assert!(t.app.followups.data.tasks.iter().all(|x| x.id != first.id));
    // A done pressed by mistake is undone, and done again.
    t.keys("u");
    let s = t.screen();
    assert_eq!(t.app.followups.data.tasks[0].id, first.id, "{s}");
    assert!(s.contains("Open again"), "{s}");
    t.keys("u");
    assert!(t.screen().contains("No task was marked done here to undo"), "{}", t.screen());
    // Done meanwhile elsewhere (a colleague): said, and `u` does not open the colleague's work again.
    t.store.write(|db| leadline::store::tasks::done(db, &first.id)).unwrap();
    t.keys("space");
    assert!(t.screen().contains("was already done"), "{}", t.screen());
    t.keys("u");
    assert!(t.screen().contains("No task was marked done here to undo"), "{}", t.screen());
    let task = t.store.write(|db| leadline::store::tasks::get(db, &first.id)).unwrap();
    assert!(task.done_at.is_some());
    // Marked done here, then opened and done again elsewhere: undo leaves the colleague's done alone.
    let next = t.app.followups.data.tasks[0].clone();
    t.keys("space");
    let later = NOW.plus_hours(1);
    t.store.set_clock(leadline::domain::Clock::Fixed(later));
    t.store.write(|db| leadline::store::tasks::reopen(db, &next.id)).unwrap();
    t.store.write(|db| leadline::store::tasks::done(db, &next.id)).unwrap();
    t.store.set_clock(leadline::domain::Clock::Fixed(NOW));
    t.keys("u");
    assert!(t.screen().contains("was done again meanwhile"), "{}", t.screen());
    let task = t.store.write(|db| leadline::store::tasks::get(db, &next.id)).unwrap();
    assert_eq!(task.done_at, Some(later));
    let second = t.app.followups.data.tasks[0].clone();
    t.keys("z");
    t.clear_field();
    t.type_text("+30d");
    t.keys("enter");
    assert!(t.app.followups.data.tasks.iter().all(|x| x.id != second.id), "snoozed past this week");
    // Snoozed into this week, further down the list: the selection stays on its row, the next task.
    let (third, fourth) = (t.app.followups.data.tasks[0].clone(), t.app.followups.data.tasks[1].clone());
    t.keys("z");
    t.clear_field();
    t.type_text(&fourth.effective_due().plus_hours(1).to_rfc3339());
    t.keys("enter");
    let at = t.app.followups.data.tasks.iter().position(|x| x.id == third.id);
    assert_eq!(at, Some(1), "after the next one, still this week: {}", t.screen());
    assert_eq!(t.app.followups.selected[0], 0);
    assert_eq!(t.app.followups.data.tasks[0].id, fourth.id);
    t.keys("tab");
    assert_eq!(t.app.followups.focus, 1);
    if let Some(l) = t.app.followups.data.losing.first().cloned() {
        t.keys("enter");
        assert_eq!(t.app.detail.lead_id, Some(l.id));
    }
}

#[test]
fn done_pressed_faster_than_the_list_is_read_back_marks_the_next_tasks() {
    let (_d, mut t) = driver(160, 48);
    t.keys("5");
    let first: Vec<_> = t.app.followups.data.tasks.iter().take(3).map(|x| x.id.clone()).collect();
    assert_eq!(first.len(), 3, "demo data has tasks due");
    t.keys_at_once("space space space");
    for id in &first {
        let task = t.store.write(|db| leadline::store::tasks::get(db, id)).unwrap();
        assert!(task.done_at.is_some(), "{} was not marked done", task.title);
    }
    assert_eq!(t.app.followups.done_here, first);
}

#[test]
fn a_task_due_in_days_is_snoozed_as_offered() {
    let (_d, mut t) = driver(160, 48);
    t.keys("5");
    let later = t.app.followups.data.tasks.iter().position(|x| x.due_at >= NOW.plus_days(2)).expect("a task due later");
    let task = t.app.followups.data.tasks[later].clone();
    for _ in 0..later {
        t.keys("j");
    }
    // What the form offers is a day after it is due: taken as it is, it puts the task off.
    t.keys("z");
    let offered = task.due_at.plus_days(1).local(t.app.ctx.tz);
    assert!(t.screen().contains(&format!("Until: {offered}")), "{}", t.screen());
    t.keys("enter");
    assert!(t.app.popup.is_none(), "{}", t.screen());
    let snoozed = t.app.followups.data.tasks.iter().find(|x| x.id == task.id).and_then(|x| x.snoozed_until);
    assert_eq!(snoozed.map(|s| s.local(t.app.ctx.tz)), Some(offered));
}

#[test]
fn a_touch_logged_by_mistake_is_taken_back_from_the_lead_page() {
    let (_d, mut t) = driver(160, 48);
    t.keys("enter");
    let touches = |t: &Driver| {
        t.app.detail.timeline.iter().filter(|e| matches!(e, leadline::store::timeline::Entry::Outreach(_))).count()
    };
    let before = touches(&t);
    let first = t.app.detail.timeline.iter().position(|e| matches!(e, leadline::store::timeline::Entry::Outreach(_)));
    for _ in 0..first.expect("a touch in the demo lead's timeline") {
        t.keys("j");
    }
    // Asked first, saying which touch and what goes with it; esc keeps it.
    t.keys("X");
    assert!(t.screen().contains("Take back the "), "{}", t.screen());
    t.keys("esc");
    assert_eq!(touches(&t), before);
    t.keys("X enter");
    assert_eq!(touches(&t), before - 1, "{}", t.screen());
    assert!(t.screen().contains("Taken back: the "), "{}", t.screen());
    // One taken back elsewhere while the question is open: said so, and the question closes.
    t.keys("X");
    let asked = match &t.app.popup {
        Some(leadline::tui::app::Popup::Form(f)) => match &f.purpose {
            leadline::tui::forms::Purpose::Unlog { touch } => touch.clone(),
            _ => panic!("the question is about a touch"),
        },
        _ => panic!("asked first"),
    };
    t.store.write(|db| leadline::store::outreach::remove(db, &asked)).unwrap();
    t.keys("enter");
    assert!(t.app.popup.is_none(), "{}", t.screen());
    assert!(t.screen().contains("taken back meanwhile, elsewhere"), "{}", t.screen());
    // Anything but a touch is not taken back this way.
    let note = t.app.detail.timeline.iter().position(|e| !matches!(e, leadline::store::timeline::Entry::Outreach(_)));
    if let Some(i) = note {
        t.keys("g g");
        for _ in 0..i {
            t.keys("j");
        }
        t.keys("X");
        assert!(t.screen().contains("Select a touch in the timeline first"), "{}", t.screen());
    }
}

#[test]
fn detail_actions_task_note_meeting_deal_edit_dnc() {
    let (_d, mut t) = driver(160, 48);
    t.keys("enter");
    let n0 = t.app.detail.timeline.len();
    t.keys("t enter");
    t.keys("n");
    t.type_text("Prefers calls after 16:00");
    // A meeting that has begun (one still ahead cannot be marked attended yet).
    t.keys("enter m");
    t.clear_field();
    t.type_text("-1h");
    t.keys("enter d tab");
    t.type_text("900");
    t.keys("enter");
    assert_eq!(t.app.detail.timeline.len(), n0 + 4, "task, note, meeting and deal");
    let s = t.screen();
    assert!(s.contains("✎ note Prefers calls after 16:00"), "{s}");
    // The scheduled meeting is selectable and can be marked attended.
    let i =
        t.app.detail.timeline.iter().position(|e| matches!(e, leadline::store::timeline::Entry::Meeting(_))).unwrap();
    // From the top: the selection stayed on its entry as the new ones came in above it.
    t.keys("g g");
    for _ in 0..i {
        t.keys("j");
    }
    t.keys("a");
    let s = t.screen();
    assert!(s.contains("Meeting marked attended"), "{s}");
    t.keys("e");
    for _ in 0..6 {
        t.keys("tab");
    }
    t.clear_field();
    t.type_text("Head of Sales");
    t.keys("enter");
    assert_eq!(t.app.detail.lead.as_ref().unwrap().title.as_deref(), Some("Head of Sales"));
    // Another address the person is known by, listed under the one they are written to.
    t.keys("e tab tab tab");
    t.type_text("Lead.Home@Example.org");
    t.keys("enter");
    assert_eq!(t.app.detail.lead.as_ref().unwrap().other_emails, ["Lead.Home@Example.org"]);
    let s = t.screen();
    assert!(s.contains("Also Lead.Home@Example.org"), "{s}");
    t.keys("D");
    t.type_text("asked to be removed");
    t.keys("enter");
    assert!(t.app.detail.lead.as_ref().unwrap().do_not_contact);
    // Lifting the opt-out asks first; Esc keeps it.
    t.keys("D");
    assert!(t.screen().contains("opted out (asked to be removed). Contact them again?"), "{}", t.screen());
    t.keys("esc");
    assert!(t.app.detail.lead.as_ref().unwrap().do_not_contact);
    t.keys("D");
    t.type_text("signed up again at the fair");
    t.keys("enter");
    assert!(!t.app.detail.lead.as_ref().unwrap().do_not_contact);
    // Both changes are in the privacy record, with the reason given.
    let lead = t.app.detail.lead.as_ref().unwrap().id.to_string();
    let log: Vec<(String, Option<String>)> = t
        .store
        .conn()
        .prepare("SELECT action, reason FROM privacy_log WHERE lead_id = ?1 ORDER BY created_at, rowid")
        .unwrap()
        .query_map([lead], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let opt_in = ("opt_in".into(), Some("signed up again at the fair".into()));
    assert_eq!(log, [("opt_out".into(), Some("asked to be removed".into())), opt_in]);
    // A meeting booked ahead is the page's next meeting, whatever the timeline holds above it.
    assert!(!t.screen().contains("Booked"), "{}", t.screen());
    t.keys("m");
    t.clear_field();
    t.type_text("+2d");
    t.keys("enter");
    let s = t.screen();
    assert!(s.contains("Booked") && s.contains("(in 2d)"), "{s}");
}

#[test]
fn scoring_panel_explains_the_selected_lead_rule_by_rule() {
    use leadline::tui::action::Action;
    use leadline::tui::worker::Response;
    let (_d, mut t) = driver(160, 48);
    t.update(leadline::tui::action::Action::RunAutomations);
    t.keys("4");
    assert_eq!(t.app.view, ViewId::Scoring);
    let first = t.app.scoring.window.selected_lead().unwrap().clone();
    let (id, e) = t.app.scoring.explained.clone().expect("the worker explained the first lead");
    assert_eq!(id, first.id);
    let e = e.unwrap();
    assert_eq!(e.rules.iter().map(|c| c.points).sum::<i64>(), e.score);
    assert_eq!(e.score, first.score, "after the timer's first run the stored score is the one the rules give");
    assert!(e.score > 0, "the top lead has points to explain");
    let s = t.screen();
    assert!(s.contains(&format!("Why {} scores {}", first.name(), first.score)), "{s}");
    for c in e.rules.iter().filter(|c| c.applies) {
        assert!(s.contains(&format!("{:>+3} ✓ {}", c.points, c.rule)), "{s}");
    }
    for c in e.rules.iter().filter(|c| !c.applies) {
        assert!(s.contains(&format!("✗ {}", c.rule)), "{s}");
    }
    // Another lead: another explanation, of that lead.
    t.keys("j");
    let second = t.app.scoring.window.selected_lead().unwrap().clone();
    assert_ne!(second.id, first.id);
    let (id2, e2) = t.app.scoring.explained.clone().unwrap();
    assert_eq!(id2, second.id);
    assert_eq!(e2.unwrap().score, second.score);
    let s = t.screen();
    assert!(s.contains(&format!("Why {} scores {}", second.name(), second.score)), "{s}");
    // A late answer about the lead left behind is dropped.
    t.update(Action::Response(Box::new(Response::Explained { lead: first.id.clone(), result: Ok(Box::new(e)) })));
    assert_eq!(t.app.scoring.explained.as_ref().unwrap().0, second.id);
    // While the answer is on its way the panel says so.
    t.app.scoring.explained = None;
    assert!(t.screen().contains("working out why…"));
}

#[test]
fn scoring_panel_shows_health_and_priority_for_customers() {
    let (_d, mut t) = driver(160, 48);
    t.keys("4");
    let customer = t.app.scoring.window.rows.iter().position(|l| l.lifecycle == "customer");
    let Some(i) = customer else { panic!("the demo data has customers") };
    for _ in 0..i {
        t.keys("j");
    }
    let (_, e) = t.app.scoring.explained.clone().unwrap();
    let e = e.unwrap();
    let health = e.health.expect("customers get a health score");
    let s = t.screen();
    assert!(s.contains(&format!("Score {} · health {health} · priority {}", e.score, e.priority)), "{s}");
    assert!(s.contains("Health"), "{s}");
}

#[test]
fn the_minute_timer_runs_time_based_automations_and_says_what_it_did() {
    use leadline::domain::OutreachKind;
    use leadline::domain::time::HOUR_MS;
    use leadline::store::outreach::{self, NewOutreach};
    use leadline::tui::action::Action;
    let (_d, mut t) = driver(160, 48);
    // Idle waits for the minute timer, not in a loop.
    let wait = t.app.next_deadline().unwrap().saturating_duration_since(std::time::Instant::now());
    assert!(wait > std::time::Duration::from_secs(50), "{wait:?}");
    // The demo's own backlog first, then an outbound e-mail 49 hours ago with no reply.
    t.update(Action::RunAutomations);
    assert!(t.app.toast.as_ref().is_some_and(|(k, _)| k.text.starts_with("Automations: ")), "{:?}", t.app.toast);
    t.app.toast = None;
    t.keys("5");
    let tasks_before = t.app.followups.data.tasks.len();
    let quiet = |l: &&leadline::store::leads::Lead| l.last_contacted_at.is_none_or(|c| c.0 < NOW.0 - 50 * HOUR_MS);
    let lead = t.app.leads.window.rows.iter().find(quiet).expect("a lead not contacted lately").clone();
    // The touch is the bump owed for earlier ones: those of this lead are done by it.
    let bumps_of = |t: &Driver| {
        let of_lead = |k: &&leadline::store::tasks::Task| k.lead_id.as_deref() == Some(lead.id.as_str());
        let bump = |k: &&leadline::store::tasks::Task| k.kind == leadline::domain::TaskKind::Bump;
        t.app.followups.data.tasks.iter().filter(of_lead).filter(bump).count()
    };
    let tasks_before = tasks_before - bumps_of(&t);
    t.store
        .write(|db| {
            let mut o = NewOutreach::new(lead.id.clone(), OutreachKind::Email);
            o.value = lead.email.clone().or(Some("x@example.com".into()));
            o.occurred_at = Some(Timestamp(NOW.0 - 49 * HOUR_MS));
            outreach::log(db, o)
        })
        .unwrap();
    t.update(Action::RunAutomations);
    let s = t.screen();
    assert!(s.contains("Automations: 1 follow-up created"), "{s}");
    // The view in front reloaded: the bump task is listed.
    assert_eq!(t.app.followups.data.tasks.len(), tasks_before + 1);
    assert!(t.app.followups.data.tasks.iter().any(|k| k.title.contains(&lead.name())));
    // Nothing more to do: no toast, nothing reloaded.
    t.app.toast = None;
    t.update(Action::RunAutomations);
    assert!(t.app.toast.is_none());
}

#[test]
fn the_timer_says_when_the_scores_follow_rules_changed_later() {
    let (_d, mut t) = driver(160, 48);
    // Another leadline, whose rules changed after this one's, scored every lead by them.
    t.store
        .conn()
        .execute_batch(
            "INSERT OR REPLACE INTO automation_state (team_id, key, value)
                 SELECT id, 'scores_refreshed_at', 1795089600000 FROM teams
                 UNION ALL SELECT id, 'scores_rules', 7 FROM teams
                 UNION ALL SELECT id, 'scores_rules_member_since', 9223372036854775807 FROM teams",
        )
        .unwrap();
    t.update(leadline::tui::action::Action::RunAutomations);
    let toast = t.app.toast.as_ref().map(|(k, _)| k.text.clone()).unwrap_or_default();
    assert!(toast.contains("Scores follow a config changed after this one's"), "{toast}");
}

#[test]
fn alone_in_the_team_the_follow_ups_are_everything_even_a_lead_nobody_owns() {
    use leadline::store::leads::{self, NewLead};
    let dir = tempfile::tempdir().unwrap();
    let config = Config::defaults();
    let mut store = leadline::engine::open(&dir.path().join("t.db"), &config, Clock::Fixed(NOW)).unwrap();
    store
        .write(|db| {
            let id = leads::create(db, NewLead { first_name: "Nadia".into(), ..Default::default() })?;
            leads::touch(db, &id, NOW.plus_days(-60))?;
            db.conn.execute("UPDATE leads SET owner_id = NULL", [])?;
            Ok(())
        })
        .unwrap();
    let setup = Setup::new(&config, store, Clock::Fixed(NOW)).unwrap();
    let mut t = Driver::new(setup, 80, 24);
    t.keys("5");
    let s = t.screen();
    assert!(s.contains("Losing touch · 1") && s.contains("Nadia") && !s.contains("My "), "{s}");
    assert!(!s.contains("mine/team"), "no team to switch to: {s}");
}

#[test]
fn follow_ups_count_every_task_and_a_long_overdue_list_hides_nothing_due_today() {
    use leadline::store::tasks::{self, NewTask};
    let (_d, mut t) = driver(160, 48);
    let task = NewTask::manual;
    t.store
        .write(|db| {
            for i in 0..400 {
                tasks::add(db, task(format!("Old chase {i}"), NOW.plus_days(-30)))?;
            }
            tasks::add(db, task("Call Ana at noon".into(), NOW.plus_hours(1)))?;
            Ok(())
        })
        .unwrap();
    // The rep's own follow-ups, which a rep in a team sees first.
    let me = t.store.ctx().user_id.clone();
    let before = tasks::due_sections(&t.store.db(), Some(&me), 1_000_000).unwrap().counts;
    t.keys("5");
    let s = t.screen();
    let overdue = leadline::tui::views::thousands(before[0]);
    assert!(s.contains(&format!("{overdue} overdue (300 shown)")), "{s}");
    assert!(s.contains(&format!("{} today", before[1])), "{s}");
    // Today's task is listed after the overdue ones, not cut off by them.
    assert!(t.app.followups.data.tasks.iter().any(|t| t.title == "Call Ana at noon"));
}

#[test]
fn a_filter_that_fails_shows_the_error_and_no_stale_rows() {
    let (_d, mut t) = driver(80, 24);
    // The owner filter offers the team; a member renamed since (by another device) makes it fail.
    t.keys("f w");
    let owner = |t: &Driver| match &t.app.popup {
        Some(leadline::tui::app::Popup::Form(f)) => f.value("Owner").to_string(),
        _ => panic!("the owner form is open"),
    };
    assert_eq!(owner(&t), "any");
    for _ in 0..10 {
        if owner(&t) == "Marta Ruiz" {
            break;
        }
        t.keys("right");
    }
    assert_eq!(owner(&t), "Marta Ruiz");
    let renamed = "UPDATE users SET name = 'Marta Gil', email = 'marta.gil@x.io' WHERE name = 'Marta Ruiz'";
    t.store.write(|db| Ok(db.conn.execute(renamed, [])?)).unwrap();
    t.keys("enter");
    let s = t.screen();
    assert!(s.contains("not found") && s.contains("Marta Ruiz"), "{s}");
    assert!(t.app.leads.window.rows.is_empty(), "no rows of the previous list stay behind the error");
    assert!(t.app.leads.window.selected_lead().is_none());
}

#[test]
fn a_search_that_finds_nothing_says_how_to_leave_it() {
    let (_d, mut t) = driver(100, 30);
    t.keys("/");
    t.type_text("zzzzqqq");
    let s = t.screen();
    assert!(s.contains("No leads match. Clear the search with esc."), "{s}");
    // Kept as a filter, the search goes with the filters.
    t.keys("enter");
    let s = t.screen();
    assert!(s.contains("No leads match. Clear the filters with"), "{s}");
    // With no key for it, the way that is left is named.
    let config = Config::from_layers(Some(("c.toml", "[keymap.input]\n\"esc\" = \"\"\n")), &[]).unwrap();
    let (_d, mut t) = driver_with(50, 100, 30, config);
    t.keys("/");
    t.type_text("zzzzqqq");
    let s = t.screen();
    assert!(s.contains("No leads match. Delete the search's text to see every lead."), "{s}");
}

#[test]
fn a_list_scrolled_to_its_end_fills_the_screen_when_the_terminal_grows() {
    let (_d, mut t) = driver(80, 24);
    t.keys("G");
    let rows = &t.app.leads.window.rows;
    let earlier = rows[rows.len() - 30].name();
    let last = rows[rows.len() - 1].name();
    let s = t.screen();
    assert!(s.contains(&last) && !s.contains(&earlier), "{s}");
    t.resize(200, 60);
    let s = t.screen();
    assert!(s.contains(&last) && s.contains(&earlier), "{s}");
    // A click lands on the row drawn where it clicks.
    let row = s.lines().position(|l| l.contains(&earlier)).unwrap() as u16;
    use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let click =
        MouseEvent { kind: MouseEventKind::Down(MouseButton::Left), column: 10, row, modifiers: KeyModifiers::NONE };
    t.update(leadline::tui::action::Action::Mouse(click));
    assert_eq!(t.app.leads.window.selected_lead().map(|l| l.name()), Some(earlier));
    assert!(t.screen().contains(&last), "the table stays where it was");
}

#[test]
fn the_scoring_view_logs_outreach_and_searches_in_the_leads_table() {
    let (_d, mut t) = driver(160, 48);
    t.keys("4 l");
    assert!(matches!(t.app.popup, Some(leadline::tui::app::Popup::Form(_))), "{}", t.screen());
    // The last lead of the ranking, far below what the leads table has loaded: choosing another kind
    // takes the e-mail out of the value.
    t.keys("esc G l");
    let value = |t: &Driver| match &t.app.popup {
        Some(leadline::tui::app::Popup::Form(f)) => f.value("Value").to_string(),
        _ => panic!("no form"),
    };
    let email = value(&t);
    assert!(email.contains('@'), "{email}");
    t.keys("right");
    assert!(!value(&t).contains('@'), "{}", t.screen());
    t.keys("left");
    assert_eq!(value(&t), email);
    t.keys("esc /");
    assert_eq!(t.app.view, ViewId::Leads);
    assert!(t.app.leads.search.is_some(), "the search line is open");
}

#[test]
fn the_inbox_marks_a_lead_who_opted_out() {
    let (_d, mut t) = driver(160, 48);
    t.keys("3");
    let item = t.app.inbox.items.iter().find(|i| i.lead_id.is_some()).expect("an item from a lead").clone();
    let lead = leadline::domain::LeadId(item.lead_id.clone().unwrap());
    t.store.write(|db| leadline::io::privacy::set_opt_out(db, &lead, true, Some("asked".into()))).unwrap();
    t.keys("ctrl-r");
    let name = item.lead_name.clone().unwrap();
    let s = t.screen();
    assert!(s.contains(&format!("{name} ⊘ · ")), "{s}");
}

#[test]
fn a_long_lead_name_in_the_inbox_is_cut_before_its_channel_and_counts() {
    let (_d, mut t) = driver(80, 24);
    t.keys("3");
    let item = t.app.inbox.items.iter().find(|i| i.lead_id.is_some()).expect("an item from a lead").clone();
    let long = "Maximiliana Alejandra de la Santísima Trinidad";
    t.store
        .write(|db| {
            Ok(db
                .conn
                .execute("UPDATE leads SET first_name = ?1 WHERE id = ?2", [long, item.lead_id.as_deref().unwrap()])?)
        })
        .unwrap();
    t.keys("ctrl-r");
    let s = t.screen();
    let header = s.lines().find(|l| l.contains("Maximiliana")).unwrap_or_else(|| panic!("{s}"));
    assert!(header.contains('…'), "the name is cut: {header}");
    assert!(header.contains(" unread"), "the counts stay in sight: {header}");
}

#[test]
fn a_toast_too_long_for_the_status_line_is_read_whole_at_80_columns() {
    let (_d, mut t) = driver(80, 24);
    let long = "Ana López opted out on 2026-11-20 (asked by e-mail): nothing goes out to her; the sequence \
                step planned for tomorrow is skipped";
    let toast = |text: &str, error| Some((Toast { text: text.into(), error }, std::time::Instant::now()));
    t.app.toast = toast(long, true);
    let s = t.screen();
    let lines: Vec<&str> = s.lines().map(|l| l.trim_matches('"')).collect();
    let view_ends = lines.iter().rposition(|l| l.starts_with(['│', '╰'])).unwrap();
    let shown: Vec<&str> = lines[view_ends + 1..].iter().map(|l| l.trim()).collect();
    assert_eq!(shown.len(), 2, "two lines at 80 columns: {s}");
    assert_eq!(shown.join(" "), format!("✗ {long}"), "{s}");
    // A short one stays beside the status line's parts.
    t.app.toast = toast("Logged a call with Ana", false);
    let s = t.screen();
    let last = s.lines().last().unwrap().trim_matches('"');
    assert!(last.contains("LEADS") && last.ends_with("✓ Logged a call with Ana "), "{s}");
    assert!(s.lines().nth(22).unwrap().contains('╰'), "the view keeps its border: {s}");
}

#[test]
fn back_at_the_top_of_the_inbox_the_first_group_names_who_wrote() {
    let (_d, mut t) = driver(80, 24);
    t.keys("3");
    assert!(t.app.inbox.rows.len() > 20, "enough to scroll");
    assert!(matches!(t.app.inbox.rows[0], leadline::tui::views::inbox::Row::Group { .. }));
    t.keys("G g g");
    assert_eq!((t.app.inbox.selected, t.app.inbox.offset), (1, 0));
}

#[test]
fn the_deal_form_checks_its_currency_and_says_so_in_its_own_words() {
    let (_d, mut t) = driver(160, 48);
    t.keys("enter d tab tab");
    t.clear_field();
    t.type_text("EURO");
    t.keys("enter");
    let s = t.screen();
    assert!(matches!(t.app.popup, Some(leadline::tui::app::Popup::Form(_))), "the form stays: {s}");
    assert!(s.contains("✗ Currency: is not a three-letter ISO code"), "{s}");
    assert!(s.lines().last().unwrap().contains("Currency:"), "the status line says it too: {s}");
}

#[test]
fn a_long_form_error_wraps_under_its_own_text() {
    let (_d, mut t) = driver(80, 24);
    t.keys("enter d tab tab");
    t.clear_field();
    t.type_text("EUROPEAN");
    t.keys("enter");
    let s = t.screen();
    let at = s.lines().position(|l| l.contains("✗ Currency:")).unwrap_or_else(|| panic!("{s}"));
    let column = |line: &str, at: &dyn Fn(char) -> bool| line.chars().position(at).unwrap();
    let mark = column(s.lines().nth(at).unwrap(), &|c| c == '✗');
    // The continuation starts under the text after "✗ ", not at the mark or the border.
    let text = column(s.lines().nth(at + 1).unwrap(), &|c| c == '(');
    assert_eq!(text, mark + 2, "{s}");
}

#[test]
fn changing_the_kind_of_a_touch_keeps_a_value_the_rep_typed() {
    let (_d, mut t) = driver(160, 48);
    let value = |t: &Driver| match &t.app.popup {
        Some(leadline::tui::app::Popup::Form(f)) => f.value("Value").to_string(),
        _ => panic!("no form"),
    };
    t.keys("enter l");
    assert!(value(&t).contains('@'), "the e-mail is put in for an e-mail");
    // Platform, then a job reference typed in, then call and back: the reference stays.
    t.keys("left tab");
    t.clear_field();
    t.type_text("guru:job-77");
    t.keys("backtab right");
    assert_eq!(value(&t), "guru:job-77");
    t.keys("left");
    assert_eq!(value(&t), "guru:job-77");
}

#[test]
fn form_fields_edit_in_the_middle_and_take_pasted_lines_whole() {
    let (_d, mut t) = driver(160, 48);
    t.keys("enter n");
    t.type_text("Helo world");
    for _ in 0..7 {
        t.keys("left");
    }
    t.type_text("l");
    t.keys("end");
    t.type_text("!");
    t.keys("home delete");
    t.type_text("h");
    let Some(leadline::tui::app::Popup::Form(f)) = &t.app.popup else { panic!("the note form is open") };
    assert_eq!(f.fields[f.focus].value, "hello world!");
    // A pasted note keeps its second line (typed, its line break would have saved the form).
    t.keys("end");
    // Its tabs are spaces (as the field shows them), and a terminal's colour codes are left out.
    t.update(leadline::tui::action::Action::Paste(" Call\twent \x1b[31mwell.\x07\nDecision by Friday".into()));
    t.keys("enter");
    assert!(t.app.popup.is_none(), "saved");
    let notes: Vec<String> = t
        .app
        .detail
        .timeline
        .iter()
        .filter_map(|e| match e {
            leadline::store::timeline::Entry::Note(n) => Some(n.body.clone()),
            _ => None,
        })
        .collect();
    assert!(notes.contains(&"hello world! Call went well.\nDecision by Friday".to_string()), "{notes:?}");
}

/// Opens the first lead's edit form and focuses its Source field, a free-text one halfway down.
fn open_edit_form_at_source(t: &mut Driver) {
    t.keys("enter e");
    for _ in 0..6 {
        t.keys("tab");
    }
}

#[test]
fn a_long_value_scrolls_in_its_field_and_the_error_stays_in_view() {
    let (_d, mut t) = driver(80, 24);
    open_edit_form_at_source(&mut t);
    t.type_text(&"very long note ".repeat(40));
    t.type_text("END");
    let s = t.screen();
    assert!(s.contains("END▏"), "the cursor end of the text shows: {s}");
    assert!(s.contains("esc cancel"), "the box keeps its shape: {s}");
}

#[test]
fn g_in_a_long_kanban_column_goes_to_its_last_card() {
    let (_d, mut t) = driver_with(1_500, 160, 48, Config::defaults());
    t.keys("2");
    // The longest column, read a page at a time.
    let (col, total) =
        t.app.kanban.summary.iter().enumerate().map(|(i, s)| (i, s.count)).max_by_key(|(_, n)| *n).unwrap();
    assert!(total > 100, "the demo has a column longer than a page: {total}");
    for _ in 0..col {
        t.keys("l");
    }
    assert!(t.app.kanban.columns[col].deals.len() < total as usize);
    t.keys("G");
    let c = &t.app.kanban.columns[col];
    assert_eq!(c.deals.len(), total as usize);
    assert_eq!(c.selected, c.deals.len() - 1);
    assert!(c.at_end);
}

#[test]
fn reopening_a_won_deal_is_asked_first() {
    let (_d, mut t) = driver(160, 48);
    t.keys("2");
    let won = t.app.kanban.summary.iter().position(|s| s.stage == "Won").unwrap();
    for _ in 0..won {
        t.keys("l");
    }
    let deal = t.app.kanban.columns[won].deals[0].clone();
    t.keys("H");
    let s = t.screen();
    // The question names the deal's lead; it wraps in the box.
    let asked = format!("({}) from Won back to", deal.lead_name);
    assert!(s.contains("Reopen deal") && s.contains(&asked) && s.contains("Negotiation, open again?"), "{s}");
    t.keys("esc");
    assert_eq!(t.app.kanban.columns[won].deals[0].id, deal.id, "nothing moved");
    t.keys("H enter");
    let negotiation = &t.app.kanban.columns[won - 1];
    let moved = negotiation.deals.iter().find(|d| d.id == deal.id).expect("the deal is in Negotiation");
    assert_eq!(moved.status, leadline::domain::DealStatus::Open);
    // The focus went with it, as with a card moved by a key: a second H moves the same deal on.
    assert_eq!(t.app.kanban.focus, won - 1);
    assert_eq!(t.app.kanban.selected_deal().map(|d| d.id.clone()), Some(deal.id.clone()));
}

#[test]
fn a_closed_deal_reopens_into_the_stage_it_was_closed_from() {
    let (_d, mut t) = driver(160, 48);
    t.keys("2");
    // A deal lost from Discovery, as the board shows it once read again.
    let discovery = t.app.kanban.summary.iter().position(|s| s.stage == "Discovery").unwrap();
    let deal = t.app.kanban.columns[discovery].deals[0].clone();
    t.store.write(|db| leadline::store::deals::lose(db, &deal.id, Some("budget".into()))).unwrap();
    t.keys("ctrl-r");
    let lost = t.app.kanban.summary.iter().position(|s| s.stage == "Lost").unwrap();
    for _ in 0..lost {
        t.keys("l");
    }
    let at = t.app.kanban.columns[lost].deals.iter().position(|d| d.id == deal.id).expect("the deal is lost");
    for _ in 0..at {
        t.keys("j");
    }
    t.keys("H");
    assert!(t.screen().contains("to Discovery, open again?"), "{}", t.screen());
    t.keys("enter");
    let back = t.store.write(|db| leadline::store::deals::get(db, &deal.id)).unwrap();
    assert_eq!(
        (back.stage.as_str(), back.status, back.closed_from),
        ("Discovery", leadline::domain::DealStatus::Open, None)
    );
}

#[test]
fn wide_characters_in_a_field_keep_it_to_one_line() {
    let (_d, mut t) = driver(80, 24);
    open_edit_form_at_source(&mut t);
    // Each of these takes two screen columns: counted as one, they would push the field onto a second line.
    t.type_text(&"東京タワーで会議 ".repeat(12));
    t.type_text("終");
    let s = t.screen();
    assert!(s.contains("終▏"), "the cursor end of the text shows: {s}");
    assert!(s.contains("esc cancel"), "the box keeps its shape: {s}");
    let field = s.lines().find(|l| l.contains("終▏")).unwrap();
    assert!(field.contains('▶'), "the value stays on its label's line: {s}");
}

#[test]
fn holding_page_down_past_the_loaded_rows_loses_no_page() {
    let (_d, mut t) = driver_with(700, 120, 40, Config::defaults());
    let page = t.app.page() as i64;
    // Pages asked for faster than the worker answers: every one counts once the rows arrive.
    let presses = 600 / page;
    t.keys_at_once(&vec!["ctrl-f"; presses as usize].join(" "));
    let s = t.screen();
    assert!(s.contains(&format!("{} of 700", 1 + presses * page)), "{s}");
    t.keys_at_once(&vec!["ctrl-b"; presses as usize].join(" "));
    assert!(t.screen().contains("1 of 700"), "{}", t.screen());
}

#[test]
fn moves_owed_to_the_table_end_with_a_refresh_or_a_form() {
    let (_d, mut t) = driver_with(700, 120, 40, Config::defaults());
    let page = t.app.page();
    let held = vec!["ctrl-f"; 600 / page].join(" ");
    // A refresh reads the rows afresh around the selected lead: page moves owed before it are dropped,
    // and the next key moves one row.
    t.keys_at_once(&format!("ctrl-r {held}"));
    t.keys("j");
    assert!(t.screen().contains("2 of 700"), "{}", t.screen());
    // A form opened while pages are on their way stays on its lead, and so does the selection.
    t.keys("g g");
    t.keys_at_once(&format!("{held} l"));
    let Some(leadline::tui::app::Popup::Form(f)) = &t.app.popup else { panic!("the log form is open") };
    let leadline::tui::forms::Purpose::LogOutreach { lead, .. } = &f.purpose else { panic!("a log form") };
    assert_eq!(t.app.leads.window.selected_lead().map(|l| &l.id), Some(lead));
}

/// The lead the open log form is for.
fn form_lead(t: &Driver) -> leadline::domain::LeadId {
    let Some(leadline::tui::app::Popup::Form(f)) = &t.app.popup else { panic!("the log form is open") };
    let leadline::tui::forms::Purpose::LogOutreach { lead, .. } = &f.purpose else { panic!("a log form") };
    lead.clone()
}

#[test]
fn keys_typed_before_new_rows_arrive_act_on_the_lead_selected_once_they_are_in() {
    let (_d, mut t) = driver_with(700, 120, 40, Config::defaults());
    // To the last lead, and a touch logged at once: it is the last lead's, not the first's.
    t.keys_at_once("G l");
    let last = t.app.leads.window.selected_lead().unwrap().id.clone();
    assert_eq!(t.app.leads.window.selected_abs(), Some(699));
    assert_eq!(form_lead(&t), last);
    t.keys("esc");
    // Back to the top and down one, at once: the second lead.
    t.keys_at_once("g g j");
    assert_eq!(t.app.leads.window.selected_abs(), Some(1));
    // A search, and its first match opened at once.
    let name = t.app.leads.window.rows[1].first_name.clone();
    t.keys_at_once(&format!("/ {} enter l", name.chars().map(String::from).collect::<Vec<_>>().join(" ")));
    let found = t.app.leads.window.selected_lead().unwrap();
    assert!(found.first_name.contains(&name), "{}", found.first_name);
    assert_eq!(form_lead(&t), found.id);
    // Text pasted behind waiting keys goes where they lead: into the search they open.
    t.keys("esc esc esc");
    let key = |c: char| Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    let mut effects = t.app.update(key('G'));
    effects.extend(t.app.update(key('/')));
    effects.extend(t.app.update(Action::Paste("zzz".into())));
    t.run(effects);
    assert_eq!(t.app.leads.search.as_ref().map(|f| f.value.as_str()), Some("zzz"));
    // A click on a row about to be replaced is not taken: it would land on a lead the rep never saw there.
    t.keys("esc esc g g");
    let first = t.app.leads.window.rows[0].id.clone();
    let click = crossterm::event::MouseEvent {
        kind: crossterm::event::MouseEventKind::Down(crossterm::event::MouseButton::Left),
        column: 10,
        row: 3,
        modifiers: KeyModifiers::NONE,
    };
    let mut effects = t.app.update(key('G'));
    effects.extend(t.app.update(Action::Mouse(click)));
    effects.extend(t.app.update(Action::Mouse(click)));
    t.run(effects);
    assert_eq!(t.app.view, ViewId::Leads, "no lead was opened");
    assert_eq!(t.app.leads.window.selected_abs(), Some(699));
    assert_ne!(t.app.leads.window.selected_lead().map(|l| l.id.clone()), Some(first));
}

#[test]
fn a_column_in_two_currencies_shows_both_totals_and_an_empty_one_says_nothing_is_there() {
    let (_d, mut t) = driver(80, 24);
    let lead = t.app.leads.window.rows[0].id.clone();
    let first = t.app.ctx.stages.first().to_string();
    let deal = leadline::store::deals::NewDeal {
        lead,
        title: "US pilot".into(),
        amount: Some(leadline::domain::Money { minor: 123_456, currency: "USD".into() }),
        product: None,
        use_case: None,
        stage: Some(first.clone()),
        origin_outreach: None,
    };
    t.store.write(|db| leadline::store::deals::create(db, deal)).unwrap();
    t.keys("2");
    let s = t.screen();
    assert!(s.contains("1.2k USD"), "both currencies read in an 80-column column: {s}");
    // One open deal is a deal.
    t.store.conn().execute("UPDATE deals SET deleted_at = 1 WHERE title <> 'US pilot'", []).unwrap();
    t.keys("ctrl-r");
    let s = t.screen();
    assert!(s.contains("│ 1 open deal │"), "{s}");
    assert!(s.contains("Σ 0.00 EUR"), "{s}");
}

#[test]
fn a_long_search_scrolls_to_keep_the_typing_in_sight() {
    let (_d, mut t) = driver(80, 24);
    t.keys("/");
    t.type_text(&"verylongword ".repeat(8));
    t.type_text("tail");
    let s = t.screen();
    let line = s.lines().find(|l| l.contains(" / ")).unwrap();
    assert!(line.contains("…") && line.contains("tail▏"), "{line}");
}

#[test]
fn a_customers_explanation_scrolls_to_its_last_health_rule_at_80x24() {
    let (_d, mut t) = driver(80, 24);
    t.update(leadline::tui::action::Action::RunAutomations);
    t.app.toast = None;
    t.keys("4");
    let i = t.app.scoring.window.rows.iter().position(|l| l.lifecycle == "customer").unwrap();
    for _ in 0..i {
        t.keys("j");
    }
    let (_, e) = t.app.scoring.explained.clone().unwrap();
    let last = e.unwrap().health_rules.last().unwrap().rule.clone();
    let s = t.screen();
    assert!(!s.contains(&last), "at 80x24 the last health rule is below the pane: {s}");
    assert!(s.contains("↓ more · J/K"), "{s}");
    for _ in 0..6 {
        t.keys("J");
    }
    let s = t.screen();
    assert!(s.contains(&last), "{s}");
    assert!(s.contains("↑ more"), "{s}");
    // Another lead's explanation starts at its top.
    t.keys("j");
    assert!(t.screen().contains("Score "));
}

#[test]
fn a_customers_page_says_since_when_and_on_which_plan() {
    use leadline::store::deals::{self, NewDeal};
    let (_d, mut t) = driver(160, 48);
    let lead = t.app.leads.window.rows[0].clone();
    t.store
        .write(|db| {
            let deal = deals::create(
                db,
                NewDeal { product: Some("Growth plan".into()), ..NewDeal::new(lead.id.clone(), "Annual plan") },
            )?;
            deals::win(db, &deal)
        })
        .unwrap();
    t.keys("enter");
    let s = t.screen();
    // The line wraps in the fields pane: read the words in order.
    let words: Vec<&str> = s.split_whitespace().filter(|w| !w.contains('│')).collect();
    let text = words.join(" ");
    assert!(text.contains("Lifecycle customer since"), "{s}");
    assert!(text.contains("· health ") && text.contains("· priority "), "{s}");
    assert!(text.contains("· plan Growth plan · from"), "{s}");
}

#[test]
fn the_keys_under_forms_search_and_help_follow_the_keymap() {
    let mut config = Config::defaults();
    config.keymap =
        toml::from_str("[input]\nenter = \"\"\n\"ctrl-s\" = \"open\"\n[global]\n\"ctrl-n\" = \"down\"\n").unwrap();
    let (_d, mut t) = driver_with(30, 160, 48, config);
    t.keys("/");
    assert!(t.screen().contains("(ctrl-s keep · esc clear)"), "{}", t.screen());
    t.keys("esc ?");
    let s = t.screen();
    assert!(s.contains("ctrl-n/") && s.contains("scroll · esc close"), "{s}");
    t.keys("esc enter n");
    assert!(t.screen().contains("ctrl-s save · tab next · esc cancel"), "{}", t.screen());
}

#[test]
fn the_deal_form_lets_the_rules_place_the_deal_and_says_where_it_went() {
    let (_d, mut t) = driver(160, 48);
    // A lead who answered yes and has a meeting booked: the rules open their deal at Discovery.
    let id = t.app.leads.window.rows[0].id.clone();
    t.store
        .write(|db| {
            let mut o = leadline::store::outreach::NewOutreach::new(id.clone(), leadline::domain::OutreachKind::Email);
            o.direction = leadline::domain::Direction::Inbound;
            o.reply_type = leadline::domain::ReplyType::Positive;
            leadline::store::outreach::log(db, o)?;
            leadline::store::meetings::schedule(db, &id, Timestamp(NOW.0 + 86_400_000), None, None)
        })
        .unwrap();
    t.keys("ctrl-r enter d");
    let s = t.screen();
    assert!(s.contains("by the rules"), "{s}");
    t.keys("enter");
    let s = t.screen();
    // Where the deal is once the rules have run, not where the form put it.
    let stage: String = t
        .store
        .conn()
        .query_row("SELECT stage FROM deals ORDER BY created_at DESC, rowid DESC LIMIT 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stage, "Discovery");
    assert!(s.contains("Deal created at Discovery"), "{s}");
}

#[test]
fn the_status_bar_offers_the_help_key_only_where_it_is_heard() {
    let mut config = Config::defaults();
    config.keymap = toml::from_str("[detail]\n\"?\" = \"\"\n").unwrap();
    let (_d, mut t) = driver_with(30, 160, 48, config);
    assert!(t.screen().contains("? keys"));
    t.keys("enter");
    assert!(!t.screen().contains("? keys"), "{}", t.screen());
}

#[test]
fn the_follow_ups_selection_stays_on_its_task_when_a_reload_adds_one_above() {
    use leadline::store::tasks::{self, NewTask};
    let (_d, mut t) = driver(160, 48);
    t.keys("5");
    assert!(t.app.followups.data.tasks.len() >= 2, "the demo has open tasks");
    t.keys("j");
    let chosen = t.app.followups.data.tasks[t.app.followups.selected[0]].id.clone();
    let first_due = t.app.followups.data.tasks[0].due_at;
    t.store
        .write(|db| {
            tasks::add(db, NewTask::manual("Call first thing", leadline::domain::Timestamp(first_due.0 - 60_000)))
        })
        .unwrap();
    t.keys("ctrl-r");
    let now_selected = t.app.followups.data.tasks[t.app.followups.selected[0]].id.clone();
    assert_eq!(now_selected, chosen, "space would now close the task the rep chose");
}

#[test]
fn a_note_longer_than_the_box_under_the_timeline_scrolls_to_its_end_at_80x24() {
    let (_d, mut t) = driver(80, 24);
    let id = t.app.leads.window.rows[0].id.clone();
    let body =
        format!("Start of the brief. {} End of the brief.", "Requirements, budget and timing discussed. ".repeat(40));
    t.store.write(|db| leadline::store::notes::add(db, Some(&id), None, &body).map(|_| ())).unwrap();
    t.keys("ctrl-r enter");
    let s = t.screen();
    assert!(s.contains("note Start of") && !s.contains("End of"), "{s}");
    assert!(s.contains("↓ more · J/K"), "{s}");
    for _ in 0..20 {
        t.keys("J");
    }
    let s = t.screen();
    assert!(s.contains("End of") && s.contains("↑ more"), "{s}");
}

#[test]
fn a_card_moved_into_a_column_longer_than_one_read_stays_selected_so_the_next_move_moves_it_again() {
    let (_d, mut t) = driver(160, 48);
    // Discovery holds more deals than the board reads of a column at once.
    t.store
        .write(|db| {
            db.conn.execute_batch(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5001)
                 INSERT INTO deals (id, team_id, lead_id, title, amount_minor, currency, stage, position, status,
                                    stage_entered_at, created_at, updated_at)
                 SELECT printf('00000000-0000-7000-8000-%012d', i), (SELECT team_id FROM leads LIMIT 1),
                        (SELECT id FROM leads LIMIT 1), 'Bulk ' || i, 0, 'EUR', 'Discovery', 100000 + i, 'open', 0, 0, 0
                 FROM n",
            )?;
            Ok(())
        })
        .unwrap();
    t.keys("2 l");
    let moved = t.app.kanban.selected_deal().expect("a deal at Contacted").clone();
    t.keys("L");
    assert_eq!(
        t.app.kanban.selected_deal().map(|d| d.id.clone()),
        Some(moved.id.clone()),
        "the moved card is selected"
    );
    t.keys("L");
    let stage: String = t
        .store
        .db()
        .conn
        .query_row("SELECT stage FROM deals WHERE id = ?1", [moved.id.as_str()], |r| r.get(0))
        .unwrap();
    assert_eq!(stage, "Proposal", "the second move moved the same deal");
}

#[test]
fn the_unread_count_is_read_again_with_the_inbox_list() {
    let (_d, mut t) = driver(160, 48);
    t.keys("3");
    let before = t.app.inbox_counts.0;
    let id = t.app.leads.window.rows[0].id.clone();
    t.store
        .write(|db| {
            let mut o = leadline::store::outreach::NewOutreach::new(id.clone(), leadline::domain::OutreachKind::Email);
            o.direction = leadline::domain::Direction::Inbound;
            o.description = Some("Any news?".into());
            leadline::store::outreach::log(db, o)
        })
        .unwrap();
    // Showing and hiding handled items reads the list again, and the counts with it.
    t.keys("H H");
    assert_eq!(t.app.inbox_counts.0, before + 1);
    assert!(t.screen().contains(&format!("inbox {} unread", before + 1)), "{}", t.screen());
}

#[test]
fn follow_ups_are_read_again_on_the_minute_timer() {
    use leadline::store::tasks::{self, NewTask};
    use leadline::tui::action::Action;
    let (_d, mut t) = driver(160, 48);
    t.update(Action::RunAutomations);
    t.keys("5");
    let now = t.store.now();
    t.store.write(|db| tasks::add(db, NewTask::manual("Written elsewhere", now.plus_hours(1)))).unwrap();
    assert!(!t.app.followups.data.tasks.iter().any(|x| x.title == "Written elsewhere"));
    // A timer run with nothing to do still reads the list again: its sections move with the clock.
    t.update(Action::RunAutomations);
    assert!(t.app.followups.data.tasks.iter().any(|x| x.title == "Written elsewhere"));
}

#[test]
fn a_lead_added_in_the_tui_opens_on_its_page_and_a_taken_address_is_said_in_the_form() {
    let (_d, mut t) = driver(80, 24);
    t.keys("a");
    assert!(t.screen().contains("Add lead"), "{}", t.screen());
    t.type_text("Zoë");
    t.keys("tab");
    t.type_text("Quintana");
    t.keys("tab");
    t.type_text("zoe@quintana.example");
    t.keys("tab tab");
    t.type_text("Quintana SL");
    t.keys("enter");
    let s = t.screen();
    assert!(s.contains("Added Zoë Quintana"), "{s}");
    assert_eq!(t.app.view, ViewId::Detail, "{s}");
    assert!(s.contains("Quintana SL"), "{s}");
    let added = leadline::store::leads::resolve(&t.store.db(), "zoe@quintana.example").unwrap();
    assert_eq!(t.app.detail.lead.as_ref().map(|l| l.id.clone()), Some(added));
    // Another lead with the same address is refused where it was typed, keeping what was typed.
    t.keys("1 a");
    t.type_text("Zoe");
    t.keys("tab tab");
    t.type_text("ZOE@quintana.example");
    t.keys("tab tab tab enter");
    let s = t.screen();
    assert!(s.contains("E-mail: a lead with e-mail"), "{s}");
    assert!(s.contains("Add lead"), "the form stays open: {s}");
    // The cursor goes to the field the error is about.
    assert!(s.contains("▶     E-mail: ZOE@quintana.example"), "{s}");
    let count: i64 =
        t.store.conn().query_row("SELECT count(*) FROM leads WHERE first_name LIKE 'Zo%'", [], |r| r.get(0)).unwrap();
    assert_eq!(count, 1);
}

#[test]
fn form_fields_take_the_shells_editing_keys_and_show_what_follows_the_cursor() {
    let (_d, mut t) = driver(80, 24);
    t.keys("a");
    t.type_text("hello big world");
    let value = |t: &Driver| match &t.app.popup {
        Some(leadline::tui::app::Popup::Form(f)) => f.fields[0].value.clone(),
        _ => panic!("the form is open"),
    };
    t.keys("ctrl-w");
    assert_eq!(value(&t), "hello big ");
    t.keys("alt-b ctrl-k");
    assert_eq!(value(&t), "hello ");
    t.keys("ctrl-a");
    t.type_text("Oh ");
    assert_eq!(value(&t), "Oh hello ");
    t.keys("ctrl-e alt-backspace");
    assert_eq!(value(&t), "Oh ");
    t.keys("ctrl-u");
    assert_eq!(value(&t), "");
    // Far back in a long value, what follows the cursor is still in sight.
    t.type_text("The quick brown fox jumps over the lazy dog and then runs far away into the forest AAA BBB CCC");
    for _ in 0..30 {
        t.keys("left");
    }
    let s = t.screen();
    assert!(s.contains("far aw▏ay into the fore…"), "{s}");
}

#[test]
fn a_long_name_in_a_form_title_gives_way_to_the_opt_out_mark() {
    let (_d, mut t) = driver(80, 24);
    let id = t.app.leads.window.rows[0].id.clone();
    t.store
        .write(|db| {
            let patch = leadline::store::leads::LeadPatch {
                first_name: Some("Maximiliana-Alexandrina Konstantinopoulou-Papadopoulou de la Trinidad".into()),
                do_not_contact: Some(true),
                ..Default::default()
            };
            leadline::store::leads::update(db, &id, patch)
        })
        .unwrap();
    t.keys("ctrl-r enter l");
    let s = t.screen();
    assert!(s.contains("Log outreach · Maximiliana-Alexandrina Konsta… · ⊘ opted out"), "{s}");
}

#[test]
fn an_error_the_form_shows_does_not_cover_the_forms_bottom_at_80x24() {
    let (_d, mut t) = driver(80, 24);
    let other = t.app.leads.window.rows[1].email.clone().expect("the demo's leads have e-mails");
    t.keys("enter e tab tab");
    t.clear_field();
    t.type_text(&other);
    t.keys("enter");
    let s = t.screen();
    assert!(s.contains("E-mail: a lead with e-mail"), "{s}");
    assert!(s.contains("esc cancel"), "the form keeps its bottom and keys: {s}");
    // Putting it right (the form's error cleared, the toast still up) keeps them too.
    t.type_text("x");
    let s = t.screen();
    assert!(s.contains("esc cancel"), "{s}");
}

#[test]
fn a_note_of_several_lines_keeps_them_in_the_box_under_the_timeline() {
    let (_d, mut t) = driver(100, 30);
    let id = t.app.leads.window.rows[0].id.clone();
    t.store
        .write(|db| {
            leadline::store::notes::add(db, Some(&id), None, "Budget approved\nNext step: legal\n\nCall Friday")
        })
        .unwrap();
    t.keys("ctrl-r enter");
    let s = t.screen();
    assert!(s.lines().any(|l| l.contains("│Next step: legal")), "{s}");
    assert!(s.lines().any(|l| l.contains("│Call Friday")), "{s}");
}

#[test]
fn the_scoring_view_adds_a_lead_with_the_key_its_empty_state_names() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::defaults();
    let store = leadline::engine::open(&dir.path().join("t.db"), &config, Clock::Fixed(NOW)).unwrap();
    let mut t = Driver::new(Setup::new(&config, store, Clock::Fixed(NOW)).unwrap(), 80, 24);
    t.keys("4");
    assert!(t.screen().contains("No leads yet. Add one with a"), "{}", t.screen());
    t.keys("a");
    assert!(t.screen().contains("Add lead"), "{}", t.screen());
    t.type_text("Zoe");
    t.keys("tab");
    t.type_text("Ng");
    t.keys("enter");
    assert!(t.screen().contains("Added Zoe Ng"), "{}", t.screen());
}

#[test]
fn an_error_a_form_finds_itself_moves_the_cursor_to_its_field() {
    let (_d, mut t) = driver(80, 24);
    // The task form: a due time that is none, then on to the next field, and save.
    t.keys("enter t tab");
    t.clear_field();
    t.type_text("31 feb");
    t.keys("tab enter");
    let s = t.screen();
    assert!(s.contains("Due:"), "{s}");
    assert!(s.lines().any(|l| l.contains("▶") && l.contains("Due: 31 feb")), "{s}");
}

#[test]
fn a_reload_takes_the_teams_time_zone_as_an_admin_set_it_meanwhile() {
    let (_d, mut t) = driver(80, 24);
    let before = t.app.ctx.tz;
    // Another leadline (an admin's) moves the team to another zone while this one is open.
    let other = if before.name() == "Asia/Tokyo" { "Europe/Madrid" } else { "Asia/Tokyo" };
    t.store.write(|db| leadline::store::teams::set_timezone(db, other)).unwrap();
    t.keys("ctrl-r");
    assert_eq!(t.app.ctx.tz.name(), other);
    assert_eq!(t.store.ctx().tz.name(), other, "what this leadline writes is read in it too");
}

#[test]
fn the_search_line_and_the_palette_take_the_shells_editing_keys() {
    let (_d, mut t) = driver(80, 24);
    t.keys("/");
    t.type_text("abc def");
    t.keys("ctrl-w");
    let search = |t: &Driver| t.app.leads.search.as_ref().map(|f| f.value.clone());
    assert_eq!(search(&t).as_deref(), Some("abc "));
    t.keys("ctrl-u");
    assert_eq!(search(&t).as_deref(), Some(""));
    // A typo mid-search is mended where it is: the cursor moves as in a form.
    t.type_text("jose nunez");
    t.keys("left left left");
    t.type_text("X");
    assert_eq!(search(&t).as_deref(), Some("jose nuXnez"));
    t.keys("home");
    t.type_text("A ");
    t.keys("alt-f ctrl-k");
    assert_eq!(search(&t).as_deref(), Some("A jose"));
    assert!(t.screen().contains("A jose▏"), "{}", t.screen());
    // Longer than the line: at its start, what follows the cursor shows; at its end, what precedes it.
    t.keys("ctrl-u");
    t.type_text(&"abcdefghij ".repeat(8));
    t.keys("home");
    assert!(t.screen().contains(" / ▏abcdefghij abcdefghij"), "{}", t.screen());
    t.keys("end");
    assert!(t.screen().contains("abcdefghij ▏"), "{}", t.screen());
    t.keys("ctrl-u");
    t.keys("esc :");
    t.type_text("sort task");
    t.keys("alt-backspace");
    let input = |t: &Driver| match &t.app.popup {
        Some(leadline::tui::app::Popup::Palette(p)) => p.input.clone(),
        other => panic!("no palette: {other:?}"),
    };
    assert_eq!(input(&t), "sort ");
    t.keys("ctrl-u");
    assert_eq!(input(&t), "");
}

#[test]
fn an_edit_keeps_what_a_colleague_changed_meanwhile() {
    let (_d, mut t) = driver(160, 48);
    t.keys("enter");
    let id = t.app.detail.lead.clone().unwrap().id;
    let patch = |p: leadline::store::leads::LeadPatch| {
        move |db: &leadline::store::Db<'_>| leadline::store::leads::update(db, &id, p)
    };
    // The form opens; meanwhile a colleague adds a tag and sets the title.
    t.keys("e");
    t.store
        .write(patch(leadline::store::leads::LeadPatch {
            add_tags: vec!["vip2".into()],
            title: Some("CEO".into()),
            ..Default::default()
        }))
        .unwrap();
    // The rep adds a tag of their own: both stay.
    for _ in 0..12 {
        t.keys("tab");
    }
    t.keys("end");
    t.type_text(", pilot2");
    t.keys("enter");
    assert!(t.app.popup.is_none(), "{}", t.screen());
    let lead = t.store.write(|db| leadline::store::leads::get(db, &t.app.detail.lead_id.clone().unwrap())).unwrap();
    assert!(lead.tags.contains(&"vip2".to_string()) && lead.tags.contains(&"pilot2".to_string()), "{:?}", lead.tags);
    assert_eq!(lead.title.as_deref(), Some("CEO"));
    // The rep edits the title the colleague changed, from a page read before: refused, saying to what.
    t.store
        .write(|db| {
            leadline::store::leads::update(
                db,
                &lead.id,
                leadline::store::leads::LeadPatch { title: Some("CTO".into()), ..Default::default() },
            )
        })
        .unwrap();
    t.keys("e");
    for _ in 0..6 {
        t.keys("tab");
    }
    t.clear_field();
    t.type_text("VP");
    t.keys("enter");
    let s = t.screen();
    assert!(s.contains("changed meanwhile"), "{s}");
    let now = t.store.write(|db| leadline::store::leads::get(db, &lead.id)).unwrap();
    assert_eq!(now.title.as_deref(), Some("CTO"));
}

#[test]
fn an_edit_of_a_lead_forgotten_meanwhile_says_so() {
    let (_d, mut t) = driver(80, 24);
    t.keys("enter");
    let id = t.app.detail.lead.clone().unwrap().id;
    t.keys("e");
    t.store.write(|db| leadline::io::privacy::forget(db, &id, None).map(|_| ())).unwrap();
    for _ in 0..6 {
        t.keys("tab");
    }
    t.clear_field();
    t.type_text("Head of Growth");
    t.keys("enter");
    let s = t.screen();
    assert!(s.contains("forgotten meanwhile") && !s.contains("changed meanwhile"), "{s}");
}

#[test]
fn a_reply_logged_elsewhere_is_in_the_inbox_as_soon_as_it_is_shown_again() {
    let (_d, mut t) = driver(160, 48);
    t.keys("3");
    let before = t.app.inbox.items.len();
    let lead = t.app.leads.window.rows[0].id.clone();
    t.store
        .write(|db| {
            leadline::store::outreach::log(
                db,
                leadline::store::outreach::NewOutreach {
                    direction: leadline::domain::Direction::Inbound,
                    reply_type: leadline::domain::ReplyType::Positive,
                    ..leadline::store::outreach::NewOutreach::new(lead, leadline::domain::OutreachKind::Email)
                },
            )
        })
        .unwrap();
    t.keys("1 3");
    assert_eq!(t.app.inbox.items.len(), before + 1, "{}", t.screen());
}

#[test]
fn the_board_opens_on_the_first_column_with_deals() {
    let (_d, mut t) = driver_with(1, 80, 24, Config::defaults());
    rusqlite::Connection::open(t.store.path()).unwrap().execute("UPDATE deals SET deleted_at = 1", []).unwrap();
    t.store
        .write(|db| {
            let lead = leadline::store::leads::create(
                db,
                leadline::store::leads::NewLead { first_name: "Ana".into(), ..Default::default() },
            )?;
            leadline::store::deals::create(
                db,
                leadline::store::deals::NewDeal {
                    stage: Some("Proposal".into()),
                    ..leadline::store::deals::NewDeal::new(lead, "Pilot")
                },
            )
        })
        .unwrap();
    t.keys("2");
    let proposal = t.app.ctx.stages.names().iter().position(|s| s == "Proposal").unwrap();
    assert_eq!(t.app.kanban.focus, proposal);
    assert!(t.screen().contains("Pilot"), "{}", t.screen());
}

#[test]
fn the_automations_timer_runs_beside_the_screens_queries_not_before_them() {
    use leadline::tui::worker::{self, Query, Request, Response};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let config = Config::defaults();
    let clock = Clock::Fixed(NOW);
    let mut store = leadline::engine::open(&path, &config, clock).unwrap();
    leadline::demo::generate(&mut store, 50, 7).unwrap();
    let automations = leadline::engine::open(&path, &config, clock).unwrap();
    // Another writer holds the database: the timer's run waits for it, as a day's first rescore of a
    // million leads keeps the timer busy for seconds.
    let holder = rusqlite::Connection::open(&path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let (req_tx, req_rx) = std::sync::mpsc::channel();
    let (resp_tx, resp_rx) = std::sync::mpsc::channel();
    let _interrupter = worker::spawn(store, Some(automations), req_rx, move |r| {
        let _ = resp_tx.send(r);
    })
    .unwrap();
    req_tx.send(Request::Tick { config: std::sync::Arc::new(config.clone()) }).unwrap();
    req_tx.send(Request::Query(Query::Status)).unwrap();
    let first = resp_rx.recv().unwrap();
    assert!(matches!(first, Response::Status(Ok(_))), "the status is read while the timer waits: {first:?}");
    holder.execute_batch("ROLLBACK").unwrap();
    let second = resp_rx.recv().unwrap();
    assert!(matches!(second, Response::Ticked(Ok(_))), "then the timer's run ends: {second:?}");
}

#[test]
fn a_touch_for_a_lead_merged_meanwhile_says_which_lead_it_went_into() {
    let (_d, mut t) = driver(120, 35);
    // A merge keeps the older lead: the rep opens a younger one, which a colleague then merges away.
    let rows = t.app.leads.window.rows.clone();
    let older = rows.iter().min_by_key(|l| (l.created_at, l.seq)).unwrap().clone();
    let at = rows.iter().position(|l| l.id != older.id).unwrap();
    t.keys(&format!("{}enter", "j ".repeat(at)));
    let shown = t.app.detail.lead.clone().unwrap();
    assert_ne!(shown.id, older.id);
    let merged = t.store.write(|db| leadline::io::dedupe::merge(db, &shown.id, &older.id, "same person", 90)).unwrap();
    assert_eq!(merged.merged, shown.id);
    t.keys("l enter");
    let toast = t.app.toast.as_ref().map(|(k, _)| k.text.clone()).unwrap_or_default();
    assert!(toast.contains("was merged into") && toast.contains(&older.name()), "{toast}");
}

/// While a form's save is on its way (the database busy), typing into it would show but not be saved: it
/// waits, and says so.
#[test]
fn a_form_being_saved_takes_no_more_typing() {
    let (_d, mut t) = driver(160, 48);
    t.keys("enter n");
    t.type_text("note during lock");
    if let Some(leadline::tui::app::Popup::Form(f)) = &mut t.app.popup {
        f.waiting = Some(u64::MAX);
    }
    t.type_text(" MORE");
    let Some(leadline::tui::app::Popup::Form(f)) = &t.app.popup else { panic!("the form stays open") };
    assert_eq!(f.fields[0].value, "note during lock");
    assert!(t.screen().contains("typing waits until it is saved"), "{}", t.screen());
}

/// An address is copied as it is: on a short terminal the lead page keeps a long one whole (read by
/// scrolling the pane), where other long values are cut at three lines.
#[test]
fn a_long_address_on_the_lead_page_is_shown_whole() {
    let (_d, mut t) = driver(80, 24);
    let id = t.app.leads.window.rows[0].id.clone();
    let url = "https://www.linkedin.com/in/jose-nunez-pena-iberica-exportaciones-y-servicios-logisticos";
    let patch = leadline::store::leads::LeadPatch {
        profile_url: Some(url.into()),
        add_emails: vec!["jose.nunez.de.la.pena@pena-iberica-exportaciones-mediterraneo.example".into()],
        company: Some("Peña Ibérica de Exportaciones y Servicios Logísticos del Mediterráneo S.L.".into()),
        ..Default::default()
    };
    t.store.write(|db| leadline::store::leads::update(db, &id, patch)).unwrap();
    t.keys("enter");
    let mut seen = t.screen();
    for _ in 0..8 {
        t.keys("}");
        seen.push_str(&t.screen());
    }
    // Broken across the pane's lines, every part of each address shows.
    assert!(seen.contains("es-y-servicios-logist") && seen.contains("│           icos "), "the profile's end: {seen}");
    assert!(
        seen.contains("ciones-mediterraneo.e") && seen.contains("│           xample "),
        "the other address: {seen}"
    );
}

/// A refusal in a form is read to its end, where what to do is said, on a screen of 80x24 too.
#[test]
fn a_form_shows_a_refusal_to_its_end() {
    let (_d, mut t) = driver(80, 24);
    let gone = t
        .store
        .write(|db| {
            let new = leadline::store::leads::NewLead {
                first_name: "Gone".into(),
                phone: Some("+34 626 441 374".into()),
                ..Default::default()
            };
            leadline::store::leads::create(db, new)
        })
        .unwrap();
    t.store.write(|db| leadline::io::privacy::forget(db, &gone, None).map(|_| ())).unwrap();
    t.keys("enter e");
    for _ in 0..4 {
        t.keys("tab");
    }
    t.clear_field();
    t.type_text("+34 626 441 374");
    t.keys("enter");
    let s = t.screen();
    assert!(s.contains("privacy allow"), "{s}");
    // The field put right is in sight, and the form says how many others are out of it.
    assert!(s.contains("Phone: +34 626 441 374") && s.contains("↓ 1 more (tab)"), "{s}");
}

/// A name with a joined emoji (👩‍💻) is drawn in a question as the status line draws it, in its parts: the
/// terminal shows the parts, and a joiner kept would leave the rest of the line drawn off by their width.
#[test]
fn a_question_draws_a_joined_emoji_in_its_parts() {
    let (_d, mut t) = driver(100, 30);
    let id = t.app.leads.window.rows[0].id.clone();
    let patch = leadline::store::leads::LeadPatch {
        first_name: Some("Ana 👩\u{200d}💻".into()),
        do_not_contact: Some(true),
        ..Default::default()
    };
    t.store.write(|db| leadline::store::leads::update(db, &id, patch)).unwrap();
    t.keys("ctrl-r");
    t.keys("enter D");
    let last = t.store.write(|db| leadline::store::leads::get(db, &id)).unwrap().last_name;
    let s = t.screen();
    assert!(s.contains(&format!("Ana 👩💻 {last} opted out")), "{s}");
}

/// A question that wraps over lines (a long reason quoted in it) still leaves room for a refusal's end.
#[test]
fn a_long_question_leaves_room_for_the_end_of_a_refusal() {
    let (_d, mut t) = driver(80, 24);
    let id = t.app.leads.window.rows[0].id.clone();
    let reason = "asked by phone to be taken off every list we keep, after a long call with the rep about the \
                  renewal, the invoices and the new contract terms they did not want to sign this year";
    t.store.write(|db| leadline::io::privacy::set_opt_out(db, &id, true, Some(reason.into()))).unwrap();
    t.keys("ctrl-r");
    t.keys("enter D");
    t.store.write(|db| leadline::io::privacy::forget(db, &id, None).map(|_| ())).unwrap();
    t.keys("enter");
    let s = t.screen();
    assert!(s.contains("written again"), "{s}");
}

/// A question the database was too busy for (another process writing) stays open, to be asked again.
#[test]
fn a_question_the_database_was_busy_for_stays_to_be_asked_again() {
    let (d, mut t) = driver(100, 30);
    t.keys("enter");
    let first = t.app.detail.timeline.iter().position(|e| matches!(e, leadline::store::timeline::Entry::Outreach(_)));
    for _ in 0..first.expect("a touch in the demo lead's timeline") {
        t.keys("j");
    }
    t.keys("X");
    let other = rusqlite::Connection::open(d.path().join("t.db")).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    t.keys("enter");
    assert!(t.app.popup.is_some(), "{}", t.screen());
    assert!(t.screen().contains("try again"), "{}", t.screen());
    other.execute_batch("ROLLBACK").unwrap();
    t.keys("enter");
    assert!(t.app.popup.is_none(), "{}", t.screen());
    assert!(t.screen().contains("Taken back"), "{}", t.screen());
}
