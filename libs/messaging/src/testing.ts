/** Helpers for integration specs that run against the real broker started by tools/kafka. */
import { randomUUID } from 'node:crypto';

export function testBrokers(): string[] {
  return (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean);
}

/** A topic name of its own for each test, so tests never see each other's messages. */
export function testTopic(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}
