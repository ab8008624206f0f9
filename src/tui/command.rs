//! The commands a user can bind to keys or run from the palette: a small, stable set with names and help text.
//! Internal happenings (query results, errors, ticks) are `Action`s, not commands.

macro_rules! commands {
    ($($variant:ident => $name:literal, $desc:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Command { $($variant),* }

        impl Command {
            pub const ALL: &'static [Command] = &[$(Command::$variant),*];

            /// The name used in the keymap file and the palette.
            pub fn name(self) -> &'static str {
                match self { $(Command::$variant => $name),* }
            }

            pub fn description(self) -> &'static str {
                match self { $(Command::$variant => $desc),* }
            }
        }
    };
}

commands! {
    Quit => "quit", "Quit leadline";
    Back => "back", "Close the popup or go back; quits from the leads table";
    Close => "close", "Close the popup, clear the search or go back (never quits)";
    Help => "help", "Show the bindings of this view";
    Palette => "palette", "Open the command palette";
    ViewLeads => "view_leads", "Go to the leads table";
    ViewDetail => "view_detail", "Go to the selected lead's detail";
    ViewPipeline => "view_pipeline", "Go to the pipeline (Kanban)";
    ViewInbox => "view_inbox", "Go to the inbox";
    ViewScoring => "view_scoring", "Go to the scoring view";
    ViewFollowups => "view_followups", "Go to follow-ups";
    Up => "up", "Move up";
    Down => "down", "Move down";
    Left => "left", "Move left (previous column)";
    Right => "right", "Move right (next column)";
    PageUp => "page_up", "Page up";
    PageDown => "page_down", "Page down";
    Top => "top", "Jump to the top";
    Bottom => "bottom", "Jump to the end";
    PaneDown => "pane_down", "Scroll the explanation, or the selected entry's text, down";
    PaneUp => "pane_up", "Scroll the explanation, or the selected entry's text, up";
    FieldsDown => "fields_down", "Scroll the lead's fields down";
    FieldsUp => "fields_up", "Scroll the lead's fields up";
    Open => "open", "Open the selected item";
    Refresh => "refresh", "Reload from the database";
    Search => "search", "Search as you type";
    SortNext => "sort_next", "Cycle the sort: score, priority, last contact, name, created";
    FilterTag => "filter_tag", "Filter by tag";
    FilterStage => "filter_stage", "Filter by deal stage";
    FilterSource => "filter_source", "Filter by source";
    FilterOwner => "filter_owner", "Filter by owner";
    FilterLifecycle => "filter_lifecycle", "Filter by lifecycle";
    ClearFilters => "clear_filters", "Clear search and filters";
    AddLead => "add_lead", "Add a lead (then log the first touch on its page)";
    LogOutreach => "log_outreach", "Log an outreach (any kind)";
    AddTask => "add_task", "Add a follow-up task";
    AddNote => "add_note", "Add a note";
    ScheduleMeeting => "schedule_meeting", "Schedule a meeting";
    MarkAttended => "mark_attended", "Mark the selected meeting attended";
    MarkNoShow => "mark_no_show", "Mark the selected meeting a no-show";
    Unlog => "unlog", "Take back the selected touch, logged by mistake (asks first)";
    CreateDeal => "create_deal", "Create a deal";
    EditLead => "edit_lead", "Edit the lead's fields";
    ToggleDoNotContact => "toggle_dnc", "Opt the lead out (do not contact), or back in";
    StagePrev => "stage_prev", "Move the card to the previous stage";
    StageNext => "stage_next", "Move the card to the next stage";
    CardUp => "card_up", "Move the card up in its column";
    CardDown => "card_down", "Move the card down in its column";
    Win => "win", "Mark the deal won";
    Lose => "lose", "Mark the deal lost (asks a reason)";
    MarkHandled => "mark_handled", "Mark handled (or back to unhandled)";
    AssignMe => "assign_me", "Assign to me";
    Reply => "reply", "Reply on the same channel (logged; answers the conversation)";
    ToggleShowHandled => "toggle_handled", "Show or hide handled items";
    ToggleMine => "toggle_mine", "Show my follow-ups or the whole team's";
    TaskDone => "task_done", "Mark the task done";
    UndoDone => "undo_done", "Open the task last marked done here again";
    UndoMove => "undo_move", "Move the card last moved here (to another stage, or up or down) back where it was";
    Snooze => "snooze", "Snooze the task";
    ToggleTheme => "toggle_theme", "Switch between dark and light theme";
}

impl Command {
    pub fn from_name(name: &str) -> Option<Command> {
        let n = name.trim().replace('-', "_");
        Command::ALL.iter().copied().find(|c| c.name() == n)
    }

    /// Answered by the app in every view: moving between views, help, the palette, quitting.
    pub fn is_app_wide(self) -> bool {
        matches!(
            self,
            Command::Quit
                | Command::Close
                | Command::Back
                | Command::Help
                | Command::Palette
                | Command::ToggleTheme
                | Command::Refresh
                | Command::ViewLeads
                | Command::ViewPipeline
                | Command::ViewInbox
                | Command::ViewScoring
                | Command::ViewFollowups
                | Command::ViewDetail
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        for c in Command::ALL {
            assert_eq!(Command::from_name(c.name()), Some(*c));
        }
        let mut names: Vec<_> = Command::ALL.iter().map(|c| c.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Command::ALL.len());
        assert_eq!(Command::from_name("log-outreach"), Some(Command::LogOutreach));
        assert_eq!(Command::from_name("nope"), None);
    }
}
