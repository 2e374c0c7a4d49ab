import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stop-on-signal-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * Runs a tool that registers `stops` (name → ms its stop takes; -1 never ends) in that order and,
 * when `stopsItself` names one, stops that one itself; then it idles until signalled. Each stop
 * appends its name to a log. Resolves once the tool is up.
 */
async function startTool(stops: Record<string, number>, stopsItself?: string) {
  const log = path.join(dir, `${Object.keys(stops).join('-')}-${Date.now()}.log`);
  const script = path.join(dir, `tool-${Date.now()}.ts`);
  fs.writeFileSync(
    script,
    `import fs from 'node:fs';
import { stopOnSignal } from ${JSON.stringify(path.join(__dirname, 'stop-on-signal'))};
const stops: Record<string, number> = ${JSON.stringify(stops)};
const ownStops: Promise<void>[] = [];
for (const [name, ms] of Object.entries(stops)) {
  const stop = stopOnSignal(name, () => new Promise<void>((resolve) => {
    if (ms >= 0) setTimeout(() => { fs.appendFileSync(${JSON.stringify(log)}, name + '\\n'); resolve(); }, ms);
  }));
  if (name === ${JSON.stringify(stopsItself ?? null)}) ownStops.push(stop());
}
setInterval(() => undefined, 1_000);
void Promise.all(ownStops).then(() => console.log('up'));
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('up') && resolve());
    void exited.then(() => reject(new Error(`the tool exited before it was up: ${stderr}`)));
  });
  const stopped = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []);
  return { child, exited, stopped, stderr: () => stderr };
}

describe('stopOnSignal', () => {
  it('stops what is registered, newest first, then exits 128 + the signal', async () => {
    const tool = await startTool({ broker: 50, platform: 50 });
    tool.child.kill('SIGTERM');
    assert.equal(await tool.exited, 143);
    assert.deepEqual(tool.stopped(), ['platform', 'broker']);
    assert.match(tool.stderr(), /SIGTERM: stopping platform, broker/);
  });

  it('leaves alone what the tool has stopped itself', async () => {
    const tool = await startTool({ broker: 10, peer: 10 }, 'peer');
    tool.child.kill('SIGHUP');
    assert.equal(await tool.exited, 129);
    assert.deepEqual(tool.stopped(), ['peer', 'broker']);
  });

  it("takes a terminal's doubled Ctrl-C as one interruption and finishes stopping", async () => {
    const tool = await startTool({ broker: 400 });
    tool.child.kill('SIGINT');
    setTimeout(() => tool.child.kill('SIGINT'), 100);
    assert.equal(await tool.exited, 130);
    assert.deepEqual(tool.stopped(), ['broker']);
  });

  it('exits without waiting on a signal repeated later, when a stop hangs', async () => {
    const tool = await startTool({ stuck: -1 });
    tool.child.kill('SIGTERM');
    setTimeout(() => tool.child.kill('SIGTERM'), 2_500);
    assert.equal(await tool.exited, 143);
    assert.match(tool.stderr(), /SIGTERM again: exiting without waiting/);
  });
});
