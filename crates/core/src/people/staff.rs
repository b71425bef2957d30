//! Managing the shop's staff: add, rename, change a role, set a PIN, deactivate, lift a
//! sign-in lock. Managers only (a staff member may set their own PIN), each change in the
//! audit trail. A shop always keeps one active manager: the last one can be neither
//! deactivated nor made a cashier. Staff rows sync like every shared record, so a change made
//! on one till reaches the chain (docs/decisions/0017-staff-and-audit.md).

use serde::Serialize;
use sqlx::FromRow;
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::audit::{self, AuditKind};
use crate::error::{CoreError, Result};
use crate::ids::StaffId;
use crate::input::validate;
use crate::people::auth::Permission;
use crate::people::shop::{hash_pin, insert_staff, name_taken, Actor, Role, Staff};
use crate::store::{Store, WriteTx};

/// A staff member as the manager's staff screen lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, FromRow)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct StaffMember {
    pub id: StaffId,
    pub name: String,
    pub role: Role,
    pub active: bool,
    /// Locked after too many wrong PINs, until a manager unlocks them.
    #[sqlx(default)]
    pub locked: bool,
}

impl Store {
    /// Adds a cashier or a manager. Managers only.
    pub async fn add_staff(
        &self,
        actor: &Actor,
        name: &str,
        role: Role,
        pin: &str,
    ) -> Result<Staff> {
        actor.require(Permission::ManageStaff)?;
        let name = validate::name(name)?;
        let pin_hash = hash_pin(validate::pin(pin)?)?;
        let shop = self.require_shop().await?;
        let mut tx = self.begin_write().await?;
        let staff = insert_staff(&mut tx, shop.id, &name, role, &pin_hash).await?;
        audited(
            &mut tx,
            actor,
            AuditKind::StaffAdded,
            staff.id,
            role_name(role),
        )
        .await?;
        self.commit(tx).await?;
        Ok(staff)
    }

    /// This shop's staff, active or not, with their locks. Managers only.
    pub async fn staff_members(&self, actor: &Actor) -> Result<Vec<StaffMember>> {
        actor.require(Permission::ManageStaff)?;
        let mut members: Vec<StaffMember> = sqlx::query_as(
            "SELECT id, name, role, active FROM staff
             WHERE shop_id = (SELECT shop_id FROM device)
             ORDER BY active DESC, role = 'cashier', name COLLATE NOCASE",
        )
        .fetch_all(self.pool())
        .await?;
        for member in &mut members {
            member.locked = self.sign_in_locked(&member.name).await?;
        }
        Ok(members)
    }

    /// This shop's staff member with that name (any case), active or not.
    pub async fn staff_named(&self, name: &str) -> Result<StaffMember> {
        let mut staff: StaffMember = sqlx::query_as(
            "SELECT id, name, role, active FROM staff
             WHERE shop_id = (SELECT shop_id FROM device) AND name = ? COLLATE NOCASE",
        )
        .bind(validate::normalised(name))
        .fetch_optional(self.pool())
        .await?
        .ok_or(CoreError::StaffNotFound)?;
        staff.locked = self.sign_in_locked(&staff.name).await?;
        Ok(staff)
    }

    pub async fn rename_staff(&self, actor: &Actor, id: StaffId, name: &str) -> Result<()> {
        actor.require(Permission::ManageStaff)?;
        let name = validate::name(name)?;
        let mut tx = self.begin_write().await?;
        let before = this_shops(&mut tx, id).await?;
        sqlx::query("UPDATE staff SET name = ? WHERE id = ?")
            .bind(&name)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(name_taken)?;
        let detail = format!("{} → {name}", before.name);
        audited(&mut tx, actor, AuditKind::StaffRenamed, id, &detail).await?;
        self.commit(tx).await
    }

    pub async fn set_staff_role(&self, actor: &Actor, id: StaffId, role: Role) -> Result<()> {
        actor.require(Permission::ManageStaff)?;
        let mut tx = self.begin_write().await?;
        let before = this_shops(&mut tx, id).await?;
        if before.role == Role::Manager && role != Role::Manager {
            keep_a_manager(&mut tx, id).await?;
        }
        sqlx::query("UPDATE staff SET role = ? WHERE id = ?")
            .bind(role)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audited(
            &mut tx,
            actor,
            AuditKind::StaffRoleChanged,
            id,
            role_name(role),
        )
        .await?;
        self.commit(tx).await
    }

    /// A new PIN: a manager sets anyone's (a forgotten PIN), a staff member their own.
    pub async fn set_pin(&self, actor: &Actor, id: StaffId, pin: &str) -> Result<()> {
        if actor.staff_id != id {
            actor.require(Permission::ManageStaff)?;
        }
        let pin_hash = hash_pin(validate::pin(pin)?)?;
        let mut tx = self.begin_write().await?;
        this_shops(&mut tx, id).await?;
        sqlx::query("UPDATE staff SET pin_hash = ? WHERE id = ?")
            .bind(pin_hash)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audited(&mut tx, actor, AuditKind::PinSet, id, "").await?;
        self.commit(tx).await
    }

    /// Deactivated staff cannot sign in; their past actions keep their name.
    pub async fn set_staff_active(&self, actor: &Actor, id: StaffId, active: bool) -> Result<()> {
        actor.require(Permission::ManageStaff)?;
        let mut tx = self.begin_write().await?;
        let before = this_shops(&mut tx, id).await?;
        if !active && before.role == Role::Manager {
            keep_a_manager(&mut tx, id).await?;
        }
        sqlx::query("UPDATE staff SET active = ? WHERE id = ?")
            .bind(active)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let kind = if active {
            AuditKind::StaffReactivated
        } else {
            AuditKind::StaffDeactivated
        };
        audited(&mut tx, actor, kind, id, "").await?;
        self.commit(tx).await
    }

    /// Lifts the sign-in lock (and the waits) on a staff member of this shop.
    pub async fn unlock_staff(&self, actor: &Actor, id: StaffId) -> Result<()> {
        actor.require(Permission::ManageStaff)?;
        let mut tx = self.begin_write().await?;
        let staff = this_shops(&mut tx, id).await?;
        Store::clear_sign_in_guard(&mut tx, &staff.name).await?;
        audited(&mut tx, actor, AuditKind::StaffUnlocked, id, "").await?;
        self.commit(tx).await
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Manager => "manager",
        Role::Cashier => "cashier",
    }
}

/// The staff member, who must be this shop's (a manager of another shop is managed there).
async fn this_shops(tx: &mut WriteTx, id: StaffId) -> Result<StaffMember> {
    sqlx::query_as(
        "SELECT id, name, role, active FROM staff
         WHERE id = ? AND shop_id = (SELECT shop_id FROM device)",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(CoreError::StaffNotFound)
}

/// `last_manager` unless another active manager of this shop remains without `leaving`.
async fn keep_a_manager(tx: &mut WriteTx, leaving: StaffId) -> Result<()> {
    let others: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM staff
         WHERE shop_id = (SELECT shop_id FROM device) AND role = 'manager' AND active = 1
           AND id != ?",
    )
    .bind(leaving)
    .fetch_one(&mut **tx)
    .await?;
    if others == 0 {
        return Err(CoreError::LastManager);
    }
    Ok(())
}

async fn audited(
    tx: &mut WriteTx,
    actor: &Actor,
    kind: AuditKind,
    id: StaffId,
    detail: &str,
) -> Result<()> {
    let subject = id.to_string();
    let detail = (!detail.is_empty()).then_some(detail);
    audit::record(tx, Some(actor.staff_id), kind, Some(&subject), detail).await
}
