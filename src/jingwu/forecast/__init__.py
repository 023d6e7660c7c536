"""Demand forecasting: backtests, a model zoo, calibrated intervals, hierarchies, shift profiles.

Data come in the forecasting ecosystem's long format (``unique_id``, ``ds``,
``y``; rename with ``id_col``, ``time_col``, ``target_col``), at daily,
weekly or monthly frequency, any number of series.

- :func:`backtest` — rolling-origin evaluation (MASE, RMSSE, sMAPE, bias,
  coverage, Winkler and pinball), per model, horizon step or step band, series.
- :func:`forecast` — point forecasts with conformal intervals calibrated per
  horizon step (:mod:`~jingwu.forecast.conformal`); ``model="auto"`` takes
  the winner on the older backtest windows, calibrates its intervals on the
  newer ones and refits only it.
- :func:`reconcile` — station → district → city coherent forecasts
  (bottom-up, OLS, MinT-shrink) with intervals re-derived from reconciled
  sample paths (window levels widened to a new window's,
  :func:`widen_window_levels`); :func:`summing_matrix`, :func:`aggregate_hierarchy`.
- ``engine=`` — run on Dask, Ray or Spark (:mod:`~jingwu.forecast.engine`).
- :func:`hour_of_week_profile` — 168 hourly shares per station or category.
- :mod:`~jingwu.forecast.metrics` — the metric functions.

Models: ``snaive`` (the benchmark), ``naive``, ``ets``, ``arima``, ``mstl``,
``theta`` (statsforecast), ``gbm`` (a global scikit-learn
HistGradientBoosting model with calendar, lag and Chinese-holiday features),
``lgbm`` (the same global model with LightGBM as the booster) and
``ensemble`` (mean or median of the others).  :data:`DEFAULT_MODELS` (seasonal naive
and ``lgbm``; ``model="auto"`` picks between them) is the set chosen by the
evidence in ``benchmarks/forecast_default.py``; :data:`ZOO_MODELS` is the full zoo.

Examples
--------
>>> import numpy as np, pandas as pd
>>> import jingwu as jw
>>> rng = np.random.default_rng(0)
>>> ds = pd.date_range("2024-01-01", periods=56)
>>> d = pd.DataFrame({"unique_id": "S01", "ds": ds, "y": rng.poisson(10 + 4 * (ds.dayofweek >= 5))})
>>> bt = jw.forecast.backtest(d, h=7, n_windows=2, models=["snaive", "naive"])
>>> bt.summary()[["model", "mase"]].shape
(2, 2)
"""

from __future__ import annotations

from . import conformal, engine, metrics
from ._data import FreqInfo, freq_info, prepare
from .evaluate import (
    DEFAULT_MODELS,
    FAST_MODELS,
    ZOO_MODELS,
    BacktestResult,
    backtest,
    forecast,
    plot_backtest,
    plot_forecast,
)
from .handoff import FORECAST_TABLE, station_forecast
from .hierarchy import (
    aggregate_hierarchy,
    coherence_error,
    reconcile,
    shrunk_covariance,
    summing_matrix,
    widen_window_levels,
)
from .levels import accuracy_by_level, node_levels, reconcile_backtest
from .models import MODELS, GlobalGBM, calendar_features
from .profile import hour_of_week_profile

__all__ = [
    "DEFAULT_MODELS",
    "FAST_MODELS",
    "MODELS",
    "ZOO_MODELS",
    "conformal",
    "engine",
    "BacktestResult",
    "FreqInfo",
    "GlobalGBM",
    "aggregate_hierarchy",
    "backtest",
    "calendar_features",
    "coherence_error",
    "forecast",
    "freq_info",
    "hour_of_week_profile",
    "metrics",
    "plot_backtest",
    "plot_forecast",
    "prepare",
    "reconcile",
    "shrunk_covariance",
    "summing_matrix",
    "station_forecast",
    "FORECAST_TABLE",
    "widen_window_levels",
    "accuracy_by_level",
    "node_levels",
    "reconcile_backtest",
]
