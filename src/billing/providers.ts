/**
 * External payment methods. A provider charges (or confirms) an amount for a
 * payment attempt; the attempt id is its idempotency key, so a retried call
 * never charges twice.
 */
export interface ChargeRequest {
  paymentId: string;
  invoiceId: string;
  amount: bigint;
  currency: string;
  /** The caller's reference for the external payment (bank transfer id, PSP charge id, …). */
  reference: string;
}

export type ChargeResult = { ok: true; reference: string } | { ok: false; reason: string };

export interface PaymentProvider {
  readonly name: string;
  charge(req: ChargeRequest): Promise<ChargeResult>;
}

/** The built-in method: records payments confirmed outside Overdue (the reference names them). */
export class ConfirmedPaymentProvider implements PaymentProvider {
  readonly name = 'external';
  async charge(req: ChargeRequest): Promise<ChargeResult> {
    return { ok: true, reference: req.reference };
  }
}

/** For tests and demos: succeeds unless told to decline; records every charge it saw. */
export class TestPaymentProvider implements PaymentProvider {
  readonly name = 'test';
  readonly charges: ChargeRequest[] = [];
  #decline: string | null = null;
  #gate: Promise<void> | null = null;

  /** Declines every charge with `reason` until `succeed()`. */
  decline(reason = 'card_declined'): void {
    this.#decline = reason;
  }

  succeed(): void {
    this.#decline = null;
  }

  /** Holds charges until the returned function is called (to observe a payment in flight). */
  hold(): () => void {
    let release!: () => void;
    this.#gate = new Promise((r) => (release = r));
    return () => {
      this.#gate = null;
      release();
    };
  }

  async charge(req: ChargeRequest): Promise<ChargeResult> {
    this.charges.push(req);
    if (this.#gate) await this.#gate;
    return this.#decline ? { ok: false, reason: this.#decline } : { ok: true, reference: req.reference };
  }
}
