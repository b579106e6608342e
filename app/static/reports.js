// The report pages' charts: each canvas[data-chart] carries its figures as JSON from the server
// ({type, labels, datasets}); Chart.js (vendored) draws them when the page loads and again whenever HTMX
// swaps in a new region after a filter change. Animation is off: a manager reads the figure, not the motion.
(function () {
  'use strict';

  function draw(root) {
    root.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
      if (canvas.chart) { return; }
      var spec = JSON.parse(canvas.dataset.chart);
      var options = {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: {legend: {display: spec.type === 'doughnut' || spec.datasets.length > 1}}
      };
      if (spec.datasets.some(function (d) { return d.yAxisID === 'y1'; })) {
        options.scales = {y: {position: 'left'}, y1: {position: 'right', min: 0, max: 100, grid: {drawOnChartArea: false}}};
      }
      canvas.chart = new window.Chart(canvas, {type: spec.type, data: {labels: spec.labels, datasets: spec.datasets},
                                               options: options});
      canvas.dataset.drawn = 'true';
    });
  }

  document.addEventListener('DOMContentLoaded', function () { draw(document); });
  document.addEventListener('htmx:beforeSwap', function (event) {
    event.detail.target.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
      if (canvas.chart) { canvas.chart.destroy(); }
    });
  });
  document.addEventListener('htmx:afterSettle', function () { draw(document); });
}());
