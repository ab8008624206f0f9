//! Drawing: the tab bar, the view in front, popups and the status line — from state alone.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::app::{App, Popup, ViewId};
use super::command::Command;
use super::keymap::Scope;
use super::views::leads::filter_label;
use super::views::thousands;
use super::widgets::{centered, help, status};

pub const MIN_W: u16 = 80;
pub const MIN_H: u16 = 24;

/// The views on the tab bar, in key order.
pub const TABS: [(ViewId, &str); 5] = [
    (ViewId::Leads, "Leads"),
    (ViewId::Pipeline, "Pipeline"),
    (ViewId::Inbox, "Inbox"),
    (ViewId::Scoring, "Scoring"),
    (ViewId::Followups, "Follow-ups"),
];

/// Whether the terminal is smaller than the views are laid out for (they are not drawn then).
pub fn too_small(size: (u16, u16)) -> bool {
    size.0 < MIN_W || size.1 < MIN_H
}

/// The area views draw in, between the tab bar and the status line.
pub fn body_area(size: (u16, u16)) -> Rect {
    Rect::new(0, 1, size.0, size.1.saturating_sub(2))
}

pub fn draw(app: &App, frame: &mut Frame) {
    draw_views(app, frame);
    scrub(frame.buffer_mut());
}

/// Takes out of every cell what steers the terminal's layout (`widgets::screen_text`): a title or a label
/// drawn from a lead's name without going through `fit` is covered too. A cell left empty is a space.
fn scrub(buffer: &mut ratatui::buffer::Buffer) {
    for cell in buffer.content.iter_mut() {
        let symbol = cell.symbol();
        if symbol.is_ascii() {
            continue;
        }
        let clean = super::widgets::screen_text(symbol);
        if clean != symbol {
            let clean = if clean.is_empty() { " ".to_string() } else { clean.into_owned() };
            cell.set_symbol(&clean);
        }
    }
}

fn draw_views(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let theme = &app.theme;
    frame.render_widget(Block::new().style(theme.base()), area);
    if too_small((area.width, area.height)) {
        // The rep's own quit key, before Ctrl-C (which always quits).
        let keys = app.keymap.keys_for(&[Scope::Global], Command::Quit);
        let quit = keys.iter().find(|k| *k != "ctrl-c").map_or("ctrl-c", String::as_str);
        let msg = vec![
            Line::from(Span::styled("Terminal too small", theme.title())),
            Line::from(format!("{}x{} — leadline needs at least {MIN_W}x{MIN_H}.", area.width, area.height)),
            Line::from(format!("Enlarge the window, or press {quit} to quit.")),
            Line::from("Until then other keys are not taken."),
        ];
        let rect = centered(area, area.width, 4);
        frame.render_widget(Paragraph::new(msg).centered().wrap(Wrap { trim: true }), rect);
        return;
    }
    let [top, body, bottom] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    let active =
        if app.view == ViewId::Detail { app.history.last().copied().unwrap_or(ViewId::Leads) } else { app.view };
    let tabs: Vec<(&str, bool)> = TABS.iter().map(|(v, n)| (*n, *v == active)).collect();
    let right = format!("{} · {}", app.ctx.user_name, app.ctx.team_name);
    status::tabs(frame, top, theme, &tabs, &right);

    let focused = app.popup.is_none();
    match app.view {
        ViewId::Leads => app.leads.draw(frame, body, theme, &app.ctx, focused),
        ViewId::Detail => app.detail.draw(frame, body, theme, &app.ctx),
        ViewId::Pipeline => app.kanban.draw(frame, body, theme, &app.ctx),
        ViewId::Inbox => app.inbox.draw(frame, body, theme, &app.ctx, app.inbox_counts.1),
        ViewId::Scoring => app.scoring.draw(frame, body, theme, &app.ctx),
        ViewId::Followups => app.followups.draw(frame, body, theme, &app.ctx),
    }

    match &app.popup {
        Some(Popup::Form(f)) => f.draw(frame, body, theme, &app.ctx.hints),
        Some(Popup::Palette(p)) => {
            p.draw(frame, body, theme, |c| app.keymap.key_for(&[app.view.scope(), Scope::Global], c))
        }
        Some(Popup::Help { scroll }) => {
            help::draw(frame, body, theme, &app.keymap, app.view.scope(), *scroll, &app.ctx.hints.help)
        }
        None => {}
    }

    let mut parts = vec![app.view.name().to_uppercase()];
    match app.view {
        ViewId::Leads => {
            let w = &app.leads.window;
            parts.push(if w.match_order() {
                "newest matches first".into()
            } else {
                format!("sort {}", w.sort.as_str())
            });
            let f = filter_label(&w.filter);
            if !f.is_empty() {
                parts.push(f.trim_start_matches("· ").to_string());
            }
            if let Some(t) = w.leads_label() {
                parts.push(t);
            }
        }
        ViewId::Detail => {
            if let Some(l) = &app.detail.lead {
                parts.push(l.name());
            }
        }
        ViewId::Pipeline => {
            let open: i64 = app
                .kanban
                .summary
                .iter()
                .filter(|s| app.ctx.stages.status_for(&s.stage).as_str() == "open")
                .map(|s| s.count)
                .sum();
            parts.push(format!("{} open {}", thousands(open), if open == 1 { "deal" } else { "deals" }));
        }
        _ => {}
    }
    // Not "0 unread" before the count is read: a rep would believe it.
    let unread = if app.inbox_counted { thousands(app.inbox_counts.0) } else { "…".into() };
    parts.push(format!("inbox {unread} unread"));
    // The help key heard in this view (a view may bind its own, or unbind the global one).
    if let Some(help_key) = app.keymap.key_for(&[app.view.scope(), Scope::Global], super::command::Command::Help) {
        parts.push(format!("{help_key} keys"));
    }
    let pending: Vec<String> = app.pending.iter().map(|k| k.to_string()).collect();
    // Under an open form a toast keeps to the status line, off the form's bottom (an error it is about, the
    // form shows whole under its fields).
    let toast = app.toast.as_ref().map(|(t, _)| t);
    let one_line = matches!(app.popup, Some(Popup::Form(_)));
    status::status(frame, bottom, theme, &parts, toast, &pending.join(" "), one_line);
}
