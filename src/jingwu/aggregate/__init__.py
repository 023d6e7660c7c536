"""Incident records → daily demand → monthly panel.

A DataFrame is checked (columns, types, categories, dates) and then
aggregated by one DuckDB ``GROUP BY`` that scans it in place.  A file (CSV,
Excel or Parquet, with Chinese or English headers) is read through
:func:`jingwu.io.iter_table` chunk by chunk -- the same checks, header
mapping, station-name normalisation and totals-row handling as
:func:`jingwu.io.read_incidents` -- and each chunk is reduced before the next
is read, so memory stays flat however long the export is (see
``benchmarks/intake_bench.py`` for measured time and peak memory).  Every bad
value is a :class:`~jingwu.errors.DataError` naming the file, column and file
lines, never a DuckDB exception; every filter that drops incidents says how
many and which stations, with near-matches suggested.

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

from .daily import complete_demand, daily_demand, demand_to_monthly
from .monthly import monthly_panel
from .reading import near_matches
from .summaries import hourly_counts
from .summaries import station_daily_totals as station_daily_totals

__all__ = [
    "daily_demand",
    "monthly_panel",
    "demand_to_monthly",
    "complete_demand",
    "hourly_counts",
    "near_matches",
]
