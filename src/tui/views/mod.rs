//! The six views. Each owns its state, turns commands into outputs, takes its query results and
//! draws from its state alone; business rules stay in the store.

pub mod detail;
pub mod followups;
pub mod inbox;
pub mod kanban;
pub mod leads;
pub mod scoring;

use super::command::Command;
use super::widgets::form::Form;
use super::window::LeadWindow;
use super::worker::{Query, Write};
use crate::domain::LeadId;

/// What a view asks the app to do.
#[derive(Debug, Clone)]
pub enum Out {
    Query(Query),
    Write(Write),
    Form(Form),
    OpenLead(LeadId),
    Toast(String, bool),
}

pub fn queries(qs: Vec<Query>) -> Vec<Out> {
    qs.into_iter().map(Out::Query).collect()
}

/// The moves every lead table shares (rows, pages, ends, refresh, open); None for any other command.
pub fn navigate(w: &mut LeadWindow, cmd: Command, page: usize) -> Option<Vec<Out>> {
    Some(match cmd {
        Command::Down => queries(w.move_by(1, page)),
        Command::Up => queries(w.move_by(-1, page)),
        Command::PageDown => queries(w.move_by(page as i64, page)),
        Command::PageUp => queries(w.move_by(-(page as i64), page)),
        Command::Top => queries(w.top()),
        Command::Bottom => queries(w.bottom()),
        Command::Refresh => queries(w.refresh()),
        Command::Open => w.selected_lead().map(|l| vec![Out::OpenLead(l.id.clone())]).unwrap_or_default(),
        _ => return None,
    })
}

/// "1,234,567"
pub fn thousands(n: i64) -> String {
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}
