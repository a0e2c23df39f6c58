// Import page: the progress bar runs while the server creates the users (one request).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("import-confirm");
  if (!form) { return; }
  form.addEventListener("submit", function () {
    var bar = form.querySelector(".import-progress");
    if (bar) { bar.classList.add("running"); }
    var button = form.querySelector("button");
    if (button) { button.disabled = true; }
  });
});
