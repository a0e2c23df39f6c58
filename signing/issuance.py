"""Two-stage issuance: fill the reserved number/date fields and add the agency seal
signature in ONE incremental update, keeping the official's signature valid
(pyHanko difference analysis: FORM_FILLING).
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko.sign.timestamps import TimeStamper
from pyhanko_certvalidator import ValidationContext

from signing import appearance
from signing.errors import FieldError
from signing.external import PreparedSignature, prepare_writer
from signing.fonts import vietnamese_font
from signing.pades import open_pdf, page_refs, sign_writer

NUMBER_FIELD = "doc_number"
DATE_FIELD = "doc_date"
OFFICIAL_FIELD = "sig_official"
SEAL_FIELD = "sig_seal"
FIELD_FONT_SIZE = 13
DATE_FONT_SIZE = 14
DATE_STYLE = "Italic"
"""Decree 30 (Appendix I): the place-and-date line is 13-14 pt italic, like its printed label."""


def _fields(writer: IncrementalPdfFileWriter) -> dict[str, generic.IndirectObject]:
    root = writer.root
    if "/AcroForm" not in root:
        return {}
    result = {}
    for ref in root["/AcroForm"].get("/Fields", []):
        obj = ref.get_object()
        if "/T" in obj:
            result[str(obj["/T"])] = ref
    return result


def _page_of(writer: IncrementalPdfFileWriter, field_ref: generic.IndirectObject) -> int:
    """Index of the page whose /Annots hold the widget (last page if unknown)."""
    refs = page_refs(writer)
    target = field_ref.idnum
    for ix, page_ref in enumerate(refs):
        annots = page_ref.get_object().get("/Annots", [])
        if any(getattr(a, "idnum", None) == target for a in annots):
            return ix
    return len(refs) - 1


def fill_text_field(writer: IncrementalPdfFileWriter, name: str, value: str,
                    *, font_ref: generic.IndirectObject | None = None,
                    style: str = "Regular", font_size: float = FIELD_FONT_SIZE) -> None:
    """Set a text field's value and an appearance in the embedded Vietnamese serif face.

    ``font_ref``: a font already added with ``vietnamese_font(style).add_to(writer, text)``
    whose ``text`` covers ``value``.
    """
    refs = _fields(writer)
    if name not in refs:
        raise FieldError(f"Văn bản không có ô “{name}” để điền.")
    ref = refs[name]
    fld = ref.get_object()
    if fld.get("/FT") != "/Tx":
        raise FieldError(f"Ô “{name}” không phải ô văn bản.")
    value = unicodedata.normalize("NFC", value)
    x1, y1, x2, y2 = (float(v) for v in fld["/Rect"])
    width, height = abs(x2 - x1), abs(y2 - y1)
    font = vietnamese_font(style)
    size = float(min(font_size, height - 2))
    while size > 6 and font.width(value, size) > width - 2:
        size -= 0.5
    baseline = max((height - size * 0.72) / 2, 1.0)
    content = b"/Tx BMC q BT 0 g /F1 %g Tf 1 0 0 1 1 %g Tm %s Tj ET Q EMC" % (
        size, baseline, font.encode(value))
    if font_ref is None:
        font_ref = font.add_to(writer, value)
    resources = generic.DictionaryObject({
        pdf_name("/Font"): generic.DictionaryObject({pdf_name("/F1"): font_ref})
    })
    stream = generic.StreamObject({
        pdf_name("/Type"): pdf_name("/XObject"),
        pdf_name("/Subtype"): pdf_name("/Form"),
        pdf_name("/BBox"): generic.ArrayObject(
            [generic.FloatObject(0), generic.FloatObject(0),
             generic.FloatObject(width), generic.FloatObject(height)]),
        pdf_name("/Resources"): resources,
    }, stream_data=content)
    fld[pdf_name("/V")] = generic.TextStringObject(value)
    fld[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): writer.add_object(stream)})
    writer.update_container(fld)


def issue_document(
    pdf_bytes: bytes,
    *,
    number_text: str,
    date_text: str,
    seal_signer: Signer,
    seal_png: Path | str | bytes | None = None,
    timestamper: TimeStamper | None = None,
    level: str = "B-T",
    validation_context: ValidationContext | None = None,
    reason: str | None = "Đóng dấu, phát hành văn bản",
) -> bytes:
    """Stage 2 (clerk): fill ``doc_number``/``doc_date`` and add the seal signature
    (field ``sig_seal``, seal image left of ``sig_official``) in one incremental update."""
    writer, place = _filled_writer(pdf_bytes, number_text, date_text)
    style = appearance.image_style(seal_png) if seal_png is not None else None
    return sign_writer(writer, seal_signer, field_name=SEAL_FIELD, style=style, level=level,
                       reason=reason, timestamper=timestamper,
                       validation_context=validation_context, **place)


def prepare_issuance(pdf_bytes: bytes, *, number_text: str, date_text: str,
                     certificate: bytes, chain: list[bytes],
                     seal_png: Path | str | bytes | None = None,
                     level: str = "B-T", reason: str | None = "Đóng dấu, phát hành văn bản",
                     ) -> PreparedSignature:
    """The same update as :func:`issue_document`, for a seal on a token at the clerk's PC:
    number and date filled, the seal signature reserved (finish with
    :func:`signing.external.finish_external`)."""
    writer, place = _filled_writer(pdf_bytes, number_text, date_text)
    return prepare_writer(writer, certificate, chain, image_png=seal_png,
                          field_name=SEAL_FIELD, reason=reason, level=level, **place)


def _filled_writer(pdf_bytes: bytes, number_text: str, date_text: str
                   ) -> tuple[IncrementalPdfFileWriter, dict]:
    """A writer with number and date filled, and where the seal goes (new field or not)."""
    writer = open_pdf(pdf_bytes)
    refs = _fields(writer)
    if OFFICIAL_FIELD not in refs:
        raise FieldError("Văn bản không có ô chữ ký “sig_official”.")
    official = refs[OFFICIAL_FIELD].get_object()
    if "/V" not in official:
        raise FieldError("Văn bản chưa được người có thẩm quyền ký; chưa thể phát hành.")
    number_text = unicodedata.normalize("NFC", number_text)
    date_text = unicodedata.normalize("NFC", date_text)
    fill_text_field(writer, NUMBER_FIELD, number_text)
    fill_text_field(writer, DATE_FIELD, date_text, style=DATE_STYLE, font_size=DATE_FONT_SIZE)
    if SEAL_FIELD in refs:
        return writer, {}
    rect = tuple(float(v) for v in official["/Rect"])
    box = appearance.seal_box(
        (min(rect[0], rect[2]), min(rect[1], rect[3]), max(rect[0], rect[2]),
         max(rect[1], rect[3])))
    return writer, {"box": box, "page": _page_of(writer, refs[OFFICIAL_FIELD])}


MM = 72 / 25.4


def add_reserved_fields(pdf_bytes: bytes) -> bytes:
    """Add ``doc_number``/``doc_date`` (top of page 1) and ``sig_official`` (bottom right
    of the last page) to an arbitrary uploaded PDF, as an incremental update."""
    writer = open_pdf(pdf_bytes)
    existing = _fields(writer)
    pages = page_refs(writer)
    first = pages[0].get_object()
    llx, lly, urx, ury = (float(v) for v in first.get("/MediaBox", [0, 0, 595, 842]))
    if NUMBER_FIELD not in existing:
        _add_text_field(writer, 0, NUMBER_FIELD,
                        (llx + 25 * MM, ury - 22 * MM, llx + 90 * MM, ury - 15 * MM))
    if DATE_FIELD not in existing:
        _add_text_field(writer, 0, DATE_FIELD,
                        (urx - 95 * MM, ury - 22 * MM, urx - 15 * MM, ury - 15 * MM))
    if OFFICIAL_FIELD not in existing:
        last = pages[-1].get_object()
        lx, ly, ux, _ = (float(v) for v in last.get("/MediaBox", [0, 0, 595, 842]))
        box = (int(ux - 85 * MM), int(ly + 25 * MM), int(ux - 15 * MM), int(ly + 55 * MM))
        fields.append_signature_field(
            writer, fields.SigFieldSpec(OFFICIAL_FIELD, on_page=len(pages) - 1, box=box))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _add_text_field(writer: IncrementalPdfFileWriter, page_ix: int, name: str,
                    rect: tuple[float, float, float, float]) -> None:
    page_ref = page_refs(writer)[page_ix]
    page = page_ref.get_object()
    fld = generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Annot"),
        pdf_name("/Subtype"): pdf_name("/Widget"),
        pdf_name("/FT"): pdf_name("/Tx"),
        pdf_name("/T"): generic.TextStringObject(name),
        pdf_name("/F"): generic.NumberObject(4),
        pdf_name("/Rect"): generic.ArrayObject(generic.FloatObject(v) for v in rect),
        pdf_name("/DA"): generic.TextStringObject("/Helv 13 Tf 0 g"),
        pdf_name("/V"): generic.TextStringObject(""),
        pdf_name("/P"): page_ref,
    })
    ref = writer.add_object(fld)
    annots = page.get("/Annots")
    if annots is None:
        page[pdf_name("/Annots")] = generic.ArrayObject([ref])
        writer.update_container(page)
    else:
        annots.get_object().append(ref)
        if isinstance(annots, generic.IndirectObject):
            writer.update_container(annots.get_object())
        else:
            writer.update_container(page)
    root = writer.root
    if "/AcroForm" not in root:
        root[pdf_name("/AcroForm")] = writer.add_object(generic.DictionaryObject({
            pdf_name("/Fields"): generic.ArrayObject(),
        }))
        writer.update_root()
    form = root["/AcroForm"]
    form["/Fields"].append(ref)
    writer.update_container(form)
