"""A running server follows the archive as it grows: new, changed and removed documents, rebuilds, the write API."""

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import replace

import pytest
import waitress

from indexer.build import current_generation, store_path
from indexer.ingest import ingest_paths, rebuild, remove_documents
from indexer.search import SearchRequest, SearchService
from web import create_app

TOKEN = "s3cret-token"


@pytest.fixture
def live(settings, seeds, embedder):
    """A waitress server on a free port over a fresh archive of the seeds, checking for changes every 0.1 s."""
    settings = replace(settings, reload_seconds=0.1, api_token=TOKEN)
    ingest_paths(settings, [seeds], embedder=embedder)
    app = create_app(settings, service=SearchService(settings, embedder=embedder))
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=8)
    stopped = threading.Event()
    thread = threading.Thread(target=run_until_closed, args=(server, stopped), daemon=True)
    thread.start()
    yield settings, f"http://127.0.0.1:{server.effective_port}"
    stopped.set()
    server.close()
    thread.join(timeout=10)


def get(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, json.loads(response.read())


def call(method, url, body=None, token=TOKEN):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def doc_ids(base, query, expected, timeout=10.0):
    """The documents a keyword search finds, polled until they are the expected ones (the server reloads the
    index every 0.1 s) or the timeout passes."""
    deadline = time.monotonic() + timeout
    while True:
        _, data = get(f"{base}/api/search?" + urllib.parse.urlencode({"q": query, "mode": "keyword", "k": 50}))
        found = {hit["doc_id"] for hit in data["results"]}
        if found == expected or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


def test_new_changed_and_removed_documents_show_up_without_a_restart(live, tmp_path, embedder):
    settings, base = live
    folder = tmp_path / "new"
    folder.mkdir()
    article = folder / "otters.txt"
    article.write_text("Otters return to the Thames\n\nOtters were seen near Teddington lock for the first time.")
    ingest_paths(settings, [folder], embedder=embedder)
    assert doc_ids(base, "Teddington", {"otters"}) == {"otters"}
    article.write_text("Otters return to the Thames\n\nOtters were seen near Richmond bridge on Sunday.")
    ingest_paths(settings, [folder], embedder=embedder)
    assert doc_ids(base, "Teddington", set()) == set()
    assert doc_ids(base, "Richmond", {"otters"}) == {"otters"}
    remove_documents(settings, ["otters"], embedder=embedder)
    assert doc_ids(base, "Richmond", set()) == set()


def test_searches_from_many_threads_never_fail_while_rebuilds_run(live, embedder):
    settings, base = live
    failures, answered, stop = [], [], threading.Event()

    def client():
        while not stop.is_set():
            try:
                status, data = get(f"{base}/api/search?q=race+riots&k=5")
                if status != 200 or not any("race riots" in h["text"] for h in data["results"]):
                    failures.append((status, data))
                answered.append(1)
            except Exception as exc:  # noqa: BLE001 - every failure counts, whatever it is
                failures.append(repr(exc))

    threads = [threading.Thread(target=client) for _ in range(6)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(3):
            rebuild(settings, embedder=embedder)
            seen, deadline = len(answered), time.monotonic() + 30
            while len(answered) < seen + 12 and not failures and time.monotonic() < deadline:
                time.sleep(0.01)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert failures == [] and len(answered) > 20


def test_write_api_adds_and_deletes_documents_with_a_token(live):
    _, base = live
    status, report = call(
        "POST",
        f"{base}/api/documents",
        {
            "id": "api-1",
            "title": "Kestrels",
            "text": "Kestrels nested on the Shard in Southwark.",
            "date": "2025-03-01",
            "source": "Wildlife Wire",
        },
    )
    assert status == 201 and report["added"] == ["api-1"] and report["chunks_embedded"] == 1
    assert doc_ids(base, "Southwark", {"api-1"}) == {"api-1"}
    assert get(f"{base}/api/documents/api-1")[1]["source"] == "Wildlife Wire"
    status, report = call("POST", f"{base}/api/documents", [{"id": "bad"}, {"id": "api-2", "text": "Owls."}])
    assert status == 201 and report["added"] == ["api-2"] and report["skipped"][0]["origin"] == "api[0]"
    assert call("DELETE", f"{base}/api/documents/api-1") == (200, {"removed": ["api-1"]})
    assert doc_ids(base, "Southwark", set()) == set()
    assert call("DELETE", f"{base}/api/documents/api-1")[0] == 404


def test_write_api_refuses_without_the_right_token(live, settings, embedder):
    _, base = live
    status, body = call("POST", f"{base}/api/documents", {"text": "x"}, token="wrong")
    assert status == 401 and "wrong token" in body["error"]["message"]
    client = create_app(settings, service=SearchService(settings, embedder=embedder)).test_client()
    response = client.post("/api/documents", json={"text": "x"})
    assert response.status_code == 403
    assert "set ARCHIVE_API_TOKEN" in response.get_json()["error"]["message"]


def test_write_api_accepts_an_uploaded_file_and_bounds_the_body(live, settings, embedder):
    settings_live, base = live
    client = create_app(
        replace(settings_live, max_upload_bytes=2000), service=SearchService(settings_live, embedder=embedder)
    ).test_client()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    page = b"<html><head><title>Heron count</title></head><body><p>Herons counted in Battersea.</p></body></html>"
    response = client.post(
        "/api/documents",
        headers=headers,
        data={"file": (io.BytesIO(page), "herons.html")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201 and response.get_json()["added"][0].startswith("herons-")
    too_big = client.post("/api/documents", headers=headers, json={"text": "x" * 5000})
    assert too_big.status_code == 413 and too_big.get_json()["error"]["status"] == 413


def test_a_rebuild_killed_midway_leaves_the_last_generation_serving(settings, tmp_path, seeds, embedder):
    corpus = tmp_path / "corpus.jsonl"
    with corpus.open("w") as f:
        for i in range(400):
            f.write(
                json.dumps(
                    {
                        "_id": f"n{i}",
                        "title": f"Council meeting {i}",
                        "text": f"Item {i}: the council discussed road {i} repairs.\n\n"
                        f"Residents of ward {i} asked about bins and parking.",
                    }
                )
                + "\n"
            )
    ingest_paths(settings, [seeds, corpus], embedder=embedder)
    served = current_generation(settings)
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(settings.data_dir), "ARCHIVE_EMBED_BATCH": "64"}
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "rebuild", "--reembed"],
        env=env,
        cwd=os.path.dirname(os.path.dirname(__file__)),
        stderr=subprocess.PIPE,
    )
    db = sqlite3.connect(store_path(settings))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        total, embedded = db.execute("SELECT COUNT(*), COUNT(embedding) FROM chunks").fetchone()
        if 0 < embedded < total:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the rebuild ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()
    assert current_generation(settings) == served
    service = SearchService(settings, embedder=embedder)
    assert "race riots" in service.search(SearchRequest("what did the Refugee Council say about riots")).results[0].text
    result = rebuild(settings, embedder=embedder)
    assert result["chunks"] == result["vectors"] and current_generation(settings) != served
    total, embedded = db.execute("SELECT COUNT(*), COUNT(embedding) FROM chunks").fetchone()
    db.close()
    assert total == embedded


def run_until_closed(server, stopped: threading.Event) -> None:
    """Serve until the test closes the server; the error its loop raises on a closed socket then is expected."""
    try:
        server.run()
    except (OSError, ValueError):
        if not stopped.is_set():
            raise
