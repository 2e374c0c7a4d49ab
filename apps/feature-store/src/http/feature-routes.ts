/**
 * The feature API: definitions and their versions, lineage, online reads, offline exports, and
 * the drift and data-quality reports. Bodies are the schemas in `@mlops/schemas` (features.ts).
 */
import express, { type Request, type Router } from 'express';
import type { Histogram } from 'prom-client';
import {
  ExportRequest,
  OnlineFeaturesRequest,
  PlatformError,
  assertValid,
  type DriftReportResponse,
  type ExportResponse,
  type FeatureViewResponse,
  type OnlineFeaturesResponse,
  type QualityReportResponse,
} from '@mlops/schemas';
import type { FeatureRegistry } from '../definitions/registry';
import type { ViewCatalog } from '../definitions/view-catalog';
import type { OnlineStore } from '../materialize/online-store';

export interface FeatureRoutesDeps {
  catalog: ViewCatalog;
  registry: FeatureRegistry;
  store: OnlineStore;
  exportSnapshot: (request: ExportRequest) => Promise<ExportResponse>;
  driftReport: () => DriftReportResponse;
  qualityReport: () => QualityReportResponse;
  onlineReadSeconds: Histogram<'feature_view'>;
}

function versionParam(req: Request): number {
  const raw = String(req.params.version);
  if (!/^[1-9]\d{0,8}$/.test(raw)) throw new PlatformError('VALIDATION_ERROR', `version: '${raw}' is not a version number`);
  return Number(raw);
}

export function featureRoutes(deps: FeatureRoutesDeps): Router {
  const router = express.Router();
  const servedRecorded = new Set<string>();

  router.get('/feature-views', async (_req, res) => {
    res.json({ feature_views: await deps.catalog.summaries() });
  });

  router.get('/feature-views/:name', async (req, res) => {
    const versions = await deps.registry.versions(String(req.params.name));
    const body: FeatureViewResponse = { name: String(req.params.name), latest_version: versions[versions.length - 1].version, versions };
    res.json(body);
  });

  router.get('/feature-views/:name/versions/:version', async (req, res) => {
    res.json(await deps.registry.version(String(req.params.name), versionParam(req)));
  });

  router.get('/feature-views/:name/versions/:version/lineage', async (req, res) => {
    res.json(await deps.registry.lineage(String(req.params.name), versionParam(req)));
  });

  router.post('/features/online', async (req, res) => {
    const request = assertValid(OnlineFeaturesRequest, req.body, 'request body');
    const view = await deps.catalog.resolve(request.feature_view, request.version);
    const known = new Set(view.features.map((f) => f.name));
    const unknown = (request.features ?? []).filter((f) => !known.has(f));
    if (unknown.length) throw new PlatformError('VALIDATION_ERROR', `features: ${unknown.join(', ')} not in ${view.name} v${view.version}; it has ${[...known].join(', ')}`);
    const stopTimer = deps.onlineReadSeconds.startTimer({ feature_view: view.name });
    const results = await deps.store.read(view, request.entities, request.features);
    stopTimer();
    if (request.model_version) {
      const key = `${view.name}@${view.storageVersion}:${request.model_version}`;
      if (!servedRecorded.has(key)) {
        await deps.registry.addLineage(view.name, view.storageVersion, 'served', [request.model_version]);
        servedRecorded.add(key);
      }
    }
    const body: OnlineFeaturesResponse = {
      feature_view: view.name,
      version: view.version,
      entity_key: view.definition.entity_key,
      results,
      missing: results.filter((r) => r.status !== 'found').map((r) => r.entity),
      timestamp: new Date().toISOString(),
    };
    res.json(body);
  });

  router.post('/exports', async (req, res) => {
    const request = assertValid(ExportRequest, req.body, 'request body');
    res.status(201).json(await deps.exportSnapshot(request));
  });

  router.get('/drift', (_req, res) => {
    res.json(deps.driftReport());
  });

  router.get('/quality', (_req, res) => {
    res.json(deps.qualityReport());
  });

  return router;
}
