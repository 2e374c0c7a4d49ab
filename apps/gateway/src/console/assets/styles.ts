/** The console's stylesheet, served as /console/console.css (a file, so CSP needs no 'unsafe-inline'). */
export const CONSOLE_CSS = String.raw`
:root {
  --bg: #0f1419; --panel: #171d25; --panel-2: #1e2631; --line: #2a3441; --text: #e6edf3; --muted: #8b98a8;
  --accent: #4cc2ff; --accent-2: #a78bfa; --ok: #3fb950; --warn: #d29922; --bad: #f85149;
  --radius: 10px; --mono: ui-monospace, "DejaVu Sans Mono", Menlo, monospace;
}
* { box-sizing: border-box; }
html, body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.45 system-ui, "DejaVu Sans", sans-serif; }
[hidden] { display: none !important; }
header { display: flex; align-items: center; gap: 16px; padding: 12px 24px; border-bottom: 1px solid var(--line); background: var(--panel); position: sticky; top: 0; z-index: 2; }
header h1 { font-size: 16px; margin: 0; letter-spacing: .02em; }
header h1 span { color: var(--accent); }
header .spacer { flex: 1; }
.status-dot { width: 9px; height: 9px; border-radius: 50%; background: var(--muted); display: inline-block; margin-right: 6px; }
.status-dot.live { background: var(--ok); box-shadow: 0 0 6px var(--ok); }
.status-dot.down { background: var(--bad); }
main { padding: 20px 24px 40px; max-width: 1400px; margin: 0 auto; display: grid; gap: 18px; }
.grid { display: grid; gap: 18px; }
.grid.kpis { grid-template-columns: repeat(4, minmax(0, 1fr)); }
.grid.charts { grid-template-columns: repeat(3, minmax(0, 1fr)); }
.grid.halves { grid-template-columns: repeat(2, minmax(0, 1fr)); }
@media (max-width: 1000px) { .grid.kpis, .grid.charts, .grid.halves { grid-template-columns: 1fr; } }
section.card { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 14px 16px; min-width: 0; }
section.card h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin: 0 0 10px; font-weight: 600; display: flex; justify-content: space-between; align-items: baseline; }
section.card h2 small { text-transform: none; letter-spacing: 0; font-weight: 400; }
.kpi .value { font-size: 26px; font-weight: 650; font-variant-numeric: tabular-nums; }
.kpi .hint { color: var(--muted); font-size: 12px; }
.chart svg { width: 100%; height: 180px; display: block; }
.chart .legend { display: flex; gap: 14px; font-size: 12px; color: var(--muted); margin-top: 6px; }
.chart .legend i { display: inline-block; width: 10px; height: 3px; border-radius: 2px; margin-right: 5px; vertical-align: middle; }
svg .grid-line { stroke: var(--line); stroke-width: 1; }
svg .axis-label { fill: var(--muted); font-size: 10px; font-family: var(--mono); }
svg .series { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
svg .area { opacity: .15; }
.unavailable { color: var(--muted); border: 1px dashed var(--line); border-radius: 8px; padding: 14px; font-size: 13px; }
.unavailable strong { color: var(--warn); font-weight: 600; display: block; margin-bottom: 2px; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th { text-align: left; color: var(--muted); font-weight: 500; font-size: 12px; padding: 6px 8px; border-bottom: 1px solid var(--line); }
td { padding: 8px; border-bottom: 1px solid var(--line); vertical-align: middle; }
tr:last-child td { border-bottom: 0; }
td.num { font-variant-numeric: tabular-nums; font-family: var(--mono); }
.chip { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 11px; background: var(--panel-2); border: 1px solid var(--line); margin-right: 4px; }
.chip.production { border-color: var(--ok); color: var(--ok); }
.chip.candidate, .chip.staging { border-color: var(--accent-2); color: var(--accent-2); }
.chip.running, .chip.ok { border-color: var(--ok); color: var(--ok); }
.chip.stopped, .chip.draft { color: var(--muted); }
.chip.bad { border-color: var(--bad); color: var(--bad); }
.chip.warn { border-color: var(--warn); color: var(--warn); }
.split { display: flex; height: 8px; border-radius: 4px; overflow: hidden; background: var(--panel-2); min-width: 120px; }
.split span:nth-child(1) { background: var(--accent); }
.split span:nth-child(2) { background: var(--accent-2); }
.split span:nth-child(3) { background: var(--warn); }
.split-labels { font-size: 11px; color: var(--muted); margin-top: 3px; }
button { font: inherit; color: var(--text); background: var(--panel-2); border: 1px solid var(--line); border-radius: 7px; padding: 5px 12px; cursor: pointer; }
button:hover { border-color: var(--accent); }
button.primary { background: var(--accent); border-color: var(--accent); color: #04121c; font-weight: 600; }
button.danger { border-color: var(--bad); color: var(--bad); }
button:disabled { opacity: .45; cursor: not-allowed; }
.actions { display: flex; gap: 6px; justify-content: flex-end; }
.login { max-width: 420px; margin: 12vh auto; }
.login p { color: var(--muted); }
.login label { display: block; font-size: 12px; color: var(--muted); margin-bottom: 6px; }
input[type=password], input[type=text] { width: 100%; font: inherit; color: var(--text); background: var(--bg); border: 1px solid var(--line); border-radius: 7px; padding: 8px 10px; margin-bottom: 12px; }
.error { color: var(--bad); font-size: 13px; min-height: 1.2em; margin-top: 10px; }
dialog { background: var(--panel); color: var(--text); border: 1px solid var(--line); border-radius: var(--radius); padding: 20px; max-width: 440px; }
dialog::backdrop { background: rgba(0, 0, 0, .6); }
dialog h3 { margin: 0 0 8px; font-size: 16px; }
dialog p { color: var(--muted); margin: 0 0 16px; }
#toast { position: fixed; right: 20px; bottom: 20px; background: var(--panel-2); border: 1px solid var(--line); border-left: 3px solid var(--ok); border-radius: 8px; padding: 10px 14px; max-width: 420px; }
#toast.bad { border-left-color: var(--bad); }
.muted { color: var(--muted); }
.mono { font-family: var(--mono); }
`;
