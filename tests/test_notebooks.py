"""Every notebook runs top to bottom on a fresh kernel (quick mode) and stays thin;
its reports hold every figure it saved."""

import ast
import json
import re
from pathlib import Path

import nbformat
import pytest

from jingwu import cli

NB_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = cli.find_notebooks(NB_DIR)
IMG = re.compile(r'<img[^>]*src="data:image/png;base64,')


def test_there_are_notebooks():
    assert NOTEBOOKS and NOTEBOOKS[0].name == "00_data_tour.ipynb"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_thin_and_paired(nb_path):
    nb = nbformat.read(nb_path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "QUICK" in tagged[0].source
    # The language comes from the parameters cell and reaches figures and tables.
    assert re.search(r'^LANGUAGE = "(zh|en|both)"', tagged[0].source, flags=re.M)
    assert any("set_theme(LANGUAGE)" in c.source for c in code)
    for c in code:
        tree = ast.parse(c.source)
        defs = [
            n
            for n in ast.walk(tree)
            if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda)) and not isinstance(n, ast.Lambda)
        ]
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
    # A shell or CI often sets a non-interactive backend; the reports must still hold the figures.
    monkeypatch.setenv("MPLBACKEND", "Agg")
    cli._execute(nb_path, tmp_path, {"QUICK": True, "LANGUAGE": "both"}, timeout=600, lang="both")
    prefix = nb_path.name[:2]
    figures = list((tmp_path / "figures").glob(f"{prefix}_*.png"))
    assert figures, "each notebook saves its figures with its number as prefix"
    full = (tmp_path / f"{nb_path.stem}.html").read_text(encoding="utf-8")
    reader = (tmp_path / f"{nb_path.stem}.reader.html").read_text(encoding="utf-8")
    # Every saved figure is shown, and only saved figures are shown.
    assert len(IMG.findall(full)) == len(figures), "figures shown in the report != figures saved"
    assert len(IMG.findall(reader)) == len(figures)
    for page in (full, reader):
        assert "@font-face" in page  # Chinese renders without a CJK font on the reader's machine
    nb = nbformat.read(tmp_path / "notebooks" / nb_path.name, as_version=4)
    for c in nb.cells:  # a cell ending in save_fig/save_table must not print machine paths
        for o in c.get("outputs", []):
            assert "PosixPath(" not in str(o.get("data", {}).get("text/plain", ""))
    values = json.loads((tmp_path / "values.json").read_text())
    assert values and all(re.match(rf"{prefix}\.", k) for k in values)
    # Key findings render numbers, not key names.
    assert _findings(nb) and not re.search(rf"\b{prefix}\.[a-z_]+\b", _findings(nb))


def _findings(nb) -> str:
    from jingwu import report

    return report.key_findings_html(nb)


@pytest.mark.notebook
def test_chinese_run_has_chinese_headings_and_table_headers(tmp_path, monkeypatch):
    monkeypatch.setenv("JINGWU_REPORTS", str(tmp_path))
    nb_path = NOTEBOOKS[0]
    cli._execute(nb_path, tmp_path, {"QUICK": True, "LANGUAGE": "zh"}, timeout=600, lang="zh")
    reader = (tmp_path / f"{nb_path.stem}.reader.html").read_text(encoding="utf-8")
    assert "00 · 数据导览" in reader and "Data tour" not in reader.split("<body")[1][:5000]
    md = (tmp_path / "tables" / "00_station_types.md").read_text(encoding="utf-8")
    assert "派出所数" in md and "incidents_2024" not in md
    nb = nbformat.read(tmp_path / "notebooks" / nb_path.name, as_version=4)
    findings = _findings(nb)
    assert "派出所" in findings and "stations in" not in findings
