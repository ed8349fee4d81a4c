import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { NotFoundPage } from '../../console-ui/layout.js';
import { JobPage, JobsPage, type JobItem, type RunItem } from '../../console-ui/jobs.js';
import type { JobOperations, JobSummary, RunRow } from '../scheduler/index.js';
import { viewerOf } from './viewer.js';
import { utc } from './check-views.js';
import type { ConsoleSession } from './sessions.js';

type Env = { Variables: { session: ConsoleSession } };
type Render = (c: Context<Env>, body: unknown, status?: number) => Response;

function jobItem(s: JobSummary): JobItem {
  const j = s.job;
  return {
    key: j.key,
    schedule: j.schedule ? `cron "${j.schedule}" (${j.tz})` : `every ${j.interval_s} s`,
    state: s.state,
    nextSlot: s.nextSlot ? utc(s.nextSlot) : null,
    lastRun: s.lastRun ? `${utc(s.lastRun.slot_at)}: ${s.lastRun.state}` : null,
    lagSeconds: s.lagSeconds,
    paused: j.paused,
  };
}

const runItem = (r: RunRow): RunItem => ({
  slot: utc(r.slot_at),
  state: r.state,
  attempt: r.attempt,
  delay: r.delay_ms === null ? null : `${Number(r.delay_ms) / 1000} s`,
  error: r.error,
});

/**
 * `/console/jobs` (mounted under /console): the platform's scheduled jobs,
 * for the admin key only (a tenant's jobs run inside them); run the latest
 * due slot now, pause, resume.
 */
export function jobPages(deps: { jobs: () => JobOperations; signedIn: MiddlewareHandler<Env>; html: Render }): Hono<Env> {
  const { signedIn, html } = deps;
  const app = new Hono<Env>();
  const adminOnly: MiddlewareHandler<Env> = async (c, next) => {
    if (c.get('session').kind !== 'admin') return c.text('Forbidden: jobs are the platform\'s; sign in with the admin key.', 403);
    await next();
  };
  const one = async (c: Context<Env>, key: string, notice?: { ok: boolean; text: string }) => {
    const jobs = deps.jobs();
    const summary = (await jobs.list()).find((s) => s.job.key === key);
    if (!summary) return html(c, NotFoundPage({ viewer: viewerOf(c.get('session')), back: { href: '/console/jobs', label: 'Jobs' } }), 404);
    const runs = await jobs.runs(key, 50, undefined);
    return html(c, JobPage({ viewer: viewerOf(c.get('session')), job: jobItem(summary), runs: runs.map(runItem), ...(notice && { notice }) }));
  };

  app.get('/jobs', signedIn, adminOnly, async (c) => html(c, JobsPage({ viewer: viewerOf(c.get('session')), jobs: (await deps.jobs().list()).map(jobItem) })));
  app.get('/jobs/:key', signedIn, adminOnly, (c) => one(c, c.req.param('key')));
  app.post('/jobs/:key/run', signedIn, adminOnly, async (c) => {
    const key = c.req.param('key');
    const run = deps.jobs().has(key) ? await deps.jobs().runLatest(key) : 'not_found';
    if (run === 'not_found') return one(c, key);
    if (run === 'busy') return one(c, key, { ok: false, text: 'A run of this job is in progress; try again when it finishes.' });
    if (typeof run === 'string') return one(c, key, { ok: false, text: `Not run: ${run}` });
    return one(c, key, { ok: run.state === 'succeeded', text: `Slot ${utc(run.slot_at)}: ${run.state}${run.error ? ` (${run.error})` : ''}.` });
  });
  for (const action of ['pause', 'resume'] as const) {
    app.post(`/jobs/:key/${action}`, signedIn, adminOnly, async (c) => {
      const key = c.req.param('key');
      await deps.jobs().setPaused(key, action === 'pause');
      return c.redirect(`/console/jobs/${encodeURIComponent(key)}`, 303);
    });
  }
  return app;
}
