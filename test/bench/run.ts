/**
 * `npm run bench -- <name>` runs one benchmark from this folder and prints its
 * figures. Each feature with a speed target adds `<name>.ts` exporting `run(args)`.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3));

const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.log(available.length ? `benchmarks: ${available.join(', ')}` : 'no benchmarks yet');
  process.exit(name ? 1 : 0);
}
const mod = (await import(`./${name}.ts`)) as { run(args: string[]): Promise<void> };
await mod.run(args);
