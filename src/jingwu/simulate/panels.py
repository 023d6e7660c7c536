"""A small staggered-adoption panel with a known effect, for Monte Carlo checks of the DiD estimators.

Unlike M city (:func:`jingwu.simulate.simulate_city`), which echoes a real
bureau, this is the textbook design the estimator tests and benchmarks draw
hundreds of times: a balanced unit-by-period panel, adoption cohorts, unit
effects, a common trend, and effects that differ by cohort and grow with
exposure -- so two-way fixed effects is biased and the staggered estimators
are not.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["StaggeredPanel", "staggered_panel"]


@dataclass(frozen=True)
class StaggeredPanel:
    """A simulated staggered panel and its true effect (:func:`staggered_panel`).

    Unpacks as ``data, att`` so ``df, truth = staggered_panel(...)`` works.

    Attributes
    ----------
    data : DataFrame
        ``id, t, g, y``; ``g`` is the adoption period, 0 for never treated.
    att : float
        Population simple ATT: the effect averaged over post-adoption cells,
        each cohort weighted by its probability (the weights of R ``did``'s
        ``aggte(type = "simple")``).
    """

    data: pd.DataFrame
    att: float

    def __iter__(self) -> Iterator[Any]:
        return iter((self.data, self.att))


def staggered_panel(
    n_units: int = 400,
    n_periods: int = 10,
    *,
    cohorts: Sequence[int] = (4, 6, 8),
    probs: Sequence[float] = (0.3, 0.25, 0.25, 0.2),
    base: Sequence[float] = (1.0, 0.5, 0.25),
    slope: Sequence[float] = (0.3, 0.2, 0.1),
    trend: float = 0.15,
    unit_sd: float = 1.0,
    noise_sd: float = 0.5,
    seed: int = 0,
) -> StaggeredPanel:
    """Simulate a balanced staggered-adoption panel with cohort-specific, growing effects.

    Each unit joins cohort ``cohorts[k]`` with probability ``probs[k]`` (the
    last probability is never treated).  Outcome:
    ``y_it = a_i + trend * t + tau_g(t) + e_it`` with ``a_i ~ N(0, unit_sd)``,
    ``e_it ~ N(0, noise_sd)`` and, from adoption on,
    ``tau_g(t) = base_g + slope_g * (t - g)``.

    Parameters
    ----------
    n_units, n_periods : int
        Units and periods (periods are 1..n_periods).
    cohorts : sequence of int
        Adoption periods.
    probs : sequence of float
        Probability of each cohort, then of never adopting; sums to 1.
    base, slope : sequence of float
        Effect at adoption and its growth per period, one per cohort.
    trend, unit_sd, noise_sd : float
        Common linear trend, SD of the unit effects and of the noise.
    seed : int
        Random seed; the same seed gives the same panel.

    Returns
    -------
    StaggeredPanel
        ``data`` (``id, t, g, y``) and the true simple ``att``.

    Examples
    --------
    >>> from jingwu.simulate import staggered_panel
    >>> sim = staggered_panel(n_units=50, seed=1)
    >>> sim.data.shape, sorted(sim.data["g"].unique().tolist()), round(sim.att, 4)
    ((500, 4), [0, 4, 6, 8], 1.3116)
    """
    k = len(cohorts)
    if not (len(base) == len(slope) == k and len(probs) == k + 1):
        raise ValueError("give one base and slope per cohort and one probability per cohort plus never")
    if n_units < 1 or n_periods < 1:
        raise ValueError(f"n_units and n_periods must be positive, got {n_units}, {n_periods}")
    if min(probs) < 0 or not np.isclose(sum(probs), 1.0):
        raise ValueError(f"probs must be non-negative and sum to 1, got {list(probs)}")
    rng = np.random.default_rng(seed)
    groups = np.array([*cohorts, 0])
    g = rng.choice(groups, size=n_units, p=probs)
    t = np.arange(1, n_periods + 1)
    b = dict(zip(cohorts, base))
    s = dict(zip(cohorts, slope))

    def tau(gv: Any, tv: Any) -> float:
        return b[gv] + s[gv] * (tv - gv) if gv and tv >= gv else 0.0

    eff = np.array([[tau(gi, ti) for ti in t] for gi in g])
    y = (
        rng.normal(0, unit_sd, n_units)[:, None]
        + trend * t[None, :]
        + eff
        + rng.normal(0, noise_sd, (n_units, n_periods))
    )
    data = pd.DataFrame(
        {
            "id": np.repeat(np.arange(n_units), n_periods),
            "t": np.tile(t, n_units),
            "g": np.repeat(g, n_periods),
            "y": y.ravel(),
        }
    )
    num = den = 0.0
    for gv, p in zip(groups[:k], probs[:k]):
        for tv in t[t >= gv]:
            num += p * tau(gv, tv)
            den += p
    return StaggeredPanel(data=data, att=float(num / den))
