//! Integrity checks for support: SQLite's own checks, the gap-free sequence of each device, and
//! the materialised card totals and report figures against a recomputation from the ledger
//! (which `rebuild` fixes). A routine run looks only at what the events since the last sound
//! check can have changed ([`mark`]).

mod mark;
mod read_ahead;

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::SqliteConnection;
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::counter::card::{self, CardTotals, Fact};
use crate::error::Result;
use crate::ids::{DeviceId, EventId, MemberId, ProgramId};
use crate::people::auth::Permission;
use crate::people::shop::Actor;
use crate::reports::activity::{activity_comparison, rows_differing, Comparison, Rows};
use crate::store::{lists, Store};

pub(crate) use mark::forget as forget_mark;

/// How much a doctor run looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Doctor {
    /// What the events since the last sound check can have changed, with SQLite's quick check
    /// of every page; everything when there was no sound check (or a program changed since).
    SinceLastCheck,
    /// Everything: SQLite's full integrity check, every table against the whole ledger.
    Full,
    /// Everything, and the card totals and report figures rewritten from the ledger where they
    /// differ.
    Rebuild,
}

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
    /// What the run looked at.
    pub scope: DoctorScope,
}

/// What a doctor run looked at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
#[serde(tag = "looked_at", rename_all = "snake_case")]
pub enum DoctorScope {
    Everything,
    /// The events since the last sound check, and what they can have changed.
    SinceLastCheck {
        /// When that check ended.
        checked_at: DateTime<Utc>,
        /// How many events came since.
        events: i64,
    },
}

/// The checks, in the order the report lists them.
const CHECKS: [&str; 6] = [
    "sqlite_integrity",
    "foreign_keys",
    "sequence_gap_free",
    "card_totals_match_ledger",
    "report_activity_matches_ledger",
    "report_days_match_activity",
];

/// One question of a check, asked on whichever of the doctor's two connections is free. The
/// longest come first, so that the two finish close together.
enum Task {
    /// SQLite's full check, or (`quick`) its check of every page without each index against
    /// its table, of the database in `file` (read through in order first).
    Integrity {
        quick: bool,
        file: PathBuf,
    },
    ForeignKeys,
    /// Each device's events past where it was checked (0: all of them).
    Gaps(Vec<(DeviceId, i64)>),
    /// Every card, or those of these members.
    Cards(Option<Vec<MemberId>>),
    Compare(Comparison),
}

/// What a task found.
enum Finding {
    Integrity(Vec<String>),
    ForeignKeys(usize),
    Gaps(Vec<(DeviceId, i64, i64, i64)>),
    Cards(Vec<CardDifference>),
    Differing(&'static str, i64),
}

/// What one run asks about: everything, or what the events past the mark touched.
struct Plan {
    scope: DoctorScope,
    rows: Rows,
    /// The members whose cards are replayed (`None`: every card).
    cards_of: Option<Vec<MemberId>>,
    /// Each device's events past this sequence number are checked for gaps.
    gaps_after: Vec<(DeviceId, i64)>,
}

impl Plan {
    async fn for_run(
        conn: &mut SqliteConnection,
        doctor: Doctor,
        head: &mark::Head,
    ) -> Result<Plan> {
        let mark = match doctor {
            Doctor::SinceLastCheck => mark::usable(conn, head).await?,
            Doctor::Full | Doctor::Rebuild => None,
        };
        // Each device from its mark, or from its first event.
        let gaps_after = head
            .devices
            .iter()
            .map(|(device, _)| (*device, mark.as_ref().map_or(0, |m| m.seq(device))))
            .collect();
        let Some(mark) = mark else {
            return Ok(Plan {
                scope: DoctorScope::Everything,
                rows: Rows::All,
                cards_of: None,
                gaps_after,
            });
        };
        let touched = mark::touched(conn, &mark, head).await?;
        Ok(Plan {
            scope: DoctorScope::SinceLastCheck {
                checked_at: mark.at,
                events: touched.events,
            },
            rows: Rows::Since(touched.reports),
            cards_of: Some(touched.members),
            gaps_after,
        })
    }
}

/// The work the two connections share, and how far it has gone.
struct Work<'p> {
    tasks: VecDeque<Task>,
    found: Vec<Finding>,
    total: usize,
    progress: &'p mut dyn FnMut(usize, usize),
}

impl Store {
    /// Managers only: every check, and with `rebuild` the balances recomputed.
    pub async fn doctor(&self, actor: &Actor, rebuild: bool) -> Result<DoctorReport> {
        let doctor = if rebuild {
            Doctor::Rebuild
        } else {
            Doctor::Full
        };
        self.doctor_with_progress(actor, doctor, &mut |_, _| {})
            .await
    }

    /// The checks `doctor` asks for, calling `progress(done, total)` as each of its questions
    /// is answered (a big store takes minutes). The questions are shared between two
    /// connections of their own, which SQLite runs on two threads: SQLite's integrity check
    /// beside the ledger's. A run that finds the store sound leaves its mark for the next.
    pub async fn doctor_with_progress(
        &self,
        actor: &Actor,
        doctor: Doctor,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<DoctorReport> {
        actor.require(Permission::Doctor)?;
        // The day tables are checked in the shop's zone: counted first if they never were, or
        // were in another zone (as a report would; a single command's open leaves it to them).
        self.count_report_days_if_needed().await?;
        // Every event counted in the report tables (`reports::feed`): a lag is not a difference.
        self.count_for_reports().await?;
        let (head, plan) = {
            let mut conn = self.pool().acquire().await?;
            let head = mark::head(&mut conn).await?;
            let plan = Plan::for_run(&mut conn, doctor, &head).await?;
            (head, plan)
        };
        let Plan {
            scope,
            rows,
            cards_of,
            gaps_after,
        } = plan;
        let mut tasks = vec![Task::Integrity {
            quick: matches!(rows, Rows::Since(_)),
            file: self.path().to_path_buf(),
        }];
        tasks.extend(
            self.report_days_comparisons(&rows)
                .await?
                .into_iter()
                .map(Task::Compare),
        );
        tasks.extend([
            Task::Compare(activity_comparison(&rows)),
            Task::Cards(cards_of),
            Task::Gaps(gaps_after),
            Task::ForeignKeys,
        ]);
        let work = Mutex::new(Work {
            total: tasks.len(),
            tasks: tasks.into(),
            found: Vec::new(),
            progress,
        });
        let (one, two) = tokio::join!(self.doctor_worker(&work), self.doctor_worker(&work));
        one?;
        two?;
        let found = work.into_inner().unwrap_or_else(|p| p.into_inner()).found;

        let mut differing: HashMap<&str, i64> = HashMap::new();
        let mut integrity = Vec::new();
        let (mut fk_problems, mut gaps, mut differences) = (0, Vec::new(), Vec::new());
        for finding in found {
            match finding {
                Finding::Integrity(lines) => integrity = lines,
                Finding::ForeignKeys(n) => fk_problems = n,
                Finding::Gaps(found) => gaps = found,
                Finding::Cards(found) => differences = found,
                Finding::Differing(check, n) => *differing.entry(check).or_default() += n,
            }
        }
        let integrity_ok = integrity.len() == 1 && integrity[0] == "ok";
        let rows = |check: &str| differing.get(check).copied().unwrap_or(0);
        let (activity_differences, days_differences) = (rows(CHECKS[4]), rows(CHECKS[5]));
        let check = |name: &str, ok: bool, detail: String| Check {
            name: name.into(),
            ok,
            detail: (!ok).then_some(detail),
        };
        let checks = vec![
            check(CHECKS[0], integrity_ok, integrity.join("; ")),
            check(CHECKS[1], fk_problems == 0, format!("{fk_problems} rows")),
            // Gap-free: for each device, seq runs 1..=count with no hole or repeat.
            check(
                CHECKS[2],
                gaps.is_empty(),
                gaps.iter()
                    .map(|(d, n, lo, hi)| format!("device {d}: {n} events, seq {lo}..{hi}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            check(
                CHECKS[3],
                differences.is_empty(),
                format!("{} cards differ", differences.len()),
            ),
            // What the reports read (reports/activity.rs), kept by triggers...
            check(
                CHECKS[4],
                activity_differences == 0,
                format!("{activity_differences} rows differ"),
            ),
            // ...and the counts per local day kept from it (reports/days.rs).
            check(
                CHECKS[5],
                days_differences == 0,
                format!("{days_differences} rows differ"),
            ),
        ];

        let rebuild = doctor == Doctor::Rebuild;
        let rebuilt = rebuild
            && (!differences.is_empty() || activity_differences != 0 || days_differences != 0);
        // Each rebuild forgets the mark: what it wrote was not checked.
        if rebuild && !differences.is_empty() {
            self.rebuild_cards().await?;
        }
        if rebuild && (activity_differences != 0 || days_differences != 0) {
            // The days are counted from the activity: both are rewritten together.
            self.rebuild_activity().await?;
        }
        let ok = checks.iter().all(|c| c.ok);
        if ok {
            let mut tx = self.begin_write().await?;
            mark::set(&mut tx, &head, scope == DoctorScope::Everything).await?;
            self.commit(tx).await?;
        }
        Ok(DoctorReport {
            ok,
            checks,
            differences,
            rebuilt,
            scope,
        })
    }

    /// Answers the doctor's questions on a connection of its own until none is left.
    async fn doctor_worker(&self, work: &Mutex<Work<'_>>) -> Result<()> {
        let mut conn = self.side_connection().await?;
        loop {
            let next = lock(work).tasks.pop_front();
            let Some(task) = next else { break };
            let finding = doctor_task(&mut conn, task).await?;
            let mut work = lock(work);
            work.found.push(finding);
            let (done, total) = (work.found.len(), work.total);
            (work.progress)(done, total);
        }
        sqlx::Connection::close(conn).await?;
        Ok(())
    }

    /// Cards whose stored totals differ from the ledger's replay, on either side.
    pub async fn card_differences(&self) -> Result<Vec<CardDifference>> {
        card_differences(&mut *self.pool().acquire().await?, None).await
    }

    /// Replaces every stored card total with the ledger's replay, in one transaction.
    async fn rebuild_cards(&self) -> Result<()> {
        // Read before the write begins: a store of one connection (the CLI's) has no other.
        let ledger = ledger_totals(&mut *self.pool().acquire().await?, None).await?;
        let mut tx = self.begin_write().await?;
        forget_mark(&mut tx).await?;
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

fn lock<'a, 'p>(work: &'a Mutex<Work<'p>>) -> std::sync::MutexGuard<'a, Work<'p>> {
    work.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn doctor_task(conn: &mut SqliteConnection, task: Task) -> Result<Finding> {
    Ok(match task {
        Task::Integrity { quick, file } => {
            read_ahead::read_ahead(&file).await;
            let check = if quick {
                "PRAGMA quick_check"
            } else {
                "PRAGMA integrity_check"
            };
            Finding::Integrity(sqlx::query_scalar(check).fetch_all(&mut *conn).await?)
        }
        Task::ForeignKeys => {
            let problems: Vec<(String, i64)> =
                sqlx::query_as("SELECT \"table\", rowid FROM pragma_foreign_key_check")
                    .fetch_all(&mut *conn)
                    .await?;
            Finding::ForeignKeys(problems.len())
        }
        Task::Gaps(after) => Finding::Gaps(gaps(conn, &after).await?),
        Task::Cards(members) => Finding::Cards(card_differences(conn, members.as_deref()).await?),
        Task::Compare(comparison) => {
            Finding::Differing(comparison.check, rows_differing(conn, &comparison).await?)
        }
    })
}

/// Devices whose events past `after` (each device's mark, or 0) do not run on from it with no
/// hole or repeat: (device, its events, the first and last sequence number past the mark).
async fn gaps(
    conn: &mut SqliteConnection,
    after: &[(DeviceId, i64)],
) -> Result<Vec<(DeviceId, i64, i64, i64)>> {
    let mut gaps = Vec::new();
    for (device, after) in after {
        let (count, first, last): (i64, Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT count(*), min(seq), max(seq) FROM ledger
             WHERE device = (SELECT n FROM short_id WHERE id = ?) AND seq > ?",
        )
        .bind(device)
        .bind(after)
        .fetch_one(&mut *conn)
        .await?;
        let (first, last) = (first.unwrap_or(after + 1), last.unwrap_or(*after));
        if first != after + 1 || last != after + count {
            gaps.push((*device, after + count, first, last));
        }
    }
    Ok(gaps)
}

/// The cards' totals from the ledger, replayed through the one projection rule: every card's,
/// or (`members`, every id each goes by) those of these members.
async fn ledger_totals(
    conn: &mut SqliteConnection,
    members: Option<&[MemberId]>,
) -> Result<HashMap<(MemberId, ProgramId), CardTotals>> {
    const FACTS: &str = "SELECT id, kind, member_id, program_id, amount, voids FROM event";
    // Through the short ids, so that `ledger_by_member` finds them.
    const FACTS_OF_MEMBERS: &str =
        "SELECT e.id, e.kind, e.member_id, e.program_id, e.amount, e.voids
         FROM short_id k JOIN event e ON e.member_n = k.n WHERE k.id IN ";
    let facts: Vec<Fact> = match members {
        None => sqlx::query_as(FACTS).fetch_all(&mut *conn).await?,
        Some(members) => {
            let mut facts: Vec<Fact> = lists::fetch_in(conn, FACTS_OF_MEMBERS, members).await?;
            // Whoever a void names, it takes back from its target's card.
            let ids: Vec<EventId> = facts.iter().map(|f| f.id).collect();
            let voids: Vec<Fact> = lists::fetch_in(
                conn,
                &format!(
                    "{FACTS} WHERE kind_code IN {} AND voids IN ",
                    crate::ledger::CANCELLING_KINDS
                ),
                &ids,
            )
            .await?;
            let known: HashSet<EventId> = ids.into_iter().collect();
            facts.extend(voids.into_iter().filter(|v| !known.contains(&v.id)));
            facts
        }
    };
    // A merged member's cards are counted on the member they stand for.
    let aliases: HashMap<MemberId, MemberId> =
        sqlx::query_as("SELECT alias_id, member_id FROM member_alias")
            .fetch_all(&mut *conn)
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
    // A void of these members' naming another's event: that card is not among those asked of.
    if let Some(members) = members {
        let asked: HashSet<&MemberId> = members.iter().collect();
        cards.retain(|(member, _), _| asked.contains(member));
    }
    Ok(cards)
}

/// Cards whose stored totals differ from the ledger's replay, on either side.
async fn card_differences(
    conn: &mut SqliteConnection,
    members: Option<&[MemberId]>,
) -> Result<Vec<CardDifference>> {
    let ledger = ledger_totals(conn, members).await?;
    const STORED: &str = "SELECT member_id, program_id, punches_total, redeemed_total FROM card";
    let stored: Vec<(MemberId, ProgramId, i64, i64)> = match members {
        None => sqlx::query_as(STORED).fetch_all(&mut *conn).await?,
        Some(members) => {
            lists::fetch_in(conn, &format!("{STORED} WHERE member_id IN "), members).await?
        }
    };
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
