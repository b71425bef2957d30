//! The till's sync from the app: joining a chain (first run or the manager's screen), the
//! status the header shows, "sync now", the conflict queue, and the background sync that runs
//! every [`EVERY`] while the app is open. The rules are tessera-core's (`sync::session`).

use std::time::Duration;

use serde::Deserialize;
use tauri::{AppHandle, Manager, State};
use tessera_core::counter::conflicts::{Conflict, Settled, Settlement};
use tessera_core::ids::EventId;
use tessera_core::sync::session;
use tessera_core::sync::till::{NewTill, SyncStatus};
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::commands::{app_status, AppStatus};
use crate::state::AppState;

type CommandResult<T> = Result<T, tessera_core::ErrorBody>;

/// How often the background sync runs. A failed round (offline) is just tried again.
const EVERY: Duration = Duration::from_secs(30);

#[derive(Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct JoinChainRequest {
    pub hub: String,
    pub token: String,
    /// For a till never set up that starts its shop in the chain.
    pub language: String,
    pub currency: String,
}

/// Joins a chain: from first run (a till never set up: nobody signs in) or from the manager's
/// screen (a set-up till: the manager signed in decides), then syncs once.
#[tauri::command]
pub async fn join_chain(
    state: State<'_, AppState>,
    request: JoinChainRequest,
) -> CommandResult<AppStatus> {
    let store = state.store()?;
    let actor = state.actor().ok();
    session::join(
        &store,
        actor.as_ref(),
        &request.hub,
        &request.token,
        None,
        &NewTill {
            language: request.language,
            currency: request.currency,
        },
    )
    .await
    .map_err(|e| store.error_body(e))?;
    state.remember_database();
    app_status(state).await
}

#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> CommandResult<SyncStatus> {
    let store = state.store()?;
    store.sync_status().await.map_err(|e| store.error_body(e))
}

/// Syncs now and says where the till stands. Offline is not a failure of the command: the
/// status says so (its `line` and `last_error`).
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> CommandResult<SyncStatus> {
    let store = state.store()?;
    if let Err(error) = session::sync_once(&store).await {
        tracing::info!(code = error.code(), "sync did not go through");
    }
    store.sync_status().await.map_err(|e| store.error_body(e))
}

#[tauri::command]
pub async fn conflicts(state: State<'_, AppState>) -> CommandResult<Vec<Conflict>> {
    state.actor()?;
    let store = state.store()?;
    store.conflicts().await.map_err(|e| store.error_body(e))
}

#[tauri::command]
pub async fn settle_conflict(
    state: State<'_, AppState>,
    id: EventId,
    settlement: Settlement,
    reason: String,
) -> CommandResult<Settled> {
    let actor = state.manager().await?;
    let store = state.store()?;
    store
        .settle_conflict(&actor, id, settlement, &reason)
        .await
        .map_err(|e| store.error_body(e))
}

/// Syncs in the background while the app is open, every [`EVERY`], once the till is part of a
/// chain. The counter never waits for it: each step is its own short transaction.
pub fn start_background_sync(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut ticks = tokio::time::interval(EVERY);
        loop {
            ticks.tick().await;
            let Ok(store) = app.state::<AppState>().store() else {
                continue;
            };
            if matches!(store.hub_link().await, Ok(Some(_))) {
                if let Err(error) = session::sync_once(&store).await {
                    tracing::info!(code = error.code(), "background sync did not go through");
                }
            }
        }
    });
}
