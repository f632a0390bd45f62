"""Reading a landing for validation: its `records.jsonl` lines (kept as bytes, so accepted rows are
copied byte for byte) and a pandas frame typed per the contract, with a `_row` column (1-based line)
and the cast problems of each row. Stage 1 of `expectations.runner.validate_landing`."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from expectations.suites._common import PROBLEMS_COLUMN, ROW_COLUMN

NUMERIC = {"integer", "double"}
KIND_WORDS = {
    "varchar": "a string",
    "date": "a YYYY-MM-DD date",
    "integer": "an integer",
    "double": "a number",
    "boolean": "true or false",
}


def read_lines(path: Path) -> list[bytes]:
    data = path.read_bytes()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the newline that ends the last record is not a row
    return lines


# DuckDB's INTEGER, the type of every count column in the contract.
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


def _json_type_ok(value: Any, kind: str) -> bool:
    """Whether one JSON value can be cast to the contract type `kind` without loss."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True  # nullability is a suite expectation, not a type question
    if kind in ("varchar", "date"):
        return isinstance(value, str)
    if kind == "boolean":
        return type(value) is bool
    if kind == "integer":
        # 3.0 casts to INTEGER exactly; 3.5 would be rounded silently by DuckDB, so it is an error;
        # so is a value past DuckDB's 32-bit INTEGER, which would abort the whole load, not one row.
        whole = type(value) is int or (type(value) is float and value.is_integer())
        return whole and INT32_MIN <= value <= INT32_MAX
    return type(value) in (int, float) and math.isfinite(value)


def _bad_values(series: Any, kind: str) -> Any:
    """Boolean mask of non-null values of `series` that do not fit `kind`."""
    import pandas as pd

    types = pd.api.types
    notna = series.notna()
    dtype = series.dtype
    if types.is_object_dtype(dtype):
        # Mixed column: only here is each value looked at; otherwise pandas' inferred dtype
        # already answers for the whole column (an int64 column holds only ints).
        return notna & ~series.map(lambda v: _json_type_ok(v, kind)).astype(bool)
    if kind in NUMERIC:
        if types.is_bool_dtype(dtype) or not types.is_numeric_dtype(dtype):
            return notna
        if kind == "integer":
            return notna & ((series % 1 != 0) | (series < INT32_MIN) | (series > INT32_MAX))
        return notna & series.isin([math.inf, -math.inf])
    if kind == "boolean":
        return notna & (not types.is_bool_dtype(dtype))
    return notna & (not types.is_string_dtype(dtype))


def build_frame(
    lines: list[bytes], columns: dict[str, str]
) -> tuple[Any, list[dict[str, Any] | None], dict[int, list[tuple[str, str]]]]:
    """Parse the lines into (frame, records, problems).

    The frame has one column per contract column present in the records, typed for GX (numbers as
    float64, dates as datetime64, text as strings), plus `_row` (1-based line) and `_problems`.
    A value the loader could not cast to its column's type is reported in `_problems` and becomes
    null in the frame, so the other expectations still run. `problems` maps a row to
    [(field, message)].
    """
    import pandas as pd

    records: list[dict[str, Any] | None] = []
    problems: dict[int, list[tuple[str, str]]] = {}
    for row, line in enumerate(lines, start=1):
        try:
            value = json.loads(line)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            problems[row] = [("(line)", "the line is not a JSON object")]
            value = None
        records.append(value)

    present = {key for rec in records if rec is not None for key in rec}
    # An empty landing gets every column, so only the row-count expectation speaks about it.
    wanted = [c for c in columns if c in present or not records]
    # The index is the 1-based records.jsonl line, named `_row`: GX reports failing rows by it.
    rows = pd.RangeIndex(1, len(records) + 1, name=ROW_COLUMN)
    # pandas builds the columns in C, far faster than picking values out of 100k dicts in Python.
    raw = pd.DataFrame.from_records([rec or {} for rec in records], columns=wanted, nrows=len(records))
    raw.index = rows

    def flag(column: str, bad: Any, kind: str) -> None:
        for row, value in raw.loc[bad, column].items():
            message = f"{column} should be {KIND_WORDS[kind]} but holds {value!r:.60}"
            problems.setdefault(int(row), []).append((column, message))

    data: dict[str, Any] = {}
    for column in wanted:
        kind = columns[column]
        series = raw[column]
        bad = _bad_values(series, kind)
        if bad.any():
            flag(column, bad, kind)
            series = series.where(~bad)
        if kind in NUMERIC:
            series = pd.to_numeric(series, errors="coerce").astype("float64")
        elif kind == "date":
            # The loader casts to DATE and one impossible date (2025-02-30) would abort the whole
            # load, so calendar validity is part of the type check (vectorised: strptime per value
            # in GX costs ~1 s per 100k rows).
            parsed = pd.to_datetime(series, format="%Y-%m-%d", errors="coerce")
            unparsed = series.notna() & parsed.isna()
            if unparsed.any():
                flag(column, unparsed, kind)
            series = parsed
        elif kind == "boolean":
            series = series.astype(object).where(series.notna(), None)
        data[column] = series
    data[PROBLEMS_COLUMN] = pd.Series(
        ["; ".join(m for _, m in problems[r]) if r in problems else None for r in rows],
        index=rows,
        dtype=object,
    )
    return pd.DataFrame(data, index=rows), records, problems
