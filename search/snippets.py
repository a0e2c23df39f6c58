"""HTML snippets: the best window of a text, HTML-escaped, matches wrapped in ``<mark>``."""

from __future__ import annotations

import re
from html import escape

from search.analysis import _FOLD, WORD_RE, fold, nfc


def _matches(word: str, words: set[str], prefixes: list[str]) -> bool:
    folded = fold(word.lower())
    return folded in words or any(folded.startswith(p) for p in prefixes)


def _spans(text: str, words: set[str], prefixes: list[str]) -> list[tuple[int, int]]:
    """Character spans of the words of ``text`` that match (accent-insensitively)."""
    folded = text.lower().translate(_FOLD)
    alts = [re.escape(w) for w in sorted(words, key=len, reverse=True) if w]
    alts += [re.escape(p) + r"\w*" for p in prefixes if p]
    if len(folded) == len(text):
        # One regex over the folded text (same length, so spans map onto ``text``).
        if not alts:
            return []
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)")
        return [(m.start(), m.end()) for m in pattern.finditer(folded)]
    return [(m.start(), m.end()) for m in WORD_RE.finditer(text)
            if _matches(m.group(), words, prefixes)]


def snippet_html(
    text: str, words: set[str], prefixes: list[str] | None = None, width: int = 240
) -> str:
    """Return about ``width`` characters of ``text`` around the densest run of matches.

    ``words`` and ``prefixes`` are folded forms; matching is accent-insensitive, so a query
    ``duong`` marks ``đường``. Everything outside ``<mark>`` is HTML-escaped.
    """
    text = nfc(text or "")
    prefixes = prefixes or []
    spans = _spans(text, words, prefixes)
    if not spans:
        cut = text[:width]
        return escape(cut) + ("…" if len(text) > width else "")
    # Pick the window start (at a match) that covers the most matches.
    best_i, best_n, j = 0, 0, 0
    for i, (start, _) in enumerate(spans):
        j = max(j, i)
        while j + 1 < len(spans) and spans[j + 1][1] - start <= width:
            j += 1
        if j - i + 1 > best_n:
            best_i, best_n = i, j - i + 1
    first = spans[best_i][0]
    lo = max(0, first - width // 4)
    space = text.rfind(" ", 0, lo + 1)
    if lo > 0 and space > 0 and lo - space < 20:
        lo = space + 1
    hi = min(len(text), lo + width)
    out = ["…" if lo > 0 else ""]
    pos = lo
    for start, end in spans:
        if start < lo or end > hi:
            continue
        out.append(escape(text[pos:start]))
        out.append("<mark>" + escape(text[start:end]) + "</mark>")
        pos = end
    out.append(escape(text[pos:hi]))
    if hi < len(text):
        out.append("…")
    return "".join(out)
