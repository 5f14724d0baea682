"""A real browser (Debian's headless chromium, driven by Playwright) against a real server on a free port."""

import csv
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import waitress
from playwright.sync_api import sync_playwright

pytestmark = pytest.mark.browser
QUESTION = "what did the Refugee Council say about riots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DOCS = Path(__file__).resolve().parent.parent / "docs"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


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
    assert "race riots" in first.locator(".snippet").first.inner_text()
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


def test_the_article_view_puts_the_race_riots_article_first_with_who_said_it(page, server_url, tmp_path):
    """Also the README's screenshot: `UPDATE_SCREENSHOTS=1 pytest tests/test_browser.py` rewrites
    docs/search-page.png (any other run writes it to a temporary folder, so the tree stays clean)."""
    page.goto(server_url + "/")
    page.fill("input[name=q]", QUESTION)
    page.click("button[type=submit]")
    page.wait_for_selector("ol.results li.article")
    first = page.locator("ol.results li.article").first
    assert "race riots" in first.locator(".passage .snippet").first.inner_text()
    assert "Enver Solomon, Refugee Council" in first.locator(".speaking").first.inner_text()
    assert page.locator(".summary .total").inner_text().startswith("about ")
    assert page.locator(".facets h2").first.is_visible()
    ranks = first.locator("details.ranks").first
    assert not ranks.evaluate("element => element.open") and not ranks.locator(".why").is_visible()
    ranks.locator("summary").click()
    why = ranks.locator(".why")
    assert why.is_visible() and "keyword #" in why.inner_text() and "speaker's statements #1" in why.inner_text()
    ranks.locator("summary").click()
    title = first.locator("a.title").bounding_box()
    assert title and title["width"] > 300
    folder = DOCS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    shot = folder / "search-page.png"
    page.screenshot(path=str(shot))
    assert 10_000 < shot.stat().st_size < 200_000


def test_clicking_a_histogram_bar_keeps_only_that_month(page, server_url):
    page.goto(server_url + "/?q=riots")
    bar = page.locator(".histogram a.bar").first
    assert bar.get_attribute("data-value") == "2025-02"
    bar.click()
    page.wait_for_url("**date_from=2025-02-01**")
    args = parse_qs(urlparse(page.url).query)
    assert args["date_from"] == ["2025-02-01"] and args["date_to"] == ["2025-02-28"] and args["q"] == ["riots"]
    assert page.input_value("input[name=date_from]") == "2025-02-01"
    assert page.locator("ol.results li.article").count() >= 1
    assert "dates: 2025-02-01 to 2025-02-28" in page.locator(".chips").inner_text()


def test_the_export_link_downloads_the_results_as_csv_with_a_header_row(page, server_url, tmp_path):
    page.goto(server_url + "/?q=riots&mode=keyword")
    with page.expect_download() as download:
        page.click(".export a:text('CSV')")
    saved = tmp_path / "export.csv"
    download.value.save_as(saved)
    rows = list(csv.reader(saved.read_text(encoding="utf-8").splitlines()))
    assert rows[0][:4] == ["rank", "doc_id", "title", "source"] and len(rows) > 1
    assert download.value.suggested_filename == "archive-export.csv"


def test_the_paragraph_switch_and_the_sort_select(page, server_url):
    page.goto(server_url + "/?" + "q=" + QUESTION.replace(" ", "+"))
    page.click("nav.views a:text('Paragraphs')")
    page.wait_for_url("**group=passage**")
    assert page.locator("ol.results li.article").count() == 0
    assert page.locator("ol.results li.hit").count() == 10
    assert "race riots" in page.locator("ol.results li.hit .snippet").first.inner_text()
    page.select_option("select[name=sort]", "-date")
    page.wait_for_url("**sort=-date**")
    args = parse_qs(urlparse(page.url).query)
    assert args["group"] == ["passage"] and args["q"] == [QUESTION]
    page.click("nav.views a:text('Articles')")
    page.wait_for_url("**group=document**")
    assert page.locator("ol.results li.article").count() >= 1


def test_the_documents_page_is_in_the_top_nav(page, server_url):
    page.goto(server_url + "/")
    page.click("header nav a:text('Documents')")
    page.wait_for_selector("table.documents")
    assert page.locator("table.documents tbody tr").count() == 3


def run_until_closed(server, stopped: threading.Event) -> None:
    """Serve until the test closes the server; the error its loop raises on a closed socket then is expected."""
    try:
        server.run()
    except (OSError, ValueError):
        if not stopped.is_set():
            raise
