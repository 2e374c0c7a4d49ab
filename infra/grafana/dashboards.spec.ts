import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DASHBOARDS_DIR, dashboardFiles } from './generate-dashboards';

interface PanelJson {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { uid: string };
  targets?: Array<{ refId: string; expr: string; datasource: { uid: string } }>;
}

const committed = () =>
  new Map(fs.readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json')).map((f) => [f, fs.readFileSync(path.join(DASHBOARDS_DIR, f), 'utf8')]));
const panelsOf = (text: string): PanelJson[] => JSON.parse(text).panels;

test('the committed dashboard JSON is what the definitions generate (run generate-dashboards.ts)', () => {
  const expected = dashboardFiles();
  const actual = committed();
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
  for (const [file, text] of expected) assert.equal(actual.get(file), text, `${file} is stale`);
});

test("the product spec's four dashboards are provisioned, each with its own uid", () => {
  const dashboards = [...committed().values()].map((text) => JSON.parse(text) as { uid: string; title: string });
  assert.deepEqual(dashboards.map((d) => d.title).sort(), ['API Performance', 'Business KPIs', 'Model Metrics', 'System Health']);
  assert.equal(new Set(dashboards.map((d) => d.uid)).size, dashboards.length);
});

test('every panel queries the provisioned Prometheus datasource', () => {
  const provisioning = parseYaml(fs.readFileSync(path.join(__dirname, 'provisioning', 'datasources', 'prometheus.yml'), 'utf8'));
  const uid = provisioning.datasources[0].uid;
  for (const [file, text] of committed()) {
    for (const panel of panelsOf(text).filter((p) => p.type !== 'row')) {
      assert.equal(panel.datasource?.uid, uid, `${file} "${panel.title}"`);
      assert.ok(panel.targets?.length, `${file} "${panel.title}" has no query`);
      for (const target of panel.targets ?? []) assert.equal(target.datasource.uid, uid, `${file} "${panel.title}" ${target.refId}`);
    }
  }
});

test('panels sit inside the 24-column grid without overlapping', () => {
  for (const [file, text] of committed()) {
    const panels = panelsOf(text);
    assert.equal(new Set(panels.map((p) => p.id)).size, panels.length, `${file}: panel ids repeat`);
    for (const [i, a] of panels.entries()) {
      assert.ok(a.gridPos.x >= 0 && a.gridPos.x + a.gridPos.w <= 24, `${file} "${a.title}" leaves the grid`);
      for (const b of panels.slice(i + 1)) {
        const apart =
          a.gridPos.x + a.gridPos.w <= b.gridPos.x || b.gridPos.x + b.gridPos.w <= a.gridPos.x || a.gridPos.y + a.gridPos.h <= b.gridPos.y || b.gridPos.y + b.gridPos.h <= a.gridPos.y;
        assert.ok(apart, `${file}: "${a.title}" overlaps "${b.title}"`);
      }
    }
  }
});
