"""Fixtures for the search library tests: real Vietnamese seed texts, a fresh index."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from search import IndexedDocument, WhooshIndex
from search.guard import GuardedIndex
from search.postgres_index import PostgresIndex

SEEDS = Path(__file__).resolve().parents[4] / "shared" / "seeds"
if not SEEDS.is_dir():
    SEEDS = Path("/work/shared/seeds")


@pytest.fixture(scope="session")
def seed_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    assert texts, f"no seed texts in {SEEDS}"
    return texts


_ids = itertools.count(1)


@pytest.fixture
def make_doc() -> Callable[..., IndexedDocument]:
    def make(**kw: object) -> IndexedDocument:
        n = next(_ids)
        defaults: dict[str, object] = {
            "id": f"doc{n}",
            "secrecy": "none",
            "type_code": "KH",
            "code": f"{n:02d}/KH-UBND",
            "issuer_name": "UBND thành phố Vĩnh Yên",
            "subject": f"Kế hoạch số {n}",
            "signer_name": "Nguyễn Văn An",
            "issued_date": date(2026, 3, 5),
            "year": 2026,
            "register": "di-2026",
            "direction": "outgoing",
            "urgency": "thuong",
            "content": "",
            "visibility": frozenset({"all"}),
            "version": "v1",
        }
        defaults.update(kw)
        return IndexedDocument(**defaults)  # type: ignore[arg-type]

    return make


@pytest.fixture
def index(tmp_path: Path) -> WhooshIndex:
    ix = WhooshIndex(tmp_path / "ix")
    yield ix
    ix.close()


@pytest.fixture
def seeded(index: WhooshIndex, seed_texts: list[str], make_doc) -> WhooshIndex:
    """The five seed articles as documents s0..s4, visible to everyone."""
    index.apply(
        make_doc(id=f"s{i}", subject=t.splitlines()[0], content=t)
        for i, t in enumerate(seed_texts)
    )
    return index


PG_URL = os.environ.get("EOFFICE_TEST_DATABASE_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def pg_engine() -> Iterator[sa.Engine]:
    """An engine on a private schema of the test PostgreSQL (dropped afterwards)."""
    schema = "s_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine = sa.create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["whoosh", "postgres", "postgres-bitmaps"])
def any_index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GuardedIndex]:
    """The same contract, once per backend. "postgres-bitmaps": every lexeme counts as
    frequent and every write is sealed at once, so searches go through the bitmaps."""
    if request.param == "whoosh":
        ix: GuardedIndex = WhooshIndex(tmp_path / "ix")
    elif request.param == "postgres":
        ix = PostgresIndex(request.getfixturevalue("pg_engine"))
    else:
        ix = PostgresIndex(request.getfixturevalue("pg_engine"), frequent=1, seal_rows=1,
                           promote=10_000)
    yield ix
    ix.close()
