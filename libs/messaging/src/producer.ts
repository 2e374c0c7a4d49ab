/**
 * A producer that coalesces the messages of one event-loop turn into a single `sendBatch`, so a
 * busy service sends few large requests instead of one round trip per message (the `linger`
 * lesson of the Java client), while an idle one adds no delay.
 *
 * Topics that disappear (a requester's reply topic, deleted when it leaves) are survived. kafkajs
 * keeps every topic it has sent to in its metadata requests, and once one is deleted every later
 * metadata refresh fails: sends to new topics at once, sends to all topics when the metadata ages
 * out. So a send that fails with "unknown topic" renews the kafkajs producer (a fresh topic set)
 * and is tried once more; only a topic still missing then is refused.
 */
import { CompressionTypes, type Kafka, type Message, type Producer } from 'kafkajs';

interface Pending {
  topic: string;
  message: Message;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface OutgoingMessage {
  key?: string | null;
  value: unknown;
  headers?: Record<string, string>;
  partition?: number;
}

/** How long a topic found missing is refused without asking the broker again, ms. */
const MISSING_TOPIC_MEMORY_MS = 30_000;

/** Whether a kafkajs error (or one it wraps) says the topic does not exist. */
function isMissingTopic(error: unknown): boolean {
  for (let e = error as { type?: string; cause?: unknown; originalError?: unknown } | undefined; e; e = (e.cause ?? e.originalError) as typeof e) {
    if (e.type === 'UNKNOWN_TOPIC_OR_PARTITION') return true;
  }
  return false;
}

export class MissingTopicError extends Error {
  constructor(readonly topic: string) {
    super(`topic ${topic} does not exist (checked within the last ${MISSING_TOPIC_MEMORY_MS / 1000} s)`);
    this.name = 'MissingTopicError';
  }
}

export class MessageProducer {
  private producer: Producer;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private connected = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Topics a send found missing (e.g. a requester's reply topic deleted when it left), until when. */
  private readonly missingUntil = new Map<string, number>();

  private renewing: Promise<void> | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: { lingerMs?: number; compression?: boolean } = {},
  ) {
    this.producer = this.createProducer();
  }

  private createProducer(): Producer {
    const producer = this.kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 5 } });
    producer.on(producer.events.DISCONNECT, () => {
      if (producer === this.producer) this.connected = false;
    });
    producer.on(producer.events.CONNECT, () => {
      if (producer === this.producer) this.connected = true;
    });
    return producer;
  }

  /** A fresh kafkajs producer in place of one whose topic set holds a deleted topic (see above). */
  private renew(): Promise<void> {
    this.renewing ??= (async () => {
      const fresh = this.createProducer();
      await fresh.connect();
      const old = this.producer;
      this.producer = fresh;
      this.connected = true;
      // Sends still under way on the old producer finish first.
      void Promise.allSettled([...this.inFlight]).then(() => old.disconnect().catch(() => undefined));
    })().finally(() => (this.renewing = null));
    return this.renewing;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  /** Serializes `value` as JSON and resolves once the broker has acknowledged it. */
  send(topic: string, message: OutgoingMessage): Promise<void> {
    const encoded: Message = {
      key: message.key ?? null,
      value: Buffer.from(JSON.stringify(message.value)),
      headers: message.headers,
      partition: message.partition,
    };
    return this.sendRaw(topic, encoded);
  }

  sendRaw(topic: string, message: Message): Promise<void> {
    // Each send to a missing topic costs kafkajs' whole retry cycle (seconds); after the first,
    // refuse at once for a while, so the caller (e.g. a consumer's batch) is not held up again.
    const missingUntil = this.missingUntil.get(topic);
    if (missingUntil !== undefined) {
      if (missingUntil > Date.now()) return Promise.reject(new MissingTopicError(topic));
      this.missingUntil.delete(topic);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ topic, message, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    const lingerMs = this.options.lingerMs ?? 0;
    const run = () => {
      this.flushScheduled = false;
      const flushing = this.flush();
      this.inFlight.add(flushing);
      void flushing.finally(() => this.inFlight.delete(flushing));
    };
    if (lingerMs > 0) setTimeout(run, lingerMs);
    else setImmediate(run);
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const byTopic = new Map<string, Message[]>();
    for (const item of batch) {
      const messages = byTopic.get(item.topic) ?? [];
      messages.push(item.message);
      byTopic.set(item.topic, messages);
    }
    // One request per topic, in parallel: a topic that fails (e.g. a requester's reply topic that
    // was deleted) must not fail or delay the messages for the others.
    await Promise.all(
      [...byTopic].map(async ([topic, messages]) => {
        const items = batch.filter((item) => item.topic === topic);
        const send = () => this.producer.send({ topic, messages, acks: -1, compression: this.options.compression ? CompressionTypes.GZIP : CompressionTypes.None });
        try {
          await send().catch(async (error: unknown) => {
            if (!isMissingTopic(error)) throw error;
            // This topic, or another one kafkajs still asks about, is gone: renew and try once more.
            await this.renew();
            await send();
          });
          for (const item of items) item.resolve();
        } catch (error) {
          if (isMissingTopic(error)) this.missingUntil.set(topic, Date.now() + MISSING_TOPIC_MEMORY_MS);
          for (const item of items) item.reject(error);
        }
      }),
    );
  }

  async disconnect(): Promise<void> {
    // Wait for what is queued or being sent, so nothing accepted is dropped on shutdown.
    while (this.queue.length > 0 || this.flushScheduled || this.inFlight.size > 0) {
      if (this.queue.length > 0 && !this.flushScheduled) this.scheduleFlush();
      await Promise.allSettled([...this.inFlight, new Promise((resolve) => setImmediate(resolve))]);
    }
    await this.producer.disconnect();
  }
}
