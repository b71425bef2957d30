//! The till's pages on the shop's network (`tessera-pages`: the links in the shop's emails, the
//! surveys), served by the app while it is open, on the address in the till's settings
//! (docs/decisions/0031-panel-and-campaigns.md). A new address, or none, takes effect at once.
//!
//! The customer's screen (docs/decisions/0032-surveys.md) is a second window showing the same
//! survey page, from a server of its own on this computer only: it works whether or not the
//! shop serves its pages on its network, and the page has no access to the app.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder};
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
    *running = Some(spawn_pages(app, listener).map_err(|_| unavailable())?);
    tracing::info!(address, "serving the shop's pages");
    Ok(())
}

/// Serves the pages on `listener`, over the app's store of the moment, until aborted.
fn spawn_pages(
    app: &AppHandle,
    listener: std::net::TcpListener,
) -> std::io::Result<tauri::async_runtime::JoinHandle<()>> {
    listener.set_nonblocking(true)?;
    let handle = app.clone();
    let source: tessera_pages::StoreSource =
        Arc::new(move || handle.state::<AppState>().store().ok());
    Ok(tauri::async_runtime::spawn(async move {
        let listener = match tokio::net::TcpListener::from_std(listener) {
            Ok(listener) => listener,
            Err(e) => return tracing::warn!(error = %e, "pages not served"),
        };
        if let Err(e) = tessera_pages::serve(source, listener).await {
            tracing::warn!(error = %e, "pages stopped");
        }
    }))
}

/// Where phones on the shop's network reach the pages this till serves (the link a survey
/// slip's QR holds): the address in the settings, or, when it listens on every address
/// (0.0.0.0), this computer's address on its network (the one its route out leaves from; no
/// packet is sent to find it).
pub fn network_link_base(pages_address: Option<&str>) -> Result<String, ErrorBody> {
    let not_served = || CoreError::PagesNotServed.body();
    let address: SocketAddr = pages_address
        .and_then(|a| a.parse().ok())
        .ok_or_else(not_served)?;
    let ip = if address.ip().is_unspecified() {
        let socket = std::net::UdpSocket::bind("0.0.0.0:0").map_err(|_| not_served())?;
        socket.connect("192.0.2.1:9").map_err(|_| not_served())?;
        socket.local_addr().map_err(|_| not_served())?.ip()
    } else {
        address.ip()
    };
    Ok(format!("http://{}", SocketAddr::new(ip, address.port())))
}

/// The pages for the customer's screen, on a free port of this computer only: started the
/// first time a survey is shown there, then kept for the app's life.
#[derive(Default)]
pub struct CustomerPages(Mutex<Option<SocketAddr>>);

/// The window label of the customer's screen.
pub const CUSTOMER_WINDOW: &str = "customer";

/// Where the customer's screen reaches the pages: `http://127.0.0.1:port`.
pub fn customer_pages(app: &AppHandle) -> Result<String, ErrorBody> {
    let pages = app.state::<CustomerPages>();
    let mut address = pages.0.lock().unwrap_or_else(|p| p.into_inner());
    if address.is_none() {
        let failed = |e: std::io::Error| CoreError::internal("customer pages", e).body();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(failed)?;
        let bound = listener.local_addr().map_err(failed)?;
        spawn_pages(app, listener).map_err(failed)?;
        *address = Some(bound);
    }
    Ok(format!("http://{}", address.expect("started above")))
}

/// Opens `link` on the customer's screen: a window of its own (dragged to a second screen, or
/// the counter's screen turned), made the first time, then reused. The cashier's window keeps
/// the keyboard, so the scanner stays armed.
pub fn show_to_customer(app: &AppHandle, link: &str, title: &str) -> Result<(), ErrorBody> {
    let failed = |e: tauri::Error| CoreError::internal("customer screen", e).body();
    let url: tauri::Url = link
        .parse()
        .map_err(|e| CoreError::internal("customer link", e).body())?;
    match app.get_webview_window(CUSTOMER_WINDOW) {
        Some(window) => {
            window.navigate(url).map_err(failed)?;
            window.show().map_err(failed)?;
        }
        None => {
            WebviewWindowBuilder::new(app, CUSTOMER_WINDOW, WebviewUrl::External(url))
                .title(title)
                .inner_size(720.0, 900.0)
                .focused(false)
                .build()
                .map_err(failed)?;
        }
    }
    if let Some(main) = app.get_webview_window("main") {
        main.set_focus().map_err(failed)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slip_s_link_leads_where_the_pages_are_served_or_is_refused() {
        let refused = |address| network_link_base(address).unwrap_err().code;
        assert_eq!(refused(None), "pages_not_served");
        assert_eq!(refused(Some("not an address")), "pages_not_served");
        assert_eq!(
            network_link_base(Some("192.168.1.20:8470")).unwrap(),
            "http://192.168.1.20:8470"
        );
        // Every address: this computer's own on its network (or refused, with no network).
        match network_link_base(Some("0.0.0.0:8470")) {
            Ok(base) => {
                assert!(base.ends_with(":8470"), "{base}");
                assert!(!base.contains("0.0.0.0"), "{base}");
            }
            Err(body) => assert_eq!(body.code, "pages_not_served"),
        }
    }
}
