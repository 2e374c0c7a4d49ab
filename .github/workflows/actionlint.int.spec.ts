import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot, workflowsDir } from '../testing/workflows';
import fs from 'node:fs';

/** actionlint, the GitHub Actions checker, built pinned from its Go module (tools/helm/ensure-actionlint.sh). */
const actionlint = execFileSync(path.join(repoRoot, 'tools/helm/ensure-actionlint.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();

function lint(files: string[]) {
  const result = spawnSync(actionlint, ['-no-color', '-oneline', ...files], { cwd: repoRoot, encoding: 'utf8' });
  return { status: result.status, findings: result.stdout.trim() };
}

test('actionlint finds nothing in the workflows (syntax, expressions, job graph, action inputs)', () => {
  const files = fs.readdirSync(workflowsDir).filter((f) => f.endsWith('.yml')).map((f) => path.join(workflowsDir, f));
  assert.equal(files.length, 4);
  const { status, findings } = lint(files);
  assert.equal(findings, '');
  assert.equal(status, 0);
});

test('actionlint rejects a workflow with a need on a missing job and unknown contexts', () => {
  const { status, findings } = lint([path.join(repoRoot, '.github/testdata/broken-workflow.yml')]);
  assert.equal(status, 1);
  assert.match(findings, /job "deploy" needs job "biuld" which does not exist/);
  assert.match(findings, /property "nonexistent_context_field" is not defined/);
  assert.match(findings, /undefined variable "secret"/);
});
