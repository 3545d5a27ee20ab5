// Filters of the overview grid: portal, level, year, status.  No network, no library.
(function () {
  "use strict";
  var table = document.getElementById("heatmap");
  if (!table) { return; }
  var portal = document.getElementById("f-portal");
  var level = document.getElementById("f-level");
  var year = document.getElementById("f-year");
  var status = document.getElementById("f-status");
  var shown = document.getElementById("f-shown");

  function apply() {
    var p = portal.value, l = level.value, y = year.value, s = status.value, count = 0;
    table.querySelectorAll("[data-year]").forEach(function (cell) {
      cell.classList.toggle("hidden", y !== "" && cell.getAttribute("data-year") !== y);
    });
    table.querySelectorAll("tbody").forEach(function (group) {
      var groupVisible = (p === "" || group.getAttribute("data-portal") === p) &&
                         (l === "" || group.getAttribute("data-level") === l);
      var rows = 0;
      group.querySelectorAll("tr.agency").forEach(function (row) {
        var states = row.getAttribute("data-states").trim().split(/\s+/);
        var match = s === "" || states.some(function (entry) {
          var parts = entry.split(":");
          return parts[1] === s && (y === "" || parts[0] === y);
        });
        var visible = groupVisible && match;
        row.classList.toggle("hidden", !visible);
        if (visible) { rows += 1; }
      });
      group.classList.toggle("hidden", rows === 0);
      count += rows;
    });
    shown.textContent = (shown.getAttribute("data-label") || "{n}").replace("{n}", count);
  }
  [portal, level, year, status].forEach(function (el) { el.addEventListener("change", apply); });
  apply();
}());
