//! The period at a glance: members who came back, rewards given, new members (each with its
//! chart), visits per week, and each program's punches and rewards.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
#[cfg(feature = "ts")]
use ts_rs::TS;

use super::clock::{day_of_number, slot};
use super::{Bucket, Period, Point};
use crate::counter::programs::ProgramKind;
use crate::error::Result;
use crate::ids::ProgramId;
use crate::people::auth::Permission;
use crate::people::shop::Actor;
use crate::store::Store;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Summary {
    pub period: Period,
    /// The zone the days were counted in (the shop's).
    pub time_zone: String,
    /// Members with a visit in the period who had been members before it began.
    pub returning_members: i64,
    /// Rewards handed over: a stamp card's rewards, or a points program's redemptions.
    pub rewards_given: i64,
    pub new_members: i64,
    /// How the three series below split the period.
    pub bucket: Bucket,
    pub returning_series: Vec<Point>,
    pub rewards_series: Vec<Point>,
    pub new_members_series: Vec<Point>,
    /// Visits (members' distinct days) per week, weeks from Monday.
    pub visits_per_week: Vec<Point>,
    pub programs: Vec<ProgramFigures>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct ProgramFigures {
    pub program_id: ProgramId,
    pub name: String,
    pub kind: ProgramKind,
    /// Stamps given, or points earned.
    pub punches: i64,
    /// Stamp cards filled in the period (a points program has thresholds, not fills: none).
    pub rewards_earned: Option<i64>,
    /// Rewards handed over (a points program: redemptions).
    pub rewards_redeemed: i64,
}

/// One bucket's figures for a program (none: the enrolments).
#[derive(sqlx::FromRow)]
struct BucketFigures {
    bucket: i64,
    program: Option<ProgramId>,
    events: i64,
    punches: i64,
    rewards: i64,
    redemptions: i64,
    fills: i64,
}

struct ProgramRow {
    id: ProgramId,
    name: String,
    kind: ProgramKind,
    active: bool,
}

impl Store {
    /// Managers only: the period at a glance, its days in the shop's time zone.
    pub async fn summary_report(&self, actor: &Actor, period: Period) -> Result<Summary> {
        actor.require(Permission::ReadReports)?;
        let period = period.checked()?;
        let clock = self.report_calendar().await?;
        let (from_day, to_day) = period.day_numbers();
        let bucket = Bucket::for_period(&period);

        // Visits, and the members who came back: a visit day whose member was last seen
        // before the span (the period, or one bar of its chart) began.
        let rows: Vec<(String, Option<i64>, i64)> = sqlx::query_as(&format!(
            "SELECT 'back', {bucket_day}, SUM(members) FROM report_return
                 WHERE day >= ?1 AND day < ?2 AND back_from < MAX({bucket_day}, ?1) GROUP BY 2
             UNION ALL
             SELECT 'visits', {week_day}, SUM(members) FROM report_return
                 WHERE day >= ?1 AND day < ?2 GROUP BY 2
             UNION ALL
             SELECT 'back_total', NULL, COALESCE(SUM(members), 0) FROM report_return
                 WHERE day >= ?1 AND day < ?2 AND back_from < ?1",
            bucket_day = bucket.sql("day"),
            week_day = Bucket::Week.sql("day"),
        ))
        .bind(from_day)
        .bind(to_day)
        .fetch_all(self.pool())
        .await?;
        let mut returning_by_bucket = HashMap::new();
        let mut visits_by_week = HashMap::new();
        let mut returning_members = 0;
        for (what, start, value) in rows {
            match (what.as_str(), start.map(day_of_number)) {
                ("back", Some(start)) => _ = returning_by_bucket.insert(start, value),
                ("visits", Some(start)) => _ = visits_by_week.insert(start, value),
                _ => returning_members = value,
            }
        }

        // Enrolments (program 0), stamps or points given, redemptions and cards filled, by
        // bucket and program.
        let rows: Vec<BucketFigures> = sqlx::query_as(&format!(
            "SELECT g.bucket, s.id AS program, g.events, g.punches, g.rewards, g.redemptions,
                    g.fills
             FROM (SELECT {bucket_day} AS bucket, d.program, SUM(d.events) AS events,
                          SUM(d.punches) AS punches, SUM(d.rewards) AS rewards,
                          SUM(d.redemptions) AS redemptions, SUM(d.fills) AS fills
                   FROM report_day d WHERE d.day >= ?1 AND d.day < ?2
                   GROUP BY 1, 2) g
             LEFT JOIN short_id s ON s.n = g.program",
            bucket_day = bucket.sql("d.day"),
        ))
        .bind(from_day)
        .bind(to_day)
        .fetch_all(self.pool())
        .await?;
        let programs = self.report_programs().await?;
        let kind_of = |id: ProgramId| {
            programs
                .iter()
                .find(|p| p.id == id)
                .map_or(ProgramKind::Stamps, |p| p.kind)
        };
        let mut new_by_bucket: HashMap<NaiveDate, i64> = HashMap::new();
        let mut rewards_by_bucket: HashMap<NaiveDate, i64> = HashMap::new();
        let mut punches: HashMap<ProgramId, i64> = HashMap::new();
        let mut redeemed: HashMap<ProgramId, i64> = HashMap::new();
        let mut earned: HashMap<ProgramId, i64> = HashMap::new();
        for BucketFigures {
            bucket: start,
            program,
            events,
            punches: given,
            rewards,
            redemptions,
            fills,
        } in rows
        {
            let start = day_of_number(start);
            let Some(program) = program else {
                *new_by_bucket.entry(start).or_default() += events;
                continue;
            };
            *punches.entry(program).or_default() += given;
            *earned.entry(program).or_default() += fills;
            // A stamp card's redemption hands over `amount` rewards; a points program's, one
            // reward that cost `amount` points.
            let rewards = match kind_of(program) {
                ProgramKind::Stamps => rewards,
                ProgramKind::Points => redemptions,
            };
            *rewards_by_bucket.entry(start).or_default() += rewards;
            *redeemed.entry(program).or_default() += rewards;
        }
        let (from, to) = period.instants(&clock);
        for (program, correction) in self.merged_cards_filled(from, to, from_day, to_day).await? {
            *earned.entry(program).or_default() += correction;
        }

        let programs = programs
            .into_iter()
            .filter(|p| p.active || punches.contains_key(&p.id) || redeemed.contains_key(&p.id))
            .map(|p| ProgramFigures {
                program_id: p.id,
                punches: punches.get(&p.id).copied().unwrap_or(0),
                rewards_earned: (p.kind == ProgramKind::Stamps)
                    .then(|| earned.get(&p.id).copied().unwrap_or(0)),
                rewards_redeemed: redeemed.get(&p.id).copied().unwrap_or(0),
                name: p.name,
                kind: p.kind,
            })
            .collect();
        Ok(Summary {
            period,
            time_zone: clock.zone_name().to_string(),
            returning_members,
            rewards_given: rewards_by_bucket.values().sum(),
            new_members: new_by_bucket.values().sum(),
            bucket,
            returning_series: bucket.series(&period, &returning_by_bucket),
            rewards_series: bucket.series(&period, &rewards_by_bucket),
            new_members_series: bucket.series(&period, &new_by_bucket),
            visits_per_week: Bucket::Week.series(&period, &visits_by_week),
            programs,
        })
    }

    /// Every program, retired ones too (their past still counts), by name.
    async fn report_programs(&self) -> Result<Vec<ProgramRow>> {
        let rows: Vec<(ProgramId, String, ProgramKind, bool)> = sqlx::query_as(
            "SELECT id, name, kind, active AND retired_at IS NULL FROM program
             ORDER BY name COLLATE NOCASE, created_at",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, kind, active)| ProgramRow {
                id,
                name,
                kind,
                active,
            })
            .collect())
    }

    /// What `report_day` gets wrong about cards filled by merged members, per program: it
    /// counts each card under the member its events named, while a merged member's punches
    /// fill the card of the member they now stand for. The few members in a merge are
    /// counted again here, exactly: a card filled ⌊(T − A)/n⌋ − ⌊(T − A − P)/n⌋ times in the
    /// period, where T is its total now, P its punches in the period and A those after it.
    async fn merged_cards_filled(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        from_day: i64,
        to_day: i64,
    ) -> Result<HashMap<ProgramId, i64>> {
        let rows: Vec<(ProgramId, i64)> = sqlx::query_as(
            "WITH merged AS (
                 SELECT n FROM short_id
                 WHERE id IN (SELECT alias_id FROM member_alias
                              UNION SELECT member_id FROM member_alias)),
             moved AS (
                 SELECT COALESCE(al.member_id, m.id) AS member, p.id AS program,
                        SUM(g.inside) AS inside, SUM(g.after) AS after
                 FROM (SELECT a.member, a.program,
                              SUM(CASE WHEN a.slot < ?2 THEN a.punches ELSE 0 END) AS inside,
                              SUM(CASE WHEN a.slot >= ?2 THEN a.punches ELSE 0 END) AS after
                       FROM report_activity a
                       WHERE a.member IN merged AND a.slot >= ?1 AND a.program <> 0
                         AND a.punches <> 0
                       GROUP BY a.member, a.program) g
                 JOIN short_id m ON m.n = g.member
                 JOIN short_id p ON p.n = g.program
                 LEFT JOIN member_alias al ON al.alias_id = m.id
                 GROUP BY 1, 2),
             exact AS (
                 SELECT m.program,
                        SUM((c.punches_total - m.after) / p.punches_needed
                            - (c.punches_total - m.after - m.inside) / p.punches_needed) AS filled
                 FROM moved m
                 JOIN card c ON c.member_id = m.member AND c.program_id = m.program
                 JOIN program p ON p.id = m.program
                 WHERE p.kind = 'stamps'
                 GROUP BY m.program),
             counted AS (
                 SELECT s.id AS program, SUM(c.fills) AS filled
                 FROM report_card_day c JOIN short_id s ON s.n = c.program
                 WHERE c.member IN merged AND c.day >= ?3 AND c.day < ?4
                 GROUP BY 1)
             SELECT program, SUM(filled) FROM (SELECT program, filled FROM exact
                                               UNION ALL
                                               SELECT program, -filled FROM counted)
             GROUP BY program",
        )
        .bind(slot(from))
        .bind(slot(to))
        .bind(from_day)
        .bind(to_day)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().collect())
    }
}
