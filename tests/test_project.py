"""A user's own city: project file, exports through the intake, checks, and truth recovery."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

import jingwu as jw
from jingwu import effects as ef
from jingwu.errors import DataError
from jingwu.studies import exports, project

SMALL = dict(
    seed=5,
    n_stations=8,
    start="2023-01-01",
    end="2023-05-31",
    cohorts=("2023-03",),
    cohort_sizes=(4,),
    cohort_scale=(1.0,),
)


@pytest.fixture(scope="module")
def small_city(tmp_path_factory):
    """A five-month, eight-station simulated bureau written as raw exports (read-only)."""
    city = jw.simulate.simulate_city(**SMALL)
    root = tmp_path_factory.mktemp("small_city")
    exports.write_exports(city, root)
    return city, root


@pytest.fixture()
def city_copy(small_city, tmp_path):
    city, root = small_city
    shutil.copytree(root, tmp_path / "city")
    return city, tmp_path / "city"


def _set_toml(root: Path, old: str, new: str) -> None:
    f = root / "jingwu.toml"
    text = f.read_text(encoding="utf-8")
    assert old in text
    f.write_text(text.replace(old, new), encoding="utf-8")


# --------------------------------------------------------------------------- init and the file


def test_init_writes_project_and_readme_and_refuses_to_overwrite(tmp_path):
    f = project.init_project(tmp_path / "y", name="Y市", language="both")
    text = f.read_text(encoding="utf-8")
    assert 'name = "Y市"' in text and 'language = "both"' in text and "[data]" in text
    readme = (tmp_path / "y" / "README.md").read_text(encoding="utf-8")
    assert "## 中文" in readme and "## English" in readme
    with pytest.raises(FileExistsError, match="already has jingwu.toml"):
        project.init_project(tmp_path / "y")
    project.init_project(tmp_path / "y", name="Z", force=True)
    assert 'name = "Z"' in f.read_text(encoding="utf-8")


def test_init_template_parses_once_the_files_exist(tmp_path):
    project.init_project(tmp_path, name="Y市")
    for name in ("接处警明细.csv", "派出所基本情况.xlsx"):
        (tmp_path / name).write_bytes(b"")
    p = project.load_project(tmp_path)
    assert p.name == "Y市" and p.language == "zh" and p.timezone == "Asia/Shanghai"
    assert sorted(p.files) == ["incidents", "stations"] and p.personal_data == "drop"


@pytest.mark.parametrize(
    "edit, message",
    [
        (('language = "zh"', 'language = "fr"'), "'language' is 'fr'"),
        (('name = "', 'colour = "red"\nname = "'), "unknown keys ['colour']"),
        (('incidents = "接处警明细.csv"', 'incidents = "missing.csv"'), "file 'missing.csv' not found"),
        (('personal_data = "drop"', 'personal_data = "keep"'), "personal_data is 'keep'"),
        (('timezone = "Asia/Shanghai"', 'timezone = "Mars/Olympus"'), "not a known time zone"),
        (("[data]", '[data]\nvictims = "x.csv"'), "unknown table 'victims'"),
        (("[options]", '[categories]\n"盗抢" = "theft"\n[options]'), "unknown codes"),
        (('name = "', 'name = "unterminated\n'), "not valid TOML"),
    ],
)
def test_bad_project_files_name_the_file_and_key(city_copy, edit, message):
    _, root = city_copy
    _set_toml(root, *edit)
    with pytest.raises(DataError, match=re.escape(message)) as err:
        project.load_project(root)
    assert "jingwu.toml" in str(err.value)


def test_missing_project_file_says_how_to_start(tmp_path):
    with pytest.raises(DataError, match="jingwu init"):
        project.load_project(tmp_path)


# --------------------------------------------------------------------------- reading a city


def test_exports_read_back_to_the_simulated_tables(small_city):
    city, root = small_city
    own = project.read_city(root)
    assert isinstance(own, jw.simulate.City) and own.truth is not None
    st = own.stations.set_index("station_id")
    sim = city.stations.set_index("station_id")
    pd.testing.assert_series_equal(st["adoption_month"], sim["adoption_month"], check_names=False)
    assert (st["officers"] == sim["officers"]).all()
    # Every incident lands in demand, zero-filled over every station and day.
    assert own.demand["count"].sum() == city.demand["count"].sum()
    days = (pd.Timestamp(SMALL["end"]) - pd.Timestamp(SMALL["start"])).days + 1
    assert own.demand.groupby(["station_id", "date"]).ngroups == SMALL["n_stations"] * days
    # Outcomes come through the Excel sheet unchanged.
    merged = own.panel.merge(city.panel, on=["station_id", "month"], suffixes=("", "_sim"))
    assert len(merged) == len(city.panel)
    for c in ("incidents", "cases", "cleared", "satisfaction_n", "satisfaction_yes"):
        assert (merged[c].fillna(-1) == merged[f"{c}_sim"].fillna(-1)).all(), c
    assert np.allclose(merged["response_minutes"], merged["response_minutes_sim"])
    assert set(own.handling_minutes.index) == set(jw.schema.CATEGORIES)
    assert any("未上线" in n for n in own.notices)
    assert any("matched to the station table's codes by exact name" in n for n in own.notices)


def test_no_personal_data_reaches_the_city_tables_or_notices(small_city):
    city, root = small_city
    own = project.read_city(root)
    raw = pd.read_csv(root / "接处警明细.csv", encoding="gbk", skiprows=1, dtype=str)
    personal = set(raw["报警人"]) | set(raw["联系电话"]) | set(raw["身份证号"]) | set(raw["案发地址"])
    text = set()
    for frame in (own.stations, own.demand, own.panel):
        for col in frame.columns:
            text |= set(frame[col].astype(str))
    assert not personal & text
    joined = "\n".join(own.notices)
    assert not [p for p in list(personal)[:2000] if p in joined]


def test_unknown_category_lists_the_toml_lines_to_add(city_copy):
    _, root = city_copy
    f = root / "接处警明细.csv"
    text = f.read_bytes().decode("gbk").replace("求助警情", "群众求助类")
    f.write_bytes(text.encode("gbk"))
    with pytest.raises(DataError) as err:
        project.read_city(root)
    msg = str(err.value)
    assert "[categories]" in msg and '"群众求助类" = "other"' in msg and "jingwu.toml" in msg
    _set_toml(root, "[options]", '[categories]\n"群众求助类" = "assistance"\n\n[options]')
    assert project.read_city(root).demand["count"].sum() > 0


def test_station_names_with_a_bureau_prefix_are_suggested_not_applied(city_copy):
    city, root = city_copy
    f = root / "接处警明细.csv"
    text = f.read_bytes().decode("gbk")
    name = city.stations["station_name"].iloc[0]
    text = text.replace(f",{name},", f",M市公安局{name},")
    f.write_bytes(text.encode("gbk"))
    with pytest.raises(DataError, match="missing from the station table") as err:
        project.read_city(root)
    assert f"'M市公安局{name}' -> '{name}' (differs by 'M市公安局')" in str(err.value)
    assert "near matches (not applied" in str(err.value)


def test_outcome_rows_outside_the_history_are_reported(city_copy):
    city, root = city_copy
    xl = root / "月度绩效.xlsx"
    frame = pd.read_excel(xl, skiprows=1, dtype=str)
    extra = frame.iloc[[0]].assign(月份="2019年1月")
    with pd.ExcelWriter(xl, engine="openpyxl") as w:
        pd.concat([frame, extra]).to_excel(w, index=False, startrow=1, sheet_name="月度绩效")
    own = project.read_city(root)
    assert any("1 row(s) of 月度绩效.xlsx lie outside the incident history" in n for n in own.notices)


def test_hash_mode_needs_a_salt_from_the_environment(city_copy, monkeypatch):
    _, root = city_copy
    _set_toml(root, 'personal_data = "drop"', 'personal_data = "hash"')
    monkeypatch.delenv(project.SALT_ENV, raising=False)
    with pytest.raises(DataError, match=project.SALT_ENV):
        project.read_city(root)


# --------------------------------------------------------------------------- validate


def test_validate_reports_facts_and_missing_pieces(city_copy):
    _, root = city_copy
    check = project.validate_project(root)
    assert check.ok, check.report()
    report = check.report()
    assert report.startswith("OK") and "8 stations" in report and "151 days" in report
    assert "1 cohort(s), 4 adopting and 4 never-adopting" in report
    _set_toml(root, 'outcomes  = "月度绩效.xlsx"', "")
    report = project.validate_project(root).report()
    assert "no outcomes export" in report


def test_validate_flags_a_too_short_history(tmp_path):
    city = jw.simulate.simulate_city(**{**SMALL, "end": "2023-02-15", "cohorts": ("2023-02",)})
    exports.write_exports(city, tmp_path)
    check = project.validate_project(tmp_path)
    assert not check.ok and any("46 days of incidents" in p for p in check.problems)


def test_cli_init_and_validate_exit_codes(tmp_path, small_city):
    run = [sys.executable, "-m", "jingwu.cli"]
    done = subprocess.run(run + ["init", str(tmp_path / "c")], capture_output=True, text=True)
    assert done.returncode == 0 and (tmp_path / "c" / "jingwu.toml").is_file()
    done = subprocess.run(run + ["init", str(tmp_path / "c")], capture_output=True, text=True)
    assert done.returncode == 2 and "already has" in done.stderr and "Traceback" not in done.stderr
    done = subprocess.run(run + ["validate", str(tmp_path / "c")], capture_output=True, text=True)
    assert done.returncode == 1 and "NOT READY" in done.stdout and "Traceback" not in done.stderr
    done = subprocess.run(run + ["validate", str(small_city[1])], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("OK")


def test_the_export_files_look_like_a_bureaus(small_city):
    _, root = small_city
    head = (root / "接处警明细.csv").read_bytes()[:4000].decode("gbk", errors="ignore").splitlines()
    assert "接处警明细" in head[0] and head[1].startswith("接警编号,所属派出所,报警时间,警情类别")
    st = pd.read_excel(root / "派出所基本情况.xlsx", header=None, dtype=str)
    assert "派出所基本情况" in st.iloc[0, 0] and "未上线" in set(st.iloc[2:, 8])


# --------------------------------------------------------------------------- truth through the intake


@pytest.fixture(scope="module")
def two_year_city(tmp_path_factory):
    """Sixteen stations, two years, two cohorts: about 165,000 incident records through the intake."""
    city = jw.simulate.simulate_city(
        seed=11,
        n_stations=16,
        start="2021-01-01",
        end="2022-12-31",
        cohorts=("2021-07", "2022-01"),
        cohort_sizes=(5, 5),
        cohort_scale=(1.2, 1.0),
    )
    root = tmp_path_factory.mktemp("two_year_city")
    exports.write_exports(city, root)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return project.read_city(root)


@pytest.mark.parametrize("outcome", list(ef.OUTCOMES))
def test_effects_recovered_through_the_intake(two_year_city, outcome):
    city = two_year_city
    data = ef.outcome_panel(city.panel, outcome, city.stations)
    truth = ef.truth_effects(city.truth.att, outcome)["att"].iloc[0]
    row = ef.compare_estimators(data).set_index("estimator").loc["cs_never"]
    assert row["ci_lower"] <= truth <= row["ci_upper"]


def test_station_types_recovered_through_the_intake(two_year_city):
    city = two_year_city
    features = jw.cluster.workload_features(city.demand, city.stations, panel=city.panel)
    X = features[jw.cluster.workload_columns(features)]
    k = len(city.truth.archetypes["archetype"].unique())
    labels = jw.cluster.fit(X, k).labels
    truth = city.truth.archetypes.set_index("station_id").reindex(X.index)["archetype"]
    assert adjusted_rand_score(truth, labels) >= 0.6


def test_read_panel_attaches_the_station_tables_adoption_month(tmp_path):
    st = tmp_path / "st.csv"
    st.write_text(
        "派出所编号,分局,辖区人口,民警,智慧警务上线时间\nS01,东区,52000,31,2022年3月\nS02,东区,38000,22,未上线\n",
        encoding="utf-8",
    )
    panel = tmp_path / "panel.csv"
    panel.write_text(
        "派出所,月份,警情数,立案数,破案数\nS01,2022年1月,120,30,12\nS02,2022年1月,98,25,11\n",
        encoding="utf-8",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = jw.io.read_panel(panel, stations=jw.io.read_stations(st))
    assert out["adoption_month"].astype(str).tolist() == ["2022-03", "NaT"]


# --------------------------------------------------------------------------- notebooks 00-04 on a user's city

IMG = re.compile(r'<img[^>]*src="data:image/png;base64,')
CITY_NOTEBOOKS = (
    "00_data_tour",
    "01_demand_forecasting",
    "02_workload_clustering",
    "03_smart_policing_effects",
    "04_staffing_allocation",
)


def _jingwu(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jingwu.cli", *map(str, args)], capture_output=True, text=True
    )


def _personal_values(root: Path) -> set[str]:
    """The synthetic personal data the export holds (names, phones, ID numbers, addresses)."""
    raw = pd.read_csv(root / "接处警明细.csv", encoding="gbk", skiprows=1, dtype=str)
    values: set[str] = set()
    for col in ("报警人", "联系电话", "身份证号", "案发地址"):
        values |= {v for v in raw[col].dropna() if len(v) >= 2}
    assert len(values) > 1000  # the test has teeth: the export really carries personal data
    return values


def _check_reports(root: Path, personal: set[str], *, stepped_aside: tuple[str, ...] = ()) -> dict:
    reports = root / "reports"
    for stem in CITY_NOTEBOOKS:
        full = (reports / f"{stem}.html").read_text(encoding="utf-8")
        prefix = stem[:2]
        saved = list((reports / "figures").glob(f"{prefix}_*.png"))
        # Every notebook shows the figures it saved; one that stepped aside saves none.
        assert bool(saved) != (prefix in stepped_aside) and len(IMG.findall(full)) == len(saved), stem
        assert (reports / f"{stem}.reader.html").is_file()
    assert (reports / "index.html").is_file()
    values = jw.report.load_values(reports / "values.json")
    assert not any(k.startswith("05.") for k in values)  # the Chicago case study is not run on a user's city
    # No cell of the exports' personal columns reaches any report file (text, tables, figures' HTML):
    # every substring of every word-character run of every file is looked up in the personal values.
    files = [f for f in reports.rglob("*") if f.is_file()]
    assert len(files) > 20
    lengths = sorted({len(p) for p in personal})
    for f in files:
        text = f.read_bytes().decode("utf-8", errors="ignore")
        text = re.sub(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+", "", text)  # embedded images and fonts
        pieces = {
            run[i : i + n]
            for run in re.findall(r"[\w\-]{2,}", text)
            for n in lengths
            if n <= len(run)
            for i in range(len(run) - n + 1)
        }
        leaked = pieces & personal
        assert not leaked, f"{f.relative_to(root)} quotes personal data from the exports"
    return values


@pytest.mark.notebook
def test_own_city_end_to_end_through_the_command_line(tmp_path):
    """init -> simulated exports dropped in -> validate -> reproduce --city --quick, as a new user would."""
    root = tmp_path / "y_city"
    done = _jingwu("init", root, "--name", "Y市")
    assert done.returncode == 0, done.stderr
    done = _jingwu(
        "simulate",
        "--as-exports",
        "--force",
        "--seed",
        3,
        "--stations",
        8,
        "--start",
        "2022-07-01",
        "--end",
        "2023-12-31",
        "--out",
        root,
    )
    assert done.returncode == 0, done.stderr
    done = _jingwu("validate", root)
    assert done.returncode == 0 and done.stdout.startswith("OK"), done.stdout
    done = _jingwu("reproduce", "--city", root, "--quick", "--quiet")
    assert done.returncode == 0, done.stderr[-3000:]
    values = _check_reports(root, _personal_values(root))
    # A simulated city has its truth: the checks against it run, through the intake.
    assert values["00.n_stations"] == 8 and "00.city_incidents_2023" in values
    assert {"02.ari_truth", "03.modern_cover_share", "03.clearance_rate.truth"} <= set(values)
    assert values["04.handling_source"] == "export"
    assert "01.chicago_best_model" not in values and "00.chicago_crimes_2019" not in values


@pytest.mark.notebook
def test_messy_own_city_runs_and_says_what_is_missing(tmp_path):
    """No outcomes file, no adoption months, unknown headers and categories mapped in jingwu.toml."""
    city = jw.simulate.simulate_city(
        seed=8,
        n_stations=8,
        start="2023-01-01",
        end="2023-12-31",
        cohorts=("2023-06",),
        cohort_sizes=(3,),
        cohort_scale=(1.0,),
    )
    root = tmp_path / "messy"
    exports.write_exports(city, root)
    shutil.rmtree(root / "truth")
    (root / "月度绩效.xlsx").unlink()
    # A bureau's own spellings: another station header and category name (GBK, title row kept).
    f = root / "接处警明细.csv"
    lines = f.read_bytes().decode("gbk").split("\n")
    lines[1] = lines[1].replace("所属派出所", "接警单位")
    f.write_bytes("\n".join(lines).replace("求助警情", "群众求助类").encode("gbk"))
    # The station table without its adoption column.
    xl = root / "派出所基本情况.xlsx"
    st = pd.read_excel(xl, skiprows=1, dtype=str)
    adoption = [c for c in st.columns if "智慧" in c or "上线" in c]
    assert adoption
    with pd.ExcelWriter(xl, engine="openpyxl") as w:
        st.drop(columns=adoption).to_excel(w, index=False, startrow=1, sheet_name="派出所基本情况")
    (root / "jingwu.toml").write_text(
        'name = "杂乱市"\nlanguage = "both"\n\n[data]\nincidents = "接处警明细.csv"\n'
        'stations = "派出所基本情况.xlsx"\n\n[headers.incidents]\n"接警单位" = "station_id"\n\n'
        '[categories]\n"群众求助类" = "assistance"\n',
        encoding="utf-8",
    )
    done = _jingwu("validate", root)
    assert done.returncode == 0, done.stdout
    assert "no outcomes export" in done.stdout and "no adoption months" in done.stdout
    done = _jingwu("reproduce", "--city", root, "--quick", "--quiet")
    assert done.returncode == 0, done.stderr[-3000:]
    values = _check_reports(root, _personal_values(root), stepped_aside=("03",))
    assert values["03.n_adopters"] == 0 and not any(k.startswith("03.clearance") for k in values)
    assert "02.ari_truth" not in values
    effects = (root / "reports" / "03_smart_policing_effects.reader.html").read_text(encoding="utf-8")
    assert "Missing: adoption months" in effects and "outcomes = " in effects and "月度绩效.xlsx" in effects
