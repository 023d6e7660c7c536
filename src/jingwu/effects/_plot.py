"""Event-study plots (matplotlib; seaborn styling if the caller set a theme)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["plot_event_studies", "plot_aggregate", "plot_attgt"]


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7, 4))
    return ax


def plot_event_studies(
    frames,
    ax=None,
    dodge: float = 0.12,
    xlabel: str = "Event time",
    ylabel: str = "Effect",
    title: str | None = None,
    truth=None,
):
    """Overlay event studies from several estimators, with confidence intervals.

    Parameters
    ----------
    frames : DataFrame or iterable of DataFrames
        Output of :func:`event_study` (columns estimator, event_time, att,
        ci_lower, ci_upper); frames are concatenated.
    ax : matplotlib Axes, optional
    dodge : float
        Horizontal offset between estimators so intervals do not overlap.
    truth : DataFrame, optional
        Known effects (``event_time``, ``att``) drawn as a line, for
        simulated data.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from jingwu.effects import plot_event_studies
    >>> f = pd.DataFrame({"estimator": "cs", "event_time": [-1, 0, 1], "att": [0, 1, 2],
    ...                   "se": [0, .1, .1], "ci_lower": [0, .8, 1.8], "ci_upper": [0, 1.2, 2.2]})
    >>> ax = plot_event_studies([f, f.assign(estimator="sa")])
    >>> len(ax.get_legend().get_texts())
    2
    """
    df = frames if isinstance(frames, pd.DataFrame) else pd.concat(list(frames), ignore_index=True)
    ax = _axes(ax)
    ests = list(dict.fromkeys(df["estimator"]))
    offs = (np.arange(len(ests)) - (len(ests) - 1) / 2) * dodge
    for est, off in zip(ests, offs):
        d = df[df["estimator"] == est].sort_values("event_time")
        x = d["event_time"].to_numpy(dtype=float) + off
        y = d["att"].to_numpy(dtype=float)
        lo = d["ci_lower"].to_numpy(dtype=float)
        hi = d["ci_upper"].to_numpy(dtype=float)
        err = np.vstack([np.nan_to_num(y - lo), np.nan_to_num(hi - y)])
        ax.errorbar(x, y, yerr=err, fmt="o", capsize=3, markersize=4, label=est)
    if truth is not None:
        tr = truth.sort_values("event_time")
        ax.plot(tr["event_time"], tr["att"], color="black", lw=1.5, label="truth")
    ax.axhline(0, color="0.4", lw=0.8)
    ax.axvline(-0.5, color="0.4", lw=0.8, ls="--")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(frameon=False)
    return ax


def plot_aggregate(agg, ax=None, **kwargs):
    """Plot an aggregation's per-level estimates with their bands."""
    ax = _axes(ax)
    f = agg.to_frame()
    if agg.type == "simple":
        att, lo, hi = (float(f[c].iloc[0]) for c in ("att", "ci_lower", "ci_upper"))
        ax.errorbar([0.0], [att], yerr=[[att - lo], [hi - att]], fmt="o", capsize=3)
        ax.set_xticks([0], ["overall"])
        return ax
    col = f.columns[0]
    if agg.type == "dynamic":
        f = f.assign(estimator=kwargs.pop("label", "cs"))
        return plot_event_studies(f.rename(columns={col: "event_time"}), ax=ax, **kwargs)
    x = np.arange(len(f))
    ax.errorbar(
        x,
        f["att"],
        yerr=[np.nan_to_num(f["att"] - f["ci_lower"]), np.nan_to_num(f["ci_upper"] - f["att"])],
        fmt="o",
        capsize=3,
    )
    ax.set_xticks(x, [str(v) for v in f[col]])
    ax.axhline(0, color="0.4", lw=0.8)
    ax.set_xlabel(col)
    ax.set_ylabel("ATT")
    return ax


def plot_attgt(res, ax=None, **kwargs):
    """One row per cohort: ATT(g,t) against period, pre-periods and post-periods coloured."""
    import matplotlib.pyplot as plt

    f = res.to_frame()
    groups = list(dict.fromkeys(f["group"]))
    if ax is None:
        fig, axes = plt.subplots(len(groups), 1, figsize=(7, 2.2 * len(groups)), sharex=True, squeeze=False)
        axes = axes[:, 0]
    else:
        axes = [ax] * len(groups)
    for a, g in zip(axes, groups):
        d = f[f["group"] == g]
        x = np.arange(len(d))
        for post, color in ((False, "tab:gray"), (True, "tab:blue")):
            m = (d["post"] == post).to_numpy()
            a.errorbar(
                x[m],
                d["att"][m],
                yerr=[
                    np.nan_to_num((d["att"] - d["ci_lower"])[m]),
                    np.nan_to_num((d["ci_upper"] - d["att"])[m]),
                ],
                fmt="o",
                capsize=3,
                color=color,
                label="post" if post else "pre",
            )
        a.set_xticks(x, [str(v) for v in d["time"]])
        a.axhline(0, color="0.4", lw=0.8)
        a.set_title(f"cohort {g}", fontsize=9)
    axes[0].legend(frameon=False)
    return axes[0] if len(axes) == 1 else axes


def plot_bacon(bacon, ax=None, title: str | None = None):
    """Goodman-Bacon scatter: each 2x2 DiD's estimate against its TWFE weight.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from jingwu.effects import plot_bacon
    >>> b = pd.DataFrame({"type": ["treated vs never treated", "later vs earlier treated"],
    ...                   "estimate": [2.0, -1.0], "weight": [0.75, 0.25]})
    >>> len(plot_bacon(b).collections)
    2
    """
    ax = _axes(ax)
    markers = {
        "treated vs never treated": "o",
        "earlier vs later treated": "^",
        "later vs earlier treated": "x",
    }
    for kind, d in bacon.groupby("type", sort=True):
        ax.scatter(d["weight"], d["estimate"], marker=markers.get(kind, "s"), label=kind)
    twfe_coef = float((bacon["estimate"] * bacon["weight"]).sum())
    ax.axhline(twfe_coef, color="0.3", lw=1, ls="--", label=f"TWFE = {twfe_coef:.3g}")
    ax.set_xlabel("Weight in TWFE")
    ax.set_ylabel("2x2 DiD estimate")
    if title:
        ax.set_title(title)
    ax.legend(frameon=False, fontsize="small")
    return ax
