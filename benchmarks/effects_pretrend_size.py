"""Monte Carlo size of jingwu.effects.pretrend_test under the null (parallel trends, no effects).

Design: monthly panels of N stations (15, 48, 500) x 24 months; staggered adoption
in months 13, 16 and 19 plus never-adopters (each a quarter of the stations);
outcome = station effect + common month effect + AR(1) noise (rho 0.3), no
treatment effect.  The test is run on the dynamic aggregation with 12 leads
(``min_e=-12``) -- the case where the chi2 Wald test rejected in 40 of 40 draws
with 15 stations.  Rejection rates at 5% for the default (``method="auto"``:
wild cluster bootstrap of the Wald statistic below 50 clusters, small-sample F
below 100, chi2 above), the bootstrap (n_boot = 999), the small-sample F (Hotelling,
cluster df) and R's chi2 form.  Writes benchmarks/results/effects_pretrend_size.json
(wall and CPU seconds; the CPU figure is the better estimate on a shared machine).

Usage: nice -n 10 python benchmarks/effects_pretrend_size.py [--reps 200] [--units 15 48 500]
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
import pandas as pd

from jingwu import effects
from jingwu.progress import track

RESULTS = Path(__file__).resolve().parent / "results"


def null_panel(n_units: int, n_periods: int = 24, seed: int = 0, rho: float = 0.3) -> pd.DataFrame:
    """Staggered panel with parallel trends and no effect (cohorts 13, 16, 19, never)."""
    rng = np.random.default_rng(seed)
    g = np.resize(np.array([13, 16, 19, 0]), n_units)
    rng.shuffle(g)
    e = np.zeros((n_units, n_periods))
    shocks = rng.normal(size=(n_units, n_periods))
    e[:, 0] = shocks[:, 0]
    for t in range(1, n_periods):
        e[:, t] = rho * e[:, t - 1] + np.sqrt(1 - rho**2) * shocks[:, t]
    y = rng.normal(size=n_units)[:, None] + rng.normal(size=n_periods)[None, :] + e
    return pd.DataFrame(
        {
            "id": np.repeat(np.arange(n_units), n_periods),
            "t": np.tile(np.arange(1, n_periods + 1), n_units),
            "g": np.repeat(g, n_periods),
            "y": y.ravel(),
        }
    )


def rejection_rates(
    n_units: int,
    reps: int,
    seed: int = 7,
    leads: int = 12,
    level: float = 0.05,
    methods=("auto", "bootstrap", "F", "chi2"),
    progress: bool | None = None,
):
    """Share of null panels on which each form of the test rejects at ``level``."""
    rej = {m: 0 for m in methods}
    used = set()
    for r in track(range(reps), f"pre-trend size, {n_units} units", progress=progress):
        df = null_panel(n_units, seed=seed + 1000 * n_units + r)
        dyn = effects.att_gt(df, "y", "id", "t", "g").aggregate("dynamic", min_e=-leads)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for m in rej:
                out = effects.pretrend_test(dyn, method=m, progress=False)
                rej[m] += out.p_value < level
                if m == "auto":
                    used.add(out.method)
    rates = {m: v / reps for m, v in rej.items()}
    if "auto" in rates:
        rates["auto_method"] = "/".join(sorted(used))
    return rates


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--units", type=int, nargs="+", default=[15, 48, 500])
    args = ap.parse_args()
    reps = args.reps
    path = RESULTS / "effects_pretrend_size.json"
    out = {"reps": reps, "leads": 12, "periods": 24, "level": 0.05, "bootstrap_B": 999, "results": []}
    for n in args.units:
        t0, c0 = time.perf_counter(), time.process_time()
        k = reps if n < 500 else max(reps // 2, 100)
        # 500 clusters: the default is the chi2 test; the bootstrap (one re-estimation per
        # cluster) is not run there
        methods = ("auto", "bootstrap", "F", "chi2") if n < 500 else ("auto", "F", "chi2")
        rr = rejection_rates(n, k, methods=methods)
        row = {
            "units": n,
            "reps": k,
            "default_method": rr.get("auto_method"),
            "reject_default": rr["auto"],
            "reject_bootstrap": rr.get("bootstrap"),
            "reject_F": rr["F"],
            "reject_chi2": rr["chi2"],
            "seconds": time.perf_counter() - t0,
            "cpu_seconds": time.process_time() - c0,
            "load_average": os.getloadavg()[0],
        }
        out["results"].append(row)
        print(row, flush=True)
    if path.exists() and set(args.units) != {15, 48, 500}:
        # a partial run updates its rows and keeps the others
        old = json.loads(path.read_text())
        keep = [r for r in old.get("results", []) if r["units"] not in set(args.units)]
        out["results"] = sorted(keep + out["results"], key=lambda r: r["units"])
    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=RESULTS, delete=False, suffix=".tmp") as fh:
        json.dump(out, fh, indent=2)
    os.replace(fh.name, path)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
