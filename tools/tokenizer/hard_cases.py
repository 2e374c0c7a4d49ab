"""The hand-made hard inputs and the fuzz alphabet for make-goldens.py."""

LONG_REVIEW = (
    "This film, which I had been looking forward to for months, turned out to be a "
    "disappointment: the plot meanders, the dialogue is wooden, and the ending (no spoilers) "
    "feels unearned. Still, the cinematography is gorgeous and the score by Jóhannsson is "
    "haunting. 3/10 -- would not recommend, unless you're a completist! "
)


def hard_cases():
    """(name, text, max_length or None for no truncation)."""
    cases = [
        ("empty text", "", None),
        ("only spaces", "   \t\n  ", None),
        ("plain review", "It's a charming and often affecting journey.", None),
        ("uppercase and digits", "THE BEST MOVIE OF 2024, RATED 9.5/10!!!", None),
        ("accents", "Café naïve résumé Ångström Øre façade Zoë São Paulo Dvořák", None),
        ("accents decomposed", "Cafe\u0301 nai\u0308ve re\u0301sume\u0301", None),
        ("stacked combining marks", "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324a\u0300\u0301\u0302lgo", None),
        ("greek final sigma", "ΟΔΟΣ Σίσυφος ΣΟΦΙΑ", None),
        ("turkish dotted i", "İstanbul ISTANBUL ıi", None),
        ("german sharp s", "Straße STRASSE ẞ", None),
        ("cyrillic", "Привет, МИР! Ёлка", None),
        ("arabic and hebrew", "مرحبا بالعالم שָׁלוֹם עולם", None),
        ("devanagari and thai", "नमस्ते दुनिया สวัสดีครับ", None),
        ("cjk", "我喜欢这部电影。日本語のテキスト、カタカナ", None),
        ("cjk mixed with latin", "abc中文def 漢字123", None),
        ("cjk compatibility ideographs", "\uf900\uf901\ufa0e \U0002f800\U0002f801", None),
        ("cjk extension b", "\U00020000\U00020001\U0002a6d6 \U0002b740", None),
        ("hangul", "한국어 텍스트 안녕하세요", None),
        ("hangul jamo", "\u1100\u1161\u11a8 \u3131\u314f", None),
        ("emoji", "I loved it 😍😍 👍🏽 🇫🇷 👨‍👩‍👧 ❤️ 🥺🫠", None),
        ("emoji inside words", "good😀bad great❤️movie", None),
        ("control characters", "a\x00b\x01c\x07d\x1be\x7ff\x85g\x9fh", None),
        ("tabs and newlines", "line one\nline two\r\nline\tthree\x0bfour\x0cfive", None),
        ("zero-width characters", "zero\u200bwidth\u200cjoin\u200dnon\u2060word\ufeffbom", None),
        ("soft hyphen and format", "soft\u00adhyphen bi\u200edi\u200fmarks\u202atext\u202c", None),
        ("replacement character", "bad\ufffdbytes \ufffd", None),
        ("unicode whitespace", "a\u00a0b\u1680c\u2000d\u2003e\u2009f\u200ag\u2028h\u2029i\u202fj\u205fk\u3000l", None),
        ("fullwidth forms", "Ｈｅｌｌｏ，　Ｗｏｒｌｄ！ １２３ ＡＢＣ", None),
        ("halfwidth katakana", "ｶﾀｶﾅ ﾃｽﾄ", None),
        ("ligatures", "ﬁne ﬂow ﬀ ﬃ ﬄ ﬅ ﬆ Ĳ ĳ Œuvre", None),
        ("math alphanumerics", "𝐇𝐞𝐥𝐥𝐨 𝕎𝕠𝕣𝕝𝕕 𝒜𝒷𝒸 𝟙𝟚𝟛", None),
        ("superscripts and fractions", "x² H₂O ½ ¾ ⅓ ™ ℃ № ℡", None),
        ("unicode punctuation", "“Quoted” ‘single’ — dash – en ‐ hyphen … ellipsis ¿qué? ¡sí! «guillemets» ‼", None),
        ("ascii symbols", "a+b=c; x<y>z | 100% $5 #tag @user ^caret ~tilde `tick` \\back {}[]()", None),
        ("non-ascii symbols", "5€ £3 ¥ © ® ° ± × ÷ § ¶ • ← → ∞ ≈ ≠", None),
        ("url and email", "Visit https://example.com/path?q=1&x=y or mail me@example.org", None),
        ("html", "<b>Bold</b> &amp; <i>italic</i> <br/>", None),
        ("special tokens in text", "first [SEP] second [CLS] third [MASK] [PAD] [UNK]", None),
        ("special tokens glued", "a[SEP]b[[SEP]]c[SEP][SEP]d", None),
        ("special tokens lowercase", "[sep] [cls] [Mask]", None),
        ("unused tokens in text", "[unused0] [unused99]", None),
        ("continuation prefix in text", "##ing ## #", None),
        ("variation selectors and tags", "a\ufe0fb\ufe0e \U000e0061\U000e0062 \U0001f3f4\U000e0067\U000e0062\U000e007f", None),
        ("private use and unassigned", "\ue000\uf8ff \U000f0000 \u0378\u0379 \U000e0000 \uffff\ufffe", None),
        ("reorder-sensitive marks", "\U0001d16d\U0001d165 a\U0001d16d\u0301\U0001d165b \u302f\u302e \U0001d15f\U0001d16e", None),
        ("marks after space", " \u0301\u0301 a \u0308", None),
        ("word of 100 characters", "a" * 100, None),
        ("word of 101 characters", "a" * 101, None),
        ("word of 101 accented characters", "é" * 101, None),
        ("word of 60 decomposed accents", "e\u0301" * 60, None),
        ("word of 100 astral characters", "𝐚" * 100, None),
        ("word of 101 astral characters", "😀" * 101, None),
        ("very long word with punctuation", ("x" * 150) + "." + ("y" * 30), None),
        ("numbers", "3.14159 1,000,000 0x1F 1e-9 -42", None),
        ("repeated punctuation", "!!!???...,,,;;;", None),
        ("very long text untruncated", LONG_REVIEW * 40, None),
        ("very long text truncated to 512", LONG_REVIEW * 40, 512),
        ("very long text truncated to 128", LONG_REVIEW * 40, 128),
        ("very long text truncated to 2", LONG_REVIEW, 2),
        ("truncation at a special token", "[SEP] " * 20, 8),
        ("truncation inside a split word", "unaffable " * 10, 6),
    ]
    return cases


# Building blocks for fuzz strings: each draw picks a pool, then one item from it.
FUZZ_POOLS = [
    [chr(c) for c in range(0x20, 0x7F)],
    list(" \t\n\r"),
    [chr(c) for c in range(0x00, 0x20)] + [chr(c) for c in range(0x7F, 0xA0)],
    [chr(c) for c in range(0xA0, 0x250)],
    [chr(c) for c in range(0x300, 0x370)],
    [chr(c) for c in range(0x370, 0x530)],
    [chr(c) for c in range(0x590, 0x700)] + [chr(c) for c in range(0x900, 0x980)] + [chr(c) for c in range(0xE00, 0xE80)],
    [chr(c) for c in range(0x1E00, 0x2000)],
    [chr(c) for c in range(0x2000, 0x2070)] + ["\u3000", "\ufeff", "\ufffd", "\u00ad"],
    [chr(c) for c in range(0x2070, 0x2C00)],
    [chr(c) for c in range(0x3000, 0x3100)] + [chr(c) for c in range(0x4E00, 0x4E80)] + [chr(c) for c in range(0xF900, 0xF980)],
    [chr(c) for c in range(0xAC00, 0xAD00)] + [chr(c) for c in range(0x1100, 0x1200)],
    [chr(c) for c in range(0xFB00, 0xFB50)] + [chr(c) for c in range(0xFE00, 0xFE10)] + [chr(c) for c in range(0xFF00, 0xFFF0)],
    [chr(c) for c in range(0x1D400, 0x1D800)] + [chr(c) for c in range(0x1D150, 0x1D1C0)],
    [chr(c) for c in range(0x1F300, 0x1F700)] + [chr(c) for c in range(0x1F900, 0x1FB00)] + ["\u200d", "\ufe0f", "\U0001f3fd"],
    ["\ue000", "\U000f0000", "\u0378", "\U000e0001", "\U000e0061", "\U00020000", "\U0002f800", "\u302e", "\u302f"],
    ["[SEP]", "[CLS]", "[MASK]", "[PAD]", "[UNK]", "[sep]", "##", "[unused1]"],
]


def fuzz_strings(rng, vocab, count):
    """Seeded random strings: vocabulary words (some uppercased or accented) among random characters."""
    words = [token for token in vocab if token.isalpha() and not token.startswith("[")]
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(0, 40)):
            roll = rng.random()
            if roll < 0.35:
                word = rng.choice(words)
                parts.append(word.upper() if rng.random() < 0.2 else word)
            elif roll < 0.5:
                parts.append(" ")
            else:
                parts.append(rng.choice(rng.choice(FUZZ_POOLS)))
        texts.append("".join(parts))
    return texts


def mark_fuzz_strings(rng, count):
    """Seeded random strings dense in combining marks, to exercise NFD's reordering and offsets."""
    import unicodedata

    marks = [chr(cp) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF and unicodedata.combining(chr(cp))]
    kept_marks = ["\u302e", "\u302f", "\U0001d165", "\U0001d166", "\U0001d16d", "\U0001d16e", "\u0898", "\u08ca", "\U0001e944"]
    bases = list("abcXYZ ") + ["é", "ǘ", "Ḗ", "한", "\U0001d15f", "\U0001d160", "\u200b", "\u00ad", "[SEP]", ".", "中"]
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 16)):
            roll = rng.random()
            parts.append(rng.choice(marks) if roll < 0.45 else rng.choice(kept_marks) if roll < 0.7 else rng.choice(bases))
        texts.append("".join(parts))
    return texts
