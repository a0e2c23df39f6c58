// Forms marked data-check name every missing or wrong field before submitting: a message
// next to the field and a summary at the top (the server says the same if this never runs).
(function () {
  "use strict";
  function fill(template, label) { return template.replace("{field}", label); }

  function problem(form, field) {
    var label = field.getAttribute("data-label") || field.name;
    var v = field.validity;
    if (v.valueMissing || (field.required && !field.value.trim())) {
      return fill(form.getAttribute("data-missing"), label);
    }
    if (v.patternMismatch) {
      return fill(form.getAttribute(field.classList.contains("date") ? "data-bad-date"
                                                                      : "data-bad-number"), label);
    }
    return null;
  }

  function clear(form) {
    form.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (f) {
      f.removeAttribute("aria-invalid"); f.removeAttribute("aria-describedby");
    });
    var old = document.getElementById("form-summary");
    if (old) { old.remove(); }
  }

  function check(form) {
    clear(form);
    var bad = [];
    form.querySelectorAll("[data-label]").forEach(function (field) {
      var message = problem(form, field);
      if (!message) { return; }
      var note = document.createElement("span");
      note.className = "field-error";
      note.id = "error-" + field.name;
      note.textContent = message;
      field.insertAdjacentElement("afterend", note);
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", note.id);
      bad.push(field);
    });
    if (!bad.length) { return true; }
    var summary = document.createElement("div");
    summary.className = "flash flash-error form-summary";
    summary.id = "form-summary";
    summary.setAttribute("role", "alert");
    summary.appendChild(document.createTextNode(form.getAttribute("data-summary") + " "));
    bad.forEach(function (field, i) {
      var link = document.createElement("a");
      link.href = "#" + field.id;
      link.textContent = field.getAttribute("data-label");
      summary.appendChild(link);
      summary.appendChild(document.createTextNode(i < bad.length - 1 ? ", " : "."));
    });
    form.parentNode.insertBefore(summary, form);
    bad[0].focus();
    return false;
  }

  document.querySelectorAll("form[data-check]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var by = event.submitter;
      if (by && by.hasAttribute("formnovalidate")) { return; }
      if (!check(form)) { event.preventDefault(); }
    });
    form.addEventListener("input", function (event) {  // a fixed field loses its message
      var field = event.target;
      if (field.getAttribute("aria-invalid") && !problem(form, field)) {
        var note = document.getElementById("error-" + field.name);
        if (note) { note.remove(); }
        field.removeAttribute("aria-invalid");
      }
    });
  });
}());
