"""The public readers: read_table, iter_table, read_incidents … read_demand, describe_mapping."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import privacy, schema
from ..errors import DataError
from ._intake import _check_path, _chunks, _notices, _open, _prepare, _warn
from .encoding import _CHUNK_ROWS, _sniff_kind
from .headers import _guess_table, _header_names, _lookup, _user_map


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
        path,
        table,
        header_map=header_map,
        category_map=category_map,
        sheet_name=sheet_name,
        encoding=encoding,
        totals=totals,
        timezone=timezone,
        as_of=as_of,
        chunk_rows=chunk_rows,
    )
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
        raise DataError(
            f"no data rows below the header (line {src.header_line})",
            file=file,
            expected="at least one data row",
        )
    if findings:
        every = pd.concat(findings, ignore_index=True)
        flagged = set(every["column"])
        for i, part in enumerate(parts):
            late = flagged - handled[i]
            if late:
                parts[i] = privacy.apply_findings(
                    part, every[every["column"].isin(late)], mode=mode, salt=salt
                )
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
            raise DataError(
                "totals rows (category 全部/all) among the categories",
                file=file,
                column="category",
                rows=out.loc[is_all, "_line"].tolist(),
                expected="one row per category (delete the totals rows or pass totals='drop')",
            )
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
        path,
        table,
        header_map=header_map,
        category_map=category_map,
        sheet_name=sheet_name,
        encoding=encoding,
        totals=totals,
        timezone=timezone,
        as_of=as_of,
        chunk_rows=chunk_rows,
    )
    # never convert or hold other columns: they may hold personal data
    targets = [
        t if t in ctx["canonical"] or (t == "station_name" and table != "stations") else None for t in targets
    ]
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
        raise DataError(
            f"no data rows below the header (line {src.header_line})",
            file=str(path),
            expected="at least one data row",
        )
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
            raise DataError(
                "duplicated keys",
                file=str(path),
                column=keys,
                rows=sorted(int(x) for x in lines),
                expected=f"one row per {' × '.join(keys)}",
            )
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
    from ..privacy.patterns import _header_reason

    records = []
    for j, hdr in enumerate(headers):
        canon, source = _lookup(hdr, user, guessed)
        reason = None if canon is not None else _header_reason(hdr)
        records.append(
            {
                "position": j + 1,
                "header": hdr,
                "maps_to": canon,
                "source": source,
                "personal_data": reason,
                "header_line": header_line,
            }
        )
    out = pd.DataFrame(
        records, columns=["position", "header", "maps_to", "source", "personal_data", "header_line"]
    )
    out.attrs["table"] = guessed
    return out
