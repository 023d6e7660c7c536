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

from .coefficients import plot_coefficients
from .plots import plot_category_mix, plot_series, plot_staffing_vs_demand, plot_station_grid
from .theme import (  # the private names: used as jingwu.viz.<name> by the cluster plots before
    _STATE,  # noqa: F401
    CATEGORY_COLORS,
    LANGS,
    _cached_cjk_font,  # noqa: F401
    _font_candidates,  # noqa: F401
    _resolve_lang,  # noqa: F401
    current_lang,
    find_cjk_font,
    has_glyphs,
    label_for,
    set_theme,
)

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
