"""Check a received PDF once, in the signing sandbox: signatures and page count together.

An adapter over :mod:`signing.validation`: one sandboxed child per upload computes the
signature facts (``analyse_pdf``) and the page count, so a hostile file (deflate bomb,
broken structure) costs at most the sandbox limits and never touches the web worker.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass
from typing import Any

from eoffice.incoming.header_guess import first_page_text
from signing.sandbox import SandboxError, run_sandboxed
from signing.validation import ValidationReport, report_from_facts
from signing.validation_core import analyse_pdf


class UnreadablePdf(Exception):  # noqa: N818
    """The sandbox could not finish (time, memory, crash): the file is refused."""


@dataclass(frozen=True)
class PdfCheck:
    report: ValidationReport
    page_count: int | None
    text: str = ""
    """Text of the first pages (for :mod:`eoffice.incoming.header_guess`)."""


MAX_CONTENT_BYTES = 128 * 1024 * 1024
"""Decompressed page content allowed per file: more is a decompression bomb."""


def _inflated_size(raw: bytes, limit: int) -> int:
    """Bytes a Flate stream inflates to, stopping just past ``limit`` (bounded memory)."""
    inflater = zlib.decompressobj()
    total = len(inflater.decompress(raw, 1 << 20))
    while inflater.unconsumed_tail and total <= limit:
        total += len(inflater.decompress(inflater.unconsumed_tail, 1 << 20))
    return total


def _content_size(reader: Any, limit: int) -> int:
    total = 0
    for page in list(reader.pages)[:5000]:
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        streams = list(contents) if isinstance(contents, list) else [contents]
        for ref in streams:
            stream = ref.get_object() if ref is not None else None
            raw = getattr(stream, "_data", b"") or b""
            filters = stream.get("/Filter") if stream is not None else None
            names = [str(f) for f in filters] if isinstance(filters, list) else [str(filters)]
            if names == ["/FlateDecode"]:
                total += _inflated_size(raw, limit - total)
            else:
                total += len(raw)
            if total > limit:
                return total
    return total


def inspect_pdf(data: bytes, roots: list[bytes], crls: list[bytes]) -> dict[str, Any]:
    """Runs in the sandbox child: signature facts, ``page_count`` and ``bomb`` (page content
    inflating past :data:`MAX_CONTENT_BYTES`)."""
    facts = analyse_pdf(data, roots, crls, [], False)
    facts["page_count"], facts["bomb"], facts["text"] = None, False, ""
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data), strict=False)
        facts["page_count"] = len(reader.pages)
        facts["bomb"] = _content_size(reader, MAX_CONTENT_BYTES) > MAX_CONTENT_BYTES
        if not facts["bomb"]:
            facts["text"] = first_page_text(data)
    except Exception as exc:  # noqa: BLE001 - an unreadable page tree only loses the count
        facts["page_error"] = type(exc).__name__
    return facts


def check_pdf(data: bytes, roots: list[bytes], crls: list[bytes]) -> PdfCheck:
    """Validate in the sandbox; raise :class:`UnreadablePdf` when the sandbox gives up."""
    try:
        facts = run_sandboxed(inspect_pdf, bytes(data), roots, crls)
    except SandboxError as exc:
        raise UnreadablePdf(getattr(exc, "kind", "crash")) from exc
    if not isinstance(facts, dict):
        raise UnreadablePdf("crash")
    if facts.get("bomb"):
        raise UnreadablePdf("bomb")
    count = facts.get("page_count")
    text = facts.get("text")
    return PdfCheck(report_from_facts(facts), count if isinstance(count, int) else None,
                    text if isinstance(text, str) else "")
