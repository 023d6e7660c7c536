"""Small argument helpers shared by the allocation modules."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError


def _check_int(value: object, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def _as_series(x: pd.Series | dict | float | int, index: pd.Index, name: str) -> pd.Series:
    if isinstance(x, pd.Series):
        missing = index.difference(x.index)
        if len(missing):
            raise DataError(f"{name} is missing stations {list(missing[:5])}", column=name)
        return x.reindex(index).astype(float)
    if isinstance(x, dict):
        return _as_series(pd.Series(x), index, name)
    return pd.Series(float(x), index=index)


def _wide(daily: pd.DataFrame) -> pd.DataFrame:
    """Station × day matrix over the full date range (missing days are zero)."""
    wide = daily.pivot_table(index="station_id", columns="date", values="count", aggfunc="sum", fill_value=0)
    days = pd.date_range(wide.columns.min(), wide.columns.max(), freq="D")
    return wide.reindex(columns=days, fill_value=0).astype(float)
