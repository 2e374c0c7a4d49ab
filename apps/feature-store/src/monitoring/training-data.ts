/**
 * The data a model version was trained on, as the model store records it: the trainer writes
 * `lineage.json` (the data's content hash, the dataset, the split seed and fractions) and
 * `validation-report.json` (the path it loaded). The file is accepted only when its content hash
 * is still the one in the lineage, and the reference is its training split, carved exactly as the
 * trainer carved it (same cleaning, seed and fractions), so no evaluation text is in it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ModelStore } from '@mlops/model-registry';
import { cleanExamples, contentHash, loadDataset, resolveTrainingParams, splitDataset, type Dataset } from '@mlops/training';
import { evenSample, type LabelledTexts } from './reference-profile';

export interface TrainingData extends LabelledTexts {
  modelName: string;
  modelVersion: string;
  /** `sha256:<hex>`, as the version's lineage records it. */
  dataHash: string;
  file: string;
}

export type TrainingDataResult = { data: TrainingData } | { reason: string };

interface Lineage {
  dataHash?: unknown;
  dataset?: unknown;
  params?: Record<string, unknown>;
}

export interface TrainingDataOptions {
  modelName: string;
  /** The version to read; the one `production` points at when omitted. */
  modelVersion?: string;
  /** Where the trainer's default dataset (SST-2) is mounted here, in case its path differs from the trainer's. */
  sst2Dir: string;
  sampleSize: number;
}

const SPLIT_KEYS = ['seed', 'validationFraction', 'testFraction'] as const;

function readDocument(store: ModelStore, modelName: string, version: string, name: string): Record<string, unknown> | undefined {
  const document = store.readDocument(modelName, version, name);
  return document && typeof document === 'object' ? (document as Record<string, unknown>) : undefined;
}

/** Where the dataset may be: the path the run was given, the path it loaded, the same file name under SST2_DIR. */
function candidateFiles(lineage: Lineage, report: Record<string, unknown> | undefined, sst2Dir: string): string[] {
  const given = typeof lineage.params?.dataset === 'string' ? lineage.params.dataset : '';
  const loaded = typeof report?.source === 'string' ? report.source : '';
  const local = typeof lineage.dataset === 'string' && lineage.dataset ? path.join(sst2Dir, path.basename(lineage.dataset)) : '';
  return [...new Set([given, loaded, local].filter(Boolean).map((file) => path.resolve(file)))];
}

/** The first candidate whose content hash is `dataHash`, or what was wrong with each. */
function findDataset(files: readonly string[], dataHash: string): { dataset: Dataset; file: string } | { tried: string[] } {
  const tried: string[] = [];
  for (const file of files) {
    if (!fs.existsSync(file)) {
      tried.push(`${file} (missing)`);
      continue;
    }
    try {
      const dataset = loadDataset(file);
      const hash = contentHash(dataset.examples);
      if (hash === dataHash) return { dataset, file };
      tried.push(`${file} (changed since: ${hash.slice(0, 19)}…)`);
    } catch (error) {
      tried.push(`${file} (${(error as Error).message})`);
    }
  }
  return { tried };
}

export function trainingDataOf(store: ModelStore, options: TrainingDataOptions): TrainingDataResult {
  const { modelName } = options;
  let version: string | undefined;
  let lineage: Lineage | undefined;
  let report: Record<string, unknown> | undefined;
  try {
    version = options.modelVersion ?? store.aliases(modelName).production;
    if (!version) return { reason: `${modelName} has no production version in the model store (${store.rootDir})` };
    lineage = readDocument(store, modelName, version, 'lineage.json');
    report = readDocument(store, modelName, version, 'validation-report.json');
  } catch (error) {
    return { reason: `the model store cannot be read: ${(error as Error).message}` };
  }
  if (typeof lineage?.dataHash !== 'string') {
    return { reason: `${modelName}/${version} records no training data (no lineage.json with a dataHash, as for a seeded or hand-copied version)` };
  }
  const found = findDataset(candidateFiles(lineage, report, options.sst2Dir), lineage.dataHash);
  if ('tried' in found) {
    const tried = found.tried.length ? found.tried.join('; ') : 'its lineage names no file';
    return { reason: `the data ${modelName}/${version} was trained on (${lineage.dataHash.slice(0, 19)}…) is not readable here: ${tried}` };
  }
  const splitParams = Object.fromEntries(SPLIT_KEYS.filter((key) => lineage.params?.[key] !== undefined).map((key) => [key, lineage.params?.[key]]));
  const { seed, validationFraction, testFraction } = resolveTrainingParams(splitParams);
  const { dataset, file } = found;
  const train = splitDataset(cleanExamples(dataset.examples), { seed, validationFraction, testFraction }).train;
  const sample = evenSample(train, options.sampleSize);
  return {
    data: {
      modelName,
      modelVersion: version,
      dataHash: lineage.dataHash,
      file,
      texts: sample.map((example) => example.text),
      labels: sample.map((example) => dataset.labels[example.label]),
      source: `training split of ${modelName}/${version} (${path.basename(file)}, ${lineage.dataHash.slice(0, 19)}…): ${sample.length} of ${train.length} texts`,
    },
  };
}
