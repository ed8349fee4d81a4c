import { TOKENS_CSS } from '../ui/tokens.js';

/**
 * The console's stylesheet, inlined (no third-party assets): a small design
 * system of CSS custom properties (colour, spacing, type; ui/tokens.ts, shared
 * with the public status page), light and dark by prefers-color-scheme. The
 * console's state names are aliases of the shared status tones. Status
 * colours pass WCAG AA against their background and always come with a word
 * and an icon.
 */
export const CONSOLE_CSS = `
${TOKENS_CSS}:root{--late:var(--minor);--down:var(--critical);--paused:var(--muted);--new:var(--accent)}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:var(--font)}
a{color:var(--accent)}a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,summary:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:var(--s3);top:var(--s3);background:var(--bg);padding:var(--s2);z-index:2}
header.top{display:flex;gap:var(--s3);align-items:center;flex-wrap:wrap;padding:var(--s2) var(--s3);border-bottom:1px solid var(--line);background:var(--card)}
header.top nav ul{display:flex;gap:var(--s3);list-style:none;margin:0;padding:0;flex-wrap:wrap}header.top nav a[aria-current=page]{font-weight:700;text-decoration:none}
header.top .who{margin-left:auto;display:flex;gap:var(--s2);align-items:center;color:var(--muted);font-size:.875rem}
main{max-width:72rem;margin:0 auto;padding:var(--s3)}h1{font-size:1.5rem;margin:var(--s2) 0 var(--s3)}h2{font-size:1.15rem;margin-top:var(--s4)}
.muted{color:var(--muted);font-size:.875rem}.mono,pre,code{font:var(--mono)}pre{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:var(--s2);overflow:auto;white-space:pre-wrap;word-break:break-word}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:var(--s1) var(--s2);border-bottom:1px solid var(--line);vertical-align:top}th{font-size:.875rem;color:var(--muted);font-weight:600}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:var(--s2);list-style:none;padding:0}
.tile{border:1px solid var(--line);border-left:4px solid var(--tone,var(--line));border-radius:var(--radius);padding:var(--s2) var(--s3);background:var(--card)}.tile a{display:block;text-decoration:none;color:inherit}.tile b{font-size:1.5rem;display:block}
.s-down{--tone:var(--down)}.s-late{--tone:var(--late)}.s-up{--tone:var(--ok)}.s-new{--tone:var(--new)}.s-paused{--tone:var(--paused)}
.state{color:var(--tone);font-weight:600;white-space:nowrap}
form.inline{display:inline}input,button,select,textarea{font:inherit;padding:var(--s1) var(--s2);border:1px solid var(--line);border-radius:var(--radius);background:var(--bg);color:var(--fg)}
button{cursor:pointer;background:var(--card)}button.danger{border-color:var(--down);color:var(--down)}
.filters{display:flex;gap:var(--s2);flex-wrap:wrap;align-items:end;margin-bottom:var(--s3)}.filters label{display:flex;flex-direction:column;font-size:.875rem}
.actions{display:flex;gap:var(--s2);flex-wrap:wrap;margin:var(--s3) 0}
.empty{border:1px dashed var(--line);border-radius:var(--radius);padding:var(--s3)}
.login{max-width:26rem;margin:10vh auto}.login form{display:flex;flex-direction:column;gap:var(--s2)}
.error{color:var(--down);font-weight:600}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:var(--s1) var(--s3)}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
svg.chart{width:100%;height:6rem;border:1px solid var(--line);border-radius:var(--radius)}svg.chart rect{fill:var(--accent)}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
form.composer{max-width:44rem}.field{display:flex;flex-direction:column;gap:var(--s1);margin:var(--s2) 0}.field textarea{width:100%}
fieldset{border:1px solid var(--line);border-radius:var(--radius);margin:var(--s3) 0;padding:var(--s2) var(--s3)}legend{font-weight:600;padding:0 var(--s1)}.choices{list-style:none;padding-left:0;margin:var(--s1) 0}
.preview{border:1px solid var(--line);border-radius:var(--radius);padding:0 var(--s3);margin-top:var(--s3);background:var(--card)}
ol.updates{list-style:none;padding:0}ol.updates li{border-left:3px solid var(--line);padding-left:var(--s3);margin-bottom:var(--s3)}
svg.strip{width:100%;height:1.5rem;display:block;margin:var(--s2) 0}svg.strip rect{fill:var(--paused)}svg.strip .o-pass{fill:var(--ok)}svg.strip .o-warn{fill:var(--late)}svg.strip .o-fail,svg.strip .o-error{fill:var(--down)}
ul.tabs{display:flex;gap:var(--s3);flex-wrap:wrap;list-style:none;padding:0}ul.tabs a[aria-current=page]{font-weight:700;text-decoration:none}ul.samples{padding-left:var(--s3)}
ul.plain{list-style:none;margin:0;padding:0}th.member{padding-left:var(--s4)}th[scope=row]{font-weight:600;color:inherit;font-size:1rem}
@media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important}}
`;
