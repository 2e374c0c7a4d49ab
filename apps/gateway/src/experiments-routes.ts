/**
 * `/admin/experiments`: experiments and rollouts through the gateway. The gateway never calls the
 * ab-router directly: a change is a command on `experiments.commands`, and its answer is the
 * snapshot (or refusal) the ab-router publishes on `experiments.events` with the same command id.
 * Reads come from this gateway's own replay of `experiments.events`, started on first use.
 *
 *   GET  /admin/experiments                      list (status, kind, model, recommendation)
 *   POST /admin/experiments                      create from an ExperimentSpec (the YAML shape)
 *   GET  /admin/experiments/:id                  the whole state: metrics, analysis, history, decisions
 *   POST /admin/experiments/:id/{start,stop,promote,rollback}   body: {variant?, reason?}
 */
import { randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import type { Kafka } from 'kafkajs';
import { StateTopicReader, type MessageProducer } from '@mlops/messaging';
import type { Logger } from '@mlops/observability';
import { Type } from '@sinclair/typebox';
import {
  ExperimentEvent,
  ExperimentSpec,
  MESSAGE_SCHEMA_VERSION,
  PlatformError,
  TOPICS,
  assertValid,
  experimentSpecProblems,
  isErrorCode,
  type Experiment,
  type ExperimentCommand,
  type ExperimentCommandType,
} from '@mlops/schemas';
import { principalOf } from './auth';
import { jsonObjectBody } from './prediction-routes';

export interface ExperimentsAdminOptions {
  kafka: Kafka;
  producer: MessageProducer;
  logger: Logger;
  instanceId: string;
  /** The model an experiment is on when its spec names none (the gateway's MODEL_NAME). */
  modelName: string;
  isAccepting: () => boolean;
  /** How long a command waits for the ab-router's answer, ms. */
  commandTimeoutMs?: number;
}

export const ExperimentActionBody = Type.Object(
  { variant: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), reason: Type.Optional(Type.String({ maxLength: 1000 })) },
  { additionalProperties: false },
);
const ACTIONS: readonly ExperimentCommandType[] = ['start', 'stop', 'promote', 'rollback'];

interface Waiter {
  resolve: (experiment: Experiment) => void;
  reject: (error: PlatformError) => void;
}

/** The latest snapshot per experiment, and the answers to this gateway's commands. */
class ExperimentsView {
  readonly experiments = new Map<string, Experiment>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly reader: StateTopicReader<typeof ExperimentEvent>;
  private started: Promise<void> | undefined;

  constructor(private readonly options: ExperimentsAdminOptions) {
    this.reader = new StateTopicReader({
      ...options,
      topic: TOPICS.experimentsEvents.name,
      schema: ExperimentEvent,
      groupPrefix: `gateway-${options.instanceId}-experiments`,
      apply: (event) => this.apply(event),
    });
  }

  /** Starts the replay once and waits until it has reached the end of the topic (15 s at most). */
  ready(): Promise<void> {
    this.started ??= this.reader.start().then(() => this.reader.caughtUp(15_000).then(() => undefined));
    return this.started;
  }

  async stop(): Promise<void> {
    if (this.started) await this.reader.stop();
  }

  private apply(event: ExperimentEvent): void {
    if (event.type === 'experiment-state') {
      const held = this.experiments.get(event.experiment.experimentId);
      if (!held || held.revision < event.experiment.revision) this.experiments.set(event.experiment.experimentId, event.experiment);
      if (event.commandId) this.waiters.get(event.commandId)?.resolve(event.experiment);
    } else if (event.type === 'command-rejected') {
      const code = isErrorCode(event.error.code) ? event.error.code : 'INTERNAL_ERROR';
      this.waiters.get(event.commandId)?.reject(new PlatformError(code, event.error.message));
    }
  }

  /** Publishes a command and resolves with the snapshot that answers it. */
  async send(command: ExperimentCommand): Promise<Experiment> {
    const timeoutMs = this.options.commandTimeoutMs ?? 10_000;
    const answer = new Promise<Experiment>((resolve, reject) => {
      const timer = setTimeout(() => reject(new PlatformError('NOT_READY', `the ab-router did not answer within ${timeoutMs} ms; is it running?`)), timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(command.commandId);
      };
      this.waiters.set(command.commandId, { resolve: (e) => (done(), resolve(e)), reject: (e) => (done(), reject(e)) });
    });
    await this.options.producer.send(TOPICS.experimentsCommands.name, { key: command.experimentId, value: command }).catch((error: unknown) => {
      this.waiters.get(command.commandId)?.reject(new PlatformError('NOT_READY', `the command could not be published to Kafka: ${(error as Error).message}`, { cause: error }));
    });
    return answer;
  }
}

/** The first treatment's comparison, as a list row shows it: effect, its CI, the sequential p-value, the decision. */
function analysisSummary(experiment: Experiment): Record<string, unknown> | null {
  const comparisons = experiment.analysis?.comparisons;
  const first = Array.isArray(comparisons) ? (comparisons[0] as Record<string, unknown> | undefined) : undefined;
  if (!first || first.ready !== true) return null;
  const estimate = first.estimate as { difference: number; ci: [number, number] };
  const pValues = first.pValues as { sequentialAdjusted: number };
  return { treatment: first.treatment, effect: estimate.difference, ci: estimate.ci, p_value: pValues.sequentialAdjusted, decision: first.decision };
}

export function experimentsAdmin(options: ExperimentsAdminOptions): { router: Router; stop(): Promise<void> } {
  const view = new ExperimentsView(options);
  const router = express.Router();

  const command = async (res: express.Response, type: ExperimentCommandType, experimentId: string, extra: Partial<ExperimentCommand> = {}) => {
    if (!options.isAccepting()) throw new PlatformError('NOT_READY', 'the gateway is not connected to Kafka yet, or is shutting down');
    const principal = principalOf(res);
    const sent: ExperimentCommand = {
      schemaVersion: MESSAGE_SCHEMA_VERSION,
      commandId: randomUUID(),
      type,
      experimentId,
      requestedBy: principal ? `${principal.kind}:${principal.id}` : 'anonymous',
      at: Date.now(),
      ...extra,
    };
    res.locals.auditDetails = { experimentId, command: type, commandId: sent.commandId, ...(extra.variant ? { variant: extra.variant } : {}) };
    return view.send(sent);
  };

  const known = async (experimentId: string) => {
    await view.ready();
    const experiment = view.experiments.get(experimentId);
    if (!experiment) throw new PlatformError('NOT_FOUND', `no experiment ${experimentId}`);
    return experiment;
  };

  router.get('/', async (_req, res) => {
    await view.ready();
    const experiments = [...view.experiments.values()]
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((e) => ({
        experiment_id: e.experimentId,
        kind: e.spec.kind ?? 'ab',
        model_name: e.spec.model_name,
        status: e.status,
        live_variant: e.liveVariant,
        revision: e.revision,
        recommendation: e.analysis?.recommendation ?? null,
        updated_at: new Date(e.updatedAt).toISOString(),
        variants: Object.entries(e.spec.variants).map(([name, version]) => ({ name, model_version: version, traffic: e.spec.traffic_allocation?.[name] ?? null })),
        analysis: analysisSummary(e),
      }));
    res.json({ experiments });
  });

  router.post('/', async (req, res) => {
    const given = assertValid(ExperimentSpec, jsonObjectBody(req), 'request body');
    // Named here, so only the routers of this model answer it when deployments share a broker.
    const spec = { ...given, model_name: given.model_name ?? options.modelName };
    const problems = experimentSpecProblems(spec);
    if (problems.length > 0) throw new PlatformError('VALIDATION_ERROR', problems.join('; '));
    await view.ready();
    res.status(201).json(await command(res, 'create', spec.experiment_id, { spec }));
  });

  router.get('/:experimentId', async (req, res) => {
    res.json(await known(req.params.experimentId));
  });

  router.post('/:experimentId/:action', async (req, res) => {
    const type = req.params.action as ExperimentCommandType;
    if (!ACTIONS.includes(type)) throw new PlatformError('NOT_FOUND', `no experiment action '${req.params.action}' (${ACTIONS.join(', ')})`);
    const body = req.body === undefined || (typeof req.body === 'object' && req.body !== null && Object.keys(req.body).length === 0) ? {} : assertValid(ExperimentActionBody, jsonObjectBody(req), 'request body');
    await known(req.params.experimentId);
    res.json(await command(res, type, req.params.experimentId, body));
  });

  return { router, stop: () => view.stop() };
}
