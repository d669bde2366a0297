// peacemonitor dashboard: draws each chart from the JSON the server embedded next to it, and
// submits the filter form when a select changes (the URL then holds the filters).
"use strict";
// Okabe–Ito: distinguishable with the common colour-vision deficiencies.
const COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];

function drawChart(holder, spec) {
  const traces = spec.series.map((s, i) => ({
    type: "scatter",
    mode: "lines+markers",
    name: `${spec.names[s.outcome] || s.outcome} · ${s.source} · ${s.unit}`,
    x: s.points.map((p) => p.period),
    y: s.points.map((p) => p.value),
    connectgaps: false,
    line: { color: COLOURS[i % COLOURS.length], width: 2 },
    marker: { size: 5, symbol: i % 4 },
  }));
  const layout = {
    margin: { l: 60, r: 10, t: 10, b: 40 },
    xaxis: { title: { text: spec.labels.period }, type: "category" },
    yaxis: { title: { text: spec.metric === "rate" ? spec.labels.rate : spec.labels.count }, rangemode: "tozero" },
    showlegend: true,
    legend: { orientation: "h", y: -0.2 },
    font: { family: "system-ui, sans-serif" },
  };
  window.Plotly.newPlot(holder, traces, layout, { displaylogo: false, responsive: true });
  holder.dataset.drawn = String(traces.length);
  holder.dataset.points = String(traces.reduce((n, t) => n + t.x.length, 0));
}

function drawCharts() {
  document.querySelectorAll("script.chart-data").forEach((node) => {
    const holder = document.getElementById(node.dataset.for);
    if (holder) drawChart(holder, JSON.parse(node.textContent));
  });
}

function autoSubmit() {
  document.querySelectorAll("form.filters").forEach((form) => {
    // Empty fields stay out of the URL, so shared links hold only the filters that are set.
    form.addEventListener("submit", () => {
      form.querySelectorAll("input, select").forEach((field) => {
        if (!field.value) field.disabled = true;
      });
    });
    form.querySelectorAll("select").forEach((select) => {
      select.addEventListener("change", () => form.requestSubmit());
    });
  });
}

window.addEventListener("DOMContentLoaded", () => {
  autoSubmit();
  if (window.Plotly) drawCharts();
});

// A group's published strength: one trace per unit as published (figures in different units
// are not one series), markers only, a range as an error bar, unverified points open.
function drawStrength(holder, spec) {
  const units = [...new Set(spec.points.map((p) => p.unit))];
  const traces = units.map((unit, i) => {
    const points = spec.points.filter((p) => p.unit === unit);
    return {
      type: "scatter",
      mode: "markers",
      name: unit,
      x: points.map((p) => p.day),
      y: points.map((p) => p.value),
      error_y: {
        type: "data", symmetric: false, visible: points.some((p) => p.high),
        array: points.map((p) => (p.high ? p.high - p.value : 0)), arrayminus: points.map(() => 0),
      },
      text: points.map((p) => `${p.period}: ${p.qualifier ? p.qualifier + " " : ""}${p.value}` +
        `${p.high ? "–" + p.high : ""} ${unit} [${p.sources.map((c) => c.source).join(", ")}]` +
        `${p.unverified ? " (" + spec.labels.unverified + ")" : ""}`),
      hoverinfo: "text",
      marker: {
        size: 10, color: COLOURS[i % COLOURS.length], line: { width: 2, color: COLOURS[i % COLOURS.length] },
        symbol: points.map((p) => (p.unverified ? "circle-open" : "circle")),
      },
    };
  });
  const layout = {
    margin: { l: 60, r: 10, t: 10, b: 40 },
    xaxis: { title: { text: spec.labels.date }, type: "date" },
    yaxis: { title: { text: spec.labels.people }, rangemode: "tozero" },
    showlegend: true,
    legend: { orientation: "h", y: -0.2 },
    font: { family: "system-ui, sans-serif" },
  };
  window.Plotly.newPlot(holder, traces, layout, { displaylogo: false, responsive: true });
  holder.dataset.drawn = String(traces.length);
  holder.dataset.points = String(spec.points.length);
}

window.addEventListener("DOMContentLoaded", () => {
  if (!window.Plotly) return;
  document.querySelectorAll("script.strength-data").forEach((node) => {
    const holder = document.getElementById(node.dataset.for);
    if (holder) drawStrength(holder, JSON.parse(node.textContent));
  });
});
