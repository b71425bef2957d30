//! Loyalty programs. Today a program is a punch card: N punches earn a reward.

use crate::ids::{ProgramId, ShopId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::input::validate;
use crate::people::auth::Permission;
use crate::people::shop::Actor;
use crate::store::{Store, WriteTx};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromRow)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Program {
    pub id: ProgramId,
    pub name: String,
    pub punches_needed: i64,
    pub reward: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct NewProgram {
    pub name: String,
    pub punches_needed: i64,
    pub reward: String,
}

const PROGRAM_COLUMNS: &str = "id, name, punches_needed, reward, active, created_at";

/// A program whose fields were checked: what first run and "add program" both insert.
pub(crate) struct ValidProgram {
    name: String,
    punches_needed: i64,
    reward: String,
}

impl TryFrom<&NewProgram> for ValidProgram {
    type Error = CoreError;

    fn try_from(new: &NewProgram) -> Result<ValidProgram> {
        Ok(ValidProgram {
            name: validate::name(&new.name)?,
            punches_needed: validate::punches_needed(new.punches_needed)?,
            reward: validate::text("reward", &new.reward, validate::TEXT_MAX)?,
        })
    }
}

pub(crate) async fn insert_program(
    tx: &mut WriteTx,
    shop_id: ShopId,
    valid: &ValidProgram,
) -> Result<Program> {
    let program = Program {
        id: ProgramId::new(),
        name: valid.name.clone(),
        punches_needed: valid.punches_needed,
        reward: valid.reward.clone(),
        active: true,
        created_at: Utc::now(),
    };
    sqlx::query(
        "INSERT INTO program (id, shop_id, name, punches_needed, reward, active, created_at)
         VALUES (?, ?, ?, ?, ?, 1, ?)",
    )
    .bind(program.id)
    .bind(shop_id)
    .bind(&program.name)
    .bind(program.punches_needed)
    .bind(&program.reward)
    .bind(program.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(program)
}

impl Store {
    /// Managers only: a new active program.
    pub async fn add_program(&self, actor: &Actor, new: &NewProgram) -> Result<Program> {
        actor.require(Permission::ManagePrograms)?;
        let valid = ValidProgram::try_from(new)?;
        let shop = self.require_shop().await?;
        let mut tx = self.begin_write().await?;
        let program = insert_program(&mut tx, shop.id, &valid).await?;
        self.commit(tx).await?;
        Ok(program)
    }

    /// The program a script or a person names: its id, or its name (any case).
    pub async fn program_named(&self, name_or_id: &str) -> Result<Program> {
        let wanted = validate::normalised(name_or_id);
        if let Ok(id) = wanted.parse::<ProgramId>() {
            return self.program(id).await;
        }
        let wanted = wanted.to_lowercase();
        self.programs()
            .await?
            .into_iter()
            .find(|p| p.name.to_lowercase() == wanted)
            .ok_or(CoreError::ProgramNotFound)
    }

    /// All programs, active first, oldest first: the first active one is the default the
    /// cashier's one key punches. Programs are the chain's: one made in any shop runs in
    /// every shop, so a member's card is the same card everywhere.
    pub async fn programs(&self) -> Result<Vec<Program>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PROGRAM_COLUMNS} FROM program ORDER BY active DESC, created_at, id"
        ))
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn program(&self, id: ProgramId) -> Result<Program> {
        sqlx::query_as(&format!(
            "SELECT {PROGRAM_COLUMNS} FROM program WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(CoreError::ProgramNotFound)
    }

    /// The program an action is for: the one named, or the shop's only active program.
    pub async fn resolve_program(&self, id: Option<ProgramId>) -> Result<Program> {
        if let Some(id) = id {
            let program = self.program(id).await?;
            return if program.active {
                Ok(program)
            } else {
                Err(CoreError::ProgramInactive)
            };
        }
        let mut active: Vec<Program> = self
            .programs()
            .await?
            .into_iter()
            .filter(|p| p.active)
            .collect();
        match active.len() {
            0 => Err(CoreError::NoActiveProgram),
            1 => Ok(active.remove(0)),
            _ => Err(CoreError::ProgramRequired),
        }
    }
}
