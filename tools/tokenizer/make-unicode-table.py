"""Writes libs/tokenizer/src/unicode-table.ts: what Hugging Face `tokenizers` does to every code point.

The BERT normalizer and pre-tokenizer decide per character (clean text, CJK spacing, NFD, strip
marks, lowercase; split on whitespace and punctuation), with the Unicode tables compiled into the
Rust crate. Instead of re-deriving those tables from another Unicode version, this script asks the
real `tokenizers` package about each code point and records the answer:

- kind: identity (kept as is), removed (by the cleaning step, before NFD), stripped (a
  nonspacing mark, dropped after NFD), isolated (a CJK ideograph: spaces around it), Hangul
  syllable (algorithmic NFD), or mapped (the replacement string is stored);
- split: word character, whitespace or punctuation, as BertPreTokenizer sees the character;
- reorder: the output keeps a non-starter (canonical combining class > 0). NFD may move it past
  neighbouring marks, which changes offsets (and ids when two such characters meet), so a word
  holding one takes the exact slow path.

Each code point gets one byte: kind | split << 3 | reorder << 5, stored run-length encoded.
The canonical combining classes the slow path sorts by are those of the crate: Python's
unicodedata values, each confirmed by watching the crate's NFD reorder the character.

Run: .venv/tokenizer/bin/python tools/tokenizer/make-unicode-table.py
"""

import json
import pathlib
import unicodedata

import tokenizers
from tokenizers import NormalizedString
from tokenizers.normalizers import BertNormalizer
from tokenizers.pre_tokenizers import BertPreTokenizer

OUT = pathlib.Path(__file__).resolve().parents[2] / "libs/tokenizer/src/unicode-table.ts"

# Must match the constants in libs/tokenizer/src/unicode-classes.ts.
KIND = {"identity": 0, "removed": 1, "isolated": 2, "hangul": 3, "mapped": 4, "stripped": 5}
SPLIT = {"word": 0, "space": 1, "punct": 2}
HANGUL_FIRST, HANGUL_LAST = 0xAC00, 0xD7A3
GRAVE, GRAVE_BELOW = "\u0301", "\u0316"  # combining classes 230 and 220


def hangul_nfd(cp: int) -> str:
    index = cp - HANGUL_FIRST
    lead, vowel, tail = 0x1100 + index // 588, 0x1161 + (index % 588) // 28, 0x11A7 + index % 28
    return chr(lead) + chr(vowel) + (chr(tail) if tail != 0x11A7 else "")


def crate_nfd(text: str) -> str:
    normalized = NormalizedString(text)
    normalized.nfd()
    return normalized.normalized


def crate_combining_class(char: str) -> int:
    """Python's combining class if the crate's NFD reorders the character accordingly, else 0."""
    ccc = unicodedata.combining(char)
    if ccc == 0:
        return 0
    # A mark of a lower class placed after it must move in front of it, and vice versa.
    probe, expected = (char + GRAVE_BELOW, GRAVE_BELOW + char) if ccc > 220 else (GRAVE + char, char + GRAVE)
    return ccc if crate_nfd(probe) == expected else 0


def classify(normalizer, cleaner, pre_tokenizer, cp):
    char = chr(cp)
    out = normalizer.normalize_str(char)
    if out == char:
        kind = "identity"
    elif out == "":
        kind = "removed" if cleaner.normalize_str(char) == "" else "stripped"
    elif out == f" {char} ":
        kind = "isolated"
    elif HANGUL_FIRST <= cp <= HANGUL_LAST:
        assert out == hangul_nfd(cp), hex(cp)
        kind = "hangul"
    else:
        kind = "mapped"
    pieces = len(pre_tokenizer.pre_tokenize_str(f"a{char}a"))
    split = {1: "word", 2: "space", 3: "punct"}[pieces]
    return kind, split, out


def encode_runs(codes):
    """Run-length code: `<run length hex>.<code hex>` joined by ','."""
    runs, start = [], 0
    for cp in range(1, len(codes) + 1):
        if cp == len(codes) or codes[cp] != codes[start]:
            runs.append(f"{cp - start:x}.{codes[start]:x}")
            start = cp
    return ",".join(runs)


def main():
    normalizer = BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True)
    cleaner = BertNormalizer(clean_text=True, handle_chinese_chars=False, strip_accents=False, lowercase=False)
    pre_tokenizer = BertPreTokenizer()
    combining = {cp: crate_combining_class(chr(cp)) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF}
    codes, mapped, reorder = [], {}, 0
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            # Lone surrogates cannot reach the Rust code; JS strings can hold them. We treat
            # them as U+FFFD would be treated (a UTF-8 decoder's replacement): removed.
            codes.append(KIND["removed"] | SPLIT["word"] << 3)
            continue
        kind, split, out = classify(normalizer, cleaner, pre_tokenizer, cp)
        sensitive = kind not in ("removed", "stripped") and any(combining[ord(c)] for c in out)
        codes.append(KIND[kind] | SPLIT[split] << 3 | int(sensitive) << 5)
        reorder += sensitive
        if kind == "mapped":
            mapped[cp] = out
    mapped_text = "".join(f"{cp:x}:{json.dumps(out, ensure_ascii=True)[1:-1]}\\u0000" for cp, out in mapped.items())
    classes = [(cp, ccc) for cp, ccc in combining.items() if ccc]
    ccc_text = ",".join(f"{cp:x}.{ccc:x}" for cp, ccc in classes)
    lines = [
        f"// Generated by tools/tokenizer/make-unicode-table.py from tokenizers {tokenizers.__version__}. Do not edit.",
        "// Decoded by unicode-classes.ts; the format is described in the script.",
        "",
        f"export const CLASS_RUNS = '{encode_runs(codes)}';",
        "",
        f"export const MAPPED = '{mapped_text}';",
        "",
        "/** `<code point hex>.<canonical combining class hex>` for every non-starter. */",
        f"export const COMBINING_CLASSES = '{ccc_text}';",
        "",
    ]
    OUT.write_text("\n".join(lines), encoding="utf-8")
    unknown = sum(1 for cp, ccc in combining.items() if unicodedata.combining(chr(cp)) and not ccc)
    print(f"wrote {OUT}: {len(mapped)} mapped, {reorder} reorder-sensitive, {len(classes)} non-starters "
          f"({unknown} that Python knows the crate does not), {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
