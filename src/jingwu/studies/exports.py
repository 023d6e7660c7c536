"""A simulated city written as a bureau's raw exports, with its project file and truth.

``jingwu simulate --as-exports --out DIR`` writes what a police-college
researcher receives from a bureau, so the own-city path can be tried, taught
and tested end to end *through* the intake, with a known truth:

- ``接处警明细.csv``: incident records in GBK with a title row, Chinese
  headers, Chinese category names (刑事警情, 电信诈骗 …), stations named by
  their Chinese names, and *synthetic* personal data (caller names, phones,
  ID numbers, addresses, and a free-text 简要案情 naming people);
- ``派出所基本情况.xlsx``: the station table under a title row, adoption
  months such as ``2021年7月`` or ``未上线``;
- ``月度绩效.xlsx``: monthly cases, cleared, survey figures and response time;
- ``jingwu.toml`` naming them, and ``truth/`` (archetypes, true ATT(g, t)).

Examples
--------
>>> import tempfile
>>> from jingwu.simulate import simulate_city
>>> city = simulate_city(seed=2, n_stations=6, start="2024-01-01", end="2024-01-10",
...                      cohorts=("2024-01",), cohort_sizes=(2,), cohort_scale=(1.0,))
>>> with tempfile.TemporaryDirectory() as d:
...     files = write_exports(city, d)
...     sorted(files)
['incidents', 'outcomes', 'project', 'stations', 'truth']
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from .. import schema
from ..paths import atomic_write, atomic_write_bytes, atomic_write_text
from ..simulate import City, simulate_incidents

__all__ = ["EXPORT_FILES", "EXPORT_CATEGORY_NAMES", "write_exports", "export_city_params"]

#: File names of a simulated bureau's exports.
EXPORT_FILES = {"incidents": "接处警明细.csv", "stations": "派出所基本情况.xlsx", "outcomes": "月度绩效.xlsx"}

#: How platforms spell the categories (all map out of the box in :mod:`jingwu.io`).
EXPORT_CATEGORY_NAMES = {
    "criminal": "刑事警情",
    "public_order": "治安警情",
    "traffic": "交通事故",
    "dispute": "纠纷警情",
    "assistance": "求助警情",
    "fraud": "电信诈骗",
    "other": "其他警情",
}


def export_city_params(
    *, n_stations: int | None = None, start: str | None = None, end: str | None = None
) -> dict:
    """Simulation overrides for a smaller or shorter export city (``simulate --as-exports``).

    With a window other than M city's, the adoption cohorts move into it:
    two cohorts, a third and two thirds of the way through, each about a
    third of the stations (the rest never adopt), so the effects notebook has
    adopters, never-adopters and pre-periods on any window of a year or more.

    Examples
    --------
    >>> export_city_params(n_stations=12, start="2022-01-01", end="2023-12-31")["cohorts"]
    ('2022-09', '2023-05')
    """
    overrides: dict = {}
    if n_stations:
        overrides["n_stations"] = int(n_stations)
    if start is None and end is None:
        return overrides
    from ..simulate import SimulationParams

    base = SimulationParams()
    first = pd.Timestamp(start or base.start)
    last = pd.Timestamp(end or base.end)
    if last - first < pd.Timedelta(days=180):
        raise ValueError(f"the simulated window {first:%Y-%m-%d}..{last:%Y-%m-%d} is shorter than six months")
    months = pd.period_range(first, last, freq="M")
    n = int(n_stations or base.n_stations)
    size = max(1, n // 3)
    overrides.update(
        start=f"{first:%Y-%m-%d}",
        end=f"{last:%Y-%m-%d}",
        cohorts=(str(months[len(months) // 3]), str(months[2 * len(months) // 3])),
        cohort_sizes=(size, size),
        cohort_scale=(1.2, 1.0),
    )
    return overrides


_NARRATIVE = {
    "dispute": "{a}与邻居{b}因噪音问题发生口角",
    "criminal": "{a}报称其电动车在小区楼下被盗",
    "fraud": "{a}接到自称客服的电话后被骗转账",
    "public_order": "{a}报称有人在店门口聚众滋事",
    "traffic": "{a}驾车与{b}的车辆发生刮擦",
    "assistance": "{a}报称其母亲走失，请求帮助寻找",
    "other": "{a}来电咨询户籍办理事项",
}


def _month_text(m: pd.Period | float) -> str:
    if pd.isna(m):
        return "未上线"
    p = cast(pd.Period, m)
    return f"{p.year}年{p.month}月"


def _xlsx(path: Path, frame: pd.DataFrame, sheet: str, title: str) -> Path:
    def write(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
            frame.to_excel(xl, index=False, startrow=1, sheet_name=sheet)
            xl.sheets[sheet]["A1"] = title

    return atomic_write(path, write)


def _incident_export(city: City, seed: int) -> pd.DataFrame:
    inc = simulate_incidents(city, seed=seed, with_personal_data=True)
    names = city.stations.set_index("station_id")["station_name"]
    rng = np.random.default_rng([seed, 7])
    other = inc["caller_name"].to_numpy()[rng.permutation(len(inc))]
    narrative = [
        _NARRATIVE[c].format(a=a, b=b) for c, a, b in zip(inc["category"], inc["caller_name"], other)
    ]
    return pd.DataFrame(
        {
            "接警编号": inc["incident_id"],
            "所属派出所": inc["station_id"].map(names),
            "报警时间": inc["reported_at"].dt.strftime("%Y/%m/%d %H:%M:%S"),
            "警情类别": inc["category"].map(EXPORT_CATEGORY_NAMES),
            "处警时长(分钟)": inc["handling_minutes"],
            "到场时间(分钟)": inc["response_minutes"],
            "是否立案": np.where(inc["is_case"], "是", "否"),
            "是否破案": np.where(inc["cleared"], "是", "否"),
            "报警人": inc["caller_name"],
            "联系电话": inc["caller_phone"],
            "身份证号": inc["caller_id_number"],
            "案发地址": inc["address"],
            "简要案情": narrative,
        }
    )


def _toml(name: str) -> str:
    return (
        "# 模拟城市的导出文件（含真值，用于教学和检验）/ a simulated city's exports, with its truth\n"
        f'name = "{name}"\n'
        'language = "zh"\n'
        'truth = "truth"                           # only simulated cities have one\n\n'
        "[data]\n"
        f'incidents = "{EXPORT_FILES["incidents"]}"\n'
        f'stations  = "{EXPORT_FILES["stations"]}"\n'
        f'outcomes  = "{EXPORT_FILES["outcomes"]}"\n\n'
        "[options]\n"
        'timezone = "Asia/Shanghai"\n'
        'personal_data = "drop"\n'
    )


def write_exports(
    city: City, out: str | Path, *, seed: int | None = None, name: str | None = None
) -> dict[str, Path]:
    """Write a simulated city as a bureau's raw exports plus ``jingwu.toml`` and ``truth/``.

    Parameters
    ----------
    city : City
        A simulated city (with truth), e.g. from :func:`jingwu.simulate.simulate_city`.
    out : str or Path
        Target folder (created if missing; files written atomically).
    seed : int, optional
        Seed of the incident records (default: the city's own seed).
    name : str, optional
        City name in the project file (default ``"<name> (exports)"``).

    Returns
    -------
    dict
        Paths by role: ``incidents``, ``stations``, ``outcomes``, ``project``, ``truth``.
    """
    if city.truth is None:
        raise ValueError("write_exports needs a simulated city (with truth)")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    seed = int(city.truth.params.get("seed", 0)) if seed is None else seed
    st, panel = city.stations, city.panel
    first, last = city.demand["date"].min(), city.demand["date"].max()
    period = f"{first:%Y-%m-%d} 至 {last:%Y-%m-%d}"
    paths: dict[str, Path] = {}

    inc = _incident_export(city, seed)
    text = f"M市公安局接处警明细（{period}，模拟数据）\n" + inc.to_csv(index=False, lineterminator="\n")
    paths["incidents"] = atomic_write_bytes(out / EXPORT_FILES["incidents"], text.encode("gbk"))

    stations = pd.DataFrame(
        {
            "派出所编号": st["station_id"],
            "派出所名称": st["station_name"],
            "所属分局": st["district"],
            "区域类型": st["area_type"].map(lambda a: schema.AREA_TYPES.get(a, {}).get("zh", a)),
            "辖区人口": st["population"],
            "辖区面积": st["area_km2"],
            "民警人数": st["officers"],
            "辅警人数": st["auxiliaries"],
            "智慧警务上线时间": st["adoption_month"].map(_month_text),
        }
    )
    paths["stations"] = _xlsx(
        out / EXPORT_FILES["stations"], stations, "派出所", "M市派出所基本情况表（模拟数据）"
    )

    outcomes = pd.DataFrame(
        {
            "派出所编号": panel["station_id"],
            "月份": panel["month"].map(_month_text),
            "立案数": panel["cases"],
            "破案数": panel["cleared"],
            "满意度调查人数": panel["satisfaction_n"],
            "满意人数": panel["satisfaction_yes"],
            "平均到场时间": panel["response_minutes"],
        }
    )
    paths["outcomes"] = _xlsx(
        out / EXPORT_FILES["outcomes"], outcomes, "月度绩效", f"M市派出所月度绩效（{period}）"
    )

    truth = out / "truth"
    truth.mkdir(exist_ok=True)
    att = city.truth.att.assign(
        cohort=city.truth.att["cohort"].astype(str), month=city.truth.att["month"].astype(str)
    )
    atomic_write_text(
        truth / "archetypes.csv", city.truth.archetypes.to_csv(index=False, lineterminator="\n")
    )
    atomic_write_text(truth / "att.csv", att.to_csv(index=False, lineterminator="\n"))
    atomic_write_text(
        truth / "params.json",
        json.dumps(city.truth.params, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
    )
    paths["truth"] = truth
    paths["project"] = atomic_write_text(out / "jingwu.toml", _toml(name or f"{city.name} (exports)"))
    return paths
