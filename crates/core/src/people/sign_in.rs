//! Signing in with a name and a PIN, and what stops someone guessing PINs at the counter
//! (docs/decisions/0017-staff-and-audit.md):
//!
//! - A wrong name and a wrong PIN give the same answer (`wrong_pin`) after the same work: one
//!   Argon2 verification, one write of the failure. Nobody learns staff names by trying.
//! - Failures are counted per name typed and for the till as a whole. The first few cost
//!   nothing; each one after makes the next attempt wait longer (5 s, 10 s, 20 s... up to five
//!   minutes). A name is locked after [`LOCK_AFTER`] failures in a row, until a manager lifts
//!   it: even the right PIN is refused until then. The till as a whole only waits (a lock of
//!   the whole till would keep out the manager who must lift it).
//! - A name nobody has is counted and locked just like a real one, so the answers stay alike.
//! - A right PIN clears the name's and the till's count (not a lock).
//! - Every failure goes to the audit trail, naming the staff member when there is one and
//!   never the name typed (it may be a PIN typed in the wrong field).

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use crate::audit::{self, AuditKind};
use crate::error::{CoreError, Result};
use crate::ids::StaffId;
use crate::input::validate;
use crate::people::shop::{pin_matches, Role, Staff};
use crate::store::{Store, WriteTx};

/// Failures in a row that cost nothing (a PIN mistyped once or twice).
pub const FREE_FAILURES: i64 = 2;
/// Failures in a row after which a name is locked until a manager lifts it.
pub const LOCK_AFTER: i64 = 5;
/// The longest wait between two attempts.
const LONGEST_WAIT_SECONDS: i64 = 300;
/// The till as a whole, in `sign_in_guard`.
const TILL_KEY: &str = "*till*";

/// How long the next attempt waits after `failures` failures in a row: nothing for the first
/// [`FREE_FAILURES`], then 5 s, doubling each time, up to five minutes.
pub fn wait_after(failures: i64) -> Option<Duration> {
    let beyond = failures - FREE_FAILURES;
    (beyond >= 1).then(|| {
        let seconds = 5_i64.saturating_mul(1 << (beyond - 1).min(16));
        Duration::seconds(seconds.min(LONGEST_WAIT_SECONDS))
    })
}

/// A name as the guard keys it: normalised, lower case, hashed (the table never holds what
/// was typed).
pub(crate) fn name_key(name: &str) -> String {
    let name = validate::normalised(name).to_lowercase();
    Sha256::digest(format!("tessera sign-in {name}").as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[derive(sqlx::FromRow)]
struct Guard {
    wait_until: Option<DateTime<Utc>>,
    locked_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Signs a staff member in by name and PIN: this shop's staff, and the chain's managers
    /// (a manager's PIN works in every shop). Two managers of other shops may share a name:
    /// the PIN tells them apart, this shop's own staff first.
    pub async fn sign_in(&self, name: &str, pin: &str) -> Result<Staff> {
        self.sign_in_at(name, pin, Utc::now()).await
    }

    /// [`Store::sign_in`] at a given time: tests walk the waits without waiting.
    #[doc(hidden)]
    pub async fn sign_in_at(&self, name: &str, pin: &str, now: DateTime<Utc>) -> Result<Staff> {
        let key = name_key(name);
        let counted = self.refuse_while_guarded(&key, now).await?;
        let candidates: Vec<(StaffId, String, Role, String)> = sqlx::query_as(
            "SELECT id, name, role, pin_hash FROM staff
             WHERE name = ? COLLATE NOCASE AND active = 1
               AND (shop_id = (SELECT shop_id FROM device) OR role = 'manager')
             ORDER BY shop_id = (SELECT shop_id FROM device) DESC, created_at, id",
        )
        .bind(validate::normalised(name))
        .fetch_all(self.pool())
        .await?;
        // A name nobody has still costs one Argon2 verification, against a real hash of this
        // till (so with the same parameters), whose answer is then ignored.
        let decoy: Option<String> =
            sqlx::query_scalar("SELECT pin_hash FROM staff ORDER BY created_at, id LIMIT 1")
                .fetch_optional(self.pool())
                .await?;
        let found = if candidates.is_empty() {
            if let Some(decoy) = decoy {
                let _ = pin_matches(pin, &decoy);
            }
            None
        } else {
            candidates
                .iter()
                .find(|(_, _, _, hash)| pin_matches(pin, hash))
                .map(|(id, name, role, _)| Staff {
                    id: *id,
                    name: name.clone(),
                    role: *role,
                })
        };
        // A right PIN with no failures counted writes nothing: every CLI command signs in, and
        // needs no write lock for it.
        if let (Some(staff), false) = (&found, counted) {
            return Ok(staff.clone());
        }
        let mut tx = self.begin_write().await?;
        let outcome = match found {
            Some(staff) => {
                sqlx::query("DELETE FROM sign_in_guard WHERE key IN (?, ?)")
                    .bind(&key)
                    .bind(TILL_KEY)
                    .execute(&mut *tx)
                    .await?;
                Ok(staff)
            }
            None => {
                let staff_id = candidates.first().map(|(id, ..)| *id);
                Err(note_failure(&mut tx, &key, staff_id, now).await?)
            }
        };
        self.commit(tx).await?;
        outcome
    }

    /// `sign_in_locked` while the name is locked, `sign_in_wait` while it or the till must wait;
    /// otherwise whether any failure is counted for the name or the till.
    async fn refuse_while_guarded(&self, key: &str, now: DateTime<Utc>) -> Result<bool> {
        let guards: Vec<Guard> =
            sqlx::query_as("SELECT wait_until, locked_at FROM sign_in_guard WHERE key IN (?, ?)")
                .bind(key)
                .bind(TILL_KEY)
                .fetch_all(self.pool())
                .await?;
        if guards.iter().any(|g| g.locked_at.is_some()) {
            return Err(CoreError::SignInLocked);
        }
        let until = guards.iter().filter_map(|g| g.wait_until).max();
        match until {
            Some(until) if until > now => {
                // Rounded up: "wait 0 seconds" would be a lie.
                let millis = (until - now).num_milliseconds();
                Err(CoreError::SignInWait {
                    seconds: (millis + 999) / 1000,
                })
            }
            _ => Ok(!guards.is_empty()),
        }
    }

    /// Lifts the lock and the wait on a name, and the till's wait. For a manager (the caller
    /// checks and records who did it).
    pub(crate) async fn clear_sign_in_guard(tx: &mut WriteTx, name: &str) -> Result<bool> {
        let lifted = sqlx::query("DELETE FROM sign_in_guard WHERE key IN (?, ?)")
            .bind(name_key(name))
            .bind(TILL_KEY)
            .execute(&mut **tx)
            .await?;
        Ok(lifted.rows_affected() > 0)
    }

    /// Whether a name is locked now.
    pub(crate) async fn sign_in_locked(&self, name: &str) -> Result<bool> {
        let locked: Option<Option<DateTime<Utc>>> =
            sqlx::query_scalar("SELECT locked_at FROM sign_in_guard WHERE key = ?")
                .bind(name_key(name))
                .fetch_optional(self.pool())
                .await?;
        Ok(matches!(locked, Some(Some(_))))
    }
}

/// Counts a failure for the name and the till, records it, and says what to answer: a wrong
/// PIN, or the lock this failure just set.
async fn note_failure(
    tx: &mut WriteTx,
    key: &str,
    staff_id: Option<StaffId>,
    now: DateTime<Utc>,
) -> Result<CoreError> {
    let name_failures = count_failure(tx, key, now, true).await?;
    count_failure(tx, TILL_KEY, now, false).await?;
    let subject = staff_id.map(|id| id.to_string());
    let detail = staff_id.is_none().then_some("unknown_name");
    audit::record_at(
        tx,
        now,
        None,
        AuditKind::PinFailed,
        subject.as_deref(),
        detail,
    )
    .await?;
    if name_failures == LOCK_AFTER {
        audit::record_at(
            tx,
            now,
            None,
            AuditKind::SignInLocked,
            subject.as_deref(),
            detail,
        )
        .await?;
        return Ok(CoreError::SignInLocked);
    }
    Ok(CoreError::WrongPin)
}

/// One more failure on `key`; returns how many there are now in a row.
async fn count_failure(
    tx: &mut WriteTx,
    key: &str,
    now: DateTime<Utc>,
    may_lock: bool,
) -> Result<i64> {
    let failures: i64 = sqlx::query_scalar(
        "INSERT INTO sign_in_guard (key, failures) VALUES (?, 1)
         ON CONFLICT (key) DO UPDATE SET failures = failures + 1
         RETURNING failures",
    )
    .bind(key)
    .fetch_one(&mut **tx)
    .await?;
    let wait_until = wait_after(failures).map(|wait| now + wait);
    let locked_at = (may_lock && failures >= LOCK_AFTER).then_some(now);
    sqlx::query(
        "UPDATE sign_in_guard SET wait_until = ?, locked_at = coalesce(locked_at, ?) WHERE key = ?",
    )
    .bind(wait_until)
    .bind(locked_at)
    .bind(key)
    .execute(&mut **tx)
    .await?;
    Ok(failures)
}
