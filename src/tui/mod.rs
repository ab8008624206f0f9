//! The terminal UI: Elm-like state (`app`), commands apart from actions, a database worker,
//! views drawn from state, a keymap from data and themes.
//!
//! The render loop sleeps until an input event, a worker response or a timer arrives, applies
//! everything pending, then draws once: idle means no CPU, bursts make one frame.

pub mod action;
pub mod app;
pub mod command;
pub mod context;
pub mod driver;
pub mod forms;
pub mod hints;
pub mod keymap;
pub mod start;
pub mod theme;
pub mod ui;
pub mod views;
pub mod widgets;
pub mod window;
pub mod worker;

use std::io;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event,
};
use crossterm::execute;

use self::action::{Action, Effect};
use self::app::App;
use crate::config::Config;
use crate::store::Store;

/// Everything the UI needs to start, checked before the terminal is touched.
pub struct Setup {
    pub app: App,
    pub store: Store,
    /// A second connection for the automations' timer, so that it runs beside the UI's queries (without
    /// one, it runs between them).
    pub automations: Option<Store>,
}

/// What the terminal UI reads of the config beyond what every command does (the keymap, the colours),
/// checked the way the UI builds them, so `config check` finds what would stop the UI from starting.
pub fn check_config(config: &Config) -> Result<(), crate::config::ConfigError> {
    keymap::Keymap::build(&config.keymap)?;
    theme::Theme::from_config(&config.ui)?;
    Ok(())
}

impl Setup {
    /// Builds the keymap and theme from the config (errors name the bad key or colour) and the app.
    pub fn new(
        config: &Config,
        store: Store,
        clock: crate::domain::Clock,
    ) -> Result<Setup, crate::config::ConfigError> {
        let keymap = keymap::Keymap::build(&config.keymap)?;
        let theme = theme::Theme::from_config(&config.ui)?;
        let stages = config.stages().map_err(|e| crate::config::ConfigError::Invalid(e.to_string()))?;
        let scorer = crate::scoring::Scorer::from_config(&config.scoring, &stages)
            .map_err(|e| crate::config::ConfigError::Invalid(e.to_string()))?;
        let hints = hints::Hints::new(&keymap);
        let mut ctx = context::UiCtx::new(store.ctx(), config, clock, std::sync::Arc::new(scorer), hints);
        let users = crate::store::teams::list(&store.db())
            .map_err(|e| crate::config::ConfigError::Invalid(format!("cannot read the team: {e}")))?;
        ctx.members = users
            .iter()
            .map(|u| {
                let key = crate::domain::text::fold(&u.name);
                let namesakes = users.iter().filter(|o| crate::domain::text::fold(&o.name) == key).count();
                if namesakes > 1 { u.email.clone() } else { u.name.clone() }
            })
            .collect();
        Ok(Setup { app: App::new(ctx, keymap, theme, config.ui.mouse), store, automations: None })
    }
}

enum Msg {
    Event(Event),
    Response(Box<worker::Response>),
    Terminate,
}

/// Runs the UI on the real terminal until the rep quits. The terminal is restored on every way out:
/// return, error, panic (ratatui's hook), Ctrl-C (a key in raw mode) and SIGTERM/SIGINT/SIGHUP.
pub fn run(setup: Setup) -> io::Result<()> {
    let Setup { mut app, store, automations } = setup;
    let (tx, rx) = mpsc::channel::<Msg>();
    let (req_tx, req_rx) = mpsc::channel();
    let resp_tx = tx.clone();
    let interrupter = worker::spawn(store, automations, req_rx, move |r| {
        let _ = resp_tx.send(Msg::Response(Box::new(r)));
    })?;
    spawn_signals(tx.clone())?;
    let mouse = app.mouse;
    let mut terminal = ratatui::try_init()?;
    if mouse {
        execute!(io::stdout(), EnableMouseCapture)?;
    }
    // Pasted text arrives as one event instead of keystrokes (whose line breaks would submit a form).
    execute!(io::stdout(), EnableBracketedPaste)?;
    let restore_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // The automations' thread survives its panic (the run is reported as failed): the screen stays.
        if std::thread::current().name() == Some(worker::AUTOMATIONS_THREAD) {
            tracing::error!(%info, "the automations' run panicked");
            return;
        }
        let _ = execute!(io::stdout(), DisableBracketedPaste);
        restore_hook(info);
    }));
    let input_tx = tx.clone();
    std::thread::Builder::new().name("leadline-input".into()).spawn(move || {
        while let Ok(e) = event::read() {
            if input_tx.send(Msg::Event(e)).is_err() {
                break;
            }
        }
    })?;
    let result = (|| -> io::Result<()> {
        let size = terminal.size()?;
        app.size = (size.width, size.height);
        for e in app.start() {
            dispatch(e, &req_tx, &interrupter);
        }
        terminal.draw(|f| ui::draw(&app, f))?;
        let started = *start::STARTED.get_or_init(Instant::now);
        let mut first_data_frame = false;
        let frame_gap = Duration::from_millis(16);
        let mut last_draw = Instant::now();
        loop {
            let msg = match app.next_deadline() {
                Some(at) => match rx.recv_timeout(at.saturating_duration_since(Instant::now())) {
                    Ok(m) => Some(m),
                    Err(mpsc::RecvTimeoutError::Timeout) => None,
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                },
                None => match rx.recv() {
                    Ok(m) => Some(m),
                    Err(_) => break,
                },
            };
            let mut actions = vec![Action::Tick];
            actions.extend(msg.map(to_action));
            // Coalesce: take everything already waiting, then draw once.
            actions.extend(rx.try_iter().map(to_action));
            for a in actions {
                for e in app.update(a) {
                    match e {
                        Effect::Quit => app.quit = true,
                        other => dispatch(other, &req_tx, &interrupter),
                    }
                }
            }
            if app.quit {
                break;
            }
            // Cap at ~60 fps: a burst right after a frame waits for the next slot.
            let since = last_draw.elapsed();
            if since < frame_gap {
                std::thread::sleep(frame_gap - since);
                for a in rx.try_iter().map(to_action).collect::<Vec<_>>() {
                    for e in app.update(a) {
                        match e {
                            Effect::Quit => app.quit = true,
                            other => dispatch(other, &req_tx, &interrupter),
                        }
                    }
                }
                if app.quit {
                    break;
                }
            }
            terminal.draw(|f| ui::draw(&app, f))?;
            last_draw = Instant::now();
            if !first_data_frame && !app.leads.window.rows.is_empty() {
                first_data_frame = true;
                tracing::info!(ms = started.elapsed().as_secs_f64() * 1000.0, "first frame with data");
                if std::env::var_os("LEADLINE_EXIT_AFTER_FIRST_FRAME").is_some() {
                    break;
                }
            }
        }
        Ok(())
    })();
    if mouse {
        let _ = execute!(io::stdout(), DisableMouseCapture);
    }
    let _ = execute!(io::stdout(), DisableBracketedPaste);
    ratatui::restore();
    result
}

fn to_action(m: Msg) -> Action {
    match m {
        Msg::Event(Event::Key(k)) => Action::Key(k),
        Msg::Event(Event::Mouse(m)) => Action::Mouse(m),
        Msg::Event(Event::Resize(w, h)) => Action::Resize(w, h),
        Msg::Event(Event::Paste(text)) => Action::Paste(text),
        Msg::Event(_) => Action::Tick,
        Msg::Response(r) => Action::Response(r),
        Msg::Terminate => Action::Terminate,
    }
}

fn dispatch(e: Effect, req: &mpsc::Sender<worker::Request>, interrupter: &worker::Interrupter) {
    if let Effect::Request(r) = e {
        interrupter.supersede(&r);
        let _ = req.send(r);
    }
}

fn spawn_signals(tx: mpsc::Sender<Msg>) -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP])?;
    std::thread::Builder::new().name("leadline-signals".into()).spawn(move || {
        if signals.forever().next().is_some() {
            let _ = tx.send(Msg::Terminate);
        }
    })?;
    Ok(())
}
