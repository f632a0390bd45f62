"""report.pdf: the page printed to A4 by headless Chromium, for the offices that file or print it.

The PDF is report.html as the browser lays it out with the page's print CSS (@page A4, no header or
footer lines, tables' header rows repeated), so the two cannot disagree. Chromium is a system package
(`make browser` installs it with a CJK font), called as a subprocess: the runtime needs no Python
browser driver.

Without Chromium a publish fails and says how to fix it, rather than quietly shipping a report without
the PDF the offices expect. A deployment that does not print sets TALENT_REPORT_PDF=0: the report is
then published without report.pdf and manifest.json says so (`pdf`).

Chromium stamps the PDF with the time of printing (/CreationDate, /ModDate); those are pinned to the
report month, digit for digit so no byte offset moves, and the same page prints to the same bytes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from talent.report.errors import PublishError

PDF_ENV = "TALENT_REPORT_PDF"
CHROMIUM_ENV = "TALENT_CHROMIUM"
_DATES = re.compile(rb"(/(?:CreationDate|ModDate) \(D:)(\d{14})")


def pdf_enabled() -> bool:
    return os.environ.get(PDF_ENV, "1").strip().lower() not in ("0", "off", "false", "no")


def find_chromium() -> str | None:
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        return configured if Path(configured).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    return None


def require_chromium() -> str:
    found = find_chromium()
    if found is None:
        raise PublishError(
            "cannot print report.pdf: no Chromium found (looked for $TALENT_CHROMIUM, chromium, "
            "chromium-browser, google-chrome). Install it with `make browser` (as root: apt-get install "
            f"chromium fonts-noto-cjk), or set {PDF_ENV}=0 to publish without the PDF"
        )
    return found


def print_pdf(html: bytes, month: str, *, chromium: str | None = None, timeout: float = 180) -> bytes:
    """``html`` (a self-contained page) printed to A4 PDF bytes, dated the first of ``month``."""
    browser = chromium or require_chromium()
    with tempfile.TemporaryDirectory(prefix="talent-pdf-") as work:
        page, out = Path(work) / "report.html", Path(work) / "report.pdf"
        page.write_bytes(html)
        cmd = [
            browser,
            "--headless",
            # The page is our own escaped HTML with no scripts; the sandbox needs user namespaces that
            # containers and root often lack.
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={Path(work) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise PublishError(f"Chromium did not print report.pdf within {timeout:.0f} s") from exc
        if proc.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            raise PublishError(
                f"Chromium could not print report.pdf (exit code {proc.returncode}): {proc.stderr[-1500:]}"
            )
        data = out.read_bytes()
    if not data.startswith(b"%PDF-"):
        raise PublishError("Chromium wrote something that is not a PDF as report.pdf")
    stamp = f"{month[:4]}{month[5:7]}01000000".encode()
    return _DATES.sub(lambda m: m.group(1) + stamp, data)
