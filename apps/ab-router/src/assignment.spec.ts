import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assign, pickVariant, subjectPoint, variantShares } from './assignment';
import { experimentOf } from './spec-fixtures';

const never = () => assert.fail('a subject is never assigned at random');
const users = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);

test('a subject keeps its variant on every request and every replica (no randomness involved)', () => {
  const experiment = experimentOf();
  for (const user of users.slice(0, 200)) {
    const first = assign(experiment, user, never).variant;
    assert.equal(assign(structuredClone(experiment), user, never).variant, first);
  }
});

test('subjects split by the configured weights (90/10 within 1 point over 20 000 users)', () => {
  const experiment = experimentOf({ traffic_allocation: { control: 90, treatment: 10 } });
  const treated = users.filter((u) => assign(experiment, u, never).variant === 'treatment').length;
  assert.ok(Math.abs(treated / users.length - 0.1) < 0.01, `treatment share ${treated / users.length}`);
});

test('two experiments split the same users independently', () => {
  const a = experimentOf({ experiment_id: 'a' });
  const b = experimentOf({ experiment_id: 'b', variants: { control: 'v1', treatment: 'v3' } });
  const both = users.filter((u) => assign(a, u, never).variant === 'treatment' && assign(b, u, never).variant === 'treatment').length;
  assert.ok(Math.abs(both / users.length - 0.25) < 0.015, `overlap ${both / users.length}`);
});

test('anonymous requests are assigned by the random draw, uniformly', () => {
  const experiment = experimentOf();
  assert.equal(assign(experiment, undefined, () => 0.2).variant, 'control');
  assert.equal(assign(experiment, undefined, () => 0.7).variant, 'treatment');
});

test('a canary ramp only adds users: everyone on the canary at 5% is still on it at 25%', () => {
  const at = (rampStep: number) => experimentOf({ kind: 'canary', ramp: [1, 5, 25, 100] }, { rampStep });
  const onCanary = (step: number) => new Set(users.filter((u) => assign(at(step), u, never).variant === 'treatment'));
  const [five, twentyFive] = [onCanary(1), onCanary(2)];
  assert.ok(Math.abs(five.size / users.length - 0.05) < 0.01 && Math.abs(twentyFive.size / users.length - 0.25) < 0.015);
  for (const user of five) assert.ok(twentyFive.has(user), `${user} left the canary`);
  assert.equal(onCanary(3).size, users.length, 'at 100% every user is on the canary');
});

test('blue-green sends everything to the live side; shadow answers with control and mirrors the treatment', () => {
  const blueGreen = experimentOf({ kind: 'blue-green' }, { liveVariant: 'treatment' });
  assert.deepEqual(variantShares(blueGreen), [{ variant: 'treatment', share: 1 }]);
  const shadow = experimentOf({ kind: 'shadow', shadow_percent: 100 });
  assert.deepEqual(assign(shadow, 'u1', never), { variant: 'control', shadowVariant: 'treatment' });
  const mirrored = users.filter((u) => assign(experimentOf({ kind: 'shadow', shadow_percent: 30 }), u, never).shadowVariant).length;
  assert.ok(Math.abs(mirrored / users.length - 0.3) < 0.015, `mirrored ${mirrored / users.length}`);
});

test('the hash point is stable across releases (values from Python hashlib), so users keep variants after an upgrade', () => {
  assert.deepEqual([subjectPoint('exp-1', 'user-1'), subjectPoint('exp-1', 'user-2')].map((p) => p.toFixed(9)), GOLDEN_POINTS);
  assert.equal(pickVariant([{ variant: 'a', share: 0.5 }, { variant: 'b', share: 0.5 - 1e-12 }], 0.9999999999999), 'b');
});
// python3: int.from_bytes(sha256(b'exp-1:user-1').digest()[:6], 'big') / 2**48
const GOLDEN_POINTS = ['0.579749539', '0.757124690'];
