/**
 * The Open Inference Protocol (KServe V2) beside the product's API, so KServe and Triton clients
 * work unchanged: health, server and model metadata, model readiness, and inference with a BYTES
 * input of texts answered by a BYTES `label` and an FP32 `confidence` output. Errors are the
 * protocol's `{"error": "..."}` (see `useV2ErrorShape`); health answers 200 or, when not ready,
 * a 4xx as the protocol asks (400).
 */
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { ModelCatalog } from '@mlops/messaging';
import { PlatformError, assertValid } from '@mlops/schemas';
import { v2InferRequestSchema, type V2InferRequest } from './api-schemas';
import type { GatewayConfig } from './config';
import { requestIdOf, useV2ErrorShape } from './http-errors';
import { assertBatchSize, jsonObjectBody, type PredictionResult, type Predictor } from './prediction-routes';
import { sanitizeTexts } from './sanitize';

const NOT_READY_STATUS = 400;
const OUTPUTS = { label: 'BYTES', confidence: 'FP32' } as const;
type OutputName = keyof typeof OUTPUTS;
const INPUT_NAME = 'text';

export interface V2Context {
  config: GatewayConfig;
  catalog: ModelCatalog;
  predict: Predictor;
  /** Connected to Kafka and taking requests. */
  isAccepting: () => boolean;
  /** Runs before inference: the `predict` scope check when the gateway is not open. */
  guard: RequestHandler;
  platformVersion: string;
}

/** The texts of a V2 request's single BYTES input, checked against its shape and the limits. */
export function textsOfInferRequest(request: V2InferRequest, config: Pick<GatewayConfig, 'maxTextLength' | 'maxBatchSize'>): string[] {
  const [input] = request.inputs;
  if (input.datatype !== 'BYTES') throw new PlatformError('VALIDATION_ERROR', `input '${input.name}': datatype must be BYTES (texts), got ${input.datatype}`);
  const [rows, columns = 1] = input.shape;
  if (columns !== 1) throw new PlatformError('VALIDATION_ERROR', `input '${input.name}': shape must be [N] or [N, 1], got [${input.shape.join(', ')}]`);
  const texts = input.data.map((item) => (Array.isArray(item) ? item[0] : item));
  if (texts.length !== rows) throw new PlatformError('VALIDATION_ERROR', `input '${input.name}': shape [${input.shape.join(', ')}] does not match ${texts.length} data elements`);
  if (rows === 0) throw new PlatformError('VALIDATION_ERROR', `input '${input.name}': give at least one text`);
  texts.forEach((text, i) => {
    if (text.length > config.maxTextLength) {
      throw new PlatformError('VALIDATION_ERROR', `input '${input.name}': element ${i} has more than ${config.maxTextLength} characters`);
    }
  });
  return sanitizeTexts(texts, `inputs.0.data`);
}

/** The requested outputs (all by default); an unknown name is a VALIDATION_ERROR. */
export function requestedOutputs(request: V2InferRequest): OutputName[] {
  if (!request.outputs?.length) return Object.keys(OUTPUTS) as OutputName[];
  return request.outputs.map(({ name }) => {
    if (!Object.hasOwn(OUTPUTS, name)) throw new PlatformError('VALIDATION_ERROR', `unknown output '${name}' (outputs: ${Object.keys(OUTPUTS).join(', ')})`);
    return name as OutputName;
  });
}

export function inferResponse(modelName: string, id: string, result: PredictionResult, outputs: OutputName[]) {
  const shape = [result.predictions.length];
  const data: Record<OutputName, (string | number)[]> = {
    label: result.predictions.map((p) => p.label),
    // FP32: round to float32 so clients reading the tensor see the value they would on Triton.
    confidence: result.predictions.map((p) => Math.fround(p.confidence)),
  };
  return { model_name: modelName, model_version: result.modelVersion, id, outputs: outputs.map((name) => ({ name, datatype: OUTPUTS[name], shape, data: data[name] })) };
}

export function kserveV2Router(ctx: V2Context): Router {
  const { config, catalog } = ctx;
  const inferSchema = v2InferRequestSchema(config.maxBatchSize);
  const router = express.Router();
  router.use(useV2ErrorShape);

  /** The served version a path names (or undefined when it names none); unknown → MODEL_NOT_FOUND. */
  const resolveModel = (req: Request): string | undefined => {
    const { name, version } = req.params as { name: string; version?: string };
    if (name !== config.modelName) throw new PlatformError('MODEL_NOT_FOUND', `model '${name}' is not served here (models: ${config.modelName})`);
    if (version !== undefined && !catalog.servedVersion(name, version)) throw new PlatformError('MODEL_NOT_FOUND', `model '${name}' has no served version '${version}'`);
    return version;
  };
  const modelReady = (version: string | undefined) =>
    ctx.isAccepting() && (version ? catalog.servedVersion(config.modelName, version) !== undefined : catalog.servedVersions(config.modelName).length > 0);

  router.get('/', (_req, res) => res.json({ name: 'mlops-gateway', version: ctx.platformVersion, extensions: [] }));
  router.get('/health/live', (_req, res) => res.json({ live: true }));
  router.get('/health/ready', (_req, res) => {
    const ready = modelReady(undefined);
    res.status(ready ? 200 : NOT_READY_STATUS).json({ ready });
  });
  router.get('/models/:name{/versions/:version}', (req, res) => {
    const version = resolveModel(req);
    res.json({
      name: config.modelName,
      versions: version ? [version] : catalog.servedVersions(config.modelName).map((v) => v.modelVersion),
      platform: 'onnxruntime_onnx',
      inputs: [{ name: INPUT_NAME, datatype: 'BYTES', shape: [-1] }],
      outputs: Object.entries(OUTPUTS).map(([name, datatype]) => ({ name, datatype, shape: [-1] })),
    });
  });
  router.get('/models/:name{/versions/:version}/ready', (req, res) => {
    const ready = modelReady(resolveModel(req));
    res.status(ready ? 200 : NOT_READY_STATUS).json({ name: config.modelName, ready });
  });
  router.post('/models/:name{/versions/:version}/infer', ctx.guard, async (req: Request, res: Response) => {
    if (req.get('inference-header-content-length') !== undefined) {
      throw new PlatformError('VALIDATION_ERROR', 'the binary tensor data extension is not supported; send JSON tensors');
    }
    const version = resolveModel(req);
    const raw = jsonObjectBody(req);
    const rawInputs = raw.inputs as { data?: unknown }[] | undefined;
    if (Array.isArray(rawInputs) && rawInputs.length === 1) assertBatchSize(rawInputs[0]?.data, config.maxBatchSize, 'an input');
    const request = assertValid(inferSchema, raw, 'inference request');
    const texts = textsOfInferRequest(request, config);
    const outputs = requestedOutputs(request);
    const subjectId = typeof request.parameters?.subject_id === 'string' ? request.parameters.subject_id.slice(0, 200) : undefined;
    const result = await ctx.predict(requestIdOf(res), texts, { modelVersion: version, subjectId });
    res.json(inferResponse(config.modelName, request.id ?? requestIdOf(res), result, outputs));
  });
  return router;
}
