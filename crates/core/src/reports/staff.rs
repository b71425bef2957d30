//! What each staff member did in a period: enrolments, punches, redemptions, voids they made,
//! punches they made inside a program's minimum time (overrides), and how many of their own
//! punches and redemptions someone later cancelled.

use serde::Serialize;
#[cfg(feature = "ts")]
use ts_rs::TS;

use super::clock::{stored_form, ReportClock};
use super::{standing, Period};
use crate::error::Result;
use crate::ids::StaffId;
use crate::people::auth::Permission;
use crate::people::shop::Actor;
use crate::store::Store;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct StaffReport {
    pub period: Period,
    pub time_zone: String,
    pub staff: Vec<StaffFigures>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct StaffFigures {
    pub staff_id: StaffId,
    /// None for a staff member of another shop whose details have not arrived.
    pub name: Option<String>,
    pub enrolments: i64,
    pub punches: i64,
    pub redemptions: i64,
    pub voids: i64,
    pub overrides: i64,
    /// Their punches and redemptions that were later cancelled (by them or anyone).
    pub cancelled: i64,
}

impl Store {
    /// Managers only: each staff member's figures for `period`, by name.
    pub async fn staff_report(&self, actor: &Actor, period: Period) -> Result<StaffReport> {
        actor.require(Permission::ReadReports)?;
        let period = period.checked()?;
        let clock = ReportClock::of(self).await?;
        let (from, to) = period.instants(&clock);
        let staff = sqlx::query_as(&format!(
            "SELECT e.staff_id, s.name,
                    SUM(e.kind = 'enroll') AS enrolments,
                    SUM(e.kind = 'punch') AS punches,
                    SUM(e.kind = 'redeem') AS redemptions,
                    SUM(e.kind = 'void') AS voids,
                    SUM(e.kind = 'punch' AND e.reason IS NOT NULL) AS overrides,
                    SUM(e.kind IN ('punch', 'redeem') AND NOT {standing}) AS cancelled
             FROM event e LEFT JOIN staff s ON s.id = e.staff_id
             WHERE e.at >= ?1 AND e.at < ?2
               AND e.kind IN ('enroll', 'punch', 'redeem', 'void')
             GROUP BY e.staff_id
             ORDER BY s.name IS NULL, s.name COLLATE NOCASE",
            standing = standing("e"),
        ))
        .bind(stored_form(from))
        .bind(stored_form(to))
        .fetch_all(self.pool())
        .await?;
        Ok(StaffReport {
            period,
            time_zone: clock.zone_name().to_string(),
            staff,
        })
    }
}
