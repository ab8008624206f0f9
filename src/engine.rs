//! Opens a store wired with the rules that react to its changes (scoring, automations), so the CLI
//! and the TUI get the same behaviour from one call.

use std::path::Path;
use std::sync::Arc;

use crate::automation::{AutomationHook, Automations, RunReport};
use crate::config::Config;
use crate::domain::Clock;
use crate::scoring::{Scorer, ScoringHook};
use crate::store::{Result, Store};

pub fn open(path: &Path, config: &Config, clock: Clock) -> Result<Store> {
    let mut store = Store::open(path, config, clock)?;
    let (scorer, autos) = rules(config)?;
    // Automations first: what they change (a deal moved, a task added) is rescored by the scoring hook.
    store.add_hook(Arc::new(AutomationHook::new(autos)));
    store.add_hook(Arc::new(ScoringHook::new(scorer)));
    Ok(store)
}

/// A word when the config names another time zone than the one the database's team works in: the
/// team's stays (everyone in a team sees the same local times), and the setting looked ignored.
pub fn zone_note(team: chrono_tz::Tz, config: &Config) -> Option<String> {
    let named = config.timezone();
    (config.timezone_given && named != team).then(|| {
        format!(
            "[team] timezone is {named}, but this database's team works in {team}: times are shown and typed \
             in {team} (the setting applies to a new database; `leadline team zone {named}` changes the team's)"
        )
    })
}

/// The compiled scoring and automation rules of a config.
pub fn rules(config: &Config) -> Result<(Arc<Scorer>, Arc<Automations>)> {
    let stages = config.stages()?;
    let scorer = Scorer::from_config(&config.scoring, &stages)?;
    let autos = Automations::from_config(&config.automation, &stages)?.with_profile(scorer.profile.clone());
    Ok((Arc::new(scorer), Arc::new(autos)))
}

/// What a timer calls (the TUI every minute, cron through `leadline automate run`): the time-based
/// rules and the score terms that change as time passes, at the store's current instant.
pub fn tick(store: &mut Store, config: &Config) -> Result<RunReport> {
    if let Err(e) = store.finish_flush() {
        tracing::warn!(error = %e, "the log an erasure left is flushed later");
    }
    // The team's zone as an admin may have changed it: time-based rules count days in it.
    if let Err(e) = store.reload_team() {
        tracing::warn!(error = %e, "the team's settings are read again later");
    }
    let (scorer, autos) = rules(config)?;
    crate::automation::run(store, &autos, &scorer, false)
}

/// Fills the store with demo data, scored as it is made, so a demo shows real rankings from the first screen.
/// `stop`, once set, ends the load with nothing kept.
pub fn demo(
    store: &mut Store,
    config: &Config,
    leads: usize,
    seed: u64,
    stop: Option<&std::sync::atomic::AtomicBool>,
) -> Result<crate::demo::DemoSummary> {
    let (scorer, _) = rules(config)?;
    crate::demo::generate_scored(store, leads, seed, Some(&scorer), stop)
}
