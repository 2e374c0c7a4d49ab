/**
 * Drift of the live stream against the reference profile. Texts are gathered into tumbling
 * windows (`windowSize` texts, or `maxWindowMs` with at least `minWindowSize`); each full window
 * is tested per feature (see drift-tests.ts), the figures are exported as gauges, and a change of
 * verdict publishes `drift-detected` / `drift-resolved` on features.events. Detection may also ask
 * for retraining on training.requests, at most once per cooldown.
 *
 * Each replica tests the partitions it consumes; since predictions.log is keyed by request id,
 * every replica sees a random share of the traffic.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '@mlops/observability';
import { MESSAGE_SCHEMA_VERSION, type DriftReportResponse, type FeatureDriftEvent, type FeatureDriftResult, type PredictionLog, type TrainingRequest } from '@mlops/schemas';
import type { FeatureStoreMetrics } from '../metrics';
import type { TextProfile } from '../text-profile';
import { categoricalDriftResult, numericDrift, toReferenceCategories, type DriftThresholds } from './drift-tests';
import { OTHER_TOKENS, type ReferenceProfile } from './reference-profile';

export interface DriftOptions {
  windowSize: number;
  minWindowSize: number;
  maxWindowMs: number;
  confidenceBaselineSize: number;
  thresholds: DriftThresholds;
  retrainOnDrift: boolean;
  retrainCooldownMs: number;
  modelName: string;
}

export interface DriftMonitorDeps {
  profile: ReferenceProfile;
  options: DriftOptions;
  clock: () => number;
  metrics: Pick<FeatureStoreMetrics, 'driftPsi' | 'driftDetected' | 'driftPValue' | 'predictionDriftPsi' | 'driftEvents'>;
  publishDriftEvent: (event: FeatureDriftEvent) => Promise<void>;
  requestTraining: (request: TrainingRequest) => Promise<void>;
  logger: Logger;
}

class LiveWindow {
  readonly startedAt: number;
  texts = 0;
  readonly textLength: number[] = [];
  readonly tokenCount: number[] = [];
  readonly oovRate: number[] = [];
  readonly tokens = new Map<string, number>();
  readonly labels: Record<string, number> = {};
  readonly confidence = new Map<string, number[]>();

  constructor(now: number) {
    this.startedAt = now;
  }
}

export const CONFIDENCE_FEATURE = 'prediction_confidence';

export class DriftMonitor {
  private window: LiveWindow;
  private readonly baselines = new Map<string, number[]>();
  private readonly verdicts = new Map<string, boolean>();
  private latest: { features: FeatureDriftResult[]; confidence: FeatureDriftResult[] } = { features: [], confidence: [] };
  private windowsEvaluated = 0;
  private lastRetrainingAt = Number.NEGATIVE_INFINITY;
  private profile: ReferenceProfile;

  constructor(private readonly deps: DriftMonitorDeps) {
    this.window = new LiveWindow(deps.clock());
    this.profile = deps.profile;
  }

  get reference(): ReferenceProfile {
    return this.profile;
  }

  /**
   * Measures from now on against `profile` (production moved). The window in progress is tested
   * against it too; results measured against the old reference are dropped from the report, while
   * verdicts are kept so a drift the new reference resolves is announced as resolved.
   */
  setReference(profile: ReferenceProfile): void {
    this.profile = profile;
    this.latest = { features: [], confidence: [] };
  }

  /** Adds a scored request to the window; tests the window when it is full. */
  async observe(log: PredictionLog, profiles: readonly TextProfile[]): Promise<void> {
    const w = this.window;
    const confidences = w.confidence.get(log.modelVersion) ?? [];
    w.confidence.set(log.modelVersion, confidences);
    const baseline = this.profile.confidence ? undefined : (this.baselines.get(log.modelVersion) ?? []);
    if (baseline) this.baselines.set(log.modelVersion, baseline);
    for (const p of log.predictions) {
      // Until a version's baseline is full, its confidences build the baseline instead.
      if (baseline && baseline.length < this.deps.options.confidenceBaselineSize) baseline.push(p.confidence);
      else confidences.push(p.confidence);
    }
    if (log.routing.shadow) return; // the same texts as the primary: counted once, there
    for (const profile of profiles) {
      w.texts += 1;
      w.textLength.push(profile.length);
      w.tokenCount.push(profile.tokenCount);
      w.oovRate.push(profile.oovRate);
      for (const token of profile.tokens) w.tokens.set(token, (w.tokens.get(token) ?? 0) + 1);
    }
    for (const p of log.predictions) w.labels[p.label] = (w.labels[p.label] ?? 0) + 1;
    if (w.texts >= this.deps.options.windowSize) await this.evaluate();
  }

  /** Tests a window that has waited `maxWindowMs` with at least `minWindowSize` texts. */
  async tick(): Promise<void> {
    const { minWindowSize, maxWindowMs } = this.deps.options;
    if (this.window.texts >= minWindowSize && this.deps.clock() - this.window.startedAt >= maxWindowMs) await this.evaluate();
  }

  report(): Omit<DriftReportResponse, 'enabled' | 'reason'> {
    const { profile } = this;
    const { options } = this.deps;
    return {
      reference: {
        id: profile.id,
        source: profile.source,
        texts: profile.texts,
        built_at: profile.builtAt,
        ...(profile.model ? { model_name: profile.model.name, model_version: profile.model.version, data_hash: profile.model.dataHash } : {}),
        ...(profile.fallbackReason ? { fallback_reason: profile.fallbackReason } : {}),
      },
      thresholds: { psi: options.thresholds.psi, p_value: options.thresholds.pValue },
      windows_evaluated: this.windowsEvaluated,
      features: this.latest.features,
      prediction_confidence: this.latest.confidence,
    };
  }

  private async evaluate(): Promise<void> {
    const w = this.window;
    const now = this.deps.clock();
    this.window = new LiveWindow(now); // swapped before any await, so a window is tested once
    const { profile } = this;
    const { options } = this.deps;
    const common = (feature: string, modelVersion?: string) => ({ feature, modelVersion, thresholds: options.thresholds, now });
    const features = [
      numericDrift(common('text_length'), profile.textLength, w.textLength),
      numericDrift(common('token_count'), profile.tokenCount, w.tokenCount),
      numericDrift(common('oov_rate'), profile.oovRate, w.oovRate),
      categoricalDriftResult(common('vocabulary'), profile.vocabulary, toReferenceCategories(w.tokens, profile.vocabulary, OTHER_TOKENS)),
      categoricalDriftResult(common('predicted_label'), profile.labels, w.labels),
    ].filter((r) => r !== undefined);
    const confidence = [...w.confidence]
      .filter(([, live]) => live.length >= options.minWindowSize)
      .map(([version, live]) => {
        const reference = profile.confidence ?? this.baselines.get(version) ?? [];
        return reference.length >= options.confidenceBaselineSize || profile.confidence ? numericDrift(common(CONFIDENCE_FEATURE, version), reference, live) : undefined;
      })
      .filter((r) => r !== undefined);
    this.windowsEvaluated += 1;
    this.latest = { features, confidence: confidence.length ? confidence : this.latest.confidence };
    this.export(features, confidence);
    await this.announce([...features, ...confidence], now);
  }

  private export(features: FeatureDriftResult[], confidence: FeatureDriftResult[]): void {
    const m = this.deps.metrics;
    for (const r of features) {
      m.driftPsi.set({ feature: r.feature }, r.psi);
      m.driftPValue.set({ feature: r.feature }, r.p_value);
      m.driftDetected.set({ feature: r.feature }, r.detected ? 1 : 0);
    }
    for (const r of confidence) if (r.model_version) m.predictionDriftPsi.set({ model_version: r.model_version }, r.psi);
    if (confidence.length) m.driftDetected.set({ feature: CONFIDENCE_FEATURE }, confidence.some((r) => r.detected) ? 1 : 0);
  }

  /** Publishes a change of verdict per feature (and per model version for confidence). */
  private async announce(results: FeatureDriftResult[], now: number): Promise<void> {
    const changed = results.filter((r) => {
      const key = r.model_version ? `${r.feature}@${r.model_version}` : r.feature;
      const before = this.verdicts.get(key) ?? false;
      this.verdicts.set(key, r.detected);
      return before !== r.detected;
    });
    for (const r of changed) {
      const event: FeatureDriftEvent = {
        schemaVersion: MESSAGE_SCHEMA_VERSION,
        type: r.detected ? 'drift-detected' : 'drift-resolved',
        eventId: randomUUID(),
        feature: r.feature,
        ...(r.model_version ? { modelVersion: r.model_version } : {}),
        test: r.test,
        psi: r.psi,
        statistic: r.statistic,
        pValue: r.p_value,
        psiThreshold: this.deps.options.thresholds.psi,
        pValueThreshold: this.deps.options.thresholds.pValue,
        liveSize: r.live_size,
        referenceId: this.profile.id,
        at: now,
      };
      await this.deps.publishDriftEvent(event);
      this.deps.metrics.driftEvents.inc({ type: event.type });
      this.deps.logger.warn({ feature: r.feature, modelVersion: r.model_version, psi: r.psi, pValue: r.p_value }, event.type);
    }
    const detected = changed.filter((r) => r.detected);
    if (detected.length && this.deps.options.retrainOnDrift && now - this.lastRetrainingAt >= this.deps.options.retrainCooldownMs) {
      this.lastRetrainingAt = now;
      await this.deps.requestTraining({
        schemaVersion: MESSAGE_SCHEMA_VERSION,
        requestId: `drift-${randomUUID()}`,
        modelName: this.deps.options.modelName,
        reason: 'drift',
        params: { drifted: detected.map((r) => ({ feature: r.feature, model_version: r.model_version, psi: r.psi, p_value: r.p_value })), reference: this.profile.id },
        requestedBy: 'feature-store',
        requestedAt: now,
      });
      this.deps.metrics.driftEvents.inc({ type: 'retraining-requested' });
    }
  }
}
