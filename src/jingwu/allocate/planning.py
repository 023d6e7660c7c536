"""From a daily forecast to yearly workload: error correlation, quantile of the horizon total, seasonality."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..aggregate import station_daily_totals
from ..errors import DataError
from ..schema import require_columns
from ._common import _check_int, _wide


def error_correlation(
    demand: pd.DataFrame,
    h: int = 28,
    *,
    weeks: int = 4,
    years: float = 2.0,
    step: int = 7,
) -> float:
    """Average correlation between the daily forecast errors of one horizon.

    Needed to turn daily forecast quantiles into a quantile of the horizon's
    total (:func:`horizon_total`).  Estimated by a rolling-origin check on the
    history: from each origin (every ``step`` days over the last ``years``
    years) the next ``h`` days are forecast by the mean of the same weekday
    over the previous ``weeks`` weeks, and the errors ``e_1 … e_h`` are kept.
    If the errors had equal variance σ² and a common correlation ρ,
    ``Var(Σ e) = h σ² (1 + (h − 1) ρ)``; so per station
    ``ρ = (mean((Σ e)²) / (h · mean(e²)) − 1) / (h − 1)``, with the variance
    ratios averaged over stations before solving for ρ.  The simple forecaster
    misses seasonal turns that a good model catches, so its level errors --
    the part that is shared across days -- are if anything larger: the
    estimate leans towards more correlation, i.e. towards a more cautious plan.

    Parameters
    ----------
    demand : DataFrame
        Daily demand: ``station_id``, ``date``, ``count``.
    h : int
        Horizon in days (at least 2).
    weeks : int
        Weeks averaged by the same-weekday forecaster.
    years : float
        How far back origins go.
    step : int
        Days between origins.

    Returns
    -------
    float
        ρ, clipped to [0, 1].

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> days = pd.date_range("2023-01-01", periods=400)
    >>> level = np.repeat(rng.normal(0, 8, 400 // 50 + 1), 50)[:400]   # persistent shifts
    >>> d = pd.DataFrame({"station_id": "S1", "date": days,
    ...                   "count": rng.poisson(np.clip(40 + level, 1, None))})
    >>> noise = d.assign(count=rng.poisson(40, 400))
    >>> error_correlation(noise) < 0.1 < error_correlation(d)
    True
    """
    h = _check_int(h, "h", 2)
    weeks = _check_int(weeks, "weeks", 1)
    step = _check_int(step, "step", 1)
    if not (isinstance(years, (int, float, np.integer, np.floating)) and years > 0):
        raise ValueError(f"years must be positive, got {years!r}")
    y = _wide(station_daily_totals(demand, "the error correlation")).to_numpy()
    n_days = y.shape[1]
    first = 7 * weeks - 1  # earliest origin with `weeks` full weeks behind it
    last = n_days - h - 1  # latest origin with h days ahead
    origins = [t for t in range(last, first - 1, -step) if t >= last - 365 * years]
    if len(origins) < 2:
        raise DataError(
            f"too little history for {h}-day errors",
            column="date",
            expected=f"at least {7 * weeks + h + step} days per station",
        )
    pos = (np.arange(1, h + 1) - 1) % 7
    sq, tot = [], []
    for t in origins:
        pattern = y[:, t - 7 * weeks + 1 : t + 1].reshape(len(y), weeks, 7).mean(axis=1)
        err = y[:, t + 1 : t + h + 1] - pattern[:, pos]
        sq.append((err**2).mean(axis=1))
        tot.append(err.sum(axis=1) ** 2)
    var_day, var_total = np.mean(sq, axis=0), np.mean(tot, axis=0)
    ok = var_day > 0
    if not ok.any():
        return 0.0
    ratio = float(np.mean(var_total[ok] / (h * var_day[ok])))
    return float(np.clip((ratio - 1) / (h - 1), 0.0, 1.0))


def horizon_total(
    forecast: pd.DataFrame,
    *,
    rho: float,
    quantile_col: str = "q80",
    mean_col: str = "mean",
    id_col: str = "station_id",
) -> pd.DataFrame:
    """Planning quantile of each station's total workload over the horizon.

    The sum of daily 80th percentiles is the 80th percentile of the total
    only if the daily errors move together perfectly (ρ = 1); with less
    correlation bad days and good days partly cancel and the total's
    quantile is closer to its mean.  Taking each day's excess over its mean,
    ``e_d = q_d − m_d``, as proportional to that day's error s.d. and a
    common correlation ρ between days (:func:`error_correlation`):

    ``q_total = Σ m_d + Σ e_d · sqrt((1 − ρ) Σ e_d² / (Σ e_d)² + ρ)``

    exact for normal errors, an approximation otherwise.  ρ = 1 gives the
    summed daily quantiles, ρ = 0 independent days.

    Parameters
    ----------
    forecast : DataFrame
        One row per station and day with the mean and an upper quantile
        (e.g. :func:`jingwu.forecast.station_forecast`).
    rho : float
        Correlation between daily errors, in [0, 1].
    quantile_col, mean_col, id_col : str
        Column names.

    Returns
    -------
    DataFrame
        Indexed by station: ``days``, ``mean`` (sum of daily means),
        ``q_summed`` (sum of daily quantiles) and ``q_total`` (the quantile
        of the total: the plan).

    Examples
    --------
    >>> f = pd.DataFrame({"station_id": ["S1", "S1"], "mean": [10.0, 10.0], "q80": [12.0, 12.0]})
    >>> [round(float(horizon_total(f, rho=r)["q_total"].iloc[0]), 2) for r in (1.0, 0.0)]
    [24.0, 22.83]
    """
    if not isinstance(rho, (int, float, np.integer, np.floating)) or not 0 <= rho <= 1:
        raise ValueError(f"rho must be a number in [0, 1], got {rho!r}")
    require_columns(forecast, [id_col, mean_col, quantile_col], what="the horizon total")
    m = forecast[mean_col].to_numpy(dtype=float)
    q = forecast[quantile_col].to_numpy(dtype=float)
    bad = ~np.isfinite(m) | ~np.isfinite(q) | (q < m - 1e-9)
    if bad.any():
        raise DataError(
            f"{quantile_col} below {mean_col} or not finite",
            column=quantile_col,
            rows=np.flatnonzero(bad).tolist(),
            expected="an upper quantile >= the mean",
        )
    e = np.maximum(q - m, 0.0)
    g = pd.DataFrame({"id": forecast[id_col].to_numpy(), "m": m, "e": e, "e2": e**2, "q": q})
    s = g.groupby("id", sort=True).agg(
        days=("m", "size"), mean=("m", "sum"), q_summed=("q", "sum"), e=("e", "sum"), e2=("e2", "sum")
    )
    spread = np.sqrt((1 - rho) * s["e2"] / (s["e"] ** 2).where(s["e"] > 0, 1.0) + rho)
    s["q_total"] = s["mean"] + s["e"] * spread
    return s[["days", "mean", "q_summed", "q_total"]].rename_axis(id_col)


def seasonal_index(
    demand: pd.DataFrame,
    start: str | pd.Timestamp,
    h: int,
    *,
    years: int = 3,
) -> pd.Series:
    """How busy the ``h`` days from ``start`` usually are, relative to a whole year.

    For each of the last ``years`` years the data cover: the station's mean
    daily demand on the same calendar days (``start`` moved back by whole
    years) divided by its mean daily demand over the 365 days centred on
    that window (centred, so a steady trend does not bias the ratio);
    averaged over those years.  Dividing a forecast of the window by this
    index gives a year-round rate: a January forecast is not a year's
    workload.  Holidays that move (Spring Festival) fall inside the window
    in some years and not in others; averaging over years smooths that.

    Parameters
    ----------
    demand : DataFrame
        Daily demand: ``station_id``, ``date``, ``count``.
    start : date-like
        First day of the window (e.g. the forecast's first date).
    h : int
        Length of the window in days.
    years : int
        At most this many past years; only years whose centred 365 days lie
        inside the data are used.

    Returns
    -------
    Series
        Index per station (1 = an average stretch of the year); ``.attrs["years"]``
        lists the window starts used.

    Examples
    --------
    >>> days = pd.date_range("2021-01-01", "2024-12-31")
    >>> d = pd.DataFrame({"station_id": "S1", "date": days,
    ...                   "count": np.where(days.month == 1, 20, 10)})   # January twice as busy
    >>> round(float(seasonal_index(d, "2025-01-01", 28).iloc[0]), 2)   # 20 / (20·31 + 10·334) × 365
    1.84
    """
    h = _check_int(h, "h", 1)
    years = _check_int(years, "years", 1)
    wide = _wide(station_daily_totals(demand, "the seasonal index"))
    start = pd.Timestamp(start)
    ratios: list[pd.Series] = []
    used: list[int] = []
    for k in range(1, 200):
        if len(used) == years:
            break
        s = start - pd.DateOffset(years=k)
        mid = s + pd.Timedelta(days=h / 2)
        lo = (mid - pd.Timedelta(days=182.5)).ceil("D")
        hi = lo + pd.Timedelta(days=364)
        if lo < wide.columns[0]:
            break
        if hi > wide.columns[-1] or s + pd.Timedelta(days=h - 1) > wide.columns[-1]:
            continue
        window = wide.loc[:, s : s + pd.Timedelta(days=h - 1)].mean(axis=1)
        year = wide.loc[:, lo:hi].mean(axis=1)
        ratios.append(window / year.where(year > 0))
        used.append(s.date().isoformat())
    if not ratios:
        raise DataError(
            "no past year covers the window and the year around it",
            column="date",
            expected=f"a year of data around {start.date()} minus whole years",
        )
    out = pd.concat(ratios, axis=1).mean(axis=1).rename("seasonal_index").rename_axis("station_id")
    out.attrs["years"] = used
    return out
