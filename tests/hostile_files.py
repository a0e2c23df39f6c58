"""Hostile and unusual files generated for the tests and the benchmarks (no fixtures here).

Import with ``from hostile_files import ...`` (``tests/conftest.py`` puts this folder on
``sys.path``). Every builder takes and returns bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from pyhanko.pdf_utils import generic as g
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter


def plain_pdf(text: str = "Kế hoạch tổ chức lễ hội", pages: int = 1) -> bytes:
    """A small benign PDF like a scanned letter (no signature): the base of many attacks."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for i in range(pages):
        c.drawString(72, 720, f"{text} - trang {i + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


# --- appended data after a signature ---------------------------------------------------


def last_startxref(data: bytes) -> int:
    return int(re.findall(rb"startxref\s+(\d+)", data)[-1])


def appended_object_old_startxref(data: bytes) -> bytes:
    """A new object, then ``startxref`` pointing back at the old xref, then ``%%EOF``."""
    return data + (b"99 0 obj\n<< /Type /Annot /Subtype /Text /Contents (Gia mao) >>\nendobj\n"
                   b"startxref\n%d\n%%%%EOF\n" % last_startxref(data))


def appended_trailer_without_xref(data: bytes) -> bytes:
    """A new object and a trailer without any xref section."""
    root = re.findall(rb"/Root\s+(\d+\s+\d+\s+R)", data)[-1]
    return data + (b"99 0 obj\n<< /Evil true >>\nendobj\ntrailer\n<< /Size 100 /Root %s >>\n"
                   b"startxref\n%d\n%%%%EOF\n" % (root, last_startxref(data)))


def appended_comment(data: bytes) -> bytes:
    return data + b"% ghi chu them sau khi ky\n"


# --- indirect form structures ---------------------------------------------------------


def _rewrite(data: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def indirect_form(data: bytes, field: str = "sig_official", parent: str = "nhom") -> bytes:
    """Catalog ``/AcroForm``, its ``/Fields``, the page's ``/Annots`` and a parent field's
    ``/Kids`` all as indirect objects; ``field`` becomes ``parent.field``."""

    def change(w: IncrementalPdfFileWriter) -> None:
        form = w.root["/AcroForm"]
        refs = list(form.raw_get("/Fields"))
        sig_ref = next(r for r in refs if r.get_object().get("/T") == field)
        others = [r for r in refs if r is not sig_ref]
        group = g.DictionaryObject({g.NameObject("/T"): g.TextStringObject(parent)})
        group_ref = w.add_object(group)
        group[g.NameObject("/Kids")] = w.add_object(g.ArrayObject([sig_ref]))
        sig = sig_ref.get_object()
        sig[g.NameObject("/Parent")] = group_ref
        w.update_container(sig)
        new_form = g.DictionaryObject(dict(form.items()))
        new_form[g.NameObject("/Fields")] = w.add_object(g.ArrayObject([*others, group_ref]))
        w.root[g.NameObject("/AcroForm")] = w.add_object(new_form)
        w.update_root()
        for page_ref in w.root["/Pages"]["/Kids"]:
            page = page_ref.get_object()
            if "/Annots" in page:
                page[g.NameObject("/Annots")] = w.add_object(g.ArrayObject(
                    list(page["/Annots"])))
                w.update_container(page)

    return _rewrite(data, change)


def shadow_replace(data: bytes) -> bytes:
    """Shadow attack after signing: the catalog's form moves to an indirect object and the
    first page shows new content (hide-and-replace)."""

    def change(w: IncrementalPdfFileWriter) -> None:
        form = w.root["/AcroForm"]
        w.root[g.NameObject("/AcroForm")] = w.add_object(g.DictionaryObject(dict(form.items())))
        w.update_root()
        page = w.root["/Pages"]["/Kids"][0].get_object()
        page[g.NameObject("/Contents")] = w.add_object(g.StreamObject(
            stream_data=b"BT /F1 24 Tf 100 700 Td (QUYET DINH GIA MAO) Tj ET"))
        w.update_container(page)

    return _rewrite(data, change)


# --- decompression bombs, loops, cycles ---------------------------------------------


def append_raw_update(data: bytes, objects: dict[int, bytes], *, self_prev: bool = False,
                      xref_stream: bytes | None = None) -> bytes:
    """Append a hand-written incremental update (classic xref, or an xref stream with
    ``xref_stream`` as its doubly deflated data)."""
    prev = last_startxref(data)
    root = int(re.findall(rb"/Root\s+(\d+)\s+0\s+R", data)[-1])
    size = max(int(re.findall(rb"/Size\s+(\d+)", data)[-1]), max(objects, default=0) + 2)
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    offsets = {}
    for num, body in objects.items():
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    xref_pos = len(out)
    if xref_stream is not None:
        out += (b"%d 0 obj\n<< /Type /XRef /Size %d /Root %d 0 R /Prev %d /W [1 2 1] "
                b"/Filter [/FlateDecode /FlateDecode] /Length %d >>\nstream\n"
                % (size - 1, size, root, prev, len(xref_stream)))
        out += xref_stream + b"\nendstream\nendobj\n"
    else:
        out += b"xref\n"
        for num in sorted(offsets):
            out += b"%d 1\n%010d 00000 n \n" % (num, offsets[num])
        out += b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\n" % (
            size, root, xref_pos if self_prev else prev)
    out += b"startxref\n%d\n%%%%EOF\n" % xref_pos
    return bytes(out)


def _first_page(data: bytes) -> int:
    pages = int(re.findall(rb"/Pages\s+(\d+)\s+0\s+R", data)[-1])
    kids = re.search(rb"\n%d 0 obj\s*<<.*?/Kids\s*\[\s*(\d+)\s+0\s+R" % pages, data, re.S)
    assert kids, "no page tree"
    return int(kids.group(1))


def _object_body(data: bytes, num: int) -> bytes:
    found = re.findall(rb"\n%d 0 obj\s*(<<.*?>>)\s*endobj" % num, data, re.S)
    assert found, num
    return found[-1]


def deflated_zeros(megabytes: int, layers: int = 3) -> bytes:
    """Zeros deflated ``layers`` times: a few KB that inflate to ``megabytes`` MB."""
    packer = zlib.compressobj(9)
    chunk = bytes(1 << 20)
    packed = b"".join(packer.compress(chunk) for _ in range(megabytes)) + packer.flush()
    for _ in range(layers - 1):
        packed = zlib.compress(packed, 9)
    return packed


def content_bomb(data: bytes, megabytes: int = 512, layers: int = 3) -> bytes:
    """The first page's content replaced by a stream with nested filters
    ``[/FlateDecode /FlateDecode /FlateDecode]`` inflating to ``megabytes``."""
    page = _first_page(data)
    size = int(re.findall(rb"/Size\s+(\d+)", data)[-1])
    bomb = deflated_zeros(megabytes, layers)
    filters = b"[" + b" ".join([b"/FlateDecode"] * layers) + b"]"
    stream = (b"<< /Filter %s /Length %d >>\nstream\n" % (filters, len(bomb)) + bomb
              + b"\nendstream")
    body = re.sub(rb"/Contents\s*(\d+\s+\d+\s+R|\[[^\]]*\])", b"", _object_body(data, page))
    new_page = body[:-2] + b" /Contents %d 0 R >>" % size
    return append_raw_update(data, {size: stream, page: new_page})


def page_tree_loop(data: bytes) -> bytes:
    """The root page-tree node lists itself as its kid."""
    pages = int(re.findall(rb"/Pages\s+(\d+)\s+0\s+R", data)[-1])
    return append_raw_update(data, {pages: b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % pages})


def page_tree_cycle(data: bytes) -> bytes:
    """Two page-tree nodes that are each other's kid."""
    pages = int(re.findall(rb"/Pages\s+(\d+)\s+0\s+R", data)[-1])
    size = int(re.findall(rb"/Size\s+(\d+)", data)[-1])
    return append_raw_update(data, {
        pages: b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % size,
        size: b"<< /Type /Pages /Parent %d 0 R /Kids [%d 0 R] /Count 1 >>" % (pages, pages),
    })


def reference_loop(data: bytes) -> bytes:
    """The page-tree root is a reference to itself."""
    pages = int(re.findall(rb"/Pages\s+(\d+)\s+0\s+R", data)[-1])
    return append_raw_update(data, {pages: b"%d 0 R" % pages})


def docx_zip_bomb(megabytes: int = 300) -> bytes:
    """A DOCX whose ``word/document.xml`` inflates to ``megabytes`` MB (compressed ~1 MB)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="xml" ContentType='
            '"application/xml"/><Override PartName="/word/document.xml" ContentType="application'
            '/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'))
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats'
                       b'.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')
            chunk = b"A" * (1 << 20)
            for _ in range(megabytes):
                part.write(chunk)
            part.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return buf.getvalue()
