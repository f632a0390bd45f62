"""Monthly talent-demand forecasts: series, models, rolling-origin backtest, reconciliation, storage.

Docs: docs/forecast.md (methods, choices and measured accuracy); contract: docs/contracts.md section 5b.

Modules, in the order data flows through them:

* ``series``    — the demand series read from the marts (or from a ``series_id,month,value`` CSV).
* ``models``    — the statsforecast models and their numba cache.
* ``measures``  — MASE/sMAPE/MAE/coverage over backtest points and the lowest-MASE choice.
* ``backtest``  — rolling-origin backtest, the choice of model per series, the forecast with the
  chosen model, and ``evaluate_csv`` (what ``talent forecast evaluate FILE.csv`` prints).
* ``nested``    — the nested rolling origin (the choice scored on origins it did not see) and the
  conformal calibration of the intervals.
* ``reconcile`` — industries and counties made to add up to the city total.
* ``store``     — the tables in schema ``forecast``, the inputs hash, the one write transaction.
* ``pipeline``  — ``ensure_forecast`` (the pipeline step) and ``export_series_csv``
  (``talent forecast export``).

Design choices, and why:

* Every model comes from statsforecast (SeasonalNaive, AutoETS, AutoARIMA, AutoTheta); the only
  arithmetic done here is the equal-weight combination of ETS, ARIMA and Theta and the error measures.
* A forecast run is keyed by its *run month* (the last month of history used), never by the clock, and
  skipped when its inputs are unchanged (a sha256 of the series is stored with it): the same data gives
  the same rows, and a re-run of the pipeline does no work.
* Python writes ``forecast.demand_forecast`` and ``forecast.forecast_accuracy``; dbt reads them as
  source ``forecast`` and builds the marts of the same names (``dbt build --select source:forecast+``).
* DuckDB is open only to read the series and to write the result, never during the backtest.
* The chosen model's MASE is optimistic (the minimum over models on the points it is scored on); the
  nested score of the choice is published beside it, and intervals are calibrated on the backtest.
* Demand counts cannot be negative, so forecasts and interval bounds are clipped at zero whenever the
  history is non-negative; the backtest scores the clipped values, i.e. what is published.

Only this package's public names are re-exported here; statsforecast is imported on first use.
"""

from __future__ import annotations

from talent.forecast.backtest import (
    BACKTEST_HORIZON,
    Evaluation,
    Plan,
    backtest,
    backtest_panel,
    choose,
    evaluate_csv,
    evaluate_series,
    forecast_panel,
    forecast_series,
    plan_for,
    score,
)
from talent.forecast.models import FORECAST_HORIZON, REPORT_HORIZONS
from talent.forecast.nested import NESTED, Calibration, calibrate, nested_selection
from talent.forecast.pipeline import ForecastRun, compute, ensure_forecast, export_series_csv
from talent.forecast.reconcile import bottom_up_backtest, reconcile
from talent.forecast.series import ForecastError, NoDemandData, Series, build_series, read_series_csv
from talent.forecast.store import METHOD_VERSION, SCHEMA, inputs_sha256, write_tables

__all__ = [
    "BACKTEST_HORIZON",
    "FORECAST_HORIZON",
    "METHOD_VERSION",
    "NESTED",
    "REPORT_HORIZONS",
    "SCHEMA",
    "Calibration",
    "Evaluation",
    "ForecastError",
    "ForecastRun",
    "NoDemandData",
    "Plan",
    "Series",
    "backtest",
    "backtest_panel",
    "bottom_up_backtest",
    "build_series",
    "calibrate",
    "choose",
    "compute",
    "ensure_forecast",
    "evaluate_csv",
    "evaluate_series",
    "export_series_csv",
    "forecast_panel",
    "forecast_series",
    "inputs_sha256",
    "nested_selection",
    "plan_for",
    "read_series_csv",
    "reconcile",
    "score",
    "write_tables",
]
