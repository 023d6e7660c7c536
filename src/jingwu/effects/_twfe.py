"""Static two-way fixed effects, the wild cluster bootstrap, and the Goodman-Bacon decomposition."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError
from ._args import renamed_args, renamed_attribute
from ._prep import _check_columns, _check_ids, _check_timing_codes, _time_codec, prepare_panel
from ._results import WildBootstrapResult

__all__ = ["twfe", "TWFEResult", "wild_cluster_bootstrap", "bacon_decomposition"]


def _demean(
    M: np.ndarray, codes: list[np.ndarray], w: np.ndarray, tol: float = 1e-13, maxiter: int = 10_000
) -> np.ndarray:
    """Weighted within transformation for one or two sets of fixed effects.

    Alternating projections (the method of ``fixest``/``pyfixest``); exact in
    one sweep for a balanced panel.  ``M`` is (n_obs x k).
    """
    M = np.array(M, dtype=float, copy=True)
    sums = [np.bincount(c, weights=w) for c in codes]
    for _ in range(maxiter):
        M_old = M.copy() if len(codes) > 1 else None
        for c, s in zip(codes, sums):
            for j in range(M.shape[1]):
                means = np.bincount(c, weights=w * M[:, j], minlength=len(s)) / s
                M[:, j] -= means[c]
        if len(codes) == 1 or np.max(np.abs(M - M_old)) < tol * (1 + np.max(np.abs(M))):
            break
    return M


def _long_inputs(data, yname, idname, tname, dname, gname, weightsname, cluster, return_mask: bool = False):
    if (dname is None) == (gname is None):
        raise ValueError("give exactly one of dname (0/1 column) or gname (first treated period)")
    _check_columns(data, [yname, idname, tname, dname, gname, weightsname, cluster])
    _check_ids(data, idname)
    codec = _time_codec(data[tname], tname)
    t = codec.encode(data[tname], tname)
    y = pd.to_numeric(data[yname], errors="coerce").to_numpy(dtype=float)
    if dname is not None:
        d = pd.to_numeric(data[dname], errors="coerce").to_numpy(dtype=float)
    else:
        g = codec.encode(data[gname], gname)
        _check_timing_codes(data[gname], g, t, data[idname].to_numpy(), gname, codec.kind)
        g = np.where(np.isnan(g) | ((g == 0) & (codec.kind != "period")), np.inf, g)
        d = (t >= g).astype(float)
    w = (
        np.ones(len(data))
        if weightsname is None
        else pd.to_numeric(data[weightsname], errors="coerce").to_numpy(dtype=float)
    )
    ok = np.isfinite(y) & np.isfinite(d) & np.isfinite(t) & np.isfinite(w) & (w > 0)
    unit = pd.factorize(data[idname].to_numpy()[ok])[0]
    time = pd.factorize(t[ok], sort=True)[0]
    cl = pd.factorize(data[cluster].to_numpy()[ok])[0] if cluster is not None else None
    if ok.sum() == 0:
        raise DataError("no usable rows", column=yname, expected="non-missing outcomes")
    if return_mask:
        return y[ok], d[ok], unit, time, w[ok], cl, ok
    return y[ok], d[ok], unit, time, w[ok], cl


def _nested(fe: np.ndarray, cl: np.ndarray) -> bool:
    """True when every level of ``fe`` sits inside one cluster."""
    s = pd.Series(cl).groupby(fe).nunique()
    return bool((s == 1).all())


@dataclass
class TWFEResult:
    """Static TWFE estimate with cluster-robust (CRV1, fixest-style) inference."""

    coef: float
    se: float
    t_stat: float
    p_value: float
    ci_lower: float
    ci_upper: float
    n_obs: int
    n_clusters: int
    dof_k: int
    alpha: float = 0.05
    alp = renamed_attribute("alp", "alpha")

    def to_frame(self) -> pd.DataFrame:
        """One-row tidy frame (estimator, att, se, t, p, CI, n_obs, n_clusters)."""
        return pd.DataFrame(
            [
                {
                    "estimator": "twfe",
                    "att": self.coef,
                    "se": self.se,
                    "t": self.t_stat,
                    "p_value": self.p_value,
                    "ci_lower": self.ci_lower,
                    "ci_upper": self.ci_upper,
                    "n_obs": self.n_obs,
                    "n_clusters": self.n_clusters,
                }
            ]
        )

    def summary(self) -> str:
        return (
            f"Static TWFE: ATT = {self.coef:.6f} (SE {self.se:.6f}, clusters {self.n_clusters}), "
            f"t = {self.t_stat:.3f}, p = {self.p_value:.4f}, "
            f"{100 * (1 - self.alpha):.0f}% CI [{self.ci_lower:.4f}, {self.ci_upper:.4f}]"
        )

    def __repr__(self) -> str:  # pragma: no cover
        return self.summary()


@renamed_args(treatname="dname", alp="alpha")
def twfe(
    data: pd.DataFrame,
    yname: str,
    idname: str,
    tname: str,
    gname: str | None = None,
    *,
    dname: str | None = None,
    weightsname: str | None = None,
    cluster: str | None = "idname",
    alpha: float = 0.05,
) -> TWFEResult:
    """Static two-way fixed-effects DiD: ``y ~ D | unit + time``.

    Standard errors are cluster-robust with R ``fixest``'s default small-sample
    correction, ``G/(G-1) * (n-1)/(n-K)``, where K counts the treatment
    coefficient and the fixed effects not nested in the clusters (as
    ``fixest``'s ``fixef.K = "nested"``); p-values and CIs use t(G-1).
    On ``mpdta`` this reproduces ``feols(lemp ~ post | countyreal + year)``:
    -0.036549 (SE 0.013265).

    Parameters
    ----------
    data : DataFrame
        Long panel (need not be balanced).
    yname, idname, tname : str
        Outcome, unit and period columns.
    gname : str, optional
        First-treated period (never treated: 0 or missing); D = 1{t >= g}, as
        in :func:`att_gt` and the other estimators.  Give this or ``dname``.
    dname : str, optional, keyword-only
        0/1 treatment-status column (e.g. a placebo dummy).
    weightsname : str, optional
        Regression weights (e.g. cases behind a clearance rate).
    cluster : str or None
        Cluster variable; default the unit id.  ``None`` gives HC1 SEs.
    alpha : float
        Significance level for the CI.

    Returns
    -------
    TWFEResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from jingwu.effects import twfe
    >>> df = pd.DataFrame({"id": np.repeat(np.arange(6), 4), "t": np.tile(np.arange(4), 6)})
    >>> df["g"] = df["id"].map({0: 0, 1: 0, 2: 2, 3: 2, 4: 3, 5: 3})
    >>> df["y"] = 0.5 * df["t"] + df["id"] + 2.0 * ((df["g"] > 0) & (df["t"] >= df["g"]))
    >>> round(twfe(df, "y", "id", "t", gname="g").coef, 6)
    2.0
    """
    if cluster == "idname":
        cluster = idname
    y, d, unit, time, w, cl = _long_inputs(data, yname, idname, tname, dname, gname, weightsname, cluster)
    M = _demean(np.column_stack([y, d]), [unit, time], w)
    yt, dt = M[:, 0], M[:, 1]
    sxx = np.sum(w * dt * dt)
    if sxx <= 1e-12 * len(dt):
        raise DataError(
            "treatment has no variation after removing unit and period effects",
            column=dname or gname,
            expected="staggered or partial adoption",
        )
    beta = np.sum(w * dt * yt) / sxx
    u = yt - dt * beta
    n = len(y)
    n_units, n_times = unit.max() + 1, time.max() + 1
    if cl is None:
        k = 1 + n_units + n_times - 1
        meat = np.sum((w * dt * u) ** 2)
        V = meat / sxx**2 * n / (n - k)
        G = n
        dist_df = n - k
    else:
        # fixest (fixef.K = "nested"): FEs nested in the clusters are not counted;
        # the others count all their levels, less one per extra FE (collinearity)
        levels = [lv for fe, lv in ((unit, n_units), (time, n_times)) if not _nested(fe, cl)]
        k = 1 + (sum(levels) - (len(levels) - 1) if levels else 1)
        G = cl.max() + 1
        sc = np.bincount(cl, weights=w * dt * u)
        V = np.sum(sc**2) / sxx**2 * G / (G - 1) * (n - 1) / (n - k)
        dist_df = G - 1
    se = float(np.sqrt(V))
    tval = beta / se
    p = 2 * stats.t.sf(abs(tval), dist_df)
    c = stats.t.ppf(1 - alpha / 2, dist_df)
    return TWFEResult(
        coef=float(beta),
        se=se,
        t_stat=float(tval),
        p_value=float(p),
        ci_lower=float(beta - c * se),
        ci_upper=float(beta + c * se),
        n_obs=n,
        n_clusters=int(G),
        dof_k=int(k),
        alpha=alpha,
    )


@renamed_args(treatname="dname", B="n_boot", random_state="seed")
def wild_cluster_bootstrap(
    data: pd.DataFrame,
    yname: str,
    idname: str,
    tname: str,
    gname: str | None = None,
    *,
    dname: str | None = None,
    cluster: str | None = None,
    weightsname: str | None = None,
    n_boot: int = 9999,
    weights: str = "rademacher",
    null: float = 0.0,
    seed: int | np.random.Generator | None = None,
) -> WildBootstrapResult:
    """Wild cluster restricted (WCR) bootstrap p-value for the static TWFE coefficient.

    The null ``beta = null`` is imposed, residuals are flipped by cluster with
    Rademacher or Webb weights, and the bootstrap-t statistic (CRV1 SEs) is
    compared with the sample one (Cameron, Gelbach & Miller 2008; Roodman et
    al. 2019).  Use it when there are few clusters (e.g. 6-30 districts).
    Period effects enter as dummies; units must be nested in clusters.  With
    Rademacher weights and ``2**G <= n_boot`` every sign pattern is enumerated.

    Parameters
    ----------
    data, yname, idname, tname, dname, gname, weightsname : as in :func:`twfe`.
    cluster : str, optional
        Cluster column (default: the unit id).
    n_boot : int
        Bootstrap draws.
    weights : {"rademacher", "webb"}
    null : float
        Hypothesised value of the coefficient.
    seed : int or Generator, optional
        Seed of the bootstrap weights (deterministic given the seed).

    Returns
    -------
    WildBootstrapResult
        ``.estimate`` (also ``.coef``), ``.t_stat``, ``.p_value``,
        ``.n_clusters``, ``.n_boot`` (draws used), ``.weights``; ``.to_frame()``,
        ``.summary()``, ``.plot()``.  (``result["p_value"]`` still works for
        one release, with a ``DeprecationWarning``.)

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from jingwu.effects import wild_cluster_bootstrap
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"id": np.repeat(np.arange(40), 6), "t": np.tile(np.arange(6), 40)})
    >>> df["district"] = df["id"] % 8
    >>> df["g"] = np.where(df["district"] < 4, 3, 0)
    >>> df["y"] = rng.normal(size=len(df)) + 1.0 * ((df["g"] > 0) & (df["t"] >= 3))
    >>> out = wild_cluster_bootstrap(df, "y", "id", "t", gname="g", cluster="district",
    ...                              n_boot=999, seed=1)
    >>> out.n_clusters, out.p_value < 0.05
    (8, True)
    """
    if weights not in ("rademacher", "webb"):
        raise ValueError(f"weights must be 'rademacher' or 'webb', got {weights!r}")
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 99:
        raise ValueError(f"n_boot must be an integer >= 99, got {n_boot!r}")
    cluster = cluster or idname
    y, d, unit, time, w, cl = _long_inputs(data, yname, idname, tname, dname, gname, weightsname, cluster)
    if not _nested(unit, cl):
        raise DataError(
            "units are not nested in clusters", column=cluster, expected="each unit inside a single cluster"
        )
    n = len(y)
    T = time.max() + 1
    Dt = np.zeros((n, T - 1))
    rows = np.flatnonzero(time > 0)
    Dt[rows, time[rows] - 1] = 1.0
    X = np.column_stack([d, Dt])
    sw = np.sqrt(w)
    Z = _demean(np.column_stack([y, X]), [unit], w) * sw[:, None]
    yt, Xt = Z[:, 0], Z[:, 1:]
    # unrestricted fit and CRV1 t
    XtX_inv = np.linalg.pinv(Xt.T @ Xt)
    beta = XtX_inv @ Xt.T @ yt
    u = yt - Xt @ beta
    G = int(cl.max()) + 1
    kx = X.shape[1]
    adj = G / (G - 1) * (n - 1) / (n - kx - 1)  # + 1: the period effects' constant (fixest)
    a = XtX_inv[:, 0]
    sc = np.bincount(cl, weights=(Xt @ a) * u, minlength=G)
    t0 = (beta[0] - null) / np.sqrt(adj * np.sum(sc**2))
    # restricted fit (impose beta_0 = null)
    yr = yt - null * Xt[:, 0]
    Xo = Xt[:, 1:]
    br = np.linalg.lstsq(Xo, yr, rcond=None)[0]
    ur = yr - Xo @ br
    # cluster-level pieces: S (k x G) = X_c' u_r ; R (G x k) = a' X_c' X_c
    S = np.zeros((kx, G))
    for j in range(kx):
        S[j] = np.bincount(cl, weights=Xt[:, j] * ur, minlength=G)
    xa = Xt @ a
    R = np.zeros((G, kx))
    for j in range(kx):
        R[:, j] = np.bincount(cl, weights=xa * Xt[:, j], minlength=G)
    q = a @ S  # (G,)
    K = np.diag(q) - R @ XtX_inv @ S  # score_c(v) = (K v)_c
    num = a @ S  # beta*_0 - null = num . v
    rng = np.random.default_rng(seed)
    if weights == "rademacher" and 2**G <= n_boot:
        V = ((np.arange(2**G)[:, None] >> np.arange(G)[None, :]) & 1).astype(float) * 2 - 1
        V = V.T
    elif weights == "rademacher":
        V = rng.choice(np.array([-1.0, 1.0]), size=(G, n_boot))
    else:
        webb = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
        V = rng.choice(webb, size=(G, n_boot))
    tb = (num @ V) / np.sqrt(adj * np.sum((K @ V) ** 2, axis=0))
    p = float(np.mean(np.abs(tb) >= abs(t0) - 1e-12))
    return WildBootstrapResult(
        estimate=float(beta[0]),
        t_stat=float(t0),
        p_value=p,
        n_clusters=int(G),
        n_boot=int(V.shape[1]),
        weights=weights,
        target="twfe",
        null=float(null),
        t_draws=tb,
    )


def bacon_decomposition(
    data: pd.DataFrame,
    yname: str,
    idname: str,
    tname: str,
    gname: str,
) -> pd.DataFrame:
    """Goodman-Bacon (2021) decomposition of the static TWFE estimate.

    The TWFE coefficient in a balanced panel (no covariates, no weights) is a
    weighted average of all 2x2 DiDs between timing groups: treated vs never
    treated, earlier vs later treated (later as control before it adopts),
    later vs earlier treated (earlier, already treated, as control -- the
    "forbidden" comparison) and, when some units are treated from the first
    period on, later vs always treated (always-treated units as controls over
    the whole window; also forbidden), as R ``bacondecomp`` does.  Every design
    is kept whole: always-treated units stay in, and without never-treated
    units no cohort is relabelled and no period is cut, so the weighted sum
    equals :func:`twfe` on the same data.

    Raises
    ------
    DataError
        If the panel is unbalanced or has missing outcomes (the decomposition
        holds for balanced panels only), or if no unit changes treatment status.

    Returns
    -------
    DataFrame
        One row per 2x2: ``type``, ``treated``, ``control`` (``"never"`` /
        ``"always"`` for never / always treated), ``estimate``, ``weight``;
        weights sum to 1 and ``(estimate * weight).sum()`` equals the TWFE
        coefficient.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from jingwu.effects import bacon_decomposition, twfe
    >>> df = pd.DataFrame({"id": np.repeat(np.arange(6), 5), "t": np.tile(np.arange(5), 6)})
    >>> df["g"] = df["id"].map({0: 0, 1: 0, 2: 2, 3: 2, 4: 4, 5: 4})
    >>> df["y"] = np.sin(df["id"] + df["t"]) + (df["t"] - df["g"] + 1) * ((df["g"] > 0) & (df["t"] >= df["g"]))
    >>> b = bacon_decomposition(df, "y", "id", "t", "g")
    >>> bool(np.isclose((b["estimate"] * b["weight"]).sum(), twfe(df, "y", "id", "t", gname="g").coef))
    True
    """
    import warnings as _w

    with _w.catch_warnings(record=True) as caught:
        _w.simplefilter("always")
        panel = prepare_panel(
            data,
            yname,
            idname,
            tname,
            gname,
            control_group="notyettreated",
            drop_first_period_treated=False,
            recode_last_cohort=False,
        )
    dropped = [str(c.message) for c in caught if "Dropped" in str(c.message)]
    if dropped:
        raise DataError(
            "the Goodman-Bacon decomposition needs a balanced panel with no missing "
            "outcomes (it would not add up to TWFE on the same data): " + " ".join(dropped),
            column=[idname, tname, yname],
            expected="every unit observed with an outcome in every period",
        )
    Y, times = panel.Y, panel.times
    # units treated from the first period on form one timing group ("always")
    g = np.where(panel.g <= times[0], -np.inf, panel.g)
    D = (times[None, :] >= g[:, None]).astype(float)
    # full-sample variance of the two-way demeaned treatment
    Dd = D - D.mean(axis=1, keepdims=True) - D.mean(axis=0, keepdims=True) + D.mean()
    VD = np.mean(Dd**2)
    if VD <= 1e-14:
        raise DataError(
            "no unit changes treatment status within the window",
            column=gname,
            expected="some units adopting after the first period",
        )
    cohorts = np.unique(g)
    share = {c: np.mean(g == c) for c in cohorts}
    dbar = {c: np.mean(times >= c) for c in cohorts}  # fraction of periods treated
    mean_y = {c: Y[g == c].mean(axis=0) for c in cohorts}
    timing = [c for c in cohorts if np.isfinite(c)]
    rows = []

    def dd(tr, co, post, pre):
        return (mean_y[tr][post].mean() - mean_y[tr][pre].mean()) - (
            mean_y[co][post].mean() - mean_y[co][pre].mean()
        )

    def label(c):
        return "always" if c == -np.inf else panel.codec.decode_list([c])[0]

    never = np.inf in share
    for k in timing:
        if never:
            u = np.inf
            nk, nu = share[k], share[u]
            nku = nk / (nk + nu)
            wgt = (nk + nu) ** 2 * nku * (1 - nku) * dbar[k] * (1 - dbar[k]) / VD
            est = dd(k, u, times >= k, times < k)
            rows.append(("treated vs never treated", label(k), "never", est, wgt))
    if -np.inf in share:
        a = -np.inf
        for l_ in timing:
            nk, nl = share[a], share[l_]
            nkl = nl / (nk + nl)
            # the always-treated group has no within-unit treatment variation; it serves as a
            # control over the whole window, like a never-treated group shifted by the effect
            wgt = (nk + nl) ** 2 * nkl * (1 - nkl) * dbar[l_] * (1 - dbar[l_]) / VD
            est = dd(l_, a, times >= l_, times < l_)
            rows.append(("later vs always treated", label(l_), "always", est, wgt))
    for k in timing:
        for l_ in timing:
            if l_ <= k:
                continue
            nk, nl = share[k], share[l_]
            nkl = nk / (nk + nl)
            Dk, Dl = dbar[k], dbar[l_]
            # k treated, l (not yet treated) control, window t < l
            w_k = (
                ((nk + nl) * (1 - Dl)) ** 2
                * nkl
                * (1 - nkl)
                * ((Dk - Dl) / (1 - Dl))
                * ((1 - Dk) / (1 - Dl))
                / VD
            )
            win = times < l_
            est_k = dd(k, l_, win & (times >= k), win & (times < k))
            rows.append(("earlier vs later treated", label(k), label(l_), est_k, w_k))
            # l treated, k (already treated) control, window t >= k
            w_l = ((nk + nl) * Dk) ** 2 * nkl * (1 - nkl) * (Dl / Dk) * ((Dk - Dl) / Dk) / VD
            win = times >= k
            est_l = dd(l_, k, win & (times >= l_), win & (times < l_))
            rows.append(("later vs earlier treated", label(l_), label(k), est_l, w_l))
    out = pd.DataFrame(rows, columns=["type", "treated", "control", "estimate", "weight"])
    return out
