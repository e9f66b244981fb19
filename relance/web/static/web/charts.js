/* Relance charts: draws every <canvas data-chart="ID"> from the JSON of <script id="ID"> (Django's
   json_script). The JSON holds data only: {type, labels, datasets: [{label, data}], format, currency}.
   format: "money" | "percent" | "number" | "days". Loaded with Chart.js; works in htmx fragments too. */
(function () {
  "use strict";
  var palette = ["#1d5fa8", "#e07b00", "#1b7f3b", "#8e44ad", "#b3261e", "#5f6b7a"];
  var lang = document.documentElement.lang || "en";

  function formatter(format, currency) {
    if (format === "money") {
      var money = new Intl.NumberFormat(lang, { style: "currency", currency: currency || "EUR", maximumFractionDigits: 0 });
      return function (v) { return money.format(v); };
    }
    if (format === "percent") {
      var percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 });
      return function (v) { return percent.format(v); };
    }
    var number = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
    return function (v) { return number.format(v); };
  }

  function draw(canvas) {
    if (canvas.dataset.drawn || typeof window.Chart === "undefined") { return; }
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    var format = formatter(spec.format, spec.currency);
    spec.datasets.forEach(function (dataset, i) {
      var colour = dataset.color || palette[i % palette.length];
      dataset.backgroundColor = spec.type === "line" ? colour + "33" : colour;
      dataset.borderColor = colour;
      if (spec.type === "line") { dataset.fill = true; dataset.tension = 0.2; }
    });
    new window.Chart(canvas, {
      type: spec.type || "bar",
      data: { labels: spec.labels, datasets: spec.datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: spec.datasets.length > 1 },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var value = ctx.parsed.y === undefined ? ctx.parsed : ctx.parsed.y;
                return (ctx.dataset.label ? ctx.dataset.label + ": " : "") + format(value);
              }
            }
          }
        },
        scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return format(v); } } } }
      }
    });
    canvas.dataset.drawn = "1";
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function () { drawAll(document); });
  window.RelanceCharts = { drawAll: drawAll };
})();
