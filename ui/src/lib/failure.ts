// What went wrong, said in whatever language is current when it is shown (a function, not a
// string, so that switching the language re-renders it).
import { CoreFailure } from './ipc';
import { errorText, t } from './i18n.svelte';

export function explain(error: unknown): () => string {
  const body = error instanceof CoreFailure ? error.body : null;
  return () => (body ? errorText(body) : t('error-unexpected'));
}
