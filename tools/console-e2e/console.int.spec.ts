/**
 * The ops console in a real browser (playwright-core driving Debian's Chromium, headless) against
 * the real platform (gateway, ab-router, inference on the broker in KAFKA_BROKERS): sign in, see a
 * prediction reach the charts, act on experiments and aliases. Screenshots go to
 * test-artifacts/console/ (git-ignored) for a person to look at.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startPlatform, type PlatformUnderTest } from '../e2e/platform-harness';
import { workspaceRoot } from '../platform/processes';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const JWT_SECRET = 'console-e2e-secret-of-at-least-32-characters';
const ISSUER = 'console-e2e';
const artifacts = path.join(workspaceRoot, 'test-artifacts', 'console');

let platform: PlatformUnderTest;
let context: BrowserContext;
let page: Page;
let userDataDir: string;

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

/** Whether the gateway offers an admin endpoint at all (404: not built yet). */
async function adminOffers(method: string, route: string): Promise<boolean> {
  const response = await fetch(`${platform.gatewayUrl}${route}`, { method, headers: { authorization: `Bearer ${token('admin')}`, 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
  return response.status !== 404;
}

before(async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  platform = await startPlatform({ env: { AUTH_JWT_SECRET: JWT_SECRET, AUTH_JWT_ISSUER: ISSUER, RATE_LIMIT_ENABLED: 'false' } });
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
  await page.waitForSelector('#models tr[data-version="v1"]', { timeout: 15_000 });
  const row = (await page.textContent('#models tr[data-version="v1"]')) ?? '';
  assert.match(row, /production/);
  assert.equal(await page.textContent('#kpi-production'), 'v1');
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

test('sections whose admin API is missing say "not available" instead of showing made-up figures', async () => {
  await page.waitForSelector('#drift [data-state="unavailable"]');
  assert.match((await page.textContent('#drift')) ?? '', /not available/);
  assert.match((await page.textContent('#chart-accuracy')) ?? '', /not available/);
});

test('starting an experiment asks for confirmation, then the experiment runs', async (t) => {
  if (!(await adminOffers('GET', '/admin/experiments'))) {
    assert.match((await page.textContent('#experiments')) ?? '', /not available/);
    await shot('03-experiments-not-available');
    t.skip('the gateway has no /admin/experiments API yet; the console shows "not available"');
    return;
  }
  const startButton = page.locator('#experiments button[data-action="start"]').first();
  await startButton.waitFor({ timeout: 15_000 });
  if (!(await startButton.isEnabled())) {
    // The console disables Start when the experiment cannot start (e.g. another one runs on its model).
    await shot('03-start-disabled');
    t.skip(`no listed experiment can start now: ${(await startButton.getAttribute('title')) ?? 'Start is disabled'}`);
    return;
  }
  const experimentId = await startButton.locator('xpath=ancestor::tr').getAttribute('data-experiment');
  await startButton.click();
  await page.waitForSelector('#confirm[open]');
  await shot('03-confirm-start-experiment');
  await page.click('#confirm-ok');
  await page.waitForSelector(`#experiments tr[data-experiment="${experimentId}"] button[data-action="stop"]`, { timeout: 15_000 });
  await shot('04-experiment-running');
});

test('promoting a version asks for confirmation, then production points at it', async (t) => {
  const offered = await adminOffers('PUT', '/admin/models/distilbert-sentiment/aliases/production');
  const promote = page.locator('#models button[data-action="promote"], #models button[data-action="rollback"]').first();
  if (!offered) {
    t.skip('the gateway has no alias-move admin API (PUT /admin/models/:model/aliases/:alias) yet');
    return;
  }
  if ((await promote.count()) === 0) {
    t.skip('only one served version: nothing to promote');
    return;
  }
  const version = await promote.getAttribute('data-version');
  await promote.click();
  await page.waitForSelector('#confirm[open]');
  assert.match((await page.textContent('#confirm-text')) ?? '', new RegExp(`to ${version}`));
  await shot('05-confirm-promote');
  await page.click('#confirm-ok');
  await page.waitForFunction((v) => (globalThis as unknown as BrowserGlobals).document.getElementById('kpi-production')?.textContent === v, version, { timeout: 15_000 });
  await shot('06-promoted');
});

test('signing out forgets the credential and hides the data', async () => {
  await page.click('#logout');
  await page.waitForSelector('#login:not([hidden])');
  assert.equal(await page.isHidden('#dashboard'), true);
  assert.equal(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).sessionStorage.getItem('mlops-console-token')), null);
  await page.reload();
  assert.equal(await page.isHidden('#dashboard'), true, 'a reload does not sign back in');
});
