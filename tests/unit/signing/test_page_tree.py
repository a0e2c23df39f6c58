"""A hostile page tree is a clear SigningError, never a RecursionError (or a 500)."""

from __future__ import annotations

import pytest
from hostile_files import page_tree_cycle, page_tree_loop, reference_loop

from signing import SigningError
from signing.pades import open_pdf, page_refs


def test_pages_in_order(make_reserved_pdf):
    refs = page_refs(open_pdf(make_reserved_pdf(pages=3)))
    assert len(refs) == 3
    assert len({r.idnum for r in refs}) == 3


@pytest.mark.parametrize("hostile", [page_tree_loop, page_tree_cycle, reference_loop])
def test_page_tree_loops_are_refused(hostile, reserved_pdf):
    with pytest.raises(SigningError, match="Cây trang|PDF"):
        page_refs(open_pdf(hostile(reserved_pdf)))
