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
    dict
        Format -> path written.

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

        plt.close(figure)
    return written


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
    text = str(col)
    if lang is None:
        return text
    if lang in ("zh", "en"):
        return label(text, lang)
    zh, en = label(text, "zh"), label(text, "en")
    return zh if zh == en else f"{zh} / {en}"


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
    | 警情类别 | share |
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
    ``tabular`` is returned for ``\\input`` into your own float.  Needs
    ``\\usepackage{booktabs}``; Chinese text needs XeLaTeX with ``ctex`` or
    ``xeCJK``.  ``caption`` and ``note`` are inserted as LaTeX, unescaped.

    Examples
    --------
    >>> import pandas as pd
    >>> from jingwu.report import to_latex
    >>> print(to_latex(pd.DataFrame({"station_id": ["S01"], "effect": [-0.5]})))
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
    if note:
        end = "\\end{tabular}\n"
        tex = tex.replace(end, end + "\\par\\smallskip{\\footnotesize " + note + "}\n", 1)
    return tex


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
    lang: str | None = None,
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
    lang : {"zh", "en", "both"}, optional
        Label the Markdown and LaTeX headers, and the codes in ``category``
        and ``area_type`` columns, with :func:`jingwu.schema.label`.
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
    return written


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
