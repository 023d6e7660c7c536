"""Estimators side by side: the naive before/after figure, every estimator's overall effect,
subgroup effects and the Goodman-Bacon summary.

The outcome shaping for the suite's station panel (``OUTCOMES``,
``outcome_panel``, ``truth_effects``, ``scale_effects``, ``outcome_label``)
moved to :mod:`jingwu.studies.m_city`; the old names here are lazy aliases
kept for a release.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError
from ..schema import require_columns
from ._cs import att_gt
from ._event import imputation
from ._prep import _time_codec
from ._twfe import twfe, wild_cluster_bootstrap

__all__ = ["NaiveResult", "naive_before_after", "compare_estimators", "subgroup_effects", "bacon_summary"]

#: Names that moved to :mod:`jingwu.studies.m_city`, served lazily from there.
_MOVED = frozenset({"OUTCOMES", "outcome_panel", "truth_effects", "scale_effects", "outcome_label"})


def __getattr__(name: str) -> Any:
    # A deprecated alias: the studies layer is imported only when an old name is used.
    if name in _MOVED:
        from ..studies import m_city

        return getattr(m_city, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _renamed_alpha(alp: float | None, alpha: float) -> float:
    """``alpha`` (1 - confidence), the suite's spelling; ``alp=`` still works for a release, and warns."""
    if alp is None:
        return alpha
    warnings.warn(
        "alp= is deprecated; use alpha= (the suite's one spelling)", DeprecationWarning, stacklevel=3
    )
    return alp


def _require(df: pd.DataFrame, columns: list[str], what: str) -> None:
    require_columns(df, columns, what=what)


class NaiveResult(dict):
    """The naive before/after figure (:func:`naive_before_after`).

    A ``dict`` with ``att``, ``se``, ``n_units`` and ``window`` (so
    ``res["att"]`` works as before) with the result protocol:
    :meth:`to_frame` (per adopter: mean before, after and the difference),
    :meth:`summary` and :meth:`plot`.
    """

    units: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Per adopting unit: ``before``, ``after`` and ``difference``."""
        return self.units.copy()

    def summary(self) -> pd.DataFrame:
        """One row: ``att``, ``se``, ``n_units``, ``window``."""
        return pd.DataFrame([dict(self)])

    def plot(self, ax: Any = None) -> Any:
        """Each adopter's before -> after change, with the mean difference; returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(4, 4))
        for before, after in self.units[["before", "after"]].to_numpy():
            ax.plot([0, 1], [before, after], color="grey", alpha=0.4, linewidth=0.8)
        ax.plot([0, 1], self.units[["before", "after"]].mean().to_numpy(), color="C3", linewidth=2.5)
        ax.set_xticks([0, 1], ["before", "after"])
        ax.set_title(f"before/after: {self['att']:+.3g}")
        return ax


def naive_before_after(
    data: pd.DataFrame,
    window: int | None = None,
    *,
    yname: str = "y",
    idname: str = "station_id",
    tname: str = "period",
    gname: str = "cohort",
) -> NaiveResult:
    """The before/after figure reports quote: adopters' mean after adoption
    minus their mean before (all periods, or ``window`` periods each side).

    No control group, so it mixes the adoption effect with every trend and
    shock of the same years; shown only to contrast with the estimators.

    Returns
    -------
    NaiveResult
        A dict: ``att`` (mean over adopters of their after − before difference),
        ``se`` (its standard error across adopters), ``n_units``, ``window``
        (the periods used each side; all of them when ``window`` is None).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"station_id": "A", "period": range(4), "cohort": 2, "y": [1., 1., 3., 3.]})
    >>> naive_before_after(d, window=2)["att"]
    2.0
    """
    if window is not None and window < 1:
        raise ValueError("window must be at least 1 period (or None for all periods)")
    df = data[data[gname].notna()]
    if df.empty:
        raise DataError("no adopting units", column=gname, expected="some non-missing adoption periods")
    # the estimators' own time codec: Periods become ordinals, and cohort and
    # time must be of the same kind
    codec = _time_codec(df[tname], tname)
    t = codec.encode(df[tname], tname)
    g = codec.encode(df[gname], gname)
    e = t - g
    if window is None:
        window = int(np.nanmax(np.abs(e))) + 1
    before = df.loc[(e >= -window) & (e < 0)].groupby(idname)[yname].mean()
    after = df.loc[(e >= 0) & (e < window)].groupby(idname)[yname].mean()
    diff = (after - before).dropna()
    if diff.empty:
        raise DataError(
            f"no adopter has data both {window} periods before and after adoption",
            column=tname,
            expected="observations around adoption",
        )
    se = float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else float("nan")
    out = NaiveResult(att=float(diff.mean()), se=se, n_units=int(len(diff)), window=int(window))
    out.units = pd.DataFrame(
        {"before": before.reindex(diff.index), "after": after.reindex(diff.index), "difference": diff}
    )
    return out


def _row(estimator: str, label: str, att: float, se: float, z: float) -> dict:
    return {
        "estimator": estimator,
        "label": label,
        "att": att,
        "se": se,
        "ci_lower": att - z * se,
        "ci_upper": att + z * se,
    }


#: The rows :func:`compare_estimators` can give, in its default order, with their labels.
ESTIMATOR_LABELS: dict[str, str] = {
    "naive": "Before/after",
    "twfe": "Two-way fixed effects",
    "cs_never": "Callaway-Sant'Anna, never-treated",
    "cs_notyet": "Callaway-Sant'Anna, not-yet-treated",
    "imputation": "Imputation (Borusyak-Jaravel-Spiess)",
}


def _p_normal(att: float, se: float) -> float:
    """Two-sided normal p-value (NaN when the SE is zero or missing)."""
    return float(2 * stats.norm.sf(abs(att) / se)) if np.isfinite(se) and se > 0 else float("nan")


def compare_estimators(
    data: pd.DataFrame,
    *,
    yname: str = "y",
    idname: str = "station_id",
    tname: str = "period",
    gname: str = "cohort",
    weightsname: str | None = None,
    naive_window: int | None = None,
    estimators: Sequence[str] = tuple(ESTIMATOR_LABELS),
    p_values: bool = False,
    n_boot: int | None = None,
    weights: str = "webb",
    seed: int = 0,
    alpha: float = 0.05,
    alp: float | None = None,
) -> pd.DataFrame:
    """Overall effect of adoption by every estimator, one row each.

    Rows: ``naive`` (before/after, :func:`naive_before_after`), ``twfe``
    (static two-way fixed effects, SEs clustered by unit), ``cs_never`` and
    ``cs_notyet`` (Callaway & Sant'Anna, doubly robust, simple aggregation,
    never-treated or not-yet-treated controls), ``imputation``
    (Borusyak, Jaravel & Spiess).  Estimates are in the outcome's units.

    Parameters
    ----------
    data : DataFrame
        Long panel (never treated: missing ``gname``).
    yname, idname, tname, gname, weightsname : str
        Outcome, unit, time, cohort and (optional) weight columns.
    naive_window : int, optional
        Periods each side of adoption for the naive row (default all).
    estimators : sequence of str
        Rows to give, in this order, from ``naive``, ``twfe``, ``cs_never``,
        ``cs_notyet``, ``imputation`` (default all five).
    p_values : bool, default False
        Add ``p_value``: TWFE's own (t with G-1 df), a normal p-value elsewhere.
    n_boot : int, optional
        Add ``p_wild``, the wild cluster restricted bootstrap p-value of TWFE
        (:func:`wild_cluster_bootstrap`, clusters = units) with ``n_boot``
        draws, ``weights`` and ``seed``; NaN on the other rows.  With around
        20 clusters it is the TWFE p-value to quote.
    alpha : float
        1 - confidence level of the intervals.
    alp : deprecated spelling of ``alpha`` (it warns).

    Returns
    -------
    DataFrame
        ``estimator, label, att, se, ci_lower, ci_upper``, then ``p_value``
        and ``p_wild`` when asked for.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"station_id": np.repeat(np.arange(30), 8), "period": np.tile(np.arange(8), 30)})
    >>> d["cohort"] = np.where(d["station_id"] % 3 == 0, np.nan, 3 + d["station_id"] % 3)
    >>> d["y"] = rng.normal(size=len(d)) * 0.1 + 1.0 * (d["period"] >= d["cohort"])
    >>> t = compare_estimators(d, naive_window=3)
    >>> t["estimator"].tolist()
    ['naive', 'twfe', 'cs_never', 'cs_notyet', 'imputation']
    >>> bool(abs(t.set_index("estimator").loc["cs_never", "att"] - 1.0) < 0.1)
    True
    >>> compare_estimators(d, estimators=["twfe"], n_boot=99).columns.tolist()[-1]
    'p_wild'
    """
    alp = _renamed_alpha(alp, alpha)
    if not 0 < alp < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alp!r}")
    bad = [e for e in estimators if e not in ESTIMATOR_LABELS]
    if bad or not estimators:
        raise ValueError(f"estimators must be among {tuple(ESTIMATOR_LABELS)}, got {list(estimators)!r}")
    z = float(stats.norm.ppf(1 - alp / 2))
    args = (data, yname, idname, tname, gname)
    rows = []
    for est in estimators:
        label = ESTIMATOR_LABELS[est]
        if est == "naive":
            nv = naive_before_after(data, naive_window, yname=yname, idname=idname, tname=tname, gname=gname)
            label += "" if naive_window is None else f" ({naive_window} periods)"
            rows.append(
                {**_row(est, label, nv["att"], nv["se"], z), "p_value": _p_normal(nv["att"], nv["se"])}
            )
        elif est == "twfe":
            tw = twfe(data, yname, idname, tname, gname=gname, weightsname=weightsname, alpha=alp)
            # TWFE keeps its own small-sample (t with G-1 df) interval and p-value.
            row = {**_row(est, label, tw.coef, tw.se, z), "ci_lower": tw.ci_lower, "ci_upper": tw.ci_upper}
            row["p_value"] = tw.p_value
            if n_boot is not None:
                wb = wild_cluster_bootstrap(
                    *args, weightsname=weightsname, n_boot=n_boot, weights=weights, seed=seed
                )
                row["p_wild"] = wb.p_value
            rows.append(row)
        elif est in ("cs_never", "cs_notyet"):
            cg = "nevertreated" if est == "cs_never" else "notyettreated"
            agg = att_gt(*args, control_group=cg, weightsname=weightsname, alpha=alp).aggregate("simple")
            row = _row(est, label, agg.overall_att, agg.overall_se, z)
            rows.append({**row, "p_value": _p_normal(agg.overall_att, agg.overall_se)})
        else:
            # the overall effect averages every treated observation whatever the
            # horizons, so one horizon is enough (the event-time coefficients are not used)
            im = imputation(*args, weightsname=weightsname, alpha=alp, horizons=[0])
            row = _row(est, label, im.overall_att, im.overall_se, z)
            rows.append({**row, "p_value": _p_normal(im.overall_att, im.overall_se)})
    out = pd.DataFrame(rows)
    if n_boot is not None:
        out["p_wild"] = out["p_wild"] if "p_wild" in out.columns else np.nan
    elif "p_wild" in out.columns:
        out = out.drop(columns="p_wild")
    if not p_values:
        out = out.drop(columns="p_value")
    return out


def subgroup_effects(
    data: pd.DataFrame,
    by: str,
    *,
    yname: str = "y",
    idname: str = "station_id",
    tname: str = "period",
    gname: str = "cohort",
    weightsname: str | None = None,
    alpha: float = 0.05,
    alp: float | None = None,
) -> pd.DataFrame:
    """Callaway-Sant'Anna overall effect within each subgroup of adopters.

    Each subgroup's adopters are compared with *all* never-treated units
    (subgroups may hold too few never adopters of their own).  The estimate
    then also differs if never adopters of that type would have trended
    differently, so read subgroup gaps as descriptive.

    Returns
    -------
    DataFrame
        ``by`` value, ``n_treated``, ``att``, ``se``, ``ci_lower``, ``ci_upper``
        (subgroups with no adopters are skipped).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> d = pd.DataFrame({"station_id": np.repeat(np.arange(12), 6), "period": np.tile(np.arange(6), 12)})
    >>> d["cohort"] = np.where(d["station_id"] < 4, np.nan, 3.0)
    >>> d["kind"] = np.where(d["station_id"] % 2 == 0, "a", "b")
    >>> d["y"] = d["station_id"] + np.where(d["kind"] == "a", 1.0, 2.0) * (d["period"] >= d["cohort"])
    >>> subgroup_effects(d, "kind")[["kind", "att"]].round(6).values.tolist()
    [['a', 1.0], ['b', 2.0]]
    """
    _require(data, [by, idname, gname], "subgroup effects")
    alp = _renamed_alpha(alp, alpha)
    z = float(stats.norm.ppf(1 - alp / 2))
    never = data[gname].isna() | (data[gname] == 0)
    rows = []
    for level, part in data[~never].groupby(by, sort=True):
        sub = pd.concat([part, data[never]], ignore_index=True)
        agg = att_gt(sub, yname, idname, tname, gname, weightsname=weightsname, alpha=alp).aggregate("simple")
        rows.append(
            {
                by: level,
                "n_treated": int(part[idname].nunique()),
                **{
                    k: v
                    for k, v in _row("cs", "", agg.overall_att, agg.overall_se, z).items()
                    if k not in ("estimator", "label")
                },
            }
        )
    return pd.DataFrame(rows)


def bacon_summary(bacon: pd.DataFrame) -> pd.DataFrame:
    """Weight and weighted mean estimate of each Goodman-Bacon comparison type.

    ``forbidden`` marks "later vs earlier treated" and "later vs always
    treated" comparisons, which use already-treated units as controls and pull TWFE away from the ATT when
    effects grow over time.

    Examples
    --------
    >>> import pandas as pd
    >>> b = pd.DataFrame({"type": ["treated vs never treated", "later vs earlier treated"],
    ...                   "estimate": [2.0, -1.0], "weight": [0.75, 0.25]})
    >>> bacon_summary(b)[["weight", "forbidden"]].values.tolist()
    [[0.25, True], [0.75, False]]
    """
    _require(bacon, ["type", "estimate", "weight"], "the Bacon summary")
    out = (
        bacon.groupby("type", sort=True)
        .apply(
            lambda g: pd.Series(
                {
                    "n_comparisons": len(g),
                    "weight": g["weight"].sum(),
                    "estimate": np.average(g["estimate"], weights=g["weight"])
                    if g["weight"].sum() > 0
                    else np.nan,
                }
            ),
            include_groups=False,
        )
        .reset_index()
    )
    out["n_comparisons"] = out["n_comparisons"].astype(int)
    out["contribution"] = out["weight"] * out["estimate"]
    out["forbidden"] = out["type"].isin(["later vs earlier treated", "later vs always treated"])
    return out
