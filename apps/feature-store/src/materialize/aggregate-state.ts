/**
 * How one entity's aggregates are laid out in its Redis hash, and the same rules in TypeScript
 * for the offline log (point-in-time exports fold the logged deltas with `applyDelta`, the online
 * store applies them with the Lua script in lua-scripts.ts; the two must agree, and a spec holds
 * them together).
 *
 * Fields of the hash:
 *   `@t`                newest event time applied (epoch ms); the TTL counts from it
 *   `@u`                when the hash was last written (epoch ms)
 *   `c|<agg>`           running total
 *   `w|<win>|<slot>|s`  the slice index held by a ring slot of a window
 *   `w|<win>|<slot>|<agg>` that slice's sum
 *   `l|<field>`         value of the newest event
 *
 * A window of length W is cut into WINDOW_SLICES slices of W/12; the ring keeps 13 slots, so a
 * slot is reused only after its slice has left the window. An event whose slice is older than the
 * one its slot now holds has left every window and only adds to running totals.
 */
import type { EntityUpdate, WindowSpec, AggregateReader } from '../transformations';

export const WINDOW_SLICES = 12;
export const RING_SLOTS = WINDOW_SLICES + 1;

/** The update as logged and as the Lua script takes it (short keys: it is stored once per event). */
export interface Delta {
  t: number;
  c: Record<string, number>;
  /** [window name, slice index, ring slots, every windowed aggregate] */
  w: Array<[string, number, number, Record<string, number>]>;
  l: Record<string, string | number>;
}

export function windowSpec(name: string, lengthMs: number): WindowSpec {
  return { name, lengthMs, slices: WINDOW_SLICES, sliceMs: lengthMs / WINDOW_SLICES };
}

export function sliceIndex(window: WindowSpec, time: number): number {
  return Math.floor(time / window.sliceMs);
}

export function toDelta(update: EntityUpdate, windows: readonly WindowSpec[], windowedAggregates: readonly string[]): Delta {
  const sums: Record<string, number> = {};
  for (const aggregate of windowedAggregates) sums[aggregate] = update.windowed[aggregate] ?? 0;
  return {
    t: update.eventTime,
    c: update.cumulative,
    w: windowedAggregates.length ? windows.map((w) => [w.name, sliceIndex(w, update.eventTime), RING_SLOTS, sums]) : [],
    l: update.last,
  };
}

/** The Lua script's effect on the hash, for folding the offline log. */
export function applyDelta(fields: Map<string, string>, delta: Delta): void {
  const add = (field: string, value: number) => fields.set(field, String(Number(fields.get(field) ?? 0) + value));
  for (const [aggregate, value] of Object.entries(delta.c)) add(`c|${aggregate}`, value);
  for (const [name, slice, ring, sums] of delta.w) {
    const slot = `w|${name}|${slice % ring}|`;
    const held = fields.get(`${slot}s`);
    if (held === undefined || Number(held) < slice) {
      fields.set(`${slot}s`, String(slice));
      for (const [aggregate, value] of Object.entries(sums)) fields.set(slot + aggregate, String(value));
    } else if (Number(held) === slice) {
      for (const [aggregate, value] of Object.entries(sums)) add(slot + aggregate, value);
    }
  }
  const newest = fields.get('@t');
  if (newest === undefined || delta.t >= Number(newest)) {
    fields.set('@t', String(delta.t));
    for (const [field, value] of Object.entries(delta.l)) fields.set(`l|${field}`, String(value));
  }
}

export interface EntityAggregates {
  /** Newest event time applied; undefined for an entity never seen. */
  eventTime?: number;
  reader: AggregateReader;
}

/** Reads a hash (HGETALL's answer, or a folded one) as of `asOf` (epoch ms). */
export function readAggregates(fields: Readonly<Record<string, string>>, windows: readonly WindowSpec[], asOf: number): EntityAggregates {
  const lengthOf = new Map(windows.map((w) => [w.name, w]));
  const eventTime = fields['@t'] === undefined ? undefined : Number(fields['@t']);
  const reader: AggregateReader = {
    cumulative: (aggregate) => Number(fields[`c|${aggregate}`] ?? 0),
    last: (field) => fields[`l|${field}`],
    windowed(name, aggregate) {
      const window = lengthOf.get(name);
      if (!window) return 0;
      const newestSlice = sliceIndex(window, asOf);
      let sum = 0;
      for (let slot = 0; slot < RING_SLOTS; slot++) {
        const held = fields[`w|${name}|${slot}|s`];
        if (held === undefined) continue;
        const slice = Number(held);
        if (slice <= newestSlice && slice > newestSlice - window.slices) sum += Number(fields[`w|${name}|${slot}|${aggregate}`] ?? 0);
      }
      return sum;
    },
  };
  return { eventTime, reader };
}
