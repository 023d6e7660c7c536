"""The import contract: the library's layers point one way (see the README's layout).

core → data → methods → presentation → studies → cli.  A module imports only
from its own layer or the ones before it; no method imports another method;
``viz`` and ``report`` import no method.  A method may call ``viz`` lazily,
inside a result's ``.plot()``, never at import time.  A module-level
``__getattr__`` (PEP 562) may import a later layer lazily: that is how a name
that moved up a layer (``jw.effects.outcome_panel`` -> ``jingwu.studies.m_city``)
keeps working for a release as a deprecated alias.

The few places that break the contract today are listed in ``KNOWN`` with the
reason; the test fails when a new violation appears *and* when a listed one is
gone, so the list only shrinks.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "jingwu"

LAYERS = {
    "core": {"errors", "schema", "paths", "calendar", "progress"},
    "data": {"io", "privacy", "aggregate", "simulate", "datasets"},
    "methods": {"forecast", "cluster", "effects", "allocate"},
    "presentation": {"viz", "report"},
    "studies": {"studies", "chicago"},
    "face": {"cli"},
}
ORDER = list(LAYERS)
LAYER_OF = {top: layer for layer, tops in LAYERS.items() for top in tops}

#: (importer's top-level module, imported top-level module): why it is still there.
KNOWN: dict[tuple[str, str], str] = {}


def _module_name(path: Path) -> list[str]:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _imports(path: Path) -> list[tuple[str, bool]]:
    """Top-level jingwu modules imported by ``path``, with whether the import runs at import time."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name[:-1]
    nested: set[int] = set()
    aliases: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            nested.update(id(n) for n in ast.walk(node) if n is not node)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "__getattr__":
            aliases.update(id(n) for n in ast.walk(node) if n is not node)
    found = []
    for node in ast.walk(tree):
        lazy = id(node) in nested
        targets: list[list[str]] = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                mod = base + (node.module.split(".") if node.module else [])
                if node.module is None:
                    targets = [mod + [a.name] for a in node.names]
                else:
                    targets = [mod]
            elif node.module and node.module.split(".")[0] == "jingwu":
                targets = [node.module.split(".")]
        elif isinstance(node, ast.Import):
            targets = [a.name.split(".") for a in node.names if a.name.split(".")[0] == "jingwu"]
        for t in targets:
            if len(t) > 1:
                found.append((t[1], "alias" if id(node) in aliases else lazy))
    return found


def _violations() -> set[tuple[str, str]]:
    bad = set()
    for path in sorted(SRC.rglob("*.py")):
        name = _module_name(path)
        if len(name) < 2:
            continue  # the package's lazy namespace
        me = name[1]
        if me not in LAYER_OF:
            raise AssertionError(f"module jingwu.{me} has no layer: add it to LAYERS here and in the README")
        mine = ORDER.index(LAYER_OF[me])
        for other, lazy in _imports(path):
            if other == me or other not in LAYER_OF:
                continue
            theirs = ORDER.index(LAYER_OF[other])
            both_methods = LAYER_OF[me] == LAYER_OF[other] == "methods"
            if theirs > mine and lazy and LAYER_OF[me] == "methods" and other == "viz":
                continue  # a result's .plot() draws with viz when called
            if lazy == "alias":
                continue  # a moved name served from its new layer (module-level __getattr__)
            if (
                theirs > mine
                or both_methods
                or (LAYER_OF[me] == "presentation" and LAYER_OF[other] == "methods")
            ):
                bad.add((me, other))
    return bad


def test_every_module_has_a_layer():
    tops = {
        p.stem if p.is_file() else p.name
        for p in SRC.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p.is_dir() and (p / "__init__.py").exists())
    }
    assert tops <= set(LAYER_OF), sorted(tops - set(LAYER_OF))


def test_imports_follow_the_layers():
    found = _violations()
    new = sorted(found - set(KNOWN))
    assert not new, f"imports against the layers: {new}"


def test_known_violations_are_still_real():
    gone = sorted(set(KNOWN) - _violations())
    assert not gone, f"fixed: remove {gone} from KNOWN"


@pytest.mark.parametrize("rule", [("viz", "forecast"), ("forecast", "cluster"), ("schema", "io")])
def test_the_checker_catches_what_it_should(tmp_path, monkeypatch, rule):
    me, other = rule
    fake = tmp_path / "jingwu"
    (fake / me).mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / me / "__init__.py").write_text(f"from ..{other} import something\n")
    monkeypatch.setattr(__import__(__name__), "SRC", fake)
    assert (me, other) in _violations()


def test_only_a_module_level_getattr_may_alias_a_later_layer(tmp_path, monkeypatch):
    fake = tmp_path / "jingwu"
    (fake / "effects").mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "effects" / "__init__.py").write_text(
        "def __getattr__(name):\n    from ..studies import m_city\n    return getattr(m_city, name)\n"
    )
    monkeypatch.setattr(__import__(__name__), "SRC", fake)
    assert _violations() == set()
    (fake / "effects" / "__init__.py").write_text(
        "def helper():\n    from ..studies import m_city\n    return m_city\n"
    )
    assert _violations() == {("effects", "studies")}


#: Modules split into packages or moved up or down a layer: the old import paths keep serving their names.
OLD_PATHS = {
    "jingwu.privacy": ["scan_pii", "remove_pii", "mask_text", "PiiNotice", "suppress_small_cells", "logger"],
    "jingwu.simulate": ["simulate_city", "City", "Truth", "write_city", "read_city", "simulate_incidents"],
    "jingwu.aggregate": ["daily_demand", "monthly_panel", "near_matches", "station_daily_totals"],
    "jingwu.schema": [
        "TABLES",
        "Column",
        "require_columns",
        "validate_panel",
        "contract_table",
        "_check_column",
    ],
    "jingwu.studies.project": ["Project", "OwnCity", "load_project", "read_city", "validate_project"],
    "jingwu.allocate.optimise": ["reallocate", "reallocate_need", "gini", "equity_metrics", "EquityMetrics"],
    "jingwu.studies.chicago.hierarchy": ["node_levels", "reconcile_backtest", "accuracy_by_level"],
}


@pytest.mark.parametrize("module", sorted(OLD_PATHS))
def test_old_import_paths_still_work(module):
    import importlib

    mod = importlib.import_module(module)
    missing = [n for n in OLD_PATHS[module] if not hasattr(mod, n)]
    assert not missing, f"{module} lost {missing}"
    assert all(hasattr(mod, n) for n in getattr(mod, "__all__", []))


def test_moved_names_are_the_same_objects():
    from jingwu import forecast
    from jingwu.allocate import equity, optimise
    from jingwu.studies import chicago

    assert chicago.node_levels is forecast.node_levels
    assert chicago.reconcile_backtest is forecast.levels.reconcile_backtest
    assert optimise.gini is equity.gini


MAX_LINES = 650  # "about 600": a split by concern, not a cut at an exact count


def test_no_new_module_past_the_size_limit():
    long = {
        str(p.relative_to(SRC)): n
        for p in SRC.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"split these by concern: {long}"
