/* Console charts: reads the figures of #chart-data (JSON, no inline script) and draws them
   with the vendored Chart.js. The same figures are in the tables below the charts. */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var brand = "#0b4f8a";
  var palette = ["#0b4f8a", "#b35900", "#2e7d32", "#6a1b9a", "#5f6b78", "#00838f"];
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function draw(key, type, options) {
    var canvas = document.getElementById("chart-" + key);
    var figures = data[key];
    if (!canvas || !figures) { return; }
    var colours = type === "doughnut" ? palette : brand;
    new window.Chart(canvas, {
      type: type,
      data: {
        labels: figures.labels,
        datasets: [{ label: figures.label, data: figures.values, backgroundColor: colours, borderColor: brand }]
      },
      options: Object.assign({
        animation: reduceMotion ? false : { duration: 300 },
        maintainAspectRatio: false,
        plugins: { legend: { display: type === "doughnut" } }
      }, options || {})
    });
  }

  draw("perDay", "bar", { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } });
  draw("languages", "doughnut");
  draw("intents", "bar", { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } });
  draw("faq", "bar", { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } });
}());
