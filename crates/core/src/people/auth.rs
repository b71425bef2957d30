//! Who may do what: one table, consulted by every public entry point of the core that acts or
//! reveals something. The shells (desktop app, CLI) only authenticate a staff member with their
//! PIN; they never decide what that person may do.

use chrono::{DateTime, Utc};

use crate::audit::AuditEntry;
use crate::error::{CoreError, Result};
use crate::people::shop::{Actor, Role};
use crate::store::Store;

/// Everything a staff member may be allowed to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Enrol a new member.
    Enroll,
    /// Stamp a card.
    Punch,
    /// Give a reward.
    Redeem,
    /// Undo one's own last action, within minutes (the cashier's Undo key).
    UndoOwnRecent,
    /// Cancel any punch or redemption, anyone's, of any age, with a reason.
    Void,
    /// Add, change, pause programs.
    ManagePrograms,
    /// Add staff, set PINs.
    ManageStaff,
    /// Print members' cards (PDF) and the printer test page.
    PrintCards,
    /// Read a member's card token (what their QR holds: a copy of the card).
    ReadCardTokens,
    /// Revoke a lost card and issue a new one.
    ReplaceCards,
    /// Run the integrity checks and rebuild balances from the ledger.
    Doctor,
    /// Make a set-up till a till of a chain (its members and history go to the hub).
    JoinChain,
    /// Settle a conflict sync found (the same reward given twice): accept or charge back.
    SettleConflicts,
    /// Merge two members who are one person.
    MergeMembers,
    /// Read the audit trail: voids, failed PINs, staff changes, exports, erasures.
    ReadAudit,
    /// Take a backup (a copy of every member's data) or restore one.
    BackUp,
    /// Change this till's settings (idle sign-out, PIN again, sounds).
    ManageSettings,
    /// Members' data in bulk or in full: export and import files of members, erase a member,
    /// export everything held about one.
    MembersData,
    /// Read the reports: visits, rewards, retention, members at risk, staff figures.
    ReadReports,
    /// Log a complaint, give the coupon the shop's rule proposes for it, resolve one's own,
    /// record a member's answer at their next visit.
    LogComplaints,
    /// Issue a coupon (a voucher for one use), or withdraw one. Taking a coupon at the counter
    /// is `Redeem`.
    IssueCoupons,
    /// Write to a segment of members (a campaign): their consented contacts exported, or
    /// emails sent; and say what the shop changed after feedback ("you said, we did").
    RunCampaigns,
    /// Ask a member (or whoever holds a receipt's QR) for their opinion: a short survey.
    AskFeedback,
}

/// The permission table. Reading members, cards and history is open to every signed-in staff
/// member (and, in the CLI, to whoever can read the database file: see docs/decisions/0013).
pub fn allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    match permission {
        Enroll | Punch | Redeem | UndoOwnRecent | LogComplaints | AskFeedback => true,
        Void | ManagePrograms | ManageStaff | PrintCards | ReadCardTokens | ReplaceCards
        | Doctor | JoinChain | SettleConflicts | MergeMembers | ReadAudit | BackUp
        | ManageSettings | MembersData | ReadReports | IssueCoupons | RunCampaigns => {
            role == Role::Manager
        }
    }
}

impl Actor {
    /// `manager_only` unless the table allows this actor's role to do it.
    pub fn require(&self, permission: Permission) -> Result<()> {
        if allows(self.role, permission) {
            Ok(())
        } else {
            Err(CoreError::ManagerOnly)
        }
    }
}

impl Store {
    /// The audit trail between two times, newest first, at most `limit` lines. Managers only.
    pub async fn audit_trail(
        &self,
        actor: &Actor,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        actor.require(Permission::ReadAudit)?;
        self.audit_between(from, to, limit).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::enroll(Permission::Enroll, true)]
    #[case::punch(Permission::Punch, true)]
    #[case::redeem(Permission::Redeem, true)]
    #[case::undo_own_recent(Permission::UndoOwnRecent, true)]
    #[case::log_complaints(Permission::LogComplaints, true)]
    #[case::ask_feedback(Permission::AskFeedback, true)]
    #[case::void(Permission::Void, false)]
    #[case::manage_programs(Permission::ManagePrograms, false)]
    #[case::manage_staff(Permission::ManageStaff, false)]
    #[case::print_cards(Permission::PrintCards, false)]
    #[case::read_card_tokens(Permission::ReadCardTokens, false)]
    #[case::replace_cards(Permission::ReplaceCards, false)]
    #[case::doctor(Permission::Doctor, false)]
    #[case::join_chain(Permission::JoinChain, false)]
    #[case::settle_conflicts(Permission::SettleConflicts, false)]
    #[case::merge_members(Permission::MergeMembers, false)]
    #[case::read_audit(Permission::ReadAudit, false)]
    #[case::back_up(Permission::BackUp, false)]
    #[case::manage_settings(Permission::ManageSettings, false)]
    #[case::members_data(Permission::MembersData, false)]
    #[case::read_reports(Permission::ReadReports, false)]
    #[case::issue_coupons(Permission::IssueCoupons, false)]
    #[case::run_campaigns(Permission::RunCampaigns, false)]
    fn what_a_cashier_may_do(#[case] permission: Permission, #[case] cashier: bool) {
        assert_eq!(allows(Role::Cashier, permission), cashier);
        assert!(
            allows(Role::Manager, permission),
            "a manager may do everything"
        );
    }
}
