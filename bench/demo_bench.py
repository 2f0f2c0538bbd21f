"""Benchmark of the live demos in headless Debian chromium (real clock).

Builds the real site (with the committed ``docs/demos/``), serves it on 127.0.0.1 and measures

* for each text demo (pretraining: three models; quantisation: fp32 and int8), the time from opening
  the page to "models ready", median over --runs fresh browser contexts (target <= 3 s), and generated characters per
  second: every model continues a prompt by the manifest's number of characters with the default
  sampling, timed from the click to the last character (target >= 200 chars/s);
* the digits widget's latency from a stroke to both models' probabilities;
* the transfer size of a demo page (everything it loads, ORT and models included) against a plain term
  page, as chromium reports it (encoded body + headers), and the same with gzip as a server would send it.

Usage: .venv/bin/python bench/demo_bench.py [--runs 5] [--write docs/benchmarks-demos.md]
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("AIGLOSSARY_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PROMPTS = ["Fine-tuning is", "A neural network", "The model learns", "Attention lets", "Tokens are"]
DEMO_PAGE = "glossary/pre-training/"
QUANT_PAGE = "glossary/quantisation/"
TEXT_DEMOS = {"pretraining": (DEMO_PAGE, 3), "quantisation": (QUANT_PAGE, 2)}
DIGITS_PAGE = "glossary/self-supervised-learning/"
PLAIN_PAGE = "glossary/attention/"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def build(site: Path, url: str) -> None:
    code = (
        "import sys\nfrom mkdocs.commands.build import build\nfrom mkdocs.config import load_config\n"
        "build(load_config(config_file=sys.argv[1], site_dir=sys.argv[2], site_url=sys.argv[3]))"
    )
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "mkdocs.yml"), str(site), url], check=True, env=env, cwd=ROOT
    )


def page_weight(browser: Any, url: str, site: Path, wait: str) -> tuple[int, int, int]:
    """(requests, bytes as transferred, bytes if gzip-compressed) of loading ``url`` in a fresh context."""
    context = browser.new_context()
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1:") else r.abort())
    page = context.new_page()
    done: list[Any] = []
    page.on("requestfinished", lambda req: done.append(req))
    page.goto(url)
    page.wait_for_selector(wait, timeout=60_000)
    page.wait_for_load_state("networkidle")
    transferred, gzipped = 0, 0
    base = url.split("/glossary/")[0] + "/"
    for req in done:
        sizes = req.sizes()
        transferred += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        path = site / req.url[len(base) :].split("?")[0].split("#")[0]
        if path.is_dir():
            path = path / "index.html"
        if path.is_file():
            gzipped += len(gzip.compress(path.read_bytes(), 6)) + sizes["responseHeadersSize"]
    context.close()
    return len(done), transferred, gzipped


def text_demo(browser: Any, url: str, path: str, models: int, chars: int, runs: int) -> dict[str, Any]:
    """Readiness time (fresh context, nothing cached) and generated characters per second of one demo."""
    ready = []
    outside: list[str] = []
    for _ in range(runs):  # each in a fresh context: nothing cached, as a reader's first visit
        # Requests are watched, not intercepted: routing every request through the driver would add
        # its round trips to the time measured. A request that leaves 127.0.0.1 fails the bench.
        context = browser.new_context()
        context.on("request", lambda r: None if r.url.startswith(url) else outside.append(r.url))
        page = context.new_page()
        t0 = time.perf_counter()
        page.goto(url + path)
        page.wait_for_selector('.glossary-demo[data-state="ready"]', timeout=60_000)
        ready.append(time.perf_counter() - t0)
        context.close()
    if outside:
        raise SystemExit(f"the demo page requested files outside the site: {sorted(set(outside))}")
    context = browser.new_context()
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url) else r.abort())
    page = context.new_page()
    page.goto(url + path)
    page.wait_for_selector('.glossary-demo[data-state="ready"]', timeout=60_000)
    rates, page_rates = [], []
    for i in range(runs + 1):  # the first run warms up
        page.fill(".glossary-demo-prompt", PROMPTS[i % len(PROMPTS)])
        start = time.perf_counter()
        page.click(".glossary-demo-run")
        page.wait_for_selector('.glossary-demo[data-state="done"]', timeout=120_000)
        secs = time.perf_counter() - start
        if i:
            rates.append(models * chars / secs)
            page_rates.append(float(page.get_attribute(".glossary-demo", "data-chars-per-second") or 0))
    context.close()
    return {"ready": ready, "rates": rates, "page_rates": page_rates, "models": models, "chars": chars}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="Timed generations (one prompt each).")
    parser.add_argument("--write", type=Path, help="Write the results as Markdown to this file.")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        site.mkdir()
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{httpd.server_address[1]}/"
        build(site, url)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            import json

            text = {}
            for demo, (path, models) in TEXT_DEMOS.items():
                manifest = json.loads((ROOT / "docs" / "demos" / demo / "manifest.json").read_text("utf-8"))
                chars = int(manifest["generation"]["max_chars"])
                text[demo] = text_demo(browser, url, path, models, chars, args.runs)
            context = browser.new_context()
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url) else r.abort())
            page = context.new_page()
            # digits: one stroke, time to both models' probabilities
            page.goto(url + DIGITS_PAGE)
            page.wait_for_selector('.glossary-demo[data-state="ready"]', timeout=60_000)
            canvas = page.locator(".glossary-demo-canvas")
            canvas.scroll_into_view_if_needed()
            box = canvas.bounding_box()
            assert box is not None
            lat = []
            for _ in range(5):
                page.click(".glossary-demo-clear")
                page.evaluate("document.querySelector('.glossary-demo').setAttribute('data-state', 'ready')")
                start = time.perf_counter()
                page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 20)
                page.mouse.down()
                page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 20)
                page.mouse.up()
                page.wait_for_selector('.glossary-demo[data-state="done"]')
                lat.append(1000 * (time.perf_counter() - start))
            context.close()
            demo = page_weight(browser, url + DEMO_PAGE, site, '.glossary-demo[data-state="ready"]')
            plain = page_weight(browser, url + PLAIN_PAGE, site, "article")
            browser.close()
        httpd.shutdown()

    cpu = platform.processor() or platform.machine()
    lines = []
    for name, r in text.items():
        rates = r["rates"]
        lines += [
            f"- {name}: models ready **{statistics.median(r['ready']):.2f} s** after opening {TEXT_DEMOS[name][0]} "
            f"(median of {len(r['ready'])} fresh browser contexts, range {min(r['ready']):.2f}-{max(r['ready']):.2f}; "
            f"the first is the browser's first page); generated characters per second ({r['models']} models x {r['chars']} characters, default "
            f"sampling, click to last character, median of {args.runs}): **{statistics.median(rates):.0f} chars/s** "
            f"(range {min(rates):.0f}-{max(rates):.0f}; the page's own clock: {statistics.median(r['page_rates']):.0f})",
        ]
    lines += [
        f"- digits widget, stroke to both models' probabilities: median {statistics.median(lat):.0f} ms",
        f"- demo page ({DEMO_PAGE}): {demo[0]} requests, {demo[1] / 1024:,.0f} KiB transferred "
        f"({demo[2] / 1024:,.0f} KiB with gzip)",
        f"- plain term page ({PLAIN_PAGE}): {plain[0]} requests, {plain[1] / 1024:,.0f} KiB transferred "
        f"({plain[2] / 1024:,.0f} KiB with gzip)",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        args.write.write_text(
            "# Live demo benchmark\n\n"
            "Measured by `bench/demo_bench.py` in headless Debian chromium (single-threaded onnxruntime-web 1.30, "
            "no cross-origin isolation), served by Python's `http.server` without compression, on "
            f"{os.cpu_count()} CPU cores ({cpu}), real clock.\n\n"
            "```\n.venv/bin/python bench/demo_bench.py --runs "
            f"{args.runs} --write docs/benchmarks-demos.md\n```\n\n{text}\n\n"
            "The demo page's weight is almost all onnxruntime-web's WebAssembly binary "
            "(`ort-wasm-simd-threaded.wasm`) and the three int8 models; plain pages load none of it "
            "(a browser test checks the network log). Targets (issue 10): models ready within 3 s, and at "
            "least 200 generated characters per second.\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
