"""Split-conformal interval quantiles, pooled or per horizon step.

Backtest errors are scaled by each series' in-sample seasonal-naive error,
``z = (y - ŷ) / scale``, so one set of quantiles serves series of any size.
Errors grow with the horizon (a random walk's by ``sqrt(step)``), so quantiles
pooled over the horizon give intervals that are too wide at step 1 and too
narrow at the last step.  ``method="step"`` calibrates every step on the
scaled errors of that step and, when they are too few, of its nearest
neighbouring steps (a centred band widened until it holds at least
:data:`MIN_CALIBRATION` errors), so the band adapts to the data available:
with many series each step is calibrated alone, with one short series the
band grows to the whole horizon (the pooled method).

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> steps = np.repeat(np.arange(1, 4), 400)
>>> z = rng.normal(0, steps)                     # errors growing with the step (sd 1, 2, 3)
>>> q = conformal_quantiles(z, steps, h=3, levels=(95,))
>>> np.round(q[95][1], 1).tolist()               # upper 97.5% quantile per step
[1.8, 3.9, 5.4]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["MIN_CALIBRATION", "CONFORMAL_METHODS", "conformal_quantiles", "band_width", "band_labels"]

#: Fewest scaled errors a step's calibration band holds (widened to neighbouring steps until reached).
MIN_CALIBRATION = 200
#: ``"step"``: per-step bands (default); ``"pooled"``: one set of quantiles for the whole horizon.
CONFORMAL_METHODS = ("step", "pooled")


def _quantile_pair(z: np.ndarray, level: int) -> tuple[float, float]:
    """Lower and upper split-conformal quantiles of ``z`` for a central ``level`` % interval."""
    if len(z) == 0:
        return np.nan, np.nan
    a = 1 - level / 100
    n = len(z)
    # finite-sample conformal adjustment: widen the quantile levels slightly
    adj = min(1.0, (1 - a / 2) * (n + 1) / n)
    lo, hi = np.quantile(z, [1 - adj, adj])
    return float(lo), float(hi)


def conformal_quantiles(
    z: np.ndarray,
    steps: np.ndarray,
    h: int,
    levels: Sequence[int],
    *,
    method: str = "step",
    min_n: int = MIN_CALIBRATION,
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per-step conformal quantiles of scaled errors.

    Parameters
    ----------
    z : array
        Scaled calibration errors ``(y - ŷ) / scale`` (non-finite values are ignored).
    steps : array of int
        The horizon step (1-based) of each error.
    h : int
        Steps to return quantiles for (steps beyond the calibrated ones take
        the band of the last calibrated step).
    levels : sequence of int
        Central interval levels in percent.
    method : {"step", "pooled"}
        Per-step bands or one pooled set of quantiles.
    min_n : int
        Fewest errors in a step's band.

    Returns
    -------
    dict
        ``{level: (lo, hi)}`` with ``lo`` and ``hi`` arrays of length ``h``
        (index 0 is step 1), in units of the scale.
    """
    if method not in CONFORMAL_METHODS:
        raise ValueError(f"conformal method must be one of {CONFORMAL_METHODS}, not {method!r}")
    z = np.asarray(z, dtype=float)
    steps = np.asarray(steps, dtype=int)
    ok = np.isfinite(z)
    z, steps = z[ok], steps[ok]
    out = {lv: (np.full(h, np.nan), np.full(h, np.nan)) for lv in levels}
    if len(z) == 0:
        return out
    if method == "pooled":
        for lv in levels:
            lo, hi = _quantile_pair(z, lv)
            out[lv][0][:] = lo
            out[lv][1][:] = hi
        return out
    have = np.unique(steps)
    by_step = {int(s): z[steps == s] for s in have}
    counts = np.array([len(by_step[int(s)]) for s in have])
    for j in range(1, h + 1):
        centre = int(np.clip(j, have.min(), have.max()))
        # widen a centred band of calibrated steps until it holds min_n errors
        dist = np.abs(have - centre)
        order = np.argsort(dist, kind="stable")
        total, r = 0, 0
        for k in order:
            total += counts[k]
            r = dist[k]
            if total >= min_n:
                break
        band = np.concatenate([by_step[int(s)] for s in have[dist <= r]])
        for lv in levels:
            lo, hi = _quantile_pair(band, lv)
            out[lv][0][j - 1] = lo
            out[lv][1][j - 1] = hi
    return out


def band_width(h: int, season: int) -> int:
    """Steps per reporting band: a season (7 days) when the horizon spans several, else a quarter of ``h``.

    Examples
    --------
    >>> band_width(28, 7), band_width(8, 52), band_width(14, 7)
    (7, 2, 7)
    """
    return season if h >= 2 * season else max(1, int(np.ceil(h / 4)))


def band_labels(steps: np.ndarray, width: int, h: int | None = None) -> np.ndarray:
    """Labels ``"01-07"``, ``"08-14"``, ... of each step's reporting band (the last band ends at ``h``).

    Examples
    --------
    >>> band_labels(np.array([1, 7, 8, 28]), 7).tolist()
    ['01-07', '01-07', '08-14', '22-28']
    """
    steps = np.asarray(steps, dtype=int)
    start = (steps - 1) // width * width + 1
    end = start + width - 1
    if h is not None:
        end = np.minimum(end, h)
    wd = max(2, len(str(int(end.max())))) if len(steps) else 2
    return np.array([f"{a:0{wd}d}-{b:0{wd}d}" for a, b in zip(start, end)], dtype=object)
