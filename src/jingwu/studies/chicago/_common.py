"""Constants and small helpers shared by the Chicago case-study modules."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ...datasets import Chicago
from ...schema import require_columns

#: First month of the Police Sentiment Scores.
SURVEY_START = pd.Period("2017-11", "M")
#: Estimators reported by :func:`estimate`, in order.
ESTIMATORS: tuple[str, ...] = ("cs", "imputation", "twfe")

_ID, _T, _G = "station_id", "month", "adoption_month"


def _check_chicago(chi: Any, name: str = "chi") -> None:
    if not isinstance(chi, Chicago):
        raise ValueError(
            f"{name} must be a Chicago dataset (jw.datasets.load_chicago()), not {type(chi).__name__}"
        )


def _month(value: Any, name: str) -> pd.Period:
    try:
        out = pd.Period(value, freq="M")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name} must be a month like '2020-02', got {value!r}") from exc
    if pd.isna(out):
        raise ValueError(f"{name} must be a month like '2020-02', got {value!r}")
    return out


def _ordinals(s: pd.Series) -> np.ndarray:
    """Period (or numeric) column -> float ordinals, NaN where missing."""
    if isinstance(s.dtype, pd.PeriodDtype):
        out = np.full(len(s), np.nan)
        ok = s.notna().to_numpy()
        out[ok] = s[ok].array.asi8.astype(float)
        return out
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)


def _cohort_label(adoption: pd.Series) -> pd.Series:
    year = adoption.dt.year
    return year.astype("Int64").astype(str).where(adoption.notna(), "never")


def _p_normal(att: float, se: float) -> float:
    """Two-sided normal p-value (NaN when the SE is zero or missing)."""
    return float(2 * stats.norm.sf(abs(att) / se)) if np.isfinite(se) and se > 0 else float("nan")


def _renamed(old: Any, old_name: str, new: Any, new_name: str) -> Any:
    """The value of a renamed keyword: the old spelling still works for a release, with a warning."""
    if old is None:
        return new
    warnings.warn(
        f"{old_name}= is deprecated; use {new_name}= (the suite's one spelling)",
        DeprecationWarning,
        stacklevel=3,
    )
    return old


def _require(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    require_columns(df, columns, what=what, file=what)
