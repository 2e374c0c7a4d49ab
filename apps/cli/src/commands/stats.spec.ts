import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { run } from '../run';
import { captureIo } from '../testing';

const repoRoot = path.resolve(__dirname, '../../../..');

async function stats(...args: string[]) {
  const t = captureIo();
  const code = await run(['stats', ...args], t.io);
  return { code, out: t.out(), err: t.err(), json: () => JSON.parse(t.out()) as Record<string, unknown> };
}

/** Expected figures from SciPy/statsmodels (see tools/statistics/make-goldens.py), to 1e-9 relative. */
function assertNear(actual: unknown, expected: number | number[], label: string): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual) && actual.length === expected.length, `${label}: ${JSON.stringify(actual)}`);
    expected.forEach((e, i) => assertNear((actual as unknown[])[i], e, `${label}[${i}]`));
    return;
  }
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) <= 1e-9 * Math.abs(expected), `${label}: ${actual} vs ${expected}`);
}

test('two-proportion prints the pooled z, p, difference, Newcombe interval and Cohen\'s h', async () => {
  const r = await stats('two-proportion', '--control', '480/1000', '--treatment', '530/1000');
  assert.equal(r.code, 0);
  const json = r.json();
  assert.deepEqual(Object.keys(json), ['statistic', 'p_value', 'difference', 'ci', 'cohens_h']);
  assertNear(json.statistic, 2.2361797892846207, 'statistic');
  assertNear(json.p_value, 0.025339996552342214, 'p_value');
  assertNear(json.difference, 0.05, 'difference');
  assertNear(json.ci, [0.0061792021078157025, 0.09355023231629944], 'ci');
  assertNear(json.cohens_h, 0.10004673279926735, 'cohens_h');
  const stricter = (await stats('two-proportion', '--control', '480/1000', '--treatment', '530/1000', '--alpha', '0.01')).json();
  assert.ok((stricter.ci as number[])[0] < 0, 'a 99% interval is wider and crosses 0');
});

test('welch prints t, Welch–Satterthwaite df, p, the t interval and Cohen\'s d', async () => {
  const r = await stats('welch', '--control', '120,35,400', '--treatment', '112.5,30,380');
  assert.equal(r.code, 0);
  const json = r.json();
  assert.deepEqual(Object.keys(json), ['statistic', 'df', 'p_value', 'difference', 'ci', 'cohens_d']);
  assertNear(json.statistic, -3.218285129732419, 'statistic');
  assertNear(json.df, 769.9691009735556, 'df');
  assertNear(json.p_value, 0.0013436014440096759, 'p_value');
  assertNear(json.ci, [-12.074757209011405, -2.9252427909885945], 'ci');
  assertNear(json.cohens_d, -0.22963851039983127, 'cohens_d');
});

test('srm flags a mismatch only below p = 0.001', async () => {
  const fine = (await stats('srm', '--observed', '5030,4970', '--expected', '0.5,0.5')).json();
  assert.deepEqual(Object.keys(fine), ['statistic', 'p_value', 'mismatch']);
  assertNear(fine.statistic, 0.36, 'statistic');
  assertNear(fine.p_value, 0.5485062355001471, 'p_value');
  assert.equal(fine.mismatch, false);
  const broken = (await stats('srm', '--observed', '5200,4800')).json();
  assertNear(broken.p_value, 6.334248366623988e-5, 'p_value');
  assert.equal(broken.mismatch, true);
});

test('sample-size and correct print their one key', async () => {
  assert.deepEqual((await stats('sample-size', '--baseline', '0.5', '--mde', '0.02')).json(), { per_variant: 9806 });
  const strict = (await stats('sample-size', '--baseline', '0.5', '--mde', '0.02', '--alpha', '0.01', '--power', '0.9')).json();
  assert.ok((strict.per_variant as number) > 9806);
  assertNear((await stats('correct', '--method', 'holm', '--p', '0.01,0.04,0.03')).json().adjusted, [0.03, 0.06, 0.06], 'holm');
  assertNear((await stats('correct', '--method', 'bonferroni', '--p', '0.01,0.04,0.03')).json().adjusted, [0.03, 0.12, 0.09], 'bonferroni');
  assertNear((await stats('correct', '--method', 'bh', '--p', '0.01,0.04,0.03')).json().adjusted, [0.03, 0.04, 0.04], 'bh');
});

test('bad input exits 2 with the reason on stderr and nothing on stdout', async () => {
  const cases: [string[], RegExp][] = [
    [['two-proportion', '--control', '1200/1000', '--treatment', '530/1000'], /STATS_ERR_INVALID_COUNTS: control successes \(1200\) exceed its total \(1000\)/],
    [['two-proportion', '--control=-5/1000', '--treatment', '530/1000'], /STATS_ERR_INVALID_COUNTS: control successes must be a non-negative integer, got -5/],
    [['two-proportion', '--control', '480/1000', '--treatment', '530/1000', '--alpha', '1.5'], /STATS_ERR_INVALID_ALPHA: alpha .* got 1\.5/],
    [['two-proportion', '--control', '480', '--treatment', '530/1000'], /--control: expected SUCCESSES\/TOTAL, got '480'/],
    [['welch', '--control', '1,2,1', '--treatment', '1,2,5'], /STATS_ERR_INVALID_COUNTS: control size must be an integer >= 2, got 1/],
    [['welch', '--control', '1,2', '--treatment', '1,2,5'], /expected MEAN,SD,N/],
    [['srm', '--observed', '10,x'], /--observed: 'x' is not a number/],
    [['sample-size', '--baseline', '0.5'], /--mde is required/],
    [['sample-size', '--baseline', '0.99', '--mde', '0.02'], /STATS_ERR_INVALID_PROBABILITY: baseline \+ mde/],
    [['correct', '--method', 'sidak', '--p', '0.1'], /--method must be one of bonferroni, holm, bh, got 'sidak'/],
    [['correct', '--method', 'bh', '--p', '0.1,2'], /STATS_ERR_INVALID_PROBABILITY: p-value 2/],
    [['t-test'], /unknown test 't-test'/],
    [[], /name a test/],
  ];
  for (const [args, message] of cases) {
    const r = await stats(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, message);
    assert.equal(r.out, '');
  }
});

test('--help prints every test with its JSON keys', async () => {
  const r = await stats('--help');
  assert.equal(r.code, 0);
  for (const name of ['two-proportion', 'welch', 'srm', 'sample-size', 'correct', '"p_value"', '"per_variant"']) assert.ok(r.out.includes(name), name);
});

test('the real `npx mlops stats` binary prints JSON and exits 0, or 2 on bad input', () => {
  const ok = spawnSync('npx', ['mlops', 'stats', 'srm', '--observed', '5030,4970', '--expected', '0.5,0.5'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).mismatch, false);
  const bad = spawnSync('npx', ['mlops', 'stats', 'srm', '--observed=-3,4'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /mlops stats: STATS_ERR_INVALID_COUNTS: observed\[0\] must be a non-negative count, got -3/);
  assert.equal(bad.stdout, '');
});
