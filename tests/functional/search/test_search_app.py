"""Search through the app: Vietnamese matching, classified exclusion, visibility, CLI repair."""

from __future__ import annotations

from eoffice.cli import cli


def test_query_without_diacritics_finds_pdf_content(docs, search_api):
    doc_id = docs.create("Kế hoạch năm 2026",
                         content="Triển khai chuyển đổi số trong cơ quan nhà nước")
    docs.create("Báo cáo tài chính quý III", content="Số liệu thu chi ngân sách")
    body = search_api("chuyen doi so")
    assert body["total"] == 1 and body["results"][0]["id"] == doc_id
    assert "<mark>" in body["results"][0]["snippet"]
    assert search_api("chuyển đổi số")["total"] == 1


def test_type_filter_and_year(docs, search_api):
    docs.create("Kế hoạch chuyển đổi số", type_code="KH")
    docs.create("Công văn về chuyển đổi số", type_code="CV")
    assert search_api("chuyen doi so")["total"] == 2
    assert search_api("chuyen doi so", type_code="KH")["total"] == 1
    assert search_api("chuyen doi so", year="2026")["total"] == 2
    assert search_api("chuyen doi so", year="2019")["total"] == 0



def test_classified_documents_never_come_out(app, docs, search_api, api, index_bytes):
    docs.create("Thông báo công khai lịch tiếp dân", content="Lịch tiếp công dân tháng 12")
    canaries = [f"canarymat{i:02d}" for i in range(10)]
    for word in canaries:
        docs.create(f"Văn bản mật {word}", content=f"Nội dung tuyệt mật {word} xyzbimat",
                    secrecy="mat")
    for word in canaries + ["xyzbimat"]:
        body = search_api(word, "chutich")  # even the highest clearance finds nothing
        assert body["total"] == 0 and body["results"] == []
    suggestions = api.get("/api/v1/search/suggest", "chutich",
                          query_string={"q": "canary"}).get_json()["suggestions"]
    assert suggestions == []
    data = index_bytes(app)
    assert data, "the index exists"
    for word in canaries + ["xyzbimat"]:
        assert word.encode() not in data


def test_reclassifying_removes_at_once_and_declassifying_restores(app, docs, search_api,
                                                                  index_bytes):
    doc_id = docs.create("Quyết định về nhân sự", content="bổ nhiệm cán bộ quản lý zetaword")
    assert search_api("zetaword")["total"] == 1
    docs.reclassify(doc_id, "mat")
    assert search_api("zetaword")["total"] == 0
    assert b"zetaword" not in index_bytes(app)
    docs.reclassify(doc_id, "none")
    assert search_api("zetaword")["total"] == 1


def test_users_find_only_what_they_may_see(docs, search_api):
    docs.create("Tờ trình nội bộ văn phòng omegaword", department="VP",
                keys=("role:leader",))
    docs.create("Kế hoạch phòng văn hóa omegaword", department="VHTT", keys=("role:leader",))
    assert search_api("omegaword", "chutich")["total"] == 2
    body = search_api("omegaword", "chuyenvien")  # VHTT specialist
    assert body["total"] == 1 and "văn hóa" in body["results"][0]["subject"]
    assert search_api("omegaword", "thuky")["total"] == 1  # VP secretary


def test_search_page_shows_highlighted_results(client, auth, docs):
    docs.create("Kế hoạch chuyển đổi số năm 2026", content="đường truyền số liệu chuyên dùng")
    auth.login("chutich")
    page = client.get("/search?q=duong+truyen").get_data(as_text=True)
    assert "Tìm thấy 1 văn bản." in page and "<mark>" in page


def test_bad_parameters_get_a_clear_error(search_api, api):
    resp = api.get("/api/v1/search", "chutich", query_string={"q": "x", "year": "abc"})
    assert resp.status_code == 400 and "year" in resp.get_json()["error"]["message"]


def test_verify_reports_a_gap_and_reindex_repairs_it(app, docs, instance):
    ids = [docs.create(f"Công văn số {i} về cải cách hành chính", content=f"nội dung {i}")
           for i in range(5)]
    ctx = app.extensions["eoffice.search"]
    ctx.index.apply(deletes=[str(ids[2])])  # the index lost an entry (crash, disk…)
    runner = app.test_cli_runner()
    env = {"EOFFICE_DATABASE_URL": app.config["DATABASE_URL"]}
    result = runner.invoke(cli, ["--instance", str(instance), "search", "verify"], env=env)
    assert result.exit_code == 1 and str(ids[2]) in result.output
    result = runner.invoke(cli, ["--instance", str(instance), "search", "reindex"], env=env)
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["--instance", str(instance), "search", "verify"], env=env)
    assert result.exit_code == 0, result.output


def test_reclassify_api_hides_the_document_in_the_same_request(docs, search_api, api):
    doc_id = docs.create("Báo cáo nhân sự thetaword", content="danh sách cán bộ thetaword")
    assert search_api("thetaword")["total"] == 1
    resp = api.post(f"/api/v1/documents/{doc_id}/reclassify", "chutich",
                    json={"secrecy": "mat", "confirm_remove_files": True})
    assert resp.status_code == 200 and resp.get_json()["secrecy"] == "mat"
    assert search_api("thetaword")["total"] == 0
    # a user without clearance now gets 404, exactly as for a missing document
    assert api.get(f"/api/v1/documents/{doc_id}", "thuky").status_code == 404
    assert api.get("/api/v1/documents/999999", "thuky").status_code == 404


def test_reclassify_api_refuses_bad_values_and_other_roles(docs, api):
    doc_id = docs.create("Công văn thường", keys=("role:leader", "role:clerk", "all"))
    resp = api.post(f"/api/v1/documents/{doc_id}/reclassify", "chutich",
                    json={"secrecy": "bi_mat"})
    assert resp.status_code == 422
    resp = api.post(f"/api/v1/documents/{doc_id}/reclassify", "chuyenvien",
                    json={"secrecy": "mat"})
    assert resp.status_code == 403


def test_reclassify_from_the_document_page(app, client, auth, docs, search_api):
    doc_id = docs.create("Tờ trình về nhân sự iotaword", content="nội dung iotaword")
    assert search_api("iotaword")["total"] == 1
    auth.login("chutich")
    resp = auth.post(f"/documents/{doc_id}/reclassify",
                     data={"secrecy": "mat", "next": f"/incoming/{doc_id}",
                           "confirm_remove_files": "1"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/incoming/{doc_id}")
    assert search_api("iotaword")["total"] == 0
    page = client.get(f"/incoming/{doc_id}").get_data(as_text=True)
    assert "Đã đặt độ mật “Mật”" in page and 'value="mat" selected' in page


def test_web_results_say_incoming_or_outgoing(docs, auth, client):
    """The same code sent by us and received back must not read as two identical lines."""
    docs.create("Kế hoạch tổ chức hội thi sigmaword", direction="outgoing")
    docs.create("Kế hoạch tổ chức hội thi sigmaword", direction="incoming")
    auth.login("chutich")
    page = client.get("/search", query_string={"q": "sigmaword"}).get_data(as_text=True)
    assert page.count('data-direction="outgoing"') == 1
    assert page.count('data-direction="incoming"') == 1
    assert "Văn bản đi" in page and "Văn bản đến" in page
