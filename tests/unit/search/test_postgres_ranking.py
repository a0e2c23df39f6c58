"""PostgreSQL backend: the bounded ranking window and the layout upgrade (issue 13).

Large results rank only a window of the newest matches and list the rest newest first;
paging through such a result must still show every match exactly once, exact spellings
first inside the window, whichever plan (date index or GIN bitmap) reads the window.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from search import SearchQuery
from search import postgres_index as pgi
from search.postgres_index import PostgresIndex

ALL = {"all"}


@pytest.fixture
def pg_index(pg_engine):
    ix = PostgresIndex(pg_engine)
    yield ix
    ix.close()


@pytest.mark.parametrize("detoast_cost", [0, 10**9], ids=["date-index", "bitmap"])
def test_paging_a_result_larger_than_the_window_shows_every_match_once(
        pg_index, make_doc, monkeypatch, detoast_cost):
    monkeypatch.setattr(pgi, "RANK_WINDOW", 3)
    monkeypatch.setattr(pgi, "_DETOAST_COST", detoast_cost)
    pg_index.apply(
        [make_doc(id=f"f{i}", content="dao tao can bo",
                  issued_date=date(2025, 1, i + 1 if i < 5 else i + 2)) for i in range(7)]
        + [make_doc(id="exact", content="đào tạo cán bộ", issued_date=date(2025, 1, 6)),
           make_doc(id="hidden", content="đào tạo", issued_date=date(2025, 1, 21),
                    visibility=frozenset({"dept:X"}))])
    seen: list[str] = []
    for page in range(1, 6):
        res = pg_index.search(SearchQuery(text="đào tạo", page=page, per_page=2), ALL)
        assert res.total == 8
        seen += [h.id for h in res.hits]
    assert sorted(seen) == sorted([f"f{i}" for i in range(7)] + ["exact"])
    # The window holds the 3 newest matches (f6, f5, exact), the exact spelling ranked
    # first; the other matches follow newest first.
    assert seen[:3] == ["exact", "f6", "f5"]
    assert seen[3:] == ["f4", "f3", "f2", "f1", "f0"]


def test_an_index_table_of_an_older_layout_is_recreated_empty(pg_engine, make_doc):
    with pg_engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE search_entries (id text PRIMARY KEY)"))
        conn.execute(sa.text("INSERT INTO search_entries VALUES ('old')"))
    ix = PostgresIndex(pg_engine)
    assert ix.stamps() == {}
    ix.apply([make_doc(id="n1", subject="Kế hoạch mới")])
    assert set(ix.stamps()) == {"n1"}
    assert set(PostgresIndex(pg_engine).stamps()) == {"n1"}  # the current layout is kept


def test_a_listing_without_text_is_newest_first_and_only_what_the_caller_may_see(
        pg_index, make_doc):
    """Filters alone (the register browser): pages read the columns in date order."""
    docs = [make_doc(id=f"b{i}", type_code="KH" if i % 4 else "QĐ", year=2025,
                     issued_date=date(2025, 1 + i % 12, 1 + (i * 7) % 28),
                     visibility=frozenset({"all"} if i % 5 else {"dept:X"}))
            for i in range(60)]
    pg_index.apply(docs)
    with pg_index.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(sa.text(f"ANALYZE {pg_index.table}"))
    seen = [d for d in docs if d.type_code == "KH" and "all" in d.visibility]
    expected = [d.id for d in sorted(seen, key=lambda d: (d.issued_date, d.id), reverse=True)]
    got: list[str] = []
    for page in (1, 2, 3):
        res = pg_index.search(SearchQuery(type_code="KH", year=2025, page=page, per_page=15),
                              ALL)
        assert res.total == len(seen)
        got += [h.id for h in res.hits]
    assert got == expected
