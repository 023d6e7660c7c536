"""Old keyword spellings kept for a release as deprecated aliases (see the package glossary)."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar, cast

__all__ = ["renamed_args", "renamed_attribute"]

F = TypeVar("F", bound=Callable[..., Any])


def renamed_args(**renames: str) -> Callable[[F], F]:
    """Accept old keyword spellings (``old="new"``) with a ``DeprecationWarning``.

    Passing both spellings is a ``TypeError``.

    Examples
    --------
    >>> import warnings
    >>> @renamed_args(alp="alpha")
    ... def f(*, alpha=0.05):
    ...     return alpha
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     f(alp=0.1), w[0].category.__name__
    (0.1, 'DeprecationWarning')
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in renames.items():
                if old not in kwargs:
                    continue
                if new in kwargs:
                    raise TypeError(
                        f"{func.__name__}() got both {old}= and {new}=; {old}= is the old spelling of {new}="
                    )
                warnings.warn(
                    f"{func.__name__}({old}=...) is deprecated and will be removed in the next "
                    f"release; use {new}=",
                    DeprecationWarning,
                    stacklevel=2,
                )
                kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


def renamed_attribute(old: str, new: str) -> property:
    """A read-only property ``old`` that returns ``self.<new>`` with a ``DeprecationWarning``."""

    def get(self: Any) -> Any:
        warnings.warn(
            f".{old} is deprecated and will be removed in the next release; use .{new}",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(self, new)

    return property(get, doc=f"Deprecated spelling of ``{new}``.")
