import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A webhook signing secret as Standard Webhooks shows it: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` with the secret's bytes (Standard Webhooks 1.0). */
export function signWebhook(secret: string, id: string, timestampS: number, body: string): string {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampS}.${body}`).digest('base64')}`;
}

/**
 * Signed tokens for subscriber links (confirm, manage, unsubscribe):
 * `<purpose>.<subscriber id>.<expires unix s>.<hmac>`, verified in constant time.
 */
export function signToken(secret: Buffer, purpose: string, subscriberId: string, expiresAt: Date): string {
  const body = `${purpose}.${subscriberId}.${Math.floor(expiresAt.getTime() / 1000)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

export function verifyToken(secret: Buffer, token: string, purpose: string, now: Date): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== purpose) return undefined;
  const [p, id, exp, mac] = parts as [string, string, string, string];
  const expected = createHmac('sha256', secret).update(`${p}.${id}.${exp}`).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  if (Number(exp) * 1000 < now.getTime()) return undefined;
  return id;
}
