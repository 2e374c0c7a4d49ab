/**
 * Writes the provisioned dashboard JSON from the definitions:
 *
 *   npx tsx infra/grafana/generate-dashboards.ts
 *
 * Edit a dashboard in definitions/, run this, commit both; dashboards.spec.ts fails while the
 * JSON and the definitions disagree. (A dashboard changed in Grafana's UI is ported back by hand.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { renderDashboard } from './dashboard-builder';
import { DASHBOARDS } from './definitions';

export const DASHBOARDS_DIR = path.join(__dirname, 'dashboards');

/** File name (e.g. `api-performance.json`) to the exact text it should hold. */
export function dashboardFiles(): Map<string, string> {
  return new Map(
    DASHBOARDS.map((dashboard) => [`${dashboard.uid.replace(/^mlops-/, '')}.json`, `${JSON.stringify(renderDashboard(dashboard), null, 2)}\n`]),
  );
}

if (require.main === module) {
  fs.mkdirSync(DASHBOARDS_DIR, { recursive: true });
  for (const [file, text] of dashboardFiles()) {
    fs.writeFileSync(path.join(DASHBOARDS_DIR, file), text);
    console.log(`wrote ${path.relative(process.cwd(), path.join(DASHBOARDS_DIR, file))}`);
  }
}
