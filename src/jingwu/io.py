"""Read users' own exports into the canonical tables.

Police platforms export CSV (UTF-8, UTF-8 with BOM, or GBK/GB18030), Excel
workbooks with a merged title row such as ``2024年1月警情统计表`` above the real
header, or Parquet.  The readers here

1. decode the file (trying strict UTF-8, then GB18030) or open the workbook,
   reading every cell as text or as the cell's own value -- never guessing
   types, so ``0012`` stays ``"0012"``;
2. find the header row (the first row whose cells map to known columns), so
   title and blank rows above it are skipped;
3. map Chinese or English headers to canonical names with :data:`HEADER_MAP`
   (overridable with ``header_map=``) and category names with
   :data:`CATEGORY_MAP` (``category_map=``);
4. drop or hash personal data in the remaining columns (:mod:`jingwu.privacy`);
5. convert each column with explicit checks -- a count of ``12.5`` or ``abc``
   or a date of ``2024-13-45`` is an error naming the rows, never a silent
   ``NaN``; and
6. run the schema validator (:mod:`jingwu.schema`), so every error names the
   file, the column and the *file line numbers* of the bad rows (the header is
   line 1 of a plain export and title rows shift it down; Excel rows are the
   sheet's row numbers; Parquet rows are numbered as if the header were line 1).

Input files are opened read-only and never modified.

Examples
--------
>>> import tempfile, pathlib
>>> from jingwu import io as jio
>>> tmp = tempfile.TemporaryDirectory()  # removed when garbage-collected
>>> d = pathlib.Path(tmp.name)
>>> _ = (d / "demand.csv").write_text(
...     "派出所,日期,警情类别,数量\\n0012,2024/01/05,刑事,3\\n0012,2024/01/05,求助,7\\n",
...     encoding="gbk")
>>> jio.read_demand(d / "demand.csv")
  station_id       date    category  count
0       0012 2024-01-05    criminal      3
1       0012 2024-01-05  assistance      7
"""
from __future__ import annotations

import csv
import datetime as _dt
import io as _stdio
import re
import unicodedata
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import schema
from .errors import DataError

__all__ = [
    "HEADER_MAP",
    "CATEGORY_MAP",
    "read_incidents",
    "read_stations",
    "read_panel",
    "read_outcomes",
    "read_demand",
    "read_table",
    "describe_mapping",
]

# --------------------------------------------------------------------------
# Header and category maps
# --------------------------------------------------------------------------

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "station_id": ("派出所", "所属派出所", "管辖单位", "管辖派出所", "辖区派出所", "派出所编号",
                   "派出所代码", "单位编号", "单位代码", "所属单位", "station", "station id",
                   "police station", "station code", "unique id"),
    "station_name": ("派出所名称", "单位名称", "station name"),
    "district": ("分局", "所属分局", "区县", "所属区县", "辖区分局", "分局名称", "district",
                 "district id", "division"),
    "area_type": ("区域类型", "地区类型", "辖区类型", "area type"),
    "population": ("辖区人口", "人口", "常住人口", "实有人口", "人口数", "population", "pop"),
    "area_km2": ("面积", "辖区面积", "area", "area km2", "area km²", "area sq km"),
    "officers": ("民警", "民警人数", "民警数", "警力", "在编民警", "officers", "police officers",
                 "sworn officers", "n officers"),
    "auxiliaries": ("辅警", "辅警人数", "辅警数", "auxiliaries", "auxiliary officers"),
    "adoption_month": ("智慧警务上线时间", "智慧警务上线月份", "上线时间", "上线月份",
                       "adoption month", "adoption", "adopted month"),
    "incident_id": ("警情编号", "接警编号", "警情号", "接警单号", "警情单号", "incident id",
                    "incident number", "incident no", "event id"),
    "reported_at": ("报警时间", "接警时间", "报警日期", "报案时间", "reported at", "report time",
                    "reported", "reported time", "call time"),
    "category": ("警情类别", "警情类型", "类别", "警情分类", "警情性质", "category",
                 "incident category", "incident type"),
    "handling_minutes": ("处置时长", "处警时长", "处置用时", "handling minutes", "handling time"),
    "response_minutes": ("到场时间", "出警时长", "到场时长", "响应时长", "到场用时",
                         "平均到场时间", "平均出警时长", "response minutes", "response time"),
    "is_case": ("是否立案", "is case", "filed", "filed as case"),
    "cleared": ("是否破案", "破案", "破案数", "破案数量", "cleared", "cleared cases"),
    "date": ("日期", "统计日期", "date", "day"),
    "count": ("数量", "警情数", "警情数量", "count", "n"),
    "incidents": ("警情总数", "警情量", "接警数", "接警量", "incidents", "incident count"),
    "month": ("月份", "统计月份", "年月", "month", "year month"),
    "cases": ("立案数", "立案数量", "案件数", "cases"),
    "satisfaction_n": ("调查人数", "满意度调查人数", "受访人数", "调查样本数", "survey n",
                       "respondents", "satisfaction n"),
    "satisfaction_yes": ("满意人数", "满意数", "satisfied", "satisfaction yes"),
}

#: Same canonical concept, named differently in one table (e.g. 警情数 is the
#: ``count`` of a daily demand row but the ``incidents`` of a panel row).
_TABLE_ALIASES: dict[str, dict[str, str]] = {
    "stations": {},
    "incidents": {"station_name": "station_id"},
    "demand": {"station_name": "station_id", "incidents": "count"},
    "panel": {"station_name": "station_id", "count": "incidents"},
    "outcomes": {"station_name": "station_id", "count": "incidents"},
}


def _norm(name: object) -> str:
    """Normalise a header or value for lookup: width, case, spaces, ``_-./``."""
    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    return re.sub(r"[\s_\-./·:：]+", "", text)


def _strip_unit(name: str) -> str:
    """``处置时长(分钟)`` -> ``处置时长`` (applied after :func:`_norm`)."""
    return re.sub(r"[(\[（【].*?[)\]）】]$", "", name)


def _build_header_map() -> dict[str, str]:
    out: dict[str, str] = {}
    for canonical, words in _SYNONYMS.items():
        out.setdefault(_norm(canonical), canonical)
        for w in words:
            out.setdefault(_norm(w), canonical)
    for canonical, labels in schema.COLUMN_LABELS.items():
        if any(canonical in (c.name for c in cols) for cols in schema.TABLES.values()):
            for text in labels.values():
                out.setdefault(_strip_unit(_norm(text)), canonical)
    return out


#: Normalised header -> canonical column.  Keys are normalised (NFKC, lower
#: case, no spaces, ``_``, ``-``, ``.`` or ``/``), so ``Station ID``,
#: ``station_id`` and ``STATION-ID`` all match; a trailing unit in brackets,
#: as in ``处置时长(分钟)``, is ignored.  ``派出所名称`` maps to ``station_name``,
#: which serves as ``station_id`` in tables without a name column.
HEADER_MAP: dict[str, str] = _build_header_map()


def _build_category_map() -> dict[str, str]:
    words = {
        "criminal": ("刑事", "刑事警情", "刑事案件", "刑事类"),
        "public_order": ("治安", "治安警情", "治安案件", "治安类", "治安管理"),
        "traffic": ("交通", "交通警情", "交通事故", "交通类", "交通管理"),
        "dispute": ("纠纷", "纠纷警情", "矛盾纠纷", "纠纷类", "民间纠纷"),
        "assistance": ("求助", "求助警情", "群众求助", "求助类", "救助"),
        "fraud": ("电诈", "电信诈骗", "电信网络诈骗", "电诈警情", "诈骗", "网络诈骗", "telecom fraud"),
        "other": ("其他", "其它", "其他警情", "其他类"),
        "all": ("全部", "all"),  # not 合计: a totals row in a daily table must fail, not double-count
    }
    out: dict[str, str] = {}
    for code, names in words.items():
        out[_norm(code)] = code
        for n in names:
            out[_norm(n)] = code
        for text in schema.CATEGORY_LABELS.get(code, {}).values():
            out.setdefault(_norm(text), code)
    out[_norm("public order")] = "public_order"
    return out


#: Normalised category name -> category code (see :data:`jingwu.schema.CATEGORIES`).
CATEGORY_MAP: dict[str, str] = _build_category_map()

_MISSING = {"", "nan", "none", "null", "n/a", "#n/a", "na", "nat"}
_TRUE = {"是", "y", "yes", "true", "t", "1", "已", "是的", "√", "✓"}
_FALSE = {"否", "n", "no", "false", "f", "0", "未", "不是", "×", "✗"}
_TEXT_EXT = {".csv", ".txt", ".tsv"}
_EXCEL_EXT = {".xlsx", ".xlsm"}
_PARQUET_EXT = {".parquet", ".pq"}
_HEADER_SCAN_ROWS = 30


# --------------------------------------------------------------------------
# Raw loading: every format becomes (rows of cells, file line numbers)
# --------------------------------------------------------------------------

def _decode(data: bytes, path: Path, encoding: str | None) -> str:
    name = str(path)
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            raise DataError(
                f"wrong encoding: cannot decode as {encoding} at byte offset {e.start} "
                f"(line {line})", file=name, expected="a file in the encoding passed as encoding=",
            ) from None
        except LookupError:
            raise ValueError(f"unknown encoding {encoding!r}") from None
        return text.lstrip("\ufeff")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise DataError(
            "wrong encoding: the file is UTF-16 (byte-order mark at byte offset 0, line 1)",
            file=name, expected="UTF-8 or GBK/GB18030 text (save as 'CSV UTF-8')",
        )
    if data[:4] == b"PK\x03\x04":
        raise DataError("this is an Excel/zip file, not text", file=name,
                        expected="a .csv text file, or rename it to .xlsx")
    try:
        text = data.decode("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")
    except UnicodeDecodeError as e_utf8:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as e_gb:
            line_u = data[: e_utf8.start].count(b"\n") + 1
            line_g = data[: e_gb.start].count(b"\n") + 1
            raise DataError(
                f"wrong encoding: not UTF-8 (byte offset {e_utf8.start}, line {line_u}) "
                f"nor GBK/GB18030 (byte offset {e_gb.start}, line {line_g})",
                file=name, expected="UTF-8 or GBK/GB18030 text, or pass encoding=",
            ) from None
    nul = text.find("\x00")
    if nul >= 0:
        line = text[:nul].count("\n") + 1
        raise DataError(
            f"wrong encoding: NUL characters (first at character {nul}, line {line}); "
            "the file looks like UTF-16 or binary data",
            file=name, expected="UTF-8 or GBK/GB18030 text (save as 'CSV UTF-8')",
        )
    return text


def _delimiter(text: str, path: Path) -> str:
    if path.suffix.lower() == ".tsv":
        return "\t"
    lines = [ln for ln in text.splitlines()[:_HEADER_SCAN_ROWS] if ln.strip()]
    best, best_n = ",", 0
    for d in (",", "\t", ";", "|"):
        n = max((ln.count(d) for ln in lines), default=0)
        if n > best_n:
            best, best_n = d, n
    return best


def _load_csv(path: Path, encoding: str | None) -> tuple[list[list[Any]], list[int]]:
    with open(path, "rb") as fh:
        data = fh.read()
    if not data.strip():
        raise DataError("the file is empty", file=str(path), expected="a header row and data rows")
    text = _decode(data, path, encoding)
    reader = csv.reader(_stdio.StringIO(text, newline=""), delimiter=_delimiter(text, path))
    rows: list[list[Any]] = []
    lines: list[int] = []
    prev = 0
    try:
        for row in reader:
            start = prev + 1
            prev = reader.line_num
            if row and "".join(row).strip():
                rows.append(row)
                lines.append(start)
    except csv.Error as e:
        raise DataError(f"malformed CSV: {e}", file=str(path), rows=[prev + 1],
                        expected="well-formed CSV (check unbalanced quotes)") from None
    if not rows:
        raise DataError("the file is empty (no values)", file=str(path),
                        expected="a header row and data rows")
    return rows, lines


def _load_excel(path: Path, sheet_name: int | str) -> tuple[list[list[Any]], list[int]]:
    try:
        import openpyxl
    except ImportError as e:  # pragma: no cover - openpyxl is a dependency
        raise ImportError("reading Excel files needs openpyxl (pip install openpyxl)") from e
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl style warnings on platform exports
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # zipfile, openpyxl and XML errors all mean "not a workbook"
        raise DataError(f"cannot read as an Excel workbook ({e})", file=str(path),
                        expected="an .xlsx file saved by Excel or WPS") from None
    try:
        names = wb.sheetnames
        if isinstance(sheet_name, int):
            if not 0 <= sheet_name < len(names):
                raise DataError(f"no sheet number {sheet_name}", file=str(path),
                                expected=f"a sheet index below {len(names)} or a name in {names}")
            ws = wb[names[sheet_name]]
        else:
            if sheet_name not in names:
                raise DataError(f"no sheet named {sheet_name!r}", file=str(path),
                                expected=f"one of {names}")
            ws = wb[sheet_name]
        rows: list[list[Any]] = []
        lines: list[int] = []
        for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = list(row)
            if any(c is not None and str(c).strip() != "" for c in cells):
                rows.append(cells)
                lines.append(i)
    finally:
        wb.close()
    if not rows:
        raise DataError("the file is empty (no cells in the sheet)", file=str(path),
                        expected="a header row and data rows")
    return rows, lines


def _load_parquet(path: Path) -> pd.DataFrame:
    try:
        df = pd.read_parquet(path)
    except Exception as e:  # pyarrow raises several types for bad files
        raise DataError(f"cannot read as Parquet ({e})", file=str(path),
                        expected="a Parquet file") from None
    if df.shape[1] == 0:
        raise DataError("the file is empty (no columns)", file=str(path),
                        expected="a header row and data rows")
    return df.reset_index(drop=True)


def _sniff_kind(path: Path) -> str:
    ext = path.suffix.lower()
    if ext in _EXCEL_EXT:
        return "excel"
    if ext in _PARQUET_EXT:
        return "parquet"
    if ext == ".xls":
        raise DataError("old-style .xls workbooks are not supported", file=str(path),
                        expected="an .xlsx workbook (in Excel or WPS: Save As → .xlsx) or a CSV")
    if ext in _TEXT_EXT:
        return "csv"
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head == b"PK\x03\x04":
        return "excel"
    if head == b"PAR1":
        return "parquet"
    return "csv"


# --------------------------------------------------------------------------
# Header detection and mapping
# --------------------------------------------------------------------------

def _user_map(header_map: Mapping[str, str | None] | None) -> dict[str, str | None]:
    if header_map is None:
        return {}
    if not isinstance(header_map, Mapping):
        raise ValueError(f"header_map must be a dict of header -> column, not {type(header_map).__name__}")
    out: dict[str, str | None] = {}
    for k, v in header_map.items():
        if v is not None and not isinstance(v, str):
            raise ValueError(f"header_map values must be column names (str) or None, got {v!r} for {k!r}")
        out[_norm(k)] = v
    return out


def _lookup(header: object, user: Mapping[str, str | None], table: str | None) -> tuple[str | None, str]:
    """Canonical name (or None) and where the mapping came from."""
    if header is None or str(header).strip() == "":
        return None, "blank header"
    key = _norm(header)
    for k in (key, _strip_unit(key)):
        if k in user:
            target, source = user[k], "header_map"
            break
        if k in HEADER_MAP:
            target, source = HEADER_MAP[k], "built-in"
            break
    else:
        return None, "unmapped"
    if target is None:
        return None, "ignored (header_map)"
    if table is not None:
        target = _TABLE_ALIASES[table].get(target, target)
        names = {c.name for c in schema.TABLES[table]}
        if source == "built-in" and target not in names:
            return None, f"unmapped ({target} is not a {table} column)"
    return target, source


def _find_header(rows: list[list[Any]], user: Mapping[str, str | None], table: str | None) -> int:
    """Index of the header row: the first with >= 2 cells mapping to columns."""
    for i, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        hits = {_lookup(c, user, table)[0] for c in row} - {None}
        if len(hits) >= 2:
            return i
    return 0


def _guess_table(headers: list[Any], user: Mapping[str, str | None]) -> str:
    best, best_score = "incidents", -1.0
    for table, cols in schema.TABLES.items():
        mapped = {_lookup(h, user, table)[0] for h in headers} - {None}
        required = [c.name for c in cols if c.required]
        score = sum(c in mapped for c in required) / len(required) + 0.01 * len(mapped)
        if score > best_score:
            best, best_score = table, score
    return best


def _header_names(headers: list[Any]) -> list[str]:
    out = []
    for j, h in enumerate(headers):
        text = "" if h is None else str(h).strip()
        out.append(text if text else f"column_{j + 1}")
    return out


def _map_headers(
    headers: list[str], user: Mapping[str, str | None], table: str, file: str,
) -> tuple[list[str | None], list[str]]:
    """Target name per column (None = drop) and the mapping source per column."""
    seen: dict[str, int] = {}
    targets: list[str | None] = []
    sources: list[str] = []
    for j, h in enumerate(headers):
        canon, source = _lookup(h, user, table)
        if source == "ignored (header_map)":
            name: str | None = None
        elif canon is not None:
            name = canon
        else:
            name = h
        if name is not None:
            if name in seen:
                first = headers[seen[name]]
                if first == h:
                    problem = f"header '{h}' appears twice (columns {seen[name] + 1} and {j + 1})"
                else:
                    problem = (f"headers '{first}' (column {seen[name] + 1}) and '{h}' "
                               f"(column {j + 1}) both map to '{name}'")
                raise DataError(
                    f"duplicated column: {problem}", file=file, column=name,
                    expected="each column once; drop one or rename it with header_map={...: None}",
                )
            seen[name] = j
        targets.append(name)
        sources.append(source)
    return targets, sources


# --------------------------------------------------------------------------
# Column converters (explicit checks, never silent coercion)
# --------------------------------------------------------------------------

def _examples(values: pd.Series, k: int = 3) -> str:
    ex = list(dict.fromkeys(str(v) for v in values))[:k]
    return ", ".join(repr(v) for v in ex)


def _fail(problem: str, raw: pd.Series, bad: np.ndarray, lines: np.ndarray,
          file: str, column: str, expected: str) -> DataError:
    bad = np.asarray(bad, dtype=bool)
    return DataError(f"{problem} (e.g. {_examples(raw[bad])})", file=file, column=column,
                     rows=[int(x) for x in lines[bad]], expected=expected)


def _map_unique(s: pd.Series, func: Any, na: Any = None) -> np.ndarray:
    """Apply ``func`` once per distinct value (fast for repetitive columns)."""
    codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = np.fromiter(map(func, uniques), dtype=object, count=len(uniques))
    table[-1] = na
    return table[codes]


def _is_missing(s: pd.Series) -> np.ndarray:
    miss = s.isna().to_numpy(dtype=bool)
    if _all_text(s):
        arr = s.to_numpy(dtype=object)
        return np.fromiter((v.strip().lower() in _MISSING for v in arr), dtype=bool, count=len(arr))
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        blank = _map_unique(s, lambda v: isinstance(v, str) and v.strip().lower() in _MISSING,
                            na=True)
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
        return s.str.strip().where(~miss, None)
    out = _map_unique(s, _text_one)
    out[miss] = None
    return pd.Series(out, index=s.index, dtype=object)


def _to_number(s: pd.Series, miss: np.ndarray, lines: np.ndarray, file: str, col: str,
               integer: bool) -> pd.Series:
    if pd.api.types.is_bool_dtype(s):
        raise DataError("yes/no values where numbers were expected", file=file, column=col,
                        expected="numbers")
    if pd.api.types.is_numeric_dtype(s):
        num = s.astype("float64")
    else:
        obj = s.astype(object).where(~miss, None)
        if pd.api.types.infer_dtype(obj, skipna=True) not in ("string", "empty"):
            kinds = _map_unique(obj, lambda v: isinstance(v, (bool, np.bool_, _dt.date, _dt.time,
                                                                 pd.Timestamp)), na=False)
            wrong = kinds.astype(bool)
            if wrong.any():
                raise _fail("mixed types: dates or yes/no cells in a numeric column", s, wrong,
                            lines, file, col, "numbers only")
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
                raise _fail("text in a numeric column", s, unparsed, lines, file, col,
                            "whole numbers" if integer else "numbers")
    values = num.to_numpy()
    if integer:
        finite = np.isfinite(values)
        frac = finite & (values != np.round(values))
        if frac.any():
            raise _fail("non-integer values", s, frac, lines, file, col, "whole numbers")
        if np.isinf(values).any():
            return pd.Series(values, index=s.index)  # the validator reports infinities
        if np.isnan(values).any():
            return pd.Series(pd.array([None if np.isnan(v) else int(v) for v in values],
                                      dtype="Int64"), index=s.index)
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


_FAST_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M",
                 "%Y-%m-%d", "%Y/%m/%d", "%Y-%m-%dT%H:%M:%S")


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
        comp["us"] = (pd.to_numeric("0" + parts.loc[matched, "frac"].fillna(""), errors="coerce")
                      .fillna(0) * 1e6).round().astype("int64")
        parsed = pd.to_datetime(comp, errors="coerce") if len(comp) else \
            pd.Series([], dtype="datetime64[ns]")
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


def _to_datetime(s: pd.Series, miss: np.ndarray, lines: np.ndarray, file: str, col: str,
                 date_only: bool) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s):
        out = s
        if getattr(s.dt, "tz", None) is not None:
            out = s.dt.tz_localize(None)  # keep the wall-clock time of the stored zone
        out = out.astype("datetime64[ns]")
    else:
        vals = s.to_numpy(dtype=object)
        kinds = _map_unique(s, _date_kind, na="missing")
        kinds[miss] = "missing"
        wrong_type = kinds == "bad"
        if wrong_type.any():
            raise _fail("mixed types: numbers or other non-date cells in a date column",
                        s, wrong_type, lines, file, col, _DATE_FORMATS)
        res = np.full(len(vals), np.datetime64("NaT"), dtype="datetime64[ns]")
        is_dt = kinds == "dt"
        if is_dt.any():
            try:
                res[is_dt] = pd.to_datetime(pd.Series(vals[is_dt], dtype=object)).to_numpy(
                    dtype="datetime64[ns]")
            except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
                raise _fail("dates out of the supported range", s, is_dt, lines, file, col,
                            "dates between 1990 and 2100") from None
        is_str = kinds == "str"
        if is_str.any():
            text = pd.Series([str(v).strip() for v in vals[is_str]], dtype=object)
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
            raise _fail("times of day in a date column", s, timed, lines, file, col,
                        "calendar dates without times (one row per day)")
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
NOT_ADOPTED = frozenset({"未上线", "未建设", "未开通", "未启用", "未实施", "未应用", "无", "否",
                         "never", "not adopted", "none yet"})
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
                warnings.warn(f"{file}: column '{col}': {int(never.sum())} row(s) say the station has not "
                              "adopted (e.g. 未上线); read as never adopted", stacklevel=4)
                miss = miss | never
        res = _map_unique(s, _month_one, na=pd.NaT)
        res[miss] = pd.NaT
        bad = np.array([isinstance(v, str) for v in res], dtype=bool)
        if bad.any():
            raise _fail("unparseable months", s, bad, lines, file, col,
                        "months like 2024-01, 2024/1, 2024年1月, 202401 or a first-of-month date")
        ts = pd.Series(pd.to_datetime(pd.Series(res, dtype=object)).to_numpy(), index=s.index)
    present = ts.notna().to_numpy()
    not_first = present & ((ts.dt.day != 1) | (ts != ts.dt.normalize())).to_numpy()
    if not_first.any():
        raise _fail("dates that are not the first of a month in a month column", s, not_first,
                    lines, file, col, "months like 2024-01")
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


def _convert(df: pd.DataFrame, table: str, lines: np.ndarray, file: str,
             cmap: Mapping[str, str]) -> pd.DataFrame:
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
            out[col.name] = _to_datetime(s, miss, lines, file, col.name, date_only=col.kind == "date")
        elif col.kind == "month":
            out[col.name] = _to_month(s, miss, lines, file, col.name)
        elif col.kind == "bool":
            out[col.name] = _to_bool(s, miss, lines, file, col.name)
        elif col.kind == "category":
            out[col.name] = _to_category(s, miss, cmap)
        else:  # pragma: no cover - schema kinds are fixed
            raise ValueError(f"unknown column kind {col.kind!r}")
    return out


# --------------------------------------------------------------------------
# The reader
# --------------------------------------------------------------------------

def _check_path(path: str | Path) -> Path:
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a str or Path, not {type(path).__name__}")
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"no such file: {p}")
    if p.is_dir():
        raise IsADirectoryError(f"expected a file, got a directory: {p}")
    if p.stat().st_size == 0:
        raise DataError("the file is empty (0 bytes)", file=str(p), expected="a header row and data rows")
    return p


def _raw_frame(
    p: Path, table: str | None, user: Mapping[str, str | None], sheet_name: int | str,
    encoding: str | None,
) -> tuple[list[str], pd.DataFrame, np.ndarray, int]:
    """Header names, raw cells (object columns by position), line numbers, header line."""
    kind = _sniff_kind(p)
    if kind == "parquet":
        df = _load_parquet(p)
        headers = _header_names(list(df.columns))
        cells = df.copy()
        cells.columns = range(df.shape[1])
        return headers, cells, np.arange(len(df)) + 2, 1
    rows, lines = _load_csv(p, encoding) if kind == "csv" else _load_excel(p, sheet_name)
    h = _find_header(rows, user, table)
    headers = _header_names(rows[h])
    body = rows[h + 1:]
    body_lines = np.asarray(lines[h + 1:], dtype="int64")
    # Cells beyond the header must be empty (a shifted row would misalign every value).
    n = len(headers)
    extra = [i for i, r in enumerate(body)
             if len(r) > n and any(c is not None and str(c).strip() for c in r[n:])]
    if extra:
        raise DataError(
            f"rows have more values than the header has columns ({n})", file=str(p),
            rows=body_lines[extra].tolist(),
            expected="one value per header column (check for unquoted commas)",
        )
    padded = [r if len(r) == n else list(r[:n]) + [None] * (n - len(r)) for r in body]
    cells = pd.DataFrame(padded, columns=range(n), dtype=object) if padded else pd.DataFrame(
        columns=range(n), dtype=object)
    return headers, cells, body_lines, lines[h]


def read_table(
    path: str | Path,
    table: str,
    *,
    header_map: Mapping[str, str | None] | None = None,
    category_map: Mapping[str, str] | None = None,
    sheet_name: int | str = 0,
    encoding: str | None = None,
    pii: str = "drop",
    salt: str | bytes | None = None,
    stations: pd.DataFrame | str | Path | None = None,
) -> pd.DataFrame:
    """Read a file into canonical table ``table`` and validate it.

    This is the engine behind :func:`read_incidents`, :func:`read_stations`,
    :func:`read_panel` and :func:`read_demand`; see those for the parameters.
    Canonical columns come first, in schema order, then any other columns of
    the file under their original headers (after personal data is removed).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()  # removed when garbage-collected
    >>> p = pathlib.Path(tmp.name) / "st.csv"
    >>> _ = p.write_text("Station ID,District,Population,Officers\\nS01,D1,50000,30\\n")
    >>> read_table(p, "stations").dtypes.astype(str).tolist()
    ['object', 'object', 'int64', 'int64']
    """
    if table not in schema.TABLES:
        raise ValueError(f"unknown table {table!r}; expected one of {sorted(schema.TABLES)}")
    if pii not in ("drop", "hash", "keep"):
        raise ValueError(f"pii must be 'drop', 'hash' or 'keep', not {pii!r}")
    if pii == "hash" and not salt:
        raise ValueError("pii='hash' needs a non-empty salt= (keep it secret and out of the repository)")
    if not isinstance(sheet_name, (int, str)) or isinstance(sheet_name, bool):
        raise ValueError(f"sheet_name must be a sheet index or name, not {sheet_name!r}")
    if stations is not None and table not in ("panel", "outcomes"):
        raise ValueError("stations= is only used when reading a panel or outcomes")
    if category_map is not None and not isinstance(category_map, Mapping):
        raise ValueError("category_map must be a dict of category name -> code")
    p = _check_path(path)
    file = str(path)
    user = _user_map(header_map)
    cmap = dict(CATEGORY_MAP)
    for k, v in (category_map or {}).items():
        cmap[_norm(k)] = v

    headers, cells, lines, header_line = _raw_frame(p, table, user, sheet_name, encoding)
    if len(cells) == 0:
        raise DataError(f"no data rows below the header (line {header_line})", file=file,
                        expected="at least one data row")
    targets, _ = _map_headers(headers, user, table, file)
    keep = [j for j, t in enumerate(targets) if t is not None]
    df = cells.iloc[:, keep].copy()
    df.columns = [targets[j] for j in keep]
    # Drop unnamed columns that hold nothing (trailing empty Excel columns).
    empty_unnamed = [c for j, c in zip(keep, df.columns)
                     if c == f"column_{j + 1}" and _is_missing(df[c]).all()]
    df = df.drop(columns=empty_unnamed)
    df = df.reset_index(drop=True)
    if table == "stations" and "station_id" not in df.columns and "station_name" in df.columns:
        df.insert(0, "station_id", df["station_name"])  # names serve as IDs

    try:
        schema.check_columns(df, table, file=file)
    except DataError as e:
        unmapped = [c for c in df.columns if c not in {x.name for x in schema.TABLES[table]}]
        hint = (f"; columns not recognised: {unmapped} -- map them with header_map="
                "{'your header': 'column'}" if unmapped else "")
        raise DataError(e.problem + hint, file=file, column=e.column, expected=e.expected) from None

    canonical = [c.name for c in schema.TABLES[table] if c.name in df.columns]
    extras = [c for c in df.columns if c not in canonical]
    if extras and pii != "keep":
        from . import privacy

        mode = "drop" if pii == "drop" else "hash"
        cleaned, _notice = privacy.remove_pii(df[extras], mode=mode, salt=salt, source=file,
                                              exclude=canonical)
        df = pd.concat([df[canonical], cleaned], axis=1)
        extras = list(cleaned.columns)

    out = _convert(df[canonical + extras], table, lines, file, cmap)
    out["_line"] = lines
    if table in ("panel", "outcomes"):
        st = stations
        if isinstance(st, (str, Path)):
            st = read_stations(st)
        if st is not None and not isinstance(st, pd.DataFrame):
            raise ValueError("stations must be a DataFrame, a path or None")
        check = schema.validate_panel if table == "panel" else schema.validate_outcomes
        check(out, stations=st, file=file)
    elif table == "stations":
        schema.validate_stations(out, file=file)
    elif table == "incidents":
        schema.validate_incidents(out, file=file)
    else:
        schema.validate_demand(out, file=file)
    out = out.drop(columns="_line")
    out.attrs["source"] = file
    return out


_READ_PARAMS = """
    Parameters
    ----------
    path : str or Path
        A ``.csv``/``.txt``/``.tsv`` (UTF-8, UTF-8 with BOM, GBK or GB18030,
        detected), ``.xlsx`` or ``.parquet`` file.  Never modified.
    header_map : dict, optional
        ``{"your header": "canonical_column"}`` merged over :data:`HEADER_MAP`;
        map a header to ``None`` to ignore that column.
    category_map : dict, optional
        ``{"your category": "code"}`` merged over :data:`CATEGORY_MAP`.
    sheet_name : int or str, default 0
        Excel sheet (index or name).
    encoding : str, optional
        Force a text encoding instead of detecting UTF-8 / GB18030.
    pii : {"drop", "hash", "keep"}, default "drop"
        What to do with non-canonical columns holding personal data
        (:func:`jingwu.privacy.remove_pii`).
    salt : str, optional
        Secret salt, required for ``pii="hash"``.
"""


def read_incidents(path: str | Path, **kwargs: Any) -> pd.DataFrame:
    """Read incident records (one row per 警情) into the ``incidents`` table.

    Required columns: ``incident_id`` (警情编号), ``station_id`` (派出所),
    ``reported_at`` (报警时间), ``category`` (警情类别).
    {params}
    Returns
    -------
    DataFrame
        Validated by :func:`jingwu.schema.validate_incidents`.

    Raises
    ------
    DataError
        Naming the file, column and line numbers of the problem.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()  # removed when garbage-collected
    >>> p = pathlib.Path(tmp.name) / "jq.csv"
    >>> _ = p.write_text("警情编号,派出所,报警时间,警情类别,是否立案\\n"
    ...                  "J001,城东派出所,2024/01/05 08:30,刑事,是\\n"
    ...                  "J002,城东派出所,2024年1月5日,纠纷,否\\n", encoding="utf-8-sig")
    >>> read_incidents(p)
      incident_id station_id         reported_at  category  is_case
    0        J001      城东派出所 2024-01-05 08:30:00  criminal     True
    1        J002      城东派出所 2024-01-05 00:00:00   dispute    False
    """
    return read_table(path, "incidents", **kwargs)


def read_stations(path: str | Path, **kwargs: Any) -> pd.DataFrame:
    """Read the station table (one row per 派出所).

    Required columns: ``station_id`` (派出所 / 派出所编号), ``district`` (分局),
    ``population`` (辖区人口), ``officers`` (民警).  A file with only a
    ``派出所名称`` column uses the names as ``station_id``.
    {params}
    Returns
    -------
    DataFrame
        Validated by :func:`jingwu.schema.validate_stations`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()  # removed when garbage-collected
    >>> p = pathlib.Path(tmp.name) / "st.csv"
    >>> _ = p.write_text("派出所编号,派出所名称,分局,辖区人口,民警,智慧警务上线时间\\n"
    ...                  "0101,城东派出所,东区分局,52000,31,2022年3月\\n"
    ...                  "0102,城西派出所,东区分局,38000,22,\\n")
    >>> st = read_stations(p)
    >>> st[["station_id", "station_name", "adoption_month"]]
      station_id station_name adoption_month
    0       0101        城东派出所        2022-03
    1       0102        城西派出所            NaT
    """
    df = read_table(path, "stations", **kwargs)
    return df


def read_panel(
    path: str | Path,
    *,
    stations: pd.DataFrame | str | Path | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """Read a monthly station panel (one row per station × month).

    Required columns: ``station_id``, ``month`` (月份), ``incidents``
    (警情数).  Checks ``cleared <= cases`` and ``satisfaction_yes <=
    satisfaction_n``; with ``stations``, also that every station is known.
    {params}
    stations : DataFrame or path, optional
        The station table (or a file to read with :func:`read_stations`).

    Returns
    -------
    DataFrame
        Validated by :func:`jingwu.schema.validate_panel`; ``month`` is a
        ``Period[M]`` column.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()  # removed when garbage-collected
    >>> p = pathlib.Path(tmp.name) / "panel.csv"
    >>> _ = p.write_text("派出所,月份,警情数,立案数,破案数\\nS01,2024年1月,120,30,12\\n"
    ...                  "S01,2024/2,98,25,11\\n")
    >>> read_panel(p)
      station_id    month  incidents  cases  cleared
    0        S01  2024-01        120     30       12
    1        S01  2024-02         98     25       11
    """
    return read_table(path, "panel", stations=stations, **kwargs)


def read_outcomes(
    path: str | Path,
    *,
    stations: pd.DataFrame | str | Path | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """Read monthly performance figures (月度绩效: one row per station × month).

    Required columns: ``station_id``, ``month``; any of ``cases`` (立案数),
    ``cleared`` (破案数), ``satisfaction_n`` (调查人数), ``satisfaction_yes``
    (满意人数), ``response_minutes`` (平均到场时间).  Incident counts are not
    needed: they come from the incident records.
    {params}
    stations : DataFrame or path, optional
        The station table; every station must be in it.

    Returns
    -------
    DataFrame
        Validated by :func:`jingwu.schema.validate_outcomes`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()  # removed when garbage-collected
    >>> p = pathlib.Path(tmp.name) / "kpi.csv"
    >>> _ = p.write_text("派出所,月份,立案数,破案数,调查人数,满意人数\\nS01,2024年3月,30,12,150,121\\n")
    >>> read_outcomes(p)
      station_id    month  cases  cleared  satisfaction_n  satisfaction_yes
    0        S01  2024-03     30       12             150               121
    """
    return read_table(path, "outcomes", stations=stations, **kwargs)


def read_demand(path: str | Path, **kwargs: Any) -> pd.DataFrame:
    """Read daily demand counts (one row per station × date × category).

    Required columns: ``station_id``, ``date`` (日期), ``category``
    (警情类别), ``count`` (数量 / 警情数).
    {params}
    Returns
    -------
    DataFrame
        Validated by :func:`jingwu.schema.validate_demand`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()  # removed when garbage-collected
    >>> p = pathlib.Path(tmp.name) / "d.csv"
    >>> _ = p.write_text("station,date,category,count\\nS01,2024-01-05,traffic,4\\n")
    >>> read_demand(p)
      station_id       date category  count
    0        S01 2024-01-05  traffic      4
    """
    return read_table(path, "demand", **kwargs)


for _f in (read_incidents, read_stations, read_panel, read_outcomes, read_demand):
    _f.__doc__ = (_f.__doc__ or "").replace("{params}", _READ_PARAMS)
del _f


def describe_mapping(
    path: str | Path,
    *,
    table: str | None = None,
    header_map: Mapping[str, str | None] | None = None,
    sheet_name: int | str = 0,
    encoding: str | None = None,
) -> pd.DataFrame:
    """Show how each header of a file maps to the canonical columns.

    Reads only as far as the header; useful to check an export before
    reading it, and for the data-tour notebook.

    Parameters
    ----------
    path : str or Path
        The file (CSV, Excel or Parquet).
    table : str, optional
        ``"incidents"``, ``"stations"``, ``"panel"`` or ``"demand"``; guessed
        from the headers when omitted (the guess is in ``result.attrs["table"]``).
    header_map, sheet_name, encoding
        As for :func:`read_incidents`.

    Returns
    -------
    DataFrame
        Columns ``position`` (1-based), ``header``, ``maps_to`` (canonical
        name, or ``None``), ``source`` (``built-in``, ``header_map``,
        ``unmapped`` ...), ``personal_data`` (why an unmapped header looks
        personal, e.g. ``"phone number"``; such columns are dropped or hashed
        on reading; content is checked too when the file is read) and
        ``header_line``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()  # removed when garbage-collected
    >>> p = pathlib.Path(tmp.name) / "d.csv"
    >>> _ = p.write_text("所属派出所,日期,类别,警情数,备注\\nS01,2024-01-05,交通,4,\\n")
    >>> m = describe_mapping(p)
    >>> m.attrs["table"], m["maps_to"].tolist()
    ('demand', ['station_id', 'date', 'category', 'count', None])
    """
    if table is not None and table not in schema.TABLES:
        raise ValueError(f"unknown table {table!r}; expected one of {sorted(schema.TABLES)}")
    p = _check_path(path)
    user = _user_map(header_map)
    kind = _sniff_kind(p)
    if kind == "parquet":
        import pyarrow.parquet as pq

        raw_headers: list[Any] = list(pq.read_schema(p).names)
        header_line = 1
    else:
        rows, lines = _load_csv(p, encoding) if kind == "csv" else _load_excel(p, sheet_name)
        h = _find_header(rows, user, table)
        raw_headers, header_line = rows[h], lines[h]
    headers = _header_names(raw_headers)
    guessed = table or _guess_table(headers, user)
    from .privacy import _header_reason

    records = []
    for j, hdr in enumerate(headers):
        canon, source = _lookup(hdr, user, guessed)
        reason = None if canon is not None else _header_reason(hdr)
        records.append({"position": j + 1, "header": hdr, "maps_to": canon, "source": source,
                        "personal_data": reason, "header_line": header_line})
    out = pd.DataFrame(records, columns=["position", "header", "maps_to", "source",
                                         "personal_data", "header_line"])
    out.attrs["table"] = guessed
    return out
