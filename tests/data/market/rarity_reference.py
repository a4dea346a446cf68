#!/usr/bin/env python3
"""Reference scores for tests/market/rarity_test.cc, written from OpenRarity's documented
method (src/market/rarity.h) independently of the C++ code: plain Python floats and
math.log2, attributes summed in sorted trait-name order as open_rarity/scoring/utils.py does.

    python3 tests/data/market/rarity_reference.py

prints one line per collection: the scores in token order. Python 3 standard library only.
"""
import math

META = "meta_trait:trait_count"


def scores(tokens, unscored=()):
    toks = []
    for t in tokens:
        d = {}
        for k, v in t.items():
            k, v = k.strip().lower(), v.strip().lower()
            if k == META or v in ("", "none"):
                continue
            d[k] = v
        count = len(d)
        d = {k: v for k, v in d.items() if k not in unscored}
        d[META] = str(count)
        toks.append(d)
    n = len(toks)
    freq = {}
    for t in toks:
        for k, v in t.items():
            freq.setdefault(k, {}).setdefault(v, 0)
            freq[k][v] += 1
    nulls = {k: n - sum(v.values()) for k, v in freq.items()}
    probs = []
    for k, vals in freq.items():
        probs += [c / n for c in vals.values()]
        if nulls[k] > 0:
            probs.append(nulls[k] / n)
    h = -sum(p * math.log2(p) for p in probs)
    out = []
    for t in toks:
        ic = -sum(math.log2((freq[k][t[k]] if k in t else nulls[k]) / n) for k in sorted(freq))
        out.append(ic / (h or 1))
    return h, out


NULL_VALUE = [  # tests/scoring/test_scoring_handlers.py, test_information_content_null_value_attribute
    {"bottom": "spec", "hat": "spec", "special": "true"},
    {"bottom": "1", "hat": "1", "special": "true"},
    {"bottom": "1", "hat": "1"},
    {"bottom": "2", "hat": "2"},
    {"bottom": "2", "hat": "2"},
    {"bottom": "3", "hat": "2"},
]
TRAIT_COUNT = [  # tests/models/test_collection.py, test_init_no_trait_count ("integer" is numeric)
    {"hat": "cap", "bottom": "jeans", "something another": "special"},
    {"hat": "cap", "something another": "not special"},
    {"hat": "bucket hat", "new": "very special", "integer trait": "1", "four": "four value"},
    {"hat": "bucket hat", "new": "very special", "integer trait": "1", "four": "four value"},
]
if __name__ == "__main__":
    for name, toks, unscored in [("null_value", NULL_VALUE, ()),
                                 ("trait_count", TRAIT_COUNT, ("integer trait",))]:
        h, s = scores(toks, unscored)
        print(name, repr(h), [repr(x) for x in s])
