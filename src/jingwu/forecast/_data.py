"""Input checking for the forecasting functions: long ``unique_id, ds, y`` frames."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = ["FreqInfo", "prepare", "freq_info"]


@dataclass(frozen=True)
class FreqInfo:
    """What the forecasting code needs to know about a frequency.

    ``alias`` is the pandas offset alias, ``season`` the main seasonal period
    (7 for daily, 52 for weekly, 12 for monthly) and ``yearly`` the number of
    periods in a year (365, 52, 12).
    """

    alias: str
    season: int
    yearly: int
    kind: str  # "D", "W" or "M"

    @property
    def offset(self) -> pd.DateOffset:
        return pd.tseries.frequencies.to_offset(self.alias)


def freq_info(freq: str) -> FreqInfo:
    """Describe a pandas frequency alias (``"D"``, ``"W"``, ``"W-SUN"``, ``"MS"``, ``"ME"``).

    Examples
    --------
    >>> freq_info("D").season, freq_info("W-MON").yearly, freq_info("MS").season
    (7, 52, 12)
    """
    if not isinstance(freq, str) or not freq:
        raise ValueError(f"freq must be a pandas frequency alias such as 'D', 'W' or 'MS', not {freq!r}")
    try:
        off = pd.tseries.frequencies.to_offset(freq)
    except ValueError as err:
        raise ValueError(f"unknown frequency {freq!r}: {err}") from None
    name = off.name.upper()
    if getattr(off, "n", 1) != 1:
        raise ValueError(f"frequency {freq!r}: multiples of a period are not supported")
    if name == "D":
        return FreqInfo(off.freqstr, 7, 365, "D")
    if name.startswith("W"):
        return FreqInfo(off.freqstr, 52, 52, "W")
    if name in ("MS", "M", "ME"):
        return FreqInfo(off.freqstr, 12, 12, "M")
    raise ValueError(
        f"frequency {freq!r} is not supported; use daily ('D'), weekly ('W-…') or monthly ('MS'/'ME')"
    )


def _infer_freq(df: pd.DataFrame) -> str:
    for _, g in df.groupby("unique_id", sort=False):
        if len(g) >= 3:
            f = pd.infer_freq(pd.DatetimeIndex(g["ds"].iloc[: min(len(g), 60)]))
            if f is not None:
                return f
    raise DataError(
        "cannot infer the frequency of the dates",
        column="ds",
        expected="regular daily, weekly or monthly dates (or pass freq='D', 'W-SUN', 'MS', ...)",
    )


def prepare(
    df: pd.DataFrame,
    *,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    freq: str | None = None,
    need_target: bool = True,
    min_length: int = 1,
) -> tuple[pd.DataFrame, FreqInfo]:
    """Check a long frame and return a copy with columns ``unique_id, ds, y`` plus the frequency.

    Raises :class:`~jingwu.DataError` for missing columns, non-dates, missing or
    negative-infinite targets, duplicated ``(id, ds)`` pairs and gaps in the dates.
    The input is never modified.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"station": ["A"] * 3, "date": pd.date_range("2024-01-01", periods=3),
    ...                   "n": [1, 2, 3]})
    >>> out, f = prepare(d, id_col="station", time_col="date", target_col="n")
    >>> list(out.columns), f.kind
    (['unique_id', 'ds', 'y'], 'D')
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(df).__name__}")
    cols = [id_col, time_col] + ([target_col] if need_target else [])
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DataError(
            "missing column(s) for forecasting",
            column=missing,
            expected=f"long data with columns {cols} (rename with id_col=, time_col=, target_col=)",
        )
    if len(df) == 0:
        raise DataError("the data frame is empty", expected="at least one row per series")
    out = pd.DataFrame({"unique_id": df[id_col].astype(str).to_numpy(), "ds": df[time_col].to_numpy()})
    if not pd.api.types.is_datetime64_any_dtype(out["ds"]):
        try:
            out["ds"] = pd.to_datetime(out["ds"])
        except (ValueError, TypeError):
            raise DataError(
                f"values are not dates (dtype {df[time_col].dtype})",
                column=time_col,
                expected="dates such as 2024-01-31",
            ) from None
    if out["ds"].isna().any():
        raise DataError(
            "missing dates",
            column=time_col,
            rows=np.flatnonzero(out["ds"].isna().to_numpy()),
            expected="a date in every row",
        )
    if need_target:
        y = df[target_col]
        if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
            raise DataError(
                f"values are not numeric (dtype {y.dtype})", column=target_col, expected="numbers"
            )
        yv = y.to_numpy(dtype=float)
        bad = ~np.isfinite(yv)
        if bad.any():
            raise DataError(
                "missing or infinite values",
                column=target_col,
                rows=np.flatnonzero(bad),
                expected="a finite number in every row (fill gaps, e.g. with 0 for counts)",
            )
        out["y"] = yv
    dup = out.duplicated(["unique_id", "ds"], keep=False).to_numpy()
    if dup.any():
        raise DataError(
            "duplicated (id, date) pairs",
            column=[id_col, time_col],
            rows=np.flatnonzero(dup),
            expected=f"one row per {id_col} and {time_col} (sum duplicates first)",
        )
    out = out.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    info = freq_info(freq if freq is not None else _infer_freq(out))
    # Regular dates: every series is consecutive at the frequency.  A vectorised check
    # first (each date is the previous one plus a period, the first on the offset); the
    # per-series loop below only runs on the series that fail it, to name the first gap.
    ds_all = pd.DatetimeIndex(out["ds"])
    uid_all = out["unique_id"].to_numpy()
    first = np.r_[True, uid_all[1:] != uid_all[:-1]]
    off = info.offset
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
        step_ok = np.r_[True, (ds_all[:-1] + off).to_numpy() == ds_all[1:].to_numpy()]
        anchor_ok = ((ds_all + off) - off).to_numpy() == ds_all.to_numpy()
    ok = np.where(first, anchor_ok, step_ok)
    sizes = out.groupby("unique_id", sort=False).size()
    suspect = set(uid_all[~ok]) | set(sizes.index[sizes.to_numpy() < min_length])
    check = out[out["unique_id"].isin(suspect)] if suspect else out.iloc[:0]
    for uid, g in check.groupby("unique_id", sort=False):
        ds = pd.DatetimeIndex(g["ds"])
        expect = pd.date_range(ds[0], periods=len(ds), freq=info.offset)
        if len(ds) < min_length:
            raise DataError(
                f"series {uid!r} has {len(ds)} observations",
                column=id_col,
                expected=f"at least {min_length} observations per series",
            )
        if not ds.equals(expect):
            where = int(np.flatnonzero(ds != expect)[0])
            raise DataError(
                f"non-regular dates in series {uid!r}: {ds[where].date()} where "
                f"{expect[where].date()} was expected (gap or wrong frequency {info.alias!r})",
                column=time_col,
                expected="consecutive dates at one frequency per series (fill missing days with 0 counts)",
            )
    return out, info


def check_h(h: object) -> int:
    """Return ``h`` as an int or raise ``ValueError``."""
    if isinstance(h, bool) or not isinstance(h, (int, np.integer)) or h <= 0:
        raise ValueError(f"h (the forecast horizon) must be a positive integer, got {h!r}")
    return int(h)


def check_levels(level: object) -> tuple[int, ...]:
    """Return interval levels as a sorted tuple of ints in (0, 100)."""
    if level is None:
        return ()
    if isinstance(level, (int, float, np.integer, np.floating)):
        level = (level,)
    out = []
    for lv in cast(Iterable[Any], level):
        if not isinstance(lv, (int, float, np.integer, np.floating)) or not 0 < lv < 100:
            raise ValueError(f"interval levels must be numbers between 0 and 100 (e.g. 80, 95), got {lv!r}")
        if float(lv) != int(lv):
            raise ValueError(f"interval levels must be whole percentages, got {lv!r}")
        out.append(int(lv))
    return tuple(sorted(set(out)))
