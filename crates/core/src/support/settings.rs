//! This till's settings: idle sign-out, how long a manager's PIN stays good for the manager's
//! screens, sounds, the cards' layout and the printer they go to (the printer is this PC's). Kept in the till's `setting` table (with its display language), one row per
//! setting that differs from its default; they are this counter's, so they do not sync. Anyone
//! may read them (the screen needs them); only a manager changes them, and that is audited.

use serde::{Deserialize, Serialize};
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::audit::{self, AuditKind};
use crate::cards::pdf::Sheet;
use crate::error::{CoreError, Result};
use crate::input::validate;
use crate::people::auth::Permission;
use crate::people::shop::Actor;
use crate::store::Store;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct TillSettings {
    /// Minutes without a key, a touch or a scan before the till signs out (0: never).
    pub idle_sign_out_minutes: i64,
    /// Minutes a manager's PIN stays good for the manager's screens before it is asked again.
    pub pin_again_minutes: i64,
    /// A sound for a stamp, a reward and a refusal.
    pub sounds: bool,
    /// How printed cards are laid out unless the manager picks another: `cr80` or `a4-10`.
    pub card_layout: String,
    /// The printer cards go to; none: the system's default.
    pub printer: Option<String>,
    /// Where this till serves its pages on the shop's network (`0.0.0.0:8470`): the links in
    /// the shop's emails land there. None: no pages.
    #[serde(default)]
    pub pages_address: Option<String>,
}

impl Default for TillSettings {
    fn default() -> TillSettings {
        TillSettings {
            idle_sign_out_minutes: 15,
            pin_again_minutes: 5,
            sounds: true,
            card_layout: "cr80".into(),
            printer: None,
            pages_address: None,
        }
    }
}

/// Up to a working day.
pub const IDLE_MAX_MINUTES: i64 = 12 * 60;
pub const PIN_AGAIN_MAX_MINUTES: i64 = 60;
/// CUPS allows 127 characters in a queue name.
const PRINTER_NAME_MAX: usize = 127;

impl TillSettings {
    fn validated(&self) -> Result<TillSettings> {
        Ok(TillSettings {
            idle_sign_out_minutes: validate::number(
                "idle_sign_out_minutes",
                self.idle_sign_out_minutes,
                0,
                IDLE_MAX_MINUTES,
            )?,
            pin_again_minutes: validate::number(
                "pin_again_minutes",
                self.pin_again_minutes,
                1,
                PIN_AGAIN_MAX_MINUTES,
            )?,
            sounds: self.sounds,
            card_layout: {
                self.card_layout.parse::<Sheet>()?;
                self.card_layout.clone()
            },
            printer: match self.printer.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(name) => Some(validate::text("printer", name, PRINTER_NAME_MAX)?),
            },
            pages_address: match self.pages_address.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(address) => Some(
                    address
                        .parse::<std::net::SocketAddr>()
                        .map_err(|_| CoreError::InvalidPagesAddress)?
                        .to_string(),
                ),
            },
        })
    }

    fn rows(&self) -> [(&'static str, String); 6] {
        [
            (
                "idle_sign_out_minutes",
                self.idle_sign_out_minutes.to_string(),
            ),
            ("pin_again_minutes", self.pin_again_minutes.to_string()),
            ("sounds", self.sounds.to_string()),
            ("card_layout", self.card_layout.clone()),
            ("printer", self.printer.clone().unwrap_or_default()),
            (
                "pages_address",
                self.pages_address.clone().unwrap_or_default(),
            ),
        ]
    }
}

impl Store {
    pub async fn till_settings(&self) -> Result<TillSettings> {
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT key, value FROM setting")
            .fetch_all(self.pool())
            .await?;
        let mut settings = TillSettings::default();
        // A value this version cannot read keeps its default (a newer Tessera may have written
        // it); it is never an error at the counter.
        for (key, value) in rows {
            match key.as_str() {
                "idle_sign_out_minutes" => {
                    settings.idle_sign_out_minutes =
                        value.parse().unwrap_or(settings.idle_sign_out_minutes)
                }
                "pin_again_minutes" => {
                    settings.pin_again_minutes = value.parse().unwrap_or(settings.pin_again_minutes)
                }
                "sounds" => settings.sounds = value.parse().unwrap_or(settings.sounds),
                "card_layout" if value.parse::<Sheet>().is_ok() => settings.card_layout = value,
                "printer" => settings.printer = Some(value).filter(|v| !v.is_empty()),
                "pages_address" => settings.pages_address = Some(value).filter(|v| !v.is_empty()),
                _ => {}
            }
        }
        Ok(settings)
    }

    /// Managers only: the till's settings, each checked; the change is in the audit trail.
    pub async fn set_till_settings(
        &self,
        actor: &Actor,
        settings: &TillSettings,
    ) -> Result<TillSettings> {
        actor.require(Permission::ManageSettings)?;
        let settings = settings.validated()?;
        let before = self.till_settings().await?;
        let mut tx = self.begin_write().await?;
        let mut changed = Vec::new();
        for ((key, value), (_, old)) in settings.rows().into_iter().zip(before.rows()) {
            if value == old {
                continue;
            }
            sqlx::query(
                "INSERT INTO setting (key, value) VALUES (?, ?)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(&value)
            .execute(&mut *tx)
            .await?;
            changed.push(format!("{key}={value}"));
        }
        if !changed.is_empty() {
            let detail = changed.join(", ");
            audit::record(
                &mut tx,
                Some(actor.staff_id),
                AuditKind::SettingsChanged,
                None,
                Some(&detail),
            )
            .await?;
        }
        self.commit(tx).await?;
        Ok(settings)
    }
}
