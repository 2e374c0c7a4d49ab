import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Type } from '@sinclair/typebox';
import { ConfigError, KafkaConfig, envNameFor, loadConfig } from './index';

const Schema = Type.Object(
  {
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 8000 }),
    maxQueueDelayMs: Type.Number({ minimum: 0, default: 2 }),
    enableMetrics: Type.Boolean({ default: true }),
    kafka: KafkaConfig,
  },
  { additionalProperties: false },
);

test('defaults apply when nothing is set, and the result is frozen', () => {
  const config = loadConfig(Schema, { env: {} });
  assert.equal(config.port, 8000);
  assert.deepEqual(config.kafka.brokers, ['127.0.0.1:9092']);
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.kafka));
});

test('environment variables are derived from key paths and coerced by type', () => {
  const config = loadConfig(Schema, {
    env: { PORT: '9000', MAX_QUEUE_DELAY_MS: '0.5', ENABLE_METRICS: 'false', KAFKA_BROKERS: 'a:1, b:2' },
  });
  assert.equal(config.port, 9000);
  assert.equal(config.maxQueueDelayMs, 0.5);
  assert.equal(config.enableMetrics, false);
  assert.deepEqual(config.kafka.brokers, ['a:1', 'b:2']);
  assert.equal(envNameFor(['kafka', 'replicationFactor']), 'KAFKA_REPLICATION_FACTOR');
});

test('aliases let the product names work (API_PORT)', () => {
  assert.equal(loadConfig(Schema, { env: { API_PORT: '8100' }, envAliases: { port: ['API_PORT'] } }).port, 8100);
});

test('a YAML file is read and env wins over it', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'config-')), 'app.yaml');
  fs.writeFileSync(file, 'port: 7000\nmaxQueueDelayMs: 4\n');
  const config = loadConfig(Schema, { env: { CONFIG_FILE: file, PORT: '7001' } });
  assert.equal(config.port, 7001);
  assert.equal(config.maxQueueDelayMs, 4);
});

test('an invalid value names the key and its variable', () => {
  assert.throws(() => loadConfig(Schema, { env: { PORT: '70000' } }), (e: unknown) => e instanceof ConfigError && /port: must be <= 65535 \(env PORT\)/.test(e.message));
  assert.throws(() => loadConfig(Schema, { env: { PORT: 'eighty' } }), /port \(from PORT\): 'eighty' is not a number/);
  assert.throws(() => loadConfig(Schema, { env: { ENABLE_METRICS: 'maybe' } }), /not a boolean/);
});

test('an unknown key in the YAML file is rejected', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'config-')), 'app.yaml');
  fs.writeFileSync(file, 'prot: 7000\n');
  assert.throws(() => loadConfig(Schema, { env: {}, file }), /unknown field 'prot'/);
});
