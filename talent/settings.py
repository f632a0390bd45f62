"""Where things live. Every path can be moved with an environment variable so tests and
deployments can point the same code at another warehouse without editing files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The region this deployment reports on: the forecast's city-total series, the report's title and
# its "全市" rows all use this one name. Reports are dated in its time zone.
CITY = "巴中市"
REPORT_TIMEZONE = "Asia/Shanghai"


def _path(env: str, default: Path) -> Path:
    value = os.environ.get(env)
    return Path(value).resolve() if value else default


@dataclass(frozen=True)
class Settings:
    root: Path
    warehouse_dir: Path
    duckdb_path: Path
    sources_config: Path

    # Everything generated lives under the warehouse folder; the dbt project is code, beside talent/.
    raw_dir = property(lambda self: self.warehouse_dir / "raw")
    quarantine_dir = property(lambda self: self.warehouse_dir / "quarantine")
    reports_dir = property(lambda self: self.warehouse_dir / "reports")
    sample_site_dir = property(lambda self: self.warehouse_dir / "sample_site")
    dbt_project_dir = property(lambda self: self.root / "dbt_project")


def get_settings() -> Settings:
    """Read the environment each time: tests and `talent run` change it between calls."""
    warehouse = _path("TALENT_WAREHOUSE_DIR", ROOT / "warehouse")
    return Settings(
        root=ROOT,
        warehouse_dir=warehouse,
        duckdb_path=_path("TALENT_DUCKDB_PATH", warehouse / "talent.duckdb"),
        sources_config=_path("TALENT_SOURCES_CONFIG", ROOT / "config" / "sources.yml"),
    )
