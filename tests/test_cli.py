import json

from cli import main

QUESTION = "what did the Refugee Council say about riots"


def invoke(runner, settings, *args):
    return runner.invoke(main, ["--data-dir", str(settings.data_dir), *args], catch_exceptions=False)


def test_search_prints_the_race_riots_paragraph_first(runner, seed_settings):
    result = invoke(runner, seed_settings, "search", QUESTION)
    assert result.exit_code == 0
    first = result.output.split("\n1. ", 1)[1].split("\n2. ", 1)[0]
    assert "Enver Solomon" in first and "race riots" in first
    assert "also in: 001_b1430c0bef034883" in first


def test_search_json_prints_the_same_results_as_json(runner, seed_settings):
    result = invoke(runner, seed_settings, "search", QUESTION, "--json", "--k", "3")
    data = json.loads(result.output)
    assert data["mode"] == "hybrid" and len(data["results"]) == 3
    assert "race riots" in data["results"][0]["text"]
    assert {"keyword", "semantic"} <= set(data["results"][0]["ranks"])


def test_stats_shows_documents_chunks_and_the_duplicate_group(runner, seed_settings):
    result = invoke(runner, seed_settings, "stats")
    assert result.exit_code == 0
    assert "documents:  3" in result.output
    assert "000_ac5b891913291307 = 001_b1430c0bef034883" in result.output
    # 11: "Mr Farage", "Cooper" and "Home Secretary", named no further in their own document, are linked to Nigel
    # Farage and Yvette Cooper by the other seeds (archive.linking)
    assert "quotes:     " in result.output and " from 11 speakers" in result.output
    chunks = json.loads(invoke(runner, seed_settings, "stats", "--json").output)["chunks"]
    assert f"chunks:     {chunks} " in result.output


def test_ingest_reports_skipped_files_and_a_summary(runner, settings, tmp_path, seeds):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Tides\n\nThe tide came in at noon.")
    (tmp_path / "in" / "empty.md").write_text("")
    result = runner.invoke(main, ["--data-dir", str(settings.data_dir), "ingest", str(tmp_path / "in")])
    assert result.exit_code == 3
    assert "skipped" in result.output and "empty.md: file is empty" in result.output
    assert "added 1, updated 0, unchanged 0" in result.output


def test_errors_are_one_line_with_exit_status_1(runner, settings):
    result = invoke(runner, settings, "search", "riots")
    assert result.exit_code == 1
    assert result.output.startswith("Error: no index in ") and "archive ingest" in result.output


def test_bad_options_are_usage_errors_with_exit_status_2(runner, seed_settings):
    assert invoke(runner, seed_settings, "search", "x", "--mode", "fuzzy").exit_code == 2
    result = invoke(runner, seed_settings, "search", "x", "--k", "500")
    assert result.exit_code == 1 and "k must be between 1 and 100" in result.output


def test_remove_unknown_document_fails_without_changes(runner, settings, seeds):
    invoke(runner, settings, "ingest", str(seeds))
    result = invoke(runner, settings, "remove", "nope")
    assert result.exit_code == 1 and "no document with id 'nope'" in result.output
    assert "documents:  3" in invoke(runner, settings, "stats").output
