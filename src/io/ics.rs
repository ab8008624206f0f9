//! iCalendar (.ics, e.g. a Google Calendar or Outlook export): each event occurrence with its attendees'
//! e-mails, in UTC (TZID zones honoured), recurring events expanded within a window, cancelled ones marked.

use std::collections::HashMap;
use std::rc::Rc;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::record::Reject;
use super::vcard::{Property, components, properties};
use crate::domain::Timestamp;
use crate::domain::time::written_local_to_utc;

/// One occurrence of an event.
#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence {
    pub line: u64,
    pub uid: String,
    /// Which event this is, across imports of the same calendar: the UID, and for one occurrence of a
    /// recurring event also the start the series gave it (which a moved occurrence keeps as its
    /// RECURRENCE-ID). Empty when the event has no UID.
    pub key: String,
    pub title: String,
    pub start: Timestamp,
    /// Attendees' and the organizer's e-mails (those who declined left out): a lead may be either.
    pub attendees: Vec<String>,
    pub cancelled: bool,
    /// Called off for everyone on it (STATUS:CANCELLED, or a cancellation naming nobody), not only for the
    /// attendees a cancellation names (an organizer takes one person off with a METHOD:CANCEL to them).
    pub for_everyone: bool,
    pub attended: Option<bool>,
    /// A single event the import window leaves out: it only moves (or drops) the meeting an earlier import
    /// booked for it, so one rescheduled past the window is not left at the date it no longer has.
    pub beyond_window: bool,
    /// The event as the organizer last changed it (a series, or one occurrence moved on its own): its UID,
    /// with `@` and its RECURRENCE-ID for such an occurrence. Empty when the event has no UID.
    pub component: String,
    pub version: Version,
}

/// Which copy of an event is the later one (RFC 5545 SEQUENCE, then DTSTAMP): an invitation saved before it
/// was moved or cancelled carries a lower one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub sequence: i64,
    /// DTSTAMP in milliseconds, 0 when the event has none.
    pub stamp: i64,
}

#[derive(Default)]
struct Event {
    line: u64,
    uid: String,
    title: String,
    /// The start as written (local time and zone), or why it cannot be read.
    start: Option<Result<(NaiveDateTime, Zone), String>>,
    rrule: Option<String>,
    /// RDATE: occurrences besides those of the rule (or, without one, besides DTSTART).
    rdates: Vec<Timestamp>,
    exdates: Vec<Timestamp>,
    recurrence_id: Option<Timestamp>,
    attendees: Vec<String>,
    cancelled: bool,
    /// STATUS:CANCELLED: the whole event, whoever the file names (RFC 5546 3.2.5).
    status_cancelled: bool,
    version: Version,
}

impl Event {
    fn component(&self) -> String {
        match self.recurrence_id {
            _ if self.uid.is_empty() => String::new(),
            Some(r) => format!("{}@{}", self.uid, r.0),
            None => self.uid.clone(),
        }
    }
}

/// The latest copy of each event the file has more than once (an invitation and its updates saved into one
/// file): the one of the highest version, the last written of equal ones.
fn latest_copies(events: Vec<Event>) -> Vec<Event> {
    let mut latest: HashMap<String, usize> = HashMap::new();
    for (i, e) in events.iter().enumerate().filter(|(_, e)| !e.uid.is_empty()) {
        let slot = latest.entry(e.component()).or_insert(i);
        if e.version >= events[*slot].version {
            *slot = i;
        }
    }
    events
        .into_iter()
        .enumerate()
        .filter(|(i, e)| e.uid.is_empty() || latest.get(&e.component()) == Some(i))
        .map(|(_, e)| e)
        .collect()
}

/// Windows zone names Outlook writes in TZID, for the zones reps are most often in (a calendar that
/// defines its zones in VTIMEZONE blocks needs none of them).
const WINDOWS_ZONES: &[(&str, &str)] = &[
    ("Romance Standard Time", "Europe/Paris"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("E. Europe Standard Time", "Europe/Chisinau"),
    ("FLE Standard Time", "Europe/Kiev"),
    ("GTB Standard Time", "Europe/Bucharest"),
    ("Russian Standard Time", "Europe/Moscow"),
    ("Turkey Standard Time", "Europe/Istanbul"),
    ("GMT Standard Time", "Europe/London"),
    ("Greenwich Standard Time", "Atlantic/Reykjavik"),
    ("Morocco Standard Time", "Africa/Casablanca"),
    ("South Africa Standard Time", "Africa/Johannesburg"),
    ("Egypt Standard Time", "Africa/Cairo"),
    ("Israel Standard Time", "Asia/Jerusalem"),
    ("Arabian Standard Time", "Asia/Dubai"),
    ("Arab Standard Time", "Asia/Riyadh"),
    ("India Standard Time", "Asia/Kolkata"),
    ("Pakistan Standard Time", "Asia/Karachi"),
    ("SE Asia Standard Time", "Asia/Bangkok"),
    ("Singapore Standard Time", "Asia/Singapore"),
    ("China Standard Time", "Asia/Shanghai"),
    ("Taipei Standard Time", "Asia/Taipei"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("Korea Standard Time", "Asia/Seoul"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("E. Australia Standard Time", "Australia/Brisbane"),
    ("W. Australia Standard Time", "Australia/Perth"),
    ("New Zealand Standard Time", "Pacific/Auckland"),
    ("Eastern Standard Time", "America/New_York"),
    ("Central Standard Time", "America/Chicago"),
    ("Mountain Standard Time", "America/Denver"),
    ("US Mountain Standard Time", "America/Phoenix"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("Alaskan Standard Time", "America/Anchorage"),
    ("Hawaiian Standard Time", "Pacific/Honolulu"),
    ("Atlantic Standard Time", "America/Halifax"),
    ("Canada Central Standard Time", "America/Regina"),
    ("Central Standard Time (Mexico)", "America/Mexico_City"),
    ("SA Pacific Standard Time", "America/Bogota"),
    ("SA Western Standard Time", "America/La_Paz"),
    ("Pacific SA Standard Time", "America/Santiago"),
    ("Venezuela Standard Time", "America/Caracas"),
    ("Argentina Standard Time", "America/Argentina/Buenos_Aires"),
    ("E. South America Standard Time", "America/Sao_Paulo"),
    ("UTC", "UTC"),
    ("Cen. Australia Standard Time", "Australia/Adelaide"),
    ("AUS Central Standard Time", "Australia/Darwin"),
    ("Tasmania Standard Time", "Australia/Hobart"),
    ("Lord Howe Standard Time", "Australia/Lord_Howe"),
    ("Central America Standard Time", "America/Guatemala"),
    ("Mountain Standard Time (Mexico)", "America/Mazatlan"),
    ("Pacific Standard Time (Mexico)", "America/Tijuana"),
    ("Eastern Standard Time (Mexico)", "America/Cancun"),
    ("US Eastern Standard Time", "America/Indiana/Indianapolis"),
    ("Newfoundland Standard Time", "America/St_Johns"),
    ("Cuba Standard Time", "America/Havana"),
    ("Haiti Standard Time", "America/Port-au-Prince"),
    ("SA Eastern Standard Time", "America/Cayenne"),
    ("Montevideo Standard Time", "America/Montevideo"),
    ("Paraguay Standard Time", "America/Asuncion"),
    ("Central Brazilian Standard Time", "America/Cuiaba"),
    ("Bahia Standard Time", "America/Bahia"),
    ("Greenland Standard Time", "America/Nuuk"),
    ("Magallanes Standard Time", "America/Punta_Arenas"),
    ("Yukon Standard Time", "America/Whitehorse"),
    ("Aleutian Standard Time", "America/Adak"),
    ("Azores Standard Time", "Atlantic/Azores"),
    ("Cape Verde Standard Time", "Atlantic/Cape_Verde"),
    ("W. Central Africa Standard Time", "Africa/Lagos"),
    ("E. Africa Standard Time", "Africa/Nairobi"),
    ("Namibia Standard Time", "Africa/Windhoek"),
    ("Libya Standard Time", "Africa/Tripoli"),
    ("Sudan Standard Time", "Africa/Khartoum"),
    ("Kaliningrad Standard Time", "Europe/Kaliningrad"),
    ("Belarus Standard Time", "Europe/Minsk"),
    ("Russia Time Zone 3", "Europe/Samara"),
    ("Volgograd Standard Time", "Europe/Volgograd"),
    ("Jordan Standard Time", "Asia/Amman"),
    ("Middle East Standard Time", "Asia/Beirut"),
    ("Syria Standard Time", "Asia/Damascus"),
    ("West Bank Standard Time", "Asia/Hebron"),
    ("Arabic Standard Time", "Asia/Baghdad"),
    ("Iran Standard Time", "Asia/Tehran"),
    ("Georgian Standard Time", "Asia/Tbilisi"),
    ("Caucasus Standard Time", "Asia/Yerevan"),
    ("Azerbaijan Standard Time", "Asia/Baku"),
    ("Afghanistan Standard Time", "Asia/Kabul"),
    ("West Asia Standard Time", "Asia/Tashkent"),
    ("Ekaterinburg Standard Time", "Asia/Yekaterinburg"),
    ("Central Asia Standard Time", "Asia/Bishkek"),
    ("Omsk Standard Time", "Asia/Omsk"),
    ("Aus Central W. Standard Time", "Australia/Eucla"),
    ("South Sudan Standard Time", "Africa/Juba"),
    ("Turks And Caicos Standard Time", "America/Grand_Turk"),
    ("Easter Island Standard Time", "Pacific/Easter"),
    ("Saint Pierre Standard Time", "America/Miquelon"),
    ("Tocantins Standard Time", "America/Araguaina"),
    ("Sao Tome Standard Time", "Africa/Sao_Tome"),
    ("Astrakhan Standard Time", "Europe/Astrakhan"),
    ("Saratov Standard Time", "Europe/Saratov"),
    ("Altai Standard Time", "Asia/Barnaul"),
    ("Tomsk Standard Time", "Asia/Tomsk"),
    ("W. Mongolia Standard Time", "Asia/Hovd"),
    ("Transbaikal Standard Time", "Asia/Chita"),
    ("Sakhalin Standard Time", "Asia/Sakhalin"),
    ("Russia Time Zone 10", "Asia/Srednekolymsk"),
    ("Russia Time Zone 11", "Asia/Kamchatka"),
    ("North Korea Standard Time", "Asia/Pyongyang"),
    ("Qyzylorda Standard Time", "Asia/Qyzylorda"),
    ("Norfolk Standard Time", "Pacific/Norfolk"),
    ("Bougainville Standard Time", "Pacific/Bougainville"),
    ("Chatham Islands Standard Time", "Pacific/Chatham"),
    ("Marquesas Standard Time", "Pacific/Marquesas"),
    ("Line Islands Standard Time", "Pacific/Kiritimati"),
    ("Dateline Standard Time", "Etc/GMT+12"),
    ("UTC-11", "Etc/GMT+11"),
    ("UTC-09", "Etc/GMT+9"),
    ("UTC-08", "Etc/GMT+8"),
    ("UTC-02", "Etc/GMT+2"),
    ("UTC+12", "Etc/GMT-12"),
    ("UTC+13", "Etc/GMT-13"),
    ("Sri Lanka Standard Time", "Asia/Colombo"),
    ("Nepal Standard Time", "Asia/Kathmandu"),
    ("Bangladesh Standard Time", "Asia/Dhaka"),
    ("Myanmar Standard Time", "Asia/Yangon"),
    ("N. Central Asia Standard Time", "Asia/Novosibirsk"),
    ("North Asia Standard Time", "Asia/Krasnoyarsk"),
    ("North Asia East Standard Time", "Asia/Irkutsk"),
    ("Ulaanbaatar Standard Time", "Asia/Ulaanbaatar"),
    ("Yakutsk Standard Time", "Asia/Yakutsk"),
    ("Vladivostok Standard Time", "Asia/Vladivostok"),
    ("Magadan Standard Time", "Asia/Magadan"),
    ("Mauritius Standard Time", "Indian/Mauritius"),
    ("Fiji Standard Time", "Pacific/Fiji"),
    ("Tonga Standard Time", "Pacific/Tongatapu"),
    ("Samoa Standard Time", "Pacific/Apia"),
    ("West Pacific Standard Time", "Pacific/Port_Moresby"),
    ("Central Pacific Standard Time", "Pacific/Guadalcanal"),
];

/// The zone an event's times are written in.
#[derive(Clone)]
enum Zone {
    Known(Tz),
    /// Defined by the calendar itself in a VTIMEZONE block (Outlook's "Customized Time Zone", say).
    Defined(Rc<Defined>),
}

/// A VTIMEZONE: its observances (STANDARD, DAYLIGHT), each in force from its onsets on.
#[derive(Default)]
struct Defined {
    observances: Vec<Observance>,
}

#[derive(Default)]
struct Observance {
    /// STANDARD (winter) time, as opposed to DAYLIGHT.
    standard: bool,
    /// The first onset, in the local time before it.
    onset: Option<NaiveDateTime>,
    rule: Option<String>,
    /// TZOFFSETTO, in seconds east of UTC.
    offset: Option<i32>,
}

impl Defined {
    /// The offset in force at local time `t`: that of the observance with the latest onset before it (the
    /// standard one before any onset at all).
    fn offset_at(&self, t: NaiveDateTime) -> Option<i32> {
        let latest = self
            .observances
            .iter()
            .filter_map(|o| Some((o.last_onset(t)?, o.offset?)))
            .max_by_key(|(at, _)| *at)
            .map(|(_, offset)| offset);
        let standard = || self.observances.iter().filter(|o| o.standard).find_map(|o| o.offset);
        latest.or_else(standard).or_else(|| self.observances.iter().find_map(|o| o.offset))
    }
}

impl Observance {
    fn last_onset(&self, t: NaiveDateTime) -> Option<NaiveDateTime> {
        let onset = self.onset.filter(|o| *o <= t)?;
        let Some(rule) = &self.rule else { return Some(onset) };
        // A yearly rule repeats every year alike: begun two years before `t` (one would miss a change that
        // came earlier in its month that year), it is not expanded from 1601 (Outlook's usual first onset).
        let upper = rule.to_uppercase();
        let from = if upper.contains("FREQ=YEARLY") && !upper.contains("COUNT=") {
            onset.with_year(t.year() - 2).unwrap_or(onset).max(onset)
        } else {
            onset
        };
        // An UNTIL in UTC is read as local time: off by the zone's offset, at the last change of a rule that
        // ended decades ago.
        let mut unlimited = usize::MAX;
        let (onsets, _) = floating(from, rule, &|u| u, (NaiveDateTime::MIN, t), usize::MAX, &mut unlimited).ok()?;
        onsets.last().copied()
    }
}

/// The zone TZID names: an IANA name, a Windows name, or a zone the calendar defines.
fn zone(name: &str, defined: &HashMap<String, Rc<Defined>>) -> Result<Zone, String> {
    let n = name.trim().trim_matches('"');
    // Exchange names its zones as URIs ("tzone://Microsoft/Utc").
    let bare = n.strip_prefix("tzone://Microsoft/").unwrap_or(n);
    // A zone known by name brings its whole history of changes, which a file's own definition may not.
    let known = bare
        .parse::<Tz>()
        .ok()
        .or_else(|| bare.eq_ignore_ascii_case("utc").then_some(chrono_tz::UTC))
        .or_else(|| WINDOWS_ZONES.iter().find(|(w, _)| *w == bare).and_then(|(_, iana)| iana.parse().ok()));
    match (known, defined.get(n)) {
        (Some(tz), _) => Ok(Zone::Known(tz)),
        (None, Some(d)) => Ok(Zone::Defined(d.clone())),
        (None, None) => {
            Err(format!("is in time zone '{n}', which the file does not define and leadline does not know"))
        }
    }
}

impl Zone {
    fn to_utc(&self, local: NaiveDateTime) -> Option<Timestamp> {
        match self {
            Zone::Known(tz) => written_local_to_utc(local, *tz),
            Zone::Defined(d) => {
                let offset = d.offset_at(local)?;
                Some(Timestamp(Utc.from_utc_datetime(&local).timestamp_millis() - i64::from(offset) * 1000))
            }
        }
    }

    fn to_local(&self, at: Timestamp) -> NaiveDateTime {
        let utc = at.to_utc().naive_utc();
        match self {
            Zone::Known(tz) => at.to_utc().with_timezone(tz).naive_local(),
            Zone::Defined(d) => utc + chrono::Duration::seconds(i64::from(d.offset_at(utc).unwrap_or(0))),
        }
    }
}

/// The zones a calendar's times are read in.
struct Zones {
    /// The VTIMEZONE blocks of the calendar, by TZID.
    defined: HashMap<String, Rc<Defined>>,
    /// Where a floating time (no zone, no `Z`) runs: the calendar's own zone (`X-WR-TIMEZONE`, as Google and
    /// Apple write it), else the team's.
    floating: Tz,
    /// Where an all-day event's day is: the team's.
    team: Tz,
}

impl Zones {
    fn of(props: &[Property], team: Tz) -> Self {
        let defined = defined_zones(props);
        let calendar = props
            .iter()
            .take_while(|p| !(p.name == "BEGIN" && p.value.trim().eq_ignore_ascii_case("VEVENT")))
            .find(|p| p.name == "X-WR-TIMEZONE")
            .and_then(|p| match zone(&p.value, &defined) {
                Ok(Zone::Known(tz)) => Some(tz),
                _ => None,
            });
        Self { defined, floating: calendar.unwrap_or(team), team }
    }
}

/// A start as written: its local time and the zone it is in (`...Z` is UTC, TZID is honoured, floating
/// times are the calendar's and all-day times the team's).
fn local_when(p: &Property, zones: &Zones) -> Result<(NaiveDateTime, Zone), String> {
    let v = p.value.trim();
    if let Some(utc) = v.strip_suffix('Z') {
        let n = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").map_err(|_| unreadable(v))?;
        return Ok((n, Zone::Known(chrono_tz::UTC)));
    }
    let (local, all_day) = match NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S") {
        Ok(t) => (t, false),
        Err(_) => (NaiveDate::parse_from_str(v, "%Y%m%d").map_err(|_| unreadable(v))?.and_time(NaiveTime::MIN), true),
    };
    let zone = match p.params.iter().find(|(k, _)| k == "TZID") {
        Some((_, z)) => zone(z, &zones.defined)?,
        None if all_day => Zone::Known(zones.team),
        None => Zone::Known(zones.floating),
    };
    Ok((local, zone))
}

fn unreadable(v: &str) -> String {
    format!("has a time it cannot read ('{v}')")
}

/// A DATE-TIME or DATE value as an instant.
fn when(p: &Property, zones: &Zones) -> Result<Timestamp, String> {
    let (local, zone) = local_when(p, zones)?;
    zone.to_utc(local).ok_or_else(|| format!("has a time its zone skips ('{}')", p.value.trim()))
}

/// The VTIMEZONE blocks of a calendar, by TZID.
fn defined_zones(props: &[Property]) -> HashMap<String, Rc<Defined>> {
    let mut zones = HashMap::new();
    let mut current: Option<(String, Defined)> = None;
    let mut observance: Option<Observance> = None;
    let offset = |v: &str| -> Option<i32> {
        let v = v.trim();
        let (sign, digits) = match v.as_bytes().first()? {
            b'-' => (-1, &v[1..]),
            b'+' => (1, &v[1..]),
            _ => (1, v),
        };
        let n = |r: std::ops::Range<usize>| digits.get(r).and_then(|d| d.parse::<i32>().ok());
        Some(sign * (n(0..2)? * 3600 + n(2..4)? * 60 + n(4..6).unwrap_or(0)))
    };
    for p in props {
        match (p.name.as_str(), p.value.trim().to_uppercase().as_str()) {
            ("BEGIN", "VTIMEZONE") => current = Some((String::new(), Defined::default())),
            ("END", "VTIMEZONE") => {
                if let Some((id, d)) = current.take()
                    && !id.is_empty()
                {
                    zones.insert(id, Rc::new(d));
                }
            }
            ("BEGIN", kind @ ("STANDARD" | "DAYLIGHT")) if current.is_some() => {
                observance = Some(Observance { standard: kind == "STANDARD", ..Default::default() })
            }
            ("END", "STANDARD" | "DAYLIGHT") => {
                if let (Some(o), Some((_, d))) = (observance.take(), current.as_mut()) {
                    d.observances.push(o);
                }
            }
            _ => match (observance.as_mut(), current.as_mut(), p.name.as_str()) {
                (Some(o), _, "DTSTART") => {
                    o.onset = NaiveDateTime::parse_from_str(p.value.trim().trim_end_matches('Z'), "%Y%m%dT%H%M%S").ok();
                }
                (Some(o), _, "RRULE") => o.rule = Some(p.value.trim().to_string()),
                (Some(o), _, "TZOFFSETTO") => o.offset = offset(&p.value),
                (None, Some((id, _)), "TZID") => *id = p.value.trim().trim_matches('"').to_string(),
                _ => {}
            },
        }
    }
    zones
}

/// The occurrences of `rule` from `start` on that fall in `[from, to]`, in floating local time (as the
/// rule's wall clock runs), and whether it goes on past `to`; more than `most` of them, or more than
/// `MAX_STEPS` before `to`, is an error.
/// A rule's UNTIL may be a date (to the end of that day), a local time, or UTC (`...Z`, read in local time
/// through `utc_to_local`).
fn floating(
    start: NaiveDateTime,
    rule: &str,
    utc_to_local: &dyn Fn(NaiveDateTime) -> NaiveDateTime,
    (from, to): (NaiveDateTime, NaiveDateTime),
    most: usize,
    steps_left: &mut usize,
) -> Result<(Vec<NaiveDateTime>, bool), String> {
    check_rule_numbers(rule)?;
    let rule: Vec<String> = rule
        .split(';')
        .map(|part| match part.split_once('=') {
            Some((k, v)) if k.eq_ignore_ascii_case("UNTIL") => {
                let v = v.trim();
                let until = match v.strip_suffix('Z') {
                    Some(utc) => NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").map(utc_to_local),
                    None => NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S").or_else(|_| {
                        NaiveDate::parse_from_str(v, "%Y%m%d").map(|d| d.and_hms_opt(23, 59, 59).unwrap_or_default())
                    }),
                };
                match until {
                    Ok(u) => format!("UNTIL={}Z", u.format("%Y%m%dT%H%M%S")),
                    Err(_) => part.to_string(),
                }
            }
            _ => part.to_string(),
        })
        .collect();
    let spec = format!("DTSTART:{}Z\nRRULE:{}", start.format("%Y%m%dT%H%M%S"), rule.join(";"));
    let set: rrule::RRuleSet = spec.parse().map_err(|err| format!("is not a recurrence rule it can read: {err}"))?;
    let mut found = Vec::new();
    let (mut any, mut goes_on) = (false, false);
    for (step, d) in (&set).into_iter().enumerate() {
        any = true;
        let d = d.naive_utc();
        if d > to {
            goes_on = true;
            break;
        }
        if step >= MAX_STEPS {
            return Err(format!(
                "repeats too often to be expanded (more than {MAX_STEPS} times up to the window's end)"
            ));
        }
        if *steps_left == 0 {
            return Err(format!(
                "is one series too many: the file's series repeat more than {MAX_FILE_STEPS} times up to the \
                 window's end; import a shorter window (--from, --to)"
            ));
        }
        *steps_left -= 1;
        if d >= from {
            if found.len() == most {
                return Err(format!("repeats more than {most} times in the window"));
            }
            found.push(d);
        }
    }
    if !any {
        return Err("never occurs: its recurrence rule gives no date at all".into());
    }
    Ok((found, goes_on))
}

/// A rule's INTERVAL and COUNT are whole numbers from 1: the reader takes 0 and yields nothing.
fn check_rule_numbers(rule: &str) -> Result<(), String> {
    for part in rule.split(';') {
        if let Some((k, v)) = part.split_once('=')
            && (k.trim().eq_ignore_ascii_case("INTERVAL") || k.trim().eq_ignore_ascii_case("COUNT"))
            && v.trim().parse::<u64>().is_ok_and(|n| n == 0)
        {
            return Err(format!(
                "is not a recurrence rule it can read: {} must be at least 1",
                k.trim().to_uppercase()
            ));
        }
    }
    Ok(())
}

/// Occurrences of one series taken at most within the window: years of a daily meeting.
const MAX_OCCURRENCES: usize = 5000;
/// Occurrences of all the file's series taken at most within the window: a busy rep's years of meetings,
/// and not a file of a few kilobytes that asks for gigabytes.
const MAX_FILE_OCCURRENCES: usize = 50_000;
/// Occurrences of all the file's series looked at, to the window's end.
const MAX_FILE_STEPS: usize = 5_000_000;
/// Occurrences of a series looked at, from its start to the window's end: a meeting every minute for a
/// year, and not a rule that repeats every second since 1900.
const MAX_STEPS: usize = 600_000;

/// What a calendar holds for an import window.
#[derive(Debug, Default)]
pub struct Calendar {
    /// The occurrences that start inside the window (and the cancellations of occurrences in it).
    pub occurrences: Vec<Result<Occurrence, Reject>>,
    /// Events, series counted once, none of whose occurrences start inside the window.
    pub outside_window: u64,
    /// Recurring events with meetings in the window that go on past its end.
    pub series_past_window: u64,
}

/// Why a file read as a calendar is refused whole.
pub const NOT_A_CALENDAR: &str = "is not an iCalendar file (no BEGIN:VCALENDAR)";

fn begins_a_calendar(props: &[Property]) -> bool {
    props.iter().any(|p| p.name == "BEGIN" && p.value.trim().eq_ignore_ascii_case("VCALENDAR"))
}

/// Whether the text holds a calendar's beginning, as `parse` reads it.
pub fn is_calendar(text: &str) -> bool {
    begins_a_calendar(&properties(text))
}

/// All occurrences that start inside `window`, or an error when the text is not a calendar.
pub fn parse(text: &str, team: Tz, window: (Timestamp, Timestamp)) -> Result<Calendar, String> {
    let props = properties(text);
    if !begins_a_calendar(&props) {
        return Err(NOT_A_CALENDAR.into());
    }
    let zones = Zones::of(&props, team);
    let mut events: Vec<Event> = Vec::new();
    let mut current: Option<Event> = None;
    let mut depth_other = 0usize;
    // An invitation's cancellation (METHOD:CANCEL) cancels every event it carries, STATUS or not.
    let mut method_cancel = false;
    // Events cut short (a file cut off, a line lost): each one said, not dropped.
    let mut broken: Vec<Result<Occurrence, Reject>> = Vec::new();
    let unfinished = |e: &Event, why: String| {
        let title = if e.title.is_empty() { "an event".to_string() } else { format!("event '{}'", e.title) };
        Err(Reject {
            line: e.line,
            column: None,
            reason: format!("{title} never ends: {why}"),
            record: vec![e.title.clone()],
        })
    };
    for p in props {
        match (p.name.as_str(), p.value.trim().to_uppercase().as_str()) {
            ("BEGIN", "VEVENT") => {
                if let Some(e) = current.take() {
                    broken.push(unfinished(&e, format!("BEGIN:VEVENT again at line {}", p.line)));
                }
                current = Some(Event { line: p.line, ..Default::default() });
            }
            ("END", "VEVENT") => match current.take() {
                Some(e) => events.push(e),
                None => broken.push(Err(Reject {
                    line: p.line,
                    column: None,
                    reason: "an event's end (END:VEVENT) without its beginning (BEGIN:VEVENT)".into(),
                    record: Vec::new(),
                })),
            },
            ("BEGIN", "VALARM" | "VTIMEZONE" | "STANDARD" | "DAYLIGHT") => depth_other += 1,
            ("END", "VALARM" | "VTIMEZONE" | "STANDARD" | "DAYLIGHT") => depth_other = depth_other.saturating_sub(1),
            _ if depth_other > 0 => {}
            ("METHOD", "CANCEL") if current.is_none() => method_cancel = true,
            _ => {
                let Some(e) = current.as_mut() else { continue };
                match p.name.as_str() {
                    "UID" => e.uid = p.value.trim().to_string(),
                    // A SEQUENCE that is not a number counts as the first version, as one left out does.
                    "SEQUENCE" => e.version.sequence = p.value.trim().parse().unwrap_or(0),
                    "DTSTAMP" => e.version.stamp = when(&p, &zones).map_or(0, |t| t.0),
                    "SUMMARY" => e.title = components(&p.value, '\u{0}').concat().trim().to_string(),
                    "DTSTART" => e.start = Some(local_when(&p, &zones)),
                    "RRULE" => e.rrule = Some(p.value.trim().to_string()),
                    "EXDATE" | "RDATE" => {
                        // A period (VALUE=PERIOD, "start/end" or "start/duration") counts by its start.
                        for v in p.value.split(',').map(|v| v.split('/').next().unwrap_or(v)) {
                            let single = Property { value: v.to_string(), ..p.clone() };
                            if let Ok(t) = when(&single, &zones) {
                                match p.name.as_str() {
                                    "RDATE" => e.rdates.push(t),
                                    _ => e.exdates.push(t),
                                }
                            }
                        }
                    }
                    "RECURRENCE-ID" => e.recurrence_id = when(&p, &zones).ok(),
                    "STATUS" => {
                        e.status_cancelled = p.value.trim().eq_ignore_ascii_case("CANCELLED");
                        e.cancelled = e.status_cancelled;
                    }
                    "ATTENDEE" | "ORGANIZER" => {
                        let declined =
                            p.params.iter().any(|(k, v)| k == "PARTSTAT" && v.eq_ignore_ascii_case("DECLINED"));
                        let mail = address(&p);
                        if !declined && mail.contains('@') && !e.attendees.iter().any(|a| a.eq_ignore_ascii_case(mail))
                        {
                            e.attendees.push(mail.to_string());
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    if let Some(e) = current.take() {
        broken.push(unfinished(&e, "the file ends before its END:VEVENT".into()));
    }
    if method_cancel {
        events.iter_mut().for_each(|e| e.cancelled = true);
    }
    let events = latest_copies(events);
    // Instances moved or cancelled one by one (RECURRENCE-ID) replace that instance of their series.
    let overrides: Vec<(String, Timestamp)> =
        events.iter().filter_map(|e| e.recurrence_id.map(|r| (e.uid.clone(), r))).collect();
    let mut out = broken;
    let (mut outside_window, mut series_past_window) = (0, 0);
    let (mut occurrences_left, mut steps_left) = (MAX_FILE_OCCURRENCES, MAX_FILE_STEPS);
    for e in &events {
        let start = match &e.start {
            None => Err(format!("event '{}' has no start time", e.title)),
            Some(Err(why)) => Err(format!("event '{}' {why}", e.title)),
            Some(Ok((local, zone))) => zone
                .to_utc(*local)
                .map(|t| (t, *local, zone))
                .ok_or_else(|| format!("event '{}' starts at a time its zone skips", e.title)),
        };
        let (start, local, zone) = match start {
            Ok(s) => s,
            Err(reason) => {
                out.push(Err(Reject {
                    line: e.line,
                    column: Some("DTSTART".into()),
                    reason,
                    record: vec![e.title.clone()],
                }));
                continue;
            }
        };
        let title = if e.title.is_empty() { "Meeting".to_string() } else { e.title.clone() };
        let in_window = |t: &Timestamp| *t >= window.0 && *t <= window.1;
        // A series is outside the window when none of its occurrences falls in it, before those taken out
        // or moved are set aside; a moved instance is no event of its own.
        // A series: a rule, or dates given one by one (RDATE), or both.
        let series = e.recurrence_id.is_none() && (e.rrule.is_some() || !e.rdates.is_empty());
        let (starts, outside): (Vec<Timestamp>, bool) = match (&e.rrule, e.recurrence_id) {
            (rule, None) if series => match rule.as_ref().map_or_else(
                || Ok((vec![start].into_iter().filter(in_window).collect(), start > window.1)),
                |rule| expand(rule, local, zone, window, occurrences_left, &mut steps_left),
            ) {
                Ok((mut all, mut goes_on)) => {
                    all.extend(e.rdates.iter().filter(|t| in_window(t)));
                    all.sort_unstable();
                    all.dedup();
                    goes_on |= e.rdates.iter().any(|t| *t > window.1);
                    occurrences_left = occurrences_left.saturating_sub(all.len());
                    let outside = all.is_empty();
                    if goes_on && !outside && !e.cancelled {
                        series_past_window += 1;
                    }
                    let kept = all
                        .into_iter()
                        .filter(|t| !e.exdates.contains(t) && !overrides.iter().any(|(u, r)| *u == e.uid && r == t));
                    (kept.collect(), outside)
                }
                Err(reason) => {
                    out.push(Err(Reject {
                        line: e.line,
                        column: Some("RRULE".into()),
                        reason,
                        record: vec![title.clone()],
                    }));
                    continue;
                }
            },
            (_, Some(_)) => (vec![start].into_iter().filter(in_window).collect(), false),
            (_, None) => (vec![start].into_iter().filter(in_window).collect(), !in_window(&start)),
        };
        if outside && !e.cancelled {
            outside_window += 1;
        }
        let recurring = series || e.recurrence_id.is_some();
        // An occurrence taken out of a series (EXDATE, as calendars delete one instance) is a cancelled
        // one: a meeting an earlier import booked for it is dropped.
        if series && !e.uid.is_empty() {
            for x in e.exdates.iter().filter(|t| in_window(t)) {
                out.push(Ok(Occurrence {
                    line: e.line,
                    uid: e.uid.clone(),
                    key: format!("{}@{}", e.uid, x.0),
                    title: title.clone(),
                    start: *x,
                    attendees: e.attendees.clone(),
                    cancelled: true,
                    for_everyone: true,
                    attended: None,
                    beyond_window: false,
                    component: e.component(),
                    version: e.version,
                }));
            }
        }
        // An event, or one occurrence of a series, moved out of the window still moves its meeting (the
        // meeting is found by its key, the occurrence's RECURRENCE-ID; none is booked out there).
        let moved_alone = !recurring || e.recurrence_id.is_some();
        let beyond = (moved_alone && !e.uid.is_empty() && !in_window(&start)).then_some(start);
        for (s, beyond_window) in starts.into_iter().map(|s| (s, false)).chain(beyond.map(|s| (s, true))) {
            let key = match (e.uid.is_empty(), recurring) {
                (true, _) => String::new(),
                (false, false) => e.uid.clone(),
                (false, true) => format!("{}@{}", e.uid, e.recurrence_id.unwrap_or(s).0),
            };
            out.push(Ok(Occurrence {
                line: e.line,
                uid: e.uid.clone(),
                key,
                title: title.clone(),
                start: s,
                attendees: e.attendees.clone(),
                cancelled: e.cancelled,
                for_everyone: e.status_cancelled || e.attendees.is_empty(),
                attended: None,
                beyond_window,
                component: e.component(),
                version: e.version,
            }));
        }
    }
    Ok(Calendar { occurrences: out, outside_window, series_past_window })
}

/// The e-mail of an attendee or organizer: its `mailto:` value, or (Apple, whose value is a `urn:uuid:`)
/// its EMAIL parameter.
fn address(p: &Property) -> &str {
    let value = p.value.trim();
    let mail = value.get(..7).filter(|s| s.eq_ignore_ascii_case("mailto:")).map_or(value, |_| &value[7..]);
    if mail.contains('@') {
        return mail.trim();
    }
    p.params.iter().find(|(k, _)| k == "EMAIL").map_or(mail, |(_, v)| v.trim().trim_matches('"'))
}

/// The starts of a recurring event inside `window`, and whether it goes on past the window's end: the rule
/// runs on the wall clock of the event's zone.
fn expand(
    rule: &str,
    start: NaiveDateTime,
    zone: &Zone,
    window: (Timestamp, Timestamp),
    occurrences_left: usize,
    steps_left: &mut usize,
) -> Result<(Vec<Timestamp>, bool), String> {
    // A day either side in local time covers any offset; exact bounds are applied in UTC.
    let day = chrono::Duration::days(1);
    let bounds = (zone.to_local(window.0) - day, zone.to_local(window.1) + day);
    let to_local = |utc: NaiveDateTime| zone.to_local(Timestamp(Utc.from_utc_datetime(&utc).timestamp_millis()));
    let most = MAX_OCCURRENCES.min(occurrences_left);
    let (locals, goes_on) =
        floating(start, rule, &to_local, bounds, most, steps_left).map_err(|why| match most < MAX_OCCURRENCES {
            // The file's budget ran out, not this series'.
            true if why.starts_with("repeats more than") => format!(
                "is one series too many: the file's series make more than {MAX_FILE_OCCURRENCES} meetings in the \
             window; import a shorter window (--from, --to)"
            ),
            _ => why,
        })?;
    let starts: Vec<Timestamp> = locals.into_iter().filter_map(|l| zone.to_utc(l)).collect();
    let past_end = goes_on || starts.iter().any(|t| *t > window.1);
    Ok((starts.into_iter().filter(|t| *t >= window.0 && *t <= window.1).collect(), past_end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_recurrence_and_cancellations() {
        let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Demo\r\nDTSTART;TZID=Europe/Madrid:20250310T100000\r\n\
                   RRULE:FREQ=WEEKLY;COUNT=3\r\nEXDATE;TZID=Europe/Madrid:20250317T100000\r\n\
                   ATTENDEE;PARTSTAT=ACCEPTED:mailto:ana@example.com\r\nORGANIZER:mailto:rep@example.com\r\nEND:VEVENT\r\n\
                   BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Gone\r\nSTATUS:CANCELLED\r\nDTSTART:20250311T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let w = (Timestamp(1_735_689_600_000), Timestamp(1_767_225_600_000));
        let occ: Vec<Occurrence> =
            parse(ics, chrono_tz::UTC, w).unwrap().occurrences.into_iter().map(Result::unwrap).collect();
        let live: Vec<&Occurrence> = occ.iter().filter(|o| !o.cancelled).collect();
        assert_eq!(live.len(), 2);
        assert_eq!(live[0].start.to_rfc3339(), "2025-03-10T09:00:00.000Z");
        assert_eq!(live[1].start.to_rfc3339(), "2025-03-24T09:00:00.000Z");
        // The organizer too: a lead may be the one who invites (the rep, a colleague, is left out on import).
        assert_eq!(live[0].attendees, vec!["ana@example.com", "rep@example.com"]);
        // The occurrence taken out of the series and the cancelled event come as cancellations.
        let cancelled: Vec<(&str, String)> =
            occ.iter().filter(|o| o.cancelled).map(|o| (o.key.as_str(), o.start.to_rfc3339())).collect();
        assert_eq!(
            cancelled,
            [
                ("a@1742202000000", "2025-03-17T09:00:00.000Z".to_string()),
                ("b", "2025-03-11T09:00:00.000Z".to_string())
            ]
        );
        assert!(parse("hello", chrono_tz::UTC, w).is_err());
    }

    #[test]
    fn a_cancelling_invitation_and_apple_attendees_named_by_parameter() {
        let w = (Timestamp(1_735_689_600_000), Timestamp(1_767_225_600_000));
        let ics = "BEGIN:VCALENDAR\nMETHOD:CANCEL\nBEGIN:VEVENT\nUID:c\nSUMMARY:Canceled: Demo\n\
                   DTSTART:20250311T090000Z\nATTENDEE;CN=\"Dan Wu\";EMAIL=\"dan@initech.com\":urn:uuid:3F25\n\
                   ORGANIZER:MAILTO:Bob@Acme.io\nEND:VEVENT\nEND:VCALENDAR\n";
        let occ: Vec<Occurrence> =
            parse(ics, chrono_tz::UTC, w).unwrap().occurrences.into_iter().map(Result::unwrap).collect();
        assert_eq!(occ.len(), 1);
        assert!(occ[0].cancelled, "METHOD:CANCEL cancels without a STATUS line");
        assert_eq!(occ[0].attendees, vec!["dan@initech.com", "Bob@Acme.io"]);
    }

    fn starts(body: &str) -> Vec<Result<String, String>> {
        let ics = format!("BEGIN:VCALENDAR\r\n{body}END:VCALENDAR\r\n").replace('\n', "\r\n").replace("\r\r", "\r");
        // October to December 2026.
        let w = (Timestamp(1_798_761_600_000 - 86_400_000 * 92), Timestamp(1_798_761_600_000));
        parse(&ics, chrono_tz::UTC, w)
            .unwrap()
            .occurrences
            .into_iter()
            .map(|o| o.map(|o| o.start.to_rfc3339()).map_err(|r| r.reason))
            .collect()
    }

    #[test]
    fn every_windows_zone_name_names_a_zone() {
        for (windows, iana) in WINDOWS_ZONES {
            assert!(iana.parse::<Tz>().is_ok(), "{windows}: {iana}");
        }
    }

    #[test]
    fn a_series_that_goes_on_past_the_window_is_counted() {
        // October to December 2026: a weekly series of 40 from December goes on into 2027; one of 3 does not.
        let w = (Timestamp(1_798_761_600_000 - 86_400_000 * 92), Timestamp(1_798_761_600_000));
        let ics = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:long\nDTSTART:20261207T100000Z\nRRULE:FREQ=WEEKLY;COUNT=40\n\
                   END:VEVENT\nBEGIN:VEVENT\nUID:short\nDTSTART:20261207T100000Z\nRRULE:FREQ=WEEKLY;COUNT=3\n\
                   END:VEVENT\nEND:VCALENDAR\n";
        let calendar = parse(ics, chrono_tz::UTC, w).unwrap();
        assert_eq!((calendar.occurrences.len(), calendar.series_past_window), (7, 1));
    }

    #[test]
    fn exchange_zone_uris_and_times_the_clocks_skip() {
        // Exchange writes its zone as an unquoted URI; a start in the hour clocks skip (Sydney, 4 October
        // 2026, 02:00 to 03:00) is read with the offset before, as calendar programs show it: 03:30.
        let body = "BEGIN:VEVENT\nUID:x\nDTSTART;TZID=tzone://Microsoft/Utc:20261215T150000\nEND:VEVENT\n\
                    BEGIN:VEVENT\nUID:g\nDTSTART;TZID=Australia/Sydney:20261004T023000\nEND:VEVENT\n";
        assert_eq!(
            starts(body),
            [Ok("2026-12-15T15:00:00.000Z".to_string()), Ok("2026-10-03T16:30:00.000Z".to_string())]
        );
    }

    #[test]
    fn floating_times_run_in_the_calendars_own_zone() {
        // Google writes X-WR-TIMEZONE and may leave times without a zone; all-day events stay on the team's day.
        let body = "BEGIN:VEVENT\nUID:f\nDTSTART:20261201T100000\nEND:VEVENT\n\
                    BEGIN:VEVENT\nUID:d\nDTSTART;VALUE=DATE:20261202\nEND:VEVENT\n";
        assert_eq!(
            starts(&format!("X-WR-TIMEZONE:America/New_York\n{body}")),
            [Ok("2026-12-01T15:00:00.000Z".to_string()), Ok("2026-12-02T00:00:00.000Z".to_string())]
        );
        // A calendar zone leadline does not know, or none, leaves floating times in the team's zone.
        for head in ["X-WR-TIMEZONE:Mars/Olympus\n", ""] {
            assert_eq!(
                starts(&format!("{head}{body}")),
                [Ok("2026-12-01T10:00:00.000Z".to_string()), Ok("2026-12-02T00:00:00.000Z".to_string())]
            );
        }
    }

    #[test]
    fn zones_the_calendar_defines_windows_names_and_unknown_zones() {
        // Outlook's own zone, defined in the file: +09:00 all year.
        let custom = "BEGIN:VTIMEZONE\nTZID:Customized Time Zone\nBEGIN:STANDARD\nDTSTART:16010101T000000\n\
                      TZOFFSETFROM:+0900\nTZOFFSETTO:+0900\nEND:STANDARD\nEND:VTIMEZONE\n\
                      BEGIN:VEVENT\nUID:c\nDTSTART;TZID=Customized Time Zone:20261201T100000\nEND:VEVENT\n";
        assert_eq!(starts(custom), [Ok("2026-12-01T01:00:00.000Z".to_string())]);
        // A zone with summer time, by its rules: 10:00 in December is standard time (+01:00), in a
        // series run to the end of March it becomes summer time (+02:00).
        let berlin = "BEGIN:VTIMEZONE\nTZID:Mitteleuropa\n\
                      BEGIN:STANDARD\nDTSTART:16011028T030000\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\n\
                      TZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nEND:STANDARD\n\
                      BEGIN:DAYLIGHT\nDTSTART:16010325T020000\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\n\
                      TZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nEND:DAYLIGHT\nEND:VTIMEZONE\n\
                      BEGIN:VEVENT\nUID:b\nDTSTART;TZID=Mitteleuropa:20261201T100000\nEND:VEVENT\n";
        assert_eq!(starts(berlin), [Ok("2026-12-01T09:00:00.000Z".to_string())]);
        let zones = berlin.split("BEGIN:VEVENT").next().unwrap();
        let defined = defined_zones(&properties(&format!("BEGIN:VCALENDAR\n{zones}END:VCALENDAR\n")));
        let at = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(10, 0, 0).unwrap();
        // Winter time begins on the last Sunday of October (the 26th in 2025, before the 28th the rule was
        // first written for); summer time on the last Sunday of March.
        for (day, offset) in [
            (at(2026, 1, 15), 3600),
            (at(2026, 3, 20), 3600),
            (at(2026, 4, 1), 7200),
            (at(2027, 1, 15), 3600),
            (at(2027, 7, 1), 7200),
            (at(2025, 10, 27), 3600),
        ] {
            assert_eq!(defined["Mitteleuropa"].offset_at(day), Some(offset), "{day}");
        }
        // Listed summer first, the zone is still in winter time before any change it knows.
        let summer_first = "BEGIN:VCALENDAR\nBEGIN:VTIMEZONE\nTZID:Mitteleuropa\n\
                            BEGIN:DAYLIGHT\nDTSTART:16010325T020000\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\n\
                            TZOFFSETTO:+0200\nEND:DAYLIGHT\n\
                            BEGIN:STANDARD\nDTSTART:16011028T030000\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\n\
                            TZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE\nEND:VCALENDAR\n";
        let defined = defined_zones(&properties(summer_first));
        assert_eq!(defined["Mitteleuropa"].offset_at(at(1500, 1, 1)), Some(3600));
        // A Windows name with no definition in the file; a name nobody knows is a reject, not a guess.
        let windows = "BEGIN:VEVENT\nUID:i\nDTSTART;TZID=India Standard Time:20261201T150000\nEND:VEVENT\n\
                       BEGIN:VEVENT\nUID:u\nSUMMARY:Call\nDTSTART;TZID=Atlantis Time:20261201T150000\nEND:VEVENT\n";
        let got = starts(windows);
        assert_eq!(got[0], Ok("2026-12-01T09:30:00.000Z".to_string()));
        assert!(got[1].as_ref().is_err_and(|r| r.contains("'Atlantis Time'")), "{got:?}");
    }

    #[test]
    fn a_series_that_repeats_too_often_is_a_reject_not_a_hang() {
        let every_second =
            "BEGIN:VEVENT\nUID:s\nSUMMARY:Spam\nDTSTART:19000101T000000Z\nRRULE:FREQ=SECONDLY\nEND:VEVENT\n";
        let got = starts(every_second);
        assert!(got.len() == 1 && got[0].as_ref().is_err_and(|r| r.contains("too often")), "{got:?}");
        let every_minute = "BEGIN:VEVENT\nUID:m\nDTSTART:20261201T000000Z\nRRULE:FREQ=MINUTELY\nEND:VEVENT\n";
        let got = starts(every_minute);
        assert!(got.len() == 1 && got[0].as_ref().is_err_and(|r| r.contains("more than 5000")), "{got:?}");
    }

    #[test]
    fn a_small_file_of_many_series_stops_at_the_files_own_limit() {
        let body: String = (0..12)
            .map(|i| {
                format!(
                    "BEGIN:VEVENT\nUID:e{i}\nDTSTART:20261201T000000Z\nRRULE:FREQ=MINUTELY;COUNT=4999\nEND:VEVENT\n"
                )
            })
            .collect();
        let got = starts(&body);
        let taken = got.iter().filter(|o| o.is_ok()).count();
        let refused: Vec<_> = got.iter().filter_map(|o| o.as_ref().err()).collect();
        assert_eq!(taken, 10 * 4999, "{refused:?}");
        assert_eq!(refused.len(), 2);
        assert!(refused.iter().all(|r| r.contains("more than 50000 meetings")), "{refused:?}");
    }

    #[test]
    fn events_cut_short_and_rules_that_never_occur_are_said() {
        let body = "BEGIN:VEVENT\nUID:a\nSUMMARY:Call A\nDTSTART:20261203T100000Z\n\
                    BEGIN:VEVENT\nUID:b\nSUMMARY:Call B\nDTSTART:20261204T100000Z\nEND:VEVENT\n\
                    END:VEVENT\n\
                    BEGIN:VEVENT\nUID:c\nDTSTART:20261203T100000Z\nRRULE:FREQ=WEEKLY;INTERVAL=0\nEND:VEVENT\n\
                    BEGIN:VEVENT\nUID:d\nDTSTART:20261203T100000Z\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\nEND:VEVENT\n\
                    BEGIN:VEVENT\nUID:e\nSUMMARY:Call E\nDTSTART:20261205T100000Z\n";
        let got = starts(body);
        let said: Vec<&str> = got.iter().filter_map(|o| o.as_ref().err().map(String::as_str)).collect();
        assert_eq!(got.iter().filter(|o| o.is_ok()).count(), 1, "{got:?}");
        assert_eq!(said.len(), 5, "{said:?}");
        assert!(said[0].contains("event 'Call A' never ends: BEGIN:VEVENT again at line 6"), "{said:?}");
        assert!(said.iter().any(|r| r.contains("without its beginning")), "{said:?}");
        assert!(said.iter().any(|r| r.contains("Call E' never ends: the file ends")), "{said:?}");
        assert!(said.iter().any(|r| r.contains("INTERVAL must be at least 1")), "{said:?}");
        assert!(said.iter().any(|r| r.contains("never occurs")), "{said:?}");
    }

    #[test]
    fn all_day_series_and_series_ending_at_a_utc_time() {
        // Google's all-day series: a date start, a date UNTIL (the last day included).
        let all_day =
            "BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20261203\nRRULE:FREQ=WEEKLY;UNTIL=20261217\nEND:VEVENT\n";
        assert_eq!(
            starts(all_day),
            ["2026-12-03T00:00:00.000Z", "2026-12-10T00:00:00.000Z", "2026-12-17T00:00:00.000Z"]
                .map(|s| Ok(s.to_string()))
        );
        // UNTIL in UTC is the last start (10:00 in Tokyo is 01:00 UTC): it is included.
        let tokyo = "BEGIN:VEVENT\nUID:t\nDTSTART;TZID=Asia/Tokyo:20261201T100000\n\
                     RRULE:FREQ=DAILY;UNTIL=20261203T010000Z\nEND:VEVENT\n";
        assert_eq!(
            starts(tokyo),
            ["2026-12-01T01:00:00.000Z", "2026-12-02T01:00:00.000Z", "2026-12-03T01:00:00.000Z"]
                .map(|s| Ok(s.to_string()))
        );
    }
}
