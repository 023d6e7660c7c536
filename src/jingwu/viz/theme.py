"""Theme, CJK font and the label language of figures."""

from __future__ import annotations

import os
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import font_manager

from ..schema import CATEGORIES

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
    sns.set_theme(
        context=context, style=style, palette="colorblind", font="sans-serif", font_scale=font_scale, rc=rc
    )
    _STATE["lang"] = effective
    _STATE["font"] = font
    # Tables need no font: they follow the language asked for.
    from .. import report

    report.set_language(effective if lang == "auto" else lang)
    report.show_labelled_tables(True)  # frames shown in a notebook get the same headers
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
    from ..report import label_text  # the same label table as the tables' headers

    lang = _resolve_lang(lang)
    text = str(key)
    if lang in ("zh", "en"):
        return label_text(text, lang)
    zh, en = label_text(text, "zh"), label_text(text, "en")
    return zh if zh == en else f"{zh}{sep}{en}"
