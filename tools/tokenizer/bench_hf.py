"""HF's side of `npm run bench:tokenizer`: the Rust `tokenizers` through its Python binding, one
thread, over the same SST-2 training sentences, one by one and with encode_batch (padded to the
longest, as ours). Prints one JSON line per measurement, like bench.ts. Usually run by run-bench.ts.

  .venv/tokenizer/bin/python tools/tokenizer/bench_hf.py [--repeat N] [--batch-size B] [--limit N]
"""

import os

# One thread: set before tokenizers is imported (its Rayon pool reads these at start).
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ["RAYON_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import pathlib  # noqa: E402
import time  # noqa: E402

import tokenizers  # noqa: E402
from tokenizers import BertWordPieceTokenizer  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]


def read_sentences(limit):
    train = ROOT / os.environ.get("SST2_DIR", "../shared/datasets/sst2") / "train.tsv"
    rows = [line for line in train.read_text(encoding="utf-8").split("\n")[1:] if line]
    return [row.rsplit("\t", 1)[0] for row in rows[:limit]]


def timed(run):
    start = time.perf_counter()
    tokens = run()
    return time.perf_counter() - start, tokens


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--limit", type=int, default=1_000_000)
    args = parser.parse_args()
    sentences = read_sentences(args.limit)
    vocab = ROOT / os.environ.get("VOCAB_FILE", "../shared/models/bert-base-uncased/vocab.txt")
    tokenizer = BertWordPieceTokenizer(str(vocab), lowercase=True)
    tokenizer.enable_truncation(max_length=512)

    def single():
        return sum(len(tokenizer.encode(sentence).ids) for sentence in sentences)

    def batch():
        tokens = 0
        for first in range(0, len(sentences), args.batch_size):
            for encoding in tokenizer.encode_batch(sentences[first:first + args.batch_size]):
                tokens += sum(encoding.attention_mask)
        return tokens

    name = f"HF tokenizers {tokenizers.__version__} (Rust via Python, 1 thread)"
    for mode, run in (("single", single), ("batch", batch)):
        if mode == "batch":
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        runs = [timed(run) for _ in range(args.repeat)]
        seconds, tokens = min(runs[1:] or runs)
        print(json.dumps({"implementation": name, "mode": mode, "sentences": len(sentences),
                          "tokens": tokens, "seconds": seconds}), flush=True)


if __name__ == "__main__":
    main()
