// The concept explorer: draws /api/concepts/<key>/neighborhood with Cytoscape.js.
// Labels are drawn on a canvas and the side panel comes from the server already escaped; nothing
// here puts text from the graph into HTML.
(function () {
  "use strict";

  const root = document.getElementById("explorer");
  if (!root || typeof cytoscape === "undefined") return;
  if (typeof cytoscapeFcose !== "undefined") cytoscape.use(cytoscapeFcose);

  const form = document.getElementById("explore");
  const status = document.getElementById("graph-status");
  const panel = document.getElementById("panel");
  const legend = document.getElementById("legend");
  const urlFor = (template, key) => template.replace("KEY", encodeURIComponent(key));

  // Fixed colours for the common fields, a hashed one for the rest.
  const FIELD_COLOURS = {
    "cs.LG": "#1f77b4", "cs.CL": "#ff7f0e", "cs.CV": "#2ca02c", "cs.AI": "#d62728",
    "cs.CR": "#9467bd", "cs.RO": "#8c564b", "stat.ML": "#e377c2", "cs.IR": "#17becf",
    "cs.SE": "#bcbd22", "cs.HC": "#7f7f7f", "cs.CY": "#aec7e8", "cs.NE": "#ffbb78",
    "cs.DC": "#98df8a", "cs.SD": "#ff9896", "cs.MA": "#c5b0d5", "eess.IV": "#c49c94",
  };
  function fieldColour(field) {
    if (!field) return "#b0b7c0";
    if (FIELD_COLOURS[field]) return FIELD_COLOURS[field];
    let h = 0;
    for (const ch of field) h = (h * 31 + ch.charCodeAt(0)) % 360;
    return `hsl(${h}, 55%, 55%)`;
  }
  const KIND_SHAPES = {
    task: "round-rectangle", method: "ellipse", dataset: "barrel", metric: "diamond",
    other: "hexagon", paper: "rectangle",
  };

  function toElements(data) {
    const nodes = data.nodes.map((n) => ({
      group: "nodes",
      data: {
        id: n.id, label: n.label, kind: n.kind, field: n.field || "", papers: n.papers || 0,
        depth: n.depth, colour: fieldColour(n.field), shape: KIND_SHAPES[n.kind] || "ellipse",
        size: n.kind === "paper" ? 12 : Math.min(70, 14 + 7 * Math.log2(1 + (n.papers || 0))),
      },
      classes: n.id === data.center ? "center" : n.kind === "paper" ? "paper" : "",
    }));
    const edges = data.edges.map((e) => ({
      group: "edges",
      data: {
        id: `${e.type}:${e.source}|${e.target}`, source: e.source, target: e.target,
        weight: e.weight, type: e.type,
        width: e.type === "cooccurs" ? Math.min(10, 1 + Math.log2(e.weight)) : 1.5,
      },
      classes: e.type,
    }));
    return nodes.concat(edges);
  }

  const cy = cytoscape({
    container: document.getElementById("cy"),
    wheelSensitivity: 0.3,
    minZoom: 0.05,
    style: [
      { selector: "node", style: {
        "background-color": "data(colour)", shape: "data(shape)", width: "data(size)",
        height: "data(size)", label: "data(label)", "font-size": 10, "text-valign": "bottom",
        "text-margin-y": 2, "text-wrap": "ellipsis", "text-max-width": 140, color: "#1d232a",
        "min-zoomed-font-size": 7,
      } },
      { selector: "node.center", style: { "border-width": 4, "border-color": "#1d3557", "font-weight": "bold" } },
      { selector: "node.paper", style: { "font-size": 8, color: "#555" } },
      { selector: "node:selected", style: { "border-width": 3, "border-color": "#e63946" } },
      { selector: "edge", style: { width: "data(width)", "line-color": "#9aa5b1", opacity: 0.6, "curve-style": "haystack" } },
      { selector: "edge.similar", style: { "line-style": "dashed", "line-color": "#7b2cbf", "curve-style": "straight" } },
      { selector: "edge.mentions", style: { "line-style": "dotted", "line-color": "#adb5bd" } },
      // Nodes keep their size on a path (a width here would squash them into slivers).
      { selector: "node.on-path", style: { "border-color": "#e63946", "border-width": 3, opacity: 1 } },
      { selector: "edge.on-path", style: { "line-color": "#e63946", opacity: 1, width: 5 } },
      { selector: ".faded", style: { opacity: 0.15 } },
    ],
  });
  window.ideagraphExplorer = { cy };

  function query(extra) {
    const params = new URLSearchParams(new FormData(form));
    params.delete("concept");
    for (const [k, v] of Object.entries(extra || {})) params.set(k, v);
    return params;
  }

  function runLayout(randomize) {
    return new Promise((resolve) => {
      const layout = cy.layout({
        name: typeof cytoscapeFcose !== "undefined" ? "fcose" : "cose",
        animate: false, randomize, quality: "default", nodeSeparation: 60,
        idealEdgeLength: () => 80, nodeRepulsion: () => 6000, numIter: 1500,
      });
      layout.one("layoutstop", resolve);
      layout.run();
    });
  }

  function showStatus(text) { status.textContent = text; }

  function drawLegend() {
    const fields = new Map();
    cy.nodes().forEach((n) => { if (n.data("field")) fields.set(n.data("field"), (fields.get(n.data("field")) || 0) + 1); });
    legend.replaceChildren();
    [...fields.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10).forEach(([field]) => {
      const item = document.createElement("span");
      item.className = "legend-item";
      const swatch = document.createElement("i");
      swatch.style.background = fieldColour(field);
      item.append(swatch, document.createTextNode(field));
      legend.append(item);
    });
    const note = document.createElement("span");
    note.className = "hint";
    note.textContent = "Size: papers. Shape: kind. Solid: co-mentioned; dashed: similar in meaning; dotted: paper mentions.";
    legend.append(note);
  }

  async function fetchJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    const body = await response.json();
    if (!response.ok) {
      const message = body.error || Object.entries(body.errors || {}).map(([k, v]) => `${k}: ${v.join(" ")}`).join("; ");
      throw new Error(message || `HTTP ${response.status}`);
    }
    return body;
  }

  async function load() {
    showStatus("Loading…");
    const started = performance.now();
    try {
      const data = await fetchJson(`${root.dataset.api}?${query()}`);
      const fetched = performance.now();
      cy.elements().remove();
      cy.add(toElements(data));
      await runLayout(true);
      cy.fit(undefined, 30);
      const drawn = performance.now();
      root.dataset.renderMs = String(Math.round(drawn - fetched));
      const hidden = (data.hidden_hubs || []).map((h) => h.label);
      showStatus(`${cy.nodes().length} nodes, ${cy.edges().length} links` +
        (data.truncated ? " (more exist: raise the node limit)" : "") +
        (hidden.length ? ` · hubs left out: ${hidden.join(", ")} (tick "hubs" to show them)` : "") +
        ` · fetched in ${Math.round(fetched - started)} ms, drawn in ${Math.round(drawn - fetched)} ms`);
      drawLegend();
      root.dataset.ready = "true";
    } catch (err) {
      showStatus(`Could not load the neighbourhood: ${err.message}`);
    }
  }

  async function expand(node) {
    if (node.hasClass("paper")) return;
    showStatus(`Expanding ${node.data("label")}…`);
    try {
      const data = await fetchJson(`${urlFor(root.dataset.apiTemplate, node.id())}?${query({ depth: 1, limit: 25 })}`);
      const fresh = toElements(data).filter((el) => cy.getElementById(el.data.id).empty());
      fresh.forEach((el) => { if (el.group === "nodes") { el.position = { ...node.position() }; el.classes = ""; } });
      cy.add(fresh);
      await runLayout(false);
      showStatus(`${cy.nodes().length} nodes, ${cy.edges().length} links · expanded ${node.data("label")} (+${fresh.filter((e) => e.group === "nodes").length})`);
      drawLegend();
      root.dataset.expanded = String(Number(root.dataset.expanded || 0) + 1);
    } catch (err) {
      showStatus(`Could not expand: ${err.message}`);
    }
  }

  function showPanel(node) {
    if (node.hasClass("paper")) {
      const link = document.createElement("a");
      link.href = urlFor(root.dataset.paperUrl, node.id().replace(/^paper:/, ""));
      link.textContent = node.data("label");
      const heading = document.createElement("h2");
      heading.append(link);
      panel.replaceChildren(heading);
      return;
    }
    htmx.ajax("GET", `${urlFor(root.dataset.panelUrl, node.id())}?panel=1`, { target: "#panel", swap: "innerHTML" });
  }

  cy.on("tap", "node", (evt) => showPanel(evt.target));
  cy.on("dbltap", "node", (evt) => expand(evt.target));

  document.getElementById("path-form").addEventListener("submit", async (evt) => {
    evt.preventDefault();
    const to = new FormData(evt.target).get("to");
    cy.elements().removeClass("on-path faded");
    try {
      const data = await fetchJson(`${root.dataset.pathApi}?${new URLSearchParams({ to, min_weight: form.min_weight.value || 1 })}`);
      const fresh = toElements(data).filter((el) => cy.getElementById(el.data.id).empty());
      cy.add(fresh);
      if (fresh.length) await runLayout(false);
      const onPath = cy.collection();
      data.nodes.forEach((n) => { onPath.merge(cy.getElementById(n.id)); });
      data.edges.forEach((e) => { onPath.merge(cy.getElementById(`cooccurs:${e.source}|${e.target}`)); });
      cy.elements().not(onPath).addClass("faded");
      onPath.addClass("on-path");
      showStatus(`Path: ${data.nodes.map((n) => n.label).join(" → ")}`);
    } catch (err) {
      showStatus(`No path: ${err.message}`);
    }
  });

  load();
})();
