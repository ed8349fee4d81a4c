import { createHash, randomBytes } from 'node:crypto';

export type KeyKind = 'admin' | 'tenant';

/**
 * Keys are 192 random bits, so a fast hash is enough at rest (no password
 * stretching needed); only the hash and a short prefix are stored.
 */
export function generateApiKey(kind: KeyKind): string {
  return `od_${kind}_${randomBytes(24).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function keyPrefix(key: string): string {
  return key.slice(0, Math.min(key.length, key.lastIndexOf('_') + 5));
}
