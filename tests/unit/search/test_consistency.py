"""Acceptance 4 of issue 4: concurrent writers lose nothing; a killed writer is repaired."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
from pathlib import Path

import pytest

from search import IndexedDocument, SearchQuery, WhooshIndex, verify


def _doc(doc_id: str, version: str, text: str = "") -> IndexedDocument:
    return IndexedDocument(
        id=doc_id, secrecy="none", type_code="CV", code=f"{doc_id}/UBND-VP",
        issuer_name="Văn phòng UBND", subject=f"Công văn {doc_id} về chuyển đổi số",
        content=text or f"Nội dung văn bản {doc_id} phiên bản {version}",
        year=2026, visibility=frozenset({"all"}), version=version,
    )


def _writer_proc(path: str, proc: int, n: int) -> None:
    ix = WhooshIndex(path, lock_timeout=120)
    for i in range(n):
        # Own documents plus a shared one every process keeps updating.
        ix.apply([_doc(f"p{proc}-{i}", f"v{i}")])
        if i % 10 == 0:
            ix.apply([_doc("shared", f"p{proc}-{i}")])


@pytest.mark.slow
def test_four_processes_making_100_updates_each_lose_none(tmp_path: Path):
    path = str(tmp_path / "ix")
    WhooshIndex(path).close()
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_writer_proc, args=(path, p, 100)) for p in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
        assert p.exitcode == 0
    ix = WhooshIndex(path)
    stamps = ix.stamps()
    expected = {f"p{p}-{i}": f"v{i}" for p in range(4) for i in range(100)}
    assert {k: v for k, v in stamps.items() if k != "shared"} == expected
    assert stamps["shared"].endswith("-90")
    assert ix.search(SearchQuery(text="chuyen doi so"), {"all"}).total == 401
    assert ix.doc_count() == 401  # no duplicate entries either


def _killed_writer(path: str, ready, n: int) -> None:
    ix = WhooshIndex(path)

    def docs():
        for i in range(n):
            yield _doc(f"b{i}", "v2")
            if i == n // 2:
                ready.set()  # mid-batch: half the batch is in the writer, lock held
                signal.pause()

    ix.apply(docs())


def test_writer_killed_mid_batch_leaves_gap_that_verify_reports_and_rebuild_repairs(
        tmp_path: Path):
    path = str(tmp_path / "ix")
    ix = WhooshIndex(path)
    ix.apply(_doc(f"b{i}", "v1") for i in range(40))
    ctx = mp.get_context("fork")
    ready = ctx.Event()
    child = ctx.Process(target=_killed_writer, args=(path, ready, 80))
    child.start()
    assert ready.wait(60)
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    assert child.exitcode == -signal.SIGKILL

    # The database committed all 80 as version v2.
    expected = {f"b{i}": "v2" for i in range(80)}
    report = verify(ix, expected, classified_ids=set())
    assert not report.ok
    assert report.missing == sorted(f"b{i}" for i in range(40, 80))
    assert report.stale == sorted(f"b{i}" for i in range(40))
    # The index still works for readers and writers (the lock died with the process).
    assert ix.search(SearchQuery(text="b3"), {"all"}).total == 1
    ix.apply([_doc("extra", "v1")])
    assert verify(ix, expected, set()).extra == ["extra"]

    progress: list[int] = []
    rebuilt = ix.rebuild((_doc(i, v) for i, v in expected.items()), progress=progress.append)
    assert rebuilt.indexed == 80 and progress[-1] == 80
    assert verify(ix, expected, set()).ok
    assert ix.search(SearchQuery(text="phien ban"), {"all"}).total == 80
    assert [p.name for p in Path(path).iterdir() if p.name.startswith("gen-")] == [
        Path(rebuilt.path).name]


def test_readers_keep_working_across_a_rebuild_swap(tmp_path: Path):
    path = tmp_path / "ix"
    writer, reader = WhooshIndex(path), WhooshIndex(path)
    writer.apply([_doc("a", "v1")])
    assert reader.search(SearchQuery(text="chuyen doi"), {"all"}).total == 1
    writer.rebuild([_doc("a", "v1"), _doc("b", "v1")])
    assert reader.search(SearchQuery(text="chuyen doi"), {"all"}).total == 2
    assert (path / "current").is_symlink()
