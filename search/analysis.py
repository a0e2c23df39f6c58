"""Vietnamese text analysis: NFC normalisation, syllable tokenizer, accent folding.

Every syllable is kept (no stop words, no minimum length: ``ý``, ``an``, ``to`` matter).
Two forms of each token exist side by side: *exact* (lowercased, with diacritics) and
*folded* (lowercased, diacritics removed, ``đ`` → ``d``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from whoosh.analysis import Token, Tokenizer

WORD_RE = re.compile(r"\w+", re.UNICODE)


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    ranges = [(0x00C0, 0x024F), (0x1E00, 0x1EFF)]
    for lo, hi in ranges:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            nfd = unicodedata.normalize("NFD", ch)
            base = "".join(c for c in nfd if not unicodedata.combining(c))
            if base and base != ch and len(base) == 1:
                table[cp] = base
    table[ord("đ")] = "d"
    table[ord("Đ")] = "D"
    table[ord("ð")] = "d"
    return table


_FOLD = _build_fold_table()


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC (NFD input misplaces tone marks otherwise)."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Remove Vietnamese diacritics (``đ`` → ``d``); the input should already be NFC."""
    folded = text.translate(_FOLD)
    if folded.isascii():
        return folded
    # Rare letters outside the precomputed table: strip combining marks generically.
    return "".join(
        c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c)
    )


def tokens(text: str) -> list[str]:
    """Lowercased NFC syllables of ``text`` (exact form)."""
    return [m.group().lower() for m in WORD_RE.finditer(nfc(text))]


def has_diacritics(word: str) -> bool:
    """True when folding changes ``word`` (it was typed with Vietnamese accents)."""
    return fold(word) != word


class VietTokenizer(Tokenizer):
    """Whoosh tokenizer: NFC, ``\\w+`` syllables, lowercase, optional accent folding.

    One pass, one reused :class:`Token` (no filter chain), because indexing speed matters.
    """

    def __init__(self, folded: bool = False, bigrams: bool = False) -> None:
        self.folded = folded
        self.bigrams = bigrams

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, VietTokenizer) and other.folded == self.folded
                and other.bigrams == getattr(self, "bigrams", False))

    def __hash__(self) -> int:
        return hash(("VietTokenizer", self.folded, getattr(self, "bigrams", False)))

    def __call__(  # noqa: PLR0913
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        if getattr(self, "bigrams", False):
            t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
            for i, text in enumerate(bigrams(value)):
                t.text, t.boost, t.stopped = text, 1.0, False
                if positions:
                    t.pos = start_pos + i
                yield t
            return
        value = nfc(value)
        low = value.lower()
        if len(low) != len(value):  # pragma: no cover - exotic case mappings
            low = value
            lower_each = True
        else:
            lower_each = False
        if self.folded:
            low = low.translate(_FOLD)
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = fold(low) if self.folded else low
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return
        pos = start_pos
        for m in WORD_RE.finditer(low):
            text = m.group()
            if lower_each:  # pragma: no cover
                text = text.lower()
            if self.folded and not text.isascii():
                text = fold(text)
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = pos
                pos += 1
            if chars:
                t.startchar = start_char + m.start()
                t.endchar = start_char + m.end()
            yield t


def folded_tokens(text: str) -> list[str]:
    """Lowercased, accent-folded NFC syllables of ``text`` (what folded fields index)."""
    low = nfc(text).lower().translate(_FOLD)
    if not low.isascii():
        return [t if t.isascii() else fold(t) for t in WORD_RE.findall(low)]
    return WORD_RE.findall(low)


def bigrams(text: str) -> list[str]:
    """Folded word pairs ``"a b"`` of ``text``: phrases match as chains of pairs."""
    toks = folded_tokens(text)
    return [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]


def bigram_analyzer() -> VietTokenizer:
    """Analyzer for the word-pair field (phrase search without positions)."""
    return VietTokenizer(folded=True, bigrams=True)


def exact_analyzer() -> VietTokenizer:
    """Analyzer for exact fields (lowercase, diacritics kept)."""
    return VietTokenizer(folded=False)


def folded_analyzer() -> VietTokenizer:
    """Analyzer for folded fields (lowercase, diacritics removed, đ → d)."""
    return VietTokenizer(folded=True)


@dataclass(frozen=True)
class ParsedQuery:
    """A user query split into parts; every word is lowercased NFC (exact form)."""

    terms: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.terms or self.phrases or self.prefixes)

    def folded_words(self) -> set[str]:
        """Folded forms of all words (for highlighting)."""
        words = {fold(t) for t in self.terms}
        for ph in self.phrases:
            words.update(fold(w) for w in ph)
        return words

    def folded_prefixes(self) -> list[str]:
        return [fold(p) for p in self.prefixes]


_PHRASE_RE = re.compile(r'"([^"]*)"?')
_PART_RE = re.compile(r"(\w+)(\*?)", re.UNICODE)


def parse_query(text: str) -> ParsedQuery:
    """Parse ``text``: ``"..."`` is a phrase, ``word*`` a prefix, other words are terms.

    Every remaining word is required (AND). Punctuation is ignored, so ``82/KH-UBND`` becomes
    three words. NFD input is normalised to NFC first.
    """
    text = nfc(text or "")
    phrases: list[list[str]] = []
    terms: list[str] = []
    prefixes: list[str] = []

    def take_phrase(m: re.Match[str]) -> str:
        words = tokens(m.group(1))
        if len(words) > 1:
            phrases.append(words)
        elif words:
            terms.append(words[0])
        return " "

    rest = _PHRASE_RE.sub(take_phrase, text)
    for m in _PART_RE.finditer(rest):
        word = m.group(1).lower()
        (prefixes if m.group(2) else terms).append(word)
    # Keep order, drop duplicates.
    return ParsedQuery(
        terms=list(dict.fromkeys(terms)),
        phrases=phrases,
        prefixes=list(dict.fromkeys(prefixes)),
    )
