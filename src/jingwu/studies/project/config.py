"""The project file (``jingwu.toml``): its template, :class:`Project`, :func:`init_project` and :func:`load_project`."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ... import schema
from ...errors import DataError
from ...paths import atomic_write_text
from ...simulate import City

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
