"""ATT(g,t) for unbalanced panels and repeated cross sections (R ``did``'s non-panel path).

With ``allow_unbalanced_panel=TRUE`` R ``did`` treats the observations of an
unbalanced panel as repeated cross sections: each 2x2 cell stacks the rows of
the treated cohort and the comparison group observed in the two periods, runs
DRDID's repeated-cross-section estimator (:func:`did_2x2_rc`), scales the
per-row influence function by ``n / n_cell`` and sums it within unit, so the
standard errors are clustered on the unit.  With ``panel=FALSE`` every row is
its own unit.
"""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from ._drdid_rc import did_2x2_rc
from ._prep import Panel, comparison_units

__all__ = ["att_gt_cells_rc"]


def att_gt_cells_rc(
    panel: Panel, params: dict, cells: list
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """ATT(g,t), encoded group/time/base labels and the (n units x cells) influence functions.

    ``panel.Y`` holds NaN where a unit is not observed; ``cells`` are the
    ``(g, cur, pret, cmax)`` tuples of :func:`jingwu.effects._cs._cells`.
    """
    control_group = params["control_group"]
    method = params["est_method"]
    anticipation = params["anticipation"]
    n = panel.n
    times, Y, gu, w = panel.times, panel.Y, panel.g, panel.w
    seen = np.isfinite(Y)
    inf = np.zeros((n, len(cells)), order="F")
    att = np.full(len(cells), np.nan)
    groups, tt, bb = np.empty(len(cells)), np.empty(len(cells)), np.empty(len(cells))
    with threadpool_limits(limits=1, user_api="blas"):
        for j, (g, cur, pret, cmax) in enumerate(cells):
            groups[j], tt[j], bb[j] = g, times[cur], times[pret]
            if cur == pret:  # universal base period reference cell
                att[j] = 0.0
                continue
            C = comparison_units(gu, times, g, cmax, control_group=control_group, anticipation=anticipation)
            Gm = gu == g
            u_post = np.flatnonzero((Gm | C) & seen[:, cur])
            u_pre = np.flatnonzero((Gm | C) & seen[:, pret])
            units = np.concatenate([u_post, u_pre])
            post = np.concatenate([np.ones(len(u_post)), np.zeros(len(u_pre))])
            D = Gm[units].astype(float)
            # R did leaves a cell NA when either group is empty in either period
            if min(np.sum(D * post), np.sum(D * (1 - post)), np.sum((1 - D) * post)) == 0 or not np.sum(
                (1 - D) * (1 - post)
            ):
                continue
            y = np.concatenate([Y[u_post, cur], Y[u_pre, pret]])
            if panel.X is None:
                X = np.ones((len(units), 1))
            else:
                X = np.concatenate([panel.X[cur, u_post, :], panel.X[pret, u_pre, :]])
            try:
                a, f = did_2x2_rc(y, post, D, X, w[units], method)
            except np.linalg.LinAlgError:
                continue
            if not np.isfinite(a):
                continue
            att[j] = a
            inf[:, j] = np.bincount(units, weights=(n / len(units)) * f, minlength=n)
    return att, groups, tt, bb, inf
