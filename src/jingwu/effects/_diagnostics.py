"""Diagnostics: joint pre-trend test and Rambachan & Roth (2023) sensitivity bounds."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from ._args import renamed_args
from ._cs import AggregateResult, ATTGTResult
from ._results import HonestDiDResult, PretrendResult, WildBootstrapResult

__all__ = ["pretrend_test", "honest_did", "wild_score_bootstrap"]


def _pretrend_selection(result):
    """Mask of the tested pre-period estimates, their labels, and a re-aggregation map."""
    if isinstance(result, ATTGTResult):
        pre = (~result.post) & (result.time != result.base) & np.isfinite(result.att)
        codec = result.panel.codec
        labels = list(zip(codec.decode(result.group[pre]), codec.decode(result.time[pre])))
        return pre, labels, result, (lambda src: src)
    if isinstance(result, AggregateResult) and result.type == "dynamic":
        pre = (result.egt < 0) & np.isfinite(result.se)
        args = dict(result.args or {})

        def again(src):
            return src.aggregate("dynamic", bstrap=False, **args)

        return pre, [int(e) for e in result.egt[pre]], result.source, again
    raise ValueError("pretrend_test needs an att_gt result or a 'dynamic' aggregation")


def _cluster_sums(inf: np.ndarray, cl: np.ndarray | None, G: int) -> np.ndarray:
    if cl is None:
        return inf
    S = np.zeros((G, inf.shape[1]))
    np.add.at(S, cl, inf)
    return S


def _wald(theta: np.ndarray, S: np.ndarray, n: int) -> np.ndarray:
    """theta' V^-1 theta with V the CR1 covariance of centred cluster scores; batched over leading axes."""
    G = S.shape[-2]
    Sc = S - S.mean(axis=-2, keepdims=True)
    V = np.swapaxes(Sc, -1, -2) @ Sc / n**2 * G / (G - 1)
    return np.einsum("...i,...i->...", theta, np.linalg.solve(V, theta[..., None])[..., 0])


def _null_residuals(panel) -> np.ndarray:
    """Residuals of y = unit + period effects fitted on the untreated cells (zero elsewhere).

    Parallel trends without effects is the null of the pre-trend test; every
    pre-period ATT(g,t) uses untreated cells only, so the fitted part
    contributes exactly zero to them.
    """
    from ._twfe import _demean

    n, T = panel.Y.shape
    untreated = panel.times[None, :] < panel.g[:, None]
    ui, ti = np.nonzero(untreated & np.isfinite(panel.Y))
    res = _demean(panel.Y[ui, ti][:, None], [pd.factorize(ui)[0], pd.factorize(ti)[0]], np.ones(len(ui)))[
        :, 0
    ]
    e = np.zeros((n, T))
    e[ui, ti] = res
    return e


def _wild_weights(G: int, n_boot: int, weights: str, seed: int) -> np.ndarray:
    """(n_boot, G) Rademacher or Webb weights; all 2^G sign patterns when 2^G <= n_boot (Rademacher)."""
    rng = np.random.default_rng(seed)
    if weights == "rademacher" and 2**G <= n_boot:
        return ((np.arange(2**G)[:, None] >> np.arange(G)[None, :]) & 1) * 2.0 - 1.0
    if weights == "rademacher":
        return rng.choice([-1.0, 1.0], size=(n_boot, G))
    six = np.sqrt(np.array([1.5, 1.0, 0.5]))
    return rng.choice(np.concatenate([-six, six]), size=(n_boot, G))


def _bootstrap_wald(
    result, pre, source, again, W0: float, *, n_boot: int, weights: str, seed: int, progress: bool | None
):
    """Wild cluster restricted bootstrap of the Wald statistic (studentised with its own covariance).

    Under the null, ``y* = fitted + v_g e`` with the residuals ``e`` of the
    parallel-trends model and one weight per cluster.  Every estimator here is
    linear in y for a fixed design, and the fitted part contributes nothing to
    pre-period estimates, so each draw's estimates and influence functions are
    ``sum_h v_h (estimates on e restricted to cluster h)``: one re-estimation
    per cluster instead of one per draw.
    """
    from dataclasses import replace

    from ..progress import track
    from ._cs import _att_gt_cells_multi

    panel = source.panel
    cl = panel.cluster if panel.cluster is not None else np.arange(panel.n)
    G = int(cl.max()) + 1
    n = panel.n
    e = _null_residuals(panel)
    member = cl[:, None] == np.arange(G)[None, :]  # (n, G)
    Ys = e[:, :, None] * member[:, None, :]  # residuals of cluster h only
    # only cells before treatment enter pre-period estimates (the others stay at zero)
    att, inf = _att_gt_cells_multi(panel, source.params, Ys, only=~source.post)
    q = int(pre.sum())
    T = np.zeros((G, q))
    Sc = np.zeros((G, G, q))
    for h in track(range(G), "pre-trend bootstrap", progress=progress):
        src = replace(source, att=att[:, h], inffunc=inf[:, :, h])
        r = again(src)
        T[h] = np.asarray(r.att)[pre]
        Sc[h] = _cluster_sums(r.inffunc[:, pre], cl, G)
    v = _wild_weights(G, n_boot, weights, seed)
    theta = v @ T  # (n_boot, q)
    S = np.einsum("bh,hgq->bgq", v, Sc)  # (n_boot, G, q)
    with np.errstate(all="ignore"):
        Wb = _wald(theta, S, n)
    Wb = np.where(np.isfinite(Wb), Wb, np.inf)
    return float(np.mean(Wb >= W0 - 1e-12 * max(1.0, abs(W0)))), int(v.shape[0])


@renamed_args(B="n_boot")
def pretrend_test(
    result: ATTGTResult | AggregateResult,
    *,
    method: str = "auto",
    small_sample_below: int = 100,
    bootstrap_below: int = 50,
    n_boot: int = 999,
    weights: str = "auto",
    seed: int = 0,
    progress: bool | None = None,
) -> PretrendResult:
    """Joint test that all pre-treatment effects are zero.

    Uses the pre-period ATT(g,t)s of an :func:`att_gt` result, or the
    pre-period event-time estimates of a ``dynamic`` aggregation, with their
    influence-function covariance.  Cells fixed at zero by a universal base
    period are left out.

    Three forms:

    * ``"chi2"``: R ``did``'s Wald test, ``W = theta' V^-1 theta`` against
      chi2(q).  Asymptotic in the number of clusters G: with few clusters and
      many leads it over-rejects badly (15 stations, 12 leads: 98% rejections
      at 5% under the null).
    * ``"F"``: Hotelling's T^2 on the G cluster-level pseudo-observations:
      ``T^2 = theta' V_CR1^-1 theta`` with the CR1 covariance (centred cluster
      scores, factor G/(G-1)), and ``F = (G - q) / (q (G - 1)) T^2`` against
      F(q, G - q).  Needs q < G.  Better than chi2, still too liberal with
      about four stations per cohort (21.5% at 15 stations, 12 leads).
    * ``"bootstrap"``: wild cluster restricted bootstrap of that T^2 statistic:
      outcomes are rebuilt under the null (unit and period effects fitted on
      the untreated cells, residuals multiplied by one Rademacher or Webb
      weight per cluster), the estimator and its covariance are recomputed on
      each draw, and the p-value is the share of bootstrap statistics at least
      as large.  Because the statistic is studentised by its own (too small)
      small-sample covariance in every draw, that bias cancels.

    ``method="auto"`` (default) uses the bootstrap with fewer than
    ``bootstrap_below`` clusters, F below ``small_sample_below`` and chi2
    above.  Rejection rates under the null at 5% with 12 leads are in
    ``benchmarks/effects_pretrend_size.py`` (README table).  A
    ``UserWarning`` flags more than G/4 leads (little power).

    Parameters
    ----------
    result : ATTGTResult or AggregateResult (``dynamic``)
    method : {"auto", "bootstrap", "F", "chi2"}
    n_boot : int
        Bootstrap draws (all 2^G sign patterns when that is fewer, Rademacher).
    weights : {"auto", "rademacher", "webb"}
        ``"auto"``: Webb's six-point weights with fewer than 12 clusters.
    seed : int
        Seed of the bootstrap weights.
    progress : bool, optional
        Progress line for the per-cluster re-estimation (``None`` follows
        ``JINGWU_PROGRESS``).

    Returns
    -------
    PretrendResult
        ``.stat``, ``.df`` (q), ``.df_denom`` (G - q for F), ``.p_value``,
        ``.method``, ``.n_clusters``, ``.n_boot``, the tested estimates; ``.to_frame()``,
        ``.summary()``, ``.plot()``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from jingwu.effects import att_gt, pretrend_test
    >>> rng = np.random.default_rng(3)
    >>> df = pd.DataFrame({"id": np.repeat(np.arange(90), 6), "t": np.tile(np.arange(6), 90)})
    >>> df["g"] = df["id"] % 3 * 2
    >>> df["y"] = rng.normal(size=len(df)) + 1.0 * ((df["g"] > 0) & (df["t"] >= df["g"]))
    >>> out = pretrend_test(att_gt(df, "y", "id", "t", "g"))
    >>> out.method, out.df, out.df_denom, out.p_value > 0.05
    ('F', 4, 86, True)
    """
    if method not in ("auto", "bootstrap", "F", "chi2"):
        raise ValueError(f"method must be 'auto', 'bootstrap', 'F' or 'chi2', got {method!r}")
    if weights not in ("auto", "rademacher", "webb"):
        raise ValueError(f"weights must be 'auto', 'rademacher' or 'webb', got {weights!r}")
    pre, labels, source, again = _pretrend_selection(result)
    theta = np.asarray(result.att)[pre]
    inf = result.inffunc[:, pre]
    cl = source.panel.cluster
    if theta.size == 0:
        raise ValueError("no pre-treatment estimates to test")
    n = inf.shape[0]
    G = int(cl.max()) + 1 if cl is not None else n
    S = _cluster_sums(inf, cl, G)
    q = int(theta.size)
    # the restricted bootstrap re-estimates a balanced panel; unbalanced/RC results use F or chi2
    rc = getattr(source, "params", {}).get("panel_type", "balanced panel") != "balanced panel"
    if method == "auto":
        boot = G < bootstrap_below and not rc
        method = "bootstrap" if boot else "F" if G < small_sample_below else "chi2"
    if method == "bootstrap" and rc:
        raise ValueError("the pre-trend bootstrap needs a balanced panel; use method='F' or 'chi2'")
    se = np.sqrt(np.einsum("gq,gq->q", S, S)) / n
    if method in ("F", "bootstrap"):
        if q >= G:
            k = max(1, (G - 1) // 4)
            raise ValueError(
                f"{q} pre-period estimates but only {G} clusters: the small-sample tests need "
                f"fewer leads than clusters, and have power with at most about G/4; test a "
                f"window of event times: pretrend_test(result.aggregate('dynamic', min_e=-{k}))"
            )
        if q > G / 4:
            warnings.warn(
                f"{q} leads tested with {G} clusters: few degrees of freedom are left "
                f"(q > G/4); the test has little power. A shorter window "
                f"(aggregate('dynamic', min_e=-{max(1, G // 4)})) is usually more informative.",
                UserWarning,
                stacklevel=2,
            )
        Sc = S - S.mean(axis=0, keepdims=True)
        V = Sc.T @ Sc / n**2 * G / (G - 1)
    else:
        V = S.T @ S / n**2
    if np.linalg.cond(V) > 1 / np.finfo(float).eps:
        k = max(1, (G - 1) // 4)
        raise ValueError(
            f"pre-period covariance matrix is singular ({q} pre-period estimates from "
            f"{G} clusters); test a window of event times instead: "
            f"pretrend_test(result.aggregate('dynamic', min_e=-{k}))"
        )
    W = float(theta @ np.linalg.solve(V, theta))
    common = dict(n_clusters=G, estimates=theta, se=se, labels=labels)
    if method == "bootstrap":
        wts = ("webb" if G < 12 else "rademacher") if weights == "auto" else weights
        p, used = _bootstrap_wald(
            result, pre, source, again, W, n_boot=n_boot, weights=wts, seed=seed, progress=progress
        )
        return PretrendResult(
            stat=W, df=q, df_denom=None, p_value=p, method="bootstrap", n_boot=used, **common
        )
    if method == "F":
        F = (G - q) / (q * (G - 1)) * W
        return PretrendResult(
            stat=F, df=q, df_denom=G - q, p_value=float(stats.f.sf(F, q, G - q)), method="F", **common
        )
    return PretrendResult(
        stat=W, df=q, df_denom=None, p_value=float(stats.chi2.sf(W, q)), method="chi2", **common
    )


@renamed_args(B="n_boot")
def wild_score_bootstrap(
    result, *, n_boot: int = 9999, weights: str = "webb", seed: int = 0
) -> WildBootstrapResult:
    """Wild (score) cluster bootstrap p-value for the overall effect of a CS aggregate or imputation.

    Few clusters make analytic cluster-robust inference unreliable.  The
    cluster-level scores ``s_g`` of the estimate (influence-function sums for
    :func:`att_gt` aggregates, BJS contributions for :func:`imputation`) are
    multiplied by random weights ``v_g`` and the studentised statistic
    ``t* = sum v_g s_g / sqrt(sum v_g^2 s_g^2)`` is compared with the observed
    ``t = theta / sqrt(sum s_g^2)`` (Kline & Santos 2012 score bootstrap; Webb's
    six-point weights suit fewer than about 12 clusters, Rademacher otherwise;
    with Rademacher weights and 2^G <= n_boot every sign pattern is enumerated).
    Test of H0: effect = 0, two-sided.

    Returns
    -------
    WildBootstrapResult
        ``.estimate``, ``.t_stat``, ``.p_value``, ``.n_clusters``, ``.n_boot``,
        ``.weights``, ``.target``; ``.to_frame()``, ``.summary()``, ``.plot()``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from jingwu.effects import att_gt, wild_score_bootstrap
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"id": np.repeat(np.arange(40), 5), "t": np.tile(np.arange(5), 40)})
    >>> df["g"] = df["id"] % 4
    >>> df["y"] = rng.normal(size=200) + 2 * ((df["g"] > 0) & (df["t"] >= df["g"]))
    >>> out = wild_score_bootstrap(att_gt(df, "y", "id", "t", "g").aggregate("simple"), n_boot=999)
    >>> out.p_value < 0.01
    True
    """
    from ._cs import _sum_by
    from ._event import ImputationResult

    if isinstance(result, AggregateResult):
        inf = result.inf_overall[:, None]
        cl = result.source.panel.cluster
        s = (_sum_by(inf, cl) if cl is not None else inf)[:, 0] / inf.shape[0]
        est, target = result.overall_att, f"cs_{result.type}"
    elif isinstance(result, ImputationResult):
        s, est = np.asarray(result.scores, dtype=float), result.overall_att
        target = "imputation"
    else:
        raise ValueError("wild_score_bootstrap needs an att_gt aggregate or an imputation result")
    if weights not in ("webb", "rademacher"):
        raise ValueError(f"weights must be 'webb' or 'rademacher', got {weights!r}")
    G = len(s)
    t0 = est / np.sqrt(np.sum(s**2))
    v = _wild_weights(G, n_boot, weights, seed)
    tb = (v @ s) / np.sqrt((v**2) @ (s**2))
    p = float(np.mean(np.abs(tb) >= abs(t0) - 1e-12))
    return WildBootstrapResult(
        estimate=float(est),
        t_stat=float(t0),
        p_value=p,
        n_clusters=int(G),
        n_boot=int(v.shape[0]),
        weights=weights,
        target=target,
        t_draws=tb,
    )


def _event_study_inputs(result: AggregateResult, event_time, l_vec):
    """betahat, sigma, pre/post counts and l_vec from a universal-base dynamic aggregation."""
    if not isinstance(result, AggregateResult) or result.type != "dynamic":
        raise ValueError("honest_did needs a 'dynamic' aggregation (att_gt(...).aggregate('dynamic'))")
    if result.source.params.get("base_period") != "universal":
        raise ValueError(
            "honest_did needs att_gt(..., base_period='universal') so pre-period "
            "estimates are relative to e = -1 (as in Rambachan & Roth)"
        )
    e = np.asarray(result.egt, dtype=float)
    keep = e != -1
    ee = e[keep]
    if (
        np.any(np.diff(ee[ee < 0]) != 1)
        or np.any(np.diff(ee[ee >= 0]) != 1)
        or (ee < -1).sum() == 0
        or (ee >= 0).sum() == 0
    ):
        raise ValueError(
            "honest_did needs consecutive event times with at least one pre-period "
            "before e = -1 and one post-period (aggregate with min_e/max_e)"
        )
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


@renamed_args(alp="alpha")
def honest_did(
    result: AggregateResult | None = None,
    *,
    method: str = "relative_magnitude",
    Mbar: list[float] | np.ndarray | None = None,
    M: list[float] | np.ndarray | None = None,
    event_time: int | None = None,
    alpha: float = 0.05,
    betahat: np.ndarray | None = None,
    sigma: np.ndarray | None = None,
    num_pre_periods: int | None = None,
    num_post_periods: int | None = None,
    l_vec: np.ndarray | None = None,
    hybrid: str = "auto",
    grid_points: int | None = None,
    grid_lb: float | None = None,
    grid_ub: float | None = None,
    breakdown: bool = True,
    breakdown_tol: float | None = None,
    seed: int = 0,
) -> HonestDiDResult:
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
        1 - confidence level.
    hybrid : {"auto", "LF", "ARP", "bonferroni"}
        Relative magnitudes only: C-LF (``"LF"``), conditional (``"ARP"``), or
        the conservative Bonferroni projection (``"bonferroni"``: intervals
        for the target and every pre-period change, then the union of
        identified sets; valid, wider).  ``"auto"`` (default) uses C-LF unless
        the event window has so many post-periods that the C-LF test's dual
        vertices cannot be enumerated (e.g. 25 monthly post-periods), where it
        falls back to the projection with a warning; the ``method`` column says
        which was used.
    grid_points : int, optional
        Theta grid for relative magnitudes: R's defaults, 1,000 points on the
        R route (``createSensitivityResults_relativeMagnitudes``) and 100 from
        an event-study result (R's ``honest_did`` for ``did`` results).
    breakdown : bool
        Also find the breakdown value (the largest Mbar/M at which the robust
        CI still excludes zero, to ``breakdown_tol``: 0.01 for Mbar, 0.1% of
        the largest pre-period second difference bound for M).
    seed : int
        Seed of R's generator for the simulated critical values (R's default 0).

    Returns
    -------
    HonestDiDResult
        ``.to_frame()``: one row per Mbar or M: ``Mbar``/``M``, ``lb``, ``ub``,
        ``method`` (``"C-LF"``, ``"Conditional"``, ``"Bonferroni"`` or
        ``"FLCI"``), ``Delta`` (``"DeltaRM"``/``"DeltaSD"``), ``id_lb``,
        ``id_ub`` (identified set with the estimates taken as the truth; NaN
        when the pre-period estimates themselves violate Delta^SD(M)).
        ``.breakdown`` (NaN if even the usual CI contains zero), ``.theta`` and
        ``.se`` (the target and its SE), ``.original_ci``; ``.summary()``,
        ``.plot()`` (R's sensitivity plot).  The DataFrame-with-``.attrs``
        access of earlier releases still works for one release, with a
        ``DeprecationWarning``.

    Examples
    --------
    >>> import numpy as np
    >>> from jingwu.effects import honest_did
    >>> b = np.array([0.01, -0.01, 0.0, 0.2, 0.25])
    >>> V = np.diag([0.02, 0.02, 0.02, 0.03, 0.03]) ** 2
    >>> h = honest_did(betahat=b, sigma=V, num_pre_periods=3, num_post_periods=2,
    ...                Mbar=[0, 1], breakdown=False)
    >>> t = h.to_frame()
    >>> bool(t["lb"].iloc[0] > 0), t["method"].iloc[0]
    (True, 'C-LF')
    """
    from ._honest import _FLCIProblem, confidence_set_at, honest_sensitivity, original_cs

    if method not in ("relative_magnitude", "smoothness"):
        raise ValueError(f"method must be 'relative_magnitude' or 'smoothness', got {method!r}")
    if result is not None:
        if betahat is not None or sigma is not None:
            raise ValueError("give either an event-study result or betahat/sigma, not both")
        b, V, npre, npost, l = _event_study_inputs(result, event_time, l_vec)
        grid_points = 100 if grid_points is None else grid_points
    else:
        if betahat is None or sigma is None or num_pre_periods is None or num_post_periods is None:
            raise ValueError(
                "give an event-study result, or betahat, sigma, num_pre_periods and num_post_periods"
            )
        b, V = np.asarray(betahat, dtype=float).ravel(), np.asarray(sigma, dtype=float)
        npre, npost = int(num_pre_periods), int(num_post_periods)
        l = l_vec
        grid_points = 1000 if grid_points is None else grid_points
    opts = dict(
        l_vec=l,
        alpha=alpha,
        hybrid=hybrid,
        grid_points=grid_points,
        grid_lb=grid_lb,
        grid_ub=grid_ub,
        seed=seed,
    )
    out = honest_sensitivity(b, V, npre, npost, method=method, Mbar=Mbar, M=M, **opts)
    lvec = np.zeros(npost) if l is None else np.asarray(l, dtype=float)
    if l is None:
        lvec[0] = 1.0
    theta = float(lvec @ b[npre:])
    se = float(np.sqrt(lvec @ V[npre:, npre:] @ lvec))
    original = original_cs(b, V, npre, npost, l_vec=lvec, alpha=alpha)
    value = np.nan
    if breakdown:
        key = "Mbar" if method == "relative_magnitude" else "M"
        known = {float(v): (float(lb), float(ub)) for v, lb, ub in zip(out[key], out["lb"], out["ub"])}

        def ci_at(v):
            # the confidence set alone (no identified set), on the cached pieces shared by all v;
            # values already in the table (often 0, 0.5, 1) are not recomputed
            if float(v) not in known:
                known[float(v)] = confidence_set_at(
                    b, V, npre, npost, method=method, value=v, problem=problem, **opts
                )
            return known[float(v)]

        problem = _FLCIProblem(V, npre, npost, lvec, seed) if method == "smoothness" else None

        if method == "relative_magnitude":
            if (out["method"] == "Bonferroni").any():
                opts["hybrid"] = "bonferroni"
            tol = 0.01 if breakdown_tol is None else breakdown_tol
            value = _breakdown(ci_at, tol, start=1.0)
        else:
            scale = float(out["M"].max()) if len(out) and out["M"].max() > 0 else float(np.sqrt(V[0, 0]))
            tol = 1e-3 * scale if breakdown_tol is None else breakdown_tol
            value = _breakdown(ci_at, tol, start=scale, cap=1e6 * scale)
    return HonestDiDResult(
        table=out,
        breakdown=float(value),
        theta=theta,
        se=se,
        original_ci=(float(original[0]), float(original[1])),
        method=method,
        alpha=alpha,
    )
