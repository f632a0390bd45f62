"""dbt's documentation site for the warehouse (`talent docs`, `make docs`).

`dbt docs generate --static` writes one self-contained `static_index.html` (manifest and catalog
inlined, so it opens from disk without `dbt docs serve`) into the warehouse's dbt target folder; it
is copied to `<warehouse>/docs/dbt/index.html`. The catalog is read from the warehouse itself, so it
must have been built: an empty or missing warehouse is an error, not an empty site."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from talent.settings import get_settings

DOCS_SUBDIR = Path("docs") / "dbt"


class WarehouseNotBuilt(RuntimeError):
    pass


def _target_dir() -> Path:
    """Where run_dbt makes dbt write target/ (DBT_TARGET_PATH, relative to the project if relative)."""
    settings = get_settings()
    value = os.environ.get("DBT_TARGET_PATH")
    if not value:
        return settings.warehouse_dir / "dbt" / "target"
    path = Path(value)
    return path if path.is_absolute() else settings.dbt_project_dir / path


def _not_built(detail: str) -> WarehouseNotBuilt:
    return WarehouseNotBuilt(
        f"{detail}: dbt docs describe the built warehouse. Build it first with `talent run` "
        "(the whole pipeline) or `talent transform` (after landings exist), then run `talent docs` again."
    )


def build_dbt_docs() -> Path:
    """Generate dbt's static docs for the warehouse; return the path of the copied index.html."""
    from talent.dbt import run_dbt
    from talent.writer import writable_warehouse

    settings = get_settings()
    if not settings.duckdb_path.exists():
        raise _not_built(f"no warehouse database at {settings.duckdb_path}")
    # Under the writer lock like every dbt step: dbt-duckdb opens the file read-write, which a
    # running pipeline step would refuse (and readers holding it get a copy, as for any step).
    with writable_warehouse(settings.duckdb_path, "dbt docs") as path:
        run_dbt(["docs", "generate", "--static"], duckdb_path=path)
    target = _target_dir()
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    marts = [n for n in catalog.get("nodes", {}).values() if n.get("metadata", {}).get("schema") == "marts"]
    if not marts:
        raise _not_built(f"the warehouse {settings.duckdb_path} has no marts tables")
    out = settings.warehouse_dir / DOCS_SUBDIR / "index.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(".index.html.tmp")
    shutil.copyfile(target / "static_index.html", tmp)
    os.replace(tmp, out)  # a browser reloading the page never reads half a file
    return out
