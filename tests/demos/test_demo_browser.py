"""The live widgets in Debian's chromium, on the real site with the committed demos."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from _browser import Server, Watch, page_url, serve
from click.testing import CliRunner
from markupsafe import escape

from .conftest import DEMOS

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("demos")]

PROMPT = "Fine-tuning is"
KINDS = ("scratch", "pretrained", "finetuned")
ORT_MARKERS = ("/ort/", ".onnx", "ort.wasm", "ort-wasm", "/demos/")


def _ready(page: Any, state: str = "ready") -> str:
    sel = f'.glossary-demo[data-state="{state}"], .glossary-demo[data-state="error"]'
    page.wait_for_selector(sel)
    return str(page.get_attribute(".glossary-demo", "data-state"))


def _continue(page: Any, prompt: str, kinds: tuple[str, ...] = KINDS) -> dict[str, str]:
    page.fill(".glossary-demo-prompt", prompt)
    page.click(".glossary-demo-run")
    assert _ready(page, "done") == "done", page.inner_text(".glossary-demo-status")
    return {
        k: page.text_content(f'.glossary-demo-out[data-model="{k}"] .glossary-demo-continuation') or "" for k in kinds
    }


def _cli(prompt: str, *options: str, demo: str = "pretraining") -> dict[str, str]:
    pytest.importorskip("onnxruntime")
    from aiglossary_engine.cli import cli

    args = ["demo", demo, "--prompt", prompt, *options, "--format", "json", "--demos", str(DEMOS)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return {k: v["continuation"] for k, v in json.loads(result.output)["models"].items()}


def _manifest(demo: str) -> dict[str, Any]:
    return dict(json.loads((DEMOS / demo / "manifest.json").read_text("utf-8")))


def test_three_continuations_equal_the_terminal(demo_site: Server, page: Any) -> None:
    """Default decoding samples (temperature, top-k and seed from the manifest): the browser and
    `engine demo pretraining` write exactly the same characters, for the default seed and another."""
    page.goto(demo_site.url + "glossary/pre-training/")
    assert page.locator(".glossary-demo-claim").count() == 1
    assert page.locator("svg.glossary-chart").count() == 1
    assert _ready(page) == "ready", page.inner_text(".glossary-demo-status")
    gen = _manifest("pretraining")["generation"]
    assert page.input_value(".glossary-demo-seed") == str(gen["seed"])
    browser_out = _continue(page, PROMPT)
    assert browser_out == _cli(PROMPT)
    assert all(len(v) == gen["max_chars"] for v in browser_out.values())
    assert len(set(browser_out.values())) == 3, "three different models give three different continuations"
    assert f"temperature {gen['temperature']:.1f}" in page.inner_text(".glossary-demo-status")
    page.fill(".glossary-demo-seed", "42")
    second = "The model"
    assert _continue(page, second) == _cli(second, "--seed", "42")


def test_greedy_at_temperature_zero(demo_site: Server, page: Any) -> None:
    page.goto(demo_site.url + "glossary/fine-tuning/")
    _ready(page)
    page.locator(".glossary-demo-temperature").fill("0")
    assert _continue(page, PROMPT) == _cli(PROMPT, "--greedy")
    assert "Greedy" in page.inner_text(".glossary-demo-status")


def test_samples_are_in_the_page_without_the_widget(demo_site: Server, page: Any) -> None:
    """Three committed samples per model are rendered at build time: there before any script runs."""
    html = (demo_site.root / "glossary" / "pre-training" / "index.html").read_text("utf-8")
    manifest = _manifest("pretraining")
    assert html.count('class="glossary-demo-sample"') == 3
    for sample in manifest["samples"]:
        for kind in KINDS:
            assert str(escape(sample[kind])) in html
    for kind in KINDS:
        assert f"{100 * manifest['models'][kind]['word_validity']:.0f}%" in html


def test_quantisation_widget_equals_the_terminal(demo_site: Server, page: Any) -> None:
    page.goto(demo_site.url + "glossary/quantisation/")
    assert page.locator('.glossary-demo[data-demo="quantisation"]').count() == 1
    assert page.locator('.glossary-demo[data-demo="pretraining"]').count() == 0
    claim = page.inner_text(".glossary-demo-claim")
    m = _manifest("quantisation")["metrics"]
    assert f"int8 is {m['size_ratio']:.1f}× smaller" in claim and f"{100 * m['argmax_agreement']:.1f}%" in claim
    assert page.locator("svg.glossary-histogram title").count() == 1
    assert _ready(page) == "ready", page.inner_text(".glossary-demo-status")
    for kind in ("fp32", "int8"):
        assert float(page.get_attribute(f'.glossary-demo-out[data-model="{kind}"]', "data-load-ms") or 0) > 0
    kinds = ("fp32", "int8")
    assert _continue(page, PROMPT, kinds) == _cli(PROMPT, demo="quantisation")
    for kind in kinds:
        assert float(page.get_attribute(f'.glossary-demo-out[data-model="{kind}"]', "data-ms-per-char") or 0) > 0
        figure = page.text_content(f'.glossary-demo-out[data-model="{kind}"] [data-figure="per-char"]') or ""
        assert figure.endswith(" ms")
    page.fill(".glossary-demo-seed", "9")
    # Another prompt and seed, both files. (With quantize_dynamic's integer kernels the int8 text parted
    # from the terminal's here; weight-only int8 with basic optimisations runs float arithmetic in both.)
    browser, terminal = _continue(page, "Weights are", kinds), _cli("Weights are", "--seed", "9", demo="quantisation")
    assert browser == terminal, (browser, terminal)


def test_draw_a_digit(demo_site: Server, page: Any) -> None:
    page.goto(demo_site.url + "glossary/self-supervised-learning/")
    assert _ready(page) == "ready", page.inner_text(".glossary-demo-status")
    canvas = page.locator(".glossary-demo-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + 0.5 * w, y + 0.15 * h)  # a "1": one vertical stroke
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(x + 0.5 * w, y + (0.15 + 0.07 * i) * h)
    page.mouse.up()
    _ready(page, "done")
    for kind in ("pretrained", "scratch"):
        guess = page.text_content(f'.glossary-demo-out[data-model="{kind}"] .glossary-demo-guess')
        assert guess is not None and guess.strip().isdigit()
        values = page.locator(f'.glossary-demo-probs[data-model="{kind}"] .glossary-demo-bar-value').all_text_contents()
        assert len(values) == 10 and 95 <= sum(int(v.rstrip("%")) for v in values) <= 105
    page.click(".glossary-demo-clear")
    assert page.text_content('.glossary-demo-out[data-model="scratch"] .glossary-demo-guess') == "–"


def test_leave_and_come_back_with_instant_navigation(demo_site: Server, page: Any) -> None:
    page.goto(demo_site.url + "glossary/pre-training/")
    _ready(page)
    page.evaluate("window.__sameDocument = true")
    page.locator('article a.glossary-term[href$="neural-network/"]').first.click()
    page.wait_for_url(page_url("glossary/neural-network/"))
    page.wait_for_function("document.querySelector('.glossary-demo') === null")
    page.go_back()
    page.wait_for_url(page_url("glossary/pre-training/"))
    assert _ready(page) == "ready"
    assert page.evaluate("window.__sameDocument === true"), "instant navigation kept the document"
    assert _continue(page, PROMPT) == _cli(PROMPT)


def test_plain_pages_request_no_ort_file(demo_site: Server, page: Any, watch: Watch) -> None:
    for path in ("", "glossary/attention/", "glossary/"):
        page.goto(demo_site.url + path)
        page.wait_for_load_state("networkidle")
    assert watch.requests, "the network log is empty"
    assert [u for u in watch.requests if any(m in u for m in ORT_MARKERS)] == []


def test_a_demo_page_fetches_each_file_once_and_all_at_the_start(demo_site: Server, page: Any, watch: Watch) -> None:
    """The widget hands ORT its WebAssembly binary, fetched beside the models as the script runs: one
    download of each file, and the binary's request does not wait for the models to arrive."""
    page.goto(demo_site.url + "glossary/pre-training/")
    assert _ready(page) == "ready", page.inner_text(".glossary-demo-status")
    files = _manifest("pretraining")["models"]
    wanted = ["ort-wasm-simd-threaded.wasm"] + [files[k]["file"] for k in ("scratch", "pretrained", "finetuned")]
    names = [u.rsplit("/", 1)[-1] for u in watch.requests]
    assert {name: names.count(name) for name in wanted} == dict.fromkeys(wanted, 1), names
    starts = page.evaluate(
        "() => Object.fromEntries(performance.getEntriesByType('resource')"
        ".map((e) => [e.name.split('/').pop(), [e.startTime, e.responseEnd]]))"
    )
    models_in = max(starts[name][1] for name in wanted[1:])
    assert starts["ort-wasm-simd-threaded.wasm"][0] < models_in, starts


def test_text_appears_as_it_is_generated(demo_site: Server, page: Any) -> None:
    """The page stays responsive during a generation: a script (like a paint, a scroll or a click) runs
    while it is under way and sees part of the text, not the page frozen until all of it is done."""
    page.goto(demo_site.url + "glossary/pre-training/")
    assert _ready(page) == "ready", page.inner_text(".glossary-demo-status")
    total = int(_manifest("pretraining")["generation"]["max_chars"])
    page.click(".glossary-demo-run")
    seen = []
    while True:
        state, shown = page.evaluate(
            """() => [document.querySelector('.glossary-demo').dataset.state,
                      document.querySelector('.glossary-demo-out[data-model="finetuned"] .glossary-demo-continuation')
                        .textContent.length]"""
        )
        seen.append((state, shown))
        if state in ("done", "error"):
            break
    assert state == "done", page.inner_text(".glossary-demo-status")
    partial = [n for s, n in seen if s == "running" and 0 < n < total]
    assert len(partial) >= 2, seen


@pytest.fixture
def broken_site(demo_site: Server, tmp_path: Path) -> Any:
    """A copy of the built site whose fine-tuned model is damaged after the (checked) build."""
    root = tmp_path / "site"
    shutil.copytree(demo_site.root, root)
    model = root / "demos" / "pretraining" / "finetuned.int8.onnx"
    model.write_bytes(b"not an onnx model" * 64)
    server = serve(root)
    yield server
    server.close()


def test_a_corrupted_model_says_so(broken_site: Server, browser: Any) -> None:
    context = browser.new_context()
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1:") else r.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(broken_site.url + "glossary/pre-training/")
    assert _ready(page) == "error"
    status = page.inner_text(".glossary-demo-status")
    assert "cannot run" in status and "finetuned.int8.onnx" in status
    assert page.locator(".glossary-demo-claim").is_visible()  # the rest of the page works
    assert errors == []
    context.close()


def test_without_webassembly_the_widget_says_so(demo_site: Server, browser: Any) -> None:
    context = browser.new_context()
    context.add_init_script("delete window.WebAssembly;")
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1:") else r.abort())
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(demo_site.url + "glossary/self-supervised-learning/")
    assert _ready(page) == "error"
    assert "does not provide WebAssembly" in page.inner_text(".glossary-demo-status")
    assert page.locator("svg.glossary-chart").is_visible()
    assert not [u for u in requests if "ort" in u.rsplit("/", 1)[-1] or u.endswith(".onnx")]
    context.close()
