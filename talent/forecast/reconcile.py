"""Coherence: industries and counties made to add up to the city total, and the bottom-up city
forecast scored in the same backtest as the models it replaces (model ``BottomUp``).

Bottom-up over industries: the report exists to steer majors by industry, so industry forecasts must
be the models' own, not shares of a total. Industries and counties partition the same postings, so
only one of them can be the bottom level; counties are scaled to agree. (MinT would need the
``hierarchicalforecast`` package, which is not in the lock.)"""

from __future__ import annotations

from typing import Any

from talent.forecast.backtest import Evaluation, score
from talent.forecast.models import BOTTOM_UP, SEASON
from talent.forecast.series import Series
from talent.settings import CITY


def reconcile(forecasts: dict[str, dict[str, Any]], series: list[Series]) -> None:
    """Make industries and counties add up to the city total, in place.

    Bottom-up over industries: the city point forecast is the sum of the industry forecasts, with the
    city model's own interval widths around it (summing bounds would assume perfectly correlated
    errors and give intervals far too wide). County forecasts are then scaled, month by month, so they
    add up to the same city total: industries and counties are two partitions of the same postings,
    and only one of them can be the bottom level.
    """
    by_id = {s.series_id: s for s in series}
    for measure in sorted({s.measure for s in series}):
        city_id = f"{measure}/city/{CITY}"
        if city_id not in forecasts:
            continue
        industries = [sid for sid, s in by_id.items() if s.measure == measure and s.dimension == "industry"]
        counties = [sid for sid, s in by_id.items() if s.measure == measure and s.dimension == "county"]
        if not industries or any(sid not in forecasts for sid in industries):
            continue
        city = forecasts[city_id]
        base = city["values"]
        horizon = len(base["point"])
        bottom = [
            sum(forecasts[sid]["values"]["point"][t] or 0.0 for sid in industries) for t in range(horizon)
        ]
        new: dict[str, list[float | None]] = {"point": bottom}
        for key in base:
            if key == "point":
                continue
            out = []
            for t in range(horizon):
                b, p = base[key][t], base["point"][t]
                out.append(None if b is None or p is None else max(0.0, bottom[t] + (b - p)))
            new[key] = out
        city["values"] = new
        city["base_model"] = city["model"]
        city["model"] = BOTTOM_UP
        city["reconciliation"] = "bottom_up"
        for sid in industries:
            forecasts[sid]["reconciliation"] = "base"
        if counties and all(sid in forecasts for sid in counties):
            _scale_to_total(forecasts, counties, bottom, by_id)
            for sid in counties:
                forecasts[sid]["reconciliation"] = "scaled_to_city"


def _scale_to_total(
    forecasts: dict[str, dict[str, Any]], members: list[str], total: list[float], by_id: dict[str, Series]
) -> None:
    """Scale each member's forecast (point and bounds) so the points add up to ``total`` month by month."""
    # Where every member forecasts zero, share the total by the last 12 months of history instead.
    recent = [sum(by_id[sid].values[-SEASON:]) for sid in members]
    weights = [r / sum(recent) for r in recent] if sum(recent) > 0 else [1 / len(members)] * len(members)
    for t, target in enumerate(total):
        current = sum(forecasts[sid]["values"]["point"][t] or 0.0 for sid in members)
        for i, sid in enumerate(members):
            vals = forecasts[sid]["values"]
            if current > 0:
                factor = target / current
                for key in vals:
                    if vals[key][t] is not None:
                        vals[key][t] = vals[key][t] * factor
            else:
                shift = target * weights[i]
                for key in vals:
                    if vals[key][t] is not None:
                        vals[key][t] = vals[key][t] + shift


def bottom_up_backtest(evaluations: dict[str, Evaluation], series: list[Series]) -> dict[str, dict[str, Any]]:
    """Score the bottom-up city forecast in the same backtest: the sum of each industry's chosen model."""
    out = {}
    for measure in sorted({s.measure for s in series}):
        city = evaluations.get(f"{measure}/city/{CITY}")
        parts = [
            ev
            for ev in evaluations.values()
            if ev.series.measure == measure and ev.series.dimension == "industry"
        ]
        if city is None or not parts or city.chosen not in city.cv:
            continue
        if any(ev.cv_keys != city.cv_keys or ev.chosen not in ev.cv for ev in parts):
            continue  # different backtest windows (should not happen: same time range)
        points = len(city.cv_actual)
        bu = [sum(ev.cv[ev.chosen]["point"][i] or 0.0 for ev in parts) for i in range(points)]
        base = city.cv[city.chosen]
        cols: dict[str, list[float | None]] = {"point": bu}
        for key in base:
            if key != "point":
                cols[key] = [
                    None
                    if base[key][i] is None or base["point"][i] is None
                    else max(0.0, bu[i] + base[key][i] - base["point"][i])
                    for i in range(points)
                ]
        city.cv[BOTTOM_UP] = cols
        metrics = score(city.cv_actual, cols, city.cv_scale)
        city.metrics[BOTTOM_UP] = metrics
        out[city.series.series_id] = metrics
    return out
