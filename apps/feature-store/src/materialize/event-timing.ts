/**
 * Event time against the clock. An event older than `maxLatenessMs`, or stamped more than
 * `maxClockSkewMs` ahead, is not applied (and is counted); that bound is also what lets applied
 * event ids be forgotten after `dedupeTtlMs`.
 */
export type EventTiming = 'on-time' | 'late' | 'future';

export interface TimingLimits {
  maxLatenessMs: number;
  maxClockSkewMs: number;
}

export function eventTiming(eventTime: number, now: number, limits: TimingLimits): EventTiming {
  if (eventTime < now - limits.maxLatenessMs) return 'late';
  if (eventTime > now + limits.maxClockSkewMs) return 'future';
  return 'on-time';
}

/** How long an applied event id must be remembered so that no redelivery can be applied again. */
export function dedupeTtlMs(limits: TimingLimits): number {
  // An update applies only while now <= eventTime + maxLateness, and eventTime <= first apply + skew.
  return limits.maxLatenessMs + limits.maxClockSkewMs + 60_000;
}
