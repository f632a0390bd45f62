"""Data freshness and quality per source, and the documents the dashboard links to.

Read from files only, never from the pipeline's DuckDB file: the snapshot's `current.json` (which
build, when), each source's raw landings and their validation results (rows checked, kept and
quarantined: `talent.report.quality.read_quality`, the same summary the monthly report prints), the
quarantine folder, the newest published report and the Great Expectations Data Docs if built."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from talent.report.sections.quality import SOURCE_CN
from talent.serving import current_build
from talent.settings import REPORT_TIMEZONE, get_settings
from talent.units import fmt_int, fmt_pct

# A source whose newest landing is older than this (days) is flagged as stale; quarantining more
# than this share of rows is flagged as a quality problem. Both are attention marks, not failures.
STALE_AFTER_DAYS = 45
QUARANTINE_WARN_SHARE = 0.05


def local_time(iso: str | None) -> str:
    """An ISO timestamp (UTC) as Beijing time, e.g. ``2026-12-02 16:14``; ``—`` when unknown."""
    if not iso:
        return "—"
    try:
        stamp = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(ZoneInfo(REPORT_TIMEZONE)).strftime("%Y-%m-%d %H:%M")


def snapshot_info() -> dict[str, Any]:
    build = current_build() or {}
    return {
        "build_id": build.get("build_id"),
        "built_at": local_time(build.get("built_at")),
        "tables": len(build.get("tables") or {}),
    }


def _quarantine_files(source: str) -> int:
    folder = get_settings().quarantine_dir / source
    return sum(1 for _ in folder.rglob("*.jsonl")) if folder.is_dir() else 0


def _kind(source: str) -> str:
    return "job_boards" if source.startswith("job_board") else source


def source_quality(
    coverage: dict[str, str] | None = None, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """One row per source the warehouse loads: the period its data reaches in the marts (`coverage`,
    by kind of source), landings and their dates, rows validated, kept and quarantined, and a status
    mark in Chinese."""
    from talent.report.quality import read_quality

    raw_dir = get_settings().raw_dir
    if not raw_dir.is_dir():
        return []
    today = today or dt.datetime.now(ZoneInfo(REPORT_TIMEZONE)).date()
    quality = read_quality(raw_dir)
    order = list(SOURCE_CN)
    rows = []
    for source in sorted(quality, key=lambda s: (order.index(s) if s in order else 99, s)):
        q = quality[source]
        checked, quarantined = int(q.get("rows") or 0), int(q.get("quarantined") or 0)
        share = quarantined / checked if checked else None
        landed = q.get("landed_last")
        age = (today - dt.date.fromisoformat(landed)).days if landed else None
        problems = []
        if age is not None and age > STALE_AFTER_DAYS:
            problems.append(f"已 {age} 天未更新")
        if share is not None and share > QUARANTINE_WARN_SHARE:
            problems.append("隔离比例偏高")
        rows.append(
            {
                "source": source,
                "name": SOURCE_CN.get(source, source),
                "coverage": (coverage or {}).get(_kind(source), "—"),
                "partitions": q.get("partition_first", "—")
                + (
                    f" 至 {q['partition_last']}"
                    if q.get("partition_last") not in (None, q.get("partition_first"))
                    else ""
                ),
                "landings": fmt_int(q.get("landings", 0)),
                "landed": landed or "—",
                "checked": fmt_int(checked),
                "accepted": fmt_int(q.get("accepted", 0)),
                "quarantined": fmt_int(quarantined),
                "share": fmt_pct(share),
                "quarantine_files": _quarantine_files(source),
                "status": "；".join(problems) if problems else "正常",
                "ok": not problems,
            }
        )
    return rows


def latest_report_dir() -> Path | None:
    """warehouse/reports/<newest month>/latest, if a report has been published."""
    reports = get_settings().reports_dir
    if not reports.is_dir():
        return None
    for month in sorted((p for p in reports.iterdir() if p.is_dir()), reverse=True):
        latest = month / "latest"
        if (latest / "report.html").is_file():
            return latest
    return None


def quality_docs_dir() -> Path | None:
    """The Great Expectations Data Docs site under warehouse/quality/, when it has been built."""
    folder = get_settings().warehouse_dir / "quality"
    return folder if folder.is_dir() and any(folder.rglob("index.html")) else None


def quality_docs_index() -> str | None:
    """Path of the Data Docs' front page relative to warehouse/quality/ (shallowest index.html)."""
    folder = quality_docs_dir()
    if folder is None:
        return None
    pages = sorted(folder.rglob("index.html"), key=lambda p: (len(p.parts), str(p)))
    return pages[0].relative_to(folder).as_posix()
