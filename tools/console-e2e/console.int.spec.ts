/**
 * The ops console in a real browser (playwright-core driving Debian's Chromium, headless) against
 * the real platform (gateway, ab-router, inference on the broker in KAFKA_BROKERS): sign in, see a
 * prediction and its feedback reach the charts, start and stop an experiment, promote a version
 * and roll back. Screenshots go to test-artifacts/console/ (git-ignored) for a person to look at.
 *
 * The run serves a model name of its own, so its alias moves and its experiment never reach the
 * traffic of other runs on the same broker (models.events and experiments.events are shared).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import pino from 'pino';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { MessageProducer, createKafka } from '@mlops/messaging';
import { MESSAGE_SCHEMA_VERSION, TOPICS, modelEventKey, type ModelEvent } from '@mlops/schemas';
import { startPlatform, type PlatformUnderTest } from '../e2e/platform-harness';
import { seedRandomModel } from '../models/seed-model';
import { workspaceRoot } from '../platform/processes';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const JWT_SECRET = 'console-e2e-secret-of-at-least-32-characters';
const ISSUER = 'console-e2e';
const artifacts = path.join(workspaceRoot, 'test-artifacts', 'console');

let platform: PlatformUnderTest;
let context: BrowserContext;
let page: Page;
let userDataDir: string;
const runId = randomUUID().slice(0, 8);
const MODEL = `console-e2e-${runId}`;
const EXPERIMENT = `console-e2e-${runId}`;
let secondVersion: string;

// Page functions run in the browser, serialized, so they may use only the browser's globals; this
// package has no DOM typings, hence the cast (and the console's CSP forbids evaluating strings).
interface BrowserGlobals {
  document: { getElementById(id: string): { textContent: string | null; getAttribute(name: string): string | null } | null };
  sessionStorage: { getItem(key: string): string | null };
}

function token(scope: string): string {
  return jwt.sign({ sub: 'e2e-operator', scope }, JWT_SECRET, { algorithm: 'HS256', issuer: ISSUER, audience: 'mlops-gateway', expiresIn: '15m' });
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

async function adminCall(method: string, route: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${platform.gatewayUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${token('admin')}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function servedVersions(): Promise<string[]> {
  const { body } = await adminCall('GET', '/admin/models');
  const model = (body.models as { name: string; versions: { version: string }[] }[]).find((m) => m.name === MODEL);
  return model?.versions.map((v) => v.version) ?? [];
}

/** A second registered version in the run's store, announced the way the trainer announces one, until inference serves it. */
async function seedSecondVersion(): Promise<string> {
  const version = seedRandomModel({ modelStoreDir: platform.modelStoreDir, modelName: MODEL, seed: 7, setProduction: false });
  const kafka = createKafka({ brokers: platform.kafkaBrokers.split(','), clientId: `console-e2e-${runId}`, logger: pino({ level: 'silent' }) });
  const producer = new MessageProducer(kafka);
  await producer.connect();
  try {
    const event: ModelEvent = { schemaVersion: MESSAGE_SCHEMA_VERSION, type: 'version-registered', modelName: MODEL, modelVersion: version, reason: 'seeded by the console e2e spec', at: Date.now() };
    await producer.send(TOPICS.modelsEvents.name, { key: modelEventKey(event), value: event });
  } finally {
    await producer.disconnect();
  }
  const until = Date.now() + 60_000;
  while (!(await servedVersions()).includes(version)) {
    if (Date.now() > until) throw new Error(`inference did not announce ${MODEL}/${version} within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return version;
}

before(async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  platform = await startPlatform({ modelName: MODEL, env: { AUTH_JWT_SECRET: JWT_SECRET, AUTH_JWT_ISSUER: ISSUER, RATE_LIMIT_ENABLED: 'false' } });
  secondVersion = await seedSecondVersion();
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-e2e-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1360, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = context.pages()[0] ?? (await context.newPage());
});

after(async () => {
  await context?.close();
  // The experiment outlives the run in the compacted experiments.events: leave it stopped, not running.
  if (platform) await adminCall('POST', `/admin/experiments/${EXPERIMENT}/stop`, {}).catch(() => undefined);
  await platform?.stop();
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
});

test('a credential without the admin scope is refused at sign-in, with the reason shown', async () => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 40[134]|status of 503/.test(message.text())) errors.push(message.text());
  });
  await page.goto(`${platform.gatewayUrl}/console`);
  await page.fill('#token', token('predict'));
  await page.click('#login-form button[type=submit]');
  await page.waitForFunction(() => ((globalThis as unknown as BrowserGlobals).document.getElementById('login-error')?.textContent ?? '') !== '');
  assert.match((await page.textContent('#login-error')) ?? '', /admin|scope|forbidden/i);
  assert.equal(await page.isHidden('#dashboard'), true);
  await shot('01-sign-in-refused');
  assert.deepEqual(errors, [], 'no script error in the page (the CSP let console.js run)');
});

test('signing in with an admin token shows the dashboard with the served model', async () => {
  await page.fill('#token', token('admin'));
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#dashboard:not([hidden])');
  await page.waitForSelector(`#models tr[data-model="${MODEL}"][data-version="v1"]`, { timeout: 15_000 });
  const row = (await page.textContent(`#models tr[data-model="${MODEL}"][data-version="v1"]`)) ?? '';
  assert.match(row, /production/);
  assert.equal(await page.textContent('#kpi-production'), 'v1');
  assert.equal(await page.textContent('#model-name'), MODEL);
  assert.equal((await page.$$('#login:not([hidden])')).length, 0);
});

test('a prediction made through the API appears in the request-rate and latency charts', async () => {
  const before = Number(await page.getAttribute('#kpi-rate', 'data-total'));
  for (const text of ['I love this product!', 'Terrible experience.', 'Fine, I guess.']) {
    const response = await fetch(`${platform.gatewayUrl}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
    assert.equal(response.status, 200);
  }
  // The console polls every 2 s and the gateway samples once a second.
  await page.waitForFunction((prior) => Number((globalThis as unknown as BrowserGlobals).document.getElementById('kpi-rate')?.getAttribute('data-total')) >= prior + 3, before, { timeout: 10_000 });
  // The rate line rises above zero somewhere: its highest point is above the chart's baseline.
  const rateHeights = await page.$$eval('#chart-rate polyline[data-series="requests"]', (lines) =>
    lines.flatMap((line) => (line.getAttribute('points') ?? '').split(' ').map((xy: string) => Number(xy.split(',')[1]))),
  );
  assert.ok(rateHeights.length > 0 && Math.min(...rateHeights) < Math.max(...rateHeights), 'the request-rate line has a peak');
  // One second with predictions is one latency point: drawn as a visible dot, not an invisible line.
  await page.waitForSelector('#chart-latency [data-series="p95"]', { state: 'visible', timeout: 10_000 });
  const p95 = (await page.textContent('#kpi-p95')) ?? '';
  assert.match(p95, /^\d+(\.\d)? ms$/);
  await shot('02-prediction-in-charts');
});

test('feedback on a prediction puts a point on the accuracy chart for the version that answered', async () => {
  const chart = '#chart-accuracy';
  assert.match((await page.textContent(chart)) ?? '', /No labelled feedback yet/);
  assert.equal(await page.$$eval(`${chart} [data-state="unavailable"]`, (nodes) => nodes.length), 0, 'the source exists: not "not available"');
  const answers: { request_id: string; prediction: string; model_version: string }[] = [];
  for (const text of ['A wonderful, moving film.', 'Dull and far too long.']) {
    const response = await fetch(`${platform.gatewayUrl}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
    answers.push((await response.json()) as (typeof answers)[number]);
  }
  // One label agrees with the answer and one does not: the chart must read 50%, whatever the random model said.
  const flip = (label: string) => (label === 'POSITIVE' ? 'NEGATIVE' : 'POSITIVE');
  for (const [i, answer] of answers.entries()) {
    const label = i === 0 ? answer.prediction : flip(answer.prediction);
    const response = await fetch(`${platform.gatewayUrl}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ request_id: answer.request_id, label }) });
    assert.equal(response.status, 202);
  }
  await page.waitForSelector(`${chart} [data-series="v1"]`, { state: 'visible', timeout: 10_000 });
  assert.match((await page.textContent(`${chart} .legend`)) ?? '', /v1: 50\.0% of 2/);
  await shot('03-accuracy-from-feedback');
});

test('drift, which needs the feature store, says "not available" instead of showing made-up figures', async () => {
  await page.waitForSelector('#drift [data-state="unavailable"]');
  assert.match((await page.textContent('#drift')) ?? '', /not available/);
});

test('starting an experiment asks for confirmation, then the experiment runs; stopping it asks too', async () => {
  const spec = {
    experiment_id: EXPERIMENT,
    model_name: MODEL,
    description: 'console e2e: v1 against the seeded second version',
    control_variant: 'control',
    treatment_variants: ['treatment'],
    variants: { control: 'v1', treatment: secondVersion },
    success_metrics: ['accuracy'],
    minimum_sample_size: 1000,
  };
  const created = await adminCall('POST', '/admin/experiments', spec);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const row = `#experiments tr[data-experiment="${EXPERIMENT}"]`;
  const start = page.locator(`${row} button[data-action="start"]`);
  await start.waitFor({ timeout: 15_000 });
  assert.equal(await start.isEnabled(), true, (await start.getAttribute('title')) ?? 'Start is disabled');
  await start.click();
  await page.waitForSelector('#confirm[open]');
  assert.match((await page.textContent('#confirm-title')) ?? '', new RegExp(`Start ${EXPERIMENT}`));
  await shot('04-confirm-start-experiment');
  await page.click('#confirm-ok');
  await page.waitForSelector(`${row}[data-status="running"] button[data-action="stop"]`, { timeout: 15_000 });
  assert.equal((await adminCall('GET', `/admin/experiments/${EXPERIMENT}`)).body.status, 'running');
  await shot('05-experiment-running');

  await page.click(`${row} button[data-action="stop"]`);
  await page.waitForSelector('#confirm[open]');
  await page.click('#confirm-ok');
  await page.waitForSelector(`${row}[data-status="stopped"]`, { timeout: 15_000 });
  assert.equal(await page.locator(`${row} button`).count(), 0, 'a stopped experiment offers no action the ab-router would refuse');
});

test('promoting a version asks for confirmation, then production points at it; rolling back returns it', async () => {
  const modelInfo = async () => (await (await fetch(`${platform.gatewayUrl}/model/info`)).json()) as { version: string; aliases: string[] };
  const productionIs = (version: string) =>
    page.waitForFunction((v) => (globalThis as unknown as BrowserGlobals).document.getElementById('kpi-production')?.textContent === v, version, { timeout: 15_000 });

  const promote = page.locator(`#models tr[data-model="${MODEL}"][data-version="${secondVersion}"] button[data-action="promote"]`);
  await promote.waitFor({ timeout: 15_000 });
  await promote.click();
  await page.waitForSelector('#confirm[open]');
  assert.match((await page.textContent('#confirm-text')) ?? '', new RegExp(`from v1 to ${secondVersion}`));
  await shot('06-confirm-promote');
  await page.click('#confirm-ok');
  await productionIs(secondVersion);
  const promoted = await modelInfo();
  assert.equal(promoted.version, secondVersion);
  assert.ok(promoted.aliases.includes('production'));
  await shot('07-promoted');

  const rollback = page.locator(`#models tr[data-model="${MODEL}"][data-version="v1"] button[data-action="rollback"]`);
  await rollback.waitFor({ timeout: 15_000 });
  await rollback.click();
  await page.waitForSelector('#confirm[open]');
  assert.match((await page.textContent('#confirm-text')) ?? '', new RegExp(`from ${secondVersion} to v1`));
  await page.click('#confirm-ok');
  await productionIs('v1');
  assert.equal((await modelInfo()).version, 'v1');
  // Traffic follows the alias within seconds (the ab-router learns the move from models.events).
  const answeredBy = async () => {
    const answer = await fetch(`${platform.gatewayUrl}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Back to the first one.' }) });
    return ((await answer.json()) as { model_version: string }).model_version;
  };
  let version = await answeredBy();
  for (const until = Date.now() + 5_000; version !== 'v1' && Date.now() < until; version = await answeredBy()) await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(version, 'v1');
  await shot('08-rolled-back');
});

test('signing out forgets the credential and hides the data', async () => {
  await page.click('#logout');
  await page.waitForSelector('#login:not([hidden])');
  assert.equal(await page.isHidden('#dashboard'), true);
  assert.equal(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).sessionStorage.getItem('mlops-console-token')), null);
  await page.reload();
  assert.equal(await page.isHidden('#dashboard'), true, 'a reload does not sign back in');
});
