"""The Whoosh fast paths (search.whoosh_fast) read what Whoosh's own readers read and write
what its own writers write; they use only the private Whoosh fields their docstring lists,
checked against the installed Whoosh version."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

from whoosh import index as wix
from whoosh import query as wq
from whoosh.reading import SegmentReader

import search.whoosh_fast as whoosh_fast
from search import SearchQuery, WhooshIndex
from search.analysis import fold, parse_query
from search.schema import build_schema, doc_fields
from search.whoosh_fast.bulkwrite import BulkSegmentWriter
from search.whoosh_fast.fastquery import FastSearcher, _read_all, _read_lengths, run_query
from search.whoosh_fast.purge import can_rewrite
from search.whoosh_index import _purge_deleted

FAST = Path(whoosh_fast.__file__).parent
# Private names the fast-path modules define themselves (not Whoosh's).
OWN = {"_Postings", "_MemPool", "_fast", "_doc_tokens", "_tokens", "_index_text",
       "_write_term", "_write_block", "_freq_values", "_worker", "_alive_check", "_put",
       "_get", "_masks", "_per_doc", "_data", "_size", "_read_all", "_read_lengths",
       "_EMPTY", "_BYTE_LEN"}


def _private_names_used() -> set[str]:
    used: set[str] = set()
    for path in FAST.glob("*.py"):
        if path.name == "__init__.py":
            continue
        src = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\.(_[a-z]\w*)\b", src))  # attribute access
        used |= set(re.findall(r"\b(_[a-z]\w*)=", src))  # keyword arguments
        used |= set(re.findall(r"^    def (_[a-z]\w*)\(", src, re.M))  # overridden methods
        used |= set(re.findall(r"""getattr\(\w+, "(_\w+)\"""", src))
        for line in re.findall(r"^from whoosh\S* import (.+)$", src, re.M):
            used |= {n.strip() for n in line.split(",") if n.strip().startswith("_")}
    return used - OWN


def test_the_installed_whoosh_is_the_checked_and_pinned_version():
    setup_cfg = (FAST.parents[1] / "setup.cfg").read_text(encoding="utf-8")
    assert f"whoosh-reloaded=={whoosh_fast.WHOOSH_CHECKED}" in setup_cfg
    assert version("whoosh-reloaded") == whoosh_fast.WHOOSH_CHECKED, (
        "re-check every private field listed in search/whoosh_fast/__init__.py, "
        "then update WHOOSH_CHECKED and the pin")


def test_every_private_whoosh_field_used_is_listed_in_the_docstring():
    listed = set(re.findall(r"``(_[a-z]\w*)``", whoosh_fast.__doc__ or ""))
    used = _private_names_used()
    assert used, "the scan found nothing: it no longer reads the modules"
    assert used - listed == set()
    assert listed - used - {"_write_block"} == set(), "listed but no longer used"


def _index(tmp_path: Path, name: str, docs: list) -> object:
    (tmp_path / name).mkdir()
    ix = wix.create_in(str(tmp_path / name), build_schema())
    w = ix.writer()
    for d in docs:
        w.add_document(**doc_fields(d))
    w.commit()
    return ix


def _docs(seed_texts, make_doc) -> list:
    return [make_doc(id=f"d{i}", subject=t.splitlines()[0], content=t * (1 + i % 3) + f" riêng{i}",
                     visibility=frozenset({"all"} if i % 2 else {"dept:VP"}))
            for i, t in enumerate(seed_texts * 2)]


def test_posting_lists_and_lengths_read_like_whoosh_reads_them(tmp_path, seed_texts, make_doc):
    ix = _index(tmp_path, "ix", _docs(seed_texts, make_doc))
    with ix.reader() as reader:
        (leaf, _), = reader.leaf_readers()
        schema = leaf.schema
        terms = list(leaf.all_terms())
        assert len(terms) > 1000
        for fieldname, tbytes in terms:
            m = leaf.postings(fieldname, tbytes)
            expected = []
            while m.is_active():
                expected.append((m.id(), m.weight()))
                m.next()
            ids, weights = _read_all(leaf._terms.matcher(fieldname, tbytes,
                                                         schema[fieldname].format))
            assert list(zip(ids.tolist(), weights.tolist(), strict=True)) == expected
        for field in ("body_f", "bi_f", "exact", "subj_f"):
            lengths = _read_lengths(leaf, field)
            assert lengths.tolist() == [leaf.doc_field_length(n, field)
                                        for n in range(leaf.doc_count_all())]


def test_fast_queries_match_the_documents_whoosh_queries_match(tmp_path, seed_texts, make_doc):
    ix = _index(tmp_path, "ix", _docs(seed_texts, make_doc))
    with ix.searcher() as s:
        fs = FastSearcher(s)
        allowed = fs.mask("acl", "all") & fs.live
        for text in ("chuyen doi so", "chuyển đổi", '"cải cách hành chính"', "chuy*",
                     "kế hoạch", '"ý kiến" ubnd'):
            pq = parse_query(text)
            parts: list[wq.Query] = [wq.Term("acl", "all")]
            parts += [wq.Term("body_f", fold(t)) for t in pq.terms]
            for words in pq.phrases:
                folded = [fold(w) for w in words]
                parts += [wq.Term("bi_f", f"{a} {b}")
                          for a, b in zip(folded, folded[1:], strict=False)]
            parts += [wq.Prefix("body_f", fold(p)) for p in pq.prefixes]
            expected = {h.docnum for h in s.search(wq.And(parts), limit=None)}
            matched, top, _ = run_query(fs, pq, allowed, limit=10)
            assert expected, text
            assert set(matched.tolist()) == expected, text
            assert len(top) == min(10, len(expected)) and set(top.tolist()) <= expected


def _postings(reader) -> dict:
    out = {}
    for fieldname, text in reader.all_terms():
        m = reader.postings(fieldname, text)
        items = []
        while m.is_active():
            items.append((m.id(), m.weight(), m.value()))
            m.next()
        out[(fieldname, text)] = items
    return out


def _whoosh_purge(writer, segments):
    """Whoosh's own way: copy the live documents of a segment through ``add_reader``."""
    keep = []
    for seg in segments:
        if seg.deleted_count():
            reader = SegmentReader(writer.storage, writer.schema, seg,
                                   generation=writer.generation)
            writer.add_reader(reader)
            reader.close()
        else:
            keep.append(seg)
    return keep


def test_purged_segment_is_the_segment_whoosh_writes(tmp_path, seed_texts, make_doc):
    docs = _docs(seed_texts, make_doc)
    assert can_rewrite(build_schema())
    readers = []
    for name, policy in (("whoosh", _whoosh_purge), ("fast", _purge_deleted)):
        ix = _index(tmp_path, name, docs)
        w = ix.writer()
        for d in docs[::3]:  # the documents that became classified
            w.delete_by_term("id", d.id)
        w.commit(mergetype=policy)
        readers.append(ix.reader())
    a, b = readers
    assert a.doc_count_all() == b.doc_count_all() == len(docs) - len(docs[::3])
    assert _postings(a) == _postings(b)
    # the words of the purged documents left the files
    words = {t.decode() for f, t in b.all_terms() if f == "body_f"}
    assert {f"rieng{i}" for i in range(len(docs))} & words == {
        f"rieng{i}" for i in range(len(docs)) if i % 3}
    for docnum in range(a.doc_count_all()):
        assert a.stored_fields(docnum) == b.stored_fields(docnum)
        for field in ("body_f", "bi_f", "exact", "subj_f"):
            assert a.doc_field_length(docnum, field) == b.doc_field_length(docnum, field)
    a.close()
    b.close()


# -- bulkwrite (rebuild) ----------------------------------------------------------------
QUERIES = ["chuyen doi so", "chuyển đổi", '"ý kiến"', '"cải cách hành chính"', "chuy*",
           "đường", "kế hoạch", '"82/KH-UBND"', ""]


def test_bulk_writer_writes_the_same_postings_as_whoosh(tmp_path: Path, seed_texts, make_doc):
    docs = [make_doc(id=f"d{i}", subject=t.splitlines()[0], content=t * (1 + i % 2))
            for i, t in enumerate(seed_texts)]
    readers = []
    for name, cls in (("whoosh", None), ("bulk", BulkSegmentWriter)):
        (tmp_path / name).mkdir()
        ix = wix.create_in(str(tmp_path / name), build_schema())
        w = cls(ix) if cls else ix.writer()
        for d in docs:
            w.add_document(**doc_fields(d))
        w.commit()
        readers.append(ix.reader())
    a, b = readers
    assert _postings(a) == _postings(b)
    for docnum in range(len(docs)):
        assert a.stored_fields(docnum) == b.stored_fields(docnum)
        for field in ("body_f", "bi_f", "exact", "subj_f"):
            assert a.doc_field_length(docnum, field) == b.doc_field_length(docnum, field)


def test_rebuilt_index_answers_like_an_applied_one(tmp_path: Path, seed_texts, make_doc):
    docs = [make_doc(id=f"d{i}", subject=t.splitlines()[0], content=t,
                     visibility=frozenset({"all"} if i % 2 else {"dept:VP"}))
            for i, t in enumerate(seed_texts * 3)]
    applied, rebuilt = WhooshIndex(tmp_path / "a"), WhooshIndex(tmp_path / "b")
    applied.apply(docs)
    rebuilt.rebuild(docs)
    for keys in ({"all"}, {"all", "dept:VP"}):
        for text in QUERIES:
            ra = applied.search(SearchQuery(text=text, per_page=50), keys)
            rb = rebuilt.search(SearchQuery(text=text, per_page=50), keys)
            assert ra.total == rb.total, text
            assert {h.id for h in ra.hits} == {h.id for h in rb.hits}, text


def test_phrase_needs_adjacent_words(index, make_doc):
    index.apply([
        make_doc(id="adjacent", content="Đẩy mạnh cải cách hành chính trong năm"),
        make_doc(id="apart", content="Cải cách chế độ công vụ và hành chính công"),
    ])
    assert {h.id for h in index.search(SearchQuery(text='"cai cach hanh chinh"'),
                                       {"all"}).hits} == {"adjacent"}
    assert index.search(SearchQuery(text="cai cach hanh chinh"), {"all"}).total == 2


def test_rebuilt_segments_survive_whoosh_merges(tmp_path: Path, seed_texts, make_doc):
    docs = [make_doc(id=f"d{i}", subject=t.splitlines()[0], content=t)
            for i, t in enumerate(seed_texts)]
    ix = WhooshIndex(tmp_path / "ix")
    ix.rebuild(docs)
    before = ix.search(SearchQuery(text="chuyen doi so"), {"all"}).total
    assert before and ix.suggest("chuy", {"all"})
    # Reclassifying rewrites the bulk-written segment through Whoosh's own merge code.
    hit = next(d for d in docs if d.id == ix.search(SearchQuery(text="chuyen doi so"),
                                                    {"all"}).hits[0].id)
    ix.apply([make_doc(**{**hit.__dict__, "secrecy": "mat"})])
    assert ix.search(SearchQuery(text="chuyen doi so"), {"all"}).total == before - 1
    phrase = SearchQuery(text='"chuyển đổi số"')
    n_phrase = ix.search(phrase, {"all"}).total
    ix.apply([make_doc(id="new", content="chuyển đổi số cấp xã")])
    assert ix.search(phrase, {"all"}).total == n_phrase + 1
    assert hit.id not in ix.stamps()
