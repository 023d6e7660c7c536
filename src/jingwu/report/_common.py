"""Names and formats shared by the figure and table writers."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np


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


class SavedFiles(dict):
    """Format -> path of the files written; shows nothing as a notebook's last line.

    Without this, a cell ending in ``save_fig(...)`` would print a dict of
    machine paths into every report.
    """

    def _ipython_display_(self) -> None:
        return None
