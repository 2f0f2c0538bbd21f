/* AI Glossary: the term graph page. Plain JS, no library; loaded by the graph page alone.
 *
 * The page's content holds the <script> tag, so Material's instant navigation runs this file again
 * on each visit: it binds the graph box it finds (once per box) and keeps no other state.
 *
 * Layout: a force-directed layout (Fruchterman-Reingold) whose repulsion is computed on a grid (only
 * between terms in neighbouring cells), started from a deterministic spiral and run for a fixed
 * number of steps: the same data always gives the same picture, in linear time per step.
 * Rendering: one SVG whose units are CSS pixels; pan and zoom move the nodes, so circles and labels
 * keep their size. Labels are placed greedily (focused term, its neighbours, then the best-connected
 * terms), each at the first of four spots that overlaps no label already placed.
 * Hooks: see the docstring of aiglossary/mkdocs_plugin/plugin.py.
 */
(function () {
  "use strict";

  var NS = "http://www.w3.org/2000/svg";
  var LAYOUT_STEPS = 200;
  var FORWARD = [1, 0, -1, 1, 0, 1, 1, 1]; // the cells after a cell: right, and the three below
  var IDEAL = 42; // ideal link length, in layout units
  var PULL = 0.2;
  var CUT = 2; // repulsion reaches this many ideal lengths (the grid's cell side) // strength of the links against the repulsion
  var GRAVITY = 0.01;
  var RADIUS = 6;
  var FONT = "13px";
  var GROUPS = [
    // [heading, kind, the focused term is the link's source]
    ["Learn first", "before", false],
    ["Broader terms", "broader", true],
    ["Learn next", "before", true],
    ["Narrower terms", "broader", false],
    ["Often contrasted with", "contrast", null],
    ["See also", "see-also", null]
  ];
  var LEVELS = { beginner: "Beginner", intermediate: "Intermediate", advanced: "Advanced" };

  /* ---- layout ------------------------------------------------------------------------------- */

  function layout(n, src, dst, steps, opts) {
    // src, dst: link endpoints (indices). Returns {x, y} as Float64Arrays.
    steps = steps === undefined ? LAYOUT_STEPS : steps;
    opts = opts || {};
    var pull = opts.pull === undefined ? PULL : opts.pull, gravity = opts.gravity === undefined ? GRAVITY : opts.gravity;
    var x = new Float64Array(n), y = new Float64Array(n);
    var dx = new Float64Array(n), dy = new Float64Array(n);
    var k = IDEAL, k2 = k * k, cut = (opts.cut || CUT) * k, cut2 = cut * cut;
    var i, j, s;
    for (i = 0; i < n; i++) {
      var r = k * 0.8 * Math.sqrt(i + 0.5), a = i * 2.399963229728653;
      x[i] = r * Math.cos(a);
      y[i] = r * Math.sin(a);
    }
    var m = src.length;
    var order = new Int32Array(n), cellOf = new Int32Array(n);
    var start = new Int32Array(64), fill = new Int32Array(64);
    var temp0 = k * Math.sqrt(n) * 0.15;
    for (s = 0; s < steps; s++) {
      dx.fill(0);
      dy.fill(0);
      // Grid of cells of side `cut`, nodes sorted by cell (a counting sort): each pair of terms in
      // the same or neighbouring cells is visited once (a cell, then the four cells after it).
      var minx = Infinity, miny = Infinity, maxx = -Infinity, maxy = -Infinity;
      for (i = 0; i < n; i++) {
        if (x[i] < minx) minx = x[i];
        if (x[i] > maxx) maxx = x[i];
        if (y[i] < miny) miny = y[i];
        if (y[i] > maxy) maxy = y[i];
      }
      var cols = Math.max(1, ((maxx - minx) / cut) | 0) + 1;
      var rows = Math.max(1, ((maxy - miny) / cut) | 0) + 1;
      var cells = cols * rows;
      if (start.length < cells + 1) { start = new Int32Array(2 * cells + 1); fill = new Int32Array(2 * cells + 1); }
      start.fill(0, 0, cells + 1);
      for (i = 0; i < n; i++) {
        var c = (((x[i] - minx) / cut) | 0) + cols * (((y[i] - miny) / cut) | 0);
        cellOf[i] = c;
        start[c + 1]++;
      }
      for (c = 0; c < cells; c++) start[c + 1] += start[c];
      fill.set(start.subarray(0, cells));
      for (i = 0; i < n; i++) order[fill[cellOf[i]]++] = i;
      for (c = 0; c < cells; c++) {
        var c0 = start[c], c1 = start[c + 1];
        if (c0 === c1) continue;
        var cx = c % cols, cy = (c / cols) | 0;
        for (var a = c0; a < c1; a++) {
          i = order[a];
          var xi = x[i], yi = y[i], fx = 0, fy = 0;
          for (var nb = 0; nb < 5; nb++) {
            var b0, b1;
            if (nb === 0) { b0 = a + 1; b1 = c1; }
            else {
              var ox = cx + FORWARD[2 * nb - 2], oy = cy + FORWARD[2 * nb - 1];
              if (ox < 0 || ox >= cols || oy >= rows) continue;
              var oc = ox + oy * cols;
              b0 = start[oc]; b1 = start[oc + 1];
            }
            for (var bb = b0; bb < b1; bb++) {
              j = order[bb];
              var ex = xi - x[j], ey = yi - y[j];
              var d2 = ex * ex + ey * ey;
              if (d2 >= cut2) continue;
              if (d2 < 0.01) { ex = 0.1 * ((i % 7) - 3 || 1); ey = 0.1; d2 = ex * ex + ey * ey; }
              var f = k2 / d2;
              fx += ex * f; fy += ey * f;
              dx[j] -= ex * f; dy[j] -= ey * f;
            }
          }
          dx[i] += fx; dy[i] += fy;
        }
      }
      for (var e = 0; e < m; e++) {
        var p = src[e], q = dst[e];
        var lx = x[q] - x[p], ly = y[q] - y[p];
        var d = Math.sqrt(lx * lx + ly * ly) + 0.01;
        var g = (pull * d) / k;
        dx[p] += lx * g; dy[p] += ly * g;
        dx[q] -= lx * g; dy[q] -= ly * g;
      }
      var temp = temp0 * (1 - s / steps) + 0.5;
      for (i = 0; i < n; i++) {
        // A weak pull to the centre keeps unconnected groups close.
        dx[i] -= x[i] * gravity;
        dy[i] -= y[i] * gravity;
        var len = Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]);
        if (len > temp) { dx[i] *= temp / len; dy[i] *= temp / len; }
        x[i] += dx[i];
        y[i] += dy[i];
      }
    }
    return { x: x, y: y };
  }

  /* ---- helpers ------------------------------------------------------------------------------ */

  function svgEl(name, attrs) {
    var node = document.createElementNS(NS, name);
    for (var key in attrs) node.setAttribute(key, attrs[key]);
    return node;
  }

  function htmlEl(name, attrs, text) {
    var node = document.createElement(name);
    for (var key in attrs || {}) node.setAttribute(key, attrs[key]);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function open(url) {
    // Follow a real HTML link, so Material's instant navigation (when on) handles it like any other.
    var a = document.createElement("a");
    a.href = url;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  var measureCtx = null;
  function textWidth(text) {
    if (!measureCtx) {
      measureCtx = document.createElement("canvas").getContext("2d");
      measureCtx.font = FONT + " " + getComputedStyle(document.body).fontFamily;
    }
    return measureCtx ? measureCtx.measureText(text).width : text.length * 7.5;
  }

  /* ---- the graph ---------------------------------------------------------------------------- */

  function Graph(box, data) {
    var self = this;
    var root = new URL(box.getAttribute("data-root") || "./", window.location.href);
    this.box = box;
    this.data = data;
    this.kinds = data.kinds;
    var nodes = (this.nodes = data.nodes.map(function (t, i) {
      return {
        i: i, slug: t.slug, term: t.term, aliases: t.aliases || [], url: new URL(t.url, root).href,
        difficulty: t.difficulty, categories: t.categories, summary: t.summary, links: [], degree: 0,
        width: 0, visible: true, label: false
      };
    }));
    this.bySlug = {};
    nodes.forEach(function (d) { self.bySlug[d.slug] = d; });
    var n = nodes.length, m = data.links.length;
    var src = new Int32Array(m), dst = new Int32Array(m);
    this.links = data.links.map(function (l, e) {
      src[e] = l[0];
      dst[e] = l[1];
      var link = { s: nodes[l[0]], t: nodes[l[1]], kind: data.kinds[l[2]].id, e: e };
      link.s.links.push(link);
      link.t.links.push(link);
      return link;
    });
    nodes.forEach(function (d) { d.degree = d.links.length; });

    var mark = window.performance && performance.mark ? performance.mark.bind(performance) : function () {};
    mark("glossary-graph:layout-start");
    var pos = layout(n, src, dst);
    mark("glossary-graph:layout-end");
    nodes.forEach(function (d) { d.x = d.px = pos.x[d.i]; d.y = d.py = pos.y[d.i]; });
    // Labels in order of importance: best-connected first (ties: alphabetical, for a stable picture).
    this.byDegree = nodes.slice().sort(function (a, b) { return b.degree - a.degree || (a.slug < b.slug ? -1 : 1); });

    this.focus = null; // slug
    this.steps = 1;
    this.dist = null; // slug -> distance from the focused term
    this.hover = null;
    this.view = { k: 1, tx: 0, ty: 0 };
    textWidth(""); // reads the page's font before the graph is added (no style work on the graph)
    this.build();
    this.bindControls();
    this.readUrl();
    this.apply(false);
    this.pending = false;
    this.paint(); // the first picture now, not at the next frame: the page is complete when built
    mark("glossary-graph:rendered");
  }

  Graph.prototype.build = function () {
    var self = this;
    var box = this.box;
    this.width = Math.max(280, box.clientWidth || 800);
    this.height = Math.round(Math.min(680, Math.max(420, this.width * 0.8)));
    var svg = (this.svg = svgEl("svg", {
      class: "glossary-graph-svg", width: this.width, height: this.height,
      viewBox: "0 0 " + this.width + " " + this.height, role: "group",
      "aria-label": "Term graph: " + this.nodes.length + " terms"
    }));
    // Links are drawn as a few paths (per kind: every link, the focused term's links, the hovered
    // term's links, and their arrowheads), not one element each: at 1,000 terms, 1,700 <line>s cost
    // the browser more style work than everything else on the page.
    var edgeLayer = (this.edgeLayer = svgEl("g", { class: "glossary-graph-edges", "aria-hidden": "true" }));
    // tabindex -1: Chromium makes an SVG element with focus listeners a Tab stop of its own.
    var nodeLayer = (this.nodeLayer = svgEl("g", { class: "glossary-graph-nodes", tabindex: "-1" }));
    svg.appendChild(edgeLayer);
    svg.appendChild(nodeLayer);
    var paths = (this.paths = {});
    ["", "is-near", "is-lit"].forEach(function (layer) {
      self.kinds.forEach(function (kind) {
        var attrs = { class: "glossary-link glossary-link--" + kind.id + (layer ? " " + layer : ""), "data-kind": kind.id };
        if (kind.dash) attrs["stroke-dasharray"] = kind.dash;
        var line = svgEl("path", attrs);
        edgeLayer.appendChild(line);
        var heads = null;
        if (kind.directed) {
          heads = svgEl("path", { class: "glossary-link-heads glossary-link-heads--" + kind.id + (layer ? " " + layer : "") });
          edgeLayer.appendChild(heads);
        }
        paths[kind.id + "/" + layer] = { line: line, heads: heads, directed: kind.directed };
      });
    });
    this.nodes.forEach(function (d) {
      var a = svgEl("a", {
        href: d.url, class: "glossary-graph-node", "data-slug": d.slug, "data-difficulty": d.difficulty,
        tabindex: "-1", "aria-label": d.term + " (" + (LEVELS[d.difficulty] || d.difficulty) + ")"
      });
      a.appendChild(svgEl("circle", { r: RADIUS }));
      // The label (<text>) and the hover summary (<title>) are made when first needed: at 1,000
      // terms, most are never shown.
      d.el = a;
      d.labelEl = null;
      d.width = 0;
      nodeLayer.appendChild(a);
    });

    // Pointer: hover highlights, drag pans (a drag that starts on a term does not open it), wheel zooms.
    nodeLayer.addEventListener("mouseover", function (ev) {
      var d = self.nodeOf(ev.target);
      if (d && !d.titled) {
        var title = svgEl("title", {});
        title.textContent = d.term + ": " + d.summary;
        d.el.appendChild(title);
        d.titled = true;
      }
      self.setHover(d);
    });
    nodeLayer.addEventListener("mouseout", function () { self.setHover(null); });
    nodeLayer.addEventListener("focusin", function (ev) { self.setHover(self.nodeOf(ev.target)); });
    nodeLayer.addEventListener("focusout", function () { self.setHover(null); });
    nodeLayer.addEventListener("click", function (ev) {
      var d = self.nodeOf(ev.target);
      ev.preventDefault();
      if (d && !self.dragged) open(d.url);
    });
    nodeLayer.addEventListener("keydown", function (ev) { self.onKey(ev); });
    var drag = null;
    svg.addEventListener("pointerdown", function (ev) {
      drag = { x: ev.clientX, y: ev.clientY, tx: self.view.tx, ty: self.view.ty };
      self.dragged = false;
    });
    svg.addEventListener("pointermove", function (ev) {
      if (!drag) return;
      var mx = ev.clientX - drag.x, my = ev.clientY - drag.y;
      if (!self.dragged && mx * mx + my * my < 25) return;
      self.dragged = true;
      self.view.tx = drag.tx + mx * self.scaleX();
      self.view.ty = drag.ty + my * self.scaleX();
      self.schedule();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      svg.addEventListener(name, function () { drag = null; });
    });
    svg.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var rect = svg.getBoundingClientRect();
      var px = (ev.clientX - rect.left) * self.scaleX(), py = (ev.clientY - rect.top) * self.scaleX();
      self.zoom(ev.deltaY < 0 ? 1.2 : 1 / 1.2, px, py);
    }, { passive: false });

    box.textContent = "";
    box.appendChild(svg);
  };

  Graph.prototype.scaleX = function () {
    var w = this.svg.getBoundingClientRect().width;
    return w > 0 ? this.width / w : 1;
  };

  Graph.prototype.nodeOf = function (target) {
    var a = target && target.closest ? target.closest(".glossary-graph-node") : null;
    return a ? this.bySlug[a.getAttribute("data-slug")] : null;
  };

  /* ---- state: filters, focus ----------------------------------------------------------------- */

  Graph.prototype.matches = function (d) {
    var cat = this.category ? this.category.value : "";
    var diff = this.difficulty ? this.difficulty.value : "";
    return (!cat || d.categories.indexOf(cat) >= 0) && (!diff || d.difficulty === diff);
  };

  Graph.prototype.neighbourhood = function (slug, steps) {
    var dist = {};
    dist[slug] = 0;
    var frontier = [this.bySlug[slug]];
    for (var step = 1; step <= steps; step++) {
      var nxt = [];
      frontier.forEach(function (d) {
        d.links.forEach(function (l) {
          var o = l.s === d ? l.t : l.s;
          if (!(o.slug in dist)) { dist[o.slug] = step; nxt.push(o); }
        });
      });
      frontier = nxt;
    }
    return dist;
  };

  Graph.prototype.apply = function (keepView) {
    var self = this;
    this.dist = this.focus ? this.neighbourhood(this.focus, this.steps) : null;
    var shown = 0;
    this.nodes.forEach(function (d) {
      var near = self.dist ? d.slug in self.dist : true;
      d.visible = d.slug === self.focus || (near && self.matches(d));
      d.el.classList.toggle("is-hidden", !d.visible);
      d.el.classList.toggle("is-focus", d.slug === self.focus);
      d.el.setAttribute("data-distance", self.dist && d.slug in self.dist ? self.dist[d.slug] : "");
      if (d.visible) shown += 1;
    });
    var dist = this.dist;
    this.links.forEach(function (l) {
      // Focused, only the links that lead outwards (one ring to the next) are drawn: links within a
      // ring would cross the picture without telling how the term reaches its neighbours.
      var on = l.s.visible && l.t.visible && (!dist || Math.abs(dist[l.s.slug] - dist[l.t.slug]) === 1);
      l.shown = on;
    });
    this.shown = shown;
    this.arrange();
    this.box.classList.toggle("is-focused", !!this.focus);
    this.box.classList.toggle("is-sparse", shown <= 60); // few terms: their links can be drawn boldly
    this.rovingStart();
    if (!keepView) this.fit();
    this.schedule();
    this.updateStatus();
    this.updatePanel();
    this.writeUrl();
  };

  Graph.prototype.arrange = function () {
    // Unfocused: the force layout. Focused: the term in the middle, its neighbours on one ring per
    // step, each ring in the order of the neighbours' bearings in the force layout (so the picture
    // keeps its sides) and evenly spaced (so no two neighbours or their labels sit on each other).
    var self = this;
    this.nodes.forEach(function (d) { d.px = d.x; d.py = d.y; });
    if (!this.focus) return;
    var f = this.bySlug[this.focus];
    f.px = 0;
    f.py = 0;
    var radius = 0;
    for (var step = 1; step <= this.steps; step++) {
      var ring = this.nodes.filter(function (d) { return d.visible && self.dist[d.slug] === step; });
      if (!ring.length) continue;
      ring.forEach(function (d) { d.bearing = Math.atan2(d.y - f.y, d.x - f.x); });
      ring.sort(function (a, b) { return a.bearing - b.bearing || (a.slug < b.slug ? -1 : 1); });
      radius += Math.max(170, (ring.length * 26) / (2 * Math.PI) - radius * 0.3);
      var start = ring[0].bearing;
      ring.forEach(function (d, i) {
        var a = start + (2 * Math.PI * i) / ring.length;
        d.px = radius * Math.cos(a);
        d.py = radius * Math.sin(a);
      });
    }
  };

  Graph.prototype.setFocus = function (slug, moveFocus) {
    this.focus = slug && this.bySlug[slug] ? slug : null;
    if (this.input) this.input.value = this.focus ? this.bySlug[this.focus].term : "";
    this.apply(false);
    if (moveFocus && this.focus) this.bySlug[this.focus].el.focus();
  };

  Graph.prototype.fit = function () {
    var minx = Infinity, miny = Infinity, maxx = -Infinity, maxy = -Infinity;
    this.nodes.forEach(function (d) {
      if (!d.visible) return;
      minx = Math.min(minx, d.px); maxx = Math.max(maxx, d.px);
      miny = Math.min(miny, d.py); maxy = Math.max(maxy, d.py);
    });
    if (minx === Infinity) { minx = maxx = miny = maxy = 0; }
    var pad = 40, labelRoom = 120;
    var w = Math.max(maxx - minx, 1), h = Math.max(maxy - miny, 1);
    var k = Math.min((this.width - 2 * pad - labelRoom) / w, (this.height - 2 * pad) / h);
    k = Math.max(0.05, Math.min(k, 2.2));
    this.view.k = k;
    this.view.tx = (this.width - (minx + maxx) * k) / 2;
    this.view.ty = (this.height - (miny + maxy) * k) / 2;
  };

  Graph.prototype.zoom = function (factor, px, py) {
    var v = this.view;
    if (px === undefined) { px = this.width / 2; py = this.height / 2; }
    var k = Math.max(0.05, Math.min(v.k * factor, 8));
    v.tx = px - (px - v.tx) * (k / v.k);
    v.ty = py - (py - v.ty) * (k / v.k);
    v.k = k;
    this.schedule();
  };

  Graph.prototype.setHover = function (d) {
    var slug = d ? d.slug : null;
    if (slug === this.hover) return;
    this.hover = slug;
    this.svg.classList.toggle("is-hovering", slug !== null);
    this.drawLinks();
    this.placeLabels();
  };

  /* ---- drawing ------------------------------------------------------------------------------ */

  Graph.prototype.schedule = function () {
    var self = this;
    if (this.pending) return;
    this.pending = true;
    var run = function () { self.pending = false; self.paint(); };
    if (document.hidden || !window.requestAnimationFrame) run();
    else window.requestAnimationFrame(run);
  };

  Graph.prototype.paint = function () {
    var v = this.view;
    this.nodes.forEach(function (d) {
      d.sx = d.px * v.k + v.tx;
      d.sy = d.py * v.k + v.ty;
      if (d.visible) d.el.setAttribute("transform", "translate(" + d.sx.toFixed(1) + "," + d.sy.toFixed(1) + ")");
    });
    this.drawLinks();
    this.placeLabels();
  };

  Graph.prototype.drawLinks = function () {
    var gap = RADIUS + 2, hover = this.hover, focus = this.focus, paths = this.paths;
    var d = {}, h = {}, drawn = 0, sparse = this.shown <= 60;
    for (var key in paths) { d[key] = []; h[key] = []; }
    this.links.forEach(function (l) {
      if (!l.shown) return;
      drawn += 1;
      var layer = hover !== null && (l.s.slug === hover || l.t.slug === hover) ? "is-lit"
        : focus && (l.s.slug === focus || l.t.slug === focus) ? "is-near" : "";
      var key = l.kind + "/" + layer;
      var ex = l.t.sx - l.s.sx, ey = l.t.sy - l.s.sy;
      var len = Math.sqrt(ex * ex + ey * ey) || 1;
      var ux = ex / len, uy = ey / len;
      var x1 = l.s.sx + ux * gap, y1 = l.s.sy + uy * gap, x2 = l.t.sx - ux * gap, y2 = l.t.sy - uy * gap;
      d[key].push("M" + x1.toFixed(1) + " " + y1.toFixed(1) + "L" + x2.toFixed(1) + " " + y2.toFixed(1));
      // Arrowheads where they can be told apart: on the focused or hovered term's links, or when few
      // terms are shown; in the crowded whole graph they would only add clutter.
      if (paths[key].directed && len > 3 * gap && (layer || sparse)) {
        // An arrowhead at the target end: a triangle 9 px long, 7 px wide.
        var bx = x2 - ux * 9, by = y2 - uy * 9;
        h[key].push("M" + x2.toFixed(1) + " " + y2.toFixed(1) + "L" + (bx - uy * 3.5).toFixed(1) + " " +
          (by + ux * 3.5).toFixed(1) + "L" + (bx + uy * 3.5).toFixed(1) + " " + (by - ux * 3.5).toFixed(1) + "Z");
      }
    });
    for (key in paths) {
      paths[key].line.setAttribute("d", d[key].join(""));
      if (paths[key].heads) paths[key].heads.setAttribute("d", h[key].join(""));
    }
    this.edgeLayer.setAttribute("data-drawn", drawn);
  };

  Graph.prototype.placeLabels = function () {
    var self = this;
    var placed = [];
    var W = this.width, H = this.height;
    var order = [];
    var seen = {};
    function add(d) { if (d && d.visible && !seen[d.slug]) { seen[d.slug] = 1; order.push(d); } }
    add(this.hover && this.bySlug[this.hover]);
    add(this.focus && this.bySlug[this.focus]);
    if (this.dist) {
      var near = this.byDegree.filter(function (d) { return d.slug in self.dist; });
      near.sort(function (a, b) { return self.dist[a.slug] - self.dist[b.slug]; });
      near.forEach(add);
    }
    this.byDegree.forEach(add);
    // Circles are obstacles too: a label never covers another term's dot.
    var dots = [];
    this.nodes.forEach(function (d) {
      if (d.visible && d.sx > -20 && d.sx < W + 20 && d.sy > -20 && d.sy < H + 20) dots.push(d);
    });
    var cell = 60, grid = {};
    function key(cx, cy) { return cx + "," + cy; }
    dots.forEach(function (d) {
      var k = key(Math.floor(d.sx / cell), Math.floor(d.sy / cell));
      (grid[k] = grid[k] || []).push(d);
    });
    function hitsDot(x0, y0, x1, y1, own) {
      for (var cx = Math.floor(x0 / cell) - 1; cx <= Math.floor(x1 / cell) + 1; cx++) {
        for (var cy = Math.floor(y0 / cell) - 1; cy <= Math.floor(y1 / cell) + 1; cy++) {
          var list = grid[key(cx, cy)];
          if (!list) continue;
          for (var i = 0; i < list.length; i++) {
            var d = list[i];
            if (d === own) continue;
            if (d.sx + RADIUS > x0 && d.sx - RADIUS < x1 && d.sy + RADIUS > y0 && d.sy - RADIUS < y1) return true;
          }
        }
      }
      return false;
    }
    function hitsLabel(x0, y0, x1, y1) {
      for (var i = 0; i < placed.length; i++) {
        var b = placed[i];
        if (x0 < b[2] && x1 > b[0] && y0 < b[3] && y1 > b[1]) return true;
      }
      return false;
    }
    var h = 16, pad = 3;
    var spots = [
      function (d) { return [d.sx + RADIUS + 4, d.sy - h / 2, "start", RADIUS + 4, 4.5]; },
      function (d) { return [d.sx - RADIUS - 4 - d.width, d.sy - h / 2, "end", -RADIUS - 4, 4.5]; },
      function (d) { return [d.sx - d.width / 2, d.sy - RADIUS - 3 - h, "middle", 0, -RADIUS - 7]; },
      function (d) { return [d.sx - d.width / 2, d.sy + RADIUS + 3, "middle", 0, RADIUS + 15]; }
    ];
    var budget = 400; // at most this many labels: beyond, the view is too crowded to read anyway
    order.forEach(function (d) {
      var chosen = null;
      var must = d.slug === self.hover || d.slug === self.focus;
      if (placed.length < budget && d.sx > -40 && d.sx < W + 40 && d.sy > -20 && d.sy < H + 20) {
        if (!d.width) d.width = textWidth(d.term);
        for (var s = 0; s < spots.length && !chosen; s++) {
          var spot = spots[s](d);
          var x0 = spot[0] - pad, y0 = spot[1], x1 = spot[0] + d.width + pad, y1 = spot[1] + h;
          var inside = x0 >= 0 && x1 <= W && y0 >= 0 && y1 <= H;
          if ((inside || must) && !hitsLabel(x0, y0, x1, y1) && !hitsDot(x0, y0, x1, y1, d)) chosen = spot;
          if (!chosen && must && s === spots.length - 1) chosen = spots[0](d);
          if (chosen) placed.push([x0, y0, x1, y1]);
        }
      }
      d.label = !!chosen;
      d.el.classList.toggle("has-label", d.label);
      if (chosen) {
        if (!d.labelEl) {
          d.labelEl = svgEl("text", { class: "glossary-graph-label" });
          d.labelEl.textContent = d.term;
          d.el.insertBefore(d.labelEl, d.el.childNodes[1] || null);
        }
        d.labelEl.setAttribute("x", chosen[3]);
        d.labelEl.setAttribute("y", chosen[4]);
        d.labelEl.setAttribute("text-anchor", chosen[2]);
      }
    });
    this.nodes.forEach(function (d) {
      if (!seen[d.slug]) { d.label = false; d.el.classList.remove("has-label"); }
    });
  };

  /* ---- keyboard in the graph: one tab stop, arrow keys move spatially -------------------------- */

  Graph.prototype.rovingStart = function () {
    var current = this.focus ? this.bySlug[this.focus] : null;
    if (!current || !current.visible) {
      current = null;
      for (var i = 0; i < this.byDegree.length && !current; i++) if (this.byDegree[i].visible) current = this.byDegree[i];
    }
    this.setRoving(current, false);
  };

  Graph.prototype.setRoving = function (d, move) {
    if (this.roving && this.roving !== d) this.roving.el.setAttribute("tabindex", "-1");
    this.roving = d;
    if (d) {
      d.el.setAttribute("tabindex", "0");
      if (move) d.el.focus();
    }
  };

  Graph.prototype.onKey = function (ev) {
    var d = this.nodeOf(ev.target);
    if (!d) return;
    var dirs = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };
    if (dirs[ev.key]) {
      ev.preventDefault();
      var dir = dirs[ev.key], best = null, bestScore = Infinity;
      this.nodes.forEach(function (o) {
        if (!o.visible || o === d) return;
        var ex = o.px - d.px, ey = o.py - d.py;
        var along = ex * dir[0] + ey * dir[1];
        if (along <= 0) return;
        var across = Math.abs(ex * dir[1] - ey * dir[0]);
        var score = along + 2 * across;
        if (score < bestScore) { bestScore = score; best = o; }
      });
      if (best) {
        this.setRoving(best, true);
        this.ensureVisible(best);
      }
    } else if (ev.key === "Enter") {
      ev.preventDefault();
      open(d.url);
    } else if (ev.key === " " || ev.key === "Spacebar") {
      ev.preventDefault();
      this.setFocus(d.slug, true);
    }
  };

  Graph.prototype.ensureVisible = function (d) {
    var v = this.view, margin = 30;
    var sx = d.px * v.k + v.tx, sy = d.py * v.k + v.ty;
    if (sx < margin) v.tx += margin - sx;
    if (sx > this.width - margin) v.tx -= sx - (this.width - margin);
    if (sy < margin) v.ty += margin - sy;
    if (sy > this.height - margin) v.ty -= sy - (this.height - margin);
    this.paint();
  };

  /* ---- controls, status, the neighbour list ------------------------------------------------ */

  Graph.prototype.bindControls = function () {
    var self = this;
    var controls = document.getElementById("glossary-graph-controls");
    if (controls) controls.hidden = false;
    this.category = document.getElementById("glossary-graph-category");
    this.difficulty = document.getElementById("glossary-graph-difficulty");
    this.status = document.getElementById("glossary-graph-status");
    this.panel = document.getElementById("glossary-graph-panel");
    this.input = document.getElementById("glossary-graph-term");
    this.list = document.getElementById("glossary-graph-suggestions");
    this.stepInputs = Array.prototype.slice.call(document.querySelectorAll('input[name="glossary-graph-steps"]'));
    [this.category, this.difficulty].forEach(function (el) {
      if (el) el.addEventListener("change", function () { self.apply(false); });
    });
    this.stepInputs.forEach(function (el) {
      el.addEventListener("change", function () {
        self.steps = Number(el.value) || 1;
        self.apply(false);
      });
    });
    var reset = document.getElementById("glossary-graph-reset");
    if (reset) reset.addEventListener("click", function () {
      if (self.category) self.category.value = "";
      if (self.difficulty) self.difficulty.value = "";
      self.closeList();
      self.setFocus(null);
    });
    var zin = document.getElementById("glossary-graph-zoom-in");
    var zout = document.getElementById("glossary-graph-zoom-out");
    if (zin) zin.addEventListener("click", function () { self.zoom(1.4); });
    if (zout) zout.addEventListener("click", function () { self.zoom(1 / 1.4); });
    if (this.panel) this.panel.addEventListener("click", function (ev) {
      var button = ev.target.closest ? ev.target.closest("button[data-slug]") : null;
      if (button) self.setFocus(button.getAttribute("data-slug"), true);
    });
    this.bindCombobox();
  };

  Graph.prototype.bindCombobox = function () {
    var self = this, input = this.input, list = this.list;
    if (!input || !list) return;
    this.options = [];
    this.active = -1;
    input.addEventListener("input", function () { self.suggest(); });
    input.addEventListener("keydown", function (ev) {
      var open_ = !list.hidden && self.options.length > 0;
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        if (!open_) self.suggest();
        if (!self.options.length) return;
        var step = ev.key === "ArrowDown" ? 1 : -1;
        self.setActive((self.active + step + self.options.length) % self.options.length);
      } else if (ev.key === "Enter") {
        ev.preventDefault();
        var pick = open_ && self.active >= 0 ? self.options[self.active] : self.exact(input.value);
        if (!pick && open_) pick = self.options[0];
        if (pick) { self.closeList(); self.setFocus(pick.slug); }
        else if (!input.value.trim()) { self.closeList(); self.setFocus(null); }
      } else if (ev.key === "Escape") {
        if (open_) { ev.preventDefault(); self.closeList(); }
        else if (input.value) { ev.preventDefault(); input.value = ""; }
      }
    });
    input.addEventListener("blur", function () { setTimeout(function () { self.closeList(); }, 150); });
    list.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
    list.addEventListener("click", function (ev) {
      var li = ev.target.closest ? ev.target.closest("[role=option]") : null;
      if (!li) return;
      self.closeList();
      self.setFocus(li.getAttribute("data-slug"));
    });
  };

  Graph.prototype.exact = function (text) {
    var t = text.trim().toLowerCase();
    if (!t) return null;
    for (var i = 0; i < this.nodes.length; i++) {
      var d = this.nodes[i];
      if (d.term.toLowerCase() === t || d.aliases.some(function (a) { return a.toLowerCase() === t; })) return d;
    }
    return null;
  };

  Graph.prototype.suggest = function () {
    var self = this, t = this.input.value.trim().toLowerCase();
    var found = [];
    if (t) {
      this.nodes.forEach(function (d) {
        var name = d.term.toLowerCase();
        var hit = name.indexOf(t);
        var alias = d.aliases.filter(function (a) { return a.toLowerCase().indexOf(t) >= 0; })[0];
        if (hit < 0 && !alias) return;
        var rank = hit === 0 ? 0 : hit > 0 ? 2 : 1;
        found.push({ d: d, rank: rank, alias: hit < 0 ? alias : null });
      });
      found.sort(function (a, b) { return a.rank - b.rank || a.d.term.localeCompare(b.d.term); });
    }
    found = found.slice(0, 8);
    this.options = found.map(function (f) { return f.d; });
    this.list.textContent = "";
    found.forEach(function (f, i) {
      var li = htmlEl("li", { role: "option", id: "glossary-graph-option-" + i, "data-slug": f.d.slug,
        "aria-selected": "false" }, f.d.term + (f.alias ? " (" + f.alias + ")" : ""));
      self.list.appendChild(li);
    });
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    var show = found.length > 0;
    this.list.hidden = !show;
    this.input.setAttribute("aria-expanded", show ? "true" : "false");
  };

  Graph.prototype.setActive = function (i) {
    var items = this.list.querySelectorAll("[role=option]");
    if (this.active >= 0 && items[this.active]) items[this.active].setAttribute("aria-selected", "false");
    this.active = i;
    items[i].setAttribute("aria-selected", "true");
    this.input.setAttribute("aria-activedescendant", items[i].id);
    items[i].scrollIntoView({ block: "nearest" });
  };

  Graph.prototype.closeList = function () {
    if (!this.list) return;
    this.list.hidden = true;
    this.active = -1;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  Graph.prototype.updateStatus = function () {
    if (!this.status) return;
    var total = this.nodes.length;
    var text = this.shown + " of " + total + " terms";
    if (this.focus) {
      text += ": " + this.bySlug[this.focus].term + " and its neighbours " +
        (this.steps === 1 ? "one step" : "up to two steps") + " away";
    }
    if ((this.category && this.category.value) || (this.difficulty && this.difficulty.value)) text += " (filtered)";
    this.status.textContent = text + ".";
  };

  Graph.prototype.updatePanel = function () {
    var panel = this.panel, self = this;
    if (!panel) return;
    panel.textContent = "";
    if (!this.focus) {
      panel.appendChild(htmlEl("p", { class: "glossary-graph-panel-hint" },
        "Focus on a term (type its name above, or press Space on it in the graph) to list it here with its neighbours."));
      return;
    }
    var d = this.bySlug[this.focus];
    var title = htmlEl("p", { class: "glossary-graph-panel-title" });
    var strong = htmlEl("strong");
    strong.appendChild(htmlEl("a", { href: d.url }, d.term));
    title.appendChild(strong);
    title.appendChild(document.createTextNode(" · " + (LEVELS[d.difficulty] || d.difficulty)));
    panel.appendChild(title);
    var groups = GROUPS.map(function () { return []; });
    d.links.forEach(function (l) {
      var out = l.s === d, o = out ? l.t : l.s;
      for (var g = 0; g < GROUPS.length; g++) {
        if (GROUPS[g][1] === l.kind && (GROUPS[g][2] === null || GROUPS[g][2] === out)) { groups[g].push(o); break; }
      }
    });
    var any = false;
    groups.forEach(function (list, g) {
      var shown = list.filter(function (o) { return o.visible; });
      if (!shown.length) return;
      any = true;
      shown.sort(function (a, b) { return a.term.localeCompare(b.term); });
      panel.appendChild(htmlEl("p", { class: "glossary-graph-panel-kind", "data-kind": GROUPS[g][1] }, GROUPS[g][0]));
      var ul = htmlEl("ul", { class: "glossary-graph-panel-list" });
      shown.forEach(function (o) {
        var li = htmlEl("li", { "data-slug": o.slug, "data-distance": "1" });
        li.appendChild(htmlEl("a", { href: o.url }, o.term));
        li.appendChild(document.createTextNode(" "));
        li.appendChild(htmlEl("button", { type: "button", class: "glossary-graph-refocus", "data-slug": o.slug,
          "aria-label": "Focus the graph on " + o.term }, "Focus"));
        ul.appendChild(li);
      });
      panel.appendChild(ul);
    });
    if (!any) panel.appendChild(htmlEl("p", {}, "No related term matches the filters."));
    if (this.steps > 1) {
      var far = this.nodes.filter(function (o) { return o.visible && self.dist[o.slug] === 2; });
      if (far.length) {
        far.sort(function (a, b) { return a.term.localeCompare(b.term); });
        panel.appendChild(htmlEl("p", { class: "glossary-graph-panel-kind" }, "Two steps away (" + far.length + ")"));
        var ul = htmlEl("ul", { class: "glossary-graph-panel-far" });
        far.forEach(function (o) {
          var li = htmlEl("li", { "data-slug": o.slug, "data-distance": "2" });
          li.appendChild(htmlEl("a", { href: o.url }, o.term));
          ul.appendChild(li);
        });
        panel.appendChild(ul);
      }
    }
  };

  /* ---- the address: ?focus=slug&steps=2&category=id&difficulty=level ----------------------- */

  Graph.prototype.readUrl = function () {
    var p = new URLSearchParams(window.location.search);
    if (this.category && p.get("category")) this.category.value = p.get("category");
    if (this.difficulty && p.get("difficulty")) this.difficulty.value = p.get("difficulty");
    if (p.get("steps") === "2") {
      this.steps = 2;
      this.stepInputs.forEach(function (el) { el.checked = el.value === "2"; });
    }
    var focus = p.get("focus");
    if (focus && this.bySlug[focus]) {
      this.focus = focus;
      if (this.input) this.input.value = this.bySlug[focus].term;
    }
  };

  Graph.prototype.writeUrl = function () {
    if (!window.history || !history.replaceState) return;
    var p = new URLSearchParams();
    if (this.focus) p.set("focus", this.focus);
    if (this.focus && this.steps > 1) p.set("steps", String(this.steps));
    if (this.category && this.category.value) p.set("category", this.category.value);
    if (this.difficulty && this.difficulty.value) p.set("difficulty", this.difficulty.value);
    var query = p.toString();
    var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    if (url !== window.location.pathname + window.location.search + window.location.hash) {
      history.replaceState(history.state, "", url);
    }
  };

  /* ---- start -------------------------------------------------------------------------------- */

  function init(box) {
    if (box.dataset.glossaryBound) return;
    box.dataset.glossaryBound = "1";
    if (window.performance && performance.mark) performance.mark("glossary-graph:fetch-start");
    fetch(box.getAttribute("data-src"))
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (data) {
        if (window.performance && performance.mark) performance.mark("glossary-graph:data");
        box.glossaryGraph = new Graph(box, data);
        box.setAttribute("data-ready", "1");
      })
      .catch(function (err) {
        box.textContent = "The term graph could not be loaded (" + err.message + ").";
      });
  }

  window.GlossaryGraph = { layout: layout, Graph: Graph, init: init };
  var box = document.getElementById("glossary-graph");
  if (box) init(box);
})();
