/**
 * Deletes the reply topics of gateway instances that are gone without a clean stop (a crash, a
 * SIGKILL, a node lost). A clean stop deletes its own topic; these would stay forever, one more
 * topic per crash, empty after their hour of retention but still a partition to the broker.
 *
 * A gateway's reply topic is `inference.replies.<instance id>`, read by the consumer group
 * `gateway-<instance id>`, which the gateway gives a committed offset when it starts (see
 * PredictionClient.start). A topic is orphaned when that group has no members (state `Empty`) at
 * two sweeps in a row, nothing was written to the topic between them, and the group is still
 * empty when the delete is sent. A gateway that restarts under the same instance id (one set by
 * INSTANCE_ID; the default is new at every start) rejoins its group within seconds, long before
 * the second sweep; one cut off long enough to be taken for dead recreates its topic
 * (PredictionClient) when it is back.
 * Topics whose group does not exist are left alone: they may be an outside producer's.
 *
 * Every gateway sweeps, at intervals jittered by ±10% so replicas started together drift apart; a
 * topic two of them delete at once is simply gone.
 */
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from '@mlops/observability';
import { REPLY_TOPIC_PREFIX, deadLetterTopicFor } from '@mlops/schemas';

export interface ReplyTopicJanitorOptions {
  kafka: Kafka;
  logger: Logger;
  /** This gateway's own reply topic, never touched. */
  ownTopic: string;
  /** The consumer group that reads a gateway's reply topic, from its instance id. */
  groupOf: (instanceId: string) => string;
  /** Between sweeps, ms; a topic is deleted one to two intervals after its gateway died. 0: never sweep. */
  intervalMs: number;
  /** Uniform in [0, 1), for the jitter; Math.random by default. */
  random?: () => number;
}

/** How long a stop waits for a sweep in progress, ms; the sweep gives up at its next step. */
const STOP_WAIT_MS = 1_000;

export class ReplyTopicJanitor {
  /** Topics orphaned at the last sweep, with the sum of their partitions' end offsets then. */
  private suspects = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: ReplyTopicJanitorOptions) {}

  /** Sweeps now (to remember the suspects) and every interval after, one sweep at a time. */
  start(): void {
    if (this.options.intervalMs <= 0) return;
    this.stopped = false;
    const next = () => {
      if (this.stopped) return;
      this.sweeping = this.sweep()
        .catch((error: unknown) => this.options.logger.warn({ err: error }, 'reply topic sweep failed; the next one follows in an interval'))
        .finally(() => {
          if (this.stopped) return;
          const jitter = 0.9 + 0.2 * (this.options.random ?? Math.random)();
          this.timer = setTimeout(next, this.options.intervalMs * jitter);
          this.timer.unref();
        });
    };
    next();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    let waited: NodeJS.Timeout | undefined;
    await Promise.race([this.sweeping, new Promise((resolve) => (waited = setTimeout(resolve, STOP_WAIT_MS)))]);
    clearTimeout(waited);
  }

  /** One sweep: returns the topics it deleted. */
  async sweep(): Promise<string[]> {
    // Few retries: a topic another gateway deletes meanwhile fails this admin's metadata refreshes
    // until the sweep ends, and each step copes with a failure on its own.
    const admin = this.options.kafka.admin({ retry: { retries: 1 } });
    await admin.connect();
    try {
      const orphaned = await this.orphanedNow(admin);
      const confirmed = [...orphaned].filter(([topic, endOffsets]) => this.suspects.get(topic) === endOffsets).map(([topic]) => topic);
      this.suspects = new Map([...orphaned].filter(([topic]) => !confirmed.includes(topic)));
      if (confirmed.length === 0 || this.stopped) return [];
      // A gateway may have come back since the first look: ask once more, right before deleting.
      const stillEmpty = await this.emptyGroups(admin, confirmed);
      const deleted: string[] = [];
      for (const topic of confirmed.filter((t) => stillEmpty.has(this.groupOfTopic(t)))) {
        if (this.stopped) break;
        if (await this.deleteOne(admin, topic)) deleted.push(topic);
      }
      return deleted;
    } finally {
      await admin.disconnect();
    }
  }

  private groupOfTopic(topic: string): string {
    return this.options.groupOf(topic.slice(REPLY_TOPIC_PREFIX.length));
  }

  /** Of these reply topics' groups, the ones that exist with no member. */
  private async emptyGroups(admin: Admin, topics: string[]): Promise<Set<string>> {
    const { groups } = await admin.describeGroups([...new Set(topics.map((t) => this.groupOfTopic(t)))]);
    return new Set(groups.filter((g) => g.state === 'Empty').map((g) => g.groupId));
  }

  /** Reply topics (other gateways') whose group exists with no member, with their end offsets. */
  private async orphanedNow(admin: Admin): Promise<Map<string, number>> {
    const replyDeadLetters = deadLetterTopicFor(REPLY_TOPIC_PREFIX.slice(0, -1));
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(REPLY_TOPIC_PREFIX) && t !== this.options.ownTopic && t !== replyDeadLetters);
    if (topics.length === 0) return new Map();
    const empty = await this.emptyGroups(admin, topics);
    const orphaned = new Map<string, number>();
    for (const topic of topics.filter((t) => empty.has(this.groupOfTopic(t)))) {
      if (this.stopped) break;
      // A topic deleted meanwhile, or whose offsets cannot be read now, is simply not a suspect.
      const offsets = await admin.fetchTopicOffsets(topic).catch(() => undefined);
      if (offsets) orphaned.set(topic, offsets.reduce((sum, p) => sum + Number(p.high), 0));
    }
    return orphaned;
  }

  /** True when this sweep deleted `topic`; a failure is logged, and the sweep goes on. */
  private async deleteOne(admin: Admin, topic: string): Promise<boolean> {
    try {
      await admin.deleteTopics({ topics: [topic], timeout: 10_000 });
      this.options.logger.info({ topic }, 'reply topic of a gateway gone without a clean stop deleted');
      return true;
    } catch (error) {
      // Usually another gateway's sweep deleted it first: that is the goal anyway.
      const left = await admin.listTopics().then((topics) => topics.includes(topic), () => true);
      if (left) this.options.logger.warn({ err: error, topic }, 'orphaned reply topic not deleted; a later sweep tries again');
      return false;
    }
  }
}
