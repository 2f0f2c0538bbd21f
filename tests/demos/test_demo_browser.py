"""The live widgets in Debian's chromium, on the real site with the committed demos."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from _browser import Server, Watch, serve
from click.testing import CliRunner

from .conftest import DEMOS

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("demos")]

PROMPT = "Fine-tuning is"
KINDS = ("scratch", "pretrained", "finetuned")
ORT_MARKERS = ("/ort/", ".onnx", "ort.wasm", "ort-wasm", "/demos/")


def _ready(page: Any, state: str = "ready") -> str:
    sel = f'.glossary-demo[data-state="{state}"], .glossary-demo[data-state="error"]'
    page.wait_for_selector(sel)
    return str(page.get_attribute(".glossary-demo", "data-state"))


def _continue(page: Any, prompt: str) -> dict[str, str]:
    page.fill(".glossary-demo-prompt", prompt)
    page.click(".glossary-demo-run")
    assert _ready(page, "done") == "done", page.inner_text(".glossary-demo-status")
    return {
        k: page.text_content(f'.glossary-demo-out[data-model="{k}"] .glossary-demo-continuation') or "" for k in KINDS
    }


def _cli(prompt: str) -> dict[str, str]:
    pytest.importorskip("onnxruntime")
    from aiglossary_engine.cli import cli

    result = CliRunner().invoke(cli, ["demo", "pretraining", "--prompt", prompt, "--json", "--demos", str(DEMOS)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    return {k: data[k] for k in KINDS}


def test_three_continuations_equal_the_terminal(demo_site: Server, page: Any) -> None:
    page.goto(demo_site.url + "glossary/pre-training/")
    assert page.locator(".glossary-demo-claim").count() == 1
    assert page.locator("svg.glossary-chart").count() == 1
    assert _ready(page) == "ready", page.inner_text(".glossary-demo-status")
    browser_out = _continue(page, PROMPT)
    assert browser_out == _cli(PROMPT)
    assert len(set(browser_out.values())) == 3, "three different models give three different continuations"
    second = "The model"
    assert _continue(page, second) == _cli(second)


def test_temperature_samples(demo_site: Server, page: Any) -> None:
    page.goto(demo_site.url + "glossary/fine-tuning/")
    _ready(page)
    page.locator(".glossary-demo-temperature").fill("1")
    out = _continue(page, PROMPT)
    assert all(len(v) == 100 for v in out.values())
    assert "temperature 1.0" in page.inner_text(".glossary-demo-status")


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
    page.wait_for_url("**/glossary/neural-network/")
    page.wait_for_function("document.querySelector('.glossary-demo') === null")
    page.go_back()
    page.wait_for_url("**/glossary/pre-training/")
    assert _ready(page) == "ready"
    assert page.evaluate("window.__sameDocument === true"), "instant navigation kept the document"
    assert _continue(page, PROMPT) == _cli(PROMPT)


def test_plain_pages_request_no_ort_file(demo_site: Server, page: Any, watch: Watch) -> None:
    for path in ("", "glossary/attention/", "glossary/"):
        page.goto(demo_site.url + path)
        page.wait_for_load_state("networkidle")
    assert watch.requests, "the network log is empty"
    assert [u for u in watch.requests if any(m in u for m in ORT_MARKERS)] == []


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
