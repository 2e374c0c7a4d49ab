/**
 * A reader of a compacted state topic (`models.events`, `experiments.events`): each process
 * replays it from the beginning under a consumer group of its own, so it sees the whole history and
 * then every change as it happens, and can wait until it has caught up with what was published
 * before it asked.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Static, TSchema } from '@sinclair/typebox';
import type { Logger } from '@mlops/observability';
import { ValidatingConsumer } from './consumer';
import type { MessageProducer } from './producer';

export interface StateTopicReaderOptions<S extends TSchema> {
  kafka: Kafka;
  producer: MessageProducer;
  logger: Logger;
  topic: string;
  schema: S;
  /** The group is `<groupPrefix>-<random>`: a group per process, so every process reads everything. */
  groupPrefix: string;
  /** Applies one event, in topic order per partition. */
  apply: (value: Static<S>) => void;
  onDeadLetter?: (topic: string) => void;
}

export class StateTopicReader<S extends TSchema> {
  private readonly consumer: ValidatingConsumer<S>;
  /** Last offset applied per partition; compaction leaves gaps, so offsets, not counts, tell the end. */
  private readonly consumed = new Map<number, bigint>();

  constructor(private readonly options: StateTopicReaderOptions<S>) {
    this.consumer = new ValidatingConsumer({
      kafka: options.kafka,
      groupId: `${options.groupPrefix}-${randomUUID()}`,
      topics: [options.topic],
      schema: options.schema,
      producer: options.producer,
      logger: options.logger,
      fromBeginning: true,
      onDeadLetter: options.onDeadLetter,
      // A dead-lettered event is behind us too: without this, one at the end of a partition would
      // hold caughtUp() until its timeout.
      onRejected: async (rejected) => this.advance(rejected.partition, rejected.offset),
      handleBatch: async (messages) => {
        for (const message of messages) {
          options.apply(message.value);
          this.advance(message.partition, message.offset);
        }
      },
    });
  }

  private advance(partition: number, offset: string): void {
    const position = BigInt(offset);
    if (position > (this.consumed.get(partition) ?? -1n)) this.consumed.set(partition, position);
  }

  get isHealthy(): boolean {
    return this.consumer.isHealthy;
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }

  /** Resolves true once every event published before the call has been applied, false after `timeoutMs`. */
  async caughtUp(timeoutMs: number): Promise<boolean> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(this.options.topic).finally(() => admin.disconnect());
    const behind = () => ends.some(({ partition, high }) => BigInt(high) > 0n && (this.consumed.get(partition) ?? -1n) < BigInt(high) - 1n);
    const until = Date.now() + timeoutMs;
    while (behind()) {
      if (Date.now() > until) return false;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return true;
  }
}
