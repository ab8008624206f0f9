//! Key bindings: the shipped defaults (`assets/keymap.toml`) plus the user's `[keymap.<view>]`
//! overrides, resolved into commands with multi-key sequences such as `g g`.

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

use super::command::Command;
use crate::config::ConfigError;
use crate::config::keymap::KeymapConfig;

pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// Where a binding applies: everywhere, in one view, or in text input (forms, search, palette).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Global,
    Leads,
    Detail,
    Pipeline,
    Inbox,
    Scoring,
    Followups,
    Input,
}

impl Scope {
    pub const ALL: [Scope; 8] = [
        Scope::Global,
        Scope::Leads,
        Scope::Detail,
        Scope::Pipeline,
        Scope::Inbox,
        Scope::Scoring,
        Scope::Followups,
        Scope::Input,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Leads => "leads",
            Scope::Detail => "detail",
            Scope::Pipeline => "pipeline",
            Scope::Inbox => "inbox",
            Scope::Scoring => "scoring",
            Scope::Followups => "followups",
            Scope::Input => "input",
        }
    }

    fn from_name(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|v| v.name() == s)
    }

    /// Whether a command bound here can act: in a view, the app's own commands and the view's (searching
    /// from the ranking opens the leads table's search); in text input, its few; globally any, since
    /// some view answers it.
    pub fn runs(self, c: Command) -> bool {
        use super::views::{detail, followups, inbox, kanban, leads, scoring};
        let own = match self {
            Scope::Global => return true,
            Scope::Input => return super::app::App::INPUT_COMMANDS.contains(&c),
            Scope::Leads => leads::LeadsView::COMMANDS,
            Scope::Detail => detail::DetailView::COMMANDS,
            Scope::Pipeline => kanban::KanbanView::COMMANDS,
            Scope::Inbox => inbox::InboxView::COMMANDS,
            Scope::Scoring if c == Command::Search => return true,
            Scope::Scoring => scoring::ScoringView::COMMANDS,
            Scope::Followups => followups::FollowupsView::COMMANDS,
        };
        c.is_app_wide() || own.contains(&c)
    }
}

/// One key press, normalised (a typed `G` is `G`, not `shift-g`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn from_event(e: KeyEvent) -> Key {
        let mut mods = e.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match e.code {
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::Char(if mods.contains(KeyModifiers::CONTROL) { c.to_ascii_lowercase() } else { c })
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            c => c,
        };
        Key { code, mods }
    }

    /// Parses `j`, `G`, `ctrl-d`, `shift-left`, `enter`, `f5`, `space`.
    pub fn parse(s: &str) -> Result<Key, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (m, len) = if lower.starts_with("ctrl-") {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("alt-") {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("shift-") {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            if rest.len() == len {
                break;
            }
            mods |= m;
            rest = &rest[len..];
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pageup" => KeyCode::PageUp,
                "pagedown" => KeyCode::PageDown,
                f if f.starts_with('f') && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) => {
                    KeyCode::F(f[1..].parse().unwrap_or(1))
                }
                _ => return Err(format!("'{s}' is not a key")),
            },
        };
        // A terminal sends shift with a letter as the capital letter, and with any other character as the
        // character shift gives, which depends on the keyboard.
        let code = match code {
            KeyCode::Char(c) if mods.contains(KeyModifiers::SHIFT) => {
                if !c.is_alphabetic() {
                    return Err(format!("'{s}': write the character shift gives with it on your keyboard"));
                }
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::Char(c.to_uppercase().next().unwrap_or(c))
            }
            c => c,
        };
        // What a terminal sends for these is another key's code: shift-tab is backtab, ctrl-i is tab, ctrl-m
        // enter and ctrl-[ escape. Read as the key they arrive as, so they fire, and two spellings of one key
        // are found.
        let (code, mods) = match (code, mods) {
            (KeyCode::Tab, m) if m.contains(KeyModifiers::SHIFT) => (KeyCode::BackTab, m - KeyModifiers::SHIFT),
            (KeyCode::Char('i'), m) if m.contains(KeyModifiers::CONTROL) => (KeyCode::Tab, m - KeyModifiers::CONTROL),
            (KeyCode::Char('m'), m) if m.contains(KeyModifiers::CONTROL) => (KeyCode::Enter, m - KeyModifiers::CONTROL),
            (KeyCode::Char('['), m) if m.contains(KeyModifiers::CONTROL) => (KeyCode::Esc, m - KeyModifiers::CONTROL),
            other => other,
        };
        Ok(Key::from_event(KeyEvent::new(code, mods)))
    }

    pub fn parse_seq(s: &str) -> Result<Vec<Key>, String> {
        let keys: Vec<Key> = s.split_whitespace().map(Key::parse).collect::<Result<_, _>>()?;
        if keys.is_empty() {
            return Err(format!("'{s}' has no key"));
        }
        Ok(keys)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("backtab"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("delete"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::PageUp => f.write_str("pageup"),
            KeyCode::PageDown => f.write_str("pagedown"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub keys: Vec<Key>,
    pub command: Command,
    pub desc: String,
}

impl Binding {
    pub fn keys_label(&self) -> String {
        self.keys.iter().map(Key::to_string).collect::<Vec<_>>().join(" ")
    }
}

/// What a key press (after any pending prefix) means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Resolved {
    Command(Command),
    /// A prefix of a longer binding (`g` of `g g`): wait for the next key.
    Pending,
    Unbound,
}

#[derive(Debug, Clone, Default)]
pub struct Keymap {
    scopes: BTreeMap<Scope, Vec<Binding>>,
    /// Global keys a view has unbound for itself (`[keymap.leads] "j" = ""`).
    unbound: BTreeMap<Scope, Vec<Vec<Key>>>,
}

#[derive(Deserialize)]
struct DefaultEntry {
    on: String,
    run: String,
    #[serde(default)]
    desc: Option<String>,
}

impl Keymap {
    /// The defaults with the user's overrides applied; any unknown view, command or key is an error
    /// naming it.
    pub fn build(overrides: &KeymapConfig) -> Result<Keymap, ConfigError> {
        let mut map = Keymap::defaults()?;
        // The user's bindings (not their unbindings), to check once all are in place.
        let mut bound = Vec::new();
        // The global table first: a view's entries are then read against the global keys as configured.
        let mut tables: Vec<_> = overrides.0.iter().collect();
        tables.sort_by_key(|(view, _)| view.as_str() != Scope::Global.name());
        for (view, table) in tables {
            let scope = Scope::from_name(view).ok_or_else(|| {
                let known: Vec<_> = Scope::ALL.iter().map(|s| s.name()).collect();
                ConfigError::Invalid(format!("keymap.{view}: unknown view (known: {})", known.join(", ")))
            })?;
            // Two spellings of one key ("ctrl-d" and "CTRL-D"): which one wins would be chance.
            let mut written: Vec<(&str, Vec<Key>)> = Vec::new();
            for (keys, run) in table {
                let seq = Key::parse_seq(keys).map_err(|e| ConfigError::Invalid(format!("keymap.{view}: {e}")))?;
                if let Some((other, _)) = written.iter().find(|(_, s)| *s == seq) {
                    return Err(ConfigError::Invalid(format!(
                        "keymap.{view}: \"{other}\" and \"{keys}\" are the same key; keep one of them"
                    )));
                }
                written.push((keys.as_str(), seq.clone()));
                // In text input a character is what it types: bound, it could never be typed again.
                if scope == Scope::Input
                    && let Some(Key { code: KeyCode::Char(c), mods }) = seq.first()
                    && !mods.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                {
                    return Err(ConfigError::Invalid(format!(
                        "keymap.input: \"{keys}\" types '{c}' into fields; bind a ctrl-, alt- or named key there"
                    )));
                }
                let list = map.scopes.entry(scope).or_default();
                let had = list.len();
                list.retain(|b| b.keys != seq);
                if run.trim().is_empty() {
                    // A view's own binding is gone with the retain above; a global key it does not bind
                    // itself is unbound for that view alone.
                    let own = map.bindings(scope).len() < had;
                    let global = map.bindings(Scope::Global).iter().any(|b| b.keys == seq);
                    if !own && global && !matches!(scope, Scope::Global | Scope::Input) {
                        map.unbound.entry(scope).or_default().push(seq);
                    } else if !own {
                        return Err(ConfigError::Invalid(format!(
                            "keymap.{view}: \"{keys}\" is bound to nothing there, so \"\" has nothing to unbind"
                        )));
                    }
                    continue;
                }
                let command = Command::from_name(run).ok_or_else(|| {
                    ConfigError::Invalid(format!(
                        "keymap.{view}: \"{keys}\" is bound to '{run}', which is not a command (`:` in the UI lists them)"
                    ))
                })?;
                if !scope.runs(command) {
                    let views: Vec<&str> = Scope::ALL
                        .into_iter()
                        .filter(|s| !matches!(s, Scope::Global | Scope::Input) && s.runs(command))
                        .map(Scope::name)
                        .collect();
                    let there = if scope == Scope::Input { "text input" } else { view.as_str() };
                    return Err(ConfigError::Invalid(format!(
                        "keymap.{view}: \"{keys}\" is bound to '{run}', which does nothing in {there}{}",
                        if views.is_empty() { String::new() } else { format!(" (it acts in {})", views.join(", ")) }
                    )));
                }
                list.insert(0, Binding { keys: seq.clone(), command, desc: command.description().to_string() });
                bound.push((view.as_str(), keys.as_str(), scope, seq));
            }
        }
        // A key that begins another binding's keys acts as soon as it is typed: the longer binding could
        // never be reached. Checked once every entry (unbindings too) is in place.
        for (view, keys, scope, seq) in bound {
            let begins = |a: &[Key], b: &[Key]| a.len() < b.len() && b.starts_with(a);
            // The keys a view listens to are its own and the global ones; input fields listen alone.
            let heard: Vec<Scope> = match scope {
                Scope::Input => vec![Scope::Input],
                Scope::Global => Scope::ALL.into_iter().filter(|s| *s != Scope::Input).collect(),
                s => vec![s, Scope::Global],
            };
            let clash =
                heard.iter().flat_map(|s| map.bindings(*s)).find(|b| begins(&seq, &b.keys) || begins(&b.keys, &seq));
            if let Some(other) = clash {
                return Err(ConfigError::Invalid(format!(
                    "keymap.{view}: \"{keys}\" and \"{}\" ({}) cannot both be typed, the shorter acts at once; \
                     bind one to other keys, or unbind it with \"\"",
                    other.keys_label(),
                    other.command.name()
                )));
            }
            // A global key a view binds to something else never reaches the global command there.
            if scope == Scope::Global {
                let command = map.bindings(Scope::Global).iter().find(|b| b.keys == seq).map(|b| b.command);
                let shadowing: Vec<&str> = Scope::ALL
                    .into_iter()
                    .filter(|s| !matches!(s, Scope::Global | Scope::Input))
                    .filter(|s| map.bindings(*s).iter().any(|b| b.keys == seq && Some(b.command) != command))
                    .map(|s| s.name())
                    .collect();
                if let Some(first) = shadowing.first() {
                    return Err(ConfigError::Invalid(format!(
                        "keymap.global: \"{keys}\" is bound in {} too, where that binding wins; bind another key, \
                         or unbind it there ([keymap.{first}] \"{keys}\" = \"\")",
                        shadowing.join(", ")
                    )));
                }
            }
        }
        Ok(map)
    }

    pub fn defaults() -> Result<Keymap, ConfigError> {
        let raw: BTreeMap<String, Vec<DefaultEntry>> = toml::from_str(DEFAULT_KEYMAP)
            .map_err(|e| ConfigError::Invalid(format!("built-in keymap: {}", e.message())))?;
        let mut scopes = BTreeMap::new();
        for (view, entries) in raw {
            let scope = Scope::from_name(&view)
                .ok_or_else(|| ConfigError::Invalid(format!("built-in keymap: unknown view {view}")))?;
            let mut list = Vec::new();
            for e in entries {
                let keys = Key::parse_seq(&e.on).map_err(|m| ConfigError::Invalid(format!("built-in keymap: {m}")))?;
                let command = Command::from_name(&e.run)
                    .ok_or_else(|| ConfigError::Invalid(format!("built-in keymap: unknown command {}", e.run)))?;
                list.push(Binding { keys, command, desc: e.desc.unwrap_or_else(|| command.description().into()) });
            }
            scopes.insert(scope, list);
        }
        Ok(Keymap { scopes, unbound: BTreeMap::new() })
    }

    pub fn bindings(&self, scope: Scope) -> &[Binding] {
        self.scopes.get(&scope).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether `view` unbound this global key for itself.
    pub fn unbound_in(&self, view: Scope, keys: &[Key]) -> bool {
        self.unbound.get(&view).is_some_and(|u| u.iter().any(|k| k == keys))
    }

    /// The bindings heard in `view` from `scope`: the global ones less those the view unbound or binds to
    /// something of its own (the view's binding is the one that runs).
    pub fn heard(&self, view: Scope, scope: Scope) -> impl Iterator<Item = &Binding> {
        self.bindings(scope).iter().filter(move |b| {
            scope == view
                || !(self.unbound_in(view, &b.keys) || self.bindings(view).iter().any(|own| own.keys == b.keys))
        })
    }

    /// Resolves `pending + key` in `scopes`, earlier scopes first (a view's binding beats a global one).
    pub fn resolve(&self, scopes: &[Scope], pending: &[Key], key: Key) -> Resolved {
        let mut seq = pending.to_vec();
        seq.push(key);
        let mut prefix = false;
        for scope in scopes {
            if self.unbound.get(scope).is_some_and(|u| u.contains(&seq)) {
                return if prefix { Resolved::Pending } else { Resolved::Unbound };
            }
            for b in self.bindings(*scope) {
                if b.keys == seq {
                    return Resolved::Command(b.command);
                }
                if b.keys.len() > seq.len() && b.keys[..seq.len()] == seq[..] {
                    prefix = true;
                }
            }
        }
        if prefix { Resolved::Pending } else { Resolved::Unbound }
    }

    /// The first key sequence bound to `command` in these scopes, for hints.
    pub fn key_for(&self, scopes: &[Scope], command: Command) -> Option<String> {
        self.keys_for(scopes, command).into_iter().next()
    }

    /// Every key sequence bound to `command` in these scopes, in order.
    pub fn keys_for(&self, scopes: &[Scope], command: Command) -> Vec<String> {
        let view = scopes.first().copied().unwrap_or(Scope::Global);
        scopes
            .iter()
            .flat_map(|s| self.heard(view, *s))
            .filter(|b| b.command == command)
            .map(Binding::keys_label)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        Key::parse(s).unwrap()
    }

    #[test]
    fn defaults_parse_and_sequences_resolve() {
        let km = Keymap::defaults().unwrap();
        let scopes = [Scope::Leads, Scope::Global];
        assert_eq!(km.resolve(&scopes, &[], key("j")), Resolved::Command(Command::Down));
        assert_eq!(km.resolve(&scopes, &[], key("g")), Resolved::Pending);
        assert_eq!(km.resolve(&scopes, &[key("g")], key("g")), Resolved::Command(Command::Top));
        assert_eq!(km.resolve(&scopes, &[], key("down")), Resolved::Command(Command::Down));
        assert_eq!(km.resolve(&scopes, &[], key("%")), Resolved::Unbound);
    }

    #[test]
    fn keys_parse_and_normalise() {
        assert_eq!(key("G"), Key::from_event(KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT)));
        assert_eq!(key("ctrl-d").mods, KeyModifiers::CONTROL);
        assert_eq!(key("space").code, KeyCode::Char(' '));
        assert_eq!(key("f5").code, KeyCode::F(5));
        assert_eq!(key("-").code, KeyCode::Char('-'));
        assert!(Key::parse("ctrl-nope").is_err());
        assert!(Key::parse("f13").is_err());
    }

    #[test]
    fn user_overrides_rebind_and_unbind() {
        let mut over = KeymapConfig::default();
        let mut leads = BTreeMap::new();
        leads.insert("s".to_string(), String::new());
        leads.insert("o".to_string(), "sort_next".to_string());
        over.0.insert("leads".into(), leads);
        let km = Keymap::build(&over).unwrap();
        let scopes = [Scope::Leads, Scope::Global];
        assert_eq!(km.resolve(&scopes, &[], key("s")), Resolved::Unbound);
        assert_eq!(km.resolve(&scopes, &[], key("o")), Resolved::Command(Command::SortNext));
    }

    #[test]
    fn shift_letters_are_capitals_and_a_view_may_unbind_a_global_key() {
        assert_eq!(key("shift-o"), key("O"));
        assert!(Key::parse("shift-1").is_err());
        let build = |entries: &[(&str, &str, &str)]| {
            let mut over = KeymapConfig::default();
            for (view, k, run) in entries {
                over.0.entry(view.to_string()).or_default().insert(k.to_string(), run.to_string());
            }
            Keymap::build(&over)
        };
        let km = build(&[("leads", "shift-o", "sort_next")]).unwrap();
        let scopes = [Scope::Leads, Scope::Global];
        assert_eq!(km.resolve(&scopes, &[], key("O")), Resolved::Command(Command::SortNext));
        // "j" is global: unbound in the leads view, it still moves in the others.
        let global_j = Keymap::defaults().unwrap().resolve(&[Scope::Global], &[], key("j"));
        assert_ne!(global_j, Resolved::Unbound);
        let km = build(&[("leads", "j", "")]).unwrap();
        assert_eq!(km.resolve(&scopes, &[], key("j")), Resolved::Unbound);
        assert_eq!(km.resolve(&[Scope::Inbox, Scope::Global], &[], key("j")), global_j);
        let e = build(&[("leads", "ctrl-d", "top"), ("leads", "CTRL-D", "bottom")]).unwrap_err().to_string();
        assert!(e.contains("are the same key"), "{e}");
        let e = build(&[("leads", "%", "")]).unwrap_err().to_string();
        assert!(e.contains("nothing to unbind"), "{e}");
        // Keys a terminal sends as others are those others: they fire, and are found twice.
        assert_eq!(key("shift-tab"), key("backtab"));
        assert_eq!(key("ctrl-i"), key("tab"));
        assert_eq!(key("ctrl-m"), key("enter"));
        let e = build(&[("leads", "tab", "sort_next"), ("leads", "ctrl-i", "search")]).unwrap_err().to_string();
        assert!(e.contains("are the same key"), "{e}");
        // A character bound in text input could never be typed.
        let e = build(&[("input", "a", "down")]).unwrap_err().to_string();
        assert!(e.contains("types 'a' into fields"), "{e}");
        assert!(build(&[("input", "ctrl-a", "down")]).is_ok());
        let e = build(&[("input", "j k", "back")]).unwrap_err().to_string();
        assert!(e.contains("types 'j' into fields"), "{e}");
    }

    #[test]
    fn a_view_that_unbinds_its_own_key_hears_the_global_one_and_the_order_of_tables_does_not_matter() {
        let mut over = KeymapConfig::default();
        let view_l = ["leads", "detail", "pipeline", "scoring"];
        over.0.insert("global".into(), [("l".to_string(), "view_inbox".to_string())].into_iter().collect());
        for v in view_l {
            over.0.insert(v.into(), [("l".to_string(), String::new())].into_iter().collect());
        }
        let km = Keymap::build(&over).unwrap();
        for v in [Scope::Leads, Scope::Detail, Scope::Pipeline, Scope::Scoring, Scope::Inbox] {
            assert_eq!(km.resolve(&[v, Scope::Global], &[], key("l")), Resolved::Command(Command::ViewInbox), "{v:?}");
        }
        // A global key bound in a view to the same command is no clash.
        let mut over = KeymapConfig::default();
        over.0.insert("global".into(), [("/".to_string(), "search".to_string())].into_iter().collect());
        assert!(Keymap::build(&over).is_ok());
        // A global key unbound in a view is not shown there.
        let mut over = KeymapConfig::default();
        over.0.insert("leads".into(), [("j".to_string(), String::new())].into_iter().collect());
        let km = Keymap::build(&over).unwrap();
        assert!(!km.keys_for(&[Scope::Leads, Scope::Global], Command::Down).contains(&"j".to_string()));
        assert!(km.keys_for(&[Scope::Inbox, Scope::Global], Command::Down).contains(&"j".to_string()));
        // Nor is one the view binds to a command of its own: help and the palette say what the key does there.
        let mut over = KeymapConfig::default();
        over.0.insert("leads".into(), [("j".to_string(), "sort_next".to_string())].into_iter().collect());
        let km = Keymap::build(&over).unwrap();
        assert!(!km.keys_for(&[Scope::Leads, Scope::Global], Command::Down).contains(&"j".to_string()));
        assert!(!km.heard(Scope::Leads, Scope::Global).any(|b| b.keys == [key("j")]));
        assert!(km.heard(Scope::Leads, Scope::Leads).any(|b| b.keys == [key("j")] && b.command == Command::SortNext));
    }

    #[test]
    fn a_global_key_a_view_binds_otherwise_is_refused() {
        let km = Keymap::defaults().unwrap();
        let view_key = km.bindings(Scope::Leads).iter().find(|b| b.keys.len() == 1).unwrap().keys_label();
        let mut over = KeymapConfig::default();
        over.0.insert("global".into(), [(view_key.clone(), "view_inbox".to_string())].into_iter().collect());
        let e = Keymap::build(&over).unwrap_err().to_string();
        assert!(e.contains("keymap.global") && e.contains("leads") && e.contains("wins"), "{e}");
    }

    #[test]
    fn bad_overrides_are_named() {
        let bad = |view: &str, k: &str, run: &str| {
            let mut over = KeymapConfig::default();
            over.0.insert(view.into(), [(k.to_string(), run.to_string())].into_iter().collect());
            Keymap::build(&over).unwrap_err().to_string()
        };
        let e = bad("leads", "x", "explode");
        assert!(e.contains("keymap.leads") && e.contains("explode"), "{e}");
        let e = bad("leads", "ctrl-", "top");
        assert!(e.contains("'ctrl-'"), "{e}");
        let e = bad("lieds", "x", "top");
        assert!(e.contains("keymap.lieds"), "{e}");
        // A command the view never answers: said where, and where it would act.
        let e = bad("detail", "o", "win");
        assert!(
            e.contains("keymap.detail: \"o\" is bound to 'win', which does nothing in detail (it acts in pipeline)"),
            "{e}"
        );
        let e = bad("input", "ctrl-w", "win");
        assert!(e.contains("does nothing in text input"), "{e}");
    }

    #[test]
    fn every_shipped_binding_acts_where_it_is_bound() {
        let km = Keymap::defaults().unwrap();
        for scope in Scope::ALL {
            for b in km.bindings(scope) {
                assert!(scope.runs(b.command), "{} in {}", b.command.name(), scope.name());
            }
        }
    }
}
