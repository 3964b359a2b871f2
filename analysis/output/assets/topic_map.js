// Topic map: intertopic distance map <-> relevance-ranked term bars (λ slider) <-> passages.
(() => {
  const {el, svg, clear, fmt, footer, data} = DL;
  const K = data.topics.length, T = data.terms.length, N = data.total_tokens || 1;
  const state = {topic: 0, lambda: data.lambda, term: null};
  const app = document.getElementById("dl-app");
  const slider = el("input", {type: "range", id: "dl-lambda", min: "0", max: "1", step: "0.01",
                              value: String(data.lambda), "aria-label": "relevance lambda"});
  const lambdaText = el("span", {id: "dl-lambda-value"});
  const select = el("select", {id: "dl-topic", "aria-label": "topic"});
  data.topics.forEach(t => select.append(el("option", {value: String(t.id)}, t.label)));
  app.append(
    el("h1", {}, data.title || "Topic map"),
    el("div", {class: "dl-controls"},
      el("label", {}, "topic ", select),
      el("label", {}, "relevance λ ", slider, " ", lambdaText),
      el("span", {class: "dl-note"},
         "λ = 1: most probable terms of the topic; λ = 0: terms most specific to it (lift).")));
  const mapPanel = el("div", {class: "dl-panel", id: "dl-map-panel"},
    el("h2", {}, "Intertopic distance map"),
    el("p", {class: "dl-note"}, "Classical scaling of Jensen–Shannon distances between topics; " +
       "circle area ∝ prevalence. Click a circle to select its topic; point at a term on the " +
       "right to see which topics use it."));
  const barsPanel = el("div", {class: "dl-panel", id: "dl-bars-panel"});
  app.append(el("div", {class: "dl-grid"}, mapPanel, barsPanel));
  const passages = el("div", {class: "dl-passages", id: "dl-passages"});
  app.append(passages, footer(data.provenance));

  // ---- the map
  const W = 460, H = 400, PAD = 40;
  const map = svg("svg", {id: "dl-map", viewBox: `0 0 ${W} ${H}`, role: "img"});
  mapPanel.append(map);
  const xs = data.topics.map(t => t.x), ys = data.topics.map(t => t.y);
  const span = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys), 1e-9);
  const cx = (Math.max(...xs) + Math.min(...xs)) / 2, cy = (Math.max(...ys) + Math.min(...ys)) / 2;
  const scale = Math.min(W, H) * 0.5 - PAD - 20;
  const px = x => W / 2 + (x - cx) / span * 2 * scale * 0.9;
  const py = y => H / 2 - (y - cy) / span * 2 * scale * 0.9;
  map.append(svg("line", {x1: PAD / 2, y1: H / 2, x2: W - PAD / 2, y2: H / 2, stroke: "#ddd"}),
             svg("line", {x1: W / 2, y1: PAD / 2, x2: W / 2, y2: H - PAD / 2, stroke: "#ddd"}),
             svg("text", {x: W - PAD / 2, y: H / 2 - 4, "text-anchor": "end", fill: "#888"}, "PC1"),
             svg("text", {x: W / 2 + 4, y: PAD / 2 + 8, fill: "#888"}, "PC2"));
  const maxPrev = Math.max(...data.topics.map(t => t.prevalence), 1e-12);
  const circles = data.topics.map(t => {
    const g = svg("g", {class: "dl-topic", "data-topic": String(t.id), tabindex: "0",
                        style: "cursor:pointer"});
    const c = svg("circle", {cx: px(t.x), cy: py(t.y), "fill-opacity": "0.55", stroke: "#fff"});
    const label = svg("text", {x: px(t.x), y: py(t.y) + 4, "text-anchor": "middle", "pointer-events": "none",
                               "font-weight": "bold"}, String(t.id));
    g.append(svg("title", {}, t.label + " — prevalence " + fmt(100 * t.prevalence, 1) + "%"), c, label);
    g.addEventListener("click", () => choose(t.id));
    g.addEventListener("keydown", e => { if (e.key === "Enter" || e.key === " ") choose(t.id); });
    map.append(g);
    return c;
  });
  function radius(share) { return 6 + 34 * Math.sqrt(Math.max(share, 0)); }
  function drawMap() {
    let shares = data.topics.map(t => t.prevalence / maxPrev);
    if (state.term !== null) {  // p(k|w) ∝ p(w|k) p(k)
      const joint = data.topics.map((t, k) => data.topic_word[k][state.term] * t.prevalence);
      const top = Math.max(...joint, 1e-300);
      shares = joint.map(j => j / top);
    }
    circles.forEach((c, k) => {
      c.setAttribute("r", radius(shares[k]));
      c.setAttribute("fill", k === state.topic ? "#D55E00" : "#0072B2");
    });
  }

  // ---- the bars
  function relevance(k, lam) {
    const out = new Array(T);
    for (let i = 0; i < T; i++) {
      const phi = data.topic_word[k][i], pw = data.term_probability[i];
      out[i] = lam * Math.log(phi) + (1 - lam) * Math.log(phi / pw);
    }
    return out;
  }
  function topTerms(k, lam) {
    const r = relevance(k, lam);
    const order = [...Array(T).keys()].sort((a, b) => (r[b] - r[a]) || (a - b));
    return order.slice(0, data.n_terms);
  }
  function drawBars() {
    const k = state.topic, lam = state.lambda, top = topTerms(k, lam);
    const t = data.topics[k];
    // room for the longest term on the left (about 6.6 px a character at 11 px)
    const longest = Math.max(...top.map(i => data.terms[i].length), 4);
    const rowH = 18, left = Math.min(220, 12 + 6.6 * longest), width = 480;
    const height = 30 + rowH * top.length + 44;
    const overall = top.map(i => data.term_probability[i] * N);
    const within = top.map(i => data.topic_word[k][i] * t.prevalence * N);
    const max = Math.max(...overall, ...within, 1e-12);
    const sx = v => (width - left - 10) * v / max;
    const bars = svg("svg", {id: "dl-bars", viewBox: `0 0 ${width} ${height}`});
    bars.append(svg("text", {x: left, y: 12}, "Top " + top.length + " terms of topic " + k +
                    " at λ = " + fmt(lam, 2)));
    top.forEach((i, row) => {
      const y = 22 + row * rowH;
      const g = svg("g", {class: "dl-bar", "data-term": data.terms[i]});
      g.append(svg("title", {}, data.terms[i] + ": " + Math.round(within[row]) + " of " +
                   Math.round(overall[row]) + " estimated occurrences in this topic"),
               svg("text", {x: left - 6, y: y + 12, "text-anchor": "end"}, data.terms[i]),
               svg("rect", {x: left, y: y + 2, width: sx(overall[row]), height: rowH - 5, fill: "#cfd8e3"}),
               svg("rect", {x: left, y: y + 2, width: sx(within[row]), height: rowH - 5, fill: "#D55E00"}));
      g.addEventListener("mouseenter", () => { state.term = i; drawMap(); });
      g.addEventListener("mouseleave", () => { state.term = null; drawMap(); });
      bars.append(g);
    });
    const yl = 22 + top.length * rowH + 16;
    bars.append(svg("rect", {x: left, y: yl - 9, width: 10, height: 10, fill: "#cfd8e3"}),
                svg("text", {x: left + 14, y: yl}, "overall frequency"),
                svg("rect", {x: left, y: yl + 7, width: 10, height: 10, fill: "#D55E00"}),
                svg("text", {x: left + 14, y: yl + 16}, "estimated frequency in the topic"));
    clear(barsPanel).append(el("h2", {id: "dl-selected"}, t.label), bars);
  }

  // ---- the passages
  function drawPassages() {
    const k = state.topic;
    clear(passages).append(el("h2", {}, "Most representative passages of " +
                                          data.topics[k].label + ", by source"));
    for (const p of data.passages[k]) {
      passages.append(el("div", {class: "dl-passage"},
        el("div", {class: "dl-meta"}, p.group + " · " + p.segment_id + " · share of topic " +
           fmt(p.proportion, 2)),
        el("div", {}, p.text)));
    }
  }

  function choose(k) { state.topic = k; select.value = String(k); draw(); }
  function draw() { lambdaText.textContent = fmt(state.lambda, 2); drawMap(); drawBars(); drawPassages(); }
  slider.addEventListener("input", () => { state.lambda = Number(slider.value); draw(); });
  select.addEventListener("change", () => choose(Number(select.value)));
  draw();
})();
