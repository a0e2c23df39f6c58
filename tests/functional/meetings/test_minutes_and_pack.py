"""Acceptance 3 and 4: minutes signed by the secretary then the chair validate with two
valid signatures; the ZIP pack holds exactly the signed agenda and the allowed materials,
with Vietnamese file names intact."""

from __future__ import annotations

import io
import subprocess
import unicodedata
import zipfile
from pathlib import Path

PASSPHRASE = "eoffice-demo"
MINUTES = {
    "starts_at": "2026-07-15T08:05", "ends_at": "2026-07-15T10:50",
    "location": "Phòng họp tầng 3",
    "attendees": ["Ông Nguyễn Văn An, Chủ tịch UBND", "Phòng Văn hóa và Thông tin"],
    "absentees": ["Bà Lê Thị Hoa (đi công tác)"],
    "content": ["Phòng Văn hóa và Thông tin báo cáo kết quả quý III.",
                "Các đại biểu thảo luận."],
    "conclusions": ["Thống nhất kế hoạch quý IV.", "Giao Phòng VHTT hoàn thiện báo cáo."],
}


def test_minutes_with_two_valid_signatures(app, api, meeting_at, nss_db, tmp_path):
    from signing.validation import validate_pdf

    mid, _ = meeting_at("distributed")
    resp = api.post(f"/api/v1/meetings/{mid}/minutes", "thuky", json=MINUTES)
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["state"] == "held"
    # the chair may not sign before the secretary
    early = api.post(f"/api/v1/meetings/{mid}/minutes/sign", "chutich",
                     json={"passphrase": PASSPHRASE})
    assert early.status_code == 403
    first = api.post(f"/api/v1/meetings/{mid}/minutes/sign", "thuky",
                     json={"passphrase": PASSPHRASE})
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["minutes_state"] == "secretary_signed"
    second = api.post(f"/api/v1/meetings/{mid}/minutes/sign", "chutich",
                      json={"passphrase": PASSPHRASE})
    assert second.status_code == 200, second.get_json()
    assert second.get_json()["state"] == "minutes_signed"
    assert second.get_json()["validation"]["verdict"] == "valid"

    pdf = api.get(f"/api/v1/meetings/{mid}/minutes", "thuky").data
    pki = Path(app.config["INSTANCE_PATH"]) / "pki"
    report = validate_pdf(pdf, trust_roots=[(pki / "root.pem").read_bytes()],
                          crls=[p.read_bytes() for p in sorted((pki / "crl").glob("*.crl"))],
                          sandbox=False)
    assert report.verdict == "valid", report.reasons
    sigs = {s.field_name: s for s in report.signatures}
    assert set(sigs) == {"sig_secretary", "sig_chair"}
    assert all(s.intact and s.trusted for s in sigs.values())
    assert sigs["sig_secretary"].modification_level in ("none", "lta_updates", "form_filling")
    path = tmp_path / "minutes.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfsig", "-nssdir", nss_db, str(path)], capture_output=True,
                         text=True).stdout
    assert out.count("Signature is Valid.") == 2

    # participants read it only once distributed
    assert api.get(f"/api/v1/meetings/{mid}/minutes", "chuyenvien").status_code == 404
    assert api.post(f"/api/v1/meetings/{mid}/minutes/distribute", "thuky").status_code == 200
    assert api.get(f"/api/v1/meetings/{mid}/minutes", "chuyenvien").data == pdf
    told = api.get("/api/v1/meetings/notifications", "chuyenvien").get_json()["notifications"]
    assert any("Biên bản" in n["message"] for n in told)


def test_zip_pack_is_exactly_agenda_and_allowed_materials(api, meeting_at, make_document):
    mid, materials = meeting_at("distributed")
    # a withdrawn material does not travel
    extra = make_document("Văn bản sẽ bị rút", number=9)
    added = api.post(f"/api/v1/meetings/{mid}/materials", "thuky", json={"document_id": extra})
    assert api.post(f"/api/v1/meetings/{mid}/materials/{added.get_json()['id']}/withdraw",
                    "thuky").status_code == 200

    resp = api.get(f"/api/v1/meetings/{mid}/pack", "chuyenvien")
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(resp.data))
    infos = archive.infolist()
    names = [i.filename for i in infos]
    assert names == [
        "01 - Giấy mời và chương trình - Giao ban công tác văn hóa, thông tin quý III năm "
        "2026.pdf",
        "02 - 07-KH-UBND Kế hoạch tổ chức Ngày hội Văn hóa các dân tộc năm 2026.pdf",
        "03 - Tài liệu tham khảo - Báo cáo tham luận Phòng VHTT.pdf",
    ]
    assert all(i.flag_bits & 0x800 for i in infos)  # UTF-8 names flag
    assert all(n == unicodedata.normalize("NFC", n) for n in names)
    assert archive.read(names[0]) == api.get(f"/api/v1/meetings/{mid}/agenda", "thuky").data
    assert archive.read(names[1]) == api.get(
        f"/api/v1/meetings/{mid}/materials/{materials['document']}", "thuky").data
    assert archive.read(names[2]).startswith(b"%PDF")
    openings = api.get(f"/api/v1/meetings/{mid}/openings", "thuky").get_json()["openings"]
    assert openings[0]["username"] == "chuyenvien" and openings[0]["downloaded_pack"]


def test_cancel_notifies_participants(api, meeting_at):
    mid, _ = meeting_at("distributed")
    resp = api.post(f"/api/v1/meetings/{mid}/cancel", "chutich",
                    json={"reason": "Lãnh đạo đi công tác"})
    assert resp.get_json()["state"] == "cancelled"
    told = api.get("/api/v1/meetings/notifications", "chuyenvien").get_json()["notifications"]
    assert any("đã bị hủy" in n["message"] for n in told)
