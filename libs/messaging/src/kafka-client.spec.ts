import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logLevel, type LogEntry } from 'kafkajs';
import { kafkajsLogLine } from './kafka-client';

const entry = (level: logLevel, namespace: string, message: string, extra: Record<string, unknown> = {}): LogEntry => ({
  namespace,
  level,
  label: logLevel[level],
  log: { timestamp: '2026-11-27T00:00:00.000Z', logger: 'kafkajs', message, ...extra },
});

test("a broker's error answer, which kafkajs throws to the caller, is debug, naming the request and the error", () => {
  const line = kafkajsLogLine(entry(logLevel.ERROR, 'Connection', 'Response Metadata(key: 3, version: 6)', { error: 'This server does not host this topic-partition', correlationId: 7 }));
  assert.equal(line.level, 'debug');
  assert.equal(line.message, 'broker answered Metadata(key: 3, version: 6) with an error, passed to the caller: This server does not host this topic-partition');
  assert.deepEqual(line.fields, { namespace: 'Connection', error: 'This server does not host this topic-partition', correlationId: 7 });
});

test('other kafkajs errors stay errors, and its info is our debug', () => {
  assert.equal(kafkajsLogLine(entry(logLevel.ERROR, 'Connection', 'Connection error: connect ECONNREFUSED', { error: 'connect ECONNREFUSED' })).level, 'error');
  assert.equal(kafkajsLogLine(entry(logLevel.ERROR, 'Consumer', 'Crash: KafkaJSNumberOfRetriesExceeded')).level, 'error');
  assert.equal(kafkajsLogLine(entry(logLevel.WARN, 'Consumer', 'Restarting the consumer')).level, 'warn');
  assert.equal(kafkajsLogLine(entry(logLevel.INFO, 'Consumer', 'Starting')).level, 'debug');
  assert.equal(kafkajsLogLine(entry(logLevel.DEBUG, 'Connection', 'Request Fetch')).level, 'trace');
});
