/* An instrument's score trend, drawn with the vendored Chart.js. Data (json_script, no inline
   script): #series-data ([{at, total, band, band_label}]), #bands-data ([{code, label, min,
   max}]) drawn as shaded bands behind the line, #plan-changes-data ([{at, label}]) drawn as
   dashed vertical lines; the scale's top from data-max-total on canvas#trend. */
(function () {
  "use strict";
  var canvas = document.getElementById("trend");
  var source = document.getElementById("series-data");
  if (!canvas || !source || typeof Chart === "undefined") {
    return;
  }
  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : [];
  }
  var series = JSON.parse(source.textContent);
  var bands = read("bands-data");
  var changes = read("plan-changes-data");
  var shades = ["rgba(25,135,84,0.10)", "rgba(255,193,7,0.12)", "rgba(253,126,20,0.13)",
    "rgba(220,53,69,0.12)", "rgba(111,66,193,0.12)"];
  var points = series.map(function (p) { return {x: Date.parse(p.at), y: p.total}; });
  var first = points.length ? points[0].x : Date.now();
  var last = points.length ? points[points.length - 1].x : first;
  var times = points.map(function (p) { return p.x; }).concat(
    changes.map(function (c) { return Date.parse(c.at); }));
  var span = Math.max(last - first, 3600 * 1000);
  var xmin = Math.min.apply(null, times.concat([first])) - span * 0.05;
  var xmax = Math.max.apply(null, times.concat([last])) + span * 0.05;
  var sameDay = new Date(xmin).toDateString() === new Date(xmax).toDateString();

  function when(ms) {
    var d = new Date(ms);
    return sameDay
      ? d.toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"})
      : d.toLocaleDateString();
  }

  var backdrop = {
    id: "bandsAndPlanChanges",
    beforeDatasetsDraw: function (chart) {
      var ctx = chart.ctx, area = chart.chartArea, x = chart.scales.x, y = chart.scales.y;
      ctx.save();
      bands.forEach(function (band, i) {
        var top = y.getPixelForValue(band.max + 0.5), bottom = y.getPixelForValue(band.min - 0.5);
        top = Math.max(top, area.top);
        bottom = Math.min(bottom, area.bottom);
        if (bottom <= top) { return; }
        ctx.fillStyle = shades[i % shades.length];
        ctx.fillRect(area.left, top, area.right - area.left, bottom - top);
        ctx.fillStyle = "#495057";
        ctx.font = "11px sans-serif";
        ctx.fillText(band.label, area.left + 4, top + 12);
      });
      ctx.strokeStyle = "#6c757d";
      ctx.setLineDash([4, 4]);
      changes.forEach(function (change) {
        var px = x.getPixelForValue(Date.parse(change.at));
        if (px < area.left || px > area.right) { return; }
        ctx.beginPath();
        ctx.moveTo(px, area.top);
        ctx.lineTo(px, area.bottom);
        ctx.stroke();
        ctx.fillStyle = "#212529";
        ctx.fillText(change.label.split(":")[0], px + 3, area.bottom - 6);
      });
      ctx.restore();
    }
  };

  new Chart(canvas, {
    type: "line",
    data: {
      datasets: [{
        label: "Total",
        data: points,
        borderColor: "#1f4e79",
        backgroundColor: "#1f4e79",
        tension: 0.2
      }]
    },
    plugins: [backdrop],
    options: {
      maintainAspectRatio: false,
      animation: false,
      parsing: false,
      scales: {
        x: {type: "linear", min: xmin, max: xmax, ticks: {callback: when, maxTicksLimit: 8}},
        y: {beginAtZero: true, suggestedMax: Number(canvas.dataset.maxTotal)}
      },
      plugins: {
        tooltip: {
          callbacks: {
            title: function (items) { return when(items[0].parsed.x); },
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
