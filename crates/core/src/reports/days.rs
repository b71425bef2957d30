//! The counts reports read, kept per local day of the shop (migration 0015,
//! docs/decisions/0026-report-days.md): `report_day` (what stands, and the stamp cards filled,
//! per day and program), `report_member_day` and `report_return` (who visited, and since when
//! they had been away), `report_card_day` (each card's punches per day), `report_staff_day`
//! (what each staff member did per day).
//!
//! Triggers keep them from `report_activity` (the staff's, from the ledger) as the events are
//! counted, in batches after their commits (`feed`). They count in the shop's
//! time zone, which they read from `report_zone`: this module writes that table and builds the
//! tables in one pass whenever the zone they were counted in is not the shop's (when the store
//! opens after the upgrade, when a manager sets a new zone, at the first report after a new
//! zone came by sync), and `tessera doctor` compares them with a fresh count.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::activity::{Comparison, Rows};
use super::clock::{slot, ReportClock, SLOT_NS};
use crate::error::Result;
use crate::store::{Store, WriteTx};

/// SQL for the local day of the quarter hour in `slot`, through `report_zone`: the same
/// expression as the triggers'.
fn local_day(slot: &str) -> String {
    format!(
        "({slot} * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z \
         WHERE z.from_slot <= {slot} ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440"
    )
}

/// Each card's punches per day, with those it had before. `and` narrows the activity read.
fn counted_card_days(and: &str) -> String {
    format!(
        "SELECT g.member, g.program, g.day, g.punches,
                SUM(g.punches) OVER (PARTITION BY g.member, g.program ORDER BY g.day
                                     ROWS UNBOUNDED PRECEDING) - g.punches AS before,
                k.needed
         FROM (SELECT a.member, a.program, {day} AS day, SUM(a.punches) AS punches
               FROM report_activity a WHERE a.program <> 0 {and}
               GROUP BY 1, 2, 3 HAVING SUM(a.punches) <> 0) g
         LEFT JOIN (SELECT s.n, p.punches_needed AS needed FROM program p
                    JOIN short_id s ON s.id = p.id WHERE p.kind = 'stamps') k
                ON k.n = g.program",
        day = local_day("a.slot")
    )
}

const STORED_CARD_DAYS: &str =
    "SELECT member, program, day, punches, before, needed FROM report_card_day";

/// What stands per day and program, with the cards `report_card_day` says were filled. `from`
/// narrows the activity read, `fills_from` the cards' days.
fn counted_days(from: &str, fills_from: &str) -> String {
    format!(
        "SELECT g.day, g.program, g.events, g.punches, g.rewards, g.redemptions,
                COALESCE(f.fills, 0) AS fills
         FROM (SELECT {day} AS day, a.program, SUM(a.events) AS events,
                      SUM(a.punches) AS punches, SUM(a.rewards) AS rewards,
                      SUM(a.redemptions) AS redemptions
               FROM report_activity a {from} GROUP BY 1, 2) g
         LEFT JOIN (SELECT day, program, SUM(fills) AS fills FROM report_card_day {fills_from}
                    GROUP BY 1, 2) f
                ON f.day = g.day AND f.program = g.program",
        day = local_day("a.slot")
    )
}

const STORED_DAYS: &str =
    "SELECT day, program, events, punches, rewards, redemptions, fills FROM report_day";

/// Each member's days, a visit day with the day the member was last seen before it. `members`
/// narrows the activity read.
fn counted_member_days(members: &str) -> String {
    format!(
        "SELECT member, day, visit_slots, enrol_slots,
                CASE WHEN visit_slots > 0
                     THEN COALESCE(LAG(day) OVER (PARTITION BY member, visit_slots > 0
                                                  ORDER BY day),
                                   MIN(first, day)) END AS back_from
         FROM (SELECT member, day, visit_slots, enrol_slots,
                      MIN(day) OVER (PARTITION BY member) AS first
               FROM (SELECT a.member, {day} AS day, SUM(a.program <> 0) AS visit_slots,
                            SUM(a.program = 0) AS enrol_slots
                     FROM report_activity a INDEXED BY report_activity_by_member {members}
                     GROUP BY 1, 2))",
        day = local_day("a.slot")
    )
}

const STORED_MEMBER_DAYS: &str =
    "SELECT member, day, visit_slots, enrol_slots, back_from FROM report_member_day";

/// What each staff member did per day: the staff report's figures. `and` narrows the events
/// read.
fn counted_staff_days(and: &str) -> String {
    format!(
        "SELECT d.day, s.id AS staff, d.enrolments, d.punches, d.redemptions, d.voids,
                d.overrides, d.cancelled
         FROM (SELECT {day} AS day, e.staff AS staff,
                      SUM(e.kind = 1) AS enrolments,
                      SUM(e.kind = 2) AS punches,
                      SUM(e.kind = 3) AS redemptions,
                      SUM(e.kind = 4) AS voids,
                      SUM(e.kind = 2 AND e.reason IS NOT NULL) AS overrides,
                      SUM(e.kind IN (2, 3) AND NOT {standing}) AS cancelled
               FROM ledger e
               WHERE e.kind IN (1, 2, 3, 4) {and}
               GROUP BY 1, 2) d
         JOIN short_id s ON s.n = d.staff",
        day = local_day(&format!("(e.at / {SLOT_NS})")),
        standing = super::standing("e"),
    )
}

const STORED_STAFF_DAYS: &str = "SELECT day, staff, enrolments, punches, redemptions, voids,
                                        overrides, cancelled
                                 FROM report_staff_day";

/// How many members came back on each day after an absence since each day. `and` narrows the
/// members' days read.
fn counted_returns(and: &str) -> String {
    format!(
        "SELECT day, back_from, COUNT(*) AS members FROM report_member_day
         WHERE back_from IS NOT NULL {and} GROUP BY 1, 2"
    )
}

const STORED_RETURNS: &str = "SELECT day, back_from, members FROM report_return";

impl Store {
    /// The shop's calendar, with the day tables counted in it: built here, in one
    /// transaction, if they were counted in another zone or not yet at all. Every event of the
    /// ledger is counted in them when this returns (`feed`): what each report asks first.
    pub(crate) async fn report_calendar(&self) -> Result<ReportClock> {
        let clock = ReportClock::of(self).await?;
        self.count_report_days_in(&clock).await?;
        self.count_for_reports().await?;
        Ok(clock)
    }

    async fn count_report_days_in(&self, clock: &ReportClock) -> Result<()> {
        if self.report_days_zone().await?.as_deref() != Some(clock.zone_name()) {
            let mut tx = self.begin_write().await?;
            count_report_days(&mut tx, clock).await?;
            self.commit(tx).await?;
        }
        Ok(())
    }

    /// Counts the day tables when the shop has a zone they were not counted in: after the
    /// upgrade that brought them, or a new zone from the settings or from sync. It takes a few
    /// minutes once on a chain of a million members, so it happens when the store opens, like
    /// a migration, rather than in the middle of the counter's day.
    pub(crate) async fn count_report_days_if_needed(&self) -> Result<()> {
        // Read once: this runs at every open, the CLI's included.
        if let Some(shop) = self.shop().await? {
            let clock = ReportClock::zone(shop.time_zone.as_deref());
            self.count_report_days_in(&clock).await?;
        }
        Ok(())
    }

    async fn report_days_zone(&self) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT zone FROM report_calendar WHERE id = 1")
                .fetch_optional(self.pool())
                .await?
                .flatten(),
        )
    }

    /// The day tables against a fresh count of `report_activity`, for `doctor`: none while
    /// they are not counted yet (no zone), which is sound.
    pub(crate) async fn report_days_comparisons(&self, rows: &Rows) -> Result<Vec<Comparison>> {
        if self.report_days_zone().await?.is_none() {
            return Ok(Vec::new());
        }
        let compare = |counted: String, stored: String| Comparison {
            check: "report_days_match_activity",
            counted,
            stored,
        };
        Ok(match rows {
            Rows::All => vec![
                compare(counted_card_days(""), STORED_CARD_DAYS.into()),
                compare(counted_days("", ""), STORED_DAYS.into()),
                compare(counted_member_days(""), STORED_MEMBER_DAYS.into()),
                compare(counted_returns(""), STORED_RETURNS.into()),
                compare(counted_staff_days(""), STORED_STAFF_DAYS.into()),
            ],
            // Kept per member: the members touched, all their days. Kept per day: the days from
            // the first touched on, counted from what can fall in them.
            Rows::Since(since) => {
                let members = since.member_list();
                let day = since.first_day();
                let by_member = |stored: &str| format!("{stored} WHERE member IN {members}");
                let from_day = |query: &str| format!("SELECT * FROM ({query}) WHERE day >= {day}");
                let activity_from_day = format!("WHERE a.slot >= {}", since.first_day_slot());
                let events_from_day = since.events_from();
                vec![
                    compare(
                        counted_card_days(&format!("AND a.member IN {members}")),
                        by_member(STORED_CARD_DAYS),
                    ),
                    compare(
                        from_day(&counted_days(
                            &activity_from_day,
                            &format!("WHERE day >= {day}"),
                        )),
                        from_day(STORED_DAYS),
                    ),
                    compare(
                        counted_member_days(&format!("WHERE a.member IN {members}")),
                        by_member(STORED_MEMBER_DAYS),
                    ),
                    compare(
                        counted_returns(&format!("AND day >= {day}")),
                        from_day(STORED_RETURNS),
                    ),
                    compare(
                        from_day(&counted_staff_days(&events_from_day)),
                        from_day(STORED_STAFF_DAYS),
                    ),
                ]
            }
        })
    }
}

/// Stops the day triggers while `report_activity` is rewritten in `tx` (a rebuild counts the
/// days again afterwards, with [`count_report_days`]).
pub(crate) async fn pause_report_days(tx: &mut WriteTx) -> Result<()> {
    sqlx::query("UPDATE report_calendar SET zone = NULL WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Writes the zone's offsets and counts the day tables afresh from `report_activity`, then
/// lets the triggers keep them.
pub(crate) async fn count_report_days(tx: &mut WriteTx, clock: &ReportClock) -> Result<()> {
    // `report_activity` whole first: the staff's days are counted from the ledger itself
    // below, and an event counted there and later again through the feed would count twice.
    super::feed::count_new_events(tx).await?;
    // Written afresh, not through the events: the doctor's next run looks at all of them.
    crate::support::doctor::forget_mark(tx).await?;
    pause_report_days(tx).await?;
    for table in [
        "report_zone",
        "report_day",
        "report_member_day",
        "report_return",
        "report_card_day",
        "report_staff_day",
    ] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut **tx)
            .await?;
    }
    for (from_slot, offset_minutes) in zone_offsets(clock) {
        sqlx::query("INSERT INTO report_zone (from_slot, offset_minutes) VALUES (?1, ?2)")
            .bind(from_slot)
            .bind(offset_minutes)
            .execute(&mut **tx)
            .await?;
    }
    for (table, counted) in [
        (
            "report_card_day (member, program, day, punches, before, needed)",
            counted_card_days(""),
        ),
        (
            "report_day (day, program, events, punches, rewards, redemptions, fills)",
            counted_days("", ""),
        ),
        (
            "report_member_day (member, day, visit_slots, enrol_slots, back_from)",
            counted_member_days(""),
        ),
        (
            "report_return (day, back_from, members)",
            counted_returns(""),
        ),
        (
            "report_staff_day (day, staff, enrolments, punches, redemptions, voids, overrides,
                               cancelled)",
            counted_staff_days(""),
        ),
    ] {
        sqlx::query(&format!("INSERT INTO {table} {counted}"))
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("UPDATE report_calendar SET zone = ?1 WHERE id = 1")
        .bind(clock.zone_name())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The zone's offset (minutes east of UTC) from each quarter hour where it changes, from 1970
/// to 2100: a few hundred rows for a zone with summer time.
fn zone_offsets(clock: &ReportClock) -> Vec<(i64, i64)> {
    let start = Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap();
    let end = Utc.with_ymd_and_hms(2100, 1, 1, 0, 0, 0).unwrap();
    let mut offsets = vec![(slot(start), clock.offset_minutes(start))];
    let mut day = start;
    while day < end {
        let next_day = day + Duration::days(1);
        if clock.offset_minutes(next_day) != offsets[offsets.len() - 1].1 {
            // The change happened inside this day: find its quarter hour(s).
            let mut at: DateTime<Utc> = day;
            while at < next_day {
                at += Duration::minutes(15);
                let offset = clock.offset_minutes(at);
                if offset != offsets[offsets.len() - 1].1 {
                    offsets.push((slot(at), offset));
                }
            }
        }
        day = next_day;
    }
    offsets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paris_changes_twice_a_year_on_the_right_quarter_hour() {
        let offsets = zone_offsets(&ReportClock::zone(Some("Europe/Paris")));
        let spring = slot(Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap());
        let autumn = slot(Utc.with_ymd_and_hms(2026, 10, 25, 1, 0, 0).unwrap());
        assert!(offsets.contains(&(spring, 120)));
        assert!(offsets.contains(&(autumn, 60)));
        let in_2026 = offsets
            .iter()
            .filter(|(s, _)| {
                (slot(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap())
                    ..slot(Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap()))
                    .contains(s)
            })
            .count();
        assert_eq!(in_2026, 2);
    }

    #[test]
    fn utc_is_one_row() {
        assert_eq!(zone_offsets(&ReportClock::zone(Some("UTC"))), [(0, 0)]);
    }
}
