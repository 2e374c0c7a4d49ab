/**
 * How one entity's aggregates are laid out in its Redis hash, and the same rules in TypeScript
 * for the offline log (point-in-time exports fold the logged deltas with `applyDelta`, the online
 * store applies them with the Lua script in lua-scripts.ts; the two must agree, and a spec holds
 * them together on a real Redis).
 *
 * Fields of the hash:
 *   `@t`              newest event time applied (epoch ms); the TTL counts from it
 *   `@u`              when the hash was last written (epoch ms)
 *   `c|<agg>`         running total
 *   `w|<win>|<slot>`  one ring slot of a window: JSON `[slice index, sum of each windowed aggregate]`,
 *                     aggregates in the transformation's `windowedAggregates` order (so that order
 *                     is part of the storage format: only ever append to it)
 *   `l|<field>`       value of the newest event
 *
 * A window of length W is cut into WINDOW_SLICES slices of W/12; the ring keeps 13 slots, so a
 * slot is reused only after its slice has left the window. An event whose slice is older than the
 * one its slot now holds has left every window and only adds to running totals. Packing a slot
 * into one field keeps a subject with three windows near 45 fields, which is what online reads pay.
 */
import type { EntityUpdate, WindowSpec, AggregateReader } from '../transformations';

export const WINDOW_SLICES = 12;
export const RING_SLOTS = WINDOW_SLICES + 1;

/** The update as logged and as the Lua script takes it (short keys: it is stored once per event). */
export interface Delta {
  t: number;
  c: Record<string, number>;
  /** [window name, slice index, ring slots, sums in `windowedAggregates` order] */
  w: Array<[string, number, number, number[]]>;
  l: Record<string, string | number>;
}

export function windowSpec(name: string, lengthMs: number): WindowSpec {
  return { name, lengthMs, slices: WINDOW_SLICES, sliceMs: lengthMs / WINDOW_SLICES };
}

export function sliceIndex(window: WindowSpec, time: number): number {
  return Math.floor(time / window.sliceMs);
}

export function toDelta(update: EntityUpdate, windows: readonly WindowSpec[], windowedAggregates: readonly string[]): Delta {
  const sums = windowedAggregates.map((aggregate) => update.windowed[aggregate] ?? 0);
  return {
    t: update.eventTime,
    c: update.cumulative,
    w: windowedAggregates.length ? windows.map((w) => [w.name, sliceIndex(w, update.eventTime), RING_SLOTS, sums]) : [],
    l: update.last,
  };
}

/** Redis' Lua cjson writes numbers with 14 significant digits ('%.14g'); the fold rounds alike so both agree exactly. */
const cjsonNumber = (value: number) => Number(value.toPrecision(14));

/** The Lua script's effect on the hash, for folding the offline log. */
export function applyDelta(fields: Map<string, string>, delta: Delta): void {
  for (const [aggregate, value] of Object.entries(delta.c)) fields.set(`c|${aggregate}`, String(Number(fields.get(`c|${aggregate}`) ?? 0) + value));
  for (const [name, slice, ring, sums] of delta.w) {
    const field = `w|${name}|${slice % ring}`;
    const raw = fields.get(field);
    const held = raw === undefined ? undefined : (JSON.parse(raw) as number[]);
    if (held === undefined || held[0] < slice) fields.set(field, JSON.stringify([slice, ...sums].map(cjsonNumber)));
    else if (held[0] === slice) fields.set(field, JSON.stringify([slice, ...sums.map((sum, i) => held[i + 1] + sum)].map(cjsonNumber)));
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

/** Reads a hash (HGETALL's answer, or a folded one) as of `asOf` (epoch ms), in one pass over its fields. */
export function readAggregates(
  fields: Readonly<Record<string, string>>,
  windows: readonly WindowSpec[],
  windowedAggregates: readonly string[],
  asOf: number,
): EntityAggregates {
  const sums = new Map(windows.map((w) => [w.name, new Array<number>(windowedAggregates.length).fill(0)]));
  const newestSlice = new Map(windows.map((w) => [w.name, sliceIndex(w, asOf)]));
  const slices = new Map(windows.map((w) => [w.name, w.slices]));
  for (const field in fields) {
    if (!field.startsWith('w|')) continue;
    const name = field.slice(2, field.indexOf('|', 2));
    const total = sums.get(name);
    if (!total) continue;
    const slot = JSON.parse(fields[field]) as number[];
    const newest = newestSlice.get(name) ?? 0;
    // The window is the slice holding `asOf` and the slices before it, WINDOW_SLICES in all.
    if (slot[0] > newest || slot[0] <= newest - (slices.get(name) ?? 0)) continue;
    for (let i = 0; i < total.length; i++) total[i] += slot[i + 1] ?? 0;
  }
  const index = new Map(windowedAggregates.map((aggregate, i) => [aggregate, i]));
  const reader: AggregateReader = {
    cumulative: (aggregate) => Number(fields[`c|${aggregate}`] ?? 0),
    last: (field) => fields[`l|${field}`],
    windowed: (name, aggregate) => sums.get(name)?.[index.get(aggregate) ?? -1] ?? 0,
  };
  return { eventTime: fields['@t'] === undefined ? undefined : Number(fields['@t']), reader };
}
