"""Raw loading: every format becomes a stream of (cells, file line number)."""

from __future__ import annotations

import csv
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from .encoding import _BLOCK, _delimiter, _encoding
from .headers import _HEADER_SCAN_ROWS, _find_header


class _Rows:
    """Non-empty rows of a file with their 1-based line numbers, streamed.

    ``delimiter`` is set for text files (used to spot an unbalanced quote that
    swallowed later lines); ``notes`` collects what the reader should tell the
    user (a hidden sheet read, for instance).
    """

    def __init__(
        self,
        rows: Iterator[tuple[list[Any], int]],
        *,
        delimiter: str | None = None,
        close: Any = None,
        sheet: str | None = None,
    ) -> None:
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
        raise DataError(
            "the file is empty (no values)", file=str(path), expected="a header row and data rows"
        )
    fh.seek(0)
    nul = sample.find("\x00")
    if nul >= 0:
        fh.close()
        line = sample[:nul].count("\n") + 1
        raise DataError(
            f"wrong encoding: NUL characters (first at character {nul}, line {line}); "
            "the file looks like UTF-16 or binary data",
            file=str(path),
            expected="UTF-8 or GBK/GB18030 text (save as 'CSV UTF-8')",
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
                    "so every later line would be swallowed into one value",
                    file=str(path),
                    rows=[prev + 1],
                    expected="quotes in pairs (close the quote or remove it)",
                ) from None
            if start_line + reader.line_num > prev + 1:
                raise DataError(
                    f"unbalanced quote: the value starting on line {prev + 1} runs to line "
                    f"{start_line + reader.line_num} and breaks there ({e})",
                    file=str(path),
                    rows=[prev + 1],
                    expected="quotes in pairs (close the quote on that line or remove it)",
                ) from None
            raise DataError(
                f"malformed CSV: {e}",
                file=str(path),
                rows=[start_line + reader.line_num],
                expected="well-formed CSV (check unbalanced quotes)",
            ) from None
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


def _fast_csv_chunks(
    path: Path,
    encoding: str,
    delimiter: str,
    header_line: int,
    n: int,
    file: str,
    chunk_rows: int,
    wanted: dict[str, Any],
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
                skip_rows=header_line,
                column_names=names,
                block_size=8 << 20,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=False, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in names}, strings_can_be_null=False
            ),
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
                df = pd.DataFrame(
                    {
                        j: part.column(j).to_numpy(zero_copy_only=False)
                        if cols is None or j in cols
                        else None
                        for j in range(n)
                    },
                    index=range(part.num_rows),
                    dtype=object,
                )
                lines = np.arange(header_line + 1 + done, header_line + 1 + done + len(df), dtype="int64")
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


def _pick_sheet(
    wb: Any, sheet_name: int | str | None, user: Mapping[str, str | None], table: str | None, file: str
) -> tuple[str, list[str]]:
    """The sheet to read and notes for the user.

    With ``sheet_name=None`` the one sheet (visible or hidden) that holds a
    recognisable header and data is read; several such sheets are an error
    naming them, because reading one silently would drop the others' rows.
    """
    names = wb.sheetnames
    if isinstance(sheet_name, int):
        if not 0 <= sheet_name < len(names):
            raise DataError(
                f"no sheet number {sheet_name}",
                file=file,
                expected=f"a sheet index below {len(names)} or a name in {names}",
            )
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
        listed = ", ".join(f"'{n}'" + ("" if state[n] == "visible" else f" ({state[n]})") for n in with_data)
        raise DataError(
            f"the workbook has {len(with_data)} sheets with data: {listed}",
            file=file,
            expected="one sheet chosen with sheet_name='...' (read each sheet separately and "
            "combine them if they belong together)",
        )
    if with_data:
        chosen = with_data[0]
        notes = [
            f"read sheet '{chosen}' (the only sheet with data; skipped "
            f"{', '.join(repr(n) for n in names if n != chosen)})"
        ]
        if state[chosen] != "visible":
            notes.append(f"sheet '{chosen}' is {state[chosen]} in the workbook")
        return chosen, notes
    visible = [n for n in names if state[n] == "visible"] or names
    return visible[0], []


def _excel_rows(
    path: Path, sheet_name: int | str | None, user: Mapping[str, str | None], table: str | None
) -> _Rows:
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
        raise DataError(
            f"cannot read as an Excel workbook ({type(e).__name__})",
            file=file,
            expected="an .xlsx file saved by Excel or WPS",
        ) from None

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
                if None in cells and any(
                    isinstance(f, str) and f.startswith("=") for c, f in zip(cells, frow) if c is None
                ):
                    uncached.append(i)
                if any(c is not None and str(c).strip() != "" for c in cells):
                    if uncached:
                        continue
                    yield cells, i
            if uncached:
                raise DataError(
                    "formulas without saved values (the workbook was written by a program "
                    "that does not calculate formulas)",
                    file=file,
                    rows=uncached,
                    expected="values: open the file in Excel or WPS and save it once, or "
                    "paste the formula cells as values",
                )
        finally:
            close()

    out = _Rows(gen(), close=close, sheet=name)
    out.notes.extend(notes)
    return out


def _rows_to_chunks(
    rows: Iterator[tuple[list[Any], int]],
    n: int,
    file: str,
    delimiter: str | None,
    chunk_rows: int,
) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
    buf: list[list[Any]] = []
    lines: list[int] = []

    def flush() -> tuple[pd.DataFrame, np.ndarray]:
        body_lines = np.asarray(lines, dtype="int64")
        extra = [
            i
            for i, r in enumerate(buf)
            if len(r) > n and any(c is not None and str(c).strip() for c in r[n:])
        ]
        if extra:
            raise DataError(
                f"rows have more values than the header has columns ({n})",
                file=file,
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
                    "like rows",
                    file=file,
                    rows=[start],
                    expected="quotes in pairs (close the quote on that line or remove it)",
                )
