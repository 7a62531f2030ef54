/* Bureau desks: draw each dashboard chart from its inline JSON (the table below it stays
   as the fallback), and submit health-check checkboxes when ticked. No inline scripts:
   the Content-Security-Policy allows scripts from our own origin only. */
(function () {
  "use strict";

  var PALETTE = ["#b3261e", "#1f6feb", "#2e8540", "#8a5a00", "#6f42c1", "#0f7b8a",
                 "#d4679a", "#5b6876", "#c76d00", "#3d5a80"];
  var charts = {};
  var WORDS = null;
  window.workbridgeCharts = charts;

  /* A chart word in the page's language: the page puts them in #bureau-words (JSON). */
  function w(key, fallback) {
    if (WORDS === null) {
      var el = document.getElementById("bureau-words");
      try { WORDS = el ? JSON.parse(el.textContent || "{}") : {}; } catch (e) { WORDS = {}; }
    }
    return WORDS[key] || fallback;
  }

  function color(i, alpha) {
    var hex = PALETTE[i % PALETTE.length];
    if (alpha === undefined) { return hex; }
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }

  function base(extra) {
    var opts = {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { position: "bottom" } }
    };
    Object.keys(extra || {}).forEach(function (k) { opts[k] = extra[k]; });
    return opts;
  }

  /* Per sample day: headcount needed, stacked by district (or industry), and the fill rate
     sum(recruited)/sum(needed) of all open gaps as a line on the right axis. */
  function gapsChart(canvas, rows) {
    var group = canvas.getAttribute("data-group") || "district";
    var days = [], groups = [], needed = {}, total = {};
    rows.forEach(function (r) {
      var g = r[group] || "—";
      if (days.indexOf(r.day) < 0) { days.push(r.day); }
      if (groups.indexOf(g) < 0) { groups.push(g); }
      needed[g + "\u0000" + r.day] = (needed[g + "\u0000" + r.day] || 0) + r.needed;
      total[r.day] = total[r.day] || [0, 0];
      total[r.day][0] += Math.min(r.recruited, r.needed);
      total[r.day][1] += r.needed;
    });
    days.sort();
    groups.sort();
    var datasets = groups.map(function (g, i) {
      return { type: "bar", label: g, backgroundColor: color(i + 1, 0.75), stack: "needed",
               yAxisID: "y", order: 2,
               data: days.map(function (d) { return needed[g + "\u0000" + d] || 0; }) };
    });
    datasets.push({
      type: "line", label: w("fill_rate", "Fill rate %"), borderColor: color(0), yAxisID: "rate",
      backgroundColor: color(0, 0.2), borderWidth: 3, order: 1, tension: 0.2,
      data: days.map(function (d) {
        var t = total[d];
        return t && t[1] > 0 ? Math.round(1000 * t[0] / t[1]) / 10 : 0;
      })
    });
    return new window.Chart(canvas, {
      data: { labels: days, datasets: datasets },
      options: base({
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: w("needed", "People needed") } },
          rate: { min: 0, max: 100, position: "right", grid: { drawOnChartArea: false },
                  title: { display: true, text: w("fill_rate", "Fill rate %") } }
        },
        plugins: { legend: { position: "bottom" }, title: { display: true,
          text: group === "district" ? w("by_district", "By district")
                                     : w("by_industry", "By industry") } }
      })
    });
  }

  /* People in transit per destination district, stacked by cohort status. */
  function cohortsChart(canvas, rows) {
    var statuses = ["formed", "departed", "arrived"], places = [], people = {}, seats = {};
    rows.forEach(function (r) {
      if (places.indexOf(r.destination) < 0) { places.push(r.destination); }
      var key = r.status + "\u0000" + r.destination;
      people[key] = (people[key] || 0) + r.size;
      seats[r.destination] = (seats[r.destination] || 0) + Math.max(r.capacity - r.size, 0);
    });
    places.sort();
    var labels = { formed: w("formed", "Formed"), departed: w("departed", "Departed"),
                   arrived: w("arrived", "Arrived") };
    var datasets = statuses.map(function (st, i) {
      return { label: labels[st], backgroundColor: color([3, 1, 2][i]), stack: "s",
               data: places.map(function (p) { return people[st + "\u0000" + p] || 0; }) };
    });
    datasets.push({ label: w("free_seats", "Free seats"), backgroundColor: color(7, 0.25), stack: "s",
                    data: places.map(function (p) { return seats[p]; }) });
    return new window.Chart(canvas, {
      type: "bar", data: { labels: places, datasets: datasets },
      options: base({ scales: { x: { stacked: true },
                                y: { stacked: true, beginAtZero: true, ticks: { precision: 0 },
                                     title: { display: true, text: w("people", "People") } } },
                      plugins: { legend: { position: "bottom" }, title: { display: true,
                        text: w("by_destination", "By destination district") } } })
    });
  }

  function claimsChart(canvas, rows) {
    return new window.Chart(canvas, {
      data: {
        labels: rows.map(function (r) { return r.month; }),
        datasets: [
          { type: "bar", label: w("net_paid", "Net paid (yuan)"), backgroundColor: color(2),
            yAxisID: "y", data: rows.map(function (r) { return r.net_fen / 100; }) },
          { type: "line", label: w("payments", "Payments"), borderColor: color(0),
            backgroundColor: color(0, 0.2), yAxisID: "n",
            data: rows.map(function (r) { return r.payments; }) }
        ]
      },
      options: base({ scales: {
        y: { beginAtZero: true, title: { display: true, text: w("yuan", "Yuan") } },
        n: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false },
             ticks: { precision: 0 }, title: { display: true, text: w("count", "Count") } } } })
    });
  }

  function watchChart(canvas, rows) {
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return r.enterprise; }),
        datasets: [{ label: w("risk_score", "Risk score"), backgroundColor: color(0, 0.8),
                     data: rows.map(function (r) { return r.score; }) }]
      },
      options: base({ indexAxis: "y", scales: { x: { beginAtZero: true } } })
    });
  }

  var DRAW = { gaps: gapsChart, cohorts: cohortsChart, claims: claimsChart, watch: watchChart };

  function drawAll() {
    if (!window.Chart) { return; }  // the tables stay as they are
    var figures = document.querySelectorAll("figure.chart[data-chart]");
    Array.prototype.forEach.call(figures, function (fig) {
      var name = fig.getAttribute("data-chart");
      var data = document.getElementById(fig.getAttribute("data-json"));
      if (!DRAW[name] || !data) { return; }
      var rows = JSON.parse(data.textContent || "[]");
      charts[name] = Array.prototype.map.call(fig.querySelectorAll("canvas"), function (c) {
        return DRAW[name](c, rows);
      });
      fig.classList.add("drawn");
    });
  }

  function autosubmit() {
    var boxes = document.querySelectorAll("input[type=checkbox][data-autosubmit]");
    Array.prototype.forEach.call(boxes, function (box) {
      box.addEventListener("change", function () { box.form.submit(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawAll();
    autosubmit();
  });
})();
