import { ActionForm, Page } from './layout.js';
import type { Viewer } from './view.js';

/** What the edit form shows: the check's current settings, or what was typed when a save was refused. */
export interface CheckEditValues {
  id: string;
  name: string;
  tags: string;
  kind: 'simple' | 'cron';
  timeout: string;
  schedule: string;
  tz: string;
  grace: string;
  /** Alert the owner's default channels, or only the chosen ones. */
  channelMode: 'default' | 'chosen';
  channels: string[];
}

/** One of the owner's alert channels, to choose from. */
export interface ChannelChoice {
  id: string;
  name: string;
  kind: string;
}

/** Which channels hear the check: the owner's defaults, or the ones ticked. */
function ChannelFields(props: { values: CheckEditValues; channels: ChannelChoice[] }) {
  const v = props.values;
  if (props.channels.length === 0) {
    return (
      <p>
        No alert channels yet. <a href="/console/channels">Add a channel</a> to be told when this check goes down.
      </p>
    );
  }
  return (
    <fieldset>
      <legend>Alert channels</legend>
      <div>
        <input type="radio" id="channel-mode-default" name="channel_mode" value="default" checked={v.channelMode === 'default'} />{' '}
        <label for="channel-mode-default">The default channels (as set on the channels page)</label>
      </div>
      <div>
        <input type="radio" id="channel-mode-chosen" name="channel_mode" value="chosen" checked={v.channelMode === 'chosen'} />{' '}
        <label for="channel-mode-chosen">Only the channels ticked below</label>
      </div>
      <ul class="choices">
        {props.channels.map((ch) => (
          <li>
            <input type="checkbox" id={`channel-${ch.id}`} name={`channel:${ch.id}`} value="on" checked={v.channels.includes(ch.id)} />{' '}
            <label for={`channel-${ch.id}`}>
              {ch.name} ({ch.kind})
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}

/** `/console/checks/:id/edit`: name, tags, period or schedule, grace, channels; delete behind its own confirmation page. */
export function CheckEditPage(props: { viewer: Viewer; values: CheckEditValues; channels: ChannelChoice[]; error?: string }) {
  const v = props.values;
  return (
    <Page title={`Edit ${v.name || 'check'}`} current="/console/checks" viewer={props.viewer}>
      <p>
        <a href={`/console/checks/${v.id}`}>← Back to the check</a>
      </p>
      <h1>Edit {v.name || '(unnamed check)'}</h1>
      {props.error ? (
        <p class="error" role="alert">
          {props.error}
        </p>
      ) : null}
      <form class="composer" method="post" action={`/console/checks/${v.id}/edit`}>
        <input type="hidden" name="csrf" value={props.viewer.csrf} />
        <div class="field">
          <label for="name">Name</label>
          <input id="name" name="name" maxlength={100} value={v.name} />
        </div>
        <div class="field">
          <label for="tags">Tags (separated by spaces)</label>
          <input id="tags" name="tags" maxlength={500} value={v.tags} />
        </div>
        {v.kind === 'simple' ? (
          <div class="field">
            <label for="timeout">Period (seconds between pings)</label>
            <input id="timeout" name="timeout" inputmode="numeric" required value={v.timeout} />
          </div>
        ) : (
          <>
            <div class="field">
              <label for="schedule">Schedule (cron or OnCalendar)</label>
              <input id="schedule" name="schedule" maxlength={100} required value={v.schedule} />
            </div>
            <div class="field">
              <label for="tz">Time zone</label>
              <input id="tz" name="tz" maxlength={36} required value={v.tz} />
            </div>
          </>
        )}
        <div class="field">
          <label for="grace">Grace (seconds)</label>
          <input id="grace" name="grace" inputmode="numeric" required value={v.grace} />
        </div>
        <ChannelFields values={v} channels={props.channels} />
        <div class="actions">
          <button type="submit">Save</button>
        </div>
      </form>
      <h2>Delete</h2>
      <p>
        <a href={`/console/checks/${v.id}/delete`}>Delete this check…</a>
      </p>
    </Page>
  );
}

/** `/console/checks/:id/delete`: says what deleting loses, then one button. */
export function CheckDeletePage(props: { viewer: Viewer; id: string; name: string }) {
  return (
    <Page title={`Delete ${props.name || 'check'}`} current="/console/checks" viewer={props.viewer}>
      <h1>Delete {props.name || '(unnamed check)'}?</h1>
      <p>The check, its ping log and its history are deleted. Pings to its URL are answered "not found" from then on. This cannot be undone.</p>
      <div class="actions">
        <ActionForm action={`/console/checks/${props.id}/delete`} csrf={props.viewer.csrf} label="Delete check" danger />
        <a href={`/console/checks/${props.id}`}>Cancel</a>
      </div>
    </Page>
  );
}
