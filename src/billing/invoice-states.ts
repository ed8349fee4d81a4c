import type { InvoiceStatus } from './table.js';

export type InvoiceAction = 'finalize' | 'pay' | 'void' | 'mark_uncollectible';

/** Stripe's invoice state machine: which action leads from which state where. Paid and void are terminal. */
const TRANSITIONS: Record<InvoiceAction, { from: readonly InvoiceStatus[]; to: InvoiceStatus }> = {
  finalize: { from: ['draft'], to: 'open' },
  pay: { from: ['open', 'uncollectible'], to: 'paid' },
  void: { from: ['draft', 'open'], to: 'void' },
  mark_uncollectible: { from: ['open'], to: 'uncollectible' },
};

/** The state `action` leads to from `from`, or undefined when the action is not allowed there. */
export function nextInvoiceStatus(from: InvoiceStatus, action: InvoiceAction): InvoiceStatus | undefined {
  const t = TRANSITIONS[action];
  return t.from.includes(from) ? t.to : undefined;
}

/** States an action may start from (for guarded SQL updates). */
export function statusesAllowing(action: InvoiceAction): readonly InvoiceStatus[] {
  return TRANSITIONS[action].from;
}

export function isPayable(status: InvoiceStatus): boolean {
  return nextInvoiceStatus(status, 'pay') !== undefined;
}
