/**
 * Waiting for replies by request id. Every pending entry has a deadline timer, so a reply that
 * never comes ends in DEADLINE_EXCEEDED at the deadline and the entry is freed; a second reply for
 * the same id (at-least-once redelivery) finds no entry and is ignored.
 */
import { PlatformError, type InferenceReply } from '@mlops/schemas';

interface PendingReply {
  deadline: number;
  resolve: (reply: InferenceReply) => void;
  reject: (error: PlatformError) => void;
  timer: NodeJS.Timeout;
}

export class PendingReplies {
  private readonly pending = new Map<string, PendingReply>();

  get size(): number {
    return this.pending.size;
  }

  has(requestId: string): boolean {
    return this.pending.has(requestId);
  }

  /** Registers interest before the request is sent, so a fast reply cannot be missed. */
  wait(requestId: string, deadline: number): Promise<InferenceReply> {
    if (this.pending.has(requestId)) {
      return Promise.reject(new PlatformError('VALIDATION_ERROR', `request id ${requestId} is already in flight`));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new PlatformError('DEADLINE_EXCEEDED', `no answer within the deadline for request ${requestId}`));
      }, Math.max(0, deadline - Date.now()));
      this.pending.set(requestId, { deadline, resolve, reject, timer });
    });
  }

  /**
   * Returns false when nobody waits for this id (late, duplicate or foreign reply), or for this call
   * under it: a reply that echoes another deadline answers an earlier call that reused the id.
   */
  deliver(reply: InferenceReply): boolean {
    const entry = this.pending.get(reply.requestId);
    if (!entry) return false;
    if (reply.deadline !== undefined && reply.deadline !== entry.deadline) return false;
    clearTimeout(entry.timer);
    this.pending.delete(reply.requestId);
    entry.resolve(reply);
    return true;
  }

  /** Fails one waiter (e.g. the request could not be published). */
  fail(requestId: string, error: PlatformError): void {
    const entry = this.pending.get(requestId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(requestId);
    entry.reject(error);
  }

  /** Fails every waiter, e.g. on shutdown. */
  failAll(error: PlatformError): void {
    for (const requestId of [...this.pending.keys()]) this.fail(requestId, error);
  }
}
