/**
 * Data-quality checks on the live `predictions.log` stream, counted per check and exported as
 * `mlops_data_quality_issues_total{check}`: messages that break their schema (counted when the
 * consumer dead-letters them), empty texts, charset and script oddities for an English model,
 * predictions that do not match their texts, late or future event times, and sudden changes of
 * volume against a moving average.
 */
import type { Counter } from 'prom-client';
import type { DataQualityCheck, PredictionLog, QualityReportResponse } from '@mlops/schemas';
import { eventTiming, type TimingLimits } from '../materialize/event-timing';

/** C0 and C1 control characters other than tab, line feed and carriage return. */
const CONTROL = /(?![\t\n\r])\p{Cc}/u;
const LETTER = /\p{L}/gu;
const LATIN_LETTER = /\p{Script=Latin}/gu;
/** Below this many letters, a text's script mix says little. */
const MIN_LETTERS_FOR_SCRIPT = 4;
/** Weight of the newest bucket in the moving average of volume. */
const VOLUME_SMOOTHING = 0.3;
/** Buckets judged at most when events resume after a long silence. */
const MAX_BUCKETS_CLOSED = 100;

/** The checks one text fails. */
export function textIssues(text: string): DataQualityCheck[] {
  if (text.trim().length === 0) return ['empty_text'];
  const issues: DataQualityCheck[] = [];
  if (text.includes('\uFFFD')) issues.push('replacement_character');
  if (CONTROL.test(text)) issues.push('control_characters');
  const letters = text.match(LETTER)?.length ?? 0;
  if (letters === 0) issues.push('no_letters');
  else if (letters >= MIN_LETTERS_FOR_SCRIPT && (text.match(LATIN_LETTER)?.length ?? 0) / letters < 0.5) issues.push('non_latin_script');
  return issues;
}

export interface VolumeOptions {
  volumeBucketMs: number;
  volumeChangeFactor: number;
  minVolumeBaseline: number;
}

export interface DataQualityDeps {
  clock: () => number;
  limits: TimingLimits;
  volume: VolumeOptions;
  issues: Counter<'check'>;
}

export class DataQualityMonitor {
  private readonly since: number;
  private readonly counts = new Map<DataQualityCheck, number>();
  private events = 0;
  private texts = 0;
  private bucket: number;
  private readonly firstBucket: number;
  private bucketEvents = 0;
  private spikeFlagged = false;
  private lastBucketEvents = 0;
  private baseline: number | undefined;

  constructor(private readonly deps: DataQualityDeps) {
    this.since = deps.clock();
    this.bucket = this.firstBucket = Math.floor(this.since / deps.volume.volumeBucketMs);
  }

  count(check: DataQualityCheck, n = 1): void {
    this.counts.set(check, (this.counts.get(check) ?? 0) + n);
    this.deps.issues.inc({ check }, n);
  }

  observe(log: PredictionLog): void {
    const now = this.deps.clock();
    this.advance(now);
    this.events += 1;
    this.texts += log.texts.length;
    this.bucketEvents += 1;
    const { volumeChangeFactor } = this.deps.volume;
    const baseline = this.judgedBaseline();
    if (!this.spikeFlagged && baseline !== undefined && this.bucketEvents >= volumeChangeFactor * baseline) {
      this.spikeFlagged = true;
      this.count('volume_spike');
    }
    if (log.texts.length !== log.predictions.length) this.count('prediction_count_mismatch');
    const timing = eventTiming(log.timestamp, now, this.deps.limits);
    if (timing === 'late') this.count('late_event');
    if (timing === 'future') this.count('future_event');
    for (const text of log.texts) for (const issue of textIssues(text)) this.count(issue);
  }

  /** Closes buckets that ended without events, so a stream that stops is seen dropping. */
  tick(): void {
    this.advance(this.deps.clock());
  }

  report(): QualityReportResponse {
    return {
      since: new Date(this.since).toISOString(),
      events: this.events,
      texts: this.texts,
      issues: Object.fromEntries(this.counts),
      volume: { bucket_seconds: this.deps.volume.volumeBucketMs / 1000, last_bucket_events: this.lastBucketEvents, baseline_events: this.baseline ?? 0 },
    };
  }

  /** The moving average, once it is large enough to judge changes against. */
  private judgedBaseline(): number | undefined {
    return this.baseline !== undefined && this.baseline >= this.deps.volume.minVolumeBaseline ? this.baseline : undefined;
  }

  private advance(now: number): void {
    const current = Math.floor(now / this.deps.volume.volumeBucketMs);
    if (current <= this.bucket) return;
    const closing = Math.min(current - this.bucket, MAX_BUCKETS_CLOSED);
    for (let i = 0; i < closing; i++) {
      this.close(i === 0 ? this.bucketEvents : 0, this.bucket + i === this.firstBucket);
    }
    this.bucket = current;
    this.bucketEvents = 0;
    this.spikeFlagged = false;
  }

  /** Judges one ended bucket against the average of those before it, then adds it to the average. */
  private close(events: number, partial: boolean): void {
    if (partial) return; // the monitor started inside it: its count is not a full bucket's
    const factor = this.deps.volume.volumeChangeFactor;
    const baseline = this.judgedBaseline();
    if (baseline !== undefined) {
      if (!this.spikeFlagged && events >= factor * baseline) this.count('volume_spike');
      if (events <= baseline / factor) this.count('volume_drop');
    }
    this.lastBucketEvents = events;
    this.baseline = this.baseline === undefined ? events : VOLUME_SMOOTHING * events + (1 - VOLUME_SMOOTHING) * this.baseline;
    this.spikeFlagged = false;
  }
}
