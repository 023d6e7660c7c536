"""Figures: :func:`save_fig` writes ``reports/figures/<prefix>_<name>.<format>``."""
from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .. import paths
from ._common import SavedFiles, _formats, _stem

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
