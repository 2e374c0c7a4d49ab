"""The peer for `npm run bench:serving`: the stack the original product spec used — FastAPI +
Hugging Face `tokenizers` + ONNX Runtime — serving the same ONNX file with the same vocabulary and
the same response bodies, written the straightforward way a FastAPI user would write it.

    MODEL_DIR=<store>/<model>/<version> PORT=9100 python server.py
"""
import json
import os
import time
from datetime import datetime, timezone

import numpy as np
import onnxruntime as ort
import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel
from tokenizers import BertWordPieceTokenizer

MODEL_DIR = os.environ["MODEL_DIR"]
THREADS = int(os.environ.get("INTRA_OP_THREADS", str(os.cpu_count() or 1)))

with open(os.path.join(MODEL_DIR, "config.json")) as f:
    config = json.load(f)
labels = [config["id2label"][str(i)] for i in range(len(config["id2label"]))]
max_length = int(config.get("max_length", config.get("max_position_embeddings", 512)))

tokenizer = BertWordPieceTokenizer(os.path.join(MODEL_DIR, "vocab.txt"), lowercase=True)
tokenizer.enable_truncation(max_length)
tokenizer.enable_padding()

options = ort.SessionOptions()
options.intra_op_num_threads = THREADS
options.inter_op_num_threads = 1
options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
session = ort.InferenceSession(os.path.join(MODEL_DIR, "model.onnx"), options, providers=["CPUExecutionProvider"])
version = os.path.basename(MODEL_DIR.rstrip("/"))

app = FastAPI()


class PredictRequest(BaseModel):
    text: str


class BatchPredictRequest(BaseModel):
    texts: list[str]


def classify(texts):
    encodings = tokenizer.encode_batch(texts)
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    logits = session.run(["logits"], {"input_ids": ids, "attention_mask": mask})[0]
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = exp / exp.sum(axis=1, keepdims=True)
    best = probs.argmax(axis=1)
    return [(labels[b], float(probs[i, b])) for i, b in enumerate(best)]


@app.get("/health")
def health():
    return {"status": "healthy"}


@app.post("/predict")
def predict(body: PredictRequest):
    started = time.perf_counter()
    label, confidence = classify([body.text])[0]
    return {
        "prediction": label,
        "confidence": confidence,
        "model_version": version,
        "processing_time": time.perf_counter() - started,
        "timestamp": datetime.now(timezone.utc).isoformat(),
    }


@app.post("/predict/batch")
def predict_batch(body: BatchPredictRequest):
    started = time.perf_counter()
    results = classify(body.texts)
    return {
        "predictions": [{"prediction": l, "confidence": c} for l, c in results],
        "model_version": version,
        "processing_time": time.perf_counter() - started,
        "batch_size": len(results),
        "timestamp": datetime.now(timezone.utc).isoformat(),
    }


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "9100")), log_level="warning", workers=1)
