"""What a reader sees: frames without row numbers, missing values as "—", figures laid out again
after translation, per-notebook values replaced by a run, and no tqdm widget warning."""

from __future__ import annotations

import json
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import jingwu as jw  # noqa: E402
from jingwu import cli, report  # noqa: E402
from jingwu.report.language import _labelled_html  # noqa: E402


@pytest.fixture
def zh():
    report.set_language("zh")
    yield
    report.set_language(None)


def _index_cells(html: str) -> int:
    return html.count("<th>0</th>") + html.count("<th>11</th>")


def test_row_numbers_are_not_shown_but_a_meaningful_index_is(zh):
    plain = pd.DataFrame({"station_id": ["S01", "S02"], "att": [0.1, 0.2]})
    html = _labelled_html(plain)
    assert "S01" in html and "<tbody>\n    <tr>\n      <th>" not in html and _index_cells(html) == 0
    filtered = pd.concat([plain, plain], ignore_index=True).iloc[[1, 3]]  # index 1, 3: row numbers still
    assert "<th>1</th>" not in _labelled_html(filtered) and "<th>3</th>" not in _labelled_html(filtered)
    named = plain.set_index("station_id")
    assert "<th>S01</th>" in _labelled_html(named)
    by_k = pd.DataFrame({"att": [0.1, 0.2]}, index=pd.Index([2, 3], name="k"))
    assert "<th>2</th>" in _labelled_html(by_k)  # a named integer index means something


def test_missing_values_show_as_a_dash(zh):
    df = pd.DataFrame({"year": pd.array([2017, None], dtype="Int64"), "att": [0.5, np.nan], "d": ["a", None]})
    html = _labelled_html(df)
    assert "&lt;NA&gt;" not in html and "NaN" not in html and "None" not in html
    assert html.count("—") == 3


def test_sdsc_year_of_a_district_without_sdsc_is_missing_not_minus_one():
    chi = jw.datasets.load_chicago()
    opened = chi.adoption["adoption_month"]
    assert opened.isna().any() and (opened.dt.year == -1).any()  # the pandas quirk notebook 00 avoids
    assert (
        "year=opened.dt.year.where(opened.notna())"
        in (jw.paths.notebooks_dir() / "00_data_tour.py").read_text()
    )


def test_save_fig_lays_out_again_after_translating(tmp_path):
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.barh([0, 1], [3, 4])
    ax.set_yticks([0, 1], ["fraud", "traffic"])
    fig.tight_layout()
    before = fig.subplotpars.left
    report.save_fig(fig, "t", directory=tmp_path, lang="both")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["电诈 / Telecom fraud", "交通 / Traffic"]
    assert fig.subplotpars.left > before + 0.05  # the wider labels got room instead of leaving the figure
    plt.close(fig)


def test_clear_values_removes_only_that_notebooks_keys(tmp_path):
    f = tmp_path / "values.json"
    report.record_value("02.k_chosen", 5, path=f)
    report.record_value("02.stale", 1, path=f)
    report.record_value("020.other", 1, path=f)
    report.record_value("03.att", 0.1, path=f)
    assert report.clear_values("02.", path=f) == ["02.k_chosen", "02.stale"]
    assert report.load_values(f) == {"020.other": 1, "03.att": 0.1}
    assert report.clear_values("02", path=tmp_path / "missing.json") == []
    with pytest.raises(ValueError, match="prefix"):
        report.clear_values("", path=f)


def test_a_reproduce_run_replaces_the_notebooks_values(tmp_path, monkeypatch):
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("QUICK = False", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import jingwu as jw\njw.report.record_value('07.new', 2)"),
    ]
    nbformat.write(nb, nbdir / "07_x.ipynb")
    reports = tmp_path / "reports"
    report.record_value("07.old", 1, path=reports / "values.json")  # left by an earlier run
    report.record_value("03.kept", 3, path=reports / "values.json")
    monkeypatch.setenv("JINGWU_REPORTS", str(reports))
    assert cli.reproduce(quick=True, notebooks_dir=nbdir, quiet=True) == 0
    assert json.loads((reports / "values.json").read_text()).keys() == {"03.kept", "07.new"}


def test_kernels_ignore_the_tqdm_widget_warning():
    env = cli.kernel_env({"PATH": "/bin"})
    assert env["PYTHONWARNINGS"] == "ignore:IProgress not found"
    both = cli.kernel_env({"PYTHONWARNINGS": "error::DeprecationWarning"})
    assert both["PYTHONWARNINGS"] == "error::DeprecationWarning,ignore:IProgress not found"


def test_importing_progress_silences_tqdm_widget_warning_without_ipywidgets():
    code = (
        "import warnings, importlib.util, jingwu.progress\n"
        "warnings.warn_explicit('IProgress not found. Please update jupyter and ipywidgets.', "
        "UserWarning, 'auto.py', 21, module='tqdm.auto')\n"
        "warnings.warn_explicit('another tqdm warning', UserWarning, 'auto.py', 22, module='tqdm.auto')\n"
        "print(importlib.util.find_spec('ipywidgets') is None)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    if out.stdout.strip() == "True":  # without ipywidgets: silenced, other warnings still shown
        assert "IProgress" not in out.stderr
    assert "another tqdm warning" in out.stderr


def test_known_phrases_in_cells_follow_the_language():
    df = pd.DataFrame({"type": ["earlier vs later treated", "S01"], "weight": [0.2, 0.8]})
    assert report.labelled(df, lang="zh")["类型"].tolist() == ["早采用 vs 晚采用（对照）", "S01"]
    assert report.labelled(df, lang="en").iloc[:, 0].tolist() == ["earlier vs later treated", "S01"]


def test_level_and_model_codes_are_labelled():
    df = pd.DataFrame({"level": ["district", "city"], "model": ["theta", "snaive"]})
    out = report.labelled(df, lang="en")
    assert out.iloc[:, 0].tolist() == ["District", "City"] and out.iloc[1, 1] == "Seasonal naive"
