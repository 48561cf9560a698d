(function () {
  "use strict";
  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    var v = cell.getAttribute("data-v");
    return v === null ? cell.textContent.trim().toLowerCase() : v;
  }
  function compare(a, b) {
    var x = parseFloat(a), y = parseFloat(b);
    var nx = a === "" || isNaN(x), ny = b === "" || isNaN(y);
    if (!nx && !ny) return x - y;
    if (nx !== ny) return nx ? 1 : -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  function sortBy(th) {
    var table = th.closest("table"), body = table.tBodies[0];
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var asc = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th[aria-sort]").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var c = compare(cellValue(r1, index), cellValue(r2, index));
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  document.querySelectorAll("th.sortable").forEach(function (th) {
    th.addEventListener("click", function () { sortBy(th); });
  });
  function applyFilters(table) {
    var wanted = {};
    document.querySelectorAll("[data-filter-for='" + table.id + "']").forEach(function (s) {
      if (s.value) wanted[s.getAttribute("data-filter")] = s.value.toLowerCase();
    });
    var shown = 0;
    // The target is a table or a block of tables (the slices: one table per language).
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
      var ok = Object.keys(wanted).every(function (name) {
        var have = (row.getAttribute("data-" + name) || "").toLowerCase();
        return name === "q" ? have.indexOf(wanted[name]) >= 0 : ("|" + have + "|").indexOf("|" + wanted[name] + "|") >= 0;
      });
      row.classList.toggle("hidden", !ok);
      if (ok) shown++;
    });
    var count = document.getElementById(table.id + "-count");
    if (count) count.textContent = shown + " shown";
  }
  document.querySelectorAll("[data-filter-for]").forEach(function (control) {
    var table = document.getElementById(control.getAttribute("data-filter-for"));
    control.addEventListener("input", function () { applyFilters(table); });
    control.addEventListener("change", function () { applyFilters(table); });
  });
  var heat = document.getElementById("heat-metric");
  if (heat) {
    heat.addEventListener("change", function () {
      document.querySelectorAll("table.heat").forEach(function (t) {
        t.hidden = t.getAttribute("data-metric") !== heat.value;
      });
    });
  }
})();
