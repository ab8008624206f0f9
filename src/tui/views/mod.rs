//! The six views. Each owns its state, turns commands into outputs, takes its query results and
//! draws from its state alone; business rules stay in the store.

pub mod detail;
pub mod followups;
pub mod inbox;
pub mod kanban;
pub mod leads;
pub mod scoring;

use super::widgets::form::Form;
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
