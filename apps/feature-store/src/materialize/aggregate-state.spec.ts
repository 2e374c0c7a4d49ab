import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDelta, readAggregates, toDelta, windowSpec, WINDOW_SLICES } from './aggregate-state';
import type { EntityUpdate } from '../transformations';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const window = windowSpec('1h', HOUR);
const t0 = Date.UTC(2024, 0, 15, 10, 0, 0);

function update(eventTime: number, requests = 1, last: Record<string, string> = {}): EntityUpdate {
  return { entity: 'u1', eventId: `e-${eventTime}`, eventTime, cumulative: { requests }, windowed: { requests }, last };
}

function fold(updates: EntityUpdate[]): Record<string, string> {
  const fields = new Map<string, string>();
  for (const u of updates) applyDelta(fields, toDelta(u, [window], ['requests']));
  return Object.fromEntries(fields);
}

test('a window counts the events of its last hour and forgets them as the clock moves on', () => {
  const fields = fold([update(t0), update(t0 + 10 * MINUTE), update(t0 + 50 * MINUTE)]);
  const at = (time: number) => readAggregates(fields, [window], ['requests'], time).reader;
  assert.equal(at(t0 + 55 * MINUTE).windowed('1h', 'requests'), 3);
  assert.equal(at(t0 + 65 * MINUTE).windowed('1h', 'requests'), 2, 'the 10:00 event left the window');
  assert.equal(at(t0 + 3 * HOUR).windowed('1h', 'requests'), 0);
  assert.equal(at(t0 + 3 * HOUR).cumulative('requests'), 3, 'running totals do not slide');
});

test('a window never counts events after the instant it is read at', () => {
  const fields = fold([update(t0), update(t0 + 30 * MINUTE)]);
  assert.equal(readAggregates(fields, [window], ['requests'], t0 + 10 * MINUTE).reader.windowed('1h', 'requests'), 1);
});

test('a slot is reused for a newer slice; an event for a slice older than the slot holds only adds to totals', () => {
  const ring = WINDOW_SLICES + 1;
  const sliceMs = HOUR / WINDOW_SLICES;
  // Two events exactly one ring apart map to the same slot.
  const fields = fold([update(t0), update(t0 + ring * sliceMs), update(t0 + 1)]);
  const reader = readAggregates(fields, [window], ['requests'], t0 + ring * sliceMs).reader;
  assert.equal(reader.windowed('1h', 'requests'), 1, 'the old slice is gone from the window');
  assert.equal(reader.cumulative('requests'), 3);
});

test('the newest event by event time keeps its last values, whatever the arrival order', () => {
  const fields = fold([update(t0 + MINUTE, 1, { model_version: 'v2' }), update(t0, 1, { model_version: 'v1' })]);
  const { eventTime, reader } = readAggregates(fields, [window], ['requests'], t0 + 2 * MINUTE);
  assert.equal(reader.last('model_version'), 'v2');
  assert.equal(eventTime, t0 + MINUTE);
});

test('an entity never seen has no event time', () => {
  assert.equal(readAggregates({}, [window], ['requests'], t0).eventTime, undefined);
});
