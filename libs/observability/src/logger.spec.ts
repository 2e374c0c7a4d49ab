import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

describe('createLogger', () => {
  it('lets the process exit when whoever read its stdout has gone', async () => {
    // An app orphaned by its parent (the tool that started it was killed) still logs as it stops,
    // then exits; its stdout's reader is gone, and the flush at exit must not wait for one forever.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logger-spec-'));
    const script = path.join(dir, 'app.ts');
    fs.writeFileSync(
      script,
      `import { createLogger } from ${JSON.stringify(path.join(__dirname, 'logger'))};
const logger = createLogger({ app: 'orphan' });
logger.info('up');
process.stdin.once('data', () => {
  logger.info('stopping');
  logger.info('stopped');
  process.exit(0);
});
`,
    );
    const app = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => app.once('exit', (code) => resolve(code)));
    await new Promise((resolve) => app.stdout.once('data', resolve));
    app.stdout.destroy();
    app.stdin.write('stop\n');
    const timer = setTimeout(() => app.kill('SIGKILL'), 5_000);
    const code = await exited;
    clearTimeout(timer);
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(code, 0, 'the app hung at exit and was killed after 5 s');
  });
});
