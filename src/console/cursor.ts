import { UUID } from './viewer.js';

/** Where a newest-first list continues: the (time, id) of its last row, opaque in the URL. */
export interface PageCursor {
  at: Date;
  id: string;
}

export const encodeCursor = (c: PageCursor): string => Buffer.from(JSON.stringify([c.at.toISOString(), c.id])).toString('base64url');

/** A cursor from the URL; a mangled one (it is client input) starts from the first page. */
export function decodeCursor(v: string | undefined): PageCursor | undefined {
  if (!v || v.length > 200) return undefined;
  try {
    const [at, id] = JSON.parse(Buffer.from(v, 'base64url').toString('utf8')) as [unknown, unknown];
    const d = typeof at === 'string' ? new Date(at) : new Date(NaN);
    if (!Number.isNaN(d.getTime()) && typeof id === 'string' && UUID.test(id)) return { at: d, id };
  } catch {
    // fall through
  }
  return undefined;
}

/** A query string of the defined values only. */
export const query = (params: Record<string, string | undefined>): string => {
  const p = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
  const s = p.toString();
  return s ? `?${s}` : '';
};

/** A filter box's text: control characters dropped (Postgres refuses NUL in text), at most 100 characters. */
// eslint-disable-next-line no-control-regex
export const filterText = (v: string | undefined) => v?.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 100) || undefined;
