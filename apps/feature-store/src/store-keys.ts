/**
 * Every Redis key the feature store writes, in one place. All start with the configured prefix,
 * so environments (and test runs) can share one server and clean up by prefix.
 */
export type LineageKind = 'computed' | 'served' | 'trained' | 'exports';

export class StoreKeys {
  constructor(readonly prefix: string) {}

  /** The hash of one entity's aggregates in one storage version of a view. */
  entity(view: string, storageVersion: number, entity: string): string {
    return `${this.prefix}fv:${view}:${storageVersion}:e:${entity}`;
  }

  /** Marks one event as applied to one entity; lives as long as a redelivery could still be applied. */
  applied(view: string, storageVersion: number, entity: string, eventId: string): string {
    return `${this.prefix}fv:${view}:${storageVersion}:seen:${eventId}:${entity}`;
  }

  /** Stream of applied updates (the offline log that point-in-time exports fold). */
  offlineLog(view: string, storageVersion: number): string {
    return `${this.prefix}fv:${view}:${storageVersion}:log`;
  }

  views(): string {
    return `${this.prefix}registry:views`;
  }

  viewVersions(view: string): string {
    return `${this.prefix}registry:view:${view}`;
  }

  lineage(view: string, storageVersion: number, kind: LineageKind): string {
    return `${this.prefix}lineage:${view}:${storageVersion}:${kind}`;
  }

  predictionsOf(requestId: string): string {
    return `${this.prefix}join:predictions:${requestId}`;
  }

  feedbackOf(requestId: string): string {
    return `${this.prefix}join:feedback:${requestId}`;
  }

  /** Stream of labelled texts (feedback joined to its prediction): the spine of feedback exports. */
  labels(): string {
    return `${this.prefix}labels`;
  }

  labelled(feedbackId: string): string {
    return `${this.prefix}labels:seen:${feedbackId}`;
  }
}
