// Every text a person sees comes from the Fluent files in /locales, shared with the Rust side.
// `t` reads the current language from reactive state, so a language switch re-renders the screen.

import { FluentBundle, FluentResource, type FluentVariable } from '@fluent/bundle';
import en from '../../../locales/en/tessera.ftl?raw';
import fr from '../../../locales/fr/tessera.ftl?raw';
import it from '../../../locales/it/tessera.ftl?raw';
import ro from '../../../locales/ro/tessera.ftl?raw';
import hu from '../../../locales/hu/tessera.ftl?raw';

export const LANGUAGES = ['en', 'fr', 'it', 'ro', 'hu'] as const;
export type Language = (typeof LANGUAGES)[number];

export const SOURCES: Record<Language, string> = { en, fr, it, ro, hu };

function makeBundle(language: Language): FluentBundle {
  const bundle = new FluentBundle(language, { useIsolating: false });
  const errors = bundle.addResource(new FluentResource(SOURCES[language]));
  if (errors.length > 0) console.error(`Fluent errors in ${language}`, errors);
  return bundle;
}

// A plain Map on purpose: a memo of parsed bundles, not UI state. Nothing re-renders when a
// bundle is cached, and a SvelteMap would be written from inside t() while a template renders.
// eslint-disable-next-line svelte/prefer-svelte-reactivity -- cache, not state (see above)
const bundles = new Map<Language, FluentBundle>();
function bundle(language: Language): FluentBundle {
  let b = bundles.get(language);
  if (!b) {
    b = makeBundle(language);
    bundles.set(language, b);
  }
  return b;
}

export const locale = $state({ language: 'en' as Language });

export function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}

export function setLanguage(language: string): void {
  if (isLanguage(language)) {
    locale.language = language;
    document.documentElement.lang = language;
  }
}

export type Args = Record<string, FluentVariable>;

/** The message `key` in the current language; falls back to English, then to the key. */
export function t(key: string, args?: Args): string {
  return format(locale.language, key, args);
}

export function format(language: Language, key: string, args?: Args): string {
  for (const lang of [language, 'en'] as Language[]) {
    const b = bundle(lang);
    const message = b.getMessage(key);
    if (message?.value) return b.formatPattern(message.value, args);
  }
  return key;
}

/** The core sends a day alone as "2026-05-03" (errors' `date`). */
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** An error from the core (`{ code, key, args }`) in the current language. Integer arguments
 *  are passed as numbers so plural rules apply; a day (`date`) is written out for a sentence. */
export function errorText(error: { key: string; args: Record<string, string> }): string {
  const args: Args = {};
  for (const [name, value] of Object.entries(error.args)) {
    // Only a canonical integer is a number: a code like "0042" stays text.
    const n = Number.parseInt(value, 10);
    if (name === 'date' && DATE_ONLY.test(value)) args[name] = formatDayInText(value);
    else args[name] = String(n) === value ? n : value;
  }
  return t(error.key, args);
}

/** Our shops are European: English dates and times read as in the UK (24-hour clock). */
function intlLocale(): string {
  return locale.language === 'en' ? 'en-GB' : locale.language;
}

/** A timestamp, or a day alone taken at noon local time: `new Date("2026-05-03")` is UTC
 *  midnight, which is still 2 May west of Greenwich. */
function parseIso(iso: string): Date {
  if (!DATE_ONLY.test(iso)) return new Date(iso);
  const [year, month, day] = iso.split('-').map(Number);
  return new Date(year, month - 1, day, 12);
}

export function formatDate(iso: string): string {
  return new Intl.DateTimeFormat(intlLocale(), { year: 'numeric', month: 'long' }).format(parseIso(iso));
}

/** A day, written out: "3 May 2026", "3 mai 2026", "2026. május 3."… */
export function formatDay(iso: string): string {
  return new Intl.DateTimeFormat(intlLocale(), { dateStyle: 'long' }).format(parseIso(iso));
}

/** The suffix a Hungarian day takes for "on". It follows the ordinal as spoken: elsején,
 *  másodikán, harmadikán, negyedikén… tizedikén, tizenkettedikén, huszadikán, harmincadikán. */
function hungarianDaySuffix(day: number): string {
  if (day === 1) return 'jén';
  if (day === 2 || day === 20 || day === 30) return 'án';
  return [3, 6, 8].includes(day % 10) ? 'án' : 'én';
}

/** A day inside a sentence ("replaced on …"). As formatDay, except in Hungarian, where the
 *  day takes its suffix and loses the ordinal's full stop: "2026. május 3-án". */
export function formatDayInText(iso: string): string {
  if (locale.language !== 'hu') return formatDay(iso);
  const parts = new Intl.DateTimeFormat('hu', { dateStyle: 'long' }).formatToParts(parseIso(iso));
  const at = parts.findIndex((p) => p.type === 'day');
  if (at < 0) return formatDay(iso);
  const day = Number(parts[at].value);
  return parts
    .map((p, i) => {
      if (i === at) return `${day}-${hungarianDaySuffix(day)}`;
      // The day's full stop ("3.") is the ordinal mark the suffix now carries.
      if (i === at + 1 && p.type === 'literal') return p.value.replace(/^\./, '');
      return p.value;
    })
    .join('');
}

/** A moment, day and time: "24/11/2026, 10:32", "2026. 11. 24. 10:32"… */
export function formatMoment(iso: string): string {
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- temporary value, not state
  return new Intl.DateTimeFormat(intlLocale(), { dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));
}

/** A day in short, for a chart's axis: "24 Nov", "24 nov.", "nov. 24."… */
export function formatShortDay(iso: string): string {
  return new Intl.DateTimeFormat(intlLocale(), { day: 'numeric', month: 'short' }).format(parseIso(iso));
}

/** A count in the language's number format: 12 345, 12.345, 12,345. */
export function formatNumber(n: number, fractionDigits = 0): string {
  return new Intl.NumberFormat(intlLocale(), { maximumFractionDigits: fractionDigits }).format(n);
}

/** An amount in cents of `currency` as the language writes money: €5.00, 5,00 €, 5,00 lei… */
export function formatMoney(cents: number, currency: string): string {
  try {
    return new Intl.NumberFormat(intlLocale(), { style: 'currency', currency }).format(cents / 100);
  } catch {
    // A currency code Intl does not know: the number and the code.
    return `${formatNumber(cents / 100, 2)} ${currency}`;
  }
}

/** A share (0 to 1) as a percentage: "62 %", "62%"… */
export function formatPercent(share: number): string {
  return new Intl.NumberFormat(intlLocale(), { style: 'percent', maximumFractionDigits: 0 }).format(share);
}

/** A size in bytes, in KB or MB in the language's number format. */
export function formatSize(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  const unit = mb >= 1 ? 'MB' : 'KB';
  const value = mb >= 1 ? mb : Math.max(1, Math.round(bytes / 1024));
  return `${new Intl.NumberFormat(intlLocale(), { maximumFractionDigits: 1 }).format(value)} ${unit}`;
}

export function formatTime(iso: string): string {
  // The Date is a throwaway argument to format(), never mutated nor kept: nothing to make reactive.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- temporary value, not state
  return new Intl.DateTimeFormat(intlLocale(), { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}
