//! The till's pages on the shop's network (`tessera-pages`: the links in the shop's emails),
//! served by the app while it is open, on the address in the till's settings
//! (docs/decisions/0031-panel-and-campaigns.md). A new address, or none, takes effect at once.

use std::sync::{Arc, Mutex};

use tauri::{AppHandle, Manager};
use tessera_core::{CoreError, ErrorBody};

use crate::state::AppState;

/// The server running now, if any: stopped when the address changes.
#[derive(Default)]
pub struct PagesServer(Mutex<Option<tauri::async_runtime::JoinHandle<()>>>);

/// Serves the pages on `address` (stopping any served before), or stops them (`None`).
/// The address is bound here, so one another program holds is refused at once.
pub fn serve_on(app: &AppHandle, address: Option<&str>) -> Result<(), ErrorBody> {
    let server = app.state::<PagesServer>();
    let mut running = server.0.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(task) = running.take() {
        task.abort();
    }
    let Some(address) = address else {
        return Ok(());
    };
    let unavailable = || {
        CoreError::PagesUnavailable {
            address: address.to_string(),
        }
        .body()
    };
    let listener = std::net::TcpListener::bind(address).map_err(|_| unavailable())?;
    listener.set_nonblocking(true).map_err(|_| unavailable())?;
    let handle = app.clone();
    let source: tessera_pages::StoreSource =
        Arc::new(move || handle.state::<AppState>().store().ok());
    *running = Some(tauri::async_runtime::spawn(async move {
        let listener = match tokio::net::TcpListener::from_std(listener) {
            Ok(listener) => listener,
            Err(e) => return tracing::warn!(error = %e, "pages not served"),
        };
        if let Err(e) = tessera_pages::serve(source, listener).await {
            tracing::warn!(error = %e, "pages stopped");
        }
    }));
    tracing::info!(address, "serving the shop's pages");
    Ok(())
}
