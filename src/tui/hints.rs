//! The key hints views show in their footers and empty states, written from the keymap in use: a rebound
//! command shows its new key, and an unbound one is not offered.

use super::command::Command;
use super::keymap::{Keymap, Scope};

#[derive(Debug, Clone, Default)]
pub struct Hints {
    /// Lead detail's footer, in full and (for narrow terminals) keys only.
    pub detail: String,
    pub detail_narrow: String,
    /// After a scheduled meeting in the timeline: its attended / no-show keys, e.g. " [a/x]".
    pub meeting: String,
    /// An empty timeline's invitation to log the first touch.
    pub first_touch: String,
    pub inbox: String,
    pub followup_tasks: String,
    /// The same in a team, with the key that switches between the rep's own follow-ups and the team's.
    pub followup_tasks_team: String,
    pub followup_losing: String,
    pub followup_losing_team: String,
    /// What an empty filtered lead list suggests, and an empty search's.
    pub clear_filters: String,
    pub clear_search: String,
    /// An empty leads table's invitation to add the first lead.
    pub add_lead: String,
    /// The keys that scroll the scoring view's explanation and the lead page's entry box, e.g. "J/K".
    pub pane_scroll: String,
    pub detail_scroll: String,
    /// The keys that scroll the lead page's fields, e.g. "}/{".
    pub fields_scroll: String,
    /// Under a form, a confirmation, the search line and the keys overlay: the keys that act there.
    pub form: String,
    pub confirm: String,
    pub search: String,
    pub help: String,
}

impl Hints {
    pub fn new(keymap: &Keymap) -> Self {
        let key = |scope: Scope, command: Command| keymap.key_for(&[scope, Scope::Global], command);
        let pane_keys = |scope: Scope| match (key(scope, Command::PaneDown), key(scope, Command::PaneUp)) {
            (Some(d), Some(u)) => format!("{d}/{u}"),
            (Some(k), None) | (None, Some(k)) => k,
            (None, None) => ": pane_down".into(),
        };
        // Forms, confirmations and the search line listen to the input keys alone.
        let input_keys = |items: &[(Command, &str)]| {
            let parts: Vec<String> = items
                .iter()
                .filter_map(|(c, label)| keymap.key_for(&[Scope::Input], *c).map(|k| format!("{k} {label}")))
                .collect();
            if parts.is_empty() { String::new() } else { format!(" {} ", parts.join(" · ")) }
        };
        let footer = |scope: Scope, items: &[(Command, &str)]| {
            let parts: Vec<String> = items
                .iter()
                .filter_map(|(c, label)| {
                    key(scope, *c).map(|k| if label.is_empty() { k } else { format!("{k} {label}") })
                })
                .collect();
            if parts.is_empty() { String::new() } else { format!(" {} ", parts.join(" · ")) }
        };
        let detail = [
            (Command::LogOutreach, "log"),
            (Command::AddTask, "task"),
            (Command::AddNote, "note"),
            (Command::ScheduleMeeting, "meeting"),
            (Command::CreateDeal, "deal"),
            (Command::EditLead, "edit"),
            (Command::ToggleDoNotContact, "opt out"),
        ];
        let mut narrow: Vec<(Command, &str)> = detail.iter().map(|(c, _)| (*c, "")).collect();
        narrow[0].1 = "log";
        narrow.push((Command::Help, "keys"));
        // In a team, the follow-ups' footers also offer the switch between the rep's own and the team's.
        let tasks = [
            (Command::TaskDone, "done"),
            (Command::UndoDone, "undo"),
            (Command::Snooze, "snooze"),
            (Command::Open, "lead"),
            (Command::Right, "switch"),
        ];
        let losing = [(Command::Open, "lead"), (Command::Right, "switch")];
        let in_team = |items: &[(Command, &'static str)]| [items, &[(Command::ToggleMine, "mine/team")]].concat();
        let meeting: Vec<String> =
            [Command::MarkAttended, Command::MarkNoShow].into_iter().filter_map(|c| key(Scope::Detail, c)).collect();
        Hints {
            detail: footer(Scope::Detail, &detail),
            detail_narrow: footer(Scope::Detail, &narrow),
            meeting: if meeting.is_empty() { String::new() } else { format!(" [{}]", meeting.join("/")) },
            first_touch: match key(Scope::Detail, Command::LogOutreach) {
                Some(k) => format!("Nothing yet. Log the first touch with {k}."),
                None => "Nothing yet.".into(),
            },
            inbox: footer(
                Scope::Inbox,
                &[
                    (Command::MarkHandled, "handled"),
                    (Command::AssignMe, "assign me"),
                    (Command::Reply, "reply"),
                    (Command::Open, "open"),
                    (Command::ToggleShowHandled, "show handled"),
                ],
            ),
            followup_tasks: footer(Scope::Followups, &tasks),
            followup_tasks_team: footer(Scope::Followups, &in_team(&tasks)),
            followup_losing: footer(Scope::Followups, &losing),
            followup_losing_team: footer(Scope::Followups, &in_team(&losing)),
            add_lead: match key(Scope::Leads, Command::AddLead) {
                Some(k) => format!("Add one with {k}, or bring a file with `leadline import FILE`."),
                None => "Add one with `leadline lead add`, or bring a file with `leadline import FILE`.".into(),
            },
            clear_filters: match key(Scope::Leads, Command::ClearFilters) {
                Some(k) => format!("Clear the filters with {k}."),
                None => "Clear the filters to see every lead.".into(),
            },
            clear_search: match keymap.key_for(&[Scope::Input], Command::Back) {
                Some(k) => format!("Clear the search with {k}."),
                None => "Delete the search's text to see every lead.".into(),
            },
            form: input_keys(&[(Command::Open, "save"), (Command::Down, "next"), (Command::Back, "cancel")]),
            // A question is answered with y or n too, whatever the keymap.
            confirm: {
                let or = |c: Command| keymap.key_for(&[Scope::Input], c).map(|k| format!("/{k}")).unwrap_or_default();
                format!(" y{} yes · n{} no ", or(Command::Open), or(Command::Back))
            },
            search: match input_keys(&[(Command::Open, "keep"), (Command::Back, "clear")]) {
                keys if keys.is_empty() => keys,
                keys => format!("  ({})", keys.trim()),
            },
            help: {
                let scroll: Vec<String> =
                    [Command::Down, Command::Up].iter().filter_map(|c| key(Scope::Global, *c)).collect();
                let close = key(Scope::Global, Command::Close)
                    .or_else(|| key(Scope::Global, Command::Back))
                    .map(|k| format!("{k} close"));
                let parts: Vec<String> = [(!scroll.is_empty()).then(|| format!("{} scroll", scroll.join("/"))), close]
                    .into_iter()
                    .flatten()
                    .collect();
                if parts.is_empty() { String::new() } else { format!(" {} ", parts.join(" · ")) }
            },
            pane_scroll: pane_keys(Scope::Scoring),
            detail_scroll: pane_keys(Scope::Detail),
            fields_scroll: match (key(Scope::Detail, Command::FieldsDown), key(Scope::Detail, Command::FieldsUp)) {
                (Some(d), Some(u)) => format!("{d}/{u}"),
                (Some(k), None) | (None, Some(k)) => k,
                (None, None) => ": fields_down".into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::keymap::KeymapConfig;

    #[test]
    fn hints_follow_the_keymap() {
        let defaults = Hints::new(&Keymap::defaults().unwrap());
        assert_eq!(defaults.detail, " l log · t task · n note · m meeting · d deal · e edit · D opt out ");
        assert_eq!(defaults.detail_narrow, " l log · t · n · m · d · e · D · ? keys ");
        assert_eq!(defaults.meeting, " [a/x]");
        assert_eq!(defaults.inbox, " space handled · a assign me · r reply · enter open · H show handled ");
        assert_eq!(defaults.followup_tasks, " space done · u undo · z snooze · enter lead · tab switch ");
        let config: KeymapConfig = toml::from_str(
            "[detail]\nl = \"\"\no = \"log_outreach\"\n[inbox]\nspace = \"\"\nh = \"\"\nx = \"mark_handled\"\n",
        )
        .unwrap();
        let rebound = Hints::new(&Keymap::build(&config).unwrap());
        assert!(rebound.detail.starts_with(" o log · t task"), "{}", rebound.detail);
        assert_eq!(rebound.first_touch, "Nothing yet. Log the first touch with o.");
        assert!(rebound.inbox.starts_with(" x handled · a assign me"), "{}", rebound.inbox);
    }
}
