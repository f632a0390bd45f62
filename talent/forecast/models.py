"""The forecasting models, all from statsforecast, and the switches around them.

statsforecast is imported inside functions: it costs a few seconds to import and would slow every DAG
parse and CLI call that never forecasts. The numba functions it JIT-compiles are cached on disk
(``NIXTLA_NUMBA_CACHE`` + ``NUMBA_CACHE_DIR`` under the warehouse, set before the import, and
inherited by the panel's worker processes), so only the first run on a machine pays the compile time.
(In statsforecast 2.0 ETS, ARIMA and Theta are compiled C++, so the models used here compile
nothing; the cache matters for the numba-based ones, e.g. simple exponential smoothing.)"""

from __future__ import annotations

import math
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

SEASON = 12
LEVELS = (80, 95)
FORECAST_HORIZON = 36  # months ahead written to the forecast tables (the report reads 12, 24 and 36)
REPORT_HORIZONS = (12, 24, 36)

BENCHMARK = "SeasonalNaive"
NAIVE = "Naive"  # the benchmark of non-seasonal (short or sparse) series
COMBINATION = "Combination"
BOTTOM_UP = "BottomUp"
FALLBACK_MEAN = "HistoricAverage"
COMBINED = ("AutoETS", "AutoARIMA", "AutoTheta")
# Order matters only to break exact ties in the choice: simpler first.
MODEL_ORDER = (BENCHMARK, NAIVE, "AutoTheta", "AutoETS", "AutoARIMA", COMBINATION)


def _numba_cache_dir() -> Path:
    from talent.settings import get_settings

    candidates = [get_settings().warehouse_dir / "cache" / "numba"]
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    candidates.append(Path(tempfile.gettempdir()) / f"talent-numba-{uid}")
    for path in candidates:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(path, os.W_OK):
            return path
    return candidates[-1]


def statsforecast():
    """Import statsforecast with its numba cache switched on (the env must be set before the import)."""
    if "statsforecast" not in sys.modules:
        os.environ.setdefault("NIXTLA_NUMBA_CACHE", "1")
        if "NUMBA_CACHE_DIR" not in os.environ:
            os.environ["NUMBA_CACHE_DIR"] = str(_numba_cache_dir())
            if "numba" in sys.modules:  # numba read its config already; tell it directly
                import numba

                numba.config.CACHE_DIR = os.environ["NUMBA_CACHE_DIR"]
    import statsforecast
    import statsforecast.models

    return statsforecast


def model(name: str, seasonal: bool):
    """The statsforecast model called ``name``, seasonal (period 12) or not."""
    models = statsforecast().models
    season = SEASON if seasonal else 1
    if name == BENCHMARK:  # always seasonal: it is the yardstick every series is compared with
        return models.SeasonalNaive(season_length=SEASON, alias=name)
    if name == NAIVE:
        return models.SeasonalNaive(season_length=1, alias=name)
    if name == "AutoETS":
        return models.AutoETS(season_length=season, alias=name)
    if name == "AutoARIMA":
        return models.AutoARIMA(season_length=season, alias=name)
    if name == "AutoTheta":
        return models.AutoTheta(season_length=season, alias=name)
    if name == FALLBACK_MEAN:
        return models.HistoricAverage(alias=name)
    raise ValueError(f"unknown model {name}")


def output_columns(name: str) -> dict[str, str]:
    """Our column names (point, lo80 …) → the columns statsforecast names after the model's alias."""
    return {
        "point": name,
        **{f"{side}{lv}": f"{name}-{side}-{lv}" for lv in LEVELS for side in ("lo", "hi")},
    }


def rounded(value: Any, digits: int = 6) -> Any:
    """Floats as stored and printed: 6 decimals, None for NaN/inf; anything else unchanged."""
    if isinstance(value, float):
        return None if not math.isfinite(value) else round(value, digits)
    return value
