"""Workload-based staffing (Wilson & Weiss 2012): parameters, officer need, incident mix, team split."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from ..errors import DataError
from ..schema import require_columns
from ._common import _bad_values, _check_int, _check_number

#: Mean handling minutes per incident by category: M city's simulated values.
#: Replace with your own (e.g. the mean of ``handling_minutes`` in your
#: incident records) -- they drive every result of this module.
DEFAULT_HANDLING_MINUTES: dict[str, float] = {
    "criminal": 120.0,
    "public_order": 60.0,
    "traffic": 45.0,
    "dispute": 70.0,
    "assistance": 40.0,
    "fraud": 90.0,
    "other": 30.0,
    "all": 60.0,
}


@dataclass(frozen=True)
class StaffingParams:
    """Parameters of workload-based staffing, with cited defaults.

    Attributes
    ----------
    handling_minutes : dict
        Mean minutes an incident of each category takes to handle
        (处置时长).  Default: M city's simulated values.
    officers_per_call : float
        Sworn officers (民警) sent per incident (出警民警数).  In China one
        officer with one auxiliary is common, so 1.0 officer; Wilson & Weiss's
        US example uses 1.5.
    committed_share : float
        Share of an officer's available time committed to calls (接处警时间占比);
        the rest is proactive, community and administrative work.  Wilson &
        Weiss (2012) recommend about one third.
    available_hours : float
        Hours an officer is actually available per year after leave,
        training, court and sickness (年有效工作时数).  1,662 h reproduces
        Wilson & Weiss's worked example; equivalently 8 h × 365 / relief
        factor 1.76.
    planning_quantile : float
        Plan on this forecast quantile, not the mean (规划分位数); 0.8 by default.
    min_officers : int
        No station below this many officers (MPS 2019 norm: at least 5).
    residents_per_community_officer : float
        One community officer (社区民警) per this many residents (MPS norm
        3,000–5,000; 5,000 by default, the lenient end).
    """

    handling_minutes: dict = field(default_factory=lambda: dict(DEFAULT_HANDLING_MINUTES))
    officers_per_call: float = 1.0
    committed_share: float = 1 / 3
    available_hours: float = 1662.0
    planning_quantile: float = 0.8
    min_officers: int = 5
    residents_per_community_officer: float = 5000.0

    def __post_init__(self) -> None:
        if not 0 < self.committed_share <= 1:
            raise ValueError(f"committed_share must be in (0, 1], got {self.committed_share}")
        if self.available_hours <= 0 or self.officers_per_call <= 0:
            raise ValueError("available_hours and officers_per_call must be positive")
        if not 0 < self.planning_quantile < 1:
            raise ValueError("planning_quantile must be in (0, 1)")

    def to_frame(self) -> pd.DataFrame:
        """The parameters as a labelled table (for the notebook and papers)."""
        rows = []
        for k, v in asdict(self).items():
            if k == "handling_minutes":
                for c, m in v.items():
                    rows.append(
                        {
                            "parameter": f"handling_minutes[{c}]",
                            "value": m,
                            "zh": f"{schema.label(c, 'zh')}处置时长(分钟)",
                            "en": f"Handling minutes, {schema.label(c, 'en')}",
                        }
                    )
            else:
                rows.append({"parameter": k, "value": v, **PARAM_LABELS[k]})
        return pd.DataFrame(rows)


PARAM_LABELS: dict[str, dict[str, str]] = {
    "officers_per_call": {"zh": "每起警情出警民警数", "en": "Officers per call"},
    "committed_share": {"zh": "接处警时间占比", "en": "Share of time committed to calls"},
    "available_hours": {"zh": "民警年有效工作时数", "en": "Available hours per officer-year"},
    "planning_quantile": {"zh": "规划分位数", "en": "Planning quantile of the forecast"},
    "min_officers": {"zh": "每所最少民警", "en": "Minimum officers per station"},
    "residents_per_community_officer": {
        "zh": "每名社区民警服务人口",
        "en": "Residents per community officer",
    },
}


def officers_needed(
    call_officer_hours: float | np.ndarray | pd.Series, params: StaffingParams | None = None
) -> float | np.ndarray | pd.Series:
    """Officers needed for a yearly volume of officer-hours on calls.

    ``officers = call_officer_hours / committed_share / available_hours``.

    Examples
    --------
    >>> round(officers_needed(22_500, StaffingParams(available_hours=1662)), 1)
    40.6
    """
    p = params or StaffingParams()
    return call_officer_hours / p.committed_share / p.available_hours


def workload_staffing(
    demand_forecast: pd.DataFrame,
    params: StaffingParams | None = None,
    *,
    id_col: str = "station_id",
    category_col: str | None = "category",
    value_col: str = "count",
    days: float | None = None,
) -> pd.DataFrame:
    """Officers each station needs under the workload-based method.

    Parameters
    ----------
    demand_forecast : DataFrame
        Expected incidents per station (and category, if ``category_col`` is
        given) over a horizon of ``days`` days -- e.g. the planning quantile of
        a 28-day forecast.  Several rows per station/category are summed.
    params : StaffingParams
    days : float, optional
        Length of the horizon, to annualise; default: the number of distinct
        dates in a ``ds``/``date`` column, else 365 (the values are yearly).

    Returns
    -------
    DataFrame
        One row per station: ``calls_per_year``, ``call_hours`` (officer-hours
        on calls per year), ``handling_minutes`` (the call-weighted mean
        handling time of its incident mix; NaN without calls),
        ``officers_needed`` (fractional) and
        ``officers_needed_int`` (rounded up, at least ``min_officers``).

    Examples
    --------
    >>> f = pd.DataFrame({"station_id": ["S1", "S1"], "category": ["traffic", "fraud"],
    ...                   "count": [1000, 500]})
    >>> need = workload_staffing(f, StaffingParams(available_hours=1500), days=365)
    >>> need["officers_needed"].round(2).tolist()
    [3.0]
    """
    p = params or StaffingParams()
    need_cols = [id_col, value_col] + ([category_col] if category_col else [])
    require_columns(demand_forecast, need_cols, what="workload staffing")
    vals, bad = _bad_values(demand_forecast[value_col], integer=False)
    if bad.any():
        raise DataError(
            f"{int(bad.sum())} row(s) with negative, missing, text or non-finite workload",
            column=value_col,
            rows=[str(s) for s in demand_forecast[id_col].to_numpy()[bad]],
            expected="expected incident counts >= 0 (rows named by station id)",
        )
    values = vals.to_numpy()
    if days is None:
        date_col = next((c for c in ("ds", "date") if c in demand_forecast.columns), None)
        days = float(demand_forecast[date_col].nunique()) if date_col else 365.0
    days = _check_number(days, "days", positive=True)
    if category_col:
        cats = demand_forecast[category_col].astype(str)
        unknown = sorted(set(cats) - set(p.handling_minutes))
        if unknown:
            raise DataError(
                f"no handling time for categories {unknown}",
                column=category_col,
                expected=f"categories with a handling time: {sorted(p.handling_minutes)}",
            )
        minutes = cats.map(p.handling_minutes).to_numpy(dtype=float)
    else:
        minutes = np.full(len(values), p.handling_minutes["all"])
    scale = 365.0 / days
    frame = pd.DataFrame(
        {
            id_col: demand_forecast[id_col].to_numpy(),
            "calls_per_year": values * scale,
            "call_hours": values * scale * minutes / 60 * p.officers_per_call,
        }
    )
    out = frame.groupby(id_col, sort=True).sum()
    calls = out["calls_per_year"].where(out["calls_per_year"] > 0)
    out["handling_minutes"] = out["call_hours"] * 60 / p.officers_per_call / calls
    out["officers_needed"] = officers_needed(out["call_hours"], p)
    out["officers_needed_int"] = np.maximum(np.ceil(out["officers_needed"] - 1e-9), p.min_officers).astype(
        int
    )
    return out.reset_index()


def category_workload(
    totals: pd.Series,
    demand: pd.DataFrame,
    *,
    days: int = 365,
    category_col: str = "category",
) -> pd.DataFrame:
    """Split each station's total incidents by its recent incident mix.

    The share of each category in the station's last ``days`` days of
    demand, times the station's total: the long format
    :func:`workload_staffing` takes, so that each category is weighted by
    its own handling time.

    Parameters
    ----------
    totals : Series
        Incidents per station (indexed by station id), e.g. the plan of
        :func:`horizon_total`.
    demand : DataFrame
        Daily demand: ``station_id``, ``date``, ``category``, ``count``.
    days : int
        Length of the recent period whose mix is used.

    Returns
    -------
    DataFrame
        ``station_id, category, count``.

    Examples
    --------
    >>> d = pd.DataFrame({"station_id": "S1", "date": pd.Timestamp("2024-12-31"),
    ...                   "category": ["fraud", "traffic"], "count": [1, 3]})
    >>> category_workload(pd.Series({"S1": 100.0}), d)["count"].tolist()
    [25.0, 75.0]
    """
    if not isinstance(totals, pd.Series):
        raise ValueError("totals must be a pandas Series indexed by station")
    days = _check_int(days, "days", 1)
    require_columns(demand, ["station_id", "date", category_col, "count"], what="the incident mix")
    d = demand[["station_id", "date", category_col, "count"]].copy()
    d["station_id"] = d["station_id"].astype(str)
    d[category_col] = d[category_col].astype(str)
    d["date"] = pd.to_datetime(d["date"])
    d = d[d["date"] > d["date"].max() - pd.Timedelta(days=days)]
    mix = d.groupby(["station_id", category_col], sort=True)["count"].sum()
    by_station = mix.groupby(level=0).sum()
    idx = pd.Index(totals.index.astype(str))
    lacking = [s for s in idx if by_station.get(s, 0) <= 0]
    if lacking:
        raise DataError(
            f"no recent incidents to split the total of stations {lacking[:5]}",
            column="station_id",
            expected=f"incidents in the last {days} days",
        )
    share = (mix / by_station.reindex(mix.index.get_level_values(0)).to_numpy()).rename("share").reset_index()
    share = share[share["station_id"].isin(idx)]
    total = pd.Series(totals.to_numpy(dtype=float), index=idx)
    share["count"] = share["share"] * share["station_id"].map(total)
    return share[["station_id", category_col, "count"]].reset_index(drop=True)


def category_hours(
    workload: pd.DataFrame,
    params: StaffingParams | None = None,
    *,
    id_col: str = "station_id",
    category_col: str = "category",
    value_col: str = "count",
) -> pd.DataFrame:
    """Officer-hours on calls per station (rows) and category (columns).

    ``count × handling minutes / 60 × officers per call`` -- the input of
    :func:`team_split`.

    Examples
    --------
    >>> w = pd.DataFrame({"station_id": ["S1", "S1"], "category": ["fraud", "traffic"], "count": [2, 4]})
    >>> category_hours(w).loc["S1"].tolist()
    [3.0, 3.0]
    """
    p = params or StaffingParams()
    require_columns(workload, [id_col, category_col, value_col], what="category hours")
    cats = workload[category_col].astype(str)
    unknown = sorted(set(cats) - set(p.handling_minutes))
    if unknown:
        raise DataError(
            f"no handling time for categories {unknown}",
            column=category_col,
            expected=f"categories with a handling time: {sorted(p.handling_minutes)}",
        )
    hours = (
        workload[value_col].to_numpy(dtype=float)
        * cats.map(p.handling_minutes).to_numpy(dtype=float)
        / 60
        * p.officers_per_call
    )
    frame = pd.DataFrame(
        {id_col: workload[id_col].astype(str).to_numpy(), category_col: cats.to_numpy(), "hours": hours}
    )
    return frame.pivot_table(
        index=id_col, columns=category_col, values="hours", aggfunc="sum", fill_value=0.0
    ).rename_axis(columns=None)


def need_sensitivity(
    workload: pd.DataFrame,
    params: StaffingParams | None = None,
    *,
    grid: dict[str, Sequence[float]],
    **kwargs: Any,
) -> pd.DataFrame:
    """Total officers needed when the staffing parameters change.

    The workload method is linear: the need scales with officers per call
    and inversely with the committed share and the available hours.  This
    table makes the consequences visible (e.g. two officers per call).

    Parameters
    ----------
    workload : DataFrame
        As for :func:`workload_staffing`.
    params : StaffingParams
        The baseline; each combination of ``grid`` values replaces fields of it.
    grid : dict
        Field name -> values (e.g. ``{"officers_per_call": [1, 2]}``).
    **kwargs
        Passed to :func:`workload_staffing` (``days=`` …).

    Returns
    -------
    DataFrame
        One row per combination: the grid fields, ``officers_needed`` (sum of
        the fractional needs) and ``officers_needed_int`` (sum of the
        per-station whole numbers, minimums included).

    Examples
    --------
    >>> w = pd.DataFrame({"station_id": ["S1"], "category": ["traffic"], "count": [3324.0]})
    >>> t = need_sensitivity(w, grid={"officers_per_call": [1.0, 2.0]}, days=365)
    >>> t["officers_needed"].round(1).tolist()
    [4.5, 9.0]
    """
    p = params or StaffingParams()
    if not isinstance(grid, dict) or not grid:
        raise ValueError("grid must be a non-empty dict of parameter name -> values")
    fields = set(asdict(p))
    unknown = sorted(set(grid) - fields)
    if unknown:
        raise ValueError(f"unknown staffing parameters {unknown}; choose from {sorted(fields)}")
    names = list(grid)
    rows = []
    for combo in pd.MultiIndex.from_product([list(grid[k]) for k in names]):
        combo = combo if isinstance(combo, tuple) else (combo,)
        q = replace(p, **dict(zip(names, combo)))
        out = workload_staffing(workload, q, **kwargs)
        rows.append(
            {
                **dict(zip(names, combo)),
                "officers_needed": float(out["officers_needed"].sum()),
                "officers_needed_int": int(out["officers_needed_int"].sum()),
            }
        )
    return pd.DataFrame(rows)


def station_minimums(
    stations: pd.DataFrame,
    params: StaffingParams | None = None,
    *,
    community: bool = True,
) -> pd.Series:
    """Fewest officers each station may have under the MPS norms.

    At least ``min_officers`` (5) per station and, with ``community=True``,
    at least one community officer per ``residents_per_community_officer``
    residents (rounded up) -- the community officers belong to the station's
    strength, so they set a floor too.

    Examples
    --------
    >>> st = pd.DataFrame({"station_id": ["A", "B"], "population": [12_000, 40_001]})
    >>> station_minimums(st).tolist(), station_minimums(st, community=False).tolist()
    ([5, 9], [5, 5])
    """
    p = params or StaffingParams()
    need = ["station_id"] + (["population"] if community else [])
    require_columns(stations, need, what="station minimums")
    idx = pd.Index(stations["station_id"].astype(str), name="station_id")
    out = pd.Series(int(p.min_officers), index=idx, name="minimum")
    if community:
        pop = pd.to_numeric(stations["population"], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(pop) | (pop < 0)
        if bad.any():
            raise DataError(
                "missing or negative population",
                column="population",
                rows=np.flatnonzero(bad).tolist(),
                expected="residents >= 0",
            )
        community_officers = np.ceil(pop / p.residents_per_community_officer - 1e-9).astype(int)
        out = pd.Series(np.maximum(out.to_numpy(), community_officers), index=idx, name="minimum")
    return out


def team_split(
    category_hours: pd.DataFrame,
    officers: pd.Series,
    *,
    community_min_share: float = 0.4,
    command_share: float = 0.1,
    min_command: int = 2,
) -> pd.DataFrame:
    """Split each station's officers across 两队一室 from its workload mix.

    Community policing team (社区警务队): disputes, assistance, other calls,
    plus community work; case-handling team (案件办理队): criminal, fraud and
    public-order work; command room (综合指挥室): a fixed share (at least
    ``min_command``).  The community team gets at least
    ``community_min_share`` of the station (MPS 2019 norm: 40 %).

    Parameters
    ----------
    category_hours : DataFrame
        Workload hours per station (index) and category (columns).
    officers : Series
        Officers per station.

    Examples
    --------
    >>> hours = pd.DataFrame({"criminal": [60.0], "dispute": [40.0]}, index=["S1"])
    >>> team_split(hours, pd.Series({"S1": 20}))[["community", "case", "command"]].values.tolist()
    [[8, 10, 2]]
    """
    case_cats = [c for c in ("criminal", "fraud", "public_order") if c in category_hours.columns]
    total_hours = category_hours.sum(axis=1)
    case_share = category_hours[case_cats].sum(axis=1) / total_hours.where(total_hours > 0)
    rows = []
    for sid, n in officers.items():
        n = int(n)
        command = min(n, max(min_command, int(round(command_share * n))))
        rest = n - command
        case = int(round(rest * float(case_share.get(sid, 0.5))))
        community = rest - case
        floor = int(math.ceil(community_min_share * n))
        if community < floor:
            community, case = floor, max(0, rest - floor)
        rows.append(
            {
                "station_id": sid,
                "officers": n,
                "community": community,
                "case": case,
                "command": n - community - case,
            }
        )
    return pd.DataFrame(rows).set_index("station_id")
