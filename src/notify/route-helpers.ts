import type { Context } from 'hono';
import { AppError } from '../errors.js';
import { assertCleanJson, readJsonObject } from '../http/json-body.js';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A JSON object, or a form (the status page's subscribe form works without JavaScript). */
export async function readBody(c: Context): Promise<Record<string, unknown>> {
  const what = 'body must be a JSON object or a form';
  if ((c.req.header('content-type') ?? '').includes('application/json')) return readJsonObject(c, what);
  let form: Record<string, unknown>;
  try {
    // Every value of a repeated field (a form sends one `components` field per ticked box).
    form = (await c.req.parseBody({ all: true })) as Record<string, unknown>;
  } catch {
    throw new AppError('validation_failed', what);
  }
  assertCleanJson(form);
  return form;
}

const MAX_COMPONENT_IDS = 500;

/** `components`: absent or empty → none (all of the page); one id or a list of ids. */
export function componentIdsOf(v: unknown): string[] {
  if (v === undefined || v === null || v === '') return [];
  const ids = Array.isArray(v) ? v : [v];
  if (ids.length > MAX_COMPONENT_IDS) throw new AppError('validation_failed', `components must list at most ${MAX_COMPONENT_IDS} ids`);
  if (!ids.every((x) => typeof x === 'string' && UUID.test(x))) throw new AppError('validation_failed', 'components must be a list of component ids');
  return ids as string[];
}
