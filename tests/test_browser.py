"""A real browser (Debian's headless chromium, driven by Playwright) against a real server on a free port."""

import os
import shutil
import threading

import pytest
import waitress
from playwright.sync_api import sync_playwright

pytestmark = pytest.mark.browser
QUESTION = "what did the Refugee Council say about riots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server_url(app):
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    stopped = threading.Event()
    thread = threading.Thread(target=run_until_closed, args=(server, stopped), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    stopped.set()
    server.close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(server_url):
    if not shutil.which("chromium") and not os.path.exists(CHROMIUM):
        pytest.skip("no chromium on this machine: `make browser` installs Debian's chromium (needs root and apt)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 800})
        yield page
        browser.close()


def test_typing_the_question_shows_the_race_riots_paragraph_first_and_links_to_it(page, server_url, tmp_path):
    page.goto(server_url + "/")
    page.fill("input[name=q]", QUESTION)
    page.click("button[type=submit]")
    page.wait_for_selector("ol.results li.hit")
    first = page.locator("ol.results li.hit").first
    assert "race riots" in first.locator(".snippet").inner_text()
    assert first.locator(".snippet mark").first.inner_text() == "riots"
    assert page.input_value("input[name=q]") == QUESTION
    page.screenshot(path=str(tmp_path / "results.png"), full_page=True)
    assert (tmp_path / "results.png").stat().st_size > 10_000

    first.locator("a.title").click()
    page.wait_for_selector("p.paragraph.hit")
    hit = page.locator("p.paragraph.hit")
    assert "race riots" in hit.inner_text()
    assert page.url.endswith(f"#{hit.get_attribute('id')}")
    box = hit.bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"], "the hit paragraph is not in view"


def test_the_page_works_offline_with_no_remote_resources(page, server_url):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(server_url + "/?q=riots")
    page.wait_for_selector("ol.results")
    assert requests and all(url.startswith(server_url) for url in requests)


def run_until_closed(server, stopped: threading.Event) -> None:
    """Serve until the test closes the server; the error its loop raises on a closed socket then is expected."""
    try:
        server.run()
    except (OSError, ValueError):
        if not stopped.is_set():
            raise
