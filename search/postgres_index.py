"""PostgreSQL full-text implementation of :class:`search.model.SearchIndex`.

Takes a SQLAlchemy engine (no Flask, no application models). Tables, in the engine's
schema (``table`` is the prefix)::

    <table>          one row per visible document: ``ord`` (a new number at every write),
                     metadata, access keys, the snippet
                     source, ``subj_f`` (folded subject, pg_trgm index for suggestions) and
                     two stored tsvectors, each with a GIN index:
                     ``fts``  folded words with positions (subject words weighted A), the
                              words with diacritics as ``=word`` (exact matches rank first),
                              and one ``~x:value`` lexeme per access key and filter
                     ``aux``  folded word pairs (phrases) and word prefixes up to
                              :data:`PREFIX_CHARS` letters, without positions
    <table>_tomb     revisions of removed entries (a stale upsert cannot resurrect one)
    <table>_bits …   posting bitmaps of the frequent lexemes (:mod:`search.pg_bitmaps`)

Text is normalised to NFC, split into syllables and folded in Python by
:mod:`search.analysis` — the very analysis of the Whoosh backend, so both backends match
the same documents — and the vectors are stored as built: no ``unaccent()`` or parsing at
query time. A search is then one GIN condition: words AND access keys AND filters, so the
permission filter is inside the query and totals, facets, snippets and suggestions count
only what the caller may see; a phrase adds its word pairs, a short prefix one lexeme.
When every condition has a frequent lexeme (a common word, the public access key), the
matches and their exact total come from the posting bitmaps instead of from visiting
every matching row; the GIN condition then only checks the few entries written since the
bitmaps were last sealed.
Ranking (``ts_rank`` of the folded words, plus :data:`EXACT_BOOST` × that of the words
typed with diacritics) runs on a bounded window: every match of a small result, else the
:data:`RANK_WINDOW` newest matches (most recently written, when the bitmaps answered);
further results follow newest first.
Large columns are stored out of line (``toast_tuple_target``), so the rows a count visits
stay small. Rebuild loads ``<table>_new`` with ``COPY`` (and its bitmaps), builds its
indexes, and swaps the tables in with renames in one transaction: readers see the old or
the new ones. The application rebuilds oldest document first, so ords follow time.

Writers serialise per document with ``pg_advisory_xact_lock`` (ids locked in sorted order),
so concurrent workers on several machines apply each document's newest revision; a batch
is written in one transaction with a fixed number of statements, whatever its size.
"""

# ruff: noqa: S608 - the only interpolated names are the validated table name and fixed SQL
from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from search import pg_bitmaps
from search.analysis import fold, folded_tokens, nfc, parse_query, tokens
from search.guard import GuardedIndex, Removal, WriteResult
from search.model import Hit, IndexedDocument, SearchError, SearchQuery, SearchResults
from search.pg_bitmaps import Cond
from search.pg_bitmaps import lit as _lit
from search.schema import (
    EXACT_CONTENT_CHARS,
    SNIPPET_SOURCE_CHARS,
    check_access_key,
    date_key,
    issuer_key,
)
from search.snippets import snippet_html

log = logging.getLogger(__name__)

#: First key of the advisory locks taken by writers (the second is the id's hash).
LOCK_CLASS = 0x5E4C
_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")
#: Weight of an exact (with diacritics) match relative to a folded one: large enough that
#: documents spelling the query words exactly rank above those matching only when folded.
EXACT_BOOST = 10.0
#: Matches ranked by relevance: all of a result up to this size, else the newest this many;
#: the rest of a large result follows newest first.
RANK_WINDOW = 200
#: Prefixes up to this many letters are stored as lexemes (``>th``); longer ones expand.
PREFIX_CHARS = 4
#: Extensions installed into ``public`` (a shared schema every search_path can reach).
EXTENSIONS = ("pg_trgm",)
#: Version of the table layout, kept as the table comment; another layout is rebuilt.
LAYOUT = "eoffice-search-3"
#: Reading one row's vector (out of line) costs about this many bitmap rows.
_DETOAST_COST = 50
#: Key of ``Connection.info``: the scan the current search transaction is steered to.
_SCAN = "eoffice.search_scan"
#: Per-transaction settings of a search: no JIT (it costs more than a search), no
#: sequential scan (every search has a GIN condition; the planner does not see that
#: checking a row means reading its out-of-line vector).
_SETTINGS = (("jit", "off"), ("enable_seqscan", "off"), ("work_mem", "32MB"))
#: Seconds a process reuses the entry table's row estimate (``reltuples``). It only
#: chooses between two plans of the same result (see :meth:`PostgresIndex._dense`), and
#: is itself an estimate refreshed by (auto)vacuum: a few seconds' staleness is harmless.
_ROWS_TTL = 5.0
_MAX_WORD = 200  # longer "words" (hashes, garbage) are not indexed
_MAX_POS = 16383  # PostgreSQL's largest tsvector position
_MAX_VECTOR_CHARS = 600_000  # stay well below the 1 MB tsvector limit
_COLUMNS = ("ord", "id", "revision", "version", "acl", "type_code", "year", "issued", "issuer",
            "register", "direction", "urgency", "subject", "code", "snip", "subj_f", "fts",
            "aux")


def _key_lexemes(doc: IndexedDocument, year: int) -> list[str]:
    keys = [f"~a:{check_access_key(k)}" for k in sorted(doc.visibility)]
    values = {"t": nfc(doc.type_code or ""), "y": str(year) if year else "",
              "i": issuer_key(doc.issuer_name or ""), "r": doc.register or "",
              "d": doc.direction or ""}
    return keys + [f"~{k}:{v}" for k, v in values.items() if v]


def vectors(doc: IndexedDocument, year: int) -> tuple[str, str]:
    """The ``fts`` and ``aux`` tsvector literals of ``doc`` (the Whoosh fields' text)."""
    fts, aux, _ = vectors_and_lexemes(doc, year)
    return fts, aux


def vectors_and_lexemes(doc: IndexedDocument, year: int) -> tuple[str, str, list[str]]:
    """:func:`vectors` and the lexemes a query can require (words, keys, pairs, prefixes:
    not the exact spellings, which only rank)."""
    subject, content = nfc(doc.subject), nfc(doc.content)
    head = "\n".join(x for x in (subject, *(nfc(y) for y in (
        doc.code, doc.issuer_name, doc.signer_name) if y)) if x)
    words = folded_tokens(head + "\n" + content)
    in_subject = len(folded_tokens(subject))
    positions: dict[str, list[str]] = {}
    size = 0
    for i, w in enumerate(words, 1):
        if len(w) > _MAX_WORD:
            continue
        got = positions.get(w)
        if got is None:
            size += len(w) + 8
            if size > _MAX_VECTOR_CHARS:
                continue
            got = positions[w] = []
        if len(got) < 256:
            got.append(f"{min(i, _MAX_POS)}{'A' if i <= in_subject else ''}")
    parts = [f"{_lit(w)}:{','.join(ps)}" for w, ps in positions.items()]
    exact = {t for t in tokens(head + "\n" + content[:EXACT_CONTENT_CHARS])
             if len(t) <= _MAX_WORD and fold(t) != t}
    parts += [_lit("=" + t) for t in exact]
    keys = _key_lexemes(doc, year)
    parts += [_lit(k) for k in keys]
    aux: set[str] = set()
    for w in positions:
        aux.update(">" + w[:k] for k in range(1, min(PREFIX_CHARS, len(w)) + 1))
    pairs = 0
    for a, b in zip(words, words[1:], strict=False):
        if a in positions and b in positions and pairs < _MAX_VECTOR_CHARS // 16:
            aux.add(f"{a} {b}")
            pairs += 1
    return " ".join(parts), " ".join(_lit(x) for x in aux), [*positions, *keys, *aux]


@dataclass
class _Plan:
    """The SQL pieces of one search: condition, parameters, ranking queries."""

    where: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    rank: str = ""  # folded words, OR-ed ("" when nothing to rank: newest first)
    exact: str = ""  # words typed with diacritics, as "=word", OR-ed
    clustered: bool = False  # a filter gathers the matches in a date range
    #: The same condition as lexemes for the bitmaps (None: a condition they cannot answer)
    conds: list[Cond] | None = field(default_factory=list)
    #: Without text: the same condition on plain columns (no vector to read), else ""
    plain: str = ""
    plain_params: dict[str, Any] = field(default_factory=dict)

    @property
    def cond(self) -> str:
        return " AND ".join(self.where)


def plan(q: SearchQuery, keys: list[str]) -> _Plan:
    """Turn ``q`` into one GIN condition on ``fts`` (+ ``aux`` for phrases/short prefixes)."""
    pq = parse_query(q.text)
    words = [fold(t) for t in pq.terms]
    pairs: list[str] = []
    main: list[str] = []
    conds: list[Cond] | None = []
    for phrase in pq.phrases:
        folded = [fold(w) for w in phrase]
        words += folded
        pairs += [f"{a} {b}" for a, b in zip(folded, folded[1:], strict=False)]
    for prefix in pq.prefixes:
        f = fold(prefix)
        if len(f) <= PREFIX_CHARS:
            pairs.append(">" + f)
        else:
            main.append(_lit(f) + ":*")
            conds = None  # a long prefix expands in the GIN index only
    filters = {"t": q.type_code and nfc(q.type_code), "y": q.year and str(int(q.year)),
               "i": q.issuer and issuer_key(q.issuer), "r": q.register, "d": q.direction}
    required = [*dict.fromkeys(words), *(f"~{k}:{v}" for k, v in filters.items() if v)]
    main += [_lit(w) for w in required]
    main.append("(" + " | ".join(_lit(f"~a:{k}") for k in keys) + ")")
    aux = [_lit(x) for x in dict.fromkeys(pairs)]
    if conds is not None:
        conds += [Cond("fts", (w,)) for w in required]
        conds += [Cond("aux", (x,)) for x in dict.fromkeys(pairs)]
        conds.append(Cond("fts", tuple(f"~a:{k}" for k in keys)))
    p = _Plan(where=["fts @@ CAST(:q AS tsquery)"], params={"q": " & ".join(main)},
              conds=conds)
    if aux:
        p.where.append("aux @@ CAST(:aq AS tsquery)")
        p.params["aq"] = " & ".join(aux)
    if q.date_from or q.date_to:
        p.conds = None
    plain = ["acl && CAST(:keys AS text[])"]
    columns = {"t": "type_code", "y": "year", "i": "issuer", "r": "register", "d": "direction"}
    p.plain_params = {"keys": keys}
    for k, value in filters.items():
        if value:
            plain.append(f"{columns[k]} = :c_{k}")
            p.plain_params[f"c_{k}"] = int(value) if k == "y" else value
    if q.date_from:
        p.where.append("issued >= :dfrom")
        plain.append("issued >= :dfrom")
        p.params["dfrom"] = p.plain_params["dfrom"] = date_key(q.date_from)
    if q.date_to:
        p.where.append("issued BETWEEN 1 AND :dto")
        plain.append("issued BETWEEN 1 AND :dto")
        p.params["dto"] = p.plain_params["dto"] = date_key(q.date_to)
    if not (pq.terms or pq.phrases or pq.prefixes):
        p.plain = " AND ".join(plain)
    p.clustered = bool(q.year or q.date_to)
    words = pq.terms + [w for ph in pq.phrases for w in ph]  # as typed (exact boost)
    p.rank = " | ".join(dict.fromkeys(_lit(fold(w)) for w in words))
    p.exact = " | ".join(dict.fromkeys(_lit("=" + w) for w in words if fold(w) != w))
    return p


#: The writers' per-entry locks of a batch in one statement, in the order given (sorted).
_XACT_LOCKS_IN_ORDER = sa.text(
    "SELECT count(pg_advisory_xact_lock(:c, hashtext(id))) FROM (SELECT id FROM "
    "unnest(CAST(:ids AS text[])) WITH ORDINALITY AS u(id, n) ORDER BY n) AS ordered")


def _distinct_runs(batch: list[IndexedDocument | Removal]
                   ) -> list[list[IndexedDocument | Removal]]:
    """``batch`` cut into consecutive parts without a repeated id (usually one part)."""
    parts: list[list[IndexedDocument | Removal]] = [[]]
    seen: set[str] = set()
    for item in batch:
        if item.id in seen:
            parts.append([])
            seen.clear()
        parts[-1].append(item)
        seen.add(item.id)
    return parts


class PostgresIndex(GuardedIndex):
    """Search entries in PostgreSQL tables next to (or apart from) the application data.

    ``engine``: a SQLAlchemy engine on PostgreSQL (psycopg). ``table``: name of the entry
    table (lowercase identifier). Create the tables with :meth:`create` (idempotent; the
    ``pg_trgm`` extension must be installable or installed in ``public``).
    """

    def __init__(self, engine: sa.Engine, table: str = "search_entries", *,
                 create: bool = True, frequent: int | None = None,
                 seal_rows: int = pg_bitmaps.SEAL_ROWS,
                 promote: int = pg_bitmaps.PROMOTE_PER_SEAL) -> None:
        if engine.dialect.name != "postgresql":
            raise SearchError("Chỉ mục PostgreSQL cần cơ sở dữ liệu PostgreSQL.")
        if not _NAME_RE.match(table):
            raise SearchError(f"Tên bảng chỉ mục không hợp lệ: {table!r}")
        self.engine = engine
        self.table = table
        #: Bitmap threshold (documents per lexeme); None: by the size at each rebuild.
        self.frequent_override = frequent
        self.frequent = frequent or pg_bitmaps.FREQUENT_MIN
        self.seal_rows = max(1, seal_rows)
        self.promote = promote
        #: (reltuples, when read): see :meth:`_rows`.
        self._rows_seen = (0.0, -_ROWS_TTL)
        if create:
            self.create()

    # -- schema ----------------------------------------------------------------------------
    def _ddl(self, name: str) -> list[str]:
        """The entry table ``name`` (rows kept small: long values stored out of line) and
        the tables of its bitmaps (:mod:`search.pg_bitmaps`)."""
        return [
            f"""CREATE TABLE IF NOT EXISTS {name} (
                ord bigint NOT NULL DEFAULT nextval('{self.table}_ordseq'),
                id text PRIMARY KEY, revision bigint NOT NULL DEFAULT 0,
                version text NOT NULL DEFAULT '', acl text[] NOT NULL,
                type_code text NOT NULL DEFAULT '', year int NOT NULL DEFAULT 0,
                issued int NOT NULL DEFAULT 0, issuer text NOT NULL DEFAULT '',
                register text NOT NULL DEFAULT '', direction text NOT NULL DEFAULT '',
                urgency text NOT NULL DEFAULT '', subject text NOT NULL DEFAULT '',
                code text NOT NULL DEFAULT '', snip text NOT NULL DEFAULT '',
                subj_f text NOT NULL DEFAULT '',
                fts tsvector NOT NULL, aux tsvector NOT NULL
            ) WITH (toast_tuple_target = 128, autovacuum_vacuum_scale_factor = 0.05)""",
            f"ALTER TABLE {name} ALTER fts SET STORAGE EXTERNAL, "
            f"ALTER aux SET STORAGE EXTERNAL",
            f"COMMENT ON TABLE {name} IS '{LAYOUT}'",
            *pg_bitmaps.ddl(name),
        ]

    @staticmethod
    def _index_ddl(name: str) -> list[str]:
        return [
            # One GIN index over both vectors: a phrase or prefix search is one index scan
            # on both conditions (with two indexes the planner may check aux row by row).
            f"CREATE INDEX IF NOT EXISTS {name}_text ON {name} USING gin (fts, aux) "
            f"WITH (fastupdate = off)",
            f"CREATE INDEX IF NOT EXISTS {name}_issued ON {name} (issued, id)",
            f"CREATE UNIQUE INDEX IF NOT EXISTS {name}_ord ON {name} (ord)",
            # A year's documents newest first, for a listing without text.
            f"CREATE INDEX IF NOT EXISTS {name}_year ON {name} (year, issued, id)",
            f"CREATE INDEX IF NOT EXISTS {name}_subj ON {name} "
            f"USING gin (subj_f public.gin_trgm_ops)",
        ]

    def create(self) -> None:
        """Create the extensions (in ``public``) and tables if they do not exist.

        A table of an older layout is dropped and recreated empty (its entries cannot be
        converted): ``eoffice search verify`` then reports it, ``search reindex`` refills it.
        """
        for ext in EXTENSIONS:
            with self.engine.connect() as conn:
                have = conn.scalar(sa.text("SELECT 1 FROM pg_extension WHERE extname = :e"),
                                   {"e": ext})
                conn.rollback()
                if not have:
                    try:
                        with conn.begin():
                            conn.execute(sa.text(
                                f"CREATE EXTENSION IF NOT EXISTS {ext} SCHEMA public"))
                    except sa.exc.IntegrityError:  # created by a concurrent process
                        pass
        t = self.table
        with self.engine.begin() as conn:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:c, 0)"), {"c": LOCK_CLASS})
            layout = conn.scalar(sa.text(
                "SELECT obj_description(to_regclass(:t), 'pg_class')"), {"t": t})
            exists = conn.scalar(sa.text("SELECT to_regclass(:t) IS NOT NULL"), {"t": t})
            if exists and layout != LAYOUT:
                log.warning("search: index table %s has an older layout; recreated empty "
                            "(run `eoffice search reindex`)", t)
                for suffix in ("", *pg_bitmaps.SUFFIXES):
                    conn.execute(sa.text(f"DROP TABLE IF EXISTS {t}{suffix}"))
                exists = False
            if not exists:
                conn.execute(sa.text(f"CREATE SEQUENCE IF NOT EXISTS {t}_ordseq"))
                for stmt in self._ddl(t) + self._index_ddl(t):
                    conn.execute(sa.text(stmt))
                conn.execute(sa.text(f"INSERT INTO {t}_state SELECT 0, :f WHERE NOT EXISTS "
                                     f"(SELECT 1 FROM {t}_state)"), {"f": self.frequent})
            conn.execute(sa.text(
                f"CREATE TABLE IF NOT EXISTS {t}_tomb "
                f"(id text PRIMARY KEY, revision bigint NOT NULL)"))

    def drop(self) -> None:
        with self.engine.begin() as conn:
            for base in ("", "_new"):
                for suffix in ("", *pg_bitmaps.SUFFIXES):
                    conn.execute(sa.text(f"DROP TABLE IF EXISTS {self.table}{base}{suffix}"))
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {self.table}_tomb"))
            conn.execute(sa.text(f"DROP SEQUENCE IF EXISTS {self.table}_ordseq"))

    # -- writing ---------------------------------------------------------------------------
    @staticmethod
    def _row(doc: IndexedDocument, ord_: int | None = None) -> tuple[tuple[Any, ...], list[str]]:
        """Column values of ``doc`` in :data:`_COLUMNS` order, and its lexemes."""
        subject, content = nfc(doc.subject), nfc(doc.content)
        year = doc.year or (doc.issued_date.year if doc.issued_date else 0)
        fts, aux, lexemes = vectors_and_lexemes(doc, year)
        return (ord_, doc.id, doc.revision, doc.version,
                sorted(check_access_key(k) for k in doc.visibility),
                nfc(doc.type_code or ""), year, date_key(doc.issued_date),
                issuer_key(doc.issuer_name or ""), doc.register or "",
                doc.direction or "", doc.urgency, subject, nfc(doc.code or ""),
                content[:SNIPPET_SOURCE_CHARS], " ".join(folded_tokens(subject)), fts,
                aux), lexemes

    @staticmethod
    def _insert_sql(table: str, *, with_ord: bool = False) -> str:
        """One entry, with a new ord unless given (the bitmaps are append-only)."""
        columns = _COLUMNS if with_ord else _COLUMNS[1:]
        cols = ", ".join(columns)
        vals = ", ".join(f"CAST(:{c} AS tsvector)" if c in ("fts", "aux") else f":{c}"
                         for c in columns)
        return f"INSERT INTO {table} ({cols}) VALUES ({vals})"

    def _values(self, doc: IndexedDocument) -> dict[str, Any]:
        return dict(zip(_COLUMNS[1:], self._row(doc)[0][1:], strict=True))

    def _write(self, batch: list[IndexedDocument | Removal]) -> WriteResult:
        """One transaction, a fixed number of statements per batch (not per entry): the
        batch is cut where an id comes again, each part written set-wise, in order."""
        result = WriteResult()
        t = self.table
        newest = 0
        with self.engine.begin() as conn:
            sealed = pg_bitmaps.writer_lock(conn, t)
            conn.execute(_XACT_LOCKS_IN_ORDER,
                         {"c": LOCK_CLASS, "ids": sorted({item.id for item in batch})})
            dead: list[int] = []
            for part in _distinct_runs(batch):
                newest = max(newest, self._write_part(conn, part, result, dead))
            pg_bitmaps.record_dead(conn, t, dead, sealed)
        if newest - sealed >= self.seal_rows:
            self._maybe_seal()
        return result

    def _write_part(self, conn: sa.Connection, part: list[IndexedDocument | Removal],
                    result: WriteResult, dead: list[int]) -> int:
        """Write ``part`` (distinct ids); returns the largest ord handed out (0: none)."""
        t = self.table
        if any(item.revision for item in part):
            held: dict[str, int] = dict(conn.execute(sa.text(
                f"SELECT k.id, greatest((SELECT revision FROM {t} WHERE id = k.id), "
                f"(SELECT revision FROM {t}_tomb WHERE id = k.id)) "
                f"FROM unnest(CAST(:ids AS text[])) AS k(id)"),
                {"ids": [item.id for item in part if item.revision]}).all())
            stale = {item.id for item in part
                     if item.revision and item.revision < (held.get(item.id) or 0)}
            result.stale += [item.id for item in part if item.id in stale]
            part = [item for item in part if item.id not in stale]
        if not part:
            return 0
        dead += conn.scalars(sa.text(f"DELETE FROM {t} WHERE id = ANY(:ids) RETURNING ord"),
                             {"ids": [item.id for item in part]}).all()
        tombs = [item for item in part if isinstance(item, Removal) and item.revision]
        if tombs:
            conn.execute(sa.text(
                f"INSERT INTO {t}_tomb SELECT * FROM unnest(CAST(:ids AS text[]), "
                f"CAST(:revs AS bigint[])) ON CONFLICT (id) "
                f"DO UPDATE SET revision = EXCLUDED.revision"),
                {"ids": [r.id for r in tombs], "revs": [r.revision for r in tombs]})
        docs = [item for item in part if isinstance(item, IndexedDocument)]
        result.removed += [item.id for item in part if isinstance(item, Removal)]
        if not docs:
            return 0
        params: dict[str, Any] = {"ids": [doc.id for doc in docs]}
        rows = []
        for n, doc in enumerate(docs):
            params.update({f"{c}_{n}": v for c, v in self._values(doc).items()})
            rows.append("(" + ", ".join(
                f"CAST(:{c}_{n} AS tsvector)" if c in ("fts", "aux") else f":{c}_{n}"
                for c in _COLUMNS[1:]) + ")")
        # An entry written is no longer removed: its tombstone goes (same statement).
        ords = conn.scalars(sa.text(
            f"WITH untombed AS (DELETE FROM {t}_tomb WHERE id = ANY(:ids)) "
            f"INSERT INTO {t} ({', '.join(_COLUMNS[1:])}) VALUES {', '.join(rows)} "
            f"RETURNING ord"), params).all()
        result.written += [doc.id for doc in docs]
        return max(ords)

    def _maybe_seal(self) -> None:
        """Seal the entries written since the last seal once there are enough of them (one
        writer at a time; the others go on)."""
        with self.engine.begin() as conn:
            if pg_bitmaps.unsealed(conn, self.table) < self.seal_rows:
                return
            if pg_bitmaps.seal_lock(conn, self.table, pg_bitmaps.SEALER_LOCK, "try"):
                pg_bitmaps.seal(conn, self.table, self.promote)

    def seal(self) -> int:
        """Move every entry written since the last seal into the bitmaps (also done by
        writers every :data:`~search.pg_bitmaps.SEAL_ROWS` entries); returns how many."""
        with self.engine.begin() as conn:
            return pg_bitmaps.seal(conn, self.table, self.promote)

    def _load(self, docs: Iterable[IndexedDocument]) -> str:
        """``COPY`` every entry into ``<table>_new`` (ords in input order) with the bitmaps
        of its frequent lexemes, index it, swap it in."""
        new, t = f"{self.table}_new", self.table
        with self.engine.begin() as conn:
            for suffix in ("", *pg_bitmaps.SUFFIXES):
                conn.execute(sa.text(f"DROP TABLE IF EXISTS {new}{suffix}"))
            for stmt in self._ddl(new):
                conn.execute(sa.text(stmt))
        collector = pg_bitmaps.Collector()
        with self.engine.connect() as conn:
            raw: Any = conn.connection.driver_connection
            ords: dict[str, int] = {}
            again: dict[str, IndexedDocument] = {}  # an id given twice: the last state wins
            with raw.cursor() as cur, cur.copy(
                    f"COPY {new} ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
                for doc in docs:
                    if doc.id in ords:
                        again[doc.id] = doc
                        continue
                    ords[doc.id] = len(ords) + 1
                    row, lexemes = self._row(doc, len(ords))
                    copy.write_row(row)
                    collector.add(len(ords), lexemes)
            last = len(ords)
            dead = pg_bitmaps.BitMap()
            for doc in again.values():
                dead.add(ords[doc.id])
                last += 1
                conn.execute(sa.text(f"DELETE FROM {new} WHERE id = :id"), {"id": doc.id})
                row, lexemes = self._row(doc, last)
                conn.execute(sa.text(self._insert_sql(new, with_ord=True)),
                             dict(zip(_COLUMNS, row, strict=True)))
                collector.add(last, lexemes)
            collector.write(conn, new, len(ords), last, dead,
                            frequent=self.frequent_override)
            conn.commit()
            conn.execute(sa.text("SET maintenance_work_mem = '512MB'"))
            for stmt in self._index_ddl(new):
                conn.execute(sa.text(stmt))
            conn.commit()
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for suffix in ("", "_bits", "_terms"):
                conn.execute(sa.text(f"VACUUM (ANALYZE) {new}{suffix}"))  # all-visible pages
        with self.engine.begin() as conn:
            # No writer in flight (they share the seal lock); readers see the old tables or
            # the new ones; new entries get ords above every loaded one.
            pg_bitmaps.seal_lock(conn, t, pg_bitmaps.SEAL_LOCK)
            # In the order searches take them (the state first), or a search deadlocks.
            conn.execute(sa.text(f"LOCK TABLE {t}_state, {t}_bits, {t}_terms, {t}_dead, {t} "
                                 f"IN ACCESS EXCLUSIVE MODE"))
            conn.execute(sa.text(f"SELECT setval('{t}_ordseq', greatest(:n, "
                                 f"(SELECT last_value FROM {t}_ordseq)))"), {"n": last})
            for suffix in ("", *pg_bitmaps.SUFFIXES):
                conn.execute(sa.text(f"DROP TABLE {t}{suffix}"))
                conn.execute(sa.text(f"ALTER TABLE {new}{suffix} RENAME TO {t}{suffix}"))
            for index in ("pkey", "text", "issued", "subj", "ord", "year", "bits_pkey",
                          "terms_pkey", "dead_pkey"):
                conn.execute(sa.text(f"ALTER INDEX {new}_{index} RENAME TO {t}_{index}"))
        # Tombstones stay: a delayed stale upsert must not resurrect a removed entry.
        return t

    # -- reading ---------------------------------------------------------------------------
    @staticmethod
    def _session(conn: sa.Connection) -> None:
        """Per-transaction settings of a search (:data:`_SETTINGS`) in their own statement."""
        conn.execute(sa.text("SELECT " + ", ".join(
            f"set_config('{name}', '{value}', true)" for name, value in _SETTINGS)))
        conn.info[_SCAN] = ""  # both scans allowed, as at every transaction's start

    def search(self, query: SearchQuery, access_keys: Iterable[str]) -> SearchResults:
        """Search what ``access_keys`` may see; totals, facets and snippets count only that."""
        keys = sorted({k for k in access_keys if k and not any(c.isspace() for c in k)})
        page, per_page = max(1, query.page), max(1, min(query.per_page, 200))
        if not keys:
            return SearchResults(total=0, hits=[], page=page, per_page=per_page)
        p = plan(query, keys)
        t, cond, params = self.table, p.cond, p.params
        offset = (page - 1) * per_page
        with self.engine.connect() as conn:
            # One snapshot: the bitmaps and the entries written since they were sealed.
            conn.execution_options(isolation_level="REPEATABLE READ")
            found = None
            if p.conds is not None:  # the settings go with the bitmaps' first statement
                found = pg_bitmaps.match(conn, t, p.conds, cond, params, _SETTINGS)
                conn.info[_SCAN] = ""
            else:
                self._session(conn)
            ranked: list[tuple[str, float]] | None = None
            if found is not None:
                total = found.total
            elif p.rank:
                total, ranked = self._count_and_rank(conn, p, offset)
            else:
                total = int(conn.scalar(sa.text(
                    f"SELECT count(*) FROM {t} WHERE {cond}"), params) or 0)
            scores: dict[str, float] = {}
            ids: list[str] = []
            if total and offset < total:
                ids, scores = self._page(conn, p, total, offset, per_page, found, ranked)
            rows = {r.id: r for r in conn.execute(sa.text(
                f"SELECT id, subject, code, urgency, type_code, snip FROM {t} "
                f"WHERE id = ANY(:ids)"), {"ids": ids}).all()} if ids else {}
            facets: dict[str, dict[str, int]] = {}
            if query.facets and total:
                for name in ("type_code", "year"):
                    counts = conn.execute(sa.text(
                        f"SELECT {name}::text, count(*) FROM {t} WHERE {cond} "
                        f"AND {name}::text NOT IN ('', '0') GROUP BY 1"), params).all()
                    facets[name] = dict(sorted(((str(v), int(n)) for v, n in counts),
                                               key=lambda kv: (-kv[1], kv[0])))
            conn.rollback()
        pq = parse_query(query.text)
        words, prefixes = pq.folded_words(), pq.folded_prefixes()
        hits = [Hit(id=r.id, subject=r.subject, code=r.code,
                    snippet_html=self._snippet(r.snip, r.subject, words, prefixes),
                    score=scores.get(r.id, 0.0), urgency=r.urgency, type_code=r.type_code)
                for r in (rows[i] for i in ids if i in rows)]
        return SearchResults(total=total, hits=hits, page=page, per_page=per_page,
                             facets=facets)

    def _score(self, p: _Plan, params: dict[str, Any]) -> str:
        """The relevance of a row as SQL (adds its queries to ``params``)."""
        params["rq"] = p.rank
        score = "ts_rank(fts, CAST(:rq AS tsquery))"
        if p.exact:
            params["xq"] = p.exact
            score += f" + {EXACT_BOOST} * ts_rank(fts, CAST(:xq AS tsquery))"
        return score

    def _count_and_rank(self, conn: sa.Connection, p: _Plan, offset: int
                        ) -> tuple[int, list[tuple[str, float]] | None]:
        """The total of ``p`` and, when it is at most :data:`RANK_WINDOW` (every match
        ranked) and above ``offset``, its matches ranked, in one statement; else ``None``
        (the ranking query then did not run: a gating condition skips it)."""
        t, cond = self.table, p.cond
        params = {**p.params, "win": RANK_WINDOW, "off": offset}
        score = self._score(p, params)
        rows = conn.execute(sa.text(
            f"WITH c AS MATERIALIZED (SELECT count(*) AS n FROM {t} WHERE {cond}) "
            f"SELECT c.n, r.id, r.score FROM c LEFT JOIN LATERAL ("
            f"SELECT id, issued, {score} AS score FROM {t} WHERE {cond} "
            f"AND c.n <= :win AND c.n > :off OFFSET 0) AS r ON true "
            f"ORDER BY r.score DESC, r.issued DESC, r.id DESC"), params).all()
        total = int(rows[0].n) if rows else 0
        if not (offset < total <= RANK_WINDOW):
            return total, None
        return total, [(r.id, float(r.score)) for r in rows]

    def _page(self, conn: sa.Connection, p: _Plan, total: int, offset: int, limit: int,
              found: pg_bitmaps.Matches | None = None,
              ranked: list[tuple[str, float]] | None = None
              ) -> tuple[list[str], dict[str, float]]:
        """Ids of one page: the ranked window first, then the other matches newest first.

        Up to :data:`RANK_WINDOW` matches, all are ranked. Beyond, the window is the
        :data:`RANK_WINDOW` most recently written matches when the bitmaps answered
        (``found``), else the newest by date, read in date order (checking each row's
        vector) when matches are dense, or from the GIN bitmap (every match, no vector
        read) when they are sparse — the count just taken tells which is cheaper.
        ``ranked``: the ranked window when the count already gave it.
        """
        t, cond = self.table, p.cond
        if ranked is None:
            ranked = self._rank(conn, p, total, found) if p.rank else []
        ids = [i for i, _ in ranked[offset:offset + limit]]
        if len(ids) < limit and len(ranked) < total:  # else every match is ranked already
            skip = max(0, offset - len(ranked))
            wanted = skip + limit - len(ids)
            if p.plain and self._dense(conn, total, wanted, 1):
                # No text: the columns tell a match without reading its vector.
                scan, cond, params = "indexscan", p.plain, p.plain_params
            else:
                scan, params = self._scan(conn, p, total, wanted), p.params
            self._prefer(conn, scan)
            ids += conn.scalars(sa.text(
                f"SELECT id FROM {t} WHERE {cond} AND NOT (id = ANY(:ranked)) "
                f"ORDER BY issued DESC, id DESC LIMIT :lim OFFSET :off"),
                {**params, "ranked": [i for i, _ in ranked], "lim": limit - len(ids),
                 "off": skip}).all()
        self._prefer(conn, "")
        return ids, dict(ranked)

    def _rank(self, conn: sa.Connection, p: _Plan, total: int,
              found: pg_bitmaps.Matches | None) -> list[tuple[str, float]]:
        """The ranked window of ``p`` (best first) with the scores."""
        t, cond = self.table, p.cond
        params = {**p.params, "win": RANK_WINDOW}
        score = self._score(p, params)
        order = "ORDER BY score DESC, issued DESC, id DESC"
        if found is not None:
            params["ords"] = found.newest(RANK_WINDOW)
            sql = f"SELECT id, {score} AS score FROM {t} WHERE ord = ANY(:ords) {order}"
        elif total <= RANK_WINDOW:
            sql = f"SELECT id, {score} AS score FROM {t} WHERE {cond} {order}"
        else:
            self._prefer(conn, self._scan(conn, p, total, RANK_WINDOW))
            sql = (f"SELECT id, {score} AS score FROM {t} WHERE id IN ("
                   f"SELECT id FROM {t} WHERE {cond} ORDER BY issued DESC, id DESC "
                   f"LIMIT :win) {order}")
        ranked = [(r.id, float(r.score)) for r in conn.execute(sa.text(sql), params).all()]
        self._prefer(conn, "")
        return ranked

    def _scan(self, conn: sa.Connection, p: _Plan, total: int, wanted: int) -> str:
        """The cheaper way to the ``wanted`` newest of ``total`` matches.

        Walking the date index reads the vector of every row passed, about
        ``rows / total`` rows per match; the bitmap reads no vector but every match.
        A year or end-date filter puts the matches away from the newest rows: bitmap.
        """
        if p.clustered:
            return "bitmapscan"
        return "indexscan" if self._dense(conn, total, wanted, _DETOAST_COST) else "bitmapscan"

    def _dense(self, conn: sa.Connection, total: int, wanted: int, row_cost: float) -> bool:
        """Is walking the date index (``rows / total`` rows per match, each costing
        ``row_cost``) cheaper than visiting all ``total`` matches?"""
        return total * total > row_cost * wanted * max(1.0, self._rows(conn))

    def _rows(self, conn: sa.Connection) -> float:
        """The planner's row estimate of the entry table, reused for :data:`_ROWS_TTL`."""
        rows, at = self._rows_seen
        now = time.monotonic()
        if now - at >= _ROWS_TTL:
            rows = float(conn.scalar(sa.text(
                "SELECT reltuples FROM pg_class WHERE oid = to_regclass(:t)"),
                {"t": self.table}) or 0)
            self._rows_seen = (rows, now)
        return rows

    @staticmethod
    def _prefer(conn: sa.Connection, scan: str) -> None:
        """Steer the next statement to ``indexscan`` or ``bitmapscan`` ("" = either); no
        round trip when the transaction is already set so."""
        if conn.info.get(_SCAN) == scan:
            return
        conn.info[_SCAN] = scan
        conn.execute(sa.text("SELECT set_config('enable_indexscan', :i, true), "
                             "set_config('enable_bitmapscan', :b, true)"),
                     {"i": "off" if scan == "bitmapscan" else "on",
                      "b": "off" if scan == "indexscan" else "on"})

    @staticmethod
    def _snippet(content: str, subject: str, words: set[str], prefixes: list[str]) -> str:
        snip = snippet_html(content, words, prefixes)
        if "<mark>" not in snip and subject:
            alt = snippet_html(subject, words, prefixes)
            snip = alt if "<mark>" in alt else snip
        return snip

    def suggest(self, prefix: str, access_keys: Iterable[str], limit: int = 8) -> list[str]:
        """Subject words/word pairs starting with ``prefix`` from documents the caller may see.

        Candidates come from the trigram index on folded subjects (pg_trgm), restricted to
        the caller's documents; the completions are cut at word boundaries here.
        """
        keys = sorted({k for k in access_keys if k and not any(c.isspace() for c in k)})
        words = folded_tokens(prefix)
        if not keys or not words:
            return []
        needle = " ".join(words)
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        with self.engine.connect() as conn:
            subjects = conn.scalars(sa.text(
                f"SELECT subject FROM {self.table} WHERE acl && CAST(:keys AS text[]) "
                f"AND subj_f ILIKE :pat LIMIT 200"), {"keys": keys, "pat": pattern}).all()
            conn.rollback()
        return _completions(subjects, words, limit)

    def self_check(self) -> list[str]:
        """Posting bitmaps that disagree with the entries (a sample; see
        :func:`search.pg_bitmaps.check`), as ``bitmap:<lexeme>``."""
        with self.engine.connect() as conn:
            conn.execution_options(isolation_level="REPEATABLE READ")
            wrong = pg_bitmaps.check(conn, self.table)
            conn.rollback()
        return [f"bitmap:{term}" for term in wrong]

    def stamps(self) -> dict[str, str]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.text(f"SELECT id, version FROM {self.table}")).all()
            conn.rollback()
        return {r.id: r.version for r in rows}

    def doc_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(sa.text(f"SELECT count(*) FROM {self.table}")) or 0)

    def close(self) -> None:
        """Nothing to release: connections belong to the caller's engine."""


def _completions(subjects: Sequence[str], words: list[str], limit: int) -> list[str]:
    """The last word completed plus one more, counted over ``subjects`` (folded compare)."""
    before, last = words[:-1], words[-1]
    n = len(before)
    counts: Counter[str] = Counter()
    for subject in subjects:
        toks = tokens(subject)
        folded = [fold(x) for x in toks]
        for i, f in enumerate(folded):
            if i >= n and f.startswith(last) and folded[i - n:i] == before:
                counts[" ".join(toks[i - n:i + 2])] += 1
    return [text for text, _ in counts.most_common(limit)]

