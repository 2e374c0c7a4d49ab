import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExperimentEvent } from '@mlops/schemas';
import type { MessageProducer } from '@mlops/messaging';
import { AssignmentCounter } from './assignment-counter';
import { SeenSubjects } from './seen-subjects';

test('SeenSubjects knows a subject again, and takes few new ones for seen', () => {
  const seen = new SeenSubjects();
  assert.equal(seen.add('subject-1'), true);
  assert.equal(seen.add('subject-1'), false);
  let missed = 0;
  for (let i = 0; i < 100_000; i++) if (!seen.add(`user-${i}`)) missed++;
  assert.ok(missed < 10, `${missed} of 100,000 new subjects taken for seen`);
  for (let i = 0; i < 100_000; i += 997) assert.equal(seen.add(`user-${i}`), false);
});

/** A counter whose producer records what it publishes (no registry state to continue from). */
function counterWithSent(): { counter: AssignmentCounter; sent: ExperimentEvent[] } {
  const registry = { apply: () => undefined, instanceCounts: () => ({ requests: {}, units: {} }) };
  const sent: ExperimentEvent[] = [];
  const producer = { send: async (_topic: string, message: { value: ExperimentEvent }) => void sent.push(message.value) } as unknown as MessageProducer;
  return { counter: new AssignmentCounter({ registry, producer, instanceId: 'router-a', settleMs: 1_000 }), sent };
}

test('requests and units per variant: a subject is one unit however many requests it sends; no subject, one unit per request', async () => {
  const { counter, sent } = counterWithSent();
  for (let i = 0; i < 3; i++) counter.count('exp', 'control', 'alice', 0);
  counter.count('exp', 'treatment', 'bob', 0);
  counter.count('exp', 'treatment', undefined, 0);
  counter.count('exp', 'treatment', undefined, 0);
  await counter.flush(500);
  assert.equal(sent.length, 0, 'nothing is published before it settles');
  await counter.flush(1_000);
  const event = sent.at(-1);
  assert.ok(event?.type === 'assignment-counts');
  assert.deepEqual([event.counts, event.units], [{ control: 3, treatment: 3 }, { control: 1, treatment: 3 }]);
  // A shadow mirror assigns the same subject to a second variant: a unit there too.
  counter.count('exp', 'shadow', 'alice', 2_000);
  await counter.flush(2_000, true);
  const last = sent.at(-1);
  assert.deepEqual(last?.type === 'assignment-counts' && last.units, { control: 1, treatment: 3, shadow: 1 });
  // Once the experiment ends its subjects are forgotten: were it started again, each counts anew.
  counter.forgetSubjects('exp');
  counter.count('exp', 'control', 'alice', 3_000);
  await counter.flush(3_000, true);
  const after = sent.at(-1);
  assert.deepEqual(after?.type === 'assignment-counts' && after.units, { control: 2, treatment: 3, shadow: 1 });
});
