/**
 * Every Kafka topic of the platform: its name, its key, and how it is created.
 * Apps create these idempotently at startup (see `@mlops/messaging` ensureTopics).
 */
export interface TopicSpec {
  name: string;
  /** What the message key is; consumers rely on it for ordering and compaction. */
  key: string;
  /** Partition count; for a `scalesOut` topic, environments override it (KAFKA_PARTITIONS). */
  partitions: number;
  /**
   * Consumed by replica groups that scale out (the request path): a consumer group gives each
   * partition to one replica, so KAFKA_PARTITIONS sets its count to cover the largest replica
   * count. Other topics keep theirs: one partition is what keeps a state topic's replay in order
   * and gives experiments.commands a single leader.
   */
  scalesOut?: boolean;
  /** Broker-side topic config, e.g. compaction for state topics. */
  config?: Record<string, string>;
}

export const TOPICS = {
  inferenceRequests: { name: 'inference.requests', key: 'request id or subject id', partitions: 4, scalesOut: true },
  inferenceRouted: { name: 'inference.routed', key: 'request id', partitions: 4, scalesOut: true },
  predictionsLog: { name: 'predictions.log', key: 'request id', partitions: 4, scalesOut: true },
  feedback: { name: 'feedback', key: 'request id', partitions: 2, scalesOut: true },
  trainingRequests: { name: 'training.requests', key: 'model name', partitions: 1 },
  modelsEvents: {
    name: 'models.events',
    key: 'model name and version, or model name and alias',
    partitions: 1,
    // State topic: readers replay it from the beginning; the latest event per key wins.
    config: { 'cleanup.policy': 'compact' },
  },
  // State topic like models.events: the latest snapshot per experiment wins.
  experimentsEvents: { name: 'experiments.events', key: 'experiment id', partitions: 1, config: { 'cleanup.policy': 'compact' } },
  // One partition: the ab-router replica that owns it applies commands and takes the decisions.
  experimentsCommands: { name: 'experiments.commands', key: 'experiment id', partitions: 1 },
  featuresEvents: { name: 'features.events', key: 'feature name', partitions: 1 },
  auditLog: { name: 'audit.log', key: 'actor', partitions: 1 },
} as const satisfies Record<string, TopicSpec>;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS]['name'];

/** The model answering when a request names none (env MODEL_NAME). */
export const DEFAULT_MODEL_NAME = 'distilbert-sentiment';

/** Prefix of per-requester reply topics: `inference.replies.<requester id>`. */
export const REPLY_TOPIC_PREFIX = 'inference.replies.';

export function replyTopicFor(requesterId: string): string {
  return `${REPLY_TOPIC_PREFIX}${requesterId}`;
}

/**
 * A requester's own reply topic (the gateway's, one per instance), as its requester creates it.
 * One hour of retention, in segments of an hour (retention only drops closed segments): the
 * requester's live consumer reads each reply within its deadline, and a requester that crashed
 * leaves its topic behind. With the broker's default week, every reply the platform ever sent
 * would stay on disk a week, on every replica.
 */
export function replyTopicSpec(requesterId: string): TopicSpec {
  const hour = String(60 * 60 * 1000);
  return { name: replyTopicFor(requesterId), key: 'request id', partitions: 1, config: { 'retention.ms': hour, 'segment.ms': hour } };
}

/** Where a message that cannot be processed goes, with its error and original bytes. */
export function deadLetterTopicFor(topic: string): string {
  return `${topic}.dlq`;
}

/** The topics created at startup: every topic above plus the dead-letter topics of consumed ones. */
export function platformTopics(): TopicSpec[] {
  const topics: TopicSpec[] = Object.values(TOPICS);
  const consumed = [TOPICS.inferenceRequests, TOPICS.inferenceRouted, TOPICS.predictionsLog, TOPICS.feedback, TOPICS.trainingRequests, TOPICS.experimentsCommands, TOPICS.experimentsEvents];
  const deadLetters = consumed.map((t) => ({ name: deadLetterTopicFor(t.name), key: t.key, partitions: 1 }));
  // Replies that fail validation at their requester land in one shared dead-letter topic, since
  // per-requester reply topics come and go with their requesters.
  const replyDeadLetters = { name: deadLetterTopicFor('inference.replies'), key: 'request id', partitions: 1 };
  return [...topics, ...deadLetters, replyDeadLetters];
}
