import type { Generated } from 'kysely';

export interface ConsoleSessionTable {
  /** SHA-256 of the cookie's random id: a database read alone signs nobody in. */
  id_hash: string;
  key_id: string;
  csrf_token: string;
  created_at: Date;
  last_seen_at: Date;
}

export interface ConsoleSignInFailureTable {
  id: Generated<bigint>;
  address: string;
  at: Date;
}
