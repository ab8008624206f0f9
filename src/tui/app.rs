//! The app state and `update`: actions in, state changed, effects out. Drawing lives in `ui.rs`.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind};

use super::action::{Action, Effect};
use super::command::Command;
use super::context::UiCtx;
use super::forms::{self, FilterField, Purpose};
use super::keymap::{Key, Keymap, Resolved, Scope};
use super::theme::Theme;
use super::views::detail::DetailView;
use super::views::followups::FollowupsView;
use super::views::inbox::InboxView;
use super::views::kanban::KanbanView;
use super::views::leads::LeadsView;
use super::views::scoring::ScoringView;
use super::views::{Out, queries};
use super::widgets::form::{CursorMove, Form};
use super::widgets::palette::Palette;
use super::widgets::status::Toast;
use super::worker::{Query, Request, Response, Slot};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewId {
    Leads,
    Detail,
    Pipeline,
    Inbox,
    Scoring,
    Followups,
}

impl ViewId {
    pub fn scope(self) -> Scope {
        match self {
            ViewId::Leads => Scope::Leads,
            ViewId::Detail => Scope::Detail,
            ViewId::Pipeline => Scope::Pipeline,
            ViewId::Inbox => Scope::Inbox,
            ViewId::Scoring => Scope::Scoring,
            ViewId::Followups => Scope::Followups,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ViewId::Leads => "Leads",
            ViewId::Detail => "Lead",
            ViewId::Pipeline => "Pipeline",
            ViewId::Inbox => "Inbox",
            ViewId::Scoring => "Scoring",
            ViewId::Followups => "Follow-ups",
        }
    }
}

#[derive(Debug, Clone)]
pub enum Popup {
    Form(Box<Form>),
    Palette(Palette),
    Help { scroll: usize },
}

const TOAST_FOR: Duration = Duration::from_secs(4);
/// How long keys wait for rows that are about to replace those shown, before they run anyway.
const KEYS_WAIT_AT_MOST: Duration = Duration::from_secs(2);
/// How often the time-based automations and score terms run while the UI is open.
pub const AUTOMATIONS_EVERY: Duration = Duration::from_secs(60);

pub struct App {
    pub ctx: UiCtx,
    pub keymap: Keymap,
    pub theme: Theme,
    pub mouse: bool,
    pub view: ViewId,
    pub history: Vec<ViewId>,
    pub leads: LeadsView,
    pub detail: DetailView,
    pub kanban: KanbanView,
    pub inbox: InboxView,
    pub scoring: ScoringView,
    pub followups: FollowupsView,
    pub popup: Option<Popup>,
    pub toast: Option<(Toast, Instant)>,
    pub pending: Vec<Key>,
    /// Keys (and pastes, and wheel scrolls) that came while the rows shown were about to be replaced: they
    /// run, in order, once the new rows are in (or after `KEYS_WAIT_AT_MOST`), so they act on the lead the
    /// rep will see selected.
    deferred: std::collections::VecDeque<Action>,
    /// Since when they wait, and for which read.
    waiting: Option<(Instant, Option<(ViewId, u64)>)>,
    /// (unread, unhandled) inbox counts for the status line, once read (`inbox_counted`).
    pub inbox_counts: (i64, i64),
    pub inbox_counted: bool,
    /// Views whose data changed since they were shown; they reload on entry.
    stale: [bool; 6],
    next_token: u64,
    /// The terminal size, for paging and mouse hit-testing.
    pub size: (u16, u16),
    pub quit: bool,
    /// When the minute timer next asks the worker to run the time-based automations.
    pub automations_due: Instant,
    /// A timer run is with the worker (the next one waits for it).
    automations_running: bool,
}

impl App {
    pub fn new(ctx: UiCtx, keymap: Keymap, theme: Theme, mouse: bool) -> Self {
        App {
            ctx,
            keymap,
            theme,
            mouse,
            view: ViewId::Leads,
            history: Vec::new(),
            leads: LeadsView::default(),
            detail: DetailView::default(),
            kanban: KanbanView::default(),
            inbox: InboxView::default(),
            scoring: ScoringView::default(),
            followups: FollowupsView::default(),
            popup: None,
            toast: None,
            pending: Vec::new(),
            deferred: std::collections::VecDeque::new(),
            waiting: None,
            inbox_counts: (0, 0),
            inbox_counted: false,
            stale: [false; 6],
            next_token: 0,
            size: (80, 24),
            quit: false,
            automations_due: Instant::now() + AUTOMATIONS_EVERY,
            automations_running: false,
        }
    }

    /// The first queries: the leads table and the status counts.
    pub fn start(&mut self) -> Vec<Effect> {
        let mut out = self.leads.enter(false);
        out.push(Out::Query(Query::Status));
        self.apply(out)
    }

    /// Rows of list content a view shows at the current size (for paging).
    pub fn page(&self) -> usize {
        (self.size.1 as usize).saturating_sub(5).max(1)
    }

    /// When the next timer is due (a toast to clear, the minute's automations, keys that waited long
    /// enough): the loop sleeps until then.
    pub fn next_deadline(&self) -> Option<Instant> {
        let toast = self.toast.as_ref().map(|(_, t)| *t);
        // Held keys do not run while the terminal is too small, so their time does not wake the loop then.
        let keys = self.waiting.filter(|_| !super::ui::too_small(self.size)).map(|(t, _)| t + KEYS_WAIT_AT_MOST);
        [toast, keys].into_iter().flatten().chain([self.automations_due]).min()
    }

    /// Whether the view in front is about to replace the rows it shows (and its selection), and the read
    /// that will (a later one is a new wait).
    fn settling(&self) -> Option<(ViewId, u64)> {
        let w = match self.view {
            ViewId::Leads => &self.leads.window,
            ViewId::Scoring => &self.scoring.window,
            _ => return None,
        };
        w.settling().then_some((self.view, w.generation))
    }

    /// Whether the rows shown are not the ones keys will act on: keys are held, or new rows are coming.
    fn rows_in_flux(&self) -> bool {
        !self.deferred.is_empty() || (self.popup.is_none() && !self.input_mode() && self.settling().is_some())
    }

    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        let too_small = super::ui::too_small(self.size);
        let mut effects = match &action {
            // A click lands on rows about to be replaced, or under keys not yet run: what it hit is not
            // what the rep saw it hit, so it is not taken (the wheel scrolls, which is safe to hold).
            Action::Mouse(m)
                if self.rows_in_flux() && !matches!(m.kind, MouseEventKind::ScrollDown | MouseEventKind::ScrollUp) =>
            {
                Vec::new()
            }
            Action::Key(k) if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) => {
                self.update_inner(action)
            }
            Action::Key(k) if k.kind == KeyEventKind::Release => Vec::new(),
            // Typing into a form or the search goes on at once: it acts on no row.
            Action::Key(_) | Action::Mouse(_) | Action::Paste(_) if self.rows_in_flux() && !too_small => {
                self.deferred.push_back(action);
                self.waiting.get_or_insert((Instant::now(), self.settling()));
                Vec::new()
            }
            _ => self.update_inner(action),
        };
        effects.extend(self.run_deferred());
        if self.view == ViewId::Scoring && self.popup.is_none() {
            let out = self.scoring.follow_selection(&self.ctx.scorer);
            effects.extend(self.apply(out));
        }
        effects
    }

    /// Runs the actions held for new rows once they are in, in order, or once they have waited long enough
    /// for a read that does not come. Any new read (a key run, a write's refresh) restarts the wait.
    fn run_deferred(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        if self.deferred.is_empty() || super::ui::too_small(self.size) {
            return effects;
        }
        let awaited = self.settling();
        let since = match self.waiting {
            Some((since, read)) if read == awaited => since,
            _ => Instant::now(),
        };
        self.waiting = Some((since, awaited));
        let waited = since + KEYS_WAIT_AT_MOST <= Instant::now();
        loop {
            // Free when no rows are awaited, or only those the actions waited for too long, or when the
            // next one is typing into a form or the search.
            let typing = matches!(self.deferred.front(), Some(Action::Key(_) | Action::Paste(_)))
                && (self.popup.is_some() || self.input_mode());
            let free = match self.settling() {
                None => true,
                Some(read) => typing || (waited && Some(read) == awaited),
            };
            if !free || self.quit {
                break;
            }
            let Some(action) = self.deferred.pop_front() else { break };
            effects.extend(self.update_inner(action));
        }
        if self.deferred.is_empty() {
            self.waiting = None;
        } else if self.settling() != awaited {
            self.waiting = Some((Instant::now(), self.settling()));
        }
        effects
    }

    fn update_inner(&mut self, action: Action) -> Vec<Effect> {
        // Nothing is shown but the "too small" notice, so nothing acts blind: only the way out.
        if super::ui::too_small(self.size) && matches!(action, Action::Key(_) | Action::Mouse(_) | Action::Paste(_)) {
            return match action {
                Action::Key(k) => self.key_when_too_small(k),
                _ => Vec::new(),
            };
        }
        match action {
            Action::Key(k) => self.key(k),
            Action::Command(c) => self.command(c),
            Action::Mouse(m) => self.mouse_event(m),
            Action::Paste(text) => self.paste(&text),
            Action::Resize(w, h) => {
                self.size = (w, h);
                self.leads.fit_to(super::ui::body_area(self.size));
                Vec::new()
            }
            Action::Response(r) => self.response(*r),
            Action::Tick => {
                let now = Instant::now();
                if self.toast.as_ref().is_some_and(|(_, t)| *t <= now) {
                    self.toast = None;
                }
                if self.automations_due <= now {
                    return self.update_inner(Action::RunAutomations);
                }
                Vec::new()
            }
            Action::RunAutomations => {
                self.automations_due = Instant::now() + AUTOMATIONS_EVERY;
                if std::mem::replace(&mut self.automations_running, true) {
                    return Vec::new();
                }
                vec![Effect::Request(Request::Tick { config: self.ctx.config.clone() })]
            }
            Action::Terminate => {
                self.quit = true;
                vec![Effect::Quit]
            }
        }
    }

    pub fn toast(&mut self, text: impl Into<String>, error: bool) {
        let text = text.into();
        if error {
            tracing::warn!(%text, "shown to the rep");
        }
        self.toast = Some((Toast { text, error }, Instant::now() + TOAST_FOR));
    }

    fn input_mode(&self) -> bool {
        matches!(self.popup, Some(Popup::Form(_)) | Some(Popup::Palette(_)))
            || (self.view == ViewId::Leads && self.leads.search.is_some() && self.popup.is_none())
    }

    fn key(&mut self, k: KeyEvent) -> Vec<Effect> {
        if k.kind == KeyEventKind::Release {
            return Vec::new();
        }
        // Ctrl-C always leaves, whatever the keymap says.
        if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return vec![Effect::Quit];
        }
        let key = Key::from_event(k);
        if self.input_mode() {
            return match self.keymap.resolve(&[Scope::Input], &[], key) {
                Resolved::Command(c) => self.input_command(c),
                _ => self.input_key(k),
            };
        }
        let scopes = [self.view.scope(), Scope::Global];
        let pending = std::mem::take(&mut self.pending);
        let mut resolved = self.keymap.resolve(&scopes, &pending, key);
        // Over the keys overlay, a key the view binds to its own command acts as the global keymap has it
        // (the footer names those): a view's `j` for its pane would otherwise close the overlay. A key the
        // view unbinds stays unbound.
        if let (Some(Popup::Help { .. }), Resolved::Command(c)) = (&self.popup, &resolved)
            && !c.is_app_wide()
            && !matches!(
                c,
                Command::Up | Command::Down | Command::PageUp | Command::PageDown | Command::Top | Command::Bottom
            )
        {
            resolved = self.keymap.resolve(&[Scope::Global], &pending, key);
        }
        match resolved {
            Resolved::Command(c) => self.command(c),
            Resolved::Pending => {
                self.pending = pending;
                self.pending.push(key);
                Vec::new()
            }
            // A sequence no binding has (`g c`) is dropped whole, as vim and less do: its last key alone may
            // be one that acts at once (`c`, mark done), which the rep did not ask for. Esc drops it silently.
            Resolved::Unbound if !pending.is_empty() => {
                if k.code != KeyCode::Esc {
                    let typed: Vec<String> = pending.iter().chain([&key]).map(ToString::to_string).collect();
                    self.toast(format!("{} is no key here (? lists them)", typed.join(" ")), true);
                }
                Vec::new()
            }
            Resolved::Unbound => Vec::new(),
        }
    }

    /// While the terminal is too small to draw in: Ctrl-C and the quit key leave, every other key waits.
    fn key_when_too_small(&mut self, k: KeyEvent) -> Vec<Effect> {
        let ctrl_c = k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL);
        let quit = self.keymap.resolve(&[Scope::Global], &[], Key::from_event(k)) == Resolved::Command(Command::Quit);
        if k.kind != KeyEventKind::Release && (ctrl_c || quit) {
            self.quit = true;
            return vec![Effect::Quit];
        }
        Vec::new()
    }

    /// A key in text input that is not a bound input command: typing.
    /// Pasted text: into the form's field whole; into the palette or the search on one line.
    fn paste(&mut self, text: &str) -> Vec<Effect> {
        let one_line = || text.split(['\r', '\n']).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
        match &mut self.popup {
            Some(Popup::Form(f)) if f.waiting.is_some() => Vec::new(),
            Some(Popup::Form(f)) => {
                f.paste(text);
                f.error = None;
                Vec::new()
            }
            Some(Popup::Palette(p)) => {
                p.input.push_str(&one_line());
                p.refilter();
                Vec::new()
            }
            Some(_) => Vec::new(),
            None => match &mut self.leads.search {
                Some(f) if self.view == ViewId::Leads => {
                    f.clear_default();
                    f.insert(&one_line());
                    let out = self.leads.search_edited();
                    self.apply(out)
                }
                _ => Vec::new(),
            },
        }
    }

    fn input_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let typed = match k.code {
            KeyCode::Char(c) if !k.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => Some(c),
            _ => None,
        };
        // A question (a form with nothing to fill in) is answered with y or n too.
        if matches!(&self.popup, Some(Popup::Form(f)) if f.fields.is_empty()) {
            match typed {
                Some('y' | 'Y') => return self.submit(),
                Some('n' | 'N') => {
                    self.popup = None;
                    return Vec::new();
                }
                _ => {}
            }
        }
        match &mut self.popup {
            // While its save is on its way, the form is what is being saved: it takes no more typing (which
            // would show but not be saved).
            Some(Popup::Form(f)) if f.waiting.is_some() => Vec::new(),
            Some(Popup::Form(f)) => {
                f.edit_key(typed, k);
                f.error = None;
                Vec::new()
            }
            Some(Popup::Palette(p)) => {
                if edit_at_end(&mut p.input, typed, k) {
                    p.refilter();
                }
                Vec::new()
            }
            _ => {
                let Some(f) = &mut self.leads.search else { return Vec::new() };
                if !f.edit_key(typed, k) {
                    return Vec::new();
                }
                let out = self.leads.search_edited();
                self.apply(out)
            }
        }
    }

    /// The commands `input_command` answers: what an `[keymap.input]` binding may run.
    pub const INPUT_COMMANDS: &'static [Command] = &[
        Command::Quit,
        Command::Back,
        Command::Close,
        Command::Up,
        Command::Down,
        Command::Left,
        Command::Right,
        Command::Open,
    ];

    fn input_command(&mut self, c: Command) -> Vec<Effect> {
        match c {
            Command::Quit => {
                self.quit = true;
                return vec![Effect::Quit];
            }
            Command::Back | Command::Close => {
                if self.popup.is_some() {
                    self.popup = None;
                } else if self.leads.search.is_some() {
                    let out = self.leads.clear_search();
                    return self.apply(out);
                }
                return Vec::new();
            }
            _ => {}
        }
        match &mut self.popup {
            Some(Popup::Palette(p)) => match c {
                Command::Up => p.move_by(-1),
                Command::Down => p.move_by(1),
                Command::Open => {
                    if let Some(cmd) = p.selected() {
                        self.popup = None;
                        return self.command(cmd);
                    }
                }
                _ => {}
            },
            Some(Popup::Form(f)) if f.waiting.is_some() => {}
            Some(Popup::Form(f)) => match c {
                Command::Up => f.next(-1),
                Command::Down => f.next(1),
                Command::Left | Command::Right => {
                    let changed = f.cycle(if c == Command::Left { -1 } else { 1 });
                    if changed && f.fields[f.focus].label == "Kind" {
                        forms::kind_changed(f);
                    }
                }
                Command::Open => return self.submit(),
                _ => {}
            },
            _ => match (c, &mut self.leads.search) {
                // Enter keeps the search as a filter and gives the keys back to the table.
                (Command::Open, _) => self.leads.search = None,
                (Command::Left, Some(f)) => f.move_cursor(CursorMove::Left),
                (Command::Right, Some(f)) => f.move_cursor(CursorMove::Right),
                _ => {}
            },
        }
        Vec::new()
    }

    fn submit(&mut self) -> Vec<Effect> {
        let Some(Popup::Form(form)) = &mut self.popup else { return Vec::new() };
        if form.waiting.is_some() {
            return Vec::new();
        }
        if let Purpose::Filter(which) = form.purpose {
            let mut filter = self.leads.window.filter.clone();
            forms::apply_filter(which, form, &mut filter);
            self.popup = None;
            let out = self.leads.set_filter(filter);
            return self.apply(out);
        }
        match forms::to_write(form, &self.ctx) {
            Ok(op) => {
                self.next_token += 1;
                form.waiting = Some(self.next_token);
                vec![Effect::Request(Request::Write { token: self.next_token, op })]
            }
            Err(e) => {
                // Said in the form's own words, in the form and on the status line, as a refused write is.
                let said = forms::error_for(form, &e, self.ctx.tz);
                form.show_error(said.clone());
                self.toast(said, true);
                Vec::new()
            }
        }
    }

    pub fn command(&mut self, c: Command) -> Vec<Effect> {
        self.pending.clear();
        // Moves still owed to the table (keys held past the loaded rows) end with any other command: the
        // selection must not move under a form or a view that opens on it.
        if !matches!(c, Command::Up | Command::Down | Command::PageUp | Command::PageDown) {
            self.leads.window.stop_moving();
        }
        let help_end = super::widgets::help::max_scroll(&self.keymap, self.view.scope(), self.size);
        if let Some(Popup::Help { scroll }) = &mut self.popup {
            match c {
                // Never past the last line, so the way back up starts at once.
                Command::Down => *scroll = (*scroll + 1).min(help_end),
                Command::Up => *scroll = scroll.saturating_sub(1),
                Command::PageDown => *scroll = (*scroll + 10).min(help_end),
                Command::PageUp => *scroll = scroll.saturating_sub(10),
                Command::Top => *scroll = 0,
                Command::Bottom => *scroll = help_end,
                Command::Quit => {
                    self.quit = true;
                    return vec![Effect::Quit];
                }
                _ => self.popup = None,
            }
            return Vec::new();
        }
        match c {
            Command::Quit => {
                self.quit = true;
                return vec![Effect::Quit];
            }
            Command::Close => {
                if self.popup.take().is_some() {
                    return Vec::new();
                }
                // A search left applied is the nearest thing to close; Esc never quits.
                if self.view == ViewId::Leads && self.leads.window.filter.text.is_some() {
                    let out = self.leads.clear_search();
                    return self.apply(out);
                }
                return match self.history.pop() {
                    Some(v) => self.go(v, false),
                    None if self.view == ViewId::Leads => Vec::new(),
                    None => self.go(ViewId::Leads, false),
                };
            }
            Command::Back => {
                if self.popup.take().is_some() {
                    return Vec::new();
                }
                // The leads table is home: back from it quits, whatever views were visited before it.
                if self.view == ViewId::Leads {
                    self.quit = true;
                    return vec![Effect::Quit];
                }
                return match self.history.pop() {
                    Some(v) => self.go(v, false),
                    None => self.go(ViewId::Leads, false),
                };
            }
            Command::Help => {
                self.popup = Some(Popup::Help { scroll: 0 });
                return Vec::new();
            }
            Command::Palette => {
                self.popup = Some(Popup::Palette(Palette::of(self.commands_here())));
                return Vec::new();
            }
            Command::ToggleTheme => {
                self.theme = if self.theme.name == "dark" { Theme::light() } else { Theme::dark() };
                return Vec::new();
            }
            // Another terminal (or device) may have changed anything: everything is read again, the
            // view in front now, the status line's counts and the other views when next shown.
            Command::Refresh => return self.refresh_after_write(),
            Command::ViewLeads => return self.go(ViewId::Leads, true),
            Command::ViewPipeline => return self.go(ViewId::Pipeline, true),
            Command::ViewInbox => return self.go(ViewId::Inbox, true),
            Command::ViewScoring => return self.go(ViewId::Scoring, true),
            Command::ViewFollowups => return self.go(ViewId::Followups, true),
            // The ranking has no search of its own: searching is the leads table's.
            Command::Search if self.view == ViewId::Scoring => {
                let mut out = self.go(ViewId::Leads, true);
                out.extend(self.command(Command::Search));
                return out;
            }
            // The lead of what is selected in the view in front: a card, a task, an inbox item open it as
            // their own Open does; in the lead's own page there is nothing further to open.
            Command::ViewDetail if matches!(self.view, ViewId::Pipeline | ViewId::Inbox | ViewId::Followups) => {
                return self.command(Command::Open);
            }
            Command::ViewDetail if self.view == ViewId::Detail => return Vec::new(),
            Command::ViewDetail => {
                let lead = match self.view {
                    ViewId::Scoring => self.scoring.window.selected_lead().map(|l| l.id.clone()),
                    _ => self.leads.window.selected_lead().map(|l| l.id.clone()),
                };
                return match lead.or_else(|| self.detail.lead_id.clone()) {
                    Some(id) => self.open_lead(id),
                    None => Vec::new(),
                };
            }
            _ => {}
        }
        match self.view_command(c) {
            Some(out) => self.apply(out),
            None => {
                let key = self.keymap.key_for(&[Scope::Global], Command::Palette).unwrap_or_else(|| ":".into());
                self.toast(format!("'{}' does nothing in {} ({key} lists commands)", c.name(), self.view.name()), true);
                Vec::new()
            }
        }
    }

    fn go(&mut self, v: ViewId, remember: bool) -> Vec<Effect> {
        if remember && v != self.view {
            self.history.push(self.view);
            if self.history.len() > 20 {
                self.history.remove(0);
            }
        }
        self.view = v;
        let stale = std::mem::take(&mut self.stale[v as usize]);
        let out = match v {
            ViewId::Leads => self.leads.enter(stale),
            ViewId::Detail => self.detail.reload(),
            ViewId::Pipeline => self.kanban.enter(&self.ctx, stale),
            ViewId::Inbox => self.inbox.enter(stale),
            ViewId::Scoring => self.scoring.enter(stale),
            ViewId::Followups => self.followups.enter(&self.ctx, stale),
        };
        self.apply(out)
    }

    pub fn open_lead(&mut self, id: crate::domain::LeadId) -> Vec<Effect> {
        if self.view != ViewId::Detail {
            self.history.push(self.view);
        }
        self.view = ViewId::Detail;
        let out = self.detail.open(id);
        self.apply(out)
    }

    /// Turns view outputs into effects (and popups, navigation, toasts).
    /// The view in front's answer to a command: None when it does nothing there.
    fn view_command(&mut self, c: Command) -> Option<Vec<Out>> {
        let page = self.page();
        match self.view {
            ViewId::Leads => self.leads.command(c, page, &self.ctx),
            ViewId::Detail => self.detail.command(c, page, &self.ctx),
            ViewId::Pipeline => {
                let out = self.kanban.command(c, self.cards(), &self.ctx);
                self.kanban.settle(self.size.0);
                out
            }
            ViewId::Inbox => self.inbox.command(c, page),
            ViewId::Scoring => self.scoring.command(c, page),
            ViewId::Followups => self.followups.command(c, page / 2, &self.ctx),
        }
    }

    /// The commands that do something in the view in front, for the palette: those the app answers in any
    /// view (moving between views, help, quitting), and those the view answers, asked of a copy of it so
    /// that nothing moves.
    pub fn commands_here(&self) -> Vec<Command> {
        let app_answers = |c: Command| c.is_app_wide() || (c == Command::Search && self.view == ViewId::Scoring);
        Command::ALL.iter().copied().filter(|c| app_answers(*c) || self.view_answers(*c)).collect()
    }

    /// Whether the view in front answers a command, sent as `view_command` sends it, to a copy of the view.
    fn view_answers(&self, c: Command) -> bool {
        let page = self.page();
        match self.view {
            ViewId::Leads => self.leads.clone().command(c, page, &self.ctx).is_some(),
            ViewId::Detail => self.detail.clone().command(c, page, &self.ctx).is_some(),
            ViewId::Pipeline => self.kanban.clone().command(c, self.cards(), &self.ctx).is_some(),
            ViewId::Inbox => self.inbox.clone().command(c, page).is_some(),
            ViewId::Scoring => self.scoring.clone().command(c, page).is_some(),
            ViewId::Followups => self.followups.clone().command(c, page / 2, &self.ctx).is_some(),
        }
    }

    /// Cards a pipeline column shows.
    fn cards(&self) -> usize {
        KanbanView::cards_per_column(self.size.1.saturating_sub(2))
    }

    fn apply(&mut self, outs: Vec<Out>) -> Vec<Effect> {
        let mut effects = Vec::new();
        for o in outs {
            match o {
                Out::Query(q) => effects.push(Effect::Request(Request::Query(q))),
                Out::Write(op) => {
                    self.next_token += 1;
                    self.kanban.write_sent(self.next_token);
                    self.followups.write_sent(self.next_token, &op);
                    effects.push(Effect::Request(Request::Write { token: self.next_token, op }));
                }
                Out::Form(f) => self.popup = Some(Popup::Form(Box::new(f))),
                Out::OpenLead(id) => effects.extend(self.open_lead(id)),
                Out::Toast(t, e) => self.toast(t, e),
            }
        }
        effects
    }

    fn response(&mut self, r: Response) -> Vec<Effect> {
        let page = self.page();
        match r {
            Response::LeadsPage { slot, generation, dir, rows } => {
                let w = if slot == Slot::Leads { &mut self.leads.window } else { &mut self.scoring.window };
                let more = w.on_page(generation, dir, rows, page);
                w.scroll_into_view(page);
                self.apply(queries(more))
            }
            Response::LeadCount { slot, generation, count } => {
                let w = if slot == Slot::Leads { &mut self.leads.window } else { &mut self.scoring.window };
                w.on_count(generation, count);
                Vec::new()
            }
            Response::LeadRank { slot, generation, lead, rank } => {
                let w = if slot == Slot::Leads { &mut self.leads.window } else { &mut self.scoring.window };
                w.on_rank(generation, &lead, rank);
                Vec::new()
            }
            Response::Detail { lead, result } => {
                self.detail.loaded(lead, result);
                Vec::new()
            }
            Response::Pipeline(s) => {
                self.kanban.on_summary(s);
                self.kanban.settle(self.size.0);
                Vec::new()
            }
            Response::Column { stage, generation, after, rows } => {
                self.kanban.on_column(stage, generation, after, rows);
                Vec::new()
            }
            Response::Inbox(items) => {
                self.inbox.loaded(items);
                Vec::new()
            }
            Response::Followups(d) => {
                self.followups.loaded(d);
                Vec::new()
            }
            Response::Status(c) => {
                if let Ok((counts, team_name, tz)) = c {
                    self.inbox_counts = counts;
                    self.inbox_counted = true;
                    // The team's zone changed meanwhile: times read and typed here follow it.
                    self.ctx.tz = tz;
                    self.ctx.team_name = team_name;
                }
                Vec::new()
            }
            Response::Written { token, result } => self.written(token, result),
            Response::Tags(tags) => {
                // Offered by the tag filter still open; a tag it cannot list is still typed.
                if let (Some(Popup::Form(form)), Ok((tags, cut))) = (&mut self.popup, tags)
                    && form.purpose == Purpose::Filter(FilterField::Tag)
                    && let Some(field) = form.fields.first_mut()
                {
                    field.suggestions = tags;
                    field.suggestions_cut = cut;
                }
                Vec::new()
            }
            Response::Ticked(result) => {
                self.automations_running = false;
                match result {
                    Ok(report) => {
                        self.scoring.rules_elsewhere = report.rules_elsewhere;
                        if report.rules_elsewhere {
                            // `facts::RULES_ELSEWHERE`, short enough for a toast.
                            let said = "Scores follow a config changed after this one's: restart, or align [scoring]";
                            self.toast(said, true);
                        } else if let Some(text) = automations_summary(&report) {
                            self.toast(text, false);
                        }
                        // Each minute what is shown is read again, with the status line (and the team's zone,
                        // which an admin may have changed): automations may have written, leads been rescored
                        // as time passed, a colleague or a script logged a touch or a reply, and the
                        // follow-ups' sections are cut by the clock (overdue, today).
                        self.refresh_after_write()
                    }
                    Err(e) => {
                        self.toast(format!("Automations: {e}"), true);
                        Vec::new()
                    }
                }
            }
            Response::Explained { lead, result } => {
                self.scoring.on_explained(lead, result.map(|e| *e));
                Vec::new()
            }
        }
    }

    fn written(&mut self, token: u64, result: Result<super::worker::Wrote, super::worker::WriteFailed>) -> Vec<Effect> {
        let form_waiting = matches!(&self.popup, Some(Popup::Form(f)) if f.waiting == Some(token));
        self.kanban.write_done(token, result.is_ok());
        if let Ok(w) = &result {
            self.followups.marked_done(token, w.task_done_at);
        }
        self.followups.write_done(token, result.is_ok());
        match result {
            Ok(super::worker::Wrote { said: msg, added, entry, .. }) => {
                // What the rep just wrote from the lead's page is what they act on next (take it back).
                if form_waiting && let Some(entry) = entry {
                    self.detail.select_when_loaded(entry);
                }
                if form_waiting && let Some(Popup::Form(f)) = self.popup.take() {
                    let moved = match &f.purpose {
                        Purpose::Win { deal, from, .. } => Some((deal, from, &self.ctx.stages.won_stage)),
                        Purpose::Lose { deal, from, .. } => Some((deal, from, &self.ctx.stages.lost_stage)),
                        Purpose::Reopen { deal, stage, from, .. } => Some((deal, from, stage)),
                        _ => None,
                    };
                    if let Some((deal, from, stage)) = moved {
                        self.kanban.moved_by_form(deal, from, stage);
                        self.kanban.follow_moved(deal, stage, &self.ctx);
                    }
                }
                if !msg.is_empty() {
                    let warning = msg.starts_with(super::worker::WARNING);
                    self.toast(msg, warning);
                }
                let mut effects = self.refresh_after_write();
                // A lead just added from the form still open: their page, to log the first touch.
                if let Some(lead) = added.filter(|_| form_waiting) {
                    effects.extend(self.open_lead(lead));
                }
                effects
            }
            Err(failed) => {
                let mut said = failed.said;
                if form_waiting && let Some(Popup::Form(f)) = &mut self.popup {
                    // Keep the rep's input; say what was wrong, in the form's own words (the status line too).
                    f.waiting = None;
                    said = forms::error_for(f, &said, self.ctx.tz);
                    f.show_error(said.clone());
                    // A question with nothing to fix in it (take back this touch?) closes when refused: asked
                    // again, it would be refused again. The status line says why. One the database was too
                    // busy for stays, to be asked again.
                    if f.fields.is_empty() && !failed.again {
                        self.popup = None;
                    }
                }
                self.toast(said, true);
                // What the view showed at once (a card moved) is read back as it is.
                self.refresh_after_write()
            }
        }
    }

    /// After a write: the view in front and the open lead reload now, the others when next shown.
    fn refresh_after_write(&mut self) -> Vec<Effect> {
        self.scoring.invalidate();
        self.stale = [true; 6];
        self.stale[self.view as usize] = false;
        // The view in front first: the worker answers in order, and the row the rep just changed should not
        // wait for the status line's counts (a quarter of a second at a million leads).
        let mut out = match self.view {
            ViewId::Leads => queries(self.leads.window.refresh()),
            ViewId::Detail => Vec::new(),
            ViewId::Pipeline => self.kanban.reload(&self.ctx),
            ViewId::Inbox => self.inbox.reload(),
            ViewId::Scoring => queries(self.scoring.window.refresh()),
            ViewId::Followups => self.followups.reload(&self.ctx),
        };
        out.extend(self.detail.reload());
        out.push(Out::Query(Query::Status));
        self.apply(out)
    }

    fn mouse_event(&mut self, m: crossterm::event::MouseEvent) -> Vec<Effect> {
        if !self.mouse || self.popup.is_some() {
            return Vec::new();
        }
        match m.kind {
            MouseEventKind::ScrollDown => self.command(Command::Down),
            MouseEventKind::ScrollUp => self.command(Command::Up),
            MouseEventKind::Down(MouseButton::Left) if self.view == ViewId::Leads => {
                let body = super::ui::body_area(self.size);
                match self.leads.row_at(body, m.row) {
                    Some(i) if i == self.leads.window.selected => self.command(Command::Open),
                    Some(i) => {
                        self.leads.window.selected = i;
                        Vec::new()
                    }
                    None => Vec::new(),
                }
            }
            MouseEventKind::Down(MouseButton::Left) if m.row == 0 => {
                // The tab bar: " leadline " then " N Name " tabs.
                let tabs = super::ui::TABS;
                let mut x = 10u16;
                for (i, (_, name)) in tabs.iter().enumerate() {
                    let w = (format!(" {} {} ", i + 1, name).len()) as u16;
                    if m.column >= x && m.column < x + w {
                        return self.go(tabs[i].0, true);
                    }
                    x += w;
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }
}

/// The toast for a timer run that acted: "Automations: 3 follow-ups created, 1 other action". Leads merely
/// rescored as time passed are not announced (the screens refresh to show them).
/// The shell's editing keys for a line typed at its end (the palette, the search): a character, backspace,
/// ctrl-w, ctrl-backspace or alt-backspace for the word before, ctrl-u for the whole line. Whether the line
/// changed.
fn edit_at_end(text: &mut String, typed: Option<char>, k: KeyEvent) -> bool {
    let (ctrl, alt) = (k.modifiers.contains(KeyModifiers::CONTROL), k.modifiers.contains(KeyModifiers::ALT));
    let before = text.len();
    match (typed, k.code) {
        (Some(c), _) => text.push(c),
        (_, KeyCode::Backspace) if ctrl || alt => drop_word(text),
        (_, KeyCode::Char('w')) if ctrl => drop_word(text),
        (_, KeyCode::Backspace) => {
            text.pop();
        }
        (_, KeyCode::Char('u')) if ctrl => text.clear(),
        _ => return false,
    }
    typed.is_some() || text.len() != before
}

/// Takes off the last word and the spaces after it.
fn drop_word(text: &mut String) {
    let kept = text.trim_end().trim_end_matches(|c: char| !c.is_whitespace()).len();
    text.truncate(kept);
}

pub fn automations_summary(report: &crate::automation::RunReport) -> Option<String> {
    let tasks = report.actions.iter().filter(|d| d.action.ends_with(" task") || d.action.starts_with("enrol")).count();
    let other = report.actions.len() - tasks;
    let mut parts = Vec::new();
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if tasks > 0 {
        parts.push(plural(tasks, "follow-up created", "follow-ups created"));
    }
    if other > 0 {
        parts.push(plural(other, "other action", "other actions"));
    }
    (!parts.is_empty()).then(|| format!("Automations: {}", parts.join(", ")))
}
