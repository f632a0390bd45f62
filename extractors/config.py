"""Read the sources config (`config/sources.yml`) into a plain dict.

The file holds URLs relative to `base_url` so one file serves both the bundled sample site and a
deployment; here they become absolute, after `TALENT_SOURCE_BASE_URL` (tests serve the sample site
on a random port) has replaced `base_url`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import yaml

from extractors.errors import SourceError

BASE_URL_ENV = "TALENT_SOURCE_BASE_URL"

DEFAULTS: dict[str, Any] = {
    "user_agent": "BazhongTalentWarehouse/0.1",
    "timeout_seconds": 20,
    "retries": 3,
}


def _is_url_key(key: str) -> bool:
    return key == "url" or key.endswith("_url")


def _absolutise(node: Any, base_url: str) -> Any:
    """Resolve every `url` / `*_url` value against base_url; leave other values (e.g. the inbox
    folder, which is a path under the warehouse) alone."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key != "base_url" and _is_url_key(str(key)) and isinstance(value, str):
                out[key] = urljoin(base_url, value)
            else:
                out[key] = _absolutise(value, base_url)
        return out
    if isinstance(node, list):
        return [_absolutise(item, base_url) for item in node]
    return node


def load_sources_config(path: str | os.PathLike, *, base_url: str | None = None) -> dict:
    """Load the sources YAML at `path` and return it with absolute URLs.

    The caller passes the path (the pipeline passes `talent.settings.get_settings().sources_config`;
    the extractors never read talent's settings). `base_url` (argument, else the
    `TALENT_SOURCE_BASE_URL` environment variable, else the file's `base_url`) is what relative URLs
    are joined to."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourceError("sources config not found", where=str(path)) from exc
    except yaml.YAMLError as exc:
        raise SourceError(f"sources config is not valid YAML: {exc}", where=str(path)) from exc
    if not isinstance(raw, dict):
        raise SourceError("sources config must be a mapping", where=str(path))

    config = {**DEFAULTS, **raw}
    base = base_url or os.environ.get(BASE_URL_ENV) or config.get("base_url")
    if not base:
        raise SourceError(
            "no base_url in the sources config or environment", where=str(path), field="base_url"
        )
    # A base without a trailing slash would make urljoin drop its last path segment.
    base = base if base.endswith("/") else base + "/"
    config["base_url"] = base.rstrip("/")
    config = _absolutise(config, base)
    config["config_path"] = str(path)
    return config
