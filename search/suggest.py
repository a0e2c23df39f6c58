"""Query suggestions taken from the subjects of documents the caller may see.

Suggestions never come from the term dictionary (it can hold words of deleted documents
until segments merge); they are read from stored subjects of live, visible hits only.
"""

from __future__ import annotations

from collections import Counter

from whoosh import query as wq
from whoosh.searching import Searcher

from search.analysis import fold, tokens


def suggestions(s: Searcher, prefix: str, allowed: set[int], limit: int = 8) -> list[str]:
    """Up to ``limit`` completions of ``prefix`` (the last word completed plus one word)."""
    words = tokens(prefix)
    if not words or not allowed:
        return []
    before = [fold(w) for w in words[:-1]]
    last = fold(words[-1])
    parts: list[wq.Query] = [wq.Term("subj_f", w) for w in before]
    parts.append(wq.Prefix("subj_f", last))
    res = s.search(wq.And(parts), filter=allowed, limit=50)
    counts: Counter[str] = Counter()
    n = len(before)
    for hit in res:
        toks = tokens(hit.get("subject", ""))
        folded = [fold(t) for t in toks]
        for i, f in enumerate(folded):
            if i >= n and f.startswith(last) and folded[i - n:i] == before:
                counts[" ".join(toks[i - n:i + 2])] += 1
    return [text for text, _ in counts.most_common(limit)]
