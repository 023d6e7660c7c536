"""Column converters and checks: explicit, never silent coercion; errors name the file lines."""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
import warnings
import zoneinfo
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .. import privacy, schema
from ..errors import DataError, IntakeWarning
from .headers import _FALSE, _MISSING, _TRUE, _norm


def _examples(values: pd.Series, k: int = 3) -> str:
    """A few distinct offending values, with any personal data in them masked."""
    ex = list(dict.fromkeys(str(v) for v in values))[:k]
    masked = list(privacy.mask_text(pd.Series(ex, dtype=object))) if ex else []
    return ", ".join(repr(v) for v in masked)


def _fail(
    problem: str, raw: pd.Series, bad: np.ndarray, lines: np.ndarray, file: str, column: str, expected: str
) -> DataError:
    bad = np.asarray(bad, dtype=bool)
    return DataError(
        f"{problem} (e.g. {_examples(raw[bad])})",
        file=file,
        column=column,
        rows=[int(x) for x in lines[bad]],
        expected=expected,
    )


def _map_unique(s: pd.Series, func: Any, na: Any = None) -> np.ndarray:
    """Apply ``func`` once per distinct value (fast for repetitive columns)."""
    codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = np.fromiter(map(func, uniques), dtype=object, count=len(uniques))
    table[-1] = na
    return table[codes]


def _arrow_strip(values: np.ndarray | pd.Series) -> Any:
    """Strings with outer whitespace removed, as a pyarrow array (vectorised in C++)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.utf8_trim_whitespace(pa.array(np.asarray(values, dtype=object), type=pa.large_string()))


def _is_missing(s: pd.Series) -> np.ndarray:
    miss = s.isna().to_numpy(dtype=bool)
    if _all_text(s):
        import pyarrow as pa
        import pyarrow.compute as pc

        low = pc.utf8_lower(_arrow_strip(s.to_numpy(dtype=object)))
        return pc.is_in(low, value_set=pa.array(sorted(_MISSING), type=pa.large_string())).to_numpy(
            zero_copy_only=False
        )
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        blank = _map_unique(s, lambda v: isinstance(v, str) and v.strip().lower() in _MISSING, na=True)
        miss |= blank.astype(bool)
    return miss


def _text_one(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))  # Excel stores 1001 as 1001.0
    if isinstance(v, (_dt.datetime, pd.Timestamp)):
        return v.isoformat(sep=" ")
    return str(v).strip()


def _all_text(s: pd.Series) -> bool:
    """True for an object column holding only str (every CSV column)."""
    return s.dtype == object and pd.api.types.infer_dtype(s, skipna=False) == "string"


def _to_text(s: pd.Series, miss: np.ndarray) -> pd.Series:
    if _all_text(s):
        # strip each distinct value once; repeated ids then share one string object
        codes, uniques = pd.factorize(s)
        clean = np.asarray(
            _arrow_strip(np.asarray(uniques, dtype=object)).to_numpy(zero_copy_only=False), dtype=object
        )
        out = clean[codes]
        out[miss] = None
        return pd.Series(out, index=s.index, dtype=object)
    out = _map_unique(s, _text_one)
    out[miss] = None
    return pd.Series(out, index=s.index, dtype=object)


def _to_number(
    s: pd.Series, miss: np.ndarray, lines: np.ndarray, file: str, col: str, integer: bool
) -> pd.Series:
    if pd.api.types.is_bool_dtype(s):
        raise DataError(
            "yes/no values where numbers were expected", file=file, column=col, expected="numbers"
        )
    if pd.api.types.is_numeric_dtype(s):
        num = s.astype("float64")
    else:
        obj = s.astype(object).where(~miss, None)
        if pd.api.types.infer_dtype(obj, skipna=True) not in ("string", "empty"):
            kinds = _map_unique(
                obj, lambda v: isinstance(v, (bool, np.bool_, _dt.date, _dt.time, pd.Timestamp)), na=False
            )
            wrong = kinds.astype(bool)
            if wrong.any():
                raise _fail(
                    "mixed types: dates or yes/no cells in a numeric column",
                    s,
                    wrong,
                    lines,
                    file,
                    col,
                    "numbers only",
                )
        num = pd.to_numeric(obj, errors="coerce").astype("float64")
        failed = num.isna().to_numpy() & ~miss
        if failed.any():
            # second chance for full-width digits and "1,234" / "1，234" separators, nothing else
            retry = obj[failed].map(lambda v: unicodedata.normalize("NFKC", str(v)).strip())
            thousands = retry.str.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?").to_numpy(dtype=bool)
            retry[thousands] = retry[thousands].str.replace(",", "", regex=False)
            num[retry.index] = pd.to_numeric(retry, errors="coerce").astype("float64").to_numpy()
            unparsed = num.isna().to_numpy() & ~miss
            if unparsed.any():
                raise _fail(
                    "text in a numeric column",
                    s,
                    unparsed,
                    lines,
                    file,
                    col,
                    "whole numbers" if integer else "numbers",
                )
    values = num.to_numpy()
    if integer:
        finite = np.isfinite(values)
        frac = finite & (values != np.round(values))
        if frac.any():
            raise _fail("non-integer values", s, frac, lines, file, col, "whole numbers")
        if np.isinf(values).any():
            return pd.Series(values, index=s.index)  # the validator reports infinities
        if np.isnan(values).any():
            return pd.Series(
                pd.array([None if np.isnan(v) else int(v) for v in values], dtype="Int64"), index=s.index
            )
        return pd.Series(values.astype("int64"), index=s.index)
    return pd.Series(values, index=s.index, dtype="float64")


_DT_RE = re.compile(
    r"^(?P<year>\d{4})\s*[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})\s*日?"
    r"(?:(?:[\sT]+|(?<=日))(?P<hour>\d{1,2})\s*[:时]\s*(?P<minute>\d{1,2})\s*"
    r"(?:[:分]\s*(?P<second>\d{1,2})(?P<frac>\.\d{1,6})?\s*秒?|分)?)?$"
)
_DT_COMPACT_RE = re.compile(
    r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})"
    r"(?:\s*(?P<hour>\d{2})(?P<minute>\d{2})(?P<second>\d{2})?)?$"
)
_MONTH_RE = re.compile(
    r"^(?P<year>\d{4})\s*(?:[-/.年]\s*(?P<month>\d{1,2})|(?P<month2>\d{2}))\s*月?"
    r"(?:\s*[-/.]\s*0?1\s*(?:日|[\sT]+0{1,2}:00(?::00)?)?|\s*1日)?$"
)

_DATE_FORMATS = "2024-01-05, 2024/01/05 08:30, 2024年1月5日, 20240105 or an Excel date cell"


_FAST_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y-%m-%dT%H:%M:%S",
)


def _date_kind(v: Any) -> str:
    if isinstance(v, (_dt.datetime, _dt.date, pd.Timestamp, np.datetime64)):
        return "dt"
    if isinstance(v, str):
        return "str"
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool) and 19000101 <= v <= 21001231:
        return "str"  # 20240105 stored as a number
    return "bad"


def _parse_date_strings(text: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse stripped strings; return (datetime64 values, unmatched mask, invalid mask)."""
    n = len(text)
    res = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    todo = np.ones(n, dtype=bool)
    # Fast path: the common layouts, vectorised; a format is tried when the
    # first still-unparsed value fits it.
    for fmt in _FAST_FORMATS:
        if not todo.any():
            break
        first = text[todo].iloc[0]
        try:
            _dt.datetime.strptime(first, fmt)
        except ValueError:
            continue
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        ok = parsed.notna().to_numpy()
        idx = np.flatnonzero(todo)[ok]
        res[idx] = parsed[ok].to_numpy(dtype="datetime64[ns]")
        todo[idx] = False
    unmatched = np.zeros(n, dtype=bool)
    invalid = np.zeros(n, dtype=bool)
    if todo.any():
        rest = text[todo].drop_duplicates()
        parts = rest.str.extract(_DT_RE)
        compact = rest.str.extract(_DT_COMPACT_RE)
        parts = parts.fillna(compact)
        matched = parts["year"].notna()
        if "frac" not in parts:
            parts["frac"] = np.nan
        comp = parts.loc[matched, ["year", "month", "day", "hour", "minute", "second"]]
        comp = comp.fillna("0").astype("int64")
        comp["us"] = (
            (pd.to_numeric("0" + parts.loc[matched, "frac"].fillna(""), errors="coerce").fillna(0) * 1e6)
            .round()
            .astype("int64")
        )
        parsed = pd.to_datetime(comp, errors="coerce") if len(comp) else pd.Series([], dtype="datetime64[ns]")
        lookup = pd.Series(pd.NaT, index=rest.to_numpy(), dtype="datetime64[ns]")
        lookup[rest[matched].to_numpy()] = parsed.to_numpy(dtype="datetime64[ns]")
        status = pd.Series("unmatched", index=rest.to_numpy(), dtype=object)
        status[rest[matched].to_numpy()] = np.where(parsed.isna().to_numpy(), "invalid", "ok")
        idx = np.flatnonzero(todo)
        vals = text.iloc[idx].to_numpy()
        res[idx] = lookup.reindex(vals).to_numpy(dtype="datetime64[ns]")
        st = status.reindex(vals).to_numpy()
        unmatched[idx] = st == "unmatched"
        invalid[idx] = st == "invalid"
    return res, unmatched, invalid


_TZ_RE = re.compile(
    r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*"
    r"(?:Z|[+-]\d{2}(?::?\d{2})?|(?:UTC|GMT)(?:[+-]\d{1,2}(?::?\d{2})?)?)$",
    re.IGNORECASE,
)


def _local_time(s: pd.Series, ctx: dict[str, Any]) -> pd.Series:
    """Zone-aware timestamps -> the bureau's local wall-clock time (naive)."""
    tz = ctx.get("tz") or zoneinfo.ZoneInfo("Asia/Shanghai")
    ctx["tz_converted"] = ctx.get("tz_converted", 0) + int(s.notna().sum())
    return s.dt.tz_convert(tz).dt.tz_localize(None)


def _zoned_strings(
    text: pd.Series, lines: np.ndarray, file: str, col: str, ctx: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """Parse strings with a UTC offset or zone; (local datetime64 values, mask of such strings)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    zoned = pc.match_substring_regex(
        pa.array(text.to_numpy(dtype=object), type=pa.large_string()), _TZ_RE.pattern, ignore_case=True
    ).to_numpy(zero_copy_only=False)
    res = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[ns]")
    if zoned.any():
        cleaned = text[zoned].str.replace(r"\s*(?:UTC|GMT)$", "Z", regex=True, case=False)
        cleaned = cleaned.str.replace(r"\s*(?:UTC|GMT)(?=[+-])", "", regex=True, case=False)
        parsed = pd.to_datetime(cleaned, utc=True, errors="coerce", format="ISO8601")
        failed = parsed.isna().to_numpy()
        if failed.any():
            bad = np.zeros(len(text), dtype=bool)
            bad[np.flatnonzero(zoned)[failed]] = True
            raise _fail(
                "unparseable dates with a time zone",
                text,
                bad,
                lines,
                file,
                col,
                "ISO 8601 timestamps such as 2024-01-05T08:30:00+08:00",
            )
        res[zoned] = _local_time(parsed, ctx).to_numpy(dtype="datetime64[ns]")
    return res, zoned


def _to_datetime(
    s: pd.Series,
    miss: np.ndarray,
    lines: np.ndarray,
    file: str,
    col: str,
    date_only: bool,
    ctx: dict[str, Any] | None = None,
) -> pd.Series:
    ctx = {} if ctx is None else ctx
    if pd.api.types.is_datetime64_any_dtype(s):
        out = s
        if getattr(s.dt, "tz", None) is not None:
            out = _local_time(s, ctx)  # stored in UTC or another zone: local time, not truncated
        out = out.astype("datetime64[ns]")
    else:
        vals = s.to_numpy(dtype=object)
        if _all_text(s):  # every CSV cell: no per-value type check needed
            kinds = np.full(len(s), "str", dtype=object)
        else:
            kinds = _map_unique(s, _date_kind, na="missing")
        kinds[miss] = "missing"
        wrong_type = kinds == "bad"
        if wrong_type.any():
            raise _fail(
                "mixed types: numbers or other non-date cells in a date column",
                s,
                wrong_type,
                lines,
                file,
                col,
                _DATE_FORMATS,
            )
        res = np.full(len(vals), np.datetime64("NaT"), dtype="datetime64[ns]")
        is_dt = kinds == "dt"
        if is_dt.any():
            try:
                res[is_dt] = pd.to_datetime(pd.Series(vals[is_dt], dtype=object)).to_numpy(
                    dtype="datetime64[ns]"
                )
            except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
                raise _fail(
                    "dates out of the supported range",
                    s,
                    is_dt,
                    lines,
                    file,
                    col,
                    "dates between 1990 and 2100",
                ) from None
        is_str = kinds == "str"
        if is_str.any():
            sv = vals[is_str]
            if all(type(v) is str for v in sv):
                text = pd.Series(_arrow_strip(sv).to_numpy(zero_copy_only=False), dtype=object)
            else:  # 20240105 stored as a number
                text = pd.Series([str(v).strip() for v in sv], dtype=object)
            zoned_vals, zoned = _zoned_strings(text, lines[is_str], file, col, ctx)
            if zoned.any():
                res[np.flatnonzero(is_str)[zoned]] = zoned_vals[zoned]
                is_str[np.flatnonzero(is_str)[zoned]] = False
                text = text[~zoned].reset_index(drop=True)
        if is_str.any():
            parsed, unmatched, invalid = _parse_date_strings(text)
            where_str = np.flatnonzero(is_str)
            for mask, problem, expected in (
                (unmatched, "unparseable dates", _DATE_FORMATS),
                (invalid, "invalid or out-of-range dates", "real calendar dates between 1990 and 2100"),
            ):
                if mask.any():
                    bad = np.zeros(len(vals), dtype=bool)
                    bad[where_str[mask]] = True
                    raise _fail(problem, s, bad, lines, file, col, expected)
            res[where_str] = parsed
        out = pd.Series(res, index=s.index)
    if date_only:
        present = out.notna().to_numpy()
        timed = present & (out != out.dt.normalize()).to_numpy()
        if timed.any():
            raise _fail(
                "times of day in a date column",
                s,
                timed,
                lines,
                file,
                col,
                "calendar dates without times (one row per day)",
            )
    return out


def _month_one(v: Any) -> Any:
    """A first-of-month Timestamp, or the string "bad"."""
    if isinstance(v, (_dt.datetime, _dt.date, pd.Timestamp)):
        t = pd.Timestamp(v)
        return t if t.day == 1 and t == t.normalize() else "bad"
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        v = str(v)  # 202401
    if not isinstance(v, str):
        return "bad"
    m = _MONTH_RE.match(v.strip())
    if m is None:
        return "bad"
    month = int(m.group("month") or m.group("month2"))
    if not 1 <= month <= 12:
        return "bad"
    return pd.Timestamp(year=int(m.group("year")), month=month, day=1)


#: Station-table spellings of "not adopted (yet)" in an adoption-month column.
NOT_ADOPTED = frozenset(
    {
        "未上线",
        "未建设",
        "未开通",
        "未启用",
        "未实施",
        "未应用",
        "无",
        "否",
        "never",
        "not adopted",
        "none yet",
    }
)
_NOT_ADOPTED_NORM = frozenset(_norm(v) for v in NOT_ADOPTED)


def _to_month(s: pd.Series, miss: np.ndarray, lines: np.ndarray, file: str, col: str) -> pd.Series:
    if isinstance(s.dtype, pd.PeriodDtype):
        return s.dt.asfreq("M")
    if pd.api.types.is_datetime64_any_dtype(s):
        ts = pd.Series(s, index=s.index)
    else:
        if col == "adoption_month":
            never = s.map(lambda v: isinstance(v, str) and _norm(v) in _NOT_ADOPTED_NORM).to_numpy(bool)
            if never.any():
                warnings.warn(
                    f"{file}: column '{col}': {int(never.sum())} row(s) say the station has not "
                    "adopted (e.g. 未上线); read as never adopted",
                    IntakeWarning,
                    stacklevel=4,
                )
                miss = miss | never
        res = _map_unique(s, _month_one, na=pd.NaT)
        res[miss] = pd.NaT
        bad = np.array([isinstance(v, str) for v in res], dtype=bool)
        if bad.any():
            raise _fail(
                "unparseable months",
                s,
                bad,
                lines,
                file,
                col,
                "months like 2024-01, 2024/1, 2024年1月, 202401 or a first-of-month date",
            )
        ts = pd.Series(pd.to_datetime(pd.Series(res, dtype=object)).to_numpy(), index=s.index)
    present = ts.notna().to_numpy()
    not_first = present & ((ts.dt.day != 1) | (ts != ts.dt.normalize())).to_numpy()
    if not_first.any():
        raise _fail(
            "dates that are not the first of a month in a month column",
            s,
            not_first,
            lines,
            file,
            col,
            "months like 2024-01",
        )
    return ts.dt.to_period("M")


def _bool_one(v: Any) -> Any:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, float, np.integer, np.floating)) and v in (0, 1):
        return bool(v)
    t = _norm(v)
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    return "bad"


def _to_bool(s: pd.Series, miss: np.ndarray, lines: np.ndarray, file: str, col: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(s):
        return s
    out = _map_unique(s, _bool_one, na=pd.NA)
    out[miss] = pd.NA
    bad = np.array([isinstance(v, str) for v in out], dtype=bool)
    if bad.any():
        raise _fail("values are not yes/no", s, bad, lines, file, col, "是/否, Y/N, 1/0 or true/false")
    if miss.any():
        return pd.Series(pd.array(list(out), dtype="boolean"), index=s.index)
    return pd.Series(out.astype(bool), index=s.index)


def _to_category(s: pd.Series, miss: np.ndarray, cmap: Mapping[str, str]) -> pd.Series:
    def one(v: Any) -> str:
        key = _norm(v)
        code = cmap.get(key)
        if code is None and key.endswith("警情"):
            code = cmap.get(key[:-2])
        return code if code is not None else str(v).strip()  # unknowns: the validator names them

    out = _map_unique(s, one)
    out[miss] = None
    return pd.Series(out, index=s.index, dtype=object)


def _convert(
    df: pd.DataFrame,
    table: str,
    lines: np.ndarray,
    file: str,
    cmap: Mapping[str, str],
    ctx: dict[str, Any] | None = None,
) -> pd.DataFrame:
    ctx = {} if ctx is None else ctx
    out = df.copy()
    for col in schema.TABLES[table]:
        if col.name not in df.columns:
            continue
        s = df[col.name]
        miss = _is_missing(s)
        if col.kind == "str":
            out[col.name] = _to_text(s, miss)
        elif col.kind in ("int", "float"):
            out[col.name] = _to_number(s, miss, lines, file, col.name, integer=col.kind == "int")
        elif col.kind in ("date", "datetime"):
            out[col.name] = _to_datetime(
                s, miss, lines, file, col.name, date_only=col.kind == "date", ctx=ctx
            )
        elif col.kind == "month":
            out[col.name] = _to_month(s, miss, lines, file, col.name)
        elif col.kind == "bool":
            out[col.name] = _to_bool(s, miss, lines, file, col.name)
        elif col.kind == "category":
            out[col.name] = _to_category(s, miss, cmap)
        else:  # pragma: no cover - schema kinds are fixed
            raise ValueError(f"unknown column kind {col.kind!r}")
    return out
