/** The pages' only stylesheet, inlined (no third-party assets). Light and dark by prefers-color-scheme. */
export const CSS = `
:root{--bg:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--ok:#1a7f37;--minor:#9a6700;--major:#bc4c00;--critical:#cf222e;--maintenance:#0969da;--card:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#30363d;--ok:#3fb950;--minor:#d29922;--major:#f0883e;--critical:#ff7b72;--maintenance:#58a6ff;--card:#161b22}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,sans-serif}
main{max-width:52rem;margin:0 auto;padding:1rem}h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
a{color:var(--maintenance)}.muted{color:var(--muted);font-size:.875rem}
.banner{border:2px solid var(--line);border-radius:.5rem;padding:1rem;font-weight:600;display:flex;gap:.5rem;align-items:center}
.t-ok{--tone:var(--ok)}.t-minor{--tone:var(--minor)}.t-major{--tone:var(--major)}.t-critical{--tone:var(--critical)}.t-maintenance{--tone:var(--maintenance)}
.banner,.card{border-color:var(--tone,var(--line))}.icon{color:var(--tone);font-weight:700}
.card{border:1px solid var(--line);border-left:4px solid var(--tone,var(--line));border-radius:.5rem;padding:.75rem 1rem;margin:.75rem 0;background:var(--card)}
.comp{border-top:1px solid var(--line);padding:.75rem 0}.comp header{display:flex;justify-content:space-between;gap:1rem;flex-wrap:wrap}
.status{color:var(--tone);font-weight:600}.group>.comp{margin-left:1rem}
.bars{--tone:var(--ok);display:flex;gap:1px;list-style:none;padding:0;margin:.5rem 0 0;height:2rem}
.bars li{flex:1;background:var(--tone);border-radius:1px;position:relative;min-width:2px}
.bars li:focus{outline:2px solid var(--fg);outline-offset:1px}
.bars li:hover::after,.bars li:focus::after{content:attr(aria-label);position:absolute;bottom:2.4rem;left:50%;transform:translateX(-50%);background:var(--fg);color:var(--bg);padding:.25rem .5rem;border-radius:.25rem;white-space:nowrap;font-size:.75rem;z-index:1}
ol.timeline{list-style:none;padding:0}ol.timeline li{border-left:2px solid var(--line);padding:0 0 1rem 1rem}
form.subscribe{display:flex;gap:.5rem;flex-wrap:wrap}input,button{font:inherit;padding:.4rem .6rem;border:1px solid var(--line);border-radius:.375rem;background:var(--bg);color:var(--fg)}
@media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important}}
`;
