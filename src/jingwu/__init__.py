"""jingwu (警务): research notebooks for grassroots policing.

Modules load on first use, so ``import jingwu`` stays fast and a heavy
optional dependency of one method never breaks the others:

- core: ``errors`` (``DataError``), ``schema`` (the data contract), ``paths``, ``calendar``;
- data: ``io`` (read exports), ``privacy``, ``aggregate``, ``simulate``, ``datasets``;
- methods: ``forecast``, ``cluster``, ``effects``, ``allocate``;
- presentation: ``viz``, ``report``;
- studies: ``studies`` (a user's own city project), ``chicago``;
- ``cli`` (the ``jingwu`` command).

Examples
--------
>>> import jingwu as jw
>>> issubclass(jw.DataError, ValueError)
True
>>> "effects" in dir(jw) and "import_module" not in dir(jw)
True
"""
from __future__ import annotations

from .errors import DataError

__version__ = "0.1.0"
__all__ = ["DataError", "__version__"]

_SUBMODULES = frozenset({
    "schema", "errors", "io", "privacy", "aggregate", "simulate", "datasets",
    "calendar", "forecast", "cluster", "effects", "allocate", "viz", "report",
    "cli", "paths", "chicago", "studies",
})


def __getattr__(name: str) -> object:
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'jingwu' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*__all__, *_SUBMODULES})
