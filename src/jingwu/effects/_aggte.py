"""Aggregation of ATT(g,t) into summary parameters, following R ``did::compute.aggte``."""

from __future__ import annotations

import numpy as np
from scipy import stats

from ._cs import AggregateResult, ATTGTResult, _se_from_if, multiplier_bootstrap

__all__ = ["aggregate"]


def _wif(
    keepers: np.ndarray, pg: np.ndarray, wind: np.ndarray, G: np.ndarray, group: np.ndarray
) -> np.ndarray:
    """Influence function of the estimated aggregation weights (R ``did:::wif``)."""
    spg = pg[keepers].sum()
    # n x len(keepers)
    ind = wind[:, None] * (G[:, None] == group[keepers][None, :]) - pg[keepers][None, :]
    if1 = ind / spg
    if2 = ind.sum(axis=1)[:, None] * (pg[keepers] / spg**2)[None, :]
    return if1 - if2


def _agg_if(
    att: np.ndarray, inf: np.ndarray, which: np.ndarray, weights: np.ndarray, wif: np.ndarray | None
) -> np.ndarray:
    out = inf[:, which] @ weights
    if wif is not None:
        out = out + wif @ att[which]
    return out


def aggregate(
    res: ATTGTResult,
    type: str = "simple",
    *,
    balance_e=None,
    min_e=-np.inf,
    max_e=np.inf,
    na_rm: bool = False,
    bstrap: bool = False,
    n_boot: int = 999,
    alpha: float = 0.05,
    seed=None,
) -> AggregateResult:
    if type not in ("simple", "group", "dynamic", "calendar"):
        raise ValueError(f"type must be 'simple', 'group', 'dynamic' or 'calendar', got {type!r}")
    panel = res.panel
    group, t, att, inf = res.group, res.time, res.att.copy(), res.inffunc
    cl = panel.cluster
    keep_cells = np.ones(len(att), dtype=bool)
    if np.isnan(att).any():
        if not na_rm:
            raise ValueError("some ATT(g,t) are missing; use na_rm=True to drop them")
        keep_cells = ~np.isnan(att)
        group, t, att, inf = group[keep_cells], t[keep_cells], att[keep_cells], inf[:, keep_cells]
    G = panel.g
    wind = panel.w
    glist = np.unique(res.group)
    pg_g = np.array([np.mean(wind * (G == g)) for g in glist])
    pg = pg_g[np.searchsorted(glist, group)]
    z = stats.norm.ppf(1 - alpha / 2)

    def finish(egt, atts, infs, overall, inf_overall):
        se = _se_from_if(infs, cl) if infs.shape[1] else np.zeros(0)
        ose = float(_se_from_if(inf_overall[:, None], cl)[0])
        crit = z
        if bstrap:
            if infs.shape[1]:
                bse, bcrit = multiplier_bootstrap(infs, cl, n_boot, alpha, seed)
                se = bse
                if np.isfinite(bcrit):
                    crit = bcrit
            ose = float(multiplier_bootstrap(inf_overall[:, None], cl, n_boot, alpha, seed)[0][0])
        return AggregateResult(
            type=type,
            overall_att=float(overall),
            overall_se=ose,
            egt=np.asarray(egt, dtype=float),
            att=np.asarray(atts, dtype=float),
            se=np.asarray(se, dtype=float),
            crit_val=float(crit),
            inf_overall=inf_overall,
            inffunc=infs,
            source=res,
            alpha=alpha,
            args=dict(balance_e=balance_e, min_e=min_e, max_e=max_e, na_rm=na_rm),
        )

    if type == "simple":
        keepers = np.flatnonzero((group <= t) & (t <= group + max_e))
        wk = pg[keepers] / pg[keepers].sum()
        overall = np.sum(att[keepers] * wk)
        wif = _wif(keepers, pg, wind, G, group)
        inf_o = _agg_if(att, inf, keepers, wk, wif)
        return finish([], [], np.zeros((panel.n, 0)), overall, inf_o)

    if type == "group":
        att_l: list[float] = []
        inf_l: list[np.ndarray] = []
        for g in glist:
            whichg = np.flatnonzero((group == g) & (g <= t) & (t <= group + max_e))
            att_l.append(float(np.mean(att[whichg])))
            wg = pg[whichg] / pg[whichg].sum()
            inf_l.append(_agg_if(att, inf, whichg, wg, None))
        atts = np.array(att_l)
        infs = np.column_stack(inf_l)
        ok = np.isfinite(atts)
        overall = np.sum(atts[ok] * pg_g[ok]) / pg_g[ok].sum()
        keep_idx = np.flatnonzero(ok)
        wif = _wif(keep_idx, pg_g, wind, G, glist)
        inf_o = _agg_if(atts, infs, keep_idx, pg_g[ok] / pg_g[ok].sum(), wif)
        return finish(glist, atts, infs, overall, inf_o)

    if type == "dynamic":
        e_all = t - group
        include = np.ones(len(att), dtype=bool)
        eseq = np.unique(e_all)
        if balance_e is not None:
            include = (panel.times[-1] - group) >= balance_e
            eseq = np.unique(e_all[include])
            eseq = eseq[(eseq <= balance_e) & (eseq >= balance_e - panel.times[-1] + panel.times[0])]
        eseq = eseq[(eseq >= min_e) & (eseq <= max_e)]
        att_l, inf_l = [], []
        for e in eseq:
            whiche = np.flatnonzero((e_all == e) & include)
            pge = pg[whiche] / pg[whiche].sum()
            att_l.append(float(np.sum(att[whiche] * pge)))
            wif = _wif(whiche, pg, wind, G, group)
            inf_l.append(_agg_if(att, inf, whiche, pge, wif))
        atts = np.array(att_l)
        infs = np.column_stack(inf_l) if inf_l else np.zeros((panel.n, 0))
        epos = eseq >= 0
        if not epos.any():
            raise ValueError("no post-treatment event times to aggregate")
        overall = np.mean(atts[epos])
        inf_o = infs[:, epos] @ np.full(epos.sum(), 1 / epos.sum())
        return finish(eseq, atts, infs, overall, inf_o)

    # calendar: like R did, min_e/max_e do not apply (cells are selected by calendar period)
    if np.isfinite(max_e) or np.isfinite(min_e):
        import warnings

        warnings.warn(
            "min_e/max_e are ignored for calendar aggregation (as in R did::aggte)", UserWarning, stacklevel=3
        )
    minG = group.min()
    tlist = panel.times[panel.times >= minG]
    att_l, inf_l, tl = [], [], []
    for t1 in tlist:
        whicht = np.flatnonzero((t == t1) & (group <= t))
        if len(whicht) == 0:
            continue
        pgt = pg[whicht] / pg[whicht].sum()
        att_l.append(float(np.sum(pgt * att[whicht])))
        wif = _wif(whicht, pg, wind, G, group)
        inf_l.append(_agg_if(att, inf, whicht, pgt, wif))
        tl.append(t1)
    atts = np.array(att_l)
    infs = np.column_stack(inf_l)
    overall = np.mean(atts)
    inf_o = infs @ np.full(len(atts), 1 / len(atts))
    return finish(tl, atts, infs, overall, inf_o)
