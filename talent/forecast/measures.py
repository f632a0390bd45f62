"""The error measures of the backtest and the choice of model they drive: MASE, sMAPE, MAE and
interval coverage over a set of backtest points, and the lowest-MASE choice."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from talent.forecast.models import FALLBACK_MEAN, LEVELS, MODEL_ORDER


def score(actual: list[float], cols: dict[str, list[float | None]], scales: list[float]) -> dict[str, Any]:
    """MASE (each point's error over its window's in-sample naive error), sMAPE (0–200) and coverage."""
    scaled, smape, abs_err = [], [], []
    for y, f, s in zip(actual, cols["point"], scales, strict=True):
        if f is None:
            continue
        err = abs(y - f)
        abs_err.append(err)
        if not math.isnan(s):
            scaled.append(err / s)
        denom = abs(y) + abs(f)
        smape.append(0.0 if denom == 0 else 200.0 * err / denom)
    result: dict[str, Any] = {
        "mase": mean(scaled) if len(scaled) == len(actual) else None,
        "smape": mean(smape) if len(smape) == len(actual) else None,
        "mae": mean(abs_err) if len(abs_err) == len(actual) else None,
    }
    for lv in LEVELS:
        inside = [
            lo <= y <= hi
            for y, lo, hi in zip(actual, cols[f"lo{lv}"], cols[f"hi{lv}"], strict=True)
            if lo is not None and hi is not None
        ]
        result[f"coverage{lv}"] = sum(inside) / len(inside) if inside else None
    result["points"] = len(actual)
    return result


def mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def choose(metrics: dict[str, dict[str, Any]]) -> str:
    """Lowest MASE; where MASE is undefined (a flat history), lowest MAE; ties go to the simpler model."""

    def key(name: str) -> tuple:
        m = metrics[name]
        mase, mae = m.get("mase"), m.get("mae")
        return (mase is None, mase or 0.0, mae is None, mae or 0.0, MODEL_ORDER.index(name))

    candidates = [name for name in metrics if metrics[name].get("mae") is not None]
    return min(candidates, key=key) if candidates else FALLBACK_MEAN
