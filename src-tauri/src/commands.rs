//! Tauri commands: parse, call tessera-core, map the result. No rule of the shop lives here.
//! Errors cross as `ErrorBody` (stable code + message key), which the UI translates.

use serde::{Deserialize, Serialize};
use tauri::State;
use tessera_core::cards::print::Selection;
use tessera_core::cards::registry::IssuedCard;
use tessera_core::counter::actions::{ActionResult, Punch, UndoCandidate};
use tessera_core::counter::coupons::CouponUse;
use tessera_core::counter::enrol::{EnrollOptions, EnrollOutcome};
use tessera_core::counter::lookup::{MemberView, ScanExplanation, Scanned};
use tessera_core::counter::programs::{NewProgram, Program};
use tessera_core::first_run::{NewShop, SetUp};
use tessera_core::ids::{EventId, MemberId, ProgramId};
use tessera_core::input::validate;
use tessera_core::ledger::VoidReason;
use tessera_core::people::members::NewMember;
use tessera_core::people::shop::{Actor, Shop, Staff};
use tessera_core::support::printing::{self, PrintJob, Printers};
use tessera_core::support::settings::TillSettings;
use tessera_core::{CoreError, ErrorBody, Store};
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::state::AppState;

type CommandResult<T> = Result<T, ErrorBody>;

/// This till's UI language, kept in the store's settings.
const LANGUAGE_SETTING: &str = "ui_language";

/// Maps a core error for the UI, naming this store's file where the message needs it.
fn failed(store: &Store) -> impl Fn(CoreError) -> ErrorBody + '_ {
    |error| store.error_body(error)
}

/// Everything the UI needs to choose its screen: first run, sign-in, or the till.
#[derive(Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct AppStatus {
    /// Why the database could not be opened, if it could not.
    pub store_error: Option<ErrorBody>,
    pub db_path: String,
    pub shop: Option<Shop>,
    pub staff: Vec<Staff>,
    pub signed_in: Option<Staff>,
    pub language: String,
    pub programs: Vec<Program>,
    /// This till's settings: idle sign-out, PIN again, sounds.
    pub settings: TillSettings,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct SetUpRequest {
    pub shop: NewShop,
    pub program: NewProgram,
}

/// The About box: the version, where the database and the logs are, the licences of what is
/// bundled. It answers even when the database does not open.
#[tauri::command]
pub fn about(state: State<'_, AppState>) -> tessera_core::support::about::About {
    tessera_core::support::about::about(state.db_path())
}

#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> CommandResult<AppStatus> {
    let db_path = state.db_path().display().to_string();
    let store = match state.store() {
        Ok(store) => store,
        Err(error) => {
            return Ok(AppStatus {
                store_error: Some(error),
                db_path,
                shop: None,
                staff: Vec::new(),
                signed_in: None,
                language: "en".into(),
                programs: Vec::new(),
                settings: TillSettings::default(),
            })
        }
    };
    let shop = store.shop().await.map_err(failed(&store))?;
    if shop.is_some() {
        state.remember_database();
    }
    let language = match store
        .setting(LANGUAGE_SETTING)
        .await
        .map_err(failed(&store))?
    {
        Some(language) => language,
        None => shop
            .as_ref()
            .map(|s| s.language.clone())
            .unwrap_or_else(|| "en".into()),
    };
    Ok(AppStatus {
        store_error: None,
        db_path,
        staff: store.staff_list().await.map_err(failed(&store))?,
        programs: store.programs().await.map_err(failed(&store))?,
        shop,
        signed_in: state.signed_in(),
        language,
        settings: store.till_settings().await.map_err(failed(&store))?,
    })
}

/// First run: the shop, its first manager (signed in at once) and its first program.
#[tauri::command]
pub async fn set_up_shop(
    state: State<'_, AppState>,
    request: SetUpRequest,
) -> CommandResult<AppStatus> {
    let store = state.store()?;
    let set_up = store
        .set_up_shop(&request.shop, Some(&request.program))
        .await
        .map_err(failed(&store))?;
    open_till(state, set_up).await
}

#[tauri::command]
pub async fn load_demo(state: State<'_, AppState>, language: String) -> CommandResult<AppStatus> {
    let store = state.store()?;
    let set_up = tessera_core::support::demo::load_demo(&store, &language)
        .await
        .map_err(failed(&store))?;
    open_till(state, set_up).await
}

/// After first run or the demo: the till speaks the shop's language, its manager signed in.
async fn open_till(state: State<'_, AppState>, set_up: SetUp) -> CommandResult<AppStatus> {
    let store = state.store()?;
    store
        .set_setting(LANGUAGE_SETTING, &set_up.shop.language)
        .await
        .map_err(failed(&store))?;
    state.remember_database();
    state.set_signed_in(Some(set_up.manager));
    app_status(state).await
}

#[tauri::command]
pub async fn sign_in(
    state: State<'_, AppState>,
    name: String,
    pin: String,
) -> CommandResult<AppStatus> {
    let store = state.store()?;
    let staff = store.sign_in(&name, &pin).await.map_err(failed(&store))?;
    state.set_signed_in(Some(staff));
    app_status(state).await
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> CommandResult<AppStatus> {
    state.set_signed_in(None);
    app_status(state).await
}

#[tauri::command]
pub async fn set_language(state: State<'_, AppState>, language: String) -> CommandResult<()> {
    let language = validate::language(&language).map_err(|e| e.body())?;
    let store = state.store()?;
    store
        .set_setting(LANGUAGE_SETTING, &language)
        .await
        .map_err(failed(&store))
}

/// The database this app used before is missing: the manager chose to start a new shop there.
#[tauri::command]
pub async fn start_new_database(state: State<'_, AppState>) -> CommandResult<AppStatus> {
    state.start_new_database().await?;
    app_status(state).await
}

#[tauri::command]
pub async fn scan(
    state: State<'_, AppState>,
    input: String,
    key_codes: Vec<String>,
) -> CommandResult<Scanned> {
    state.actor()?;
    let store = state.store()?;
    store
        .lookup(&input, &key_codes)
        .await
        .map(Scanned::from)
        .map_err(failed(&store))
}

#[tauri::command]
pub async fn member_view(
    state: State<'_, AppState>,
    member_id: MemberId,
) -> CommandResult<MemberView> {
    state.actor()?;
    let store = state.store()?;
    store.member_view(member_id).await.map_err(failed(&store))
}

/// Search as you type: each member found with their cards (the results show the stamps).
#[tauri::command]
pub async fn find_members(
    state: State<'_, AppState>,
    query: String,
) -> CommandResult<Vec<MemberView>> {
    state.actor()?;
    let store = state.store()?;
    store
        .find_member_views(&query)
        .await
        .map_err(failed(&store))
}

#[tauri::command]
pub async fn enroll(
    state: State<'_, AppState>,
    member: NewMember,
    options: EnrollOptions,
) -> CommandResult<EnrollOutcome> {
    let actor = state.actor()?;
    let store = state.store()?;
    store
        .enroll_with(&actor, &member, &options)
        .await
        .map_err(failed(&store))
}

/// Stamps, or points for an amount spent; with a reason when it comes sooner than the
/// program's minimum time.
#[tauri::command]
pub async fn punch(
    state: State<'_, AppState>,
    member_id: MemberId,
    punch: Punch,
) -> CommandResult<ActionResult> {
    let actor = state.actor()?;
    let store = state.store()?;
    store
        .punch_with(&actor, member_id, &punch)
        .await
        .map_err(failed(&store))
}

/// One reward: a stamps program's, or the tier of a points program costing `tier` points.
#[tauri::command]
pub async fn redeem(
    state: State<'_, AppState>,
    member_id: MemberId,
    program_id: Option<ProgramId>,
    tier: Option<i64>,
) -> CommandResult<ActionResult> {
    let actor = state.actor()?;
    let store = state.store()?;
    store
        .redeem_tier(&actor, member_id, program_id, tier)
        .await
        .map_err(failed(&store))
}

/// A coupon taken at the counter, from its scan or token (a member's coupon passes its token).
#[tauri::command]
pub async fn redeem_coupon(state: State<'_, AppState>, token: String) -> CommandResult<CouponUse> {
    let actor = state.actor()?;
    let store = state.store()?;
    store
        .redeem_coupon(&actor, &token)
        .await
        .map_err(failed(&store))
}

/// What Undo would cancel: this staff member's last action in this session, if recent.
#[tauri::command]
pub async fn last_undoable(state: State<'_, AppState>) -> CommandResult<UndoCandidate> {
    let session = state.session()?;
    let store = state.store()?;
    store
        .last_undoable(&Actor::from(&session.staff), session.started)
        .await
        .map_err(failed(&store))
}

#[tauri::command]
pub async fn undo(
    state: State<'_, AppState>,
    event_id: EventId,
    reason: VoidReason,
) -> CommandResult<ActionResult> {
    let session = state.session()?;
    let store = state.store()?;
    store
        .undo(
            &Actor::from(&session.staff),
            session.started,
            event_id,
            &reason,
        )
        .await
        .map_err(failed(&store))
}

/// The cashier's Undo of a coupon use (a voucher taken by mistake): the coupon is good again.
#[tauri::command]
pub async fn undo_coupon_use(
    state: State<'_, AppState>,
    event_id: EventId,
    reason: VoidReason,
) -> CommandResult<tessera_core::counter::coupons::CouponUse> {
    let session = state.session()?;
    let store = state.store()?;
    store
        .undo_coupon_use(
            &Actor::from(&session.staff),
            session.started,
            event_id,
            &reason,
        )
        .await
        .map_err(failed(&store))
}

/// Where printed cards go: `Documents/Tessera` (made if needed), else next to the database.
pub(crate) fn print_folder(state: &AppState) -> std::path::PathBuf {
    let documents = dirs::document_dir().map(|d| d.join("Tessera"));
    if let Some(folder) = documents.filter(|f| std::fs::create_dir_all(f).is_ok()) {
        return folder;
    }
    state
        .db_path()
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir)
}

#[derive(Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct PrintProgress {
    pub done: usize,
    pub total: usize,
}

#[derive(Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct PrintedFile {
    pub path: String,
    pub count: usize,
}

/// Managers: a PDF of cards, saved and returned; progress arrives as `print-progress` events.
#[tauri::command]
pub async fn print_cards(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    layout: String,
    members: Option<Vec<String>>,
    language: Option<String>,
) -> CommandResult<PrintedFile> {
    use tauri::Emitter;
    let actor = state.manager().await?;
    let sheet = layout.parse().map_err(|e: CoreError| e.body())?;
    let selection = members.map_or(Selection::All, Selection::Members);
    let mut report = |done, total| {
        // A lost progress event only delays the bar; the print goes on.
        let _ = app.emit("print-progress", PrintProgress { done, total });
    };
    let store = state.store()?;
    let printed = store
        .print_cards(&actor, &selection, sheet, language.as_deref(), &mut report)
        .await
        .map_err(failed(&store))?;
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    let path = print_folder(&state).join(format!("tessera-cards-{layout}-{stamp}.pdf"));
    tessera_core::support::files::write_file(&path, &printed.pdf).map_err(|e| e.body())?;
    Ok(PrintedFile {
        path: path.display().to_string(),
        count: printed.cards.len(),
    })
}

#[tauri::command]
pub async fn print_test_page(state: State<'_, AppState>) -> CommandResult<PrintedFile> {
    let actor = state.manager().await?;
    let store = state.store()?;
    let pdf = store
        .print_test_page(&actor)
        .await
        .map_err(failed(&store))?;
    let path = print_folder(&state).join("tessera-printer-test.pdf");
    tessera_core::support::files::write_file(&path, &pdf).map_err(|e| e.body())?;
    Ok(PrintedFile {
        path: path.display().to_string(),
        count: 0,
    })
}

/// Opens a printed file with the system's viewer, from where the manager can print it too.
#[tauri::command]
pub async fn open_file(path: String) -> CommandResult<()> {
    open_with_system(&path)
}

/// Opens the folder a printed file is in, in the system's file manager.
#[tauri::command]
pub async fn show_in_folder(path: String) -> CommandResult<()> {
    let folder = std::path::Path::new(&path)
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or(path);
    open_with_system(&folder)
}

/// Managers: the printed file sent to the till's printer (its settings), or the system's default,
/// through the print service (CUPS).
#[tauri::command]
pub async fn send_to_printer(state: State<'_, AppState>, path: String) -> CommandResult<PrintJob> {
    state.manager().await?;
    let store = state.store()?;
    store
        .print_file(std::path::Path::new(&path), None)
        .await
        .map_err(failed(&store))
}

/// The printers the print service knows (for the till's settings).
#[tauri::command]
pub async fn printers(state: State<'_, AppState>) -> CommandResult<Printers> {
    state.manager().await?;
    Ok(printing::printers())
}

fn open_with_system(path: &str) -> CommandResult<()> {
    crate::platform::open_with_system(std::path::Path::new(path)).map_err(|_| {
        CoreError::OpenFailed {
            path: path.to_string(),
        }
        .body()
    })
}

/// The scanner test screen: what arrived, how each reading decodes, what it found.
#[tauri::command]
pub async fn explain_scan(
    state: State<'_, AppState>,
    input: String,
    key_codes: Vec<String>,
) -> CommandResult<ScanExplanation> {
    state.actor()?;
    let store = state.store()?;
    store
        .explain_scan(&input, &key_codes)
        .await
        .map_err(failed(&store))
}

/// Managers: the member's card is lost; revoke it and issue a new one.
#[tauri::command]
pub async fn reissue_card(
    state: State<'_, AppState>,
    member_id: MemberId,
) -> CommandResult<IssuedCard> {
    let actor = state.manager().await?;
    let store = state.store()?;
    store
        .reissue_card_of(&actor, member_id)
        .await
        .map_err(failed(&store))
}

/// Managers: the member whose card was typed or scanned (`other`) is the same person as `keep`,
/// the member on screen; the kept member as they now stand.
#[tauri::command]
pub async fn merge_member(
    state: State<'_, AppState>,
    keep: MemberId,
    other: String,
) -> CommandResult<MemberView> {
    let actor = state.manager().await?;
    let store = state.store()?;
    let merge = async {
        let other = store.lookup(&other, &[]).await?.into_result()?;
        store.merge_members(&actor, keep, other.member.id).await
    };
    merge.await.map_err(failed(&store))
}
