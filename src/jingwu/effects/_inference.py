"""Inference from influence functions: analytic (cluster-robust) SEs, vcov, multiplier bootstrap.

The bottom layer of the effects estimators (R ``did``'s ``getSE`` and
``mboot``); it imports nothing from the estimators above it.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["multiplier_bootstrap"]

_SE_TINY = np.sqrt(np.finfo(float).eps) * 10


# --------------------------------------------------------------------------- inference
def _se_from_if(inf: np.ndarray, cluster: np.ndarray | None) -> np.ndarray:
    """Analytic SEs from an (n x k) influence-function matrix: sqrt(sum IF^2)/n.

    With clusters, IFs are summed within cluster first (cluster-robust).
    """
    inf = np.atleast_2d(inf.T).T if inf.ndim == 1 else inf
    n = inf.shape[0]
    if cluster is not None:
        inf = _sum_by(inf, cluster)
    se = np.sqrt(np.sum(inf**2, axis=0)) / n
    se = np.where(se <= _SE_TINY, np.nan, se)
    return se


def _sum_by(inf: np.ndarray, codes: np.ndarray) -> np.ndarray:
    G = int(codes.max()) + 1
    out = np.zeros((G, inf.shape[1]))
    np.add.at(out, codes, inf)
    return out


def _vcov_from_if(inf: np.ndarray, cluster: np.ndarray | None) -> np.ndarray:
    n = inf.shape[0]
    if cluster is not None:
        inf = _sum_by(inf, cluster)
    return inf.T @ inf / n**2


def multiplier_bootstrap(
    inf: np.ndarray, cluster: np.ndarray | None, n_boot: int, alpha: float, seed
) -> tuple[np.ndarray, float]:
    """Rademacher multiplier bootstrap as in R ``did::mboot``.

    Returns bootstrap SEs (IQR / (z_.75 - z_.25)) and the critical value of the
    sup-t statistic for uniform (simultaneous) bands.
    """
    rng = np.random.default_rng(seed)
    n = inf.shape[0]
    psi = _sum_by(inf, cluster) if cluster is not None else inf
    m = psi.shape[0]
    res = np.empty((n_boot, inf.shape[1]))
    chunk = max(1, min(n_boot, int(2e7 // max(m, 1))))
    for start in range(0, n_boot, chunk):
        b = min(chunk, n_boot - start)
        v = rng.choice(np.array([-1.0, 1.0]), size=(b, m))
        res[start : start + b] = v @ psi / n
    res *= np.sqrt(n)
    live = np.sum(res**2, axis=0) > _SE_TINY
    q75, q25 = np.quantile(res, [0.75, 0.25], axis=0, method="inverted_cdf")
    bsig = (q75 - q25) / (stats.norm.ppf(0.75) - stats.norm.ppf(0.25))
    bsig = np.where(live & (bsig > _SE_TINY), bsig, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        tmax = np.nanmax(np.abs(res / bsig), axis=1) if np.isfinite(bsig).any() else np.full(n_boot, np.nan)
    tmax = tmax[np.isfinite(tmax)]
    crit = float(np.quantile(tmax, 1 - alpha, method="inverted_cdf")) if len(tmax) else np.nan
    return bsig / np.sqrt(n), crit
