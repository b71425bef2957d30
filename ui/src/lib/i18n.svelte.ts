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

/** An error from the core (`{ code, key, args }`) in the current language. Integer arguments
 *  are passed as numbers so plural rules apply. */
export function errorText(error: { key: string; args: Record<string, string> }): string {
  const args: Args = {};
  for (const [name, value] of Object.entries(error.args)) {
    // Only a canonical integer is a number: a code like "0042" stays text.
    const n = Number.parseInt(value, 10);
    args[name] = String(n) === value ? n : value;
  }
  return t(error.key, args);
}

/** Our shops are European: English dates and times read as in the UK (24-hour clock). */
function intlLocale(): string {
  return locale.language === 'en' ? 'en-GB' : locale.language;
}

export function formatDate(iso: string): string {
  return new Intl.DateTimeFormat(intlLocale(), { year: 'numeric', month: 'long' }).format(new Date(iso));
}

/** A day, written out: "3 May 2026", "3 mai 2026", "2026. május 3."… */
export function formatDay(iso: string): string {
  return new Intl.DateTimeFormat(intlLocale(), { dateStyle: 'long' }).format(new Date(iso));
}

export function formatTime(iso: string): string {
  return new Intl.DateTimeFormat(intlLocale(), { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}
