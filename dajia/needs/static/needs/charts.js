// ECharts for the needs pages. Data comes from json_script elements (no inline script: the CSP forbids it).
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }
  var RED = "#b3261e";
  function horizontal(kind) { return kind === "ranking" || kind === "rate"; }
  function option(spec) {
    var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var labels = spec.labels.slice(), values = spec.values.slice();
    var base = { animation: !reduce, textStyle: { fontSize: 14 }, tooltip: { trigger: "axis", axisPointer: { type: "shadow" } } };
    if (horizontal(spec.kind)) {
      labels.reverse(); values.reverse();
      base.grid = { left: 8, right: 40, top: 10, bottom: 10, containLabel: true };
      base.xAxis = { type: "value", max: spec.kind === "rate" ? 100 : null };
      base.yAxis = { type: "category", data: labels, axisLabel: { width: 150, overflow: "truncate" } };
      base.series = [{ type: "bar", data: values, itemStyle: { color: RED }, label: { show: true, position: "right" } }];
    } else {
      base.grid = { left: 8, right: 8, top: 20, bottom: 10, containLabel: true };
      base.xAxis = { type: "category", data: labels, axisLabel: { interval: 0, width: 80, overflow: "break" } };
      base.yAxis = { type: "value", minInterval: 1 };
      base.series = [{ type: "bar", data: values, itemStyle: { color: RED }, label: { show: true, position: "top" } }];
    }
    return base;
  }
  function draw(spec) {
    var el = document.getElementById(spec.id);
    if (!el || !window.echarts) return;
    if (horizontal(spec.kind)) el.style.height = Math.max(240, spec.labels.length * 34 + 40) + "px";
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option(spec));
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function read(id) {
    var node = document.getElementById(id);
    if (!node) return [];
    try { var data = JSON.parse(node.textContent); return Array.isArray(data) ? data : [data]; } catch (e) { return []; }
  }
  ready(function () {
    read("chart-ranking-data").concat(read("survey-charts")).forEach(draw);
  });
})();
