"""Estimates side by side, robustness, event studies, the two datings and percent effects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._common import _G, _ID, _T, ESTIMATORS, _ordinals, _renamed, _require


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
    from ... import effects as ef

    n_boot = _renamed(B, "B", n_boot, "n_boot")
    alpha = _renamed(alp, "alp", alpha, "alpha")
    _require(panel, [idname, tname, gname, yname], "panel")
    bad = [e for e in estimators if e not in ESTIMATORS]
    if bad or not estimators:
        raise ValueError(f"estimators must be among {ESTIMATORS}, got {list(estimators)!r}")
    if control_group not in ("notyettreated", "nevertreated"):
        raise ValueError(f"control_group must be 'notyettreated' or 'nevertreated', got {control_group!r}")
    cs = "cs_notyet" if control_group == "notyettreated" else "cs_never"
    out = ef.compare_estimators(
        panel,
        yname=yname,
        idname=idname,
        tname=tname,
        gname=gname,
        estimators=[cs if e == "cs" else e for e in estimators],
        p_values=True,
        n_boot=n_boot if "twfe" in estimators else None,
        weights=weights,
        seed=seed,
        alpha=alpha,
    )
    out["estimator"] = out["estimator"].replace({cs: "cs"})
    if "p_wild" not in out.columns:
        out["p_wild"] = np.nan
    out = out[["estimator", "att", "se", "ci_lower", "ci_upper", "p_value", "p_wild"]]
    g = _ordinals(panel[gname])
    t = _ordinals(panel[tname])
    treated_rows = np.isfinite(g) & (g <= np.nanmax(t))
    out["n_units"] = int(panel[idname].nunique())
    out["n_treated"] = int(panel.loc[treated_rows, idname].nunique())
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
    from ... import effects as ef

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
