"""Personal-data vocabulary: the header keywords, content patterns and resident-ID checks.

Shared by :mod:`jingwu.privacy.detection` (finding) and
:mod:`jingwu.privacy.removal` (dropping, hashing, masking).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np

from ..schema import TABLES


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
