"""A user's own city: the project file ``jingwu.toml``, its exports, and their checks.

A police-college researcher keeps a folder with the bureau's exports and one
project file naming them::

    name = "Y市"
    language = "zh"                      # zh | en | both
    [data]
    incidents = "接处警明细.csv"           # incident records export (required)
    stations  = "派出所基本情况.xlsx"       # station table (required)
    outcomes  = "月度绩效.xlsx"            # optional: monthly cases, cleared, surveys, response time

:func:`init_project` writes such a folder's ``jingwu.toml`` and ``README.md``,
:func:`load_project` reads the file, :func:`read_city` turns the exports into
the same tables as the bundled M city (a :class:`OwnCity`, so every notebook
runs on it unchanged), and :func:`validate_project` checks everything at once
for ``jingwu validate DIR``.  Personal data is removed by :mod:`jingwu.io` as
the exports are read; nothing here quotes a cell of an export.

Examples
--------
>>> import tempfile
>>> from jingwu.studies import project
>>> with tempfile.TemporaryDirectory() as d:
...     _ = project.init_project(d, name="Y市")
...     check = project.validate_project(d)   # the exports are not in the folder yet
...     check.ok, "接处警明细.csv" in check.problems[0]
(False, True)
"""

from __future__ import annotations

import os
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import aggregate, io, schema
from ..errors import DataError
from ..paths import atomic_write_text
from ..simulate import City, Truth, read_truth

__all__ = [
    "PROJECT_FILE",
    "LANGUAGES",
    "TABLES",
    "ExportFile",
    "Project",
    "OwnCity",
    "ProjectCheck",
    "init_project",
    "load_project",
    "read_city",
    "validate_project",
    "load_city",
    "incident_records",
    "handling_minutes_for",
    "SALT_ENV",
]

#: Name of the project file in a city folder.
PROJECT_FILE = "jingwu.toml"
#: Report languages.
LANGUAGES = ("zh", "en", "both")
#: Export tables a project names, and whether each is required.
TABLES = {"incidents": True, "stations": True, "outcomes": False}
#: Environment variable holding the secret salt for ``personal_data = "hash"``
#: (a salt never belongs in a project file that may be shared).
SALT_ENV = "JINGWU_SALT"
#: Shortest incident history that supports a forecast backtest (days).
MIN_FORECAST_DAYS = 120

_TOP_KEYS = {"name", "language", "data", "headers", "categories", "options", "truth"}
_OPTION_KEYS = {"timezone", "personal_data", "sheets"}

_TEMPLATE = """\
# jingwu 项目文件 / jingwu project file
# 把本局导出的文件放进本文件夹，在下面写上文件名，然后运行：
# Put your bureau's exports in this folder, name them below, then run:
#     jingwu validate {folder}
#     jingwu reproduce --city {folder} --quick
# 路径相对于本文件夹。Paths are relative to this folder.

name = "{name}"
language = "{language}"                  # zh | en | both: 报告语言 / report language

[data]
incidents = "接处警明细.csv"             # 接处警明细（必需）: incident records, one row per 警情 (required)
stations  = "派出所基本情况.xlsx"         # 派出所基本情况（必需）: station table (required)
# outcomes = "月度绩效.xlsx"             # 月度绩效（可选）: monthly 立案数/破案数/满意度调查 (optional)

# 表头对照（可选）：jingwu 认不出的列名 = 标准列名；写 "" 表示忽略该列。
# Optional header maps per file: "your header" = "canonical column"; "" ignores the column.
# [headers.incidents]
# "接警单位" = "station_id"
# "备注" = ""

# 警情类别对照（可选）：本局类别名 = 标准类别
# (criminal, public_order, traffic, dispute, assistance, fraud, other)。
# Optional category map: "your category" = code.
# [categories]
# "盗窃警情" = "criminal"

[options]
timezone = "Asia/Shanghai"               # 本局所在时区 / the bureau's local time zone
personal_data = "drop"                   # drop 删除个人信息列 | mask 保留文字、遮盖个人信息 | hash 加盐散列 (salt in ${salt_env})
# [options.sheets]                       # Excel 工作表名 / which sheet to read
# stations = "Sheet1"
"""

_README = """\
# {name}：jingwu 城市项目 / jingwu city project

## 中文

1. 把以下导出文件放进本文件夹，并在 `jingwu.toml` 的 `[data]` 中写上文件名：
   - **接处警明细**（必需）：每条警情一行，至少有 警情编号、派出所（编号或名称）、报警时间、警情类别；
     有 处警时长、到场时间、是否立案、是否破案 更好。
   - **派出所基本情况**（必需）：每个派出所一行，有 派出所编号/名称、所属分局、辖区人口、民警人数；
     辅警人数、辖区面积、智慧警务上线时间（如 2022年3月；未上线可写“未上线”）可选。
   - **月度绩效**（可选）：每个派出所每月一行，有 立案数、破案数、满意度调查人数、满意人数、平均到场时间。
     没有它，评估智慧警务效果的笔记本只说明缺什么。
2. 运行 `jingwu validate .` 检查文件及其相互对应；按提示修改 `jingwu.toml`（表头、类别对照）。
3. 运行 `jingwu reproduce --city . --quick`（试跑）或 `jingwu reproduce --city .`（完整），
   报告写入 `reports/`。

姓名、身份证号、电话、地址等个人信息在读入时即被删除（或加盐散列），不会出现在报告里；
原始文件不会被修改。

## English

1. Put these exports in this folder and name them under `[data]` in `jingwu.toml`:
   - **incident records** (required): one row per incident with incident id, station (code or name),
     report time and category; handling time, response time, filed/cleared flags help.
   - **station table** (required): one row per station with station id/name, district, population,
     officers; auxiliaries, area and the smart-policing adoption month (e.g. 2022-03, or 未上线) optional.
   - **monthly outcomes** (optional): one row per station and month with cases, cleared, survey
     respondents, satisfied respondents, mean response time. Without it the effects notebook says
     what is missing.
2. Run `jingwu validate .` to check the files and how they join; add header or category maps to
   `jingwu.toml` as it suggests.
3. Run `jingwu reproduce --city . --quick` (a trial) or `jingwu reproduce --city .` (full);
   reports go to `reports/`.

Names, ID numbers, phone numbers and addresses are removed (or salted-hashed) as the exports are
read, so they never reach a report; your files are never modified.
"""


@dataclass(frozen=True)
class ExportFile:
    """One export a project names, with how to read it.

    Attributes
    ----------
    table : str
        ``incidents``, ``stations`` or ``outcomes``.
    path : Path
        Absolute path of the file.
    header_map : dict
        ``{"your header": "canonical column" or None}`` for :mod:`jingwu.io`.
    sheet : int or str
        Excel sheet to read.
    """

    table: str
    path: Path
    header_map: dict[str, str | None] = field(default_factory=dict)
    sheet: int | str = 0


@dataclass(frozen=True)
class Project:
    """A city project: the folder, its ``jingwu.toml`` and the exports it names.

    Attributes
    ----------
    root : Path
        The project folder.
    name, language : str
        City name and report language (``zh``, ``en`` or ``both``).
    files : dict of str to ExportFile
        The exports, by table (``incidents``, ``stations``, ``outcomes``).
    category_map : dict
        Extra category spellings → category codes.
    timezone : str
        The bureau's local time zone.
    personal_data : str
        ``drop`` (personal columns dropped, free text masked), ``mask`` (free
        text kept with its personal parts masked) or ``hash``.
    truth_dir : Path or None
        Ground truth of a simulated city (``jingwu simulate --as-exports``).
    """

    root: Path
    name: str
    language: str = "zh"
    files: dict[str, ExportFile] = field(default_factory=dict)
    category_map: dict[str, str] = field(default_factory=dict)
    timezone: str = "Asia/Shanghai"
    personal_data: str = "drop"
    truth_dir: Path | None = None

    @property
    def project_file(self) -> Path:
        """Path of ``jingwu.toml``."""
        return self.root / PROJECT_FILE

    @property
    def reports_dir(self) -> Path:
        """Where ``jingwu reproduce --city`` writes by default (``<root>/reports``)."""
        return self.root / "reports"


@dataclass(repr=False)
class OwnCity(City):
    """A user's city in the suite's tables, read from its exports.

    Has every attribute of :class:`jingwu.simulate.City` (``stations``,
    ``demand``, ``panel``, ``truth`` (``None`` unless the city was simulated),
    ``name``), so notebooks treat it like M city, plus:

    Attributes
    ----------
    handling_minutes : Series
        Mean handling time per incident category from the export's own
        处警时长 (empty when the export has none).
    notices : list of str
        What intake did on the way (columns dropped as personal data,
        spellings read as never adopted, outcome rows outside the incident
        history …).  Never quotes a cell.
    project : Project
        The project it was read from.
    incidents : DataFrame or None
        The incident records as intake returned them (personal data already
        removed, report times in local time); they give the hour-of-week
        profile of staffing its real shape.
    """

    handling_minutes: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    notices: list[str] = field(default_factory=list)
    project: Project | None = None
    incidents: pd.DataFrame | None = None

    def __repr__(self) -> str:
        return "<OwnCity" + City.__repr__(self)[len("<City") :]


# ---------------------------------------------------------------------------
# The project file
# ---------------------------------------------------------------------------


def init_project(
    directory: str | Path, *, name: str | None = None, language: str = "zh", force: bool = False
) -> Path:
    """Write a commented ``jingwu.toml`` and a short bilingual ``README.md`` into ``directory``.

    Parameters
    ----------
    directory : str or Path
        The city folder (created if missing).
    name : str, optional
        City name (default: the folder's name).
    language : {"zh", "en", "both"}
        Report language.
    force : bool
        Overwrite an existing ``jingwu.toml``/``README.md`` (otherwise refused).

    Returns
    -------
    Path
        The project file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     f = init_project(pathlib.Path(d) / "y_city", name="Y市")
    ...     "incidents" in f.read_text(encoding="utf-8")
    True
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    root = Path(directory).expanduser()
    if root.exists() and not root.is_dir():
        raise ValueError(f"{root} exists and is not a folder")
    name = name or root.resolve().name
    if '"' in name or "\n" in name:
        raise ValueError("the city name may not contain quotes or line breaks")
    targets = {
        PROJECT_FILE: _TEMPLATE.format(name=name, language=language, folder=root, salt_env=SALT_ENV),
        "README.md": _README.format(name=name),
    }
    existing = [f for f in targets if (root / f).exists()]
    if existing and not force:
        raise FileExistsError(
            f"{root} already has {', '.join(existing)}; keep it, or pass force=True (--force) to overwrite"
        )
    root.mkdir(parents=True, exist_ok=True)
    for fname, text in targets.items():
        atomic_write_text(root / fname, text)
    return root / PROJECT_FILE


def _problem(file: Path, problem: str, expected: str | None = None) -> DataError:
    return DataError(problem, file=file, expected=expected)


def _table_of(data: dict, key: str, file: Path) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise _problem(file, f"'{key}' must be a table ([{key}])")
    return value


def load_project(path: str | Path) -> Project:
    """Read a city project: a folder with ``jingwu.toml``, or the file itself.

    Every key is checked; a missing file, an unknown key or a bad value is a
    :class:`DataError` naming ``jingwu.toml`` and the key.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     d = pathlib.Path(d)
    ...     _ = (d / "jq.csv").write_text("x")
    ...     _ = (d / "st.csv").write_text("x")
    ...     _ = (d / "jingwu.toml").write_text(
    ...         'name = "Y"\\n[data]\\nincidents = "jq.csv"\\nstations = "st.csv"\\n', encoding="utf-8")
    ...     p = load_project(d)
    ...     sorted(p.files), p.files["incidents"].path.name
    (['incidents', 'stations'], 'jq.csv')
    """
    path = Path(path).expanduser()
    file = path / PROJECT_FILE if path.is_dir() else path
    if not file.is_file():
        hint = f"run `jingwu init {path}` to write one" if path.is_dir() else "a folder or its jingwu.toml"
        raise DataError("no project file found", file=file, expected=hint)
    root = file.resolve().parent
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise _problem(file, "the project file is not UTF-8 text", "a UTF-8 encoded jingwu.toml") from None
    except tomllib.TOMLDecodeError as exc:
        raise _problem(file, f"not valid TOML ({exc})", "the layout `jingwu init` writes") from None
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise _problem(file, f"unknown keys {unknown}", f"only {sorted(_TOP_KEYS)}")
    name = data.get("name", root.name)
    language = data.get("language", "zh")
    if not isinstance(name, str) or not name.strip():
        raise _problem(file, "'name' must be a non-empty text", 'name = "Y市"')
    if language not in LANGUAGES:
        raise _problem(file, f"'language' is {language!r}", f"one of {list(LANGUAGES)}")

    data_tab = _table_of(data, "data", file)
    headers = _table_of(data, "headers", file)
    options = _table_of(data, "options", file)
    bad_opts = sorted(set(options) - _OPTION_KEYS)
    if bad_opts:
        raise _problem(file, f"unknown [options] keys {bad_opts}", f"only {sorted(_OPTION_KEYS)}")
    sheets = options.get("sheets", {})
    if not isinstance(sheets, dict):
        raise _problem(file, "[options.sheets] must map a table to a sheet name or index")
    for key in (*data_tab, *headers, *sheets):
        if key not in TABLES:
            raise _problem(file, f"unknown table {key!r}", f"one of {list(TABLES)}")

    files: dict[str, ExportFile] = {}
    for table, value in data_tab.items():
        if not isinstance(value, str) or not value.strip():
            raise _problem(file, f"[data] {table} must be a file name", f'{table} = "file.csv"')
        target = (root / value).resolve()
        if not target.is_file():
            raise _problem(
                file,
                f"[data] {table}: file {value!r} not found in {root}",
                "the export saved in the project folder (or a path relative to it)",
            )
        hmap = headers.get(table, {})
        if not isinstance(hmap, dict) or not all(isinstance(v, str) for v in hmap.values()):
            raise _problem(
                file,
                f"[headers.{table}] must map headers to column names",
                '"your header" = "station_id" (or "" to ignore it)',
            )
        sheet = sheets.get(table, 0)
        if isinstance(sheet, bool) or not isinstance(sheet, (int, str)):
            raise _problem(file, f"[options.sheets] {table} must be a sheet name or index")
        files[table] = ExportFile(
            table=table,
            path=target,
            header_map={k: (v or None) if v != "ignore" else None for k, v in hmap.items()},
            sheet=sheet,
        )

    categories = _table_of(data, "categories", file)
    allowed = set(schema.CATEGORIES)
    wrong = sorted(k for k, v in categories.items() if v not in allowed)
    if wrong:
        raise _problem(file, f"[categories] maps {wrong} to unknown codes", f"codes {sorted(allowed)}")
    personal = options.get("personal_data", "drop")
    if personal not in ("drop", "mask", "hash"):
        raise _problem(file, f"[options] personal_data is {personal!r}", "'drop', 'mask' or 'hash'")
    timezone = options.get("timezone", "Asia/Shanghai")
    try:
        pd.Timestamp("2024-01-01").tz_localize(timezone)
    except Exception:
        raise _problem(
            file,
            f"[options] timezone {timezone!r} is not a known time zone",
            "an IANA name such as Asia/Shanghai",
        ) from None
    truth_dir = None
    if "truth" in data:
        truth_dir = (root / str(data["truth"])).resolve()
        if not (truth_dir / "att.csv").is_file():
            raise _problem(
                file,
                f"truth folder {data['truth']!r} has no att.csv",
                "the truth folder `jingwu simulate --as-exports` writes",
            )
    return Project(
        root=root,
        name=name.strip(),
        language=language,
        files=files,
        category_map=dict(categories),
        timezone=timezone,
        personal_data=personal,
        truth_dir=truth_dir,
    )


# ---------------------------------------------------------------------------
# Reading a project into the suite's tables
# ---------------------------------------------------------------------------


def _read(project: Project, table: str, notices: list[str], **extra: Any) -> pd.DataFrame:
    """Read one export through :mod:`jingwu.io`, turning its warnings into notices."""
    spec = project.files[table]
    reader = {"incidents": io.read_incidents, "stations": io.read_stations, "outcomes": io.read_outcomes}[
        table
    ]
    kwargs: dict[str, Any] = dict(
        header_map=spec.header_map or None,
        sheet_name=spec.sheet,
        pii=project.personal_data,
        timezone=project.timezone,
        **extra,
    )
    if table == "incidents":
        kwargs["category_map"] = project.category_map or None
    if project.personal_data == "hash":
        salt = os.environ.get(SALT_ENV, "")
        if not salt:
            raise DataError(
                f"personal_data = 'hash' needs a secret salt in the {SALT_ENV} environment variable",
                file=project.project_file,
                expected=f"export {SALT_ENV}=<a long random text kept out of the folder>",
            )
        kwargs["salt"] = salt
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            df = reader(spec.path, **kwargs)
        except DataError as exc:
            raise _with_category_hint(exc, project) from None
    notices.extend(str(w.message) for w in caught)
    return df


def _with_category_hint(exc: DataError, project: Project) -> DataError:
    unknown = getattr(exc, "unknown_categories", None)
    if not unknown:
        return exc
    lines = "\n".join(
        f'"{u}" = "other"   # criminal | public_order | traffic | dispute | assistance | fraud | other'
        for u in unknown[:30]
    )
    return DataError(
        f"{len(unknown)} unknown incident categor{'y' if len(unknown) == 1 else 'ies'} "
        f"{unknown[:5]}; add to {project.project_file}:\n[categories]\n{lines}\n",
        file=exc.file,
        column=exc.column,
        rows=exc.rows,
        expected=exc.expected,
    )


def _join_stations(
    incidents: pd.DataFrame, stations: pd.DataFrame, project: Project, notices: list[str]
) -> pd.DataFrame:
    """Match the incidents' stations to the station table: by code, or else by exact name."""
    known = set(stations["station_id"].astype(str))
    ids = incidents["station_id"].astype(str)
    if "station_name" in stations and not ids.isin(known).any():
        by_name = dict(zip(stations["station_name"].astype(str), stations["station_id"].astype(str)))
        if ids.isin(by_name).any():
            notices.append(
                "the incidents name their stations (派出所名称); matched to the station "
                "table's codes by exact name"
            )
            ids = ids.map(lambda v: by_name.get(v, v))
            incidents = incidents.assign(station_id=ids.to_numpy())
    unknown = sorted(set(ids) - known)
    if unknown:
        n_rows = int(ids.isin(unknown).sum())
        names = set(stations["station_name"].dropna().astype(str)) if "station_name" in stations else set()
        hint = aggregate.near_matches(unknown, sorted(known | names))
        raise DataError(
            f"{n_rows:,} incident(s) name {len(unknown)} station(s) missing from the station table "
            f"({project.files['stations'].path.name}): {unknown[:5]}{hint}",
            file=project.files["incidents"].path,
            column="station_id",
            expected="every station of the incidents in the station table (same code or name); "
            "map a differently named column with [headers.incidents] in jingwu.toml",
        )
    quiet = sorted(known - set(ids))
    if quiet:
        notices.append(
            f"{len(quiet)} station(s) of the station table have no incident in the export "
            f"(their demand is zero): {quiet[:5]}"
        )
    return incidents


def read_city(project: Project | str | Path) -> OwnCity:
    """Read a project's exports into the suite's tables, in one documented step.

    1. the station table (adoption months; 未上线 and similar read as never
       adopted, with a notice);
    2. the incident records, personal data removed, report times in the
       bureau's local time, every station checked against the station table;
    3. ``demand``: daily counts per station and category, zero-filled over
       every station and day of the export;
    4. ``panel``: monthly incidents, officers and adoption month, with cases,
       cleared and response time from the incidents, replaced by the outcomes
       export's figures where it has them (rows outside the incident history
       are reported, not dropped silently).

    Parameters
    ----------
    project : Project, or a folder / ``jingwu.toml`` path

    Returns
    -------
    OwnCity

    Raises
    ------
    DataError
        Naming the file, column, rows and what was expected.
    """
    if not isinstance(project, Project):
        project = load_project(project)
    missing = [t for t, required in TABLES.items() if required and t not in project.files]
    if missing:
        raise DataError(
            f"the project names no {' or '.join(missing)} export",
            file=project.project_file,
            expected=f'[data] {missing[0]} = "file name"',
        )
    notices: list[str] = []
    stations = _read(project, "stations", notices)
    incidents = _read(project, "incidents", notices)
    incidents = _join_stations(incidents, stations, project, notices)

    day = incidents["reported_at"].dt.normalize()
    start, end = day.min(), day.max()
    demand = aggregate.daily_demand(
        incidents,
        start=f"{start:%Y-%m-%d}",
        end=f"{end:%Y-%m-%d}",
        station_ids=stations["station_id"].astype(str).tolist(),
    )
    panel = aggregate.monthly_panel(demand=demand, incidents=incidents, stations=stations)
    if "outcomes" in project.files:
        outcomes = _read(project, "outcomes", notices, stations=stations)
        panel = _merge_outcomes(panel, outcomes, project, notices)
    handling = pd.Series(dtype=float)
    if "handling_minutes" in incidents and incidents["handling_minutes"].notna().any():
        handling = (
            incidents.groupby(incidents["category"].astype(str))["handling_minutes"]
            .mean()
            .rename("handling_minutes")
        )
    truth: Truth | None = read_truth(project.truth_dir) if project.truth_dir is not None else None
    return OwnCity(
        stations=stations,
        demand=demand,
        panel=panel,
        truth=truth,
        name=project.name,
        handling_minutes=handling,
        notices=notices,
        project=project,
        incidents=incidents.reset_index(drop=True),
    )


def _merge_outcomes(
    panel: pd.DataFrame, outcomes: pd.DataFrame, project: Project, notices: list[str]
) -> pd.DataFrame:
    cols = [
        c
        for c in ("cases", "cleared", "satisfaction_n", "satisfaction_yes", "response_minutes")
        if c in outcomes.columns
    ]
    keys = ["station_id", "month"]
    inside = outcomes.set_index(keys).index.isin(panel.set_index(keys).index)
    if not inside.all():
        months = outcomes.loc[~inside, "month"]
        notices.append(
            f"{int((~inside).sum())} row(s) of {project.files['outcomes'].path.name} lie outside "
            f"the incident history ({months.min()}..{months.max()}) and are not used"
        )
    merged = panel.drop(columns=[c for c in cols if c in panel.columns]).merge(
        outcomes.loc[inside, keys + cols], on=keys, how="left"
    )
    for c in ("cases", "cleared", "satisfaction_n", "satisfaction_yes"):
        if c in merged:
            merged[c] = merged[c].astype("Int64")
    schema.validate_panel(merged, file=project.files["outcomes"].path)
    return merged


def load_city(city: str | Path | None = None) -> City:
    """The city a notebook analyses: the bundled M city (``None``) or a project folder.

    Notebooks call this with their ``CITY`` parameter, so the same notebook
    runs on M city and on a user's own exports.

    Examples
    --------
    >>> load_city().name
    'M city'
    """
    if city is None:
        from ..datasets import load_m_city

        return load_m_city()
    return read_city(city)


def incident_records(
    city: City,
    station_ids: list[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    *,
    seed: int | None = None,
) -> pd.DataFrame:
    """Incident records of a city: the export's own for a user's city, simulated for M city.

    The hour-of-week profile and shift staffing need report times.  A user's
    city has them from its export (:attr:`OwnCity.incidents`); the bundled
    city keeps daily counts only, so records consistent with them are
    simulated (:func:`jingwu.simulate.simulate_incidents`).  The frame's
    ``attrs["source"]`` says which (``"export"`` or ``"simulated"``).

    Parameters
    ----------
    city : City or OwnCity
    station_ids : list of str, optional
        Stations to keep (default: all).
    start, end : str, optional
        First and last day (inclusive; default: the whole history).
    seed : int, optional
        Seed of the simulation (M city only; default: the simulator's).

    Examples
    --------
    >>> from jingwu.simulate import simulate_city
    >>> city = simulate_city(seed=1, start="2024-01-01", end="2024-01-07", n_stations=5)
    >>> inc = incident_records(city, ["S01"], "2024-01-02", "2024-01-03")
    >>> inc.attrs["source"], bool(inc["reported_at"].dt.day.isin([2, 3]).all())
    ('simulated', True)
    """
    own = getattr(city, "incidents", None)
    if own is None:
        from ..simulate import simulate_incidents

        extra = {} if seed is None else {"seed": seed}
        records = simulate_incidents(city, station_ids, start, end, **extra)
        records.attrs["source"] = "simulated"
        return records
    keep = pd.Series(True, index=own.index)
    if station_ids is not None:
        unknown = sorted(set(station_ids) - set(city.stations["station_id"].astype(str)))
        if unknown:
            raise ValueError(f"unknown station ids: {unknown}")
        keep &= own["station_id"].astype(str).isin(station_ids)
    day = own["reported_at"].dt.normalize()
    if start is not None:
        keep &= day >= pd.Timestamp(start)
    if end is not None:
        keep &= day <= pd.Timestamp(end)
    records = own.loc[keep].reset_index(drop=True)
    records.attrs["source"] = "export"
    return records


def handling_minutes_for(city: City) -> tuple[dict[str, float], str]:
    """Handling minutes per category for staffing, and where they come from.

    A user's export with its own 处警时长 gives per-category means
    (:attr:`OwnCity.handling_minutes`); categories it lacks, and cities
    without handling times, keep the literature defaults
    (:data:`jingwu.allocate.DEFAULT_HANDLING_MINUTES`).

    Returns
    -------
    minutes : dict
        Category → mean minutes, including ``"all"`` (the incident-weighted
        mean when the export has handling times).
    source : {"export", "export+default", "default"}

    Examples
    --------
    >>> minutes, source = handling_minutes_for(load_city())
    >>> source, minutes["criminal"]
    ('default', 120.0)
    """
    from ..allocate import DEFAULT_HANDLING_MINUTES

    minutes = dict(DEFAULT_HANDLING_MINUTES)
    own = getattr(city, "handling_minutes", None)
    if own is None or not len(own):
        return minutes, "default"
    means = {str(k): float(v) for k, v in own.dropna().items()}
    minutes.update(means)
    records = getattr(city, "incidents", None)
    if records is not None and "handling_minutes" in records and records["handling_minutes"].notna().any():
        minutes["all"] = float(records["handling_minutes"].mean())
    missing = set(schema.CATEGORIES) - set(means)
    return minutes, ("export+default" if missing else "export")


# ---------------------------------------------------------------------------
# Checking a project
# ---------------------------------------------------------------------------


@dataclass
class ProjectCheck:
    """The result of :func:`validate_project`: what is fine, what to fix, what is missing.

    Attributes
    ----------
    ok : bool
        No problem stops the analysis.
    problems, warnings, facts : list of str
        Lines of the report (never quoting an export's cell).
    """

    ok: bool
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)

    def report(self) -> str:
        """A readable report, one line per finding."""
        lines = [
            (
                "OK: the project is ready for `jingwu reproduce --city`"
                if self.ok
                else "NOT READY: fix the problems below"
            )
        ]
        lines += [f"  problem: {p}" for p in self.problems]
        lines += [f"  warning: {w}" for w in self.warnings]
        lines += [f"  {f}" for f in self.facts]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


def validate_project(path: str | Path) -> ProjectCheck:
    """Check a whole project: the file, every export, and how they join.

    Reports stations in the incidents but not in the station table, adoption
    months outside the incident history, a history too short for a forecast
    backtest, and which analyses the exports support.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = init_project(d)
    ...     validate_project(d).ok
    False
    """
    check = ProjectCheck(ok=False)
    try:
        project = load_project(path)
    except DataError as exc:
        check.problems.append(str(exc))
        return check
    for table, required in TABLES.items():
        if required and table not in project.files:
            check.problems.append(f"[data] names no {table} export (required)")
    if check.problems:
        return check
    try:
        city = read_city(project)
    except DataError as exc:
        check.problems.append(str(exc))
        return check
    check.warnings.extend(city.notices)
    st, demand, panel = city.stations, city.demand, city.panel
    first, last = demand["date"].min(), demand["date"].max()
    days = (last - first).days + 1
    check.facts.append(
        f"{len(st)} stations in {st['district'].nunique()} districts; incidents "
        f"{first:%Y-%m-%d}..{last:%Y-%m-%d} ({days} days, "
        f"{int(demand['count'].sum()):,} incidents)"
    )
    if days < MIN_FORECAST_DAYS:
        check.problems.append(
            f"only {days} days of incidents: a forecast backtest needs at least "
            f"{MIN_FORECAST_DAYS} (a year or more is better)"
        )
    elif days < 730:
        check.warnings.append(
            f"{days} days of incidents: yearly seasonality (Spring Festival) needs two "
            "years or more to be estimated well"
        )
    adoption = st["adoption_month"].dropna() if "adoption_month" in st else pd.Series(dtype="period[M]")
    months = panel["month"]
    if len(adoption):
        outside = adoption[(adoption <= months.min()) | (adoption > months.max())]
        if len(outside):
            ids = st.loc[outside.index, "station_id"].astype(str).tolist()
            check.warnings.append(
                f"{len(outside)} adoption month(s) outside the incident history "
                f"({months.min()}..{months.max()}) for stations {ids[:5]}: these "
                "stations give no before/after comparison"
            )
        check.facts.append(
            f"smart-policing adoption: {adoption.nunique()} cohort(s), {len(adoption)} "
            f"adopting and {len(st) - len(adoption)} never-adopting stations"
        )
    else:
        check.warnings.append(
            "no adoption months in the station table: the effects notebook has no "
            "difference-in-differences to estimate"
        )
    has_outcomes = [
        c
        for c in ("cases", "cleared", "satisfaction_n", "response_minutes")
        if c in panel and panel[c].notna().any()
    ]
    if "outcomes" not in project.files:
        check.warnings.append(
            "no outcomes export: clearance and satisfaction effects need monthly "
            '立案数/破案数/满意度 figures ([data] outcomes = "月度绩效.xlsx")'
        )
    check.facts.append(
        f"monthly panel: {len(panel):,} station-months; outcomes available: {has_outcomes or 'none'}"
    )
    if "officers" not in st or st["officers"].isna().all():
        check.warnings.append(
            "no officer numbers in the station table: staffing and per-officer workload need 民警人数"
        )
    if len(city.handling_minutes):
        check.facts.append("handling times: the export's own per-category means (处警时长) are used")
    check.ok = not check.problems
    return check
