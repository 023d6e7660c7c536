"""Chinese public holidays and calendar features.

Dates come from the maintained ``holidays`` package (its ``China`` calendar),
never from a hand-typed table: the Spring Festival (春节) and the other lunar
holidays move every year, and the State Council publishes each year's days off
and adjusted working weekends (调休) only late in the previous year.  The
package carries the official notices up to the year reported by
:func:`official_years`; later years follow the package's rules (the holidays
themselves are right, the adjusted working weekends are unknown).

Examples
--------
>>> from jingwu.calendar import lunar_new_year
>>> str(lunar_new_year(2024))
'2024-02-10'
"""

from __future__ import annotations

import datetime as _dt
from functools import lru_cache

import holidays as _holidays
import numpy as np
import pandas as pd

__all__ = [
    "HOLIDAY_LABELS",
    "china_holidays",
    "lunar_new_year",
    "holiday_features",
    "official_years",
]

#: Canonical holiday keys with zh/en labels, matched from the package's names.
HOLIDAY_LABELS: dict[str, dict[str, str]] = {
    "new_year": {"zh": "元旦", "en": "New Year's Day", "match": "New Year's Day"},
    "spring_festival": {"zh": "春节", "en": "Spring Festival", "match": "Chinese New Year"},
    "qingming": {"zh": "清明节", "en": "Qingming", "match": "Tomb-Sweeping"},
    "labour_day": {"zh": "劳动节", "en": "Labour Day", "match": "Labor Day"},
    "dragon_boat": {"zh": "端午节", "en": "Dragon Boat Festival", "match": "Dragon Boat"},
    "mid_autumn": {"zh": "中秋节", "en": "Mid-Autumn Festival", "match": "Mid-Autumn"},
    "national_day": {"zh": "国庆节", "en": "National Day", "match": "National Day"},
    "bridge_day": {"zh": "调休", "en": "Bridge day off", "match": "Day off"},
}


def _key_for(name: str) -> str:
    for key, spec in HOLIDAY_LABELS.items():
        if spec["match"] in name:
            return key
    return "other"


@lru_cache(maxsize=64)
def _calendar(years: tuple[int, ...]) -> _holidays.HolidayBase:
    # Holiday names are matched below, so fix their language: without it the
    # package follows the process locale (Chinese names when LANG is unset).
    return _holidays.China(years=list(years), language="en_US")


def _years(start: pd.Timestamp, end: pd.Timestamp) -> tuple[int, ...]:
    return tuple(range(start.year, end.year + 1))


def china_holidays(start: str | pd.Timestamp, end: str | pd.Timestamp) -> pd.DataFrame:
    """Days off and adjusted working days in mainland China between two dates.

    Parameters
    ----------
    start, end : str or Timestamp
        Inclusive date range.

    Returns
    -------
    DataFrame
        One row per special day: ``date``, ``holiday`` (canonical key, e.g.
        ``spring_festival``; ``workday`` for an adjusted working weekend),
        ``name`` (the package's English name), ``label_zh``, ``is_day_off``.

    Examples
    --------
    >>> h = china_holidays("2024-02-01", "2024-02-29")
    >>> sorted(set(h["holiday"]))
    ['bridge_day', 'spring_festival', 'workday']
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if end < start:
        raise ValueError(f"end {end.date()} is before start {start.date()}")
    cal = _calendar(_years(start, end))
    rows = [
        (pd.Timestamp(d), _key_for(name), name, True)
        for d, name in cal.items()
        if start <= pd.Timestamp(d) <= end
    ]
    for d in getattr(cal, "weekend_workdays", set()):
        if start <= pd.Timestamp(d) <= end:
            rows.append((pd.Timestamp(d), "workday", "Adjusted working day", False))
    out = pd.DataFrame(rows, columns=["date", "holiday", "name", "is_day_off"]).astype(
        {"date": "datetime64[ns]", "holiday": str, "name": str, "is_day_off": bool}
    )
    labels = {k: v["zh"] for k, v in HOLIDAY_LABELS.items()} | {"workday": "调休上班", "other": "其他"}
    out["label_zh"] = out["holiday"].map(labels)
    return out.sort_values("date", kind="stable").reset_index(drop=True)[
        ["date", "holiday", "name", "label_zh", "is_day_off"]
    ]


@lru_cache(maxsize=256)
def lunar_new_year(year: int) -> _dt.date:
    """Date of the lunar new year (正月初一) in ``year``.

    Examples
    --------
    >>> [str(lunar_new_year(y)) for y in (2018, 2019, 2020)]
    ['2018-02-16', '2019-02-05', '2020-01-25']
    """
    cal = _calendar((int(year),))
    days = sorted(
        d
        for d, name in cal.items()
        if "Chinese New Year (Spring Festival)" in name and "observed" not in name
    )
    if not days:
        raise ValueError(f"the holiday calendar has no Spring Festival for {year}")
    return days[0]


def official_years() -> list[int]:
    """Years whose adjusted working weekends (调休) are in the installed calendar.

    Examples
    --------
    >>> 2024 in official_years()
    True
    """
    cal = _holidays.China(years=range(2000, _dt.date.today().year + 2))
    return sorted({d.year for d in getattr(cal, "weekend_workdays", set())})


def holiday_features(dates: pd.Series | pd.DatetimeIndex | list) -> pd.DataFrame:
    """Calendar and holiday features for a sequence of dates.

    Columns: ``date``, ``dow`` (0 = Monday), ``is_weekend``, ``is_day_off``
    (weekend or holiday, minus adjusted working weekends), ``is_holiday``,
    ``is_adjusted_workday``, ``holiday`` (key or ``"none"``), ``sf_offset``
    (days from the lunar new year, clipped to ±30), ``sf_window`` (within
    −7..+15 days of it), ``golden_week`` (1–7 October).

    Examples
    --------
    >>> f = holiday_features(pd.date_range("2024-02-08", periods=4))
    >>> f[["sf_offset", "is_holiday"]].values.tolist()
    [[-2, False], [-1, False], [0, True], [1, True]]
    """
    idx = pd.DatetimeIndex(pd.to_datetime(pd.Series(dates)).dt.normalize())
    if len(idx) == 0:
        raise ValueError("no dates given")
    special = china_holidays(idx.min(), idx.max())
    off = special.loc[special["is_day_off"]].drop_duplicates("date").set_index("date")["holiday"]
    work = set(special.loc[~special["is_day_off"], "date"])
    out = pd.DataFrame({"date": idx})
    out["dow"] = idx.dayofweek
    out["is_weekend"] = out["dow"] >= 5
    out["holiday"] = out["date"].map(off).fillna("none")
    out["is_holiday"] = out["holiday"] != "none"
    out["is_adjusted_workday"] = out["date"].isin(work)
    out["is_day_off"] = (out["is_weekend"] | out["is_holiday"]) & ~out["is_adjusted_workday"]
    years = range(idx.min().year - 1, idx.max().year + 2)
    lny = pd.DatetimeIndex([pd.Timestamp(lunar_new_year(y)) for y in years])
    # Offset to the nearest lunar new year, so late-December dates see the next one.
    diffs = (idx.values[:, None] - lny.values[None, :]) / np.timedelta64(1, "D")
    nearest = diffs[np.arange(len(idx)), np.abs(diffs).argmin(axis=1)]
    out["sf_offset"] = np.clip(nearest, -30, 30).astype(int)
    out["sf_window"] = (nearest >= -7) & (nearest <= 15)
    out["golden_week"] = (idx.month == 10) & (idx.day <= 7)
    return out
