/**
 * The data-change trigger: the content hash of the training data against the one the current
 * `production` version was trained on (its lineage). A new hash means new data: train again.
 */
import type { ModelStore } from '@mlops/model-registry';
import { contentHash, loadDataset } from '@mlops/training';

export interface DataCheck {
  changed: boolean;
  dataHash: string;
  /** The hash production was trained on; undefined when there is no production or no lineage. */
  trainedOn?: string;
}

export function checkDataChange(store: ModelStore, modelName: string, datasetFile: string): DataCheck {
  const dataHash = contentHash(loadDataset(datasetFile).examples);
  const production = store.aliases(modelName).production;
  const lineage = production ? (store.readDocument(modelName, production, 'lineage.json') as { dataHash?: string } | undefined) : undefined;
  return { changed: dataHash !== lineage?.dataHash, dataHash, ...(lineage?.dataHash ? { trainedOn: lineage.dataHash } : {}) };
}
