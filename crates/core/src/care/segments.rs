//! Segments: groups of members read from the ledger, for a campaign to write to
//! (docs/decisions/0031-panel-and-campaigns.md). A segment never holds an erased member, nor a
//! member merged into another (the member they stand for is in it instead).

use chrono::{Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::error::Result;
use crate::ids::MemberId;
use crate::people::shop::Actor;
use crate::reports::at_risk::REGULAR_VISITS;
use crate::reports::Period;
use crate::store::Store;

/// Days since enrolment that make a member new.
pub const NEW_DAYS: i64 = 30;
/// The days over which a regular's visits are counted ([`REGULAR_VISITS`] of them at least).
pub const REGULAR_DAYS: i64 = 90;

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Segment {
    /// Regulars who stopped coming (the at-risk report's members).
    AtRisk,
    /// Enrolled in the last [`NEW_DAYS`] days.
    New,
    /// At least [`REGULAR_VISITS`] visits in the last [`REGULAR_DAYS`] days.
    Regulars,
    /// Their birthday is this month.
    Birthday,
    /// They agreed to be on the shop's panel.
    Panel,
}

impl Segment {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Members in no merge and not erased: `m` is the member table.
const CURRENT: &str =
    "m.erased_at IS NULL AND NOT EXISTS (SELECT 1 FROM member_alias a WHERE a.alias_id = m.id)";

impl Store {
    /// The members in `segment` on the shop's `today`, oldest members first. Reading the at-risk
    /// segment is reading a report: a manager's.
    pub async fn segment_members(
        &self,
        actor: &Actor,
        segment: Segment,
        today: NaiveDate,
    ) -> Result<Vec<MemberId>> {
        let order = "ORDER BY m.created_at, m.id";
        let ids = match segment {
            Segment::AtRisk => {
                let report = self.at_risk_report(actor, today, None).await?;
                return Ok(report.members.into_iter().map(|m| m.member_id).collect());
            }
            Segment::New => {
                sqlx::query_scalar(&format!(
                    "SELECT m.id FROM member m WHERE {CURRENT} AND m.created_at >= ? {order}"
                ))
                .bind(Utc::now() - Duration::days(NEW_DAYS))
                .fetch_all(self.pool())
                .await?
            }
            Segment::Regulars => {
                // The day tables, counted in the shop's zone (once, after a change of zone).
                self.report_calendar().await?;
                let (from_day, to_day) = Period {
                    from: today - Duration::days(REGULAR_DAYS - 1),
                    to: today,
                }
                .day_numbers();
                // A merged member's visits count on the member they stand for, a day once.
                sqlx::query_scalar(&format!(
                    "WITH regular AS (
                         SELECT COALESCE(al.member_id, s.id) AS member
                         FROM report_member_day d
                         JOIN short_id s ON s.n = d.member
                         LEFT JOIN member_alias al ON al.alias_id = s.id
                         WHERE d.day >= ? AND d.day < ? AND d.visit_slots > 0
                         GROUP BY 1 HAVING COUNT(DISTINCT d.day) >= {REGULAR_VISITS})
                     SELECT m.id FROM regular r JOIN member m ON m.id = r.member
                     WHERE {CURRENT} {order}"
                ))
                .bind(from_day)
                .bind(to_day)
                .fetch_all(self.pool())
                .await?
            }
            Segment::Birthday => {
                sqlx::query_scalar(&format!(
                    "SELECT m.id FROM member m
                     WHERE {CURRENT} AND substr(m.birthday, 1, 2) = ? {order}"
                ))
                .bind(today.format("%m").to_string())
                .fetch_all(self.pool())
                .await?
            }
            Segment::Panel => {
                sqlx::query_scalar(&format!(
                    "SELECT m.id FROM member m WHERE {CURRENT} AND m.panel_consent = 1 {order}"
                ))
                .fetch_all(self.pool())
                .await?
            }
        };
        Ok(ids)
    }
}
