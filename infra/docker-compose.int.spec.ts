/**
 * Validates docker-compose.yml and the Alertmanager config with the real tools, without a Docker
 * daemon: `docker-compose config` (Debian's docker-compose) interpolates the env file and checks
 * the file against the Compose schema; `amtool check-config` (Debian's prometheus-alertmanager).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-compose-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function run(command: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd: __dirname, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw new Error(`cannot run ${command}: ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** .env.example with the given settings filled in, as a user's infra/.env would be. */
function envFile(settings: Record<string, string>): string {
  let text = fs.readFileSync(path.join(__dirname, '.env.example'), 'utf8');
  for (const [key, value] of Object.entries(settings)) text = text.replace(new RegExp(`^${key}=.*$`, 'm'), `${key}=${value}`);
  const file = path.join(scratch, `${Object.keys(settings).join('-') || 'example'}.env`);
  fs.writeFileSync(file, text);
  return file;
}

const compose = (env: string, ...args: string[]) => run('docker-compose', ['--env-file', env, '-f', 'docker-compose.yml', 'config', ...args]);

test('docker-compose accepts the file once the env file sets the Grafana password', () => {
  const { status, output } = compose(envFile({ GRAFANA_ADMIN_PASSWORD: 'from-the-env-file' }));
  assert.equal(status, 0, output);
  assert.match(output, /GF_SECURITY_ADMIN_PASSWORD: from-the-env-file/);
  assert.match(output, /\$\{PORT\}|process\.env\.PORT/, 'the healthcheck keeps its runtime PORT');
});

test('docker-compose refuses to start Grafana with no admin password', () => {
  const { status, output } = compose(envFile({}), '-q');
  assert.notEqual(status, 0);
  assert.match(output, /GRAFANA_ADMIN_PASSWORD/);
});

test('amtool accepts the Alertmanager config', () => {
  const { status, output } = run('amtool', ['check-config', path.join('alertmanager', 'alertmanager.yml')]);
  assert.equal(status, 0, output);
  assert.match(output, /SUCCESS/);
});
