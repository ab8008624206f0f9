//! iCalendar (.ics, e.g. a Google Calendar or Outlook export): each event occurrence with its attendees'
//! e-mails, in UTC (TZID zones honoured), recurring events expanded within a window, cancelled ones marked.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::record::Reject;
use super::vcard::{Property, components, properties};
use crate::domain::Timestamp;
use crate::domain::time::local_to_utc;

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
    /// Attendees' e-mails (the organizer and those who declined left out).
    pub attendees: Vec<String>,
    pub cancelled: bool,
    pub attended: Option<bool>,
}

#[derive(Default)]
struct Event {
    line: u64,
    uid: String,
    title: String,
    start: Option<Timestamp>,
    start_prop: Option<Property>,
    rrule: Option<String>,
    exdates: Vec<Timestamp>,
    recurrence_id: Option<Timestamp>,
    attendees: Vec<String>,
    cancelled: bool,
}

/// Windows zone names Outlook writes in TZID, for the zones reps are most often in.
const WINDOWS_ZONES: &[(&str, &str)] = &[
    ("Romance Standard Time", "Europe/Paris"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("GMT Standard Time", "Europe/London"),
    ("Greenwich Standard Time", "Atlantic/Reykjavik"),
    ("Eastern Standard Time", "America/New_York"),
    ("Central Standard Time", "America/Chicago"),
    ("Mountain Standard Time", "America/Denver"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("Central Standard Time (Mexico)", "America/Mexico_City"),
    ("SA Pacific Standard Time", "America/Bogota"),
    ("Argentina Standard Time", "America/Argentina/Buenos_Aires"),
    ("E. South America Standard Time", "America/Sao_Paulo"),
    ("UTC", "UTC"),
];

fn zone(name: &str, fallback: Tz) -> Tz {
    let n = name.trim().trim_matches('"');
    n.parse::<Tz>()
        .ok()
        .or_else(|| WINDOWS_ZONES.iter().find(|(w, _)| *w == n).and_then(|(_, iana)| iana.parse().ok()))
        .unwrap_or(fallback)
}

/// A DATE-TIME or DATE value: `...Z` is UTC, TZID is honoured, floating and all-day times are the team's.
fn when(p: &Property, team: Tz) -> Option<Timestamp> {
    let v = p.value.trim();
    let tz = p.params.iter().find(|(k, _)| k == "TZID").map(|(_, z)| zone(z, team)).unwrap_or(team);
    if let Some(utc) = v.strip_suffix('Z') {
        let n = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").ok()?;
        return Some(Timestamp(Utc.from_utc_datetime(&n).timestamp_millis()));
    }
    if let Ok(n) = NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S") {
        return local_to_utc(n, tz);
    }
    let d = NaiveDate::parse_from_str(v, "%Y%m%d").ok()?;
    local_to_utc(d.and_time(NaiveTime::MIN), tz)
}

/// All occurrences that start inside `window`, or an error when the text is not a calendar.
pub fn parse(text: &str, team: Tz, window: (Timestamp, Timestamp)) -> Result<Vec<Result<Occurrence, Reject>>, String> {
    let props = properties(text);
    if !props.iter().any(|p| p.name == "BEGIN" && p.value.trim().eq_ignore_ascii_case("VCALENDAR")) {
        return Err("is not an iCalendar file (no BEGIN:VCALENDAR)".into());
    }
    let mut events: Vec<Event> = Vec::new();
    let mut current: Option<Event> = None;
    let mut depth_other = 0usize;
    for p in props {
        match (p.name.as_str(), p.value.trim().to_uppercase().as_str()) {
            ("BEGIN", "VEVENT") => current = Some(Event { line: p.line, ..Default::default() }),
            ("END", "VEVENT") => {
                if let Some(e) = current.take() {
                    events.push(e);
                }
            }
            ("BEGIN", "VALARM" | "VTIMEZONE" | "STANDARD" | "DAYLIGHT") => depth_other += 1,
            ("END", "VALARM" | "VTIMEZONE" | "STANDARD" | "DAYLIGHT") => depth_other = depth_other.saturating_sub(1),
            _ if depth_other > 0 => {}
            _ => {
                let Some(e) = current.as_mut() else { continue };
                match p.name.as_str() {
                    "UID" => e.uid = p.value.trim().to_string(),
                    "SUMMARY" => e.title = components(&p.value, '\u{0}').concat().trim().to_string(),
                    "DTSTART" => {
                        e.start = when(&p, team);
                        e.start_prop = Some(p);
                    }
                    "RRULE" => e.rrule = Some(p.value.trim().to_string()),
                    "EXDATE" => {
                        for v in p.value.split(',') {
                            let single = Property { value: v.to_string(), ..p.clone() };
                            if let Some(t) = when(&single, team) {
                                e.exdates.push(t);
                            }
                        }
                    }
                    "RECURRENCE-ID" => e.recurrence_id = when(&p, team),
                    "STATUS" => e.cancelled = p.value.trim().eq_ignore_ascii_case("CANCELLED"),
                    "ATTENDEE" => {
                        let declined =
                            p.params.iter().any(|(k, v)| k == "PARTSTAT" && v.eq_ignore_ascii_case("DECLINED"));
                        let mail = p.value.trim();
                        let mail =
                            mail.strip_prefix("mailto:").or_else(|| mail.strip_prefix("MAILTO:")).unwrap_or(mail);
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
    // Instances moved or cancelled one by one (RECURRENCE-ID) replace that instance of their series.
    let overrides: Vec<(String, Timestamp)> =
        events.iter().filter_map(|e| e.recurrence_id.map(|r| (e.uid.clone(), r))).collect();
    let mut out = Vec::new();
    for e in &events {
        let Some(start) = e.start else {
            out.push(Err(Reject {
                line: e.line,
                column: Some("DTSTART".into()),
                reason: format!("event '{}' has no start time it can read", e.title),
                record: vec![e.title.clone()],
            }));
            continue;
        };
        let title = if e.title.is_empty() { "Meeting".to_string() } else { e.title.clone() };
        let starts: Vec<Timestamp> = match (&e.rrule, e.recurrence_id) {
            (Some(rule), None) => match expand(e, rule, start, team, window) {
                Ok(s) => s
                    .into_iter()
                    .filter(|t| !e.exdates.contains(t) && !overrides.iter().any(|(u, r)| *u == e.uid && r == t))
                    .collect(),
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
            _ => vec![start].into_iter().filter(|t| *t >= window.0 && *t <= window.1).collect(),
        };
        let recurring = e.rrule.is_some() || e.recurrence_id.is_some();
        // An occurrence taken out of a series (EXDATE, as calendars delete one instance) is a cancelled
        // one: a meeting an earlier import booked for it is dropped.
        if e.rrule.is_some() && e.recurrence_id.is_none() && !e.uid.is_empty() {
            for x in e.exdates.iter().filter(|t| **t >= window.0 && **t <= window.1) {
                out.push(Ok(Occurrence {
                    line: e.line,
                    uid: e.uid.clone(),
                    key: format!("{}@{}", e.uid, x.0),
                    title: title.clone(),
                    start: *x,
                    attendees: e.attendees.clone(),
                    cancelled: true,
                    attended: None,
                }));
            }
        }
        for s in starts {
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
                attended: None,
            }));
        }
    }
    Ok(out)
}

fn expand(
    e: &Event,
    rule: &str,
    start: Timestamp,
    team: Tz,
    window: (Timestamp, Timestamp),
) -> Result<Vec<Timestamp>, String> {
    let tz = e
        .start_prop
        .as_ref()
        .and_then(|p| p.params.iter().find(|(k, _)| k == "TZID").map(|(_, z)| zone(z, team)))
        .unwrap_or(if e.start_prop.as_ref().is_some_and(|p| p.value.trim().ends_with('Z')) {
            chrono_tz::UTC
        } else {
            team
        });
    let local = start.to_utc().with_timezone(&tz).format("%Y%m%dT%H%M%S");
    let spec = format!("DTSTART;TZID={}:{local}\nRRULE:{rule}", tz.name());
    let set: rrule::RRuleSet = spec.parse().map_err(|err| format!("is not a recurrence rule it can read: {err}"))?;
    let utc = rrule::Tz::Tz(chrono_tz::UTC);
    let from = utc.timestamp_millis_opt(window.0.0 - 1).single().ok_or("bad window")?;
    let to = utc.timestamp_millis_opt(window.1.0 + 1).single().ok_or("bad window")?;
    let result = set.after(from).before(to).all(2000);
    Ok(result.dates.into_iter().map(|d| Timestamp(d.timestamp_millis())).collect())
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
        let occ: Vec<Occurrence> = parse(ics, chrono_tz::UTC, w).unwrap().into_iter().map(Result::unwrap).collect();
        let live: Vec<&Occurrence> = occ.iter().filter(|o| !o.cancelled).collect();
        assert_eq!(live.len(), 2);
        assert_eq!(live[0].start.to_rfc3339(), "2025-03-10T09:00:00Z");
        assert_eq!(live[1].start.to_rfc3339(), "2025-03-24T09:00:00Z");
        assert_eq!(live[0].attendees, vec!["ana@example.com"]);
        // The occurrence taken out of the series and the cancelled event come as cancellations.
        let cancelled: Vec<(&str, String)> =
            occ.iter().filter(|o| o.cancelled).map(|o| (o.key.as_str(), o.start.to_rfc3339())).collect();
        assert_eq!(
            cancelled,
            [("a@1742202000000", "2025-03-17T09:00:00Z".to_string()), ("b", "2025-03-11T09:00:00Z".to_string())]
        );
        assert!(parse("hello", chrono_tz::UTC, w).is_err());
    }
}
