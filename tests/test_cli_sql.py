"""`talent sql` and `talent marts` against a published snapshot (a small real one, published by the
same code the pipeline runs)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from serving_support import small_warehouse

from talent.cli import main
from talent.query import display_width, render_table
from talent.serving import publish_snapshot


@pytest.fixture
def snapshot(tmp_path, monkeypatch) -> dict:
    small_warehouse(tmp_path, monkeypatch)
    return publish_snapshot()


def talent(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_sql_answers_as_a_table_with_cjk_columns_aligned(snapshot, capsys):
    code, out, _ = talent(
        capsys, "sql", "select county, sum(postings) as postings from marts.demand group by 1 order by 1"
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[-1] == "(2 rows)"
    table = lines[:-1]
    assert "巴州区" in table[2] and "恩阳区" in table[3]
    # Every row has the same width on a terminal (CJK characters take two columns) and the
    # separators line up under the header's.
    assert len({display_width(line.rstrip()) for line in table[1:]}) == 1
    bar = display_width(table[0].split("│")[0])
    assert all(display_width(line.split("│")[0]) == bar for line in (table[0], *table[2:]))
    assert table[2].rstrip().endswith(" 6")  # numbers right-aligned


def test_sql_csv_and_json(snapshot, capsys):
    query = "select county, month, sum(postings) as n from marts.demand group by all order by month, county limit 2"
    code, out, _ = talent(capsys, "sql", query, "--format", "csv")
    assert code == 0
    assert list(csv.reader(io.StringIO(out))) == [
        ["county", "month", "n"],
        ["巴州区", "2026-01-01", "1"],
        ["恩阳区", "2026-01-01", "1"],
    ]
    code, out, _ = talent(capsys, "sql", query, "--format", "json")
    assert code == 0
    assert json.loads(out) == [
        {"county": "巴州区", "month": "2026-01-01", "n": 1},
        {"county": "恩阳区", "month": "2026-01-01", "n": 1},
    ]
    assert "巴州区" in out  # not \u escapes


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("selec 1", "syntax error"),
        ("select * from marts.nope", "nope"),
        ("delete from marts.demand", "read-only"),
        ("select * from read_csv('/etc/passwd')", "disabled"),
    ],
)
def test_sql_errors_are_clear_and_change_nothing(snapshot, capsys, query, message):
    code, out, err = talent(capsys, "sql", query)
    assert code == 1 and out == ""
    assert err.startswith("talent sql: ") and message in err
    code, out, _ = talent(capsys, "sql", "select count(*) from marts.demand", "--format", "csv")
    assert out.splitlines()[1] == "6"


def test_sql_without_a_snapshot_says_how_to_make_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TALENT_WAREHOUSE_DIR", str(tmp_path / "empty"))
    code, out, err = talent(capsys, "sql", "select 1")
    assert code == 1 and "no published snapshot" in err and "talent run" in err


def test_table_rendering_limits_rows_and_flattens_newlines():
    text = render_table(["名称", "n"], [("第一行\n第二行", i) for i in range(5)], limit=3)
    lines = text.splitlines()
    assert len(lines) == 2 + 3 + 1 and "第一行 第二行" in lines[2]
    assert lines[-1] == "(5 rows; the first 3 shown — use --format csv for all)"


def test_marts_lists_every_mart_with_rows_key_grain_and_description(snapshot, capsys):
    code, out, _ = talent(capsys, "marts")
    assert code == 0
    assert f"snapshot build {snapshot['build_id']}" in out
    assert "marts.demand   6 rows   key: demand_id" in out
    assert "grain: month × county" in out
    assert "各县需求 demand" in out
    assert "reference.counties" not in out
    code, out, _ = talent(capsys, "marts", "--all", "--format", "json")
    listing = json.loads(out)
    assert listing["build_id"] == snapshot["build_id"]
    by_name = {f"{t['schema']}.{t['name']}": t for t in listing["tables"]}
    assert set(by_name) == {"marts.demand", "reference.counties"}
    columns = {c["name"]: c for c in by_name["marts.demand"]["columns"]}
    assert columns["county"]["description"] == "县区，如巴州区。"
    assert columns["postings"]["type"] == "HUGEINT"


def test_marts_before_any_build_reads_the_dbt_project(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TALENT_WAREHOUSE_DIR", str(tmp_path / "empty"))
    code, out, _ = talent(capsys, "marts")
    assert code == 0 and "no snapshot yet" in out
    assert "marts.talent_demand_monthly   ? rows   key: demand_id" in out


def test_the_installed_command_runs(snapshot):
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("talent")), "sql", "select '巴中' as 城市", "--format", "csv"],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["城市", "巴中"]
