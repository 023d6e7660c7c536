"""Daily demand reduced, in one chunked pass, to what the workload features need.

The station × day matrix, category totals and the seasonal, Spring Festival
and growth measures computed from it; bad rows are a :class:`DataError`
naming stations and dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..calendar import lunar_new_year
from ..errors import DataError
from ..schema import require_columns

#: Rows of demand handled at a time: the per-row work arrays stay small
#: (tens of MB) however long the table is.
_CHUNK_ROWS = 2_000_000
#: Stations per block in the seasonal regression (same numbers, bounded memory).
_CHUNK_STATIONS = 4096
_SHOWN = 5


def _check_demand(demand: pd.DataFrame) -> None:
    require_columns(
        demand, ["station_id", "date", "category", "count"], what="the workload features", file="demand"
    )
    if len(demand) == 0:
        raise DataError("demand is empty", file="demand", expected="at least one row")


def _demand_dates(demand: pd.DataFrame) -> np.ndarray:
    """The ``date`` column as datetime64[ns] days; unusable dates are a DataError naming the stations."""
    col = demand["date"]
    if isinstance(col.dtype, pd.DatetimeTZDtype):
        col = col.dt.tz_localize(None)
    if not pd.api.types.is_datetime64_dtype(col.dtype):
        col = pd.to_datetime(col, errors="coerce")
    values = col.to_numpy(dtype="datetime64[ns]")
    bad = np.isnat(values)
    if bad.any():
        raise DataError(
            f"{int(bad.sum())} row(s) with a missing or unreadable date",
            file="demand",
            column="date",
            rows=[str(s) for s in demand["station_id"].to_numpy()[bad][:_SHOWN]],
            expected="calendar days (rows named by station id)",
        )
    return values


def _bad_counts(part: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Counts as floats and a mask of text, missing, infinite or negative ones."""
    if pd.api.types.is_numeric_dtype(part.dtype) and not pd.api.types.is_bool_dtype(part.dtype):
        w = part.to_numpy(dtype=float, na_value=np.nan)
        text = np.zeros(len(w), dtype=bool)
    else:
        raw = part.to_numpy(dtype=object)
        text = np.array([isinstance(v, (str, bytes, bool, np.bool_)) for v in raw], dtype=bool)
        w = pd.to_numeric(pd.Series(np.where(text, np.nan, raw)), errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        bad = text | ~np.isfinite(w) | (w < 0)
    return w, bad


def _codes(values: pd.Series, uniques: pd.Index) -> np.ndarray:
    """Positions of ``values`` in ``uniques`` (categoricals through their small category table)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        lut = uniques.get_indexer(values.cat.categories)
        codes = values.cat.codes.to_numpy()
        return lut[codes]
    return uniques.get_indexer(values)


def _sorted_uniques(values: pd.Series) -> pd.Index:
    """Distinct values (missing ones left out) in the order ``groupby(sort=True)`` gives them."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        used = np.unique(values.cat.codes.to_numpy())
        return pd.Index(values.cat.categories[used[used >= 0]])
    return pd.Index(pd.unique(values)).dropna().sort_values()


@dataclass
class _DemandTotals:
    """Daily demand reduced to what the features need, in one pass over the rows."""

    matrix: pd.DataFrame  # station × day totals (missing days 0)
    by_category: pd.DataFrame  # station × category totals
    last_year: pd.DataFrame  # the same over the last 365 days
    categories: list[str]  # categories present (as text)


def _demand_totals(demand: pd.DataFrame, lo: pd.Timestamp | None, hi: pd.Timestamp | None) -> _DemandTotals:
    """Accumulate station × day and station × category totals chunk by chunk.

    Refuses text, missing, infinite and negative counts (naming the stations
    and dates), and stations or dates it cannot place.  Only rows inside
    ``[lo, hi]`` count.  Integer counts are summed exactly, so the totals equal
    those of a pandas group-by.
    """
    dates = _demand_dates(demand)
    idays = dates.view("i8")
    keep = np.ones(len(dates), dtype=bool)
    if lo is not None:
        keep &= dates >= np.datetime64(lo, "ns")
    if hi is not None:
        keep &= dates <= np.datetime64(hi, "ns")
    if not keep.any():
        raise DataError(
            "no demand in the requested window",
            file="demand",
            column="date",
            expected=f"dates between {(lo or dates.min())} and {(hi or dates.max())}",
        )
    day = np.int64(86_400 * 10**9)
    first = idays.min(where=keep, initial=np.iinfo(np.int64).max)
    last = idays.max(where=keep, initial=np.iinfo(np.int64).min)
    n_days = int((last - first) // day) + 1
    recent_from = int((last - first) // day) - 364  # old rule: date > max − 365 days
    stations = _sorted_uniques(demand["station_id"])
    cats = pd.Index(pd.unique(demand["category"])).dropna()
    n_s, n_c = len(stations), len(cats)
    mat = np.zeros(n_s * n_days)
    by_cat = np.zeros(n_s * n_c)
    by_cat_last = np.zeros(n_s * n_c)
    seen_s = np.zeros(n_s, dtype=bool)
    seen_c = np.zeros(n_c, dtype=bool)
    bad_rows: list[np.ndarray] = []
    timed: list[np.ndarray] = []
    no_id: dict[str, list[np.ndarray]] = {"station_id": [], "category": []}
    for start in range(0, len(demand), _CHUNK_ROWS):
        part = demand.iloc[start : start + _CHUNK_ROWS]
        k = keep[start : start + _CHUNK_ROWS]
        w, bad = _bad_counts(part["count"])
        i = idays[start : start + _CHUNK_ROWS]
        clock = (i % day) != 0
        s, c = _codes(part["station_id"], stations), _codes(part["category"], cats)
        if bad.any() or clock.any() or (s < 0).any() or (c < 0).any():  # −1: a missing id
            bad_rows.append(start + np.flatnonzero(bad))
            timed.append(start + np.flatnonzero(clock))
            no_id["station_id"].append(start + np.flatnonzero(s < 0))
            no_id["category"].append(start + np.flatnonzero(c < 0))
            continue
        s, c = s[k], c[k]
        t = (i[k] - first) // day
        w = w[k]
        # only the block of station rows this chunk touches (demand is usually sorted by station)
        lo_s, hi_s = (int(s.min()), int(s.max()) + 1) if len(s) else (0, 0)
        mat[lo_s * n_days : hi_s * n_days] += np.bincount(
            (s - lo_s) * n_days + t, weights=w, minlength=(hi_s - lo_s) * n_days
        )
        by_cat += np.bincount(s * n_c + c, weights=w, minlength=n_s * n_c)
        r = t >= recent_from
        by_cat_last += np.bincount(s[r] * n_c + c[r], weights=w[r], minlength=n_s * n_c)
        seen_s[s] = True
        seen_c[c] = True
    for col, found in no_id.items():
        rows = np.concatenate(found) if found else np.array([], dtype=int)
        if len(rows):
            raise DataError(
                f"{len(rows)} row(s) without a {col}",
                file="demand",
                column=col,
                rows=[f"row {i}" for i in demand.index[rows[:_SHOWN]]],
                expected=f"a {col} on every row",
            )
    for found, column, problem, expected in (
        (
            bad_rows,
            "count",
            "a text, missing, infinite or negative count",
            "incident counts: numbers >= 0 (rows named by station id and date)",
        ),
        (
            timed,
            "date",
            "a time of day in the date (daily demand has one row per day)",
            "calendar days at midnight (rows named by station id and date)",
        ),
    ):
        rows = np.concatenate(found) if found else np.array([], dtype=int)
        if len(rows):
            ids = demand["station_id"].to_numpy()[rows[:_SHOWN]]
            shown = [f"{sid} {pd.Timestamp(dd).date()}" for sid, dd in zip(ids, dates[rows[:_SHOWN]])]
            raise DataError(
                f"{len(rows)} row(s) with {problem}",
                file="demand",
                column=column,
                rows=shown,
                expected=expected,
            )
    names = pd.Index(stations[seen_s].astype(str), name="station_id")
    days = pd.date_range(pd.Timestamp(first), periods=n_days, freq="D")
    cat_names = [str(x) for x in cats[seen_c]]
    return _DemandTotals(
        # a boolean index would copy the whole matrix: only stations outside the window need it
        matrix=pd.DataFrame(
            mat.reshape(n_s, n_days) if seen_s.all() else mat.reshape(n_s, n_days)[seen_s],
            index=names,
            columns=days,
            copy=False,
        ),
        by_category=pd.DataFrame(by_cat.reshape(n_s, n_c)[seen_s][:, seen_c], index=names, columns=cat_names),
        last_year=pd.DataFrame(
            by_cat_last.reshape(n_s, n_c)[seen_s][:, seen_c], index=names, columns=cat_names
        ),
        categories=cat_names,
    )


def _holiday_mask(dates: pd.DatetimeIndex) -> np.ndarray:
    """Days near the Spring Festival (−7..+15) or in the Golden Week (1–7 Oct)."""
    mask = (dates.month == 10) & (dates.day <= 7)
    for y in range(dates.year.min() - 1, dates.year.max() + 2):
        lny = pd.Timestamp(lunar_new_year(y))
        off = (dates - lny).days
        mask |= (off >= -7) & (off <= 15)
    return np.asarray(mask)


def _full_years(dates: pd.DatetimeIndex) -> list[int]:
    counts = pd.Series(1, index=dates).groupby(dates.year).sum()
    return [int(y) for y, n in counts.items() if n >= 365]


def _seasonal_amplitude(mat: pd.DataFrame, ordinary: np.ndarray) -> np.ndarray:
    """First-harmonic amplitude of demand relative to the station-year mean.

    Fitted for blocks of :data:`_CHUNK_STATIONS` stations at a time, so the
    working copies stay small for a national table.
    """
    dates = mat.columns
    t = 2 * np.pi * dates.dayofyear.to_numpy() / 365.25
    X = np.column_stack([np.ones(len(dates)), np.cos(t), np.sin(t)])[ordinary]
    years = dates.year.to_numpy()
    out = np.full(len(mat), np.nan)
    values = mat.to_numpy()
    for lo in range(0, len(mat), _CHUNK_STATIONS):
        vals = values[lo : lo + _CHUNK_STATIONS]
        rel = np.empty_like(vals)
        for y in np.unique(years):
            cols = years == y
            m = vals[:, cols & ordinary].mean(axis=1, keepdims=True)
            rel[:, cols] = vals[:, cols] / np.where(m > 0, m, np.nan)
        Y = rel[:, ordinary].T
        del rel
        ok = np.isfinite(Y).all(axis=0)
        if ok.any():
            beta, *_ = np.linalg.lstsq(X, Y[:, ok], rcond=None)
            out[lo : lo + _CHUNK_STATIONS][ok] = np.hypot(beta[1], beta[2])
    return out


def _annual_totals(mat: pd.DataFrame, years: Sequence[int]) -> np.ndarray:
    """Station × year totals for ``years`` (contiguous column slices: no copies of the matrix)."""
    y = mat.columns.year.to_numpy()
    vals = mat.to_numpy()
    cols = []
    for year in years:
        lo, hi = np.searchsorted(y, year, side="left"), np.searchsorted(y, year, side="right")
        cols.append(vals[:, lo:hi].sum(axis=1))
    return np.column_stack(cols) if cols else np.empty((len(mat), 0))


def _spring_festival(mat: pd.DataFrame) -> np.ndarray:
    """Mean daily demand in the Spring Festival week / 3 weeks either side."""
    dates = mat.columns
    vals = mat.to_numpy()
    ratios = []
    for y in range(dates.year.min(), dates.year.max() + 1):
        lny = pd.Timestamp(lunar_new_year(y))
        off = np.asarray((dates - lny).days)
        if off.min() > -22 or off.max() < 27:
            continue  # the reference weeks are not all in the data
        week = (off >= -1) & (off <= 6)
        ref = ((off >= -22) & (off <= -2)) | ((off >= 7) & (off <= 27))
        r = vals[:, ref].mean(axis=1)
        ratios.append(np.log(vals[:, week].mean(axis=1) / np.where(r > 0, r, np.nan)))
    if not ratios:
        return np.full(len(mat), np.nan)
    with np.errstate(invalid="ignore"):
        return np.exp(np.nanmean(np.vstack(ratios), axis=0))


def _growth(mat: pd.DataFrame) -> np.ndarray:
    dates = mat.columns
    years = _full_years(dates)
    if len(years) < 2:
        return np.full(len(mat), np.nan)
    annual = _annual_totals(mat, years)
    with np.errstate(divide="ignore"):
        logy = np.log(annual)
    x = np.asarray(years, float) - np.mean(years)
    out = np.full(len(mat), np.nan)
    ok = np.isfinite(logy).all(axis=1)
    slope = (logy[ok] - logy[ok].mean(axis=1, keepdims=True)) @ x / (x @ x)
    out[ok] = np.expm1(slope)
    return out
