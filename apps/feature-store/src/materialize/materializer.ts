/**
 * Streaming materialization: turns `predictions.log` and `feedback` messages into entity updates
 * of every feature view that reads them, and applies each update once. Event time decides
 * windows and "last" values; an update older than `maxLatenessMs` (or stamped too far in the
 * future) is counted and not applied, which also bounds how long applied ids must be remembered.
 */
import type { Feedback, PredictionLog } from '@mlops/schemas';
import type { Counter } from 'prom-client';
import type { MaterializedView } from '../definitions/feature-view';
import type { FeatureRegistry } from '../definitions/registry';
import type { LabelLog } from '../offline/label-log';
import type { TextProfile } from '../text-profile';
import type { EntityUpdate, Transformation } from '../transformations';
import { labelledPrediction, type FeedbackJoin, type JoinedPair } from './feedback-join';
import type { OnlineStore } from './online-store';
import { eventTiming, type TimingLimits } from './event-timing';

export interface ScoredLog {
  log: PredictionLog;
  /** One per text, in order. */
  profiles: readonly TextProfile[];
}

export interface MaterializerDeps {
  views: readonly MaterializedView[];
  store: OnlineStore;
  join: FeedbackJoin;
  labels: LabelLog;
  registry: FeatureRegistry;
  clock: () => number;
  limits: TimingLimits;
  /** `mlops_feature_events_total{feature_view, outcome}`. */
  outcomes: Counter<'feature_view' | 'outcome'>;
}

type FromPrediction = NonNullable<Transformation['fromPrediction']>;
type FromLabelled = NonNullable<Transformation['fromLabelledPrediction']>;

export class Materializer {
  private readonly predictionViews: Array<{ view: MaterializedView; updates: FromPrediction }> = [];
  private readonly feedbackViews: Array<{ view: MaterializedView; updates: FromLabelled }> = [];

  constructor(private readonly deps: MaterializerDeps) {
    for (const view of deps.views) {
      const { fromPrediction, fromLabelledPrediction } = view.transformation;
      if (view.readsPredictions && fromPrediction) this.predictionViews.push({ view, updates: fromPrediction });
      if (view.readsFeedback && fromLabelledPrediction) this.feedbackViews.push({ view, updates: fromLabelledPrediction });
    }
  }

  async materializePredictions(scored: readonly ScoredLog[]): Promise<void> {
    const usable = scored.filter(({ log }) => log.texts.length === log.predictions.length);
    const joined = await Promise.all(usable.map(({ log }) => this.deps.join.recordPrediction(log)));
    const work: Promise<void>[] = [];
    for (const { view, updates: toUpdates } of this.predictionViews) {
      const updates = usable.flatMap(({ log, profiles }) => toUpdates(log, profiles));
      work.push(this.applyAll(view, updates));
      work.push(this.deps.registry.addLineage(view.name, view.storageVersion, 'computed', [...new Set(usable.map(({ log }) => log.modelVersion))]));
    }
    work.push(this.applyPairs(joined.flat()));
    await Promise.all(work);
  }

  async materializeFeedback(messages: readonly Feedback[]): Promise<void> {
    const joined = await Promise.all(messages.map((m) => this.deps.join.parkFeedback(m)));
    await this.applyPairs(joined.flat());
  }

  private async applyPairs(pairs: readonly JoinedPair[]): Promise<void> {
    if (pairs.length === 0) return;
    const labelled = pairs.map(labelledPrediction).filter((l) => l !== undefined);
    await Promise.all([
      ...this.feedbackViews.map(({ view, updates }) => this.applyAll(view, labelled.flatMap((l) => updates(l)))),
      ...pairs.map((pair) => this.deps.labels.append(pair)),
    ]);
  }

  private async applyAll(view: MaterializedView, updates: readonly EntityUpdate[]): Promise<void> {
    const now = this.deps.clock();
    await Promise.all(
      updates.map(async (update) => {
        const outcome = await this.applyOne(view, update, now);
        this.deps.outcomes.inc({ feature_view: view.name, outcome });
      }),
    );
  }

  private async applyOne(view: MaterializedView, update: EntityUpdate, now: number): Promise<string> {
    const timing = eventTiming(update.eventTime, now, this.deps.limits);
    if (timing !== 'on-time') return timing;
    if (update.eventTime + view.ttlMs < now) return 'expired';
    return this.deps.store.apply(view, update);
  }
}
