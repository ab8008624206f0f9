//! Layered configuration: embedded defaults < user file < `LEADLINE_*` environment < flags.

pub mod keymap;
pub mod ui;

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::domain::{Stages, ValidationError, time::parse_tz};

pub mod automation;
pub mod io;
mod locate;

pub use locate::with_line;
pub mod scoring;

/// The defaults shipped inside the binary; `leadline config print-default` prints them.
pub const DEFAULT_CONFIG: &str = include_str!("../../assets/default-config.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {path}: {message}")]
    File { path: String, message: String },
    #[error("config: {0}")]
    Invalid(String),
    #[error("environment variable {var}: {message}")]
    Env { var: String, message: String },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub user: UserConfig,
    pub team: TeamConfig,
    pub pipeline: PipelineConfig,
    pub followup: FollowupConfig,
    #[serde(default)]
    pub import: io::ImportConfig,
    #[serde(default)]
    pub export: io::ExportConfig,
    #[serde(default)]
    pub privacy: io::PrivacyConfig,
    pub scoring: scoring::ScoringConfig,
    pub automation: automation::AutomationConfig,
    #[serde(default)]
    pub keymap: keymap::KeymapConfig,
    #[serde(default)]
    pub ui: ui::UiConfig,
    /// Whether a config file or the environment named `team.timezone` (a database keeps the zone it was
    /// made with, so a different one named later deserves a word).
    #[serde(skip)]
    pub timezone_given: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamConfig {
    pub name: String,
    pub timezone: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineConfig {
    pub stages: Vec<String>,
    pub won_stage: String,
    pub lost_stage: String,
    pub currency: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowupConfig {
    /// Days without contact after which a lead is "losing touch".
    pub cadence_days: u32,
    #[serde(default)]
    pub cadence_by_stage: BTreeMap<String, u32>,
    #[serde(default)]
    pub cadence_by_tag: BTreeMap<String, u32>,
}

impl Config {
    /// The embedded defaults alone.
    pub fn defaults() -> Self {
        Self::from_layers(None, &[]).expect("embedded default config is valid")
    }

    /// Loads defaults, then `file` (which must exist if given explicitly), then `LEADLINE_*` variables.
    pub fn load(file: Option<&Path>, explicit: bool) -> Result<Self, ConfigError> {
        let user_text = match file {
            Some(path) => match std::fs::read(path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => Some((path.display().to_string(), text)),
                    // Where the file stops being UTF-8 (a Latin-1 "é", most likely), so it can be found.
                    Err(e) => {
                        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                        let line = good.iter().filter(|b| **b == b'\n').count() + 1;
                        return Err(ConfigError::File {
                            path: path.display().to_string(),
                            message: format!("line {line}: is not UTF-8 text (save the file as UTF-8)"),
                        });
                    }
                },
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => None,
                Err(e) => return Err(ConfigError::File { path: path.display().to_string(), message: e.to_string() }),
            },
            None => None,
        };
        let env: Vec<(String, String)> = std::env::vars().filter(|(k, _)| k.starts_with("LEADLINE_")).collect();
        Self::from_layers(user_text.as_ref().map(|(p, t)| (p.as_str(), t.as_str())), &env)
    }

    /// Builds a config from the defaults, an optional (path, text) file layer and environment pairs.
    pub fn from_layers(file: Option<(&str, &str)>, env: &[(String, String)]) -> Result<Self, ConfigError> {
        let mut merged: toml::Table =
            DEFAULT_CONFIG.parse().map_err(|e: toml::de::Error| ConfigError::Invalid(e.to_string()))?;
        if let Some((path, text)) = file {
            let user: toml::Table = text.parse().map_err(|e: toml::de::Error| ConfigError::File {
                path: path.to_string(),
                message: parse_error(text, &e),
            })?;
            merge(&mut merged, user);
        }
        let with_file = merged.clone();
        let blame_file = |problem: locate::Problem| match file {
            Some((path, text)) => {
                // Which of several tables lacks a field: the first the config still fails on when cut after it.
                let fails_up_to = |upto: &locate::Path| {
                    Self::checked(&locate::truncated(&with_file, upto)).is_err_and(|p| p.message == problem.message)
                };
                ConfigError::File { path: path.to_string(), message: problem.in_text_with(text, &fails_up_to) }
            }
            None => ConfigError::Invalid(problem.message),
        };
        let timezone_given = file.is_some_and(|(_, text)| {
            text.parse::<toml::Table>()
                .ok()
                .and_then(|t| t.get("team").and_then(|t| t.get("timezone")).map(|_| ()))
                .is_some()
        }) || env.iter().any(|(var, _)| var.eq_ignore_ascii_case("LEADLINE_TEAM__TIMEZONE"));
        let mut any_env = false;
        for (var, value) in env {
            any_env |= apply_env(&mut merged, var, value)?;
        }
        let problem = match Self::checked(&merged) {
            Ok(config) => return Ok(Self { timezone_given, ..config }),
            Err(problem) if !any_env => return Err(blame_file(problem)),
            Err(problem) => problem,
        };
        // Something is wrong: blamed on the file when the file alone is wrong, else on the first variable
        // whose value makes it so.
        Self::checked(&with_file).map_err(blame_file)?;
        let mut layered = with_file.clone();
        for (var, value) in env {
            if apply_env(&mut layered, var, value)?
                && let Err(problem) = Self::checked(&layered)
            {
                return Err(ConfigError::Env { var: var.clone(), message: problem.message });
            }
        }
        Err(blame_file(problem))
    }

    /// The config a merged table makes, or what is wrong with it (on one line) and where.
    fn checked(merged: &toml::Table) -> Result<Self, locate::Problem> {
        let config: Config = toml::Value::Table(merged.clone())
            .try_into()
            .map_err(|e: toml::de::Error| locate::Problem::from_toml(&e))?;
        let mut config = config;
        config.validate().map_err(|e| locate::Problem::from_validation(&e))?;
        Ok(config)
    }

    /// Checks the config and puts the user's address in its one form (` Ana@X.io ` is `Ana@X.io`), as
    /// opening the database finds them by. (Their name is checked when it makes them a member.)
    fn validate(&mut self) -> Result<(), ValidationError> {
        self.user.email = crate::domain::lead::validate_email("user.email", &self.user.email)?;
        parse_tz(&self.team.timezone).map_err(|e| ValidationError { field: "team.timezone".into(), ..e })?;
        let stages = self.stages()?;
        // A cadence for a stage the pipeline does not have would never apply: a typo, said so.
        if let Some(stage) = self.followup.cadence_by_stage.keys().find(|s| stages.resolve(s).is_err()) {
            return Err(ValidationError::new(
                format!("followup.cadence_by_stage.{stage}"),
                stage,
                "is not a stage of the pipeline ([pipeline] stages)",
            ));
        }
        crate::scoring::Scorer::from_config(&self.scoring, &stages)?;
        crate::automation::Automations::from_config(&self.automation, &stages)?;
        crate::domain::money::parse_currency(&self.pipeline.currency)
            .map_err(|e| ValidationError { field: "pipeline.currency".into(), ..e })?;
        let country = &self.import.default_country;
        if !country.trim().is_empty() && !crate::io::phone::known_country(country) {
            return Err(ValidationError::new(
                "import.default_country",
                country,
                "is not a country leadline knows the calling code of (use an ISO code like ES, US, GB)",
            ));
        }
        self.csv_style()?;
        Ok(())
    }

    pub fn stages(&self) -> Result<Stages, ValidationError> {
        Stages::new(self.pipeline.stages.clone(), &self.pipeline.won_stage, &self.pipeline.lost_stage)
    }

    /// How CSV exports are written (`[export]`).
    pub fn csv_style(&self) -> Result<crate::io::export::CsvStyle, ValidationError> {
        let delimiter = self
            .export
            .csv_delimiter
            .parse()
            .map_err(|e| ValidationError { field: "export.csv_delimiter".into(), ..e })?;
        Ok(crate::io::export::CsvStyle { delimiter, bom: self.export.csv_bom })
    }

    pub fn timezone(&self) -> chrono_tz::Tz {
        parse_tz(&self.team.timezone).unwrap_or(chrono_tz::UTC)
    }
}

/// Where leadline keeps things by default on this platform.
pub struct Paths {
    pub config_file: PathBuf,
    pub database: PathBuf,
    pub state_dir: PathBuf,
}

impl Paths {
    pub fn platform() -> Option<Self> {
        let dirs = directories::ProjectDirs::from("", "", "leadline")?;
        let state_dir = dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir()).to_path_buf();
        Some(Self {
            config_file: dirs.config_dir().join("config.toml"),
            database: dirs.data_dir().join("leadline.db"),
            state_dir,
        })
    }
}

/// A TOML syntax error as `line L, column C: what ('the text there')`, from the error's place in the text.
fn parse_error(text: &str, e: &toml::de::Error) -> String {
    match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            // The text the error points at (a key defined twice, a table header written twice) says which,
            // when it is short enough to read in the message.
            let at = text
                .get(span.clone())
                .map(str::trim)
                .filter(|s| !s.is_empty() && !s.contains('\n') && s.chars().count() <= 40);
            match at {
                Some(at) => format!("line {line}, column {column}: {} ('{at}')", one_line(e.message())),
                None => format!("line {line}, column {column}: {}", one_line(e.message())),
            }
        }
        None => one_line(&e.to_string()),
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Deep-merges `over` into `base`: tables merge key by key, anything else replaces.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// `LEADLINE_TEAM__TIMEZONE=Europe/Madrid` sets `team.timezone`: `__` separates levels.
/// Variables without `__` (LEADLINE_DB, LEADLINE_CONFIG, ...) are flags, not config keys.
/// Returns whether the variable set a key.
fn apply_env(table: &mut toml::Table, var: &str, value: &str) -> Result<bool, ConfigError> {
    let Some(key) = var.strip_prefix("LEADLINE_") else { return Ok(false) };
    if !key.contains("__") {
        return Ok(false);
    }
    let path: Vec<String> = key.split("__").map(|p| p.to_lowercase()).collect();
    if path.iter().any(String::is_empty) {
        return Err(ConfigError::Env { var: var.into(), message: "has an empty key part".into() });
    }
    let mut node = table;
    for part in &path[..path.len() - 1] {
        let entry = node.entry(part.clone()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        node = match entry {
            toml::Value::Table(t) => t,
            _ => return Err(ConfigError::Env { var: var.into(), message: format!("'{part}' is not a section") }),
        };
    }
    let last = &path[path.len() - 1];
    // A key that holds text takes the value as it is (a team named "123"); otherwise a value that parses
    // as TOML (numbers, booleans, arrays) is taken as such, and anything else as text.
    let text = toml::Value::String(value.to_string());
    let parsed = format!("v = {value}").parse::<toml::Table>().ok().and_then(|mut t| t.remove("v"));
    let parsed = match (node.get(last), parsed) {
        // Quoted as TOML writes text (`"Europe/Madrid"`, as .env files often do): the text inside.
        (Some(toml::Value::String(_)), Some(quoted @ toml::Value::String(_))) => quoted,
        (Some(toml::Value::String(_)), _) => text,
        (_, parsed) => parsed.unwrap_or(text),
    };
    node.insert(last.clone(), parsed);
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_load() {
        let c = Config::defaults();
        assert_eq!(c.pipeline.stages.len(), 8);
        assert_eq!(c.followup.cadence_days, 14);
    }

    #[test]
    fn file_then_env_override() {
        let file = "[team]\ntimezone = \"Europe/Madrid\"\n[followup]\ncadence_days = 7\n";
        let env = vec![("LEADLINE_FOLLOWUP__CADENCE_DAYS".to_string(), "3".to_string())];
        let c = Config::from_layers(Some(("c.toml", file)), &env).unwrap();
        assert_eq!(c.team.timezone, "Europe/Madrid");
        assert_eq!(c.team.name, "My Team");
        assert_eq!(c.followup.cadence_days, 3);
        // A text setting takes a value that looks like a number or a boolean as text.
        let env = vec![
            ("LEADLINE_TEAM__NAME".to_string(), "123".to_string()),
            ("LEADLINE_USER__NAME".to_string(), "true".to_string()),
        ];
        let c = Config::from_layers(None, &env).unwrap();
        assert_eq!((c.team.name.as_str(), c.user.name.as_str()), ("123", "true"));
        let env = vec![("LEADLINE_TEAM__TIMEZONE".to_string(), "\"Europe/Madrid\"".to_string())];
        assert_eq!(Config::from_layers(None, &env).unwrap().team.timezone, "Europe/Madrid");
    }

    #[test]
    fn broken_files_name_the_problem() {
        let e = Config::from_layers(Some(("c.toml", "[team\n")), &[]).unwrap_err().to_string();
        assert!(e.starts_with("config file c.toml:"), "{e}");
        let e = Config::from_layers(Some(("c.toml", "[team]\ntimezone = \"Mars/Base\"\n")), &[]).unwrap_err();
        assert!(e.to_string().contains("Mars/Base"), "{e}");
        let e = Config::from_layers(Some(("c.toml", "[pipeline]\nwon_stage = \"Done\"\n")), &[]).unwrap_err();
        assert!(e.to_string().contains("Done"), "{e}");
        let e = Config::from_layers(Some(("c.toml", "[teem]\nname = \"x\"\n")), &[]).unwrap_err();
        assert!(e.to_string().contains("teem"), "{e}");
        let e = Config::from_layers(Some(("c.toml", "[ui]\nmouse = true\n\n[ui\n")), &[]).unwrap_err();
        assert!(e.to_string().starts_with("config file c.toml: line 4, column"), "{e}");
        let e = Config::from_layers(Some(("c.toml", "[import]\ndefault_country = \"Narnia\"\n")), &[]).unwrap_err();
        assert!(e.to_string().contains("import.default_country"), "{e}");
    }

    #[test]
    fn a_bad_variable_is_blamed_on_the_variable() {
        let env =
            |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        let e = Config::from_layers(Some(("c.toml", "")), &env(&[("LEADLINE_UI__MOUSE", "maybe")])).unwrap_err();
        assert!(e.to_string().starts_with("environment variable LEADLINE_UI__MOUSE:"), "{e}");
        let two = env(&[("LEADLINE_FOLLOWUP__CADENCE_DAYS", "3"), ("LEADLINE_TEAM__TIMEZONE", "Mars/Base")]);
        let e = Config::from_layers(Some(("c.toml", "")), &two).unwrap_err();
        assert!(e.to_string().starts_with("environment variable LEADLINE_TEAM__TIMEZONE:"), "{e}");
        // A variable may mend what the file gets wrong.
        let fixed = env(&[("LEADLINE_TEAM__TIMEZONE", "Europe/Madrid")]);
        assert!(Config::from_layers(Some(("c.toml", "[team]\ntimezone = \"Mars/Base\"\n")), &fixed).is_ok());
    }
}
