/* Draws the dashboard's charts from the json_script data (the tables beside them hold the same
   numbers). ECharts with aria (a generated description) and decal patterns on; clicking a bar,
   point or slice opens the list of cases behind it. Without JavaScript the tables stay. */
(function () {
  "use strict";
  function draw() {
    var node = document.getElementById("dashboard-data");
    if (!node || !window.echarts) { return; }
    var data = JSON.parse(node.textContent);
    var care = document.documentElement.getAttribute("data-mode") === "care";
    var font = care ? 18 : 12;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var c = data[el.getAttribute("data-chart")];
      if (!c) { return; }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      var names = c.rows.map(function (r) { return String(r[0]); });
      var base = {
        aria: { enabled: true, decal: { show: true } },
        textStyle: { fontSize: font },
        tooltip: { trigger: c.type === "pie" ? "item" : "axis" },
        legend: { top: 0, textStyle: { fontSize: font } },
        animation: false
      };
      var series;
      if (c.type === "pie") {
        series = [{ type: "pie", radius: "60%", data: c.rows.map(function (r) { return { name: String(r[0]), value: r[1] }; }) }];
      } else {
        var kind = c.type === "line" ? "line" : "bar";
        series = c.columns.slice(1).map(function (col, i) {
          var s = { name: col, type: kind, data: c.rows.map(function (r) { return r[i + 1]; }) };
          if (c.type === "stack") { s.stack = "all"; }
          return s;
        });
        base.xAxis = { type: "category", data: names, axisLabel: { rotate: names.length > 6 ? 30 : 0, fontSize: font } };
        base.yAxis = { type: "value", axisLabel: { fontSize: font } };
        base.grid = { left: 48, right: 16, bottom: 80, top: 48 };
      }
      base.series = series;
      chart.setOption(base);
      chart.on("click", function (p) {
        var link = c.links && c.links[p.dataIndex];
        if (link) { window.location.href = link; }
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
