"""Numbers quoted in the text: ``reports/values.json`` (:func:`record_value`, :func:`value`,
:func:`clear_values`)."""

from __future__ import annotations

import contextlib
import datetime as _dt
import difflib
import json
import math
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import paths

#: Significant digits kept for floats in ``values.json``.
SIGNIFICANT_DIGITS = 6


def _normalise(v: Any, digits: int, key: str) -> Any:
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        x = float(v)
        if not math.isfinite(x):
            raise ValueError(f"value for {key!r} is {x}; record finite numbers only")
        rounded = float(f"{x:.{digits}g}")
        return 0.0 if rounded == 0 else rounded
    if isinstance(v, (pd.Timestamp, _dt.datetime, _dt.date)):
        return v.isoformat()
    if isinstance(v, pd.Period):
        return str(v)
    if isinstance(v, np.ndarray):
        return _normalise(v.tolist() if v.ndim else v.item(), digits, key)
    if isinstance(v, (list, tuple)):
        return [_normalise(x, digits, key) for x in v]
    if isinstance(v, Mapping):
        return {str(k): _normalise(x, digits, key) for k, x in v.items()}
    raise ValueError(
        f"value for {key!r} has type {type(v).__name__}; record numbers, text, dates or lists/dicts of them"
    )


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Serialise read-merge-write of values.json between processes (POSIX only)."""
    try:
        import fcntl
    except ImportError:  # Windows: no locking, the write itself is still atomic
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _read(path: Path) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON ({exc}); delete it and re-run") from None
    if not isinstance(data, dict) or not all(isinstance(e, dict) and "value" in e for e in data.values()):
        raise ValueError(f"{path} is not a jingwu values file; delete it and re-run")
    return data


def _dump(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def record_value(
    key: str,
    value: Any,
    *,
    unit: str | None = None,
    description: str | None = None,
    path: str | os.PathLike[str] | None = None,
    digits: int = SIGNIFICANT_DIGITS,
) -> Any:
    """Record a number quoted in the text in ``reports/values.json``.

    The file is read, the entry merged and the whole file rewritten
    atomically (under a lock, so notebooks may run in parallel).  Keys are
    sorted and floats rounded to ``digits`` significant digits, so recording
    the same values again gives a byte-identical file.  NumPy and pandas
    scalars are converted; NaN and infinity are refused.

    Parameters
    ----------
    key : str
        Name of the number; prefix it with the notebook number
        (``"03.att_clearance"``).
    value : number, str, date, or list/dict of them
        The value.
    unit, description : str, optional
        Stored next to the value.
    path : path, optional
        The values file; default :func:`jingwu.paths.values_path`.
    digits : int
        Significant digits kept for floats.

    Returns
    -------
    object
        The value as stored (rounded).

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from pathlib import Path
    >>> from jingwu.report import record_value, load_values
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     f = Path(tmp) / "values.json"
    ...     record_value("01.mase", np.float64(0.812345678), path=f)
    ...     record_value("00.n_stations", np.int64(48), path=f)
    ...     print(load_values(f))
    0.812346
    48
    {'00.n_stations': 48, '01.mase': 0.812346}
    """
    if not isinstance(key, str) or not key.strip():
        raise ValueError(f"key must be a non-empty string, got {key!r}")
    if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)) or not 1 <= digits <= 17:
        raise ValueError(f"digits must be an integer from 1 to 17, got {digits!r}")
    for what, text in (("unit", unit), ("description", description)):
        if text is not None and not isinstance(text, str):
            raise ValueError(f"{what} must be a string, got {text!r}")
    stored = _normalise(value, int(digits), key)
    entry: dict[str, Any] = {"value": stored}
    if unit is not None:
        entry["unit"] = unit
    if description is not None:
        entry["description"] = description
    target = Path(path) if path is not None else paths.values_path()
    with _locked(target):
        data = _read(target)
        old = _dump(data) if target.exists() else None
        data[key] = entry
        text = _dump(data)
        if text != old:
            paths.atomic_write_text(target, text)
    return stored


def clear_values(prefix: str, path: str | os.PathLike[str] | None = None) -> list[str]:
    """Remove every key of one notebook (``"<prefix>."``) from ``values.json``; return the keys removed.

    The reproduce runner calls it before it runs a notebook, so a run
    replaces that notebook's numbers instead of leaving those it no longer
    records (a renamed key, a branch not taken) next to the new ones.  Other
    notebooks' keys are kept; a missing file is left missing.

    Parameters
    ----------
    prefix : str
        The notebook's number, e.g. ``"02"`` (a trailing ``"."`` is allowed).
    path : path, optional
        The values file; default :func:`jingwu.paths.values_path`.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from jingwu.report import record_value, load_values
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     f = Path(tmp) / "values.json"
    ...     _ = record_value("02.k_chosen", 5, path=f)
    ...     _ = record_value("02.old_name", 1, path=f)
    ...     _ = record_value("03.att", 0.1, path=f)
    ...     print(clear_values("02", path=f), load_values(f))
    ['02.k_chosen', '02.old_name'] {'03.att': 0.1}
    """
    stem = prefix.rstrip(".") if isinstance(prefix, str) else ""
    if not stem:
        raise ValueError(f"prefix must be a notebook number such as '02', got {prefix!r}")
    target = Path(path) if path is not None else paths.values_path()
    if not target.exists():
        return []
    with _locked(target):
        data = _read(target)
        gone = sorted(k for k in data if k.startswith(f"{stem}."))
        if gone:
            paths.atomic_write_text(target, _dump({k: e for k, e in data.items() if k not in gone}))
    return gone


def load_values(path: str | os.PathLike[str] | None = None, *, full: bool = False) -> dict[str, Any]:
    """Read ``values.json``: key -> value, or key -> entry (value, unit, description).

    A missing file gives an empty dict.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from jingwu.report import record_value, load_values
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     f = Path(tmp) / "values.json"
    ...     _ = record_value("x", 1.5, unit="min", path=f)
    ...     load_values(f, full=True)
    {'x': {'unit': 'min', 'value': 1.5}}
    """
    data = _read(Path(path) if path is not None else paths.values_path())
    return data if full else {k: e["value"] for k, e in data.items()}


def value(key: str, path: str | os.PathLike[str] | None = None) -> Any:
    """Return one recorded value (raises ``KeyError`` naming close matches if absent).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from jingwu.report import record_value, value
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     f = Path(tmp) / "values.json"
    ...     _ = record_value("04.officers_moved", 37, path=f)
    ...     value("04.officers_moved", path=f)
    37
    """
    target = Path(path) if path is not None else paths.values_path()
    data = _read(target)
    if key not in data:
        if not data:
            raise KeyError(f"{key!r}: {target} has no values yet; run the notebooks first")
        close = difflib.get_close_matches(key, list(data), n=3)
        hint = f"; did you mean {close}?" if close else ""
        raise KeyError(f"{key!r} is not in {target}{hint}")
    return data[key]["value"]
