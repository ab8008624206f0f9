//! Calendar imports: events become meetings with the leads invited, moved or dropped as the calendar changes.

use std::collections::{HashMap, HashSet};

use rusqlite::{OptionalExtension, params};

use super::writer::Writer;
use crate::domain::{LeadId, Timestamp};
use crate::io::record::Reject;
use crate::io::{Result, ics};
use crate::store::{Db, Store};

/// What a calendar's window left out: how many events fall outside it and how many recurring ones go on
/// past its end, with the window (as the team's days); `None` for nothing.
pub(super) fn calendar_outside_window(
    outside: Option<(u64, u64, (Timestamp, Timestamp))>,
    tz: chrono_tz::Tz,
) -> Option<String> {
    let (count, series, (from, to)) = outside.filter(|(count, series, _)| *count + *series > 0)?;
    let day = |t: Timestamp| t.to_utc().with_timezone(&tz).format("%Y-%m-%d").to_string();
    let window = format!("{} to {}", day(from), day(to));
    let said = match (count, series) {
        (0, s) => format!("{s} recurring {} on past {window}", if s == 1 { "event goes" } else { "events go" }),
        (c, 0) => format!("{c} {} outside {window} left out", if c == 1 { "event" } else { "events" }),
        (c, s) => format!(
            "{c} {} outside {window} left out, and {s} recurring {} on past it",
            if c == 1 { "event" } else { "events" },
            if s == 1 { "event goes" } else { "events go" }
        ),
    };
    Some(format!("{said} (--from and --to choose the window)"))
}

/// The meetings earlier imports booked for events of this calendar that it no longer has, inside its
/// window: an occurrence of a series whose time or rule changed, or that was cut short ("this and
/// following events" moved to a new series). Each comes as a cancelled occurrence, which drops the
/// meeting unless it was already marked attended or not.
pub(super) fn no_longer_in_the_calendar(
    store: &Store,
    events: &[std::result::Result<ics::Occurrence, Reject>],
    scope: &CalendarScope,
) -> Result<Vec<ics::Occurrence>> {
    let window = scope.window;
    // By event whose series the file has (a file of one occurrence's change says nothing of the others):
    // where it is in the file, the occurrences it has, and the series' version.
    let mut keys: HashMap<&str, (u64, &HashSet<String>, ics::Version)> = HashMap::new();
    for e in events.iter().flatten().filter(|e| !e.uid.is_empty() && e.component == e.uid) {
        if let Some(produced) = scope.keys.get(&e.uid) {
            keys.entry(e.uid.as_str()).or_insert((e.line, produced, e.version));
        }
    }
    // The event's keys are the uid and `uid@…`: read off the index of keys as the range from the uid to
    // the uid and 'A' (the character after '@'), not by time (every meeting of the window, once per event,
    // made an import of a calendar again quadratic: 48 s for 10,000 events).
    let mut stmt = store.conn().prepare_cached(
        "SELECT m.calendar_key, m.scheduled_at, m.title, l.email FROM meetings m JOIN leads l ON l.id = m.lead_id
         WHERE m.calendar_key >= ?1 AND m.calendar_key < ?1 || 'A'
         AND (m.calendar_key = ?1 OR substr(m.calendar_key, 1, length(?1) + 1) = ?1 || '@')
         AND +m.scheduled_at BETWEEN ?2 AND ?3 AND m.attended IS NULL AND m.deleted_at IS NULL
         AND l.email IS NOT NULL",
    )?;
    let mut gone = Vec::new();
    for (uid, (line, produced, version)) in &keys {
        let rows = stmt.query_map(params![uid, window.0.0, window.1.0], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, Option<String>>(2)?, r.get::<_, String>(3)?))
        })?;
        for row in rows {
            let (key, at, title, email) = row?;
            if produced.contains(key.as_str()) {
                continue;
            }
            gone.push(ics::Occurrence {
                line: *line,
                uid: uid.to_string(),
                key,
                title: title.unwrap_or_else(|| "Meeting".into()),
                start: Timestamp(at),
                attendees: vec![email],
                cancelled: true,
                for_everyone: false,
                attended: None,
                beyond_window: false,
                // What the series no longer has is dropped only by a copy of it newer than the one read.
                component: uid.to_string(),
                version: *version,
            });
        }
    }
    gone.sort_by(|a, b| (a.start, &a.key).cmp(&(b.start, &b.key)));
    Ok(gone)
}

/// The version of the event an earlier import applied, when it is newer than this occurrence's.
/// The occurrence is the series' or its own (moved or cancelled on its own), and either may have been
/// imported in a newer version: the series' copy of an occurrence the organizer cancelled on its own later,
/// or an occurrence's own copy older than a series rescheduled whole since, changes nothing. An occurrence
/// of its own beside its series in one file has a version of its own (each part of an event counts its
/// changes), and is not compared with the series'.
fn newer_version_imported(
    db: &Db<'_>,
    ev: &ics::Occurrence,
    scope: Option<&CalendarScope>,
) -> crate::store::Result<Option<ics::Version>> {
    if ev.component.is_empty() {
        return Ok(None);
    }
    let beside_its_series = ev.component != ev.uid && scope.is_some_and(|s| s.series.contains(&ev.uid));
    let mut stmt = db
        .conn
        .prepare_cached("SELECT sequence, stamp FROM calendar_versions WHERE team_id = ?1 AND event_key = ?2")?;
    let mut newest: Option<ics::Version> = None;
    let mut keys = vec![ev.component.as_str(), ev.key.as_str()];
    if !beside_its_series {
        keys.push(ev.uid.as_str());
    }
    keys.sort_unstable();
    keys.dedup();
    for key in keys.into_iter().filter(|k| !k.is_empty()) {
        let stored = stmt
            .query_row(params![db.ctx.team_id.as_str(), key], |r| {
                Ok(ics::Version { sequence: r.get(0)?, stamp: r.get(1)? })
            })
            .optional()?;
        newest = newest.max(stored);
    }
    Ok(newest.filter(|v| *v > ev.version))
}

/// Why an occurrence is left alone: the copy read is older than one imported before.
fn older_copy(read: ics::Version, imported: ics::Version) -> String {
    if read.sequence == imported.sequence {
        let stamp = |v: ics::Version| Timestamp(v.stamp).to_rfc3339();
        format!("an older copy of the event (stamped {}) than one imported before ({})", stamp(read), stamp(imported))
    } else {
        format!(
            "an older copy of the event (SEQUENCE {}) than one imported before (SEQUENCE {})",
            read.sequence, imported.sequence
        )
    }
}

/// Remembers the version of the event this occurrence is of, unless a newer one is.
fn record_version(db: &Db<'_>, ev: &ics::Occurrence) -> crate::store::Result<()> {
    if ev.component.is_empty() {
        return Ok(());
    }
    db.conn
        .prepare_cached(
            "INSERT INTO calendar_versions (team_id, event_key, sequence, stamp, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (team_id, event_key) DO UPDATE SET sequence = excluded.sequence, stamp = excluded.stamp,
               updated_at = excluded.updated_at
             WHERE (excluded.sequence, excluded.stamp) > (calendar_versions.sequence, calendar_versions.stamp)",
        )?
        .execute(params![db.ctx.team_id.as_str(), ev.component, ev.version.sequence, ev.version.stamp, db.now.0])?;
    Ok(())
}

/// What a calendar import knows of the whole file while it writes event by event.
pub(super) struct CalendarScope {
    /// The keys of the occurrences the file has, by event uid (cancelled ones too).
    pub(super) keys: HashMap<String, HashSet<String>>,
    /// The events whose series (not only an occurrence of it) the file has.
    pub(super) series: HashSet<String>,
    pub(super) window: (Timestamp, Timestamp),
}

/// The uids of the events whose series the file has.
pub(super) fn series_in_file(events: &[std::result::Result<ics::Occurrence, Reject>]) -> HashSet<String> {
    events.iter().flatten().filter(|e| !e.uid.is_empty() && e.component == e.uid).map(|e| e.uid.clone()).collect()
}

pub(super) fn series_keys(events: &[std::result::Result<ics::Occurrence, Reject>]) -> HashMap<String, HashSet<String>> {
    let mut keys: HashMap<String, HashSet<String>> = HashMap::new();
    for e in events.iter().flatten().filter(|e| !e.uid.is_empty()) {
        keys.entry(e.uid.clone()).or_default().insert(e.key.clone());
    }
    keys
}

impl Writer {
    pub(super) fn apply_event(&mut self, db: &Db<'_>, ev: ics::Occurrence) -> crate::store::Result<()> {
        if let Some(newer) = newer_version_imported(db, &ev, self.calendar.as_ref())? {
            self.counts.meetings.skipped += 1;
            self.act(ev.line, "meetings", "skip", ev.title.clone(), older_copy(ev.version, newer));
            return Ok(());
        }
        record_version(db, &ev)?;
        if ev.beyond_window {
            for (lead, email) in self.booked_for(db, &ev.key)? {
                self.apply_meeting(db, &ev, &lead, &email)?;
            }
            return Ok(());
        }
        let mut matched = false;
        // A lead invited at two of their addresses has one meeting.
        let mut met: Vec<LeadId> = Vec::new();
        for email in &ev.attendees {
            // The rep and their colleagues are on every invitation; they are not leads.
            if crate::store::teams::is_member_address(db, email)? {
                continue;
            }
            let Some(lead) = crate::store::lead_emails::lead_with(db, email)? else {
                // A cancelled event with no lead in it is nothing to report.
                if !ev.cancelled && !self.unmatched.contains(email) {
                    self.unmatched.push(email.clone());
                }
                continue;
            };
            if met.contains(&lead) {
                continue;
            }
            met.push(lead.clone());
            matched = true;
            self.apply_meeting(db, &ev, &lead, email)?;
        }
        // A cancelled event is cancelled for everyone on it, whether its cancellation lists them or not (a
        // feed writes a cancelled event with few of its lines); a cancellation sent to some attendees (one
        // taken off the invitation) is theirs alone.
        if ev.cancelled && ev.for_everyone && !ev.key.is_empty() {
            for (lead, email) in self.booked_for(db, &ev.key)?.into_iter().filter(|(lead, _)| !met.contains(lead)) {
                self.apply_meeting(db, &ev, &lead, &email)?;
                matched = true;
            }
        }
        // A lead taken off the invitation, or who declined it, is not coming: an earlier import's meeting
        // with them goes, as a cancelled event's does.
        if !ev.cancelled && !ev.key.is_empty() {
            for (lead, email) in self.booked_for(db, &ev.key)?.into_iter().filter(|(lead, _)| !met.contains(lead)) {
                let booked = crate::store::meetings::by_calendar_key(db, &lead, &ev.key)?;
                let Some(m) = booked.filter(|m| m.attended.is_none()) else { continue };
                crate::store::meetings::remove(db, &m.id)?;
                self.counts.meetings.updated += 1;
                self.counts.meetings_dropped += 1;
                let why = format!("{email}: no longer invited, or declined");
                self.act(ev.line, "meetings", "cancel", ev.title.clone(), why);
                matched = true;
            }
        }
        if !matched {
            self.counts.meetings.skipped += 1;
            let why = if ev.cancelled { "cancelled" } else { "no attendee is a lead" };
            self.act(ev.line, "meetings", "skip", ev.title.clone(), why.into());
        }
        Ok(())
    }

    /// The leads (with an e-mail to name them by) whose meetings an earlier import booked for the event
    /// occurrence `key`, not yet marked held or missed.
    fn booked_for(&self, db: &Db<'_>, key: &str) -> crate::store::Result<Vec<(LeadId, String)>> {
        let mut stmt = db.conn.prepare_cached(
            "SELECT m.lead_id, ifnull(l.email, l.first_name) FROM meetings m JOIN leads l ON l.id = m.lead_id
             WHERE m.calendar_key = ?1 AND m.team_id = ?2 AND m.deleted_at IS NULL AND m.attended IS NULL
             ORDER BY m.id",
        )?;
        let rows = stmt.query_map(params![key, db.ctx.team_id.as_str()], |r| Ok((LeadId(r.get(0)?), r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One calendar event for one lead: booked, moved (the event was rescheduled), dropped (cancelled) or
    /// left as it is. The meeting is found by the event's key, else by its time among meetings that came
    /// from no event (booked by hand, or by an import from before keys were kept), which then take the key.
    /// A cancelled event is only ever matched by its key: at the same time there may well be the meeting
    /// of the invitation that replaced it.
    fn apply_meeting(
        &mut self,
        db: &Db<'_>,
        ev: &ics::Occurrence,
        lead: &LeadId,
        email: &str,
    ) -> crate::store::Result<()> {
        use crate::store::meetings;
        let by_key = match ev.key.is_empty() {
            true => None,
            false => meetings::by_calendar_key(db, lead, &ev.key)?,
        };
        // A no-show whose event moved later was rescheduled: it stays as history, and the new date is booked
        // beside it (or one the rep booked by hand at that time takes the event); the key finds the new one
        // from then on. A meeting that took place is history whatever becomes of its event.
        let by_key = by_key.filter(|m| ev.cancelled || m.attended != Some(false) || ev.start <= m.scheduled_at);
        let mut adopted = false;
        // The drop of a moved occurrence whose meeting a new occurrence took over (`moved_occurrence`).
        if ev.cancelled && by_key.is_none() && self.moved_occurrences.contains(&(lead.clone(), ev.key.clone())) {
            return Ok(());
        }
        let existing = match by_key {
            Some(m) => Some(m),
            None if ev.cancelled && !ev.key.is_empty() => None,
            None => {
                let at_time: Option<String> = db
                    .conn
                    .prepare_cached(
                        "SELECT id FROM meetings WHERE lead_id = ?1 AND scheduled_at = ?2 AND deleted_at IS NULL
                         AND calendar_key IS NULL",
                    )?
                    .query_row(params![lead.as_str(), ev.start.0], |r| r.get(0))
                    .optional()?;
                adopted = at_time.is_some();
                match at_time {
                    Some(id) => Some(meetings::get(db, &crate::domain::MeetingId(id))).transpose()?,
                    None => self.moved_occurrence(db, ev, lead)?,
                }
            }
        };
        // A meeting found by its time becomes this event's, unless the event drops it.
        if let Some(m) = existing.as_ref().filter(|_| adopted && !ev.key.is_empty() && !ev.cancelled) {
            meetings::set_calendar_key(db, &m.id, &ev.key)?;
        }
        let title = Some(ev.title.clone());
        // Which occurrence of a series a line of the summary is about.
        let of = match ev.key != ev.uid && !ev.key.is_empty() {
            true => format!(" (the occurrence of {})", ev.start.zoned(db.ctx.tz)),
            false => String::new(),
        };
        match existing {
            // A meeting that took place (or did not) is history: a later change to the event leaves it.
            Some(m) if m.attended.is_some() => {
                self.counts.meetings.skipped += 1;
                self.act(ev.line, "meetings", "skip", ev.title.clone(), format!("{email}: already marked{of}"));
            }
            Some(m) if ev.cancelled => {
                meetings::remove(db, &m.id)?;
                self.counts.meetings.updated += 1;
                self.counts.meetings_dropped += 1;
                self.act(
                    ev.line,
                    "meetings",
                    "cancel",
                    ev.title.clone(),
                    format!("{email}: the event was cancelled{of}"),
                );
            }
            Some(m) if m.scheduled_at != ev.start || m.title != title => {
                meetings::reschedule(db, &m.id, ev.start, title)?;
                self.counts.meetings.updated += 1;
                self.act(
                    ev.line,
                    "meetings",
                    "update",
                    ev.title.clone(),
                    format!("{email}: now at {}", ev.start.zoned(db.ctx.tz)),
                );
            }
            Some(_) => {
                self.counts.meetings.skipped += 1;
                self.act(ev.line, "meetings", "skip", ev.title.clone(), format!("{email}: already there{of}"));
            }
            None if ev.cancelled => {
                self.counts.meetings.skipped += 1;
                self.act(ev.line, "meetings", "skip", ev.title.clone(), "cancelled".into());
            }
            None => {
                let id = meetings::schedule(db, lead, ev.start, None, title)?;
                if !ev.key.is_empty() {
                    meetings::set_calendar_key(db, &id, &ev.key)?;
                }
                if let Some(attended) = ev.attended {
                    meetings::mark(db, &id, attended, None)?;
                }
                self.counts.meetings.created += 1;
                self.act(
                    ev.line,
                    "meetings",
                    "create",
                    ev.title.clone(),
                    format!("{email} at {}", ev.start.zoned(db.ctx.tz)),
                );
            }
        }
        Ok(())
    }

    /// A new occurrence of a series whose times moved (the whole series an hour later, or to another day)
    /// takes over the meeting of that series the file no longer has whose occurrence was nearest (by the
    /// time the key records): it keeps its id (and whatever a script knows it by) and is moved, rather than
    /// dropped and booked again. One already held stays as it was (history), but is still that occurrence,
    /// so nothing is booked beside it; so is a no-show, unless the occurrence moved later (a reschedule).
    fn moved_occurrence(
        &mut self,
        db: &Db<'_>,
        ev: &ics::Occurrence,
        lead: &LeadId,
    ) -> crate::store::Result<Option<crate::store::meetings::Meeting>> {
        let Some(scope) = self.calendar.as_ref().filter(|_| !ev.cancelled) else { return Ok(None) };
        let Some(produced) = scope.keys.get(&ev.uid).filter(|_| ev.key != ev.uid) else { return Ok(None) };
        // A series the lead had no meeting of when this run first met it has none to take over (the
        // meetings this run books are the file's own): asked once, not at every occurrence.
        let seen = (lead.clone(), ev.uid.clone());
        let had = match self.series_before.get(&seen) {
            Some(had) => *had,
            None => {
                let had: bool = db
                    .conn
                    .prepare_cached(
                        "SELECT EXISTS (SELECT 1 FROM meetings WHERE lead_id = ?1 AND deleted_at IS NULL
                         AND substr(calendar_key, 1, length(?2) + 1) = ?2 || '@')",
                    )?
                    .query_row(params![lead.as_str(), ev.uid], |r| r.get(0))?;
                self.series_before.insert(seen, had);
                had
            }
        };
        if !had {
            return Ok(None);
        }
        // A series occurrence's key is `uid@` and the instant it recurs at (`ics::parse`).
        let recurs_at = |key: &str| key.rsplit_once('@').and_then(|(_, t)| t.parse::<i64>().ok());
        let Some(new_at) = recurs_at(&ev.key) else { return Ok(None) };
        let candidates: Vec<(String, String)> = db
            .conn
            .prepare_cached(
                "SELECT id, calendar_key FROM meetings WHERE lead_id = ?1
                 AND substr(calendar_key, 1, length(?2) + 1) = ?2 || '@' AND deleted_at IS NULL
                 AND (attended IS NULL OR attended = 1 OR scheduled_at >= ?5)
                 AND scheduled_at BETWEEN ?3 AND ?4 ORDER BY scheduled_at, id",
            )?
            .query_map(params![lead.as_str(), ev.uid, scope.window.0.0, scope.window.1.0, ev.start.0], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let nearest = candidates
            .into_iter()
            .filter(|(_, key)| !produced.contains(key))
            .filter_map(|(id, key)| recurs_at(&key).map(|at| ((at - new_at).abs(), id, key)))
            .min_by_key(|(distance, _, _)| *distance);
        let Some((_, id, old_key)) = nearest else { return Ok(None) };
        let id = crate::domain::MeetingId(id);
        crate::store::meetings::set_calendar_key(db, &id, &ev.key)?;
        self.moved_occurrences.insert((lead.clone(), old_key));
        Ok(Some(crate::store::meetings::get(db, &id)?))
    }
}
