"""Documents made directly through the shared document operations (search, repair tests)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa


def make_pdf(text: str) -> bytes:
    """A one-page PDF whose text layer holds ``text`` (Vietnamese-capable font)."""
    import io

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from eoffice.rendering.fonts import serif_file

    if "EofficeTestSerif" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("EofficeTestSerif", str(serif_file())))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setFont("EofficeTestSerif", 12)
    for i, line in enumerate(text.splitlines() or [text]):
        pdf.drawString(72, 780 - 16 * i, line)
    pdf.save()
    return buffer.getvalue()


class Docs:
    def __init__(self, app) -> None:
        self.app = app

    def create(self, subject: str, *, content: str = "", secrecy: str = "none",
               department: str = "VP", keys: tuple[str, ...] = ("role:leader", "role:clerk"),
               direction: str = "incoming", type_code: str = "CV") -> int:
        from eoffice.auth.models import Department, User
        from eoffice.db import db
        from eoffice.documents.models import Direction, Document
        from eoffice.documents.operations import attach_file, mark_changed
        from eoffice.extensions import file_store
        from eoffice.storage import PDF

        with self.app.app_context():
            session = db.session
            clerk = session.scalar(sa.select(User).where(User.username == "vanthu"))
            dept = session.scalar(sa.select(Department).where(
                Department.abbreviation == department,
                Department.agency_id == clerk.department.agency_id))
            document = Document(direction=Direction(direction), state="registered",
                                subject=subject, secrecy=secrecy, type_code=type_code,
                                issuer_name="UBND tỉnh Vĩnh Phúc", department=dept,
                                created_by=clerk, arrival_date=date(2026, 11, 2))
            session.add(document)
            session.flush()
            document.grant(*keys, f"dept:{department}")
            if content:
                attach_file(session, file_store(), document, "original", make_pdf(content),
                            clerk, accepted={PDF})
            mark_changed(session, document)
            session.commit()
            return document.id

    def reclassify(self, document_id: int, secrecy: str) -> None:
        from eoffice.auth.models import User
        from eoffice.db import db
        from eoffice.documents.models import Document
        from eoffice.documents.operations import reclassify

        with self.app.app_context():
            chutich = db.session.scalar(sa.select(User).where(User.username == "chutich"))
            reclassify(db.session, db.session.get(Document, document_id), secrecy, chutich)
            db.session.commit()


@pytest.fixture
def docs(app) -> Docs:
    return Docs(app)


@pytest.fixture
def search_api(api):
    def run(q: str, username: str = "chutich", **params):
        resp = api.get("/api/v1/search", username, query_string={"q": q, **params})
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()

    return run


@pytest.fixture
def pdf_with_text():
    """``pdf_with_text(text) -> bytes``: a one-page PDF with that text layer."""
    return make_pdf
