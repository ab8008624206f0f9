//! The `[keymap.<view>]` config section: a user's key bindings over the shipped defaults.
//!
//! `"g g" = "top"` binds a sequence to a command, `"x" = ""` unbinds a key. The bindings are checked
//! against the known commands, and the commands each view runs, when the terminal UI builds its keymap
//! (`tui::keymap::Keymap::build`).

use std::collections::BTreeMap;

use serde::Deserialize;

/// Per view (`global`, `leads`, `detail`, `pipeline`, `inbox`, `scoring`, `followups`, `input`):
/// key sequence → command name (empty to unbind).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(transparent)]
pub struct KeymapConfig(pub BTreeMap<String, BTreeMap<String, String>>);
