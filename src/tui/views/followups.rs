//! Follow-ups: open tasks overdue / today / this week (done and snooze by key), and the leads
//! a rep is losing touch with, those on a shorter cadence first, then by oldest contact.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use super::Out;
use crate::domain::time::{ago, start_of_day_after};
use crate::domain::{LeadId, TaskId, Timestamp};
use crate::store::tasks::Task;
use crate::tui::command::Command;
use crate::tui::context::UiCtx;
use crate::tui::forms;
use crate::tui::theme::Theme;
use crate::tui::widgets::{fit, fit_pad};
use crate::tui::window::visible_offset;
use crate::tui::worker::{FollowupData, Query, Write};
use unicode_width::UnicodeWidthStr;

/// The least of a task's title a follow-ups row shows, however long its lead's name.
const MIN_TITLE: usize = 12;

#[derive(Debug, Clone, Default)]
pub struct FollowupsView {
    pub data: FollowupData,
    /// 0: tasks, 1: losing touch.
    pub focus: usize,
    pub selected: [usize; 2],
    pub offset: [usize; 2],
    pub loaded: bool,
    pub error: Option<String>,
    /// The whole team's tasks and leads, not only the rep's own (which a rep in a team sees first).
    pub everyone: bool,
    /// The tasks marked done here, the last one last: undoing opens them again, one by one.
    pub done_here: Vec<TaskId>,
    /// The task undone last: selected once it is back in the list.
    undone: Option<TaskId>,
    /// The task a snooze was asked for last: once it has moved down the list, the selection stays on its
    /// row (the next task), as after marking one done.
    snoozing: Option<TaskId>,
    /// Marks of done still on their way, by write: one refused (done meanwhile by someone else) is not
    /// this rep's to undo.
    done_sent: Vec<(u64, TaskId)>,
    /// When this rep's marks made their tasks done: an undo leaves one done again since by someone else.
    done_times: Vec<(TaskId, Timestamp)>,
}

impl FollowupsView {
    /// A write went out with `token`.
    pub fn write_sent(&mut self, token: u64, op: &crate::tui::worker::Write) {
        if let crate::tui::worker::Write::TaskDone(id) = op {
            self.done_sent.push((token, id.clone()));
        }
    }

    /// A mark of done saved: when, for its undo.
    pub fn marked_done(&mut self, token: u64, at: Option<Timestamp>) {
        let (Some(at), Some((_, id))) = (at, self.done_sent.iter().find(|(t, _)| *t == token)) else { return };
        self.done_times.push((id.clone(), at));
    }

    /// A write came back: a mark of done refused leaves nothing to undo here.
    pub fn write_done(&mut self, token: u64, ok: bool) {
        let Some(at) = self.done_sent.iter().position(|(t, _)| *t == token) else { return };
        let (_, id) = self.done_sent.remove(at);
        if !ok && let Some(i) = self.done_here.iter().rposition(|d| *d == id) {
            self.done_here.remove(i);
        }
    }
}

/// Which section a task falls in, by its effective due time.
pub fn section(t: &Task, ctx: &UiCtx) -> &'static str {
    let now = ctx.now();
    let due = t.effective_due();
    if crate::domain::task::is_overdue(due, now) {
        "Overdue"
    } else if due < start_of_day_after(now, ctx.tz, 1) {
        "Today"
    } else {
        "This week"
    }
}

impl FollowupsView {
    /// Read again each time it is shown (its sections are capped), as the inbox is: a task filed from
    /// another terminal or by a colleague is there at once.
    pub fn enter(&mut self, ctx: &UiCtx, _stale: bool) -> Vec<Out> {
        self.loaded = true;
        self.reload(ctx)
    }

    pub fn reload(&self, ctx: &UiCtx) -> Vec<Out> {
        // Alone in the team, everything is the rep's own (and a lead nobody owns is not hidden).
        let mine = !self.everyone && ctx.members.len() > 1;
        vec![Out::Query(Query::Followups { config: ctx.followup.clone(), mine })]
    }

    pub fn loaded(&mut self, data: Result<FollowupData, String>) {
        match data {
            Ok(d) => {
                // The selection stays on the task (or lead) it was on, wherever the reload put it: a row
                // number could now be another task, which space would then close.
                let task = match self.undone.take() {
                    Some(id) if d.tasks.iter().any(|t| t.id == id) => Some(id),
                    _ => self.data.tasks.get(self.selected[0]).map(|t| t.id.clone()),
                };
                let lead = self.data.losing.get(self.selected[1]).map(|l| l.id.clone());
                let snoozed = self.snoozing.take().filter(|s| task.as_ref() == Some(s));
                self.data = d;
                let keep = |at: Option<usize>, was: usize, len: usize| at.unwrap_or(was).min(len.saturating_sub(1));
                let task_at = task.and_then(|id| self.data.tasks.iter().position(|t| t.id == id));
                let task_at = task_at.filter(|at| snoozed.is_none() || *at == self.selected[0]);
                let lead_at = lead.and_then(|id| self.data.losing.iter().position(|l| l.id == id));
                self.selected[0] = keep(task_at, self.selected[0], self.data.tasks.len());
                self.selected[1] = keep(lead_at, self.selected[1], self.data.losing.len());
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    fn len(&self, list: usize) -> usize {
        if list == 0 { self.data.tasks.len() } else { self.data.losing.len() }
    }

    /// The commands `command` answers, whatever is selected: what a `[keymap.followups]` binding may run.
    pub const COMMANDS: &'static [Command] = &[
        Command::Up,
        Command::Down,
        Command::Left,
        Command::Right,
        Command::PageUp,
        Command::PageDown,
        Command::Top,
        Command::Bottom,
        Command::Refresh,
        Command::Open,
        Command::TaskDone,
        Command::UndoDone,
        Command::Snooze,
        Command::ToggleMine,
    ];

    pub fn command(&mut self, cmd: Command, page: usize, ctx: &UiCtx) -> Option<Vec<Out>> {
        let f = self.focus;
        let last = self.len(f).saturating_sub(1) as i64;
        let mut mv = |d: i64| self.selected[f] = (self.selected[f] as i64).saturating_add(d).clamp(0, last) as usize;
        let out = match cmd {
            Command::Down => {
                mv(1);
                Vec::new()
            }
            Command::Up => {
                mv(-1);
                Vec::new()
            }
            Command::PageDown => {
                mv(page as i64);
                Vec::new()
            }
            Command::PageUp => {
                mv(-(page as i64));
                Vec::new()
            }
            Command::Top => {
                mv(i64::MIN / 2);
                Vec::new()
            }
            Command::Bottom => {
                mv(i64::MAX / 2);
                Vec::new()
            }
            Command::Left | Command::Right => {
                self.focus = 1 - self.focus;
                Vec::new()
            }
            Command::Refresh => self.reload(ctx),
            Command::ToggleMine => {
                // The selection stays on its task where the other list has it too (`loaded`).
                self.everyone = !self.everyone;
                self.reload(ctx)
            }
            Command::TaskDone => match self.data.tasks.get(self.selected[0]).filter(|_| f == 0) {
                Some(t) => {
                    let id = t.id.clone();
                    self.done_here.push(id.clone());
                    // The row goes at once: the key pressed again before the list is read back marks the
                    // next task, not this one a second time.
                    self.data.tasks.remove(self.selected[0]);
                    self.selected[0] = self.selected[0].min(self.data.tasks.len().saturating_sub(1));
                    vec![Out::Write(Write::TaskDone(id))]
                }
                None => vec![Out::Toast("Select a task first (in the list of tasks)".into(), true)],
            },
            Command::UndoDone => match self.done_here.pop() {
                Some(id) => {
                    self.undone = Some(id.clone());
                    let done_at = self.done_times.iter().rev().find(|(t, _)| *t == id).map(|(_, at)| *at);
                    vec![Out::Write(Write::TaskReopen { task: id, done_at })]
                }
                None => vec![Out::Toast("No task was marked done here to undo".into(), false)],
            },
            Command::Snooze => match self.data.tasks.get(self.selected[0]).filter(|_| f == 0) {
                Some(t) => {
                    let until = forms::snooze_until(t.effective_due(), ctx.now(), ctx.tz);
                    self.snoozing = Some(t.id.clone());
                    vec![Out::Form(forms::snooze(t.id.clone(), &t.title, until))]
                }
                None => vec![Out::Toast("Select a task first (in the list of tasks)".into(), true)],
            },
            Command::Open => {
                let lead = if f == 0 {
                    self.data.tasks.get(self.selected[0]).and_then(|t| t.lead_id.clone()).map(LeadId)
                } else {
                    self.data.losing.get(self.selected[1]).map(|l| l.id.clone())
                };
                match lead {
                    Some(l) => vec![Out::OpenLead(l)],
                    None if f == 0 && !self.data.tasks.is_empty() => {
                        vec![Out::Toast("This task is about no lead".into(), false)]
                    }
                    None => Vec::new(),
                }
            }
            _ => return None,
        };
        self.offset[f] = visible_offset(self.offset[f], self.selected[f], page, self.len(f));
        Some(out)
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, ctx: &UiCtx) {
        let [top, bottom] = Layout::vertical([Constraint::Percentage(55), Constraint::Fill(1)]).areas(area);
        let now = ctx.now();
        // Tasks, with a section label on each row so the state reads without colour.
        let h = top.height.saturating_sub(2) as usize;
        let w = top.width.saturating_sub(2) as usize;
        let off = visible_offset(self.offset[0], self.selected[0], h, self.data.tasks.len());
        let mut lines = Vec::new();
        for (i, t) in self.data.tasks.iter().enumerate().skip(off).take(h) {
            let sel = self.focus == 0 && i == self.selected[0];
            let sec = section(t, ctx);
            let due = t.effective_due();
            // The markers before the names they qualify, so a narrow screen keeps them.
            let snoozed = if t.snoozed_until.is_some() { "(snoozed) " } else { "" };
            let lead = match (&t.lead_name, t.lead_do_not_contact) {
                (Some(name), true) => format!(" · ⊘ {name}"),
                (Some(name), false) => format!(" · {name}"),
                (None, _) => String::new(),
            };
            // The team's tasks say whose they are (a colleague's), before the title so a narrow screen keeps it.
            let whose = match (&t.owner, &t.owner_id) {
                (Some(owner), Some(id)) if self.everyone && *id != ctx.user_id.0 => format!("{owner}: "),
                _ => String::new(),
            };
            let head = format!("{} {sec:<9} {:>8}  {snoozed}{whose}", if sel { "▶" } else { " " }, ago(due, now));
            // Who the task is for reads whole: a long title is cut before the lead's name is.
            let room = w.saturating_sub(UnicodeWidthStr::width(head.as_str()) + UnicodeWidthStr::width(lead.as_str()));
            let text = format!("{head}{}{lead}", fit(&t.title, room.max(MIN_TITLE)));
            let style = if sel {
                theme.selected()
            } else if sec == "Overdue" {
                ratatui::style::Style::new().fg(theme.warn)
            } else {
                theme.base()
            };
            lines.push(Line::from(Span::styled(fit_pad(&text, w), style)));
        }
        if lines.is_empty() {
            lines.push(Line::from(Span::styled(
                if self.loaded { "Nothing due this week." } else { "loading…" },
                theme.muted(),
            )));
        }
        // Exact counts; a section longer than what is listed says how much of it shows.
        let counts: Vec<String> = ["Overdue", "Today", "This week"]
            .iter()
            .zip(self.data.task_counts)
            .map(|(s, total)| {
                let shown = self.data.tasks.iter().filter(|t| section(t, ctx) == *s).count() as i64;
                let more = if total > shown { format!(" ({} shown)", super::thousands(shown)) } else { String::new() };
                format!("{} {}{more}", super::thousands(total), s.to_lowercase())
            })
            .collect();
        let block = |title: String, focused: bool, hint: String| {
            Block::bordered()
                .border_type(if focused { BorderType::Thick } else { BorderType::Rounded })
                .border_style(if focused { theme.focused_border() } else { theme.border() })
                .title(Span::styled(title, theme.title()))
                .title_bottom(Line::from(hint).style(theme.muted()))
        };
        // In a team, whose follow-ups these are: the rep's own, or everyone's.
        let team = ctx.members.len() > 1;
        let hints = &ctx.hints;
        let (tasks_title, losing_title, tasks_hint, losing_hint) = match (team, self.everyone) {
            (false, _) => ("Tasks", "Losing touch", &hints.followup_tasks, &hints.followup_losing),
            (true, false) => {
                ("My tasks", "My leads losing touch", &hints.followup_tasks_team, &hints.followup_losing_team)
            }
            (true, true) => {
                ("Team's tasks", "Team's leads losing touch", &hints.followup_tasks_team, &hints.followup_losing_team)
            }
        };
        frame.render_widget(
            Paragraph::new(lines).block(block(
                fit(&format!(" {tasks_title} · {} ", counts.join(" · ")), top.width.saturating_sub(2) as usize),
                self.focus == 0,
                tasks_hint.clone(),
            )),
            top,
        );
        // Losing touch.
        let h = bottom.height.saturating_sub(2) as usize;
        let w = bottom.width.saturating_sub(2) as usize;
        let off = visible_offset(self.offset[1], self.selected[1], h, self.data.losing.len());
        let mut lines = Vec::new();
        for (i, l) in self.data.losing.iter().enumerate().skip(off).take(h) {
            let sel = self.focus == 1 && i == self.selected[1];
            let text = format!(
                "{} {:>9}  {} · {} · {} · cadence {}d",
                if sel { "▶" } else { " " },
                ago(l.last_contacted_at, now),
                l.name,
                l.company.clone().unwrap_or_else(|| "—".into()),
                l.stage.clone().unwrap_or_else(|| "no open deal".into()),
                l.cadence_days
            );
            let style = if sel { theme.selected() } else { theme.base() };
            lines.push(Line::from(Span::styled(fit_pad(&text, w), style)));
        }
        if lines.is_empty() {
            let msg = match &self.error {
                Some(e) => format!("✗ {e}"),
                None => "Nobody is slipping away.".into(),
            };
            lines.push(Line::from(Span::styled(msg, theme.muted())));
        }
        frame.render_widget(
            Paragraph::new(lines).block(block(
                format!(
                    " {losing_title} · {}{} (short cadences first, then oldest) ",
                    super::thousands(self.data.losing.len() as i64),
                    if self.data.losing_more { "+" } else { "" }
                ),
                self.focus == 1,
                losing_hint.clone(),
            )),
            bottom,
        );
    }
}
