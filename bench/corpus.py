"""Synthetic Vietnamese administrative corpus and query mix for bench/search.py.

Content is assembled from clauses of the real articles in ``shared/seeds`` (so common
administrative words keep their natural frequencies) plus a long tail of proper names
(places, people, projects) drawn with Zipf-like weights, which gives rare terms.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

from search import IndexedDocument
from search.analysis import fold, nfc, tokens

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
if not SEEDS.is_dir():
    SEEDS = Path("/work/shared/seeds")

TYPES = [("KH", "Kế hoạch"), ("QĐ", "Quyết định"), ("TB", "Thông báo"), ("BC", "Báo cáo"),
         ("", "Công văn"), ("TTr", "Tờ trình"), ("GM", "Giấy mời"), ("HD", "Hướng dẫn"),
         ("CT", "Chỉ thị"), ("ĐA", "Đề án")]
TYPE_WEIGHTS = [14, 14, 10, 10, 30, 6, 8, 4, 2, 2]
AGENCIES = ["UBND", "SNV", "STTTT", "STC", "SGDĐT", "SYT", "SVHTTDL", "VP"]
ISSUERS = ["UBND tỉnh Vĩnh Phúc", "UBND thành phố Vĩnh Yên", "Sở Nội vụ",
           "Sở Thông tin và Truyền thông", "Sở Tài chính", "Sở Giáo dục và Đào tạo",
           "Sở Y tế", "Văn phòng UBND tỉnh", "Bộ Nội vụ", "Ban chỉ đạo chuyển đổi số"]
DEPTS = ["VP", "VHTT", "TC", "NV", "GD", "YT", "TNMT", "KT", "LD", "TP"]
SIGNERS = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Đức Cường", "Phạm Thu Dung", "Hoàng Minh Đức",
           "Vũ Thị Hà", "Đặng Quốc Hùng", "Bùi Thanh Lan"]
URGENCIES = ["thuong"] * 20 + ["khan"] * 3 + ["thuong_khan", "hoa_toc"]


def _clauses() -> list[str]:
    text = "\n".join(nfc(p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt")))
    parts = [c.strip() for c in re.split(r"[.;:|\n]+", text)]
    return [c for c in parts if len(c.split()) >= 4]


class Corpus:
    """Deterministic generator (``seed``) of documents and queries."""

    def __init__(self, seed: int = 4) -> None:
        self.rng = random.Random(seed)
        self.clauses = _clauses()
        syll = Counter(t for c in self.clauses for t in tokens(c) if t.isalpha())
        self.common = [w for w, _ in syll.most_common(300)]
        letters = sorted(syll)
        # Long tail: ~40k two-syllable proper names (Xã Tân Phong, Dự án Hồng Lạc ...).
        rng = random.Random(seed + 1)
        names = set()
        while len(names) < 40000:
            names.add(f"{rng.choice(letters).capitalize()} {rng.choice(letters).capitalize()}")
        self.names = sorted(names)
        rng.shuffle(self.names)
        self.name_cum = list(accumulate(1.0 / (i + 1) ** 1.05 for i in range(len(self.names))))
        self.rng.shuffle(self.clauses)
        self.clause_cum = list(accumulate(1.0 / (i + 1) ** 0.6 for i in range(len(self.clauses))))

    def _name(self, k: int = 1) -> list[str]:
        return self.rng.choices(self.names, cum_weights=self.name_cum, k=k)

    def _text(self, n_clauses: int) -> str:
        picked = self.rng.choices(self.clauses, cum_weights=self.clause_cum, k=n_clauses)
        out = []
        for c in picked:
            if self.rng.random() < 0.35:
                c = f"{c} tại {self._name()[0]}"
            out.append(c)
        return ". ".join(out) + "."

    def documents(self, n: int) -> Iterator[IndexedDocument]:
        rng = self.rng
        start = date(2022, 1, 1)
        for i in range(n):
            tcode, tname = rng.choices(TYPES, weights=TYPE_WEIGHTS)[0]
            agency = rng.choice(AGENCIES)
            issued = start + timedelta(days=rng.randrange(0, 4 * 365))
            code = f"{rng.randint(1, 999):02d}/{tcode + '-' if tcode else ''}{agency}"
            subject = f"{tname} {self._text(1)[:-1].lower()} {self._name()[0]}"
            r = rng.random()
            if r < 0.6:
                vis = frozenset({"all"})
            elif r < 0.9:
                vis = frozenset({f"dept:{rng.choice(DEPTS)}"})
            else:
                vis = frozenset({f"dept:{rng.choice(DEPTS)}", f"user:u{rng.randrange(50)}"})
            yield IndexedDocument(
                id=str(i), secrecy="none", type_code=tcode, code=code,
                issuer_name=rng.choice(ISSUERS), subject=subject[:500],
                signer_name=rng.choice(SIGNERS), issued_date=issued, year=issued.year,
                register=f"{'den' if i % 2 else 'di'}-{issued.year}",
                direction="incoming" if i % 2 else "outgoing", urgency=rng.choice(URGENCIES),
                content=self._text(rng.randint(6, 22)), visibility=vis, version="1",
            )

    def queries(self, n: int = 200) -> list[dict[str, object]]:
        """Query mix: (text, filters) dicts; kinds are labelled for the report."""
        rng = random.Random(99)
        phrases = []
        for c in self.clauses:
            ws = c.split()
            if len(ws) >= 3:
                j = rng.randrange(len(ws) - 2)
                phrases.append(" ".join(ws[j:j + rng.choice([2, 3])]))
        common = self.common
        out: list[dict[str, object]] = []
        mix = ([("common", 40), ("folded", 40), ("phrase", 30), ("rare", 30),
                ("filtered", 30), ("prefix", 15), ("browse", 15)])
        for kind, count in mix:
            for _ in range(count * n // 200):
                q: dict[str, object] = {"kind": kind}
                if kind == "common":
                    c = rng.choices(self.clauses, cum_weights=self.clause_cum)[0].split()
                    k = rng.choice([1, 2, 2, 3])
                    j = rng.randrange(max(1, len(c) - k))
                    q["text"] = " ".join(c[j:j + k])
                elif kind == "folded":
                    q["text"] = fold(" ".join(rng.sample(common[20:250], rng.choice([2, 3]))))
                elif kind == "phrase":
                    p = rng.choice(phrases)
                    q["text"] = f'"{p if rng.random() < 0.5 else fold(p)}"'
                elif kind == "rare":
                    name = rng.choice(self.names[200:])
                    q["text"] = name if rng.random() < 0.5 else fold(name).lower()
                elif kind == "filtered":
                    q["text"] = " ".join(rng.sample(common[:200], 2))
                    q["type_code"] = rng.choice(["KH", "QĐ", "TB", "BC"])
                    q["year"] = rng.choice([2022, 2023, 2024, 2025])
                elif kind == "prefix":
                    w = rng.choice(common[:150])
                    q["text"] = (w[: max(2, len(w) - 2)] if rng.random() < 0.5
                                 else fold(w)[:3]) + "*"
                else:
                    q["text"] = ""
                    q["type_code"] = rng.choice(["KH", "QĐ", "TB"])
                    q["year"] = rng.choice([2023, 2024])
                q["keys"] = frozenset(
                    {"all", f"dept:{rng.choice(DEPTS)}", f"user:u{rng.randrange(50)}"})
                out.append(q)
        return out
