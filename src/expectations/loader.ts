import { readdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
const TYPESCRIPT = /\.m?ts$/;

type Module = Record<string, unknown>;

/**
 * The compiled service's `dist/` folder when this module runs from it
 * (dist/src/expectations/loader.js), undefined when it runs as TypeScript
 * (tsx, vitest), where the runtime imports .ts files itself.
 */
const dist = import.meta.url.endsWith('.ts') ? undefined : fileURLToPath(new URL('../../', import.meta.url));

/**
 * The build's JavaScript copy of a TypeScript checks file inside the project
 * (`npm run build` compiles checks/ too), when it was built from the file as
 * it is now: the build inlines each source in its source map, so a file edited
 * since the last build is never answered by a stale copy. Importing the copy
 * shares the service's own modules (define.ts, kysely) instead of a second,
 * transpiled graph of them.
 */
async function compiledCopy(distRoot: string, file: string): Promise<string | undefined> {
  const rel = relative(dirname(distRoot), file);
  if (rel.startsWith('..') || isAbsolute(rel)) return undefined;
  const js = join(distRoot, rel.replace(/\.ts$/, '.js').replace(/\.mts$/, '.mjs'));
  try {
    const [source, map] = await Promise.all([readFile(file, 'utf8'), readFile(`${js}.map`, 'utf8')]);
    return (JSON.parse(map) as { sourcesContent?: unknown[] }).sourcesContent?.[0] === source ? js : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How each checks file is imported. Plain `import()` when the runtime takes
 * TypeScript, for JavaScript files, and for a current compiled copy. Other
 * TypeScript files (a CHECKS_DIR outside the project, a file edited since the
 * build) go through tsx's one-off `tsImport`, loaded only then: it transpiles
 * that file and what it imports, and nothing else (the process keeps node's
 * own loader). That path costs memory, measured ~55 MB RSS for the shipped
 * checks: node runs the loader on a thread of its own, and the file gets its
 * own copy of the modules it imports.
 */
async function importerFor(paths: string[]): Promise<(path: string) => Promise<Module>> {
  const plain = (path: string) => import(pathToFileURL(path).href) as Promise<Module>;
  const distRoot = dist;
  if (distRoot === undefined) return plain;
  const copies = new Map<string, string | undefined>();
  for (const path of paths) if (TYPESCRIPT.test(path)) copies.set(path, await compiledCopy(distRoot, path));
  const tsx = [...copies.values()].includes(undefined) ? await import('tsx/esm/api') : undefined;
  return (path) => {
    const copy = copies.get(path);
    if (copy !== undefined || !copies.has(path)) return plain(copy ?? path);
    return tsx!.tsImport(pathToFileURL(path).href, import.meta.url) as Promise<Module>;
  };
}

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
  return loadFiles(root, files, await importerFor(files.map((f) => join(root, f))));
}

/**
 * What a file exports; for a file node loaded as CommonJS (a .ts file outside
 * any `"type": "module"` package, imported through tsx), also what its
 * `module.exports` holds, where its `export default` ends up.
 */
function exportsOf(mod: Module): unknown[] {
  const values = Object.values(mod);
  const cjs = mod.default;
  if (typeof cjs === 'object' && cjs !== null && !isCheckDefinition(cjs)) values.push(...Object.values(cjs));
  return values;
}

async function loadFiles(root: string, files: string[], load: (path: string) => Promise<Module>): Promise<LoadedCheck[]> {
  const loaded: LoadedCheck[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    let mod: Module;
    try {
      mod = await load(join(root, file));
    } catch (err) {
      throw new ChecksLoadError(file, `could not be loaded: ${(err as Error)?.message ?? String(err)}`);
    }
    const defs = [...new Set(exportsOf(mod))].filter(isCheckDefinition);
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
