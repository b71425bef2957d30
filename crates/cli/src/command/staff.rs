//! `tessera staff add|list|rename|role|pin|unlock|deactivate|activate`: the shop's staff
//! (managers; a staff member may set their own PIN). A new PIN comes from TESSERA_NEW_PIN, or
//! is typed twice on a terminal: never from the command line, which others can read.

use serde::Serialize;
use tessera_core::people::shop::Role;
use tessera_core::people::staff::StaffMember;
use tessera_core::Result;

use super::{shared, Context};
use crate::output::{shown, Render, Text};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Add a cashier or a manager; their PIN from TESSERA_NEW_PIN or typed twice.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// This shop's staff, active or not, and who is locked out.
    List,
    /// Give a staff member another name.
    Rename {
        name: String,
        #[arg(long)]
        to: String,
    },
    /// Make a staff member a cashier or a manager.
    Role {
        name: String,
        #[arg(value_enum)]
        role: RoleArg,
    },
    /// Set a new PIN (a forgotten one, or your own): from TESSERA_NEW_PIN or typed twice.
    Pin { name: String },
    /// Let a staff member locked out by wrong PINs sign in again.
    Unlock { name: String },
    /// Stop a staff member signing in (their past actions keep their name).
    Deactivate { name: String },
    /// Let a deactivated staff member sign in again.
    Activate { name: String },
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum RoleArg {
    Cashier,
    Manager,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Role {
        match role {
            RoleArg::Cashier => Role::Cashier,
            RoleArg::Manager => Role::Manager,
        }
    }
}

fn role_words(t: &Text, role: Role) -> String {
    match role {
        Role::Manager => t.t("staff-role-manager", &[]),
        Role::Cashier => t.t("staff-role-cashier", &[]),
    }
}

fn line(t: &Text, staff: &StaffMember) -> String {
    let mut line = format!("{}  {}", shown(&staff.name), role_words(t, staff.role));
    if !staff.active {
        line.push_str(&format!("  ({})", t.t("staff-inactive", &[])));
    }
    if staff.locked {
        line.push_str(&format!("  ({})", t.t("staff-locked", &[])));
    }
    line
}

/// The staff member as they are after the change.
#[derive(Serialize)]
#[serde(transparent)]
pub struct StaffOutput(pub StaffMember);

impl Render for StaffOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        vec![t.t("cli-staff-saved", &[]), line(t, &self.0)]
    }
}

/// This shop's staff, a JSON array.
#[derive(Serialize)]
#[serde(transparent)]
pub struct StaffListOutput(pub Vec<StaffMember>);

impl Render for StaffListOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        self.0.iter().map(|staff| line(t, staff)).collect()
    }
}

pub async fn run(command: Command, cx: &Context<'_>) -> Result<()> {
    let actor = shared::signed_in(cx).await?;
    let store = cx.store;
    let changed = match command {
        Command::List => {
            cx.out
                .print(&StaffListOutput(store.staff_members(&actor).await?));
            return Ok(());
        }
        Command::Add { name, role } => {
            let pin = shared::new_pin(None, &format!("PIN ({name}): "))?;
            store
                .add_staff(&actor, &name, role.into(), &pin)
                .await?
                .name
        }
        Command::Rename { name, to } => {
            let staff = store.staff_named(&name).await?;
            store.rename_staff(&actor, staff.id, &to).await?;
            to
        }
        Command::Role { name, role } => {
            let staff = store.staff_named(&name).await?;
            store.set_staff_role(&actor, staff.id, role.into()).await?;
            name
        }
        Command::Pin { name } => {
            let staff = store.staff_named(&name).await?;
            let pin = shared::new_pin(None, &format!("PIN ({name}): "))?;
            store.set_pin(&actor, staff.id, &pin).await?;
            name
        }
        Command::Unlock { name } => {
            let staff = store.staff_named(&name).await?;
            store.unlock_staff(&actor, staff.id).await?;
            name
        }
        Command::Deactivate { name } => {
            let staff = store.staff_named(&name).await?;
            store.set_staff_active(&actor, staff.id, false).await?;
            name
        }
        Command::Activate { name } => {
            let staff = store.staff_named(&name).await?;
            store.set_staff_active(&actor, staff.id, true).await?;
            name
        }
    };
    // Read back, lock included: what the staff list now says of them.
    cx.out
        .print(&StaffOutput(store.staff_named(&changed).await?));
    Ok(())
}
