"""Smoothness, Delta^SD(M): the optimal fixed-length CI using every pre-period coefficient
(R ``findOptimalFLCI``) and the identified set.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import optimize, stats

from ._honest_lp import (
    _check_inputs,
    _create_A_SD,
    _id_set,
)
from ._rrng import r_rnorm


# ------------------------------------------------------------------- FLCI (SD)
def _qfolded(p: float, mu: float, draws: np.ndarray) -> float:
    """``np.quantile(np.abs(draws + mu), p)`` (R ``.qfoldednormal`` by simulation), bit for bit.

    ``draws`` must be sorted.  ``|z + mu|`` over sorted ``z`` is two sorted
    runs (the negated part below ``-mu``, reversed, and the part above), so the
    two order statistics the linear quantile interpolates are found by binary
    search instead of partitioning 10^6 values at every evaluation of the FLCI.
    """
    n = draws.size
    j = int(np.searchsorted(draws, -mu, side="left"))  # fl(z + mu) < 0 exactly when z < -mu

    def neg(t):  # t-th smallest of |z + mu| over z < -mu
        return -(draws[j - 1 - t] + mu)

    def pos(t):  # t-th smallest over z >= -mu
        return draws[j + t] + mu

    def kth(k):
        """k-th smallest (0-based) of the merged runs."""
        n_neg, n_pos = j, n - j
        lo, hi = max(0, k + 1 - n_pos), min(k + 1, n_neg)
        while lo < hi:  # x values come from the negative run, k + 1 - x from the positive one
            x = (lo + hi) // 2
            y = k + 1 - x
            if x < n_neg and y > 0 and neg(x) < pos(y - 1):
                lo = x + 1
            else:
                hi = x
        y = k + 1 - lo
        return max(neg(lo - 1) if lo > 0 else -np.inf, pos(y - 1) if y > 0 else -np.inf)

    virtual = (n - 1) * np.float64(p)  # numpy's "linear" method, its interpolation formula
    k = int(np.floor(virtual))
    a = np.float64(kth(k))
    b = np.float64(kth(min(k + 1, n - 1)))
    t = virtual - np.float64(k)
    diff = b - a
    return float(b - diff * (1 - t) if t >= 0.5 else a + diff * t)


@functools.lru_cache(maxsize=4)
def _sorted_draws(n: int, seed: int) -> np.ndarray:
    out = np.sort(r_rnorm(n, seed))
    out.flags.writeable = False
    return out


class _FLCIProblem:
    """Optimal FLCI for Delta^SD(M) (R ``flci.R``), in the (U, w) parametrisation of R."""

    def __init__(self, sigma, npre, npost, l_vec, seed):
        self.K, self.npost, self.l = npre, npost, l_vec
        Spre, Sprepost = sigma[:npre, :npre], sigma[:npre, npre:]
        self.W2L = np.eye(npre) - np.eye(npre, k=-1)
        self.Q = self.W2L.T @ Spre @ self.W2L
        self.q = 2 * self.W2L.T @ Sprepost @ l_vec
        self.c0 = float(l_vec @ sigma[npre:, npre:] @ l_vec)
        t = np.arange(1, npost + 1)
        self.wsum = float(t @ l_vec)
        self.const = (
            sum(abs(float(np.arange(1, s + 1) @ l_vec[npost - s :])) for s in range(1, npost + 1)) - self.wsum
        )
        self.L = np.tril(np.ones((npre, npre)))
        self.draws = _sorted_draws(10**6, seed)

    def var(self, w):
        return float(w @ self.Q @ w + self.q @ w + self.c0)

    def min_var(self):
        """Lowest attainable variance (R ``.findLowestH``): equality-constrained QP, solved exactly."""
        K = self.K
        kkt = np.block([[2 * self.Q, np.ones((K, 1))], [np.ones((1, K)), np.zeros((1, 1))]])
        rhs = np.concatenate([-self.q, [self.wsum]])
        w = np.linalg.lstsq(kkt, rhs, rcond=None)[0][:K]
        return np.sqrt(max(self.var(w), 0.0)), w

    def h0(self):
        w = np.zeros(self.K)
        w[-1] = self.wsum
        return np.sqrt(self.var(w)), w

    def bias_given_h(self, h, w_start):
        """Smallest worst-case bias (per unit M) among estimators with SD <= h."""
        K = self.K
        cons = [
            {
                "type": "ineq",
                "fun": lambda x: x[:K] - self.L @ x[K:],
                "jac": lambda x: np.hstack([np.eye(K), -self.L]),
            },
            {
                "type": "ineq",
                "fun": lambda x: x[:K] + self.L @ x[K:],
                "jac": lambda x: np.hstack([np.eye(K), self.L]),
            },
            {
                "type": "eq",
                "fun": lambda x: np.array([x[K:].sum() - self.wsum]),
                "jac": lambda x: np.concatenate([np.zeros(K), np.ones(K)])[None, :],
            },
            {
                "type": "ineq",
                "fun": lambda x: np.array([h * h - self.var(x[K:])]),
                "jac": lambda x: np.concatenate([np.zeros(K), -(2 * self.Q @ x[K:] + self.q)])[None, :],
            },
        ]
        x0 = np.concatenate([np.abs(self.L @ w_start) + 1e-9, w_start])
        res = optimize.minimize(
            lambda x: x[:K].sum(),
            x0,
            jac=lambda x: np.concatenate([np.ones(K), np.zeros(K)]),
            method="SLSQP",
            constraints=cons,
            options={"ftol": 1e-12, "maxiter": 500},
        )
        w = res.x[K:]
        bias = self.const + float(np.abs(self.L @ w).sum())
        return bias, w

    def solve(self, M: float, alpha: float):
        hmin, wmin = self.min_var()
        h0, w0 = self.h0()
        cache: dict[float, tuple] = {}

        def halflength(h):
            key = float(h)
            if key not in cache:
                start = wmin if not cache else min(cache.values(), key=lambda v: abs(v[2] - h))[1]
                b, w = self.bias_given_h(h, start)
                cache[key] = (_qfolded(1 - alpha, M * b / h, self.draws) * h, w, h, b)
            return cache[key][0]

        if M == 0 or h0 - hmin <= 1e-12 * h0:
            h = hmin if M == 0 else h0
        else:
            res = optimize.minimize_scalar(
                halflength, bounds=(hmin, h0), method="bounded", options={"xatol": 1e-7 * h0}
            )
            h = min([hmin, h0, res.x], key=halflength)
        halflength(h)
        hl, w, _, b = cache[float(h)]
        lpre = self.W2L @ w
        return hl, lpre


def flci(
    betahat,
    sigma,
    num_pre_periods: int,
    num_post_periods: int,
    M: float,
    *,
    l_vec=None,
    alpha: float = 0.05,
    seed: int = 0,
    _problem: _FLCIProblem | None = None,
) -> tuple[float, float]:
    """Optimal fixed-length CI under Delta^SD(M) (R ``findOptimalFLCI``)."""
    b, S, l = _check_inputs(betahat, sigma, num_pre_periods, num_post_periods, l_vec)
    prob = _problem or _FLCIProblem(S, num_pre_periods, num_post_periods, l, seed)
    hl, lpre = prob.solve(float(M), alpha)
    center = float(lpre @ b[:num_pre_periods] + l @ b[num_pre_periods:])
    return center - hl, center + hl


def sd_identified_set(betahat, num_pre_periods, num_post_periods, M, l_vec) -> tuple[float, float]:
    A = _create_A_SD(num_pre_periods, num_post_periods)
    return _id_set(A, np.full(len(A), float(M)), betahat, l_vec, num_pre_periods, num_post_periods)


def _sd_upper_bound_mpre(b, S, npre, alpha):
    """Upper CI bound for the largest pre-period second difference (R ``DeltaSD_upperBound_Mpre``)."""
    A = np.zeros((npre - 1, npre + 1))
    for r in range(npre - 1):
        A[r, r : r + 3] = (1.0, -2.0, 1.0)
    A = A[:, :npre]  # the reference period (0) is the last column and is zero
    est = A @ b[:npre]
    se = np.sqrt(np.diag(A @ S[:npre, :npre] @ A.T))
    return float(np.max(est + stats.norm.ppf(1 - alpha) * se))
