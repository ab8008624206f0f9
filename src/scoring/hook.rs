//! Keeps scores current by themselves: every write that touches a lead rescores it in the same transaction.

use std::sync::Arc;

use rusqlite::OptionalExtension;

use super::Scorer;
use super::facts::{FactsSql, rescore_lead};
use super::rules::Fact;
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

impl ScoringHook {
    fn tasks_matter(&self, db: &Db<'_>, lead: &crate::domain::LeadId) -> Result<bool> {
        let task_facts = [Fact::TasksOpen, Fact::TasksOverdue];
        if self.scorer.rules.iter().any(|r| task_facts.iter().any(|f| r.uses(*f))) {
            return Ok(true);
        }
        if !self.scorer.health_rules.iter().any(|r| task_facts.iter().any(|f| r.uses(*f))) {
            return Ok(false);
        }
        let lifecycle: Option<String> = db
            .conn
            .prepare_cached("SELECT lifecycle FROM leads WHERE id = ?1")?
            .query_row([lead.as_str()], |r| r.get(0))
            .optional()?;
        Ok(lifecycle.as_deref() == Some("customer"))
    }
}

impl ChangeHook for ScoringHook {
    fn on_change(&self, db: &Db<'_>, change: &Change) -> Result<()> {
        match change {
            // Notes and removals change nothing a rule reads; added tags are rescored with their edit.
            // A merge is rescored with the kept lead's edit.
            Change::NoteAdded { .. }
            | Change::LeadRemoved(_)
            | Change::TagsAdded { .. }
            | Change::LeadsMerged { .. } => Ok(()),
            // Tasks only count in rules on tasks, and when only health rules count them, only for customers
            // (an automation adding a task to each of many leads then skips their rescoring).
            Change::TaskChanged { lead: Some(lead), .. } if !self.tasks_matter(db, lead)? => Ok(()),
            other => match other.lead() {
                Some(lead) => {
                    let (team, user) = (db.ctx.team_id.as_str(), db.ctx.user_id.as_str());
                    super::facts::remember_member_rules(db.conn, team, user, &self.scorer)?;
                    rescore_lead(db, &self.scorer, &self.sql, lead).map(|_| ())
                }
                None => Ok(()),
            },
        }
    }
}
