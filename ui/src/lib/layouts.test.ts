import { describe, expect, it } from 'vitest';
import keyboardRs from '../../../crates/core/src/scan/keyboard_tables.rs?raw';
import { LANGUAGES, format, setLanguage, t } from './i18n.svelte';
import { layoutKey, layoutName } from './layouts';

/** The XKB names the core can send as a reading's source, read from the core itself. */
function coreLayouts(): string[] {
  const columns = /const COLUMNS: \[&str; \d+\] = \[([^\]]*)\]/.exec(keyboardRs);
  if (!columns) throw new Error('COLUMNS not found in scan/keyboard_tables.rs');
  return [...columns[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]);
}

describe('keyboard layouts', () => {
  it('finds the layouts in the core', () => {
    expect(coreLayouts()).toContain('ro(std)');
    expect(coreLayouts().length).toBeGreaterThan(5);
  });

  it.each(LANGUAGES)('%s names every layout the core knows', (language) => {
    for (const xkb of coreLayouts()) {
      const key = layoutKey(xkb);
      expect(format(language, key), `${language}: ${key}`).not.toBe(key);
    }
  });

  it('puts a name, not a code, in the scanner test sentence', () => {
    setLanguage('hu');
    const sentence = t('scanner-test-source-layout', { layout: layoutName('de') });
    expect(sentence).toContain('német kiosztású');
    expect(sentence).not.toMatch(/\bde\b/);
    setLanguage('en');
    expect(t('scanner-test-source-layout', { layout: layoutName('ro(std)') })).toBe(
      'as a US scanner on a Romanian (standard) keyboard',
    );
  });

  it('keeps the XKB name of a layout it cannot name', () => {
    setLanguage('en');
    expect(layoutName('dvorak')).toBe('dvorak');
  });
});
