//! Manager › Reports from the app: the four reports of tessera-core, for the periods the screen
//! asks (days of the shop's time zone), and the shop's today to start from. Managers only, like
//! every command of the manager's side (`AppState::manager`).

use chrono::{NaiveDate, Utc};
use tauri::State;
use tessera_core::reports::at_risk::AtRisk;
use tessera_core::reports::clock::ReportClock;
use tessera_core::reports::retention::Retention;
use tessera_core::reports::staff::StaffReport;
use tessera_core::reports::summary::Summary;
use tessera_core::reports::Period;

use crate::state::AppState;

type CommandResult<T> = Result<T, tessera_core::ErrorBody>;

/// The most members at risk the screen lists (the total is given too).
const AT_RISK_SHOWN: u32 = 100;

/// Today in the shop's time zone: where the screen's default periods end.
#[tauri::command]
pub async fn report_today(state: State<'_, AppState>) -> CommandResult<NaiveDate> {
    let store = state.store()?;
    state.manager().await?;
    let clock = ReportClock::of(&store)
        .await
        .map_err(|e| store.error_body(e))?;
    Ok(clock.today(Utc::now()))
}

#[tauri::command]
pub async fn report_summary(state: State<'_, AppState>, period: Period) -> CommandResult<Summary> {
    let (store, actor) = (state.store()?, state.manager().await?);
    store
        .summary_report(&actor, period)
        .await
        .map_err(|e| store.error_body(e))
}

#[tauri::command]
pub async fn report_retention(
    state: State<'_, AppState>,
    period: Period,
) -> CommandResult<Retention> {
    let (store, actor) = (state.store()?, state.manager().await?);
    store
        .retention_report(&actor, period)
        .await
        .map_err(|e| store.error_body(e))
}

#[tauri::command]
pub async fn report_at_risk(state: State<'_, AppState>, as_of: NaiveDate) -> CommandResult<AtRisk> {
    let (store, actor) = (state.store()?, state.manager().await?);
    store
        .at_risk_report(&actor, as_of, Some(AT_RISK_SHOWN))
        .await
        .map_err(|e| store.error_body(e))
}

#[tauri::command]
pub async fn report_staff(
    state: State<'_, AppState>,
    period: Period,
) -> CommandResult<StaffReport> {
    let (store, actor) = (state.store()?, state.manager().await?);
    store
        .staff_report(&actor, period)
        .await
        .map_err(|e| store.error_body(e))
}

/// Surveys answered in the period: NPS month by month, what matters most against how happy
/// members are with it, their comments.
#[tauri::command]
pub async fn report_surveys(
    state: State<'_, AppState>,
    period: Period,
) -> CommandResult<tessera_core::care::surveys::SurveyFigures> {
    let (store, actor) = (state.store()?, state.manager().await?);
    store
        .survey_figures(&actor, period)
        .await
        .map_err(|e| store.error_body(e))
}

/// Complaints logged in the period: how many, how fast they were put right, members' answers.
#[tauri::command]
pub async fn report_complaints(
    state: State<'_, AppState>,
    period: Period,
) -> CommandResult<tessera_core::care::complaints::ComplaintFigures> {
    let (store, actor) = (state.store()?, state.manager().await?);
    store
        .complaint_figures(&actor, period)
        .await
        .map_err(|e| store.error_body(e))
}
