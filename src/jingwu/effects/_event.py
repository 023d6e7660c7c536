"""Event-study estimators: BJS imputation, Sun & Abraham, dynamic TWFE, and a common front end."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from threadpoolctl import threadpool_limits

from ..errors import DataError
from ._args import renamed_args, renamed_attribute
from ._cs import _att_gt_panel, _se_from_if, att_gt
from ._prep import Panel, prepare_panel
from ._twfe import _demean, _long_inputs

__all__ = ["imputation", "ImputationResult", "sun_abraham", "event_study"]

_EVENT_COLS = ["estimator", "event_time", "att", "se", "ci_lower", "ci_upper"]


# --------------------------------------------------------------------------- BJS imputation
class _FESolver:
    """Two-way FE normal equations on weighted untreated cells, for many right-hand sides.

    ``Om`` (n x T) holds the regression weight of each untreated observation
    (0 elsewhere, including unobserved cells).  Unit effects are eliminated
    (Schur complement), leaving a T x T system, so the cost is O(nT) whatever
    the number of units.  The T x T Schur complement and its pseudo-inverse are formed once (they
    depend only on ``Om``); each solve is then two matrix-vector products.
    ``pinv @ rhs`` is the minimum-norm least-squares solution, as ``lstsq``.
    """

    def __init__(self, Om: np.ndarray):
        self.Om = Om
        Du = Om.sum(axis=1)
        self.inv_u = np.divide(1.0, Du, out=np.zeros_like(Du), where=Du > 0)
        S = np.diag(Om.sum(axis=0)) - Om.T @ (Om * self.inv_u[:, None])
        # S 1 = 0 exactly (a common shift of the period effects is absorbed by the unit effects):
        # normalise the last period's effect to 0 and invert the rest, which is well conditioned
        # when the untreated cells connect all units and periods; otherwise fall back to a
        # pseudo-inverse that discards the null directions.
        T = S.shape[0]
        self.S_pinv = np.zeros_like(S)
        sub = S[:-1, :-1]
        if T > 1 and np.linalg.cond(sub) < 1e10:
            self.S_pinv[:-1, :-1] = np.linalg.inv(sub)
        else:
            self.S_pinv = np.linalg.pinv(S, rcond=1e-10)

    def __call__(self, bu: np.ndarray, bt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lam = self.S_pinv @ (bt - self.Om.T @ (bu * self.inv_u))
        alpha = (bu - self.Om @ lam) * self.inv_u
        return alpha, lam


@dataclass
class ImputationResult:
    """Borusyak, Jaravel & Spiess (2024) imputation estimates.

    Attributes
    ----------
    overall_att, overall_se : average effect over all treated observations.
    event : tidy frame of horizon-specific effects (event_time >= 0) and,
        when requested, pre-trend coefficients (event_time < 0).
    tau : frame of unit-period imputed effects (id, time, event_time, tau).
    """

    overall_att: float
    overall_se: float
    event: pd.DataFrame
    tau: pd.DataFrame
    alpha: float = 0.05
    dropped: dict | None = None  # units/rows/observations left out, by reason
    scores: np.ndarray | None = None  # per-cluster contributions to the overall ATT (sum^2 = SE^2)
    alp = renamed_attribute("alp", "alpha")

    def small_sample(self) -> ImputationResult:
        """SEs times sqrt(G/(G-1)) and t(G-1) intervals (G clusters), as fixest; a new result."""
        from dataclasses import replace

        if self.scores is None:
            raise ValueError("no cluster scores: the result was not built by imputation()")
        G = len(self.scores)
        f = float(np.sqrt(G / (G - 1)))
        c = stats.t.ppf(1 - self.alpha / 2, G - 1)
        ev = self.event.copy()
        ev["se"] = ev["se"] * f
        ev["ci_lower"] = ev["att"] - c * ev["se"]
        ev["ci_upper"] = ev["att"] + c * ev["se"]
        return replace(self, overall_se=self.overall_se * f, event=ev, scores=self.scores * f)

    def to_frame(self) -> pd.DataFrame:
        """Event-study frame (estimator, event_time, att, se, ci_lower, ci_upper)."""
        return self.event.copy()

    def summary(self) -> str:
        z = stats.norm.ppf(1 - self.alpha / 2)
        return (
            f"Imputation estimator (Borusyak, Jaravel & Spiess 2024)\noverall ATT = "
            f"{self.overall_att:.5f} (SE {self.overall_se:.5f}), CI "
            f"[{self.overall_att - z * self.overall_se:.4f}, {self.overall_att + z * self.overall_se:.4f}]\n"
            + self.event.to_string(index=False, float_format=lambda v: f"{v:.4f}")
        )

    def __repr__(self) -> str:  # pragma: no cover
        return self.summary()


@renamed_args(alp="alpha", clustervars="cluster")
def imputation(
    data: pd.DataFrame,
    yname: str,
    idname: str,
    tname: str,
    gname: str,
    *,
    weightsname: str | None = None,
    cluster: str | None = None,
    anticipation: int = 0,
    horizons: list[int] | None = None,
    pretrends: int = 0,
    alpha: float = 0.05,
) -> ImputationResult:
    """Imputation DiD estimator of Borusyak, Jaravel & Spiess (2024).

    Unit and period effects are fitted on untreated observations only (never
    treated and not yet treated), treated outcomes are compared with their
    imputed untreated values, and the effects are averaged.  Standard errors
    use BJS's conservative formula (Theorem 3) with effects averaged by
    cohort and period, clustered by unit (or ``cluster``).  The fixed
    effects are solved with a T x T Schur complement, so the cost grows
    linearly with the number of units.  Unbalanced panels are used as they
    are, every observation counting (as in BJS); only units already treated
    in the first period (no untreated observation) and treated observations
    that cannot be imputed are left out, listed in ``result.dropped``.  On ``mpdta`` the overall ATT is
    -0.04771 (as ``pyfixest.did2s`` and Stata ``did_imputation``).

    Parameters
    ----------
    data, yname, idname, tname, gname : as in :func:`att_gt`.
    weightsname : str, optional
        Unit weights (regression and averaging weights).
    cluster : str, optional
        Cluster variable containing whole units (default: units).
    anticipation : int
        Periods before adoption excluded from the untreated sample.
    horizons : list of int, optional
        Event times to report (default: all observed, >= 0).
    pretrends : int
        Number of pre-period coefficients (event times -1..-pretrends) from
        BJS's pre-trend regression on untreated observations.
    alpha : float
        Significance level.

    Returns
    -------
    ImputationResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from jingwu.effects import imputation
    >>> df = pd.DataFrame({"id": np.repeat(np.arange(9), 5), "t": np.tile(np.arange(5), 9)})
    >>> df["g"] = df["id"] % 3 * 2            # cohorts 0 (never), 2, 4
    >>> df["y"] = df["id"] + 0.3 * df["t"] + 1.5 * ((df["g"] > 0) & (df["t"] >= df["g"]))
    >>> round(imputation(df, "y", "id", "t", "g").overall_att, 6)
    1.5
    """
    panel = prepare_panel(
        data,
        yname,
        idname,
        tname,
        gname,
        weightsname=weightsname,
        cluster=cluster,
        anticipation=anticipation,
        control_group="notyettreated",
        drop_first_period_treated=True,
        recode_last_cohort=False,
        balance=False,
    )
    # many small solves: multi-threaded BLAS only adds contention (5x slower at 40,000 units)
    with threadpool_limits(limits=1, user_api="blas"):
        return _imputation_panel(
            panel, horizons=horizons, pretrends=pretrends, alpha=alpha, anticipation=anticipation
        )


def _imputation_panel(
    panel: Panel, horizons=None, pretrends: int = 0, alpha: float = 0.05, anticipation: int = 0
) -> ImputationResult:
    Y, g, times, w = panel.Y, panel.g, panel.times, panel.w
    n, T = Y.shape
    tt = np.broadcast_to(times[None, :], (n, T))
    gg = g[:, None]
    observed = np.isfinite(Y)  # unbalanced panels: every observed cell is used
    treated = (tt >= gg) & observed
    untreated = (tt < gg - anticipation) & observed
    Om = untreated * w[:, None]
    Y0 = np.where(untreated, Y, 0.0)
    solve = _FESolver(Om)
    a_unit, lam = solve((Om * Y0).sum(axis=1), (Om * Y0).sum(axis=0))
    fit = a_unit[:, None] + lam[None, :]
    ok_unit = Om.sum(axis=1) > 0
    ok_time = Om.sum(axis=0) > 0
    imputable = treated & ok_unit[:, None] & ok_time[None, :]
    dropped = dict(panel.dropped)
    if (treated & ~imputable).any():
        dropped[
            "treated observations that cannot be imputed (no untreated observation of that unit or period)"
        ] = int((treated & ~imputable).sum())
        warnings.warn(
            f"{int((treated & ~imputable).sum())} treated observations cannot be imputed "
            "(no untreated observation of that unit or period) and are dropped.",
            stacklevel=3,
        )
    tau = np.where(imputable, Y - fit, 0.0)
    resid = np.where(untreated, Y - fit, 0.0)
    z = stats.norm.ppf(1 - alpha / 2)

    # Work on the list of imputable cells: a horizon selects a small subset of them, and every
    # n x T product below is precomputed once (44 horizons at 40,000 x 60 cells).
    ii_all, jj_all = np.nonzero(imputable)
    tau_all = tau[ii_all, jj_all]
    et_all = times[jj_all] - g[ii_all]
    w_all = w[ii_all]
    coh = pd.factorize(g)[0]
    C = int(coh.max()) + 1
    OR = Om * resid
    R1 = OR.sum(axis=1)

    def estimate(m: np.ndarray) -> tuple[float, float, np.ndarray | None]:
        ii, jj = ii_all[m], jj_all[m]
        w1 = w_all[m]
        tot = w1.sum()
        if tot <= 0:
            return np.nan, np.nan, None
        w1 = w1 / tot
        tau_m = tau_all[m]
        est = float(w1 @ tau_m)
        gu, gt = solve(np.bincount(ii, weights=w1, minlength=n), np.bincount(jj, weights=w1, minlength=T))
        # untreated part of BJS's weights, v0 = -Om (gu + gt), times the residuals, by unit
        contrib = -(gu * R1 + OR @ gt)
        # treated part: effects net of their cohort x period (weighted) mean
        cj = coh[ii] * T + jj
        num = np.bincount(cj, weights=w1 * tau_m, minlength=C * T)
        den = np.bincount(cj, weights=w1, minlength=C * T)
        tbar = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
        contrib = contrib + np.bincount(ii, weights=w1 * (tau_m - tbar[cj]), minlength=n)
        if panel.cluster is not None:
            contrib = np.bincount(panel.cluster, weights=contrib)
        return est, float(np.sqrt(np.sum(contrib**2))), contrib

    overall, overall_se, overall_scores = estimate(np.ones(len(ii_all), dtype=bool))
    if horizons is None:
        horizons = np.unique(et_all).astype(int).tolist()
    rows = []
    for h in horizons:
        est, se, _ = estimate(et_all == h)
        rows.append(("imputation", int(h), est, se))
    if pretrends:
        rows = _bjs_pretrends(panel, untreated, Om, pretrends, w) + rows
    ev = pd.DataFrame(rows, columns=["estimator", "event_time", "att", "se"])
    ev["ci_lower"] = ev["att"] - z * ev["se"]
    ev["ci_upper"] = ev["att"] + z * ev["se"]
    ev = ev.sort_values("event_time", ignore_index=True)
    ii, jj = np.nonzero(imputable)
    tau_df = pd.DataFrame(
        {
            "id": panel.ids[ii],
            "time": panel.codec.decode(times[jj]),
            "event_time": (times[jj] - g[ii]),
            "tau": tau[ii, jj],
        }
    )
    return ImputationResult(
        overall_att=overall,
        overall_se=overall_se,
        event=ev,
        tau=tau_df,
        alpha=alpha,
        dropped=dropped,
        scores=overall_scores,
    )


def _bjs_pretrends(panel: Panel, untreated, Om, K: int, w) -> list:
    """BJS pre-trend test coefficients: regress Y on FE + 1{t - g = -k}, untreated obs only."""
    Y, g, times = panel.Y, panel.g, panel.times
    n, T = Y.shape
    rel = times[None, :] - g[:, None]
    ks = [k for k in range(1, K + 1) if ((rel == -k) & untreated).any()]
    if not ks:
        return []
    Ds = [((rel == -k) & untreated).astype(float) for k in ks]
    cols = [np.where(untreated, Y, 0.0)] + Ds
    res = []
    solve = _FESolver(Om)
    for c in cols:  # FWL: residualise on the two-way FE within the untreated sample
        a, lmb = solve((Om * c).sum(axis=1), (Om * c).sum(axis=0))
        res.append(np.where(untreated, c - a[:, None] - lmb[None, :], 0.0))
    yr = res[0]
    Xr = np.stack(res[1:], axis=-1)  # n x T x k
    Wm = Om
    XtX = np.einsum("itk,it,itl->kl", Xr, Wm, Xr)
    Xty = np.einsum("itk,it,it->k", Xr, Wm, yr)
    XtX_inv = np.linalg.pinv(XtX)
    b = XtX_inv @ Xty
    u = yr - Xr @ b
    sc = np.einsum("itk,it,it->ik", Xr, Wm, u)
    if panel.cluster is not None:
        sc = np.vstack([np.bincount(panel.cluster, weights=sc[:, j]) for j in range(sc.shape[1])]).T
    V = XtX_inv @ (sc.T @ sc) @ XtX_inv
    return [("imputation", -k, float(b[j]), float(np.sqrt(V[j, j]))) for j, k in enumerate(ks)]


# --------------------------------------------------------------------------- Sun & Abraham
@renamed_args(alp="alpha", clustervars="cluster")
def sun_abraham(
    data: pd.DataFrame,
    yname: str,
    idname: str,
    tname: str,
    gname: str,
    *,
    weightsname: str | None = None,
    cluster: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Sun & Abraham (2021) interaction-weighted event study.

    Cohort x relative-period effects CATT(g, e) relative to e = -1, estimated
    against never-treated units (or, if there are none, the last-treated
    cohort with periods from its adoption on dropped), averaged over cohorts
    with their sample shares among units observed at e.  In a balanced panel
    the saturated SA regression ``y ~ cohort x rel. period | unit + period``
    gives exactly the DiDs computed here, so we compute them directly (fast for
    any number of units).  SEs are cluster-robust (units) treating the cohort
    shares as fixed, with ``fixest``'s small-sample factor, as ``sunab()``.

    Returns
    -------
    DataFrame
        estimator, event_time, att, se, ci_lower, ci_upper.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from jingwu.effects import sun_abraham
    >>> df = pd.DataFrame({"id": np.repeat(np.arange(9), 5), "t": np.tile(np.arange(5), 9)})
    >>> df["g"] = df["id"] % 3 * 2
    >>> df["y"] = df["id"] + 0.3 * df["t"] + 1.5 * ((df["g"] > 0) & (df["t"] >= df["g"]))
    >>> sa = sun_abraham(df, "y", "id", "t", "g")
    >>> sa.loc[sa["event_time"] >= 0, "att"].round(6).tolist()
    [1.5, 1.5, 1.5]
    """
    panel = prepare_panel(
        data,
        yname,
        idname,
        tname,
        gname,
        weightsname=weightsname,
        cluster=cluster,
        control_group="notyettreated",
        balance=False,
    )
    if np.isnan(panel.Y).any():
        return _sun_abraham_regression(panel, alpha)
    params = dict(
        control_group="nevertreated",
        est_method="reg",
        base_period="universal",
        anticipation=0,
        alpha=alpha,
        bstrap=False,
        n_boot=0,
        seed=None,
        xformla=None,
    )
    res = _att_gt_panel(panel, params)
    e_all = res.time - res.group
    glist = np.unique(res.group)
    pg = np.array([np.mean(panel.w * (panel.g == c)) for c in glist])[np.searchsorted(glist, res.group)]
    n_int = int(np.sum(res.time != res.base))  # number of interaction coefficients
    n_obs = panel.n * len(panel.times)
    G = panel.n if panel.cluster is None else int(panel.cluster.max()) + 1
    k = n_int + len(panel.times)
    adj = np.sqrt(G / (G - 1) * (n_obs - 1) / (n_obs - k))
    rows = []
    for e in np.unique(e_all):
        sel = np.flatnonzero(e_all == e)
        wts = pg[sel] / pg[sel].sum()
        att = float(res.att[sel] @ wts)
        inf = res.inffunc[:, sel] @ wts
        se = float(_se_from_if(inf[:, None], panel.cluster)[0]) * adj if e != -1 else 0.0
        rows.append(("sa", e, att, se))
    out = pd.DataFrame(rows, columns=["estimator", "event_time", "att", "se"])
    out["event_time"] = out["event_time"].astype(int) if panel.codec.kind != "float" else out["event_time"]
    c = stats.t.ppf(1 - alpha / 2, G - 1)
    out["ci_lower"] = out["att"] - c * out["se"]
    out["ci_upper"] = out["att"] + c * out["se"]
    return out


def _sun_abraham_regression(panel: Panel, alpha: float) -> pd.DataFrame:
    """Saturated SA regression on every observed cell (unbalanced panels).

    ``y ~ sum_{g, e != -1} 1{G = g, t - g = e} | unit + period`` on the
    observed unit-periods, then cohort effects averaged at each e with
    weights proportional to their (weighted) observation counts, as
    ``fixest::sunab``'s aggregation; cluster-robust SEs with fixest's
    small-sample factor, shares treated as fixed.
    """
    Y, g, times, w = panel.Y, panel.g, panel.times, panel.w
    obs = np.isfinite(Y)
    ui, ti = np.nonzero(obs)
    y = Y[ui, ti]
    ww = w[ui]
    rel = times[ti] - g[ui]
    cohort = g[ui]
    treated_rows = np.isfinite(cohort)
    cells = sorted({(c, e) for c, e in zip(cohort[treated_rows], rel[treated_rows]) if e != -1})
    if not cells:
        raise DataError(
            "no treated cohort is observed outside its reference period e = -1",
            expected="treated units observed before and after adoption",
        )
    index = {cell: j for j, cell in enumerate(cells)}
    X = np.zeros((len(y), len(cells)))
    for r in np.flatnonzero(treated_rows):
        j = index.get((cohort[r], rel[r]))
        if j is not None:
            X[r, j] = 1.0
    unit_codes = pd.factorize(ui)[0]
    M = _demean(np.column_stack([y, X]), [unit_codes, ti], ww)
    sw = np.sqrt(ww)
    yt, Xt = M[:, 0] * sw, M[:, 1:] * sw[:, None]
    XtX_inv = np.linalg.pinv(Xt.T @ Xt)
    b = XtX_inv @ (Xt.T @ yt)
    u = yt - Xt @ b
    cl = (panel.cluster if panel.cluster is not None else np.arange(panel.n))[ui]
    G = int(cl.max()) + 1
    sc = np.vstack([np.bincount(cl, weights=Xt[:, j] * u, minlength=G) for j in range(Xt.shape[1])]).T
    n_obs = len(y)
    k = len(cells) + len(times)
    V = XtX_inv @ (sc.T @ sc) @ XtX_inv * G / (G - 1) * (n_obs - 1) / (n_obs - k)
    counts = (X * ww[:, None]).sum(axis=0)
    es = np.array([e for _, e in cells])
    rows = [("sa", -1.0, 0.0, 0.0)]
    for e in np.unique(es):
        sel = np.flatnonzero(es == e)
        wts = np.zeros(len(cells))
        wts[sel] = counts[sel] / counts[sel].sum()
        rows.append(("sa", e, float(wts @ b), float(np.sqrt(wts @ V @ wts))))
    out = pd.DataFrame(rows, columns=["estimator", "event_time", "att", "se"])
    out = out.sort_values("event_time", ignore_index=True)
    if panel.codec.kind != "float":
        out["event_time"] = out["event_time"].astype(int)
    c = stats.t.ppf(1 - alpha / 2, G - 1)
    out["ci_lower"] = out["att"] - c * out["se"]
    out["ci_upper"] = out["att"] + c * out["se"]
    out.attrs["dropped"] = dict(panel.dropped)
    return out


# --------------------------------------------------------------------------- dynamic TWFE
def _twfe_event(
    data,
    yname,
    idname,
    tname,
    gname,
    weightsname=None,
    cluster=None,
    window: tuple[int, int] | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Dynamic TWFE: y ~ sum_{e != -1} 1{t - g = e} | unit + period (end bins if ``window``)."""
    y, d, unit, time, w, cl, ok = _long_inputs(
        data, yname, idname, tname, None, gname, weightsname, cluster or idname, return_mask=True
    )
    from ._prep import _time_codec

    codec = _time_codec(data[tname], tname)
    t = codec.encode(data[tname], tname)
    gv = codec.encode(data[gname], gname)
    gv = np.where(np.isnan(gv) | ((gv == 0) & (codec.kind != "period")), np.inf, gv)
    rel = (t - gv)[ok]
    if window is not None:
        lo, hi = window
        rel = np.where(np.isfinite(rel), np.clip(rel, lo, hi), rel)
    es = np.unique(rel[np.isfinite(rel)])
    es = es[es != -1]
    Xd = np.column_stack([(rel == e).astype(float) for e in es])
    M = _demean(np.column_stack([y, Xd]), [unit, time], w)
    sw = np.sqrt(w)
    yt, Xt = M[:, 0] * sw, M[:, 1:] * sw[:, None]
    XtX_inv = np.linalg.pinv(Xt.T @ Xt)
    b = XtX_inv @ Xt.T @ yt
    u = yt - Xt @ b
    G = int(cl.max()) + 1
    sc = np.vstack([np.bincount(cl, weights=Xt[:, j] * u, minlength=G) for j in range(Xt.shape[1])]).T
    n = len(y)
    k = Xt.shape[1] + int(time.max()) + 1
    V = XtX_inv @ (sc.T @ sc) @ XtX_inv * G / (G - 1) * (n - 1) / (n - k)
    se = np.sqrt(np.diag(V))
    out = pd.DataFrame({"estimator": "twfe", "event_time": es, "att": b, "se": se})
    out = pd.concat(
        [out, pd.DataFrame({"estimator": ["twfe"], "event_time": [-1.0], "att": [0.0], "se": [0.0]})]
    ).sort_values("event_time", ignore_index=True)
    if codec.kind != "float":
        out["event_time"] = out["event_time"].astype(int)
    c = stats.t.ppf(1 - alpha / 2, G - 1)
    out["ci_lower"] = out["att"] - c * out["se"]
    out["ci_upper"] = out["att"] + c * out["se"]
    # full clustered covariance of the event-time coefficients (order: event_time, -1 left out),
    # what HonestDiD needs
    out.attrs["vcov"] = pd.DataFrame(
        V, index=es.astype(out["event_time"].dtype), columns=es.astype(out["event_time"].dtype)
    )
    return out


# --------------------------------------------------------------------------- front end
@renamed_args(alp="alpha")
def event_study(
    data: pd.DataFrame,
    yname: str,
    idname: str,
    tname: str,
    gname: str,
    *,
    estimator: str = "cs",
    weightsname: str | None = None,
    alpha: float = 0.05,
    **kwargs,
) -> pd.DataFrame:
    """Event-study estimates in one tidy format, for overlaying estimators.

    Parameters
    ----------
    data, yname, idname, tname, gname : as in :func:`att_gt`.
    estimator : {"cs", "twfe", "sa", "imputation"}
        ``"cs"``: Callaway-Sant'Anna dynamic aggregation (``base_period``
        defaults to ``"universal"`` here so every estimator is normalised to
        event time -1; other :func:`att_gt` arguments pass through);
        ``"twfe"``: dynamic TWFE with relative-period dummies (``window=(lo,
        hi)`` bins the ends; known to be biased with heterogeneous effects);
        ``"sa"``: Sun & Abraham; ``"imputation"``: Borusyak-Jaravel-Spiess
        (``pretrends=K`` adds K pre-period coefficients).
    weightsname : str, optional
    alpha : float

    Returns
    -------
    DataFrame
        Columns ``estimator, event_time, att, se, ci_lower, ci_upper``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from jingwu.effects import event_study
    >>> df = pd.DataFrame({"id": np.repeat(np.arange(9), 5), "t": np.tile(np.arange(5), 9)})
    >>> df["g"] = df["id"] % 3 * 2
    >>> df["y"] = df["id"] + 0.3 * df["t"] + 1.5 * ((df["g"] > 0) & (df["t"] >= df["g"]))
    >>> es = event_study(df, "y", "id", "t", "g", estimator="cs")
    >>> list(es.columns)
    ['estimator', 'event_time', 'att', 'se', 'ci_lower', 'ci_upper']
    >>> es.loc[es["event_time"] >= 0, "att"].round(6).unique().tolist()
    [1.5]
    """
    if estimator == "cs":
        kwargs.setdefault("base_period", "universal")
        res = att_gt(data, yname, idname, tname, gname, weightsname=weightsname, alpha=alpha, **kwargs)
        agg = res.aggregate("dynamic")
        f = agg.to_frame().rename(columns={"event_time": "event_time"})
        f.insert(0, "estimator", "cs")
        return f[_EVENT_COLS]
    if estimator == "sa":
        return sun_abraham(data, yname, idname, tname, gname, weightsname=weightsname, alpha=alpha, **kwargs)[
            _EVENT_COLS
        ]
    if estimator == "imputation":
        return imputation(
            data, yname, idname, tname, gname, weightsname=weightsname, alpha=alpha, **kwargs
        ).to_frame()[_EVENT_COLS]
    if estimator == "twfe":
        return _twfe_event(data, yname, idname, tname, gname, weightsname=weightsname, alpha=alpha, **kwargs)[
            _EVENT_COLS
        ]
    raise ValueError(f"estimator must be 'cs', 'twfe', 'sa' or 'imputation', got {estimator!r}")
