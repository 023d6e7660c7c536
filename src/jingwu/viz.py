"""One look for every figure: theme, bilingual labels, CJK font and standard plots.

Call :func:`set_theme` once at the top of a notebook.  It applies a seaborn
theme, registers a font that has Chinese glyphs (the Noto Sans CJK SC font
shipped by the ``mplfonts`` dependency, or a system CJK font) and chooses the
label language:

``"zh"``
    Chinese labels (``刑事``);
``"en"``
    English labels (``Criminal``);
``"both"``
    bilingual labels (``刑事 / Criminal``);
``"auto"`` (default)
    bilingual when a CJK font is available, otherwise English.

If Chinese is wanted but no font with Chinese glyphs can be found, the theme
falls back to English labels and warns: the suite never draws tofu boxes.

The plotting functions take tidy frames in the schema of :mod:`jingwu.schema`
and return the :class:`matplotlib.axes.Axes` they drew on (pass ``ax=`` to
draw into an existing figure; save with :func:`jingwu.report.save_fig`).
This module imports no method module.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from jingwu import viz
>>> viz.set_theme("en")
'en'
>>> viz.label_for("fraud", "both")
'电诈 / Telecom fraud'
"""
from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import font_manager
from matplotlib.axes import Axes

from .schema import AREA_TYPES, CATEGORIES, label

__all__ = [
    "LANGS",
    "CATEGORY_COLORS",
    "set_theme",
    "current_lang",
    "find_cjk_font",
    "has_glyphs",
    "label_for",
    "plot_series",
    "plot_category_mix",
    "plot_station_grid",
    "plot_staffing_vs_demand",
    "plot_coefficients",
]

#: Accepted values of ``lang``.
LANGS: tuple[str, ...] = ("zh", "en", "both", "auto")

#: Character used to check that a font really covers Chinese (警, "police").
_PROBE = "警"

#: Family names of common CJK fonts, tried in order when ``mplfonts`` is absent.
_SYSTEM_CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Source Han Sans",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "Arial Unicode MS",
)

#: One fixed colour per category, so a category looks the same in every figure.
CATEGORY_COLORS: dict[str, str] = dict(
    zip(
        (*CATEGORIES, "all"),
        (*sns.color_palette("colorblind", len(CATEGORIES)).as_hex(), "#4d4d4d"),
    )
)

_STATE: dict[str, Any] = {"lang": "en", "font": None}


# --------------------------------------------------------------------------- fonts
def has_glyphs(font_path: str | os.PathLike[str], text: str = _PROBE) -> bool:
    """Return True if the font file has a glyph for every character of ``text``.

    Examples
    --------
    >>> from jingwu.viz import find_cjk_font, has_glyphs
    >>> font = find_cjk_font()
    >>> font is None or has_glyphs(font[1], "警务")
    True
    """
    from matplotlib.ft2font import FT2Font

    try:
        font = FT2Font(str(font_path))
    except (OSError, RuntimeError, ValueError):
        return False
    return all(font.get_char_index(ord(ch)) != 0 for ch in text)


def _mplfonts_candidates() -> list[Path]:
    try:
        import mplfonts
    except ImportError:
        return []
    folder = Path(mplfonts.__file__).resolve().parent / "fonts"
    return [p for p in (folder / "NotoSansCJKsc-Regular.otf", folder / "SimHei.ttf") if p.is_file()]


def _system_candidates() -> list[Path]:
    entries = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    return [Path(entries[name]) for name in _SYSTEM_CJK_FAMILIES if name in entries]


def _font_candidates() -> list[Path]:
    """Font files to try, best first: the bundled Noto Sans CJK SC, then system fonts."""
    return [*_mplfonts_candidates(), *_system_candidates()]


@lru_cache(maxsize=1)
def _cached_cjk_font() -> tuple[str, str] | None:
    return _lookup_cjk_font()


def _lookup_cjk_font() -> tuple[str, str] | None:
    from matplotlib.ft2font import FT2Font

    for path in _font_candidates():
        if not has_glyphs(path):
            continue
        font_manager.fontManager.addfont(str(path))
        return FT2Font(str(path)).family_name, str(path)
    return None


def find_cjk_font() -> tuple[str, str] | None:
    """Find and register a font with Chinese glyphs.

    Tries the Noto Sans CJK SC font shipped by ``mplfonts`` first, then common
    system fonts (Noto Sans CJK, Source Han Sans, WenQuanYi, SimHei, ...).  A
    candidate is accepted only if it really contains the glyph '警'.  The
    result is cached.

    Returns
    -------
    tuple of (str, str) or None
        ``(family_name, file_path)``, or None if no CJK font is available.

    Examples
    --------
    >>> from jingwu.viz import find_cjk_font
    >>> font = find_cjk_font()
    >>> font is None or isinstance(font[0], str)
    True
    """
    return _cached_cjk_font()


# --------------------------------------------------------------------------- theme
def set_theme(
    lang: str = "auto",
    *,
    context: str = "notebook",
    font_scale: float = 1.0,
    style: str = "whitegrid",
) -> str:
    """Apply the suite's seaborn theme and choose the label language.

    Parameters
    ----------
    lang : {"auto", "zh", "en", "both"}
        Label language (see the module docstring).  ``"auto"`` gives
        bilingual labels when a CJK font is found, English otherwise.
    context : str
        Seaborn context: ``"paper"``, ``"notebook"``, ``"talk"`` or ``"poster"``.
    font_scale : float
        Multiplier for all font sizes.
    style : str
        Seaborn style.

    Returns
    -------
    str
        The language in effect: ``"zh"``, ``"en"`` or ``"both"``.  Tables
        saved with :func:`jingwu.report.save_table` follow ``lang`` too (the
        run's language, :func:`jingwu.report.set_language`), and pandas shows
        three decimals.

    Warns
    -----
    UserWarning
        When Chinese labels were asked for (``"zh"``, ``"both"`` or ``"auto"``)
        but no font with Chinese glyphs exists; labels fall back to English.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from jingwu.viz import set_theme
    >>> set_theme("en")
    'en'
    >>> matplotlib.rcParams["axes.unicode_minus"]
    False
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    if context not in ("paper", "notebook", "talk", "poster"):
        raise ValueError(f"context must be paper, notebook, talk or poster, not {context!r}")
    if not np.isfinite(font_scale) or font_scale <= 0:
        raise ValueError(f"font_scale must be a positive number, not {font_scale!r}")

    font = find_cjk_font()
    effective = lang
    if lang == "auto":
        effective = "both" if font is not None else "en"
    if lang != "en" and font is None:
        warnings.warn(
            "no font with Chinese glyphs was found (tried mplfonts' Noto Sans CJK SC and "
            "system fonts such as Noto Sans CJK, Source Han Sans, WenQuanYi and SimHei); "
            "figures use English labels. Install the 'mplfonts' package or a CJK font "
            "to get Chinese labels.",
            UserWarning,
            stacklevel=2,
        )
        effective = "en"

    sans = ["DejaVu Sans", "Arial", "Liberation Sans"]
    if font is not None:
        sans = [font[0], *sans]
    rc = {
        "font.family": "sans-serif",
        "font.sans-serif": sans,
        "axes.unicode_minus": False,
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "savefig.bbox": "tight",
        "savefig.facecolor": "white",
        "figure.facecolor": "white",
        "legend.frameon": False,
        "svg.hashsalt": "jingwu",
        "figure.autolayout": False,
    }
    sns.set_theme(context=context, style=style, palette="colorblind",
                  font="sans-serif", font_scale=font_scale, rc=rc)
    _STATE["lang"] = effective
    _STATE["font"] = font
    # Tables need no font: they follow the language asked for.
    from . import report

    report.set_language(effective if lang == "auto" else lang)
    pd.set_option("display.precision", 3)
    return effective


def current_lang() -> str:
    """Return the label language set by :func:`set_theme` (``"en"`` before any call).

    Examples
    --------
    >>> from jingwu.viz import current_lang, set_theme
    >>> _ = set_theme("en"); current_lang()
    'en'
    """
    return str(_STATE["lang"])


def _resolve_lang(lang: str | None) -> str:
    if lang is None or lang == "auto":
        return current_lang()
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS} or None, not {lang!r}")
    return lang


def label_for(key: Any, lang: str | None = None, *, sep: str = " / ") -> str:
    """Label a category, area type or column in Chinese, English or both.

    Wraps :func:`jingwu.report.label_text` (the schema's labels plus result
    columns such as ``att``), so figures and tables share one label table.
    Unknown keys come back as text,
    unchanged, so labelling never fails a plot.

    Parameters
    ----------
    key : object
        A category code, area type or column name.
    lang : {"zh", "en", "both"} or None
        None (or ``"auto"``) uses the language set by :func:`set_theme`.
    sep : str
        Separator of the bilingual form.

    Examples
    --------
    >>> from jingwu.viz import label_for
    >>> label_for("criminal", "zh"), label_for("criminal", "en")
    ('刑事', 'Criminal')
    >>> label_for("clearance_rate", "both")
    '破案率 / Clearance rate'
    >>> label_for("S01", "both")
    'S01'
    """
    from .report import label_text  # the same label table as the tables' headers

    lang = _resolve_lang(lang)
    text = str(key)
    if lang in ("zh", "en"):
        return label_text(text, lang)
    zh, en = label_text(text, "zh"), label_text(text, "en")
    return zh if zh == en else f"{zh}{sep}{en}"


# --------------------------------------------------------------------------- helpers
def _require(df: pd.DataFrame, columns: Iterable[str | None], what: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{what} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c is not None and c not in df.columns]
    if missing:
        raise ValueError(f"{what} has no column(s) {missing}; columns are {list(df.columns)}")


def _new_ax(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    if ax is not None:
        if not isinstance(ax, Axes):
            raise ValueError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
        return ax
    _, ax = plt.subplots(figsize=figsize)
    return ax


def _as_plottable(s: pd.Series) -> pd.Series:
    """Periods (monthly panels) become timestamps so matplotlib can place them."""
    if isinstance(s.dtype, pd.PeriodDtype):
        return s.dt.to_timestamp()
    return s


def _order(values: Iterable[Any]) -> list[Any]:
    """Categories in schema order, anything else sorted."""
    uniq = list(pd.unique(pd.Series(list(values))))
    known = [c for c in (*CATEGORIES, "all", *AREA_TYPES) if c in uniq]
    rest = [v for v in uniq if v not in known]
    try:
        rest = sorted(rest)
    except TypeError:
        rest = sorted(rest, key=str)
    return known + rest


def _palette(keys: Sequence[Any], lang: str) -> dict[str, Any]:
    """Colours keyed by label: fixed colours for categories, the theme's otherwise."""
    base = sns.color_palette(n_colors=max(len(keys), 1))
    return {
        label_for(k, lang): CATEGORY_COLORS.get(str(k), base[i]) for i, k in enumerate(keys)
    }


def _finish(ax: Axes, *, title: str | None, xlabel: str | None, ylabel: str | None) -> None:
    if title is not None:
        ax.set_title(title)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)


# --------------------------------------------------------------------------- plots
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
        plot_kw.update(hue="_hue", hue_order=[label_for(g, lang) for g in groups],
                       palette=_palette(groups, lang))
    plot_kw.update(kwargs)
    sns.lineplot(data=data, x=x, y=y, ax=ax, **plot_kw)
    if lower is not None:
        pal = _palette(groups, lang) if hue is not None else {None: ax.lines[-1].get_color()}
        for g in groups:
            part = data if g is None else data[data[hue] == g]
            part = part.sort_values(x)
            colour = pal[None] if g is None else pal[label_for(g, lang)]
            ax.fill_between(part[x], part[lower], part[upper], color=colour, alpha=0.2, lw=0)
    if hue is not None and ax.get_legend() is not None:
        ax.get_legend().set_title(label_for(hue, lang))
    if pd.api.types.is_datetime64_any_dtype(data[x]):
        locator = mdates.AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    _finish(ax, title=title, xlabel=xlabel if xlabel is not None else label_for(x, lang),
            ylabel=ylabel if ylabel is not None else label_for(y, lang))
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
        .groupby(["_period", category_col], observed=True)[count_col].sum()
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
        ax.bar(xs, shares[cat].to_numpy(), bottom=bottom, label=lab, color=pal[lab],
               width=0.8, edgecolor="white", linewidth=0.5)
        bottom += shares[cat].to_numpy()
    step = max(1, len(xs) // 12)
    ax.set_xticks(xs[::step], list(shares.index[::step]),
                  rotation=0 if freq == "Y" else 45, ha="center" if freq == "Y" else "right")
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(mticker.PercentFormatter(1.0))
    ax.grid(axis="x", visible=False)
    ax.legend(title=label_for(category_col, lang), bbox_to_anchor=(1.01, 1), loc="upper left")
    period_word = {"Y": ("年份", "Year"), "Q": ("季度", "Quarter"), "M": ("月份", "Month")}[freq]
    share_word = ("占比", "Share")
    _finish(ax, title=title,
            xlabel=xlabel if xlabel is not None else _bilingual(period_word, lang),
            ylabel=ylabel if ylabel is not None else _bilingual(share_word, lang))
    return ax


def _bilingual(pair: tuple[str, str], lang: str) -> str:
    zh, en = pair
    return {"zh": zh, "en": en}.get(lang, f"{zh} / {en}")


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
            dark = norm(v) > 0.55
        ax.text(pos + 0.5, row_of[d] + 0.5, text, ha="center", va="center",
                fontsize="x-small", color="white" if dark else "black")
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
            numeric = [c for c in demand_per_year.columns
                       if c != station_col and pd.api.types.is_numeric_dtype(demand_per_year[c])]
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
        sns.scatterplot(data=data, x="_demand", y=officers_col, hue="_hue",
                        hue_order=[label_for(g, lang) for g in groups], ax=ax, s=45)
        if ax.get_legend() is not None:
            sns.move_legend(ax, "upper left", bbox_to_anchor=(1.01, 1),
                            title=label_for(hue, lang))
    else:
        sns.scatterplot(data=data, x="_demand", y=officers_col, ax=ax, s=45)
    x = data["_demand"].to_numpy(dtype=float)
    y = data[officers_col].to_numpy(dtype=float)
    ratio = y.sum() / x.sum() if x.sum() > 0 else np.nan
    if reference and np.isfinite(ratio):
        xs = np.array([0.0, np.nanmax(x) * 1.05])
        ax.plot(xs, ratio * xs, ls="--", color="0.4", lw=1,
                label=_bilingual(("按警情比例配置", "Proportional staffing"), lang))
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles, labels, title=label_for(hue, lang) if use_hue else None,
                  bbox_to_anchor=(1.01, 1), loc="upper left")
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
        ax.annotate(str(data[station_col].iloc[i]), (x[i], y[i]), xytext=(3, 3),
                    textcoords="offset points", fontsize="x-small")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    zh_x, en_x = f"{label(str(demand_name), 'zh')}(每年)", f"{label(str(demand_name), 'en')} per year"
    _finish(ax, title=title,
            xlabel=xlabel if xlabel is not None else _bilingual((zh_x, en_x), lang),
            ylabel=ylabel if ylabel is not None else label_for(officers_col, lang))
    return ax


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
        err = np.vstack([est - part[lower].to_numpy(dtype=float),
                         part[upper].to_numpy(dtype=float) - est])
        if np.any(err < -1e-12):
            raise ValueError(f"intervals must contain the estimates ({lower} <= {estimate} <= {upper})")
        err = np.clip(err, 0, None)
        lab = None if g is None else label_for(g, lang)
        if vertical:
            pos = part[event_time].to_numpy(dtype=float) + off
            ax.errorbar(pos, est, yerr=err, fmt="o", color=colour, capsize=2, ms=4, lw=1.2,
                        label=lab)
        else:
            pos = np.array([pos_of[t] for t in part[term]], dtype=float) + off
            ax.errorbar(est, pos, xerr=err, fmt="o", color=colour, capsize=2, ms=4, lw=1.2,
                        label=lab)
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
    _finish(ax, title=title, xlabel=xlabel if xlabel is not None else default_x,
            ylabel=ylabel if ylabel is not None else default_y)
    return ax

