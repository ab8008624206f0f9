//! Drives the app synchronously: each request runs inline through the same `worker::execute` the
//! worker thread uses, and its response goes straight back through `update`. For tests and benches.

use std::collections::VecDeque;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::action::{Action, Effect};
use super::app::App;
use super::keymap::Key;
use super::{Setup, ui, worker};
use crate::store::Store;

pub struct Driver {
    pub app: App,
    pub store: Store,
    pub terminal: Terminal<TestBackend>,
}

impl Driver {
    pub fn new(setup: Setup, width: u16, height: u16) -> Driver {
        let Setup { mut app, store, .. } = setup;
        app.size = (width, height);
        let terminal = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
        let mut d = Driver { app, store, terminal };
        let effects = d.app.start();
        d.run(effects);
        d
    }

    /// Runs effects (and the effects their responses cause) until nothing is left.
    pub fn run(&mut self, effects: Vec<Effect>) {
        let mut queue: VecDeque<Effect> = effects.into();
        while let Some(e) = queue.pop_front() {
            if let Effect::Request(r) = e {
                let resp = worker::execute(&mut self.store, r);
                queue.extend(self.app.update(Action::Response(Box::new(resp))));
            }
        }
    }

    pub fn update(&mut self, a: Action) {
        let effects = self.app.update(a);
        self.run(effects);
    }

    /// Presses keys written as in the keymap, space-separated: `"g g"`, `"ctrl-d"`, `"enter"`.
    pub fn keys(&mut self, keys: &str) {
        for k in keys.split_whitespace() {
            let key = Key::parse(k).unwrap_or_else(|e| panic!("bad key in test: {e}"));
            self.update(Action::Key(KeyEvent::new(key.code, key.mods)));
        }
    }

    /// Presses the keys faster than the worker answers: every answer arrives after the last key.
    pub fn keys_at_once(&mut self, keys: &str) {
        let mut effects = Vec::new();
        for k in keys.split_whitespace() {
            let key = Key::parse(k).unwrap_or_else(|e| panic!("bad key in test: {e}"));
            effects.extend(self.app.update(Action::Key(KeyEvent::new(key.code, key.mods))));
        }
        self.run(effects);
    }

    /// Types text character by character (into a form, the search or the palette).
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.update(Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
        }
    }

    /// Clears the focused form field.
    pub fn clear_field(&mut self) {
        for _ in 0..80 {
            self.update(Action::Key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE)));
        }
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.terminal.backend_mut().resize(width, height);
        self.update(Action::Resize(width, height));
    }

    /// Draws a frame and returns the screen as text.
    pub fn screen(&mut self) -> String {
        let app = &self.app;
        self.terminal.draw(|f| ui::draw(app, f)).expect("draw on the test terminal");
        self.terminal.backend().to_string()
    }

    pub fn draw(&mut self) {
        let app = &self.app;
        self.terminal.draw(|f| ui::draw(app, f)).expect("draw on the test terminal");
    }
}
