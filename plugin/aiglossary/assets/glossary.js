/* AI Glossary: index filters and the term graph. Plain JS, no library.
 * Works with Material's instant navigation: everything is (re)bound on each `document$` emission.
 * Hooks: #glossary-filter-category, #glossary-filter-difficulty, #glossary-filter-text,
 * .glossary-index-item[data-category][data-difficulty], #glossary-graph, .glossary-graph-node[data-slug].
 */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var RELATION_COLOURS = {
    prerequisite: "#d9480f",
    "next-step": "#2f9e44",
    broader: "#1971c2",
    narrower: "#7048e8",
    contrast: "#c2255c",
    "see-also": "#868e96"
  };

  /* ---- index filters ---------------------------------------------------------------------- */

  function initIndex(root) {
    if (root.dataset.glossaryBound) return;
    root.dataset.glossaryBound = "1";
    var category = document.getElementById("glossary-filter-category");
    var difficulty = document.getElementById("glossary-filter-difficulty");
    var text = document.getElementById("glossary-filter-text");
    var count = document.getElementById("glossary-filter-count");
    var items = Array.prototype.slice.call(document.querySelectorAll(".glossary-index-item"));
    var groups = Array.prototype.slice.call(document.querySelectorAll(".glossary-index-group"));
    var params = new URLSearchParams(window.location.search);
    if (category && params.get("category")) category.value = params.get("category");
    if (difficulty && params.get("difficulty")) difficulty.value = params.get("difficulty");

    function apply() {
      var cat = category ? category.value : "";
      var diff = difficulty ? difficulty.value : "";
      var needle = text ? text.value.trim().toLowerCase() : "";
      var shown = 0;
      items.forEach(function (item) {
        var cats = (item.getAttribute("data-category") || "").split(/\s+/);
        var ok =
          (!cat || cats.indexOf(cat) >= 0) &&
          (!diff || item.getAttribute("data-difficulty") === diff) &&
          (!needle || item.textContent.toLowerCase().indexOf(needle) >= 0);
        item.hidden = !ok;
        if (ok) shown += 1;
      });
      groups.forEach(function (group) {
        var visible = group.querySelector(".glossary-index-item:not([hidden])") !== null;
        group.hidden = !visible;
        var heading = group.previousElementSibling;
        if (heading && /^H[2-3]$/.test(heading.tagName)) heading.hidden = !visible;
      });
      if (count) count.textContent = shown + (shown === 1 ? " term" : " terms");
    }

    [category, difficulty].forEach(function (el) {
      if (el) el.addEventListener("change", apply);
    });
    if (text) text.addEventListener("input", apply);
    apply();
  }

  /* ---- term graph ------------------------------------------------------------------------- */

  function el(name, attrs) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) {
      node.setAttribute(k, attrs[k]);
    });
    return node;
  }

  function layout(nodes, links, width, height) {
    // A small force-directed layout: repulsion between all nodes, springs along edges.
    var n = nodes.length;
    nodes.forEach(function (d, i) {
      var a = (2 * Math.PI * i) / Math.max(n, 1);
      d.x = width / 2 + (width / 3) * Math.cos(a);
      d.y = height / 2 + (height / 3) * Math.sin(a);
      d.vx = 0;
      d.vy = 0;
    });
    if (n > 600) return; // very large graphs keep the circle
    var k = Math.sqrt((width * height) / Math.max(n, 1)) * 0.6;
    for (var step = 0; step < 300; step++) {
      var t = 1 - step / 300;
      for (var i = 0; i < n; i++) {
        for (var j = i + 1; j < n; j++) {
          var a = nodes[i], b = nodes[j];
          var dx = a.x - b.x, dy = a.y - b.y;
          var d2 = dx * dx + dy * dy + 0.01;
          var f = (k * k) / d2;
          a.vx += dx * f * 0.05; a.vy += dy * f * 0.05;
          b.vx -= dx * f * 0.05; b.vy -= dy * f * 0.05;
        }
      }
      links.forEach(function (l) {
        var dx = l.t.x - l.s.x, dy = l.t.y - l.s.y;
        var d = Math.sqrt(dx * dx + dy * dy) + 0.01;
        var f = (d - k) / d * 0.05;
        l.s.vx += dx * f; l.s.vy += dy * f;
        l.t.vx -= dx * f; l.t.vy -= dy * f;
      });
      nodes.forEach(function (d) {
        d.vx += (width / 2 - d.x) * 0.002;
        d.vy += (height / 2 - d.y) * 0.002;
        var v = Math.sqrt(d.vx * d.vx + d.vy * d.vy);
        var max = 20 * t + 1;
        if (v > max) { d.vx *= max / v; d.vy *= max / v; }
        d.x += d.vx; d.y += d.vy;
        d.vx *= 0.5; d.vy *= 0.5;
      });
    }
  }

  function open(url) {
    // Follow a real link, so Material's instant navigation (when on) updates the address bar and
    // history exactly as for any other link; without it the browser simply navigates.
    var a = document.createElement("a");
    a.href = new URL(url, window.location.href).href;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  function drawGraph(box, data) {
    var root = box.getAttribute("data-root") || "./";
    var width = 900, height = 640;
    var nodes = data.terms.map(function (t) {
      return { slug: t.slug, term: t.term, url: root + t.url, summary: t.summary_text || "", difficulty: t.difficulty };
    });
    var bySlug = {};
    nodes.forEach(function (d) { bySlug[d.slug] = d; });
    var links = data.edges
      .filter(function (e) { return bySlug[e.source] && bySlug[e.target]; })
      .map(function (e) { return { s: bySlug[e.source], t: bySlug[e.target], relation: e.relation, note: e.note }; });
    layout(nodes, links, width, height);

    var svg = el("svg", { viewBox: "0 0 " + width + " " + height, role: "group", "aria-label": "Graph of glossary terms" });
    svg.classList.add("glossary-graph-svg");
    var defs = el("defs");
    Object.keys(RELATION_COLOURS).forEach(function (rel) {
      var marker = el("marker", { id: "glossary-arrow-" + rel, viewBox: "0 0 10 10", refX: "18", refY: "5",
        markerWidth: "6", markerHeight: "6", orient: "auto-start-reverse" });
      marker.appendChild(el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: RELATION_COLOURS[rel] }));
      defs.appendChild(marker);
    });
    svg.appendChild(defs);
    var view = el("g", { class: "glossary-graph-view" });
    svg.appendChild(view);

    links.forEach(function (l) {
      var line = el("line", { x1: l.s.x, y1: l.s.y, x2: l.t.x, y2: l.t.y, "data-relation": l.relation,
        stroke: RELATION_COLOURS[l.relation] || "#999", "marker-end": "url(#glossary-arrow-" + l.relation + ")" });
      line.classList.add("glossary-graph-edge");
      var title = el("title");
      title.textContent = l.s.term + " → " + l.t.term + " (" + l.relation + "): " + l.note;
      line.appendChild(title);
      view.appendChild(line);
    });

    nodes.forEach(function (d) {
      var g = el("g", { transform: "translate(" + d.x + "," + d.y + ")", tabindex: "0", role: "link",
        "data-slug": d.slug, "data-difficulty": d.difficulty, "aria-label": d.term });
      g.classList.add("glossary-graph-node");
      g.appendChild(el("circle", { r: "7" }));
      var label = el("text", { x: "10", y: "4" });
      label.textContent = d.term;
      g.appendChild(label);
      var title = el("title");
      title.textContent = d.term + ": " + d.summary;
      g.appendChild(title);
      g.addEventListener("click", function () { open(d.url); });
      g.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); open(d.url); }
      });
      g.addEventListener("focus", function () { reveal(d); highlight(d.slug); });
      g.addEventListener("blur", function () { highlight(null); });
      g.addEventListener("mouseenter", function () { highlight(d.slug); });
      g.addEventListener("mouseleave", function () { highlight(null); });
      view.appendChild(g);
    });

    function highlight(slug) {
      view.querySelectorAll(".glossary-graph-edge").forEach(function (line, i) {
        var l = links[i];
        line.classList.toggle("is-dim", slug !== null && l.s.slug !== slug && l.t.slug !== slug);
      });
    }

    // Pan and zoom with the pointer and the wheel.
    var scale = 1, tx = 0, ty = 0, drag = null;
    function apply() { view.setAttribute("transform", "translate(" + tx + "," + ty + ") scale(" + scale + ")"); }
    // A node reached with Tab may lie outside the visible part of the graph: pan to bring it in.
    function reveal(d) {
      var m = 40;
      var x = d.x * scale + tx, y = d.y * scale + ty;
      if (x >= m && x <= width - 4 * m && y >= m && y <= height - m) return;
      tx = width / 2 - d.x * scale;
      ty = height / 2 - d.y * scale;
      apply();
    }
    svg.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var factor = ev.deltaY < 0 ? 1.1 : 1 / 1.1;
      scale = Math.min(6, Math.max(0.3, scale * factor));
      apply();
    }, { passive: false });
    svg.addEventListener("pointerdown", function (ev) {
      if (ev.target.closest && ev.target.closest(".glossary-graph-node")) return;
      drag = { x: ev.clientX, y: ev.clientY, tx: tx, ty: ty };
    });
    svg.addEventListener("pointermove", function (ev) {
      if (!drag) return;
      var rect = svg.getBoundingClientRect();
      var k = width / Math.max(rect.width, 1);
      tx = drag.tx + (ev.clientX - drag.x) * k;
      ty = drag.ty + (ev.clientY - drag.y) * k;
      apply();
    });
    ["pointerup", "pointerleave"].forEach(function (name) {
      svg.addEventListener(name, function () { drag = null; });
    });

    box.textContent = "";
    box.appendChild(svg);
  }

  function initGraph(box) {
    if (box.dataset.glossaryBound) return;
    box.dataset.glossaryBound = "1";
    fetch(box.getAttribute("data-src"))
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (data) { drawGraph(box, data); })
      .catch(function (err) {
        box.textContent = "The term graph could not be loaded (" + err.message + ").";
      });
  }

  function init() {
    document.querySelectorAll("[data-glossary-index]").forEach(initIndex);
    var graph = document.getElementById("glossary-graph");
    if (graph) initGraph(graph);
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
