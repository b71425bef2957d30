import { describe, expect, it } from 'vitest';
import { explain } from './failure';
import { CoreFailure } from './ipc';
import { format, setLanguage } from './i18n.svelte';

describe('explain', () => {
  it('says a refusal in the language current when it is shown, not when it happened', () => {
    setLanguage('en');
    const said = explain(new CoreFailure({ code: 'wrong_pin', key: 'error-wrong-pin', args: {}, storage_failure: false }));
    expect(said()).toBe(format('en', 'error-wrong-pin'));
    setLanguage('hu');
    expect(said()).toBe(format('hu', 'error-wrong-pin'));
    expect(said()).not.toBe(format('en', 'error-wrong-pin'));
  });

  it('passes numbers as numbers, so plural rules apply', () => {
    setLanguage('en');
    const said = explain(new CoreFailure({ code: 'too_long', key: 'error-too-long', args: { max: '100' }, storage_failure: false }));
    expect(said()).toContain('100');
  });

  it('falls back to a generic message for anything that is not a refusal from the core', () => {
    setLanguage('en');
    expect(explain(new Error('boom'))()).toBe(format('en', 'error-unexpected'));
  });
});
