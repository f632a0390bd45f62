"""Tests for talent.forecast.nested: the nested rolling origin (the choice at an origin sees only the
errors known then, and its score is honest where the in-sample minimum is not) and the conformal
calibration of the intervals (coverage near the nominal level on simulated data whose noise is
known). Backtest results are built by hand, so the truth is known and no model is fitted: seconds.
(Split from tests/test_forecast.py, which holds the statsforecast and pipeline tests.)"""

from __future__ import annotations

import math
import random
from datetime import date

import pytest

from talent import forecast as F
from talent.forecast.nested import (
    NESTED,
    Calibration,
    calibrate,
    choose_at,
    conformal_factor,
    honest_summary,
    nested_selection,
    widen,
)
from talent.units import shift_month

START = "2023-01"
TRAIN, HORIZON, WINDOWS, STEP = 18, 12, 4, 2
Z80, Z95 = 1.2815515655446004, 1.959963984540054


def _evaluation(forecasts, actual=None, sid: str = "s") -> F.Evaluation:
    """An Evaluation as backtest() leaves it, for 36 months and the production layout (4 origins, two
    months apart, 12 ahead): ``forecasts(model, origin, step, target_index)`` gives (point, sd) and the
    intervals are point ± z·sd; the MASE scale is 1, so MASE is the mean absolute error."""
    n = TRAIN + (WINDOWS - 1) * STEP + HORIZON
    actual = actual or [0.0] * n
    series = F.Series(sid, START, list(actual))
    plan = F.Plan(True, None, HORIZON, WINDOWS, ("SeasonalNaive", "AutoETS", "AutoTheta"))
    ev = F.Evaluation(series=series, plan=plan)
    models = ("SeasonalNaive", "AutoETS", "AutoTheta")
    for w in range(WINDOWS):
        cut = TRAIN + w * STEP
        for k in range(HORIZON):
            ev.cv_actual.append(actual[cut + k])
            ev.cv_scale.append(1.0)
            ev.cv_keys.append((shift_month(START, cut - 1), shift_month(START, cut + k)))
            for name in models:
                point, sd = forecasts(name, w, k, cut + k)
                cols = ev.cv.setdefault(name, {key: [] for key in ("point", "lo80", "hi80", "lo95", "hi95")})
                cols["point"].append(point)
                for lv, z in ((80, Z80), (95, Z95)):
                    cols[f"lo{lv}"].append(point - z * sd)
                    cols[f"hi{lv}"].append(point + z * sd)
    for name, cols in ev.cv.items():
        ev.metrics[name] = F.score(ev.cv_actual, cols, ev.cv_scale)
    ev.chosen = F.choose(ev.metrics)
    ev.nested = nested_selection(ev)
    return ev


# ------------------------------------------------------------------------------- nested selection


def test_the_choice_at_an_origin_sees_only_errors_known_by_then() -> None:
    """By construction: AutoETS is exact on every month up to the third origin's cutoff and AutoTheta
    on every month after it. Chosen at that origin, AutoETS; whatever happens after the cutoff —
    Theta's errors, ETS's, the actuals — cannot change that choice. Change a known month, and it does."""
    cutoff = shift_month(START, TRAIN + 2 * STEP - 1)
    boundary = TRAIN + 2 * STEP  # index of the first month after that cutoff

    def forecasts(name, w, k, t):
        right = (name == "AutoETS") == (t < boundary)
        return (0.0 if right else 5.0, 1.0) if name != "SeasonalNaive" else (3.0, 1.0)

    ev = _evaluation(forecasts)
    assert choose_at(ev, cutoff) == "AutoETS"
    # In-sample over all origins Theta wins (more of its months are after the cutoff): the choice
    # at the origin is not the final choice.
    assert ev.chosen == "AutoTheta"

    rng = random.Random(5)
    for name in ev.cv:
        for i, (_, target) in enumerate(ev.cv_keys):
            if target > cutoff:
                ev.cv[name]["point"][i] = rng.uniform(-100, 100)
                ev.cv_actual[i] = rng.uniform(-100, 100)
    assert choose_at(ev, cutoff) == "AutoETS"

    known = next(i for i, (_, target) in enumerate(ev.cv_keys) if target <= cutoff)
    ev.cv["AutoETS"]["point"][known] = 1e6  # one known month made terrible
    assert choose_at(ev, cutoff) == "SeasonalNaive"  # off by 3 where Theta was off by 5


def test_nested_score_is_each_origins_choice_scored_on_that_origin() -> None:
    """Origin w's forecasts: SeasonalNaive is off by 1, ETS by 2 - w/2 (improving), Theta by 1.5."""
    errors = {"SeasonalNaive": lambda w: 1.0, "AutoETS": lambda w: 2.0 - w / 2, "AutoTheta": lambda w: 1.5}
    ev = _evaluation(lambda name, w, k, t: (errors[name](w), 1.0))
    cutoffs = [shift_month(START, TRAIN + w * STEP - 1) for w in range(WINDOWS)]
    # At the last origin the known points are 6 of origin 0, 4 of origin 1 and 2 of origin 2: ETS's mean
    # error (6·2 + 4·1.5 + 2·1)/12 > 1, so seasonal naive, as at the earlier origins (ETS still worse).
    assert ev.nested.choices == dict.fromkeys(cutoffs[1:], "SeasonalNaive")
    assert ev.nested.metrics["mase"] == pytest.approx(1.0)
    assert len(ev.nested.indices) == (WINDOWS - 1) * HORIZON
    # The first origin is never scored: nothing was known before it.
    assert cutoffs[0] not in ev.nested.choices


def test_nested_score_is_honest_where_the_in_sample_minimum_is_not() -> None:
    """Three equally good models (errors |N(0,1)|, true MASE √(2/π) ≈ 0.798) on 300 series: the
    minimum of their in-sample MASEs is optimistic, the nested score is not, and per series the nested
    score is at least the best model's on the same points in most cases."""
    rng = random.Random(42)
    truth = math.sqrt(2 / math.pi)
    best, nested, at_least = [], [], 0
    for s in range(300):
        ev = _evaluation(lambda name, w, k, t: (abs(rng.gauss(0, 1)), 1.0), sid=f"s{s}")
        best.append(min(m["mase"] for m in ev.metrics.values()))
        calibrate([ev])
        outer = {name: h["mase_outer"] for name, h in ev.honest.items() if name != NESTED}
        nested.append(ev.nested.metrics["mase"])
        at_least += ev.nested.metrics["mase"] >= min(outer.values())
    assert sum(best) / len(best) < truth - 0.05
    assert sum(nested) / len(nested) == pytest.approx(truth, abs=0.02)
    assert at_least >= 0.8 * len(nested)


def test_a_model_that_is_clearly_right_is_chosen_at_every_origin() -> None:
    """The series is exactly seasonal: seasonal naive is right, the others are off."""
    actual = [10 + 5 * math.sin(2 * math.pi * t / 12) for t in range(TRAIN + (WINDOWS - 1) * STEP + HORIZON)]
    ev = _evaluation(
        lambda name, w, k, t: (actual[t] + (0.0 if name == "SeasonalNaive" else 2.0), 1.0), actual=actual
    )
    assert set(ev.nested.choices.values()) == {"SeasonalNaive"}
    assert ev.nested.metrics["mase"] == pytest.approx(0.0)


# ------------------------------------------------------------------------------------ calibration


def test_conformal_factor_is_the_finite_sample_quantile() -> None:
    scores = [0.1 * i for i in range(1, 10)]  # n = 9: rank ⌈10·0.8⌉ = 8
    assert conformal_factor(scores, 80) == pytest.approx(0.8)
    assert conformal_factor(scores, 95) is None  # rank 10 > 9: too few points to promise 95%
    assert conformal_factor([None, 1.0, math.inf, 2.0, 3.0], 80) is None  # an uncoverable point ranks


def test_widen_keeps_the_95_interval_around_the_80_and_clips_at_zero() -> None:
    cols = {"point": [2.0], "lo80": [1.0], "hi80": [3.0], "lo95": [0.5], "hi95": [3.5]}
    out = widen(cols, {80: [3.0], 95: [1.0]}, floor=True)
    assert out["lo80"] == [0.0] and out["hi80"] == [5.0]  # 2 − 3·1 clipped; 2 + 3·1
    assert out["lo95"] == [0.0] and out["hi95"] == [5.0]  # kept around the wider 80% interval
    assert widen(cols, {80: [None], 95: [None]}, floor=True) == cols


def test_calibration_learns_only_from_points_known_by_then() -> None:
    """Scores of months up to the cutoff are 0.5, later ones 5: the factor known at the cutoff is 0.5."""
    ev = _evaluation(lambda name, w, k, t: (0.0, 1.0))
    cutoff = shift_month(START, TRAIN + 3 * STEP - 1)  # the last origin: 12 months known before it
    for i, (_, target) in enumerate(ev.cv_keys):
        ev.cv_actual[i] = (0.5 if target <= cutoff else 5.0) * Z80
    calibration = Calibration([ev])
    assert calibration.factor("AutoETS", 80, known_by=cutoff) == pytest.approx(0.5)
    assert calibration.factor("AutoETS", 80) == pytest.approx(5.0)


@pytest.mark.parametrize("stated", [0.6, 1.6])
def test_calibrated_intervals_cover_80_and_95_percent_out_of_sample(stated: float) -> None:
    """200 series with Gaussian noise growing with the horizon (sd √h); the model states intervals
    ``stated`` times the true width (too narrow, too wide). Calibrated on earlier origins only, the
    80% intervals cover 75–85% of the later origins' actuals and the 95% intervals 92–98%."""
    rng = random.Random(7)
    evaluations = []

    def noisy(noise: list[float]):
        # The actual is 0, so the error is the point: noise of sd √h; the stated sd is `stated`·√h.
        return lambda name, w, k, t: (noise[t] * math.sqrt(k + 1), stated * math.sqrt(k + 1))

    for s in range(200):
        evaluations.append(_evaluation(noisy([rng.gauss(0, 1) for _ in range(60)]), sid=f"s{s}"))
    calibration = calibrate(evaluations)
    summary = honest_summary([(ev, ev.chosen) for ev in evaluations], calibration, "SeasonalNaive")
    assert 0.75 <= summary["coverage80_calibrated"] <= 0.85, summary
    assert 0.92 <= summary["coverage95_calibrated"] <= 0.98, summary
    # Uncalibrated, the stated intervals are far off: the test above would fail without calibration.
    assert abs(summary["coverage80_uncalibrated"] - 0.8) > 0.1
    # The factor undoes the misstatement.
    assert calibration.factor("AutoETS", 80) == pytest.approx(1 / stated, rel=0.1)


# -------------------------------------------------------------------------------- stored archive


def test_earlier_runs_in_an_older_layout_are_kept_with_the_new_columns_null(tmp_path) -> None:
    """Runs stored before the nested/calibration columns existed are the record of what was published
    then: a new run keeps them (new columns null) instead of dropping them."""
    import duckdb

    from talent.forecast.store import ACCURACY_COLUMNS, FORECAST_COLUMNS

    added = {"mase_outer", "coverage80_calibrated", "coverage95_calibrated"}
    added |= {"interval_scale80", "interval_scale95", "nested_choices"}
    old = [(c, t) for c, t in ACCURACY_COLUMNS if c not in added]
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema forecast")
    con.execute(f"create table forecast.forecast_accuracy ({', '.join(f'{c} {t}' for c, t in old)})")
    con.execute(
        "insert into forecast.forecast_accuracy (accuracy_id, run_month, series_id, model, mase) "
        "values ('2025-01/s/AutoETS', date '2025-01-01', 's', 'AutoETS', 0.9)"
    )
    con.execute(
        f"create table forecast.demand_forecast ({', '.join(f'{c} {t}' for c, t in FORECAST_COLUMNS)})"
    )
    new = dict.fromkeys((c for c, _ in ACCURACY_COLUMNS), None)
    new.update(accuracy_id="2025-02/s/AutoETS", run_month=date(2025, 2, 1), series_id="s", mase_outer=1.1)
    F.write_tables(con, "2025-02", [], [tuple(new.values())])
    rows = con.execute(
        "select accuracy_id, mase, mase_outer from forecast.forecast_accuracy order by 1"
    ).fetchall()
    con.close()
    assert rows == [("2025-01/s/AutoETS", 0.9, None), ("2025-02/s/AutoETS", None, 1.1)]
