"""Two-period panel DiD estimators with influence functions (Sant'Anna & Zhao 2020).

Direct numpy translations of R ``DRDID::drdid_panel`` (doubly robust),
``std_ipw_did_panel`` (normalised IPW) and ``reg_did_panel`` (outcome
regression), which R ``did::att_gt`` calls for every ATT(g,t).  Each returns
the estimate and its influence function (one value per unit in the 2x2 sample).
"""

from __future__ import annotations

import numpy as np

__all__ = ["did_2x2"]

_TRIM_LEVEL = 0.995


def _logit(D: np.ndarray, X: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted logit MLE; returns fitted probabilities and inverse Hessian (= glm vcov)."""
    k = X.shape[1]
    if k == 1:  # intercept only: closed form
        p = float(np.sum(w * D) / np.sum(w))
        ps = np.full(len(D), p)
        H = np.array([[np.sum(w) * p * (1 - p)]])
        return ps, np.linalg.inv(H)
    beta = np.zeros(k)
    p0 = np.clip(np.sum(w * D) / np.sum(w), 1e-6, 1 - 1e-6)
    beta[0] = np.log(p0 / (1 - p0))
    for _ in range(100):
        eta = X @ beta
        ps = 1.0 / (1.0 + np.exp(-eta))
        W = w * ps * (1 - ps)
        H = (X * W[:, None]).T @ X
        grad = X.T @ (w * (D - ps))
        step = np.linalg.solve(H, grad)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-12 * (1 + np.max(np.abs(beta))):
            break
    eta = X @ beta
    ps = 1.0 / (1.0 + np.exp(-eta))
    W = w * ps * (1 - ps)
    H = (X * W[:, None]).T @ X
    return ps, np.linalg.inv(H)


def _ols_control(dy: np.ndarray, D: np.ndarray, X: np.ndarray, w: np.ndarray):
    """Weighted OLS of dy on X among controls; returns fitted values for all and the ALR pieces."""
    n = len(dy)
    wc = w * (1 - D)
    if X.shape[1] == 1:
        # Intercept only (no covariates, the common case): the regression is a
        # weighted mean, so skip the matrix algebra (the same numbers, ~50x faster).
        swc = wc.sum()
        fit = np.full(n, np.dot(wc, dy) / swc)
        alr = ((wc * (dy - fit)) * (n / swc))[:, None]
        return fit, alr
    XtWX = (X * wc[:, None]).T @ X
    beta = np.linalg.solve(XtWX, X.T @ (wc * dy))
    fit = X @ beta
    XpX_inv = np.linalg.inv(XtWX / n)
    alr = ((wc * (dy - fit))[:, None] * X) @ XpX_inv  # asymptotic linear rep. of OLS
    return fit, alr


def did_2x2(
    dy: np.ndarray, D: np.ndarray, X: np.ndarray, w: np.ndarray, method: str
) -> tuple[float, np.ndarray]:
    """ATT and influence function for one 2x2 comparison (panel data).

    Parameters
    ----------
    dy : change in outcome (post - pre) per unit.
    D : 1 for treated units, 0 for comparison units.
    X : covariates including an intercept column (n x k).
    w : sampling weights (renormalised to mean one here, as DRDID does).
    method : "dr", "ipw" or "reg".
    """
    n = len(dy)
    w = w / w.mean()
    if method == "reg":
        fit, alr_ols = _ols_control(dy, D, X, w)
        w_t = w * D
        mt = w_t.mean()
        eta_t = np.mean(w_t * dy) / mt
        eta_c = np.mean(w_t * fit) / mt
        inf_t = (w_t * dy - w_t * eta_t) / mt
        M1 = np.mean(w_t[:, None] * X, axis=0)
        inf_c = (w_t * fit - w_t * eta_c + alr_ols @ M1) / mt
        return float(eta_t - eta_c), inf_t - inf_c

    ps, vcov = _logit(D, X, w)
    ps = np.minimum(ps, 1 - 1e-6)
    trim = np.where(D == 1, True, ps < _TRIM_LEVEL)
    w_t = w * D
    w_c = trim * w * ps * (1 - D) / (1 - ps)
    alr_ps = ((w * (D - ps))[:, None] * X) @ (vcov * n)
    mt, mc = w_t.mean(), w_c.mean()

    if method == "ipw":
        eta_t = np.mean(w_t * dy) / mt
        eta_c = np.mean(w_c * dy) / mc
        inf_t = (w_t * dy - w_t * eta_t) / mt
        M2 = np.mean((w_c * (dy - eta_c))[:, None] * X, axis=0)
        inf_c = (w_c * dy - w_c * eta_c + alr_ps @ M2) / mc
        return float(eta_t - eta_c), inf_t - inf_c

    if method != "dr":
        raise ValueError(f"est_method must be 'dr', 'ipw' or 'reg', got {method!r}")
    fit, alr_ols = _ols_control(dy, D, X, w)
    r = dy - fit
    eta_t = np.mean(w_t * r) / mt
    eta_c = np.mean(w_c * r) / mc
    M1 = np.mean(w_t[:, None] * X, axis=0)
    inf_t = (w_t * r - w_t * eta_t - alr_ols @ M1) / mt
    M2 = np.mean((w_c * (r - eta_c))[:, None] * X, axis=0)
    M3 = np.mean(w_c[:, None] * X, axis=0)
    inf_c = (w_c * r - w_c * eta_c + alr_ps @ M2 - alr_ols @ M3) / mc
    return float(eta_t - eta_c), inf_t - inf_c


def _ols_control_multi(DY: np.ndarray, D: np.ndarray, X: np.ndarray, w: np.ndarray):
    """:func:`_ols_control` for m outcome columns at once (DY is n x m); alr is (n, m, k)."""
    n = DY.shape[0]
    wc = w * (1 - D)
    if X.shape[1] == 1:
        swc = wc.sum()
        fit = np.broadcast_to(wc @ DY / swc, DY.shape)
        alr = ((wc[:, None] * (DY - fit)) * (n / swc))[:, :, None]
        return fit, alr
    XtWX = (X * wc[:, None]).T @ X
    beta = np.linalg.solve(XtWX, X.T @ (wc[:, None] * DY))  # (k, m)
    fit = X @ beta
    XpX_inv = np.linalg.inv(XtWX / n)
    alr = np.einsum("nm,nk,kl->nml", wc[:, None] * (DY - fit), X, XpX_inv)
    return fit, alr


def did_2x2_multi(
    DY: np.ndarray, D: np.ndarray, X: np.ndarray, w: np.ndarray, method: str
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`did_2x2` for m outcome columns sharing one design (DY is n x m).

    Every estimator here is linear in the outcome for a fixed design; the
    bootstrap of the pre-trend test evaluates it on one residual column per
    cluster.  Returns ATTs (m,) and influence functions (n, m), column by column
    the numbers :func:`did_2x2` gives.
    """
    n = DY.shape[0]
    w = w / w.mean()
    if method == "reg":
        fit, alr_ols = _ols_control_multi(DY, D, X, w)
        w_t = w * D
        mt = w_t.mean()
        eta_t = np.mean(w_t[:, None] * DY, axis=0) / mt
        eta_c = np.mean(w_t[:, None] * fit, axis=0) / mt
        inf_t = (w_t[:, None] * DY - w_t[:, None] * eta_t) / mt
        M1 = np.mean(w_t[:, None] * X, axis=0)
        inf_c = (w_t[:, None] * fit - w_t[:, None] * eta_c + alr_ols @ M1) / mt
        return eta_t - eta_c, inf_t - inf_c

    ps, vcov = _logit(D, X, w)
    ps = np.minimum(ps, 1 - 1e-6)
    trim = np.where(D == 1, True, ps < _TRIM_LEVEL)
    w_t = w * D
    w_c = trim * w * ps * (1 - D) / (1 - ps)
    alr_ps = ((w * (D - ps))[:, None] * X) @ (vcov * n)  # (n, k)
    mt, mc = w_t.mean(), w_c.mean()
    if method == "ipw":
        eta_t = np.mean(w_t[:, None] * DY, axis=0) / mt
        eta_c = np.mean(w_c[:, None] * DY, axis=0) / mc
        inf_t = (w_t[:, None] * DY - w_t[:, None] * eta_t) / mt
        M2 = np.einsum("nm,nk->km", w_c[:, None] * (DY - eta_c), X) / n
        inf_c = (w_c[:, None] * DY - w_c[:, None] * eta_c + alr_ps @ M2) / mc
        return eta_t - eta_c, inf_t - inf_c
    if method != "dr":
        raise ValueError(f"est_method must be 'dr', 'ipw' or 'reg', got {method!r}")
    fit, alr_ols = _ols_control_multi(DY, D, X, w)
    r = DY - fit
    eta_t = np.mean(w_t[:, None] * r, axis=0) / mt
    eta_c = np.mean(w_c[:, None] * r, axis=0) / mc
    M1 = np.mean(w_t[:, None] * X, axis=0)
    inf_t = (w_t[:, None] * r - w_t[:, None] * eta_t - alr_ols @ M1) / mt
    M2 = np.einsum("nm,nk->km", w_c[:, None] * (r - eta_c), X) / n
    M3 = np.mean(w_c[:, None] * X, axis=0)
    inf_c = (w_c[:, None] * r - w_c[:, None] * eta_c + alr_ps @ M2 - alr_ols @ M3) / mc
    return eta_t - eta_c, inf_t - inf_c
