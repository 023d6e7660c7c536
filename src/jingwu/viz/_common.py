"""Small helpers shared by the plots: checks, axes, order, colours, labels."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from ..schema import AREA_TYPES, CATEGORIES
from .theme import CATEGORY_COLORS, label_for


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
    return {label_for(k, lang): CATEGORY_COLORS.get(str(k), base[i]) for i, k in enumerate(keys)}


def _finish(ax: Axes, *, title: str | None, xlabel: str | None, ylabel: str | None) -> None:
    if title is not None:
        ax.set_title(title)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)


def _bilingual(pair: tuple[str, str], lang: str) -> str:
    zh, en = pair
    return {"zh": zh, "en": en}.get(lang, f"{zh} / {en}")
