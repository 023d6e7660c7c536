"""One plotter for coefficients: forest plots and event studies."""

from __future__ import annotations

from typing import Any

import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ._common import _bilingual, _finish, _new_ax, _order, _palette, _require
from .theme import _resolve_lang, label_for


def plot_coefficients(
    df: pd.DataFrame,
    estimate: str,
    lower: str,
    upper: str,
    group: str | None = None,
    *,
    term: str | None = None,
    event_time: str | None = None,
    ref: float | None = 0.0,
    onset: float | None = -0.5,
    dodge: float = 0.15,
    ax: Axes | None = None,
    lang: str | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
) -> Axes:
    """Point estimates with confidence intervals: a forest plot or an event study.

    With ``event_time`` the estimates are drawn against event time (periods
    relative to adoption) with a dashed line at the onset; otherwise they
    form a forest plot with one row per ``term`` (or per index entry).

    Parameters
    ----------
    df : DataFrame
        One row per coefficient (and group).
    estimate, lower, upper : str
        Columns of the point estimate and the interval bounds.
    group : str, optional
        Column that splits estimates into side-by-side series (e.g.
        estimator or outcome), dodged by ``dodge``.
    term : str, optional
        Forest plot: column naming each coefficient.
    event_time : str, optional
        Event study: numeric column of event time.
    ref : float or None
        Reference line (no effect); None to omit.
    onset : float or None
        Event study: position of the vertical onset line; None to omit.
    dodge : float
        Offset between groups.
    ax, lang, title, xlabel, ylabel
        As in :func:`plot_series`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from jingwu import viz
    >>> es = pd.DataFrame({"e": [-2, -1, 0, 1], "att": [0.0, 0.01, 0.05, 0.08],
    ...                    "lo": [-0.03, -0.02, 0.02, 0.04], "hi": [0.03, 0.04, 0.08, 0.12]})
    >>> ax = viz.plot_coefficients(es, "att", "lo", "hi", event_time="e", lang="en")
    >>> len(ax.collections) >= 1
    True
    >>> matplotlib.pyplot.close("all")
    """
    _require(df, [estimate, lower, upper, group, term, event_time], "df")
    if term is not None and event_time is not None:
        raise ValueError("give term (forest plot) or event_time (event study), not both")
    if len(df) == 0:
        raise ValueError("df is empty")
    lang = _resolve_lang(lang)
    data = df.reset_index(drop=term is not None or event_time is not None)
    if term is None and event_time is None:
        term = data.columns[0]
    groups: list[Any] = [None] if group is None else _order(data[group])
    pal = _palette([g for g in groups if g is not None], lang) if group is not None else {}
    offsets = (np.arange(len(groups)) - (len(groups) - 1) / 2) * dodge
    vertical = event_time is not None
    ax = _new_ax(ax, (8, 4.5) if vertical else (7, max(2.5, 0.35 * data[term].nunique() + 1)))
    if not vertical:
        terms = list(pd.unique(data[term]))
        pos_of = {t: i for i, t in enumerate(terms)}
    for g, off in zip(groups, offsets):
        part = data if g is None else data[data[group] == g]
        colour = pal.get(label_for(g, lang)) if g is not None else "C0"
        est = part[estimate].to_numpy(dtype=float)
        err = np.vstack([est - part[lower].to_numpy(dtype=float), part[upper].to_numpy(dtype=float) - est])
        if np.any(err < -1e-12):
            raise ValueError(f"intervals must contain the estimates ({lower} <= {estimate} <= {upper})")
        err = np.clip(err, 0, None)
        lab = None if g is None else label_for(g, lang)
        if vertical:
            pos = part[event_time].to_numpy(dtype=float) + off
            ax.errorbar(pos, est, yerr=err, fmt="o", color=colour, capsize=2, ms=4, lw=1.2, label=lab)
        else:
            pos = np.array([pos_of[t] for t in part[term]], dtype=float) + off
            ax.errorbar(est, pos, xerr=err, fmt="o", color=colour, capsize=2, ms=4, lw=1.2, label=lab)
    if vertical:
        if ref is not None:
            ax.axhline(ref, color="0.3", lw=0.8)
        if onset is not None:
            ax.axvline(onset, color="0.5", lw=0.8, ls="--")
        ax.xaxis.set_major_locator(mticker.MaxNLocator(integer=True))
        default_x = _bilingual(("相对上线月份", "Periods relative to adoption"), lang)
        default_y = label_for(estimate, lang)
    else:
        if ref is not None:
            ax.axvline(ref, color="0.3", lw=0.8)
        ax.set_yticks(np.arange(len(terms)), [label_for(t, lang) for t in terms])
        ax.set_ylim(len(terms) - 0.5, -0.5)
        default_x, default_y = label_for(estimate, lang), ""
    if group is not None:
        ax.legend(title=label_for(group, lang))
    _finish(
        ax,
        title=title,
        xlabel=xlabel if xlabel is not None else default_x,
        ylabel=ylabel if ylabel is not None else default_y,
    )
    return ax
