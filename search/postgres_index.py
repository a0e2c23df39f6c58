"""PostgreSQL full-text implementation of :class:`search.model.SearchIndex`.

Takes a SQLAlchemy engine (no Flask, no application models). Tables, in the engine's
schema (``table`` is the prefix)::

    <table>          one row per visible document: metadata, access keys (text[]),
                     tsvectors ``fts`` (folded by unaccent: đ → d) and ``exact``
                     (diacritics kept, ranks exact matches first), the snippet source,
                     and ``subj_f`` (folded subject, pg_trgm index for suggestions)
    <table>_tomb     revisions of removed entries (a stale upsert cannot resurrect one)

Text is normalised to NFC and split into syllables in Python (the same tokenizer as the
Whoosh backend), then folded by ``unaccent`` inside PostgreSQL, for documents and queries
alike. The permission filter (``acl && keys``) is part of every query, so totals, facets,
snippets and suggestions count only what the caller may see. Snippets are built only for
the page shown. Rebuild fills ``<table>_new`` and swaps it in with two renames in one
transaction: readers see the old or the new table, never half of one.

Writers serialise per document with ``pg_advisory_xact_lock`` (ids locked in sorted order),
so concurrent workers on several machines apply each document's newest revision.
"""

# ruff: noqa: S608 - the only interpolated names are the validated table name and fixed SQL
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from search.analysis import fold, folded_tokens, nfc, parse_query, tokens
from search.guard import GuardedIndex, Removal, WriteResult
from search.model import Hit, IndexedDocument, SearchError, SearchQuery, SearchResults
from search.schema import EXACT_CONTENT_CHARS, SNIPPET_SOURCE_CHARS, date_key, issuer_key
from search.snippets import snippet_html

#: First key of the advisory locks taken by writers (the second is the id's hash).
LOCK_CLASS = 0x5E4C
_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")
#: Weight of an exact (with diacritics) match relative to a folded one: large enough that
#: documents spelling the query words exactly rank above those matching only when folded.
EXACT_BOOST = 10.0
#: Extensions installed into ``public`` (a shared schema every search_path can reach).
EXTENSIONS = ("unaccent", "pg_trgm")


def _words(text: str) -> str:
    """NFC syllables of ``text``, lowercased, joined by spaces (what tsvectors index)."""
    return " ".join(t.replace("_", " ") for t in tokens(text))


def _tsquery_word(word: str) -> str:
    return "'" + word.replace("'", "''").replace("\\", "\\\\") + "'"


class PostgresIndex(GuardedIndex):
    """Search entries in PostgreSQL tables next to (or apart from) the application data.

    ``engine``: a SQLAlchemy engine on PostgreSQL (psycopg). ``table``: name of the entry
    table (lowercase identifier). Create the tables with :meth:`create` (idempotent; the
    ``unaccent`` and ``pg_trgm`` extensions must be installable or installed in ``public``).
    """

    def __init__(self, engine: sa.Engine, table: str = "search_entries", *,
                 create: bool = True) -> None:
        if engine.dialect.name != "postgresql":
            raise SearchError("Chỉ mục PostgreSQL cần cơ sở dữ liệu PostgreSQL.")
        if not _NAME_RE.match(table):
            raise SearchError(f"Tên bảng chỉ mục không hợp lệ: {table!r}")
        self.engine = engine
        self.table = table
        if create:
            self.create()

    # -- schema ----------------------------------------------------------------------------
    @staticmethod
    def _ddl(name: str, idx: str) -> list[str]:
        """The entry table ``name`` and its indexes (named ``idx``_…)."""
        return [
            f"""CREATE TABLE IF NOT EXISTS {name} (
                id text PRIMARY KEY, revision bigint NOT NULL DEFAULT 0,
                version text NOT NULL DEFAULT '', acl text[] NOT NULL,
                type_code text NOT NULL DEFAULT '', year int NOT NULL DEFAULT 0,
                issued int NOT NULL DEFAULT 0, issuer text NOT NULL DEFAULT '',
                register text NOT NULL DEFAULT '', direction text NOT NULL DEFAULT '',
                urgency text NOT NULL DEFAULT '', subject text NOT NULL DEFAULT '',
                code text NOT NULL DEFAULT '', snip text NOT NULL DEFAULT '',
                subj_f text NOT NULL DEFAULT '',
                fts tsvector NOT NULL, exact tsvector NOT NULL)""",
            f"CREATE INDEX IF NOT EXISTS {idx}_fts ON {name} USING gin (fts)",
            f"CREATE INDEX IF NOT EXISTS {idx}_acl ON {name} USING gin (acl)",
            f"CREATE INDEX IF NOT EXISTS {idx}_issued ON {name} (issued DESC)",
            f"CREATE INDEX IF NOT EXISTS {idx}_subj ON {name} "
            f"USING gin (subj_f public.gin_trgm_ops)",
        ]

    def create(self) -> None:
        """Create the extensions (in ``public``) and tables if they do not exist."""
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
        with self.engine.begin() as conn:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:c, 0)"), {"c": LOCK_CLASS})
            for stmt in self._ddl(self.table, self.table):
                conn.execute(sa.text(stmt))
            conn.execute(sa.text(
                f"CREATE TABLE IF NOT EXISTS {self.table}_tomb "
                f"(id text PRIMARY KEY, revision bigint NOT NULL)"))

    def drop(self) -> None:
        with self.engine.begin() as conn:
            for suffix in ("", "_tomb", "_new"):
                conn.execute(sa.text(f"DROP TABLE IF EXISTS {self.table}{suffix}"))

    # -- writing ---------------------------------------------------------------------------
    def _insert_sql(self, name: str, upsert: bool) -> str:
        cols = ("id, revision, version, acl, type_code, year, issued, issuer, register, "
                "direction, urgency, subject, code, snip, subj_f, fts, exact")
        vals = (":id, :revision, :version, :acl, :type_code, :year, :issued, :issuer, "
                ":register, :direction, :urgency, :subject, :code, :snip, "
                "public.unaccent('public.unaccent', :subj_words), "
                "setweight(to_tsvector('simple', public.unaccent('public.unaccent', "
                ":subj_words)), 'A') || to_tsvector('simple', public.unaccent("
                "'public.unaccent', :body_words)), "
                "setweight(to_tsvector('simple', :exact_words), 'A')")
        sql = f"INSERT INTO {name} ({cols}) VALUES ({vals})"
        if upsert:
            sets = ", ".join(f"{c.strip()} = EXCLUDED.{c.strip()}" for c in cols.split(",")[1:])
            sql += f" ON CONFLICT (id) DO UPDATE SET {sets}"
        return sql

    @staticmethod
    def _params(doc: IndexedDocument) -> dict[str, Any]:
        subject, content = nfc(doc.subject), nfc(doc.content)
        meta = "\n".join(nfc(x) for x in (doc.code, doc.issuer_name, doc.signer_name) if x)
        year = doc.year or (doc.issued_date.year if doc.issued_date else 0)
        for key in doc.visibility:
            if not key or any(c.isspace() for c in key):
                raise SearchError(f"Khóa quyền truy cập không hợp lệ: {key!r}")
        return {
            "id": doc.id, "revision": doc.revision, "version": doc.version,
            "acl": sorted(doc.visibility), "type_code": nfc(doc.type_code or ""),
            "year": year, "issued": date_key(doc.issued_date),
            "issuer": issuer_key(doc.issuer_name or ""), "register": doc.register or "",
            "direction": doc.direction or "", "urgency": doc.urgency, "subject": subject,
            "code": nfc(doc.code or ""),
            "snip": content[:SNIPPET_SOURCE_CHARS],  # TOAST compresses it
            "subj_words": _words(subject),
            "body_words": _words(meta + "\n" + content),
            "exact_words": _words(subject + "\n" + meta + "\n" + content[:EXACT_CONTENT_CHARS]),
        }

    def _write(self, batch: list[IndexedDocument | Removal]) -> WriteResult:
        result = WriteResult()
        t = self.table
        with self.engine.begin() as conn:
            for doc_id in sorted({item.id for item in batch}):
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:c, hashtext(:id))"),
                             {"c": LOCK_CLASS, "id": doc_id})
            for item in batch:
                if item.revision:
                    held = conn.scalar(sa.text(
                        f"SELECT greatest((SELECT revision FROM {t} WHERE id = :id), "
                        f"(SELECT revision FROM {t}_tomb WHERE id = :id))"), {"id": item.id})
                    if held is not None and item.revision < held:
                        result.stale.append(item.id)
                        continue
                if isinstance(item, Removal):
                    conn.execute(sa.text(f"DELETE FROM {t} WHERE id = :id"), {"id": item.id})
                    if item.revision:
                        conn.execute(sa.text(
                            f"INSERT INTO {t}_tomb VALUES (:id, :r) ON CONFLICT (id) "
                            f"DO UPDATE SET revision = EXCLUDED.revision"),
                            {"id": item.id, "r": item.revision})
                    result.removed.append(item.id)
                    continue
                conn.execute(sa.text(self._insert_sql(t, upsert=True)), self._params(item))
                conn.execute(sa.text(f"DELETE FROM {t}_tomb WHERE id = :id"), {"id": item.id})
                result.written.append(item.id)
        return result

    def _load(self, docs: Iterable[IndexedDocument]) -> str:
        new, t = f"{self.table}_new", self.table
        with self.engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {new}"))
            conn.execute(sa.text(self._ddl(new, new)[0]))
        sql = sa.text(self._insert_sql(new, upsert=True))
        chunk: list[dict[str, Any]] = []
        with self.engine.connect() as conn:
            for doc in docs:
                chunk.append(self._params(doc))
                if len(chunk) >= 500:
                    conn.execute(sql, chunk)
                    conn.commit()
                    chunk = []
            conn.commit()
            with conn.begin():
                if chunk:
                    conn.execute(sql, chunk)
                for stmt in self._ddl(new, new)[1:]:
                    conn.execute(sa.text(stmt))
        with self.engine.begin() as conn:
            # Writers hold per-id locks; readers see the old table or the new one.
            conn.execute(sa.text(f"LOCK TABLE {t} IN ACCESS EXCLUSIVE MODE"))
            conn.execute(sa.text(f"DROP TABLE {t}"))
            conn.execute(sa.text(f"ALTER TABLE {new} RENAME TO {t}"))
            for suffix in ("fts", "acl", "issued", "subj"):
                conn.execute(sa.text(f"ALTER INDEX {new}_{suffix} RENAME TO {t}_{suffix}"))
        # Tombstones stay: a delayed stale upsert must not resurrect a removed entry.
        return t

    # -- reading ---------------------------------------------------------------------------
    def _where(self, q: SearchQuery, keys: list[str]) -> tuple[list[str], dict[str, Any]]:
        where = ["acl && CAST(:keys AS text[])"]
        params: dict[str, Any] = {"keys": keys}
        pq = parse_query(q.text)
        parts: list[str] = [_tsquery_word(w) for w in pq.terms]
        parts += ["(" + " <-> ".join(_tsquery_word(w) for w in ph) + ")" for ph in pq.phrases]
        parts += [_tsquery_word(p) + ":*" for p in pq.prefixes]
        if parts:
            where.append("fts @@ to_tsquery('simple', public.unaccent('public.unaccent', :tsq))")
            params["tsq"] = " & ".join(parts)
            exact = [w for w in pq.terms + [w for ph in pq.phrases for w in ph]
                     if fold(w) != w]
            params["exq"] = " | ".join(_tsquery_word(w) for w in exact) if exact else ""
        filters = {"type_code": q.type_code and nfc(q.type_code),
                   "register": q.register, "direction": q.direction}
        for name, value in filters.items():
            if value:
                where.append(f"{name} = :{name}")
                params[name] = value
        if q.year:
            where.append("year = :year")
            params["year"] = q.year
        if q.issuer:
            where.append("issuer = :issuer")
            params["issuer"] = issuer_key(q.issuer)
        if q.date_from:
            where.append("issued >= :dfrom")
            params["dfrom"] = date_key(q.date_from)
        if q.date_to:
            where.append("issued BETWEEN 1 AND :dto")
            params["dto"] = date_key(q.date_to)
        return where, params

    def search(self, query: SearchQuery, access_keys: Iterable[str]) -> SearchResults:
        """Search what ``access_keys`` may see; totals, facets and snippets count only that."""
        keys = sorted({k for k in access_keys if k and not any(c.isspace() for c in k)})
        page, per_page = max(1, query.page), max(1, min(query.per_page, 200))
        if not keys:
            return SearchResults(total=0, hits=[], page=page, per_page=per_page)
        where, params = self._where(query, keys)
        cond = " AND ".join(where)
        if "tsq" in params:
            fq = "to_tsquery('simple', public.unaccent('public.unaccent', :tsq))"
            score = f"ts_rank(fts, {fq})"
            if params["exq"]:
                score += f" + {EXACT_BOOST} * ts_rank(exact, to_tsquery('simple', :exq))"
            order = f"{score} DESC, issued DESC, id"
        else:
            score, order = "0", "issued DESC, id DESC"
        t = self.table
        with self.engine.connect() as conn:
            total = conn.scalar(sa.text(f"SELECT count(*) FROM {t} WHERE {cond}"), params) or 0
            rows = conn.execute(sa.text(
                f"SELECT id, subject, code, urgency, type_code, snip, {score} AS score "
                f"FROM {t} WHERE {cond} ORDER BY {order} LIMIT :lim OFFSET :off"),
                {**params, "lim": per_page, "off": (page - 1) * per_page}).all()
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
                    score=float(r.score), urgency=r.urgency, type_code=r.type_code)
                for r in rows]
        return SearchResults(total=int(total), hits=hits, page=page, per_page=per_page,
                             facets=facets)

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

