import { ActionForm, Page } from './layout.js';
import { ListTable } from './list-parts.js';
import type { Viewer } from './view.js';

export interface ChannelItem {
  id: string;
  kind: string;
  name: string;
  shown: string;
  state: string;
  isDefault: boolean;
  lastError: string | null;
  /** The checks that alert it (the first ones), and how many more. */
  usedBy: { href: string; label: string }[];
  usedByMore: number;
}

const KINDS: [string, string][] = [
  ['slack', 'Slack (incoming webhook URL)'],
  ['discord', 'Discord (channel webhook URL)'],
  ['msteams', 'Microsoft Teams (Workflows webhook URL)'],
  ['pagerduty', 'PagerDuty (Events API v2 routing key)'],
  ['ntfy', 'ntfy (server and topic URL, optional token)'],
  ['webhook', 'Webhook (Standard Webhooks signed)'],
  ['email', 'Email (address; it confirms a link first)'],
];

/** The viewer's alert channels: add one, send a test, delete. */
export function ChannelsPage(props: { viewer: Viewer; channels: ChannelItem[]; notice?: { ok: boolean; text: string }; secret?: { name: string; value: string } }) {
  const v = props.viewer;
  return (
    <Page title="Alert channels" current="/console/channels" viewer={v}>
      <h1>Alert channels</h1>
      {props.notice ? (
        <p class={props.notice.ok ? undefined : 'error'} role="status">
          {props.notice.text}
        </p>
      ) : null}
      {props.secret ? (
        <div class="empty" role="status">
          <p>
            Created <b>{props.secret.name}</b>. Its secret is shown this once; keep it if you need it (a webhook receiver verifies signatures with it):
          </p>
          <pre>{props.secret.value}</pre>
        </div>
      ) : null}
      {props.channels.length === 0 ? (
        <p class="empty">No channel yet: nobody is told when a check goes down. Add one below, then send it a test.</p>
      ) : (
        <ListTable columns={['Name', 'Kind', 'Receiver', 'State', 'Default', 'Checks that alert it', v.readOnly ? null : 'Actions']}>
          {props.channels.map((c) => (
            <tr id={`channel-${c.id}`}>
              <td>{c.name}</td>
              <td>{c.kind}</td>
              <td>{c.shown}</td>
              <td>
                {c.state}
                {c.lastError ? <div class="muted">{c.lastError}</div> : null}
              </td>
              <td>{c.isDefault ? 'yes' : 'no'}</td>
              <td>
                {c.usedBy.length === 0 ? (
                  <span class="muted">none</span>
                ) : (
                  <ul class="plain">
                    {c.usedBy.map((u) => (
                      <li>
                        <a href={u.href}>{u.label}</a>
                      </li>
                    ))}
                    {c.usedByMore > 0 ? <li class="muted">and {c.usedByMore} more</li> : null}
                  </ul>
                )}
              </td>
              {v.readOnly ? null : (
                <td>
                  <ActionForm action={`/console/channels/${c.id}/test`} csrf={v.csrf} label="Send test" />{' '}
                  <ActionForm action={`/console/channels/${c.id}/delete`} csrf={v.csrf} label="Delete" danger confirm={`Delete the channel "${c.name}"?`} />
                </td>
              )}
            </tr>
          ))}
        </ListTable>
      )}
      {v.readOnly ? null : (
        <>
          <h2>Add a channel</h2>
          <form method="post" action="/console/channels" class="filters">
            <input type="hidden" name="csrf" value={v.csrf} />
            <label>
              Kind
              <select name="kind" required>
                {KINDS.map(([k, label]) => (
                  <option value={k}>{label}</option>
                ))}
              </select>
            </label>
            <label>
              Name
              <input name="name" required maxlength={100} />
            </label>
            <label>
              URL (Slack, Discord, Teams, ntfy, webhook)
              <input name="url" type="url" maxlength={2000} />
            </label>
            <label>
              Address (email)
              <input name="to" type="email" maxlength={254} />
            </label>
            <label>
              Routing key (PagerDuty)
              <input name="routing_key" maxlength={64} />
            </label>
            <label>
              Token (ntfy, optional)
              <input name="token" maxlength={200} />
            </label>
            <label>
              <span>
                <input type="checkbox" name="default" value="true" /> Default for checks without their own choice
              </span>
            </label>
            <button type="submit">Add channel</button>
          </form>
        </>
      )}
    </Page>
  );
}
