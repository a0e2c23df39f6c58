"""Posting bitmaps beside the PostgreSQL search table: exact totals without visiting rows.

PostgreSQL answers ``count(*)`` of a GIN condition by visiting every matching row, so a
query matching half of a million documents costs hundreds of milliseconds however small
the rows are. For *frequent* lexemes (in at least ``frequent`` documents when the index
was rebuilt, or promoted later) this module keeps, beside the entry table ``<t>``, a
roaring bitmap (:mod:`pyroaring`) of the entries' ``ord`` numbers; intersecting them gives
the exact set of matches in microseconds. Tables (``<t>`` is the entry table)::

    <t>_bits   (term, chunk) → serialized bitmap of the ords in [chunk·2¹⁶, (chunk+1)·2¹⁶)
    <t>_terms  the frequent lexemes (those with bitmaps)
    <t>_state  one row: ``sealed`` (every ord ≤ it is in the bitmaps) and ``frequent``
    <t>_dead   ords ≤ sealed whose entries were since replaced or removed

Entries get a new ``ord`` (a sequence) on every write, so the bitmaps are append-only:
an entry replaced or removed leaves its old ord in the dead set, subtracted from every
result. Entries written since the last seal (``ord > sealed``, a few hundred at most) are
matched by the GIN condition itself, walking the ``ord`` index. :func:`seal` moves them
(and the dead ords) into the bitmaps in one transaction; readers use one snapshot
(REPEATABLE READ), so they see the bitmaps and the entry table of the same moment.
Writers hold a shared advisory lock while they write and the sealer an exclusive one:
every ord below the seal watermark is committed.

A query goes through the bitmaps only when every AND-ed condition has a frequent
alternative; rare alternatives of an OR (a user's own access key) are read from the GIN
index (few rows by definition). Otherwise the GIN condition is cheap anyway: its rarest
lexeme bounds the rows PostgreSQL visits.
"""

# ruff: noqa: S608 - the only interpolated names are the validated table name and fixed SQL
from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from pyroaring import BitMap

CHUNK_BITS = 16  # one roaring container per stored chunk: a seal rewrites little
#: Pseudo-term holding the sealed dead ords (no lexeme starts with "~" and lacks ":").
DEAD = "~dead"
#: Lexemes in at least this many documents get bitmaps at a rebuild (or 1/500 of them).
FREQUENT_MIN = 2000
FREQUENT_SHARE = 500
#: Entries written since the last seal before a writer seals them (each search walks them).
SEAL_ROWS = 500
#: Non-frequent lexemes checked for promotion per seal (each costs up to ``frequent`` rows).
PROMOTE_PER_SEAL = 100
#: Advisory lock keys (see :func:`seal_lock`): writers share, the sealer excludes.
SEAL_LOCK = 1
SEALER_LOCK = 2
_LOCK_FUNCTIONS = {"shared": "pg_advisory_xact_lock_shared",
                   "exclusive": "pg_advisory_xact_lock", "try": "pg_try_advisory_xact_lock"}


@dataclass(frozen=True)
class Cond:
    """One AND-ed condition: any of ``alts`` (lexemes of column ``column``)."""

    column: str
    alts: tuple[str, ...]


def column_of(lexeme: str) -> str:
    """The vector holding ``lexeme``: word pairs and prefixes are in ``aux``."""
    if lexeme.startswith("~"):
        return "fts"
    return "aux" if lexeme.startswith(">") or " " in lexeme else "fts"


def frequent_threshold(documents: int) -> int:
    return max(FREQUENT_MIN, documents // FREQUENT_SHARE)


def ddl(t: str) -> list[str]:
    return [
        f"CREATE TABLE IF NOT EXISTS {t}_bits (term text NOT NULL, chunk int NOT NULL, "
        f"bits bytea NOT NULL, PRIMARY KEY (term, chunk))",
        f"ALTER TABLE {t}_bits ALTER bits SET STORAGE EXTERNAL",  # compressed already
        f"CREATE TABLE IF NOT EXISTS {t}_terms (term text PRIMARY KEY)",
        f"CREATE TABLE IF NOT EXISTS {t}_state (sealed bigint NOT NULL, frequent int NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {t}_dead (ord bigint PRIMARY KEY)",
    ]


SUFFIXES = ("_bits", "_terms", "_state", "_dead")


def _chunks(bm: BitMap) -> Iterator[tuple[int, bytes]]:
    if not bm:
        return
    for chunk in range(bm.min() >> CHUNK_BITS, (bm.max() >> CHUNK_BITS) + 1):
        mask = BitMap()
        mask.add_range(chunk << CHUNK_BITS, (chunk + 1) << CHUNK_BITS)
        part = bm & mask
        if part:
            part.run_optimize()
            yield chunk, part.serialize()


class Collector:
    """Lexeme → ords while a rebuild streams its rows; the frequent ones become bitmaps."""

    def __init__(self) -> None:
        self.postings: dict[str, array[int]] = {}

    def add(self, ord_: int, lexemes: Iterable[str]) -> None:
        postings = self.postings
        for lexeme in lexemes:
            got = postings.get(lexeme)
            if got is None:
                got = postings[lexeme] = array("I")
            got.append(ord_)

    def write(self, conn: sa.Connection, t: str, documents: int, sealed: int, dead: BitMap,
              frequent: int | None = None) -> None:
        """Store the bitmaps of the lexemes in at least ``frequent`` (default:
        :func:`frequent_threshold`) documents into the (empty) tables of ``t``; ``sealed``
        is the largest ord loaded, ``dead`` the ords loaded then replaced."""
        threshold = frequent or frequent_threshold(documents)
        raw: Any = conn.connection.driver_connection
        terms: list[str] = []
        with raw.cursor() as cur, cur.copy(f"COPY {t}_bits (term, chunk, bits) FROM STDIN") as cp:
            for lexeme, ords in self.postings.items():
                if len(ords) >= threshold:
                    terms.append(lexeme)
                    for chunk, data in _chunks(BitMap(ords)):
                        cp.write_row((lexeme, chunk, data))
            for chunk, data in _chunks(dead):
                cp.write_row((DEAD, chunk, data))
        self.postings.clear()
        with raw.cursor() as cur, cur.copy(f"COPY {t}_terms (term) FROM STDIN") as cp:
            for term in terms:
                cp.write_row((term,))
        conn.execute(sa.text(f"INSERT INTO {t}_state VALUES (:s, :f)"),
                     {"s": sealed, "f": threshold})


def load(conn: sa.Connection, t: str, lexemes: Iterable[str]) -> dict[str, BitMap]:
    """The bitmaps of those ``lexemes`` that are frequent (and of the dead set)."""
    return _merged(conn.execute(sa.text(
        f"SELECT term, bits FROM {t}_bits WHERE term = ANY(:terms)"),
        {"terms": sorted({*lexemes, DEAD})}).all())


def _merged(chunks: Iterable[tuple[str, bytes]]) -> dict[str, BitMap]:
    """Stored (term, chunk bits) rows as one bitmap per term."""
    out: dict[str, BitMap] = {}
    for term, data in chunks:
        bm = BitMap.deserialize(bytes(data))
        if term in out:
            out[term] |= bm
        else:
            out[term] = bm
    return out


def state(conn: sa.Connection, t: str) -> tuple[int, int]:
    row = conn.execute(sa.text(f"SELECT sealed, frequent FROM {t}_state")).first()
    return (int(row.sealed), int(row.frequent)) if row else (0, FREQUENT_MIN)


@dataclass
class Matches:
    """The exact matches of a query: ``base`` (sealed ords) and ``delta`` (newer ords)."""

    base: BitMap
    delta: BitMap

    @property
    def total(self) -> int:
        return len(self.base) + len(self.delta)

    def newest(self, n: int) -> list[int]:
        """The ``n`` largest ords (the most recently written entries)."""
        out = list(self.delta)[-n:]
        if len(out) < n:
            k = min(len(self.base), n - len(out))
            out = (list(self.base[len(self.base) - k:]) if k else []) + out
        return out


def match(conn: sa.Connection, t: str, conds: Sequence[Cond], gin_cond: str,
          params: dict[str, Any], settings: Sequence[tuple[str, str]] = ()
          ) -> Matches | None:
    """The matches of ``conds`` through the bitmaps, or ``None`` when some condition has
    no frequent lexeme (the GIN condition is then cheap). ``gin_cond``/``params``: the same
    query as one SQL condition, used for the entries written since the last seal.
    ``settings``: (name, value) pairs set for the rest of the caller's transaction by the
    first statement (``set_config(…, true)``), which saves the caller a round trip."""
    sealed, bitmaps = _first(conn, t, (a for c in conds for a in c.alts), settings)
    if not sealed:
        return None
    if any(not any(a in bitmaps for a in c.alts) for c in conds):
        return None
    result: BitMap | None = None
    for cond in sorted(conds, key=lambda c: min(len(bitmaps.get(a, ())) for a in c.alts)):
        rare = [a for a in cond.alts if a not in bitmaps]
        part = BitMap.union(*(bitmaps[a] for a in cond.alts if a in bitmaps))
        if rare:
            part |= BitMap(conn.scalars(sa.text(
                f"SELECT ord FROM {t} WHERE ord <= :sealed AND {cond.column} @@ "
                f"CAST(:q AS tsquery)"),
                {"sealed": sealed, "q": " | ".join(lit(a) for a in rare)}).all())
        result = part if result is None else result & part
    assert result is not None
    result -= bitmaps.get(DEAD, BitMap())
    # The newer entries walking the ord index: the fence (OFFSET 0) keeps the GIN condition
    # out of the scan, so the planner cannot turn it into a GIN bitmap of every match.
    delta = BitMap(conn.scalars(sa.text(
        f"SELECT ord FROM (SELECT * FROM {t} WHERE ord > :sealed OFFSET 0) AS recent "
        f"WHERE {gin_cond}"), {**params, "sealed": sealed}).all())
    return Matches(base=result, delta=delta)


def _first(conn: sa.Connection, t: str, lexemes: Iterable[str],
           settings: Sequence[tuple[str, str]]) -> tuple[int, dict[str, BitMap]]:
    """In one statement: apply ``settings``, read the seal watermark, the bitmaps of those
    ``lexemes`` that are frequent and every dead ord (sealed ones under :data:`DEAD`)."""
    params: dict[str, Any] = {"terms": sorted({*lexemes, DEAD})}
    sets = ""
    for i, (name, value) in enumerate(settings):
        sets += f", set_config(:n{i}, :v{i}, true)"
        params[f"n{i}"], params[f"v{i}"] = name, value
    row = conn.execute(sa.text(
        f"SELECT s.sealed, d.ords, b.terms, b.bits{sets} "
        f"FROM (SELECT (SELECT sealed FROM {t}_state) AS sealed) AS s, "
        f"(SELECT array_agg(ord) AS ords FROM {t}_dead) AS d, "
        f"(SELECT array_agg(term) AS terms, array_agg(bits) AS bits FROM {t}_bits "
        f"WHERE term = ANY(:terms)) AS b"), params).one()
    out = _merged(zip(row.terms or (), row.bits or (), strict=True))
    if row.ords:
        out[DEAD] = out.get(DEAD, BitMap()) | BitMap(row.ords)
    return int(row.sealed or 0), out


def lit(word: str) -> str:
    """``word`` quoted as a tsvector/tsquery lexeme (taken verbatim, no dictionary)."""
    if "'" in word or "\\" in word:
        word = word.replace("\\", "\\\\").replace("'", "''")
    return "'" + word + "'"


# -- writing -----------------------------------------------------------------------------
def seal_lock(conn: sa.Connection, t: str, key: int, mode: str = "exclusive") -> bool:
    """Take one of index ``t``'s seal locks until commit: ``shared`` (writers),
    ``exclusive`` (a seal, a rebuild's swap) or ``try`` (False when another holds it).
    The lock's class is the table's schema-qualified name: indexes in other schemas of the
    same database (other deployments, parallel test runs) never wait for, or skip a seal
    because of, each other."""
    got = conn.scalar(sa.text(f"SELECT {_LOCK_FUNCTIONS[mode]}("
                              f"hashtext(current_schema() || '.' || :t), :k)"),
                      {"t": t, "k": key})
    return got is not False


def writer_lock(conn: sa.Connection, t: str) -> int:
    """Take the writers' shared lock (held to commit); returns the seal watermark."""
    seal_lock(conn, t, SEAL_LOCK, "shared")
    return state(conn, t)[0]


def _merge(conn: sa.Connection, t: str, adds: dict[str, BitMap]) -> None:
    """OR ``adds`` into the stored chunks of their terms."""
    by_chunk: dict[tuple[str, int], BitMap] = {}
    for term, bm in adds.items():
        for chunk, data in _chunks(bm):
            by_chunk[(term, chunk)] = BitMap.deserialize(data)
    if not by_chunk:
        return
    keys = list(by_chunk)
    for term, chunk, data in conn.execute(sa.text(
            f"SELECT b.term, b.chunk, b.bits FROM {t}_bits b JOIN unnest("
            f"CAST(:terms AS text[]), CAST(:chunks AS int[])) AS k(term, chunk) "
            f"USING (term, chunk)"),
            {"terms": [k[0] for k in keys], "chunks": [k[1] for k in keys]}):
        by_chunk[(term, chunk)] |= BitMap.deserialize(bytes(data))
    rows = []
    for (term, chunk), bm in by_chunk.items():
        bm.run_optimize()
        rows.append({"term": term, "chunk": chunk, "bits": bm.serialize()})
    conn.execute(sa.text(
        f"INSERT INTO {t}_bits (term, chunk, bits) VALUES (:term, :chunk, :bits) "
        f"ON CONFLICT (term, chunk) DO UPDATE SET bits = EXCLUDED.bits"), rows)


def seal(conn: sa.Connection, t: str, promote: int = PROMOTE_PER_SEAL) -> int:
    """Move the entries written since the last seal, and the dead ords, into the bitmaps;
    promote lexemes that became frequent. Runs in the caller's transaction; returns the
    number of entries sealed."""
    seal_lock(conn, t, SEAL_LOCK)
    sealed, frequent = state(conn, t)
    upto = conn.scalar(sa.text(f"SELECT max(ord) FROM {t}"))
    upto = max(sealed, int(upto or 0))
    rows = conn.execute(sa.text(
        f"SELECT l, array_agg(ord) FROM (SELECT ord, unnest(tsvector_to_array(fts) || "
        f"tsvector_to_array(aux)) AS l FROM {t} WHERE ord > :s AND ord <= :u) x "
        f"WHERE l NOT LIKE '=%' GROUP BY l"), {"s": sealed, "u": upto}).all()
    new = {str(lexeme): BitMap(ords) for lexeme, ords in rows}
    known = set(conn.scalars(sa.text(f"SELECT term FROM {t}_terms WHERE term = ANY(:l)"),
                             {"l": list(new)}).all())
    adds = {term: new[term] for term in known}
    sealed_rows = int(conn.scalar(sa.text(
        f"SELECT count(*) FROM {t} WHERE ord > :s AND ord <= :u"), {"s": sealed, "u": upto})
        or 0)
    total = int(conn.scalar(sa.text(
        "SELECT greatest(reltuples, 1) FROM pg_class WHERE oid = to_regclass(:t)"),
        {"t": t}) or 1)
    floor = min(frequent, max(3, math.ceil(frequent * sealed_rows / max(total, 1))))
    candidates = sorted((lx for lx in new if lx not in known and len(new[lx]) >= floor),
                        key=lambda lx: -len(new[lx]))[:promote]
    promoted = []
    for lexeme in candidates:
        q = {"q": lit(lexeme), "f": frequent, "u": upto}
        col = column_of(lexeme)
        have = conn.scalar(sa.text(
            f"SELECT count(*) FROM (SELECT 1 FROM {t} WHERE {col} @@ CAST(:q AS tsquery) "
            f"LIMIT :f) x"), q)
        if int(have or 0) >= frequent:
            adds[lexeme] = BitMap(conn.scalars(sa.text(
                f"SELECT ord FROM {t} WHERE ord <= :u AND {col} @@ CAST(:q AS tsquery)"),
                q).all())
            promoted.append(lexeme)
    dead = BitMap(conn.scalars(sa.text(f"DELETE FROM {t}_dead RETURNING ord")).all())
    if dead:
        adds[DEAD] = dead
    _merge(conn, t, adds)
    if promoted:
        conn.execute(sa.text(f"INSERT INTO {t}_terms SELECT unnest(CAST(:p AS text[]))"),
                     {"p": promoted})
    conn.execute(sa.text(f"UPDATE {t}_state SET sealed = :u"), {"u": upto})
    return sealed_rows


def unsealed(conn: sa.Connection, t: str) -> int:
    """How many ords were handed out since the last seal (an upper bound of the entries)."""
    return int(conn.scalar(sa.text(
        f"SELECT greatest(0, (SELECT last_value FROM {t}_ordseq) - "
        f"(SELECT sealed FROM {t}_state))")) or 0)


def record_dead(conn: sa.Connection, t: str, ords: Iterable[int], sealed: int) -> None:
    """Old ords of replaced or removed entries: those in the bitmaps go to the dead set."""
    old = [o for o in ords if o is not None and o <= sealed]
    if old:
        conn.execute(sa.text(f"INSERT INTO {t}_dead SELECT unnest(CAST(:o AS bigint[])) "
                             f"ON CONFLICT DO NOTHING"), {"o": old})


def check(conn: sa.Connection, t: str, sample: int = 12) -> list[str]:
    """Frequent lexemes whose bitmap disagrees with the GIN index: the ``sample`` largest,
    as many chosen at random, and any whose bitmap is gone; each check visits the
    lexeme's rows."""
    sealed, _ = state(conn, t)
    terms = conn.scalars(sa.text(
        f"(SELECT term FROM {t}_bits GROUP BY term ORDER BY sum(length(bits)) DESC "
        f"LIMIT :n) UNION (SELECT term FROM {t}_terms ORDER BY random() LIMIT :n) "
        f"UNION (SELECT term FROM {t}_terms x WHERE NOT EXISTS "
        f"(SELECT 1 FROM {t}_bits b WHERE b.term = x.term))"),
        {"n": sample}).all()
    bitmaps = load(conn, t, terms)
    dead = bitmaps.pop(DEAD, BitMap()) | BitMap(
        conn.scalars(sa.text(f"SELECT ord FROM {t}_dead")).all())
    wrong = []
    for term in sorted(t_ for t_ in terms if t_ != DEAD):
        held = bitmaps.get(term, BitMap()) - dead
        actual = BitMap(conn.scalars(sa.text(
            f"SELECT ord FROM {t} WHERE ord <= :s AND {column_of(term)} @@ "
            f"CAST(:q AS tsquery)"), {"s": sealed, "q": lit(term)}).all())
        if held != actual:
            wrong.append(term)
    return wrong

