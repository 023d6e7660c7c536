"""Progress on long work: short lines on standard error, never inside saved reports.

Backtests, bootstraps, Monte Carlo runs and the reproduce runner report how far
they are, how long they have taken and roughly how long is left. Lines go to
standard error at most every few seconds (plus the last one), so logs stay
short. Progress is on by default and off when ``JINGWU_PROGRESS=0`` (the
reproduce runner sets this inside notebook kernels, so reports carry no
progress noise) or when a caller passes ``progress=False``.

Lines are plain text, so no widget library is needed.  Importing this module
also silences tqdm's "IProgress not found" warning when ipywidgets is not
installed: libraries used by jingwu (statsforecast) import ``tqdm.auto``,
which warns inside a Jupyter kernel without widgets although their bars are
never shown.

Examples
--------
>>> from jingwu.progress import track
>>> total = 0
>>> for i in track(range(3), "example", progress=False):
...     total += i
>>> total
3
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
import warnings
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

__all__ = ["ENV", "TQDM_WIDGET_WARNING", "Progress", "enabled", "track"]

#: Environment variable that switches progress off when set to 0/false/no/off.
ENV = "JINGWU_PROGRESS"

_OFF = {"0", "false", "no", "off"}

T = TypeVar("T")

#: Start of tqdm's warning in a Jupyter kernel without ipywidgets.
TQDM_WIDGET_WARNING = "IProgress not found"


def _silence_tqdm_widget_warning() -> None:
    """Ignore tqdm's widget warning when ipywidgets is absent (with it, tqdm does not warn)."""
    if importlib.util.find_spec("ipywidgets") is None:
        warnings.filterwarnings("ignore", message=TQDM_WIDGET_WARNING, module="tqdm")


_silence_tqdm_widget_warning()


def enabled(progress: bool | None = None) -> bool:
    """Return whether progress lines should be written.

    Parameters
    ----------
    progress : bool or None
        An explicit choice wins; ``None`` follows ``$JINGWU_PROGRESS``
        (on unless it is 0/false/no/off).

    Examples
    --------
    >>> enabled(False)
    False
    """
    if progress is not None:
        return bool(progress)
    return os.environ.get(ENV, "1").strip().lower() not in _OFF


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class Progress:
    """Count steps of a long job and report them on standard error.

    Parameters
    ----------
    total : int or None
        Number of steps, when known (gives a percentage and time left).
    label : str
        What is running, e.g. ``"backtest"``.
    progress : bool or None, keyword-only
        ``False`` silences it; ``None`` follows ``$JINGWU_PROGRESS``.
    every : float, keyword-only
        Minimum seconds between two lines (the last step always reports).
    stream : file-like, keyword-only
        Where lines go (standard error by default).

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> with Progress(2, "demo", progress=True, every=0, stream=out) as p:
    ...     p.update(note="a")
    ...     p.update(note="b")
    >>> out.getvalue().splitlines()[-1].startswith("demo: 2/2 (100%)")
    True
    """

    def __init__(
        self,
        total: int | None,
        label: str,
        *,
        progress: bool | None = None,
        every: float = 5.0,
        stream: TextIO | None = None,
    ) -> None:
        self.total = total
        self.label = label
        self.done = 0
        self.active = enabled(progress)
        self.every = every
        self.stream = stream
        self._start = time.monotonic()
        self._last = -float("inf")

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def update(self, n: int = 1, *, note: str = "") -> None:
        """Record ``n`` more finished steps, reporting when it is time to."""
        self.done += n
        if not self.active:
            return
        now = time.monotonic()
        last_step = self.total is not None and self.done >= self.total
        if now - self._last < self.every and not last_step:
            return
        self._last = now
        self._write(now, note)

    def _write(self, now: float, note: str) -> None:
        elapsed = now - self._start
        if self.total:
            share = self.done / self.total
            text = f"{self.label}: {self.done}/{self.total} ({share:.0%}), {_clock(elapsed)}"
            if 0 < share < 1:
                text += f", about {_clock(elapsed * (1 - share) / share)} left"
        else:
            text = f"{self.label}: {self.done} done, {_clock(elapsed)}"
        if note:
            text += f" · {note}"
        stream = self.stream if self.stream is not None else sys.stderr
        print(text, file=stream, flush=True)

    def close(self) -> None:
        """Finish; nothing more is written."""
        self.active = False


def track(
    items: Iterable[T],
    label: str,
    *,
    total: int | None = None,
    progress: bool | None = None,
    every: float = 5.0,
) -> Iterator[T]:
    """Yield ``items`` while reporting progress through :class:`Progress`.

    Examples
    --------
    >>> list(track([1, 2], "demo", progress=False))
    [1, 2]
    """
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with Progress(total, label, progress=progress, every=every) as bar:
        for item in items:
            yield item
            bar.update()
