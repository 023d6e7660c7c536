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

import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from . import schema
from .errors import DataError, IntakeWarning

__all__ = [
    "daily_demand",
    "monthly_panel",
    "demand_to_monthly",
    "complete_demand",
    "hourly_counts",
    "near_matches",
]

_PARTIAL_ROWS = 2_000_000  # partial aggregates are re-reduced beyond this many rows


def _connect() -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with bounded memory (``JINGWU_DUCKDB_MEMORY``, default 1GB).

    DuckDB spills to disk beyond the limit, so large inputs stay within it.
    """
    import os

    limit = os.environ.get("JINGWU_DUCKDB_MEMORY", "1GB")
    return duckdb.connect(config={"memory_limit": limit, "preserve_insertion_order": False})


def _as_frame_error(e: DataError, file: str | None) -> DataError:
    """Re-label a validator's error on an in-memory frame: rows are frame positions."""
    return DataError(
        e.problem,
        file=e.file or file,
        column=e.column,
        rows=e.rows,
        expected=e.expected,
        row_label="frame rows" if e.rows else "rows",
    )


def _check_frame(df: pd.DataFrame, needed: Sequence[str], optional: Sequence[str]) -> str | None:
    """Check an incidents frame's columns before aggregating it; return its source name."""
    file = df.attrs.get("source")
    if len(df) == 0:
        raise DataError("no incident records", file=file, expected="at least one row")
    schema.require_columns(df, needed, what="aggregation", file=file)
    cols = {c.name: c for c in schema.TABLES["incidents"]}
    # error rows are frame positions; a default index already is one (no copy of the frame)
    plain = isinstance(df.index, pd.RangeIndex) and df.index.start == 0 and df.index.step == 1
    frame = df if plain else df.reset_index(drop=True)
    try:
        for name in [*needed, *[c for c in optional if c in df.columns]]:
            col = cols[name]
            if _clearly_valid(frame[name], col):
                continue
            if col.kind == "str":
                # ids may be numbers in a frame; they are compared as text
                if frame[name].isna().any():
                    schema._check_column(frame[[name]], col, file)
                continue
            if col.kind == "bool" and frame[name].dtype == object:
                ok = frame[name].map(
                    lambda v: (
                        v is None
                        or v is pd.NA
                        or isinstance(v, (bool, np.bool_))
                        or (isinstance(v, float) and np.isnan(v))
                    )
                )
                if not ok.all():
                    raise DataError(
                        "values are not yes/no",
                        file=file,
                        column=name,
                        rows=np.flatnonzero(~ok.to_numpy()).tolist(),
                        expected="True/False (read files with jingwu.io to convert 是/否)",
                    )
                continue
            schema._check_column(frame, col, file)
    except DataError as e:
        raise _as_frame_error(e, file) from None
    return file


def _clearly_valid(s: pd.Series, col: schema.Column) -> bool:
    """A cheap sufficient check (distinct categories, value and date ranges) that lets a large valid
    column skip the row-by-row check; anything doubtful goes through the full check, which
    names the bad rows."""
    if col.kind == "category":
        if isinstance(s.dtype, pd.CategoricalDtype):
            codes = s.cat.codes.to_numpy()
            if (codes < 0).any():  # missing values: the full check names their rows
                return False
            used = np.bincount(codes, minlength=len(s.cat.categories)) > 0
            values = [str(v) for v in s.cat.categories[used]]
        elif s.dtype == object:
            values = pd.unique(s.to_numpy())
            if any(not isinstance(v, str) for v in values):
                return False
        else:
            return False
        return set(values) <= set(schema.CATEGORIES) | {"all"}
    if col.kind in ("int", "float") and isinstance(s.dtype, np.dtype) and s.dtype.kind in "iuf":
        v = s.to_numpy()
        if v.dtype.kind == "f":
            if col.kind == "int" or np.isinf(v).any():
                return False
            nan = np.isnan(v)
            if nan.all() or (not col.nullable and nan.any()):
                return False
            lo, hi = np.nanmin(v), np.nanmax(v)
        elif len(v):
            lo, hi = v.min(), v.max()
        else:
            return False
        return bool((col.minimum is None or lo >= col.minimum) and (col.maximum is None or hi <= col.maximum))
    if (
        col.kind in ("date", "datetime")
        and pd.api.types.is_datetime64_any_dtype(s)
        and not isinstance(s.dtype, pd.DatetimeTZDtype)
    ):
        lo, hi = s.min(), s.max()
        return bool(pd.notna(lo) and not s.isna().any() and lo >= schema.DATE_MIN and hi <= schema.DATE_MAX)
    return False


def _is_path(x: object) -> bool:
    return isinstance(x, (str, Path))


def _iter_chunks(path: str | Path, columns: list[str], **read: Any) -> Iterator[pd.DataFrame]:
    from . import io as jio

    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"no such file: {p}")
    if p.suffix.lower() not in {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet", ".pq"}:
        raise DataError(
            f"unsupported file type {p.suffix!r}", file=str(p), expected="a .csv, .xlsx or .parquet export"
        )
    yield from jio.iter_table(p, "incidents", columns=columns, **read)


def _reduce(parts: list[pd.DataFrame], keys: list[str], sums: list[str]) -> pd.DataFrame:
    cat = pd.concat(parts, ignore_index=True)
    return cat.groupby(keys, sort=False, observed=True, as_index=False)[sums].sum()


def _daily_from_file(path: str | Path, read: dict[str, Any]) -> pd.DataFrame:
    parts: list[pd.DataFrame] = []
    held = 0
    for chunk in _iter_chunks(path, ["station_id", "reported_at", "category"], **read):
        part = (
            chunk.assign(date=chunk["reported_at"].dt.normalize())
            .groupby(["station_id", "date", "category"], sort=False, observed=True)
            .size()
            .rename("count")
            .reset_index()
        )
        parts.append(part)
        held += len(part)
        if held > _PARTIAL_ROWS:
            parts = [_reduce(parts, ["station_id", "date", "category"], ["count"])]
            held = len(parts[0])
    if not parts:
        raise DataError("no incident records", file=str(path), expected="at least one row")
    out = _reduce(parts, ["station_id", "date", "category"], ["count"])
    return out.sort_values(["station_id", "date", "category"], kind="stable").reset_index(drop=True)


def _query_frame(incidents: pd.DataFrame, cols: list[str], sql: str) -> pd.DataFrame:
    """Run ``sql`` over ``incidents[cols]`` registered as ``src``; DuckDB errors become DataError."""
    con = _connect()
    try:
        # the columns themselves, not a copy (``incidents[cols]`` copies every row)
        con.register("src", pd.DataFrame({c: incidents[c].array for c in cols}, copy=False))
        return con.execute(sql).df()
    except duckdb.Error as e:
        raise DataError(
            f"cannot aggregate the incidents ({type(e).__name__})",
            file=incidents.attrs.get("source"),
            expected="an incidents table read with jingwu.io.read_incidents",
        ) from None
    finally:
        con.close()


def _daily_from_frame(incidents: pd.DataFrame, *, ordered: bool = True) -> pd.DataFrame:
    cols = ["station_id", "reported_at", "category"]
    _check_frame(incidents, cols, [])
    # text casts after the GROUP BY: once per group, not once per incident; no ORDER BY when
    # the zero-filled grid sets the order anyway
    return _query_frame(
        incidents,
        cols,
        """
        SELECT * FROM (
            SELECT CAST(station_id AS VARCHAR) AS station_id, date,
                   CAST(category AS VARCHAR) AS category, count
            FROM (SELECT station_id, CAST(CAST(reported_at AS TIMESTAMP) AS DATE) AS date,
                         category, COUNT(*) AS count
                  FROM src GROUP BY ALL))
    """
        + ("ORDER BY station_id, date, category" if ordered else ""),
    )


def _common_prefix_hints(missing: list[str], known: list[str]) -> list[str]:
    """A prefix shared by all unmatched keys of one side that, removed, matches the other side.

    Exports of one bureau often prefix every station with its own name
    ("Y市公安局城关派出所" in one file, "城关派出所" in the other).
    """
    import os

    out = []
    for keys, other in ((missing, set(known)), (known, set(missing))):
        common = os.path.commonprefix(keys) if len(keys) > 1 else ""
        hits = sum(k[len(common) :] in other for k in keys) if len(common) >= 2 else 0
        if hits:
            out.append(f"remove the common prefix {common!r} ({hits} then match)")
    return out


def near_matches(missing: Sequence[str], known: Sequence[str]) -> str:
    """Suggestions for keys that match nothing: a shared prefix/suffix or a close spelling.

    Only suggested, never applied; empty when nothing is near.

    Examples
    --------
    >>> near_matches(["Y市公安局城关派出所"], ["城关派出所", "东关派出所"])[:15]
    '; near matches '
    >>> "'Y市公安局城关派出所' -> '城关派出所' (differs by 'Y市公安局')" in near_matches(
    ...     ["Y市公安局城关派出所"], ["城关派出所"])
    True
    >>> "remove the common prefix 'Y市公安局' (2 then match)" in near_matches(
    ...     ["Y市公安局城关派出所", "Y市公安局东关派出所"], ["城关派出所", "东关派出所"])
    True
    """
    import difflib

    known = [str(k) for k in known]
    found = _common_prefix_hints([str(m) for m in missing], known)
    for m in list(missing)[:5]:
        m = str(m)
        hits = [
            k for k in known if k and (m.endswith(k) or m.startswith(k) or k.endswith(m) or k.startswith(m))
        ]
        hits = hits or difflib.get_close_matches(m, known, n=1, cutoff=0.75)
        if hits:
            k = max(hits, key=len)
            longer, shorter = (m, k) if len(m) >= len(k) else (k, m)
            extra = (
                longer[: len(longer) - len(shorter)]
                if longer.endswith(shorter)
                else longer[len(shorter) :]
                if longer.startswith(shorter)
                else ""
            )
            why = f" (differs by {extra!r})" if extra else ""
            found.append(f"{m!r} -> {k!r}{why}")
    if not found:
        return ""
    return "; near matches (not applied; rename the stations in one file if they are the same): " + ", ".join(
        found
    )


def _report_dropped(
    daily: pd.DataFrame, station_ids: Sequence[str] | None, start: Any, end: Any, file: str | None
) -> None:
    """Incidents a grid leaves out: stations not in ``station_ids`` (an error), days outside
    ``start``-``end`` (a notice)."""
    if station_ids is not None:
        wanted = {str(s) for s in station_ids}
        out = ~daily["station_id"].isin(wanted).to_numpy()
        if out.any():
            by = daily.loc[out].groupby("station_id")["count"].sum().sort_values(ascending=False)
            n, total = int(by.sum()), int(daily["count"].sum())
            shown = ", ".join(f"{k!r} ({v:,})" for k, v in by.head(5).items())
            more = f" and {len(by) - 5} more" if len(by) > 5 else ""
            raise DataError(
                f"{n:,} of {total:,} incidents are at stations not in station_ids: {shown}{more}"
                + near_matches(list(by.index), sorted(wanted)),
                file=file,
                column="station_id",
                expected="station_ids covering every station of the incidents (the same names in both files)",
            )
    lo = pd.Timestamp(start) if start is not None else None
    hi = pd.Timestamp(end) if end is not None else None
    if lo is not None or hi is not None:
        d = daily["date"]
        out = np.zeros(len(daily), dtype=bool)
        if lo is not None:
            out |= (d < lo).to_numpy()
        if hi is not None:
            out |= (d > hi).to_numpy()
        if out.any():
            warnings.warn(
                f"{file + ': ' if file else ''}{int(daily.loc[out, 'count'].sum()):,} incidents "
                f"dated outside {start or '…'} to {end or '…'} are left out of the daily grid "
                f"(from {daily.loc[out, 'date'].min().date()} to {daily.loc[out, 'date'].max().date()})",
                IntakeWarning,
                stacklevel=3,
            )


def complete_demand(
    demand: pd.DataFrame,
    *,
    start: str | None = None,
    end: str | None = None,
    station_ids: list[str] | None = None,
    categories: tuple[str, ...] = schema.CATEGORIES,
) -> pd.DataFrame:
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
    cats = pd.Index(list(categories))
    id_index = pd.Index(ids)
    if not (id_index.is_unique and cats.is_unique):
        return _complete_by_reindex(demand, dates, ids, categories)
    # Positions on the station × date × category grid by hash lookup, then one bincount:
    # the same rows and sums as a MultiIndex reindex at a fraction of its time and memory.
    i = id_index.get_indexer(demand["station_id"])
    j = dates.get_indexer(demand["date"])
    k = cats.get_indexer(demand["category"].astype(str))
    keep = (i >= 0) & (j >= 0) & (k >= 0)
    n_d, n_c = len(dates), len(cats)
    flat = (i[keep].astype(np.int64) * n_d + j[keep]) * n_c + k[keep]
    weights = np.nan_to_num(pd.to_numeric(demand["count"]).to_numpy(dtype="float64")[keep])
    counts = np.bincount(flat, weights=weights, minlength=len(ids) * n_d * n_c)
    out = pd.DataFrame(
        {
            "station_id": id_index.repeat(n_d * n_c),
            "date": np.tile(dates.repeat(n_c).to_numpy(), len(ids)),
            "category": pd.Categorical.from_codes(
                np.tile(np.arange(n_c, dtype=np.int8 if n_c < 127 else np.int64), len(ids) * n_d),
                categories=list(categories),
            ),
            "count": counts.astype("int64"),
        }
    )
    return out


def _complete_by_reindex(
    demand: pd.DataFrame, dates: pd.DatetimeIndex, ids: list, categories: tuple[str, ...]
) -> pd.DataFrame:
    """The grid by a MultiIndex reindex (station_ids or categories given twice)."""
    grid = pd.MultiIndex.from_product(
        [ids, dates, list(categories)], names=["station_id", "date", "category"]
    )
    out = (
        demand.assign(category=demand["category"].astype(str))
        .groupby(["station_id", "date", "category"], observed=True)["count"]
        .sum()
        .reindex(grid, fill_value=0)
        .reset_index()
    )
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
    **read: Any,
) -> pd.DataFrame:
    """Count incidents per station, day and category.

    Parameters
    ----------
    incidents : DataFrame or path
        Incident records in the canonical schema (see
        :func:`jingwu.io.read_incidents`), or an export file (CSV, Excel,
        Parquet; Chinese or English headers) read chunk by chunk with every
        check of :func:`jingwu.io.read_incidents`.
    fill_zeros : bool
        Return the full station × date × category grid with zeros.
    start, end : str, optional
        Date range of the grid (default: the data's range).  Incidents
        outside it are left out with an :class:`~jingwu.errors.IntakeWarning`
        saying how many.
    station_ids : list of str, optional
        Stations of the grid (e.g. all stations of the station table, so a
        station with no incidents still appears).  Incidents at a station
        not in the list are a :class:`~jingwu.errors.DataError` naming the
        stations and suggesting near matches (such as a bureau prefix).
    **read
        Options of :func:`jingwu.io.iter_table` for a file (``header_map``,
        ``as_of``, ``chunk_rows`` ...).

    Returns
    -------
    DataFrame
        The ``demand`` table: ``station_id``, ``date``, ``category``, ``count``.

    Examples
    --------
    >>> inc = pd.DataFrame({"station_id": ["城关派出所"], "category": ["fraud"],
    ...                     "reported_at": pd.to_datetime(["2024-01-01 08:00"])})
    >>> try:
    ...     daily_demand(inc, station_ids=["Y市公安局城关派出所"])
    ... except DataError as e:
    ...     print(e.problem.split("): ", 1)[1])
    '城关派出所' -> 'Y市公安局城关派出所' (differs by 'Y市公安局')
    """
    if _is_path(incidents):
        file = str(incidents)
        out = _daily_from_file(incidents, read)
    elif isinstance(incidents, pd.DataFrame):
        if read:
            raise ValueError(f"options {sorted(read)} apply to files only")
        file = incidents.attrs.get("source")
        out = _daily_from_frame(incidents, ordered=not fill_zeros)
    else:
        raise ValueError(f"incidents must be a DataFrame or a path, not {type(incidents).__name__}")
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
    out["count"] = out["count"].astype("int64")
    out["station_id"] = out["station_id"].astype(str)
    out["category"] = out["category"].astype(str)
    try:
        schema.validate_demand(out, file=file)
    except DataError as e:
        raise DataError(e.problem, file=e.file, column=e.column, expected=e.expected) from None
    _report_dropped(out, station_ids, start, end, file)
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
    out = (
        demand.assign(month=demand["date"].dt.to_period("M"))
        .groupby(keys, observed=True, sort=True)["count"]
        .sum()
        .rename("incidents")
        .reset_index()
    )
    out["incidents"] = out["incidents"].astype("int64")
    return out


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
