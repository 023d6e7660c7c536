"""Fixed-total allocation (PCAM-style marginal analysis) and HQ-to-station scenarios.

The equity metrics live in :mod:`jingwu.allocate.equity` and are re-exported here.
"""

from __future__ import annotations

import heapq
import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..schema import require_columns
from ._common import (
    _as_series,
    _check_current,
    _check_need,
    _check_number,
    _check_station_values,
    _check_total,
)
from .equity import EQUITY_LABELS, EquityMetrics, before_after, equity_metrics, gini
from .queueing import mean_wait


def _delay_cost(lam: float, mu: float, c: int) -> float:
    """Expected total waiting per unit time at a station: λ · W_q (inf if unstable)."""
    if lam == 0:
        return 0.0
    if c <= 0 or lam / mu >= c:
        return math.inf
    return lam * mean_wait(lam, mu, c)


def _gains(
    objective: str, w: np.ndarray, x: np.ndarray, lam: np.ndarray | None, mu: float | None
) -> np.ndarray:
    """Each station's gain from one more officer (the quantity the greedy maximises)."""
    if objective == "max_load":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(x > 0, w / np.maximum(x, 1), np.where(w > 0, math.inf, 0.0))
    if objective == "unmet":
        return np.maximum(0.0, w - x) - np.maximum(0.0, w - x - 1)
    assert lam is not None and mu is not None
    return np.array(
        [_delay_cost(lam[i], mu, int(x[i])) - _delay_cost(lam[i], mu, int(x[i]) + 1) for i in range(len(x))],
        dtype=float,
    )


def _fast_forward_max_load(w: np.ndarray, x: np.ndarray, steps: int) -> np.ndarray:
    """The allocation after the greedy's first picks for ``max_load``, found without picking one by one.

    A station's gains ``w / x`` fall as it receives officers, so the greedy
    hands officers out in the order of a merge of all stations' gain sequences
    (largest gain first, ties to the earlier station).  Every officer whose
    gain exceeds a threshold ``t`` is thus among the first picks, whatever the
    tie-breaks at or below ``t``.  A bisection finds the lowest ``t`` with at
    most ``steps`` such officers; the caller picks the rest one by one.  Float
    division is monotone, so counting uses the very ``w / x`` values the greedy
    compares and the result is identical to it, not just as good.
    """
    pos = w > 0
    first = np.maximum(x, 1)
    cap = first + steps + 1
    if steps <= int(((x == 0) & pos).sum()) or not pos.any():
        return x

    def end(t: float) -> np.ndarray:
        """Per station, the first x >= max(x0, 1) with w / x <= t (x0 when w = 0)."""
        with np.errstate(divide="ignore", over="ignore"):
            guess = np.floor(np.minimum(w / t, cap)) + 1
        e = np.clip(guess, first, cap).astype(np.int64)
        while True:  # the float estimate is off by a step or two at most
            down = pos & (e - 1 >= first) & (w / np.maximum(e - 1, 1) <= t)
            up = pos & (e < cap) & (w / e > t)
            if not (down.any() or up.any()):
                return np.where(pos, e, x)
            e = e - down + up

    def count(t: float) -> int:
        return int((end(t) - x).sum())

    lo, hi = 0.0, float(np.max(np.where(pos, w / first, 0.0)))
    if count(hi) > steps:
        return x
    while True:
        mid = lo + (hi - lo) / 2
        if not lo < mid < hi:
            break
        c = count(mid)
        if c <= steps:
            hi = mid
            if c == steps:
                break
        else:
            lo = mid
    return end(hi)


def _greedy(
    objective: str,
    w: np.ndarray,
    x: np.ndarray,
    steps: int,
    lam: np.ndarray | None = None,
    mu: float | None = None,
) -> np.ndarray:
    """Give ``steps`` officers one at a time to the station with the largest gain.

    Ties go to the first station in ``need``'s order, as an argmax over all
    stations would.  A heap keyed by (−gain, position) holds one entry per
    station, so each pick costs O(log n) instead of O(n); for ``max_load`` most
    picks are skipped by :func:`_fast_forward_max_load`.
    """
    x = x.copy()
    if steps <= 0 or len(x) == 0:
        return x
    if objective == "max_load":
        jumped = _fast_forward_max_load(w, x, steps)
        steps -= int(jumped.sum() - x.sum())
        x = jumped
    heap = [(-g, i) for i, g in enumerate(_gains(objective, w, x, lam, mu).tolist())]
    heapq.heapify(heap)
    # Plain Python floats in the loop: the same IEEE operations as the vector
    # gains above, without NumPy's per-call overhead.
    wl, xl = w.tolist(), x.tolist()
    if objective == "max_load":

        def gain(i: int) -> float:
            return wl[i] / xl[i]
    elif objective == "unmet":

        def gain(i: int) -> float:
            return max(0.0, wl[i] - xl[i]) - max(0.0, wl[i] - xl[i] - 1)
    else:
        if lam is None or mu is None:
            raise ValueError("objective='delay' needs arrival rates and a service rate")

        def gain(i: int) -> float:
            return _delay_cost(lam[i], mu, xl[i]) - _delay_cost(lam[i], mu, xl[i] + 1)

    for done in range(steps):
        top, i = heap[0]
        if top == 0 and objective != "delay":
            # Gains never rise for these objectives: every station is at zero for good, and
            # the first of them takes every remaining officer, as the argmax would.
            xl[i] += steps - done
            break
        xl[i] += 1
        heapq.heapreplace(heap, (-gain(i), i))
    return np.asarray(xl, dtype=np.int64)


def _need_from(data: object, id_col: str, need_col: str, what: str) -> tuple[pd.Series, pd.DataFrame | None]:
    """The need per station from a frame with ``id_col`` and ``need_col`` (or, deprecated, a Series)."""
    if isinstance(data, pd.Series):
        warnings.warn(
            f"{what}: passing need as a Series is deprecated; pass a DataFrame with "
            f"'{id_col}' and '{need_col}' columns (e.g. workload_staffing(...))",
            DeprecationWarning,
            stacklevel=3,
        )
        return data, None
    if not isinstance(data, pd.DataFrame):
        raise DataError(
            f"{what} takes a DataFrame, not {type(data).__name__}",
            column=[id_col, need_col],
            expected=f"a DataFrame with one row per station: '{id_col}' and '{need_col}' "
            "(e.g. workload_staffing(...))",
        )
    if id_col in data.columns:
        frame = data
    elif data.index.name == id_col:
        frame = data.reset_index()
    else:
        frame = require_columns(data, [id_col, need_col], what=what, file="need")
    require_columns(frame, [id_col, need_col], what=what, file="need")
    need = pd.Series(
        frame[need_col].to_numpy(), index=pd.Index(frame[id_col].to_numpy(), name=id_col), name=need_col
    )
    return need, frame


def reallocate(
    data: pd.DataFrame | pd.Series,
    *,
    id_col: str = "station_id",
    need_col: str = "officers_needed",
    current_col: str | None = None,
    minimum_col: str | None = None,
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
    data : DataFrame
        One row per station with ``id_col`` (a column or the index) and the
        workload ``need_col`` -- e.g. :func:`workload_staffing`'s table --
        and optionally today's officers (``current_col``) and minimums
        (``minimum_col``).  A Series of need indexed by station still works
        for a release, with a DeprecationWarning.
    id_col, need_col : str
        Station id and need columns (default ``station_id``, ``officers_needed``).
    current_col, minimum_col : str, optional
        Columns of ``data`` used for ``current`` / ``minimum`` when those
        are not given.
    **options
        As :func:`reallocate_need` (``total``, ``current``, ``minimum``,
        ``objective``, ``arrival_rate``, ``service_rate``).

    Returns
    -------
    Series
        Officers per station (int, indexed by station id), summing to ``total``.

    Raises
    ------
    DataError
        ``data`` is not a DataFrame, lacks the columns, or its values are
        bad (see :func:`reallocate_need`).

    Examples
    --------
    >>> need = pd.DataFrame({"station_id": ["A", "B", "C"], "officers_needed": [10.0, 5.0, 1.0]})
    >>> reallocate(need, total=8, minimum=1).tolist()
    [5, 2, 1]
    """
    need, frame = _need_from(data, id_col, need_col, "reallocate")
    if frame is not None:
        if current is None and current_col is not None:
            require_columns(frame, [current_col], what="reallocate", file="need")
            current = pd.Series(frame[current_col].to_numpy(), index=need.index, name=current_col)
        if minimum_col is not None:
            require_columns(frame, [minimum_col], what="reallocate", file="need")
            minimum = pd.Series(frame[minimum_col].to_numpy(), index=need.index, name=minimum_col)
    return reallocate_need(
        need,
        total=total,
        current=current,
        minimum=minimum,
        objective=objective,
        arrival_rate=arrival_rate,
        service_rate=service_rate,
    )


def reallocate_need(
    need: pd.Series,
    *,
    total: int | None = None,
    current: pd.Series | None = None,
    minimum: pd.Series | dict | int = 0,
    objective: str = "max_load",
    arrival_rate: pd.Series | None = None,
    service_rate: float | None = None,
) -> pd.Series:
    """:func:`reallocate` on a need Series indexed by station (the engine the other planners share).

    Parameters
    ----------
    need : Series
        Workload per station (indexed by station): officers needed (e.g.
        ``workload_staffing(...)["officers_needed"]``) or any workload measure;
        finite numbers >= 0.
    total : int, optional
        Officers to allocate (a whole number); default ``current.sum()``
        (today's total: 无增长).
    current : Series, optional
        Today's officers per station (whole numbers), for the default total;
        it must list exactly the stations of ``need``.
    minimum : Series, dict or int
        Per-station minimums in whole officers (e.g. 5 per station, or
        community-police norms by population).
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

    Raises
    ------
    DataError
        Missing, text, negative or infinite needs, rates or minimums;
        fractional totals, minimums or current officers; a ``current`` that
        lists other stations than ``need`` (the stations are named, with
        near-matching ids suggested); a non-positive ``service_rate``.

    Notes
    -----
    All three objectives are separable, and each station's cost is convex
    and non-increasing in its officers: ``need / x`` and ``max(0, need − x)``
    trivially, Erlang C delay by Dyer & Proll (1977).  For such problems the
    greedy marginal allocation -- start at the minimums and give each next
    officer to the station whose cost falls most (for ``max_load``: the
    station with the highest current load; ties to the station listed first)
    -- is optimal (Fox 1966; the PCAM logic of Chaiken & Dormont 1978).  For
    ``max_load`` the greedy rule gives the lexicographic min-max allocation:
    the largest load cannot be lowered without raising another above it.
    Tests check the optimum against brute force on small instances.

    The greedy runs on a heap (one pick in O(log n)), and for ``max_load``
    a threshold search on the load hands out all officers above the final
    load level at once; both give exactly the officer-by-officer result
    (tests compare them on random instances with ties).

    Examples
    --------
    >>> need = pd.Series({"A": 10.0, "B": 5.0, "C": 1.0})
    >>> reallocate_need(need, total=8, minimum=1).tolist()
    [5, 2, 1]
    """
    w = _check_need(need)
    if objective not in ("max_load", "unmet", "delay"):
        raise ValueError(f"objective must be max_load, unmet or delay, not {objective!r}")
    now = None if current is None else _check_current(current, need.index)
    if total is None:
        if now is None:
            raise ValueError("give total or current (today's officers)")
        total = int(now.sum())
    total = _check_total(total)
    mins = _check_station_values(_as_series(minimum, need.index, "minimum"), "minimum", integer=True)
    if mins.sum() > total:
        raise ValueError(f"the minimums need {int(mins.sum())} officers but the total is {total}")
    x = mins.to_numpy().astype(np.int64)
    lam = mu = None
    if objective == "delay":
        if arrival_rate is None or service_rate is None:
            raise ValueError("objective='delay' needs arrival_rate (per station) and service_rate")
        mu = _check_number(service_rate, "service_rate", positive=True)
        lam = _check_station_values(
            _as_series(arrival_rate, need.index, "arrival_rate"), "arrival_rate"
        ).to_numpy()
        # Stability first: every station needs more units than its offered load.
        stable = np.floor(lam / mu).astype(np.int64) + 1
        stable[lam == 0] = 0
        x = np.maximum(x, stable)
        if x.sum() > total:
            raise ValueError(
                f"{int(x.sum())} officers are needed just to keep every queue stable; the total is {total}"
            )
    x = _greedy(objective, w, x, int(total - x.sum()), lam, mu)
    return pd.Series(x.astype(int), index=need.index, name="officers")


def sink_scenarios(
    need: pd.Series,
    current: pd.Series,
    ks: list[int] | range,
    *,
    minimum: pd.Series | dict | int = 0,
    objective: str = "max_load",
    **kwargs: Any,
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
    _check_need(need)
    rows = []
    base_total = int(_check_current(current, need.index).sum())
    for k in ks:
        alloc = reallocate_need(
            need, total=base_total + int(k), minimum=minimum, objective=objective, **kwargs
        )
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
    w = _check_need(need)
    now = _check_current(current, need.index)
    target = _check_number(target, "target", positive=True)
    mins = _check_station_values(_as_series(minimum, need.index, "minimum"), "minimum", integer=True).astype(
        int
    )
    required = np.maximum(mins.to_numpy(), np.ceil(need.to_numpy(dtype=float) / target - 1e-9).astype(int))
    x = now.to_numpy().copy()
    deficit = np.maximum(required - x, 0)
    spare = np.maximum(x - required, 0)
    if deficit.sum() > spare.sum():
        raise ValueError(
            f"today's {int(x.sum())} officers cannot bring every station to load <= {target}: "
            f"{int(deficit.sum() - spare.sum())} more are needed"
        )
    x = x + deficit
    for _ in range(int(deficit.sum())):
        left = x - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            load_without = np.where(left > 0, w / np.maximum(left, 1), np.where(w > 0, np.inf, 0.0))
        load_without[left < required] = np.inf  # a donor keeps what it needs itself
        i = int(np.argmin(load_without))  # first minimum: ties go to station order
        x[i] -= 1
    return pd.Series(x.astype(int), index=need.index, name="officers")


__all__ = [
    "reallocate",
    "reallocate_need",
    "sink_scenarios",
    "minimal_transfers",
    # re-exported from .equity, where they moved
    "EQUITY_LABELS",
    "EquityMetrics",
    "before_after",
    "equity_metrics",
    "gini",
]
