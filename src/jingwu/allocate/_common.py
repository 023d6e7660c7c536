"""Small argument helpers shared by the allocation modules.

Numbers that are missing, negative, text or fractional where a whole number is
meant are refused with a :class:`~jingwu.errors.DataError` naming the argument,
the stations and what was expected, instead of being computed with.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..aggregate import near_matches
from ..errors import DataError


def _check_int(value: object, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def _is_real(value: object) -> bool:
    return (not isinstance(value, (bool, np.bool_))) and isinstance(
        value, (int, float, np.integer, np.floating)
    )


def _check_number(value: Any, name: str, *, positive: bool = False) -> float:
    """A finite real number ``>= 0`` (``> 0`` with ``positive``), else a DataError naming ``name``."""
    bound = "> 0" if positive else ">= 0"
    if (
        not _is_real(value)
        or not math.isfinite(float(value))
        or float(value) < 0
        or (positive and float(value) == 0)
    ):
        raise DataError(
            f"{name} is not a usable number", column=name, expected=f"a finite number {bound}, not {value!r}"
        )
    return float(value)


def _check_total(value: Any, name: str = "total") -> int:
    """A whole number of officers (an int, or a float with no fractional part)."""
    if (
        not _is_real(value)
        or not math.isfinite(float(value))
        or float(value) != round(float(value))
        or float(value) < 0
    ):
        raise DataError(
            f"{name} is not a whole number of officers",
            column=name,
            expected=f"an integer >= 0, not {value!r}",
        )
    return int(round(float(value)))


def _bad_values(s: pd.Series, *, integer: bool, positive: bool = False) -> tuple[pd.Series, np.ndarray]:
    """``s`` as floats and a mask of its unusable entries (text, missing, infinite, negative...)."""
    num = pd.to_numeric(s, errors="coerce") if s.dtype == object else s
    text = np.zeros(len(s), dtype=bool)
    if s.dtype == object:
        # numbers written as text ("12") are refused too: the column was not read as numbers
        text = np.array(
            [
                not _is_real(v) and v is not None and not (isinstance(v, float) and math.isnan(v))
                for v in s.to_numpy()
            ],
            dtype=bool,
        )
    try:
        vals = np.asarray(num, dtype=float)
    except (TypeError, ValueError):
        vals = np.full(len(s), np.nan)
    bad = text | ~np.isfinite(vals)
    with np.errstate(invalid="ignore"):
        bad |= (vals <= 0) if positive else (vals < 0)
        if integer:
            bad |= np.isfinite(vals) & (vals != np.round(vals))
    return pd.Series(vals, index=s.index), bad


def _check_station_values(
    s: pd.Series, name: str, *, integer: bool = False, positive: bool = False
) -> pd.Series:
    """Values per station (float), refusing text, NaN, infinite, negative and (``integer``) fractions."""
    vals, bad = _bad_values(s, integer=integer, positive=positive)
    if bad.any():
        what = "whole numbers" if integer else "finite numbers"
        bound = "> 0" if positive else ">= 0"
        raise DataError(
            f"{int(bad.sum())} station(s) with a missing, text, infinite"
            f"{', fractional' if integer else ''} or {'non-positive' if positive else 'negative'} "
            f"{name}",
            column=name,
            rows=[str(i) for i in s.index[bad]],
            expected=f"{what} {bound} for every station",
        )
    return vals


def _check_same_stations(other: pd.Series, index: pd.Index, name: str, reference: str = "need") -> None:
    """``other`` must list exactly the stations of ``index``: report the missing and the extra ones."""
    missing = index.difference(other.index, sort=False)
    extra = other.index.difference(index, sort=False)
    if not len(missing) and not len(extra):
        return
    parts = []
    if len(missing):
        parts.append(f"{len(missing)} station(s) of {reference} are not in {name}")
    if len(extra):
        parts.append(f"{len(extra)} station(s) of {name} are not in {reference}")
    hint = near_matches(list(missing), list(extra)) or near_matches(list(extra), list(missing))
    expected = f"the same station ids in {name} as in {reference}{hint}"
    raise DataError(
        " and ".join(parts),
        column=name,
        rows=[str(i) for i in list(missing) + list(extra)],
        expected=expected,
    )


def _as_series(x: pd.Series | dict | float | int, index: pd.Index, name: str) -> pd.Series:
    if isinstance(x, pd.Series):
        missing = index.difference(x.index)
        if len(missing):
            raise DataError(
                f"{name} is missing {len(missing)} station(s)",
                column=name,
                rows=[str(i) for i in missing],
                expected="a value for every station"
                + near_matches(list(missing), list(x.index.difference(index))),
            )
        return x.reindex(index)
    if isinstance(x, dict):
        return _as_series(pd.Series(x), index, name)
    return pd.Series([x] * len(index), index=index, dtype=object if not _is_real(x) else float)


def _wide(daily: pd.DataFrame) -> pd.DataFrame:
    """Station × day matrix over the full date range (missing days are zero)."""
    wide = daily.pivot_table(index="station_id", columns="date", values="count", aggfunc="sum", fill_value=0)
    days = pd.date_range(wide.columns.min(), wide.columns.max(), freq="D")
    return wide.reindex(columns=days, fill_value=0).astype(float)


def _check_need(need: pd.Series) -> np.ndarray:
    """Workload per station as floats: one row per station, finite numbers >= 0."""
    if not isinstance(need, pd.Series):
        raise DataError(
            f"need must be a Series indexed by station, not {type(need).__name__}",
            column="need",
            expected="officers needed per station (a Series indexed by station id)",
        )
    if not need.index.is_unique:
        dup = need.index[need.index.duplicated()].unique()
        raise DataError(
            f"{len(dup)} station(s) listed twice in need",
            column="need",
            rows=[str(i) for i in dup],
            expected="one row per station",
        )
    return _check_station_values(need, "need").to_numpy(dtype=float)


def _check_current(current: pd.Series, index: pd.Index, name: str = "current") -> pd.Series:
    """Officers per station: the same stations as ``need``, whole numbers >= 0."""
    if not isinstance(current, pd.Series):
        raise DataError(
            f"{name} must be a Series of officers indexed by station, not {type(current).__name__}",
            column=name,
            expected="whole officers per station (a Series indexed by station id)",
        )
    _check_same_stations(current, index, name)
    return _check_station_values(current.reindex(index), name, integer=True).astype(int)
