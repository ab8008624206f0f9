//! Opens a store wired with the rules that react to its changes (scoring, automations), so the CLI
//! and the TUI get the same behaviour from one call.

use std::path::Path;

use crate::config::Config;
use crate::domain::Clock;
use crate::store::{Result, Store};

pub fn open(path: &Path, config: &Config, clock: Clock) -> Result<Store> {
    let store = Store::open(path, config, clock)?;
    Ok(store)
}
