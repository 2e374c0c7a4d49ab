/**
 * The fault scenarios' own Kafka broker: a real single-node broker on ports and a run folder of its
 * own (never the shared one on 9092), so stopping it hurts nobody else and no other platform
 * instance consumes our topics. A broker this module starts begins with empty storage.
 *
 * Ports: env FAULTS_KAFKA_PORT (default 19192) and FAULTS_KAFKA_CONTROLLER_PORT (default 19193).
 */
import path from 'node:path';
import { startBroker, startFreshBroker, stopBroker, type BrokerOptions } from '../kafka/broker';
import { workspaceRoot } from '../platform/processes';
import { stopOnSignal } from '../stop-on-signal';

export interface FaultsBroker {
  bootstrap: string;
  /** Stops the broker (e.g. the broker-restart fault); data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same data. */
  start(): Promise<void>;
  /** Stops it for good if this process started it; otherwise leaves it running for its owner. */
  release(): Promise<void>;
}

export function faultsBrokerOptions(): BrokerOptions & { runDir: string } {
  return {
    port: Number(process.env.FAULTS_KAFKA_PORT ?? 19192),
    controllerPort: Number(process.env.FAULTS_KAFKA_CONTROLLER_PORT ?? 19193),
    runDir: path.join(workspaceRoot, '.run', 'kafka-faults'),
    heapMb: 384,
    stopTimeoutMs: 20_000,
    // KAFKA_BROKERS (set by `npm test` for the shared broker) must not turn this into a no-op.
    env: {},
    log: () => undefined,
  };
}

export async function useFaultsBroker(): Promise<FaultsBroker> {
  const options = faultsBrokerOptions();
  // Fresh storage: an earlier scenario's requests would be replayed to reply topics that are gone.
  const handle = await startFreshBroker(options);
  const stopOwned = handle.started ? stopOnSignal("the fault scenarios' broker", () => stopBroker(options)) : async () => false;
  return {
    bootstrap: handle.bootstrap,
    stop: async () => void (await stopBroker(options)),
    start: async () => void (await startBroker(options)),
    release: async () => void (await stopOwned()),
  };
}

/** Runs `scenario` on a freshly started faults broker, and stops the broker afterwards. */
export async function withFaultsBroker<T>(scenario: (broker: FaultsBroker) => Promise<T>): Promise<T> {
  const broker = await useFaultsBroker();
  try {
    return await scenario(broker);
  } finally {
    await broker.release();
  }
}
