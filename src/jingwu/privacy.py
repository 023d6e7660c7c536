"""Find and remove personal data at intake; suppress small cells on output.

Police exports often carry personal data that a research analysis never needs:
callers' names (姓名, 报警人), resident ID numbers (身份证号), phone numbers
(手机, 联系电话) and home addresses (住址).  This module finds such columns

* **by header** -- a column called ``姓名`` or ``phone`` is flagged whatever it
  holds, and
* **by content** -- 18-digit resident ID numbers with a valid check character,
  11-digit mainland mobile numbers, landlines written with an area code,
  Chinese street addresses, and columns where most values look like Chinese
  personal names, so a ``备注`` (remarks) column full of phone numbers is
  caught too,

and drops them or replaces every value with a salted SHA-256 hash, returning a
notice that says what was removed and why.  Columns of the canonical schema
(``station_id``, ``station_name``, ``district`` ...) are never flagged: they
are the analysis, and station names such as ``城东派出所`` are not personal.

:func:`suppress_small_cells` masks small counts in tables meant for
publication.

Examples
--------
>>> import pandas as pd
>>> from jingwu import privacy
>>> df = pd.DataFrame({"station_id": ["S01", "S02"],
...                    "备注": ["回电13812345678", "无"]})
>>> privacy.scan_pii(df)[["column", "detected_by"]].to_dict("records")
[{'column': '备注', 'detected_by': 'content'}]
"""
from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .schema import TABLES

__all__ = [
    "PII_HEADERS",
    "PrivacyWarning",
    "PiiNotice",
    "scan_pii",
    "remove_pii",
    "hash_values",
    "is_valid_resident_id",
    "suppress_small_cells",
]

logger = logging.getLogger(__name__)


class PrivacyWarning(UserWarning):
    """Issued when personal data is found (and dropped or hashed) at intake."""


#: Canonical column names of every table; never flagged.
CANONICAL_COLUMNS: frozenset[str] = frozenset(c.name for cols in TABLES.values() for c in cols)

#: Header keywords that mark personal data, with the reason reported.
#: Chinese keywords match anywhere in the header (``报警人姓名`` contains
#: ``姓名``); English ones match whole words of the header.
PII_HEADERS: dict[str, str] = {
    # names
    "姓名": "personal name",
    "名字": "personal name",
    "报警人": "caller (personal data)",
    "联系人": "contact person",
    "当事人": "party to the incident",
    "受害人": "victim",
    "被害人": "victim",
    "嫌疑人": "suspect",
    "求助人": "caller (personal data)",
    # identity documents
    "身份证": "resident ID number",
    "身份号码": "resident ID number",
    "证件号": "identity document number",
    "证件号码": "identity document number",
    "护照": "passport number",
    # phones and accounts
    "手机": "phone number",
    "电话": "phone number",
    "联系方式": "contact details",
    "微信": "messaging account",
    "邮箱": "e-mail address",
    "车牌": "vehicle plate",
    # addresses
    "地址": "address",
    "住址": "address",
    "家庭住址": "address",
    "现住址": "address",
    "户籍": "household registration",
    "住所": "address",
}

_EN_WORDS: dict[str, str] = {
    "phone": "phone number",
    "mobile": "phone number",
    "tel": "phone number",
    "telephone": "phone number",
    "cellphone": "phone number",
    "address": "address",
    "email": "e-mail address",
    "caller": "caller (personal data)",
    "contact": "contact details",
    "passport": "passport number",
    "idcard": "resident ID number",
    "ssn": "identity document number",
    "surname": "personal name",
    "firstname": "personal name",
    "lastname": "personal name",
    "fullname": "personal name",
}
_EN_PHRASES: dict[str, str] = {
    "name": "personal name",
    "full name": "personal name",
    "first name": "personal name",
    "last name": "personal name",
    "given name": "personal name",
    "caller name": "personal name",
    "person name": "personal name",
    "id number": "identity document number",
    "id no": "identity document number",
    "id card": "resident ID number",
    "id card number": "resident ID number",
    "national id": "identity document number",
}

# --- content patterns --------------------------------------------------------
_ID_RE = re.compile(r"(?<![0-9Xx])(\d{17}[\dXx])(?![0-9A-Za-z])")
_MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")
_LANDLINE_RE = re.compile(r"(?<!\d)(?:0\d{2,3}-\d{7,8}|\(0\d{2,3}\)\s?\d{7,8}|（0\d{2,3}）\d{7,8})(?!\d)")
_ADDRESS_RE = re.compile(
    r"(?:[省市区县镇乡].{0,12}?(?:路|街|巷|弄|道|村|胡同|小区|大道|社区))"
    r"|(?:(?:路|街|巷|弄|道|村|胡同|小区|大道|社区|组).{0,8}?\d+\s*(?:号|栋|幢|单元|室|楼|弄|组))"
)
# Organisations (stations, bureaus, teams) are not personal addresses.
_ORG_SUFFIX = re.compile(
    r"(?:派出所|分局|公安局|警务室|警务站|中队|大队|支队|所|局|队|科|办|中心|委员会|医院|学校"
    r"|街道|社区|办事处|镇|乡|区|县|市|省)$"  # organisations and areas, not street addresses
)
_CJK_NAME_RE = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_PLACE_SUFFIX = re.compile(r"(?:省|市|区|县|镇|乡|村|街道|路|街|所|局|队|组|类|案|情|港|州|山|湖|江|河)$")

#: Common Chinese surnames (single and compound), used for the name heuristic.
_SURNAMES_1 = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱"
    "江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢"
    "安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅"
    "童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾"
    "尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全"
    "佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_SURNAMES_2 = {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "尉迟", "公孙", "长孙", "宇文", "司徒", "夏侯", "端木"}

_SAMPLE = 2000  # values inspected per column (first non-empty ones)
_WEAK_SHARE = 0.5  # share of values that must look like names/addresses


def is_valid_resident_id(value: str) -> bool:
    """True if ``value`` is an 18-character PRC resident ID with a valid check character.

    The check uses the ISO 7064 MOD 11-2 checksum of GB 11643-1999 and a
    plausible birth date (digits 7-14).

    Examples
    --------
    >>> is_valid_resident_id("11010519491231002X")
    True
    >>> is_valid_resident_id("110105194912310021")
    False
    """
    v = str(value).strip().upper()
    if len(v) != 18 or not v[:17].isdigit() or not (v[17].isdigit() or v[17] == "X"):
        return False
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(v[:17], weights))
    if "10X98765432"[total % 11] != v[17]:
        return False
    year, month, day = int(v[6:10]), int(v[10:12]), int(v[12:14])
    return 1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31


def _norm_header(name: object) -> str:
    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    return re.sub(r"[\s_\-./]+", " ", text).strip()


def _header_reason(name: object) -> str | None:
    text = _norm_header(name)
    compact = text.replace(" ", "")
    for key, reason in PII_HEADERS.items():
        if key in compact:
            return reason
    if text in _EN_PHRASES:
        return _EN_PHRASES[text]
    if compact in _EN_WORDS:  # "E-mail", "cell_phone"
        return _EN_WORDS[compact]
    for word in re.split(r"[^a-z0-9]+", text):
        if word in _EN_WORDS:
            return _EN_WORDS[word]
    return None


def _looks_like_name(v: str) -> bool:
    if not _CJK_NAME_RE.match(v) or _PLACE_SUFFIX.search(v):
        return False
    return v[0] in _SURNAMES_1 or v[:2] in _SURNAMES_2


def _looks_like_address(v: str) -> bool:
    return bool(_ADDRESS_RE.search(v)) and not _ORG_SUFFIX.search(v)


def _content_reasons(values: Sequence[str]) -> list[tuple[str, int]]:
    """(reason, count) pairs for one column's sampled text values."""
    found: list[tuple[str, int]] = []
    n_id = sum(1 for v in values if any(is_valid_resident_id(m) for m in _ID_RE.findall(v)))
    if n_id:
        found.append(("values contain 18-digit resident ID numbers (valid check digit)", n_id))
    n_mobile = sum(1 for v in values if _MOBILE_RE.search(v))
    if n_mobile:
        found.append(("values contain 11-digit mobile phone numbers", n_mobile))
    n_land = sum(1 for v in values if _LANDLINE_RE.search(v))
    if n_land:
        found.append(("values contain landline phone numbers", n_land))
    n = len(values)
    n_addr = sum(1 for v in values if _looks_like_address(v))
    if n and n_addr / n >= _WEAK_SHARE:
        found.append(("most values look like street addresses", n_addr))
    names = [v for v in values if _looks_like_name(v)]
    n_name = len(names)
    # at least three different names: a "白班/夜班" column is not a list of people
    if n and n_name / n >= _WEAK_SHARE and len(set(names)) >= 3:
        found.append(("most values look like Chinese personal names", n_name))
    return found


def _text_sample(s: pd.Series) -> list[str]:
    present = s.dropna()
    if pd.api.types.is_bool_dtype(present) or pd.api.types.is_datetime64_any_dtype(present):
        return []  # flags and timestamps cannot hold IDs, phones or names
    if pd.api.types.is_float_dtype(present):
        # phone numbers stored as floats (a numeric column with gaps): whole values only
        whole = present[np.isfinite(present) & (present == np.round(present))]
        return [str(int(v)) for v in whole.iloc[:_SAMPLE]]
    out = []
    for v in present.iloc[: _SAMPLE * 2]:
        t = str(v).strip()
        if t:
            out.append(t)
            if len(out) >= _SAMPLE:
                break
    return out


def scan_pii(df: pd.DataFrame, *, exclude: Iterable[str] | None = None) -> pd.DataFrame:
    """Find columns that hold personal data.

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
        non-empty values for a header finding; number of matching values among
        up to 2,000 inspected for a content finding).  No personal values are
        copied into the result.

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
    说明 | content | 2 | most values look like street addresses
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
            rows.append({"column": col, "detected_by": "header",
                         "reason": f"header suggests {reason}", "count": int(s.notna().sum())})
        for why, n in _content_reasons(_text_sample(s)):
            rows.append({"column": col, "detected_by": "content", "reason": why, "count": int(n)})
    return pd.DataFrame(rows, columns=["column", "detected_by", "reason", "count"]).astype(
        {"count": "int64"})


@dataclass
class PiiNotice:
    """What :func:`remove_pii` removed and why.

    ``str(notice)`` gives a readable paragraph; ``findings`` is the frame from
    :func:`scan_pii`.

    Examples
    --------
    >>> import pandas as pd
    >>> _, notice = remove_pii(pd.DataFrame({"a": [1]}))
    >>> notice.columns, str(notice)
    ([], 'no personal data found')
    """

    mode: str
    findings: pd.DataFrame
    source: str | None = None
    columns: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.columns)

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        if not self.columns:
            return f"{where}no personal data found"
        verb = "dropped" if self.mode == "drop" else "replaced with salted SHA-256 hashes"
        parts = []
        for col in self.columns:
            reasons = self.findings.loc[self.findings["column"] == col, "reason"]
            parts.append(f"'{col}' ({'; '.join(dict.fromkeys(reasons))})")
        return (f"{where}personal data {verb} in {len(self.columns)} column(s): "
                + ", ".join(parts))


def hash_values(values: pd.Series, salt: str | bytes) -> pd.Series:
    """Salted SHA-256 hex digests of a Series' values; missing stays missing.

    The same value and salt always give the same digest, so hashed columns can
    still be joined and counted, but not read.

    Examples
    --------
    >>> import pandas as pd
    >>> h = hash_values(pd.Series(["13812345678", None]), salt="s3cret")
    >>> len(h[0]), h[1] is None
    (64, True)
    """
    if salt is None or len(salt) == 0:
        raise ValueError("hashing needs a non-empty salt (keep it secret and out of the repository)")
    key = salt.encode("utf-8") if isinstance(salt, str) else bytes(salt)

    def one(v: object) -> object:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT:
            return None
        if isinstance(v, str) and not v.strip():
            return v  # blank stays blank
        return hashlib.sha256(key + b"\x1f" + str(v).encode("utf-8")).hexdigest()

    return pd.Series([one(v) for v in values], index=values.index, dtype=object, name=values.name)


def remove_pii(
    df: pd.DataFrame,
    mode: str = "drop",
    salt: str | bytes | None = None,
    source: str | Path | None = None,
    *,
    exclude: Iterable[str] | None = None,
) -> tuple[pd.DataFrame, PiiNotice]:
    """Drop or hash the columns :func:`scan_pii` flags.

    Parameters
    ----------
    df : DataFrame
        The input; it is not modified.
    mode : {"drop", "hash"}
        ``"drop"`` removes flagged columns; ``"hash"`` replaces each of their
        values with a salted SHA-256 hex digest (deterministic for a salt).
    salt : str or bytes, optional
        Required for ``mode="hash"``.
    source : str or Path, optional
        File name used in the notice.
    exclude : iterable of str, optional
        Columns never flagged (default: the canonical schema columns).

    Returns
    -------
    (DataFrame, PiiNotice)
        The cleaned copy and a notice of what was removed and why.  When
        anything is removed a :class:`PrivacyWarning` is also issued and the
        notice is logged on the ``jingwu.privacy`` logger.

    Examples
    --------
    >>> import pandas as pd, warnings
    >>> df = pd.DataFrame({"station_id": ["S01"], "联系电话": ["13812345678"]})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     clean, notice = remove_pii(df, source="calls.csv")
    >>> list(clean.columns)
    ['station_id']
    >>> print(notice)
    calls.csv: personal data dropped in 1 column(s): '联系电话' (header suggests phone number; values contain 11-digit mobile phone numbers)
    """
    if mode not in ("drop", "hash"):
        raise ValueError(f"mode must be 'drop' or 'hash', not {mode!r}")
    if mode == "hash" and (salt is None or len(salt) == 0):
        raise ValueError("mode='hash' needs a non-empty salt= (keep it secret and out of the repository)")
    findings = scan_pii(df, exclude=exclude)
    columns = list(dict.fromkeys(findings["column"]))
    notice = PiiNotice(mode=mode, findings=findings,
                       source=None if source is None else str(source), columns=columns)
    if not columns:
        return df.copy(), notice
    if mode == "drop":
        clean = df.drop(columns=columns)
    else:
        clean = df.copy()
        for col in columns:
            clean[col] = hash_values(df[col], salt)  # type: ignore[arg-type]
    logger.info("%s", notice)
    warnings.warn(str(notice), PrivacyWarning, stacklevel=2)
    return clean, notice


def suppress_small_cells(
    table: pd.DataFrame,
    min_count: int = 5,
    columns: Sequence[str] | None = None,
    marker: str | None = None,
    *,
    keep_zero: bool = True,
) -> pd.DataFrame:
    """Mask small counts in a table meant for publication.

    Counts ``0 < x < min_count`` (and ``0`` too when ``keep_zero=False``) are
    replaced by ``marker``; masked columns become text.  This is primary
    suppression only: if a row or column total is published next to a single
    masked cell, that cell can be recovered by subtraction, so suppress
    totals too or publish rates rounded.

    Parameters
    ----------
    table : DataFrame
        Not modified.
    min_count : int, default 5
        Smallest count shown.
    columns : sequence of str, optional
        Columns to check; default every integer-valued numeric column.
    marker : str, optional
        Replacement text; default ``"<{min_count}"``.
    keep_zero : bool, default True
        Show zeros (structural zeros are usually safe to publish).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"station": ["A", "B", "C"], "cases": [0, 3, 40]})
    >>> suppress_small_cells(t)["cases"].tolist()
    [0, '<5', 40]
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(table).__name__}")
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 1:
        raise ValueError(f"min_count must be a positive integer, not {min_count!r}")
    marker = f"<{min_count}" if marker is None else marker
    if columns is None:
        columns = []
        for c in table.columns:
            s = table[c]
            if pd.api.types.is_integer_dtype(s) and not pd.api.types.is_bool_dtype(s):
                columns.append(c)
            elif pd.api.types.is_float_dtype(s):
                v = s.dropna().to_numpy()
                if len(v) and np.all(v == np.round(v)):
                    columns.append(c)
    else:
        missing = [c for c in columns if c not in table.columns]
        if missing:
            raise ValueError(f"columns not in the table: {missing}")
    out = table.copy()
    for c in columns:
        s = pd.to_numeric(table[c], errors="raise")
        small = ((s > 0) if keep_zero else (s >= 0)) & (s < min_count)
        small = small.fillna(False).to_numpy(dtype=bool)
        if small.any():
            col = table[c].astype(object)
            col[small] = marker
            out[c] = col
    return out
