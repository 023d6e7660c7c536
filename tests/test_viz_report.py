"""Tests of jingwu.paths, jingwu.viz and jingwu.report."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from jingwu import paths, report, viz  # noqa: E402


@pytest.fixture(autouse=True)
def _clean_mpl():
    """Each test starts and ends with default rcParams, English labels and no figures."""
    with matplotlib.rc_context():
        yield
    plt.close("all")
    viz.theme._STATE["lang"] = "en"
    report.set_language(None)


@pytest.fixture
def reports(tmp_path, monkeypatch) -> Path:
    out = tmp_path / "reports"
    monkeypatch.setenv("JINGWU_REPORTS", str(out))
    return out


@pytest.fixture
def no_cjk_font(monkeypatch):
    """Pretend the machine has no font with Chinese glyphs."""
    monkeypatch.setattr(viz.theme, "_font_candidates", lambda: [])
    viz.theme._cached_cjk_font.cache_clear()
    yield
    viz.theme._cached_cjk_font.cache_clear()


# --------------------------------------------------------------------------- paths
def test_paths_root_and_env(tmp_path, monkeypatch):
    monkeypatch.delenv("JINGWU_REPORTS", raising=False)
    monkeypatch.delenv("JINGWU_DATA", raising=False)
    root = paths.project_root()
    assert (root / "pyproject.toml").is_file() and (root / "data").is_dir()
    assert paths.reports_dir() == root / "reports"
    assert paths.data_dir() == root / "data"
    monkeypatch.setenv("JINGWU_REPORTS", str(tmp_path / "r"))
    monkeypatch.setenv("JINGWU_DATA", str(tmp_path / "d"))
    assert paths.reports_dir() == tmp_path / "r"
    assert paths.figures_dir() == tmp_path / "r" / "figures"
    assert paths.tables_dir() == tmp_path / "r" / "tables"
    assert paths.values_path() == tmp_path / "r" / "values.json"
    assert paths.data_dir() == tmp_path / "d"


def test_project_root_falls_back_to_cwd(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "__file__", str(tmp_path / "site" / "jingwu" / "paths.py"))
    monkeypatch.chdir(tmp_path)
    assert paths.project_root() == tmp_path.resolve()
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "data").mkdir()
    sub = tmp_path / "notebooks"
    sub.mkdir()
    monkeypatch.chdir(sub)
    assert paths.project_root() == tmp_path.resolve()


def test_atomic_write_leaves_nothing_on_error(tmp_path):
    target = tmp_path / "out.txt"
    paths.atomic_write_text(target, "old\n")

    def broken(tmp: Path) -> None:
        tmp.write_text("partial")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        paths.atomic_write(target, broken)
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    with pytest.raises(ValueError):
        paths.atomic_write(target, "not callable")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        paths.atomic_write_text(target, b"bytes")  # type: ignore[arg-type]


def test_atomic_write_mode_and_bytes(tmp_path):
    out = paths.atomic_write_bytes(tmp_path / "sub" / "x.bin", b"\x00abc")
    assert out.read_bytes() == b"\x00abc"
    assert out.stat().st_mode & 0o044  # readable by others like a normal file (umask 022)


# --------------------------------------------------------------------------- viz
def test_cjk_font_found_with_glyph():
    font = viz.find_cjk_font()
    assert font is not None, "mplfonts should ship Noto Sans CJK SC"
    family, file = font
    assert viz.has_glyphs(file, "警务派出所")
    from matplotlib import font_manager

    found = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    assert viz.has_glyphs(found, "警")


def test_set_theme_applies():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lang = viz.set_theme("zh")
    assert lang == "zh" and viz.current_lang() == "zh"
    rc = matplotlib.rcParams
    assert rc["axes.unicode_minus"] is False
    assert rc["font.sans-serif"][0] == viz.find_cjk_font()[0]
    assert rc["font.family"] == ["sans-serif"]
    assert viz.set_theme("auto") == "both"
    assert viz.label_for("fraud") == "电诈 / Telecom fraud"
    with pytest.raises(ValueError):
        viz.set_theme("fr")


def test_no_cjk_font_warns_and_falls_back(no_cjk_font):
    assert viz.find_cjk_font() is None
    with pytest.warns(UserWarning, match="Chinese glyphs"):
        assert viz.set_theme("zh") == "en"
    assert viz.label_for("criminal") == "Criminal"
    assert "Noto Sans CJK SC" not in matplotlib.rcParams["font.sans-serif"]
    with pytest.warns(UserWarning):
        assert viz.set_theme("auto") == "en"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert viz.set_theme("en") == "en"


def test_label_for():
    assert viz.label_for("criminal", "zh") == "刑事"
    assert viz.label_for("criminal", "en") == "Criminal"
    assert viz.label_for("officers", "both") == "民警 / Officers"
    assert viz.label_for("S07", "both") == "S07"
    with pytest.raises(ValueError):
        viz.label_for("x", "de")


def _demand() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    dates = pd.date_range("2022-01-01", "2023-12-31", freq="14D")
    rows = [
        (s, d, c, int(rng.poisson(4)))
        for s in ("S01", "S02")
        for d in dates
        for c in ("criminal", "fraud", "traffic")
    ]
    return pd.DataFrame(rows, columns=["station_id", "date", "category", "count"])


def _stations() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "station_id": [f"S{i:02d}" for i in range(1, 8)],
            "district": ["A", "A", "A", "B", "B", "C", "C"],
            "area_type": ["urban_core", "urban", "rural", "fringe", "urban", "rural", "urban"],
            "officers": [40, 30, 12, 25, 28, 10, 33],
            "incidents_per_officer": [300.0, 250, 120, 280, 260, np.nan, 240],
        }
    )


def test_standard_plots_return_axes():
    viz.set_theme("zh")
    d = _demand()
    monthly = (
        d.assign(month=d["date"].dt.to_period("M"))
        .groupby(["month", "category"], as_index=False)["count"]
        .sum()
    )
    monthly["lo"], monthly["hi"] = monthly["count"] - 2, monthly["count"] + 2
    ax = viz.plot_series(monthly, "month", "count", hue="category", lower="lo", upper="hi")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["刑事", "交通", "电诈"]
    assert ax.get_ylabel() == "警情数"

    ax = viz.plot_category_mix(d)
    heights = np.array([p.get_height() for p in ax.patches]).reshape(3, -1)
    np.testing.assert_allclose(heights.sum(axis=0), 1.0)

    st = _stations()
    ax = viz.plot_station_grid(st, "incidents_per_officer")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "B", "C"]
    assert any("S06" in t.get_text() for t in ax.texts)

    dem = pd.DataFrame({"station_id": st["station_id"], "incidents": st["officers"] * 300.0})
    ax = viz.plot_staffing_vs_demand(st, dem, annotate=3)
    assert len(ax.texts) == 3
    with pytest.raises(ValueError, match="demand_col"):
        viz.plot_staffing_vs_demand(st, dem.assign(other=1.0))

    es = pd.DataFrame(
        {"e": [-1, 0, 1] * 2, "att": [0, 0.1, 0.2, 0, 0.15, 0.3], "est": ["cs"] * 3 + ["twfe"] * 3}
    )
    es["lo"], es["hi"] = es["att"] - 0.05, es["att"] + 0.05
    ax = viz.plot_coefficients(es, "att", "lo", "hi", group="est", event_time="e")
    assert len(ax.get_legend().get_texts()) == 2
    fp = pd.DataFrame(
        {"term": ["clearance_rate", "satisfaction_rate"], "b": [0.1, 0.2], "lo": [0, 0.1], "hi": [0.2, 0.3]}
    )
    ax = viz.plot_coefficients(fp, "b", "lo", "hi", term="term", lang="en")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Clearance rate", "Satisfaction"]
    with pytest.raises(ValueError, match="contain"):
        viz.plot_coefficients(fp.assign(lo=0.5), "b", "lo", "hi", term="term")
    with pytest.raises(ValueError, match="no column"):
        viz.plot_series(monthly, "month", "nope")


def test_chinese_figure_renders_without_missing_glyphs(tmp_path, caplog):
    """Drawing Chinese text must not fall back to a font without the glyphs."""
    viz.set_theme("zh")
    fig, ax = plt.subplots()
    ax.set_title("警情 派出所 破案率")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        fig.savefig(tmp_path / "zh.png")


# --------------------------------------------------------------------------- report
def test_save_fig_writes_deterministic_png(reports):
    viz.set_theme("en")
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [2, 1, 3])
    out = report.save_fig(fig, "trend", prefix=3)
    assert out == {"png": reports / "figures" / "03_trend.png"}
    first = out["png"].read_bytes()
    assert first[:8] == b"\x89PNG\r\n\x1a\n" and b"Software" not in first
    report.save_fig(ax, "03_trend", prefix="03")  # an Axes works; no double prefix
    assert out["png"].read_bytes() == first
    out = report.save_fig(fig, "trend", formats=("pdf", "svg"))
    assert set(out) == {"pdf", "svg"} and all(p.stat().st_size > 0 for p in out.values())
    with pytest.raises(ValueError):
        report.save_fig(fig, "../escape")
    with pytest.raises(ValueError):
        report.save_fig(fig, "x", formats=("gif",))
    with pytest.raises(ValueError):
        report.save_fig("not a figure", "x")


def test_save_fig_atomic_on_error(reports, monkeypatch):
    fig, ax = plt.subplots()
    report.save_fig(fig, "keep")
    before = (reports / "figures" / "keep.png").read_bytes()

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(fig, "savefig", fail)
    with pytest.raises(RuntimeError):
        report.save_fig(fig, "keep")
    assert (reports / "figures" / "keep.png").read_bytes() == before
    assert sorted(p.name for p in (reports / "figures").iterdir()) == ["keep.png"]


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "category": ["criminal", "fraud", "other"],
            "cases": [3, 120, 0],
            "cleared": [1.0, 50.0, np.nan],
            "clearance_rate": [0.3333, 0.41667, np.nan],
            "event_time": [-1, 2, 3],
        }
    )


def test_save_table_formats_and_content(reports):
    t = _table()
    original = t.copy()
    out = report.save_table(t, "clearance", prefix=3, caption="Clearance", label="tab:clr")
    assert {k: p.name for k, p in out.items()} == {
        "csv": "03_clearance.csv",
        "md": "03_clearance.md",
        "tex": "03_clearance.tex",
    }
    assert all(p.parent == reports / "tables" for p in out.values())
    pd.testing.assert_frame_equal(t, original)  # input untouched
    back = pd.read_csv(out["csv"])
    pd.testing.assert_frame_equal(back, t, check_dtype=False)
    md = out["md"].read_text(encoding="utf-8")
    assert md.splitlines()[0].startswith("| category ")
    assert "| 0.333 |" in md.replace("  ", " ") or "0.333" in md
    assert md.splitlines()[1].startswith("|:")  # text column left-aligned
    assert "Table: Clearance" in md
    tex = out["tex"].read_text(encoding="utf-8")
    for piece in (
        "\\toprule",
        "\\midrule",
        "\\bottomrule",
        "\\caption{Clearance}",
        "\\label{tab:clr}",
        "clearance\\_rate",
        "0.417",
        "$-$1",
    ):
        assert piece in tex, piece


def test_save_table_small_cell_suppression(reports):
    out = report.save_table(_table(), "supp", min_count=5, lang="zh")
    csv = out["csv"].read_text(encoding="utf-8").splitlines()
    assert csv[1] == "criminal,<5,<5,0.3333,-1"  # event_time is not a count column
    assert csv[2] == "fraud,120,50,0.41667,2"
    assert csv[3] == "other,0,,,3"  # zeros are shown
    md = out["md"].read_text(encoding="utf-8")
    assert "立案数" in md and "刑事" in md and "<5" in md and "隐去" in md
    tex = out["tex"].read_text(encoding="utf-8")
    assert "\\textless{}5" in tex and "<5" not in tex
    out = report.save_table(
        _table(), "supp2", min_count=5, count_columns=["event_time"], marker="*", formats="csv"
    )
    assert out["csv"].read_text().splitlines()[2].endswith(",*")
    with pytest.raises(ValueError, match="count_columns"):
        report.save_table(pd.DataFrame({"x": [1]}), "bad", min_count=5)
    with pytest.raises(ValueError):
        report.save_table(_table(), "bad", min_count=0)
    with pytest.raises(ValueError):
        report.save_table(_table(), "bad", formats=("xlsx",))


def test_save_table_atomic_on_error(reports):
    report.save_table(_table(), "t", formats="md")
    before = (reports / "tables" / "t.md").read_bytes()

    def bad_format(x: float) -> str:
        if x > 100:
            raise ValueError("cannot format")
        return str(x)

    with pytest.raises(ValueError):
        report.save_table(
            _table().assign(clearance_rate=[1.0, 500.0, 2.0]), "t", formats="md", float_format=bad_format
        )
    assert (reports / "tables" / "t.md").read_bytes() == before
    assert sorted(p.name for p in (reports / "tables").iterdir()) == ["t.md"]


def test_markdown_renderer_escapes_and_aligns():
    md = report.to_markdown(pd.DataFrame({"a": ["x|y"], "n": [1.23456]}), float_format=".2f")
    lines = md.splitlines()
    assert lines[1] == "|:-----|-----:|"
    assert "x\\|y" in lines[2] and "1.23" in lines[2]


def test_record_value_roundtrip_and_byte_identical(reports):
    vals = {
        "03.att": np.float64(0.0412345678),
        "00.n": np.int64(48),
        "01.flag": np.bool_(True),
        "04.list": [1.23456789, 2],
        "02.when": pd.Timestamp("2024-01-01"),
    }
    for k, v in vals.items():
        report.record_value(k, v, unit="u" if k == "03.att" else None)
    path = reports / "values.json"
    first = path.read_bytes()
    for k, v in reversed(list(vals.items())):
        report.record_value(k, v, unit="u" if k == "03.att" else None)
    assert path.read_bytes() == first
    data = json.loads(first)
    assert list(data) == sorted(data)
    assert data["03.att"] == {"unit": "u", "value": 0.0412346}
    assert report.value("00.n") == 48 and isinstance(report.value("00.n"), int)
    assert report.value("01.flag") is True
    assert report.value("04.list") == [1.23457, 2]
    assert report.load_values()["02.when"] == "2024-01-01T00:00:00"
    report.record_value("03.att", 0.5)
    assert report.value("03.att") == 0.5
    with pytest.raises(KeyError, match="did you mean"):
        report.value("03.at")
    with pytest.raises(ValueError):
        report.record_value("bad", float("nan"))
    with pytest.raises(ValueError):
        report.record_value("", 1)
    with pytest.raises(ValueError):
        report.record_value("obj", object())


def test_record_value_atomic(reports, monkeypatch):
    report.record_value("a", 1)
    before = (reports / "values.json").read_bytes()

    def fail(path, text, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(paths, "atomic_write_text", fail)
    with pytest.raises(OSError):
        report.record_value("b", 2)
    assert (reports / "values.json").read_bytes() == before
    assert report.load_values() == {"a": 1}


def test_values_missing_and_corrupt(reports):
    assert report.load_values() == {}
    with pytest.raises(KeyError, match="no values"):
        report.value("x")
    reports.mkdir(parents=True)
    (reports / "values.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        report.load_values()
