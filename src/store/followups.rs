//! Follow-up lists: the leads a rep is losing touch with, by the cadence configured for their
//! open deal's stage or their tags (the shortest applicable cadence wins), else the default.

use rusqlite::{ToSql, params_from_iter};
use serde::Serialize;

use super::leads::lead_name_sql;
use super::{Db, Result};
use crate::config::FollowupConfig;
use crate::domain::time::DAY_MS;
use crate::domain::{LeadId, Timestamp, UserId};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LosingTouch {
    pub id: LeadId,
    pub name: String,
    pub company: Option<String>,
    pub stage: Option<String>,
    pub last_contacted_at: Timestamp,
    /// The cadence (days) that applies to this lead.
    pub cadence_days: i64,
}

/// Leads contacted at least once whose last contact is older than their cadence, and with no meeting booked. Leads on a cadence
/// shorter than the default (a hot tag, a late stage: the ones a rep set to watch) come first, then the
/// others; each part oldest contact first, `limit` in all. Do-not-contact leads are left out. The general
/// part walks `leads_by_contact` from its old end and stops at the shortest configured cadence, and the
/// first part starts from the tagged leads and open deals it watches, so both stay cheap on a million leads.
/// With an `owner`, only their leads and those nobody owns (which would otherwise be no rep's to chase).
pub fn losing_touch(
    db: &Db<'_>,
    cfg: &FollowupConfig,
    owner: Option<&UserId>,
    limit: usize,
) -> Result<Vec<LosingTouch>> {
    let default = i64::from(cfg.cadence_days);
    let stages: Vec<String> = cfg
        .cadence_by_stage
        .iter()
        .filter(|(_, d)| i64::from(**d) < default)
        .map(|(s, _)| db.ctx.stages.resolve(s).unwrap_or_else(|_| s.clone()))
        .collect();
    let tags: Vec<String> = cfg
        .cadence_by_tag
        .iter()
        .filter(|(_, d)| i64::from(**d) < default)
        .map(|(t, _)| t.trim().to_lowercase())
        .collect();
    let mut found = Vec::new();
    if !stages.is_empty() || !tags.is_empty() {
        let marks = |n: usize| vec!["?"; n].join(", ");
        let watched = format!(
            "SELECT t.lead_id FROM lead_tags t WHERE t.tag IN ({}) UNION
             SELECT d.lead_id FROM deals d WHERE d.status = 'open' AND d.deleted_at IS NULL AND d.stage IN ({})",
            marks(tags.len()),
            marks(stages.len())
        );
        let args: Vec<Box<dyn ToSql>> = tags.into_iter().chain(stages).map(|v| Box::new(v) as Box<dyn ToSql>).collect();
        found = overdue(db, cfg, Some((watched, args)), owner, limit)?;
    }
    if found.len() < limit {
        let watched: std::collections::HashSet<LeadId> = found.iter().map(|l| l.id.clone()).collect();
        let rest = overdue(db, cfg, None, owner, limit)?;
        found.extend(rest.into_iter().filter(|l| !watched.contains(&l.id)));
        found.truncate(limit);
    }
    Ok(found)
}

/// The overdue leads, oldest contact first: of all, or of those `watched` selects (SQL giving lead ids,
/// and its arguments), read from them rather than from every lead; of every owner, or of one (and nobody).
fn overdue(
    db: &Db<'_>,
    cfg: &FollowupConfig,
    watched: Option<(String, Vec<Box<dyn ToSql>>)>,
    owner: Option<&UserId>,
    limit: usize,
) -> Result<Vec<LosingTouch>> {
    let default = i64::from(cfg.cadence_days);
    let shortest =
        cfg.cadence_by_stage.values().chain(cfg.cadence_by_tag.values()).map(|d| i64::from(*d)).fold(default, i64::min);
    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
    let mut ctes = Vec::new();
    let mut parts = Vec::new();
    let latest_stage =
        "(SELECT d.stage FROM deals d WHERE d.lead_id = l.id AND d.status = 'open' AND d.deleted_at IS NULL
                       ORDER BY d.updated_at DESC LIMIT 1)";
    let mut stage_expr = latest_stage.to_string();
    if !cfg.cadence_by_stage.is_empty() {
        // Every open deal counts (the shortest cadence wins), and the stage shown is the one that set it.
        let open_with_cadence = "FROM deals d JOIN stage_c c ON c.stage = d.stage
                       WHERE d.lead_id = l.id AND d.status = 'open' AND d.deleted_at IS NULL";
        stage_expr = format!(
            "coalesce((SELECT d.stage {open_with_cadence} ORDER BY c.days, d.updated_at DESC LIMIT 1), {latest_stage})"
        );
        let values: Vec<&str> = cfg.cadence_by_stage.iter().map(|_| "(?, ?)").collect();
        ctes.push(format!("stage_c(stage, days) AS (VALUES {})", values.join(", ")));
        for (stage, days) in &cfg.cadence_by_stage {
            let stage = db.ctx.stages.resolve(stage).unwrap_or_else(|_| stage.clone());
            args.push(Box::new(stage));
            args.push(Box::new(i64::from(*days)));
        }
        parts.push(format!("SELECT c.days {open_with_cadence}"));
    }
    if !cfg.cadence_by_tag.is_empty() {
        let values: Vec<&str> = cfg.cadence_by_tag.iter().map(|_| "(?, ?)").collect();
        ctes.push(format!("tag_c(tag, days) AS (VALUES {})", values.join(", ")));
        for (tag, days) in &cfg.cadence_by_tag {
            args.push(Box::new(tag.trim().to_lowercase()));
            args.push(Box::new(i64::from(*days)));
        }
        parts.push("SELECT c.days FROM tag_c c JOIN lead_tags t ON t.tag = c.tag WHERE t.lead_id = l.id".into());
    }
    let cadence = if parts.is_empty() {
        "?".to_string()
    } else {
        format!("coalesce((SELECT min(days) FROM ({})), ?)", parts.join(" UNION ALL "))
    };
    let from = match watched {
        Some((ids, ids_args)) => {
            ctes.push(format!("watched(id) AS ({ids})"));
            args.extend(ids_args);
            "watched w JOIN leads l ON l.id = w.id"
        }
        None => "leads l",
    };
    args.push(Box::new(default));
    let with = if ctes.is_empty() { String::new() } else { format!("WITH {} ", ctes.join(", ")) };
    let sql = format!(
        "{with}SELECT id, name, company, stage, contact, cadence FROM (
           SELECT l.id, {name} AS name, a.name AS company, {stage_expr} AS stage,
                  ifnull(l.last_contacted_at, 0) AS contact, {cadence} AS cadence, l.seq AS seq
           FROM {from} LEFT JOIN accounts a ON a.id = l.account_id
           WHERE l.team_id = ? AND (? IS NULL OR l.owner_id = ? OR l.owner_id IS NULL)
             AND l.deleted_at IS NULL AND l.do_not_contact = 0
             AND NOT EXISTS (SELECT 1 FROM meetings m WHERE m.lead_id = l.id AND m.deleted_at IS NULL
                             AND m.scheduled_at >= ? AND m.attended IS NULL)
             AND ifnull(l.last_contacted_at, 0) BETWEEN 1 AND ?)
         WHERE contact < ? - cadence * {DAY_MS} ORDER BY contact ASC, seq DESC LIMIT ?",
        name = lead_name_sql!("l")
    );
    args.push(Box::new(db.ctx.team_id.0.clone()));
    let owner = owner.map(|o| o.0.clone());
    args.push(Box::new(owner.clone()));
    args.push(Box::new(owner));
    // A lead with a meeting booked is in touch already.
    args.push(Box::new(db.now.0));
    args.push(Box::new(db.now.0 - shortest * DAY_MS));
    args.push(Box::new(db.now.0));
    args.push(Box::new(limit as i64));
    let mut stmt = db.conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(args.iter().map(|b| b.as_ref())), |r| {
        Ok(LosingTouch {
            id: LeadId(r.get(0)?),
            name: r.get(1)?,
            company: r.get(2)?,
            stage: r.get(3)?,
            last_contacted_at: Timestamp(r.get(4)?),
            cadence_days: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::domain::Clock;
    use crate::store::leads::{self, NewLead};
    use crate::store::{Store, deals};

    const NOW: Timestamp = Timestamp(1_790_000_000_000);

    #[test]
    fn cadence_by_stage_and_tag_shortest_wins_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::defaults();
        config.followup.cadence_days = 14;
        config.followup.cadence_by_stage.insert("Proposal".into(), 5);
        config.followup.cadence_by_tag.insert("hot".into(), 3);
        let mut store = Store::open(&dir.path().join("t.db"), &config, Clock::Fixed(NOW)).unwrap();
        let add = |store: &mut Store, name: &str, days_ago: Option<i64>, tag: Option<&str>, stage: Option<&str>| {
            store
                .write(|db| {
                    let id = leads::create(
                        db,
                        NewLead {
                            first_name: name.into(),
                            tags: tag.map(|t| vec![t.to_string()]).unwrap_or_default(),
                            ..Default::default()
                        },
                    )?;
                    if let Some(d) = days_ago {
                        leads::touch(db, &id, NOW.plus_days(-d))?;
                    }
                    if let Some(s) = stage {
                        deals::create(
                            db,
                            deals::NewDeal {
                                stage: Some(s.into()),
                                ..deals::NewDeal::new(id.clone(), format!("{name} deal"))
                            },
                        )?;
                    }
                    Ok(id)
                })
                .unwrap()
        };
        add(&mut store, "Never", None, None, None);
        add(&mut store, "Recent", Some(10), None, None);
        add(&mut store, "Old", Some(20), None, None);
        add(&mut store, "Hot", Some(4), Some("hot"), None);
        add(&mut store, "Warm", Some(2), Some("hot"), None);
        let proposal = add(&mut store, "Proposal", Some(6), None, Some("proposal"));
        // A newer deal at a stage with no cadence of its own does not hide the one at Proposal.
        store
            .write(|db| {
                deals::create(
                    db,
                    deals::NewDeal { stage: Some("New".into()), ..deals::NewDeal::new(proposal.clone(), "Upsell") },
                )?;
                // Moved more recently than the deal at Proposal.
                db.conn.execute("UPDATE deals SET updated_at = updated_at + 1000 WHERE title = 'Upsell'", [])?;
                Ok(())
            })
            .unwrap();
        let dnc = add(&mut store, "Quiet", Some(30), None, None);
        store
            .write(|db| leads::update(db, &dnc, leads::LeadPatch { do_not_contact: Some(true), ..Default::default() }))
            .unwrap();
        let list = losing_touch(&store.db(), &config.followup, None, 50).unwrap();
        let names: Vec<_> = list.iter().map(|l| (l.name.as_str(), l.cadence_days)).collect();
        // The leads on a shorter cadence than the default first, then the others; oldest first in each.
        assert_eq!(names, vec![("Proposal", 5), ("Hot", 3), ("Old", 14)]);
        assert_eq!(list[0].stage.as_deref(), Some("Proposal"), "the stage whose cadence applies");
        // A list cut short keeps the leads on a shorter cadence, however recent their contact.
        let first = losing_touch(&store.db(), &config.followup, None, 1).unwrap();
        assert_eq!(first.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["Proposal"]);
        // A lead with a meeting booked is in touch: not listed until the meeting has passed.
        let old = leads::resolve(&store.db(), "Old").unwrap();
        store.write(|db| crate::store::meetings::schedule(db, &old, NOW.plus_days(3), None, None)).unwrap();
        let list = losing_touch(&store.db(), &config.followup, None, 50).unwrap();
        assert_eq!(list.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["Proposal", "Hot"]);
    }
}
