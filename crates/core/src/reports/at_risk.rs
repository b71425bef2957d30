//! Regulars who stopped coming: members with at least [`REGULAR_VISITS`] visits in the year
//! before the day asked about, who have now been away for more than twice their usual
//! interval (the mean time between those visits). The most overdue come first.

use chrono::{Duration, NaiveDate};
use serde::Serialize;
#[cfg(feature = "ts")]
use ts_rs::TS;

use super::clock::{stored_form, ReportClock};
use super::{standing, Period};
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
        let clock = ReportClock::of(self).await?;
        let year = Period {
            from: as_of - Duration::days(LOOK_BACK_DAYS - 1),
            to: as_of,
        };
        let (from, to) = year.instants(&clock);
        let day = clock.local_day_sql("e.at", from, to);
        let first_day = clock.local_day_sql("g.first_at", from, to);
        let last_day = clock.local_day_sql("g.last_at", from, to);
        // Grouped by member straight from the period's events (a sort), the first and last
        // visits as instants turned into days once per member: several times faster than a
        // DISTINCT of (member, day) pairs. A merged member's two ids are added up after.
        let mut members: Vec<MemberAtRisk> = sqlx::query_as(&format!(
            "SELECT m.id AS member_id, m.code, m.name, v.visits,
                    (julianday(v.last_day) - julianday(v.first_day)) / (v.visits - 1)
                        AS usual_interval_days,
                    v.last_day AS last_visit,
                    CAST(julianday(?3) - julianday(v.last_day) AS INTEGER) AS days_away,
                    COALESCE(m.email_consent, 0) AS email_consent,
                    COALESCE(m.sms_consent, 0) AS sms_consent
             FROM (SELECT COALESCE(a.member_id, g.member) AS member, SUM(g.visits) AS visits,
                          MIN({first_day}) AS first_day, MAX({last_day}) AS last_day
                   FROM (SELECT e.member_id AS member, COUNT(DISTINCT {day}) AS visits,
                                MIN(e.at) AS first_at, MAX(e.at) AS last_at
                         FROM event e
                         WHERE e.at >= ?1 AND e.at < ?2 AND e.kind IN ('punch', 'redeem')
                           AND {standing}
                         GROUP BY e.member_id) g
                   LEFT JOIN member_alias a ON a.alias_id = g.member
                   GROUP BY 1 HAVING SUM(g.visits) >= {REGULAR_VISITS}) v
             JOIN member m ON m.id = v.member
             WHERE m.erased_at IS NULL
               AND julianday(?3) - julianday(v.last_day)
                   > 2 * (julianday(v.last_day) - julianday(v.first_day)) / (v.visits - 1)
             ORDER BY (julianday(?3) - julianday(v.last_day))
                      / (julianday(v.last_day) - julianday(v.first_day)) * (v.visits - 1) DESC,
                      m.name",
            standing = standing("e"),
        ))
        .bind(stored_form(from))
        .bind(stored_form(to))
        .bind(as_of)
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
