import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runningPid } from './daemon';

const pidFile = (content: string) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'daemon-')), 'server.pid');
  fs.writeFileSync(file, content);
  return file;
};

test('a pid file naming a live process of ours gives its pid', () => {
  assert.equal(runningPid(pidFile(`${process.pid}\n`), 'node'), process.pid);
});

test('a pid file naming a process that is gone is removed', () => {
  const file = pidFile('2147483646\n');
  assert.equal(runningPid(file, 'redis-server'), undefined);
  assert.equal(fs.existsSync(file), false);
});

test('a pid file still being written (empty) is left for its server to finish', () => {
  const file = pidFile('');
  assert.equal(runningPid(file, 'redis-server'), undefined);
  assert.equal(fs.existsSync(file), true, 'deleting it would leave the server without one');
});

test('a pid file naming a live process that is not ours (yet) is left in place', () => {
  const file = pidFile(`${process.pid}\n`);
  assert.equal(runningPid(file, 'redis-server'), undefined);
  assert.equal(fs.existsSync(file), true);
});
