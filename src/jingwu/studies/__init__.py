"""Case studies and the user's own city: the data shaping that sits on top of the methods.

:mod:`jingwu.studies.project` reads a city project (``jingwu.toml`` naming a
bureau's exports), checks it and turns it into the same tables as the bundled
M city, so every notebook runs on it unchanged.  :mod:`jingwu.studies.m_city`
shapes the station panel into one outcome per study (and the simulator's
truth into the same units); :mod:`jingwu.studies.chicago` is the Chicago
case study (notebook 05); :mod:`jingwu.studies.exports` writes a simulated
city as raw platform exports.  ``m_city`` and ``chicago`` load on first use.

Examples
--------
>>> from jingwu import studies
>>> studies.project.PROJECT_FILE
'jingwu.toml'
"""

from __future__ import annotations

from . import project
from .project import (
    Project,
    handling_minutes_for,
    incident_records,
    init_project,
    load_city,
    load_project,
    read_city,
    validate_project,
)

__all__ = [
    "project",
    "Project",
    "init_project",
    "load_project",
    "read_city",
    "validate_project",
    "load_city",
    "incident_records",
    "handling_minutes_for",
    "m_city",
    "chicago",
]

_LAZY = frozenset({"m_city", "chicago", "exports"})


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
