"""In a real browser (headless chromium through Playwright, a real server): uploading in the page with the write
token, then reading the e-mail's page (people, thread, attachments both ways), the correspondents page, a PDF page
image and the file-type facet."""

from __future__ import annotations

import os
import shutil
import threading
from dataclasses import replace
from email.message import EmailMessage

import pytest
import waitress
from playwright.sync_api import sync_playwright
from test_pdf import text_pdf

from indexer.search import SearchService
from web import create_app

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TOKEN = "s3cret-token"


def message(subject, body, message_id, sender, to, **headers) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"], mail["Message-ID"] = sender, to, subject, message_id
    mail["Date"] = headers.pop("date", "Tue, 05 Mar 2024 10:00:00 +0000")
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(body)
    return mail


@pytest.fixture(scope="module")
def server_url(tmp_path_factory, embedder):
    from archive.settings import Settings

    folder = tmp_path_factory.mktemp("browser-mail")
    settings = replace(Settings.from_env({}, data_dir=folder / "archive"), api_token=TOKEN)
    folder.joinpath("empty").mkdir()
    app = create_app(settings, SearchService(settings, embedder=embedder), {"TESTING": True})
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    stopped = threading.Event()
    thread = threading.Thread(target=run_until_closed, args=(server, stopped), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    stopped.set()
    server.close()
    thread.join(timeout=10)


def run_until_closed(server, stopped: threading.Event) -> None:
    """Serve until the test closes the server; the error its loop raises on a closed socket then is expected."""
    try:
        server.run()
    except (OSError, ValueError):
        if not stopped.is_set():
            raise


@pytest.fixture(scope="module")
def page(server_url):
    if not shutil.which("chromium") and not os.path.exists(CHROMIUM):
        pytest.skip("no chromium on this machine: `make browser` installs Debian's chromium (needs root and apt)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--headless"])
        page = browser.new_page(viewport={"width": 1100, "height": 800})
        yield page
        browser.close()


def test_upload_in_the_page_then_read_the_thread_attachments_and_correspondents(page, server_url, tmp_path):
    parent = message(
        "Pier budget",
        "The harbour board will vote on the pier budget on Friday, after the inspectors report.\n",
        "<p1@example.org>",
        "Ana Ruiz <ana@example.org>",
        "Bo Lee <bo@example.org>",
    )
    parent.add_attachment(
        text_pdf([[("Pier Inspection", 20), "", "Corrosion was found in three of the ten pier supports."]]),
        maintype="application",
        subtype="pdf",
        filename="inspection.pdf",
    )
    reply = message(
        "Re: Pier budget",
        "Thanks. With corrosion in three supports the vote on the pier may have to move.\n",
        "<p2@example.org>",
        "Bo Lee <bo@example.org>",
        "Ana Ruiz <ana@example.org>",
        date="Wed, 06 Mar 2024 09:00:00 +0000",
        In_Reply_To="<p1@example.org>",
        Cc="Carl Ng <carl@example.org>",
    )
    (tmp_path / "reply.eml").write_bytes(reply.as_bytes())
    (tmp_path / "budget.eml").write_bytes(parent.as_bytes())

    page.goto(server_url + "/upload")
    page.fill("input[name=token]", "wrong")
    page.set_input_files("input[name=file]", [str(tmp_path / "reply.eml")])
    page.click("form.upload button[type=submit]")
    page.wait_for_selector("ol.upload-results li.failed")
    assert "wrong token" in page.locator("ol.upload-results li.failed").inner_text()

    page.fill("input[name=token]", TOKEN)
    page.set_input_files("input[name=file]", [str(tmp_path / "reply.eml"), str(tmp_path / "budget.eml")])
    page.click("form.upload button[type=submit]")
    page.locator("ol.upload-results li.done").nth(1).wait_for(timeout=120_000)
    links = page.locator("ol.upload-results li.done a")
    assert links.count() == 3  # the reply, the message and its attachment

    listed = page.request.get(server_url + "/api/documents?sort=date").json()["documents"]
    reply_id = next(d["doc_id"] for d in listed if d["title"] == "Re: Pier budget")
    page.goto(f"{server_url}/documents/{reply_id}")
    thread = page.locator("section.thread li")
    assert thread.count() == 2
    assert "this message" in page.locator("section.thread li.current").inner_text()
    assert "Carl Ng <carl@example.org>" in page.locator("dd.mail-cc").inner_text()
    page.locator("section.thread li a").first.click()
    page.wait_for_selector("section.mail-attachments")
    page.locator("section.mail-attachments a").first.click()
    page.wait_for_selector("p.mail-parent")
    assert page.locator("h1").inner_text() == "Pier Inspection"
    image = page.locator("a.page").first.get_attribute("href")
    assert image and image.endswith("/pages/1.png")
    response = page.request.get(server_url + image)
    assert response.status == 200 and response.headers["content-type"] == "image/png"

    page.locator("p.mail-parent a").click()
    page.locator("dd.mail-from a").click()
    page.wait_for_selector("section.correspondents")
    assert "Bo Lee <bo@example.org>" in page.locator("section.correspondents").inner_text()

    page.goto(server_url + "/?q=pier+corrosion&mode=keyword")
    page.wait_for_selector("ol.results")
    facets = page.locator("aside, nav, section").filter(has_text="File type").first.inner_text()
    assert "email" in facets and "pdf" in facets
