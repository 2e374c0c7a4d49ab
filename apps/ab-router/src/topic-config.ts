/**
 * `experiments.events` is state: without compaction, retention would delete experiments older
 * than a week. Topics created before it was declared compacted (ensureTopics leaves existing
 * topics alone) are switched over at start by the ab-router, the topic's writer.
 */
import { ConfigResourceTypes, type Kafka } from 'kafkajs';
import type { TopicSpec } from '@mlops/schemas';

const TOPIC_OVERRIDE = 1;

/** Applies the spec's broker config where the topic differs; returns the keys it changed. */
export async function alignTopicConfig(kafka: Kafka, spec: TopicSpec): Promise<string[]> {
  const wanted = Object.entries(spec.config ?? {});
  if (wanted.length === 0) return [];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const described = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: spec.name }], includeSynonyms: false });
    const entries = described.resources[0]?.configEntries ?? [];
    const current = new Map(entries.map((e) => [e.configName, e.configValue]));
    const changed = wanted.filter(([name, value]) => current.get(name) !== value);
    if (changed.length === 0) return [];
    // AlterConfigs replaces the topic's overrides as a whole: keep the ones it already has
    // (config source 1 = DYNAMIC_TOPIC_CONFIG, a per-topic override).
    const overrides = entries.filter((e) => e.configSource === TOPIC_OVERRIDE && spec.config?.[e.configName] === undefined);
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: spec.name, configEntries: [...overrides.map((e) => ({ name: e.configName, value: e.configValue })), ...wanted.map(([name, value]) => ({ name, value }))] }],
    });
    return changed.map(([name]) => name);
  } finally {
    await admin.disconnect();
  }
}
