import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { hashApiKey } from '../auth/keys.js';
import { findActiveKeyByHash, type Principal } from '../auth/store.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { deleteSession, insertSession, recordSignInFailure, signInFailuresSince, touchSession } from './session-store.js';

export const IDLE_MS = 12 * 3_600_000;
export const ABSOLUTE_MS = 7 * 86_400_000;
/** Failed sign-ins per client address in a window before it must wait. */
const FAILURE_LIMIT = 10;
const FAILURE_WINDOW_MS = 15 * 60_000;

export type ConsoleSession = Principal & { csrf: string; idHash: string };

const hash = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');

/**
 * Console sign-in with an API key: a server-side session behind a random
 * cookie id (only its hash is stored), a CSRF token per session, idle and
 * absolute expiry, and failed attempts counted per address in the database.
 */
export function createConsoleSessions(deps: { db: Kysely<Database>; clock: Clock }) {
  const { db, clock } = deps;
  return {
    /** The cookie value for a new session, 'limited' after too many failures from this address, or undefined for a bad key. */
    async signIn(key: string, address: string): Promise<{ cookie: string } | 'limited' | undefined> {
      const now = clock.now();
      if ((await signInFailuresSince(db, address, new Date(now.getTime() - FAILURE_WINDOW_MS))) >= FAILURE_LIMIT) return 'limited';
      const principal = key.length > 0 && key.length <= 300 ? await findActiveKeyByHash(db, hashApiKey(key)) : undefined;
      if (!principal) {
        await recordSignInFailure(db, address, now);
        return undefined;
      }
      const id = randomBytes(32).toString('base64url');
      await insertSession(db, { idHash: hash(id), keyId: principal.keyId, csrf: randomBytes(24).toString('base64url'), now });
      return { cookie: id };
    },

    async load(cookie: string | undefined): Promise<ConsoleSession | undefined> {
      if (!cookie || !/^[A-Za-z0-9_-]{43}$/.test(cookie)) return undefined;
      const idHash = hash(cookie);
      const s = await touchSession(db, idHash, clock.now(), IDLE_MS, ABSOLUTE_MS);
      return s && { ...s, idHash };
    },

    signOut: (session: ConsoleSession) => deleteSession(db, session.idHash),

    /** Constant-time comparison of the form's token with the session's. */
    csrfMatches(session: ConsoleSession, token: unknown): boolean {
      if (typeof token !== 'string') return false;
      const a = Buffer.from(token);
      const b = Buffer.from(session.csrf);
      return a.length === b.length && timingSafeEqual(a, b);
    },
  };
}

export type ConsoleSessions = ReturnType<typeof createConsoleSessions>;
