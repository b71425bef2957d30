//! Reports for managers, read from the ledger (docs/decisions/0023-reports.md): the month at a
//! glance (`summary`), whether new members come back (`retention`), regulars who stopped
//! coming (`at_risk`), and what each staff member did (`staff`).
//!
//! Every figure is a function of the set of events, like the cards: a punch that a void or a
//! forgiven conflict cancelled does not count, and two tills holding the same events agree.
//! Days are the shop's days, in its time zone (`clock`). Each report is one or two SQL
//! statements over an index range of the period: the rows never travel into Rust. They read
//! counts kept per local day (`days`, migration 0015, docs/decisions/0026-report-days.md),
//! which triggers keep from `report_activity`, the ledger rolled up by quarter hour, member
//! and program (`activity`, migration 0014, decision 0025). Both are counted from the ledger in
//! batches after the commit, and brought up to it before any report reads them (`feed`,
//! migration 0023, decision 0035).
//!
//! A *visit* is a member's local day with at least one punch or redemption that stands.

pub mod activity;
pub mod at_risk;
pub mod clock;
pub mod csv;
pub mod days;
pub(crate) mod feed;
pub mod retention;
pub mod staff;
pub mod summary;

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::error::{CoreError, Result};
use clock::ReportClock;

/// Local days, both included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period> {
        if from > to {
            return Err(CoreError::InvalidPeriod);
        }
        Ok(Period { from, to })
    }

    /// The same period, refused if it ends before it starts: a period can arrive from outside
    /// (the app's JSON) without going through [`Period::new`].
    pub(crate) fn checked(self) -> Result<Period> {
        Period::new(self.from, self.to)
    }

    /// From the first of `day`'s month to `day`: "this month so far".
    pub fn month_to(day: NaiveDate) -> Period {
        Period {
            from: day.with_day(1).expect("every month has a first"),
            to: day,
        }
    }

    /// The twelve months that end with `day`'s: retention's cohorts.
    pub fn twelve_months_to(day: NaiveDate) -> Period {
        let first = day.with_day(1).expect("every month has a first");
        Period {
            from: first - Months::new(11),
            to: day,
        }
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The local days the period runs over, as day numbers (see [`clock::day_of_number`]): its
    /// first, and the one after its last.
    pub(crate) fn day_numbers(&self) -> (i64, i64) {
        (
            clock::number_of_day(self.from),
            clock::number_of_day(self.to) + 1,
        )
    }

    /// The instants the period runs over: from its first local midnight to the one after it.
    pub(crate) fn instants(&self, clock: &ReportClock) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            clock.start_of(self.from),
            clock.start_of(self.to + Duration::days(1)),
        )
    }
}

/// How a chart splits its period: a month by day, a year by week, longer by month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    Day,
    /// Monday to Sunday, named by its Monday.
    Week,
    Month,
}

impl Bucket {
    fn for_period(period: &Period) -> Bucket {
        match period.days() {
            ..=62 => Bucket::Day,
            63..=366 => Bucket::Week,
            _ => Bucket::Month,
        }
    }

    fn start_of(self, day: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Day => day,
            Bucket::Week => day - Duration::days(day.weekday().num_days_from_monday().into()),
            Bucket::Month => day.with_day(1).expect("every month has a first"),
        }
    }

    fn after(self, start: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Day => start + Duration::days(1),
            Bucket::Week => start + Duration::days(7),
            Bucket::Month => start + Months::new(1),
        }
    }

    /// SQL for the bucket of the local day `day` (a day number, see [`clock::day_of_number`]),
    /// named by the number of its first day.
    fn sql(self, day: &str) -> String {
        match self {
            Bucket::Day => day.to_string(),
            // Day 0, 1 January 1970, was a Thursday: three days after a Monday.
            Bucket::Week => format!("({day}) - (({day}) + 3) % 7"),
            Bucket::Month => {
                format!("unixepoch(({day}) * 86400, 'unixepoch', 'start of month') / 86400")
            }
        }
    }

    /// The buckets that cover `period`, each with its value (zero where nothing happened).
    fn series(self, period: &Period, values: &HashMap<NaiveDate, i64>) -> Vec<Point> {
        let mut points = Vec::new();
        let mut start = self.start_of(period.from);
        while start <= period.to {
            let value = values.get(&start).copied().unwrap_or(0);
            points.push(Point { start, value });
            start = self.after(start);
        }
        points
    }
}

/// One bar of a chart: the bucket's first day and its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Point {
    pub start: NaiveDate,
    pub value: i64,
}

/// SQL: the event `e` of the ledger (or of the view `event`) still stands (no void, no forgiven
/// conflict, cancelled it). `report_activity` holds only the events that stand.
fn standing(e: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM ledger c WHERE c.voids = {e}.id AND c.kind IN {})",
        crate::ledger::CANCELLING_KINDS
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_period_that_ends_before_it_starts_is_refused() {
        let error = Period::new(day("2026-11-02"), day("2026-11-01")).unwrap_err();
        assert_eq!(error.code(), "invalid_period");
        assert_eq!(
            Period::new(day("2026-11-01"), day("2026-11-01"))
                .unwrap()
                .days(),
            1
        );
    }

    #[test]
    fn charts_split_a_month_by_day_a_year_by_week_and_more_by_month() {
        let month = Period::month_to(day("2026-11-24"));
        assert_eq!(month.from, day("2026-11-01"));
        assert_eq!(Bucket::for_period(&month), Bucket::Day);
        let year = Period::twelve_months_to(day("2026-11-24"));
        assert_eq!(year.from, day("2025-12-01"));
        assert_eq!(Bucket::for_period(&year), Bucket::Week);
        let three_years = Period::new(day("2024-01-01"), day("2026-12-31")).unwrap();
        assert_eq!(Bucket::for_period(&three_years), Bucket::Month);
    }

    #[test]
    fn weeks_start_on_monday_and_every_bucket_of_the_period_has_a_point() {
        // 2026-11-01 is a Sunday: its week began on Monday 26 October.
        let period = Period::new(day("2026-11-01"), day("2026-11-10")).unwrap();
        let values = HashMap::from([(day("2026-11-02"), 4)]);
        let weeks = Bucket::Week.series(&period, &values);
        let starts: Vec<_> = weeks
            .iter()
            .map(|p| (p.start.to_string(), p.value))
            .collect();
        assert_eq!(
            starts,
            [
                ("2026-10-26".to_string(), 0),
                ("2026-11-02".to_string(), 4),
                ("2026-11-09".to_string(), 0)
            ]
        );
    }
}
