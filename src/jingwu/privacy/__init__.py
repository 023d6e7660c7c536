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

from ..errors import register_scrubber
from .detection import mask_text, scan_pii
from .patterns import CANONICAL_COLUMNS as CANONICAL_COLUMNS
from .patterns import MASK_TOKENS, PII_HEADERS, PrivacyWarning, is_valid_resident_id
from .patterns import _header_reason as _header_reason  # read by io's header check
from .removal import PiiNotice, apply_findings, check_salt, hash_values, make_notice, remove_pii
from .removal import logger as logger
from .suppression import suppress_small_cells

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


def _scrub_message(text: str) -> str:
    """Mask personal data in an error or warning message (see :mod:`jingwu.errors`)."""
    return str(mask_text(text)) if text else text


register_scrubber(_scrub_message)
