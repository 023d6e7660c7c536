"""Time jingwu.effects.att_gt + all aggregations on a large synthetic staggered panel.

Usage: python benchmarks/effects_scale.py [--units 40000] [--periods 60] [--other] [--repeats 3]
Writes benchmarks/results/effects_scale.json (seconds and peak memory).  With
``--other``, diff-diff (if installed) is timed on the same data, alternating
with jingwu run by run so both see the same machine load; the medians are
compared.  The load average at start and end is recorded (the machine may be
shared: timings are upper bounds).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results"


def make_panel(n_units: int, n_periods: int, seed: int = 0) -> pd.DataFrame:
    """Staggered panel: 5 adoption cohorts + never treated; effects grow with exposure."""
    rng = np.random.default_rng(seed)
    cohorts = np.linspace(n_periods * 0.3, n_periods * 0.8, 5).round().astype(int)
    g = rng.choice(np.append(cohorts, 0), size=n_units)
    t = np.arange(1, n_periods + 1)
    unit_fe = rng.normal(0, 1, n_units)
    time_fe = 0.02 * t + 0.1 * np.sin(t / 6)
    e = t[None, :] - g[:, None]
    treated = (g[:, None] > 0) & (e >= 0)
    effect = np.where(treated, 0.5 + 0.02 * e, 0.0)
    y = unit_fe[:, None] + time_fe[None, :] + effect + rng.normal(0, 1, (n_units, n_periods))
    return pd.DataFrame(
        {
            "id": np.repeat(np.arange(n_units), n_periods),
            "t": np.tile(t, n_units),
            "g": np.repeat(g, n_periods),
            "y": y.ravel(),
        }
    )


def run_jingwu(df: pd.DataFrame) -> dict:
    from jingwu.effects import att_gt

    t0 = time.perf_counter()
    res = att_gt(df, "y", "id", "t", "g")
    t1 = time.perf_counter()
    aggs = {k: res.aggregate(k) for k in ("simple", "group", "dynamic", "calendar")}
    t2 = time.perf_counter()
    return {
        "att_gt_s": t1 - t0,
        "aggregations_s": t2 - t1,
        "total_s": t2 - t0,
        "n_cells": int(len(res.att)),
        "simple_att": aggs["simple"].overall_att,
        "simple_se": aggs["simple"].overall_se,
    }


def run_event_estimators(df: pd.DataFrame) -> dict:
    """Imputation (all horizons) and Sun-Abraham on the same panel."""
    from jingwu.effects import imputation, sun_abraham

    t0 = time.perf_counter()
    imp = imputation(df, "y", "id", "t", "g")
    t1 = time.perf_counter()
    sun_abraham(df, "y", "id", "t", "g")
    t2 = time.perf_counter()
    return {
        "imputation_s": t1 - t0,
        "imputation_horizons": int(len(imp.event)),
        "imputation_att": imp.overall_att,
        "sun_abraham_s": t2 - t1,
    }


def run_other(df: pd.DataFrame) -> dict | None:
    try:
        from diff_diff import CallawaySantAnna  # type: ignore
    except Exception:
        return None
    t0 = time.perf_counter()
    cs = CallawaySantAnna(control_group="never_treated", n_bootstrap=0)
    r = cs.fit(df, outcome="y", unit="id", time="t", first_treat="g", aggregate="all")
    return {
        "package": "diff-diff",
        "total_s": time.perf_counter() - t0,
        "simple_att": float(getattr(r, "overall_att", np.nan)),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=40_000)
    ap.add_argument("--periods", type=int, default=60)
    ap.add_argument("--other", action="store_true", help="also time another installed package")
    ap.add_argument("--repeats", type=int, default=3, help="side-by-side runs (medians reported)")
    args = ap.parse_args()
    load_start = os.getloadavg()
    df = make_panel(args.units, args.periods)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    runs, other_runs = [], []
    for _ in range(max(1, args.repeats)):
        runs.append(run_jingwu(df))  # timed without tracemalloc (it slows numpy allocations)
        if args.other:
            other_runs.append(run_other(df))
    out = dict(runs[0])
    for key in ("att_gt_s", "aggregations_s", "total_s"):
        out[key + "_runs"] = [r[key] for r in runs]
        out[key] = float(np.median(out[key + "_runs"]))
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["maxrss_before_mb"] = rss0
    ev = [run_event_estimators(df) for _ in range(max(1, args.repeats))]
    out.update(ev[0])
    for key in ("imputation_s", "sun_abraham_s"):
        out[key + "_runs"] = [r[key] for r in ev]
        out[key] = float(np.median(out[key + "_runs"]))
    out["imputation_vs_att_gt"] = out["imputation_s"] / out["total_s"]
    out["sun_abraham_vs_att_gt"] = out["sun_abraham_s"] / out["total_s"]
    if args.units <= 10_000:  # tracemalloc peak on small runs only
        tracemalloc.start()
        run_jingwu(df)
        out["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    result = {
        "units": args.units,
        "periods": args.periods,
        "cohorts": 5,
        "rows": len(df),
        "jingwu": out,
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }
    if args.other and other_runs and other_runs[0] is not None:
        other = dict(other_runs[0])
        other["total_s_runs"] = [r["total_s"] for r in other_runs]
        other["total_s"] = float(np.median(other["total_s_runs"]))
        try:
            from importlib.metadata import version

            other["version"] = version("diff-diff")
        except Exception:
            pass
        result["other"] = other
        result["jingwu_vs_other"] = out["total_s"] / other["total_s"]
    result["repeats"] = max(1, args.repeats)
    result["load_average_start"] = [round(x, 2) for x in load_start]
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    result["note"] = "shared 2-core machine; nice -n 10; medians of alternating runs"
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "effects_scale.json"
    with tempfile.NamedTemporaryFile("w", dir=RESULTS, delete=False, suffix=".tmp") as fh:
        json.dump(result, fh, indent=2)
    os.replace(fh.name, path)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
