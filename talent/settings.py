"""Where things live. Every path can be moved with an environment variable so tests and
deployments can point the same code at another warehouse without editing files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _path(env: str, default: Path) -> Path:
    value = os.environ.get(env)
    return Path(value).resolve() if value else default


@dataclass(frozen=True)
class Settings:
    root: Path
    warehouse_dir: Path
    duckdb_path: Path
    sources_config: Path

    @property
    def raw_dir(self) -> Path:
        return self.warehouse_dir / "raw"

    @property
    def quarantine_dir(self) -> Path:
        return self.warehouse_dir / "quarantine"

    @property
    def reports_dir(self) -> Path:
        return self.warehouse_dir / "reports"

    @property
    def inbox_dir(self) -> Path:
        return self.warehouse_dir / "inbox"

    @property
    def sample_site_dir(self) -> Path:
        return self.warehouse_dir / "sample_site"

    @property
    def dbt_project_dir(self) -> Path:
        return self.root / "dbt_project"


def get_settings() -> Settings:
    """Read the environment each time: tests and `talent run` change it between calls."""
    warehouse = _path("TALENT_WAREHOUSE_DIR", ROOT / "warehouse")
    return Settings(
        root=ROOT,
        warehouse_dir=warehouse,
        duckdb_path=_path("TALENT_DUCKDB_PATH", warehouse / "talent.duckdb"),
        sources_config=_path("TALENT_SOURCES_CONFIG", ROOT / "config" / "sources.yml"),
    )
