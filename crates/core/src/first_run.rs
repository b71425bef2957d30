//! First run: the shop, this till (its device and sequence), the first manager, the chain's
//! card key and, from the app, the first program, all in one transaction. Nothing is saved
//! unless everything is valid, so a refused program never leaves a shop with no program.

use chrono::Utc;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::cards::registry;
use crate::codes::token::ChainKey;
use crate::counter::programs::{self, NewProgram, ValidProgram};
use crate::error::{CoreError, Result};
use crate::ids::{DeviceId, ShopId};
use crate::input::validate;
use crate::people::shop::{hash_pin, insert_staff, Role, Shop, Staff};
use crate::store::Store;

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct NewShop {
    pub shop_name: String,
    pub language: String,
    pub currency: String,
    pub manager_name: String,
    pub manager_pin: String,
}

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct SetUp {
    pub shop: Shop,
    pub manager: Staff,
    pub device_id: DeviceId,
}

impl Store {
    /// First run: the shop, this till's identity, and the first manager, in one transaction.
    pub async fn init_shop(&self, new: &NewShop) -> Result<SetUp> {
        self.set_up_shop(new, None).await
    }

    /// First run from the app: the shop, this till, its first manager and its first program,
    /// all in one transaction. Nothing is saved unless everything is valid, so a refused
    /// program never leaves a shop with no program behind (and a retry works).
    pub async fn set_up_shop(
        &self,
        new: &NewShop,
        first_program: Option<&NewProgram>,
    ) -> Result<SetUp> {
        let name = validate::text("shop_name", &new.shop_name, validate::NAME_MAX)?;
        let language = validate::language(&new.language)?;
        let currency = validate::currency(&new.currency)?;
        let manager_name = validate::name(&new.manager_name)?;
        let program = first_program.map(ValidProgram::try_from).transpose()?;
        let pin_hash = hash_pin(validate::pin(&new.manager_pin)?)?;

        let mut tx = self.begin_write().await?;
        let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM shop")
            .fetch_one(&mut *tx)
            .await?;
        if existing > 0 {
            return Err(CoreError::ShopAlreadySetUp);
        }
        let now = Utc::now();
        // This till first (a till that tried to join a chain already has its device row), so
        // that the shop's first version names it.
        sqlx::query(
            "INSERT INTO device (id, next_seq, created_at) SELECT ?, 1, ?
             WHERE NOT EXISTS (SELECT 1 FROM device)",
        )
        .bind(DeviceId::new())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let device_id: DeviceId = sqlx::query_scalar("SELECT id FROM device")
            .fetch_one(&mut *tx)
            .await?;
        let shop = Shop {
            id: ShopId::new(),
            name,
            language,
            currency,
            created_at: now,
            // The till's own clock zone until a manager names the shop's.
            time_zone: None,
            survey_interval_days: None,
        };
        sqlx::query(
            "INSERT INTO shop (id, name, language, currency, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(shop.id)
        .bind(&shop.name)
        .bind(&shop.language)
        .bind(&shop.currency)
        .bind(shop.created_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE device SET shop_id = ?")
            .bind(shop.id)
            .execute(&mut *tx)
            .await?;
        let manager =
            insert_staff(&mut tx, shop.id, &manager_name, Role::Manager, &pin_hash).await?;
        // The first till of a chain makes its card key; the others will receive it with sync.
        let card_key = ChainKey::generate(&mut rand::thread_rng());
        registry::insert_chain_key(&mut tx, &card_key).await?;
        if let Some(program) = &program {
            programs::insert_program(&mut tx, shop.id, program).await?;
        }
        self.commit(tx).await?;
        Ok(SetUp {
            shop,
            manager,
            device_id,
        })
    }
}
