// /reports: draw each daily series with the vendored uPlot (times.js shows the durations in the viewer's language).
// A chart box names its data (data-source: the id of a JSON script of {bucket, ...} points), the keys to draw
// (data-keys) and their labels (data-labels, JSON); every day of the range is on the axis, zero where nothing happened.
(function () {
  "use strict";
  if (!window.uPlot) return;
  var colours = ["#2563eb", "#d97706", "#7c3aed", "#059669"];
  document.querySelectorAll("[data-report-chart]").forEach(function (box) {
    var raw = document.getElementById(box.getAttribute("data-source") || "report-series");
    if (!raw) return;
    var points = JSON.parse(raw.textContent || "[]");
    var keys = (box.getAttribute("data-keys") || "count").split(",");
    var labels = JSON.parse(box.getAttribute("data-labels") || "null") || [box.getAttribute("data-label")];
    var byDay = {};
    points.forEach(function (p) { byDay[p.bucket] = p; });
    var xs = [], columns = keys.map(function () { return []; });
    var day = Date.parse(box.getAttribute("data-from") + "T00:00:00Z");
    var last = Date.parse(box.getAttribute("data-to") + "T00:00:00Z");
    for (; day <= last; day += 86400000) {
      xs.push(day / 1000);
      var point = byDay[new Date(day).toISOString().slice(0, 10)] || {};
      keys.forEach(function (key, i) { columns[i].push(point[key] || 0); });
    }
    var series = [{label: box.getAttribute("data-day-label")}];
    keys.forEach(function (key, i) {
      var colour = colours[i % colours.length];
      series.push({label: labels[i], stroke: colour, fill: keys.length === 1 ? "rgba(37,99,235,0.15)" : undefined});
    });
    new window.uPlot({
      width: Math.max(280, box.clientWidth || 600), height: 220, series: series, axes: [{}, {}],
      scales: {x: {time: true}, y: {range: function (u, lo, hi) { return [0, Math.max(1, hi)]; }}},
    }, [xs].concat(columns), box);
  });
})();
