import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Kysely } from 'kysely';
import type { LoopSpec } from '../background.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { loadPageData, type PageData } from './page-data.js';
import { findPageBySlug, pageVersions } from '../incidents/index.js';

const RENDER_MAX_AGE_MS = 60_000;

export interface Rendered {
  body: string;
  /** Compressed once per render, for clients that accept gzip. */
  gzip: Uint8Array | null;
  etag: string;
  contentType: string;
  /** HTML pages: their Content-Security-Policy. */
  csp?: string;
}

/** Renders every public document of a page (JSON, HTML, feeds), keyed by path. */
export type PageRenderer = (data: PageData) => Record<string, { body: string; contentType: string; csp?: string }>;

/**
 * Public pages and JSON rendered once per change and served from memory.
 * Each page row carries a version bumped in the transaction of any change;
 * this instance polls the versions every second (so a write on another
 * instance shows within a second) and re-reads them at once after a local
 * write. A request renders only when its page's version moved.
 */
export class PageCache {
  #versions = new Map<string, bigint>();
  /** Slugs found missing, and when: re-checked at most once a second each. */
  readonly #missing = new Map<string, number>();
  readonly #entries = new Map<string, { version: bigint; docs: Map<string, Rendered>; renderedAt: Date }>();
  readonly #rendering = new Map<string, Promise<void>>();

  constructor(private readonly deps: { db: Kysely<Database>; clock: Clock; logger: Logger; render: PageRenderer }) {}

  loop(): LoopSpec {
    return { name: 'status-cache', intervalMs: 1000, tick: async () => void (await this.refreshVersions()) };
  }

  async refreshVersions(): Promise<void> {
    this.#versions = await pageVersions(this.deps.db);
  }

  /** After a local write: the next request sees it. */
  async invalidate(): Promise<void> {
    await this.refreshVersions();
  }

  async get(slug: string, path: string): Promise<Rendered | undefined | 'no_page'> {
    // An unknown slug re-reads the versions (the page may have just been created elsewhere), but
    // the same unknown slug at most once a second: repeated requests for it do not each cost a query.
    if (!this.#versions.has(slug)) {
      const now = this.deps.clock.now().getTime();
      const missedAt = this.#missing.get(slug);
      if (missedAt === undefined || now - missedAt >= 1000) {
        await this.refreshVersions();
        if (!this.#versions.has(slug)) {
          if (this.#missing.size > 10_000) this.#missing.clear();
          this.#missing.set(slug, now);
        }
      }
    }
    const version = this.#versions.get(slug);
    if (version === undefined) return 'no_page';
    let entry = this.#entries.get(slug);
    // Re-render when the page changed, and once a minute anyway: uptime bars and the current day move with time.
    for (let i = 0; i < 2 && (!entry || entry.version < (this.#versions.get(slug) ?? version) || this.#stale(entry)); i++) {
      // A render already running may have started before a write: check again after it.
      await this.#render(slug);
      entry = this.#entries.get(slug);
    }
    return entry?.docs.get(path);
  }

  #stale(entry: { renderedAt: Date }): boolean {
    return this.deps.clock.now().getTime() - entry.renderedAt.getTime() >= RENDER_MAX_AGE_MS;
  }

  async #render(slug: string): Promise<void> {
    let pending = this.#rendering.get(slug);
    if (!pending) {
      pending = (async () => {
        const page = await findPageBySlug(this.deps.db, slug);
        if (!page) return;
        const data = await loadPageData(this.deps.db, page, this.deps.clock.now());
        const docs = new Map<string, Rendered>();
        for (const [path, doc] of Object.entries(this.deps.render(data))) {
          docs.set(path, {
            ...doc,
            gzip: doc.body.length >= 1024 ? gzipSync(doc.body) : null,
            etag: `"${createHash('sha256').update(doc.body).digest('base64url').slice(0, 27)}"`,
          });
        }
        this.#entries.set(slug, { version: BigInt(page.version), docs, renderedAt: data.loadedAt });
      })().finally(() => this.#rendering.delete(slug));
      this.#rendering.set(slug, pending);
    }
    await pending;
  }
}
