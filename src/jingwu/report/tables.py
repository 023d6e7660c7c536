"""Tables: Markdown, LaTeX and :func:`save_table` (csv, md, tex) with readable headers."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import paths
from ..privacy import suppress_small_cells
from ._common import SavedFiles, _formats, _stem
from .language import _LABELLED_VALUES, BOOL_TEXT, _resolve, label_text

#: Canonical count columns, suppressed by default when ``min_count`` is given.
COUNT_COLUMNS: tuple[str, ...] = (
    "count",
    "incidents",
    "cases",
    "cleared",
    "satisfaction_n",
    "satisfaction_yes",
    "n",
)

_TABLE_FORMATS = ("csv", "md", "tex")


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


def auto_float_format(values: Any) -> Callable[[float], str]:
    """Decimals that suit a column's magnitude: what ``float_format="auto"`` uses.

    Whole numbers print without decimals (thousands separated from 10,000;
    a column of only 0 and 1 is taken for shares and keeps its decimals);
    other columns keep 3 decimals below 1, 2 below 100, 1 below 1,000 and
    none above, so a table shows neither ``14431.000`` nor ``0.1``.

    Examples
    --------
    >>> from jingwu.report import auto_float_format
    >>> [auto_float_format(v)(v[0]) for v in ([0.41234], [3.14159], [362.46], [14431.2], [48.0])]
    ['0.412', '3.14', '362.5', '14,431', '48']
    >>> fmt = auto_float_format([1662.0, 0.3333, 0.8])   # mixed magnitudes: each its own decimals
    >>> fmt(1662.0), fmt(0.3333)
    ('1662', '0.333')
    """
    x = np.asarray(pd.to_numeric(pd.Series(values, dtype=object), errors="coerce"), dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return "{:.3f}".format
    fixed = _magnitude_format(x)
    # A column mixing magnitudes (1,662 hours next to a 0.333 share) would print its small values
    # as 0 or 1: then each number gets the decimals of its own magnitude.
    if all(_close(fixed(v), v) for v in x):
        return fixed
    return lambda v: _magnitude_format(np.array([v]))(v)


def _close(text: str, v: float) -> bool:
    """Whether ``text`` shows ``v`` within 5% (rounding that keeps the number recognisable)."""
    shown = float(text.replace(",", "").rstrip("%"))
    return v == 0 or abs(shown - v) <= 0.05 * abs(v)


def _magnitude_format(x: np.ndarray) -> Callable[[float], str]:
    top = float(np.abs(x).max())
    if np.all(x == np.round(x)) and 2 <= top < 2**53:  # counts; 0/1 floats are shares
        return "{:,.0f}".format if top >= 10_000 else "{:.0f}".format
    if top >= 1000:
        return "{:,.0f}".format
    if top >= 100:
        return "{:.1f}".format
    if top >= 1:
        return "{:.2f}".format
    return "{:.3f}".format


def _cell_text(
    v: Any,
    *,
    float_fmt: Callable[[float], str],
    na_rep: str,
    integral: bool,
    lang: str | None = None,
) -> str:
    if v is None or (not isinstance(v, str) and pd.api.types.is_scalar(v) and pd.isna(v)):
        return na_rep
    if isinstance(v, (bool, np.bool_)):
        if lang is None:
            return str(bool(v))
        yes, no = BOOL_TEXT[lang]
        return yes if v else no
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
    headers: list[str] | None = None,
) -> tuple[list[str], list[list[str]], list[bool]]:
    """Headers, cell texts and right-alignment flags for a text rendering."""
    if lang not in (None, "zh", "en", "both"):
        raise ValueError(f"lang must be None, 'zh', 'en' or 'both', not {lang!r}")

    def formatter(spec: FloatFormat, j: int) -> Callable[[float], str]:
        if isinstance(spec, str) and spec == "auto":
            return auto_float_format(df.iloc[:, j])
        return _float_formatter(spec)

    if isinstance(float_format, Mapping):
        unknown = [c for c in float_format if c not in df.columns]
        if unknown:
            raise ValueError(f"float_format names columns not in the table: {unknown}")
        fmts = {c: formatter(float_format.get(c, "auto"), j) for j, c in enumerate(df.columns)}
    else:
        fmts = {c: formatter(float_format, j) for j, c in enumerate(df.columns)}
    if headers is None:
        headers = [_header(c, lang) for c in df.columns]
    elif len(headers) != df.shape[1]:
        raise ValueError(f"headers has {len(headers)} names for {df.shape[1]} columns")
    right = []
    columns: list[list[str]] = []
    for j, c in enumerate(df.columns):
        s = df.iloc[:, j]
        numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        if not numeric and s.dtype == object:  # suppressed count columns mix ints and markers
            present = s.dropna()
            numeric = (
                len(present) > 0
                and all(isinstance(v, (int, float, np.number, str)) for v in present)
                and any(isinstance(v, (int, float, np.number)) for v in present)
            )
        right.append(bool(numeric))
        integral = c in count_columns or (
            pd.api.types.is_integer_dtype(s) and not pd.api.types.is_bool_dtype(s)
        )
        cells = [_cell_text(v, float_fmt=fmts[c], na_rep=na_rep, integral=integral, lang=lang) for v in s]
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
    float_format: FloatFormat | Mapping[str, FloatFormat] = "auto",
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
        return "| " + " | ".join(_pad(cell, w, right=r) for cell, w, r in zip(cells, widths, right)) + " |"

    sep = (
        "|"
        + "|".join(("-" * (w + 1) + ":") if r else (":" + "-" * (w + 1)) for w, r in zip(widths, right))
        + "|"
    )
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
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}


def _tex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def _tex_number(text: str) -> str:
    escaped = _tex_escape(text)
    return "$-$" + escaped[1:] if escaped.startswith("-") and len(escaped) > 1 else escaped


def to_latex(
    df: pd.DataFrame,
    *,
    float_format: FloatFormat | Mapping[str, FloatFormat] = "auto",
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
        return (
            "% Generated by jingwu. Holds Chinese: compile with XeLaTeX and\n"
            f"% \\documentclass{{ctexart}} (or \\usepackage{{ctex}}); needs \\usepackage{{{pkgs}}}.\n"
        )
    return f"% Generated by jingwu. Compiles with pdflatex or XeLaTeX; needs \\usepackage{{{pkgs}}}.\n"


def _tex(
    headers: list[str],
    rows: list[list[str]],
    right: list[bool],
    *,
    caption: str | None,
    label: str | None,
    note: str | None,
) -> str:
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
        tex = tex.replace(
            "\\begin{tabular}",
            "\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}{%\n\\begin{tabular}",
            1,
        )
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
    float_format: FloatFormat | Mapping[str, FloatFormat] = "auto",
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
        How Markdown and LaTeX show floats: ``"auto"`` (default: decimals by
        each column's magnitude, :func:`auto_float_format`), a ``str.format``
        template (``"{:.1%}"``), a format spec (``".2f"``), a callable, or a
        mapping of column -> one of those (other columns use ``"auto"``).
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
            isinstance(df.index, pd.RangeIndex)
            and df.index.name is None
            and df.index.start == 0
            and df.index.step == 1
        )
    table = df.reset_index() if index else df.reset_index(drop=True)
    parts: list[tuple[Any, ...]] | None = None
    if isinstance(table.columns, pd.MultiIndex):
        # Label each level (``mase`` + ``city`` -> ``MASE 全市``); the CSV keeps the code names.
        parts = [tuple(p for p in c if str(p)) for c in table.columns]
        table.columns = [" ".join(str(p) for p in c) for c in parts]
    if table.columns.duplicated().any():
        dup = sorted({str(c) for c in table.columns[table.columns.duplicated()]})
        raise ValueError(f"column names must be unique; duplicated: {dup}")

    note = None
    counts: list[str] = []
    if min_count is not None:
        if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 1:
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
            headers = None if parts is None else [" ".join(_header(p, lang) for p in c) for c in parts]
            headers, rows, right = _prepare(
                table,
                float_format=float_format,
                na_rep=na_rep,
                lang=lang,
                count_columns=counts,
                headers=headers,
            )
            if fmt == "md":
                text = _md(headers, rows, right, caption)
                text += ("\n\n" + _md_escape(note) if note else "") + "\n"
            else:
                text = _tex(
                    headers,
                    rows,
                    right,
                    caption=caption,
                    label=label,
                    note=_tex_escape(note) if note else None,
                )
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
        if (
            col.dtype == object
            or pd.api.types.is_string_dtype(col)
            or isinstance(col.dtype, pd.CategoricalDtype)
        ):
            out[c] = col.astype(object).map(guard)
    out.columns = [guard(str(c)) for c in out.columns]
    return out
