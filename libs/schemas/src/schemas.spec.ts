import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  InferenceReply,
  InferenceRequest,
  PlatformError,
  errorReply,
  assertValid,
  batchPredictRequestSchema,
  buildOpenApiDocument,
  deadLetterTopicFor,
  platformTopics,
  predictRequestSchema,
} from './index';

const validRequest = {
  schemaVersion: 1,
  requestId: 'r-1',
  texts: ['great'],
  deadline: Date.now() + 1000,
  replyTo: { topic: 'inference.replies.me' },
};

test('a well-formed inference request passes', () => {
  assert.deepEqual(assertValid(InferenceRequest, validRequest), validRequest);
});

test('an unknown field is rejected with its name', () => {
  assert.throws(
    () => assertValid(InferenceRequest, { ...validRequest, colour: 'red' }, 'message'),
    (error: unknown) => error instanceof PlatformError && error.code === 'VALIDATION_ERROR' && /unknown field 'colour'/.test(error.message),
  );
});

test('a reply with a field its reader does not know is still read (replies may gain fields); a wrong known field is not', () => {
  const reply = { ...errorReply('r-1', new PlatformError('OVERLOADED', 'later'), Date.now()), addedLater: 1 };
  assert.deepEqual(assertValid(InferenceReply, reply), reply);
  assert.throws(() => assertValid(InferenceReply, { ...reply, deadline: 'soon' }), (error: unknown) => error instanceof PlatformError && error.code === 'VALIDATION_ERROR');
});

test('an error reply echoes a deadline only when it is one (a rejected message may carry anything)', () => {
  assert.equal(errorReply('r-1', new PlatformError('VALIDATION_ERROR', 'bad'), 1_700_000_000_000).deadline, 1_700_000_000_000);
  assert.equal('deadline' in errorReply('r-1', new PlatformError('VALIDATION_ERROR', 'bad'), 'tomorrow'), false);
  assert.equal('deadline' in errorReply('r-1', new PlatformError('VALIDATION_ERROR', 'bad')), false);
});

test('a reply topic with characters Kafka forbids is rejected', () => {
  assert.throws(() => assertValid(InferenceRequest, { ...validRequest, replyTo: { topic: 'a b' } }), /replyTo.topic/);
});

test('predict body: empty, whitespace-only, too long and non-string texts are rejected with the field named', () => {
  const schema = predictRequestSchema({ maxTextLength: 10, maxBatchSize: 2 });
  assert.throws(() => assertValid(schema, {}), /missing required field 'text'/);
  assert.throws(() => assertValid(schema, { text: '' }), /text: must NOT have fewer than 1 characters/);
  assert.throws(() => assertValid(schema, { text: '   ' }), /text: must not be empty or whitespace only/);
  assert.throws(() => assertValid(schema, { text: 'x'.repeat(11) }), /text: must NOT have more than 10 characters/);
  assert.throws(() => assertValid(schema, { text: 42 }), /text: must be string/);
  assert.deepEqual(assertValid(schema, { text: 'fine', model_version: 'v1' }), { text: 'fine', model_version: 'v1' });
});

test('batch body: the batch size cap holds', () => {
  const schema = batchPredictRequestSchema({ maxTextLength: 10, maxBatchSize: 2 });
  assert.throws(() => assertValid(schema, { texts: ['a', 'b', 'c'] }), /texts: must NOT have more than 2 items/);
  assert.throws(() => assertValid(schema, { texts: [] }), /texts: must NOT have fewer than 1 items/);
  assert.throws(() => assertValid(schema, { texts: ['a', 7] }), /texts.1: must be string/);
});

test('every consumed topic has a dead-letter topic in the topic table', () => {
  const names = platformTopics().map((t) => t.name);
  for (const consumed of ['inference.requests', 'inference.routed', 'feedback']) {
    assert.ok(names.includes(deadLetterTopicFor(consumed)), `${consumed}.dlq missing`);
  }
  assert.equal(new Set(names).size, names.length, 'topic names are unique');
});

test('only the request path scales out with KAFKA_PARTITIONS; state and command topics keep one partition', () => {
  const scaling = platformTopics().filter((t) => t.scalesOut).map((t) => t.name);
  assert.deepEqual(scaling, ['inference.requests', 'inference.routed', 'predictions.log', 'feedback']);
  // One partition: the state topics replay in order, and experiments.commands has one leader.
  for (const single of ['models.events', 'experiments.events', 'experiments.commands']) {
    assert.equal(platformTopics().find((t) => t.name === single)?.partitions, 1, single);
  }
});

test('the OpenAPI document describes every public endpoint with the configured limits', () => {
  const doc = buildOpenApiDocument({ platformVersion: '1.2.3', limits: { maxTextLength: 100, maxBatchSize: 5 } }) as {
    openapi: string;
    paths: Record<string, unknown>;
    components: { schemas: Record<string, { properties?: Record<string, { maxLength?: number; maxItems?: number }> }> };
  };
  assert.equal(doc.openapi, '3.1.0');
  for (const path of ['/predict', '/predict/batch', '/health', '/ready', '/model/info', '/metrics']) assert.ok(doc.paths[path], path);
  assert.equal(doc.components.schemas.PredictRequest.properties?.text.maxLength, 100);
  assert.equal(doc.components.schemas.BatchPredictRequest.properties?.texts.maxItems, 5);
});
