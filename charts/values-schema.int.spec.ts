import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TOPICS } from '@mlops/schemas';
import { chartDir, environments, helm, valuesArgs } from './testing/helm';

/**
 * validate.yaml cannot read the topic table, so it repeats the request path's partition count;
 * the refusal below expects the table's count, so the two cannot drift apart unnoticed.
 */
const requestPathPartitions = TOPICS.inferenceRequests.partitions;

test('the request-path topics share the one partition count validate.yaml repeats', () => {
  assert.deepEqual([TOPICS.inferenceRouted.partitions, TOPICS.predictionsLog.partitions], [requestPathPartitions, requestPathPartitions]);
});

for (const env of environments) {
  test(`helm lint --strict passes with values-${env}.yaml`, () => {
    const result = helm(['lint', '--strict', chartDir, ...valuesArgs(env)]);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });
}

test('the chart renders on its own defaults, with no environment file', () => {
  const result = helm(['template', 'mlops', chartDir]);
  assert.equal(result.status, 0, result.stderr);
});

/** `helm template` with one wrong value must stop, and say which key is wrong. */
const rejected: [string, string[], RegExp][] = [
  ['a negative replica count', ['--set', 'gateway.replicas=-1'], /\/gateway\/replicas': minimum: got -1/],
  ['a replica count that is not a number', ['--set', 'gateway.replicas=two'], /\/gateway\/replicas': got string, want integer/],
  ['a misspelt key', ['--set', 'gateway.replica=2'], /\/gateway\/replica': false schema/],
  ['a GPU for an app other than the trainer', ['--set', 'inference.gpu.enabled=true'], /\/inference\/gpu': false schema/],
  ['an unknown auth mode', ['--set', 'gateway.config.auth.mode=none'], /\/gateway\/config\/auth\/mode': value must be one of 'open', 'api-key', 'jwt'/],
  ['a writable model store for inference', ['--set', 'inference.modelStore=readWrite'], /\/inference\/modelStore': value must be 'readOnly'/],
  ['running as root', ['--set', 'global.podSecurityContext.runAsNonRoot=false'], /\/global\/podSecurityContext\/runAsNonRoot'/],
  ['a container without a memory limit', ['--set', 'inference.resources.limits.memory=null'], /\/inference\/resources\/limits': missing property 'memory'/],
  ['an HPA lower bound of zero', ['--set', 'inference.autoscaling.minReplicas=0'], /\/inference\/autoscaling\/minReplicas': minimum: got 0, want 1/],
  ['a Kafka broker without a port', ['--set', 'global.config.kafka.brokers={kafka}'], /\/global\/config\/kafka\/brokers\/0'/],
  ['an HPA whose max is below its min', ['--set', 'gateway.autoscaling.minReplicas=3'], /gateway\.autoscaling: maxReplicas \(2\) is below minReplicas \(3\)/],
  ['JWT auth without a signing secret', ['--set', 'gateway.config.auth.mode=jwt'], /needs AUTH_JWT_SECRET/],
  ['an ingress without a host', ['--set', 'gateway.ingress.enabled=true'], /gateway\.ingress\.host is required/],
  ['a writable training-data volume', ['--set', 'featureStore.data=readWrite'], /\/featureStore\/data': value must be one of 'none', 'readOnly'/],
  [
    'more inference replicas than partitions to share',
    ['--set', `inference.autoscaling.maxReplicas=${requestPathPartitions + 2}`],
    new RegExp(`inference\\.autoscaling\\.maxReplicas \\(${requestPathPartitions + 2}\\) is above the partitions of the topics it consumes \\(${requestPathPartitions}\\): replicas past ${requestPathPartitions} would sit idle; set global\\.config\\.kafka\\.partitions to at least ${requestPathPartitions + 2}`),
  ],
  ['fewer partitions than ab-router replicas', ['--set', 'global.config.kafka.partitions=1'], /abRouter\.autoscaling\.maxReplicas \(2\) is above the partitions of the topics it consumes \(1\)/],
  ['a replication factor of zero', ['--set', 'global.config.kafka.replicationFactor=0'], /\/global\/config\/kafka\/replicationFactor': minimum: got 0, want 1/],
  ['an app with partitions of its own', ['--set', 'inference.config.kafka.partitions=30'], /inference\.config\.kafka\.partitions: topics are shared by every app, so their partition count is set once, in global\.config\.kafka\.partitions/],
  ['an app with a replication factor of its own', ['--set', 'abRouter.config.kafka.replicationFactor=3'], /abRouter\.config\.kafka\.replicationFactor: topics are shared by every app, so their replication factor is set once, in global\.config\.kafka\.replicationFactor/],
  ['a feature store without its vocabulary volume', ['--set', 'global.data.existingClaim='], /featureStore\.data=readOnly needs the training data and vocabulary volume: set global\.data\.existingClaim/],
];

for (const [what, args, message] of rejected) {
  test(`the chart refuses ${what}`, () => {
    const result = helm(['template', 'mlops', chartDir, ...valuesArgs('dev'), ...args]);
    assert.notEqual(result.status, 0, `helm template ${args.join(' ')} should fail`);
    assert.match(result.stderr, message);
  });
}

test('the same settings pass when the value is right', () => {
  const result = helm(['template', 'mlops', chartDir, ...valuesArgs('dev'), '--set', 'inference.autoscaling.maxReplicas=6', '--set', 'global.config.kafka.partitions=6', '--set', 'gateway.replicas=3', '--set', 'gateway.config.auth.mode=jwt', '--set', 'gateway.existingSecret=gateway-auth']);
  assert.equal(result.status, 0, result.stderr);
});

