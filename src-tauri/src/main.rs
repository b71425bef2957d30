//! The Tessera desktop app: a Tauri window over the web UI in `ui/`. All behaviour lives in
//! tessera-core; `commands` are thin adapters between IPC and core.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod care;
mod commands;
mod manage;
mod pages;
mod platform;
mod reports;
mod state;
mod sync;

use std::path::{Path, PathBuf};

use tessera_core::store::{default_db_path, default_log_dir};
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;

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

/// Daily files `tessera.YYYY-MM-DD.log` in `dir`, the last week kept. Written as each line
/// comes (no background writer): a crash or `exit` loses nothing, and a till logs little.
fn log_file(dir: &Path) -> Result<RollingFileAppender, tracing_appender::rolling::InitError> {
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("tessera")
        .filename_suffix("log")
        .max_log_files(7)
        .build(dir)
}

/// What is logged: `RUST_LOG` (e.g. `tessera_core=debug`) if it is set and valid, else `info`.
fn log_filter() -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"))
}

/// Logs to the app's data folder; if that cannot be written, to stderr rather than nowhere.
fn init_logging() {
    let dir = default_log_dir();
    let builder = tracing_subscriber::fmt().with_env_filter(log_filter());
    let installed = match log_file(&dir) {
        Ok(file) => tracing::subscriber::set_global_default(builder.with_writer(file).finish()),
        Err(e) => {
            eprintln!("tessera: no log file in {}: {e}", dir.display());
            tracing::subscriber::set_global_default(builder.with_writer(std::io::stderr).finish())
        }
    };
    if installed.is_err() {
        eprintln!("tessera: logging was already set up");
    }
}

fn main() {
    platform::draw_without_gpu();
    init_logging();
    let db = db_path_from_args();
    // Paths and the version only: no member, staff or PIN ever reaches the log.
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        database = %db.display(),
        logs = %default_log_dir().display(),
        "Tessera starting"
    );
    tauri::Builder::default()
        .setup(move |app| {
            use tauri::Manager;
            // A store that cannot open (locked, corrupt, unwritable) does not stop the app:
            // the UI shows the translated reason and what to do.
            let state = tauri::async_runtime::block_on(state::AppState::open(db.clone()));
            app.manage(state);
            app.manage(pages::PagesServer::default());
            app.manage(pages::CustomerPages::default());
            start_pages(app.handle());
            sync::start_background_sync(app.handle());
            manage::start_automatic_backups(app.handle());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::about,
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
            commands::redeem_coupon,
            commands::last_undoable,
            commands::undo,
            commands::undo_coupon_use,
            commands::print_cards,
            commands::print_test_page,
            commands::open_file,
            commands::show_in_folder,
            commands::send_to_printer,
            commands::printers,
            commands::explain_scan,
            commands::reissue_card,
            commands::merge_member,
            sync::join_chain,
            sync::sync_status,
            sync::sync_now,
            sync::conflicts,
            sync::settle_conflict,
            care::add_complaint,
            care::compensate_complaint,
            care::follow_up_due,
            care::answer_follow_up,
            care::survey_due,
            care::ask_survey,
            care::we_did_list,
            care::add_we_did,
            care::withdraw_we_did,
            care::compensation_rules,
            care::set_compensation_rules,
            care::complaints,
            care::resolve_complaint,
            care::print_survey_slip,
            care::issue_coupon,
            manage::manager_check,
            manage::confirm_pin,
            manage::set_till_settings,
            manage::set_shop_settings,
            manage::member_details,
            manage::change_member,
            manage::export_member_data,
            manage::import_members,
            manage::export_members,
            care::campaign_preview,
            care::export_campaign,
            manage::add_program,
            manage::change_program,
            manage::staff_members,
            manage::add_staff,
            manage::change_staff,
            manage::audit_trail,
            reports::report_today,
            reports::report_summary,
            reports::report_retention,
            reports::report_at_risk,
            reports::report_staff,
            reports::report_surveys,
            reports::report_complaints,
            manage::backups,
            manage::back_up_now,
            manage::restore_backup,
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

/// The shop's pages, if this till's settings say where: a port in use is in the log, and the
/// manager sees it when saving the settings again.
fn start_pages(app: &tauri::AppHandle) {
    use tauri::Manager;
    let Ok(store) = app.state::<state::AppState>().store() else {
        return;
    };
    let address = tauri::async_runtime::block_on(store.till_settings())
        .ok()
        .and_then(|settings| settings.pages_address);
    if let Err(body) = pages::serve_on(app, address.as_deref()) {
        tracing::warn!(code = %body.code, "the shop's pages are not served");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_go_to_a_dated_file_in_the_log_folder() {
        let dir = tempfile::tempdir().unwrap();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(log_file(dir.path()).unwrap())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(version = "9.8.7", "Tessera starting");
        });
        let files: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("tessera.") && name.ends_with(".log"),
            "{name}"
        );
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert!(
            text.contains("Tessera starting") && text.contains("9.8.7"),
            "{text}"
        );
    }
}
