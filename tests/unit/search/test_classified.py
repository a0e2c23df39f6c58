"""Acceptance 2 of issue 4: classified documents never come out of, nor reach, the index."""

from __future__ import annotations

from pathlib import Path

from search import SearchQuery, verify
from search.analysis import fold

ALL = {"all"}


def canary(n: int) -> str:
    return f"bímật{n}xưởngđạn"


def disk_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def assert_not_on_disk(root: Path, words: list[str]) -> None:
    blob = disk_bytes(root)
    assert blob, "index files expected"
    for w in words:
        for form in {w, w.upper(), fold(w), fold(w).upper()}:
            assert form.encode("utf-8") not in blob, f"{form!r} found in index files"


def classified_docs(make_doc, seed_texts):
    return [
        make_doc(id=f"secret{n}", secrecy=("mat", "toi_mat", "tuyet_mat")[n % 3],
                 subject=f"Kế hoạch {canary(n)} bảo vệ", content=f"{seed_texts[n % 5]} {canary(n)}",
                 visibility=frozenset({"all", "dept:VP"}))
        for n in range(50)
    ]


def test_fifty_classified_documents_leave_no_trace(seeded, make_doc, seed_texts, tmp_path):
    docs = classified_docs(make_doc, seed_texts)
    result = seeded.apply(docs)
    assert sorted(result.refused) == sorted(d.id for d in docs) and not result.upserted
    keys = {"all", "dept:VP", "user:admin"}
    for n in (0, 17, 49):
        for text in (canary(n), fold(canary(n)), f"{canary(n)[:6]}*", f'"{canary(n)} bảo vệ"'):
            assert seeded.search(SearchQuery(text=text, facets=True), keys).total == 0
    # Counts over shared words only count the unclassified seeds.
    res = seeded.search(SearchQuery(text="kế hoạch", per_page=100, facets=True), keys)
    assert all(h.id.startswith("s") for h in res.hits)
    assert res.total == len(res.hits) <= 5
    assert sum(res.facets["type_code"].values()) == res.total
    browse = seeded.search(SearchQuery(per_page=100), keys)
    assert browse.total == 5
    assert not any("bímật" in s or "bimat" in s for s in seeded.suggest("bím", keys))
    assert seeded.suggest("bim", keys) == []
    assert not any(i.startswith("secret") for i in seeded.stamps())
    # Also through rebuild.
    report = seeded.rebuild(docs + [make_doc(id="pub", content="văn bản công khai")])
    assert report.indexed == 1 and len(report.refused) == 50
    assert_not_on_disk(seeded.root, [canary(n) for n in range(50)])
    v = verify(seeded, {"pub": "v1"}, {d.id for d in docs})
    assert v.ok, v


def test_reclassifying_removes_at_once_and_declassifying_restores(index, make_doc):
    word = "tuyệtmậtđổimới"
    public = make_doc(id="r1", subject=f"Phương án {word}", content=f"Nội dung {word} chi tiết")
    other = make_doc(id="r2", subject="Phương án khác", content="Nội dung chi tiết")
    index.apply([public, other])
    assert index.search(SearchQuery(text=fold(word)), ALL).total == 1
    assert index.suggest("tuyệtm", ALL) == [word]
    assert word.encode("utf-8") in disk_bytes(index.root)  # the disk check does see words

    result = index.apply([make_doc(**{**public.__dict__, "secrecy": "toi_mat"})])
    assert result.refused == ["r1"]
    assert index.search(SearchQuery(text=word), ALL).total == 0
    assert index.search(SearchQuery(text="phuong an"), ALL).total == 1
    assert index.suggest("tuyệtm", ALL) == []
    assert "r1" not in index.stamps()
    assert_not_on_disk(index.root, [word])  # the segment holding it was rewritten

    index.apply([public])
    hits = index.search(SearchQuery(text=word), ALL).hits
    assert [h.id for h in hits] == ["r1"] and "<mark>" in hits[0].snippet_html


def test_unknown_or_empty_secrecy_counts_as_classified(index, make_doc):
    result = index.apply([make_doc(id="u1", secrecy=""), make_doc(id="u2", secrecy="MAT"),
                          make_doc(id="u3", secrecy="none")])
    assert result.refused == ["u1", "u2"] and result.upserted == ["u3"]
