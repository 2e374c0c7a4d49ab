/**
 * Deletes the reply topics of gateway instances that are gone without a clean stop (a crash, a
 * SIGKILL, a node lost). A clean stop deletes its own topic; these would stay forever, one more
 * topic per crash, empty after their hour of retention but still a partition to the broker.
 *
 * A gateway's reply topic is `inference.replies.<instance id>`, read by the consumer group
 * `gateway-<instance id>`. A topic is orphaned when that group has no members (state `Empty`: it
 * exists, with committed offsets, so a gateway did read the topic) at two sweeps in a row and
 * nothing was written to the topic between them. A gateway that restarts under the same instance
 * id (a container restarted in its pod) rejoins its group within seconds, long before the second
 * sweep. Topics whose group does not exist are left alone: they may be an outside producer's.
 * Every gateway sweeps; a topic two of them delete at once is simply gone.
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
}

/** A topic seen orphaned at the last sweep, with the sum of its partitions' end offsets then. */
type Suspect = { endOffsets: number };

export class ReplyTopicJanitor {
  private suspects = new Map<string, Suspect>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ReplyTopicJanitorOptions) {}

  /** Sweeps now (to remember the suspects) and every interval after. */
  start(): void {
    if (this.options.intervalMs <= 0 || this.timer) return;
    const sweepLogged = () => {
      this.sweeping = this.sweep().catch((error: unknown) => this.options.logger.warn({ err: error }, 'reply topic sweep failed; next one in an interval'));
    };
    sweepLogged();
    this.timer = setInterval(sweepLogged, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  /** One sweep: returns the topics it deleted. */
  async sweep(): Promise<string[]> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const orphaned = await this.orphanedNow(admin);
      const confirmed = [...orphaned].filter(([topic, now]) => this.suspects.get(topic)?.endOffsets === now.endOffsets).map(([topic]) => topic);
      this.suspects = new Map([...orphaned].filter(([topic]) => !confirmed.includes(topic)));
      const deleted: string[] = [];
      for (const topic of confirmed) {
        try {
          await admin.deleteTopics({ topics: [topic], timeout: 10_000 });
        } catch (error) {
          // Another gateway's sweep deleted it first: that is the goal anyway.
          if ((await admin.listTopics()).includes(topic)) throw error;
          continue;
        }
        deleted.push(topic);
        this.options.logger.info({ topic }, 'reply topic of a gateway gone without a clean stop deleted');
      }
      return deleted;
    } finally {
      await admin.disconnect();
    }
  }

  /** Reply topics whose gateway group exists but has no members, with their end offsets. */
  private async orphanedNow(admin: Admin): Promise<Map<string, Suspect>> {
    const replyDeadLetters = deadLetterTopicFor(REPLY_TOPIC_PREFIX.slice(0, -1));
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(REPLY_TOPIC_PREFIX) && t !== this.options.ownTopic && t !== replyDeadLetters);
    if (topics.length === 0) return new Map();
    const groupOfTopic = new Map(topics.map((t) => [t, this.options.groupOf(t.slice(REPLY_TOPIC_PREFIX.length))]));
    const { groups } = await admin.describeGroups([...new Set(groupOfTopic.values())]);
    const empty = new Set(groups.filter((g) => g.state === 'Empty').map((g) => g.groupId));
    const orphaned = new Map<string, Suspect>();
    for (const [topic, group] of groupOfTopic) {
      if (!empty.has(group)) continue;
      const offsets = await admin.fetchTopicOffsets(topic).catch(() => undefined); // deleted meanwhile
      if (offsets) orphaned.set(topic, { endOffsets: offsets.reduce((sum, p) => sum + Number(p.high), 0) });
    }
    return orphaned;
  }
}
