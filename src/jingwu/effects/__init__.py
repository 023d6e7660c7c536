"""Staggered-adoption difference-in-differences: estimators, event studies, diagnostics.

The API follows R ``did`` and ``pyfixest``: every function takes a long panel
``data`` and the column names ``(yname, idname, tname, gname)``.

Conventions (stated here once)
------------------------------
* **Never treated.**  ``gname`` holds the first treated period.  Units that
  are never treated may be coded ``0`` (R ``did``) or missing (``NaN``/``NaT``
  -- the jingwu ``stations.adoption_month`` convention); both are converted at
  the boundary.  Cohorts adopting after the last observed period count as
  never treated, and units already treated in the first period are dropped
  with a warning (as in R ``did``).
* **Time.**  ``tname`` is integer (e.g. years) or a pandas ``Period`` column
  (e.g. months, ``freq="M"``); ``gname`` must then be a Period column of the
  same frequency (datetimes are converted to monthly Periods).  Periods are
  turned into consecutive integers internally, so event times are counted in
  periods, and converted back in every output frame.
* **Panels.** :func:`att_gt` balances the panel as R ``did`` does with
  ``panel=TRUE`` (units missing a period are dropped with a warning and listed
  in ``result.panel.dropped``); with ``allow_unbalanced_panel=True`` it keeps
  every observation (R ``did``'s repeated-cross-section estimators, SEs
  clustered on the unit), and ``panel=False`` reads repeated cross sections;
  :func:`imputation` and :func:`sun_abraham` use every observation of an
  unbalanced panel.
* **Rates and weights.**  Outcomes such as the clearance rate (cleared /
  cases) or a satisfaction share (yes / respondents) are analysed as given;
  pass the denominator as ``weightsname`` (e.g. ``"cases"`` or
  ``"satisfaction_n"``) to weight units by it.  R ``did`` needs unit-level
  weights, so time-varying weights are averaged within unit.  Estimates are
  in the outcome's units: multiply a share's ATT and SE by 100 to report
  percentage points (the caller's job; nothing here rescales).
* **Inference.**  Analytic influence-function SEs by default; multiplier
  bootstrap with uniform bands when ``bstrap=True`` (``n_boot`` draws,
  deterministic given ``seed``); confidence via ``alpha``, clustering via
  ``cluster``.  Options after the column names are keyword-only; the old
  spellings (``alp``, ``biters``/``B``, ``random_state``, ``clustervars``,
  ``treatname``) still work for one release with a ``DeprecationWarning``.
* **Results.**  Every function returns an object with ``.to_frame()``,
  ``.summary()`` (a printable string) and ``.plot(ax=None)``; the tests and
  sensitivity analyses return :class:`PretrendResult`,
  :class:`WildBootstrapResult` and :class:`HonestDiDResult` (their old dict or
  DataFrame-with-``.attrs`` access works for one release, with a
  ``DeprecationWarning``).

Contents
--------
:func:`att_gt` (Callaway & Sant'Anna) and ``.aggregate()``;
:func:`twfe`, :func:`wild_cluster_bootstrap`, :func:`bacon_decomposition`;
:func:`sun_abraham`, :func:`imputation` (Borusyak, Jaravel & Spiess);
:func:`event_study`, :func:`plot_event_studies`;
:func:`pretrend_test` (wild cluster bootstrap of the Wald statistic with few clusters,
small-sample F, chi2), :func:`honest_did` (Rambachan &
Roth, ported from R HonestDiD), :func:`wild_score_bootstrap` (few-cluster p-values for
CS aggregates and the imputation estimator);
study helpers for the suite's station panel: :func:`outcome_panel`,
:func:`naive_before_after`, :func:`compare_estimators`, :func:`subgroup_effects`,
:func:`truth_effects`, :func:`bacon_summary`.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from jingwu import effects
>>> months = pd.period_range("2023-01", periods=6, freq="M")
>>> df = pd.DataFrame([(s, m) for s in range(12) for m in months], columns=["station_id", "month"])
>>> adopt = {0: "2023-03", 1: "2023-05"}
>>> df["adoption_month"] = pd.PeriodIndex([adopt.get(s % 3, None) for s in df["station_id"]], freq="M")
>>> df["y"] = df["station_id"] + 0.1 * df["month"].dt.month + 2.0 * (df["month"] >= df["adoption_month"])
>>> res = effects.att_gt(df, "y", "station_id", "month", "adoption_month")
>>> res.to_frame()["group"].iloc[0]
Period('2023-03', 'M')
>>> round(res.aggregate("simple").overall_att, 6)
2.0
"""

from ._cs import AggregateResult, ATTGTResult, att_gt
from ._diagnostics import honest_did, pretrend_test, wild_score_bootstrap
from ._event import ImputationResult, event_study, imputation, sun_abraham
from ._plot import plot_bacon, plot_event_studies
from ._results import HonestDiDResult, PretrendResult, WildBootstrapResult
from ._study import bacon_summary, compare_estimators, naive_before_after, subgroup_effects
from ._twfe import TWFEResult, bacon_decomposition, twfe, wild_cluster_bootstrap

__all__ = [
    "att_gt",
    "ATTGTResult",
    "AggregateResult",
    "twfe",
    "TWFEResult",
    "wild_cluster_bootstrap",
    "bacon_decomposition",
    "imputation",
    "ImputationResult",
    "sun_abraham",
    "event_study",
    "plot_event_studies",
    "pretrend_test",
    "honest_did",
    "wild_score_bootstrap",
    "plot_bacon",
    "PretrendResult",
    "WildBootstrapResult",
    "HonestDiDResult",
    "OUTCOMES",
    "outcome_panel",
    "outcome_label",
    "naive_before_after",
    "compare_estimators",
    "subgroup_effects",
    "truth_effects",
    "scale_effects",
    "bacon_summary",
]


def __getattr__(name: str) -> object:
    # The M-city helpers moved to jingwu.studies.m_city; their old names resolve on first use,
    # so importing jingwu.effects never loads the studies layer.
    from . import _study

    try:
        return getattr(_study, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
