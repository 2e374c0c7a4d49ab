/**
 * The dependency rules of the workspace hold: lint fails when an app imports another app or a lib
 * imports an app, and passes for an app importing a shared lib.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(__dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

before(() => {
  // The rule reads Nx's cached project graph; a fresh clone has none until nx has run once.
  const result = spawnSync('npx', ['nx', 'show', 'projects'], { cwd: root, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } });
  assert.equal(result.status, 0, result.stderr);
});

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

test('an app importing another app fails lint', async () => {
  const errors = await boundaryErrors('apps/gateway/src/crossing.ts', "import { RecentIds } from '../../inference/src/recent-ids';\nexport const ids = new RecentIds(1);\n");
  assert.equal(errors.length, 1);
});

test('a lib importing an app fails lint', async () => {
  const errors = await boundaryErrors('libs/schemas/src/crossing.ts', "import { buildGatewayApp } from '../../../apps/gateway/src/app';\nexport const app = buildGatewayApp;\n");
  assert.equal(errors.length, 1);
});

test('an app importing a shared lib passes', async () => {
  const errors = await boundaryErrors('apps/gateway/src/fine.ts', "import { TOPICS } from '@mlops/schemas';\nexport const topic = TOPICS.feedback.name;\n");
  assert.deepEqual(errors, []);
});
