"""Equity of an allocation: the Gini coefficient, need-weighted metrics and a before/after table."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._common import (
    _check_current,
    _check_need,
)


def gini(values: np.ndarray | pd.Series) -> float:
    """Gini coefficient of non-negative values (0 = all equal).

    Examples
    --------
    >>> gini([1, 1, 1, 1]), round(gini([0, 0, 0, 1]), 2)
    (0.0, 0.75)
    """
    v = np.sort(np.asarray(values, dtype=float))
    if (v < 0).any():
        raise ValueError("gini needs non-negative values")
    if v.sum() == 0:
        return 0.0
    n = len(v)
    return float((2 * np.arange(1, n + 1) - n - 1).dot(v) / (n * v.sum()))


#: zh/en labels of the equity metrics, in order.
EQUITY_LABELS: dict[str, tuple[str, str]] = {
    "max_load": ("最大人均负荷", "Largest load per officer"),
    "gini_load": ("人均负荷基尼系数", "Gini of load per officer"),
    "share_over_capacity": ("超负荷派出所占比", "Share of stations over capacity"),
    "coverage": ("需求覆盖率", "Demand-weighted coverage"),
}


class EquityMetrics(dict):
    """Fit between workload and staffing (:func:`equity_metrics`).

    A ``dict`` of the four metrics (so ``m["max_load"]``, ``**m`` and
    ``pd.DataFrame({plan: m, ...})`` work as before) with the result
    protocol: :meth:`to_frame`, :meth:`summary` and :meth:`plot`.

    Attributes
    ----------
    load : Series
        Need / officers per station (missing where a station has none).
    """

    load: pd.Series
    _stations: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Per station: ``need``, ``officers``, ``load`` and ``over_capacity``."""
        return self._stations.copy()

    def summary(self, lang: str = "en") -> pd.DataFrame:
        """One row per metric: ``metric``, ``label`` (zh or en) and ``value``."""
        if lang not in ("zh", "en"):
            raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
        return pd.DataFrame(
            {
                "metric": list(self),
                "value": list(self.values()),
                "label": [EQUITY_LABELS[k][0 if lang == "zh" else 1] for k in self],
            }
        )

    def plot(self, ax: Any = None) -> Any:
        """Load per officer by station, highest first, a line at 1 (need = officers); returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(max(6.0, 0.18 * len(self.load)), 3.5))
        load = self.load.sort_values(ascending=False)
        ax.bar([str(i) for i in load.index], load.to_numpy(), color="C0")
        ax.axhline(1.0, color="firebrick", linestyle="--", linewidth=1)
        ax.set_ylabel("need / officers")
        ax.tick_params(axis="x", labelrotation=90, labelsize=6)
        return ax


def equity_metrics(need: pd.Series, officers: pd.Series) -> EquityMetrics:
    """Fit between workload and staffing.

    ``max_load`` and ``gini_load`` of load per officer (need / officers),
    ``share_over_capacity`` (stations whose need exceeds their officers) and
    ``coverage`` (demand-weighted: Σ min(officers, need) / Σ need).

    Returns
    -------
    EquityMetrics
        The four numbers as a ``dict`` with ``.to_frame()`` (per station),
        ``.summary()`` and ``.plot(ax=None)``.

    Examples
    --------
    >>> m = equity_metrics(pd.Series([4.0, 2.0]), pd.Series([2, 2]))
    >>> m["max_load"], m["share_over_capacity"], m["coverage"]
    (2.0, 0.5, 0.6666666666666666)
    >>> m.to_frame()["over_capacity"].tolist()
    [True, False]
    """
    _check_need(need)
    officers = _check_current(officers, need.index, "officers").rename("officers").astype(float)
    load = need / officers.where(officers > 0)
    out = EquityMetrics(
        {
            "max_load": float(load.max()),
            "gini_load": gini(load.fillna(0)),
            "share_over_capacity": float((need > officers).mean()),
            "coverage": float(np.minimum(officers, need).sum() / need.sum()) if need.sum() else 1.0,
        }
    )
    out.load = load.rename("load")
    out._stations = pd.DataFrame(
        {"need": need.astype(float), "officers": officers, "load": load, "over_capacity": need > officers}
    )
    return out


def before_after(need: pd.Series, before: pd.Series, after: pd.Series) -> pd.DataFrame:
    """Per-station before/after table: officers, change and load per officer.

    Examples
    --------
    >>> t = before_after(pd.Series({"A": 4.0}), pd.Series({"A": 2}), pd.Series({"A": 4}))
    >>> t[["officers_before", "officers_after", "change", "load_after"]].values.tolist()
    [[2.0, 4.0, 2.0, 1.0]]
    """
    _check_need(need)
    out = pd.DataFrame(
        {
            "need": need,
            "officers_before": _check_current(before, need.index, "before").astype(float),
            "officers_after": _check_current(after, need.index, "after").astype(float),
        }
    )
    out["change"] = out["officers_after"] - out["officers_before"]
    out["load_before"] = out["need"] / out["officers_before"]
    out["load_after"] = out["need"] / out["officers_after"]
    out.index.name = need.index.name or "station_id"
    return out
