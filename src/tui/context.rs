//! What every view needs to know about the team and the moment: read once at start-up.

use std::sync::Arc;

use chrono_tz::Tz;

use super::hints::Hints;
use crate::config::{Config, FollowupConfig};
use crate::domain::{Clock, Stages, Timestamp};
use crate::scoring::Scorer;
use crate::store::Ctx;

#[derive(Debug, Clone)]
pub struct UiCtx {
    pub clock: Clock,
    pub tz: Tz,
    pub stages: Stages,
    pub currency: String,
    pub user_name: String,
    pub user_id: crate::domain::UserId,
    pub team_name: String,
    pub followup: FollowupConfig,
    /// The compiled scoring rules, for the scoring view's explanations (run on the worker).
    pub scorer: Arc<Scorer>,
    /// The whole config, for the worker's minute timer (`engine::tick`).
    pub config: Arc<Config>,
    /// Key hints as the keymap binds them.
    pub hints: Hints,
    /// The team's members as the owner filter offers them: by name, or by e-mail where names repeat.
    pub members: Vec<String>,
}

impl UiCtx {
    pub fn new(ctx: &Ctx, config: &Config, clock: Clock, scorer: Arc<Scorer>, hints: Hints) -> Self {
        UiCtx {
            clock,
            tz: ctx.tz,
            stages: ctx.stages.clone(),
            currency: ctx.currency.clone(),
            user_name: ctx.user_name.clone(),
            user_id: ctx.user_id.clone(),
            team_name: ctx.team_name.clone(),
            followup: config.followup.clone(),
            scorer,
            config: Arc::new(config.clone()),
            hints,
            members: Vec::new(),
        }
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}
