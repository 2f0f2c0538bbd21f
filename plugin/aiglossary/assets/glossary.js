/* AI Glossary: index filters. Plain JS, no library (the term graph is glossary-graph.js).
 * Works with Material's instant navigation: everything is (re)bound on each `document$` emission.
 * Hooks: #glossary-filter-category, #glossary-filter-difficulty, #glossary-filter-text,
 * .glossary-index-item[data-category][data-difficulty].
 */
(function () {
  "use strict";

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

  function init() {
    document.querySelectorAll("[data-glossary-index]").forEach(initIndex);
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
