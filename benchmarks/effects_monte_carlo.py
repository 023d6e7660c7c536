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

from jingwu import effects
from jingwu.progress import track
from jingwu.simulate import staggered_panel

RESULTS = Path(__file__).resolve().parent / "results"
PROBS = (0.3, 0.25, 0.25, 0.2)


def simulate_staggered(n_units: int = 300, n_periods: int = 10, seed: int = 0, probs=PROBS):
    """Balanced staggered panel and the population simple ATT (R did weights): the library's generator."""
    sim = staggered_panel(n_units, n_periods, probs=probs, seed=seed)
    return sim.data, sim.att


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
