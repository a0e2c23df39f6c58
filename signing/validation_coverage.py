"""Byte-exact coverage: what follows the last signature's signed range.

pyHanko reports a signature as covering "the entire revision" when its byte range ends at
the end of a revision that the xref chain knows. Bytes appended after that point with a
``startxref`` pointing back to an old xref (or with no xref at all) belong to no revision,
so pyHanko's difference analysis never sees them — but other readers may show them.

:func:`uncovered_tail` accepts after the last signature only whitespace, or complete later
revisions that the xref chain accounts for byte by byte (each object listed in its xref,
then the xref, the trailer, ``startxref`` with the right offset and ``%%EOF``). What those
revisions change is judged by pyHanko's difference analysis (only DSS / timestamp updates
may follow the last signature).
"""

from __future__ import annotations

import io
import re
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.xref import XRefSectionMetaInfo, XRefSectionType

WHITESPACE = b"\x00\t\n\x0c\r "
_OBJ_HEADER = re.compile(rb"\d+\s+\d+\s+obj\b")
_END_OBJ = re.compile(rb"endobj[\x00\t\n\x0c\r ]*\Z")
_STREAM_END = re.compile(rb"endstream[\x00\t\n\x0c\r ]*endobj[\x00\t\n\x0c\r ]*\Z")
_STARTXREF = re.compile(rb"[\x00\t\n\x0c\r ]*startxref[\x00\t\n\x0c\r ]+(\d+)"
                        rb"[\x00\t\n\x0c\r ]*%%EOF")
_XREF_KEYWORD = re.compile(rb"xref[\x00\t\n\x0c\r ]*")
# pyHanko's table parser stops after the ``trailer`` keyword (kept optional here)
_TRAILER = re.compile(rb"[\x00\t\n\x0c\r ]*(?:trailer[\x00\t\n\x0c\r ]*)?<<")
_ENDOBJ_AFTER_STREAM = re.compile(rb"[\x00\t\n\x0c\r ]*(?:endstream[\x00\t\n\x0c\r ]*)?endobj")


def _is_blank(data: bytes) -> bool:
    return not data.strip(WHITESPACE)


def _one_object(region: bytes) -> bool:
    """``N G obj … endobj`` and nothing else (stream data is not inspected)."""
    if not _OBJ_HEADER.match(region):
        return False
    start = region.find(b"stream")
    if start < 0:
        return bool(_END_OBJ.search(region)) and region.count(b"endobj") == 1
    end = region.rfind(b"endstream")
    if end < start:
        return False
    return b"endobj" not in region[:start] and bool(_STREAM_END.match(region[end:]))


def _object_offsets(reader: PdfFileReader, revision: int) -> list[int]:
    xrefs = reader.xrefs
    data = xrefs.get_xref_data(revision)
    offsets = []
    for idnum, generation in data.explicit_refs_in_revision:
        where = xrefs.get_historical_ref(generic.Reference(idnum, generation), revision)
        if isinstance(where, int):
            offsets.append(where)
    return sorted(set(offsets))


def _xref_found_at(data: bytes, info: XRefSectionMetaInfo) -> bool:
    """pyHanko read the xref exactly where ``startxref`` points (a table's recorded start
    is just after its ``xref`` keyword)."""
    if info.xref_section_type == XRefSectionType.STREAM:
        return info.start_location == info.declared_startxref
    keyword = _XREF_KEYWORD.match(data, info.declared_startxref)
    return keyword is not None and keyword.end() == info.start_location


def _revision_end(data: bytes, reader: PdfFileReader, revision: int) -> int | None:
    """Offset just after this revision's ``%%EOF`` when its xref, trailer and
    ``startxref`` are well formed and point at each other; else None."""
    info = reader.xrefs.get_xref_container_info(revision)
    pos = info.end_location
    if info.xref_section_type == XRefSectionType.STANDARD:
        trailer = _TRAILER.match(data, pos)
        if trailer is None:
            return None
        stream = io.BytesIO(data)
        stream.seek(trailer.end() - 2)
        generic.DictionaryObject.read_from_stream(stream, generic.TrailerReference(reader))
        pos = stream.tell()
    elif info.xref_section_type == XRefSectionType.STREAM:
        closing = _ENDOBJ_AFTER_STREAM.match(data, pos)
        if closing is None:
            return None
        pos = closing.end()
    else:  # hybrid sections after a signature: not accepted
        return None
    tail = _STARTXREF.match(data, pos)
    if tail is None or int(tail.group(1)) != info.declared_startxref:
        return None
    return tail.end()


def uncovered_tail(data: bytes, reader: PdfFileReader, signed_end: int,
                   signed_revision: int) -> str | None:
    """``None`` when nothing but whitespace and complete later revisions follow the
    signed range; otherwise why not (English, for the facts)."""
    if signed_end > len(data):
        return "signed range beyond the end of the file"
    if _is_blank(data[signed_end:]):
        return None
    total = reader.xrefs.total_revisions
    if signed_revision >= total - 1:
        return "bytes after the last signature belong to no revision"
    pos = signed_end
    for revision in range(signed_revision + 1, total):
        info = reader.xrefs.get_xref_container_info(revision)
        xref_start = info.declared_startxref
        if xref_start < pos or not _xref_found_at(data, info):
            return f"revision {revision}: xref outside its own bytes"
        bounds = [o for o in _object_offsets(reader, revision) if pos <= o < xref_start]
        if not _is_blank(data[pos:bounds[0] if bounds else xref_start]):
            return f"revision {revision}: bytes outside any object"
        for here, after in zip(bounds, [*bounds[1:], xref_start], strict=True):
            if not _one_object(data[here:after]):
                return f"revision {revision}: unlisted data between objects"
        end = _revision_end(data, reader, revision)
        if end is None:
            return f"revision {revision}: malformed xref, trailer or startxref"
        pos = end
    if not _is_blank(data[pos:]):
        return "bytes after the last revision"
    return None


def signed_range_end(byte_range: Any) -> int:
    """End offset of a signature's ``/ByteRange`` (``start2 + len2``)."""
    values = [int(v) for v in byte_range]
    return values[2] + values[3]
