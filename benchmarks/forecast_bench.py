"""Throughput and peak memory of a forecasting backtest on N daily series of 3 years.

Each model (and the default model set and the full zoo, each reported by the
model its backtest chooses) runs in a fresh process: ``jingwu.forecast.backtest`` with h=28 on ``--series`` synthetic
negative-binomial daily series (weekly and yearly seasonality, Spring-Festival
dip, 3 years), ``--windows`` rolling windows.  Reported: wall seconds, series
per second (series × windows / seconds) and the process's peak resident memory.

    python benchmarks/forecast_bench.py [--series 1000] [--windows 1] [--n-jobs 2]

Output: benchmarks/results/forecast.json
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
MODELS = ["snaive", "ets", "theta", "mstl", "gbm", "lgbm", "default", "zoo"]


def make_series(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` daily count series, 2022-01-01 .. 2024-12-31, long ``unique_id, ds, y``."""
    from jingwu.calendar import holiday_features

    rng = np.random.default_rng(seed)
    ds = pd.date_range("2022-01-01", "2024-12-31", freq="D")
    cal = holiday_features(ds)
    t = np.arange(len(ds))
    level = rng.lognormal(np.log(25), 0.6, n)[:, None]
    weekly = 1 + rng.uniform(0.05, 0.3, n)[:, None] * (cal["dow"].to_numpy() >= 5)
    yearly = 1 + rng.uniform(0.05, 0.2, n)[:, None] * np.sin(
        2 * np.pi * (t - rng.integers(0, 365, n)[:, None]) / 365.25
    )
    sf = 1 - rng.uniform(0, 0.4, n)[:, None] * cal["sf_window"].to_numpy()
    trend = 1 + rng.normal(0, 0.1, n)[:, None] * t / len(t)
    mu = level * weekly * yearly * sf * trend
    y = rng.negative_binomial(10, 10 / (10 + mu))
    return pd.DataFrame(
        {
            "unique_id": np.repeat([f"S{i:05d}" for i in range(n)], len(ds)),
            "ds": np.tile(ds, n),
            "y": y.ravel(),
        }
    )


def worker(model: str, n: int, windows: int, n_jobs: int) -> dict:
    import jingwu as jw

    df = make_series(n)
    models = {"default": list(jw.forecast.DEFAULT_MODELS), "zoo": list(jw.forecast.ZOO_MODELS)}.get(
        model, [model]
    )
    t0 = time.perf_counter()
    c0 = sum(
        resource.getrusage(w)[0] + resource.getrusage(w)[1]
        for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    bt = jw.forecast.backtest(df, h=28, n_windows=windows, models=models, n_jobs=n_jobs, input_size=3 * 365)
    secs = time.perf_counter() - t0
    cpu = (
        sum(
            resource.getrusage(w)[0] + resource.getrusage(w)[1]
            for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        )
        - c0
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    s = bt.summary().set_index("model")
    name = bt.best if model in ("default", "zoo") else model
    return {
        "model": model,
        "chosen": name,
        "load_average": round(__import__("os").getloadavg()[0], 2),
        "series": n,
        "windows": windows,
        "seconds": round(secs, 2),
        "series_per_second": round(n * windows / secs, 3),
        "cpu_seconds": round(cpu, 2),
        "peak_rss_mb": round(peak_mb, 1),
        "mase": round(float(s.loc[name, "mase"]), 4),
        # with one window the conformal intervals are calibrated in-window: not a coverage test
        "coverage_95": round(float(s.loc[name, "coverage_95"]), 4) if windows > 1 else None,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--series", type=int, default=1000)
    p.add_argument("--windows", type=int, default=1)
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--models", nargs="*", default=MODELS, help=f"subset of {MODELS}")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--out", default=str(HERE / "results" / "forecast.json"))
    a = p.parse_args()
    if a.worker:
        print(json.dumps(worker(a.worker, a.series, a.windows, a.n_jobs)))
        return 0
    results = []
    for m in a.models:
        if m not in MODELS:
            p.error(f"unknown model {m!r}; choose from {MODELS}")
        cmd = [
            sys.executable,
            __file__,
            "--worker",
            m,
            "--series",
            str(a.series),
            "--windows",
            str(a.windows),
            "--n-jobs",
            str(a.n_jobs),
        ]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{m:>8}: {r['seconds']:8.1f} s  {r['series_per_second']:8.2f} series/s  "
            f"{r['peak_rss_mb']:7.0f} MB  MASE {r['mase']:.3f}",
            flush=True,
        )
        results.append(r)
    payload = {
        "benchmark": "forecast backtest, daily series of 3 years, h=28",
        "machine": {
            "python": platform.python_version(),
            "platform": f"{platform.system()}-{platform.machine()}",
            "cpus": __import__("os").cpu_count(),
        },
        "params": {"series": a.series, "windows": a.windows, "n_jobs": a.n_jobs},
        "results": results,
    }
    path = Path(a.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
