"""Honest numbers for the choice of model and for the intervals: the nested rolling origin and the
conformal calibration of the 80%/95% intervals.

Why nested: the per-model MASEs of the backtest are fair to each model, but "the chosen model's MASE"
is the minimum over five models on the very points it is scored on, so it is optimistic. The nested
score replays the choice as it would have been made at each backtest origin: at every origin but the
first (the *outer* origins) the model is chosen, with ``measures.choose`` as in production, from the
errors that were known at that origin, i.e. the points of earlier origins whose target month is at or
before it. (An earlier origin's later target months fall inside this origin's test window; letting
them vote would let the test data pick the model.) That choice is then scored on the origin's own
months. The first origin has no earlier errors, so it is not scored.

Why calibrated: the models' own 80% intervals held about 71% of the actuals. Each interval is widened
(or narrowed) about its point by one factor per model and level: split-conformal with the normalised
score |actual − point| / (the half-width on that side), the factor being the ⌈(n+1)·0.8⌉-th smallest of
the n scores. Scores are pooled over all series of the run (one series has too few points). The
published forecast uses the factor learnt from every backtest point; the coverage we report uses, at
each outer origin, the factor learnt from the points known before it, so that number is not
in-sample either."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from talent.forecast.measures import choose, score
from talent.forecast.models import BOTTOM_UP, LEVELS

if TYPE_CHECKING:
    from talent.forecast.backtest import Evaluation

NESTED = "NestedSelection"
Cols = dict[str, list[float | None]]


@dataclass
class Nested:
    """The nested rolling origin of one series."""

    choices: dict[str, str]  # outer origin (its cutoff month) -> model chosen there
    indices: list[int]  # the backtest points scored: those of the outer origins
    cols: Cols  # the nested choice's point and bounds at those points
    metrics: dict[str, Any] = field(default_factory=dict)


def origins(ev: Evaluation) -> list[str]:
    """The backtest origins (cutoff months, the last month of training), oldest first."""
    return sorted({cut for cut, _ in ev.cv_keys})


def _take(values: list, indices: list[int]) -> list:
    return [values[i] for i in indices]


def _candidates(ev: Evaluation) -> list[str]:
    # BottomUp is a reconciliation of the city, not a model the choice can pick.
    return [name for name in ev.cv if name not in (BOTTOM_UP, NESTED)]


def choose_at(ev: Evaluation, cutoff: str) -> str | None:
    """The model the choice would have picked at origin ``cutoff``: from points whose target month is
    at or before it (so only earlier origins, and only what they had seen by then)."""
    known = [i for i, (_, target) in enumerate(ev.cv_keys) if target <= cutoff]
    if not known:
        return None
    actual, scales = _take(ev.cv_actual, known), _take(ev.cv_scale, known)
    metrics = {
        name: score(actual, {key: _take(col, known) for key, col in ev.cv[name].items()}, scales)
        for name in _candidates(ev)
    }
    choice = choose(metrics)
    return choice if choice in ev.cv else None


def nested_selection(ev: Evaluation) -> Nested | None:
    """Choose at each outer origin from what was known then and score that choice on the origin's months.
    None with a single origin (nothing to choose from before it) or when no model could be chosen."""
    cutoffs = origins(ev)
    if len(cutoffs) < 2:
        return None
    choices: dict[str, str] = {}
    indices: list[int] = []
    cols: Cols = {}
    for cut in cutoffs[1:]:
        choice = choose_at(ev, cut)
        if choice is None:
            return None
        choices[cut] = choice
        here = [i for i, (c, _) in enumerate(ev.cv_keys) if c == cut]
        indices += here
        for key, col in ev.cv[choice].items():
            cols.setdefault(key, []).extend(_take(col, here))
    nested = Nested(choices, indices, cols)
    nested.metrics = score(_take(ev.cv_actual, indices), cols, _take(ev.cv_scale, indices))
    return nested


def outer_indices(ev: Evaluation) -> list[int]:
    """The points of the outer origins: where the nested score and the calibrated coverage are measured."""
    first = origins(ev)[:1]
    return [i for i, (cut, _) in enumerate(ev.cv_keys) if cut not in first]


# -------------------------------------------------------------------------------------- calibration


def interval_scores(actual: list[float], cols: Cols, level: int) -> list[float | None]:
    """|actual − point| over the half-width on the actual's side: ≤ c means inside the interval widened
    c times. None where the point or that bound is missing."""
    out: list[float | None] = []
    for y, p, lo, hi in zip(actual, cols["point"], cols[f"lo{level}"], cols[f"hi{level}"], strict=True):
        if p is None or lo is None or hi is None:
            out.append(None)
            continue
        dist, width = (y - p, hi - p) if y >= p else (p - y, p - lo)
        out.append(0.0 if dist == 0 else (dist / width if width > 0 else math.inf))
    return out


def conformal_factor(scores: Iterable[float | None], level: int) -> float | None:
    """The split-conformal quantile: the ⌈(n+1)·level⌉-th smallest score; None when n is too small."""
    known = sorted(s for s in scores if s is not None)
    rank = math.ceil((len(known) + 1) * level / 100)
    if not known or rank > len(known) or not math.isfinite(known[rank - 1]):
        return None
    return known[rank - 1]


def widen(cols: Cols, factors: dict[int, list[float | None]], floor: bool) -> Cols:
    """Each interval scaled about its point by the factor of its level and point (None: kept as is);
    the 95% interval kept around the 80% one, bounds clipped at 0 when ``floor``."""
    out: Cols = {"point": list(cols["point"])}
    for lv in LEVELS:
        lo_out, hi_out = [], []
        for p, lo, hi, c in zip(cols["point"], cols[f"lo{lv}"], cols[f"hi{lv}"], factors[lv], strict=True):
            if p is None or lo is None or hi is None or c is None:
                lo_out.append(lo)
                hi_out.append(hi)
                continue
            lo_new = p - c * (p - lo)
            lo_out.append(max(0.0, lo_new) if floor else lo_new)
            hi_out.append(p + c * (hi - p))
        out[f"lo{lv}"], out[f"hi{lv}"] = lo_out, hi_out
    inner, outer = LEVELS[0], LEVELS[-1]
    for side, pick in (("lo", min), ("hi", max)):
        out[f"{side}{outer}"] = [
            b if a is None or b is None else pick(a, b)
            for a, b in zip(out[f"{side}{inner}"], out[f"{side}{outer}"], strict=True)
        ]
    return out


def _coverage(actual: list[float], cols: Cols, level: int) -> float | None:
    inside = [
        lo <= y <= hi
        for y, lo, hi in zip(actual, cols[f"lo{level}"], cols[f"hi{level}"], strict=True)
        if lo is not None and hi is not None
    ]
    return sum(inside) / len(inside) if inside else None


class Calibration:
    """Interval factors per model and level, from the scores of every series of a run pooled; ``factor``
    with ``known_by`` uses only points whose target month is at or before that month."""

    def __init__(self, evaluations: Iterable[Evaluation]) -> None:
        # model -> [(target month, score at 80, score at 95)]
        self.pool: dict[str, list[tuple[str, dict[int, float | None]]]] = {}
        self._cache: dict[tuple[str, int, str | None], float | None] = {}
        for ev in evaluations:
            for name in _candidates(ev):
                scores = {lv: interval_scores(ev.cv_actual, ev.cv[name], lv) for lv in LEVELS}
                self.pool.setdefault(name, []).extend(
                    (target, {lv: scores[lv][i] for lv in LEVELS}) for i, (_, target) in enumerate(ev.cv_keys)
                )

    def factor(self, name: str, level: int, known_by: str | None = None) -> float | None:
        key = (name, level, known_by)
        if key not in self._cache:
            self._cache[key] = conformal_factor(
                (s[level] for target, s in self.pool.get(name, []) if known_by is None or target <= known_by),
                level,
            )
        return self._cache[key]

    def published(self) -> dict[str, dict[int, float | None]]:
        """The factors the published forecasts use: learnt from every backtest point."""
        return {name: {lv: self.factor(name, lv) for lv in LEVELS} for name in sorted(self.pool)}

    def apply(self, name: str, cols: Cols, floor: bool) -> Cols:
        """The published forecast of model ``name`` with calibrated intervals."""
        n = len(cols["point"])
        return widen(cols, {lv: [self.factor(name, lv)] * n for lv in LEVELS}, floor)

    def out_of_sample(
        self, ev: Evaluation, models: list[str], indices: list[int], factor_models: list[str] | None = None
    ) -> dict[str, Any]:
        """Coverage at ``indices`` of the intervals of ``models`` (one per index), each widened by the
        factor of its ``factor_models`` entry (default: the model itself) known at the point's origin;
        and the uncalibrated coverage on the same points."""
        floor = min(ev.series.values) >= 0
        cols: Cols = {}
        factors: dict[int, list[float | None]] = {lv: [] for lv in LEVELS}
        for i, name, source in zip(indices, models, factor_models or models, strict=True):
            for key, col in ev.cv[name].items():
                cols.setdefault(key, []).append(col[i])
            for lv in LEVELS:
                factors[lv].append(self.factor(source, lv, known_by=ev.cv_keys[i][0]))
        result: dict[str, Any] = {}
        if not indices:
            return {f"coverage{lv}{kind}": None for lv in LEVELS for kind in ("", "_calibrated")}
        actual = _take(ev.cv_actual, indices)
        calibrated = widen(cols, factors, floor)
        for lv in LEVELS:
            result[f"coverage{lv}"] = _coverage(actual, cols, lv)
            result[f"coverage{lv}_calibrated"] = _coverage(actual, calibrated, lv)
        return result


def honest_scores(ev: Evaluation, calibration: Calibration) -> dict[str, dict[str, Any]]:
    """Per model (and for the nested choice, key ``NESTED``): MASE on the outer origins' points and the
    out-of-sample calibrated coverage there."""
    indices = outer_indices(ev)
    if not indices:
        return {}
    actual, scales = _take(ev.cv_actual, indices), _take(ev.cv_scale, indices)
    out: dict[str, dict[str, Any]] = {}
    for name, cols in ev.cv.items():
        # BottomUp carries the city model's interval widths, so it is widened by that model's factor.
        source = ev.chosen if name == BOTTOM_UP else name
        if source not in ev.cv or source == BOTTOM_UP:
            continue
        view = {key: _take(col, indices) for key, col in cols.items()}
        out[name] = {
            "mase_outer": score(actual, view, scales)["mase"],
            **calibration.out_of_sample(ev, [name] * len(indices), indices, [source] * len(indices)),
        }
    if ev.nested is not None:
        models = [ev.nested.choices[ev.cv_keys[i][0]] for i in ev.nested.indices]
        out[NESTED] = {
            "mase_outer": ev.nested.metrics["mase"],
            **calibration.out_of_sample(ev, models, ev.nested.indices),
        }
    return out


def calibrate(evaluations: list[Evaluation]) -> Calibration:
    """Learn the interval factors from every series of the run and fill each ``ev.honest``."""
    calibration = Calibration(evaluations)
    for ev in evaluations:
        ev.honest = honest_scores(ev, calibration)
    return calibration


def honest_summary(
    pairs: list[tuple[Evaluation, str]], calibration: Calibration, benchmark: str
) -> dict[str, Any]:
    """The summary keys of the nested score and the calibrated coverage, over (evaluation, the model
    published for it). MASE means are over the series that have the nested, the published and the
    benchmark MASE on the outer origins, so the three compare like with like."""
    nested, chosen, bench, beaten = [], [], [], 0
    for ev, published in pairs:
        n = ev.honest.get(NESTED, {}).get("mase_outer")
        c = ev.honest.get(published, {}).get("mase_outer")
        b = ev.honest.get(benchmark, {}).get("mase_outer")
        if None not in (n, c, b):
            nested.append(n)
            chosen.append(c)
            bench.append(b)
            beaten += n < b
    rows = [ev.honest[NESTED] for ev, _ in pairs if NESTED in ev.honest]
    out: dict[str, Any] = {
        "mase_nested_mean": _mean(nested),
        "mase_chosen_outer_mean": _mean(chosen),
        "mase_seasonal_naive_outer_mean": _mean(bench),
        "series_nested_compared": len(nested),
        "series_nested_beats_seasonal_naive": beaten,
    }
    for lv in LEVELS:
        out[f"coverage{lv}_uncalibrated"] = _mean(r[f"coverage{lv}"] for r in rows)
        out[f"coverage{lv}_calibrated"] = _mean(r[f"coverage{lv}_calibrated"] for r in rows)
    out["interval_scale"] = {
        name: {str(lv): _round(f) for lv, f in factors.items()}
        for name, factors in calibration.published().items()
    }
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _mean(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return _round(sum(known) / len(known)) if known else None
