/* ALT and QTc trends on the chart's lab card, and the vital-sign trends beside them, drawn
   with the vendored Chart.js. Data: the JSON in #lab-trends-data ({code: {name, unit, low, high,
   critical_high, critical_low?, points: [{x, y, flag}]}}); one <canvas data-lab-trend="code">
   per series; the vital signs' the same in #vital-trends-data and <canvas data-vital-trend>.
   Loaded once per page with `defer`, after chart.umd.min.js, so it works from an include
   anywhere in the page. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") {
    return;
  }
  var FLAG_COLORS = {normal: "#1f4e79", low: "#b58105", high: "#b58105", critical: "#b02a37"};

  function label(iso, sameDay, withTime) {
    var d = new Date(iso);
    var time = d.toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"});
    if (sameDay) {
      return time;
    }
    // Several readings a day (vital signs): the date alone would repeat, so add the time.
    // The date and the time on the same clock (the browser's), not a UTC date beside a local
    // time.
    if (withTime) {
      var day = String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
      return [day, time];
    }
    return d.toISOString().slice(0, 10);
  }

  function repeatsADay(points) {
    for (var i = 1; i < points.length; i++) {
      if (points[i].x.slice(0, 10) === points[i - 1].x.slice(0, 10)) {
        return true;
      }
    }
    return false;
  }

  function limitLine(name, value, count, color) {
    var data = [];
    for (var i = 0; i < count; i++) {
      data.push(value);
    }
    return {
      label: name,
      data: data,
      borderColor: color,
      borderDash: [6, 4],
      borderWidth: 1,
      pointRadius: 0,
      pointHitRadius: 0,
      fill: false
    };
  }

  function draw(canvas, series) {
    if (!series || !series.points.length) {
      return;
    }
    var points = series.points;
    var sameDay = points.length > 1 &&
      points[0].x.slice(0, 10) === points[points.length - 1].x.slice(0, 10);
    var withTime = repeatsADay(points);
    var labels = points.map(function (p) { return label(p.x, sameDay, withTime); });
    var unit = series.unit ? " " + series.unit : "";
    var datasets = [{
      label: series.name + unit,
      data: points.map(function (p) { return p.y; }),
      borderColor: "#1f4e79",
      backgroundColor: points.map(function (p) { return FLAG_COLORS[p.flag] || "#1f4e79"; }),
      pointBackgroundColor: points.map(function (p) { return FLAG_COLORS[p.flag] || "#1f4e79"; }),
      pointRadius: 4,
      tension: 0.2
    }];
    if (series.high !== null) {
      datasets.push(limitLine("Upper normal " + series.high + unit, series.high, points.length, "#6c757d"));
    }
    if (series.low !== null) {
      datasets.push(limitLine("Lower normal " + series.low + unit, series.low, points.length, "#adb5bd"));
    }
    if (series.critical_high !== null) {
      datasets.push(limitLine("Critical " + series.critical_high + unit, series.critical_high, points.length, "#b02a37"));
    }
    if (series.critical_low !== undefined && series.critical_low !== null) {
      datasets.push(limitLine("Critical below " + series.critical_low + unit, series.critical_low, points.length, "#dc3545"));
    }
    new Chart(canvas, {
      type: "line",
      data: {labels: labels, datasets: datasets},
      options: {
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: {labels: {boxWidth: 12, font: {size: 11}}},
          tooltip: {
            filter: function (item) { return item.datasetIndex === 0; },
            callbacks: {
              afterLabel: function (ctx) { return "Flag: " + (points[ctx.dataIndex].flag || "—"); }
            }
          }
        },
        scales: {y: {title: {display: !!series.unit, text: series.unit}}}
      }
    });
  }

  [["lab-trends-data", "data-lab-trend"], ["vital-trends-data", "data-vital-trend"]].forEach(
    function (pair) {
      var source = document.getElementById(pair[0]);
      if (!source) {
        return;
      }
      var trends = JSON.parse(source.textContent);
      document.querySelectorAll("canvas[" + pair[1] + "]").forEach(function (canvas) {
        draw(canvas, trends[canvas.getAttribute(pair[1])]);
      });
    }
  );
})();
