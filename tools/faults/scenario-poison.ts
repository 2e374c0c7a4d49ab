/**
 * Poison messages on every consumed topic, under steady load: malformed bytes, an oversized value
 * (gzip keeps it under the broker's limit, so the consumer's own limit is what refuses it) and
 * valid JSON that breaks the schema. Each must reach `<topic>.dlq` with its error and original
 * bytes, the consumers must keep serving, and the dead letters must show in the DLQ metric.
 */
import { createHash, randomUUID } from 'node:crypto';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import type { DeadLetter } from '@mlops/schemas';
import type { FaultsBroker } from './faults-broker';
import { FaultPlatform } from './fault-platform';
import { runUnderLoad, scrapeMetric, sleep, type Check, type LoadSize, type ScenarioResult } from './scenario';

interface Poison {
  topic: string;
  /** Where its dead letter must land. */
  deadLetterTopic: string;
  kind: 'malformed' | 'oversized' | 'schema';
  key: string;
  value: Buffer;
  expectedCode: string;
}

function poisonFor(topic: string, deadLetterTopic: string): Poison[] {
  const key = (kind: string) => `poison-${kind}-${randomUUID()}`;
  const oversized = Buffer.from(JSON.stringify({ schemaVersion: 1, requestId: 'big', texts: ['x'.repeat(1_100_000)] }));
  return [
    { topic, deadLetterTopic, kind: 'malformed', key: key('malformed'), value: Buffer.from([0xff, 0x7b, 0x7b, 0x00, 0x6e, 0x6f]), expectedCode: 'VALIDATION_ERROR' },
    { topic, deadLetterTopic, kind: 'oversized', key: key('oversized'), value: oversized, expectedCode: 'PAYLOAD_TOO_LARGE' },
    { topic, deadLetterTopic, kind: 'schema', key: key('schema'), value: Buffer.from(JSON.stringify({ schemaVersion: 1, requestId: 42, texts: 'not a list' })), expectedCode: 'VALIDATION_ERROR' },
  ];
}

const digest = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Reads dead-letter topics until every poison key has a letter, or the timeout. */
async function readDeadLetters(kafka: Kafka, topics: string[], keys: Set<string>, timeoutMs: number): Promise<Map<string, DeadLetter[]>> {
  const found = new Map<string, DeadLetter[]>();
  const consumer = kafka.consumer({ groupId: `faults-dlq-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const letter = JSON.parse(message.value?.toString('utf8') ?? 'null') as DeadLetter;
      if (letter.key && keys.has(letter.key)) found.set(letter.key, [...(found.get(letter.key) ?? []), letter]);
    },
  });
  const until = Date.now() + timeoutMs;
  while (found.size < keys.size && Date.now() < until) await sleep(200);
  await consumer.disconnect();
  return found;
}

export async function poisonMessages(broker: FaultsBroker, size: LoadSize): Promise<ScenarioResult> {
  const platform = await FaultPlatform.start({ brokers: broker.bootstrap });
  const kafka = new Kafka({ clientId: 'faults-poisoner', brokers: broker.bootstrap.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const poisons = [
    ...poisonFor('inference.requests', 'inference.requests.dlq'),
    ...poisonFor('inference.routed', 'inference.routed.dlq'),
    ...poisonFor('models.events', 'models.events.dlq'),
    // A requester's reply topic: bad replies share one dead-letter topic.
    ...poisonFor(platform.gatewayReplyTopic, 'inference.replies.dlq'),
  ];
  try {
    await producer.connect();
    const run = await runUnderLoad(platform, {
      size,
      faultAfterMs: (size.requests / size.ratePerSec) * 250,
      fault: async () => {
        for (const poison of poisons) {
          await producer.send({ topic: poison.topic, compression: CompressionTypes.GZIP, messages: [{ key: poison.key, value: poison.value }] });
        }
      },
    });
    const letters = await readDeadLetters(kafka, [...new Set(poisons.map((p) => p.deadLetterTopic))], new Set(poisons.map((p) => p.key)), 20_000);
    const checks: Check[] = poisons.map((poison) => {
      const letter = letters.get(poison.key)?.[0];
      // An oversized original keeps its first 512 KiB (the letter must fit the broker's limit).
      const original = poison.kind === 'oversized' ? poison.value.subarray(0, 512 * 1024) : poison.value;
      const bytesKept = letter !== undefined && digest(Buffer.from(letter.valueBase64, 'base64')) === digest(original);
      return {
        what: `${poison.kind} message on ${poison.topic} reaches ${poison.deadLetterTopic} with its error and original bytes`,
        ok: letter !== undefined && letter.topic === poison.topic && letter.error.code === poison.expectedCode && bytesKept,
        detail: letter ? `${letter.error.code} by ${letter.consumer}${bytesKept ? '' : ', bytes differ'}` : 'no dead letter',
      };
    });
    const counted = await Promise.all(
      [
        ['ab-router-0', 'inference.requests'],
        ['inference-0', 'inference.routed'],
        ['inference-0', 'models.events'],
        ['gateway', platform.gatewayReplyTopic],
      ].map(async ([app, topic]) => [app, topic, await scrapeMetric(platform.url(app, '/metrics'), 'mlops_dlq_messages_total', { topic })] as const),
    );
    for (const [app, topic, count] of counted) checks.push({ what: `${app} counts its dead letters of ${topic} in mlops_dlq_messages_total`, ok: count >= 3, detail: String(count) });
    const after = run.ledger.summary({ sentAfter: run.window.to });
    checks.push({ what: 'requests after the poison are all answered with results', ok: after.sent > 0 && after.answered === after.sent, detail: `${after.answered}/${after.sent}` });
    return { scenario: 'poison messages (3 kinds x 4 topics)', summary: run.ledger.summary({ window: { from: run.window.from, to: run.window.from + 10_000 } }), checks };
  } finally {
    await producer.disconnect();
    await platform.stop();
  }
}
