/**
 * The public status page: what the composition root wires (page cache,
 * renderer, public routes), the Statuspage v2 JSON the manual API answers
 * with, and what notify sends subscribers about a page event.
 */
export { PageCache } from './page-cache.js';
export { brandOf, HTML_PATHS, renderPage } from './render.js';
export { publicRoutes } from './public-routes.js';
export { componentJson, incidentJson, pageUrl, webhookBody } from './statuspage-json.js';
export { loadEventView } from './event-view.js';
export { statusModule } from './module.js';
// The incident bodies' renderer (the console previews with the same one the public page uses).
export { renderMarkdownLite } from '../../status-ui/markdown.js';
