/** The fault table: one row per scenario, then every check that failed. */
import type { ScenarioResult } from './scenario';

const COLUMNS = ['scenario', 'sent', 'answered', 'errored (reason)', 'lost', 'duplicated', 'redelivered', 'late', 'p99 during fault'];

export function passed(result: ScenarioResult): boolean {
  return result.summary.lost === 0 && result.summary.duplicated === 0 && result.checks.every((c) => c.ok);
}

export function formatTable(results: ScenarioResult[]): string {
  const rows = results.map((r) => {
    const s = r.summary;
    const reasons = Object.entries(s.errors).sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${n} ${reason}`).join('; ');
    return [r.scenario, s.sent, s.answered, s.errored ? `${s.errored} (${reasons})` : '0', s.lost, s.duplicated, s.redelivered, s.late, `${s.p99Ms} ms`].map(String);
  });
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  const out = [line(COLUMNS), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
  for (const r of results) {
    for (const c of r.checks) out.push(`${c.ok ? 'ok  ' : 'FAIL'} ${r.scenario}: ${c.what}${c.detail ? ` (${c.detail})` : ''}`);
  }
  return out.join('\n');
}
