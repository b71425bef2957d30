//! The shop, this till's device identity, and the staff who sign in with a PIN.
//! PINs are hashed with Argon2id (slow on purpose); the PIN itself is never stored or logged.

use crate::ids::{ShopId, StaffId};
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::store::{Store, WriteTx};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromRow)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Shop {
    pub id: ShopId,
    pub name: String,
    pub language: String,
    pub currency: String,
    pub created_at: DateTime<Utc>,
    /// IANA name (`Europe/Bucharest`); `None`: the till's own clock zone.
    pub time_zone: Option<String>,
    /// Days a member is left alone after a survey; `None`: 90.
    #[sqlx(default)]
    pub survey_interval_days: Option<i64>,
}

/// This till's shop, on a connection the caller holds.
pub(crate) async fn this_shop(conn: &mut sqlx::SqliteConnection) -> Result<Option<Shop>> {
    Ok(sqlx::query_as(
        "SELECT id, name, language, currency, created_at, time_zone, survey_interval_days FROM shop
         WHERE id = (SELECT shop_id FROM device)",
    )
    .fetch_optional(conn)
    .await?)
}

impl Shop {
    /// The shop's time zone: its own, else this computer's, failing that UTC.
    pub fn zone(time_zone: Option<&str>) -> chrono_tz::Tz {
        let system = || iana_time_zone::get_timezone().ok();
        time_zone
            .map(str::to_string)
            .or_else(system)
            .and_then(|name| name.parse().ok())
            .unwrap_or(chrono_tz::Tz::UTC)
    }

    /// The day it is now in the shop.
    pub fn today(&self, now: DateTime<Utc>) -> chrono::NaiveDate {
        now.with_timezone(&Shop::zone(self.time_zone.as_deref()))
            .date_naive()
    }
}

/// What a manager sets about the shop; it syncs to every till of the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct ShopSettings {
    pub name: String,
    /// The default language of screens, cards and new members.
    pub language: String,
    pub currency: String,
    pub time_zone: Option<String>,
    /// Days a member is left alone after a survey (1 to 3650); `None`: 90.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub survey_interval_days: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum Role {
    Manager,
    Cashier,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromRow)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Staff {
    pub id: StaffId,
    pub name: String,
    pub role: Role,
}

/// Who is doing an action: every event records them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub staff_id: StaffId,
    pub role: Role,
}

impl From<&Staff> for Actor {
    fn from(staff: &Staff) -> Self {
        Actor {
            staff_id: staff.id,
            role: staff.role,
        }
    }
}

pub(crate) fn hash_pin(pin: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CoreError::internal("pin hashing", e))
}

pub(crate) fn pin_matches(pin: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(pin.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

impl Store {
    /// This till's shop (other shops of the chain may have rows here too, brought by sync).
    pub async fn shop(&self) -> Result<Option<Shop>> {
        let mut conn = self.pool().acquire().await?;
        this_shop(&mut conn).await
    }

    pub async fn require_shop(&self) -> Result<Shop> {
        self.shop().await?.ok_or(CoreError::ShopNotSetUp)
    }

    /// Managers only: the shop's name, default language, currency and time zone, each checked;
    /// the change is audited and syncs.
    pub async fn set_shop_settings(&self, actor: &Actor, settings: &ShopSettings) -> Result<Shop> {
        actor.require(crate::people::auth::Permission::ManageSettings)?;
        let shop = self.require_shop().await?;
        let name = crate::input::validate::name(&settings.name).map_err(|e| match e {
            CoreError::Empty { .. } => CoreError::Empty { field: "shop_name" },
            other => other,
        })?;
        let language = crate::input::validate::language(&settings.language)?;
        let currency = crate::input::validate::currency(&settings.currency)?;
        let time_zone = settings
            .time_zone
            .as_deref()
            .filter(|z| !z.trim().is_empty())
            .map(crate::input::validate::time_zone)
            .transpose()?;
        let interval = settings.survey_interval_days;
        if interval
            .is_some_and(|days| !(1..=crate::care::surveys::MAX_INTERVAL_DAYS).contains(&days))
        {
            return Err(CoreError::InvalidSurveyInterval);
        }
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE shop SET name = ?, language = ?, currency = ?, time_zone = ?,
                             survey_interval_days = ?
             WHERE id = ?",
        )
        .bind(&name)
        .bind(&language)
        .bind(&currency)
        .bind(&time_zone)
        .bind(interval)
        .bind(shop.id)
        .execute(&mut *tx)
        .await?;
        let detail = format!(
            "shop: {language}, {currency}, {}, surveys every {} days",
            time_zone.as_deref().unwrap_or("-"),
            interval.unwrap_or(crate::care::surveys::DEFAULT_INTERVAL_DAYS)
        );
        crate::audit::record(
            &mut tx,
            Some(actor.staff_id),
            crate::audit::AuditKind::SettingsChanged,
            None,
            Some(&detail),
        )
        .await?;
        self.commit(tx).await?;
        // The reports count days in the new zone from now on.
        self.report_calendar().await?;
        self.require_shop().await
    }

    /// Who may sign in here: this shop's active staff, managers first, then the chain's
    /// managers from other shops (a manager's PIN works in every shop).
    pub async fn staff_list(&self) -> Result<Vec<Staff>> {
        Ok(sqlx::query_as(
            "SELECT id, name, role FROM staff
             WHERE active = 1
               AND (shop_id = (SELECT shop_id FROM device) OR role = 'manager')
             ORDER BY shop_id != (SELECT shop_id FROM device), role = 'cashier', name",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// The shop's first manager: who the CLI acts as when no `--staff` is given.
    pub async fn owner(&self) -> Result<Staff> {
        sqlx::query_as(
            "SELECT id, name, role FROM staff WHERE role = 'manager' AND active = 1
               AND shop_id = (SELECT shop_id FROM device)
             ORDER BY created_at, id LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await?
        .ok_or(CoreError::ShopNotSetUp)
    }
}

pub(crate) async fn insert_staff(
    tx: &mut WriteTx,
    shop_id: ShopId,
    name: &str,
    role: Role,
    pin_hash: &str,
) -> Result<Staff> {
    let staff = Staff {
        id: StaffId::new(),
        name: name.to_string(),
        role,
    };
    sqlx::query(
        "INSERT INTO staff (id, shop_id, name, role, pin_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(staff.id)
    .bind(shop_id)
    .bind(&staff.name)
    .bind(staff.role)
    .bind(pin_hash)
    .bind(Utc::now())
    .execute(&mut **tx)
    .await
    .map_err(name_taken)?;
    Ok(staff)
}

/// A staff name already used in the shop (any case): the unique index says so.
pub(crate) fn name_taken(error: sqlx::Error) -> CoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => CoreError::StaffNameTaken,
        _ => error.into(),
    }
}
