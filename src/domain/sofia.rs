//! The office's clock is Sofia's (Europe/Sofia: EET, +02:00, and EEST, +03:00, from the last
//! Sunday of March to the last Sunday of October), whatever zone the server is set to: "today",
//! an intake's time and the year of its register number are the municipality's.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Sofia;

/// An instant as Sofia's wall clock shows it, with its offset from UTC.
pub fn at(instant: DateTime<Utc>) -> DateTime<FixedOffset> {
    instant.with_timezone(&Sofia).fixed_offset()
}

/// An instant as Sofia's wall clock shows it.
pub fn local(instant: DateTime<Utc>) -> NaiveDateTime {
    instant.with_timezone(&Sofia).naive_local()
}

/// The instant a Sofia wall-clock time names: in the autumn's repeated hour the first of the
/// two (summer time), in the spring's skipped hour the time an hour later.
pub fn instant(local: NaiveDateTime) -> DateTime<Utc> {
    let pick = |t: NaiveDateTime| Sofia.from_local_datetime(&t).earliest();
    pick(local)
        .or_else(|| pick(local + chrono::Duration::hours(1)))
        .map_or_else(
            // No zone skips two hours; a value can still come from anywhere.
            || Utc.from_utc_datetime(&local),
            |t| t.with_timezone(&Utc),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn winter_summer_and_both_changes_of_2026() {
        // Offsets and wall times written out by hand from the EU rule (01:00 UTC on the last
        // Sundays of March and October).
        let cases = [
            ("2026-01-15T10:00:00Z", "2026-01-15T12:00:00+02:00"),
            ("2026-03-29T00:59:59Z", "2026-03-29T02:59:59+02:00"),
            ("2026-03-29T01:00:00Z", "2026-03-29T04:00:00+03:00"),
            ("2026-07-01T21:30:00Z", "2026-07-02T00:30:00+03:00"),
            ("2026-10-25T00:59:59Z", "2026-10-25T03:59:59+03:00"),
            ("2026-10-25T01:00:00Z", "2026-10-25T03:00:00+02:00"),
            ("2026-12-31T22:00:00Z", "2027-01-01T00:00:00+02:00"),
        ];
        for (u, want) in cases {
            assert_eq!(at(utc(u)).to_rfc3339(), want, "{u}");
        }
        let wall = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        // The repeated hour: the summer one first; the skipped hour: an hour on.
        assert_eq!(
            instant(wall("2026-10-25 03:30")),
            utc("2026-10-25T00:30:00Z")
        );
        assert_eq!(
            instant(wall("2026-03-29 03:30")),
            utc("2026-03-29T01:30:00Z")
        );
        assert_eq!(
            instant(wall("2026-11-17 10:00")),
            utc("2026-11-17T08:00:00Z")
        );
    }
}
