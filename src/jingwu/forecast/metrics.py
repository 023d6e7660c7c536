"""Forecast accuracy metrics (point and interval), for one series at a time.

Scaled errors follow Hyndman & Koehler (2006): the scale is the in-sample mean
absolute (MASE) or mean squared (RMSSE) seasonal-naive error of the training
data, so 1.0 means "as good as the seasonal naive forecast in sample".

Examples
--------
>>> from jingwu.forecast import metrics
>>> round(metrics.mase([3, 5], [4, 4], insample=[1, 2, 3, 4], m=1), 3)
1.0
"""

from __future__ import annotations

import numpy as np

__all__ = ["scale", "mase", "rmsse", "smape", "bias", "coverage", "winkler", "pinball"]


def _arr(x: object) -> np.ndarray:
    return np.asarray(x, dtype=float)


def scale(insample: object, m: int = 1, *, power: int = 1) -> float:
    """In-sample seasonal-naive error: mean of ``|y_t - y_{t-m}|**power``.

    Returns ``nan`` when the training data has fewer than ``m + 1`` points, and
    a tiny positive number instead of 0 for a constant series (so scaled errors
    stay finite).

    Examples
    --------
    >>> scale([1, 2, 4, 7], m=1), scale([1, 2, 4, 7], m=1, power=2)
    (2.0, 4.666666666666667)
    """
    x = _arr(insample)
    if m < 1:
        raise ValueError(f"m must be >= 1, got {m}")
    if len(x) <= m:
        return float("nan")
    d = np.abs(x[m:] - x[:-m]) ** power
    s = float(np.mean(d))
    return s if s > 0 else 1e-12


def mase(y: object, yhat: object, *, insample: object, m: int = 1) -> float:
    """Mean absolute scaled error.

    Examples
    --------
    >>> mase([10, 12], [11, 11], insample=[8, 10, 10, 12], m=2)
    0.5
    """
    e = _arr(y) - _arr(yhat)
    return float(np.mean(np.abs(e)) / scale(insample, m))


def rmsse(y: object, yhat: object, *, insample: object, m: int = 1) -> float:
    """Root mean squared scaled error (the M5 accuracy measure).

    Examples
    --------
    >>> rmsse([10, 12], [11, 11], insample=[8, 10, 10, 12], m=2)
    0.5
    """
    e = _arr(y) - _arr(yhat)
    return float(np.sqrt(np.mean(e**2) / scale(insample, m, power=2)))


def smape(y: object, yhat: object) -> float:
    """Symmetric MAPE in percent, ``mean(200 |y - ŷ| / (|y| + |ŷ|))``; 0/0 counts as 0.

    Examples
    --------
    >>> round(smape([100, 0], [50, 0]), 4)
    33.3333
    """
    y, f = _arr(y), _arr(yhat)
    den = np.abs(y) + np.abs(f)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(den > 0, 200 * np.abs(y - f) / den, 0.0)
    return float(np.mean(r))


def bias(y: object, yhat: object) -> float:
    """Mean error ``mean(ŷ - y)``: positive means over-forecasting.

    Examples
    --------
    >>> bias([10, 20], [12, 21])
    1.5
    """
    return float(np.mean(_arr(yhat) - _arr(y)))


def coverage(y: object, lo: object, hi: object) -> float:
    """Share of observations inside ``[lo, hi]``.

    Examples
    --------
    >>> coverage([1, 5, 9], [0, 0, 0], [6, 6, 6])
    0.6666666666666666
    """
    y = _arr(y)
    return float(np.mean((y >= _arr(lo)) & (y <= _arr(hi))))


def winkler(y: object, lo: object, hi: object, level: float) -> float:
    """Mean Winkler (interval) score for a central ``level``% interval (lower is better).

    ``(hi - lo) + (2/α)(lo - y)`` below, ``+ (2/α)(y - hi)`` above, ``α = 1 - level/100``.

    Examples
    --------
    >>> winkler([5, 12], [4, 4], [10, 10], 80)
    16.0
    """
    y, lo, hi = _arr(y), _arr(lo), _arr(hi)
    if not 0 < level < 100:
        raise ValueError(f"level must be between 0 and 100, got {level}")
    a = 1 - level / 100
    s = (hi - lo) + (2 / a) * np.maximum(lo - y, 0) + (2 / a) * np.maximum(y - hi, 0)
    return float(np.mean(s))


def pinball(y: object, q: object, tau: float) -> float:
    """Mean pinball (quantile) loss of quantile forecasts ``q`` at probability ``tau``.

    Examples
    --------
    >>> pinball([10, 10], [8, 12], 0.9)
    1.0
    """
    if not 0 < tau < 1:
        raise ValueError(f"tau must be between 0 and 1, got {tau}")
    d = _arr(y) - _arr(q)
    return float(np.mean(np.maximum(tau * d, (tau - 1) * d)))
