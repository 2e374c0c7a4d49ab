/**
 * A consumer that parses and validates every message against its topic's schema before the app
 * sees it. A message that fails goes to `<topic>.dlq` with its error and original bytes, and the
 * consumer keeps going: nothing is dropped silently, nothing poisons the partition.
 *
 * Offsets are committed only after the handler has finished with a batch (at-least-once), so
 * handlers must be idempotent per message key (e.g. dedupe by request id). Finished work is
 * committed at most every `COMMIT_INTERVAL_MS`, when a rebalance starts, and on stop, where the
 * batch in hand is finished and committed before the group is left, so a graceful stop hands no
 * answered message to another member (but for a batch whose failure waited to be tried again when
 * the stop came: all of it goes to the next owner). (kafkajs's own auto-commit sends an
 * OffsetCommit after every fetched batch whatever `autoCommitInterval` says, kafkajs#759 and
 * #1014: under load that was more commit requests than messages, each a write to
 * `__consumer_offsets`.)
 *
 * A batch the handler fails on is tried again in place, heartbeating meanwhile (`failureKind`):
 * - an outage (the broker, a store over the network, a topic not there yet, a service saying
 *   "later"): tried again, with a growing pause, for as long as it lasts, or until a stop or the
 *   group taking the partition away (a heartbeat says so) leaves the batch to its next owner;
 * - anything else: tried `HANDLER_ATTEMPTS` times in all; then its messages are tried one at a
 *   time, and those the handler fails on alone too are dead-lettered as INTERNAL_ERROR (their
 *   senders told through `onRejected`), so one message the handler cannot take does not block its
 *   partition, and the batch's other messages are handled. A handler that says which messages
 *   failed (`MessagesFailed`) gets only those again.
 *
 * Pipelined mode (`pipeline`) is for handlers whose work is batched further downstream (a model's
 * dynamic batcher): kafkajs fetches again only once a fetch's messages are handled, so a handler
 * that awaits a model would leave it idle while answers go out and the next fetch comes in. In this
 * mode a batch is handed over and the next fetch starts at once; at most `maxInFlightMessages` are
 * in hand. Offsets are still committed only behind finished work: per partition, up to the oldest
 * message in hand. A rejoin that hands back a partition we kept redelivers what is in hand; it is
 * skipped, not handled twice. A stop pauses fetching, finishes what is in hand and commits it.
 *
 * Health follows the broker: a consumer that has not fetched or heartbeated for
 * `livenessTimeoutMs` (e.g. the broker is down) is not healthy, and becomes healthy again once
 * kafkajs has reconnected by itself.
 */
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, TopicPartitionOffset } from 'kafkajs';
import { ensureTopics } from './admin';
import type { TSchema, Static } from '@sinclair/typebox';
import { MESSAGE_SCHEMA_VERSION, PlatformError, compileSchema, deadLetterTopicFor, describeSchemaError, type DeadLetter, type ErrorCode } from '@mlops/schemas';
import type { Logger } from '@mlops/observability';
import type { MessageProducer } from './producer';
import { reportConsumerLag } from './consumer-lag';
import { failureKind, hasErrorType, type FailureKind } from './transient-errors';

/** Bytes of an original message a dead letter keeps (base64 grows it by a third). */
const DEAD_LETTER_MAX_VALUE_BYTES = 512 * 1024;

export interface ConsumedMessage<T> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: T;
  /** When the broker appended it (epoch ms). */
  timestamp: number;
}

export interface RejectedMessage {
  topic: string;
  partition: number;
  offset: string;
  raw: KafkaMessage;
  /** The parsed JSON when it parsed (for best-effort error replies), else undefined. */
  parsed: unknown;
  error: PlatformError;
}

export interface ValidatingConsumerOptions<S extends TSchema> {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  schema: S;
  producer: MessageProducer;
  logger: Logger;
  fromBeginning?: boolean;
  /** Largest message accepted, bytes; larger ones are dead-lettered as PAYLOAD_TOO_LARGE. */
  maxMessageBytes?: number;
  /** ms without heartbeat before the group gives our partitions to another member. */
  sessionTimeoutMs?: number;
  handleBatch: (messages: ConsumedMessage<Static<S>>[]) => Promise<void>;
  /** Where rejected messages go; `<topic>.dlq` by default. */
  deadLetterTopic?: string;
  /** Called after a message is dead-lettered, e.g. to send the requester an error reply. */
  onRejected?: (rejected: RejectedMessage) => Promise<void>;
  /** Counts dead-lettered messages per topic. */
  onDeadLetter?: (topic: string) => void;
  /** ms without a fetch or heartbeat after which the consumer reports itself unhealthy; default 5 s. */
  livenessTimeoutMs?: number;
  /** Fetch on while handled batches finish (see above); omit to handle one fetch at a time. */
  pipeline?: { maxInFlightMessages: number };
  /**
   * Bytes a fetch waits for, up to FETCH_WAIT_MS, before it returns (kafkajs `minBytes`; default 1:
   * at once). For consumers that keep aggregates (metrics, features) rather than answer anyone: they
   * then wake about once a second at a low rate instead of once per message, beside the apps that
   * answer. See FETCH_BATCH_BYTES.
   */
  minBytes?: number;
  /** How old the consumer's view of its topics may grow before it asks again, ms; default PARTITION_CHECK_MS. */
  metadataMaxAgeMs?: number;
  /** Failures beyond `failureKind`'s that are outages of what the handler depends on (e.g. a store client's own words). */
  isOutage?: (error: unknown) => boolean;
}

/**
 * How soon a consumer notices partitions added to its topics, ms (kafkajs `metadataMaxAge`, 5 min
 * by default): it then rejoins its group and the new partitions get a reader. Apps raise the
 * scale-out topics to KAFKA_PARTITIONS at start (ensureTopics), and a producer that starts after
 * that writes to the new partitions at once, so until every group has noticed, what lands there
 * waits: at most this long instead of five minutes. One metadata request per consumer each time.
 */
export const PARTITION_CHECK_MS = 30_000;

/**
 * `minBytes` for a consumer that keeps aggregates: about 150 prediction logs. The ab-router's
 * metrics consumer of predictions.log woke for each log, at concurrency 1 right beside the gateway
 * taking its reply. With this, DistilBERT-base-shaped at concurrency 32 (alternating runs, six 8 s
 * rounds each): the ab-router's CPU per text 0.65 → 0.51 ms and the broker's 1.00 → 0.88 ms on
 * average, inference's own 14.5-19.7 swinging with the machine; at concurrency 1 the ab-router's
 * voluntary context switches per request 4.8 → 3.2, the latency within the noise.
 */
export const FETCH_BATCH_BYTES = 64 * 1024;

/**
 * How many times a batch is handed to the handler, failing for a reason other than an outage,
 * before its messages are handled one at a time and those that still fail are dead-lettered.
 */
export const HANDLER_ATTEMPTS = 3;

/** Heartbeat errors that say this member no longer holds its partitions (a rebalance, an eviction). */
const MEMBERSHIP_LOST = ['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID'];

/** The pause before a failed batch is tried again, ms: doubles per failure, up to the max. */
const HANDLER_RETRY_DELAY_MS = 200;
const HANDLER_RETRY_MAX_DELAY_MS = 5_000;

/** How often finished work is committed, at most, ms. */
const COMMIT_INTERVAL_MS = 500;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** How handing messages to the handler ended (see ValidatingConsumer.attempt). */
type Attempt<T> = { outcome: 'handled' } | { outcome: 'stopped' } | { outcome: 'failed'; error: unknown; failed: ConsumedMessage<T>[] };

/**
 * Thrown by a handler that finished some of a batch's messages and failed on the others (`cause`:
 * the first failure): only those are tried again, so the finished ones are not done twice.
 */
export class MessagesFailed<T> extends Error {
  override name = 'MessagesFailed';

  constructor(
    readonly failed: ConsumedMessage<T>[],
    cause: unknown,
  ) {
    super(`the handler failed on ${failed.length} message(s): ${errorText(cause)}`, { cause });
  }
}

/** One assigned partition's progress: what was handed over, what is still in hand (pipelined mode). */
class PartitionProgress {
  readonly inHand = new Set<bigint>();

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** The highest offset handed over, dead-lettered or skipped, -1 before the first. */
  highest = -1n;
  committed = -1n;

  /** Where the group may resume: the oldest message in hand, or past everything handed over. */
  get commitOffset(): bigint {
    let oldest = this.highest + 1n;
    for (const offset of this.inHand) if (offset < oldest) oldest = offset;
    return oldest;
  }
}

/**
 * How long the broker holds a fetch that finds nothing new, ms (kafkajs `maxWaitTimeInMs`). A
 * fetch returns as soon as a message arrives whatever this is; it decides how often a quiet
 * consumer asks again. Every app keeps several quiet ones (state topics, experiment events), and
 * each empty fetch costs the broker about 1.5 ms of CPU: an idle platform of gateway, ab-router
 * and inference took 21.5% of a core at 200 ms (the broker 12.2%, 2.9% of it its own), 11.9% at
 * 1,000 ms and 7.3% at 5,000 ms. Under load that CPU is taken from the model. Alternating runs
 * with the default model (concurrency 1 and 32) and the base-shaped one (32) moved no throughput
 * or latency beyond the machine's noise.
 *
 * kafkajs heartbeats only between fetches, so this bounds how late a quiet member hears of a
 * rebalance (or is heard from: heartbeats every `heartbeatInterval` to `heartbeatInterval` + this,
 * well inside the 6 s minimum session timeout), and how long a stop waits for the fetch in flight.
 */
const FETCH_WAIT_MS = 1_000;

/** First wait before a crashed consumer starts again, ms; doubles per failed attempt up to the max. */
const RESTART_DELAY_MS = 1_000;
const RESTART_MAX_DELAY_MS = 30_000;

export class ValidatingConsumer<S extends TSchema> {
  private readonly consumer: Consumer;
  private readonly validate;
  private readonly log: Logger;
  private running = false;
  private crashed = false;
  /** A restart after a crash, under way (see restartLater). */
  private restarting: Promise<void> = Promise.resolve();
  /** When the broker last answered a fetch or heartbeat (epoch ms). */
  private lastContactAt = 0;
  /** Progress per assigned partition (`topic:partition`), work in hand (pipelined mode), commit timer. */
  private readonly progress = new Map<string, PartitionProgress>();
  private readonly inHand = new Set<Promise<void>>();
  private inHandMessages = 0;
  private commitTimer: NodeJS.Timeout | null = null;
  private pausedForStop = false;
  /** The group member id of the last join: a new one means the group dropped us meanwhile. */
  private memberId: string | undefined;

  constructor(private readonly options: ValidatingConsumerOptions<S>) {
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: FETCH_WAIT_MS,
      minBytes: options.minBytes ?? 1,
      metadataMaxAge: options.metadataMaxAgeMs ?? PARTITION_CHECK_MS,
      allowAutoTopicCreation: false,
      // Retriable crashes restart inside kafkajs until we stop; non-retriable ones: see the CRASH handler.
      retry: { retries: 10, restartOnFailure: async () => this.running },
    });
    this.validate = compileSchema(options.schema);
    this.log = options.logger.child({ component: 'consumer', groupId: options.groupId });
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      reportConsumerLag({ group: options.groupId, topic: payload.topic, partition: payload.partition, lag: Math.max(0, Number(payload.offsetLag)) });
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      this.log.error({ err: error, restart }, 'consumer crashed');
      if (restart || !this.running) return;
      // kafkajs gives up for good on an error it deems non-retriable, including "group coordinator
      // not found" once its retries are spent while a broker restarts. A platform consumer must
      // come back by itself when the broker does, so it starts again, with backoff, until stopped.
      this.crashed = true;
      this.restartLater(RESTART_DELAY_MS);
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      // Dropped from the group meanwhile (a new member id): others may have committed past what
      // we remember, so nothing remembered counts any more.
      if (payload.memberId !== this.memberId) this.progress.clear();
      this.memberId = payload.memberId;
      // Partitions taken away keep no progress: work still in hand for them answers, but commits
      // nothing (their new owner resumes from the last commit).
      const assigned = new Set(Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) => partitions.map((p) => `${topic}:${p}`)));
      for (const key of [...this.progress.keys()]) if (!assigned.has(key)) this.progress.delete(key);
    });
    // Commit finished work while this member still owns its partitions: the commit is accepted
    // until the rebalance completes, and the next owner then starts after it.
    this.consumer.on(this.consumer.events.REBALANCING, () => void this.commitFinished());
    const contact = () => (this.lastContactAt = Date.now());
    for (const event of [this.consumer.events.FETCH, this.consumer.events.HEARTBEAT, this.consumer.events.GROUP_JOIN, this.consumer.events.END_BATCH_PROCESS]) {
      this.consumer.on(event, contact);
    }
  }

  /** True while the consumer runs, has not crashed for good and hears from the broker. */
  get isHealthy(): boolean {
    const livenessMs = this.options.livenessTimeoutMs ?? 5_000;
    return this.running && !this.crashed && Date.now() - this.lastContactAt < livenessMs;
  }

  get events() {
    return this.consumer.events;
  }

  on(event: string, listener: (...args: never[]) => void): void {
    this.consumer.on(event as never, listener as never);
  }

  async start(): Promise<void> {
    // A dead letter needs its topic: without it the poison message would block its partition.
    const deadLetterTopics = [...new Set(this.options.topics.map((t) => this.options.deadLetterTopic ?? deadLetterTopicFor(t)))];
    await ensureTopics(this.options.kafka, deadLetterTopics.map((name) => ({ name, key: 'as the original topic', partitions: 1 })));
    this.running = true;
    await this.consume();
  }

  private restartLater(delayMs: number): void {
    setTimeout(() => {
      if (!this.running) return;
      this.restarting = this.consume().then(
        () => {
          this.crashed = false;
          this.log.info('consumer started again after a crash');
        },
        (error: unknown) => {
          this.log.error({ err: error, retryInMs: Math.min(delayMs * 2, RESTART_MAX_DELAY_MS) }, 'consumer could not start again');
          this.restartLater(Math.min(delayMs * 2, RESTART_MAX_DELAY_MS));
        },
      );
    }, delayMs);
  }

  /** Joins the group and runs the fetch loop (at start, and again after a crash kafkajs gave up on). */
  private async consume(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning ?? false });
    if (this.options.pipeline) {
      const { maxInFlightMessages } = this.options.pipeline;
      await this.consumer.run({
        eachBatchAutoResolve: false,
        // Resolved offsets move the fetch position only; commits follow finished work (commitFinished).
        autoCommit: false,
        partitionsConsumedConcurrently: 4,
        eachBatch: (payload) => this.handOver(payload, maxInFlightMessages),
      });
      return;
    }
    await this.consumer.run({
      eachBatchAutoResolve: false,
      autoCommit: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }) => {
        // A heartbeat that says the partitions are no longer ours ends a wait for a failed batch:
        // kafkajs rejoins only once this batch returns, and the group waits for that.
        let membershipLost = false;
        const stopped = () => !isRunning() || isStale() || membershipLost;
        const { accepted, last } = await this.take(batch, stopped);
        let handled = true;
        if (accepted.length > 0) {
          // A batch may take longer than the session timeout (a backlog queued behind a model, an
          // outage waited out): keep heartbeating meanwhile, or the group evicts us and redelivers
          // the work to another.
          const beating = setInterval(() => {
            heartbeat().catch((error: unknown) => {
              if (hasErrorType(error, MEMBERSHIP_LOST)) membershipLost = true;
            });
          }, 1_000);
          try {
            handled = await this.handleOrIsolate(batch, accepted, stopped);
          } finally {
            clearInterval(beating);
          }
        }
        // Every message up to `last` is handled or dead-lettered, also when a stop began meanwhile
        // (unless the stop came while a failed batch waited to be tried again: it stays unresolved).
        // Partitions no longer ours resolve nothing: their next owner starts from the last commit.
        if (handled && last && !isStale() && !membershipLost) {
          resolveOffset(last.offset);
          this.progressOf(batch.topic, batch.partition).highest = BigInt(last.offset);
          this.scheduleCommit();
        }
        if (!isRunning()) {
          // kafkajs leaves the group on stop without committing: commit now, or another member
          // would answer these requests a second time. (consumer.commitOffsets does nothing once
          // a stop began; the batch's own commit still goes through.)
          await this.commitFinished((offsets) => commitOffsetsIfNecessary({ topics: offsets.map(({ topic, partition, offset }) => ({ topic, partitions: [{ partition, offset }] })) }));
        } else {
          await heartbeat();
        }
      },
    });
  }

  private progressOf(topic: string, partition: number): PartitionProgress {
    const key = `${topic}:${partition}`;
    let progress = this.progress.get(key);
    if (!progress) this.progress.set(key, (progress = new PartitionProgress(topic, partition)));
    return progress;
  }

  private scheduleCommit(): void {
    this.commitTimer ??= setTimeout(() => void this.commitFinished(), COMMIT_INTERVAL_MS);
  }

  /**
   * The valid messages of a fetched batch, in order, the invalid ones dead-lettered on the way, up
   * to where `stopped` says to leave the rest to whoever owns the partition next (a stop, a
   * reassignment) or `maxAccepted` valid ones are taken; `skip` passes over offsets (counted in
   * `last`) without handling them.
   */
  private async take(
    batch: EachBatchPayload['batch'],
    stopped: () => boolean,
    skip: (offset: bigint) => boolean = () => false,
    maxAccepted = Infinity,
  ): Promise<{ accepted: ConsumedMessage<Static<S>>[]; last: KafkaMessage | undefined }> {
    const accepted: ConsumedMessage<Static<S>>[] = [];
    let last: KafkaMessage | undefined;
    for (const message of batch.messages) {
      if (stopped() || accepted.length >= maxAccepted) break;
      if (!skip(BigInt(message.offset))) {
        const decoded = this.decode(batch.topic, batch.partition, message);
        if ('error' in decoded) await this.deadLetter(decoded);
        else accepted.push(decoded);
      }
      last = message;
    }
    return { accepted, last };
  }

  /** Pipelined mode: hands a fetched batch to the handler without waiting for it to finish. */
  private async handOver({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload, maxInFlightMessages: number): Promise<void> {
    const progress = this.progressOf(batch.topic, batch.partition);
    // What a rejoin fetched again is in hand or finished already: skipped, not handled twice.
    const handedOver = progress.highest;
    // No more than the room left: a fetch catching up on a backlog holds thousands. The rest is
    // not resolved, so the next fetch brings it again once there is room.
    const room = Math.max(1, maxInFlightMessages - this.inHandMessages);
    const { accepted, last } = await this.take(batch, () => !isRunning() || isStale() || this.pausedForStop, (offset) => offset <= handedOver, room);
    for (const message of accepted) progress.inHand.add(BigInt(message.offset));
    // Dead letters are sent already: everything up to `last` is in hand or finished.
    if (last) {
      progress.highest = BigInt(last.offset);
      resolveOffset(last.offset);
    }
    if (accepted.length > 0) {
      this.inHandMessages += accepted.length;
      const work: Promise<void> = this.options
        .handleBatch(accepted)
        .catch((error: unknown) => this.deadLetterFailed(batch, accepted, error))
        .finally(() => {
          this.inHand.delete(work);
          this.inHandMessages -= accepted.length;
          for (const message of accepted) progress.inHand.delete(BigInt(message.offset));
          this.scheduleCommit();
        });
      this.inHand.add(work);
    }
    // Back-pressure: enough in hand; wait (heartbeating) until some of it is finished.
    while (this.inHandMessages >= maxInFlightMessages && isRunning() && !isStale()) {
      await Promise.race([...this.inHand, new Promise((resolve) => setTimeout(resolve, 1_000))]);
      await heartbeat().catch(() => undefined);
    }
  }

  /**
   * One-fetch-at-a-time mode: hands the batch to the handler and, when it fails, tries again as the
   * class comment says. Resolves false when a stop came, or the group took the partition away,
   * while a failed batch waited to be tried again: the batch is left to the partition's next owner.
   */
  private async handleOrIsolate(batch: EachBatchPayload['batch'], accepted: ConsumedMessage<Static<S>>[], stopped: () => boolean): Promise<boolean> {
    const together = await this.attempt(batch, accepted, stopped, HANDLER_ATTEMPTS);
    if (together.outcome !== 'failed') return together.outcome === 'handled';
    const { failed, error } = together;
    const letters: { message: ConsumedMessage<Static<S>>; error: unknown }[] = [];
    if (failed.length === 1) letters.push({ message: failed[0], error });
    else {
      this.log.error({ err: error, topic: batch.topic, partition: batch.partition, offset: failed[0].offset, messages: failed.length }, 'handler failed on messages again and again; they are tried one at a time');
      // Once each (outages aside): the batch has had its attempts, and a backlog's batch may hold thousands.
      for (const message of failed) {
        const alone = await this.attempt(batch, [message], stopped, 1);
        if (alone.outcome === 'stopped') return false;
        if (alone.outcome === 'failed') letters.push({ message, error: alone.error });
      }
    }
    // Sent once every message is settled: a stop midway leaves the whole batch, and no letters, to the next owner.
    for (const letter of letters) await this.deadLetter(this.handlerFailure(batch, letter.message, letter.error, `the handler kept failing on it (${HANDLER_ATTEMPTS} attempts)`));
    return true;
  }

  /**
   * Hands messages to the handler until it succeeds: outages are waited out, any other failure is
   * tried `attempts` times in all. A handler that says which messages failed (MessagesFailed) gets
   * only those again.
   */
  private async attempt(batch: EachBatchPayload['batch'], messages: ConsumedMessage<Static<S>>[], stopped: () => boolean, attempts: number): Promise<Attempt<Static<S>>> {
    let pending = messages;
    let failures = 0;
    let tried = 0;
    for (;;) {
      try {
        await this.options.handleBatch(pending);
        return { outcome: 'handled' };
      } catch (error) {
        const kind = this.failureKind(error);
        if (error instanceof MessagesFailed) {
          const failed = new Set(error.failed.map((message) => message.offset));
          const named = pending.filter((message) => failed.has(message.offset));
          // Naming none of them says nothing: all are tried again.
          if (named.length > 0) pending = named;
          else this.log.warn({ topic: batch.topic, partition: batch.partition }, 'handler said messages failed but named none of the batch; all are tried again');
        }
        failures++;
        if (kind === 'message' && ++tried >= attempts) return { outcome: 'failed', error, failed: pending };
        this.log.warn({ err: error, topic: batch.topic, partition: batch.partition, offset: pending[0].offset, messages: pending.length, failures, outage: kind === 'outage' }, 'handler failed; trying again');
        if (!(await this.pauseBeforeRetry(failures, stopped))) return { outcome: 'stopped' };
      }
    }
  }

  private failureKind(error: unknown): FailureKind {
    const kind = failureKind(error);
    return kind === 'message' && this.options.isOutage?.(error) ? 'outage' : kind;
  }

  /** Waits before the next try (heartbeats go on meanwhile); false if a stop came or the partition is no longer ours. */
  private async pauseBeforeRetry(failures: number, stopped: () => boolean): Promise<boolean> {
    const until = Date.now() + Math.min(HANDLER_RETRY_DELAY_MS * 2 ** (failures - 1), HANDLER_RETRY_MAX_DELAY_MS);
    while (Date.now() < until) {
      if (stopped()) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.min(100, until - Date.now())));
    }
    return !stopped();
  }

  /** A message the handler failed on, as the dead-letter topic takes it. */
  private handlerFailure(batch: EachBatchPayload['batch'], message: ConsumedMessage<Static<S>>, error: unknown, what: string): RejectedMessage {
    const raw = batch.messages.find((m) => m.offset === message.offset);
    if (!raw) throw new Error(`message ${message.offset} is not in its batch of ${batch.topic}:${batch.partition}`);
    return {
      topic: batch.topic,
      partition: batch.partition,
      offset: message.offset,
      raw,
      parsed: message.value,
      // A handler's MessagesFailed is a wrapper: the letter says what failed underneath.
      error: new PlatformError('INTERNAL_ERROR', `${what}: ${errorText(error instanceof MessagesFailed ? error.cause : error)}`),
    };
  }

  /**
   * Pipelined mode: a batch the handler failed on cannot be fetched again (later ones are handed
   * over already), so its messages go to the dead-letter topic with the handler's error, and their
   * senders are told (onRejected), rather than being committed as if answered.
   */
  private async deadLetterFailed(batch: EachBatchPayload['batch'], failed: ConsumedMessage<Static<S>>[], error: unknown): Promise<void> {
    this.log.error({ err: error, topic: batch.topic, partition: batch.partition, messages: failed.length }, 'handler failed on a batch; its messages are dead-lettered');
    for (const message of failed) {
      await this.deadLetter(this.handlerFailure(batch, message, error, 'the handler failed')).catch((letterError: unknown) => this.log.error({ err: letterError, topic: batch.topic, partition: batch.partition, offset: message.offset }, 'a message the handler failed on could not be dead-lettered'));
    }
  }

  /** Commits, per assigned partition, up to the oldest message still in hand (or all handed over). */
  private async commitFinished(commit: (offsets: TopicPartitionOffset[]) => Promise<void> = (offsets) => this.consumer.commitOffsets(offsets)): Promise<void> {
    if (this.commitTimer) clearTimeout(this.commitTimer);
    this.commitTimer = null;
    const due = [...this.progress.values()].map((progress) => ({ progress, offset: progress.commitOffset })).filter(({ progress, offset }) => offset > progress.committed);
    if (due.length === 0) return;
    try {
      await commit(due.map(({ progress, offset }) => ({ topic: progress.topic, partition: progress.partition, offset: offset.toString() })));
      for (const { progress, offset } of due) progress.committed = offset;
    } catch (error) {
      // A rebalance or a broker away: the next finished work (or the stop) commits again.
      this.log.warn({ err: error }, 'could not commit finished work');
    }
  }

  private decode(topic: string, partition: number, message: KafkaMessage): ConsumedMessage<Static<S>> | RejectedMessage {
    const reject = (code: ErrorCode, text: string, parsed?: unknown): RejectedMessage => ({
      topic,
      partition,
      offset: message.offset,
      raw: message,
      parsed,
      error: new PlatformError(code, text),
    });
    const size = message.value?.length ?? 0;
    const maxBytes = this.options.maxMessageBytes ?? 1_048_576;
    if (size > maxBytes) return reject('PAYLOAD_TOO_LARGE', `message is ${size} bytes, the limit is ${maxBytes}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch (error) {
      return reject('VALIDATION_ERROR', `message is not JSON: ${(error as Error).message}`);
    }
    if (!this.validate(parsed)) {
      return reject('VALIDATION_ERROR', `message does not match ${topic} schema: ${describeSchemaError(this.validate.errors)}`, parsed);
    }
    return {
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString('utf8') ?? null,
      value: parsed,
      timestamp: Number(message.timestamp),
    };
  }

  private async deadLetter(rejected: RejectedMessage): Promise<void> {
    // The letter must fit the broker's message limit (1 MiB) with its base64 and envelope: an
    // oversized original keeps its first 512 KiB, and the message says so.
    const value = rejected.raw.value ?? Buffer.alloc(0);
    const kept = value.subarray(0, DEAD_LETTER_MAX_VALUE_BYTES);
    const truncated = kept.length < value.length ? ` (original ${value.length} bytes; the first ${kept.length} kept)` : '';
    const letter: DeadLetter = {
      schemaVersion: MESSAGE_SCHEMA_VERSION,
      topic: rejected.topic,
      partition: rejected.partition,
      offset: rejected.offset,
      key: rejected.raw.key?.toString('utf8') ?? null,
      error: { code: rejected.error.code, message: `${rejected.error.message}${truncated}`, retryable: false },
      valueBase64: kept.toString('base64'),
      consumer: this.options.groupId,
      failedAt: Date.now(),
    };
    this.log.warn({ topic: rejected.topic, partition: rejected.partition, offset: rejected.offset, code: rejected.error.code }, rejected.error.message);
    await this.options.producer.send(this.options.deadLetterTopic ?? deadLetterTopicFor(rejected.topic), { key: letter.key, value: letter });
    this.options.onDeadLetter?.(rejected.topic);
    await this.options.onRejected?.(rejected).catch((error: unknown) => this.log.warn({ err: error }, 'could not notify the sender of a rejected message'));
  }

  /** Stops fetching, lets the batch(es) in hand finish, commits, and leaves the group. */
  async stop(): Promise<void> {
    if (this.options.pipeline && this.running) {
      this.pausedForStop = true;
      try {
        this.consumer.pause(this.options.topics.map((topic) => ({ topic })));
      } catch {
        // Crashed, with a restart pending (kafkajs dropped its group): nothing is fetching.
      }
      while (this.inHand.size > 0) await Promise.allSettled([...this.inHand]);
    }
    // Finished batches waiting for the commit timer (a batch still in hand commits as it ends).
    if (this.running) await this.commitFinished();
    this.running = false;
    // A restart under way would otherwise join the group again after the disconnect.
    await this.restarting;
    await this.consumer.disconnect();
  }
}
