//! Time: stored as UTC milliseconds, typed by reps in many forms, shown in the team's zone.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::ValidationError;

/// A UTC instant in milliseconds since the Unix epoch: the one time representation in the database.
/// In JSON it is RFC 3339 text in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|dt| Timestamp(dt.timestamp_millis()))
            .map_err(|_| serde::de::Error::custom(format!("'{text}' is not an RFC 3339 time")))
    }
}

/// Where "now" comes from: the system clock, or a fixed instant for tests and `--at` evaluations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    System,
    Fixed(Timestamp),
}

impl Clock {
    pub fn now(self) -> Timestamp {
        match self {
            Clock::System => Timestamp::now(),
            Clock::Fixed(t) => t,
        }
    }
}

pub const HOUR_MS: i64 = 3_600_000;
pub const DAY_MS: i64 = 24 * HOUR_MS;

impl Timestamp {
    pub fn now() -> Self {
        Self(Utc::now().timestamp_millis())
    }
    pub fn millis(self) -> i64 {
        self.0
    }
    pub fn to_utc(self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.0).single().unwrap_or_default()
    }
    /// RFC 3339 in UTC with milliseconds and a `Z`, as written in JSON output and exports: exact (a moved
    /// database keeps its times), and of one width, so the text sorts as the times do.
    pub fn to_rfc3339(self) -> String {
        self.to_utc().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }
    /// `YYYY-MM-DD HH:MM` in the given zone, for tables and timelines.
    pub fn local(self, tz: Tz) -> String {
        self.to_utc().with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
    }
    /// `YYYY-MM-DD HH:MM Zone/Name`: a time in a message, as the rep typed it (in the team's zone).
    pub fn zoned(self, tz: Tz) -> String {
        format!("{} {}", self.local(tz), tz.name())
    }
    pub fn plus_hours(self, h: i64) -> Self {
        Self(self.0 + h * HOUR_MS)
    }
    pub fn plus_days(self, d: i64) -> Self {
        Self(self.0 + d * DAY_MS)
    }
}

/// "just now", "5m ago", "3h ago", "3d ago", "in 2d": how long ago `then` was, seen from `now`, to the
/// nearest unit (due in 47 hours is "in 2d", not "in 1d" like tomorrow morning).
pub fn ago(then: Timestamp, now: Timestamp) -> String {
    let diff = now.0 - then.0;
    let (future, d) = if diff < 0 { (true, -diff) } else { (false, diff) };
    if d < 60_000 {
        return "just now".into();
    }
    let nearest = |unit: i64| (d + unit / 2) / unit;
    // To the nearest unit, a unit rounded up to the next one's size said in the next (59m40s is "1h"); days
    // gone by whole, as scores count them ("active in the last 7 days" is never "7d ago").
    let span = [(60_000, 60, "m"), (HOUR_MS, 24, "h")]
        .into_iter()
        .find_map(|(unit, next, name)| (nearest(unit) < next).then(|| format!("{}{name}", nearest(unit))))
        .unwrap_or_else(|| {
            let days = if future { nearest(DAY_MS) } else { (d / DAY_MS).max(1) };
            if days < 365 { format!("{days}d") } else { format!("{}y", days / 365) }
        });
    if future { format!("in {span}") } else { format!("{span} ago") }
}

/// Parses a time as reps type it: RFC 3339; `YYYY-MM-DD[ HH:MM]` in the team's zone; relative forms
/// `+48h`, `+3d`, `+2w`, `+30m`, `-1d`; `now`, `today`, `tomorrow [H:MM]`, `yesterday [H:MM]`;
/// a weekday `mon [10:00]` (the coming one: today's while its time is still to come).
pub fn parse_time(input: &str, now: Timestamp, tz: Tz) -> Result<Timestamp, ValidationError> {
    in_range(input, parse_any_time(input, now, tz, Bound::Ahead)?)
}

/// The first instant of the day `input` names (a date, "today", "fri"), a weekday being the coming one and
/// today's all day long: where a window ends (`--to fri`), whole.
pub fn parse_day(input: &str, now: Timestamp, tz: Tz) -> Result<Timestamp, ValidationError> {
    in_range(input, parse_any_time(input, now, tz, Bound::Day)?)
}

/// `parse_time` for when a task is due: a date alone is due at the working day's start, as "tomorrow" is
/// (at its midnight it would be overdue the whole of the day it is due).
pub fn parse_due(input: &str, now: Timestamp, tz: Tz) -> Result<Timestamp, ValidationError> {
    in_range(input, parse_any_time(input, now, tz, Bound::Due)?)
}

/// Which way a time typed points, and what a day named without a clock time means.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// A meeting, a window: a weekday is the coming one; a named day starts at the working day's start, a
    /// date alone at its first instant.
    Ahead,
    /// When a task is due: as `Ahead`, but a date alone is due at the working day's start too.
    Due,
    /// A whole day ahead: a weekday is the coming one, today's all day; a named day from its first instant.
    Day,
    /// When a touch happened: a weekday is the last one; a named day starts at the working day's start.
    Past,
    /// Where a listing starts: a time gone by, a named day from its first instant (as a bare date is).
    Since,
}

fn in_range(input: &str, t: Timestamp) -> Result<Timestamp, ValidationError> {
    // A time outside these years is a typo (an extra digit in +48h), never a touch or a due date.
    if !(EARLIEST_MS..=LATEST_MS).contains(&t.0) {
        return Err(ValidationError::new("time", input, OUT_OF_RANGE));
    }
    Ok(t)
}

/// `parse_time` for a time that has passed (when a touch happened, a `--since`): a weekday is the most
/// recent one, today's while its time has gone by ("mon 10:00" typed on a Thursday is this week's Monday).
pub fn parse_past_time(input: &str, now: Timestamp, tz: Tz) -> Result<Timestamp, ValidationError> {
    in_range(input, parse_any_time(input, now, tz, Bound::Past)?)
}

/// `parse_past_time` for where a listing starts (`export --since`): "today" or "mon" is that day from
/// its first instant, not from 09:00, and a time still to come is refused (`+7d` for `-7d` would list
/// nothing, said as if there were nothing).
pub fn parse_since(input: &str, now: Timestamp, tz: Tz) -> Result<Timestamp, ValidationError> {
    let t = in_range(input, parse_any_time(input, now, tz, Bound::Since)?)?;
    if t.0 > now.0 {
        return Err(ValidationError::new("time", input, "is still to come; give a time gone by, such as -7d or mon"));
    }
    Ok(t)
}

/// 1900-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
const EARLIEST_MS: i64 = -2_208_988_800_000;
const LATEST_MS: i64 = 253_402_300_799_000;

fn parse_any_time(input: &str, now: Timestamp, tz: Tz, bound: Bound) -> Result<Timestamp, ValidationError> {
    let past = matches!(bound, Bound::Past | Bound::Since);
    let bad = |why: &str| ValidationError::new("time", input, why);
    let s = input.trim();
    if s.is_empty() {
        return Err(bad("is empty"));
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Ok(Timestamp(dt.timestamp_millis()));
    }
    if let Some(rest) = s.strip_prefix('+').or_else(|| s.strip_prefix('-')) {
        let sign = if s.starts_with('-') { -1 } else { 1 };
        let (ms, in_days) = parse_offset(rest).map_err(|why| {
            // The forms shown are of the side asked for: a --since wants a time gone by.
            bad(if why == NOT_RELATIVE && past { NOT_RELATIVE_PAST } else { why })
        })?;
        // Days and weeks are the calendar's: "+1d" at 10:00 is 10:00 tomorrow, whatever the clocks do.
        if in_days && let Some(t) = plus_local_days(now, tz, sign * (ms / DAY_MS)) {
            return Ok(t);
        }
        return now.0.checked_add(sign * ms).map(Timestamp).ok_or_else(|| bad(OUT_OF_RANGE));
    }
    let mut lower = s.to_lowercase();
    // ISO 8601 without a zone, as programs write it ("2026-11-26T09:30"): the date, then the clock.
    if lower.len() > 11 && lower.as_bytes()[10] == b't' && NaiveDate::parse_from_str(&lower[..10], "%Y-%m-%d").is_ok() {
        lower.replace_range(10..11, " ");
    }
    let mut words = lower.split_whitespace();
    let first = words.next().unwrap_or_default();
    let clock = words.next();
    if words.next().is_some() {
        return Err(bad("has too many parts; try 'tomorrow 9:00' or '2026-03-01 14:30'"));
    }
    let today = now.to_utc().with_timezone(&tz).date_naive();
    let day = match first {
        "now" if clock.is_none() => return Ok(now),
        "today" => Some(today),
        "tomorrow" => Some(today + Duration::days(1)),
        "yesterday" => Some(today - Duration::days(1)),
        w => weekday(w).map(|wd| if past { last_weekday(today, wd) } else { coming_weekday(today, wd) }),
    };
    let named_weekday = weekday(first).is_some();
    let working_day_start = NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN);
    let (day, default_clock) = match day {
        // A named day without a clock means the start of the working day, or of the day for a listing.
        Some(d) if matches!(bound, Bound::Since | Bound::Day) => (d, NaiveTime::MIN),
        Some(d) => (d, working_day_start),
        // A bare date means the start of that day (of its working day for a due date).
        None => match NaiveDate::parse_from_str(first, "%Y-%m-%d") {
            Ok(d) if bound == Bound::Due => (d, working_day_start),
            Ok(d) => (d, NaiveTime::MIN),
            Err(_) => {
                return Err(bad(
                    "is not a time; use RFC 3339, YYYY-MM-DD [HH:MM], +48h, +3d, tomorrow 9:00 or mon 10:00",
                ));
            }
        },
    };
    let time = match clock {
        None => default_clock,
        Some(c) => parse_clock(c).ok_or_else(|| bad("has a clock time that is not HH:MM or HH:MM:SS"))?,
    };
    // A bare date is the start of that day, even where the clocks skip its midnight.
    let at = |day: NaiveDate| {
        if clock.is_none() && time == NaiveTime::MIN {
            first_instant(day, tz)
        } else {
            local_to_utc(NaiveDateTime::new(day, time), tz)
        }
    };
    // Today's weekday is today's while its time is on the side asked for; else a week away that way. Told
    // by the wall clock, so that a time the clocks skip today is next week's, not refused.
    let mut day = day;
    if named_weekday && day == today && bound != Bound::Day {
        let (typed, now_local) = (NaiveDateTime::new(day, time), now.to_utc().with_timezone(&tz).naive_local());
        if past && typed > now_local || !past && typed <= now_local {
            day += Duration::days(if past { -7 } else { 7 });
        }
    }
    at(day).ok_or_else(|| bad("does not exist in the team's time zone"))
}

/// An offset such as `48h` or `3d`: its length, and whether it counts days (or weeks).
const NOT_RELATIVE: &str = "is not a relative time; use forms like +48h, +3d, +2w, +30m";
const NOT_RELATIVE_PAST: &str = "is not a relative time; use forms like -48h, -3d, -2w, -30m";

fn parse_offset(rest: &str) -> Result<(i64, bool), &'static str> {
    let unit_at = rest.find(|c: char| !c.is_ascii_digit()).ok_or(NOT_RELATIVE)?;
    let (num, unit) = rest.split_at(unit_at);
    let per = match unit {
        "m" | "min" => 60_000,
        "h" => HOUR_MS,
        "d" => DAY_MS,
        "w" => 7 * DAY_MS,
        _ => return Err(NOT_RELATIVE),
    };
    if num.is_empty() {
        return Err(NOT_RELATIVE);
    }
    // Digits too many for a number are a time too far away, not a malformed one.
    let ms = num.parse::<i64>().ok().and_then(|n| n.checked_mul(per)).ok_or(OUT_OF_RANGE)?;
    Ok((ms, per % DAY_MS == 0))
}

const OUT_OF_RANGE: &str = "is out of range (years 1900 to 9999)";

fn parse_clock(c: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(c, "%H:%M").ok().or_else(|| NaiveTime::parse_from_str(c, "%H:%M:%S%.f").ok()).or_else(
        || {
            let h: u32 = c.parse().ok()?;
            NaiveTime::from_hms_opt(h, 0, 0)
        },
    )
}

fn weekday(w: &str) -> Option<Weekday> {
    Some(match w {
        "mon" | "monday" => Weekday::Mon,
        "tue" | "tues" | "tuesday" => Weekday::Tue,
        "wed" | "wednesday" => Weekday::Wed,
        "thu" | "thur" | "thurs" | "thursday" => Weekday::Thu,
        "fri" | "friday" => Weekday::Fri,
        "sat" | "saturday" => Weekday::Sat,
        "sun" | "sunday" => Weekday::Sun,
        _ => return None,
    })
}

/// The last `wd` on or before `from`.
fn last_weekday(from: NaiveDate, wd: Weekday) -> NaiveDate {
    let back = (7 + from.weekday().num_days_from_monday() as i64 - wd.num_days_from_monday() as i64) % 7;
    from - Duration::days(back)
}

/// The first `wd` on or after `from`.
fn coming_weekday(from: NaiveDate, wd: Weekday) -> NaiveDate {
    let ahead = (7 + wd.num_days_from_monday() as i64 - from.weekday().num_days_from_monday() as i64) % 7;
    from + Duration::days(ahead)
}

/// A wall-clock time written by another program (a calendar, an export) as UTC: in a DST gap, with the
/// offset in force before the clocks moved, as calendar programs read it (RFC 5545 3.3.5): 02:30 on the
/// night clocks go from 02:00 to 03:00 is 03:30.
pub fn written_local_to_utc(naive: NaiveDateTime, tz: Tz) -> Option<Timestamp> {
    local_to_utc(naive, tz).or_else(|| {
        let before = tz.offset_from_local_datetime(&(naive - Duration::days(1))).earliest()?;
        let offset = chrono::Offset::fix(&before).local_minus_utc();
        Some(Timestamp(chrono::Utc.from_utc_datetime(&naive).timestamp_millis() - i64::from(offset) * 1000))
    })
}

/// A wall-clock time in `tz` as UTC; in a DST gap there is no such time, in an overlap the earlier wins.
pub fn local_to_utc(naive: NaiveDateTime, tz: Tz) -> Option<Timestamp> {
    tz.from_local_datetime(&naive).earliest().map(|dt| Timestamp(dt.timestamp_millis()))
}

/// Midnight of the day containing `at`, in `tz`.
pub fn start_of_day(at: Timestamp, tz: Tz) -> Timestamp {
    start_of_day_after(at, tz, 0)
}

/// The start of the day `days` after the one containing `at`, in `tz`: its midnight, or the first minute
/// it has when a change of clocks skips midnight. A day is not always 24 hours long.
pub fn start_of_day_after(at: Timestamp, tz: Tz, days: i64) -> Timestamp {
    let day = at.to_utc().with_timezone(&tz).date_naive() + Duration::days(days);
    first_instant(day, tz).unwrap_or(Timestamp(at.0 + days * DAY_MS))
}

/// The first instant of a local day: midnight, or the end of a gap that swallowed it.
fn first_instant(day: NaiveDate, tz: Tz) -> Option<Timestamp> {
    (0..=12).find_map(|quarter| local_to_utc(day.and_time(NaiveTime::MIN) + Duration::minutes(quarter * 15), tz))
}

/// The same wall-clock time `days` later in `tz` (a day across a change of clocks is 23 or 25 hours); a
/// time the change skips moves on by an hour.
pub fn plus_local_days(at: Timestamp, tz: Tz, days: i64) -> Option<Timestamp> {
    let local = at.to_utc().with_timezone(&tz).naive_local().checked_add_signed(Duration::days(days))?;
    local_to_utc(local, tz).or_else(|| local_to_utc(local + Duration::hours(1), tz))
}

/// Parses an IANA zone name such as `Europe/Madrid`.
pub fn parse_tz(name: &str) -> Result<Tz, ValidationError> {
    // Whatever the case it is typed in ("europe/madrid").
    name.parse::<Tz>()
        .ok()
        .or_else(|| chrono_tz::TZ_VARIANTS.iter().copied().find(|tz| tz.name().eq_ignore_ascii_case(name.trim())))
        .ok_or_else(|| ValidationError::new("timezone", name, "is not an IANA time zone such as Europe/Madrid"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn madrid() -> Tz {
        parse_tz("Europe/Madrid").unwrap()
    }
    // Wednesday 2026-11-25 12:00 UTC (13:00 in Madrid).
    const NOW: Timestamp = Timestamp(1_795_608_000_000);

    #[test]
    fn days_follow_the_calendar_across_changes_of_clocks() {
        let ny = parse_tz("America/New_York").unwrap();
        let at = |s: &str| Timestamp(DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis());
        // 2026-11-01 is 25 hours long in New York: today ends at midnight local (05:00Z), not 04:00Z.
        assert_eq!(start_of_day_after(at("2026-11-01T16:00:00.000Z"), ny, 1), at("2026-11-02T05:00:00.000Z"));
        // 2026-03-08 is 23 hours long.
        assert_eq!(start_of_day_after(at("2026-03-08T16:00:00.000Z"), ny, 1), at("2026-03-09T04:00:00.000Z"));
        // "+1d" at 10:00 the day before the change is 10:00 the next day.
        assert_eq!(parse_time("+1d", at("2026-10-31T14:00:00.000Z"), ny).unwrap(), at("2026-11-01T15:00:00.000Z"));
        assert_eq!(parse_time("+48h", at("2026-10-31T14:00:00.000Z"), ny).unwrap(), at("2026-11-02T14:00:00.000Z"));
        // In Santiago the clocks skip midnight on 2026-09-06: that day starts at 01:00.
        let santiago = parse_tz("America/Santiago").unwrap();
        assert_eq!(start_of_day(at("2026-09-06T15:00:00.000Z"), santiago), at("2026-09-06T04:00:00.000Z"));
        assert_eq!(
            parse_time("2026-09-06", at("2026-09-01T15:00:00.000Z"), santiago).unwrap(),
            at("2026-09-06T04:00:00.000Z")
        );
        assert!(parse_time("2026-09-06 00:30", at("2026-09-01T15:00:00.000Z"), santiago).is_err());
    }

    #[test]
    fn relative_offsets() {
        assert_eq!(parse_time("+48h", NOW, madrid()).unwrap(), NOW.plus_hours(48));
        assert_eq!(parse_time("+3d", NOW, madrid()).unwrap(), NOW.plus_days(3));
        assert_eq!(parse_time("-1d", NOW, madrid()).unwrap(), NOW.plus_days(-1));
        assert!(parse_time("+3x", NOW, madrid()).is_err());
        assert!(parse_time("+", NOW, madrid()).is_err());
        // An extra digit or three is out of range, not a date in 1970 or in the year 11415525.
        for far in
            ["+15250284452w", "+99999999999h", "-99999999999h", "+9223372036854775807m", "0001-01-01T00:00:00.000Z"]
        {
            let e = parse_time(far, NOW, madrid()).unwrap_err();
            assert!(e.reason.contains("out of range"), "{far}: {e}");
        }
    }

    #[test]
    fn dates_are_in_team_zone() {
        let t = parse_time("2026-11-26 09:30", NOW, madrid()).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-26T08:30:00.000Z");
        let d = parse_time("2026-11-26", NOW, madrid()).unwrap();
        assert_eq!(d.to_rfc3339(), "2026-11-25T23:00:00.000Z");
        // ISO 8601 without a zone, as programs write it, is the team's wall clock too.
        assert!(parse_time("2026-11-26T09:30:00.123456", NOW, madrid()).is_ok(), "Python's isoformat()");
        for iso in ["2026-11-26T09:30", "2026-11-26T09:30:00", "2026-11-26 09:30:00"] {
            assert_eq!(parse_time(iso, NOW, madrid()).unwrap().to_rfc3339(), "2026-11-26T08:30:00.000Z", "{iso}");
        }
    }

    #[test]
    fn a_since_that_is_no_offset_shows_offsets_gone_by() {
        let e = parse_since("-7 d", NOW, madrid()).unwrap_err();
        assert!(e.reason.contains("-48h, -3d"), "{e}");
        let e = parse_time("+7x", NOW, madrid()).unwrap_err();
        assert!(e.reason.contains("+48h, +3d"), "{e}");
    }

    #[test]
    fn named_days() {
        assert_eq!(parse_time("tomorrow 9:00", NOW, madrid()).unwrap().to_rfc3339(), "2026-11-26T08:00:00.000Z");
        // NOW is a Wednesday, 13:00 in Madrid: "mon" is the coming Monday; "wed" and "wed 12:00" have gone
        // by today and are next week's, "wed 18:00" is today's.
        assert_eq!(parse_time("mon 10:00", NOW, madrid()).unwrap().to_rfc3339(), "2026-11-30T09:00:00.000Z");
        assert_eq!(parse_time("wed", NOW, madrid()).unwrap().to_rfc3339(), "2026-12-02T08:00:00.000Z");
        assert_eq!(parse_time("wed 12:00", NOW, madrid()).unwrap().to_rfc3339(), "2026-12-02T11:00:00.000Z");
        assert_eq!(parse_time("wed 18:00", NOW, madrid()).unwrap().to_rfc3339(), "2026-11-25T17:00:00.000Z");
        // A day as a window's end: today's weekday is today, even in its last minute.
        let last_minute = parse_time("2026-11-25T22:59:30Z", NOW, madrid()).unwrap();
        assert_eq!(parse_day("wed", last_minute, madrid()).unwrap().to_rfc3339(), "2026-11-24T23:00:00.000Z");
        assert_eq!(parse_day("thu", last_minute, madrid()).unwrap().to_rfc3339(), "2026-11-25T23:00:00.000Z");
        // A date alone: its first instant for a meeting or a window, its working day's start when due.
        assert_eq!(parse_time("2026-12-01", NOW, madrid()).unwrap().to_rfc3339(), "2026-11-30T23:00:00.000Z");
        assert_eq!(parse_due("2026-12-01", NOW, madrid()).unwrap().to_rfc3339(), "2026-12-01T08:00:00.000Z");
        assert_eq!(parse_due("2026-12-01 17:30", NOW, madrid()).unwrap().to_rfc3339(), "2026-12-01T16:30:00.000Z");
        assert_eq!(parse_time("now", NOW, madrid()).unwrap(), NOW);
        // A time gone by: the last Monday; today's Wednesday once its time has passed, else last week's.
        let past = |s: &str| parse_past_time(s, NOW, madrid()).unwrap().to_rfc3339();
        assert_eq!(past("mon 10:00"), "2026-11-23T09:00:00.000Z");
        assert_eq!(past("wed 00:30"), "2026-11-24T23:30:00.000Z");
        assert_eq!(past("wed 23:30"), "2026-11-18T22:30:00.000Z");
        assert_eq!(past("yesterday 9:00"), parse_time("yesterday 9:00", NOW, madrid()).unwrap().to_rfc3339());
        // Around a clock change: the coming Sunday's 2:30 does not exist in New York, the last one's does;
        // and the last one's that does not exist is refused, not moved.
        let ny: Tz = "America/New_York".parse().unwrap();
        let wed = parse_time("2026-03-04T12:00:00Z", NOW, ny).unwrap();
        let t = parse_past_time("sun 2:30", wed, ny).unwrap().to_rfc3339();
        assert_eq!(t, "2026-03-01T07:30:00.000Z");
        let next_wed = parse_time("2026-03-11T12:00:00Z", NOW, ny).unwrap();
        assert!(parse_past_time("sun 2:30", next_wed, ny).is_err());
        // On the Sunday the clocks skip 2:30, once it has gone by it is next Sunday's (which has one).
        let that_sunday = parse_time("2026-03-08T15:00:00Z", NOW, ny).unwrap();
        assert_eq!(parse_time("sun 2:30", that_sunday, ny).unwrap().to_rfc3339(), "2026-03-15T06:30:00.000Z");
    }

    #[test]
    fn a_listing_since_a_named_day_starts_at_its_first_instant() {
        let since = |s: &str| parse_since(s, NOW, madrid()).map(|t| t.to_rfc3339());
        let local_midnight = |d: &str| parse_time(d, NOW, madrid()).unwrap().to_rfc3339();
        assert_eq!(since("today").unwrap(), local_midnight("2026-11-25"));
        assert_eq!(since("yesterday").unwrap(), local_midnight("2026-11-24"));
        assert_eq!(since("mon").unwrap(), local_midnight("2026-11-23"));
        assert_eq!(
            since("yesterday 10:00").unwrap(),
            parse_past_time("yesterday 10:00", NOW, madrid()).unwrap().to_rfc3339()
        );
        for ahead in ["+3d", "tomorrow", "2030-01-01"] {
            assert!(since(ahead).unwrap_err().to_string().contains("still to come"), "{ahead}");
        }
    }

    #[test]
    fn rfc3339_and_garbage() {
        assert_eq!(
            parse_time("2026-01-02T03:04:05.000Z", NOW, madrid()).unwrap().to_rfc3339(),
            "2026-01-02T03:04:05.000Z"
        );
        let e = parse_time("31 Feb 2025", NOW, madrid()).unwrap_err();
        assert!(e.to_string().contains("31 Feb 2025"));
        assert!(parse_time("2025-02-31", NOW, madrid()).is_err());
        assert!(parse_time("tomorrow 25:00", NOW, madrid()).is_err());
    }

    #[test]
    fn ago_reads_naturally() {
        assert_eq!(ago(NOW.plus_days(-3), NOW), "3d ago");
        assert_eq!(ago(NOW.plus_hours(-5), NOW), "5h ago");
        assert_eq!(ago(NOW, NOW), "just now");
        assert_eq!(ago(NOW.plus_days(2), NOW), "in 2d");
        // Minutes and hours to the nearest, into the next unit when they round up to it; days whole, as
        // scores count them: six and a half days is within "the last 7 days", so "6d ago".
        assert_eq!(ago(NOW, NOW.plus_hours(47)), "1d ago");
        assert_eq!(ago(NOW.plus_hours(30), NOW), "in 1d");
        assert_eq!(ago(NOW.plus_hours(60), NOW), "in 3d", "a time ahead to the nearest day");
        assert_eq!(ago(NOW.plus_hours(-88), NOW), "3d ago");
        assert_eq!(ago(NOW.plus_hours(-(6 * 24 + 13)), NOW), "6d ago");
        assert_eq!(ago(Timestamp(NOW.0 - 59 * 60_000 - 40_000), NOW), "1h ago");
        assert_eq!(ago(NOW.plus_hours(-23), NOW), "23h ago");
        assert_eq!(ago(Timestamp(NOW.0 + 23 * HOUR_MS + 40 * 60_000), NOW), "in 1d");
        assert_eq!(ago(NOW.plus_days(-400), NOW), "1y ago");
    }
}
