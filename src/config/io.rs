//! `[import]` and `[privacy]`: defaults for imports and the retention rule.

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportConfig {
    /// Country of national phone numbers when a row does not say (ISO code such as "ES", or a name); "" = none.
    #[serde(default)]
    pub default_country: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacyConfig {
    /// Anonymise leads with no activity for this many months (`leadline privacy run`); 0 = off.
    #[serde(default)]
    pub anonymize_after_months: u32,
}
