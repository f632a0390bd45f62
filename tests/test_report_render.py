"""The published report renders in a real browser: headless Chromium (Debian's `chromium`, with the
CJK fonts `make browser` installs) loads report.html from disk, and the rendered DOM carries the
charts as SVG and the Chinese headings as text. A screenshot is kept for a human to look at.

Skipped only when Chromium is absent on a developer machine; in CI (CI set) a missing browser fails.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from talent.forecast import ensure_forecast
from talent.report import publish_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HEADINGS = (
    "摘要",
    "一、本月要点",
    "二、招聘需求趋势与预测",
    "四、人才供需缺口",
    "七、存在供给过剩风险的专业",
    "九、预测方法与回测精度",
    "十、数据质量与时效",
)

if CHROMIUM is None:
    if os.environ.get("CI"):
        pytest.fail(
            "chromium is not installed but CI is set: run `make browser` (as root) first", pytrace=False
        )
    pytestmark = pytest.mark.skip(
        reason="chromium not installed; `make browser` (as root) installs it and CJK fonts"
    )


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    from test_publish import MONTH, _raw_landing, build_marts, build_report_marts

    home = tmp_path_factory.mktemp("render")
    marts = build_marts(home)
    ensure_forecast(marts["path"], MONTH)
    build_report_marts(marts["path"])
    raw = home / "raw"
    _raw_landing(raw, "job_board_zhaopin", 3)  # quarantined rows, so the rule names are printed
    result = publish_report(MONTH, duckdb_path=marts["path"], reports_dir=marts["reports"], raw_dir=raw)
    return result.path / "report.html"


def test_a_cjk_font_is_installed() -> None:
    # Without one, Chromium draws Chinese as empty boxes: the screenshot would look broken.
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False)
    assert fonts.stdout.strip(), (
        "no CJK font found by fontconfig: run `make browser` (installs fonts-noto-cjk)"
    )


def test_rendered_dom_has_the_charts_and_chinese_headings(report: Path, tmp_path: Path) -> None:
    proc = _chromium(["--dump-dom", report.as_uri()], tmp_path / "profile")
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    assert len(re.findall(r"<svg\b", dom)) >= 2  # the trend chart and the forecast charts
    assert re.search(r"<polyline[^>]+points=\"[\d.]+,[\d.]+ ", dom)
    assert re.search(r"<polygon[^>]+points=", dom), "forecast interval bands"
    for heading in HEADINGS:
        assert re.search(rf"<h2>{heading}", dom), heading
    # Source text stays escaped after the browser parsed the page: no injected element.
    assert "<script" not in dom and "&lt;script&gt;" in dom


def test_screenshot_is_written(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    proc = _chromium(
        ["--screenshot=" + str(shot), "--window-size=1280,4000", report.as_uri()], tmp_path / "profile"
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 4000)
    # A blank page compresses to a few KB; a page of text and charts does not.
    assert len(data) > 100_000
    keep = os.environ.get("TALENT_KEEP_SCREENSHOT")
    if keep:
        shutil.copyfile(shot, keep)


# ------------------------------------------------ issue 12: every table readable in a 1280-px browser

# Run in the page after layout: the page's and each table's widths, cells narrower than MIN_CELL px,
# and text squeezed to about one character per line (a text node's line boxes, from its client rects).
MEASURE_JS = """
(function () {
  var doc = document.documentElement, out = {scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, tables: []};
  document.querySelectorAll("table").forEach(function (t) {
    var info = {id: t.id, right: t.getBoundingClientRect().right, narrow: [], squeezed: []};
    t.querySelectorAll("th,td").forEach(function (c) {
      var w = c.getBoundingClientRect().width;
      if (w < MIN_CELL) info.narrow.push([c.textContent.trim().slice(0, 20), Math.round(w)]);
      var walker = document.createTreeWalker(c, NodeFilter.SHOW_TEXT), n;
      while ((n = walker.nextNode())) {
        var text = n.textContent.trim(), chars = Array.from(text).length;
        if (chars < 3) continue;
        var range = document.createRange(), tops = {};
        range.selectNodeContents(n);
        Array.prototype.forEach.call(range.getClientRects(), function (r) { tops[Math.round(r.top)] = 1; });
        var lines = Object.keys(tops).length;
        if (lines > 1 && chars / lines < 2.5) info.squeezed.push([text.slice(0, 20), chars, lines]);
      }
    });
    out.tables.push(info);
  });
  var pre = document.createElement("pre");
  pre.id = "layout-measure"; pre.style.display = "none"; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
"""
MIN_CELL = 36  # px: the width of a two-digit rank with padding; one CJK character is 14 px


def measure_layout(page: str, tmp_path: Path, width: int = 1280) -> dict:
    """Load ``page`` (HTML text) at ``width`` px in headless Chromium and return MEASURE_JS's result."""
    probe = tmp_path / "measure.html"
    script = MEASURE_JS.replace("MIN_CELL", str(MIN_CELL))
    probe.write_text(page.replace("</body>", f"<script>{script}</script></body>"), encoding="utf-8")
    args = [f"--window-size={width},900", "--hide-scrollbars", "--dump-dom", probe.as_uri()]
    proc = _chromium(args, tmp_path / "profile")
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = re.search(r'<pre id="layout-measure"[^>]*>(.*?)</pre>', proc.stdout, re.S)
    assert found, "the measuring script did not run"
    return json.loads(html.unescape(found.group(1)))


def test_every_table_is_readable_at_1280px(report: Path, tmp_path: Path) -> None:
    layout = measure_layout(report.read_text(encoding="utf-8"), tmp_path)
    assert layout["scrollWidth"] <= layout["clientWidth"] == 1280, "the page scrolls sideways"
    ids = {t["id"] for t in layout["tables"]}
    assert {"forecast-table", "gap-table", "quality-table", "accuracy-table"} <= ids
    for table in layout["tables"]:
        assert table["right"] <= layout["clientWidth"], table["id"]
        assert not table["narrow"], (table["id"], table["narrow"][:5])
        assert not table["squeezed"], (table["id"], table["squeezed"][:5])


def test_the_measurement_catches_a_squeezed_column(report: Path, tmp_path: Path) -> None:
    # Without the page's column floors the forecast table's 序列 column wraps a character per line
    # (issue 12): the check above must see that, or it proves nothing.
    page = report.read_text(encoding="utf-8")
    floors = re.search(r"/\* A table squeezed.*?th\.num \{ white-space: normal; \}", page, re.S)
    assert floors, "the column floors moved: update this test"
    layout = measure_layout(page.replace(floors.group(0), ""), tmp_path)
    forecast = next(t for t in layout["tables"] if t["id"] == "forecast-table")
    assert forecast["squeezed"] or forecast["narrow"]


def _table(page: str, table_id: str) -> str:
    start = page.index(f'<table id="{table_id}">')
    return page[start : page.index("</table>", start)]


def test_gap_table_judges_every_row(report: Path) -> None:
    gap = _table(report.read_text(encoding="utf-8"), "gap-table")
    verdicts = re.findall(r'<td class="status">(?:<span class="flag">)?([^<]*)<', gap)
    assert verdicts and all(verdicts), verdicts
    assert set(verdicts) <= {"紧缺", "偏紧", "供大于求", "供给过剩", "无毕业生数据", "无数据"}


def test_counts_print_as_whole_numbers(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    for table_id in re.findall(r'<table id="([^"]+)"', page):
        cells = re.findall(r"<td[^>]*>([^<]*)<", _table(page, table_id))
        assert not [c for c in cells if re.fullmatch(r"[−-]?[\d,]+\.00", c)], table_id


def test_quarantine_rules_print_in_chinese(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    assert "发布日期缺失（posted_at，关键）3 行" in page
    assert "posted_at_present" not in page


def test_a_fall_is_never_called_the_fastest_growth() -> None:
    from talent.report.sections.summary import summary_sentences

    def county(label: str, change: float) -> dict:
        return {"dimension": "county", "label": label, "change": change, "change_text": f"{change:+.1%}"}

    headline = {"postings_text": "10", "headcount_text": "20"}
    for changes, words in (((-0.006, -0.02), "降幅最小"), ((0.03, -0.02), "增长最快")):
        forecast = {
            "available": True,
            "summaries": {str(i): county(f"县{i}", c) for i, c in enumerate(changes)},
        }
        text = " ".join(summary_sentences("2026年6月", headline, forecast, {}, {}, {}, {}, {}))
        assert words in text, text
        if words == "降幅最小":
            assert "增长最快" not in text
