/**
 * Makes sure the model store has a version behind `production` for the default model, so
 * `npm start` serves predictions on a fresh clone.
 */
import { ModelStore } from '@mlops/model-registry';
import { DEFAULT_MODEL_NAME } from '@mlops/schemas';
import { seedRandomModel } from './seed-model';

export async function ensureModel(options: { modelStoreDir: string }): Promise<void> {
  const store = new ModelStore(options.modelStoreDir);
  const modelName = process.env.MODEL_NAME ?? DEFAULT_MODEL_NAME;
  if (store.aliases(modelName).production) return;
  console.log(`The model store has no production version of ${modelName}; writing a seeded DistilBERT-shaped model ...`);
  const version = seedRandomModel({ modelStoreDir: options.modelStoreDir, modelName });
  console.log(`${modelName}/${version} is production.`);
}
