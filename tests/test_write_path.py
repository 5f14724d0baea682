"""Nothing overwritten, nothing half-done: the write API, `archive ingest` and `archive remove` as users meet them."""

from __future__ import annotations

import io
import json
import socket
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from archive.settings import Settings
from archive.store import Store
from cli import main
from indexer.build import store_path
from indexer.ingest import ingest_paths
from indexer.search import SearchService
from web import create_app

TOKEN = "t0ken"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def writer_client(settings: Settings, embedder):
    settings = replace(settings, api_token=TOKEN)
    return create_app(settings, service=SearchService(settings, embedder=embedder)).test_client()


def documents(settings: Settings) -> dict[str, str]:
    store = Store(store_path(settings))
    try:
        return {doc_id: store.document(doc_id).title for doc_id in store.doc_ids()}
    finally:
        store.close()


def upload(client, name: str, text: str):
    return client.post(
        "/api/documents",
        headers=AUTH,
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(text.encode()), name)},
    )


def test_a_document_posted_without_an_id_never_replaces_another(settings, embedder):
    client = writer_client(settings, embedder)
    first = client.post("/api/documents", headers=AUTH, json={"title": "Dock strike", "text": "Dockers walked out."})
    second = client.post("/api/documents", headers=AUTH, json={"title": "Note", "text": "Ferries ran late."})
    assert first.status_code == 201 and second.status_code == 201
    assert second.get_json()["updated"] == [] and len(documents(settings)) == 2
    assert "Dock strike" in documents(settings).values()


def test_reposting_identical_content_changes_nothing(settings, embedder):
    client = writer_client(settings, embedder)
    body = {"title": "Dock strike", "text": "Dockers walked out at dawn."}
    added = client.post("/api/documents", headers=AUTH, json=body).get_json()["added"]
    again = client.post("/api/documents", headers=AUTH, json=body)
    assert again.status_code == 200 and again.get_json()["unchanged"] == added and len(documents(settings)) == 1


def test_two_documents_with_the_same_title_are_two_documents(settings, embedder):
    client = writer_client(settings, embedder)
    client.post("/api/documents", headers=AUTH, json={"title": "Update", "text": "The bridge reopened."})
    client.post("/api/documents", headers=AUTH, json={"title": "Update", "text": "The school closed."})
    assert sorted(documents(settings).values()) == ["Update", "Update"]


def test_two_different_uploads_with_the_same_file_name_are_both_kept(settings, embedder):
    client = writer_client(settings, embedder)
    first = upload(client, "ferry.txt", "Ferry one\n\nThe morning ferry was cancelled.")
    second = upload(client, "ferry.txt", "Ferry two\n\nThe evening ferry sailed on time.")
    assert first.status_code == 201 and second.status_code == 201
    ids = first.get_json()["added"] + second.get_json()["added"]
    assert len(set(ids)) == 2 and all(doc_id.startswith("ferry-") for doc_id in ids)
    assert sorted(documents(settings).values()) == ["Ferry one", "Ferry two"]


def test_an_explicit_id_updates_its_document(settings, embedder):
    client = writer_client(settings, embedder)
    client.post("/api/documents", headers=AUTH, json={"id": "n-1", "title": "Draft", "text": "First words."})
    updated = client.post("/api/documents", headers=AUTH, json={"id": "n-1", "title": "Final", "text": "Last words."})
    assert updated.get_json()["updated"] == ["n-1"] and documents(settings) == {"n-1": "Final"}


def test_upload_errors_name_the_uploaded_file_not_a_temporary_path(settings, embedder):
    client = writer_client(settings, embedder)
    response = upload(client, "notes.txt", "   ")
    message = response.get_json()["error"]["message"]
    assert response.status_code == 400 and "'notes.txt'" in message and "/tmp" not in message
    unsupported = upload(client, "photo.png", "x")
    assert unsupported.status_code == 400 and "photo.png" in unsupported.get_json()["error"]["message"]


@pytest.mark.parametrize("date", ["yesterday", "2025-02-30", "03/02/1987"])
def test_a_bad_date_in_the_write_api_is_a_400_naming_the_field_and_the_accepted_forms(settings, embedder, date):
    client = writer_client(settings, embedder)
    response = client.post("/api/documents", headers=AUTH, json={"title": "T", "text": "Words.", "date": date})
    message = response.get_json()["error"]["message"]
    assert response.status_code == 400
    assert "'date'" in message and "ISO 8601" in message and "RFC 2822" in message and "2 March 1987" in message
    assert documents(settings) == {}


def test_a_file_with_a_bad_date_is_ingested_and_the_date_reported(runner, settings, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "old.json").write_text(json.dumps({"id": "o-1", "text": "Words.", "date": "03/02/1987"}))
    result = runner.invoke(main, ["ingest", str(tmp_path / "in"), "--data-dir", str(settings.data_dir)])
    assert result.exit_code == 0, result.output
    assert "warning" in result.output and "ambiguous" in result.output
    doc = Store(store_path(settings)).document("o-1")
    assert doc.date is None


def test_a_wrong_token_is_401_with_a_bearer_challenge_and_no_token_is_403(settings, embedder):
    client = writer_client(settings, embedder)
    wrong = client.post("/api/documents", headers={"Authorization": "Bearer nope"}, json={"text": "x"})
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"].startswith("Bearer")
    missing = client.post("/api/documents", json={"text": "x"})
    assert missing.status_code == 401
    closed = create_app(settings, service=SearchService(settings, embedder=embedder)).test_client()
    refused = closed.post("/api/documents", json={"text": "x"})
    assert refused.status_code == 403 and "ARCHIVE_API_TOKEN" in refused.get_json()["error"]["message"]


def test_files_with_the_same_name_in_different_folders_are_two_documents(settings, tmp_path, embedder):
    for folder, words in (("a", "The harbour wall was repaired."), ("b", "The lighthouse was repainted.")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "ferry.txt").write_text(f"Ferry {folder}\n\n{words}")
    ingest_paths(settings, [tmp_path / "a" / "ferry.txt"], embedder=embedder)
    ingest_paths(settings, [tmp_path / "b" / "ferry.txt"], embedder=embedder)
    assert sorted(documents(settings).values()) == ["Ferry a", "Ferry b"]
    both = ingest_paths(settings, [tmp_path], embedder=embedder)
    assert sorted(documents(settings).values()) == ["Ferry a", "Ferry b"] and both.added == []


def test_reingesting_a_changed_file_updates_its_document(settings, tmp_path, embedder):
    path = tmp_path / "story.txt"
    path.write_text("Draft\n\nThe council met.")
    first = ingest_paths(settings, [tmp_path], embedder=embedder)
    path.write_text("Final\n\nThe council met and voted.")
    second = ingest_paths(settings, [tmp_path], embedder=embedder)
    assert first.added == ["story"] and second.updated == ["story"] and documents(settings) == {"story": "Final"}


def test_remove_with_an_unknown_id_removes_nothing_and_names_it(runner, settings, seeds):
    runner.invoke(main, ["--data-dir", str(settings.data_dir), "ingest", str(seeds)])
    result = runner.invoke(main, ["remove", "000_ac5b891913291307", "nope", "--data-dir", str(settings.data_dir)])
    assert result.exit_code == 1 and "'nope'" in result.output and "nothing was removed" in result.output
    assert len(documents(settings)) == 3
    result = runner.invoke(
        main, ["remove", "000_ac5b891913291307", "nope", "--ignore-missing", "--data-dir", str(settings.data_dir)]
    )
    assert result.exit_code == 0 and "removed 1 document(s): 000_ac5b891913291307" in result.output
    assert len(documents(settings)) == 2


def test_ingest_exits_3_when_some_inputs_were_skipped_and_keeps_the_good_ones(runner, settings, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.txt").write_text("Good\n\nA readable story.")
    (tmp_path / "in" / "bad.json").write_text("{not json")
    result = runner.invoke(main, ["ingest", str(tmp_path / "in"), "--data-dir", str(settings.data_dir)])
    assert result.exit_code == 3 and "bad.json: not valid JSON" in result.output
    assert documents(settings) == {"good": "Good"}


def test_data_dir_works_before_or_after_the_command(runner, seed_settings):
    before = runner.invoke(main, ["--data-dir", str(seed_settings.data_dir), "stats"])
    after = runner.invoke(main, ["stats", "--data-dir", str(seed_settings.data_dir)])
    assert before.exit_code == after.exit_code == 0 and before.output == after.output
    assert "documents:  3" in after.output


def test_cli_search_errors_name_the_flags(runner, seed_settings):
    result = runner.invoke(
        main, ["search", "riots", "--date-from", "10/02/2025", "--data-dir", str(seed_settings.data_dir)]
    )
    assert result.exit_code == 1
    assert result.output.startswith("Error: --date-from must be a date like 2025-02-10")


def test_serve_on_a_port_in_use_is_one_error_line(runner, settings):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(main, ["serve", "--port", str(port), "--data-dir", str(settings.data_dir)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot listen on 127.0.0.1:") and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_page_past_the_end_says_so(client):
    response = client.get("/?q=riots&page=999")
    assert response.status_code == 400 and b"page 999 is past the end" in response.data
    assert b"offset must be" not in response.data


def test_dry_run_prints_what_would_be_stored_and_stores_nothing(runner, settings, seeds):
    result = runner.invoke(main, ["ingest", "--dry-run", "--json", str(seeds), "--data-dir", str(settings.data_dir)])
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert result.exit_code == 0 and len(lines) == 3
    assert {"origin", "id", "title", "date", "source", "url", "meta", "paragraphs"} <= set(lines[0])
    assert lines[0]["id"] == "000_ac5b891913291307" and lines[0]["paragraphs"]
    assert not Path(settings.data_dir).exists()


DOCUMENT_TEXTS = st.lists(st.text(alphabet="abcdefghij", min_size=3, max_size=8), min_size=1, max_size=4, unique=True)


@hypothesis_settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(words=DOCUMENT_TEXTS, channels=st.lists(st.sampled_from(["post", "upload", "file"]), min_size=4, max_size=4))
def test_n_different_documents_without_ids_leave_n_documents_however_often_they_are_sent(embedder, words, channels):
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings.from_env({}, data_dir=Path(scratch) / "archive")
        client = writer_client(settings, embedder)
        texts = [f"Story {word}\n\nThe {word} report was filed by the desk." for word in words]
        for round_number in range(2):
            for number, text in enumerate(texts):
                channel = channels[(number + round_number) % len(channels)]
                if channel == "post":
                    client.post("/api/documents", headers=AUTH, json={"text": text})
                elif channel == "upload":
                    upload(client, "same-name.txt", text)
                else:
                    folder = Path(scratch) / f"in-{number}"
                    folder.mkdir(exist_ok=True)
                    (folder / "same-name.txt").write_text(text)
                    ingest_paths(settings, [folder / "same-name.txt"], embedder=embedder)
            assert len(documents(settings)) == len(texts)


def test_a_wrong_method_is_405_in_the_error_shape(client):
    response = client.put("/api/search")
    assert response.status_code == 405 and response.get_json()["error"]["status"] == 405
