//! The shop's calendar: which local day an instant of the ledger falls on, in the shop's time
//! zone, daylight saving included.
//!
//! The ledger's events are counted by UTC quarter hour in `report_activity` (migration 0014),
//! and from there by local day (0015, `days.rs`), through a table of the instants where the
//! zone's offset changes that [`ReportClock::offset_minutes`] fills.

use chrono::{DateTime, Duration, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::Result;
use crate::store::Store;

/// Offsets change on a quarter hour in every zone in use.
const STEP: Duration = Duration::minutes(15);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportClock {
    zone: Tz,
}

impl ReportClock {
    /// The shop's time zone; when none is set, this computer's; failing that, UTC.
    pub async fn of(store: &Store) -> Result<ReportClock> {
        let shop = store.require_shop().await?;
        Ok(ReportClock::zone(shop.time_zone.as_deref()))
    }

    pub fn zone(name: Option<&str>) -> ReportClock {
        ReportClock {
            zone: crate::people::shop::Shop::zone(name),
        }
    }

    pub fn zone_name(&self) -> &'static str {
        self.zone.name()
    }

    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.zone).date_naive()
    }

    /// The first instant of a local day: midnight, or the first minute after a gap where a
    /// zone skips midnight.
    pub fn start_of(&self, day: NaiveDate) -> DateTime<Utc> {
        let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
        (0..=24 * 4)
            .map(|quarter| midnight + STEP * quarter)
            .find_map(|local| self.zone.from_local_datetime(&local).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
    }

    pub(crate) fn offset_minutes(&self, at: DateTime<Utc>) -> i64 {
        let offset = self.zone.offset_from_utc_datetime(&at.naive_utc()).fix();
        i64::from(offset.local_minus_utc()) / 60
    }
}

/// The quarter hour an instant falls in, as `report_activity` counts them (`unixepoch / 900`).
/// Local midnights fall on one, in every zone in use.
pub(crate) fn slot(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(STEP.num_seconds())
}

/// A [`slot`] in the ledger's nanoseconds (migration 0025): `ledger.at / SLOT_NS` is the slot,
/// for SQL.
pub(crate) const SLOT_NS: i64 = 900_000_000_000;

/// The date of a day number (days since 1970-01-01, as the day tables count them).
pub(crate) fn day_of_number(number: i64) -> NaiveDate {
    epoch_day() + Duration::days(number)
}

/// The day number of a date.
pub(crate) fn number_of_day(day: NaiveDate) -> i64 {
    (day - epoch_day()).num_days()
}

fn epoch_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn a_day_starts_at_local_midnight_on_either_side_of_a_change() {
        let paris = ReportClock::zone(Some("Europe/Paris"));
        let day = |d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
        assert_eq!(
            paris.start_of(day("2026-03-29")),
            utc("2026-03-28T23:00:00Z")
        );
        assert_eq!(
            paris.start_of(day("2026-03-30")),
            utc("2026-03-29T22:00:00Z")
        );
        // Havana skipped midnight (00:00 became 01:00) on 2026-03-08.
        let havana = ReportClock::zone(Some("America/Havana"));
        assert_eq!(
            havana.start_of(day("2026-03-08")),
            utc("2026-03-08T05:00:00Z")
        );
    }

    #[test]
    fn day_numbers_count_from_1970() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        assert_eq!(
            number_of_day(day),
            utc("2026-11-24T00:00:00Z").timestamp() / 86_400
        );
        assert_eq!(day_of_number(number_of_day(day)), day);
        // A quarter hour before midnight UTC is still the day before, in UTC.
        let late = slot(utc("2026-11-23T23:45:00Z"));
        assert_eq!((late * 15) / 1440, number_of_day(day) - 1);
    }

    #[test]
    fn an_unknown_zone_name_falls_back_rather_than_failing() {
        // The shop's zone is checked when it is set; an old or foreign value must not stop the
        // reports.
        let clock = ReportClock::zone(Some("Mars/Olympus"));
        assert!(!clock.zone_name().is_empty());
    }
}
