// One sentence for a ledger event, as the undo dialog and the "last action" line say it.
import type { Event } from './bindings/Event';
import { t } from './i18n.svelte';

export function describeEvent(event: Event, programName: string | null): string {
  const program = programName ?? '';
  switch (event.kind) {
    case 'punch':
      return t('event-punch', { count: event.amount, program });
    case 'redeem':
      return t('event-redeem', { program });
    case 'void':
      return t('event-void', { reason: event.reason ?? '' });
    case 'forgive':
      return t('event-forgive', { reason: event.reason ?? '' });
    case 'charge_back':
      return t('event-charge-back', { reason: event.reason ?? '' });
    case 'merge':
      return t('event-merge');
    case 'enroll':
      return t('event-enroll');
    case 'coupon_redeem':
      return t('event-coupon-redeem');
  }
}
