//! Loyalty programs, as a manager runs them (docs/decisions/0019-programs.md).
//!
//! A **stamps** program: `punches_needed` stamps earn `reward`; rewards may lapse `reward_days`
//! after they are earned. A **points** program: the cashier types the amount spent, which earns
//! `points_per_unit` points per whole unit of currency; a redemption spends the points of one of
//! the `tiers`. Both keep one card per member through the same ledger rule (`counter::card`): a
//! points program is a card of `punches_needed = 1`, so "rewards available" is the balance.
//!
//! What decides the worth of a member's card (punches needed, reward expiry) is fixed once a
//! program exists: changing it makes a new program and retires the old one, whose rewards stay
//! redeemable. Names, reward texts, tiers, points per unit and the minimum time between punches
//! change in place. Nothing here ever rewrites an event.

use std::sync::Arc;

use crate::ids::{ProgramId, ShopId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::audit::{self, AuditKind};
use crate::error::{CoreError, Result};
use crate::input::validate;
use crate::people::auth::Permission;
use crate::people::shop::Actor;
use crate::store::{Store, WriteTx};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum ProgramKind {
    #[default]
    Stamps,
    Points,
}

/// One reward of a points program: what it costs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct PointsReward {
    pub points: i64,
    pub reward: String,
}

/// Where a program stands: taking punches, paused (resumable), or retired for good. Paused and
/// retired programs take no punches; rewards already earned stay redeemable in both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum ProgramStatus {
    Active,
    Paused,
    Retired,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Program {
    pub id: ProgramId,
    pub name: String,
    pub kind: ProgramKind,
    /// Stamps for a reward (1 for a points program).
    pub punches_needed: i64,
    /// A stamps program's reward; for a points program, the cheapest tier's.
    pub reward: String,
    /// Points program: points per whole unit of currency spent.
    pub points_per_unit: Option<i64>,
    /// Points program: its rewards, cheapest first.
    pub tiers: Vec<PointsReward>,
    /// Stamps program: a reward lapses so many days after it was earned.
    pub reward_days: Option<i64>,
    /// A member's next punch waits this long, unless the cashier gives a reason.
    pub min_gap_minutes: Option<i64>,
    /// Takes punches (neither paused nor retired).
    pub active: bool,
    pub retired_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl Program {
    pub fn status(&self) -> ProgramStatus {
        match (self.active, self.retired_at) {
            (_, Some(_)) => ProgramStatus::Retired,
            (true, None) => ProgramStatus::Active,
            (false, None) => ProgramStatus::Paused,
        }
    }

    /// The points an amount spent (in cents of the shop's currency) earns: whole units only.
    pub fn points_for(&self, spent_cents: i64) -> Result<i64> {
        let per_unit = self.points_per_unit.ok_or(CoreError::AmountRequired)?;
        let spent = validate::number("amount", spent_cents, 1, SPENT_MAX_CENTS)?;
        match spent / 100 * per_unit {
            0 => Err(CoreError::NoPointsForAmount),
            points => Ok(points),
        }
    }

    /// The tier a redemption of a points program spends: the one costing `points`.
    pub fn tier(&self, points: Option<i64>) -> Result<&PointsReward> {
        let points = points.ok_or(CoreError::RewardRequired)?;
        self.tiers
            .iter()
            .find(|t| t.points == points)
            .ok_or(CoreError::RewardRequired)
    }
}

/// A program as stored: the tiers are JSON text.
#[derive(FromRow)]
struct ProgramRow {
    id: ProgramId,
    name: String,
    kind: ProgramKind,
    punches_needed: i64,
    reward: String,
    points_per_unit: Option<i64>,
    tiers: Option<String>,
    reward_days: Option<i64>,
    min_gap_minutes: Option<i64>,
    active: bool,
    retired_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

impl TryFrom<ProgramRow> for Program {
    type Error = CoreError;

    fn try_from(row: ProgramRow) -> Result<Program> {
        let tiers = match row.tiers.as_deref() {
            None | Some("") => Vec::new(),
            Some(json) => {
                serde_json::from_str(json).map_err(|e| CoreError::internal("program tiers", e))?
            }
        };
        Ok(Program {
            id: row.id,
            name: row.name,
            kind: row.kind,
            punches_needed: row.punches_needed,
            reward: row.reward,
            points_per_unit: row.points_per_unit,
            tiers,
            reward_days: row.reward_days,
            min_gap_minutes: row.min_gap_minutes,
            active: row.active,
            retired_at: row.retired_at,
            created_at: row.created_at,
        })
    }
}

/// A program a manager (or first run) asks for. Only a stamps program's fields are required.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct NewProgram {
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub kind: Option<ProgramKind>,
    /// Stamps program: stamps for a reward (ignored for points).
    pub punches_needed: i64,
    /// Stamps program: the reward (ignored for points: each tier has its own).
    pub reward: String,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub points_per_unit: Option<i64>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub tiers: Option<Vec<PointsReward>>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub reward_days: Option<i64>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub min_gap_minutes: Option<i64>,
}

impl NewProgram {
    /// A plain stamp card: `punches_needed` stamps earn `reward`.
    pub fn stamps(name: &str, punches_needed: i64, reward: &str) -> NewProgram {
        NewProgram {
            name: name.into(),
            punches_needed,
            reward: reward.into(),
            ..NewProgram::default()
        }
    }

    /// A points program: `points_per_unit` points per unit spent, and its rewards.
    pub fn points(name: &str, points_per_unit: i64, tiers: Vec<PointsReward>) -> NewProgram {
        NewProgram {
            name: name.into(),
            kind: Some(ProgramKind::Points),
            points_per_unit: Some(points_per_unit),
            tiers: Some(tiers),
            ..NewProgram::default()
        }
    }
}

/// What a manager changes in a program; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct ProgramEdit {
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub name: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub reward: Option<String>,
    /// A different number makes a new program (the old one is retired).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub punches_needed: Option<i64>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub points_per_unit: Option<i64>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub tiers: Option<Vec<PointsReward>>,
    /// Days before a reward lapses; 0 removes the expiry. A different expiry makes a new
    /// program (the old one is retired).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub reward_days: Option<i64>,
    /// Minutes between two punches of one member; 0 removes the minimum.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub min_gap_minutes: Option<i64>,
}

/// The program after an edit, and the one it replaced when the edit made a new program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct ProgramEdited {
    pub program: Program,
    pub replaced: Option<ProgramId>,
}

/// Bounds a manager can set (decision 0019).
pub const POINTS_PER_UNIT_MAX: i64 = 1000;
pub const TIER_POINTS_MAX: i64 = 1_000_000;
pub const TIERS_MAX: usize = 10;
pub const REWARD_DAYS_MAX: i64 = 3650;
/// A week: longer than that is not "too soon", it is a different program.
pub const MIN_GAP_MAX: i64 = 7 * 24 * 60;
/// The largest sale a points punch takes: 100,000.00 in the shop's currency.
pub const SPENT_MAX_CENTS: i64 = 10_000_000;

const PROGRAM_COLUMNS: &str = "id, name, kind, punches_needed, reward, points_per_unit, tiers, \
                               reward_days, min_gap_minutes, active, retired_at, created_at";

/// A program whose fields were checked: what first run and "add program" both insert.
pub(crate) struct ValidProgram {
    name: String,
    kind: ProgramKind,
    punches_needed: i64,
    reward: String,
    points_per_unit: Option<i64>,
    tiers: Vec<PointsReward>,
    reward_days: Option<i64>,
    min_gap_minutes: Option<i64>,
}

fn valid_tiers(tiers: &[PointsReward]) -> Result<Vec<PointsReward>> {
    if tiers.is_empty() || tiers.len() > TIERS_MAX {
        return Err(CoreError::InvalidTiers);
    }
    let mut valid = tiers
        .iter()
        .map(|t| {
            Ok(PointsReward {
                points: validate::number("tier_points", t.points, 1, TIER_POINTS_MAX)?,
                reward: validate::text("reward", &t.reward, validate::TEXT_MAX)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    valid.sort_by_key(|t| t.points);
    if valid.windows(2).any(|w| w[0].points == w[1].points) {
        return Err(CoreError::InvalidTiers);
    }
    Ok(valid)
}

fn optional(field: &'static str, value: Option<i64>, max: i64) -> Result<Option<i64>> {
    value
        .map(|v| validate::number(field, v, 1, max))
        .transpose()
}

impl TryFrom<&NewProgram> for ValidProgram {
    type Error = CoreError;

    fn try_from(new: &NewProgram) -> Result<ValidProgram> {
        let name = validate::name(&new.name)?;
        let min_gap_minutes = optional("min_gap_minutes", new.min_gap_minutes, MIN_GAP_MAX)?;
        Ok(match new.kind.unwrap_or_default() {
            ProgramKind::Stamps => ValidProgram {
                name,
                kind: ProgramKind::Stamps,
                punches_needed: validate::punches_needed(new.punches_needed)?,
                reward: validate::text("reward", &new.reward, validate::TEXT_MAX)?,
                points_per_unit: None,
                tiers: Vec::new(),
                reward_days: optional("reward_days", new.reward_days, REWARD_DAYS_MAX)?,
                min_gap_minutes,
            },
            ProgramKind::Points => {
                let per_unit = new.points_per_unit.ok_or(CoreError::InvalidNumber {
                    field: "points_per_unit",
                    min: 1,
                    max: POINTS_PER_UNIT_MAX,
                })?;
                let tiers = valid_tiers(new.tiers.as_deref().unwrap_or_default())?;
                ValidProgram {
                    name,
                    kind: ProgramKind::Points,
                    punches_needed: 1,
                    reward: tiers[0].reward.clone(),
                    points_per_unit: Some(validate::number(
                        "points_per_unit",
                        per_unit,
                        1,
                        POINTS_PER_UNIT_MAX,
                    )?),
                    tiers,
                    reward_days: None,
                    min_gap_minutes,
                }
            }
        })
    }
}

impl From<&Program> for NewProgram {
    fn from(p: &Program) -> NewProgram {
        NewProgram {
            name: p.name.clone(),
            kind: Some(p.kind),
            punches_needed: p.punches_needed,
            reward: p.reward.clone(),
            points_per_unit: p.points_per_unit,
            tiers: Some(p.tiers.clone()),
            reward_days: p.reward_days,
            min_gap_minutes: p.min_gap_minutes,
        }
    }
}

pub(crate) fn tiers_json(tiers: &[PointsReward]) -> Result<Option<String>> {
    if tiers.is_empty() {
        return Ok(None);
    }
    serde_json::to_string(tiers)
        .map(Some)
        .map_err(|e| CoreError::internal("program tiers", e))
}

pub(crate) async fn insert_program(
    tx: &mut WriteTx,
    shop_id: ShopId,
    valid: &ValidProgram,
) -> Result<Program> {
    let program = Program {
        id: ProgramId::new(),
        name: valid.name.clone(),
        kind: valid.kind,
        punches_needed: valid.punches_needed,
        reward: valid.reward.clone(),
        points_per_unit: valid.points_per_unit,
        tiers: valid.tiers.clone(),
        reward_days: valid.reward_days,
        min_gap_minutes: valid.min_gap_minutes,
        active: true,
        retired_at: None,
        created_at: Utc::now(),
    };
    sqlx::query(
        "INSERT INTO program (id, shop_id, name, kind, punches_needed, reward, points_per_unit,
                              tiers, reward_days, min_gap_minutes, active, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
    )
    .bind(program.id)
    .bind(shop_id)
    .bind(&program.name)
    .bind(program.kind)
    .bind(program.punches_needed)
    .bind(&program.reward)
    .bind(program.points_per_unit)
    .bind(tiers_json(&program.tiers)?)
    .bind(program.reward_days)
    .bind(program.min_gap_minutes)
    .bind(program.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(program)
}

/// A program as stored, with its shop and its version (what sync sends).
/// The program `id` among `programs`, whatever its status.
fn named(programs: &[Program], id: ProgramId) -> Result<Program> {
    programs
        .iter()
        .find(|p| p.id == id)
        .cloned()
        .ok_or(CoreError::ProgramNotFound)
}

pub(crate) async fn stored_program(
    conn: &mut sqlx::SqliteConnection,
    id: ProgramId,
) -> Result<Option<(ShopId, String, Program)>> {
    #[derive(FromRow)]
    struct Stored {
        shop_id: ShopId,
        version: String,
        #[sqlx(flatten)]
        row: ProgramRow,
    }
    let stored: Option<Stored> = sqlx::query_as(&format!(
        "SELECT shop_id, version, {PROGRAM_COLUMNS} FROM program WHERE id = ?"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    stored
        .map(|s| Ok((s.shop_id, s.version, Program::try_from(s.row)?)))
        .transpose()
}

/// Writes a program's editable fields as they are in `program` (same transaction as its audit).
async fn update_program(tx: &mut WriteTx, program: &Program) -> Result<()> {
    sqlx::query(
        "UPDATE program SET name = ?, reward = ?, points_per_unit = ?, tiers = ?,
                            min_gap_minutes = ?, active = ?, retired_at = ?
         WHERE id = ?",
    )
    .bind(&program.name)
    .bind(&program.reward)
    .bind(program.points_per_unit)
    .bind(tiers_json(&program.tiers)?)
    .bind(program.min_gap_minutes)
    .bind(program.active)
    .bind(program.retired_at)
    .bind(program.id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn audited(tx: &mut WriteTx, actor: &Actor, program: &Program, what: &str) -> Result<()> {
    let subject = program.id.to_string();
    audit::record(
        tx,
        Some(actor.staff_id),
        AuditKind::ProgramChanged,
        Some(&subject),
        Some(what),
    )
    .await
}

impl Store {
    /// Managers only: a new active program.
    pub async fn add_program(&self, actor: &Actor, new: &NewProgram) -> Result<Program> {
        actor.require(Permission::ManagePrograms)?;
        let valid = ValidProgram::try_from(new)?;
        let shop = self.require_shop().await?;
        let mut tx = self.begin_write().await?;
        let program = insert_program(&mut tx, shop.id, &valid).await?;
        audited(&mut tx, actor, &program, "added").await?;
        self.commit(tx).await?;
        Ok(program)
    }

    /// Managers only: renames a program or changes what it gives. A new number of stamps or a
    /// new expiry makes a new program under the same name and retires this one (members keep
    /// what they earned on it); the rest changes in place. A retired program is not edited.
    pub async fn edit_program(
        &self,
        actor: &Actor,
        id: ProgramId,
        edit: &ProgramEdit,
    ) -> Result<ProgramEdited> {
        actor.require(Permission::ManagePrograms)?;
        let old = self.program(id).await?;
        if old.status() == ProgramStatus::Retired {
            return Err(CoreError::ProgramRetired);
        }
        let mut wanted = NewProgram::from(&old);
        if let Some(name) = &edit.name {
            wanted.name = name.clone();
        }
        if let Some(reward) = &edit.reward {
            wanted.reward = reward.clone();
        }
        if let Some(punches) = edit.punches_needed {
            wanted.punches_needed = punches;
        }
        if let Some(per_unit) = edit.points_per_unit {
            wanted.points_per_unit = Some(per_unit);
        }
        if let Some(tiers) = &edit.tiers {
            wanted.tiers = Some(tiers.clone());
        }
        if let Some(days) = edit.reward_days {
            wanted.reward_days = (days != 0).then_some(days);
        }
        if let Some(gap) = edit.min_gap_minutes {
            wanted.min_gap_minutes = (gap != 0).then_some(gap);
        }
        let valid = ValidProgram::try_from(&wanted)?;
        let shop = self.require_shop().await?;
        let mut tx = self.begin_write().await?;
        let terms_changed =
            valid.punches_needed != old.punches_needed || valid.reward_days != old.reward_days;
        let edited = if terms_changed {
            // The old cards keep their terms: a new program, and the old one retired.
            let mut retired = old.clone();
            retired.active = false;
            retired.retired_at = Some(Utc::now());
            update_program(&mut tx, &retired).await?;
            audited(&mut tx, actor, &retired, "retired").await?;
            let mut program = insert_program(&mut tx, shop.id, &valid).await?;
            // Paused stays paused under its new terms.
            if !old.active {
                program.active = false;
                update_program(&mut tx, &program).await?;
            }
            audited(&mut tx, actor, &program, &format!("replaces {}", old.id)).await?;
            ProgramEdited {
                program,
                replaced: Some(old.id),
            }
        } else {
            let program = Program {
                name: valid.name,
                reward: valid.reward,
                points_per_unit: valid.points_per_unit,
                tiers: valid.tiers,
                min_gap_minutes: valid.min_gap_minutes,
                ..old
            };
            update_program(&mut tx, &program).await?;
            audited(&mut tx, actor, &program, "edited").await?;
            ProgramEdited {
                program,
                replaced: None,
            }
        };
        self.commit(tx).await?;
        Ok(edited)
    }

    /// Managers only: a paused program takes no punches until it is resumed.
    pub async fn pause_program(&self, actor: &Actor, id: ProgramId) -> Result<Program> {
        self.set_program_status(actor, id, ProgramStatus::Paused)
            .await
    }

    pub async fn resume_program(&self, actor: &Actor, id: ProgramId) -> Result<Program> {
        self.set_program_status(actor, id, ProgramStatus::Active)
            .await
    }

    /// Managers only: the program takes no punches ever again; rewards earned on it stay
    /// redeemable.
    pub async fn retire_program(&self, actor: &Actor, id: ProgramId) -> Result<Program> {
        self.set_program_status(actor, id, ProgramStatus::Retired)
            .await
    }

    async fn set_program_status(
        &self,
        actor: &Actor,
        id: ProgramId,
        status: ProgramStatus,
    ) -> Result<Program> {
        actor.require(Permission::ManagePrograms)?;
        let mut program = self.program(id).await?;
        if program.status() == ProgramStatus::Retired {
            return Err(CoreError::ProgramRetired);
        }
        if program.status() == status {
            return Ok(program);
        }
        program.active = status == ProgramStatus::Active;
        if status == ProgramStatus::Retired {
            program.retired_at = Some(Utc::now());
        }
        let what = match status {
            ProgramStatus::Active => "resumed",
            ProgramStatus::Paused => "paused",
            ProgramStatus::Retired => "retired",
        };
        let mut tx = self.begin_write().await?;
        update_program(&mut tx, &program).await?;
        audited(&mut tx, actor, &program, what).await?;
        self.commit(tx).await?;
        Ok(program)
    }

    /// The program a script or a person names: its id, or its name (any case). Of several
    /// programs of one name (an edit that made a new one), the one not retired.
    pub async fn program_named(&self, name_or_id: &str) -> Result<Program> {
        let wanted = validate::normalised(name_or_id);
        if let Ok(id) = wanted.parse::<ProgramId>() {
            return self.program(id).await;
        }
        let wanted = wanted.to_lowercase();
        let mut named: Vec<Program> = self
            .programs()
            .await?
            .into_iter()
            .filter(|p| p.name.to_lowercase() == wanted)
            .collect();
        named.sort_by_key(|p| p.retired_at.is_some());
        named.into_iter().next().ok_or(CoreError::ProgramNotFound)
    }

    /// All programs, active first, oldest first: the first active one is the default the
    /// cashier's one key punches. Programs are the chain's: one made in any shop runs in
    /// every shop, so a member's card is the same card everywhere.
    pub async fn programs(&self) -> Result<Vec<Program>> {
        let rows: Vec<ProgramRow> = sqlx::query_as(&format!(
            "SELECT {PROGRAM_COLUMNS} FROM program
             ORDER BY active DESC, retired_at IS NOT NULL, created_at, id"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(Program::try_from).collect()
    }

    /// [`Store::programs`] from memory while no process changed a program since they were
    /// read, `stamp` being the store's `cache_stamp.programs` as the caller read it beforehand.
    pub(crate) async fn programs_as_of(&self, stamp: i64) -> Result<Arc<Vec<Program>>> {
        self.remembered(stamp, || self.programs()).await
    }

    pub async fn program(&self, id: ProgramId) -> Result<Program> {
        let mut conn = self.pool().acquire().await?;
        stored_program(&mut conn, id)
            .await?
            .map(|(_, _, program)| program)
            .ok_or(CoreError::ProgramNotFound)
    }

    /// The program a punch is for: the one named, which must be active, or the shop's only
    /// active program.
    pub async fn resolve_program(&self, id: Option<ProgramId>) -> Result<Program> {
        self.program_to_punch(self.stamps().await?.programs, id)
            .await
    }

    /// [`Store::resolve_program`] among the programs as of `stamp` (`cache_stamp.programs`,
    /// read by the caller beforehand: a counter action reads it with the member, issue 12), from
    /// memory while no process changed a program.
    pub(crate) async fn program_to_punch(
        &self,
        stamp: i64,
        id: Option<ProgramId>,
    ) -> Result<Program> {
        let programs = self.programs_as_of(stamp).await?;
        if let Some(id) = id {
            let program = named(&programs, id)?;
            return match program.status() {
                ProgramStatus::Active => Ok(program),
                ProgramStatus::Paused => Err(CoreError::ProgramInactive),
                ProgramStatus::Retired => Err(CoreError::ProgramRetired),
            };
        }
        let mut active: Vec<&Program> = programs.iter().filter(|p| p.active).collect();
        match active.len() {
            0 => Err(CoreError::NoActiveProgram),
            1 => Ok(active.remove(0).clone()),
            _ => Err(CoreError::ProgramRequired),
        }
    }

    /// The program a redemption is for: as [`Store::resolve_program`], except that rewards
    /// earned on a paused or retired program are still given.
    pub async fn program_to_redeem(&self, id: Option<ProgramId>) -> Result<Program> {
        self.program_to_redeem_as_of(self.stamps().await?.programs, id)
            .await
    }

    /// [`Store::program_to_redeem`] among the programs as of `stamp`, as
    /// [`Store::program_to_punch`].
    pub(crate) async fn program_to_redeem_as_of(
        &self,
        stamp: i64,
        id: Option<ProgramId>,
    ) -> Result<Program> {
        match id {
            Some(id) => named(&self.programs_as_of(stamp).await?, id),
            None => self.program_to_punch(stamp, None).await,
        }
    }
}
