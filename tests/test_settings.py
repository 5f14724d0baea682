from pathlib import Path

import pytest

from archive.errors import ArchiveError, SettingsError
from archive.settings import Settings, settings_table

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_settings_table_is_the_one_generated_from_the_settings():
    readme = README.read_text()
    start = readme.index("<!-- settings table:")
    table = readme[readme.index("\n", start) + 1 : readme.index("<!-- end of settings table -->")].strip()
    assert table == settings_table(), "run `make readme` to regenerate the README's settings table"
    assert all(f"`{env}`" in table for _, env, _, _ in Settings.describe())


def test_a_setting_outside_its_allowed_values_is_refused_at_load():
    with pytest.raises(SettingsError, match="ARCHIVE_FUSION='rff' is not one of rrf, convex"):
        Settings.from_env({"ARCHIVE_FUSION": "rff"})
    with pytest.raises(SettingsError, match="ARCHIVE_K|ARCHIVE_RRF_K=0 must be at least 1"):
        Settings.from_env({"ARCHIVE_RRF_K": "0"})


def test_environment_then_flags_override_defaults():
    settings = Settings.from_env({"ARCHIVE_RRF_K": "30", "ARCHIVE_DATA_DIR": "/x"}, data_dir="/y", port=None)
    assert settings.rrf_k == 30 and settings.data_dir == Path("/y") and settings.port == 5000


def test_a_malformed_variable_names_itself():
    with pytest.raises(ArchiveError, match="ARCHIVE_PORT='http' is not a valid int"):
        Settings.from_env({"ARCHIVE_PORT": "http"})


def test_readme_starts_with_the_two_commands():
    lines = README.read_text().splitlines()[:6]
    assert any(line.startswith("make run") for line in lines) and any(line.startswith("make test") for line in lines)
