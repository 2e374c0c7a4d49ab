import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const entrypoint = path.join(__dirname, 'entrypoint.sh');

test('the entrypoint execs its command, so the app is the process that receives SIGTERM', async () => {
  // The child prints its own pid; with `exec` it is the pid we spawned, not a shell's child.
  // A clean environment, as in the image: no NODE_OPTIONS or loaders from the test runner.
  const child = spawn('sh', [entrypoint, process.execPath, '-e', 'console.log(`pid=${process.pid}`)'], { env: { PATH: process.env.PATH, APP: 'gateway' } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0);
  assert.equal(Number(/pid=(\d+)/.exec(output)?.[1]), child.pid, output);
});

test('without arguments the entrypoint starts the bundled app named by APP', () => {
  const script = fs.readFileSync(entrypoint, 'utf8');
  assert.match(script, /^exec node "\/app\/dist\/apps\/\$\{APP\}\/main\.js"$/m);
  const dockerfile = fs.readFileSync(path.join(__dirname, 'Dockerfile'), 'utf8');
  assert.match(dockerfile, /COPY --from=build \/src\/dist\/apps\/\$\{APP\} \.\/dist\/apps\/\$\{APP\}/);
});

test('the build context leaves out secrets, history and local installs', () => {
  const ignored = fs.readFileSync(path.join(__dirname, '../.dockerignore'), 'utf8').split('\n').map((line) => line.trim());
  for (const pattern of ['.git', '.env', '.env.*', '**/*.pem', '**/*.key', '**/node_modules', 'dist', '.venv', '.cache']) {
    assert.ok(ignored.includes(pattern), `.dockerignore should list ${pattern}`);
  }
});
