/** Idempotent topic creation from the table in `@mlops/schemas`, and cleanup of per-instance topics. */
import type { Admin, Kafka } from 'kafkajs';
import type { TopicSpec } from '@mlops/schemas';

export interface TopicDefaults {
  /** When > 0, the partition count of every topic that `scalesOut` (per environment, KAFKA_PARTITIONS). */
  partitions?: number;
  replicationFactor?: number;
  /** Told when an existing topic's partitions are raised. */
  logger?: { info(details: object, message: string): void };
}

/** The partitions `spec` should have: KAFKA_PARTITIONS (when > 0) for a topic that scales out, its own count otherwise. */
export function wantedPartitions(spec: TopicSpec, defaults: TopicDefaults): number {
  return spec.scalesOut && defaults.partitions && defaults.partitions > 0 ? defaults.partitions : spec.partitions;
}

/**
 * Resolves, once every partition of `names` has a leader (subscribing earlier fails on a fresh
 * broker), to each topic's partition count.
 */
async function waitForLeaders(admin: Admin, names: string[], timeoutMs = 30_000): Promise<Map<string, number>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: names });
      if (topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return new Map(topics.map((t) => [t.name, t.partitions.length]));
    } catch (error) {
      if (Date.now() > until) throw error;
    }
    if (Date.now() > until) throw new Error(`topics still without a partition leader after ${timeoutMs} ms: ${names.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** True when every error of a (possibly aggregate) failure has Kafka error type `type`. */
function onlyErrorsOfType(error: unknown, type: string): boolean {
  const errors = (error as { errors?: { type?: string }[] }).errors ?? [error as { type?: string }];
  return errors.length > 0 && errors.every((e) => e?.type === type);
}

/**
 * Raises the partitions of existing scale-out topics that have fewer than wanted (Kafka can add
 * partitions, never remove them). New partitions start empty; a key may map to another partition
 * from then on, which the request path's per-request keys do not mind. `counts`: what the topics
 * have now.
 */
async function growScaleOut(admin: Admin, topics: readonly TopicSpec[], defaults: TopicDefaults, counts: Map<string, number>): Promise<void> {
  const short = topics.filter((t) => t.scalesOut && (counts.get(t.name) ?? 0) < wantedPartitions(t, defaults));
  if (short.length === 0) return;
  const raisedHere = await admin.createPartitions({ topicPartitions: short.map((t) => ({ topic: t.name, count: wantedPartitions(t, defaults) })) }).then(
    () => true,
    async (error: unknown) => {
      // Another app raised them between our read and our request: fine if they now have enough.
      if (!onlyErrorsOfType(error, 'INVALID_PARTITIONS')) throw error;
      const now = await waitForLeaders(admin, short.map((t) => t.name));
      if (short.some((t) => (now.get(t.name) ?? 0) < wantedPartitions(t, defaults))) throw error;
      return false;
    },
  );
  if (!raisedHere) return;
  for (const t of short) defaults.logger?.info({ topic: t.name, from: counts.get(t.name), to: wantedPartitions(t, defaults) }, 'topic partitions raised to KAFKA_PARTITIONS');
  await waitForLeaders(admin, short.map((t) => t.name));
}

async function createOrGrow(kafka: Kafka, topics: readonly TopicSpec[], defaults: TopicDefaults): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: wantedPartitions(t, defaults),
          replicationFactor: defaults.replicationFactor ?? 1,
          configEntries: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
        })),
      }).catch((error: unknown) => {
        // Another app created the same topic between our list and create: that is the goal anyway.
        if (!onlyErrorsOfType(error, 'TOPIC_ALREADY_EXISTS')) throw error;
      });
    }
    // Created by us or by another app a moment ago: wait for their leaders.
    const counts = await waitForLeaders(admin, topics.map((t) => t.name));
    await growScaleOut(admin, topics, defaults, counts);
    return missing.map((t) => t.name);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Creates the topics that do not exist yet and raises scale-out topics with fewer partitions than
 * wanted (`wantedPartitions`); nothing else about an existing topic changes. Apps starting
 * together on a fresh broker race to create the same topics: a failure while leaders are still
 * being elected ("does not host this topic-partition") is retried, a few times, with a pause.
 */
export async function ensureTopics(kafka: Kafka, topics: readonly TopicSpec[], defaults: TopicDefaults = {}): Promise<string[]> {
  const attempts = 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await createOrGrow(kafka, topics, defaults);
    } catch (error) {
      const retriable = (error as { retriable?: boolean }).retriable === true || (error as { errors?: unknown[] }).errors !== undefined;
      if (attempt >= attempts || !retriable) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

/** Each topic's partition count, as the broker's metadata has it now. */
export async function topicPartitionCounts(kafka: Kafka, names: readonly string[]): Promise<Map<string, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [...names] });
    return new Map(topics.map((t) => [t.name, t.partitions.length]));
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(kafka: Kafka, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const present = names.filter((n) => existing.has(n));
    if (present.length) await admin.deleteTopics({ topics: present, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}
