"""Two-period DiD estimators for repeated cross sections (Sant'Anna & Zhao 2020).

Direct numpy translations of R ``DRDID::drdid_rc`` (locally efficient doubly
robust), ``std_ipw_did_rc`` (normalised IPW) and ``reg_did_rc`` (outcome
regression), which R ``did::att_gt`` calls for every ATT(g,t) when the data
are repeated cross sections or an unbalanced panel
(``allow_unbalanced_panel=TRUE``).  Each returns the estimate and its
influence function, one value per observation (row) in the 2x2 sample.
"""

from __future__ import annotations

import numpy as np

from ._drdid import _TRIM_LEVEL, _logit

__all__ = ["did_2x2_rc"]

_RCOND_MIN = np.finfo(float).eps


def _ols_rc(y: np.ndarray, X: np.ndarray, w: np.ndarray, subset: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted OLS on ``subset``: fitted values for every row and the asymptotic linear representation."""
    n = len(y)
    ws = w * subset
    XtWX = (X * ws[:, None]).T @ X
    # R DRDID stops when the Gram matrix is (numerically) singular; the caller turns that into NA
    if XtWX.shape[0] == 0 or 1.0 / np.linalg.cond(XtWX / n) < _RCOND_MIN:
        raise np.linalg.LinAlgError("singular regression design")
    beta = np.linalg.solve(XtWX, X.T @ (ws * y))
    fit = X @ beta
    alr = ((ws * (y - fit))[:, None] * X) @ np.linalg.inv(XtWX / n)
    return fit, alr


def _centred(eta_w: np.ndarray, w: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean of the normalised summand ``eta_w = w*v/mean(w)`` and its leading influence term."""
    att = float(np.mean(eta_w))
    return att, eta_w - w * att / np.mean(w)


def did_2x2_rc(
    y: np.ndarray, post: np.ndarray, D: np.ndarray, X: np.ndarray, w: np.ndarray, method: str
) -> tuple[float, np.ndarray]:
    """ATT and per-observation influence function for one 2x2 comparison (repeated cross sections).

    Parameters
    ----------
    y : outcome of each observation.
    post : 1 for observations in the later period, 0 in the base period.
    D : 1 for the treated cohort, 0 for the comparison group.
    X : covariates including an intercept column (n x k).
    w : sampling weights (renormalised to mean one here, as DRDID does).
    method : "dr", "ipw" or "reg".

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([1.0, 2.0, 1.5, 4.0, 0.0, 1.0, 0.5, 1.5])
    >>> post = np.array([0, 0, 1, 1, 0, 0, 1, 1.0])
    >>> D = np.array([1, 1, 1, 1, 0, 0, 0, 0.0])
    >>> att, inf = did_2x2_rc(y, post, D, np.ones((8, 1)), np.ones(8), "reg")
    >>> round(att, 6)  # (2.75 - 1.5) - (1.0 - 0.5)
    0.75
    """
    n = len(y)
    w = w / w.mean()
    if method == "reg":
        return _reg_rc(y, post, D, X, w)
    if method not in ("dr", "ipw"):
        raise ValueError(f"est_method must be 'dr', 'ipw' or 'reg', got {method!r}")
    ps, vcov = _logit(D, X, w)
    ps = np.minimum(ps, 1 - 1e-6)
    trim = np.where(D == 1, True, ps < _TRIM_LEVEL)
    alr_ps = ((w * (D - ps))[:, None] * X) @ (vcov * n)
    w_tpre = trim * w * D * (1 - post)
    w_tpost = trim * w * D * post
    w_cpre = trim * w * ps * (1 - D) * (1 - post) / (1 - ps)
    w_cpost = trim * w * ps * (1 - D) * post / (1 - ps)
    if method == "ipw":
        a_tpre, i_tpre = _centred(w_tpre * y / w_tpre.mean(), w_tpre)
        a_tpost, i_tpost = _centred(w_tpost * y / w_tpost.mean(), w_tpost)
        a_cpre, i_cpre = _centred(w_cpre * y / w_cpre.mean(), w_cpre)
        a_cpost, i_cpost = _centred(w_cpost * y / w_cpost.mean(), w_cpost)
        M2pre = np.mean((w_cpre * (y - a_cpre))[:, None] * X, axis=0) / w_cpre.mean()
        M2post = np.mean((w_cpost * (y - a_cpost))[:, None] * X, axis=0) / w_cpost.mean()
        inf_treat = i_tpost - i_tpre
        inf_cont = i_cpost - i_cpre + alr_ps @ (M2post - M2pre)
        return (a_tpost - a_tpre) - (a_cpost - a_cpre), inf_treat - inf_cont
    return _dr_rc(y, post, D, X, w, trim, alr_ps, (w_tpre, w_tpost, w_cpre, w_cpost))


def _reg_rc(
    y: np.ndarray, post: np.ndarray, D: np.ndarray, X: np.ndarray, w: np.ndarray
) -> tuple[float, np.ndarray]:
    """R ``DRDID::reg_did_rc`` (weights already normalised)."""
    fit_pre, alr_pre = _ols_rc(y, X, w, (1 - D) * (1 - post))
    fit_post, alr_post = _ols_rc(y, X, w, (1 - D) * post)
    w_tpre, w_tpost, w_c = w * D * (1 - post), w * D * post, w * D
    eta_tpre = np.mean(w_tpre * y) / w_tpre.mean()
    eta_tpost = np.mean(w_tpost * y) / w_tpost.mean()
    eta_c = np.mean(w_c * (fit_post - fit_pre)) / w_c.mean()
    inf_treat = (w_tpost * y - w_tpost * eta_tpost) / w_tpost.mean() - (
        w_tpre * y - w_tpre * eta_tpre
    ) / w_tpre.mean()
    M1 = np.mean(w_c[:, None] * X, axis=0)
    inf_cont = (w_c * (fit_post - fit_pre) - w_c * eta_c + alr_post @ M1 - alr_pre @ M1) / w_c.mean()
    return float((eta_tpost - eta_tpre) - eta_c), inf_treat - inf_cont


def _dr_rc(
    y: np.ndarray,
    post: np.ndarray,
    D: np.ndarray,
    X: np.ndarray,
    w: np.ndarray,
    trim: np.ndarray,
    alr_ps: np.ndarray,
    wts: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> tuple[float, np.ndarray]:
    """R ``DRDID::drdid_rc``, the locally efficient doubly robust estimator."""
    w_tpre, w_tpost, w_cpre, w_cpost = wts
    f_cpre, alr_cpre = _ols_rc(y, X, w, (1 - D) * (1 - post))
    f_cpost, alr_cpost = _ols_rc(y, X, w, (1 - D) * post)
    f_tpre, alr_tpre = _ols_rc(y, X, w, D * (1 - post))
    f_tpost, alr_tpost = _ols_rc(y, X, w, D * post)
    f_c = post * f_cpost + (1 - post) * f_cpre
    r = y - f_c
    w_d, w_dt1, w_dt0 = trim * w * D, trim * w * D * post, trim * w * D * (1 - post)

    a_tpre, i_tpre = _centred(w_tpre * r / w_tpre.mean(), w_tpre)
    a_tpost, i_tpost = _centred(w_tpost * r / w_tpost.mean(), w_tpost)
    a_cpre, i_cpre = _centred(w_cpre * r / w_cpre.mean(), w_cpre)
    a_cpost, i_cpost = _centred(w_cpost * r / w_cpost.mean(), w_cpost)
    a_dpost, i_dpost = _centred(w_d * (f_tpost - f_cpost) / w_d.mean(), w_d)
    a_dt1, i_dt1 = _centred(w_dt1 * (f_tpost - f_cpost) / w_dt1.mean(), w_dt1)
    a_dpre, i_dpre = _centred(w_d * (f_tpre - f_cpre) / w_d.mean(), w_d)
    a_dt0, i_dt0 = _centred(w_dt0 * (f_tpre - f_cpre) / w_dt0.mean(), w_dt0)
    att = (a_tpost - a_tpre) - (a_cpost - a_cpre) + (a_dpost - a_dt1) - (a_dpre - a_dt0)

    def cm(v: np.ndarray) -> np.ndarray:
        return np.mean(v[:, None] * X, axis=0)

    M1post = -cm(w_tpost * post) / w_tpost.mean()
    M1pre = -cm(w_tpre * (1 - post)) / w_tpre.mean()
    # the pre-period terms enter with a minus (as in the Python ports csdid and drdid): this is the
    # empirical influence function (tests/test_effects_unbalanced.py); R DRDID 1.2.3 adds them
    inf_treat_or = alr_cpost @ M1post - alr_cpre @ M1pre
    M2pre = cm(w_cpre * (r - a_cpre)) / w_cpre.mean()
    M2post = cm(w_cpost * (r - a_cpost)) / w_cpost.mean()
    inf_cont_ps = alr_ps @ (M2post - M2pre)
    M3post = -cm(w_cpost * post) / w_cpost.mean()
    M3pre = -cm(w_cpre * (1 - post)) / w_cpre.mean()
    inf_cont_or = alr_cpost @ M3post - alr_cpre @ M3pre
    inf_eff = (i_dpost - i_dt1) - (i_dpre - i_dt0)
    mom_post = cm(w_d / w_d.mean() - w_dt1 / w_dt1.mean())
    mom_pre = cm(w_d / w_d.mean() - w_dt0 / w_dt0.mean())
    inf_or = (alr_tpost - alr_cpost) @ mom_post - (alr_tpre - alr_cpre) @ mom_pre
    inf_treat = i_tpost - i_tpre + inf_treat_or
    inf_cont = i_cpost - i_cpre + inf_cont_ps + inf_cont_or
    return float(att), inf_treat - inf_cont + inf_eff + inf_or
