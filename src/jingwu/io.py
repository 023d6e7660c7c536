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
import re
import unicodedata
import warnings
import zoneinfo
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import privacy, schema
from .errors import DataError, IntakeWarning

__all__ = [
    "HEADER_MAP",
    "CATEGORY_MAP",
    "read_incidents",
    "read_stations",
    "read_panel",
    "read_outcomes",
    "read_demand",
    "read_table",
    "iter_table",
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
# Raw loading: every format becomes a stream of (cells, file line number)
# --------------------------------------------------------------------------

_BLOCK = 1 << 20  # bytes decoded at a time while checking the encoding
_CHUNK_ROWS = 200_000  # rows converted at a time: memory stays flat whatever the file size
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def _check_decodes(path: Path, codec: str) -> tuple[int, int] | None:
    """Stream-decode the whole file; (byte offset, line) of the first failure, or None."""
    import codecs

    dec = codecs.getincrementaldecoder(codec)("strict")
    offset, line = 0, 1
    with open(path, "rb") as fh:
        while True:
            block = fh.read(_BLOCK)
            final = not block
            nul = block.find(b"\x00")
            if nul >= 0 and not codec.startswith("utf-16"):
                at = line + block[:nul].count(b"\n")
                raise DataError(
                    f"wrong encoding: NUL characters (first at byte offset {offset + nul}, line "
                    f"{at}); the file looks like UTF-16 or binary data",
                    file=str(path), expected="UTF-8 or GBK/GB18030 text (save as 'CSV UTF-8')",
                )
            try:
                dec.decode(block, final=final)
            except UnicodeDecodeError as e:
                pos = max(0, min(e.start, len(block)))
                return offset + pos, line + block[:pos].count(b"\n")
            if final:
                return None
            offset += len(block)
            line += block.count(b"\n")


def _encoding(path: Path, encoding: str | None) -> str:
    """The text encoding of a CSV export (checked over the whole file, in blocks)."""
    name = str(path)
    with open(path, "rb") as fh:
        head = fh.read(4)
    if encoding is not None:
        try:
            import codecs

            codecs.lookup(encoding)
        except LookupError:
            raise ValueError(f"unknown encoding {encoding!r}") from None
        bad = _check_decodes(path, encoding)
        if bad:
            raise DataError(
                f"wrong encoding: cannot decode as {encoding} at byte offset {bad[0]} "
                f"(line {bad[1]})", file=name, expected="a file in the encoding passed as encoding=",
            )
        return encoding
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise DataError(
            "wrong encoding: the file is UTF-16 (byte-order mark at byte offset 0, line 1)",
            file=name, expected="UTF-8 or GBK/GB18030 text (save as 'CSV UTF-8')",
        )
    if head == b"PK\x03\x04":
        raise DataError("this is an Excel/zip file, not text", file=name,
                        expected="a .csv text file, or rename it to .xlsx")
    utf8 = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
    bad_u = _check_decodes(path, utf8)
    if bad_u is None:
        return utf8
    bad_g = _check_decodes(path, "gb18030")
    if bad_g is None:
        return "gb18030"
    raise DataError(
        f"wrong encoding: not UTF-8 (byte offset {bad_u[0]}, line {bad_u[1]}) "
        f"nor GBK/GB18030 (byte offset {bad_g[0]}, line {bad_g[1]})",
        file=name, expected="UTF-8 or GBK/GB18030 text, or pass encoding=",
    )


def _delimiter(text: str, path: Path) -> str:
    """The delimiter of the first lines, ignoring anything inside quotes."""
    if path.suffix.lower() == ".tsv":
        return "\t"
    unquoted = re.sub(r'"[^"]*"', "", text)
    lines = [ln for ln in unquoted.splitlines()[:_HEADER_SCAN_ROWS] if ln.strip()]
    best, best_n = ",", 0
    for d in (",", "\t", ";", "|"):
        n = max((ln.count(d) for ln in lines), default=0)
        if n > best_n:
            best, best_n = d, n
    return best


class _Rows:
    """Non-empty rows of a file with their 1-based line numbers, streamed.

    ``delimiter`` is set for text files (used to spot an unbalanced quote that
    swallowed later lines); ``notes`` collects what the reader should tell the
    user (a hidden sheet read, for instance).
    """

    def __init__(self, rows: Iterator[tuple[list[Any], int]], *, delimiter: str | None = None,
                 close: Any = None, sheet: str | None = None) -> None:
        self._rows = rows
        self.delimiter = delimiter
        self._close = close
        self.sheet = sheet
        self.notes: list[str] = []
        self.encoding: str | None = None

    def __iter__(self) -> Iterator[tuple[list[Any], int]]:
        return self._rows

    def close(self) -> None:
        if self._close is not None:
            self._close()
            self._close = None


def _csv_rows(path: Path, encoding: str | None, *, start_line: int = 0, width: int = 1) -> _Rows:
    """Rows of a text export; with ``start_line``, from the line after it (the encoding
    is then taken as given, already checked)."""
    enc = _encoding(path, encoding) if not start_line else str(encoding)
    fh = open(path, encoding=enc, newline="")
    sample = fh.read(1 << 16)
    if not sample.strip():
        fh.close()
        raise DataError("the file is empty (no values)", file=str(path),
                        expected="a header row and data rows")
    fh.seek(0)
    nul = sample.find("\x00")
    if nul >= 0:
        fh.close()
        line = sample[:nul].count("\n") + 1
        raise DataError(
            f"wrong encoding: NUL characters (first at character {nul}, line {line}); "
            "the file looks like UTF-16 or binary data",
            file=str(path), expected="UTF-8 or GBK/GB18030 text (save as 'CSV UTF-8')",
        )
    delim = _delimiter(sample, path)
    # a long free-text cell (a case narrative) is legitimate; Python's default
    # limit of 128 KB per field would reject it
    csv.field_size_limit(2**31 - 1)
    for _ in range(start_line):
        fh.readline()
    reader = csv.reader(fh, delimiter=delim, strict=True)

    def gen() -> Iterator[tuple[list[Any], int]]:
        prev = start_line
        cols = width
        try:
            for row in reader:
                start = prev + 1
                prev = start_line + reader.line_num
                if row and "".join(row).strip():
                    if prev > start:  # a quoted value ran over several lines
                        _check_swallowed(row, start, cols, delim, str(path))
                    cols = max(cols, len(row))
                    yield row, start
        except csv.Error as e:
            if "end of data" in str(e):
                raise DataError(
                    f"unbalanced quote: a quote opened on line {prev + 1} is never closed, "
                    "so every later line would be swallowed into one value", file=str(path),
                    rows=[prev + 1], expected="quotes in pairs (close the quote or remove it)",
                ) from None
            if start_line + reader.line_num > prev + 1:
                raise DataError(
                    f"unbalanced quote: the value starting on line {prev + 1} runs to line "
                    f"{start_line + reader.line_num} and breaks there ({e})", file=str(path), rows=[prev + 1],
                    expected="quotes in pairs (close the quote on that line or remove it)",
                ) from None
            raise DataError(f"malformed CSV: {e}", file=str(path), rows=[start_line + reader.line_num],
                            expected="well-formed CSV (check unbalanced quotes)") from None
        finally:
            fh.close()

    out = _Rows(gen(), delimiter=delim, close=fh.close)
    out.encoding = enc
    return out


def _has_quotes(path: Path) -> bool:
    """True if the file has a double quote anywhere (a value could then span lines)."""
    with open(path, "rb") as fh:
        while block := fh.read(_BLOCK * 8):
            if b'"' in block:
                return True
    return False


def _fast_csv_chunks(path: Path, encoding: str, delimiter: str, header_line: int, n: int,
                     file: str, chunk_rows: int, wanted: dict[str, Any],
                     ) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
    """Raw cell chunks parsed by pyarrow's CSV reader (C++), for plain exports.

    The fast path holds while every record is one line with exactly ``n``
    cells, so record k is line ``header_line + k``.  At the first block that
    breaks this (a blank line, a short or long row, a value running over
    lines, an unbalanced quote) reading continues with Python's csv module
    from that point, which reports such problems with their line numbers.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    names = [f"c{j}" for j in range(n)]
    done = 0
    quoted = _has_quotes(path)
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(
                encoding="utf8" if encoding.lower().startswith("utf-8") else encoding,
                skip_rows=header_line, column_names=names, block_size=8 << 20),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=False,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in names},
                                                 strings_can_be_null=False),
        )
        for batch in reader:
            # a quoted value with a line break is parsed, but shifts later line numbers
            broken = None
            for j in range(n if quoted else 0):  # no quote in the file: no value spans lines
                for brk in ("\n", "\r"):
                    hit = pc.match_substring(batch.column(j), brk)
                    if pc.any(hit).as_py():
                        first = int(np.flatnonzero(hit.to_numpy(zero_copy_only=False))[0])
                        broken = first if broken is None else min(broken, first)
            if broken is not None:
                batch = batch.slice(0, broken)
            for lo in range(0, batch.num_rows, chunk_rows):
                part = batch.slice(lo, chunk_rows)
                # columns nobody reads (iter_table's non-canonical ones) stay empty
                cols = wanted.get("columns")
                df = pd.DataFrame({j: part.column(j).to_numpy(zero_copy_only=False)
                                   if cols is None or j in cols else None
                                   for j in range(n)}, index=range(part.num_rows), dtype=object)
                lines = np.arange(header_line + 1 + done, header_line + 1 + done + len(df),
                                  dtype="int64")
                done += len(df)
                yield df, lines
            if broken is not None:
                break
        else:
            return
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
        pass
    rest = _csv_rows(path, encoding, start_line=header_line + done, width=n)
    try:
        yield from _rows_to_chunks(iter(rest), n, file, delimiter, chunk_rows)
    finally:
        rest.close()


def _sheet_rows(ws: Any, max_row: int | None = None) -> Iterator[tuple[list[Any], int]]:
    for i, row in enumerate(ws.iter_rows(values_only=True, max_row=max_row), start=1):
        cells = list(row)
        if any(c is not None and str(c).strip() != "" for c in cells):
            yield cells, i


def _pick_sheet(wb: Any, sheet_name: int | str | None, user: Mapping[str, str | None],
                table: str | None, file: str) -> tuple[str, list[str]]:
    """The sheet to read and notes for the user.

    With ``sheet_name=None`` the one sheet (visible or hidden) that holds a
    recognisable header and data is read; several such sheets are an error
    naming them, because reading one silently would drop the others' rows.
    """
    names = wb.sheetnames
    if isinstance(sheet_name, int):
        if not 0 <= sheet_name < len(names):
            raise DataError(f"no sheet number {sheet_name}", file=file,
                            expected=f"a sheet index below {len(names)} or a name in {names}")
        return names[sheet_name], []
    if isinstance(sheet_name, str):
        if sheet_name not in names:
            raise DataError(f"no sheet named {sheet_name!r}", file=file, expected=f"one of {names}")
        return sheet_name, []
    if len(names) == 1:
        return names[0], []
    with_data = []
    for n in names:
        ws = wb[n]
        ws.reset_dimensions()
        head = [r for r, _ in _sheet_rows(ws, max_row=_HEADER_SCAN_ROWS + 2)]
        h = _find_header(head, user, table, strict=True)
        if h is not None and len(head) > h + 1:
            with_data.append(n)
    state = {n: wb[n].sheet_state for n in names}
    if len(with_data) > 1:
        listed = ", ".join(f"'{n}'" + ("" if state[n] == "visible" else f" ({state[n]})")
                           for n in with_data)
        raise DataError(
            f"the workbook has {len(with_data)} sheets with data: {listed}", file=file,
            expected="one sheet chosen with sheet_name='...' (read each sheet separately and "
                     "combine them if they belong together)",
        )
    if with_data:
        chosen = with_data[0]
        notes = [f"read sheet '{chosen}' (the only sheet with data; skipped "
                 f"{', '.join(repr(n) for n in names if n != chosen)})"]
        if state[chosen] != "visible":
            notes.append(f"sheet '{chosen}' is {state[chosen]} in the workbook")
        return chosen, notes
    visible = [n for n in names if state[n] == "visible"] or names
    return visible[0], []


def _excel_rows(path: Path, sheet_name: int | str | None, user: Mapping[str, str | None],
                table: str | None) -> _Rows:
    try:
        import openpyxl
    except ImportError as e:  # pragma: no cover - openpyxl is a dependency
        raise ImportError("reading Excel files needs openpyxl (pip install openpyxl)") from e
    file = str(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl style warnings on platform exports
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            wf = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as e:  # zipfile, openpyxl and XML errors all mean "not a workbook"
        raise DataError(f"cannot read as an Excel workbook ({type(e).__name__})", file=file,
                        expected="an .xlsx file saved by Excel or WPS") from None

    def close() -> None:
        wb.close()
        wf.close()

    try:
        name, notes = _pick_sheet(wb, sheet_name, user, table, file)
    except BaseException:
        close()
        raise
    ws, wsf = wb[name], wf[name]
    # Streaming exporters often store a stale sheet dimension ("A1:A1"); read
    # every row that is really there.
    ws.reset_dimensions()
    wsf.reset_dimensions()

    def gen() -> Iterator[tuple[list[Any], int]]:
        try:
            uncached: list[int] = []
            formulas = wsf.iter_rows(values_only=True)
            for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
                frow = next(formulas, ())
                cells = list(row)
                if None in cells and any(isinstance(f, str) and f.startswith("=")
                                         for c, f in zip(cells, frow) if c is None):
                    uncached.append(i)
                if any(c is not None and str(c).strip() != "" for c in cells):
                    if uncached:
                        continue
                    yield cells, i
            if uncached:
                raise DataError(
                    "formulas without saved values (the workbook was written by a program "
                    "that does not calculate formulas)", file=file, rows=uncached,
                    expected="values: open the file in Excel or WPS and save it once, or "
                             "paste the formula cells as values",
                )
        finally:
            close()

    out = _Rows(gen(), close=close, sheet=name)
    out.notes.extend(notes)
    return out


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


def _find_header(rows: list[list[Any]], user: Mapping[str, str | None], table: str | None,
                 *, strict: bool = False) -> Any:
    """Index of the header row: the first with >= 2 cells mapping to columns.

    Without a match: 0 (the first row), or None when ``strict``.
    """
    for i, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        hits = {_lookup(c, user, table)[0] for c in row} - {None}
        if len(hits) >= 2:
            return i
    return None if strict else 0


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
    """A few distinct offending values, with any personal data in them masked."""
    ex = list(dict.fromkeys(str(v) for v in values))[:k]
    masked = privacy.mask_text(pd.Series(ex, dtype=object)).tolist() if ex else []
    return ", ".join(repr(v) for v in masked)


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
            zero_copy_only=False)
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
        # strip each distinct value once; repeated ids then share one string object
        codes, uniques = pd.factorize(s)
        clean = np.asarray(_arrow_strip(np.asarray(uniques, dtype=object)).to_numpy(
            zero_copy_only=False), dtype=object)
        out = clean[codes]
        out[miss] = None
        return pd.Series(out, index=s.index, dtype=object)
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


_TZ_RE = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*"
                    r"(?:Z|[+-]\d{2}(?::?\d{2})?|(?:UTC|GMT)(?:[+-]\d{1,2}(?::?\d{2})?)?)$",
                    re.IGNORECASE)


def _local_time(s: pd.Series, ctx: dict[str, Any]) -> pd.Series:
    """Zone-aware timestamps -> the bureau's local wall-clock time (naive)."""
    tz = ctx.get("tz") or zoneinfo.ZoneInfo("Asia/Shanghai")
    ctx["tz_converted"] = ctx.get("tz_converted", 0) + int(s.notna().sum())
    return s.dt.tz_convert(tz).dt.tz_localize(None)


def _zoned_strings(text: pd.Series, lines: np.ndarray, file: str, col: str,
                   ctx: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Parse strings with a UTC offset or zone; (local datetime64 values, mask of such strings)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    zoned = pc.match_substring_regex(pa.array(text.to_numpy(dtype=object), type=pa.large_string()),
                                     _TZ_RE.pattern, ignore_case=True).to_numpy(zero_copy_only=False)
    res = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[ns]")
    if zoned.any():
        cleaned = text[zoned].str.replace(r"\s*(?:UTC|GMT)$", "Z", regex=True, case=False)
        cleaned = cleaned.str.replace(r"\s*(?:UTC|GMT)(?=[+-])", "", regex=True, case=False)
        parsed = pd.to_datetime(cleaned, utc=True, errors="coerce", format="ISO8601")
        failed = parsed.isna().to_numpy()
        if failed.any():
            bad = np.zeros(len(text), dtype=bool)
            bad[np.flatnonzero(zoned)[failed]] = True
            raise _fail("unparseable dates with a time zone", text, bad, lines, file, col,
                        "ISO 8601 timestamps such as 2024-01-05T08:30:00+08:00")
        res[zoned] = _local_time(parsed, ctx).to_numpy(dtype="datetime64[ns]")
    return res, zoned


def _to_datetime(s: pd.Series, miss: np.ndarray, lines: np.ndarray, file: str, col: str,
                 date_only: bool, ctx: dict[str, Any] | None = None) -> pd.Series:
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
                              "adopted (e.g. 未上线); read as never adopted", IntakeWarning, stacklevel=4)
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
             cmap: Mapping[str, str], ctx: dict[str, Any] | None = None) -> pd.DataFrame:
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
            out[col.name] = _to_datetime(s, miss, lines, file, col.name,
                                         date_only=col.kind == "date", ctx=ctx)
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


#: Labels of totals and subtotal rows in platform exports.
_TOTAL_WORDS = frozenset(_norm(w) for w in (
    "合计", "小计", "总计", "总数", "累计", "共计", "全部", "全所", "全局", "全市", "汇总", "合 计",
    "total", "totals", "subtotal", "grand total", "sum", "all"))
_TOTAL_START = "^\\s*(?:" + "|".join(sorted({re.escape(w[0]) for w in _TOTAL_WORDS} | {"合"})) + ")"
_TOTAL_COLUMNS = ("station_id", "station_name", "district", "incident_id", "category", "date",
                  "month", "reported_at")


@dataclass
class _Source:
    """An opened export: header, where it is, and a stream of raw chunks."""

    file: str
    headers: list[str]
    header_line: int
    chunks: Iterator[tuple[pd.DataFrame, np.ndarray]]
    notes: list[str]
    close: Any
    wanted: dict[str, Any] = field(default_factory=dict)


def _rows_to_chunks(rows: Iterator[tuple[list[Any], int]], n: int, file: str,
                    delimiter: str | None, chunk_rows: int,
                    ) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
    buf: list[list[Any]] = []
    lines: list[int] = []

    def flush() -> tuple[pd.DataFrame, np.ndarray]:
        body_lines = np.asarray(lines, dtype="int64")
        extra = [i for i, r in enumerate(buf)
                 if len(r) > n and any(c is not None and str(c).strip() for c in r[n:])]
        if extra:
            raise DataError(
                f"rows have more values than the header has columns ({n})", file=file,
                rows=body_lines[extra].tolist(),
                expected="one value per header column (check for unquoted commas)",
            )
        padded = [r if len(r) == n else list(r[:n]) + [None] * (n - len(r)) for r in buf]
        cells = pd.DataFrame(padded, columns=range(n), dtype=object)
        return cells, body_lines

    for row, line in rows:
        buf.append(row)
        lines.append(line)
        if len(buf) >= chunk_rows:
            yield flush()
            buf, lines = [], []
    if buf:
        yield flush()


def _check_swallowed(row: list[str], start: int, n: int, delimiter: str, file: str) -> None:
    """An unbalanced quote makes one cell run over later lines: find it and say where.

    A line inside the value with as many delimiters as a row has (``n``
    columns seen so far) is a swallowed row, not free text.
    """
    for j, c in enumerate(row):
        if "\n" in c:
            inner = c.split("\n")[1:]
            if n > 1 and any(seg.count(delimiter) >= n - 1 for seg in inner):
                raise DataError(
                    f"unbalanced quote: the value in column {j + 1} starting on line {start} "
                    f"runs to line {start + c.count(chr(10))} and swallows lines that look "
                    "like rows", file=file, rows=[start],
                    expected="quotes in pairs (close the quote on that line or remove it)",
                )


def _open(p: Path, table: str | None, user: Mapping[str, str | None], sheet_name: int | str | None,
          encoding: str | None, chunk_rows: int = _CHUNK_ROWS) -> _Source:
    """Open an export, find its header and return a stream of raw cell chunks."""
    file = str(p)
    kind = _sniff_kind(p)
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            pf = pq.ParquetFile(p)
        except Exception as e:  # pyarrow raises several types for bad files
            raise DataError(f"cannot read as Parquet ({type(e).__name__})", file=file,
                            expected="a Parquet file") from None
        names = list(pf.schema_arrow.names)
        if not names:
            raise DataError("the file is empty (no columns)", file=file,
                            expected="a header row and data rows")

        def pq_chunks() -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
            start = 2  # rows numbered as if the header were line 1
            for batch in pf.iter_batches(batch_size=chunk_rows):
                df = batch.to_pandas()
                df.columns = range(df.shape[1])
                yield df, np.arange(start, start + len(df), dtype="int64")
                start += len(df)

        return _Source(file, _header_names(names), 1, pq_chunks(), [], lambda: None)
    src = _csv_rows(p, encoding) if kind == "csv" else _excel_rows(p, sheet_name, user, table)
    try:
        it = iter(src)
        head: list[tuple[list[Any], int]] = []
        for item in it:
            head.append(item)
            if len(head) >= _HEADER_SCAN_ROWS:
                break
        if not head:
            raise DataError("the file is empty (no values)" if kind == "csv" else
                            "the file is empty (no cells in the sheet)", file=file,
                            expected="a header row and data rows")
        h = _find_header([r for r, _ in head], user, table)
        headers = _header_names(head[h][0])
        body = head[h + 1:]

        def rows() -> Iterator[tuple[list[Any], int]]:
            yield from body
            yield from it

        notes = [f"{file}: {n}" for n in src.notes]
        single_line_header = not any(isinstance(c, str) and "\n" in c for c in head[h][0])
        if kind == "csv" and single_line_header and src.encoding and src.delimiter:
            src.close()
            wanted: dict[str, Any] = {}
            chunks = _fast_csv_chunks(p, src.encoding, src.delimiter, head[h][1], len(headers),
                                      file, chunk_rows, wanted)
            return _Source(file, headers, head[h][1], chunks, notes, lambda: None, wanted)
        chunks = _rows_to_chunks(rows(), len(headers), file, src.delimiter, chunk_rows)
        return _Source(file, headers, head[h][1], chunks, notes, src.close)
    except BaseException:
        src.close()
        raise


def _normalise_keys(df: pd.DataFrame, merges: dict[str, dict[str, set[str]]]) -> None:
    """NFKC, zero-width characters, BOMs and outer spaces out of station/district keys.

    ``merges`` collects, per column, normalised value -> the distinct raw
    spellings seen, so the reader can list every merge it made.
    """
    for col in ("station_id", "station_name", "district"):
        if col not in df.columns or not _all_text_or_none(df[col]):
            continue
        s = df[col]
        codes, uniques = pd.factorize(s)
        if not len(uniques):
            continue
        clean = np.array([re.sub(r"\s+", " ", unicodedata.normalize("NFKC", u)
                                 .translate(_ZERO_WIDTH)).strip() for u in uniques], dtype=object)
        changed = clean != np.asarray(uniques, dtype=object)
        if changed.any():
            book = merges.setdefault(col, {})
            for raw, new in zip(np.asarray(uniques, dtype=object), clean):
                book.setdefault(new, set()).add(raw)
            mapped = clean[codes]
            mapped[codes < 0] = None
            df[col] = pd.Series(mapped, index=df.index, dtype=object)
        else:
            book = merges.setdefault(col, {})
            for u in uniques:
                book.setdefault(u, set()).add(u)


def _all_text_or_none(s: pd.Series) -> bool:
    return s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty")


def _merge_notice(file: str, merges: Mapping[str, Mapping[str, set[str]]]) -> str | None:
    parts = []
    for col, book in merges.items():
        multi = {k: v for k, v in book.items() if len(v) > 1}
        if multi:
            shown = "; ".join(f"{' = '.join(repr(x) for x in sorted(v))} -> {k!r}"
                              for k, v in list(multi.items())[:5])
            more = f" and {len(multi) - 5} more" if len(multi) > 5 else ""
            parts.append(f"'{col}': {len(multi)} value(s) written in several ways were merged "
                         f"(width, invisible characters or spaces): {shown}{more}")
    return f"{file}: " + "; ".join(parts) if parts else None


def _totals_rows(df: pd.DataFrame, table: str) -> np.ndarray:
    """Rows labelled 合计/小计/总计/全部 in a key column: totals, not data."""
    bad = np.zeros(len(df), dtype=bool)
    for col in _TOTAL_COLUMNS:
        if col not in df.columns or df[col].dtype != object:
            continue
        if col == "category" and table == "demand":
            continue  # handled after conversion: a file of only 全部 rows is a totals table
        s = df[col]
        if pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
            import pyarrow as pa
            import pyarrow.compute as pc

            arr = pa.array(s.to_numpy(dtype=object), type=pa.large_string())
            # a cheap first screen: totals labels are short and start with one of these
            cand = pc.fill_null(pc.and_(
                pc.less_equal(pc.utf8_length(arr), 16),
                pc.match_substring_regex(arr, _TOTAL_START, ignore_case=True)), False).to_numpy(zero_copy_only=False)
            idx = np.flatnonzero(cand)
            if len(idx):
                key = pc.replace_substring_regex(pc.utf8_lower(arr.take(idx)), r"[\s_\-./·:：]+", "")
                hit = pc.is_in(key, value_set=pa.array(sorted(_TOTAL_WORDS), type=pa.large_string()))
                bad[idx[pc.fill_null(hit, False).to_numpy(zero_copy_only=False)]] = True
        else:
            codes, uniques = pd.factorize(s)
            is_total = np.array([isinstance(u, str) and _norm(u) in _TOTAL_WORDS for u in uniques]
                                + [False], dtype=bool)
            bad |= is_total[codes]
    return bad


def _convert_chunk(cells: pd.DataFrame, lines: np.ndarray, targets: list[str | None],
                   table: str, file: str, cmap: Mapping[str, str], ctx: dict[str, Any],
                   ) -> pd.DataFrame:
    """Map, normalise, drop totals, convert and check one chunk of raw cells."""
    keep = [j for j, t in enumerate(targets) if t is not None]
    df = cells.iloc[:, keep]
    df.columns = [targets[j] for j in keep]
    df = df.drop(columns=[c for c in ctx["empty_unnamed"] if c in df.columns])
    df = df.reset_index(drop=True)
    if table == "stations" and "station_id" not in df.columns and "station_name" in df.columns:
        df.insert(0, "station_id", df["station_name"])  # names serve as IDs
    _normalise_keys(df, ctx["merges"])
    totals = _totals_rows(df, table)
    if totals.any():
        if ctx["totals"] == "error":
            raise DataError("totals or subtotal rows (合计/小计/总计/全部) among the data", file=file,
                            rows=lines[totals].tolist(),
                            expected="one row per record (delete the totals rows or pass totals='drop')")
        ctx["totals_lines"].extend(lines[totals].tolist())
        df = df.loc[~totals].reset_index(drop=True)
        lines = lines[~totals]
    canonical = ctx["canonical"]
    out = _convert(df[canonical + [c for c in df.columns if c not in canonical]], table, lines,
                   file, cmap, ctx)
    out["_line"] = lines
    return out


def _check_dates(out: pd.DataFrame, table: str, file: str, ctx: Mapping[str, Any]) -> None:
    """Dates after the export date (``as_of``) or before 1990 are errors, not data."""
    as_of: pd.Timestamp = ctx["as_of"]
    for col in schema.TABLES[table]:
        if col.kind not in ("date", "datetime", "month") or col.name not in out.columns:
            continue
        s = out[col.name]
        ts = s.dt.to_timestamp() if isinstance(s.dtype, pd.PeriodDtype) else s
        present = ts.notna().to_numpy()
        early = present & (ts < schema.DATE_MIN).to_numpy()
        late = present & (ts > as_of).to_numpy()
        for mask, problem, expected in (
            (early, "dates before 1990", "dates from 1990-01-01 on (check the year)"),
            (late, f"dates after the export date {as_of.date()}",
             "dates up to the export date (check the year, or pass as_of= with the export date)"),
        ):
            if mask.any():
                first = ts[mask].iloc[0]
                raise DataError(f"{problem} (e.g. {first})", file=file, column=col.name,
                                rows=out.loc[mask, "_line"].tolist(), expected=expected)


def _prepare(
    path: str | Path, table: str, *, header_map: Mapping[str, str | None] | None,
    category_map: Mapping[str, str] | None, sheet_name: int | str | None, encoding: str | None,
    totals: str, timezone: str, as_of: Any, chunk_rows: int,
) -> tuple[_Source, list[str | None], dict[str, Any], dict[str, str]]:
    if table not in schema.TABLES:
        raise ValueError(f"unknown table {table!r}; expected one of {sorted(schema.TABLES)}")
    if sheet_name is not None and (not isinstance(sheet_name, (int, str)) or isinstance(sheet_name, bool)):
        raise ValueError(f"sheet_name must be a sheet index or name, not {sheet_name!r}")
    if category_map is not None and not isinstance(category_map, Mapping):
        raise ValueError("category_map must be a dict of category name -> code")
    if totals not in ("drop", "error"):
        raise ValueError(f"totals must be 'drop' or 'error', not {totals!r}")
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise ValueError(f"chunk_rows must be a positive integer, not {chunk_rows!r}")
    try:
        tz = zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"unknown time zone {timezone!r}; expected a name like 'Asia/Shanghai'") from None
    if as_of is None:
        as_of_ts = pd.Timestamp.now(tz=tz).tz_localize(None).normalize() + pd.Timedelta(days=1) \
            - pd.Timedelta(microseconds=1)
    else:
        try:
            as_of_ts = pd.Timestamp(as_of)
        except (ValueError, TypeError):
            raise ValueError(f"as_of must be a date, not {as_of!r}") from None
        if as_of_ts == as_of_ts.normalize():
            as_of_ts = as_of_ts + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    p = _check_path(path)
    user = _user_map(header_map)
    cmap = dict(CATEGORY_MAP)
    for k, v in (category_map or {}).items():
        cmap[_norm(k)] = v
    src = _open(p, table, user, sheet_name, encoding, chunk_rows)
    try:
        targets, _ = _map_headers(src.headers, user, table, str(path))
    except BaseException:
        src.close()
        raise
    mapped = [t for t in targets if t is not None]
    columns = set(mapped)
    if table == "stations" and "station_id" not in columns and "station_name" in columns:
        columns.add("station_id")
    try:
        schema.check_columns(pd.DataFrame(columns=sorted(columns)), table, file=str(path))
    except DataError as e:
        src.close()
        unmapped = [c for c in mapped if c not in {x.name for x in schema.TABLES[table]}]
        hint = (f"; columns not recognised: {unmapped} -- map them with header_map="
                "{'your header': 'column'}" if unmapped else "")
        raise DataError(e.problem + hint, file=str(path), column=e.column, expected=e.expected) from None
    canonical = [c.name for c in schema.TABLES[table] if c.name in columns]
    ctx: dict[str, Any] = {
        "canonical": canonical, "merges": {}, "totals": totals, "totals_lines": [],
        "tz": tz, "tz_converted": 0, "as_of": as_of_ts,
        "empty_unnamed": [t for j, t in enumerate(targets) if t == f"column_{j + 1}"],
        "seen_unnamed": set(),
    }
    return src, targets, ctx, cmap


def _chunks(src: _Source, targets: list[str | None], table: str, ctx: dict[str, Any],
            cmap: Mapping[str, str]) -> Iterator[pd.DataFrame]:
    n_rows = 0
    for cells, lines in src.chunks:
        # unnamed columns that hold something are kept under column_N
        for j, t in enumerate(targets):
            if t is not None and t in ctx["empty_unnamed"] and not _is_missing(cells[j]).all():
                ctx["seen_unnamed"].add(t)
        ctx["empty_unnamed"] = [c for c in ctx["empty_unnamed"] if c not in ctx["seen_unnamed"]]
        out = _convert_chunk(cells, lines, targets, table, src.file, cmap, ctx)
        _check_dates(out, table, src.file, ctx)
        for col in schema.TABLES[table]:
            if col.name in out.columns:
                schema._check_column(out, col, src.file)
        n_rows += len(out)
        yield out
    ctx["n_rows"] = n_rows


def _notices(src: _Source, table: str, ctx: Mapping[str, Any]) -> list[str]:
    notes = list(src.notes)
    if ctx["totals_lines"]:
        lines = ctx["totals_lines"]
        shown = ", ".join(str(x) for x in lines[:5]) + (f" (and {len(lines) - 5} more)" if len(lines) > 5 else "")
        notes.append(f"{src.file}: dropped {len(lines)} totals/subtotal row(s) "
                     f"(合计/小计/总计/全部) on line(s) {shown}; they are not stations or categories")
    merge = _merge_notice(src.file, ctx["merges"])
    if merge:
        notes.append(merge)
    if ctx["tz_converted"]:
        notes.append(f"{src.file}: {ctx['tz_converted']} timestamp(s) with a time zone were "
                     f"converted to local time in {ctx['tz'].key}")
    return notes


def _warn(notes: list[str]) -> None:
    for note in notes:
        warnings.warn(note, IntakeWarning, stacklevel=4)


def read_table(
    path: str | Path,
    table: str,
    *,
    header_map: Mapping[str, str | None] | None = None,
    category_map: Mapping[str, str] | None = None,
    sheet_name: int | str | None = None,
    encoding: str | None = None,
    pii: str = "drop",
    salt: str | bytes | None = None,
    stations: pd.DataFrame | str | Path | None = None,
    totals: str = "drop",
    timezone: str = "Asia/Shanghai",
    as_of: Any = None,
    chunk_rows: int = _CHUNK_ROWS,
) -> pd.DataFrame:
    """Read a file into canonical table ``table`` and validate it.

    This is the engine behind :func:`read_incidents`, :func:`read_stations`,
    :func:`read_panel` and :func:`read_demand`; see those for the parameters.
    Canonical columns come first, in schema order, then any other columns of
    the file under their original headers (after personal data is removed).
    The file is read and converted in chunks of ``chunk_rows`` rows, so
    memory holds the typed result and one chunk, never the raw text.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()  # removed when garbage-collected
    >>> p = pathlib.Path(tmp.name) / "st.csv"
    >>> _ = p.write_text("Station ID,District,Population,Officers\\nS01,D1,50000,30\\n")
    >>> read_table(p, "stations").dtypes.astype(str).tolist()
    ['object', 'object', 'int64', 'int64']
    """
    if pii not in ("drop", "hash", "keep", "mask"):
        raise ValueError(f"pii must be 'drop', 'mask', 'hash' or 'keep', not {pii!r}")
    if pii == "hash":
        privacy.check_salt(salt)
    if stations is not None and table not in ("panel", "outcomes"):
        raise ValueError("stations= is only used when reading a panel or outcomes")
    src, targets, ctx, cmap = _prepare(
        path, table, header_map=header_map, category_map=category_map, sheet_name=sheet_name,
        encoding=encoding, totals=totals, timezone=timezone, as_of=as_of, chunk_rows=chunk_rows)
    file = str(path)
    # "keep" is honoured for columns holding no personal data only: free text
    # keeps its words with the personal parts masked
    mode = {"keep": "mask"}.get(pii, pii)
    parts: list[pd.DataFrame] = []
    handled: list[set[str]] = []
    findings: list[pd.DataFrame] = []
    try:
        for part in _chunks(src, targets, table, ctx, cmap):
            # personal data is removed chunk by chunk, so it is never all held at once;
            # a column found personal in a later chunk is treated in the earlier ones below
            extras = [c for c in part.columns if c not in ctx["canonical"] and c != "_line"]
            if extras:
                found = privacy.scan_pii(part[extras], exclude=ctx["canonical"])
                findings.append(found)
                known = pd.concat(findings, ignore_index=True)
                part = privacy.apply_findings(part, known, mode=mode, salt=salt)
                handled.append(set(known["column"]))
            else:
                handled.append(set())
            parts.append(part)
    finally:
        src.close()
    if not parts or sum(len(x) for x in parts) == 0:
        raise DataError(f"no data rows below the header (line {src.header_line})", file=file,
                        expected="at least one data row")
    if findings:
        every = pd.concat(findings, ignore_index=True)
        flagged = set(every["column"])
        for i, part in enumerate(parts):
            late = flagged - handled[i]
            if late:
                parts[i] = privacy.apply_findings(part, every[every["column"].isin(late)],
                                                  mode=mode, salt=salt)
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    del parts
    out = _totals_categories(out, table, file, ctx)
    canonical = [c for c in ctx["canonical"] if c in out.columns]
    extras = [c for c in out.columns if c not in canonical and c != "_line"]
    out = out[canonical + extras + ["_line"]]
    notice = privacy.make_notice(findings, mode=mode, source=file)
    notes = _notices(src, table, ctx)
    if table in ("panel", "outcomes"):
        st = stations
        if isinstance(st, (str, Path)):
            st = read_stations(st)
        if st is not None and not isinstance(st, pd.DataFrame):
            raise ValueError("stations must be a DataFrame, a path or None")
        check = schema.validate_panel if table == "panel" else schema.validate_outcomes
        check(out, stations=st, file=file)
        if table == "panel" and st is not None and "adoption_month" in st and "adoption_month" not in out:
            # The estimators need each station's adoption month on every row.
            adoption = st.drop_duplicates("station_id").set_index("station_id")["adoption_month"]
            out["adoption_month"] = out["station_id"].map(adoption).astype("period[M]")
    elif table == "stations":
        schema.validate_stations(out, file=file)
    elif table == "incidents":
        schema.validate_incidents(out, file=file)
    else:
        schema.validate_demand(out, file=file)
    if notice:
        privacy.logger.info("%s", notice)
        warnings.warn(str(notice), privacy.PrivacyWarning, stacklevel=3)
    _warn(notes)
    out = out.drop(columns="_line")
    out.attrs["source"] = file
    return out


def _totals_categories(out: pd.DataFrame, table: str, file: str, ctx: dict[str, Any]) -> pd.DataFrame:
    """全部/all category rows next to real categories are totals: drop them (or raise)."""
    if table != "demand" or "category" not in out.columns:
        return out
    is_all = (out["category"] == "all").to_numpy()
    if is_all.any() and not is_all.all():
        if ctx["totals"] == "error":
            raise DataError("totals rows (category 全部/all) among the categories", file=file,
                            column="category", rows=out.loc[is_all, "_line"].tolist(),
                            expected="one row per category (delete the totals rows or pass totals='drop')")
        ctx["totals_lines"].extend(out.loc[is_all, "_line"].tolist())
        out = out.loc[~is_all].reset_index(drop=True)
    return out


def iter_table(
    path: str | Path,
    table: str,
    *,
    header_map: Mapping[str, str | None] | None = None,
    category_map: Mapping[str, str] | None = None,
    sheet_name: int | str | None = None,
    encoding: str | None = None,
    totals: str = "drop",
    timezone: str = "Asia/Shanghai",
    as_of: Any = None,
    chunk_rows: int = _CHUNK_ROWS,
    columns: list[str] | None = None,
) -> Iterator[pd.DataFrame]:
    """Read a large export chunk by chunk, with every check of :func:`read_table`.

    Each chunk is converted and checked as :func:`read_table` would (headers,
    types, dates, totals rows, station spellings); duplicated keys are found
    across chunks at the end.  Only canonical columns are yielded (``columns``
    selects some of them), so no personal data can pass: use
    :func:`read_table` to keep free text, masked.  Notices are issued when the
    stream is exhausted.

    Parameters
    ----------
    path, table, header_map, category_map, sheet_name, encoding, totals, timezone, as_of
        As for :func:`read_table`.
    chunk_rows : int, default 200000
        Rows per chunk (memory is about proportional to it).
    columns : list of str, optional
        Canonical columns to yield; default all present.

    Yields
    ------
    DataFrame
        Canonical columns of one chunk, plus ``_line`` (the file line numbers).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()  # removed when garbage-collected
    >>> p = pathlib.Path(tmp.name) / "jq.csv"
    >>> _ = p.write_text("警情编号,派出所,报警时间,警情类别,报警人电话\\n"
    ...                  "J1,S01,2024/01/05 08:30,刑事,13812345678\\nJ2,S01,2024/01/06 09:00,纠纷,\\n")
    >>> [len(c) for c in iter_table(p, "incidents", chunk_rows=1)]
    [1, 1]
    >>> list(next(iter_table(p, "incidents")).columns)
    ['incident_id', 'station_id', 'reported_at', 'category', '_line']
    """
    src, targets, ctx, cmap = _prepare(
        path, table, header_map=header_map, category_map=category_map, sheet_name=sheet_name,
        encoding=encoding, totals=totals, timezone=timezone, as_of=as_of, chunk_rows=chunk_rows)
    # never convert or hold other columns: they may hold personal data
    targets = [t if t in ctx["canonical"] or (t == "station_name" and table != "stations")
               else None for t in targets]
    src.wanted["columns"] = {j for j, t in enumerate(targets) if t is not None}
    ctx["canonical"] = [c for c in ctx["canonical"] if c in targets or c == "station_id"]
    keep = ctx["canonical"] if columns is None else [c for c in ctx["canonical"] if c in columns]
    keys = list(schema.KEYS[table])
    key_hashes: list[np.ndarray] = []
    key_lines: list[np.ndarray] = []
    try:
        for chunk in _chunks(src, targets, table, ctx, cmap):
            if set(keys) <= set(chunk.columns) and len(chunk):
                key_hashes.append(pd.util.hash_pandas_object(chunk[keys], index=False).to_numpy())
                key_lines.append(chunk["_line"].to_numpy())
            if table == "demand":
                chunk = chunk.loc[chunk["category"] != "all"] if "category" in chunk else chunk
            yield chunk[keep + ["_line"]]
    finally:
        src.close()
    if not ctx.get("n_rows"):
        raise DataError(f"no data rows below the header (line {src.header_line})", file=str(path),
                        expected="at least one data row")
    if key_hashes:
        h = np.concatenate(key_hashes)
        order = np.argsort(h, kind="stable")
        hs = h[order]
        dup_sorted = np.zeros(len(h), dtype=bool)
        same = hs[1:] == hs[:-1]
        dup_sorted[1:] |= same
        dup_sorted[:-1] |= same
        if dup_sorted.any():
            lines = np.concatenate(key_lines)[order[dup_sorted]]
            raise DataError("duplicated keys", file=str(path), column=keys,
                            rows=sorted(int(x) for x in lines),
                            expected=f"one row per {' × '.join(keys)}")
    _warn(_notices(src, table, ctx))


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
    sheet_name : int or str, optional
        Excel sheet (index or name).  By default the one sheet (visible or
        hidden) with a recognisable header and data; a workbook with several
        is a :class:`~jingwu.errors.DataError` naming them.
    encoding : str, optional
        Force a text encoding instead of detecting UTF-8 / GB18030.
    pii : {"drop", "mask", "hash", "keep"}, default "drop"
        What to do with non-canonical columns holding personal data
        (:func:`jingwu.privacy.remove_pii`): drop them; ``"mask"`` (or
        ``"keep"``) keeps free-text columns with their personal parts replaced
        by ``[身份证号]``, ``[手机号]``, ``[电话]``, ``[地址]``, ``[姓名]`` and drops
        columns whose header names personal data; ``"hash"`` replaces their
        values with salted hashes.  Personal data is never kept as it is.
    salt : str, optional
        Secret salt of at least 16 bytes, required for ``pii="hash"``.
    totals : {"drop", "error"}, default "drop"
        Rows labelled 合计/小计/总计/全部 (totals, subtotals) in a key column:
        dropped with an :class:`~jingwu.errors.IntakeWarning` naming their
        lines, or an error.
    timezone : str, default "Asia/Shanghai"
        Timestamps carrying a UTC offset or zone are converted to this zone's
        local time (an :class:`~jingwu.errors.IntakeWarning` says how many).
    as_of : date, optional
        The export's date; later dates are an error (default: today).
        Dates before 1990 are always an error.
    chunk_rows : int, default 200000
        Rows converted at a time.

    Station ids, names and districts are normalised (Unicode NFKC, so
    full-width letters and digits become half-width; zero-width characters,
    byte-order marks and outer spaces removed), with a notice listing the
    spellings merged.
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
        The station table (or a file to read with :func:`read_stations`):
        every station must be in it, and its ``adoption_month`` is attached
        to the panel when the file has none.

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
    sheet_name: int | str | None = None,
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
        src = _open(p, table, user, sheet_name, encoding)
        src.close()
        raw_headers, header_line = src.headers, src.header_line
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
