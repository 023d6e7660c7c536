"""The jingwu command: simulate, validate, reproduce argument handling."""
import nbformat
import pytest

import jingwu as jw
from jingwu import cli


def test_simulate_writes_a_loadable_city(tmp_path, capsys):
    out = tmp_path / "city"
    assert cli.main(["simulate", "--seed", "7", "--out", str(out)]) == 0
    assert "sha256" in capsys.readouterr().out
    city = jw.datasets.load_m_city(path=out)
    assert city.truth.params["seed"] == 7
    assert len(city.stations) == 48


def test_validate_reports_ok_and_errors(tmp_path, capsys):
    good = jw.datasets.write_example_export(tmp_path / "e.csv", end="2024-03-02")
    assert cli.main(["validate", str(good)]) == 0
    assert "valid incidents table" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("station_id,date,category,count\nS01,2024-01-01,fraud,-2\n", encoding="utf-8")
    assert cli.main(["validate", str(bad), "--table", "demand"]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and "count" in err


def test_failing_cell_is_named(tmp_path, monkeypatch, capsys):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("QUICK = False", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_code_cell("raise ValueError('boom')")]
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    nbformat.write(nb, nbdir / "00_fail.ipynb")
    monkeypatch.setenv("JINGWU_REPORTS", str(tmp_path / "reports"))
    assert cli.reproduce(quick=True, notebooks_dir=nbdir) == 1
    err = capsys.readouterr().err
    assert "00_fail.ipynb: cell 3 failed" in err and "ValueError: boom" in err


def test_inject_parameters_needs_a_tagged_cell():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("QUICK = False")]
    with pytest.raises(ValueError, match="parameters"):
        cli.inject_parameters(nb, {"QUICK": True})
