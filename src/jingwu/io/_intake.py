"""The reader's machinery: open a file, find and map its header, convert it chunk by chunk."""

from __future__ import annotations

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

from .. import schema
from ..errors import DataError, IntakeWarning
from .convert import _convert, _is_missing
from .encoding import _CHUNK_ROWS, _ZERO_WIDTH, _sniff_kind
from .headers import (
    _HEADER_SCAN_ROWS,
    CATEGORY_MAP,
    _find_header,
    _header_names,
    _map_headers,
    _norm,
    _user_map,
)
from .rawfiles import _csv_rows, _excel_rows, _fast_csv_chunks, _rows_to_chunks


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
_TOTAL_WORDS = frozenset(
    _norm(w)
    for w in (
        "合计",
        "小计",
        "总计",
        "总数",
        "累计",
        "共计",
        "全部",
        "全所",
        "全局",
        "全市",
        "汇总",
        "合 计",
        "total",
        "totals",
        "subtotal",
        "grand total",
        "sum",
        "all",
    )
)
_TOTAL_START = "^\\s*(?:" + "|".join(sorted({re.escape(w[0]) for w in _TOTAL_WORDS} | {"合"})) + ")"
_TOTAL_COLUMNS = (
    "station_id",
    "station_name",
    "district",
    "incident_id",
    "category",
    "date",
    "month",
    "reported_at",
)


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


def _open(
    p: Path,
    table: str | None,
    user: Mapping[str, str | None],
    sheet_name: int | str | None,
    encoding: str | None,
    chunk_rows: int = _CHUNK_ROWS,
) -> _Source:
    """Open an export, find its header and return a stream of raw cell chunks."""
    file = str(p)
    kind = _sniff_kind(p)
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            pf = pq.ParquetFile(p)
        except Exception as e:  # pyarrow raises several types for bad files
            raise DataError(
                f"cannot read as Parquet ({type(e).__name__})", file=file, expected="a Parquet file"
            ) from None
        names = list(pf.schema_arrow.names)
        if not names:
            raise DataError(
                "the file is empty (no columns)", file=file, expected="a header row and data rows"
            )

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
            raise DataError(
                "the file is empty (no values)"
                if kind == "csv"
                else "the file is empty (no cells in the sheet)",
                file=file,
                expected="a header row and data rows",
            )
        h = _find_header([r for r, _ in head], user, table)
        headers = _header_names(head[h][0])
        body = head[h + 1 :]

        def rows() -> Iterator[tuple[list[Any], int]]:
            yield from body
            yield from it

        notes = [f"{file}: {n}" for n in src.notes]
        single_line_header = not any(isinstance(c, str) and "\n" in c for c in head[h][0])
        if kind == "csv" and single_line_header and src.encoding and src.delimiter:
            src.close()
            wanted: dict[str, Any] = {}
            chunks = _fast_csv_chunks(
                p, src.encoding, src.delimiter, head[h][1], len(headers), file, chunk_rows, wanted
            )
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
        clean = np.array(
            [
                re.sub(r"\s+", " ", unicodedata.normalize("NFKC", u).translate(_ZERO_WIDTH)).strip()
                for u in uniques
            ],
            dtype=object,
        )
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
            shown = "; ".join(
                f"{' = '.join(repr(x) for x in sorted(v))} -> {k!r}" for k, v in list(multi.items())[:5]
            )
            more = f" and {len(multi) - 5} more" if len(multi) > 5 else ""
            parts.append(
                f"'{col}': {len(multi)} value(s) written in several ways were merged "
                f"(width, invisible characters or spaces): {shown}{more}"
            )
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
            cand = pc.fill_null(
                pc.and_(
                    pc.less_equal(pc.utf8_length(arr), 16),
                    pc.match_substring_regex(arr, _TOTAL_START, ignore_case=True),
                ),
                False,
            ).to_numpy(zero_copy_only=False)
            idx = np.flatnonzero(cand)
            if len(idx):
                key = pc.replace_substring_regex(pc.utf8_lower(arr.take(idx)), r"[\s_\-./·:：]+", "")
                hit = pc.is_in(key, value_set=pa.array(sorted(_TOTAL_WORDS), type=pa.large_string()))
                bad[idx[pc.fill_null(hit, False).to_numpy(zero_copy_only=False)]] = True
        else:
            codes, uniques = pd.factorize(s)
            is_total = np.array(
                [isinstance(u, str) and _norm(u) in _TOTAL_WORDS for u in uniques] + [False], dtype=bool
            )
            bad |= is_total[codes]
    return bad


def _convert_chunk(
    cells: pd.DataFrame,
    lines: np.ndarray,
    targets: list[str | None],
    table: str,
    file: str,
    cmap: Mapping[str, str],
    ctx: dict[str, Any],
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
            raise DataError(
                "totals or subtotal rows (合计/小计/总计/全部) among the data",
                file=file,
                rows=lines[totals].tolist(),
                expected="one row per record (delete the totals rows or pass totals='drop')",
            )
        ctx["totals_lines"].extend(lines[totals].tolist())
        df = df.loc[~totals].reset_index(drop=True)
        lines = lines[~totals]
    canonical = ctx["canonical"]
    out = _convert(
        df[canonical + [c for c in df.columns if c not in canonical]], table, lines, file, cmap, ctx
    )
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
            (
                late,
                f"dates after the export date {as_of.date()}",
                "dates up to the export date (check the year, or pass as_of= with the export date)",
            ),
        ):
            if mask.any():
                first = ts[mask].iloc[0]
                raise DataError(
                    f"{problem} (e.g. {first})",
                    file=file,
                    column=col.name,
                    rows=out.loc[mask, "_line"].tolist(),
                    expected=expected,
                )


def _prepare(
    path: str | Path,
    table: str,
    *,
    header_map: Mapping[str, str | None] | None,
    category_map: Mapping[str, str] | None,
    sheet_name: int | str | None,
    encoding: str | None,
    totals: str,
    timezone: str,
    as_of: Any,
    chunk_rows: int,
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
        as_of_ts = (
            pd.Timestamp.now(tz=tz).tz_localize(None).normalize()
            + pd.Timedelta(days=1)
            - pd.Timedelta(microseconds=1)
        )
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
        hint = (
            f"; columns not recognised: {unmapped} -- map them with header_map={{'your header': 'column'}}"
            if unmapped
            else ""
        )
        raise DataError(e.problem + hint, file=str(path), column=e.column, expected=e.expected) from None
    canonical = [c.name for c in schema.TABLES[table] if c.name in columns]
    ctx: dict[str, Any] = {
        "canonical": canonical,
        "merges": {},
        "totals": totals,
        "totals_lines": [],
        "tz": tz,
        "tz_converted": 0,
        "as_of": as_of_ts,
        "empty_unnamed": [t for j, t in enumerate(targets) if t == f"column_{j + 1}"],
        "seen_unnamed": set(),
    }
    return src, targets, ctx, cmap


def _chunks(
    src: _Source, targets: list[str | None], table: str, ctx: dict[str, Any], cmap: Mapping[str, str]
) -> Iterator[pd.DataFrame]:
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
        shown = ", ".join(str(x) for x in lines[:5]) + (
            f" (and {len(lines) - 5} more)" if len(lines) > 5 else ""
        )
        notes.append(
            f"{src.file}: dropped {len(lines)} totals/subtotal row(s) "
            f"(合计/小计/总计/全部) on line(s) {shown}; they are not stations or categories"
        )
    merge = _merge_notice(src.file, ctx["merges"])
    if merge:
        notes.append(merge)
    if ctx["tz_converted"]:
        notes.append(
            f"{src.file}: {ctx['tz_converted']} timestamp(s) with a time zone were "
            f"converted to local time in {ctx['tz'].key}"
        )
    return notes


def _warn(notes: list[str]) -> None:
    for note in notes:
        warnings.warn(note, IntakeWarning, stacklevel=4)
