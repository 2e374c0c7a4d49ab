/**
 * The FastAPI + HF tokenizers + ONNX Runtime peer (tools/bench/peer/server.py), in a git-ignored
 * virtual environment installed from PyPI on first use.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { waitForHttp, workspaceRoot } from '../platform/processes';
import { stopOnSignal } from '../stop-on-signal';

const venv = path.join(workspaceRoot, '.venv', 'bench-peer');
const python = path.join(venv, 'bin', 'python');

export function ensurePeerEnvironment(): void {
  if (fs.existsSync(python) && spawnSync(python, ['-c', 'import fastapi, uvicorn, tokenizers, onnxruntime, numpy']).status === 0) return;
  console.log('Installing the FastAPI peer into .venv/bench-peer (fastapi, uvicorn, tokenizers, onnxruntime, numpy) ...');
  if (!fs.existsSync(python)) spawnSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  const pip = spawnSync(path.join(venv, 'bin', 'pip'), ['install', '-q', 'fastapi', 'uvicorn', 'tokenizers', 'onnxruntime', 'numpy'], { stdio: 'inherit' });
  if (pip.status !== 0) throw new Error('pip install of the peer failed');
}

export async function startPeer(modelDir: string, port: number): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  ensurePeerEnvironment();
  const child: ChildProcess = spawn(python, [path.join(__dirname, 'peer', 'server.py')], {
    env: { ...process.env, MODEL_DIR: modelDir, PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const { pid } = child;
  if (pid === undefined) {
    child.once('error', () => undefined); // the spawn error comes next; the throw below reports it
    throw new Error(`${python} did not start: the FastAPI peer cannot run`);
  }
  // From the start: a peer that dies during the run has nothing left to stop.
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  if (!(await waitForHttp(`${url}/health`, 60_000))) {
    child.kill('SIGKILL');
    throw new Error('the FastAPI peer did not start');
  }
  return {
    url,
    pid,
    stop: stopOnSignal('the FastAPI peer', () => {
      child.kill('SIGTERM');
      return exited;
    }),
  };
}
