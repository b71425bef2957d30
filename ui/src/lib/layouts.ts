// Keyboard layouts as people call them. The core names a layout as XKB does ("de", "ro(std)",
// crates/core/src/keyboard.rs); a sentence needs its name in the current language ("German").
import { t } from './i18n.svelte';

/** The message that names the XKB layout `xkb`: its variant, if any, is part of the name. */
export function layoutKey(xkb: string): string {
  return `keyboard-layout-${xkb.replace(/\(.*\)$/, '')}`;
}

/** The layout's name in the current language; an unknown layout keeps its XKB name. */
export function layoutName(xkb: string): string {
  const key = layoutKey(xkb);
  const name = t(key);
  return name === key ? xkb : name;
}
