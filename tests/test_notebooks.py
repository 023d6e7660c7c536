"""Every notebook runs top to bottom on a fresh kernel (quick mode) and stays thin."""
import ast
import json
import re
from pathlib import Path

import nbformat
import pytest

from jingwu import cli

NB_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = cli.find_notebooks(NB_DIR)


def test_there_are_notebooks():
    assert NOTEBOOKS and NOTEBOOKS[0].name == "00_data_tour.ipynb"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_thin_and_paired(nb_path):
    nb = nbformat.read(nb_path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "QUICK" in tagged[0].source
    for c in code:
        tree = ast.parse(c.source)
        defs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda))
                and not isinstance(n, ast.Lambda)]
        assert not defs, f"{nb_path.name}: define functions in the library, not the notebook"
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert md.lstrip().startswith("# ") and "Key findings" in md and "References" in md
    # The reviewed .py twin holds the same code (jupytext percent format).
    twin = nb_path.with_suffix(".py").read_text(encoding="utf-8")
    for c in code:
        assert c.source.strip() in twin, f"{nb_path.name} and its .py twin differ; run jupytext --sync"
    assert all(not c.get("outputs") for c in code), "commit notebooks without outputs"


@pytest.mark.notebook
@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes_in_quick_mode(nb_path, tmp_path, monkeypatch):
    monkeypatch.setenv("JINGWU_REPORTS", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    cli._execute(nb_path, tmp_path, {"QUICK": True}, timeout=600)
    prefix = nb_path.name[:2]
    assert (tmp_path / f"{nb_path.stem}.html").exists()
    figures = list((tmp_path / "figures").glob(f"{prefix}_*.png"))
    assert figures, "each notebook saves its figures with its number as prefix"
    values = json.loads((tmp_path / "values.json").read_text())
    assert values and all(re.match(rf"{prefix}\.", k) for k in values)
