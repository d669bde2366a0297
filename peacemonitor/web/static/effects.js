// peacemonitor ceasefire effects: draws the interrupted time series (observed, fitted,
// counterfactual, months under the ceasefire shaded) and the event study (rate ratio with its
// 95% interval per month from the start) from the JSON the server embedded next to each chart.
"use strict";
(() => {
  // Okabe–Ito, as in app.js.
  const BLUE = "#0072B2", VERMILION = "#D55E00", GREY = "#000000", ORANGE = "#E69F00";
  const FONT = { family: "system-ui, sans-serif" };

  function nextMonth(month) {
    const [y, m] = month.split("-").map(Number);
    return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
  }

  // Runs of consecutive months with the ceasefire in force, as shaded rectangles.
  function shading(points) {
    const shapes = [];
    let run = null;
    points.forEach((p) => {
      if (p.share > 0) {
        if (run && run.x1 === p.month) run.x1 = nextMonth(p.month);
        else {
          run = { x0: p.month, x1: nextMonth(p.month) };
          shapes.push(run);
        }
      } else run = null;
    });
    return shapes.map((r) => ({
      type: "rect", xref: "x", yref: "paper", x0: `${r.x0}-01`, x1: `${r.x1}-01`, y0: 0, y1: 1,
      fillcolor: ORANGE, opacity: 0.18, line: { width: 0 }, layer: "below",
    }));
  }

  // Every month from the first to the last, null where the source does not cover one (left
  // out of the fit): a gap in the lines, never a line drawn across it.
  function filled(points) {
    const byMonth = new Map(points.map((p) => [p.month, p]));
    const out = [];
    for (let m = points[0].month; m <= points[points.length - 1].month; m = nextMonth(m)) {
      out.push(byMonth.get(m) || { month: m, observed: null, fitted: null, counterfactual: null, share: 0 });
    }
    return out;
  }

  function drawIts(holder, spec) {
    const points = filled(spec.points);
    const x = points.map((p) => `${p.month}-01`);
    const traces = [
      { name: spec.labels.observed, x, y: points.map((p) => p.observed), type: "scatter",
        mode: "markers+lines", line: { color: BLUE, width: 1 }, marker: { size: 5 } },
      { name: spec.labels.fitted, x, y: points.map((p) => p.fitted), type: "scatter",
        mode: "lines", line: { color: VERMILION, width: 2 } },
      { name: spec.labels.counterfactual, x, y: points.map((p) => p.counterfactual),
        type: "scatter", mode: "lines", line: { color: GREY, width: 2, dash: "dash" } },
      // an empty trace so the shading has a legend entry
      { name: spec.labels.in_force, x: [null], y: [null], type: "scatter", mode: "markers",
        marker: { color: ORANGE, opacity: 0.4, symbol: "square", size: 12 } },
    ];
    const layout = {
      margin: { l: 60, r: 10, t: 10, b: 40 }, font: FONT, shapes: shading(spec.points),
      xaxis: { title: { text: spec.labels.month }, type: "date" },
      yaxis: { title: { text: spec.labels.count }, rangemode: "tozero" },
      legend: { orientation: "h", y: -0.2 },
    };
    window.Plotly.newPlot(holder, traces, layout, { displaylogo: false, responsive: true });
    holder.dataset.points = String(spec.points.length);
  }

  function drawStudy(holder, spec) {
    const path = spec.path;
    const trace = {
      name: spec.labels.estimate, type: "scatter", mode: "markers",
      x: path.map((p) => p.k), y: path.map((p) => p.rate_ratio),
      marker: { color: BLUE, size: 7 },
      error_y: {
        type: "data", symmetric: false, color: BLUE,
        array: path.map((p) => p.ci_high - p.rate_ratio),
        arrayminus: path.map((p) => p.rate_ratio - p.ci_low),
      },
    };
    const layout = {
      margin: { l: 60, r: 10, t: 10, b: 40 }, font: FONT, showlegend: false,
      xaxis: { title: { text: spec.labels.k }, zeroline: false },
      yaxis: { title: { text: spec.labels.ratio }, type: "log" },
      shapes: [
        { type: "line", xref: "paper", x0: 0, x1: 1, y0: 1, y1: 1, line: { color: GREY, width: 1 } },
        { type: "line", yref: "paper", x0: -0.5, x1: -0.5, y0: 0, y1: 1,
          line: { color: ORANGE, width: 2, dash: "dot" } },
      ],
    };
    window.Plotly.newPlot(holder, [trace], layout, { displaylogo: false, responsive: true });
    holder.dataset.points = String(path.length);
  }

  window.addEventListener("DOMContentLoaded", () => {
    if (!window.Plotly) return;
    document.querySelectorAll("script.effect-data").forEach((node) => {
      const holder = document.getElementById(node.dataset.for);
      if (!holder) return;
      const spec = JSON.parse(node.textContent);
      (node.dataset.kind === "study" ? drawStudy : drawIts)(holder, spec);
    });
  });
})();
