"""Incident records → daily demand → monthly panel.

Aggregation runs in DuckDB, which streams over its input: a pandas frame is
scanned in place and a Parquet or CSV file is read in chunks, so tens of
millions of incident rows aggregate in a few hundred megabytes (see
``benchmarks/aggregate_bench.py`` for measured time and memory).

Examples
--------
>>> import pandas as pd
>>> inc = pd.DataFrame({"incident_id": ["a", "b", "c"], "station_id": ["S01", "S01", "S02"],
...     "reported_at": pd.to_datetime(["2024-01-01 08:00", "2024-01-01 21:00", "2024-01-02 03:00"]),
...     "category": ["traffic", "traffic", "fraud"]})
>>> d = daily_demand(inc)
>>> int(d["count"].sum()), len(d)   # zero-filled: 2 stations × 2 days × 7 categories
(3, 28)
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from . import schema
from .errors import DataError

__all__ = ["daily_demand", "monthly_panel", "demand_to_monthly", "complete_demand", "hourly_counts"]


def _connect() -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with bounded memory (``JINGWU_DUCKDB_MEMORY``, default 1GB).

    DuckDB spills to disk beyond the limit, so large inputs stay within it.
    """
    import os

    limit = os.environ.get("JINGWU_DUCKDB_MEMORY", "1GB")
    return duckdb.connect(config={"memory_limit": limit, "preserve_insertion_order": False})


def _relation(con: duckdb.DuckDBPyConnection, source: pd.DataFrame | str | Path) -> str:
    """Register ``source`` with DuckDB and return the SQL table expression."""
    if isinstance(source, pd.DataFrame):
        con.register("src", source)
        return "src"
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(path)
    p = str(path).replace("'", "''")
    if path.suffix.lower() == ".parquet":
        return f"read_parquet('{p}')"
    if path.suffix.lower() in (".csv", ".gz"):
        return f"read_csv('{p}', header=true, types={{'station_id': 'VARCHAR'}})"
    raise DataError(f"unsupported file type {path.suffix!r} for streaming aggregation", file=path,
                    expected="a .parquet or .csv file with canonical headers "
                             "(read other exports with jingwu.io first)")


def _check_source_columns(con: duckdb.DuckDBPyConnection, rel: str, needed: list[str],
                          file: str | None) -> list[str]:
    cols = [c[0] for c in con.execute(f"DESCRIBE SELECT * FROM {rel}").fetchall()]
    missing = [c for c in needed if c not in cols]
    if missing:
        raise DataError("missing required column(s) for aggregation", file=file, column=missing,
                        expected=f"columns {needed}")
    return cols


def complete_demand(demand: pd.DataFrame, *, start: str | None = None, end: str | None = None,
                    station_ids: list[str] | None = None,
                    categories: tuple[str, ...] = schema.CATEGORIES) -> pd.DataFrame:
    """Zero-fill a demand table to the full station × date × category grid.

    Days without any incident are real zeros in demand data, and forecasting
    needs a regular series, so missing combinations become ``count = 0``.

    Examples
    --------
    >>> d = pd.DataFrame({"station_id": ["S01"], "date": pd.to_datetime(["2024-01-02"]),
    ...                   "category": ["fraud"], "count": [2]})
    >>> complete_demand(d, start="2024-01-01", categories=("fraud",))["count"].tolist()
    [0, 2]
    """
    dates = pd.date_range(start or demand["date"].min(), end or demand["date"].max(), freq="D")
    ids = sorted(demand["station_id"].unique()) if station_ids is None else list(station_ids)
    grid = pd.MultiIndex.from_product([ids, dates, list(categories)],
                                      names=["station_id", "date", "category"])
    out = (demand.assign(category=demand["category"].astype(str))
           .groupby(["station_id", "date", "category"], observed=True)["count"].sum()
           .reindex(grid, fill_value=0).reset_index())
    out["category"] = pd.Categorical(out["category"], categories=list(categories))
    out["count"] = out["count"].astype("int64")
    return out


def daily_demand(
    incidents: pd.DataFrame | str | Path,
    *,
    fill_zeros: bool = True,
    start: str | None = None,
    end: str | None = None,
    station_ids: list[str] | None = None,
) -> pd.DataFrame:
    """Count incidents per station, day and category.

    Parameters
    ----------
    incidents : DataFrame or path
        Incident records in the canonical schema (see :func:`jingwu.io.read_incidents`),
        or a Parquet/CSV file with canonical headers, aggregated without
        loading it into memory.
    fill_zeros : bool
        Return the full station × date × category grid with zeros.
    start, end : str, optional
        Date range of the grid (default: the data's range).
    station_ids : list of str, optional
        Stations of the grid (e.g. all stations of the station table, so a
        station with no incidents still appears).

    Returns
    -------
    DataFrame
        The ``demand`` table: ``station_id``, ``date``, ``category``, ``count``.
    """
    file = None if isinstance(incidents, pd.DataFrame) else str(incidents)
    if isinstance(incidents, pd.DataFrame) and len(incidents) == 0:
        raise DataError("no incident records", file=file, expected="at least one row")
    con = _connect()
    try:
        rel = _relation(con, incidents)
        _check_source_columns(con, rel, ["station_id", "reported_at", "category"], file)
        out = con.execute(f"""
            SELECT CAST(station_id AS VARCHAR) AS station_id,
                   CAST(CAST(reported_at AS TIMESTAMP) AS DATE) AS date,
                   CAST(category AS VARCHAR) AS category,
                   COUNT(*) AS count
            FROM {rel}
            GROUP BY ALL
            ORDER BY station_id, date, category
        """).df()
    finally:
        con.close()
    out["date"] = pd.to_datetime(out["date"])
    out["count"] = out["count"].astype("int64")
    schema.validate_demand(out.assign(category=out["category"]), file=file)
    if fill_zeros:
        return complete_demand(out, start=start, end=end, station_ids=station_ids)
    out["category"] = pd.Categorical(out["category"], categories=list(schema.CATEGORIES))
    return out


def demand_to_monthly(demand: pd.DataFrame, *, by_category: bool = False) -> pd.DataFrame:
    """Sum daily demand to months.

    Examples
    --------
    >>> d = pd.DataFrame({"station_id": "S01", "date": pd.date_range("2024-01-30", periods=3),
    ...                   "category": "fraud", "count": [1, 2, 3]})
    >>> demand_to_monthly(d)[["month", "incidents"]].astype(str).values.tolist()
    [['2024-01', '3'], ['2024-02', '3']]
    """
    keys = ["station_id", "month"] + (["category"] if by_category else [])
    out = (demand.assign(month=demand["date"].dt.to_period("M"))
           .groupby(keys, observed=True, sort=True)["count"].sum()
           .rename("incidents").reset_index())
    out["incidents"] = out["incidents"].astype("int64")
    return out


def monthly_panel(
    *,
    demand: pd.DataFrame | None = None,
    incidents: pd.DataFrame | str | Path | None = None,
    stations: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Build the monthly ``panel`` from daily demand and/or incident records.

    With ``incidents`` the panel also gets ``cases`` and ``cleared`` (from
    ``is_case`` / ``cleared``) and the mean ``response_minutes``; with
    ``stations`` it gets ``officers`` and ``adoption_month``.

    Examples
    --------
    >>> d = pd.DataFrame({"station_id": "S01", "date": pd.date_range("2024-01-30", periods=3),
    ...                   "category": "fraud", "count": [1, 2, 3]})
    >>> st = pd.DataFrame({"station_id": ["S01"], "district": ["D1"], "officers": [20],
    ...                    "adoption_month": pd.PeriodIndex(["2024-02"], freq="M")})
    >>> monthly_panel(demand=d, stations=st)[["incidents", "officers"]].values.tolist()
    [[3, 20], [3, 20]]
    """
    if demand is None and incidents is None:
        raise ValueError("give demand, incidents or both")
    if demand is None:
        demand = daily_demand(incidents, fill_zeros=False)
    panel = demand_to_monthly(demand)
    if incidents is not None:
        file = None if isinstance(incidents, pd.DataFrame) else str(incidents)
        con = _connect()
        try:
            rel = _relation(con, incidents)
            cols = _check_source_columns(con, rel, ["station_id", "reported_at"], file)
            parts = []
            if "is_case" in cols:
                parts.append("SUM(CASE WHEN CAST(is_case AS BOOLEAN) THEN 1 ELSE 0 END) AS cases")
                if "cleared" in cols:
                    parts.append("SUM(CASE WHEN CAST(is_case AS BOOLEAN) AND CAST(cleared AS BOOLEAN) "
                                 "THEN 1 ELSE 0 END) AS cleared")
            if "response_minutes" in cols:
                parts.append("ROUND(AVG(response_minutes), 2) AS response_minutes")
            if parts:
                extra = con.execute(f"""
                    SELECT CAST(station_id AS VARCHAR) AS station_id,
                           strftime(CAST(reported_at AS TIMESTAMP), '%Y-%m') AS month,
                           {", ".join(parts)}
                    FROM {rel} GROUP BY ALL ORDER BY station_id, month
                """).df()
                extra["month"] = pd.PeriodIndex(extra["month"], freq="M")
                for c in ("cases", "cleared"):
                    if c in extra:
                        extra[c] = extra[c].astype("int64")
                panel = panel.merge(extra, on=["station_id", "month"], how="left")
        finally:
            con.close()
    if stations is not None:
        keep = [c for c in ("station_id", "officers", "adoption_month") if c in stations.columns]
        panel = panel.merge(stations[keep], on="station_id", how="left")
    if "adoption_month" in panel and not isinstance(panel["adoption_month"].dtype, pd.PeriodDtype):
        panel["adoption_month"] = panel["adoption_month"].astype("period[M]")
    schema.validate_panel(panel, stations=stations)
    return panel.sort_values(["station_id", "month"], kind="stable").reset_index(drop=True)


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
    out = (incidents.assign(dow=ts.dt.dayofweek.astype(np.int64), hour=ts.dt.hour.astype(np.int64),
                            category=incidents["category"].astype(str))
           .groupby(["station_id", "category", "dow", "hour"], sort=True).size()
           .rename("count").reset_index())
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
    if not isinstance(demand, pd.DataFrame):
        raise ValueError(f"demand must be a DataFrame, got {type(demand).__name__}")
    missing = sorted({"station_id", "date", "count"} - set(demand.columns))
    if missing:
        raise DataError(f"missing columns for {what}", column=missing,
                        expected="daily demand with station_id, date and count")
    if len(demand) == 0:
        raise DataError(f"no demand rows for {what}", expected="at least one row")
    d = pd.DataFrame({"station_id": demand["station_id"].astype(str).to_numpy(),
                      "date": pd.to_datetime(demand["date"]).to_numpy(),
                      "count": pd.to_numeric(demand["count"], errors="coerce").to_numpy()})
    bad = ~np.isfinite(d["count"].to_numpy(dtype=float)) | (d["count"].to_numpy(dtype=float) < 0)
    if bad.any():
        raise DataError("missing, negative or non-finite counts", column="count",
                        rows=np.flatnonzero(bad).tolist(), expected="incident counts >= 0")
    return d.groupby(["station_id", "date"], as_index=False, sort=True)["count"].sum()
