import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './db/database.js';
import { ensureServiceSecret } from './db/service-state.js';

/**
 * Seals small secrets (alert channels' URLs with tokens, routing keys,
 * signing secrets) with AES-256-GCM before they are stored: `v1.<iv>.<tag>.<ciphertext>`
 * in base64url. A database dump alone does not reveal them when SECRET_KEY is set.
 */
export interface SecretBox {
  seal(value: Record<string, unknown>): string;
  open(sealed: string): Record<string, unknown>;
}

export function secretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('a secret box key is 32 bytes');
  return {
    seal(value) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
    },
    open(sealed) {
      const [version, iv, tag, data] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('not a sealed secret');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const text = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
      return JSON.parse(text) as Record<string, unknown>;
    },
  };
}

/**
 * The box for this deployment: keyed by SECRET_KEY (hashed to 32 bytes) when
 * set; otherwise by a key generated once and kept in the database, which
 * still keeps secrets out of logs and casual queries, but not out of a dump
 * (the README says to set SECRET_KEY in production).
 */
export async function loadSecretBox(db: Kysely<Database>, configured: string | undefined): Promise<SecretBox> {
  const material = configured ?? (await ensureServiceSecret(db, 'secret_box.key', randomBytes(32).toString('base64')));
  return secretBox(createHash('sha256').update(material).digest());
}
