/** The OpenAPI paths of feature-routes.ts, from the schemas the feature store answers with. */
import type { TSchema } from '@sinclair/typebox';
import { FeatureViewListResponse, FeatureViewResponse, FeatureViewVersion, LineageResponse, OnlineFeaturesRequest, OnlineFeaturesResponse } from '@mlops/schemas';

/** How openapi-document.ts writes a request body, an answer and a product error. */
export interface OpenApiWriters {
  body: (schema: TSchema) => unknown;
  answer: (description: string, schema?: TSchema) => unknown;
  productError: (description: string) => unknown;
}

export function featureOpenApiPaths(write: OpenApiWriters, security: Record<string, unknown>): Record<string, unknown> {
  const tags = ['Features'];
  const unavailable = write.productError('The feature store is not configured, not answering, or failed (the message says which)');
  const name = { name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$' } };
  const version = { name: 'version', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } };
  const read = (summary: string, operationId: string, schema: TSchema, parameters: unknown[] = []) => ({
    get: {
      summary,
      operationId,
      tags,
      ...security,
      parameters,
      responses: { '200': write.answer(summary, schema), '400': write.productError('Invalid version'), '404': write.productError('No such feature view or version'), '503': unavailable },
    },
  });
  return {
    '/features/online': {
      post: {
        summary: 'Online feature values of entities, with their freshness',
        description: 'Proxied to the feature store. Entities without values are listed in `missing` (status missing or expired).',
        operationId: 'onlineFeatures',
        tags,
        ...security,
        requestBody: write.body(OnlineFeaturesRequest),
        responses: {
          '200': write.answer('One result per entity, in request order', OnlineFeaturesResponse),
          '400': write.productError('Invalid body, or features the view does not have'),
          '404': write.productError('No such feature view or version'),
          '503': unavailable,
        },
      },
    },
    '/features/views': read('Feature views: entity key, features, latest and materialized versions', 'listFeatureViews', FeatureViewListResponse),
    '/features/views/{name}': read('Every version of a feature view', 'getFeatureView', FeatureViewResponse, [name]),
    '/features/views/{name}/versions/{version}': read('One version of a feature view', 'getFeatureViewVersion', FeatureViewVersion, [name, version]),
    '/features/views/{name}/versions/{version}/lineage': read('Lineage of a version: sources, transformation, model versions, exports', 'getFeatureViewLineage', LineageResponse, [name, version]),
  };
}
