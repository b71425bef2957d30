/**
 * Svelte action: focus the element when it appears. The `autofocus` attribute only acts when
 * the page loads, not on panels and dialogs shown later.
 */
export function focusOnMount(node: HTMLElement, enabled = true): void {
  if (enabled) queueMicrotask(() => node.focus());
}
