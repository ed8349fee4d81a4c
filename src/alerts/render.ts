import type { AlertMessage } from './message.js';

/** An HTTP request to a channel's receiver, secrets included (built at send time, never stored). */
export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const COLOUR = { failing: 0xd93025, recovered: 0x1e8e3e, info: 0x1a73e8 } as const;
const EMOJI = { failing: '🔴', recovered: '✅', info: 'ℹ️' } as const;

const cut = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
const json = (url: string, body: unknown, headers: Record<string, string> = {}): OutboundRequest => ({
  url,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** The alert as lines of plain text (email, ntfy, and every kind's fallback text). */
export function plainText(m: AlertMessage): string {
  return [
    m.title,
    '',
    m.text,
    ...(m.facts.length ? ['', ...m.facts.map((f) => `${f.name}: ${f.value}`)] : []),
    ...(m.excerpt ? ['', 'Evidence:', m.excerpt] : []),
    ...(m.links.length ? ['', ...m.links.map((l) => `${l.label}: ${l.url}`)] : []),
  ].join('\n');
}

/** Slack incoming webhook: `text` (notifications, fallback) plus Block Kit `blocks`. */
export function slackRequest(url: string, m: AlertMessage): OutboundRequest {
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(`${EMOJI[m.state]} ${m.title}`, 150), emoji: true } },
    { type: 'section', text: { type: 'plain_text', text: cut(m.text, 3000), emoji: false } },
  ];
  if (m.facts.length) blocks.push({ type: 'section', fields: m.facts.slice(0, 10).map((f) => ({ type: 'plain_text', text: cut(`${f.name}: ${f.value}`, 2000), emoji: false })) });
  if (m.excerpt) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(`\`\`\`${m.excerpt.replace(/```/g, "'''")}\`\`\``, 3000) } });
  if (m.links.length) blocks.push({ type: 'context', elements: m.links.slice(0, 10).map((l) => ({ type: 'mrkdwn', text: `<${l.url}|${l.label.replace(/[<>|]/g, '')}>` })) });
  return json(url, { text: cut(`${EMOJI[m.state]} ${m.title}`, 3000), blocks });
}

/** Discord webhook: `content` plus one embed with colour and fields; mentions are never parsed. */
export function discordRequest(url: string, m: AlertMessage): OutboundRequest {
  const fields = m.facts.slice(0, 24).map((f) => ({ name: cut(f.name, 256), value: cut(f.value || '-', 1024), inline: true }));
  if (m.excerpt) fields.push({ name: 'Evidence', value: cut(`\`\`\`\n${m.excerpt.replace(/```/g, "'''")}\n\`\`\``, 1024), inline: false });
  const embed = {
    title: cut(m.title, 256),
    description: cut([m.text, ...m.links.map((l) => `[${l.label}](${l.url})`)].join('\n'), 4096),
    color: COLOUR[m.state],
    fields,
    timestamp: m.at,
    footer: { text: 'Overdue' },
  };
  return json(url, { content: cut(`${EMOJI[m.state]} ${m.title}`, 2000), embeds: [embed], allowed_mentions: { parse: [] } });
}

/** Microsoft Teams Workflows webhook: a message whose attachment is an Adaptive Card. */
export function teamsRequest(url: string, m: AlertMessage): OutboundRequest {
  const body: unknown[] = [
    { type: 'TextBlock', text: m.title, weight: 'Bolder', size: 'Medium', wrap: true, color: m.state === 'failing' ? 'Attention' : m.state === 'recovered' ? 'Good' : 'Default' },
    { type: 'TextBlock', text: m.text, wrap: true },
  ];
  if (m.facts.length) body.push({ type: 'FactSet', facts: m.facts.map((f) => ({ title: f.name, value: f.value })) });
  if (m.excerpt) body.push({ type: 'TextBlock', text: m.excerpt, wrap: true, fontType: 'Monospace', size: 'Small' });
  const card = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    actions: m.links.slice(0, 5).map((l) => ({ type: 'Action.OpenUrl', title: l.label, url: l.url })),
  };
  return json(url, { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }] });
}

const PD_SEVERITY = { critical: 'critical', warning: 'warning', info: 'info' } as const;

/**
 * PagerDuty Events API v2: `trigger` for a failure (and any other alert),
 * `resolve` with the same `dedup_key` for its recovery.
 */
export function pagerDutyRequest(eventsUrl: string, routingKey: string, m: AlertMessage): OutboundRequest {
  if (m.state === 'recovered') return json(eventsUrl, { routing_key: routingKey, event_action: 'resolve', dedup_key: m.dedupKey });
  return json(eventsUrl, {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: m.dedupKey,
    payload: {
      summary: cut(m.title, 1024),
      source: 'overdue',
      severity: PD_SEVERITY[m.severity],
      timestamp: m.at,
      component: m.kind.split('.')[0],
      custom_details: { text: m.text, ...Object.fromEntries(m.facts.map((f) => [f.name, f.value])), ...(m.excerpt ? { evidence: m.excerpt } : {}) },
    },
    links: m.links.map((l) => ({ href: l.url, text: l.label })),
  });
}

/** A header value ntfy reads as UTF-8: RFC 2047 encoded-word when not plain ASCII. */
function headerText(s: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\r\n]+/g, ' ');
  return /^[\x20-\x7e]*$/.test(clean) ? clean : `=?UTF-8?B?${Buffer.from(clean, 'utf8').toString('base64')}?=`;
}

/** ntfy: the message as the body, with Title, Priority and Tags headers (and the access token, if any). */
export function ntfyRequest(url: string, token: string | undefined, m: AlertMessage): OutboundRequest {
  const headers: Record<string, string> = {
    'content-type': 'text/plain; charset=utf-8',
    Title: headerText(cut(m.title, 250)),
    Priority: m.state === 'failing' ? (m.severity === 'critical' ? 'urgent' : 'high') : 'default',
    Tags: m.state === 'failing' ? 'rotating_light' : m.state === 'recovered' ? 'white_check_mark' : 'information_source',
  };
  if (m.links[0]) headers.Click = m.links[0].url;
  if (token) headers.Authorization = `Bearer ${token}`;
  return { url, headers, body: cut(plainText(m).split('\n').slice(2).join('\n') || m.title, 4000) };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** An alert mail: subject, plain text and HTML (escaped; no markdown). */
export function alertEmail(m: AlertMessage): { subject: string; text: string; html: string } {
  const facts = m.facts.map((f) => `<tr><th align="left" style="padding-right:12px">${escapeHtml(f.name)}</th><td>${escapeHtml(f.value)}</td></tr>`).join('');
  const html = [
    `<h2 style="color:#${COLOUR[m.state].toString(16).padStart(6, '0')}">${escapeHtml(m.title)}</h2>`,
    `<p>${escapeHtml(m.text).replace(/\n/g, '<br>')}</p>`,
    facts ? `<table>${facts}</table>` : '',
    m.excerpt ? `<pre style="background:#f4f4f4;padding:8px;white-space:pre-wrap">${escapeHtml(m.excerpt)}</pre>` : '',
    m.links.map((l) => `<p><a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a></p>`).join(''),
  ].join('\n');
  return { subject: `[Overdue] ${m.title}`.replace(/[\r\n]+/g, ' ').slice(0, 200), text: plainText(m), html };
}
