#!/usr/bin/env node
// Entry point of the npm scripts. Plain JavaScript with no dependencies, because it runs on a
// fresh clone: it installs what is missing (npm ci), then hands over to the TypeScript tools.
//
//   node tools/bootstrap.js start|test [--unit|--integration]|kafka <start|stop|...>|bench <name>
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');

function installIfNeeded() {
  const lock = path.join(root, 'package-lock.json');
  const installed = path.join(root, 'node_modules', '.package-lock.json');
  const stale = !fs.existsSync(installed) || fs.statSync(lock).mtimeMs > fs.statSync(installed).mtimeMs;
  if (!stale) return;
  console.log('Installing dependencies (npm ci) ...');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('npm ci failed; see the output above.');
    process.exit(result.status ?? 1);
  }
}

const TOOLS = {
  start: 'tools/platform/start.ts',
  test: 'tools/platform/test.ts',
  kafka: 'tools/kafka/main.ts',
  redis: 'tools/redis/main.ts',
  bench: 'tools/bench/main.ts',
  'seed-model': 'tools/models/seed-model.ts',
  faults: 'tools/faults/main.ts',
};

function main() {
  const [command, ...rest] = process.argv.slice(2);
  const tool = TOOLS[command];
  if (!tool) {
    console.error(`usage: node tools/bootstrap.js <${Object.keys(TOOLS).join('|')}> [args]`);
    process.exit(2);
  }
  installIfNeeded();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, tool), ...rest], { cwd: root, stdio: 'inherit' });
  // npm, `timeout` and process managers signal this process alone (a terminal's Ctrl-C reaches the
  // tool as well): pass the signal on, so the tool stops what it started instead of being orphaned.
  const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of forwarded) process.on(signal, () => child.kill(signal));
  // `npm run` signals the shell it runs scripts in, and the shell dies without passing the signal
  // on: this process is then orphaned, so the death of its parent stands for a SIGTERM.
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    child.kill('SIGTERM');
  }, 500);
  watch.unref();
  child.on('exit', (code, signal) => {
    if (signal) {
      for (const s of forwarded) process.removeAllListeners(s);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
}

main();
