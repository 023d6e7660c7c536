"""Where things live: the one module that owns the suite's paths.

In the spirit of cookiecutter-data-science, no other module hard-codes a
directory.  The project root is the checkout that holds ``pyproject.toml`` and
``data/``; it is found from the installed package (an editable install in a
clone) or, failing that, from the current working directory and its parents,
and falls back to the current working directory.  Two environment variables
redirect the usual places:

``JINGWU_DATA``
    the data directory (default ``<root>/data`` in a clone, else the copy
    bundled inside the installed package);
``JINGWU_REPORTS``
    the generated-output directory (default ``<root>/reports``), which holds
    ``figures/``, ``tables/`` and ``values.json``.

Every output of the suite is written atomically with :func:`atomic_write`
(or its ``_bytes`` / ``_text`` shortcuts): the content goes to a temporary
file in the target's directory and is then moved over the target with
:func:`os.replace`, so a crash or an exception never leaves a half-written
file behind.

Examples
--------
>>> import os, tempfile
>>> from jingwu import paths
>>> with tempfile.TemporaryDirectory() as tmp:
...     os.environ["JINGWU_REPORTS"] = tmp
...     try:
...         print(paths.figures_dir().relative_to(tmp), paths.values_path().name)
...     finally:
...         del os.environ["JINGWU_REPORTS"]
figures values.json
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "DATA_ENV",
    "REPORTS_ENV",
    "project_root",
    "data_dir",
    "notebooks_dir",
    "bundled_dir",
    "reports_dir",
    "figures_dir",
    "tables_dir",
    "values_path",
    "atomic_write",
    "atomic_write_bytes",
    "atomic_write_text",
]

#: Environment variable that overrides :func:`data_dir`.
DATA_ENV = "JINGWU_DATA"
#: Environment variable that overrides :func:`reports_dir`.
REPORTS_ENV = "JINGWU_REPORTS"


def _is_root(path: Path) -> bool:
    return (path / "pyproject.toml").is_file() and (path / "data").is_dir()


def _search_up(start: Path) -> Path | None:
    for candidate in (start, *start.parents):
        if _is_root(candidate):
            return candidate
    return None


def project_root() -> Path:
    """Return the project root (the directory with ``pyproject.toml`` and ``data/``).

    The search starts at this package's location (which lies inside the clone
    for an editable install), then at the current working directory, walking
    up through parents in both cases.  When neither finds a root, the current
    working directory is returned, so a user working in their own folder gets
    ``./data`` and ``./reports``.

    Returns
    -------
    pathlib.Path
        An absolute path.

    Examples
    --------
    >>> from jingwu.paths import project_root
    >>> project_root().is_absolute()
    True
    """
    here = Path(__file__).resolve().parent
    found = _search_up(here)
    if found is None:
        found = _search_up(Path.cwd().resolve())
    return found if found is not None else Path.cwd().resolve()


def _from_env(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser().resolve() if value else None


def bundled_dir() -> Path:
    """Return the copy of ``data/`` and ``notebooks/`` shipped inside an installed wheel.

    A clone (or an editable install) has no such copy: the files are read from
    the clone's own ``data/`` and ``notebooks/``.

    Examples
    --------
    >>> from jingwu.paths import bundled_dir
    >>> bundled_dir().name
    '_bundled'
    """
    return Path(__file__).resolve().parent / "_bundled"


def _clone_root() -> Path | None:
    """The clone this package runs from, if any (an editable install or a checkout on the path)."""
    return _search_up(Path(__file__).resolve().parent)


def _shipped(folder: str) -> Path:
    root = _clone_root()
    if root is not None:
        return root / folder
    packaged = bundled_dir() / folder
    if packaged.is_dir():
        return packaged
    return project_root() / folder


def notebooks_dir() -> Path:
    """Return the directory of the numbered notebooks.

    The clone's ``notebooks/`` when the package runs from a clone, otherwise
    the copy shipped inside the installed package.

    Examples
    --------
    >>> from jingwu.paths import notebooks_dir
    >>> sorted(p.name for p in notebooks_dir().glob("00_*.ipynb"))
    ['00_data_tour.ipynb']
    """
    return _shipped("notebooks")


def data_dir() -> Path:
    """Return the data directory: ``$JINGWU_DATA``, the clone's ``data/`` or the bundled copy.

    Examples
    --------
    >>> import os
    >>> from jingwu.paths import data_dir
    >>> os.environ["JINGWU_DATA"] = "/tmp/jw-data"
    >>> str(data_dir())
    '/tmp/jw-data'
    >>> del os.environ["JINGWU_DATA"]
    >>> data_dir().name
    'data'
    """
    return _from_env(DATA_ENV) or _shipped("data")


def reports_dir() -> Path:
    """Return the generated-output directory: ``$JINGWU_REPORTS`` or ``<root>/reports``.

    The directory is not created here; the writers in :mod:`jingwu.report`
    create what they need.

    Examples
    --------
    >>> import os
    >>> from jingwu.paths import reports_dir
    >>> os.environ["JINGWU_REPORTS"] = "/tmp/jw-example"
    >>> str(reports_dir())
    '/tmp/jw-example'
    >>> del os.environ["JINGWU_REPORTS"]
    """
    return _from_env(REPORTS_ENV) or project_root() / "reports"


def figures_dir() -> Path:
    """Return ``<reports>/figures``.

    Examples
    --------
    >>> from jingwu.paths import figures_dir
    >>> figures_dir().name
    'figures'
    """
    return reports_dir() / "figures"


def tables_dir() -> Path:
    """Return ``<reports>/tables``.

    Examples
    --------
    >>> from jingwu.paths import tables_dir
    >>> tables_dir().name
    'tables'
    """
    return reports_dir() / "tables"


def values_path() -> Path:
    """Return ``<reports>/values.json``, the store of numbers quoted in the text.

    Examples
    --------
    >>> from jingwu.paths import values_path
    >>> values_path().name
    'values.json'
    """
    return reports_dir() / "values.json"


def _default_mode() -> int:
    # The permissions a plain open() would give a new file (0o666 minus umask);
    # mkstemp creates 0o600, which would make shared reports unreadable.
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write(path: str | os.PathLike[str], writer: Callable[[Path], object]) -> Path:
    """Write a file atomically: ``writer`` fills a temporary file that then replaces ``path``.

    The temporary file lives in the same directory as ``path`` (so that
    :func:`os.replace` is an atomic rename) and keeps its suffix (so writers
    that infer a format from the extension, such as ``Figure.savefig``, work).
    If ``writer`` raises, the temporary file is removed, ``path`` is left as it
    was, and the exception propagates.  Parent directories are created.

    Parameters
    ----------
    path : str or os.PathLike
        The destination.
    writer : callable
        Called once with the temporary :class:`~pathlib.Path`; it must write
        the complete content there.  Its return value is ignored.

    Returns
    -------
    pathlib.Path
        The destination path.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from jingwu.paths import atomic_write
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = atomic_write(Path(tmp) / "a" / "x.txt", lambda p: p.write_text("hi"))
    ...     print(out.read_text(), sorted(q.name for q in out.parent.iterdir()))
    hi ['x.txt']
    """
    if not callable(writer):
        raise ValueError(f"writer must be callable, got {type(writer).__name__}")
    target = Path(path)
    if target.name in ("", ".", ".."):
        raise ValueError(f"path must name a file, got {str(path)!r}")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=f".tmp{target.suffix}"
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        writer(tmp)
        if not tmp.exists():
            raise OSError(f"writer did not create the temporary file for {target}")
        with open(tmp, "rb+") as fh:  # make the content durable before the rename
            os.fsync(fh.fileno())
        os.chmod(tmp, _default_mode())
        os.replace(tmp, target)
    except BaseException:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        raise
    return target


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write`).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from jingwu.paths import atomic_write_bytes
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     atomic_write_bytes(Path(tmp) / "b.bin", b"\\x00\\x01").read_bytes()
    b'\\x00\\x01'
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError(f"data must be bytes, got {type(data).__name__}")
    return atomic_write(path, lambda tmp: tmp.write_bytes(bytes(data)))


def atomic_write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically, with ``\\n`` line endings on every platform.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from jingwu.paths import atomic_write_text
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     atomic_write_text(Path(tmp) / "t.md", "警务\\n").read_text(encoding="utf-8")
    '警务\\n'
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be str, got {type(text).__name__}")
    return atomic_write_bytes(path, text.encode(encoding))


def saved_table(saved: str | os.PathLike[str] | bool | None, name: str) -> Path | None:
    """Where to look for a table another notebook saved (``None``: do not look).

    ``saved`` is ``None``/``True`` (the tables directory), a path, or ``False``.

    Examples
    --------
    >>> saved_table(False, "01_x.csv") is None
    True
    >>> saved_table("my.csv", "01_x.csv").name
    'my.csv'
    """
    if saved is False:
        return None
    if saved is None or saved is True:
        return tables_dir() / name
    return Path(saved)
