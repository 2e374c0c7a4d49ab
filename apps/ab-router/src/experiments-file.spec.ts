import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadExperimentsFile, parseExperimentsYaml } from './experiments-file';

test('the shipped config/ab_test_config.yaml is valid: every entry parses and its names agree', () => {
  const specs = loadExperimentsFile(path.resolve(__dirname, '../../../config/ab_test_config.yaml'));
  assert.deepEqual(specs.map((s) => [s.experiment_id, s.kind]), [['model_comparison', 'ab'], ['candidate_canary', 'canary'], ['candidate_shadow', 'shadow']]);
  assert.deepEqual(specs[0].traffic_allocation, { distillbert_v1: 50, distillbert_v2: 50 });
});

test('a bad entry stops the process with a message naming the file and the entry', () => {
  const yaml = 'experiments:\n  broken:\n    control_variant: a\n    treatment_variants: [b]\n    variants: { a: v1, b: v2 }\n    success_metrics: [accuracy]\n    minimum_sample_size: 0\n';
  assert.throws(() => parseExperimentsYaml(yaml, 'x.yaml'), /x\.yaml: experiments\.broken: minimum_sample_size: must be >= 1/);
  const ramp = yaml.replace('minimum_sample_size: 0', 'minimum_sample_size: 10\n    kind: canary\n    ramp: [5, 50]');
  assert.throws(() => parseExperimentsYaml(ramp, 'x.yaml'), /experiments\.broken: ramp must end at 100/);
  assert.deepEqual(parseExperimentsYaml('# nothing yet\n', 'x.yaml'), []);
});
