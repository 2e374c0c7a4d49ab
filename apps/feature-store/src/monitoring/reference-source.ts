/**
 * Where the drift reference comes from, first match wins:
 *   1. drift.profileFile, when configured (an operator's explicit choice);
 *   2. the training data of the model's `production` version, as its lineage records it;
 *   3. a sample of SST-2's train.tsv (SST2_DIR), with the reason (2) was not possible;
 * and when none is there, drift is off and says why.
 */
import { ConfigError } from '@mlops/config';
import type { ModelStore } from '@mlops/model-registry';
import type { TextProfiler } from '../text-profile';
import { buildReferenceProfile, readReferenceProfile, readSst2Sample, type ReferenceProfile } from './reference-profile';
import { trainingDataOf, type TrainingDataResult } from './training-data';

export type DriftReference = { profile: ReferenceProfile } | { reason: string };

export interface ReferenceSourceOptions {
  profileFile?: string;
  store: ModelStore;
  modelName: string;
  sst2Dir: string;
  sampleSize: number;
  topK: number;
  profiler: TextProfiler;
  clock: () => number;
}

/** The reference for `modelVersion` of the model (its `production` version when omitted). */
export function driftReference(options: ReferenceSourceOptions, modelVersion?: string): DriftReference {
  if (options.profileFile) return { profile: readReferenceProfile(options.profileFile) };
  const build = { topK: options.topK, now: options.clock() };
  let trained: TrainingDataResult;
  try {
    trained = trainingDataOf(options.store, { modelName: options.modelName, modelVersion, sst2Dir: options.sst2Dir, sampleSize: options.sampleSize });
  } catch (error) {
    trained = { reason: `the training data of ${options.modelName} cannot be read: ${(error as Error).message}` };
  }
  if ('data' in trained) {
    const { data } = trained;
    return { profile: { ...buildReferenceProfile(data, options.profiler, build), model: { name: data.modelName, version: data.modelVersion, dataHash: data.dataHash } } };
  }
  try {
    const sample = readSst2Sample(options.sst2Dir, options.sampleSize);
    return { profile: { ...buildReferenceProfile(sample, options.profiler, build), fallbackReason: trained.reason } };
  } catch (error) {
    if (error instanceof ConfigError) return { reason: `no reference profile: ${trained.reason}; ${error.message}` };
    throw error;
  }
}
