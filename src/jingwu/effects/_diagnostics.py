"""Diagnostics: joint pre-trend test and Rambachan & Roth (2023) sensitivity bounds."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from ._cs import AggregateResult, ATTGTResult

__all__ = ["pretrend_test", "honest_did"]


def pretrend_test(result: ATTGTResult | AggregateResult) -> dict:
    """Joint Wald test that all pre-treatment effects are zero.

    Uses the influence-function covariance of the pre-period ATT(g,t)s (as
    R ``did``'s summary), or of the pre-period event-time estimates of a
    ``dynamic`` aggregation.  Cells fixed at zero by a universal base period
    are left out.

    Returns
    -------
    dict
        ``stat`` (chi-square), ``df``, ``p_value``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from jingwu.effects import att_gt, pretrend_test
    >>> rng = np.random.default_rng(3)
    >>> df = pd.DataFrame({"id": np.repeat(np.arange(90), 6), "t": np.tile(np.arange(6), 90)})
    >>> df["g"] = df["id"] % 3 * 2
    >>> df["y"] = rng.normal(size=len(df)) + 1.0 * ((df["g"] > 0) & (df["t"] >= df["g"]))
    >>> out = pretrend_test(att_gt(df, "y", "id", "t", "g"))
    >>> out["df"], out["p_value"] > 0.05
    (4, True)
    """
    if isinstance(result, ATTGTResult):
        pre = (~result.post) & (result.time != result.base) & np.isfinite(result.att)
        theta = result.att[pre]
        inf = result.inffunc[:, pre]
        cl = result.panel.cluster
    elif isinstance(result, AggregateResult) and result.type == "dynamic":
        pre = (result.egt < 0) & np.isfinite(result.se)
        theta = result.att[pre]
        inf = result.inffunc[:, pre]
        cl = result.source.panel.cluster
    else:
        raise ValueError("pretrend_test needs an att_gt result or a 'dynamic' aggregation")
    if theta.size == 0:
        raise ValueError("no pre-treatment estimates to test")
    if cl is not None:
        G = int(cl.max()) + 1
        S = np.zeros((G, inf.shape[1]))
        np.add.at(S, cl, inf)
    else:
        S = inf
    V = S.T @ S / inf.shape[0] ** 2
    if np.linalg.cond(V) > 1 / np.finfo(float).eps:
        raise ValueError(
            f"pre-period covariance matrix is singular ({theta.size} pre-period estimates from "
            f"{inf.shape[0]} units); test a window of event times instead: "
            "pretrend_test(result.aggregate('dynamic', min_e=-12))")
    W = float(theta @ np.linalg.solve(V, theta))
    return {"stat": W, "df": int(theta.size), "p_value": float(stats.chi2.sf(W, theta.size))}


def _event_study_inputs(result: AggregateResult, event_time, l_vec):
    """betahat, sigma, pre/post counts and l_vec from a universal-base dynamic aggregation."""
    if not isinstance(result, AggregateResult) or result.type != "dynamic":
        raise ValueError("honest_did needs a 'dynamic' aggregation (att_gt(...).aggregate('dynamic'))")
    if result.source.params.get("base_period") != "universal":
        raise ValueError("honest_did needs att_gt(..., base_period='universal') so pre-period "
                         "estimates are relative to e = -1 (as in Rambachan & Roth)")
    e = np.asarray(result.egt, dtype=float)
    keep = e != -1
    ee = e[keep]
    if np.any(np.diff(ee[ee < 0]) != 1) or np.any(np.diff(ee[ee >= 0]) != 1) or (ee < -1).sum() == 0 \
            or (ee >= 0).sum() == 0:
        raise ValueError("honest_did needs consecutive event times with at least one pre-period "
                         "before e = -1 and one post-period (aggregate with min_e/max_e)")
    V = result.vcov()[np.ix_(keep, keep)]
    b = np.asarray(result.att, dtype=float)[keep]
    npre = int((ee < -1).sum())
    post_e = ee[ee >= 0].astype(int)
    if event_time is not None:
        if event_time not in set(post_e):
            raise ValueError(f"event_time {event_time} is not a post-period event time")
        l = (post_e == event_time).astype(float)
    elif l_vec is not None:
        l = np.asarray(l_vec, dtype=float)
    else:
        l = np.full(len(post_e), 1 / len(post_e))
    return b, V, npre, len(post_e), l


def _breakdown(ci_at, tol: float, start: float = 1.0, cap: float = 1e3) -> float:
    """Boundary value where the robust CI first contains 0, by doubling then bisection.

    Returns the largest value checked whose CI still excludes zero (within
    ``tol`` of the boundary; R's "breakdown value"), ``nan`` if the CI at 0
    already contains zero, ``inf`` if zero is still excluded at ``cap``.
    """
    def excludes0(v):
        lb, ub = ci_at(v)
        return bool(np.isfinite(lb) and np.isfinite(ub) and (lb > 0 or ub < 0))

    if not excludes0(0.0):
        return np.nan
    lo, hi = 0.0, start
    while excludes0(hi):
        lo, hi = hi, 2 * hi
        if hi > cap:
            return np.inf
    while hi - lo > tol:
        mid = (lo + hi) / 2
        if excludes0(mid):
            lo = mid
        else:
            hi = mid
    return lo


def honest_did(
    result: AggregateResult | None = None,
    method: str = "relative_magnitude",
    Mbar: list[float] | np.ndarray | None = None,
    M: list[float] | np.ndarray | None = None,
    event_time: int | None = None,
    alpha: float = 0.05,
    *,
    betahat: np.ndarray | None = None,
    sigma: np.ndarray | None = None,
    num_pre_periods: int | None = None,
    num_post_periods: int | None = None,
    l_vec: np.ndarray | None = None,
    hybrid: str = "LF",
    grid_points: int = 1000,
    grid_lb: float | None = None,
    grid_ub: float | None = None,
    breakdown: bool = True,
    breakdown_tol: float | None = None,
    seed: int = 0,
    alp: float | None = None,
) -> pd.DataFrame:
    """Sensitivity of an event-study effect to violations of parallel trends (Rambachan & Roth 2023).

    A port of R ``HonestDiD`` with two entry points: R's own (``betahat``,
    ``sigma``, ``num_pre_periods``, ``num_post_periods``: event-study
    coefficients without the reference period, pre-periods first) or a
    ``dynamic`` aggregation of :func:`att_gt` fitted with
    ``base_period="universal"`` (as R's ``honest_did.AGGTEobj``).

    * ``"relative_magnitude"`` (Delta^RM(Mbar)): each post-period change in
      the bias is at most ``Mbar`` times the largest pre-period change.  The
      confidence set inverts the conditional test of Andrews, Roth & Pakes
      with nuisance parameters over a grid of theta (``grid_points`` points on
      +-20 SE unless ``grid_lb``/``grid_ub``), in the conditional
      least-favourable hybrid form (``hybrid="LF"``, R's "C-LF", default) or
      the plain conditional form (``hybrid="ARP"``, R's "Conditional");
      R ``createSensitivityResults_relativeMagnitudes``.
    * ``"smoothness"`` (Delta^SD(M)): the slope of the bias changes by at most
      ``M`` between periods; the optimal fixed-length CI over affine
      estimators using all pre-periods (R ``createSensitivityResults``, FLCI).

    Simulated critical values use R's random stream after ``set.seed(seed)``,
    so intervals match R's printed digits (checked against the HonestDiD
    README and vignette results stored in ``tests/reference/``).

    Parameters
    ----------
    result : AggregateResult, optional
        ``att_gt(..., base_period="universal").aggregate("dynamic")``.
    method : {"relative_magnitude", "smoothness"}
    Mbar, M : grids (R defaults: 10 values on [0, 2] for Mbar; for M, 10
        values up to the upper confidence bound of the largest pre-period
        second difference).
    event_time : int, optional
        (result route) target the effect at this event time; otherwise
        ``l_vec``, and otherwise the average of the post-period effects.
        (R's ``honest_did`` targets ``e = 0`` by default; its
        ``createSensitivityResults*`` the first post-period: ``l_vec=None``
        on the R route.)
    alpha : float
        1 - confidence level.  ``alp`` is accepted as a deprecated alias.
    hybrid : {"LF", "ARP"}
        Relative magnitudes only: C-LF (default) or conditional.
    breakdown : bool
        Also find the breakdown value (the largest Mbar/M at which the robust
        CI still excludes zero, to ``breakdown_tol``: 0.01 for Mbar, 0.1% of
        the largest pre-period second difference bound for M).
    seed : int
        Seed of R's generator for the simulated critical values (R's default 0).

    Returns
    -------
    DataFrame
        One row per Mbar or M: ``Mbar``/``M``, ``lb``, ``ub``, ``method``
        (``"C-LF"``, ``"Conditional"`` or ``"FLCI"``), ``Delta``
        (``"DeltaRM"``/``"DeltaSD"``), ``id_lb``, ``id_ub`` (identified set
        with the estimates taken as the truth; NaN when the pre-period
        estimates themselves violate Delta^SD(M)).  ``.attrs``: ``breakdown``
        (NaN if even the usual CI contains zero), ``theta`` and ``se`` (the
        target and its SE), ``original_ci``.

    Examples
    --------
    >>> import numpy as np
    >>> from jingwu.effects import honest_did
    >>> b = np.array([0.01, -0.01, 0.0, 0.2, 0.25])
    >>> V = np.diag([0.02, 0.02, 0.02, 0.03, 0.03]) ** 2
    >>> h = honest_did(betahat=b, sigma=V, num_pre_periods=3, num_post_periods=2,
    ...                Mbar=[0, 1], breakdown=False)
    >>> bool(h["lb"].iloc[0] > 0), h["method"].iloc[0]
    (True, 'C-LF')
    """
    from ._honest import honest_sensitivity, original_cs
    if alp is not None:
        warnings.warn("honest_did(alp=...) is deprecated; use alpha=", DeprecationWarning, stacklevel=2)
        alpha = alp
    if method not in ("relative_magnitude", "smoothness"):
        raise ValueError(f"method must be 'relative_magnitude' or 'smoothness', got {method!r}")
    if result is not None:
        if betahat is not None or sigma is not None:
            raise ValueError("give either an event-study result or betahat/sigma, not both")
        b, V, npre, npost, l = _event_study_inputs(result, event_time, l_vec)
    else:
        if betahat is None or sigma is None or num_pre_periods is None or num_post_periods is None:
            raise ValueError("give an event-study result, or betahat, sigma, num_pre_periods and "
                             "num_post_periods")
        b, V = np.asarray(betahat, dtype=float).ravel(), np.asarray(sigma, dtype=float)
        npre, npost = int(num_pre_periods), int(num_post_periods)
        l = l_vec
    opts = dict(l_vec=l, alpha=alpha, hybrid=hybrid, grid_points=grid_points, grid_lb=grid_lb,
                grid_ub=grid_ub, seed=seed)
    out = honest_sensitivity(b, V, npre, npost, method=method, Mbar=Mbar, M=M, **opts)
    lvec = np.zeros(npost) if l is None else np.asarray(l, dtype=float)
    if l is None:
        lvec[0] = 1.0
    theta = float(lvec @ b[npre:])
    out.attrs["theta"] = theta
    out.attrs["se"] = float(np.sqrt(lvec @ V[npre:, npre:] @ lvec))
    out.attrs["original_ci"] = original_cs(b, V, npre, npost, l_vec=lvec, alpha=alpha)
    out.attrs["breakdown"] = np.nan
    if breakdown:
        key = "Mbar" if method == "relative_magnitude" else "M"

        def ci_at(v):
            r = honest_sensitivity(b, V, npre, npost, method=method, **{key: [v]}, **opts)
            return float(r["lb"].iloc[0]), float(r["ub"].iloc[0])

        if method == "relative_magnitude":
            tol = 0.01 if breakdown_tol is None else breakdown_tol
            out.attrs["breakdown"] = _breakdown(ci_at, tol, start=1.0)
        else:
            scale = float(out["M"].max()) if len(out) and out["M"].max() > 0 else float(np.sqrt(V[0, 0]))
            tol = 1e-3 * scale if breakdown_tol is None else breakdown_tol
            out.attrs["breakdown"] = _breakdown(ci_at, tol, start=scale, cap=1e6 * scale)
    return out
