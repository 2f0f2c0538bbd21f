"""The term graph in the browser: layout and first render at 1,000 terms, against the old layout.

For each size this script writes a synthetic glossary with the site benchmark's generator
(``bench/site_scale.py``: valid entries, three or four typed relations each, learning tracks of 20
terms), builds it with ``mkdocs build`` (the real plugin; the build time is printed too), serves the
site on 127.0.0.1 and opens its graph page in headless chromium (Debian's ``/usr/bin/chromium``).
With ``--real`` it does the same for this repository's own glossary (173 terms).

Measured in one run, side by side, on the same data in the same page:

- **page load** (as a reader gets it): the page's own marks from ``glossary-graph.js``: the layout
  (``layout-start`` → ``layout-end``), the first render (SVG built, positions and labels set:
  ``layout-end`` → ``rendered``), and up to the next two animation frames (style, layout and paint
  of that SVG by the browser); the median of ``--loads`` fresh page loads; on the same loads, the
  main thread's CPU time from the moment the graph's data is let through (held back until the page
  has loaded and settled) to the graph's first two frames;
- **CPU time** of the page's main thread (DevTools' ``ThreadTime``; other jobs on a shared machine
  stretch wall time but not this), median of ``--repeat`` runs in the last loaded page: the whole job
  again in the same place, the drawn graph taken away first (layout, SVG, positions, labels, and the
  browser's next two frames: style, layout and paint of it),
  the new layout alone (``GlossaryGraph.layout``: grid repulsion, a fixed 200 steps) and the
  **baseline**, the layout of the previous graph script (all pairs repelled, 300 steps; taken from
  git at ``--baseline-rev``), whose page skipped it above 600 terms and drew a plain circle instead.
  Baseline/new is printed.

    .venv/bin/python bench/graph_layout_bench.py --sizes 1000 --real
    .venv/bin/python bench/graph_layout_bench.py --sizes 1000 --real --update-docs docs/benchmarks.md

A benchmark, not a test: nothing here asserts a time (the target is < 1 s for layout + first render
at 1,000 terms).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import site_scale  # noqa: E402  (the generator of the site benchmark)

CHROMIUM = os.environ.get("AIGLOSSARY_CHROMIUM", "/usr/bin/chromium")
MKDOCS = str(Path(sys.executable).parent / "mkdocs")
SECTION = "## Term graph in the browser"

PAGE_MARKS = """() => {
  const t = {};
  for (const m of performance.getEntriesByType('mark')) t[m.name.replace('glossary-graph:', '')] = m.startTime;
  return t;
}"""
NEXT_FRAMES = (
    """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now()))))"""
)


def baseline_layout(rev: str) -> str:
    """The ``layout`` function of the previous graph script, with its 600-node cut-off removed."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:plugin/aiglossary/assets/glossary.js"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"^  function layout\(nodes, links, width, height\) \{.*?^  \}$", source, re.M | re.S)
    if not match:
        raise SystemExit(f"no layout() in glossary.js at {rev}")
    body = match.group(0)
    cut = "    if (n > 600) return; // very large graphs keep the circle\n"
    if cut not in body:
        raise SystemExit("the baseline's cut-off line changed; update this script")
    return body.replace(cut, "")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"


def build(config: Path, site: Path) -> float:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    start = time.perf_counter()
    proc = subprocess.run(
        [MKDOCS, "build", "-q", "-f", str(config), "-d", str(site)], env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise SystemExit(f"mkdocs build of {config} failed:\n{proc.stderr[-3000:]}")
    return time.perf_counter() - start


def synthetic_project(n: int, base: Path) -> Path:
    terms = site_scale.make_terms(n)
    site_scale.fill_entries(terms)
    root = base / f"graph-{n}"
    config = site_scale.write_plugin(root, terms, [])
    # No docs pages and no search: only what the graph page needs.
    cfg = json.loads(config.read_text("utf-8"))
    cfg["plugins"] = ["glossary"]
    cfg["nav"] = [{"Home": "index.md"}, {"Glossary": "glossary/index.md"}]
    config.write_text(json.dumps(cfg, indent=1), "utf-8")
    return config


SETTLE = """async () => {
  // Not measured: take the drawn graph away and let the page draw itself without it.
  const box = document.getElementById('glossary-graph');
  window.__graphData = window.__graphData || box.glossaryGraph.data;
  box.textContent = '';
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
}"""
FULL_RUN = """async () => {
  // The whole page-side job again, in the same place: layout, SVG, positions, labels, and the
  // browser's style, layout and paint of the result (the next two frames).
  const box = document.getElementById('glossary-graph');
  box.glossaryGraph = new GlossaryGraph.Graph(box, window.__graphData);
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
}"""
ONLY_LAYOUT = """async ([which, baselineSource]) => {
  const data = window.__graphData || document.getElementById('glossary-graph').glossaryGraph.data;
  const n = data.nodes.length;
  if (which === 'new') {
    const src = new Int32Array(data.links.map(l => l[0])), dst = new Int32Array(data.links.map(l => l[1]));
    GlossaryGraph.layout(n, src, dst);
  } else {
    const baseline = new Function(baselineSource + '\\nreturn layout;')();
    const nodes = data.nodes.map(() => ({}));
    baseline(nodes, data.links.map(l => ({s: nodes[l[0]], t: nodes[l[1]]})), 900, 640);
  }
}"""


class _Held:
    """A route handler that holds requests back until the caller lets them through."""

    def __init__(self) -> None:
        self.routes: list[Any] = []

    def __call__(self, route: Any) -> None:
        self.routes.append(route)


def _thread_time(cdp: Any) -> float:
    """Seconds of CPU time the page's main thread has used (DevTools' ThreadTime)."""
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return float(next(m["value"] for m in metrics if m["name"] == "ThreadTime"))


def _cpu(cdp: Any, page: Any, script: str, arg: Any = None) -> float:
    """Milliseconds of the page's main-thread CPU time spent running ``script``."""
    before = _thread_time(cdp)
    page.evaluate(script, arg)
    return (_thread_time(cdp) - before) * 1000


def measure(browser: Any, url: str, baseline: str, loads: int, repeat: int) -> dict[str, Any]:
    page_runs = []
    cpu: dict[str, list[float]] = {"full": [], "new": [], "baseline": []}
    for load in range(loads):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        # CPU time, not only wall time: on a shared machine other jobs stretch wall time, not this.
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
        # The graph's data is held back until the page has loaded and settled, so that the main
        # thread's CPU time from then to the graph's first two frames is the graph's work alone
        # (data parsed, layout with a cold JIT, render, style, layout and paint).
        held = _Held()
        page.route("**/glossary-graph.json", held)
        page.goto(url + "glossary/graph/")
        page.wait_for_load_state("load")
        while not held.routes:
            page.wait_for_timeout(50)
        page.wait_for_timeout(1500)
        page.evaluate(NEXT_FRAMES)
        before = _thread_time(cdp)
        held.routes[0].continue_()
        page.wait_for_selector("#glossary-graph[data-ready]", timeout=120_000)
        frames = page.evaluate(NEXT_FRAMES)
        cold = (_thread_time(cdp) - before) * 1000
        marks = page.evaluate(PAGE_MARKS)
        page_runs.append(
            {
                "layout": marks["layout-end"] - marks["layout-start"],
                "render": marks["rendered"] - marks["layout-end"],
                "frame": frames - marks["rendered"],
                "labels": page.locator(".glossary-graph-node.has-label").count(),
                "cold": cold,
            }
        )
        if load == loads - 1:
            for _ in range(repeat):
                page.evaluate(SETTLE)
                cpu["full"].append(_cpu(cdp, page, FULL_RUN))
                cpu["new"].append(_cpu(cdp, page, ONLY_LAYOUT, ["new", baseline]))
                cpu["baseline"].append(_cpu(cdp, page, ONLY_LAYOUT, ["baseline", baseline]))
            info = page.evaluate(
                "() => { const d = document.getElementById('glossary-graph').glossaryGraph.data;"
                " return {n: d.nodes.length, links: d.links.length}; }"
            )
        context.close()
    med = {k: statistics.median(r[k] for r in page_runs) for k in ("layout", "render", "frame", "labels", "cold")}
    return {
        "n": info["n"],
        "links": info["links"],
        "page": med,
        "full": statistics.median(cpu["full"]),
        "new": statistics.median(cpu["new"]),
        "baseline": statistics.median(cpu["baseline"]),
    }


def table(rows: list[dict[str, Any]]) -> str:
    out = [
        "| Glossary | Terms | Links | Build (s) | Page load: layout (ms) | first render (ms) "
        "| layout + render (ms) | next 2 frames (ms) | Labels | CPU, page load: data to 2 frames (ms) "
        "| CPU, again: layout + render + 2 frames (ms) | CPU: layout (ms) | CPU: baseline layout (ms) | Baseline/new |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        p = r["page"]
        out.append(
            f"| {r['name']} | {r['n']:,} | {r['links']:,} | {r['build']:.1f} | {p['layout']:.0f} | {p['render']:.0f} "
            f"| **{p['layout'] + p['render']:.0f}** | {p['frame']:.0f} | {p['labels']:.0f} | **{p['cold']:.0f}** "
            f"| {r['full']:.0f} "
            f"| {r['new']:.0f} | {r['baseline']:.0f} | {r['baseline'] / r['new']:.1f}× |"
        )
    return "\n".join(out)


def update_docs(path: Path, body: str) -> None:
    text = path.read_text("utf-8") if path.exists() else "# Benchmarks\n\n"
    start = text.find(SECTION)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + body
    else:
        nxt = text.find("\n## ", start + len(SECTION))
        tail = text[nxt + 1 :] if nxt != -1 else ""
        text = text[:start] + body + ("\n" + tail if tail else "")
    path.write_text(text.rstrip("\n") + "\n", "utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000", help="synthetic glossary sizes, comma-separated (default 1000)")
    ap.add_argument("--real", action="store_true", help="also measure this repository's glossary")
    ap.add_argument("--loads", type=int, default=3, help="fresh page loads per glossary (median kept)")
    ap.add_argument("--repeat", type=int, default=3, help="in-page layout runs, new and baseline (median kept)")
    ap.add_argument("--baseline-rev", default="6319fe6", help="git revision whose glossary.js holds the old layout")
    ap.add_argument("--update-docs", metavar="PATH", help="write the results into PATH's section " + repr(SECTION))
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    baseline = baseline_layout(args.baseline_rev)
    load = os.getloadavg()[0]
    base = Path(tempfile.mkdtemp(prefix="graph-bench-"))
    rows = []
    from playwright.sync_api import sync_playwright

    try:
        projects: list[tuple[str, Path]] = []
        if args.real:
            projects.append(("this repository's", ROOT / "mkdocs.yml"))
        projects += [(f"synthetic {n:,}", synthetic_project(n, base)) for n in sizes]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
            for name, config in projects:
                site = base / f"site-{len(rows)}"
                seconds = build(config, site)
                httpd, url = serve(site)
                try:
                    result = measure(browser, url, baseline, args.loads, args.repeat)
                finally:
                    httpd.shutdown()
                result.update(name=name, build=seconds)
                rows.append(result)
                p_ = result["page"]
                print(
                    f"{name}: {result['n']} terms, page load: layout {p_['layout']:.0f} ms + first render"
                    f" {p_['render']:.0f} ms = {p_['layout'] + p_['render']:.0f} ms wall (+{p_['frame']:.0f} ms to the"
                    f" next frames); CPU: page load {p_['cold']:.0f} ms, again {result['full']:.0f} ms, layout {result['new']:.0f} ms"
                    f" vs baseline {result['baseline']:.0f} ms ({result['baseline'] / result['new']:.1f}×)",
                    flush=True,
                )
            browser.close()
    finally:
        shutil.rmtree(base, ignore_errors=True)
    out = table(rows)
    print("\n" + out)
    if args.update_docs:
        command = ".venv/bin/python bench/graph_layout_bench.py " + " ".join(
            a for a in (argv if argv is not None else sys.argv[1:]) if not a.startswith("--update-docs")
        )
        command = re.sub(r"\s+docs/\S+\.md", "", command).strip()
        rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        body = "\n".join(
            [
                SECTION,
                "",
                "The graph page's work in the browser, measured in headless chromium on a 1280×900 viewport.",
                "Page load (wall time): the layout, the first render (SVG built, positions and labels placed)",
                "and the browser's next two frames, as marked by `glossary-graph.js` on fresh page loads (median",
                f"of {args.loads}). CPU (DevTools' `ThreadTime` of the page's main thread, which other jobs on a",
                "shared machine do not stretch): on those page loads, from the moment the graph's data is let",
                "through (held back until the page has loaded and settled) to the graph's first two frames: JSON",
                "parsed, layout with a cold JIT, render, and the browser's style, layout and paint; then, median",
                f"of {args.repeat} runs in one page: the same job again (warm), the layout alone, and the baseline:",
                "the previous graph script's layout (all pairs repelled, 300 steps), which that page skipped",
                "above 600 terms (it drew a circle).",
                "Synthetic glossaries come from `bench/site_scale.py`'s",
                f"generator. Measured {time.strftime('%Y-%m-%d')} at commit {rev.stdout.strip()} on {os.cpu_count()} CPU cores",
                f"({platform.machine()}, Python {platform.python_version()}, Chromium headless); the 1-minute load",
                f"average was {load:.1f} when the run started (the machine is shared: compare ratios).",
                "",
                "```sh",
                command,
                "```",
                "",
                out,
                "",
                "Target: layout + first render < 1 s at 1,000 terms. Not a timed test: the browser tests check",
                "that a 1,000-term graph renders, with non-overlapping labels, and that focus works at that size.",
                "",
            ]
        )
        update_docs(Path(args.update_docs), body)
        print(f"wrote {args.update_docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
