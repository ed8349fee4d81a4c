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
  // The kind marker (od_<kind>_) plus 4 characters of the secret; never more, even when the
  // random part itself contains '_' (base64url). Operator-chosen keys show at most 4 characters.
  const marker = /^od_[a-z]+_/.exec(key)?.[0] ?? '';
  return key.slice(0, marker.length + Math.min(4, Math.floor((key.length - marker.length) / 4)));
}
