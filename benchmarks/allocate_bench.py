"""Time and peak memory of ``allocate.reallocate`` at national scale.

A synthetic country of ``--stations`` stations (default 40,000): officers
needed drawn log-normally around 20 per station, today's officers a noisy
version of that need, at least 5 per station.  ``reallocate`` redistributes
today's total (``max_load``, the notebooks' objective, and ``unmet``).  With
``--reference`` the officer-by-officer argmax it replaced is timed on the same
data and the allocations are compared (they must be identical).

    python benchmarks/allocate_bench.py [--stations 40000] [--reference]

Output: benchmarks/results/allocate.json (best of three runs; peak memory from
``tracemalloc``: the largest extra memory allocated during one call; the load average shows
how busy the shared machine was).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def make_country(stations: int, seed: int = 0) -> tuple[pd.Series, pd.Series]:
    rng = np.random.default_rng(seed)
    ids = pd.Index([f"S{i:05d}" for i in range(stations)], name="station_id")
    need = pd.Series(rng.lognormal(np.log(20), 0.6, stations), index=ids)
    current = np.maximum(5, np.round(need * rng.lognormal(0, 0.35, stations))).astype(int)
    return need, pd.Series(current, index=ids)


def one_by_one(need: np.ndarray, total: int, minimum: np.ndarray) -> np.ndarray:
    """The previous algorithm: an argmax over all stations for every officer (max_load)."""
    x = minimum.astype(int).copy()
    with np.errstate(divide="ignore"):
        gains = np.where(x > 0, need / np.maximum(x, 1), np.where(need > 0, math.inf, 0.0))
    for _ in range(int(total - x.sum())):
        i = int(np.argmax(gains))
        x[i] += 1
        gains[i] = need[i] / x[i]
    return x


def measure(fn, repeat: int = 3) -> tuple[object, float, float]:
    """Result, best wall time of ``repeat`` runs, and peak extra memory (a separate traced run)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return out, round(min(times), 3), round(peak / 2**20, 1)


def main() -> None:
    import jingwu as jw
    import jingwu.allocate  # noqa: F401  (imported before timing: the first use loads SciPy)

    ap = argparse.ArgumentParser()
    ap.add_argument("--stations", type=int, default=40_000)
    ap.add_argument("--reference", action="store_true", help="also time the officer-by-officer argmax")
    args = ap.parse_args()
    need, current = make_country(args.stations)
    total = int(current.sum())
    result: dict[str, object] = {
        "stations": args.stations,
        "officers": total,
        "officers_to_place": total - 5 * args.stations,
    }
    for objective in ("max_load", "unmet"):
        alloc, sec, mb = measure(
            lambda objective=objective: jw.allocate.reallocate_need(
                need, current=current, minimum=5, objective=objective
            )
        )
        result[f"{objective}_seconds"] = sec
        result[f"{objective}_peak_mb"] = mb
        if objective == "max_load":
            fast = alloc
    if args.reference:
        # no tracemalloc here: it slows the Python loop down
        t0 = time.perf_counter()
        ref = one_by_one(need.to_numpy(), total, np.full(args.stations, 5))
        result["one_by_one_seconds"] = round(time.perf_counter() - t0, 2)
        result["identical_to_one_by_one"] = bool(np.array_equal(ref, fast.to_numpy()))
    result |= {
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "conditions": "shared 2-core machine; other jobs were running (see load average)",
    }
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "allocate.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
