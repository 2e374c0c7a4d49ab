/**
 * `mlops ab`: experiments and rollouts through the gateway's admin API (`/admin/experiments`),
 * the spec's `create|start|stop|analyze|report|cli`, plus `list`, `promote` and `rollback`.
 * `report` writes Markdown and HTML with charts (inline SVG in the HTML, SVG files beside the
 * Markdown) of the primary metric over time and of each difference with its interval.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import YAML from 'yaml';
import type { AnalysisPoint, Experiment } from '@mlops/schemas';
import type { CliCommand, CliIo } from '../command';
import { UsageError } from '../command';
import { gatewayUrl, parse, writeJson } from '../args';
import { callGateway, HttpFailure } from '../gateway-client';

const usage = `Usage: mlops ab <subcommand> [options] [--gateway URL]

Subcommands:
  list                                   experiments: kind, model, status, live variant, recommendation
  create --file FILE [--experiment ID]   create the experiments of a YAML file (config/ab_test_config.yaml format)
  create --json SPEC                     create one from an ExperimentSpec in JSON
  start|stop|rollback ID [--reason TEXT]
  promote ID [--variant V] [--reason TEXT]
                                         promote the winner (or V): moves the production alias
  analyze ID                             metrics per variant and the latest analysis (JSON)
  report ID [--out DIR]                  write DIR/ID.md and DIR/ID.html (default DIR: reports)
  cli                                    interactive shell: type subcommands, 'help', 'quit'

Talks to the gateway (GATEWAY_URL, default http://localhost:8000) as an admin: MLOPS_API_KEY is
sent as X-API-Key, MLOPS_TOKEN (a JWT) as Authorization: Bearer; either needs the admin scope.`;

const OPTIONS = {
  gateway: { type: 'string' },
  file: { type: 'string' },
  experiment: { type: 'string' },
  json: { type: 'string' },
  reason: { type: 'string' },
  variant: { type: 'string' },
  out: { type: 'string' },
} as const;

const call = <T>(io: CliIo, url: string, route: string, body?: unknown) => callGateway<T>(io, url, route, body);

/** The experiments of a YAML file in the config format, each with its id. */
export function specsFromYaml(text: string, only?: string): Record<string, unknown>[] {
  const entries = (YAML.parse(text) as { experiments?: Record<string, object> } | null)?.experiments ?? {};
  const specs = Object.entries(entries).map(([id, spec]) => ({ experiment_id: id, ...spec }));
  const chosen = only === undefined ? specs : specs.filter((s) => s.experiment_id === only);
  if (chosen.length === 0) throw new UsageError(only ? `the file has no experiment '${only}'` : 'the file defines no experiments');
  return chosen;
}

// ---- report -------------------------------------------------------------------------------

interface Comparison {
  treatment: string;
  ready: boolean;
  decision: string;
  reason: string;
  estimate?: { control: number; treatment: number; difference: number; ci: [number, number]; ciLevel: number };
  pValues?: { fixedHorizon: number; fixedHorizonAdjusted: number; sequential: number; sequentialAdjusted: number };
  effectSize?: { measure: string; value: number };
  power?: number;
  srm?: { pValue: number; mismatch: boolean };
}

interface Summary {
  requests: number;
  predictions: number;
  accuracy: number | null;
  f1: number | null;
  confidence: { mean: number } | null;
  latencyMs: { mean: number } | null;
  latencyP95Ms: number | null;
  errorRate: number | null;
}

const fmt = (value: number | null | undefined, digits = 4) => (value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits));
const pFmt = (p: number | undefined) => (p === undefined ? '—' : p < 1e-4 ? p.toExponential(2) : p.toFixed(4));
const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

interface Series {
  name: string;
  points: [number, number][];
  band?: [number, number, number][];
}

/** A line chart over time as standalone SVG: one line per series, optional shaded interval band. */
export function lineChart(title: string, series: Series[], yLabel: string, zeroLine = false): string {
  const [w, h, left, right, top, bottom] = [640, 260, 60, 130, 30, 30];
  const all = series.flatMap((s) => [...s.points.map(([x, y]) => [x, y, y]), ...(s.band ?? [])]);
  if (all.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="60"><text x="10" y="30">${escapeHtml(title)}: no data yet</text></svg>`;
  const xs = all.map((p) => p[0]);
  const ys = all.flatMap((p) => [p[1], p[2]]).concat(zeroLine ? [0] : []);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs) === Math.min(...xs) ? Math.min(...xs) + 1 : Math.max(...xs)];
  const pad = (Math.max(...ys) - Math.min(...ys)) * 0.05 || 0.01;
  const [y0, y1] = [Math.min(...ys) - pad, Math.max(...ys) + pad];
  const sx = (x: number) => left + ((x - x0) / (x1 - x0)) * (w - left - right);
  const sy = (y: number) => top + (1 - (y - y0) / (y1 - y0)) * (h - top - bottom);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="11">`, `<text x="${left}" y="18" font-size="13">${escapeHtml(title)}</text>`];
  for (const tick of [y0 + pad, (y0 + y1) / 2, y1 - pad]) parts.push(`<text x="${left - 6}" y="${sy(tick) + 4}" text-anchor="end">${tick.toFixed(3)}</text>`, `<line x1="${left}" x2="${w - right}" y1="${sy(tick)}" y2="${sy(tick)}" stroke="#eee"/>`);
  if (zeroLine) parts.push(`<line x1="${left}" x2="${w - right}" y1="${sy(0)}" y2="${sy(0)}" stroke="#888" stroke-dasharray="4 3"/>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    if (s.band && s.band.length > 0) {
      const upper = s.band.map(([x, , hi]) => `${sx(x)},${sy(hi)}`);
      const lower = [...s.band].reverse().map(([x, lo]) => `${sx(x)},${sy(lo)}`);
      parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${color}" fill-opacity="0.15"/>`);
    }
    if (s.points.length === 1) parts.push(`<circle cx="${sx(s.points[0][0])}" cy="${sy(s.points[0][1])}" r="3" fill="${color}"/>`);
    else parts.push(`<polyline points="${s.points.map(([x, y]) => `${sx(x)},${sy(y)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${w - right + 8}" y="${top + 14 * (i + 1)}" fill="${color}">${escapeHtml(s.name)}</text>`);
  });
  parts.push(`<text x="12" y="${h / 2}" transform="rotate(-90 12 ${h / 2})" text-anchor="middle">${escapeHtml(yLabel)}</text>`);
  parts.push(`<text x="${left}" y="${h - 8}">${new Date(x0).toISOString().slice(0, 19)}Z</text><text x="${w - right}" y="${h - 8}" text-anchor="end">${new Date(x1).toISOString().slice(0, 19)}Z</text></svg>`);
  return parts.join('');
}

function charts(experiment: Experiment): { metric: string; difference: string } {
  const metricName = String(experiment.analysis?.primaryMetric ?? 'metric');
  const history: AnalysisPoint[] = experiment.history;
  const variants = [experiment.spec.control_variant, ...experiment.spec.treatment_variants];
  const metric = lineChart(
    `${metricName} per variant over time`,
    variants.map((name) => ({ name, points: history.flatMap((p) => (p.values[name]?.value === null || p.values[name] === undefined ? [] : [[p.at, p.values[name].value as number] as [number, number]])) })),
    metricName,
  );
  const difference = lineChart(
    `difference to ${experiment.spec.control_variant} with its interval`,
    experiment.spec.treatment_variants.map((name) => {
      const looks = history.flatMap((p) => p.comparisons.filter((c) => c.treatment === name).map((c) => ({ at: p.at, ...c })));
      return { name, points: looks.map((c) => [c.at, c.difference] as [number, number]), band: looks.map((c) => [c.at, c.ci[0], c.ci[1]] as [number, number, number]) };
    }),
    `${metricName} difference`,
    true,
  );
  return { metric, difference };
}

/** The report as Markdown (charts referenced as files) and as one self-contained HTML page. */
export function renderReport(experiment: Experiment, chartFiles: { metric: string; difference: string }): { markdown: string; html: string } {
  const analysis = experiment.analysis ?? {};
  const summaries = (analysis.summaries ?? {}) as Record<string, Summary>;
  const comparisons = (analysis.comparisons ?? []) as Comparison[];
  const variants = [experiment.spec.control_variant, ...experiment.spec.treatment_variants];
  const variantRows = variants.map((name) => {
    const s = summaries[name];
    const m = experiment.metrics[name];
    return [name, experiment.spec.variants[name], m?.modelVersion ?? '—', String(s?.requests ?? m?.assigned ?? 0), String(m?.labelled ?? 0), fmt(s?.accuracy), fmt(s?.f1), fmt(s?.confidence?.mean), s?.latencyP95Ms == null ? '—' : `≤ ${s.latencyP95Ms}`, fmt(s?.errorRate)];
  });
  const comparisonRows = comparisons.map((c) => [
    c.treatment,
    fmt(c.estimate?.difference),
    c.estimate ? `[${fmt(c.estimate.ci[0])}, ${fmt(c.estimate.ci[1])}] (${(c.estimate.ciLevel * 100).toFixed(1)}%)` : '—',
    pFmt(c.pValues?.fixedHorizonAdjusted),
    pFmt(c.pValues?.sequentialAdjusted),
    c.effectSize ? `${c.effectSize.measure} ${fmt(c.effectSize.value, 3)}` : '—',
    fmt(c.power, 3),
    c.srm ? `${pFmt(c.srm.pValue)}${c.srm.mismatch ? ' MISMATCH' : ''}` : '—',
    `${c.decision}: ${c.reason}`,
  ]);
  const decisionRows = experiment.decisions.map((d) => [new Date(d.at).toISOString(), d.action, d.actor, d.variant ?? '', d.reason]);
  const tables: [string, string[], string[][]][] = [
    ['Variants', ['variant', 'serves', 'version', 'requests', 'labelled', 'accuracy', 'F1', 'confidence', 'p95 latency ms', 'error rate'], variantRows],
    [`Comparisons with ${experiment.spec.control_variant} (${String(analysis.primaryMetric ?? '—')}, ${String(analysis.correction ?? '—')} correction)`, ['treatment', 'difference', 'interval', 'p fixed (adj.)', 'p sequential (adj.)', 'effect size', 'power at MDE', 'SRM p', 'decision'], comparisonRows],
    ['Decision log', ['at', 'action', 'by', 'variant', 'reason'], decisionRows],
  ];
  const head = [
    ['experiment', experiment.experimentId],
    ['kind', experiment.spec.kind ?? 'ab'],
    ['model', experiment.spec.model_name ?? '—'],
    ['status', experiment.status],
    ['live variant', experiment.liveVariant],
    ['recommendation', String(analysis.recommendation ?? '—')],
    ['started', experiment.startedAt ? new Date(experiment.startedAt).toISOString() : '—'],
    ['minimum sample size', String(experiment.spec.minimum_sample_size)],
  ];
  const mdCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const mdTable = (header: string[], rows: string[][]) => [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`)].join('\n');
  const markdown = [
    `# Experiment report: ${experiment.experimentId}`,
    '',
    ...head.map(([k, v]) => `- **${k}**: ${v}`),
    '',
    ...tables.flatMap(([title, header, rows]) => [`## ${title}`, '', rows.length ? mdTable(header, rows) : '_none yet_', '']),
    '## Charts',
    '',
    `![metric over time](${chartFiles.metric})`,
    '',
    `![difference with interval](${chartFiles.difference})`,
    '',
  ].join('\n');
  const svg = charts(experiment);
  const htmlTable = (header: string[], rows: string[][]) =>
    `<table><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('')}</table>`;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Experiment ${escapeHtml(experiment.experimentId)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px;text-align:left}th{background:#f4f4f4}</style></head><body>
<h1>Experiment report: ${escapeHtml(experiment.experimentId)}</h1>
<ul>${head.map(([k, v]) => `<li><b>${escapeHtml(k)}</b>: ${escapeHtml(v)}</li>`).join('')}</ul>
${tables.map(([title, header, rows]) => `<h2>${escapeHtml(title)}</h2>${rows.length ? htmlTable(header, rows) : '<p><i>none yet</i></p>'}`).join('\n')}
<h2>Charts</h2>${svg.metric}${svg.difference}
</body></html>
`;
  return { markdown, html };
}

function writeReport(experiment: Experiment, outDir: string): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  const base = experiment.experimentId;
  const files = { metric: `${base}-metric.svg`, difference: `${base}-difference.svg` };
  const svg = charts(experiment);
  const { markdown, html } = renderReport(experiment, files);
  const written = [
    [`${base}.md`, markdown],
    [`${base}.html`, html],
    [files.metric, svg.metric],
    [files.difference, svg.difference],
  ].map(([name, content]) => {
    const file = path.join(outDir, name);
    fs.writeFileSync(file, content);
    return file;
  });
  return written;
}

// ---- dispatch -----------------------------------------------------------------------------

type Values = Partial<Record<keyof typeof OPTIONS, string>>;

async function runSubcommand(sub: string | undefined, rest: string[], values: Values, url: string, io: CliIo): Promise<void> {
  const idOf = () => {
    if (!rest[0]) throw new UsageError(`${sub} needs an experiment id`);
    return encodeURIComponent(rest[0]);
  };
  const action = (name: string) => call<Experiment>(io, url, `/admin/experiments/${idOf()}/${name}`, { ...(values.reason ? { reason: values.reason } : {}), ...(values.variant ? { variant: values.variant } : {}) });
  switch (sub) {
    case 'list':
      return writeJson(io.stdout, await call(io, url, '/admin/experiments'));
    case 'create': {
      let specs: unknown[];
      if (values.json) {
        try {
          specs = [JSON.parse(values.json)];
        } catch (error) {
          throw new UsageError(`--json is not valid JSON: ${(error as Error).message}`);
        }
      } else if (values.file) {
        if (!fs.existsSync(values.file)) throw new UsageError(`no file ${values.file}`);
        specs = specsFromYaml(fs.readFileSync(values.file, 'utf8'), values.experiment);
      } else throw new UsageError('create needs --file FILE or --json SPEC');
      for (const spec of specs) {
        const created = await call<Experiment>(io, url, '/admin/experiments', spec);
        writeJson(io.stdout, { experiment_id: created.experimentId, status: created.status, kind: created.spec.kind ?? 'ab', model_name: created.spec.model_name });
      }
      return;
    }
    case 'start':
    case 'stop':
    case 'promote':
    case 'rollback': {
      const experiment = await action(sub);
      return writeJson(io.stdout, { experiment_id: experiment.experimentId, status: experiment.status, live_variant: experiment.liveVariant, last_decision: experiment.decisions.at(-1) });
    }
    case 'analyze': {
      const experiment = await call<Experiment>(io, url, `/admin/experiments/${idOf()}`);
      return writeJson(io.stdout, { experiment_id: experiment.experimentId, status: experiment.status, metrics: experiment.metrics, analysis: experiment.analysis ?? null });
    }
    case 'report': {
      const experiment = await call<Experiment>(io, url, `/admin/experiments/${idOf()}`);
      return writeJson(io.stdout, { written: writeReport(experiment, values.out ?? 'reports') });
    }
    default:
      throw new UsageError(sub ? `unknown subcommand '${sub}'` : `give a subcommand\n\n${usage}`);
  }
}

/** Splits a shell line into words; double or single quotes group words. */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

async function interactive(url: string, io: CliIo): Promise<number> {
  const rl = readline.createInterface({ input: io.stdin, output: io.stdout, terminal: false });
  io.stdout.write(`mlops ab shell on ${url}: subcommands as in 'mlops ab --help'; 'quit' to leave\nab> `);
  for await (const line of rl) {
    const [sub, ...args] = words(line.trim());
    if (sub === 'quit' || sub === 'exit') break;
    if (sub === 'help') io.stdout.write(`${usage}\n`);
    else if (sub) {
      try {
        const { values, positionals } = parse(args, OPTIONS);
        await runSubcommand(sub, positionals, values as Values, url, io);
      } catch (error) {
        if (!(error instanceof UsageError || error instanceof HttpFailure)) throw error;
        io.stderr.write(`${error.message}\n`);
      }
    }
    io.stdout.write('ab> ');
  }
  rl.close();
  return 0;
}

export const abCommand: CliCommand = {
  name: 'ab',
  summary: 'A/B tests and rollouts: create, start, stop, promote, analyze, report',
  usage,
  async run(args, io) {
    const { values, positionals } = parse(args, OPTIONS);
    const [sub, ...rest] = positionals;
    const url = gatewayUrl(io.env, values.gateway);
    if (sub === 'cli') return interactive(url, io);
    try {
      await runSubcommand(sub, rest, values as Values, url, io);
      return 0;
    } catch (error) {
      if (!(error instanceof HttpFailure)) throw error;
      io.stderr.write(`mlops ab: ${error.message}\n`);
      return error.status >= 400 && error.status < 500 ? 2 : 1;
    }
  },
};
