"""The README's "Reading the warehouse" examples run as written, against a small built warehouse.

Every ```bash and ```python block of that section is run from a folder laid out like the project
(`.venv/` and `warehouse/` beside each other), with the built warehouse as `warehouse/`. The one
change made to a block: the PostgreSQL example's database (`…/test`) becomes a fresh database made
for the test and dropped after it, so the example never writes into a shared one."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from serving_support import built_warehouse

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Reading the warehouse"
BLOCK = re.compile(r"^```(bash|python)\n(.*?)^```$", re.S | re.M)
README_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


def section_blocks() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return BLOCK.findall(text[start : end if end != -1 else None])


BLOCKS = section_blocks()


def test_the_section_has_shell_and_python_examples():
    kinds = [kind for kind, _ in BLOCKS]
    assert kinds.count("bash") >= 2 and kinds.count("python") >= 2


@pytest.fixture(scope="module")
def project_like(tmp_path_factory) -> tuple[Path, dict]:
    built = built_warehouse(tmp_path_factory)
    work = tmp_path_factory.mktemp("readme")
    (work / ".venv").symlink_to(ROOT / ".venv")
    (work / "warehouse").symlink_to(built.warehouse)
    env = {**built.env, "TALENT_WAREHOUSE_DIR": str(built.warehouse)}
    return work, env


@pytest.fixture
def postgres_database():
    psycopg2 = pytest.importorskip("psycopg2")
    try:
        admin = psycopg2.connect(README_PG_URL, connect_timeout=5)
    except psycopg2.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at 127.0.0.1:5432: {exc}")
    if not shutil.which("psql"):
        pytest.skip("the example uses psql, which is not installed here")
    admin.autocommit = True
    name = f"talent_readme_{uuid.uuid4().hex[:10]}"
    with admin.cursor() as cur:
        cur.execute(f'create database "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
        admin.close()


def run_block(kind: str, code: str, work: Path, env: dict) -> subprocess.CompletedProcess:
    if kind == "bash":
        cmd = ["bash", "-euo", "pipefail", "-c", code]
    else:
        script = work / f"example_{uuid.uuid4().hex[:8]}.py"
        script.write_text(code, encoding="utf-8")
        cmd = [str(work / ".venv" / "bin" / "python"), str(script)]
    return subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("kind", "code"), [b for b in BLOCKS if README_PG_URL not in b[1]], ids=lambda v: v.split("\n")[0][:40]
)
def test_example_runs_as_written(project_like, kind, code):
    work, env = project_like
    proc = run_block(kind, code, work, env)
    assert proc.returncode == 0, f"{code}\n---\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    assert proc.stdout.strip()
    assert "Traceback" not in proc.stderr
    if "> demand.csv" in code:
        lines = (work / "demand.csv").read_text(encoding="utf-8").splitlines()
        assert lines[0] == "month,industry,postings" and len(lines) == 21
        assert re.search(r"[\u4e00-\u9fff]", lines[1])


@pytest.mark.e2e
@pytest.mark.postgres
def test_the_postgres_example_runs(project_like, postgres_database):
    work, env = project_like
    (code,) = [c for k, c in BLOCKS if README_PG_URL in c]
    proc = run_block("bash", code.replace(README_PG_URL, postgres_database), work, env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert '"status": "served"' in proc.stdout
    assert re.search(r"文旅康养\s*\|\s*\d+", proc.stdout)
    assert os.environ.get("TALENT_SERVING_POSTGRES_URL") != postgres_database  # the export stayed in bash
