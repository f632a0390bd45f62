"""The published report renders in a real browser: headless Chromium (Debian's `chromium`, with the
CJK fonts `make browser` installs) loads report.html from disk, and the rendered DOM carries the
charts as SVG and the Chinese headings as text. A screenshot is kept for a human to look at.

Skipped only when Chromium is absent on a developer machine; in CI (CI set) a missing browser fails.
"""

from __future__ import annotations

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
    from test_publish import MONTH, build_marts, build_report_marts

    home = tmp_path_factory.mktemp("render")
    marts = build_marts(home)
    ensure_forecast(marts["path"], MONTH)
    build_report_marts(marts["path"])
    result = publish_report(MONTH, duckdb_path=marts["path"], reports_dir=marts["reports"])
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
