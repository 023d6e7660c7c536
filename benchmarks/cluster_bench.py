"""Time and peak memory of the workload clustering at national scale.

Synthetic daily demand, 3 years (2021–2023), station ids as text (as
``aggregate.daily_demand`` returns them), generated in memory:

* ``workload_features`` for 5,000 stations × 7 categories (38 million rows)
  and 40,000 stations with daily totals only (one category, 44 million rows;
  the 7-category table for 40,000 stations, 307 million rows, does not fit
  a pandas frame on this machine);
* ``select_k`` with Ward for 2,000 stations (the gap statistic's trees);
* ``fit`` (k-means, k = 5) for the 40,000 stations;
* ``select_k`` with k-means only for 5,000 stations × 7 categories and for
  the 40,000 stations (Ward's tree and distance matrix are quadratic in
  stations: 6.4 GB of distances at 40,000).  Above 5,000 stations the
  silhouette is averaged over a seeded sample of 5,000
  (``select_k(sample_size=)``); ``silhouette_n`` records how many.

Each size runs in a fresh process.  ``seconds`` is an untraced run;
``peak_mb`` is the largest extra memory allocated during a second, traced call
(``tracemalloc``, which NumPy and pandas report to);
``input_mb`` the demand frame itself; ``rss_mb`` the whole process's peak
resident memory (input included).  The load average shows how busy the shared
machine was.

    python benchmarks/cluster_bench.py [--out benchmarks/results/cluster.json]

Output: benchmarks/results/cluster.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
CATS = ["criminal", "public_order", "traffic", "dispute", "assistance", "fraud", "other"]
CASES = {
    "features_5000x7": dict(stations=5_000, categories=7),
    "features_40000x1": dict(stations=40_000, categories=1),
    "select_k_ward_2000": dict(stations=2_000, categories=7),
    "fit_kmeans_40000": dict(stations=40_000, categories=1),
    "select_k_kmeans_5000": dict(stations=5_000, categories=7),
    "select_k_kmeans_40000": dict(stations=40_000, categories=1),
}


def make_demand(stations: int, categories: int, seed: int = 0) -> pd.DataFrame:
    """Poisson counts with a station level, a weekly and a yearly cycle; ``category`` is categorical."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2021-01-01", "2023-12-31")
    cats = CATS[:categories] if categories > 1 else ["all"]
    level = rng.lognormal(np.log(30), 0.5, stations)
    shape = (
        1
        + 0.15 * np.cos(2 * np.pi * days.dayofyear.to_numpy() / 365.25)
        + 0.1 * (days.dayofweek.to_numpy() >= 5)
    )
    mix = rng.dirichlet(np.full(len(cats), 4.0), stations)
    ids = np.array([f"S{i:05d}" for i in range(stations)], dtype=object)
    n = stations * len(days) * len(cats)
    lam = (level[:, None, None] * shape[None, :, None] * mix[:, None, :]).reshape(-1)
    return pd.DataFrame(
        {
            "station_id": np.repeat(ids, len(days) * len(cats)),
            "date": np.tile(np.repeat(days.to_numpy(), len(cats)), stations),
            "category": pd.Categorical.from_codes(
                np.tile(np.arange(len(cats), dtype=np.int8), n // len(cats)), categories=cats
            ),
            "count": rng.poisson(lam).astype(np.int64),
        }
    )


def traced(fn):
    tracemalloc.start()
    t0 = time.perf_counter()
    out = fn()
    sec = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return out, round(sec, 2), round(peak / 2**20, 1)


def run_case(name: str) -> dict:
    import jingwu as jw
    import jingwu.cluster as cl

    spec = CASES[name]
    demand = make_demand(**spec)
    result = {
        "case": name,
        **spec,
        "rows": len(demand),
        "input_mb": round(demand.memory_usage(deep=False).sum() / 2**20, 1),
    }
    if name.startswith("features"):
        t0 = time.perf_counter()
        cl.workload_features(demand)
        result["seconds"] = round(time.perf_counter() - t0, 2)
        # a second, traced run for the memory (tracing slows pandas down, so it is not timed)
        _, result["seconds_traced"], result["peak_mb"] = traced(lambda: cl.workload_features(demand))
    else:
        features = cl.workload_features(demand)
        del demand
        if name.startswith("select_k"):
            t0, c0 = time.perf_counter(), time.process_time()
            sel = cl.select_k(
                features, range(2, 8), methods=("kmeans",) if "kmeans" in name else ("ward",), n_ref=10
            )
            result["seconds"] = round(time.perf_counter() - t0, 2)
            result["cpu_seconds"] = round(time.process_time() - c0, 2)
            result["silhouette_n"] = int(sel["silhouette_n"].iloc[0])
            result["k_chosen"] = int(cl.choose_k(sel))
        else:
            t0 = time.perf_counter()
            res = cl.fit(features, 5)
            result["seconds"] = round(time.perf_counter() - t0, 2)
            result["cluster_sizes"] = res.labels.value_counts().sort_index().tolist()
    result["rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result["jingwu"] = str(Path(jw.__file__).parent)
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(HERE / "results" / "cluster.json"))
    ap.add_argument("--only", nargs="*", help="case names")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_case(args.child)))
        return
    old = json.loads(Path(args.out).read_text()).get("cases", []) if Path(args.out).is_file() else []
    rows = [r for r in old if r.get("case") not in set(args.only or CASES)]  # cases not re-run are kept
    for name in args.only or CASES:
        load = os.getloadavg()[0]
        out = subprocess.run([sys.executable, __file__, "--child", name], capture_output=True, text=True)
        if out.returncode:
            rows.append({"case": name, "error": out.stderr.strip().splitlines()[-1]})
        else:
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        rows[-1]["load_average_1min_before"] = round(load, 2)
        rows[-1]["load_average_1min_after"] = round(os.getloadavg()[0], 2)
        rows[-1].pop("jingwu", None)
        print(json.dumps(rows[-1]), flush=True)
        _write(args.out, rows)  # after every case, so a run stopped by its time budget keeps what finished


def _write(out: str, rows: list[dict]) -> None:
    result = {
        "cases": rows,
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "conditions": "shared 2-core machine with other jobs running (see the load averages)",
    }
    Path(out).parent.mkdir(exist_ok=True)
    Path(out).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
