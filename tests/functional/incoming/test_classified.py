"""Classified incoming documents: metadata only, visible with clearance, 404 to others,
absent from their lists and counts."""

from __future__ import annotations


def test_classified_invisible_to_specialist_visible_to_chairman(app, api, auth, register):
    resp = register(None, secrecy="mat", subject="Kế hoạch bảo vệ bí mật nhà nước")
    assert resp.status_code == 201
    doc_id = resp.get_json()["id"]
    assert resp.get_json()["validation"]["verdict"] is None
    # a leader without clearance (phochutich) and the specialist get the same 404
    for username in ("chuyenvien", "phochutich"):
        assert api.get(f"/api/v1/documents/{doc_id}", username).status_code == 404
        assert api.post(f"/api/v1/incoming/{doc_id}/direction", username,
                        json={"lead": "VHTT"}).status_code in (403, 404)
    assert api.get(f"/api/v1/documents/{doc_id}", "chutich").get_json()["secrecy"] == "mat"
    # directing it to chuyenvien's unit does not give the specialist clearance
    assert api.post(f"/api/v1/incoming/{doc_id}/direction", "chutich",
                    json={"lead": "VHTT", "instruction": "Xử lý theo chế độ mật"}
                    ).status_code == 200
    assert api.get(f"/api/v1/documents/{doc_id}", "chuyenvien").status_code == 404
    assert api.get("/api/v1/incoming?tab=pending", "chuyenvien").get_json()["items"] == []
    auth.login("chuyenvien")
    assert auth.client.get(f"/incoming/{doc_id}").status_code == 404
    assert "bí mật nhà nước" not in auth.client.get("/incoming").get_data(as_text=True)
    dashboard = auth.client.get("/dashboard").get_data(as_text=True)
    assert "bí mật nhà nước" not in dashboard


def test_classified_not_counted_for_leader_without_clearance(app, auth, register, scan):
    register(None, secrecy="mat", subject="Văn bản mật")
    register(scan, subject="Văn bản thường")
    auth.login("phochutich")
    page = auth.client.get("/incoming/statistics").get_data(as_text=True)
    assert "0/1 (0.0%)" in page  # one incoming document (unsigned), the classified one unseen
    panel = auth.client.get("/dashboard").get_data(as_text=True).split(
        'data-panel="to_direct"')[1].split("</article>")[0]
    assert '<span class="count">1</span>' in panel and "Văn bản mật" not in panel


def test_classified_register_is_only_for_cleared_users(auth, register):
    register(None, secrecy="mat", subject="Văn bản mật số một")
    auth.login("chutich")
    page = auth.client.get("/incoming/registers?register=mat").get_data(as_text=True)
    assert "Văn bản mật số một" in page
    auth.client.post("/logout", data={"csrf_token": auth.csrf("/dashboard")})
    auth.login("phochutich")
    page = auth.client.get("/incoming/registers?register=mat").get_data(as_text=True)
    assert "Văn bản mật số một" not in page
