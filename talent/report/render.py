"""The bytes of one report version: report.html, the CSVs (UTF-8 with BOM), the Parquet tables and
manifest.json. Nothing depends on the clock, the host or dict ordering, so the same marts and code
version give byte-identical files; that is what makes "unchanged" a plain byte comparison."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2

from talent.report.context import CSV_MARTS
from talent.report.read import ReportData, Table
from talent.report.text import plain_number
from talent.report.workbook import workbook_bytes

# Tables shipped as CSV and Parquet for machines, in this order, when there is something to ship.
DATA_TABLES = ("demand_forecast", "forecast_accuracy", "oversupply_majors", "shortage_occupations")


# A text cell starting with one of these is a formula to Excel and LibreOffice ("=HYPERLINK(…)" in a
# scraped company name would run when an office opens the CSV). OWASP's advice: prefix such cells with
# an apostrophe, which the spreadsheet shows as text. Plain numbers in text columns ("-0.5" in
# value_text) are not formulas and stay as they are, so the data round-trips.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER_RE = re.compile(r"^[+-]?\d+(?:[.,]\d+)*%?$")


def escape_formula(text: str) -> str:
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER_RE.match(text):
        return "'" + text
    return text


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return plain_number(float(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return escape_formula(str(value))


def csv_bytes(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([csv_cell(v) for v in row])
    # The BOM is what makes Excel (the tool most readers will open these in) read UTF-8 Chinese.
    return buffer.getvalue().encode("utf-8-sig")


def parquet_bytes(table: Table) -> bytes:
    """Parquet with types pyarrow infers from the values; no pandas index, no timestamps written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns: dict[str, list[Any]] = {c: [] for c in table.columns}
    for row in table.rows:
        for name, value in zip(table.columns, row, strict=True):
            columns[name].append(float(value) if isinstance(value, Decimal) else value)
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer, compression="zstd")
    return buffer.getvalue()


def data_tables(data: ReportData, context: dict[str, Any]) -> dict[str, Table]:
    """The machine-readable tables: the report month's forecast run and its backtest accuracy, the
    oversupply table, and the shortage list when that mart exists."""
    candidates = {
        "demand_forecast": data.demand_forecast,
        "forecast_accuracy": data.forecast_accuracy,
        "oversupply_majors": context["oversupply"].get("table"),
        "shortage_occupations": data.shortage,
    }
    return {name: table for name in DATA_TABLES if (table := candidates[name]) is not None and table.rows}


def run_id(data: ReportData, context: dict[str, Any]) -> str:
    """A run id derived from the inputs (never the clock): the same marts, landings and code give the
    same id, so it cannot break byte-identical re-publishing, and a changed input changes it."""
    digest = hashlib.sha256()
    digest.update(f"{data.month}|{context['code_version']}|".encode())
    tables = data.tables()
    for name in sorted(tables):
        table = tables[name]
        digest.update(name.encode() + b"|" + repr(table.columns).encode())
        for row in table.rows:
            digest.update(repr(tuple(csv_cell(v) for v in row)).encode())
    vintage = {"data": context["data_vintage"], "sources": context["source_vintage"]}
    digest.update(json.dumps(vintage, ensure_ascii=False, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,  # always: the template is HTML and every value comes from scraped data
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


# What manifest.json says when a publish was told not to print (talent.report.pdf).
PDF_OFF = "not printed: TALENT_REPORT_PDF=0"


def render_files(
    data: ReportData,
    context: dict[str, Any],
    version: str,
    pdf: Callable[[bytes], bytes | None] | None = None,
) -> dict[str, bytes]:
    """All files of one report version, as bytes keyed by file name (manifest.json included).

    ``pdf`` prints report.html to report.pdf (talent.report.pdf.print_pdf); None leaves the PDF out,
    and so does a printer returning None (the publish step's "is it unchanged?" check reuses the PDF
    already on disk and prints nothing)."""
    month = context["month"]
    html = _environment().get_template("report.html").render(**context, version=version)
    files: dict[str, bytes] = {"report.html": html.encode("utf-8")}
    files["report.xlsx"] = workbook_bytes(data, context)
    printed = pdf(files["report.html"]) if pdf is not None else None
    if printed is not None:
        files["report.pdf"] = printed
    marts = {
        "talent_demand_monthly": data.demand,
        "talent_supply_yearly": data.supply,
        "supply_demand_gap": data.gap,
        "regional_indicators": data.indicators,
    }
    # Each as of the report month (read.py): later months belong to later reports.
    for name in CSV_MARTS:
        files[f"{name}.csv"] = csv_bytes(marts[name])
    for name, table in data_tables(data, context).items():
        files[f"{name}.csv"] = csv_bytes(table)
        files[f"{name}.parquet"] = parquet_bytes(table)
    manifest = {
        "month": month,
        "version": version,
        "files": [
            {"path": path, "sha256": hashlib.sha256(body).hexdigest(), "bytes": len(body)}
            for path, body in sorted(files.items())
        ],
        "as_of": context["as_of"],
        "data_vintage": context["data_vintage"],
        "source_vintage": context["source_vintage"],
        "forecast_vintage": context["forecast_vintage"],
        "code_version": context["code_version"],
        "run_id": context["run_id"],
        "pdf": "report.pdf" if "report.pdf" in files else PDF_OFF,
    }
    files["manifest.json"] = (
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    ).encode()
    return files
