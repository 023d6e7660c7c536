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

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..datasets import Chicago
from ..errors import DataError
from ..schema import require_columns

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

#: First month of the Police Sentiment Scores.
SURVEY_START = pd.Period("2017-11", "M")
#: Estimators reported by :func:`estimate`, in order.
ESTIMATORS: tuple[str, ...] = ("cs", "imputation", "twfe")

_ID, _T, _G = "station_id", "month", "adoption_month"


# --------------------------------------------------------------------------- helpers
def _check_chicago(chi: Any, name: str = "chi") -> None:
    if not isinstance(chi, Chicago):
        raise ValueError(
            f"{name} must be a Chicago dataset (jw.datasets.load_chicago()), not {type(chi).__name__}"
        )


def _month(value: Any, name: str) -> pd.Period:
    try:
        out = pd.Period(value, freq="M")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name} must be a month like '2020-02', got {value!r}") from exc
    if pd.isna(out):
        raise ValueError(f"{name} must be a month like '2020-02', got {value!r}")
    return out


def _ordinals(s: pd.Series) -> np.ndarray:
    """Period (or numeric) column -> float ordinals, NaN where missing."""
    if isinstance(s.dtype, pd.PeriodDtype):
        out = np.full(len(s), np.nan)
        ok = s.notna().to_numpy()
        out[ok] = s[ok].array.asi8.astype(float)
        return out
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)


def _cohort_label(adoption: pd.Series) -> pd.Series:
    year = adoption.dt.year
    return year.astype("Int64").astype(str).where(adoption.notna(), "never")


def _p_normal(att: float, se: float) -> float:
    """Two-sided normal p-value (NaN when the SE is zero or missing)."""
    return float(2 * stats.norm.sf(abs(att) / se)) if np.isfinite(se) and se > 0 else float("nan")


def _renamed(old: Any, old_name: str, new: Any, new_name: str) -> Any:
    """The value of a renamed keyword: the old spelling still works for a release, with a warning."""
    if old is None:
        return new
    warnings.warn(
        f"{old_name}= is deprecated; use {new_name}= (the suite's one spelling)",
        DeprecationWarning,
        stacklevel=3,
    )
    return old


def _require(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    require_columns(df, columns, what=what, file=what)


# --------------------------------------------------------------------------- the roll-out
def adoption_table(
    best: Chicago, conservative: Chicago, *, survey_start: str | pd.Period = SURVEY_START
) -> pd.DataFrame:
    """SDSC opening per district under both datings, and its role in the sentiment design.

    Parameters
    ----------
    best, conservative : Chicago
        ``load_chicago(dating="best")`` and ``load_chicago(dating="conservative")``.
    survey_start : month
        First month of the sentiment survey.

    Returns
    -------
    DataFrame
        One row per district: ``station_id, station_name, area, cohort, best,
        conservative, gap_months`` (conservative minus best), ``month_named``
        (a source names the best month), ``sentiment_role`` and ``sources``.
        ``sentiment_role`` is ``"never treated"``, ``"treated in window"``,
        ``"opened before survey"`` (dropped from the main sentiment design) or
        ``"depends on dating"``.

    Examples
    --------
    >>> import jingwu as jw
    >>> t = adoption_table(jw.datasets.load_chicago(), jw.datasets.load_chicago(dating="conservative"))
    >>> t["sentiment_role"].value_counts().to_dict()
    {'treated in window': 15, 'opened before survey': 6, 'never treated': 1}
    """
    _check_chicago(best, "best")
    _check_chicago(conservative, "conservative")
    start = _month(survey_start, "survey_start")
    a = best.adoption.set_index("district")
    b = best.stations.set_index(_ID)[_G].rename("best")
    c = conservative.stations.set_index(_ID)[_G].rename("conservative")
    if set(b.index) != set(c.index):
        raise ValueError("best and conservative datasets hold different districts")
    t = best.stations.set_index(_ID)[["station_name", "district"]].rename(columns={"district": "area"})
    t = t.join(a["cohort"]).join(b).join(c)
    gap = _ordinals(t["conservative"]) - _ordinals(t["best"])
    t["gap_months"] = pd.array(np.where(np.isfinite(gap), gap, np.nan), dtype="Float64").astype("Int64")
    t["month_named"] = a["treat_month_best"].reindex(t.index).notna()
    pre_b = (t["best"] <= start).fillna(False).astype(bool)
    pre_c = (t["conservative"] <= start).fillna(False).astype(bool)
    role = np.where(
        t["best"].isna() & t["conservative"].isna(),
        "never treated",
        np.where(
            pre_b & pre_c,
            "opened before survey",
            np.where(pre_b | pre_c, "depends on dating", "treated in window"),
        ),
    )
    t["sentiment_role"] = role
    t["sources"] = a["source_ids"].reindex(t.index)
    return t.reset_index().sort_values(_ID, kind="stable").reset_index(drop=True)


def plot_rollout(
    table: pd.DataFrame,
    *,
    survey_start: str | pd.Period = SURVEY_START,
    survey_end: str | pd.Period | None = "2023-02",
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Timeline of SDSC openings: best (dot) to conservative (cross) month per district.

    Parameters
    ----------
    table : DataFrame
        From :func:`adoption_table`.
    survey_start, survey_end : month
        The sentiment survey window, shaded.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> t = pd.DataFrame({"station_id": ["001", "016"], "station_name": ["Central", "Jefferson Park"],
    ...                   "best": pd.PeriodIndex(["2020-06", None], freq="M"),
    ...                   "conservative": pd.PeriodIndex(["2020-07", None], freq="M")})
    >>> ax = plot_rollout(t)
    >>> [x.get_text() for x in ax.get_yticklabels()]
    ['001 Central', '016 Jefferson Park']
    >>> matplotlib.pyplot.close("all")
    """
    import matplotlib.pyplot as plt

    _require(table, [_ID, "station_name", "best", "conservative"], "table")
    start = _month(survey_start, "survey_start")
    t = table.copy()
    order = t.assign(_b=_ordinals(t["best"])).sort_values(["_b", _ID], na_position="last")
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.28 * len(t) + 1.5))
    y = np.arange(len(order))[::-1]
    b = order["best"].dt.to_timestamp()
    c = order["conservative"].dt.to_timestamp()
    ax.hlines(y, b, c, color="0.5", lw=1.5)
    ax.plot(b, y, "o", color="C0", label="best dating", ms=5)
    ax.plot(c, y, "x", color="C3", label="conservative dating", ms=6)
    end = _month(survey_end, "survey_end") if survey_end is not None else None
    lo = start.to_timestamp()
    hi = (end + 1).to_timestamp() if end is not None else ax.get_xlim()[1]
    ax.axvspan(lo, hi, color="C2", alpha=0.08, label="sentiment survey")
    ax.axvline(lo, color="C2", lw=0.8)
    never = order["best"].isna() & order["conservative"].isna()
    if never.any():
        ax.plot(
            [lo] * int(never.sum()), y[never.to_numpy()], ">", color="0.3", ms=5, label="no SDSC by 2020-06"
        )
    ax.set_yticks(y, [f"{i} {n}" for i, n in zip(order[_ID], order["station_name"])])
    ax.set_xlabel("month")
    ax.legend(frameon=False, loc="lower right", fontsize=8)
    if title:
        ax.set_title(title)
    return ax


# --------------------------------------------------------------------------- panels
def sentiment_panel(
    chi: Chicago, *, already_treated: str = "drop", end: str | pd.Period | None = None
) -> pd.DataFrame:
    """District × month Police Sentiment Scores with SDSC timing, ready for the DiD.

    Districts whose SDSC opened in or before the survey's first month have no
    pre-period.  ``already_treated="drop"`` (the main design) removes them;
    ``"control"`` keeps them as comparison units (``adoption_month`` set to
    missing, ``already_treated`` True), which assumes their effect was
    already constant when the survey began.

    Parameters
    ----------
    chi : Chicago
        From :func:`jingwu.datasets.load_chicago` (either dating).
    already_treated : {"drop", "control"}
    end : month, optional
        Last month kept (e.g. ``"2020-02"``, before the pandemic); default
        the end of the survey.  Districts opening after ``end`` count as not
        treated in the window.

    Returns
    -------
    DataFrame
        ``station_id, month, trust, safety, adoption_month, cohort,
        already_treated``; ``.attrs["already_treated"]`` lists the districts
        that opened before the survey.

    Examples
    --------
    >>> import jingwu as jw
    >>> chi = jw.datasets.load_chicago()
    >>> p = sentiment_panel(chi, already_treated="control")
    >>> len(p), int(p.loc[p["already_treated"], "station_id"].nunique())
    (1408, 6)
    >>> bool(p.loc[p["already_treated"], "adoption_month"].isna().all())
    True
    """
    _check_chicago(chi)
    if already_treated not in ("drop", "control"):
        raise ValueError(f"already_treated must be 'drop' or 'control', not {already_treated!r}")
    s = chi.panel.dropna(subset=["trust", "safety"])
    if s.empty:
        raise DataError("no sentiment rows", column=["trust", "safety"], expected="Police Sentiment Scores")
    if end is not None:
        last = _month(end, "end")
        s = s[s[_T] <= last]
        if s.empty:
            raise ValueError(f"end {end!r} is before the first survey month {SURVEY_START}")
    first = s[_T].min()
    s = s[[_ID, _T, "trust", "safety", _G]].copy()
    early = (s[_G] <= first).fillna(False).astype(bool)
    pre = sorted(s.loc[early, _ID].unique())
    s["already_treated"] = early.to_numpy()
    if already_treated == "drop":
        s = s[~early]
        s["cohort"] = _cohort_label(s[_G])
    else:
        s["cohort"] = _cohort_label(s[_G]).where(~early, "before survey")
        s[_G] = s[_G].where(~early)
    s = s[[_ID, _T, "trust", "safety", _G, "cohort", "already_treated"]]
    s = s.sort_values([_ID, _T], kind="stable").reset_index(drop=True)
    s.attrs["already_treated"] = pre
    return s


def crime_panel(
    chi: Chicago,
    *,
    start: str | pd.Period = "2012-01",
    end: str | pd.Period | None = None,
    seasonal_reference: tuple[str, str] = ("2012-01", "2016-12"),
) -> pd.DataFrame:
    """District × month reported crimes, logged and seasonally adjusted, with SDSC timing.

    ``log_crimes_sa`` is ``log(crimes)`` minus the district's own
    calendar-month deviation (its mean log crimes in that calendar month less
    its overall mean, over ``seasonal_reference``).  The reference years
    must end before the first SDSC opened, so the adjustment cannot absorb an
    effect.  Effects on it are in log points (:func:`log_to_percent`).

    Parameters
    ----------
    chi : Chicago
    start, end : month
        Window kept (default 2012-01 to the end of the crime data).
    seasonal_reference : (month, month)
        Years on which the seasonal pattern is estimated (all 12 calendar
        months must be present).

    Returns
    -------
    DataFrame
        ``station_id, month, crimes, log_crimes, log_crimes_sa,
        adoption_month, cohort``.

    Examples
    --------
    >>> import jingwu as jw
    >>> p = crime_panel(jw.datasets.load_chicago())
    >>> p["month"].min(), p["month"].max(), p["station_id"].nunique()
    (Period('2012-01', 'M'), Period('2022-01', 'M'), 22)
    """
    _check_chicago(chi)
    lo = _month(start, "start")
    hi = _month(end, "end") if end is not None else None
    if not isinstance(seasonal_reference, (tuple, list)) or len(seasonal_reference) != 2:
        raise ValueError("seasonal_reference must be a (first month, last month) pair")
    r0, r1 = (_month(m, "seasonal_reference") for m in seasonal_reference)
    if r1 < r0:
        raise ValueError(f"seasonal_reference ends before it starts: {seasonal_reference!r}")
    first_open = chi.stations[_G].min()
    if pd.notna(first_open) and r1 >= first_open:
        raise ValueError(f"seasonal_reference must end before the first SDSC opened ({first_open})")
    p = chi.panel.dropna(subset=["incidents"])[[_ID, _T, "incidents", _G]].copy()
    p["crimes"] = p.pop("incidents").astype("int64")
    if (p["crimes"] <= 0).any():
        raise DataError(
            "months with no reported crimes cannot be logged",
            column="incidents",
            expected="positive monthly counts",
        )
    p["log_crimes"] = np.log(p["crimes"].to_numpy(dtype=float))
    moy = p[_T].dt.month
    ref = p[(p[_T] >= r0) & (p[_T] <= r1)]
    seas = ref.groupby([_ID, ref[_T].dt.month])["log_crimes"].mean()
    n_months = seas.groupby(level=0).size()
    if seas.empty or (n_months < 12).any() or set(n_months.index) != set(p[_ID]):
        raise DataError(
            "the seasonal reference does not cover all 12 calendar months for every district",
            column="month",
            expected="a reference of at least one full year",
        )
    seas = seas - seas.groupby(level=0).transform("mean")
    idx = pd.MultiIndex.from_arrays([p[_ID], moy])
    p["log_crimes_sa"] = p["log_crimes"] - seas.reindex(idx).to_numpy()
    p = p[p[_T] >= lo]
    if hi is not None:
        p = p[p[_T] <= hi]
    if p.empty:
        raise ValueError(f"no crime data between {start} and {end}")
    p["cohort"] = _cohort_label(p[_G])
    p = p[[_ID, _T, "crimes", "log_crimes", "log_crimes_sa", _G, "cohort"]]
    return p.sort_values([_ID, _T], kind="stable").reset_index(drop=True)


def placebo_panel(panel: pd.DataFrame, *, leads: int = 12, tname: str = _T, gname: str = _G) -> pd.DataFrame:
    """Untreated observations only, with ``placebo = 1`` in the ``leads`` periods before opening.

    A static TWFE on this frame (``treatname="placebo"``) asks whether
    districts were already drifting before their centre opened; with few
    clusters test it with :func:`jingwu.effects.wild_cluster_bootstrap`.

    Parameters
    ----------
    panel : DataFrame
        Long panel with ``tname`` and ``gname`` (never treated: missing).
    leads : int
        Pre-periods flagged.

    Returns
    -------
    DataFrame
        The rows of never-treated units and of treated units before they
        open, plus ``placebo`` (0/1).

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.period_range("2020-01", periods=4, freq="M")
    >>> df = pd.DataFrame({"station_id": ["a"] * 4 + ["b"] * 4, "month": list(m) * 2,
    ...                    "adoption_month": pd.PeriodIndex(["2020-03"] * 4 + [None] * 4, freq="M")})
    >>> placebo_panel(df, leads=1)["placebo"].tolist()
    [0, 1, 0, 0, 0, 0]
    """
    _require(panel, [tname, gname], "panel")
    if isinstance(leads, bool) or not isinstance(leads, (int, np.integer)) or leads < 1:
        raise ValueError(f"leads must be a positive integer, got {leads!r}")
    t = _ordinals(panel[tname])
    g = _ordinals(panel[gname])
    if not isinstance(panel[gname].dtype, pd.PeriodDtype):
        g = np.where(g == 0, np.nan, g)
    never = np.isnan(g)
    keep = never | (t < g)
    out = panel[keep].copy()
    gk, tk = g[keep], t[keep]
    out["placebo"] = ((~np.isnan(gk)) & (tk >= gk - leads)).astype(int)
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- estimation
def estimate(
    panel: pd.DataFrame,
    yname: str,
    *,
    control_group: str = "notyettreated",
    estimators: Sequence[str] = ESTIMATORS,
    n_boot: int = 9999,
    weights: str = "webb",
    seed: int = 0,
    alpha: float = 0.05,
    idname: str = _ID,
    tname: str = _T,
    gname: str = _G,
    B: int | None = None,
    alp: float | None = None,
) -> pd.DataFrame:
    """Static (overall) effect of adoption by several estimators, one row each.

    ``cs``: Callaway & Sant'Anna, simple aggregation of ATT(g,t) (comparison
    ``control_group``); ``imputation``: Borusyak, Jaravel & Spiess (not-yet
    and never treated); ``twfe``: static two-way fixed effects, with the wild
    cluster restricted bootstrap p-value (clusters = units, ``weights``
    Webb or Rademacher, ``B`` draws).  With around 20 clusters the analytic
    standard errors are unreliable; ``p_wild`` is the p-value to quote for
    TWFE.

    Parameters
    ----------
    panel : DataFrame
        Balanced long panel (never treated: missing ``gname``).
    yname : str
        Outcome column.
    control_group : {"notyettreated", "nevertreated"}
        For ``cs``.
    estimators : sequence of {"cs", "imputation", "twfe"}
    n_boot, weights, seed : wild cluster bootstrap draws, weights and seed.
    alpha : float
        1 - confidence level.
    B, alp : deprecated spellings of ``n_boot`` and ``alpha`` (they warn).

    Returns
    -------
    DataFrame
        ``estimator, att, se, ci_lower, ci_upper, p_value`` (analytic),
        ``p_wild`` (TWFE only), ``n_units, n_treated``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> m = pd.period_range("2020-01", periods=6, freq="M")
    >>> df = pd.DataFrame([(f"{i:03d}", t) for i in range(8) for t in m], columns=["station_id", "month"])
    >>> first = {0: "2020-03", 1: "2020-03", 2: "2020-05", 3: "2020-05"}
    >>> df["adoption_month"] = pd.PeriodIndex([first.get(int(i) % 4 if int(i) < 4 else 9)
    ...                                         for i in df["station_id"]], freq="M")
    >>> noise = np.random.default_rng(0).normal(0, 0.01, len(df))
    >>> df["y"] = df["station_id"].astype(int) + 2.0 * (df["month"] >= df["adoption_month"]) + noise
    >>> out = estimate(df, "y", n_boot=99)
    >>> out[["estimator", "att"]].round(1).values.tolist()
    [['cs', 2.0], ['imputation', 2.0], ['twfe', 2.0]]
    """
    from .. import effects as ef

    n_boot = _renamed(B, "B", n_boot, "n_boot")
    alpha = _renamed(alp, "alp", alpha, "alpha")
    _require(panel, [idname, tname, gname, yname], "panel")
    bad = [e for e in estimators if e not in ESTIMATORS]
    if bad or not estimators:
        raise ValueError(f"estimators must be among {ESTIMATORS}, got {list(estimators)!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    z = stats.norm.ppf(1 - alpha / 2)
    g = _ordinals(panel[gname])
    t = _ordinals(panel[tname])
    treated_rows = np.isfinite(g) & (g <= np.nanmax(t))
    n_units = int(panel[idname].nunique())
    n_treated = int(panel.loc[treated_rows, idname].nunique())
    rows = []
    for est in estimators:
        if est == "cs":
            res = ef.att_gt(panel, yname, idname, tname, gname, control_group=control_group, alp=alpha)
            agg = res.aggregate("simple")
            att, se = agg.overall_att, agg.overall_se
            rows.append(
                dict(
                    estimator="cs",
                    att=att,
                    se=se,
                    ci_lower=att - z * se,
                    ci_upper=att + z * se,
                    p_value=_p_normal(att, se),
                    p_wild=np.nan,
                )
            )
        elif est == "imputation":
            res = ef.imputation(panel, yname, idname, tname, gname, alp=alpha, horizons=[0])
            att, se = res.overall_att, res.overall_se
            rows.append(
                dict(
                    estimator="imputation",
                    att=att,
                    se=se,
                    ci_lower=att - z * se,
                    ci_upper=att + z * se,
                    p_value=_p_normal(att, se),
                    p_wild=np.nan,
                )
            )
        else:
            tw = ef.twfe(panel, yname, idname, tname, gname=gname, alp=alpha)
            wb = ef.wild_cluster_bootstrap(
                panel, yname, idname, tname, gname=gname, B=n_boot, weights=weights, random_state=seed
            )
            rows.append(
                dict(
                    estimator="twfe",
                    att=tw.coef,
                    se=tw.se,
                    ci_lower=tw.ci_lower,
                    ci_upper=tw.ci_upper,
                    p_value=tw.p_value,
                    p_wild=wb["p_value"],
                )
            )
    out = pd.DataFrame(rows)
    out["n_units"] = n_units
    out["n_treated"] = n_treated
    return out


def robustness_table(
    panels: Mapping[str, pd.DataFrame],
    yname: str,
    *,
    control_groups: Mapping[str, str] | None = None,
    estimators: Mapping[str, Sequence[str]] | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """:func:`estimate` on several specifications, stacked with a ``spec`` column.

    Parameters
    ----------
    panels : mapping
        Specification name -> panel.
    yname : str
    control_groups : mapping, optional
        Specification -> ``control_group`` (default ``"notyettreated"``).
    estimators : mapping, optional
        Specification -> estimators to run (default all).
    **kwargs
        Passed to :func:`estimate` (``n_boot``, ``weights``, ``seed``, ...).

    Returns
    -------
    DataFrame
        ``spec`` followed by the columns of :func:`estimate`, in the order given.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.period_range("2020-01", periods=4, freq="M")
    >>> df = pd.DataFrame([(f"{i}", t) for i in range(6) for t in m], columns=["station_id", "month"])
    >>> df["adoption_month"] = pd.PeriodIndex(["2020-03" if i in "012" else None for i in df["station_id"]],
    ...                                       freq="M")
    >>> df["y"] = (df["station_id"].astype(int) + 1.0 * (df["month"] >= df["adoption_month"])
    ...            + 0.1 * df.index % 3)
    >>> t = robustness_table({"main": df, "never": df}, "y", control_groups={"never": "nevertreated"},
    ...                      estimators={"never": ["cs"]}, n_boot=99)
    >>> t[["spec", "estimator"]].values.tolist()
    [['main', 'cs'], ['main', 'imputation'], ['main', 'twfe'], ['never', 'cs']]
    """
    if not isinstance(panels, Mapping) or not panels:
        raise ValueError("panels must be a non-empty mapping of specification name -> panel")
    control_groups = dict(control_groups or {})
    estimators = dict(estimators or {})
    unknown = (set(control_groups) | set(estimators)) - set(panels)
    if unknown:
        raise ValueError(f"settings for unknown specifications {sorted(unknown)}")
    frames = []
    for name, panel in panels.items():
        res = estimate(
            panel,
            yname,
            control_group=control_groups.get(name, "notyettreated"),
            estimators=estimators.get(name, ESTIMATORS),
            **kwargs,
        )
        frames.append(res.assign(spec=name))
    out = pd.concat(frames, ignore_index=True)
    return out[["spec", *[c for c in out.columns if c != "spec"]]]


def event_studies(
    panel: pd.DataFrame,
    yname: str,
    *,
    window: tuple[int, int] = (-12, 24),
    estimators: Sequence[str] = ("cs", "sa", "imputation"),
    control_group: str = "notyettreated",
    idname: str = _ID,
    tname: str = _T,
    gname: str = _G,
) -> pd.DataFrame:
    """Event studies of several estimators in one tidy frame, cut to ``window``.

    ``cs`` uses ``control_group`` and a universal base period (e = -1);
    ``sa`` (Sun & Abraham) compares with never-treated units; ``imputation``
    reports BJS pre-trend coefficients for the pre-periods.  All are
    normalised to zero (or, for imputation, tested against zero) before
    opening.

    Parameters
    ----------
    panel : DataFrame
    yname : str
    window : (int, int)
        First and last event time kept (months relative to opening).
    estimators : sequence of {"cs", "sa", "imputation", "twfe"}
    control_group : str
        For ``cs``.

    Returns
    -------
    DataFrame
        ``estimator, event_time, att, se, ci_lower, ci_upper``.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.period_range("2020-01", periods=6, freq="M")
    >>> df = pd.DataFrame([(f"{i}", t) for i in range(6) for t in m], columns=["station_id", "month"])
    >>> first = {"0": "2020-03", "1": "2020-04"}
    >>> df["adoption_month"] = pd.PeriodIndex([first.get(i) for i in df["station_id"]], freq="M")
    >>> df["y"] = df["station_id"].astype(int) + 1.0 * (df["month"] >= df["adoption_month"])
    >>> es = event_studies(df, "y", window=(-2, 1))
    >>> sorted(es["estimator"].unique()), int(es["event_time"].min()), int(es["event_time"].max())
    (['cs', 'imputation', 'sa'], -2, 1)
    """
    from .. import effects as ef

    _require(panel, [idname, tname, gname, yname], "panel")
    lo, hi = window
    if not (isinstance(lo, (int, np.integer)) and isinstance(hi, (int, np.integer)) and lo < 0 <= hi):
        raise ValueError(f"window must be (negative int, non-negative int), got {window!r}")
    frames = []
    for est in estimators:
        kw: dict[str, Any] = {}
        if est == "cs":
            kw = {"control_group": control_group}
        elif est == "imputation":
            kw = {"pretrends": -int(lo), "horizons": list(range(0, int(hi) + 1))}
        frames.append(ef.event_study(panel, yname, idname, tname, gname, estimator=est, **kw))
    out = pd.concat(frames, ignore_index=True)
    out = out[(out["event_time"] >= lo) & (out["event_time"] <= hi) & out["att"].notna()]
    return out.reset_index(drop=True)


def compare_datings(
    best: pd.DataFrame, conservative: pd.DataFrame, *, keys: Sequence[str] = ("outcome", "estimator")
) -> pd.DataFrame:
    """Estimates under the best and the conservative SDSC dating, side by side.

    Parameters
    ----------
    best, conservative : DataFrame
        Estimates (e.g. from :func:`estimate`, with an ``outcome`` column)
        holding ``keys`` and ``att, ci_lower, ci_upper`` (``p_wild`` if present).
    keys : sequence of str
        Columns that identify a row in both.

    Returns
    -------
    DataFrame
        ``keys``, then ``att_best, ci_lower_best, ci_upper_best,
        att_conservative, ...`` and ``difference`` (conservative - best).

    Examples
    --------
    >>> import pandas as pd
    >>> b = pd.DataFrame({"outcome": ["trust"], "estimator": ["cs"], "att": [-1.0],
    ...                   "ci_lower": [-2.0], "ci_upper": [0.0]})
    >>> c = b.assign(att=-1.5, ci_lower=-2.6, ci_upper=-0.4)
    >>> compare_datings(b, c)[["att_best", "att_conservative", "difference"]].values.tolist()
    [[-1.0, -1.5, -0.5]]
    """
    keys = list(keys)
    cols = ["att", "ci_lower", "ci_upper"]
    _require(best, keys + cols, "best")
    _require(conservative, keys + cols, "conservative")
    for name, df in (("best", best), ("conservative", conservative)):
        if df.duplicated(keys).any():
            raise ValueError(f"{name} has more than one row per {keys}")
    extra = [c for c in ("p_wild",) if c in best.columns and c in conservative.columns]
    b = best[keys + cols + extra].rename(columns={c: f"{c}_best" for c in cols + extra})
    c = conservative[keys + cols + extra].rename(columns={c: f"{c}_conservative" for c in cols + extra})
    out = b.merge(c, on=keys, how="outer", sort=False)
    order = pd.MultiIndex.from_frame(best[keys]).append(pd.MultiIndex.from_frame(conservative[keys])).unique()
    out = out.set_index(keys).reindex(order).reset_index()
    out["difference"] = out["att_conservative"] - out["att_best"]
    return out


def log_to_percent(x: Any) -> Any:
    """Effect in log points -> percent change, ``100 * (exp(x) - 1)``.

    Examples
    --------
    >>> round(log_to_percent(-0.1), 3)
    -9.516
    """
    if isinstance(x, (pd.Series, pd.DataFrame)):
        return 100 * np.expm1(x)
    arr = np.asarray(x, dtype=float)
    out = 100 * np.expm1(arr)
    return float(out) if out.ndim == 0 else out


def to_percent(frame: pd.DataFrame, columns: Sequence[str] = ("att", "ci_lower", "ci_upper")) -> pd.DataFrame:
    """Copy of an estimates frame with log-point ``columns`` in percent (``se`` by the delta method).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"att": [0.0], "se": [0.01], "ci_lower": [-0.0196], "ci_upper": [0.0196]})
    >>> to_percent(f).round(2).values.tolist()
    [[0.0, 1.0, -1.94, 1.98]]
    """
    _require(frame, list(columns), "frame")
    out = frame.copy()
    if "se" in out.columns and "att" in out.columns:
        out["se"] = 100 * np.exp(out["att"].astype(float)) * out["se"].astype(float)
    for c in columns:
        out[c] = log_to_percent(out[c].astype(float))
    return out


# --------------------------------------------------------------------------- forecasting
def node_levels(S: pd.DataFrame, names: tuple[str, str, str] = ("city", "area", "district")) -> pd.Series:
    """Level of every node of a summing matrix: total, middle level or bottom series.

    Examples
    --------
    >>> import pandas as pd
    >>> from jingwu.forecast import summing_matrix
    >>> g = pd.DataFrame({"station_id": ["001", "002", "003"], "district": ["a1", "a1", "a2"]})
    >>> node_levels(summing_matrix(g, ["district"], "station_id", total="city")).tolist()
    ['city', 'area', 'area', 'district', 'district', 'district']
    """
    if not isinstance(S, pd.DataFrame) or S.empty:
        raise ValueError("S must be a non-empty summing matrix (DataFrame)")
    if len(names) != 3:
        raise ValueError("names must give three level names (total, middle, bottom)")
    total, middle, bottom = names
    full = (S.to_numpy() == 1).all(axis=1)
    lev = np.where(S.index.isin(S.columns), bottom, np.where(full, total, middle))
    return pd.Series(lev, index=S.index, name="level")


def reconcile_backtest(
    bt: Any, S: pd.DataFrame, model: str, methods: Sequence[str] = ("bottom_up", "mint_shrink")
) -> Any:
    """Reconcile every backtest window's forecasts of ``model``, out of sample.

    MinT's error covariance for a window comes from the *other* windows'
    errors (its own when there is a single window), so the accuracy of the
    reconciled forecasts is measured on data the reconciliation did not see.
    Interval bounds shift with the point forecast.

    Parameters
    ----------
    bt : BacktestResult
        A backtest of every node of ``S``.
    S : DataFrame
        Summing matrix (:func:`jingwu.forecast.summing_matrix`).
    model : str
        The model whose forecasts are reconciled.
    methods : sequence of {"bottom_up", "ols", "mint_shrink"}

    Returns
    -------
    BacktestResult
        With models ``snaive``, ``model`` and ``<model>_<method>``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import jingwu as jw
    >>> g = pd.DataFrame({"station_id": ["a", "b"], "district": ["D", "D"]})
    >>> S = jw.forecast.summing_matrix(g, ["district"], "station_id", total=None)
    >>> ds = pd.date_range("2024-01-01", periods=42)
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"station_id": np.repeat(["a", "b"], 42), "date": np.tile(ds, 2),
    ...                   "count": rng.poisson(9, 84)})
    >>> nodes = jw.forecast.aggregate_hierarchy(d, S, id_col="station_id", time_col="date",
    ...                                         target_col="count")
    >>> bt = jw.forecast.backtest(nodes, h=7, n_windows=2, models=["naive"], id_col="station_id",
    ...                           time_col="date", target_col="count")
    >>> rec = reconcile_backtest(bt, S, "naive", methods=["bottom_up"])
    >>> rec.models
    ['snaive', 'naive', 'naive_bottom_up']
    """
    from ..forecast import BacktestResult, reconcile

    if model not in getattr(bt, "models", []):
        raise ValueError(f"model {model!r} is not in the backtest (models {getattr(bt, 'models', None)})")
    bad = [m for m in methods if m not in ("bottom_up", "ols", "mint_shrink")]
    if bad or not methods:
        raise ValueError(f"methods must be among 'bottom_up', 'ols', 'mint_shrink', got {list(methods)!r}")
    f = bt.forecasts
    base = f[f["model"] == model]
    frames = [f[f["model"].isin(["snaive", model])]]
    for method in methods:
        for c in bt.cutoffs:
            cur = base[base["cutoff"] == c]
            resid = None
            if method == "mint_shrink":
                other = base[base["cutoff"] != c] if len(bt.cutoffs) > 1 else base
                resid = other.assign(resid=other["y"] - other["yhat"])[["unique_id", "cutoff", "ds", "resid"]]
            rec = reconcile(cur, S, method, residuals=resid)
            frames.append(rec.drop(columns="base").assign(model=f"{model}_{method}")[list(f.columns)])
    models = list(dict.fromkeys(["snaive", model, *[f"{model}_{m}" for m in methods]]))
    out = pd.concat(frames, ignore_index=True)
    return BacktestResult(
        forecasts=out,
        scales=bt.scales,
        cutoffs=bt.cutoffs,
        h=bt.h,
        levels=bt.levels,
        info=bt.info,
        models=models,
        ids=dict(bt.ids),
    )


def accuracy_by_level(
    bt: Any, S: pd.DataFrame, names: tuple[str, str, str] = ("city", "area", "district")
) -> pd.DataFrame:
    """Backtest accuracy per hierarchy level and model, relative to the seasonal naive.

    Metrics are averaged over the series of a level (each series' metrics
    average its windows).

    Returns
    -------
    DataFrame
        ``level, model, mase, mase_vs_snaive, rmsse`` and ``coverage_<L>``
        for each interval level, levels bottom first, models best first.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import jingwu as jw
    >>> g = pd.DataFrame({"station_id": ["a", "b", "c"], "district": ["D1", "D1", "D2"]})
    >>> S = jw.forecast.summing_matrix(g, ["district"], "station_id", total="city")
    >>> ds = pd.date_range("2024-01-01", periods=42)
    >>> d = pd.DataFrame({"station_id": np.repeat(["a", "b", "c"], 42), "date": np.tile(ds, 3),
    ...                   "count": np.random.default_rng(0).poisson(9, 126)})
    >>> nodes = jw.forecast.aggregate_hierarchy(d, S, id_col="station_id", time_col="date",
    ...                                         target_col="count")
    >>> bt = jw.forecast.backtest(nodes, h=7, n_windows=2, models=["naive"], id_col="station_id",
    ...                           time_col="date", target_col="count")
    >>> accuracy_by_level(bt, S)["level"].unique().tolist()
    ['district', 'area', 'city']
    """
    lev = node_levels(S, names)
    per = bt.metrics(["model", "unique_id"])
    per = per[per["unique_id"].isin(lev.index)]
    per["level"] = per["unique_id"].map(lev)
    cov = [c for c in per.columns if c.startswith("coverage_")]
    out = per.groupby(["level", "model"], sort=False)[["mase", "rmsse", *cov]].mean().reset_index()
    snaive = out[out["model"] == "snaive"].set_index("level")["mase"]
    out.insert(3, "mase_vs_snaive", out["mase"] / out["level"].map(snaive))
    order = {n: i for i, n in enumerate(names[::-1])}
    out = out.sort_values(
        ["level", "mase"], key=lambda s: s.map(order) if s.name == "level" else s, kind="stable"
    )
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- summary
def _fmt_ci(att: float, lo: float, hi: float, digits: int) -> str:
    return f"{att:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def glance_table(
    estimates: pd.DataFrame,
    pretrends: pd.DataFrame | None = None,
    *,
    alternatives: Mapping[str, pd.DataFrame] | None = None,
    digits: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Results at a glance: one row per outcome, estimates as text with their intervals.

    Parameters
    ----------
    estimates : DataFrame
        The main specification: columns ``outcome, unit, estimator, att,
        ci_lower, ci_upper, p_wild`` (e.g. :func:`estimate` results stacked
        with an outcome and a unit label; crime already in percent).
    pretrends : DataFrame, optional
        ``outcome`` and any p-value columns (e.g. ``pretrend_wald_p``,
        ``placebo_p_wild``), joined on.
    alternatives : mapping, optional
        Specification label -> estimates frame of the same form; adds the
        ``cs`` estimate of each as a column ``cs [95% CI], <label>``.
    digits : mapping, optional
        Decimals per unit (default 2; 1 for ``"%"``).

    Returns
    -------
    DataFrame
        ``outcome, unit``, one ``<estimator> [95% CI]`` text column per
        estimator, ``twfe_p_wild``, the alternatives and the pre-trend columns.

    Examples
    --------
    >>> import pandas as pd
    >>> e = pd.DataFrame({"outcome": ["trust", "trust"], "unit": ["points", "points"],
    ...                   "estimator": ["cs", "twfe"], "att": [-1.234, -0.5], "ci_lower": [-2.0, -1.5],
    ...                   "ci_upper": [-0.4, 0.5], "p_wild": [float("nan"), 0.31]})
    >>> g = glance_table(e, alternatives={"later dating": e.assign(att=-1.0)})
    >>> g.iloc[0, :4].tolist(), list(g.columns[-1:])
    (['trust', 'points', '-1.23 [-2.00, -0.40]', '-0.50 [-1.50, 0.50]'], ['cs [95% CI], later dating'])
    """
    need = ["outcome", "unit", "estimator", "att", "ci_lower", "ci_upper", "p_wild"]
    _require(estimates, need, "estimates")
    dig = {"%": 1, **dict(digits or {})}

    def texts(frame: pd.DataFrame) -> pd.DataFrame:
        if frame.duplicated(["outcome", "estimator"]).any():
            raise ValueError("estimates must hold one row per outcome and estimator")
        f = frame.assign(
            text=[
                _fmt_ci(a, lo, hi, dig.get(u, 2))
                for a, lo, hi, u in zip(frame["att"], frame["ci_lower"], frame["ci_upper"], frame["unit"])
            ]
        )
        wide = f.pivot(index="outcome", columns="estimator", values="text")
        return wide[list(dict.fromkeys(f["estimator"]))]

    outcomes = list(dict.fromkeys(estimates["outcome"]))
    wide = texts(estimates)
    wide.columns = [f"{c} [95% CI]" for c in wide.columns]
    out = estimates.drop_duplicates("outcome").set_index("outcome")[["unit"]].join(wide)
    tw = estimates[estimates["estimator"] == "twfe"].set_index("outcome")["p_wild"]
    if len(tw):
        out["twfe_p_wild"] = tw
    for label, frame in dict(alternatives or {}).items():
        _require(frame, need, f"alternatives[{label!r}]")
        alt = texts(frame)
        if "cs" in alt.columns:
            out[f"cs [95% CI], {label}"] = alt["cs"]
    if pretrends is not None:
        _require(pretrends, ["outcome"], "pretrends")
        out = out.join(pretrends.set_index("outcome"))
    return out.loc[outcomes].reset_index()
