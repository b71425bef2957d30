//! What each staff member did in a period: enrolments, punches, redemptions, voids they made,
//! punches they made inside a program's minimum time (overrides), how many of their own
//! punches and redemptions someone later cancelled, and their part in the shop's care: the
//! complaints they logged and the ones they put right (issue 13, "everyone's part").

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
    /// Complaints they logged in the period.
    #[sqlx(default)]
    pub complaints_logged: i64,
    /// Complaints they put right (resolved) in the period, theirs or a colleague's.
    #[sqlx(default)]
    pub complaints_resolved: i64,
    /// Surveys they offered that were answered in the period: feedback collected.
    #[sqlx(default)]
    pub feedback_collected: i64,
}

/// One staff member's complaints in a period.
#[derive(sqlx::FromRow)]
struct CareFigures {
    staff_id: StaffId,
    name: Option<String>,
    logged: i64,
    resolved: i64,
}

impl StaffFigures {
    /// The staff member's row, added (with nothing yet) if they had no ledger figures.
    fn row(staff: &mut Vec<StaffFigures>, id: StaffId, name: Option<String>) -> &mut StaffFigures {
        let index = match staff.iter().position(|s| s.staff_id == id) {
            Some(index) => index,
            None => {
                staff.push(StaffFigures::nothing(id, name));
                staff.len() - 1
            }
        };
        &mut staff[index]
    }

    fn nothing(staff_id: StaffId, name: Option<String>) -> StaffFigures {
        StaffFigures {
            staff_id,
            name,
            enrolments: 0,
            punches: 0,
            redemptions: 0,
            voids: 0,
            overrides: 0,
            cancelled: 0,
            complaints_logged: 0,
            complaints_resolved: 0,
            feedback_collected: 0,
        }
    }
}

impl Store {
    /// Managers only: each staff member's figures for `period`, by name.
    pub async fn staff_report(&self, actor: &Actor, period: Period) -> Result<StaffReport> {
        actor.require(Permission::ReadReports)?;
        let period = period.checked()?;
        let clock = self.report_calendar().await?;
        let (from_day, to_day) = period.day_numbers();
        let mut staff: Vec<StaffFigures> = sqlx::query_as(
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
        // Complaints are records, not ledger events: counted from their own times.
        let (from, to) = period.instants(&clock);
        let care: Vec<CareFigures> = sqlx::query_as(
            "WITH care AS (
                 SELECT logged_by AS staff, 1 AS logged, 0 AS resolved FROM complaint
                 WHERE logged_at >= ?1 AND logged_at < ?2
                 UNION ALL
                 SELECT resolved_by, 0, 1 FROM complaint
                 WHERE resolved_by IS NOT NULL AND resolved_at >= ?1 AND resolved_at < ?2)
             SELECT c.staff AS staff_id, s.name, SUM(c.logged) AS logged,
                    SUM(c.resolved) AS resolved
             FROM care c LEFT JOIN staff s ON s.id = c.staff
             GROUP BY c.staff",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        for figures in care {
            let row = StaffFigures::row(&mut staff, figures.staff_id, figures.name);
            row.complaints_logged = figures.logged;
            row.complaints_resolved = figures.resolved;
        }
        for figures in crate::care::surveys::collected(self, from, to).await? {
            StaffFigures::row(&mut staff, figures.staff_id, figures.name).feedback_collected =
                figures.answered;
        }
        // By name, as the first query sorts them, those not known here last.
        staff.sort_by_key(|s| (s.name.is_none(), s.name.as_ref().map(|n| n.to_lowercase())));
        Ok(StaffReport {
            period,
            time_zone: clock.zone_name().to_string(),
            staff,
        })
    }
}
