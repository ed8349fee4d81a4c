import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { CONSOLE_CSS } from './styles.js';
import type { CheckStateName, Viewer } from './view.js';

const NAV = [
  { href: '/console', label: 'Overview', adminOnly: false },
  { href: '/console/checks', label: 'Checks', adminOnly: false },
  { href: '/console/incidents', label: 'Incidents', adminOnly: false },
  { href: '/console/maintenances', label: 'Maintenances', adminOnly: false },
  { href: '/console/expectations', label: 'Expectations', adminOnly: false },
  { href: '/console/billing', label: 'Billing', adminOnly: false },
  { href: '/console/pages', label: 'Status pages', adminOnly: false },
  { href: '/console/channels', label: 'Alert channels', adminOnly: false },
  { href: '/console/jobs', label: 'Jobs', adminOnly: true },
  { href: '/console/deliveries', label: 'Deliveries', adminOnly: true },
];

const ICON: Record<CheckStateName, string> = { down: '✕', late: '!', new: '•', up: '✓', paused: '‖' };

/** A state in words with its icon (colour is never the only signal). */
export function State(props: { state: CheckStateName; label: string }) {
  return (
    <span class={`state s-${props.state}`}>
      <span aria-hidden="true">{ICON[props.state]}</span> {props.label}
    </span>
  );
}

/** A form that changes something: POST with the session's CSRF token. */
export function ActionForm(props: { action: string; csrf: string; label: string; danger?: boolean; confirm?: string }) {
  return (
    <form class="inline" method="post" action={props.action} data-confirm={props.confirm}>
      <input type="hidden" name="csrf" value={props.csrf} />
      <button type="submit" class={props.danger ? 'danger' : undefined}>
        {props.label}
      </button>
    </form>
  );
}

// Progressive enhancement only: confirmation dialogs and local times; every page works without it.
const SCRIPT = `
document.addEventListener('submit',e=>{const m=e.target.dataset&&e.target.dataset.confirm;if(m&&!confirm(m))e.preventDefault()});
for(const t of document.querySelectorAll('time[data-local]')){const d=new Date(t.dateTime);if(!isNaN(d))t.title=d.toLocaleString()+' (your time)'}
`;

function Head(props: { title: string }) {
  return (
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="color-scheme" content="light dark" />
      <meta name="robots" content="noindex" />
      <title>{`${props.title} · Overdue console`}</title>
      <style>{raw(CONSOLE_CSS)}</style>
    </head>
  );
}

export function Page(props: { title: string; current: string; viewer: Viewer; children: Child }) {
  return (
    <html lang="en">
      <Head title={props.title} />
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <strong>Overdue</strong>
          <nav aria-label="Console">
            <ul>
              {NAV.filter((n) => !n.adminOnly || props.viewer.admin).map((n) => (
                <li>
                  <a href={n.href} aria-current={n.href === props.current ? 'page' : undefined}>
                    {n.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <div class="who">
            <span>Signed in as {props.viewer.label}</span>
            <form class="inline" method="post" action="/console/logout">
              <input type="hidden" name="csrf" value={props.viewer.csrf} />
              <button type="submit">Sign out</button>
            </form>
          </div>
        </header>
        <main id="main">{props.children}</main>
        <script>{raw(SCRIPT)}</script>
      </body>
    </html>
  );
}

/** Any unknown console path or id: the console's layout, one h1, a way back. */
export function NotFoundPage(props: { viewer: Viewer; back?: { href: string; label: string } }) {
  const back = props.back ?? { href: '/console', label: 'Overview' };
  return (
    <Page title="Not found" current="" viewer={props.viewer}>
      <h1>Not found</h1>
      <p>There is nothing here, or it is not yours to see. It may have been deleted.</p>
      <p>
        <a href={back.href}>Back to {back.label}</a>
      </p>
    </Page>
  );
}

export function LoginPage(props: { error?: string; status?: number }) {
  return (
    <html lang="en">
      <Head title="Sign in" />
      <body>
        <main id="main" class="login">
          <h1>Sign in to the Overdue console</h1>
          {props.error ? (
            <p class="error" role="alert">
              {props.error}
            </p>
          ) : null}
          <form method="post" action="/console/login">
            <label for="key">API key</label>
            <input id="key" name="key" type="password" autocomplete="current-password" required maxlength={300} />
            <button type="submit">Sign in</button>
          </form>
          <p class="muted">Any API key works: the admin key, a tenant key, or a read-only key (which sees everything its tenant may see and changes nothing).</p>
        </main>
      </body>
    </html>
  );
}
