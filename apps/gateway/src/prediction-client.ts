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
    await this.consumer.start();
    this.started = true;
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
