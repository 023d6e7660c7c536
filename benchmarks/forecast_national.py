"""National scale: the default forecaster on 1,000 / 5,000 / 40,000 synthetic stations.

For each size, in a fresh process: a synthetic daily panel of 3 years
(``forecast_bench.make_series``: negative-binomial counts with weekly and
yearly seasonality, a Spring-Festival dip and trends), then

0. aggregation, in its own process: the panel's counts become incident
   records (one row per incident: station, a random time of that day, a
   random category), and ``jingwu.aggregate.daily_demand`` turns them back
   into the zero-filled station × day × category table (checked to sum back
   to the panel).  Incident records for more than ``--agg-max`` stations do
   not fit this machine's memory (40,000 stations ≈ 1.3 billion incidents),
   so larger sizes aggregate a share of that many stations and report the
   share; time and memory grow linearly in incidents (one DuckDB GROUP BY);
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
        [--stages aggregate forecast] [--agg-max 5000] [--timeout 1500]

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


def make_incidents(n: int) -> tuple:
    """Incident records whose daily counts are the synthetic panel of ``n`` stations."""
    import numpy as np
    import pandas as pd

    from forecast_bench import make_series
    from jingwu.schema import CATEGORIES

    panel = make_series(n)
    days = pd.date_range("2022-01-01", "2024-12-31", freq="D")
    y = panel["y"].to_numpy().reshape(n, len(days))
    total = int(y.sum())
    rng = np.random.default_rng(1)
    station = np.repeat(np.repeat(np.arange(n, dtype=np.int32), len(days)), y.ravel())
    day = np.repeat(np.tile(np.arange(len(days), dtype=np.int32), n), y.ravel())
    at = days.values[day] + rng.integers(0, 86_400, total).astype("timedelta64[s]")
    del day
    ids = pd.Index([f"S{i:05d}" for i in range(n)])
    inc = pd.DataFrame(
        {
            "station_id": pd.Categorical.from_codes(station, categories=ids),
            "reported_at": at.astype("datetime64[ns]"),
            "category": pd.Categorical.from_codes(
                rng.integers(0, len(CATEGORIES), total).astype(np.int8), categories=list(CATEGORIES)
            ),
        }
    )
    return inc, y


def aggregate_worker(n: int, agg_max: int) -> dict:
    sys.path.insert(0, str(HERE))
    import jingwu as jw

    load = os.getloadavg()
    share = min(n, agg_max)
    t0 = time.perf_counter()
    inc, y = make_incidents(share)
    r: dict = {
        "series": n,
        "stations_aggregated": share,
        "share": round(share / n, 4),
        "incidents": len(inc),
        "frame_mb": round(inc.memory_usage(deep=True).sum() / 2**20),
        "load_average_at_start": [round(x, 2) for x in load],
        "generate_seconds": round(time.perf_counter() - t0, 1),
    }
    rss0 = _rss_mb()
    t0, c0 = time.perf_counter(), _cpu()
    demand = jw.aggregate.daily_demand(inc)
    secs, cpu = time.perf_counter() - t0, _cpu() - c0
    back = demand.groupby("station_id", sort=True)["count"].sum().to_numpy()
    r.update(
        {
            "seconds": round(secs, 1),
            "cpu_seconds": round(cpu, 1),
            "incidents_per_second": round(len(inc) / secs),
            "demand_rows": len(demand),
            "peak_rss_mb": round(_rss_mb()),
            "rss_before_mb": round(rss0),
            "sums_back_to_panel": bool((back == y.sum(axis=1)).all()),
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        }
    )
    if share < n:
        f = n / share
        r["extrapolated_to_all_stations"] = {
            "seconds": round(secs * f),
            "cpu_seconds": round(cpu * f),
            "incidents": round(len(inc) * f),
            "rule": "linear in incidents",
        }
    return r


def worker(n: int, dask: bool) -> dict:
    sys.path.insert(0, str(HERE))
    import jingwu as jw
    from forecast_bench import make_series

    load = os.getloadavg()
    t0 = time.perf_counter()
    df = make_series(n)
    r: dict = {
        "series": n,
        "rows": len(df),
        "load_average_at_start": [round(x, 2) for x in load],
        "generate_seconds": round(time.perf_counter() - t0, 1),
    }
    models = list(jw.forecast.DEFAULT_MODELS)
    t0, c0 = time.perf_counter(), _cpu()
    bt = jw.forecast.backtest(df, h=28, n_windows=1, models=models, level=(80, 95), input_size=3 * 365)
    secs = time.perf_counter() - t0
    s = bt.summary().set_index("model")
    chosen = bt.best
    cpu = _cpu() - c0
    r["backtest"] = {
        "models": models,
        "seconds": round(secs, 1),
        "series_per_second": round(n / secs, 1),
        "cpu_seconds": round(cpu, 1),
        "series_per_cpu_second": round(n / cpu, 1),
        "peak_rss_mb": round(_rss_mb()),
        "chosen": chosen,
        "mase": round(float(s.loc[chosen, "mase"]), 4),
        "mase_vs_snaive": round(float(s.loc[chosen, "mase_vs_snaive"]), 4),
    }
    print("STAGE " + json.dumps({"backtest": r["backtest"]}), file=sys.stderr, flush=True)
    t0, c0 = time.perf_counter(), _cpu()
    local = jw.forecast.forecast(df, h=28, model=chosen, calibration=bt, input_size=3 * 365)
    secs = time.perf_counter() - t0
    cpu = _cpu() - c0
    r["forecast_local"] = {
        "seconds": round(secs, 1),
        "series_per_second": round(n / secs, 1),
        "cpu_seconds": round(cpu, 1),
        "series_per_cpu_second": round(n / cpu, 1),
        "peak_rss_mb": round(_rss_mb()),
    }
    print("STAGE " + json.dumps({"forecast_local": r["forecast_local"]}), file=sys.stderr, flush=True)
    if dask:
        from dask.distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, memory_limit=0
            ) as cluster,
            Client(cluster) as client,
        ):
            t0 = time.perf_counter()
            dist = jw.forecast.forecast(
                df, h=28, model=chosen, calibration=bt, input_size=3 * 365, engine=client
            )
            secs = time.perf_counter() - t0
        same = bool(
            ((dist["yhat"] - local["yhat"]).abs().max() < 1e-9)
            and (dist["hi_95"] - local["hi_95"]).abs().max() < 1e-9
        )
        r["forecast_dask"] = {
            "workers": 2,
            "seconds": round(secs, 1),
            "series_per_second": round(n / secs, 1),
            "same_numbers_as_local": same,
        }
        print("STAGE " + json.dumps({"forecast_dask": r["forecast_dask"]}), file=sys.stderr, flush=True)
    r["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return r


def _run_stage(n: int, stage: str, a: argparse.Namespace) -> dict:
    """One size and stage in a fresh process (its own session, so a timeout also ends the
    Dask workers); on a timeout the stages that finished are kept."""
    import signal

    cmd = [sys.executable, __file__, "--worker", str(n), "--stage", stage, "--agg-max", str(a.agg_max)]
    cmd += ["--no-dask"] if a.no_dask else []
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    load = [round(x, 2) for x in os.getloadavg()]
    try:
        out, err = proc.communicate(timeout=a.timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        r: dict = {
            "series": n,
            "load_average_at_start": load,
            "error": f"did not finish within {a.timeout} s (stopped)",
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        }
        for line in err.splitlines():
            if line.startswith("STAGE "):
                r.update(json.loads(line[6:]))
        return r
    if proc.returncode != 0:
        return {"series": n, "error": (err.strip().splitlines() or ["?"])[-1][:300]}
    return json.loads(out.strip().splitlines()[-1])


def growth(payload: dict, target: int = 40_000) -> dict:
    """Fit ``seconds = a * stations ** b`` (least squares on logs) per measured quantity over the
    sizes that finished, and extrapolate to ``target`` stations.  Two sizes give the exponent
    exactly; it is a local slope, not a law."""
    import math

    series = {
        "aggregate_seconds": [
            (int(k), v.get("seconds"), v.get("stations_aggregated"))
            for k, v in payload.get("aggregate", {}).items()
        ],
        "aggregate_cpu_seconds": [
            (int(k), v.get("cpu_seconds"), v.get("stations_aggregated"))
            for k, v in payload.get("aggregate", {}).items()
        ],
        "aggregate_peak_extra_mb": [
            (
                int(k),
                (v.get("peak_rss_mb") or 0) - (v.get("rss_before_mb") or 0) or None,
                v.get("stations_aggregated"),
            )
            for k, v in payload.get("aggregate", {}).items()
        ],
    }
    sizes = payload.get("sizes", {})
    # forecast() refits the model the backtest chose: compare sizes with the same choice only
    last = max(sizes, key=int, default=None)
    chosen = sizes[last].get("backtest", {}).get("chosen") if last else None
    for stage in ("backtest", "forecast_local", "forecast_dask"):
        for key in ("seconds", "cpu_seconds", "peak_rss_mb"):
            series[f"{stage}_{key}"] = [
                (int(k), v.get(stage, {}).get(key), int(k))
                for k, v in sizes.items()
                if stage == "backtest" or v.get("backtest", {}).get("chosen") == chosen
            ]
    out: dict = {}
    for name, pts in series.items():
        # a share is placed at its own size (it measured that many stations)
        pts = sorted({m: y for _, y, m in pts if y and m}.items())
        if len(pts) < 2:
            continue
        xs, ys = [math.log(x) for x, _ in pts], [math.log(y) for _, y in pts]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
        slopes = [round((ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]), 3) for i in range(len(xs) - 1)]
        out[name] = {
            "stations": [x for x, _ in pts],
            "values": [y for _, y in pts],
            "exponent": round(b, 3),
            "local_exponents": slopes,
        }
        if name.startswith("forecast"):
            out[name]["chosen_model"] = chosen
        if max(x for x, _ in pts) < target:
            # the last local slope, not the overall fit: growth steepens as fixed costs fade
            x1, y1 = pts[-1]
            out[name][f"extrapolated_to_{target}"] = round(y1 * (target / x1) ** slopes[-1], 1)
            out[name]["extrapolation_rule"] = "last local exponent from the largest measured size"
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", nargs="*", type=int, default=[1000, 5000, 40000])
    p.add_argument("--no-dask", action="store_true")
    p.add_argument(
        "--stages", nargs="*", default=["aggregate", "forecast"], choices=["aggregate", "forecast"]
    )
    p.add_argument(
        "--agg-max",
        type=int,
        default=5000,
        help="most stations whose incident records are built and aggregated",
    )
    p.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    p.add_argument("--stage", help=argparse.SUPPRESS)
    p.add_argument("--timeout", type=int, default=1500, help="seconds per size and stage")
    p.add_argument("--out", default=str(HERE / "results" / "forecast_national.json"))
    a = p.parse_args()
    if a.worker:
        r = (
            aggregate_worker(a.worker, a.agg_max)
            if a.stage == "aggregate"
            else worker(a.worker, not a.no_dask)
        )
        print(json.dumps(r))
        return 0
    path = Path(a.out)
    payload = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    payload.update(
        {
            "benchmark": "national scale: default forecaster on synthetic daily stations (3 years, h=28)",
            "machine": {
                "python": platform.python_version(),
                "platform": f"{platform.system()}-{platform.machine()}",
                "cpus": os.cpu_count(),
            },
        }
    )
    payload.setdefault("sizes", {})
    payload.setdefault("aggregate", {})
    payload["note"] = (
        "2-core machine shared with other jobs; runs under nice -n 10, one at a time; "
        "load averages recorded per size: wall times are upper bounds, CPU seconds "
        "estimate an idle machine"
    )
    for n in a.sizes:
        for stage in a.stages:
            r = _run_stage(n, stage, a)
            payload["aggregate" if stage == "aggregate" else "sizes"][str(n)] = r
            print(f"{n} {stage}: {json.dumps(r)[:400]}", flush=True)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".json.tmp")
            tmp.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
            tmp.replace(path)
    payload["growth"] = growth(payload)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    print(json.dumps(payload["growth"], indent=1))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":  # the guard a LocalCluster with worker processes needs
    raise SystemExit(main())
