/**
 * Writes the OpenAPI document of /api/v1 as the service serves it, to the
 * file named (or stdout). `npm run lint:openapi` lints it with Redocly.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { offlineOverdue } from './offline-app.js';

const res = await offlineOverdue().app.request('/api/v1/openapi.json');
if (res.status !== 200) throw new Error(`GET /api/v1/openapi.json answered ${res.status}`);
const text = `${JSON.stringify(await res.json(), null, 2)}\n`;
const out = process.argv[2];
if (out) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
} else {
  process.stdout.write(text);
}
