import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KafkaJSConnectionError, KafkaJSError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { PlatformError } from '@mlops/schemas';
import { MissingTopicError } from './producer';
import { failureKind } from './transient-errors';

const protocolError = (type: string, retriable: boolean) => new KafkaJSProtocolError({ message: type, type, code: 0, retriable } as never);

test('the broker away, a leader moving, kafkajs out of retries for either: a broker outage', () => {
  assert.equal(failureKind(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092')), 'broker-outage');
  assert.equal(failureKind(new KafkaJSError('The producer is disconnected')), 'broker-outage');
  assert.equal(failureKind(protocolError('NOT_LEADER_FOR_PARTITION', true)), 'broker-outage');
  const refused = new KafkaJSConnectionError('Connection error', { code: 'ECONNREFUSED' } as never);
  assert.equal(failureKind(new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 5, retryTime: 1000 } as never)), 'broker-outage');
});

test('a store or service away, or a platform topic missing for now: an outage', () => {
  assert.equal(failureKind(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' })), 'outage');
  assert.equal(failureKind(new Error('could not store', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) })), 'outage');
  assert.equal(failureKind(new PlatformError('NOT_READY', 'starting')), 'outage');
  assert.equal(failureKind(new MissingTopicError('models.events')), 'outage');
});

test('a failure the messages cause: a bug, a bad value, the broker refusing these messages', () => {
  assert.equal(failureKind(new TypeError("Cannot read properties of undefined (reading 'texts')")), 'message');
  assert.equal(failureKind(new PlatformError('VALIDATION_ERROR', 'bad')), 'message');
  const tooLarge = protocolError('MESSAGE_TOO_LARGE', false);
  assert.equal(failureKind(Reflect.construct(KafkaJSNonRetriableError, [tooLarge, { cause: tooLarge }])), 'message');
  // kafkajs calls this one retriable; sending the same bytes again does not change it.
  assert.equal(failureKind(protocolError('CORRUPT_MESSAGE', true)), 'message');
  assert.equal(failureKind('a string thrown'), 'message');
  assert.equal(failureKind(undefined), 'message');
});
