"""Queueing: Erlang C (M/M/c), square-root staffing, staffing per hour of the week."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError
from ..schema import require_columns
from ._common import _bad_values, _check_int, _check_number, _is_real


def _check_queue(arrival_rate: float, service_rate: float, servers: int) -> float:
    lam = _check_number(arrival_rate, "arrival_rate")
    mu = _check_number(service_rate, "service_rate", positive=True)
    if not _is_real(servers) or not math.isfinite(float(servers)) or int(servers) != servers or servers < 1:
        raise ValueError(f"servers must be a positive integer, got {servers!r}")
    return lam / mu


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
        -(servers * service_rate - arrival_rate) * t
    )


def servers_for_target(
    arrival_rate: float,
    service_rate: float,
    *,
    max_wait_prob: float | None = None,
    wait_time: float = 0.0,
    max_servers: int = 10_000,
) -> int:
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


def shift_staffing(
    profile: pd.DataFrame,
    calls_per_week: float,
    *,
    handling_minutes: float,
    max_wait_prob: float = 0.2,
    wait_minutes: float = 0.0,
    officers_per_call: float = 1.0,
    min_units: int = 0,
) -> pd.DataFrame:
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
    min_units : int
        Units on duty at every hour whatever the demand (e.g. 1: a station is
        manned around the clock, 24小时值班); applied to both rules.

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
    >>> prof0 = pd.DataFrame({"dow": [0, 0], "hour": [0, 1], "share": [0.0, 1.0]})
    >>> # no calls at 0:00
    >>> shift_staffing(prof0, 1, handling_minutes=60, min_units=1)["erlang_c_units"].tolist()
    [1, 3]
    """
    min_units = _check_int(min_units, "min_units", 0)
    require_columns(profile, ["dow", "hour", "share"], what="the hour-of-week profile")
    calls_per_week = _check_number(calls_per_week, "calls_per_week")
    mu = 60.0 / _check_number(handling_minutes, "handling_minutes", positive=True)
    _check_number(officers_per_call, "officers_per_call", positive=True)
    share, bad = _bad_values(profile["share"], integer=False)
    if bad.any():
        raise DataError(
            "missing, text or negative shares in the hour-of-week profile",
            column="share",
            rows=np.flatnonzero(bad).tolist(),
            expected="shares >= 0 summing to 1",
        )
    out = profile[["dow", "hour", "share"]].copy()
    out["arrival_rate"] = out["share"] * calls_per_week
    out["erlang_c_units"] = [
        servers_for_target(lam, mu, max_wait_prob=max_wait_prob, wait_time=wait_minutes / 60)
        for lam in out["arrival_rate"]
    ]
    out["sqrt_units"] = [
        square_root_staffing(lam, mu, max_wait_prob=max_wait_prob) if lam > 0 else 0
        for lam in out["arrival_rate"]
    ]
    out[["erlang_c_units", "sqrt_units"]] = out[["erlang_c_units", "sqrt_units"]].clip(lower=min_units)
    out["officers"] = np.ceil(out["erlang_c_units"] * officers_per_call).astype(int)
    return out


def shift_summary(hourly: pd.DataFrame, *, shift_starts: Sequence[int] = (0, 8, 16)) -> pd.DataFrame:
    """Units per shift from hour-by-hour staffing (:func:`shift_staffing`).

    Each shift is staffed for its busiest hour: the most units any of its
    hours needs, by Erlang C and by the square-root rule, held for the whole
    shift.

    Parameters
    ----------
    hourly : DataFrame
        :func:`shift_staffing` output (``dow``, ``hour``, ``arrival_rate``,
        ``erlang_c_units``, ``sqrt_units``, ``officers``).
    shift_starts : sequence of int
        Starting hours of the shifts of a day (sorted, from 0 to 23; the
        last shift runs to the first one of the next day, wrapping at
        midnight).

    Returns
    -------
    DataFrame
        One row per day of week and shift: ``dow``, ``shift`` (e.g.
        ``"08-16"``), ``hours``, ``calls``, ``erlang_c_units``, ``sqrt_units``,
        ``officers`` and ``officer_hours`` (officers × hours).

    Examples
    --------
    >>> h = pd.DataFrame({"dow": 0, "hour": range(24), "arrival_rate": 1.0, "erlang_c_units": 2,
    ...                   "sqrt_units": 2, "officers": [2] * 12 + [3] * 12})
    >>> shift_summary(h, shift_starts=[0, 12])[["shift", "officers", "officer_hours"]].values.tolist()
    [['00-12', 2, 24], ['12-24', 3, 36]]
    """
    require_columns(
        hourly,
        ["dow", "hour", "arrival_rate", "erlang_c_units", "sqrt_units", "officers"],
        what="the shift summary",
        expected="the output of shift_staffing",
    )
    starts = [int(s) for s in shift_starts]
    if not starts or starts != sorted(set(starts)) or starts[0] < 0 or starts[-1] > 23:
        raise ValueError(f"shift_starts must be distinct sorted hours from 0 to 23, got {list(shift_starts)}")
    ends = starts[1:] + [starts[0] + 24]
    names = [f"{s:02d}-{e % 24 if e > 24 else e:02d}" for s, e in zip(starts, ends)]
    hours = np.array([e - s for s, e in zip(starts, ends)])
    h = hourly.copy()
    # A shift that starts before midnight owns the early hours of the next day.
    which = np.searchsorted(np.array(starts), h["hour"].to_numpy(), side="right") - 1
    early = which < 0
    which[early] = len(starts) - 1
    h["shift_no"] = which
    h["shift_dow"] = np.where(early, (h["dow"].to_numpy() - 1) % 7, h["dow"].to_numpy())
    out = (
        h.groupby(["shift_dow", "shift_no"], sort=True)
        .agg(
            calls=("arrival_rate", "sum"),
            erlang_c_units=("erlang_c_units", "max"),
            sqrt_units=("sqrt_units", "max"),
            officers=("officers", "max"),
        )
        .reset_index()
    )
    out.insert(1, "shift", [names[i] for i in out["shift_no"]])
    out.insert(2, "hours", hours[out["shift_no"].to_numpy()])
    out["officer_hours"] = out["officers"] * out["hours"]
    return out.drop(columns="shift_no").rename(columns={"shift_dow": "dow"})
