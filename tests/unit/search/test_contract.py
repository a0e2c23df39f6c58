"""The search backend contract (issue 13): the same tests on Whoosh and on PostgreSQL.

Vietnamese folding (đ/Đ, stacked diacritics, NFD input), phrases and prefixes, totals
that count only what the caller may see, classified documents refused by the one guard
every backend goes through, out-of-order updates (the newest revision wins), and a
rebuild that readers see either wholly before or wholly after.
"""

from __future__ import annotations

import threading
import unicodedata

import pytest

from search import SearchQuery

ALL = {"all"}


def found(index, text, keys=ALL, **kw) -> set[str]:
    res = index.search(SearchQuery(text=text, per_page=200, **kw), keys)
    assert res.total == len(res.hits)
    return {h.id for h in res.hits}


def test_d_with_stroke_folds_both_ways_in_upper_and_lower_case(any_index, make_doc):
    any_index.apply([
        make_doc(id="a", subject="ĐỀ ÁN ĐÀO TẠO", content="Đội ngũ đô thị"),
        make_doc(id="b", subject="Kế hoạch", content="dao tao do thi"),
        make_doc(id="c", subject="Kế hoạch", content="đạo đức"),
    ])
    assert found(any_index, "đào tạo") == {"a", "b"}
    assert found(any_index, "DAO TAO") == {"a", "b"}
    assert found(any_index, "Đội") == found(any_index, "doi") == {"a"}
    assert found(any_index, "đạo") == {"a", "b", "c"}  # folded: đạo = dao = đào
    hits = any_index.search(SearchQuery(text="đạo"), ALL).hits
    assert hits[0].id == "c"  # the exact spelling ranks first


def test_stacked_diacritics_and_nfd_input(any_index, make_doc):
    word = "nghiệp"  # ệ: circumflex and dot below on one letter
    any_index.apply([
        make_doc(id="n1", subject="Doanh nghiệp", content="Hỗ trợ doanh nghiệp khởi nghiệp"),
        make_doc(id="n2", subject="Văn bản", content="chuyên nghiep"),
        make_doc(id="n3", subject=unicodedata.normalize("NFD", "Ưu đãi nghiệp vụ"),
                 content=unicodedata.normalize("NFD", "khuyến khích đầu tư")),
    ])
    nfd = unicodedata.normalize("NFD", word)
    assert nfd != word
    assert found(any_index, word) == found(any_index, nfd) == found(any_index, "nghiep") \
        == {"n1", "n2", "n3"}
    assert found(any_index, "khuyến khích") == found(any_index, "khuyen khich") == {"n3"}
    assert any_index.search(SearchQuery(text=nfd), ALL).hits[-1].id == "n2"
    hit = any_index.search(SearchQuery(text="khởi"), ALL).hits[0]
    assert "<mark>khởi</mark>" in hit.snippet_html


def test_phrase_needs_the_words_in_order_and_prefix_completes_words(any_index, make_doc):
    any_index.apply([
        make_doc(id="p1", subject="Văn bản", content="triển khai chính quyền điện tử cấp xã"),
        make_doc(id="p2", subject="Văn bản", content="điện lực và chính sách quyền lợi"),
        make_doc(id="p3", subject="Văn bản", content="quyền chính điện"),
    ])
    assert found(any_index, "chính quyền điện") == {"p1", "p2", "p3"}
    assert found(any_index, '"chính quyền điện tử"') == {"p1"}
    assert found(any_index, '"chinh quyen dien tu"') == {"p1"}
    assert found(any_index, "quyền lợ*") == {"p2"}
    assert found(any_index, "quy*") == {"p1", "p2", "p3"}
    assert found(any_index, "đi*") == {"p1", "p2", "p3"}
    assert found(any_index, "điện tu*") == {"p1"}


def test_totals_and_facets_count_only_what_the_caller_may_see(any_index, make_doc):
    text = "báo cáo tình hình kinh tế xã hội"
    any_index.apply(
        [make_doc(id=f"vp{i}", content=text, visibility=frozenset({"dept:VP"}))
         for i in range(6)]
        + [make_doc(id=f"tc{i}", content=text, type_code="BC", visibility=frozenset(
            {"dept:TC", "user:an"})) for i in range(4)]
        + [make_doc(id="pub", content=text)])
    q = SearchQuery(text="kinh te", per_page=2, facets=True)
    vp = any_index.search(q, {"all", "dept:VP"})
    assert vp.total == 7 and vp.pages == 4 and len(vp.hits) == 2
    assert vp.facets["type_code"] == {"KH": 7}
    tc = any_index.search(q, {"user:an"})
    assert tc.total == 4 and tc.facets["type_code"] == {"BC": 4}
    assert any_index.search(q, set()).total == 0
    assert any_index.search(q, {"dept:NV"}).total == 0
    browse = any_index.search(SearchQuery(per_page=100), {"dept:TC"})
    assert browse.total == 4 and {h.id for h in browse.hits} == {f"tc{i}" for i in range(4)}
    pages = set()
    for page in range(1, 5):
        pages |= {h.id for h in any_index.search(
            SearchQuery(text="kinh te", per_page=2, page=page), {"all", "dept:VP"}).hits}
    assert pages == {f"vp{i}" for i in range(6)} | {"pub"}


def test_classified_documents_are_refused_by_every_backend(any_index, make_doc):
    word = "mậtkhẩuxưởng"
    any_index.apply([make_doc(id="r1", subject=f"Phương án {word}", content=word),
                     make_doc(id="r2", subject="Phương án khác")])
    assert found(any_index, word) == {"r1"}
    result = any_index.apply([make_doc(id="r1", secrecy="mat", subject=word, content=word),
                              make_doc(id="r3", secrecy="toi_mat", subject=word),
                              make_doc(id="r4", secrecy="", subject=word)])
    assert result.refused == ["r1", "r3", "r4"] and result.upserted == []
    keys = {"all", "dept:VP"}
    for text in (word, "matkhau*", f'"phương án {word}"'):
        assert any_index.search(SearchQuery(text=text, facets=True), keys).total == 0
    assert any_index.search(SearchQuery(per_page=50), keys).total == 1
    assert any_index.suggest("mậtkh", keys) == []
    assert set(any_index.stamps()) == {"r2"}
    report = any_index.rebuild([make_doc(id="r1", secrecy="mat", subject=word),
                                make_doc(id="r5", subject="Công khai")])
    assert report.indexed == 1 and report.refused == ["r1"]
    assert set(any_index.stamps()) == {"r5"}


def test_out_of_order_updates_keep_the_newest_revision(any_index, make_doc):
    new = make_doc(id="o1", subject="Kế hoạch mới", content="phiên bản mới nhất",
                   version="v3", revision=3)
    old = make_doc(id="o1", subject="Kế hoạch cũ", content="phiên bản cũ", version="v2",
                   revision=2)
    any_index.apply([new])
    result = any_index.apply([old])  # delivered late
    assert result.stale == ["o1"] and result.upserted == []
    assert any_index.stamps()["o1"] == "v3"
    assert found(any_index, "cũ") == set() and found(any_index, "mới") == {"o1"}
    # Reclassified at revision 4: a late unclassified revision 3 must not bring it back.
    assert any_index.apply([make_doc(id="o1", secrecy="mat", revision=4)]).refused == ["o1"]
    assert any_index.apply([new]).stale == ["o1"]
    assert found(any_index, "mới") == set() and "o1" not in any_index.stamps()
    # Declassified at revision 5: searchable again; unordered (0) updates always apply.
    any_index.apply([make_doc(id="o1", subject="Kế hoạch công khai", revision=5, version="v5")])
    assert found(any_index, "công khai") == {"o1"}
    any_index.apply([make_doc(id="o1", subject="Kế hoạch sửa", revision=0, version="v0")])
    assert any_index.stamps()["o1"] == "v0"


def test_one_batch_applies_in_order_even_when_an_id_comes_again(any_index, make_doc):
    """Many documents in one apply (a worker's batch); an id given twice: the last wins,
    and a delete after an upsert of the same id removes it."""
    docs = [make_doc(id=f"b{i}", subject=f"Báo cáo lô {i}", version="v1") for i in range(5)]
    any_index.apply(docs)
    any_index.apply([make_doc(id="b1", subject="Báo cáo sửa", version="v2"),
                     make_doc(id="b1", subject="Báo cáo cuối", version="v3"),
                     make_doc(id="b2", subject="Báo cáo tạm", version="v2")],
                    deletes=["b2", "b3"])
    assert found(any_index, "báo cáo") == {"b0", "b1", "b4"}
    assert found(any_index, "cuối") == {"b1"} and found(any_index, "sửa") == set()
    assert any_index.stamps()["b1"] == "v3"


def test_suggestions_come_from_visible_subjects(any_index, make_doc):
    any_index.apply([
        make_doc(id="s1", subject="Kế hoạch chuyển đổi số năm 2026"),
        make_doc(id="s2", subject="Báo cáo chuyển đổi số quý I"),
        make_doc(id="s3", subject="Chuyên đề an toàn thông tin", visibility=frozenset({"x"})),
    ])
    assert any_index.suggest("chuyen", ALL) == ["chuyển đổi"]
    assert set(any_index.suggest("chuyển đổi s", ALL)) == {"chuyển đổi số năm",
                                                           "chuyển đổi số quý"}
    assert any_index.suggest("chuy", {"x"}) == ["chuyên đề"]
    assert any_index.suggest("chuy", {"y"}) == []


def test_rebuild_swaps_atomically_while_readers_search(any_index, make_doc):
    any_index.apply([make_doc(id=f"old{i}", content="hồ sơ lưu trữ") for i in range(30)])
    seen: list[int] = []
    stop = threading.Event()
    errors: list[BaseException] = []

    def reader() -> None:
        while not stop.is_set():
            try:
                seen.append(any_index.search(SearchQuery(text="ho so"), ALL).total)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                return

    def docs():
        for i in range(45):
            if i == 20:
                assert seen, "the reader searched before the swap"
            yield make_doc(id=f"new{i}", content="hồ sơ lưu trữ điện tử")

    thread = threading.Thread(target=reader)
    thread.start()
    while not seen:
        stop.wait(0.01)
    try:
        report = any_index.rebuild(docs())
    finally:
        stop.set()
        thread.join()
    assert not errors
    assert report.indexed == 45
    assert set(seen) <= {30, 45}  # never half a generation
    assert found(any_index, "ho so") == {f"new{i}" for i in range(45)}
    # A rebuild that fails half way leaves the current generation untouched.

    def broken():
        yield make_doc(id="x1", content="hồ sơ")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        any_index.rebuild(broken())
    assert len(found(any_index, "ho so")) == 45
    any_index.apply([make_doc(id="after", content="hồ sơ mới")])
    assert len(found(any_index, "ho so")) == 46
