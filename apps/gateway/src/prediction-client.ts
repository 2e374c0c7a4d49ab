/**
 * HTTP calls become Kafka request/reply: publish to `inference.requests` with this instance's reply
 * topic, wait for the reply by request id until the deadline. The reply topic belongs to this
 * instance alone (one partition, an hour's retention, created at start, deleted at stop, or by a
 * live gateway's ReplyTopicJanitor after a crash), so no instance sees another's replies.
 */
import type { Kafka } from 'kafkajs';
import { MessageProducer, PendingReplies, ValidatingConsumer, deleteTopics, ensureTopics } from '@mlops/messaging';
import type { Logger } from '@mlops/observability';
import {
  InferenceReply,
  MESSAGE_SCHEMA_VERSION,
  PlatformError,
  TOPICS,
  deadLetterTopicFor,
  replyTopicSpec,
  type InferenceRequest,
  type TopicSpec,
} from '@mlops/schemas';

export interface PredictionCall {
  requestId: string;
  texts: string[];
  modelVersion?: string;
  subjectId?: string;
  deadline: number;
}

/** How often an unhealthy reply consumer's topic is checked, ms. */
const TOPIC_WATCH_MS = 5_000;

/** The consumer group that reads instance `instanceId`'s reply topic. */
export function replyGroupOf(instanceId: string): string {
  return `gateway-${instanceId}`;
}

export class PredictionClient {
  readonly replyTopic: string;
  private readonly replyTopicSpec: TopicSpec;
  private readonly pending = new PendingReplies();
  private readonly consumer: ValidatingConsumer<typeof InferenceReply>;
  private started = false;
  private topicWatch: NodeJS.Timeout | undefined;
  private restoring: Promise<void> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly producer: MessageProducer,
    private readonly options: { instanceId: string; logger: Logger; onDeadLetter?: (topic: string) => void },
  ) {
    this.replyTopicSpec = replyTopicSpec(options.instanceId);
    this.replyTopic = this.replyTopicSpec.name;
    this.consumer = new ValidatingConsumer({
      kafka,
      groupId: replyGroupOf(options.instanceId),
      topics: [this.replyTopic],
      schema: InferenceReply,
      producer,
      logger: options.logger,
      fromBeginning: true,
      deadLetterTopic: deadLetterTopicFor('inference.replies'),
      onDeadLetter: options.onDeadLetter,
      handleBatch: async (messages) => {
        for (const message of messages) this.pending.deliver(message.value);
      },
    });
  }

  get inFlight(): number {
    return this.pending.size;
  }

  get isHealthy(): boolean {
    return this.started && this.consumer.isHealthy && this.producer.isConnected;
  }

  async start(): Promise<void> {
    await ensureTopics(this.kafka, [this.replyTopicSpec]);
    await this.claimReplyTopic();
    await this.consumer.start();
    this.started = true;
    this.topicWatch = setInterval(() => void this.restoreReplyTopic(), TOPIC_WATCH_MS);
    this.topicWatch.unref();
  }

  /**
   * Gives this instance's group a committed offset (the topic's end) when it has none, so the
   * group outlives a crash even when no reply ever came: that group is how another gateway's
   * ReplyTopicJanitor tells the topic was a gateway's. Left as it is when a previous run under the
   * same instance id committed, or is still in the group (a restart within its session timeout).
   */
  private async claimReplyTopic(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const groupId = replyGroupOf(this.options.instanceId);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [this.replyTopic] });
      if (committed?.partitions.some((p) => p.offset !== '-1')) return;
      const ends = await admin.fetchTopicOffsets(this.replyTopic);
      await admin.setOffsets({ groupId, topic: this.replyTopic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
    } catch (error) {
      this.options.logger.debug({ err: error, topic: this.replyTopic }, 'reply topic offsets not claimed');
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * While the reply consumer is unhealthy, recreates the reply topic if it is gone: a gateway cut
   * off from Kafka long enough is taken for dead by the other gateways' janitors, and its consumer
   * cannot rejoin without the topic (it does so by itself once the topic is back).
   */
  private restoreReplyTopic(): Promise<void> {
    if (this.restoring) return this.restoring;
    if (this.consumer.isHealthy) return Promise.resolve();
    this.restoring = ensureTopics(this.kafka, [this.replyTopicSpec])
      .then(
        (created) => {
          if (created.length > 0) this.options.logger.warn({ topic: this.replyTopic }, "reply topic was gone (taken for a dead gateway's); created again");
        },
        (error: unknown) => this.options.logger.debug({ err: error, topic: this.replyTopic }, 'reply topic not checked; Kafka unreachable'),
      )
      .finally(() => {
        this.restoring = undefined;
      });
    return this.restoring;
  }

  async predict(call: PredictionCall): Promise<Extract<InferenceReply, { ok: true }>> {
    const request: InferenceRequest = {
      schemaVersion: MESSAGE_SCHEMA_VERSION,
      requestId: call.requestId,
      texts: call.texts,
      ...(call.modelVersion ? { modelVersion: call.modelVersion } : {}),
      ...(call.subjectId ? { subjectId: call.subjectId } : {}),
      deadline: call.deadline,
      replyTo: { topic: this.replyTopic, partition: 0 },
      createdAt: Date.now(),
    };
    // Refused before anything is published: a second request under an id in flight would have its
    // reply taken for the first's.
    if (this.pending.has(call.requestId)) throw new PlatformError('VALIDATION_ERROR', `request id ${call.requestId} is already in flight`);
    const reply = this.pending.wait(call.requestId, call.deadline);
    // Sticky routing wants a subject's requests together; otherwise spread by request id.
    this.producer.send(TOPICS.inferenceRequests.name, { key: call.subjectId ?? call.requestId, value: request }).catch((error: unknown) => {
      this.pending.fail(call.requestId, new PlatformError('NOT_READY', `the request could not be published to Kafka: ${(error as Error).message}`, { cause: error }));
    });
    const answer = await reply;
    if (!answer.ok) throw new PlatformError(answer.error.code as never, answer.error.message);
    return answer;
  }

  /** Fails what still waits, stops consuming and removes this instance's reply topic. */
  async stop(): Promise<void> {
    clearInterval(this.topicWatch);
    await this.restoring; // or it could create the topic again after the delete below
    this.pending.failAll(new PlatformError('NOT_READY', 'the gateway is shutting down'));
    await this.consumer.stop();
    await deleteTopics(this.kafka, [this.replyTopic]).catch((error: unknown) => this.options.logger.warn({ err: error }, 'reply topic not deleted'));
  }

  /** Resolves when nothing is waiting any more, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.pending.size > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
