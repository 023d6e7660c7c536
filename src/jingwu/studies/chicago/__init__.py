"""The Chicago case study (notebook 05): panels, specifications, tables.

(Formerly ``jingwu.chicago``; that name still imports this module.)

The case study asks what the opening of Strategic Decision Support Centers
(SDSC) in Chicago's police districts did to public sentiment (Police Sentiment
Scores, 2017-11 onwards) and to reported crime, and checks the suite's
forecasting and clustering on the same districts.  The estimators live in
:mod:`jingwu.effects` and :mod:`jingwu.forecast`; this module only shapes the
data and collects results, so that every choice is written down once:

* **Districts whose SDSC opened before the survey began** (the six 2017
  adopters 006, 007, 009, 010, 011, 015 under either dating) have no
  pre-period in the sentiment data.  :func:`sentiment_panel` drops them by
  default (``already_treated="drop"``); ``already_treated="control"`` keeps
  them as comparison units, which is valid only if their effect no longer
  changed after the survey began.  In the crime data every cohort has a long
  pre-period and all districts are kept.
* **Crime** is analysed as log monthly reported crimes with each district's
  own calendar-month pattern removed (estimated on pre-SDSC years), so
  effects are in log points; :func:`log_to_percent` turns them into percent.
* **Inference with few clusters.**  :func:`estimate` reports, next to the
  analytic standard errors, the wild cluster restricted bootstrap p-value of
  the static TWFE coefficient (Webb weights by default).

The package, by concern: ``panels`` (the SDSC roll-out; sentiment, crime and
placebo panels), ``estimation`` (estimates side by side, robustness, event
studies, the two datings, percent effects), ``hierarchy`` (district forecast
evaluation by level; general, bound for :mod:`jingwu.forecast`) and
``tables`` (the summary table).

Examples
--------
>>> import jingwu as jw
>>> from jingwu.studies import chicago
>>> chi = jw.datasets.load_chicago()
>>> panel = chicago.sentiment_panel(chi)
>>> panel["station_id"].nunique(), sorted(panel.attrs["already_treated"])[:2]
(16, ['006', '007'])
"""

from __future__ import annotations

from ._common import ESTIMATORS, SURVEY_START
from .estimation import compare_datings, estimate, event_studies, log_to_percent, robustness_table, to_percent
from .hierarchy import accuracy_by_level, node_levels, reconcile_backtest
from .panels import adoption_table, crime_panel, placebo_panel, plot_rollout, sentiment_panel
from .tables import glance_table

__all__ = [
    "SURVEY_START",
    "ESTIMATORS",
    "adoption_table",
    "sentiment_panel",
    "crime_panel",
    "placebo_panel",
    "estimate",
    "robustness_table",
    "event_studies",
    "compare_datings",
    "log_to_percent",
    "to_percent",
    "node_levels",
    "reconcile_backtest",
    "accuracy_by_level",
    "glance_table",
    "plot_rollout",
]
