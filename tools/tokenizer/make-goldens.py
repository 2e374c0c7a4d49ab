"""Writes the tokenizer parity goldens under libs/tokenizer/testdata/ with the real Hugging Face
`tokenizers` package (BertWordPieceTokenizer over the bert-base-uncased vocab.txt).

- sst2-train-ids.jsonl.gz: a header line (source file sha256, sentence count, versions), then the
  ids of every SST-2 training sentence, one JSON array per line, in file order.
- hard-cases.json: hand-made hard inputs (accents, CJK, emoji, controls, zero-width, fullwidth,
  ligatures, math alphanumerics, long words and texts, special tokens in text, ...) with ids and
  offsets (UTF-16 units, as JavaScript indexes strings), with and without truncation, plus one
  padded batch.
- fuzz.json.gz: 3,000 seeded random strings mixing all of the above, and 1,000 dense in
  combining marks, with ids and offsets.
- code-points.jsonl.gz: every code point (surrogates excepted) as its own word, 256 per line.
- trained-vocab-sst2.json.gz: WordPiece vocabularies trained on the SST-2 sentences (3,000 and
  12,000 tokens). `tokenizers` breaks ties between equally frequent pairs by hash order, so each
  size is trained 3 times: `core` holds the tokens every run learned, `extra` those only some did,
  `prefix` the leading tokens every run put in the same order (special tokens, alphabet).

Setup and run (from the repository root):
  python3 -m venv .venv/tokenizer && .venv/tokenizer/bin/pip install tokenizers
  .venv/tokenizer/bin/python tools/tokenizer/make-goldens.py
Env: VOCAB_FILE (default ../shared/models/bert-base-uncased/vocab.txt) and SST2_DIR (default
../shared/datasets/sst2), relative to the repository root.
"""

import gzip
import hashlib
import json
import os
import pathlib
import random
import sys

import tokenizers
from tokenizers import BertWordPieceTokenizer

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "libs/tokenizer/testdata"
VOCAB_FILE = ROOT / os.environ.get("VOCAB_FILE", "../shared/models/bert-base-uncased/vocab.txt")
SST2_TRAIN = ROOT / os.environ.get("SST2_DIR", "../shared/datasets/sst2") / "train.tsv"

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from hard_cases import fuzz_strings, hard_cases, mark_fuzz_strings  # noqa: E402


def new_tokenizer(max_length=None):
    tokenizer = BertWordPieceTokenizer(str(VOCAB_FILE), lowercase=True)
    if max_length is not None:
        tokenizer.enable_truncation(max_length=max_length)
    return tokenizer


def utf16_offsets(text, offsets):
    """Code-point offsets (Python) to UTF-16 unit offsets (JavaScript string indexes)."""
    units = [0]
    for char in text:
        units.append(units[-1] + (2 if ord(char) > 0xFFFF else 1))
    return [[units[start], units[end]] for start, end in offsets]


def encode_case(tokenizer, text):
    encoding = tokenizer.encode(text)
    return {"ids": encoding.ids, "offsets": utf16_offsets(text, encoding.offsets)}


def header(**fields):
    return {"generator": "tools/tokenizer/make-goldens.py", "tokenizers": tokenizers.__version__,
            "vocabSha256": hashlib.sha256(VOCAB_FILE.read_bytes()).hexdigest(), **fields}


def read_sst2():
    raw = SST2_TRAIN.read_bytes()
    lines = raw.decode("utf-8").split("\n")
    assert lines[0] == "sentence\tlabel", lines[0]
    return raw, [line.rsplit("\t", 1)[0] for line in lines[1:] if line]


def write_sst2():
    raw, sentences = read_sst2()
    encodings = new_tokenizer().encode_batch(sentences)
    path = OUT / "sst2-train-ids.jsonl.gz"
    with gzip.GzipFile(path, "wb", mtime=0) as out:
        head = header(source="SST-2 train.tsv", sourceSha256=hashlib.sha256(raw).hexdigest(), sentences=len(sentences))
        out.write((json.dumps(head) + "\n").encode())
        for encoding in encodings:
            out.write((json.dumps(encoding.ids, separators=(",", ":")) + "\n").encode())
    print(f"{path.name}: {len(sentences)} sentences, {path.stat().st_size} bytes")


def write_hard_cases():
    cases = []
    for name, text, max_length in hard_cases():
        tokenizer = new_tokenizer(max_length)
        cases.append({"name": name, "text": text, "maxLength": max_length, **encode_case(tokenizer, text)})
    batch_texts = ["A short one.", "", "A somewhat longer sentence, with punctuation!", "naïve café"]
    tokenizer = new_tokenizer()
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    batch = [{"ids": e.ids, "attentionMask": e.attention_mask} for e in tokenizer.encode_batch(batch_texts)]
    path = OUT / "hard-cases.json"
    head = json.dumps(header(), ensure_ascii=True)[1:-1]
    lines = ",\n".join(json.dumps(case, ensure_ascii=True, separators=(",", ":")) for case in cases)
    batch_json = json.dumps({"texts": batch_texts, "rows": batch}, ensure_ascii=True, separators=(",", ":"))
    # One case per line, so a diff of the goldens shows which case changed.
    path.write_text(f'{{{head},\n"cases": [\n{lines}\n],\n"batch": {batch_json}}}\n')
    print(f"{path.name}: {len(cases)} cases, {path.stat().st_size} bytes")


def write_fuzz():
    vocab = [line.rstrip("\n") for line in VOCAB_FILE.open(encoding="utf-8")]
    rng = random.Random(20240603)
    texts = fuzz_strings(rng, vocab, 3000) + mark_fuzz_strings(rng, 1000)
    tokenizer = new_tokenizer()
    cases = [{"text": text, **encode_case(tokenizer, text)} for text in texts]
    path = OUT / "fuzz.json.gz"
    with gzip.GzipFile(path, "wb", mtime=0) as out:
        out.write(json.dumps({**header(seed=20240603), "cases": cases}, ensure_ascii=True).encode())
    print(f"{path.name}: {len(cases)} strings, {path.stat().st_size} bytes")


def train_vocab(sentences, size):
    tokenizer = BertWordPieceTokenizer(lowercase=True)
    tokenizer.train_from_iterator(sentences, vocab_size=size, min_frequency=2, limit_alphabet=1000, show_progress=False)
    vocab = tokenizer.get_vocab()
    return sorted(vocab, key=vocab.get)


def write_trained_vocabs(sentences):
    trained = []
    for size in (3000, 12000):
        runs = [train_vocab(sentences, size) for _ in range(3)]
        core = [token for token in runs[0] if all(token in set(run) for run in runs)]
        union = {token for run in runs for token in run}
        prefix = []
        for tokens in zip(*runs):
            if len(set(tokens)) > 1:
                break
            prefix.append(tokens[0])
        trained.append({"vocabSize": size, "minFrequency": 2, "limitAlphabet": 1000, "size": len(runs[0]),
                        "prefix": prefix, "core": core, "extra": sorted(union - set(core))})
    path = OUT / "trained-vocab-sst2.json.gz"
    with gzip.GzipFile(path, "wb", mtime=0) as out:
        out.write(json.dumps({**header(source="SST-2 train.tsv"), "vocabularies": trained}, ensure_ascii=True).encode())
    print(f"{path.name}: " + ", ".join(f"{t['size']} tokens ({len(t['extra'])} vary)" for t in trained)
          + f", {path.stat().st_size} bytes")


def write_code_points():
    tokenizer = new_tokenizer()
    code_points = [cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF]
    path = OUT / "code-points.jsonl.gz"
    with gzip.GzipFile(path, "wb", mtime=0) as out:
        out.write((json.dumps(header(perLine=256)) + "\n").encode())
        for first in range(0, len(code_points), 256):
            chunk = code_points[first:first + 256]
            ids = tokenizer.encode(" ".join(chr(cp) for cp in chunk)).ids
            out.write((json.dumps([chunk[0], chunk[-1], ids], separators=(",", ":")) + "\n").encode())
    print(f"{path.name}: {len(code_points)} code points, {path.stat().st_size} bytes")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    write_hard_cases()
    write_fuzz()
    write_code_points()
    write_sst2()
    write_trained_vocabs(read_sst2()[1])
