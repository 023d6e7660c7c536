"""From forecast workload to officers per station, and fixed-total reallocation.

Three standard, citable models:

* **Workload-based staffing** (Wilson & Weiss 2012, COPS Office): officer-hours
  on calls (calls × handling hours × officers per call), divided by the share of
  time an officer should spend on calls (the rest is proactive and community
  work), divided by the hours an officer is actually available in a year
  (after leave, training, court: the shift relief factor).
* **Queueing** (M/M/c, Erlang C; Kolesar & Green 1998 square-root staffing):
  the smallest number of units on duty so that a call waits for a free unit
  with at most a target probability, per hour of the week.
* **Fixed-total allocation** ("improvement without growth", 无增长改善;
  moving officers from headquarters to stations, 警力下沉): integer
  allocations that minimise the largest load per officer, the unmet workload
  or the total expected delay, subject to per-station minimums, solved exactly
  (PCAM-style marginal analysis, Chaiken & Dormont 1978).

All functions take plain DataFrames/Series (station-indexed) so that any
forecast, not only :mod:`jingwu.forecast`, can feed them.  The planning
helpers turn a daily forecast into yearly workload: :func:`jingwu.forecast.station_forecast`
(notebook 01's saved quantiles, or a fresh forecast), :func:`horizon_total`
(the planning quantile of the whole horizon, not the sum of daily quantiles,
with :func:`error_correlation`), :func:`seasonal_index` (a January forecast
is not a year) and :func:`category_workload` (the station's incident mix, for
per-category handling times).

Examples
--------
>>> p = StaffingParams(committed_share=1/3, available_hours=1662)
>>> round(officers_needed(20_000 * 0.75 * 1.5, p), 1)   # Wilson & Weiss worked example
40.6
"""

from __future__ import annotations

from .equity import EQUITY_LABELS, EquityMetrics, before_after, equity_metrics, gini
from .optimise import (
    minimal_transfers,
    reallocate,
    reallocate_need,
    sink_scenarios,
)
from .planning import error_correlation, horizon_total, seasonal_index
from .queueing import (
    erlang_c,
    mean_wait,
    prob_wait_exceeds,
    servers_for_target,
    shift_staffing,
    shift_summary,
    square_root_staffing,
)
from .staffing import (
    DEFAULT_HANDLING_MINUTES,
    PARAM_LABELS,
    StaffingParams,
    category_hours,
    category_workload,
    need_sensitivity,
    officers_needed,
    station_minimums,
    team_split,
    workload_staffing,
)

__all__ = [
    "StaffingParams",
    "PARAM_LABELS",
    "DEFAULT_HANDLING_MINUTES",
    "officers_needed",
    "workload_staffing",
    "category_workload",
    "category_hours",
    "need_sensitivity",
    "station_minimums",
    "team_split",
    "erlang_c",
    "mean_wait",
    "prob_wait_exceeds",
    "servers_for_target",
    "square_root_staffing",
    "shift_staffing",
    "shift_summary",
    "reallocate",
    "reallocate_need",
    "sink_scenarios",
    "gini",
    "equity_metrics",
    "EquityMetrics",
    "EQUITY_LABELS",
    "before_after",
    "minimal_transfers",
    "error_correlation",
    "horizon_total",
    "seasonal_index",
]
