"""Publish the monthly 《巴中市重点产业人才需求动态预测报告》 from the marts.

Contract: docs/contracts.md section 5 (the marts read here) and section 6 (the report layout);
docs/forecast.md for the forecast sections (computed in talent.report_sections).

``publish_report("2026-10", duckdb_path=..., reports_dir=..., raw_dir=...)`` writes

    REPORTS_DIR/2026-10/v<N>/report.html            self-contained, printable, Chinese
    REPORTS_DIR/2026-10/v<N>/<mart>.csv             the marts the report quotes, UTF-8 with BOM
    REPORTS_DIR/2026-10/v<N>/<table>.csv|.parquet   forecast, accuracy, oversupply (and shortage) tables
    REPORTS_DIR/2026-10/v<N>/manifest.json          files + sha256 + bytes, data vintage (per mart and
                                                    per source landing), code version, run id
    REPORTS_DIR/2026-10/latest -> v<N>              relative symlink, swapped atomically

Design choices, and why:

* The DuckDB file is shared with the pipeline, analysts and dashboards. DuckDB lets one process write
  *or* many read, so the file is opened read-only, everything needed is read into memory in one go and
  the connection is closed before any rendering. A writer holding the lock is retried with backoff and
  then reported clearly instead of surfacing DuckDB's raw IOException.
* Nothing in the output depends on the clock, the host or dict ordering, so the same marts and code
  version give byte-identical files. That is what makes "unchanged" detection a plain byte comparison
  and lets readers trust that a new version number means the content really changed.
* Published versions are immutable: a new build is written to a hidden temp directory beside them and
  renamed into place, then ``latest`` is re-pointed with ``os.replace`` on a fresh symlink, so a reader
  following ``latest`` sees either the old or the new complete version, never a half-written one.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import hashlib
import io
import json
import logging
import math
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import jinja2

import talent
from talent import report_sections

log = logging.getLogger(__name__)
_sleep = time.sleep  # indirection so tests can skip the lock backoff without patching the time module

TITLE = "《巴中市重点产业人才需求动态预测报告》"
CITY = "巴中市"
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
VERSION_RE = re.compile(r"^v([1-9]\d*)$")

# Columns this module relies on (contract section 5) and the primary-key order used both for the
# SQL read and the CSVs, so row order never depends on how DuckDB happened to store the table.
MARTS: dict[str, tuple[tuple[str, ...], str]] = {
    "talent_demand_monthly": (
        (
            "demand_id",
            "month",
            "county",
            "industry",
            "postings",
            "headcount",
            "postings_with_salary",
            "salary_mid_median",
            "boards",
        ),
        # demand_id breaks ties: the mart is per month x county x industry x occupation (job boards issue)
        "month, county, industry, demand_id",
    ),
    "talent_supply_yearly": (
        (
            "supply_id",
            "year",
            "school",
            "major_code",
            "major_name",
            "industry",
            "graduates",
            "employed",
            "not_placed",
            "employed_local",
        ),
        "year, school, major_code",
    ),
    "supply_demand_gap": (
        (
            "gap_id",
            "year",
            "industry",
            "demand_postings",
            "demand_headcount",
            "supply_graduates",
            "supply_employed_local",
            "demand_supply_ratio",
            "gap",
            "shortage_flag",
        ),
        # gap_id breaks ties: the mart is per year x industry x occupation
        "year, industry, gap_id",
    ),
    "regional_indicators": (
        ("indicator_id", "region", "year", "indicator", "value", "value_text", "unit"),
        # indicator_id last: a revised year has one row per vintage (bulletins issue)
        "region, year, indicator, indicator_id",
    ),
}
# CSVs shipped with the report, in a fixed order: every figure in report.html can be traced to one.
CSV_MARTS = ("talent_demand_monthly", "talent_supply_yearly", "supply_demand_gap", "regional_indicators")
# Marts the report uses when they exist (built by later steps or issues): name -> (order, filter).
# "run_month" keeps only the rows of the report month's forecast run.
OPTIONAL_MARTS: dict[str, tuple[str, str | None]] = {
    "demand_forecast": ("series_id, target_month", "run_month"),
    "forecast_accuracy": ("series_id, model", "run_month"),
    "skill_demand_monthly": ("all", None),
    "shortage_occupations": ("all", None),
}
# Tables shipped as CSV and Parquet for machines, when there is something to ship.
DATA_TABLES = ("demand_forecast", "forecast_accuracy", "oversupply_majors", "shortage_occupations")

# Okabe–Ito colours (readable for colour-blind readers) plus dash patterns so lines stay
# distinguishable on a black-and-white printout.
INDUSTRY_STYLE = {
    "文旅康养": ("#D55E00", ""),
    "食品饮料": ("#E69F00", "6 3"),
    "生物医药": ("#009E73", ""),
    "新材料": ("#0072B2", "6 3"),
    "电子信息": ("#56B4E9", "2 3"),
    "智能制造": ("#CC79A7", ""),
    "其他": ("#999999", "2 3"),
}
FALLBACK_STYLE = (("#000000", "8 3 2 3"), ("#8C564B", ""), ("#7F7F7F", "6 3"), ("#BCBD22", "2 3"))


class PublishError(RuntimeError):
    """Publishing cannot go ahead (bad month, missing data, locked database); the message says why."""


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


@dataclass(frozen=True)
class Table:
    """One mart as plain Python rows (kept as DuckDB returned them, for exact CSV formatting)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


# --------------------------------------------------------------------------------------------- API


def publish_report(
    month: str,
    *,
    duckdb_path: str | os.PathLike[str],
    reports_dir: str | os.PathLike[str],
    code_version: str | None = None,
    lock_retries: int = 5,
    lock_backoff: float = 0.2,
    raw_dir: str | os.PathLike[str] | None = None,
    quarantine_dir: str | os.PathLike[str] | None = None,
) -> PublishResult:
    """Build the report for ``month`` (YYYY-MM) and publish it as a new version unless unchanged.

    ``lock_retries``/``lock_backoff`` control how long to wait for a process holding the DuckDB write
    lock (attempts, and the first sleep in seconds, doubled each time up to 2 s). ``raw_dir`` (the raw
    landings with their validation results) feeds the data-quality section and the per-source data
    vintage; without it that section says so. ``quarantine_dir`` is accepted for symmetry with the
    settings; the counts come from each landing's validation/result.json.
    """
    month = _check_month_format(month)
    code_version = code_version or talent.__version__
    marts = read_marts(Path(duckdb_path), retries=lock_retries, backoff=lock_backoff, month=month)
    quality = read_quality(Path(raw_dir)) if raw_dir is not None else None
    context = build_context(month, marts, code_version, quality=quality)

    month_dir = Path(reports_dir) / month
    month_dir.mkdir(parents=True, exist_ok=True)
    # One publisher per month at a time: without it two runs could both claim v<N+1> or swap
    # `latest` in the wrong order. flock is released by the kernel even if the process dies.
    with _month_lock(month_dir):
        current = _latest_version(month_dir)
        if current is not None:
            # The version label is part of report.html and manifest.json, so render with the
            # current label: if that equals what is on disk, the data and code have not changed.
            same = render_files(context, current, marts)
            if _dir_has_exactly(month_dir / current, same):
                log.info("report %s unchanged: %s is still %s", month, month_dir / "latest", current)
                return PublishResult(month, current, month_dir / current, "unchanged", tuple(sorted(same)))

        version = f"v{_max_version(month_dir) + 1}"
        files = render_files(context, version, marts)
        target = month_dir / version
        _write_version_dir(month_dir, target, files)
        _point_latest(month_dir, version)

    log.info(
        "published report %s %s to %s (%d files; demand data to %s)",
        month,
        version,
        target,
        len(files),
        context["demand_max"],
    )
    return PublishResult(month, version, target, "published", tuple(sorted(files)))


# ------------------------------------------------------------------------------------ reading data


def latest_data_month(duckdb_path: str | os.PathLike[str], *, retries: int = 5, backoff: float = 0.2) -> str:
    """The newest month (YYYY-MM) in marts.talent_demand_monthly: the default month to publish."""
    path = Path(duckdb_path)
    if not path.exists():
        raise PublishError(f"DuckDB file {path} does not exist; run the pipeline (talent run) first")
    con = _connect_read_only(path, retries=retries, backoff=backoff)
    try:
        value = con.execute("SELECT max(month) FROM marts.talent_demand_monthly").fetchone()[0]
    except duckdb.CatalogException as exc:
        raise PublishError(
            f"table marts.talent_demand_monthly is missing in {path}; build the marts (dbt build) first"
        ) from exc
    finally:
        con.close()
    if value is None:
        raise PublishError(f"marts.talent_demand_monthly in {path} is empty: there is no month to publish")
    return _month_key(value)


def read_marts(
    duckdb_path: Path, *, retries: int = 5, backoff: float = 0.2, month: str | None = None
) -> dict[str, Table]:
    """Read the four marts (and the optional ones that exist) into memory, holding the read-only
    DuckDB connection as briefly as possible. ``month`` selects the forecast run to read."""
    if not duckdb_path.exists():
        raise PublishError(f"DuckDB file {duckdb_path} does not exist; run the pipeline (talent run) first")
    con = _connect_read_only(duckdb_path, retries=retries, backoff=backoff)
    try:
        out: dict[str, Table] = {}
        for name, (required, order_by) in MARTS.items():
            try:
                probe = con.execute(f"SELECT * FROM marts.{name} LIMIT 0")
            except duckdb.CatalogException as exc:
                raise PublishError(
                    f"table marts.{name} is missing in {duckdb_path}; build the marts (dbt build) first"
                ) from exc
            columns = tuple(d[0] for d in probe.description)
            missing = [c for c in required if c not in columns]
            if missing:
                raise PublishError(f"marts.{name} in {duckdb_path} lacks column(s) {', '.join(missing)}")
            rows = con.execute(f"SELECT * FROM marts.{name} ORDER BY {order_by}").fetchall()
            out[name] = Table(columns, tuple(tuple(r) for r in rows))
        present = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"
            ).fetchall()
        }
        for name, (order_by, month_filter) in OPTIONAL_MARTS.items():
            if name not in present:
                continue
            query, params = f"SELECT * FROM marts.{name}", []
            if month_filter and month:
                query += f" WHERE {month_filter} = CAST(? AS DATE)"
                params = [f"{month}-01"]
            cursor = con.execute(f"{query} ORDER BY {order_by}", params)
            columns = tuple(d[0] for d in cursor.description)
            out[name] = Table(columns, tuple(tuple(r) for r in cursor.fetchall()))
        return out
    finally:
        con.close()


def read_quality(raw_dir: Path) -> dict[str, Any]:
    """Per source: the landings the loader uses (newest validated vintage per partition) and what their
    validation kept and quarantined, by expectation. Only files already on disk, so it is deterministic."""
    from talent.load import TABLES, select_landings

    out: dict[str, Any] = {}
    for sources, _ in TABLES.values():
        for source in sources:
            landings = select_landings(raw_dir, source)
            if not landings:
                continue
            rows = accepted = quarantined = 0
            reasons: dict[tuple[str, str, str], int] = {}
            vintages = []
            for landing in landings:
                result = json.loads((landing.path / "validation" / "result.json").read_text(encoding="utf-8"))
                rows += int(result.get("rows") or 0)
                accepted += int(result.get("accepted") or 0)
                quarantined += int(result.get("quarantined") or 0)
                for exp in result.get("expectations", []):
                    count = exp.get("unexpected_count") or 0
                    if count:
                        fields = ", ".join(exp.get("fields") or [])
                        key = (str(exp.get("name")), fields, str(exp.get("severity") or ""))
                        reasons[key] = reasons.get(key, 0) + int(count)
                manifest = json.loads((landing.path / "manifest.json").read_text(encoding="utf-8"))
                vintages.append(
                    {
                        "landing": landing.relative,
                        "sha256": manifest.get("sha256"),
                        "rows": manifest.get("rows"),
                        "landed_at": landing.landed_at.strftime("%Y-%m-%d %H:%M UTC"),
                    }
                )
            out[source] = {
                "landings": len(landings),
                "partition_first": min(landing.partition for landing in landings),
                "partition_last": max(landing.partition for landing in landings),
                "landed_last": max(landing.landed_at for landing in landings).strftime("%Y-%m-%d"),
                "rows": rows,
                "accepted": accepted,
                "quarantined": quarantined,
                "reasons": [
                    {"name": name, "fields": fields, "severity": severity, "rows": count}
                    for (name, fields, severity), count in sorted(
                        reasons.items(), key=lambda kv: (-kv[1], kv[0])
                    )
                ],
                "vintages": vintages,
            }
    return out


def _connect_read_only(path: Path, *, retries: int, backoff: float) -> duckdb.DuckDBPyConnection:
    attempts = max(1, retries)
    waited = 0.0
    for attempt in range(1, attempts + 1):
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.IOException as exc:
            # Only a lock conflict is worth waiting for; anything else (corrupt file, permissions)
            # will not fix itself.
            if "Could not set lock" not in str(exc):
                raise PublishError(f"cannot open {path} read-only: {exc}") from exc
            if attempt == attempts:
                raise PublishError(
                    f"cannot open {path} read-only: another process holds its write lock "
                    f"(gave up after {attempts} attempts over {waited:.1f} s). Wait for the pipeline "
                    f"run (or the open read-write session) to finish and publish again. DuckDB said: {exc}"
                ) from exc
            delay = min(backoff * (2 ** (attempt - 1)), 2.0)
            log.info(
                "DuckDB %s is locked by a writer; retrying in %.2f s (%d/%d)", path, delay, attempt, attempts
            )
            _sleep(delay)
            waited += delay
    raise AssertionError("unreachable")


# ------------------------------------------------------------------------------- computing figures


def _check_month_format(month: str) -> str:
    if not isinstance(month, str) or not MONTH_RE.match(month.strip()):
        raise PublishError(f"month must look like YYYY-MM (e.g. 2026-10), got {month!r}")
    return month.strip()


def _month_key(value: Any) -> str:
    if isinstance(value, datetime | date):
        return f"{value.year:04d}-{value.month:02d}"
    return str(value)[:7]


def _shift(month: str, months: int) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + (mon - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _month_cn(month: str) -> str:
    return f"{int(month[:4])}年{int(month[5:7])}月"


def _num(value: Any) -> float | None:
    """Marts may hold NULL, NaN, Decimal or ints; figures treat all of them as an optional float."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _int(value: Any) -> int:
    number = _num(value)
    return 0 if number is None else int(round(number))


def weighted_median(pairs: Sequence[tuple[float | None, float | None]]) -> float | None:
    """Lower weighted median of (value, weight); pairs with a missing value or non-positive weight are ignored."""
    usable = sorted(
        (v, w) for v, w in ((_num(a), _num(b)) for a, b in pairs) if v is not None and w and w > 0
    )
    if not usable:
        return None
    half = sum(w for _, w in usable) / 2
    running = 0.0
    for value, weight in usable:
        running += weight
        if running >= half:
            return value
    return usable[-1][0]


def _fmt_int(value: float | int) -> str:
    return f"{int(round(value)):,}"


def _fmt_pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def _change(current: int, base: int | None) -> dict[str, Any] | None:
    if base is None:
        return None
    delta = current - base
    sign = "+" if delta >= 0 else "−"
    pct = None if base == 0 else delta / base
    text = f"{sign}{abs(delta):,}" + ("" if pct is None else f"（{sign}{abs(pct) * 100:.1f}%）")
    if delta == 0:
        words = "持平"
    elif pct is None:
        words = f"{'增加' if delta > 0 else '减少'} {abs(delta):,} 条"
    else:
        words = f"{'增长' if delta > 0 else '下降'} {abs(pct) * 100:.1f}%"
    return {"delta": delta, "base": base, "base_text": f"{base:,}", "pct": pct, "text": text, "words": words}


def build_context(
    month: str, marts: dict[str, Table], code_version: str, *, quality: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Everything the template shows, computed from the in-memory marts; raises PublishError on bad month."""
    demand = marts["talent_demand_monthly"].records()
    for row in demand:
        row["_ym"] = _month_key(row["month"])
    months = sorted({row["_ym"] for row in demand})
    if not months:
        raise PublishError(f"cannot publish {month}: marts.talent_demand_monthly is empty")
    first, latest = months[0], months[-1]
    if month > latest:
        raise PublishError(
            f"cannot publish {month}: the marts have demand data only up to {latest} "
            f"(latest month available in marts.talent_demand_monthly); run the pipeline or pick {latest} or earlier"
        )
    if month < first:
        raise PublishError(
            f"cannot publish {month}: marts.talent_demand_monthly starts at {first} (latest month available {latest})"
        )
    report_year = int(month[:4])

    def month_rows(ym: str) -> list[dict[str, Any]]:
        return [r for r in demand if r["_ym"] == ym]

    def month_postings(ym: str) -> int | None:
        # A month before the first one in the data is "unknown", not zero.
        return None if ym < first else sum(_int(r["postings"]) for r in month_rows(ym))

    rows = month_rows(month)
    postings = sum(_int(r["postings"]) for r in rows)
    headcount = sum(_int(r["headcount"]) for r in rows)
    with_salary = sum(_int(r["postings_with_salary"]) for r in rows)
    # The mart's grain is county × industry, so an exact city-wide median is not recoverable;
    # weighting each cell's median by its salaried postings is the closest honest figure.
    salary = weighted_median([(r["salary_mid_median"], r["postings_with_salary"]) for r in rows])
    prev, last_year = _shift(month, -1), _shift(month, -12)
    headline = {
        "postings": postings,
        "postings_text": _fmt_int(postings),
        "headcount": headcount,
        "headcount_text": _fmt_int(headcount),
        "postings_with_salary_text": _fmt_int(with_salary),
        "salary_median": None if salary is None else int(round(salary)),
        "salary_median_text": "—" if salary is None else _fmt_int(salary),
        "prev_cn": _month_cn(prev),
        "last_year_cn": _month_cn(last_year),
        "mom": _change(postings, month_postings(prev)),
        "yoy": _change(postings, month_postings(last_year)),
    }

    by_industry: dict[str, list[int]] = {}
    for r in rows:
        acc = by_industry.setdefault(str(r["industry"]), [0, 0])
        acc[0] += _int(r["postings"])
        acc[1] += _int(r["headcount"])
    top = [
        {
            "industry": name,
            "postings_text": _fmt_int(p),
            "share_text": _fmt_pct(p / postings if postings else None),
            "headcount_text": _fmt_int(h),
        }
        for name, (p, h) in sorted(by_industry.items(), key=lambda kv: (-kv[1][0], kv[0]))[:5]
        if p > 0
    ]

    supply = marts["talent_supply_yearly"].records()
    gap_rows = marts["supply_demand_gap"].records()
    indicators = marts["regional_indicators"].records()
    supply_years = sorted({int(r["year"]) for r in supply if r["year"] is not None})
    indicator_years = sorted({int(r["year"]) for r in indicators if r["year"] is not None})

    context: dict[str, Any] = {
        "title": f"{TITLE}（{_month_cn(month)}）",
        "month": month,
        "month_cn": _month_cn(month),
        "report_year": report_year,
        "demand_min_cn": _month_cn(first),
        "demand_max": latest,
        "demand_max_cn": _month_cn(latest),
        "supply_max_text": f"{supply_years[-1]}届" if supply_years else "暂无",
        "indicators_max_text": f"{indicator_years[-1]}年" if indicator_years else "暂无",
        "code_version": code_version,
        "h": headline,
        "top": top,
        "chart": _chart(month, first, demand),
        "context_cards": _indicator_cards(indicators, report_year) + _supply_cards(supply, report_year),
        "gap": _gap_table(gap_rows, month, first, latest),
        "csv_files": [f"{name}.csv" for name in CSV_MARTS],
        "data_vintage": {
            "demand_month_max": latest,
            "supply_year_max": supply_years[-1] if supply_years else None,
            "indicators_year_max": indicator_years[-1] if indicator_years else None,
        },
    }
    context.update(report_sections.build_sections(month, marts, context, quality))
    context["source_vintage"] = {
        source: {
            "landings": q["landings"],
            "partition_last": q["partition_last"],
            "landed_last": q["landed_last"],
            "vintages": q["vintages"],
        }
        for source, q in sorted((quality or {}).items())
    }
    forecast_runs = sorted(
        {_month_key(r[0]) for r in marts["demand_forecast"].rows} if "demand_forecast" in marts else set()
    )
    context["forecast_vintage"] = {
        "run_month": forecast_runs[-1] if forecast_runs else None,
        "inputs_sha256": _first_value(marts.get("demand_forecast"), "inputs_sha256"),
    }
    context["run_id"] = run_id(month, marts, context, code_version)
    return context


def _first_value(table: Table | None, column: str) -> Any:
    if table is None or not table.rows or column not in table.columns:
        return None
    return table.rows[0][table.columns.index(column)]


def run_id(month: str, marts: dict[str, Table], context: dict[str, Any], code_version: str) -> str:
    """A run id derived from the inputs (never the clock): the same marts, landings and code give the
    same id, so it cannot break byte-identical re-publishing, and a changed input changes it."""
    digest = hashlib.sha256()
    digest.update(f"{month}|{code_version}|".encode())
    for name in sorted(marts):
        table = marts[name]
        digest.update(name.encode() + b"|" + repr(table.columns).encode())
        for row in table.rows:
            digest.update(repr(tuple(_csv_cell(v) for v in row)).encode())
    vintage = {"data": context["data_vintage"], "sources": context["source_vintage"]}
    digest.update(json.dumps(vintage, ensure_ascii=False, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def _latest_by_indicator(indicators: list[dict[str, Any]], name: str, max_year: int) -> dict[str, Any] | None:
    # Prefer the city's own rows; fall back to any region so a renamed region still shows something.
    rows = [
        r
        for r in indicators
        if r["indicator"] == name
        and r["year"] is not None
        and int(r["year"]) <= max_year
        # superseded vintages of a revised figure are history, not the figure to quote
        and r.get("is_latest_vintage") is not False
    ]
    city = [r for r in rows if r["region"] == CITY]
    rows = [r for r in (city or rows) if _num(r["value"]) is not None]
    return max(rows, key=lambda r: (int(r["year"]), str(r["region"]))) if rows else None


def _indicator_cards(indicators: list[dict[str, Any]], report_year: int) -> list[dict[str, Any]]:
    cards = []
    spec = (
        ("gdp", "地区生产总值", "亿元"),
        ("resident_population", "年末常住人口", "万人"),
        ("urbanization_rate_pct", "常住人口城镇化率", "%"),
    )
    growth = _latest_by_indicator(indicators, "gdp_growth_pct", report_year)
    for key, label, default_unit in spec:
        row = _latest_by_indicator(indicators, key, report_year)
        if row is None:
            continue
        # value_text keeps the bulletin's own digits (261.30, not 261.3).
        shown = row.get("value_text") or _plain_number(_num(row["value"]))
        unit = row.get("unit") or default_unit
        sub = f"{row['year']}年统计公报"
        if key == "gdp" and growth is not None and growth["year"] == row["year"]:
            sub += f"，比上年增长 {growth.get('value_text') or _plain_number(_num(growth['value']))}%"
        cards.append(
            {
                "key": key,
                "label": f"{label}（{row['year']}年）",
                "raw": _plain_number(_num(row["value"])),
                "text": f"{shown}{'' if unit == '%' else ' '}{unit}",
                "sub": sub,
            }
        )
    return cards


def _supply_totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    graduates = sum(_int(r["graduates"]) for r in rows)
    # Rates only over rows where both parts are known, so a school that left a cell blank does
    # not count as 100% placed or 0% local.
    placed = [(_num(r["graduates"]), _num(r["not_placed"])) for r in rows]
    placed = [(g, n) for g, n in placed if g is not None and n is not None]
    local = [(_num(r["employed"]), _num(r["employed_local"])) for r in rows]
    local = [(e, loc) for e, loc in local if e is not None and loc is not None]
    g_sum = sum(g for g, _ in placed)
    e_sum = sum(e for e, _ in local)
    return {
        "graduates": graduates,
        "placement_rate": (g_sum - sum(n for _, n in placed)) / g_sum if g_sum else None,
        "local_rate": sum(loc for _, loc in local) / e_sum if e_sum else None,
    }


def _supply_cards(supply: list[dict[str, Any]], report_year: int) -> list[dict[str, Any]]:
    years = sorted(
        {int(r["year"]) for r in supply if r["year"] is not None and int(r["year"]) <= report_year}
    )
    if not years:
        return []
    year = years[-1]
    rows = [r for r in supply if r["year"] is not None and int(r["year"]) == year]
    totals = _supply_totals(rows)
    schools = len({r["school"] for r in rows})
    sub = f"{schools} 所院校 {year} 届合计"
    return [
        {
            "key": "graduates",
            "label": f"职业院校毕业生（{year}届）",
            "raw": str(totals["graduates"]),
            "text": f"{_fmt_int(totals['graduates'])} 人",
            "sub": sub,
        },
        {
            "key": "placement_rate",
            "label": f"毕业去向落实率（{year}届）",
            "raw": _plain_number(totals["placement_rate"]),
            "text": _fmt_pct(totals["placement_rate"]),
            "sub": sub,
        },
        {
            "key": "local_retention_rate",
            "label": f"本地就业率（{year}届）",
            "raw": _plain_number(totals["local_rate"]),
            "text": _fmt_pct(totals["local_rate"]),
            "sub": "本地就业人数占就业人数",
        },
    ]


def _gap_by_industry(gap_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The gap mart summed over occupations to year × industry, with the mart's ratio, gap and
    shortage rule applied to the sums. A (year, industry) with a single row is passed through."""
    groups: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    for r in gap_rows:
        groups.setdefault((r["year"], r["industry"]), []).append(r)
    out = []
    for (year, industry), rows in groups.items():
        if len(rows) == 1:
            out.append(rows[0])
            continue
        headcount = sum(_num(r["demand_headcount"]) or 0 for r in rows)
        graduates = round(sum(_num(r["supply_graduates"]) or 0 for r in rows), 2)
        ratio = round(headcount / graduates, 4) if graduates else None
        out.append(
            {
                "year": year,
                "industry": industry,
                "demand_postings": sum(_num(r["demand_postings"]) or 0 for r in rows),
                "demand_headcount": headcount,
                "supply_graduates": graduates,
                "supply_employed_local": round(sum(_num(r["supply_employed_local"]) or 0 for r in rows), 2),
                "demand_supply_ratio": ratio,
                "gap": round(headcount - graduates, 2),
                "shortage_flag": ratio >= 1.5 if ratio is not None else headcount > 0,
            }
        )
    return out


def _gap_table(gap_rows: list[dict[str, Any]], month: str, first: str, latest: str) -> dict[str, Any] | None:
    gap_rows = _gap_by_industry(gap_rows)
    report_year = int(month[:4])
    years = sorted(
        {int(r["year"]) for r in gap_rows if r["year"] is not None and int(r["year"]) <= report_year}
    )
    if not years:
        return None

    def has_supply(year: int) -> bool:
        return any(
            r["year"] is not None and int(r["year"]) == year and (_num(r["supply_graduates"]) or 0) > 0
            for r in gap_rows
        )

    # Prefer the newest calendar year that had ended by the report month and has graduates on record:
    # the mart's yearly demand would otherwise be partial, or include months after the report month,
    # and a year without graduates shows every industry as "no supply", which says nothing.
    complete = [y for y in years if y < report_year or month.endswith("-12")]
    candidates = (
        [y for y in complete if has_supply(y)] or complete or [y for y in years if has_supply(y)] or years
    )
    year = candidates[-1]
    rows = [r for r in gap_rows if r["year"] is not None and int(r["year"]) == year]
    rows.sort(
        key=lambda r: (
            _num(r["demand_supply_ratio"]) is None,
            -(_num(r["demand_supply_ratio"]) or 0),
            str(r["industry"]),
        )
    )

    def count(value: Any) -> str:
        number = _num(value)
        return "—" if number is None else _fmt_int(number)

    def signed(value: Any) -> str:
        number = _num(value)
        if number is None:
            return "—"
        return f"{'+' if number > 0 else '−' if number < 0 else ''}{abs(int(round(number))):,}"

    # Say plainly when the demand side does not cover the whole year.
    covered_from, covered_to = max(first, f"{year}-01"), min(latest, f"{year}-12")
    note = ""
    if (covered_from, covered_to) != (f"{year}-01", f"{year}-12"):
        note = f"{year}年需求仅含{_month_cn(covered_from)}至{_month_cn(covered_to)}的数据，不满全年"
        note += "（含报告期之后的月份）。" if covered_to > month else "。"
    return {
        "year": year,
        "note": note,
        "rows": [
            {
                "industry": r["industry"],
                "demand_postings": count(r["demand_postings"]),
                "demand_headcount": count(r["demand_headcount"]),
                "supply_graduates": count(r["supply_graduates"]),
                "supply_employed_local": count(r["supply_employed_local"]),
                "ratio": "—"
                if _num(r["demand_supply_ratio"]) is None
                else f"{_num(r['demand_supply_ratio']):.2f}",
                "gap": signed(r["gap"]),
                "shortage": bool(r["shortage_flag"]),
            }
            for r in rows
        ],
    }


# ---------------------------------------------------------------------------------------- the chart


def _nice_step(raw: float) -> float:
    exponent = math.floor(math.log10(raw))
    fraction = raw / 10**exponent
    nice = 1 if fraction <= 1 else 2 if fraction <= 2 else 5 if fraction <= 5 else 10
    return nice * 10**exponent


def _text_width(text: str, size: int = 12) -> float:
    # No font metrics where this runs: CJK glyphs are about one em wide, Latin about 0.6 em.
    return sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in text)


def _chart(month: str, first: str, demand: list[dict[str, Any]]) -> dict[str, Any]:
    start = max(first, _shift(month, -35))
    months: list[str] = []
    cursor = start
    while cursor <= month:
        months.append(cursor)
        cursor = _shift(cursor, 1)

    totals: dict[str, dict[str, int]] = {}
    for r in demand:
        if start <= r["_ym"] <= month:
            series = totals.setdefault(str(r["industry"]), {})
            series[r["_ym"]] = series.get(r["_ym"], 0) + _int(r["postings"])
    # Biggest industries first so the legend reads in order of importance; name breaks ties.
    names = sorted(totals, key=lambda n: (-sum(totals[n].values()), n))

    width, x0, x1, y0, y1 = 960, 72, 904, 40, 330  # right margin leaves room for the last month label
    peak = max([v for s in totals.values() for v in s.values()] + [0])
    step = max(1, _nice_step(peak / 5)) if peak > 0 else 1
    step = int(step) if float(step).is_integer() else step
    top = max(step, math.ceil(peak / step) * step)

    def x_at(i: int) -> float:
        return (x0 + x1) / 2 if len(months) == 1 else x0 + i * (x1 - x0) / (len(months) - 1)

    def y_at(v: float) -> float:
        return y1 - (y1 - y0) * v / top

    every = 1 if len(months) <= 12 else 3
    xticks = [
        # Count labels back from the report month so it is always labelled.
        {"x": f"{x_at(i):.1f}", "label": _month_cn(m) if (len(months) - 1 - i) % every == 0 else ""}
        for i, m in enumerate(months)
    ]
    yticks = []
    tick = 0
    while tick <= top + 1e-9:
        yticks.append({"y": f"{y_at(tick):.1f}", "label": f"{tick:,}"})
        tick += step

    series, legend = [], []
    lx, ly = x0, y1 + 66
    fallback = iter(FALLBACK_STYLE * (len(names) // len(FALLBACK_STYLE) + 1))
    for name in names:
        color, dash = INDUSTRY_STYLE.get(name) or next(fallback)
        values = [totals[name].get(m, 0) for m in months]
        points = " ".join(f"{x_at(i):.1f},{y_at(v):.1f}" for i, v in enumerate(values))
        series.append(
            {
                "name": name,
                "color": color,
                "dash": dash or "none",
                "points": points,
                "last_x": f"{x_at(len(months) - 1):.1f}",
                "last_y": f"{y_at(values[-1]):.1f}",
                "total_text": _fmt_int(sum(values)),
            }
        )
        item_width = 30 + _text_width(name) + 24
        if lx + item_width > x1 and lx > x0:
            lx, ly = x0, ly + 22
        legend.append({"x": round(lx, 1), "y": ly, "name": name, "color": color, "dash": dash or "none"})
        lx += item_width

    return {
        "width": width,
        "height": ly + 24,
        "x0": x0,
        "x1": x1,
        "y0": y0,
        "y1": y1,
        "xticks": xticks,
        "yticks": yticks,
        "series": series,
        "legend": legend,
        "months": len(months),
        "short": len(months) < 36,
        "first_cn": _month_cn(months[0]),
        "last_cn": _month_cn(months[-1]),
        "title": f"巴中市分行业月度招聘岗位数（{_month_cn(months[0])}—{_month_cn(months[-1])}）",
        "desc": "折线图：横轴为月份，纵轴为去重后的招聘岗位数，每条折线代表一个行业。",
    }


# ------------------------------------------------------------------------------------------ output


def _plain_number(value: float | None) -> str:
    """Stable text for a float: at most 6 decimals, no trailing zeros, no exponent, no '-0'."""
    if value is None or math.isnan(value) or math.isinf(value):
        return ""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return _plain_number(float(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _csv_bytes(table: Table, keep: Any = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.rows:
        if keep is None or keep(dict(zip(table.columns, row, strict=True))):
            writer.writerow([_csv_cell(v) for v in row])
    # The BOM is what makes Excel (the tool most readers will open these in) read UTF-8 Chinese.
    return buffer.getvalue().encode("utf-8-sig")


def data_tables(context: dict[str, Any], marts: dict[str, Table]) -> dict[str, Table]:
    """The machine-readable tables shipped as CSV + Parquet: the report month's forecast run and its
    backtest accuracy, the oversupply table, and the shortage list when that mart exists."""
    out: dict[str, Table] = {}
    for name in ("demand_forecast", "forecast_accuracy"):
        if name in marts and marts[name].rows:
            out[name] = marts[name]
    over = context.get("oversupply") or {}
    if over.get("available"):
        out["oversupply_majors"] = Table(tuple(over["columns"]), tuple(over["table_rows"]))
    if "shortage_occupations" in marts and marts["shortage_occupations"].rows:
        out["shortage_occupations"] = marts["shortage_occupations"]
    return {name: out[name] for name in DATA_TABLES if name in out}


def _parquet_bytes(table: Table) -> bytes:
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


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,  # always: the template is HTML and every value comes from scraped data
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render_files(context: dict[str, Any], version: str, marts: dict[str, Table]) -> dict[str, bytes]:
    """All files of one report version, as bytes keyed by file name (manifest.json included)."""
    month = context["month"]
    html = _environment().get_template("report.html").render(**context, version=version)
    files: dict[str, bytes] = {"report.html": html.encode("utf-8")}
    for name in CSV_MARTS:
        keep = None
        if name == "talent_demand_monthly":
            # Only what the reader could have known for this month; later months belong to later reports.
            def keep(r: dict[str, Any]) -> bool:
                return _month_key(r["month"]) <= month

        files[f"{name}.csv"] = _csv_bytes(marts[name], keep)
    for name, table in data_tables(context, marts).items():
        files[f"{name}.csv"] = _csv_bytes(table)
        files[f"{name}.parquet"] = _parquet_bytes(table)
    manifest = {
        "month": month,
        "version": version,
        "files": [
            {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            for path, data in sorted(files.items())
        ],
        "data_vintage": context["data_vintage"],
        "source_vintage": context["source_vintage"],
        "forecast_vintage": context["forecast_vintage"],
        "code_version": context["code_version"],
        "run_id": context["run_id"],
    }
    files["manifest.json"] = (
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    ).encode()
    return files


# ------------------------------------------------------------------------------ versions on disk


@contextlib.contextmanager
def _month_lock(month_dir: Path) -> Iterator[None]:
    with open(month_dir / ".publish.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _max_version(month_dir: Path) -> int:
    numbers = [int(m.group(1)) for p in month_dir.iterdir() if (m := VERSION_RE.match(p.name)) and p.is_dir()]
    return max(numbers, default=0)


def _latest_version(month_dir: Path) -> str | None:
    link = month_dir / "latest"
    if not link.is_symlink():
        if link.exists():
            raise PublishError(f"{link} exists but is not a symlink; move it away and publish again")
        return None
    name = Path(os.readlink(link)).name
    return name if VERSION_RE.match(name) and (month_dir / name).is_dir() else None


def _dir_has_exactly(directory: Path, files: dict[str, bytes]) -> bool:
    on_disk = sorted(p.name for p in directory.iterdir())
    if on_disk != sorted(files):
        return False
    return all((directory / name).read_bytes() == data for name, data in files.items())


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_version_dir(month_dir: Path, target: Path, files: dict[str, bytes]) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=month_dir))
    try:
        for name, data in files.items():
            with open(tmp / name, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        # mkdtemp makes the directory private (0700); a published report must be readable by the
        # web server or share that serves REPORTS_DIR.
        os.chmod(tmp, 0o755)
        _fsync_dir(tmp)
        # rename (not replace): refuses to overwrite a non-empty v<N>, so an existing version is never touched.
        os.rename(tmp, target)
        _fsync_dir(month_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _point_latest(month_dir: Path, version: str) -> None:
    tmp_link = month_dir / f".latest-{os.getpid()}-{secrets.token_hex(4)}"
    os.symlink(version, tmp_link)  # relative, so the reports tree can be moved or served elsewhere
    try:
        os.replace(tmp_link, month_dir / "latest")
    except OSError:
        tmp_link.unlink(missing_ok=True)
        raise
    _fsync_dir(month_dir)
