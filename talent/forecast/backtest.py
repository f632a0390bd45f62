"""Rolling-origin backtest, error measures and the choice of model per series, the forecast with
the chosen model, and what ``talent forecast evaluate FILE.csv`` prints.

The only arithmetic done here is the equal-weight combination of ETS, ARIMA and Theta and the error
measures; the models themselves are statsforecast's (talent.forecast.models), run once over the
panel of series that share a plan (talent.forecast.panel), not series by series. The combination and
the clipping are numpy over the whole panel's output. The backtest scores the clipped values, i.e.
what is published."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from talent.forecast import panel
from talent.forecast.measures import choose, mean, score
from talent.forecast.models import (
    BENCHMARK,
    COMBINATION,
    COMBINED,
    FALLBACK_MEAN,
    FORECAST_HORIZON,
    NAIVE,
    SEASON,
    output_columns,
    rounded,
)
from talent.forecast.nested import NESTED, Nested, calibrate, honest_summary, nested_selection
from talent.forecast.panel import Failed, by_plan
from talent.forecast.series import ForecastError, Series, read_series_csv

log = logging.getLogger(__name__)

BACKTEST_HORIZON = 12
# The first training window of the backtest: 18 months (a season and a half) is the least that lets
# AutoETS/AutoARIMA try a seasonal fit and gives the lag-12 MASE scale six differences. With the
# 36 months the sample boards hold this leaves room for four 12-month-ahead origins.
MIN_TRAIN_SEASONAL = 18
# Below that, non-seasonal variants are backtested on a shorter horizon from 8 months of training.
MIN_TRAIN_SHORT = 8
# Fewer months than this: no backtest at all, the forecast is the historical mean (marked).
MIN_HISTORY = 3
MAX_WINDOWS = 4
WINDOW_STEP = 2
# A series with more than half of its months at zero is intermittent: seasonal models only chase noise.
SPARSE_ZERO_SHARE = 0.5


@dataclass
class Plan:
    """How a series is backtested and forecast."""

    seasonal: bool
    fallback: str | None  # None | "short" | "sparse" | "too_short"
    horizon: int  # backtest horizon (0: no backtest)
    windows: int
    models: tuple[str, ...]


@dataclass
class Evaluation:
    series: Series
    plan: Plan
    metrics: dict[str, dict[str, float | None]] = field(default_factory=dict)
    cv: dict[str, dict[str, list[float]]] = field(default_factory=dict)  # model -> column -> values
    cv_actual: list[float] = field(default_factory=list)
    cv_scale: list[float] = field(default_factory=list)  # the MASE scale of each point's window
    cv_keys: list[tuple[str, str]] = field(default_factory=list)  # (cutoff, month) of each point
    chosen: str = ""
    scale_kind: str = "seasonal_naive"
    errors: dict[str, str] = field(default_factory=dict)
    nested: Nested | None = None  # the nested rolling origin (talent.forecast.nested)
    # model (or NESTED) -> mase_outer, coverage80/95 and coverage80/95_calibrated on the outer origins
    honest: dict[str, dict[str, Any]] = field(default_factory=dict)


def plan_for(series: Series, horizon: int) -> Plan:
    n = len(series.values)
    zeros = sum(1 for v in series.values if v == 0)
    sparse = n > 0 and zeros / n > SPARSE_ZERO_SHARE
    full = (BENCHMARK, "AutoETS", "AutoARIMA", "AutoTheta", COMBINATION)
    plain = (NAIVE, "AutoETS", "AutoARIMA", "AutoTheta", COMBINATION)
    if n >= MIN_TRAIN_SEASONAL + horizon:
        windows = min(MAX_WINDOWS, (n - horizon - MIN_TRAIN_SEASONAL) // WINDOW_STEP + 1)
        if sparse:
            # Seasonal naive stays as the yardstick; the fitted models drop the season they cannot see.
            return Plan(False, "sparse", horizon, windows, full)
        return Plan(True, None, horizon, windows, full)
    if n >= MIN_TRAIN_SHORT + 1:
        h = min(horizon, n - MIN_TRAIN_SHORT)
        windows = min(MAX_WINDOWS, (n - h - MIN_TRAIN_SHORT) // WINDOW_STEP + 1)
        return Plan(False, "sparse" if sparse else "short", h, windows, plain)
    return Plan(False, "too_short", 0, 0, (FALLBACK_MEAN,))


def _scale(train: Sequence[float], lag: int) -> float | None:
    diffs = [abs(train[i] - train[i - lag]) for i in range(lag, len(train))]
    if not diffs:
        return None
    value = sum(diffs) / len(diffs)
    return value if value > 0 else None


def _prepare(series: Series, horizon: int) -> Evaluation:
    """The series' plan and its backtest points (actual, MASE scale, origin and target month)."""
    plan = plan_for(series, horizon)
    ev = Evaluation(series=series, plan=plan)
    if plan.horizon == 0:
        ev.chosen = FALLBACK_MEAN
        return ev
    n = len(series.values)
    # Cutoffs as statsforecast places them: the last window ends at the last observation.
    cutoffs = [n - plan.horizon - (plan.windows - 1 - w) * WINDOW_STEP for w in range(plan.windows)]
    lag = SEASON if min(cutoffs) > SEASON else 1
    ev.scale_kind = "seasonal_naive" if lag == SEASON else "naive"
    months = series.months
    for cut in cutoffs:
        scale = _scale(series.values[:cut], lag)
        for k in range(plan.horizon):
            ev.cv_actual.append(float(series.values[cut + k]))
            ev.cv_scale.append(scale if scale is not None else math.nan)
            ev.cv_keys.append((months[cut - 1], months[cut + k]))
    return ev


def backtest_panel(series: Sequence[Series], horizon: int = BACKTEST_HORIZON) -> list[Evaluation]:
    """Rolling-origin backtest of every series: one statsforecast ``cross_validation`` over all the
    series that share a plan (models, horizon, origins), every model of the plan in the same call."""
    evaluations = [_prepare(s, horizon) for s in series]
    todo = [ev for ev in evaluations if ev.plan.horizon > 0]
    groups = by_plan(todo, lambda ev: (ev.plan.seasonal, ev.plan.horizon, ev.plan.windows, ev.plan.models))
    for (seasonal, h, windows, models), evs in groups.items():
        fitted = [name for name in models if name != COMBINATION]
        out, failed = panel.run(
            "cross_validation",
            [ev.series for ev in evs],
            fitted,
            seasonal,
            h=h,
            n_windows=windows,
            step_size=WINDOW_STEP,
        )
        combined = [name for name in COMBINED if name in fitted] if COMBINATION in models else []
        per_series = _columns(out, evs, fitted, failed, combined, ["cutoff", "ds"])
        for ev in evs:
            sid = ev.series.series_id
            for name in fitted:
                if (sid, name) in failed:
                    ev.errors[name] = failed[(sid, name)]
            for name, cols in per_series.get(sid, {}).items():
                if len(cols["point"]) != len(ev.cv_actual):
                    ev.errors[name] = (
                        f"backtest returned {len(cols['point'])} points, expected {len(ev.cv_actual)}"
                    )
                    continue
                ev.cv[name] = cols
            parts = [name for name in combined if (sid, name) not in failed]
            if parts and len(parts) < len(COMBINED):
                ev.errors[COMBINATION] = f"combines only {', '.join(parts)}"
    for ev in todo:
        for name, cols in ev.cv.items():
            ev.metrics[name] = score(ev.cv_actual, cols, ev.cv_scale)
        ev.chosen = choose(ev.metrics)
        ev.nested = nested_selection(ev)
    return evaluations


def backtest(series: Series, horizon: int = BACKTEST_HORIZON) -> Evaluation:
    """Rolling-origin backtest of one series (a panel of one)."""
    return backtest_panel([series], horizon)[0]


def _columns(
    out: Any,
    evs: Sequence[Evaluation],
    fitted: Sequence[str],
    failed: Failed,
    combined: list[str],
    order: list[str],
) -> dict[str, dict[str, dict[str, list[float | None]]]]:
    """series -> model -> our columns (point, lo80 …) from a panel output, clipped at 0 where the history
    is non-negative, with the equal-weight combination of ``combined`` computed over the whole panel."""
    import numpy as np

    if out is None or not len(out):
        return {}
    out = out.sort_values(["unique_id", *order], kind="stable").reset_index(drop=True)
    floors = {ev.series.series_id: min(ev.series.values) >= 0 for ev in evs}
    ids = out["unique_id"].to_numpy()
    floor = out["unique_id"].map(floors).to_numpy(dtype=bool)
    arrays: dict[str, dict[str, Any]] = {}
    for name in fitted:
        arrays[name] = {}
        for key, col in output_columns(name).items():
            if col in out:
                values = out[col].to_numpy(dtype=float)
                # + 0.0 turns a clipped -0.0 into 0.0, as max(0.0, v) did
                arrays[name][key] = np.where(floor, np.maximum(values, 0.0) + 0.0, values)
    if combined:
        # Per row, the members that did not fail for that series; a bound is only averaged when every
        # such member has it (a partial mean is not the combination).
        ok = np.column_stack([[(sid, name) not in failed for sid in ids] for name in combined])
        arrays[COMBINATION] = {}
        for key in output_columns(COMBINATION):
            if not all(key in arrays[name] for name in combined):
                continue
            values = np.column_stack([arrays[name][key] for name in combined])
            count = ok.sum(axis=1)
            total = np.where(ok, values, 0.0).sum(axis=1)
            missing = (np.isnan(values) & ok).any(axis=1) | (count == 0)
            with np.errstate(invalid="ignore", divide="ignore"):
                arrays[COMBINATION][key] = np.where(missing, np.nan, total / np.maximum(count, 1))
    result: dict[str, dict[str, dict[str, list[float | None]]]] = {}
    bounds = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1], True])
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        sid = ids[start]
        models = {}
        for name, cols in arrays.items():
            if name == COMBINATION:
                if not any((sid, m) not in failed for m in combined):
                    continue
            elif (sid, name) in failed:
                continue
            models[name] = {key: _listed(values[start:stop]) for key, values in cols.items()}
        result[sid] = models
    return result


def _listed(values: Any) -> list[float | None]:
    """Floats as the measures take them: None for NaN and ±inf."""
    import numpy as np

    return [
        float(v) if finite else None for v, finite in zip(values.tolist(), np.isfinite(values), strict=True)
    ]


# ------------------------------------------------------------------------------------------ forecast


def _members(chosen: str) -> tuple[str, ...]:
    return COMBINED if chosen == COMBINATION else (chosen,)


def forecast_panel(
    evaluations: Sequence[Evaluation], horizon: int = FORECAST_HORIZON
) -> dict[str, dict[str, list[float | None]]]:
    """Fit each series' chosen model on its whole history and forecast ``horizon`` months with 80/95%
    intervals: one statsforecast ``forecast`` over the series that chose the same model(s)."""
    result: dict[str, dict[str, list[float | None]]] = {}
    retry: list[Evaluation] = []
    groups = by_plan(evaluations, lambda ev: (ev.plan.seasonal, _members(ev.chosen)))
    for (seasonal, names), evs in groups.items():
        out, failed = panel.run("forecast", [ev.series for ev in evs], list(names), seasonal, h=horizon)
        combined = list(names) if len(names) > 1 else []
        per_series = _columns(out, evs, list(names), failed, combined, ["ds"])
        for ev in evs:
            sid = ev.series.series_id
            for name in names:
                if (sid, name) in failed:
                    ev.errors[f"forecast:{name}"] = failed[(sid, name)]
            models = per_series.get(sid, {})
            values = models.get(COMBINATION) if combined else models.get(names[0])
            if values is not None:
                result[sid] = values
            elif ev.chosen != FALLBACK_MEAN:
                # The chosen model would not fit the full history: the mean is a forecast nobody can
                # misread.
                ev.chosen = FALLBACK_MEAN
                ev.plan.fallback = ev.plan.fallback or "model_error"
                retry.append(ev)
    if retry:
        result.update(forecast_panel(retry, horizon))
    return result


def forecast_series(ev: Evaluation, horizon: int = FORECAST_HORIZON) -> dict[str, list[float | None]]:
    """Fit the chosen model on the whole history and forecast ``horizon`` months with 80/95% intervals."""
    return forecast_panel([ev], horizon).get(ev.series.series_id, {})


# ------------------------------------------------------------------------- talent forecast evaluate


def evaluate_series(series: list[Series], horizon: int = BACKTEST_HORIZON) -> dict[str, Any]:
    """Backtest every series and summarise: the JSON ``talent forecast evaluate`` prints."""
    if horizon < 1:
        raise ForecastError(f"--horizon must be at least 1 month, got {horizon}")
    started = time.monotonic()
    result: dict[str, Any] = {}
    chosen_mase, bench_mase, combo_mase, beaten = [], [], [], 0
    evaluations = backtest_panel(series, horizon)
    calibration = calibrate(evaluations)
    for s, ev in zip(series, evaluations, strict=True):
        models = {
            name: {
                "mase": rounded(m["mase"]),
                "smape": rounded(m["smape"]),
                "coverage80": rounded(m["coverage80"]),
                "coverage95": rounded(m["coverage95"]),
            }
            for name, m in ev.metrics.items()
        }
        result[s.series_id] = {
            "chosen": ev.chosen,
            "models": models,
            "months": len(s.values),
            "fallback": ev.plan.fallback,
            "backtest": {"horizon": ev.plan.horizon, "windows": ev.plan.windows, "scale": ev.scale_kind},
            "nested": _nested_entry(ev),
        }
        chosen = ev.metrics.get(ev.chosen, {}).get("mase")
        bench = ev.metrics.get(BENCHMARK, {}).get("mase")
        combo = ev.metrics.get(COMBINATION, {}).get("mase")
        if chosen is not None and bench is not None:
            chosen_mase.append(chosen)
            bench_mase.append(bench)
            beaten += chosen < bench
        if combo is not None and bench is not None:
            combo_mase.append(combo)
    summary = {
        # Means over the series that have both a chosen-model and a seasonal-naive MASE, so the two
        # numbers compare like with like.
        "mase_chosen_mean": rounded(mean(chosen_mase)),
        "mase_seasonal_naive_mean": rounded(mean(bench_mase)),
        # The choice is made on the same backtest it is scored on (optimistic); the combination involves
        # no choice, so it is a yardstick next to the chosen models; mase_nested_mean is the honest one.
        "mase_combination_mean": rounded(mean(combo_mase)),
        "series": len(series),
        "series_compared": len(chosen_mase),
        "series_chosen_beats_seasonal_naive": beaten,
        "horizon": horizon,
        **honest_summary([(ev, ev.chosen) for ev in evaluations], calibration, BENCHMARK),
    }
    log.info("backtested %d series in %.1f s", len(series), time.monotonic() - started)
    return {"series": result, "summary": summary}


def _nested_entry(ev: Evaluation) -> dict[str, Any] | None:
    """Per series: the nested choice at each outer origin, its score, and every model's MASE and
    calibrated coverage on the same (outer) points."""
    if ev.nested is None:
        return None
    honest = ev.honest.get(NESTED, {})
    return {
        "mase": rounded(ev.nested.metrics["mase"]),
        "smape": rounded(ev.nested.metrics["smape"]),
        "choices": dict(ev.nested.choices),
        "points": len(ev.nested.indices),
        **{key: rounded(value) for key, value in honest.items() if key != "mase_outer"},
        "mase_outer": {name: rounded(h["mase_outer"]) for name, h in ev.honest.items() if name != NESTED},
    }


def evaluate_csv(path: Path, horizon: int = BACKTEST_HORIZON) -> dict[str, Any]:
    """``talent forecast evaluate FILE.csv [--horizon H]``: backtest the series in a CSV."""
    return evaluate_series(read_series_csv(Path(path)), horizon)
