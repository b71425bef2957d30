import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleSignOut } from './idle';

describe('idle sign-out', () => {
  let signedOut: number;
  let idle: IdleSignOut;

  beforeEach(() => {
    vi.useFakeTimers();
    signedOut = 0;
    idle = new IdleSignOut(() => (signedOut += 1));
  });
  afterEach(() => {
    idle.stop();
    vi.useRealTimers();
  });

  it('signs out once the set minutes pass with nobody there', () => {
    idle.stillHere(15);
    vi.advanceTimersByTime(15 * 60_000 - 1);
    expect(signedOut).toBe(0);
    vi.advanceTimersByTime(1);
    expect(signedOut).toBe(1);
  });

  it('starts the full time again on every key, touch or scan', () => {
    idle.stillHere(15);
    vi.advanceTimersByTime(14 * 60_000);
    idle.stillHere(15);
    vi.advanceTimersByTime(14 * 60_000);
    expect(signedOut).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(signedOut).toBe(1);
  });

  it('never signs out when set to 0', () => {
    idle.stillHere(0);
    vi.advanceTimersByTime(24 * 60 * 60_000);
    expect(signedOut).toBe(0);
  });
});
