//! The floor of `make bench-start`: the least a Tauri 2 app can be (one window, one static
//! page, no commands), built with the same tauri, profile and features as the Tessera app, so
//! that the app's start time and memory are read against what Tauri and WebKit cost anyway.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("the minimal window could not start");
}
