//! Integrity checks for support: SQLite's own checks, the gap-free sequence of each device, and
//! the materialised card totals against a recomputation from the ledger (which `rebuild` fixes).

use std::collections::HashMap;

use serde::Serialize;
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::counter::card::{self, CardTotals, Fact};
use crate::error::Result;
use crate::ids::{DeviceId, MemberId, ProgramId};
use crate::people::auth::Permission;
use crate::people::shop::Actor;
use crate::store::Store;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: Option<String>,
}

/// One card whose stored totals differ from what the ledger says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct CardDifference {
    pub member_id: MemberId,
    pub program_id: ProgramId,
    pub stored_punches_total: i64,
    pub ledger_punches_total: i64,
    pub stored_redeemed_total: i64,
    pub ledger_redeemed_total: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct DoctorReport {
    pub ok: bool,
    pub checks: Vec<Check>,
    pub differences: Vec<CardDifference>,
    /// True when `--rebuild` replaced the stored card totals or report figures with the
    /// ledger's.
    pub rebuilt: bool,
}

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
        let gaps: Vec<(DeviceId, i64, i64, i64)> = sqlx::query_as(
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

        // What the reports read (reports/activity.rs), kept by triggers.
        let activity_differences = self.activity_differences().await?;
        checks.push(Check {
            name: "report_activity_matches_ledger".into(),
            ok: activity_differences == 0,
            detail: (activity_differences != 0)
                .then(|| format!("{activity_differences} rows differ")),
        });

        // ...and the counts per local day kept from it (reports/days.rs).
        let days_differences = self.report_days_differences().await?;
        checks.push(Check {
            name: "report_days_match_activity".into(),
            ok: days_differences == 0,
            detail: (days_differences != 0).then(|| format!("{days_differences} rows differ")),
        });

        let rebuilt = rebuild
            && (!differences.is_empty() || activity_differences != 0 || days_differences != 0);
        if rebuild && !differences.is_empty() {
            self.rebuild_cards().await?;
        }
        if rebuild && (activity_differences != 0 || days_differences != 0) {
            // The days are counted from the activity: both are rewritten together.
            self.rebuild_activity().await?;
        }
        Ok(DoctorReport {
            ok: checks.iter().all(|c| c.ok),
            checks,
            differences,
            rebuilt,
        })
    }

    /// Every card's totals from the ledger, replayed through the one projection rule.
    async fn ledger_totals(&self) -> Result<HashMap<(MemberId, ProgramId), CardTotals>> {
        let facts: Vec<Fact> =
            sqlx::query_as("SELECT id, kind, member_id, program_id, amount, voids FROM event")
                .fetch_all(self.pool())
                .await?;
        // A merged member's cards are counted on the member they stand for.
        let aliases: HashMap<MemberId, MemberId> =
            sqlx::query_as("SELECT alias_id, member_id FROM member_alias")
                .fetch_all(self.pool())
                .await?
                .into_iter()
                .collect();
        let mut cards: HashMap<(MemberId, ProgramId), CardTotals> = HashMap::new();
        for ((member, program), totals) in card::replay(&facts) {
            let member = aliases.get(&member).copied().unwrap_or(member);
            let card = cards.entry((member, program)).or_default();
            card.punches_total += totals.punches_total;
            card.redeemed_total += totals.redeemed_total;
        }
        Ok(cards)
    }

    /// Cards whose stored totals differ from the ledger's replay, on either side.
    pub async fn card_differences(&self) -> Result<Vec<CardDifference>> {
        let ledger = self.ledger_totals().await?;
        let stored: Vec<(MemberId, ProgramId, i64, i64)> =
            sqlx::query_as("SELECT member_id, program_id, punches_total, redeemed_total FROM card")
                .fetch_all(self.pool())
                .await?;
        let stored: HashMap<(MemberId, ProgramId), CardTotals> = stored
            .into_iter()
            .map(|(m, p, punches_total, redeemed_total)| {
                (
                    (m, p),
                    CardTotals {
                        punches_total,
                        redeemed_total,
                    },
                )
            })
            .collect();
        let mut keys: Vec<&(MemberId, ProgramId)> = ledger.keys().chain(stored.keys()).collect();
        keys.sort();
        keys.dedup();
        Ok(keys
            .into_iter()
            .filter_map(|key| {
                let s = stored.get(key).copied().unwrap_or_default();
                let l = ledger.get(key).copied().unwrap_or_default();
                (s != l).then_some(CardDifference {
                    member_id: key.0,
                    program_id: key.1,
                    stored_punches_total: s.punches_total,
                    ledger_punches_total: l.punches_total,
                    stored_redeemed_total: s.redeemed_total,
                    ledger_redeemed_total: l.redeemed_total,
                })
            })
            .collect())
    }

    /// Replaces every stored card total with the ledger's replay, in one transaction.
    async fn rebuild_cards(&self) -> Result<()> {
        let ledger = self.ledger_totals().await?;
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM card").execute(&mut *tx).await?;
        for ((member_id, program_id), totals) in ledger {
            sqlx::query(
                "INSERT INTO card (member_id, program_id, punches_total, redeemed_total)
                 VALUES (?, ?, ?, ?)",
            )
            .bind(member_id)
            .bind(program_id)
            .bind(totals.punches_total)
            .bind(totals.redeemed_total)
            .execute(&mut *tx)
            .await?;
            // The conflict queue's list of cards is rebuilt with the cards.
            crate::counter::conflicts::watch(&mut tx, member_id, program_id, totals).await?;
        }
        self.commit(tx).await?;
        Ok(())
    }
}
