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

#[derive(sqlx::FromRow)]
struct AtRiskRow {
    #[sqlx(flatten)]
    member: MemberAtRisk,
    /// All the members at risk, of which the rows are the first page.
    total: i64,
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
        // A member in no merge is judged on their own visit days, filtered before anything
        // is looked up by name; the few merged members on the days of all their ids, on the
        // member they stand for. Only the page asked for leaves SQLite, with the total.
        let rows: Vec<AtRiskRow> = sqlx::query_as(&format!(
            "WITH merged AS (
                 SELECT n FROM short_id
                 WHERE id IN (SELECT alias_id FROM member_alias
                              UNION SELECT member_id FROM member_alias)),
             regular AS (
                 SELECT s.id AS member, g.visits, g.first_day, g.last_day
                 FROM (SELECT d.member, COUNT(*) AS visits,
                              MIN(d.day) AS first_day, MAX(d.day) AS last_day
                       FROM report_member_day d
                       WHERE d.day >= ?1 AND d.day < ?2 AND d.visit_slots > 0
                       GROUP BY d.member) g
                 JOIN short_id s ON s.n = g.member
                 WHERE g.member NOT IN merged AND g.visits >= {REGULAR_VISITS}
                   AND {away}
                 UNION ALL
                 SELECT COALESCE(al.member_id, s.id), SUM(g.visits),
                        MIN(g.first_day), MAX(g.last_day)
                 FROM (SELECT d.member, COUNT(*) AS visits,
                              MIN(d.day) AS first_day, MAX(d.day) AS last_day
                       FROM report_member_day d
                       WHERE d.member IN merged
                         AND d.day >= ?1 AND d.day < ?2 AND d.visit_slots > 0
                       GROUP BY d.member) g
                 JOIN short_id s ON s.n = g.member
                 LEFT JOIN member_alias al ON al.alias_id = s.id
                 GROUP BY 1 HAVING SUM(g.visits) >= {REGULAR_VISITS})
             SELECT m.id AS member_id, m.code, m.name, g.visits,
                    (g.last_day - g.first_day) * 1.0 / (g.visits - 1) AS usual_interval_days,
                    date(g.last_day * 86400, 'unixepoch') AS last_visit,
                    ?3 - g.last_day AS days_away,
                    COALESCE(m.email_consent, 0) AS email_consent,
                    COALESCE(m.sms_consent, 0) AS sms_consent,
                    COUNT(*) OVER () AS total
             FROM regular g
             JOIN member m ON m.id = g.member
             WHERE m.erased_at IS NULL AND {away}
             ORDER BY (?3 - g.last_day) * (g.visits - 1) * 1.0 / (g.last_day - g.first_day)
                      DESC,
                      m.name
             LIMIT ?4",
            // Away for more than twice their usual interval.
            away = "?3 - g.last_day > 2.0 * (g.last_day - g.first_day) / (g.visits - 1)",
        ))
        .bind(from_day)
        .bind(to_day)
        .bind(number_of_day(as_of))
        // At least a row, to carry the total when none is asked for.
        .bind(limit.map_or(-1, |limit| i64::from(limit.max(1))))
        .fetch_all(self.pool())
        .await?;
        let total = rows.first().map_or(0, |row| row.total);
        let mut members: Vec<MemberAtRisk> = rows.into_iter().map(|row| row.member).collect();
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
