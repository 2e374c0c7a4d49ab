/**
 * A producer that coalesces the messages of one event-loop turn into a single `sendBatch`, so a
 * busy service sends few large requests instead of one round trip per message (the `linger`
 * lesson of the Java client), while an idle one adds no delay.
 *
 * A topic nobody waits on (a log read by monitors) can linger longer (`topicLinger`): its messages
 * wait until the linger has passed or enough have gathered, and go in one request.
 *
 * Topics that disappear (a requester's reply topic, deleted when it leaves) are survived. kafkajs
 * keeps every topic it has sent to in its metadata requests, and once one is deleted every later
 * metadata refresh fails: sends to new topics at once, sends to all topics when the metadata ages
 * out. So replies to requesters go through a kafkajs producer of their own, and a send that fails
 * with "unknown topic" renews its kafkajs producer (a fresh topic set) and is tried once more; only
 * a topic still missing then is refused.
 */
import { CompressionTypes, type Kafka, type Message, type Producer, type ProducerRecord } from 'kafkajs';
import { REFUSED_MESSAGES, hasErrorType } from './transient-errors';

interface Pending {
  topic: string;
  message: Message;
  /** To a requester's reply topic (see MessageProducer.replies). */
  toRequester: boolean;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface OutgoingMessage {
  key?: string | null;
  value: unknown;
  headers?: Record<string, string>;
  partition?: number;
}

/**
 * Lingering on a topic: how long its first queued message waits for company, and how many
 * messages end the wait early (so a busy topic does not hold many sends, and their callers, open).
 */
export interface TopicLinger {
  ms: number;
  maxMessages: number;
}

/** Retries of a reply send that failed for another reason than a missing topic, and the first delay (doubling). */
const OWN_RETRIES = 5;
const OWN_RETRY_DELAY_MS = 200;

/** How long a topic found missing is refused without asking the broker again, ms. */
const MISSING_TOPIC_MEMORY_MS = 30_000;

/** Whether a kafkajs error (or one it wraps) says the topic does not exist. */
function isMissingTopic(error: unknown): boolean {
  return hasErrorType(error, ['UNKNOWN_TOPIC_OR_PARTITION']);
}

export class MissingTopicError extends Error {
  constructor(readonly topic: string) {
    super(`topic ${topic} does not exist (checked within the last ${MISSING_TOPIC_MEMORY_MS / 1000} s)`);
    this.name = 'MissingTopicError';
  }
}

/**
 * One kafkajs producer that can be swapped for a fresh one (a fresh topic set) when a deleted
 * topic has broken its metadata requests. Sends under way on the old one finish first.
 */
class RenewableProducer {
  private current: Producer;
  private renewing: Promise<void> | null = null;
  connected = false;

  /**
   * `ownRetries`: kafkajs retries every retriable error alike, and a send to a deleted topic holds
   * the producer's metadata lock through all of them (seconds), stalling its sends to live topics.
   * With `ownRetries` kafkajs does not retry; connection errors are retried here with the same
   * backoff, and "unknown topic" fails at once (after the renewal) instead.
   */
  constructor(
    private readonly kafka: Kafka,
    private readonly inFlight: Set<Promise<void>>,
    private readonly ownRetries = false,
  ) {
    this.current = this.create();
  }

  private create(): Producer {
    const producer = this.kafka.producer({ allowAutoTopicCreation: false, retry: { retries: this.ownRetries ? 0 : 5 } });
    producer.on(producer.events.DISCONNECT, () => {
      if (producer === this.current) this.connected = false;
    });
    producer.on(producer.events.CONNECT, () => {
      if (producer === this.current) this.connected = true;
    });
    return producer;
  }

  connect(): Promise<void> {
    return this.current.connect();
  }

  disconnect(): Promise<void> {
    return this.current.disconnect();
  }

  /** Sends; on "unknown topic" renews once and tries again, so only a topic really gone fails. */
  async send(record: ProducerRecord): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.sendRenewing(record);
        return;
      } catch (error) {
        if (!this.ownRetries || isMissingTopic(error) || attempt >= OWN_RETRIES) throw error;
        await new Promise((resolve) => setTimeout(resolve, OWN_RETRY_DELAY_MS * 2 ** attempt));
      }
    }
  }

  private async sendRenewing(record: ProducerRecord): Promise<void> {
    try {
      await this.current.send(record);
    } catch (error) {
      if (!isMissingTopic(error)) throw error;
      await this.renew();
      await this.current.send(record);
    }
  }

  private renew(): Promise<void> {
    this.renewing ??= (async () => {
      const fresh = this.create();
      await fresh.connect();
      const old = this.current;
      this.current = fresh;
      this.connected = true;
      void Promise.allSettled([...this.inFlight]).then(() => old.disconnect().catch(() => undefined));
    })().finally(() => (this.renewing = null));
    return this.renewing;
  }
}

export class MessageProducer {
  private readonly inFlight = new Set<Promise<void>>();
  /** For the platform's own topics, which are not deleted while it runs. */
  private readonly platform: RenewableProducer;
  /**
   * For requesters' reply topics, which come and go with their requesters: a deleted one can only
   * hold up other replies (until the renewal), never the platform's own topics.
   */
  private readonly replies: RenewableProducer;
  private queue: Pending[] = [];
  private flushScheduled = false;
  /** Per lingering topic (see TopicLinger): its messages waiting, and the timer that sends them. */
  private readonly lingering = new Map<string, { pending: Pending[]; timer: NodeJS.Timeout }>();
  /** Topics a send found missing (e.g. a requester's reply topic deleted when it left), until when. */
  private readonly missingUntil = new Map<string, number>();

  constructor(
    kafka: Kafka,
    private readonly options: { topicLinger?: Readonly<Record<string, TopicLinger>>; compression?: boolean } = {},
  ) {
    this.platform = new RenewableProducer(kafka, this.inFlight);
    this.replies = new RenewableProducer(kafka, this.inFlight, true);
  }

  get isConnected(): boolean {
    return this.platform.connected && this.replies.connected;
  }

  async connect(): Promise<void> {
    await Promise.all([this.platform.connect(), this.replies.connect()]);
  }

  /** Serializes `value` as JSON and resolves once the broker has acknowledged it. */
  send(topic: string, message: OutgoingMessage): Promise<void> {
    return this.sendRaw(topic, encode(message));
  }

  /** As `send`, to a topic a requester owns (its reply topic), which may be deleted at any time. */
  sendReply(topic: string, message: OutgoingMessage): Promise<void> {
    return this.enqueue(topic, encode(message), true);
  }

  sendRaw(topic: string, message: Message): Promise<void> {
    return this.enqueue(topic, message, false);
  }

  private enqueue(topic: string, message: Message, toRequester: boolean): Promise<void> {
    // Each send to a missing topic costs kafkajs' whole retry cycle (seconds); after the first,
    // refuse at once for a while, so the caller (e.g. a consumer's batch) is not held up again.
    const missingUntil = this.missingUntil.get(topic);
    if (missingUntil !== undefined) {
      if (missingUntil > Date.now()) return Promise.reject(new MissingTopicError(topic));
      this.missingUntil.delete(topic);
    }
    return new Promise((resolve, reject) => {
      const pending = { topic, message, toRequester, resolve, reject };
      const linger = this.options.topicLinger?.[topic];
      if (linger) this.linger(pending, linger);
      else {
        this.queue.push(pending);
        this.scheduleFlush();
      }
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.startFlush(this.queue);
      this.queue = [];
    });
  }

  private linger(pending: Pending, { ms, maxMessages }: TopicLinger): void {
    let waiting = this.lingering.get(pending.topic);
    if (!waiting) {
      waiting = { pending: [], timer: setTimeout(() => this.flushLingering(pending.topic), ms) };
      this.lingering.set(pending.topic, waiting);
    }
    waiting.pending.push(pending);
    if (waiting.pending.length >= maxMessages) this.flushLingering(pending.topic);
  }

  private flushLingering(topic: string): void {
    const waiting = this.lingering.get(topic);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.lingering.delete(topic);
    this.startFlush(waiting.pending);
  }

  private startFlush(batch: Pending[]): void {
    const flushing = this.flush(batch);
    this.inFlight.add(flushing);
    void flushing.finally(() => this.inFlight.delete(flushing));
  }

  private async flush(batch: Pending[]): Promise<void> {
    if (batch.length === 0) return;
    const byTopic = new Map<string, Pending[]>();
    for (const item of batch) {
      const items = byTopic.get(item.topic) ?? [];
      items.push(item);
      byTopic.set(item.topic, items);
    }
    // Topics in parallel: a topic that fails (e.g. a requester's reply topic that was deleted) must
    // not fail or delay the messages for the others. A topic's parts go one after another, in order.
    await Promise.all(
      [...byTopic].map(async ([topic, items]) => {
        const producer = items[0].toRequester ? this.replies : this.platform;
        const parts = requestParts(items);
        for (const [i, part] of parts.entries()) {
          try {
            await producer.send({ topic, messages: part.map((item) => item.message), acks: -1, compression: this.options.compression ? CompressionTypes.GZIP : CompressionTypes.None });
            for (const item of part) item.resolve();
          } catch (error) {
            for (const item of part) item.reject(error);
            // The broker refused these messages themselves: the next ones may well go through.
            if (hasErrorType(error, REFUSED_MESSAGES)) continue;
            // The topic or the broker failed, not these messages: the later parts would only wait
            // out the same retries.
            if (isMissingTopic(error)) this.missingUntil.set(topic, Date.now() + MISSING_TOPIC_MEMORY_MS);
            for (const item of parts.slice(i + 1).flat()) item.reject(error);
            return;
          }
        }
      }),
    );
  }

  async disconnect(): Promise<void> {
    // Wait for what is queued or being sent, so nothing accepted is dropped on shutdown.
    while (this.queue.length > 0 || this.flushScheduled || this.lingering.size > 0 || this.inFlight.size > 0) {
      if (this.queue.length > 0 && !this.flushScheduled) this.scheduleFlush();
      for (const topic of [...this.lingering.keys()]) this.flushLingering(topic);
      await Promise.allSettled([...this.inFlight, new Promise((resolve) => setImmediate(resolve))]);
    }
    await Promise.all([this.platform.disconnect(), this.replies.disconnect()]);
  }
}

/**
 * Bytes of messages one produce request carries at most. The broker refuses a record batch over
 * its message.max.bytes (1 MiB by default) outright, so a turn that queues more (a consumer
 * forwarding a backlog's fetch of thousands of messages) goes in parts; this leaves room for the
 * record format's own bytes.
 */
const MAX_REQUEST_BYTES = 512 * 1024;

/** A record's bytes besides its key, value and headers (v2 format: lengths, deltas, attributes), at most. */
const RECORD_OVERHEAD_BYTES = 32;

function messageBytes(message: Message): number {
  let bytes = RECORD_OVERHEAD_BYTES + byteLength(message.key) + byteLength(message.value);
  for (const [key, value] of Object.entries(message.headers ?? {})) bytes += Buffer.byteLength(key) + (Array.isArray(value) ? value : [value]).reduce((sum: number, v) => sum + byteLength(v), 0);
  return bytes;
}

function byteLength(data: Buffer | string | null | undefined): number {
  return data === null || data === undefined ? 0 : Buffer.byteLength(data);
}

/** Consecutive parts of `items` of at most MAX_REQUEST_BYTES each (a larger message alone, for the broker to refuse by itself). */
function requestParts(items: Pending[]): Pending[][] {
  const parts: Pending[][] = [];
  let part: Pending[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = messageBytes(item.message);
    if (part.length > 0 && bytes + size > MAX_REQUEST_BYTES) {
      parts.push(part);
      part = [];
      bytes = 0;
    }
    part.push(item);
    bytes += size;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

function encode(message: OutgoingMessage): Message {
  return { key: message.key ?? null, value: Buffer.from(JSON.stringify(message.value)), headers: message.headers, partition: message.partition };
}
