from pathlib import Path

import pytest

from archive.errors import ArchiveError
from archive.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_documents_every_setting():
    readme = README.read_text()
    missing = [env for _, env, _, _ in Settings.describe() if f"`{env}`" not in readme]
    assert missing == []


def test_environment_then_flags_override_defaults():
    settings = Settings.from_env({"ARCHIVE_RRF_K": "30", "ARCHIVE_DATA_DIR": "/x"}, data_dir="/y", port=None)
    assert settings.rrf_k == 30 and settings.data_dir == Path("/y") and settings.port == 5000


def test_a_malformed_variable_names_itself():
    with pytest.raises(ArchiveError, match="ARCHIVE_PORT='http' is not a valid int"):
        Settings.from_env({"ARCHIVE_PORT": "http"})


def test_readme_starts_with_the_two_commands():
    lines = README.read_text().splitlines()[:6]
    assert any(line.startswith("make run") for line in lines) and any(line.startswith("make test") for line in lines)
