/**
 * The reference that live traffic is compared with: what the training data of the production
 * model looks like (text length, token count, OOV rate, vocabulary, labels), and optionally the
 * model's confidence on its evaluation split. Built from the data production was trained on (see
 * reference-source.ts), else from SST-2's training split (SST2_DIR), or read from a JSON file
 * (config drift.profileFile) where no data is mounted.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@mlops/config';
import type { TextProfile, TextProfiler } from '../text-profile';

/** Vocabulary category of every token outside the reference's top K. */
export const OTHER_TOKENS = '<other>';

export interface ReferenceProfile {
  /** Content hash: drift events name the reference they were measured against. */
  id: string;
  source: string;
  builtAt: string;
  texts: number;
  textLength: number[];
  tokenCount: number[];
  oovRate: number[];
  /** Counts of the top-K tokens, and of all others under OTHER_TOKENS. */
  vocabulary: Record<string, number>;
  /** Counts per label. */
  labels: Record<string, number>;
  /** The production model's confidences on held-out data, when known. */
  confidence?: number[];
  /** The model version whose training data this is, as its lineage in the model store records it. */
  model?: { name: string; version: string; dataHash: string };
  /** Why the reference is not the production model's training data, when it is not. */
  fallbackReason?: string;
}

export interface LabelledTexts {
  texts: string[];
  labels: string[];
  source: string;
}

const SST2_LABELS: Record<string, string> = { '0': 'NEGATIVE', '1': 'POSITIVE' };

/**
 * `sampleSize` sentences of SST-2's train.tsv, every k-th line from `offset` (so the sample spans
 * the file), with their labels as NEGATIVE/POSITIVE.
 */
export function readSst2Sample(sst2Dir: string, sampleSize: number, offset = 0): LabelledTexts {
  const file = path.resolve(sst2Dir, 'train.tsv');
  if (!fs.existsSync(file)) throw new ConfigError(`sst2Dir: ${file} does not exist (env SST2_DIR)`);
  const lines = fs.readFileSync(file, 'utf8').split('\n').slice(1).filter((line) => line.includes('\t'));
  const texts: string[] = [];
  const labels: string[] = [];
  for (const line of evenSample(lines, sampleSize, offset)) {
    const [sentence, label] = line.split('\t');
    texts.push(sentence.trim());
    labels.push(SST2_LABELS[label.trim()] ?? label.trim());
  }
  return { texts, labels, source: `${path.basename(path.dirname(file))}/train.tsv: ${texts.length} of ${lines.length} sentences` };
}

/** At most `size` items, every k-th from `offset`, so the sample spans the whole list. */
export function evenSample<T>(items: readonly T[], size: number, offset = 0): T[] {
  const step = Math.max(1, Math.floor(items.length / size));
  const sample: T[] = [];
  for (let i = offset % step; i < items.length && sample.length < size; i += step) sample.push(items[i]);
  return sample;
}

/** The top `k` tokens by count, and everything else counted under OTHER_TOKENS. */
export function vocabularyCounts(profiles: readonly TextProfile[], k: number): Record<string, number> {
  const counts = new Map<string, number>();
  for (const p of profiles) for (const token of p.tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, k);
  const vocabulary: Record<string, number> = Object.fromEntries(top);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  vocabulary[OTHER_TOKENS] = total - top.reduce((sum, [, c]) => sum + c, 0);
  return vocabulary;
}

export function buildReferenceProfile(data: LabelledTexts, profiler: TextProfiler, options: { topK: number; now: number }): ReferenceProfile {
  const profiles = data.texts.map((text) => profiler.profile(text));
  const labels: Record<string, number> = {};
  for (const label of data.labels) labels[label] = (labels[label] ?? 0) + 1;
  const body = {
    source: data.source,
    texts: data.texts.length,
    textLength: profiles.map((p) => p.length),
    tokenCount: profiles.map((p) => p.tokenCount),
    oovRate: profiles.map((p) => p.oovRate),
    vocabulary: vocabularyCounts(profiles, options.topK),
    labels,
  };
  const id = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16);
  return { id, builtAt: new Date(options.now).toISOString(), ...body };
}

export function readReferenceProfile(file: string): ReferenceProfile {
  let profile: ReferenceProfile;
  try {
    profile = JSON.parse(fs.readFileSync(file, 'utf8')) as ReferenceProfile;
  } catch (error) {
    throw new ConfigError(`drift.profileFile ${file} cannot be read: ${(error as Error).message}`);
  }
  for (const key of ['textLength', 'tokenCount', 'oovRate'] as const) {
    if (!Array.isArray(profile[key]) || profile[key].length === 0) throw new ConfigError(`drift.profileFile ${file}: ${key} must be a non-empty list of numbers`);
  }
  if (typeof profile.vocabulary !== 'object' || typeof profile.labels !== 'object') throw new ConfigError(`drift.profileFile ${file}: vocabulary and labels must be maps of counts`);
  return profile;
}
