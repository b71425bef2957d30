//! The report tables counted after the commit, in batches (migration 0023,
//! docs/decisions/0035-reports-counted-after-the-commit.md).
//!
//! A punch's commit writes the ledger and the card; `report_activity`, `report_staff_day` and
//! the day tables kept from them wait for a batch. `report_counted.upto` says up to which event
//! (the ledger's `n`, its rowid) they are counted. The rest is counted:
//!
//! - in the transaction of the write that takes the ledger past a multiple of [`BATCH`] events
//!   (so the tables never lag far, whoever writes: the app, a CLI command, sync, `dev seed`);
//! - before anything reads them: every report and segment (through `report_calendar`), and
//!   `doctor`.
//!
//! The counting is the triggers of 0023 on `report_feed` (since 0025 in the ledger's encoding):
//! the events past the mark are copied there in that order, each seeing the ledger below its
//! own, and the feed is emptied in the same transaction.

use crate::error::Result;
use crate::store::{Store, WriteTx};

/// How many events the report tables may lag behind the ledger before a write counts them in
/// its own transaction: one punch in this many writes the report tables' pages for all of them.
pub(crate) const BATCH: i64 = 256;

/// Whether the `written` events just inserted, the last at `n` = `last`, took the ledger past a
/// multiple of [`BATCH`].
pub(crate) fn batch_is_due(last: i64, written: u64) -> bool {
    let written = i64::try_from(written).unwrap_or(i64::MAX);
    written > 0 && last.div_euclid(BATCH) != (last - written).div_euclid(BATCH)
}

/// Counts every event past the mark into the report tables, in `tx`.
pub(crate) async fn count_new_events(tx: &mut WriteTx) -> Result<()> {
    let fed = sqlx::query(
        "INSERT INTO report_feed (n, id, staff, at, kind, member, program, amount, voids, reason)
         SELECT n, id, staff, at, kind, member, program, amount, voids, reason
         FROM ledger WHERE n > (SELECT upto FROM report_counted WHERE id = 1)
         ORDER BY n",
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if fed > 0 {
        sqlx::query(
            "UPDATE report_counted SET upto = (SELECT max(n) FROM report_feed) WHERE id = 1;
             DELETE FROM report_feed;",
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Marks every event of the ledger counted, in `tx`: after the report tables were written
/// afresh from the whole ledger (a rebuild).
pub(crate) async fn mark_all_counted(tx: &mut WriteTx) -> Result<()> {
    sqlx::query(
        "UPDATE report_counted SET upto = COALESCE((SELECT max(n) FROM ledger), 0)
         WHERE id = 1",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Brings the report tables up to the ledger, if they lag: what a report or `doctor` does
    /// before it reads them. A store with nothing to count takes no write lock.
    pub async fn count_for_reports(&self) -> Result<()> {
        let behind: bool = sqlx::query_scalar(
            "SELECT COALESCE((SELECT max(n) FROM ledger), 0) > upto
             FROM report_counted WHERE id = 1",
        )
        .fetch_one(self.pool())
        .await?;
        if behind {
            let mut tx = self.begin_write().await?;
            count_new_events(&mut tx).await?;
            self.commit(tx).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_due_when_the_ledger_passes_a_multiple_of_the_batch() {
        assert!(!batch_is_due(1, 1));
        assert!(!batch_is_due(BATCH - 1, 1));
        assert!(batch_is_due(BATCH, 1));
        assert!(!batch_is_due(BATCH + 1, 1));
        // Many at once (a page of sync): due if any of them lands on the multiple.
        assert!(batch_is_due(BATCH + 10, 20));
        assert!(!batch_is_due(BATCH + 30, 20));
        assert!(!batch_is_due(BATCH, 0));
    }
}
