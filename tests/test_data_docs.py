"""Great Expectations Data Docs (built by `validate_landing(..., data_docs_dir=...)`) and dbt's static
docs (`talent docs`).

Landings are written by hand as in tests/test_expectations.py and validated with the real suites;
the site's index is read back from its HTML (GX embeds the index rows as bootstrap-table data),
checked for remote assets, and opened in headless Chromium to see the vendored scripts draw it.
The dbt test builds a small warehouse from tests/test_dbt_project.py's raw tables."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_expectations import bulletin_rows, jobs, schools, write_landing

from expectations import ValidationFailed, validate_landing

ROOT = Path(__file__).resolve().parent.parent
TABLE_DATA = re.compile(
    r"\.bootstrapTable\(\s*Object\.assign\(\s*\{\s*columns: .*?\n\s*data: (\[.*?\]),\n", re.S
)
REMOTE_ASSET = re.compile(
    r"<(?:script|img|iframe)\b[^>]*\bsrc=[\"']?https?:"
    r"|<link\b[^>]*\bhref=[\"']?https?:"
    r"|url\(\s*[\"']?https?:"
    r"|@import\s+[\"']?https?:",
    re.I,
)
LOCAL_REF = re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=\"(?!https?:|#|data:)([^\"]+)\"")


def index_tables(site: Path) -> tuple[list[dict], list[dict]]:
    """(validation rows, expectation suite rows) of the site's index page."""
    html = (site / "index.html").read_text(encoding="utf-8")
    tables = [ast.literal_eval(data) for data in TABLE_DATA.findall(html)]
    assert len(tables) == 2, f"expected the validations and suites tables, found {len(tables)}"
    return tables[0], tables[1]


def strip_tags(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text).strip()


def validate(landing: Path, tmp_path: Path, site: Path | None) -> dict:
    """Validate; return result.json (written whether the landing passed or failed)."""
    try:
        validate_landing(landing, quarantine_dir=tmp_path / "quarantine", data_docs_dir=site)
    except ValidationFailed:
        pass
    return json.loads((landing / "validation" / "result.json").read_text(encoding="utf-8"))


@pytest.fixture
def validated(tmp_path: Path) -> tuple[Path, dict[Path, dict]]:
    """A site with three landings validated into it: two that pass, one that fails."""
    raw, site = tmp_path / "raw", tmp_path / "quality"
    bad = jobs(10)
    for record in bad[:8]:
        del record["title"]  # most rows lack a required field: the landing fails
    landings = [
        write_landing(raw, "job_board_zhaopin", jobs(30)),
        write_landing(raw, "school_records", schools(12), partition="2025-03-06"),
        write_landing(raw, "job_board_rencai", bad),
    ]
    return site, {landing: validate(landing, tmp_path, site) for landing in landings}


def test_index_lists_every_validation_with_its_verdict(validated):
    site, results = validated
    rows, suites = index_tables(site)

    expected = {
        f"{r['source']}-{r['partition']}-{landing.name}": ("Success" if r["success"] else "Failed", r)
        for landing, r in results.items()
    }
    assert {r["success"] for r in results.values()} == {True, False}  # both kinds are shown
    assert len(rows) == len(expected)
    for row in rows:
        batch = strip_tags(row["batch_identifier"]).split()[0]
        verdict, result = expected[batch]
        assert row["_validation_success_text"] == verdict, batch
        assert row["asset_name"] == result["source"]
        assert row["run_name"] == result["partition"]
        page = site / row["_table_row_link_path"]
        assert page.is_file(), page
        # the page names this landing (its batch spec) and counts the same expectations as result.json
        text = page.read_text(encoding="utf-8")
        assert result["landing"] in text
        evaluated = re.search(r"Evaluated Expectations\s*(\d+)", strip_tags(text))
        assert evaluated and int(evaluated[1]) == len(result["expectations"]), batch
    assert {strip_tags(r["expectation_suite_name"]) for r in rows} == {"job_board", "school_records"}
    # every suite has its page, validated or not yet
    assert sorted(s["expectation_suite_name"] for s in suites) == ["bulletins", "job_board", "school_records"]
    for suite in suites:
        assert (site / suite["_table_row_link_path"]).is_file()


def test_docs_reference_no_remote_asset_and_every_local_one_exists(validated):
    site, _ = validated
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 1 + 3 + 3  # index, three suites, three validations
    for page in pages:
        html = page.read_text(encoding="utf-8")
        remote = REMOTE_ASSET.findall(html)
        assert not remote, f"{page.relative_to(site)} loads {remote[:3]}"
        for ref in LOCAL_REF.findall(html):
            if "favicon" in ref:
                continue  # GX's validation pages point one folder too high for it; a missing icon is harmless
            target = (page.parent / ref.split("?")[0]).resolve()
            assert target.is_file(), f"{page.relative_to(site)} refers to missing {ref}"
    assert (site / "static" / "vendor" / "jquery.min.js").is_file()


def test_revalidating_a_landing_does_not_grow_the_site(validated, tmp_path):
    site, results = validated
    files_before = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    rows_before, _ = index_tables(site)

    for landing in results:
        validate(landing, tmp_path, site)

    rows_after, _ = index_tables(site)
    assert len(rows_after) == len(rows_before) == len(results)
    files_after = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    assert files_after == files_before


def test_a_new_landing_adds_one_entry(validated, tmp_path):
    site, results = validated
    landing = write_landing(tmp_path / "raw", "bulletins", bulletin_rows(), partition="2025-03-07")
    result = validate(landing, tmp_path, site)
    rows, _ = index_tables(site)
    assert len(rows) == len(results) + 1
    new = [r for r in rows if landing.name in r["batch_identifier"]]
    assert len(new) == 1 and new[0]["_validation_success_text"] == (
        "Success" if result["success"] else "Failed"
    )


def test_docs_do_not_spread_the_personal_data_a_check_caught(tmp_path):
    records = jobs(150)
    records[2]["description"] += "有意者请致电13812345678或发邮件hr@hengyuan-food.com"
    landing = write_landing(tmp_path / "raw", "job_board_zhaopin", records)
    site = tmp_path / "quality"
    result = validate(landing, tmp_path, site)
    assert result["quarantined"] == 1  # caught, so the docs have a failing expectation to show
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json"):
            text = path.read_text(encoding="utf-8")
            assert "13812345678" not in text and "hr@hengyuan-food.com" not in text, path


def test_result_json_is_the_same_with_or_without_docs(tmp_path):
    a = write_landing(tmp_path / "a", "job_board_zhaopin", jobs(25))
    b = write_landing(tmp_path / "b", "job_board_zhaopin", jobs(25))
    validate(a, tmp_path, None)
    validate(b, tmp_path, tmp_path / "quality")
    assert (a / "validation" / "result.json").read_bytes() == (b / "validation" / "result.json").read_bytes()
    assert (tmp_path / "quality" / "index.html").is_file()


def test_a_docs_failure_does_not_fail_the_validation(tmp_path, caplog):
    landing = write_landing(tmp_path / "raw", "job_board_zhaopin", jobs(5))
    not_a_dir = tmp_path / "quality"
    not_a_dir.write_text("a file where the site should go")
    summary = validate_landing(landing, quarantine_dir=tmp_path / "q", data_docs_dir=not_a_dir)
    assert summary.success and summary.accepted == 5
    assert "Data Docs were not updated" in caplog.text


def test_index_renders_offline_in_headless_chromium(validated, tmp_path):
    """The vendored jQuery + bootstrap-table draw the index rows (GX builds the table in script)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        pytest.skip("chromium is not installed (`make browser`)")
    site, results = validated
    proc = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'chromium'}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            (site / "index.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    assert "<tbody" in dom, "bootstrap-table drew no table: a vendored script did not load"
    body = dom[dom.index("<tbody") :]
    for landing, result in results.items():
        assert f"{result['source']}-{result['partition']}-{landing.name}" in body
    assert "Showing 1 to 3 of 3 rows" in dom


# ------------------------------------------------------------------------------------------ dbt docs


def talent(env: dict, *args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("talent")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "talent.cli"]
    return subprocess.run([*cmd, *args], env=env, capture_output=True, text=True, timeout=600, cwd=ROOT)


def test_talent_docs_needs_a_built_warehouse_then_writes_the_static_site(tmp_path, monkeypatch):
    from test_dbt_project import write_raw

    warehouse = tmp_path / "warehouse"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TALENT_", "DBT_"))}
    env["TALENT_WAREHOUSE_DIR"] = str(warehouse)

    missing = talent(env, "docs")
    assert missing.returncode == 1
    assert "no warehouse database" in missing.stderr and "talent run" in missing.stderr
    assert not (warehouse / "talent.duckdb").exists()  # asking did not create an empty one

    warehouse.mkdir()
    write_raw(warehouse / "talent.duckdb")  # raw tables only: nothing built yet
    unbuilt = talent(env, "docs")
    assert unbuilt.returncode == 1, unbuilt.stdout[-2000:]
    assert "has no marts" in unbuilt.stderr and "talent run" in unbuilt.stderr

    for name in ("TALENT_DUCKDB_PATH", "DBT_TARGET_PATH", "DBT_LOG_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TALENT_WAREHOUSE_DIR", str(warehouse))
    from talent.dbt import run_dbt

    run_dbt(["build", "--exclude", "source:forecast+", "--resource-type", "seed", "--resource-type", "model"])

    built = talent(env, "docs")
    assert built.returncode == 0, built.stderr[-3000:]
    index = warehouse / "docs" / "dbt" / "index.html"
    assert built.stdout.strip().splitlines()[-1] == str(index)
    html = index.read_text(encoding="utf-8")
    # --static inlines the manifest and the catalog: the page opens from disk, no `dbt docs serve`
    assert not (index.parent / "manifest.json").exists()
    catalog = json.loads((warehouse / "dbt" / "target" / "catalog.json").read_text(encoding="utf-8"))
    marts = {n["metadata"]["name"] for n in catalog["nodes"].values() if n["metadata"]["schema"] == "marts"}
    assert marts and all(f'"{name}"' in html for name in marts)
    assert not REMOTE_ASSET.findall(html)
