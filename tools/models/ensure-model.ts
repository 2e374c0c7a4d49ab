/**
 * Makes sure the model store has a version behind `production` for the default model, so
 * `npm start` serves predictions on a fresh clone. With SST-2 at SST2_DIR it trains the quick
 * default with the real pipeline (validation, TensorFlow.js, ONNX export with parity, gates,
 * registration), which takes about a minute here; only when the data set is missing does it fall
 * back to a seeded random model, and says so.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ModelStore } from '@mlops/model-registry';
import { DEFAULT_MODEL_NAME } from '@mlops/schemas';
import { QUICK_PARAMS, codeCommit, dataPaths, progressFor, resolveTrainingParams, runTrainingPipeline } from '@mlops/training';
import { seedRandomModel } from './seed-model';

const workspaceRoot = path.resolve(__dirname, '..', '..');

export async function ensureModel(options: { modelStoreDir: string }): Promise<void> {
  const store = new ModelStore(options.modelStoreDir);
  const modelName = process.env.MODEL_NAME ?? DEFAULT_MODEL_NAME;
  if (store.aliases(modelName).production) return;
  const paths = dataPaths(process.env, workspaceRoot);
  if (!fs.existsSync(paths.sst2Train)) {
    console.log(`The model store has no production version of ${modelName}, and SST-2 is not at ${paths.sst2Train} (set SST2_DIR, or run \`npx mlops data download sst2\`).`);
    console.log('Falling back to a seeded random model: the platform runs, but its predictions carry no meaning.');
    const version = seedRandomModel({ modelStoreDir: options.modelStoreDir, modelName });
    console.log(`${modelName}/${version} (seeded random weights) is production.`);
    return;
  }
  console.log(`The model store has no production version of ${modelName}; training the quick default on ${path.relative(workspaceRoot, paths.sst2Train)} ...`);
  const outcome = await runTrainingPipeline(
    { modelName, params: resolveTrainingParams({ ...QUICK_PARAMS }), reason: 'npm start: empty model store' },
    {
      store,
      defaultDataset: paths.sst2Train,
      vocabFile: paths.vocabFile,
      checkpointDir: path.join(workspaceRoot, '.run', 'checkpoints'),
      progress: progressFor(process.stdout, { info: (_fields, message) => console.log(message) }),
      codeCommit: codeCommit(workspaceRoot),
    },
  );
  if (outcome.status !== 'registered') {
    const why = outcome.status === 'invalid-data' ? 'the data failed validation' : outcome.gates.reasons.join('; ');
    throw new Error(`the quick default model was not registered (${why})`);
  }
  console.log(`${modelName}/${outcome.version} is production: test accuracy ${(100 * outcome.metrics.test.accuracy).toFixed(2)}%, trained in ${(outcome.metrics.training.durationMs / 1000).toFixed(0)} s.`);
}

if (require.main === module) {
  ensureModel({ modelStoreDir: path.resolve(workspaceRoot, process.env.MODEL_STORE_DIR ?? 'model-store') }).catch((error: unknown) => {
    console.error(`ensure-model: ${(error as Error).message}`);
    process.exit(1);
  });
}
