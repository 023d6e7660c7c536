"""National scale: the default forecaster on 1,000 / 5,000 / 40,000 synthetic stations.

For each size, in a fresh process: a synthetic daily panel of 3 years
(``forecast_bench.make_series``: negative-binomial counts with weekly and
yearly seasonality, a Spring-Festival dip and trends), then

1. one 28-day backtest window of the default model set
   (:data:`jingwu.forecast.DEFAULT_MODELS`), in this process;
2. ``forecast()`` of the chosen model (calibrated by that window), in this
   process and on a local Dask cluster (2 worker processes, 1 thread each).

Reported: wall seconds, series per second, CPU seconds (user + system of the
process; the work is single-threaded, so on a busy shared machine this is the
better estimate of the wall time on an idle one), the peak resident memory
(the Dask workers' memory is not included), the machine's load average when
each size started (the machine is shared: timings are noisy), and MASE.

    python benchmarks/forecast_national.py [--sizes 1000 5000 40000] [--no-dask]

Output: benchmarks/results/forecast_national.json (sizes not re-run are kept).
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
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """CPU seconds of this process and its finished children: on a shared machine this,
    not the wall time, estimates the wall time on an idle one (the work is single-threaded)."""
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def worker(n: int, dask: bool) -> dict:
    sys.path.insert(0, str(HERE))
    import jingwu as jw
    from forecast_bench import make_series

    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    df = make_series(n)
    r: dict = {"series": n, "rows": len(df), "load_average_at_start": round(load, 2),
               "generate_seconds": round(time.perf_counter() - t0, 1)}
    models = list(jw.forecast.DEFAULT_MODELS)
    t0, c0 = time.perf_counter(), _cpu()
    bt = jw.forecast.backtest(df, h=28, n_windows=1, models=models, level=(80, 95), input_size=3 * 365)
    secs = time.perf_counter() - t0
    s = bt.summary().set_index("model")
    chosen = bt.best
    cpu = _cpu() - c0
    r["backtest"] = {"models": models, "seconds": round(secs, 1), "series_per_second": round(n / secs, 1),
                     "cpu_seconds": round(cpu, 1), "series_per_cpu_second": round(n / cpu, 1),
                     "peak_rss_mb": round(_rss_mb()), "chosen": chosen,
                     "mase": round(float(s.loc[chosen, "mase"]), 4),
                     "mase_vs_snaive": round(float(s.loc[chosen, "mase_vs_snaive"]), 4)}
    print(json.dumps(r["backtest"]), file=sys.stderr, flush=True)
    t0, c0 = time.perf_counter(), _cpu()
    local = jw.forecast.forecast(df, h=28, model=chosen, calibration=bt, input_size=3 * 365)
    secs = time.perf_counter() - t0
    cpu = _cpu() - c0
    r["forecast_local"] = {"seconds": round(secs, 1), "series_per_second": round(n / secs, 1),
                           "cpu_seconds": round(cpu, 1), "series_per_cpu_second": round(n / cpu, 1),
                           "peak_rss_mb": round(_rss_mb())}
    print(json.dumps(r["forecast_local"]), file=sys.stderr, flush=True)
    if dask:
        from dask.distributed import Client, LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                          memory_limit=0) as cluster, Client(cluster) as client:
            t0 = time.perf_counter()
            dist = jw.forecast.forecast(df, h=28, model=chosen, calibration=bt, input_size=3 * 365,
                                        engine=client)
            secs = time.perf_counter() - t0
        same = bool(((dist["yhat"] - local["yhat"]).abs().max() < 1e-9)
                    and (dist["hi_95"] - local["hi_95"]).abs().max() < 1e-9)
        r["forecast_dask"] = {"workers": 2, "seconds": round(secs, 1), "series_per_second": round(n / secs, 1),
                              "same_numbers_as_local": same}
        print(json.dumps(r["forecast_dask"]), file=sys.stderr, flush=True)
    return r


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", nargs="*", type=int, default=[1000, 5000, 40000])
    p.add_argument("--no-dask", action="store_true")
    p.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    p.add_argument("--timeout", type=int, default=3600, help="seconds per size")
    p.add_argument("--out", default=str(HERE / "results" / "forecast_national.json"))
    a = p.parse_args()
    if a.worker:
        print(json.dumps(worker(a.worker, not a.no_dask)))
        return 0
    path = Path(a.out)
    payload = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    payload.update({"benchmark": "national scale: default forecaster on synthetic daily stations (3 years, h=28)",
                    "machine": {"python": platform.python_version(),
                                "platform": f"{platform.system()}-{platform.machine()}", "cpus": os.cpu_count()}})
    payload.setdefault("sizes", {})
    for n in a.sizes:
        cmd = [sys.executable, __file__, "--worker", str(n)] + (["--no-dask"] if a.no_dask else [])
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=a.timeout)
        except subprocess.TimeoutExpired:
            payload["sizes"][str(n)] = {"series": n, "error": f"did not finish within {a.timeout} s"}
            print(f"{n}: timed out after {a.timeout} s", flush=True)
            continue
        if out.returncode != 0:
            payload["sizes"][str(n)] = {"series": n, "error": out.stderr.strip().splitlines()[-1][:300]}
            print(f"{n}: failed: {out.stderr[-2000:]}", flush=True)
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        payload["sizes"][str(n)] = r
        print(f"{n}: backtest {r['backtest']['seconds']} s ({r['backtest']['series_per_second']} series/s, "
              f"{r['backtest']['peak_rss_mb']} MB); forecast {r['forecast_local']['seconds']} s"
              + (f", on Dask {r['forecast_dask']['seconds']} s" if "forecast_dask" in r else ""), flush=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":  # the guard a LocalCluster with worker processes needs
    raise SystemExit(main())
