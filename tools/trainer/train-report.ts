/**
 * The training benchmark: runs the real pipeline once with the default configuration (or
 * `key=value` overrides) on SST-2 into a scratch model store, and prints the figures the issue
 * asks for: test accuracy and F1 on the split carved from SST-2 train, ECE, training time, ms per
 * step, parity, p95 latency. Not a test: a full run takes minutes.
 *
 *   npx tsx tools/trainer/train-report.ts [key=value ...] [--json]
 *   npx tsx tools/trainer/train-report.ts architecture=transformer dim=64 heads=2 layers=2 maxTrainingMinutes=20
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ModelStore } from '@mlops/model-registry';
import { codeCommit, dataPaths, parseParamPairs, progressFor, resolveTrainingParams, runTrainingPipeline } from '@mlops/training';

const workspaceRoot = path.resolve(__dirname, '..', '..');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const params = resolveTrainingParams(parseParamPairs(args.filter((a) => a !== '--json')));
  const paths = dataPaths(process.env, workspaceRoot);
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'train-report-'));
  const started = Date.now();
  const outcome = await runTrainingPipeline(
    { modelName: 'train-report', params, reason: 'manual' },
    {
      store: new ModelStore(storeDir),
      defaultDataset: paths.sst2Train,
      vocabFile: paths.vocabFile,
      checkpointDir: path.join(storeDir, 'checkpoints'),
      progress: progressFor(process.stderr, { info: (_fields, message) => process.stderr.write(`${message}\n`) }),
      codeCommit: codeCommit(workspaceRoot),
    },
  );
  fs.rmSync(storeDir, { recursive: true, force: true });
  if (outcome.status === 'invalid-data') throw new Error('the data failed validation');
  const { test, training, parity, latency } = outcome.metrics;
  const figures = {
    architecture: outcome.architecture,
    backend: outcome.backend,
    cpus: os.availableParallelism(),
    params,
    testAccuracy: test.accuracy,
    testF1: test.f1,
    ece: test.ece,
    testExamples: test.examples,
    epochs: training.epochsCompleted,
    bestEpoch: training.bestEpoch,
    stoppedBy: training.stoppedBy,
    trainingSeconds: training.durationMs / 1000,
    msPerStep: training.stepMs,
    pipelineSeconds: (Date.now() - started) / 1000,
    parityMaxAbsDiff: parity.maxAbsDiff,
    p95LatencyMs: latency.p95Ms,
    gates: outcome.gates.passed ? 'passed' : outcome.gates.reasons,
  };
  if (json) process.stdout.write(`${JSON.stringify(figures)}\n`);
  else {
    process.stdout.write(
      [
        `architecture ${figures.architecture} on ${figures.backend} (${figures.cpus} CPUs)`,
        `test accuracy ${(100 * test.accuracy).toFixed(2)}%  F1 ${(100 * test.f1).toFixed(2)}%  ECE ${test.ece.toFixed(4)}  (${test.examples} sentences)`,
        `training ${figures.trainingSeconds.toFixed(0)} s, ${figures.epochs} epochs (best ${figures.bestEpoch}, ${figures.stoppedBy}), ${figures.msPerStep.toFixed(1)} ms/step; whole pipeline ${figures.pipelineSeconds.toFixed(0)} s`,
        `parity max |Δlogit| ${parity.maxAbsDiff.toExponential(2)}; p95 latency ${latency.p95Ms.toFixed(2)} ms; gates ${outcome.gates.passed ? 'passed' : outcome.gates.reasons.join('; ')}`,
      ].join('\n') + '\n',
    );
  }
}

main().catch((error: unknown) => {
  console.error(`train-report: ${(error as Error).message}`);
  process.exit(1);
});
