//! The manager's side from the app: programs, staff, the audit trail, backups, the till's
//! settings. Each command takes the signed-in staff member from `AppState::manager` (whose PIN
//! is asked again once older than the till's setting: `pin_again`) and the core's permission
//! table decides; the rules are tessera-core's.
//! Automatic backups run once at start and then every hour (one a day is taken).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use tauri::{AppHandle, Manager, State};
use tessera_core::audit::AuditEntry;
use tessera_core::counter::programs::{NewProgram, Program, ProgramEdit};
use tessera_core::ids::{MemberId, ProgramId, StaffId};
use tessera_core::people::member_data::{Channel, ConsentSource, MemberDetails, MemberEdit};
use tessera_core::people::members_csv::{ImportOptions, ImportReport};
use tessera_core::people::shop::{Role, Shop, ShopSettings};
use tessera_core::people::staff::StaffMember;
use tessera_core::support::backup::{self, Backup, Restored};
use tessera_core::support::settings::TillSettings;
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::commands::PrintedFile;
use crate::state::AppState;

type CommandResult<T> = Result<T, tessera_core::ErrorBody>;

/// How often the app looks whether today's automatic backup is taken.
const BACKUP_CHECK_EVERY: Duration = Duration::from_secs(3600);
/// The most audit lines the screen shows at once.
const AUDIT_LINES: i64 = 500;

/// One change to a staff member, as the staff screen asks for it.
#[derive(Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum StaffChange {
    Rename { name: String },
    Role { role: Role },
    Pin { pin: String },
    Active { active: bool },
    Unlock,
}

/// Whether the manager's screens open now, or the PIN is asked again first (`pin_again`).
#[tauri::command]
pub async fn manager_check(state: State<'_, AppState>) -> CommandResult<()> {
    state.manager().await.map(drop)
}

/// The PIN typed again: the manager's screens open for another while.
#[tauri::command]
pub async fn confirm_pin(state: State<'_, AppState>, pin: String) -> CommandResult<()> {
    state.confirm_pin(&pin).await
}

#[tauri::command]
pub async fn set_till_settings(
    app: AppHandle,
    state: State<'_, AppState>,
    settings: TillSettings,
) -> CommandResult<TillSettings> {
    let (store, actor) = (state.store()?, state.manager().await?);
    let before = store
        .till_settings()
        .await
        .map_err(|e| store.error_body(e))?;
    let saved = store
        .set_till_settings(&actor, &settings)
        .await
        .map_err(|e| store.error_body(e))?;
    if saved.pages_address != before.pages_address {
        // Saved either way: a port another program holds is said now, and tried at each start.
        crate::pages::serve_on(&app, saved.pages_address.as_deref())?;
    }
    Ok(saved)
}

/// A member in full, for the member screen (anyone signed in: it is the counter's too).
#[tauri::command]
pub async fn member_details(
    state: State<'_, AppState>,
    id: MemberId,
) -> CommandResult<MemberDetails> {
    let store = state.store()?;
    state.actor()?;
    store
        .member_details(id)
        .await
        .map_err(|e| store.error_body(e))
}

/// What a manager (or a cashier: a typo, a yes to emails) changes about a member.
#[derive(Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum MemberChange {
    Edit { edit: MemberEdit },
    Consent { channel: Channel, granted: bool },
    Erase,
}

#[tauri::command]
pub async fn change_member(
    state: State<'_, AppState>,
    id: MemberId,
    change: MemberChange,
) -> CommandResult<MemberDetails> {
    let store = state.store()?;
    let failed = |e| store.error_body(e);
    match change {
        MemberChange::Edit { edit } => {
            let actor = state.actor()?;
            store
                .edit_member(&actor, id, &edit)
                .await
                .map(drop)
                .map_err(failed)?
        }
        MemberChange::Consent { channel, granted } => {
            let actor = state.actor()?;
            store
                .set_consent(&actor, id, channel, granted, ConsentSource::Counter)
                .await
                .map(drop)
                .map_err(failed)?
        }
        MemberChange::Erase => {
            let actor = state.manager().await?;
            store.erase_member(&actor, id).await.map_err(failed)?
        }
    }
    store.member_details(id).await.map_err(failed)
}

/// Managers: everything held about a member, as a JSON file in the documents folder.
#[tauri::command]
pub async fn export_member_data(
    state: State<'_, AppState>,
    id: MemberId,
) -> CommandResult<PrintedFile> {
    let (store, actor) = (state.store()?, state.manager().await?);
    let details = store
        .export_member_data(&actor, id)
        .await
        .map_err(|e| store.error_body(e))?;
    let json = serde_json::to_vec_pretty(&details)
        .map_err(|e| tessera_core::CoreError::internal("member data export", e).body())?;
    let path = crate::commands::print_folder(&state)
        .join(format!("tessera-member-{}.json", details.member.code));
    tessera_core::support::files::write_file(&path, &json).map_err(|e| e.body())?;
    Ok(PrintedFile {
        path: path.display().to_string(),
        count: 1,
    })
}

/// Managers: a file of members read (the screen sends its bytes), previewed or imported.
#[tauri::command]
pub async fn import_members(
    state: State<'_, AppState>,
    bytes: Vec<u8>,
    dry_run: bool,
    allow_duplicates: bool,
) -> CommandResult<ImportReport> {
    let (store, actor) = (state.store()?, state.manager().await?);
    let options = ImportOptions {
        dry_run,
        allow_duplicates,
    };
    store
        .import_members(&actor, &bytes, options)
        .await
        .map_err(|e| store.error_body(e))
}

/// Managers: every member as a CSV file Excel opens, in the documents folder.
#[tauri::command]
pub async fn export_members(state: State<'_, AppState>) -> CommandResult<PrintedFile> {
    let (store, actor) = (state.store()?, state.manager().await?);
    let csv = store
        .export_members(&actor)
        .await
        .map_err(|e| store.error_body(e))?;
    let stamp = chrono::Local::now().format("%Y-%m-%d-%H%M%S");
    let path = crate::commands::print_folder(&state).join(format!("tessera-members-{stamp}.csv"));
    tessera_core::support::files::write_file(&path, &csv).map_err(|e| e.body())?;
    // Rows, the header aside.
    let count = csv
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        .saturating_sub(1);
    Ok(PrintedFile {
        path: path.display().to_string(),
        count,
    })
}

/// Managers: the shop's name, default language, currency and time zone (they sync).
#[tauri::command]
pub async fn set_shop_settings(
    state: State<'_, AppState>,
    settings: ShopSettings,
) -> CommandResult<Shop> {
    let (store, actor) = (state.store()?, state.manager().await?);
    store
        .set_shop_settings(&actor, &settings)
        .await
        .map_err(|e| store.error_body(e))
}

/// What a manager does to a program on the Programs screen.
#[derive(Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ProgramChange {
    Edit { edit: ProgramEdit },
    Pause,
    Resume,
    Retire,
}

/// A new program; answers every program, as the screen lists them.
#[tauri::command]
pub async fn add_program(
    state: State<'_, AppState>,
    program: NewProgram,
) -> CommandResult<Vec<Program>> {
    let (store, actor) = (state.store()?, state.manager().await?);
    let failed = |e| store.error_body(e);
    store.add_program(&actor, &program).await.map_err(failed)?;
    store.programs().await.map_err(failed)
}

#[tauri::command]
pub async fn change_program(
    state: State<'_, AppState>,
    id: ProgramId,
    change: ProgramChange,
) -> CommandResult<Vec<Program>> {
    let (store, actor) = (state.store()?, state.manager().await?);
    let failed = |e| store.error_body(e);
    match change {
        ProgramChange::Edit { edit } => store
            .edit_program(&actor, id, &edit)
            .await
            .map(|_| ())
            .map_err(failed)?,
        ProgramChange::Pause => store
            .pause_program(&actor, id)
            .await
            .map(|_| ())
            .map_err(failed)?,
        ProgramChange::Resume => store
            .resume_program(&actor, id)
            .await
            .map(|_| ())
            .map_err(failed)?,
        ProgramChange::Retire => store
            .retire_program(&actor, id)
            .await
            .map(|_| ())
            .map_err(failed)?,
    }
    store.programs().await.map_err(failed)
}

#[tauri::command]
pub async fn staff_members(state: State<'_, AppState>) -> CommandResult<Vec<StaffMember>> {
    let (store, actor) = (state.store()?, state.manager().await?);
    store
        .staff_members(&actor)
        .await
        .map_err(|e| store.error_body(e))
}

#[tauri::command]
pub async fn add_staff(
    state: State<'_, AppState>,
    name: String,
    role: Role,
    pin: String,
) -> CommandResult<Vec<StaffMember>> {
    let (store, actor) = (state.store()?, state.manager().await?);
    store
        .add_staff(&actor, &name, role, &pin)
        .await
        .map_err(|e| store.error_body(e))?;
    staff_members(state).await
}

#[tauri::command]
pub async fn change_staff(
    state: State<'_, AppState>,
    id: StaffId,
    change: StaffChange,
) -> CommandResult<Vec<StaffMember>> {
    let (store, actor) = (state.store()?, state.manager().await?);
    let done = match change {
        StaffChange::Rename { name } => store.rename_staff(&actor, id, &name).await,
        StaffChange::Role { role } => store.set_staff_role(&actor, id, role).await,
        StaffChange::Pin { pin } => store.set_pin(&actor, id, &pin).await,
        StaffChange::Active { active } => store.set_staff_active(&actor, id, active).await,
        StaffChange::Unlock => store.unlock_staff(&actor, id).await,
    };
    done.map_err(|e| store.error_body(e))?;
    staff_members(state).await
}

/// The trail between two times (the screen passes the start and end of the days chosen in the
/// shop's time zone), newest first.
#[tauri::command]
pub async fn audit_trail(
    state: State<'_, AppState>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> CommandResult<Vec<AuditEntry>> {
    let (store, actor) = (state.store()?, state.manager().await?);
    store
        .audit_trail(&actor, from, to, AUDIT_LINES)
        .await
        .map_err(|e| store.error_body(e))
}

/// The backups in the app's backup folder, newest first.
#[tauri::command]
pub async fn backups(state: State<'_, AppState>) -> CommandResult<Vec<Backup>> {
    state.manager().await?;
    backup::list_backups(&backup::backup_dir(state.db_path())).map_err(|e| e.body())
}

/// "Back up now": a backup in the backup folder, named by the time.
#[tauri::command]
pub async fn back_up_now(state: State<'_, AppState>) -> CommandResult<Vec<Backup>> {
    let (store, actor) = (state.store()?, state.manager().await?);
    let dir = backup::backup_dir(state.db_path());
    std::fs::create_dir_all(&dir).map_err(|_| {
        tessera_core::CoreError::FileUnwritable {
            path: dir.display().to_string(),
        }
        .body()
    })?;
    let name = format!(
        "manual-{}.db",
        chrono::Local::now().format("%Y-%m-%d-%H%M%S")
    );
    store
        .back_up(&actor, &dir.join(name))
        .await
        .map_err(|e| store.error_body(e))?;
    backups(state).await
}

/// Puts a backup from the list in the database's place (the manager confirmed); everyone is
/// signed out, as the staff may differ in the backup.
#[tauri::command]
pub async fn restore_backup(state: State<'_, AppState>, path: String) -> CommandResult<Restored> {
    let actor = state.manager().await?;
    let restored = state.restore(&path, &actor).await?;
    state.set_signed_in(None);
    Ok(restored)
}

/// Today's automatic backup now, then a look every hour while the app is open.
pub fn start_automatic_backups(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut ticks = tokio::time::interval(BACKUP_CHECK_EVERY);
        loop {
            ticks.tick().await;
            let state = app.state::<AppState>();
            if let Ok(store) = state.store() {
                if store.shop().await.ok().flatten().is_some() {
                    let dir = backup::backup_dir(state.db_path());
                    match store.automatic_backup(&dir).await {
                        Ok(Some(_)) => tracing::info!("automatic backup taken"),
                        Ok(None) => {}
                        Err(e) => tracing::warn!(code = e.code(), "automatic backup failed"),
                    }
                }
            }
        }
    });
}
