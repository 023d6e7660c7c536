"""Small summaries of incidents and demand: hour-of-day counts and station daily totals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import schema
from ..errors import DataError


def hourly_counts(incidents: pd.DataFrame) -> pd.DataFrame:
    """Counts per station, category, weekday (0 = Monday) and hour of day.

    Examples
    --------
    >>> inc = pd.DataFrame({"station_id": ["S01"] * 2, "category": ["traffic"] * 2,
    ...     "reported_at": pd.to_datetime(["2024-01-01 08:10", "2024-01-08 08:50"])})
    >>> hourly_counts(inc)[["dow", "hour", "count"]].values.tolist()
    [[0, 8, 2]]
    """
    ts = pd.to_datetime(incidents["reported_at"])
    out = (
        incidents.assign(
            dow=ts.dt.dayofweek.astype(np.int64),
            hour=ts.dt.hour.astype(np.int64),
            category=incidents["category"].astype(str),
        )
        .groupby(["station_id", "category", "dow", "hour"], sort=True)
        .size()
        .rename("count")
        .reset_index()
    )
    return out


def station_daily_totals(demand: pd.DataFrame, what: str = "daily totals") -> pd.DataFrame:
    """Daily incident totals per station (categories summed), station ids as text.

    Parameters
    ----------
    demand : DataFrame
        Daily demand with ``station_id``, ``date``, ``count`` (any other
        columns, e.g. ``category``, are summed over).
    what : str
        What the totals are for, named in error messages.

    Examples
    --------
    >>> d = pd.DataFrame({"station_id": ["S1", "S1"], "date": ["2024-01-01"] * 2,
    ...                   "category": ["fraud", "traffic"], "count": [2, 3]})
    >>> station_daily_totals(d)["count"].tolist()
    [5]
    """
    schema.require_columns(
        demand,
        ["station_id", "date", "count"],
        what=what,
        expected="daily demand with station_id, date and count",
    )
    if len(demand) == 0:
        raise DataError(f"no demand rows for {what}", expected="at least one row")
    d = pd.DataFrame(
        {
            "station_id": demand["station_id"].astype(str).to_numpy(),
            "date": pd.to_datetime(demand["date"]).to_numpy(),
            "count": pd.to_numeric(demand["count"], errors="coerce").to_numpy(),
        }
    )
    bad = ~np.isfinite(d["count"].to_numpy(dtype=float)) | (d["count"].to_numpy(dtype=float) < 0)
    if bad.any():
        raise DataError(
            "missing, negative or non-finite counts",
            column="count",
            rows=np.flatnonzero(bad).tolist(),
            expected="incident counts >= 0",
        )
    return d.groupby(["station_id", "date"], as_index=False, sort=True)["count"].sum()
