//! Internal actions (what happened) and effects (what the runtime must do), apart from the
//! user-bindable `Command`s.

use crossterm::event::{KeyEvent, MouseEvent};

use super::command::Command;
use super::worker::{Request, Response};

/// Everything that can change the app's state.
#[derive(Debug, Clone)]
pub enum Action {
    /// A key press, resolved through the keymap (or typed into a field) by the app.
    Key(KeyEvent),
    /// A command chosen in the palette or sent by a test.
    Command(Command),
    Mouse(MouseEvent),
    /// Text pasted into the terminal (bracketed paste): it goes into the field whole, line breaks included.
    Paste(String),
    Resize(u16, u16),
    /// A database answer from the worker.
    Response(Box<Response>),
    /// A timer fired (toast expiry, the minute's automations when due).
    Tick,
    /// Run the time-based automations now (the minute timer; tests send it directly).
    RunAutomations,
    /// SIGTERM or SIGINT: leave cleanly.
    Terminate,
}

/// What `update` asks the runtime to do.
// A request is moved once to the worker; boxing it would only add an allocation per query.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Effect {
    Request(Request),
    Quit,
}
