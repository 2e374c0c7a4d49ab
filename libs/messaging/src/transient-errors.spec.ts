import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KafkaJSConnectionError, KafkaJSError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { PlatformError } from '@mlops/schemas';
import { MissingTopicError } from './producer';
import { failureKind } from './transient-errors';

const protocolError = (type: string, retriable: boolean) => new KafkaJSProtocolError({ message: type, type, code: 0, retriable } as never);

test('the broker away, a leader moving, a topic not there yet, kafkajs out of retries for them: an outage', () => {
  assert.equal(failureKind(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092')), 'outage');
  assert.equal(failureKind(new KafkaJSError('The producer is disconnected')), 'outage');
  assert.equal(failureKind(protocolError('NOT_LEADER_FOR_PARTITION', true)), 'outage');
  assert.equal(failureKind(new KafkaJSNumberOfRetriesExceeded(protocolError('UNKNOWN_TOPIC_OR_PARTITION', true), { retryCount: 5, retryTime: 1000 } as never)), 'outage');
  const refused = new KafkaJSConnectionError('Connection error', { code: 'ECONNREFUSED' } as never);
  assert.equal(failureKind(new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 5, retryTime: 1000 } as never)), 'outage');
});

test('a store or service away, or a platform topic missing for now: an outage', () => {
  assert.equal(failureKind(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' })), 'outage');
  assert.equal(failureKind(new Error('could not store', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) })), 'outage');
  assert.equal(failureKind(new PlatformError('NOT_READY', 'starting')), 'outage');
  assert.equal(failureKind(new PlatformError('OVERLOADED', 'queues are full')), 'outage');
  assert.equal(failureKind(new MissingTopicError('models.events')), 'outage');
});

test('a failure the messages cause: a bug, a bad value, the broker refusing these messages', () => {
  assert.equal(failureKind(new TypeError("Cannot read properties of undefined (reading 'texts')")), 'message');
  assert.equal(failureKind(new PlatformError('VALIDATION_ERROR', 'bad')), 'message');
  // A platform error is judged by its code, whatever it wraps; one the model fails on is not an outage.
  assert.equal(failureKind(new PlatformError('INTERNAL_ERROR', 'bad', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) })), 'message');
  assert.equal(failureKind(new PlatformError('INFERENCE_FAILED', 'the runtime failed on this batch')), 'message');
  const tooLarge = protocolError('MESSAGE_TOO_LARGE', false);
  assert.equal(failureKind(Reflect.construct(KafkaJSNonRetriableError, [tooLarge, { cause: tooLarge }])), 'message');
  // kafkajs calls this one retriable; sending the same bytes again does not change it.
  assert.equal(failureKind(protocolError('CORRUPT_MESSAGE', true)), 'message');
  assert.equal(failureKind('a string thrown'), 'message');
  assert.equal(failureKind(undefined), 'message');
});
