"""Structure check of untrusted PDF and DOCX files, run inside the sandbox child.

:func:`inspect_pdf` and :func:`inspect_docx` take bytes and return plain dicts (they run
in :mod:`signing.sandbox`); :func:`check_structure` is the parent-side call. A file is
``refused`` (with a ``problem`` code) when it is

* ``bomb``: a stream inflating past its budget — every Flate layer is counted, so nested
  filters ``[/FlateDecode /FlateDecode /FlateDecode]`` are no way round it — or a DOCX
  whose parts inflate past :data:`DOCX_MAX_BYTES` (zip bomb);
* ``loop``: a page-tree cycle or a reference loop;
* ``unreadable``: not parseable at all (or the sandbox gave up: ``limits``).

A PDF that parses also gets its signature facts (:func:`signing.validation_core.analyse_pdf`)
and its page count, from the same child. Without validation (registration) the child
comes from the sandbox's small ``structure`` zygote, which imports only this module and
pyHanko's object reader (:mod:`signing.pdf_fields`): fewer pages to copy at each fork.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.pdf_fields import page_leaves, resolved, unsigned_facts
from signing.sandbox import SandboxError, run_sandboxed

if TYPE_CHECKING:
    from signing.validation import ValidationReport

STREAM_MAX_BYTES = 64 * 1024 * 1024
"""Decoded size allowed for one non-image stream."""
TOTAL_MAX_BYTES = 256 * 1024 * 1024
"""Decoded size allowed for all non-image streams of a file together."""
IMAGE_SLACK = 1024 * 1024
DOCX_MAX_BYTES = 200 * 1024 * 1024
"""Uncompressed size allowed for all parts of a DOCX together."""
DOCX_MAX_PARTS = 5000
DOCX_MAX_RATIO = 200
"""A part that inflates more than this (and past 10 MB) is a zip bomb."""
MAX_OBJECTS = 2_000_000
_CHUNK = 1 << 20
PROBLEMS = ("bomb", "loop", "unreadable", "limits")


class Bomb(Exception):  # noqa: N818
    """Decoding would exceed the budget."""


def _inflate(raw: bytes, limit: int) -> bytes:
    """One Flate layer, at most ``limit`` bytes (raises :class:`Bomb` past it)."""
    inflater = zlib.decompressobj()
    out = bytearray()
    data = raw
    while True:
        out += inflater.decompress(data, _CHUNK)
        if len(out) > limit:
            raise Bomb
        data = inflater.unconsumed_tail
        if not data:
            break
    out += inflater.flush()
    if len(out) > limit:
        raise Bomb
    return bytes(out)


def _filters(stream: generic.StreamObject) -> list[str]:
    value = resolved(stream, "/Filter")
    if isinstance(value, generic.ArrayObject):
        return [str(v.get_object() if isinstance(v, generic.IndirectObject) else v)
                for v in value]
    return [str(value)] if value is not None else []


def _image_budget(stream: generic.StreamObject) -> int:
    """Bytes an image's declared size allows (4 components of 16 bits at most)."""
    try:
        width = int(resolved(stream, "/Width") or 0)
        height = int(resolved(stream, "/Height") or 0)
        bits = int(resolved(stream, "/BitsPerComponent") or 8)
    except (TypeError, ValueError):
        return IMAGE_SLACK
    return min(width * height * 4 * max(bits, 1) // 8 + IMAGE_SLACK, 1 << 31)


def decoded_size(stream: generic.StreamObject, limit: int) -> int:
    """Size of the stream after every Flate layer of its filter chain (bounded by
    ``limit``); other filters end the count at the current size."""
    data = stream.encoded_data
    for name in _filters(stream):
        if name in ("/FlateDecode", "/Fl"):
            data = _inflate(data, limit)
        else:  # images (DCT, JPX, CCITT, JBIG2) and the rest: no further expansion counted
            break
    return len(data)


def _stream_sizes(reader: PdfFileReader) -> None:
    """Raise :class:`Bomb` when a stream (or all of them) decode past the budgets."""
    total = 0
    refs: set[tuple[int, int]] = set()
    for revision in range(reader.xrefs.total_revisions):
        for ref in reader.xrefs.explicit_refs_in_revision(revision):
            refs.add((ref.idnum, ref.generation))
            if len(refs) > MAX_OBJECTS:
                raise Bomb
    for idnum, generation in sorted(refs):
        try:
            obj = reader.get_object(generic.Reference(idnum, generation, pdf=reader))
        except (RecursionError, Bomb):
            raise
        except Exception:  # noqa: BLE001,S112 - an unreadable object is not a bomb
            continue
        if not isinstance(obj, generic.StreamObject):
            continue
        try:
            if str(resolved(obj, "/Subtype")) == "/Image":
                decoded_size(obj, _image_budget(obj))
                continue
            total += decoded_size(obj, min(STREAM_MAX_BYTES, TOTAL_MAX_BYTES - total))
        except zlib.error:  # a damaged stream is not a bomb (its signature may be broken)
            continue
        if total > TOTAL_MAX_BYTES:
            raise Bomb


def pdf_structure(data: bytes) -> dict[str, Any]:
    """``{"problem": None|"bomb"|"loop"|"unreadable", "page_count": n|None}``."""
    return _read_structure(data)[0]


def _read_structure(data: bytes) -> tuple[dict[str, Any], PdfFileReader | None]:
    """:func:`pdf_structure` and, for a sound unencrypted file, its reader (every object
    already read and cached, for the signature facts that follow)."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if "/Encrypt" in reader.trailer:
            return {"problem": None, "page_count": None, "encrypted": True}, None
        pages = page_leaves(reader.root)
        _stream_sizes(reader)
    except Bomb:
        return {"problem": "bomb", "page_count": None}, None
    except RecursionError:
        return {"problem": "loop", "page_count": None}, None
    except ValueError as exc:
        problem = "loop" if "loop" in str(exc) or "deep" in str(exc) else "unreadable"
        return {"problem": problem, "page_count": None}, None
    except Exception:  # noqa: BLE001 - anything else: the file cannot be read
        return {"problem": "unreadable", "page_count": None}, None
    return {"problem": None, "page_count": len(pages)}, reader


MAX_TEXT = 20_000
"""Characters of the first pages' text returned (for guessing register fields)."""


def first_pages_text(data: bytes, *, pages: int = 2, wall: float = 120) -> str:
    """Text of the first ``pages`` pages (reading order) by poppler's ``pdftotext``, or
    ``""``. Run inside the sandbox child, whose memory and CPU limits it inherits."""
    import subprocess

    try:
        out = subprocess.run(
            ["pdftotext", "-q", "-f", "1", "-l", str(pages), "-enc", "UTF-8", "-", "-"],
            input=data, capture_output=True, timeout=wall, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout[:MAX_TEXT * 4].decode("utf-8", "replace")[:MAX_TEXT]


def inspect_pdf(data: bytes, roots: list[bytes], crls: list[bytes],
                validate: bool = True, text: bool = False, allow_fetching: bool = False,
                cache_dir: str | None = None, unsigned: bool = False) -> dict[str, Any]:
    """Runs in the sandbox child: structure first, then (when sound) the signature facts
    and, with ``text``, the first pages' text. ``unsigned`` (without ``validate``): the
    signature facts all the same of a file without any filled signature field (its
    verdict is decided without cryptography)."""
    structure, reader = _read_structure(data)
    facts: dict[str, Any] = {"structure": structure}
    if structure["problem"] is None and validate:
        # Preloaded by the full zygote only: the structure-only one stays small.
        from signing.validation_core import analyse_pdf

        facts["signatures"] = analyse_pdf(data, roots, crls, [], allow_fetching, cache_dir)
    elif structure["problem"] is None and unsigned:
        found = unsigned_facts(data, reader)
        if found is not None:
            facts["signatures"] = found
    if structure["problem"] is None and text:
        facts["text"] = first_pages_text(data)
    return facts


def _sample_pdf() -> bytes:
    """A small sound PDF built here (trusted): a page, a Flate content stream, a font
    with a /Widths array, an /Info dictionary."""
    content = zlib.compress(b"BT /F1 12 Tf 72 780 Td (eoffice) Tj ET")
    widths = b" ".join(b"%d" % (500 + i % 7 * 50) for i in range(95))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> /ProcSet [/PDF /Text] >> >>",
        b"<< /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (len(content),
                                                                         content),
        b"<< /Type /Font /Subtype /TrueType /BaseFont /Serif /FirstChar 32 /LastChar 126"
        b" /Widths [" + widths + b"] /Encoding /WinAnsiEncoding >>",
        b"<< /Producer (eoffice) /Title <FEFF00650020> >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def warm_up(rounds: int = 20) -> None:
    """Run the registration's check on :func:`_sample_pdf` (the sandbox's zygotes call
    this before they fork: each child inherits the warmed interpreter — specialised
    bytecode, filled caches — instead of warming it again, ≈ 100 fewer page faults)."""
    data = _sample_pdf()
    for _ in range(rounds):
        inspect_pdf(data, [], [], validate=False, unsigned=True)


def inspect_docx(data: bytes) -> dict[str, Any]:
    """Runs in the sandbox child: a DOCX's parts inflate within :data:`DOCX_MAX_BYTES`."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > DOCX_MAX_PARTS:
                return {"problem": "bomb"}
            if sum(i.file_size for i in infos) > DOCX_MAX_BYTES:
                return {"problem": "bomb"}
            total = 0
            for info in infos:
                part = 0
                with archive.open(info) as member:
                    while chunk := member.read(_CHUNK):
                        part += len(chunk)
                        total += len(chunk)
                        if total > DOCX_MAX_BYTES:
                            return {"problem": "bomb"}
                if part > 10 * _CHUNK and part > DOCX_MAX_RATIO * max(info.compress_size, 1):
                    return {"problem": "bomb"}
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError,
            EOFError, ValueError, zlib.error):
        return {"problem": "unreadable"}
    if "word/document.xml" not in names:
        return {"problem": "unreadable"}
    return {"problem": None}


@dataclass(frozen=True)
class StructureCheck:
    """What the sandbox found: a ``problem`` code (the file must be refused) or the page
    count and signature report of a sound file."""

    problem: str | None
    page_count: int | None = None
    report: ValidationReport | None = None
    text: str = ""


def check_structure(data: bytes, kind: str, *, roots: Sequence[bytes] = (),
                    crls: Sequence[bytes] = (),
                    validate: bool = True, text: bool = False, allow_fetching: bool = False,
                    cache_dir: str | None = None, unsigned: bool = False) -> StructureCheck:
    """Parent side: run :func:`inspect_pdf` (``kind="pdf"``) or :func:`inspect_docx`
    (``kind="docx"``) in the sandbox. Never raises for a bad file. ``unsigned``: the
    report of a PDF without signatures even when not validating (None for a signed one)."""
    try:
        if kind == "pdf":
            facts = run_sandboxed(inspect_pdf, bytes(data), list(roots), list(crls), validate,
                                  text, allow_fetching, cache_dir, unsigned,
                                  zygote="full" if validate else "structure")
        elif kind == "docx":
            facts = run_sandboxed(inspect_docx, bytes(data), zygote="structure")
        else:
            raise ValueError(f"unknown kind {kind!r}")
    except SandboxError:
        return StructureCheck("limits")
    if not isinstance(facts, dict):
        return StructureCheck("unreadable")
    structure = facts.get("structure", facts)
    problem = structure.get("problem")
    if problem is not None:
        return StructureCheck(problem if problem in PROBLEMS else "unreadable")
    from signing.validation import report_from_facts  # parent side, pyHanko's signing code

    count = structure.get("page_count")
    signatures = facts.get("signatures")
    report = report_from_facts(signatures) if isinstance(signatures, dict) else None
    found = facts.get("text")
    return StructureCheck(None, count if isinstance(count, int) else None, report,
                          found if isinstance(found, str) else "")
