//! The shop's calendar: which local day an instant of the ledger falls on, in the shop's time
//! zone, daylight saving included.
//!
//! The ledger keeps UTC times as RFC 3339 text (`2026-03-29T00:59:59.5+00:00`, as sqlx writes
//! a `DateTime<Utc>`). A report groups a period's events by local day inside SQLite, so that
//! millions of rows are never carried into Rust: for the period it reads, [`ReportClock`]
//! works out the few instants where the zone's offset changes and writes a `CASE` that adds
//! the right offset on each side of them. The instants are compared as text, which orders like
//! time because every stored time has this same form.

use chrono::{DateTime, Duration, NaiveDate, Offset, SecondsFormat, TimeZone, Utc};
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
        let system = || iana_time_zone::get_timezone().ok();
        let zone = name
            .map(str::to_string)
            .or_else(system)
            .and_then(|name| name.parse().ok())
            .unwrap_or(Tz::UTC);
        ReportClock { zone }
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

    fn offset_minutes(&self, at: DateTime<Utc>) -> i64 {
        let offset = self.zone.offset_from_utc_datetime(&at.naive_utc()).fix();
        i64::from(offset.local_minus_utc()) / 60
    }

    /// SQL for the local day (`YYYY-MM-DD`) of the time in `column`, right for times from
    /// `from` to `to`.
    pub(crate) fn local_day_sql(
        &self,
        column: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> String {
        let day_at =
            |minutes: i64| format!("strftime('%Y-%m-%d', {column}, '{minutes:+} minutes')");
        let mut offset = self.offset_minutes(from);
        let mut sql = String::from("CASE");
        let mut at = from;
        while at < to {
            let next = at + STEP;
            let next_offset = self.offset_minutes(next);
            if next_offset != offset {
                let boundary = stored_form(next);
                sql.push_str(&format!(
                    " WHEN {column} < '{boundary}' THEN {}",
                    day_at(offset)
                ));
                offset = next_offset;
            }
            at = next;
        }
        if sql == "CASE" {
            return day_at(offset);
        }
        sql.push_str(&format!(" ELSE {} END", day_at(offset)));
        sql
    }
}

/// A time as the ledger stores it, for comparisons as text.
pub(crate) fn stored_form(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn stored_form_is_what_sqlx_writes() {
        assert_eq!(
            stored_form(utc("2026-03-29T01:00:00Z")),
            "2026-03-29T01:00:00+00:00"
        );
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
    fn one_offset_needs_no_case() {
        let paris = ReportClock::zone(Some("Europe/Paris"));
        let sql = paris.local_day_sql(
            "e.at",
            utc("2026-01-01T00:00:00Z"),
            utc("2026-02-01T00:00:00Z"),
        );
        assert_eq!(sql, "strftime('%Y-%m-%d', e.at, '+60 minutes')");
    }

    #[test]
    fn a_change_in_the_period_is_one_when() {
        let paris = ReportClock::zone(Some("Europe/Paris"));
        let sql = paris.local_day_sql(
            "e.at",
            utc("2026-03-01T00:00:00Z"),
            utc("2026-04-01T00:00:00Z"),
        );
        assert_eq!(
            sql,
            "CASE WHEN e.at < '2026-03-29T01:00:00+00:00' THEN strftime('%Y-%m-%d', e.at, '+60 minutes') \
             ELSE strftime('%Y-%m-%d', e.at, '+120 minutes') END"
        );
    }

    #[test]
    fn an_unknown_zone_name_falls_back_rather_than_failing() {
        // The shop's zone is checked when it is set; an old or foreign value must not stop the
        // reports.
        let clock = ReportClock::zone(Some("Mars/Olympus"));
        assert!(!clock.zone_name().is_empty());
    }
}
