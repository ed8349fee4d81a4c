import { NoticeLine } from './form-parts.js';
import { ActionForm, Page } from './layout.js';
import { FilterTabs, ListTable, NextPageLink } from './list-parts.js';
import type { Notice, Viewer } from './view.js';

export interface DeliveryItem {
  id: string;
  at: string;
  atIso: string;
  channel: string;
  recipientKind: string;
  recipient: string;
  state: string;
  attempts: number;
  nextAttempt: string | null;
  lastError: string | null;
  retryable: boolean;
}

const TONE: Record<string, string> = { sent: 's-up', pending: 's-new', sending: 's-new', failed: 's-late', dead: 's-down', skipped: 's-paused' };
const ICON: Record<string, string> = { sent: '✓', pending: '•', sending: '•', failed: '!', dead: '✕', skipped: '‖' };

export function DeliveriesPage(props: { viewer: Viewer; state: string | null; tabs: { state: string; count: number; href: string }[]; deliveries: DeliveryItem[]; next: string | null; notice?: Notice }) {
  const v = props.viewer;
  return (
    <Page title="Deliveries" current="/console/deliveries" viewer={v}>
      <h1>Deliveries{props.state ? `: ${props.state}` : ''}</h1>
      <NoticeLine notice={props.notice} />
      <p class="muted">Everything the outbox sends: subscriber mail and webhooks, alerts to channels, billing notices. Newest first.</p>
      <FilterTabs label="Deliveries by state" tabs={props.tabs.map((t) => ({ label: t.state, count: t.count, href: t.href, current: (t.state === 'all' ? null : t.state) === props.state }))} />
      {props.deliveries.length === 0 ? (
        <p>No deliveries here.</p>
      ) : (
        <ListTable columns={['Created', 'Channel', 'Recipient', 'State', 'Attempts', 'Last error', v.readOnly ? null : 'Action']}>
          {props.deliveries.map((d) => (
            <tr>
              <td>
                <time datetime={d.atIso} data-local="">
                  {d.at}
                </time>
              </td>
              <td>{d.channel}</td>
              <td>
                {d.recipientKind} <span class="mono">{d.recipient}</span>
              </td>
              <td>
                <span class={`state ${TONE[d.state] ?? ''}`}>
                  <span aria-hidden="true">{ICON[d.state] ?? '•'}</span> {d.state}
                </span>
                {d.nextAttempt ? <span class="muted"> next try {d.nextAttempt}</span> : null}
              </td>
              <td>{d.attempts}</td>
              <td>{d.lastError ? <code>{d.lastError}</code> : null}</td>
              {v.readOnly ? null : <td>{d.retryable ? <ActionForm action={`/console/deliveries/${d.id}/retry`} csrf={v.csrf} label="Retry" /> : null}</td>}
            </tr>
          ))}
        </ListTable>
      )}
      <NextPageLink href={props.next} />
    </Page>
  );
}
