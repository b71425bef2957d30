//! The floor of `make bench-start`: the least a Tauri 2 app can be (one window, one static
//! page, no commands), built with the same tauri, profile and features as the Tessera app, and
//! drawing the way the app draws (on the CPU, decision 0033), so that the app's start time and
//! memory are read against what Tauri and WebKit cost anyway.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    tauri::Builder::default()
        .plugin(
            tauri::plugin::Builder::<_, ()>::new("drawing")
                .on_webview_ready(|webview| draw_without_gpu(&webview))
                .build(),
        )
        .run(tauri::generate_context!())
        .expect("the minimal window could not start");
}

/// As the app's `platform::draw_without_gpu`: the same WebKit setting, or the floor would count
/// WebKit's GPU compositing as the app's own cost.
fn draw_without_gpu<R: tauri::Runtime>(webview: &tauri::Webview<R>) {
    #[cfg(target_os = "linux")]
    webview
        .with_webview(|platform| {
            use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
            if let Some(settings) = platform.inner().settings() {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
        })
        .expect("the webview's settings");
    #[cfg(not(target_os = "linux"))]
    let _ = webview;
}
