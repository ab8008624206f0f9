//! The terminal UI on a test terminal: snapshots of every view at 80x24 and 160x48 on deterministic
//! demo data (fixed seed, fixed clock), and key sequences through the real update/view code with the
//! database requests executed inline.

use leadline::config::Config;
use leadline::domain::{Clock, Timestamp};
use leadline::tui::Setup;
use leadline::tui::app::ViewId;
use leadline::tui::driver::Driver;

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

#[test]
fn smoke_leads_screen() {
    let (_d, mut t) = driver(160, 48);
    let s = t.screen();
    println!("{s}");
    assert!(s.contains("Leads"));
}
