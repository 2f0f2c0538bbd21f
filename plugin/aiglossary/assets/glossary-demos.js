/* AI Glossary: live demos on term pages, run in the browser with onnxruntime-web.
 *
 * Finds `.glossary-demo[data-demo]` after every page change (Material's `document$`), and only then
 * loads onnxruntime-web with a dynamic import() (pages without a demo request no ORT file). On a page
 * that has a demo when the script first runs, ORT's module and WebAssembly binary, the manifest and
 * the models start downloading at once, in parallel, before the page has finished loading. ORT runs
 * single-threaded unless the page is cross-origin isolated. Models and numbers come from
 * `demos/<id>/manifest.json`, written by `engine build-demos`.
 *
 * - pretraining: the reader types the start of a sentence and sees three continuations side by side
 *   (scratch, pre-trained only, fine-tuned). Decoding samples by default with the manifest's temperature,
 *   top-k and seed, with the same mulberry32 generator and float64 arithmetic as the engine, so
 *   `engine demo pretraining --prompt P --seed S` prints exactly the same text (same tokenizer, same
 *   key/value-cache schedule); temperature 0 is greedy (arg-max taking the first index).
 * - quantisation: the fine-tuned model in fp32 and int8 side by side, with file size, load time and
 *   time per character measured here, held-out loss and agreement from the manifest, and both
 *   continuations of the reader's prompt with the same seed (`engine demo quantisation`).
 * - digits: the reader draws a digit; both models' probabilities update live. Drawing needs a pointer;
 *   "Draw a sample digit" (a button, so keyboard alone works) draws the next of ten handwritten-style
 *   samples (0 to 9) with the same pen, and the status line reads both models' answers aloud.
 *
 * If WebAssembly or a model fails, the widget says so in plain words; the rest of the page still works.
 * Hooks for tests: widget `[data-state]` = loading | ready | running | done | error;
 * `.glossary-demo-out[data-model] .glossary-demo-continuation`; `.glossary-demo-probs[data-model]`.
 */
(function () {
  "use strict";

  var SCRIPT_URL = (document.currentScript && document.currentScript.src) || document.baseURI;
  var ROOT = new URL("../../", SCRIPT_URL).href; // the script lives at <root>/assets/glossary/
  var ORT_BASE = new URL("ort/", SCRIPT_URL).href;
  var ORT_MODULE = "ort.wasm.min.mjs";
  var ORT_WASM = "ort-wasm-simd-threaded.wasm"; // what ORT_MODULE would fetch itself on its first session
  var ortPromise = null;
  var manifests = {}; // demo id -> Promise<manifest>
  var sessions = {}; // model URL -> Promise<InferenceSession>: kept across instant navigation
  var modelBytes = {}; // model URL -> Promise<ArrayBuffer>, checked (started early on a demo page)


  var CSS = [
    ".glossary-demo{margin:1em 0;padding:.8em 1em;border:1px solid var(--md-default-fg-color--lightest);border-radius:.3em}",
    ".glossary-demo-status{font-size:.8em;color:var(--md-default-fg-color--light);margin:.2em 0 .6em}",
    ".glossary-demo-error{color:var(--md-typeset-color);background:var(--md-code-bg-color);padding:.4em .6em;border-left:.2em solid #e8590c}",
    ".glossary-demo-form{display:flex;flex-wrap:wrap;gap:.5em;align-items:center;margin-bottom:.8em}",
    ".glossary-demo-prompt{flex:1 1 16em;padding:.4em .5em;font:inherit;border:1px solid var(--md-default-fg-color--lighter);border-radius:.2em;background:var(--md-default-bg-color);color:var(--md-typeset-color)}",
    ".glossary-demo-form .md-button{margin:0;padding:.3em 1em}",
    ".glossary-demo-temperature-label{font-size:.8em;display:flex;gap:.4em;align-items:center}",
    ".glossary-demo-prompt:focus-visible,.glossary-demo-temperature:focus-visible{outline:2px solid var(--md-typeset-a-color);outline-offset:2px}",
    ".glossary-demo-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(12em,1fr));gap:.8em}",
    // Layout containment: a continuation growing by a few characters re-lays out its own box only.
    ".glossary-demo-out{border:1px solid var(--md-default-fg-color--lightest);border-radius:.2em;padding:.5em .7em;min-width:0;contain:layout}",
    ".glossary-demo-label{font-weight:700;font-size:.85em}",
    ".glossary-demo-loss{font-size:.7em;color:var(--md-default-fg-color--light)}",
    ".glossary-demo-text{white-space:pre-wrap;overflow-wrap:anywhere;font-family:var(--md-code-font-family);font-size:.75em;margin:.4em 0 0}",
    ".glossary-demo-draw{display:flex;flex-wrap:wrap;gap:.8em;align-items:flex-end;margin-bottom:.8em}",
    ".glossary-demo-draw-buttons{display:flex;flex-direction:column;align-items:flex-start;gap:.5em}",
    ".glossary-demo-draw-buttons .md-button{margin:0}",
    ".glossary-demo-canvas{width:192px;height:192px;background:#fff;border:1px solid var(--md-default-fg-color--lighter);border-radius:.2em;touch-action:none;cursor:crosshair}",
    ".glossary-demo-guess{font-size:1.6em;font-weight:700}",
    ".glossary-demo-bar{display:grid;grid-template-columns:1.2em 1fr 2.8em;gap:.3em;align-items:center;font-size:.7em}",
    ".glossary-demo-bar-fill{display:block;height:.7em;background:#1c7ed6;border-radius:.1em;min-width:1px}",
    ".glossary-demo-bar--best .glossary-demo-bar-fill{background:#e8590c}",
    ".glossary-demo-bar-value{text-align:right}",
    ".glossary-demo-claim{font-size:1.05em}",
    ".glossary-demo-seed{width:7em;padding:.2em .3em;font:inherit;border:1px solid var(--md-default-fg-color--lighter);border-radius:.2em;background:var(--md-default-bg-color);color:var(--md-typeset-color)}",
    ".glossary-demo-figures{display:grid;grid-template-columns:auto 1fr;gap:.1em .8em;font-size:.75em;margin:.4em 0}",
    ".glossary-demo-figures dt{color:var(--md-default-fg-color--light)}",
    ".glossary-demo-figures dd{margin:0;font-variant-numeric:tabular-nums}",
    ".glossary-demo-figure svg{width:100%;max-width:40em}",
    ".glossary-demo-provenance{font-size:.75em;color:var(--md-default-fg-color--light)}"
  ].join("\n");

  function addStyle() {
    if (document.getElementById("glossary-demos-style")) return;
    var style = document.createElement("style");
    style.id = "glossary-demos-style";
    style.textContent = CSS;
    document.head.appendChild(style);
  }

  /* ---- loading --------------------------------------------------------------------------------- */

  function loadOrt() {
    if (!ortPromise) {
      if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
        return Promise.reject(new Error("this browser does not provide WebAssembly, which the live demo needs"));
      }
      // The 14 MB WebAssembly binary is fetched at once, beside the module and the models, and handed
      // to ORT; left to ORT, its download would start only when the first model is already in.
      var wasm = fetch(ORT_BASE + ORT_WASM).then(function (r) {
        if (!r.ok) throw new Error("onnxruntime-web's WebAssembly file could not be fetched (HTTP " + r.status + ")");
        return r.arrayBuffer();
      });
      ortPromise = Promise.all([import(ORT_BASE + ORT_MODULE), wasm]).then(function (both) {
        var mod = both[0];
        var ort = mod.default && mod.default.InferenceSession ? mod.default : mod;
        ort.env.wasm.wasmPaths = ORT_BASE;
        ort.env.wasm.wasmBinary = both[1];
        ort.env.wasm.numThreads = window.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
        ort.env.wasm.proxy = false;
        ort.env.logLevel = "error";
        return ort;
      });
      ortPromise.catch(function () {
        ortPromise = null; // allow a retry on the next page
      });
    }
    return ortPromise;
  }

  function demoUrl(id, file) {
    return ROOT + "demos/" + encodeURIComponent(id) + "/" + file;
  }

  function loadManifest(id) {
    if (!manifests[id]) {
      manifests[id] = fetch(demoUrl(id, "manifest.json"))
        .then(function (r) {
          if (!r.ok) throw new Error("its manifest could not be fetched (HTTP " + r.status + ")");
          return r.json();
        })
        .catch(function (err) {
          delete manifests[id];
          throw err;
        });
    }
    return manifests[id];
  }

  function hex(buffer) {
    return Array.prototype.map
      .call(new Uint8Array(buffer), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  /* A model file's bytes, checked against the manifest's sha256 (fetched once per page load). */
  function loadModelBytes(id, manifest, file) {
    var url = demoUrl(id, file);
    if (!modelBytes[url]) {
      modelBytes[url] = fetch(url)
        .then(function (r) {
          if (!r.ok) throw new Error("the model file " + file + " could not be fetched (HTTP " + r.status + ")");
          return r.arrayBuffer();
        })
        .then(function (buf) {
          var expected = manifest.files && manifest.files[file] && manifest.files[file].sha256;
          if (!expected || !window.crypto || !crypto.subtle) return buf;
          return crypto.subtle.digest("SHA-256", buf).then(function (d) {
            if (hex(d) !== expected) throw new Error("the model file " + file + " is damaged (its checksum does not match)");
            return buf;
          });
        });
      modelBytes[url].catch(function () {
        delete modelBytes[url];
      });
    }
    return modelBytes[url];
  }

  function loadSession(ort, id, manifest, file) {
    var url = demoUrl(id, file);
    if (!sessions[url]) {
      sessions[url] = loadModelBytes(id, manifest, file)
        .then(function (buf) {
          return ort.InferenceSession.create(new Uint8Array(buf), {
            executionProviders: ["wasm"],
            // int8 weights: basic optimisations only, as in the engine (runtime.session_options), so
            // the browser runs the same float arithmetic as `engine demo` and prints the same text.
            graphOptimizationLevel: precisionOf(manifest, file) === "int8" ? "basic" : "all"
          }).catch(function (err) {
            throw new Error("the model file " + file + " could not be loaded (" + shortMessage(err) + ")");
          });
        })
        .catch(function (err) {
          delete sessions[url];
          throw err;
        });
    }
    return sessions[url];
  }

  /* A 70-byte ONNX model (one Identity node): creating a session from it starts ORT's WebAssembly
   * runtime, so that the quantisation demo's load times are each model's own, not the first one's
   * share of starting the runtime. */
  var WARMUP_MODEL = "CAc6PAoQCgF4EgF5IghJZGVudGl0eRIGd2FybXVwWg8KAXgSCgoICAESBAoCCAFiDwoBeRIKCggIARIECgIIAUIECgAQDQ==";
  var warmed = null;

  function warmRuntime(ort) {
    if (!warmed) {
      var bytes = Uint8Array.from(atob(WARMUP_MODEL), function (c) { return c.charCodeAt(0); });
      warmed = ort.InferenceSession.create(bytes, { executionProviders: ["wasm"] }).then(function (s) {
        return s.release ? s.release() : null;
      });
      warmed.catch(function () { warmed = null; });
    }
    return warmed;
  }

  function precisionOf(manifest, file) {
    var models = manifest.models || {};
    for (var kind in models) {
      if (Object.prototype.hasOwnProperty.call(models, kind) && models[kind] && models[kind].file === file) {
        return models[kind].precision;
      }
    }
    return null;
  }

  function shortMessage(err) {
    var text = String((err && err.message) || err || "unknown error");
    return text.split("\n")[0].slice(0, 160);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      node.appendChild(c);
    });
    return node;
  }

  function fail(root, status, err) {
    root.setAttribute("data-state", "error");
    status.className = "glossary-demo-status glossary-demo-error";
    status.textContent =
      "The live demo cannot run here: " + shortMessage(err) + ". The explanation, numbers and chart on this page are unaffected.";
  }

  /* ---- pretraining: three continuations --------------------------------------------------------- */

  var ASCII_SPELLING = {
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
    "\u2026": "...", "\u00a0": " ", "\t": "    ", "\u00d7": "x", "\u2192": "->"
  };

  function normalize(text) {
    // As tokenizer.normalize in the engine: ASCII spellings, then accents folded away.
    text = text.replace(/\r\n/g, "\n").replace(/\r/g, "\n");
    var out = "";
    for (var i = 0; i < text.length; ) {
      var cp = text.codePointAt(i);
      var ch = String.fromCodePoint(cp);
      i += ch.length;
      if (Object.prototype.hasOwnProperty.call(ASCII_SPELLING, ch)) out += ASCII_SPELLING[ch];
      else if (cp < 128) out += ch;
      else out += ch.normalize("NFKD").replace(/[^\x00-\x7f]/g, "") || ch;
    }
    return out;
  }

  function Tokenizer(chars) {
    this.chars = chars;
    this.index = {};
    for (var i = 0; i < chars.length; i++) this.index[chars[i]] = i;
  }
  Tokenizer.prototype.encode = function (text) {
    var ids = [];
    var norm = normalize(text);
    for (var i = 0; i < norm.length; ) {
      var ch = String.fromCodePoint(norm.codePointAt(i));
      i += ch.length;
      ids.push(Object.prototype.hasOwnProperty.call(this.index, ch) ? this.index[ch] : 0);
    }
    return ids;
  };
  Tokenizer.prototype.decode = function (ids) {
    var self = this;
    return ids.map(function (i) { return self.chars[i]; }).join("");
  };

  function LMRunner(ort, session, config) {
    this.ort = ort;
    this.session = session;
    this.block = config.block_size;
    this.empty = new ort.Tensor("float32", new Float32Array(0), [
      config.n_layer, 2, 1, config.n_head, 0, config.n_embd / config.n_head
    ]);
  }
  LMRunner.prototype.run = function (ids, past) {
    var data = new BigInt64Array(ids.length);
    for (var i = 0; i < ids.length; i++) data[i] = BigInt(ids[i]);
    var feeds = { input_ids: new this.ort.Tensor("int64", data, [1, ids.length]), past_kv: past };
    return this.session.run(feeds).then(function (out) {
      var dims = out.logits.dims;
      var V = dims[2];
      var T = dims[1];
      return { logits: out.logits.data.subarray((T - 1) * V, T * V), cache: out.present_kv };
    });
  };

  function argmax(logits) {
    var best = 0;
    for (var i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }

  /* mulberry32, as runtime.Mulberry32 in the engine: 32-bit integer operations only, so Python and
     JavaScript draw the same numbers for the same seed (the state is the seed modulo 2**32). */
  function mulberry32(seed) {
    var a = seed | 0;
    return function () {
      a = (a + 0x6d2b79f5) | 0;
      var t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /* As runtime.sample_next: the top-k logits (ties: lower index first) in that order, weights
     exp((l - max) / T) in float64 summed left to right, one uniform draw per character. */
  function sampleNext(logits, temperature, topK, rng) {
    var n = logits.length;
    var order = [];
    for (var i = 0; i < n; i++) order.push(i);
    order.sort(function (a, b) { return logits[b] - logits[a] || a - b; });
    var k = topK <= 0 ? n : Math.min(topK, n);
    var top = logits[order[0]];
    var weights = [];
    var total = 0;
    for (var j = 0; j < k; j++) {
      weights.push(Math.exp((logits[order[j]] - top) / temperature));
      total += weights[j];
    }
    var target = rng() * total;
    var running = 0;
    for (var m = 0; m < k; m++) {
      running += weights[m];
      if (running > target) return order[m];
    }
    return order[k - 1];
  }

  /* One generator per model: the same schedule as runtime.generate in the engine. */
  function Generator(runner, ids, decoding) {
    this.runner = runner;
    this.window = ids.slice(-runner.block);
    this.decoding = decoding;
    this.rng = mulberry32(decoding.seed);
    this.out = [];
    this.state = null;
    this.ms = 0; // time spent in this model's forward passes
  }
  Generator.prototype.timed = function (promise) {
    var self = this;
    var t0 = performance.now();
    return promise.then(function (s) {
      self.ms += performance.now() - t0;
      self.state = s;
    });
  };
  Generator.prototype.start = function () {
    return this.timed(this.runner.run(this.window, this.runner.empty));
  };
  Generator.prototype.step = function () {
    var r = this.runner;
    var d = this.decoding;
    var logits = this.state.logits;
    var next = d.temperature > 0 ? sampleNext(logits, d.temperature, d.topK, this.rng) : argmax(logits);
    this.out.push(next);
    this.window = this.window.concat([next]).slice(-r.block);
    var cached = this.state.cache.dims[4];
    return this.timed(cached < r.block ? r.run([next], this.state.cache) : r.run(this.window, r.empty));
  };

  var MAX_SEED = 4294967295;

  /* The prompt, Continue, temperature and seed controls, with the manifest's default decoding. */
  function decodingForm(manifest, root) {
    var gen = manifest.generation || {};
    var samples = manifest.samples || [];
    var example = (samples[0] && samples[0].prompt) || "A neural network";
    var t0 = typeof gen.temperature === "number" ? gen.temperature : 0;
    var prompt = el("input", {
      type: "text", class: "glossary-demo-prompt", value: example, "aria-label": "Start of a sentence", maxlength: "300"
    });
    var temp = el("input", {
      type: "range", class: "glossary-demo-temperature", min: "0", max: "1.5", step: "0.1", value: String(t0),
      "aria-label": "Temperature (0: greedy)"
    });
    var tempLabel = el("span", { class: "glossary-demo-temperature-value" });
    var seed = el("input", {
      type: "number", class: "glossary-demo-seed", min: "0", max: String(MAX_SEED), step: "1",
      value: String(gen.seed || 0), "aria-label": "Seed"
    });
    var button = el("button", { type: "submit", class: "md-button md-button--primary glossary-demo-run", text: "Continue" });
    function showTemp() {
      tempLabel.textContent = Number(temp.value) === 0 ? "greedy" : Number(temp.value).toFixed(1);
    }
    showTemp();
    temp.addEventListener("input", showTemp);
    var form = el("form", { class: "glossary-demo-form" }, [
      prompt, button,
      el("label", { class: "glossary-demo-temperature-label" }, [document.createTextNode("Temperature "), temp, tempLabel]),
      el("label", { class: "glossary-demo-temperature-label" }, [document.createTextNode("Seed "), seed])
    ]);
    root.appendChild(form);
    return {
      form: form,
      button: button,
      maxChars: gen.max_chars || 100,
      read: function () {
        var s = Math.floor(Number(seed.value));
        if (!isFinite(s) || s < 0 || s > MAX_SEED) s = gen.seed || 0;
        seed.value = String(s);
        return { text: prompt.value, temperature: Number(temp.value), topK: gen.top_k || 0, seed: s };
      },
      describe: function (d) {
        return d.temperature > 0
          ? "Sampled at temperature " + d.temperature.toFixed(1) + " among the " + (d.topK || "all") +
            " most likely characters, seed " + d.seed
          : "Greedy (always the most likely character)";
      }
    };
  }

  /* A macrotask boundary without setTimeout's 4 ms clamp: the browser paints and handles input there.
   * (ORT's wasm runs resolve as microtasks, so a chain of them alone would hold the page until done.) */
  var yieldChannel = typeof MessageChannel === "function" ? new MessageChannel() : null;
  var yieldQueue = [];
  if (yieldChannel) {
    yieldChannel.port1.onmessage = function () {
      var next = yieldQueue.shift();
      if (next) next();
    };
  }
  function yieldToBrowser() {
    return new Promise(function (resolve) {
      if (!yieldChannel) return setTimeout(resolve, 0);
      yieldQueue.push(resolve);
      yieldChannel.port2.postMessage(0);
    });
  }

  var YIELD_MS = 100; // how often a generation shows its text so far and lets the page paint and respond

  /* Runs the generators of one click, a character at a time, and renders about ten times a second. */
  function runGenerators(root, gens, maxChars, render, isCurrent) {
    var lastYield = performance.now();
    function loop(count) {
      if (!isCurrent() || !root.isConnected) return Promise.resolve(false);
      if (count >= maxChars) return Promise.resolve(true);
      // One model after the other, so each model's time per character is its own.
      return gens.reduce(function (p, g) { return p.then(function () { return g.step(); }); }, Promise.resolve())
        .then(function () {
          if (performance.now() - lastYield < YIELD_MS) return loop(count + 1);
          // About ten times a second: show the text so far and let the page breathe (paint, scroll, clicks).
          render();
          return yieldToBrowser().then(function () {
            lastYield = performance.now();
            return loop(count + 1);
          });
        });
    }
    return gens.reduce(function (p, g) { return p.then(function () { return g.start(); }); }, Promise.resolve())
      .then(function () { return loop(0); });
  }

  /* The Continue button of a text demo: every model continues the reader's prompt with the same decoding,
   * rendered as it goes; a newer run (or leaving the page) abandons an older one. `finish(d, gens, secs)`
   * writes the demo's own figures; the state becomes "done" after it. */
  function textGeneration(root, status, controls, tokenizer, order, outs, getRunners, finish) {
    var runId = 0;
    return function generate(ev) {
      if (ev) ev.preventDefault();
      var runners = getRunners();
      if (!runners || !root.isConnected) return;
      var mine = ++runId;
      var d = controls.read();
      var ids = tokenizer.encode(d.text);
      if (!ids.length) ids = tokenizer.encode("\n");
      var gens = runners.map(function (r) { return new Generator(r, ids, d); });
      order.forEach(function (kind) {
        outs[kind].querySelector(".glossary-demo-given").textContent = d.text;
        outs[kind].querySelector(".glossary-demo-continuation").textContent = "";
      });
      root.setAttribute("data-state", "running");
      status.textContent = "Generating…";
      var started = performance.now();
      function render() {
        order.forEach(function (kind, i) {
          outs[kind].querySelector(".glossary-demo-continuation").textContent = tokenizer.decode(gens[i].out);
        });
      }
      runGenerators(root, gens, controls.maxChars, render, function () { return mine === runId; })
        .then(function (finished) {
          if (!finished) return;
          render();
          finish(d, gens, (performance.now() - started) / 1000);
          root.setAttribute("data-state", "done");
        })
        .catch(function (err) { fail(root, status, err); });
    };
  }

  function initPretraining(root, id, manifest, ort, status) {
    var order = ["scratch", "pretrained", "finetuned"];
    var tokenizer = new Tokenizer(manifest.vocab);
    var controls = decodingForm(manifest, root);
    var outs = {};
    var grid = el("div", { class: "glossary-demo-grid" });
    order.forEach(function (kind) {
      var info = manifest.models[kind];
      var text = el("p", { class: "glossary-demo-text" }, [
        el("strong", { class: "glossary-demo-given" }),
        el("span", { class: "glossary-demo-continuation" })
      ]);
      var figures = "held-out loss " + info.heldout_loss_int8.toFixed(2) + " nats/char";
      if (typeof info.word_validity === "number") figures += ", " + Math.round(100 * info.word_validity) + "% real words";
      var box = el("div", { class: "glossary-demo-out", "data-model": kind }, [
        el("div", { class: "glossary-demo-label", text: info.label }),
        el("div", { class: "glossary-demo-loss", text: figures }),
        text
      ]);
      outs[kind] = box;
      grid.appendChild(box);
    });
    root.appendChild(grid);

    var runners = null;
    status.textContent = "Loading the three models…";
    Promise.all(order.map(function (kind) {
      return loadSession(ort, id, manifest, manifest.models[kind].file);
    }))
      .then(function (list) {
        runners = list.map(function (s) { return new LMRunner(ort, s, manifest.config); });
        root.setAttribute("data-state", "ready");
        status.textContent = "Type the start of a sentence and press Continue.";
      })
      .catch(function (err) { fail(root, status, err); });

    var generate = textGeneration(root, status, controls, tokenizer, order, outs, function () { return runners; },
      function (d, gens, secs) {
        var maxChars = controls.maxChars;
        root.setAttribute("data-chars-per-second", ((3 * maxChars) / Math.max(secs, 1e-6)).toFixed(1));
        status.textContent = controls.describe(d) + ": " + 3 * maxChars + " characters in " + secs.toFixed(2) +
          " s in your browser.";
      });
    controls.form.addEventListener("submit", generate);
  }

  /* ---- quantisation: the same model in fp32 and int8 ---------------------------------------------- */

  function initQuantisation(root, id, manifest, ort, status) {
    var order = ["fp32", "int8"];
    var tokenizer = new Tokenizer(manifest.vocab);
    var controls = decodingForm(manifest, root);
    var m = manifest.metrics;
    var outs = {};
    var grid = el("div", { class: "glossary-demo-grid" });
    order.forEach(function (kind) {
      var info = manifest.models[kind];
      var rows = [
        ["file size", (info.bytes / 1024).toLocaleString("en", { maximumFractionDigits: 0 }) + " KiB", "size"],
        ["load time", "…", "load"],
        ["time per character", "–", "per-char"],
        ["held-out loss", info.heldout_loss.toFixed(4) + " nats/char", "loss"],
        ["same most likely next character", (100 * m.argmax_agreement).toFixed(1) + "% of held-out positions", "agreement"]
      ];
      var list = el("dl", { class: "glossary-demo-figures" });
      rows.forEach(function (r) {
        list.appendChild(el("dt", { text: r[0] }));
        list.appendChild(el("dd", { "data-figure": r[2], text: r[1] }));
      });
      var text = el("p", { class: "glossary-demo-text" }, [
        el("strong", { class: "glossary-demo-given" }),
        el("span", { class: "glossary-demo-continuation" })
      ]);
      var box = el("div", { class: "glossary-demo-out", "data-model": kind }, [
        el("div", { class: "glossary-demo-label", text: info.label }), list, text
      ]);
      outs[kind] = box;
      grid.appendChild(box);
    });
    root.appendChild(grid);

    function figure(kind, name, value) {
      outs[kind].querySelector('[data-figure="' + name + '"]').textContent = value;
    }

    var runners = null;
    status.textContent = "Loading both models…";
    // One after the other, once ORT's runtime has started, so each load time is that model's own.
    var loaded = [];
    order.reduce(function (p, kind) {
      return p.then(function () {
        var t0 = performance.now();
        return loadSession(ort, id, manifest, manifest.models[kind].file).then(function (s) {
          var ms = performance.now() - t0;
          figure(kind, "load", ms.toFixed(0) + " ms");
          outs[kind].setAttribute("data-load-ms", ms.toFixed(1));
          loaded.push(s);
        });
      });
    }, warmRuntime(ort))
      .then(function () {
        runners = loaded.map(function (s) { return new LMRunner(ort, s, manifest.config); });
        root.setAttribute("data-state", "ready");
        status.textContent = "Type the start of a sentence and press Continue: both models continue it with the same seed.";
      })
      .catch(function (err) { fail(root, status, err); });

    var generate = textGeneration(root, status, controls, tokenizer, order, outs, function () { return runners; },
      function (d, gens, secs) {
        var maxChars = controls.maxChars;
        order.forEach(function (kind, i) {
          var per = gens[i].ms / maxChars;
          figure(kind, "per-char", per.toFixed(2) + " ms");
          outs[kind].setAttribute("data-ms-per-char", per.toFixed(3));
        });
        root.setAttribute("data-chars-per-second", ((2 * maxChars) / Math.max(secs, 1e-6)).toFixed(1));
        var same = tokenizer.decode(gens[0].out) === tokenizer.decode(gens[1].out);
        status.textContent = controls.describe(d) + ": " +
          (same ? "both wrote the same text." : "the texts part where rounding changed a choice.");
      });
    controls.form.addEventListener("submit", generate);
  }

  /* ---- digits: draw and classify ----------------------------------------------------------------- */

  var CANVAS = 192;

  function toPixels(ctx) {
    // Ink from the canvas, cropped to a square around its bounding box, area-averaged to 8x8 and
    // scaled so the brightest cell is 1 (as the engine's read_image and load_digits / 16).
    var data = ctx.getImageData(0, 0, CANVAS, CANVAS).data;
    var ink = new Float32Array(CANVAS * CANVAS);
    var x0 = CANVAS, y0 = CANVAS, x1 = -1, y1 = -1;
    for (var y = 0; y < CANVAS; y++) {
      for (var x = 0; x < CANVAS; x++) {
        var a = data[(y * CANVAS + x) * 4 + 3] / 255;
        ink[y * CANVAS + x] = a;
        if (a > 0.1) {
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
      }
    }
    if (x1 < 0) return null;
    var side = Math.max(x1 - x0 + 1, y1 - y0 + 1) * 1.15;
    var cx = (x0 + x1 + 1) / 2, cy = (y0 + y1 + 1) / 2;
    var left = cx - side / 2, top = cy - side / 2, cell = side / 8;
    var out = new Float32Array(64);
    var peak = 0;
    for (var r = 0; r < 8; r++) {
      for (var c = 0; c < 8; c++) {
        var sum = 0, n = 0;
        var ys = Math.floor(top + r * cell), ye = Math.ceil(top + (r + 1) * cell);
        var xs = Math.floor(left + c * cell), xe = Math.ceil(left + (c + 1) * cell);
        for (var yy = ys; yy < ye; yy++) {
          for (var xx = xs; xx < xe; xx++) {
            n += 1;
            if (yy >= 0 && yy < CANVAS && xx >= 0 && xx < CANVAS) sum += ink[yy * CANVAS + xx];
          }
        }
        out[r * 8 + c] = n ? sum / n : 0;
        if (out[r * 8 + c] > peak) peak = out[r * 8 + c];
      }
    }
    for (var i = 0; i < 64; i++) out[i] = peak > 0 ? out[i] / peak : 0;
    return out;
  }

  // Ten sample digits as pen strokes in a unit square (x right, y down), drawn with the reader's pen.
  var SAMPLES = [
    [ellipse(0.5, 0.5, 0.24, 0.36)],
    [[[0.36, 0.26], [0.52, 0.12], [0.52, 0.88]]],
    [[[0.28, 0.3], [0.36, 0.17], [0.5, 0.12], [0.65, 0.17], [0.71, 0.3], [0.66, 0.44], [0.28, 0.86], [0.76, 0.86]]],
    [[[0.3, 0.18], [0.5, 0.12], [0.67, 0.2], [0.68, 0.34], [0.5, 0.47], [0.7, 0.58], [0.7, 0.76], [0.52, 0.88], [0.28, 0.82]]],
    [[[0.62, 0.88], [0.62, 0.12], [0.26, 0.62], [0.78, 0.62]]],
    [[[0.7, 0.12], [0.34, 0.12], [0.3, 0.46], [0.55, 0.42], [0.7, 0.55], [0.7, 0.75], [0.52, 0.88], [0.3, 0.83]]],
    [[[0.66, 0.14], [0.46, 0.25], [0.33, 0.5], [0.33, 0.72], [0.45, 0.87], [0.62, 0.86], [0.7, 0.71], [0.62, 0.56], [0.45, 0.53], [0.33, 0.62]]],
    [[[0.27, 0.14], [0.74, 0.14], [0.45, 0.88]]],
    [ellipse(0.5, 0.3, 0.17, 0.17), ellipse(0.5, 0.68, 0.2, 0.2)],
    [ellipse(0.47, 0.32, 0.2, 0.2), [[0.67, 0.3], [0.67, 0.6], [0.6, 0.8], [0.45, 0.88]]]
  ];

  function ellipse(cx, cy, rx, ry) {
    var pts = [];
    for (var i = 0; i <= 24; i++) {
      var a = (2 * Math.PI * i) / 24;
      pts.push([cx + rx * Math.sin(a), cy - ry * Math.cos(a)]);
    }
    return pts;
  }

  function softmax(logits) {
    var max = -Infinity, sum = 0, p = [];
    for (var i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
    for (var j = 0; j < logits.length; j++) {
      p.push(Math.exp(logits[j] - max));
      sum += p[j];
    }
    return p.map(function (v) { return v / sum; });
  }

  function initDigits(root, id, manifest, ort, status) {
    var order = ["pretrained", "scratch"];
    var canvas = el("canvas", { width: String(CANVAS), height: String(CANVAS), class: "glossary-demo-canvas",
      "aria-label": "Drawing area: draw a digit from 0 to 9" });
    var clear = el("button", { type: "button", class: "md-button glossary-demo-clear", text: "Clear" });
    var sampleButton = el("button", { type: "button", class: "md-button glossary-demo-sample", text: "Draw a sample digit" });
    var panels = {};
    var probs = el("div", { class: "glossary-demo-grid" });
    order.forEach(function (kind) {
      var info = manifest.models[kind];
      var bars = el("div", { class: "glossary-demo-probs", "data-model": kind });
      for (var d = 0; d < 10; d++) {
        bars.appendChild(el("div", { class: "glossary-demo-bar", "data-digit": String(d) }, [
          el("span", { class: "glossary-demo-digit", text: String(d) }),
          el("span", { class: "glossary-demo-bar-fill" }),
          el("span", { class: "glossary-demo-bar-value", text: "" })
        ]));
      }
      var box = el("div", { class: "glossary-demo-out", "data-model": kind }, [
        el("div", { class: "glossary-demo-label", text: info.label + " (" + info.k + " labels per class)" }),
        el("div", { class: "glossary-demo-guess", text: "–" }),
        bars
      ]);
      panels[kind] = box;
      probs.appendChild(box);
    });
    root.appendChild(el("div", { class: "glossary-demo-draw" }, [
      canvas, el("div", { class: "glossary-demo-draw-buttons" }, [sampleButton, clear])
    ]));
    root.appendChild(probs);
    var ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#000";
    ctx.lineWidth = CANVAS / 11;

    var nets = null, pending = false, drawing = false, last = null;
    var nextSample = 0, announce = null; // announce: what the status line says once the models answer
    status.textContent = "Loading the two models…";
    Promise.all(order.map(function (kind) { return loadSession(ort, id, manifest, manifest.models[kind].file); }))
      .then(function (list) {
        nets = list;
        root.setAttribute("data-state", "ready");
        status.textContent = "Draw a digit from 0 to 9 in the box, or press “Draw a sample digit”.";
        if (toPixels(ctx)) schedule(); // a sample drawn while the models loaded
      })
      .catch(function (err) { fail(root, status, err); });

    function show(kind, p) {
      var panel = panels[kind];
      var best = p ? p.indexOf(Math.max.apply(null, p)) : -1;
      panel.querySelector(".glossary-demo-guess").textContent = p ? String(best) : "–";
      panel.querySelectorAll(".glossary-demo-bar").forEach(function (bar, d) {
        var v = p ? p[d] : 0;
        bar.querySelector(".glossary-demo-bar-fill").style.width = (100 * v).toFixed(1) + "%";
        bar.querySelector(".glossary-demo-bar-value").textContent = p ? (100 * v).toFixed(0) + "%" : "";
        bar.classList.toggle("glossary-demo-bar--best", d === best);
      });
    }

    function classify() {
      pending = false;
      if (!nets) return;
      var pixels = toPixels(ctx);
      if (!pixels) {
        order.forEach(function (kind) { show(kind, null); });
        return;
      }
      var input = new ort.Tensor("float32", pixels, [1, 64]);
      Promise.all(nets.map(function (s) { return s.run({ pixels: input }); }))
        .then(function (outs) {
          var said = [];
          outs.forEach(function (out, i) {
            var p = softmax(Array.from(out.logits.data));
            show(order[i], p);
            var best = p.indexOf(Math.max.apply(null, p));
            said.push(manifest.models[order[i]].label + " reads " + best + " (" + (100 * p[best]).toFixed(0) + "%)");
          });
          if (announce) status.textContent = announce + ": " + said.join("; ") + ".";
          announce = null;
          root.setAttribute("data-state", "done");
        })
        .catch(function (err) { fail(root, status, err); });
    }
    function schedule() {
      if (!pending) {
        pending = true;
        requestAnimationFrame(classify);
      }
    }
    function point(ev) {
      var rect = canvas.getBoundingClientRect();
      return [(ev.clientX - rect.left) * (CANVAS / rect.width), (ev.clientY - rect.top) * (CANVAS / rect.height)];
    }
    canvas.addEventListener("pointerdown", function (ev) {
      drawing = true;
      last = point(ev);
      if (canvas.setPointerCapture) canvas.setPointerCapture(ev.pointerId);
      ctx.beginPath();
      ctx.arc(last[0], last[1], ctx.lineWidth / 2, 0, 2 * Math.PI);
      ctx.fillStyle = "#000";
      ctx.fill();
      schedule();
    });
    canvas.addEventListener("pointermove", function (ev) {
      if (!drawing) return;
      var p = point(ev);
      ctx.beginPath();
      ctx.moveTo(last[0], last[1]);
      ctx.lineTo(p[0], p[1]);
      ctx.stroke();
      last = p;
      schedule();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () {
        if (drawing && name === "pointerup") {
          announce = "Your drawing";
          schedule();
        }
        drawing = false;
      });
    });
    clear.addEventListener("click", function () {
      ctx.clearRect(0, 0, CANVAS, CANVAS);
      order.forEach(function (kind) { show(kind, null); });
    });
    sampleButton.addEventListener("click", function () {
      var digit = nextSample;
      nextSample = (nextSample + 1) % SAMPLES.length;
      ctx.clearRect(0, 0, CANVAS, CANVAS);
      var pad = CANVAS * 0.1, size = CANVAS - 2 * pad;
      SAMPLES[digit].forEach(function (stroke) {
        ctx.beginPath();
        stroke.forEach(function (pt, i) {
          var x = pad + pt[0] * size, y = pad + pt[1] * size;
          if (i === 0) ctx.moveTo(x, y);
          else ctx.lineTo(x, y);
        });
        ctx.stroke();
      });
      root.setAttribute("data-sample", String(digit));
      announce = "Sample " + digit;
      schedule();
    });
  }

  /* ---- wiring ------------------------------------------------------------------------------------ */

  var WIDGETS = { pretraining: initPretraining, quantisation: initQuantisation, digits: initDigits };

  function initDemo(root) {
    if (root.getAttribute("data-bound")) return;
    root.setAttribute("data-bound", "1");
    var id = root.getAttribute("data-demo");
    root.setAttribute("data-state", "loading");
    var status = el("p", { class: "glossary-demo-status", role: "status", "aria-live": "polite", text: "Loading the live demo…" });
    root.appendChild(status);
    var init = WIDGETS[id];
    if (!init) {
      fail(root, status, new Error("this page asks for a demo called '" + id + "', which this site does not have"));
      return;
    }
    Promise.all([loadManifest(id), loadOrt()])
      .then(function (both) { init(root, id, both[0], both[1], status); })
      .catch(function (err) { fail(root, status, err); });
  }

  function scan() {
    var roots = document.querySelectorAll(".glossary-demo[data-demo]");
    if (!roots.length) return;
    addStyle();
    Array.prototype.forEach.call(roots, initDemo);
  }

  // The script runs at the end of the body: on a page with a demo, its files start loading now, while
  // the page and Material's scripts finish (scan() then finds them in flight or done).
  Array.prototype.forEach.call(document.querySelectorAll(".glossary-demo[data-demo]"), function (root) {
    var id = root.getAttribute("data-demo");
    if (!id || !WIDGETS[id] || typeof WebAssembly !== "object") return; // scan() says why it cannot run
    loadOrt().catch(function () {});
    // Not the quantisation demo's models: it times each model's own download and load, one at a time.
    if (id === "quantisation") return;
    loadManifest(id)
      .then(function (manifest) {
        Object.keys(manifest.models || {}).forEach(function (kind) {
          var file = manifest.models[kind] && manifest.models[kind].file;
          if (typeof file === "string") loadModelBytes(id, manifest, file).catch(function () {});
        });
      })
      .catch(function () {});
  });

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(scan);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", scan);
  } else {
    scan();
  }
})();
