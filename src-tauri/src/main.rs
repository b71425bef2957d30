//! The Tessera desktop app: a Tauri window over the web UI in `ui/`. All behaviour lives in
//! tessera-core; `commands` are thin adapters between IPC and core.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod state;

use std::path::PathBuf;

use tessera_core::store::default_db_path;

/// `--db PATH` chooses the database (tests, support); otherwise the platform's app data folder.
fn db_path_from_args() -> PathBuf {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--db" {
            if let Some(path) = args.next() {
                return PathBuf::from(path);
            }
        } else if let Some(path) = arg.strip_prefix("--db=") {
            return PathBuf::from(path);
        }
    }
    default_db_path()
}

fn main() {
    let db = db_path_from_args();
    tauri::Builder::default()
        .setup(move |app| {
            use tauri::Manager;
            // A store that cannot open (locked, corrupt, unwritable) does not stop the app:
            // the UI shows the translated reason and what to do.
            let state = tauri::async_runtime::block_on(state::AppState::open(db.clone()));
            app.manage(state);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::set_up_shop,
            commands::load_demo,
            commands::sign_in,
            commands::sign_out,
            commands::set_language,
            commands::start_new_database,
            commands::scan,
            commands::member_view,
            commands::find_members,
            commands::enroll,
            commands::punch,
            commands::redeem,
            commands::last_undoable,
            commands::undo,
            commands::print_cards,
            commands::print_test_page,
            commands::open_file,
            commands::explain_scan,
            commands::reissue_card,
        ])
        .build(tauri::generate_context!("../tauri.conf.json"))
        .expect("the Tessera window could not start")
        .run(|app, event| {
            // On the way out, every committed write goes from the -wal file into the database
            // file itself, so a copy of tessera.db alone is complete.
            if let tauri::RunEvent::Exit = event {
                use tauri::Manager;
                if let Ok(store) = app.state::<state::AppState>().store() {
                    tauri::async_runtime::block_on(store.close());
                }
            }
        });
}
