"""PostgreSQL backend: totals from the posting bitmaps equal those of the GIN condition.

The bitmaps (search/pg_bitmaps.py) answer a search whose every condition has a frequent
lexeme; a user would notice a wrong total, a missing or resurrected document, or a
document of another department. The same documents and changes go into a plain index
(GIN condition only) and into one with bitmaps (tiny frequency threshold, frequent
seals, some entries left unsealed); every query must give the same total and hits.
"""

from __future__ import annotations

import random
import re
import threading
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

import search
from search import SearchQuery, pg_bitmaps
from search.postgres_index import PostgresIndex

DEPTS = ["VP", "TC", "NV", "GD"]


def _docs(make_doc, texts: list[str], n: int, rng: random.Random, tag: str = ""):
    clauses = [c.strip() for t in texts for c in re.split(r"[.;:\n]+", t)
               if len(c.split()) >= 5]
    out = []
    for i in range(n):
        r = rng.random()
        vis = ({"all"} if r < 0.5 else {f"dept:{rng.choice(DEPTS)}"} if r < 0.85
               else {f"dept:{rng.choice(DEPTS)}", f"user:u{rng.randrange(4)}"})
        year = rng.choice([2024, 2025, 2026])
        out.append(make_doc(
            id=f"d{i}", type_code=rng.choice(["KH", "QĐ", "TB"]), year=year,
            issued_date=date(year, rng.randint(1, 12), rng.randint(1, 28)),
            subject=rng.choice(clauses)[:120] + tag,
            content=". ".join(rng.sample(clauses, 4)), visibility=frozenset(vis),
            version=f"v{tag}"))
    return out


QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("", {}), ("", {"type_code": "KH"}), ("", {"type_code": "QĐ", "year": 2025}),
    ("chuyển đổi số", {}), ("chuyen doi so", {}), ("số", {}), ("và", {}), ("của", {}),
    ('"chuyển đổi"', {}), ('"dữ liệu số"', {}), ("ch*", {}), ("chuy*", {}),
    ("quốc gia", {"year": 2026}), ("phát triển", {"type_code": "KH"}), ("dữ liệu", {}),
    ("thông tin", {}), ("nhân dân", {}), ("công nghệ", {"type_code": "TB"}),
]
KEYS = [{"all"}, {"all", "dept:VP"}, {"dept:TC", "user:u1"}, {"all", "dept:GD", "user:u2"}]


def _same(plain: PostgresIndex, bits: PostgresIndex, used: list[int]) -> None:
    for text, filters in QUERIES:
        for keys in KEYS:
            q = SearchQuery(text=text, per_page=200, **filters)
            a, b = plain.search(q, keys), bits.search(q, keys)
            assert b.total == a.total, (text, filters, keys)
            assert {h.id for h in b.hits} == {h.id for h in a.hits}, (text, filters, keys)
            assert len(b.hits) == b.total or b.total > 200


@pytest.fixture
def pair(pg_engine, monkeypatch):
    """A plain index and one with bitmaps on the same data; counts bitmap answers."""
    used = [0]
    real = pg_bitmaps.match

    def counting(*args, **kw):
        got = real(*args, **kw)
        used[0] += got is not None
        return got

    monkeypatch.setattr(pg_bitmaps, "match", counting)
    plain = PostgresIndex(pg_engine, "plain")
    bits = PostgresIndex(pg_engine, "bits", frequent=3, seal_rows=7)
    return plain, bits, used


def test_bitmaps_give_the_totals_of_the_gin_condition_through_changes(
        pair, make_doc, seed_texts):
    plain, bits, used = pair
    rng = random.Random(7)
    docs = _docs(make_doc, seed_texts, 90, rng)
    for ix in (plain, bits):
        ix.rebuild(docs[:70])
    _same(plain, bits, used)
    assert used[0] > len(QUERIES)  # most searches went through the bitmaps

    # New documents (some sealed, the last few not), changed ones (a department's document
    # made public, a public one made private), removals, a classified reclassification.
    changed = _docs(make_doc, seed_texts, 30, random.Random(8), tag=" sửa đổi")[:25]
    for ix in (plain, bits):
        ix.apply(docs[70:])
        ix.apply(changed, deletes=["d3", "d5", "d71"])
        ix.apply([make_doc(id="d10", secrecy="mat", subject="mật")])
        ix.apply([make_doc(id=f"n{i}", subject="Chuyển đổi số quốc gia",
                           content="phát triển dữ liệu số và công nghệ thông tin",
                           visibility=frozenset({"all", "dept:VP"})) for i in range(2)])
    with bits.engine.connect() as conn:
        sealed, _ = pg_bitmaps.state(conn, "bits")
        last = conn.scalar(sa.text("SELECT max(ord) FROM bits"))
        dead = conn.scalar(sa.text("SELECT count(*) FROM bits_dead"))
    assert 0 < sealed < last  # some entries are sealed, some are not
    assert dead or sealed > 70  # replaced entries are subtracted
    used[0] = 0
    _same(plain, bits, used)
    assert used[0] > len(QUERIES)
    everyone = {"all", *(f"dept:{d}" for d in DEPTS), *(f"user:u{i}" for i in range(4))}
    listed = bits.search(SearchQuery(per_page=200), everyone)
    assert "d10" not in {h.id for h in listed.hits} and listed.total == len(listed.hits)

    bits.seal()
    _same(plain, bits, used)
    for ix in (plain, bits):  # a rebuild starts the bitmaps afresh
        ix.rebuild(_docs(make_doc, seed_texts, 40, random.Random(9)))
    _same(plain, bits, used)


def test_concurrent_writers_and_seals_lose_no_entry(pair, make_doc, seed_texts):
    plain, bits, used = pair
    docs = _docs(make_doc, seed_texts, 120, random.Random(3))
    bits.rebuild(docs[:30])
    plain.rebuild(docs[:30])
    errors: list[BaseException] = []

    def writer(part: list) -> None:
        try:
            for i in range(0, len(part), 3):
                bits.apply(part[i:i + 3])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(docs[30 + k::4],)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    plain.apply(docs[30:])
    _same(plain, bits, used)


def test_verify_reports_a_bitmap_that_disagrees_with_the_entries(pair, make_doc, seed_texts):
    _, bits, _ = pair
    docs = _docs(make_doc, seed_texts, 60, random.Random(5))
    bits.rebuild(docs[:50])
    bits.apply(docs[50:], deletes=["d1", "d2"])
    expected = {d.id: d.version for d in docs if d.id not in ("d1", "d2")}
    assert search.verify(bits, expected, []).ok
    with bits.engine.begin() as conn:  # lose the largest bitmap (a damaged table)
        term = conn.scalar(sa.text(
            "SELECT term FROM bits_bits WHERE term <> '~dead' ORDER BY length(bits) DESC "
            "LIMIT 1"))
        conn.execute(sa.text("DELETE FROM bits_bits WHERE term = :t"), {"t": term})
    report = search.verify(bits, expected, [])
    assert not report.ok and report.damaged == [f"bitmap:{term}"]
