// Bar chart of the scores on the results and ranking pages. The figures come from a json_script block
// (never computed here): names and scores exactly as the page's table shows them.
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }

  function shorten(name) { return name.length > 8 ? name.slice(0, 7) + "…" : name; }

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    if (!data.names.length) { el.hidden = true; return; }
    var narrow = el.clientWidth < 600;
    var top = Number(data.max) || 100;
    el.style.height = Math.max(220, data.names.length * (narrow ? 38 : 34) + 70) + "px";
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    // Rank 1 at the top: a category axis draws its first item at the bottom, so reverse.
    var names = data.names.slice().reverse();
    var bars = data.scores.map(function (score, i) {
      return {
        value: Number(score),
        label: { formatter: score },
        itemStyle: { color: data.selected[i] ? "#b3261e" : "#8a8a8a" }
      };
    }).reverse();
    chart.setOption({
      animation: false,
      grid: { left: 4, right: 52, top: 34, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", min: 0, max: top, interval: top / (narrow ? 4 : 10), axisLabel: { fontSize: 12 } },
      yAxis: {
        type: "category", data: names,
        axisLabel: { formatter: narrow ? shorten : function (n) { return n; }, fontSize: narrow ? 12 : 13, color: "#1f1f1f" }
      },
      series: [{
        type: "bar", name: data.labels.score, data: bars, barMaxWidth: 26,
        label: { show: true, position: "right", fontSize: 13 },
        markLine: {
          symbol: "none", silent: true,
          label: { formatter: data.labels.minimum + " " + data.minimum, position: "end", color: "#8a5a00", fontSize: 12 },
          lineStyle: { color: "#8a5a00", type: "dashed" },
          data: [{ xAxis: Number(data.minimum) }]
        }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  ready(function () { document.querySelectorAll("[data-source]").forEach(draw); });
})();
