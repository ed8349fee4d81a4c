import { TOKENS_CSS } from '../ui/tokens.js';
import type { Brand } from './view.js';

/**
 * The public pages' only stylesheet, inlined (no third-party assets): the
 * console's design tokens (ui/tokens.ts), light and dark by prefers-color-scheme,
 * and the page's accent colour over the house one when it has its own.
 */
export const CSS = `${TOKENS_CSS}*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:var(--font)}
a{color:var(--accent)}:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:var(--s3);top:var(--s3);background:var(--bg);padding:var(--s2);z-index:2}
header.brand{border-top:4px solid var(--accent);border-bottom:1px solid var(--line);background:var(--card)}
header.brand div{max-width:52rem;margin:0 auto;padding:var(--s2) var(--s3);display:flex;gap:var(--s3);align-items:center}
header.brand img{max-height:2.5rem;max-width:12rem}header.brand a{color:var(--fg);font-weight:700;text-decoration:none}
main{max-width:52rem;margin:0 auto;padding:var(--s3)}h1{font-size:1.5rem;margin:var(--s3) 0}h2{font-size:1.15rem;margin-top:var(--s5)}h3{font-size:1rem;margin:0}
.muted{color:var(--muted);font-size:.875rem}
.t-ok{--tone:var(--ok)}.t-minor{--tone:var(--minor)}.t-major{--tone:var(--major)}.t-critical{--tone:var(--critical)}.t-maintenance{--tone:var(--maintenance)}.t-nodata{--tone:var(--nodata)}
.icon{font-weight:700}.status{color:var(--tone);font-weight:600;white-space:nowrap}
.banner{background:var(--tone);color:var(--on-tone);border-radius:var(--radius);padding:var(--s3);font-size:1.15rem;font-weight:600;display:flex;gap:var(--s2);align-items:center;margin:var(--s3) 0}
.card{border:1px solid var(--line);border-left:6px solid var(--tone,var(--line));border-radius:var(--radius);padding:var(--s2) var(--s3);margin:var(--s3) 0;background:var(--card)}
.card h3 .icon{color:var(--tone)}.card .badge{display:inline-block;background:var(--tone);color:var(--on-tone);border-radius:var(--radius);padding:0 var(--s2);font-size:.875rem;font-weight:600}
.comp{padding:var(--s3) 0;border-top:1px solid var(--line)}.comp>header,.group>header{display:flex;justify-content:space-between;gap:var(--s3);flex-wrap:wrap;align-items:baseline}
.group{border:1px solid var(--line);border-radius:var(--radius);margin:var(--s3) 0;padding:0}
.group>header{background:var(--card);padding:var(--s2) var(--s3);border-radius:var(--radius) var(--radius) 0 0;border-bottom:1px solid var(--line)}
.group>header h3{font-size:1.05rem}.members{padding:0 var(--s3) 0 var(--s4)}.members>.comp:first-child{border-top:0}
.bars{--tone:var(--ok);display:flex;gap:1px;list-style:none;padding:0;margin:var(--s2) 0 0;height:2rem}
.bars li{flex:1;background:var(--tone);border-radius:1px;position:relative;min-width:2px}
.bars li:focus{outline:2px solid var(--fg);outline-offset:1px}
.bars li:hover::after,.bars li:focus::after{content:attr(aria-label);position:absolute;bottom:2.4rem;left:50%;transform:translateX(-50%);background:var(--fg);color:var(--bg);padding:var(--s1) var(--s2);border-radius:var(--s1);white-space:nowrap;font-size:.75rem;z-index:1}
.bars li:nth-child(-n+12):hover::after,.bars li:nth-child(-n+12):focus::after{left:0;transform:none}.bars li:nth-last-child(-n+12):hover::after,.bars li:nth-last-child(-n+12):focus::after{left:auto;right:0;transform:none}
.legend{display:flex;justify-content:space-between}
ol.timeline{list-style:none;padding:0}ol.timeline li{border-left:3px solid var(--line);padding:0 0 var(--s3) var(--s3)}
form.subscribe{display:flex;gap:var(--s2);flex-wrap:wrap;align-items:center}
input,button{font:inherit;padding:var(--s1) var(--s2);border:1px solid var(--line);border-radius:var(--radius);background:var(--bg);color:var(--fg)}
button{cursor:pointer;background:var(--accent);border-color:var(--accent);color:var(--on-tone);font-weight:600}button.quiet{background:var(--card);color:var(--fg);border-color:var(--line)}
fieldset{border:1px solid var(--line);border-radius:var(--radius);margin:var(--s3) 0;padding:var(--s2) var(--s3)}legend{font-weight:600;padding:0 var(--s1)}
.choice{display:flex;gap:var(--s2);align-items:center;margin:var(--s1) 0}.choice.member{margin-left:var(--s4)}
.notice{border-left:6px solid var(--ok);background:var(--card);padding:var(--s2) var(--s3);border-radius:var(--radius)}.notice.error{border-left-color:var(--critical)}
footer{max-width:52rem;margin:0 auto;padding:var(--s3)}
@media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important}}
`;

/** The page's accent over the house one: as chosen on light, its derived shade on dark. Empty without one. */
export function brandCss(brand: Brand): string {
  if (!brand.accent) return '';
  return `:root{--accent:${brand.accent.light}}@media (prefers-color-scheme:dark){:root{--accent:${brand.accent.dark}}}`;
}
