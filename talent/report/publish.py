"""Publish one month's report: read the marts, build the sections, render the files, and store them
as a new version unless nothing changed. Contract: docs/contracts.md section 6."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import talent
from talent.report.context import build_context
from talent.report.errors import PublishError
from talent.report.pdf import pdf_enabled, print_pdf, require_chromium
from talent.report.quality import read_quality
from talent.report.read import read_report_data
from talent.report.render import render_files, run_id
from talent.report.store import (
    dir_has_exactly,
    latest_version,
    max_version,
    month_lock,
    point_latest,
    remove_orphans,
    write_version_dir,
)
from talent.units import MonthFormatError, check_month

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublishResult:
    month: str
    version: str  # "v1", "v2", … (the directory name)
    path: Path  # REPORTS_DIR/YYYY-MM/v<N> (the real directory, not the `latest` link)
    status: str  # "published" | "unchanged"
    files: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "version": self.version,
            "path": str(self.path),
            "status": self.status,
            "files": list(self.files),
        }


def _reuse_pdf(published: Path, chromium: str | None) -> Callable[[bytes], bytes | None] | None:
    """For the "unchanged?" check: the PDF is printed from report.html, so when the page is the one
    on disk its PDF is too; no need to start a browser to learn that nothing changed. A changed page
    (or a version without a PDF) means a new version anyway, which prints its own."""
    if chromium is None:
        return None

    def reuse(html: bytes) -> bytes | None:
        page, pdf = published / "report.html", published / "report.pdf"
        if pdf.is_file() and page.is_file() and page.read_bytes() == html:
            return pdf.read_bytes()
        return None

    return reuse


def publish_report(
    month: str,
    *,
    duckdb_path: str | os.PathLike[str],
    reports_dir: str | os.PathLike[str],
    code_version: str | None = None,
    lock_retries: int = 5,
    lock_backoff: float = 0.2,
    raw_dir: str | os.PathLike[str] | None = None,
    pdf: bool | None = None,
) -> PublishResult:
    """Build the report for ``month`` (YYYY-MM) and publish it as a new version unless unchanged.

    ``lock_retries``/``lock_backoff`` control how long to wait for a process holding the DuckDB write
    lock (attempts, and the first sleep in seconds, doubled each time up to 2 s). ``raw_dir`` (the raw
    landings with their validation results) feeds the data-quality section and the per-source data
    vintage; without it that section says so. ``pdf``: print report.pdf (default: unless
    TALENT_REPORT_PDF=0); PublishError before anything is read when Chromium is missing."""
    try:
        month = check_month(month)
    except MonthFormatError as exc:
        raise PublishError(str(exc)) from exc
    code_version = code_version or talent.__version__
    chromium = require_chromium() if (pdf_enabled() if pdf is None else pdf) else None
    data = read_report_data(Path(duckdb_path), month, retries=lock_retries, backoff=lock_backoff)
    quality = read_quality(Path(raw_dir)) if raw_dir is not None else None
    context = build_context(data, code_version, quality=quality)
    context["run_id"] = run_id(data, context)

    month_dir = Path(reports_dir) / month
    month_dir.mkdir(parents=True, exist_ok=True)
    with month_lock(month_dir):
        remove_orphans(month_dir)
        current = latest_version(month_dir)
        if current is not None:
            # The version label is part of report.html and manifest.json, so render with the
            # current label: if that equals what is on disk, the data and code have not changed.
            same = render_files(data, context, current, pdf=_reuse_pdf(month_dir / current, chromium))
            if dir_has_exactly(month_dir / current, same):
                log.info("report %s unchanged: %s is still %s", month, month_dir / "latest", current)
                return PublishResult(month, current, month_dir / current, "unchanged", tuple(sorted(same)))

        version = f"v{max_version(month_dir) + 1}"
        printer = None if chromium is None else (lambda html: print_pdf(html, month, chromium=chromium))
        files = render_files(data, context, version, pdf=printer)
        target = month_dir / version
        write_version_dir(month_dir, target, files)
        point_latest(month_dir, version)

    log.info(
        "published report %s %s to %s (%d files; demand data to %s)",
        month,
        version,
        target,
        len(files),
        context["demand_max"],
    )
    return PublishResult(month, version, target, "published", tuple(sorted(files)))
