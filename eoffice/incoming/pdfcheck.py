"""Check a received PDF once, in the signing sandbox: signatures and page count together.

An adapter over :mod:`signing.validation`: one sandboxed child per upload computes the
signature facts (``analyse_pdf``) and the page count, so a hostile file (deflate bomb,
broken structure) costs at most the sandbox limits and never touches the web worker.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from signing.sandbox import SandboxError, run_sandboxed
from signing.validation import ValidationReport, load_trust_roots, report_from_facts
from signing.validation_core import analyse_pdf


class UnreadablePdf(Exception):  # noqa: N818
    """The sandbox could not finish (time, memory, crash): the file is refused."""


@dataclass(frozen=True)
class PdfCheck:
    report: ValidationReport
    page_count: int | None


def inspect_pdf(data: bytes, roots: list[bytes], crls: list[bytes]) -> dict[str, Any]:
    """Runs in the sandbox child: signature facts plus ``page_count``."""
    facts = analyse_pdf(data, roots, crls, [], False)
    try:
        from pypdf import PdfReader

        facts["page_count"] = len(PdfReader(io.BytesIO(data), strict=False).pages)
    except Exception:  # noqa: BLE001 - an unreadable page tree only loses the count
        facts["page_count"] = None
    return facts


def trust_material(trust_roots: list[str], extra_crl_dirs: list[Path]) -> tuple[list[bytes],
                                                                                 list[bytes]]:
    """DER trust roots from PEM paths, and the CRLs found next to them (``crl/*.crl``)."""
    from cryptography.hazmat.primitives.serialization import Encoding

    paths = [Path(p) for p in trust_roots]
    roots = [c.public_bytes(Encoding.DER) for c in load_trust_roots(paths)]
    dirs = {p.parent / "crl" for p in paths if p.is_file()} | {p / "crl" for p in paths
                                                               if p.is_dir()}
    dirs |= set(extra_crl_dirs)
    crls = [f.read_bytes() for d in sorted(dirs) if d.is_dir() for f in sorted(d.glob("*.crl"))]
    return roots, crls


def check_pdf(data: bytes, roots: list[bytes], crls: list[bytes]) -> PdfCheck:
    """Validate in the sandbox; raise :class:`UnreadablePdf` when the sandbox gives up."""
    try:
        facts = run_sandboxed(inspect_pdf, bytes(data), roots, crls)
    except SandboxError as exc:
        raise UnreadablePdf(getattr(exc, "kind", "crash")) from exc
    if not isinstance(facts, dict):
        raise UnreadablePdf("crash")
    count = facts.get("page_count")
    return PdfCheck(report_from_facts(facts), count if isinstance(count, int) else None)
