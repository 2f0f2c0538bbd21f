/* AI Glossary: "Ask the glossary", a reverse dictionary on the A-Z index page.
 *
 * The reader describes an idea in their own words; the box ranks every term by BM25F over its fields
 * fused with a small sentence encoder (built by `engine build-ask` into demos/ask/), and shows the top
 * five with their summaries and the words and field that matched. Nothing is fetched until the first
 * question: then the index, the term vectors, onnxruntime-web and the encoder load once, and stay
 * loaded across Material's instant navigation.
 *
 * The text rules, BM25F and the fusion repeat `aiglossary_engine/ask/{text,rank}.py` operation for
 * operation (tests/ask/vectors.json holds cases both must pass), so the browser and `engine ask` give
 * the same order. In Node, `require()` of this file returns those pure functions.
 *
 * Hooks: `.glossary-ask[data-state]` = idle | loading | ready | error; results `ol.glossary-ask-results >
 * li[data-slug]`; on the box, `data-first-ms`: from the start of the load (the first keystroke in the
 * box, or the question) to the first answer, of which `data-load-ms` loading; `data-last-ms`: the latest
 * answer's time from its question.
 */
(function (root, factory) {
  var core = factory();
  if (typeof module === "object" && module.exports) module.exports = core;
  else if (typeof window !== "undefined") wire(core);

  function wire(core) {
    var SCRIPT_URL = (document.currentScript && document.currentScript.src) || document.baseURI;
    var ROOT = new URL("../../", SCRIPT_URL).href; // the script lives at <root>/assets/glossary/
    var ORT_URL = new URL("ort/ort.wasm.min.mjs", SCRIPT_URL).href;
    var ASK = ROOT + "demos/ask/";
    var engine = null; // Promise<{index, bm25, vectors, session, ort}>: loaded once per visit
    var loadStarted = null; // performance.now() when the load began
    var loadMs = null; // how long it took (fetches, WebAssembly compilation, session)

    function fetchOk(url, kind) {
      return fetch(url).then(function (r) {
        if (!r.ok) throw new Error("the " + kind + " could not be fetched (HTTP " + r.status + ")");
        return r;
      });
    }

    function load() {
      if (engine) return engine;
      if (typeof WebAssembly !== "object") return Promise.reject(new Error("this browser does not provide WebAssembly"));
      loadStarted = performance.now();
      engine = fetchOk(ASK + "manifest.json", "manifest")
        .then(function (r) { return r.json(); })
        .then(function (manifest) {
          var model = manifest.models.encoder.file;
          return Promise.all([
            fetchOk(ASK + manifest.index.file, "index").then(function (r) { return r.json(); }),
            fetchOk(ASK + manifest.index.vectors, "term vectors").then(function (r) { return r.arrayBuffer(); }),
            fetchOk(ASK + model, "model").then(function (r) { return r.arrayBuffer(); }),
            import(ORT_URL)
          ]);
        })
        .then(function (all) {
          var index = all[0];
          var ort = all[3].default && all[3].default.InferenceSession ? all[3].default : all[3];
          ort.env.wasm.wasmPaths = new URL("./", ORT_URL).href;
          ort.env.wasm.numThreads = 1;
          ort.env.wasm.proxy = false;
          ort.env.logLevel = "error";
          var vectors = core.dequantize(new Int8Array(all[1]), index.vectors.scales, index.dim);
          return ort.InferenceSession.create(new Uint8Array(all[2]), {
            executionProviders: ["wasm"],
            graphOptimizationLevel: "all"
          }).then(function (session) {
            loadMs = performance.now() - loadStarted;
            return { index: index, bm25: new core.Bm25(index.bm25), vectors: vectors, session: session, ort: ort };
          });
        });
      engine.catch(function () { engine = null; });
      return engine;
    }

    function encode(e, text) {
      var ids = core.featureIds(text, e.index.buckets);
      if (!ids.length) ids = [0];
      var data = new BigInt64Array(ids.length);
      for (var i = 0; i < ids.length; i++) data[i] = BigInt(ids[i]);
      var feeds = { ids: new e.ort.Tensor("int64", data, [1, ids.length]) };
      return e.session.run(feeds).then(function (out) {
        return Array.from(out.vector.data);
      });
    }

    function el(tag, attrs, text) {
      var node = document.createElement(tag);
      Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
      if (text != null) node.textContent = text;
      return node;
    }

    var FIELD_NAMES = {
      term: "the term's name", summary: "the summary", definition: "the definition", phrases: "example phrases",
      misconceptions: "the misconceptions", examples: "the examples", explanation: "the explanation",
      analogy: "the analogy", why_it_matters: "why it matters", where_used: "where it is used",
      comparison: "the comparison"
    };

    function bind(box) {
      if (box.getAttribute("data-bound")) return;
      box.setAttribute("data-bound", "1");
      box.setAttribute("data-state", "idle");
      var form = box.querySelector("form");
      var input = box.querySelector(".glossary-ask-input");
      var status = box.querySelector(".glossary-ask-status");
      var list = box.querySelector(".glossary-ask-results");
      var asked = 0;
      var answered = false;

      // Typing a description is using Ask: the model starts loading with the first keystroke, so the
      // first answer's clock (data-first-ms) runs from then, load included.
      input.addEventListener("input", function () {
        if (!engine && input.value.trim()) load().catch(function () {});
      });

      function termUrl(slug) {
        var link = document.querySelector('.glossary-index-item[data-slug="' + slug + '"] a');
        return link ? link.getAttribute("href") : slug + "/";
      }

      function render(text, results) {
        list.textContent = "";
        results.forEach(function (r) {
          var li = el("li", { class: "glossary-ask-result", "data-slug": r.slug });
          var a = el("a", { class: "glossary-ask-term", href: termUrl(r.slug) }, r.term);
          li.appendChild(a);
          li.appendChild(el("span", { class: "glossary-ask-summary" }, " " + r.summary));
          var why = r.field && r.matched.length
            ? "Matched " + r.matched.join(", ") + " in " + (FIELD_NAMES[r.field] || r.field) + "."
            : "Matched by meaning: no word in common.";
          li.appendChild(el("span", { class: "glossary-ask-why" }, why));
          list.appendChild(li);
        });
        status.textContent = results.length
          ? results.length + " terms for \u201c" + text + "\u201d. First: " + results[0].term + "."
          : "No terms found.";
      }

      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var text = input.value.trim();
        if (!text) {
          status.textContent = "Describe the idea in a few words first.";
          input.focus();
          return;
        }
        var started = performance.now();
        var mine = ++asked;
        if (!answered) {
          box.setAttribute("data-state", "loading");
          status.textContent = "Loading the search model (once per visit)\u2026";
        }
        load()
          .then(function (e) {
            return encode(e, text).then(function (q) {
              return core.rank(e.bm25, e.vectors, e.index.terms, e.index.fusion_weight, text, q, 5);
            });
          })
          .then(function (results) {
            if (mine !== asked) return; // a newer question is under way
            render(text, results);
            var now = performance.now();
            var ms = (now - started).toFixed(1);
            if (!answered) {
              answered = true;
              box.setAttribute("data-first-ms", (now - Math.min(started, loadStarted || started)).toFixed(1));
              if (loadMs !== null) box.setAttribute("data-load-ms", loadMs.toFixed(1));
            }
            box.setAttribute("data-last-ms", ms);
            box.setAttribute("data-asked", text);
            box.setAttribute("data-state", "ready");
          })
          .catch(function (err) {
            box.setAttribute("data-state", "error");
            var msg = String((err && err.message) || err).split("\n")[0].slice(0, 160);
            status.textContent = "Ask cannot run here: " + msg + ". The A\u2013Z list below still works.";
          });
      });
    }

    function scan() {
      Array.prototype.forEach.call(document.querySelectorAll(".glossary-ask[data-ask]"), bind);
      if (location.hash === "#ask") {
        var input = document.querySelector(".glossary-ask-input");
        if (input && document.activeElement !== input) input.focus();
      }
    }

    if (typeof window.document$ !== "undefined" && window.document$.subscribe) window.document$.subscribe(scan);
    else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
    else scan();
  }
})(this, function () {
  "use strict";

  /* ---- text: as aiglossary_engine/ask/text.py ------------------------------------------------- */

  var STOP_WORDS = {};
  ("a about above after again all also am an and any are as at be because been before being below " +
    "between both but by can could did do does doing down during each few for from further had has have " +
    "having he her here hers him his how i if in into is it its itself just me more most my no nor not " +
    "now of off on once only or other our ours out over own same she should so some such than that the " +
    "their theirs them then there these they this those through to too under until up very was we were " +
    "what when where which while who whom why will with would you your yours one ones thing things " +
    "something get gets got make makes made use used uses using way").split(" ").forEach(function (w) {
    STOP_WORDS[w] = true;
  });
  var SUFFIXES = [
    ["isations", "iz"], ["izations", "iz"], ["isation", "iz"], ["ization", "iz"], ["ising", "iz"],
    ["izing", "iz"], ["ised", "iz"], ["ized", "iz"], ["ises", "iz"], ["izes", "iz"], ["ise", "iz"],
    ["ize", "iz"], ["ies", "y"], ["ied", "y"], ["sses", "ss"], ["ness", ""], ["ings", ""], ["ing", ""],
    ["ers", "er"], ["ed", ""], ["ss", "ss"], ["us", "us"], ["is", "is"], ["s", ""]
  ];
  var MIN_STEM = 3;
  var UNDOUBLE = ["ings", "ing", "ed"];
  var NGRAMS = [3, 4, 5];
  var MAX_FEATURES = 512;

  function isStop(w) {
    return Object.prototype.hasOwnProperty.call(STOP_WORDS, w);
  }

  function fold(text) {
    return text.normalize("NFKD").replace(/[^\x00-\x7f]/g, "").replace(/[A-Z]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) + 32);
    });
  }

  function words(text) {
    return fold(text).match(/[a-z0-9]+/g) || [];
  }

  function stem(word) {
    if (word.length <= MIN_STEM) return word;
    for (var i = 0; i < SUFFIXES.length; i++) {
      var suffix = SUFFIXES[i][0], replacement = SUFFIXES[i][1];
      if (word.slice(-suffix.length) !== suffix) continue;
      if (replacement === suffix) return word;
      if (word.length - suffix.length >= MIN_STEM) {
        var out = word.slice(0, word.length - suffix.length) + replacement;
        var last = out.charAt(out.length - 1);
        if (UNDOUBLE.indexOf(suffix) >= 0 && out.length > MIN_STEM && last === out.charAt(out.length - 2) &&
            "aeiouylsz".indexOf(last) < 0) {
          out = out.slice(0, -1);
        }
        return out;
      }
    }
    return word;
  }

  function tokens(text) {
    return words(text).filter(function (w) { return !isStop(w); }).map(stem);
  }

  function fnv1a(text) {
    var h = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h >>> 0;
  }

  function features(text) {
    var kept = words(text).filter(function (w) { return !isStop(w); });
    var stems = kept.map(stem);
    var out = stems.map(function (s) { return "w:" + s; });
    for (var i = 0; i + 1 < stems.length; i++) out.push("b:" + stems[i] + "_" + stems[i + 1]);
    kept.forEach(function (w) {
      var padded = "<" + w + ">";
      NGRAMS.forEach(function (n) {
        for (var j = 0; j + n <= padded.length; j++) out.push("c:" + padded.slice(j, j + n));
      });
    });
    return out;
  }

  function featureIds(text, buckets) {
    return features(text).slice(0, MAX_FEATURES).map(function (f) { return 1 + (fnv1a(f) % (buckets - 1)); });
  }

  /* ---- ranking: as aiglossary_engine/ask/rank.py ------------------------------------------------ */

  function Bm25(data) {
    this.fields = data.fields;
    this.weights = data.weights;
    this.k1 = data.k1;
    this.b = data.b;
    this.tf = data.tf;
    this.lengths = data.lengths;
    this.idf = data.idf;
    var n = this.tf.length;
    this.avg = this.fields.map(function (_, f) {
      var total = 0;
      for (var d = 0; d < n; d++) total += data.lengths[d][f];
      return total / n || 1.0;
    });
  }
  Bm25.prototype.queryTokens = function (text) {
    var seen = [];
    tokens(text).forEach(function (t) { if (seen.indexOf(t) < 0) seen.push(t); });
    return seen;
  };
  Bm25.prototype.scores = function (text) {
    var toks = this.queryTokens(text);
    var nf = this.fields.length;
    var totals = [], shares = [];
    var has = Object.prototype.hasOwnProperty;
    for (var d = 0; d < this.tf.length; d++) {
      var doc = this.tf[d];
      var score = 0.0;
      var share = new Array(nf).fill(0.0);
      for (var t = 0; t < toks.length; t++) {
        var tok = toks[t];
        if (!has.call(this.idf, tok)) continue;
        var idf = this.idf[tok];
        var parts = new Array(nf).fill(0.0);
        var weighted = 0.0;
        for (var f = 0; f < nf; f++) {
          var count = has.call(doc[f], tok) ? doc[f][tok] : 0;
          if (count) {
            var norm = 1.0 - this.b + (this.b * this.lengths[d][f]) / this.avg[f];
            parts[f] = (this.weights[f] * count) / norm;
            weighted += parts[f];
          }
        }
        if (weighted > 0.0) {
          var gain = (idf * weighted) / (this.k1 + weighted);
          score += gain;
          for (var g = 0; g < nf; g++) share[g] += (gain * parts[g]) / weighted;
        }
      }
      totals.push(score);
      shares.push(share);
    }
    return { totals: totals, shares: shares };
  };

  function zscores(values) {
    var n = values.length, total = 0.0, squares = 0.0, i;
    for (i = 0; i < n; i++) total += values[i];
    var mean = total / n;
    for (i = 0; i < n; i++) squares += (values[i] - mean) * (values[i] - mean);
    var std = Math.sqrt(squares / n);
    return values.map(function (v) { return std === 0.0 ? 0.0 : (v - mean) / std; });
  }

  function cosines(query, vectors) {
    return vectors.map(function (vec) {
      var s = 0.0;
      for (var i = 0; i < vec.length; i++) s += query[i] * vec[i];
      return s;
    });
  }

  function fuse(bm25, enc, weight) {
    var zb = zscores(bm25), ze = zscores(enc);
    return zb.map(function (b, i) { return weight * b + (1.0 - weight) * ze[i]; });
  }

  function order(scores, slugs) {
    var idx = scores.map(function (_, i) { return i; });
    idx.sort(function (a, b) {
      if (scores[a] !== scores[b]) return scores[b] - scores[a];
      return slugs[a] < slugs[b] ? -1 : slugs[a] > slugs[b] ? 1 : 0;
    });
    return idx;
  }

  function explain(index, doc, text, shares) {
    var present = Object.create(null);
    index.tf[doc].forEach(function (field) { Object.keys(field).forEach(function (t) { present[t] = true; }); });
    var seen = [];
    words(text).forEach(function (w) {
      var s = stem(w);
      if (present[s] && Object.prototype.hasOwnProperty.call(index.idf, s) && seen.indexOf(w) < 0 && !isStop(w)) {
        seen.push(w);
      }
    });
    var best = null;
    for (var f = 0; f < shares.length; f++) if (shares[f] > 0 && (best === null || shares[f] > shares[best])) best = f;
    return { words: seen, field: best === null ? null : index.fields[best] };
  }

  function dequantize(q, scales, dim) {
    var out = [];
    for (var r = 0; r < scales.length; r++) {
      var row = new Array(dim);
      for (var i = 0; i < dim; i++) row[i] = q[r * dim + i] * scales[r];
      out.push(row);
    }
    return out;
  }

  /* The hybrid ranking of ``engine ask``: top ``top`` terms for ``text`` whose encoder vector is ``query``. */
  function rank(bm25, vectors, terms, weight, text, query, top) {
    var lexical = bm25.scores(text);
    var cos = cosines(query, vectors);
    var final = fuse(lexical.totals, cos, weight);
    var slugs = terms.map(function (t) { return t.slug; });
    return order(final, slugs).slice(0, top).map(function (i, k) {
      var m = explain(bm25, i, text, lexical.shares[i]);
      return {
        rank: k + 1, slug: terms[i].slug, term: terms[i].term, summary: terms[i].summary, score: final[i],
        bm25: lexical.totals[i], cosine: cos[i], matched: m.words, field: m.field
      };
    });
  }

  return {
    fold: fold, words: words, stem: stem, tokens: tokens, fnv1a: fnv1a, features: features,
    featureIds: featureIds, Bm25: Bm25, zscores: zscores, cosines: cosines, fuse: fuse, order: order,
    explain: explain, dequantize: dequantize, rank: rank
  };
});
