"""Time and peak memory of aggregating 10 million incident records.

Writes a synthetic incident file (Parquet, canonical headers) once, then runs
``jingwu.aggregate.daily_demand`` and ``monthly_panel`` on it in a fresh
process and records wall time and the process's peak resident memory.

    python benchmarks/aggregate_bench.py [--rows 10000000] [--compare]

With ``--compare`` each step runs in its own process (peak resident memory
is that process's own) on an incidents frame read from the file, side by
side with the bare DuckDB ``GROUP BY`` that ``monthly_panel`` and
``daily_demand`` run after checking the frame: the price of the checks and
of shaping the result.  The machine's load average is recorded (it may be
shared).

Output: benchmarks/results/aggregate.json
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
CATS = ["criminal", "public_order", "traffic", "dispute", "assistance", "fraud", "other"]


def make_file(path: Path, rows: int, stations: int, seed: int = 0) -> None:
    """Write ``rows`` synthetic incidents in chunks (``stations`` stations, 2020–2024)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    start = np.datetime64("2020-01-01T00:00:00")
    span = int((np.datetime64("2025-01-01") - np.datetime64("2020-01-01")) / np.timedelta64(1, "s"))
    writer = None
    chunk = 1_000_000
    for lo in range(0, rows, chunk):
        n = min(chunk, rows - lo)
        df = pd.DataFrame(
            {
                "incident_id": np.char.add("J", np.arange(lo, lo + n).astype(str)),
                "station_id": np.char.add("S", rng.integers(0, stations, n).astype(str)),
                "reported_at": start + rng.integers(0, span, n).astype("timedelta64[s]"),
                "category": np.array(CATS)[rng.integers(0, len(CATS), n)],
                "response_minutes": rng.gamma(4, 2.5, n).round(1),
                "is_case": rng.random(n) < 0.15,
                "cleared": rng.random(n) < 0.06,
            }
        )
        table = pa.Table.from_pandas(df, preserve_index=False)
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    writer.close()


def run_child(path: str) -> None:
    import jingwu as jw

    t0 = time.perf_counter()
    daily = jw.aggregate.daily_demand(path, fill_zeros=False)
    t1 = time.perf_counter()
    panel = jw.aggregate.monthly_panel(incidents=path)
    t2 = time.perf_counter()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "daily_seconds": round(t1 - t0, 2),
                "monthly_seconds": round(t2 - t1, 2),
                "daily_rows": len(daily),
                "panel_rows": len(panel),
                "peak_rss_mb": round(peak_kb / 1024, 1),
            }
        )
    )


_DUCKDB_MONTHLY = """
    SELECT CAST(station_id AS VARCHAR) AS station_id,
           CAST(date_trunc('month', CAST(reported_at AS TIMESTAMP)) AS DATE) AS month,
           COUNT(*) AS incidents, SUM(CASE WHEN is_case THEN 1 ELSE 0 END) AS cases,
           SUM(CASE WHEN is_case AND cleared THEN 1 ELSE 0 END) AS cleared,
           AVG(response_minutes) AS response_minutes
    FROM src GROUP BY ALL"""
_DUCKDB_DAILY = """
    SELECT station_id, CAST(reported_at AS DATE) AS date, category, COUNT(*) AS count
    FROM src GROUP BY ALL"""
STEPS = ["monthly_frame", "duckdb_monthly", "daily_frame", "duckdb_daily"]


def run_step(step: str, path: str) -> None:
    """One comparison step on the incidents frame, in this (fresh) process."""
    import duckdb

    import jingwu as jw
    import jingwu.aggregate  # noqa: F401  imported before the clock starts, as duckdb is

    cols = ["station_id", "reported_at", "category", "response_minutes", "is_case", "cleared"]
    inc = pd.read_parquet(path, columns=cols)
    rss_input = _vm_hwm_mb()
    t0 = time.perf_counter()
    if step == "monthly_frame":
        out = jw.aggregate.monthly_panel(incidents=inc)
    elif step == "daily_frame":
        out = jw.aggregate.daily_demand(inc, fill_zeros=False)
    else:
        con = duckdb.connect(config={"memory_limit": "1GB", "preserve_insertion_order": False})
        con.register("src", inc)
        out = con.execute(_DUCKDB_MONTHLY if step == "duckdb_monthly" else _DUCKDB_DAILY).df()
    secs = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "seconds": round(secs, 2),
                "rows_out": len(out),
                "peak_rss_mb": round(_vm_hwm_mb(), 1),
                "rss_after_input_mb": round(rss_input, 1),
                "extra_mb": round(_vm_hwm_mb() - rss_input, 1),
            }
        )
    )


def _vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument(
        "--stations",
        type=int,
        default=200,
        help="stations (the output grid is stations × days × 7 categories)",
    )
    ap.add_argument(
        "--compare",
        action="store_true",
        help="only the side-by-side steps on a frame (kept with the earlier file results)",
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--step", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        run_step(args.step, args.child) if args.step else run_child(args.child)
        return
    if args.compare:
        compare(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "incidents.parquet"
        t0 = time.perf_counter()
        make_file(f, args.rows, args.stations)
        gen = time.perf_counter() - t0
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(f)], check=True, capture_output=True, text=True
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result |= {
            "rows": args.rows,
            "stations": args.stations,
            "file_mb": round(f.stat().st_size / 2**20, 1),
            "generate_seconds": round(gen, 1),
            "machine": platform.machine(),
            "cpus": __import__("os").cpu_count(),
            "python": platform.python_version(),
        }
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "aggregate.json").write_text(json.dumps(result, indent=1) + "\n")
    print(
        f"{args.rows:,} incidents, {args.stations} stations: daily demand in {result['daily_seconds']} s, monthly panel in "
        f"{result['monthly_seconds']} s, peak memory {result['peak_rss_mb']} MB"
    )


def compare(args: argparse.Namespace) -> None:
    import os

    path = HERE / "results" / "aggregate.json"
    result = json.loads(path.read_text()) if path.is_file() else {}
    cmp: dict = {
        "rows": args.rows,
        "stations": args.stations,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "incidents.parquet"
        make_file(f, args.rows, args.stations)
        for step in STEPS:
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(f), "--step", step],
                check=True,
                capture_output=True,
                text=True,
            )
            cmp[step] = json.loads(out.stdout.strip().splitlines()[-1])
            print(step, cmp[step], flush=True)
    cmp["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    cmp["monthly_vs_duckdb_time"] = round(
        cmp["monthly_frame"]["seconds"] / cmp["duckdb_monthly"]["seconds"], 2
    )
    cmp["daily_vs_duckdb_time"] = round(cmp["daily_frame"]["seconds"] / cmp["duckdb_daily"]["seconds"], 2)
    cmp["note"] = (
        "each step in a fresh process on the same frame (read from Parquet); extra_mb = peak "
        "resident memory above the process after reading the input; shared 2-core machine"
    )
    result["compare_frame"] = cmp
    tmp_path = path.with_suffix(".json.tmp")
    tmp_path.write_text(json.dumps(result, indent=1) + "\n")
    tmp_path.replace(path)


if __name__ == "__main__":
    main()
