// The till session's rules, against a fake core that keeps members and cards in memory and
// records every write. (The real core is driven by the end-to-end tests.)
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ActionResult } from './bindings/ActionResult';
import type { CardView } from './bindings/CardView';
import type { Complaint } from './bindings/Complaint';
import type { CouponUse } from './bindings/CouponUse';
import type { CouponView } from './bindings/CouponView';
import type { MemberView } from './bindings/MemberView';
import type { ScanOutcome } from './bindings/ScanOutcome';
import type { Scanned } from './bindings/Scanned';
import type { Punch } from './bindings/Punch';
import type { UndoCandidate } from './bindings/UndoCandidate';
import { CoreFailure } from './ipc';
import { TILL_TIMES, TillSession, affordable, type KeyInput, type TillIpc } from './till.svelte';

const NEEDED = 9;

function card(punchesTotal: number, redeemed: number): CardView {
  const earned = Math.floor(punchesTotal / NEEDED);
  return {
    program_id: 'coffee',
    program_name: 'Coffee card',
    kind: 'stamps',
    status: 'active',
    reward: 'Free coffee',
    punches: punchesTotal % NEEDED,
    punches_needed: NEEDED,
    rewards_available: earned - redeemed,
    rewards_earned: earned,
    tiers: [],
    rewards_lapsed: 0,
    next_lapse: null,
  };
}

class FakeCore implements TillIpc {
  members = new Map<string, { id: string; name: string; punches: number; redeemed: number }>();
  writes: string[] = [];
  /** The next call of this name fails with this error. */
  failNext = new Map<string, CoreFailure>();
  /** Coupons by token. */
  coupons = new Map<string, CouponView>();
  /** Complaints to ask about, by member id. */
  followUps = new Map<string, Complaint>();

  followUpDue(memberId: string): Promise<Complaint | null> {
    return Promise.resolve(this.followUps.get(memberId) ?? null);
  }

  /** Members on the panel not asked lately. */
  panel = new Set<string>();

  surveyDue(memberId: string): Promise<boolean> {
    return Promise.resolve(this.panel.has(memberId));
  }

  printSurveySlip(memberId: string | null): Promise<unknown> {
    if (memberId && !this.panel.delete(memberId)) {
      throw new CoreFailure({ code: 'not_on_panel', key: 'error-not-on-panel', args: {}, storage_failure: false });
    }
    this.writes.push(`slip ${memberId ?? 'anyone'}`);
    return Promise.resolve({});
  }

  askSurvey(memberId: string): Promise<unknown> {
    if (!this.panel.delete(memberId)) {
      throw new CoreFailure({ code: 'not_on_panel', key: 'error-not-on-panel', args: {}, storage_failure: false });
    }
    this.writes.push(`survey ${memberId}`);
    return Promise.resolve({});
  }

  answerFollowUp(id: string, answer: 'yes' | 'no'): Promise<Complaint> {
    const [memberId, complaint] = [...this.followUps.entries()].find(([, c]) => c.id === id) ?? [];
    if (!memberId || !complaint) {
      throw new CoreFailure({ code: 'follow_up_answered', key: 'error-follow-up-answered', args: {}, storage_failure: false });
    }
    this.followUps.delete(memberId);
    this.writes.push(`answer ${answer}`);
    return Promise.resolve({ ...complaint, follow_up: answer });
  }

  addCoupon(token: string, text: string, memberId: string | null = null) {
    this.coupons.set(token, {
      id: `coupon-${token}`,
      kind: 'free_item',
      value: 1,
      text,
      member_id: memberId,
      member_name: null,
      expires_on: null,
      only_at: null,
      shop_name: 'Café Lumière',
      issued_at: '2026-11-24T10:00:00Z',
      token,
      currency: 'EUR',
      state: 'open',
      refusal: null,
    });
  }

  add(code: string, name: string, punches = 0, redeemed = 0) {
    this.members.set(code, { id: `id-${code}`, name, punches, redeemed });
  }

  private byId(id: string) {
    const found = [...this.members.entries()].find(([, m]) => m.id === id);
    if (!found) throw new CoreFailure({ code: 'member_not_found', key: 'error-member-not-found', args: {}, storage_failure: false });
    return found;
  }

  private maybeFail(name: string) {
    const failure = this.failNext.get(name);
    if (failure) {
      this.failNext.delete(name);
      throw failure;
    }
  }

  view(id: string): MemberView {
    const [code, m] = this.byId(id);
    return {
      member: { id: m.id, code, name: m.name, email: null, phone: null, language: 'en', created_at: '2026-03-01T10:00:00Z' },
      cards: [card(m.punches, m.redeemed)],
      new_here: false,
      coupons: [...this.coupons.values()].filter((c) => c.member_id === m.id && c.state === 'open'),
    };
  }

  private result(id: string, kind: 'punch' | 'redeem', earnedBefore: number): ActionResult {
    const v = this.view(id);
    return {
      event: {
        id: `event-${this.writes.length}`,
        device_id: 'd',
        seq: this.writes.length,
        shop_id: 's',
        staff_id: 'ana',
        at: '2026-11-23T10:42:00Z',
        kind,
        member_id: id,
        program_id: 'coffee',
        amount: 1,
        voids: null,
        reason_code: null,
        reason: null,
        other_member: null,
        card_code: null,
        coupon_id: null,
      },
      card: v.cards[0],
      rewards_earned_now: v.cards[0].rewards_earned - earnedBefore,
    };
  }

  scan(input: string): Promise<Scanned> {
    this.maybeFail('scan');
    const outcomes: Record<string, ScanOutcome> = {
      UNKNOWN: { outcome: 'unknown_code', code: 'UNKNOWN' },
      TYPO: { outcome: 'mistyped_code' },
      FORGED: { outcome: 'forged_card' },
      REPLACED: { outcome: 'card_revoked', revoked_at: '2026-05-03T09:00:00Z', replaced: true },
      REVOKED: { outcome: 'card_revoked', revoked_at: '2026-05-03T09:00:00Z', replaced: false },
      KEY: { outcome: 'unknown_card_key' },
      TRUNCATED: { outcome: 'truncated_card' },
    };
    const coupon = this.coupons.get(input);
    if (coupon) return Promise.resolve({ outcome: { outcome: 'coupon', ...coupon }, refusal: null });
    const m = this.members.get(input);
    if (m) {
      const v = this.view(m.id);
      return Promise.resolve({ outcome: { outcome: 'member', ...v }, refusal: null });
    }
    // The core names the refusal (ScanOutcome::refusal); the fake gives its key, enough here.
    const outcome = outcomes[input] ?? { outcome: 'not_a_code' };
    const code = outcome.outcome === 'card_revoked' ? (outcome.replaced ? 'card_replaced' : 'card_revoked') : outcome.outcome;
    const args: Record<string, string> = outcome.outcome === 'card_revoked' ? { date: '2026-05-03' } : {};
    const refusal = { code, key: `error-${code.replaceAll('_', '-')}`, args, storage_failure: false };
    return Promise.resolve({ outcome, refusal });
  }

  memberView(id: string): Promise<MemberView> {
    return Promise.resolve(this.view(id));
  }

  findMembers(query: string): Promise<MemberView[]> {
    this.maybeFail('findMembers');
    const q = query.toLowerCase();
    return Promise.resolve(
      [...this.members.values()].filter((m) => m.name.toLowerCase().includes(q)).map((m) => this.view(m.id)),
    );
  }

  punch(id: string, request: Punch): Promise<ActionResult> {
    this.maybeFail('punch');
    const [, m] = this.byId(id);
    const before = Math.floor(m.punches / NEEDED);
    m.punches += 1;
    this.writes.push(`punch ${m.name}${request.override_reason ? ` (${request.override_reason})` : ''}`);
    return Promise.resolve(this.result(id, 'punch', before));
  }

  redeem(id: string): Promise<ActionResult> {
    this.maybeFail('redeem');
    const [, m] = this.byId(id);
    m.redeemed += 1;
    this.writes.push(`redeem ${m.name}`);
    return Promise.resolve(this.result(id, 'redeem', Math.floor(m.punches / NEEDED)));
  }

  redeemCoupon(token: string): Promise<CouponUse> {
    this.maybeFail('redeemCoupon');
    const coupon = this.coupons.get(token);
    if (!coupon || coupon.state !== 'open') {
      throw new CoreFailure({ code: 'coupon_used', key: 'error-coupon-used', args: { date: '2026-11-24' }, storage_failure: false });
    }
    const used: CouponView = {
      ...coupon,
      state: 'used',
      used_at: '2026-11-24T10:42:00Z',
      use_event: `event-${this.writes.length}`,
      used_in: 'Café Lumière',
      refusal: { code: 'coupon_used', key: 'error-coupon-used', args: { date: '2026-11-24' }, storage_failure: false },
    };
    this.coupons.set(token, used);
    this.lastCouponUse = { token, open: coupon };
    this.writes.push(`coupon ${coupon.text ?? ''}`);
    const event = { ...this.result([...this.members.values()][0].id, 'redeem', 0).event, kind: 'coupon_redeem' as const };
    return Promise.resolve({ event, coupon: used });
  }

  /** The last coupon use, while it is the last write: what Undo would give back. */
  lastCouponUse: { token: string; open: CouponView } | null = null;

  lastUndoable(): Promise<UndoCandidate> {
    const [, m] = [...this.members.entries()][0];
    const coupon = this.writes.at(-1)?.startsWith('coupon ') ? this.lastCouponUse : null;
    if (coupon) {
      const event = { ...this.result(m.id, 'redeem', 0).event, kind: 'coupon_redeem' as const, member_id: '00000000-0000-0000-0000-000000000000' };
      return Promise.resolve({ event, member_name: '', program_name: null, coupon_text: coupon.open.text ?? '' });
    }
    return Promise.resolve({ event: this.result(m.id, 'punch', 0).event, member_name: m.name, program_name: 'Coffee card' });
  }

  undoCouponUse(): Promise<CouponUse> {
    const coupon = this.lastCouponUse;
    if (!coupon) throw new CoreFailure({ code: 'nothing_to_undo', key: 'error-nothing-to-undo', args: {}, storage_failure: false });
    this.coupons.set(coupon.token, coupon.open);
    this.lastCouponUse = null;
    this.writes.push(`undo coupon ${coupon.open.text ?? ''}`);
    const [, m] = [...this.members.entries()][0];
    return Promise.resolve({ event: { ...this.result(m.id, 'redeem', 0).event, kind: 'void' as const }, coupon: coupon.open });
  }

  undo(): Promise<ActionResult> {
    const [, m] = [...this.members.entries()][0];
    m.punches -= 1;
    this.writes.push(`undo ${m.name}`);
    return Promise.resolve(this.result(m.id, 'punch', 0));
  }
}

const key = (k: string, extra: Partial<KeyInput> = {}): KeyInput => ({
  key: k,
  ctrl: false,
  alt: false,
  inField: false,
  inSearch: false,
  ...extra,
});

let core: FakeCore;
let till: TillSession;
let clock: number;

beforeEach(() => {
  vi.useFakeTimers();
  clock = 0;
  core = new FakeCore();
  core.add('CLAIRE', 'Claire Dubois');
  core.add('ROSSI', 'Mario Rossi');
  till = new TillSession(core, () => {}, () => clock);
});

afterEach(() => {
  till.dispose();
  vi.useRealTimers();
});

async function scan(code: string) {
  await till.scanned(code, []);
}

async function press(k: string, extra: Partial<KeyInput> = {}) {
  const outcome = till.key(key(k, extra));
  await till.settled();
  return outcome;
}

describe('a new scan', () => {
  it.each(['UNKNOWN', 'TYPO', 'FORGED', 'REPLACED', 'REVOKED', 'KEY', 'TRUNCATED', 'garbage'])(
    'refused (%s) clears the member on screen, and Enter then stamps nobody',
    async (refused) => {
      await scan('CLAIRE');
      expect(till.view?.member.name).toBe('Claire Dubois');
      await scan(refused);
      expect(till.view).toBeNull();
      expect(till.feedback?.kind).toBe('refusal');
      await press('Enter');
      expect(core.writes).toEqual([]);
    },
  );

  it('clears the member at once, before the lookup answers', async () => {
    await scan('CLAIRE');
    const pending = till.scanned('ROSSI', []);
    expect(till.view).toBeNull();
    await pending;
    expect(till.view?.member.name).toBe('Mario Rossi');
  });

  it('of a replaced card says what the core said, with the day', async () => {
    await scan('REPLACED');
    const message = till.feedback?.message;
    const error = message && 'error' in message ? message.error : null;
    expect(error?.key).toBe('error-card-replaced');
    expect(error?.args.date).toBe('2026-05-03');
  });

  it('typed text that is not a code searches instead of refusing', async () => {
    till.setQuery('claire');
    await press('Enter', { inField: true, inSearch: true });
    expect(till.feedback?.kind).not.toBe('refusal');
    expect(till.view?.member.name).toBe('Claire Dubois');
  });

  it('an Enter pressed while a scan is looked up punches the scanned member', async () => {
    const scanning = till.scanned('CLAIRE', []);
    till.key(key('Enter'));
    await scanning;
    await till.settled();
    expect(core.writes).toEqual(['punch Claire Dubois']);
  });
});

describe('redeeming', () => {
  beforeEach(() => core.add('FULL', 'Rita Rossi', NEEDED));

  it('typing a name that starts with R with a member loaded writes nothing and searches', async () => {
    await scan('FULL');
    for (const letter of 'rossi') await press(letter);
    expect(core.writes).toEqual([]);
    expect(till.dialog).toBeNull();
    expect(till.query).toBe('rossi');
  });

  it('R asks, naming the reward and the member; Enter confirms once', async () => {
    await scan('FULL');
    expect(await press('r')).toBe('handled');
    expect(till.dialog).toMatchObject({ kind: 'redeem', memberName: 'Rita Rossi', card: { reward: 'Free coffee' } });
    expect(core.writes).toEqual([]);
    await press('Enter');
    expect(core.writes).toEqual(['redeem Rita Rossi']);
    expect(till.dialog).toBeNull();
  });

  it('R then Esc redeems nothing', async () => {
    await scan('FULL');
    await press('r');
    await press('Escape');
    expect(till.dialog).toBeNull();
    expect(core.writes).toEqual([]);
  });

  it('R with no reward ready is the start of a search', async () => {
    await scan('CLAIRE');
    expect(await press('r')).toBe('search');
    expect(till.dialog).toBeNull();
    expect(till.query).toBe('r');
  });

  it('Redeem is the highlighted action only when a reward is ready', async () => {
    await scan('CLAIRE');
    expect(till.rewardReady).toBe(false);
    await scan('FULL');
    expect(till.rewardReady).toBe(true);
  });
});

describe('punching', () => {
  it('the punch that fills the card shows it full and celebrates', async () => {
    core.add('EIGHT', 'Ödön Tóth', NEEDED - 1);
    await scan('EIGHT');
    await press('Enter');
    expect(till.justFilled).toBe('coffee');
    expect(till.feedback?.kind).toBe('reward');
    await scan('CLAIRE');
    expect(till.justFilled).toBeNull();
  });

  it('the same card scanned again soon after a punch asks before punching again', async () => {
    await scan('CLAIRE');
    await press('Enter');
    clock += 3_000;
    await scan('CLAIRE');
    await press('Enter');
    expect(core.writes).toEqual(['punch Claire Dubois']);
    expect(till.feedback?.kind).toBe('question');
    await press('Enter');
    expect(core.writes).toEqual(['punch Claire Dubois', 'punch Claire Dubois']);
  });

  it('inside the program\'s minimum time, a punch asks for a reason and is kept with it', async () => {
    await scan('CLAIRE');
    core.failNext.set(
      'punch',
      new CoreFailure({ code: 'punch_too_soon', key: 'error-punch-too-soon', args: { minutes: '10' }, storage_failure: false }),
    );
    await press('Enter');
    expect(core.writes).toEqual([]);
    expect(till.dialog).toEqual({ kind: 'override', minutes: 10, spent: null });
    expect(till.feedback?.kind).toBe('question');
    await till.confirmOverride('two coffees, two guests');
    expect(till.dialog).toBeNull();
    expect(core.writes).toEqual(['punch Claire Dubois (two coffees, two guests)']);
    expect(till.feedback?.kind).toBe('success');
  });

  it('the same card scanned again later is punched at once', async () => {
    await scan('CLAIRE');
    await press('Enter');
    clock += TILL_TIMES.repeatGuardMs + 1;
    await scan('CLAIRE');
    await press('Enter');
    expect(core.writes).toHaveLength(2);
  });
});

describe('a points card', () => {
  it('offers the rewards its balance pays for, cheapest first', () => {
    const points: CardView = {
      ...card(0, 0),
      kind: 'points',
      punches_needed: 1,
      rewards_available: 60,
      tiers: [
        { points: 20, reward: 'A coffee' },
        { points: 50, reward: 'A cake' },
        { points: 100, reward: 'A brunch' },
      ],
    };
    expect(affordable(points).map((t) => t.reward)).toEqual(['A coffee', 'A cake']);
    expect(affordable({ ...points, rewards_available: 19 })).toEqual([]);
  });
});

describe('the queue', () => {
  it('a failed search neither stops later scans nor stays silent', async () => {
    core.failNext.set('findMembers', new CoreFailure({ code: 'unexpected', key: 'error-unexpected', args: {}, storage_failure: false }));
    till.setQuery('claire');
    await press('Enter', { inField: true, inSearch: true });
    expect(till.feedback?.kind).toBe('refusal');
    await scan('CLAIRE');
    await press('Enter');
    expect(core.writes).toEqual(['punch Claire Dubois']);
  });
});

describe('a database that stops saving', () => {
  const locked = new CoreFailure({ code: 'database_locked', key: 'error-database-locked', args: {}, storage_failure: true });

  it('says so until a write succeeds again, and never says stamped', async () => {
    await scan('CLAIRE');
    core.failNext.set('punch', locked);
    await press('Enter');
    expect(till.notSaving?.code).toBe('database_locked');
    expect(till.feedback?.kind).toBe('refusal');
    expect(till.last).toBeNull();
    await scan('ROSSI');
    expect(till.notSaving?.code).toBe('database_locked');
    await press('Enter');
    expect(till.notSaving).toBeNull();
    expect(till.feedback?.kind).toBe('success');
  });

  it('a refusal of the action itself is not a storage failure', async () => {
    await scan('CLAIRE');
    core.failNext.set('punch', new CoreFailure({ code: 'invalid_count', key: 'error-invalid-count', args: {}, storage_failure: false }));
    await press('Enter');
    expect(till.notSaving).toBeNull();
  });

  it('shows "saving" while an action waits for the database', async () => {
    await scan('CLAIRE');
    let release: () => void = () => {};
    const punch = core.punch.bind(core);
    core.punch = (id, request) => new Promise((resolve) => (release = () => resolve(punch(id, request))));
    till.key(key('Enter'));
    await vi.advanceTimersByTimeAsync(TILL_TIMES.slowActionMs + 10);
    expect(till.saving).toBe(true);
    release();
    await till.settled();
    expect(till.saving).toBe(false);
  });
});

describe('searching', () => {
  it('arrow keys pick a result and Enter opens it', async () => {
    core.add('CLAUDE', 'Claude Dupont');
    till.setQuery('cla');
    await vi.advanceTimersByTimeAsync(TILL_TIMES.searchDebounceMs + 1);
    await till.settled();
    expect(till.results.map((r) => r.member.name)).toEqual(['Claire Dubois', 'Claude Dupont']);
    expect(till.highlighted).toBe(0);
    await press('ArrowDown', { inField: true, inSearch: true });
    expect(till.highlighted).toBe(1);
    await press('Enter', { inField: true, inSearch: true });
    expect(till.view?.member.name).toBe('Claude Dupont');
    expect(core.writes).toEqual([]);
  });

  it('"No member found" does not stay above a member opened next', async () => {
    till.setQuery('nobody');
    await press('Enter', { inField: true, inSearch: true });
    expect(till.feedback?.kind).toBe('refusal');
    await scan('CLAIRE');
    expect(till.feedback).toBeNull();
  });

  it('"Several members match" goes once one is picked', async () => {
    core.add('CLAUDE', 'Claude Dupont');
    till.setQuery('cla');
    await press('Enter', { inField: true, inSearch: true });
    expect(till.feedback?.kind).toBe('info');
    await till.open(till.results[1]);
    expect(till.feedback).toBeNull();
  });
});

describe('keeping the screen true', () => {
  it('the member is read again when another process wrote', async () => {
    await scan('CLAIRE');
    core.members.get('CLAIRE')!.punches = 4; // the CLI, a second window, a sync...
    await till.refresh();
    expect(till.view?.cards[0].punches).toBe(4);
  });

  it('re-reading the member does not wipe what the cashier is typing', async () => {
    await scan('CLAIRE');
    till.setQuery('ros');
    core.members.get('CLAIRE')!.punches = 2;
    await till.refresh();
    expect(till.view?.cards[0].punches).toBe(2);
    expect(till.query).toBe('ros');
  });

  it('the member is cleared after a while idle', async () => {
    await scan('CLAIRE');
    await vi.advanceTimersByTimeAsync(TILL_TIMES.idleClearMs + 1);
    expect(till.view).toBeNull();
  });

  it('Esc clears the member and every message', async () => {
    await scan('UNKNOWN');
    await scan('CLAIRE');
    await press('Escape');
    expect(till.view).toBeNull();
    expect(till.feedback).toBeNull();
  });
});

describe('undo', () => {
  it('Ctrl+Z opens the dialog and nothing is undone until a reason is picked', async () => {
    await scan('CLAIRE');
    await press('Enter');
    await press('z', { ctrl: true });
    expect(till.dialog?.kind).toBe('undo');
    expect(await press('Enter')).toBe('ignored');
    expect(core.writes).toEqual(['punch Claire Dubois']);
    await till.undo('scanned_twice', null);
    expect(core.writes).toEqual(['punch Claire Dubois', 'undo Claire Dubois']);
    expect(till.last?.undone).toBe(true);
  });

  it('gives back a voucher taken by mistake: the coupon shows again, good to use', async () => {
    core.addCoupon('TC1CROISSANT', 'A croissant');
    await scan('TC1CROISSANT');
    await press('Enter');
    expect(core.writes).toEqual(['coupon A croissant']);
    await press('z', { ctrl: true });
    expect(till.dialog?.kind === 'undo' && till.dialog.candidate.coupon_text).toBe('A croissant');
    await till.undo('wrong_member', null);
    expect(core.writes).toEqual(['coupon A croissant', 'undo coupon A croissant']);
    expect(till.coupon?.state).toBe('open');
    expect(till.feedback?.kind).toBe('success');
    // Enter takes it again, once.
    await press('Enter');
    expect(core.writes.at(-1)).toBe('coupon A croissant');
  });
});

describe('a coupon', () => {
  it('scanned shows the coupon instead of the member, and Enter takes it once', async () => {
    core.addCoupon('TC1CROISSANT', 'A croissant');
    await scan('CLAIRE');
    await scan('TC1CROISSANT');
    expect(till.view).toBeNull();
    expect(till.coupon?.text).toBe('A croissant');
    expect(till.feedback?.kind).toBe('question');
    await press('Enter');
    expect(core.writes).toEqual(['coupon A croissant']);
    expect(till.coupon?.state).toBe('used');
    expect(till.feedback?.kind).toBe('success');
    expect(till.feedback?.message).toMatchObject({ key: 'feedback-coupon-used' });
    // Enter again takes nothing: the coupon on screen is used.
    await press('Enter');
    expect(core.writes).toEqual(['coupon A croissant']);
  });

  it('already used, scanned again, is refused in red and Enter stamps nobody', async () => {
    core.addCoupon('TC1CROISSANT', 'A croissant');
    await scan('TC1CROISSANT');
    await press('Enter');
    await scan('TC1CROISSANT');
    expect(till.feedback?.kind).toBe('refusal');
    expect(till.feedback?.message).toMatchObject({ error: { code: 'coupon_used' } });
    await press('Enter');
    expect(core.writes).toEqual(['coupon A croissant']);
  });

  it("of the member on screen is used from its button, and the member's list drops it", async () => {
    core.addCoupon('TC1CAKE', 'A cake', 'id-CLAIRE');
    await scan('CLAIRE');
    const coupons = till.view?.coupons ?? [];
    expect(coupons.map((c) => c.text)).toEqual(['A cake']);
    await till.useCoupon(coupons[0]);
    expect(core.writes).toEqual(['coupon A cake']);
    expect(till.view?.member.name).toBe('Claire Dubois');
    expect(till.view?.coupons).toEqual([]);
    // Enter still punches the member: the coupon was not the common path.
    await press('Enter');
    expect(core.writes).toEqual(['coupon A cake', 'punch Claire Dubois']);
  });

  it('refused at the core (used at another till meanwhile) says why', async () => {
    core.addCoupon('TC1CROISSANT', 'A croissant');
    await scan('TC1CROISSANT');
    core.failNext.set(
      'redeemCoupon',
      new CoreFailure({ code: 'coupon_used', key: 'error-coupon-used', args: { date: '2026-11-24' }, storage_failure: false }),
    );
    await press('Enter');
    expect(core.writes).toEqual([]);
    expect(till.feedback?.message).toMatchObject({ error: { code: 'coupon_used' } });
  });

  it('is cleared with the member by Escape and by a new scan', async () => {
    core.addCoupon('TC1CROISSANT', 'A croissant');
    await scan('TC1CROISSANT');
    await press('Escape');
    expect(till.coupon).toBeNull();
    await scan('TC1CROISSANT');
    await scan('CLAIRE');
    expect(till.coupon).toBeNull();
    expect(till.view?.member.name).toBe('Claire Dubois');
  });
});

describe('a complaint of the member on screen', () => {
  function complaint(memberId: string): Complaint {
    return {
      id: 'complaint-1',
      member_id: memberId,
      member_name: 'Claire Dubois',
      category: 'quality',
      severity: 'medium',
      note: 'Stale croissant',
      logged_by: 'ana',
      logged_by_name: 'Ana',
      logged_at: '2026-11-23T10:00:00Z',
      owner_id: 'ana',
      owner_name: 'Ana',
      due_at: '2026-11-26T10:00:00Z',
      coupon_id: null,
      resolved_at: null,
      resolution: null,
      follow_up: null,
      followed_up_at: null,
    };
  }

  it('is asked about when the member is scanned, and the answer is kept once', async () => {
    core.followUps.set('id-CLAIRE', complaint('id-CLAIRE'));
    await scan('ROSSI');
    expect(till.followUp).toBeNull();
    await scan('CLAIRE');
    expect(till.followUp?.note).toBe('Stale croissant');
    await till.answerFollowUp('yes');
    expect(core.writes).toEqual(['answer yes']);
    expect(till.followUp).toBeNull();
    expect(till.feedback?.kind).toBe('success');
    // Enter still punches: the question never takes the common path.
    await press('Enter');
    expect(core.writes).toEqual(['answer yes', 'punch Claire Dubois']);
  });

  it('leaves with the member: the next customer is not asked about it', async () => {
    core.followUps.set('id-CLAIRE', complaint('id-CLAIRE'));
    await scan('CLAIRE');
    expect(till.followUp).not.toBeNull();
    await scan('ROSSI');
    expect(till.followUp).toBeNull();
    await scan('CLAIRE');
    await press('Escape');
    expect(till.followUp).toBeNull();
  });
});

describe('a survey for the member on screen', () => {
  it('is offered only to a member on the panel, asked once, and Enter still punches', async () => {
    core.panel.add('id-CLAIRE');
    await scan('ROSSI');
    expect(till.surveyDue).toBe(false);
    await till.askSurvey();
    expect(core.writes).toEqual([]);
    await scan('CLAIRE');
    expect(till.surveyDue).toBe(true);
    await till.askSurvey();
    expect(core.writes).toEqual(['survey id-CLAIRE']);
    expect(till.surveyDue).toBe(false);
    expect(till.feedback?.message).toEqual({ key: 'feedback-survey-on-screen' });
    await press('Enter');
    expect(core.writes).toEqual(['survey id-CLAIRE', 'punch Claire Dubois']);
    // Scanned again, she is not offered it twice.
    await scan('CLAIRE');
    expect(till.surveyDue).toBe(false);
  });

  it('leaves with the member', async () => {
    core.panel.add('id-CLAIRE');
    await scan('CLAIRE');
    expect(till.surveyDue).toBe(true);
    await press('Escape');
    expect(till.surveyDue).toBe(false);
    await till.askSurvey();
    expect(core.writes).toEqual([]);
  });

  it('prints a slip for the member on the panel, or for anyone otherwise', async () => {
    core.panel.add('id-CLAIRE');
    await scan('ROSSI');
    await till.printSurveySlip();
    await scan('CLAIRE');
    await till.printSurveySlip();
    expect(core.writes).toEqual(['slip anyone', 'slip id-CLAIRE']);
    expect(till.surveyDue).toBe(false);
    expect(till.feedback?.message).toEqual({ key: 'feedback-slip-printed' });
  });
});
