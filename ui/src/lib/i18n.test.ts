import { describe, expect, it } from 'vitest';
import { FluentResource } from '@fluent/bundle';
import { LANGUAGES, SOURCES, format } from './i18n.svelte';

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
