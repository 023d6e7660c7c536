"""From forecast workload to officers per station, and fixed-total reallocation.

Three standard, citable models:

* **Workload-based staffing** (Wilson & Weiss 2012, COPS Office): officer-hours
  on calls (calls × handling hours × officers per call), divided by the share of
  time an officer should spend on calls (the rest is proactive and community
  work), divided by the hours an officer is actually available in a year
  (after leave, training, court: the shift relief factor).
* **Queueing** (M/M/c, Erlang C; Kolesar & Green 1998 square-root staffing):
  the smallest number of units on duty so that a call waits for a free unit
  with at most a target probability, per hour of the week.
* **Fixed-total allocation** ("improvement without growth", 无增长改善;
  moving officers from headquarters to stations, 警力下沉): integer
  allocations that minimise the largest load per officer, the unmet workload
  or the total expected delay, subject to per-station minimums, solved exactly
  (PCAM-style marginal analysis, Chaiken & Dormont 1978).

All functions take plain DataFrames/Series (station-indexed) so that any
forecast, not only :mod:`jingwu.forecast`, can feed them.

Examples
--------
>>> p = StaffingParams(committed_share=1/3, available_hours=1662)
>>> round(officers_needed(20_000 * 0.75 * 1.5, p), 1)   # Wilson & Weiss worked example
40.6
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from . import schema
from .errors import DataError

__all__ = [
    "StaffingParams",
    "PARAM_LABELS",
    "officers_needed",
    "workload_staffing",
    "erlang_c",
    "mean_wait",
    "prob_wait_exceeds",
    "servers_for_target",
    "square_root_staffing",
    "shift_staffing",
    "reallocate",
    "sink_scenarios",
    "gini",
    "equity_metrics",
    "before_after",
    "team_split",
]

#: Mean handling minutes per incident by category: M city's simulated values.
#: Replace with your own (e.g. the mean of ``handling_minutes`` in your
#: incident records) -- they drive every result of this module.
DEFAULT_HANDLING_MINUTES: dict[str, float] = {
    "criminal": 120.0, "public_order": 60.0, "traffic": 45.0, "dispute": 70.0,
    "assistance": 40.0, "fraud": 90.0, "other": 30.0, "all": 60.0,
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
                    rows.append({"parameter": f"handling_minutes[{c}]", "value": m,
                                 "zh": f"{schema.label(c, 'zh')}处置时长(分钟)",
                                 "en": f"Handling minutes, {schema.label(c, 'en')}"})
            else:
                rows.append({"parameter": k, "value": v, **PARAM_LABELS[k]})
        return pd.DataFrame(rows)


PARAM_LABELS: dict[str, dict[str, str]] = {
    "officers_per_call": {"zh": "每起警情出警民警数", "en": "Officers per call"},
    "committed_share": {"zh": "接处警时间占比", "en": "Share of time committed to calls"},
    "available_hours": {"zh": "民警年有效工作时数", "en": "Available hours per officer-year"},
    "planning_quantile": {"zh": "规划分位数", "en": "Planning quantile of the forecast"},
    "min_officers": {"zh": "每所最少民警", "en": "Minimum officers per station"},
    "residents_per_community_officer": {"zh": "每名社区民警服务人口", "en": "Residents per community officer"},
}


def officers_needed(call_officer_hours: float | np.ndarray | pd.Series,
                    params: StaffingParams | None = None) -> float | np.ndarray | pd.Series:
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
        on calls per year), ``officers_needed`` (fractional) and
        ``officers_needed_int`` (rounded up, at least ``min_officers``).

    Examples
    --------
    >>> f = pd.DataFrame({"station_id": ["S1", "S1"], "category": ["traffic", "fraud"],
    ...                   "count": [1000, 500]})
    >>> workload_staffing(f, StaffingParams(available_hours=1500), days=365)["officers_needed"].round(2).tolist()
    [3.0]
    """
    p = params or StaffingParams()
    need_cols = [id_col, value_col] + ([category_col] if category_col else [])
    missing = [c for c in need_cols if c not in demand_forecast.columns]
    if missing:
        raise DataError("missing columns for workload staffing", column=missing,
                        expected=f"columns {need_cols}")
    values = demand_forecast[value_col].to_numpy(dtype=float)
    if (values < 0).any() or not np.isfinite(values).all():
        raise DataError("negative or non-finite workload", column=value_col,
                        rows=np.flatnonzero((values < 0) | ~np.isfinite(values)).tolist(),
                        expected="expected incident counts >= 0")
    if days is None:
        date_col = next((c for c in ("ds", "date") if c in demand_forecast.columns), None)
        days = float(demand_forecast[date_col].nunique()) if date_col else 365.0
    if category_col:
        cats = demand_forecast[category_col].astype(str)
        unknown = sorted(set(cats) - set(p.handling_minutes))
        if unknown:
            raise DataError(f"no handling time for categories {unknown}", column=category_col,
                            expected=f"categories with a handling time: {sorted(p.handling_minutes)}")
        minutes = cats.map(p.handling_minutes).to_numpy(dtype=float)
    else:
        minutes = np.full(len(values), p.handling_minutes["all"])
    scale = 365.0 / days
    frame = pd.DataFrame({id_col: demand_forecast[id_col].to_numpy(),
                          "calls_per_year": values * scale,
                          "call_hours": values * scale * minutes / 60 * p.officers_per_call})
    out = frame.groupby(id_col, sort=True).sum()
    out["officers_needed"] = officers_needed(out["call_hours"], p)
    out["officers_needed_int"] = np.maximum(np.ceil(out["officers_needed"] - 1e-9), p.min_officers).astype(int)
    return out.reset_index()


# ---------------------------------------------------------------------------
# Queueing
# ---------------------------------------------------------------------------

def _check_queue(arrival_rate: float, service_rate: float, servers: int) -> float:
    if arrival_rate < 0 or service_rate <= 0:
        raise ValueError("arrival_rate must be >= 0 and service_rate > 0")
    if int(servers) != servers or servers < 1:
        raise ValueError(f"servers must be a positive integer, got {servers}")
    return arrival_rate / service_rate


def erlang_c(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Probability that a call waits (M/M/c, Erlang C).

    Computed through the Erlang B recursion, which is numerically stable for
    hundreds of servers.  Returns 1.0 when the system is unstable
    (offered load ``a = λ/μ >= c``).

    Examples
    --------
    >>> round(erlang_c(2.0, 1.0, 3), 4)    # a = 2 Erlangs, 3 servers: 4/9
    0.4444
    >>> round(erlang_c(10.0, 1.0, 12), 4)
    0.4494
    """
    a = _check_queue(arrival_rate, service_rate, servers)
    if a >= servers:
        return 1.0
    b = 1.0
    for k in range(1, int(servers) + 1):
        b = a * b / (k + a * b)
    return servers * b / (servers - a * (1 - b))


def mean_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean wait for a free unit (same time unit as the rates); ``inf`` if unstable.

    Examples
    --------
    >>> round(mean_wait(2.0, 1.0, 3), 4)   # C / (cμ − λ) = (4/9) / 1
    0.4444
    """
    a = _check_queue(arrival_rate, service_rate, servers)
    if a >= servers:
        return math.inf
    return erlang_c(arrival_rate, service_rate, servers) / (servers * service_rate - arrival_rate)


def prob_wait_exceeds(t: float, arrival_rate: float, service_rate: float, servers: int) -> float:
    """P(wait > t) = C · exp(−(cμ − λ) t).

    Examples
    --------
    >>> round(prob_wait_exceeds(0.0, 2.0, 1.0, 3), 4)
    0.4444
    """
    a = _check_queue(arrival_rate, service_rate, servers)
    if a >= servers:
        return 1.0
    return erlang_c(arrival_rate, service_rate, servers) * math.exp(
        -(servers * service_rate - arrival_rate) * t)


def servers_for_target(arrival_rate: float, service_rate: float, *, max_wait_prob: float | None = None,
                       wait_time: float = 0.0, max_servers: int = 10_000) -> int:
    """Smallest number of units with P(wait > ``wait_time``) <= ``max_wait_prob``.

    With ``wait_time = 0`` the target is on the probability of waiting at all
    (Erlang C).  Zero demand needs zero units.

    Examples
    --------
    >>> servers_for_target(10.0, 1.0, max_wait_prob=0.2)
    14
    """
    if max_wait_prob is None or not 0 < max_wait_prob < 1:
        raise ValueError("max_wait_prob must be in (0, 1)")
    if arrival_rate == 0:
        return 0
    c = max(1, int(math.floor(arrival_rate / service_rate)) + 1)
    while prob_wait_exceeds(wait_time, arrival_rate, service_rate, c) > max_wait_prob:
        c += 1
        if c > max_servers:
            raise ValueError("no staffing up to max_servers meets the target")
    return c


def square_root_staffing(arrival_rate: float, service_rate: float, *, max_wait_prob: float) -> int:
    """Square-root staffing ``c = ⌈a + β√a⌉`` (Halfin–Whitt; Kolesar & Green 1998).

    β solves ``[1 + β Φ(β) / φ(β)]⁻¹ = max_wait_prob``, the large-system
    approximation of the Erlang C target.

    Examples
    --------
    >>> square_root_staffing(10.0, 1.0, max_wait_prob=0.2)
    14
    """
    if not 0 < max_wait_prob < 1:
        raise ValueError("max_wait_prob must be in (0, 1)")
    from scipy.optimize import brentq

    a = arrival_rate / service_rate
    if a == 0:
        return 0
    beta = brentq(lambda b: 1 / (1 + b * stats.norm.cdf(b) / stats.norm.pdf(b)) - max_wait_prob, 1e-9, 10)
    return int(math.ceil(a + beta * math.sqrt(a)))


def shift_staffing(profile: pd.DataFrame, calls_per_week: float, *, handling_minutes: float,
                   max_wait_prob: float = 0.2, wait_minutes: float = 0.0,
                   officers_per_call: float = 1.0) -> pd.DataFrame:
    """Units needed on duty per hour of the week from an hour-of-week profile.

    Parameters
    ----------
    profile : DataFrame
        ``dow`` (0 = Monday), ``hour`` and ``share`` (summing to 1 over the
        168 hours) -- the shape of weekly demand.
    calls_per_week : float
        Expected (or planning-quantile) calls in a week.
    handling_minutes : float
        Mean handling time of a call.

    Returns
    -------
    DataFrame
        Per hour: ``arrival_rate`` (calls/hour), ``erlang_c_units``,
        ``sqrt_units`` (square-root rule) and ``officers`` (units × officers
        per call).

    Examples
    --------
    >>> prof = pd.DataFrame({"dow": [0, 0], "hour": [0, 1], "share": [0.25, 0.75]})
    >>> shift_staffing(prof, 40, handling_minutes=60)["erlang_c_units"].tolist()
    [14, 37]
    """
    need = {"dow", "hour", "share"} - set(profile.columns)
    if need:
        raise DataError("missing columns in the hour-of-week profile", column=sorted(need),
                        expected="dow, hour, share")
    mu = 60.0 / handling_minutes
    out = profile[["dow", "hour", "share"]].copy()
    out["arrival_rate"] = out["share"] * calls_per_week
    out["erlang_c_units"] = [servers_for_target(lam, mu, max_wait_prob=max_wait_prob,
                                                wait_time=wait_minutes / 60) for lam in out["arrival_rate"]]
    out["sqrt_units"] = [square_root_staffing(lam, mu, max_wait_prob=max_wait_prob) if lam > 0 else 0
                         for lam in out["arrival_rate"]]
    out["officers"] = np.ceil(out["erlang_c_units"] * officers_per_call).astype(int)
    return out


# ---------------------------------------------------------------------------
# Fixed-total allocation
# ---------------------------------------------------------------------------

def _as_series(x: pd.Series | dict | float | int, index: pd.Index, name: str) -> pd.Series:
    if isinstance(x, pd.Series):
        missing = index.difference(x.index)
        if len(missing):
            raise DataError(f"{name} is missing stations {list(missing[:5])}", column=name)
        return x.reindex(index).astype(float)
    if isinstance(x, dict):
        return _as_series(pd.Series(x), index, name)
    return pd.Series(float(x), index=index)


def _delay_cost(lam: float, mu: float, c: int) -> float:
    """Expected total waiting per unit time at a station: λ · W_q (inf if unstable)."""
    if lam == 0:
        return 0.0
    if c <= 0 or lam / mu >= c:
        return math.inf
    return lam * mean_wait(lam, mu, c)


def reallocate(
    need: pd.Series,
    *,
    total: int | None = None,
    current: pd.Series | None = None,
    minimum: pd.Series | dict | int = 0,
    objective: str = "max_load",
    arrival_rate: pd.Series | None = None,
    service_rate: float | None = None,
) -> pd.Series:
    """Integer allocation of a fixed total of officers across stations.

    Parameters
    ----------
    need : Series
        Workload per station (indexed by station): officers needed (e.g.
        ``workload_staffing(...)["officers_needed"]``) or any workload measure.
    total : int, optional
        Officers to allocate; default ``current.sum()`` (today's total: 无增长).
    current : Series, optional
        Today's officers per station (for the default total).
    minimum : Series, dict or int
        Per-station minimums (e.g. 5 per station, or community-police norms
        by population).
    objective : {"max_load", "unmet", "delay"}
        * ``max_load``: minimise the largest load per officer ``need / x``;
          ties broken by minimising the next largest, and so on.
        * ``unmet``: minimise total unmet workload ``Σ max(0, need − x)``.
        * ``delay``: minimise total expected queueing delay ``Σ λ W_q(x)``
          (M/M/c per station; needs ``arrival_rate`` per station and
          ``service_rate``).

    Returns
    -------
    Series
        Officers per station (int), summing to ``total``.

    Notes
    -----
    All three objectives are separable, and each station's cost is convex
    and non-increasing in its officers: ``need / x`` and ``max(0, need − x)``
    trivially, Erlang C delay by Dyer & Proll (1977).  For such problems the
    greedy marginal allocation -- start at the minimums and give each next
    officer to the station whose cost falls most (for ``max_load``: the
    station with the highest current load) -- is optimal (Fox 1966; the
    PCAM logic of Chaiken & Dormont 1978).  For ``max_load`` the greedy rule
    gives the lexicographic min-max allocation: the largest load cannot be
    lowered without raising another above it.  Tests check the optimum
    against brute force on small instances.

    Examples
    --------
    >>> need = pd.Series({"A": 10.0, "B": 5.0, "C": 1.0})
    >>> reallocate(need, total=8, minimum=1).tolist()
    [5, 2, 1]
    """
    if not isinstance(need, pd.Series):
        raise TypeError("need must be a pandas Series indexed by station")
    if need.isna().any() or (need < 0).any():
        raise DataError("need must be non-negative and not missing",
                        rows=list(need.index[need.isna() | (need < 0)]))
    if objective not in ("max_load", "unmet", "delay"):
        raise ValueError(f"objective must be max_load, unmet or delay, not {objective!r}")
    if total is None:
        if current is None:
            raise ValueError("give total or current (today's officers)")
        total = int(current.reindex(need.index).sum())
    mins = _as_series(minimum, need.index, "minimum").astype(int)
    if (mins < 0).any():
        raise ValueError("minimums must be >= 0")
    if mins.sum() > total:
        raise ValueError(f"the minimums need {int(mins.sum())} officers but the total is {total}")
    x = mins.to_numpy().copy()
    w = need.to_numpy(dtype=float)
    if objective == "delay":
        if arrival_rate is None or service_rate is None:
            raise ValueError("objective='delay' needs arrival_rate (per station) and service_rate")
        lam = _as_series(arrival_rate, need.index, "arrival_rate").to_numpy()
        # Stability first: every station needs more units than its offered load.
        stable = np.floor(lam / service_rate).astype(int) + 1
        stable[lam == 0] = 0
        x = np.maximum(x, stable)
        if x.sum() > total:
            raise ValueError(f"{int(x.sum())} officers are needed just to keep every queue stable; "
                             f"the total is {total}")

    def gain(i: int) -> float:
        if objective == "max_load":
            return w[i] / x[i] if x[i] > 0 else (math.inf if w[i] > 0 else 0.0)
        if objective == "unmet":
            return max(0.0, w[i] - x[i]) - max(0.0, w[i] - x[i] - 1)
        return _delay_cost(lam[i], service_rate, x[i]) - _delay_cost(lam[i], service_rate, x[i] + 1)

    # A heap would be O(n log n) per step; n is stations (tens to thousands) so
    # a vector argmax per officer is simple and fast enough.
    gains = np.array([gain(i) for i in range(len(x))])
    for _ in range(int(total - x.sum())):
        i = int(np.argmax(gains))   # first maximum: deterministic tie-break by station order
        x[i] += 1
        gains[i] = gain(i)
    return pd.Series(x.astype(int), index=need.index, name="officers")


def gini(values: np.ndarray | pd.Series) -> float:
    """Gini coefficient of non-negative values (0 = all equal).

    Examples
    --------
    >>> gini([1, 1, 1, 1]), round(gini([0, 0, 0, 1]), 2)
    (0.0, 0.75)
    """
    v = np.sort(np.asarray(values, dtype=float))
    if (v < 0).any():
        raise ValueError("gini needs non-negative values")
    if v.sum() == 0:
        return 0.0
    n = len(v)
    return float((2 * np.arange(1, n + 1) - n - 1).dot(v) / (n * v.sum()))


def equity_metrics(need: pd.Series, officers: pd.Series) -> dict[str, float]:
    """Fit between workload and staffing.

    ``max_load`` and ``gini_load`` of load per officer (need / officers),
    ``share_over_capacity`` (stations whose need exceeds their officers) and
    ``coverage`` (demand-weighted: Σ min(officers, need) / Σ need).

    Examples
    --------
    >>> m = equity_metrics(pd.Series([4.0, 2.0]), pd.Series([2, 2]))
    >>> m["max_load"], m["share_over_capacity"], m["coverage"]
    (2.0, 0.5, 0.6666666666666666)
    """
    officers = officers.reindex(need.index).astype(float)
    load = need / officers.where(officers > 0)
    return {
        "max_load": float(load.max()),
        "gini_load": gini(load.fillna(0)),
        "share_over_capacity": float((need > officers).mean()),
        "coverage": float(np.minimum(officers, need).sum() / need.sum()) if need.sum() else 1.0,
    }


def before_after(need: pd.Series, before: pd.Series, after: pd.Series) -> pd.DataFrame:
    """Per-station before/after table: officers, change and load per officer.

    Examples
    --------
    >>> t = before_after(pd.Series({"A": 4.0}), pd.Series({"A": 2}), pd.Series({"A": 4}))
    >>> t[["officers_before", "officers_after", "change", "load_after"]].values.tolist()
    [[2.0, 4.0, 2.0, 1.0]]
    """
    out = pd.DataFrame({"need": need, "officers_before": before.reindex(need.index).astype(float),
                        "officers_after": after.reindex(need.index).astype(float)})
    out["change"] = out["officers_after"] - out["officers_before"]
    out["load_before"] = out["need"] / out["officers_before"]
    out["load_after"] = out["need"] / out["officers_after"]
    out.index.name = need.index.name or "station_id"
    return out


def sink_scenarios(
    need: pd.Series,
    current: pd.Series,
    ks: list[int] | range,
    *,
    minimum: pd.Series | dict | int = 0,
    objective: str = "max_load",
    **kwargs: object,
) -> pd.DataFrame:
    """Move k officers from headquarters down to stations (警力下沉), for each k.

    Each scenario reallocates today's station total plus k officers and
    reports the objective and equity metrics, so the service-gain curve (and
    its diminishing returns) can be plotted.

    Examples
    --------
    >>> need = pd.Series({"A": 10.0, "B": 5.0})
    >>> s = sink_scenarios(need, pd.Series({"A": 3, "B": 3}), [0, 2, 4])
    >>> s["max_load"].round(2).tolist()
    [2.5, 2.0, 1.67]
    """
    rows = []
    base_total = int(current.reindex(need.index).sum())
    for k in ks:
        alloc = reallocate(need, total=base_total + int(k), minimum=minimum, objective=objective, **kwargs)
        rows.append({"k": int(k), "total": base_total + int(k), **equity_metrics(need, alloc)})
    out = pd.DataFrame(rows)
    out["marginal_gain"] = -out["max_load"].diff()
    return out


def team_split(category_hours: pd.DataFrame, officers: pd.Series, *,
               community_min_share: float = 0.4, command_share: float = 0.1,
               min_command: int = 2) -> pd.DataFrame:
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
        rows.append({"station_id": sid, "officers": n, "community": community, "case": case,
                     "command": n - community - case})
    return pd.DataFrame(rows).set_index("station_id")
