//! Teams and users: the bootstrap of a fresh database and resolving an owner reference.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::{Ctx, Db, Result, StoreError};
use crate::config::Config;
use crate::domain::text::fold;
use crate::domain::{Role, TeamId, Timestamp, UserId, time::parse_tz};

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub role: String,
}

/// Makes sure the database has a team and the configured user in it, and returns the working context.
/// A fresh database gets the team from `[team]` and the `[user]` as its admin.
pub fn bootstrap(conn: &Connection, config: &Config, now: Timestamp) -> Result<Ctx> {
    let stages = config.stages()?;
    let team: Option<(String, String, String)> = conn
        .query_row(
            "SELECT id, name, timezone FROM teams WHERE deleted_at IS NULL ORDER BY created_at, id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (team_id, team_name, tz_name) = match team {
        Some(t) => t,
        None => {
            let id = TeamId::generate();
            conn.execute(
                "INSERT INTO teams (id, name, timezone, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
                params![id.as_str(), config.team.name, config.team.timezone, now.0],
            )?;
            (id.0, config.team.name.clone(), config.team.timezone.clone())
        }
    };
    // Found by their address however it was stored (an earlier leadline kept it as written in the config).
    let user: Option<(String, String)> = conn
        .prepare("SELECT id, name, email FROM users WHERE team_id = ?1 AND deleted_at IS NULL")?
        .query_map([&team_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .find(|(_, _, email)| same_address(email, &config.user.email))
        .map(|(id, name, _)| (id, name));
    // The team's stored zone wins over the config: everyone in a team sees the same local times.
    let tz = parse_tz(&tz_name).or_else(|_| parse_tz(&config.team.timezone))?;
    let (user_id, user_name) = match user {
        Some(u) => u,
        None => {
            refuse_removed(conn, &team_id, &team_name, &config.user.email, tz)?;
            let any_user: i64 =
                conn.query_row("SELECT count(*) FROM users WHERE team_id = ?1", [&team_id], |r| r.get(0))?;
            let role = if any_user == 0 { Role::Admin } else { Role::Rep };
            // A colleague of the same name already: this one is told apart by their e-mail (one name per
            // member keeps owners unambiguous; `team rename` gives them another).
            let names: Vec<String> = conn
                .prepare("SELECT name FROM users WHERE team_id = ?1 AND deleted_at IS NULL")?
                .query_map([&team_id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            // Never taken for an address (`user::member_name`): the address is only in brackets beside it.
            let config_name = crate::domain::user::member_name("user.name", &config.user.name)?;
            let name = match names.iter().any(|n| fold(n) == fold(&config_name)) {
                true => format!("{config_name} ({})", config.user.email.trim()),
                false => config_name,
            };
            let id = UserId::generate();
            conn.execute(
                "INSERT INTO users (id, team_id, name, email, role, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                params![id.as_str(), team_id, name, config.user.email, role.as_str(), now.0],
            )?;
            (id.0, name)
        }
    };
    Ok(Ctx {
        team_id: TeamId(team_id),
        team_name,
        user_id: UserId(user_id),
        user_name,
        tz,
        stages,
        currency: config.pipeline.currency.to_uppercase(),
        country: Some(config.import.default_country.trim().to_string()).filter(|c| !c.is_empty()),
    })
}

/// Every write checks that whoever makes it is still in the team: one removed while their leadline was open
/// (a TUI, a command racing the removal) writes nothing more under their name, as they could not on opening.
pub fn still_member(conn: &Connection, ctx: &Ctx) -> Result<()> {
    let email: Option<String> = conn
        .prepare_cached("SELECT email FROM users WHERE id = ?1 AND deleted_at IS NOT NULL")?
        .query_row([ctx.user_id.as_str()], |r| r.get(0))
        .optional()?;
    match email {
        Some(email) => refuse_removed(conn, ctx.team_id.as_str(), &ctx.team_name, &email, ctx.tz),
        None => Ok(()),
    }
}

/// Whether two addresses are one, each in its one form: rows an earlier leadline stored as typed
/// (`mailto:`, brackets, spaces) too.
fn same_address(a: &str, b: &str) -> bool {
    use crate::domain::lead::bare_address;
    bare_address(a).eq_ignore_ascii_case(bare_address(b))
}

/// Whether a member of the team has this address (however it was stored).
pub fn is_member_address(db: &Db<'_>, email: &str) -> Result<bool> {
    Ok(list(db)?.iter().any(|u| same_address(&u.email, email)))
}

/// Someone removed from the team is not made a member again by opening the database with their config:
/// an admin adds them back.
fn refuse_removed(conn: &Connection, team_id: &str, team_name: &str, email: &str, tz: chrono_tz::Tz) -> Result<()> {
    let removed: Option<(String, i64)> = conn
        .prepare("SELECT name, deleted_at, email FROM users WHERE team_id = ?1 AND deleted_at IS NOT NULL ORDER BY deleted_at DESC")?
        .query_map([team_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .find(|(_, _, stored)| same_address(stored, email))
        .map(|(name, at, _)| (name, at));
    match removed {
        Some((name, at)) => Err(StoreError::Refused(format!(
            "{name} <{email}> was removed from the team {team_name} on {}; an admin adds them back with \
             `leadline team add \"{name}\" --email {email}`",
            Timestamp(at).local(tz)
        ))),
        None => Ok(()),
    }
}

/// The most recently removed member with this e-mail, if any: adding them again brings them back under
/// the id their history names.
fn removed_with_email(db: &Db<'_>, email: &str) -> Result<Option<UserId>> {
    let left: Vec<(String, String)> = db
        .conn
        .prepare_cached(
            "SELECT id, email FROM users WHERE team_id = ?1 AND deleted_at IS NOT NULL ORDER BY deleted_at DESC",
        )?
        .query_map([db.ctx.team_id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(left.into_iter().find(|(_, stored)| same_address(stored, email)).map(|(id, _)| UserId(id)))
}

fn reinstate(db: &Db<'_>, id: &UserId, name: &str, role: Role) -> Result<()> {
    db.conn.execute(
        "UPDATE users SET deleted_at = NULL, name = ?2, role = ?3, updated_at = ?4 WHERE id = ?1",
        params![id.as_str(), name, role.as_str(), db.now.0],
    )?;
    Ok(())
}

/// Two members of one name would make `--owner NAME` and imports' owner columns ambiguous.
fn refuse_taken_name(db: &Db<'_>, name: &str, except: Option<&UserId>) -> Result<()> {
    match list(db)?.into_iter().find(|u| Some(&u.id) != except && fold(&u.name) == fold(name)) {
        Some(u) => Err(StoreError::Refused(format!(
            "{} <{}> is already named so; two members of one name would make owners ambiguous",
            u.name, u.email
        ))),
        None => Ok(()),
    }
}

/// Every member's name by id, those who left too (history still names them).
pub fn names_by_id(db: &Db<'_>) -> Result<std::collections::HashMap<String, String>> {
    let mut stmt = db.conn.prepare_cached("SELECT id, name FROM users WHERE team_id = ?1")?;
    let rows = stmt.query_map([db.ctx.team_id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn list(db: &Db<'_>) -> Result<Vec<User>> {
    let mut stmt = db.conn.prepare_cached(
        "SELECT id, name, email, role FROM users WHERE team_id = ?1 AND deleted_at IS NULL ORDER BY name",
    )?;
    let rows = stmt.query_map([db.ctx.team_id.as_str()], |r| {
        Ok(User { id: UserId(r.get(0)?), name: r.get(1)?, email: r.get(2)?, role: r.get(3)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Finds a team member a rep names: by id, e-mail or (case-insensitive) name, else by a first name only one
/// member has; `me` is the current user.
pub fn resolve(db: &Db<'_>, reference: &str) -> Result<UserId> {
    find_member(db, reference, true)
}

/// `resolve` without the first name: for files, where "John" may be another CRM's John.
pub fn resolve_exact(db: &Db<'_>, reference: &str) -> Result<UserId> {
    find_member(db, reference, false)
}

/// A member a report names, those who left too (exports still name them): one in the team first, else the
/// one who left last under that id, e-mail or name.
pub fn resolve_in_history(db: &Db<'_>, reference: &str) -> Result<UserId> {
    match resolve(db, reference) {
        Err(StoreError::NotFound { .. }) => {
            let r = reference.trim();
            let mut stmt = db.conn.prepare_cached(
                "SELECT id, name, email FROM users WHERE team_id = ?1 AND deleted_at IS NOT NULL ORDER BY deleted_at DESC",
            )?;
            let left: Vec<(String, String, String)> = stmt
                .query_map([db.ctx.team_id.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            if let Some((id, ..)) = left.iter().find(|(id, _, email)| id == r || same_address(email, r)) {
                return Ok(UserId(id.clone()));
            }
            // Two who left under one name are told apart by their addresses, as members are.
            match left.iter().filter(|(_, name, _)| fold(name) == fold(r)).collect::<Vec<_>>().as_slice() {
                [(id, ..)] => Ok(UserId(id.clone())),
                [] => Err(StoreError::NotFound { what: "team member", reference: reference.to_string() }),
                many => Err(StoreError::Ambiguous {
                    what: "team member",
                    reference: reference.to_string(),
                    candidates: many.iter().map(|(_, name, email)| format!("{name} <{email}>")).collect(),
                }),
            }
        }
        other => other,
    }
}

fn find_member(db: &Db<'_>, reference: &str, by_first_name: bool) -> Result<UserId> {
    let r = reference.trim();
    if r.eq_ignore_ascii_case("me") {
        return Ok(db.ctx.user_id.clone());
    }
    let users = list(db)?;
    let mut matches: Vec<&User> =
        users.iter().filter(|u| u.id.as_str() == r || same_address(&u.email, r) || fold(&u.name) == fold(r)).collect();
    if matches.is_empty() && by_first_name && !r.is_empty() {
        let first = |u: &User| u.name.split_whitespace().next().map(fold);
        matches = users.iter().filter(|u| first(u) == Some(fold(r))).collect();
    }
    match matches.as_slice() {
        [one] => Ok(one.id.clone()),
        [] => Err(StoreError::NotFound { what: "team member", reference: reference.to_string() }),
        many => Err(StoreError::Ambiguous {
            what: "team member",
            reference: reference.to_string(),
            candidates: many.iter().map(|u| format!("{} <{}>", u.name, u.email)).collect(),
        }),
    }
}

/// A team member with how many live leads they own.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    #[serde(flatten)]
    pub user: User,
    pub leads: i64,
}

/// The team's members, each with the leads they own, by name.
pub fn members(db: &Db<'_>) -> Result<Vec<Member>> {
    let mut stmt = db.conn.prepare_cached(
        "SELECT u.id, u.name, u.email, u.role,
                (SELECT count(*) FROM leads l WHERE l.owner_id = u.id AND l.deleted_at IS NULL
                   AND l.forgotten_at IS NULL)
         FROM users u WHERE u.team_id = ?1 AND u.deleted_at IS NULL ORDER BY u.name",
    )?;
    let rows = stmt.query_map([db.ctx.team_id.as_str()], |r| {
        let user = User { id: UserId(r.get(0)?), name: r.get(1)?, email: r.get(2)?, role: r.get(3)? };
        Ok(Member { user, leads: r.get(4)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// SQL: `column` unless it names a member who has left the team, else `instead`: work taken up again after
/// its owner left (a deal reopened or won again, a task reopened) goes to someone still here.
pub fn unless_removed(column: &str, instead: &str) -> String {
    format!(
        "CASE WHEN {column} IN (SELECT id FROM users WHERE deleted_at IS NOT NULL) THEN {instead} ELSE {column} END"
    )
}

/// SQL: the owner of the lead `lead` names, if still a member (they took over the lead when its owner
/// left), else `otherwise`.
pub fn live_owner_of_lead(lead: &str, otherwise: &str) -> String {
    format!(
        "ifnull((SELECT l.owner_id FROM leads l JOIN users u ON u.id = l.owner_id
                 WHERE l.id = {lead} AND u.deleted_at IS NULL), {otherwise})"
    )
}

/// The live member an imported record names by `id`: the member of that id, or the one a team file gave
/// that id to (`import_member`).
pub fn member_by_id(db: &Db<'_>, id: &str) -> Result<Option<UserId>> {
    find_by_id(db, id, "u.deleted_at IS NULL")
}

/// The member, still here or removed since, that an imported record of something done names (who logged a
/// touch, wrote a note, closed a task): what a member did stays theirs in the history.
pub fn author_by_id(db: &Db<'_>, id: &str) -> Result<Option<UserId>> {
    find_by_id(db, id, "1")
}

fn find_by_id(db: &Db<'_>, id: &str, which: &str) -> Result<Option<UserId>> {
    Ok(db
        .conn
        .prepare_cached(&format!(
            "SELECT u.id FROM users u WHERE u.team_id = ?2 AND {which}
               AND (u.id = ?1 OR u.id = (SELECT user_id FROM member_aliases WHERE alias = ?1))
             ORDER BY u.id = ?1 DESC LIMIT 1"
        ))?
        .query_row(params![id, db.ctx.team_id.as_str()], |r| r.get(0))
        .optional()?
        .map(UserId))
}

/// Team administration is the admins' (the first user of a database is one).
fn require_admin(db: &Db<'_>, what: &str) -> Result<()> {
    let role: Option<String> = db
        .conn
        .prepare_cached("SELECT role FROM users WHERE id = ?1 AND deleted_at IS NULL")?
        .query_row([db.ctx.user_id.as_str()], |r| r.get(0))
        .optional()?;
    if role.as_deref() == Some(Role::Admin.as_str()) {
        return Ok(());
    }
    Err(StoreError::Refused(format!(
        "only a team admin {what}; you are {}",
        role.unwrap_or_else(|| "no member".into())
    )))
}

/// Adds a colleague, by an admin: someone leads can be assigned to and imports name as owner. One member
/// per e-mail.
pub fn add_member(db: &Db<'_>, name: &str, email: &str, role: Role) -> Result<UserId> {
    require_admin(db, "adds team members")?;
    let name = crate::domain::user::member_name("name", name)?;
    let email = crate::domain::lead::validate_email("email", email)?;
    if let Some(u) = list(db)?.into_iter().find(|u| same_address(&u.email, &email)) {
        return Err(StoreError::Refused(format!("{} <{}> is already a team member", u.name, u.email)));
    }
    refuse_taken_name(db, &name, None)?;
    if let Some(id) = removed_with_email(db, &email)? {
        reinstate(db, &id, &name, role)?;
        return Ok(id);
    }
    add_user(db, &name, &email, role)
}

/// Renames a member: an admin renames anyone, a member themselves. Their history follows (it names the
/// member by id).
pub fn rename_member(db: &Db<'_>, member: &str, name: &str) -> Result<(User, User)> {
    let id = resolve(db, member)?;
    if id != db.ctx.user_id {
        require_admin(db, "renames other members")?;
    }
    let name = crate::domain::user::member_name("name", name)?;
    refuse_taken_name(db, &name, Some(&id))?;
    let before = list(db)?.into_iter().find(|u| u.id == id).expect("a resolved member is listed");
    db.conn
        .execute("UPDATE users SET name = ?2, updated_at = ?3 WHERE id = ?1", params![id.as_str(), name, db.now.0])?;
    Ok((before.clone(), User { name, ..before }))
}

/// A member read from a team export (a moved database), by an admin: added unless a member has the
/// e-mail already (false then), under the id they had when it is free, so leads name the same owner.
pub fn import_member(
    db: &Db<'_>,
    id: Option<&str>,
    name: &str,
    email: &str,
    role: Role,
    created_at: Option<Timestamp>,
    removed_at: Option<Timestamp>,
) -> Result<bool> {
    require_admin(db, "adds team members")?;
    let name = crate::domain::lead::require_text("name", name)?;
    crate::domain::lead::check_label("name", &name)?;
    let email = crate::domain::lead::validate_email("email", email)?;
    let file_id = id;
    let (member, added) = if let Some(here) = list(db)?.into_iter().find(|u| same_address(&u.email, &email)) {
        (here.id, false)
    } else if let (Some(old), Some(_)) = (removed_with_email(db, &email)?, removed_at) {
        // Gone here as in the file: the one history names.
        (old, false)
    } else if let Some(at) = removed_at {
        // A member who had left where the file was made: here for their history only (names are unique
        // among those still in the team; `team add` brings them back).
        let id = match file_id {
            Some(id) if !user_id_taken(db, id)? => UserId(id.to_string()),
            _ => UserId::generate(),
        };
        db.conn.execute(
            "INSERT INTO users (id, team_id, name, email, role, created_at, updated_at, deleted_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            params![id.as_str(), db.ctx.team_id.as_str(), name, email, role.as_str(), created_at.unwrap_or(at).0, at.0],
        )?;
        (id, true)
    } else if let Some(old) = removed_with_email(db, &email)? {
        refuse_taken_name(db, &name, Some(&old))?;
        reinstate(db, &old, &name, role)?;
        (old, true)
    } else {
        refuse_taken_name(db, &name, None)?;
        let id = match file_id {
            Some(id) if !user_id_taken(db, id)? => UserId(id.to_string()),
            _ => UserId::generate(),
        };
        db.conn.execute(
            "INSERT INTO users (id, team_id, name, email, role, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![id.as_str(), db.ctx.team_id.as_str(), name, email, role.as_str(), created_at.unwrap_or(db.now).0, db.now.0],
        )?;
        (id, true)
    };
    // Here under another id: the file's id names them in the records imported after it.
    if let Some(alias) = file_id.filter(|f| *f != member.as_str()) {
        db.conn.execute(
            "INSERT INTO member_aliases (alias, user_id) SELECT ?1, ?2
             WHERE NOT EXISTS (SELECT 1 FROM users WHERE id = ?1)
             ON CONFLICT (alias) DO UPDATE SET user_id = excluded.user_id",
            params![alias, member.as_str()],
        )?;
    }
    Ok(added)
}

fn user_id_taken(db: &Db<'_>, id: &str) -> Result<bool> {
    Ok(db.conn.query_row("SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1)", [id], |r| r.get(0))?)
}

/// What a member's leaving handed over to another.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Handover {
    pub leads: usize,
    pub deals: usize,
    pub tasks: usize,
    pub inbox: usize,
}

/// Removes a member (an admin's command), handing what they own and what is still ahead of them (their
/// leads, open deals, open tasks, unhandled inbox items) to `to`; what they did stays theirs in the
/// history. Someone who owns leads needs a `to`; nobody removes themselves, nor the last admin.
pub fn remove_member(db: &Db<'_>, member: &str, to: Option<&str>) -> Result<(User, Option<User>, Handover)> {
    require_admin(db, "removes team members")?;
    let users = list(db)?;
    let find = |r: &str| -> Result<User> {
        let id = resolve(db, r)?;
        Ok(users.iter().find(|u| u.id == id).cloned().expect("a resolved member is listed"))
    };
    let gone = find(member)?;
    if gone.id == db.ctx.user_id {
        return Err(StoreError::Refused("you cannot remove yourself from the team".into()));
    }
    let heir = to.map(find).transpose()?;
    if heir.as_ref().is_some_and(|h| h.id == gone.id) {
        return Err(StoreError::Refused(format!("{} cannot take over their own work", gone.name)));
    }
    // Work still theirs: leads, open deals, open tasks, unhandled inbox items, customers they look after.
    let owned: i64 = db.conn.query_row(
        "SELECT (SELECT count(*) FROM leads WHERE owner_id = ?1 AND deleted_at IS NULL AND forgotten_at IS NULL)
              + (SELECT count(*) FROM deals WHERE owner_id = ?1 AND status = 'open' AND deleted_at IS NULL)
              + (SELECT count(*) FROM tasks WHERE owner_id = ?1 AND done_at IS NULL AND deleted_at IS NULL)
              + (SELECT count(*) FROM inbox_items WHERE assigned_to = ?1 AND handled_at IS NULL AND deleted_at IS NULL)
              + (SELECT count(*) FROM client_profiles WHERE owner_id = ?1 AND deleted_at IS NULL)",
        [gone.id.as_str()],
        |r| r.get(0),
    )?;
    let Some(heir) = heir else {
        if owned > 0 {
            return Err(StoreError::Refused(format!(
                "{} still has leads, open deals, tasks, inbox items or customers; say who takes them over \
                 (--to MEMBER)",
                gone.name
            )));
        }
        retire(db, &gone)?;
        return Ok((gone, None, Handover::default()));
    };
    let now = db.now.0;
    let (g, h) = (gone.id.as_str(), heir.id.as_str());
    let hand = |sql: &str| db.conn.execute(sql, params![g, h, now]);
    let handover = Handover {
        // A forgotten person is no one's work (only counts are left of them).
        leads: hand(
            "UPDATE leads SET owner_id = ?2, updated_at = ?3
             WHERE owner_id = ?1 AND deleted_at IS NULL AND forgotten_at IS NULL",
        )?,
        deals: hand(
            "UPDATE deals SET owner_id = ?2, updated_at = ?3 WHERE owner_id = ?1 AND status = 'open' AND deleted_at IS NULL",
        )?,
        tasks: hand(
            "UPDATE tasks SET owner_id = ?2, updated_at = ?3 WHERE owner_id = ?1 AND done_at IS NULL AND deleted_at IS NULL",
        )?,
        inbox: hand(
            "UPDATE inbox_items SET assigned_to = ?2, updated_at = ?3
             WHERE assigned_to = ?1 AND handled_at IS NULL AND deleted_at IS NULL",
        )?,
    };
    // The customers they looked after (the record's account manager) go with their leads.
    hand("UPDATE client_profiles SET owner_id = ?2, updated_at = ?3 WHERE owner_id = ?1 AND deleted_at IS NULL")?;
    retire(db, &gone)?;
    Ok((gone, Some(heir), handover))
}

fn retire(db: &Db<'_>, u: &User) -> Result<()> {
    db.conn
        .execute("UPDATE users SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1", params![u.id.as_str(), db.now.0])?;
    Ok(())
}

/// Makes a member an admin or a rep (an admin's command). The team keeps at least one admin.
pub fn set_role(db: &Db<'_>, member: &str, role: Role) -> Result<User> {
    require_admin(db, "changes roles")?;
    let id = resolve(db, member)?;
    let admins = list(db)?.into_iter().filter(|u| u.role == Role::Admin.as_str()).count();
    let user = list(db)?.into_iter().find(|u| u.id == id).expect("a resolved member is listed");
    if role == Role::Rep && user.role == Role::Admin.as_str() && admins == 1 {
        return Err(StoreError::Refused(format!(
            "{} is the team's only admin; make another one admin first",
            user.name
        )));
    }
    db.conn.execute(
        "UPDATE users SET role = ?2, updated_at = ?3 WHERE id = ?1",
        params![id.as_str(), role.as_str(), db.now.0],
    )?;
    Ok(User { role: role.as_str().to_string(), ..user })
}

/// Sets the time zone the team works in (an admin's call: everyone in the team sees the same local times).
/// Returns the zone it had. Times already recorded stay the instants they were; they show in the new zone.
pub fn set_timezone(db: &Db<'_>, zone: &str) -> Result<String> {
    require_admin(db, "changes the team's time zone")?;
    let tz = parse_tz(zone.trim())?;
    let old: String =
        db.conn.query_row("SELECT timezone FROM teams WHERE id = ?1", [db.ctx.team_id.as_str()], |r| r.get(0))?;
    db.conn.execute(
        "UPDATE teams SET timezone = ?2, updated_at = ?3 WHERE id = ?1",
        params![db.ctx.team_id.as_str(), tz.name(), db.now.0],
    )?;
    Ok(old)
}

/// Whether the user at work is the team's admin.
pub fn is_admin(db: &Db<'_>) -> Result<bool> {
    Ok(require_admin(db, "").is_ok())
}

/// The team's name and time zone as stored.
pub fn settings(db: &Db<'_>) -> Result<(String, String)> {
    Ok(db.conn.query_row("SELECT name, timezone FROM teams WHERE id = ?1", [db.ctx.team_id.as_str()], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?)
}

/// Renames the team (an admin's call). Returns the name it had.
pub fn set_team_name(db: &Db<'_>, name: &str) -> Result<String> {
    require_admin(db, "renames the team")?;
    let name = crate::domain::lead::require_text("team name", name)?;
    crate::domain::lead::check_label("team name", &name)?;
    let (old, _) = settings(db)?;
    db.conn.execute(
        "UPDATE teams SET name = ?2, updated_at = ?3 WHERE id = ?1",
        params![db.ctx.team_id.as_str(), name, db.now.0],
    )?;
    Ok(old)
}

/// Adds a team member (demo data; `add_member` for an admin's command).
pub fn add_user(db: &Db<'_>, name: &str, email: &str, role: Role) -> Result<UserId> {
    let id = UserId::generate();
    db.conn.execute(
        "INSERT INTO users (id, team_id, name, email, role, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![id.as_str(), db.ctx.team_id.as_str(), name, email, role.as_str(), db.now.0],
    )?;
    Ok(id)
}
