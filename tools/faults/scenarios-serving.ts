/**
 * Serving under pressure: a model version promoted while traffic flows (hot swap), and offered
 * load above capacity (backpressure, with resident memory sampled throughout).
 */
import { Kafka, logLevel } from 'kafkajs';
import { ModelStore } from '@mlops/model-registry';
import { LoadedModel } from '@mlops/onnx-runtime';
import { DEFAULT_MODEL_NAME, TOPICS, aliasMovedEvent, modelEventKey } from '@mlops/schemas';
import { seedRandomModel } from '../models/seed-model';
import type { FaultsBroker } from './faults-broker';
import { FaultPlatform } from './fault-platform';
import { LOAD_TEXTS } from './load';
import { runUnderLoad, sleep, type Check, type LoadSize, type ScenarioResult } from './scenario';

/** What each served version answers for each load text, computed here with the same runtime. */
async function expectedAnswers(modelStoreDir: string, versions: string[]): Promise<Map<string, Map<string, { label: string; confidence: number }>>> {
  const store = new ModelStore(modelStoreDir);
  const expected = new Map<string, Map<string, { label: string; confidence: number }>>();
  for (const version of versions) {
    const model = await LoadedModel.load(store.readVersion(DEFAULT_MODEL_NAME, version), { intraOpThreads: 1 });
    const predictions = await model.predict(LOAD_TEXTS);
    expected.set(version, new Map(LOAD_TEXTS.map((text, i) => [text, predictions[i]])));
    await model.dispose();
  }
  return expected;
}

async function publishAliasMoved(brokers: string, modelVersion: string, previousVersion: string): Promise<void> {
  const kafka = new Kafka({ clientId: 'faults-promoter', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const event = aliasMovedEvent({ modelName: DEFAULT_MODEL_NAME, alias: 'production', modelVersion, previousVersion, reason: 'fault test promotion' });
  await producer.send({ topic: TOPICS.modelsEvents.name, acks: -1, messages: [{ key: modelEventKey(event), value: JSON.stringify(event) }] });
  await producer.disconnect();
}

export async function hotSwap(broker: FaultsBroker, size: LoadSize): Promise<ScenarioResult> {
  const platform = await FaultPlatform.start({ brokers: broker.bootstrap });
  let newVersion = '';
  let promotedAt = 0;
  try {
    const run = await runUnderLoad(platform, {
      size,
      faultAfterMs: (size.requests / size.ratePerSec) * 400,
      fault: async () => {
        newVersion = seedRandomModel({ modelStoreDir: platform.modelStoreDir, seed: 7, setProduction: true });
        promotedAt = Date.now();
        await publishAliasMoved(platform.brokers, newVersion, 'v1');
        await sleep(3_000);
      },
    });
    const expected = await expectedAnswers(platform.modelStoreDir, ['v1', newVersion]);
    const results = run.ledger.results();
    const mismatched = results.filter(({ texts, outcome }) =>
      texts.some((text, i) => {
        const want = expected.get(outcome.modelVersion)?.get(text);
        return !want || want.label !== outcome.labels[i] || Math.abs(want.confidence - outcome.confidences[i]) > 1e-4;
      }),
    );
    const lateOld = results.filter((r) => r.sentAt > promotedAt + 10_000 && r.outcome.modelVersion !== newVersion);
    const summary = run.ledger.summary({ window: run.window });
    const checks: Check[] = [
      { what: 'zero errors while the version is swapped', ok: summary.errored === 0, detail: JSON.stringify(summary.errors) },
      { what: 'every answer matches what the version it names computes for its texts', ok: mismatched.length === 0, detail: `${mismatched.length} of ${results.length} differ` },
      { what: `requests sent 10 s after the promotion are answered by ${newVersion}`, ok: lateOld.length === 0 && results.some((r) => r.outcome.modelVersion === newVersion), detail: `${lateOld.length} by another version` },
    ];
    return { scenario: `hot swap under load (v1 -> ${newVersion})`, summary, checks };
  } finally {
    await platform.stop();
  }
}

/** Offered load well above capacity: prompt refusals, bounded queues, flat memory. */
export async function backpressure(broker: FaultsBroker, size: LoadSize): Promise<ScenarioResult> {
  const platform = await FaultPlatform.start({
    brokers: broker.bootstrap,
    env: { gateway: { MAX_IN_FLIGHT: '64' }, inference: { MAX_QUEUED_SEQUENCES: '256' } },
  });
  const rss = new Map<string, number[]>(platform.apps.map((a) => [a.name, []]));
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      for (const [name, samples] of rss) samples.push(platform.rssBytes(name));
      await sleep(1_000);
    }
  })();
  try {
    const run = await runUnderLoad(platform, { size, textsPerRequest: 8, faultAfterMs: 0, fault: async () => undefined });
    sampling = false;
    await sampler;
    const summary = run.ledger.summary({ window: { from: 0, to: Number.MAX_SAFE_INTEGER } });
    const refused = Object.entries(summary.errors).filter(([reason]) => /overloaded|503|429/i.test(reason)).reduce((n, [, count]) => n + count, 0);
    const checks: Check[] = [{ what: 'excess requests are refused (503 / OVERLOADED), not queued', ok: refused > 0, detail: `${refused} refused` }];
    for (const [name, samples] of rss) {
      // Flat: the peak of the second half is within 25% (+32 MiB) of the peak of the first half after warm-up.
      const warm = samples.slice(Math.floor(samples.length / 5));
      const half = Math.floor(warm.length / 2);
      const first = Math.max(...warm.slice(0, half));
      const second = Math.max(...warm.slice(half));
      const mib = (bytes: number) => Math.round(bytes / 1_048_576);
      checks.push({ what: `${name} memory stays flat`, ok: second <= first * 1.25 + 32 * 1_048_576, detail: `peak ${mib(first)} MiB then ${mib(second)} MiB` });
    }
    return { scenario: `backpressure (${size.ratePerSec}/s x 8 texts per way)`, summary, checks };
  } finally {
    sampling = false;
    await platform.stop();
  }
}
