/**
 * Steady, open-loop load on both ways in: HTTP calls to the gateway, and an outside Kafka producer
 * that publishes requests to `inference.requests` with a reply topic of its own. Every request id
 * and every answer goes into the ledger. Open loop: a stalled platform does not slow the offered
 * load down, as real clients would not.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { MESSAGE_SCHEMA_VERSION, type InferenceReply, type InferenceRequest } from '@mlops/schemas';
import type { Ledger } from './ledger';

/** Short reviews, cycled through by the load (hot swap compares answers per text). */
export const LOAD_TEXTS = [
  'I love this product!',
  'Terrible experience, would not buy again.',
  'An average film with a few good moments.',
  'The acting was wooden and the plot made no sense.',
  'A delightful, warm and funny story.',
  'Customer service never answered my emails.',
  'Best purchase I have made this year.',
  'It broke after two days.',
];

export interface LoadShape {
  /** Requests to send. */
  count: number;
  /** Requests per second, spread evenly. */
  ratePerSec: number;
  /** Texts per request (1 = /predict, more = /predict/batch). */
  textsPerRequest?: number;
  /** Stop early when this returns true (e.g. the scenario is over). */
  until?: () => boolean;
  /** The end user of request `i` of a channel (`subject_id` / `subjectId`), for sticky experiments. */
  subjectOf?: (index: number) => string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function textsFor(index: number, size: number): string[] {
  return Array.from({ length: size }, (_, i) => LOAD_TEXTS[(index + i) % LOAD_TEXTS.length]);
}

/** Calls `send(i)` `count` times at `ratePerSec` without waiting for answers; resolves when all have settled. */
async function openLoop(shape: LoadShape, send: (index: number) => Promise<void>): Promise<void> {
  const started = Date.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < shape.count && !shape.until?.(); i++) {
    const due = started + (i * 1000) / shape.ratePerSec;
    if (due > Date.now()) await sleep(due - Date.now());
    inFlight.push(send(i));
  }
  await Promise.all(inFlight);
}

/** Why an HTTP call got no HTTP answer: refused before acceptance is explicit; anything else is a drop. */
function transportFailure(error: unknown): string | undefined {
  const code = (error as { cause?: { code?: string } }).cause?.code;
  return code === 'ECONNREFUSED' ? 'connection refused' : undefined;
}

export async function httpLoad(ledger: Ledger, gatewayUrl: string, shape: LoadShape & { timeoutMs: number }): Promise<void> {
  const prefix = `http-${randomUUID().slice(0, 8)}`;
  await openLoop(shape, async (i) => {
    const requestId = `${prefix}-${i}`;
    const texts = textsFor(i, shape.textsPerRequest ?? 1);
    const batch = texts.length > 1;
    ledger.sent(requestId, 'http', Date.now() + shape.timeoutMs, texts);
    try {
      const response = await fetch(`${gatewayUrl}${batch ? '/predict/batch' : '/predict'}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': requestId },
        body: JSON.stringify({ ...(batch ? { texts } : { text: texts[0] }), ...(shape.subjectOf ? { subject_id: shape.subjectOf(i) } : {}) }),
        // The gateway answers 504 at its own deadline; past ours plus 5 s the request is lost.
        signal: AbortSignal.timeout(shape.timeoutMs + 5_000),
      });
      const body = (await response.json()) as Record<string, unknown>;
      if (response.status === 200) {
        const predictions = batch ? (body.predictions as { prediction: string; confidence: number }[]) : [body as { prediction: string; confidence: number }];
        ledger.answer(requestId, {
          ok: true,
          at: Date.now(),
          modelVersion: String(body.model_version),
          labels: predictions.map((p) => p.prediction),
          confidences: predictions.map((p) => p.confidence),
        });
      } else {
        ledger.answer(requestId, { ok: false, at: Date.now(), reason: `${response.status} ${String(body.error)}` });
      }
    } catch (error) {
      const reason = transportFailure(error);
      if (reason) ledger.answer(requestId, { ok: false, at: Date.now(), reason });
      // Otherwise (reset, timeout): the request was accepted and never answered, so it stays lost.
    }
  });
}

/**
 * A producer outside the platform: publishes to `inference.requests` with its own reply topic and
 * reads its replies. Replies are deduplicated by Kafka position only (a re-read after its own
 * consumer restarts is not a redelivery); the ledger sees every distinct reply message.
 */
export class OutsideProducer {
  readonly replyTopic = `faults-replies-${randomUUID()}`;
  private readonly seen = new Set<string>();

  private constructor(
    private readonly kafka: Kafka,
    private readonly producer: Producer,
    private readonly consumer: Consumer,
  ) {}

  static async create(brokers: string, ledger: Ledger): Promise<OutsideProducer> {
    const kafka = new Kafka({ clientId: 'faults-outside-producer', brokers: brokers.split(','), logLevel: logLevel.NOTHING, retry: { retries: 8 } });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    const consumer = kafka.consumer({ groupId: `faults-outside-${randomUUID()}`, maxWaitTimeInMs: 100 });
    const outside = new OutsideProducer(kafka, producer, consumer);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: outside.replyTopic, numPartitions: 1 }] });
    await admin.disconnect();
    await producer.connect();
    // Like any real client, it reads on after a crash kafkajs gives up on (e.g. during a broker
    // restart); otherwise the platform's answers would look lost.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart && !outside.closing) setTimeout(() => void outside.consume(ledger).catch(() => undefined), 1_000);
    });
    await outside.consume(ledger);
    return outside;
  }

  private closing = false;

  private async consume(ledger: Ledger): Promise<void> {
    const { consumer, seen } = this;
    await consumer.connect();
    await consumer.subscribe({ topic: this.replyTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const position = `${partition}:${message.offset}`;
        if (seen.has(position)) return;
        seen.add(position);
        const reply = JSON.parse(message.value?.toString('utf8') ?? 'null') as InferenceReply;
        ledger.answer(
          reply.requestId,
          reply.ok
            ? { ok: true, at: Date.now(), modelVersion: reply.modelVersion, labels: reply.predictions.map((p) => p.label), confidences: reply.predictions.map((p) => p.confidence) }
            : { ok: false, at: Date.now(), reason: String(reply.error.code) },
        );
      },
    });
  }

  /** Publishes requests at a steady rate; a request the producer could not publish is an explicit client-side error. */
  async load(ledger: Ledger, shape: LoadShape & { deadlineMs: number }): Promise<void> {
    const prefix = `kafka-${randomUUID().slice(0, 8)}`;
    await openLoop(shape, async (i) => {
      const requestId = `${prefix}-${i}`;
      const texts = textsFor(i, shape.textsPerRequest ?? 1);
      const request: InferenceRequest = {
        schemaVersion: MESSAGE_SCHEMA_VERSION,
        requestId,
        texts,
        deadline: Date.now() + shape.deadlineMs,
        replyTo: { topic: this.replyTopic, partition: 0 },
        createdAt: Date.now(),
        ...(shape.subjectOf ? { subjectId: shape.subjectOf(i) } : {}),
      };
      ledger.sent(requestId, 'kafka', request.deadline, texts);
      try {
        await this.producer.send({ topic: 'inference.requests', acks: -1, messages: [{ key: requestId, value: JSON.stringify(request) }] });
      } catch (error) {
        ledger.answer(requestId, { ok: false, at: Date.now(), reason: `not published (${(error as Error).name})` });
      }
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.consumer.disconnect();
    await this.producer.disconnect();
    const admin = this.kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [this.replyTopic], timeout: 10_000 }).catch(() => undefined);
    await admin.disconnect();
  }
}
