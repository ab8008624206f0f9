//! `[import]`, `[export]` and `[privacy]`: defaults for imports and exports, and the retention rule.

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportConfig {
    /// Country of national phone numbers when a row does not say (ISO code such as "ES", or a name); "" = none.
    #[serde(default)]
    pub default_country: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportConfig {
    /// The separator of CSV exports: "," , ";" (what Excel expects in most of Europe) or "tab".
    #[serde(default = "comma")]
    pub csv_delimiter: String,
    /// Start CSV exports with a UTF-8 byte-order mark, by which Excel knows the file's accents.
    #[serde(default)]
    pub csv_bom: bool,
}

fn comma() -> String {
    ",".into()
}

impl Default for ExportConfig {
    fn default() -> Self {
        Self { csv_delimiter: comma(), csv_bom: false }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacyConfig {
    /// Anonymise leads with no activity for this many months (`leadline privacy run`); 0 = off.
    #[serde(default)]
    pub anonymize_after_months: u32,
}
