"""Rambachan & Roth (2023) robust inference, ported from R ``HonestDiD`` (v0.2.x).

Two restriction classes on the post-period bias ``delta``:

* relative magnitudes, Delta^RM(Mbar): every post-period change in the bias is
  at most ``Mbar`` times the largest pre-period change.  Confidence set: the
  conditional test of Andrews, Roth & Pakes (ARP, 2023) with nuisance
  parameters, inverted over a grid of theta values, in the conditional
  least-favourable hybrid form ("C-LF", R's default) or the plain conditional
  form ("Conditional"); one test per location ``s`` and sign of the largest
  pre-period change, and the union over them (R ``computeConditionalCS_DeltaRM``).
* smoothness, Delta^SD(M): second differences of the bias at most ``M``.
  Confidence set: the optimal fixed-length CI (FLCI) over affine estimators
  that use *every* pre-period coefficient (R ``findOptimalFLCI``).

R draws the least-favourable critical value (1,000 multivariate normals) and
the folded-normal quantile (10^6 normals) by simulation after
``set.seed(seed)``; we reproduce R's random stream (:mod:`._rrng`), so with the
same ``seed`` the numbers match R's to the digits it prints.  Linear programs
use HiGHS (scipy) instead of lpSolve/glpk; the FLCI's second-order cone problem
uses SLSQP instead of CVXR/ECOS, and the optimal SD bound is found by a bounded
scalar minimisation instead of R's finite-difference bisection (same optimum).

This module is the front end (tidy sensitivity tables, one confidence set on demand);
the machinery lives in ``_honest_lp`` (shared), ``_honest_rm`` and ``_honest_sd``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

# Public and test-facing names keep their old import path (jingwu.effects._honest).
from ._honest_lp import (
    _check_inputs,
    original_cs,  # noqa: F401
)
from ._honest_rm import (
    rm_bonferroni_set,
    rm_confidence_set,
    rm_enumerable,
    rm_identified_set,
)
from ._honest_sd import (
    _FLCIProblem,
    _sd_upper_bound_mpre,
    flci,
    sd_identified_set,
)

__all__ = ["honest_sensitivity", "rm_confidence_set", "flci", "original_cs"]


# ------------------------------------------------------------------ front end
def honest_sensitivity(*args, **kwargs) -> pd.DataFrame:
    """Tidy sensitivity table, one row per Mbar / M (R ``createSensitivityResults[_relativeMagnitudes]``).

    Single-threaded BLAS: the many tiny solves here run ~100x slower when
    BLAS threads compete for the cores.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return _honest_sensitivity(*args, **kwargs)


def _honest_sensitivity(
    betahat,
    sigma,
    num_pre_periods: int,
    num_post_periods: int,
    *,
    method: str = "relative_magnitude",
    Mbar=None,
    M=None,
    l_vec=None,
    alpha: float = 0.05,
    hybrid: str = "auto",
    grid_points: int = 1000,
    grid_lb: float | None = None,
    grid_ub: float | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    b, S, l = _check_inputs(betahat, sigma, num_pre_periods, num_post_periods, l_vec)
    npre, npost = num_pre_periods, num_post_periods
    rows = []
    if method == "relative_magnitude":
        grid = np.linspace(0, 2, 10) if Mbar is None else np.atleast_1d(np.asarray(Mbar, dtype=float))
        if hybrid == "auto":
            hybrid = "LF" if rm_enumerable(npre, npost) else "bonferroni"
            if hybrid == "bonferroni":
                warnings.warn(
                    f"{npost} post-periods: the C-LF confidence set would need millions of linear "
                    "programs here, so the conservative Bonferroni projection is reported (method "
                    "'Bonferroni'; wider than R HonestDiD's C-LF). Target fewer post-periods "
                    "(aggregate('dynamic', max_e=...)) for the C-LF set, or pass hybrid='LF'.",
                    UserWarning,
                    stacklevel=3,
                )
        if hybrid not in ("LF", "ARP", "bonferroni"):
            raise ValueError(f"hybrid must be 'auto', 'LF', 'ARP' or 'bonferroni', got {hybrid!r}")
        name = {"LF": "C-LF", "ARP": "Conditional", "bonferroni": "Bonferroni"}[hybrid]
        for mb in grid:
            if hybrid == "bonferroni":
                lb, ub = rm_bonferroni_set(b, S, npre, npost, mb, l_vec=l, alpha=alpha)
            else:
                lb, ub = rm_confidence_set(
                    b,
                    S,
                    npre,
                    npost,
                    mb,
                    l_vec=l,
                    alpha=alpha,
                    hybrid=hybrid,
                    grid_points=grid_points,
                    grid_lb=grid_lb,
                    grid_ub=grid_ub,
                    seed=seed,
                )
            ilb, iub = rm_identified_set(b, npre, npost, mb, l)
            rows.append(
                {
                    "Mbar": mb,
                    "lb": lb,
                    "ub": ub,
                    "method": name,
                    "Delta": "DeltaRM",
                    "id_lb": ilb,
                    "id_ub": iub,
                }
            )
    elif method == "smoothness":
        if M is None:
            M = (
                np.linspace(0, _sd_upper_bound_mpre(b, S, npre, alpha), 10)
                if npre > 1
                else np.linspace(0, np.sqrt(S[0, 0]), 10)
            )
        prob = _FLCIProblem(S, npre, npost, l, seed)
        for m in np.atleast_1d(np.asarray(M, dtype=float)):
            lb, ub = flci(b, S, npre, npost, m, l_vec=l, alpha=alpha, seed=seed, _problem=prob)
            ilb, iub = sd_identified_set(b, npre, npost, m, l)
            rows.append(
                {"M": m, "lb": lb, "ub": ub, "method": "FLCI", "Delta": "DeltaSD", "id_lb": ilb, "id_ub": iub}
            )
    else:
        raise ValueError(f"method must be 'relative_magnitude' or 'smoothness', got {method!r}")
    return pd.DataFrame(rows)


def confidence_set_at(
    betahat,
    sigma,
    num_pre_periods: int,
    num_post_periods: int,
    *,
    method: str,
    value: float,
    l_vec=None,
    alpha: float = 0.05,
    hybrid: str = "LF",
    grid_points: int = 1000,
    grid_lb: float | None = None,
    grid_ub: float | None = None,
    seed: int = 0,
    problem: _FLCIProblem | None = None,
) -> tuple[float, float]:
    """(lb, ub) of the robust confidence set at one Mbar (or M), without the identified set.

    The same numbers as the ``lb``/``ub`` of :func:`honest_sensitivity` for that
    value; the breakdown search calls it many times (pass ``problem`` to reuse
    one FLCI set-up across M).
    """
    with threadpool_limits(limits=1, user_api="blas"):
        if method == "smoothness":
            return flci(
                betahat,
                sigma,
                num_pre_periods,
                num_post_periods,
                value,
                l_vec=l_vec,
                alpha=alpha,
                seed=seed,
                _problem=problem,
            )
        if hybrid == "bonferroni":
            return rm_bonferroni_set(
                betahat, sigma, num_pre_periods, num_post_periods, value, l_vec=l_vec, alpha=alpha
            )
        if hybrid == "auto":
            hybrid = "LF"
        return rm_confidence_set(
            betahat,
            sigma,
            num_pre_periods,
            num_post_periods,
            value,
            l_vec=l_vec,
            alpha=alpha,
            hybrid=hybrid,
            grid_points=grid_points,
            grid_lb=grid_lb,
            grid_ub=grid_ub,
            seed=seed,
        )
