"""Sample incoming documents for the demo instance: received dispatches ready to direct."""

from __future__ import annotations

import io
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Flask

from eoffice.hooks import demo_prepared

SAMPLES = [
    ("UBND tỉnh Vĩnh Phúc", "KH", 82, "KH-UBND", "khan",
     "Kế hoạch triển khai Đề án hoàn thiện chính quyền điện tử, hướng đến chính quyền số "
     "giai đoạn 2021 - 2025",
     ["Tăng cường sự lãnh đạo của các cấp ủy Đảng, nâng cao hiệu lực, hiệu quả quản lý nhà "
      "nước về chuyển đổi số.",
      "Đầu tư, nâng cấp, hoàn thiện hạ tầng công nghệ thông tin; khai thác, vận hành hiệu quả "
      "các ứng dụng công nghệ thông tin, hệ thống quản lý văn bản và điều hành.",
      "Đẩy mạnh sử dụng chữ ký số, gửi nhận văn bản điện tử giữa các cơ quan hành chính."]),
    ("Sở Thông tin và Truyền thông tỉnh Vĩnh Phúc", "CV", 415, "STTTT-BCVT", "thuong",
     "V/v rà soát đường truyền số liệu chuyên dùng tại cấp xã",
     ["Đề nghị UBND thành phố Vĩnh Yên chỉ đạo rà soát hiện trạng đường truyền số liệu "
      "chuyên dùng tại các xã, phường và báo cáo trước ngày 30."]),
    ("Sở Nội vụ tỉnh Vĩnh Phúc", "TB", 27, "TB-SNV", "thuong",
     "Thông báo ý kiến kết luận về công tác cải cách hành chính năm 2026",
     ["Các đơn vị tiếp tục đẩy mạnh cải cách thủ tục hành chính, nâng cao chỉ số hài lòng "
      "của người dân và doanh nghiệp."]),
]


def _scan_pdf(issuer: str, subject: str, paragraphs: list[str]) -> bytes:
    """A simple text PDF standing in for a received (unsigned) scan."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    from eoffice.rendering.fonts import serif_file

    if "EofficeDemoSerif" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("EofficeDemoSerif", str(serif_file())))
    style = ParagraphStyle("body", fontName="EofficeDemoSerif", fontSize=13, leading=18)
    buffer = io.BytesIO()
    story = [Paragraph(issuer.upper(), style), Spacer(1, 12), Paragraph(subject, style),
             Spacer(1, 12)] + [Paragraph(p, style) for p in paragraphs]
    SimpleDocTemplate(buffer, pagesize=A4).build(story)
    return buffer.getvalue()


@demo_prepared.connect
def add_sample_incoming(app: Flask) -> None:
    from eoffice.auth.models import User
    from eoffice.db import db
    from eoffice.documents.models import Direction, Document, Urgency
    from eoffice.extensions import file_store
    from eoffice.incoming.forms import IncomingInput
    from eoffice.incoming.registration import register_incoming
    from eoffice.settings import trust_material

    with app.app_context(), db.transaction() as session:
        if session.scalar(sa.select(Document.id).where(
                Document.direction == Direction.INCOMING).limit(1)) is not None:
            return
        clerk = session.scalar(sa.select(User).where(User.username == "vanthu"))
        if clerk is None:
            return
        today = date.today()
        for issuer, type_code, number, notation, urgency, subject, paragraphs in SAMPLES:
            register_incoming(
                session, file_store(), clerk,
                IncomingInput(issuer_name=issuer, subject=subject, type_code=type_code,
                              code_number=number, code_notation=notation,
                              issued_date=today - timedelta(days=3), urgency=Urgency(urgency),
                              due_date=today + timedelta(days=10)),
                file=_scan_pdf(issuer, subject, paragraphs), filename="van-ban-den.pdf",
                trust=trust_material(), classified_files=False, today=today)
