/** Idempotent topic creation from the table in `@mlops/schemas`, and cleanup of per-instance topics. */
import type { Admin, Kafka } from 'kafkajs';
import type { TopicSpec } from '@mlops/schemas';

export interface TopicDefaults {
  /** Overrides every spec's partition count when > 0 (per environment). */
  partitions?: number;
  replicationFactor?: number;
}

/** True when every error of a (possibly aggregate) create failure says the topic exists already. */
function onlyAlreadyExists(error: unknown): boolean {
  const errors = (error as { errors?: { type?: string }[] }).errors ?? [error as { type?: string }];
  return errors.length > 0 && errors.every((e) => e?.type === 'TOPIC_ALREADY_EXISTS');
}

/** Resolves once every partition of `names` has a leader; subscribing earlier fails on a fresh broker. */
async function waitForLeaders(admin: Admin, names: string[], timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: names });
      if (topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      if (Date.now() > until) throw error;
    }
    if (Date.now() > until) throw new Error(`topics still without a partition leader after ${timeoutMs} ms: ${names.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function createMissing(kafka: Kafka, topics: readonly TopicSpec[], defaults: TopicDefaults): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length === 0) {
      // They exist, but another app may have created them a moment ago: wait for their leaders.
      await waitForLeaders(admin, topics.map((t) => t.name));
      return [];
    }
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((t) => ({
        topic: t.name,
        numPartitions: defaults.partitions && defaults.partitions > 0 ? defaults.partitions : t.partitions,
        replicationFactor: defaults.replicationFactor ?? 1,
        configEntries: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
      })),
    }).catch((error: unknown) => {
      // Another app created the same topic between our list and create: that is the goal anyway.
      if (!onlyAlreadyExists(error)) throw error;
    });
    await waitForLeaders(admin, topics.map((t) => t.name));
    return missing.map((t) => t.name);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Creates the topics that do not exist yet; existing ones are left as they are. Apps starting
 * together on a fresh broker race to create the same topics: a failure while leaders are still
 * being elected ("does not host this topic-partition") is retried, a few times, with a pause.
 */
export async function ensureTopics(kafka: Kafka, topics: readonly TopicSpec[], defaults: TopicDefaults = {}): Promise<string[]> {
  const attempts = 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await createMissing(kafka, topics, defaults);
    } catch (error) {
      const retriable = (error as { retriable?: boolean }).retriable === true || (error as { errors?: unknown[] }).errors !== undefined;
      if (attempt >= attempts || !retriable) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
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
