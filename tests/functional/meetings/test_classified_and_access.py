"""Acceptance 2: a classified document is refused (API and web) with the Vietnamese reason,
the refusal is audited; a non-participant gets 404 on the meeting, its agenda and every
material; a reclassified document leaves the pack and the secretary is told."""

from __future__ import annotations

import sqlalchemy as sa

REASON = "Văn bản mật không được đưa vào tài liệu cuộc họp"


def _audit(app, action: str) -> list:
    from eoffice.audit.models import AuditEntry
    from eoffice.db import db

    with app.app_context():
        return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)
                                  .order_by(AuditEntry.id)).all()


def test_classified_refused_via_api_and_audited(app, api, new_meeting, make_document,
                                                set_clearance):
    set_clearance("thuky", "mat")  # the secretary may see it: the reason, not a 404
    mid = new_meeting()
    secret = make_document("Phương án bảo vệ mục tiêu trọng điểm", secrecy="mat")
    resp = api.post(f"/api/v1/meetings/{mid}/materials", "thuky", json={"document_id": secret})
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["code"] == "classified"
    assert REASON in error["message"]
    entries = _audit(app, "meeting.material_refused")
    assert [(e.actor, e.object_id, e.details["document_id"], e.details["code"])
            for e in entries] == [("thuky", str(mid), secret, "classified")]
    meeting = api.get(f"/api/v1/meetings/{mid}", "thuky").get_json()
    assert meeting["materials"] == []


def test_classified_is_404_for_a_secretary_without_clearance(api, new_meeting, make_document):
    mid = new_meeting()
    secret = make_document("Phương án bảo vệ mục tiêu trọng điểm", secrecy="mat")
    missing = api.post(f"/api/v1/meetings/{mid}/materials", "thuky",
                       json={"document_id": 999999})
    resp = api.post(f"/api/v1/meetings/{mid}/materials", "thuky", json={"document_id": secret})
    assert resp.status_code == missing.status_code == 404
    assert resp.get_json() == missing.get_json()


def test_classified_refused_via_web_and_audited(app, auth, new_meeting, make_document,
                                                set_clearance):
    set_clearance("thuky", "toi_mat")
    mid = new_meeting()
    secret = make_document("Báo cáo tình hình an ninh (Tối mật)", secrecy="toi_mat")
    auth.login("thuky")
    resp = auth.post(f"/meetings/{mid}/materials", data={"document_id": str(secret)},
                     follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert REASON in page and "flash-error" in page
    # the picker never offers it
    assert f'value="{secret}"' not in auth.client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert [e.details["document_id"] for e in _audit(app, "meeting.material_refused")] == [secret]


def test_non_participant_gets_404_everywhere(api, auth, meeting_at):
    mid, materials = meeting_at("distributed")
    paths = [f"/api/v1/meetings/{mid}", f"/api/v1/meetings/{mid}/agenda",
             f"/api/v1/meetings/{mid}/pack", f"/api/v1/meetings/{mid}/minutes",
             *[f"/api/v1/meetings/{mid}/materials/{m}" for m in materials.values()]]
    for user in ("vanthu", "phochutich"):  # VP clerk, another leader: not invited
        for path in paths:
            resp = api.get(path, user)
            assert resp.status_code == 404, (user, path)
            assert resp.get_json()["error"]["code"] == "not_found"
    # a participant gets them all
    for path in paths[:3] + paths[4:]:
        assert api.get(path, "chuyenvien").status_code == 200, path
    # web pages too
    auth.login("vanthu")
    web = [f"/meetings/{mid}", f"/meetings/{mid}/agenda.pdf", f"/meetings/{mid}/pack.zip",
           *[f"/meetings/{mid}/materials/{m}" for m in materials.values()]]
    for path in web:
        assert auth.client.get(path).status_code == 404, path
    assert f"/meetings/{mid}\"" not in auth.client.get("/meetings/").get_data(as_text=True)


def test_reclassified_document_leaves_the_pack_and_the_secretary_is_told(app, api, meeting_at):
    import io
    import zipfile

    from eoffice.auth.models import User
    from eoffice.db import db
    from eoffice.documents.models import Document
    from eoffice.documents.operations import reclassify
    from eoffice.meetings.models import MeetingMaterial

    mid, materials = meeting_at("distributed")
    with app.app_context(), db.transaction() as session:
        material = session.get(MeetingMaterial, materials["document"])
        document = session.get(Document, material.document_id)
        chutich = session.scalar(sa.select(User).where(User.username == "chutich"))
        reclassify(session, document, "mat", chutich)  # runs the meetings hook

    pack = api.get(f"/api/v1/meetings/{mid}/pack", "chuyenvien")
    names = zipfile.ZipFile(io.BytesIO(pack.data)).namelist()
    assert len(names) == 2  # the agenda and the working paper only
    assert api.get(f"/api/v1/meetings/{mid}/materials/{materials['document']}",
                   "chuyenvien").status_code == 404
    meeting = api.get(f"/api/v1/meetings/{mid}", "thuky").get_json()
    withdrawn = [m for m in meeting["materials"] if m["withdrawn"]]
    assert [m["id"] for m in withdrawn] == [materials["document"]]
    told = api.get("/api/v1/meetings/notifications", "thuky").get_json()["notifications"]
    assert any("văn bản mật" in n["message"] and n["meeting_id"] == mid for n in told)
    assert _audit(app, "meeting.material_withdrawn_classified")


def test_pack_excludes_classified_documents_even_without_the_hook(app, api, meeting_at):
    """A secrecy change written by any code path is caught at read time."""
    import io
    import zipfile

    from eoffice.db import db
    from eoffice.documents.models import Document
    from eoffice.meetings.models import MeetingMaterial

    mid, materials = meeting_at("distributed")
    with app.app_context(), db.transaction() as session:
        material = session.get(MeetingMaterial, materials["document"])
        session.execute(sa.update(Document).where(Document.id == material.document_id)
                        .values(secrecy="mat"))
    pack = api.get(f"/api/v1/meetings/{mid}/pack", "chuyenvien")
    assert len(zipfile.ZipFile(io.BytesIO(pack.data)).namelist()) == 2


def test_reclassify_alone_withdraws_and_tells_the_secretary(app, api, meeting_at):
    """Even before the lead wires the hook into ``reclassify``, the flush listener acts."""
    from eoffice.auth.models import User
    from eoffice.db import db
    from eoffice.documents.models import Document
    from eoffice.documents.operations import reclassify
    from eoffice.meetings.models import MeetingMaterial

    mid, materials = meeting_at("agenda_signed")
    with app.app_context(), db.transaction() as session:
        material = session.get(MeetingMaterial, materials["document"])
        document = session.get(Document, material.document_id)
        chutich = session.scalar(sa.select(User).where(User.username == "chutich"))
        reclassify(session, document, "toi_mat", chutich)
    with app.app_context():
        material = db.session.get(MeetingMaterial, materials["document"])
        assert material.withdrawn_at is not None and "văn bản mật" in material.withdrawn_reason
    told = api.get("/api/v1/meetings/notifications", "thuky").get_json()["notifications"]
    assert any(n["meeting_id"] == mid and "văn bản mật" in n["message"] for n in told)
