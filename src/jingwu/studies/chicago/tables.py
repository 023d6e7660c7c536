"""The one-table summary of the case study's estimates."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ._common import _require


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
