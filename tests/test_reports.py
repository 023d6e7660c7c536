"""Reports people read: language switch, HTML reports with figures and a CJK web font,
estimator tables, LaTeX, and reproduce's renderings, index and progress."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from jingwu import cli, report, viz  # noqa: E402

IMG = re.compile(r'<img[^>]*src="data:image/png;base64,')


@pytest.fixture(autouse=True)
def _reset_language():
    yield
    report.set_language(None)
    viz.theme._STATE["lang"] = "en"


# --------------------------------------------------------------------------- language
def test_run_language_switches_table_headers_not_csv(tmp_path):
    t = pd.DataFrame({"category": ["fraud", "traffic"], "att": [1.25, -0.5], "ci_lower": [0.1, -1.0]})
    report.set_language("zh")
    out = report.save_table(t, "effects", prefix=3, directory=tmp_path)
    md, tex, csv = (out[f].read_text(encoding="utf-8") for f in ("md", "tex", "csv"))
    assert md.splitlines()[0].split("|")[1:4] == [" 警情类别 ", " 效应估计 ", " 95%置信区间下限 "]
    assert "电诈" in md and "Telecom" not in md
    assert "XeLaTeX" in tex.splitlines()[0] and "ctex" in tex
    assert csv.splitlines()[0] == "category,att,ci_lower"  # machines keep code names
    report.set_language("en")
    md = report.save_table(t, "effects", directory=tmp_path, formats="md")["md"].read_text()
    assert "| Category " in md and "Estimate" in md and "95% CI lower" in md
    md = report.save_table(t, "effects", directory=tmp_path, formats="md", lang=None)["md"].read_text()
    assert "| category " in md and "att" in md


def test_set_theme_sets_the_run_language():
    viz.set_theme("zh")
    assert report.current_language() == "zh"
    assert report.text("破案率", "Clearance") == "破案率"
    viz.set_theme("en")
    assert report.current_language() == "en"
    assert report.text("破案率", "Clearance") == "Clearance"
    viz.set_theme("both")
    assert report.text("破案率", "Clearance") == "破案率 / Clearance"
    assert report.labelled(pd.DataFrame({"se": [0.12345]})).columns.tolist() == ["标准误 / SE"]


def test_labelled_and_format_effect():
    df = pd.DataFrame({"area_type": ["rural"], "p_value": [0.012345]}).set_index("area_type")
    out = report.labelled(df, lang="zh")
    assert out.columns.tolist() == ["p 值"] and out.index.name == "区域类型"
    assert out.iloc[0, 0] == pytest.approx(0.012)
    assert df.columns.tolist() == ["p_value"]  # not modified
    assert report.format_effect(5.43, 3.61, 6.08, unit="pp", lang="en") == "+5.4 pp (95% CI 3.6 to 6.1)"
    assert report.format_effect(-1.234, unit="min", digits=2, lang="zh") == "-1.23 分钟"
    both = report.format_effect(5.43, 3.61, 6.08, unit="pp", lang="both")
    assert both.startswith("+5.4 个百分点") and both.endswith("(95% CI 3.6 to 6.1)")
    with pytest.raises(ValueError):
        report.text("a", "b", "fr")


def test_findings_markdown_in_each_language():
    items = [("破案率提高 5.4 个百分点。", "Clearance rose by 5.4 pp.")]
    assert report.findings(items, lang="zh").data == "- 破案率提高 5.4 个百分点。"
    assert report.findings(items, lang="en").data == "- Clearance rose by 5.4 pp."
    assert (
        report.findings(items, lang="both").data == "- 破案率提高 5.4 个百分点。<br>Clearance rose by 5.4 pp."
    )
    with pytest.raises(ValueError, match="pair"):
        report.findings(["just English"], lang="en")


def test_headings_switch_language():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 03 · Did it work?（成效评估）\n\nText（保留）"),
        nbformat.v4.new_markdown_cell("## 2. The naive number（简单前后对比）"),
        nbformat.v4.new_markdown_cell("## References"),
    ]
    report.localize_headings(nb, "zh")
    assert [c.source.splitlines()[0] for c in nb.cells] == [
        "# 03 · 成效评估",
        "## 2. 简单前后对比",
        "## 参考文献",
    ]
    assert nb.cells[0].source.endswith("Text（保留）")  # prose stays as written
    assert report.heading_text("## 2. The naive number（简单前后对比）", "en") == "## 2. The naive number"
    assert report.heading_text("## 2. The naive number（简单前后对比）", "both").endswith("（简单前后对比）")


# --------------------------------------------------------------------------- HTML
def test_web_font_is_a_small_subset_with_the_glyphs():
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    css = report.web_font_css("<p>警务 policing 派出所（测试）</p>")
    assert "unicode-range" in css and "Jingwu CJK" in css
    data = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", css).group(1))
    assert len(data) < 20_000, "subset to the characters used, not the whole 16 MB font"
    font = TTFont(io.BytesIO(data))
    cmap = font.getBestCmap()
    glyphs = font.getGlyphSet()
    for ch in "警务派出所（）":
        pen = BoundsPen(glyphs)
        glyphs[cmap[ord(ch)]].draw(pen)
        assert pen.bounds is not None, f"{ch} has no outline"
    assert ord("p") not in cmap
    assert report.web_font_css("<p>警务 policing 派出所（测试）</p>") == css  # deterministic
    assert report.web_font_css("no Chinese") == ""


def test_strip_noise_keeps_results():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="RuntimeWarning: overflow\n"),
        nbformat.v4.new_output(
            "display_data", data={"application/vnd.jupyter.widget-view+json": {}, "text/plain": "50%"}
        ),
        nbformat.v4.new_output("stream", name="stdout", text="result\n"),
    ]
    nb.cells = [cell]
    removed = report.strip_noise(nb)
    assert len(removed) == 2 and "RuntimeWarning" in removed[0]
    assert [o.get("name") for o in nb.cells[0].outputs] == ["stdout"]


_DEMO = [
    ("code", 'QUICK = False\nLANGUAGE = "both"', ["parameters"]),
    ("markdown", "# 99 · Demo report（演示报告）", []),
    (
        "code",
        "import warnings\nimport matplotlib.pyplot as plt\nimport jingwu as jw\n"
        "LANG = jw.viz.set_theme(LANGUAGE)\nprint('language', LANGUAGE, LANG)",
        [],
    ),
    ("markdown", "## 1. Figures（图）", []),
    (
        "code",
        "fig, ax = plt.subplots()\nax.plot([0, 1], [1, 0])\n"
        "ax.set_title(jw.report.text('警情', 'Incidents'))\n"
        "jw.report.save_fig(fig, 'kept_open', prefix='99')",
        [],
    ),
    (
        "code",
        "fig, ax = plt.subplots()\nax.bar([0, 1], [1, 2])\n"
        "warnings.warn('a warning that must not reach the report')\n"
        "jw.report.save_fig(fig, 'closed', prefix='99', close=True)\n"
        "jw.report.save_table(__import__('pandas').DataFrame({'att': [1.5]}), 'est', prefix='99')",
        [],
    ),
    ("code", "__import__('pandas').DataFrame({'jaccard_mean': [0.9], 'unstable': [False]})", []),
    ("markdown", "## Key findings（要点）", []),
    (
        "code",
        "jw.report.record_value('99.x', 1.5)\n"
        "jw.report.findings([(f\"效应 {jw.report.value('99.x'):.1f}\", f\"Effect {jw.report.value('99.x'):.1f}\")])",
        [],
    ),
    ("markdown", "## References", []),
]


def test_zh_run_headers_are_words_not_code_names(tmp_path):
    """Forecast, cluster and estimator columns, MultiIndex levels and yes/no cells read as words."""
    report.set_language("zh")
    acc = pd.DataFrame(
        {
            ("mase", "city"): [0.69912],
            ("coverage_80", "district"): [0.777],
            ("winkler_95", "station"): [4.4031],
        },
        index=pd.Index(["ensemble"], name="model"),
    )
    md = report.save_table(acc, "by_level", directory=tmp_path, formats=("md", "csv"))
    head = md["md"].read_text(encoding="utf-8").splitlines()[0]
    assert [c.strip() for c in head.strip("|").split("|")] == [
        "模型",
        "MASE 全市",
        "80%区间覆盖率 分局/区县",
        "95% Winkler 分数 派出所",
    ]
    assert "_" not in head and "mase" not in head
    assert md["csv"].read_text().splitlines()[0] == "model,mase city,coverage_80 district,winkler_95 station"
    stab = pd.DataFrame(
        {
            "cluster": [1, 2],
            "jaccard_mean": [0.91234, 0.5],
            "unstable": [False, True],
            "annual_incidents": [14431.2, 6840.22],
            "seasonal_amplitude": [0.10712, 0.2],
        }
    )
    text = report.save_table(stab, "stability", directory=tmp_path, formats="md")["md"].read_text(
        encoding="utf-8"
    )
    head, _, first, second = text.splitlines()[:4]
    assert "平均 Jaccard" in head and "不稳定" in head and "年均警情数" in head and "季节振幅" in head
    assert re.search(r"[a-z]_[a-z]", head) is None  # no snake_case header left
    assert "14,431" in first and "14431.000" not in first and "0.912" in first and "否" in first
    assert "是" in second
    shown = report.labelled(stab, lang="zh")  # what a notebook displays reads the same way
    assert shown["不稳定"].tolist() == ["否", "是"] and "平均 Jaccard" in shown.columns
    assert report.label_text("att_best", "zh") == "效应估计（最佳口径）"
    assert report.label_text("ci_upper_conservative", "en") == "95% CI upper, conservative dating"
    assert report.label_text("unknown_best", "zh") == "unknown_best"
    pivot = report.labelled(acc, lang="zh")
    assert pivot.columns.tolist()[0] == ("MASE", "全市") and pivot.index.name == "模型"
    html = report.language._labelled_html(acc)  # the notebook display hook set_theme installs
    assert "全市" in html and "80%区间覆盖率" in html and "0.699" in html and "0.69912" not in html
    assert ">14,431<" in report.language._labelled_html(stab)  # decimals by magnitude
    report.set_language(None)
    assert report.language._labelled_html(acc) is None  # no language: pandas' own display
    report.set_language("en")
    text = report.save_table(stab, "stability", directory=tmp_path, formats="md")["md"].read_text()
    assert "Mean Jaccard" in text and "| No " in text.replace("|  No", "| No")


def test_auto_float_format_by_magnitude():
    fmt = report.auto_float_format
    assert fmt([0.41234, 0.5])(0.41234) == "0.412"
    assert fmt([3.14159, 12.0])(3.14159) == "3.14"
    assert fmt([362.46, 200.0])(362.46) == "362.5"
    assert fmt([14431.2, 8.0])(14431.2) == "14,431"
    assert fmt([48.0, 12.0])(48.0) == "48" and fmt([12000.0])(12000.0) == "12,000"
    assert fmt([np.nan, None])(1.5) == "1.500"
    md = report.to_markdown(pd.DataFrame({"x": [1.5, 2.25]}), float_format={"x": "{:.1f}"})
    assert "1.5" in md and "2.2" in md  # explicit formats still win


def test_zh_run_figures_carry_chinese_words_in_file_metadata(tmp_path):
    """English method/notebook labels follow the run's language; the words go into the files' metadata."""
    import matplotlib.pyplot as plt
    from PIL import Image

    viz.set_theme("zh")
    fig, (a1, a2) = plt.subplots(1, 2)
    a1.plot([0, 1], [0, 1], label="truth")
    a1.plot([0, 1], [1, 0], label="cs")
    a1.legend()
    a1.set(xlabel="months since opening", ylabel="coverage_95", title=report.text("破案率", "Clearance"))
    a2.bar([0, 1], [1, 2])
    a2.set_xticks([0, 1], ["today", "S01"])
    a2.set_title("S09: units needed by hour of the week")
    out = report.save_fig(fig, "words", prefix=4, directory=tmp_path, formats=("png", "svg"), close=True)
    meta = Image.open(out["png"]).text
    assert meta["Title"] == "破案率 | S09：一周内各小时所需警力"
    assert meta["Description"].split(" | ") == ["启用后月数", "95%区间覆盖率", "真实效应", "CS"]
    assert [t.get_text() for t in a2.get_xticklabels()] == ["现状", "S01"]
    assert "<title>破案率 | S09：一周内各小时所需警力</title>" in out["svg"].read_text(encoding="utf-8")
    # an English run keeps the English words but still names codes
    viz.set_theme("en")
    fig, ax = plt.subplots()
    ax.set(xlabel="months since opening", ylabel="coverage_95")
    assert report.localize_figure(fig) == 1 and ax.get_ylabel() == "95% coverage"
    assert ax.get_xlabel() == "months since opening"
    plt.close(fig)


def test_figure_text_is_idempotent_and_leaves_unknown_text():
    for lang in ("zh", "en", "both"):
        for s in ("officers today", "coverage_80", "reallocated (255 officers move)", "S01", "2018", ""):
            once = report.figure_text(s, lang)
            assert report.figure_text(once, lang) == once
    assert report.figure_text("reallocated (255 officers move)", "zh") == "重新配置（调动 255 名民警）"
    assert report.figure_text("some free text", "zh") == "some free text"
    assert report.figure_text("officers today", None) == "officers today"


def test_effect_texts_quote_values_json(tmp_path):
    f = tmp_path / "values.json"
    report.record_value("03.clearance_rate.cs_never.att", 5.43123, path=f)
    report.record_value("03.clearance_rate.cs_never.ci_lower", 3.6111, path=f)
    report.record_value("03.clearance_rate.cs_never.ci_upper", 6.0844, path=f)
    zh, en = report.effect_texts(report.load_values(f), "03.clearance_rate.cs_never.att", unit="pp")
    assert en == "+5.4 pp (95% CI 3.6 to 6.1)" and zh == "+5.4 个百分点(95% 置信区间 3.6 至 6.1)"
    with pytest.raises(KeyError, match="not in the values"):
        report.effect_texts({"x.att": 1.0}, "x.att")


def _demo_notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    for kind, src, tags in _DEMO:
        make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        nb.cells.append(make(src, metadata={"tags": tags} if tags else {}))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "99_demo.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.notebook
def test_reproduce_writes_figures_renderings_index_in_chosen_language(tmp_path, monkeypatch, capsys):
    """Executed the way ``reproduce`` does, with MPLBACKEND=Agg in the shell as in CI."""
    monkeypatch.setenv("MPLBACKEND", "Agg")
    out = tmp_path / "reports"
    monkeypatch.setenv("JINGWU_REPORTS", str(out))
    _demo_notebook(tmp_path / "nbs")
    assert cli.reproduce(quick=True, notebooks_dir=tmp_path / "nbs", lang="zh", quiet=True) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "cell" not in captured.err  # quiet: no progress
    figures = sorted((out / "figures").glob("99_*.png"))
    assert [f.name for f in figures] == ["99_closed.png", "99_kept_open.png"]
    from PIL import Image

    assert Image.open(figures[1]).text["Title"] == "警情"  # a zh run: Chinese titles, in the file too
    full = (out / "99_demo.html").read_text(encoding="utf-8")
    reader = (out / "99_demo.reader.html").read_text(encoding="utf-8")
    assert len(IMG.findall(full)) == len(figures) == len(IMG.findall(reader))
    assert "save_fig" in full and "save_fig" not in reader  # the reader's rendering hides code
    for page in (full, reader):
        assert "UserWarning" not in page and "PosixPath" not in page
        assert "@font-face" in page and "演示报告" in page
    assert ">99 · 演示报告<" in reader or "99 · 演示报告" in reader  # zh heading
    assert "language zh zh" in full
    assert "平均 Jaccard" in reader and "jaccard_mean" not in reader  # displayed frames read as words
    log = (out / "logs" / "99_demo.log").read_text(encoding="utf-8")
    assert "must not reach the report" in log
    md = (out / "tables" / "99_est.md").read_text(encoding="utf-8")
    assert "效应估计" in md
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="99_demo.reader.html"' in index and 'href="99_demo.html"' in index
    assert "效应 1.5" in index and "Effect 1.5" not in index


def test_kernel_env_overrides_inherited_backend():
    env = cli.kernel_env({"MPLBACKEND": "Agg", "HOME": "/h"})
    assert env["MPLBACKEND"] == cli.KERNEL_MPLBACKEND and env["HOME"] == "/h"


def test_reproduce_rejects_unknown_language(tmp_path):
    with pytest.raises(ValueError, match="lang"):
        cli.reproduce(notebooks_dir=tmp_path, lang="fr")


# --------------------------------------------------------------------------- tables
def _results() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "estimator": ["twfe", "cs_never", "imputation"],
            "att": [2.959, 5.988, 4.841],
            "se": [0.613, 2.401, 0.622],
            "ci_lower": [1.72, 1.28, 3.62],
            "ci_upper": [4.19, 10.69, 6.06],
            "n_units": [48, 48, 48],
            "n_clusters": [48, 48, 48],
            "control_group": ["all", "never treated", "not yet treated"],
        }
    )


def test_etable_side_by_side_formats(tmp_path):
    tab = report.etable(_results(), model_col="estimator", lang="en", caption="Clearance (pp)")
    frame = tab.to_frame()
    assert list(frame.columns) == ["twfe", "cs_never", "imputation"]
    assert frame.loc["att", "cs_never"] == 5.988 and frame.loc["control_group", "twfe"] == "all"
    md = tab.to_markdown()
    lines = md.splitlines()
    assert lines[2].split("|")[2].strip() == "2.959" and lines[3].split("|")[2].strip() == "(0.613)"
    assert "N clusters" in md and "never treated" in md
    ci = report.etable(_results(), model_col="estimator", stat="ci", digits=2, lang="en").to_markdown()
    assert "[1.28, 10.69]" in ci
    tex = tab.to_latex()
    assert "\\toprule" in tex and "pdflatex" in tex.splitlines()[0] and "\\caption{Clearance (pp)}" in tex
    zh = report.etable(_results(), model_col="estimator", lang="zh").to_markdown()
    assert "标准误" in zh and "对照组" in zh
    out = tab.save("etable", prefix=3, directory=tmp_path)
    assert sorted(p.name for p in out.values()) == ["03_etable.csv", "03_etable.md", "03_etable.tex"]
    back = pd.read_csv(out["csv"]).set_index("statistic")
    assert float(back.loc["se", "imputation"]) == pytest.approx(0.622)


def test_etable_fills_se_or_ci_and_checks_input():
    one_row = pd.DataFrame({"att": [1.0], "se": [0.5]})
    tab = report.etable({"A": one_row, "B": {"estimate": 2.0, "ci_lower": 1.0, "ci_upper": 3.0}}, lang="en")
    f = tab.to_frame()
    assert f.loc["ci_lower", "A"] == pytest.approx(1.0 - 1.959964 * 0.5, abs=1e-5)
    assert f.loc["se", "B"] == pytest.approx(1.0 / 1.959964, abs=1e-5)
    with pytest.raises(ValueError, match="one row"):
        report.etable({"A": pd.concat([one_row, one_row])})
    with pytest.raises(ValueError, match="model_col"):
        report.etable(_results())
    with pytest.raises(ValueError, match="stat"):
        report.etable(_results(), model_col="estimator", stat="t")


def test_wide_latex_table_is_shrunk_to_the_page():
    wide = pd.DataFrame({f"a_rather_long_column_{i}": [123456.789] for i in range(10)})
    tex = report.to_latex(wide)
    assert "\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}{%" in tex
    assert "graphicx" in tex.splitlines()[0] and tex.count("\\end{tabular}}") == 1
    narrow = report.to_latex(pd.DataFrame({"a": [1.0]}))
    assert "resizebox" not in narrow


def _compile(tex_body: str, engine: str, tmp_path: Path, chinese: bool) -> subprocess.CompletedProcess:
    cls = "\\documentclass{ctexart}" if chinese else "\\documentclass{article}"
    doc = f"{cls}\n\\usepackage{{booktabs}}\n\\usepackage{{graphicx}}\n\\begin{{document}}\n{tex_body}\n\\end{{document}}\n"
    (tmp_path / "t.tex").write_text(doc, encoding="utf-8")
    return subprocess.run(
        [engine, "-interaction=nonstopmode", "-halt-on-error", "t.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("chinese", [False, True], ids=["pdflatex", "xelatex-ctex"])
def test_latex_tables_compile(tmp_path, chinese):
    engine = "xelatex" if chinese else "pdflatex"
    if shutil.which(engine) is None:
        pytest.skip(f"{engine} is not installed (LaTeX output is checked by compiling only where it is)")
    report.set_language("zh" if chinese else "en")
    wide = _results().assign(**{f"extra_{i}": np.arange(3) * 1000.5 for i in range(6)})
    body = report.to_latex(wide, lang=report.current_language(), caption="Test", label="tab:t")
    body += report.etable(_results(), model_col="estimator").to_latex()
    # a saved table as notebooks write it: MultiIndex headers, a suppression note, small counts
    counts = pd.DataFrame(
        {("cases", "2023"): [3, 120], ("clearance_rate", "2023"): [0.3333, 0.4125]},
        index=pd.Index(["S01", "S02"], name="station_id"),
    )
    saved = report.save_table(
        counts,
        "counts",
        directory=tmp_path,
        formats="tex",
        min_count=5,
        count_columns=["cases 2023"],
        caption="Saved",
        label="tab:s",
    )
    body += saved["tex"].read_text(encoding="utf-8")
    res = _compile(body, engine, tmp_path, chinese)
    if chinese and res.returncode != 0 and "ctexart.cls" in res.stdout and "not found" in res.stdout:
        pytest.skip("xelatex is installed but the ctex package is not")
    assert res.returncode == 0, res.stdout[-3000:]


def test_progress_names_cell_and_section_once_per_section():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 99 · Demo"),
        nbformat.v4.new_code_cell("a"),
        nbformat.v4.new_markdown_cell("## 1. Backtest（回测）"),
        nbformat.v4.new_code_cell("b"),
        nbformat.v4.new_code_cell("c"),
    ]
    stream = io.StringIO()  # not a terminal: one line per section, no ticker
    bar = cli._Progress("99_demo", nb, stream=stream)
    for i, cell in enumerate(nb.cells):
        bar.on_cell_start(cell=cell, cell_index=i)
    bar.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("  99_demo: cell 1/3 · 99 · Demo · 0:0")
    assert "cell 2/3 · 1. Backtest（回测）" in lines[1]
    quiet = io.StringIO()
    bar = cli._Progress("99_demo", nb, stream=quiet, enabled=False)
    bar.on_cell_start(cell=nb.cells[1], cell_index=1)
    bar.close()
    assert quiet.getvalue() == ""
