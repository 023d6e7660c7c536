"""Fixed-total allocation (PCAM-style marginal analysis), HQ-to-station scenarios, equity metrics."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import DataError
from ._common import _as_series
from .queueing import mean_wait

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


def minimal_transfers(
    need: pd.Series,
    current: pd.Series,
    *,
    target: float = 1.0,
    minimum: pd.Series | dict | int = 0,
) -> pd.Series:
    """The fewest moves of officers that bring every station to ``need / officers <= target``.

    A station over the target needs ``ceil(need / target) − current`` more
    officers; every one of them has to come from some other station, so
    their sum is a lower bound on the moves, and it is reached: each officer
    is taken from the station that stays least loaded without it, never
    below its own requirement (``max(minimum, ceil(need / target))``).
    The smallest-change alternative to the full re-balancing of
    :func:`reallocate`.

    Raises
    ------
    ValueError
        When today's total cannot meet the target (the shortfall is named):
        then officers have to come from headquarters (:func:`sink_scenarios`).

    Returns
    -------
    Series
        Officers per station after the moves (same total as ``current``).

    Examples
    --------
    >>> need = pd.Series({"A": 12.0, "B": 3.0, "C": 4.0})
    >>> minimal_transfers(need, pd.Series({"A": 8, "B": 8, "C": 8})).tolist()
    [12, 5, 7]
    """
    if not isinstance(need, pd.Series) or not isinstance(current, pd.Series):
        raise TypeError("need and current must be pandas Series indexed by station")
    if not (isinstance(target, (int, float, np.integer, np.floating)) and target > 0):
        raise ValueError(f"target must be positive, got {target!r}")
    if need.isna().any() or (need < 0).any():
        raise DataError("need must be non-negative and not missing",
                        rows=list(need.index[need.isna() | (need < 0)]))
    now = _as_series(current, need.index, "current")
    if now.isna().any() or (now < 0).any() or (now != np.round(now)).any():
        raise DataError("current officers must be whole numbers >= 0", column="current")
    now = now.astype(int)
    mins = _as_series(minimum, need.index, "minimum").astype(int)
    required = np.maximum(mins.to_numpy(), np.ceil(need.to_numpy(dtype=float) / target - 1e-9).astype(int))
    x = now.to_numpy().copy()
    deficit = np.maximum(required - x, 0)
    spare = np.maximum(x - required, 0)
    if deficit.sum() > spare.sum():
        raise ValueError(f"today's {int(x.sum())} officers cannot bring every station to load <= {target}: "
                         f"{int(deficit.sum() - spare.sum())} more are needed")
    w = need.to_numpy(dtype=float)
    x = x + deficit
    for _ in range(int(deficit.sum())):
        left = x - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            load_without = np.where(left > 0, w / np.maximum(left, 1), np.where(w > 0, np.inf, 0.0))
        load_without[left < required] = np.inf       # a donor keeps what it needs itself
        i = int(np.argmin(load_without))              # first minimum: ties go to station order
        x[i] -= 1
    return pd.Series(x.astype(int), index=need.index, name="officers")
