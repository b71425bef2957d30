// The only place that calls into the Rust side. Types come from ts-rs (./bindings), generated
// from the Rust definitions by `cargo test`, so they are never written twice by hand.

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { CampaignChannel } from './bindings/CampaignChannel';
import type { CampaignExported } from './bindings/CampaignExported';
import type { CampaignPreview } from './bindings/CampaignPreview';
import type { CampaignRequest } from './bindings/CampaignRequest';
import type { Segment } from './bindings/Segment';
import type { About } from './bindings/About';
import type { ActionResult } from './bindings/ActionResult';
import type { AppStatus } from './bindings/AppStatus';
import type { Conflict } from './bindings/Conflict';
import type { Complaint } from './bindings/Complaint';
import type { CouponUse } from './bindings/CouponUse';
import type { CouponView } from './bindings/CouponView';
import type { FollowUp } from './bindings/FollowUp';
import type { Logged } from './bindings/Logged';
import type { NewComplaint } from './bindings/NewComplaint';
import type { JoinChainRequest } from './bindings/JoinChainRequest';
import type { Settlement } from './bindings/Settlement';
import type { Settled } from './bindings/Settled';
import type { SyncStatus } from './bindings/SyncStatus';
import type { ErrorBody } from './bindings/ErrorBody';
import type { IssuedCard } from './bindings/IssuedCard';
import type { EnrollOptions } from './bindings/EnrollOptions';
import type { EnrollOutcome } from './bindings/EnrollOutcome';
import type { MemberView } from './bindings/MemberView';
import type { NewMember } from './bindings/NewMember';
import type { PrintedFile } from './bindings/PrintedFile';
import type { PrintProgress } from './bindings/PrintProgress';
import type { PrintJob } from './bindings/PrintJob';
import type { Printers } from './bindings/Printers';
import type { ScanExplanation } from './bindings/ScanExplanation';
import type { Scanned } from './bindings/Scanned';
import type { SetUpRequest } from './bindings/SetUpRequest';
import type { UndoCandidate } from './bindings/UndoCandidate';
import type { VoidReason } from './bindings/VoidReason';
import type { AuditEntry } from './bindings/AuditEntry';
import type { AtRisk } from './bindings/AtRisk';
import type { Period } from './bindings/Period';
import type { Retention } from './bindings/Retention';
import type { StaffReport } from './bindings/StaffReport';
import type { Summary } from './bindings/Summary';
import type { Backup } from './bindings/Backup';
import type { Restored } from './bindings/Restored';
import type { Role } from './bindings/Role';
import type { StaffChange } from './bindings/StaffChange';
import type { StaffMember } from './bindings/StaffMember';
import type { NewProgram } from './bindings/NewProgram';
import type { Program } from './bindings/Program';
import type { ProgramChange } from './bindings/ProgramChange';
import type { Punch } from './bindings/Punch';
import type { TillSettings } from './bindings/TillSettings';
import type { Shop } from './bindings/Shop';
import type { ShopSettings } from './bindings/ShopSettings';
import type { ImportReport } from './bindings/ImportReport';
import type { MemberChange } from './bindings/MemberChange';
import type { MemberDetails } from './bindings/MemberDetails';
import type { SurveyAsked } from './bindings/SurveyAsked';
import type { SurveyFigures } from './bindings/SurveyFigures';
import type { WeDid } from './bindings/WeDid';
import type { IssueCouponRequest } from './bindings/IssueCouponRequest';
import type { VoucherIssued } from './bindings/VoucherIssued';
import type { SlipPrinted } from './bindings/SlipPrinted';
import type { ComplaintFigures } from './bindings/ComplaintFigures';
import type { CompensationRule } from './bindings/CompensationRule';
import type { CompensationRuleRequest } from './bindings/CompensationRuleRequest';

/** A refusal from the core: a stable code plus the message key the UI translates. */
export class CoreFailure extends Error {
  constructor(readonly body: ErrorBody) {
    super(body.code);
  }
}

/** What an error we did not foresee says (its cause is in the log). */
export const UNEXPECTED: ErrorBody = { code: 'unexpected', key: 'error-unexpected', args: {}, storage_failure: false };

function isErrorBody(value: unknown): value is ErrorBody {
  return typeof value === 'object' && value !== null && 'code' in value && 'key' in value;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    if (isErrorBody(error)) throw new CoreFailure(error);
    throw new CoreFailure(UNEXPECTED);
  }
}

export const ipc = {
  about: () => call<About>('about'),
  appStatus: () => call<AppStatus>('app_status'),
  setUpShop: (request: SetUpRequest) => call<AppStatus>('set_up_shop', { request }),
  loadDemo: (language: string) => call<AppStatus>('load_demo', { language }),
  signIn: (name: string, pin: string) => call<AppStatus>('sign_in', { name, pin }),
  signOut: () => call<AppStatus>('sign_out'),
  setLanguage: (language: string) => call<void>('set_language', { language }),
  /** `keyCodes`: the physical keys of a scanner's burst (KeyboardEvent.code), so the core can
   *  read the card whatever the PC's keyboard layout; empty for typed text. */
  scan: (input: string, keyCodes: string[] = []) => call<Scanned>('scan', { input, keyCodes }),
  memberView: (memberId: string) => call<MemberView>('member_view', { memberId }),
  /** Search as you type: members with their cards. */
  findMembers: (query: string) => call<MemberView[]>('find_members', { query }),
  /** Enrols, or answers with the likely duplicates (nothing written) unless told otherwise. */
  enroll: (member: NewMember, options: EnrollOptions) => call<EnrollOutcome>('enroll', { member, options }),
  /** The database this app used before is missing: start a new shop in its place. */
  startNewDatabase: () => call<AppStatus>('start_new_database'),
  /** Stamps, or points for `spent` (as typed: "12,50"); `override_reason` when the program's
   *  minimum time between punches has not passed. */
  punch: (memberId: string, punch: Punch) => call<ActionResult>('punch', { memberId, punch }),
  /** `tier`: the points of the reward, in a points program. */
  redeem: (memberId: string, programId: string | null, tier: number | null = null) =>
    call<ActionResult>('redeem', { memberId, programId, tier }),
  redeemCoupon: (token: string) => call<CouponUse>('redeem_coupon', { token }),
  /** Managers: a coupon and its voucher, saved to print or open. */
  issueCoupon: (request: IssueCouponRequest) => call<VoucherIssued>('issue_coupon', { request }),
  addComplaint: (complaint: NewComplaint) => call<Logged>('add_complaint', { complaint }),
  compensateComplaint: (id: string) => call<CouponView>('compensate_complaint', { id }),
  followUpDue: (memberId: string) => call<Complaint | null>('follow_up_due', { memberId }),
  answerFollowUp: (id: string, answer: FollowUp) => call<Complaint>('answer_follow_up', { id, answer }),
  /** The open complaints, soonest due first; `all`: every one, newest first. */
  complaints: (all: boolean) => call<Complaint[]>('complaints', { all }),
  /** Its owner or a manager: put right, in their words. */
  resolveComplaint: (id: string, resolution: string) => call<Complaint>('resolve_complaint', { id, resolution }),
  /** Whether the member may be asked for their opinion now (on the panel, not asked lately). */
  surveyDue: (memberId: string) => call<boolean>('survey_due', { memberId }),
  /** Asks the member; the survey opens on the customer's screen. */
  askSurvey: (memberId: string) => call<SurveyAsked>('ask_survey', { memberId }),
  /** A survey slip on the till's printer, for the member (or, with null, anyone). */
  printSurveySlip: (memberId: string | null) => call<SlipPrinted>('print_survey_slip', { memberId }),
  weDidList: () => call<WeDid[]>('we_did_list'),
  /** Managers: what the shop changed after feedback (shown on the survey page). */
  addWeDid: (text: string) => call<WeDid>('add_we_did', { text }),
  withdrawWeDid: (id: string) => call<void>('withdraw_we_did', { id }),
  lastUndoable: () => call<UndoCandidate>('last_undoable'),
  undo: (eventId: string, reason: VoidReason) => call<ActionResult>('undo', { eventId, reason }),
  /** The cashier's Undo of a coupon use: the coupon is good again. */
  undoCouponUse: (eventId: string, reason: VoidReason) => call<CouponUse>('undo_coupon_use', { eventId, reason }),
  /** Managers: `members` null means every member; `language` null, each member's own. */
  printCards: (layout: 'cr80' | 'a4-10', members: string[] | null, language: string | null) =>
    call<PrintedFile>('print_cards', { layout, members, language }),
  printTestPage: () => call<PrintedFile>('print_test_page'),
  /** Managers: the member whose card is `otherCode` (typed or scanned) is `keep`; both cards
   *  lead to `keep` from now on and their stamps are added together. */
  mergeMember: (keep: string, otherCode: string) => call<MemberView>('merge_member', { keep, other: otherCode }),
  /** Managers: the member lost their card; the old one is refused from now on. */
  reissueCard: (memberId: string) => call<IssuedCard>('reissue_card', { memberId }),
  openFile: (path: string) => call<void>('open_file', { path }),
  /** The folder of a printed file, in the system's file manager. */
  showInFolder: (path: string) => call<void>('show_in_folder', { path }),
  /** Managers: the printed file to the till's printer (or the default) through CUPS. */
  sendToPrinter: (path: string) => call<PrintJob>('send_to_printer', { path }),
  printers: () => call<Printers>('printers'),
  explainScan: (input: string, keyCodes: string[]) =>
    call<ScanExplanation>('explain_scan', { input, keyCodes }),
  /** Joins a chain (first run, or a manager), then syncs once. */
  joinChain: (request: JoinChainRequest) => call<AppStatus>('join_chain', { request }),
  syncStatus: () => call<SyncStatus>('sync_status'),
  /** Syncs now; being offline is in the answer (`line`), not a failure. */
  syncNow: () => call<SyncStatus>('sync_now'),
  conflicts: () => call<Conflict[]>('conflicts'),
  /** Managers: resolves when the manager's screens may open; `pin_again` when the PIN must
   *  be typed again first. */
  managerCheck: () => call<void>('manager_check'),
  confirmPin: (pin: string) => call<void>('confirm_pin', { pin }),
  setTillSettings: (settings: TillSettings) => call<TillSettings>('set_till_settings', { settings }),
  /** Managers: the shop's name, default language, currency and time zone (they sync). */
  setShopSettings: (settings: ShopSettings) => call<Shop>('set_shop_settings', { settings }),
  /** The coupon the till proposes for each kind of complaint. */
  compensationRules: () => call<CompensationRule[]>('compensation_rules'),
  /** Managers: the shop's own rules; a kind of complaint left out proposes nothing. */
  setCompensationRules: (rules: CompensationRuleRequest[]) =>
    call<CompensationRule[]>('set_compensation_rules', { rules }),
  /** A member in full: details, consent, cards, history. */
  memberDetails: (id: string) => call<MemberDetails>('member_details', { id }),
  /** A correction, a consent answer (anyone), or an erasure (managers). */
  changeMember: (id: string, change: MemberChange) => call<MemberDetails>('change_member', { id, change }),
  /** Managers: everything held about a member, as a JSON file. */
  exportMemberData: (id: string) => call<PrintedFile>('export_member_data', { id }),
  /** Managers: a CSV file of members, previewed (`dryRun`) or imported, all or nothing. */
  importMembers: (bytes: number[], dryRun: boolean, allowDuplicates: boolean) =>
    call<ImportReport>('import_members', { bytes, dryRun, allowDuplicates }),
  exportMembers: () => call<PrintedFile>('export_members'),
  /** Managers: how many of a group a campaign would reach; nothing is written. */
  campaignPreview: (segment: Segment, channel: CampaignChannel) =>
    call<CampaignPreview>('campaign_preview', { segment, channel }),
  /** Managers: the group's consented contacts, a coupon each, in a CSV in the app's folder. */
  exportCampaign: (request: CampaignRequest) => call<CampaignExported>('export_campaign', { request }),
  /** Managers: a new program; answers every program. */
  addProgram: (program: NewProgram) => call<Program[]>('add_program', { program }),
  changeProgram: (id: string, change: ProgramChange) => call<Program[]>('change_program', { id, change }),
  /** Managers: this shop's staff, active or not, with their sign-in locks. */
  staffMembers: () => call<StaffMember[]>('staff_members'),
  addStaff: (name: string, role: Role, pin: string) => call<StaffMember[]>('add_staff', { name, role, pin }),
  changeStaff: (id: string, change: StaffChange) => call<StaffMember[]>('change_staff', { id, change }),
  /** Managers: the audit trail between two moments (ISO), newest first. */
  auditTrail: (from: string, to: string) => call<AuditEntry[]>('audit_trail', { from, to }),
  /** Managers: today in the shop's time zone (YYYY-MM-DD), where reports' periods end. */
  reportToday: () => call<string>('report_today'),
  reportSummary: (period: Period) => call<Summary>('report_summary', { period }),
  reportRetention: (period: Period) => call<Retention>('report_retention', { period }),
  /** The most overdue first, at most a hundred (`total` says how many in all). */
  reportAtRisk: (asOf: string) => call<AtRisk>('report_at_risk', { asOf }),
  reportStaff: (period: Period) => call<StaffReport>('report_staff', { period }),
  reportSurveys: (period: Period) => call<SurveyFigures>('report_surveys', { period }),
  reportComplaints: (period: Period) => call<ComplaintFigures>('report_complaints', { period }),
  backups: () => call<Backup[]>('backups'),
  backUpNow: () => call<Backup[]>('back_up_now'),
  /** Managers, after confirming: the backup replaces the database; everyone is signed out. */
  restoreBackup: (path: string) => call<Restored>('restore_backup', { path }),
  /** Managers: settles a conflict with an event that syncs. */
  settleConflict: (id: string, settlement: Settlement, reason: string) =>
    call<Settled>('settle_conflict', { id, settlement, reason }),
  /** Progress of a print job, as the core draws the cards. */
  onPrintProgress: (handler: (progress: PrintProgress) => void): Promise<UnlistenFn> =>
    listen<PrintProgress>('print-progress', (event) => handler(event.payload)),
};
