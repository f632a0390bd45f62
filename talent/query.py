"""`talent sql` and `talent marts`: questions to the published snapshot, answered on the terminal.

Both read only the snapshot (`talent.serving.read_snapshot`), never the pipeline's own file, so they
work while a run is under way. The connection is read-only and cannot reach files or the network
(`enable_external_access = false`): a query cannot write anything anywhere."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import unicodedata

from talent.serving import read_snapshot, served_tables

FORMATS = ("table", "csv", "json")
TABLE_ROW_LIMIT = 1000


class QueryError(RuntimeError):
    pass


def run_sql(query: str) -> tuple[list[str], list[tuple]]:
    """Column names and rows of ``query`` against the current snapshot."""
    import duckdb

    with read_snapshot() as con:
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
        try:
            cursor = con.execute(query)
        except duckdb.Error as exc:
            raise QueryError(str(exc)) from exc
        if cursor.description is None:
            return [], []
        return [c[0] for c in cursor.description], cursor.fetchall()


def render(columns: list[str], rows: list[tuple], fmt: str) -> str:
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_plain(v) for v in row] for row in rows])
        return out.getvalue()
    if fmt == "json":
        records = [dict(zip(columns, map(_json_value, row), strict=True)) for row in rows]
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    return render_table(columns, rows)


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: CJK (wide and full-width) characters take two, combining
    marks none."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - display_width(text))
    return fill + text if right else text + fill


def render_table(columns: list[str], rows: list[tuple], limit: int = TABLE_ROW_LIMIT) -> str:
    shown = rows[:limit]
    cells = [[_cell(v) for v in row] for row in shown]
    numeric = [
        bool(shown)
        and all(
            row[i] is None
            or (isinstance(row[i], int | float | decimal.Decimal) and not isinstance(row[i], bool))
            for row in shown
        )
        for i in range(len(columns))
    ]
    widths = [
        max([display_width(name)] + [display_width(row[i]) for row in cells])
        for i, name in enumerate(columns)
    ]
    lines = [
        " │ ".join(_pad(name, widths[i], numeric[i]) for i, name in enumerate(columns)).rstrip(),
        "─┼─".join("─" * w for w in widths),
    ]
    lines += [" │ ".join(_pad(v, widths[i], numeric[i]) for i, v in enumerate(row)).rstrip() for row in cells]
    footer = f"({len(rows)} row{'s' if len(rows) != 1 else ''}"
    if len(rows) > limit:
        footer += f"; the first {limit} shown — use --format csv for all"
    lines.append(footer + ")")
    return "\n".join(lines) + "\n"


def _cell(value) -> str:
    if value is None:
        return "NULL"
    return " ".join(_plain(value).splitlines())


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _json_value(value):
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return _plain(value)
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.hex()
    return value


def list_marts(include_reference: bool = False) -> tuple[list[dict], str | None]:
    """Every served mart (and with ``include_reference`` the reference tables): name, rows, key,
    grain, description. From the snapshot; before the first build, from dbt alone (rows unknown).
    Returns the tables and the build id (None without a snapshot)."""
    from talent.serving import SnapshotMissing, snapshot_build_id

    schemas = ("marts", "reference") if include_reference else ("marts",)
    try:
        with read_snapshot() as con:
            build = snapshot_build_id(con)
            tables = served_tables(con)
    except SnapshotMissing:
        from talent.mart_catalog import load_catalog

        build = None
        tables = [
            {
                "schema": d.schema,
                "name": d.name,
                "rows": None,
                "key": d.key,
                "grain": d.grain,
                "description": d.description,
                "columns": [{"name": c, "type": None, "description": t} for c, t in d.columns.items()],
            }
            for d in sorted(load_catalog().values(), key=lambda d: (d.schema, d.name))
        ]
    return [t for t in tables if t["schema"] in schemas], build


def render_marts(tables: list[dict], build: str | None) -> str:
    lines = [
        f"snapshot build {build}" if build else "no snapshot yet (row counts appear after `talent run`)",
        "",
    ]
    for table in tables:
        rows = "?" if table["rows"] is None else f"{table['rows']:,}"
        lines.append(f"{table['schema']}.{table['name']}   {rows} rows   key: {table['key'] or '—'}")
        lines.append(f"    grain: {table['grain'] or '—'}")
        lines.append(f"    {_first_sentence(table['description'])}")
        lines.append("")
    lines.append(
        "Column descriptions: `talent marts --format json`, or COMMENT ON in the snapshot and in PostgreSQL."
    )
    return "\n".join(lines) + "\n"


def _first_sentence(text: str, limit: int = 160) -> str:
    flat = " ".join((text or "").split())
    if not flat:
        return "(no description)"
    for stop in (". ", "。"):
        if stop in flat[: limit + 1]:
            flat = flat[: flat.index(stop) + len(stop)].strip()
            break
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
