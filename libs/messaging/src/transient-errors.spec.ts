import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KafkaJSConnectionError, KafkaJSError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { PlatformError } from '@mlops/schemas';
import { isTransientError } from './transient-errors';

test('an outage of the broker, the network or a service saying "later" is transient', () => {
  assert.ok(isTransientError(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092')));
  assert.ok(isTransientError(new KafkaJSError('The producer is disconnected')));
  // kafkajs's retries ran out; the cause is what failed.
  const refused = new KafkaJSConnectionError('Connection error', { code: 'ECONNREFUSED' } as never);
  assert.ok(isTransientError(new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 5, retryTime: 1000 } as never)));
  assert.ok(isTransientError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' })));
  assert.ok(isTransientError(new Error('could not store', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) })));
  assert.ok(isTransientError(new PlatformError('NOT_READY', 'starting')));
});

test('a failure the messages cause is not', () => {
  assert.ok(!isTransientError(new TypeError("Cannot read properties of undefined (reading 'texts')")));
  assert.ok(!isTransientError(new PlatformError('VALIDATION_ERROR', 'bad')));
  // The broker refusing the messages themselves: sending them again changes nothing.
  const tooLarge = new KafkaJSProtocolError({ message: 'The request included a message larger than the max message size the server will accept', type: 'MESSAGE_TOO_LARGE', code: 10, retriable: false } as never);
  assert.ok(!isTransientError(Reflect.construct(KafkaJSNonRetriableError, [tooLarge, { cause: tooLarge }])));
  assert.ok(!isTransientError('a string thrown'));
  assert.ok(!isTransientError(undefined));
});
