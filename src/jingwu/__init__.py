"""jingwu (警务): research notebooks for grassroots policing.

Modules load on first use, so ``import jingwu`` stays fast and a heavy
optional dependency of one method never breaks the others:

- core: ``errors`` (``DataError``), ``schema`` (the data contract), ``paths``, ``calendar``;
- data: ``io`` (read exports), ``privacy``, ``aggregate``, ``simulate``, ``datasets``;
- methods: ``forecast``, ``cluster``, ``effects``, ``allocate``;
- presentation: ``viz``, ``report``;
- studies: ``studies`` (``studies.project``: a user's own city; ``studies.m_city``:
  outcomes of the station panel and the simulator's truth; ``studies.chicago``:
  the Chicago case study, also reachable as the old ``jingwu.chicago``);
- ``cli`` (the ``jingwu`` command).

Imports point one way: core → data → methods (none imports another) →
presentation → studies → cli (``tests/test_layers.py`` enforces it).

Glossary: one spelling per concept
----------------------------------
Every function spells these the same way; an old spelling that still works
is a deprecated alias and warns (``DeprecationWarning``).

========================  ===================================================
concept                   spelling
========================  ===================================================
random seed               ``seed`` (an ``int``; same seed, same numbers)
bootstrap draws           ``n_boot``
confidence                ``alpha`` = 1 − confidence level (0.05: 95 %);
                          forecast intervals keep the forecasting ecosystem's
                          ``level`` (coverage in percent, ``level=(80, 95)``)
cluster (for SEs)         ``cluster``: the column standard errors are clustered on
cluster (a label)         the ``cluster`` column (1..k) with ``cluster_name``
station / unit id         column ``station_id``; argument ``id_col`` (forecast,
                          allocate) or ``idname`` (effects, R ``did`` style)
time                      columns ``date`` (daily) and ``month`` (Period[M]);
                          argument ``time_col`` (forecast) or ``tname`` (effects)
target / outcome          column ``count`` (demand), ``y`` (one outcome);
                          argument ``target_col`` (forecast) or ``yname`` (effects)
cohort (first treated)    column ``adoption_month`` (missing: never adopted),
                          ``cohort`` in an outcome panel; argument ``gname``
treatment (0/1)           argument ``dname`` (effects' ``twfe`` and
                          ``wild_cluster_bootstrap``; R ``did`` style)
need / officers           columns ``officers_needed`` and ``officers`` (allocate)
========================  ===================================================

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

_SUBMODULES = frozenset(
    {
        "schema",
        "errors",
        "io",
        "privacy",
        "aggregate",
        "simulate",
        "datasets",
        "calendar",
        "forecast",
        "cluster",
        "effects",
        "allocate",
        "viz",
        "report",
        "cli",
        "paths",
        "chicago",
        "studies",
    }
)


def __getattr__(name: str) -> object:
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'jingwu' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*__all__, *_SUBMODULES})
