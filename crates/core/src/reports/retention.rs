//! Do new members come back? Members are grouped by the month they enrolled in (a cohort);
//! for each cohort, the share that came back within 30, 60 and 90 days: a visit on a later
//! day than the enrolment, no more than so many days after it.

use std::collections::HashMap;

use chrono::{Duration, Months, NaiveDate, Utc};
use serde::Serialize;
#[cfg(feature = "ts")]
use ts_rs::TS;

use super::clock::day_of_number;
use super::{Bucket, Period};
use crate::error::Result;
use crate::people::auth::Permission;
use crate::people::shop::Actor;
use crate::store::Store;

/// The windows a cohort is measured over, in days.
pub const WINDOWS: [i64; 3] = [30, 60, 90];

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Retention {
    pub period: Period,
    pub time_zone: String,
    /// Every month of the period, oldest first (months with no enrolment too).
    pub cohorts: Vec<Cohort>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Cohort {
    /// The month's first day.
    pub month: NaiveDate,
    pub enrolled: i64,
    /// One per window of [`WINDOWS`].
    pub windows: Vec<CameBack>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct CameBack {
    pub days: i64,
    pub members: i64,
    /// `members / enrolled`; none for a month with no enrolment.
    pub share: Option<f64>,
    /// False while some of the cohort's members are still inside the window: the share can
    /// still grow.
    pub complete: bool,
}

impl Store {
    /// Managers only: the cohorts of the months of `period`.
    pub async fn retention_report(&self, actor: &Actor, period: Period) -> Result<Retention> {
        actor.require(Permission::ReadReports)?;
        let period = period.checked()?;
        let clock = self.report_calendar().await?;
        let (from_day, to_day) = period.day_numbers();
        let [w30, w60, w90] = WINDOWS;
        // Each enrolment day of the period, and the member's first visit day after it.
        let rows: Vec<(i64, i64, i64, i64, i64)> = sqlx::query_as(&format!(
            "SELECT {month}, COUNT(*),
                    SUM(CASE WHEN back <= {w30} THEN 1 ELSE 0 END),
                    SUM(CASE WHEN back <= {w60} THEN 1 ELSE 0 END),
                    SUM(CASE WHEN back <= {w90} THEN 1 ELSE 0 END)
             FROM (SELECT e.day,
                          (SELECT v.day FROM report_member_day v
                           WHERE v.member = e.member AND v.day > e.day
                             AND v.day <= e.day + {w90} AND v.visit_slots > 0
                           ORDER BY v.day LIMIT 1) - e.day AS back
                   FROM report_member_day e
                   WHERE e.day >= ?1 AND e.day < ?2 AND e.enrol_slots > 0)
             GROUP BY 1",
            month = Bucket::Month.sql("day"),
        ))
        .bind(from_day)
        .bind(to_day)
        .fetch_all(self.pool())
        .await?;
        let by_month: HashMap<NaiveDate, (i64, [i64; 3])> = rows
            .into_iter()
            .map(|(month, enrolled, a, b, c)| (day_of_number(month), (enrolled, [a, b, c])))
            .collect();

        let now = Utc::now();
        let cohorts = Bucket::Month
            .series(&period, &HashMap::new())
            .into_iter()
            .map(|point| {
                let month = point.start;
                let (enrolled, came_back) = by_month.get(&month).copied().unwrap_or_default();
                // The cohort's last enrolment can be as late as its month's (or the period's)
                // last day: its window closes that many days after the day ends.
                let last_day = (month + Months::new(1) - Duration::days(1)).min(period.to);
                let last_instant = clock.start_of(last_day + Duration::days(1));
                let windows = WINDOWS
                    .iter()
                    .zip(came_back)
                    .map(|(&days, members)| CameBack {
                        days,
                        members,
                        share: (enrolled > 0).then(|| members as f64 / enrolled as f64),
                        complete: last_instant + Duration::days(days) <= now,
                    })
                    .collect();
                Cohort {
                    month,
                    enrolled,
                    windows,
                }
            })
            .collect();
        Ok(Retention {
            period,
            time_zone: clock.zone_name().to_string(),
            cohorts,
        })
    }
}
