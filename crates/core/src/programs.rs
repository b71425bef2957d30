//! Loyalty programs. Today a program is a punch card: N punches earn a reward.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use ts_rs::TS;
use uuid::Uuid;

use crate::error::{CoreError, Result};
use crate::shop::Actor;
use crate::store::Store;
use crate::validate;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromRow, TS)]
#[ts(export)]
pub struct Program {
    pub id: Uuid,
    pub name: String,
    #[ts(type = "number")]
    pub punches_needed: i64,
    pub reward: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Deserialize, TS)]
#[ts(export)]
pub struct NewProgram {
    pub name: String,
    #[ts(type = "number")]
    pub punches_needed: i64,
    pub reward: String,
}

const PROGRAM_COLUMNS: &str = "id, name, punches_needed, reward, active, created_at";

impl Store {
    /// Managers only: a new active program.
    pub async fn add_program(&self, actor: &Actor, new: &NewProgram) -> Result<Program> {
        actor.require_manager()?;
        let name = validate::name(&new.name)?;
        let reward = validate::text("reward", &new.reward, validate::TEXT_MAX)?;
        let punches_needed = validate::punches_needed(new.punches_needed)?;
        let shop = self.require_shop().await?;
        let program = Program {
            id: Uuid::now_v7(),
            name,
            punches_needed,
            reward,
            active: true,
            created_at: Utc::now(),
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO program (id, shop_id, name, punches_needed, reward, active, created_at)
             VALUES (?, ?, ?, ?, ?, 1, ?)",
        )
        .bind(program.id)
        .bind(shop.id)
        .bind(&program.name)
        .bind(program.punches_needed)
        .bind(&program.reward)
        .bind(program.created_at)
        .execute(&mut *tx)
        .await?;
        self.commit(tx).await?;
        Ok(program)
    }

    /// All programs, active first, oldest first: the first active one is the default the
    /// cashier's one key punches.
    pub async fn programs(&self) -> Result<Vec<Program>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PROGRAM_COLUMNS} FROM program ORDER BY active DESC, created_at, id"
        ))
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn program(&self, id: Uuid) -> Result<Program> {
        sqlx::query_as(&format!(
            "SELECT {PROGRAM_COLUMNS} FROM program WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(CoreError::ProgramNotFound)
    }

    /// The program an action is for: the one named, or the shop's only active program.
    pub async fn resolve_program(&self, id: Option<Uuid>) -> Result<Program> {
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
