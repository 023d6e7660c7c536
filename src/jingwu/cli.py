"""Command line: ``jingwu init | validate | reproduce | simulate | bench``.

``jingwu reproduce`` executes every notebook in ``notebooks/`` in order on a
fresh kernel and writes ``reports/``: ``index.html`` (every notebook with its
key findings), each executed notebook as ``.ipynb``, as full HTML (code shown)
and as a reader's HTML without code (``<stem>.reader.html``), plus
``figures/``, ``tables/`` and ``values.json``.  ``--lang zh|en|both`` sets the
language of figures, tables and headings; ``--quiet`` silences the progress.  A failing cell stops the
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

from .progress import TQDM_WIDGET_WARNING

__all__ = ["main", "reproduce", "find_notebooks", "inject_parameters", "kernel_env", "takes_city"]


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


#: Backend of the notebook kernel: inline, so every figure is embedded in the
#: executed notebook and its HTML.  A backend inherited from the calling shell
#: (``MPLBACKEND=Agg`` is common in scripts and CI) would silently drop them.
KERNEL_MPLBACKEND = "module://matplotlib_inline.backend_inline"

#: Notebook languages (the ``LANGUAGE`` parameter and ``reproduce --lang``).
LANGUAGES = ("zh", "en", "both")


#: Thread-count variables of the numeric libraries (OpenMP: scikit-learn's
#: boosting; BLAS; numba).
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def kernel_env(base: dict[str, str] | None = None, *, threads: int | None = None) -> dict[str, str]:
    """Environment of a notebook kernel started by ``reproduce``.

    The caller's environment, with the inline matplotlib backend (whatever
    ``MPLBACKEND`` the shell set), a fixed hash seed, and progress bars off
    (they belong on the console, not inside a saved report; tqdm's
    "IProgress not found" warning is ignored).  ``threads``
    caps the numeric libraries' threads where the caller has not set them:
    quick runs use one, because on shared or small CI machines spinning
    OpenMP threads made the boosting model several times slower.

    Examples
    --------
    >>> env = kernel_env({"MPLBACKEND": "Agg", "PATH": "/bin"})
    >>> env["MPLBACKEND"], env["PATH"], env["PYTHONHASHSEED"], env["PYTHONWARNINGS"]
    ('module://matplotlib_inline.backend_inline', '/bin', '0', 'ignore:IProgress not found')
    """
    env = dict(os.environ if base is None else base)
    env["MPLBACKEND"] = KERNEL_MPLBACKEND
    env.setdefault("PYTHONHASHSEED", "0")
    env["TQDM_DISABLE"] = "1"
    env["JINGWU_PROGRESS"] = "0"
    # tqdm.auto (imported by statsforecast) warns in a kernel without ipywidgets
    quiet = f"ignore:{TQDM_WIDGET_WARNING}"
    warn = env.get("PYTHONWARNINGS", "")
    env["PYTHONWARNINGS"] = f"{warn},{quiet}" if warn and quiet not in warn else warn or quiet
    if threads is not None:
        for var in THREAD_VARS:
            env.setdefault(var, str(int(threads)))
    return env


class _Progress:
    """One console line per notebook: cell number, section and elapsed time.

    On a terminal the line is rewritten in place once a second; otherwise one
    line is printed per section, so logs stay short.  Nothing goes into the
    notebook itself.
    """

    def __init__(self, name: str, nb, *, stream=None, enabled: bool = True) -> None:
        import threading

        self.name = name
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.n_code = sum(c.cell_type == "code" for c in nb.cells)
        self.sections: list[str] = []
        current = ""
        for c in nb.cells:
            if c.cell_type == "markdown":
                m = re.search(r"^#{1,3}\s+(.+)$", c.source, flags=re.M)
                if m:
                    current = m.group(1).strip()
            self.sections.append(current)
        self.code_index = {
            i: k for k, i in enumerate(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
        }
        self.start = time.perf_counter()
        self.cell = 0
        self.section = ""
        self._printed_section: str | None = None
        self._stop = threading.Event()
        self._thread = None
        if enabled and self.tty:
            self._thread = threading.Thread(target=self._tick, daemon=True)
            self._thread.start()

    def _line(self) -> str:
        secs = time.perf_counter() - self.start
        where = f"cell {self.cell}/{self.n_code}"
        section = f" · {self.section[:50]}" if self.section else ""
        return f"  {self.name}: {where}{section} · {int(secs) // 60}:{int(secs) % 60:02d}"

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            self._write()

    def _write(self) -> None:
        if self.tty:
            self.stream.write("\r" + self._line().ljust(100)[:100])
            self.stream.flush()

    def on_cell_start(self, cell, cell_index: int, **_) -> None:
        if not self.enabled or cell_index not in self.code_index:
            return
        self.cell = self.code_index[cell_index] + 1
        self.section = self.sections[cell_index] if cell_index < len(self.sections) else ""
        if self.tty:
            self._write()
        elif self.section != self._printed_section:
            self._printed_section = self.section
            print(self._line(), file=self.stream, flush=True)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.enabled and self.tty:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()


def _kernel_manager():
    import tempfile

    from jupyter_client import KernelManager

    if os.name != "posix":
        return KernelManager(kernel_name="python3")
    # IPC sockets on POSIX: no network port and no "running over TCP" warning;
    # the socket files go to the temporary directory, not the working directory.
    ip = str(Path(tempfile.gettempdir()) / f"jingwu-kernel-{os.getpid()}-{time.monotonic_ns()}")
    return KernelManager(kernel_name="python3", transport="ipc", ip=ip)


def _execute(
    path: Path, out_dir: Path, params: dict, timeout: int, *, progress: bool = False, lang: str | None = None
) -> float:
    """Execute one notebook on a fresh kernel and write its report files.

    Writes ``notebooks/<name>.ipynb`` (executed), ``<stem>.html`` (full, code
    shown) and ``<stem>.reader.html`` (outputs only) under ``out_dir``; text
    the notebook wrote to stderr (warnings) is kept out of all three and
    listed in ``logs/<stem>.log``.  The notebook's keys in ``values.json``
    (``"<number>."``) are cleared first, so the run replaces them.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from . import report
    from .paths import atomic_write_text

    nb = nbformat.read(path, as_version=4)
    inject_parameters(nb, params)
    number = re.match(r"\d+", path.stem)
    if number:  # this run replaces the notebook's numbers; stale keys would be quoted as current
        report.clear_values(number.group())
    km = _kernel_manager()
    bar = _Progress(path.stem, nb, enabled=progress)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        km=km,
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_start=bar.on_cell_start,
    )
    client.owns_km = True  # shut the kernel down afterwards, as for a manager it made itself
    start = time.perf_counter()
    try:
        client.execute(env=kernel_env(threads=1 if params.get("QUICK") else None))
    except CellExecutionError as exc:
        bar.close()
        failing = next(
            (
                i
                for i, c in enumerate(nb.cells)
                if c.cell_type == "code"
                and any(o.get("output_type") == "error" for o in c.get("outputs", []))
            ),
            None,
        )
        atomic_write_text(out_dir / "notebooks" / path.name, nbformat.writes(nb))
        msg = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip().splitlines()
        raise RuntimeError(
            f"{path.name}: cell {failing} failed: {msg[-1] if msg else exc}\n"
            f"(the partly executed notebook is in {out_dir / 'notebooks' / path.name})"
        ) from None
    finally:
        bar.close()
    elapsed = time.perf_counter() - start
    removed = report.strip_noise(nb)
    log = out_dir / "logs" / f"{path.stem}.log"
    if removed:
        atomic_write_text(log, "".join(removed))
        print(
            f"  note: {path.stem}: {len(removed)} warning/progress message(s) kept out of the "
            f"report; see {log}",
            file=sys.stderr,
            flush=True,
        )
    elif log.exists():
        log.unlink()
    if lang is not None:
        report.localize_headings(nb, lang)
    atomic_write_text(out_dir / "notebooks" / path.name, nbformat.writes(nb))
    atomic_write_text(out_dir / f"{path.stem}.html", report.notebook_html(nb))
    atomic_write_text(out_dir / f"{path.stem}.reader.html", report.notebook_html(nb, reader=True))
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
    return any(
        "parameters" in c.get("metadata", {}).get("tags", [])
        and re.search(r"^CITY\s*=", c.source, flags=re.M)
        for c in nb.cells
    )


def reproduce(
    *,
    quick: bool = False,
    only: list[str] | None = None,
    notebooks_dir: str | Path | None = None,
    out: str | Path | None = None,
    city: str | Path | None = None,
    timeout: int = 1800,
    lang: str | None = None,
    quiet: bool = False,
) -> int:
    """Run every notebook in order; return 0 on success, 1 on the first failure.

    Each notebook gets ``QUICK`` and ``LANGUAGE`` injected after its
    ``parameters`` cell.  Writes, under the reports directory, the executed
    notebooks, a full and a reader's HTML rendering of each, and
    ``index.html`` linking them with their key findings.  Progress (notebook,
    cell, section, elapsed time) goes to the console unless ``quiet``.

    ``out`` (default: ``reports/`` of the clone, or of the working directory
    outside a clone; ``<city>/reports`` for a user's city) receives every
    output; the notebooks' kernels write there too.  ``city`` is a project
    folder (``jingwu init``): the notebooks that take a ``CITY`` parameter run
    on it, the bundled case studies (notebook 05) are skipped.  ``lang``
    defaults to the project's ``language`` for a city, else ``"both"``.
    """
    from . import paths, report
    from .paths import atomic_write_text

    if lang is None and city is None:
        lang = "both"
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}")
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
        lang = project.language if lang is None else lang
        out = project.reports_dir if out is None else out
    if out is not None:
        # The kernels inherit the environment, so their report writers follow.
        os.environ[paths.REPORTS_ENV] = str(Path(out).expanduser().resolve())
    out = paths.reports_dir()
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    mode = "quick" if quick else "full"
    say = (lambda *a, **k: None) if quiet else print
    say(f"jingwu reproduce: {len(notebooks)} notebooks ({mode} mode, language {lang}) -> {out}", flush=True)
    total = time.perf_counter()
    for i, nb in enumerate(notebooks, 1):
        say(f"[{i}/{len(notebooks)}] {nb.name} ...", flush=True)
        try:
            secs = _execute(nb, out, {**params, "LANGUAGE": lang}, timeout, progress=not quiet, lang=lang)
        except RuntimeError as exc:
            print(f"[{i}/{len(notebooks)}] {nb.name} FAILED", file=sys.stderr, flush=True)
            print(str(exc), file=sys.stderr)
            return 1
        say(f"[{i}/{len(notebooks)}] {nb.name} done in {secs:.1f} s", flush=True)
    executed = sorted((out / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    atomic_write_text(out / "index.html", report.reports_index(executed, lang=lang or "both"))
    say(
        f"all notebooks ran in {time.perf_counter() - total:.0f} s; "
        f"open {out / 'index.html'} to start reading",
        flush=True,
    )
    return 0


def _cmd_init(args: argparse.Namespace) -> int:
    from .studies.project import init_project

    try:
        f = init_project(args.dir, name=args.name, language=args.lang, force=args.force)
    except (FileExistsError, ValueError) as exc:
        print(f"jingwu init: {exc}", file=sys.stderr)
        return 2
    print(
        f"wrote {f} and {f.parent / 'README.md'}\n"
        f"next: put the exports in {f.parent}, name them in {f.name}, then run `jingwu validate {args.dir}`"
    )
    return 0


def _cmd_simulate(args: argparse.Namespace) -> int:
    from .simulate import simulate_city, write_city

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        print(f"jingwu simulate: {out} is a file, not a directory; choose another --out", file=sys.stderr)
        return 2
    if out.is_dir() and any(out.iterdir()) and not args.force:
        print(
            f"jingwu simulate: {out} is not empty; refusing to overwrite files in it "
            "(choose an empty or new directory, or pass --force)",
            file=sys.stderr,
        )
        return 2
    if args.as_exports:
        from .studies.exports import export_city_params, write_exports

        try:
            overrides = export_city_params(n_stations=args.stations, start=args.start, end=args.end)
        except ValueError as exc:
            print(f"jingwu simulate: {exc}", file=sys.stderr)
            return 2
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
    reader = {
        "incidents": io.read_incidents,
        "stations": io.read_stations,
        "panel": io.read_panel,
        "demand": io.read_demand,
    }[args.table]
    path = Path(args.path)
    problem = None
    if not path.exists():
        problem = f"no such file: {path}"
    elif path.is_dir():
        problem = (
            f"{path} is a directory without jingwu.toml; give the export file itself, "
            f"or start a city project there with `jingwu init {path}`"
        )
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
    p.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None,
        help="language of figures, tables and headings (default: both; a city's jingwu.toml language)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress, only failures")
    p = sub.add_parser("simulate", help="regenerate the M-city files")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the bundled city's)")
    p.add_argument("--out", required=True, help="output directory (new or empty)")
    p.add_argument(
        "--force",
        action="store_true",
        help="write into a non-empty --out directory, replacing the city's files",
    )
    p.add_argument(
        "--as-exports",
        action="store_true",
        help="write raw platform exports (GBK CSV, Excel) with jingwu.toml and the truth",
    )
    p.add_argument("--stations", type=int, help="number of stations (with --as-exports; default 48)")
    p.add_argument(
        "--start", help="first day, e.g. 2022-01-01 (with --as-exports; default M city's 2018-01-01)"
    )
    p.add_argument("--end", help="last day, e.g. 2023-12-31 (with --as-exports; default M city's 2024-12-31)")
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
        return reproduce(
            quick=args.quick,
            only=only,
            out=args.out,
            city=args.city,
            timeout=args.timeout,
            lang=args.lang,
            quiet=args.quiet,
        )
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
