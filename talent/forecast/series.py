"""The monthly series the forecast works on: read from the demand marts, or from a
``series_id,month,value`` CSV (what ``talent forecast evaluate`` backtests).

Both readers only read: the marts reader takes an open DuckDB connection and never writes through
it, so the caller decides how long the file stays open (see ``talent.forecast.run``)."""

from __future__ import annotations

import csv
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from talent.settings import CITY
from talent.units import MONTH_RE, shift_month

log = logging.getLogger(__name__)

TOP_N = 10  # occupations and skills forecast (largest by the last 12 months)


class ForecastError(ValueError):
    """Input that cannot be forecast (malformed CSV, unknown run month); the message says where and why."""


class NoDemandData(ForecastError):
    """The demand mart has no rows yet (e.g. the first transform ran on bulletins alone)."""


@dataclass
class Series:
    """One monthly series: consecutive months from ``start`` (YYYY-MM), no gaps."""

    series_id: str
    start: str
    values: list[float]
    measure: str = "value"
    dimension: str = "series"
    member: str = ""
    label: str = ""

    @property
    def months(self) -> list[str]:
        return [shift_month(self.start, i) for i in range(len(self.values))]

    @property
    def end(self) -> str:
        return shift_month(self.start, len(self.values) - 1)


def _dense(start: str, end: str, by_month: dict[str, float]) -> list[float]:
    """Every month from ``start`` to ``end``; a month without a value counts as 0."""
    values, cursor = [], start
    while cursor <= end:
        values.append(float(by_month.get(cursor, 0.0)))
        cursor = shift_month(cursor, 1)
    return values


# ------------------------------------------------------------------------------------------ CSV input


def read_series_csv(path: Path) -> list[Series]:
    """Read ``series_id,month,value`` rows; gaps between a series' first and last month count as 0."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ForecastError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise ForecastError(f"{path}: not UTF-8 text ({exc})") from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None:
        raise ForecastError(f"{path}: the file is empty; expected a header series_id,month,value")
    header = [h.strip() for h in header]
    missing = [c for c in ("series_id", "month", "value") if c not in header]
    if missing:
        raise ForecastError(
            f"{path}: row 1 (header): missing column(s) {', '.join(missing)}; expected series_id,month,value"
        )
    idx = {c: header.index(c) for c in ("series_id", "month", "value")}
    data: dict[str, dict[str, float]] = {}
    seen_at: dict[tuple[str, str], int] = {}
    for rowno, row in enumerate(reader, start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            raise ForecastError(f"{path}: row {rowno}: expected {len(header)} fields, found {len(row)}")
        sid = row[idx["series_id"]].strip()
        month = row[idx["month"]].strip()
        raw = row[idx["value"]].strip()
        if not sid:
            raise ForecastError(f"{path}: row {rowno}: field 'series_id' is empty")
        if not MONTH_RE.match(month):
            raise ForecastError(f"{path}: row {rowno}: field 'month': expected YYYY-MM, got {month!r}")
        try:
            value = float(raw)
        except ValueError:
            raise ForecastError(f"{path}: row {rowno}: field 'value': not a number: {raw!r}") from None
        if not math.isfinite(value):
            raise ForecastError(f"{path}: row {rowno}: field 'value': not a finite number: {raw!r}")
        if (sid, month) in seen_at:
            raise ForecastError(
                f"{path}: row {rowno}: field 'month': {month} repeats series {sid!r} "
                f"(first given on row {seen_at[(sid, month)]})"
            )
        seen_at[(sid, month)] = rowno
        data.setdefault(sid, {})[month] = value
    if not data:
        raise ForecastError(f"{path}: no data rows under the header")
    out = []
    for sid in sorted(data):
        months = data[sid]
        start, end = min(months), max(months)
        out.append(Series(series_id=sid, start=start, values=_dense(start, end, months)))
    return out


# ------------------------------------------------------------------------------ series from the marts


def table_columns(con, table: str, schema: str = "marts") -> list[str] | None:
    """The columns of ``schema.table`` in order, or None when it does not exist."""
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    return [r[0] for r in rows] or None


def _pick(columns: Sequence[str], *names: str) -> str | None:
    return next((n for n in names if n in columns), None)


def build_series(con, run_month: str | None = None) -> tuple[str, list[Series], dict[str, Any]]:
    """Demand series up to ``run_month`` (default: the latest month in the mart) from the marts.

    Returns (run_month, series, notes). City, industry and county series share one time range (the
    mart's first month to the run month, empty months as 0) so they can be reconciled; occupation and
    skill series start at their own first month, so a new occupation is a short series, not a long
    run of zeros.
    """
    cols = table_columns(con, "talent_demand_monthly")
    if cols is None:
        raise ForecastError("marts.talent_demand_monthly does not exist; build the marts (dbt build) first")
    postings_col = _pick(cols, "postings", "unique_postings")
    if postings_col is None or "month" not in cols:
        raise ForecastError(
            f"marts.talent_demand_monthly lacks month/postings columns (has {', '.join(cols)})"
        )
    headcount_col = _pick(cols, "headcount")
    occupation_col = _pick(cols, "occupation_code", "occupation")
    occupation_label = _pick(cols, "occupation_name", "occupation_title")
    notes: dict[str, Any] = {"occupations": occupation_col is not None, "skills": False}

    bounds = con.execute(
        "select strftime(min(month), '%Y-%m'), strftime(max(month), '%Y-%m') from marts.talent_demand_monthly"
    ).fetchone()
    if bounds[0] is None:
        raise NoDemandData("marts.talent_demand_monthly is empty: nothing to forecast")
    first, latest = bounds
    run_month = run_month or latest
    if not MONTH_RE.match(run_month):
        raise ForecastError(f"run month must look like YYYY-MM, got {run_month!r}")
    if run_month > latest:
        raise ForecastError(
            f"cannot forecast from {run_month}: marts.talent_demand_monthly has data only up to {latest}"
        )
    if run_month < first:
        raise ForecastError(
            f"cannot forecast from {run_month}: marts.talent_demand_monthly starts at {first}"
        )

    measures = [("postings", postings_col)] + ([("headcount", headcount_col)] if headcount_col else [])
    select = ", ".join(f"sum({c}) as {m}" for m, c in measures)
    series: list[Series] = []

    def add(
        dimension: str,
        key_sql: str | None,
        measure_names: Sequence[str],
        members: Sequence[str] | None = None,
    ):
        group = f"{key_sql}, " if key_sql else ""
        rows = con.execute(
            f"select {group}strftime(month, '%Y-%m') as ym, {select} from marts.talent_demand_monthly "
            f"where month <= cast(? as date) {'and ' + key_sql + ' is not null' if key_sql else ''} "
            f"group by all order by all",
            [f"{run_month}-01"],
        ).fetchall()
        data: dict[str, dict[str, dict[str, float]]] = {}
        for row in rows:
            member = str(row[0]) if key_sql else CITY
            offset = 1 if key_sql else 0
            ym = row[offset]
            for i, (m, _) in enumerate(measures):
                data.setdefault(m, {}).setdefault(member, {})[ym] = float(row[offset + 1 + i] or 0)
        for m in measure_names:
            for member in sorted(data.get(m, {})) if members is None else members:
                by_month = data.get(m, {}).get(member, {})
                start = (
                    first if dimension in ("city", "industry", "county") else min(by_month, default=run_month)
                )
                series.append(
                    Series(
                        series_id=f"{m}/{dimension}/{member}",
                        start=start,
                        values=_dense(start, run_month, by_month),
                        measure=m,
                        dimension=dimension,
                        member=member,
                        label=member,
                    )
                )

    all_measures = [m for m, _ in measures]
    add("city", None, all_measures)
    add("industry", "industry", all_measures)
    # Headcount by county is left out: nothing reads it, and each series costs a backtest.
    add("county", "county", ["postings"])

    window_start = f"{shift_month(run_month, -11)}-01"
    if occupation_col:
        top = con.execute(
            f"select {occupation_col}, {('any_value(' + occupation_label + ')') if occupation_label else 'null'} "
            f"from marts.talent_demand_monthly where {occupation_col} is not null "
            f"and cast({occupation_col} as varchar) not in ('', 'unclassified') "
            f"and month between cast(? as date) and cast(? as date) "
            f"group by 1 order by sum({postings_col}) desc, 1 limit {TOP_N}",
            [window_start, f"{run_month}-01"],
        ).fetchall()
        members = [str(r[0]) for r in top]
        labels = {str(r[0]): (str(r[1]) if r[1] is not None else str(r[0])) for r in top}
        if members:
            add("occupation", f"cast({occupation_col} as varchar)", ["postings"], members)
            for s in series:
                if s.dimension == "occupation":
                    s.label = labels.get(s.member, s.member)
    skill_cols = table_columns(con, "skill_demand_monthly")
    if skill_cols and "month" in skill_cols and "skill" in skill_cols:
        count_col = _pick(skill_cols, "postings", "unique_postings", "mentions", "postings_mentioning")
        if count_col:
            notes["skills"] = True
            rows = con.execute(
                f"with s as (select skill, strftime(month, '%Y-%m') as ym, sum({count_col}) as n "
                f"from marts.skill_demand_monthly where skill is not null and month <= cast(? as date) "
                f"group by all), "
                f"top as (select skill from s where ym >= ? group by skill order by sum(n) desc, skill "
                f"limit {TOP_N}) "
                f"select s.skill, s.ym, s.n from s join top using (skill) order by all",
                [f"{run_month}-01", window_start[:7]],
            ).fetchall()
            by_skill: dict[str, dict[str, float]] = {}
            for skill, ym, n in rows:
                by_skill.setdefault(str(skill), {})[ym] = float(n or 0)
            for skill in sorted(by_skill):
                start = min(by_skill[skill])
                series.append(
                    Series(
                        series_id=f"postings/skill/{skill}",
                        start=start,
                        values=_dense(start, run_month, by_skill[skill]),
                        measure="postings",
                        dimension="skill",
                        member=skill,
                        label=skill,
                    )
                )
        else:
            log.info("marts.skill_demand_monthly has no count column I know; skill series skipped")
    else:
        log.info("marts.skill_demand_monthly not available; skill series skipped")
    if not occupation_col:
        log.info("marts.talent_demand_monthly has no occupation column; occupation series skipped")
    return run_month, series, notes
