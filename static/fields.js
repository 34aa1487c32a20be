// The fields map: fields as nodes, shared concepts as links; clicking a link loads its bridges.
(function () {
  "use strict";
  const container = document.getElementById("fields-cy");
  const source = document.getElementById("fields-data");
  if (!container || !source || typeof cytoscape === "undefined") return;
  const data = JSON.parse(source.textContent);
  const linked = new Set(data.shared.flatMap(([a, b]) => [a, b]));
  const maxShared = Math.max(1, ...data.shared.map((s) => s[2]));
  const elements = data.fields.filter((f) => linked.has(f.code)).map((f) => ({
    data: { id: f.code, label: f.code, size: Math.min(80, 16 + 6 * Math.log2(1 + f.papers)) },
  })).concat(data.shared.map(([a, b, n]) => ({
    data: { id: `${a}|${b}`, source: a, target: b, shared: n, width: 1 + 9 * (n / maxShared) },
  })));
  const cy = cytoscape({
    container,
    elements,
    layout: { name: "cose", animate: false, idealEdgeLength: () => 120, nodeRepulsion: () => 20000 },
    style: [
      { selector: "node", style: { "background-color": "#457b9d", label: "data(label)", width: "data(size)", height: "data(size)", "font-size": 11 } },
      { selector: "edge", style: { width: "data(width)", "line-color": "#a8b3bf", opacity: 0.7 } },
      { selector: "edge:selected", style: { "line-color": "#e63946", opacity: 1 } },
    ],
  });
  window.ideagraphFields = { cy };
  cy.on("tap", "edge", (evt) => {
    const params = new URLSearchParams({ a: evt.target.data("source"), b: evt.target.data("target") });
    htmx.ajax("GET", `${data.url}?${params}`, { target: "#bridges", swap: "outerHTML" });
  });
})();
