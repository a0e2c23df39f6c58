"""The facts of a PDF that need only pyHanko's object reader: its page tree, its filled
signature fields, the bytes after its last ``%%EOF``.

Imports nothing of pyHanko's signing or certificate code, so the sandbox's structure-only
zygote (:mod:`signing.sandbox`) stays small; :mod:`signing.validation_core` builds on it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

_MAX_FIELDS = 2000


@dataclass
class FilledField:
    name: str
    field: generic.DictionaryObject
    sig_type: str


def _field_name(node: generic.DictionaryObject, parents: list[str]) -> str:
    own = resolved(node, "/T")
    parts = [*parents, str(own)] if own is not None else parents
    return ".".join(parts) or "(không tên)"


def resolved(node: Any, key: str) -> Any:
    """``node[key]`` with indirect references followed; None when absent, null or not a
    dictionary. (pyHanko's ``dict.get`` returns the raw reference: an indirect
    ``/AcroForm``, ``/Fields``, ``/Kids`` or ``/Annots`` would be missed.)"""
    if isinstance(node, generic.IndirectObject):
        node = node.get_object()
    if not isinstance(node, generic.DictionaryObject) or key not in node:
        return None
    try:
        return node[key]
    except KeyError:  # null value
        return None


def _inherited_ft(node: generic.DictionaryObject, inherited: Any) -> Any:
    ft = resolved(node, "/FT")
    return ft if ft is not None else inherited


def _filled_value(node: generic.DictionaryObject) -> generic.PdfObject | None:
    if "/V" not in node:
        return None
    value = node.raw_get("/V")
    resolved = value.get_object() if isinstance(value, generic.IndirectObject) else value
    if isinstance(resolved, generic.NullObject):
        return None
    return resolved


def find_filled_signature_fields(reader: PdfFileReader) -> list[FilledField]:
    """Every filled signature field: AcroForm tree and widgets on pages.

    Unlike pyHanko's ``embedded_signatures`` this skips nothing: fields without
    ``/SubFilter`` or with a broken value are returned too.
    """
    found: list[FilledField] = []
    seen: set[tuple[int, int]] = set()

    def visit(ref: Any, parents: list[str], ft: Any, depth: int) -> None:
        if depth > 50 or len(seen) > _MAX_FIELDS:
            raise ValueError("form field tree too deep or too large")
        if isinstance(ref, generic.IndirectObject):
            key = (ref.idnum, ref.generation)
            if key in seen:
                return
            seen.add(key)
        node = ref.get_object()
        if not isinstance(node, generic.DictionaryObject):
            return
        ft = _inherited_ft(node, ft)
        name = _field_name(node, parents)
        kids = resolved(node, "/Kids")
        if str(ft) == "/Sig":
            value = _filled_value(node)
            if value is not None:
                sig_type = ""
                if isinstance(value, generic.DictionaryObject):
                    sig_type = str(resolved(value, "/Type") or "/Sig")
                found.append(FilledField(name, node, sig_type))
        if isinstance(kids, generic.ArrayObject):
            for kid in kids:
                visit(kid, name.split(".") if name != "(không tên)" else [], ft, depth + 1)

    root = reader.root
    fields = resolved(resolved(root, "/AcroForm"), "/Fields")
    if isinstance(fields, generic.ArrayObject):
        for ref in fields:
            visit(ref, [], None, 0)
    # Widgets with a signature value that the AcroForm does not list.
    for page in page_leaves(root):
        annots = resolved(page, "/Annots")
        if isinstance(annots, generic.ArrayObject):
            for ref in annots:
                visit(ref, [], None, 0)
    return found


def page_leaves(root: generic.DictionaryObject) -> list[generic.DictionaryObject]:
    """Leaves of the page tree; a loop in the tree is an error."""
    pages: list[generic.DictionaryObject] = []
    on_path: set[int] = set()

    def walk(node: Any, depth: int) -> None:
        if depth > 64 or len(pages) > 100_000:
            raise ValueError("page tree too deep or too large")
        node_obj = node.get_object() if isinstance(node, generic.IndirectObject) else node
        if not isinstance(node_obj, generic.DictionaryObject):
            return
        if id(node_obj) in on_path:
            raise ValueError("loop in the page tree")
        kids = resolved(node_obj, "/Kids")
        if isinstance(kids, generic.ArrayObject):
            on_path.add(id(node_obj))
            for kid in kids:
                walk(kid, depth + 1)
            on_path.discard(id(node_obj))
        else:
            pages.append(node_obj)

    walk(root.raw_get("/Pages") if "/Pages" in root else None, 0)
    return pages


def trailing_garbage(data: bytes) -> int:
    """Bytes after the last ``%%EOF`` marker that are not whitespace."""
    last = data.rfind(b"%%EOF")
    if last < 0:
        return len(data)
    return len(data[last + 5:].strip(b"\x00\t\n\x0c\r "))


def field_facts(data: bytes, reader: PdfFileReader | None = None,
                 ) -> tuple[dict[str, Any], Any, list[FilledField]]:
    """The facts that need no cryptography: trailing bytes, revisions, filled fields
    (``reader``: one already opened on ``data`` with ``strict=False``)."""
    result: dict[str, Any] = {"error": None, "signatures": [], "field_count": 0}
    result["trailing_bytes"] = trailing_garbage(data)
    try:
        if reader is None:
            reader = PdfFileReader(io.BytesIO(data), strict=False)
        fields = find_filled_signature_fields(reader)
        result["field_count"] = len(fields)
        result["revision_count"] = reader.xrefs.total_revisions
    except Exception as exc:  # any parse failure means an invalid file
        result["error"] = f"{type(exc).__name__}: {exc}"[:500]
        return result, None, []
    return result, reader, fields


def unsigned_facts(data: bytes, reader: PdfFileReader | None = None) -> dict[str, Any] | None:
    """What :func:`analyse_pdf` returns for ``data`` when it has no filled signature field
    (its verdict needs no trust material, no revocation data, no cryptography); ``None``
    when it has one, or cannot be read (left to the full validation). ``reader``: one the
    structure check already opened on ``data`` (not parsed twice)."""
    result, _reader, fields = field_facts(data, reader)
    return result if result["error"] is None and not fields else None
