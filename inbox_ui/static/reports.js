// /reports: draw the daily series with the vendored uPlot (times.js shows the durations in the viewer's language).
(function () {
  "use strict";
  var box = document.querySelector("[data-report-chart]");
  var raw = document.getElementById("report-series");
  if (!box || !raw || !window.uPlot) return;
  var points = JSON.parse(raw.textContent || "[]");
  // Every day of the range, zero where nothing happened, so the axis spans the period asked for.
  var counts = {};
  points.forEach(function (p) { counts[p.bucket] = p.count; });
  var xs = [], ys = [];
  var day = Date.parse(box.getAttribute("data-from") + "T00:00:00Z");
  var last = Date.parse(box.getAttribute("data-to") + "T00:00:00Z");
  for (; day <= last; day += 86400000) {
    xs.push(day / 1000);
    ys.push(counts[new Date(day).toISOString().slice(0, 10)] || 0);
  }
  var width = Math.max(280, box.clientWidth || 600);
  new window.uPlot({
    width: width, height: 220,
    series: [{label: box.getAttribute("data-day-label")}, {label: box.getAttribute("data-label"), stroke: "#2563eb", fill: "rgba(37,99,235,0.15)"}],
    axes: [{}, {}],
    scales: {x: {time: true}, y: {range: function (u, lo, hi) { return [0, Math.max(1, hi)]; }}},
  }, [xs, ys], box);
})();
