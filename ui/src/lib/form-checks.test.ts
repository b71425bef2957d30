import { describe, expect, it } from 'vitest';
import { checkManager, checkPin, checkProgram, checkShop } from './form-checks';
import { LANGUAGES, format } from './i18n.svelte';

describe('form checks', () => {
  it.each([
    ['empty', ''],
    ['three digits', '123'],
    ['nine digits', '123456789'],
    ['letters', '12ab'],
  ])('refuses a PIN that is %s', (_, pin) => {
    expect(checkPin(pin)).toEqual({ key: 'error-invalid-pin' });
  });

  it.each(['1234', '12345678'])('accepts the PIN %s', (pin) => {
    expect(checkPin(pin)).toBeNull();
  });

  it('asks for the shop name before the currency, in the words of the core', () => {
    expect(checkShop('  ', 'EUR')).toEqual({ key: 'error-empty-field', args: { field: 'shop_name' } });
    expect(checkShop('Café Lumière', 'EURO')).toEqual({ key: 'error-invalid-currency' });
    expect(checkShop('Café Lumière', 'huf')).toBeNull();
  });

  it('checks the manager: a name, a PIN, the same PIN twice', () => {
    expect(checkManager('', '2468', '2468')?.key).toBe('error-empty-field');
    expect(checkManager('Ana', '24', '24')?.key).toBe('error-invalid-pin');
    expect(checkManager('Ana', '2468', '2469')?.key).toBe('setup-pin-mismatch');
    expect(checkManager('Ana', '2468', '2468')).toBeNull();
  });

  it.each([
    ['an empty number field', null],
    ['zero', 0],
    ['too many', 101],
    ['a fraction', 2.5],
  ])('refuses %s as the stamps for a reward', (_, punches) => {
    expect(checkProgram('Coffee card', punches, 'Free coffee')?.key).toBe('error-invalid-punches-needed');
  });

  it('refuses a name longer than the core accepts', () => {
    expect(checkProgram('x'.repeat(101), 9, 'Free coffee')).toEqual({
      key: 'error-too-long',
      args: { field: 'name', max: 100 },
    });
    expect(checkProgram('Coffee card', 9, ' ')?.args).toEqual({ field: 'reward' });
  });

  it.each(LANGUAGES)('every problem reads as a whole sentence in %s', (language) => {
    const problems = [
      checkPin(''),
      checkShop('', 'EUR'),
      checkShop('Shop', 'E'),
      checkManager('Ana', '2468', '1357'),
      checkProgram('', 9, 'Free coffee'),
      checkProgram('Card', 0, 'Free coffee'),
      checkProgram('Card', 9, ''),
      checkProgram('x'.repeat(101), 9, 'Free coffee'),
    ];
    for (const problem of problems) {
      expect(problem).not.toBeNull();
      const text = format(language, problem!.key, problem!.args);
      expect(text, problem!.key).not.toBe(problem!.key);
      expect(text, problem!.key).not.toMatch(/[{}]/);
    }
  });
});
