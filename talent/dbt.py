"""Run the dbt project as a subprocess with the warehouse settings of this process.

A subprocess, not dbt's in-process runner: dbt configures global logging and caches adapters per
process, which would leak into the Airflow task or the CLI that called it."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from talent.settings import get_settings

log = logging.getLogger(__name__)


class DbtError(RuntimeError):
    pass


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(args: list[str], *, target: str | None = None, duckdb_path: Path | None = None) -> dict:
    """Run dbt on the warehouse (or on ``duckdb_path``, a copy the writer swaps in afterwards)."""
    settings = get_settings()
    project = settings.dbt_project_dir
    work = settings.warehouse_dir / "dbt"
    env = dict(os.environ)
    env["TALENT_DUCKDB_PATH"] = str(duckdb_path or settings.duckdb_path)
    # Keep dbt's target/ and logs/ with the warehouse they describe, so test runs in temp
    # warehouses never write into the repository.
    env.setdefault("DBT_TARGET_PATH", str(work / "target"))
    env.setdefault("DBT_LOG_PATH", str(work / "logs"))
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [dbt_executable(), *args, "--project-dir", str(project), "--profiles-dir", str(project)]
    if target:
        cmd += ["--target", target]
    log.info("running %s", " ".join(cmd))
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        log.info("dbt | %s", line)
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-30:] + proc.stderr.splitlines()[-10:])
        raise DbtError(f"dbt {' '.join(args)} failed with exit code {proc.returncode}:\n{tail}")
    summary = [line for line in proc.stdout.splitlines() if "Done. PASS=" in line]
    return {"command": " ".join(args), "summary": summary[-1].strip() if summary else ""}
