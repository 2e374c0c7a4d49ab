import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { APP_NAMES } from '../catalogue';
import { ruleExpressions } from '../metric-references';

/** Each app serves /metrics, /health and /ready on its own port. */
const APP_PORTS: Record<(typeof APP_NAMES)[number], number> = { gateway: 8000, 'ab-router': 8001, inference: 8002, trainer: 8003, 'feature-store': 8004 };

interface ScrapeConfig {
  job_name: string;
  honor_labels?: boolean;
  static_configs: Array<{ targets: string[]; labels?: Record<string, string> }>;
}

interface RuleTest {
  name: string;
  alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }>;
}

const read = (...parts: string[]) => fs.readFileSync(path.join(__dirname, ...parts), 'utf8');
const yamlFilesIn = (dir: string) => fs.readdirSync(path.join(__dirname, dir)).filter((f) => f.endsWith('.yml'));

test('Prometheus scrapes every app on its port with an app label', () => {
  const config = parseYaml(read('prometheus.yml')) as { scrape_configs: ScrapeConfig[]; rule_files: string[] };
  const job = config.scrape_configs.find((c) => c.job_name === 'mlops');
  assert.ok(job, 'no mlops scrape job');
  // The apps label their own series with `app`; without honor_labels Prometheus renames theirs to exported_app.
  assert.equal(job.honor_labels, true);
  const scraped = Object.fromEntries(job.static_configs.flatMap((c) => c.targets.map((target) => [c.labels?.app, target])));
  assert.deepEqual(scraped, Object.fromEntries(APP_NAMES.map((app) => [app, `${app}:${APP_PORTS[app]}`])));
  assert.deepEqual(config.rule_files, ['rules/*.yml']);
});

test('the product spec alerts and every other required alert exist', () => {
  const alerts = yamlFilesIn('rules').flatMap((file) => ruleExpressions(read('rules', file)).map((r) => r.rule));
  for (const name of [
    'HighErrorRate',
    'ModelAccuracyDrop',
    'HighPredictionLatency',
    'KafkaConsumerLagGrowing',
    'DeadLetterQueueNotEmpty',
    'FeatureDriftDetected',
    'SampleRatioMismatch',
    'AppDown',
  ]) {
    assert.ok(alerts.includes(name), `${name} is missing`);
  }
  assert.equal(new Set(alerts).size, alerts.length, 'an alert name is used twice');
});

test('every alert has a promtool case where it fires and one where it stays quiet', () => {
  const alerts = yamlFilesIn('rules').flatMap((file) => ruleExpressions(read('rules', file)).map((r) => r.rule));
  const checks = yamlFilesIn('tests').flatMap((file) => (parseYaml(read('tests', file)) as { tests: RuleTest[] }).tests.flatMap((t) => t.alert_rule_test ?? []));
  for (const alert of alerts) {
    const own = checks.filter((check) => check.alertname === alert);
    assert.ok(own.some((check) => (check.exp_alerts ?? []).length > 0), `${alert} never expected to fire`);
    assert.ok(own.some((check) => (check.exp_alerts ?? []).length === 0), `${alert} never expected to stay quiet`);
  }
});

test('every rule file is loaded by a promtool test file', () => {
  const loaded = yamlFilesIn('tests').flatMap((file) => (parseYaml(read('tests', file)) as { rule_files: string[] }).rule_files.map((f) => path.basename(f)));
  assert.deepEqual(yamlFilesIn('rules').filter((file) => !loaded.includes(file)), []);
});
