"""Publishable outputs: figures, tables and the numbers quoted in the text.

Everything the notebooks publish goes through three functions, so every
figure, table and number traces back to the code that made it:

:func:`save_fig`
    ``reports/figures/<prefix>_<name>.png`` (and optionally ``.pdf``/``.svg``),
    with fixed metadata so a re-run gives identical bytes;
:func:`save_table`
    ``reports/tables/<prefix>_<name>.{csv,md,tex}``, with optional small-cell
    suppression (via :func:`jingwu.privacy.suppress_small_cells`) for
    publication;
:func:`record_value`
    one entry of ``reports/values.json``, rounded to a fixed number of
    significant digits, read back with :func:`value`.

Locations come from :mod:`jingwu.paths` (``JINGWU_REPORTS`` overrides the
reports directory) and every file is written atomically.

Examples
--------
>>> import os, tempfile
>>> from jingwu import report
>>> with tempfile.TemporaryDirectory() as tmp:
...     os.environ["JINGWU_REPORTS"] = tmp
...     try:
...         report.record_value("03.att_clearance", 0.0412345678, unit="share")
...         print(report.value("03.att_clearance"))
...     finally:
...         del os.environ["JINGWU_REPORTS"]
0.0412346
0.0412346
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import difflib
import json
import math
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import paths
from .privacy import suppress_small_cells
from .schema import label

__all__ = [
    "SIGNIFICANT_DIGITS",
    "COUNT_COLUMNS",
    "save_fig",
    "save_table",
    "to_markdown",
    "to_latex",
    "record_value",
    "load_values",
    "value",
    "SavedFiles",
    "RESULT_LABELS",
    "set_language",
    "current_language",
    "label_text",
    "labelled",
    "text",
    "format_effect",
    "findings",
    "web_font_css",
    "embed_web_font",
    "strip_noise",
    "heading_text",
    "localize_headings",
    "notebook_title",
    "notebook_html",
    "key_findings_html",
    "reports_index",
    "ETable",
    "etable",
]

#: Significant digits kept for floats in ``values.json``.
SIGNIFICANT_DIGITS = 6

#: Canonical count columns, suppressed by default when ``min_count`` is given.
COUNT_COLUMNS: tuple[str, ...] = (
    "count", "incidents", "cases", "cleared", "satisfaction_n", "satisfaction_yes", "n",
)

#: Columns whose values (codes) are labelled too when a table is labelled.
_LABELLED_VALUES = ("category", "area_type")

_FIG_FORMATS = ("png", "pdf", "svg")
_TABLE_FORMATS = ("csv", "md", "tex")
_FIG_METADATA: dict[str, dict[str, None]] = {
    # Drop the fields that carry versions or timestamps, so bytes depend only
    # on the drawing.
    "png": {"Software": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
    "svg": {"Creator": None, "Date": None},
}


# --------------------------------------------------------------------------- names
def _stem(name: str, prefix: str | int | None) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    if any(sep in name for sep in ("/", "\\", os.sep)) or name.startswith("."):
        raise ValueError(f"name must be a plain file name without directories, got {name!r}")
    if prefix is None:
        return name
    if isinstance(prefix, bool) or not isinstance(prefix, (str, int, np.integer)):
        raise ValueError(f"prefix must be a string or an int, got {prefix!r}")
    text = f"{int(prefix):02d}" if isinstance(prefix, (int, np.integer)) else prefix
    if not text or any(sep in text for sep in ("/", "\\", os.sep)):
        raise ValueError(f"prefix must be a plain name, got {prefix!r}")
    return name if name.startswith(f"{text}_") else f"{text}_{name}"


def _formats(formats: str | Sequence[str], allowed: tuple[str, ...]) -> list[str]:
    items = [formats] if isinstance(formats, str) else list(formats)
    if not items:
        raise ValueError("formats must name at least one format")
    bad = [f for f in items if f not in allowed]
    if bad:
        raise ValueError(f"unknown format(s) {bad}; choose from {allowed}")
    return list(dict.fromkeys(items))


# --------------------------------------------------------------------------- figures
class SavedFiles(dict):
    """Format -> path of the files written; shows nothing as a notebook's last line.

    Without this, a cell ending in ``save_fig(...)`` would print a dict of
    machine paths into every report.
    """

    def _ipython_display_(self) -> None:
        return None


def save_fig(
    fig: Any,
    name: str,
    *,
    prefix: str | int | None = None,
    dpi: float = 150,
    formats: str | Sequence[str] = ("png",),
    directory: str | os.PathLike[str] | None = None,
    close: bool = False,
) -> dict[str, Path]:
    """Save a figure to ``reports/figures/<prefix>_<name>.<format>``, atomically.

    Metadata that would change between runs (software version, creation
    date) is left out and SVG ids use a fixed salt, so re-running the same
    code gives byte-identical files.

    Parameters
    ----------
    fig : Figure, Axes or seaborn grid
        What to save (an Axes saves its whole figure).
    name : str
        File name without extension.
    prefix : str or int, optional
        The notebook number; ``3`` and ``"03"`` both give ``03_<name>``.
    dpi : float
        Resolution of raster formats.
    formats : str or sequence of {"png", "pdf", "svg"}
        One file per format.
    directory : path, optional
        Where to write; default :func:`jingwu.paths.figures_dir`.
    close : bool
        Close the figure afterwards (saves memory in long notebooks).

    Returns
    -------
    SavedFiles
        Format -> path written (a dict that shows nothing in a notebook).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import tempfile
    >>> import matplotlib.pyplot as plt
    >>> from jingwu.report import save_fig
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [1, 0])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = save_fig(fig, "demo", prefix=1, directory=tmp, close=True)
    ...     print(out["png"].name)
    01_demo.png
    """
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    import matplotlib as mpl

    figure = fig
    if isinstance(fig, Axes):
        figure = fig.figure
    elif not isinstance(fig, Figure) and isinstance(getattr(fig, "figure", None), Figure):
        figure = fig.figure  # seaborn FacetGrid / JointGrid
    if not isinstance(figure, Figure):
        raise ValueError(f"fig must be a matplotlib Figure or Axes, got {type(fig).__name__}")
    if isinstance(dpi, bool) or not isinstance(dpi, (int, float, np.number)) \
            or not math.isfinite(dpi) or dpi <= 0:
        raise ValueError(f"dpi must be a positive number, got {dpi!r}")
    stem = _stem(name, prefix)
    fmts = _formats(formats, _FIG_FORMATS)
    folder = Path(directory) if directory is not None else paths.figures_dir()
    written: dict[str, Path] = {}
    with mpl.rc_context({"svg.hashsalt": "jingwu"}):
        for fmt in fmts:
            def writer(tmp: Path, fmt: str = fmt) -> None:
                figure.savefig(tmp, format=fmt, dpi=dpi, bbox_inches="tight",
                               metadata=_FIG_METADATA[fmt])

            written[fmt] = paths.atomic_write(folder / f"{stem}.{fmt}", writer)
    if close:
        import matplotlib.pyplot as plt

        if "inline" in mpl.get_backend():
            # Closing would drop the figure from the notebook and its reports.
            from IPython.display import display

            display(figure)
        plt.close(figure)
    return SavedFiles(written)


# --------------------------------------------------------------------------- tables
FloatFormat = str | Callable[[float], str]


def _float_formatter(spec: FloatFormat) -> Callable[[float], str]:
    if callable(spec):
        fn = spec
    elif isinstance(spec, str):
        template = spec if "{" in spec else "{:" + spec.lstrip("%") + "}"

        def fn(x: float) -> str:
            return template.format(x)
    else:
        raise ValueError(f"float_format must be a format string or a callable, got {spec!r}")
    try:
        out = fn(1.5)
    except (ValueError, TypeError, IndexError, KeyError) as exc:
        raise ValueError(f"float_format {spec!r} cannot format a float: {exc}") from None
    if not isinstance(out, str):
        raise ValueError(f"float_format {spec!r} must return text, got {type(out).__name__}")
    return fn


def _cell_text(
    v: Any, *, float_fmt: Callable[[float], str], na_rep: str, integral: bool
) -> str:
    if v is None or (not isinstance(v, str) and pd.api.types.is_scalar(v) and pd.isna(v)):
        return na_rep
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        if integral and float(v).is_integer():
            return str(int(v))
        return float_fmt(float(v))
    if isinstance(v, pd.Period):
        return str(v)
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d") if v == v.normalize() else v.isoformat(sep=" ")
    return str(v)


def _header(col: Any, lang: str | None) -> str:
    return label_text(col, lang)


def _prepare(
    df: pd.DataFrame,
    *,
    float_format: FloatFormat | Mapping[str, FloatFormat],
    na_rep: str,
    lang: str | None,
    count_columns: Sequence[str] = (),
) -> tuple[list[str], list[list[str]], list[bool]]:
    """Headers, cell texts and right-alignment flags for a text rendering."""
    if lang not in (None, "zh", "en", "both"):
        raise ValueError(f"lang must be None, 'zh', 'en' or 'both', not {lang!r}")
    if isinstance(float_format, Mapping):
        unknown = [c for c in float_format if c not in df.columns]
        if unknown:
            raise ValueError(f"float_format names columns not in the table: {unknown}")
        default = _float_formatter("{:.3f}")
        fmts = {c: _float_formatter(float_format[c]) if c in float_format else default
                for c in df.columns}
    else:
        one = _float_formatter(float_format)
        fmts = {c: one for c in df.columns}
    headers = [_header(c, lang) for c in df.columns]
    right = []
    columns: list[list[str]] = []
    for j, c in enumerate(df.columns):
        s = df.iloc[:, j]
        numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        if not numeric and s.dtype == object:  # suppressed count columns mix ints and markers
            present = s.dropna()
            numeric = len(present) > 0 and all(
                isinstance(v, (int, float, np.number, str)) for v in present
            ) and any(isinstance(v, (int, float, np.number)) for v in present)
        right.append(bool(numeric))
        integral = c in count_columns or (
            pd.api.types.is_integer_dtype(s) and not pd.api.types.is_bool_dtype(s)
        )
        cells = [_cell_text(v, float_fmt=fmts[c], na_rep=na_rep, integral=integral) for v in s]
        if lang is not None and c in _LABELLED_VALUES:
            cells = [_header(v, lang) if v != na_rep else v for v in cells]
        columns.append(cells)
    rows = [list(r) for r in zip(*columns)] if columns else []
    return headers, rows, right


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def to_markdown(
    df: pd.DataFrame,
    *,
    float_format: FloatFormat | Mapping[str, FloatFormat] = "{:.3f}",
    na_rep: str = "",
    lang: str | None = None,
    caption: str | None = None,
) -> str:
    """Render a frame as a GitHub/pandoc pipe table (no ``tabulate`` needed).

    Numeric columns are right-aligned.  The index is not shown; call
    ``reset_index()`` first to keep it.  A caption is written after the
    table in pandoc's ``Table:`` form.

    Examples
    --------
    >>> import pandas as pd
    >>> from jingwu.report import to_markdown
    >>> print(to_markdown(pd.DataFrame({"category": ["fraud"], "share": [0.25]}), lang="zh"))
    | 警情类别 |  占比 |
    |:---------|------:|
    | 电诈     | 0.250 |
    """
    headers, rows, right = _prepare(df, float_format=float_format, na_rep=na_rep, lang=lang)
    return _md(headers, rows, right, caption)


def _md(headers: list[str], rows: list[list[str]], right: list[bool], caption: str | None) -> str:
    headers = [_md_escape(h) for h in headers]
    rows = [[_md_escape(v) for v in r] for r in rows]
    widths = [max([_width(h), 3, *(_width(r[j]) for r in rows)]) for j, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(
            _pad(cell, w, right=r) for cell, w, r in zip(cells, widths, right)
        ) + " |"

    sep = "|" + "|".join(
        ("-" * (w + 1) + ":") if r else (":" + "-" * (w + 1)) for w, r in zip(widths, right)
    ) + "|"
    out = [line(headers), sep, *(line(r) for r in rows)]
    if caption:
        out += ["", f"Table: {_md_escape(caption)}"]
    return "\n".join(out)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns, so tables line up in editors."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int, *, right: bool) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
    "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}", "<": r"\textless{}", ">": r"\textgreater{}",
}


def _tex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def _tex_number(text: str) -> str:
    escaped = _tex_escape(text)
    return "$-$" + escaped[1:] if escaped.startswith("-") and len(escaped) > 1 else escaped


def to_latex(
    df: pd.DataFrame,
    *,
    float_format: FloatFormat | Mapping[str, FloatFormat] = "{:.3f}",
    na_rep: str = "",
    lang: str | None = None,
    caption: str | None = None,
    label: str | None = None,
    note: str | None = None,
) -> str:
    """Render a frame as a booktabs LaTeX table with pandas' ``Styler.to_latex``.

    Cells and headers are escaped (``<5`` becomes ``\\textless{}5``; minus
    signs of numbers become ``$-$``).  With a ``caption`` or ``label`` the
    tabular is wrapped in a centred ``table`` float; without, the bare
    ``tabular`` is returned for ``\\input`` into your own float.  A first
    comment line names the packages (``booktabs``; ``graphicx`` when a table
    wider than a page is shrunk to ``\\linewidth`` with ``\\resizebox``) and
    the engine: pdflatex, or XeLaTeX with ``ctex`` when the table holds
    Chinese.  ``caption`` and ``note`` are inserted as LaTeX, unescaped.

    Examples
    --------
    >>> import pandas as pd
    >>> from jingwu.report import to_latex
    >>> print(to_latex(pd.DataFrame({"station_id": ["S01"], "effect": [-0.5]})))
    % Generated by jingwu. Compiles with pdflatex or XeLaTeX; needs \\usepackage{booktabs}.
    \\begin{tabular}{lr}
    \\toprule
    station\\_id & effect \\\\
    \\midrule
    S01 & $-$0.500 \\\\
    \\bottomrule
    \\end{tabular}
    <BLANKLINE>
    """
    headers, rows, right = _prepare(df, float_format=float_format, na_rep=na_rep, lang=lang)
    return _tex(headers, rows, right, caption=caption, label=label, note=note)


#: Widest table (in characters of its widest cells plus gaps) set at full size;
#: wider ones are scaled to ``\linewidth`` with ``\resizebox``.
_TEX_MAX_CHARS = 90


def _tex_width(headers: list[str], rows: list[list[str]]) -> int:
    cols = [[h, *(r[j] for r in rows)] for j, h in enumerate(headers)]
    return sum(max(_width(v) for v in col) + 2 for col in cols)


def _has_cjk(text: str) -> bool:
    return any(ord(ch) >= 0x2E80 for ch in text)


def _tex_preamble_comment(tex: str) -> str:
    """First lines of a .tex table: the packages it needs and the engine."""
    needs = ["booktabs"] + (["graphicx"] if "\\resizebox" in tex else [])
    pkgs = ", ".join(needs)
    if _has_cjk(tex):
        return ("% Generated by jingwu. Holds Chinese: compile with XeLaTeX and\n"
                f"% \\documentclass{{ctexart}} (or \\usepackage{{ctex}}); needs \\usepackage{{{pkgs}}}.\n")
    return f"% Generated by jingwu. Compiles with pdflatex or XeLaTeX; needs \\usepackage{{{pkgs}}}.\n"


def _tex(headers: list[str], rows: list[list[str]], right: list[bool], *,
         caption: str | None, label: str | None, note: str | None) -> str:
    body = pd.DataFrame(
        [[(_tex_number(v) if r else _tex_escape(v)) for v, r in zip(row, right)] for row in rows],
        columns=pd.Index([_tex_escape(h) for h in headers]),
        dtype=object,
    )
    if body.columns.duplicated().any():
        raise ValueError("column headers must be unique")
    float_env = caption is not None or label is not None
    tex = body.style.hide(axis="index").to_latex(
        column_format="".join("r" if r else "l" for r in right),
        hrules=True,
        caption=caption,
        label=label,
        position_float="centering" if float_env else None,
    )
    if _tex_width(headers, rows) > _TEX_MAX_CHARS:
        # Shrink (never enlarge) a wide table to the line width.
        tex = tex.replace("\\begin{tabular}",
                          "\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}{%\n"
                          "\\begin{tabular}", 1)
        tex = tex.replace("\\end{tabular}\n", "\\end{tabular}}\n", 1)
    if note:
        end = "\\end{tabular}}\n" if "\\resizebox" in tex else "\\end{tabular}\n"
        tex = tex.replace(end, end + "\\par\\smallskip{\\footnotesize " + note + "}\n", 1)
    return _tex_preamble_comment(tex) + tex


def save_table(
    df: pd.DataFrame,
    name: str,
    *,
    prefix: str | int | None = None,
    formats: str | Sequence[str] = _TABLE_FORMATS,
    min_count: int | None = None,
    count_columns: Sequence[str] | None = None,
    marker: str | None = None,
    float_format: FloatFormat | Mapping[str, FloatFormat] = "{:.3f}",
    na_rep: str = "",
    caption: str | None = None,
    label: str | None = None,
    lang: str | None = "auto",
    index: bool | None = None,
    directory: str | os.PathLike[str] | None = None,
) -> dict[str, Path]:
    """Save a table as ``reports/tables/<prefix>_<name>.{csv,md,tex}``, atomically.

    The CSV is for machines: canonical column names and floats to 10
    significant digits (stable across platforms).  The Markdown and LaTeX
    versions are for papers: floats formatted with ``float_format`` and
    headers optionally labelled in Chinese and/or English.

    Parameters
    ----------
    df : DataFrame
        The table (not modified).
    name : str
        File name without extension.
    prefix : str or int, optional
        The notebook number (``3`` gives ``03_<name>``).
    formats : str or sequence of {"csv", "md", "tex"}
        Files to write.
    min_count : int, optional
        Publish-safe output: counts ``0 < x < min_count`` in ``count_columns``
        are replaced by ``marker`` in every format (primary suppression, by
        :func:`jingwu.privacy.suppress_small_cells`), and the Markdown and
        LaTeX files get a note saying so.
    count_columns : sequence of str, optional
        Columns to suppress; default the canonical count columns present
        (:data:`COUNT_COLUMNS`).  Required when the table has none of them.
    marker : str, optional
        Replacement text; default ``"<{min_count}"``.
    float_format : str, callable or mapping
        How Markdown and LaTeX show floats: a ``str.format`` template
        (``"{:.1%}"``), a format spec (``".2f"``), a callable, or a mapping
        of column -> one of those (other columns use ``"{:.3f}"``).
    na_rep : str
        Text for missing values in Markdown and LaTeX.
    caption, label : str, optional
        LaTeX caption and ``\\label`` (the caption also goes under the
        Markdown table).
    lang : {"auto", "zh", "en", "both"} or None
        Label the Markdown and LaTeX headers (:func:`label_text`), and the
        codes in ``category`` and ``area_type`` columns.  ``"auto"`` (default)
        uses the run's language (:func:`set_language`, set by
        :func:`jingwu.viz.set_theme`); None keeps code names.  The CSV always
        keeps the code names.
    index : bool, optional
        Write the index as columns; default only when it is not a plain
        ``RangeIndex``.
    directory : path, optional
        Where to write; default :func:`jingwu.paths.tables_dir`.

    Returns
    -------
    dict
        Format -> path written.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> from jingwu.report import save_table
    >>> t = pd.DataFrame({"station_id": ["S01", "S02"], "cases": [3, 120],
    ...                   "clearance_rate": [0.3333, 0.4125]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = save_table(t, "clearance", prefix=3, min_count=5, directory=tmp)
    ...     print(sorted(p.name for p in out.values()))
    ...     print(out["csv"].read_text())
    ['03_clearance.csv', '03_clearance.md', '03_clearance.tex']
    station_id,cases,clearance_rate
    S01,<5,0.3333
    S02,120,0.4125
    <BLANKLINE>
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    stem = _stem(name, prefix)
    fmts = _formats(formats, _TABLE_FORMATS)
    lang = _resolve(lang)
    if index is None:
        index = not (
            isinstance(df.index, pd.RangeIndex) and df.index.name is None
            and df.index.start == 0 and df.index.step == 1
        )
    table = df.reset_index() if index else df.reset_index(drop=True)
    if isinstance(table.columns, pd.MultiIndex):
        table.columns = [" ".join(str(p) for p in c if str(p)) for c in table.columns]
    if table.columns.duplicated().any():
        dup = sorted({str(c) for c in table.columns[table.columns.duplicated()]})
        raise ValueError(f"column names must be unique; duplicated: {dup}")

    note = None
    counts: list[str] = []
    if min_count is not None:
        if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) \
                or min_count < 1:
            raise ValueError(f"min_count must be a positive integer, got {min_count!r}")
        if count_columns is None:
            counts = [c for c in COUNT_COLUMNS if c in table.columns]
            if not counts:
                raise ValueError(
                    f"min_count needs count_columns: the table has none of the canonical "
                    f"count columns {COUNT_COLUMNS}"
                )
        else:
            counts = [count_columns] if isinstance(count_columns, str) else list(count_columns)
            missing = [c for c in counts if c not in table.columns]
            if missing:
                raise ValueError(f"count_columns not in the table: {missing}")
        marker = f"<{min_count}" if marker is None else str(marker)
        for c in counts:  # whole-number float counts (NaN forced float) back to integers
            col = table[c]
            if pd.api.types.is_float_dtype(col):
                present = col.dropna().to_numpy()
                if np.all(present == np.round(present)):
                    table[c] = col.astype("Int64")
        table = suppress_small_cells(table, int(min_count), counts, marker)
        note_en = f"Counts from 1 to {min_count - 1} are suppressed (shown as {marker})."
        note_zh = f"1至{min_count - 1}的小计数已隐去(显示为{marker})。"
        note_text = {"zh": note_zh, "both": f"{note_zh} {note_en}"}.get(lang or "en", note_en)
        note = note_text
    elif count_columns is not None or marker is not None:
        raise ValueError("count_columns and marker only apply together with min_count")

    folder = Path(directory) if directory is not None else paths.tables_dir()
    written: dict[str, Path] = {}
    for fmt in fmts:
        target = folder / f"{stem}.{fmt}"
        mode = _existing_mode(target)
        if fmt == "csv":
            text = _formula_safe(table).to_csv(index=False, float_format="%.10g", lineterminator="\n")
        else:
            headers, rows, right = _prepare(table, float_format=float_format, na_rep=na_rep,
                                            lang=lang, count_columns=counts)
            if fmt == "md":
                text = _md(headers, rows, right, caption)
                text += ("\n\n" + _md_escape(note) if note else "") + "\n"
            else:
                text = _tex(headers, rows, right, caption=caption, label=label,
                            note=_tex_escape(note) if note else None)
        written[fmt] = paths.atomic_write_text(target, text)
        if mode is not None:
            os.chmod(target, mode)  # a shared table keeps the permissions its owner gave it
    return SavedFiles(written)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?"


def _existing_mode(target: Path) -> int | None:
    import stat

    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return None


def _formula_safe(table: pd.DataFrame) -> pd.DataFrame:
    """Neutralise text cells a spreadsheet would run as formulas (CSV injection).

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    gets a leading apostrophe, as OWASP recommends, so Excel and WPS show it
    as text; numbers (``-3``, ``+1.5``) are left alone.  Headers too.

    Examples
    --------
    >>> _formula_safe(pd.DataFrame({"a": ["=1+1", "-3", "ok", "@SUM(A1)"]}))["a"].tolist()
    ["'=1+1", '-3', 'ok', "'@SUM(A1)"]
    """
    import re

    number = re.compile(_PLAIN_NUMBER)

    def guard(v: Any) -> Any:
        if isinstance(v, str) and v.startswith(_FORMULA_START) and not number.fullmatch(v):
            return "'" + v
        return v

    out = table.copy()
    for c in out.columns:
        col = out[c]
        if col.dtype == object or pd.api.types.is_string_dtype(col) \
                or isinstance(col.dtype, pd.CategoricalDtype):
            out[c] = col.astype(object).map(guard)
    out.columns = [guard(str(c)) for c in out.columns]
    return out


# --------------------------------------------------------------------------- values
def _normalise(v: Any, digits: int, key: str) -> Any:
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        x = float(v)
        if not math.isfinite(x):
            raise ValueError(f"value for {key!r} is {x}; record finite numbers only")
        rounded = float(f"{x:.{digits}g}")
        return 0.0 if rounded == 0 else rounded
    if isinstance(v, (pd.Timestamp, _dt.datetime, _dt.date)):
        return v.isoformat()
    if isinstance(v, pd.Period):
        return str(v)
    if isinstance(v, np.ndarray):
        return _normalise(v.tolist() if v.ndim else v.item(), digits, key)
    if isinstance(v, (list, tuple)):
        return [_normalise(x, digits, key) for x in v]
    if isinstance(v, Mapping):
        return {str(k): _normalise(x, digits, key) for k, x in v.items()}
    raise ValueError(
        f"value for {key!r} has type {type(v).__name__}; record numbers, text, dates "
        f"or lists/dicts of them"
    )


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Serialise read-merge-write of values.json between processes (POSIX only)."""
    try:
        import fcntl
    except ImportError:  # Windows: no locking, the write itself is still atomic
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _read(path: Path) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON ({exc}); delete it and re-run") from None
    if not isinstance(data, dict) or not all(
        isinstance(e, dict) and "value" in e for e in data.values()
    ):
        raise ValueError(f"{path} is not a jingwu values file; delete it and re-run")
    return data


def _dump(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def record_value(
    key: str,
    value: Any,
    *,
    unit: str | None = None,
    description: str | None = None,
    path: str | os.PathLike[str] | None = None,
    digits: int = SIGNIFICANT_DIGITS,
) -> Any:
    """Record a number quoted in the text in ``reports/values.json``.

    The file is read, the entry merged and the whole file rewritten
    atomically (under a lock, so notebooks may run in parallel).  Keys are
    sorted and floats rounded to ``digits`` significant digits, so recording
    the same values again gives a byte-identical file.  NumPy and pandas
    scalars are converted; NaN and infinity are refused.

    Parameters
    ----------
    key : str
        Name of the number; prefix it with the notebook number
        (``"03.att_clearance"``).
    value : number, str, date, or list/dict of them
        The value.
    unit, description : str, optional
        Stored next to the value.
    path : path, optional
        The values file; default :func:`jingwu.paths.values_path`.
    digits : int
        Significant digits kept for floats.

    Returns
    -------
    object
        The value as stored (rounded).

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from pathlib import Path
    >>> from jingwu.report import record_value, load_values
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     f = Path(tmp) / "values.json"
    ...     record_value("01.mase", np.float64(0.812345678), path=f)
    ...     record_value("00.n_stations", np.int64(48), path=f)
    ...     print(load_values(f))
    0.812346
    48
    {'00.n_stations': 48, '01.mase': 0.812346}
    """
    if not isinstance(key, str) or not key.strip():
        raise ValueError(f"key must be a non-empty string, got {key!r}")
    if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)) or not 1 <= digits <= 17:
        raise ValueError(f"digits must be an integer from 1 to 17, got {digits!r}")
    for what, text in (("unit", unit), ("description", description)):
        if text is not None and not isinstance(text, str):
            raise ValueError(f"{what} must be a string, got {text!r}")
    stored = _normalise(value, int(digits), key)
    entry: dict[str, Any] = {"value": stored}
    if unit is not None:
        entry["unit"] = unit
    if description is not None:
        entry["description"] = description
    target = Path(path) if path is not None else paths.values_path()
    with _locked(target):
        data = _read(target)
        old = _dump(data) if target.exists() else None
        data[key] = entry
        text = _dump(data)
        if text != old:
            paths.atomic_write_text(target, text)
    return stored


def load_values(
    path: str | os.PathLike[str] | None = None, *, full: bool = False
) -> dict[str, Any]:
    """Read ``values.json``: key -> value, or key -> entry (value, unit, description).

    A missing file gives an empty dict.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from jingwu.report import record_value, load_values
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     f = Path(tmp) / "values.json"
    ...     _ = record_value("x", 1.5, unit="min", path=f)
    ...     load_values(f, full=True)
    {'x': {'unit': 'min', 'value': 1.5}}
    """
    data = _read(Path(path) if path is not None else paths.values_path())
    return data if full else {k: e["value"] for k, e in data.items()}


def value(key: str, path: str | os.PathLike[str] | None = None) -> Any:
    """Return one recorded value (raises ``KeyError`` naming close matches if absent).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from jingwu.report import record_value, value
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     f = Path(tmp) / "values.json"
    ...     _ = record_value("04.officers_moved", 37, path=f)
    ...     value("04.officers_moved", path=f)
    37
    """
    target = Path(path) if path is not None else paths.values_path()
    data = _read(target)
    if key not in data:
        if not data:
            raise KeyError(f"{key!r}: {target} has no values yet; run the notebooks first")
        close = difflib.get_close_matches(key, list(data), n=3)
        hint = f"; did you mean {close}?" if close else ""
        raise KeyError(f"{key!r} is not in {target}{hint}")
    return data[key]["value"]


# --------------------------------------------------------------------------- language
#: zh/en names of the columns that result tables use (estimates, diagnostics,
#: accuracy), so published headers read as words, not code names.  Canonical
#: data columns are labelled by :func:`jingwu.schema.label`.
RESULT_LABELS: dict[str, dict[str, str]] = {
    "att": {"zh": "效应估计", "en": "Estimate"},
    "estimate": {"zh": "估计值", "en": "Estimate"},
    "se": {"zh": "标准误", "en": "SE"},
    "ci_lower": {"zh": "95%置信区间下限", "en": "95% CI lower"},
    "ci_upper": {"zh": "95%置信区间上限", "en": "95% CI upper"},
    "t": {"zh": "t 值", "en": "t"},
    "t_stat": {"zh": "t 值", "en": "t"},
    "p_value": {"zh": "p 值", "en": "p-value"},
    "estimator": {"zh": "估计方法", "en": "Estimator"},
    "label": {"zh": "估计方法", "en": "Estimator"},
    "outcome": {"zh": "结果变量", "en": "Outcome"},
    "truth": {"zh": "真实效应", "en": "True effect"},
    "covers_truth": {"zh": "区间覆盖真值", "en": "CI covers truth"},
    "naive": {"zh": "简单前后对比", "en": "Naive before/after"},
    "naive_over_truth": {"zh": "前后对比/真实效应", "en": "Naive / truth"},
    "n_obs": {"zh": "观测数", "en": "N obs."},
    "n_units": {"zh": "单位数", "en": "N units"},
    "n_clusters": {"zh": "聚类数", "en": "N clusters"},
    "control_group": {"zh": "对照组", "en": "Control group"},
    "event_time": {"zh": "相对采用期", "en": "Periods since adoption"},
    "group": {"zh": "采用批次", "en": "Cohort"},
    "cohort": {"zh": "采用批次", "en": "Cohort"},
    "time": {"zh": "时期", "en": "Period"},
    "period": {"zh": "时期", "en": "Period"},
    "weight": {"zh": "权重", "en": "Weight"},
    "weights": {"zh": "权重类型", "en": "Weights"},
    "draws": {"zh": "抽样次数", "en": "Draws"},
    "twfe": {"zh": "双向固定效应", "en": "TWFE"},
    "type": {"zh": "类型", "en": "Type"},
    "forbidden": {"zh": "以已处理为对照", "en": "Already-treated controls"},
    "archetype": {"zh": "派出所类型", "en": "Station type"},
    "total": {"zh": "合计", "en": "Total"},
    "model": {"zh": "模型", "en": "Model"},
    "unique_id": {"zh": "序列", "en": "Series"},
    "mase": {"zh": "MASE", "en": "MASE"},
    "mase_vs_snaive": {"zh": "MASE/季节朴素", "en": "MASE vs seasonal naive"},
    "rmsse": {"zh": "RMSSE", "en": "RMSSE"},
    "smape": {"zh": "sMAPE", "en": "sMAPE"},
    "bias": {"zh": "偏差", "en": "Bias"},
    "coverage_80": {"zh": "80%区间覆盖率", "en": "80% coverage"},
    "coverage_95": {"zh": "95%区间覆盖率", "en": "95% coverage"},
    "winkler_95": {"zh": "95% Winkler 分数", "en": "95% Winkler score"},
    "pretrend_chi2": {"zh": "预趋势卡方", "en": "Pre-trend χ²"},
    "pretrend_p": {"zh": "预趋势 p 值", "en": "Pre-trend p"},
    "df": {"zh": "自由度", "en": "df"},
    "effect_q3": {"zh": "一年效应", "en": "One-year effect"},
    "breakdown_Mbar": {"zh": "临界 M̄(相对幅度)", "en": "Breakdown M̄ (relative)"},
    "breakdown_M_smooth": {"zh": "临界 M(平滑)", "en": "Breakdown M (smoothness)"},
    "Mbar": {"zh": "M̄", "en": "M̄"},
    "lb": {"zh": "下限", "en": "Lower"},
    "ub": {"zh": "上限", "en": "Upper"},
    "id_lb": {"zh": "识别集下限", "en": "Identified set lower"},
    "id_ub": {"zh": "识别集上限", "en": "Identified set upper"},
    "cluster": {"zh": "聚类", "en": "Cluster"},
    "k": {"zh": "聚类数 k", "en": "k"},
    "share": {"zh": "占比", "en": "Share"},
    "n": {"zh": "数量", "en": "N"},
    "officers_needed": {"zh": "所需民警", "en": "Officers needed"},
    "officers_per_call": {"zh": "每起出警民警", "en": "Officers per call"},
    "committed_share": {"zh": "出警时间占比", "en": "Committed time share"},
    "year": {"zh": "年份", "en": "Year"},
    "stations": {"zh": "派出所数", "en": "Stations"},
    "incidents_2024": {"zh": "2024年警情数", "en": "Incidents, 2024"},
    "archetype_en": {"zh": "派出所类型", "en": "Station type"},
    "districts": {"zh": "警区", "en": "Districts"},
    "table": {"zh": "表", "en": "Table"},
    "column": {"zh": "列名", "en": "Column"},
    "kind": {"zh": "类型", "en": "Kind"},
    "required": {"zh": "必填", "en": "Required"},
    "label_zh": {"zh": "中文名", "en": "Chinese name"},
    "label_en": {"zh": "英文名", "en": "English name"},
    "key": {"zh": "主键", "en": "Key"},
    "trust": {"zh": "信任", "en": "Trust"},
    "n_comparisons": {"zh": "比较数", "en": "Comparisons"},
    "contribution": {"zh": "贡献", "en": "Contribution"},
    "commercial_core": {"zh": "商业核心区", "en": "Commercial core"},
    "residential": {"zh": "居住社区", "en": "Residential community"},
    "transit_hub": {"zh": "交通枢纽", "en": "Transport hub"},
    "safety": {"zh": "安全感", "en": "Safety"},
}

_RUN: dict[str, str | None] = {"lang": None}


def set_language(lang: str | None) -> None:
    """Set the language of the run: the default ``lang`` of tables.

    :func:`jingwu.viz.set_theme` calls this, so a notebook's ``LANGUAGE``
    parameter reaches both its figures and its tables.  None restores code
    names.

    Examples
    --------
    >>> from jingwu import report
    >>> report.set_language("zh"); report.current_language()
    'zh'
    >>> report.set_language(None)
    """
    if lang not in (None, "zh", "en", "both"):
        raise ValueError(f"lang must be None, 'zh', 'en' or 'both', not {lang!r}")
    _RUN["lang"] = lang


def current_language() -> str | None:
    """The language set by :func:`set_language` (None: code names).

    Examples
    --------
    >>> from jingwu import report
    >>> report.set_language(None); report.current_language() is None
    True
    """
    return _RUN["lang"]


def _resolve(lang: str | None) -> str | None:
    return current_language() if lang == "auto" else lang


def label_text(key: Any, lang: str | None) -> str:
    """Human name of a column or code in ``lang`` (``"both"``: ``zh / en``).

    Looks in :data:`RESULT_LABELS`, then :func:`jingwu.schema.label`;
    unknown keys come back unchanged.

    Examples
    --------
    >>> from jingwu.report import label_text
    >>> label_text("ci_lower", "zh"), label_text("fraud", "both"), label_text("S01", "en")
    ('95%置信区间下限', '电诈 / Telecom fraud', 'S01')
    """
    text = str(key)
    if lang is None:
        return text

    def one(code: str, lg: str) -> str:
        if code in RESULT_LABELS:
            return RESULT_LABELS[code][lg]
        return label(code, lg)

    if lang in ("zh", "en"):
        return one(text, lang)
    zh, en = one(text, "zh"), one(text, "en")
    return zh if zh == en else f"{zh} / {en}"


def labelled(df: pd.DataFrame, *, lang: str | None = "auto", digits: int | None = 3) -> pd.DataFrame:
    """A copy of ``df`` for display: human headers, labelled codes, rounded floats.

    ``lang="auto"`` uses the run's language (:func:`current_language`).  The
    frame itself is not changed; use it as the last line of a notebook cell.

    Examples
    --------
    >>> import pandas as pd
    >>> from jingwu.report import labelled
    >>> labelled(pd.DataFrame({"category": ["fraud"], "att": [0.123456]}), lang="en")
            Category  Estimate
    0  Telecom fraud     0.123
    """
    lang = _resolve(lang)
    if lang not in (None, "zh", "en", "both"):
        raise ValueError(f"lang must be 'auto', None, 'zh', 'en' or 'both', not {lang!r}")
    out = df.copy()
    for c in _LABELLED_VALUES:
        if c in out.columns and lang is not None:
            out[c] = out[c].map(lambda v: label_text(v, lang) if isinstance(v, str) else v)
    if digits is not None:
        floats = out.select_dtypes("floating").columns
        out[floats] = out[floats].round(digits)
        if digits == 0:  # whole numbers read as counts, not "14443.0"
            for c in floats:
                if out[c].dropna().abs().lt(2**53).all():
                    out[c] = out[c].astype("Int64")
    out.columns = [label_text(c, lang) for c in out.columns]
    if isinstance(out.index, pd.MultiIndex):
        out.index = out.index.set_names([label_text(n, lang) if n is not None else None
                                         for n in out.index.names])
    elif out.index.name is not None:
        out.index.name = label_text(out.index.name, lang)
    if out.columns.name is not None:
        out.columns.name = label_text(out.columns.name, lang)
    return out


def text(zh: str, en: str, lang: str | None = "auto", *, sep: str = " / ") -> str:
    """Pick the Chinese or English version of a title or sentence (``both``: joined).

    ``lang="auto"`` uses the run's language; no language set gives English.

    Examples
    --------
    >>> from jingwu.report import text
    >>> text("破案率", "Clearance rate", "zh"), text("破案率", "Clearance rate", "both")
    ('破案率', '破案率 / Clearance rate')
    """
    lang = _resolve(lang) or "en"
    if lang == "zh":
        return zh
    if lang == "en":
        return en
    if lang == "both":
        return f"{zh}{sep}{en}"
    raise ValueError(f"lang must be 'auto', 'zh', 'en' or 'both', not {lang!r}")


def format_effect(estimate: float, ci_lower: float | None = None, ci_upper: float | None = None,
                  *, unit: str = "", digits: int = 1, level: int = 95,
                  lang: str | None = "auto") -> str:
    """An effect as a reader quotes it: ``+5.4 pp (95% CI 3.6 to 6.1)``.

    Examples
    --------
    >>> from jingwu.report import format_effect
    >>> format_effect(5.43, 3.61, 6.08, unit="pp", lang="en")
    '+5.4 pp (95% CI 3.6 to 6.1)'
    >>> format_effect(5.43, 3.61, 6.08, unit="pp", lang="zh")
    '+5.4 个百分点(95% 置信区间 3.6 至 6.1)'
    """
    lang = _resolve(lang) or "en"
    units_zh = {"pp": "个百分点", "min": "分钟", "minutes": "分钟", "%": "%"}
    est = f"{estimate:+.{digits}f}"
    if lang == "zh":
        u = units_zh.get(unit, unit)
        core = f"{est} {u}".rstrip() if u != "%" else f"{est}%"
        if ci_lower is None or ci_upper is None:
            return core
        return f"{core}({level}% 置信区间 {ci_lower:.{digits}f} 至 {ci_upper:.{digits}f})"
    core = f"{est} {unit}".rstrip()
    if ci_lower is None or ci_upper is None:
        en_text = core
    else:
        en_text = f"{core} ({level}% CI {ci_lower:.{digits}f} to {ci_upper:.{digits}f})"
    if lang == "both":
        return format_effect(estimate, ci_lower, ci_upper, unit=unit, digits=digits,
                             level=level, lang="zh") + " / " + en_text
    return en_text


def findings(items: Sequence[tuple[str, str]], *, lang: str | None = "auto") -> Any:
    """Key findings as a Markdown list in the run's language, for a notebook cell.

    ``items`` are ``(zh, en)`` sentences, already holding their numbers
    (read them from :func:`load_values`, so the text and ``values.json``
    agree).  ``"both"`` gives each point in Chinese, then in English.

    Returns
    -------
    IPython.display.Markdown
        Shown as formatted text in a notebook and in the HTML reports.

    Examples
    --------
    >>> from jingwu.report import findings
    >>> print(findings([("破案率提高。", "Clearance rose.")], lang="both").data)
    - 破案率提高。<br>Clearance rose.
    """
    from IPython.display import Markdown

    lang = _resolve(lang) or "en"
    if lang not in ("zh", "en", "both"):
        raise ValueError(f"lang must be 'auto', 'zh', 'en' or 'both', not {lang!r}")
    lines = []
    for item in items:
        if not (isinstance(item, (tuple, list)) and len(item) == 2):
            raise ValueError(f"each finding must be a (zh, en) pair, got {item!r}")
        zh, en = item
        body = {"zh": zh, "en": en, "both": f"{zh}<br>{en}"}[lang]
        lines.append(f"- {body}")
    return Markdown("\n".join(lines))


# --------------------------------------------------------------------------- HTML reports
#: Family name of the Chinese web font embedded in the HTML reports.
WEB_FONT_FAMILY = "Jingwu CJK"

_CODE_FONTS = 'SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono"'
_TEXT_FONTS = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial'


def _cjk_chars(text: str) -> str:
    return "".join(sorted({ch for ch in text if ord(ch) >= 0x2E80}))


def web_font_css(text: str, font_path: str | os.PathLike[str] | None = None) -> str:
    """CSS that embeds a Chinese font, cut down to the characters of ``text``.

    The reports must show Chinese on a machine without a CJK font, yet a
    whole CJK font is ~16 MB.  The glyphs of the CJK characters that occur
    in ``text`` are copied with fontTools from the font (default: the one
    :func:`jingwu.viz.find_cjk_font` finds, Noto Sans CJK SC from
    ``mplfonts``, SIL Open Font License) into a small TrueType font embedded
    as a base64 WOFF ``@font-face`` (about 25 KB for 150 characters); the
    page's text and code font stacks fall back to it.  Empty when ``text`` has no CJK or
    no font is found.

    Examples
    --------
    >>> from jingwu.report import web_font_css
    >>> css = web_font_css("警务 policing")
    >>> css == "" or "@font-face" in css
    True
    >>> web_font_css("no Chinese here")
    ''
    """
    chars = _cjk_chars(text)
    if not chars:
        return ""
    if font_path is None:
        from .viz import find_cjk_font

        found = find_cjk_font()
        if found is None:
            return ""
        font_path = found[1]
    data = _subset_font(str(font_path), chars)
    import base64

    b64 = base64.b64encode(data).decode("ascii")
    fam = f'"{WEB_FONT_FAMILY}"'
    # The face comes first in every stack, limited by unicode-range to CJK:
    # listed after the Latin fonts, Chrome drew some mixed Chinese/English
    # runs as empty boxes instead of falling back to it.
    text_stack = f"{fam}, {_TEXT_FONTS}, sans-serif"
    code_stack = f"{fam}, {_CODE_FONTS}, monospace"
    return (
        "<style>\n"
        f"@font-face {{ font-family: {fam}; font-display: block; "
        f"src: url(data:font/woff;base64,{b64}) format(\"woff\"); unicode-range: U+2E80-FFFF; }}\n"
        f":root {{ --jp-content-font-family: {text_stack};\n"
        f"  --jp-ui-font-family: {text_stack};\n"
        f"  --jp-code-font-family: {code_stack};\n"
        f"  --jp-code-font-family-default: {code_stack}; }}\n"
        f"body {{ font-family: {text_stack}; }}\n"
        f"pre, code {{ font-family: {code_stack}; }}\n"
        "</style>\n"
    )


def _subset_font(path: str, chars: str) -> bytes:
    """A small TrueType WOFF holding only ``chars``, with outlines copied from ``path``.

    The CJK fonts at hand are CID-keyed CFF (OpenType/PostScript); browsers
    rendered subsets of those unreliably (some runs as empty boxes), so the
    outlines are converted to quadratic TrueType glyphs in a fresh, simple
    font.  Timestamps are fixed, so the same characters give the same bytes.
    """
    import io

    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont

    src = TTFont(path, lazy=True, fontNumber=0)
    cmap = src.getBestCmap()
    glyph_set = src.getGlyphSet()
    hmtx = src["hmtx"]
    mapping = {ord(c): cmap[ord(c)] for c in chars if ord(c) in cmap}
    order = [".notdef", *sorted(set(mapping.values()) - {".notdef"})]
    upm = src["head"].unitsPerEm
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        if name != ".notdef":
            glyph_set[name].draw(Cu2QuPen(pen, max_err=upm / 1000, reverse_direction=True))
        glyphs[name] = pen.glyph()
    fb = FontBuilder(upm, isTTF=True)
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap(mapping)
    fb.setupGlyf(glyphs)
    glyf = fb.font["glyf"]
    metrics = {n: (hmtx[n][0] if n in hmtx.metrics else upm,
                   glyf[n].xMin if glyf[n].numberOfContours else 0) for n in order}
    fb.setupHorizontalMetrics(metrics)
    fb.setupHorizontalHeader(ascent=src["hhea"].ascent, descent=src["hhea"].descent)
    fb.setupNameTable({"familyName": WEB_FONT_FAMILY, "styleName": "Regular"})
    os2 = src["OS/2"]
    fb.setupOS2(sTypoAscender=os2.sTypoAscender, sTypoDescender=os2.sTypoDescender,
                sTypoLineGap=os2.sTypoLineGap, usWinAscent=os2.usWinAscent,
                usWinDescent=os2.usWinDescent)
    fb.setupPost()
    fb.font["head"].created = fb.font["head"].modified = 0
    fb.font.recalcTimestamp = False
    fb.font.flavor = "woff"
    buf = io.BytesIO()
    fb.save(buf)
    return buf.getvalue()


def embed_web_font(html: str, font_path: str | os.PathLike[str] | None = None) -> str:
    """Insert :func:`web_font_css` for the page's own text before ``</head>``.

    Examples
    --------
    >>> from jingwu.report import embed_web_font
    >>> embed_web_font("<html><head></head><body>hi</body></html>")
    '<html><head></head><body>hi</body></html>'
    """
    css = web_font_css(html, font_path)
    if not css:
        return html
    at = html.find("</head>")
    return html[:at] + css + html[at:] if at >= 0 else css + html


_NOISE_MIME = ("application/vnd.jupyter.widget-view+json",)


def strip_noise(nb: Any) -> list[str]:
    """Remove warnings and progress output from an executed notebook, in place.

    Text written to stderr (warnings, progress bars) and progress widgets
    do not belong in a report.  Returns what was removed, one entry per
    output with its cell number, for a log.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> cell = nbformat.v4.new_code_cell("x")
    >>> cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text="UserWarning: x\\n"),
    ...                 nbformat.v4.new_output("stream", name="stdout", text="42\\n")]
    >>> nb.cells = [cell]
    >>> strip_noise(nb)
    ['cell 0: UserWarning: x\\n']
    >>> [o["name"] for o in nb.cells[0].outputs]
    ['stdout']
    """
    removed: list[str] = []
    for i, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        keep = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                removed.append(f"cell {i}: {out.get('text', '')}")
            elif out.get("output_type") in ("display_data", "execute_result") and any(
                    m in out.get("data", {}) for m in _NOISE_MIME):
                removed.append(f"cell {i}: (progress widget)\n")
            else:
                keep.append(out)
        cell["outputs"] = keep
    return removed


#: Headings without a Chinese part, translated for ``lang="zh"``.
_HEADING_ZH = {"References": "参考文献", "Key findings": "要点"}


def heading_text(heading: str, lang: str) -> str:
    """One language of a bilingual heading ``English（中文）``.

    The notebooks write headings as ``"## 3. The chosen model（模型选择）"``;
    ``"en"`` keeps the English part, ``"zh"`` the Chinese one (with the
    number), ``"both"`` the heading as written.

    Examples
    --------
    >>> from jingwu.report import heading_text
    >>> h = "## 3. The chosen model（模型选择）"
    >>> heading_text(h, "en"), heading_text(h, "zh")
    ('## 3. The chosen model', '## 3. 模型选择')
    >>> heading_text("# 03 · Did it work?（成效评估）", "zh"), heading_text("## References", "zh")
    ('# 03 · 成效评估', '## 参考文献')
    """
    import re

    if lang not in ("zh", "en", "both"):
        raise ValueError(f"lang must be 'zh', 'en' or 'both', not {lang!r}")
    m = re.match(r"^(#+\s+)(\d+\s*·\s*|\d+\.\s*)?(.*?)\s*（([^（）]+)）\s*$", heading)
    if lang == "both":
        return heading
    if m is None:
        m2 = re.match(r"^(#+\s+)(.*?)\s*$", heading)
        if lang == "zh" and m2 and m2.group(2) in _HEADING_ZH:
            return m2.group(1) + _HEADING_ZH[m2.group(2)]
        return heading
    hashes, number, en, zh = m.group(1), m.group(2) or "", m.group(3), m.group(4)
    return hashes + number + (en if lang == "en" else zh)


def localize_headings(nb: Any, lang: str) -> None:
    """Apply :func:`heading_text` to every heading line of the notebook's Markdown, in place."""
    for cell in nb.cells:
        if cell.get("cell_type") != "markdown":
            continue
        lines = cell["source"].split("\n")
        cell["source"] = "\n".join(heading_text(l, lang) if l.startswith("#") else l for l in lines)


def notebook_title(nb: Any) -> str:
    """The text of the notebook's first ``#`` heading ('' if none)."""
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            for line in cell["source"].split("\n"):
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def notebook_html(nb: Any, *, reader: bool = False, embed_font: bool = True) -> str:
    """Render an executed notebook as one self-contained HTML page.

    ``reader=False``: the full rendering, code shown (students, reviewers).
    ``reader=True``: outputs and text only, like nbconvert's ``--no-input``
    (policy readers).  Figures are embedded as images and the Chinese
    characters of the page as a subset web font (:func:`embed_web_font`).
    """
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    if reader:
        exporter.exclude_input = True
        exporter.exclude_input_prompt = True
        exporter.exclude_output_prompt = True
    title = notebook_title(nb) or "jingwu"
    import logging

    # nbconvert warns about every figure without alt text; on the console of a
    # report run that is noise (the figures carry titles and captions).
    log = exporter.log
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        html, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    finally:
        log.setLevel(level)
    return embed_web_font(html) if embed_font else html


def _is_findings_heading(source: str) -> bool:
    import re

    return bool(re.search(r"^#+\s*(Key findings|要点)", source, flags=re.M))


def key_findings_html(nb: Any) -> str:
    """The outputs of the notebook's Key findings cells, as an HTML fragment.

    Reads the code cells after the "Key findings" / "要点" heading up to the
    next heading: Markdown output is converted, printed text becomes a list.
    """
    import html as _html

    from nbconvert.filters.markdown import markdown2html

    parts: list[str] = []
    inside = False
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            if _is_findings_heading(cell["source"]):
                inside = True
                continue
            if inside and cell["source"].lstrip().startswith("#"):
                break
            continue
        if not inside or cell.get("cell_type") != "code":
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/markdown" in data:
                parts.append(markdown2html(_join(data["text/markdown"])))
            elif "text/html" in data:
                parts.append(_join(data["text/html"]))
            elif out.get("output_type") == "stream" and out.get("name") == "stdout":
                items = [l for l in _join(out.get("text", "")).splitlines() if l.strip()]
                parts.append("<ul>" + "".join(f"<li>{_html.escape(l)}</li>" for l in items) + "</ul>")
    return "\n".join(parts)


def _join(text: Any) -> str:
    return "".join(text) if isinstance(text, list) else str(text)


def reports_index(notebooks: Sequence[str | os.PathLike[str]], *, lang: str = "both",
                  embed_font: bool = True) -> str:
    """``reports/index.html``: every executed notebook with its key findings and links.

    Each entry links the full rendering (``<stem>.html``) and the reader's
    one (``<stem>.reader.html``) next to ``index.html``.
    """
    import html as _html

    import nbformat

    names = {
        "title": text("警务研究报告", "jingwu reports", lang),
        "intro": text("每个笔记本有两种版本：完整版（含代码，供学生和审稿人）和阅读版（仅结果，供政策读者）。",
                      "Each notebook comes in two renderings: the full one (code shown, for students and "
                      "reviewers) and the reader's one (results only, for policy readers).", lang,
                      sep="<br>"),
        "full": text("完整版", "full", lang),
        "reader": text("阅读版", "reader's", lang),
        "findings": text("要点", "Key findings", lang),
    }
    entries = []
    for path in notebooks:
        path = Path(path)
        nb = nbformat.read(path, as_version=4)
        title = _html.escape(notebook_title(nb) or path.stem)
        entries.append(
            f'<section><h2>{title}</h2>\n'
            f'<p class="links"><a href="{path.stem}.reader.html">{names["reader"]}</a> · '
            f'<a href="{path.stem}.html">{names["full"]}</a></p>\n'
            f'<h3>{names["findings"]}</h3>\n{key_findings_html(nb) or "<p>–</p>"}\n</section>'
        )
    body = "\n".join(entries)
    page = (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n"
        f"<title>{names['title']}</title>\n<style>\n"
        f"body {{ font-family: {_TEXT_FONTS}, sans-serif; max-width: 60em; margin: 2em auto;"
        " padding: 0 1em; line-height: 1.5; color: #222; }\n"
        "section { border-top: 1px solid #ddd; padding-top: .5em; margin-top: 1.5em; }\n"
        "h2 { font-size: 1.3em; } h3 { font-size: 1em; color: #555; } .links a { font-weight: bold; }\n"
        "</style>\n</head><body>\n"
        f"<h1>{names['title']}</h1>\n<p>{names['intro']}</p>\n{body}\n</body></html>\n"
    )
    return embed_web_font(page) if embed_font else page


# --------------------------------------------------------------------------- etable
#: Rows of an estimator table after the estimate, in this order, when present.
ETABLE_INFO: tuple[str, ...] = ("n_units", "n_clusters", "n_obs", "control_group")


class ETable:
    """Estimators side by side, as ``fixest::etable`` / ``pyfixest.etable`` show them.

    Made by :func:`etable`.  :meth:`to_frame` gives the numbers (one column
    per model); :meth:`to_markdown`, :meth:`to_latex` and :meth:`save` give
    the formatted table: the estimate, under it the SE in parentheses or the
    CI in brackets, then the number of units and clusters and the control
    group.
    """

    def __init__(self, numbers: pd.DataFrame, *, stat: str, digits: int, lang: str | None,
                 caption: str | None, label: str | None) -> None:
        self.numbers = numbers
        self.stat = stat
        self.digits = digits
        self.lang = lang
        self.caption = caption
        self.label = label

    def to_frame(self) -> pd.DataFrame:
        """Numbers, one column per model: att, se, ci_lower, ci_upper and the info rows."""
        return self.numbers.copy()

    def _row_name(self, key: str) -> str:
        names = {"att": ("估计值", "Estimate"), "se": ("(标准误)", "(SE)"),
                 "ci": ("[95% 置信区间]", "[95% CI]")}
        if key in names:
            zh, en = names[key]
            return text(zh, en, self.lang or "en")
        return label_text(key, self.lang or "en")

    def formatted(self) -> pd.DataFrame:
        """Text cells: the table as it is printed (rows x models)."""
        d = self.digits
        n = self.numbers

        def num(v: Any) -> str:
            return "" if pd.isna(v) else f"{float(v):.{d}f}"

        rows: dict[str, list[str]] = {self._row_name("att"): [num(v) for v in n.loc["att"]]}
        if self.stat == "se":
            rows[self._row_name("se")] = ["" if pd.isna(v) else f"({float(v):.{d}f})" for v in n.loc["se"]]
        else:
            rows[self._row_name("ci")] = [
                "" if pd.isna(lo) or pd.isna(hi) else f"[{float(lo):.{d}f}, {float(hi):.{d}f}]"
                for lo, hi in zip(n.loc["ci_lower"], n.loc["ci_upper"])]
        for key in ETABLE_INFO:
            if key in n.index:
                rows[self._row_name(key)] = [
                    "" if pd.isna(v) else (f"{int(v):,}" if key != "control_group" else str(v))
                    for v in n.loc[key]]
        out = pd.DataFrame(rows, index=list(n.columns)).T
        out.index.name = ""
        return out

    def _text_parts(self) -> tuple[list[str], list[list[str]], list[bool]]:
        f = self.formatted()
        headers = ["", *map(str, f.columns)]
        rows = [[str(idx), *map(str, r)] for idx, r in zip(f.index, f.to_numpy().tolist())]
        return headers, rows, [False] + [True] * len(f.columns)

    def to_markdown(self) -> str:
        """Pipe table, models as columns."""
        headers, rows, right = self._text_parts()
        return _md(headers, rows, right, self.caption)

    def to_latex(self) -> str:
        """Booktabs table (numbers right-aligned, ``$-$`` minus), shrunk to the page if wide."""
        headers, rows, right = self._text_parts()
        return _tex(headers, rows, right, caption=self.caption, label=self.label, note=None)

    def summary(self) -> str:
        """The Markdown table (for printing)."""
        return self.to_markdown()

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def __repr__(self) -> str:
        return self.to_markdown()

    def save(self, name: str, *, prefix: str | int | None = None,
             formats: str | Sequence[str] = _TABLE_FORMATS,
             directory: str | os.PathLike[str] | None = None) -> dict[str, Path]:
        """Write ``<prefix>_<name>.{csv,md,tex}`` to the tables directory, atomically.

        The CSV holds the numbers (:meth:`to_frame`, a ``statistic`` column
        first), the others the formatted table.
        """
        stem = _stem(name, prefix)
        fmts = _formats(formats, _TABLE_FORMATS)
        folder = Path(directory) if directory is not None else paths.tables_dir()
        written: dict[str, Path] = {}
        for fmt in fmts:
            if fmt == "csv":
                body = self.numbers.rename_axis("statistic").reset_index().to_csv(
                    index=False, float_format="%.10g", lineterminator="\n")
            elif fmt == "md":
                body = self.to_markdown() + "\n"
            else:
                body = self.to_latex()
            written[fmt] = paths.atomic_write_text(folder / f"{stem}.{fmt}", body)
        return SavedFiles(written)

    def plot(self, ax: Any = None) -> Any:
        """Coefficient plot of the models' estimates with their intervals."""
        from .viz import plot_coefficients

        t = self.numbers.T[["att", "ci_lower", "ci_upper"]].astype(float)
        return plot_coefficients(t, "att", "ci_lower", "ci_upper", ax=ax)


def etable(
    results: pd.DataFrame | Mapping[str, pd.DataFrame | Mapping[str, Any]],
    *,
    model_col: str | None = None,
    stat: str = "se",
    digits: int = 3,
    alpha: float = 0.05,
    lang: str | None = "auto",
    caption: str | None = None,
    label: str | None = None,
) -> ETable:
    """Put estimators side by side: estimate, SE or CI, N units, N clusters, control group.

    Takes tidy results (the ``to_frame()`` output of the effects estimators,
    or :func:`jingwu.effects.compare_estimators`), so this module imports no
    method.  Columns used: ``att`` (or ``estimate``), ``se``, ``ci_lower``,
    ``ci_upper`` and, when present, ``n_units``, ``n_clusters``, ``n_obs``,
    ``control_group``.  A missing CI is built from the SE (normal, level
    ``1 - alpha``); a missing SE from a CI.

    Parameters
    ----------
    results : DataFrame or mapping
        A frame with one row per model (name in ``model_col``), or a mapping
        model name -> one-row frame or dict.
    model_col : str, optional
        Column naming the models when ``results`` is a frame.
    stat : {"se", "ci"}
        Show the SE in parentheses or the CI in brackets under the estimate.
    digits : int
        Decimals of estimates, SEs and CIs.
    alpha : float
        Level of a CI built from an SE.
    lang : {"auto", "zh", "en", "both"} or None
        Row names; ``"auto"`` uses the run's language.
    caption, label : str, optional
        For the LaTeX float and under the Markdown table.

    Returns
    -------
    ETable
        ``.to_frame()``, ``.to_markdown()``, ``.to_latex()``, ``.save(name, prefix=)``.

    Examples
    --------
    >>> import pandas as pd
    >>> from jingwu.report import etable
    >>> res = pd.DataFrame({"label": ["TWFE", "CS"], "att": [1.2, 2.05], "se": [0.3, 0.4],
    ...                     "n_units": [48, 48], "control_group": ["all", "never treated"]})
    >>> print(etable(res, model_col="label", lang="en").to_markdown())
    |               |    TWFE |            CS |
    |:--------------|--------:|--------------:|
    | Estimate      |   1.200 |         2.050 |
    | (SE)          | (0.300) |       (0.400) |
    | N units       |      48 |            48 |
    | Control group |     all | never treated |
    """
    from scipy import stats

    if stat not in ("se", "ci"):
        raise ValueError(f"stat must be 'se' or 'ci', not {stat!r}")
    if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)) or not 0 <= digits <= 10:
        raise ValueError(f"digits must be an integer from 0 to 10, got {digits!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    rows: dict[str, dict[str, Any]] = {}
    if isinstance(results, pd.DataFrame):
        if model_col is None or model_col not in results.columns:
            raise ValueError(f"model_col must name the column of model names; columns are "
                             f"{list(results.columns)}")
        if results[model_col].duplicated().any():
            raise ValueError(f"model names in {model_col!r} must be unique")
        for _, r in results.iterrows():
            rows[str(r[model_col])] = r.to_dict()
    elif isinstance(results, Mapping):
        for name, res in results.items():
            if isinstance(res, pd.DataFrame):
                if len(res) != 1:
                    raise ValueError(f"result {name!r} has {len(res)} rows; pass one row per model "
                                     "(e.g. the overall estimate)")
                rows[str(name)] = res.iloc[0].to_dict()
            elif isinstance(res, Mapping):
                rows[str(name)] = dict(res)
            else:
                raise ValueError(f"result {name!r} must be a one-row DataFrame or a dict, "
                                 f"got {type(res).__name__}")
    else:
        raise ValueError(f"results must be a DataFrame or a mapping, got {type(results).__name__}")
    if not rows:
        raise ValueError("results hold no model")
    z = float(stats.norm.ppf(1 - alpha / 2))
    table: dict[str, dict[str, Any]] = {}
    for name, r in rows.items():
        est = r.get("att", r.get("estimate"))
        if est is None:
            raise ValueError(f"result {name!r} has no 'att' or 'estimate'")
        se, lo, hi = r.get("se"), r.get("ci_lower"), r.get("ci_upper")
        if (lo is None or hi is None) and se is not None:
            lo, hi = est - z * se, est + z * se
        if se is None and lo is not None and hi is not None:
            se = (hi - lo) / (2 * z)
        col: dict[str, Any] = {"att": est, "se": se, "ci_lower": lo, "ci_upper": hi}
        for key in ETABLE_INFO:
            if key in r:
                col[key] = r[key]
        table[name] = col
    numbers = pd.DataFrame(table)
    order = ["att", "se", "ci_lower", "ci_upper", *[k for k in ETABLE_INFO if k in numbers.index]]
    numbers = numbers.loc[order]
    return ETable(numbers, stat=stat, digits=int(digits), lang=_resolve(lang), caption=caption, label=label)
