import { raw } from 'hono/html';
import { homeOf, Icon, publicDocument, type PublicDocument } from './layout.js';
import { escapeHtml } from './markdown.js';
import { SubscribeForm } from './subscribe-form.js';
import type { ComponentView, DayView, HistoryView, IncidentView, PageView, TimeView, Brand } from './view.js';

function Time(props: { t: TimeView }) {
  return <time datetime={props.t.iso}>{props.t.text}</time>;
}

/** An incident or maintenance: its colour and icon follow its status and impact, always with both in words. */
function IncidentCard(props: { incident: IncidentView; latestOnly?: boolean }) {
  const i = props.incident;
  const updates = props.latestOnly ? i.updates.slice(0, 1) : i.updates;
  return (
    <article class={`card t-${i.tone}`}>
      <h3>
        <Icon tone={i.tone} /> <a href={i.href}>{i.name}</a>
      </h3>
      <p>
        <span class="badge">{i.statusLabel}</span> <span class="muted">{i.impactLabel}</span>
      </p>
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
 * The day slots of an uptime bar, written by hand because they are most of the
 * page's bytes (90 per component): no closing tags (optional for `li`), an
 * unquoted tabindex, and no class on operational days (the list's default
 * tone). Each day stays focusable and named, for keyboards and screen readers.
 */
function dayBars(days: DayView[]): string {
  let out = '';
  for (const d of days) out += `<li tabindex=0${d.tone === 'ok' ? '' : ` class=t-${d.tone}`} aria-label="${escapeHtml(d.label)}">`;
  return out;
}

function Bars(props: { c: ComponentView }) {
  const c = props.c;
  if (!c.days.length) return null;
  return (
    <>
      <ol class="bars" aria-label={`${c.name}: the last ${c.days.length} days, oldest first`}>
        {raw(dayBars(c.days))}
      </ol>
      <p class="muted legend">
        <span>{c.days.length} days ago</span>
        <span>{c.uptime === null ? 'No data yet' : `${c.uptime} uptime`}</span>
        <span>Today</span>
      </p>
    </>
  );
}

function ComponentHeader(props: { c: ComponentView }) {
  const c = props.c;
  return (
    <header>
      <h3>{c.name}</h3>
      <span class="status">
        <Icon tone={c.tone} /> {c.statusLabel}
      </span>
    </header>
  );
}

/** A component with its bars; a group is a header with its members indented beneath it. */
function Component(props: { c: ComponentView }) {
  const c = props.c;
  if (c.group) {
    return (
      <section class={`group t-${c.tone}`} aria-label={c.name}>
        <ComponentHeader c={c} />
        {c.description ? <p class="muted members">{c.description}</p> : null}
        <div class="members">
          {c.children.map((child) => (
            <Component c={child} />
          ))}
        </div>
      </section>
    );
  }
  return (
    <section class={`comp t-${c.tone}`} aria-label={c.name}>
      <ComponentHeader c={c} />
      {c.description ? <p class="muted">{c.description}</p> : null}
      <Bars c={c} />
    </section>
  );
}

// Progressive enhancement only: arrow keys move between the days of a bar (the page works without it).
const BAR_KEYS = `document.addEventListener('keydown',function(e){var t=e.target;if(!t||!t.parentElement||!t.parentElement.classList.contains('bars'))return;var n=e.key==='ArrowRight'?t.nextElementSibling:e.key==='ArrowLeft'?t.previousElementSibling:null;if(n){n.focus();e.preventDefault()}})`;

function Footer(props: { brand: Brand; timeZone?: string; updatedAt: TimeView }) {
  const base = props.brand.basePath;
  return (
    <p class="muted">
      <a href={`${base}/history`}>Incident history</a> · <a href={`${base}/history.atom`}>Atom</a> · <a href={`${base}/history.rss`}>RSS</a>
      {props.timeZone ? ` · Times in ${props.timeZone}` : ''} · Updated <Time t={props.updatedAt} />
    </p>
  );
}

export function StatusPage(props: { view: PageView }): PublicDocument {
  const v = props.view;
  const slug = v.brand.basePath === '' ? 'default' : v.brand.basePath.slice(3);
  return publicDocument({
    brand: v.brand,
    title: `${v.brand.name} status`,
    script: BAR_KEYS,
    children: (
      <>
        <h1>{v.brand.name} status</h1>
        <div class={`banner t-${v.banner.tone}`} role="status">
          <Icon tone={v.banner.tone} /> {v.banner.text}
        </div>
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
          <SubscribeForm action={`/api/v1/pages/${slug}/subscribers`} />
        </section>
        <Footer brand={v.brand} timeZone={v.timeZone} updatedAt={v.updatedAt} />
      </>
    ),
  });
}

export function HistoryPage(props: { view: HistoryView }): PublicDocument {
  const v = props.view;
  const base = v.brand.basePath;
  return publicDocument({
    brand: v.brand,
    title: `${v.brand.name} incident history`,
    children: (
      <>
        <h1>{v.brand.name} incident history</h1>
        <p>
          <a href={homeOf(v.brand)}>Current status</a>
        </p>
        {v.months.length === 0 ? <p>No incidents reported.</p> : null}
        {v.months.map((m) => (
          <section aria-label={m.label}>
            <h2>{m.label}</h2>
            {m.incidents.map((i) => (
              <IncidentCard incident={i} latestOnly />
            ))}
          </section>
        ))}
        {v.page.count > 1 ? (
          <nav aria-label="History pages">
            {v.page.number > 1 ? <a href={`${base}/history${v.page.number === 2 ? '' : `/${v.page.number - 1}`}`}>Newer</a> : null} Page {v.page.number} of {v.page.count}{' '}
            {v.page.number < v.page.count ? <a href={`${base}/history/${v.page.number + 1}`}>Older</a> : null}
          </nav>
        ) : null}
        <p class="muted">
          Updated <Time t={v.updatedAt} />
        </p>
      </>
    ),
  });
}

export function IncidentPage(props: { incident: IncidentView; brand: Brand }): PublicDocument {
  const i = props.incident;
  return publicDocument({
    brand: props.brand,
    title: `${i.name} · ${props.brand.name} status`,
    children: (
      <>
        <p>
          <a href={homeOf(props.brand)}>{props.brand.name} status</a>
        </p>
        <article class={`card t-${i.tone}`}>
          <h1>
            <Icon tone={i.tone} /> {i.name}
          </h1>
          <p>
            <span class="badge">{i.statusLabel}</span> <span class="muted">{i.impactLabel}</span>
          </p>
          <p class="muted">
            Opened <Time t={i.createdAt} />
            {i.resolvedAt ? (
              <>
                {' '}
                · resolved <Time t={i.resolvedAt} />
              </>
            ) : null}
          </p>
          {i.scheduledFor && i.scheduledUntil ? (
            <p class="muted">
              Scheduled <Time t={i.scheduledFor} /> – <Time t={i.scheduledUntil} />
            </p>
          ) : null}
          {i.components.length ? <p>Affected: {i.components.join(', ')}</p> : null}
        </article>
        <h2>Updates</h2>
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
          <section aria-labelledby="postmortem">
            <h2 id="postmortem">Postmortem</h2>
            {raw(i.postmortemHtml)}
          </section>
        ) : null}
      </>
    ),
  });
}
