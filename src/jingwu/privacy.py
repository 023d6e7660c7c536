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
from typing import Any

import numpy as np
import pandas as pd

from .errors import register_scrubber
from .schema import TABLES

__all__ = [
    "PII_HEADERS",
    "PrivacyWarning",
    "PiiNotice",
    "MASK_TOKENS",
    "scan_pii",
    "apply_findings",
    "make_notice",
    "mask_text",
    "check_salt",
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
    "报案人": "complainant",
    "举报人": "informant",
    "证人": "witness",
    "肇事人": "party to the incident",
    "涉案人": "person involved in a case",
    "违法人": "offender",
    "驾驶人": "driver",
    "监护人": "guardian",
    "车主": "vehicle owner",
    "出生日期": "date of birth",
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
    "complainant": "complainant",
    "suspect": "suspect",
    "suspects": "suspect",
    "victim": "victim",
    "victims": "victim",
    "witness": "witness",
    "witnesses": "witness",
    "reporter": "reporting person",
    "informant": "informant",
    "offender": "offender",
    "perpetrator": "offender",
    "dob": "date of birth",
    "birthdate": "date of birth",
    "birthday": "date of birth",
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
# Each pattern finds the personal part *inside* a value, so a 备注 column whose
# 2,500th value holds an ID is caught, and the part can be masked in place.
# Every pattern is kept as source text and compiled twice: for Python's ``re``
# (masking, with look-arounds) and for RE2 through pyarrow (detection over a
# whole column in C++, without look-arounds), so millions of values are
# screened in a second or two.
_CJK = "\u4e00-\u9fff"
_NUM = "[0-9０-９一二三四五六七八九十百零〇]+"
_SEP = "[ \\-]?"  # exporters and typists split long numbers with spaces or dashes
_SOURCES: dict[str, tuple[str, str]] = {
    # kind: (core pattern, characters that must not touch it on either side)
    # 18-character resident ID (confirmed by its MOD 11-2 check character) and
    # the 15-digit first-generation ID (birth date in digits 7-12).
    "resident_id": (
        "\\d(?:" + _SEP + "\\d){16}" + _SEP + "[\\dXx]"
        "|[1-8]\\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])\\d{3}",
        "0-9A-Za-z",
    ),
    # Mainland mobiles, with +86 / 0086 / 86 prefixes, spaces or dashes.
    "mobile": ("(?:(?:\\+|00)?86" + _SEP + ")?1[3-9]\\d(?:" + _SEP + "\\d){8}", "0-9"),
    # Landlines with an area code: 010-62345678, (025)84561234, （0571）8888 6666,
    # +86 10 62345678, 0086-21-5555 6666, 02164445555, with an extension (转 12).
    "landline": (
        "(?:(?:\\+|00)86[ \\-]?0?[1-9]\\d{1,2}[ \\-]?|[(（]\\s*0\\d{2,3}\\s*[)）]\\s*"
        "|0\\d{2,3}[ \\-]?)\\d{3,4}[ \\-]?\\d{4}(?:\\s*(?:转|ext\\.?)\\s*\\d{1,5})?",
        "0-9",
    ),
    # Street addresses: a road and a house number (中山路12号, 人民南路四段9号),
    # a compound with a building/unit/room (幸福小区3栋2单元502室), or a bare
    # building-unit-room run (3栋2单元502).  Place names without a house
    # number (中山路街道, 鼓楼区) are not the address of a person.
    "address": (
        "["
        + _CJK
        + "A-Za-z0-9]{0,12}(?:路|街|巷|弄|大道|胡同|大街|里)["
        + _CJK
        + "]{0,4}?"
        + _NUM
        + "\\s*(?:号|弄|巷)(?:\\s*(?:院|楼)?\\s*"
        + _NUM
        + "\\s*(?:号楼|栋|幢|座|单元|室|层|楼|户|号))*"
        + "|["
        + _CJK
        + "]{1,10}(?:小区|花园|公寓|新村|家园|苑|大厦|宿舍|村|社区|广场)\\s*(?:"
        + _NUM
        + "\\s*(?:号楼|栋|幢|座|单元|室|层|楼|户|号|组)\\s*)+"
        + "|"
        + _NUM
        + "\\s*(?:栋|幢|号楼|座)\\s*"
        + _NUM
        + "\\s*单元(?:\\s*"
        + _NUM
        + "\\s*(?:室|号)?)?"
        + "|"
        + _NUM
        + "\\s*单元\\s*"
        + _NUM
        + "\\s*室",
        "",
    ),
}


def _python_re(kind: str) -> re.Pattern[str]:
    core, guard = _SOURCES[kind]
    if not guard:
        return re.compile(core)
    return re.compile(f"(?<![{guard}])(?:{core})(?![{guard}])")


def _re2(kind: str) -> str:
    core, guard = _SOURCES[kind]
    if not guard:
        return core
    return f"(?:^|[^{guard}])(?:{core})(?:[^{guard}]|$)"


_ID_RE = _python_re("resident_id")
_MOBILE_RE = _python_re("mobile")
_LANDLINE_RE = _python_re("landline")
_ADDRESS_RE = _python_re("address")
_CJK_NAME_RE = re.compile(f"^[{_CJK}]{{2,4}}$")
_PLACE_SUFFIX = re.compile(r"(?:省|市|区|县|镇|乡|村|街道|路|街|所|局|队|组|类|案|情|港|州|山|湖|江|河)$")
#: A person's annotation in a value: 张伟（男，35岁）, 李娜(女).
_PERSON_NOTE_RE = re.compile(r"[（(][^（）()]{0,20}[)）]|[，,]\s*[男女].*$")

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
_SURNAMES_2 = {
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "东方",
    "皇甫",
    "令狐",
    "慕容",
    "尉迟",
    "公孙",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "端木",
}

_NAME_SHARE = 0.5  # share of a column's values that must be bare names to flag it
_MIN_SALT_BYTES = 16

#: Words around a personal name inside free text (胡芳与邻居马平平因噪音问题发生口角,
#: 民警王强到场): a name is a surname plus one or two characters standing next
#: to one of these.
_NAME_BEFORE = (
    "与",
    "和",
    "跟",
    "同",
    "被",
    "对",
    "将",
    "把",
    "向",
    "给",
    "叫",
    "称",
    "系",
    "及",
    "报警人",
    "报案人",
    "当事人",
    "嫌疑人",
    "受害人",
    "被害人",
    "证人",
    "求助人",
    "邻居",
    "丈夫",
    "妻子",
    "老公",
    "老婆",
    "儿子",
    "女儿",
    "父亲",
    "母亲",
    "哥哥",
    "姐姐",
    "弟弟",
    "妹妹",
    "男子",
    "女子",
    "司机",
    "居民",
    "村民",
    "群众",
    "民警",
    "辅警",
    "孩子",
    "朋友",
    "同事",
    "租客",
    "房东",
    "店主",
    "老板",
    "业主",
    "患者",
    "：",
    ":",
    "、",
    "'",
    '"',
    "“",
    "‘",
    "[",
    " ",
)
_NAME_AFTER = (
    "与",
    "和",
    "跟",
    "同",
    "因",
    "称",
    "报警",
    "报案",
    "报称",
    "求助",
    "被",
    "在",
    "于",
    "驾驶",
    "骑",
    "家",
    "（",
    "(",
    "、",
    "等",
    "向",
    "对",
    "将",
    "把",
    "的",
    "发现",
    "反映",
    "打",
    "发生",
    "争吵",
    "吵架",
    "斗殴",
    "互殴",
    "之间",
    "一起",
    "说",
    "投诉",
    "表示",
    "殴打",
    "打伤",
    "盗窃",
    "到场",
    "来电",
    "来所",
    "男",
    "女",
    "，",
    ",",
    "。",
    "；",
    "'",
    '"',
    "”",
    "’",
    "]",
    " ",
)


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_SURNAME_CLASS = "".join(sorted(_SURNAMES_1))
_NAME_CORE = "(?:" + _alternation(_SURNAMES_2) + "|[" + _SURNAME_CLASS + "])[" + _CJK + "]{1,2}?"
_BEFORE_ALT = _alternation(_NAME_BEFORE)
_AFTER_ALT = _alternation(_NAME_AFTER)
#: A name with a context word on at least one side, in a narrative.  A bare
#: 2-4 character value is judged by the column rule instead (so a column of
#: 白班/夜班 is not a list of people).
_FREE_NAME_RE = re.compile(f"(?P<pre>^|{_BEFORE_ALT})(?P<name>{_NAME_CORE})(?=(?:{_AFTER_ALT})|$)")
_FREE_NAME_RE2 = f"(?:^|{_BEFORE_ALT}){_NAME_CORE}(?:{_AFTER_ALT})|(?:{_BEFORE_ALT}){_NAME_CORE}$"
_BARE_NAME_RE2 = (
    f"^(?:{_alternation(_SURNAMES_2)}|[{_SURNAME_CLASS}])[{_CJK}]{{1,3}}"
    "(?:[（(][^（）()]{0,20}[)）]|[，,]\\s*[男女].*)?$"
)

#: The masking tokens, in the order patterns are applied (IDs before phones, so
#: a mobile-like run inside an ID is never half-masked).
MASK_TOKENS: dict[str, str] = {
    "resident_id": "[身份证号]",
    "mobile": "[手机号]",
    "landline": "[电话]",
    "address": "[地址]",
    "name": "[姓名]",
}

_REASONS: dict[str, str] = {
    "resident_id": "values contain resident ID numbers (18-digit with valid check character, or 15-digit)",
    "mobile": "values contain mobile phone numbers",
    "landline": "values contain landline phone numbers",
    "address": "values contain street addresses",
    "name": "values contain personal names in free text",
    "bare_name": "most values look like Chinese personal names",
}


def is_valid_resident_id(value: str) -> bool:
    """True if ``value`` is an 18-character PRC resident ID with a valid check character.

    The check uses the ISO 7064 MOD 11-2 checksum of GB 11643-1999 and a
    plausible birth date (digits 7-14).  Spaces and dashes between digits and
    a lower-case ``x`` are accepted, as typed in exports.

    Examples
    --------
    >>> is_valid_resident_id("11010519491231002X")
    True
    >>> is_valid_resident_id("110105 19491231 002x")
    True
    >>> is_valid_resident_id("110105194912310021")
    False
    """
    v = re.sub(r"[ \-]", "", str(value).strip()).upper()
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
    v = _PERSON_NOTE_RE.sub("", v).strip()
    if not _CJK_NAME_RE.match(v) or _PLACE_SUFFIX.search(v):
        return False
    return v[0] in _SURNAMES_1 or v[:2] in _SURNAMES_2


_ID_WEIGHTS = np.array((7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), dtype=np.int64)


def _valid_ids(compact: Sequence[str]) -> np.ndarray:
    """Vectorised :func:`is_valid_resident_id` for separator-free strings (15 digits pass)."""
    out = np.zeros(len(compact), dtype=bool)
    is18 = np.array([len(c) == 18 for c in compact], dtype=bool)
    out[np.array([len(c) == 15 for c in compact], dtype=bool)] = True
    if is18.any():
        raw = "".join(c for c, k in zip(compact, is18) if k).upper().encode("ascii")
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 18).astype(np.int64) - 48
        check = "10X98765432".encode("ascii")
        want = np.frombuffer(check, dtype=np.uint8)[(b[:, :17] * _ID_WEIGHTS).sum(axis=1) % 11]
        ok = (b[:, :17] >= 0).all(axis=1) & (b[:, :17] <= 9).all(axis=1) & (want == b[:, 17] + 48)
        year = b[:, 6] * 1000 + b[:, 7] * 100 + b[:, 8] * 10 + b[:, 9]
        month = b[:, 10] * 10 + b[:, 11]
        day = b[:, 12] * 10 + b[:, 13]
        ok &= (year >= 1900) & (year <= 2100) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)
        out[is18] = ok
    return out


def _id_spans(text: str) -> list[tuple[int, int]]:
    found = list(_ID_RE.finditer(text))
    if not found:
        return []
    ok = _valid_ids([re.sub(r"[ \-]", "", m.group()) for m in found])
    return [m.span() for m, good in zip(found, ok) if good]


_KINDS = ("resident_id", "mobile", "landline", "address")


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
        return str(mask_text(pd.Series([values])).iloc[0])
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


_VERBS = {"drop": "dropped", "hash": "replaced with salted SHA-256 hashes", "mask": "masked"}


@dataclass
class PiiNotice:
    """What :func:`remove_pii` removed and why.

    ``str(notice)`` gives a readable paragraph; ``findings`` is the frame from
    :func:`scan_pii`.  With ``mode="mask"``, ``masked`` lists the free-text
    columns kept with their personal parts replaced by tokens and ``columns``
    the columns dropped (their header names personal data).

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
    masked: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.columns) or bool(self.masked)

    def _describe(self, cols: list[str]) -> str:
        parts = []
        for col in cols:
            reasons = self.findings.loc[self.findings["column"] == col, "reason"]
            parts.append(f"'{col}' ({'; '.join(dict.fromkeys(reasons))})")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        if not self:
            return f"{where}no personal data found"
        pieces = []
        if self.columns:
            verb = "dropped" if self.mode in ("drop", "mask") else _VERBS[self.mode]
            pieces.append(
                f"personal data {verb} in {len(self.columns)} column(s): " + self._describe(self.columns)
            )
        if self.masked:
            pieces.append(
                f"personal parts masked ({', '.join(MASK_TOKENS.values())}) in "
                f"{len(self.masked)} free-text column(s): " + self._describe(self.masked)
            )
        return where + "; ".join(pieces)


def check_salt(salt: object) -> bytes:
    """The salt as bytes, or ValueError if it is too weak to protect hashed values.

    A short salt can be brute-forced together with the small space of phone
    and ID numbers, so at least 16 bytes (not counting surrounding spaces)
    are required.

    Examples
    --------
    >>> len(check_salt("a-long-secret-salt-value"))
    24
    >>> check_salt("pepper")
    Traceback (most recent call last):
    ...
    ValueError: the salt is too weak: 6 bytes; use a secret of at least 16 bytes (e.g. secrets.token_hex(16)), kept out of the repository
    """
    if salt is None:
        raise ValueError(
            "hashing needs a salt: a secret of at least 16 bytes "
            "(e.g. secrets.token_hex(16)), kept out of the repository"
        )
    if not isinstance(salt, (str, bytes, bytearray)):
        raise ValueError(f"salt must be text or bytes, not {type(salt).__name__}")
    key = salt.encode("utf-8") if isinstance(salt, str) else bytes(salt)
    core = key.strip()
    if not core:
        raise ValueError(
            "the salt is empty or only whitespace; use a secret of at least 16 bytes "
            "(e.g. secrets.token_hex(16)), kept out of the repository"
        )
    if len(core) < _MIN_SALT_BYTES:
        raise ValueError(
            f"the salt is too weak: {len(core)} bytes; use a secret of at least "
            f"{_MIN_SALT_BYTES} bytes (e.g. secrets.token_hex(16)), kept out of the repository"
        )
    return key


def hash_values(values: pd.Series, salt: str | bytes) -> pd.Series:
    """Salted SHA-256 hex digests of a Series' values; missing stays missing.

    The same value and salt always give the same digest, so hashed columns can
    still be joined and counted, but not read.  Weak salts (empty, whitespace,
    under 16 bytes) are refused (:func:`check_salt`).

    Examples
    --------
    >>> import pandas as pd
    >>> h = hash_values(pd.Series(["13812345678", None]), salt="a-long-secret-salt")
    >>> len(h[0]), h[1] is None
    (64, True)
    """
    key = check_salt(salt)

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
    """Drop, hash or mask the personal data :func:`scan_pii` finds.

    Parameters
    ----------
    df : DataFrame
        The input; it is not modified.
    mode : {"drop", "hash", "mask"}
        ``"drop"`` removes flagged columns; ``"hash"`` replaces each of their
        values with a salted SHA-256 hex digest (deterministic for a salt);
        ``"mask"`` keeps free-text columns flagged only by their content, with
        the personal parts replaced by tokens (``[身份证号]``, ``[手机号]``,
        ``[电话]``, ``[地址]``, ``[姓名]``), and drops columns whose header
        names personal data (their every value is personal).
    salt : str or bytes, optional
        Required for ``mode="hash"``: a secret of at least 16 bytes.
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
    calls.csv: personal data dropped in 1 column(s): '联系电话' (header suggests phone number; values contain mobile phone numbers)
    """
    if mode not in ("drop", "hash", "mask"):
        raise ValueError(f"mode must be 'drop', 'hash' or 'mask', not {mode!r}")
    if mode == "hash":
        check_salt(salt)
    findings = scan_pii(df, exclude=exclude)
    clean = apply_findings(df, findings, mode=mode, salt=salt)
    notice = make_notice([findings], mode=mode, source=source)
    if notice:
        logger.info("%s", notice)
        warnings.warn(str(notice), PrivacyWarning, stacklevel=2)
    return clean, notice


def _flagged(findings: pd.DataFrame) -> dict[str, bool]:
    """Flagged column -> whether its header names personal data."""
    out: dict[str, bool] = {}
    for col, by in zip(findings["column"], findings["detected_by"]):
        out[col] = out.get(col, False) or by == "header"
    return out


def apply_findings(
    df: pd.DataFrame, findings: pd.DataFrame, *, mode: str, salt: str | bytes | None = None
) -> pd.DataFrame:
    """Drop, mask or hash the columns named in ``findings`` (from :func:`scan_pii`).

    Used by :func:`remove_pii`, and by readers that scan a long file chunk by
    chunk and apply what any chunk found to every chunk.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"station_id": ["S01"], "备注": ["回电13812345678"]})
    >>> apply_findings(df, scan_pii(df), mode="mask")["备注"].tolist()
    ['回电[手机号]']
    """
    flagged = {c: h for c, h in _flagged(findings).items() if c in df.columns}
    if not flagged:
        return df.copy()
    if mode == "hash":
        clean = df.copy()
        for col in flagged:
            clean[col] = hash_values(df[col], salt)  # type: ignore[arg-type]
        return clean
    drop = [c for c, h in flagged.items() if mode == "drop" or h]
    clean = df.drop(columns=drop)
    for col in flagged:
        if col not in drop:
            clean[col] = mask_text(df[col])
    return clean


def make_notice(
    findings: Sequence[pd.DataFrame], *, mode: str, source: str | Path | None = None
) -> PiiNotice:
    """One :class:`PiiNotice` from the findings of several chunks of one file (counts summed).

    Examples
    --------
    >>> import pandas as pd
    >>> f = scan_pii(pd.DataFrame({"电话": ["13812345678"]}))
    >>> print(make_notice([f, f], mode="drop", source="a.csv"))
    a.csv: personal data dropped in 1 column(s): '电话' (header suggests phone number; values contain mobile phone numbers)
    """
    frames = [f for f in findings if len(f)]
    if frames:
        allf = pd.concat(frames, ignore_index=True)
        allf = allf.groupby(["column", "detected_by", "reason"], sort=False, as_index=False)["count"].sum()
    else:
        allf = pd.DataFrame(columns=["column", "detected_by", "reason", "count"]).astype({"count": "int64"})
    flagged = _flagged(allf)
    if mode == "mask":
        columns = [c for c, h in flagged.items() if h]
        masked = [c for c, h in flagged.items() if not h]
    else:
        columns, masked = list(flagged), []
    return PiiNotice(
        mode=mode,
        findings=allf,
        source=None if source is None else str(source),
        columns=columns,
        masked=masked,
    )


def _scrub_message(text: str) -> str:
    """Mask personal data in an error or warning message (see :mod:`jingwu.errors`)."""
    return str(mask_text(text)) if text else text


register_scrubber(_scrub_message)


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
