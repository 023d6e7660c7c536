"""Find personal data: mask it inside text and scan a table's columns by header and content."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

import numpy as np
import pandas as pd

from .patterns import (
    _AFTER_ALT,
    _BARE_NAME_RE2,
    _BEFORE_ALT,
    _FREE_NAME_RE2,
    _KINDS,
    _LANDLINE_RE,
    _MOBILE_RE,
    _NAME_CORE,
    _NAME_SHARE,
    _REASONS,
    _SOURCES,
    CANONICAL_COLUMNS,
    MASK_TOKENS,
    _header_reason,
    _id_spans,
    _looks_like_name,
    _re2,
    _valid_ids,
)


def _arrow_text(values: Sequence[str] | pd.Series) -> Any:
    import pyarrow as pa

    return pa.array(np.asarray(values, dtype=object), type=pa.large_string())


def _detect(arr: Any) -> dict[str, np.ndarray]:
    """Boolean hit masks per kind over a pyarrow string array; each distinct value once."""
    import pyarrow.compute as pc

    enc = pc.dictionary_encode(arr)
    if len(enc.dictionary) * 2 > len(arr):
        return _detect_values(arr)
    idx = enc.indices.to_numpy(zero_copy_only=False)
    return {k: v[idx] for k, v in _detect_values(enc.dictionary).items()}


def _detect_values(arr: Any) -> dict[str, np.ndarray]:
    """Boolean hit masks per kind over a pyarrow string array (RE2 in C++, then exact checks).

    One combined pattern screens every value; the per-kind patterns and the
    exact checks (an ID's check character) run on the few candidates only.
    """
    import pyarrow.compute as pc

    n = len(arr)
    combined = "|".join([_re2(k) for k in _KINDS] + [_FREE_NAME_RE2, _BARE_NAME_RE2])
    screen = pc.match_substring_regex(arr, combined).to_numpy(zero_copy_only=False)
    idx = np.flatnonzero(screen)
    hits = {k: np.zeros(n, dtype=bool) for k in (*_KINDS, "name", "bare_name")}
    if not len(idx):
        return hits
    sub = arr.take(idx)
    for kind, pattern in [(k, _re2(k)) for k in _KINDS] + [
        ("name", _FREE_NAME_RE2),
        ("bare_name", _BARE_NAME_RE2),
    ]:
        hits[kind][idx] = pc.match_substring_regex(sub, pattern).to_numpy(zero_copy_only=False)
    cand = np.flatnonzero(hits["resident_id"])
    if len(cand):
        # the check character, vectorised: one candidate ID (the first) per value
        first = pc.extract_regex(arr.take(cand), f"(?P<id>{_SOURCES['resident_id'][0]})")
        ids = pc.replace_substring_regex(pc.struct_field(first, [0]), "[ \\-]", "")
        ok = _valid_ids(ids.to_pylist())
        several = (
            pc.count_substring_regex(arr.take(cand), _re2("resident_id")).to_numpy(zero_copy_only=False) > 1
        )
        hits["resident_id"][cand] = ok
        for i in cand[~ok & several]:  # the first candidate failed: look at the others
            hits["resident_id"][i] = bool(_id_spans(arr[i].as_py()))

    for i in np.flatnonzero(hits["landline"] & hits["mobile"]):
        # a +86 mobile is not also a landline
        hits["landline"][i] = bool(_LANDLINE_RE.search(_MOBILE_RE.sub(" ", arr[i].as_py())))
    for i in np.flatnonzero(hits["bare_name"]):
        hits["bare_name"][i] = _looks_like_name(arr[i].as_py())
    return hits


def _mask_arrow(arr: Any) -> Any:
    """Mask a pyarrow string array with RE2 replacements (in C++)."""
    import pyarrow.compute as pc

    def replace(a: Any, kind: str, token: str) -> Any:
        core, guard = _SOURCES[kind]
        if not guard:
            return pc.replace_substring_regex(a, f"(?:{core})", token)
        pattern = f"(^|[^{guard}])(?:{core})([^{guard}]|$)"
        # twice: a guard character consumed by one match may start the next
        for _ in range(2):
            a = pc.replace_substring_regex(a, pattern, f"\\1{token}\\2")
        return a

    for kind in _KINDS:
        arr = replace(arr, kind, MASK_TOKENS[kind])
    name = f"(^|{_BEFORE_ALT})(?:{_NAME_CORE})({_AFTER_ALT}|$)"
    for _ in range(2):  # 张三与李四: 与 ends one name and starts the next
        arr = pc.replace_substring_regex(arr, name, f"\\1{MASK_TOKENS['name']}\\2")
    return arr


def mask_text(values: pd.Series | str) -> pd.Series | str:
    """Replace the personal parts of text with tokens such as ``[身份证号]``.

    Resident IDs, mobile and landline numbers, street addresses and names
    (a bare name, or a name next to a context word in a narrative) become
    ``[身份证号]``, ``[手机号]``, ``[电话]``, ``[地址]`` and ``[姓名]``; the rest
    of the text is kept.  Masking errs on the safe side: any 18- or 15-digit
    run shaped like an ID is masked even with a wrong check character, and a
    short value that could be a name is masked.  Missing values stay missing.

    Parameters
    ----------
    values : Series or str
        Text to mask.

    Returns
    -------
    Series or str
        The same shape as the input.

    Examples
    --------
    >>> mask_text("胡芳与邻居马平平因噪音问题发生口角，回电138 1234 5678")
    '[姓名]与邻居[姓名]因噪音问题发生口角，回电[手机号]'
    """
    if isinstance(values, str):
        return str(cast(pd.Series, mask_text(pd.Series([values]))).iloc[0])
    if not isinstance(values, pd.Series):
        raise TypeError(f"expected a str or pandas Series, got {type(values).__name__}")
    present = values.notna().to_numpy()
    out = values.astype(object).copy()
    if present.any():
        text = values[present].map(_as_text) if values.dtype != object else values[present].astype(str)
        import pyarrow.compute as pc

        # mask each distinct value once (C++ dictionary encoding), then spread back
        enc = pc.dictionary_encode(_arrow_text(text))
        uniques = _mask_arrow(enc.dictionary)
        bare = _detect_values(uniques)["bare_name"]
        masked = np.asarray(uniques.to_numpy(zero_copy_only=False), dtype=object)
        masked[bare] = MASK_TOKENS["name"]
        out[present] = masked[enc.indices.to_numpy(zero_copy_only=False)]
    return out


def _as_text(v: object) -> str:
    if isinstance(v, float) and np.isfinite(v) and v == round(v):
        return str(int(v))  # a phone number stored as 13812345678.0
    return str(v)


def _column_text(s: pd.Series) -> Any:
    """Every non-empty value of a column as a pyarrow string array, or None if the column
    cannot hold personal data.  Arrow all the way: no per-value Python strings are made."""
    import pyarrow as pa
    import pyarrow.compute as pc

    present = s.dropna()
    if (
        present.empty
        or pd.api.types.is_bool_dtype(present)
        or pd.api.types.is_datetime64_any_dtype(present)
        or isinstance(present.dtype, pd.PeriodDtype)
    ):
        return None
    if pd.api.types.is_float_dtype(present):
        v = present.to_numpy(dtype="float64")
        whole = np.isfinite(v) & (v == np.round(v)) & (np.abs(v) < 1e18)
        return pc.cast(pa.array(v[whole].astype("int64")), pa.large_string())
    if pd.api.types.is_integer_dtype(present):
        return pc.cast(pa.array(present.to_numpy(dtype="int64")), pa.large_string())
    values = present.to_numpy(dtype=object)
    try:
        arr = pa.array(values, type=pa.large_string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed cells (Excel): numbers, dates, text
        arr = pa.array([_as_text(v) for v in values], type=pa.large_string())
    text = pc.utf8_trim_whitespace(arr)
    return text.filter(pc.not_equal(text, ""))


def _content_reasons(text: Any) -> list[tuple[str, int]]:
    """(reason, number of values) for every kind of personal data in a column."""
    import pyarrow.compute as pc

    if text is None or len(text) == 0:
        return []
    hits = _detect(text)
    found: list[tuple[str, int]] = []
    for kind in ("resident_id", "mobile", "landline", "address", "name"):
        n = int(hits[kind].sum())
        if n:
            found.append((_REASONS[kind], n))
    bare = hits["bare_name"]
    n_name = int(bare.sum())
    # at least three different names: a "白班/夜班" column is not a list of people
    if n_name and n_name / len(text) >= _NAME_SHARE and pc.count_distinct(text.filter(bare)).as_py() >= 3:
        found.append((_REASONS["bare_name"], n_name))
    return found


def scan_pii(df: pd.DataFrame, *, exclude: Iterable[str] | None = None) -> pd.DataFrame:
    """Find columns that hold personal data, looking at every value.

    Parameters
    ----------
    df : DataFrame
        Any frame, typically a raw export.
    exclude : iterable of str, optional
        Column names never flagged.  Defaults to the canonical schema columns
        (``station_id``, ``station_name``, ``district`` ...).  Pass ``[]`` to
        scan every column.

    Returns
    -------
    DataFrame
        One row per finding, with columns ``column``, ``detected_by``
        (``"header"`` or ``"content"``), ``reason`` and ``count`` (number of
        non-empty values for a header finding; number of values holding that
        kind of personal data for a content finding).  Every value of every
        column is inspected (each distinct value once).  No personal values
        are copied into the result.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"station_name": ["城东派出所", "城西派出所", "江北派出所"],
    ...                    "报警人": ["张伟", "李娜", "王芳"],
    ...                    "说明": ["江苏省南京市鼓楼区中山路12号", "鼓楼区湖南路8号3单元", "无"]})
    >>> for row in scan_pii(df).itertuples(index=False):
    ...     print(row.column, row.detected_by, row.count, row.reason, sep=" | ")
    报警人 | header | 3 | header suggests caller (personal data)
    报警人 | content | 3 | most values look like Chinese personal names
    说明 | content | 2 | values contain street addresses
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(df).__name__}")
    skip = set(CANONICAL_COLUMNS if exclude is None else exclude)
    skip.add("_line")
    rows: list[dict[str, object]] = []
    for i, col in enumerate(df.columns):
        if col in skip:
            continue
        s = df.iloc[:, i]
        reason = _header_reason(col)
        if reason is not None:
            rows.append(
                {
                    "column": col,
                    "detected_by": "header",
                    "reason": f"header suggests {reason}",
                    "count": int(s.notna().sum()),
                }
            )
        for why, n in _content_reasons(_column_text(s)):
            rows.append({"column": col, "detected_by": "content", "reason": why, "count": int(n)})
    return pd.DataFrame(rows, columns=["column", "detected_by", "reason", "count"]).astype({"count": "int64"})
