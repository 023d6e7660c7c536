"""Deprecated location of :mod:`jingwu.studies.chicago` (the Chicago case study).

``jingwu.chicago`` and ``from jingwu import chicago`` keep working: every name
is looked up in :mod:`jingwu.studies.chicago` on first use.  New code imports
``from jingwu.studies import chicago``.

Examples
--------
>>> from jingwu import chicago
>>> from jingwu.studies import chicago as moved
>>> chicago.sentiment_panel is moved.sentiment_panel
True
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    from .studies import chicago

    return getattr(chicago, name)


def __dir__() -> list[str]:
    from .studies import chicago

    return sorted(set(dir(chicago)))
