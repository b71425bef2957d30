// The till's session: everything the cashier screen decides, apart from drawing it. Scans and
// actions run in one queue, in the order they were made; a new scan first clears the member on
// screen; a redemption needs a confirmation; human typing always goes to the search field; the
// same card scanned again soon after a punch asks before punching; a coupon's scan shows the
// coupon, and Enter takes it; the member is cleared after a minute idle; a database that stops
// saving says so until a write succeeds again.
// Cashier.svelte renders this state and forwards keys and scans; till.test.ts drives it with a
// fake `ipc`.

import type { ActionResult } from './bindings/ActionResult';
import type { CardView } from './bindings/CardView';
import type { Complaint } from './bindings/Complaint';
import type { FollowUp } from './bindings/FollowUp';
import type { CouponUse } from './bindings/CouponUse';
import type { CouponView } from './bindings/CouponView';
import type { ErrorBody } from './bindings/ErrorBody';
import type { Event } from './bindings/Event';
import type { MemberView } from './bindings/MemberView';
import type { ReasonCode } from './bindings/ReasonCode';
import type { Scanned } from './bindings/Scanned';
import type { UndoCandidate } from './bindings/UndoCandidate';
import type { Punch } from './bindings/Punch';
import { CoreFailure, UNEXPECTED } from './ipc';

/** What the session needs of the core: a subset of `ipc`, so tests can pass a fake. */
export interface TillIpc {
  scan(input: string, keyCodes: string[]): Promise<Scanned>;
  memberView(memberId: string): Promise<MemberView>;
  findMembers(query: string): Promise<MemberView[]>;
  punch(memberId: string, punch: Punch): Promise<ActionResult>;
  redeem(memberId: string, programId: string | null, tier: number | null): Promise<ActionResult>;
  redeemCoupon(token: string): Promise<CouponUse>;
  followUpDue(memberId: string): Promise<Complaint | null>;
  answerFollowUp(id: string, answer: FollowUp): Promise<Complaint>;
  surveyDue(memberId: string): Promise<boolean>;
  askSurvey(memberId: string): Promise<unknown>;
  printSurveySlip(memberId: string | null): Promise<unknown>;
  lastUndoable(): Promise<UndoCandidate>;
  undo(eventId: string, reason: { code: ReasonCode; note: string | null }): Promise<ActionResult>;
  undoCouponUse(eventId: string, reason: { code: ReasonCode; note: string | null }): Promise<CouponUse>;
}

/** green: stamped; gold: a reward; red: refused; blue: a question for the cashier; grey: info. */
export type FeedbackKind = 'success' | 'reward' | 'refusal' | 'question' | 'info';

/** A message to show: a key and arguments (translated when drawn), or a core error. */
export type Message =
  | {
      key: string;
      args?: Record<string, string | number>;
      /** An argument `what` that describes a ledger event (undo). */
      event?: { event: Event; program: string | null };
      /** An argument `offer` that says what a coupon gives. */
      coupon?: CouponView;
    }
  | { error: ErrorBody };

export interface Feedback {
  kind: FeedbackKind;
  message: Message;
  /** Changes with every new message, so the screen replays its flash. */
  n: number;
}

/** The last action, for the "Last: …" line. */
export interface LastAction {
  result: ActionResult;
  undone: boolean;
}

export type Dialog =
  /** `tier`: the reward chosen, in a points program (its points). */
  | { kind: 'redeem'; memberName: string; card: CardView; tier: number | null }
  | { kind: 'undo'; candidate: UndoCandidate }
  /** The program's minimum time between punches has not passed: punch anyway, with a reason. */
  | { kind: 'override'; minutes: number; spent: string | null };

export type KeyOutcome =
  /** The session acted on the key: the screen prevents its default. */
  | 'handled'
  /** The key was typed into the search query: the screen moves the focus there. */
  | 'search'
  /** Not the session's business (typing in a field, a modifier...). */
  | 'ignored';

export interface KeyInput {
  key: string;
  ctrl: boolean;
  alt: boolean;
  /** The event target is a text field or a select. */
  inField: boolean;
  /** ...and that field is the search field. */
  inSearch: boolean;
}

export const TILL_TIMES = {
  /** Privacy: the next customer must not see this member. */
  idleClearMs: 45_000,
  /** The same card scanned again this soon after a punch: the next Enter asks first. */
  repeatGuardMs: 10_000,
  searchDebounceMs: 150,
  /** An action still waiting after this long shows "Saving…" (a locked database waits 5 s). */
  slowActionMs: 400,
  /** How often the member on screen is read again (another till process may have written). */
  refreshMs: 2_000,
};

/** Fewer characters than this in the search field do not search yet. */
const SEARCH_MIN = 2;

/** What a redemption gave: the card's reward, or the points program's tier it spent. */
function rewardOf(r: ActionResult): string {
  return r.card.tiers.find((tier) => tier.points === r.event.amount)?.reward ?? r.card.reward;
}

/** The rewards of a points card its balance can pay for, cheapest first. */
export function affordable(card: CardView): CardView['tiers'] {
  return card.tiers.filter((tier) => tier.points <= card.rewards_available);
}

function errorBody(error: unknown): ErrorBody {
  return error instanceof CoreFailure ? error.body : UNEXPECTED;
}

export class TillSession {
  view = $state<MemberView | null>(null);
  /** A coupon scanned (a voucher), shown instead of a member: Enter takes it if it is good. */
  coupon = $state<CouponView | null>(null);
  /** A complaint of the member on screen to ask them about ("Was this put right?"). */
  followUp = $state<Complaint | null>(null);
  /** The member on screen may be asked for their opinion (on the panel, not asked lately). */
  surveyDue = $state(false);
  selected = $state<string | null>(null);
  /** The card that this member's last punch filled: shown full, with the celebration. */
  justFilled = $state<string | null>(null);
  feedback = $state<Feedback | null>(null);
  last = $state<LastAction | null>(null);
  query = $state('');
  results = $state<MemberView[]>([]);
  /** The search result the arrow keys point at (-1: none). */
  highlighted = $state(-1);
  dialog = $state<Dialog | null>(null);
  /** An action has been waiting for the database for a while. */
  saving = $state(false);
  /** The database is not saving (locked, unwritable, full, damaged, gone): shown until a
   *  write succeeds again. */
  notSaving = $state<ErrorBody | null>(null);
  /** When the last scanner burst arrived (wall clock, for the header), or null since start. */
  lastScanWall = $state<string | null>(null);

  private queue: Promise<void> = Promise.resolve();
  private feedbackCount = 0;
  private lastPunch: { memberId: string; at: number } | null = null;
  private rescanGuard = false;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  private inFlight = 0;

  constructor(
    private readonly ipc: TillIpc,
    private readonly onFeedback: (kind: FeedbackKind) => void = () => {},
    private readonly now: () => number = () => performance.now(),
  ) {}

  get selectedCard(): CardView | null {
    const view = this.view;
    if (!view) return null;
    return view.cards.find((c) => c.program_id === this.selected) ?? view.cards[0] ?? null;
  }

  /** A reward is ready on the selected card: Redeem is the highlighted action. */
  get rewardReady(): boolean {
    const card = this.selectedCard;
    if (!card) return false;
    if (card.kind === 'points') return affordable(card).length > 0;
    return card.rewards_available > 0;
  }

  /** The selected card gives points for an amount spent: the amount field is the punch. */
  get pointsCard(): boolean {
    return this.selectedCard?.kind === 'points';
  }

  /** Idle for long: the queue is empty and nothing is open. */
  get idle(): boolean {
    return this.inFlight === 0 && this.dialog === null;
  }

  // ---- messages ----

  private say(kind: FeedbackKind, message: Message): void {
    this.feedback = { kind, message, n: ++this.feedbackCount };
    if (kind !== 'info') this.onFeedback(kind);
  }

  /** A refusal. When the database itself failed, the lasting banner says why and what to do,
   *  and the message line says only that this was not saved. */
  private refuse(error: unknown): void {
    const body = errorBody(error);
    if (body.storage_failure) {
      this.notSaving = body;
      this.say('refusal', { key: 'feedback-not-saved' });
    } else {
      this.say('refusal', { error: body });
    }
  }

  /** A message from a screen beside the till (a dialog's outcome). */
  notice(kind: FeedbackKind, message: Message): void {
    this.say(kind, message);
  }

  // ---- the queue ----

  /** Runs `task` after every earlier scan and action. A failing task says why and never stops
   *  the ones behind it. */
  private enqueue(task: () => Promise<void>): Promise<void> {
    this.inFlight += 1;
    const run = async () => {
      const slow = setTimeout(() => (this.saving = true), TILL_TIMES.slowActionMs);
      try {
        await task();
      } catch (error) {
        this.refuse(error);
      } finally {
        clearTimeout(slow);
        this.inFlight -= 1;
        if (this.inFlight === 0) this.saving = false;
      }
    };
    this.queue = this.queue.then(run);
    return this.queue;
  }

  /** Resolves when everything queued so far has run (tests, and the screen's refresh). */
  settled(): Promise<void> {
    return this.queue;
  }

  // ---- showing and clearing a member ----

  private show(next: MemberView): void {
    const sameMember = this.view?.member.id === next.member.id;
    if (!sameMember) {
      this.justFilled = null;
      this.rescanGuard = false;
    }
    const keep = next.cards.some((c) => c.program_id === this.selected);
    this.view = next;
    if (!keep) this.selected = next.cards[0]?.program_id ?? null;
    this.query = '';
    this.results = [];
    this.highlighted = -1;
  }

  /** Clears the member, the search and every message: the screen for the next customer. */
  clear(): void {
    this.view = null;
    this.coupon = null;
    this.followUp = null;
    this.surveyDue = false;
    this.selected = null;
    this.justFilled = null;
    this.query = '';
    this.results = [];
    this.highlighted = -1;
    this.feedback = null;
    this.dialog = null;
    this.rescanGuard = false;
    clearTimeout(this.searchTimer);
  }

  select(programId: string): void {
    this.selected = programId;
    this.justFilled = null;
  }

  // ---- scanning and searching ----

  /** A scanner's burst: the member on screen goes first, whatever the scan turns out to be. */
  scanned(text: string, keyCodes: string[]): Promise<void> {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a wall-clock time, kept as text
    this.lastScanWall = new Date().toISOString();
    this.clear();
    this.touch();
    return this.enqueue(() => this.resolve(text, keyCodes));
  }

  /** Enter in the search field: the highlighted result, a typed code, or a search. */
  private submitQuery(): Promise<void> {
    const picked = this.results[this.highlighted];
    if (picked) return this.open(picked);
    const text = this.query;
    this.clearMemberOnly();
    return this.enqueue(() => this.resolve(text, null));
  }

  private clearMemberOnly(): void {
    this.view = null;
    this.coupon = null;
    this.followUp = null;
    this.surveyDue = false;
    this.selected = null;
    this.justFilled = null;
    this.feedback = null;
    this.rescanGuard = false;
  }

  /** `keyCodes` is null for typed text, the physical keys for a scanner's burst. */
  private async resolve(input: string, keyCodes: string[] | null): Promise<void> {
    const fromScanner = keyCodes !== null;
    const { outcome, refusal } = await this.ipc.scan(input, keyCodes ?? []);
    if (outcome.outcome === 'member') {
      this.show({ member: outcome.member, cards: outcome.cards, new_here: outcome.new_here, coupons: outcome.coupons });
      this.feedback = null;
      await this.askAbout(outcome.member.id);
      this.rescanGuard =
        fromScanner &&
        this.lastPunch?.memberId === outcome.member.id &&
        this.now() - this.lastPunch.at < TILL_TIMES.repeatGuardMs;
      return;
    }
    if (outcome.outcome === 'coupon') {
      // The scan's outcome is the coupon's view, tagged.
      const coupon: CouponView = outcome;
      this.coupon = coupon;
      this.query = '';
      this.results = [];
      // A used, expired or withdrawn coupon says so in red; a good one waits for Enter.
      if (coupon.refusal) this.say('refusal', { error: coupon.refusal });
      else this.say('question', { key: 'feedback-coupon-scanned', coupon });
      return;
    }
    // Typed text that is not a code is a name, a phone, an email: search for it.
    if (outcome.outcome === 'not_a_code' && !fromScanner) {
      await this.searchAndPick(input);
      return;
    }
    // The core says why (the one outcome-to-message mapping, ScanOutcome::refusal).
    if (refusal) this.say('refusal', { error: refusal });
  }

  private async searchAndPick(text: string): Promise<void> {
    const found = await this.ipc.findMembers(text);
    this.results = found;
    this.highlighted = found.length > 0 ? 0 : -1;
    if (found.length === 1) return this.show(found[0]);
    if (found.length === 0) return this.say('refusal', { key: 'search-none' });
    this.say('info', { key: 'search-ambiguous' });
  }

  /** The search field changed: results as you type (debounced). */
  setQuery(text: string): void {
    this.query = text;
    clearTimeout(this.searchTimer);
    if (text.trim().length < SEARCH_MIN) {
      this.results = [];
      this.highlighted = -1;
      return;
    }
    this.searchTimer = setTimeout(() => {
      void this.enqueue(async () => {
        const found = await this.ipc.findMembers(text);
        if (this.query !== text) return; // typed on since
        this.results = found;
        this.highlighted = found.length > 0 ? 0 : -1;
        // A message about an earlier search or member no longer applies.
        if (this.feedback?.kind !== 'refusal' || !this.view) this.feedback = null;
      });
    }, TILL_TIMES.searchDebounceMs);
  }

  /** Opens a member from the search results (fresh from the store). */
  open(picked: MemberView): Promise<void> {
    this.clearMemberOnly();
    return this.enqueue(async () => {
      this.show(await this.ipc.memberView(picked.member.id));
      await this.askAbout(picked.member.id);
    });
  }

  /** A member just arrived: is there a complaint of theirs to ask about at this visit, and
   *  may they be asked for their opinion? */
  private async askAbout(memberId: string): Promise<void> {
    const [due, survey] = await Promise.all([this.ipc.followUpDue(memberId), this.ipc.surveyDue(memberId)]);
    if (this.view?.member.id !== memberId) return;
    this.followUp = due;
    this.surveyDue = survey;
  }

  /** A survey slip on the till's printer, to hand over with the receipt: the member on screen's
   *  when they may be asked, otherwise anyone's. */
  printSurveySlip(): Promise<void> {
    const memberId = this.surveyDue ? (this.view?.member.id ?? null) : null;
    this.touch();
    return this.enqueue(async () => {
      await this.ipc.printSurveySlip(memberId);
      this.notSaving = null;
      if (memberId && this.view?.member.id === memberId) this.surveyDue = false;
      this.say('info', { key: 'feedback-slip-printed' });
    });
  }

  /** Asks the member on screen for their opinion: the survey opens on the customer's screen,
   *  and this screen stays ready for the next scan. */
  askSurvey(): Promise<void> {
    const memberId = this.view?.member.id;
    if (!memberId || !this.surveyDue) return Promise.resolve();
    this.touch();
    return this.enqueue(async () => {
      await this.ipc.askSurvey(memberId);
      this.notSaving = null;
      this.surveyDue = false;
      this.say('info', { key: 'feedback-survey-on-screen' });
    });
  }

  /** The member's answer to "Was this put right?", kept once. */
  answerFollowUp(answer: FollowUp): Promise<void> {
    const asked = this.followUp;
    if (!asked) return Promise.resolve();
    this.touch();
    return this.enqueue(async () => {
      await this.ipc.answerFollowUp(asked.id, answer);
      this.notSaving = null;
      this.followUp = null;
      this.say('success', { key: 'feedback-follow-up-thanks' });
    });
  }

  /** The member on screen was changed elsewhere (a complaint's coupon given): read again. */
  memberChanged(): Promise<void> {
    const view = this.view;
    if (!view) return Promise.resolve();
    return this.enqueue(async () => {
      if (this.view?.member.id === view.member.id) this.show(await this.ipc.memberView(view.member.id));
    });
  }

  // ---- actions ----

  /** Runs `action` on the member and card current when its turn comes. `answer` may take a
   *  refusal as a question for the cashier instead (true: taken). */
  private act(
    action: (memberId: string, programId: string) => Promise<ActionResult>,
    done: (result: ActionResult) => void,
    guard?: (memberId: string) => boolean,
    answer?: (refusal: ErrorBody) => boolean,
  ): Promise<void> {
    return this.enqueue(async () => {
      const card = this.selectedCard;
      const view = this.view;
      if (!view || !card) return;
      if (guard && !guard(view.member.id)) return;
      let result: ActionResult;
      try {
        result = await action(view.member.id, card.program_id);
      } catch (error) {
        if (answer?.(errorBody(error))) return;
        throw error;
      }
      this.notSaving = null;
      this.last = { result, undone: false };
      this.show(await this.ipc.memberView(result.event.member_id));
      done(result);
    });
  }

  /** The first Enter after a quick re-scan of the same card asks instead of punching. */
  private repeatGuard(memberId: string): boolean {
    if (this.rescanGuard) {
      this.rescanGuard = false;
      this.say('question', { key: 'confirm-repeat-punch' });
      return false;
    }
    this.lastPunch = { memberId, at: this.now() };
    return true;
  }

  /** Enter or the Punch button: a stamp; in a points program, points for `spent` (the amount
   *  field). `overrideReason`: the cashier's reason to punch inside the minimum time. */
  punch(spent: string | null = null, overrideReason: string | null = null): Promise<void> {
    this.touch();
    const overriding = overrideReason !== null;
    return this.act(
      (memberId, programId) =>
        this.ipc.punch(memberId, {
          program_id: programId,
          ...(spent === null ? {} : { spent }),
          ...(overriding ? { override_reason: overrideReason } : {}),
        }),
      (r) => this.punched(r),
      // An override is the cashier's answer to a question: no second question.
      (memberId) => overriding || this.repeatGuard(memberId),
      (refusal) => {
        if (refusal.code !== 'punch_too_soon' || overriding) return false;
        this.dialog = { kind: 'override', minutes: Number(refusal.args.minutes), spent };
        this.say('question', { error: refusal });
        return true;
      },
    );
  }

  private punched(r: ActionResult): void {
    const reward = r.rewards_earned_now > 0;
    if (r.card.kind === 'points') {
      this.justFilled = null;
      this.say(reward ? 'reward' : 'success', {
        key: 'feedback-points',
        args: { program: r.card.program_name, points: r.event.amount, balance: r.card.rewards_available },
      });
    } else if (reward) {
      this.justFilled = r.card.program_id;
      this.say('reward', { key: 'feedback-reward-earned', args: { reward: r.card.reward } });
    } else {
      this.justFilled = null;
      this.say('success', {
        key: 'feedback-punched',
        args: { program: r.card.program_name, punches: r.card.punches, needed: r.card.punches_needed },
      });
    }
  }

  /** Enter on a scanned coupon, or a member's coupon's Use button: the coupon is taken once.
   *  A member on screen is read again (their coupon is gone from the list). */
  useCoupon(coupon: CouponView): Promise<void> {
    this.touch();
    return this.enqueue(async () => {
      const used = await this.ipc.redeemCoupon(coupon.token);
      this.notSaving = null;
      if (this.view) this.show(await this.ipc.memberView(this.view.member.id));
      else this.coupon = used.coupon;
      this.say('success', { key: 'feedback-coupon-used', coupon: used.coupon });
    });
  }

  /** The override dialog's "Punch anyway". */
  confirmOverride(reason: string): Promise<void> {
    if (this.dialog?.kind !== 'override') return Promise.resolve();
    const spent = this.dialog.spent;
    this.dialog = null;
    return this.punch(spent, reason);
  }

  /** R or the Redeem button: asks first, naming the reward and the member. In a points
   *  program the cheapest reward the balance pays for is chosen; the dialog can change it. */
  askRedeem(): boolean {
    const view = this.view;
    const card = this.selectedCard;
    if (!view || !card || !this.rewardReady) return false;
    const tier = card.kind === 'points' ? (affordable(card)[0]?.points ?? null) : null;
    this.dialog = { kind: 'redeem', memberName: view.member.name, card, tier };
    return true;
  }

  /** In the redemption dialog of a points program: the reward to give. */
  chooseTier(points: number): void {
    if (this.dialog?.kind === 'redeem') this.dialog = { ...this.dialog, tier: points };
  }

  confirmRedeem(): Promise<void> {
    if (this.dialog?.kind !== 'redeem') return Promise.resolve();
    const { card, tier } = this.dialog;
    this.dialog = null;
    this.selected = card.program_id;
    this.justFilled = null;
    return this.act(
      (memberId, program) => this.ipc.redeem(memberId, program, tier),
      (r) => this.say('success', { key: 'feedback-redeemed', args: { reward: rewardOf(r) } }),
    );
  }

  closeDialog(): void {
    this.dialog = null;
  }

  /** Ctrl+Z: what Undo would cancel (this cashier's recent action), in a dialog. */
  askUndo(): Promise<void> {
    return this.enqueue(async () => {
      this.dialog = { kind: 'undo', candidate: await this.ipc.lastUndoable() };
    });
  }

  undo(code: ReasonCode, note: string | null): Promise<void> {
    if (this.dialog?.kind !== 'undo') return Promise.resolve();
    const candidate = this.dialog.candidate;
    this.dialog = null;
    return this.enqueue(async () => {
      if (candidate.event.kind === 'coupon_redeem') {
        // A voucher taken by mistake: good again. The member on screen (if it was theirs) is
        // read again, so it shows under their cards once more.
        const back = await this.ipc.undoCouponUse(candidate.event.id, { code, note });
        this.notSaving = null;
        if (this.view?.member.id === candidate.event.member_id) {
          this.show(await this.ipc.memberView(candidate.event.member_id));
        } else if (!this.view) {
          this.coupon = back.coupon;
        }
        this.say('success', { key: 'feedback-undone', event: { event: candidate.event, program: null } });
        return;
      }
      const result = await this.ipc.undo(candidate.event.id, { code, note });
      this.notSaving = null;
      this.justFilled = null;
      this.show(await this.ipc.memberView(result.event.member_id));
      this.last = { result: { ...result, event: candidate.event }, undone: true };
      this.say('success', {
        key: 'feedback-undone',
        event: { event: candidate.event, program: candidate.program_name },
      });
    });
  }

  /** Reads the member on screen again (another window or process may have written), when
   *  nothing is in flight; keeps everything else as it is. */
  refresh(): Promise<void> {
    const view = this.view;
    if (!view || !this.idle) return Promise.resolve();
    return this.enqueue(async () => {
      if (this.view?.member.id !== view.member.id) return;
      const fresh = await this.ipc.memberView(view.member.id);
      if (this.view?.member.id !== fresh.member.id) return;
      if (JSON.stringify(fresh) === JSON.stringify(this.view)) return;
      // Only the member's data changes: what the cashier is typing, the results and the
      // message stay as they are.
      const keep = fresh.cards.some((c) => c.program_id === this.selected);
      this.view = fresh;
      if (!keep) this.selected = fresh.cards[0]?.program_id ?? null;
    });
  }

  /** A member opened from elsewhere (enrolment, another screen). */
  showMember(view: MemberView, stamped: ActionResult | null = null): void {
    this.clear();
    this.show(view);
    if (stamped) {
      this.last = { result: stamped, undone: false };
      this.punched(stamped);
    }
  }

  // ---- keys ----

  key(input: KeyInput): KeyOutcome {
    const { key } = input;
    this.touch();

    if (this.dialog?.kind === 'redeem') {
      if (key === 'Enter') {
        void this.confirmRedeem();
        return 'handled';
      }
      if (key === 'Escape') {
        this.closeDialog();
        return 'handled';
      }
      if (key.length === 1 && !input.ctrl && !input.alt) {
        // Someone is typing a name that starts with R: no redemption, the letters go to search.
        this.closeDialog();
        this.setQuery(this.query + 'r' + key);
        return 'search';
      }
      return 'handled';
    }
    if (this.dialog) return 'ignored'; // the undo dialog handles its own keys

    if (key === 'Escape') {
      this.clear();
      return 'handled';
    }
    if (input.ctrl && key.toLowerCase() === 'z' && !input.inField) {
      void this.askUndo();
      return 'handled';
    }
    if (input.ctrl || input.alt) return 'ignored';

    if (this.results.length > 0 && (key === 'ArrowDown' || key === 'ArrowUp') && (!input.inField || input.inSearch)) {
      const step = key === 'ArrowDown' ? 1 : -1;
      this.highlighted = Math.min(this.results.length - 1, Math.max(0, this.highlighted + step));
      return 'handled';
    }

    if (key === 'Enter') {
      if (input.inField && !input.inSearch) return 'ignored';
      if (this.query.trim()) {
        void this.submitQuery();
        return 'handled';
      }
      if (this.coupon && !this.view) {
        if (this.coupon.state === 'open') void this.useCoupon(this.coupon);
        return 'handled';
      }
      void this.punch();
      return 'handled';
    }
    if (input.inField || key.length !== 1) return 'ignored';

    // A printable key with no field focused: R asks to redeem when a reward is ready and
    // nothing is being typed; anything else is the start of a search.
    if (key.toLowerCase() === 'r' && this.query === '' && this.askRedeem()) return 'handled';
    this.setQuery(this.query + key);
    return 'search';
  }

  // ---- idle clearing ----

  /** Any key, scan or touch: the member stays on screen a while longer. */
  touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.view && this.idle) this.clear();
    }, TILL_TIMES.idleClearMs);
  }

  dispose(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.searchTimer);
  }
}
