"""Atom feeds: every search URL has a feed twin listing the newest matching articles, with stable ids."""

from __future__ import annotations

import time

import feedparser

from indexer.ingest import ingest_paths
from indexer.search import SearchService
from web import create_app
from web.feeds import entry_id


def test_a_search_feed_is_atom_and_lists_a_newly_ingested_matching_document_first(settings, embedder, tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    (tmp_path / "old" / "pier.txt").write_text(
        "date 2024-03-01\nPier repairs delayed\n\nThe harbour board delayed the pier repairs until the summer.\n"
    )
    (tmp_path / "old" / "ferry.txt").write_text(
        "date 2024-03-02\nFerry timetable\n\nThe ferry will run every hour from April, the operator said.\n"
    )
    ingest_paths(settings, [tmp_path / "old"], embedder=embedder)
    service = SearchService(settings, embedder=embedder)
    client = create_app(settings, service, {"TESTING": True}).test_client()
    url = "/feeds/search?q=pier+repairs&mode=keyword"
    first = client.get(url)
    assert first.status_code == 200 and first.mimetype == "application/atom+xml"
    feed = feedparser.parse(first.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert [e.id for e in feed.entries] == [entry_id("pier")]
    assert feed.entries[0].link == "http://localhost/documents/pier"
    assert feed.entries[0].updated_parsed and feed.feed.updated_parsed

    (tmp_path / "new" / "pier-vote.txt").write_text(
        "date 2023-12-01\nPier repairs approved\n\nThe council approved the pier repairs after a long debate.\n"
    )
    time.sleep(1.1)  # the store keeps when a document was stored to the second
    ingest_paths(settings, [tmp_path / "new"], embedder=embedder)
    service.refresh(force=True)
    second = feedparser.parse(client.get(url).data)
    assert [e.id for e in second.entries] == [entry_id("pier-vote"), entry_id("pier")]  # newest in the archive first
    assert second.entries[0].title == "Pier repairs approved"
    assert second.feed.id == feed.feed.id
    assert second.feed.updated_parsed >= feed.feed.updated_parsed


def test_a_feed_needs_a_query(client):
    response = client.get("/feeds/search")
    assert response.status_code == 400


def test_the_search_page_links_its_feed(client):
    page = client.get("/?q=race+riots&mode=keyword").get_data(as_text=True)
    assert 'type="application/atom+xml"' in page
    assert 'href="/feeds/search?q=race+riots&amp;mode=keyword"' in page
