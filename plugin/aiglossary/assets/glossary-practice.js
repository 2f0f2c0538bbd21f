/* AI Glossary: self-check cards ("Test yourself" on term pages) and the practice page.
 * Plain JS, no library. Works with Material's instant navigation: the practice page is (re)bound on
 * each `document$` emission; answering uses one delegated click listener for every page.
 *
 * A card is .glossary-card[data-card][data-answer] with button.glossary-card-option[data-value]; the
 * term pages render them, the practice page builds the same markup from the JSON file its
 * #glossary-practice[data-src] names. Every piece of card text is inserted as text, never as HTML.
 *
 * Progress (practice page only) lives in localStorage under one key, as versioned JSON:
 *   {"v": 1, "cards": {"<card id>": {"b": <box 1..5>, "d": <due, ms since 1970>}}}
 * Leitner boxes: a right answer moves a card up a box (due again after INTERVAL_DAYS[box]), a miss
 * sends it back to box 1 and to the end of the session. Nothing is sent anywhere.
 */
(function () {
  "use strict";

  if (window.__glossaryPracticeLoaded) return;
  window.__glossaryPracticeLoaded = true;

  var STORE_KEY = "aiglossary-practice";
  var STORE_VERSION = 1;
  var BOXES = 5;
  var DAY = 24 * 60 * 60 * 1000;
  var INTERVAL_DAYS = [0, 0, 1, 3, 7, 16]; // by box (index 0 unused): box 1 is due at once

  /* ---- small DOM helpers: text only -------------------------------------------------------- */

  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "class") node.className = attrs[k];
      else if (k === "hidden") node.hidden = !!attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function hash(text) {
    // FNV-1a: a stable shuffle of new cards, so a session mixes terms instead of starting at "A".
    var x = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) {
      x ^= text.charCodeAt(i);
      x = Math.imul(x, 0x01000193) >>> 0;
    }
    return x;
  }

  var format = window.Intl && Intl.NumberFormat ? new Intl.NumberFormat("en") : null;
  function num(n) { return format ? format.format(n) : String(n); }

  /* ---- answering a card (term pages and the practice page) --------------------------------- */

  function tag(button, mark, text) {
    button.appendChild(h("span", { class: "glossary-card-tag" }, [
      h("span", { class: "glossary-card-mark", "aria-hidden": "true" }, [mark]), " " + text
    ]));
  }

  function answer(card, button) {
    if (card.hasAttribute("data-answered")) return;
    var right = card.getAttribute("data-answer");
    var correct = button.getAttribute("data-value") === right;
    card.setAttribute("data-answered", correct ? "right" : "wrong");
    card.querySelectorAll(".glossary-card-option").forEach(function (b) {
      b.setAttribute("aria-disabled", "true");
      var isRight = b.getAttribute("data-value") === right;
      if (b === button) {
        b.classList.add("is-chosen");
        tag(b, correct ? "✓" : "✗", "Your answer");
      }
      if (isRight) {
        b.classList.add("is-right");
        if (b !== button) tag(b, "✓", "Right answer");
      }
    });
    var result = card.querySelector(".glossary-card-result");
    var explanation = card.querySelector(".glossary-card-explanation");
    var verdict = explanation && explanation.querySelector(".glossary-card-verdict");
    if (verdict) {
      verdict.insertBefore(document.createTextNode(" "), verdict.firstChild);
      verdict.insertBefore(h("strong", {}, [correct ? "Correct." : "Not quite."]), verdict.firstChild);
      verdict.insertBefore(
        h("span", { class: "glossary-card-mark", "aria-hidden": "true" }, [correct ? "✓ " : "✗ "]),
        verdict.firstChild
      );
    }
    if (result && explanation) {
      explanation.hidden = false;
      result.appendChild(explanation); // the status region announces the verdict and the explanation
    }
    card.dispatchEvent(new CustomEvent("glossary:answer", { bubbles: true, detail: { correct: correct } }));
  }

  document.addEventListener("click", function (ev) {
    var button = ev.target && ev.target.closest ? ev.target.closest(".glossary-card-option") : null;
    if (!button) return;
    var card = button.closest(".glossary-card");
    if (card) answer(card, button);
  });

  /* ---- progress in localStorage ------------------------------------------------------------ */

  function storage() {
    try {
      return window.localStorage;
    } catch (e) {
      return null; // storage disabled: practice works, progress is not kept
    }
  }

  function matchKey(id) {
    // slug:kind:index:hash -> slug:kind:hash (finds a card that only moved within its entry)
    var parts = String(id).split(":");
    return parts.length === 4 ? parts[0] + ":" + parts[1] + ":" + parts[3] : null;
  }

  function loadProgress(byId, byKey) {
    var out = Object.create(null);
    var store = storage();
    var parsed = null;
    try {
      parsed = JSON.parse((store && store.getItem(STORE_KEY)) || "null");
    } catch (e) {
      parsed = null; // corrupt: start again (saved over on the next answer)
    }
    if (!parsed || typeof parsed !== "object" || parsed.v !== STORE_VERSION) return out;
    var cards = parsed.cards;
    if (!cards || typeof cards !== "object" || Array.isArray(cards)) return out;
    Object.keys(cards).forEach(function (id) {
      var s = cards[id];
      if (!s || typeof s !== "object") return;
      var box = s.b, due = s.d;
      if (typeof box !== "number" || box !== Math.floor(box) || box < 1 || box > BOXES) return;
      if (typeof due !== "number" || !isFinite(due)) due = 0;
      var target = byId[id] ? id : null;
      if (!target) {
        // A card that no longer exists is dropped, unless it only moved (same text, new index).
        var moved = byKey[matchKey(id)];
        if (moved && !Object.prototype.hasOwnProperty.call(cards, moved.i)) target = moved.i;
      }
      if (target && !out[target]) out[target] = { b: box, d: due };
    });
    return out;
  }

  function saveProgress(progress) {
    var store = storage();
    if (!store) return false;
    try {
      var cards = {};
      Object.keys(progress).forEach(function (id) { cards[id] = progress[id]; });
      store.setItem(STORE_KEY, JSON.stringify({ v: STORE_VERSION, cards: cards }));
      return true;
    } catch (e) {
      return false; // full or refused: keep going without saving
    }
  }

  /* ---- the practice page ------------------------------------------------------------------- */

  function unpack(c, data) {
    // The compact form of the JSON (see aiglossary/sitegen/cards.py) back to a whole card.
    var parts = String(c.i).split(":");
    var x = Array.isArray(c.x) ? c.x : [];
    var q = typeof c.q === "number" ? (x[c.q] || [])[1] : c.q;
    return {
      i: c.i, s: parts[0], k: parts[1], q: q || "", p: c.p || "", a: c.a, v: c.v || "", x: x, h: hash(c.i),
      o: c.o || (data.options && data.options[parts[1]]) || []
    };
  }

  function buildCard(c, data) {
    var term = data.terms[c.s] || { t: c.s, u: "" };
    var legend = h("legend", { class: "glossary-card-legend" }, [
      h("span", { class: "glossary-card-question" }, [data.kinds[c.k] || ""])
    ]);
    if (c.q) legend.appendChild(h("span", { class: "glossary-card-statement" }, ["“" + c.q + "”"]));
    legend.appendChild(h("span", { class: "glossary-card-prompt" }, [c.p]));
    var options = h("div", { class: "glossary-card-options" }, c.o.map(function (o) {
      return h("button", { type: "button", class: "glossary-card-option", "data-value": o[0] }, [o[1]]);
    }));
    var explanation = h("div", { class: "glossary-card-explanation", hidden: true }, [
      h("p", { class: "glossary-card-verdict" }, [c.v])
    ]);
    c.x.forEach(function (line) {
      var p = h("p", { class: "glossary-card-line" });
      if (line[0]) p.appendChild(h("strong", {}, [line[0] + ":"]));
      p.appendChild(document.createTextNode((line[0] ? " " : "") + line[1]));
      explanation.appendChild(p);
    });
    if (term.u && !/^[a-z][a-z0-9+.-]*:/i.test(term.u)) {
      explanation.appendChild(h("p", { class: "glossary-card-line glossary-card-more" }, [
        "More on its page: ", h("a", { href: term.u }, [term.t])
      ]));
    }
    return h("div", { class: "glossary-card", "data-card": c.i, "data-kind": c.k, "data-answer": c.a, tabindex: "-1" }, [
      h("fieldset", { class: "glossary-card-body" }, [legend, options]),
      h("div", { class: "glossary-card-result", role: "status" }),
      explanation
    ]);
  }

  function initPractice(root) {
    if (root.dataset.glossaryBound) return;
    root.dataset.glossaryBound = "1";
    var stage = document.getElementById("glossary-practice-stage");
    fetch(root.getAttribute("data-src"))
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (data) { practice(root, stage, data); })
      .catch(function (err) {
        stage.textContent = "The practice cards could not be loaded (" + err.message + ").";
      });
  }

  function practice(root, stage, data) {
    var category = document.getElementById("glossary-practice-category");
    var difficulty = document.getElementById("glossary-practice-difficulty");
    var count = document.getElementById("glossary-practice-count");
    var dueLine = document.getElementById("glossary-practice-due");
    var reset = document.getElementById("glossary-practice-reset");
    var confirmBox = document.getElementById("glossary-practice-confirm");
    var yes = document.getElementById("glossary-practice-reset-yes");
    var no = document.getElementById("glossary-practice-reset-no");

    data.cards = data.cards.map(function (c) { return unpack(c, data); });
    var byId = Object.create(null), byKey = Object.create(null);
    data.cards.forEach(function (c) {
      byId[c.i] = c;
      var key = matchKey(c.i);
      if (key && !byKey[key]) byKey[key] = c;
    });
    var progress = loadProgress(byId, byKey);
    var saved = true;
    var selection = [], queue = [], ahead = false;

    var params = new URLSearchParams(window.location.search);
    if (params.get("category")) category.value = params.get("category");
    if (params.get("difficulty")) difficulty.value = params.get("difficulty");

    function boxOf(id) { return progress[id] ? progress[id].b : 1; }
    function dueAt(id) { return progress[id] ? progress[id].d : 0; }

    function select() {
      var cat = category.value, diff = difficulty.value;
      selection = data.cards.filter(function (c) {
        var t = data.terms[c.s];
        return t && (!cat || t.c.indexOf(cat) >= 0) && (!diff || t.d === diff);
      });
    }

    function order(a, b) {
      return boxOf(a.i) - boxOf(b.i) || dueAt(a.i) - dueAt(b.i) || a.h - b.h;
    }

    function plan() {
      var now = Date.now();
      queue = selection.filter(function (c) { return dueAt(c.i) <= now; }).sort(order).map(function (c) { return c.i; });
      ahead = false;
    }

    function summary() {
      var per = [0, 0, 0, 0, 0, 0], now = Date.now(), due = 0, fresh = 0;
      selection.forEach(function (c) {
        per[boxOf(c.i)] += 1;
        if (dueAt(c.i) <= now) due += 1;
        if (!progress[c.i]) fresh += 1;
      });
      root.querySelectorAll(".glossary-practice-box").forEach(function (li) {
        var box = Number(li.getAttribute("data-box"));
        li.querySelector(".glossary-practice-box-count").textContent = num(per[box]);
        li.style.setProperty("--glossary-share", selection.length ? String(per[box] / selection.length) : "0");
      });
      count.textContent = num(selection.length) + (selection.length === 1 ? " card" : " cards") + " in this selection";
      dueLine.textContent = num(due) + " due now" + (fresh ? " (" + num(fresh) + " not seen yet)" : "") +
        (saved ? "" : ". This browser does not let the page keep your progress.");
    }

    function render(focus) {
      stage.textContent = "";
      if (!selection.length) {
        stage.appendChild(h("p", { class: "glossary-practice-empty" }, ["No cards match these filters."]));
        return;
      }
      if (!queue.length) {
        var more = h("button", { type: "button", class: "md-button glossary-practice-ahead" }, ["Practise ahead"]);
        more.addEventListener("click", function () {
          queue = selection.slice().sort(function (a, b) { return order(a, b); }).map(function (c) { return c.i; });
          ahead = true;
          render(true);
        });
        stage.appendChild(h("p", { class: "glossary-practice-empty" }, [
          "Nothing is due in this selection. Come back tomorrow, or practise the cards that are not due yet."
        ]));
        stage.appendChild(more);
        if (focus) more.focus();
        return;
      }
      var c = byId[queue[0]];
      var where = h("p", { class: "glossary-practice-position" }, [
        (ahead ? "Practising ahead · " : "") + (progress[c.i] ? "From box " + boxOf(c.i) : "New card") +
          " · " + num(queue.length) + " left in this session"
      ]);
      var card = buildCard(c, data);
      stage.appendChild(where);
      stage.appendChild(card);
      if (focus) card.focus();
    }

    stage.addEventListener("glossary:answer", function (ev) {
      var card = ev.target;
      var id = card.getAttribute("data-card");
      if (id !== queue[0]) return;
      var box = ev.detail.correct ? Math.min(boxOf(id) + 1, BOXES) : 1;
      progress[id] = { b: box, d: Date.now() + INTERVAL_DAYS[box] * DAY };
      saved = saveProgress(progress);
      queue.shift();
      if (!ev.detail.correct) queue.push(id); // a miss comes back at the end of the session
      summary();
      var next = h("button", { type: "button", class: "md-button md-button--primary glossary-practice-next" }, [
        queue.length ? "Next question" : "Finish"
      ]);
      next.addEventListener("click", function () { render(true); });
      stage.appendChild(next);
    });

    function refresh() {
      select();
      plan();
      summary();
      render(false);
    }

    category.addEventListener("change", refresh);
    difficulty.addEventListener("change", refresh);

    reset.addEventListener("click", function () {
      confirmBox.hidden = false;
      reset.setAttribute("aria-expanded", "true");
      no.focus();
    });
    no.addEventListener("click", function () {
      confirmBox.hidden = true;
      reset.setAttribute("aria-expanded", "false");
      reset.focus();
    });
    yes.addEventListener("click", function () {
      progress = Object.create(null);
      var store = storage();
      try {
        if (store) store.removeItem(STORE_KEY);
      } catch (e) { /* nothing stored to remove */ }
      confirmBox.hidden = true;
      reset.setAttribute("aria-expanded", "false");
      refresh();
      count.textContent = "Progress reset: every card is back in box 1. " + count.textContent;
      reset.focus();
    });
    reset.setAttribute("aria-expanded", "false");
    reset.setAttribute("aria-controls", "glossary-practice-confirm");

    refresh();
  }

  function init() {
    var root = document.getElementById("glossary-practice");
    if (root) initPractice(root);
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
