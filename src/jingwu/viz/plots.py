"""The standard plots: series, category mix, station grid, staffing against demand."""

from __future__ import annotations

from typing import Any

import matplotlib as mpl
import matplotlib.dates as mdates
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from ..schema import label
from ._common import _as_plottable, _bilingual, _finish, _new_ax, _order, _palette, _require
from .theme import _resolve_lang, label_for


def plot_series(
    df: pd.DataFrame,
    x: str,
    y: str,
    hue: str | None = None,
    *,
    lower: str | None = None,
    upper: str | None = None,
    ax: Axes | None = None,
    lang: str | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    **kwargs: Any,
) -> Axes:
    """Line plot of one or more series from a long frame, with optional bands.

    Parameters
    ----------
    df : DataFrame
        Long data: one row per ``x`` (and ``hue`` group).  Period columns
        (monthly panels) are converted to timestamps.
    x, y : str
        Columns for the horizontal and vertical axes.
    hue : str, optional
        Column that splits the data into lines (categories get their fixed
        colours and zh/en labels).
    lower, upper : str, optional
        Columns of an interval (e.g. forecast bounds) drawn as a shaded band.
    ax : Axes, optional
        Draw here instead of a new figure.
    lang : {"zh", "en", "both"}, optional
        Label language; defaults to the theme's.
    title, xlabel, ylabel : str, optional
        Override the automatic labels.
    **kwargs
        Passed to :func:`seaborn.lineplot`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from jingwu import viz
    >>> df = pd.DataFrame({"month": pd.period_range("2024-01", periods=4, freq="M").repeat(2),
    ...                    "category": ["fraud", "traffic"] * 4,
    ...                    "incidents": [5, 9, 6, 8, 8, 7, 9, 9]})
    >>> ax = viz.plot_series(df, "month", "incidents", hue="category", lang="en")
    >>> ax.get_ylabel(), [t.get_text() for t in ax.get_legend().get_texts()]
    ('Incidents', ['Traffic', 'Telecom fraud'])
    >>> matplotlib.pyplot.close("all")
    """
    _require(df, [x, y, hue, lower, upper], "df")
    if (lower is None) != (upper is None):
        raise ValueError("give both lower and upper, or neither")
    lang = _resolve_lang(lang)
    ax = _new_ax(ax, (8, 4))
    data = df.copy()
    data[x] = _as_plottable(data[x])
    plot_kw: dict[str, Any] = {}
    groups: list[Any] = [None]
    if hue is not None:
        groups = _order(data[hue])
        data["_hue"] = data[hue].map(lambda v: label_for(v, lang))
        plot_kw.update(
            hue="_hue", hue_order=[label_for(g, lang) for g in groups], palette=_palette(groups, lang)
        )
    plot_kw.update(kwargs)
    sns.lineplot(data=data, x=x, y=y, ax=ax, **plot_kw)
    if lower is not None:
        pal: dict[Any, Any] = _palette(groups, lang) if hue is not None else {None: ax.lines[-1].get_color()}
        for g in groups:
            part = data if g is None else data[data[hue] == g]
            part = part.sort_values(x)
            colour = pal[None] if g is None else pal[label_for(g, lang)]
            ax.fill_between(part[x], part[lower], part[upper], color=colour, alpha=0.2, lw=0)
    legend = ax.get_legend()
    if hue is not None and legend is not None:
        legend.set_title(label_for(hue, lang))
    if pd.api.types.is_datetime64_any_dtype(data[x]):
        locator = mdates.AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    _finish(
        ax,
        title=title,
        xlabel=xlabel if xlabel is not None else label_for(x, lang),
        ylabel=ylabel if ylabel is not None else label_for(y, lang),
    )
    return ax


def plot_category_mix(
    demand: pd.DataFrame,
    *,
    freq: str = "Y",
    date_col: str = "date",
    category_col: str = "category",
    count_col: str = "count",
    ax: Axes | None = None,
    lang: str | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
) -> Axes:
    """Stacked shares of demand by category per period (year by default).

    Parameters
    ----------
    demand : DataFrame
        Daily demand (``date``, ``category``, ``count``; other columns such as
        ``station_id`` are summed over).
    freq : {"Y", "Q", "M"}
        Period of each bar.
    date_col, category_col, count_col : str
        Column names.
    ax, lang, title, xlabel, ylabel
        As in :func:`plot_series`.

    Returns
    -------
    matplotlib.axes.Axes
        Bars sum to 1 in every period.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from jingwu import viz
    >>> d = pd.DataFrame({"station_id": "S01",
    ...                   "date": pd.to_datetime(["2023-05-01", "2023-05-01", "2024-05-01", "2024-05-01"]),
    ...                   "category": ["fraud", "criminal"] * 2, "count": [1, 3, 2, 2]})
    >>> ax = viz.plot_category_mix(d, lang="zh")
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['刑事', '电诈']
    >>> matplotlib.pyplot.close("all")
    """
    _require(demand, [date_col, category_col, count_col], "demand")
    if freq not in ("Y", "Q", "M"):
        raise ValueError(f"freq must be 'Y', 'Q' or 'M', not {freq!r}")
    if len(demand) == 0:
        raise ValueError("demand is empty")
    lang = _resolve_lang(lang)
    dates = pd.to_datetime(_as_plottable(demand[date_col]))
    period = dates.dt.to_period(freq).astype(str)
    table = (
        demand.assign(_period=period.to_numpy())
        .groupby(["_period", category_col], observed=True)[count_col]
        .sum()
        .unstack(category_col, fill_value=0)
    )
    order = _order(table.columns)
    table = table[order]
    totals = table.sum(axis=1).replace(0, np.nan)
    shares = table.div(totals, axis=0).fillna(0.0)
    ax = _new_ax(ax, (8, 4.5))
    pal = _palette(order, lang)
    bottom = np.zeros(len(shares))
    xs = np.arange(len(shares))
    for cat in order:
        lab = label_for(cat, lang)
        ax.bar(
            xs,
            shares[cat].to_numpy(),
            bottom=bottom,
            label=lab,
            color=pal[lab],
            width=0.8,
            edgecolor="white",
            linewidth=0.5,
        )
        bottom += shares[cat].to_numpy()
    step = max(1, len(xs) // 12)
    ax.set_xticks(
        xs[::step],
        list(shares.index[::step]),
        rotation=0 if freq == "Y" else 45,
        ha="center" if freq == "Y" else "right",
    )
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(mticker.PercentFormatter(1.0))
    ax.grid(axis="x", visible=False)
    ax.legend(title=label_for(category_col, lang), bbox_to_anchor=(1.01, 1), loc="upper left")
    period_word = {"Y": ("年份", "Year"), "Q": ("季度", "Quarter"), "M": ("月份", "Month")}[freq]
    share_word = ("占比", "Share")
    _finish(
        ax,
        title=title,
        xlabel=xlabel if xlabel is not None else _bilingual(period_word, lang),
        ylabel=ylabel if ylabel is not None else _bilingual(share_word, lang),
    )
    return ax


def plot_station_grid(
    stations: pd.DataFrame,
    value: str,
    *,
    district_col: str = "district",
    station_col: str = "station_id",
    name_col: str | None = None,
    fmt: str = "{:,.0f}",
    cmap: str = "rocket_r",
    ax: Axes | None = None,
    lang: str | None = None,
    title: str | None = None,
) -> Axes:
    """Map-like grid of stations: one row per district, one coloured cell per station.

    Each cell shows the station's identifier (or ``name_col``) and its
    ``value``; the colour scale is shared by all stations, so hot spots stand
    out the way they would on a map.

    Parameters
    ----------
    stations : DataFrame
        One row per station with ``district_col``, ``station_col`` and ``value``.
    value : str
        Numeric column to colour by (e.g. ``incidents_per_officer``).
    district_col, station_col : str
        Column names.
    name_col : str, optional
        Column to print in the cells instead of ``station_col``.
    fmt : str
        Format of the printed value.
    cmap : str
        Colour map.
    ax, lang, title
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
    >>> st = pd.DataFrame({"station_id": ["S01", "S02", "S03"], "district": ["A", "A", "B"],
    ...                    "officers": [30, 25, 40]})
    >>> ax = viz.plot_station_grid(st, "officers", lang="en")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['A', 'B']
    >>> matplotlib.pyplot.close("all")
    """
    _require(stations, [district_col, station_col, value, name_col], "stations")
    if len(stations) == 0:
        raise ValueError("stations is empty")
    if not pd.api.types.is_numeric_dtype(stations[value]):
        raise ValueError(f"column {value!r} must be numeric, got {stations[value].dtype}")
    if stations[station_col].duplicated().any():
        raise ValueError(f"column {station_col!r} has duplicated stations; give one row per station")
    lang = _resolve_lang(lang)
    data = stations.sort_values([district_col, station_col], kind="mergesort")
    data = data.assign(_pos=data.groupby(district_col, sort=False).cumcount())
    districts = list(pd.unique(data[district_col]))
    width = int(data["_pos"].max()) + 1
    grid = np.full((len(districts), width), np.nan)
    row_of = {d: i for i, d in enumerate(districts)}
    for d, pos, v in zip(data[district_col], data["_pos"], data[value]):
        grid[row_of[d], pos] = v
    ax = _new_ax(ax, (max(6.0, 1.1 * width + 2), max(2.5, 0.7 * len(districts) + 1.2)))
    masked = np.ma.masked_invalid(grid)
    cm = mpl.colormaps[cmap] if cmap in mpl.colormaps else sns.color_palette(cmap, as_cmap=True)
    finite = grid[np.isfinite(grid)]
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if vmin == vmax:
        vmin, vmax = vmin - 0.5, vmax + 0.5
    mesh = ax.pcolormesh(masked, cmap=cm, vmin=vmin, vmax=vmax, edgecolors="white", linewidth=2)
    norm = mesh.norm
    names = data[name_col] if name_col is not None else data[station_col]
    for d, pos, v, nm in zip(data[district_col], data["_pos"], data[value], names):
        if pd.isna(v):
            text, dark = f"{nm}\n–", False
        else:
            text = f"{nm}\n{fmt.format(v)}"
            dark = float(np.ravel(norm(np.array([float(v)])))[0]) > 0.55
        ax.text(
            pos + 0.5,
            row_of[d] + 0.5,
            text,
            ha="center",
            va="center",
            fontsize="x-small",
            color="white" if dark else "black",
        )
    ax.set_xlim(0, width)
    ax.set_ylim(len(districts), 0)
    ax.set_yticks(np.arange(len(districts)) + 0.5, [str(d) for d in districts], rotation=0)
    ax.set_xticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    cbar = ax.figure.colorbar(mesh, ax=ax, fraction=0.04, pad=0.02)
    cbar.set_label(label_for(value, lang))
    _finish(ax, title=title, xlabel=None, ylabel=label_for(district_col, lang))
    return ax


def plot_staffing_vs_demand(
    stations: pd.DataFrame,
    demand_per_year: pd.DataFrame | pd.Series,
    *,
    demand_col: str | None = None,
    officers_col: str = "officers",
    station_col: str = "station_id",
    hue: str | None = "area_type",
    annotate: int | bool = 10,
    reference: bool = True,
    ax: Axes | None = None,
    lang: str | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
) -> Axes:
    """Officers against yearly demand, one labelled point per station.

    The dashed reference line is proportional staffing at the city-wide ratio
    (total officers / total demand): stations above it have more officers than
    their workload share, stations below have fewer.

    Parameters
    ----------
    stations : DataFrame
        One row per station with ``station_col`` and ``officers_col``.
    demand_per_year : DataFrame or Series
        Yearly demand per station: a frame with ``station_col`` and a numeric
        demand column (``demand_col``, needed only when there are several
        numeric columns), or a Series indexed by station.
    demand_col : str, optional
        Name of the demand column.
    officers_col, station_col : str
        Column names.
    hue : str or None
        Column of ``stations`` that colours the points, used when present
        (``area_type`` by default).
    annotate : int or bool
        Label this many stations, those farthest from the reference line
        (True labels all, False none).
    reference : bool
        Draw the proportional-staffing line.
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
    >>> st = pd.DataFrame({"station_id": ["S01", "S02", "S03"], "officers": [30, 20, 45]})
    >>> dem = pd.Series([12000, 5000, 9000], index=["S01", "S02", "S03"])
    >>> ax = viz.plot_staffing_vs_demand(st, dem, lang="en", annotate=True)
    >>> sorted(t.get_text() for t in ax.texts)
    ['S01', 'S02', 'S03']
    >>> matplotlib.pyplot.close("all")
    """
    _require(stations, [station_col, officers_col], "stations")
    lang = _resolve_lang(lang)
    if isinstance(demand_per_year, pd.Series):
        dem = demand_per_year.rename("_demand").rename_axis(station_col).reset_index()
        demand_name = demand_per_year.name if demand_per_year.name is not None else "incidents"
    elif isinstance(demand_per_year, pd.DataFrame):
        _require(demand_per_year, [station_col, demand_col], "demand_per_year")
        if demand_col is None:
            numeric = [
                c
                for c in demand_per_year.columns
                if c != station_col and pd.api.types.is_numeric_dtype(demand_per_year[c])
            ]
            if len(numeric) != 1:
                raise ValueError(
                    f"demand_per_year has numeric columns {numeric}; say which one with demand_col="
                )
            demand_col = numeric[0]
        dem = demand_per_year[[station_col, demand_col]].rename(columns={demand_col: "_demand"})
        demand_name = demand_col
    else:
        raise ValueError(
            f"demand_per_year must be a DataFrame or Series, got {type(demand_per_year).__name__}"
        )
    if dem[station_col].duplicated().any():
        raise ValueError("demand_per_year has several rows for a station; aggregate it first")
    data = stations.merge(dem, on=station_col, how="inner", validate="one_to_one")
    data = data[data["_demand"].notna() & data[officers_col].notna()].reset_index(drop=True)
    if data.empty:
        raise ValueError(
            f"no station has both demand and {officers_col!r}: check that the station ids of "
            f"demand_per_year match stations[{station_col!r}]"
        )
    ax = _new_ax(ax, (7, 5))
    use_hue = hue is not None and hue in data.columns and data[hue].notna().any()
    if use_hue:
        groups = _order(data[hue].dropna())
        data["_hue"] = data[hue].map(lambda v: label_for(v, lang))
        sns.scatterplot(
            data=data,
            x="_demand",
            y=officers_col,
            hue="_hue",
            hue_order=[label_for(g, lang) for g in groups],
            ax=ax,
            s=45,
        )
        if ax.get_legend() is not None:
            sns.move_legend(ax, "upper left", bbox_to_anchor=(1.01, 1), title=label_for(hue, lang))
    else:
        sns.scatterplot(data=data, x="_demand", y=officers_col, ax=ax, s=45)
    x = data["_demand"].to_numpy(dtype=float)
    y = data[officers_col].to_numpy(dtype=float)
    ratio = y.sum() / x.sum() if x.sum() > 0 else np.nan
    if reference and np.isfinite(ratio):
        xs = np.array([0.0, np.nanmax(x) * 1.05])
        ax.plot(
            xs,
            ratio * xs,
            ls="--",
            color="0.4",
            lw=1,
            label=_bilingual(("按警情比例配置", "Proportional staffing"), lang),
        )
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(
            handles,
            labels,
            title=label_for(hue, lang) if use_hue else None,
            bbox_to_anchor=(1.01, 1),
            loc="upper left",
        )
    if annotate is True:
        n_label = len(data)
    elif annotate is False:
        n_label = 0
    elif isinstance(annotate, (int, np.integer)) and annotate >= 0:
        n_label = int(annotate)
    else:
        raise ValueError(f"annotate must be a bool or a non-negative int, not {annotate!r}")
    resid = np.abs(y - ratio * x) if np.isfinite(ratio) else np.zeros_like(y)
    for i in np.argsort(-resid, kind="mergesort")[:n_label]:
        ax.annotate(
            str(data[station_col].iloc[i]),
            (x[i], y[i]),
            xytext=(3, 3),
            textcoords="offset points",
            fontsize="x-small",
        )
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    zh_x, en_x = f"{label(str(demand_name), 'zh')}(每年)", f"{label(str(demand_name), 'en')} per year"
    _finish(
        ax,
        title=title,
        xlabel=xlabel if xlabel is not None else _bilingual((zh_x, en_x), lang),
        ylabel=ylabel if ylabel is not None else label_for(officers_col, lang),
    )
    return ax
