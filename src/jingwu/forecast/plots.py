"""Plots of backtests and forecasts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .result import _BENCHMARKS

if TYPE_CHECKING:
    from .result import BacktestResult

__all__ = ["plot_backtest", "plot_forecast"]


def plot_backtest(
    result: BacktestResult, metric: str = "mase", *, ax: Any = None, title: str | None = None
) -> Any:
    """Line plot of a metric by horizon step, one line per model (benchmark dashed).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import numpy as np, pandas as pd
    >>> d = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=42),
    ...                   "y": np.random.default_rng(0).poisson(9, 42)})
    >>> from jingwu.forecast import backtest
    >>> ax = plot_backtest(backtest(d, 7, 2, models=["snaive", "naive"]))
    >>> ax.get_xlabel()
    'Horizon (steps ahead)'
    >>> matplotlib.pyplot.close("all")
    """
    import matplotlib.pyplot as plt

    tab = result.metrics(["model", "step"])
    if metric not in tab.columns:
        raise ValueError(f"unknown metric {metric!r}; choose from {list(tab.columns[2:])}")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    for m in result.models:
        part = tab[tab["model"] == m]
        ax.plot(
            part["step"],
            part[metric],
            label=m,
            ls="--" if m in _BENCHMARKS else "-",
            lw=2.2 if m == result.best else 1.2,
        )
    ax.set_xlabel("Horizon (steps ahead)")
    ax.set_ylabel(metric.upper() if metric in ("mase", "rmsse", "smape") else metric)
    ax.set_title(title or f"Backtest: {metric} by horizon ({len(result.cutoffs)} windows)")
    # below the axes: inside, the legend hid the lines it names
    ax.legend(frameon=False, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.2))
    return ax


def plot_forecast(
    history: pd.DataFrame,
    fc: pd.DataFrame,
    *,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    ids: Sequence[str] | None = None,
    last: int = 120,
    level: int | None = None,
    ncols: int = 2,
) -> Any:
    """Small multiples: recent history and the forecast with its interval band(s).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd
    >>> hist = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=5), "y": [1, 2, 3, 2, 1]})
    >>> fc = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-06", periods=2), "yhat": [2.0, 2.0],
    ...                    "lo_80": [1.0, 1.0], "hi_80": [3.0, 3.0]})
    >>> fig = plot_forecast(hist, fc)
    >>> len(fig.axes)
    1
    >>> matplotlib.pyplot.close("all")
    """
    import matplotlib.pyplot as plt

    ids = list(ids) if ids is not None else list(pd.unique(fc[id_col]))[:6]
    ncols = min(ncols, len(ids))
    nrows = int(np.ceil(len(ids) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.5 * ncols, 2.8 * nrows), squeeze=False, sharex=True)
    levels = sorted(int(c[3:]) for c in fc.columns if c.startswith("lo_"))
    if level is not None:
        levels = [level]
    for ax, uid in zip(axes.ravel(), ids):
        hpart = history[history[id_col] == uid].sort_values(time_col).tail(last)
        fpart = fc[fc[id_col] == uid].sort_values(time_col)
        ax.plot(hpart[time_col], hpart[target_col], color="0.3", lw=0.8)
        for i, lv in enumerate(sorted(levels, reverse=True)):
            ax.fill_between(
                fpart[time_col],
                fpart[f"lo_{lv}"],
                fpart[f"hi_{lv}"],
                color="C0",
                alpha=0.15 + 0.15 * i,
                lw=0,
                label=f"{lv}%",
            )
        ax.plot(fpart[time_col], fpart["yhat"], color="C0", lw=1.5)
        ax.set_title(str(uid), fontsize=10)
    for ax in axes.ravel()[len(ids) :]:
        ax.set_visible(False)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig
