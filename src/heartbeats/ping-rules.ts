import type { PingKind } from './table.js';

export type UrlAction = 'success' | 'start' | 'fail' | 'log';

export interface FilterSettings {
  methods: '' | 'POST';
  filterHttpBody: boolean;
  filterDefaultFail: boolean;
  startKw: string;
  successKw: string;
  failureKw: string;
}

/** The action named by the URL: `/start`, `/fail`, `/log`, `/<exit>` (0 = success) or none. */
export function urlAction(suffix: string | undefined): { action: UrlAction; exitStatus: number | null } | 'invalid' {
  if (suffix === undefined || suffix === '') return { action: 'success', exitStatus: null };
  if (suffix === 'start' || suffix === 'fail' || suffix === 'log') return { action: suffix, exitStatus: null };
  if (/^[0-9]+$/.test(suffix)) {
    const code = Number(suffix);
    if (code > 255) return 'invalid';
    return { action: code === 0 ? 'success' : 'fail', exitStatus: code };
  }
  return 'invalid';
}

function keywords(list: string): string[] {
  return list
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
}

/**
 * What a ping counts as, in healthchecks' order: methods=POST ignores other
 * methods; with the HTTP body filter on, the body's keywords replace the URL's
 * action (failure, then success, then start; else ignored or failed).
 */
export function resolvePingKind(settings: FilterSettings, action: UrlAction, method: string, bodyText: string): PingKind {
  if (settings.methods === 'POST' && method.toUpperCase() !== 'POST') return 'ign';
  const kind: PingKind = action === 'success' ? null : action;
  if (!settings.filterHttpBody) return kind;
  const has = (list: string) => keywords(list).some((k) => bodyText.includes(k));
  if (has(settings.failureKw)) return 'fail';
  if (has(settings.successKw)) return null;
  if (has(settings.startKw)) return 'start';
  return settings.filterDefaultFail ? 'fail' : 'ign';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `?rid=`: a canonical UUID in any case, stored lowercase; anything else is invalid. */
export function parseRid(raw: string | undefined): string | null | 'invalid' {
  if (raw === undefined) return null;
  return UUID.test(raw) ? raw.toLowerCase() : 'invalid';
}

/** `?scheduled_for=`: an RFC 3339 instant with offset, or Unix seconds. */
export function parseScheduledFor(raw: string | undefined): Date | null | 'invalid' {
  if (raw === undefined) return null;
  if (/^[0-9]{1,12}$/.test(raw)) return new Date(Number(raw) * 1000);
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/.exec(raw);
  if (!m) return 'invalid';
  const [y, mo, d, h, mi, s, oh, om] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v))) as number[];
  // Date() rolls impossible dates over (Feb 30 → Mar 2); refuse them instead.
  const daysInMonth = new Date(Date.UTC(y!, mo!, 0)).getUTCDate();
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > daysInMonth || h! > 23 || mi! > 59 || s! > 59 || oh! > 23 || om! > 59) return 'invalid';
  const at = new Date(raw.replace(' ', 'T'));
  return Number.isNaN(at.getTime()) ? 'invalid' : at;
}
