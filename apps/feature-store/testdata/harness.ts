/**
 * A feature store for integration specs, against the real broker (KAFKA_BROKERS) and the real
 * Redis (REDIS_URL): its own topics, consumer group, Redis key prefix and export folder, all
 * removed by `stop()`. Talks to the app over HTTP on a free port, like any client.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type http from 'node:http';
import Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import { MessageProducer, createKafka, deleteTopics } from '@mlops/messaging';
import { AppMetrics, closeServer, createLogger, listen } from '@mlops/observability';
import { deadLetterTopicFor, type Feedback, type PredictionLog } from '@mlops/schemas';
import { buildFeatureStoreApp, type FeatureStoreApp, type FeatureStoreDeps } from '../src/app';
import { loadDefinitions } from '../src/definitions/builtin-views';
import { loadFeatureStoreConfig, type FeatureStoreConfig } from '../src/config';
import { TextProfiler } from '../src/text-profile';

const workspaceRoot = path.resolve(__dirname, '..', '..', '..');
// `@mlops/messaging/testing` is a path alias for the type checker only; at run time specs reach libs
// through their package's main entry, so the two helpers are spelled out here.
const testBrokers = () => (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean);
const testTopic = (prefix: string) => `${prefix}-${randomUUID()}`;
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const VOCAB_FILE = path.resolve(workspaceRoot, process.env.VOCAB_FILE ?? '../shared/models/bert-base-uncased/vocab.txt');
export const SST2_DIR = path.resolve(workspaceRoot, process.env.SST2_DIR ?? '../shared/datasets/sst2');

let sharedProfiler: TextProfiler | undefined;
export function profiler(): TextProfiler {
  sharedProfiler ??= TextProfiler.fromVocabFile(VOCAB_FILE);
  return sharedProfiler;
}

/** What two instances must share to be the same store: topics and the Redis prefix. */
export interface StoreIdentity {
  topics: { predictionsLog: string; feedback: string; featuresEvents: string; trainingRequests: string; modelsEvents: string };
  keyPrefix: string;
  exportDir: string;
  /** Consumer groups of every instance started on it, deleted with it. */
  groups: string[];
}

export function newIdentity(): StoreIdentity {
  return {
    topics: { predictionsLog: testTopic('fs-predictions'), feedback: testTopic('fs-feedback'), featuresEvents: testTopic('fs-events'), trainingRequests: testTopic('fs-training'), modelsEvents: testTopic('fs-models') },
    keyPrefix: `test:${randomUUID()}:`,
    exportDir: fs.mkdtempSync(path.join(os.tmpdir(), 'fs-exports-')),
    groups: [],
  };
}

export interface HarnessOptions {
  identity?: StoreIdentity;
  /** Extra env for the config (e.g. DRIFT_WINDOW_SIZE). */
  env?: Record<string, string>;
  /** YAML of views added to (or replacing) the built-in ones. */
  featureViewsYaml?: string;
  reference?: FeatureStoreDeps['reference'];
  rebuildReference?: FeatureStoreDeps['rebuildReference'];
}

export class FeatureStoreHarness {
  private constructor(
    readonly identity: StoreIdentity,
    readonly config: FeatureStoreConfig,
    readonly redis: Redis,
    readonly kafka: Kafka,
    readonly producer: MessageProducer,
    private readonly app: FeatureStoreApp,
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(options: HarnessOptions = {}): Promise<FeatureStoreHarness> {
    const identity = options.identity ?? newIdentity();
    let featureViewsFile: string | undefined;
    if (options.featureViewsYaml) {
      featureViewsFile = path.join(identity.exportDir, `views-${randomUUID()}.yaml`);
      fs.writeFileSync(featureViewsFile, options.featureViewsYaml);
    }
    const groupId = `fs-test-${randomUUID()}`;
    identity.groups.push(groupId, `${groupId}-feedback`);
    const config = loadFeatureStoreConfig({
      KAFKA_BROKERS: testBrokers().join(','),
      REDIS_URL,
      REDIS_KEY_PREFIX: identity.keyPrefix,
      GROUP_ID: groupId,
      FROM_BEGINNING: 'true',
      TOPICS_PREDICTIONS_LOG: identity.topics.predictionsLog,
      TOPICS_FEEDBACK: identity.topics.feedback,
      TOPICS_FEATURES_EVENTS: identity.topics.featuresEvents,
      TOPICS_TRAINING_REQUESTS: identity.topics.trainingRequests,
      TOPICS_MODELS_EVENTS: identity.topics.modelsEvents,
      EXPORT_DIR: identity.exportDir,
      LOG_LEVEL: 'warn',
      ...(featureViewsFile ? { FEATURE_VIEWS_FILE: featureViewsFile } : {}),
      ...options.env,
    });
    const logger = createLogger({ app: 'feature-store-spec', level: config.logLevel });
    const redis = new Redis(REDIS_URL, { enableAutoPipelining: true, maxRetriesPerRequest: 3 });
    const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `fs-spec-${randomUUID()}`, logger });
    const definitions = loadDefinitions(config.featureViewsFile, { PredictionLog: config.topics.predictionsLog, Feedback: config.topics.feedback });
    const app = buildFeatureStoreApp(config, {
      kafka,
      redis,
      logger,
      metrics: new AppMetrics('feature-store'),
      profiler: profiler(),
      definitions,
      reference: options.reference ?? { reason: 'no reference in this spec' },
      ...(options.rebuildReference ? { rebuildReference: options.rebuildReference } : {}),
    });
    const server = await listen(app.httpApp, 0, '127.0.0.1');
    await app.start();
    const producer = new MessageProducer(kafka);
    await producer.connect();
    const port = (server.address() as { port: number }).port;
    return new FeatureStoreHarness(identity, config, redis, kafka, producer, app, server, `http://127.0.0.1:${port}`);
  }

  publishPredictions(logs: readonly PredictionLog[]): Promise<void> {
    return Promise.all(logs.map((log) => this.producer.send(this.identity.topics.predictionsLog, { key: log.requestId, value: log }))).then(() => undefined);
  }

  publishFeedback(messages: readonly Feedback[]): Promise<void> {
    return Promise.all(messages.map((m) => this.producer.send(this.identity.topics.feedback, { key: m.requestId, value: m }))).then(() => undefined);
  }

  async post<T = Record<string, unknown>>(route: string, body: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(this.url + route, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as T };
  }

  async get<T = Record<string, unknown>>(route: string): Promise<{ status: number; body: T }> {
    const response = await fetch(this.url + route);
    const text = await response.text();
    return { status: response.status, body: (response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T };
  }

  /** A sample of the /metrics page: the value of one series (0 when absent). */
  async metric(name: string, labels: Record<string, string>): Promise<number> {
    const { body } = await this.get<string>('/metrics');
    const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    for (const line of body.split('\n')) {
      if (!line.startsWith(`${name}{`)) continue;
      if (wanted.every((pair) => line.includes(pair))) return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return 0;
  }

  /** Stops this instance; `cleanup` also removes what the identity owns (topics, keys, files). */
  async stop(cleanup = true): Promise<void> {
    await this.app.stop();
    await closeServer(this.server);
    await this.producer.disconnect();
    if (cleanup) await removeIdentity(this.identity, this.kafka, this.redis);
    this.redis.disconnect();
  }
}

const GROUP_ID_NOT_FOUND = 69;

export async function removeIdentity(identity: StoreIdentity, kafka: Kafka, redis: Redis): Promise<void> {
  // Local state first, so a broker hiccup below cannot leave keys or files behind.
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${identity.keyPrefix}*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  fs.rmSync(identity.exportDir, { recursive: true, force: true });
  const topics = Object.values(identity.topics);
  await deleteTopics(kafka, [...topics, ...topics.map(deadLetterTopicFor)]);
  const admin = kafka.admin();
  await admin.connect();
  try {
    // A group that never committed an offset (or lost its topics) may be gone already.
    const existing = new Set((await admin.listGroups()).groups.map((g) => g.groupId));
    const groups = identity.groups.filter((g) => existing.has(g));
    if (groups.length) {
      await admin.deleteGroups(groups).catch((error: { groups?: Array<{ errorCode: number }> }) => {
        // 69 GROUP_ID_NOT_FOUND: deleting the group's topics already removed it.
        if (!error.groups?.every((g) => g.errorCode === GROUP_ID_NOT_FOUND)) throw error;
      });
    }
  } finally {
    await admin.disconnect();
  }
}

/** Retries `check` until it stops throwing, or rethrows its last failure after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/** A predictions.log message; texts default to one per prediction. */
export function predictionLog(fields: Partial<PredictionLog> & { requestId: string; predictions: PredictionLog['predictions'] }): PredictionLog {
  return {
    schemaVersion: 1,
    modelName: 'distilbert-sentiment',
    modelVersion: 'v1',
    texts: fields.predictions.map((_, i) => `a fine film number ${i}`),
    routing: { reason: 'alias', alias: 'production', shadow: false },
    latencyMs: 10,
    timestamp: Date.now(),
    ...fields,
  };
}
