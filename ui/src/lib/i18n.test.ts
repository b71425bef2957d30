import { describe, expect, it } from 'vitest';
import { FluentResource } from '@fluent/bundle';
import { LANGUAGES, SOURCES, errorText, format, formatDay, formatDayInText, setLanguage } from './i18n.svelte';

function ids(source: string): string[] {
  return new FluentResource(source).body.map((entry) => entry.id);
}

describe('messages', () => {
  it.each(LANGUAGES)('%s has every English message and no other', (language) => {
    expect(ids(SOURCES[language]).sort()).toEqual(ids(SOURCES.en).sort());
  });

  it('uses Romanian plural categories (one / few / other)', () => {
    const one = format('ro', 'rewards-ready', { count: 1 });
    const few = format('ro', 'rewards-ready', { count: 3 });
    const other = format('ro', 'rewards-ready', { count: 20 });
    expect(new Set([one, few, other]).size).toBe(3);
  });

  it('falls back to English, then to the key, never to a blank', () => {
    expect(format('hu', 'no-such-message')).toBe('no-such-message');
  });
});

describe('formatDayInText', () => {
  // Each day's suffix for "on", as the ordinal is spoken: elsején, másodikán, harmadikán…
  const HUNGARIAN_SUFFIXES: [number, string][] = [
    [1, 'jén'], [2, 'án'], [3, 'án'], [4, 'én'], [5, 'én'], [6, 'án'], [7, 'én'], [8, 'án'],
    [9, 'én'], [10, 'én'], [11, 'én'], [12, 'én'], [13, 'án'], [14, 'én'], [15, 'én'],
    [16, 'án'], [17, 'én'], [18, 'án'], [19, 'én'], [20, 'án'], [21, 'én'], [22, 'én'],
    [23, 'án'], [24, 'én'], [25, 'én'], [26, 'án'], [27, 'én'], [28, 'án'], [29, 'én'],
    [30, 'án'], [31, 'én'],
  ];

  it.each(HUNGARIAN_SUFFIXES)('gives the Hungarian day %i its suffix -%s and drops its full stop', (day, suffix) => {
    setLanguage('hu');
    const iso = `2026-05-${String(day).padStart(2, '0')}`;
    expect(formatDayInText(iso)).toBe(`2026. május ${day}-${suffix}`);
  });

  it('reads a timestamp as its day', () => {
    setLanguage('hu');
    expect(formatDayInText('2026-11-23T10:00:00Z')).toBe('2026. november 23-án');
  });

  it.each(['en', 'fr', 'it', 'ro'])('is formatDay in %s, where a day needs no suffix', (language) => {
    setLanguage(language);
    expect(formatDayInText('2026-05-03')).toBe(formatDay('2026-05-03'));
    expect(formatDayInText('2026-05-03')).toContain('3');
  });

  it('makes the Hungarian refusals read as sentences', () => {
    setLanguage('hu');
    const date = formatDayInText('2026-05-03');
    expect(format('hu', 'error-card-replaced', { date })).toBe(
      'Ezt a kártyát 2026. május 3-án lecserélték: kérd el az új kártyát.',
    );
    expect(format('hu', 'error-card-revoked', { date })).toMatch(/^Ezt a kártyát 2026\. május 3-án letiltották\./);
  });

  it('writes out the day a core error carries', () => {
    setLanguage('hu');
    const body = { key: 'error-card-replaced', args: { date: '2026-05-01' } };
    expect(errorText(body)).toContain('2026. május 1-jén lecserélték');
    setLanguage('en');
    expect(errorText(body)).toBe('This card was replaced on 1 May 2026: ask for the new card.');
  });
});

describe('keys', () => {
  it.each(LANGUAGES)('%s names Enter the same way in the hint and in the sentence', (language) => {
    expect(format(language, 'confirm-repeat-punch')).toContain(format(language, 'key-enter'));
  });

  it('names the keys as printed on French and Italian keyboards', () => {
    expect([format('fr', 'key-enter'), format('fr', 'key-esc')]).toEqual(['Entrée', 'Échap']);
    expect(format('it', 'key-enter')).toBe('Invio');
  });
});
