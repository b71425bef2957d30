//! Complaints at the counter (docs/decisions/0030-complaints.md): logging one, giving the
//! coupon the shop's rule proposes, and the member's answer at the next visit. The rules are
//! tessera-core's (`care::complaints`).

use tauri::State;
use tessera_core::care::complaints::{Complaint, FollowUp, Logged, NewComplaint};
use tessera_core::counter::coupons::CouponView;
use tessera_core::ids::{ComplaintId, MemberId};

use crate::state::AppState;

type CommandResult<T> = Result<T, tessera_core::ErrorBody>;

#[tauri::command]
pub async fn add_complaint(
    state: State<'_, AppState>,
    complaint: NewComplaint,
) -> CommandResult<Logged> {
    let actor = state.actor()?;
    let store = state.store()?;
    store
        .add_complaint(&actor, &complaint)
        .await
        .map_err(|e| store.error_body(e))
}

#[tauri::command]
pub async fn compensate_complaint(
    state: State<'_, AppState>,
    id: ComplaintId,
) -> CommandResult<CouponView> {
    let actor = state.actor()?;
    let store = state.store()?;
    store
        .compensate_complaint(&actor, id)
        .await
        .map_err(|e| store.error_body(e))
}

/// The complaint to ask the member on screen about, if any.
#[tauri::command]
pub async fn follow_up_due(
    state: State<'_, AppState>,
    member_id: MemberId,
) -> CommandResult<Option<Complaint>> {
    state.actor()?;
    let store = state.store()?;
    store
        .follow_up_due(member_id)
        .await
        .map_err(|e| store.error_body(e))
}

#[tauri::command]
pub async fn answer_follow_up(
    state: State<'_, AppState>,
    id: ComplaintId,
    answer: FollowUp,
) -> CommandResult<Complaint> {
    let actor = state.actor()?;
    let store = state.store()?;
    store
        .answer_follow_up(&actor, id, answer)
        .await
        .map_err(|e| store.error_body(e))
}
