"""The one pipeline every untrusted file passes before anything is stored (SPEC §9).

size limit → real type from the content → sandboxed structure check (decompression bombs
including nested filters, reference loops, page-tree cycles, DOCX zip bombs; signatures
and page count of a PDF from the same child) → only then may the caller store it.

Entry points:

* :func:`check_bytes` — no Flask: for imports (edXML exchange), the CLI, domain
  operations handed raw bytes;
* :func:`check_upload` — web and API: reads a Werkzeug upload with the size limit, ends
  the request's read transaction first (no database lock is held while the sandbox
  works), takes trust material and limits from the app config.

A refused file raises :class:`FileRefused` (an :class:`~eoffice.errors.Invalid`, 4xx with
a Vietnamese message and a stable ``code``); nothing has been written anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from eoffice.errors import Invalid
from eoffice.storage import DOCX, PDF, TYPE_LABELS, sniff_type

MAX_BYTES = 50 * 1024 * 1024

REFUSALS = {
    "bomb": ("Tệp bị từ chối vì có cấu trúc bất thường: nội dung nén bung ra quá lớn (nghi "
             "“bom giải nén”). Hãy đề nghị nơi gửi gửi lại tệp bình thường."),
    "loop": ("Tệp bị từ chối vì có cấu trúc bất thường: tệp PDF có vòng lặp (cây trang hoặc "
             "tham chiếu vòng). Hãy đề nghị nơi gửi gửi lại tệp."),
    "unreadable": ("Tệp bị từ chối: tệp bị hỏng hoặc có cấu trúc bất thường, không đọc "
                   "được. Hãy đề nghị nơi gửi gửi lại tệp."),
    "limits": ("Tệp bị từ chối: kiểm tra tệp vượt giới hạn bộ nhớ hoặc thời gian xử lý "
               "(tệp có cấu trúc bất thường)."),
}


class FileRefused(Invalid):
    """The file did not pass the pipeline; nothing was stored."""

    def __init__(self, message: str, *, code: str, status: int = 422) -> None:
        super().__init__(message, code=code)
        self.status = status


@dataclass(frozen=True)
class AcceptedFile:
    """A file that passed the pipeline: bytes, real type and what the sandbox found."""

    data: bytes
    mime: str
    filename: str = ""
    page_count: int | None = None
    report: Any = None
    """:class:`signing.validation.ValidationReport` of a PDF checked with ``validate``."""
    text: str = ""
    """Text of a validated PDF's first pages (for guessing the register fields)."""

    @property
    def is_pdf(self) -> bool:
        return self.mime == PDF


def _type_refusal(accepted: Iterable[str]) -> FileRefused:
    names = ", ".join(sorted(TYPE_LABELS.get(t, t) for t in accepted))
    return FileRefused(f"Tệp không đúng định dạng: nội dung tệp không phải {names} (hệ thống "
                       f"kiểm tra nội dung, không dựa vào đuôi tên tệp).",
                       code="unsupported_type")


def too_large(max_bytes: int) -> FileRefused:
    return FileRefused(f"Tệp quá lớn: tối đa {max_bytes // (1024 * 1024)} MB.",
                       code="file_too_large", status=413)


def check_bytes(data: bytes, *, accepted: Iterable[str] = (PDF,), filename: str = "",
                validate: bool = False, roots: Iterable[bytes] = (),
                crls: Iterable[bytes] = (), online: bool = False,
                revocation_cache: Any = None, max_bytes: int = MAX_BYTES,
                text: bool | None = None, unsigned_verdict: bool = False) -> AcceptedFile:
    """Run ``data`` through the pipeline; :class:`FileRefused` when it does not pass.

    ``validate``: also check a PDF's signatures (against DER ``roots`` and ``crls``; OCSP
    and CRLs fetched when ``online``, cached in ``revocation_cache``) and read its first
    pages' text (``text``, default ``validate``: only forms that guess fields need it).
    ``unsigned_verdict`` (without ``validate``): the report all the same of a PDF without
    any filled signature field, whose verdict needs no validation (``report`` stays None
    for a signed one).
    """
    from signing.structure import check_structure

    accepted = set(accepted)
    if not data:
        raise FileRefused("Tệp tải lên rỗng.", code="missing_file")
    if len(data) > max_bytes:
        raise too_large(max_bytes)
    mime = sniff_type(data)
    if mime not in accepted or mime not in (PDF, DOCX):
        raise _type_refusal(accepted)
    found = check_structure(data, "pdf" if mime == PDF else "docx", roots=list(roots),
                            crls=list(crls), validate=validate and mime == PDF,
                            text=(validate if text is None else text) and mime == PDF,
                            allow_fetching=online,
                            cache_dir=str(revocation_cache) if revocation_cache else None,
                            unsigned=unsigned_verdict and not validate and mime == PDF)
    if found.problem is not None:
        raise FileRefused(REFUSALS.get(found.problem, REFUSALS["unreadable"]),
                          code=f"hostile_file_{found.problem}")
    return AcceptedFile(bytes(data), mime, filename, found.page_count, found.report,
                        found.text)


def ensure_checked(file: bytes | AcceptedFile | None, **options: Any) -> AcceptedFile | None:
    """Domain operations accept raw bytes too: those go through :func:`check_bytes`."""
    if file is None or isinstance(file, AcceptedFile):
        return file
    return check_bytes(file, **options)


# --- Flask side ---------------------------------------------------------------------


def max_upload_bytes() -> int:
    from flask import current_app

    return int(current_app.config.get("MAX_UPLOAD_BYTES")
               or current_app.config.get("MAX_CONTENT_LENGTH") or MAX_BYTES)


def end_read_transaction() -> None:
    """SQLite: end the request's transaction while it has only read (SQLite takes its write
    lock at BEGIN), so the sandbox runs holding no lock. Rolled back, not committed: the
    request's one commit stays at its end (:mod:`eoffice.web.transaction`); a transaction
    that has written is left as it is. The acting user stays loaded (the rollback would
    expire it: reading it again after the sandbox would cost a query). PostgreSQL: a
    transaction that has only read holds no lock a writer waits for (READ COMMITTED: each
    statement reads the latest commits), so it stays open — no ROLLBACK and no second
    BEGIN per upload."""
    from eoffice.db import db, keeping_loaded
    from eoffice.extensions import acting_user
    from eoffice.web.transaction import wrote_in_request

    session = db.session()  # the request's session behind the scoped proxy
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction() and not (session.new or session.dirty or session.deleted) \
            and not wrote_in_request(session):
        user = acting_user()
        user = user._get_current_object() if hasattr(user, "_get_current_object") else user
        with keeping_loaded(session, user, vars(user).get("department") if user else None):
            session.rollback()


def read_upload(upload: Any) -> tuple[bytes | None, str]:
    """Bytes (None when no file was chosen) and client file name of a Werkzeug upload,
    read with the size limit (:class:`FileRefused` 413 past it)."""
    if upload is None or not getattr(upload, "filename", None):
        return None, ""
    limit = max_upload_bytes()
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise too_large(limit)
    return (data or None), str(upload.filename or "")


def check_upload(upload: Any, *, accepted: Iterable[str] = (PDF,), validate: bool = False,
                 data: bytes | None = None, filename: str = "",
                 text: bool | None = None, unsigned_verdict: bool = False) -> AcceptedFile | None:
    """The pipeline for a request's upload (``None`` when no file was chosen).

    ``data``/``filename`` instead of ``upload`` for bytes already read from a request;
    ``unsigned_verdict``: see :func:`check_bytes`.
    """
    if data is None:
        data, filename = read_upload(upload)
    if data is None:
        return None
    trust: dict[str, Any] = {}
    if validate:
        from eoffice.settings import trust_material

        material = trust_material()
        trust = {"roots": list(material.roots), "crls": list(material.crls),
                 "online": material.online, "revocation_cache": material.revocation_cache}
    end_read_transaction()
    return check_bytes(data, accepted=accepted, filename=filename, validate=validate,
                       max_bytes=max_upload_bytes(), text=text,
                       unsigned_verdict=unsigned_verdict, **trust)


# --- a checked file kept between two steps of a web form (never in the store) ---------

PENDING_HOURS = 24


def _pending_place() -> Any:
    """Where this deployment keeps them: seen by every app server (beside the document
    store; :mod:`eoffice.pending_uploads`)."""
    from pathlib import Path

    from flask import current_app

    from eoffice.pending_uploads import place_for

    place = current_app.extensions.get("eoffice.pending")
    if place is None:
        place = place_for(current_app.extensions["eoffice.files"],
                          Path(current_app.instance_path))
        current_app.extensions["eoffice.pending"] = place
    return place


VERDICT_REUSE_SECONDS = 3600
"""How long the verdict of a form's check step is reused by its register step."""


def _is_digest(sha: str) -> bool:
    return len(sha) == 64 and all(c in "0123456789abcdef" for c in sha)


def keep_pending(file: AcceptedFile, *, owner: int | None = None) -> str:
    """Keep an accepted file for the next step of a form (e.g. check, then register);
    returns its sha256. Kept files older than :data:`PENDING_HOURS` are never read again
    and removed now and then.

    With ``owner`` (a user id) the signature verdict of a validated file is kept beside it,
    for that user only (:func:`pending_verdict`): the register step does not validate the
    same bytes a second time. The verdict never comes from the client."""
    import hashlib
    import json

    place = _pending_place()
    place.sweep_now_and_then(PENDING_HOURS * 3600)
    sha = hashlib.sha256(file.data).hexdigest()
    place.write(sha, file.data)
    if owner is not None and file.report is not None:
        verdict = json.dumps(file.report.to_dict(), ensure_ascii=False, default=str)
        place.write(f"{sha}.verdict-{int(owner)}.json", verdict.encode("utf-8"))
    return sha


def pending_verdict(sha: str, owner: int, data: bytes | None = None) -> dict[str, Any] | None:
    """The verdict computed for the kept file ``sha`` when ``owner`` checked it (within
    :data:`VERDICT_REUSE_SECONDS`, on any app server), if the kept bytes (``data``, else
    read again) still hash to ``sha``."""
    import hashlib
    import json

    data = load_pending(sha) if data is None else data
    if data is None or hashlib.sha256(data).hexdigest() != sha:
        return None
    found = _pending_place().read(f"{sha}.verdict-{int(owner)}.json", max_upload_bytes())
    if found is None or found[1] > VERDICT_REUSE_SECONDS:
        return None
    try:
        verdict = json.loads(found[0].decode("utf-8"))
    except ValueError:
        return None
    return verdict if isinstance(verdict, dict) and "verdict" in verdict else None


def load_pending(sha: str) -> bytes | None:
    """The kept file ``sha`` (None when unknown, expired or above the upload limit)."""
    if not _is_digest(sha):
        return None
    found = _pending_place().read(sha, max_upload_bytes())
    if found is None or found[1] > PENDING_HOURS * 3600:
        return None
    return found[0]


def forget_pending(sha: str) -> None:
    if _is_digest(sha):
        _pending_place().forget(sha)
