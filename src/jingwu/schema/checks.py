"""Checks against the contract: required columns, column types and values, the table validators and derived rates."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from .contract import CATEGORIES, DATE_MAX, DATE_MIN, KEYS, TABLES, Column


def _line_numbers(df: pd.DataFrame, mask: np.ndarray) -> list[int]:
    """File line numbers of flagged rows (header is line 1) if known."""
    index = df.index[np.asarray(mask, dtype=bool)]
    if "_line" in df.columns:
        return [int(x) for x in df.loc[index, "_line"]]
    return [int(i) for i in index]


def check_columns(df: pd.DataFrame, table: str, *, file: str | None = None) -> None:
    """Raise :class:`DataError` if required columns are missing or duplicated.

    Examples
    --------
    >>> import pandas as pd
    >>> check_columns(pd.DataFrame(columns=["station_id", "date", "category", "count"]), "demand")
    """
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; expected one of {sorted(TABLES)}")
    cols = [str(c) for c in df.columns]
    dup = sorted({c for c in cols if cols.count(c) > 1})
    if dup:
        raise DataError(
            "duplicated column(s)",
            file=file,
            column=dup,
            expected="each column to appear once (after header mapping)",
        )
    missing = [c.name for c in TABLES[table] if c.required and c.name not in cols]
    if missing:
        raise DataError(
            f"missing required column(s) for the {table} table",
            file=file,
            column=missing,
            expected=f"columns {[c.name for c in TABLES[table] if c.required]}",
        )


def require_columns(
    df: object,
    columns: Sequence[str],
    *,
    what: str | None = None,
    file: str | Path | None = None,
    expected: str | None = None,
) -> pd.DataFrame:
    """The one check that a table is a DataFrame holding ``columns``.

    Methods call it on their inputs so that every missing column is reported
    the same way: a :class:`DataError` naming the table (``file``), the
    missing columns and what was expected; anything that is not a DataFrame
    is a DataError too (a Series where a frame is expected is the usual slip).

    Parameters
    ----------
    df : DataFrame
        The table to check (not modified).
    columns : sequence of str
        Required column names.
    what : str, optional
        What the columns are for, named in the message ("missing columns for
        ``what``").
    file : str or Path, optional
        The file or table name shown first in the message.
    expected : str, optional
        The "expected ..." part; default lists ``columns``.

    Returns
    -------
    DataFrame
        ``df`` itself, so a call can be chained.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"station_id": ["S1"], "date": ["2024-01-01"]})
    >>> require_columns(d, ["station_id", "date"]) is d
    True
    >>> require_columns(d, ["station_id", "count"], what="demand", file="demand")
    Traceback (most recent call last):
    ...
    jingwu.errors.DataError: demand: column 'count': missing columns for demand; expected columns station_id, count
    """
    cols = list(columns)
    if not isinstance(df, pd.DataFrame):
        raise DataError(
            f"{what or 'the input'} must be a DataFrame, not {type(df).__name__}",
            file=file,
            column=cols,
            expected=expected or f"a DataFrame with columns {', '.join(cols)}",
        )
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DataError(
            f"missing columns for {what}" if what else "missing required columns",
            file=file,
            column=missing,
            expected=expected or f"columns {', '.join(cols)}",
        )
    return df


def _check_column(df: pd.DataFrame, col: Column, file: str | None) -> None:
    s = df[col.name]
    null = s.isna().to_numpy()
    if not col.nullable and null.any():
        raise DataError(
            "missing values",
            file=file,
            column=col.name,
            rows=_line_numbers(df, null),
            expected="a value in every row",
        )
    present = s[~null]
    if present.empty:
        return
    if col.kind in ("int", "float"):
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            raise DataError(
                f"values are not numeric (dtype {s.dtype})",
                file=file,
                column=col.name,
                expected="numbers",
            )
        values = present.to_numpy(dtype=float)
        bad = ~np.isfinite(values)
        if col.kind == "int":
            bad |= np.isfinite(values) & (values != np.round(values))
        if bad.any():
            rows = _line_numbers(df.loc[present.index], bad)
            raise DataError(
                "non-integer or non-finite values" if col.kind == "int" else "non-finite values",
                file=file,
                column=col.name,
                rows=rows,
                expected="whole numbers" if col.kind == "int" else "finite numbers",
            )
        for bound, cmp, word in ((col.minimum, np.less, ">="), (col.maximum, np.greater, "<=")):
            if bound is not None:
                out = cmp(values, bound)
                if out.any():
                    raise DataError(
                        f"values out of range (e.g. {values[out][0]:g})",
                        file=file,
                        column=col.name,
                        rows=_line_numbers(df.loc[present.index], out),
                        expected=f"values {word} {bound:g}",
                    )
    elif col.kind in ("date", "datetime", "month"):
        if col.kind == "month" and isinstance(s.dtype, pd.PeriodDtype):
            ts = present.dt.to_timestamp()
        elif pd.api.types.is_datetime64_any_dtype(s):
            ts = present
        else:
            raise DataError(
                f"values are not dates (dtype {s.dtype})",
                file=file,
                column=col.name,
                expected="dates (read files with jingwu.io to parse them)",
            )
        out = ((ts < DATE_MIN) | (ts > DATE_MAX)).to_numpy()
        if out.any():
            raise DataError(
                f"dates out of range (e.g. {ts[out].iloc[0]})",
                file=file,
                column=col.name,
                rows=_line_numbers(df.loc[present.index], out),
                expected=f"dates between {DATE_MIN.date()} and {DATE_MAX.date()}",
            )
    elif col.kind == "category":
        allowed = set(CATEGORIES) | {"all"}
        bad = ~present.astype(str).isin(allowed).to_numpy()
        if bad.any():
            unknown = sorted(set(present[bad].astype(str)))
            err = DataError(
                f"unknown categories {unknown[:5]}",
                file=file,
                column=col.name,
                rows=_line_numbers(df.loc[present.index], bad),
                expected=f"one of {list(CATEGORIES)} (or map them with jingwu.io category_map=)",
            )
            # Every unknown spelling, so a caller can print the map lines to add.
            err.unknown_categories = unknown  # type: ignore[attr-defined]  # read by studies.project
            raise err
    elif col.kind == "str":
        if pd.api.types.infer_dtype(present, skipna=True) == "string":
            return  # the common case, checked in C
        types = {type(v) for v in present}
        if len(types) > 1 or not types <= {str}:
            raise DataError(
                f"mixed or non-text values ({', '.join(sorted(t.__name__ for t in types))})",
                file=file,
                column=col.name,
                expected="text identifiers",
            )
    elif col.kind == "bool":
        if not pd.api.types.is_bool_dtype(s) and not set(present.unique()) <= {True, False}:
            raise DataError(
                "values are not yes/no",
                file=file,
                column=col.name,
                expected="true/false, 1/0 or 是/否",
            )


def _validate(df: pd.DataFrame, table: str, file: str | Path | None) -> pd.DataFrame:
    file = None if file is None else str(file)
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame for the {table} table, got {type(df).__name__}")
    if len(df) == 0:
        raise DataError(f"the {table} table is empty", file=file, expected="at least one row")
    check_columns(df, table, file=file)
    for col in TABLES[table]:
        if col.name in df.columns:
            _check_column(df, col, file)
    keys = list(KEYS[table])
    dup = df.duplicated(keys, keep=False).to_numpy()
    if dup.any():
        raise DataError(
            "duplicated keys",
            file=file,
            column=keys,
            rows=_line_numbers(df, dup),
            expected=f"one row per {' × '.join(keys)}",
        )
    return df


def validate_stations(df: pd.DataFrame, *, file: str | Path | None = None) -> pd.DataFrame:
    """Check a ``stations`` table; return it unchanged or raise :class:`DataError`.

    Examples
    --------
    >>> import pandas as pd
    >>> st = pd.DataFrame({"station_id": ["S01"], "district": ["D1"],
    ...                    "population": [50000], "officers": [30]})
    >>> validate_stations(st).shape
    (1, 4)
    """
    return _validate(df, "stations", file)


def validate_demand(df: pd.DataFrame, *, file: str | Path | None = None) -> pd.DataFrame:
    """Check a daily ``demand`` table (station × date × category counts).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"station_id": ["S01"], "date": pd.to_datetime(["2024-01-01"]),
    ...                   "category": ["fraud"], "count": [3]})
    >>> validate_demand(d).shape
    (1, 4)
    """
    return _validate(df, "demand", file)


def validate_incidents(df: pd.DataFrame, *, file: str | Path | None = None) -> pd.DataFrame:
    """Check an ``incidents`` table (one row per incident record).

    Examples
    --------
    >>> import pandas as pd
    >>> inc = pd.DataFrame({"incident_id": ["J1"], "station_id": ["S01"],
    ...                     "reported_at": pd.to_datetime(["2024-01-01 08:00"]),
    ...                     "category": ["traffic"]})
    >>> validate_incidents(inc).shape
    (1, 4)
    """
    return _validate(df, "incidents", file)


def validate_panel(
    df: pd.DataFrame,
    *,
    stations: pd.DataFrame | None = None,
    file: str | Path | None = None,
) -> pd.DataFrame:
    """Check a monthly ``panel``; with ``stations``, also check every station is known.

    Also checks the internal logic of the counts: ``cleared <= cases`` and
    ``satisfaction_yes <= satisfaction_n``.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"station_id": ["S01"], "month": pd.PeriodIndex(["2024-01"], freq="M"),
    ...                   "incidents": [120], "cases": [30], "cleared": [12]})
    >>> validate_panel(p).shape
    (1, 5)
    """
    _validate(df, "panel", file)
    return _check_counts(df, stations=stations, file=file)


def validate_outcomes(
    df: pd.DataFrame,
    *,
    stations: pd.DataFrame | None = None,
    file: str | Path | None = None,
) -> pd.DataFrame:
    """Check a monthly ``outcomes`` table (cases, cleared, surveys, response time).

    The same checks as :func:`validate_panel`, without requiring incident
    counts (those come from the incident records).

    Examples
    --------
    >>> import pandas as pd
    >>> o = pd.DataFrame({"station_id": ["S01"], "month": pd.PeriodIndex(["2024-01"], freq="M"),
    ...                   "cases": [30], "cleared": [12]})
    >>> validate_outcomes(o).shape
    (1, 4)
    """
    _validate(df, "outcomes", file)
    return _check_counts(df, stations=stations, file=file)


def _check_counts(
    df: pd.DataFrame, *, stations: pd.DataFrame | None, file: str | Path | None
) -> pd.DataFrame:
    """Parts within wholes (``cleared <= cases`` …) and, with ``stations``, known stations."""
    fname = None if file is None else str(file)
    for part, whole in (("cleared", "cases"), ("satisfaction_yes", "satisfaction_n")):
        if part in df.columns and whole in df.columns:
            over = (df[part] > df[whole]).fillna(False).to_numpy(dtype=bool)
            if over.any():
                raise DataError(
                    f"'{part}' exceeds '{whole}'",
                    file=fname,
                    column=part,
                    rows=_line_numbers(df, over),
                    expected=f"{part} <= {whole}",
                )
    if stations is not None:
        unknown = ~df["station_id"].isin(stations["station_id"]).to_numpy()
        if unknown.any():
            ids = sorted(set(df.loc[unknown, "station_id"].astype(str)))[:5]
            raise DataError(
                f"stations not in the station table: {ids}",
                file=fname,
                column="station_id",
                rows=_line_numbers(df, unknown),
                expected="every station_id to appear in stations",
            )
    return df


def add_rates(panel: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of a panel with derived rates.

    Adds ``clearance_rate`` (cleared / cases), ``satisfaction_rate``
    (satisfaction_yes / satisfaction_n), ``incidents_per_officer`` and
    ``adopted`` (month >= adoption_month) where the inputs exist.  Rates with a
    zero denominator are missing, not zero.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"station_id": ["S01"], "month": pd.PeriodIndex(["2024-01"], freq="M"),
    ...                   "incidents": [120], "cases": [40], "cleared": [10]})
    >>> float(add_rates(p)["clearance_rate"].iloc[0])
    0.25
    """
    out = panel.copy()

    def ratio(num: str, den: str) -> pd.Series:
        d = out[den].astype("float64")
        return out[num].astype("float64") / d.where(d > 0)

    if {"cleared", "cases"} <= set(out.columns):
        out["clearance_rate"] = ratio("cleared", "cases")
    if {"satisfaction_yes", "satisfaction_n"} <= set(out.columns):
        out["satisfaction_rate"] = ratio("satisfaction_yes", "satisfaction_n")
    if {"incidents", "officers"} <= set(out.columns):
        out["incidents_per_officer"] = ratio("incidents", "officers")
    if {"month", "adoption_month"} <= set(out.columns):
        adopted = out["adoption_month"].notna() & (out["month"] >= out["adoption_month"])
        out["adopted"] = adopted.astype(bool)
    return out
