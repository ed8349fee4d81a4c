import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { escapeHtml } from './markdown.js';
import { CSS } from './styles.js';
import type { ComponentView, DayView, HistoryView, IncidentView, PageView, TimeView, Tone } from './view.js';

const ICON: Record<Tone, string> = { ok: '✓', minor: '!', major: '▲', critical: '✕', maintenance: '⚙' };

function Icon(props: { tone: Tone }) {
  return (
    <span class="icon" aria-hidden="true">
      {ICON[props.tone]}
    </span>
  );
}

function Time(props: { t: TimeView }) {
  return <time datetime={props.t.iso}>{props.t.text}</time>;
}

function Layout(props: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{props.title}</title>
        <style>{raw(CSS)}</style>
      </head>
      <body>
        <main>{props.children}</main>
      </body>
    </html>
  );
}

function IncidentCard(props: { incident: IncidentView; latestOnly?: boolean }) {
  const i = props.incident;
  const updates = props.latestOnly ? i.updates.slice(0, 1) : i.updates;
  return (
    <article class={`card t-${i.tone}`}>
      <h3>
        <Icon tone={i.tone} /> <a href={i.href}>{i.name}</a>
      </h3>
      {i.scheduledFor && i.scheduledUntil ? (
        <p class="muted">
          Scheduled <Time t={i.scheduledFor} /> – <Time t={i.scheduledUntil} />
        </p>
      ) : null}
      {i.components.length ? <p class="muted">Affects: {i.components.join(', ')}</p> : null}
      {updates.map((u) => (
        <div>
          <p>
            <strong>{u.statusLabel}</strong> · <Time t={u.at} />
          </p>
          {raw(u.bodyHtml)}
        </div>
      ))}
    </article>
  );
}

/**
 * The days of an uptime bar, written by hand because they are most of the
 * page's bytes (90 per component): no closing tags (optional for `li`), an
 * unquoted tabindex, and no class on operational days (the list's default
 * tone). Each day stays focusable and named, for keyboards and screen readers.
 */
function dayBars(days: DayView[]): string {
  let out = '';
  for (const d of days) out += `<li tabindex=0${d.tone === 'ok' ? '' : ` class=t-${d.tone}`} aria-label="${escapeHtml(d.label)}">`;
  return out;
}

function Component(props: { c: ComponentView }) {
  const c = props.c;
  return (
    <section class={`comp t-${c.tone}${c.children.length ? ' group' : ''}`} aria-label={c.name}>
      <header>
        <strong>{c.name}</strong>
        <span class="status">
          <Icon tone={c.tone} /> {c.statusLabel}
        </span>
      </header>
      {c.description ? <p class="muted">{c.description}</p> : null}
      {c.days.length ? (
        <>
          <ol class="bars" aria-label={`${c.name}: the last ${c.days.length} days, oldest first`}>
            {raw(dayBars(c.days))}
          </ol>
          <p class="muted">{c.uptime} uptime over {c.days.length} days</p>
        </>
      ) : null}
      {c.children.map((child) => (
        <Component c={child} />
      ))}
    </section>
  );
}

// Progressive enhancement only: arrow keys move between the days of a bar (the page works without it).
const BAR_KEYS = `document.addEventListener('keydown',function(e){var t=e.target;if(!t||!t.parentElement||!t.parentElement.classList.contains('bars'))return;var n=e.key==='ArrowRight'?t.nextElementSibling:e.key==='ArrowLeft'?t.previousElementSibling:null;if(n){n.focus();e.preventDefault()}})`;

export function StatusPage(props: { view: PageView }) {
  const v = props.view;
  return (
    <Layout title={`${v.name} status`}>
      <h1>{v.name} status</h1>
      <p class={`banner t-${v.banner.tone}`} role="status">
        <Icon tone={v.banner.tone} /> {v.banner.text}
      </p>
      {v.activeIncidents.length ? (
        <section aria-labelledby="active">
          <h2 id="active">Active incidents</h2>
          {v.activeIncidents.map((i) => (
            <IncidentCard incident={i} latestOnly />
          ))}
        </section>
      ) : null}
      {v.maintenances.active.length || v.maintenances.upcoming.length ? (
        <section aria-labelledby="maintenance">
          <h2 id="maintenance">Maintenance</h2>
          {[...v.maintenances.active, ...v.maintenances.upcoming].map((i) => (
            <IncidentCard incident={i} latestOnly />
          ))}
        </section>
      ) : null}
      <section aria-labelledby="components">
        <h2 id="components">Components</h2>
        {v.components.map((c) => (
          <Component c={c} />
        ))}
      </section>
      <section aria-labelledby="subscribe">
        <h2 id="subscribe">Get updates</h2>
        <form class="subscribe" method="post" action={`/api/v1/pages/${v.basePath === '' ? 'default' : v.basePath.slice(3)}/subscribers`}>
          <label for="email">Email</label>
          <input id="email" name="email" type="email" required autocomplete="email" />
          <button type="submit">Subscribe</button>
        </form>
      </section>
      <p class="muted">
        <a href={`${v.basePath}/history`}>Incident history</a> · <a href={`${v.basePath}/history.atom`}>Atom</a> · <a href={`${v.basePath}/history.rss`}>RSS</a> · Times in {v.timeZone} · Updated <Time t={v.updatedAt} />
      </p>
      <script>{raw(BAR_KEYS)}</script>
    </Layout>
  );
}

export function HistoryPage(props: { view: HistoryView }) {
  const v = props.view;
  return (
    <Layout title={`${v.name} incident history`}>
      <h1>{v.name} incident history</h1>
      <p>
        <a href={v.basePath === '' ? '/' : v.basePath}>Current status</a>
      </p>
      {v.months.length === 0 ? <p>No incidents reported.</p> : null}
      {v.months.map((m) => (
        <section>
          <h2>{m.label}</h2>
          {m.incidents.map((i) => (
            <IncidentCard incident={i} latestOnly />
          ))}
        </section>
      ))}
      {v.page.count > 1 ? (
        <nav aria-label="History pages">
          {v.page.number > 1 ? <a href={`${v.basePath}/history${v.page.number === 2 ? '' : `/${v.page.number - 1}`}`}>Newer</a> : null}{' '}
          Page {v.page.number} of {v.page.count}{' '}
          {v.page.number < v.page.count ? <a href={`${v.basePath}/history/${v.page.number + 1}`}>Older</a> : null}
        </nav>
      ) : null}
      <p class="muted">
        Updated <Time t={v.updatedAt} />
      </p>
    </Layout>
  );
}

export function IncidentPage(props: { incident: IncidentView; name: string; basePath: string }) {
  const i = props.incident;
  return (
    <Layout title={`${i.name} · ${props.name} status`}>
      <p>
        <a href={props.basePath === '' ? '/' : props.basePath}>{props.name} status</a>
      </p>
      <h1>
        <Icon tone={i.tone} /> {i.name}
      </h1>
      <p class="muted">
        {i.statusLabel} · impact {i.impact} · opened <Time t={i.createdAt} />
        {i.resolvedAt ? (
          <>
            {' '}
            · resolved <Time t={i.resolvedAt} />
          </>
        ) : null}
      </p>
      {i.components.length ? <p>Affected: {i.components.join(', ')}</p> : null}
      <ol class="timeline">
        {i.updates.map((u) => (
          <li>
            <p>
              <strong>{u.statusLabel}</strong> · <Time t={u.at} />
            </p>
            {raw(u.bodyHtml)}
          </li>
        ))}
      </ol>
      {i.postmortemHtml ? (
        <section>
          <h2>Postmortem</h2>
          {raw(i.postmortemHtml)}
        </section>
      ) : null}
    </Layout>
  );
}
