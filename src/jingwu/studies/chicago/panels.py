"""The SDSC roll-out and the analysis panels: sentiment, crime and placebo timing."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ...datasets import Chicago
from ...errors import DataError
from ._common import _G, _ID, _T, SURVEY_START, _check_chicago, _cohort_label, _month, _ordinals, _require


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

    A static TWFE on this frame (``dname="placebo"``) asks whether
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
