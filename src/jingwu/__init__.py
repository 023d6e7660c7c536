"""jingwu (警务): research notebooks for grassroots policing.

Examples
--------
>>> import jingwu as jw
>>> issubclass(jw.DataError, ValueError)
True
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

from .errors import DataError

__version__ = "0.1.0"
__all__ = ["DataError", "__version__"]

# Submodules load on first use (jw.forecast, jw.effects, ...) so that
# `import jingwu` stays fast and a heavy optional dependency of one method never
# breaks the others.
_SUBMODULES = {
    "schema", "errors", "io", "privacy", "aggregate", "simulate", "datasets",
    "calendar", "forecast", "cluster", "effects", "allocate", "viz", "report",
    "cli", "paths", "chicago", "studies",
}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return import_module(f".{name}", __name__)
    raise AttributeError(f"module 'jingwu' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES)
