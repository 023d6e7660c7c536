"""Monte Carlo check of jingwu.effects.att_gt: bias and 95% CI coverage of the simple ATT.

Same design as tests/test_effects.py::test_monte_carlo_coverage (500 seeded
panels of 300 units x 10 periods; cohorts 4, 6, 8 and never treated; effects
differ by cohort and grow with exposure).  Writes
benchmarks/results/effects_monte_carlo.json.

Usage: python benchmarks/effects_monte_carlo.py [--reps 500]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from jingwu import effects
from jingwu.progress import track

RESULTS = Path(__file__).resolve().parent / "results"
PROBS = (0.3, 0.25, 0.25, 0.2)


def simulate_staggered(n_units: int = 300, n_periods: int = 10, seed: int = 0, probs=PROBS):
    """Balanced staggered panel and the population simple ATT (R did weights)."""
    rng = np.random.default_rng(seed)
    cohorts = np.array([4, 6, 8, 0])
    g = rng.choice(cohorts, size=n_units, p=probs)
    t = np.arange(1, n_periods + 1)
    slope = {4: 0.3, 6: 0.2, 8: 0.1}
    base = {4: 1.0, 6: 0.5, 8: 0.25}

    def tau(gv, tv):
        return base[gv] + slope[gv] * (tv - gv) if gv and tv >= gv else 0.0

    eff = np.array([[tau(gi, ti) for ti in t] for gi in g])
    y = (
        rng.normal(0, 1, n_units)[:, None]
        + 0.15 * t[None, :]
        + eff
        + rng.normal(0, 0.5, (n_units, n_periods))
    )
    df = pd.DataFrame(
        {
            "id": np.repeat(np.arange(n_units), n_periods),
            "t": np.tile(t, n_units),
            "g": np.repeat(g, n_periods),
            "y": y.ravel(),
        }
    )
    num = den = 0.0
    for gv, p in zip(cohorts[:3], probs[:3]):
        for tv in t[t >= gv]:
            num += p * tau(gv, tv)
            den += p
    return df, num / den


def monte_carlo(reps: int = 500, seed: int = 2024) -> dict:
    ests, ses, cover, twfe = [], [], [], []
    truth = None
    t0 = time.perf_counter()
    for r in track(range(reps), "Monte Carlo"):
        df, truth = simulate_staggered(seed=seed + r)
        agg = effects.att_gt(df, "y", "id", "t", "g").aggregate("simple")
        ests.append(agg.overall_att)
        ses.append(agg.overall_se)
        cover.append(abs(agg.overall_att - truth) <= 1.959963984540054 * agg.overall_se)
        twfe.append(effects.twfe(df, "y", "id", "t", gname="g").coef)
    ests, ses = np.array(ests), np.array(ses)
    return {
        "reps": reps,
        "units": 300,
        "periods": 10,
        "truth": float(truth),
        "mean_estimate": float(ests.mean()),
        "bias": float(ests.mean() - truth),
        "bias_over_se": float((ests.mean() - truth) / ses.mean()),
        "mean_se": float(ses.mean()),
        "sd_estimates": float(ests.std(ddof=1)),
        "coverage_95": float(np.mean(cover)),
        "twfe_mean": float(np.mean(twfe)),
        "twfe_bias": float(np.mean(twfe) - truth),
        "seconds": time.perf_counter() - t0,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=500)
    out = monte_carlo(ap.parse_args().reps)
    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=RESULTS, delete=False, suffix=".tmp") as fh:
        json.dump(out, fh, indent=2)
    os.replace(fh.name, RESULTS / "effects_monte_carlo.json")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
