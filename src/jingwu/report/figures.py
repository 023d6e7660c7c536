"""Figures: :func:`save_fig` writes ``reports/figures/<prefix>_<name>.<format>``."""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .. import paths
from ._common import SavedFiles, _formats, _stem
from .language import _resolve, figure_text

_FIG_FORMATS = ("png", "pdf", "svg")
_FIG_METADATA: dict[str, dict[str, None]] = {
    # Drop the fields that carry versions or timestamps, so bytes depend only
    # on the drawing.
    "png": {"Software": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
    "svg": {"Creator": None, "Date": None},
}


def save_fig(
    fig: Any,
    name: str,
    *,
    prefix: str | int | None = None,
    dpi: float = 150,
    formats: str | Sequence[str] = ("png",),
    directory: str | os.PathLike[str] | None = None,
    close: bool = False,
    lang: str | None = "auto",
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
    lang : {"auto", "zh", "en", "both"} or None
        Put the figure's words in this language first
        (:func:`localize_figure`); ``"auto"`` (default) is the run's language
        (:func:`set_language`), None leaves the figure as drawn.  The titles
        and axis labels are also written into the file's metadata (PNG
        ``Title``/``Description``, PDF ``Title``/``Subject``, SVG
        ``Title``/``Description``).

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
    import matplotlib as mpl
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    figure = fig
    if isinstance(fig, Axes):
        figure = fig.figure
    elif not isinstance(fig, Figure) and isinstance(getattr(fig, "figure", None), Figure):
        figure = fig.figure  # seaborn FacetGrid / JointGrid
    if not isinstance(figure, Figure):
        raise ValueError(f"fig must be a matplotlib Figure or Axes, got {type(fig).__name__}")
    if (
        isinstance(dpi, bool)
        or not isinstance(dpi, (int, float, np.number))
        or not math.isfinite(dpi)
        or dpi <= 0
    ):
        raise ValueError(f"dpi must be a positive number, got {dpi!r}")
    stem = _stem(name, prefix)
    fmts = _formats(formats, _FIG_FORMATS)
    folder = Path(directory) if directory is not None else paths.figures_dir()
    if localize_figure(figure, lang):
        _relayout(figure)
    titles, labels = figure_texts(figure)
    written: dict[str, Path] = {}
    with mpl.rc_context({"svg.hashsalt": "jingwu"}):
        for fmt in fmts:
            meta: dict[str, Any] = dict(_FIG_METADATA[fmt])
            if titles:
                meta["Title"] = titles
            if labels:
                meta["Subject" if fmt == "pdf" else "Description"] = labels

            def writer(tmp: Path, fmt: str = fmt, meta: dict[str, Any] = meta) -> None:
                figure.savefig(tmp, format=fmt, dpi=dpi, bbox_inches="tight", metadata=meta)

            written[fmt] = paths.atomic_write(folder / f"{stem}.{fmt}", writer)
    if close:
        import matplotlib.pyplot as plt

        if "inline" in mpl.get_backend():
            # Closing would drop the figure from the notebook and its reports.
            from IPython.display import display

            display(figure)
        plt.close(figure)
    return SavedFiles(written)


def _relayout(figure: Any) -> None:
    """Lay a figure out again after its words changed (a bilingual label is longer than the
    English one it replaces, and the layout made for the old words lets them overlap).

    Figures with a layout engine (constrained layout) re-lay themselves out when drawn; figures
    with axes placed by hand are left alone.
    """
    import warnings

    from matplotlib.layout_engine import ConstrainedLayoutEngine

    if isinstance(figure.get_layout_engine(), ConstrainedLayoutEngine) or not figure.axes:
        return
    if any(ax.get_subplotspec() is None for ax in figure.axes):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "not compatible with tight_layout": then nothing changes
        figure.tight_layout()


def _texts(figure: Any) -> Iterator[tuple[str, Any]]:
    """(kind, Text) of the words a reader sees: titles, axis labels, legends."""
    for name in ("_suptitle", "_supxlabel", "_supylabel"):
        t = getattr(figure, name, None)
        if t is not None:
            yield ("title" if name == "_suptitle" else "label"), t
    legends = list(figure.legends)
    for ax in figure.axes:
        for name in ("title", "_left_title", "_right_title"):
            t = getattr(ax, name, None)
            if t is not None:
                yield "title", t
        yield "label", ax.xaxis.label
        yield "label", ax.yaxis.label
        if ax.get_legend() is not None:
            legends.append(ax.get_legend())
    for leg in legends:
        yield "legend", leg.get_title()
        for t in leg.get_texts():
            yield "legend", t


def localize_figure(fig: Any, lang: str | None = "auto") -> int:
    """Put a figure's titles, axis labels, legends and text ticks in ``lang``, in place.

    Each text goes through :func:`figure_text` (known English phrases and
    code names; anything else is left alone), so a method's English plot or
    a notebook's English axis label follows a Chinese run.  Called by
    :func:`save_fig`.  Returns how many texts changed.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from jingwu.report import localize_figure
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set(xlabel="months since opening", ylabel="coverage_95", title="S01")
    >>> localize_figure(fig, "zh"), ax.get_xlabel(), ax.get_ylabel(), ax.get_title()
    (2, '启用后月数', '95%区间覆盖率', 'S01')
    >>> plt.close(fig)
    """
    lang = _resolve(lang)
    if lang is None:
        return 0
    changed = 0
    for _, t in _texts(fig):
        old = t.get_text()
        new = figure_text(old, lang)
        if new != old:
            t.set_text(new)
            changed += 1
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            changed += _localize_tick_labels(axis.get_major_formatter(), lang)
    return changed


def _localize_tick_labels(fmt: Any, lang: str) -> int:
    """Translate text tick labels in place; numeric tick formatters are left alone.

    ``set_xticks(ticks, labels)`` stores the labels in a ``FixedFormatter``
    or (matplotlib >= 3.8, with fixed ticks) in a ``FuncFormatter`` over a
    ``{position: label}`` dict; both are rewritten, so the next draw shows
    the new words.
    """
    from matplotlib.ticker import FixedFormatter, FuncFormatter

    if isinstance(fmt, FixedFormatter):
        seq = [figure_text(str(v), lang) for v in fmt.seq]
        n = sum(a != b for a, b in zip(seq, fmt.seq))
        fmt.seq = seq
        return n
    func = getattr(fmt, "func", None) if isinstance(fmt, FuncFormatter) else None
    args: tuple[Any, ...] = getattr(func, "args", ())
    if isinstance(func, functools.partial) and len(args) == 1 and isinstance(args[0], dict):
        table = args[0]
        n = 0
        for k, v in table.items():
            new = figure_text(str(v), lang)
            if new != str(v):
                table[k] = new
                n += 1
        return n
    return 0


def figure_texts(fig: Any) -> tuple[str, str]:
    """The figure's titles and its axis and legend labels, each joined by ``" | "``.

    What :func:`save_fig` writes into the file's metadata, so the words of
    a saved figure can be checked (and searched) without reading pixels.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from jingwu.report import figure_texts
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set(title="破案率", xlabel="年份", ylabel="")
    >>> figure_texts(fig)
    ('破案率', '年份')
    >>> plt.close(fig)
    """
    titles: list[str] = []
    labels: list[str] = []
    for kind, t in _texts(fig):
        text = t.get_text().strip()
        if text:
            (titles if kind == "title" else labels).append(text)
    return " | ".join(dict.fromkeys(titles)), " | ".join(dict.fromkeys(labels))
