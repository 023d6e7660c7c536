"""Shared machinery of the HonestDiD port: linear programs, the ARP conditional test, least-favourable
critical values, Delta constraints and confidence-set inversion over a grid (R ``HonestDiD`` internals).
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import optimize, sparse, stats

from ._rrng import r_rmvnorm

_LP_OPTS = {"presolve": True}


# --------------------------------------------------------------------- helpers
def _lp(c, A_ub=None, b_ub=None, A_eq=None, b_eq=None, bounds=(None, None)):
    return optimize.linprog(
        c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds, method="highs", options=_LP_OPTS
    )


def _truncnorm_ppf(p: float, lo: float, hi: float) -> float:
    """Quantile of N(0,1) truncated to [lo, hi] (TruncatedNormal::norminvp)."""
    if lo >= hi:
        return float(lo)
    return float(stats.truncnorm.ppf(p, lo, hi))


def _check_inputs(betahat, sigma, npre, npost, l_vec):
    betahat = np.asarray(betahat, dtype=float).ravel()
    sigma = np.asarray(sigma, dtype=float)
    if npre < 1 or npost < 1:
        raise ValueError("num_pre_periods and num_post_periods must both be at least 1")
    if betahat.size != npre + npost or sigma.shape != (betahat.size, betahat.size):
        raise ValueError(
            f"betahat has {betahat.size} entries and sigma is {sigma.shape}; both must "
            f"have num_pre_periods + num_post_periods = {npre + npost}"
        )
    if not np.allclose(sigma, sigma.T, atol=1e-12 * max(1.0, np.abs(sigma).max())):
        raise ValueError("sigma must be symmetric")
    if l_vec is None:
        l_vec = np.zeros(npost)
        l_vec[0] = 1.0
    l_vec = np.asarray(l_vec, dtype=float).ravel()
    if l_vec.size != npost:
        raise ValueError(f"l_vec has {l_vec.size} entries; expected num_post_periods = {npost}")
    return betahat, sigma, l_vec


def original_cs(
    betahat, sigma, num_pre_periods: int, num_post_periods: int, *, l_vec=None, alpha: float = 0.05
) -> tuple[float, float]:
    """Usual CI for ``l_vec' beta_post`` under exact parallel trends (R ``constructOriginalCS``)."""
    b, S, l = _check_inputs(betahat, sigma, num_pre_periods, num_post_periods, l_vec)
    post = slice(num_pre_periods, None)
    est = float(l @ b[post])
    se = float(np.sqrt(l @ S[post, post] @ l))
    z = stats.norm.ppf(1 - alpha / 2)
    return est - z * se, est + z * se


# ------------------------------------------------------- Delta^RM constraints
def _create_A_RM(npre: int, npost: int, Mbar: float, s: int, max_positive: bool) -> np.ndarray:
    """Rows of A with A delta <= 0 iff delta in Delta^RM_{s,sign}(Mbar) (R ``.create_A_RM``)."""
    T = npre + npost
    Atilde = np.zeros((T, T + 1))
    for r in range(T):
        Atilde[r, r : r + 2] = (-1.0, 1.0)
    v = np.zeros(T + 1)
    v[npre + s - 1 : npre + s + 1] = (-1.0, 1.0)  # first difference ending at period s (s <= 0)
    if not max_positive:
        v = -v
    A_UB = np.vstack([np.tile(v, (npre, 1)), np.tile(Mbar * v, (npost, 1))])
    A = np.vstack([Atilde - A_UB, -Atilde - A_UB])
    A = A[np.einsum("ij,ij->i", A, A) > 1e-10]
    return np.delete(A, npre, axis=1)  # drop the reference period t = 0


def _create_A_SD(npre: int, npost: int) -> np.ndarray:
    T = npre + npost
    Atilde = np.zeros((T - 1, T + 1))
    for r in range(T - 1):
        Atilde[r, r : r + 3] = (1.0, -2.0, 1.0)
    Atilde = np.delete(Atilde, npre, axis=1)
    return np.vstack([Atilde, -Atilde])


def _id_set(A, d, beta, l_vec, npre, npost) -> tuple[float, float]:
    """Identified set of l'tau given beta_pre = delta_pre and A delta <= d (R ``.compute_IDset_*``)."""
    T = npre + npost
    f = np.concatenate([np.zeros(npre), l_vec])
    A_eq = np.hstack([np.eye(npre), np.zeros((npre, npost))])
    mx = _lp(-f, A, d, A_eq, beta[:npre])
    mn = _lp(f, A, d, A_eq, beta[:npre])
    if mx.status != 0 or mn.status != 0:
        # betahat itself violates the restrictions (R then reports the point l'beta)
        return np.nan, np.nan
    est = float(l_vec @ beta[npre:T])
    return est - (-mx.fun), est - mn.fun


# ------------------------------------------------- least-favourable critical values
def _eta_many(xi: np.ndarray, X: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """min_{eta, delta} eta s.t. xi_i - X delta <= sd * eta, for every row xi_i (one block LP)."""
    n, m = xi.shape
    k = X.shape[1]
    block = sparse.csr_matrix(-np.hstack([sd[:, None], X]))
    A = sparse.kron(sparse.eye(n, format="csr"), block, format="csr")
    c = np.tile(np.concatenate([[1.0], np.zeros(k)]), n)
    res = _lp(c, A, -xi.ravel())
    if res.status != 0:
        raise RuntimeError(f"least-favourable critical value: LP failed ({res.message})")
    return res.x.reshape(n, k + 1)[:, 0]


def _lf_cv(
    X: np.ndarray | None, sigma: np.ndarray, kappa: float, seed: int, sims: int = 1000, vertices=None
) -> float:
    """1 - kappa quantile of the max statistic at the least favourable point (R ``.compute_least_favorable_cv``)."""
    xi = r_rmvnorm(sims, sigma, seed)
    sd = np.sqrt(np.diag(sigma))
    if X is None:
        eta = (xi / sd).max(axis=1)
    elif vertices is not None and vertices.ok and len(vertices.bases):
        # LP duality: eta(xi) = max over the dual vertices gamma of gamma'xi
        eta = (vertices.G @ xi.T).max(axis=0)
    else:
        eta = _eta_many(xi, X, sd)
    return float(np.quantile(eta, 1 - kappa))


# ------------------------------------------------------------- ARP test (nuisance)
def _eta_lp(y, X, sd, vertices=None):
    if vertices is not None and vertices.ok and len(vertices.bases):
        # the dual of min eta s.t. y - X delta <= sd eta is max gamma'y over {gamma >= 0 :
        # sd'gamma = 1, X'gamma = 0}: the best vertex gives eta and the multipliers
        vals = vertices.G @ y
        j = int(np.argmax(vals))
        return float(vals[j]), vertices.G[j].copy()
    k = X.shape[1]
    res = _lp(np.concatenate([[1.0], np.zeros(k)]), -np.hstack([sd[:, None], X]), -y)
    if res.status != 0:
        return None
    return res.x[0], -res.ineqlin.marginals


_COFACTOR_CACHE: dict = {}


def _first_column_cofactors(X: np.ndarray):
    """All bases (row subsets of size k + 1) of ``W = [sd, X]`` and the cofactors of W_B's first column.

    Cofactor j is ``det(W_B with its first column replaced by e_j)``; it depends
    on X only.  Cached on X's bytes (the breakdown search evaluates many Mbar
    values with the same X).
    """
    import itertools

    key = (X.shape, X.tobytes())
    hit = _COFACTOR_CACHE.get(key)
    if hit is not None:
        return hit
    m, k = X.shape
    r = k + 1
    combos = np.array(list(itertools.combinations(range(m), r)), dtype=np.intp).reshape(-1, r)
    # With any first column u, the cofactors are det(W_u) times the first row of W_u^{-1}.
    # u = ones is nonsingular for every basis whose vertex is feasible (the null vector of
    # X_B' is single-signed there); the few others are computed by expansion (first column e_j).
    cof = np.empty((len(combos), r))
    eye = np.eye(r)
    for start in range(0, len(combos), 8192):
        XB = X[combos[start : start + 8192]]  # (n, r, k)
        n = len(XB)
        Wu = np.empty((n, r, r))
        Wu[:, :, 0] = 1.0
        Wu[:, :, 1:] = XB
        sign, logdet = np.linalg.slogdet(Wu)
        good = (sign != 0) & (logdet > np.log(1e-8))
        block = np.empty((n, r))
        if good.any():
            det_u = sign[good] * np.exp(logdet[good])
            block[good] = det_u[:, None] * np.linalg.inv(Wu[good])[:, 0, :]
        if (~good).any():
            Xb = XB[~good]
            Wj = np.empty((len(Xb), r, r, r))
            Wj[:, :, :, 1:] = Xb[:, None, :, :]
            Wj[:, :, :, 0] = eye[None, :, :]
            block[~good] = np.linalg.det(Wj)
        cof[start : start + n] = block
    if len(_COFACTOR_CACHE) >= 8:
        _COFACTOR_CACHE.pop(next(iter(_COFACTOR_CACHE)))
    _COFACTOR_CACHE[key] = (combos, cof)
    return combos, cof


class _DualVertices:
    """Vertices of {g >= 0 : W'g = e1}, enumerated once when there are few bases.

    The truncation bisection solves ``max f'g`` over this polytope for many
    ``f``; with ``k + 1`` equality rows every vertex has at most ``k + 1``
    non-zeros, so unless there are too many bases the maximum is the best
    vertex (otherwise HiGHS solves each LP).
    """

    MAX_BASES = 400_000

    def __init__(self, W: np.ndarray):
        from math import comb

        self.W = W
        m, r = W.shape
        self.ok = comb(m, r) <= self.MAX_BASES
        if not self.ok:
            return
        # A basis B gives the vertex g_B = W_B'^{-1} e1 = (cofactors of W_B's first column) /
        # det(W_B).  Those cofactors do not involve the first column (sd), which is the only
        # part of W that changes with Mbar, so they are computed once per X and reused.
        combos, cof = _first_column_cofactors(np.ascontiguousarray(W[:, 1:]))
        det = np.einsum("nj,nj->n", W[combos, 0], cof)
        keep = np.abs(det) > 1e-12
        combos, gB = combos[keep], cof[keep] / det[keep, None]
        feas = np.all(gB >= -1e-12, axis=1)
        combos, gB = combos[feas], np.maximum(gB[feas], 0.0)
        G = np.zeros((len(combos), m))
        np.put_along_axis(G, combos, gB, axis=1)
        self.G = G
        self.bases = combos  # one row of basis indices per feasible vertex

    def maximize(self, f: np.ndarray):
        """(status, value, x) of max f'g; ``None`` defers to the LP (too many bases, or none).

        The polytope is bounded (g >= 0 and sd'g = 1 with sd > 0), so the
        maximum is attained at a vertex and the enumeration is exact.
        """
        if not self.ok or len(self.bases) == 0:
            return None
        vals = self.G @ f
        j = int(np.argmax(vals))
        return 0, float(vals[j]), self.G[j]


def _max_program(s_T, gamma, sigma, W, c, vertices=None):
    g = gamma
    b = sigma @ g / float(g @ sigma @ g)
    f = s_T + b * c
    if vertices is not None:
        r = vertices.maximize(f)
        if r is not None:
            return r
    beq = np.zeros(W.shape[1])
    beq[0] = 1.0
    res = _lp(-f, A_eq=W.T, b_eq=beq, bounds=(0, None))
    return res.status, (-res.fun if res.status == 0 else np.nan), res.x


def _vlo_vup_dual(eta, s_T, gamma, sigma, W, vertices=None):
    """Truncation points by bisection over the dual vertex (R ``.vlo_vup_dual_fn``)."""
    tol_c, tol_eq = 1e-6, 1e-6
    sigma_B = float(np.sqrt(gamma @ sigma @ gamma))
    low0, high0 = min(-100.0, eta - 20 * sigma_B), max(100.0, eta + 20 * sigma_B)
    maxiters, switchiters = 10000, 10
    b = sigma @ gamma / float(gamma @ sigma @ gamma)

    def check(c):
        status, val, x = _max_program(s_T, gamma, sigma, W, c, vertices)
        ok = status == 0 and abs(c - val) <= tol_eq
        return ok, x

    def shortcut(x):
        a = float(x @ s_T)
        a = 0.0 if abs(a) < np.finfo(float).eps ** 0.75 else a
        return a / (1 - float(x @ b))

    ok, _ = check(eta)
    if not ok:
        return eta, np.inf

    def endpoint(start, unbounded):
        """Truncation point between ``eta`` and ``start``: shortcut steps, then bisection."""
        ok, lp = check(start)
        if ok:
            return unbounded
        dif, iters = 0.0, 1
        mid = shortcut(lp)
        while True:
            ok, lp = check(mid)
            if ok or iters >= maxiters:
                break
            iters += 1
            if iters >= switchiters:
                dif = tol_c + 1
                break
            mid = shortcut(lp)
        inner, outer = eta, mid  # the check holds at inner and fails at outer
        while dif > tol_c and iters < maxiters:
            iters += 1
            mid = (inner + outer) / 2
            if check(mid)[0]:
                inner = mid
            else:
                outer = mid
            dif = abs(outer - inner)
        return mid

    vup = endpoint(high0, np.inf)
    vlo = endpoint(low0, -np.inf)
    return vlo, vup


def _arp_reject(y, X, sigma, alpha, hybrid, kappa, lf_cv, vertices=None) -> bool:
    """ARP conditional (or LF-hybrid) test of E[y - X delta] <= 0 (R ``.lp_conditional_test_fn``)."""
    k = X.shape[1]
    sd = np.sqrt(np.diag(sigma))
    sol = _eta_lp(y, X, sd, vertices)
    if sol is None:
        warnings.warn("LP for eta did not converge properly; not rejecting", RuntimeWarning, stacklevel=3)
        return False
    eta, lam = sol
    if hybrid == "LF":
        mod_size = (alpha - kappa) / (1 - kappa)
        if eta > lf_cv:
            return True
    else:
        mod_size = alpha
    B = lam > 1e-6
    degenerate = int(B.sum()) != k + 1
    XB = X[B]
    full_rank = XB.size > 0 and min(XB.shape) > 0 and np.linalg.matrix_rank(XB) == min(XB.shape)
    if degenerate or not full_rank:
        W = np.hstack([sd[:, None], X])
        g = lam
        s_T = y - sigma @ g * float(g @ y) / float(g @ sigma @ g)
        vlo, vup = _vlo_vup_dual(eta, s_T, g, sigma, W, vertices)
        s2 = float(g @ sigma @ g)
        if abs(s2) < np.finfo(float).eps:
            return eta > 0
        sB = np.sqrt(s2)
        maxstat = eta / sB
        zlo = vlo / sB
        zup = (min(vup, lf_cv) if hybrid == "LF" else vup) / sB
    else:
        M = len(y)
        Bc = ~B
        WB = np.hstack([sd[B][:, None], XB])
        WBinv = np.linalg.inv(WB)
        S_B = np.eye(M)[B]
        S_Bc = np.eye(M)[Bc]
        Gamma_B = np.hstack([sd[Bc][:, None], X[Bc]]) @ WBinv @ S_B - S_Bc
        v_B = WBinv[0] @ S_B
        s2 = float(v_B @ sigma @ v_B)
        sB = np.sqrt(s2)
        rho = Gamma_B @ sigma @ v_B / s2
        with np.errstate(divide="ignore", invalid="ignore"):
            mm = (-Gamma_B @ y) / rho + float(v_B @ y)
        vlo = mm[rho > 0].max() if np.any(rho > 0) else -np.inf
        vup = mm[rho < 0].min() if np.any(rho < 0) else np.inf
        zlo = vlo / sB
        zup = (min(vup, lf_cv) if hybrid == "LF" else vup) / sB
        maxstat = eta / sB
    if not (zlo <= maxstat <= zup):
        return False
    cval = max(0.0, _truncnorm_ppf(1 - mod_size, zlo, zup))
    return bool(maxstat > cval)


def _construct_gamma(l_vec: np.ndarray) -> np.ndarray:
    """Invertible matrix with l' as its first row (R ``.construct_Gamma``: pivots of rref([l, I]))."""
    n = len(l_vec)
    B = np.hstack([l_vec[:, None], np.eye(n)])
    # pivot columns of the reduced row echelon form = greedy independent columns
    cols: list[int] = []
    basis = np.zeros((n, 0))
    for j in range(B.shape[1]):
        cand = np.hstack([basis, B[:, [j]]])
        if np.linalg.matrix_rank(cand, tol=1e-10) > basis.shape[1]:
            basis, cols = cand, cols + [j]
        if len(cols) == n:
            break
    return B[:, cols].T


# ------------------------------------------------------------- grid inversion
def _invert_on_grid(grid, test, first_stage=None, best=None):
    """Smallest and largest accepted grid index of ``test``, scanning inwards; ``None`` if none.

    R evaluates every grid point and reports min/max of the accepted ones (the
    union over the s/sign tests).  We scan from both ends and stop at the first
    acceptance, which gives the same two numbers with far fewer tests; points
    inside ``best`` (the union so far) cannot change it and are not tested.
    ``first_stage`` (lo, hi) bounds the points that can be accepted at all (the
    LF first stage accepts an interval of theta: eta(theta) is convex).
    """
    n = len(grid)
    lo_i, hi_i = 0, n - 1
    if first_stage is not None:
        lo, hi = first_stage
        if lo > hi:
            return None
        span = 1e-9 * max(1.0, abs(grid[-1] - grid[0]))
        idx = np.flatnonzero((grid >= lo - span) & (grid <= hi + span))
        if idx.size == 0:
            return None
        lo_i, hi_i = int(idx[0]), int(idx[-1])
    stop_lo = hi_i if best is None else min(hi_i, best[0] - 1)
    first = None
    for i in range(lo_i, stop_lo + 1):
        if test(grid[i]):
            first = i
            break
    stop_hi = lo_i if best is None else max(lo_i, best[1] + 1)
    if first is not None:
        stop_hi = max(stop_hi, first + 1)
    last = None
    for i in range(hi_i, stop_hi - 1, -1):
        if test(grid[i]):
            last = i
            break
    if first is None and last is None:
        if best is None:
            return None
        return best
    if first is None:
        first = best[0] if best is not None else last
    if last is None:
        last = best[1] if best is not None else first
    if best is not None:
        first, last = min(first, best[0]), max(last, best[1])
    return first, last


def _lf_interval(Y, a1, X, sd, lf_cv):
    """Theta values that pass the LF first stage: {theta : eta(theta) <= lf_cv} (an interval)."""
    k = X.shape[1]
    # variables (theta, delta): Y - a1 theta - X delta <= sd * lf_cv
    A = np.hstack([-a1[:, None], -X])
    b = sd * lf_cv - Y
    c = np.zeros(k + 1)
    c[0] = 1.0
    lo = _lp(c, A, b)
    hi = _lp(-c, A, b)
    if lo.status == 2 or hi.status == 2:  # infeasible: nothing passes
        return (np.inf, -np.inf)
    tlo = lo.x[0] if lo.status == 0 else -np.inf
    thi = hi.x[0] if hi.status == 0 else np.inf
    return (tlo, thi)
