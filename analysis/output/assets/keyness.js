// Keyness explorer: frequency x log-odds z per term; pointing at a term shows its KWIC lines.
(() => {
  const {el, svg, clear, fmt, kwicTable, footer, data} = DL;
  const state = {group: data.groups[0], term: null};
  const app = document.getElementById("dl-app");
  const select = el("select", {id: "dl-group", "aria-label": "source"});
  data.groups.forEach(g => select.append(el("option", {value: g}, g + " vs the rest")));
  const search = el("input", {type: "search", id: "dl-search", placeholder: "find a term",
                              "aria-label": "find a term"});
  const found = el("span", {class: "dl-note", id: "dl-search-result"});
  app.append(
    el("h1", {}, data.title || "Keyness explorer"),
    el("div", {class: "dl-controls"},
      el("label", {}, "source ", select), el("label", {}, "term ", search), found));
  const plotPanel = el("div", {class: "dl-panel", id: "dl-plot-panel"});
  const linesPanel = el("div", {class: "dl-panel", id: "dl-lines"});
  app.append(el("div", {class: "dl-grid"}, plotPanel, linesPanel), footer(data.provenance));
  const tip = el("div", {class: "dl-tip", id: "dl-tip"});
  document.body.append(tip);

  const W = 520, H = 440, L = 48, R = 12, TOP = 14, B = 40;
  function draw() {
    const c = data.comparisons[state.group], n = c.term.length;
    const total = c.term.map((_, i) => c.count_target[i] + c.count_reference[i]);
    const lx = total.map(v => Math.log10(v));
    const x0 = Math.min(...lx), x1 = Math.max(...lx, x0 + 1);
    const zmax = 1.08 * Math.max(3, ...c.z.map(Math.abs));
    const sx = v => L + (W - L - R) * (v - x0) / (x1 - x0);
    const sy = z => TOP + (H - TOP - B) * (zmax - z) / (2 * zmax);
    const plot = svg("svg", {id: "dl-plot", viewBox: `0 0 ${W} ${H}`});
    for (const z of [data.z_critical, -data.z_critical]) {
      plot.append(svg("line", {x1: L, x2: W - R, y1: sy(z), y2: sy(z), stroke: "#999",
                               "stroke-dasharray": "4 3"}));
    }
    plot.append(svg("line", {x1: L, x2: W - R, y1: sy(0), y2: sy(0), stroke: "#ccc"}));
    const ticks = [];
    for (let e = Math.floor(x0); e <= Math.ceil(x1); e++) {
      for (const m of (x1 - x0 < 2 ? [1, 2, 5] : [1])) ticks.push(Math.log10(m) + e);
    }
    for (const t of ticks.filter(t => t >= x0 - 1e-9 && t <= x1 + 1e-9)) {
      plot.append(svg("line", {x1: sx(t), x2: sx(t), y1: H - B, y2: H - B + 4, stroke: "#666"}),
                  svg("text", {x: sx(t), y: H - B + 16, "text-anchor": "middle"},
                      String(Math.round(10 ** t))));
    }
    const zstep = zmax > 12 ? 5 : zmax > 6 ? 2 : 1;
    for (let z = -Math.floor(zmax / zstep) * zstep; z <= zmax; z += zstep) {
      plot.append(svg("text", {x: L - 6, y: sy(z) + 4, "text-anchor": "end"}, String(z)));
    }
    plot.append(svg("line", {x1: L, x2: L, y1: TOP, y2: H - B, stroke: "#666"}),
                svg("line", {x1: L, x2: W - R, y1: H - B, y2: H - B, stroke: "#666"}));
    plot.append(svg("text", {x: (L + W) / 2, y: H - 6, "text-anchor": "middle"},
                    "occurrences in both sides (log scale)"),
                svg("text", {x: 12, y: (TOP + H - B) / 2, "text-anchor": "middle",
                             transform: `rotate(-90 12 ${(TOP + H - B) / 2})`}, "log-odds z-score"));
    const colour = data.colours[state.group] || "#0072B2";
    const order = [...Array(n).keys()].sort((a, b) => Math.abs(c.z[a]) - Math.abs(c.z[b]) || a - b);
    for (const i of order) {
      const z = c.z[i];
      const fill = z >= data.z_critical ? colour : z <= -data.z_critical ? "#444" : "#c8c8c8";
      const dot = svg("circle", {cx: sx(lx[i]), cy: sy(z), r: state.term === c.term[i] ? 6 : 3,
                                 fill, "fill-opacity": "0.8", class: "dl-point",
                                 "data-term": c.term[i]});
      if (state.term === c.term[i]) dot.setAttribute("stroke", "#000");
      dot.addEventListener("mouseenter", ev => { show(c.term[i], ev); });
      dot.addEventListener("mouseleave", () => { tip.style.display = "none"; });
      dot.addEventListener("click", () => { state.term = c.term[i]; draw(); });
      plot.append(dot);
    }
    // Label the most distinctive terms of each side, skipping any label that would overlap.
    const labelled = [...c.term.keys()].slice(0, 10).concat([...c.term.keys()].slice(-10));
    const placed = [];
    for (const i of new Set(labelled)) {
      const box = {x: sx(lx[i]) + 5, y: sy(c.z[i]) - 14, w: 6.6 * c.term[i].length, h: 13};
      if (box.x + box.w > W) box.x = sx(lx[i]) - 5 - box.w;
      const hit = placed.some(p => box.x < p.x + p.w && p.x < box.x + box.w &&
                                   box.y < p.y + p.h && p.y < box.y + box.h);
      if (hit) continue;
      placed.push(box);
      plot.append(svg("text", {x: box.x, y: box.y + 10, fill: "#222", class: "dl-label",
                               "pointer-events": "none"}, c.term[i]));
    }
    const shown = n < c.n_terms ? `${n.toLocaleString()} of ${c.n_terms.toLocaleString()} terms ` +
      "shown (the most distinctive on each side and the most frequent)" : `${n.toLocaleString()} terms`;
    clear(plotPanel).append(el("h2", {}, state.group + " against the other sources"), plot,
      el("p", {class: "dl-note"}, shown + "; coloured: z ≥ " + data.z_critical +
         " (" + state.group + "), dark grey: z ≤ −" + data.z_critical + " (the rest)."));
    drawLines();
  }
  function show(term, ev) {
    const c = data.comparisons[state.group], i = c.term.indexOf(term);
    tip.textContent = `${term}: ${c.count_target[i]} in ${state.group}, ${c.count_reference[i]} ` +
      `in the rest; z = ${fmt(c.z[i], 2)}`;
    tip.style.left = (ev.clientX + 12) + "px";
    tip.style.top = (ev.clientY + 12) + "px";
    tip.style.display = "block";
    state.term = term;
    drawLines();
  }
  function drawLines() {
    clear(linesPanel);
    const term = state.term;
    if (term === null) {
      linesPanel.append(el("h2", {}, "Terms in context"),
        el("p", {class: "dl-note"}, "Point at a term (or find it above) to read its lines."));
      return;
    }
    const c = data.comparisons[state.group], i = c.term.indexOf(term);
    linesPanel.append(el("h2", {id: "dl-term"}, term));
    if (i >= 0) {
      linesPanel.append(el("p", {class: "dl-note"}, `${c.count_target[i]} in ${state.group}, ` +
        `${c.count_reference[i]} in the rest; z = ${fmt(c.z[i], 2)}, adjusted p = ` +
        Number(c.p_adj[i]).toPrecision(2)));
    }
    const lines = data.lines[term];
    if (!lines) {
      linesPanel.append(el("p", {class: "dl-note"}, "No lines stored: the page keeps lines " +
        "for the most distinctive terms of each source only (see the sources-concordance table)."));
      return;
    }
    const own = lines.filter(l => l[0] === state.group), rest = lines.filter(l => l[0] !== state.group);
    linesPanel.append(el("h2", {}, "in " + state.group), kwicTable(own),
                      el("h2", {}, "in the other sources"), kwicTable(rest));
  }
  select.addEventListener("change", () => { state.group = select.value; state.term = null; draw(); });
  search.addEventListener("input", () => {
    const q = search.value.trim().toLowerCase(), c = data.comparisons[state.group];
    if (!q) { found.textContent = ""; return; }
    const hit = c.term.find(t => t === q) || c.term.find(t => t.startsWith(q));
    found.textContent = hit ? "" : "not among the shown terms";
    if (hit) { state.term = hit; draw(); }
  });
  draw();
})();
