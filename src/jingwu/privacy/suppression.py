"""Suppress small cells in tables meant for publication."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def suppress_small_cells(
    table: pd.DataFrame,
    min_count: int = 5,
    columns: Sequence[str] | None = None,
    marker: str | None = None,
    *,
    keep_zero: bool = True,
) -> pd.DataFrame:
    """Mask small counts in a table meant for publication.

    Counts ``0 < x < min_count`` (and ``0`` too when ``keep_zero=False``) are
    replaced by ``marker``; masked columns become text.  This is primary
    suppression only: if a row or column total is published next to a single
    masked cell, that cell can be recovered by subtraction, so suppress
    totals too or publish rates rounded.

    Parameters
    ----------
    table : DataFrame
        Not modified.
    min_count : int, default 5
        Smallest count shown.
    columns : sequence of str, optional
        Columns to check; default every integer-valued numeric column.
    marker : str, optional
        Replacement text; default ``"<{min_count}"``.
    keep_zero : bool, default True
        Show zeros (structural zeros are usually safe to publish).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"station": ["A", "B", "C"], "cases": [0, 3, 40]})
    >>> suppress_small_cells(t)["cases"].tolist()
    [0, '<5', 40]
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(table).__name__}")
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 1:
        raise ValueError(f"min_count must be a positive integer, not {min_count!r}")
    marker = f"<{min_count}" if marker is None else marker
    if columns is None:
        columns = []
        for c in table.columns:
            s = table[c]
            if pd.api.types.is_integer_dtype(s) and not pd.api.types.is_bool_dtype(s):
                columns.append(c)
            elif pd.api.types.is_float_dtype(s):
                v = s.dropna().to_numpy()
                if len(v) and np.all(v == np.round(v)):
                    columns.append(c)
    else:
        missing = [c for c in columns if c not in table.columns]
        if missing:
            raise ValueError(f"columns not in the table: {missing}")
    out = table.copy()
    for c in columns:
        s = pd.to_numeric(table[c], errors="raise")
        small = ((s > 0) if keep_zero else (s >= 0)) & (s < min_count)
        small = small.fillna(False).to_numpy(dtype=bool)
        if small.any():
            col = table[c].astype(object)
            col[small] = marker
            out[c] = col
    return out
