//! The floor of `make bench-start`: the least a Tauri 2 app can be (one window, one static
//! page, no commands), built with the same tauri, profile and features as the Tessera app, and
//! drawing the way the app draws (on the CPU, decision 0033), so that the app's start time and
//! memory are read against what Tauri and WebKit cost anyway.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // As the app's `platform::draw_without_gpu`, or the floor would count WebKit's GPU
    // compositing as the app's own cost. First thing, before any thread exists.
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("the minimal window could not start");
}
