"""Time each notebook in quick mode, the way ``jingwu reproduce --quick`` runs it.

Runs the notebooks in order into one temporary reports folder (later notebooks
read earlier ones' hand-offs), one ``reproduce`` call per notebook, and
records for each: wall time (execution plus its two HTML renderings), CPU
seconds of the kernel (``RUSAGE_CHILDREN``, the better estimate of an idle
machine's time when the machine is shared) and the load average before and
after.  The README promises each quick notebook under a minute.

    python benchmarks/notebooks_bench.py [--lang zh] [--only 00 01]

Output: benchmarks/results/notebooks.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def time_notebooks(lang: str, only: list[str] | None) -> list[dict]:
    """One row per notebook: name, wall and CPU seconds, load average, status."""
    from jingwu import cli, paths

    names = [p.stem for p in cli.find_notebooks(paths.notebooks_dir(), only)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            load_before = os.getloadavg()[0]
            cpu0, t0 = _children_cpu(), time.perf_counter()
            status = cli.reproduce(quick=True, only=[name[:2]], out=tmp, lang=lang, quiet=True)
            wall, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
            rows.append(
                {
                    "notebook": name,
                    "wall_s": round(wall, 1),
                    "kernel_cpu_s": round(cpu, 1),
                    "load_before": round(load_before, 1),
                    "load_after": round(os.getloadavg()[0], 1),
                    "ok": status == 0,
                }
            )
            print(
                f"{name}: {wall:.1f} s wall, {cpu:.1f} s CPU, load {load_before:.1f}"
                + ("" if status == 0 else "  FAILED"),
                flush=True,
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", default="both", choices=["zh", "en", "both"])
    ap.add_argument("--only", nargs="*", default=None, help="notebook prefixes, e.g. 00 03")
    ap.add_argument("--out", default=str(HERE / "results" / "notebooks.json"))
    args = ap.parse_args(argv)
    rows = time_notebooks(args.lang, args.only)
    result = {
        "what": "quick-mode notebooks, one reproduce call each (execution + full and reader HTML)",
        "command": "python benchmarks/notebooks_bench.py " + " ".join(argv or sys.argv[1:]),
        "lang": args.lang,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "notebooks": rows,
        "total_wall_s": round(sum(r["wall_s"] for r in rows), 1),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
