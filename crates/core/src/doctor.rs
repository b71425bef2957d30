//! Integrity checks for support: SQLite's own checks, the gap-free sequence of each device, and
//! the materialised card totals against a recomputation from the ledger (which `rebuild` fixes).

use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::auth::Permission;
use crate::error::Result;
use crate::shop::Actor;
use crate::store::Store;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: Option<String>,
}

/// One card whose stored totals differ from what the ledger says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CardDifference {
    pub member_id: Uuid,
    pub program_id: Uuid,
    #[ts(type = "number")]
    pub stored_punches_total: i64,
    #[ts(type = "number")]
    pub ledger_punches_total: i64,
    #[ts(type = "number")]
    pub stored_redeemed_total: i64,
    #[ts(type = "number")]
    pub ledger_redeemed_total: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DoctorReport {
    pub ok: bool,
    pub checks: Vec<Check>,
    pub differences: Vec<CardDifference>,
    /// True when `--rebuild` replaced the stored totals with the ledger's.
    pub rebuilt: bool,
}

/// Every card's totals computed from the ledger alone: the definition the stored totals must match.
const LEDGER_TOTALS_SQL: &str = "
    SELECT e.member_id, e.program_id,
           SUM(CASE WHEN e.kind = 'punch' THEN e.amount ELSE 0 END) AS punches_total,
           SUM(CASE WHEN e.kind = 'redeem' THEN e.amount ELSE 0 END) AS redeemed_total
    FROM event e
    WHERE e.kind IN ('punch', 'redeem')
      AND NOT EXISTS (SELECT 1 FROM event v WHERE v.voids = e.id)
    GROUP BY e.member_id, e.program_id";

/// Card totals recomputed from the ledger, next to the stored ones, for every card either side
/// knows. A full outer join written as a UNION of two LEFT JOINs (SQLite 3.39 has FULL JOIN, but
/// this keeps the intent plain).
const COMPARE_SQL: &str = "
WITH ledger AS (LEDGER_TOTALS),
both_sides AS (
    SELECT l.member_id, l.program_id,
           COALESCE(c.punches_total, 0) AS sp, l.punches_total AS lp,
           COALESCE(c.redeemed_total, 0) AS sr, l.redeemed_total AS lr
    FROM ledger l LEFT JOIN card c USING (member_id, program_id)
    UNION ALL
    SELECT c.member_id, c.program_id, c.punches_total, 0, c.redeemed_total, 0
    FROM card c
    WHERE NOT EXISTS (SELECT 1 FROM ledger l
                      WHERE l.member_id = c.member_id AND l.program_id = c.program_id)
)
SELECT member_id, program_id, sp, lp, sr, lr FROM both_sides WHERE sp != lp OR sr != lr
";

impl Store {
    /// Managers only: the integrity checks, and with `rebuild` the balances recomputed.
    pub async fn doctor(&self, actor: &Actor, rebuild: bool) -> Result<DoctorReport> {
        actor.require(Permission::Doctor)?;
        let mut checks = Vec::new();

        let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(self.pool())
            .await?;
        let integrity_ok = integrity.len() == 1 && integrity[0] == "ok";
        checks.push(Check {
            name: "sqlite_integrity".into(),
            ok: integrity_ok,
            detail: (!integrity_ok).then(|| integrity.join("; ")),
        });

        let fk_problems: Vec<(String, i64)> =
            sqlx::query_as("SELECT \"table\", rowid FROM pragma_foreign_key_check")
                .fetch_all(self.pool())
                .await?;
        checks.push(Check {
            name: "foreign_keys".into(),
            ok: fk_problems.is_empty(),
            detail: (!fk_problems.is_empty()).then(|| format!("{} rows", fk_problems.len())),
        });

        // Gap-free: for each device, seq runs 1..=count with no hole or repeat.
        let gaps: Vec<(Uuid, i64, i64, i64)> = sqlx::query_as(
            "SELECT device_id, count(*), min(seq), max(seq) FROM event GROUP BY device_id
             HAVING min(seq) != 1 OR max(seq) != count(*)",
        )
        .fetch_all(self.pool())
        .await?;
        checks.push(Check {
            name: "sequence_gap_free".into(),
            ok: gaps.is_empty(),
            detail: (!gaps.is_empty()).then(|| {
                gaps.iter()
                    .map(|(d, n, lo, hi)| format!("device {d}: {n} events, seq {lo}..{hi}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            }),
        });

        let differences = self.card_differences().await?;
        checks.push(Check {
            name: "card_totals_match_ledger".into(),
            ok: differences.is_empty(),
            detail: (!differences.is_empty())
                .then(|| format!("{} cards differ", differences.len())),
        });

        let rebuilt = rebuild && !differences.is_empty();
        if rebuilt {
            self.rebuild_cards().await?;
        }
        Ok(DoctorReport {
            ok: checks.iter().all(|c| c.ok),
            checks,
            differences,
            rebuilt,
        })
    }

    pub async fn card_differences(&self) -> Result<Vec<CardDifference>> {
        let rows: Vec<(Uuid, Uuid, i64, i64, i64, i64)> =
            sqlx::query_as(&COMPARE_SQL.replace("LEDGER_TOTALS", LEDGER_TOTALS_SQL))
                .fetch_all(self.pool())
                .await?;
        Ok(rows
            .into_iter()
            .map(|(member_id, program_id, sp, lp, sr, lr)| CardDifference {
                member_id,
                program_id,
                stored_punches_total: sp,
                ledger_punches_total: lp,
                stored_redeemed_total: sr,
                ledger_redeemed_total: lr,
            })
            .collect())
    }

    /// Replaces every stored card total with the ledger's, in one transaction.
    pub async fn rebuild_cards(&self) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM card").execute(&mut *tx).await?;
        sqlx::query(&format!(
            "INSERT INTO card (member_id, program_id, punches_total, redeemed_total) {LEDGER_TOTALS_SQL}"
        ))
        .execute(&mut *tx)
        .await?;
        self.commit(tx).await?;
        Ok(())
    }
}
