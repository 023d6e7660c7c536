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
    nb.cells = [
        nbformat.v4.new_code_cell("QUICK = False", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("raise ValueError('boom')"),
    ]
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


def test_notebooks_00_to_04_take_a_city_and_the_case_study_does_not():
    found = {p.name[:2]: cli.takes_city(p) for p in cli.find_notebooks(jw.paths.notebooks_dir())}
    assert found == {"00": True, "01": True, "02": True, "03": True, "04": True, "05": False}


def test_reproduce_city_injects_the_project_and_skips_case_studies(tmp_path, monkeypatch, capsys):
    root = tmp_path / "y_city"
    jw.studies.init_project(root, name="Y")
    for name in ("接处警明细.csv", "派出所基本情况.xlsx"):
        (root / name).write_bytes(b"")
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    for name, params in (("00_city.ipynb", "QUICK = False\nCITY = None"), ("05_case.ipynb", "QUICK = False")):
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("import jingwu as jw\njw.report.record_value('00.city', str(CITY))"),
        ]
        nbformat.write(nb, nbdir / name)
    # reproduce points the kernels at the city's reports through the environment; undone after the test
    monkeypatch.setenv("JINGWU_REPORTS", str(tmp_path / "unused"))
    monkeypatch.delenv("JINGWU_REPORTS")
    assert cli.reproduce(quick=True, notebooks_dir=nbdir, city=root, quiet=True) == 0
    assert "skipping 05_case.ipynb" in capsys.readouterr().out
    values = jw.report.load_values(root / "reports" / "values.json")
    assert values == {"00.city": str(root.resolve())}
    assert not (root / "reports" / "05_case.html").exists() and (root / "reports" / "00_city.html").exists()


def test_reproduce_city_without_a_project_file_exits_2(tmp_path, capsys):
    assert cli.main(["reproduce", "--city", str(tmp_path), "--quick"]) == 2
    assert "jingwu init" in capsys.readouterr().err


def test_simulate_as_exports_refuses_a_too_short_window(tmp_path, capsys):
    code = cli.main(
        [
            "simulate",
            "--as-exports",
            "--out",
            str(tmp_path / "c"),
            "--stations",
            "6",
            "--start",
            "2023-01-01",
            "--end",
            "2023-02-01",
        ]
    )
    assert code == 2 and "shorter than six months" in capsys.readouterr().err
