"""Bundled datasets: the simulated M city and the real Chicago case study.

Both loaders validate every table against :mod:`jingwu.schema` on load, so a
corrupted or hand-edited file fails loudly with a :class:`~jingwu.DataError`.

Examples
--------
>>> import jingwu as jw
>>> city = jw.datasets.load_m_city()
>>> city.stations.shape[0], sorted(city.truth.archetypes["archetype"].unique())[0]
(48, 'commercial_core')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import schema
from .errors import DataError
from .paths import data_dir
from .simulate import City, read_city

__all__ = ["load_m_city", "load_chicago", "Chicago", "m_city_dir", "chicago_dir", "write_example_export"]


def m_city_dir() -> Path:
    """Directory of the bundled M-city files (``data/m_city``)."""
    return data_dir() / "m_city"


def chicago_dir() -> Path:
    """Directory of the bundled Chicago files (``data/chicago``)."""
    return data_dir() / "chicago"


def load_m_city(path: str | Path | None = None) -> City:
    """Load M city: the bundled files, or a city written by ``jingwu simulate``.

    Parameters
    ----------
    path : str or Path, optional
        A directory written by ``jingwu simulate --out DIR`` (or
        :func:`jingwu.simulate.write_city`).  Default: the bundled city.

    Returns
    -------
    City
        ``stations``, ``demand`` (daily, station × category), ``panel``
        (monthly) and ``truth`` (archetypes, true ATT(g, t), parameters).

    Examples
    --------
    >>> city = load_m_city()
    >>> city.truth.archetype_of()["S01"]
    'commercial_core'
    """
    return read_city(m_city_dir() if path is None else Path(path))


@dataclass
class Chicago:
    """The Chicago case-study data, with police districts as the unit.

    Attributes
    ----------
    stations : DataFrame
        One row per district: ``station_id`` (e.g. ``"007"``),
        ``station_name``, ``district`` (the sentiment survey's area),
        ``adoption_month`` (SDSC opening, "best" dating).
    demand : DataFrame
        Daily reported crimes, ``category == "all"`` (2001-01-01..2022-01-31).
    panel : DataFrame
        Monthly: ``incidents`` (reported crimes), ``safety`` and ``trust``
        (Police Sentiment Scores, 0–100, from 2017-11), ``adoption_month``.
    adoption : DataFrame
        SDSC dating per district with ``treat_month_best``,
        ``treat_month_conservative``, cohort, sources and notes.
    sources : DataFrame
        The citation of every source id.
    sentiment_citywide : DataFrame
        Citywide monthly sentiment scores.
    """

    stations: pd.DataFrame
    demand: pd.DataFrame
    panel: pd.DataFrame
    adoption: pd.DataFrame
    sources: pd.DataFrame
    sentiment_citywide: pd.DataFrame
    name: str = "Chicago"

    def __repr__(self) -> str:
        return (
            f"<Chicago: {len(self.stations)} districts, daily crimes "
            f"{self.demand['date'].min():%Y-%m-%d}..{self.demand['date'].max():%Y-%m-%d}, "
            f"{int(self.stations['adoption_month'].notna().sum())} SDSC adopters>"
        )


def _month(series: pd.Series, file: Path, column: str) -> pd.Series:
    text = series.fillna("").astype(str)
    ok = text.eq("") | text.str.fullmatch(r"\d{4}-\d{2}")
    if not ok.all():
        rows = [int(i) + 2 for i in series.index[~ok]]
        raise DataError("malformed months", file=file, column=column, rows=rows, expected="YYYY-MM")
    return pd.PeriodIndex(text.replace("", None), freq="M").to_series(index=series.index)


def load_chicago(path: str | Path | None = None, dating: str = "best") -> Chicago:
    """Load the Chicago police-district data bundled with the suite.

    Parameters
    ----------
    path : str or Path, optional
        Directory with the Chicago CSV files (default: ``data/chicago``).
    dating : {"best", "conservative"}
        Which SDSC opening month becomes ``adoption_month``.  ``best`` is the
        month a source names; where no source names one it falls back to the
        conservative month (first full month after the last date by which a
        source says the centre operated).

    Examples
    --------
    >>> chi = load_chicago()
    >>> len(chi.stations), chi.stations.set_index("station_id").loc["016", "adoption_month"]
    (22, NaT)
    """
    if dating not in ("best", "conservative"):
        raise ValueError(f"dating must be 'best' or 'conservative', not {dating!r}")
    root = chicago_dir() if path is None else Path(path)
    f_daily = root / "chicago_district_daily_crimes.csv"
    f_month = root / "chicago_district_monthly_crimes.csv"
    f_sent = root / "chicago_district_sentiment_monthly.csv"
    f_city = root / "chicago_citywide_sentiment_monthly.csv"
    f_adopt = root / "chicago_sdsc_adoption.csv"
    f_src = root / "chicago_sdsc_sources.csv"
    for f in (f_daily, f_month, f_sent, f_city, f_adopt, f_src):
        if not f.exists():
            raise FileNotFoundError(f"missing Chicago file {f}")

    adoption = pd.read_csv(f_adopt, dtype=str, keep_default_na=False)
    for col in ("treat_month_best", "treat_month_conservative"):
        adoption[col] = _month(adoption[col], f_adopt, col)
    adoption["adoption_month"] = (
        adoption["treat_month_best"].fillna(adoption["treat_month_conservative"])
        if dating == "best"
        else adoption["treat_month_conservative"]
    )

    daily = pd.read_csv(f_daily, dtype={"district": str}, parse_dates=["date"])
    demand = daily.rename(columns={"district": "station_id", "crimes": "count"}).assign(category="all")
    demand = demand[["station_id", "date", "category", "count"]]
    schema.validate_demand(demand, file=f_daily)

    sentiment = pd.read_csv(f_sent, dtype={"district": str})
    sentiment["month"] = _month(sentiment["month"], f_sent, "month")
    monthly = pd.read_csv(f_month, dtype={"district": str})
    monthly["month"] = _month(monthly["month"], f_month, "month")
    panel = monthly.rename(columns={"district": "station_id", "crimes": "incidents"})
    panel = panel.merge(
        sentiment.rename(columns={"district": "station_id"})[["station_id", "month", "safety", "trust"]],
        on=["station_id", "month"],
        how="outer",
        sort=True,
    )
    area = sentiment.drop_duplicates("district").set_index("district")["area"]
    stations = adoption[["district", "district_name", "adoption_month"]].rename(
        columns={"district": "station_id", "district_name": "station_name"}
    )
    stations.insert(2, "district", stations["station_id"].map(area))
    stations = stations.sort_values("station_id", kind="stable").reset_index(drop=True)
    schema.validate_stations(stations, file=f_adopt)
    panel = panel.merge(stations[["station_id", "adoption_month"]], on="station_id", how="left")
    # Months with sentiment but after the crime series ends have no incident count.
    panel["incidents"] = panel["incidents"].astype("Int64")
    schema.validate_panel(panel.dropna(subset=["incidents"]), stations=stations, file=f_month)

    city = pd.read_csv(f_city)
    city["month"] = _month(city["month"], f_city, "month")
    return Chicago(
        stations=stations,
        demand=demand.reset_index(drop=True),
        panel=panel.reset_index(drop=True),
        adoption=adoption,
        sources=pd.read_csv(f_src),
        sentiment_citywide=city,
    )


#: Chinese headers of the example export, as police platforms name them.
EXPORT_HEADERS_ZH = {
    "incident_id": "接警编号",
    "station_id": "派出所编号",
    "reported_at": "报警时间",
    "category": "警情类别",
    "handling_minutes": "处置时长(分钟)",
    "response_minutes": "到场时间(分钟)",
    "is_case": "是否立案",
    "cleared": "是否破案",
    "caller_name": "报警人姓名",
    "caller_phone": "联系电话",
    "caller_id_number": "身份证号",
    "address": "案发地址",
    "narrative": "简要案情",
}

#: Narrative templates of the example export's 简要案情 column: free text that
#: names people, as real exports do ({a} is the caller, {b} another person).
_NARRATIVES = (
    "{a}与邻居{b}因噪音问题发生口角",
    "{a}报称电动车被盗，价值约2000元",
    "{a}接到自称客服电话被骗转账，回电{phone}",
    "{a}在路口与{b}驾驶车辆发生剐蹭",
    "群众求助开锁",
    "醉酒男子在店内滋事，已处理",
)


def _narratives(inc: pd.DataFrame) -> list[str]:
    """Synthetic 简要案情 for the example export (seeded by the incident ids)."""
    from .simulate import _GIVEN, _SURNAMES

    rng = np.random.default_rng(20240301)
    k = rng.integers(0, len(_NARRATIVES), len(inc))
    other = [
        _SURNAMES[a] + _GIVEN[b] + _GIVEN[c]
        for a, b, c in zip(
            *(rng.integers(0, n, len(inc)) for n in (len(_SURNAMES), len(_GIVEN), len(_GIVEN)))
        )
    ]
    return [
        _NARRATIVES[i].format(a=a, b=b, phone=p)
        for i, a, b, p in zip(k, inc["caller_name"], other, inc["caller_phone"])
    ]


def write_example_export(
    path: str | Path,
    *,
    station_ids: tuple[str, ...] = ("S01", "S17"),
    start: str = "2024-03-01",
    end: str = "2024-03-31",
    encoding: str = "gbk",
) -> Path:
    """Write an M-city incident export shaped like a police platform's.

    Chinese headers, Chinese category names, 是/否 flags, and *synthetic*
    personal data (caller names, phones, ID-card numbers, addresses, and a
    简要案情 narrative naming people), so the
    intake and its privacy screen can be shown on realistic input.  ``.csv``
    is written in ``encoding`` (GBK by default, as most platform exports);
    ``.xlsx`` gets a title row above the header, as such exports often do.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     f = write_example_export(pathlib.Path(d) / "export.csv", end="2024-03-02")
    ...     f.read_bytes()[:8].decode("gbk")
    '接警编号'
    """
    from .paths import atomic_write, atomic_write_bytes
    from .simulate import simulate_incidents

    path = Path(path)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise ValueError(f"example exports are .csv or .xlsx, not {path.suffix!r}")
    inc = simulate_incidents(load_m_city(), list(station_ids), start, end, with_personal_data=True)
    zh = {k: v["zh"] for k, v in schema.CATEGORY_LABELS.items()}
    inc["category"] = inc["category"].map(zh)
    for col in ("is_case", "cleared"):
        inc[col] = inc[col].map({True: "是", False: "否"})
    inc["reported_at"] = inc["reported_at"].dt.strftime("%Y/%m/%d %H:%M:%S")
    inc["narrative"] = _narratives(inc)
    export = inc.rename(columns=EXPORT_HEADERS_ZH)
    if path.suffix.lower() == ".csv":
        return atomic_write_bytes(path, export.to_csv(index=False, lineterminator="\n").encode(encoding))

    def write_xlsx(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
            export.to_excel(xl, index=False, startrow=2, sheet_name="警情明细")
            xl.sheets["警情明细"]["A1"] = f"M市公安局警情明细表（{start} 至 {end}，示例数据）"

    return atomic_write(path, write_xlsx)
