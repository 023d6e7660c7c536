"""Command line: ``jingwu init | validate | reproduce | simulate | bench``.

``jingwu reproduce`` executes every notebook in ``notebooks/`` in order on a
fresh kernel and writes ``reports/`` (executed notebooks as ``.ipynb`` and
HTML, ``figures/``, ``tables/``, ``values.json``).  A failing cell stops the
run with the notebook, the cell number and the error.

Examples
--------
Regenerate M city with another seed, from a shell::

    jingwu simulate --seed 7 --out my_city
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["main", "reproduce", "find_notebooks", "inject_parameters", "takes_city"]


def find_notebooks(directory: str | Path, only: list[str] | None = None) -> list[Path]:
    """Numbered notebooks (``00_*.ipynb`` …) in run order, optionally filtered by prefix.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     for n in ("01_b.ipynb", "00_a.ipynb", "scratch.ipynb"):
    ...         _ = (pathlib.Path(d) / n).write_text("{}")
    ...     [p.name for p in find_notebooks(d)]
    ['00_a.ipynb', '01_b.ipynb']
    """
    directory = Path(directory)
    found = sorted(p for p in directory.glob("[0-9][0-9]_*.ipynb"))
    if only:
        found = [p for p in found if any(p.name.startswith(o) for o in only)]
    return found


def inject_parameters(nb, params: dict) -> None:
    """Insert a cell assigning ``params`` right after the cell tagged ``parameters``.

    Like papermill: the notebook's defaults stay visible and the override is
    a separate, tagged cell (``injected-parameters``).

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_code_cell("QUICK = False", metadata={"tags": ["parameters"]})]
    >>> inject_parameters(nb, {"QUICK": True})
    >>> nb.cells[1].source
    'QUICK = True'
    """
    import nbformat

    if not params:
        return
    source = "\n".join(f"{k} = {v!r}" for k, v in params.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    for i, c in enumerate(nb.cells):
        if "parameters" in c.get("metadata", {}).get("tags", []):
            nb.cells.insert(i + 1, cell)
            return
    raise ValueError("notebook has no cell tagged 'parameters' to override")


def _execute(path: Path, out_dir: Path, params: dict, timeout: int) -> float:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from nbconvert import HTMLExporter

    from .paths import atomic_write_text

    nb = nbformat.read(path, as_version=4)
    inject_parameters(nb, params)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as exc:
        failing = next((i for i, c in enumerate(nb.cells)
                        if c.cell_type == "code" and any(o.get("output_type") == "error"
                                                         for o in c.get("outputs", []))), None)
        atomic_write_text(out_dir / "notebooks" / path.name, nbformat.writes(nb))
        msg = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip().splitlines()
        raise RuntimeError(
            f"{path.name}: cell {failing} failed: {msg[-1] if msg else exc}\n"
            f"(the partly executed notebook is in {out_dir / 'notebooks' / path.name})"
        ) from None
    elapsed = time.perf_counter() - start
    atomic_write_text(out_dir / "notebooks" / path.name, nbformat.writes(nb))
    html, _ = HTMLExporter().from_notebook_node(nb)
    atomic_write_text(out_dir / f"{path.stem}.html", html)
    return elapsed


def takes_city(path: Path) -> bool:
    """Whether a notebook's ``parameters`` cell declares ``CITY`` (runs on a user's city).

    Examples
    --------
    >>> import tempfile, pathlib, nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_code_cell("QUICK = False\\nCITY = None", metadata={"tags": ["parameters"]})]
    >>> with tempfile.TemporaryDirectory() as d:
    ...     f = pathlib.Path(d) / "00_x.ipynb"
    ...     nbformat.write(nb, f)
    ...     takes_city(f)
    True
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return any("parameters" in c.get("metadata", {}).get("tags", [])
               and re.search(r"^CITY\s*=", c.source, flags=re.M) for c in nb.cells)


def reproduce(*, quick: bool = False, only: list[str] | None = None,
              notebooks_dir: str | Path | None = None, out: str | Path | None = None,
              city: str | Path | None = None, timeout: int = 1800) -> int:
    """Run every notebook in order; return 0 on success, 1 on the first failure.

    ``out`` (default: ``reports/`` of the clone, or of the working directory
    outside a clone; ``<city>/reports`` for a user's city) receives the
    executed notebooks, figures, tables and ``values.json``; the notebooks'
    kernels write there too.  ``city`` is a project folder (``jingwu init``):
    the notebooks that take a ``CITY`` parameter run on it, the bundled case
    studies (notebook 05) are skipped.
    """
    from . import paths

    nb_dir = Path(notebooks_dir) if notebooks_dir else paths.notebooks_dir()
    notebooks = find_notebooks(nb_dir, only)
    if not notebooks:
        print(f"no notebooks found in {nb_dir}", file=sys.stderr)
        return 1
    params: dict = {"QUICK": quick}
    if city is not None:
        from .errors import DataError
        from .studies.project import load_project

        try:
            project = load_project(city)
        except DataError as exc:
            print(f"jingwu reproduce: {exc}", file=sys.stderr)
            return 2
        skipped = [nb.name for nb in notebooks if not takes_city(nb)]
        notebooks = [nb for nb in notebooks if takes_city(nb)]
        if skipped:
            print(f"skipping {', '.join(skipped)} (bundled case study, not run on a user's city)", flush=True)
        if not notebooks:
            print("no notebook here takes a CITY parameter", file=sys.stderr)
            return 1
        params["CITY"] = str(project.root)
        out = project.reports_dir if out is None else out
    if out is not None:
        # The kernels inherit the environment, so their report writers follow.
        os.environ[paths.REPORTS_ENV] = str(Path(out).expanduser().resolve())
    out = paths.reports_dir()
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    mode = "quick" if quick else "full"
    print(f"jingwu reproduce: {len(notebooks)} notebooks ({mode} mode) -> {out}", flush=True)
    # The kernel inherits the environment: pin thread counts and hashing so
    # numbers do not depend on the machine's core count or hash seed.
    os.environ.setdefault("PYTHONHASHSEED", "0")
    os.environ.setdefault("MPLBACKEND", "Agg")
    total = time.perf_counter()
    for i, nb in enumerate(notebooks, 1):
        print(f"[{i}/{len(notebooks)}] {nb.name} ...", end=" ", flush=True)
        try:
            secs = _execute(nb, out, params, timeout)
        except RuntimeError as exc:
            print("FAILED", flush=True)
            print(str(exc), file=sys.stderr)
            return 1
        print(f"done in {secs:.1f} s", flush=True)
    print(f"all notebooks ran in {time.perf_counter() - total:.0f} s; "
          f"open {out / notebooks[0].with_suffix('.html').name} to start reading", flush=True)
    return 0


def _cmd_init(args: argparse.Namespace) -> int:
    from .studies.project import init_project

    try:
        f = init_project(args.dir, name=args.name, language=args.lang, force=args.force)
    except (FileExistsError, ValueError) as exc:
        print(f"jingwu init: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {f} and {f.parent / 'README.md'}\n"
          f"next: put the exports in {f.parent}, name them in {f.name}, then run `jingwu validate {args.dir}`")
    return 0


def _cmd_simulate(args: argparse.Namespace) -> int:
    from .simulate import simulate_city, write_city

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        print(f"jingwu simulate: {out} is a file, not a directory; choose another --out",
              file=sys.stderr)
        return 2
    if out.is_dir() and any(out.iterdir()) and not args.force:
        print(f"jingwu simulate: {out} is not empty; refusing to overwrite files in it "
              "(choose an empty or new directory, or pass --force)", file=sys.stderr)
        return 2
    if args.as_exports:
        from .studies.exports import write_exports

        overrides = {}
        if args.stations:
            overrides["n_stations"] = args.stations
        city = simulate_city(seed=args.seed, **overrides)
        files = write_exports(city, args.out, seed=args.seed)
        print(f"wrote {city!r} as raw exports to {args.out}:")
        for role, path in files.items():
            print(f"  {role:<9} {path.name}")
        print(f"try: jingwu validate {args.out}")
        return 0
    city = simulate_city(seed=args.seed)
    digests = write_city(city, args.out)
    print(f"wrote {city!r} to {args.out}")
    for name, h in digests.items():
        print(f"  {name}  sha256 {h[:16]}…")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from . import io
    from .errors import DataError

    if (Path(args.path) / "jingwu.toml").is_file() or Path(args.path).name == "jingwu.toml":
        from .studies.project import validate_project

        check = validate_project(args.path)
        print(check.report())
        return 0 if check.ok else 1
    reader = {"incidents": io.read_incidents, "stations": io.read_stations,
              "panel": io.read_panel, "demand": io.read_demand}[args.table]
    path = Path(args.path)
    problem = None
    if not path.exists():
        problem = f"no such file: {path}"
    elif path.is_dir():
        problem = (f"{path} is a directory without jingwu.toml; give the export file itself, "
                   f"or start a city project there with `jingwu init {path}`")
    elif not os.access(path, os.R_OK):
        problem = f"cannot read {path} (permission denied)"
    if problem is None:
        try:
            df = reader(path)
        except DataError as exc:
            print(f"invalid: {exc}", file=sys.stderr)
            return 2
        except OSError as exc:  # unreadable at the last moment, a broken link ...
            problem = f"cannot read {path} ({exc.strerror or type(exc).__name__})"
    if problem is not None:
        print(f"jingwu validate: {problem}", file=sys.stderr)
        return 2
    print(f"ok: {args.path} is a valid {args.table} table ({len(df):,} rows, columns {list(df.columns)})")
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from .paths import project_root

    scripts = sorted((project_root() / "benchmarks").glob("*.py"))
    if args.only:
        scripts = [s for s in scripts if any(o in s.name for o in args.only)]
    for s in scripts:
        print(f"== {s.name}", flush=True)
        code = subprocess.call([sys.executable, str(s)])
        if code:
            return code
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``jingwu`` command."""
    parser = argparse.ArgumentParser(prog="jingwu", description="jingwu (警务) research suite")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("reproduce", help="run all notebooks and write reports/")
    p.add_argument("--quick", action="store_true", help="quick mode (small samples; for checks)")
    p.add_argument("--only", nargs="*", help="notebook prefixes to run, e.g. 00 03 (or 00,03)")
    p.add_argument("--out", help="output directory (default: reports/, or CITY/reports)")
    p.add_argument("--city", help="a city project folder (see `jingwu init`): run notebooks 00-04 on it")
    p.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    p = sub.add_parser("simulate", help="regenerate the M-city files")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the bundled city's)")
    p.add_argument("--out", required=True, help="output directory (new or empty)")
    p.add_argument("--force", action="store_true",
                   help="write into a non-empty --out directory, replacing the city's files")
    p.add_argument("--as-exports", action="store_true",
                   help="write raw platform exports (GBK CSV, Excel) with jingwu.toml and the truth")
    p.add_argument("--stations", type=int, help="number of stations (with --as-exports; default 48)")
    p = sub.add_parser("init", help="start a city project: write DIR/jingwu.toml and DIR/README.md")
    p.add_argument("dir")
    p.add_argument("--name", help="city name (default: the folder name)")
    p.add_argument("--lang", choices=["zh", "en", "both"], default="zh", help="report language")
    p.add_argument("--force", action="store_true", help="overwrite an existing jingwu.toml")
    p = sub.add_parser("validate", help="check a city project folder, or one export against the schema")
    p.add_argument("path", help="a project folder (with jingwu.toml) or one export file")
    p.add_argument("--table", choices=["incidents", "stations", "panel", "demand"], default="incidents")
    p = sub.add_parser("bench", help="run the benchmark scripts in benchmarks/")
    p.add_argument("--only", nargs="*", help="substrings of benchmark names")
    args = parser.parse_args(argv)
    if args.command == "reproduce":
        only = [o for part in args.only or [] for o in part.split(",") if o] or None
        return reproduce(quick=args.quick, only=only, out=args.out, city=args.city, timeout=args.timeout)
    if args.command == "init":
        return _cmd_init(args)
    if args.command == "simulate":
        if args.seed is None:
            from .simulate import DEFAULT_SEED
            args.seed = DEFAULT_SEED
        return _cmd_simulate(args)
    if args.command == "validate":
        return _cmd_validate(args)
    return _cmd_bench(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
