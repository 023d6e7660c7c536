"""Monte Carlo on unbalanced panels: bias and 95% coverage of imputation, Sun-Abraham and CS.

Design of benchmarks/effects_monte_carlo.py (300 units x 10 periods, cohorts 4, 6, 8
and never treated, effects that differ by cohort and grow with exposure), then 10%
of the unit-period rows deleted at random.  Estimands:

* imputation: the average effect over the treated observations it uses (BJS's
  estimand, computed from the simulated effects of exactly those rows);
* Sun-Abraham, e = 0: the observation-weighted average of the cohorts' e = 0 effects;
* CS (R did's default: units missing a period are dropped, which leaves about 35%
  of the units here) and CS with ``allow_unbalanced_panel=True`` (every
  observation, R did's repeated-cross-section estimators with unit-level
  influence functions): the population simple ATT.

The JSON reports the Monte Carlo standard error of each coverage,
sqrt(c (1 - c) / reps), and wall and CPU seconds.

Writes benchmarks/results/effects_unbalanced_mc.json.

Usage: python benchmarks/effects_unbalanced_mc.py [--reps 500]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from effects_monte_carlo import simulate_staggered
from jingwu import effects
from jingwu.progress import track

RESULTS = Path(__file__).resolve().parent / "results"
BASE = {4: 1.0, 6: 0.5, 8: 0.25}
SLOPE = {4: 0.3, 6: 0.2, 8: 0.1}
Z = 1.959963984540054


def _tau(g, t):
    return np.array([BASE[int(a)] + SLOPE[int(a)] * (b - a) for a, b in zip(g, t)])


def monte_carlo(reps: int = 500, seed: int = 4242, frac: float = 0.1) -> dict:
    rec = {
        k: {"est": [], "truth": [], "cover": [], "se": []}
        for k in ("imputation", "sun_abraham_e0", "cs_balanced_subpanel", "cs_unbalanced")
    }
    units_kept = []
    t0, c0 = time.perf_counter(), time.process_time()
    for r in track(range(reps), "Monte Carlo"):
        df, truth_cs = simulate_staggered(seed=seed + r)
        rng = np.random.default_rng(seed + 10_000 + r)
        df = df.drop(index=rng.choice(len(df), int(frac * len(df)), replace=False))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            imp = effects.imputation(df, "y", "id", "t", "g")
            sa = effects.sun_abraham(df, "y", "id", "t", "g")
            cs = effects.att_gt(df, "y", "id", "t", "g")
            csu = effects.att_gt(df, "y", "id", "t", "g", allow_unbalanced_panel=True)
        # imputation: effects of the rows it used
        gmap = df.groupby("id")["g"].first()
        used = imp.tau
        truth_imp = float(_tau(gmap.loc[used["id"]].to_numpy(), used["time"].to_numpy()).mean())
        # Sun-Abraham e = 0: cohorts weighted by their observed rows at e = 0
        e0 = df[(df["g"] > 0) & (df["t"] == df["g"])]
        truth_sa = float(np.mean([BASE[int(g)] for g in e0["g"]]))
        row = sa.set_index("event_time").loc[0]
        simple = cs.aggregate("simple")
        simple_u = csu.aggregate("simple")
        units_kept.append(cs.n / df["id"].nunique())
        for k, est, se, tr in (
            ("imputation", imp.overall_att, imp.overall_se, truth_imp),
            ("sun_abraham_e0", row["att"], row["se"], truth_sa),
            ("cs_balanced_subpanel", simple.overall_att, simple.overall_se, truth_cs),
            ("cs_unbalanced", simple_u.overall_att, simple_u.overall_se, truth_cs),
        ):
            rec[k]["est"].append(est)
            rec[k]["se"].append(se)
            rec[k]["truth"].append(tr)
            rec[k]["cover"].append(abs(est - tr) <= Z * se)
    out = {
        "reps": reps,
        "units": 300,
        "periods": 10,
        "rows_deleted": frac,
        "cs_share_of_units_kept": float(np.mean(units_kept)),
        "seconds": time.perf_counter() - t0,
        "cpu_seconds": time.process_time() - c0,
    }
    for k, v in rec.items():
        err = np.array(v["est"]) - np.array(v["truth"])
        out[k] = {
            "bias": float(err.mean()),
            "sd_error": float(err.std(ddof=1)),
            "mean_se": float(np.mean(v["se"])),
            "coverage_95": float(np.mean(v["cover"])),
            "coverage_mc_se": float(np.sqrt(np.mean(v["cover"]) * (1 - np.mean(v["cover"])) / reps)),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=500)
    out = monte_carlo(ap.parse_args().reps)
    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=RESULTS, delete=False, suffix=".tmp") as fh:
        json.dump(out, fh, indent=2)
    os.replace(fh.name, RESULTS / "effects_unbalanced_mc.json")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
