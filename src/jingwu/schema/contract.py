"""The data contract: categories, labels, the columns of every table (:class:`Column`, ``TABLES``) and their keys."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: Incident categories, in display order.
CATEGORIES: tuple[str, ...] = (
    "criminal",
    "public_order",
    "traffic",
    "dispute",
    "assistance",
    "fraud",
    "other",
)

#: zh/en labels for categories.  ``all`` is used by data that only has totals
#: (for example Chicago's reported crimes).
CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "criminal": {"zh": "刑事", "en": "Criminal"},
    "public_order": {"zh": "治安", "en": "Public order"},
    "traffic": {"zh": "交通", "en": "Traffic"},
    "dispute": {"zh": "纠纷", "en": "Dispute"},
    "assistance": {"zh": "求助", "en": "Assistance"},
    "fraud": {"zh": "电诈", "en": "Telecom fraud"},
    "other": {"zh": "其他", "en": "Other"},
    "all": {"zh": "全部", "en": "All"},
}

#: Station area types (the ``area_type`` column).
AREA_TYPES: dict[str, dict[str, str]] = {
    "urban_core": {"zh": "城区核心", "en": "Urban core"},
    "urban": {"zh": "城区", "en": "Urban"},
    "fringe": {"zh": "城乡结合部", "en": "Urban-rural fringe"},
    "rural": {"zh": "农村", "en": "Rural"},
}

#: zh/en labels of every canonical column.
COLUMN_LABELS: dict[str, dict[str, str]] = {
    "station_id": {"zh": "派出所编号", "en": "Station ID"},
    "station_name": {"zh": "派出所名称", "en": "Station"},
    "district": {"zh": "分局/区县", "en": "District"},
    "area_type": {"zh": "区域类型", "en": "Area type"},
    "population": {"zh": "辖区人口", "en": "Population"},
    "area_km2": {"zh": "辖区面积(平方公里)", "en": "Area (km²)"},
    "officers": {"zh": "民警", "en": "Officers"},
    "auxiliaries": {"zh": "辅警", "en": "Auxiliaries"},
    "adoption_month": {"zh": "智慧警务上线月份", "en": "Smart-policing adoption month"},
    "incident_id": {"zh": "警情编号", "en": "Incident ID"},
    "reported_at": {"zh": "报警时间", "en": "Reported at"},
    "category": {"zh": "警情类别", "en": "Category"},
    "handling_minutes": {"zh": "处置时长(分钟)", "en": "Handling time (min)"},
    "response_minutes": {"zh": "到场时间(分钟)", "en": "Response time (min)"},
    "is_case": {"zh": "是否立案", "en": "Filed as case"},
    "cleared": {"zh": "破案", "en": "Cleared"},
    "date": {"zh": "日期", "en": "Date"},
    "count": {"zh": "警情数", "en": "Incidents"},
    "month": {"zh": "月份", "en": "Month"},
    "incidents": {"zh": "警情数", "en": "Incidents"},
    "cases": {"zh": "立案数", "en": "Cases"},
    "satisfaction_n": {"zh": "满意度调查人数", "en": "Survey respondents"},
    "satisfaction_yes": {"zh": "满意人数", "en": "Satisfied respondents"},
    "clearance_rate": {"zh": "破案率", "en": "Clearance rate"},
    "satisfaction_rate": {"zh": "群众满意度", "en": "Satisfaction"},
    "incidents_per_officer": {"zh": "人均警情", "en": "Incidents per officer"},
    "adopted": {"zh": "已上线智慧警务", "en": "Adopted smart policing"},
}


def label(key: str, lang: str = "en") -> str:
    """Return the zh or en label of a category, area type or column.

    Unknown keys come back unchanged, so labelling never fails a plot.

    Examples
    --------
    >>> label("fraud", "zh"), label("officers", "en"), label("xyz")
    ('电诈', 'Officers', 'xyz')
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    for table in (CATEGORY_LABELS, AREA_TYPES, COLUMN_LABELS):
        if key in table:
            return table[key][lang]
    return key


@dataclass(frozen=True)
class Column:
    """One column of a canonical table.

    ``kind`` is one of ``"str"``, ``"int"`` (non-negative integer counts),
    ``"float"``, ``"date"``, ``"datetime"``, ``"month"``, ``"bool"`` or
    ``"category"``.  ``nullable`` columns may hold missing values.
    """

    name: str
    kind: str
    required: bool = True
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None


TABLES: dict[str, tuple[Column, ...]] = {
    "stations": (
        Column("station_id", "str"),
        Column("station_name", "str", required=False, nullable=True),
        Column("district", "str"),
        Column("area_type", "str", required=False, nullable=True),
        # Population and staffing are optional: public data (e.g. Chicago) often
        # lacks them; the staffing and per-officer functions check for them.
        Column("population", "int", required=False, nullable=True, minimum=0),
        Column("area_km2", "float", required=False, nullable=True, minimum=0),
        Column("officers", "int", required=False, nullable=True, minimum=0),
        Column("auxiliaries", "int", required=False, nullable=True, minimum=0),
        Column("adoption_month", "month", required=False, nullable=True),
    ),
    "incidents": (
        Column("incident_id", "str"),
        Column("station_id", "str"),
        Column("reported_at", "datetime"),
        Column("category", "category"),
        Column("handling_minutes", "float", required=False, nullable=True, minimum=0),
        Column("response_minutes", "float", required=False, nullable=True, minimum=0),
        Column("is_case", "bool", required=False, nullable=True),
        Column("cleared", "bool", required=False, nullable=True),
    ),
    "demand": (
        Column("station_id", "str"),
        Column("date", "date"),
        Column("category", "category"),
        Column("count", "int", minimum=0),
    ),
    "panel": (
        Column("station_id", "str"),
        Column("month", "month"),
        Column("incidents", "int", minimum=0),
        Column("cases", "int", required=False, nullable=True, minimum=0),
        Column("cleared", "int", required=False, nullable=True, minimum=0),
        Column("satisfaction_n", "int", required=False, nullable=True, minimum=0),
        Column("satisfaction_yes", "int", required=False, nullable=True, minimum=0),
        Column("response_minutes", "float", required=False, nullable=True, minimum=0),
        Column("officers", "int", required=False, nullable=True, minimum=0),
        Column("adoption_month", "month", required=False, nullable=True),
    ),
    # Monthly performance figures of a bureau (月度绩效): the outcomes of the
    # effects study; incident counts come from the incident records instead.
    "outcomes": (
        Column("station_id", "str"),
        Column("month", "month"),
        Column("incidents", "int", required=False, nullable=True, minimum=0),
        Column("cases", "int", required=False, nullable=True, minimum=0),
        Column("cleared", "int", required=False, nullable=True, minimum=0),
        Column("satisfaction_n", "int", required=False, nullable=True, minimum=0),
        Column("satisfaction_yes", "int", required=False, nullable=True, minimum=0),
        Column("response_minutes", "float", required=False, nullable=True, minimum=0),
    ),
}

#: Keys that identify one row of each table.
KEYS: dict[str, tuple[str, ...]] = {
    "stations": ("station_id",),
    "incidents": ("incident_id",),
    "demand": ("station_id", "date", "category"),
    "panel": ("station_id", "month"),
    "outcomes": ("station_id", "month"),
}

#: Earliest and latest dates accepted anywhere (catches 1900 and Excel serials).
DATE_MIN = pd.Timestamp("1990-01-01")
DATE_MAX = pd.Timestamp("2100-12-31")


def contract_table(lang: str = "en") -> pd.DataFrame:
    """The data contract as one tidy table (for the data tour and the docs).

    Examples
    --------
    >>> t = contract_table()
    >>> t.loc[t["column"] == "count", ["table", "kind", "required"]].values.tolist()
    [['demand', 'int', True]]
    """
    rows = []
    for table, cols in TABLES.items():
        for c in cols:
            rows.append(
                {
                    "table": table,
                    "column": c.name,
                    "kind": c.kind,
                    "required": c.required,
                    "label_zh": label(c.name, "zh"),
                    "label_en": label(c.name, "en"),
                    "key": c.name in KEYS[table],
                }
            )
    return pd.DataFrame(rows)
