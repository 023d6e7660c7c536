"""Time and peak memory of reading a police export at 2 and 10 million rows.

Writes a synthetic incident export shaped like a platform's (GB18030 CSV,
Chinese headers and categories, 是/否 flags, a caller-phone column and a
备注 free-text column in which about one value in fifty holds a phone, an ID
number, an address or a name), then, each in a fresh process so the peak
resident memory is its own:

* ``read``    -- ``jingwu.io.read_incidents`` (full validation, every value of
  every text column scanned for personal data, personal columns dropped),
  returning the whole typed table (2M rows only: the result itself grows
  with the file);
* ``scan``    -- ``jingwu.privacy.scan_pii`` and ``mask_text`` over the 2M
  values of the 备注 column alone;
* ``daily``   -- ``jingwu.aggregate.daily_demand(path)``: the export read in
  chunks with every check of ``read_incidents``, reduced chunk by chunk;
* ``monthly`` -- ``jingwu.aggregate.monthly_panel(incidents=path)``, same.

    python benchmarks/intake_bench.py [--rows 2000000 10000000] [--tasks read ...]

Output: benchmarks/results/intake.json
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
CATS = ["刑事", "治安", "交通", "纠纷", "求助", "电诈", "其他"]
NOTES = ["已处理", "调解结束", "群众求助开锁", "移交刑侦", "电动车被盗，价值约2000元", "无"]
PERSONAL = [
    "回电13812345678",
    "张伟与邻居李娜因噪音问题发生口角",
    "住文三路88号3单元502室",
    "证件11010519491231002X",
]


def make_file(path: Path, rows: int, stations: int = 200, seed: int = 0) -> None:
    """Write ``rows`` synthetic export rows in chunks (2020-2024, ``stations`` stations)."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2020-01-01T00:00:00")
    span = int((np.datetime64("2025-01-01") - np.datetime64("2020-01-01")) / np.timedelta64(1, "s"))
    chunk = 500_000
    with open(path, "w", encoding="gb18030", newline="") as fh:
        for lo in range(0, rows, chunk):
            n = min(chunk, rows - lo)
            notes = np.array(NOTES, dtype=object)[rng.integers(0, len(NOTES), n)]
            personal = rng.random(n) < 0.02
            notes[personal] = np.array(PERSONAL, dtype=object)[rng.integers(0, len(PERSONAL), personal.sum())]
            df = pd.DataFrame(
                {
                    "接警编号": np.char.add("J", np.arange(lo, lo + n).astype(str)),
                    "派出所编号": np.char.add("S", rng.integers(0, stations, n).astype(str)),
                    "报警时间": np.char.replace(
                        np.datetime_as_string(
                            start + rng.integers(0, span, n).astype("timedelta64[s]"), unit="s"
                        ),
                        "T",
                        " ",
                    ),
                    "警情类别": np.array(CATS)[rng.integers(0, len(CATS), n)],
                    "到场时间(分钟)": rng.gamma(4, 2.5, n).round(1),
                    "是否立案": np.where(rng.random(n) < 0.15, "是", "否"),
                    "是否破案": np.where(rng.random(n) < 0.06, "是", "否"),
                    "联系电话": np.char.add("139", rng.integers(10**7, 10**8, n).astype(str)),
                    "备注": notes,
                }
            )
            df.to_csv(fh, index=False, header=lo == 0, lineterminator="\n")


def _peak_rss_mb() -> float:
    """This process's peak resident memory.

    ``VmHWM`` belongs to the process image, unlike ``getrusage``'s
    ``ru_maxrss``, which on Linux keeps the parent's peak across fork and exec
    (the file generator's peak would be reported for every child).
    """
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_child(task: str, path: str) -> None:
    import warnings

    import jingwu as jw

    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    if task == "read":
        out = jw.io.read_incidents(path)
        info = {"rows_out": len(out), "columns_out": list(out.columns)}
    elif task == "scan":
        notes = pd.read_csv(path, encoding="gb18030", usecols=["备注"], dtype=str)["备注"]
        t0 = time.perf_counter()
        found = jw.privacy.scan_pii(notes.to_frame())
        t1 = time.perf_counter()
        masked = jw.privacy.mask_text(notes)
        info = {
            "scan_seconds": round(t1 - t0, 2),
            "mask_seconds": round(time.perf_counter() - t1, 2),
            "values_scanned": len(notes),
            "findings": found["reason"].tolist(),
            "values_masked": int((masked != notes).sum()),
        }
    elif task == "daily":
        out = jw.aggregate.daily_demand(path, fill_zeros=False)
        info = {"rows_out": len(out), "incidents": int(out["count"].sum())}
    elif task == "monthly":
        out = jw.aggregate.monthly_panel(incidents=path)
        info = {"rows_out": len(out), "incidents": int(out["incidents"].sum())}
    else:
        raise ValueError(task)
    info["seconds"] = round(time.perf_counter() - t0, 2)
    info["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(info, ensure_ascii=False))


def measure(task: str, path: Path) -> dict:
    res = subprocess.run(
        [sys.executable, __file__, "--child", task, str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="*", default=[2_000_000, 10_000_000])
    ap.add_argument(
        "--tasks",
        nargs="*",
        choices=["read", "scan", "daily", "monthly"],
        help="re-measure only these tasks, merged into the existing results",
    )
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        run_child(*args.child)
        return
    out = HERE / "results" / "intake.json"
    results = json.loads(out.read_text()) if args.tasks and out.exists() else {"sizes": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            path = Path(tmp) / f"export_{rows}.csv"
            t0 = time.perf_counter()
            make_file(path, rows)
            entry = results["sizes"].get(str(rows), {})
            entry.update(
                {
                    "file_mb": round(path.stat().st_size / 2**20, 1),
                    "generate_seconds": round(time.perf_counter() - t0, 1),
                }
            )
            tasks = ["read", "scan", "daily", "monthly"] if rows <= 2_000_000 else ["daily", "monthly"]
            tasks = [t for t in tasks if not args.tasks or t in args.tasks]
            for task in tasks:
                print(f"{rows:,} rows: {task} ...", flush=True)
                entry[task] = measure(task, path)
                print(f"  {entry[task]}", flush=True)
            results["sizes"][str(rows)] = entry
            path.unlink()
    results.update(
        {
            "machine": platform.machine(),
            "python": platform.python_version(),
            "cpus": __import__("os").cpu_count(),
        }
    )
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
