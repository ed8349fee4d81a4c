/**
 * Markdown-lite for incident bodies: paragraphs, `- ` lists, **bold** and
 * [links](https://…) (http and https only). Everything else is text: the
 * input is HTML-escaped before any markup is added, so no tag or attribute
 * from a body ever reaches the page.
 */
export function escapeHtml(s: string): string {
  // Characters XML 1.0 does not allow (feeds share this) are dropped.
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function inline(escaped: string): string {
  return escaped
    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/\[([^\]]+)\]\((https?:\/\/[^\s)"']+)\)/g, (_m, label: string, url: string) => `<a href="${url}" rel="nofollow noopener">${label}</a>`);
}

export function renderMarkdownLite(source: string): string {
  const blocks = escapeHtml(source.replace(/\r\n?/g, '\n')).split(/\n{2,}/);
  return blocks
    .map((block) => {
      const lines = block.split('\n').filter((l) => l.trim() !== '');
      if (lines.length === 0) return '';
      if (lines.every((l) => /^\s*[-*] /.test(l))) return `<ul>${lines.map((l) => `<li>${inline(l.replace(/^\s*[-*] /, ''))}</li>`).join('')}</ul>`;
      return `<p>${lines.map(inline).join('<br>')}</p>`;
    })
    .join('');
}
