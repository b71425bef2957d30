//! Regulars who stopped coming: members with at least [`REGULAR_VISITS`] visits in the year
//! before the day asked about, who have now been away for more than twice their usual
//! interval (the mean time between those visits). The most overdue come first.

use chrono::{Duration, NaiveDate};
use serde::Serialize;
#[cfg(feature = "ts")]
use ts_rs::TS;

use super::clock::number_of_day;
use super::Period;
use crate::error::Result;
use crate::ids::MemberId;
use crate::people::auth::Permission;
use crate::people::shop::Actor;
use crate::store::Store;

/// Visits in the last year that make a member a regular.
pub const REGULAR_VISITS: i64 = 3;
/// How far back a member's visits are read.
const LOOK_BACK_DAYS: i64 = 365;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct AtRisk {
    pub as_of: NaiveDate,
    pub time_zone: String,
    /// How many members are at risk (the list may be cut at the caller's limit).
    pub total: i64,
    pub members: Vec<MemberAtRisk>,
}

#[derive(Clone, Debug, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct MemberAtRisk {
    pub member_id: MemberId,
    pub code: String,
    pub name: String,
    /// Visits in the year before `as_of`.
    pub visits: i64,
    /// Days between two visits, on average.
    pub usual_interval_days: f64,
    pub last_visit: NaiveDate,
    pub days_away: i64,
    /// Whether the member agreed to hear from the shop by email, by SMS.
    pub email_consent: bool,
    pub sms_consent: bool,
}

impl Store {
    /// Managers only: the members at risk on `as_of` (a local day), at most `limit` of them.
    pub async fn at_risk_report(
        &self,
        actor: &Actor,
        as_of: NaiveDate,
        limit: Option<u32>,
    ) -> Result<AtRisk> {
        actor.require(Permission::ReadReports)?;
        let clock = self.report_calendar().await?;
        let year = Period {
            from: as_of - Duration::days(LOOK_BACK_DAYS - 1),
            to: as_of,
        };
        let (from_day, to_day) = year.day_numbers();
        let mut members: Vec<MemberAtRisk> = sqlx::query_as(&format!(
            "SELECT m.id AS member_id, m.code, m.name, v.visits,
                    (v.last_day - v.first_day) * 1.0 / (v.visits - 1) AS usual_interval_days,
                    date(v.last_day * 86400, 'unixepoch') AS last_visit,
                    ?3 - v.last_day AS days_away,
                    COALESCE(m.email_consent, 0) AS email_consent,
                    COALESCE(m.sms_consent, 0) AS sms_consent
             FROM (SELECT COALESCE(al.member_id, s.id) AS member, SUM(g.visits) AS visits,
                          MIN(g.first_day) AS first_day, MAX(g.last_day) AS last_day
                   FROM (SELECT d.member, COUNT(*) AS visits,
                                MIN(d.day) AS first_day, MAX(d.day) AS last_day
                         FROM report_member_day d
                         WHERE d.day >= ?1 AND d.day < ?2 AND d.visit_slots > 0
                         GROUP BY d.member) g
                   JOIN short_id s ON s.n = g.member
                   LEFT JOIN member_alias al ON al.alias_id = s.id
                   GROUP BY 1 HAVING SUM(g.visits) >= {REGULAR_VISITS}) v
             JOIN member m ON m.id = v.member
             WHERE m.erased_at IS NULL
               AND ?3 - v.last_day > 2.0 * (v.last_day - v.first_day) / (v.visits - 1)
             ORDER BY (?3 - v.last_day) * (v.visits - 1) * 1.0 / (v.last_day - v.first_day)
                      DESC,
                      m.name",
        ))
        .bind(from_day)
        .bind(to_day)
        .bind(number_of_day(as_of))
        .fetch_all(self.pool())
        .await?;
        let total = members.len() as i64;
        if let Some(limit) = limit {
            members.truncate(limit as usize);
        }
        Ok(AtRisk {
            as_of,
            time_zone: clock.zone_name().to_string(),
            total,
            members,
        })
    }
}
