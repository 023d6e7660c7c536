"""The monthly station panel straight from incident records (a frame or a file read chunk by chunk)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from ..errors import DataError
from .daily import demand_to_monthly
from .reading import _check_frame, _is_path, _iter_chunks, _query_frame, _reduce, near_matches

_MONTHLY_SQL = """
    SELECT CAST(station_id AS VARCHAR) AS station_id,
           CAST(date_trunc('month', CAST(reported_at AS TIMESTAMP)) AS DATE) AS month,
           COUNT(*) AS incidents
           {extra}
    FROM src GROUP BY ALL
"""


def _monthly_parts(has: set[str]) -> str:
    parts = []
    if "is_case" in has:
        parts.append("SUM(CASE WHEN is_case THEN 1 ELSE 0 END) AS cases")
        if "cleared" in has:
            parts.append("SUM(CASE WHEN is_case AND cleared THEN 1 ELSE 0 END) AS cleared")
    if "response_minutes" in has:
        parts.append("SUM(response_minutes) AS response_sum")
        parts.append("COUNT(response_minutes) AS response_n")
    return "".join(", " + p for p in parts)


def _monthly_from_frame(incidents: pd.DataFrame) -> pd.DataFrame:
    optional = ["is_case", "cleared", "response_minutes"]
    _check_frame(incidents, ["station_id", "reported_at"], optional)
    cols = ["station_id", "reported_at"] + [c for c in optional if c in incidents.columns]
    return _query_frame(incidents, cols, _MONTHLY_SQL.format(extra=_monthly_parts(set(cols))))


def _monthly_from_file(path: str | Path, read: dict[str, Any]) -> pd.DataFrame:
    parts: list[pd.DataFrame] = []
    sums: list[str] = []
    for chunk in _iter_chunks(
        path, ["station_id", "reported_at", "is_case", "cleared", "response_minutes"], **read
    ):
        c = pd.DataFrame(
            {
                "station_id": chunk["station_id"].to_numpy(),
                "month": chunk["reported_at"].to_numpy().astype("datetime64[M]"),
                "incidents": 1,
            }
        )
        if "is_case" in chunk:
            case = chunk["is_case"].fillna(False).to_numpy(dtype=bool)
            c["cases"] = case.astype("int64")
            if "cleared" in chunk:
                c["cleared"] = (case & chunk["cleared"].fillna(False).to_numpy(dtype=bool)).astype("int64")
        if "response_minutes" in chunk:
            r = chunk["response_minutes"].to_numpy(dtype="float64")
            c["response_sum"] = np.nan_to_num(r)
            c["response_n"] = np.isfinite(r).astype("int64")
        sums = [x for x in c.columns if x not in ("station_id", "month")]
        parts.append(c.groupby(["station_id", "month"], sort=False, as_index=False)[sums].sum())
        if len(parts) > 50:
            parts = [_reduce(parts, ["station_id", "month"], sums)]
    if not parts:
        raise DataError("no incident records", file=str(path), expected="at least one row")
    out = _reduce(parts, ["station_id", "month"], sums)
    if "response_n" in out:
        # a month with no response times has no mean, not a mean of 0
        out.loc[out["response_n"] == 0, "response_sum"] = np.nan
    return out


def monthly_panel(
    *,
    demand: pd.DataFrame | None = None,
    incidents: pd.DataFrame | str | Path | None = None,
    stations: pd.DataFrame | None = None,
    **read: Any,
) -> pd.DataFrame:
    """Build the monthly ``panel`` from daily demand and/or incident records.

    With ``incidents`` (a frame, or an export file read chunk by chunk with
    the checks of :func:`jingwu.io.read_incidents`) one pass counts incidents,
    ``cases`` and ``cleared`` (from ``is_case`` / ``cleared``) and the mean
    ``response_minutes`` per station and month; with ``demand`` the incident
    counts come from the daily table; with ``stations`` the panel gets
    ``officers`` and ``adoption_month``, and a station missing from the
    station table is a :class:`~jingwu.errors.DataError` with near matches.

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
    if read and not _is_path(incidents):
        raise ValueError(f"options {sorted(read)} apply to an incidents file only")
    file = None
    panel: pd.DataFrame = pd.DataFrame()
    if incidents is not None:
        if _is_path(incidents):
            file = str(incidents)
            raw = _monthly_from_file(incidents, read)
        elif isinstance(incidents, pd.DataFrame):
            file = incidents.attrs.get("source")
            raw = _monthly_from_frame(incidents)
        else:
            raise ValueError(f"incidents must be a DataFrame or a path, not {type(incidents).__name__}")
        raw["month"] = pd.PeriodIndex(pd.to_datetime(raw["month"]), freq="M")
        raw["station_id"] = raw["station_id"].astype(str)
        for c in ("incidents", "cases", "cleared"):
            if c in raw:
                raw[c] = raw[c].astype("int64")
        if "response_sum" in raw:
            raw["response_minutes"] = (
                raw["response_sum"] / raw["response_n"].where(raw["response_n"] > 0)
            ).round(2)
            raw = raw.drop(columns=["response_sum", "response_n"])
        panel = raw
    if demand is not None:
        counted = demand_to_monthly(demand)
        if incidents is None:
            panel = counted
        else:
            panel = counted.merge(panel.drop(columns="incidents"), on=["station_id", "month"], how="left")
    if stations is not None:
        keep = [c for c in ("station_id", "officers", "adoption_month") if c in stations.columns]
        known = stations["station_id"].astype(str)
        unknown = sorted(set(panel["station_id"]) - set(known))
        if unknown:
            n = int(panel.loc[panel["station_id"].isin(unknown), "incidents"].sum())
            shown = ", ".join(repr(u) for u in unknown[:5]) + (
                f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
            )
            raise DataError(
                f"{n:,} incidents are at {len(unknown)} station(s) not in the station table: {shown}"
                + near_matches(unknown, sorted(known)),
                file=file,
                column="station_id",
                expected="the same station ids in the incidents and the station table",
            )
        st = stations[keep].assign(station_id=known)
        panel = panel.merge(st, on="station_id", how="left")
    if "adoption_month" in panel and not isinstance(panel["adoption_month"].dtype, pd.PeriodDtype):
        panel["adoption_month"] = panel["adoption_month"].astype("period[M]")
    panel = panel.sort_values(["station_id", "month"], kind="stable").reset_index(drop=True)
    try:
        schema.validate_panel(panel, stations=stations, file=file)
    except DataError as e:
        raise DataError(e.problem, file=e.file, column=e.column, expected=e.expected) from None
    return panel
