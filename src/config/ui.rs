//! The `[ui]` config section: theme, colour overrides and mouse support of the terminal UI.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct UiConfig {
    /// `dark` or `light`.
    pub theme: String,
    /// Mouse clicks select and the wheel scrolls; off leaves the terminal's own selection alone.
    pub mouse: bool,
    /// Colour overrides by role (`accent`, `fg`, `bg`, `muted`, `selected_bg`, `error`, `ok`, `warn`, `border`),
    /// as a name (`red`, `lightblue`) or `#rrggbb`.
    pub colors: BTreeMap<String, String>,
}

impl Default for UiConfig {
    fn default() -> Self {
        Self { theme: "dark".into(), mouse: true, colors: BTreeMap::new() }
    }
}
