// The overview grid, drawn from each portal's compact data (data/grid-*.js, loaded as scripts:
// a page opened from disk may not fetch JSON) and filtered by portal, level, year and status.
// Only the files a filter needs are loaded, and at most `limit` rows are drawn at a time.
// No network, no library; every name is set as text, never as HTML.
(function () {
  "use strict";
  var loaded = {};
  window.nianbaoGrid = function (data) { loaded[data.src] = data; };

  var table = document.getElementById("heatmap");
  var manifestNode = document.getElementById("grid-files");
  if (!table || !manifestNode) { return; }
  var manifest = JSON.parse(manifestNode.textContent);
  var portal = document.getElementById("f-portal");
  var level = document.getElementById("f-level");
  var year = document.getElementById("f-year");
  var status = document.getElementById("f-status");
  var shown = document.getElementById("f-shown");
  var more = document.getElementById("f-more");
  var pending = {};
  var limit = manifest.limit;
  var generation = 0;

  function load(file) {
    if (loaded[file.src]) { return Promise.resolve(loaded[file.src]); }
    if (!pending[file.src]) {
      pending[file.src] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = file.src;
        script.onload = function () { resolve(loaded[file.src]); };
        script.onerror = function () { reject(new Error(file.src)); };
        document.head.appendChild(script);
      });
    }
    return pending[file.src];
  }

  function matches(row, s, y) {
    if (s === "") { return true; }
    var states = row[2];
    for (var i = 0; i < states.length; i += 1) {
      if (manifest.states[+states[i]] === s && (y === "" || String(manifest.years[i]) === y)) { return true; }
    }
    return false;
  }

  function cell(row, i) {
    var state = manifest.states[+row[2][i]], y = manifest.years[i], td = document.createElement("td");
    var link = document.createElement("a");
    td.className = "s-" + state;
    td.setAttribute("data-year", y);
    td.setAttribute("data-state", state);
    td.title = row[3][i];
    link.href = row[1] + "#y" + y;
    link.setAttribute("aria-label", row[0] + " " + row[3][i]);
    link.textContent = manifest.symbols[state];
    td.appendChild(link);
    return td;
  }

  function draw(groups, y) {
    table.querySelectorAll("tbody").forEach(function (body) { body.remove(); });
    groups.forEach(function (group) {
      var body = document.createElement("tbody"), head = document.createElement("tr"), th = document.createElement("th");
      body.setAttribute("data-portal", group.portal);
      body.setAttribute("data-level", group.level);
      head.className = "group";
      th.scope = "rowgroup";
      th.colSpan = manifest.years.length + 1;
      th.textContent = (group.portal || manifest.words.noPortal) + " · " + (manifest.words.levels[group.level] || group.level);
      head.appendChild(th);
      body.appendChild(head);
      group.rows.forEach(function (row) {
        var tr = document.createElement("tr"), name = document.createElement("th"), link = document.createElement("a");
        tr.className = "agency";
        name.scope = "row";
        link.href = row[1];
        link.textContent = row[0];
        name.appendChild(link);
        tr.appendChild(name);
        for (var i = 0; i < manifest.years.length; i += 1) { tr.appendChild(cell(row, i)); }
        body.appendChild(tr);
      });
      table.appendChild(body);
    });
    table.querySelectorAll("[data-year]").forEach(function (node) {
      node.classList.toggle("hidden", y !== "" && node.getAttribute("data-year") !== y);
    });
  }

  function apply() {
    var mine = generation += 1;
    var p = portal.value, l = level.value, y = year.value, s = status.value;
    var files = manifest.files.filter(function (f) {
      return (p === "" || f.portal === p) && (l === "" || f.level === "" || f.level === l);
    });
    var groups = [], drawn = 0, count = 0, index = 0;
    table.setAttribute("aria-busy", "true");
    shown.textContent = shown.getAttribute("data-loading");
    if (s === "") {  // how many, known without the rows; rows loaded only as far as they are drawn
      files.forEach(function (f) { count += l === "" ? f.count : (f.levels[l] || 0); });
    }
    function take(data) {
      data.groups.forEach(function (group) {
        if (l !== "" && group.level !== l) { return; }
        var rows = group.rows.filter(function (row) { return matches(row, s, y); });
        if (s !== "") { count += rows.length; }
        rows = rows.slice(0, Math.max(limit - drawn, 0));
        if (rows.length) { groups.push({portal: group.portal, level: group.level, rows: rows}); drawn += rows.length; }
      });
    }
    function next() {
      if (mine !== generation) { return null; }
      if (index >= files.length || (s === "" && drawn >= limit)) { return finish(); }
      return load(files[index]).then(function (data) { index += 1; take(data); return next(); });
    }
    function finish() {
      draw(groups, y);
      shown.textContent = shown.getAttribute("data-label").replace("{n}", count);
      more.hidden = drawn >= count;
      table.setAttribute("aria-busy", "false");
      return null;
    }
    return next().catch(function (error) {
      shown.textContent = shown.getAttribute("data-failed").replace("{file}", error.message);
      table.setAttribute("aria-busy", "false");
    });
  }

  function restart() { limit = manifest.limit; apply(); }
  [portal, level, year, status].forEach(function (el) { el.addEventListener("change", restart); });
  more.addEventListener("click", function () { limit += manifest.limit; apply(); });
  apply();
}());
