"""Within-week demand shape: hour-of-week shares for staffing by shift."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = ["hour_of_week_profile"]


def hour_of_week_profile(
    incidents: pd.DataFrame,
    by: str | Sequence[str] | None = "station_id",
    *,
    time_col: str = "reported_at",
) -> pd.DataFrame:
    """Share of incidents in each of the 168 hours of the week (Monday 00:00 = 0).

    Multiply a daily or weekly forecast by these shares to get demand per
    shift.  Every group gets all 168 hours (zeros included); shares sum to 1.

    Parameters
    ----------
    incidents : DataFrame
        One row per incident with a timestamp column.
    by : str, sequence of str or None
        Grouping columns (``"station_id"``, ``"category"``, both, or ``None``
        for one city-wide profile).
    time_col : str
        The timestamp column.

    Returns
    -------
    DataFrame
        ``by…, hour_of_week, dow, hour, count, share``.

    Examples
    --------
    >>> import pandas as pd
    >>> inc = pd.DataFrame({"station_id": ["S1", "S1", "S1"],
    ...     "reported_at": pd.to_datetime(["2024-01-01 08:10", "2024-01-08 08:50", "2024-01-02 23:00"])})
    >>> p = hour_of_week_profile(inc)
    >>> len(p), float(p["share"].sum()), p.loc[p["count"] > 0, ["hour_of_week", "share"]].values.tolist()
    (168, 1.0, [[8.0, 0.6666666666666666], [47.0, 0.3333333333333333]])
    """
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    missing = [c for c in [*keys, time_col] if c not in incidents.columns]
    if missing:
        raise DataError(
            "missing column(s) for the hour-of-week profile",
            column=missing,
            expected=f"incident records with {[*keys, time_col]}",
        )
    if len(incidents) == 0:
        raise DataError("no incidents given", expected="at least one incident record")
    ts = pd.to_datetime(incidents[time_col])
    if ts.isna().any():
        raise DataError("missing timestamps", column=time_col, rows=np.flatnonzero(ts.isna().to_numpy()))
    how = (ts.dt.dayofweek * 24 + ts.dt.hour).to_numpy()
    frame = pd.DataFrame({k: incidents[k].astype(str).to_numpy() for k in keys} | {"hour_of_week": how})
    if keys:
        counts = frame.groupby([*keys, "hour_of_week"]).size()
        groups = frame[keys].drop_duplicates().sort_values(keys)
        full = pd.MultiIndex.from_frame(
            groups.merge(pd.DataFrame({"hour_of_week": np.arange(168)}), how="cross")
        )
        counts = counts.reindex(full, fill_value=0).rename("count").reset_index()
        counts["share"] = counts["count"] / counts.groupby(keys)["count"].transform("sum")
    else:
        c = np.bincount(how, minlength=168)
        counts = pd.DataFrame({"hour_of_week": np.arange(168), "count": c, "share": c / c.sum()})
    counts.insert(len(keys) + 1, "dow", counts["hour_of_week"] // 24)
    counts.insert(len(keys) + 2, "hour", counts["hour_of_week"] % 24)
    return counts[[*keys, "hour_of_week", "dow", "hour", "count", "share"]].reset_index(drop=True)
