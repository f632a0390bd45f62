"""statsforecast run once over a panel of series: the long frame, the number of worker processes, and
what happens when a model fails.

Why a panel: every model is fitted per series either way, but one ``StatsForecast`` call over all the
series that share a plan (same models, horizon and origins) pays the set-up once and can spread the
series over ``n_jobs`` processes; per-series calls paid it 4 models × 43 series times and used one
core. The fits themselves are the same, series by series, so the numbers are the same too.

Failure stays per series and per model, as before: if the panel call fails, each model is run over
the panel alone, and a model that still fails is run series by series, so only the series it cannot
fit lose it (logged, and recorded in ``failed``)."""

from __future__ import annotations

import logging
import multiprocessing
import os
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from talent.forecast.models import LEVELS, model, statsforecast
from talent.forecast.series import Series

log = logging.getLogger(__name__)

# Set to the number of worker processes (1 = no pool, the default). Opt-in, not the default: an
# Airflow task process runs threads (heartbeat, log shipping) and a process pool forked from it
# hung the forecast task under the scheduler; `talent bench` and hand-run evaluations set it.
JOBS_ENV = "TALENT_FORECAST_JOBS"
# Below this many series a process pool costs more than it saves.
MIN_SERIES_PER_JOB = 4

Failed = dict[tuple[str, str], str]  # (series_id, model) -> the error


def jobs(n_series: int) -> int:
    """Worker processes for a panel of ``n_series``: at most one per core and per few series."""
    if multiprocessing.current_process().daemon:
        return 1  # a daemonic process (e.g. a celery prefork worker) may not start children
    configured = os.environ.get(JOBS_ENV, "").strip()
    if not configured:
        return 1
    if configured == "auto":
        cores = _cores()
    else:
        try:
            cores = max(1, int(configured))
        except ValueError:
            log.warning("%s=%r is neither a whole number nor 'auto'; using one process", JOBS_ENV, configured)
            return 1
    return max(1, min(cores, n_series // MIN_SERIES_PER_JOB))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def long_frame(series: Sequence[Series], upto: int | None = None):
    """The series as the long frame statsforecast expects (unique_id, ds, y), in the given order."""
    import numpy as np
    import pandas as pd

    ids, dates, values = [], [], []
    for s in series:
        vals = s.values if upto is None else s.values[:upto]
        ids.append(np.repeat(s.series_id, len(vals)))
        dates.append(pd.date_range(f"{s.start}-01", periods=len(vals), freq="MS").values)
        values.append(np.asarray(vals, dtype=float))
    return pd.DataFrame(
        {"unique_id": np.concatenate(ids), "ds": np.concatenate(dates), "y": np.concatenate(values)}
    )


def _call(kind: str, names: Sequence[str], seasonal: bool, df, n_jobs: int, **kwargs: Any):
    sf = statsforecast()
    engine = sf.StatsForecast(models=[model(n, seasonal) for n in names], freq="MS", n_jobs=n_jobs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "cross_validation":
            return engine.cross_validation(df=df, level=list(LEVELS), **kwargs)
        return engine.forecast(df=df, level=list(LEVELS), **kwargs)


def run(
    kind: str, series: Sequence[Series], names: Sequence[str], seasonal: bool, **kwargs: Any
) -> tuple[Any, Failed]:
    """``StatsForecast.cross_validation`` or ``.forecast`` (``kind``) of models ``names`` over the
    panel; returns the output frame (one column per model and bound, NaN where a model failed) and
    the (series, model) pairs that failed."""
    import pandas as pd

    df = long_frame(series)
    keys = ["unique_id", "ds", "cutoff"] if kind == "cross_validation" else ["unique_id", "ds"]
    n_jobs = jobs(len(series))
    try:
        return _call(kind, names, seasonal, df, n_jobs, **kwargs), {}
    except Exception as exc:  # noqa: BLE001 - fall back to narrower calls to find what failed
        log.info("%s over %d series failed (%s); retrying model by model", kind, len(series), exc)
    failed: Failed = {}
    parts = []
    for name in names:
        try:
            parts.append(_call(kind, [name], seasonal, df, n_jobs, **kwargs))
            continue
        except Exception:  # noqa: BLE001
            pass
        one = [p for p in _each_series(kind, name, seasonal, series, failed, **kwargs) if p is not None]
        if one:
            parts.append(pd.concat(one, ignore_index=True))
    out = None
    for part in parts:
        if out is None:
            out = part
        else:
            part = part.drop(columns=[c for c in part.columns if c == "y"])
            out = out.merge(part, on=keys, how="outer")
    return out, failed


def _each_series(
    kind: str, name: str, seasonal: bool, series: Sequence[Series], failed: Failed, **kwargs: Any
) -> list:
    out = []
    for s in series:
        try:
            out.append(_call(kind, [name], seasonal, long_frame([s]), 1, **kwargs))
        except Exception as exc:  # noqa: BLE001 - one model failing must not sink the series
            log.warning("series %s: %s failed (%s): %s", s.series_id, name, kind, exc)
            failed[(s.series_id, name)] = f"{type(exc).__name__}: {exc}"
    return out


def by_plan(items: Sequence[Any], key: Callable[[Any], Any]) -> dict[Any, list[Any]]:
    """Items grouped by ``key``, groups and members in first-seen order (so runs are reproducible)."""
    groups: dict[Any, list[Any]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups
