"""A real browser: JupyterLab draws the timeline notebook offline, and an exported HTML
page draws from file://.

Debian's chromium (``make test`` installs it) driven by Python Playwright, with no
downloaded browser and background networking off; JupyterLab on a free loopback port
with no token. Any request that leaves the machine fails the test. Screenshots go to
``data/charts/`` (not committed) for a person to look at.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from analysis import export, run_corpus

from .conftest import ARTICLES, ROOT
from .contract_tables import write_contract_tables

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "data" / "charts"
NOTEBOOK = ROOT / "notebooks" / "02_timeline.ipynb"
# What a page shows when a chart did not draw: the CDN loader's error, vega-embed's
# error box, and the text Altair falls back to when no renderer knows the chart.
FAILURE_TEXTS = ["Error loading script", "JavaScript Error", "If you see this message", "<VegaLite", "Error displaying widget"]
WAIT_MS = 180_000


@pytest.fixture(scope="module")
def chromium() -> str:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install chromium)")
    return str(CHROMIUM)


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _notebook_reading(tables: Path, path: Path) -> Path:
    """02_timeline with its parameters cell followed by one that points at ``tables``
    (what papermill injects), saved without outputs for JupyterLab to run."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    index = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    injected = nbformat.v4.new_code_cell(f"# Parameters\ntables = {str(tables)!r}\n")
    injected.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(index + 1, injected)
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a free loopback port, no token, its root a folder with two copies of
    02_timeline: one on contract tables, one on the pipeline's tables for the seed."""
    root = tmp_path_factory.mktemp("lab")
    contract = write_contract_tables(root / "contract-tables")
    run_corpus(ARTICLES, root / "seed-tables")
    _notebook_reading(contract, root / "timeline-contract.ipynb")
    _notebook_reading(root / "seed-tables", root / "timeline-seed.ipynb")
    port = _free_port()
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR"):
        env[name] = str(root / ".jupyter" / name.lower())
    # No "get Jupyter news?" toast over the screenshots (and no fetching news).
    news = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false"}))
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--ServerApp.root_dir={root}", "--IdentityProvider.token=", "--ServerApp.password=",
        "--ServerApp.allow_root=True", "--ServerApp.disable_check_xsrf=True",
        "--LabApp.extension_manager=readonly", "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    log = (root / "lab.log").open("w")
    server = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                pytest.fail(f"jupyter lab exited: {(root / 'lab.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not answer: {(root / 'lab.log').read_text()[-2000:]}")
                time.sleep(0.5)
        yield url, root
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _watch_network(page, allowed_prefixes: tuple[str, ...]) -> list[str]:
    """Requests that leave the machine (recorded, and refused)."""
    outside: list[str] = []

    def route(route):
        if route.request.url.startswith(allowed_prefixes):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    return outside


def _start_kernel(url: str, path: str) -> None:
    """A kernel session for the notebook, as opening it in JupyterLab would start."""
    body = json.dumps({"path": path, "name": path, "type": "notebook", "kernel": {"name": "python3"}}).encode()
    request = urllib.request.Request(f"{url}/api/sessions", data=body, method="POST", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=60).read()


def _run_all_cells(page, url: str, name: str) -> None:
    _start_kernel(url, name)
    # A fresh workspace ("?reset"): only this notebook open, no tab restored from before.
    page.goto(f"{url}/lab/tree/{name}?reset", timeout=WAIT_MS)
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=WAIT_MS)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=WAIT_MS)
    # JupyterLab asks for a kernel if it has not attached to the session yet: pick the
    # preferred one, as a person would.
    dialog = page.locator(".jp-Dialog")
    try:
        dialog.wait_for(timeout=3000)
        page.click(".jp-Dialog button.jp-mod-accept")
    except Exception:
        pass
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


def _chart_outputs(page):
    return page.locator(".jp-OutputArea-output .vega-embed")


def _axis_labels(chart) -> list[str]:
    return chart.locator("g.role-axis-label text").evaluate_all("texts => texts.map(t => t.textContent)")


def _notebook_drawn(browser, url: str, name: str):
    """Open a notebook in a new page, run all its cells, wait for its three charts and
    check that no chart failed; returns the page, the charts and the outside requests."""
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    outside = _watch_network(page, (url, "data:", "blob:"))
    _run_all_cells(page, url, name)
    charts = _chart_outputs(page)
    charts.nth(2).locator("svg").first.wait_for(timeout=WAIT_MS)  # three chart cells
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=WAIT_MS)
    assert charts.count() == 3
    text = page.locator(".jp-Notebook").inner_text()
    for failure in FAILURE_TEXTS:
        assert failure not in text
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return page, charts, outside


def test_jupyterlab_draws_the_timeline_offline(browser, lab):
    url, _ = lab
    page, charts, outside = _notebook_drawn(browser, url, "timeline-contract.ipynb")
    first = charts.first
    first.scroll_into_view_if_needed()
    assert first.locator("svg g.mark-symbol path").count() > 0, "the timeline's points are drawn"
    assert first.locator("svg g.mark-rect path").count() > 0, "the timeline's spans are drawn"
    page.screenshot(path=str(SCREENSHOTS / "browser-02_timeline.png"))

    # Brush the last stretch of the overview strip: the chart above zooms to days.
    before = _axis_labels(first)
    title_box = first.get_by_text("Whole time range: drag here to zoom").bounding_box()
    svg_box = first.locator("svg").first.bounding_box()
    y = title_box["y"] - 45
    right = svg_box["x"] + svg_box["width"] - 30
    page.mouse.move(right - 12, y)
    page.mouse.down()
    page.mouse.move(right - 4, y, steps=5)
    page.mouse.up()
    page.wait_for_timeout(1000)
    after = _axis_labels(first)
    assert after != before, "brushing the strip zooms the timeline"
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    assert any(label.startswith(months) or re.match(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d", label) for label in after)
    page.screenshot(path=str(SCREENSHOTS / "browser-02_timeline-zoomed.png"))
    assert outside == [], f"the notebook reached the network: {outside[:5]}"
    page.close()


def test_jupyterlab_runs_the_timeline_on_the_seed_run(browser, lab):
    url, _ = lab
    page, charts, outside = _notebook_drawn(browser, url, "timeline-seed.ipynb")
    # Whatever the pipeline found, the chart draws: marks, or a chart that says there
    # is nothing to draw.
    assert charts.first.locator("svg g[class*='mark-'] path, svg g[class*='mark-'] text").count() > 0
    charts.first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "browser-02_timeline-seed.png"))
    assert outside == [], f"the notebook reached the network: {outside[:5]}"
    page.close()


def test_exported_html_draws_from_a_file(browser, tmp_path):
    tables = write_contract_tables(tmp_path / "tables")
    summary = export.export_run(tables, tmp_path / "charts", ["html"])
    page_path = next(Path(f) for f in summary.files if f.endswith("timeline.html"))
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    outside = _watch_network(page, ("file://", "data:", "blob:"))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(page_path.as_uri())
    page.wait_for_selector(".vega-embed svg g.mark-symbol path", timeout=WAIT_MS)
    assert page.locator(".vega-embed svg g.mark-rect path").count() > 0
    assert "What happened when" in page.locator(".vega-embed svg").first.evaluate("svg => svg.textContent")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "browser-timeline-html.png"), full_page=True)
    assert errors == []
    assert outside == [], f"the page reached the network: {outside[:5]}"
    page.close()
