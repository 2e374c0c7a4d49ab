/**
 * `config/ab_test_config.yaml`: experiments declared in the product's format, keyed by id:
 *
 *   experiments:
 *     model_comparison:
 *       control_variant: "distillbert_v1"
 *       treatment_variants: ["distillbert_v2"]
 *       variants: { distillbert_v1: production, distillbert_v2: candidate }
 *       traffic_allocation: { distillbert_v1: 50, distillbert_v2: 50 }
 *       success_metrics: ["accuracy", "f1_score"]
 *       minimum_sample_size: 1000
 *
 * The leader creates each one the platform does not know yet (as a draft unless `auto_start`).
 * A file that does not parse or validate stops the process with a message naming the entry.
 */
import fs from 'node:fs';
import YAML from 'yaml';
import { ExperimentSpec, compileSchema, describeSchemaError, experimentSpecProblems } from '@mlops/schemas';

export class ExperimentsFileError extends Error {
  // 'ConfigError' so runService prints the message without a stack, like any config error.
  override name = 'ConfigError';
}

export function parseExperimentsYaml(text: string, where: string): ExperimentSpec[] {
  let parsed: unknown;
  try {
    parsed = YAML.parse(text);
  } catch (error) {
    throw new ExperimentsFileError(`${where}: not valid YAML: ${(error as Error).message}`);
  }
  const entries = (parsed as { experiments?: unknown } | null)?.experiments;
  if (entries === undefined || entries === null) return [];
  if (typeof entries !== 'object' || Array.isArray(entries)) throw new ExperimentsFileError(`${where}: 'experiments' must map experiment ids to definitions`);
  const validate = compileSchema(ExperimentSpec);
  return Object.entries(entries as Record<string, unknown>).map(([id, raw]) => {
    const candidate = { experiment_id: id, ...(raw as object) };
    if (!validate(candidate)) throw new ExperimentsFileError(`${where}: experiments.${id}: ${describeSchemaError(validate.errors)}`);
    const problems = experimentSpecProblems(candidate);
    if (problems.length > 0) throw new ExperimentsFileError(`${where}: experiments.${id}: ${problems.join('; ')}`);
    return candidate;
  });
}

/** The experiments of a file; none when `file` is empty or does not exist. */
export function loadExperimentsFile(file: string): ExperimentSpec[] {
  if (!file || !fs.existsSync(file)) return [];
  return parseExperimentsYaml(fs.readFileSync(file, 'utf8'), file);
}
