// What the first-run and sign-in forms check before asking the core, so that a person reads
// our words in the shop's language, not the browser's bubbles in the system's. The core checks
// everything again (crates/core/src/validate.rs): these mirror its rules and its messages.
import type { Args } from './i18n.svelte';

/** A message key and its arguments, rendered with `t` when shown. */
export type Problem = { key: string; args?: Args };

// As in validate.rs.
export const NAME_MAX = 100;
export const TEXT_MAX = 200;
export const PUNCHES_MAX = 100;

/** `field` is the core's field name, which picks the wording of error-empty-field. */
function text(field: string, value: string, max: number): Problem | null {
  const trimmed = value.trim();
  if (!trimmed) return { key: 'error-empty-field', args: { field } };
  if ([...trimmed].length > max) return { key: 'error-too-long', args: { field, max } };
  return null;
}

export function checkPin(pin: string): Problem | null {
  return /^\d{4,8}$/.test(pin) ? null : { key: 'error-invalid-pin' };
}

export function checkShop(shopName: string, currency: string): Problem | null {
  return (
    text('shop_name', shopName, NAME_MAX) ??
    (/^[A-Za-z]{3}$/.test(currency.trim()) ? null : { key: 'error-invalid-currency' })
  );
}

export function checkManager(name: string, pin: string, pinAgain: string): Problem | null {
  return (
    text('name', name, NAME_MAX) ??
    checkPin(pin) ??
    (pin === pinAgain ? null : { key: 'setup-pin-mismatch' })
  );
}

/** `punches` comes from a number field: empty or not a number is not a count either. */
export function checkProgram(name: string, punches: unknown, reward: string): Problem | null {
  const count = typeof punches === 'number' && Number.isInteger(punches) && punches >= 1 && punches <= PUNCHES_MAX;
  return (
    text('name', name, NAME_MAX) ??
    (count ? null : { key: 'error-invalid-punches-needed', args: { max: PUNCHES_MAX } }) ??
    text('reward', reward, TEXT_MAX)
  );
}

/** Enrolment: a name is needed; the email and phone are checked by the core. */
export function checkMemberName(name: string): Problem | null {
  return text('name', name, NAME_MAX);
}
