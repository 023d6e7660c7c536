"""Evidence for the default forecaster: accuracy of every model on three panels, and speed.

For each panel, one rolling-origin backtest (h=28, last three years of training
data per window) runs the whole model zoo plus the LightGBM global model; mean
combinations of the global models are formed from the same backtest forecasts.
Reported per model: MASE, MASE relative to seasonal naive, MASE relative to the
best model of the full zoo (the goal: the default within 1% of it, and at least
25% below seasonal naive), and 95% coverage per step band.

Panels:

- ``m_city``: the 48 M-city stations (daily totals), 4 windows;
- ``chicago``: the 22 Chicago police districts (daily crimes), 4 windows;
- ``synthetic``: 1,000 synthetic negative-binomial daily series of 3 years
  (the generator of ``forecast_bench.py``), 1 window (the zoo is slow: ~20 min).

Throughput (``--throughput``): one backtest window (h=28, three years of
training data) of 1,000 synthetic series with the default set and with
seasonal naive plus LightGBM alone, wall and CPU seconds (the CPU time is
the better estimate of an idle machine's wall time when the machine is
shared: the global models run on one thread); it also gives the MASE of the
global models on that panel (``synthetic_global``).

    python benchmarks/forecast_default.py [--panels m_city chicago synthetic] [--n-jobs 2]
    python benchmarks/forecast_default.py --panels --throughput

Output: benchmarks/results/forecast_default.json (panels not re-run are kept).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ZOO = ["snaive", "ets", "mstl", "theta", "gbm", "ensemble"]
EXTRA = ["lgbm"]
COMBOS = {"mean(gbm,lgbm)": ["gbm", "lgbm"], "mean(ets,theta,lgbm)": ["ets", "theta", "lgbm"]}


def load_panel(name: str, n_series: int = 1000) -> tuple[pd.DataFrame, int]:
    """Long ``unique_id, ds, y`` data and the number of backtest windows."""
    import jingwu as jw

    if name == "m_city":
        d = jw.datasets.load_m_city().demand
        d = d.groupby(["station_id", "date"], as_index=False)["count"].sum()
        windows = 4
    elif name == "chicago":
        d = jw.datasets.load_chicago().demand
        d = d[d["date"] >= d["date"].max() - pd.Timedelta(days=4 * 365)]
        d = d.groupby(["station_id", "date"], as_index=False)["count"].sum()
        windows = 4
    elif name == "synthetic":
        from forecast_bench import make_series

        return make_series(n_series), 1
    else:
        raise ValueError(f"unknown panel {name!r}")
    return d.rename(columns={"station_id": "unique_id", "date": "ds", "count": "y"}), windows


def run_panel(name: str, n_jobs: int) -> dict:
    import jingwu as jw

    df, windows = load_panel(name)
    t0 = time.perf_counter()
    bt = jw.forecast.backtest(
        df,
        h=28,
        n_windows=windows,
        models=ZOO + EXTRA,
        level=(80, 95),
        input_size=3 * 365,
        n_jobs=n_jobs,
        seed=0,
    )
    secs = time.perf_counter() - t0
    f = bt.forecasts
    wide = f.pivot_table(index=["unique_id", "cutoff", "ds"], columns="model", values="yhat")
    extra = []
    for label, members in COMBOS.items():
        part = f[f["model"] == "snaive"].copy()
        part["model"] = label
        part["yhat"] = part.set_index(["unique_id", "cutoff", "ds"]).index.map(wide[members].mean(axis=1))
        extra.append(part)
    combo = jw.forecast.BacktestResult(
        forecasts=pd.concat([f, *extra], ignore_index=True),
        scales=bt.scales,
        cutoffs=bt.cutoffs,
        h=bt.h,
        levels=bt.levels,
        info=bt.info,
        models=bt.models + list(COMBOS),
    )
    s = combo.metrics("model").set_index("model")
    naive = float(s.loc["snaive", "mase"])
    best_zoo = float(s.loc[[m for m in ZOO if m != "snaive"], "mase"].min())
    bands = bt.coverage_by_band() if hasattr(bt, "coverage_by_band") else None
    models = {}
    for m in s.index:
        row = {
            "mase": round(float(s.loc[m, "mase"]), 4),
            "mase_vs_snaive": round(float(s.loc[m, "mase"]) / naive, 4),
            "mase_vs_best_zoo": round(float(s.loc[m, "mase"]) / best_zoo, 4),
        }
        if m in bt.models:
            row["coverage_95"] = round(float(s.loc[m, "coverage_95"]), 4)
            if bands is not None:
                b = bands[bands["model"] == m]
                row["coverage_95_by_band"] = {
                    str(k): round(float(v), 4) for k, v in zip(b["band"], b["coverage_95"])
                }
        models[m] = row
    return {
        "series": int(df["unique_id"].nunique()),
        "windows": windows,
        "seconds_all_models": round(secs, 1),
        "best_zoo_model": str(s.loc[[m for m in ZOO if m != "snaive"], "mase"].idxmin()),
        "best_zoo_mase": round(best_zoo, 4),
        "models": models,
    }


def throughput(n_series: int = 1000) -> dict:
    """Series per second of one 3-year backtest window: the default set (seasonal naive, LightGBM)
    and the former default (adding the scikit-learn booster and the mean of both)."""
    import jingwu as jw
    from forecast_bench import make_series

    df = make_series(n_series)
    out = {"series": n_series, "h": 28, "windows": 1, "input_size": 3 * 365}
    sets = (
        ("snaive+lgbm", list(jw.forecast.DEFAULT_MODELS)),
        ("snaive+lgbm+gbm+mean", ["snaive", "lgbm", "gbm", "ensemble"]),
    )
    for label, models in sets:
        load = os.getloadavg()[0]
        t0, c0 = time.perf_counter(), time.process_time()
        bt = jw.forecast.backtest(
            df, h=28, n_windows=1, models=models, level=(80, 95), input_size=3 * 365, seed=0, progress=False
        )
        secs, cpu = time.perf_counter() - t0, time.process_time() - c0
        s = bt.metrics("model").set_index("model")
        naive = float(s.loc["snaive", "mase"])
        out[label] = {
            "models": models,
            "seconds": round(secs, 1),
            "cpu_seconds": round(cpu, 1),
            "series_per_second": round(n_series / secs, 1),
            "series_per_cpu_second": round(n_series / cpu, 1),
            "load_average_at_start": round(load, 2),
            "mase": {m: round(float(s.loc[m, "mase"]), 4) for m in s.index},
            "mase_vs_snaive": {m: round(float(s.loc[m, "mase"]) / naive, 4) for m in s.index},
        }
        print(label, json.dumps(out[label]), flush=True)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--panels", nargs="*", default=["m_city", "chicago", "synthetic"])
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument(
        "--throughput", action="store_true", help="time one 1,000-series window (default set, snaive+lgbm)"
    )
    p.add_argument("--out", default=str(HERE / "results" / "forecast_default.json"))
    a = p.parse_args()
    path = Path(a.out)
    payload = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    payload.update(
        {
            "benchmark": "default forecaster: backtest accuracy of the zoo and the global models, h=28",
            "machine": {
                "python": platform.python_version(),
                "platform": f"{platform.system()}-{platform.machine()}",
                "cpus": os.cpu_count(),
            },
        }
    )
    payload.setdefault("panels", {})
    for name in a.panels:
        load = os.getloadavg()[0]
        r = run_panel(name, a.n_jobs)
        r["load_average_at_start"] = round(load, 2)
        payload["panels"][name] = r
        print(
            f"{name}: best zoo {r['best_zoo_model']} {r['best_zoo_mase']:.4f}; "
            + ", ".join(f"{m} {v['mase_vs_best_zoo']:.3f}" for m, v in r["models"].items()),
            flush=True,
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)
    if a.throughput:
        payload["throughput_1000_series"] = throughput()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(HERE))
    raise SystemExit(main())
