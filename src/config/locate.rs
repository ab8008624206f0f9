//! Where in a config file a key is written, so that a problem with its value names the line to fix.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

/// Which of several places a key is written is the one at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// Only a key written once names a line.
    Only,
    First,
    Last,
}

/// A problem with the config as a whole, and the dotted key it is about when that is known.
#[derive(Debug)]
pub struct Problem {
    pub message: String,
    pub key: Vec<String>,
    /// Of several places the key is written, the one at fault: the first (a field the config does not
    /// have, which serde names where it first meets it) or the last (a rule defined twice), else none.
    pub pick: Pick,
    /// The key is an array of tables, and the one at fault is the table with this `name`.
    pub named: Option<String>,
    /// What was written where something else was expected: a kind of value (`string`, `integer`...) or a
    /// word that is not one of the choices. Of several tables that have the key, the one that wrote it.
    pub written_as: Option<Written>,
    /// A field that must be there is not: of the tables the key holds, the one without it.
    pub lacking: Option<Box<str>>,
}

/// What a key's value was written as, as a type error reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    Kind(&'static str),
    Word(String),
}

impl Problem {
    /// A problem deserialising the merged config: the key comes from the error's own report of it, and an
    /// unknown field is looked for inside the table that has it.
    pub fn from_toml(e: &toml::de::Error) -> Self {
        let message = one_line(e.message());
        let mut key: Vec<String> = e
            .to_string()
            .lines()
            .find_map(|l| l.strip_prefix("in `").and_then(|k| k.strip_suffix('`')))
            .map(|k| k.split('.').map(str::to_string).collect())
            .unwrap_or_default();
        let unknown = message.strip_prefix("unknown field `").and_then(|r| r.split('`').next());
        if let Some(field) = unknown {
            key.push(field.to_string());
        }
        // serde says what it found first: "invalid type: string \"many\", expected i64", or "unknown
        // variant `email`, expected one of ...".
        let found = message.strip_prefix("invalid type: ").unwrap_or("");
        let word = message.strip_prefix("unknown variant `").and_then(|r| r.split('`').next());
        let written_as = match word {
            Some(w) => Some(Written::Word(w.to_string())),
            None => KINDS.iter().find(|k| found.starts_with(**k)).map(|k| Written::Kind(k)),
        };
        let pick = if unknown.is_some() { Pick::First } else { Pick::Only };
        let lacking = message.strip_prefix("missing field `").and_then(|r| r.split('`').next()).map(Box::from);
        Self { message: one_line(&e.to_string()), key, pick, named: None, written_as, lacking }
    }

    /// A value the config's own checks refuse, the field naming its dotted key, and a rule by its name
    /// (`scoring.rule 'hot leads'`).
    pub fn from_validation(e: &crate::domain::ValidationError) -> Self {
        let (key, named) = match e.field.strip_suffix('\'').and_then(|f| f.split_once(" '")) {
            Some((key, name)) => (key, Some(name.to_string())),
            None => (e.field.as_str(), None),
        };
        let key = key.split('.').map(str::to_string).collect();
        // A rule defined twice is at fault where it is written the second time.
        let pick = if e.reason == "is defined twice" { Pick::Last } else { Pick::Only };
        Self { message: e.to_string(), key, pick, named, written_as: None, lacking: None }
    }

    /// The message, led by the line of the key in `text` when the key is written there once.
    pub fn in_text(&self, text: &str) -> String {
        self.in_text_with(text, &|_| false)
    }

    /// `in_text`, where a field missing from one of several tables is found by asking whether the config
    /// cut just after a table (`truncated`) still fails so: the tables are read in order, so the first
    /// that does is the one.
    pub fn in_text_with(&self, text: &str, fails_up_to: &dyn Fn(&Path) -> bool) -> String {
        let key: Vec<&str> = self.key.iter().map(String::as_str).collect();
        let lacking = self.lacking.as_deref().and_then(|field| {
            let found = tables_lacking(text, &key, field);
            let line = |span: &Range<usize>| text[..span.start.min(text.len())].matches('\n').count() + 1;
            match found.as_slice() {
                [(_, one)] => Some(line(one)),
                several => several.iter().find(|(path, _)| fails_up_to(path)).map(|(_, span)| line(span)),
            }
        });
        match lacking.or_else(|| line_of(text, &key, self.pick, self.named.as_deref(), self.written_as.as_ref())) {
            Some(line) => format!("line {line}: {}", self.message),
            None => self.message.clone(),
        }
    }
}

/// A message that starts with the dotted key it is about (`keymap.leads: ...`), led by that key's line
/// in `text` when it is written there. When the message then quotes an entry of that table first
/// (`keymap.leads: "x" is bound to ...`), the entry's own line is named.
pub fn with_line(text: &str, message: &str) -> String {
    let Some((key, rest)) = message.split_once(": ") else { return message.to_string() };
    if key.is_empty() || key.contains(char::is_whitespace) {
        return message.to_string();
    }
    let table: Vec<String> = key.split('.').map(str::to_string).collect();
    let problem = |key: Vec<String>| Problem {
        message: message.to_string(),
        key,
        pick: Pick::Only,
        named: None,
        written_as: None,
        lacking: None,
    };
    // The first quoted text of the rest, in either quotes (an empty key's too: `'' has no key`).
    let entry = rest.strip_prefix(['"', '\'']).and_then(|r| r.split(['"', '\'']).next());
    if let Some(entry) = entry {
        let mut key = table.clone();
        key.push(entry.to_string());
        let named = problem(key).in_text(text);
        if named != message {
            return named;
        }
    }
    problem(table).in_text(text)
}

/// The line the dotted `key` is written on. In an array of tables the key must be in just one of them
/// (several would leave the line in doubt), unless `pick` says which.
/// With `named`, the line is that of the name of the table with that name; with `written_as`, only a
/// value of that kind counts.
fn line_of(text: &str, key: &[&str], pick: Pick, named: Option<&str>, written_as: Option<&Written>) -> Option<usize> {
    if key.is_empty() {
        return None;
    }
    let root = DeTable::parse(text).ok()?;
    let mut found = Vec::new();
    find(root.get_ref(), key, (named, written_as), &mut found);
    let span = match (found.as_slice(), pick) {
        ([one], _) => one,
        ([first, _, ..], Pick::First) => first,
        ([.., last], Pick::Last) => last,
        _ => return None,
    };
    Some(text[..span.start.min(text.len())].matches('\n').count() + 1)
}

/// A way into the config: each key, and in an array, which element.
pub type Path = Vec<(String, Option<usize>)>;

/// The config with every array on `path` cut just after the element the path takes.
pub fn truncated(table: &toml::Table, path: &Path) -> toml::Table {
    let mut copy = table.clone();
    let mut node = &mut copy;
    for (key, index) in path {
        let next = match (node.get_mut(key), index) {
            (Some(toml::Value::Array(items)), Some(i)) => {
                items.truncate(i + 1);
                items.get_mut(*i)
            }
            (value, _) => value,
        };
        match next {
            Some(toml::Value::Table(t)) => node = t,
            _ => break,
        }
    }
    copy
}

/// The tables under `key` (elements of arrays of tables, inline tables of lists) that do not have
/// `field`, in the order they are read, with their path and where they are written.
fn tables_lacking(text: &str, key: &[&str], field: &str) -> Vec<(Path, Range<usize>)> {
    let Ok(root) = DeTable::parse(text) else { return Vec::new() };
    let mut found = Vec::new();
    find_tables_lacking(root.get_ref(), key, field, &mut Vec::new(), &mut found);
    found
}

fn find_tables_lacking(
    table: &DeTable<'_>,
    key: &[&str],
    field: &str,
    path: &mut Path,
    found: &mut Vec<(Path, Range<usize>)>,
) {
    let Some((first, rest)) = key.split_first() else { return };
    let Some(value) = table.get(*first) else { return };
    let tables: Vec<(Option<usize>, &DeTable<'_>, Range<usize>)> = match value.get_ref() {
        DeValue::Table(t) => vec![(None, t, value.span())],
        DeValue::Array(items) => items
            .iter()
            .enumerate()
            .filter_map(|(n, i)| match i.get_ref() {
                DeValue::Table(t) => Some((Some(n), t, i.span())),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    for (index, t, span) in tables {
        path.push((first.to_string(), index));
        if !rest.is_empty() {
            find_tables_lacking(t, rest, field, path, found);
        } else if !t.contains_key(field) {
            found.push((path.clone(), span));
        }
        path.pop();
    }
}

/// Every place `key` is written, arrays of tables searched element by element: in the table with the
/// name given, or holding a value of the kind given, when one is.
fn find(
    table: &DeTable<'_>,
    key: &[&str],
    (named, written_as): (Option<&str>, Option<&Written>),
    found: &mut Vec<Range<usize>>,
) {
    let Some((first, rest)) = key.split_first() else { return };
    let Some((written, value)) = table.get_key_value(*first) else { return };
    let tables = || -> Vec<&DeTable<'_>> {
        match value.get_ref() {
            DeValue::Table(t) => vec![t],
            DeValue::Array(items) => items
                .iter()
                .filter_map(|i| match i.get_ref() {
                    DeValue::Table(t) => Some(t),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    };
    match (rest.is_empty(), named) {
        (false, _) => tables().into_iter().for_each(|t| find(t, rest, (named, written_as), found)),
        (true, None) if written_as.is_none_or(|w| w.is(value.get_ref())) => found.push(written.span()),
        (true, None) => {}
        (true, Some(name)) => {
            for t in tables() {
                if let Some((k, v)) = t.get_key_value("name")
                    && matches!(v.get_ref(), DeValue::String(s) if s == name)
                {
                    found.push(k.span());
                }
            }
        }
    }
}

/// The kinds of value serde names in a type error, in its words.
const KINDS: [&str; 6] = ["string", "integer", "floating point", "boolean", "sequence", "map"];

impl Written {
    fn is(&self, v: &DeValue<'_>) -> bool {
        match (self, v) {
            // An element of a list written so (the error names the list).
            (_, DeValue::Array(items)) if !matches!(self, Written::Kind("sequence")) => {
                items.iter().any(|i| self.is(i.get_ref()))
            }
            (Written::Kind(k), v) => *k == kind(v),
            (Written::Word(w), DeValue::String(s)) => s == w.as_str(),
            (Written::Word(_), _) => false,
        }
    }
}

/// A TOML value's kind in serde's words.
fn kind(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "string",
        DeValue::Integer(_) => "integer",
        DeValue::Float(_) => "floating point",
        DeValue::Boolean(_) => "boolean",
        DeValue::Array(_) => "sequence",
        DeValue::Table(_) | DeValue::Datetime(_) => "map",
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, ConfigError};

    fn message(file: &str) -> String {
        match Config::from_layers(Some(("c.toml", file)), &[]) {
            Err(ConfigError::File { message, .. }) => message,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_problem_with_a_value_names_the_line_of_its_key() {
        let m = message("# mine\n[team]\nname = \"Acme\"\ntimezone = 5\n");
        assert!(m.starts_with("line 4: invalid type") && m.contains("team.timezone"), "{m}");
        let m = message("[pipeline]\n\ncurrency = \"EURO\"\n");
        assert!(m.starts_with("line 3: pipeline.currency"), "{m}");
        // An unknown field in an array of tables: the first table that has it.
        let rules = "[[scoring.rule]]\nname = \"a\"\nwhen = \"tags\"\nweight = 1\n\n[[scoring.rule]]\nname = \"b\"\n";
        let m = message(&format!("{rules}when = \"tags\"\nweight = 2\npoints = 3\n"));
        assert!(m.starts_with("line 10: unknown field `points`"), "{m}");
        // A wrong kind of value inside a list names the list's line.
        let m = message(
            "[[automation.rule]]\nname = \"x\"\ntrigger = \"reply\"\nconditions = [\"tags has hot\", 5]\nactions = [{ do = \"note\", body = \"hi\" }]\n",
        );
        assert!(m.starts_with("line 4: invalid type: integer"), "{m}");
        // A word that is not one of an action's choices, in one of several actions.
        let actions = "[[automation.rule]]\nname = \"x\"\ntrigger = \"reply\"\n\
                       actions = [{ do = \"note\", body = \"hi\" },\n  { do = \"email\", body = \"x\" }]\n";
        let m = message(actions);
        assert!(m.starts_with("line 5: unknown variant `email`"), "{m}");
        // A rule defined twice, where it is written the second time.
        let twice = format!(
            "{rules}when = \"tags\"\nweight = 2\n\n[[scoring.rule]]\nname = \"a\"\nwhen = \"tags\"\nweight = 3\n"
        );
        let m = message(&twice);
        assert!(m.starts_with("line 12: scoring.rule 'a': is defined twice"), "{m}");
        // A rule its own checks refuse, by its name.
        let m = message(&format!("{rules}when = \"no such fact\"\nweight = 2\n"));
        assert!(m.starts_with("line 7: scoring.rule 'b'"), "{m}");
        // A wrong type in one of several tables that all have the key: the one that wrote it so.
        let m = message(&format!("{rules}when = \"tags\"\nweight = \"many\"\n"));
        assert!(m.starts_with("line 9: invalid type") && m.contains("scoring.rule.weight"), "{m}");
        // A field missing from one action of a list written over several lines: that action's line.
        let actions = "[[automation.rule]]\nname = \"x\"\ntrigger = \"reply\"\nactions = [\n  \
                       { do = \"note\", body = \"hi\" },\n  { do = \"notify\" },\n]\n";
        let m = message(actions);
        assert!(m.starts_with("line 6: missing field `title`"), "{m}");
        // A field missing from the second of two rules: the second rule's line.
        let rules = "[[automation.rule]]\nname = \"x\"\ntrigger = \"reply\"\nactions = []\n\n\
                     [[automation.rule]]\nname = \"y\"\ntrigger = \"reply\"\n";
        let m = message(rules);
        assert!(m.starts_with("line 6: missing field `actions`"), "{m}");
    }
}
