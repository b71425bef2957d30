// A coupon in words, as the cashier screen and its messages say it (the CLI and the voucher say
// the same from the same Fluent messages: CouponView::offer in the core).
import type { CouponView } from './bindings/CouponView';
import { formatDay, formatMoney, t } from './i18n.svelte';

/** What the coupon gives: "One item free", "€2.50 off", "10 % off". */
export function couponOffer(coupon: CouponView): string {
  switch (coupon.kind) {
    case 'free_item':
      return t('coupon-free-item', { count: coupon.value });
    case 'amount_off':
      return t('coupon-amount-off', { amount: formatMoney(coupon.value, coupon.currency) });
    case 'percent_off':
      return t('coupon-percent-off', { percent: coupon.value });
  }
}

/** Its last day, or that it has none. */
export function couponUntil(coupon: CouponView): string {
  return coupon.expires_on ? t('coupon-until', { date: formatDay(coupon.expires_on) }) : t('coupon-no-expiry');
}
