import { escapeHtml } from './markdown.js';
import type { IncidentView } from './view.js';

/** Atom and RSS feeds of a page's incidents and maintenances, newest first. All text escaped. */
export function atomFeed(f: { title: string; url: string; updated: string; incidents: IncidentView[] }): string {
  const entries = f.incidents
    .map(
      (i) => `<entry><id>${escapeHtml(`${f.url}${i.href}`)}</id><title>${escapeHtml(i.name)}</title><updated>${i.updates[0]?.at.iso ?? i.createdAt.iso}</updated><published>${i.createdAt.iso}</published><link rel="alternate" type="text/html" href="${escapeHtml(`${f.url}${i.href}`)}"/><content type="html">${escapeHtml(i.updates.map((u) => `<p><strong>${u.statusLabel}</strong> · ${u.at.text}</p>${u.bodyHtml}`).join(''))}</content></entry>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><id>${escapeHtml(`${f.url}/history.atom`)}</id><title>${escapeHtml(f.title)}</title><updated>${f.updated}</updated><link rel="alternate" type="text/html" href="${escapeHtml(f.url)}"/><link rel="self" type="application/atom+xml" href="${escapeHtml(`${f.url}/history.atom`)}"/>${entries}</feed>`;
}

export function rssFeed(f: { title: string; url: string; incidents: IncidentView[] }): string {
  const items = f.incidents
    .map(
      (i) => `<item><title>${escapeHtml(i.name)}</title><link>${escapeHtml(`${f.url}${i.href}`)}</link><guid isPermaLink="true">${escapeHtml(`${f.url}${i.href}`)}</guid><pubDate>${new Date(i.createdAt.iso).toUTCString()}</pubDate><description>${escapeHtml(i.updates.map((u) => `<p><strong>${u.statusLabel}</strong> · ${u.at.text}</p>${u.bodyHtml}`).join(''))}</description></item>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>${escapeHtml(f.title)}</title><link>${escapeHtml(f.url)}</link><description>${escapeHtml(`${f.title}: incidents and maintenance`)}</description>${items}</channel></rss>`;
}
