import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V2InferRequest } from './api-schemas';
import { inferResponse, requestedOutputs, textsOfInferRequest } from './kserve-v2';

const limits = { maxTextLength: 10, maxBatchSize: 4 };
const request = (input: Partial<V2InferRequest['inputs'][0]>, rest: Partial<V2InferRequest> = {}): V2InferRequest => ({
  inputs: [{ name: 'text', datatype: 'BYTES', shape: [2], data: ['good', 'bad'], ...input }],
  ...rest,
});

test('BYTES texts come flat ([N]) or one per row ([N, 1]), sanitized', () => {
  assert.deepEqual(textsOfInferRequest(request({}), limits), ['good', 'bad']);
  assert.deepEqual(textsOfInferRequest(request({ shape: [2, 1], data: [['good'], ['ba\u0000d']] }), limits), ['good', 'bad']);
});

test('wrong datatype, shape or length, and over-long texts are refused, each naming the problem', () => {
  assert.throws(() => textsOfInferRequest(request({ datatype: 'FP32' }), limits), /datatype must be BYTES \(texts\), got FP32/);
  assert.throws(() => textsOfInferRequest(request({ shape: [1, 2] }), limits), /shape must be \[N\] or \[N, 1\], got \[1, 2\]/);
  assert.throws(() => textsOfInferRequest(request({ shape: [3] }), limits), /shape \[3\] does not match 2 data elements/);
  assert.throws(() => textsOfInferRequest(request({ shape: [0], data: [] }), limits), /at least one text/);
  assert.throws(() => textsOfInferRequest(request({ shape: [1], data: ['x'.repeat(11)] }), limits), /element 0 has more than 10 characters/);
});

test('outputs: both by default, only those asked for, an unknown one refused', () => {
  assert.deepEqual(requestedOutputs(request({})), ['label', 'confidence']);
  assert.deepEqual(requestedOutputs(request({}, { outputs: [{ name: 'label' }] })), ['label']);
  assert.throws(() => requestedOutputs(request({}, { outputs: [{ name: 'logits' }] })), /unknown output 'logits'/);
});

test('the response holds one BYTES label and one FP32 confidence per text, confidence rounded to float32', () => {
  const result = { modelVersion: 'v3', seconds: 0.01, predictions: [{ label: 'POSITIVE', confidence: 0.1 }, { label: 'NEGATIVE', confidence: 0.9 }] };
  assert.deepEqual(inferResponse('m', 'id-1', result, ['label', 'confidence']), {
    model_name: 'm',
    model_version: 'v3',
    id: 'id-1',
    outputs: [
      { name: 'label', datatype: 'BYTES', shape: [2], data: ['POSITIVE', 'NEGATIVE'] },
      { name: 'confidence', datatype: 'FP32', shape: [2], data: [Math.fround(0.1), Math.fround(0.9)] },
    ],
  });
});
