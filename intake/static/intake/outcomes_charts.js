/* Program outcome charts, drawn with the vendored Chart.js. Data: the JSON in #outcomes-data
   ({retention: [{label, rate}], uds: [{label, rate}], other: [{label, rate}]}; rates 0..1 or
   null where nothing was measured). The figures are printed beside each chart too. */
(function () {
  "use strict";
  var source = document.getElementById("outcomes-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);

  function percent(points) {
    return points.map(function (p) {
      return p.rate === null ? null : Math.round(p.rate * 1000) / 10;
    });
  }

  function draw(id, type, points) {
    var canvas = document.getElementById(id);
    if (!canvas || !points.length) {
      return;
    }
    new Chart(canvas, {
      type: type,
      data: {
        labels: points.map(function (p) { return p.label; }),
        datasets: [{
          label: "%",
          data: percent(points),
          borderColor: "#1f4e79",
          backgroundColor: "#1f4e79",
          tension: 0.2
        }]
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: {y: {beginAtZero: true, max: 100}},
        plugins: {legend: {display: false}}
      }
    });
  }

  draw("chart-retention", "bar", data.retention);
  draw("chart-uds", "line", data.uds);
  draw("chart-other", "bar", data.other);
})();
