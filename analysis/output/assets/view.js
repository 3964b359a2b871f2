"use strict";
// Shared helpers of the Discourse Lab HTML views (plain DOM and SVG, no libraries).
const DL = (() => {
  const SVG = "http://www.w3.org/2000/svg";
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const c of children) node.append(c);
    return node;
  }
  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const c of children) node.append(c);
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function fmt(x, digits) { return Number(x).toFixed(digits); }
  function kwicTable(lines) {
    // lines: [group, unit, left, match, right]; the keyword whole and highlighted.
    const table = el("table", {class: "dl-kwic"});
    for (const [group, unit, left, match, right] of lines) {
      table.append(el("tr", {},
        el("td", {class: "dl-meta"}, group + " · " + unit),
        el("td", {class: "dl-left", title: left}, el("span", {}, left)),
        el("td", {class: "dl-match"}, el("mark", {}, match)),
        el("td", {class: "dl-right", title: right}, right)));
    }
    return table;
  }
  function footer(provenance) {
    const parts = Object.entries(provenance || {}).map(([k, v]) =>
      k + ": " + (typeof v === "object" ? JSON.stringify(v) : v));
    return el("footer", {}, parts.join(" · "));
  }
  const data = JSON.parse(document.getElementById("dl-data").textContent);
  return {el, svg, clear, fmt, kwicTable, footer, data};
})();
