// "Ký bằng USB token": the server prepares, the local agent (127.0.0.1) asks the PIN on the
// official's own PC and signs, the server finishes. The PIN is never typed into this page.
(function () {
  "use strict";
  var MSG = {
    notRunning: "Không kết nối được phần mềm ký số trên máy tính này. Hãy mở “eoffice token-agent” rồi thử lại. / The signing agent is not running on this computer.",
    notPaired: "Phần mềm ký số chưa được ghép nối với máy chủ này: vào “USB token” (góc trên) để lấy mã ghép nối. / The signing agent is not paired with this server.",
    waiting: "Hãy nhập mã PIN trên cửa sổ phần mềm ký số… / Type the PIN in the signing agent window…",
    preparing: "Đang chuẩn bị văn bản… / Preparing…",
    finishing: "Đang hoàn tất chữ ký… / Finishing…",
    none: "Hãy chọn ít nhất một văn bản. / Choose at least one document."
  };
  var csrf = document.querySelector('meta[name="csrf-token"]');

  function show(box, text, kind) {
    box.textContent = text;
    box.className = "token-status " + (kind || "");
  }

  function json(response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      return { ok: response.ok, status: response.status, body: body };
    });
  }

  function server(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.content : "" },
      body: JSON.stringify(body)
    }).then(json);
  }

  function fail(message) { var e = new Error(message); e.shown = true; throw e; }

  function ids(button) {
    if (button.dataset.ids) { return button.dataset.ids.split(","); }
    var form = button.closest("form");
    var boxes = form ? form.querySelectorAll('input[name="ids"]:checked') : [];
    return Array.prototype.map.call(boxes, function (b) { return b.value; });
  }

  function sign(button, box) {
    var agent = button.dataset.agent.replace(/\/$/, "");
    var chosen = ids(button);
    if (!chosen.length) { show(box, MSG.none, "error"); return Promise.resolve(); }
    var certificate;
    return fetch(agent + "/status").catch(function () { fail(MSG.notRunning); })
      .then(json).then(function (r) {
        if (!r.body || !r.body.paired) { fail(MSG.notPaired); }
        return fetch(agent + "/certificate").then(json);
      }).then(function (r) {
        if (!r.ok) { fail((r.body && r.body.message) || MSG.notPaired); }
        certificate = r.body;
        show(box, MSG.preparing, "busy");
        return server(button.dataset.prepare, {
          kind: button.dataset.kind, ids: chosen,
          certificate: certificate.certificate, chain: certificate.chain
        });
      }).then(function (r) {
        if (!r.ok) { fail(r.body.error ? r.body.error.message : "HTTP " + r.status); }
        show(box, MSG.waiting, "busy");
        return fetch(agent + "/sign", {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ items: r.body.items })
        }).catch(function () { fail(MSG.notRunning); }).then(json);
      }).then(function (r) {
        if (!r.ok) { fail((r.body && r.body.message) || "HTTP " + r.status); }
        show(box, MSG.finishing, "busy");
        return server(button.dataset.finish, { signatures: r.body.signatures });
      }).then(function (r) {
        if (!r.ok) { fail(r.body.error ? r.body.error.message : "HTTP " + r.status); }
        window.location.assign(r.body.next);
      });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-token-sign]"), function (button) {
    var box = document.getElementById(button.dataset.status);
    button.addEventListener("click", function () {
      button.disabled = true;
      sign(button, box).catch(function (error) {
        show(box, error.shown ? error.message : MSG.notRunning, "error");
      }).then(function () { button.disabled = false; });
    });
  });
}());
