import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { definitionError, isCheckDefinition, type CheckDefinition } from './define.js';

export class ChecksLoadError extends Error {
  override name = 'ChecksLoadError';
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

export interface LoadedCheck {
  file: string;
  check: CheckDefinition;
}

const SOURCE = /\.(ts|mts|js|mjs)$/;

/**
 * Loads every definition exported by the files of `dir` (files starting with
 * `_` are helpers, `.d.ts` and non-code files are skipped). A file that fails
 * to import, exports no definition, or exports one that does not validate
 * stops the load with its name and the reason; so does an id used twice.
 */
export async function loadChecks(dir: string): Promise<LoadedCheck[]> {
  const root = resolve(dir);
  let files: string[];
  try {
    files = (await readdir(root)).filter((f) => SOURCE.test(f) && !f.endsWith('.d.ts') && !f.startsWith('_')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const loaded: LoadedCheck[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(join(root, file)).href)) as Record<string, unknown>;
    } catch (err) {
      throw new ChecksLoadError(file, `could not be loaded: ${(err as Error)?.message ?? String(err)}`);
    }
    const defs = [...new Set(Object.values(mod))].filter(isCheckDefinition);
    if (defs.length === 0) throw new ChecksLoadError(file, 'exports no defineExpectation(…) or defineHeartbeat(…) definition');
    for (const check of defs) {
      const error = definitionError(check);
      if (error) throw new ChecksLoadError(file, `definition ${String((check.def as { id?: unknown }).id ?? '(no id)')} is invalid: ${error}`);
      const key = `${check.type}:${check.def.id}`;
      const other = seen.get(key);
      if (other) throw new ChecksLoadError(file, `${check.type} id ${check.def.id} is also defined in ${other}`);
      seen.set(key, file);
      loaded.push({ file, check });
    }
  }
  return loaded;
}
