"""Relative magnitudes, Delta^RM(Mbar): the C-LF / conditional confidence sets (R
``computeConditionalCS_DeltaRM``), the Bonferroni fallback and the identified set.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats

from ._honest_lp import (
    _arp_reject,
    _check_inputs,
    _construct_gamma,
    _create_A_RM,
    _DualVertices,
    _id_set,
    _invert_on_grid,
    _lf_cv,
    _lf_interval,
    _truncnorm_ppf,
)

# Default grid: +-20 SDs of theta (R's), pushed out up to 2^6 times when the set reaches an end.
_MAX_WIDENINGS = 6


def _rm_fixed_s(
    betahat, sigma, npre, npost, l_vec, Mbar, s, max_positive, alpha, hybrid, kappa, grid, seed, best=None
):
    A = _create_A_RM(npre, npost, Mbar, s, max_positive)
    post_cols = slice(npre, npre + npost)
    if npost > 1:
        rows = np.flatnonzero((A[:, post_cols] != 0).sum(axis=1) > 0)
        A = A[rows]
        d = np.zeros(len(A))
        Gamma = _construct_gamma(l_vec)
        AGi = A[:, post_cols] @ np.linalg.inv(Gamma)
        a1, X = AGi[:, 0], AGi[:, 1:]
        Y = A @ betahat - d
        sigY = A @ sigma @ A.T
        sd = np.sqrt(np.diag(sigY))
        vertices = _DualVertices(np.hstack([sd[:, None], X]))
        lf_cv = _lf_cv(X, sigY, kappa, seed, vertices=vertices) if hybrid == "LF" else np.inf
        stage = _lf_interval(Y, a1, X, sd, lf_cv) if hybrid == "LF" else None

        def test(theta):
            return not _arp_reject(Y - a1 * theta, X, sigY, alpha, hybrid, kappa, lf_cv, vertices)
    else:
        rows = np.flatnonzero(A[:, -1] != 0)
        A = A[rows]
        d = np.zeros(len(A))
        sigA = A @ sigma @ A.T
        sdA = np.sqrt(np.diag(sigA))
        At = A / sdA[:, None]
        lf_cv = _lf_cv(None, sigA, kappa, seed) if hybrid == "LF" else np.inf
        e = np.zeros(len(betahat))
        e[npre] = 1.0
        stage = None

        def test(theta):
            return not _nonuis_reject(betahat - e * theta, sigma, At, alpha, hybrid, kappa, lf_cv)

    return _invert_on_grid(grid, test, stage, best)


def _nonuis_reject(y, sigma, At, alpha, hybrid, kappa, lf_cv) -> bool:
    """Conditional test without nuisance parameters, d = 0 (R ``.testInIdentifiedSet[_LF_Hybrid]``)."""
    mom = At @ y
    j = int(np.argmax(mom))
    maxm = mom[j]
    if hybrid == "LF" and maxm > lf_cv:
        return True
    gamma = At[j]
    Abar = At - At[j][None, :]
    s2 = float(gamma @ sigma @ gamma)
    c = sigma @ gamma / s2
    z = y - c * float(gamma @ y)
    Ac = Abar @ c
    obj = np.where(Ac != 0, -(Abar @ z) / np.where(Ac != 0, Ac, 1.0), 0.0)
    vlo = obj[Ac < 0].max() if np.any(Ac < 0) else -np.inf
    vup = obj[Ac > 0].min() if np.any(Ac > 0) else np.inf
    size = (alpha - kappa) / (1 - kappa) if hybrid == "LF" else alpha
    sb = np.sqrt(s2)
    cv = max(0.0, sb * _truncnorm_ppf(1 - size, vlo / sb, vup / sb))
    return bool(maxm > cv)


def rm_confidence_set(
    betahat,
    sigma,
    num_pre_periods: int,
    num_post_periods: int,
    Mbar: float,
    *,
    l_vec=None,
    alpha: float = 0.05,
    hybrid: str = "LF",
    grid_points: int = 1000,
    grid_lb: float | None = None,
    grid_ub: float | None = None,
    seed: int = 0,
) -> tuple[float, float]:
    """C-LF (or conditional) confidence set for ``l_vec' tau_post`` under Delta^RM(Mbar).

    Returns ``(lb, ub)``: the smallest and largest accepted point of the theta
    grid (R ``computeConditionalCS_DeltaRM``; NaN if none is accepted).  The
    default grid is R's (+-20 SDs of theta, ``grid_points`` points); when the set
    reaches an end of it, that end is pushed out (same step) until the set is
    closed, at most 2^6-fold; a ``RuntimeWarning`` says if it stays open.
    Bounds given as ``grid_lb``/``grid_ub`` are kept as they are.
    """
    b, S, l = _check_inputs(betahat, sigma, num_pre_periods, num_post_periods, l_vec)
    if num_pre_periods < 1:
        raise ValueError("relative magnitudes need at least one pre-period")
    if hybrid not in ("LF", "ARP"):
        raise ValueError(f"hybrid must be 'LF' (C-LF) or 'ARP' (Conditional), got {hybrid!r}")
    npre, npost = num_pre_periods, num_post_periods
    sd_theta = float(np.sqrt(l @ S[npre:, npre:] @ l))
    lo = -20 * sd_theta if grid_lb is None else grid_lb
    hi = 20 * sd_theta if grid_ub is None else grid_ub
    kappa = alpha / 10
    step = (hi - lo) / (grid_points - 1)
    n_lo, n_hi = 0, grid_points - 1  # grid = lo + step * [n_lo .. n_hi]; widening keeps the step
    for _ in range(_MAX_WIDENINGS + 1):
        grid = lo + step * np.arange(n_lo, n_hi + 1)
        best = None
        for s in range(-(npre - 1), 1):
            for sign in (True, False):
                r = _rm_fixed_s(b, S, npre, npost, l, Mbar, s, sign, alpha, hybrid, kappa, grid, seed, best)
                if r is not None:
                    best = r
        if best is None:
            return np.nan, np.nan
        open_lo, open_hi = best[0] == 0, best[1] == len(grid) - 1
        # an accepted end point means the set may go on beyond the grid: a bound fixed by the
        # caller is kept; a default bound is pushed out (same step, so closed ends do not move)
        widen_lo, widen_hi = open_lo and grid_lb is None, open_hi and grid_ub is None
        if not (widen_lo or widen_hi):
            break
        width = n_hi - n_lo
        n_lo -= width if widen_lo else 0
        n_hi += width if widen_hi else 0
    if best is None:  # unreachable (the loop returns), for the type checker
        return np.nan, np.nan
    if best[0] == 0 or best[1] == len(grid) - 1:
        warnings.warn(
            f"the confidence set is open at the theta grid's end [{grid[0]:.4g}, {grid[-1]:.4g}] "
            "(unbounded at this Mbar, or a grid_lb/grid_ub set too narrow)",
            RuntimeWarning,
            stacklevel=2,
        )
    return float(grid[best[0]]), float(grid[best[1]])


def rm_enumerable(num_pre_periods: int, num_post_periods: int) -> bool:
    """True when the C-LF test's dual vertices can be enumerated (fast, exact path)."""
    from math import comb

    A = _create_A_RM(num_pre_periods, num_post_periods, 1.0, 0, True)
    if num_post_periods == 1:
        return True
    m = int(((A[:, num_pre_periods:] != 0).sum(axis=1) > 0).sum())
    return comb(m, num_post_periods) <= _DualVertices.MAX_BASES


def rm_bonferroni_set(
    betahat,
    sigma,
    num_pre_periods: int,
    num_post_periods: int,
    Mbar: float,
    *,
    l_vec=None,
    alpha: float = 0.05,
) -> tuple[float, float]:
    """Conservative projection CI under Delta^RM(Mbar) (fallback for long event windows).

    Bonferroni-joint intervals for ``l'beta_post`` and every pre-period first
    difference (with ``beta_{-1} = 0``), then the union of the implied
    identified sets: ``theta -+ z se -+ Mbar * a * max_j(|d_j| + z se_j)`` with
    ``a = sum_k k l_k`` (k = 1, 2, ... over post-periods).  Valid but wider
    than the C-LF set; ``Mbar = 0`` gives the usual CI.
    """
    b, S, l = _check_inputs(betahat, sigma, num_pre_periods, num_post_periods, l_vec)
    npre = num_pre_periods
    post = slice(npre, None)
    theta = float(l @ b[post])
    se = float(np.sqrt(l @ S[post, post] @ l))
    if Mbar == 0:
        z0 = stats.norm.ppf(1 - alpha / 2)
        return theta - z0 * se, theta + z0 * se
    # first differences beta_{j+1} - beta_j over the pre-periods and into the reference (0)
    C = np.zeros((npre, len(b)))
    for j in range(npre):
        C[j, j] -= 1.0
        if j + 1 < npre:
            C[j, j + 1] += 1.0
    d = C @ b
    se_d = np.sqrt(np.einsum("ij,jk,ik->i", C, S, C))
    z = stats.norm.ppf(1 - alpha / (2 * (npre + 1)))
    a = float(np.arange(1, num_post_periods + 1) @ np.abs(l))
    half = z * se + Mbar * a * float(np.max(np.abs(d) + z * se_d))
    return theta - half, theta + half


def rm_identified_set(betahat, num_pre_periods, num_post_periods, Mbar, l_vec) -> tuple[float, float]:
    """Identified set of l'tau under Delta^RM(Mbar), betahat taken as the truth (R ``.compute_IDset_DeltaRM``)."""
    npre, npost = num_pre_periods, num_post_periods
    lo, hi = np.inf, -np.inf
    for s in range(-(npre - 1), 1):
        for sign in (True, False):
            A = _create_A_RM(npre, npost, Mbar, s, sign)
            a, b = _id_set(A, np.zeros(len(A)), betahat, l_vec, npre, npost)
            if np.isfinite(a):
                lo, hi = min(lo, a), max(hi, b)
    return lo, hi
