"""Interval calibration: coverage per horizon band and of reconciled hierarchies.

1. Random walks (60 series, h=14, 6 windows, naive forecasts): 95% coverage
   per step with pooled conformal quantiles (the old method) and per-step ones.
2. M city (48 stations, 6 districts, city) and Chicago (22 districts, areas,
   city), h=28, 12 windows (336 days, so that one node's coverage has a
   standard error of about 2 points), the global LightGBM model: base
   coverage per step band, and coverage by hierarchy level and step band of
   MinT-reconciled forecasts, each window reconciled with the errors of other
   windows, with intervals

   - ``shift``: base bounds shifted with the point forecast (oldest method);
   - ``paths``: quantiles of reconciled sample paths (previous method);
   - ``paths_widened``: the same with the windows' levels widened to a new
     window's (``widen_window_levels``; the current default),

   each calibrated in two designs: ``lowo4``, the windows in blocks of four
   (the notebooks' four windows), each calibrated on the other three of its
   block; and ``lowo_all``, each window calibrated on all eleven others.

    python benchmarks/forecast_intervals.py [--model lgbm] [--windows 12] [--panels m_city chicago]

Output: benchmarks/results/forecast_intervals.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def random_walks(n: int = 60, periods: int = 320, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2023-01-02", periods=periods)
    y = 500 + np.cumsum(rng.normal(0, 5, (n, periods)), axis=1)
    return pd.DataFrame(
        {
            "unique_id": np.repeat([f"W{i:02d}" for i in range(n)], periods),
            "ds": np.tile(ds, n),
            "y": y.ravel(),
        }
    )


def step_coverage() -> dict:
    import jingwu as jw

    d = random_walks()
    out = {}
    for how in ("pooled", "step"):
        bt = jw.forecast.backtest(d, h=14, n_windows=6, models=["naive"], level=(95,), conformal=how)
        cov = bt.metrics(["model", "step"]).query("model == 'naive'")["coverage_95"]
        out[how] = [round(float(v), 3) for v in cov]
    return out


def hierarchy(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Station table with districts and long station demand (``unique_id, ds, y``)."""
    import jingwu as jw

    if name == "m_city":
        city = jw.datasets.load_m_city()
        d = city.demand.groupby(["station_id", "date"], as_index=False)["count"].sum()
        st = city.stations
    else:
        chi = jw.datasets.load_chicago()
        d = chi.demand[chi.demand["date"] > chi.demand["date"].max() - pd.Timedelta(days=4 * 365)]
        d = d.groupby(["station_id", "date"], as_index=False)["count"].sum()
        st = chi.stations
    return st, d.rename(columns={"station_id": "unique_id", "date": "ds", "count": "y"})


def _coverage(r: pd.DataFrame) -> dict:
    """Coverage of 80% and 95% intervals by level, and by step band for the city."""
    cov = r.assign(
        coverage_80=(r["y"] >= r["lo_80"]) & (r["y"] <= r["hi_80"]),
        coverage_95=(r["y"] >= r["lo_95"]) & (r["y"] <= r["hi_95"]),
    )
    out = {
        lev: {k: round(float(v), 3) for k, v in row.items()}
        for lev, row in cov.groupby("level")[["coverage_80", "coverage_95"]].mean().iterrows()
    }
    city = cov[cov["level"] == "city"]
    out["city_by_band"] = {
        b: {k: round(float(v), 3) for k, v in row.items()}
        for b, row in city.groupby("band")[["coverage_80", "coverage_95"]].mean().iterrows()
    }
    out["city_days"] = int(len(city))
    return out


def hierarchy_coverage(name: str, model: str, n_jobs: int, windows: int) -> dict:
    import jingwu as jw
    from jingwu.forecast.conformal import band_labels

    st, d = hierarchy(name)
    S = jw.forecast.summing_matrix(st, ["district"], "station_id", total="city")
    nodes = jw.forecast.aggregate_hierarchy(d, S)
    level_of = {
        u: ("city" if u == "city" else "district" if u in set(st["district"].astype(str)) else "station")
        for u in S.index
    }
    t0, c0 = time.perf_counter(), time.process_time()
    bt = jw.forecast.backtest(
        nodes,
        h=28,
        n_windows=windows,
        models=[model],
        level=(80, 95),
        input_size=3 * 365,
        n_jobs=n_jobs,
        seed=0,
    )
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    bands = bt.metrics(["model", "band", "unique_id"])
    bands = bands[bands["model"] == model].assign(level=lambda t: t["unique_id"].map(level_of))
    res = {
        "series": len(S.index),
        "windows": windows,
        "backtest_seconds": round(secs, 1),
        "backtest_cpu_seconds": round(cpu, 1),
        "base_coverage_by_band": {
            lev: {
                b: {k: round(float(v), 3) for k, v in row.items()}
                for b, row in g.groupby("band")[["coverage_80", "coverage_95"]].mean().iterrows()
            }
            for lev, g in bands.groupby("level")
        },
    }
    base = bt.forecasts[bt.forecasts["model"] == model]
    cut = list(bt.cutoffs)
    designs = {
        "lowo4": lambda c: [x for x in cut[cut.index(c) // 4 * 4 : cut.index(c) // 4 * 4 + 4] if x != c],
        "lowo_all": lambda c: [x for x in cut if x != c],
    }
    methods = {
        "shift": ("shift", False),
        "paths": ("reconciled", False),
        "paths_widened": ("reconciled", True),
    }
    for dname, calib in designs.items():
        for mname, (how, widen) in methods.items():
            parts = []
            for c in cut:
                cur = base[base["cutoff"] == c]
                other = base[base["cutoff"].isin(calib(c))]
                resid = other.assign(resid=other["y"] - other["yhat"])[["unique_id", "cutoff", "ds", "resid"]]
                parts.append(
                    jw.forecast.reconcile(
                        cur, S, "mint_shrink", residuals=resid, intervals=how, widen_windows=widen
                    )
                )
            r = pd.concat(parts, ignore_index=True)
            r["level"] = r["unique_id"].map(level_of)
            r["band"] = band_labels(r.groupby(["unique_id", "cutoff"]).cumcount().to_numpy() + 1, 7, 28)
            res[f"mint_{mname}_{dname}"] = _coverage(r)
            print(name, dname, mname, json.dumps(res[f"mint_{mname}_{dname}"]), flush=True)
    return res


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=None, help="model to calibrate (default: the default forecaster)")
    p.add_argument("--n-jobs", type=int, default=1)
    p.add_argument("--windows", type=int, default=12)
    p.add_argument("--panels", nargs="*", default=["m_city", "chicago"])
    p.add_argument("--out", default=str(HERE / "results" / "forecast_intervals.json"))
    a = p.parse_args()
    import jingwu as jw

    model = a.model or [m for m in jw.forecast.DEFAULT_MODELS if m != "snaive"][0]
    payload = {
        "benchmark": "forecast interval calibration: per-step conformal and reconciled intervals",
        "machine": {
            "python": platform.python_version(),
            "platform": f"{platform.system()}-{platform.machine()}",
            "cpus": os.cpu_count(),
        },
        "load_average_at_start": round(os.getloadavg()[0], 2),
        "model": model,
        "random_walk_coverage_95_by_step": step_coverage(),
    }
    print("random walks:", payload["random_walk_coverage_95_by_step"], flush=True)
    path = Path(a.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    for name in a.panels:
        payload[name] = hierarchy_coverage(name, model, a.n_jobs, a.windows)
        tmp = path.with_suffix(".json.tmp")  # written after each panel, so a finished panel survives
        tmp.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
