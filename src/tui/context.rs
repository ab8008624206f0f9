//! What every view needs to know about the team and the moment: read once at start-up.

use chrono_tz::Tz;

use crate::config::{Config, FollowupConfig};
use crate::domain::{Clock, Stages, Timestamp};
use crate::store::Ctx;

#[derive(Debug, Clone)]
pub struct UiCtx {
    pub clock: Clock,
    pub tz: Tz,
    pub stages: Stages,
    pub currency: String,
    pub user_name: String,
    pub team_name: String,
    pub followup: FollowupConfig,
}

impl UiCtx {
    pub fn new(ctx: &Ctx, config: &Config, clock: Clock) -> Self {
        UiCtx {
            clock,
            tz: ctx.tz,
            stages: ctx.stages.clone(),
            currency: ctx.currency.clone(),
            user_name: ctx.user_name.clone(),
            team_name: ctx.team_name.clone(),
            followup: config.followup.clone(),
        }
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}
