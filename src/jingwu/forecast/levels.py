"""Hierarchy evaluation: the level of every node, reconciled backtests, accuracy by level.

A backtest of every node of a hierarchy (:func:`aggregate_hierarchy` then
:func:`backtest`) is reconciled window by window, out of sample
(:func:`reconcile_backtest`), and its accuracy summarised per level against
the seasonal naive (:func:`accuracy_by_level`): the evaluation a station,
district and city forecast needs, whatever the city.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .evaluate import BacktestResult
from .hierarchy import reconcile

__all__ = ["node_levels", "reconcile_backtest", "accuracy_by_level"]


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
    bt: BacktestResult, S: pd.DataFrame, model: str, methods: Sequence[str] = ("bottom_up", "mint_shrink")
) -> BacktestResult:
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
    bt: BacktestResult, S: pd.DataFrame, names: tuple[str, str, str] = ("city", "area", "district")
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
