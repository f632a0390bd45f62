"""The pipeline step: read the demand series from the marts, backtest, forecast and reconcile,
write the forecast tables; skipped when the run's inputs are unchanged.

Locking: DuckDB allows one read-write process per file, and the backtest takes from seconds to a
minute. So the step opens the file only to read (the series and the stored run's inputs hash),
CLOSES it, computes with no connection open, and opens it again for one short write transaction.
Meanwhile `talent publish`, an analyst's `duckdb` or any other writer can use the file.

A caller that serialises writers across processes (a file lock, a copy-and-swap) passes it as
``guard``: it is entered around each of the two short phases, never around the compute."""

from __future__ import annotations

import csv
import logging
import os
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from talent.forecast.backtest import MIN_HISTORY, backtest_panel, forecast_panel, mean
from talent.forecast.models import BENCHMARK, BOTTOM_UP, MODEL_ORDER, rounded
from talent.forecast.nested import NESTED, calibrate, honest_summary
from talent.forecast.reconcile import bottom_up_backtest, reconcile
from talent.forecast.series import ForecastError, Series, build_series
from talent.forecast.store import adopt_legacy_tables, inputs_sha256, stored_counts, stored_sha, write_tables
from talent.units import shift_month

log = logging.getLogger(__name__)

# Given the warehouse path, a context manager that yields the path to open (the file, or a copy).
WarehouseGuard = Callable[[Path], AbstractContextManager[Path]]


@dataclass
class ForecastRun:
    run_month: str
    status: str  # "written" | "unchanged"
    series: int
    forecast_rows: int
    accuracy_rows: int
    seconds: float
    inputs_sha256: str
    summary: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_month": self.run_month,
            "status": self.status,
            "series": self.series,
            "forecast_rows": self.forecast_rows,
            "accuracy_rows": self.accuracy_rows,
            "seconds": round(self.seconds, 1),
            "inputs_sha256": self.inputs_sha256,
            "summary": self.summary,
        }


def compute(
    run_month: str, series: list[Series], sha: str
) -> tuple[list[tuple], list[tuple], dict[str, Any]]:
    """Backtest, forecast and reconcile: the rows of both forecast tables (as tuples in column order)."""
    evaluations = {
        ev.series.series_id: ev for ev in backtest_panel([s for s in series if len(s.values) >= MIN_HISTORY])
    }
    skipped = [s.series_id for s in series if len(s.values) < MIN_HISTORY]
    if skipped:
        log.info("fewer than %d months of history, not forecast: %s", MIN_HISTORY, ", ".join(skipped))
    bottom_up_backtest(evaluations, series)
    # After the bottom-up backtest: its coverage is measured too. The factors come from every series.
    calibration = calibrate(list(evaluations.values()))
    forecasts: dict[str, dict[str, Any]] = {}
    fitted = forecast_panel(list(evaluations.values()))
    for sid, ev in evaluations.items():
        values = fitted.get(sid)
        if not values:
            continue
        # The chosen model's intervals widened by its factor (before reconcile, so the city's
        # bottom-up forecast keeps the calibrated widths of the city's own model).
        values = calibration.apply(ev.chosen, values, min(ev.series.values) >= 0)
        forecasts[sid] = {
            "values": values,
            "model": ev.chosen,
            "base_model": None,
            "reconciliation": "none",
        }
    reconcile(forecasts, [ev.series for ev in evaluations.values()])

    run_date = date.fromisoformat(f"{run_month}-01")

    def series_columns(s: Series) -> tuple:
        """run_month, series_id, measure, dimension, member, label: the columns both tables start with."""
        return (run_date, s.series_id, s.measure, s.dimension, s.member, s.label)

    forecast_rows = []
    for sid in sorted(forecasts):
        ev, fc = evaluations[sid], forecasts[sid]
        s = ev.series
        for t, point in enumerate(fc["values"]["point"]):
            target = shift_month(run_month, t + 1)
            forecast_rows.append(
                (
                    f"{run_month}/{sid}/{target}",
                    *series_columns(s),
                    date.fromisoformat(f"{target}-01"),
                    t + 1,
                    rounded(point),
                    *(
                        rounded(fc["values"].get(k, [None] * (t + 1))[t])
                        for k in ("lo80", "hi80", "lo95", "hi95")
                    ),
                    fc["model"],
                    fc["base_model"],
                    ev.plan.fallback,
                    fc["reconciliation"],
                    len(s.values),
                    sha,
                )
            )
    accuracy_rows = []
    for sid in sorted(evaluations):
        ev = evaluations[sid]
        s = ev.series
        chosen = forecasts.get(sid, {}).get("model", ev.chosen)
        factors = calibration.published()
        for name in sorted(
            ev.metrics,
            key=lambda n: (n not in MODEL_ORDER, MODEL_ORDER.index(n) if n in MODEL_ORDER else 0, n),
        ):
            m, h = ev.metrics[name], ev.honest.get(name, {})
            # BottomUp's published intervals carry the city model's widths, so that model's factor.
            factor = factors.get(ev.chosen if name == BOTTOM_UP else name, {})
            accuracy_rows.append(
                (
                    f"{run_month}/{sid}/{name}",
                    *series_columns(s),
                    name,
                    name == chosen,
                    rounded(m["mase"]),
                    rounded(m["smape"]),
                    rounded(m["mae"]),
                    rounded(m["coverage80"]),
                    rounded(m["coverage95"]),
                    rounded(h.get("mase_outer")),
                    rounded(h.get("coverage80_calibrated")),
                    rounded(h.get("coverage95_calibrated")),
                    rounded(factor.get(80)),
                    rounded(factor.get(95)),
                    None,
                    ev.plan.horizon,
                    ev.plan.windows,
                    m["points"],
                    ev.scale_kind,
                    ev.plan.fallback,
                    sha,
                )
            )
        if ev.nested is not None and NESTED in ev.honest:
            # The choice procedure itself, scored on the outer origins (talent.forecast.nested).
            m, h = ev.nested.metrics, ev.honest[NESTED]
            accuracy_rows.append(
                (
                    f"{run_month}/{sid}/{NESTED}",
                    *series_columns(s),
                    NESTED,
                    False,
                    rounded(m["mase"]),
                    rounded(m["smape"]),
                    rounded(m["mae"]),
                    rounded(h["coverage80"]),
                    rounded(h["coverage95"]),
                    rounded(m["mase"]),
                    rounded(h["coverage80_calibrated"]),
                    rounded(h["coverage95_calibrated"]),
                    None,
                    None,
                    ", ".join(f"{cut}: {model}" for cut, model in ev.nested.choices.items()),
                    ev.plan.horizon,
                    len(ev.nested.choices),
                    m["points"],
                    ev.scale_kind,
                    ev.plan.fallback,
                    sha,
                )
            )
    # (published model's MASE, seasonal naive's MASE) over the series that have both, so the two means
    # compare like with like.
    compared = [
        (ev.metrics[forecasts[sid]["model"]]["mase"], ev.metrics[BENCHMARK]["mase"])
        for sid, ev in evaluations.items()
        if sid in forecasts
        and forecasts[sid]["model"] in ev.metrics
        and BENCHMARK in ev.metrics
        and ev.metrics[forecasts[sid]["model"]]["mase"] is not None
        and ev.metrics[BENCHMARK]["mase"] is not None
    ]
    summary = {
        "mase_chosen_mean": rounded(mean(chosen for chosen, _ in compared)),
        "mase_seasonal_naive_mean": rounded(mean(bench for _, bench in compared)),
        **honest_summary(
            [(ev, forecasts[sid]["model"]) for sid, ev in evaluations.items() if sid in forecasts],
            calibration,
            BENCHMARK,
        ),
        "fallbacks": sorted(sid for sid, ev in evaluations.items() if ev.plan.fallback),
        "skipped": skipped,
    }
    return forecast_rows, accuracy_rows, summary


def ensure_forecast(
    duckdb_path: str | os.PathLike[str],
    run_month: str | None = None,
    *,
    force: bool = False,
    guard: WarehouseGuard | None = None,
) -> ForecastRun:
    """Forecast from ``run_month`` (default: the latest month with demand) unless already done on the same
    data, into ``forecast.demand_forecast`` and ``forecast.forecast_accuracy``."""
    import duckdb

    started = time.monotonic()
    path = Path(duckdb_path)
    if not path.exists():
        raise ForecastError(f"DuckDB file {path} does not exist; run the pipeline (talent run) first")
    guard = guard or nullcontext
    with guard(path) as target:
        con = duckdb.connect(str(target))
        try:
            adopt_legacy_tables(con)
            run_month, series, notes = build_series(con, run_month)
            sha = inputs_sha256(run_month, series)
            unchanged = not force and stored_sha(con, run_month) == sha
            counts = stored_counts(con, run_month) if unchanged else (0, 0)
        finally:
            con.close()
    if unchanged:
        log.info("forecast for %s unchanged (inputs %s): nothing to do", run_month, sha[:12])
        return ForecastRun(
            run_month, "unchanged", len(series), counts[0], counts[1], time.monotonic() - started, sha
        )

    forecast_rows, accuracy_rows, summary = compute(run_month, series, sha)  # no connection open
    summary.update(notes)

    with guard(path) as target:
        con = duckdb.connect(str(target))
        try:
            write_tables(con, run_month, forecast_rows, accuracy_rows)
        finally:
            con.close()
    seconds = time.monotonic() - started
    log.info(
        "forecast %s: %d series, %d forecast rows, %d accuracy rows in %.1f s (MASE chosen %s, nested %s, "
        "seasonal naive %s; calibrated 80%% coverage %s)",
        run_month,
        len(series),
        len(forecast_rows),
        len(accuracy_rows),
        seconds,
        summary.get("mase_chosen_mean"),
        summary.get("mase_nested_mean"),
        summary.get("mase_seasonal_naive_mean"),
        summary.get("coverage80_calibrated"),
    )
    return ForecastRun(
        run_month, "written", len(series), len(forecast_rows), len(accuracy_rows), seconds, sha, summary
    )


def export_series_csv(duckdb_path: str | os.PathLike[str], out: Path, run_month: str | None = None) -> int:
    """Write the demand series the pipeline forecasts as a ``series_id,month,value`` CSV (for evaluate)."""
    import duckdb

    con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        _, series, _ = build_series(con, run_month)
    finally:
        con.close()
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["series_id", "month", "value"])
        for s in series:
            for month, value in zip(s.months, s.values, strict=True):
                writer.writerow([s.series_id, month, rounded(value)])
    return len(series)
