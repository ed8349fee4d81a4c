import { ActionForm, Page } from './layout.js';
import { ListTable } from './list-parts.js';
import type { Viewer } from './view.js';

export interface JobItem {
  key: string;
  schedule: string;
  state: string;
  nextSlot: string | null;
  lastRun: string | null;
  lagSeconds: number;
  paused: boolean;
}

export interface RunItem {
  slot: string;
  state: string;
  attempt: number;
  delay: string | null;
  error: string | null;
}

const TONE: Record<string, string> = { failing: 's-down', running: 's-new', paused: 's-paused', ok: 's-up' };

export function JobsPage(props: { viewer: Viewer; jobs: JobItem[]; notice?: string }) {
  return (
    <Page title="Jobs" current="/console/jobs" viewer={props.viewer}>
      <h1>Scheduled jobs</h1>
      {props.notice ? <p role="status">{props.notice}</p> : null}
      <ListTable columns={['Job', 'State', 'Schedule', 'Last run', 'Next slot', 'Lag']}>
        {props.jobs.map((j) => (
          <tr>
            <td>
              <a href={`/console/jobs/${encodeURIComponent(j.key)}`}>{j.key}</a>
            </td>
            <td>
              <span class={`state ${TONE[j.state] ?? ''}`}>{j.state}</span>
            </td>
            <td>{j.schedule}</td>
            <td>{j.lastRun ?? 'never'}</td>
            <td>{j.nextSlot ?? '—'}</td>
            <td>{j.lagSeconds > 0 ? `${j.lagSeconds} s` : '—'}</td>
          </tr>
        ))}
      </ListTable>
    </Page>
  );
}

export function JobPage(props: { viewer: Viewer; job: JobItem; runs: RunItem[]; notice?: { ok: boolean; text: string } }) {
  const { job: j, viewer: v } = props;
  const base = `/console/jobs/${encodeURIComponent(j.key)}`;
  return (
    <Page title={j.key} current="/console/jobs" viewer={v}>
      <p>
        <a href="/console/jobs">← Jobs</a>
      </p>
      <h1>{j.key}</h1>
      {props.notice ? (
        <p role="status" class={props.notice.ok ? undefined : 'error'}>
          {props.notice.text}
        </p>
      ) : null}
      <dl class="facts">
        <dt>State</dt>
        <dd>
          <span class={`state ${TONE[j.state] ?? ''}`}>{j.state}</span>
        </dd>
        <dt>Schedule</dt>
        <dd>{j.schedule}</dd>
        <dt>Next slot</dt>
        <dd>{j.nextSlot ?? '—'}</dd>
        <dt>Lag</dt>
        <dd>{j.lagSeconds > 0 ? `${j.lagSeconds} s behind` : 'none'}</dd>
      </dl>
      {v.readOnly ? null : (
        <div class="actions">
          <ActionForm action={`${base}/run`} csrf={v.csrf} label="Run now (latest due slot)" />
          {j.paused ? <ActionForm action={`${base}/resume`} csrf={v.csrf} label="Resume" /> : <ActionForm action={`${base}/pause`} csrf={v.csrf} label="Pause" />}
        </div>
      )}
      <h2>Runs</h2>
      {props.runs.length === 0 ? (
        <p>No runs yet.</p>
      ) : (
        <ListTable columns={['Slot', 'Outcome', 'Attempt', 'Delay', 'Error']}>
          {props.runs.map((r) => (
            <tr>
              <td>{r.slot}</td>
              <td>{r.state}</td>
              <td>{r.attempt}</td>
              <td>{r.delay ?? ''}</td>
              <td>{r.error ? <code>{r.error}</code> : null}</td>
            </tr>
          ))}
        </ListTable>
      )}
    </Page>
  );
}
