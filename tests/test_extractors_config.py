"""load_sources_config: base URL override and absolute URLs (contract section 7)."""

from __future__ import annotations

import pytest

from extractors.config import load_sources_config
from extractors.errors import SourceError

YAML = """
base_url: http://127.0.0.1:8765
user_agent: "UA/1"
bulletins:
  listing_url: /stats/tjgb/index.html
job_boards:
  zhaopin:
    kind: json_api
    url: /boards/zhaopin/api/v1/jobs
  elsewhere:
    kind: html_listing
    url: https://jobs.example.cn/list/index.html
schools:
  index_url: schools/index.html
  inbox: inbox/schools
"""


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "sources.yml"
    path.write_text(YAML, encoding="utf-8")
    return path


def test_relative_urls_become_absolute(config_file, monkeypatch):
    monkeypatch.delenv("TALENT_SOURCE_BASE_URL", raising=False)
    config = load_sources_config(config_file)
    assert config["bulletins"]["listing_url"] == "http://127.0.0.1:8765/stats/tjgb/index.html"
    assert config["job_boards"]["zhaopin"]["url"] == "http://127.0.0.1:8765/boards/zhaopin/api/v1/jobs"
    assert config["job_boards"]["elsewhere"]["url"] == "https://jobs.example.cn/list/index.html"
    assert config["schools"]["index_url"] == "http://127.0.0.1:8765/schools/index.html"
    assert config["schools"]["inbox"] == "inbox/schools"  # a path, not a URL
    assert config["user_agent"] == "UA/1" and config["retries"] == 3 and config["timeout_seconds"] == 20


def test_environment_overrides_base_url(config_file, monkeypatch):
    monkeypatch.setenv("TALENT_SOURCE_BASE_URL", "http://127.0.0.1:50123/")
    config = load_sources_config(config_file)
    assert config["base_url"] == "http://127.0.0.1:50123"
    assert config["bulletins"]["listing_url"] == "http://127.0.0.1:50123/stats/tjgb/index.html"
    # An explicit argument beats the environment.
    assert (
        load_sources_config(config_file, base_url="http://h:1")["schools"]["index_url"]
        == "http://h:1/schools/index.html"
    )


def test_config_path_is_recorded(config_file):
    assert load_sources_config(config_file)["config_path"] == str(config_file)


def test_missing_or_broken_file(tmp_path):
    with pytest.raises(SourceError, match="nope.yml"):
        load_sources_config(tmp_path / "nope.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(SourceError, match="bad.yml"):
        load_sources_config(bad)
