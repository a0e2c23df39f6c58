// Lists on a phone: each row becomes a card, so each cell is prefixed with its column's
// heading (copied from the table head into data-label; CSS shows it under 640 px).
(function () {
  "use strict";
  document.querySelectorAll("table.list").forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"),
                                         function (th) { return th.textContent.trim(); });
    if (!heads.length) { return; }
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        if (heads[i] && !cell.hasAttribute("colspan") && cell.textContent.trim()) {
          cell.setAttribute("data-label", heads[i]);
        }
      });
    });
  });
}());
