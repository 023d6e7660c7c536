"""Header and category maps: Chinese or English headers and category spellings to the schema."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from .. import schema
from ..errors import DataError

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "station_id": (
        "派出所",
        "所属派出所",
        "管辖单位",
        "管辖派出所",
        "辖区派出所",
        "派出所编号",
        "派出所代码",
        "单位编号",
        "单位代码",
        "所属单位",
        "station",
        "station id",
        "police station",
        "station code",
        "unique id",
    ),
    "station_name": ("派出所名称", "单位名称", "station name"),
    "district": (
        "分局",
        "所属分局",
        "区县",
        "所属区县",
        "辖区分局",
        "分局名称",
        "district",
        "district id",
        "division",
    ),
    "area_type": ("区域类型", "地区类型", "辖区类型", "area type"),
    "population": ("辖区人口", "人口", "常住人口", "实有人口", "人口数", "population", "pop"),
    "area_km2": ("面积", "辖区面积", "area", "area km2", "area km²", "area sq km"),
    "officers": (
        "民警",
        "民警人数",
        "民警数",
        "警力",
        "在编民警",
        "officers",
        "police officers",
        "sworn officers",
        "n officers",
    ),
    "auxiliaries": ("辅警", "辅警人数", "辅警数", "auxiliaries", "auxiliary officers"),
    "adoption_month": (
        "智慧警务上线时间",
        "智慧警务上线月份",
        "上线时间",
        "上线月份",
        "adoption month",
        "adoption",
        "adopted month",
    ),
    "incident_id": (
        "警情编号",
        "接警编号",
        "警情号",
        "接警单号",
        "警情单号",
        "incident id",
        "incident number",
        "incident no",
        "event id",
    ),
    "reported_at": (
        "报警时间",
        "接警时间",
        "报警日期",
        "报案时间",
        "reported at",
        "report time",
        "reported",
        "reported time",
        "call time",
    ),
    "category": (
        "警情类别",
        "警情类型",
        "类别",
        "警情分类",
        "警情性质",
        "category",
        "incident category",
        "incident type",
    ),
    "handling_minutes": ("处置时长", "处警时长", "处置用时", "handling minutes", "handling time"),
    "response_minutes": (
        "到场时间",
        "出警时长",
        "到场时长",
        "响应时长",
        "到场用时",
        "平均到场时间",
        "平均出警时长",
        "response minutes",
        "response time",
    ),
    "is_case": ("是否立案", "is case", "filed", "filed as case"),
    "cleared": ("是否破案", "破案", "破案数", "破案数量", "cleared", "cleared cases"),
    "date": ("日期", "统计日期", "date", "day"),
    "count": ("数量", "警情数", "警情数量", "count", "n"),
    "incidents": ("警情总数", "警情量", "接警数", "接警量", "incidents", "incident count"),
    "month": ("月份", "统计月份", "年月", "month", "year month"),
    "cases": ("立案数", "立案数量", "案件数", "cases"),
    "satisfaction_n": (
        "调查人数",
        "满意度调查人数",
        "受访人数",
        "调查样本数",
        "survey n",
        "respondents",
        "satisfaction n",
    ),
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


def _find_header(
    rows: list[list[Any]], user: Mapping[str, str | None], table: str | None, *, strict: bool = False
) -> Any:
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
    headers: list[str],
    user: Mapping[str, str | None],
    table: str,
    file: str,
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
                    problem = (
                        f"headers '{first}' (column {seen[name] + 1}) and '{h}' "
                        f"(column {j + 1}) both map to '{name}'"
                    )
                raise DataError(
                    f"duplicated column: {problem}",
                    file=file,
                    column=name,
                    expected="each column once; drop one or rename it with header_map={...: None}",
                )
            seen[name] = j
        targets.append(name)
        sources.append(source)
    return targets, sources
