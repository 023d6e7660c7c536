"""Time and peak memory of aggregating 10 million incident records.

Writes a synthetic incident file (Parquet, canonical headers) once, then runs
``jingwu.aggregate.daily_demand`` and ``monthly_panel`` on it in a fresh
process and records wall time and the process's peak resident memory.

    python benchmarks/aggregate_bench.py [--rows 10000000]

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
        df = pd.DataFrame({
            "incident_id": np.char.add("J", np.arange(lo, lo + n).astype(str)),
            "station_id": np.char.add("S", rng.integers(0, stations, n).astype(str)),
            "reported_at": start + rng.integers(0, span, n).astype("timedelta64[s]"),
            "category": np.array(CATS)[rng.integers(0, len(CATS), n)],
            "response_minutes": rng.gamma(4, 2.5, n).round(1),
            "is_case": rng.random(n) < 0.15,
            "cleared": rng.random(n) < 0.06,
        })
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
    print(json.dumps({"daily_seconds": round(t1 - t0, 2), "monthly_seconds": round(t2 - t1, 2),
                      "daily_rows": len(daily), "panel_rows": len(panel),
                      "peak_rss_mb": round(peak_kb / 1024, 1)}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--stations", type=int, default=200,
                    help="stations (the output grid is stations × days × 7 categories)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        run_child(args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "incidents.parquet"
        t0 = time.perf_counter()
        make_file(f, args.rows, args.stations)
        gen = time.perf_counter() - t0
        out = subprocess.run([sys.executable, __file__, "--child", str(f)], check=True,
                             capture_output=True, text=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result |= {"rows": args.rows, "stations": args.stations, "file_mb": round(f.stat().st_size / 2**20, 1),
                   "generate_seconds": round(gen, 1), "machine": platform.machine(),
                   "cpus": __import__("os").cpu_count(), "python": platform.python_version()}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "aggregate.json").write_text(json.dumps(result, indent=1) + "\n")
    print(f"{args.rows:,} incidents, {args.stations} stations: daily demand in {result['daily_seconds']} s, monthly panel in "
          f"{result['monthly_seconds']} s, peak memory {result['peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
