/* Reports: draws each report's chart with Chart.js from the figures the page
   carries in data-chart (no inline script; Chart.js draws on a canvas and
   adds no inline style). The table under the chart is its text alternative,
   so nothing is lost without this file. */
(function () {
  "use strict";

  var PALETTE = ["#2563eb", "#d97706", "#16a34a", "#7c3aed", "#dc2626", "#0891b2", "#db2777", "#65a30d", "#6b7280", "#ca8a04"];

  function draw(canvas) {
    var data;
    try {
      data = JSON.parse(canvas.getAttribute("data-chart"));
    } catch (error) {
      return;
    }
    var locale = canvas.getAttribute("data-locale") || undefined;
    var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var datasets = data.datasets.map(function (set, index) {
      var colour = set.color || PALETTE[index % PALETTE.length];
      var line = (set.type || data.type) === "line";
      return {
        type: set.type || data.type,
        label: set.label,
        data: set.data,
        stack: data.stacked ? set.stack || "all" : undefined,
        backgroundColor: line ? colour : colour + "cc",
        borderColor: colour,
        borderWidth: line ? 2 : 0,
        pointRadius: line ? 2 : undefined,
        tension: 0.2,
      };
    });
    var chart = new window.Chart(canvas, {
      type: data.type,
      data: { labels: data.labels, datasets: datasets },
      options: {
        locale: locale,
        responsive: true,
        maintainAspectRatio: false,
        animation: reduce ? false : { duration: 300 },
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { display: datasets.length > 1, position: "bottom" },
          title: { display: false },
        },
        scales: {
          x: { stacked: data.stacked, ticks: { autoSkip: true, maxRotation: 60 } },
          y: { stacked: data.stacked, beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
    canvas.closest(".chart-card").classList.add("drawn");
    return chart;
  }

  function init() {
    if (!window.Chart) return;
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
