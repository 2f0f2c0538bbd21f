/* AI Glossary: term previews on links that carry one (a[data-glossary-summary]). Plain JS, no library.
 *
 * One preview element for the whole site, appended to <body> (Material's instant navigation swaps the
 * page's parts, not <body> itself): a box holding a role="tooltip" element (term, difficulty, summary)
 * and, for touch, an "Open <term>" link beside it (a tooltip holds no interactive content).
 *
 * - Mouse: it opens on hover and stays while the pointer is on the link or on the preview (WCAG 1.4.13
 *   "hoverable"); it closes a moment after the pointer leaves both.
 * - Keyboard: it opens when the link gets focus and closes when focus leaves. Escape closes it; focus
 *   stays where it was. It does not reopen for that link until the link is left and entered again.
 * - Touch: a first tap on a term link shows the preview with an "Open <term>" link and does not follow
 *   the link; a second tap on the same link, or a tap on "Open", follows it; a tap elsewhere closes.
 * - Screen readers: while open, the link's aria-describedby names the tooltip, so the summary is read
 *   as the link's description.
 *
 * The preview never covers its link: it sits below the link with a gap, or above it where there is
 * more room, and is kept inside the viewport horizontally (390 px phones included). Its content is
 * set with textContent only: entry text is author input and is never parsed as HTML.
 * Every listener is on `document`, bound once; each `document$` emission (a new page) closes it.
 */
(function () {
  "use strict";

  var LINK = "a[data-glossary-summary]";
  var LEVELS = { beginner: "Beginner", intermediate: "Intermediate", advanced: "Advanced" };
  var GAP = 8; // px between the link and the preview
  var MARGIN = 8; // px kept free at the viewport's edges
  var CLOSE_DELAY = 300; // ms: time to move the pointer from the link onto the preview
  var TAP_WINDOW = 1500; // ms between a touch on a link and its click for the click to count as a tap

  var box = null, tip, nameEl, levelEl, summaryEl, openLink;
  var current = null; // the link the preview belongs to
  var reasons = { hover: false, focus: false, touch: false };
  var dismissed = null; // a link whose preview Escape closed: it stays closed until left
  var closeTimer = 0;
  var tap = null; // { link, wasOpen, time } from the last touch pointerdown on a term link
  var frame = 0;

  function build() {
    box = document.createElement("div");
    box.className = "glossary-preview";
    box.hidden = true;
    tip = document.createElement("div");
    tip.id = "glossary-preview";
    tip.className = "glossary-preview-tip";
    tip.setAttribute("role", "tooltip");
    var head = document.createElement("span");
    head.className = "glossary-preview-head";
    nameEl = document.createElement("strong");
    nameEl.className = "glossary-preview-name";
    levelEl = document.createElement("span");
    head.appendChild(nameEl);
    head.appendChild(document.createTextNode(" "));
    head.appendChild(levelEl);
    summaryEl = document.createElement("span");
    summaryEl.className = "glossary-preview-summary";
    tip.appendChild(head);
    tip.appendChild(document.createTextNode(" "));
    tip.appendChild(summaryEl);
    openLink = document.createElement("a");
    openLink.className = "glossary-preview-open";
    openLink.hidden = true;
    box.appendChild(tip);
    box.appendChild(openLink);
  }

  function attach() {
    if (!box) build();
    if (!box.isConnected) document.body.appendChild(box);
  }

  function isOpen() {
    return current !== null && !box.hidden;
  }

  function fill(link) {
    var name = link.getAttribute("data-glossary-name") || link.textContent;
    var level = link.getAttribute("data-glossary-level") || "";
    nameEl.textContent = name;
    levelEl.textContent = LEVELS[level] || "";
    levelEl.className = LEVELS[level] ? "glossary-difficulty glossary-difficulty--" + level : "";
    levelEl.hidden = !LEVELS[level];
    summaryEl.textContent = link.getAttribute("data-glossary-summary") || "";
    openLink.textContent = "Open " + name;
    openLink.href = link.href;
  }

  function show(link, reason) {
    attach();
    clearTimeout(closeTimer);
    if (current !== link) {
      hide();
      current = link;
      fill(link);
    }
    reasons[reason] = true;
    openLink.hidden = !reasons.touch;
    box.classList.toggle("glossary-preview--touch", reasons.touch);
    if (box.hidden) {
      box.hidden = false;
      link.setAttribute("aria-describedby", tip.id);
    }
    place();
  }

  function hide() {
    clearTimeout(closeTimer);
    if (current) {
      if (current.getAttribute("aria-describedby") === "glossary-preview") current.removeAttribute("aria-describedby");
    }
    current = null;
    reasons = { hover: false, focus: false, touch: false };
    if (box) {
      box.hidden = true;
      openLink.hidden = true;
    }
  }

  function drop(reason) {
    reasons[reason] = false;
    if (!reasons.hover && !reasons.focus && !reasons.touch) hide();
  }

  function place() {
    if (!isOpen()) return;
    if (!current.isConnected) return hide();
    var r = current.getBoundingClientRect();
    var html = document.documentElement;
    var vw = html.clientWidth, vh = html.clientHeight;
    // Material's header is sticky: what sits under it cannot be seen.
    var header = document.querySelector(".md-header");
    var top0 = header ? Math.max(0, header.getBoundingClientRect().bottom) : 0;
    box.style.maxWidth = Math.max(120, Math.min(352, vw - 2 * MARGIN)) + "px";
    box.style.left = "0px";
    box.style.top = "0px";
    var w = box.offsetWidth, h = box.offsetHeight;
    var below = vh - r.bottom - GAP - MARGIN;
    var above = r.top - GAP - top0 - MARGIN;
    var downward = below >= h || below >= above;
    var y = downward ? r.bottom + GAP : r.top - GAP - h;
    var x = Math.max(MARGIN, Math.min(r.left, vw - w - MARGIN));
    box.style.left = Math.round(x) + "px";
    box.style.top = Math.round(y) + "px";
    box.setAttribute("data-side", downward ? "below" : "above");
  }

  function schedulePlace() {
    if (frame || !isOpen()) return;
    frame = requestAnimationFrame(function () {
      frame = 0;
      place();
    });
  }

  function linkOf(target) {
    return target && target.closest ? target.closest(LINK) : null;
  }

  function inBox(target) {
    return !!(box && target && box.contains(target));
  }

  /* ---- mouse (and pen): hover -------------------------------------------------------------------- */

  document.addEventListener("pointerover", function (ev) {
    if (ev.pointerType === "touch") return;
    var link = linkOf(ev.target);
    if (link) {
      if (link !== dismissed) show(link, "hover");
    } else if (inBox(ev.target)) {
      clearTimeout(closeTimer);
    }
  });

  document.addEventListener("pointerout", function (ev) {
    if (ev.pointerType === "touch") return;
    var from = linkOf(ev.target) || (inBox(ev.target) ? box : null);
    if (!from) return;
    var to = ev.relatedTarget;
    if (from === dismissed && linkOf(to) !== dismissed) dismissed = null;
    if (!isOpen() || !reasons.hover) return;
    if (to && (to === current || current.contains(to) || inBox(to))) return;
    clearTimeout(closeTimer);
    closeTimer = setTimeout(function () { drop("hover"); }, CLOSE_DELAY);
  });

  /* ---- keyboard: focus and Escape ------------------------------------------------------------------ */

  document.addEventListener("focusin", function (ev) {
    var link = linkOf(ev.target);
    if (link && link !== dismissed) show(link, "focus");
  });

  document.addEventListener("focusout", function (ev) {
    var link = linkOf(ev.target);
    if (!link) return;
    if (link === dismissed) dismissed = null;
    if (link !== current || inBox(ev.relatedTarget)) return;
    drop("focus");
  });

  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape" || !isOpen()) return;
    dismissed = current;
    hide();
  });

  /* ---- touch: first tap previews, second tap follows ---------------------------------------------- */

  document.addEventListener("pointerdown", function (ev) {
    var link = linkOf(ev.target);
    if (ev.pointerType === "touch" && link) {
      tap = { link: link, wasOpen: isOpen() && current === link && reasons.touch, time: Date.now() };
      return;
    }
    tap = null;
    if (isOpen() && !link && !inBox(ev.target) && (ev.pointerType === "touch" || reasons.touch)) hide();
  }, true);

  // Capture phase on the document: this runs before Material's instant navigation (a listener on
  // <body>), so a first tap neither loads the page nor changes the address.
  document.addEventListener("click", function (ev) {
    var link = linkOf(ev.target);
    var t = tap;
    tap = null;
    if (!link || !t || t.link !== link || Date.now() - t.time > TAP_WINDOW) return;
    if (t.wasOpen || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
    ev.preventDefault();
    ev.stopPropagation();
    dismissed = null;
    show(link, "touch");
  }, true);

  /* ---- keeping it in place ---------------------------------------------------------------------- */

  window.addEventListener("scroll", schedulePlace, { passive: true, capture: true });
  window.addEventListener("resize", schedulePlace, { passive: true });

  function onPage() {
    attach();
    hide();
    dismissed = null;
    tap = null;
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(onPage);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onPage);
  } else {
    onPage();
  }
})();
