"""Input side of aggregation: frame checks, chunked file reading, the DuckDB connection, near-match hints and dropped-row reports."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from .. import schema
from ..errors import DataError, IntakeWarning

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
    from .. import io as jio

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
