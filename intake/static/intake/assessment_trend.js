/* An instrument's score trend, drawn with the vendored Chart.js. Data: the JSON in
   #series-data ([{at, total, band, band_label}]); the scale's top from data-max-total on canvas#trend. */
(function () {
  "use strict";
  var canvas = document.getElementById("trend");
  var source = document.getElementById("series-data");
  if (!canvas || !source || typeof Chart === "undefined") {
    return;
  }
  var series = JSON.parse(source.textContent);
  var sameDay = series.length > 1 &&
    series[0].at.slice(0, 10) === series[series.length - 1].at.slice(0, 10);
  var labels = series.map(function (p) {
    var d = new Date(p.at);
    return sameDay
      ? d.toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"})
      : d.toLocaleDateString();
  });
  new Chart(canvas, {
    type: "line",
    data: {
      labels: labels,
      datasets: [{
        label: "Total",
        data: series.map(function (p) { return p.total; }),
        borderColor: "#1f4e79",
        backgroundColor: "#1f4e79",
        tension: 0.2
      }]
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: {y: {beginAtZero: true, suggestedMax: Number(canvas.dataset.maxTotal)}},
      plugins: {
        tooltip: {
          callbacks: {
            afterLabel: function (ctx) {
              var point = series[ctx.dataIndex];
              return "Band: " + (point.band_label || point.band);
            }
          }
        }
      }
    }
  });
})();
