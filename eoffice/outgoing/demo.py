"""Sample outgoing documents for the demo instance (a couple of drafts)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from eoffice.hooks import demo_prepared


@demo_prepared.connect
def add_sample_drafts(app: Flask) -> None:
    from eoffice.auth.models import User
    from eoffice.db import db
    from eoffice.documents.models import Direction, Document
    from eoffice.extensions import file_store
    from eoffice.outgoing.drafting import DraftInput, create_draft
    from eoffice.outgoing.review import submit

    with app.app_context(), db.transaction() as session:
        if session.scalar(sa.select(Document.id).where(
                Document.direction == Direction.OUTGOING).limit(1)) is not None:
            return
        drafter = session.scalar(sa.select(User).where(User.username == "chuyenvien"))
        if drafter is None:
            return
        plan = create_draft(session, file_store(), drafter, DraftInput(
            type_code="KH", subject="Tổ chức các hoạt động văn hóa, thể thao chào mừng "
            "Ngày Quốc khánh 02/9", signer="chutich", authority="TM. ỦY BAN NHÂN DÂN",
            body=["Thực hiện chỉ đạo của UBND tỉnh Vĩnh Phúc, UBND thành phố Vĩnh Yên ban "
                  "hành Kế hoạch tổ chức các hoạt động văn hóa, thể thao như sau:",
                  "I. MỤC ĐÍCH, YÊU CẦU",
                  "Tạo không khí vui tươi, phấn khởi trong Nhân dân; đảm bảo an toàn, "
                  "tiết kiệm."],
            recipients=["Thường trực Thành ủy", "Các phòng, ban thuộc UBND thành phố"]))
        submit(session, plan, drafter)
        create_draft(session, file_store(), drafter, DraftInput(
            type_code="CV", subject="Đề nghị cung cấp số liệu phục vụ báo cáo năm",
            signer="phochutich", authority="KT. CHỦ TỊCH",
            body=["Để có số liệu xây dựng báo cáo năm, Phòng Văn hóa và Thông tin đề nghị "
                  "các đơn vị cung cấp số liệu theo mẫu gửi kèm trước ngày 15."],
            recipients=["Phòng Tài chính - Kế hoạch", "Phòng Nội vụ"]))
