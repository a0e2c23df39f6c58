"""PAdES signing (B-B, B-T, B-LT, B-LTA) with Decree-30 appearances.

Every signing call reserves a fixed signature size (no dry run) and reuses the signer
object and the cached appearance styles, so signing many documents costs little more
than the signature itself.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from pyhanko.pdf_utils.generic import DictionaryObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields
from pyhanko.sign.general import SigningError as HankoSigningError
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.stamp import BaseStampStyle
from pyhanko_certvalidator import ValidationContext

from signing import appearance
from signing.errors import SigningError
from signing.vntime import VN_TZ, vn_now


class _OfflineEmbedding(logging.Filter):
    """B-LT from offline CRLs is intended: drop pyHanko's warning that fetching is off."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "fetching is not allowed" not in record.getMessage()


logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(_OfflineEmbedding())

Level = Literal["B-B", "B-T", "B-LT", "B-LTA"]
LEVELS: tuple[str, ...] = ("B-B", "B-T", "B-LT", "B-LTA")
DEFAULT_REASON = "Ký số văn bản"
BYTES_RESERVED = {"B-B": 12288, "B-T": 20480, "B-LT": 20480, "B-LTA": 20480}


def make_validation_context(
    trust_roots: Iterable[Path | bytes], crls: Iterable[bytes] = (),
    *, allow_fetching: bool = False, cache_dir: Path | None = None,
) -> ValidationContext:
    """Trust anchors (PEM/DER paths or bytes) and CRLs (DER) for B-LT/B-LTA signing and
    the signer's revocation check; ``allow_fetching``: OCSP then CRL online, cached."""
    from asn1crypto import pem, x509

    from signing.revocation import RevocationSettings, validation_context

    roots: list[x509.Certificate] = []
    for item in trust_roots:
        data = Path(item).read_bytes() if isinstance(item, Path) else item
        if pem.detect(data):
            roots.extend(x509.Certificate.load(der) for _, _, der in pem.unarmor(data, True))
        else:
            roots.append(x509.Certificate.load(data))
    settings = RevocationSettings(crls=tuple(crls), online=allow_fetching, cache_dir=cache_dir)
    return validation_context(roots, settings)


def _meta(field_name: str, level: str, reason: str | None, location: str | None,
          timestamper: TimeStamper | None, validation_context: ValidationContext | None
          ) -> PdfSignatureMetadata:
    if level not in LEVELS:
        raise SigningError(f"Mức chữ ký PAdES không hợp lệ: {level}")
    if level != "B-B" and timestamper is None:
        raise SigningError(f"Chữ ký mức {level} cần một máy chủ cấp dấu thời gian.")
    long_term = level in ("B-LT", "B-LTA")
    if long_term and validation_context is None:
        raise SigningError(f"Chữ ký mức {level} cần dữ liệu kiểm tra chứng thư (CRL/OCSP).")
    return PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        embed_validation_info=long_term,
        use_pades_lta=level == "B-LTA",
        validation_context=validation_context if long_term else None,
    )


def sign_writer(
    writer: IncrementalPdfFileWriter,
    signer: Signer,
    *,
    field_name: str,
    style: BaseStampStyle | None = None,
    box: tuple[int, int, int, int] | None = None,
    page: int = -1,
    level: str = "B-T",
    reason: str | None = DEFAULT_REASON,
    location: str | None = None,
    timestamper: TimeStamper | None = None,
    validation_context: ValidationContext | None = None,
    text_params: dict | None = None,
) -> bytes:
    """Sign what is in ``writer`` (plus any pending changes) in one incremental update.

    With a ``validation_context`` a revoked signer is refused first (at every level);
    B-LT/B-LTA embed the revocation data of the signer and the timestamp authority."""
    meta = _meta(field_name, level, reason, location, timestamper, validation_context)
    if validation_context is not None:
        from signing.revocation import check_signer

        check_signer(validation_context, signer.signing_cert, signer.cert_registry)
    spec = None
    if box is not None:
        spec = fields.SigFieldSpec(field_name, on_page=page, box=box)
    if level == "B-B":
        timestamper = None
    pdf_signer = PdfSigner(meta, signer, timestamper=timestamper,
                           stamp_style=style, new_field_spec=spec)
    out = io.BytesIO()
    try:
        pdf_signer.sign_pdf(writer, output=out, bytes_reserved=BYTES_RESERVED[level],
                            appearance_text_params=text_params)
    except (HankoSigningError, PdfError, ValueError) as exc:
        raise SigningError(f"Không ký được văn bản: {exc}") from exc
    return out.getvalue()


def open_pdf(pdf_bytes: bytes) -> IncrementalPdfFileWriter:
    """An incremental writer over ``pdf_bytes`` (SigningError if it is not a usable PDF)."""
    try:
        return IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    except (PdfError, ValueError, TypeError, RecursionError) as exc:
        raise SigningError("Tệp không phải là PDF hợp lệ.") from exc


MAX_PAGES = 100_000


def page_refs(writer: IncrementalPdfFileWriter) -> list:
    """References of all pages in order; a page-tree loop or an absurd tree is a
    :class:`SigningError` (never a RecursionError)."""
    result: list = []
    seen: set[tuple[int, int]] = set()
    stack: list = [iter([writer.root.raw_get("/Pages")])]
    while stack:
        kid = next(stack[-1], None)
        if kid is None:
            stack.pop()
            continue
        ref = getattr(kid, "reference", None)
        key = (ref.idnum, ref.generation) if ref is not None else None
        if key is not None:
            if key in seen:
                raise SigningError("Cây trang của tệp PDF có vòng lặp: tệp không hợp lệ.")
            seen.add(key)
        try:
            obj = kid.get_object()
        except (RecursionError, PdfError, ValueError, TypeError) as exc:
            raise SigningError("Cây trang của tệp PDF bị hỏng.") from exc
        if not isinstance(obj, DictionaryObject):
            raise SigningError("Cây trang của tệp PDF bị hỏng.")
        if obj.get("/Type") == "/Pages" or "/Kids" in obj:
            if len(stack) > 64:
                raise SigningError("Cây trang của tệp PDF quá sâu.")
            kids = obj["/Kids"] if "/Kids" in obj else []
            stack.append(iter(list(kids)))
        else:
            result.append(kid)
        if len(result) > MAX_PAGES:
            raise SigningError("Tệp PDF có quá nhiều trang.")
    return result


def field_rect(writer: IncrementalPdfFileWriter, name: str
               ) -> tuple[tuple[float, float, float, float], int] | None:
    """(/Rect, page index) of the terminal field ``name`` or None."""
    root = writer.root
    if "/AcroForm" not in root:
        return None
    for ref in root["/AcroForm"].get("/Fields", []):
        fld: DictionaryObject = ref.get_object()
        if fld.get("/T") == name and "/Rect" in fld:
            rect = [float(v) for v in fld["/Rect"]]
            page_ref = fld.get_value_as_reference("/P") if "/P" in fld else None
            page_ix = -1
            if page_ref is not None:
                ids = [r.idnum for r in page_refs(writer)]
                page_ix = ids.index(page_ref.idnum) if page_ref.idnum in ids else -1
            x1, y1, x2, y2 = rect
            return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)), page_ix
    return None


def sign_official(
    pdf_bytes: bytes,
    signer: Signer,
    *,
    image_png: Path | str | bytes | None,
    reason: str | None = "Phê duyệt, ký ban hành văn bản",
    location: str | None = None,
    timestamper: TimeStamper | None = None,
    level: str = "B-T",
    validation_context: ValidationContext | None = None,
    field_name: str = "sig_official",
) -> bytes:
    """Stage 1: the official signs into ``sig_official`` with their signature image."""
    writer = open_pdf(pdf_bytes)
    if field_rect(writer, field_name) is None:
        raise SigningError("Văn bản chưa có ô chữ ký “sig_official”; hãy thêm ô chữ ký trước.")
    style = appearance.image_style(image_png) if image_png is not None else None
    return sign_writer(writer, signer, field_name=field_name, style=style, level=level,
                       reason=reason, location=location, timestamper=timestamper,
                       validation_context=validation_context)


def sign_copy_stamp(
    pdf_bytes: bytes,
    signer: Signer,
    *,
    code: str,
    timestamper: TimeStamper | None = None,
    level: str = "B-T",
    validation_context: ValidationContext | None = None,
    signed_at: dt.datetime | None = None,
    field_name: str = "sig_copy",
) -> bytes:
    """Agency signature without image on an attachment/copy: top right of page 1,
    text = code + signing time in Vietnam time (ISO 8601, +07:00)."""
    writer = open_pdf(pdf_bytes)
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    box_media = [float(v) for v in page.get("/MediaBox", [0, 0, 595, 842])]
    box = appearance.copy_stamp_box(box_media[2] - box_media[0], box_media[3] - box_media[1])
    when = (signed_at or vn_now()).astimezone(VN_TZ).replace(microsecond=0)
    name = existing = field_name
    n = 1
    while field_rect(writer, existing) is not None:
        n += 1
        existing = f"{name}_{n}"
    return sign_writer(
        writer, signer, field_name=existing, style=_COPY_STYLE, box=box, page=0,
        level=level, reason="Sao y bản chính / ký số tệp đính kèm", timestamper=timestamper,
        validation_context=validation_context,
        text_params={"lines": [code, when.isoformat()]},
    )


_COPY_STYLE = appearance.TextLinesStampStyle()


def sign_batch(
    documents: Sequence[bytes], signer: Signer, *, image_png: Path | str | bytes | None,
    timestamper: TimeStamper | None = None, level: str = "B-T",
    validation_context: ValidationContext | None = None,
) -> list[bytes]:
    """Sign many documents with one signer object (one passphrase/PIN entry)."""
    return [
        sign_official(doc, signer, image_png=image_png, timestamper=timestamper, level=level,
                      validation_context=validation_context)
        for doc in documents
    ]


def run(coro):
    """Run a coroutine from sync code, also when called inside a running loop's thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()
