"""The report's files for the offices (issue 12) and for opening safely (issue 14): report.xlsx (a sheet
per table, Chinese headers, frozen header row, number formats, a 说明 sheet), report.pdf printed by
headless Chromium (A4, in the manifest, reprinted only when the page changed; a missing browser stops
the publish unless TALENT_REPORT_PDF=0 says not to print), source text that would be a spreadsheet
formula, an orphan build folder left by a killed publish, and the Chinese names of the validation rules.

The warehouse is test_publish's hand-built one (no forecast run, so the publish is quick)."""

from __future__ import annotations

import importlib
import io
import json
import logging
import os
import re
import shutil
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook

from talent.report import PublishError, publish_report
from talent.report.pdf import print_pdf
from talent.report.render import PDF_OFF

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="chromium not installed; `make browser` installs it"
)
FORMULA = '=HYPERLINK("http://evil.example","点我")'
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture()
def marts(tmp_path: Path, monkeypatch) -> dict:
    from test_publish import build_marts

    monkeypatch.setenv("TALENT_REPORT_PDF", "0")
    return build_marts(tmp_path)


def _publish(marts: dict, **kwargs):
    from test_publish import MONTH

    return publish_report(MONTH, duckdb_path=marts["path"], reports_dir=marts["reports"], **kwargs)


def test_workbook_has_a_sheet_per_table_with_chinese_headers_and_formats(marts: dict) -> None:
    result = _publish(marts)
    book = load_workbook(result.path / "report.xlsx")
    assert book.sheetnames[0] == "说明"
    assert {"本月行业", "供需缺口", "供给过剩专业", "紧缺职业"} <= set(book.sheetnames)
    described = {(r[0], r[1]) for r in book["说明"].iter_rows(min_row=2, values_only=True)}
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        headers = [c.value for c in ws[1]]
        if ws.title in ("本月行业", "供需缺口", "供给过剩专业"):
            assert all(CJK.search(h) for h in headers), (ws.title, headers)
        if ws.title != "说明":
            assert all((ws.title, h) in described for h in headers), ws.title  # 说明 names every column

    top = book["本月行业"]
    header = [c.value for c in top[1]]
    postings, share = header.index("招聘岗位数（条）") + 1, header.index("占比") + 1
    first = top.cell(row=2, column=postings)
    assert isinstance(first.value, int) and first.number_format == "#,##0"
    assert top.cell(row=2, column=share).number_format == "0.0%"
    assert 0 < top.cell(row=2, column=share).value <= 1  # a share, shown as a percentage by the format
    gap = book["供需缺口"]
    header = [c.value for c in gap[1]]
    graduates = gap.cell(row=2, column=header.index("毕业生数（人）") + 1)
    assert graduates.number_format == "#,##0"  # a count shows whole even when stored with decimals
    assert all(r[header.index("判断")] for r in gap.iter_rows(min_row=2, values_only=True))
    # The same marts give the same workbook bytes (no clock in the properties or the zip entries).
    again = _publish(marts, code_version=None)
    assert again.status == "unchanged"


def test_formula_text_is_escaped_in_csv_and_stays_text_in_xlsx(marts: dict) -> None:
    from test_publish import build_report_marts

    with duckdb.connect(str(marts["path"])) as con:
        con.execute(
            "UPDATE marts.talent_demand_monthly SET industry = ? WHERE industry = '文旅康养'", [FORMULA]
        )
    build_report_marts(marts["path"])
    result = _publish(marts)

    demand = pd.read_csv(result.path / "talent_demand_monthly.csv", encoding="utf-8-sig", dtype=str)
    assert "'" + FORMULA in set(demand["industry"]) and FORMULA not in set(demand["industry"])
    gap = pd.read_csv(result.path / "supply_demand_gap.csv", encoding="utf-8-sig", dtype=str)
    assert any(v.startswith("-") for v in gap["gap"].dropna()), "negative numbers are not formulas"

    book = load_workbook(result.path / "report.xlsx")
    cells = [c for row in book["本月行业"].iter_rows(min_row=2) for c in row if c.value == FORMULA]
    assert cells and all(c.data_type == "s" for c in cells)
    with zipfile.ZipFile(result.path / "report.xlsx") as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in archive.read(n) for n in sheets), "a cell was written as a formula"


def test_orphan_build_folder_is_removed_on_the_next_publish(marts: dict, caplog) -> None:
    first = _publish(marts)
    month_dir = first.path.parent
    # What a publisher killed between mkdtemp and rename leaves behind (store.write_version_dir).
    orphan = month_dir / ".tmp-k1ll3d"
    orphan.mkdir()
    (orphan / "report.html").write_text("half", encoding="utf-8")
    os.symlink("v9", month_dir / ".latest-4242-deadbeef")
    with caplog.at_level(logging.WARNING, logger="talent.report.store"):
        again = _publish(marts)
    assert again.status == "unchanged"
    assert not orphan.exists() and not (month_dir / ".latest-4242-deadbeef").is_symlink()
    assert any(".tmp-k1ll3d" in r.getMessage() and "interrupted" in r.getMessage() for r in caplog.records)
    assert sorted(p.name for p in month_dir.iterdir()) == [".publish.lock", "latest", "v1"]


def test_missing_chromium_stops_the_publish_unless_printing_is_off(marts: dict, monkeypatch) -> None:
    monkeypatch.setenv("TALENT_REPORT_PDF", "1")
    monkeypatch.setenv("TALENT_CHROMIUM", str(marts["path"].parent / "no-such-chromium"))
    with pytest.raises(PublishError, match=r"make browser.*TALENT_REPORT_PDF=0"):
        _publish(marts)
    assert not (marts["reports"] / "2025-10").exists()

    monkeypatch.setenv("TALENT_REPORT_PDF", "0")
    result = _publish(marts)
    assert "report.pdf" not in result.files
    assert json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))["pdf"] == PDF_OFF


@needs_chromium
def test_pdf_is_a4_listed_in_the_manifest_and_not_reprinted_when_unchanged(marts: dict, monkeypatch) -> None:
    monkeypatch.setenv("TALENT_REPORT_PDF", "1")
    result = _publish(marts)
    pdf = (result.path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert boxes and all(abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1 for w, h in boxes)
    assert len(re.findall(rb"/Type /Page\b", pdf)) >= 2  # the whole report, not a first screen
    manifest = json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["path"]: f for f in manifest["files"]}
    assert manifest["pdf"] == "report.pdf"
    assert {"report.pdf", "report.xlsx"} <= set(listed) and listed["report.pdf"]["bytes"] == len(pdf)
    assert not re.search(rb"/CreationDate \(D:(?!20251001000000)", pdf), "the print date is pinned"

    # Unchanged data: the PDF on disk is reused, so a browser that now fails is never started.
    monkeypatch.setenv("TALENT_CHROMIUM", "/bin/false")
    assert _publish(marts).status == "unchanged"
    # And the same page prints to the same bytes.
    html = (result.path / "report.html").read_bytes()
    assert print_pdf(html, "2025-10", chromium=CHROMIUM) == pdf


def test_every_validation_rule_has_a_chinese_name() -> None:
    from expectations.labels import has_label, rule_label
    from expectations.suites import SUITE_FOR_SOURCE

    names = set()
    for suite in sorted(set(SUITE_FOR_SOURCE.values())):
        names |= {check.name for check in importlib.import_module(f"expectations.suites.{suite}").checks()}
    assert len(names) > 50
    missing = sorted(n for n in names if not has_label(n))
    assert not missing, f"add these rules to expectations/labels.py: {missing}"
    assert all(CJK.search(rule_label(n)) and n not in rule_label(n) for n in names)
    # A rule added without a label still prints something a reader can make out.
    assert rule_label("brand_new_rule") == "校验规则“brand new rule”"


def test_workbook_bytes_do_not_depend_on_the_clock(marts: dict, tmp_path: Path) -> None:
    first = (_publish(marts).path / "report.xlsx").read_bytes()
    other = publish_report("2025-10", duckdb_path=marts["path"], reports_dir=tmp_path / "elsewhere")
    assert (other.path / "report.xlsx").read_bytes() == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2025, 10, 1, 0, 0, 0)}
