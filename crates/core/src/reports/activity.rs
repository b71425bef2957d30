//! `report_activity`, what the reports read: the ledger's standing enrolments, punches and
//! redemptions counted by UTC quarter hour, member and program (migration 0014). Triggers keep
//! it in the statement that adds each event, so every way an event arrives (the counter,
//! sync, the history writer, demo data) keeps it; `tessera doctor` compares it with the ledger
//! and `--rebuild` rewrites it.

use super::clock::{ReportClock, SLOT_NS};
use super::days::{count_report_days, pause_report_days};
use crate::error::Result;
use crate::store::Store;

/// The ledger rolled up as `report_activity` holds it, read in its own encoding (migration
/// 0025: members and programs by short id, times in nanoseconds, kinds as numbers). `and`
/// narrows the events read (`AND …` on `e`, or nothing).
fn ledger_activity(and: &str) -> String {
    format!(
        "
    SELECT e.at / {SLOT_NS} AS slot, e.member AS member, COALESCE(e.program, 0) AS program,
           COUNT(*) AS events,
           SUM(CASE e.kind WHEN 2 THEN e.amount ELSE 0 END) AS punches,
           SUM(CASE e.kind WHEN 3 THEN e.amount ELSE 0 END) AS rewards,
           SUM(e.kind = 3) AS redemptions
    FROM ledger e
    WHERE e.kind IN (1, 2, 3) AND {standing} {and}
    GROUP BY 1, 2, 3",
        standing = super::standing("e"),
    )
}

const STORED_ACTIVITY: &str =
    "SELECT slot, member, program, events, punches, rewards, redemptions FROM report_activity";

/// A table kept by triggers and the query that counts afresh what it should hold: `doctor`
/// compares the two with [`rows_differing`].
pub(crate) struct Comparison {
    /// The doctor check it belongs to.
    pub check: &'static str,
    pub counted: String,
    pub stored: String,
}

/// Which rows of the tables kept from the ledger a doctor's comparison looks at.
pub(crate) enum Rows {
    All,
    /// Those the events past the doctor's mark can have changed.
    Since(Since),
}

/// What the events past the doctor's mark touched (support/doctor/mark.rs): the members they
/// name, by the reports' short ids, and the earliest quarter hour they fall in, theirs or that
/// of an event one of them voids. A table kept per member changes only for those members; one
/// kept per quarter hour or per local day, only from that quarter hour's day on (a member's
/// next visit, a card's later days, move with an earlier event; never an earlier day).
pub(crate) struct Since {
    pub members: Vec<i64>,
    pub from_slot: i64,
}

/// The widest a shop's UTC offset is, in minutes (UTC+14): a local day begins at most this long
/// before the UTC one.
const WIDEST_OFFSET_MINUTES: i64 = 14 * 60;

impl Since {
    /// `(1, 2, …)`, for `member IN …`.
    pub fn member_list(&self) -> String {
        let members: Vec<String> = self.members.iter().map(i64::to_string).collect();
        format!("({})", members.join(", "))
    }

    /// A local day no later than that of `from_slot`, in any zone: the day tables from it on.
    pub fn first_day(&self) -> i64 {
        (self.from_slot * 15 - WIDEST_OFFSET_MINUTES).div_euclid(1440)
    }

    /// A quarter hour no later than the first of [`Since::first_day`], in any zone.
    pub fn first_day_slot(&self) -> i64 {
        (self.first_day() * 1440 - WIDEST_OFFSET_MINUTES).div_euclid(15)
    }

    /// SQL: the ledger's event `e` falls in [`Since::first_day_slot`] or later (through
    /// `ledger_by_at`).
    pub fn events_from(&self) -> String {
        format!("AND e.at >= {}", self.first_day_slot() * SLOT_NS)
    }
}

/// `report_activity` against the ledger's roll-up.
pub(crate) fn activity_comparison(rows: &Rows) -> Comparison {
    let check = "report_activity_matches_ledger";
    match rows {
        Rows::All => Comparison {
            check,
            counted: ledger_activity(""),
            stored: STORED_ACTIVITY.to_string(),
        },
        // The quarter hours from the first touched on, read through the ledger's index by time.
        Rows::Since(since) => Comparison {
            check,
            counted: format!(
                "SELECT * FROM ({}) WHERE slot >= {}",
                ledger_activity(&since.events_from()),
                since.from_slot
            ),
            stored: format!("{STORED_ACTIVITY} WHERE slot >= {}", since.from_slot),
        },
    }
}

/// How many rows are in one of the comparison's results and not the other (missing, extra or
/// with other counts). Zero on a sound store.
pub(crate) async fn rows_differing(
    conn: &mut sqlx::SqliteConnection,
    comparison: &Comparison,
) -> Result<i64> {
    let Comparison {
        counted, stored, ..
    } = comparison;
    Ok(sqlx::query_scalar(&format!(
        "WITH counted AS ({counted}), stored AS ({stored})
         SELECT (SELECT COUNT(*) FROM (SELECT * FROM counted EXCEPT SELECT * FROM stored))
              + (SELECT COUNT(*) FROM (SELECT * FROM stored EXCEPT SELECT * FROM counted))"
    ))
    .fetch_one(conn)
    .await?)
}

impl Store {
    /// Rewrites `report_activity` from the ledger, and the day tables from it, in one
    /// transaction.
    pub(crate) async fn rebuild_activity(&self) -> Result<()> {
        let clock = ReportClock::of(self).await?;
        let mut tx = self.begin_write().await?;
        // Not row by row through the day triggers: counted again in one pass below.
        pause_report_days(&mut tx).await?;
        sqlx::query("DELETE FROM report_activity")
            .execute(&mut *tx)
            .await?;
        sqlx::query(&format!(
            "INSERT INTO report_activity
                 (slot, member, program, events, punches, rewards, redemptions)
             {}",
            ledger_activity("")
        ))
        .execute(&mut *tx)
        .await?;
        super::feed::mark_all_counted(&mut tx).await?;
        count_report_days(&mut tx, &clock).await?;
        self.commit(tx).await?;
        Ok(())
    }
}
