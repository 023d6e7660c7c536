"""Canonical tables of the suite: column names, types, labels and validators.

Every other module speaks this contract.  Frames are long and tidy (one row per
unit and period), column names are English snake case, and the Chinese names
live here in the label tables (``COLUMN_LABELS``) and in :mod:`jingwu.io`'s
header map.

Never-treated stations have an empty ``adoption_month`` (``NaT``).  That is the
one place the convention is stated; :mod:`jingwu.effects` converts it to the
``0`` code used by R ``did`` at its boundary.

Examples
--------
>>> from jingwu import schema
>>> schema.CATEGORIES[:3]
('criminal', 'public_order', 'traffic')
>>> schema.label("criminal", lang="zh")
'刑事'
"""

from __future__ import annotations

from .checks import _check_column as _check_column  # io checks one column at a time
from .checks import _line_numbers as _line_numbers
from .checks import (
    add_rates,
    check_columns,
    require_columns,
    validate_demand,
    validate_incidents,
    validate_outcomes,
    validate_panel,
    validate_stations,
)
from .contract import (
    AREA_TYPES,
    CATEGORIES,
    CATEGORY_LABELS,
    COLUMN_LABELS,
    TABLES,
    Column,
    contract_table,
    label,
)
from .contract import DATE_MAX as DATE_MAX
from .contract import DATE_MIN as DATE_MIN
from .contract import KEYS as KEYS

__all__ = [
    "CATEGORIES",
    "CATEGORY_LABELS",
    "AREA_TYPES",
    "COLUMN_LABELS",
    "TABLES",
    "Column",
    "label",
    "validate_stations",
    "validate_demand",
    "validate_panel",
    "validate_outcomes",
    "validate_incidents",
    "check_columns",
    "require_columns",
    "add_rates",
    "contract_table",
]
