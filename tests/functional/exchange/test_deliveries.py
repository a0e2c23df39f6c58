"""Liên thông inside one deployment: deliveries with the national status codes (SPEC §6)."""

from __future__ import annotations

import sqlalchemy as sa

PROVINCE = "000.00.00.H62"


def dispatch(api, doc_id: int, *recipients: str):
    return api.post(f"/api/v1/outgoing/{doc_id}/dispatch", "vanthu",
                    json={"recipients": list(recipients)})


def statuses(api, doc_id: int, username: str = "vanthu") -> list[str]:
    resp = api.get(f"/api/v1/outgoing/{doc_id}", username)
    assert resp.status_code == 200, resp.get_json()
    (delivery,) = [d for d in resp.get_json()["deliveries"] if d["agency_code"] == PROVINCE]
    return [h["status"] for h in delivery["history"]]


def inbox(api, username: str = "vanthutinh", **params) -> list[dict]:
    resp = api.get("/api/v1/exchange/inbox", username, query_string=params)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["results"]


def audit_actions(app, action_prefix: str) -> list[dict]:
    from eoffice.audit.models import AuditEntry
    from eoffice.db import db

    with app.app_context():
        rows = db.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.action.like(f"{action_prefix}%")).order_by(AuditEntry.id)).all()
        out = [{"action": r.action, "details": r.details, "object_id": r.object_id}
               for r in rows]
        db.session.remove()
        return out


def test_dispatch_reaches_the_province_inbox_with_verdict_and_metadata(api, province, issued):
    doc_id = issued(urgency="khan")
    resp = dispatch(api, doc_id, "TCKH", province)
    assert resp.status_code == 200, resp.get_json()

    body = api.get(f"/api/v1/outgoing/{doc_id}", "vanthu").get_json()
    (delivery,) = body["deliveries"]
    assert delivery["agency_code"] == province and delivery["agency_name"] == "UBND tỉnh Vĩnh Phúc"
    assert (delivery["status"], delivery["status_label"]) == ("01", "Đã gửi")
    assert delivery["updated_at"].endswith("Z")

    (item,) = inbox(api)
    assert item["sender_code"] == "000.00.10.H62"
    assert item["sender_name"] == "UBND thành phố Vĩnh Yên"
    assert item["verdict"] == "valid" and item["verdict_label"] == "hợp lệ"
    assert item["code"] == body["code"] and item["number"] == body["code_number"]
    assert item["subject"] == body["subject"] and item["type_code"] == "KH"
    assert item["signer_name"] == "Trần Văn Hùng" and item["urgency"] == "khan" and item["urgent"]
    issued_on = body["issued_date"].replace("-", "/")
    assert item["document_id"] == f"000.00.10.H62,{issued_on},{body['code']}"
    # the sender's own clerk has nothing to accept; a specialist has no exchange inbox
    assert inbox(api, "vanthu") == []
    assert api.get("/api/v1/exchange/inbox", "chuyenvientinh").status_code == 403
    # another agency's delivery answers 404, as a missing id
    assert api.get(f"/api/v1/exchange/inbox/{item['id']}", "vanthu").status_code == 404
    assert api.post(f"/api/v1/exchange/inbox/{item['id']}/accept", "vanthu").status_code == 404


def test_accept_registers_then_direction_handling_completion_report_back(api, province, issued):
    doc_id = issued()
    dispatch(api, doc_id, province)
    (item,) = inbox(api)
    resp = api.post(f"/api/v1/exchange/inbox/{item['id']}/accept", "vanthutinh")
    assert resp.status_code == 200, resp.get_json()
    registered = resp.get_json()
    assert registered["arrival_number"] == 1
    assert statuses(api, doc_id) == ["01", "03"]
    assert inbox(api) == []
    # accepting twice is a conflict, not a second registration
    assert api.post(f"/api/v1/exchange/inbox/{item['id']}/accept",
                    "vanthutinh").status_code == 409

    incoming = api.get(f"/api/v1/documents/{registered['document_id']}", "vanthutinh").get_json()
    assert incoming["direction"] == "incoming"
    assert incoming["issuer_name"] == "UBND thành phố Vĩnh Yên"
    assert incoming["validation"]["verdict"] == "valid"
    # Vĩnh Yên cannot open the province's registered copy
    assert api.get(f"/api/v1/documents/{registered['document_id']}", "vanthu").status_code == 404

    resp = api.post(f"/api/v1/incoming/{registered['document_id']}/direction", "chutichtinh",
                    json={"instruction": "Giao Sở Văn hóa chủ trì.", "lead": "VHTT"})
    assert resp.status_code == 200, resp.get_json()
    assert statuses(api, doc_id) == ["01", "03", "04"]
    (assignment,) = resp.get_json()["assignments"]
    base = f"/api/v1/incoming/assignments/{assignment['id']}"
    assert api.post(f"{base}/start", "truongphongtinh").status_code == 200
    assert statuses(api, doc_id) == ["01", "03", "04", "05"]
    assert api.post(f"{base}/complete", "truongphongtinh",
                    json={"result": "Đã triển khai"}).status_code == 200
    history = api.get(f"/api/v1/outgoing/{doc_id}", "vanthu").get_json()["deliveries"][0]
    assert [h["status"] for h in history["history"]] == ["01", "03", "04", "05", "06"]
    assert history["history"][1]["actor"] == "vanthutinh"
    assert "UBND tỉnh Vĩnh Phúc" in history["history"][1]["actor_name"]
    assert history["history"][2]["actor"] == "chutichtinh"
    # the leaders' statistics: per recipient agency
    stats = api.get("/api/v1/exchange/statistics", "chutich").get_json()
    (line,) = stats["agencies"]
    assert (line["agency_code"], line["sent"], line["accepted"], line["refused"], line["done"],
            line["done_on_time"]) == (province, 1, 1, 0, 1, 1)
    assert api.get("/api/v1/exchange/statistics", "chutichtinh").get_json()["agencies"] == []
    assert api.get("/api/v1/exchange/statistics?year=abc", "chutich").status_code == 400
    assert api.get("/api/v1/exchange/statistics", "chuyenvien").status_code == 403


def test_refusal_needs_a_reason_and_goes_back_as_02(api, province, issued):
    doc_id = issued()
    dispatch(api, doc_id, province)
    (item,) = inbox(api)
    url = f"/api/v1/exchange/inbox/{item['id']}/refuse"
    resp = api.post(url, "vanthutinh", json={"reason": "  "})
    assert resp.status_code == 422 and resp.get_json()["error"]["code"] == "reason_required"
    assert api.post(url, "vanthutinh", json={"reason": "x" * 5000}).status_code == 422
    assert api.post(url, "vanthutinh", json={"reason": ["x"]}).status_code == 422
    assert api.post(url, "vanthutinh", json={"reason": "Không thuộc thẩm quyền"}).status_code == 200
    delivery = api.get(f"/api/v1/outgoing/{doc_id}", "vanthu").get_json()["deliveries"][0]
    assert delivery["status"] == "02"
    assert delivery["history"][-1]["reason"] == "Không thuộc thẩm quyền"
    assert api.post(f"/api/v1/exchange/inbox/{item['id']}/accept",
                    "vanthutinh").status_code == 409
    assert inbox(api) == []
    (line,) = api.get("/api/v1/exchange/statistics", "chutich").get_json()["agencies"]
    assert (line["sent"], line["accepted"], line["refused"], line["done"]) == (1, 0, 1, 0)


def test_recall_refused_then_accepted_withdraws_from_handlers(api, auth, client, province,
                                                              issued):
    doc_id = issued()
    dispatch(api, doc_id, province)
    (item,) = inbox(api)
    registered = api.post(f"/api/v1/exchange/inbox/{item['id']}/accept",
                          "vanthutinh").get_json()["document_id"]
    resp = api.post(f"/api/v1/incoming/{registered}/direction", "chutichtinh",
                    json={"instruction": "Chuyên viên nghiên cứu.", "lead": "chuyenvientinh"})
    assert resp.status_code == 200, resp.get_json()
    assert api.get(f"/api/v1/documents/{registered}", "chuyenvientinh").status_code == 200

    # a recall needs a reason
    assert api.post(f"/api/v1/outgoing/{doc_id}/recall", "vanthu",
                    json={"reason": ""}).status_code == 422
    assert api.post(f"/api/v1/outgoing/{doc_id}/recall", "vanthu",
                    json={"reason": "Ban hành nhầm phụ lục"}).status_code == 200
    (recall,) = inbox(api, status="13")
    assert recall["recall_reason"] == "Ban hành nhầm phụ lục"
    assert api.post(f"/api/v1/exchange/recalls/{recall['id']}/refuse", "vanthutinh",
                    json={}).status_code == 422
    assert api.post(f"/api/v1/exchange/recalls/{recall['id']}/refuse", "vanthutinh",
                    json={"reason": "Đã triển khai thực hiện"}).status_code == 200
    assert statuses(api, doc_id)[-2:] == ["13", "16"]
    assert api.get(f"/api/v1/documents/{registered}", "chuyenvientinh").status_code == 200

    assert api.post(f"/api/v1/outgoing/{doc_id}/recall", "vanthu",
                    json={"reason": "Văn bản bị thay thế"}).status_code == 200
    (recall,) = inbox(api, status="13")
    assert api.post(f"/api/v1/exchange/recalls/{recall['id']}/accept",
                    "vanthutinh").status_code == 200
    assert statuses(api, doc_id)[-4:] == ["13", "16", "13", "15"]
    # the handler and the leader lose the document; the clerk's register keeps it with a note
    assert api.get(f"/api/v1/documents/{registered}", "chuyenvientinh").status_code == 404
    assert api.get(f"/api/v1/documents/{registered}", "chutichtinh").status_code == 404
    kept = api.get(f"/api/v1/documents/{registered}", "vanthutinh")
    assert kept.status_code == 200
    auth.login("vanthutinh")
    register = client.get("/incoming/registers").get_data(as_text=True)
    assert "Nơi gửi đã lấy lại văn bản (Văn bản bị thay thế)" in register
    # nothing more to recall
    assert api.post(f"/api/v1/outgoing/{doc_id}/recall", "vanthu",
                    json={"reason": "lần nữa"}).status_code == 409


def test_classified_documents_are_never_exchanged_and_the_refusal_is_audited(
        app, api, province, issued):
    doc_id = issued()
    app.config["CLASSIFIED_FILES"] = True  # the file stays: the refusal is the exchange's
    assert api.post(f"/api/v1/documents/{doc_id}/reclassify", "vanthu",
                    json={"secrecy": "mat", "confirm_remove_files": True}).status_code == 200
    resp = dispatch(api, doc_id, province)
    assert resp.status_code == 422
    assert resp.get_json()["error"]["code"] == "classified"
    assert "Văn bản mật" in resp.get_json()["error"]["message"]
    refused = audit_actions(app, "exchange.refused")
    assert refused and refused[-1]["object_id"] == str(doc_id)
    assert refused[-1]["details"]["recipients"] == [province]
    assert inbox(api) == []
    assert api.get(f"/api/v1/outgoing/{doc_id}", "vanthu").get_json()["deliveries"] == []


def test_urgent_documents_come_first(api, province, issued):
    normal, urgent = issued(subject="Thường"), issued(subject="Hỏa tốc", urgency="hoa_toc")
    dispatch(api, normal, province)
    dispatch(api, urgent, province)
    assert [i["subject"] for i in inbox(api)] == ["Hỏa tốc", "Thường"]


def test_web_inbox_flags_urgent_in_red_and_accepts(auth, api, province, issued, client):
    doc_id = issued(urgency="thuong_khan")
    dispatch(api, doc_id, province)
    auth.login("vanthutinh")
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert 'chờ tiếp nhận<span class="new-count" title="Mới">1</span>' in dashboard
    page = client.get("/exchange/inbox")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Văn bản điện tử chờ tiếp nhận" in html
    assert 'class="urgent new"' in html and "Thượng khẩn" in html
    assert 'data-verdict="valid"' in html and 'class="badge new"' in html
    # new to the clerk on her first visit only; the menu counted it until then
    again = client.get("/exchange/inbox").get_data(as_text=True)
    assert 'class="urgent"' in again and 'class="badge new"' not in again
    assert 'chờ tiếp nhận<span class="new-count"' not in again
    (item,) = inbox(api)
    resp = auth.post(f"/exchange/inbox/{item['id']}/accept")
    assert resp.status_code == 302
    assert "số đến 1" in client.get("/exchange/inbox").get_data(as_text=True)
    assert statuses(api, doc_id) == ["01", "03"]


def test_repair_sets_a_tampered_delivery_status_back_from_its_history(
        api, province, issued, repair, tamper_state, cached_state):
    doc_id = issued()
    assert dispatch(api, doc_id, province).status_code == 200
    (item,) = inbox(api)
    assert api.post(f"/api/v1/exchange/inbox/{item['id']}/accept", "vanthutinh").status_code == 200
    assert repair().exit_code == 0

    tamper_state("exchange_deliveries", item["id"], "06", column="status")
    result = repair()
    assert result.exit_code == 1 and f"delivery:{item['id']}" in result.output
    repair("--fix")
    assert cached_state("exchange_deliveries", item["id"], column="status") == "03"
    assert statuses(api, doc_id) == ["01", "03"]
    assert repair().exit_code == 0
