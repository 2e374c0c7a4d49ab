/**
 * Restart with state: under load with a running A/B experiment, the ab-router and then the feature
 * store are stopped (SIGTERM) and started again. Afterwards the experiment is still running with
 * every prediction counted once, each subject kept its variant across the restart, and each
 * subject's materialized request count equals the requests it was answered (nothing lost, nothing
 * counted twice by the replay).
 */
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Experiment, OnlineFeaturesResponse } from '@mlops/schemas';
import { startServices } from '../services';
import type { FaultsBroker } from './faults-broker';
import { FaultPlatform } from './fault-platform';
import { runUnderLoad, sleep, type Check, type LoadSize, type ScenarioResult } from './scenario';

const JWT_SECRET = 'faults-restart-secret-of-at-least-32-characters';
const JWT_ISSUER = 'faults';
const SUBJECTS = 40;

const adminToken = () => jwt.sign({ sub: 'faults', scope: 'admin', iss: JWT_ISSUER, aud: 'mlops-gateway' }, JWT_SECRET, { algorithm: 'HS256', expiresIn: '15m' });

async function admin(platform: FaultPlatform, method: string, route: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${platform.gatewayUrl}/admin/experiments${route}`, {
    method,
    headers: { authorization: `Bearer ${adminToken()}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(15_000),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${method} /admin/experiments${route}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

async function poll<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined || Date.now() > until) return value;
    await sleep(500);
  }
}

/** `request_count_total` per subject from the feature store's online API. */
async function requestCounts(platform: FaultPlatform, subjects: string[]): Promise<Map<string, number | undefined>> {
  const response = await fetch(platform.url('feature-store', '/features/online'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ feature_view: 'subject_activity', entities: subjects, features: ['request_count_total'] }),
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await response.json()) as OnlineFeaturesResponse;
  return new Map(body.results.map((r) => [r.entity, r.status === 'found' ? Number(r.features?.request_count_total) : undefined]));
}

async function restartApp(platform: FaultPlatform, name: string): Promise<Check> {
  const exit = await platform.signal(name, 'SIGTERM');
  const startedAt = Date.now();
  await platform.start(name);
  return { what: `${name} stops cleanly and is ready again`, ok: exit.code === 0, detail: `exit ${exit.code ?? exit.signal} after ${exit.tookMs} ms, ready ${Date.now() - startedAt} ms later` };
}

export async function restartWithState(broker: FaultsBroker, size: LoadSize): Promise<ScenarioResult> {
  const redis = await startServices({ kafka: false, redis: true });
  const runId = randomUUID().slice(0, 8);
  const subjectOf = (i: number) => `subject-${runId}-${i % SUBJECTS}`;
  const platform = await FaultPlatform.start({
    brokers: broker.bootstrap,
    versions: 2,
    featureStoreRedisUrl: redis.redisUrl,
    env: { gateway: { AUTH_JWT_SECRET: JWT_SECRET, AUTH_JWT_ISSUER: JWT_ISSUER } },
  });
  const experimentId = `faults-restart-${runId}`;
  const checks: Check[] = [];
  try {
    await admin(platform, 'POST', '', {
      experiment_id: experimentId,
      control_variant: 'current',
      treatment_variants: ['challenger'],
      variants: { current: 'v1', challenger: 'v2' },
      traffic_allocation: { current: 50, challenger: 50 },
      success_metrics: ['accuracy'],
      minimum_sample_size: 1_000_000,
      auto_decide: false,
    });
    await admin(platform, 'POST', `/${experimentId}/start`, {});
    const third = (size.requests / size.ratePerSec) * 333;
    const run = await runUnderLoad(platform, {
      size,
      subjectOf,
      faultAfterMs: third,
      fault: async () => {
        checks.push(await restartApp(platform, 'ab-router-0'));
        await sleep(third / 2);
        checks.push(await restartApp(platform, 'feature-store'));
      },
    });
    const summary = run.ledger.summary({ window: run.window });
    const results = run.ledger.results();
    const subjectOfResult = (requestId: string) => subjectOf(Number(requestId.slice(requestId.lastIndexOf('-') + 1)));

    // Sticky assignment survives the restart: one version per subject, before and after.
    const versions = new Map<string, Set<string>>();
    for (const r of results) versions.set(subjectOfResult(r.requestId), (versions.get(subjectOfResult(r.requestId)) ?? new Set()).add(r.outcome.modelVersion));
    const switched = [...versions].filter(([, v]) => v.size > 1).map(([subject]) => subject);
    checks.push({ what: 'each subject keeps its variant across the ab-router restart', ok: switched.length === 0 && versions.size === SUBJECTS, detail: `${switched.length} of ${versions.size} switched` });

    // The experiment is intact and counted each answered prediction once (the replay adds none).
    const answeredCount = results.length;
    const experiment = await poll(async () => {
      const state = (await admin(platform, 'GET', `/${experimentId}`)) as unknown as Experiment;
      const predictions = Object.values(state.metrics).reduce((n, m) => n + m.predictions, 0);
      return predictions >= answeredCount ? { state, predictions } : undefined;
    }, 30_000);
    checks.push({
      what: 'the experiment still runs and counted every answered prediction exactly once',
      ok: experiment?.state.status === 'running' && experiment.predictions === answeredCount,
      detail: experiment ? `${experiment.state.status}, ${experiment.predictions} counted for ${answeredCount} answered` : `fewer than ${answeredCount} counted within 30 s`,
    });

    // Materialized features: each subject's request count equals what it was answered.
    const expected = new Map<string, number>();
    for (const r of results) expected.set(subjectOfResult(r.requestId), (expected.get(subjectOfResult(r.requestId)) ?? 0) + 1);
    const subjects = [...expected.keys()];
    let mismatched: string[] = subjects;
    let example = '';
    await poll(async () => {
      const counts = await requestCounts(platform, subjects);
      mismatched = subjects.filter((s) => counts.get(s) !== expected.get(s));
      example = mismatched.length ? `, e.g. ${mismatched[0]}: ${counts.get(mismatched[0])} for ${expected.get(mismatched[0])} answered` : '';
      return mismatched.length === 0 ? true : undefined;
    }, 30_000);
    checks.push({ what: 'each subject’s materialized request count equals its answered requests (none lost or counted twice)', ok: mismatched.length === 0, detail: `${mismatched.length} of ${subjects.length} differ${example}` });
    return { scenario: 'restart with state (ab-router, feature store)', summary, checks };
  } finally {
    await platform.stop();
    await redis.stop();
  }
}
