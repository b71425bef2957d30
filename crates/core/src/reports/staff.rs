//! What each staff member did in a period: enrolments, punches, redemptions, voids they made,
//! punches they made inside a program's minimum time (overrides), and how many of their own
//! punches and redemptions someone later cancelled.

use serde::Serialize;
#[cfg(feature = "ts")]
use ts_rs::TS;

use super::Period;
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
        let clock = self.report_calendar().await?;
        let (from_day, to_day) = period.day_numbers();
        let staff = sqlx::query_as(
            "SELECT d.staff AS staff_id, s.name,
                    SUM(d.enrolments) AS enrolments, SUM(d.punches) AS punches,
                    SUM(d.redemptions) AS redemptions, SUM(d.voids) AS voids,
                    SUM(d.overrides) AS overrides, SUM(d.cancelled) AS cancelled
             FROM report_staff_day d LEFT JOIN staff s ON s.id = d.staff
             WHERE d.day >= ?1 AND d.day < ?2
             GROUP BY d.staff
             ORDER BY s.name IS NULL, s.name COLLATE NOCASE",
        )
        .bind(from_day)
        .bind(to_day)
        .fetch_all(self.pool())
        .await?;
        Ok(StaffReport {
            period,
            time_zone: clock.zone_name().to_string(),
            staff,
        })
    }
}
