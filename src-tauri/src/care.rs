//! Complaints at the counter (docs/decisions/0030-complaints.md): logging one, giving the
//! coupon the shop's rule proposes, and the member's answer at the next visit; campaigns from
//! the manager's screen (0031); surveys on the customer's screen and "you said, we did" (0032).
//! The rules are tessera-core's (`care`).

use tauri::State;
use tessera_core::cards::voucher::VoucherFormat;
use tessera_core::care::campaigns::{
    Campaign, CampaignChannel, CampaignCoupon, CampaignPlan, CampaignPreview,
};
use tessera_core::care::complaints::{
    Category, CompensationRule, Complaint, FollowUp, Logged, NewComplaint,
};
use tessera_core::care::segments::Segment;
use tessera_core::care::surveys::{SurveyAsked, SurveyWay, WeDid};
use tessera_core::codes::coupon_token::CouponKind;
use tessera_core::counter::coupons::{self, CouponView};
use tessera_core::ids::{ComplaintId, MemberId, WeDidId};

use crate::state::AppState;

type CommandResult<T> = Result<T, tessera_core::ErrorBody>;

#[tauri::command]
pub async fn add_complaint(
    state: State<'_, AppState>,
    complaint: NewComplaint,
) -> CommandResult<Logged> {
    let actor = state.actor()?;
    let store = state.store()?;
    store
        .add_complaint(&actor, &complaint)
        .await
        .map_err(|e| store.error_body(e))
}

#[tauri::command]
pub async fn compensate_complaint(
    state: State<'_, AppState>,
    id: ComplaintId,
) -> CommandResult<CouponView> {
    let actor = state.actor()?;
    let store = state.store()?;
    store
        .compensate_complaint(&actor, id)
        .await
        .map_err(|e| store.error_body(e))
}

/// The complaint to ask the member on screen about, if any.
#[tauri::command]
pub async fn follow_up_due(
    state: State<'_, AppState>,
    member_id: MemberId,
) -> CommandResult<Option<Complaint>> {
    state.actor()?;
    let store = state.store()?;
    store
        .follow_up_due(member_id)
        .await
        .map_err(|e| store.error_body(e))
}

#[tauri::command]
pub async fn answer_follow_up(
    state: State<'_, AppState>,
    id: ComplaintId,
    answer: FollowUp,
) -> CommandResult<Complaint> {
    let actor = state.actor()?;
    let store = state.store()?;
    store
        .answer_follow_up(&actor, id, answer)
        .await
        .map_err(|e| store.error_body(e))
}

/// What the manager's campaign screen asks for: as `CampaignPlan`, with the coupon's value
/// as typed and its last day 90 days away when left out.
#[derive(serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct CampaignRequest {
    pub segment: Segment,
    pub channel: CampaignChannel,
    pub message: Option<String>,
    pub coupon: Option<CouponRequest>,
    pub link_base: Option<String>,
}

#[derive(serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct CouponRequest {
    pub kind: CouponKind,
    /// As typed: "1", "2,50", "10 %".
    pub value: String,
    pub text: String,
    pub expires_on: Option<chrono::NaiveDate>,
}

/// A campaign exported: the file written, and the campaign as recorded.
#[derive(serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct CampaignExported {
    pub path: String,
    pub campaign: Campaign,
}

/// Managers: how many of a segment a campaign would reach, before anything is written.
#[tauri::command]
pub async fn campaign_preview(
    state: State<'_, AppState>,
    segment: Segment,
    channel: CampaignChannel,
) -> CommandResult<CampaignPreview> {
    let (store, actor) = (state.store()?, state.manager().await?);
    store
        .preview_campaign(&actor, segment, channel)
        .await
        .map_err(|e| store.error_body(e))
}

/// Managers: the campaign's consented contacts, each with their coupon, in a CSV file in the
/// app's folder for the shop's own mail tool.
#[tauri::command]
pub async fn export_campaign(
    state: State<'_, AppState>,
    request: CampaignRequest,
) -> CommandResult<CampaignExported> {
    let (store, actor) = (state.store()?, state.manager().await?);
    let failed = |e| store.error_body(e);
    let coupon = match request.coupon {
        Some(c) => Some(CampaignCoupon {
            kind: c.kind,
            value: coupons::typed_value(c.kind, Some(&c.value)).map_err(failed)?,
            text: c.text,
            expires_on: Some(match c.expires_on {
                Some(day) => day,
                None => coupons::default_expiry(
                    store
                        .require_shop()
                        .await
                        .map_err(failed)?
                        .today(chrono::Utc::now()),
                ),
            }),
        }),
        None => None,
    };
    let plan = CampaignPlan {
        segment: request.segment,
        channel: request.channel,
        message: request.message,
        coupon,
        link_base: request.link_base.filter(|base| !base.trim().is_empty()),
        // A file for the shop's own mail tool carries no message: the manager writes there.
        with_we_did: false,
    };
    let (campaign, csv) = store.export_campaign(&actor, &plan).await.map_err(failed)?;
    let stamp = chrono::Local::now().format("%Y-%m-%d-%H%M%S");
    let name = format!("tessera-campaign-{}-{stamp}.csv", plan.segment.as_str());
    let path = crate::commands::print_folder(&state).join(name);
    tessera_core::support::files::write_file(&path, &csv).map_err(|e| e.body())?;
    Ok(CampaignExported {
        path: path.display().to_string(),
        campaign,
    })
}

/// Whether the member on screen may be asked for their opinion now (on the panel, not asked
/// lately at any till of the chain).
#[tauri::command]
pub async fn survey_due(state: State<'_, AppState>, member_id: MemberId) -> CommandResult<bool> {
    state.actor()?;
    let store = state.store()?;
    store
        .survey_due(member_id)
        .await
        .map_err(|e| store.error_body(e))
}

/// Any staff member: asks the member on screen for their opinion, the survey shown on the
/// customer's screen (docs/decisions/0032-surveys.md).
#[tauri::command]
pub async fn ask_survey(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    member_id: MemberId,
) -> CommandResult<SurveyAsked> {
    let actor = state.actor()?;
    let store = state.store()?;
    let base = crate::pages::customer_pages(&app)?;
    let asked = store
        .ask_survey(&actor, Some(member_id), SurveyWay::Screen, Some(&base))
        .await
        .map_err(|e| store.error_body(e))?;
    let shop = store
        .require_shop()
        .await
        .map_err(|e| store.error_body(e))?;
    let link = asked.link.as_deref().unwrap_or_default();
    crate::pages::show_to_customer(&app, link, &shop.name)?;
    Ok(asked)
}

/// The shop's "you said, we did" entries standing now, newest first.
#[tauri::command]
pub async fn we_did_list(state: State<'_, AppState>) -> CommandResult<Vec<WeDid>> {
    state.actor()?;
    let store = state.store()?;
    store
        .we_did_list(i64::MAX)
        .await
        .map_err(|e| store.error_body(e))
}

/// Managers: what the shop changed after feedback; it shows on the survey page.
#[tauri::command]
pub async fn add_we_did(state: State<'_, AppState>, text: String) -> CommandResult<WeDid> {
    let (store, actor) = (state.store()?, state.manager().await?);
    store
        .add_we_did(&actor, &text)
        .await
        .map_err(|e| store.error_body(e))
}

/// Managers: takes an entry off the survey page.
#[tauri::command]
pub async fn withdraw_we_did(state: State<'_, AppState>, id: WeDidId) -> CommandResult<()> {
    let (store, actor) = (state.store()?, state.manager().await?);
    store
        .withdraw_we_did(&actor, id)
        .await
        .map_err(|e| store.error_body(e))
}

/// One compensation rule as the settings screen sends it: the coupon's value as typed.
#[derive(serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct CompensationRuleRequest {
    pub category: Category,
    pub kind: CouponKind,
    /// As typed: "1", "2,50", "10 %".
    pub value: String,
    pub text: Option<String>,
    pub days: i64,
}

/// The coupon the till proposes for each kind of complaint (the shop's rules).
#[tauri::command]
pub async fn compensation_rules(
    state: State<'_, AppState>,
) -> CommandResult<Vec<CompensationRule>> {
    state.actor()?;
    let store = state.store()?;
    store
        .compensation_rules()
        .await
        .map_err(|e| store.error_body(e))
}

/// Managers: the shop's own compensation rules (a kind of complaint left out proposes nothing).
#[tauri::command]
pub async fn set_compensation_rules(
    state: State<'_, AppState>,
    rules: Vec<CompensationRuleRequest>,
) -> CommandResult<Vec<CompensationRule>> {
    let (store, actor) = (state.store()?, state.manager().await?);
    let failed = |e| store.error_body(e);
    let rules = rules
        .into_iter()
        .map(|r| {
            Ok(CompensationRule {
                category: r.category,
                kind: r.kind,
                value: coupons::typed_value(r.kind, Some(&r.value))?,
                text: r.text,
                days: r.days,
            })
        })
        .collect::<tessera_core::Result<Vec<_>>>()
        .map_err(failed)?;
    store
        .set_compensation_rules(&actor, &rules)
        .await
        .map_err(failed)
}

/// The complaints still open, soonest due first (with `all`, every one, newest first).
#[tauri::command]
pub async fn complaints(state: State<'_, AppState>, all: bool) -> CommandResult<Vec<Complaint>> {
    state.actor()?;
    let store = state.store()?;
    store.complaints(all).await.map_err(|e| store.error_body(e))
}

/// Its owner or a manager: the complaint is put right, in their words.
#[tauri::command]
pub async fn resolve_complaint(
    state: State<'_, AppState>,
    id: ComplaintId,
    resolution: String,
) -> CommandResult<Complaint> {
    let actor = state.actor()?;
    let store = state.store()?;
    store
        .resolve_complaint(&actor, id, &resolution)
        .await
        .map_err(|e| store.error_body(e))
}

/// A survey slip printed: its file, the print job, and the link its QR holds.
#[derive(serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct SlipPrinted {
    pub path: String,
    pub job: tessera_core::support::printing::PrintJob,
    pub link: String,
}

/// Any staff member: prints a survey slip on the till's printer (80 mm receipt paper), its QR
/// opening a new survey on the shop's pages; for the member on screen (on the panel, not asked
/// lately) or, without one, for whoever gets it.
#[tauri::command]
pub async fn print_survey_slip(
    state: State<'_, AppState>,
    member_id: Option<MemberId>,
) -> CommandResult<SlipPrinted> {
    let actor = state.actor()?;
    let store = state.store()?;
    let failed = |e| store.error_body(e);
    let settings = store.till_settings().await.map_err(failed)?;
    let base = crate::pages::network_link_base(settings.pages_address.as_deref())?;
    let (asked, pdf) = store
        .survey_slip(&actor, member_id, &base, VoucherFormat::Strip80)
        .await
        .map_err(failed)?;
    let stamp = chrono::Local::now().format("%Y-%m-%d-%H%M%S");
    let path = crate::commands::print_folder(&state).join(format!("tessera-survey-{stamp}.pdf"));
    tessera_core::support::files::write_file(&path, &pdf).map_err(|e| e.body())?;
    let job = store.print_file(&path, None).await.map_err(failed)?;
    Ok(SlipPrinted {
        path: path.display().to_string(),
        job,
        link: asked.link.unwrap_or_default(),
    })
}

/// A coupon as the manager's screen asks for it: the value as typed, the paper to print on.
#[derive(serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct IssueCouponRequest {
    pub kind: CouponKind,
    /// As typed: "1", "2,50", "10 %".
    pub value: String,
    pub text: String,
    /// The member it is for; none: whoever brings the voucher.
    pub member_id: Option<MemberId>,
    /// Its last day; none: 90 days from today.
    pub expires_on: Option<chrono::NaiveDate>,
    pub only_here: bool,
    /// `a6`, `strip-58` or `strip-80`.
    pub format: String,
}

/// A coupon issued, and its voucher saved for printing.
#[derive(serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct VoucherIssued {
    pub coupon: CouponView,
    pub path: String,
}

/// Managers: issues a coupon (given to a member, or for whoever brings it) and saves its
/// voucher in the app's folder, to print or open.
#[tauri::command]
pub async fn issue_coupon(
    state: State<'_, AppState>,
    request: IssueCouponRequest,
) -> CommandResult<VoucherIssued> {
    let (store, actor) = (state.store()?, state.manager().await?);
    let failed = |e| store.error_body(e);
    let format: VoucherFormat = request.format.parse().map_err(failed)?;
    let today = store
        .require_shop()
        .await
        .map_err(failed)?
        .today(chrono::Utc::now());
    let new = coupons::NewCoupon {
        kind: request.kind,
        value: coupons::typed_value(request.kind, Some(&request.value)).map_err(failed)?,
        text: request.text,
        member_id: request.member_id,
        expires_on: Some(request.expires_on.unwrap_or(coupons::default_expiry(today))),
        only_here: request.only_here,
    };
    let coupon = store.issue_coupon(&actor, &new).await.map_err(failed)?;
    let pdf = store
        .coupon_pdf(&actor, coupon.id, format)
        .await
        .map_err(failed)?;
    let stamp = chrono::Local::now().format("%Y-%m-%d-%H%M%S");
    let name = format!("tessera-voucher-{}-{stamp}.pdf", request.format);
    let path = crate::commands::print_folder(&state).join(name);
    tessera_core::support::files::write_file(&path, &pdf).map_err(|e| e.body())?;
    Ok(VoucherIssued {
        coupon,
        path: path.display().to_string(),
    })
}
