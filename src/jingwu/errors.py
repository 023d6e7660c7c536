"""Errors raised by jingwu.

A single exception type, :class:`DataError`, covers every problem with a user's
data.  It subclasses :class:`ValueError` so that generic ``except ValueError``
handlers still catch it, and its message always says *where* (file, column,
rows) and *what was expected*, so a user can fix the export without reading a
traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

__all__ = ["DataError", "IntakeWarning"]

_MAX_ROWS_SHOWN = 5

#: Masks personal data in message text.  :mod:`jingwu.privacy` registers its
#: masker here when it is imported (the core layer cannot import it), and
#: every reader of user data imports it, so no message quotes a phone number,
#: an ID number, an address or a name.
_scrubber: Callable[[str], str] | None = None


def register_scrubber(func: Callable[[str], str] | None) -> None:
    """Set the function that masks personal data in every :class:`DataError` message."""
    global _scrubber
    _scrubber = func


def _scrub(text: str | None) -> str | None:
    if text is None or _scrubber is None:
        return text
    return _scrubber(text)


class IntakeWarning(UserWarning):
    """Rows or values changed at intake (totals rows dropped, station names merged,
    time zones converted); the message says which and how many."""


def _format_rows(rows: Iterable[object]) -> str:
    rows = list(rows)
    shown = ", ".join(str(r) for r in rows[:_MAX_ROWS_SHOWN])
    more = len(rows) - _MAX_ROWS_SHOWN
    return shown + (f" (and {more} more)" if more > 0 else "")


class DataError(ValueError):
    """Bad input data, with the file, column, rows and what was expected.

    Parameters
    ----------
    problem : str
        What is wrong, in one sentence.
    file : str or Path, optional
        The file (or table name) the data came from.
    column : str or sequence of str, optional
        The offending column(s), as the user named them.
    rows : iterable, optional
        Offending row numbers.  Callers pass *file line numbers* (1-based,
        counting the header as line 1) when the data came from a file, so the
        user can jump straight to them; only the first few are shown.
    expected : str, optional
        What a valid value looks like.
    row_label : str, default "rows"
        How ``rows`` are named in the message: ``"rows"`` for file line
        numbers, ``"frame rows"`` for positions in a DataFrame given in memory.

    Examples
    --------
    >>> err = DataError("negative counts", file="demand.csv", column="count",
    ...                 rows=[3, 9], expected="integers >= 0")
    >>> print(err)
    demand.csv: column 'count': negative counts (rows 3, 9); expected integers >= 0
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | Path | None = None,
        column: str | Sequence[str] | None = None,
        rows: Iterable[object] | None = None,
        expected: str | None = None,
        row_label: str = "rows",
    ) -> None:
        problem = _scrub(problem) or ""
        expected = _scrub(expected)
        self.row_label = row_label
        self.problem = problem
        self.file = None if file is None else str(file)
        if column is not None and not isinstance(column, str):
            column = ", ".join(f"{c}" for c in column)
        self.column = _scrub(column)
        self.rows = None if rows is None else list(rows)
        self.expected = expected
        super().__init__(self._message())

    def _message(self) -> str:
        parts = []
        if self.file:
            parts.append(f"{self.file}: ")
        if self.column:
            label = "columns" if ", " in self.column else "column"
            parts.append(f"{label} '{self.column}': ")
        parts.append(self.problem)
        if self.rows:
            parts.append(f" ({self.row_label} {_format_rows(self.rows)})")
        if self.expected:
            parts.append(f"; expected {self.expected}")
        return "".join(parts)
