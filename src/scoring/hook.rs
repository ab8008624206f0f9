//! Keeps scores current by themselves: every write that touches a lead rescores it in the same transaction.

use std::sync::Arc;

use super::Scorer;
use super::facts::{FactsSql, rescore_lead};
use crate::store::{Change, ChangeHook, Db, Result};

pub struct ScoringHook {
    scorer: Arc<Scorer>,
    sql: FactsSql,
}

impl ScoringHook {
    pub fn new(scorer: Arc<Scorer>) -> Self {
        let sql = FactsSql::new(&scorer.stages);
        Self { scorer, sql }
    }
}

impl ChangeHook for ScoringHook {
    fn on_change(&self, db: &Db<'_>, change: &Change) -> Result<()> {
        match change {
            // Notes and removals change nothing a rule reads.
            Change::NoteAdded { .. } | Change::LeadRemoved(_) => Ok(()),
            other => match other.lead() {
                Some(lead) => rescore_lead(db, &self.scorer, &self.sql, lead).map(|_| ()),
                None => Ok(()),
            },
        }
    }
}
