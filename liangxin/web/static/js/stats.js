/* The dashboard's charts (ECharts, served locally). Data: the report as the API returns it,
   plus list_base (the organization list of this unit and filters) and trend (snapshots). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("stats-data").textContent);
  var STATES = [
    ["own", "单独建立党组织", "#b71c1c"],
    ["joint", "联合/区域/行业覆盖", "#e57373"],
    ["attached", "挂靠/依托", "#ffb74d"],
    ["instructor", "派驻指导员", "#fff176"],
    ["blank", "空白点", "#b0bec5"]
  ];
  var RATE_LINES = [
    ["org_coverage", "组织覆盖率"], ["work_coverage", "工作覆盖率"],
    ["dual_members", "50人以上有党员"], ["dual_org", "100人以上建党组织"], ["above_scale", "规上企业覆盖率"]
  ];

  function listUrl(params, measure) {
    if (!data.list_base || !params) return null;
    var q = new URLSearchParams(data.list_base.split("?")[1] || "");
    Object.keys(params).forEach(function (k) { q.set(k, params[k]); });
    q.set("stat", measure);
    return data.list_base.split("?")[0] + "?" + q.toString();
  }
  function rateOf(row, key) {
    for (var i = 0; i < row.rates.length; i++) if (row.rates[i].key === key) return row.rates[i];
    return null;
  }
  // Tooltips are drawn on the canvas (renderMode "richText"): ECharts' HTML tooltip writes style=""
  // attributes into its markup, which the Content-Security-Policy (style-src 'self') drops.
  function mount(id) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") return null;
    // the height grows with the rows; set through the CSSOM (allowed by the CSP, a style attribute is not)
    if (el.dataset.height) el.style.height = el.dataset.height + "px";
    var chart = echarts.init(el, null, { renderer: "canvas" });
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }
  function openOnClick(chart) {
    chart.on("click", function (p) { if (p.data && p.data.url) window.location.href = p.data.url; });
  }

  // per-child: stacked coverage states (counts) with the organizational coverage rate as a line
  var children = data.children.slice().reverse();
  var chart = mount("chart-children");
  if (chart) {
    var names = children.map(function (r) { return r.label; });
    var series = STATES.map(function (s) {
      return {
        name: s[1], type: "bar", stack: "states", itemStyle: { color: s[2] }, barMaxWidth: 22,
        data: children.map(function (r) { return { value: r.measures[s[0]], url: listUrl(r.params, s[0]) }; })
      };
    });
    var target = data.rates.filter(function (r) { return r.key === "dual_org"; })[0].target;
    series.push({
      name: "组织覆盖率（%）", type: "scatter", xAxisIndex: 1, symbolSize: 9, itemStyle: { color: "#1a5fb4" },
      data: children.map(function (r) {
        var rate = rateOf(r, "org_coverage");
        return { value: rate.percent, url: listUrl(r.params, "org_covered") };
      }),
      // the target's label lies inside the plot along its line: at the line's end it covered the
      // top axis's "90"/"100"
      markLine: { silent: true, symbol: "none", lineStyle: { color: "#2e7d32", type: "dashed" },
                  label: { formatter: "目标 " + target + "%", position: "insideEndBottom", color: "#2e7d32" },
                  data: [{ xAxis: target }] }
    });
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      legend: { top: 0 },
      // the grid makes room for the longest name (whole names, a long one wraps onto two lines)
      grid: { left: 10, right: 40, top: 50, bottom: 30, containLabel: true },
      xAxis: [{ type: "value", name: "组织数", position: "bottom" },
              { type: "value", name: "%", min: 0, max: 100, position: "top", splitLine: { show: false } }],
      yAxis: { type: "category", data: names, axisLabel: { width: 220, overflow: "break" } },
      series: series
    });
    openOnClick(chart);
  }

  function pie(id, rows) {
    var c = mount(id);
    if (!c) return;
    c.setOption({
      tooltip: { trigger: "item", formatter: "{b}：{c} 个（{d}%）", renderMode: "richText" },
      series: [{
        type: "pie", radius: ["35%", "65%"], label: { formatter: "{b}\n{c}" },
        data: rows.filter(function (r) { return r.measures.counted > 0; }).map(function (r) {
          return { name: r.label, value: r.measures.counted, url: listUrl(r.params, "counted") };
        })
      }]
    });
    openOnClick(c);
  }
  pie("chart-kinds", data.by_kind);
  pie("chart-carriers", data.by_carrier_kind);

  var trend = mount("chart-trend");
  if (trend && data.trend.length) {
    var points = data.trend.slice();
    if (!data.as_of) {
      var now = { as_of: "当前" };
      RATE_LINES.forEach(function (l) { now[l[0]] = rateOf(data, l[0]).percent; });
      points.push(now);
    }
    var targetLine = data.rates.filter(function (r) { return r.key === "dual_org"; })[0].target;
    trend.setOption({
      tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
      legend: { top: 0 },
      grid: { left: 50, right: 80, top: 50, bottom: 30 },  // right: room for the target's label
      xAxis: { type: "category", data: points.map(function (p) { return p.as_of; }) },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: RATE_LINES.map(function (l, i) {
        var s = { name: l[1], type: "line", connectNulls: true, data: points.map(function (p) { return p[l[0]]; }) };
        if (i === 2) s.markLine = { silent: true, symbol: "none", lineStyle: { color: "#2e7d32", type: "dashed" },
                                    label: { formatter: "目标 " + targetLine + "%" }, data: [{ yAxis: targetLine }] };
        return s;
      })
    });
  }
})();
