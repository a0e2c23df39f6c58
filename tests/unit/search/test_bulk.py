"""The bulk loader used by rebuild writes what Whoosh's own writer writes."""

from __future__ import annotations

from pathlib import Path

from whoosh import index as wix

from search import SearchQuery, WhooshIndex
from search.bulkwrite import BulkSegmentWriter
from search.schema import build_schema, doc_fields

QUERIES = ["chuyen doi so", "chuyển đổi", '"ý kiến"', '"cải cách hành chính"', "chuy*",
           "đường", "kế hoạch", '"82/KH-UBND"', ""]


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
