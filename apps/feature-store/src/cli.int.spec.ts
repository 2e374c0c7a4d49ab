/**
 * `mlops features ...` as a user runs it (a separate process, the real bin) against a running
 * feature store on the real broker and Redis.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { FeatureStoreHarness, eventually, predictionLog } from '../testdata/harness';

const workspaceRoot = path.resolve(__dirname, '..', '..', '..');

function mlops(url: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(workspaceRoot, 'apps/cli/bin/mlops.js'), 'features', ...args], { cwd: workspaceRoot, env: { ...process.env, FEATURE_STORE_URL: url } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('mlops features', { timeout: 120_000 }, () => {
  let store: FeatureStoreHarness;
  const subject = `s-${randomUUID()}`;
  const text = `the cli reads me ${randomUUID()}`;

  before(async () => {
    store = await FeatureStoreHarness.start();
    await store.publishPredictions([predictionLog({ requestId: randomUUID(), subjectId: subject, modelVersion: 'v7', texts: [text], predictions: [{ label: 'NEGATIVE', confidence: 0.75 }] })]);
    await eventually(async () => {
      const { body } = await store.post<{ missing: string[] }>('/features/online', { feature_view: 'subject_activity', entities: [subject] });
      assert.deepEqual(body.missing, []);
    });
  });

  after(async () => {
    await store?.stop();
  });

  test('list prints a table of the views', async () => {
    const { code, stdout } = await mlops(store.url, 'list');
    assert.equal(code, 0);
    assert.match(stdout, /^VIEW\s+ENTITY\s+LATEST\s+FEATURES\s+OWNER/);
    assert.match(stdout, /subject_activity\s+subject_id\s+v1\s+11\s+ml-platform/);
  });

  test('get prints values with freshness, by entity or by text', async () => {
    const bySubject = await mlops(store.url, 'get', 'subject_activity', subject, 'ghost', '--features', 'request_count_5m,negative_share_5m');
    assert.equal(bySubject.code, 0);
    const answer = JSON.parse(bySubject.stdout);
    assert.deepEqual(answer.results[0].features, { request_count_5m: 1, negative_share_5m: 1 });
    assert.deepEqual(answer.missing, ['ghost']);
    const byText = JSON.parse((await mlops(store.url, 'get', 'text_stats', '--text', text)).stdout);
    assert.equal(byText.results[0].features.length, text.length);
  });

  test('describe and lineage default to the latest version', async () => {
    const described = JSON.parse((await mlops(store.url, 'describe', 'model_quality')).stdout);
    assert.equal(described.version, 1);
    assert.equal(described.definition.entity_key, 'model_version');
    const lineage = JSON.parse((await mlops(store.url, 'lineage', 'subject_activity')).stdout);
    assert.deepEqual(lineage.computed_from_model_versions, ['v7']);
  });

  test('errors from the API exit 2 with its message; an unreachable store exits 1', async () => {
    const missing = await mlops(store.url, 'describe', 'no_such_view');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /404 not_found: feature view 'no_such_view' does not exist/);
    const down = await mlops('http://127.0.0.1:1', 'drift');
    assert.equal(down.code, 1);
    assert.match(down.stderr, /cannot reach the feature store/);
  });
});
