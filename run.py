#!/usr/bin/env python3
"""Set up the environment and run a jingwu task, with nothing but python3.

    python3 run.py reproduce     # every notebook on the bundled data -> reports/
    python3 run.py reproduce --quick --lang zh   # quick check, Chinese figures and tables
    python3 run.py test          # the test suite
    python3 run.py bench         # the benchmark scripts -> benchmarks/results/

Uses the active virtual or conda environment if there is one; otherwise
creates ``.venv`` here.  Installs the package with the exact versions in
``constraints.txt`` (once; again only when pyproject.toml or constraints.txt
change).  Extra arguments go to the task (e.g. ``python3 run.py test -m slow``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
TASKS = {
    "reproduce": ["-m", "jingwu.cli", "reproduce"],
    "test": ["-m", "pytest"],
    "bench": ["-m", "jingwu.cli", "bench"],
    "simulate": ["-m", "jingwu.cli", "simulate"],
    "setup": None,
}


def _python() -> Path:
    if os.environ.get("VIRTUAL_ENV") or os.environ.get("CONDA_PREFIX"):
        return Path(sys.executable)
    env = ROOT / ".venv"
    py = env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not py.exists():
        print(f"creating virtual environment {env}", flush=True)
        venv.EnvBuilder(with_pip=True).create(env)
    return py


def _install(py: Path) -> None:
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "constraints.txt"):
        digest.update((ROOT / name).read_bytes())
    stamp = Path(sys.prefix if py == Path(sys.executable) else py.parent.parent) / ".jingwu-installed"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    print("installing jingwu and its pinned dependencies (first run only) ...", flush=True)
    subprocess.check_call([str(py), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    subprocess.check_call(
        [
            str(py),
            "-m",
            "pip",
            "install",
            "--quiet",
            "-c",
            str(ROOT / "constraints.txt"),
            "-e",
            f"{ROOT}[test,dist,notebooks]",
        ]
    )
    stamp.write_text(digest.hexdigest())


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in TASKS:
        print(__doc__)
        return 2
    py = _python()
    _install(py)
    if TASKS[argv[0]] is None:
        return 0
    env = dict(os.environ, PYTHONHASHSEED="0")
    if argv[0] != "reproduce":
        # Scripts and tests draw off screen.  Notebook kernels started by
        # reproduce choose their own (inline) backend, so figures reach the reports.
        env["MPLBACKEND"] = "Agg"
    return subprocess.call([str(py), *TASKS[argv[0]], *argv[1:]], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
