"""Fixtures: one real model per run, one read-only archive built from the seeds, fresh archives per test."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.settings import Settings
from indexer.embedder import Embedder
from indexer.ingest import ingest_paths
from indexer.search import SearchService
from web import create_app

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real bundled model, loaded once for the whole run."""
    return Embedder()


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory, embedder) -> Settings:
    """A read-only archive of the three seeds. Tests that write build their own archive."""
    settings = Settings.from_env({}, data_dir=tmp_path_factory.mktemp("seed-archive"))
    ingest_paths(settings, [SEEDS], embedder=embedder)
    return settings


@pytest.fixture(scope="session")
def service(seed_settings, embedder) -> SearchService:
    return SearchService(seed_settings, embedder=embedder)


@pytest.fixture(scope="session")
def app(seed_settings, service):
    return create_app(seed_settings, service=service, test_config={"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Settings for a fresh, empty archive in this test's own folder."""
    return Settings.from_env({}, data_dir=tmp_path / "archive")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def seeds() -> Path:
    return SEEDS
