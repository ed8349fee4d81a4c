/**
 * Text with the value of every `token=` parameter replaced: the links in
 * subscription and channel mail carry signed tokens that act for their
 * recipient (confirm, unsubscribe), so they are shown to nobody else.
 */
export function redactTokens(text: string): string {
  return text.replace(/\btoken=[^&\s"'<>]+/g, 'token=[redacted]');
}

// What identifies and authorizes in a path: check UUIDs (anyone holding one may ping), ping keys
// (22 lowercase letters and digits) and API keys. Slugs and words stay readable.
const PATH_SECRETS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<![A-Za-z0-9])[a-z0-9]{22}(?![A-Za-z0-9])|od_[a-z]+_[A-Za-z0-9_-]+/gi;

/** A request path safe to log: UUIDs, ping keys and API keys in it become `***`. */
export function redactPath(path: string): string {
  return path.replace(PATH_SECRETS, '***');
}

/** A URL safe to log or print: any password, and the UUIDs and keys in its path and query, replaced by ***. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    u.pathname = redactPath(u.pathname);
    if (u.search) u.search = redactPath(u.search);
    return u.toString();
  } catch {
    return '(unparseable url)';
  }
}
